import { z } from 'zod';
import { duration } from './fields';

/** The bundled export scripts, by name (scripts/px/export/NAME.pxl). */
export const EXPORT_PRESETS = [
  'http-metrics',
  'http-spans',
  'conn-metrics',
  'process-metrics',
  'network-metrics',
  'rpc-metrics',
  'db-metrics',
  'db-spans',
  'dns-metrics',
] as const;
export type ExportPreset = (typeof EXPORT_PRESETS)[number];

/** Headers remote-write 1.0 reserves: a sender may not let users set them. */
const REMOTE_WRITE_RESERVED_HEADERS = new Set([
  'content-encoding',
  'content-length',
  'content-type',
  'user-agent',
  'x-prometheus-remote-write-version',
  'connection',
  'host',
]);

const httpUrl = z.string().refine((text) => {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}, 'expected an http:// or https:// URL');

const headers = z.record(z.string().min(1), z.string()).default({});

const tls = z
  .strictObject({
    /** PEM file of the CA(s) to trust instead of the system's. */
    caFile: z.string().optional(),
    /** Client certificate and key (PEM) for mutual TLS. */
    certFile: z.string().optional(),
    keyFile: z.string().optional(),
    /** Skip verifying the server's certificate (testing only). */
    insecureSkipVerify: z.boolean().default(false),
  })
  .refine((t) => Boolean(t.certFile) === Boolean(t.keyFile), {
    message: 'certFile and keyFile go together',
  })
  .prefault({});

/** Retries with exponential backoff and jitter; the defaults are the OpenTelemetry Collector's. */
const retry = z
  .strictObject({
    initialInterval: duration.default(5_000),
    maxInterval: duration.default(30_000),
    /** Give up on a request after this long; its export job exports it again later. */
    maxElapsed: duration.default(300_000),
    multiplier: z.number().min(1).default(1.5),
    randomization: z.number().min(0).max(1).default(0.5),
  })
  .prefault({});

const queueFields = {
  /** Bound of the sending queue, in MiB of encoded requests. */
  queueMb: z.number().positive().default(64),
  /** Timeout of one request. */
  timeout: duration.default(10_000),
  retry,
};

/** The OTLP transports, named as OTEL_EXPORTER_OTLP_PROTOCOL names them. */
export const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;

/** One OTLP sink (gRPC or HTTP). */
export const OtlpConfigSchema = z.strictObject({
  /**
   * Base URL; over HTTP /v1/traces and /v1/metrics are appended (as OTEL_EXPORTER_OTLP_ENDPOINT),
   * over gRPC only its scheme, host and port count.
   */
  endpoint: httpUrl,
  /** Full URLs used as they are, instead of the appended ones. */
  tracesUrl: httpUrl.optional(),
  metricsUrl: httpUrl.optional(),
  /** Unset: grpc for an endpoint on port 4317, http/protobuf otherwise (see otlpProtocolOf). */
  protocol: z.enum(OTLP_PROTOCOLS).optional(),
  compression: z.enum(['gzip', 'none']).default('gzip'),
  headers,
  tls,
  /** Which signals this sink takes. */
  signals: z
    .array(z.enum(['spans', 'metrics']))
    .min(1)
    .default(['spans', 'metrics']),
  /** At most this many spans or data points a request. */
  maxBatchItems: z.number().int().positive().default(8192),
  /** At most this many MiB a request (before compression). */
  maxBatchMb: z.number().positive().default(4),
  ...queueFields,
});

const remoteWrite = z.strictObject({
  url: httpUrl,
  headers: headers.superRefine((h, ctx) => {
    for (const name of Object.keys(h)) {
      if (REMOTE_WRITE_RESERVED_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} is set by the remote-write protocol and may not be configured`,
        });
      }
    }
  }),
  tls,
  /** At most this many samples a request (Prometheus' max_samples_per_send). */
  maxSamplesPerSend: z.number().int().positive().default(2000),
  /** Labels added to every series (Prometheus' external_labels). */
  externalLabels: z
    .record(z.string(), z.string().min(1))
    .superRefine((labels, ctx) => {
      for (const name of Object.keys(labels)) {
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'not a Prometheus label name' });
        }
      }
    })
    .default({}),
  /** Add otel_scope_name and otel_scope_version labels. */
  scopeLabels: z.boolean().default(true),
  /** A series not written for this long gets a stale marker. */
  staleAfter: duration.default(300_000),
  /** Samples older than this are not sent (Prometheus refuses a request holding one). */
  maxSampleAge: duration.default(3_600_000),
  ...queueFields,
  timeout: duration.default(30_000),
});

const prometheus = z
  .strictObject({
    /** Expose exported metrics on /metrics next to the gateway's own. */
    enabled: z.boolean().default(true),
    scopeLabels: z.boolean().default(true),
    /** A series not updated for this long leaves /metrics. */
    staleAfter: duration.default(300_000),
    /** At most this many exported series on /metrics. */
    maxSeries: z.number().int().positive().default(50_000),
  })
  .prefault({});

const script = z.strictObject({
  /** Path of a PxL file with px.export calls. */
  file: z.string().min(1),
  /** How often it runs; default: export.interval. */
  every: duration.optional(),
  /** Name shown on /v1/exports; default: the file name. */
  name: z.string().min(1).optional(),
});

/** A comma-separated string (from a flag or the environment) or a list. */
const presetList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.enum(EXPORT_PRESETS)),
);

/** The `export` section of the configuration. */
export const ExportConfigSchema = z.strictObject({
  /** How often presets (and scripts without their own `every`) run. */
  interval: duration.default(10_000),
  presets: presetList.default([]),
  /**
   * Whether the db-spans preset exports db.query.text: not at all (statements carry data), with
   * constants replaced by placeholders, or as captured.
   */
  dbQueryText: z.enum(['off', 'normalized', 'full']).default('off'),
  scripts: z.array(script).default([]),
  /** Rows one run reads at most; the next run, for the rest, follows as soon as a sink is free. */
  maxRowsPerRun: z.number().int().positive().default(100_000),
  /** Cumulative series one job keeps at most (Sum and Histogram totals). */
  maxSeriesPerJob: z.number().int().positive().default(20_000),
  /** A cumulative series without new data for this long is forgotten. */
  seriesIdleTimeout: duration.default(300_000),
  /** Memory one run's results may take, in MiB (estimated). */
  maxResultMb: z.number().positive().default(256),
  /** How long shutdown waits for a last run and for queued requests. */
  drainTimeout: duration.default(10_000),
  otlp: OtlpConfigSchema.optional(),
  remoteWrite: remoteWrite.optional(),
  prometheus,
});

export type ExportConfig = z.output<typeof ExportConfigSchema>;
export type OtlpConfig = NonNullable<ExportConfig['otlp']>;
export type RemoteWriteConfig = NonNullable<ExportConfig['remoteWrite']>;
