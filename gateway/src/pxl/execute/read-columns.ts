import {
  DuckDBDataChunk,
  DuckDBPreparedStatement,
  DuckDBTypeId,
  DuckDBValue,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { DataType } from '../../../../shared/contract/types';
import { CompiledQuery } from '../compile/compile';
import { ColumnBuilder, ColumnarTable, utf16Units } from './columnar';
import { toCell } from './result';
import { ResultBudget, resultColumns, tooManyBytes, tooManyRows } from './run-query';

/** Bytes of DuckDB's string header (length, then 12 bytes inline or a prefix and a pointer). */
const STRING_HEADER = 16;
const INLINE_STRING_BYTES = 12;

type Reader = (chunk: DuckDBDataChunk, column: number, costs: Float64Array) => void;

/**
 * How a column's DuckDB vectors are read: straight from the vector's memory when DuckDB's type
 * is the one the column's type is stored as (BIGINT, DOUBLE, BOOLEAN, VARCHAR), else a cell at
 * a time as the JSON answer reads it (an INTEGER count, a HUGEINT sum, UINT128, ...).
 */
function readerFor(builder: ColumnBuilder, type: DataType, semantic: string, id: DuckDBTypeId) {
  const fixed8 =
    ((type === 'INT64' || type === 'TIME64NS') && id === DuckDBTypeId.BIGINT) ||
    (type === 'FLOAT64' && id === DuckDBTypeId.DOUBLE);
  if (fixed8) {
    return ((chunk, column) => {
      const { vector, n, mask } = raw(chunk, column);
      builder.appendFixed8(duckdb.vector_get_data(vector, 8 * n), n, mask);
    }) satisfies Reader;
  }
  if (type === 'BOOLEAN' && id === DuckDBTypeId.BOOLEAN) {
    return ((chunk, column) => {
      const { vector, n, mask } = raw(chunk, column);
      builder.appendBooleans(duckdb.vector_get_data(vector, n), n, mask);
    }) satisfies Reader;
  }
  if (type === 'STRING' && id === DuckDBTypeId.VARCHAR) {
    return ((chunk, column, costs) => readStrings(builder, chunk, column, costs)) satisfies Reader;
  }
  return ((chunk, column, costs) => {
    const vector = chunk.getColumnVector(column);
    for (let r = 0; r < chunk.rowCount; r++) {
      const cell = toCell(vector.getItem(r), type, semantic as never);
      builder.appendCell(cell);
      if (typeof cell === 'string') costs[r]! += 2 * cell.length;
    }
  }) satisfies Reader;
}

function raw(chunk: DuckDBDataChunk, column: number) {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const n = chunk.rowCount;
  const mask = duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8) ?? null;
  return { vector, n, mask };
}

/** Copies a VARCHAR vector's strings, each from its header or DuckDB's string heap. */
function readStrings(
  builder: ColumnBuilder,
  chunk: DuckDBDataChunk,
  column: number,
  costs: Float64Array,
): void {
  const { vector, n, mask } = raw(chunk, column);
  const headers = duckdb.vector_get_data(vector, STRING_HEADER * n);
  const view = new DataView(headers.buffer, headers.byteOffset, headers.byteLength);
  for (let r = 0; r < n; r++) {
    if (mask && !((mask[r >> 3]! >> (r & 7)) & 1)) {
      builder.appendNull();
      continue;
    }
    const at = STRING_HEADER * r;
    const length = view.getUint32(at, true);
    const bytes =
      length <= INLINE_STRING_BYTES
        ? headers.subarray(at + 4, at + 4 + length)
        : duckdb.get_data_from_pointer(
            headers.buffer as ArrayBuffer,
            headers.byteOffset + at + 8,
            length,
          );
    builder.appendBytes(bytes);
    costs[r]! += 2 * utf16Units(bytes);
  }
}

/**
 * Binds, runs and reads one statement into columns, within the budget exactly as the rows of a
 * JSON answer are (run-query.ts): the same row limit, and the same estimate of each row's
 * memory (a fixed cost per row and cell, and two bytes per UTF-16 unit of its strings).
 */
export async function readColumns(
  statement: DuckDBPreparedStatement,
  name: string,
  query: CompiledQuery,
  budget: ResultBudget,
): Promise<ColumnarTable> {
  statement.bind(query.params as DuckDBValue[]);
  const result = await statement.stream();
  const builders = query.columns.map((c) => new ColumnBuilder(c.type));
  const readers = query.columns.map((c, i) =>
    readerFor(builders[i]!, c.type, c.semanticType, result.columnTypeId(i)),
  );
  const rowCost = 16 + 16 * query.columns.length;
  let rows = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const costs = new Float64Array(chunk.rowCount).fill(rowCost);
    readers.forEach((read, i) => read(chunk, i, costs));
    for (let r = 0; r < chunk.rowCount; r++) {
      if (rows >= budget.maxRows) throw tooManyRows(name, budget);
      budget.bytesLeft -= costs[r]!;
      if (budget.bytesLeft < 0) throw tooManyBytes(budget);
      rows++;
    }
  }
  return {
    name,
    columns: resultColumns(query),
    length: rows,
    vectors: builders.map((b) => b.finish()),
  };
}
