import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { Logger } from '../../../shared/common/logger';
import {
  ClusterNameError,
  decodeToken,
  encodeToken,
} from '../../../shared/contract/cluster-subjects';
import { MemberRecord, encodeMemberRecord, parseMemberRecord } from './member-record';

const MEMBERS_PREFIX = 'members.';
/** A member key this much older than the timeout is deleted by whoever sees it. */
const FORGET_AFTER_TIMEOUTS = 20;

export interface MembershipOptions {
  readonly self: string;
  readonly heartbeatMs: number;
  readonly timeoutMs: number;
  /** This gateway's record, asked for at each heartbeat. */
  readonly record: () => MemberRecord;
  /** Called with the live members' ids (sorted) whenever that set changes. */
  readonly changed: (live: readonly string[]) => void;
}

/**
 * Membership through the cluster's KV bucket: each gateway writes `members.<id>` every heartbeat
 * and watches every member key. A member is live while its last write is younger than the
 * timeout. Ages are measured on the NATS server's clock (each entry's `created` against the
 * `created` of this gateway's own latest write), so clocks that differ between gateways do not
 * matter and every gateway reaches the same verdict. Leaving deletes the key: its partitions
 * move at once instead of after the timeout.
 */
export class Membership {
  private readonly entries = new Map<string, { record: MemberRecord; createdMs: number }>();
  private serverNowMs = 0;
  private live: readonly string[] = [];
  private watch: QueuedIterator<KvWatchEntry> | undefined;
  private watching: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly kv: KV,
    private readonly opts: MembershipOptions,
    private readonly log: Logger,
  ) {}

  /** Watches the member keys, then writes the first heartbeat and keeps writing. */
  async start(): Promise<void> {
    if (this.watch || this.stopped) return;
    this.watch = await this.kv.watch({ key: `${MEMBERS_PREFIX}>` });
    const watch = this.watch;
    this.watching = (async () => {
      for await (const entry of watch) this.take(entry);
    })().catch((err) => this.log.error({ err: (err as Error).message }, 'member watch ended'));
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.timer.unref();
  }

  /** The records of the live members. */
  members(): readonly MemberRecord[] {
    return this.live.map((id) => this.entries.get(id)!.record);
  }

  /** Stops the heartbeat and deletes this member's key (its partitions move now). Safe twice. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.watch?.stop();
    await this.watching;
    await this.kv
      .delete(memberKey(this.opts.self))
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'could not leave'));
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.kv.put(memberKey(this.opts.self), encodeMemberRecord(this.opts.record()));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not write the heartbeat');
    }
  }

  private take(entry: KvWatchEntry): void {
    let id: string;
    try {
      id = decodeToken(entry.key.slice(MEMBERS_PREFIX.length));
    } catch (err) {
      if (err instanceof ClusterNameError) return;
      throw err;
    }
    const createdMs = entry.created.getTime();
    if (entry.operation !== 'PUT') {
      this.entries.delete(id);
    } else {
      const record = parseMemberRecord(entry.value, id);
      if (record) this.entries.set(id, { record, createdMs });
      else this.log.warn({ key: entry.key }, 'ignoring a member record that does not parse');
    }
    if (id === this.opts.self && entry.operation === 'PUT') this.serverNowMs = createdMs;
    this.recompute();
  }

  private recompute(): void {
    // Until this gateway has seen its own heartbeat it cannot tell the server's time.
    if (this.serverNowMs === 0) return;
    const live: string[] = [];
    for (const [id, e] of this.entries) {
      const age = this.serverNowMs - e.createdMs;
      if (age <= this.opts.timeoutMs) live.push(id);
      else if (age > FORGET_AFTER_TIMEOUTS * this.opts.timeoutMs) this.forget(id);
    }
    live.sort();
    if (live.join('\n') === this.live.join('\n')) return;
    const before = this.live;
    this.live = live;
    this.log.info({ live, before }, 'cluster members changed');
    this.opts.changed(live);
  }

  private forget(id: string): void {
    this.entries.delete(id);
    void this.kv.delete(memberKey(id)).catch(() => undefined);
  }
}

/** The KV key of a member. */
export function memberKey(id: string): string {
  return `${MEMBERS_PREFIX}${encodeToken(id)}`;
}
