const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_RE = /^-?\d{1,20}$/;

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
