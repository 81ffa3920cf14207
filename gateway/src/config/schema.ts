import { z } from 'zod';
import { LOG_LEVELS } from '../common/logger';
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

/** The one schema of the gateway's configuration: file, environment and flags all land here. */
export const ConfigSchema = z.strictObject({
  listen: hostPort.default('127.0.0.1:8090'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  auth: z
    .strictObject({
      /** Bearer token required on every API call except /healthz and /readyz. */
      token: z.string().min(16, 'must be at least 16 characters').optional(),
    })
    .prefault({}),
  store: z
    .strictObject({
      /** Total memory budget of the table store, in MiB. */
      limitMb: z.number().positive().default(1280),
      /** Share of the budget given to http_events when it has no limit of its own. */
      httpEventsShare: z.number().gt(0).lt(1).default(0.4),
      /** Rows per segment: the unit of eviction. */
      segmentRows: z.number().int().min(1024).default(131072),
      /** Hard cap of DuckDB's memory, in MiB (storage plus query work). Unset: DuckDB's default. */
      duckdbMemoryLimitMb: z.number().int().positive().optional(),
      tables: z.record(z.string(), tableStoreConfig).default({}),
      /** At most this many tables may be declared through the API. */
      maxCustomTables: z.number().int().min(0).default(64),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      /** Largest accepted request body, in MiB (after decompression). */
      maxBodyMb: z.number().positive().default(16),
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
  /** Export scripts, presets and the sinks they feed (docs/exporting.md). */
  export: ExportConfigSchema.prefault({}),
});

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
