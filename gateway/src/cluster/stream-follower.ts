import { DeliverPolicy, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { ConsumerMessages } from '@nats-io/jetstream';
import { Logger } from '../../../shared/common/logger';

/** Bytes a follower holds fetched but not yet applied: the bound on its memory. */
const PREFETCH_BYTES = 16 * 1024 * 1024;

/**
 * Follows one filtered slice of the cluster's stream with an ordered consumer (ephemeral, in
 * order, no redelivery; the client recreates it after a gap or a NATS restart), applying each
 * message before taking the next. It remembers the stream sequence of the last message applied,
 * so it neither applies a message twice nor skips one, and reports how many are still to come.
 */
export class StreamFollower {
  private messages: ConsumerMessages | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastApplied: number;
  private pending = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly filter: string,
    private readonly apply: (msg: JsMsg) => Promise<void>,
    private readonly log: Logger,
    /** The stream sequence already applied (0: from the start of the stream). */
    after = 0,
  ) {
    this.lastApplied = after;
  }

  /** Creates the consumer and starts applying. */
  async start(): Promise<void> {
    if (this.running || this.stopped) return;
    const consumer = await this.js.consumers.get(this.stream, {
      filter_subjects: this.filter,
      ...(this.lastApplied > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastApplied + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    const messages = await consumer.consume({ max_bytes: PREFETCH_BYTES });
    this.messages = messages;
    this.running = this.loop(messages);
  }

  /** The stream sequence of the last message applied. */
  applied(): number {
    return this.lastApplied;
  }

  /** Messages of this slice in the stream not yet applied, as of the last one delivered. */
  lag(): number {
    return this.pending;
  }

  /** Stops taking messages and waits for the one being applied. Safe before start and twice. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await this.running;
  }

  private async loop(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        if (this.stopped) break;
        if (msg.seq <= this.lastApplied) continue;
        try {
          await this.apply(msg);
        } catch (err) {
          this.log.error(
            { subject: msg.subject, seq: msg.seq, err: (err as Error).message },
            'could not apply a message from the stream; it is skipped',
          );
        }
        this.lastApplied = msg.seq;
        this.pending = msg.info.pending;
      }
    } catch (err) {
      if (!this.stopped) {
        this.log.error({ filter: this.filter, err: (err as Error).message }, 'follower ended');
      }
    }
  }
}
