/**
 * The cells of one column of an Arrow answer exactly as the JSON answer gives them (docs/api.md):
 * INT64 and TIME64NS as numbers while they are exact (|v| < 2^53), as decimal strings beyond;
 * FLOAT64 as numbers, BOOLEAN as booleans, STRING and UINT128 as text, null for a null. Frames
 * that need a column's values (time series, node graphs, traces, alerts) read them so, and come
 * out the same from either answer.
 */
import { ColumnarTable } from '../types/gateway';

const TWO_32 = 2 ** 32;
const UTF8 = new TextDecoder();

/** Column `i` of an Arrow answer's table as cells. */
export function columnCells(table: ColumnarTable, i: number): unknown[] {
  const { type } = table.columns[i]!;
  const { nullCount, validity, offsets, data } = table.vectors[i]!;
  const n = table.length;
  const cells = new Array<unknown>(n);
  const valid = (r: number) => nullCount === 0 || ((validity[r >> 3]! >> (r & 7)) & 1) === 1;
  switch (type) {
    case 'INT64':
    case 'TIME64NS': {
      const words = new Int32Array(data.buffer, data.byteOffset, 2 * n);
      for (let r = 0; r < n; r++) {
        if (!valid(r)) {
          cells[r] = null;
          continue;
        }
        const value = words[2 * r + 1]! * TWO_32 + (words[2 * r]! >>> 0);
        cells[r] = Number.isSafeInteger(value)
          ? value
          : new BigInt64Array(data.buffer, data.byteOffset + 8 * r, 1)[0]!.toString();
      }
      return cells;
    }
    case 'FLOAT64': {
      const values = new Float64Array(data.buffer, data.byteOffset, n);
      for (let r = 0; r < n; r++) cells[r] = valid(r) ? values[r] : null;
      return cells;
    }
    case 'BOOLEAN':
      for (let r = 0; r < n; r++)
        cells[r] = valid(r) ? ((data[r >> 3]! >> (r & 7)) & 1) === 1 : null;
      return cells;
    case 'STRING':
    case 'UINT128':
      for (let r = 0; r < n; r++) {
        cells[r] = valid(r) ? UTF8.decode(data.subarray(offsets![r], offsets![r + 1])) : null;
      }
      return cells;
  }
}
