import { FieldType } from '@grafana/data';

import { gatewayTable } from '../../test/support/tables';
import { tableToFrame } from './frames';
import { longToWide } from './timeSeries';

const NS = 1_000_000n;
const t = (ms: number) => String(BigInt(ms) * NS);

describe('longToWide', () => {
  const long = tableToFrame(
    gatewayTable(
      'latency',
      [
        'time_:TIME64NS',
        'service:STRING:ST_SERVICE_NAME',
        'p50:INT64:ST_DURATION_NS',
        'rps:FLOAT64',
      ],
      [
        [t(2000), 'cart', 20, 2],
        [t(1000), 'cart', 10, 1],
        [t(1000), 'web', 5, 7],
        [t(3000), 'web', 6, 8],
      ],
    ),
  );
  const wide = longToWide(long);

  it('aligns every series on one sorted time field', () => {
    expect(wide.length).toBe(3);
    expect(wide.fields[0]).toMatchObject({
      name: 'time_',
      type: FieldType.time,
      values: [1000, 2000, 3000],
    });
  });

  it('makes one field per (label set, numeric column), with nulls where a series has no row', () => {
    expect(wide.fields.slice(1).map((f) => [f.name, f.labels, f.values])).toEqual([
      ['p50', { service: 'cart' }, [10, 20, null]],
      ['rps', { service: 'cart' }, [1, 2, null]],
      ['p50', { service: 'web' }, [5, null, 6]],
      ['rps', { service: 'web' }, [7, null, 8]],
    ]);
  });

  it('keeps units', () => {
    expect(wide.fields[1]!.config.unit).toBe('ns');
  });

  it('only sorts a table that has no string columns, and leaves one without time alone', () => {
    const plain = tableToFrame(
      gatewayTable(
        'x',
        ['time_:TIME64NS', 'v:INT64'],
        [
          [t(2), 2],
          [t(1), 1],
        ],
      ),
    );
    expect(longToWide(plain).fields.map((f) => [f.name, f.labels, f.values])).toEqual([
      ['time_', undefined, [1, 2]],
      ['v', undefined, [1, 2]],
    ]);
    const noTime = tableToFrame(gatewayTable('n', ['v:INT64'], [[1]]));
    expect(longToWide(noTime)).toBe(noTime);
  });

  it('keeps sub-millisecond times apart', () => {
    const fine = tableToFrame(
      gatewayTable(
        'x',
        ['time_:TIME64NS', 'v:INT64'],
        [
          ['1000000500', 2],
          ['1000000100', 1],
        ],
      ),
    );
    const w = longToWide(fine);
    expect(w.fields[0]!.values).toEqual([1000, 1000]);
    expect(w.fields[0]!.nanos).toEqual([100, 500]);
    expect(w.fields[1]!.values).toEqual([1, 2]);
  });
});
