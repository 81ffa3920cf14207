import { Command } from 'commander';
import { loadConfig } from '../config/load';

/** How a client command (`tables`, `run`) finds its gateway. */
export interface ConnectionOptions {
  config?: string;
  gateway?: string;
  token?: string;
}

/** Adds `--config`, `--gateway` and `--token` to a command that talks to a gateway. */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML config file (its agent.gateway and auth.token are used)')
    .option(
      '--gateway <url>',
      'gateway URL (default: agent.gateway of the config, $PXGATE_GATEWAY, or http://127.0.0.1:8090)',
    )
    .option(
      '--token <token>',
      'bearer token (default: auth.token of the config, $PXGATE_AUTH_TOKEN)',
    );
}

/**
 * A client of the gateway an agent with the same configuration would send to: flags, then the
 * environment, then the config file, then the default (loopback, no token).
 */
export function connect(opts: ConnectionOptions): GatewayClient {
  const config = loadConfig({
    ...(opts.config ? { file: opts.config } : {}),
    flags: { 'agent.gateway': opts.gateway, 'auth.token': opts.token },
  });
  return new GatewayClient(config.agent.gateway, config.auth.token);
}

/** A small client of the gateway's HTTP API, for the CLI. */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const url = new URL(path, this.baseUrl);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const cause =
        (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
      throw new Error(`cannot reach the gateway at ${this.baseUrl}: ${cause}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new Error(
        `gateway answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!res.ok) {
      const e = (parsed as { error?: { message?: string; line?: number; column?: number } }).error;
      const where = e?.line !== undefined ? ` (line ${e.line}, column ${e.column})` : '';
      throw new Error(`gateway answered ${res.status}: ${e?.message ?? text}${where}`);
    }
    return parsed as T;
  }
}
