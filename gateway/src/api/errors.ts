import { ErrorRequestHandler, RequestHandler } from 'express';
import { UserError, UserErrorKind } from '../common/errors';
import { RejectReason } from '../ingest/errors';
import { Logger } from '../../../shared/common/logger';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { message: string; line?: number; column?: number };
}

/**
 * Maps errors to HTTP answers in one place: the caller's mistakes (UserError, and body-parser's
 * own 4xx errors) keep their status and message; anything else is logged and answered with 500.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const status = httpStatusOf(err);
    if (status >= 500)
      log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const body: ErrorBody = { error: { message: messageOf(err, status) } };
    if (err instanceof UserError) {
      if (err.line !== undefined) body.error.line = err.line;
      if (err.column !== undefined) body.error.column = err.column;
    }
    res.status(status).json(body);
  };
}

/** Answers 404 for routes that do not exist, in the same error shape. */
export const notFound: RequestHandler = (req, res) => {
  res
    .status(404)
    .json({ error: { message: `no route for ${req.method} ${req.path}` } } satisfies ErrorBody);
};

/** The HTTP status of each kind of caller's error: the only place that knows them. */
const STATUS: Readonly<Record<UserErrorKind, number>> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'limit-exceeded': 422,
  busy: 503,
};

/**
 * The reason a request body that the body reader refused (its own 4xx: too large, an unknown
 * Content-Encoding, a broken gzip stream) is counted under; undefined for its 5xx.
 */
export function bodyErrorReason(err: unknown): RejectReason | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return 'too_large';
  if (status === 415) return 'unsupported';
  return status === 400 ? 'malformed' : 'invalid';
}

/** The HTTP status an error is answered with: a caller's error by its kind, anything else 500. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof UserError) return STATUS[err.kind];
  const e = err as { status?: unknown; type?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return e.status;
  return 500;
}

function messageOf(err: unknown, status: number): string {
  if (err instanceof UserError) return err.message;
  const e = err as { type?: string; limit?: number; message?: string };
  if (status === 413) {
    return `request body is larger than the limit of ${e.limit ?? '?'} bytes (ingest.maxBodyMb)`;
  }
  if (e?.type === 'entity.parse.failed') return `body is not valid JSON: ${e.message}`;
  if (status < 500 && e?.message) return e.message;
  return 'internal error; see the gateway log';
}
