import fc from 'fast-check';
import { fuzzParams } from '../../test/support/fuzz';
import { parseExposition } from './exposition';

describe('parseExposition on hostile text', () => {
  it('never throws on arbitrary text, and every sample it returns has a name and a number', () => {
    const line = fc.oneof(
      fc.string(),
      // Lines that make a backtracking pattern work hardest: many closing braces, no value.
      fc.nat({ max: 9000 }).map((n) => `a{${'}'.repeat(n)}`),
      fc
        .tuple(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string(), fc.string())
        .map(([n, l, v]) => `${n}{${l}} ${v}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        for (const s of parseExposition(lines.join('\n'))) {
          expect(s.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
          expect(typeof s.value).toBe('number');
        }
      }),
      fuzzParams(300, { seed: 11 }),
    );
  });
});
