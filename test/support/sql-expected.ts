import { MysqlRecord } from '../../agent/src/protocols/mysql/mysql-stitcher';
import { PgsqlRecord } from '../../agent/src/protocols/pgsql/pgsql-stitcher';

/**
 * The records each recorded conversation (sql-conversations.ts) must give, shared by the tests
 * that replay the captures and the tests that record them live. A string is matched exactly, a
 * RegExp where the server's text varies between builds (source line numbers).
 */
export type Expected = readonly (string | number | RegExp)[];

const rowDesc = (fields: [string, number, number, number, number][]) =>
  `ROW DESCRIPTION [${fields
    .map(
      ([name, table, attr, type, size]) =>
        `name=${name} table_oid=${table} attr_num=${attr} type_oid=${type} type_size=${size} ` +
        'type_modifier=-1 fmt_code=kText',
    )
    .join('] [')}]`;

export const PSQL_RECORDS: Expected[] = [
  ['Query', 'CREATE TABLE person (id int PRIMARY KEY, name text, email text)', 'CREATE TABLE'],
  [
    'Query',
    "INSERT INTO person VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', NULL)",
    'INSERT 0 2',
  ],
  [
    'Query',
    'SELECT id, name, email FROM person ORDER BY id',
    'id,name,email\n1,alice,alice@example.com\n2,bob,[NULL]\nSELECT 2',
  ],
  [
    'Query',
    'SELECT nope FROM person',
    /^ERROR RESPONSE \[Severity=ERROR InternalSeverity=ERROR Code=42703 Message=column "nope" does not exist .*Routine=errorMissingColumn\]$/,
  ],
];

const bound = (stmt: string, value: string) =>
  `portal= statement=${stmt} parameters=[[format=kText value=${value}]] result_format_codes=[kText]`;
const BY_ID = 'SELECT name, email FROM person WHERE id = $1';
const BY_ID_DESC = rowDesc([
  ['name', 16384, 2, 25, -1],
  ['email', 16384, 3, 25, -1],
]);

export const NODE_PG_RECORDS: Expected[] = [
  ['Parse', 'SELECT $1::int + 1 AS n', 'PARSE COMPLETE'],
  ['Bind', bound('', '41'), 'BIND COMPLETE'],
  ['Describe', 'type=kPortal name=', rowDesc([['n', 0, 0, 23, 4]])],
  ['Execute', 'query=[SELECT $1::int + 1 AS n] params=[41]', '42\nSELECT 1'],
  ['Parse', BY_ID, 'PARSE COMPLETE'],
  ['Bind', bound('by-id', '1'), 'BIND COMPLETE'],
  ['Describe', 'type=kPortal name=', BY_ID_DESC],
  ['Execute', `query=[${BY_ID}] params=[1]`, 'alice,alice@example.com\nSELECT 1'],
  ['Bind', bound('by-id', '2'), 'BIND COMPLETE'],
  ['Describe', 'type=kPortal name=', BY_ID_DESC],
  ['Execute', `query=[${BY_ID}] params=[2]`, 'bob,[NULL]\nSELECT 1'],
  ['Parse', 'SELECT $1::text IS NULL AS missing', 'PARSE COMPLETE'],
  ['Bind', bound('', '[NULL]'), 'BIND COMPLETE'],
  ['Describe', 'type=kPortal name=', rowDesc([['missing', 0, 0, 16, 1]])],
  ['Execute', 'query=[SELECT $1::text IS NULL AS missing] params=[[NULL]]', 't\nSELECT 1'],
  ['Parse', 'SELECT $1::int', 'PARSE COMPLETE'],
  [
    'Bind',
    bound('', 'not a number'),
    /^ERROR RESPONSE \[Severity=ERROR InternalSeverity=ERROR Code=22P02 Message=invalid input syntax for type integer: "not a number" /,
  ],
];

const pipelined = (sql: string, desc: string, resp: string): Expected[] => [
  ['Parse', sql, 'PARSE COMPLETE'],
  ['Bind', 'portal= statement= parameters=[] result_format_codes=[kText]', 'BIND COMPLETE'],
  ['Describe', 'type=kPortal name=', desc],
  ['Execute', `query=[${sql}] params=[]`, resp],
];

export const PGBENCH_RECORDS: Expected[] = [
  ...pipelined('SELECT 1 AS a;', rowDesc([['a', 0, 0, 23, 4]]), '1\nSELECT 1'),
  ...pipelined('SELECT 2 + 2 AS b;', rowDesc([['b', 0, 0, 23, 4]]), '4\nSELECT 1'),
  ...pipelined("SELECT 'x' || 'y' AS c;", rowDesc([['c', 0, 0, 25, -1]]), 'xy\nSELECT 1'),
];

export const MARIADB_CLI_RECORDS: Expected[] = [
  [3, 'SELECT DATABASE()', 2, 'Resultset rows = 1'],
  [2, 'pxgate', 2, ''],
  [3, 'CREATE TABLE person (id INT PRIMARY KEY, name VARCHAR(20), email VARCHAR(40))', 2, ''],
  [3, "INSERT INTO person VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', NULL)", 2, ''],
  [3, 'SELECT id, name, email FROM person ORDER BY id', 2, 'Resultset rows = 2'],
  [3, 'SELECT nope FROM person', 3, "Unknown column 'nope' in 'SELECT'"],
  [1, '', 1, ''],
];

const THREE = 'SELECT name FROM person WHERE id = ? OR name = ? OR email = ?';
export const MYSQL2_RECORDS: Expected[] = [
  [22, 'SELECT ? + 1 AS n', 2, ''],
  [23, 'query=[SELECT ? + 1 AS n] params=[41.000000]', 2, 'Resultset rows = 1'],
  [23, 'query=[SELECT ? + 1 AS n] params=[1.500000]', 2, 'Resultset rows = 1'],
  [22, THREE, 2, ''],
  [23, `query=[${THREE}] params=[2.000000, alice, ]`, 2, 'Resultset rows = 2'],
  [22, 'SELECT nope FROM person WHERE id = ?', 3, "Unknown column 'nope' in 'SELECT'"],
  [
    3,
    'SELECT 1 AS one; SELECT id FROM person ORDER BY id',
    2,
    'Resultset rows = 1, Resultset rows = 2',
  ],
  [14, '', 2, ''],
  [25, '', 1, ''],
  [1, '', 1, ''],
];

export const MARIADB_CONNECTOR_RECORDS: Expected[] = [
  [3, 'SET NAMES utf8mb4', 2, ''],
  [3, 'SELECT 1 AS a', 2, 'Resultset rows = 1'],
  [3, 'SELECT 2 + 2 AS b', 2, 'Resultset rows = 1'],
  [3, 'DO 1', 2, ''],
  [22, 'SELECT id FROM person WHERE name = ?', 2, ''],
  [23, 'query=[SELECT id FROM person WHERE name = ?] params=[bob]', 2, 'Resultset rows = 1'],
  [1, '', 1, ''],
];

export const pgsqlFields = (r: PgsqlRecord) => [r.reqCmd, r.req, r.resp];
export const mysqlFields = (r: MysqlRecord) => [r.reqCmd, r.reqBody, r.respStatus, r.respBody];

/** Asserts records against expectations, field by field (RegExps match, the rest are equal). */
export function expectRecords(
  actual: readonly (readonly unknown[])[],
  expected: readonly Expected[],
): void {
  const matchers = expected.map((row) =>
    row.map((v) => (v instanceof RegExp ? expect.stringMatching(v) : v)),
  );
  expect(actual).toEqual(matchers);
}
