const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL_RE = /^-?\d{1,20}$/;
const UNSIGNED_RE = /^\d{1,39}$/;

/** Parses an INT64 or TIME64NS value: an integral JSON number or a decimal string. */
export function toInt64(value: unknown): bigint | undefined {
  let v: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return undefined;
    v = BigInt(value);
  } else if (typeof value === 'string' && DECIMAL_RE.test(value)) {
    v = BigInt(value);
  } else {
    return undefined;
  }
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** Parses a FLOAT64 value: a JSON number or a numeric string (including NaN and Infinity). */
export function toFloat64(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const v = Number(value);
  return Number.isNaN(v) && value.trim() !== 'NaN' ? undefined : v;
}

/**
 * Parses a UINT128 in one of its written forms: `"high:low"` (two unsigned 64-bit decimals),
 * the UPID form `"asid:pid:start_ticks"` (high = asid << 32 | pid, low = start_ticks), a decimal
 * string, or a non-negative integral JSON number. Returns [low, high].
 */
export function toUint128(value: unknown): [bigint, bigint] | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? [BigInt(value), 0n] : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const parts = value.split(':');
  if (!parts.every((p) => UNSIGNED_RE.test(p))) return undefined;
  const nums = parts.map((p) => BigInt(p));
  if (nums.length === 1) {
    const v = nums[0]!;
    return v < 2n ** 128n ? [v & UINT64_MAX, v >> 64n] : undefined;
  }
  if (nums.length === 2) {
    const [high, low] = nums as [bigint, bigint];
    return high <= UINT64_MAX && low <= UINT64_MAX ? [low, high] : undefined;
  }
  if (nums.length === 3) {
    const [asid, pid, start] = nums as [bigint, bigint, bigint];
    const u32 = 0xffffffffn;
    return asid <= u32 && pid <= u32 && start <= UINT64_MAX
      ? [start, (asid << 32n) | pid]
      : undefined;
  }
  return undefined;
}

/** Writes a UINT128 as text: the UPID form for ST_UPID columns, `high:low` otherwise. */
export function formatUint128(low: bigint, high: bigint, upid: boolean): string {
  if (upid) return `${high >> 32n}:${high & 0xffffffffn}:${low}`;
  return `${high}:${low}`;
}
