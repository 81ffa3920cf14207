import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import { HeaderMask, SENSITIVE_HEADERS } from './header-mask';

/** Names as they arrive: the masked ones in any ASCII case, near misses, and any latin1 text. */
const name = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...SENSITIVE_HEADERS, 'x-api-key'),
      fc.array(fc.boolean(), { maxLength: 20 }),
    )
    .map(([n, upper]) => [...n].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')),
  fc.constantFrom('authorizatio', 'cookies', 'set_cookie', 'Proxy-Authorisation', 'COOKIÉ'),
  fc.string({
    unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    maxLength: 24,
  }),
);

describe('HeaderMask', () => {
  it('masks exactly the names of its list, folding ASCII case only, wherever the name sits in the text', () => {
    const masks = fc.constantFrom<[HeaderMask, string[]]>(
      [HeaderMask.DEFAULT, [...SENSITIVE_HEADERS]],
      [HeaderMask.of({ maskHeaders: ['X-API-KEY'], keepSensitiveHeaders: true }), ['x-api-key']],
      [
        HeaderMask.of({ maskHeaders: ['X-Api-Key'], keepSensitiveHeaders: false }),
        [...SENSITIVE_HEADERS, 'x-api-key'],
      ],
    );
    fc.assert(
      fc.property(
        masks,
        name,
        fc.string({ maxLength: 8 }),
        fc.string({ maxLength: 8 }),
        ([mask, listed], n, before, after) => {
          const asciiLower = n.replace(/[A-Z]/g, (c) => c.toLowerCase());
          const text = `${before}${n}${after}`;
          expect(mask.masks(text, before.length, before.length + n.length)).toBe(
            listed.includes(asciiLower),
          );
        },
      ),
      fuzzParams(1000, { seed: 13 }),
    );
  });
});
