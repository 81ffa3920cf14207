import { PxlError } from '../errors';
import { Pragma } from '../parse/ast';

/** What one script run may use. */
export interface PxlLimits {
  /** Rows per output table; scripts raise it with `#px:set max_output_rows_per_table=N`. */
  readonly maxOutputRows: number;
  /** Wall time of a whole run, in milliseconds; DuckDB is interrupted when it passes. */
  readonly timeoutMs: number;
  /** Memory the results of a run may take in the gateway, in bytes (estimated). */
  readonly maxResultBytes: number;
}

export const DEFAULT_LIMITS: PxlLimits = {
  maxOutputRows: 10_000,
  timeoutMs: 30_000,
  maxResultBytes: 64 * 1024 * 1024,
};

/** The `#px:set` options scripts may write. */
const PRAGMAS = ['max_output_rows_per_table'] as const;

/** Applies a script's `#px:set` lines to the limits. */
export function applyPragmas(limits: PxlLimits, pragmas: readonly Pragma[]): PxlLimits {
  let out = limits;
  for (const p of pragmas) {
    if (p.name === 'max_output_rows_per_table') {
      if (!/^\d{1,9}$/.test(p.value) || Number(p.value) < 1) {
        throw new PxlError(
          `max_output_rows_per_table must be a positive integer, not "${p.value}"`,
          p.loc,
        );
      }
      out = { ...out, maxOutputRows: Number(p.value) };
      continue;
    }
    throw new PxlError(`unknown #px:set option "${p.name}"; known: ${PRAGMAS.join(', ')}`, p.loc);
  }
  return out;
}
