import { DataType, SemanticType } from '../../../../shared/contract/types';
import { Loc } from '../errors';
import { ExportSpec, SpecValue } from '../export/spec';

/**
 * The plan a script evaluates to: immutable, `kind`-tagged operator nodes over column
 * expressions. Columns are referenced by name; the checker resolves them against each node's
 * input relation. Nothing here is typed yet: see check/typed.ts.
 */

/** A value known while planning: a literal with its PxL type and semantic type. */
export interface LiteralExpr {
  readonly kind: 'literal';
  readonly value: boolean | bigint | number | string;
  readonly type: DataType;
  readonly semanticType: SemanticType;
  readonly loc: Loc;
}
export interface ColumnExpr {
  readonly kind: 'column';
  readonly name: string;
  readonly loc: Loc;
}
/** A call of a px function from the registry (operators are calls too: `add`, `equal`, ...). */
export interface CallExpr {
  readonly kind: 'call';
  readonly fn: string;
  readonly args: readonly Expr[];
  /** The operator written in the script (`+`, `==`, ...) when the call stands for one. */
  readonly op?: string;
  /** The callee written in the script when it is not `px.<fn>` (a cast such as `px.Service`). */
  readonly callee?: string;
  readonly loc: Loc;
}
/** `df.ctx['key']`: metadata of the row's process (through its `upid`). */
export interface CtxExpr {
  readonly kind: 'ctx';
  readonly key: string;
  readonly loc: Loc;
}

/**
 * `px.script_reference(label, script, args)`: the label per row; the script and its arguments
 * (literals, or `{ column }` references to columns of the shown table) travel as column metadata.
 */
export interface ScriptRefExpr {
  readonly kind: 'script_ref';
  readonly label: Expr;
  readonly script: string;
  readonly args: Readonly<Record<string, SpecValue>>;
  readonly loc: Loc;
}

export type Expr = LiteralExpr | ColumnExpr | CallExpr | CtxExpr | ScriptRefExpr;

/** A bound of a table's time window: an expression of type TIME64NS or INT64 (nanoseconds). */
export type TimeBound = Expr;

export interface SourceNode {
  readonly kind: 'source';
  readonly table: string;
  readonly select: readonly string[] | undefined;
  readonly start: TimeBound | undefined;
  readonly end: TimeBound | undefined;
  readonly loc: Loc;
}
export interface FilterNode {
  readonly kind: 'filter';
  readonly input: PlanNode;
  readonly predicate: Expr;
  readonly loc: Loc;
}
/** Sets one column: replaces it in place when it exists, else appends it. */
export interface MapNode {
  readonly kind: 'map';
  readonly input: PlanNode;
  readonly name: string;
  readonly expr: Expr;
  readonly loc: Loc;
}
export interface ProjectNode {
  readonly kind: 'project';
  readonly input: PlanNode;
  readonly columns: readonly string[];
  readonly loc: Loc;
}
export interface DropNode {
  readonly kind: 'drop';
  readonly input: PlanNode;
  readonly columns: readonly string[];
  readonly loc: Loc;
}
export interface Aggregate {
  readonly name: string;
  readonly fn: string;
  readonly column: string;
  readonly loc: Loc;
}
/** Groups by `groups` (none: the whole table) and computes `aggs`; no aggs is a distinct. */
export interface AggNode {
  readonly kind: 'agg';
  readonly input: PlanNode;
  readonly groups: readonly string[];
  readonly aggs: readonly Aggregate[];
  readonly loc: Loc;
}
export interface LimitNode {
  readonly kind: 'limit';
  readonly input: PlanNode;
  readonly n: number;
  readonly loc: Loc;
}
export type JoinHow = 'inner' | 'left' | 'right' | 'outer';
export interface JoinNode {
  readonly kind: 'join';
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly how: JoinHow;
  readonly leftOn: readonly string[];
  readonly rightOn: readonly string[];
  readonly suffixes: readonly [string, string];
  readonly loc: Loc;
}
export interface UnionNode {
  readonly kind: 'union';
  readonly inputs: readonly PlanNode[];
  readonly loc: Loc;
}

export type PlanNode =
  | SourceNode
  | FilterNode
  | MapNode
  | ProjectNode
  | DropNode
  | AggNode
  | LimitNode
  | JoinNode
  | UnionNode;

/** A table the script shows: `px.display(df, name)`. */
export interface Display {
  readonly name: string;
  readonly node: PlanNode;
  readonly loc: Loc;
}

/** `px.export(df, spec)`: a table handed to an exporter with its spec. */
export interface ExportOutput {
  readonly node: PlanNode;
  readonly spec: ExportSpec;
  /** The columns the spec names, checked against the exported table. */
  readonly columns: readonly { readonly name: string; readonly loc: Loc }[];
  readonly loc: Loc;
}

/** What a script evaluates to. */
export interface Plan {
  readonly displays: readonly Display[];
  readonly exports: readonly ExportOutput[];
  /** Every DataFrame the script built, shown or not: all are checked. */
  readonly frames: readonly PlanNode[];
}
