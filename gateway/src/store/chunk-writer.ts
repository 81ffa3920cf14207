import { DuckDBAppender, DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';
import { TextEncoder } from 'node:util';
import duckdb from '@duckdb/node-bindings';
import { ColumnBatch, ColumnData, INLINE_STRING_BYTES, StringValues } from './batch';

/** DuckDB's vector size: a data chunk holds at most this many rows. */
export const CHUNK_ROWS = 2048;

/**
 * Writes column batches into DuckDB data chunks and appends them. Fixed-width columns are copied
 * into vectors with one memcpy each; strings of up to 12 bytes are written inline into the
 * vector's 16-byte headers in one copy, and only longer strings go through DuckDB's string heap.
 */
export class ChunkWriter {
  private readonly chunk: DuckDBDataChunk;
  private readonly seq = new BigInt64Array(CHUNK_ROWS);
  private readonly headers = new Uint8Array(CHUNK_ROWS * 16);
  private readonly headerView = new DataView(this.headers.buffer);
  private readonly encoder = new TextEncoder();

  constructor(types: readonly DuckDBType[]) {
    this.chunk = DuckDBDataChunk.create(types);
  }

  /** Appends rows [from, from + count) of the batch, numbering them from firstSeq. */
  append(
    appender: DuckDBAppender,
    batch: ColumnBatch,
    from: number,
    count: number,
    firstSeq: number,
  ): void {
    for (let off = 0; off < count; off += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, count - off);
      this.chunk.reset();
      const raw = this.chunk.chunk;
      const row = from + off;
      batch.columns.forEach((column, i) =>
        this.writeColumn(duckdb.data_chunk_get_vector(raw, i), column, row, n),
      );
      const seqBase = BigInt(firstSeq + off);
      for (let i = 0; i < n; i++) this.seq[i] = seqBase + BigInt(i);
      copy(duckdb.data_chunk_get_vector(raw, batch.columns.length), this.seq, 0, n * 8);
      duckdb.data_chunk_set_size(raw, n);
      appender.appendDataChunk(this.chunk);
    }
  }

  private writeColumn(vector: duckdb.Vector, column: ColumnData, row: number, n: number): void {
    switch (column.type) {
      case 'INT64':
      case 'TIME64NS':
      case 'FLOAT64':
        return copy(vector, column.values, row * 8, n * 8);
      case 'BOOLEAN':
        return copy(vector, column.values, row, n);
      case 'UINT128':
        return copy(vector, column.values, row * 16, n * 16);
      case 'STRING':
        return this.writeStrings(vector, column.values, row, n);
    }
  }

  private writeStrings(vector: duckdb.Vector, strings: StringValues, row: number, n: number): void {
    const headers = this.headers;
    headers.fill(0, 0, n * 16);
    const long: number[] = [];
    if (strings.kind === 'utf8') {
      const { offsets, data } = strings;
      if (offsets.length < row + n + 1)
        throw new Error(`${offsets.length} string offsets for rows to ${row + n}`);
      for (let i = 0; i < n; i++) {
        const start = offsets[row + i]!;
        const len = offsets[row + i + 1]! - start;
        // Decoders check offsets; this keeps a bad one from reaching DuckDB's memory as a length.
        if (!(start >= 0 && len >= 0 && start + len <= data.length)) {
          throw new Error(
            `string ${row + i} (offset ${start}, length ${len}) lies outside its ${data.length}-byte buffer`,
          );
        }
        if (len <= INLINE_STRING_BYTES) {
          this.headerView.setUint32(i * 16, len, true);
          for (let b = 0; b < len; b++) headers[i * 16 + 4 + b] = data[start + b]!;
        } else {
          long.push(i);
        }
      }
      copy(vector, headers, 0, n * 16);
      for (const i of long) {
        const start = offsets[row + i]!;
        duckdb.vector_assign_string_element_len(
          vector,
          i,
          data.subarray(start, offsets[row + i + 1]!),
        );
      }
      return;
    }
    const values = strings.values;
    for (let i = 0; i < n; i++) {
      const s = values[row + i]!;
      if (s.length > INLINE_STRING_BYTES) {
        long.push(i);
        continue;
      }
      const { read, written } = this.encoder.encodeInto(
        s,
        headers.subarray(i * 16 + 4, i * 16 + 16),
      );
      if (read < s.length) {
        headers.fill(0, i * 16, i * 16 + 16);
        long.push(i);
      } else {
        this.headerView.setUint32(i * 16, written, true);
      }
    }
    copy(vector, headers, 0, n * 16);
    for (const i of long) duckdb.vector_assign_string_element(vector, i, values[row + i]!);
  }
}

/**
 * Copies bytes of a typed array into a vector. DuckDB copies from the whole ArrayBuffer without
 * a bounds check, so the range is checked against the view here: past it lie other data.
 */
function copy(
  vector: duckdb.Vector,
  source: ArrayBufferView,
  byteOffset: number,
  byteCount: number,
): void {
  if (!(byteOffset >= 0 && byteCount >= 0 && byteOffset + byteCount <= source.byteLength)) {
    throw new Error(
      `copy of ${byteCount} bytes at ${byteOffset} runs past a ${source.byteLength}-byte column`,
    );
  }
  duckdb.copy_data_to_vector(
    vector,
    0,
    source.buffer as ArrayBuffer,
    source.byteOffset + byteOffset,
    byteCount,
  );
}
