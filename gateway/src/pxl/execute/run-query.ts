import { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { PxlError } from '../errors';
import { CompiledQuery } from '../compile/compile';
import { Cell, ResultColumn, ResultTable, toCell } from './result';
import { StatementCache } from './statement-cache';

/** A run's shared budget: rows per table, and result bytes across all its tables. */
export interface ResultBudget {
  readonly maxRows: number;
  bytesLeft: number;
  readonly maxBytes: number;
}

/**
 * Runs one compiled statement as a stream and reads its rows chunk by chunk, stopping with an
 * error as soon as the table passes its row limit or the run passes its memory cap: DuckDB
 * computes the next chunks only when they are read, so a result is never held whole.
 */
export function runQuery(
  conn: DuckDBConnection,
  statements: StatementCache,
  name: string,
  query: CompiledQuery,
  budget: ResultBudget,
): Promise<ResultTable> {
  return withStatement(conn, statements, query, (statement) =>
    read(statement, name, query, budget),
  );
}

/** Runs `read` on the prepared statement of `query` (cached, or one of its own; see runQuery). */
export async function withStatement<T>(
  conn: DuckDBConnection,
  statements: StatementCache,
  query: CompiledQuery,
  read: (statement: DuckDBPreparedStatement) => Promise<T>,
): Promise<T> {
  if (!query.namesShared) return read(await statements.get(conn, query.sql));
  return withoutLateMaterialization(conn, async () => {
    const statement = await conn.prepare(query.sql);
    try {
      return await read(statement);
    } finally {
      statement.destroySync();
    }
  });
}

/**
 * Runs `fn` with DuckDB's late materialization off on this connection (see
 * CompiledQuery.namesShared). Such statements are prepared afresh each time, not cached: DuckDB
 * plans a cached one again whenever the tables change, with the settings of that moment.
 */
async function withoutLateMaterialization<T>(
  conn: DuckDBConnection,
  fn: () => Promise<T>,
): Promise<T> {
  await conn.run("SET disabled_optimizers = 'late_materialization'");
  try {
    return await fn();
  } finally {
    // After a failure the connection is closed, not reused, so a failed reset changes nothing.
    await conn.run('RESET disabled_optimizers').catch(() => undefined);
  }
}

/** Binds, runs and reads one statement (see runQuery). */
async function read(
  statement: DuckDBPreparedStatement,
  name: string,
  query: CompiledQuery,
  budget: ResultBudget,
): Promise<ResultTable> {
  statement.bind(query.params as DuckDBValue[]);
  const result = await statement.stream();
  const columns = query.columns;
  const rows: Cell[][] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const raw of chunk.getRows()) {
      if (rows.length >= budget.maxRows) throw tooManyRows(name, budget);
      const row = raw.map((v, i) => toCell(v, columns[i]!.type, columns[i]!.semanticType));
      budget.bytesLeft -= rowBytes(row);
      if (budget.bytesLeft < 0) throw tooManyBytes(budget);
      rows.push(row);
    }
  }
  return { name, columns: resultColumns(query), rows };
}

/** The columns of a result of `query`. */
export function resultColumns(query: CompiledQuery): ResultColumn[] {
  return query.columns.map((c) => ({
    name: c.name,
    type: c.type,
    semanticType: c.semanticType,
    ...(c.scriptReference ? { scriptReference: c.scriptReference } : {}),
  }));
}

/** A table passed its row limit. */
export function tooManyRows(name: string, budget: ResultBudget): PxlError {
  return new PxlError(
    `table "${name}" has more than ${budget.maxRows} rows (max_output_rows_per_table); ` +
      `narrow it with filters or head(), or raise the limit with "#px:set max_output_rows_per_table=N" in the script`,
    undefined,
    'limit-exceeded',
  );
}

/** A run's results passed its memory cap. */
export function tooManyBytes(budget: ResultBudget): PxlError {
  return new PxlError(
    `the results take more than ${Math.round(budget.maxBytes / 1048576)} MiB (pxl.maxResultMb); ` +
      'narrow them with filters, aggregates or head(), or raise pxl.maxResultMb in the gateway config',
    undefined,
    'limit-exceeded',
  );
}

/**
 * A row's estimated memory: its strings' characters plus a fixed cost per cell (read-columns.ts
 * counts the same for columns).
 */
function rowBytes(row: readonly Cell[]): number {
  let n = 16;
  for (const c of row) n += typeof c === 'string' ? 16 + 2 * c.length : 16;
  return n;
}
