import { quoteIdent } from '../../store/sql';
import { DataType } from '../../../../shared/contract/types';
import { TypedColumn } from '../check/typed';
import { CompiledQuery } from '../compile/compile';
import { ParamValue } from '../compile/params';
import { histogramBounds } from './otel';
import { ExportSpec, SpecCall, SpecValue, isSpecCall, isSpecColumn, isSpecDict } from './spec';

/**
 * The columns of an export's table aggregated in DuckDB (`aggregateExport`): each row stands
 * for `rows` rows of the script's table that share every column the spec reads, and gives, per
 * histogram of the spec's data list (in its order), the bucket of those rows' values and their
 * count (the sum of `count=` weights), sum, min and max.
 */
export interface ExportAggregation {
  readonly rows: string;
  readonly histograms: readonly HistogramColumns[];
}

/** The columns one histogram's parts are in (see ExportAggregation). */
export interface HistogramColumns {
  readonly bucket: string;
  readonly count: string;
  readonly sum: string;
  readonly min: string;
  readonly max: string;
}

const NUMBER: readonly DataType[] = ['INT64', 'FLOAT64'];
const ROWS = '__pxgate_rows';
const POSITION = '__pxgate_position';

/**
 * Rewrites an export whose data are all `px.otel.metric.Histogram`s so that DuckDB groups its
 * rows and buckets their values, and the exporter reads one row per series and bucket instead of
 * one per request: for the per-request presets (http-metrics, ...) that is most of a run's cost.
 * The groups come in the order of their first row, so attribute limits admit values in the
 * order the rows would have. Undefined when the spec is anything else or anything about it is
 * unusual (positional arguments, an expression where a column is expected, bad bounds): the
 * exporter then reads the rows and reports what is wrong as it always did.
 */
export function aggregateExport(
  spec: ExportSpec,
  query: CompiledQuery,
): { query: CompiledQuery; aggregation: ExportAggregation } | undefined {
  const data = plainCall(spec, 'px.otel.Data');
  const items = data?.args.data;
  if (!data || !Array.isArray(items) || items.length === 0) return undefined;
  const histograms = (items as readonly SpecValue[]).map((i) =>
    plainCall(i, 'px.otel.metric.Histogram'),
  );
  if (histograms.some((h) => h === undefined)) return undefined;
  const typeOf = new Map(query.columns.map((c) => [c.name, c.type]));
  const keys = new Set<string>();
  if (!readsColumns(data.args.resource, typeOf, keys)) return undefined;
  const parts: { value: string; weight: string | undefined; bounds: readonly number[] }[] = [];
  for (const h of histograms as SpecCall[]) {
    const value = numberColumn(h.args.value, typeOf);
    const weighed = h.args.count !== undefined && h.args.count !== null;
    const weight = weighed ? numberColumn(h.args.count, typeOf) : undefined;
    const bounds = histogramBounds(h.args.bounds);
    if (value === undefined || typeof bounds === 'string' || (weighed && !weight)) return undefined;
    if (!readsColumns(h.args.attributes, typeOf, keys)) return undefined;
    parts.push({ value, weight, bounds });
  }
  return build(query, [...keys], parts);
}

function build(
  query: CompiledQuery,
  keys: readonly string[],
  parts: readonly { value: string; weight: string | undefined; bounds: readonly number[] }[],
): { query: CompiledQuery; aggregation: ExportAggregation } {
  const params: ParamValue[] = [...query.params];
  const bound = (x: number) => {
    params.push(x);
    return `CAST($${params.length} AS DOUBLE)`;
  };
  const byName = new Map(query.columns.map((c) => [c.name, c]));
  const groupBy = keys.map((k) => quoteIdent(k));
  const select = [...groupBy];
  const columns: TypedColumn[] = keys.map((k) => byName.get(k)!);
  const column = (name: string, sql: string, type: DataType) => {
    select.push(`${sql} AS ${quoteIdent(name)}`);
    columns.push({ name, type, semanticType: 'ST_NONE' });
  };
  column(ROWS, 'count(*)', 'INT64');
  const histograms = parts.map((p, i): HistogramColumns => {
    const v = `CAST(${quoteIdent(p.value)} AS DOUBLE)`;
    const w = p.weight === undefined ? '1' : `CAST(${quoteIdent(p.weight)} AS DOUBLE)`;
    // As the exporter counts a row: a value, and a weight above zero (DuckDB orders NaN above
    // every number; the exporter's comparison with NaN is false). A NaN value counts and makes
    // the sum NaN, but moves neither min nor max.
    const weighed = p.weight === undefined ? '' : ` AND ${w} > 0 AND NOT isnan(${w})`;
    const counted = `FILTER (WHERE ${v} IS NOT NULL${weighed})`;
    const ranged = `FILTER (WHERE ${v} IS NOT NULL${weighed} AND NOT isnan(${v}))`;
    const names = {
      bucket: `__pxgate_h${i}_bucket`,
      count: `__pxgate_h${i}_count`,
      sum: `__pxgate_h${i}_sum`,
      min: `__pxgate_h${i}_min`,
      max: `__pxgate_h${i}_max`,
    };
    // The bucket as jobs/otel/buckets.ts bucketOf gives it: the first bound not below the value.
    const whens = p.bounds.map((b, k) => `WHEN ${v} <= ${bound(b)} THEN ${k}`).join(' ');
    const bucket = `CASE WHEN ${v} IS NULL THEN NULL ${whens} ELSE ${p.bounds.length} END`;
    column(names.bucket, bucket, 'INT64');
    groupBy.push(quoteIdent(names.bucket));
    column(names.count, `sum(${w}) ${counted}`, 'FLOAT64');
    column(names.sum, `sum(${v} * ${w}) ${counted}`, 'FLOAT64');
    column(names.min, `min(${v}) ${ranged}`, 'FLOAT64');
    column(names.max, `max(${v}) ${ranged}`, 'FLOAT64');
    return names;
  });
  const sql =
    `SELECT ${select.join(', ')}\n` +
    `FROM (SELECT *, row_number() OVER () AS ${POSITION} FROM (${query.sql}) AS "__pxgate_in")\n` +
    (groupBy.length > 0 ? `GROUP BY ${groupBy.join(', ')}\n` : '') +
    `ORDER BY min(${POSITION})`;
  return {
    query: { sql, params, columns, ...(query.namesShared ? { namesShared: true as const } : {}) },
    aggregation: { rows: ROWS, histograms },
  };
}

/** `v` as a call named `name` with keyword arguments only. */
function plainCall(v: SpecValue | undefined, name: string): SpecCall | undefined {
  if (v === undefined || !isSpecCall(v) || v.call !== name) return undefined;
  return v.posArgs && v.posArgs.length > 0 ? undefined : v;
}

/** Adds the columns a resource or attributes dict reads to `keys`; false if it is not plain. */
function readsColumns(
  v: SpecValue | undefined,
  typeOf: ReadonlyMap<string, DataType>,
  keys: Set<string>,
): boolean {
  if (v === undefined || v === null) return true;
  if (!isSpecDict(v)) return false;
  for (const [key, x] of Object.entries(v.dict)) {
    if (key === '') return false;
    if (isSpecColumn(x)) {
      if (!typeOf.has(x.column)) return false;
      keys.add(x.column);
    } else if (x === null || typeof x === 'object') {
      return false;
    }
  }
  return true;
}

/** The name of a numeric column `v` refers to. */
function numberColumn(v: SpecValue | undefined, typeOf: ReadonlyMap<string, DataType>) {
  if (v === undefined || !isSpecColumn(v)) return undefined;
  const type = typeOf.get(v.column);
  return type !== undefined && NUMBER.includes(type) ? v.column : undefined;
}
