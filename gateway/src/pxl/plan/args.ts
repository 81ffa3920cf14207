import { Loc, PxlError, didYouMean } from '../errors';
import { Value } from './values';

/** An evaluated argument and where it was written. */
export interface Arg {
  readonly value: Value;
  readonly loc: Loc;
}

/** A keyword argument also knows where its name was written. */
export interface KeywordArg extends Arg {
  readonly nameLoc?: Loc;
}

/** An evaluated call: positional and keyword arguments. */
export interface CallArgs {
  readonly positional: readonly Arg[];
  readonly keywords: ReadonlyMap<string, KeywordArg>;
  readonly loc: Loc;
}

/** A parameter of a built-in function; without a default it is required. */
export interface ParamSpec {
  readonly name: string;
  readonly default?: Value;
}

/**
 * Binds a call's arguments to parameters the way Python does: positional first, then by name;
 * too many, unknown, repeated or missing arguments are located errors naming the function.
 */
export function bindArgs(
  fnName: string,
  params: readonly ParamSpec[],
  call: CallArgs,
): Map<string, Arg> {
  if (call.positional.length > params.length) {
    throw new PxlError(
      `${fnName}() takes at most ${params.length} argument${params.length === 1 ? '' : 's'} (${call.positional.length} given)`,
      call.positional[params.length]!.loc,
    );
  }
  const bound = new Map<string, Arg>();
  call.positional.forEach((arg, i) => bound.set(params[i]!.name, arg));
  for (const [name, arg] of call.keywords) {
    if (!params.some((p) => p.name === name)) {
      throw new PxlError(
        `${fnName}() has no parameter "${name}"${didYouMean(
          name,
          params.map((p) => p.name),
        )}`,
        arg.nameLoc ?? arg.loc,
      );
    }
    if (bound.has(name)) {
      throw new PxlError(`${fnName}() got two values for "${name}"`, arg.loc);
    }
    bound.set(name, arg);
  }
  for (const p of params) {
    if (bound.has(p.name)) continue;
    if (p.default === undefined) {
      throw new PxlError(`${fnName}() is missing the argument "${p.name}"`, call.loc);
    }
    bound.set(p.name, { value: p.default, loc: call.loc });
  }
  return bound;
}

/** Refuses keyword arguments, for functions that take positions only. */
export function positionalOnly(fnName: string, call: CallArgs): readonly Arg[] {
  const first = call.keywords.values().next();
  if (!first.done) {
    throw new PxlError(`${fnName}() takes positional arguments only`, first.value.loc);
  }
  return call.positional;
}
