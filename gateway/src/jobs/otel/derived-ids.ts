import { createHash } from 'node:crypto';

/**
 * Trace and span ids derived from what identifies a row, so that exporting the same row again
 * (a retried run) makes the same span, never a second one. SHA-256 of the row's key: the first
 * 16 bytes are the trace id, the next 8 the span id.
 */
export function derivedIds(rowKey: string): { traceId: string; spanId: string } {
  const hex = createHash('sha256').update(rowKey).digest('hex');
  return { traceId: hex.slice(0, 32), spanId: hex.slice(32, 48) };
}
