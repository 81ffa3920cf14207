import { DataType } from '../../../../shared/contract/types';
import { AGGREGATES } from './aggregates';
import { METADATA_FUNCTIONS } from './metadata';
import { NORMALIZE_FUNCTIONS } from './normalize-sql';
import { OPERATORS } from './operators';
import { SCALARS } from './scalars';
import { PxFunction, Signature } from './types';

/** Implicit conversions a call may make, each with its cost (fewer and cheaper wins). */
const COERCIONS: Readonly<Record<string, number>> = {
  'INT64>FLOAT64': 1,
  'INT64>TIME64NS': 2,
  'TIME64NS>INT64': 2,
};

/** The one registry of px functions: scalars, operators, aggregates and metadata. */
export class FunctionRegistry {
  private readonly byName = new Map<string, PxFunction>();

  constructor(functions: readonly PxFunction[]) {
    for (const fn of functions) {
      if (this.byName.has(fn.name)) throw new Error(`px function "${fn.name}" is registered twice`);
      this.byName.set(fn.name, fn);
    }
  }

  get(name: string): PxFunction | undefined {
    return this.byName.get(name);
  }

  /** Names a script may write after `px.` (operators written as symbols stay hidden). */
  publicNames(): string[] {
    return [...this.byName.values()]
      .filter((f) => f.kind === 'aggregate' || !f.internal)
      .map((f) => f.name);
  }

  all(): PxFunction[] {
    return [...this.byName.values()];
  }
}

/**
 * Picks the signature of `fn` for these argument types: an exact match, else the one needing
 * the cheapest implicit conversions. Undefined when none fits.
 */
export function resolveSignature(
  signatures: readonly Signature[],
  argTypes: readonly DataType[],
): Signature | undefined {
  let best: Signature | undefined;
  let bestCost = Infinity;
  for (const sig of signatures) {
    if (sig.args.length !== argTypes.length) continue;
    let cost = 0;
    for (let i = 0; i < argTypes.length && cost < Infinity; i++) {
      const from = argTypes[i]!;
      const to = sig.args[i]!;
      if (from !== to) cost += COERCIONS[`${from}>${to}`] ?? Infinity;
    }
    if (cost < bestCost) {
      best = sig;
      bestCost = cost;
    }
  }
  return best;
}

/** The registry of every built-in px function. */
export const FUNCTIONS = new FunctionRegistry([
  ...OPERATORS,
  ...SCALARS,
  ...METADATA_FUNCTIONS,
  ...NORMALIZE_FUNCTIONS,
  ...AGGREGATES,
]);
