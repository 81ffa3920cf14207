import { CumulativeState } from '../jobs/otel/cumulative-state';

/** Where an export job left off at one sink for one partition, as the cluster's KV holds it. */
export interface ExportEntry {
  readonly job: string;
  readonly sink: string;
  readonly partition: string;
  /** The stream sequence of the last message of the partition whose rows the sink accepted. */
  readonly cursor: number;
  readonly totals: CumulativeState;
}

/** An entry that is not one this gateway wrote for this key: refused, never half read. */
export class ExportEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportEntryError';
  }
}

const VERSION = 1;

/** The largest entry read: the KV holds no value larger than a NATS message (max_payload). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** The bytes of an entry: JSON with its key's names, the cursor and the totals' snapshot. */
export function encodeExportEntry(e: ExportEntry): Uint8Array {
  const { job, sink, partition, cursor } = e;
  const data = { version: VERSION, job, sink, partition, cursor, totals: e.totals.toSnapshot() };
  return Buffer.from(JSON.stringify(data), 'utf8');
}

/**
 * Reads an entry's bytes, checking that they are the entry of this job, sink and partition
 * (a value under another key is refused) and that the cursor and totals are well formed.
 */
export function decodeExportEntry(
  bytes: Uint8Array,
  key: { readonly job: string; readonly sink: string; readonly partition: string },
  maxSeries: number,
  idleTimeoutMs: number,
): ExportEntry {
  if (bytes.length > MAX_ENTRY_BYTES) {
    throw new ExportEntryError(`the entry has ${bytes.length} bytes, more than ${MAX_ENTRY_BYTES}`);
  }
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<
      string,
      unknown
    >;
  } catch {
    throw new ExportEntryError('the entry is not JSON text');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ExportEntryError('the entry is not a JSON object');
  }
  if (data.version !== VERSION) throw new ExportEntryError(`version ${String(data.version)}`);
  if (data.job !== key.job || data.sink !== key.sink || data.partition !== key.partition) {
    throw new ExportEntryError('the entry names another job, sink or partition than its key');
  }
  const cursor = data.cursor;
  if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0) {
    throw new ExportEntryError('the cursor is not a stream sequence');
  }
  let totals: CumulativeState;
  try {
    totals = CumulativeState.fromSnapshot(data.totals, maxSeries, idleTimeoutMs);
  } catch (err) {
    throw new ExportEntryError(`the totals: ${(err as Error).message}`);
  }
  return { job: key.job, sink: key.sink, partition: key.partition, cursor, totals };
}
