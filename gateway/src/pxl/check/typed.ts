import { DataType, SemanticType } from '../../../../shared/contract/types';
import { SpecValue } from '../export/spec';
import { CtxKey } from '../functions/metadata';
import { AggregateFunction, ScalarFunction } from '../functions/types';
import { ExportSpec } from '../export/spec';
import { JoinHow } from '../plan/nodes';
import { Loc } from '../errors';

/**
 * The checked plan: every node knows its output relation and every expression its type and
 * semantic type, with functions resolved. The compiler reads only this.
 */

/** Where a `px.script_reference` column links: the script and its arguments. */
export interface ScriptReference {
  readonly script: string;
  readonly args: Readonly<Record<string, SpecValue>>;
}

export interface TypedColumn {
  readonly name: string;
  readonly type: DataType;
  readonly semanticType: SemanticType;
  readonly scriptReference?: ScriptReference;
}

export interface Relation {
  readonly columns: readonly TypedColumn[];
}

interface Typed {
  readonly type: DataType;
  readonly semanticType: SemanticType;
  /** Where the script wrote it, for errors found while compiling it. */
  readonly loc: Loc;
}

export interface TLiteral extends Typed {
  readonly kind: 'literal';
  readonly value: boolean | bigint | number | string;
}
export interface TColumn extends Typed {
  readonly kind: 'column';
  readonly name: string;
  readonly scriptReference?: ScriptReference;
}
export interface TCall extends Typed {
  readonly kind: 'call';
  readonly fn: ScalarFunction;
  readonly args: readonly TExpr[];
}
export interface TCtx extends Typed {
  readonly kind: 'ctx';
  readonly key: string;
  readonly def: CtxKey;
  /** The column the metadata is found through: the `upid`, or a `pod_id` for pod keys. */
  readonly via: { readonly column: TColumn; readonly kind: 'upid' | 'pod_id' };
}
export interface TScriptRef extends Typed {
  readonly kind: 'script_ref';
  readonly label: TExpr;
  readonly reference: ScriptReference;
}

export type TExpr = TLiteral | TColumn | TCall | TCtx | TScriptRef;

interface TNodeBase {
  readonly relation: Relation;
  /** Where the script built this operator, for errors found while compiling it. */
  readonly loc: Loc;
}
export interface TSource extends TNodeBase {
  readonly kind: 'source';
  readonly table: string;
  /** Whether the table has a TIME64NS `time_` column that time bounds apply to. */
  readonly hasTime: boolean;
  readonly start: TExpr | undefined;
  readonly end: TExpr | undefined;
}
export interface TFilter extends TNodeBase {
  readonly kind: 'filter';
  readonly input: TNode;
  readonly predicate: TExpr;
}
export interface TMap extends TNodeBase {
  readonly kind: 'map';
  readonly input: TNode;
  readonly name: string;
  readonly expr: TExpr;
}
/** Keeps (and orders) columns; `drop` checks into this too. */
export interface TProject extends TNodeBase {
  readonly kind: 'project';
  readonly input: TNode;
}
export interface TAggregate {
  readonly name: string;
  readonly fn: AggregateFunction;
  readonly column: TColumn;
}
export interface TAgg extends TNodeBase {
  readonly kind: 'agg';
  readonly input: TNode;
  readonly groups: readonly TColumn[];
  readonly aggs: readonly TAggregate[];
}
export interface TLimit extends TNodeBase {
  readonly kind: 'limit';
  readonly input: TNode;
  readonly n: number;
}
/** One output column of a join: which side it comes from and its name there. */
export interface JoinOutput {
  readonly name: string;
  readonly side: 'left' | 'right';
  readonly source: string;
}
export interface TJoin extends TNodeBase {
  readonly kind: 'join';
  readonly left: TNode;
  readonly right: TNode;
  readonly how: JoinHow;
  readonly leftOn: readonly string[];
  readonly rightOn: readonly string[];
  readonly outputs: readonly JoinOutput[];
}
export interface TUnion extends TNodeBase {
  readonly kind: 'union';
  readonly inputs: readonly TNode[];
}

export type TNode = TSource | TFilter | TMap | TProject | TAgg | TLimit | TJoin | TUnion;

/** The inputs of an operator, left to right. */
export function inputsOf(n: TNode): readonly TNode[] {
  switch (n.kind) {
    case 'source':
      return [];
    case 'join':
      return [n.left, n.right];
    case 'union':
      return n.inputs;
    default:
      return [n.input];
  }
}

export interface TDisplay {
  readonly name: string;
  readonly node: TNode;
  readonly loc: Loc;
}

export interface TExport {
  readonly node: TNode;
  readonly spec: ExportSpec;
  readonly loc: Loc;
}

export interface TypedPlan {
  readonly displays: readonly TDisplay[];
  readonly exports: readonly TExport[];
}
