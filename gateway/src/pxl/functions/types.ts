import { DataType, SemanticType } from '../../../../shared/contract/types';
import { QuantileSlot, QuantilesRepr } from './quantiles';

/** An argument as a function's rules and SQL emitter see it. */
export interface ArgInfo {
  readonly type: DataType;
  readonly semanticType: SemanticType;
  /** The value, when the argument is a literal. */
  readonly literal?: boolean | bigint | number | string;
}

/** How a compiled value is represented in SQL when that differs from its PxL type. */
export type SqlRepr = QuantilesRepr;

/** A compiled argument: its SQL text over the current query layer, and what it is. */
export interface SqlArg extends ArgInfo {
  readonly sql: string;
  readonly repr?: SqlRepr;
}

/** The metadata lookups a function may join (see compile/metadata-views.ts). */
export type LookupView =
  | 'process_by_upid'
  | 'pod_by_uid'
  | 'pod_by_ip'
  | 'pod_by_name'
  | 'container_by_id'
  | 'container_by_name'
  | 'service_by_uid'
  | 'service_by_name'
  | 'service_by_ip'
  | 'pod_services'
  | 'namespace_by_name';

/** What an SQL emitter may ask of the compiler. */
export interface EmitContext {
  /** A bound parameter holding `value`, cast to the PxL type's SQL type. */
  param(value: boolean | bigint | number | string, type: DataType): string;
  /**
   * Joins a metadata view on `keySql` at the row's time (or now, when the table has no
   * `time_`) and returns the alias of the matching object (its columns are NULL without one).
   */
  lookup(view: LookupView, keySql: string): string;
  /** Renders a compiled argument as its PxL value (e.g. quantiles as JSON text). */
  asValue(arg: SqlArg): string;
  /** A new `px.quantiles` slot of the statement (see quantiles.ts). */
  quantileSlot(): QuantileSlot;
}

export interface Signature {
  readonly args: readonly DataType[];
  readonly returns: DataType;
}

/** A function computed per row. Operators are scalar functions too (`add`, `equal`, ...). */
export interface ScalarFunction {
  readonly kind: 'scalar';
  readonly name: string;
  readonly doc: string;
  readonly signatures: readonly Signature[];
  /** The result's semantic type; ST_NONE when absent. */
  readonly semantic?: (args: readonly ArgInfo[], returns: DataType) => SemanticType;
  /** Positions of arguments that must be literals (patterns, JSON keys, ...). */
  readonly literalArgs?: readonly number[];
  /** The emitter renders represented arguments itself (through `ctx.asValue`) or reads them. */
  readonly reprArgs?: boolean;
  /** Hidden from `px.` (operators written as symbols only). */
  readonly internal?: boolean;
  readonly sql: (args: readonly SqlArg[], ctx: EmitContext) => string;
}

/** A function over the rows of a group, used in `agg(name=(column, px.fn))`. */
export interface AggregateFunction {
  readonly kind: 'aggregate';
  readonly name: string;
  readonly doc: string;
  readonly signatures: readonly Signature[];
  readonly semantic?: (arg: ArgInfo, returns: DataType) => SemanticType;
  /** The SQL, and how the result is represented when not as its PxL type. */
  readonly sql: (arg: SqlArg, ctx: EmitContext) => string | { sql: string; repr: SqlRepr };
}

export type PxFunction = ScalarFunction | AggregateFunction;
