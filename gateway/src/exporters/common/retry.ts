import { BackoffSettings, ExponentialBackoff } from '../../../../shared/common/backoff';
import { ExportError, asExportError, retryableError } from './errors';

export interface RetryOptions {
  backoff: BackoffSettings;
  /** Aborted at shutdown: the wait ends and the last error is returned. */
  signal: AbortSignal;
  onRetry?: (err: ExportError, delayMs: number, attempt: number) => void;
  random?: () => number;
  now?: () => number;
}

/**
 * Calls `send` until it succeeds, retrying retryable errors with exponential backoff and
 * throttled errors after the delay the receiver asked for, for at most `maxElapsedMs`.
 * Permanent errors are thrown at once; so is the last error when retries run out.
 */
export async function sendWithRetry<T>(send: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const backoff = new ExponentialBackoff(opts.backoff, opts.random);
  const started = now();
  for (let attempt = 1; ; attempt++) {
    let error: ExportError;
    try {
      return await send();
    } catch (err) {
      error = asExportError(err);
    }
    if (error.errorClass === 'permanent') throw error;
    const backoffDelay = backoff.next();
    const delay =
      error.errorClass === 'throttled' ? (error.retryAfterMs ?? backoffDelay) : backoffDelay;
    const elapsed = now() - started;
    if (elapsed + delay > opts.backoff.maxElapsedMs) {
      throw retryableError(
        `gave up after ${attempt} attempt(s) in ${Math.round(elapsed / 1000)}s: ${error.message}`,
        error,
      );
    }
    if (opts.signal.aborted) {
      throw retryableError(`not retried, shutting down: ${error.message}`, error);
    }
    opts.onRetry?.(error, delay, attempt);
    await sleep(delay, opts.signal);
  }
}

/** Resolves after `ms`, or early when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
