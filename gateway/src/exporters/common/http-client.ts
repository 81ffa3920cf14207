import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { retryableError } from './errors';
import { RetryPolicy, classifyHttpStatus } from './http-status';

/** TLS settings of an outgoing connection. */
export interface TlsSettings {
  /** PEM file of the CA(s) to trust instead of the system's. */
  caFile?: string | undefined;
  /** Client certificate and key (PEM) for mutual TLS. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Skip verifying the server's certificate. For tests only. */
  insecureSkipVerify?: boolean | undefined;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most the first MiB of the body. */
  body: Buffer;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * POSTs to one URL over a keep-alive connection pool, with the sink's TLS settings. Network
 * failures reject with retryable errors; HTTP statuses are returned for the caller to class.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(
    readonly url: URL,
    tls: TlsSettings = {},
  ) {
    if (url.protocol === 'https:') {
      this.transport = https;
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 4,
        ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
        ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
        rejectUnauthorized: !tls.insecureSkipVerify,
      });
    } else if (url.protocol === 'http:') {
      this.transport = http;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    } else {
      throw new Error(`unsupported URL scheme ${url.protocol} in ${url.href} (use http or https)`);
    }
  }

  post(body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const req = this.transport.request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: { ...headers, 'content-length': String(body.length) },
        signal,
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', (err) =>
          reject(retryableError(`reading the response failed: ${err.message}`, err)),
        );
      });
      req.on('error', (err) => {
        const reason = signal.aborted ? String(signal.reason?.message ?? 'aborted') : err.message;
        reject(retryableError(`POST ${this.url.href} failed: ${reason}`, err));
      });
      req.end(body);
    });
  }

  /**
   * POSTs and classes the answer: resolves with a 2xx response, throws the ExportError of any
   * other status (`detail` extracts the receiver's message for it).
   */
  async postClassified(
    body: Buffer,
    headers: Record<string, string>,
    signal: AbortSignal,
    policy: RetryPolicy,
    detail: (res: HttpResponse) => string,
  ): Promise<HttpResponse> {
    const res = await this.post(body, headers, signal);
    if (res.status >= 200 && res.status < 300) return res;
    const retryAfter = res.headers['retry-after'];
    const error = classifyHttpStatus(
      res.status,
      Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      policy,
      detail(res),
    );
    if (error) throw error;
    return res;
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** Header names in lower case, so that required headers reliably replace user-given ones. */
export function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
