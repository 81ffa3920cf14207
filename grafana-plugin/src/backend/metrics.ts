import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** How a query ended, as the queries counter labels it. */
export type QueryOutcome = 'ok' | 'query_error' | 'gateway_error' | 'plugin_error';

/**
 * The backend's own metrics, which Grafana collects through Diagnostics.CollectMetrics and
 * serves at `/metrics/plugins/pxgate-pxgate-datasource`: queries by outcome, gateway call
 * durations, frame bytes sent, next to Node's process metrics (with `defaults`).
 */
export class PluginMetrics {
  readonly registry = new Registry();
  private readonly queries: Counter<'outcome'>;
  private readonly gatewayCalls: Histogram<'call'>;
  private readonly frameBytes: Counter;

  constructor({ defaults = true } = {}) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'pxgate_plugin_' });
    const registers = [this.registry];
    this.queries = new Counter({
      name: 'pxgate_plugin_queries_total',
      help: 'Queries answered, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.gatewayCalls = new Histogram({
      name: 'pxgate_plugin_gateway_request_duration_seconds',
      help: 'Calls to the gateway, by what they were for.',
      labelNames: ['call'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.frameBytes = new Counter({
      name: 'pxgate_plugin_frame_bytes_total',
      help: 'Bytes of Arrow frames sent to Grafana.',
      registers,
    });
  }

  /** Counts one answered query. */
  query(outcome: QueryOutcome): void {
    this.queries.inc({ outcome });
  }

  /** Times one gateway call (`query`, `health`, `variable`). */
  async timeGateway<T>(call: string, run: () => Promise<T>): Promise<T> {
    const end = this.gatewayCalls.startTimer({ call });
    try {
      return await run();
    } finally {
      end();
    }
  }

  /** Counts bytes of frames sent. */
  frames(bytes: number): void {
    this.frameBytes.inc(bytes);
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
