import { existsSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { Logger } from '../../shared/common/logger';
import { AgentConfig } from '../../cli/config/schema';
import { CONN_STATS, NETWORK_STATS, PROCESS_STATS } from '../../shared/contract/schemas';
import { ConnStatsAggregator } from './conn/conn-stats';
import { ConnectionTracker } from './conn/connection-tracker';
import { SocketTracer } from './ebpf/socket-tracer';
import { TlsProbes, DEFAULT_TLS_PROBE_OPTIONS } from './tls/tls-probes';
import { EbpfUnavailableError } from './ebpf/unavailable';
import { AgentMetrics } from './metrics/agent-metrics';
import { asidForNode, nodeName } from './proc/asid';
import { WallClock, pageSize, wallNowNs } from './proc/host';
import { networkStatsRows } from './proc/network-stats';
import { NewProcessGate } from './proc/new-process-gate';
import { ProcessMetadata, ProcessMetadataTracker } from './proc/process-metadata';
import { ProcessScanner } from './proc/process-scanner';
import { processStatsRow } from './proc/process-stats';
import { protocolOptions } from './protocols/protocol-options';
import { protocolRegistry } from './protocols/registry';
import { Upid } from './proc/upid';
import { GatewayCredentials } from './transport/gateway-credentials';
import { GatewaySender } from './transport/gateway-sender';
import { NatsTransport } from './transport/nats-transport';
import { NatsClientOptions } from '../../shared/common/nats-connect';
import { Row } from './transport/row';
import { SendQueue } from './transport/send-queue';
import { TableBatcher } from './transport/table-batcher';

export interface AgentOptions {
  readonly config: AgentConfig;
  /** Where to send: the agent's config, or the local gateway under `pxgate start`. */
  readonly gatewayUrl: string;
  /** The token and TLS options it sends with; the agent starts and stops them. */
  readonly credentials?: GatewayCredentials | undefined;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  /** Publish to a cluster's NATS JetStream instead of POSTing to the gateway (`--nats`). */
  readonly nats?: { readonly options: NatsClientOptions; readonly cluster: string } | undefined;
}

const METADATA_ROWS_PER_REQUEST = 1000;
/** Rows that may wait for their new process's description (a few ms each) at once. */
const MAX_ROWS_AWAITING_METADATA = 20_000;
const SHUTDOWN_SEND_DEADLINE_MS = 5000;
const CLOCK_RESYNC_MS = 60_000;

/**
 * The node agent: the eBPF socket tracer (connections, and the exchanges of the protocols in
 * protocols/registry.ts: HTTP/1, DNS, PostgreSQL, MySQL, Redis) and the /proc
 * collectors (processes, network namespaces, process metadata), streaming to a gateway. When
 * eBPF cannot run here it says why and keeps the /proc collectors going. `shutdown()` detaches
 * the programs, flushes what it holds and is safe before start and twice.
 */
export class Agent {
  private readonly queue: SendQueue;
  private readonly sender: GatewaySender;
  private readonly batchers: Map<string, TableBatcher>;
  private readonly clock = new WallClock();
  private readonly connStats = new ConnStatsAggregator();
  private readonly tracker: ConnectionTracker;
  private readonly scanner: ProcessScanner;
  private readonly processes: ProcessMetadataTracker;
  private readonly gate: NewProcessGate;
  private readonly pageBytes = pageSize();
  private readonly node = nodeName();
  /** The agent's id in UPIDs: configured, or derived from the node's name. */
  readonly asid: number;
  // The host's network namespace is init's: with hostPID (the DaemonSet) /proc/1 is the host's
  // init even though the agent's pod has a namespace of its own.
  private readonly hostNetns = safeReadlink('/proc/1/ns/net') || safeReadlink('/proc/self/ns/net');
  private tracer: SocketTracer | undefined;
  private tls: TlsProbes | undefined;
  private timers: NodeJS.Timeout[] = [];
  private scanning: Promise<void> | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: AgentOptions) {
    const { config, metrics, log } = opts;
    this.asid = config.asid ?? asidForNode(this.node);
    this.queue = new SendQueue(config.bufferMb * 1024 * 1024, (b, reason) => {
      metrics.dropped(b, reason);
      log.warn({ table: b.label, rows: b.rows, reason }, 'dropped a batch');
    });
    this.sender = new GatewaySender(
      this.queue,
      {
        gatewayUrl: opts.gatewayUrl,
        credentials: opts.credentials,
        requestTimeoutMs: 10_000,
        retryInitialMs: config.retry.initial,
        retryMaxMs: config.retry.max,
        onGatewayRestart: () => this.resendMetadata(),
        node: this.node,
        transport: opts.nats
          ? new NatsTransport(
              { nats: opts.nats.options, cluster: opts.nats.cluster, node: this.node },
              log.child({ subsystem: 'nats' }),
            )
          : undefined,
      },
      metrics,
      log.child({ subsystem: 'sender' }),
    );
    const protocols = protocolRegistry(protocolOptions(config), this.clock);
    const batch = { maxRows: config.batch.maxRows, maxDelayMs: config.batch.maxDelay };
    const tables = [
      // HTTP/1 and HTTP/2 share http_events.
      ...new Set([...protocols.values()].map((p) => p.table)),
      CONN_STATS,
      PROCESS_STATS,
      NETWORK_STATS,
    ];
    this.batchers = new Map(tables.map((s) => [s.name, new TableBatcher(s, this.queue, batch)]));
    this.tracker = new ConnectionTracker(this.asid, protocols, this.connStats, {
      row: (table, row) => this.gate.add(table, row),
      parseErrors: (protocol, n) => metrics.parseErrors(protocol, n),
      parseErrorKind: (protocol, kind, n) => metrics.parseErrorKind(protocol, kind, n),
      opaqueConnection: (protocol) => metrics.opaqueConnection(protocol),
      connectionsEvicted: (n) => metrics.connectionsEvicted(n),
    });
    this.scanner = new ProcessScanner(this.asid);
    this.processes = new ProcessMetadataTracker(this.clock.bootNs(), hostname(), (changes) =>
      this.sendMetadata(changes),
    );
    this.gate = new NewProcessGate({
      knows: (pid, startTicks) => this.processes.knows(pid, startTicks),
      introduce: (upids) => this.introduce(upids),
      pass: (table, row) => this.add(table, row),
      failed: (err) => log.error({ err }, 'failed to describe new processes'),
      maxHeldRows: MAX_ROWS_AWAITING_METADATA,
    });
    metrics.observe({
      bufferBytes: () => this.queue.bytes(),
      connections: () => this.tracker.size(),
      tracerCounters: () => this.tracer?.counters(),
      tlsProbes: () => this.tls?.counters(),
    });
  }

  /** Starts sending, attaches the tracer (or explains why not) and starts the collectors. */
  async start(): Promise<void> {
    if (this.started || this.stopping) return;
    this.started = true;
    const { config, log, metrics } = this.opts;
    this.opts.credentials?.start();
    this.sender.start();
    this.tracer = config.ebpf.enabled ? this.openTracer() : undefined;
    metrics.ebpfAttached(this.tracer !== undefined);
    this.tracer?.start();
    if (this.tracer && config.ebpf.tlsTracing.enabled) {
      this.tls = new TlsProbes(this.tracer, log.child({ subsystem: 'tls' }), {
        ...DEFAULT_TLS_PROBE_OPTIONS,
        rescanIntervalMs: config.ebpf.tlsTracing.rescanInterval,
      });
      this.tls.start();
    }
    this.every(config.connStatsInterval, () => this.flushConnStats());
    this.every(Math.max(50, Math.min(config.batch.maxDelay, 250)), () => this.flushBatches());
    this.every(config.processInterval, () => void this.scanProcesses());
    this.every(CLOCK_RESYNC_MS, () => this.clock.resync());
    this.every(config.metadataRefresh, () => this.sendMetadata(this.processes.described()));
    await this.scanProcesses();
    log.info(
      {
        gateway: this.opts.gatewayUrl,
        ebpf: this.tracer !== undefined,
        node: this.node,
        asid: this.asid,
      },
      'agent started',
    );
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.tls?.shutdown();
    this.tls = undefined;
    this.tracer?.shutdown();
    this.tracer = undefined;
    await this.scanning;
    this.flushConnStats();
    await this.gate.settled();
    for (const b of this.batchers.values()) b.flush(true);
    await this.sender.shutdown(SHUTDOWN_SEND_DEADLINE_MS);
    this.opts.credentials?.shutdown();
    if (this.queue.length() > 0) {
      this.opts.log.warn({ batches: this.queue.length() }, 'unsent batches dropped at shutdown');
    }
    this.opts.log.info('agent stopped');
  }

  private openTracer(): SocketTracer | undefined {
    const { config, log, metrics } = this.opts;
    try {
      return SocketTracer.open(
        {
          objectPath: config.ebpf.object,
          captureBytes: config.ebpf.captureBytes,
          ringBufferBytes: config.ebpf.ringBufferMb * 1024 * 1024,
          pollIntervalMs: config.ebpf.pollInterval,
          maxEventsPerSlice: 4096,
        },
        log.child({ subsystem: 'ebpf' }),
        (ev) => {
          metrics.event(ev.kind);
          if (ev.kind === 'exec') this.tls?.onExec(ev);
          else this.tracker.handle(ev);
        },
      );
    } catch (err) {
      if (err instanceof EbpfUnavailableError) {
        log.warn(
          { missing: err.missing, remedy: err.remedy },
          `${err.message}; the /proc collectors (process_stats, network_stats) keep running`,
        );
      } else {
        log.error({ err }, 'eBPF tracing failed to start; the /proc collectors keep running');
      }
      return undefined;
    }
  }

  private add(table: string, row: Row): void {
    this.batchers.get(table)!.add(row);
    this.opts.metrics.rows(table);
  }

  private flushConnStats(): void {
    for (const row of this.connStats.rows(wallNowNs())) this.gate.add(CONN_STATS.name, row);
  }

  private flushBatches(): void {
    for (const b of this.batchers.values()) b.flush();
  }

  /** One /proc pass: process_stats, network_stats, process metadata, and cleanup of exits. */
  private scanProcesses(): Promise<void> {
    this.scanning ??= this.scanOnce()
      .catch((err) => this.opts.log.error({ err }, 'failed to scan /proc'))
      .finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const samples = await this.scanner.scan();
    const now = wallNowNs();
    // Described first, so that their process_stats rows pass the gate at once.
    await this.processes.update(samples, now);
    for (const s of samples) {
      this.gate.add(PROCESS_STATS.name, processStatsRow(s, now, this.pageBytes));
    }
    const netRows = await networkStatsRows(
      samples,
      (pid) => this.processes.podUidOf(pid),
      this.hostNetns,
      now,
    );
    for (const row of netRows) this.add(NETWORK_STATS.name, row);
    const live = new Set(samples.map((s) => s.upid.pid));
    // A process that started after the scan listed /proc is alive too.
    this.tracker.retainProcesses((pid) => live.has(pid) || existsSync(`/proc/${pid}`));
  }

  /** Describes processes first seen in a row: those still running under the same start time. */
  private async introduce(upids: readonly Upid[]): Promise<void> {
    const wanted = new Set(upids.map((u) => `${u.pid}:${u.startTicks}`));
    const samples = await this.scanner.readAll(upids.map((u) => u.pid));
    await this.processes.introduce(
      samples.filter((s) => wanted.has(`${s.upid.pid}:${s.upid.startTicks}`)),
    );
  }

  /**
   * A restarted gateway may have lost what it was told once (the metadata of processes that
   * were already running): it is told again.
   */
  private resendMetadata(): void {
    const live = this.processes.described();
    this.opts.log.info(
      { processes: live.length },
      'the gateway restarted; sending the metadata of the live processes again',
    );
    this.sendMetadata(live);
  }

  private sendMetadata(changes: readonly ProcessMetadata[]): void {
    for (let i = 0; i < changes.length; i += METADATA_ROWS_PER_REQUEST) {
      const processes = changes.slice(i, i + METADATA_ROWS_PER_REQUEST);
      this.queue.push({
        label: 'metadata',
        path: '/v1/metadata/processes',
        contentType: 'application/json',
        headers: {},
        body: Buffer.from(JSON.stringify({ processes })),
        rows: processes.length,
      });
    }
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
