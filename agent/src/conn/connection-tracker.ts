import { ConnEvent, DataEvent, EventHeader, SocketEvent } from '../ebpf/events';
import { Protocol, Role } from '../ebpf/layout';
import { upidHalves } from '../proc/upid';
import { RowOut } from '../protocols/protocol-spec';
import { ProtocolRegistry } from '../protocols/registry';
import { ConnStatsAggregator } from './conn-stats';
import { Connection } from './connection';

/** Where the tracker's output goes. */
export interface TrackerSink {
  /** A row of the table a protocol writes to. */
  row: RowOut;
  /** Stretches a protocol's parser could not parse or pair. */
  parseErrors(protocol: string, count: number): void;
  /** A connection switched to bytes its protocol's parser cannot read (TLS upgrade). */
  opaqueConnection(protocol: string): void;
  connectionsEvicted(count: number): void;
}

/** fds are below 2^31 and pids below 2^22, so tgid * 2^31 + fd is an exact number key. */
const FD_SPAN = 2 ** 31;

/**
 * Turns socket events into connections: opens and closes them, keeps their byte counts, feeds
 * the data of each protocol the registry knows to that protocol's parser (one per connection)
 * and hands the rows it completes to the sink. At most `maxConnections` are tracked; beyond
 * that the oldest are forgotten.
 */
export class ConnectionTracker {
  private readonly conns = new Map<number, Connection>();

  constructor(
    private readonly asid: number,
    private readonly protocols: ProtocolRegistry,
    private readonly stats: ConnStatsAggregator,
    private readonly sink: TrackerSink,
    private readonly maxConnections = 65536,
  ) {}

  handle(ev: SocketEvent): void {
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
    const c = this.lookup(ev.header, ev);
    const end = ev.pos + ev.msgSize;
    if (ev.direction === 'egress') {
      if (end > c.bytesSent) c.bytesSent = end;
    } else if (end > c.bytesRecv) {
      c.bytesRecv = end;
    }
    const handler = this.protocols.get(ev.protocol);
    if (handler && (c.role === Role.CLIENT || c.role === Role.SERVER)) {
      c.protocol = ev.protocol;
      let parser = c.parser;
      if (parser?.handler !== handler) {
        // The kernel tags a connection with one protocol for good; a change means a new one.
        if (parser) this.closeParser(c);
        parser = c.parser = handler.open(c.transport);
      }
      if (!c.reportedOpaque) {
        const isRequest = (c.role === Role.CLIENT) === (ev.direction === 'egress');
        const chunk = {
          pos: ev.pos,
          size: ev.msgSize,
          ts: ev.header.monoNs,
          data: ev.data,
          peer: ev.peer,
        };
        parser.push(isRequest ? 'request' : 'response', chunk, c, this.sink.row);
        this.report(c);
      }
    }
    if (c.transport === 'tcp') this.stats.changed(c);
  }

  private finish(c: Connection): void {
    if (this.conns.get(c.key) === c) this.conns.delete(c.key);
    if (c.parser) this.closeParser(c);
    if (c.transport === 'tcp') this.stats.closed(c);
  }

  private closeParser(c: Connection): void {
    c.parser!.close(c, this.sink.row);
    this.report(c);
    c.parser = undefined;
    c.reportedErrors = 0;
  }

  /** Reports a parser's new errors, and its switch to unreadable bytes once. */
  private report(c: Connection): void {
    const parser = c.parser!;
    const errors = parser.errors();
    if (errors > c.reportedErrors) {
      this.sink.parseErrors(parser.handler.name, errors - c.reportedErrors);
      c.reportedErrors = errors;
    }
    if (!c.reportedOpaque && parser.opaque()) {
      c.reportedOpaque = true;
      this.sink.opaqueConnection(parser.handler.name);
    }
  }

  /**
   * The connection of an event. A new tsid on a known descriptor means the old connection
   * ended unseen; an event for an unknown one (its open was lost, or came before we started)
   * starts tracking it, with the addresses of `ev` when it is a connection event. conn_stats
   * counts TCP connections; a datagram socket is no connection to count.
   */
  private lookup(h: EventHeader, ev: SocketEvent): Connection {
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
      transport: ev.transport,
      family: 0,
      localAddr: '',
      localPort: 0,
      remoteAddr: '',
      remotePort: 0,
      protocol: Protocol.UNKNOWN,
      encrypted: false,
      bytesSent: 0,
      bytesRecv: 0,
      parser: undefined,
      reportedErrors: 0,
      reportedOpaque: false,
      statsKey: undefined,
    };
    if (ev.kind !== 'data') this.describe(c, ev, false);
    this.conns.set(key, c);
    if (c.transport === 'tcp') this.stats.opened(c);
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
    if (ev.bytesSent > c.bytesSent) c.bytesSent = ev.bytesSent;
    if (ev.bytesRecv > c.bytesRecv) c.bytesRecv = ev.bytesRecv;
    if (counted && c.transport === 'tcp') this.stats.changed(c);
  }
}
