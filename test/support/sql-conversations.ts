import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createConnection as mysql2Connection } from 'mysql2/promise';
import { createConnection as mariadbConnection } from 'mariadb';
import { runCommand } from './command';
import { RunningDatabase } from './db-server';
import { ScriptStep } from './http-script';
import { mariadbCli } from './mariadb';
import { libpqEnv } from './postgres';
import { RecordedChunk, TcpRecorder } from './tcp-recorder';

/**
 * The conversations the PostgreSQL and MySQL parser tests are recorded from (see the testdata
 * READMEs): real clients talking to real servers through a recording proxy. Each function runs
 * one client and returns the connection it made.
 */

/** The connections `run` made through `rec`, once the proxy has seen them end. */
async function recorded(rec: TcpRecorder, run: () => Promise<unknown>): Promise<RecordedChunk[][]> {
  const before = rec.connections().length;
  await run();
  await rec.settled();
  return rec.connections().slice(before);
}

/** The one connection that carried a conversation (clients may open a probe connection too). */
function busiest(conns: RecordedChunk[][]): RecordedChunk[] {
  return conns.reduce((a, b) => (b.length > a.length ? b : a), []);
}

/** What a client needs to log in. */
const account = ({ host, user, password, database }: RunningDatabase) => ({
  host,
  user,
  password,
  database,
});

export const PSQL_QUERIES = [
  'CREATE TABLE person (id int PRIMARY KEY, name text, email text)',
  "INSERT INTO person VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', NULL)",
  'SELECT id, name, email FROM person ORDER BY id',
  'SELECT nope FROM person',
];

/** psql, simple query protocol: DDL, an insert, a select, an error. */
export async function psqlConversation(db: RunningDatabase, rec: TcpRecorder) {
  const args = ['-X', ...PSQL_QUERIES.flatMap((q) => ['-c', q])];
  return busiest(
    await recorded(rec, () => runCommand('/usr/bin/psql', args, { env: libpqEnv(db, rec.port) })),
  );
}

/**
 * Node's pg client, extended query protocol: unnamed and named statements (the named one run
 * twice: parsed once), a NULL parameter, and a parameter the server refuses.
 */
export async function nodePgConversation(db: RunningDatabase, rec: TcpRecorder) {
  return busiest(
    await recorded(rec, async () => {
      const client = new Client({ ...account(db), port: rec.port, ssl: false });
      await client.connect();
      await client.query('SELECT $1::int + 1 AS n', [41]);
      const byId = { name: 'by-id', text: 'SELECT name, email FROM person WHERE id = $1' };
      await client.query({ ...byId, values: [1] });
      await client.query({ ...byId, values: [2] });
      await client.query('SELECT $1::text IS NULL AS missing', [null]);
      await client.query('SELECT $1::int', ['not a number']).catch(() => undefined);
      await client.end();
    }),
  );
}

/** pgbench running one pipeline (\startpipeline ... \endpipeline: one Sync for three queries). */
export async function pgbenchConversation(db: RunningDatabase, rec: TcpRecorder) {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-pgbench-'));
  const script = join(dir, 'pipeline.sql');
  writeFileSync(
    script,
    [
      '\\startpipeline',
      'SELECT 1 AS a;',
      'SELECT 2 + 2 AS b;',
      "SELECT 'x' || 'y' AS c;",
      '\\endpipeline',
      '',
    ].join('\n'),
  );
  try {
    const pgbench = '/usr/lib/postgresql/15/bin/pgbench';
    const args = ['-n', '-t', '1', '-M', 'extended', '-f', script];
    return busiest(
      await recorded(rec, () => runCommand(pgbench, args, { env: libpqEnv(db, rec.port) })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const MARIADB_CLI_SQL = [
  'USE pxgate',
  'CREATE TABLE person (id INT PRIMARY KEY, name VARCHAR(20), email VARCHAR(40))',
  "INSERT INTO person VALUES (1, 'alice', 'alice@example.com'), (2, 'bob', NULL)",
  'SELECT id, name, email FROM person ORDER BY id',
  'SELECT nope FROM person',
];

/** The mariadb command-line client: COM_INIT_DB, DDL, an insert, a select, an error, COM_QUIT. */
export async function mariadbCliConversation(db: RunningDatabase, rec: TcpRecorder) {
  const input = MARIADB_CLI_SQL.map((s) => `${s};\n`).join('');
  return busiest(await recorded(rec, () => mariadbCli(db, rec.port, input)));
}

/**
 * mysql2, prepared statements: a statement prepared once and executed twice (the second time
 * reusing the bound types), a NULL and a string parameter, a statement the server refuses, a
 * multi-statement query (two result sets), COM_PING and COM_STMT_CLOSE.
 */
export async function mysql2Conversation(db: RunningDatabase, rec: TcpRecorder) {
  return busiest(
    await recorded(rec, async () => {
      const conn = await mysql2Connection({
        ...account(db),
        port: rec.port,
        multipleStatements: true,
      });
      const plusOne = await conn.prepare('SELECT ? + 1 AS n');
      await plusOne.execute([41]);
      await plusOne.execute([1.5]);
      await conn.execute('SELECT name FROM person WHERE id = ? OR name = ? OR email = ?', [
        2,
        'alice',
        null,
      ]);
      await conn.execute('SELECT nope FROM person WHERE id = ?', [1]).catch(() => undefined);
      await conn.query('SELECT 1 AS one; SELECT id FROM person ORDER BY id');
      await conn.ping();
      plusOne.close();
      await conn.end();
    }),
  );
}

/**
 * The MariaDB connector, which pipelines: three queries sent before any answer, then a prepared
 * statement whose COM_STMT_EXECUTE follows its COM_STMT_PREPARE at once (statement id -1).
 */
export async function mariadbConnectorConversation(db: RunningDatabase, rec: TcpRecorder) {
  return busiest(
    await recorded(rec, async () => {
      const conn = await mariadbConnection({ ...account(db), port: rec.port, pipelining: true });
      await Promise.all([
        conn.query('SELECT 1 AS a'),
        conn.query('SELECT 2 + 2 AS b'),
        conn.query('DO 1'),
      ]);
      await conn.execute('SELECT id FROM person WHERE name = ?', ['bob']);
      await conn.end();
    }),
  );
}

/** A capture file (testdata format) as script steps, one per recorded read. */
export function captureSteps(path: string): ScriptStep[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const e = JSON.parse(line) as { kind: 'request' | 'response'; ts: number; data: string };
      return { kind: e.kind, ts: e.ts, bytes: Buffer.from(e.data, 'base64') };
    });
}

/** Recorded chunks as script steps. */
export function chunkSteps(chunks: readonly RecordedChunk[]): ScriptStep[] {
  return chunks.map((c) => ({ kind: c.kind, ts: c.ts, bytes: c.data }));
}

/** Every byte of a conversation in its own syscall, same positions and times. */
export function bytewise(steps: readonly ScriptStep[]): ScriptStep[] {
  return steps.flatMap((s) =>
    Array.from(s.bytes as Uint8Array, (b) => ({ kind: s.kind, ts: s.ts, bytes: Uint8Array.of(b) })),
  );
}
