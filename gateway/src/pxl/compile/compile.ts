import { quoteIdent } from '../../store/sql';
import { DataType, SEQ_COLUMN, TIME_COLUMN } from '../../../../shared/contract/types';
import { BOUNDS, boundError } from '../bounds';
import { Loc } from '../errors';
import { EmitContext } from '../functions/types';
import { QuantileSlot, valueSql } from '../functions/quantiles';
import {
  TAgg,
  TExpr,
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
import { compileExpr, inlinedLength } from './expr';
import { Aliases, Layer, LayerColumn } from './layer';
import { ParamValue, Params } from './params';
import { sharedOperators } from './shared';

/**
 * Rows with `after < _seq <= upTo`, and when `runs` is given, only those within one of its runs
 * (first to last inclusive): a partition's rows in a cluster's export.
 */
export interface SeqRangeOption {
  readonly after: number;
  readonly upTo: number;
  readonly runs?: readonly (readonly [first: number, last: number])[];
}

/** Options that shape every statement of a run. */
export interface CompileOptions {
  /** Nanoseconds since the epoch; metadata of tables without `time_` resolves at this time. */
  readonly now: bigint;
  /** Only rows with `after < _seq <= upTo` (exporters' exactly-once cursor). */
  readonly seqRange?: SeqRangeOption;
  /** Results stop at this many rows plus one, so that going over can be told. */
  readonly maxRows?: number;
  /**
   * A shard's part of a query across gateways: table rows are ordered by `time_` first (then
   * `_seq`), the one order rows of several gateways share, and the statement also returns its
   * order columns (CompiledQuery.order), so that the gathering gateway can merge the answers.
   */
  readonly shardPart?: boolean;
}

/** One SQL statement and its bound parameters. */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly ParamValue[];
  /** The result's columns, in the statement's order. */
  readonly columns: readonly TypedColumn[];
  /**
   * Set when the statement names columns instead of inlining them (see MAX_INLINE_CHARS). It must
   * run without DuckDB's late materialization, which merges such layers back into one
   * projection for a small LIMIT: a chain of doublings then costs DuckDB 2^n per row.
   */
  readonly namesShared?: true;
  /**
   * With CompileOptions.shardPart: the columns that give the rows' order, leading first
   * (`time_`, then `_seq`, or `_seq` alone); those not shown are appended to `columns`.
   */
  readonly order?: readonly TypedColumn[];
}

/**
 * An expression inlines the SQL of the columns it reads (one SELECT keeps DuckDB's pushdowns)
 * until that adds more than this many characters: then the layer is closed first and the
 * expression names the columns. Chains that read a column twice (`df.c2 = df.c1 + df.c1`) so
 * grow linearly, not exponentially. Columns shorter than SHORT_CHARS (names, small expressions)
 * are not counted: closing the layer would not make them shorter.
 */
const MAX_INLINE_CHARS = 1_000;
const SHORT_CHARS = 64;

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
  const shared = sharedOperators(node);
  const ctes: string[] = [];
  const cteOf = new Map<TNode, { name: string; columns: LayerColumn[]; hiddenOrder: string[] }>();
  /** Characters of the common table expressions so far. */
  let cteChars = 0;

  const layerOver = (from: string, columns: LayerColumn[], nesting: number, loc: Loc) => {
    if (nesting > BOUNDS.queryNesting) {
      throw boundError(
        'queryNesting',
        `the table needs more than ${BOUNDS.queryNesting} SELECTs nested in one another`,
        'each filter or column after an aggregate, head() or merge nests one more',
        loc,
      );
    }
    return new Layer(from, columns, params, aliases, opts.now, nesting);
  };

  /** A new layer over a closed one (a subquery or a common table expression), by column names. */
  const reading = (
    from: string,
    alias: string,
    inner: { columns: readonly LayerColumn[]; hiddenOrder: readonly string[] },
    nesting: number,
    loc: Loc,
    asValues = false,
  ): Layer => {
    const outer = layerOver(
      `${from} AS ${alias}`,
      inner.columns.map((c) => {
        const col: LayerColumn = { ...c, sql: `${alias}.${quoteIdent(c.name)}` };
        if (asValues) delete (col as { repr?: unknown }).repr;
        return col;
      }),
      nesting,
      loc,
    );
    outer.orderBy = inner.hiddenOrder.map((h) => `${alias}.${quoteIdent(h)}`);
    return outer;
  };

  /** Renders a layer for another to read, hidden order columns included. */
  const close = (inner: Layer, loc: Loc, asValues = false) => {
    const rendered = inner.sql({ hidden: true, asValues });
    if (rendered.sql.length > BOUNDS.sqlChars) throw tooLong(loc);
    return rendered;
  };

  /** Closes a layer into a subquery and starts a new layer reading it. */
  const wrap = (inner: Layer, loc: Loc, asValues = false): Layer => {
    const { sql, hiddenOrder } = close(inner, loc, asValues);
    const alias = aliases.table();
    return reading(
      `(${sql})`,
      alias,
      { columns: inner.columns, hiddenOrder },
      inner.nesting + 1,
      loc,
      asValues,
    );
  };

  /**
   * An operator that several others read (a DataFrame merged or appended with itself, or
   * aggregated twice) is compiled once, as a materialized common table expression: unfolding
   * it into each reader would double the SQL with each level of sharing, and DuckDB plans an
   * inlined CTE once per reference too.
   */
  const fromCte = (n: TNode): Layer => {
    let cte = cteOf.get(n);
    if (!cte) {
      const inner = compileNode(n);
      const { sql, hiddenOrder } = close(inner, n.loc);
      const name = quoteIdent(`s${ctes.length}`);
      ctes.push(`${name} AS MATERIALIZED (${sql})`);
      cteChars += sql.length;
      if (cteChars > BOUNDS.sqlChars) throw tooLong(n.loc);
      cte = { name, columns: inner.columns, hiddenOrder };
      cteOf.set(n, cte);
    }
    return reading(cte.name, aliases.table(), cte, 1, n.loc);
  };

  const emit = (layer: Layer): EmitContext => ({
    param: (value, type) => params.add(value, type),
    lookup: (view, key) => layer.lookup(view, key),
    asValue: valueSql,
    quantileSlot: newSlot,
  });

  const compileNode = (n: TNode): Layer => (visitor[n.kind] as (x: TNode) => Layer)(n);
  const visit = (n: TNode): Layer => (shared.has(n) ? fromCte(n) : compileNode(n));

  const expr = (e: TExpr, layer: Layer) => compileExpr(e, layer, emit(layer), params);

  /** Whether an expression would inline too much of its columns' SQL (see MAX_INLINE_CHARS). */
  let namesShared = false;
  const inlinesTooMuch = (e: TExpr, layer: Layer) => {
    const tooMuch =
      inlinedLength(e, (name) => {
        const length = layer.column(name).sql.length;
        return length > SHORT_CHARS ? length : 0;
      }) > MAX_INLINE_CHARS;
    namesShared ||= tooMuch;
    return tooMuch;
  };

  const visitor: NodeVisitor = {
    source: (n: TSource) => {
      const alias = aliases.table();
      const layer = layerOver(
        `${quoteIdent(n.table)} AS ${alias}`,
        n.relation.columns.map((c) => ({ ...c, sql: `${alias}.${quoteIdent(c.name)}` })),
        0,
        n.loc,
      );
      const time = `${alias}.${quoteIdent(TIME_COLUMN)}`;
      const seq = `${alias}.${quoteIdent(SEQ_COLUMN)}`;
      // An export run reads the rows ingested since the previous run, whatever their time_: a
      // late row (old time_, new _seq) must not fall outside the DataFrame's time bounds.
      if (!opts.seqRange) {
        if (n.start) layer.where.push(`${time} >= ${expr(n.start, layer).sql}`);
        if (n.end) layer.where.push(`${time} < ${expr(n.end, layer).sql}`);
      } else {
        layer.where.push(`${seq} > ${params.add(BigInt(opts.seqRange.after), 'INT64')}`);
        layer.where.push(`${seq} <= ${params.add(BigInt(opts.seqRange.upTo), 'INT64')}`);
        const runs = opts.seqRange.runs;
        if (runs) {
          // Runs are the gateway's own numbers (PartitionLog bounds how many), never script text.
          const within = runs.map(
            ([a, b]) =>
              `${seq} BETWEEN ${params.add(BigInt(a), 'INT64')} AND ${params.add(BigInt(b), 'INT64')}`,
          );
          layer.where.push(within.length > 0 ? `(${within.join(' OR ')})` : 'FALSE');
        }
      }
      layer.orderBy = opts.shardPart && n.hasTime ? [time, seq] : [seq];
      return layer;
    },
    filter: (n: TFilter) => {
      let layer = visit(n.input);
      if (layer.closed || inlinesTooMuch(n.predicate, layer)) layer = wrap(layer, n.loc);
      layer.where.push(expr(n.predicate, layer).sql);
      return layer;
    },
    map: (n: TMap) => {
      let layer = visit(n.input);
      if (layer.groupBy !== undefined || inlinesTooMuch(n.expr, layer)) layer = wrap(layer, n.loc);
      const e = expr(n.expr, layer);
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
      if (layer.closed) layer = wrap(layer, n.loc);
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
      const left = wrap(visit(n.left), n.loc);
      const right = wrap(visit(n.right), n.loc);
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
      return layerOver(
        `${left.from} ${JOIN_SQL[n.how]} ${right.from} ON ${on}`,
        columns,
        Math.max(left.nesting, right.nesting),
        n.loc,
      );
    },
    union: (n: TUnion) => {
      let nesting = 0;
      let length = 0;
      const parts = n.inputs.map((i) => {
        const part = visit(i);
        nesting = Math.max(nesting, part.nesting + 2);
        const { sql } = part.sql({ asValues: true });
        length += sql.length;
        if (length > BOUNDS.sqlChars) throw tooLong(n.loc);
        return `SELECT * FROM (${sql})`;
      });
      const alias = aliases.table();
      return layerOver(
        `(${parts.join(' UNION ALL ')}) AS ${alias}`,
        n.relation.columns.map((c) => ({ ...c, sql: `${alias}.${quoteIdent(c.name)}` })),
        nesting,
        n.loc,
      );
    },
  };

  const layer = visit(node);
  const { sql: select, hiddenOrder } = layer.sql({
    final: true,
    asValues: true,
    ...(opts.shardPart ? { hidden: true } : {}),
    ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}),
  });
  const sql = ctes.length > 0 ? `WITH ${ctes.join(', ')} ${select}` : select;
  if (sql.length > BOUNDS.sqlChars) throw tooLong(node.loc);
  const finished = params.finish(sql);
  const order = opts.shardPart ? orderColumns(node, hiddenOrder) : undefined;
  const shown = new Set(node.relation.columns.map((c) => c.name));
  return {
    query: {
      sql: finished.sql,
      params: finished.values,
      columns: order
        ? [...node.relation.columns, ...order.filter((c) => !shown.has(c.name))]
        : node.relation.columns,
      ...(namesShared ? { namesShared: true as const } : {}),
      ...(order ? { order } : {}),
    },
    slots,
  };
}

/**
 * The typed order columns of a shard's part: the order is `time_, _seq` or `_seq` (see the
 * source visitor) for rows, or the group columns after an aggregate.
 */
function orderColumns(node: TNode, names: readonly string[]): TypedColumn[] {
  const byName = new Map(node.relation.columns.map((c) => [c.name, c]));
  const seq = names.length - 1;
  return names.map(
    (name, i) =>
      byName.get(name) ?? {
        name,
        type: i < seq ? 'TIME64NS' : 'INT64',
        semanticType: 'ST_NONE',
      },
  );
}

const valueOf = valueSql;

function tooLong(loc: Loc) {
  return boundError(
    'sqlChars',
    `the table's SQL is longer than ${BOUNDS.sqlChars} characters`,
    'fewer or smaller expressions, or a script per table',
    loc,
  );
}

/** Group columns are grouped by their values, so they lose any special representation. */
function stripRepr(groupCount: number) {
  return (c: LayerColumn, i: number): LayerColumn => {
    if (i >= groupCount || !c.repr) return c;
    const { repr: _repr, ...rest } = c;
    return rest;
  };
}
