import fc from 'fast-check';
import { ScriptStep } from './http-script';

/** One change to a captured conversation: a byte flipped, inserted or deleted, a read lost, cut or repeated. */
export interface Mutation {
  readonly step: number;
  readonly op: 'flip' | 'insert' | 'delete' | 'lose' | 'truncate' | 'dup';
  readonly at: number;
  readonly byte: number;
}

/** One to six mutations, for property tests that replay real captures with damage. */
export const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({
    step: fc.nat(),
    op: fc.constantFrom('flip', 'insert', 'delete', 'lose', 'truncate', 'dup'),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 6 },
);

/** The steps with the mutations applied in turn (a lost step is kept, marked lost). */
export function mutate(steps: readonly ScriptStep[], mutations: readonly Mutation[]): ScriptStep[] {
  const out = [...steps];
  for (const m of mutations) {
    const i = m.step % out.length;
    const step = out[i]!;
    const bytes = Buffer.from(step.bytes as Uint8Array);
    const at = bytes.length ? m.at % bytes.length : 0;
    if (m.op === 'lose') out[i] = { ...step, lost: true };
    else if (m.op === 'truncate') out[i] = { ...step, captured: at };
    else if (m.op === 'dup') out.splice(i, 0, { ...step });
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
