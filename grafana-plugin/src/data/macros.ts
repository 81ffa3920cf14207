/**
 * The time macros of a PxL query. Grafana's own `$__from` is in milliseconds; PxL works in
 * nanoseconds, so ours are integer nanoseconds since the epoch (and `$__interval` a duration in
 * nanoseconds, `$__interval_ms` in milliseconds).
 */

export interface MacroValues {
  fromNs: bigint;
  toNs: bigint;
  intervalMs: number;
}

const NS_PER_MS = 1_000_000n;

/** The macro values for a query over `[fromMs, toMs]` with Grafana's interval. */
export function macroValues(fromMs: number, toMs: number, intervalMs: number): MacroValues {
  return {
    fromNs: BigInt(Math.floor(fromMs)) * NS_PER_MS,
    toNs: BigInt(Math.floor(toMs)) * NS_PER_MS,
    intervalMs: Math.max(1, Math.round(intervalMs)),
  };
}

/** The names of the macros, without `$`. */
export const MACRO_NAMES = ['__from', '__to', '__interval', '__interval_ms'] as const;
export type MacroName = (typeof MACRO_NAMES)[number];

/** True for a macro name such as `__from`. */
export function isMacroName(name: string): name is MacroName {
  return (MACRO_NAMES as readonly string[]).includes(name);
}

/** The digits a macro expands to. */
export function macroText(name: MacroName, values: MacroValues): string {
  switch (name) {
    case '__from':
      return values.fromNs.toString();
    case '__to':
      return values.toNs.toString();
    case '__interval':
      return (BigInt(values.intervalMs) * NS_PER_MS).toString();
    case '__interval_ms':
      return String(values.intervalMs);
  }
}
