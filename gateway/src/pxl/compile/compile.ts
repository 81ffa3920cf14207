import { quoteIdent } from '../../store/sql';
import { DataType, SEQ_COLUMN, TIME_COLUMN } from '../../store/types';
import { PxlError } from '../errors';
import { EmitContext } from '../functions/types';
import { QuantileSlot, valueSql } from '../functions/quantiles';
import {
  TAgg,
  TFilter,
  TJoin,
  TLimit,
  TMap,
  TNode,
  TProject,
  TSource,
  TUnion,
  TypedColumn,
} from '../check/typed';
import { compileExpr } from './expr';
import { Aliases, Layer, LayerColumn } from './layer';
import { ParamValue, Params } from './params';

/** Options that shape every statement of a run. */
export interface CompileOptions {
  /** Nanoseconds since the epoch; metadata of tables without `time_` resolves at this time. */
  readonly now: bigint;
  /** Only rows with `after < _seq <= upTo` (exporters' exactly-once cursor). */
  readonly seqRange?: { readonly after: number; readonly upTo: number };
  /** Results stop at this many rows plus one, so that going over can be told. */
  readonly maxRows?: number;
}

/** One SQL statement and its bound parameters. */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly ParamValue[];
  /** The result's columns, in the statement's order. */
  readonly columns: readonly TypedColumn[];
}

/** Plans larger than this many operators (after sharing is unfolded) are refused. */
const MAX_PLAN_NODES = 5_000;

/** One handler per plan node kind; a new kind does not compile until it is handled here. */
type NodeVisitor = { [K in TNode['kind']]: (n: Extract<TNode, { kind: K }>) => Layer };

const ZERO: Readonly<Record<DataType, string>> = {
  BOOLEAN: 'false',
  INT64: 'CAST(0 AS BIGINT)',
  TIME64NS: 'CAST(0 AS BIGINT)',
  FLOAT64: 'CAST(0 AS DOUBLE)',
  STRING: "''",
  UINT128: 'CAST(0 AS UHUGEINT)',
};

const JOIN_SQL = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', outer: 'FULL JOIN' };

/**
 * Compiles the plan of one output table to a single DuckDB statement. Identifiers pass
 * quoteIdent and values are bound parameters; the statement keeps one SELECT where SQL allows
 * and orders rows as the plan defines them (ingest order, or by group).
 */
export function compileTable(node: TNode, opts: CompileOptions): CompiledQuery {
  const first = compileOnce(node, opts, undefined);
  if (first.slots.length === 0) return first.query;
  return compileOnce(
    node,
    opts,
    first.slots.map((s) => s.needed()),
  ).query;
}

/**
 * One compilation; `quantiles` says which quantiles each `px.quantiles` aggregate computes
 * (by its order in the statement), every one when undefined.
 */
function compileOnce(
  node: TNode,
  opts: CompileOptions,
  quantiles: readonly (readonly string[])[] | undefined,
): { query: CompiledQuery; slots: QuantileSlot[] } {
  const params = new Params();
  const slots: QuantileSlot[] = [];
  const newSlot = () => {
    const slot = new QuantileSlot(quantiles?.[slots.length]);
    slots.push(slot);
    return slot;
  };
  const aliases = new Aliases();
  let visits = 0;

  const layerOver = (from: string, columns: LayerColumn[]) =>
    new Layer(from, columns, params, aliases, opts.now);

  /** Closes a layer into a subquery and starts a new layer reading it. */
  const wrap = (inner: Layer, asValues = false): Layer => {
    const { sql, hiddenOrder } = inner.sql({ hidden: true, asValues });
    const alias = aliases.table();
    const outer = layerOver(
      `(${sql}) AS ${alias}`,
      inner.columns.map((c) => {
        const col: LayerColumn = { ...c, sql: `${alias}.${quoteIdent(c.name)}` };
        if (asValues) delete (col as { repr?: unknown }).repr;
        return col;
      }),
    );
    outer.orderBy = hiddenOrder.map((h) => `${alias}.${quoteIdent(h)}`);
    return outer;
  };

  const emit = (layer: Layer): EmitContext => ({
    param: (value, type) => params.add(value, type),
    lookup: (view, key) => layer.lookup(view, key),
    asValue: valueSql,
    quantileSlot: newSlot,
  });

  const visit = (n: TNode): Layer => {
    if (++visits > MAX_PLAN_NODES) {
      throw new PxlError(
        `the plan has more than ${MAX_PLAN_NODES} operators once shared parts are unfolded`,
      );
    }
    return (visitor[n.kind] as (x: TNode) => Layer)(n);
  };

  const visitor: NodeVisitor = {
    source: (n: TSource) => {
      const alias = aliases.table();
      const layer = layerOver(
        `${quoteIdent(n.table)} AS ${alias}`,
        n.relation.columns.map((c) => ({ ...c, sql: `${alias}.${quoteIdent(c.name)}` })),
      );
      const time = `${alias}.${quoteIdent(TIME_COLUMN)}`;
      const seq = `${alias}.${quoteIdent(SEQ_COLUMN)}`;
      // An export run reads the rows ingested since the previous run, whatever their time_: a
      // late row (old time_, new _seq) must not fall outside the DataFrame's time bounds.
      if (!opts.seqRange) {
        const at = emit(layer);
        if (n.start) layer.where.push(`${time} >= ${compileExpr(n.start, layer, at, params).sql}`);
        if (n.end) layer.where.push(`${time} < ${compileExpr(n.end, layer, at, params).sql}`);
      } else {
        layer.where.push(`${seq} > ${params.add(BigInt(opts.seqRange.after), 'INT64')}`);
        layer.where.push(`${seq} <= ${params.add(BigInt(opts.seqRange.upTo), 'INT64')}`);
      }
      layer.orderBy = [seq];
      return layer;
    },
    filter: (n: TFilter) => {
      let layer = visit(n.input);
      if (layer.closed) layer = wrap(layer);
      layer.where.push(compileExpr(n.predicate, layer, emit(layer), params).sql);
      return layer;
    },
    map: (n: TMap) => {
      let layer = visit(n.input);
      if (layer.groupBy !== undefined) layer = wrap(layer);
      const e = compileExpr(n.expr, layer, emit(layer), params);
      // The checked relation places the column (replaced in place, or appended).
      layer.columns = n.relation.columns.map((c) =>
        c.name === n.name
          ? { ...c, sql: e.sql, ...(e.repr ? { repr: e.repr } : {}) }
          : layer.column(c.name),
      );
      return layer;
    },
    project: (n: TProject) => {
      const layer = visit(n.input);
      layer.columns = n.relation.columns.map((c) => ({ ...layer.column(c.name), ...c }));
      return layer;
    },
    agg: (n: TAgg) => {
      let layer = visit(n.input);
      if (layer.closed) layer = wrap(layer);
      const groups = n.groups.map((g) => layer.column(g.name));
      const ctx = emit(layer);
      const aggs: LayerColumn[] = n.aggs.map((a, i) => {
        const input = layer.column(a.column.name);
        const arg = {
          sql: ctx.asValue(input),
          type: a.column.type,
          semanticType: a.column.semanticType,
        };
        const out = n.relation.columns[groups.length + i]!;
        const compiled = a.fn.sql(arg, ctx);
        return typeof compiled === 'string' ? { ...out, sql: compiled } : { ...out, ...compiled };
      });
      layer.groupBy = groups.map((g) => valueOf(g));
      layer.columns = [...groups.map((g) => ({ ...g, sql: valueOf(g) })), ...aggs].map(
        stripRepr(groups.length),
      );
      layer.orderBy = [...layer.groupBy];
      return layer;
    },
    limit: (n: TLimit) => {
      const layer = visit(n.input);
      layer.limit = Math.min(layer.limit ?? Infinity, n.n);
      return layer;
    },
    join: (n: TJoin) => {
      const left = wrap(visit(n.left));
      const right = wrap(visit(n.right));
      const on = n.leftOn
        .map((k, i) => `${left.column(k).sql} = ${right.column(n.rightOn[i]!).sql}`)
        .join(' AND ');
      const fillLeft = n.how === 'right' || n.how === 'outer';
      const fillRight = n.how === 'left' || n.how === 'outer';
      const columns = n.outputs.map((o, i) => {
        const src = (o.side === 'left' ? left : right).column(o.source);
        const fill = o.side === 'left' ? fillLeft : fillRight;
        const sql = fill ? `COALESCE(${valueOf(src)}, ${ZERO[src.type]})` : src.sql;
        const rel = n.relation.columns[i]!;
        return { ...rel, sql, ...(src.repr && !fill ? { repr: src.repr } : {}) };
      });
      return layerOver(`${left.from} ${JOIN_SQL[n.how]} ${right.from} ON ${on}`, columns);
    },
    union: (n: TUnion) => {
      const parts = n.inputs.map((i) => `SELECT * FROM (${visit(i).sql({ asValues: true }).sql})`);
      const alias = aliases.table();
      return layerOver(
        `(${parts.join(' UNION ALL ')}) AS ${alias}`,
        n.relation.columns.map((c) => ({ ...c, sql: `${alias}.${quoteIdent(c.name)}` })),
      );
    },
  };

  const layer = visit(node);
  const { sql } = layer.sql({
    final: true,
    asValues: true,
    ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}),
  });
  const finished = params.finish(sql);
  return {
    query: { sql: finished.sql, params: finished.values, columns: node.relation.columns },
    slots,
  };
}

const valueOf = valueSql;

/** Group columns are grouped by their values, so they lose any special representation. */
function stripRepr(groupCount: number) {
  return (c: LayerColumn, i: number): LayerColumn => {
    if (i >= groupCount || !c.repr) return c;
    const { repr: _repr, ...rest } = c;
    return rest;
  };
}
