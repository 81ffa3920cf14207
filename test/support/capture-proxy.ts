import { once } from 'node:events';
import { createSocket, RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket, connect } from 'node:net';
import { ScriptStep } from './http-script';

/** One read of one side, as the agent's data events report it (testdata/*.jsonl lines). */
export interface CapturedEvent {
  readonly kind: 'request' | 'response';
  /** Position in that direction's stream (for UDP: the bytes of the datagrams before it). */
  readonly pos: number;
  readonly size: number;
  /** ns since the conversation's first event. */
  readonly ts: number;
  readonly data: Buffer;
}

/** The events of one conversation: a TCP connection, or the datagrams of one UDP client socket. */
export class Conversation {
  readonly events: CapturedEvent[] = [];
  private readonly pos = { request: 0, response: 0 };
  private t0: bigint | undefined;

  /** Records one read (one datagram for UDP). */
  record(kind: 'request' | 'response', data: Buffer): void {
    const now = process.hrtime.bigint();
    this.t0 ??= now;
    this.events.push({
      kind,
      pos: this.pos[kind],
      size: data.length,
      ts: Number(now - this.t0),
      data,
    });
    this.pos[kind] += data.length;
  }
}

/**
 * A TCP proxy on a free loopback port that forwards every connection to `target` and records
 * what each side sent, one event per read, each forwarded as one write.
 */
export class TcpRecorder {
  readonly conversations: Conversation[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpRecorder> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const recorder = new TcpRecorder(server, (server.address() as { port: number }).port);
    server.on('connection', (client) => recorder.relay(client, targetPort));
    return recorder;
  }

  private relay(client: Socket, targetPort: number): void {
    const c = new Conversation();
    this.conversations.push(c);
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (d: Buffer) => {
      c.record('request', d);
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      c.record('response', d);
      client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  }

  async shutdown(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.close();
    await once(this.server, 'close');
  }
}

/**
 * A UDP relay on a free loopback port: each client socket (address and port) gets a socket of
 * its own towards `target`, so that answers find their way back, and a conversation of its own.
 */
export class UdpRelay {
  readonly conversations: Conversation[] = [];
  private readonly clients = new Map<string, { socket: UdpSocket; conversation: Conversation }>();

  private constructor(
    private readonly socket: UdpSocket,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<UdpRelay> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const relay = new UdpRelay(socket, socket.address().port);
    socket.on('message', (msg, from) => relay.forward(msg, from, targetPort));
    return relay;
  }

  private forward(msg: Buffer, from: RemoteInfo, targetPort: number): void {
    const key = `${from.address}:${from.port}`;
    let client = this.clients.get(key);
    if (!client) {
      const conversation = new Conversation();
      this.conversations.push(conversation);
      const socket = createSocket('udp4');
      socket.on('message', (answer) => {
        conversation.record('response', answer);
        this.socket.send(answer, from.port, from.address);
      });
      socket.on('error', () => socket.close());
      client = { socket, conversation };
      this.clients.set(key, client);
    }
    client.conversation.record('request', msg);
    client.socket.send(msg, targetPort, '127.0.0.1');
  }

  async shutdown(): Promise<void> {
    for (const c of this.clients.values()) c.socket.close();
    this.socket.close();
    await once(this.socket, 'close');
  }
}

/** Writes a conversation as a testdata capture, one JSON event per line. */
export function writeCapture(file: string, c: Conversation): void {
  const lines = c.events.map((e) =>
    JSON.stringify({
      kind: e.kind,
      pos: e.pos,
      size: e.size,
      ts: e.ts,
      data: e.data.toString('base64'),
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** A conversation as script steps, one per recorded read. */
export function conversationSteps(c: Conversation): ScriptStep[] {
  return c.events.map((e) => ({ kind: e.kind, ts: e.ts, bytes: e.data }));
}

/** A testdata capture as script steps, one per recorded read. */
export function readCapture(file: string): ScriptStep[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const e = JSON.parse(line) as { kind: 'request' | 'response'; ts: number; data: string };
      return { kind: e.kind, ts: e.ts, bytes: Buffer.from(e.data, 'base64') };
    });
}

/** Every byte of a capture in its own syscall, same positions and times. */
export function bytewise(steps: readonly ScriptStep[]): ScriptStep[] {
  return steps.flatMap((s) =>
    Array.from(s.bytes as Uint8Array, (b) => ({ kind: s.kind, ts: s.ts, bytes: Uint8Array.of(b) })),
  );
}

/**
 * Consecutive steps of the same side joined into one syscall (at the time of the last), as a
 * reader that found them all waiting would see them.
 */
export function joined(steps: readonly ScriptStep[]): ScriptStep[] {
  const out: { kind: 'request' | 'response'; ts: number | undefined; parts: Uint8Array[] }[] = [];
  for (const s of steps) {
    const last = out[out.length - 1];
    const bytes = typeof s.bytes === 'string' ? Buffer.from(s.bytes, 'latin1') : s.bytes;
    if (last && last.kind === s.kind) {
      last.parts.push(bytes);
      last.ts = s.ts;
    } else out.push({ kind: s.kind, ts: s.ts, parts: [bytes] });
  }
  return out.map((o) => ({ kind: o.kind, ts: o.ts, bytes: Buffer.concat(o.parts) }));
}
