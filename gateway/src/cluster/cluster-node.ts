import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { KV, Kvm } from '@nats-io/kv';
import { NatsConnection } from '@nats-io/transport-node';
import { Config } from '../../../cli/config/schema';
import { Logger } from '../../../shared/common/logger';
import { connectNats } from '../../../shared/common/nats-connect';
import { ClusterSubjects } from '../../../shared/contract/cluster-subjects';
import { ClusterStatus, ClusterStatusSource } from '../api/routes/cluster';
import { IngestService } from '../ingest/ingest-service';
import { ProcessMetadataService } from '../metadata/process-metadata';
import { TableStore } from '../store/table-store';
import { ClusterPublisher } from './cluster-publisher';
import { ensureStream, streamLimits } from './cluster-stream';
import { MemberRecord } from './member-record';
import { Membership } from './membership';
import { PartitionRows } from './partition-rows';
import { PartitionLog } from './partition-log';
import { KvExportCursors } from './kv-export-cursors';
import { ExportScheduler, PartitionExportSource } from '../jobs/export-scheduler';
import { assignPartitions, ownerOf } from './rendezvous';
import { StreamFollower } from './stream-follower';
import { ClusterMember, ClusterView } from './view';

/** What the cluster node applies messages to: the gateway's own store, as HTTP ingest does. */
export interface ClusterNodeDeps {
  readonly store: TableStore;
  readonly ingest: IngestService;
  readonly processMetadata: ProcessMetadataService;
  readonly log: Logger;
  /** The export jobs, which read each partition this gateway takes (perPartition). */
  readonly exports?: Pick<ExportScheduler, 'take' | 'leave'>;
}

/** Runs of store rows one export read of a partition takes at most (each a clause of its SQL). */
const MAX_EXPORT_RUNS = 256;

/**
 * A gateway's part in a cluster (`--nats`): it publishes what it is sent to the cluster's stream
 * (`publisher`), keeps its membership in the KV bucket, and follows the partitions it owns
 * (rendezvous hashing over the live members) into its own store, through the same ingest
 * service as HTTP. A partition that moves away leaves the store; one that moves here is replayed
 * from the stream. Process metadata is followed whole by every gateway.
 */
export class ClusterNode implements ClusterView, ClusterStatusSource {
  readonly publisher: ClusterPublisher;
  private readonly rows = new PartitionRows();
  private readonly applied = new PartitionLog();
  /** The export cursors of each partition's current jobs. */
  private readonly exportCursors = new Map<string, KvExportCursors>();
  private readonly followers = new Map<string, StreamFollower>();
  private readonly metadata: StreamFollower;
  private readonly membership: Membership;
  private live: readonly string[] = [];
  private known: readonly string[] = [];
  private url: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    private readonly subjects: ClusterSubjects,
    readonly self: string,
    private readonly config: Config,
    private readonly deps: ClusterNodeDeps,
  ) {
    this.publisher = new ClusterPublisher(
      nc,
      js,
      subjects,
      deps.ingest,
      config.cluster.maxInFlight,
    );
    this.membership = new Membership(
      kv,
      {
        self,
        heartbeatMs: config.cluster.heartbeat,
        timeoutMs: config.cluster.memberTimeout,
        record: () => this.record(),
        changed: (live) => {
          this.live = live;
          this.reconcile();
        },
      },
      deps.log.child({ subsystem: 'membership' }),
    );
    this.metadata = new StreamFollower(
      js,
      subjects.stream,
      subjects.allMetadata,
      (msg) => this.applyMetadata(msg),
      deps.log.child({ subsystem: 'metadata-follower' }),
    );
  }

  /** Connects to NATS, and creates (or updates) the cluster's stream and opens its KV bucket. */
  static async create(config: Config, deps: ClusterNodeDeps): Promise<ClusterNode> {
    const subjects = new ClusterSubjects(config.cluster.name);
    const self = config.cluster.memberId ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
    const nc = await connectNats(config.cluster.nats, `pxgate gateway ${self}`);
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await ensureStream(jsm, subjects, streamLimits(config), deps.log);
      const kv = await new Kvm(js).create(subjects.bucket, { history: 1 });
      return new ClusterNode(nc, js, jsm, kv, subjects, self, config, deps);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  get cluster(): string {
    return this.subjects.cluster;
  }

  /** Joins: follows the metadata, announces this member, and starts taking partitions. */
  async start(url: string): Promise<void> {
    this.url = url;
    await this.metadata.start();
    await this.refreshPartitions();
    await this.membership.start();
    this.timer = setInterval(() => {
      void this.refreshPartitions().then(() => this.reconcile());
    }, this.config.cluster.heartbeat);
    this.timer.unref();
    this.deps.log.info({ cluster: this.cluster, member: this.self }, 'joined the cluster');
  }

  members(): readonly ClusterMember[] {
    const owned = assignPartitions(this.known, this.live);
    return this.membership.members().map((m) => ({
      id: m.id,
      partitions: owned.get(m.id) ?? [],
      ...(m.url ? { url: m.url } : {}),
    }));
  }

  partitions(): readonly string[] {
    return this.known;
  }

  status(): ClusterStatus {
    const records = new Map(this.membership.members().map((m) => [m.id, m]));
    return {
      cluster: this.cluster,
      self: this.self,
      stream: this.subjects.stream,
      members: this.members().map((m) => ({ id: m.id, url: m.url, partitions: [...m.partitions] })),
      partitions: this.known.map((name) => {
        const owner = ownerOf(name, this.live) ?? null;
        const lag = owner === null ? undefined : records.get(owner)?.lag[name];
        return { name, owner, lag: lag ?? null };
      }),
    };
  }

  /** Leaves the cluster (its partitions move at once), stops following, closes NATS. Safe twice. */
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // The exports stop before the partitions move: the next owners go on from their cursors.
    await this.reconciling;
    for (const partition of this.followers.keys()) await this.deps.exports?.leave(partition);
    await this.membership.shutdown();
    await this.reconciling;
    await Promise.all([...this.followers.values()].map((f) => f.shutdown()));
    await this.metadata.shutdown();
    await this.nc.drain().catch(() => this.nc.close());
  }

  private record(): MemberRecord {
    const lag: Record<string, number> = {};
    for (const [p, f] of this.followers) lag[p] = f.lag();
    return { id: this.self, lag, ...(this.url ? { url: this.url } : {}) };
  }

  /** The partitions with data in the stream: the node tokens of its ingest subjects. */
  private async refreshPartitions(): Promise<void> {
    try {
      const info = await this.jsm.streams.info(this.subjects.stream, {
        subjects_filter: this.subjects.allIngest,
      });
      const nodes = new Set<string>();
      for (const subject of Object.keys(info.state.subjects ?? {})) {
        try {
          nodes.add(this.subjects.parseIngest(subject).node);
        } catch {
          // A subject another program published under the prefix is not a partition.
        }
      }
      this.known = [...nodes].sort();
      for (const t of this.deps.store.stats()) {
        this.rows.evicted(t.schema.name, t.firstSeq);
        this.applied.evicted(t.schema.name, t.firstSeq);
      }
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not list the partitions');
    }
  }

  private reconcile(): void {
    if (this.stopping) return;
    this.reconciling = this.reconciling
      .then(() => this.applyOwnership())
      .catch((err) => this.deps.log.error({ err: (err as Error).message }, 'rebalance failed'));
  }

  /** Stops following and drops the partitions now owned elsewhere; follows the new ones. */
  private async applyOwnership(): Promise<void> {
    if (this.stopping) return;
    const owned = new Set(this.known.filter((p) => ownerOf(p, this.live) === this.self));
    for (const [partition, follower] of this.followers) {
      if (owned.has(partition)) continue;
      await this.deps.exports?.leave(partition);
      this.exportCursors.delete(partition);
      await follower.shutdown();
      this.followers.delete(partition);
      this.applied.drop(partition);
      await this.dropRows(partition);
    }
    for (const partition of owned) {
      if (this.followers.has(partition)) continue;
      const follower = new StreamFollower(
        this.js,
        this.subjects.stream,
        this.subjects.partition(partition),
        (msg) => this.applyIngest(partition, msg),
        this.deps.log.child({ subsystem: 'partition', partition }),
      );
      this.followers.set(partition, follower);
      await follower.start();
      await this.deps.exports?.take(this.exportSource(partition));
      this.deps.log.info({ partition }, 'following a partition');
    }
  }

  /**
   * A partition as its export jobs read it: stream sequences, and the store rows of each
   * message (PartitionLog), with its cursors in the KV bucket. A cursor write refused by the
   * fence means another gateway exported the partition meanwhile: its jobs start again from
   * the KV, if this gateway still holds it.
   */
  private exportSource(partition: string): PartitionExportSource {
    const log = this.deps.log.child({ subsystem: 'exports', partition });
    const cursors: KvExportCursors = new KvExportCursors(this.kv, partition, log, (err) => {
      // A delivery of jobs already replaced is fenced too: only the current jobs restart.
      if (this.exportCursors.get(partition) !== cursors) return;
      log.warn(
        { err: err.message },
        'export cursor fenced; the partition\u2019s exports restart from the KV',
      );
      // In turn with the moves of partitions, so that it never takes one that has just left.
      this.reconciling = this.reconciling
        .then(() => this.restartExports(partition))
        .catch((e) => log.error({ err: (e as Error).message }, 'could not restart the exports'));
    });
    this.exportCursors.set(partition, cursors);
    return {
      name: partition,
      cursors,
      lastSeq: () => this.applied.last(partition),
      span: (after, maxRows) => {
        const s = this.applied.span(partition, after, maxRows, MAX_EXPORT_RUNS);
        const first = s.runs[0];
        const last = s.runs[s.runs.length - 1];
        return {
          upTo: s.upTo,
          seqRange: { after: first ? first[0] - 1 : 0, upTo: last ? last[1] : 0, runs: s.runs },
        };
      },
    };
  }

  private async restartExports(partition: string): Promise<void> {
    await this.deps.exports?.leave(partition);
    if (this.stopping || !this.followers.has(partition)) return;
    await this.deps.exports?.take(this.exportSource(partition));
  }

  private async dropRows(partition: string): Promise<void> {
    let deleted = 0;
    for (const [table, ranges] of this.rows.take(partition)) {
      deleted += await this.deps.store.deleteRows(table, ranges);
    }
    this.deps.log.info({ partition, rows: deleted }, 'a partition moved away; its rows left');
  }

  private async applyIngest(partition: string, msg: JsMsg): Promise<void> {
    const { table } = this.subjects.parseIngest(msg.subject);
    const result = await this.deps.ingest.ingest({
      contentType: msg.headers?.get('Content-Type') ?? '',
      body: Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength),
      tableHeader: table,
      // The stream's time of the message: every owner that replays it stamps the same.
      ingestTimeNs: msg.timestampNanos,
    });
    this.rows.add(partition, result.table, result.firstSeq, result.lastSeq);
    this.applied.add(partition, msg.seq, result.table, result.firstSeq, result.lastSeq);
  }

  private async applyMetadata(msg: JsMsg): Promise<void> {
    await this.deps.processMetadata.upsert(msg.json());
  }
}
