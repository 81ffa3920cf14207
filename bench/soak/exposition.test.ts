import { parseExposition, sumBy, sumOf } from './exposition';

const TEXT = `# HELP pxgate_store_evicted_rows_total Rows dropped from the store.
# TYPE pxgate_store_evicted_rows_total counter
pxgate_store_evicted_rows_total{table="http_events",reason="budget"} 262144
pxgate_store_evicted_rows_total{table="http_events",reason="retention"} 10
pxgate_store_evicted_rows_total{table="conn_stats",reason="budget"} 7
process_resident_memory_bytes 123456789
http_server_request_duration_seconds_bucket{le="+Inf",job="a \\"quoted\\" job"} 3
weird{path="a\\\\b\\nc"} NaN

not a sample line
`;

describe('parseExposition', () => {
  it('reads names, labels and values, and skips comments and other lines', () => {
    const samples = parseExposition(TEXT);
    expect(samples.map((s) => s.name)).toEqual([
      'pxgate_store_evicted_rows_total',
      'pxgate_store_evicted_rows_total',
      'pxgate_store_evicted_rows_total',
      'process_resident_memory_bytes',
      'http_server_request_duration_seconds_bucket',
      'weird',
    ]);
    expect(samples[0]).toEqual({
      name: 'pxgate_store_evicted_rows_total',
      labels: { table: 'http_events', reason: 'budget' },
      value: 262144,
    });
    expect(samples[3]!.value).toBe(123456789);
    expect(samples[4]!.labels).toEqual({ le: '+Inf', job: 'a "quoted" job' });
    expect(samples[5]!.labels.path).toBe('a\\b\nc');
    expect(samples[5]!.value).toBeNaN();
  });

  it('sums a metric over the series whose labels match, and by a label', () => {
    const samples = parseExposition(TEXT);
    expect(sumOf(samples, 'pxgate_store_evicted_rows_total')).toBe(262161);
    expect(sumOf(samples, 'pxgate_store_evicted_rows_total', { table: 'http_events' })).toBe(
      262154,
    );
    expect(sumOf(samples, 'absent')).toBe(0);
    expect(
      sumBy(
        samples.filter((s) => s.labels.table === 'http_events'),
        'pxgate_store_evicted_rows_total',
        'reason',
      ),
    ).toEqual({ budget: 262144, retention: 10 });
  });
});
