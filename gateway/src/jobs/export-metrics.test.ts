import { Registry } from 'prom-client';
import { metricValue } from '../../../test/support/metrics';
import { ExportJobMetrics, TargetReading } from './export-metrics';

describe('export job gauges', () => {
  it('combine the readings of one job and sink over a cluster\u2019s partitions', async () => {
    const registry = new Registry();
    const readings: TargetReading[] = [
      { job: 'j', sink: 's', behindRows: 3, consecutiveFailures: 0, lastSuccessAt: 5_000 },
      { job: 'j', sink: 's', behindRows: 4, consecutiveFailures: 2, lastSuccessAt: 2_000 },
      { job: 'j', sink: 's', behindRows: 0, consecutiveFailures: 1, lastSuccessAt: undefined },
      { job: 'j', sink: 't', behindRows: 9, consecutiveFailures: 0, lastSuccessAt: 7_000 },
    ];
    new ExportJobMetrics(registry, () => readings);
    const value = (name: string, sink: string) =>
      metricValue(registry, `pxgate_export_${name}`, { job: 'j', sink });
    expect(await value('behind_rows', 's')).toBe(7);
    expect(await value('consecutive_failures', 's')).toBe(2);
    expect(await value('last_success_timestamp_seconds', 's')).toBe(2);
    expect(await value('behind_rows', 't')).toBe(9);
    expect(await value('last_success_timestamp_seconds', 't')).toBe(7);
  });
});
