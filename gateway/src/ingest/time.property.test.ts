import fc from 'fast-check';
import { fuzzParams } from '../../../test/support/fuzz';
import { firstOutsideCentury, isCenturyNs, parseRfc3339, timeProblem } from './time';

const START = 946_684_800_000_000_000n;
const END = 4_102_444_800_000_000_000n;

/** Times near the century's bounds and anywhere in the int64 range. */
const anyNs = fc.oneof(
  fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
  fc.bigInt(START - 2n ** 33n, START + 2n ** 33n),
  fc.bigInt(END - 2n ** 33n, END + 2n ** 33n),
  fc.constantFrom(START - 1n, START, END - 1n, END, 0n, -1n),
);

describe('time_ rules (property)', () => {
  it('finds the first value outside the century exactly as the BigInt comparison does', () => {
    fc.assert(
      fc.property(fc.array(anyNs, { maxLength: 20 }), (values) => {
        const expected = values.findIndex((v) => !(v >= START && v < END));
        expect(firstOutsideCentury(BigInt64Array.from(values))).toBe(expected);
        for (const v of values) expect(isCenturyNs(v)).toBe(v >= START && v < END);
      }),
      fuzzParams(500, { seed: 41 }),
    );
  });

  it('reads RFC 3339 date-times to the nanosecond in any offset, and nothing else', () => {
    const written = fc.record({
      ns: fc.bigInt(START, END - 1n),
      offsetMinutes: fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
      digits: fc.integer({ min: 0, max: 9 }),
      separator: fc.constantFrom('T', 't', ' '),
    });
    fc.assert(
      fc.property(written, ({ ns, offsetMinutes, digits, separator }) => {
        const fraction = ns % 1_000_000_000n;
        const kept = digits === 0 ? 0n : fraction - (fraction % 10n ** BigInt(9 - digits));
        const local = new Date(Number(ns / 1_000_000n) + offsetMinutes * 60_000).toISOString();
        const zone =
          offsetMinutes === 0
            ? 'Z'
            : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.abs(offsetMinutes) / 60)}:${pad(Math.abs(offsetMinutes) % 60)}`;
        const digitsText = digits ? `.${String(kept).padStart(9, '0').slice(0, digits)}` : '';
        const text = `${local.slice(0, 10)}${separator}${local.slice(11, 19)}${digitsText}${zone}`;
        expect(parseRfc3339(text)).toBe(ns - fraction + kept);
      }),
      fuzzParams(500, { seed: 42 }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const v = parseRfc3339(text);
        if (v !== undefined) expect(text).toMatch(/^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d/);
      }),
      fuzzParams(500, { seed: 43 }),
    );
  });

  it('refuses impossible dates rather than rolling them over', () => {
    for (const text of [
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00.1234567890Z',
      '2026-01-01',
    ]) {
      expect(parseRfc3339(text)).toBeUndefined();
    }
    expect(parseRfc3339('2024-02-29T23:59:59.5-00:30')).toBe(
      BigInt(Date.UTC(2024, 2, 1, 0, 29, 59, 500)) * 1_000_000n,
    );
  });

  it('says which unit a value looks like', () => {
    expect(timeProblem(1_796_544_001n)).toMatch(/^1796544001 looks like seconds since the epoch/);
    expect(timeProblem(1_796_544_001_615n)).toMatch(
      /looks like milliseconds since the epoch \(2026-12-06T/,
    );
    expect(timeProblem(1_796_544_001_615_123n)).toMatch(/looks like microseconds/);
    expect(timeProblem(1_796_544_001_615_123_456n)).toBeUndefined();
    expect(timeProblem(-5n)).toMatch(/^-5 is not a time between 2000 and 2100/);
  });
});

function pad(n: number): string {
  return String(Math.floor(n)).padStart(2, '0');
}
