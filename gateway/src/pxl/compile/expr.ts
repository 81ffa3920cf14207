import { BOUNDS, boundError } from '../bounds';
import { valueSql } from '../functions/quantiles';
import { EmitContext, SqlArg, SqlRepr } from '../functions/types';
import { TCall, TColumn, TCtx, TExpr, TLiteral, TScriptRef } from '../check/typed';
import { Layer } from './layer';
import { Params } from './params';

/** A compiled expression: SQL over a layer, and how it is represented. */
export interface CompiledExpr {
  readonly sql: string;
  readonly repr?: SqlRepr;
}

/** One handler per expression kind; a new kind does not compile until it is handled here. */
type ExprVisitor = { [K in TExpr['kind']]: (e: Extract<TExpr, { kind: K }>) => CompiledExpr };

/** Compiles typed expressions against a layer's columns. */
export function compileExpr(
  e: TExpr,
  layer: Layer,
  ctx: EmitContext,
  params: Params,
): CompiledExpr {
  const visit = (x: TExpr): CompiledExpr => (visitor[x.kind] as (n: TExpr) => CompiledExpr)(x);
  const visitor: ExprVisitor = {
    literal: (l: TLiteral) => ({ sql: params.add(l.value, l.type) }),
    column: (c: TColumn) => {
      const col = layer.column(c.name);
      return col.repr ? { sql: col.sql, repr: col.repr } : { sql: col.sql };
    },
    call: (c: TCall) => {
      const args: SqlArg[] = c.args.map((a) => {
        const base = { type: a.type, semanticType: a.semanticType };
        // An emitter may read a literal's value alone (a JSON key turned into a list index);
        // Params.finish drops the parameter then, as DuckDB refuses unused ones.
        if (a.kind === 'literal') return { ...base, literal: a.value, sql: visit(a).sql };
        const compiled = visit(a);
        if (compiled.repr && c.fn.reprArgs)
          return { ...base, sql: compiled.sql, repr: compiled.repr };
        return {
          ...base,
          sql: compiled.repr ? ctx.asValue({ ...base, ...compiled }) : compiled.sql,
        };
      });
      const sql = c.fn.sql(args, ctx);
      // Some functions use an argument twice (px.bin), so nesting them doubles the text.
      if (sql.length > BOUNDS.sqlChars) {
        throw boundError(
          'sqlChars',
          `the expression's SQL is longer than ${BOUNDS.sqlChars} characters`,
          'assign parts of it to columns of their own',
          c.loc,
        );
      }
      return { sql };
    },
    ctx: (c: TCtx) => {
      const key = visit(c.via.column).sql;
      return { sql: c.via.kind === 'upid' ? c.def.sql(key, ctx) : c.def.fromPod!(key, ctx) };
    },
    script_ref: (s: TScriptRef) => {
      const label = visit(s.label);
      return { sql: valueSql(label) };
    },
  };
  return visit(e);
}

/**
 * The characters of column SQL an expression inlines: `columnLength` of each column it reads,
 * once per reference (metadata keys included).
 */
export function inlinedLength(e: TExpr, columnLength: (name: string) => number): number {
  switch (e.kind) {
    case 'literal':
      return 0;
    case 'column':
      return columnLength(e.name);
    case 'call':
      return e.args.reduce((n, a) => n + inlinedLength(a, columnLength), 0);
    case 'ctx':
      return columnLength(e.via.column.name);
    case 'script_ref':
      return inlinedLength(e.label, columnLength);
  }
}
