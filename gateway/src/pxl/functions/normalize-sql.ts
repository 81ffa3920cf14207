import { ScalarFunction } from './types';

/**
 * The DuckDB function behind each px function, registered on the database by the engine
 * (normalize-sql-udfs.ts: the compiler, and so a compile worker, loads no DuckDB).
 */
export const PGSQL_SQL_NAME = '_pxl_normalize_pgsql';
export const MYSQL_SQL_NAME = '_pxl_normalize_mysql';

/** `px.normalize_pgsql` and `px.normalize_mysql`, with Pixie's arguments and JSON result. */
export const NORMALIZE_FUNCTIONS: readonly ScalarFunction[] = [
  {
    kind: 'scalar',
    name: 'normalize_pgsql',
    doc:
      'A PostgreSQL statement with its constants replaced by `$n` placeholders, as JSON ' +
      '`{"query", "params"}` (or `{"error"}`): `px.normalize_pgsql(df.req, df.req_cmd)`.',
    signatures: [{ args: ['STRING', 'STRING'], returns: 'STRING' }],
    sql: (args) => `${PGSQL_SQL_NAME}(${args[0]!.sql}, ${args[1]!.sql})`,
  },
  {
    kind: 'scalar',
    name: 'normalize_mysql',
    doc:
      'A MySQL statement with its constants replaced by `?`, as JSON `{"query", "params"}` ' +
      '(or `{"error"}`): `px.normalize_mysql(df.req_body, df.req_cmd)`.',
    signatures: [{ args: ['STRING', 'INT64'], returns: 'STRING' }],
    sql: (args) => `${MYSQL_SQL_NAME}(${args[0]!.sql}, ${args[1]!.sql})`,
  },
];
