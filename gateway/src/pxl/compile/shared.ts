import { TNode, inputsOf } from '../check/typed';

/**
 * The operators of a statement's plan that more than one operator reads and that are worth
 * computing once: aggregates, merges and appends, and whatever reads them. Filters and columns
 * over a table are repeated in each reader instead, where DuckDB pushes them into its scans.
 */
export function sharedOperators(root: TNode): Set<TNode> {
  const readers = new Map<TNode, number>();
  const seen = new Set<TNode>([root]);
  const pending = [root];
  for (let n = pending.pop(); n; n = pending.pop()) {
    for (const input of inputsOf(n)) {
      readers.set(input, (readers.get(input) ?? 0) + 1);
      if (!seen.has(input)) {
        seen.add(input);
        pending.push(input);
      }
    }
  }
  const streams = new Map<TNode, boolean>();
  const shared = new Set<TNode>();
  for (const [n, count] of readers) if (count > 1 && !readsRows(n, streams)) shared.add(n);
  return shared;
}

/** Whether an operator is a chain of row-by-row operators over a table (memoized in `known`). */
function readsRows(n: TNode, known: Map<TNode, boolean>): boolean {
  const chain: TNode[] = [];
  let answer: boolean | undefined;
  for (let x: TNode = n; answer === undefined;) {
    answer = known.get(x);
    if (answer !== undefined) break;
    chain.push(x);
    if (x.kind === 'source') answer = true;
    else if (x.kind === 'agg' || x.kind === 'join' || x.kind === 'union') answer = false;
    else x = x.input;
  }
  for (const x of chain) known.set(x, answer);
  return answer;
}
