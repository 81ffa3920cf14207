import {
  executeText,
  normalizeMysqlJson,
  normalizePgsqlJson,
  normalizeSql,
  parseExecuteText,
} from './normalize';

// Pixie's own cases (src/carnot/funcs/builtins/sql_parsing/normalization_test.cc).
const PIXIE_PGSQL: [string, string[], string, string[]][] = [
  ['SELECT 1', [], 'SELECT $1', ['1']],
  [
    "SELECT * FROM test WHERE prop=1234 AND prop2='abcd'",
    [],
    'SELECT * FROM test WHERE prop=$1 AND prop2=$2',
    ['1234', "'abcd'"],
  ],
  [
    'CREATE TABLE test (name varchar(20), address text, foo int, bar text)',
    [],
    'CREATE TABLE test (name varchar(20), address text, foo int, bar text)',
    [],
  ],
  [
    "UPDATE test SET age=10 where name='abcd'",
    [],
    'UPDATE test SET age=$1 where name=$2',
    ['10', "'abcd'"],
  ],
  ['SELECT * from test where abcd >= 11', [], 'SELECT * from test where abcd >= $1', ['11']],
  [
    "SELECT 'abcd' as col1, 1234 as col2, 1.2345 as col3 into my_new_table",
    [],
    'SELECT $1 as col1, $2 as col2, $3 as col3 into my_new_table',
    ["'abcd'", '1234', '1.2345'],
  ],
  ['SELECT length(abcd) + 1 from test', [], 'SELECT length(abcd) + $1 from test', ['1']],
  [
    'SELECT * from test WHERE name=$1 AND tag=1234 AND property=$2',
    ["'abcd'", '1.23'],
    'SELECT * from test WHERE name=$1 AND tag=$2 AND property=$3',
    ["'abcd'", '1234', '1.23'],
  ],
  [
    'SELECT * from test WHERE name=$1 AND tag=1234 AND property=$1',
    ["'abcd'"],
    'SELECT * from test WHERE name=$1 AND tag=$2 AND property=$3',
    ["'abcd'", '1234', "'abcd'"],
  ],
  [
    "INSERT INTO test (a, b, c, d, e) VALUES (1, 'abcd', 1.23, true, E'\\\\xDEADBEEF')",
    [],
    'INSERT INTO test (a, b, c, d, e) VALUES ($1, $2, $3, $4, $5)',
    ['1', "'abcd'", '1.23', 'true', "E'\\\\xDEADBEEF'"],
  ],
];

const PIXIE_MYSQL: [string, string[], string, string[]][] = [
  ['SELECT 1', [], 'SELECT ?', ['1']],
  [
    "SELECT * FROM test WHERE prop=1234 AND prop2='abcd'",
    [],
    'SELECT * FROM test WHERE prop=? AND prop2=?',
    ['1234', "'abcd'"],
  ],
  [
    'CREATE TABLE test (name text, address text, foo int, bar text)',
    [],
    'CREATE TABLE test (name text, address text, foo int, bar text)',
    [],
  ],
  [
    "UPDATE test SET age=10 where name='abcd'",
    [],
    'UPDATE test SET age=? where name=?',
    ['10', "'abcd'"],
  ],
  ['SELECT * from test where abcd >= 11', [], 'SELECT * from test where abcd >= ?', ['11']],
  [
    "INSERT INTO my_new_table SELECT 'abcd' as col1, 1234 as col2, 1.2345 as col3",
    [],
    'INSERT INTO my_new_table SELECT ? as col1, ? as col2, ? as col3',
    ["'abcd'", '1234', '1.2345'],
  ],
  ['SELECT length(abcd) + 1 from test', [], 'SELECT length(abcd) + ? from test', ['1']],
  [
    'SELECT * from test WHERE name=? AND tag=1234 AND property=?',
    ["'abcd'", '1.23'],
    'SELECT * from test WHERE name=? AND tag=? AND property=?',
    ["'abcd'", '1234', '1.23'],
  ],
  [
    "INSERT INTO test (a, b, c, d, e) VALUES (1, 'abcd', 1.23, true, X'DEADBEEF')",
    [],
    'INSERT INTO test (a, b, c, d, e) VALUES (?, ?, ?, ?, ?)',
    ['1', "'abcd'", '1.23', 'true', "X'DEADBEEF'"],
  ],
];

describe('normalizeSql', () => {
  it.each(PIXIE_PGSQL)('pgsql: %s gives Pixie’s normalized query', (sql, values, query, params) => {
    expect(normalizeSql(sql, 'pgsql', values)).toEqual({ query, params });
  });

  it.each(PIXIE_MYSQL)('mysql: %s gives Pixie’s normalized query', (sql, values, query, params) => {
    expect(normalizeSql(sql, 'mysql', values)).toEqual({ query, params });
  });

  it.each([
    ['pgsql', "SELECT $tag$it's 42$tag$, $$x$$, U&'d\\0061t', B'101', 'a''b'", 5],
    ['pgsql', 'SELECT "col 1" FROM "t" -- 42\n/* 1 /* 2 */ 3 */ WHERE x = .5e-3', 1],
    ['pgsql', 'SELECT x::numeric(10,2), CAST(y AS character varying(30)) FROM t LIMIT 10', 1],
    ['mysql', "SELECT `col 1`, \"dq\", 'it\\'s', _utf8mb4'x' 'y', 0x1F, 0b101, b'1' # 7\n", 6],
    ['mysql', 'SELECT * FROM t WHERE a IS NULL AND b IS NOT NULL LIMIT 5, 10', 0],
    ['mysql', 'INSERT INTO t VALUES (NULL, -5, 1e3) -- x\n', 3],
    ['mysql', 'SELECT @a, @@session.sql_mode, 1abc FROM t WHERE c = ?', 1],
  ] as const)('%s: finds the constants and placeholders of %j', (dialect, sql, count) => {
    const r = normalizeSql(sql, dialect, ['v']);
    expect('params' in r && r.params).toHaveLength(count);
  });

  it('keeps a MySQL integer’s sign with it and leaves a binary minus alone', () => {
    expect(normalizeSql('SELECT a -5, -5, a - 2.5 FROM t WHERE x = -7', 'mysql')).toEqual({
      query: 'SELECT a -?, ?, a - ? FROM t WHERE x = ?',
      params: ['5', '-5', '2.5', '-7'],
    });
    expect(normalizeSql('SELECT -5', 'pgsql')).toEqual({ query: 'SELECT -$1', params: ['5'] });
  });

  it('fails as Pixie does on placeholders without values and on text it cannot read', () => {
    expect(normalizeSql('SELECT $1', 'pgsql')).toEqual({
      error: 'Query has more parameter placeholders in it than parameter values were passed in',
    });
    expect(normalizeSql('SELECT $0', 'pgsql', ['x'])).toEqual({ error: 'Placeholder $0 invalid' });
    expect(normalizeSql('SELECT ?, ?', 'mysql', ['x'])).toMatchObject({ error: /more parameter/ });
    expect(normalizeSql("SELECT 1,\n 'abc", 'pgsql')).toEqual({
      error: 'SQL Parsing Failed: line 2:1 with: unterminated quoted text',
    });
  });
});

describe('px.normalize_pgsql and px.normalize_mysql', () => {
  it('return the JSON of Pixie’s documented examples', () => {
    expect(normalizePgsqlJson("SELECT * FROM test WHERE prop='abcd'", 'Query')).toBe(
      '{"query":"SELECT * FROM test WHERE prop=$1","params":["\'abcd\'"]}',
    );
    expect(normalizeMysqlJson("SELECT * FROM test WHERE prop=@a AND prop2='abcd'", 3)).toBe(
      '{"query":"SELECT * FROM test WHERE prop=@a AND prop2=?","params":["\'abcd\'"]}',
    );
  });

  it('read an Execute’s query and parameters from the agent’s text', () => {
    const req = executeText('SELECT * FROM person WHERE first_name=$1 AND age > 30', ['Jason']);
    expect(req).toBe(
      'query=[SELECT * FROM person WHERE first_name=$1 AND age > 30] params=[Jason]',
    );
    expect(JSON.parse(normalizePgsqlJson(req, 'Execute'))).toEqual({
      query: 'SELECT * FROM person WHERE first_name=$1 AND age > $2',
      params: ['Jason', '30'],
    });
    const my = executeText('SELECT ? + 1', ['41.000000']);
    expect(JSON.parse(normalizeMysqlJson(my, 23n))).toEqual({
      query: 'SELECT ? + ?',
      params: ['41.000000', '1'],
    });
  });

  it('split an Execute’s text where Pixie does', () => {
    expect(parseExecuteText('query=[SELECT a[1] FROM t] params=[x, y]')).toEqual({
      query: 'SELECT a[1',
      params: ['] FROM t] params=[x', 'y'],
    });
    expect(parseExecuteText('query=[SELECT 1] params=[]')).toEqual({
      query: 'SELECT 1',
      params: [''],
    });
  });

  it('refuse other commands with Pixie’s message', () => {
    expect(JSON.parse(normalizePgsqlJson('x', 'Parse'))).toEqual({
      error: "cmd_code must be one of 'Query' or 'Execute'",
    });
    expect(JSON.parse(normalizeMysqlJson('x', 22))).toEqual({
      error: "cmd_code must be one of '3' or '23'",
    });
  });
});
