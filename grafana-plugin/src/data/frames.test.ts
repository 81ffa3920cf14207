import { FieldType } from '@grafana/data';
import fc from 'fast-check';

import { fuzzParams } from '../../../test/support/fuzz';
import { gatewayTable } from '../../test/support/tables';
import { splitNanos, tableToFrame } from './frames';

describe('tableToFrame', () => {
  const frame = tableToFrame(
    gatewayTable(
      'stats',
      [
        'time_:TIME64NS',
        'upid:UINT128:ST_UPID',
        'ok:BOOLEAN',
        'latency:INT64:ST_DURATION_NS',
        'bytes:INT64:ST_BYTES',
        'errors:FLOAT64:ST_PERCENT',
        'rps:FLOAT64:ST_THROUGHPUT_PER_NS',
        'bps:FLOAT64:ST_THROUGHPUT_BYTES_PER_NS',
        'q:STRING:ST_DURATION_NS_QUANTILES',
        'path:STRING',
      ],
      [
        [
          '1732700000123456789',
          '1:42:99',
          true,
          1500,
          '9007199254740993',
          0.25,
          2e-9,
          5e-7,
          '{"p50":10,"p90":20,"p99":30}',
          '/a',
        ],
        [1000000, '0:1', false, null, 0, 1, 0, 0, 'not json', '/b'],
      ],
    ),
    'A',
  );
  const field = (name: string) => frame.fields.find((f) => f.name === name)!;

  it('maps column types to field types', () => {
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['time_', FieldType.time],
      ['upid', FieldType.string],
      ['ok', FieldType.boolean],
      ['latency', FieldType.number],
      ['bytes', FieldType.number],
      ['errors', FieldType.number],
      ['rps', FieldType.number],
      ['bps', FieldType.number],
      ['q_p50', FieldType.number],
      ['q_p90', FieldType.number],
      ['q_p99', FieldType.number],
      ['path', FieldType.string],
    ]);
    expect(frame).toMatchObject({ name: 'stats', refId: 'A', length: 2 });
  });

  it('keeps nanosecond times exactly: milliseconds plus the rest', () => {
    expect(field('time_').values).toEqual([1732700000123, 1]);
    expect(field('time_').nanos).toEqual([456789, 0]);
  });

  it('reads INT64 beyond 2^53 from decimal strings, and UINT128 as text', () => {
    expect(field('bytes').values).toEqual([9007199254740992, 0]);
    expect(field('upid').values).toEqual(['1:42:99', '0:1']);
    expect(field('latency').values).toEqual([1500, null]);
  });

  it('sets units from semantic types, scaling per-ns throughputs to per second', () => {
    expect(field('latency').config.unit).toBe('ns');
    expect(field('bytes').config.unit).toBe('bytes');
    expect(field('errors').config.unit).toBe('percentunit');
    expect(field('rps').config.unit).toBe('reqps');
    expect(field('rps').values[0]).toBeCloseTo(2);
    expect(field('bps').config.unit).toBe('Bps');
    expect(field('bps').values[0]).toBeCloseTo(500);
    expect(field('path').config.unit).toBeUndefined();
  });

  it('splits quantile objects into one field per quantile', () => {
    expect([field('q_p50').values, field('q_p90').values, field('q_p99').values]).toEqual([
      [10, null],
      [20, null],
      [30, null],
    ]);
    expect(field('q_p99').config.unit).toBe('ns');
  });
});

it('keeps a quantile the script computed itself instead of splitting one out', () => {
  const frame = tableToFrame(
    gatewayTable(
      't',
      ['latency:STRING:ST_DURATION_NS_QUANTILES', 'latency_p99:INT64:ST_DURATION_NS'],
      [['{"p50":1,"p90":2,"p99":3}', 7]],
    ),
  );
  expect(frame.fields.map((f) => [f.name, f.values[0]])).toEqual([
    ['latency_p50', 1],
    ['latency_p90', 2],
    ['latency_p99', 7],
  ]);
});

describe('splitNanos', () => {
  it('handles numbers, strings, times before 1970 and junk', () => {
    expect(splitNanos(2_500_000)).toEqual({ ms: 2, nanos: 500_000 });
    expect(splitNanos('-1')).toEqual({ ms: -1, nanos: 999_999 });
    expect(splitNanos('1796570086910000123')).toEqual({ ms: 1_796_570_086_910, nanos: 123 });
    expect(splitNanos('999999')).toEqual({ ms: 0, nanos: 999_999 });
    expect(splitNanos('1000000')).toEqual({ ms: 1, nanos: 0 });
    expect(splitNanos('-1796570086910000123')).toEqual({ ms: -1_796_570_086_911, nanos: 999_877 });
    expect(splitNanos('12x')).toBeNull();
    expect(splitNanos(null)).toBeNull();
  });

  it('splits every int64 decimal string as BigInt arithmetic does', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (ns) => {
        const rest = ((ns % 1_000_000n) + 1_000_000n) % 1_000_000n;
        expect(splitNanos(String(ns))).toEqual({
          ms: Number((ns - rest) / 1_000_000n),
          nanos: Number(rest),
        });
      }),
      fuzzParams(500),
    );
  });
});
