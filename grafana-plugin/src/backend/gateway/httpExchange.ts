/**
 * One HTTP exchange with a gateway over Node's own `http`/`https`, on keep-alive connections
 * shared by every data source of the process. Each panel query is one exchange: reusing a
 * connection saves a TCP (and TLS) handshake per query, and a request written as one buffer
 * costs one write, where `fetch` streamed its body in several and spent about twice the CPU per
 * call (docs/benchmarks.md, grafana-backend).
 */
import http, { IncomingHttpHeaders } from 'http';
import https from 'https';

import { MAX_GATEWAY_CONNECTIONS, MAX_IDLE_GATEWAY_CONNECTIONS } from '../limits';

/** What to send. */
export interface ExchangeRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  /** Answers longer than this fail with AnswerTooLargeError, unread. */
  maxAnswerBytes: number;
  timeoutMs: number;
  /** Aborting it ends the exchange with ExchangeAbortedError('cancelled'). */
  signal?: AbortSignal;
}

/** What came back: the status line, the headers and the whole body. */
export interface ExchangeAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The answer is longer than the exchange takes. */
export class AnswerTooLargeError extends Error {
  override name = 'AnswerTooLargeError';
}

/** The exchange ended before its answer: it took too long, or its caller gave up. */
export class ExchangeAbortedError extends Error {
  override name = 'ExchangeAbortedError';
  constructor(readonly reason: 'timeout' | 'cancelled') {
    super(reason === 'timeout' ? 'the gateway did not answer in time' : 'cancelled');
  }
}

const agentOptions = {
  keepAlive: true,
  maxSockets: MAX_GATEWAY_CONNECTIONS,
  maxFreeSockets: MAX_IDLE_GATEWAY_CONNECTIONS,
  // The most recently used connection is the one least likely to have been closed by the gateway.
  scheduling: 'lifo' as const,
};
const AGENTS = {
  'http:': new http.Agent(agentOptions),
  'https:': new https.Agent(agentOptions),
};

function sendOnce(request: ExchangeRequest): Promise<ExchangeAnswer> {
  const { url, signal } = request;
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let settled = false;
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body) headers['content-length'] = request.body.byteLength;
    const req = (secure ? https : http).request(url, {
      method: request.method,
      headers,
      agent: AGENTS[secure ? 'https:' : 'http:'],
    });
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      req.destroy();
      reject(Object.assign(err, { reused: req.reusedSocket }));
    };
    const timer = setTimeout(() => fail(new ExchangeAbortedError('timeout')), request.timeoutMs);
    const onAbort = () => fail(new ExchangeAbortedError('cancelled'));
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      if (declared > request.maxAnswerBytes) return fail(new AnswerTooLargeError());
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > request.maxAnswerBytes) fail(new AnswerTooLargeError());
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
        });
      });
    });
    req.end(request.body);
  });
}

/**
 * Sends `request` and reads its whole answer. A kept-alive connection the gateway closed just as
 * it was reused resets; the request is sent once more (Node's documented pattern for
 * `reusedSocket`), which is safe because every call of the backend's only reads.
 */
export async function exchange(request: ExchangeRequest): Promise<ExchangeAnswer> {
  try {
    return await sendOnce(request);
  } catch (err) {
    const { reused, code } = err as { reused?: boolean; code?: string };
    if (reused && code === 'ECONNRESET') return sendOnce(request);
    throw err;
  }
}
