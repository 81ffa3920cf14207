import { Loc, PxlError, didYouMean } from '../errors';
import { CallArgs } from '../plan/args';
import { SpecPartValue, Value, describe } from '../plan/values';
import { SpecValue } from './spec';

/**
 * The `px.otel` calls Pixie documents, with their parameters in order (required ones first),
 * and pxgate's additions: `px.otel.metric.Sum` and `px.otel.metric.Histogram`, and the extra
 * parameters marked below. Their arguments are kept as written. This file is px.otel's syntax;
 * its meaning (defaults, rows to spans and metrics) is in gateway/src/jobs/otel/interpret.ts and
 * the files it names, which read the same lists; its wire format, OTLP, in exporters/otlp/.
 */
export const KNOWN_CALLS: Readonly<
  Record<string, { params: readonly string[]; required: number }>
> = {
  'px.otel.Data': { params: ['resource', 'data', 'endpoint'], required: 2 },
  'px.otel.Endpoint': { params: ['url', 'headers', 'insecure', 'timeout'], required: 1 },
  'px.otel.metric.Gauge': {
    params: ['name', 'value', 'description', 'attributes', 'unit'],
    required: 2,
  },
  'px.otel.metric.Summary': {
    params: ['name', 'count', 'sum', 'quantile_values', 'description', 'attributes', 'unit'],
    required: 4,
  },
  // pxgate: a monotonic (or not) sum, accumulated into a cumulative counter; `source` names
  // the counter each row reads when several running totals add up to one series.
  'px.otel.metric.Sum': {
    params: [
      'name',
      'value',
      'description',
      'attributes',
      'unit',
      'monotonic',
      'cumulative',
      'source',
      'attribute_limits',
    ],
    required: 2,
  },
  // pxgate: an explicit-bucket histogram of a column's values, bucketed by the exporter.
  'px.otel.metric.Histogram': {
    params: [
      'name',
      'value',
      'bounds',
      'description',
      'attributes',
      'unit',
      'count',
      'attribute_limits',
    ],
    required: 2,
  },
  'px.otel.trace.Span': {
    params: [
      'name',
      'start_time',
      'end_time',
      'trace_id',
      'span_id',
      'parent_span_id',
      'attributes',
      'kind',
      // pxgate: the span's status code, and request headers carrying W3C or B3 trace context.
      'status',
      'trace_context',
    ],
    required: 3,
  },
};

/** OTLP span kinds, as `px.otel.trace.SPAN_KIND_*` constants. */
export const SPAN_KINDS: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

/** The value of a `px.otel...` attribute: a constant, or a deeper name (a call or submodule). */
export function otelAttribute(path: string, name: string): Value {
  if (path === 'px.otel.trace' && name in SPAN_KINDS) {
    return { kind: 'int', value: BigInt(SPAN_KINDS[name]!), type: 'INT64', st: 'ST_NONE' };
  }
  return { kind: 'module', path: `${path}.${name}` };
}

/** Evaluates a call of `px.otel.*` into its spec tree, checking the shape of known calls. */
export function otelCall(path: string, call: CallArgs): SpecPartValue {
  const columns: { name: string; loc: Loc }[] = [];
  const known = KNOWN_CALLS[path];
  const args: Record<string, SpecValue> = {};
  let posArgs: SpecValue[] | undefined;
  if (known) {
    if (call.positional.length > known.params.length) {
      throw new PxlError(
        `${path}() takes at most ${known.params.length} arguments`,
        call.positional[known.params.length]!.loc,
      );
    }
    call.positional.forEach((a, i) => (args[known.params[i]!] = toSpec(a.value, a.loc, columns)));
  } else if (call.positional.length > 0) {
    posArgs = call.positional.map((a) => toSpec(a.value, a.loc, columns));
  }
  for (const [name, a] of call.keywords) {
    if (known && !known.params.includes(name)) {
      throw new PxlError(
        `${path}() has no parameter "${name}"${didYouMean(name, known.params)}`,
        a.loc,
      );
    }
    if (name in args) throw new PxlError(`${path}() got two values for "${name}"`, a.loc);
    args[name] = toSpec(a.value, a.loc, columns);
  }
  if (known) {
    const missing = known.params.slice(0, known.required).filter((p) => !(p in args));
    if (missing.length > 0) {
      throw new PxlError(
        `${path}() is missing ${missing.map((m) => `"${m}"`).join(', ')}`,
        call.loc,
      );
    }
  }
  const value: SpecValue = posArgs ? { call: path, args, posArgs } : { call: path, args };
  return { kind: 'spec', value, columns };
}

/**
 * A value as a spec tree: literals as themselves, columns as `{ column }`, containers
 * recursively. Per-row expressions other than plain columns are refused: assign them to a
 * column first.
 */
export function toSpec(v: Value, loc: Loc, columns: { name: string; loc: Loc }[]): SpecValue {
  switch (v.kind) {
    case 'none':
      return null;
    case 'bool':
      return v.value;
    case 'int':
      return v.value >= BigInt(Number.MIN_SAFE_INTEGER) &&
        v.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v.value)
        : v.value;
    case 'float':
    case 'str':
      return v.value;
    case 'list':
    case 'tuple':
      return v.items.map((item) => toSpec(item, loc, columns));
    case 'dict': {
      const dict: Record<string, SpecValue> = {};
      for (const [k, val] of v.entries) {
        if (k.kind !== 'str' && k.kind !== 'int' && k.kind !== 'float') {
          throw new PxlError(
            `export spec dict keys must be strings or numbers, not ${describe(k)}`,
            loc,
          );
        }
        dict[String(k.value)] = toSpec(val, loc, columns);
      }
      return { dict };
    }
    case 'spec':
      columns.push(...v.columns);
      return v.value;
    case 'column':
      if (v.expr.kind === 'column') {
        columns.push({ name: v.expr.name, loc: v.expr.loc });
        return { column: v.expr.name };
      }
      throw new PxlError(
        'an export spec takes columns, not expressions: assign the expression to a column first',
        v.expr.loc,
      );
    default:
      throw new PxlError(`an export spec cannot hold ${describe(v)}`, loc);
  }
}

/** OpenTelemetry's default explicit bucket boundaries, those of px.otel.metric.Histogram. */
const DEFAULT_HISTOGRAM_BOUNDS: readonly number[] = [
  0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000,
];

/**
 * The `bounds=` of a px.otel.metric.Histogram: the defaults when absent, else a list of finite
 * numbers strictly ascending; what is wrong with it otherwise (the exporter says it with the
 * argument, the DuckDB aggregate leaves such a spec to the exporter).
 */
export function histogramBounds(
  v: SpecValue | undefined,
): readonly number[] | 'not numbers' | 'not ascending' {
  if (v === undefined || v === null) return DEFAULT_HISTOGRAM_BOUNDS;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    return 'not numbers';
  }
  const list = v as readonly number[];
  return list.some((x, i) => i > 0 && x <= list[i - 1]!) ? 'not ascending' : list;
}
