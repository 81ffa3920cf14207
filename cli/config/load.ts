import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Config, ConfigSchema } from './schema';

/** A configuration that does not validate; the message names every offending key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Tree = { [key: string]: Json };

/**
 * Environment variables that override config keys. Values are parsed by the key's type. One
 * with `onlyWith` applies only when that section is configured (by file, environment or flag):
 * OpenTelemetry's variables are often set for other programs of the same pod.
 */
export const ENV_OVERRIDES: ReadonlyArray<{
  env: string;
  path: string;
  kind: 'string' | 'number';
  onlyWith?: string;
}> = [
  { env: 'PXGATE_LISTEN', path: 'listen', kind: 'string' },
  { env: 'PXGATE_LOG_LEVEL', path: 'logLevel', kind: 'string' },
  { env: 'PXGATE_LOG_FORMAT', path: 'logFormat', kind: 'string' },
  { env: 'PXGATE_AUTH_TOKEN', path: 'auth.token', kind: 'string' },
  { env: 'PXGATE_STORE_LIMIT_MB', path: 'store.limitMb', kind: 'number' },
  { env: 'PXGATE_DATA_DIR', path: 'store.dataDir', kind: 'string' },
  { env: 'PXGATE_INGEST_MAX_BODY_MB', path: 'ingest.maxBodyMb', kind: 'number' },
  { env: 'PXGATE_GATEWAY', path: 'agent.gateway', kind: 'string' },
  { env: 'PXGATE_NATS_URL', path: 'cluster.nats.url', kind: 'string' },
  { env: 'PXGATE_CLUSTER', path: 'cluster.name', kind: 'string' },
  { env: 'PXGATE_OTLP_ENDPOINT', path: 'export.otlp.endpoint', kind: 'string' },
  { env: 'PXGATE_REMOTE_WRITE_URL', path: 'export.remoteWrite.url', kind: 'string' },
  { env: 'PXGATE_EXPORT_PRESETS', path: 'export.presets', kind: 'string' },
  { env: 'PXGATE_EXPORT_INTERVAL', path: 'export.interval', kind: 'string' },
  {
    env: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    path: 'export.otlp.protocol',
    kind: 'string',
    onlyWith: 'export.otlp',
  },
];

export interface LoadOptions {
  /** Path of a YAML (or JSON) config file. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, keyed by dotted config path; they win over everything. */
  flags?: Record<string, Json | undefined>;
}

/** Loads the configuration: defaults, then the file, then the environment, then flags. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const tree: Tree = opts.file ? readConfigFile(opts.file) : {};
  const env = opts.env ?? process.env;
  const flags = opts.flags ?? {};
  const envValue = (o: (typeof ENV_OVERRIDES)[number]): Json | undefined => {
    const raw = env[o.env];
    if (raw === undefined || raw === '') return undefined;
    return o.kind === 'number' ? Number(raw) : raw;
  };
  for (const o of ENV_OVERRIDES) {
    const value = envValue(o);
    if (value !== undefined && !o.onlyWith) setPath(tree, o.path, value);
  }
  for (const [path, value] of Object.entries(flags)) {
    if (value !== undefined) setPath(tree, path, value);
  }
  // After the flags, which may be what configures the section; a flag still wins over its key.
  for (const o of ENV_OVERRIDES) {
    const value = envValue(o);
    if (value === undefined || !o.onlyWith || flags[o.path] !== undefined) continue;
    if (hasPath(tree, o.onlyWith)) setPath(tree, o.path, value);
  }
  return validateConfig(tree, opts.file);
}

/** Validates a raw config tree, throwing a ConfigError that names each bad key. */
export function validateConfig(tree: unknown, source?: string): Config {
  const result = ConfigSchema.safeParse(tree);
  if (result.success) return result.data;
  throw new ConfigError(formatIssues(result.error, source));
}

function formatIssues(error: z.ZodError, source?: string): string {
  return `invalid configuration${source ? ` in ${source}` : ''}:\n${issueLines(error)}`;
}

/** A validation failure as one indented `path: message` line per issue. */
export function issueLines(error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.map(pathPart).join('') : '(root)';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown key(s): ${issue.keys.join(', ')}`
        : issue.message;
    return `  ${path}: ${message}`;
  });
  return lines.join('\n');
}

/** One key of an issue's path: `.name` and `.0`, or `["a key"]` when it has other characters. */
function pathPart(key: PropertyKey, i: number): string {
  const text = typeof key === 'symbol' ? String(key) : String(key);
  if (/^[\w-]+$/.test(text)) return i === 0 ? text : `.${text}`;
  return `[${JSON.stringify(text)}]`;
}

function readConfigFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a mapping of keys at the top level`);
  }
  return parsed as Tree;
}

function hasPath(tree: Tree, path: string): boolean {
  let node: Json = tree;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return false;
    const next: Json | undefined = node[key];
    if (next === undefined || next === null) return false;
    node = next;
  }
  return true;
}

function setPath(tree: Tree, path: string, value: Json): void {
  const keys = path.split('.');
  let node: Tree = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}
