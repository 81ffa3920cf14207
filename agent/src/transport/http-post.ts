import { Agent as HttpAgent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const MAX_ANSWER = 64 * 1024;

/**
 * POSTs bodies to one base URL over a kept-alive connection (node:http is lighter than fetch
 * on the agent's hot path). Answers are read up to 64 KiB; the rest is discarded.
 */
export class HttpPoster {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(private readonly base: URL) {
    const https = base.protocol === 'https:';
    this.agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1 })
      : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.request = https ? httpsRequest : httpRequest;
  }

  post(
    path: string,
    headers: Record<string, string>,
    body: Uint8Array,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      const req = this.request(
        new URL(path, this.base),
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...headers, 'content-length': String(body.length) },
          timeout: timeoutMs,
          signal,
        },
        (res) => {
          const parts: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            if (size < MAX_ANSWER) parts.push(d);
            size += d.length;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(parts).toString('utf8', 0, MAX_ANSWER),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
