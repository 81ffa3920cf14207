import { ColumnBatch } from './batch';
import { TableSchema } from '../../../shared/contract/types';
import { frame } from './wal/frames';
import { encodeSegmentRecord } from './wal/segment-record';
import { LogWrite } from './wal/write-ahead-log';

/** One segment table of a stored table: its rows' sequence range, size and newest time. */
export interface Segment {
  readonly id: number;
  readonly sqlName: string;
  readonly createdAt: number;
  firstSeq: number;
  lastSeq: number;
  rows: number;
  bytes: number;
  maxTime: bigint | undefined;
}

/** Rows of one batch bound for one segment (an index into the table's segments). */
export interface Slice {
  readonly segment: number;
  readonly part: ColumnBatch;
  readonly from: number;
  readonly count: number;
  readonly seq: number;
  readonly bytes: number;
}

/** The active segment as a batch finds it; `full`: it may take no more rows (too old). */
export interface ActiveSegment {
  readonly index: number;
  readonly rows: number;
  readonly bytes: number;
  readonly full: boolean;
}

/**
 * Which segment each slice of a batch goes to: the active one while it has room, then new ones
 * (indexes after it), each filled to `limits.rows` rows or `limits.bytes` bytes. Rows are
 * numbered from `firstSeq`; a part's bytes are shared out over its slices by rows.
 */
export function planSlices(
  active: ActiveSegment,
  parts: readonly ColumnBatch[],
  firstSeq: number,
  limits: { rows: number; bytes: number },
): Slice[] {
  let { index, rows, bytes, full } = active;
  const slices: Slice[] = [];
  let seq = firstSeq;
  for (const part of parts) {
    let from = 0;
    while (from < part.rowCount) {
      if (full || rows >= limits.rows || bytes >= limits.bytes) {
        index++;
        rows = bytes = 0;
        full = false;
      }
      const count = Math.min(part.rowCount - from, limits.rows - rows);
      const share = Math.round((part.bytes * count) / part.rowCount);
      slices.push({ segment: index, part, from, count, seq, bytes: share });
      rows += count;
      bytes += share;
      seq += count;
      from += count;
    }
  }
  return slices;
}

/**
 * The write-ahead log records of planned slices, grouped by segment file in order: one framed
 * record per slice, each carrying the batch id.
 */
export function logWrites(
  schema: TableSchema,
  slices: readonly Slice[],
  segmentId: (index: number) => number,
  batchId: string | undefined,
): LogWrite[] {
  const writes: LogWrite[] = [];
  for (const s of slices) {
    const segment = segmentId(s.segment);
    const record = frame(
      encodeSegmentRecord(schema, s.part, s.from, s.count, s.seq, s.bytes, batchId),
    );
    const previous = writes[writes.length - 1];
    if (previous?.segment === segment) (previous.frames as Uint8Array[]).push(...record);
    else writes.push({ table: schema.name, segment, frames: record });
  }
  return writes;
}

/** Adds rows [seq, seq + count) to a segment's bookkeeping. */
export function addRows(
  s: Segment,
  seq: number,
  count: number,
  bytes: number,
  maxTime: bigint | undefined,
): void {
  if (s.rows === 0) s.firstSeq = seq;
  s.rows += count;
  s.lastSeq = seq + count - 1;
  s.bytes += bytes;
  if (maxTime !== undefined && (s.maxTime === undefined || maxTime > s.maxTime)) {
    s.maxTime = maxTime;
  }
}
