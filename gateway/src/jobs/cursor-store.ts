import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-file';
import { Logger } from '../../../shared/common/logger';
import { CumulativeState } from './otel/cumulative-state';

/** Where a job left off at one sink, as saved after its last accepted push. */
export interface SavedTarget {
  readonly cursor: number;
  readonly totals: CumulativeState;
}

/** Where export jobs keep their cursors: a data directory, or a cluster's KV bucket. */
export interface ExportCursors {
  /** The saved targets of a job, by sink name. */
  load(job: string, maxSeries: number, idleTimeoutMs: number): Promise<Map<string, SavedTarget>>;
  /** Saves a target's cursor and totals after its sink accepted a delivery. */
  save(job: string, sink: string, cursor: number, totals: CumulativeState): Promise<void>;
  /**
   * A saved cursor past the rows held is kept as it is: the rows are on their way (a partition
   * replayed from the stream), so going back would export them twice.
   */
  readonly keepsCursorsAhead?: boolean;
}

const VERSION = 1;

/**
 * The export cursors of a data directory: one file per job and sink
 * (`exports/JOB/SINK.json`), holding the sink's cursor and the running totals that go with it,
 * replaced atomically after each push the sink accepted. A file that cannot be read is logged
 * and ignored: that sink starts again from the oldest row held, with fresh totals (a counter
 * reset, which Prometheus and OTLP backends handle; spans re-sent keep their ids).
 */
export class CursorStore implements ExportCursors {
  constructor(
    private readonly dir: string,
    /** Flush each file to the disk before it counts as saved (store.fsync: always). */
    private readonly durable: boolean,
    private readonly log: Logger,
  ) {}

  /** The saved targets of a job, by sink name. */
  async load(
    job: string,
    maxSeries: number,
    idleTimeoutMs: number,
  ): Promise<Map<string, SavedTarget>> {
    const dir = join(this.dir, fileName(job));
    const saved = new Map<string, SavedTarget>();
    const files = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      try {
        const data = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;
        if (data.version !== VERSION || data.job !== job || typeof data.sink !== 'string') {
          throw new Error('not a cursor file of this job');
        }
        const cursor = data.cursor;
        if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0) {
          throw new Error(`cursor ${String(cursor)} is not a sequence number`);
        }
        const totals = CumulativeState.fromSnapshot(data.totals, maxSeries, idleTimeoutMs);
        saved.set(data.sink, { cursor, totals });
      } catch (err) {
        this.log.warn(
          { job, file: join(dir, file), err: (err as Error).message },
          'ignoring an export cursor file that cannot be read; its sink starts from the oldest row held',
        );
      }
    }
    return saved;
  }

  /** Saves a target's cursor and totals, replacing the previous file atomically. */
  async save(job: string, sink: string, cursor: number, totals: CumulativeState): Promise<void> {
    const dir = join(this.dir, fileName(job));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const data = { version: VERSION, job, sink, cursor, totals: totals.toSnapshot() };
    await writeFileAtomic(join(dir, `${fileName(sink)}.json`), JSON.stringify(data), this.durable);
  }
}

/** A job or sink name as one path segment: escaped, dots too (a job named `..` stays inside). */
function fileName(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E');
}
