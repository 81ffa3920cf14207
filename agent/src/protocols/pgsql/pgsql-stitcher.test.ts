import { ScriptStep, runScript } from '../../../../test/support/http-script';
import * as pg from '../../../../test/support/pg-wire';
import { DEFAULT_SQL_LIMITS } from '../sql/sql-limits';
import { PgsqlRecord, PgsqlStitcher } from './pgsql-stitcher';

const req = (...m: Buffer[]): ScriptStep => ({ kind: 'request', bytes: Buffer.concat(m) });
const resp = (...m: Buffer[]): ScriptStep => ({ kind: 'response', bytes: Buffer.concat(m) });
const short = (r: PgsqlRecord) => [r.reqCmd, r.req, r.resp];

const PERSON = 'SELECT * FROM person WHERE first_name=$1';
const ERR_42P01: [string, string][] = [
  ['S', 'ERROR'],
  ['V', 'ERROR'],
  ['C', '42P01'],
  ['M', 'relation "xxx" does not exist'],
  ['P', '15'],
  ['F', 'parse_relation.c'],
  ['L', '1194'],
  ['R', 'parserOpenTable'],
];

describe('PgsqlStitcher', () => {
  it('renders an extended query and simple queries as Pixie does', () => {
    const steps = [
      req(
        pg.parse('', PERSON, [25]),
        pg.describe('S', ''),
        pg.bind('', '', ['Jason']),
        pg.execute(''),
      ),
      req(pg.query('select * from table;'), pg.query('drop table foo;'), pg.query('ROLLBACK')),
      resp(
        pg.parseComplete(),
        pg.paramDescription([25]),
        pg.rowDescription(['first_name', 'last_name', 'email']),
        pg.bindComplete(),
        pg.dataRow(['Jason', 'Moiron', 'jmoiron@jmoiron.net']),
        pg.complete('SELECT 238'),
      ),
      resp(
        pg.rowDescription(['Name', 'Owner', 'Access privileges']),
        pg.dataRow(['postgres', 'postgres', null]),
        pg.complete('SELECT 238'),
        pg.ready(),
        pg.complete('DROP TABLE'),
        pg.ready(),
        pg.complete('ROLLBACK'),
        pg.ready(),
      ),
    ];
    const s = new PgsqlStitcher();
    const out = runScript(s, steps);
    const desc = (n: string, i: number) =>
      `name=${n} table_oid=16384 attr_num=${i} type_oid=25 type_size=-1 type_modifier=-1 fmt_code=kText`;
    expect(out.map(short)).toEqual([
      ['Parse', PERSON, 'PARSE COMPLETE'],
      [
        'Describe',
        'type=kStatement name=',
        `ROW DESCRIPTION [${desc('first_name', 1)}] [${desc('last_name', 2)}] [${desc('email', 3)}]`,
      ],
      [
        'Bind',
        'portal= statement= parameters=[[format=kText value=Jason]] result_format_codes=[]',
        'BIND COMPLETE',
      ],
      [
        'Execute',
        `query=[${PERSON}] params=[Jason]`,
        'Jason,Moiron,jmoiron@jmoiron.net\nSELECT 238',
      ],
      [
        'Query',
        'select * from table;',
        'Name,Owner,Access privileges\npostgres,postgres,[NULL]\nSELECT 238',
      ],
      ['Query', 'drop table foo;', 'DROP TABLE'],
      ['Query', 'ROLLBACK', 'ROLLBACK'],
    ]);
    expect(s.errors()).toBe(0);
    expect(out.map((r) => r.endTs - r.startTs)).toEqual([2000, 2000, 2000, 2000, 2000, 2000, 2000]);
  });

  it('shows an error with Pixie’s field names and skips what the server skipped until Sync', () => {
    const steps = [
      req(pg.parse('', 'SELECT * FROM xxx'), pg.bind('', '', []), pg.execute(''), pg.sync()),
      resp(pg.error(ERR_42P01), pg.ready()),
      req(pg.query('SELECT 1')),
      resp(pg.rowDescription(['?column?']), pg.dataRow(['1']), pg.complete('SELECT 1'), pg.ready()),
    ];
    const s = new PgsqlStitcher();
    expect(runScript(s, steps).map(short)).toEqual([
      [
        'Parse',
        'SELECT * FROM xxx',
        'ERROR RESPONSE [Severity=ERROR InternalSeverity=ERROR Code=42P01 ' +
          'Message=relation "xxx" does not exist Position=15 File=parse_relation.c Line=1194 ' +
          'Routine=parserOpenTable]',
      ],
      ['Query', 'SELECT 1', '?column?\n1\nSELECT 1'],
    ]);
    expect(s.errors()).toBe(0);
  });

  it('follows named statements and portals through a pipeline of two Syncs', () => {
    const steps = [
      req(
        pg.parse('s1', 'SELECT $1::int + 1'),
        pg.sync(),
        pg.bind('p1', 's1', ['41']),
        pg.execute('p1'),
        pg.bind('', 's1', [null]),
        pg.execute(''),
        pg.close('S', 's1'),
        pg.sync(),
      ),
      resp(pg.parseComplete(), pg.ready()),
      resp(
        pg.bindComplete(),
        pg.dataRow(['42']),
        pg.complete('SELECT 1'),
        pg.bindComplete(),
        pg.dataRow([null]),
        pg.complete('SELECT 1'),
        pg.closeComplete(),
        pg.ready(),
      ),
      req(pg.bind('', 's1', ['1']), pg.execute(''), pg.sync()),
      resp(
        pg.error([
          ['S', 'ERROR'],
          ['C', '26000'],
          ['M', 'prepared statement "s1" does not exist'],
        ]),
        pg.ready(),
      ),
    ];
    const s = new PgsqlStitcher();
    const out = runScript(s, steps).map(short);
    expect(out.filter((r) => r[0] === 'Execute')).toEqual([
      ['Execute', 'query=[SELECT $1::int + 1] params=[41]', '42\nSELECT 1'],
      ['Execute', 'query=[SELECT $1::int + 1] params=[[NULL]]', '[NULL]\nSELECT 1'],
    ]);
    expect(out.at(-1)).toEqual([
      'Bind',
      'portal= statement=s1 parameters=[[format=kText value=1]] result_format_codes=[]',
      'ERROR RESPONSE [Severity=ERROR Code=26000 Message=prepared statement "s1" does not exist]',
    ]);
    expect(s.errors()).toBe(0);
  });

  it('skips the startup, authentication and parameter reports, and counts an accepted SSLRequest', () => {
    const plain = new PgsqlStitcher();
    const out = runScript(plain, [
      req(pg.sslRequest()),
      resp(Buffer.from('N')),
      req(pg.startup('postgres')),
      resp(pg.authOk(), pg.paramStatus('server_version', '15.18'), pg.backendKey(), pg.ready()),
      req(pg.query('SELECT 1')),
      resp(pg.paramStatus('TimeZone', 'UTC'), pg.complete('SELECT 0'), pg.ready()),
    ]);
    expect(out.map(short)).toEqual([['Query', 'SELECT 1', 'SELECT 0']]);
    expect(plain.opaque()).toBe(false);

    const tls = new PgsqlStitcher();
    const steps = [
      req(pg.sslRequest()),
      resp(Buffer.from('S')),
      req(Buffer.from('\x16\x03\x01\x02\x00')),
      resp(Buffer.from('\x16\x03\x03')),
    ];
    expect(runScript(tls, steps)).toEqual([]);
    expect(tls.opaque()).toBe(true);
    expect(tls.errors()).toBe(0);
  });

  it('keeps the first characters of a huge query and result, and reads every row to the end', () => {
    const limits = { ...DEFAULT_SQL_LIMITS, maxTextChars: 64, maxMessageBytes: 128 };
    const big = 'x'.repeat(100_000);
    const rows = Array.from({ length: 50 }, (_, i) => pg.dataRow([String(i), big]));
    const s = new PgsqlStitcher(limits);
    const out = runScript(s, [
      req(pg.query(`SELECT i, '${big}' FROM generate_series(0, 49) i`)),
      resp(pg.rowDescription(['i', 'x'])),
      ...rows.map((r) => resp(r)),
      resp(pg.complete('SELECT 50'), pg.ready()),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]!.req).toHaveLength(64);
    expect(out[0]!.resp).toBe(`i,x\n0,${'x'.repeat(58)}`);
    expect(s.errors()).toBe(0);
  });

  it('masks literals, parameters, values and quoted message values when asked', () => {
    const s = new PgsqlStitcher({ ...DEFAULT_SQL_LIMITS, maskLiterals: true });
    const out = runScript(s, [
      req(pg.query("SELECT name FROM users WHERE email = 'a@b.c' AND age > 30")),
      resp(pg.rowDescription(['name']), pg.dataRow(['alice']), pg.complete('SELECT 1'), pg.ready()),
      req(
        pg.parse('', 'INSERT INTO users VALUES ($1, 7)'),
        pg.bind('', '', ['bob', null]),
        pg.execute(''),
        pg.sync(),
      ),
      resp(
        pg.parseComplete(),
        pg.bindComplete(),
        pg.error([
          ['S', 'ERROR'],
          ['C', '23505'],
          ['M', 'duplicate key'],
          ['D', 'Key (email)=(bob@x.y) already exists.'],
        ]),
        pg.ready(),
      ),
    ]);
    expect(out.map(short)).toEqual([
      ['Query', "SELECT name FROM users WHERE email = '?' AND age > '?'", 'name\n?\nSELECT 1'],
      ['Parse', "INSERT INTO users VALUES ($1, '?')", 'PARSE COMPLETE'],
      [
        'Bind',
        'portal= statement= parameters=[[format=kText value=?], [format=kText value=[NULL]]] result_format_codes=[]',
        'BIND COMPLETE',
      ],
      [
        'Execute',
        "query=[INSERT INTO users VALUES ($1, '?')] params=[?, [NULL]]",
        'ERROR RESPONSE [Severity=ERROR Code=23505 Message=duplicate key Detail=Key (email)=(?) already exists.]',
      ],
    ]);
  });

  it('drops answers older than the request they would pair with, and counts them', () => {
    const s = new PgsqlStitcher();
    const out = runScript(s, [
      { kind: 'response', ts: 10, bytes: Buffer.concat([pg.complete('SELECT 1'), pg.ready()]) },
      { kind: 'request', ts: 20, bytes: pg.query('SELECT 2') },
      { kind: 'response', ts: 30, bytes: Buffer.concat([pg.complete('SELECT 2'), pg.ready()]) },
    ]);
    expect(out.map(short)).toEqual([['Query', 'SELECT 2', 'SELECT 2']]);
    expect(s.errors()).toBe(2);
  });

  it('pairs answers that arrive before their request was pushed', () => {
    const s = new PgsqlStitcher();
    const out = runScript(s, [
      { kind: 'response', ts: 30, bytes: Buffer.concat([pg.complete('SELECT 2'), pg.ready()]) },
      { kind: 'request', ts: 20, bytes: pg.query('SELECT 2') },
    ]);
    expect(out.map(short)).toEqual([['Query', 'SELECT 2', 'SELECT 2']]);
    expect(s.errors()).toBe(0);
  });

  it('holds answers without a request within its bounds, and counts the ones it drops', () => {
    const limits = { ...DEFAULT_SQL_LIMITS, maxPendingRequests: 8 };
    const s = new PgsqlStitcher(limits);
    const flood = Array.from({ length: 100 }, () => resp(pg.complete('SELECT 1'), pg.ready()));
    expect(runScript(s, flood, false)).toEqual([]);
    expect(s.errors()).toBe(200 - 8);
    expect(runScript(s, [], true)).toEqual([]);
    expect(s.errors()).toBe(200);
  });
});
