import fc from 'fast-check';
import { Stitcher } from '../../agent/src/protocols/stitcher';
import { ScriptStep } from './http-script';

/** A chunk at an arbitrary position of either side, with a hole of `extra` bytes after it. */
export interface RandomChunk {
  readonly kind: 'request' | 'response';
  readonly pos: number;
  readonly extra: number;
  readonly data: Uint8Array;
  readonly ts: number;
}

/** Chunks of `bytes` at random positions of random sides, for protocol stitchers' fuzzing. */
export function randomChunksArb(
  bytes: fc.Arbitrary<Uint8Array>,
  maxLength = 40,
): fc.Arbitrary<RandomChunk[]> {
  return fc.array(
    fc.record({
      kind: fc.constantFrom('request' as const, 'response' as const),
      pos: fc.nat(20000),
      extra: fc.nat(5000),
      data: bytes,
      ts: fc.nat(),
    }),
    { maxLength },
  );
}

/** Pushes the chunks, checking `each` after every push. */
export function pushChunks<R>(
  s: Stitcher<R>,
  chunks: readonly RandomChunk[],
  each: () => void = () => undefined,
): void {
  for (const c of chunks) {
    s.push(c.kind, { pos: c.pos, size: c.data.length + c.extra, ts: c.ts, data: c.data });
    each();
  }
}

/**
 * An edit of one syscall of a capture: a byte changed (`flip`), added (`insert`) or removed
 * (`delete`), the syscall cut short (`cut`), its event lost (`lose`), its capture truncated
 * (`truncate`: the bytes after `at` are a hole), or the syscall repeated (`dup`).
 */
export interface Mutation {
  readonly step: number;
  readonly op: 'flip' | 'insert' | 'delete' | 'cut' | 'lose' | 'truncate' | 'dup';
  readonly at: number;
  readonly byte: number;
}

export function mutationsArb(
  ops: readonly Mutation['op'][],
  { minLength = 0, maxLength = 6 } = {},
): fc.Arbitrary<Mutation[]> {
  return fc.array(
    fc.record({
      step: fc.nat(),
      op: fc.constantFrom(...ops),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength, maxLength },
  );
}

/** The steps with the mutations applied in order (the input is left as it was). */
export function mutate(steps: readonly ScriptStep[], mutations: readonly Mutation[]): ScriptStep[] {
  const out = [...steps];
  for (const m of mutations) {
    if (out.length === 0) break;
    const i = m.step % out.length;
    const step = out[i]!;
    const raw = step.bytes;
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : Buffer.from(raw);
    const at = bytes.length ? m.at % bytes.length : 0;
    switch (m.op) {
      case 'lose':
        out[i] = { ...step, lost: true };
        break;
      case 'truncate':
        out[i] = { ...step, captured: at };
        break;
      case 'dup':
        out.splice(i, 0, { ...step });
        break;
      case 'flip':
        if (bytes.length) bytes[at] = m.byte;
        out[i] = { ...step, bytes };
        break;
      case 'insert':
        out[i] = {
          ...step,
          bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]),
        };
        break;
      case 'delete':
        out[i] = { ...step, bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]) };
        break;
      case 'cut':
        out[i] = { ...step, bytes: bytes.subarray(0, at) };
        break;
    }
  }
  return out;
}
