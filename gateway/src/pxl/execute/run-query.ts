import { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { PxlError } from '../errors';
import { CompiledQuery } from '../compile/compile';
import { Cell, ResultTable, toCell } from './result';

/** A run's shared budget: rows per table, and result bytes across all its tables. */
export interface ResultBudget {
  readonly maxRows: number;
  bytesLeft: number;
  readonly maxBytes: number;
}

/**
 * Runs one compiled statement and reads its rows chunk by chunk, stopping with an error as soon
 * as the table passes its row limit or the run passes its memory cap.
 */
export async function runQuery(
  conn: DuckDBConnection,
  name: string,
  query: CompiledQuery,
  budget: ResultBudget,
): Promise<ResultTable> {
  const result = await conn.stream(query.sql, query.params as DuckDBValue[]);
  const columns = query.columns;
  const rows: Cell[][] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const raw of chunk.getRows()) {
      if (rows.length >= budget.maxRows) {
        throw new PxlError(
          `table "${name}" has more than ${budget.maxRows} rows (max_output_rows_per_table); ` +
            `narrow it with filters or head(), or raise the limit with "#px:set max_output_rows_per_table=N" in the script`,
          undefined,
          422,
        );
      }
      const row = raw.map((v, i) => toCell(v, columns[i]!.type, columns[i]!.semanticType));
      budget.bytesLeft -= rowBytes(row);
      if (budget.bytesLeft < 0) {
        throw new PxlError(
          `the results take more than ${Math.round(budget.maxBytes / 1048576)} MiB (pxl.maxResultMb); ` +
            'narrow them with filters, aggregates or head(), or raise pxl.maxResultMb in the gateway config',
          undefined,
          422,
        );
      }
      rows.push(row);
    }
  }
  return {
    name,
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      semanticType: c.semanticType,
      ...(c.scriptReference ? { scriptReference: c.scriptReference } : {}),
    })),
    rows,
  };
}

/** A row's estimated memory: its strings' characters plus a fixed cost per cell. */
function rowBytes(row: readonly Cell[]): number {
  let n = 16;
  for (const c of row) n += typeof c === 'string' ? 16 + 2 * c.length : 16;
  return n;
}
