import { RespStatus } from '../../agent/src/protocols/mysql/mysql-protocol';
import { RunningDatabase } from '../support/db-server';
import { ebpfUnavailable } from '../support/ebpf';
import { mariadbUnavailable, startMariadb } from '../support/mariadb';
import { MARIADB_CLI_SQL } from '../support/sql-conversations';
import {
  Expected,
  MARIADB_CLI_RECORDS,
  MARIADB_CONNECTOR_RECORDS,
  MYSQL2_RECORDS,
  expectRecords,
} from '../support/sql-expected';
import { describeIfAvailable } from '../support/system';
import { Row, TracedGateway, runTraced } from '../support/traced-gateway';

const COLUMNS = ['req_cmd', 'req_body', 'resp_status', 'resp_body', 'latency', 'remote_port'];
const MARIADB = '/usr/bin/mariadb';

/**
 * mysql2 and the MariaDB connector in processes of their own, the conversations of
 * sql-conversations.ts: prepared statements (one executed twice, a NULL, one refused), a
 * multi-statement query, COM_PING, COM_STMT_CLOSE; the connector's pipeline of three queries.
 */
const MYSQL2 = `
const mysql = require('mysql2/promise');
(async () => {
  const conn = await mysql.createConnection({ ...JSON.parse(process.argv[1]), multipleStatements: true });
  const plusOne = await conn.prepare('SELECT ? + 1 AS n');
  await plusOne.execute([41]);
  await plusOne.execute([1.5]);
  await conn.execute('SELECT name FROM person WHERE id = ? OR name = ? OR email = ?', [2, 'alice', null]);
  await conn.execute('SELECT nope FROM person WHERE id = ?', [1]).catch(() => undefined);
  await conn.query('SELECT 1 AS one; SELECT id FROM person ORDER BY id');
  await conn.ping();
  plusOne.close();
  await conn.end();
})();
`;
const CONNECTOR = `
const mariadb = require('mariadb');
(async () => {
  const conn = await mariadb.createConnection({ ...JSON.parse(process.argv[1]), pipelining: true });
  await Promise.all([conn.query('SELECT 1 AS a'), conn.query('SELECT 2 + 2 AS b'), conn.query('DO 1')]);
  await conn.execute('SELECT id FROM person WHERE name = ?', ['bob']);
  await conn.end();
})();
`;

/** A row as the parsers' expected records put it. */
const fields = (r: Row) => [Number(r.req_cmd), r.req_body, Number(r.resp_status), r.resp_body];

describeIfAvailable(
  'the agent traces MariaDB, end to end on the real kernel',
  ebpfUnavailable() ?? mariadbUnavailable(),
  () => {
    let px: TracedGateway;
    let db: RunningDatabase;
    const account = () =>
      JSON.stringify({
        host: db.host,
        port: db.port,
        user: db.user,
        password: db.password,
        database: db.database,
      });

    beforeAll(async () => {
      // Literals unmasked, so that rows compare with the parsers' expected records.
      px = await TracedGateway.start('  sql:\n    maskLiterals: false\n');
      db = await startMariadb();
    }, 120000);

    afterAll(async () => {
      await db?.close();
      expect(await px?.stop()).toBe(0);
    });

    /** The client's rows (exactly `expected`) and the server's rows of the same connection. */
    async function expectBothSides(pid: number, expected: readonly Expected[]): Promise<void> {
      const client = await px.waitForRows('mysql_events', { pid }, expected.length, [
        ...COLUMNS,
        'local_port',
      ]);
      expectRecords(client.map(fields), expected);
      const ports = new Set(client.map((r) => r.local_port));
      const server = await px.waitForRows(
        'mysql_events',
        { localPort: db.port },
        expected.length,
        COLUMNS,
        (r) => ports.has(r.remote_port),
      );
      expectRecords(server.map(fields), expected);
      for (const r of client) expect(r).toMatchObject({ trace_role: 1, remote_port: db.port });
      for (const r of server) expect(r).toMatchObject({ trace_role: 2 });
      // A command that has no response (COM_QUIT, COM_STMT_CLOSE: status NONE) has no latency.
      for (const r of [...client, ...server]) {
        const answered = Number(r.resp_status) !== RespStatus.None;
        expect({ ...r, answered: Number(r.latency) > 0 }).toMatchObject({ answered });
      }
    }

    it("records each of the mariadb client's queries once per side, the one the server refuses included", async () => {
      const args = ['-h', db.host, '-P', String(db.port), '-u', db.user, `-p${db.password}`];
      const input = MARIADB_CLI_SQL.map((s) => `${s};\n`).join('');
      // The client stops at the refused query, the last one, with status 1.
      const cli = await runTraced(MARIADB, [...args, '--skip-ssl', db.database], {
        input,
        status: 1,
      });
      await expectBothSides(cli.pid, MARIADB_CLI_RECORDS);
    }, 120000);

    it("records each of mysql2's prepared statements and queries once per side", async () => {
      const node = await runTraced(process.execPath, ['-e', MYSQL2, account()]);
      await expectBothSides(node.pid, MYSQL2_RECORDS);
    }, 120000);

    it("records each query of the MariaDB connector's pipeline once per side", async () => {
      const node = await runTraced(process.execPath, ['-e', CONNECTOR, account()]);
      await expectBothSides(node.pid, MARIADB_CONNECTOR_RECORDS);
    }, 120000);
  },
);
