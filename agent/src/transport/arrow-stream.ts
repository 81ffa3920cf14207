import { Field, Schema, Table, tableToIPC } from 'apache-arrow';
import { arrowTypeOf } from '../../../shared/contract/arrow';
import { TableSchema } from '../../../shared/contract/types';
import { TableColumns } from './columns';

/**
 * The Arrow IPC stream of one record batch, written by hand for the agent's fixed schemas: the
 * schema message (made once per table by apache-arrow), one RecordBatch message whose
 * flatbuffer header is laid out here, the column buffers copied once into one allocation, and
 * the end-of-stream marker. Column types are the contract's (shared/contract/arrow.ts); no nulls.
 */
export class ArrowStreamEncoder {
  private readonly schemaMessage: Uint8Array;

  constructor(schema: TableSchema) {
    this.schemaMessage = schemaMessage(schema);
  }

  /** Encodes the columns' rows as a complete IPC stream. */
  encode(columns: TableColumns): Uint8Array {
    const rows = columns.length;
    // Per column: the empty validity buffer, then its data buffers, each padded to 8 bytes.
    const parts: Uint8Array[] = [];
    const layout: number[] = [];
    let bodyLength = 0;
    for (const builder of columns.builders) {
      parts.push(EMPTY);
      layout.push(bodyLength, 0);
      for (const b of builder.buffers(rows)) {
        parts.push(b);
        layout.push(bodyLength, b.length);
        bodyLength += pad8(b.length);
      }
    }
    const header = recordBatchHeader(rows, columns.builders.length, layout, bodyLength);
    const start = this.schemaMessage.length;
    const body = start + 8 + header.length;
    const out = new Uint8Array(body + bodyLength + EOS.length);
    const view = new DataView(out.buffer);
    out.set(this.schemaMessage, 0);
    view.setUint32(start, CONTINUATION, true);
    view.setInt32(start + 4, header.length, true);
    out.set(header, start + 8);
    for (let k = 0; k < parts.length; k++) out.set(parts[k]!, body + layout[2 * k]!);
    out.set(EOS, body + bodyLength);
    return out;
  }
}

const EMPTY = new Uint8Array(0);
const CONTINUATION = 0xffffffff;
const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
const METADATA_V5 = 4;
const HEADER_RECORD_BATCH = 3;

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * The flatbuffer of `Message { version: V5, header: RecordBatch { length, nodes, buffers },
 * bodyLength }` (Arrow's Message.fbs), laid out front to back with every offset pointing forward:
 *
 *   0  root offset -> Message          4  Message vtable (4 slots)
 *   16 Message table (24 bytes)        40 RecordBatch vtable (3 slots)
 *   56 RecordBatch table (24 bytes)    80 nodes: [FieldNode]   then buffers: [Buffer]
 */
function recordBatchHeader(
  rows: number,
  fields: number,
  layout: readonly number[],
  bodyLength: number,
): Uint8Array {
  const buffers = layout.length / 2;
  const nodesAt = 88; // vector length at 84, 16-byte structs from 88 (8-aligned)
  const buffersAt = nodesAt + 16 * fields + 8; // vector length 4 bytes before
  const size = buffersAt + 16 * buffers;
  const b = new DataView(new ArrayBuffer(size));
  const u16 = (at: number, v: number) => b.setUint16(at, v, true);
  const i64 = (at: number, v: number) => b.setBigInt64(at, BigInt(v), true);
  b.setUint32(0, 16, true);
  // Message vtable: vtable bytes, table bytes, slots (version, header_type, header, bodyLength).
  [12, 24, 4, 6, 16, 8].forEach((v, k) => u16(4 + 2 * k, v));
  b.setInt32(16, 16 - 4, true);
  b.setInt16(20, METADATA_V5, true);
  b.setUint8(22, HEADER_RECORD_BATCH);
  i64(24, bodyLength);
  b.setUint32(32, 56 - 32, true);
  // RecordBatch vtable: vtable bytes, table bytes, slots (length, nodes, buffers).
  [10, 24, 8, 4, 16].forEach((v, k) => u16(40 + 2 * k, v));
  b.setInt32(56, 56 - 40, true);
  b.setUint32(60, nodesAt - 4 - 60, true);
  i64(64, rows);
  b.setUint32(72, buffersAt - 4 - 72, true);
  b.setUint32(nodesAt - 4, fields, true);
  for (let f = 0; f < fields; f++) i64(nodesAt + 16 * f, rows); // null_count stays 0
  b.setUint32(buffersAt - 4, buffers, true);
  for (let k = 0; k < layout.length; k++) i64(buffersAt + 8 * k, layout[k]!);
  return new Uint8Array(b.buffer);
}

/** The stream's schema message, as apache-arrow writes it (it is made once per table). */
function schemaMessage(schema: TableSchema): Uint8Array {
  const fields = schema.columns.map((c) => new Field(c.name, arrowTypeOf(c), false));
  const stream = tableToIPC(new Table(new Schema(fields)), 'stream');
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const length = 8 + view.getInt32(4, true);
  return stream.slice(0, length);
}
