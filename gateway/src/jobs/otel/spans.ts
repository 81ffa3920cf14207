import { SpanKind, StatusCode } from '../../exporters/model/telemetry';
import { idFromHex } from '../../exporters/model/ids';
import { Cell } from '../../pxl/execute/result';
import { readAttributes } from './attributes';
import { derivedIds } from './derived-ids';
import { RowHandler, TIME_TYPES } from './row-handler';
import { CallReader, cellOf } from './spec-reader';
import { traceContextFromHeaders, validId } from './trace-context';

/**
 * `px.otel.trace.Span`: one span a row, its ids from the row's columns, its headers' trace
 * context, or derived from the row itself (derived-ids.ts).
 */
export function spanHandler(r: CallReader, salt: string): RowHandler {
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

function timeOf(cell: Cell): bigint {
  if (typeof cell === 'bigint') return cell;
  if (typeof cell === 'number') return BigInt(Math.trunc(cell));
  return 0n;
}

function enumValue(cell: Cell, max: number): number {
  const v = Number(cell ?? 0);
  return Number.isInteger(v) && v >= 0 && v <= max ? v : 0;
}
