import { Loc, PxlError } from './errors';

/**
 * What one script may build. A few hundred bytes of PxL can describe exponentially large
 * expressions, plans or SQL, so every stage stops at a bound instead of trusting the script;
 * each bound has a name that its error message and docs/pxl.md share.
 */
export const BOUNDS = {
  /** Brackets and sub-expressions nested in the script's text. */
  nesting: 100,
  /** Operations in all per-row expressions of a script, with the parts they share unfolded. */
  expressionSize: 100_000,
  /** Nesting of one per-row expression. */
  expressionDepth: 100,
  /** DataFrame operations (filters, column assignments, merges, ...) a script builds. */
  dataframeOps: 5_000,
  /** Operators an output table's plan has once the DataFrames it uses twice are unfolded. */
  planOperators: 5_000,
  /** Columns of one DataFrame. */
  columns: 500,
  /** Tables a script shows or exports (px.display, px.export). */
  outputTables: 100,
  /** SELECTs nested inside one another in one compiled statement. */
  queryNesting: 64,
  /** Characters of one compiled statement. */
  sqlChars: 256 * 1024,
  /** Characters of a string, or items of a list, that a script computes while it is planned. */
  valueLength: 1_000_000,
  /** Bits of an integer a script computes while it is planned. */
  integerBits: 256,
} as const;

export type BoundName = keyof typeof BOUNDS;

/**
 * The error for a script that passed a bound, located where it was passed: `fact` says what
 * happened (with the number), `hint` what to do instead.
 */
export function boundError(name: BoundName, fact: string, hint: string, loc?: Loc): PxlError {
  return new PxlError(`${fact} (the PxL limit "${name}"); ${hint}`, loc, 'limit-exceeded');
}
