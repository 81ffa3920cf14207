import { FileHandle, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeFileAtomic } from '../../common/atomic-file';
import { Logger } from '../../../../shared/common/logger';
import { FsyncPolicy } from '../../../../cli/config/schema';
import { DataDir } from '../data-dir';
import { frame, readFrames } from './frames';

/**
 * One append-only file of framed records (length and CRC-32 each), for state that is told to
 * the gateway once and must come back after a restart (process metadata). Opening reads the
 * records back and cuts a torn last one; `rewrite` replaces the whole file atomically, to
 * compact it.
 */
export class RecordLog {
  private dirty = false;
  private readonly timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly path: string,
    private fh: FileHandle,
    private size: number,
    private readonly fsync: FsyncPolicy,
    intervalMs: number,
    private readonly log: Logger,
  ) {
    if (fsync === 'interval') {
      this.timer = setInterval(() => void this.flush(), intervalMs);
      this.timer.unref();
    }
  }

  /** Opens (or creates) a log and returns it with the payloads it holds, oldest first. */
  static async open(
    path: string,
    fsync: FsyncPolicy,
    intervalMs: number,
    log: Logger,
  ): Promise<{ records: RecordLog; payloads: Buffer[] }> {
    const buf = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!buf) {
      // A new file: its name is flushed to the directory once, its records as the policy says.
      await (await open(path, 'a', 0o600)).close();
      if (fsync !== 'never') await syncDirectory(dirname(path));
      return RecordLog.open(path, fsync, intervalMs, log);
    }
    const scan = readFrames(buf);
    if (scan.problem !== undefined) {
      log.warn(
        {
          file: path,
          atByte: scan.validBytes,
          bytesDropped: buf.length - scan.validBytes,
          problem: scan.problem,
        },
        scan.tornTail
          ? 'dropped a torn last record (a write cut by a crash; it was never acknowledged)'
          : 'the record log is damaged: the rest of the file is dropped',
      );
      await truncate(path, scan.validBytes);
    }
    const fh = await open(path, 'a', 0o600);
    return {
      records: new RecordLog(path, fh, scan.validBytes, fsync, intervalMs, log),
      payloads: scan.payloads,
    };
  }

  /**
   * Opens the log `metadata/NAME.log` of a data directory, whose records are JSON, and returns
   * it with its records decoded by `decode`; a record that does not parse or decode is logged
   * and skipped.
   */
  static async openJson<T>(
    dataDir: DataDir,
    name: string,
    decode: (data: unknown) => T,
    log: Logger,
  ): Promise<{ records: RecordLog; values: T[] }> {
    const file = dataDir.sub('metadata', `${name}.log`);
    const opened = await RecordLog.open(file, dataDir.fsync, dataDir.fsyncIntervalMs, log);
    const values: T[] = [];
    for (const payload of opened.payloads) {
      try {
        values.push(decode(JSON.parse(payload.toString('utf8'))));
      } catch (err) {
        log.error({ file, err: (err as Error).message }, 'skipped a record that cannot be read');
      }
    }
    return { records: opened.records, values };
  }

  /** Bytes in the file. */
  get bytes(): number {
    return this.size;
  }

  /** Appends one record; with `always`, it is on the disk when this resolves. */
  async append(payload: Uint8Array): Promise<void> {
    const record = frame([payload]);
    const length = record.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await this.fh.writev(record);
    this.size += bytesWritten;
    if (bytesWritten !== length) {
      await truncate(this.path, this.size - bytesWritten);
      this.size -= bytesWritten;
      throw new Error(`wrote ${bytesWritten} of ${length} bytes to ${this.path}`);
    }
    this.dirty = true;
    if (this.fsync === 'always') await this.flush();
  }

  /** Replaces every record with `payloads`, atomically. */
  async rewrite(payloads: readonly Uint8Array[]): Promise<void> {
    const content = Buffer.concat(payloads.flatMap((p) => frame([p])));
    await writeFileAtomic(this.path, content, this.fsync !== 'never');
    await this.fh.close();
    this.fh = await open(this.path, 'a', 0o600);
    this.size = content.length;
    this.dirty = false;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.fsync !== 'never') await this.flush();
    await this.fh.close();
  }

  private async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await this.fh.datasync();
    } catch (err) {
      this.log.error(
        { file: this.path, err: (err as Error).message },
        'flushing a record log failed',
      );
    }
  }
}
