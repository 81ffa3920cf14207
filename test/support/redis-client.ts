import { once } from 'node:events';
import { Socket, connect } from 'node:net';
import { waitFor } from './wait';

/**
 * A Redis client that writes raw bytes (RESP, inline commands, several commands in one write)
 * and waits for replies by their text: what tests need to make a server produce exact
 * conversations (pipelines, pub/sub, RESP3).
 */
export class RawRedisClient {
  private received = '';
  /** Where the next `until` starts looking. */
  private seen = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => (this.received += d.toString('latin1')));
  }

  static async connect(port: number): Promise<RawRedisClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawRedisClient(socket);
  }

  /** Writes bytes in one write (one syscall for bytes of this size). */
  send(bytes: string): void {
    this.socket.write(Buffer.from(bytes, 'latin1'));
  }

  /** Waits until `text` arrives after what earlier waits saw. */
  async until(text: string): Promise<void> {
    const at = await waitFor(
      () => this.received.indexOf(text, this.seen),
      (i) => i >= 0,
      { timeoutMs: 5000, intervalMs: 5, what: `reply ${JSON.stringify(text)}` },
    );
    this.seen = at + text.length;
  }

  async close(): Promise<void> {
    this.socket.end();
    await once(this.socket, 'close');
  }
}

/** A command as a RESP array of bulk strings. */
export function resp(...words: string[]): string {
  return `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`;
}
