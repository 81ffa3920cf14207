import { parseRetryAfter } from '../../../../shared/common/retry-after';
import { ExportError, permanentError, retryableError, throttledError } from './errors';

/** Which HTTP statuses a protocol retries. */
export type RetryPolicy = 'otlp' | 'remote-write';

const OTLP_RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Maps an HTTP answer to its error class, in one place for every sink. OTLP/HTTP retries only
 * 429, 502, 503 and 504; remote-write 1.0 retries every 5xx and 429. Any other 4xx (and for
 * OTLP any other 5xx) is permanent. A retryable answer carrying `Retry-After` is throttled.
 * Returns undefined for 2xx.
 */
export function classifyHttpStatus(
  status: number,
  retryAfter: string | undefined,
  policy: RetryPolicy,
  detail: string,
  now: number = Date.now(),
): ExportError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const retryable =
    policy === 'otlp' ? OTLP_RETRYABLE.has(status) : status === 429 || status >= 500;
  const message = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (!retryable) return permanentError(message);
  const delay = parseRetryAfter(retryAfter, now);
  return delay === undefined ? retryableError(message) : throttledError(message, delay);
}
