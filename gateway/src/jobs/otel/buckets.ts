/**
 * The bucket of a value as OpenTelemetry's explicit-bucket histograms count it: bucket i holds
 * values in (bounds[i-1], bounds[i]], and the last bucket everything above the last bound.
 */
export function bucketOf(bounds: readonly number[], value: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= bounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
