import net from 'node:net';

/** One read of one side of a proxied connection, as the protocol tests' testdata stores it. */
export interface RecordedRead {
  /** `request`: the client's bytes; `response`: the server's. */
  readonly kind: 'request' | 'response';
  /** Position of the first byte in that side's stream. */
  readonly pos: number;
  readonly size: number;
  /** ns since the proxy accepted the connection. */
  readonly ts: number;
  readonly data: Buffer;
}

/**
 * A TCP proxy on loopback that forwards every connection to `target` and records what each side
 * sent, one entry per read, in order: the byte streams an eBPF capture of the same conversation
 * would see (split where the reads split them). For recording real peers' conversations as
 * testdata, and for tests that parse a live conversation.
 */
export class RecordingProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Each connection's reads, in the order connections were accepted. */
  readonly connections: RecordedRead[][] = [];
  /** Connections whose both sides have closed. */
  closed = 0;

  constructor(private readonly targetPort: number) {}

  /** Listens on a free loopback port and returns it. */
  async start(): Promise<number> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  /** Closes the listener and any connection still open; safe twice and before start. */
  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const reads: RecordedRead[] = [];
    this.connections.push(reads);
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const start = process.hrtime.bigint();
    const pos = { request: 0, response: 0 };
    const record = (kind: 'request' | 'response', data: Buffer) => {
      const ts = Number(process.hrtime.bigint() - start);
      reads.push({ kind, pos: pos[kind], size: data.length, ts, data: Buffer.from(data) });
      pos[kind] += data.length;
    };
    let open = 2;
    const done = () => {
      if (--open === 0) this.closed++;
    };
    for (const [from, to, kind] of [
      [client, upstream, 'request'],
      [upstream, client, 'response'],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (data: Buffer) => {
        record(kind, data);
        to.write(data);
      });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
        done();
      });
    }
  }
}

/** A recorded connection as testdata lines: JSON with the bytes in base64. */
export function toJsonl(reads: readonly RecordedRead[]): string {
  return reads
    .map((r) =>
      JSON.stringify({
        kind: r.kind,
        pos: r.pos,
        size: r.size,
        ts: r.ts,
        data: r.data.toString('base64'),
      }),
    )
    .join('\n')
    .concat('\n');
}
