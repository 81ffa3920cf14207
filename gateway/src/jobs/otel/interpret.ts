import { PXGATE_SCOPE, ResourceMetrics, ResourceSpans } from '../../exporters/model/telemetry';
import { Signal } from '../../exporters/sink';
import { Cell, ExportResult, ResultTable } from '../../pxl/execute/result';
import { ExportAggregation } from '../../pxl/export/pre-aggregate';
import { SpecValue, isSpecCall } from '../../pxl/export/spec';
import { timeColumnIndex } from '../../../../shared/contract/types';
import { AttributeLimiter } from './attribute-limiter';
import { attributesKey, resourceAttributes } from './attributes';
import { AggregatedHistogram, histogramHandler, sumHandler } from './cumulative-metrics';
import { ExportParts, ExportTarget } from './export-parts';
import { gaugeHandler, summaryHandler } from './instant-metrics';
import { Group } from './row-handler';
import { spanHandler } from './spans';
import { CallReader, ExportSpecError, expectCall, show } from './spec-reader';
import { Aggregates, HistogramTotal, SumTotal, histogramUpdate, sumUpdate } from './totals';

/*
 * px.otel lives in three places: its syntax (the calls a script may write and their arguments)
 * in pxl/export/otel.ts; its meaning, here in jobs/otel/ (this file reads px.otel.Data and hands
 * each item to spans.ts, instant-metrics.ts or cumulative-metrics.ts; attributes.ts builds
 * attributes and resources; totals.ts and cumulative-state.ts keep Sum and Histogram totals);
 * and its wire format, OTLP, in exporters/otlp/.
 */

/** What interpreting needs besides the exported table. */
export interface InterpretOptions {
  /** The time of points whose table has no `time_` column. */
  readonly nowNs: bigint;
  /** Caps of attribute values per metric, kept across runs of the job. */
  readonly limiter: AttributeLimiter;
  /** Goes into derived span ids, so that different jobs exporting one row make different spans. */
  readonly idSalt: string;
}

/**
 * Gives a px.export call its OpenTelemetry meaning: `px.otel.Data(resource, data, endpoint)`
 * with Pixie's `px.otel.metric.Gauge`, `px.otel.metric.Summary` and `px.otel.trace.Span`, and
 * pxgate's `px.otel.metric.Sum` and `px.otel.metric.Histogram`. Rows with equal resource
 * attributes share one resource (Pixie sends one resource per row).
 */
export function interpretExport(
  result: ExportResult,
  exportIndex: number,
  opts: InterpretOptions,
): ExportParts {
  const table = result.table;
  const data = new CallReader(expectCall(result.spec, 'px.otel.Data', 'px.export()'), table);
  const resource = data.attributes('resource');
  if (!resource.some(([key]) => key === 'service.name')) {
    data.fail('resource', "'service.name' must be specified in resource");
  }
  const items = data.args.data;
  if (!Array.isArray(items) || items.length === 0) {
    data.fail('data', 'expected a list of at least one px.otel metric or span');
  }
  const timeIndex = timeColumnIndex(table);
  const rowTime = (row: readonly Cell[]) =>
    timeIndex < 0 ? opts.nowNs : ((row[timeIndex] as bigint | null) ?? opts.nowNs);
  const aggregated = result.aggregation && aggregatedColumns(result.aggregation, table);
  const sums = new Aggregates<SumTotal>();
  const histograms = new Aggregates<HistogramTotal>();
  const signals = new Set<Signal>();
  const handlers = (items as readonly SpecValue[]).map((item, i) => {
    if (!isSpecCall(item)) {
      throw new ExportSpecError(
        `px.otel.Data(data[${i}]): expected a px.otel metric or span, got ${show(item)}`,
      );
    }
    const call = item;
    const reader = new CallReader(call, table);
    const salt = `${opts.idSalt}\u0000${exportIndex}\u0000${i}`;
    signals.add(call.call === 'px.otel.trace.Span' ? 'spans' : 'metrics');
    switch (call.call) {
      case 'px.otel.trace.Span':
        return spanHandler(reader, salt);
      case 'px.otel.metric.Gauge':
        return gaugeHandler(reader, rowTime);
      case 'px.otel.metric.Summary':
        return summaryHandler(reader, rowTime);
      case 'px.otel.metric.Sum':
        return sumHandler(reader, opts.limiter, sums, rowTime);
      case 'px.otel.metric.Histogram':
        return histogramHandler(reader, opts.limiter, histograms, aggregated?.[i]);
      default:
        throw new ExportSpecError(`px.otel.Data(data[${i}]): ${call.call} is not a metric or span`);
    }
  });

  const groups = new Map<string, Group>();
  for (const row of table.rows) {
    const attrs = resourceAttributes(resource, row);
    const key = attributesKey(attrs);
    let group = groups.get(key);
    if (!group) {
      group = { key, resource: { attributes: attrs }, spans: [], metrics: new Map() };
      groups.set(key, group);
    }
    let rowKey: string | undefined;
    const keyOf = () => (rowKey ??= row.join('\u0001'));
    for (const handle of handlers) handle(row, keyOf, group);
  }

  return {
    target: target(data),
    signals,
    spans: [...groups.values()]
      .filter((g) => g.spans.length > 0)
      .map((g): ResourceSpans => ({ resource: g.resource, scope: PXGATE_SCOPE, spans: g.spans })),
    instant: [...groups.values()]
      .filter((g) => g.metrics.size > 0)
      .map((g): ResourceMetrics => ({
        resource: g.resource,
        scope: PXGATE_SCOPE,
        metrics: [...g.metrics.values()].map(({ identity, data: d }) => ({ ...identity, data: d })),
      })),
    cumulative: [...sums.updates(sumUpdate), ...histograms.updates(histogramUpdate)],
    rows: result.aggregation ? rowsOf(result.aggregation, table) : table.rows.length,
  };
}

/** The column indexes of each histogram's parts in an aggregated table. */
function aggregatedColumns(a: ExportAggregation, table: ResultTable): AggregatedHistogram[] {
  const at = (name: string) => table.columns.findIndex((c) => c.name === name);
  return a.histograms.map((h) => ({
    bucket: at(h.bucket),
    count: at(h.count),
    sum: at(h.sum),
    min: at(h.min),
    max: at(h.max),
  }));
}

/** The rows of the script's table an aggregated table stands for. */
function rowsOf(a: ExportAggregation, table: ResultTable): number {
  const at = table.columns.findIndex((c) => c.name === a.rows);
  return table.rows.reduce((n, row) => n + Number(row[at] as bigint), 0);
}

function target(data: CallReader): ExportTarget {
  if (!data.has('endpoint')) return { kind: 'configured' };
  const ep = new CallReader(
    expectCall(data.args.endpoint!, 'px.otel.Endpoint', 'px.otel.Data(endpoint=...)'),
    { name: '', columns: [], rows: [] },
  );
  const timeout = ep.number('timeout', 5);
  if (!(timeout > 0)) ep.fail('timeout', 'must be a positive number of seconds');
  return {
    kind: 'endpoint',
    endpoint: {
      url: ep.string('url'),
      headers: ep.literalDict('headers', 'string'),
      insecure: ep.boolean('insecure', false),
      timeoutMs: Math.round(timeout * 1000),
    },
  };
}
