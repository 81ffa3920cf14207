import { ARROW_STREAM_TYPE } from '../../../../shared/contract/query-arrow';
import { AnswerTable, QueryRequestBody, QueryResponseBody } from '../../types/gateway';
import { GATEWAY_TIMEOUT_MS, MAX_GATEWAY_ANSWER_BYTES } from '../limits';
import { classifyAnswer, classifyNoAnswer, GatewayError, notPxgate } from './errors';
import { ArrowAnswerError, readArrowAnswer } from './arrowAnswer';
import {
  AnswerTooLargeError,
  exchange,
  ExchangeAbortedError,
  ExchangeAnswer,
} from './httpExchange';

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

/** Asks for Arrow, and takes JSON from a gateway that answers only that (before Arrow answers). */
const ARROW_OR_JSON = `${ARROW_STREAM_TYPE}, application/json;q=0.5`;

/** Statuses with which something between the backend and the gateway refuses a media type. */
const REFUSED_MEDIA_TYPE = new Set([406, 415]);

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

  /**
   * Runs a script asking for the Arrow answer (its tables as columns); a gateway that answers
   * JSON (one from before Arrow answers), or refuses the media type, is answered with rows.
   */
  async queryColumns(
    body: QueryRequestBody,
    signal?: AbortSignal,
  ): Promise<{ tables: AnswerTable[] }> {
    let answer = await this.post(body, ARROW_OR_JSON, signal);
    if (REFUSED_MEDIA_TYPE.has(answer.status))
      answer = await this.post(body, 'application/json', signal);
    if (answer.status === 200 && mediaType(answer) === ARROW_STREAM_TYPE) {
      try {
        return { tables: readArrowAnswer(answer.body) };
      } catch (err) {
        if (err instanceof ArrowAnswerError)
          throw notPxgate(`a broken Arrow answer (${err.message})`);
        throw err;
      }
    }
    return this.jsonAnswer(answer).body;
  }

  /** Runs a script, and reads the gateway's version from the answer's headers. */
  async queryWithVersion(body: QueryRequestBody, signal?: AbortSignal): Promise<QueryAnswer> {
    return this.jsonAnswer(await this.post(body, 'application/json', signal));
  }

  /** A JSON answer's tables, or its error classed. */
  private jsonAnswer(answer: ExchangeAnswer): QueryAnswer {
    const data = parseJson(answer.body);
    if (answer.status >= 400) throw classifyAnswer(answer.status, answer.statusText, data);
    if (answer.status !== 200) {
      throw notPxgate(`HTTP ${answer.status} ${answer.statusText}`.trim());
    }
    if (!isQueryResponse(data)) throw notPxgate('a 200 answer without query results');
    const gatewayVersion = versionOf(answer.headers[GATEWAY_VERSION_HEADER]);
    return { body: data, ...(gatewayVersion ? { gatewayVersion } : {}) };
  }

  /** POSTs a query and reads the whole answer, whatever its status. */
  private async post(
    body: QueryRequestBody,
    accept: string,
    signal: AbortSignal | undefined,
  ): Promise<ExchangeAnswer> {
    const headers: Record<string, string> = { accept, 'content-type': 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const text = JSON.stringify(body);
    const url = `${this.base}/v1/query`;
    this.options.onRequest?.({ url, headers: { ...headers }, body: text });
    try {
      return await exchange({
        method: 'POST',
        url: new URL(url),
        headers,
        body: Buffer.from(text),
        maxAnswerBytes: this.maxAnswerBytes,
        timeoutMs: this.timeoutMs,
        signal,
      });
    } catch (err) {
      if (err instanceof AnswerTooLargeError) throw tooLarge(this.maxAnswerBytes);
      const reason = err instanceof ExchangeAbortedError ? err.reason : undefined;
      throw classifyNoAnswer(err, this.options.url, reason, this.timeoutMs);
    }
  }
}

/** An answer's media type, without parameters. */
function mediaType(answer: ExchangeAnswer): string {
  return String(answer.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}
