/**
 * Failed gateway calls, classed once so that queries, the health check and resources say the
 * same thing, with the status Grafana shows: the gateway's own for its answers, 502 when it
 * cannot be reached or is not a pxgate gateway, 504 when it does not answer in time.
 */
import { GatewayErrorBody } from '../../types/gateway';

export type GatewayErrorKind =
  /** Nothing answered at the gateway's URL. */
  | 'unreachable'
  | 'timeout'
  /** The gateway refused the token (or its absence): 401, or 403 for a token without the scope. */
  | 'auth'
  /** Something answered that is not a pxgate gateway. */
  | 'not_pxgate'
  /** The gateway refused the script (4xx): the message may carry line and column. */
  | 'script'
  /** The gateway failed (5xx). */
  | 'gateway'
  /** The answer was larger than the backend takes. */
  | 'too_large'
  /** Grafana gave up on the request. */
  | 'cancelled';

/** A failed call to the gateway. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly status: number,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** Where in the script an error is, as people read it: `line 3, column 7: `. */
export function locationPrefix(line?: number, column?: number): string {
  if (line === undefined) return '';
  return column === undefined ? `line ${line}: ` : `line ${line}, column ${column}: `;
}

function errorBody(data: unknown): GatewayErrorBody['error'] | undefined {
  const error = (data as Partial<GatewayErrorBody> | undefined)?.error;
  return error && typeof error.message === 'string' ? error : undefined;
}

function position(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : undefined;
}

/** Classes a gateway answer with a status of 400 or more; `data` is its parsed body, if JSON. */
export function classifyAnswer(status: number, statusText: string, data: unknown): GatewayError {
  const body = errorBody(data);
  if (status === 401 || status === 403) {
    return new GatewayError('auth', body?.message ?? 'the gateway refused the token', status);
  }
  if (body) {
    const line = position(body.line);
    const column = line === undefined ? undefined : position(body.column);
    return new GatewayError(
      status >= 500 ? 'gateway' : 'script',
      locationPrefix(line, column) + body.message,
      status,
      line,
      column,
    );
  }
  return notPxgate(`HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
}

/** Something answered that is not a pxgate gateway; `what` says what it answered. */
export function notPxgate(what: string): GatewayError {
  return new GatewayError('not_pxgate', `unexpected answer from the gateway URL: ${what}`, 502);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The network error's code, on the error itself or inside it: a connection tried on several
 * addresses fails with an AggregateError of each attempt's error.
 */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const inner = (e as { errors?: unknown[] }).errors?.[0];
    e = (e as { cause?: unknown }).cause ?? inner;
  }
  return undefined;
}

/** Classes a call that got no answer: it could not connect, timed out, or was cancelled. */
export function classifyNoAnswer(
  err: unknown,
  url: string,
  reason: 'timeout' | 'cancelled' | undefined,
  timeoutMs: number,
): GatewayError {
  if (err instanceof GatewayError) return err;
  if (reason === 'timeout') {
    return new GatewayError(
      'timeout',
      `the gateway at ${url} did not answer within ${timeoutMs / 1000} s`,
      504,
    );
  }
  if (reason === 'cancelled') return new GatewayError('cancelled', 'the query was cancelled', 499);
  const code = networkCode(err) ?? (err instanceof Error ? err.message : String(err));
  return new GatewayError(
    'unreachable',
    `could not connect to the gateway at ${url} (${code})`,
    502,
  );
}
