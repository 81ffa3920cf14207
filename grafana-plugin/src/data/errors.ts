/**
 * Failed gateway calls, classed once so the query path and the health check say the same thing.
 * Grafana's data source proxy answers for the gateway in some cases: 502 when it could not
 * connect, 504 when the gateway did not answer in time, and 400 "Authentication to data source
 * failed" in place of the gateway's 401 (so that the user is not logged out of Grafana).
 */
import { GatewayErrorBody } from '../types/gateway';

export type GatewayErrorKind =
  /** The proxy could not connect to the gateway's URL. */
  | 'unreachable'
  | 'timeout'
  /** The gateway refused the token (or its absence). */
  | 'auth'
  /** Something answered that is not a pxgate gateway. */
  | 'not_pxgate'
  /** The gateway refused the script (4xx): the message may carry line and column. */
  | 'script'
  /** The gateway failed (5xx). */
  | 'gateway'
  | 'cancelled';

/** A failed call to the gateway. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly status?: number,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** The parts of Grafana's FetchError this plugin reads. */
export interface FetchFailure {
  status?: number;
  statusText?: string;
  data?: unknown;
  cancelled?: boolean;
}

export const PROXY_AUTH_FAILED = 'Authentication to data source failed';

function errorBody(data: unknown): GatewayErrorBody['error'] | undefined {
  const error = (data as Partial<GatewayErrorBody> | undefined)?.error;
  return error && typeof error.message === 'string' ? error : undefined;
}

/** Where in the script an error is, as people read it: `line 3, column 7: `. */
export function locationPrefix(line?: number, column?: number): string {
  if (line === undefined) return '';
  return column === undefined ? `line ${line}: ` : `line ${line}, column ${column}: `;
}

/** Classes a failed fetch through the data source proxy. */
export function classifyFetchFailure(failure: FetchFailure): GatewayError {
  const status = failure.status ?? 0;
  if (failure.cancelled) return new GatewayError('cancelled', 'the query was cancelled', status);
  const body = errorBody(failure.data);
  if (body) {
    const kind = status === 401 || status === 403 ? 'auth' : status >= 500 ? 'gateway' : 'script';
    return new GatewayError(
      kind,
      locationPrefix(body.line, body.column) + body.message,
      status,
      body.line,
      body.column,
    );
  }
  if ((status === 400 && failure.data === PROXY_AUTH_FAILED) || status === 401 || status === 403) {
    return new GatewayError('auth', 'the gateway refused the token', status);
  }
  if (status === 502)
    return new GatewayError(
      'unreachable',
      'Grafana could not connect to the gateway (502 Bad Gateway)',
      status,
    );
  if (status === 504)
    return new GatewayError(
      'timeout',
      'the gateway did not answer in time (504 Gateway Timeout)',
      status,
    );
  const what = status
    ? `HTTP ${status}${failure.statusText ? ` ${failure.statusText}` : ''}`
    : 'no answer';
  return new GatewayError('not_pxgate', `unexpected answer from the gateway URL: ${what}`, status);
}
