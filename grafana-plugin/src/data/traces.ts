/**
 * Span-shaped tables to trace frames (Grafana's trace view). A table is span-shaped when it has a
 * start time and a duration; trace and span ids, a parent, an operation and a service are read
 * from the usual column names when present. Every other column becomes a span tag. A row without
 * a trace id is a trace of its own, with ids derived from the row so they are stable.
 */
import { DataFrame, Field, FieldType } from '@grafana/data';

import { findTimeField } from './timeSeries';

const ROLES = {
  traceID: ['trace_id', 'traceid'],
  spanID: ['span_id', 'spanid'],
  parentSpanID: ['parent_span_id', 'parentspanid', 'parent_id'],
  operationName: ['operation_name', 'operationname', 'operation', 'name', 'span_name', 'req_path'],
  serviceName: ['service_name', 'servicename', 'service'],
  duration: ['duration', 'duration_ns', 'latency'],
  startTime: ['start_time', 'starttime', 'time_'],
} as const;
type Role = keyof typeof ROLES;

/** A table that is not span-shaped; the message says what is missing. */
export class TraceShapeError extends Error {
  override name = 'TraceShapeError';
}

function findRole(frame: DataFrame, role: Role): Field | undefined {
  for (const name of ROLES[role]) {
    const f = frame.fields.find((field) => field.name.toLowerCase() === name);
    if (f) return f;
  }
  return undefined;
}

/** FNV-1a, 64 bits, as 16 hex digits: a stable id for a row. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

interface Span {
  traceID: string;
  spanID: string;
  parentSpanID: string | undefined;
  operationName: string;
  serviceName: string;
  startTime: number;
  duration: number;
  tags: Array<{ key: string; value: unknown }>;
}

/** Converts span-shaped frames to one trace frame per trace, in order of first appearance. */
export function toTraceFrames(frame: DataFrame, refId?: string): DataFrame[] {
  const start = findRole(frame, 'startTime') ?? findTimeField(frame);
  const duration = findRole(frame, 'duration');
  if (!start || start.type !== FieldType.time || !duration || duration.type !== FieldType.number) {
    throw new TraceShapeError(
      `table "${frame.name}" is not span-shaped: traces need a start time (start_time or time_) ` +
        'and a duration in nanoseconds (duration or latency)',
    );
  }
  const roles = {
    traceID: findRole(frame, 'traceID'),
    spanID: findRole(frame, 'spanID'),
    parentSpanID: findRole(frame, 'parentSpanID'),
    operationName: findRole(frame, 'operationName'),
    serviceName: findRole(frame, 'serviceName'),
  };
  const used = new Set<Field | undefined>([start, duration, ...Object.values(roles)]);
  const tagFields = frame.fields.filter((f) => !used.has(f));
  const text = (f: Field | undefined, row: number) => (f ? String(f.values[row] ?? '') : '');

  const traces = new Map<string, Span[]>();
  for (let row = 0; row < frame.length; row++) {
    const rowId = fnv1a64(JSON.stringify(frame.fields.map((f) => f.values[row])));
    const traceID = text(roles.traceID, row) || rowId.padStart(32, '0');
    const startMs = (start.values[row] as number) + (start.nanos?.[row] ?? 0) / 1e6;
    const span: Span = {
      traceID,
      spanID: text(roles.spanID, row) || rowId,
      parentSpanID: text(roles.parentSpanID, row) || undefined,
      operationName: text(roles.operationName, row) || frame.name || 'span',
      serviceName: text(roles.serviceName, row) || 'unknown',
      startTime: startMs,
      // Durations are nanoseconds (their unit was set from ST_DURATION_NS); traces want ms.
      duration: ((duration.values[row] as number | null) ?? 0) / 1e6,
      tags: tagFields.map((f) => ({ key: f.name, value: f.values[row] })),
    };
    const spans = traces.get(traceID) ?? [];
    spans.push(span);
    traces.set(traceID, spans);
  }
  return [...traces.values()].map((spans) => traceFrame(spans, refId));
}

function traceFrame(spans: Span[], refId?: string): DataFrame {
  const column = <K extends keyof Span>(key: K, type: FieldType): Field => ({
    name: key,
    type,
    config: {},
    values: spans.map((s) => s[key]),
  });
  return {
    name: `Trace ${spans[0]!.traceID}`,
    refId,
    length: spans.length,
    meta: { preferredVisualisationType: 'trace' },
    fields: [
      column('traceID', FieldType.string),
      column('spanID', FieldType.string),
      column('parentSpanID', FieldType.string),
      column('operationName', FieldType.string),
      column('serviceName', FieldType.string),
      { name: 'serviceTags', type: FieldType.other, config: {}, values: spans.map(() => []) },
      column('startTime', FieldType.number),
      column('duration', FieldType.number),
      column('tags', FieldType.other),
    ],
  };
}
