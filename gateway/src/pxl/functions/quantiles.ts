/**
 * `px.quantiles` computes these quantiles of a group. In SQL they stay a DOUBLE[] in this order
 * (so `px.pluck_float64(q, 'p50')` is a list index); as a value they are Pixie's JSON object
 * `{"p01": ..., "p10": ..., ..., "p99": ...}`.
 */
export const QUANTILES: readonly { readonly key: string; readonly q: number }[] = [
  { key: 'p01', q: 0.01 },
  { key: 'p10', q: 0.1 },
  { key: 'p25', q: 0.25 },
  { key: 'p50', q: 0.5 },
  { key: 'p75', q: 0.75 },
  { key: 'p90', q: 0.9 },
  { key: 'p99', q: 0.99 },
];

/** The 1-based SQL list index of a quantile key, or undefined for other keys. */
export function quantileIndex(key: string): number | undefined {
  const i = QUANTILES.findIndex((x) => x.key === key);
  return i < 0 ? undefined : i + 1;
}

/** SQL turning a quantiles list into Pixie's JSON text. */
export function quantilesJsonSql(listSql: string): string {
  const members = QUANTILES.map((x, i) => `'${x.key}', ${listSql}[${i + 1}]`).join(', ');
  return `CAST(json_object(${members}) AS VARCHAR)`;
}
