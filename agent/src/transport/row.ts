/** A UINT128 value in halves (a UPID: high = asid << 32 | pid, low = start_ticks). */
export interface Uint128 {
  readonly high: bigint;
  readonly low: bigint;
}

export type Value = bigint | number | string | boolean | Uint128;

/** One row of a table, by column name. Columns left out take their type's zero value. */
export type Row = Readonly<Record<string, Value>>;
