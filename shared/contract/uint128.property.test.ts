import fc from 'fast-check';
import { fuzzParams } from '../../test/support/fuzz';
import { formatUint128, parseUint128, uint128FromBigInt, uint128ToBigInt } from './uint128';

const U64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const U32 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n });

describe('UINT128, the one form the agent and the gateway share', () => {
  it('reads each written form into the same halves', () => {
    expect(parseUint128('1:2')).toEqual({ high: 1n, low: 2n });
    expect(parseUint128('7:42:1000')).toEqual({ high: (7n << 32n) | 42n, low: 1000n });
    expect(parseUint128(String(2n ** 64n + 5n))).toEqual({ high: 1n, low: 5n });
    expect(parseUint128(9)).toEqual({ high: 0n, low: 9n });
    expect(parseUint128(2 ** 64)).toEqual({ high: 1n, low: 0n });
    expect(formatUint128({ high: (7n << 32n) | 42n, low: 1000n }, true)).toBe('7:42:1000');
  });

  it('refuses what is not one of them', () => {
    for (const bad of ['', '1:2:3:4', '-1', '1.5', 'x:1', String(2n ** 128n), `${2n ** 64n}:0`]) {
      expect(parseUint128(bad)).toBeUndefined();
    }
    expect(parseUint128(-1)).toBeUndefined();
    expect(parseUint128(2 ** 128)).toBeUndefined();
    expect(parseUint128(1.5)).toBeUndefined();
    expect(parseUint128(null)).toBeUndefined();
    expect(parseUint128('1:4294967296:0')).toBeUndefined();
  });

  it('gives back what it formats, in both text forms and as a 128-bit integer', () => {
    fc.assert(
      fc.property(U64, U64, (high, low) => {
        const v = { high, low };
        expect(parseUint128(formatUint128(v, false))).toEqual(v);
        expect(uint128FromBigInt(uint128ToBigInt(v))).toEqual(v);
        expect(parseUint128(String(uint128ToBigInt(v)))).toEqual(v);
      }),
      fuzzParams(300),
    );
    fc.assert(
      fc.property(U32, U32, U64, (asid, pid, start) => {
        const v = { high: (asid << 32n) | pid, low: start };
        expect(parseUint128(formatUint128(v, true))).toEqual(v);
      }),
      fuzzParams(300),
    );
  });

  it('never throws on any input, and parses only to halves in range', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[0-9:]{0,60}$/), fc.anything()),
        (x) => {
          const v = parseUint128(x);
          if (v === undefined) return;
          expect(v.high >= 0n && v.high < 2n ** 64n).toBe(true);
          expect(v.low >= 0n && v.low < 2n ** 64n).toBe(true);
        },
      ),
      fuzzParams(500),
    );
  });
});
