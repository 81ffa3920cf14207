import { QUANTILES } from './quantiles';

/**
 * The mergeable sketch behind `px.quantiles` across gateways: log-bucket counts (DDSketch's
 * scheme). A value v > 0 falls in bucket i = ceil(ln v / ln GAMMA), which holds
 * (GAMMA^(i-1), GAMMA^i]; the bucket's representative 2·GAMMA^i / (GAMMA + 1) is within
 * (GAMMA - 1) / (GAMMA + 1) ≈ 0.5% of every value in it. Negative values mirror that, zero
 * has a bucket of its own. Counts add, so shards' sketches merge exactly.
 */
export const GAMMA = 1.01;

/** The relative error of a quantile read from a sketch (for docs and tests). */
export const SKETCH_RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1);

/** Keeps bucket keys positive for v > 0 (their index may be negative, down to about -37,500). */
const KEY_OFFSET = 100_000;
/** Bucket indices of finite doubles lie within ±KEY_OFFSET, so keys within ±2·KEY_OFFSET. */
const MAX_KEY = 2 * KEY_OFFSET;

/** The DuckDB function that reads quantiles from shards' sketches (see sketchQuantilesSql). */
export const SKETCH_QUANTILES_FUNCTION = '_pxl_sketch_quantiles';

/**
 * SQL of an aggregate that sketches `valueSql` over a group: `key:count` pairs joined by
 * commas, keys as above (0 for zero, the negated key for v < 0). NULL, NaN and infinite values
 * are left out, as quantile_cont leaves out NULL; a group without values gives NULL.
 */
export function sketchSql(valueSql: string): string {
  const v = `CAST(${valueSql} AS DOUBLE)`;
  const index = (x: string) => `CAST(ceil(ln(${x}) / ln(${GAMMA})) AS BIGINT) + ${KEY_OFFSET}`;
  const key = `CASE WHEN ${v} > 0 THEN ${index(v)} WHEN ${v} < 0 THEN -(${index(`-${v}`)}) ELSE 0 END`;
  return (
    `array_to_string(list_transform(map_entries(histogram(${key}) FILTER (WHERE isfinite(${v}))), ` +
    `lambda e: e.key || ':' || e.value), ',')`
  );
}

/** SQL merging a group's sketches (one per shard) into Pixie's quantiles JSON object. */
export function sketchQuantilesSql(sketchSql: string): string {
  return `${SKETCH_QUANTILES_FUNCTION}(string_agg(${sketchSql}, ';'))`;
}

/** A sketch a shard sent that is not one: the caller names the shard. */
export class SketchFormatError extends Error {}

const PAIR = /^(-?\d{1,6}):(\d{1,15})$/;

/** Bucket counts of sketches joined by ';' (each as sketchSql writes it), checked and summed. */
export function parseSketches(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const sketch of text.split(';')) {
    if (sketch === '') continue;
    for (const pair of sketch.split(',')) {
      const m = PAIR.exec(pair);
      const key = m ? Number(m[1]) : NaN;
      const count = m ? Number(m[2]) : NaN;
      if (!m || Math.abs(key) > MAX_KEY || (key !== 0 && Math.abs(key) < 1) || count < 1) {
        throw new SketchFormatError(`"${pair.slice(0, 40)}" is not a bucket count of a sketch`);
      }
      counts.set(key, (counts.get(key) ?? 0) + count);
    }
  }
  return counts;
}

/** The value a bucket stands for. */
export function bucketValue(key: number): number {
  if (key === 0) return 0;
  const i = Math.abs(key) - KEY_OFFSET;
  const v = (2 * GAMMA ** i) / (GAMMA + 1);
  return key < 0 ? -v : v;
}

/**
 * Pixie's quantiles object from merged bucket counts, interpolated between neighbouring ranks
 * as DuckDB's quantile_cont does (h = q·(n-1)); every value null for an empty sketch.
 */
export function sketchQuantiles(
  counts: ReadonlyMap<number, number>,
): Record<string, number | null> {
  const buckets = [...counts].map(([k, c]) => ({ v: bucketValue(k), c })).sort((a, b) => a.v - b.v);
  const n = buckets.reduce((s, b) => s + b.c, 0);
  const at = (rank: number): number => {
    let seen = 0;
    for (const b of buckets) {
      seen += b.c;
      if (rank < seen) return b.v;
    }
    return buckets[buckets.length - 1]!.v;
  };
  const out: Record<string, number | null> = {};
  for (const { key, q } of QUANTILES) {
    if (n === 0) {
      out[key] = null;
      continue;
    }
    const h = q * (n - 1);
    const lo = at(Math.floor(h));
    out[key] = lo + (h - Math.floor(h)) * (at(Math.ceil(h)) - lo);
  }
  return out;
}
