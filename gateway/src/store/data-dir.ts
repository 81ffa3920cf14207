import { mkdir, open, readFile, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../common/atomic-file';
import { Logger } from '../../../shared/common/logger';
import { TableSchema } from '../../../shared/contract/types';
import { FsyncPolicy } from '../../../cli/config/schema';

const FORMAT = 1;
const MARKER = 'pxgate-data.json';
const LOCK = 'LOCK';
/** Directories this process holds: its own pid in a LOCK file cannot tell them apart. */
const HELD = new Set<string>();

/** A data directory that cannot be used: the message says which and why. */
export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

/**
 * The gateway's data directory (`store.dataDir`): the write-ahead log of every table
 * (`wal/TABLE/SEGMENT.seg`), the custom tables declared (`tables.json`), the ingest sequence
 * reached (`state.json`), export cursors (`exports/`) and process metadata (`metadata/`). One
 * gateway at a time: a LOCK file names the process that holds it.
 */
export class DataDir {
  private closed = false;

  private constructor(
    readonly path: string,
    readonly fsync: FsyncPolicy,
    /** The `interval` policy's period, in ms. */
    readonly fsyncIntervalMs: number,
  ) {}

  /** Opens (creating it if needed) and locks a data directory. */
  static async open(
    dirPath: string,
    fsync: FsyncPolicy,
    fsyncIntervalMs: number,
    log: Logger,
  ): Promise<DataDir> {
    const path = resolve(dirPath);
    if (HELD.has(path)) throw inUse(path, process.pid);
    try {
      await mkdir(path, { recursive: true, mode: 0o700 });
      await checkMarker(path);
      await lock(path, log);
    } catch (err) {
      if (err instanceof DataDirError) throw err;
      throw new DataDirError(`cannot use data directory ${path}: ${(err as Error).message}`);
    }
    HELD.add(path);
    const dir = new DataDir(path, fsync, fsyncIntervalMs);
    for (const sub of ['wal', 'exports', 'metadata']) {
      await mkdir(join(path, sub), { recursive: true, mode: 0o700 });
    }
    return dir;
  }

  /** Whether single-file writes (state, cursors) are flushed before they count as done. */
  get syncEachWrite(): boolean {
    return this.fsync === 'always';
  }

  sub(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  /** The next ingest sequence number recorded when segments were last evicted (1 if never). */
  async readNextSeq(): Promise<number> {
    const state = await readJson(this.sub('state.json'));
    const next = (state as { nextSeq?: unknown } | undefined)?.nextSeq;
    return Number.isSafeInteger(next) && (next as number) > 0 ? (next as number) : 1;
  }

  /** Records the next sequence number; flushed always, since it is written before logs are deleted. */
  writeNextSeq(nextSeq: number): Promise<void> {
    return writeFileAtomic(this.sub('state.json'), JSON.stringify({ nextSeq }), true);
  }

  /** The custom tables declared through the API, as they were declared. */
  async readTables(): Promise<unknown[]> {
    const saved = await readJson(this.sub('tables.json'));
    const tables = (saved as { tables?: unknown } | undefined)?.tables;
    return Array.isArray(tables) ? tables : [];
  }

  writeTables(schemas: readonly TableSchema[]): Promise<void> {
    const tables = schemas.map(({ name, description, columns }) => ({
      name,
      description,
      columns,
    }));
    // Always flushed: a table's log is unreadable without its declaration.
    return writeFileAtomic(this.sub('tables.json'), JSON.stringify({ tables }), true);
  }

  /** Releases the lock. Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await rm(this.sub(LOCK), { force: true });
    HELD.delete(this.path);
  }
}

/** A new or empty directory gets the marker; one with files but no marker is not ours. */
async function checkMarker(path: string): Promise<void> {
  const marker = await readJson(join(path, MARKER));
  if (marker === undefined) {
    // A fresh ext4 volume has lost+found at its root: mounting one as the directory is fine.
    const entries = (await readdir(path)).filter((e) => !e.startsWith('.') && e !== 'lost+found');
    if (entries.length > 0) {
      throw new DataDirError(
        `${path} holds files but is not a pxgate data directory (no ${MARKER}); give an empty or new directory`,
      );
    }
    await writeFileAtomic(join(path, MARKER), JSON.stringify({ format: FORMAT }), true);
    return;
  }
  const format = (marker as { format?: unknown }).format;
  if (format !== FORMAT) {
    throw new DataDirError(
      `${path} is a pxgate data directory of format ${String(format)}; this pxgate reads format ${FORMAT}`,
    );
  }
}

/**
 * Takes the LOCK file. A lock left by a process that is gone (killed) is taken over; one held
 * by a live process on this host is refused. A lock from another host cannot be checked: with
 * a volume that one node mounts at a time (ReadWriteOnce), its holder is gone, so it is taken
 * over with a warning.
 */
async function lock(path: string, log: Logger): Promise<void> {
  const file = join(path, LOCK);
  const mine = `${process.pid} ${hostname()}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      await fh.writeFile(mine);
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const [pidText, host] = (await readFile(file, 'utf8').catch(() => '')).trim().split(' ');
    const pid = Number(pidText);
    // Our own pid is a previous container's (pid 1 again, say): this process holds no lock here.
    if (host === hostname() && pid !== process.pid && isAlive(pid)) throw inUse(path, pid);
    if (host && host !== hostname()) {
      log.warn(
        { dataDir: path, holder: `${pidText} on ${host}` },
        'taking over the lock of another host',
      );
    }
    await rm(file, { force: true });
  }
  throw new DataDirError(`data directory ${path}: another process took its lock at the same time`);
}

function inUse(path: string, pid: number): DataDirError {
  return new DataDirError(
    `data directory ${path} is in use by process ${pid} (see its LOCK file); give each gateway its own directory (--data-dir DIR) or none (--in-memory)`,
  );
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A JSON file's content; undefined when it does not exist. A damaged file is an error. */
async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DataDirError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}
