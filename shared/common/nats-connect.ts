import { readFileSync } from 'node:fs';
import { NatsConnection, connect, credsAuthenticator } from '@nats-io/transport-node';

/** How to reach NATS: the server, and the credentials and TLS it asks for (config `cluster.nats`). */
export interface NatsClientOptions {
  readonly url?: string | undefined;
  readonly credsFile?: string | undefined;
  readonly token?: string | undefined;
  readonly tls: {
    readonly caFile?: string | undefined;
    readonly certFile?: string | undefined;
    readonly keyFile?: string | undefined;
  };
}

/**
 * Connects to NATS, reconnecting for ever once connected (a NATS restart is a pause, not an
 * end); the first connection fails with a message that names the server.
 */
export async function connectNats(opts: NatsClientOptions, name: string): Promise<NatsConnection> {
  if (!opts.url) throw new Error('cluster.nats.url is not set');
  const url = opts.url;
  const { caFile, certFile, keyFile } = opts.tls;
  const tls = caFile || certFile || url.startsWith('tls://');
  try {
    return await connect({
      servers: url.replace(/^tls:\/\//, 'nats://'),
      name,
      maxReconnectAttempts: -1,
      ...(opts.token ? { token: opts.token } : {}),
      ...(opts.credsFile
        ? { authenticator: credsAuthenticator(readFileSync(opts.credsFile)) }
        : {}),
      ...(tls
        ? {
            tls: {
              ...(caFile ? { caFile } : {}),
              ...(certFile ? { certFile } : {}),
              ...(keyFile ? { keyFile } : {}),
            },
          }
        : {}),
    });
  } catch (err) {
    throw new Error(`cannot connect to NATS at ${url}: ${(err as Error).message}`);
  }
}
