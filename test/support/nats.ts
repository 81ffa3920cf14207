import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './prometheus';
import { ServerProcess, binaryUnavailable, startServerProcess } from './server-process';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** Why Debian's nats-server cannot run here, or undefined when it can. */
export function natsUnavailable(): string | undefined {
  return binaryUnavailable(NATS_SERVER, 'nats-server');
}

export interface RunningNats extends ServerProcess {
  readonly port: number;
  readonly url: string;
}

/**
 * Debian's nats-server with JetStream for a test: a free loopback port, its store in a temporary
 * directory, and 8 MiB messages (the default 1 MiB is smaller than an agent's batch can be).
 * Ready when it greets a client with INFO.
 */
export async function startNats(): Promise<RunningNats> {
  const port = await freePort();
  const server = await startServerProcess({
    name: 'nats',
    bin: NATS_SERVER,
    args: (dir) => {
      const conf = join(dir, 'nats.conf');
      writeFileSync(
        conf,
        [
          `listen: 127.0.0.1:${port}`,
          'max_payload: 8MB',
          `jetstream { store_dir: "${join(dir, 'js')}" }`,
        ].join('\n'),
      );
      return ['-c', conf];
    },
    ready: () => greets(port),
  });
  return { ...server, port, url: `nats://127.0.0.1:${port}` };
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('INFO '));
    });
    socket.once('error', () => resolve(false));
  });
}
