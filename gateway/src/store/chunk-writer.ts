import { DuckDBAppender, DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';
import { TextEncoder } from 'node:util';
import duckdb from '@duckdb/node-bindings';
import { ColumnBatch, ColumnData, INLINE_STRING_BYTES, StringValues } from './batch';

/** A string column as Arrow lays it out: row i is data[offsets[i], offsets[i + 1]). */
type Utf8Values = Extract<StringValues, { kind: 'utf8' }>;

/** DuckDB's vector size: a data chunk holds at most this many rows. */
export const CHUNK_ROWS = 2048;

/**
 * Writes column batches into DuckDB data chunks and appends them. Fixed-width columns are copied
 * into vectors with one memcpy each; strings of up to 12 bytes are written inline into the
 * vector's 16-byte headers in one copy, and only longer strings go through DuckDB's string heap
 * (Arrow's: all of a chunk's at once; JSON's: one call each).
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

  /**
   * Utf8 strings with one call into DuckDB per chunk, however many are long: the rows' bytes,
   * one contiguous stretch of the Arrow data buffer, are placed in the vector's string heap as
   * element 0, and each long string's header points into that copy (DuckDB's `duckdb_string_t`:
   * length, 4-byte prefix, pointer). A call per long string was 16% of the gateway's busy time.
   * The appender copies each string out of the vector when the chunk is appended.
   */
  private writeUtf8(vector: duckdb.Vector, utf8: Utf8Values, row: number, n: number): void {
    const { offsets, data } = utf8;
    const headers = this.headers;
    const view = this.headerView;
    headers.fill(0, 0, n * 16);
    if (offsets.length < row + n + 1)
      throw new Error(`${offsets.length} string offsets for rows to ${row + n}`);
    const first = offsets[row]!;
    let long = 0;
    for (let i = 0; i < n; i++) {
      const start = offsets[row + i]!;
      const len = offsets[row + i + 1]! - start;
      // Decoders check offsets; this keeps a bad one from reaching DuckDB's memory as a length
      // or a pointer. Offsets that never go down keep every string inside [first, last].
      if (!(start >= first && len >= 0 && start + len <= data.length)) {
        throw new Error(
          `string ${row + i} (offset ${start}, length ${len}) lies outside its ${data.length}-byte buffer`,
        );
      }
      view.setUint32(i * 16, len, true);
      if (len <= INLINE_STRING_BYTES) {
        for (let b = 0; b < len; b++) headers[i * 16 + 4 + b] = data[start + b]!;
      } else {
        for (let b = 0; b < 4; b++) headers[i * 16 + 4 + b] = data[start + b]!;
        long++;
      }
    }
    if (long > 0) this.pointInto(vector, utf8, row, n);
    copy(vector, headers, 0, n * 16);
  }

  /** Copies rows [row, row + n)'s bytes into the vector's heap and points the long strings there. */
  private pointInto(vector: duckdb.Vector, utf8: Utf8Values, row: number, n: number): void {
    const { offsets, data } = utf8;
    const first = offsets[row]!;
    const total = offsets[row + n]! - first;
    duckdb.vector_assign_string_element_len(vector, 0, data.subarray(first, first + total));
    // Element 0 now holds the whole stretch (over 12 bytes, as one string is): its header gives
    // the heap copy's address. The copy's length is checked, so a header laid out otherwise than
    // DuckDB's C API declares it is an error rather than a wild pointer.
    const placed = duckdb.vector_get_data(vector, 16);
    const placedView = new DataView(placed.buffer, placed.byteOffset, 16);
    if (placedView.getUint32(0, true) !== total) {
      throw new Error(`DuckDB placed ${placedView.getUint32(0, true)} of ${total} string bytes`);
    }
    const low = placedView.getUint32(8, true);
    const high = placedView.getUint32(12, true);
    const view = this.headerView;
    for (let i = 0; i < n; i++) {
      if (view.getUint32(i * 16, true) <= INLINE_STRING_BYTES) continue;
      const sum = low + (offsets[row + i]! - first);
      view.setUint32(i * 16 + 8, sum >>> 0, true);
      view.setUint32(i * 16 + 12, high + (sum >= 2 ** 32 ? 1 : 0), true);
    }
  }

  /** A string column: Arrow's Utf8 in one go; JSON's JS strings inline, or one call each when long. */
  private writeStrings(vector: duckdb.Vector, strings: StringValues, row: number, n: number): void {
    if (strings.kind === 'utf8') return this.writeUtf8(vector, strings, row, n);
    const headers = this.headers;
    headers.fill(0, 0, n * 16);
    const long: number[] = [];
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
