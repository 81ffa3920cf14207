/**
 * A UINT128 value in halves, the one form the agent and the gateway both use (a UPID: high =
 * asid << 32 | pid, low = start_ticks). On the wire it is FixedSizeBinary(16), little-endian,
 * low half first (DuckDB's UHUGEINT layout), or one of the written forms below.
 */
export interface Uint128 {
  readonly high: bigint;
  readonly low: bigint;
}

const UINT64_MAX = 2n ** 64n - 1n;
const UINT32_MAX = 0xffffffffn;
const UINT128_LIMIT = 2n ** 128n;
const UNSIGNED_RE = /^\d{1,39}$/;

/**
 * Parses a UINT128 in one of its written forms: `"high:low"` (two unsigned 64-bit decimals),
 * the UPID form `"asid:pid:start_ticks"`, a decimal string, or a non-negative integral JSON
 * number.
 */
export function parseUint128(value: unknown): Uint128 | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return undefined;
    // A number past 2^64 keeps its high half (it was cut to 64 bits before the contract).
    const v = BigInt(value);
    return v < UINT128_LIMIT ? uint128FromBigInt(v) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const parts = value.split(':');
  if (!parts.every((p) => UNSIGNED_RE.test(p))) return undefined;
  const nums = parts.map((p) => BigInt(p));
  if (nums.length === 1) {
    const v = nums[0]!;
    return v < UINT128_LIMIT ? uint128FromBigInt(v) : undefined;
  }
  if (nums.length === 2) {
    const [high, low] = nums as [bigint, bigint];
    return high <= UINT64_MAX && low <= UINT64_MAX ? { high, low } : undefined;
  }
  if (nums.length === 3) {
    const [asid, pid, start] = nums as [bigint, bigint, bigint];
    return asid <= UINT32_MAX && pid <= UINT32_MAX && start <= UINT64_MAX
      ? { high: (asid << 32n) | pid, low: start }
      : undefined;
  }
  return undefined;
}

/** The 128-bit integer of a value (as DuckDB's UHUGEINT holds it). */
export function uint128ToBigInt(v: Uint128): bigint {
  return (v.high << 64n) | v.low;
}

/** The halves of a 128-bit integer. */
export function uint128FromBigInt(v: bigint): Uint128 {
  return { high: v >> 64n, low: v & UINT64_MAX };
}

/** Writes a UINT128 as text: the UPID form for ST_UPID columns, `high:low` otherwise. */
export function formatUint128(v: Uint128, upid: boolean): string {
  if (upid) return `${v.high >> 32n}:${v.high & UINT32_MAX}:${v.low}`;
  return `${v.high}:${v.low}`;
}
