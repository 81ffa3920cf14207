import { ConnEvent, DataEvent, EventHeader } from '../ebpf/events';
import { Protocol, Role } from '../ebpf/layout';
import { upidHalves } from '../proc/upid';
import { ConnectionParser, RowOut } from '../protocols/protocol-spec';
import { ProtocolRegistry } from '../protocols/registry';
import { ConnStatsAggregator } from './conn-stats';
import { Connection } from './connection';

/** Where the tracker's output goes. */
export interface TrackerSink {
  /** A row of the table a protocol writes to. */
  row: RowOut;
  /** Stretches a protocol's parser could not parse or pair. */
  parseErrors(protocol: string, count: number): void;
  /** The same by kind, for protocols that tell kinds apart (HTTP/2's are camelCase names). */
  parseErrorKind(protocol: string, kind: string, count: number): void;
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
    const c = this.lookup(ev.header, ev);
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
    const handler = this.protocols.get(ev.protocol);
    // Raw bytes of a connection whose TLS plaintext is read are ciphertext: never parsed.
    if (
      handler &&
      ev.encrypted === c.encrypted &&
      (c.role === Role.CLIENT || c.role === Role.SERVER)
    ) {
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

  /**
   * The first TLS plaintext of a connection: positions from here on count plaintext bytes (its
   * byte totals stay the socket's), and what was parsed of its raw bytes before (a proxy's
   * CONNECT, PostgreSQL's SSLRequest) ends there.
   */
  private startPlaintext(c: Connection): void {
    if (c.encrypted) return;
    c.encrypted = true;
    c.ssl = true;
    if (c.parser) this.closeParser(c);
    c.reportedOpaque = false;
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
    c.reportedErrorKinds = undefined;
  }

  /** Reports a parser's new errors, and its switch to unreadable bytes once. */
  private report(c: Connection): void {
    const parser = c.parser!;
    const errors = parser.errors();
    if (errors > c.reportedErrors) {
      this.sink.parseErrors(parser.handler.name, errors - c.reportedErrors);
      c.reportedErrors = errors;
      this.reportKinds(c, parser);
    }
    if (!c.reportedOpaque && parser.opaque()) {
      c.reportedOpaque = true;
      this.sink.opaqueConnection(parser.handler.name);
    }
  }

  /** Reports the new errors of each kind (only when the total grew: rare, so copying is fine). */
  private reportKinds(c: Connection, parser: ConnectionParser): void {
    const kinds = parser.errorCounts();
    if (!kinds) return;
    for (const [kind, n] of Object.entries(kinds)) {
      const before = c.reportedErrorKinds?.[kind] ?? 0;
      if (n > before) this.sink.parseErrorKind(parser.handler.name, kind, n - before);
    }
    c.reportedErrorKinds = { ...kinds };
  }

  /**
   * The connection of an event. A new tsid on a known descriptor means the old connection
   * ended unseen; an event for an unknown one (its open was lost, or came before we started)
   * starts tracking it, with the addresses of `ev` when it is a connection event. conn_stats
   * counts TCP connections; a datagram socket is no connection to count.
   */
  private lookup(h: EventHeader, ev: ConnEvent | DataEvent): Connection {
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
      ssl: false,
      encrypted: false,
      bytesSent: 0,
      bytesRecv: 0,
      parser: undefined,
      reportedErrors: 0,
      reportedErrorKinds: undefined,
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
    if (ev.ssl) c.ssl = true;
    if (ev.bytesSent > c.bytesSent) c.bytesSent = ev.bytesSent;
    if (ev.bytesRecv > c.bytesRecv) c.bytesRecv = ev.bytesRecv;
    if (counted && c.transport === 'tcp') this.stats.changed(c);
  }
}
