import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningDatabase } from '../support/db-server';
import { ebpfUnavailable } from '../support/ebpf';
import { libpqEnv, postgresUnavailable, startPostgres } from '../support/postgres';
import { PSQL_QUERIES } from '../support/sql-conversations';
import {
  Expected,
  NODE_PG_RECORDS,
  PGBENCH_RECORDS,
  PSQL_RECORDS,
  expectRecords,
} from '../support/sql-expected';
import { describeIfAvailable } from '../support/system';
import { Row, TracedGateway, runTraced } from '../support/traced-gateway';

const COLUMNS = ['req_cmd', 'req', 'resp', 'latency', 'remote_port', 'local_port'];
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

/**
 * Node's pg client in a process of its own, the conversation of sql-conversations.ts
 * (nodePgConversation): extended queries, a named statement run twice, a NULL, a refused Bind.
 */
const NODE_PG = `
const { Client } = require('pg');
(async () => {
  const client = new Client({ ssl: false });
  await client.connect();
  await client.query('SELECT $1::int + 1 AS n', [41]);
  const byId = { name: 'by-id', text: 'SELECT name, email FROM person WHERE id = $1' };
  await client.query({ ...byId, values: [1] });
  await client.query({ ...byId, values: [2] });
  await client.query('SELECT $1::text IS NULL AS missing', [null]);
  await client.query('SELECT $1::int', ['not a number']).catch(() => undefined);
  await client.end();
})();
`;

/** A row as the parsers' expected records put it: command, request text, response text. */
const fields = (r: Row) => [r.req_cmd, r.req, r.resp];

/** The rows of a server's backends that answered a client, by the client's ports. */
function ofClient(server: Row[], client: Row[]): Row[] {
  const ports = new Set(client.map((r) => r.local_port));
  return server.filter((r) => ports.has(r.remote_port));
}

describeIfAvailable(
  'the agent traces PostgreSQL 15, end to end on the real kernel',
  ebpfUnavailable() ?? postgresUnavailable(),
  () => {
    let px: TracedGateway;
    let pg: RunningDatabase;

    beforeAll(async () => {
      // Literals unmasked, so that rows compare with the parsers' expected records.
      px = await TracedGateway.start('  sql:\n    maskLiterals: false\n');
      pg = await startPostgres();
    }, 120000);

    afterAll(async () => {
      await pg?.close();
      expect(await px?.stop()).toBe(0);
    });

    /**
     * The client's rows (exactly `expected`) and the server's rows of the same connection (the
     * same records: each backend is a process of its own, found by the server's port).
     */
    async function expectBothSides(pid: number, expected: readonly Expected[]): Promise<void> {
      const client = await px.waitForRows('pgsql_events', { pid }, expected.length, COLUMNS);
      expectRecords(client.map(fields), expected);
      const server = ofClient(
        await px.waitForRows(
          'pgsql_events',
          { localPort: pg.port },
          expected.length,
          COLUMNS,
          (r) => client.some((c) => c.local_port === r.remote_port),
        ),
        client,
      );
      expectRecords(server.map(fields), expected);
      for (const r of client) {
        expect(r).toMatchObject({ trace_role: 1, remote_port: pg.port });
        expect(Number(r.latency)).toBeGreaterThan(0);
      }
      for (const r of server) {
        expect(r).toMatchObject({ trace_role: 2, local_port: pg.port });
        expect(Number(r.latency)).toBeGreaterThan(0);
      }
    }

    it("records each of psql's simple queries once per side, the one the server refuses included", async () => {
      const args = ['-X', ...PSQL_QUERIES.flatMap((q) => ['-c', q])];
      // psql stops at the refused query, the last one, with status 1.
      const psql = await runTraced('/usr/bin/psql', args, { env: libpqEnv(pg), status: 1 });
      await expectBothSides(psql.pid, PSQL_RECORDS);
    }, 120000);

    it("records each message of Node's pg client once per side: prepared statements, a NULL and a refused Bind", async () => {
      const node = await runTraced(process.execPath, ['-e', NODE_PG], { env: libpqEnv(pg) });
      await expectBothSides(node.pid, NODE_PG_RECORDS);
    }, 120000);

    it("records each message of pgbench's pipeline of extended queries once per side", async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pxgate-pgbench-'));
      const script = join(dir, 'pipeline.sql');
      writeFileSync(
        script,
        "\\startpipeline\nSELECT 1 AS a;\nSELECT 2 + 2 AS b;\nSELECT 'x' || 'y' AS c;\n\\endpipeline\n",
      );
      try {
        const args = ['-n', '-t', '1', '-M', 'extended', '-f', script];
        const bench = await runTraced(PGBENCH, args, { env: libpqEnv(pg) });
        await expectBothSides(bench.pid, PGBENCH_RECORDS);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120000);
  },
);
