import { Counter, Gauge, Registry } from 'prom-client';

type SinkSignal = 'sink' | 'signal';

/**
 * The exporters' self metrics, modelled on the Collector's `otelcol_exporter_*`: items sent,
 * dropped for good (by reason), failed after retries (to be exported again by their job),
 * refused by a full queue, retries, queue fill, and each sink's health (failures in a row, last
 * success, last error). One instance per registry.
 */
export class ExporterMetrics {
  readonly sent: Counter<SinkSignal>;
  readonly dropped: Counter<SinkSignal | 'reason'>;
  readonly failed: Counter<SinkSignal>;
  readonly enqueueFailed: Counter<SinkSignal>;
  readonly retries: Counter<'sink'>;
  readonly queueBytes: Gauge<'sink'>;
  readonly queueItems: Gauge<'sink'>;
  readonly queueCapacityBytes: Gauge<'sink'>;
  readonly consecutiveFailures: Gauge<'sink'>;
  readonly lastSuccess: Gauge<'sink'>;
  readonly lastError: Gauge<'sink'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({
      name: 'pxgate_exporter_sent_items_total',
      help: 'Spans, metric points or samples a receiver accepted, per sink and signal.',
      labelNames: ['sink', 'signal'],
      registers,
    });
    this.dropped = new Counter({
      name: 'pxgate_exporter_dropped_items_total',
      help: 'Items refused for good, per sink, signal and reason (permanent error, partial rejection).',
      labelNames: ['sink', 'signal', 'reason'],
      registers,
    });
    this.failed = new Counter({
      name: 'pxgate_exporter_failed_items_total',
      help: 'Items not delivered after all retries; their export job exports them again.',
      labelNames: ['sink', 'signal'],
      registers,
    });
    this.enqueueFailed = new Counter({
      name: 'pxgate_exporter_enqueue_failed_items_total',
      help: 'Items refused by a full sending queue; their export job exports them again.',
      labelNames: ['sink', 'signal'],
      registers,
    });
    this.retries = new Counter({
      name: 'pxgate_exporter_retries_total',
      help: 'Requests retried after a retryable or throttled error, per sink.',
      labelNames: ['sink'],
      registers,
    });
    this.queueBytes = new Gauge({
      name: 'pxgate_exporter_queue_bytes',
      help: 'Encoded request bytes held by the sink (waiting or being sent), per sink.',
      labelNames: ['sink'],
      registers,
    });
    this.queueItems = new Gauge({
      name: 'pxgate_exporter_queue_items',
      help: 'Spans, points or samples held by the sink (waiting or being sent), per sink.',
      labelNames: ['sink'],
      registers,
    });
    this.queueCapacityBytes = new Gauge({
      name: 'pxgate_exporter_queue_capacity_bytes',
      help: 'Capacity of the sending queue in bytes, per sink.',
      labelNames: ['sink'],
      registers,
    });
    this.consecutiveFailures = new Gauge({
      name: 'pxgate_exporter_consecutive_failures',
      help: 'Attempts that failed since the last one that succeeded, per sink.',
      labelNames: ['sink'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'pxgate_exporter_last_success_timestamp_seconds',
      help: 'When a request last succeeded, per sink (Unix seconds).',
      labelNames: ['sink'],
      registers,
    });
    this.lastError = new Gauge({
      name: 'pxgate_exporter_last_error_timestamp_seconds',
      help: 'When an attempt last failed, per sink (Unix seconds).',
      labelNames: ['sink'],
      registers,
    });
  }
}
