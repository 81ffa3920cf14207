import fc from 'fast-check';
import { ScriptStep } from './http-script';

/**
 * One change to a captured conversation: a byte flipped, inserted or deleted, a read lost, its
 * capture truncated (the rest a hole) or repeated, or the syscall itself cut short (`cut`).
 */
export interface Mutation {
  readonly step: number;
  readonly op: 'flip' | 'insert' | 'delete' | 'lose' | 'truncate' | 'dup' | 'cut';
  readonly at: number;
  readonly byte: number;
}

/** Mutations of the given kinds, as many as asked. */
export function mutationsOf(
  ops: readonly Mutation['op'][],
  { minLength = 1, maxLength = 6 } = {},
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

/** One to six mutations, for property tests that replay real captures with damage. */
export const mutationsArb = mutationsOf(['flip', 'insert', 'delete', 'lose', 'truncate', 'dup']);

/** The steps with the mutations applied in turn (a lost step is kept, marked lost). */
export function mutate(steps: readonly ScriptStep[], mutations: readonly Mutation[]): ScriptStep[] {
  const out = [...steps];
  for (const m of mutations) {
    const i = m.step % out.length;
    const step = out[i]!;
    const bytes =
      typeof step.bytes === 'string' ? Buffer.from(step.bytes, 'latin1') : Buffer.from(step.bytes);
    const at = bytes.length ? m.at % bytes.length : 0;
    if (m.op === 'lose') out[i] = { ...step, lost: true };
    else if (m.op === 'truncate') out[i] = { ...step, captured: at };
    else if (m.op === 'dup') out.splice(i, 0, { ...step });
    else if (m.op === 'cut') out[i] = { ...step, bytes: bytes.subarray(0, at) };
    else if (m.op === 'flip') {
      bytes[at] = m.byte;
      out[i] = { ...step, bytes };
    } else {
      const head = bytes.subarray(0, at);
      const edited =
        m.op === 'insert'
          ? Buffer.concat([head, Buffer.of(m.byte), bytes.subarray(at)])
          : Buffer.concat([head, bytes.subarray(at + 1)]);
      out[i] = { ...step, bytes: edited };
    }
  }
  return out;
}
