import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Server, Socket, connect, createServer } from 'node:net';
import { Side } from '../../agent/src/protocols/stitcher';
import { waitFor } from './wait';

/** One read of one direction, as the agent's data events report it (see testdata READMEs). */
export interface RecordedChunk {
  readonly kind: Side;
  /** Position of the chunk's first byte in its direction's stream. */
  readonly pos: number;
  readonly size: number;
  /** ns since the proxy's first chunk of the connection. */
  readonly ts: number;
  readonly data: Buffer;
}

/** A loopback proxy in front of a server that keeps every byte each way, per connection. */
export interface TcpRecorder {
  readonly port: number;
  /** Connections seen so far, each its chunks in the order they were read. */
  connections(): RecordedChunk[][];
  /** Resolves when every connection the proxy carried has closed on both sides. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on a free loopback port that forwards to `target` and records each read of
 * each direction (client to server: 'request', server to client: 'response') with its stream
 * position and time, as one socket syscall of the traced process would report it.
 */
export async function startTcpRecorder(target: {
  host: string;
  port: number;
}): Promise<TcpRecorder> {
  const conns: RecordedChunk[][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const chunks: RecordedChunk[] = [];
    conns.push(chunks);
    const upstream = connect(target.port, target.host);
    const start = process.hrtime.bigint();
    const pos = { request: 0, response: 0 };
    const record = (kind: Side, data: Buffer) => {
      chunks.push({
        kind,
        pos: pos[kind],
        size: data.length,
        ts: Number(process.hrtime.bigint() - start),
        data: Buffer.from(data),
      });
      pos[kind] += data.length;
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (d: Buffer) => {
      record('request', d);
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      record('response', d);
      client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    connections: () => conns.map((c) => [...c]),
    settled: () =>
      waitFor(
        () => sockets.size,
        (n) => n === 0,
        { intervalMs: 10, what: 'proxied connections closed' },
      ).then(() => undefined),
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Writes a recorded connection as JSON lines (`data` in base64), the testdata format. */
export function writeCapture(path: string, chunks: readonly RecordedChunk[]): void {
  const lines = chunks.map((c) =>
    JSON.stringify({
      kind: c.kind,
      pos: c.pos,
      size: c.size,
      ts: c.ts,
      data: c.data.toString('base64'),
    }),
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
}
