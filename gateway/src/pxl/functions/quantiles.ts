/**
 * `px.quantiles` computes these quantiles of a group. In SQL they stay a DOUBLE[] (so
 * `px.pluck_float64(q, 'p50')` is a list index); as a value they are Pixie's JSON object
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

const ALL_KEYS = QUANTILES.map((x) => x.key);

/**
 * One `px.quantiles` aggregate of a statement: the quantiles it computes and those read from
 * it. A statement is compiled once with every quantile, then again with only those read
 * (all of them when the JSON value is shown), so it computes what it needs.
 */
export class QuantileSlot {
  readonly used = new Set<string>();

  constructor(readonly keys: readonly string[] = ALL_KEYS) {}

  /** The fraction list for quantile_cont. */
  fractionsSql(): string {
    return `[${this.keys.map((k) => QUANTILES.find((x) => x.key === k)!.q).join(', ')}]`;
  }

  /** SQL reading one quantile of the list, or undefined for a key that is not a quantile. */
  element(listSql: string, key: string): string | undefined {
    if (!ALL_KEYS.includes(key)) return undefined;
    this.used.add(key);
    return `${listSql}[${this.keys.indexOf(key) + 1}]`;
  }

  /** The keys a second compilation should compute, in quantile order. */
  needed(): string[] {
    const keys = ALL_KEYS.filter((k) => this.used.has(k));
    return keys.length > 0 ? keys : ['p50'];
  }
}

/** A compiled value held as a quantiles list. */
export interface QuantilesRepr {
  readonly kind: 'quantiles';
  readonly slot: QuantileSlot;
}

/** SQL for a value as PxL sees it: a quantiles list becomes Pixie's JSON text. */
export function valueSql(c: { readonly sql: string; readonly repr?: QuantilesRepr }): string {
  if (!c.repr) return c.sql;
  const slot = c.repr.slot;
  const members = ALL_KEYS.map((k) => `'${k}', ${slot.element(c.sql, k)}`);
  return `CAST(json_object(${members.join(', ')}) AS VARCHAR)`;
}
