import { once } from 'node:events';
import { connect } from 'node:net';
import { freePort } from './prometheus';
import { ServerProcess, binaryUnavailable, startServerProcess } from './server-process';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
/** Debian's redis-cli (package redis-tools, which redis-server depends on). */
export const REDIS_CLI = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';

/** Why Debian's redis-server and redis-cli cannot run here, or undefined when they can. */
export function redisUnavailable(): string | undefined {
  return (
    binaryUnavailable(REDIS_SERVER, 'redis-server') ?? binaryUnavailable(REDIS_CLI, 'redis-tools')
  );
}

export interface RunningRedis extends ServerProcess {
  readonly port: number;
}

/**
 * Debian's redis-server for a test: a free loopback port, no persistence, its working directory
 * a temporary one. Ready when it answers PING.
 */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const server = await startServerProcess({
    name: 'redis',
    bin: REDIS_SERVER,
    args: (dir) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ],
    ready: async () => (await redisCall(port, '*1\r\n$4\r\nPING\r\n')) === '+PONG\r\n',
  });
  return { ...server, port };
}

/** Sends raw RESP to a server and returns the first reply bytes (for readiness checks). */
async function redisCall(port: number, raw: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.write(raw);
    const [data] = (await once(socket, 'data')) as [Buffer];
    return data.toString('latin1');
  } finally {
    socket.destroy();
  }
}
