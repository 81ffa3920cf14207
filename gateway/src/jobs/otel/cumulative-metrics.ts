import { AttributeLimiter } from './attribute-limiter';
import { readAttributes } from './attributes';
import { DEFAULT_BOUNDS, bucketOf } from './buckets';
import { NUMBER_TYPES, RowHandler, RowTime, identity } from './row-handler';
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

/** `px.otel.metric.Histogram`: the run's bucket counts, sum, min and max of each series. */
export function histogramHandler(
  r: CallReader,
  limiter: AttributeLimiter,
  totals: Aggregates<HistogramTotal>,
): RowHandler {
  const id = identity(r);
  const value = r.value('value', NUMBER_TYPES);
  const weight = r.has('count') ? r.value('count', NUMBER_TYPES, true) : undefined;
  const bounds = r.ascendingNumbers('bounds', DEFAULT_BOUNDS);
  const attributes = r.attributes('attributes');
  const limits = r.literalDict('attribute_limits', 'number');
  return (row, _key, group) => {
    const cell = cellOf(value, row);
    const n = weight ? Number(cellOf(weight, row) ?? 0) : 1;
    if (cell === null || !(n > 0)) return;
    const v = Number(cell);
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
    total.count += n;
    total.sum += v * n;
    total.bucketCounts[bucketOf(bounds, v)]! += n;
    if (v < total.min) total.min = v;
    if (v > total.max) total.max = v;
  };
}
