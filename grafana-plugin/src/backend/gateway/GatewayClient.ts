import { QueryRequestBody, QueryResponseBody } from '../../types/gateway';
import { GATEWAY_TIMEOUT_MS, MAX_GATEWAY_ANSWER_BYTES } from '../limits';
import { classifyAnswer, classifyNoAnswer, GatewayError, notPxgate } from './errors';

export interface GatewayClientOptions {
  /** The gateway's base URL (`jsonData.url`), checked by the caller. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  timeoutMs?: number;
  maxAnswerBytes?: number;
  /** The fetch to use; Node's own unless a test watches the calls. */
  fetch?: typeof fetch;
}

function isQueryResponse(data: unknown): data is QueryResponseBody {
  return Array.isArray((data as Partial<QueryResponseBody> | null)?.tables);
}

/** Reads a body up to `limit` bytes; a longer one fails rather than filling memory. */
async function readBounded(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > limit) throw tooLarge(limit);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    'too_large',
    `the gateway's answer is larger than ${limit / 1024 / 1024} MiB; ask for fewer rows ` +
      '(a shorter time range, head(), or an aggregate)',
    502,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Calls a pxgate gateway's HTTP API (docs/api.md) from the backend, with the data source's
 * token, a timeout, and a bound on the answer's size. Every failure is a GatewayError.
 */
export class GatewayClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxAnswerBytes: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GatewayClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? GATEWAY_TIMEOUT_MS;
    this.maxAnswerBytes = options.maxAnswerBytes ?? MAX_GATEWAY_ANSWER_BYTES;
    this.fetch = options.fetch ?? fetch;
  }

  /** The URL queries go to, as messages name it. */
  get url(): string {
    return this.options.url;
  }

  /** Runs a script (`POST /v1/query`). */
  async query(body: QueryRequestBody, signal?: AbortSignal): Promise<QueryResponseBody> {
    const data = await this.call('POST', '/v1/query', body, signal);
    if (!isQueryResponse(data)) {
      throw notPxgate('a 200 answer without query results');
    }
    return data;
  }

  /** Sends one request and returns its parsed JSON body; a status of 400 or more throws. */
  private async call(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    try {
      const res = await this.fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
        redirect: 'error',
      });
      const data = parseJson(await readBounded(res, this.maxAnswerBytes));
      if (res.status >= 400) throw classifyAnswer(res.status, res.statusText, data);
      if (res.status !== 200) throw notPxgate(`HTTP ${res.status} ${res.statusText}`.trim());
      return data;
    } catch (err) {
      const reason = timeout.aborted ? 'timeout' : signal?.aborted ? 'cancelled' : undefined;
      throw classifyNoAnswer(err, this.options.url, reason, this.timeoutMs);
    }
  }
}
