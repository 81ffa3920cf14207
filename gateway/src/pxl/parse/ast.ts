import { Loc } from '../errors';

/**
 * The syntax tree of a PxL script: the Python subset PxL accepts, as immutable `kind`-tagged
 * nodes. Every node carries the location it starts at, for error messages.
 */

export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '&' | '|' | '^';
export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
export type UnaryOperator = '-' | '+' | 'not' | '~';

export interface NameExpr {
  readonly kind: 'name';
  readonly id: string;
  readonly loc: Loc;
}
export interface IntExpr {
  readonly kind: 'int';
  readonly value: bigint;
  readonly loc: Loc;
}
export interface FloatExpr {
  readonly kind: 'float';
  readonly value: number;
  readonly loc: Loc;
}
export interface StringExpr {
  readonly kind: 'string';
  readonly value: string;
  readonly loc: Loc;
}
export interface BoolExpr {
  readonly kind: 'bool';
  readonly value: boolean;
  readonly loc: Loc;
}
export interface NoneExpr {
  readonly kind: 'none';
  readonly loc: Loc;
}
export interface ListExpr {
  readonly kind: 'list' | 'tuple';
  readonly items: readonly Expr[];
  readonly loc: Loc;
}
export interface DictExpr {
  readonly kind: 'dict';
  readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
  readonly loc: Loc;
}
export interface AttributeExpr {
  readonly kind: 'attribute';
  readonly object: Expr;
  readonly name: string;
  readonly loc: Loc;
}
export interface SubscriptExpr {
  readonly kind: 'subscript';
  readonly object: Expr;
  /** `df['a', 'b']` arrives as a tuple index. */
  readonly index: Expr;
  readonly loc: Loc;
}
export interface KeywordArg {
  readonly name: string;
  readonly value: Expr;
  readonly loc: Loc;
}
export interface CallExpr {
  readonly kind: 'call';
  readonly callee: Expr;
  readonly args: readonly Expr[];
  readonly kwargs: readonly KeywordArg[];
  readonly loc: Loc;
}
export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
  readonly loc: Loc;
}
export interface CompareExpr {
  readonly kind: 'compare';
  readonly op: CompareOperator;
  readonly left: Expr;
  readonly right: Expr;
  readonly loc: Loc;
}
export interface BoolOpExpr {
  readonly kind: 'boolop';
  readonly op: 'and' | 'or';
  readonly left: Expr;
  readonly right: Expr;
  readonly loc: Loc;
}
export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: UnaryOperator;
  readonly operand: Expr;
  readonly loc: Loc;
}

export type Expr =
  | NameExpr
  | IntExpr
  | FloatExpr
  | StringExpr
  | BoolExpr
  | NoneExpr
  | ListExpr
  | DictExpr
  | AttributeExpr
  | SubscriptExpr
  | CallExpr
  | BinaryExpr
  | CompareExpr
  | BoolOpExpr
  | UnaryExpr;

export interface ImportStmt {
  readonly kind: 'import';
  readonly module: string;
  readonly alias: string;
  readonly loc: Loc;
}
export interface AssignStmt {
  readonly kind: 'assign';
  /** A name, `obj.attr` or `obj[key]`. */
  readonly target: NameExpr | AttributeExpr | SubscriptExpr;
  readonly value: Expr;
  readonly loc: Loc;
}
export interface ExprStmt {
  readonly kind: 'expr';
  readonly value: Expr;
  readonly loc: Loc;
}
export interface Param {
  readonly name: string;
  /** The annotation as written, e.g. `str`, `px.Service`. */
  readonly annotation: string | undefined;
  readonly default: Expr | undefined;
  readonly loc: Loc;
}
export interface FunctionDef {
  readonly kind: 'def';
  readonly name: string;
  readonly params: readonly Param[];
  readonly doc: string | undefined;
  readonly body: readonly Stmt[];
  readonly loc: Loc;
}
export interface ReturnStmt {
  readonly kind: 'return';
  readonly value: Expr | undefined;
  readonly loc: Loc;
}
export interface PassStmt {
  readonly kind: 'pass';
  readonly loc: Loc;
}

export type Stmt = ImportStmt | AssignStmt | ExprStmt | FunctionDef | ReturnStmt | PassStmt;

/** A `#px:set name=value` line. */
export interface Pragma {
  readonly name: string;
  readonly value: string;
  readonly loc: Loc;
}

export interface Module {
  readonly doc: string | undefined;
  readonly body: readonly Stmt[];
  readonly pragmas: readonly Pragma[];
}
