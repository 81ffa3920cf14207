import { UserError, UserErrorKind } from '../common/errors';

/** A position in a script: 1-based line and column. */
export interface Loc {
  readonly line: number;
  readonly column: number;
}

/** A mistake in a PxL script (syntax, names, types, limits), located where it was found. */
export class PxlError extends UserError {
  constructor(message: string, loc?: Loc, kind: UserErrorKind = 'invalid') {
    super(message, kind, loc?.line, loc?.column);
    this.name = 'PxlError';
  }
}

/** The nearest of `candidates` to `name` (edit distance), if it is close enough to suggest. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** "; did you mean "x"?" when there is a near name, else "". */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const near = nearest(name, candidates);
  return near === undefined ? '' : `; did you mean "${near}"?`;
}

function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
