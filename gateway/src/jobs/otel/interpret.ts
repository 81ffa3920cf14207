import {
  AttributeValue,
  Attributes,
  MetricData,
  NumberPoint,
  PXGATE_SCOPE,
  Resource,
  ResourceMetrics,
  ResourceSpans,
  Span,
  SpanKind,
  StatusCode,
  SummaryPoint,
} from '../../exporters/model/telemetry';
import { idFromHex } from '../../exporters/model/ids';
import { Cell, ExportResult } from '../../pxl/execute/result';
import { AttributeLimiter } from './attribute-limiter';
import { DEFAULT_BOUNDS, bucketOf } from './buckets';
import { derivedIds } from './derived-ids';
import { CumulativeUpdate, ExportParts, ExportTarget, MetricIdentity } from './export-parts';
import { SpecValue, isSpecCall } from '../../pxl/export/spec';
import { CallReader, ExportSpecError, RowValue, cellOf, expectCall, show } from './spec-reader';
import { traceContextFromHeaders, validId } from './trace-context';

/** What interpreting needs besides the exported table. */
export interface InterpretOptions {
  /** The time of points whose table has no `time_` column. */
  readonly nowNs: bigint;
  /** Caps of attribute values per metric, kept across runs of the job. */
  readonly limiter: AttributeLimiter;
  /** Goes into derived span ids, so that different jobs exporting one row make different spans. */
  readonly idSalt: string;
}

const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const NUMBER_TYPES = ['INT64', 'FLOAT64'] as const;
const TIME_TYPES = ['TIME64NS', 'INT64'] as const;

interface Group {
  /** attributesKey of the resource. */
  readonly key: string;
  readonly resource: Resource;
  readonly spans: Span[];
  readonly metrics: Map<string, { identity: MetricIdentity; data: MetricData }>;
}

/** Adds one row of the exported table to a group. */
type RowHandler = (row: readonly Cell[], rowKey: () => string, group: Group) => void;

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
  const timeIndex = table.columns.findIndex((c) => c.name === 'time_' && c.type === 'TIME64NS');
  const rowTime = (row: readonly Cell[]) =>
    timeIndex < 0 ? opts.nowNs : ((row[timeIndex] as bigint | null) ?? opts.nowNs);
  const sums = new Aggregates<SumTotal>();
  const histograms = new Aggregates<HistogramTotal>();
  const handlers = (items as readonly SpecValue[]).map((item, i) => {
    if (!isSpecCall(item)) {
      throw new ExportSpecError(
        `px.otel.Data(data[${i}]): expected a px.otel metric or span, got ${show(item)}`,
      );
    }
    const call = item;
    const reader = new CallReader(call, table);
    const salt = `${opts.idSalt}\u0000${exportIndex}\u0000${i}`;
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
        return histogramHandler(reader, opts.limiter, histograms);
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
    rows: table.rows.length,
  };
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

function identity(reader: CallReader): MetricIdentity {
  const name = reader.string('name');
  if (!METRIC_NAME.test(name)) {
    reader.fail(
      'name',
      `"${name}" is not a metric name: use letters, digits, "_", "." and "-", starting with a letter`,
    );
  }
  return { name, description: reader.string('description', ''), unit: reader.string('unit', '') };
}

function spanHandler(r: CallReader, salt: string): RowHandler {
  const name = r.value('name', ['STRING'], true);
  const start = r.value('start_time', TIME_TYPES);
  const end = r.value('end_time', TIME_TYPES);
  const traceId = r.has('trace_id') ? r.value('trace_id', ['STRING']) : undefined;
  const spanId = r.has('span_id') ? r.value('span_id', ['STRING']) : undefined;
  const parentId = r.has('parent_span_id') ? r.value('parent_span_id', ['STRING']) : undefined;
  const kind = r.has('kind') ? r.value('kind', ['INT64'], true) : undefined;
  const status = r.has('status') ? r.value('status', ['INT64'], true) : undefined;
  const context = r.has('trace_context') ? r.value('trace_context', ['STRING']) : undefined;
  const attributes = r.attributes('attributes');
  return (row, rowKey, group) => {
    const k = kind ? enumValue(cellOf(kind, row), 5) : SpanKind.SERVER;
    const ctx = context ? traceContextFromHeaders(String(cellOf(context, row) ?? '')) : undefined;
    const explicitTrace = traceId && validId(cellOf(traceId, row), 16);
    const explicitSpan = spanId && validId(cellOf(spanId, row), 8);
    const explicitParent = parentId && validId(cellOf(parentId, row), 8);
    // Headers carry the caller's context: its trace, and its span, which becomes our span's
    // parent (remote for a server span; for a client span, the app's own span in the same
    // process). Our span's own id always comes from the row, never from the wire, so one
    // forwarded header on many requests cannot make spans share an id, and a re-run repeats it.
    const derived = derivedIds(`${salt}\u0000${rowKey()}`);
    const parent = explicitParent || ctx?.spanId;
    const traceHex = explicitTrace || ctx?.traceId;
    const remoteParent =
      !explicitParent && ctx !== undefined && k !== SpanKind.CLIENT && k !== SpanKind.PRODUCER;
    const code = status ? enumValue(cellOf(status, row), 2) : StatusCode.UNSET;
    group.spans.push({
      traceId: traceHex ? idFromHex(traceHex) : derived.traceId,
      spanId: explicitSpan ? idFromHex(explicitSpan) : derived.spanId,
      ...(parent ? { parentSpanId: idFromHex(parent), parentIsRemote: remoteParent } : {}),
      name: String(cellOf(name, row) ?? ''),
      kind: k as SpanKind,
      startTimeNs: timeOf(cellOf(start, row)),
      endTimeNs: timeOf(cellOf(end, row)),
      attributes: readAttributes(attributes, row),
      ...(code !== StatusCode.UNSET ? { status: { code: code as StatusCode } } : {}),
    });
  };
}

function gaugeHandler(r: CallReader, rowTime: (row: readonly Cell[]) => bigint): RowHandler {
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

function summaryHandler(r: CallReader, rowTime: (row: readonly Cell[]) => bigint): RowHandler {
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

interface SumTotal {
  resource: Resource;
  metric: MetricIdentity;
  attributes: Attributes;
  monotonic: boolean;
  mode: 'add' | 'set' | 'sources';
  integer: boolean;
  value: number;
  timeNs: bigint;
  sources?: Map<string, { value: number; timeNs: bigint }>;
}

function sumHandler(
  r: CallReader,
  limiter: AttributeLimiter,
  totals: Aggregates<SumTotal>,
  rowTime: (row: readonly Cell[]) => bigint,
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

interface HistogramTotal {
  resource: Resource;
  metric: MetricIdentity;
  attributes: Attributes;
  bounds: readonly number[];
  count: number;
  sum: number;
  bucketCounts: number[];
  min: number;
  max: number;
}

function histogramHandler(
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

function sumUpdate(t: SumTotal): CumulativeUpdate {
  const { sources, ...rest } = t;
  return {
    kind: 'sum',
    ...rest,
    ...(sources ? { sources: new Map([...sources].map(([k, s]) => [k, s.value])) } : {}),
  };
}

function histogramUpdate(t: HistogramTotal): CumulativeUpdate {
  return { kind: 'histogram', ...t };
}

/** Per-series totals of one run, keyed by resource, metric and attributes. */
class Aggregates<T> {
  private readonly byKey = new Map<string, T>();

  get(group: Group, metric: string, attrs: Attributes, create: () => T): T {
    const key = `${group.key}\u0002${metric}\u0002${attributesKey(attrs)}`;
    let total = this.byKey.get(key);
    if (total === undefined) {
      total = create();
      this.byKey.set(key, total);
    }
    return total;
  }

  updates(make: (t: T) => CumulativeUpdate): CumulativeUpdate[] {
    return [...this.byKey.values()].map(make);
  }
}

function metricOf(group: Group, id: MetricIdentity, kind: 'gauge' | 'summary'): MetricData {
  let metric = group.metrics.get(id.name);
  if (!metric) {
    metric = { identity: id, data: { kind, points: [] } };
    group.metrics.set(id.name, metric);
  } else if (metric.data.kind !== kind) {
    throw new ExportSpecError(
      `metric ${id.name} is exported both as a ${metric.data.kind} and a ${kind}`,
    );
  }
  return metric.data;
}

/**
 * The resource of a row. Empty strings are left out (a pod name where there is no pod says
 * nothing); Pixie writes several services as a JSON list: the first one names the resource.
 */
function resourceAttributes(defs: readonly [string, RowValue][], row: readonly Cell[]): Attributes {
  const attrs = readAttributes(defs, row) as Record<string, AttributeValue>;
  for (const key of Object.keys(attrs)) if (attrs[key] === '') delete attrs[key];
  const service = attrs['service.name'];
  if (typeof service === 'string' && service.startsWith('[')) {
    try {
      const list = JSON.parse(service) as unknown;
      if (Array.isArray(list)) attrs['service.name'] = typeof list[0] === 'string' ? list[0] : '';
    } catch {
      // Not a list after all: the name stays as it is.
    }
  }
  if (attrs['service.name'] === undefined || attrs['service.name'] === '') {
    attrs['service.name'] = 'unknown_service';
  }
  return attrs;
}

function readAttributes(defs: readonly [string, RowValue][], row: readonly Cell[]): Attributes {
  const out: Record<string, AttributeValue> = {};
  for (const [key, v] of defs) {
    const cell = cellOf(v, row);
    if (cell === null || cell === undefined) continue;
    out[key] =
      typeof cell === 'bigint' && cell >= -MAX_SAFE && cell <= MAX_SAFE ? Number(cell) : cell;
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A stable key of attributes (in key order as given; specs fix the order). */
export function attributesKey(attrs: Attributes): string {
  let key = '';
  for (const k in attrs) key += `${k}\u0003${String(attrs[k])}\u0004`;
  return key;
}

function timeOf(cell: Cell): bigint {
  if (typeof cell === 'bigint') return cell;
  if (typeof cell === 'number') return BigInt(Math.trunc(cell));
  return 0n;
}

function enumValue(cell: Cell, max: number): number {
  const v = Number(cell ?? 0);
  return Number.isInteger(v) && v >= 0 && v <= max ? v : 0;
}
