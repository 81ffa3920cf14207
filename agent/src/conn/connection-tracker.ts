import { ConnEvent, DataEvent, EventHeader } from '../ebpf/events';
import { Protocol, Role } from '../ebpf/layout';
import { WallClock } from '../proc/host';
import { upidHalves } from '../proc/upid';
import { HeaderMask } from '../protocols/http/header-mask';
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

/** How HTTP is captured: the stitcher's limits, and the headers masked in rows. */
export interface HttpCapture {
  readonly limits: StitcherLimits;
  readonly mask: HeaderMask;
}

/** fds are below 2^31 and pids below 2^22, so tgid * 2^31 + fd is an exact number key. */
const FD_SPAN = 2 ** 31;

/**
 * Turns socket events into connections: opens and closes them, keeps their byte counts, feeds
 * HTTP data to a stitcher per connection and emits http_events rows as exchanges complete.
 * At most `maxConnections` are tracked; beyond that the oldest are forgotten.
 */
export class ConnectionTracker {
  private readonly conns = new Map<number, Connection>();

  constructor(
    private readonly asid: number,
    private readonly clock: WallClock,
    private readonly http: HttpCapture,
    private readonly stats: ConnStatsAggregator,
    private readonly sink: TrackerSink,
    private readonly maxConnections = 65536,
  ) {}

  handle(ev: ConnEvent | DataEvent): void {
    switch (ev.kind) {
      case 'open':
        this.describe(this.lookup(ev.header, ev), ev);
        return;
      case 'data':
        this.data(ev);
        return;
      case 'stats':
        this.describe(this.lookup(ev.header, ev), ev);
        return;
      case 'close': {
        const c = this.lookup(ev.header, ev);
        this.describe(c, ev);
        this.finish(c);
        return;
      }
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

  private data(ev: DataEvent): void {
    const c = this.lookup(ev.header);
    if (ev.encrypted) {
      this.startPlaintext(c);
    } else {
      const end = ev.pos + ev.msgSize;
      if (ev.direction === 'egress') {
        if (end > c.bytesSent) c.bytesSent = end;
      } else if (end > c.bytesRecv) {
        c.bytesRecv = end;
      }
    }
    if (
      ev.encrypted === c.encrypted &&
      ev.protocol === Protocol.HTTP &&
      (c.role === Role.CLIENT || c.role === Role.SERVER)
    ) {
      c.protocol = Protocol.HTTP;
      c.stitcher ??= new HttpStitcher(this.http.limits);
      const isRequest = (c.role === Role.CLIENT) === (ev.direction === 'egress');
      const chunk = { pos: ev.pos, size: ev.msgSize, ts: ev.header.monoNs, data: ev.data };
      this.emit(c, c.stitcher.push(isRequest ? 'request' : 'response', chunk));
    }
    this.stats.changed(c);
  }

  /**
   * The first TLS plaintext of a connection: positions from here on count plaintext bytes (its
   * byte totals stay the socket's), and what was parsed of its raw bytes before (a proxy's
   * CONNECT, say) ends there.
   */
  private startPlaintext(c: Connection): void {
    if (c.encrypted) return;
    c.encrypted = true;
    c.ssl = true;
    if (c.stitcher) this.emit(c, c.stitcher.close());
    c.stitcher = undefined;
  }

  private finish(c: Connection): void {
    if (this.conns.get(c.key) === c) this.conns.delete(c.key);
    if (c.stitcher) this.emit(c, c.stitcher.close());
    this.stats.closed(c);
  }

  /**
   * The connection of an event. A new tsid on a known descriptor means the old connection
   * ended unseen; an event for an unknown one (its open was lost, or came before we started)
   * starts tracking it, with the addresses of `ev` when it is a connection event.
   */
  private lookup(h: EventHeader, ev?: ConnEvent): Connection {
    const key = h.tgid * FD_SPAN + h.fd;
    const known = this.conns.get(key);
    if (known && known.tsid === h.tsid) return known;
    if (known) this.finish(known);
    if (this.conns.size >= this.maxConnections) {
      const [oldest] = this.conns.values();
      if (oldest) {
        this.finish(oldest);
        this.sink.connectionsEvicted(1);
      }
    }
    const c: Connection = {
      key,
      tgid: h.tgid,
      tsid: h.tsid,
      upid: upidHalves({ asid: this.asid, pid: h.tgid, startTicks: BigInt(h.startTicks) }),
      role: h.role,
      family: 0,
      localAddr: '',
      localPort: 0,
      remoteAddr: '',
      remotePort: 0,
      protocol: Protocol.UNKNOWN,
      ssl: false,
      encrypted: false,
      bytesSent: 0,
      bytesRecv: 0,
      stitcher: undefined,
      reportedErrors: 0,
      statsKey: undefined,
    };
    if (ev) this.describe(c, ev, false);
    this.conns.set(key, c);
    this.stats.opened(c);
    return c;
  }

  /** Copies what a connection event knows (addresses, protocol, byte totals). */
  private describe(c: Connection, ev: ConnEvent, counted = true): void {
    if (ev.family !== 0 && c.family === 0) {
      c.family = ev.family;
      c.localAddr = ev.localAddr;
      c.localPort = ev.localPort;
      c.remoteAddr = ev.remoteAddr;
      c.remotePort = ev.remotePort;
    }
    if (ev.protocol !== Protocol.UNKNOWN) c.protocol = ev.protocol;
    if (ev.ssl) c.ssl = true;
    if (ev.bytesSent > c.bytesSent) c.bytesSent = ev.bytesSent;
    if (ev.bytesRecv > c.bytesRecv) c.bytesRecv = ev.bytesRecv;
    if (counted) this.stats.changed(c);
  }

  private emit(c: Connection, exchanges: readonly HttpExchange[]): void {
    for (const x of exchanges) this.sink.httpEvent(httpEventRow(x, c, this.clock, this.http.mask));
    const errors = c.stitcher!.errors();
    if (errors > c.reportedErrors) {
      this.sink.parseErrors(errors - c.reportedErrors);
      c.reportedErrors = errors;
    }
  }
}
