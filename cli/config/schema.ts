import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS } from '../../shared/common/logger';
import {
  authConfig,
  clientTlsConfig,
  clientTokenFields,
  headerName,
  tlsConfig,
} from './auth-schema';
import { ClusterConfigSchema } from './cluster-schema';
import { ExportConfigSchema } from './export-schema';
import { duration } from './fields';

const hostPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    'expected HOST:PORT, e.g. 127.0.0.1:8090',
  );

const tableStoreConfig = z.strictObject({
  /** A fixed budget for this table; the tables without one share what is left. */
  limitMb: z.number().positive().optional(),
  /** Drop rows whose time_ is older than this (e.g. `15m`). */
  retention: duration.optional(),
});

const agentConfig = z
  .strictObject({
    /** The gateway `pxgate agent` sends to (`pxgate start` sends to its own). */
    gateway: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8090'),
    /** The bearer token sent to the gateway (unset: auth.token); or a file holding it. */
    ...clientTokenFields,
    /** How the gateway's https certificate is verified, and the agent's own client certificate. */
    tls: clientTlsConfig.prefault({}),
    /** Where `pxgate agent` serves its own /metrics. */
    metricsListen: hostPort.default('127.0.0.1:8091'),
    /**
     * The agent's id in UPIDs (asid:pid:start_ticks). Unset: a stable nonzero hash of the node's
     * name ($PXGATE_NODE_NAME, else the hostname), so that agents on different nodes differ.
     */
    asid: z.number().int().min(0).max(0xffffffff).optional(),
    ebpf: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Bytes of each read or write sent to user space (the rest is counted, not copied). */
        captureBytes: z.number().int().min(64).max(16384).default(4096),
        /** Ring buffer between kernel and agent; full means events are dropped and counted. */
        ringBufferMb: z
          .number()
          .int()
          .min(1)
          .max(1024)
          .refine((v) => (v & (v - 1)) === 0, 'must be a power of two')
          .default(16),
        pollInterval: duration.prefault('25ms'),
        /** A different compiled socket_trace.bpf.o. */
        object: z.string().optional(),
        /** TLS plaintext read through uprobes on OpenSSL (docs/agent.md, TLS). */
        tlsTracing: z
          .strictObject({
            enabled: z.boolean().default(true),
            /** How often every process is looked at again for TLS libraries. */
            rescanInterval: duration.prefault('60s'),
          })
          .prefault({}),
      })
      .prefault({}),
    http: z
      .strictObject({
        /** Body bytes kept in http_events per request and response (sizes are always full). */
        maxBodyBytes: z.number().int().min(0).max(65536).default(1024),
        /** More headers whose values are replaced by a marker, besides the sensitive ones. */
        maskHeaders: z.array(headerName).default([]),
        /** Keep Authorization, Cookie, Set-Cookie and Proxy-Authorization as sent. */
        keepSensitiveHeaders: z.boolean().default(false),
      })
      .prefault({}),
    sql: z
      .strictObject({
        /**
         * Replace literal values in pgsql_events and mysql_events (constants in statements, bound
         * parameters, result values, values quoted in errors) with `?`: statements keep their shape.
         */
        maskLiterals: z.boolean().default(true),
      })
      .prefault({}),
    redis: z
      .strictObject({
        /** Replace argument values in redis_events with `?` (commands, keys and fields stay). */
        maskArgs: z.boolean().default(true),
      })
      .prefault({}),
    /** How often conn_stats, process_stats and network_stats are sampled. */
    connStatsInterval: duration.prefault('5s'),
    processInterval: duration.prefault('10s'),
    /**
     * How often the metadata of every live process is sent again: a gateway that joined or
     * restarted since, or a cluster stream that aged the first report out, gets it back.
     */
    metadataRefresh: duration.prefault('30s'),
    batch: z
      .strictObject({
        maxRows: z.number().int().min(1).max(65536).default(4096),
        maxDelay: duration.prefault('1s'),
      })
      .prefault({}),
    /** Batches held while the gateway is slow or away; the oldest are dropped beyond it. */
    bufferMb: z.number().positive().default(64),
    retry: z
      .strictObject({ initial: duration.prefault('250ms'), max: duration.prefault('30s') })
      .prefault({}),
  })
  .refine((a) => a.token === undefined || a.tokenFile === undefined, {
    message: 'give either token or tokenFile',
    path: ['tokenFile'],
  });

/** The one schema of the gateway's configuration: file, environment and flags all land here. */
/**
 * When writes reach the disk. `always`: before each batch is acknowledged (survives a power
 * loss); `interval`: every `store.fsyncInterval` (a power loss may lose that much, a crash of
 * the gateway nothing); `never`: when the kernel writes them back.
 */
export const FSYNC_POLICIES = ['always', 'interval', 'never'] as const;
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number];

export const ConfigSchema = z.strictObject({
  /** Beyond loopback, the gateway listens only with TLS and a token, or with insecureListen. */
  listen: hostPort.default('127.0.0.1:8090'),
  /** Listen beyond loopback without TLS or without a token, knowingly. */
  insecureListen: z.boolean().default(false),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** `text` for people, `json` lines for collectors; unset: text when stderr is a terminal. */
  logFormat: z.enum(LOG_FORMATS).optional(),
  /** Bearer tokens and their scopes, required on every route but /healthz and /readyz. */
  auth: authConfig.prefault({}),
  /** HTTPS for the listener (docs/security.md). */
  tls: tlsConfig.prefault({}),
  store: z
    .strictObject({
      /** Total memory budget of the table store, in MiB. */
      limitMb: z.number().positive().default(1280),
      /** Share of the budget given to http_events when it has no limit of its own. */
      httpEventsShare: z.number().gt(0).lt(1).default(0.4),
      /** Rows per segment: the unit of eviction. */
      segmentRows: z.number().int().min(1024).default(131072),
      /** Hard cap of DuckDB's memory, in MiB (storage plus query work). Unset: 2 × limitMb + 256. */
      duckdbMemoryLimitMb: z.number().int().positive().optional(),
      tables: z.record(z.string(), tableStoreConfig).default({}),
      /** At most this many tables may be declared through the API. */
      maxCustomTables: z.number().int().min(0).default(64),
      /**
       * Keep a write-ahead log, export cursors and process metadata here, so that acknowledged
       * rows survive a restart (docs/operations.md#durability). Unset: memory only.
       */
      dataDir: z.string().min(1).optional(),
      /** When the log reaches the disk: always (each batch), interval, never (the kernel decides). */
      fsync: z.enum(FSYNC_POLICIES).default('interval'),
      fsyncInterval: duration
        .refine((ms) => ms >= 10 && ms <= 60_000, 'must be between 10ms and 60s')
        .prefault('1s'),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      /** Largest accepted request body, in MiB (after decompression). */
      maxBodyMb: z.number().positive().default(16),
    })
    .prefault({}),
  metadata: z
    .strictObject({
      /** auto: in a pod or with a kubeconfig; on: required (~/.kube/config too); off: never. */
      kubernetes: z.enum(['auto', 'on', 'off']).default('auto'),
      /** A kubeconfig file to use instead of the in-cluster service account. */
      kubeconfig: z.string().min(1).optional(),
      /** A YAML file of pods, services, nodes and namespaces, for machines without Kubernetes. */
      staticFile: z.string().min(1).optional(),
      /** How often the informers' caches are delivered again to repair any drift (0s: never). */
      resync: duration.prefault('5m'),
      /** How often changed metadata rows are written to the tables. */
      flushInterval: duration
        .refine((ms) => ms >= 10 && ms <= 10_000, 'must be between 10ms and 10s')
        .prefault('100ms'),
      /** How long deleted objects stay resolvable. Unset: the longest table retention, at least 1h. */
      retainDeleted: duration.optional(),
      /** At most this many rows of deleted objects per metadata table; the oldest go first. */
      maxDeletedRows: z.number().int().min(0).default(50_000),
    })
    .prefault({}),
  pxl: z
    .strictObject({
      /** A script run is stopped (DuckDB interrupted) after this long. */
      queryTimeout: duration.prefault('30s'),
      /** Rows per output table unless a script sets `#px:set max_output_rows_per_table=N`. */
      maxOutputRows: z.number().int().positive().default(10000),
      /** Memory the results of one run may take in the gateway, in MiB (estimated). */
      maxResultMb: z.number().positive().default(64),
    })
    .prefault({}),
  agent: agentConfig.prefault({}),
  /** Scale-out: gateways and agents of one cluster share a NATS JetStream (docs/scale-out.md). */
  cluster: ClusterConfigSchema.prefault({}),
  /** Export scripts, presets and the sinks they feed (docs/exporting.md). */
  export: ExportConfigSchema.prefault({}),
});

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type AgentConfig = Config['agent'];
export type ClusterConfig = Config['cluster'];
