import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { KV } from '@nats-io/kv';
import { Logger } from '../../../shared/common/logger';
import { decodeToken, encodeToken } from '../../../shared/contract/cluster-subjects';
import { ExportCursors, SavedTarget } from '../jobs/cursor-store';
import { CumulativeState } from '../jobs/otel/cumulative-state';
import { decodeExportEntry, encodeExportEntry } from './export-entry';

/** The KV keys of export cursors: `exports.<job>.<sink>.<partition>`, each name a token. */
const PREFIX = 'exports.';

/** The key of one job's cursor at one sink for one partition. */
export function exportKey(job: string, sink: string, partition: string): string {
  return `${PREFIX}${encodeToken(job)}.${encodeToken(sink)}.${encodeToken(partition)}`;
}

/** A write refused because another gateway wrote the entry since this one read it. */
export class ExportFenceError extends Error {
  constructor(key: string) {
    super(`the export cursor ${key} was written by another gateway (the partition moved)`);
    this.name = 'ExportFenceError';
  }
}

/**
 * The export cursors of one partition in the cluster's KV bucket: per job and sink, the stream
 * sequence its rows were exported up to and the totals of its cumulative series, in one entry
 * written after the sink accepted a delivery. Each write is a compare-and-set on the revision
 * this gateway last read or wrote (the fence): a gateway that lost the partition, and whose
 * entry another has written since, is refused and told (`fenced`), never overwrites it.
 */
export class KvExportCursors implements ExportCursors {
  readonly keepsCursorsAhead = true;
  /** The revision of each key as this gateway last read or wrote it (0: it did not exist). */
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly kv: KV,
    private readonly partition: string,
    private readonly log: Logger,
    /** Called once a write was refused by the fence. */
    private readonly fenced: (err: ExportFenceError) => void = () => undefined,
  ) {}

  async load(
    job: string,
    maxSeries: number,
    idleTimeoutMs: number,
  ): Promise<Map<string, SavedTarget>> {
    const saved = new Map<string, SavedTarget>();
    const filter = `${PREFIX}${encodeToken(job)}.*.${encodeToken(this.partition)}`;
    for await (const key of await this.kv.keys(filter)) {
      const entry = await this.kv.get(key);
      if (!entry) continue;
      this.revisions.set(key, entry.operation === 'PUT' ? entry.revision : 0);
      if (entry.operation !== 'PUT') continue;
      let sink: string;
      try {
        sink = sinkOf(key);
        const e = decodeExportEntry(
          entry.value,
          { job, sink, partition: this.partition },
          maxSeries,
          idleTimeoutMs,
        );
        saved.set(sink, { cursor: e.cursor, totals: e.totals });
      } catch (err) {
        this.log.warn(
          { key, err: (err as Error).message },
          'ignoring an export cursor in the KV bucket that cannot be read; its sink starts from the partition\u2019s oldest row',
        );
      }
    }
    return saved;
  }

  async save(job: string, sink: string, cursor: number, totals: CumulativeState): Promise<void> {
    const key = exportKey(job, sink, this.partition);
    const value = encodeExportEntry({ job, sink, partition: this.partition, cursor, totals });
    const revision = this.revisions.get(key);
    try {
      const next =
        revision === undefined || revision === 0
          ? await this.kv.create(key, value)
          : await this.kv.update(key, value, revision);
      this.revisions.set(key, next);
    } catch (err) {
      if (!isFence(err)) throw err;
      const fence = new ExportFenceError(key);
      this.fenced(fence);
      throw fence;
    }
  }
}

/** The sink of a key this store listed (its third token; decodeToken refuses what it did not make). */
function sinkOf(key: string): string {
  const token = key.split('.')[2];
  if (token === undefined) throw new Error(`${key} is not an export cursor key`);
  return decodeToken(token);
}

/** A write refused because the key's revision is not the one given (or it exists already). */
function isFence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
