import { DataType, SemanticType } from '../../../../shared/contract/types';
import { Loc, PxlError } from '../errors';
import * as A from '../parse/ast';
import { SpecValue } from '../export/spec';
import { Expr, PlanNode } from './nodes';

/**
 * The values a script computes while it is planned. Python scalars and containers are known
 * now; DataFrames are plans; column expressions are plan expressions evaluated later, in SQL.
 */

export interface NoneValue {
  readonly kind: 'none';
}
export interface BoolValue {
  readonly kind: 'bool';
  readonly value: boolean;
}
export interface IntValue {
  readonly kind: 'int';
  readonly value: bigint;
  /** INT64, or TIME64NS for times such as `px.now()`. */
  readonly type: 'INT64' | 'TIME64NS';
  readonly st: SemanticType;
}
export interface FloatValue {
  readonly kind: 'float';
  readonly value: number;
  readonly st: SemanticType;
}
export interface StrValue {
  readonly kind: 'str';
  readonly value: string;
  readonly st: SemanticType;
}
export interface ListValue {
  readonly kind: 'list' | 'tuple';
  readonly items: readonly Value[];
}
export interface DictValue {
  readonly kind: 'dict';
  readonly entries: readonly (readonly [Value, Value])[];
}
/** `px` and its submodules (`px.otel`, `px.otel.metric`, `px.plugin`, ...). */
export interface ModuleValue {
  readonly kind: 'module';
  readonly path: string;
}
/** A px function not yet called, e.g. `px.count` (an aggregate) or `px.DataFrame`. */
export interface BuiltinValue {
  readonly kind: 'builtin';
  readonly name: string;
}
/** A function the script defines. */
export interface FunctionValue {
  readonly kind: 'function';
  readonly def: A.FunctionDef;
  readonly closure: Scope;
}
export interface DataFrameValue {
  readonly kind: 'dataframe';
  readonly node: PlanNode;
}
/** An expression over a DataFrame's columns, computed per row. */
export interface ColumnValue {
  readonly kind: 'column';
  readonly expr: Expr;
}
export interface GroupByValue {
  readonly kind: 'groupby';
  readonly node: PlanNode;
  readonly groups: readonly string[];
}
/** `df.ctx`, waiting for its key. */
export interface CtxValue {
  readonly kind: 'ctx';
}
/** A method bound to its object, e.g. `df.groupby`. */
export interface MethodValue {
  readonly kind: 'method';
  readonly self: DataFrameValue | GroupByValue;
  readonly name: string;
}
/** A type usable in annotations: `str`, `int`, `px.Service`, ... */
export interface TypeValue {
  readonly kind: 'type';
  readonly name: string;
}
/** A piece of a `px.export` spec, already evaluated (a `px.otel.*` call result). */
export interface SpecPartValue {
  readonly kind: 'spec';
  readonly value: SpecValue;
  /** Column references inside it, for the checker. */
  readonly columns: readonly { readonly name: string; readonly loc: Loc }[];
}

export type Value =
  | NoneValue
  | BoolValue
  | IntValue
  | FloatValue
  | StrValue
  | ListValue
  | DictValue
  | ModuleValue
  | BuiltinValue
  | FunctionValue
  | DataFrameValue
  | ColumnValue
  | GroupByValue
  | CtxValue
  | MethodValue
  | TypeValue
  | SpecPartValue;

export const NONE: NoneValue = { kind: 'none' };

/** A lexical scope: a function's locals, or the module's globals. */
export class Scope {
  private readonly vars = new Map<string, Value>();

  constructor(readonly parent: Scope | undefined) {}

  lookup(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  set(name: string, value: Value): void {
    this.vars.set(name, value);
  }

  /** Every visible name, for suggestions. */
  names(): string[] {
    return [...this.vars.keys(), ...(this.parent?.names() ?? [])];
  }
}

/** How a value is named in error messages. */
export function describe(v: Value): string {
  switch (v.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return 'a bool';
    case 'int':
      return v.type === 'TIME64NS' ? 'a time' : 'an int';
    case 'float':
      return 'a float';
    case 'str':
      return 'a string';
    case 'list':
      return 'a list';
    case 'tuple':
      return 'a tuple';
    case 'dict':
      return 'a dict';
    case 'module':
      return `the module ${v.path}`;
    case 'builtin':
      return `the function ${v.name}`;
    case 'function':
      return `the function ${v.def.name}`;
    case 'dataframe':
      return 'a DataFrame';
    case 'column':
      return 'a column expression';
    case 'groupby':
      return 'a grouped DataFrame';
    case 'ctx':
      return 'df.ctx';
    case 'method':
      return `the method ${v.name}`;
    case 'type':
      return `the type ${v.name}`;
    case 'spec':
      return 'an export spec';
  }
}

/** Python truthiness, for values known while planning. */
export function truthy(v: Value, loc: Loc): boolean {
  switch (v.kind) {
    case 'none':
      return false;
    case 'bool':
      return v.value;
    case 'int':
      return v.value !== 0n;
    case 'float':
      return v.value !== 0;
    case 'str':
      return v.value !== '';
    case 'list':
    case 'tuple':
      return v.items.length > 0;
    case 'dict':
      return v.entries.length > 0;
    case 'column':
      throw new PxlError(
        'a column expression has no truth value here; use it in a filter (df[...]) or px.select',
        loc,
      );
    default:
      return true;
  }
}

/** A literal expression for a scalar value, or undefined when the value is not a scalar. */
export function literalOf(v: Value, loc: Loc): Expr | undefined {
  const lit = (value: boolean | bigint | number | string, type: DataType, st: SemanticType) =>
    ({ kind: 'literal', value, type, semanticType: st, loc }) as const;
  switch (v.kind) {
    case 'bool':
      return lit(v.value, 'BOOLEAN', 'ST_NONE');
    case 'int':
      return lit(v.value, v.type, v.st);
    case 'float':
      return lit(v.value, 'FLOAT64', v.st);
    case 'str':
      return lit(v.value, 'STRING', v.st);
    default:
      return undefined;
  }
}

/** The expression for a value used per row: a column expression, or a scalar as a literal. */
export function toExpr(v: Value, loc: Loc, what: string): Expr {
  if (v.kind === 'column') return v.expr;
  const lit = literalOf(v, loc);
  if (lit) return lit;
  throw new PxlError(`${what} must be a column or a value, not ${describe(v)}`, loc);
}

/** A string value, or a located error naming what was expected. */
export function expectString(v: Value, loc: Loc, what: string): string {
  if (v.kind === 'str') return v.value;
  throw new PxlError(`${what} must be a string, not ${describe(v)}`, loc);
}

/** A list of column names: a string or a list/tuple of strings. */
export function expectNames(v: Value, loc: Loc, what: string): string[] {
  if (v.kind === 'str') return [v.value];
  if (v.kind === 'list' || v.kind === 'tuple') {
    return v.items.map((item) => expectString(item, loc, `each of ${what}`));
  }
  throw new PxlError(`${what} must be a column name or a list of names, not ${describe(v)}`, loc);
}

/** An integer known while planning, or a located error. */
export function expectInt(v: Value, loc: Loc, what: string): bigint {
  if (v.kind === 'int') return v.value;
  if (v.kind === 'bool') return v.value ? 1n : 0n;
  throw new PxlError(`${what} must be an integer, not ${describe(v)}`, loc);
}
