import { ResultTable } from '../format/readable-table';
import { KEYS_LINE, ScreenInput, liveScreen } from './live-screen';
import { INITIAL_STATE, onAnswer, onError } from './live-state';

const AT = new Date(2027, 0, 15, 8, 30, 5);

const requests = (n: number): ResultTable => ({
  name: 'requests',
  columns: [
    { name: 'req_path', type: 'STRING', semanticType: 'ST_NONE' },
    { name: 'latency', type: 'INT64', semanticType: 'ST_DURATION_NS' },
  ],
  rows: Array.from({ length: n }, (_, i) => [`/item/${i}`, 1_500_000 * (i + 1)]),
});
const count: ResultTable = {
  name: 'count',
  columns: [{ name: 'n', type: 'INT64', semanticType: 'ST_NONE' }],
  rows: [[3]],
};

function screen(over: Partial<ScreenInput>): string[] {
  return liveScreen({
    state: onAnswer(INITIAL_STATE, [requests(3), count], AT),
    script: 'px/http_data',
    gateway: 'http://127.0.0.1:8090',
    intervalMs: 5000,
    width: 120,
    height: 10,
    ...over,
  });
}

describe('the live view layout', () => {
  it('draws the header, the tables, the one in view formatted as pxgate run does, and the keys last', () => {
    expect(screen({})).toEqual([
      'pxgate live px/http_data · http://127.0.0.1:8090 · refreshed 08:30:05 · every 5s',
      '[requests (3 rows)]  count (1 row) ',
      '',
      'req_path  latency',
      '/item/0   1.50 ms',
      '/item/1   3.00 ms',
      '/item/2   4.50 ms',
      '',
      '',
      KEYS_LINE,
    ]);
  });

  it('shows as many rows as fit and says how many did not', () => {
    const lines = screen({ state: onAnswer(INITIAL_STATE, [requests(50)], AT), height: 9 });
    expect(lines).toHaveLength(9);
    expect(lines.slice(3)).toEqual([
      'req_path  latency',
      '/item/0   1.50 ms',
      '/item/1   3.00 ms',
      '/item/2   4.50 ms',
      '… 47 more rows',
      KEYS_LINE,
    ]);
  });

  it('cuts every line to the width, with an ellipsis where it cut', () => {
    const lines = screen({ width: 20 });
    expect(lines.every((l) => [...l].length <= 20)).toBe(true);
    expect(lines[0]).toBe('pxgate live px/http…');
    expect(lines[3]).toBe('req_path  latency');
  });

  it('keeps the header first in a terminal too small for the rest', () => {
    expect(screen({ height: 2 })).toEqual([
      'pxgate live px/http_data · http://127.0.0.1:8090 · refreshed 08:30:05 · every 5s',
      '[requests (3 rows)]  count (1 row) ',
    ]);
    expect(screen({ height: 0 })).toEqual([]);
  });

  it('says PAUSED instead of the interval while paused', () => {
    const paused = { ...onAnswer(INITIAL_STATE, [count], AT), paused: true };
    expect(screen({ state: paused })[0]).toMatch(/· refreshed 08:30:05 · PAUSED$/);
  });

  it('shows an error wrapped to the width, with when it happened, in place of the table', () => {
    const message = 'slow.pxl:2:7: name "dff" is not defined\ndf = dff[dff.latency > 0]\n      ^';
    const failed = onError(onAnswer(INITIAL_STATE, [count], AT), message, AT);
    expect(screen({ state: failed, width: 30, height: 12 }).slice(3, 9)).toEqual([
      'error at 08:30:05, trying aga…',
      'slow.pxl:2:7: name "dff" is no',
      't defined',
      'df = dff[dff.latency > 0]',
      '      ^',
      '',
    ]);
  });

  it('says it is waiting before the first answer', () => {
    expect(screen({ state: INITIAL_STATE })[0]).toMatch(/· waiting · every 5s$/);
  });
});
