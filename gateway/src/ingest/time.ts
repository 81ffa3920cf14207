const NS_PER_MS = 1_000_000n;

/** The first and the last-plus-one nanosecond of this century: 2000-01-01 to 2100-01-01 (UTC). */
const CENTURY_START_NS = 946_684_800_000n * NS_PER_MS;
const CENTURY_END_NS = 4_102_444_800_000n * NS_PER_MS;
/** The high 32-bit words of those bounds: a time_ whose high word lies strictly between is fine. */
const START_HIGH = Number(CENTURY_START_NS >> 32n);
const END_HIGH = Number(CENTURY_END_NS >> 32n);

const OTHER_UNITS: ReadonlyArray<[string, bigint]> = [
  ['seconds', 1_000_000_000n],
  ['milliseconds', 1_000_000n],
  ['microseconds', 1_000n],
];

/** Whether a time_ value can be nanoseconds since the epoch in this century. */
export function isCenturyNs(ns: bigint): boolean {
  return ns >= CENTURY_START_NS && ns < CENTURY_END_NS;
}

/**
 * Why a time_ value cannot be nanoseconds since the epoch of this century, saying what unit it
 * looks like; undefined when it can be.
 */
export function timeProblem(ns: bigint): string | undefined {
  if (isCenturyNs(ns)) return undefined;
  const rule = 'time_ must be nanoseconds since the epoch, between 2000 and 2100';
  for (const [unit, scale] of OTHER_UNITS) {
    if (isCenturyNs(ns * scale)) {
      const date = new Date(Number((ns * scale) / NS_PER_MS)).toISOString();
      return `${ns} looks like ${unit} since the epoch (${date}), not nanoseconds; ${rule}`;
    }
  }
  return `${ns} is not a time between 2000 and 2100 in nanoseconds, microseconds, milliseconds or seconds since the epoch; ${rule}`;
}

/**
 * The first of the values that is not nanoseconds of this century, or -1. Most values are
 * decided by their high 32-bit word alone, without making a BigInt.
 */
export function firstOutsideCentury(values: BigInt64Array): number {
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const high = words[2 * i + 1]!;
    if (high > START_HIGH && high < END_HIGH) continue;
    if (!isCenturyNs(values[i]!)) return i;
  }
  return -1;
}

/** The ingest time: now, in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 date-time (`2026-12-06T10:00:00.123456789Z`, `...+01:00`) into nanoseconds
 * since the epoch, keeping every fractional digit; undefined when the text is not one.
 */
export function parseRfc3339(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  const date = new Date(0);
  date.setUTCFullYear(year!, month! - 1, day!);
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day) return undefined;
  if (hour! > 23 || minute! > 59 || second! > 60) return undefined;
  const [sign, offsetHours, offsetMinutes] = [m[8], Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const ms = date.getTime() + ((hour! * 60 + minute!) * 60 + second!) * 1000 - offsetMs;
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0'));
  return BigInt(ms) * NS_PER_MS + fraction;
}
