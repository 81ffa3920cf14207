import fc from 'fast-check';
import { Stitcher } from '../../agent/src/protocols/stitcher';
import { ScriptStep, runScript } from './http-script';

/** Random chunks of either side at random positions, some with holes, as an arbitrary. */
export function randomChunks(bytes: fc.Arbitrary<Uint8Array>) {
  return fc.array(
    fc.record({
      kind: fc.constantFrom('request' as const, 'response' as const),
      pos: fc.nat(20000),
      extra: fc.nat(5000),
      data: bytes,
      ts: fc.nat(),
    }),
    { maxLength: 40 },
  );
}

/** Feeds random chunks straight to a stitcher (positions as drawn), closing it or not. */
export function pushChunks<R>(
  s: Stitcher<R>,
  chunks: {
    kind: 'request' | 'response';
    pos: number;
    extra: number;
    data: Uint8Array;
    ts: number;
  }[],
  close: boolean,
): R[] {
  const out: R[] = [];
  for (const c of chunks) {
    out.push(
      ...s.push(c.kind, { pos: c.pos, size: c.data.length + c.extra, ts: c.ts, data: c.data }),
    );
  }
  if (close) out.push(...s.close());
  return out;
}

/** A mutation of a recorded conversation: a byte changed, added or removed, a chunk lost, cut or doubled. */
export const mutationArb = fc.record({
  step: fc.nat(),
  op: fc.constantFrom('flip', 'insert', 'delete', 'lose', 'truncate', 'dup'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

export type Mutation = { step: number; op: string; at: number; byte: number };

/** Applies mutations to a copy of `steps`. */
export function mutate(steps: readonly ScriptStep[], mutations: readonly Mutation[]): ScriptStep[] {
  const out = steps.map((s) => ({ ...s }));
  for (const m of mutations) {
    const i = m.step % out.length;
    const step = out[i]!;
    const bytes = Buffer.from(step.bytes as Uint8Array);
    const at = bytes.length ? m.at % bytes.length : 0;
    if (m.op === 'lose') out[i] = { ...step, lost: true };
    else if (m.op === 'truncate') out[i] = { ...step, captured: at };
    else if (m.op === 'dup') out.splice(i, 0, { ...step });
    else if (m.op === 'flip' && bytes.length) {
      bytes[at] = m.byte;
      out[i] = { ...step, bytes };
    } else if (m.op === 'insert') {
      out[i] = {
        ...step,
        bytes: Buffer.concat([bytes.subarray(0, at), Buffer.of(m.byte), bytes.subarray(at)]),
      };
    } else if (m.op === 'delete') {
      out[i] = { ...step, bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]) };
    }
  }
  return out;
}

/** `steps` with each chunk cut into syscalls at the given fractions of its length. */
export function resplit(steps: readonly ScriptStep[], cuts: readonly number[]): ScriptStep[] {
  return steps.flatMap((s, i) => {
    const bytes = s.bytes as Uint8Array;
    const points = [
      ...new Set(cuts.map((c) => Math.floor((((c * (i + 7)) % 1000) / 1000) * bytes.length))),
    ]
      .filter((p) => p > 0 && p < bytes.length)
      .sort((a, b) => a - b);
    const parts: ScriptStep[] = [];
    let from = 0;
    for (const p of [...points, bytes.length]) {
      parts.push({ ...s, bytes: bytes.subarray(from, p) });
      from = p;
    }
    return parts;
  });
}

export { runScript };
