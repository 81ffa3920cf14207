import { ConnEvent, DataEvent, EventHeader, SocketEvent } from '../ebpf/events';
import { Protocol, Role } from '../ebpf/layout';
import { WallClock } from '../proc/host';
import { upidHalves } from '../proc/upid';
import { httpEventRow } from '../protocols/http/http-rows';
import { HttpExchange, HttpStitcher, StitcherLimits } from '../protocols/http/http-stitcher';
import { Row } from '../transport/row';
import { ConnStatsAggregator } from './conn-stats';
import { Connection } from './connection';

/** Where the tracker's output goes. */
export interface TrackerSink {
  httpEvent(row: Row): void;
  parseErrors(count: number): void;
  connectionsEvicted(count: number): void;
}

/**
 * Turns socket events into connections: opens and closes them, keeps their byte counts, feeds
 * HTTP data to a stitcher per connection and emits http_events rows as exchanges complete.
 * Connections are kept in least-recently-active order and bounded by `maxConnections`.
 */
export class ConnectionTracker {
  private readonly conns = new Map<string, Connection>();

  constructor(
    private readonly asid: number,
    private readonly clock: WallClock,
    private readonly limits: StitcherLimits,
    private readonly stats: ConnStatsAggregator,
    private readonly sink: TrackerSink,
    private readonly maxConnections = 65536,
  ) {}

  handle(ev: SocketEvent): void {
    switch (ev.kind) {
      case 'open':
        this.open(ev);
        return;
      case 'data':
        this.data(ev);
        return;
      case 'stats':
        this.totals(ev);
        return;
      case 'close':
        this.close(ev);
        return;
    }
  }

  /** Closes the connections of processes that exited without our seeing their close. */
  retainProcesses(isAlive: (tgid: number) => boolean): void {
    for (const c of [...this.conns.values()]) {
      if (!isAlive(c.tgid)) this.finish(c);
    }
    this.stats.retainProcesses(isAlive);
  }

  size(): number {
    return this.conns.size;
  }

  private open(ev: ConnEvent): void {
    const key = keyOf(ev.header);
    if (this.conns.has(key)) return;
    const c = this.create(ev.header);
    describe(c, ev);
    this.stats.opened(c);
  }

  private data(ev: DataEvent): void {
    const c = this.lookup(ev.header);
    const end = ev.pos + ev.msgSize;
    if (ev.direction === 'egress') c.bytesSent = Math.max(c.bytesSent, end);
    else c.bytesRecv = Math.max(c.bytesRecv, end);
    if (ev.protocol !== Protocol.HTTP || (c.role !== Role.CLIENT && c.role !== Role.SERVER)) {
      this.stats.changed(c);
      return;
    }
    c.protocol = Protocol.HTTP;
    c.stitcher ??= new HttpStitcher(this.limits);
    const isRequest = (c.role === Role.CLIENT) === (ev.direction === 'egress');
    const exchanges = c.stitcher.push(isRequest ? 'request' : 'response', {
      pos: ev.pos,
      size: ev.msgSize,
      ts: this.clock.fromMonotonic(ev.header.monoNs),
      data: ev.data,
    });
    this.emit(c, exchanges);
    this.stats.changed(c);
  }

  private totals(ev: ConnEvent): void {
    const c = this.lookup(ev.header);
    describe(c, ev);
    this.stats.changed(c);
  }

  private close(ev: ConnEvent): void {
    const c = this.conns.get(keyOf(ev.header)) ?? this.create(ev.header, true);
    describe(c, ev);
    this.finish(c);
  }

  private finish(c: Connection): void {
    this.conns.delete(c.key);
    if (c.stitcher) this.emit(c, c.stitcher.close());
    this.stats.closed(c);
  }

  /** The connection of an event, created when its open was not seen (lost or before start). */
  private lookup(h: EventHeader): Connection {
    const key = keyOf(h);
    const c = this.conns.get(key);
    if (!c) {
      const created = this.create(h);
      this.stats.opened(created);
      return created;
    }
    // Re-insert to keep the map in least-recently-active order.
    this.conns.delete(key);
    this.conns.set(key, c);
    return c;
  }

  private create(h: EventHeader, closing = false): Connection {
    if (!closing && this.conns.size >= this.maxConnections) {
      const [oldest] = this.conns.values();
      if (oldest) {
        this.finish(oldest);
        this.sink.connectionsEvicted(1);
      }
    }
    const c: Connection = {
      key: keyOf(h),
      tgid: h.tgid,
      upid: upidHalves({ asid: this.asid, pid: h.tgid, startTicks: h.startTicks }),
      role: h.role,
      family: 0,
      localAddr: '',
      localPort: 0,
      remoteAddr: '',
      remotePort: 0,
      protocol: Protocol.UNKNOWN,
      bytesSent: 0,
      bytesRecv: 0,
      stitcher: undefined,
      reportedErrors: 0,
      statsKey: undefined,
    };
    if (!closing) this.conns.set(c.key, c);
    else this.stats.opened(c);
    return c;
  }

  private emit(c: Connection, exchanges: readonly HttpExchange[]): void {
    for (const x of exchanges) this.sink.httpEvent(httpEventRow(x, c));
    const errors = c.stitcher?.errors() ?? 0;
    if (errors > c.reportedErrors) {
      this.sink.parseErrors(errors - c.reportedErrors);
      c.reportedErrors = errors;
    }
  }
}

function keyOf(h: EventHeader): string {
  return `${h.tgid}:${h.fd}:${h.tsid}`;
}

/** Copies what a connection event knows (addresses, protocol, byte totals). */
function describe(c: Connection, ev: ConnEvent): void {
  if (ev.family !== 0) {
    c.family = ev.family;
    c.localAddr = ev.localAddr;
    c.localPort = ev.localPort;
    c.remoteAddr = ev.remoteAddr;
    c.remotePort = ev.remotePort;
  }
  if (ev.protocol !== Protocol.UNKNOWN) c.protocol = ev.protocol;
  c.bytesSent = Math.max(c.bytesSent, ev.bytesSent);
  c.bytesRecv = Math.max(c.bytesRecv, ev.bytesRecv);
}
