import { Chunk } from '../../agent/src/protocols/http/byte-stream';
import { HttpExchange } from '../../agent/src/protocols/http/http-stitcher';
import { Stitcher } from '../../agent/src/protocols/stitcher';

/** One syscall's worth of captured bytes in a test script. */
export interface ScriptStep {
  readonly kind: 'request' | 'response';
  /** The bytes the syscall moved. */
  readonly bytes: string | Uint8Array;
  /** Bytes captured (default: all); the rest is a hole. */
  readonly captured?: number;
  /** Drop this step as if its event were lost (its bytes become a gap). */
  readonly lost?: boolean;
  /** Event time in ns (default: the step's index * 1000). */
  readonly ts?: number;
}

/**
 * Feeds a scripted conversation to a stitcher (of any protocol), tracking each direction's stream
 * position as the kernel side would, and returns every record it produced (closing the
 * connection when asked).
 */
export function runScript<R>(
  stitcher: Stitcher<R>,
  steps: readonly ScriptStep[],
  close = true,
): R[] {
  const pos = { request: 0, response: 0 };
  const out: R[] = [];
  steps.forEach((step, i) => {
    const bytes = typeof step.bytes === 'string' ? Buffer.from(step.bytes, 'latin1') : step.bytes;
    const chunk: Chunk = {
      pos: pos[step.kind],
      size: bytes.length,
      ts: step.ts ?? (i + 1) * 1000,
      data: bytes.subarray(0, step.captured ?? bytes.length),
    };
    pos[step.kind] += bytes.length;
    if (!step.lost) out.push(...stitcher.push(step.kind, chunk));
  });
  if (close) out.push(...stitcher.close());
  return out;
}

/** Splits text into steps of the given kind at the given offsets. */
export function splitSteps(
  kind: 'request' | 'response',
  text: string,
  cuts: readonly number[],
): ScriptStep[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < text.length))].sort((a, b) => a - b);
  const steps: ScriptStep[] = [];
  let from = 0;
  for (const p of [...points, text.length]) {
    steps.push({ kind, bytes: text.slice(from, p) });
    from = p;
  }
  return steps;
}

/** The fields of an exchange that tests compare. */
export function summary(x: HttpExchange) {
  return {
    method: x.req.head.method,
    target: x.req.head.target,
    status: x.resp.head.status,
    reqBody: Buffer.from(x.req.body).toString('latin1'),
    reqBodySize: x.req.bodySize,
    respBody: Buffer.from(x.resp.body).toString('latin1'),
    respBodySize: x.resp.bodySize,
  };
}
