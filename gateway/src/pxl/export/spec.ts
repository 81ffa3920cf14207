/**
 * The spec of `px.export(df, spec)`, evaluated into a plain tree that exporters read. PxL checks
 * only its structure (known calls, their parameter names, columns that exist); what the calls
 * mean (OTLP metrics, spans, endpoints) is the exporters' business.
 *
 * - a call of `px.otel.*` becomes `{ call: 'px.otel.metric.Gauge', args: { name: ..., value: ... } }`;
 *   positional arguments take their documented parameter names, or stay in `posArgs` for calls
 *   PxL does not know;
 * - a column reference (`df.latency`, `df['latency']`) becomes `{ column: 'latency' }`;
 * - a dict becomes `{ dict: { key: value } }`, a list or tuple an array;
 * - literals stay literals (integers beyond 2^53 are bigints).
 */
export type SpecValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly SpecValue[]
  | SpecCall
  | SpecColumn
  | SpecDict;

export interface SpecCall {
  readonly call: string;
  readonly args: Readonly<Record<string, SpecValue>>;
  readonly posArgs?: readonly SpecValue[];
}

export interface SpecColumn {
  readonly column: string;
}

export interface SpecDict {
  readonly dict: Readonly<Record<string, SpecValue>>;
}

/** The spec given to one `px.export` call. */
export type ExportSpec = SpecValue;

/** True when a spec value is a call. */
export function isSpecCall(v: SpecValue): v is SpecCall {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'call' in v;
}

/** True when a spec value is a column reference. */
export function isSpecColumn(v: SpecValue): v is SpecColumn {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'column' in v;
}

/** True when a spec value is a dict. */
export function isSpecDict(v: SpecValue): v is SpecDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dict' in v;
}
