import { readFields } from '../common/proto-reader';
import { PushResult } from '../common/queued-exporter';

/**
 * Reads an Export{Trace,Metrics}ServiceResponse: `partial_success` (field 1) holds the number of
 * rejected spans or data points (field 1) and a message (field 2). Protobuf or JSON by
 * `protocol`; an empty or unreadable body means full success, as the OTLP spec says.
 */
export function readPartialSuccess(body: Buffer, json: boolean): PushResult {
  if (body.length === 0) return { rejected: 0 };
  try {
    if (json) {
      const parsed = JSON.parse(body.toString('utf8')) as {
        partialSuccess?: {
          rejectedSpans?: string | number;
          rejectedDataPoints?: string | number;
          errorMessage?: string;
        };
      };
      const p = parsed.partialSuccess;
      if (!p) return { rejected: 0 };
      const rejected = Number(p.rejectedSpans ?? p.rejectedDataPoints ?? 0);
      return { rejected, ...(p.errorMessage ? { message: p.errorMessage } : {}) };
    }
    const partial = readFields(body).get(1);
    if (!(partial instanceof Uint8Array)) return { rejected: 0 };
    const fields = readFields(partial);
    const rejected = fields.get(1);
    const message = fields.get(2);
    return {
      rejected: typeof rejected === 'bigint' ? Number(rejected) : 0,
      ...(message instanceof Uint8Array ? { message: Buffer.from(message).toString('utf8') } : {}),
    };
  } catch {
    return { rejected: 0 };
  }
}

/** The message of an error answer: google.rpc.Status's `message` (field 2), or the text. */
export function errorDetail(body: Buffer, contentType: string | undefined): string {
  if (body.length === 0) return '';
  if (contentType?.includes('protobuf')) {
    try {
      const message = readFields(body).get(2);
      if (message instanceof Uint8Array) return Buffer.from(message).toString('utf8');
    } catch {
      // Not a Status message after all: fall through to the text.
    }
  }
  const text = body.toString('utf8').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
