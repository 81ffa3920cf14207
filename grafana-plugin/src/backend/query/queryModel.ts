/**
 * A DataQuery's JSON to the query to run: the saved query's shape checked field by field (the
 * JSON comes from dashboards and alert rules anyone with edit rights wrote), migrated from older
 * versions, and validated as the editor validates it.
 */
import { TemplateValueMap } from '../../data/interpolate';
import { migrateQuery } from '../../data/migrations';
import { validateQuery } from '../../data/validate';
import { PxgateQuery } from '../../types/query';
import { MAX_QUERY_JSON_BYTES } from '../limits';

/** A query that cannot run as written; the message says what is wrong with it. */
export class QueryModelError extends Error {
  override name = 'QueryModelError';
}

export interface ParsedQuery {
  query: PxgateQuery;
  templateValues: TemplateValueMap;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(json: Json, key: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new QueryModelError(`"${key}" must be text`);
  return value;
}

function argsOf(json: Json): Record<string, string> | undefined {
  const value = json.args;
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new QueryModelError('"args" must be an object of names to text');
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new QueryModelError(`"args.${name}" must be text`);
    }
    out[name] = String(v);
  }
  return out;
}

function templateValuesOf(json: Json): TemplateValueMap {
  const value = json.templateValues;
  if (value === undefined || value === null) return {};
  if (!isObject(value)) {
    throw new QueryModelError('"templateValues" must be an object of variable names to values');
  }
  const out: TemplateValueMap = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') out[name] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[name] = v as string[];
    else throw new QueryModelError(`"templateValues.${name}" must be text or a list of text`);
  }
  return out;
}

/** Pixie's plugin kept its script elsewhere; migrateQuery reads those fields itself. */
function pixieFields(json: Json): Json {
  const fields: Json = {};
  const pxlScript = optionalString(json, 'pxlScript');
  if (pxlScript !== undefined) fields.pxlScript = pxlScript;
  if (isObject(json.queryBody)) {
    fields.queryBody = { pxlScript: optionalString(json.queryBody, 'pxlScript') };
  }
  return fields;
}

/** Parses, migrates and validates a query's JSON. Throws QueryModelError. */
export function parseQuery(refId: string, json: Uint8Array): ParsedQuery {
  if (json.length > MAX_QUERY_JSON_BYTES) {
    throw new QueryModelError(`the query is larger than ${MAX_QUERY_JSON_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = json.length === 0 ? {} : JSON.parse(Buffer.from(json).toString('utf8'));
  } catch {
    throw new QueryModelError('the query is not JSON');
  }
  if (!isObject(raw)) throw new QueryModelError('the query is not a JSON object');
  const version = raw.version;
  const query = migrateQuery({
    refId,
    ...(typeof version === 'number' && Number.isFinite(version) ? { version } : {}),
    script: optionalString(raw, 'script'),
    func: optionalString(raw, 'func') || undefined,
    args: argsOf(raw),
    output: optionalString(raw, 'output'),
    format: optionalString(raw, 'format') as PxgateQuery['format'] | undefined,
    ...pixieFields(raw),
  } as Partial<PxgateQuery>);
  const validation = validateQuery(query);
  if (!validation.valid) throw new QueryModelError(validation.error);
  return { query, templateValues: templateValuesOf(raw) };
}
