import { quantilesJsonSql } from '../functions/quantiles';
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
export function compileExpr(e: TExpr, layer: Layer, params: Params): CompiledExpr {
  const ctx: EmitContext = {
    param: (value, type) => params.add(value, type),
    lookup: (view, keySql) => layer.lookup(view, keySql),
    asValue: (arg) => (arg.repr === 'quantiles' ? quantilesJsonSql(arg.sql) : arg.sql),
  };
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
        if (a.kind === 'literal') return lazyLiteral(a, params);
        const compiled = visit(a);
        if (compiled.repr && c.fn.reprArgs)
          return { ...base, sql: compiled.sql, repr: compiled.repr };
        return {
          ...base,
          sql: compiled.repr ? ctx.asValue({ ...base, ...compiled }) : compiled.sql,
        };
      });
      const sql = c.fn.sql(args, ctx);
      return c.fn.repr ? { sql, repr: c.fn.repr } : { sql };
    },
    ctx: (c: TCtx) => ({ sql: c.def.sql(visit(c.upid).sql, ctx) }),
    script_ref: (s: TScriptRef) => {
      const label = visit(s.label);
      return { sql: label.repr ? quantilesJsonSql(label.sql) : label.sql };
    },
  };
  return visit(e);
}

/**
 * A literal argument whose parameter is bound only if the emitter uses its SQL: an emitter may
 * read the value alone (a JSON key turned into a list index), and DuckDB refuses unused
 * parameters.
 */
function lazyLiteral(l: TLiteral, params: Params): SqlArg {
  let sql: string | undefined;
  return {
    type: l.type,
    semanticType: l.semanticType,
    literal: l.value,
    get sql() {
      sql ??= params.add(l.value, l.type);
      return sql;
    },
  };
}
