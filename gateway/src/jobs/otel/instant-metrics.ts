import { NumberPoint, SummaryPoint } from '../../exporters/model/telemetry';
import { readAttributes } from './attributes';
import { NUMBER_TYPES, RowHandler, RowTime, identity, metricOf } from './row-handler';
import { CallReader, cellOf } from './spec-reader';

/** `px.otel.metric.Gauge`: one point a row, sent as it is. */
export function gaugeHandler(r: CallReader, rowTime: RowTime): RowHandler {
  const id = identity(r);
  const value = r.value('value', NUMBER_TYPES);
  const attributes = r.attributes('attributes');
  return (row, _key, group) => {
    const cell = cellOf(value, row);
    if (cell === null) return;
    const point: NumberPoint = {
      attributes: readAttributes(attributes, row),
      timeNs: rowTime(row),
      value: typeof cell === 'bigint' ? cell : Number(cell),
    };
    (metricOf(group, id, 'gauge').points as NumberPoint[]).push(point);
  };
}

/** `px.otel.metric.Summary`: one point a row (count, sum, quantiles), sent as it is. */
export function summaryHandler(r: CallReader, rowTime: RowTime): RowHandler {
  const id = identity(r);
  const count = r.value('count', NUMBER_TYPES);
  const sum = r.value('sum', NUMBER_TYPES);
  const quantiles = r.attributes('quantile_values').map(([q, v]) => {
    const quantile = Number(q);
    if (!(quantile >= 0 && quantile <= 1))
      r.fail('quantile_values', `${q} is not a quantile in [0, 1]`);
    if (v.kind !== 'column') r.fail(`quantile_values[${q}]`, 'expected a column');
    return { quantile, value: v };
  });
  if (quantiles.length === 0)
    r.fail('quantile_values', 'Summary must have at least one quantile value specified');
  const attributes = r.attributes('attributes');
  return (row, _key, group) => {
    const point: SummaryPoint = {
      attributes: readAttributes(attributes, row),
      timeNs: rowTime(row),
      count: Number(cellOf(count, row) ?? 0),
      sum: Number(cellOf(sum, row) ?? 0),
      quantiles: quantiles.map((q) => ({
        quantile: q.quantile,
        value: Number(cellOf(q.value, row) ?? 0),
      })),
    };
    (metricOf(group, id, 'summary').points as SummaryPoint[]).push(point);
  };
}
