import { Counter, Gauge, Registry } from 'prom-client';
import { TracerCounters } from '../ebpf/socket-tracer';
import { TlsProbeCounters } from '../tls/tls-probes';
import { OutgoingBatch, DropReason } from '../transport/send-queue';
import { registerTlsMetrics } from './tls-metrics';

/** What the metrics read at scrape time. */
export interface AgentGauges {
  bufferBytes(): number;
  connections(): number;
  tracerCounters(): TracerCounters | undefined;
  tlsProbes(): TlsProbeCounters | undefined;
}

/**
 * The agent's own metrics (`pxgate_agent_*`): events from the kernel and how many were lost,
 * parse errors, rows, batches and bytes sent, dropped and retried. Registered in a given
 * registry: the agent's own /metrics, or the gateway's when both run in one process.
 */
export class AgentMetrics {
  // Per-event and per-row counts are summed in plain maps and handed to prom-client at scrape
  // time: a labelled inc() per event would cost more than handling the event.
  private readonly pendingEvents = new Map<string, number>();
  private readonly pendingRows = new Map<string, number>();
  private readonly parseErrorsTotal: Counter<'protocol'>;
  private readonly opaqueTotal: Counter<'protocol'>;
  private readonly parseErrorKinds: Counter<'protocol' | 'kind'>;
  private readonly batchesSent: Counter<'table'>;
  private readonly bytesSent: Counter<'table'>;
  private readonly batchesDropped: Counter<'table' | 'reason'>;
  private readonly retries: Counter<'table'>;
  private readonly evicted: Counter;
  private readonly ebpf: Gauge;
  private gauges: AgentGauges | undefined;
  /** The kernel counters' values already added to their prom-client counters. */
  private readonly kernelSeen = new Map<keyof TracerCounters, number>();

  constructor(registry: Registry) {
    const registers = [registry];
    const events: Counter<'kind'> = new Counter({
      name: 'pxgate_agent_events_total',
      help: 'Events read from the eBPF ring buffer, by kind (open, close, stats, data).',
      labelNames: ['kind'],
      registers,
      collect: () => flush(this.pendingEvents, (kind, n) => events.inc({ kind }, n)),
    });
    const kernelCounter = (name: string, help: string, field: keyof TracerCounters): void => {
      const counter: Counter = new Counter({
        name,
        help,
        registers,
        collect: () => this.syncKernelCounter(counter, field),
      });
    };
    kernelCounter(
      'pxgate_agent_ringbuf_drops_total',
      'Events the kernel dropped because the ring buffer was full (raise agent.ebpf.ringBufferMb).',
      'ringbufDrops',
    );
    kernelCounter(
      'pxgate_agent_unclassified_connections_total',
      'Connections (and sockets first seen by their data) whose first chunks matched no protocol the agent parses: their bytes stay in the kernel.',
      'unclassified',
    );
    kernelCounter(
      'pxgate_agent_datagrams_uncaptured_total',
      'Datagrams of a sendmmsg or recvmmsg call past the first four, counted but not captured.',
      'datagramsUncaptured',
    );
    this.parseErrorsTotal = new Counter({
      name: 'pxgate_agent_parse_errors_total',
      help: 'Stretches of traffic that could not be parsed or paired, by protocol.',
      labelNames: ['protocol'],
      registers,
    });
    this.parseErrorKinds = new Counter({
      name: 'pxgate_agent_parse_errors_by_kind_total',
      help: 'The parse errors of protocols that tell kinds apart (http2: lost_sync, unknown_index_fields, orphan_streams, ...), by kind.',
      labelNames: ['protocol', 'kind'],
      registers,
    });
    this.opaqueTotal = new Counter({
      name: 'pxgate_agent_opaque_connections_total',
      help: 'Connections whose parser stopped reading because they switched to TLS (or to a replication stream), by protocol.',
      labelNames: ['protocol'],
      registers,
    });
    const rows: Counter<'table'> = new Counter({
      name: 'pxgate_agent_rows_total',
      help: 'Rows produced, per table.',
      labelNames: ['table'],
      registers,
      collect: () => flush(this.pendingRows, (table, n) => rows.inc({ table }, n)),
    });
    this.batchesSent = new Counter({
      name: 'pxgate_agent_batches_sent_total',
      help: 'Batches the gateway accepted, per table (metadata: process metadata).',
      labelNames: ['table'],
      registers,
    });
    this.bytesSent = new Counter({
      name: 'pxgate_agent_bytes_sent_total',
      help: 'Request body bytes the gateway accepted, per table.',
      labelNames: ['table'],
      registers,
    });
    this.batchesDropped = new Counter({
      name: 'pxgate_agent_batches_dropped_total',
      help: 'Batches dropped: buffer_full (the oldest made room) or rejected (the gateway refused them).',
      labelNames: ['table', 'reason'],
      registers,
    });
    this.retries = new Counter({
      name: 'pxgate_agent_send_retries_total',
      help: 'Sends that failed and will be retried (gateway away, busy or failing).',
      labelNames: ['table'],
      registers,
    });
    this.evicted = new Counter({
      name: 'pxgate_agent_connections_evicted_total',
      help: 'Tracked connections forgotten to stay within the connection limit.',
      registers,
    });
    const bufferBytes: Gauge = new Gauge({
      name: 'pxgate_agent_buffer_bytes',
      help: 'Bytes of batches waiting to be sent.',
      registers,
      collect: () => bufferBytes.set(this.gauges?.bufferBytes() ?? 0),
    });
    const connections: Gauge = new Gauge({
      name: 'pxgate_agent_connections',
      help: 'Connections being tracked.',
      registers,
      collect: () => connections.set(this.gauges?.connections() ?? 0),
    });
    this.ebpf = new Gauge({
      name: 'pxgate_agent_ebpf_attached',
      help: '1 while the eBPF socket tracer is attached, 0 when tracing is off (see the log).',
      registers,
    });
    registerTlsMetrics(registry, () => this.gauges);
  }

  /** Points the scrape-time metrics at the live agent parts. */
  observe(gauges: AgentGauges): void {
    this.gauges = gauges;
  }

  ebpfAttached(on: boolean): void {
    this.ebpf.set(on ? 1 : 0);
  }

  event(kind: string): void {
    this.pendingEvents.set(kind, (this.pendingEvents.get(kind) ?? 0) + 1);
  }

  parseErrors(protocol: string, count: number): void {
    this.parseErrorsTotal.inc({ protocol }, count);
  }

  /** `kind` as the parser names it (camelCase); the label is snake_case. */
  parseErrorKind(protocol: string, kind: string, count: number): void {
    this.parseErrorKinds.inc(
      { protocol, kind: kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) },
      count,
    );
  }

  opaqueConnection(protocol: string): void {
    this.opaqueTotal.inc({ protocol });
  }

  rows(table: string, count = 1): void {
    this.pendingRows.set(table, (this.pendingRows.get(table) ?? 0) + count);
  }

  sent(batch: OutgoingBatch): void {
    this.batchesSent.inc({ table: batch.label });
    this.bytesSent.inc({ table: batch.label }, batch.body.length);
  }

  dropped(batch: OutgoingBatch, reason: DropReason): void {
    this.batchesDropped.inc({ table: batch.label, reason });
  }

  rejected(batch: OutgoingBatch): void {
    this.dropped(batch, 'rejected');
  }

  retried(batch: OutgoingBatch): void {
    this.retries.inc({ table: batch.label });
  }

  connectionsEvicted(count: number): void {
    this.evicted.inc(count);
  }

  private syncKernelCounter(counter: Counter, field: keyof TracerCounters): void {
    const value = this.gauges?.tracerCounters()?.[field];
    const seen = this.kernelSeen.get(field) ?? 0;
    if (value === undefined || value <= seen) return;
    counter.inc(value - seen);
    this.kernelSeen.set(field, value);
  }
}

function flush(pending: Map<string, number>, inc: (label: string, n: number) => void): void {
  for (const [label, n] of pending) inc(label, n);
  pending.clear();
}
