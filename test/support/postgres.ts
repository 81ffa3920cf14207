import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningDatabase, startServerProcess } from './db-server';
import { freePort } from './prometheus';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PSQL = '/usr/bin/psql';
/** Postgres refuses to run as root: the server runs as nobody, in a directory nobody owns. */
const NOBODY = 65534;

/** Why a PostgreSQL 15 server cannot be started here, or undefined when it can. */
export function postgresUnavailable(): string | undefined {
  for (const bin of ['initdb', 'postgres', 'pgbench']) {
    if (!existsSync(join(PG_BIN, bin)))
      return `${PG_BIN}/${bin} not found (apt-get install postgresql)`;
  }
  if (!existsSync(PSQL)) return 'psql not found (apt-get install postgresql-client)';
  if (process.getuid?.() !== 0) return 'starting postgres as another user needs root';
  return undefined;
}

/**
 * A PostgreSQL 15 server for a test: a fresh cluster (initdb, SCRAM passwords) in a temporary
 * directory, run as nobody on a free loopback port.
 */
export async function startPostgres(): Promise<RunningDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-pg-'));
  chownSync(dir, NOBODY, NOBODY);
  const password = 'pxgate-test';
  writeFileSync(join(dir, 'pw'), `${password}\n`);
  chownSync(join(dir, 'pw'), NOBODY, NOBODY);
  const asNobody = { uid: NOBODY, gid: NOBODY, cwd: dir };
  const data = join(dir, 'data');
  const init = spawnSync(
    join(PG_BIN, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pw')}`],
    { ...asNobody, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const db = { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' };
  const server = await startServerProcess(
    'postgres',
    join(PG_BIN, 'postgres'),
    ['-D', data, '-k', dir, '-p', String(port), '-h', '127.0.0.1'],
    { dir, signal: 'SIGINT', spawn: asNobody },
    () =>
      spawnSync(PSQL, ['-c', ''], { env: { ...libpqEnv(db), PGCONNECT_TIMEOUT: '2' } }).status ===
      0,
  );
  return { ...db, close: server.close };
}

/** The environment for psql and pgbench to reach `pg` through `port` (a proxy, or the server). */
export function libpqEnv(pg: Omit<RunningDatabase, 'close'>, port = pg.port): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: pg.host,
    PGPORT: String(port),
    PGUSER: pg.user,
    PGPASSWORD: pg.password,
    PGDATABASE: pg.database,
    PGSSLMODE: 'disable',
  };
}
