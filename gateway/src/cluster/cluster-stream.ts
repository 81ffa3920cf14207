import { DiscardPolicy, JetStreamManager, StorageType } from '@nats-io/jetstream';
import { ClusterSubjects } from '../../../shared/contract/cluster-subjects';
import { Config } from '../../../cli/config/schema';
import { Logger } from '../../../shared/common/logger';

/** How long JetStream remembers a batch id, so that a batch sent again is stored once. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;
const NS_PER_MS = 1_000_000;

/** The duplicates window: DUPLICATE_WINDOW_MS, or the stream's age when that is shorter. */
function duplicateWindowMs(limits: StreamLimits): number {
  return limits.maxAgeMs > 0 ? Math.min(DUPLICATE_WINDOW_MS, limits.maxAgeMs) : DUPLICATE_WINDOW_MS;
}

/** The stream's bounds, from the store's budget and retention. */
export interface StreamLimits {
  readonly maxBytes: number;
  /** 0: no age limit (no table has a retention). */
  readonly maxAgeMs: number;
  readonly maxMsgBytes: number;
}

/**
 * The stream keeps the whole cluster's window: each gateway's store holds a share of it, so its
 * bytes are `cluster.streamLimitMb`, or the store's budget times `cluster.gateways`; its age is
 * the longest retention of any table (none: bytes alone bound it); a message is at most an
 * ingest body.
 */
export function streamLimits(config: Config): StreamLimits {
  const mb = config.cluster.streamLimitMb ?? config.store.limitMb * config.cluster.gateways;
  const retentions = Object.values(config.store.tables).map((t) => t.retention ?? 0);
  return {
    maxBytes: Math.floor(mb * 1024 * 1024),
    maxAgeMs: Math.max(0, ...retentions),
    maxMsgBytes: Math.floor(config.ingest.maxBodyMb * 1024 * 1024),
  };
}

/**
 * Creates the cluster's stream (file storage, the oldest messages discarded at the limits), or
 * brings an existing one to these limits: the last gateway started with new settings wins.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  subjects: ClusterSubjects,
  limits: StreamLimits,
  log: Logger,
): Promise<void> {
  const config = {
    subjects: [subjects.allIngest, subjects.allMetadata],
    max_bytes: limits.maxBytes,
    max_age: limits.maxAgeMs * NS_PER_MS,
    max_msg_size: limits.maxMsgBytes,
    discard: DiscardPolicy.Old,
    // JetStream refuses a window longer than the stream keeps messages: a batch sent again
    // after they aged out is new to it anyway.
    duplicate_window: duplicateWindowMs(limits) * NS_PER_MS,
  };
  const existing = await jsm.streams.info(subjects.stream).catch(() => undefined);
  if (!existing) {
    await jsm.streams.add({ name: subjects.stream, storage: StorageType.File, ...config });
    log.info({ stream: subjects.stream, ...limits }, 'created the cluster stream');
    return;
  }
  const c = existing.config;
  const same =
    c.max_bytes === config.max_bytes &&
    c.max_age === config.max_age &&
    c.duplicate_window === config.duplicate_window &&
    c.max_msg_size === config.max_msg_size &&
    c.subjects?.join() === config.subjects.join();
  if (same) return;
  await jsm.streams.update(subjects.stream, config);
  log.info({ stream: subjects.stream, ...limits }, 'updated the cluster stream limits');
}
