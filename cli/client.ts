import { Command } from 'commander';
import {
  GatewayCredentials,
  certificateHint,
  configuredSources,
} from '../agent/src/transport/gateway-credentials';
import { HttpPoster } from '../agent/src/transport/http-post';
import { loadConfig } from './config/load';

/** How a client command (`tables`, `run`) finds its gateway and proves itself. */
export interface ConnectionOptions extends GatewayTlsOptions {
  config?: string;
  gateway?: string;
  token?: string;
}

/** The flags for a gateway's token file and TLS, shared by the agent and the client commands. */
export interface GatewayTlsOptions {
  tokenFile?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Adds `--token-file`, `--ca-file`, `--cert-file` and `--key-file` to a command. */
export function withGatewayTlsOptions(cmd: Command): Command {
  return cmd
    .option('--token-file <file>', 'file holding the bearer token (default: agent.tokenFile)')
    .option(
      '--ca-file <file>',
      "PEM CA(s) that signed the gateway's certificate (default: agent.tls.caFile, else the system's)",
    )
    .option('--cert-file <file>', 'client certificate, PEM, for mutual TLS (agent.tls.certFile)')
    .option('--key-file <file>', "the client certificate's key, PEM (agent.tls.keyFile)");
}

/** Adds `--config`, `--gateway`, `--token` and the TLS flags to a command that talks to a gateway. */
export function withConnectionOptions(cmd: Command): Command {
  return withGatewayTlsOptions(
    cmd
      .option('-c, --config <file>', 'YAML config file (its agent.gateway, token and TLS are used)')
      .option(
        '--gateway <url>',
        'gateway URL (default: agent.gateway of the config, $PXGATE_GATEWAY, or http://127.0.0.1:8090)',
      )
      .option(
        '--token <token>',
        'bearer token (default: agent.token or auth.token of the config, $PXGATE_AUTH_TOKEN)',
      ),
  );
}

/** Answers larger than this are refused rather than held (a query's results are bounded too). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/**
 * A client of the gateway an agent with the same configuration would send to: flags, then the
 * environment, then the config file, then the default (loopback, no token, the system's CAs).
 */
export function connect(opts: ConnectionOptions): GatewayClient {
  const config = loadConfig({
    ...(opts.config ? { file: opts.config } : {}),
    flags: { 'agent.gateway': opts.gateway },
  });
  const sources = configuredSources(config, {
    token: opts.token,
    tokenFile: opts.tokenFile,
    caFile: opts.caFile,
    certFile: opts.certFile,
    keyFile: opts.keyFile,
  });
  return new GatewayClient(config.agent.gateway, new GatewayCredentials(sources));
}

/** The gateway's answer to a request it refused, with the script position when it names one. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    const where = line !== undefined ? ` (line ${line}, column ${column})` : '';
    super(`gateway answered ${status}: ${detail}${where}`);
    this.name = 'GatewayError';
  }
}

/** The hint for a connection the gateway's address refused: nothing listens there. */
function unreachableHint(err: unknown): string | undefined {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || /ECONNREFUSED/.test((err as Error).message)
    ? 'is a gateway running? Start one with `pxgate start`, or name another with --gateway URL'
    : undefined;
}

/** A small client of the gateway's HTTP API, for the CLI. */
export class GatewayClient {
  private readonly http: HttpPoster;

  constructor(
    readonly baseUrl: string,
    private readonly credentials: GatewayCredentials,
  ) {
    this.http = new HttpPoster(new URL(baseUrl), {
      maxAnswerBytes: MAX_ANSWER_BYTES,
      tls: () => credentials.tls(),
    });
  }

  /** Ends the requests in flight (they fail), as when `pxgate live` quits mid-refresh. */
  close(): void {
    this.http.close();
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = this.credentials.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let res;
    try {
      res = await this.http.send({
        method,
        path,
        headers,
        ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}),
        timeoutMs: 0,
      });
    } catch (err) {
      const hint = certificateHint(err) ?? unreachableHint(err);
      throw new Error(
        `cannot reach the gateway at ${this.baseUrl}: ${(err as Error).message}${hint ? ` (${hint})` : ''}`,
      );
    } finally {
      this.http.close();
    }
    if (res.truncated) {
      throw new Error(`the gateway's answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    let parsed: unknown;
    try {
      parsed = res.body ? JSON.parse(res.body) : {};
    } catch {
      throw new Error(
        `gateway answered ${res.status} with a body that is not JSON: ${res.body.slice(0, 200)}`,
      );
    }
    if (res.status < 200 || res.status >= 300) {
      const e = (parsed as { error?: { message?: string; line?: number; column?: number } }).error;
      throw new GatewayError(res.status, e?.message ?? res.body, e?.line, e?.column);
    }
    return parsed as T;
  }
}
