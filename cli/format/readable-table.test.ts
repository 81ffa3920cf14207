import { MAX_CELL_CHARS, readableTable } from './readable-table';

const col = (name: string, type: string, semanticType = 'ST_NONE') => ({
  name,
  type,
  semanticType,
});

describe('readableTable', () => {
  it('formats each column by its semantic type', () => {
    const t = readableTable(
      {
        name: 't',
        columns: [
          col('time_', 'TIME64NS'),
          col('latency', 'INT64', 'ST_DURATION_NS'),
          col('bytes', 'INT64', 'ST_BYTES'),
          col('errors', 'FLOAT64', 'ST_PERCENT'),
          col('rps', 'FLOAT64', 'ST_THROUGHPUT_PER_NS'),
          col('bps', 'FLOAT64', 'ST_THROUGHPUT_BYTES_PER_NS'),
          col('ratio', 'FLOAT64'),
          col('n', 'INT64'),
          col('big', 'INT64'),
        ],
        rows: [
          [
            1_800_000_000_123_456_800,
            1_250_000,
            12_700,
            0.05,
            5e-8,
            12_700 / 1e9,
            1 / 3,
            7,
            '9007199254740993',
          ],
        ],
      },
      false,
    );
    expect(t.headers).toEqual([
      'time_',
      'latency',
      'bytes',
      'errors',
      'rps',
      'bps',
      'ratio',
      'n',
      'big',
    ]);
    expect(t.rows[0]!.slice(1)).toEqual([
      '1.25 ms',
      '12.4 KiB',
      '5.00%',
      '50.0 /s',
      '12.4 KiB/s',
      '0.333333',
      '7',
      '9007199254740993',
    ]);
    expect(t.rows[0]![0]).toMatch(/^2027-01-15T08:00:00\.\d{9}Z$/);
    expect(t.numeric).toEqual([false, true, true, true, true, true, true, true, true]);
  });

  it('shows quantiles as p50, p90 and p99 columns', () => {
    const q = JSON.stringify({
      p01: 1,
      p10: 2,
      p25: 3,
      p50: 1_500_000,
      p75: 5,
      p90: 2e6,
      p99: 3.5e9,
    });
    const t = readableTable(
      {
        name: 't',
        columns: [
          col('path', 'STRING'),
          col('latency', 'STRING', 'ST_DURATION_NS_QUANTILES'),
          col('size', 'STRING', 'ST_QUANTILES'),
        ],
        rows: [
          ['/a', q, JSON.stringify({ p50: 10, p90: 20.5, p99: 30 })],
          ['/b', null, 'oops'],
        ],
      },
      false,
    );
    expect(t.headers).toEqual([
      'path',
      'latency_p50',
      'latency_p90',
      'latency_p99',
      'size_p50',
      'size_p90',
      'size_p99',
    ]);
    expect(t.rows).toEqual([
      ['/a', '1.50 ms', '2.00 ms', '3.50 s', '10', '20.5', '30'],
      ['/b', '', '', '', '', '', ''],
    ]);
  });

  it('cuts long text with an ellipsis, and shows it whole when wide', () => {
    const body = `<html>${'x'.repeat(200)}\n</html>`;
    const table = { name: 't', columns: [col('body', 'STRING')], rows: [[body]] };
    const cut = readableTable(table, false).rows[0]![0]!;
    expect([...cut]).toHaveLength(MAX_CELL_CHARS);
    expect(cut.endsWith('…')).toBe(true);
    expect(body.startsWith(cut.slice(0, -1))).toBe(true);
    expect(readableTable(table, true).rows[0]![0]).toBe(body.replace('\n', '\\n'));
  });
});
