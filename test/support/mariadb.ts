import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './command';
import { RunningDatabase, startServerProcess } from './db-server';
import { freePort } from './prometheus';

const MARIADBD = process.env.MARIADBD_BIN ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.MARIADB_INSTALL_DB_BIN ?? '/usr/bin/mariadb-install-db';
const CLIENT = '/usr/bin/mariadb';

/** Why a MariaDB server cannot be started here, or undefined when it can. */
export function mariadbUnavailable(): string | undefined {
  for (const bin of [MARIADBD, INSTALL_DB, CLIENT]) {
    if (!existsSync(bin)) return `${bin} not found (apt-get install mariadb-server)`;
  }
  return undefined;
}

/**
 * A MariaDB server for a test: a fresh data directory (mariadb-install-db) in a temporary
 * directory on a free loopback port, with a password user `pxgate` owning database `pxgate`.
 */
export async function startMariadb(): Promise<RunningDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-mariadb-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const init = spawnSync(
    INSTALL_DB,
    [`--datadir=${data}`, ...user, '--auth-root-authentication-method=socket', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${init.stdout}${init.stderr}`);
  }
  const port = await freePort();
  const admin = (sql: string) =>
    spawnSync(CLIENT, [`--socket=${socket}`, '-u', 'root', '-e', sql], { encoding: 'utf8' });
  const server = await startServerProcess(
    'mariadbd',
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      ...user,
    ],
    { dir, signal: 'SIGTERM' },
    () => admin('').status === 0,
  );
  const password = 'pxgate-test';
  const setup = admin(
    [
      'CREATE DATABASE pxgate',
      `CREATE USER 'pxgate'@'127.0.0.1' IDENTIFIED BY '${password}'`,
      "GRANT ALL ON pxgate.* TO 'pxgate'@'127.0.0.1'",
    ].join(';'),
  );
  if (setup.status !== 0) {
    await server.close();
    throw new Error(`mariadb setup failed: ${setup.stderr}`);
  }
  return {
    host: '127.0.0.1',
    port,
    user: 'pxgate',
    password,
    database: 'pxgate',
    close: server.close,
  };
}

/** Runs the `mariadb` command-line client through `port` with `sql` as its input. */
export async function mariadbCli(db: RunningDatabase, port: number, sql: string): Promise<string> {
  const res = await runCommand(
    CLIENT,
    [
      '-h',
      db.host,
      '-P',
      String(port),
      '-u',
      db.user,
      `-p${db.password}`,
      '--skip-ssl',
      db.database,
    ],
    { input: sql },
  );
  return `${res.stdout}${res.stderr}`;
}
