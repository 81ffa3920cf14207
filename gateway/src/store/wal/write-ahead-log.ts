import { FileHandle, mkdir, open, readFile, readdir, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '../../common/atomic-file';
import { Logger } from '../../../../shared/common/logger';
import { FsyncPolicy } from '../../../../cli/config/schema';

/** Frames to append to one segment's file. */
export interface LogWrite {
  readonly table: string;
  readonly segment: number;
  /** Framed records, each a header and its payload's parts, flattened. */
  readonly frames: readonly Uint8Array[];
}

interface OpenFile {
  readonly table: string;
  readonly segment: number;
  readonly path: string;
  readonly fh: FileHandle;
  size: number;
  dirty: boolean;
  open: boolean;
}

const SEGMENT_FILE = /^(\d{10})\.seg$/;

/**
 * The store's write-ahead log: one append-only file per segment of each table
 * (`TABLE/0000000042.seg`), so that evicting a segment deletes its file. Appends are written
 * before the store applies them and acknowledges the batch; `fsync` decides when they are also
 * flushed to the disk. Each table keeps its active segment's file open.
 */
export class WriteAheadLog {
  private readonly active = new Map<string, OpenFile>();
  /** Files left behind by a segment change, flushed and closed by the next interval sync. */
  private readonly retired: OpenFile[] = [];
  private readonly dirtyDirs = new Set<string>();
  private readonly timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly fsync: FsyncPolicy,
    intervalMs: number,
    private readonly log: Logger,
  ) {
    if (fsync === 'interval') {
      this.timer = setInterval(() => void this.sync(), intervalMs);
      this.timer.unref();
    }
  }

  /** The segments of a table that have a file, oldest first. */
  async segments(table: string): Promise<number[]> {
    const names = await readdir(join(this.root, table)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return names
      .map((n) => SEGMENT_FILE.exec(n)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  read(table: string, segment: number): Promise<Buffer> {
    return readFile(this.file(table, segment));
  }

  /** Cuts a segment's file to its first `bytes` (a torn last record). */
  cut(table: string, segment: number, bytes: number): Promise<void> {
    return truncate(this.file(table, segment), bytes);
  }

  /**
   * Appends frames to segment files, in order, and flushes them when the policy is `always`.
   * Returns an undo that restores the files as they were, for a batch the store then fails.
   */
  async append(writes: readonly LogWrite[]): Promise<() => Promise<void>> {
    const undo: { path: string; size: number; created: boolean; file: OpenFile }[] = [];
    const restore = async () => {
      for (const u of undo.reverse()) {
        if (u.created) {
          // The next append to this segment must make a new file, not write to a deleted one.
          if (this.active.get(u.file.table) === u.file) this.active.delete(u.file.table);
          const retired = this.retired.indexOf(u.file);
          if (retired >= 0) this.retired.splice(retired, 1);
          if (u.file.open) await this.closeFile(u.file);
          await rm(u.path, { force: true });
        } else {
          await truncate(u.path, u.size);
          u.file.size = u.size;
        }
      }
    };
    const touched = new Set<OpenFile>();
    try {
      for (const w of writes) {
        const { file, created } = await this.fileFor(w.table, w.segment);
        undo.push({ path: file.path, size: file.size, created, file });
        const bytes = w.frames.reduce((n, f) => n + f.length, 0);
        const { bytesWritten } = await file.fh.writev(w.frames as Uint8Array[]);
        file.size += bytesWritten;
        file.dirty = true;
        touched.add(file);
        if (bytesWritten !== bytes)
          throw new Error(`wrote ${bytesWritten} of ${bytes} bytes to ${file.path}`);
      }
      if (this.fsync === 'always') {
        // A file left for a new segment was flushed when it was left.
        for (const f of touched) if (f.open) await f.fh.datasync();
        await this.syncDirs();
      }
    } catch (err) {
      await restore().catch((e: Error) =>
        this.log.error({ err: e.message }, 'could not undo a failed write-ahead log append'),
      );
      throw err;
    }
    return restore;
  }

  /** Deletes the files of evicted segments. */
  async remove(table: string, segments: readonly number[]): Promise<void> {
    for (const id of segments) await rm(this.file(table, id), { force: true });
    this.dirtyDirs.add(join(this.root, table));
    if (this.fsync === 'always') await this.syncDirs();
  }

  /** Flushes what was written since the last flush (the `interval` policy's tick). */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncNow())
      .catch((err: Error) =>
        this.log.error({ err: err.message }, 'flushing the write-ahead log failed'),
      );
    return this.syncing;
  }

  /** Flushes and closes every file. Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fsync !== 'never') await this.sync();
    await this.syncing;
    for (const f of [...this.retired.splice(0), ...this.active.values()]) await this.closeFile(f);
    this.active.clear();
  }

  private async syncNow(): Promise<void> {
    for (const f of this.active.values()) {
      if (!f.dirty) continue;
      f.dirty = false;
      await f.fh.datasync();
    }
    for (const f of this.retired.splice(0)) {
      await f.fh.datasync();
      await this.closeFile(f);
    }
    await this.syncDirs();
  }

  private async syncDirs(): Promise<void> {
    for (const dir of [...this.dirtyDirs]) {
      this.dirtyDirs.delete(dir);
      await syncDirectory(dir);
    }
  }

  /** The open file of a table's segment, opening it (and leaving the previous one) as needed. */
  private async fileFor(
    table: string,
    segment: number,
  ): Promise<{ file: OpenFile; created: boolean }> {
    const current = this.active.get(table);
    if (current?.segment === segment) return { file: current, created: false };
    if (current) await this.leave(current);
    const dir = join(this.root, table);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = this.file(table, segment);
    let created = true;
    let fh: FileHandle;
    try {
      fh = await open(path, 'ax', 0o600);
      this.dirtyDirs.add(dir);
      this.dirtyDirs.add(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      created = false;
      fh = await open(path, 'a');
    }
    const size = (await fh.stat()).size;
    const file: OpenFile = { table, segment, path, fh, size, dirty: false, open: true };
    this.active.set(table, file);
    return { file, created };
  }

  /** A table moved on to a new segment: its previous file is flushed (now or at the next tick) and closed. */
  private async leave(file: OpenFile): Promise<void> {
    this.active.delete(file.table);
    if (this.fsync === 'interval') {
      this.retired.push(file);
      return;
    }
    if (this.fsync === 'always' && file.dirty) await file.fh.datasync();
    await this.closeFile(file);
  }

  private async closeFile(file: OpenFile): Promise<void> {
    file.open = false;
    await file.fh.close();
  }

  private file(table: string, segment: number): string {
    return join(this.root, table, `${String(segment).padStart(10, '0')}.seg`);
  }
}
