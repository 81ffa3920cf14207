import { Registry } from 'prom-client';
import { Logger } from '../../../shared/common/logger';
import {
  ExportConfig,
  OtlpConfig,
  OtlpConfigSchema,
  RemoteWriteConfig,
} from '../../../cli/config/export-schema';
import { BackoffSettings } from '../../../shared/common/backoff';
import { ExporterMetrics } from './common/exporter-metrics';
import { QueueSettings, QueuedExporter } from './common/queued-exporter';
import { OtlpGrpcTarget } from './otlp/otlp-grpc-target';
import { OTLP_GRPC_PORT, chooseOtlpProtocol } from './otlp/otlp-protocol';
import { OtlpTarget } from './otlp/otlp-target';
import { PrometheusRegistrySink } from './prometheus/registry-sink';
import { RemoteWriteTarget } from './remotewrite/remote-write-target';
import { Signal, Sink } from './sink';

const MIB = 1024 * 1024;
/** Endpoints named by scripts (px.otel.Endpoint) get sinks of their own, at most this many. */
const MAX_ENDPOINT_SINKS = 16;

/** An OTLP endpoint named in a script: `px.otel.Endpoint(url, headers, insecure, timeout)`. */
export interface EndpointSpec {
  url: string;
  headers: Record<string, string>;
  insecure: boolean;
  timeoutMs: number;
}

/**
 * The sinks of a gateway: the configured ones (OTLP, remote-write, the /metrics registry), and
 * the OTLP endpoints scripts name, made on first use. Starts and drains them together.
 */
export class SinkSet {
  private readonly endpointSinks = new Map<string, Sink>();
  private started = false;
  private stopping: Promise<void> | undefined;

  private constructor(
    /** The sinks exports without an endpoint go to. */
    readonly configured: readonly Sink[],
    private readonly config: ExportConfig,
    private readonly metrics: ExporterMetrics,
    private readonly log: Logger,
  ) {}

  static create(config: ExportConfig, registry: Registry, log: Logger): SinkSet {
    const metrics = new ExporterMetrics(registry);
    const sinks: Sink[] = [];
    if (config.otlp) sinks.push(otlpSink('otlp', config.otlp, config, metrics, log));
    if (config.remoteWrite) sinks.push(remoteWriteSink(config.remoteWrite, config, metrics, log));
    if (config.prometheus.enabled) {
      sinks.push(
        new PrometheusRegistrySink(
          registry,
          {
            scopeLabels: config.prometheus.scopeLabels,
            staleAfterMs: config.prometheus.staleAfter,
            maxSeries: config.prometheus.maxSeries,
          },
          metrics,
          log.child({ sink: 'prometheus' }),
        ),
      );
    }
    return new SinkSet(sinks, config, metrics, log);
  }

  /** The configured sinks that take `signal`. */
  for(signal: Signal): Sink[] {
    return this.configured.filter((s) => s.signals.has(signal));
  }

  /** The sink of a script-named OTLP endpoint, with the configured OTLP settings otherwise. */
  endpoint(spec: EndpointSpec): Sink {
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(spec.url)
      ? spec.url
      : `${spec.insecure ? 'http' : 'https'}://${spec.url}`;
    const key = JSON.stringify([url, spec.headers, spec.timeoutMs]);
    let sink = this.endpointSinks.get(key);
    if (sink) return sink;
    if (this.endpointSinks.size >= MAX_ENDPOINT_SINKS) {
      throw new Error(`scripts name more than ${MAX_ENDPOINT_SINKS} distinct OTLP endpoints`);
    }
    // The configured OTLP sink's settings (or the defaults), with the script's URL and headers;
    // an endpoint on port 4317 takes gRPC whatever the configured sink speaks, since scripts
    // written for Pixie name its OTLP/gRPC receivers so.
    const base = this.config.otlp ?? OtlpConfigSchema.parse({ endpoint: url });
    const settings: OtlpConfig = {
      ...base,
      protocol: new URL(url).port === OTLP_GRPC_PORT ? 'grpc' : base.protocol,
      endpoint: url,
      tracesUrl: undefined,
      metricsUrl: undefined,
      headers: spec.headers,
      signals: ['spans', 'metrics'],
      timeout: spec.timeoutMs,
    };
    sink = otlpSink(`otlp:${new URL(url).host}`, settings, this.config, this.metrics, this.log);
    this.endpointSinks.set(key, sink);
    if (this.started && !this.stopping) sink.start();
    return sink;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const sink of this.configured) sink.start();
    for (const sink of this.endpointSinks.values()) sink.start();
  }

  /** The health of every sink, configured ones first. */
  status() {
    return [...this.configured, ...this.endpointSinks.values()].map((s) => s.status());
  }

  /**
   * Drains every sink until `deadlineAt` (ms since the epoch; default: export.drainTimeout from
   * now); safe before start and twice.
   */
  shutdown(deadlineAt = Date.now() + this.config.drainTimeout): Promise<void> {
    this.stopping ??= Promise.all(
      [...this.configured, ...this.endpointSinks.values()].map((s) => s.shutdown(deadlineAt)),
    ).then(() => undefined);
    return this.stopping;
  }
}

function queueSettings(
  c: { queueMb: number; timeout: number; retry: OtlpConfig['retry'] },
  config: ExportConfig,
): QueueSettings {
  const backoff: BackoffSettings = {
    initialIntervalMs: c.retry.initialInterval,
    maxIntervalMs: c.retry.maxInterval,
    maxElapsedMs: c.retry.maxElapsed,
    multiplier: c.retry.multiplier,
    randomizationFactor: c.retry.randomization,
  };
  return {
    queueBytes: Math.floor(c.queueMb * MIB),
    consumers: 1,
    timeoutMs: c.timeout,
    backoff,
    drainTimeoutMs: config.drainTimeout,
  };
}

function otlpSink(
  name: string,
  c: OtlpConfig,
  config: ExportConfig,
  metrics: ExporterMetrics,
  log: Logger,
): Sink {
  const { protocol, reason } = chooseOtlpProtocol(c.protocol, c.endpoint);
  const common = {
    endpoint: c.endpoint,
    tracesUrl: c.tracesUrl,
    metricsUrl: c.metricsUrl,
    compression: c.compression,
    headers: c.headers,
    tls: c.tls,
    maxBatchItems: c.maxBatchItems,
    maxBatchBytes: Math.floor(c.maxBatchMb * MIB),
    signals: c.signals,
  };
  const target =
    protocol === 'grpc'
      ? new OtlpGrpcTarget({ ...common, timeoutMs: c.timeout })
      : new OtlpTarget({ ...common, protocol });
  const sinkLog = log.child({ sink: name });
  sinkLog.info(
    { endpoint: c.endpoint, protocol, signals: c.signals },
    reason === 'port 4317'
      ? `OTLP sink sends over ${protocol} (guessed from port 4317; set export.otlp.protocol or --otlp-protocol to choose)`
      : `OTLP sink sends over ${protocol}`,
  );
  return new QueuedExporter(name, target, queueSettings(c, config), metrics, sinkLog);
}

function remoteWriteSink(
  c: RemoteWriteConfig,
  config: ExportConfig,
  metrics: ExporterMetrics,
  log: Logger,
): Sink {
  const sinkLog = log.child({ sink: 'remote-write' });
  const target = new RemoteWriteTarget(
    {
      url: c.url,
      headers: c.headers,
      tls: c.tls,
      maxSamplesPerSend: c.maxSamplesPerSend,
      externalLabels: c.externalLabels,
      scopeLabels: c.scopeLabels,
      staleAfterMs: c.staleAfter,
      maxTrackedSeries: 1_000_000,
      maxSampleAgeMs: c.maxSampleAge,
    },
    sinkLog,
  );
  return new QueuedExporter('remote-write', target, queueSettings(c, config), metrics, sinkLog);
}
