import { QueryRequestBody, QueryResponseBody } from '../../types/gateway';
import { GATEWAY_TIMEOUT_MS, MAX_GATEWAY_ANSWER_BYTES } from '../limits';
import { classifyAnswer, classifyNoAnswer, GatewayError, notPxgate } from './errors';
import { AnswerTooLargeError, exchange, ExchangeAbortedError } from './httpExchange';

/** The header on a gateway's answers to authenticated requests naming its version (docs/api.md). */
export const GATEWAY_VERSION_HEADER = 'x-pxgate-version';

/** A request as it leaves for the gateway, for tests that watch what Grafana's server sends. */
export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface GatewayClientOptions {
  /** The gateway's base URL (`jsonData.url`), checked by the caller. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  timeoutMs?: number;
  maxAnswerBytes?: number;
  /** Told of every request before it is sent. */
  onRequest?(request: OutboundRequest): void;
}

/** A query's answer, and the gateway's version when it said it. */
export interface QueryAnswer {
  body: QueryResponseBody;
  gatewayVersion?: string;
}

function isQueryResponse(data: unknown): data is QueryResponseBody {
  return Array.isArray((data as Partial<QueryResponseBody> | null)?.tables);
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    'too_large',
    `the gateway's answer is larger than ${limit / 1024 / 1024} MiB; ask for fewer rows ` +
      '(a shorter time range, head(), or an aggregate)',
    502,
  );
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A version header's value, when it looks like one (it is shown to people). */
function versionOf(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[0-9A-Za-z.+-]{1,64}$/.test(value) ? value : undefined;
}

/**
 * Calls a pxgate gateway's HTTP API (docs/api.md) from the backend, with the data source's
 * token, a timeout, and a bound on the answer's size. Every failure is a GatewayError.
 */
export class GatewayClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxAnswerBytes: number;

  constructor(private readonly options: GatewayClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? GATEWAY_TIMEOUT_MS;
    this.maxAnswerBytes = options.maxAnswerBytes ?? MAX_GATEWAY_ANSWER_BYTES;
  }

  /** The URL queries go to, as messages name it. */
  get url(): string {
    return this.options.url;
  }

  /** Runs a script (`POST /v1/query`). */
  async query(body: QueryRequestBody, signal?: AbortSignal): Promise<QueryResponseBody> {
    return (await this.queryWithVersion(body, signal)).body;
  }

  /** Runs a script, and reads the gateway's version from the answer's headers. */
  async queryWithVersion(body: QueryRequestBody, signal?: AbortSignal): Promise<QueryAnswer> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
    };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const text = JSON.stringify(body);
    const url = `${this.base}/v1/query`;
    this.options.onRequest?.({ url, headers: { ...headers }, body: text });
    try {
      const answer = await exchange({
        method: 'POST',
        url: new URL(url),
        headers,
        body: Buffer.from(text),
        maxAnswerBytes: this.maxAnswerBytes,
        timeoutMs: this.timeoutMs,
        signal,
      });
      const data = parseJson(answer.body);
      if (answer.status >= 400) throw classifyAnswer(answer.status, answer.statusText, data);
      if (answer.status !== 200) {
        throw notPxgate(`HTTP ${answer.status} ${answer.statusText}`.trim());
      }
      if (!isQueryResponse(data)) throw notPxgate('a 200 answer without query results');
      const gatewayVersion = versionOf(answer.headers[GATEWAY_VERSION_HEADER]);
      return { body: data, ...(gatewayVersion ? { gatewayVersion } : {}) };
    } catch (err) {
      if (err instanceof AnswerTooLargeError) throw tooLarge(this.maxAnswerBytes);
      const reason = err instanceof ExchangeAbortedError ? err.reason : undefined;
      throw classifyNoAnswer(err, this.options.url, reason, this.timeoutMs);
    }
  }
}
