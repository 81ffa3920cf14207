import { Agent as HttpAgent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ClientTlsOptions } from './gateway-credentials';

export interface PostResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** True when the answer was longer than the poster keeps (the rest was discarded). */
  readonly truncated: boolean;
}

/** One request to the gateway. */
export interface GatewayRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | undefined;
  /** Socket inactivity allowed, in ms (0: none). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

export interface PosterOptions {
  /** Answer bytes kept; the rest is discarded (default 64 KiB, plenty for ingest answers). */
  readonly maxAnswerBytes?: number;
  /** TLS options for each new https connection (read again per request: files rotate). */
  readonly tls?: () => ClientTlsOptions;
}

/**
 * Sends requests to one base URL over a kept-alive connection (node:http is lighter than fetch
 * on the agent's hot path, and takes a CA and client certificate, which fetch cannot).
 */
export class HttpPoster {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly https: boolean;
  private readonly maxAnswer: number;

  constructor(
    private readonly base: URL,
    private readonly opts: PosterOptions = {},
  ) {
    this.https = base.protocol === 'https:';
    this.agent = this.https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1 })
      : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.request = this.https ? httpsRequest : httpRequest;
    this.maxAnswer = opts.maxAnswerBytes ?? 64 * 1024;
  }

  /** POSTs a body (the agent's batches). */
  post(
    path: string,
    headers: Record<string, string>,
    body: Uint8Array,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<PostResult> {
    return this.send({ method: 'POST', path, headers, body, timeoutMs, signal });
  }

  /** Sends one request and reads its answer, up to the poster's limit. */
  send(r: GatewayRequest): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      const headers = { ...r.headers };
      if (r.body) headers['content-length'] = String(r.body.length);
      // Per-request TLS options: the agent pools connections by them, so a rotated CA or
      // client certificate opens new connections with the new files.
      const tls = this.https ? (this.opts.tls?.() ?? {}) : {};
      const req = this.request(
        new URL(r.path, this.base),
        {
          method: r.method,
          agent: this.agent,
          headers,
          timeout: r.timeoutMs,
          ...(r.signal ? { signal: r.signal } : {}),
          ...tls,
        },
        (res) => {
          const parts: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            if (size < this.maxAnswer) parts.push(d.subarray(0, this.maxAnswer - size));
            size += d.length;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(parts).toString('utf8'),
              truncated: size > this.maxAnswer,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${r.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(r.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
