const MIB = 1024 * 1024;

export interface BudgetOptions {
  totalMb: number;
  httpEventsShare: number;
  /** Fixed budgets in MiB, by table name. */
  overridesMb: Readonly<Record<string, number | undefined>>;
}

/**
 * Splits the store's byte budget between tables the way Pixie's table store does: http_events
 * takes its share, and the other tables divide the rest equally. A table with a fixed budget
 * takes it first, and the tables without one share what remains.
 */
export function computeBudgets(
  tables: readonly string[],
  opts: BudgetOptions,
): Map<string, number> {
  const total = opts.totalMb * MIB;
  const budgets = new Map<string, number>();
  let remaining = total;
  for (const name of tables) {
    const fixed = opts.overridesMb[name];
    if (fixed !== undefined) {
      budgets.set(name, Math.floor(fixed * MIB));
      remaining -= fixed * MIB;
    }
  }
  remaining = Math.max(remaining, 0);
  const shared = tables.filter((t) => !budgets.has(t));
  if (shared.includes('http_events') && shared.length > 1) {
    const http = Math.floor(total * opts.httpEventsShare);
    budgets.set('http_events', Math.min(http, remaining));
    remaining -= Math.min(http, remaining);
  }
  const rest = shared.filter((t) => !budgets.has(t));
  for (const name of rest) budgets.set(name, Math.floor(remaining / rest.length));
  return budgets;
}
