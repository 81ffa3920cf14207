import { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

/** Prepared statements kept per connection; a script run again reuses its plans. */
const PER_CONNECTION = 64;

/**
 * Prepared statements by connection and SQL text. Preparing is a good part of a small query's
 * time, and a script compiles to the same SQL run after run (its values, such as now, are
 * parameters). DuckDB re-prepares a statement by itself when the tables under it change.
 */
export class StatementCache {
  private readonly byConnection = new WeakMap<
    DuckDBConnection,
    Map<string, DuckDBPreparedStatement>
  >();

  /** The statement for `sql` on `conn`, prepared now or reused. */
  async get(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
    let statements = this.byConnection.get(conn);
    if (!statements) this.byConnection.set(conn, (statements = new Map()));
    const known = statements.get(sql);
    if (known) {
      statements.delete(sql);
      statements.set(sql, known);
      return known;
    }
    const prepared = await conn.prepare(sql);
    statements.set(sql, prepared);
    if (statements.size > PER_CONNECTION) {
      const [oldest, statement] = statements.entries().next().value as [
        string,
        DuckDBPreparedStatement,
      ];
      statement.destroySync();
      statements.delete(oldest);
    }
    return prepared;
  }

  /** Releases the statements of a connection about to close. */
  release(conn: DuckDBConnection): void {
    for (const statement of this.byConnection.get(conn)?.values() ?? []) statement.destroySync();
    this.byConnection.delete(conn);
  }
}
