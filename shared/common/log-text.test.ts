import { defaultLogFormat } from './logger';
import { textLogLine } from './log-text';

describe('text log lines', () => {
  it('shows time, level, message and the other fields once each', () => {
    const at = new Date(2026, 11, 6, 13, 5, 9, 42).getTime();
    const line = textLogLine(
      JSON.stringify({
        level: 40,
        time: at,
        pid: 7,
        name: 'pxgate',
        component: 'agent',
        url: 'http://127.0.0.1:8090',
        msg: 'gateway listening',
        batches: 3,
        note: 'two words',
      }),
    );
    expect(line).toBe(
      '13:05:09.042 WARN  gateway listening component=agent url=http://127.0.0.1:8090 batches=3 note="two words"\n',
    );
  });

  it("puts an error's message in the line and its stack below", () => {
    const line = textLogLine(
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'failed to scan /proc',
        err: { type: 'Error', message: 'EACCES', stack: 'Error: EACCES\n    at scan (x.ts:1:2)' },
      }),
    );
    expect(line).toMatch(/ERROR failed to scan \/proc err=EACCES\n {4}at scan \(x\.ts:1:2\)\n$/);
  });

  it('passes on a line that is not JSON', () => {
    expect(textLogLine('plain')).toBe('plain\n');
  });

  it('chooses text for a terminal and JSON otherwise', () => {
    expect(defaultLogFormat({ isTTY: true })).toBe('text');
    expect(defaultLogFormat({})).toBe('json');
  });
});
