/**
 * Every export failure is classed once, as the OpenTelemetry Collector's exporterhelper does:
 * `permanent` (the data can never be accepted: drop it and count it), `throttled` (the receiver
 * asked us to wait: retry after the delay it named) or `retryable` (try again with backoff).
 */
export type ErrorClass = 'permanent' | 'throttled' | 'retryable';

export class ExportError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    /** For throttled errors: how long the receiver asked us to wait. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

export function permanentError(message: string, cause?: unknown): ExportError {
  return new ExportError(message, 'permanent', undefined, { cause });
}

export function throttledError(message: string, retryAfterMs: number): ExportError {
  return new ExportError(message, 'throttled', retryAfterMs);
}

export function retryableError(message: string, cause?: unknown): ExportError {
  return new ExportError(message, 'retryable', undefined, { cause });
}

/**
 * The class of any error thrown while exporting. Errors that are not ExportErrors come from the
 * network (refused, reset, DNS) and are worth retrying.
 */
export function asExportError(err: unknown): ExportError {
  if (err instanceof ExportError) return err;
  const e = err as { message?: string; code?: string };
  const detail = e?.code && !e.message?.includes(e.code) ? `${e.code}: ${e.message}` : e?.message;
  return retryableError(detail ?? String(err), err);
}
