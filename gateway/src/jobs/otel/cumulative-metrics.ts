import { AttributeLimiter } from './attribute-limiter';
import { readAttributes } from './attributes';
import { bucketOf } from './buckets';
import { NUMBER_TYPES, RowHandler, RowTime, identity } from './row-handler';
import { Cell } from '../../pxl/execute/result';
import { CallReader, cellOf } from './spec-reader';
import { Aggregates, HistogramTotal, SumTotal } from './totals';

/** `px.otel.metric.Sum`: the run's increase (or latest running total) of each series. */
export function sumHandler(
  r: CallReader,
  limiter: AttributeLimiter,
  totals: Aggregates<SumTotal>,
  rowTime: RowTime,
): RowHandler {
  const id = identity(r);
  const value = r.value('value', NUMBER_TYPES, true);
  if (value.kind === 'literal' && typeof value.value !== 'number') {
    r.fail('value', 'expected a column or a number');
  }
  const monotonic = r.boolean('monotonic', true);
  const cumulative = r.boolean('cumulative', false);
  const source = r.has('source') ? r.value('source', ['STRING', 'INT64', 'UINT128']) : undefined;
  if (source && !cumulative) r.fail('source', 'needs cumulative=True: it names running totals');
  const mode = source ? 'sources' : cumulative ? 'set' : 'add';
  const integer = value.kind === 'column' ? value.type === 'INT64' : Number.isInteger(value.value);
  const attributes = r.attributes('attributes');
  const limits = r.literalDict('attribute_limits', 'number');
  return (row, _key, group) => {
    const cell = cellOf(value, row);
    if (cell === null) return;
    const v = Number(cell);
    if (mode === 'add' && monotonic && v < 0) return;
    const attrs = limiter.apply(id.name, readAttributes(attributes, row), limits);
    const timeNs = rowTime(row);
    const total = totals.get(group, id.name, attrs, () => ({
      resource: group.resource,
      metric: id,
      attributes: attrs,
      monotonic,
      mode,
      integer,
      value: 0,
      timeNs,
      ...(mode === 'sources' ? { sources: new Map() } : {}),
    }));
    if (mode === 'add') {
      total.value += v;
    } else if (mode === 'set') {
      if (timeNs >= total.timeNs) [total.value, total.timeNs] = [v, timeNs];
    } else {
      // The latest reading of each counter in this run.
      const key = String(cellOf(source!, row));
      const seen = total.sources!.get(key);
      if (!seen || timeNs >= seen.timeNs) total.sources!.set(key, { value: v, timeNs });
    }
  };
}

/** Where an aggregated table (pxl/export/pre-aggregate.ts) holds one histogram's parts. */
export interface AggregatedHistogram {
  readonly bucket: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/**
 * `px.otel.metric.Histogram`: the run's bucket counts, sum, min and max of each series. Its rows
 * are the script's rows, or, with `aggregated`, groups of them that DuckDB counted and bucketed.
 */
export function histogramHandler(
  r: CallReader,
  limiter: AttributeLimiter,
  totals: Aggregates<HistogramTotal>,
  aggregated?: AggregatedHistogram,
): RowHandler {
  const id = identity(r);
  const bounds = r.bounds('bounds');
  const read = aggregated ? partsOf(aggregated) : valueOf(r, bounds);
  const attributes = r.attributes('attributes');
  const limits = r.literalDict('attribute_limits', 'number');
  return (row, _key, group) => {
    const p = read(row);
    if (p === undefined) return;
    const attrs = limiter.apply(id.name, readAttributes(attributes, row), limits);
    const total = totals.get(group, id.name, attrs, () => ({
      resource: group.resource,
      metric: id,
      attributes: attrs,
      bounds,
      count: 0,
      sum: 0,
      bucketCounts: new Array<number>(bounds.length + 1).fill(0),
      min: Infinity,
      max: -Infinity,
    }));
    total.count += p.count;
    total.sum += p.sum;
    total.bucketCounts[p.bucket]! += p.count;
    if (p.min < total.min) total.min = p.min;
    if (p.max > total.max) total.max = p.max;
  };
}

/** What one row adds to a histogram's series. */
interface HistogramPart {
  count: number;
  sum: number;
  bucket: number;
  min: number;
  max: number;
}

type PartReader = (row: readonly Cell[]) => HistogramPart | undefined;

/** One row of the script's table: its value, weighed by `count=` when given. */
function valueOf(r: CallReader, bounds: readonly number[]): PartReader {
  const value = r.value('value', NUMBER_TYPES);
  const weight = r.has('count') ? r.value('count', NUMBER_TYPES, true) : undefined;
  return (row) => {
    const cell = cellOf(value, row);
    const n = weight ? Number(cellOf(weight, row) ?? 0) : 1;
    if (cell === null || !(n > 0)) return undefined;
    const v = Number(cell);
    return { count: n, sum: v * n, bucket: bucketOf(bounds, v), min: v, max: v };
  };
}

/** One group of an aggregated table; min and max are null when every value was NaN. */
function partsOf(a: AggregatedHistogram): PartReader {
  return (row) => {
    const count = row[a.count] as number | null;
    if (count === null || !(count > 0)) return undefined;
    return {
      count,
      sum: row[a.sum] as number,
      bucket: Number(row[a.bucket] as bigint),
      min: (row[a.min] as number | null) ?? Infinity,
      max: (row[a.max] as number | null) ?? -Infinity,
    };
  };
}
