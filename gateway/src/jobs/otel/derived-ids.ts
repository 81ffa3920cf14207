import { createHash } from 'node:crypto';

/**
 * Trace and span ids derived from what identifies a row, so that exporting the same row again
 * (a retried run) makes the same span, never a second one. SHA-256 of the row's key: the first
 * 16 bytes are the trace id, the next 8 the span id.
 */
export function derivedIds(rowKey: string): { traceId: Uint8Array; spanId: Uint8Array } {
  const digest = createHash('sha256').update(rowKey).digest();
  return {
    traceId: new Uint8Array(digest.buffer, digest.byteOffset, 16),
    spanId: new Uint8Array(digest.buffer, digest.byteOffset + 16, 8),
  };
}
