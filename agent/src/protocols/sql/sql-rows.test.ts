import { mysqlEventRow } from '../mysql/mysql-rows';
import { pgsqlEventRow } from '../pgsql/pgsql-rows';
import { SqlEndpoint } from './sql-endpoint';

const ep: SqlEndpoint = {
  upid: { high: (7n << 32n) | 1234n, low: 99n },
  role: 1,
  localAddr: '127.0.0.1',
  localPort: 41000,
  remoteAddr: '127.0.0.1',
  remotePort: 5432,
};
const clock = { fromMonotonic: (ns: number) => 1_700_000_000_000_000_000n + BigInt(ns) };
const COMMON = [
  'time_',
  'upid',
  'remote_addr',
  'remote_port',
  'local_addr',
  'local_port',
  'trace_role',
  'encrypted',
];

describe('database rows', () => {
  it('pgsql_events: Pixie’s columns in order, time_ at the response’s end, latency from the request’s start', () => {
    const row = pgsqlEventRow(
      { reqCmd: 'Query', req: 'SELECT 1', resp: '1\nSELECT 1', startTs: 1000, endTs: 251_000 },
      ep,
      clock,
    );
    expect(Object.keys(row)).toEqual([...COMMON, 'req_cmd', 'req', 'resp', 'latency']);
    expect(row).toMatchObject({
      time_: 1_700_000_000_000_251_000n,
      upid: ep.upid,
      remote_port: 5432,
      trace_role: 1,
      encrypted: false,
      req_cmd: 'Query',
      req: 'SELECT 1',
      resp: '1\nSELECT 1',
      latency: 250_000,
    });
  });

  it('mysql_events: INT64 command and status, and encrypted taken from the endpoint', () => {
    const rec = {
      reqCmd: 3,
      reqBody: 'SELECT 1',
      respStatus: 2,
      respBody: 'Resultset rows = 1',
      startTs: 10,
      endTs: 30,
    };
    const row = mysqlEventRow(rec, { ...ep, remotePort: 3306, encrypted: true }, clock);
    expect(Object.keys(row)).toEqual([
      ...COMMON,
      'req_cmd',
      'req_body',
      'resp_status',
      'resp_body',
      'latency',
    ]);
    expect(row).toMatchObject({
      encrypted: true,
      req_cmd: 3,
      resp_status: 2,
      resp_body: 'Resultset rows = 1',
      latency: 20,
    });
  });
});
