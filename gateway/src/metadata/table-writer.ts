import { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../store/sql';
import { MetadataRow, ROW_KEYS, RowChanges, WRITTEN_TABLES, WrittenTable } from './metadata-rows';
import { METADATA_TABLES } from './tables';

const UPSERT = '_upsert';

/**
 * Writes row changes into the metadata tables, one transaction per batch, so a query sees a
 * batch whole or not at all. Each batch is appended to a temporary staging table per metadata
 * table, then applied with one keyed DELETE and one INSERT: the cost follows the rows that
 * changed, not the size of the table.
 */
export class MetadataTableWriter {
  private constructor(private readonly conn: DuckDBConnection) {}

  /** Creates the staging tables on the writer's own connection (temporary tables are per connection). */
  static async create(conn: DuckDBConnection): Promise<MetadataTableWriter> {
    for (const t of WRITTEN_TABLES) {
      const cols = Object.entries(METADATA_TABLES[t].columns).map(
        ([name, type]) => `${quoteIdent(name)} ${type}`,
      );
      await conn.run(
        `CREATE TEMP TABLE ${quoteIdent(stagingName(t))} (${cols.join(', ')}, ${UPSERT} BOOLEAN)`,
      );
    }
    return new MetadataTableWriter(conn);
  }

  /** Applies a batch of changes atomically. On failure nothing of the batch is applied. */
  async write(changes: RowChanges): Promise<void> {
    if (changes.size === 0) return;
    await this.conn.run('BEGIN TRANSACTION');
    try {
      for (const [table, { upserts, deletes }] of changes) {
        await this.apply(table, upserts, deletes);
      }
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Closes the connection. */
  close(): void {
    this.conn.closeSync();
  }

  private async apply(
    table: WrittenTable,
    upserts: readonly MetadataRow[],
    deletes: readonly MetadataRow[],
  ): Promise<void> {
    const stage = quoteIdent(stagingName(table));
    const target = quoteIdent(METADATA_TABLES[table].name);
    const columns = Object.entries(METADATA_TABLES[table].columns);
    await this.conn.run(`DELETE FROM ${stage}`);
    const appender = await this.conn.createAppender(stagingName(table), 'main', 'temp');
    try {
      for (const row of upserts) appendRow(appender, columns, row, true);
      for (const row of deletes) appendRow(appender, columns, row, false);
      appender.closeSync();
    } catch (err) {
      appender.closeSync();
      throw err;
    }
    const match = ROW_KEYS[table]
      .map((c) => `${target}.${quoteIdent(c)} = s.${quoteIdent(c)}`)
      .join(' AND ');
    await this.conn.run(`DELETE FROM ${target} USING ${stage} s WHERE ${match}`);
    if (upserts.length > 0) {
      const names = columns.map(([name]) => quoteIdent(name)).join(', ');
      await this.conn.run(
        `INSERT INTO ${target} (${names}) SELECT ${names} FROM ${stage} WHERE ${UPSERT}`,
      );
    }
  }
}

function stagingName(table: WrittenTable): string {
  return `_stage${METADATA_TABLES[table].name}`;
}

function appendRow(
  appender: DuckDBAppender,
  columns: readonly [string, string][],
  row: MetadataRow,
  upsert: boolean,
): void {
  for (const [name, type] of columns) {
    const v = row[name] ?? null;
    if (v === null) appender.appendNull();
    else if (type === 'BIGINT') appender.appendBigInt(v as bigint);
    else appender.appendVarchar(String(v));
  }
  appender.appendBoolean(upsert);
  appender.endRow();
}
