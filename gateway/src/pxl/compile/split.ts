import { quoteIdent } from '../../store/sql';
import { timeColumnIndex } from '../../../../shared/contract/types';
import { TAgg, TAggregate, TNode, TSource, TypedColumn, inputsOf } from '../check/typed';
import { PARTIAL_FORMS } from '../functions/partials';
import { AggregateFunction } from '../functions/types';
import { CompileOptions, CompiledQuery, compileTable } from './compile';

/**
 * A query across gateways: each shard runs the parts of a table over its own rows, and the
 * gathering gateway loads every shard's answer of part k into `rawTable(t, k)`, runs
 * `gathers[k]` to make `gatherTable(t, k)` of it, then runs `final` over the gathered tables.
 */
export interface DistributedTable {
  readonly parts: readonly ShardPart[];
  readonly gathers: readonly string[];
  readonly final: CompiledQuery;
}

/**
 * A part a shard computes: the rows of a chain of row operators over a table (filters,
 * columns, projections, and a head() over them), or the partial aggregate of a groupby().agg()
 * over such a chain. Its answer's columns are `query.columns` with each value's null flag.
 */
export interface ShardPart {
  readonly kind: 'rows' | 'partial';
  readonly query: CompiledQuery;
  /** The answer's columns that hold px.quantiles sketches, to check as they arrive. */
  readonly sketches: readonly number[];
}

/** The temporary table a shard's answers of part `k` of table `t` are loaded into. */
export function rawTable(t: number, k: number): string {
  return `_pxl_shard_${t}_${k}`;
}

/** The temporary table the final statement reads in place of part `k` of table `t`. */
export function gatherTable(t: number, k: number): string {
  return `_pxl_gather_${t}_${k}`;
}

/** The column of a raw table that holds value `i` of a shard's answer, and its null flag. */
export const valueColumn = (i: number) => `c${i}`;
export const nullColumn = (i: number) => `n${i}`;

/** The name of the partial aggregate that sketches px.quantiles. */
const SKETCH_PART = 'quantiles_sketch';

/** Whether an operator is a chain of row-by-row operators over a table. */
function isRowChain(n: TNode): boolean {
  for (let x: TNode = n; ; x = x.input) {
    if (x.kind === 'source') return true;
    if (x.kind !== 'filter' && x.kind !== 'map' && x.kind !== 'project') return false;
  }
}

/** Whether an aggregate can be computed as shards' partial aggregates merged (partials.ts). */
function pushable(n: TNode): n is TAgg {
  return n.kind === 'agg' && isRowChain(n.input) && n.aggs.every((a) => a.fn.name in PARTIAL_FORMS);
}

/**
 * Splits the plan of one output table (number `t` of the script) into shards' parts and what
 * the gathering gateway does with them. Row chains, and head() over one, run on the shards;
 * a groupby().agg() over a row chain (or an append of row chains) whose aggregates all have a
 * partial form is pushed down as a partial aggregate; everything else (merges, appends, aggregates over those, heads and
 * the operators after them) runs after the gather.
 */
export function splitTable(root: TNode, t: number, opts: CompileOptions): DistributedTable {
  const { seqRange: _seqRange, ...finalOpts } = opts;
  // A part is an intermediate: the output row limit is the final table's, and holds a part
  // only where the final table is the part's rows themselves (a row chain, or a head of one),
  // so that a part never carries more rows than the final table could show. Elsewhere a part
  // is bounded by the shard's memory cap and reply size and by the run's deadline.
  const { maxRows: _maxRows, ...partOpts } = opts;
  const plainRows = isRowChain(root) || (root.kind === 'limit' && isRowChain(root.input));
  const shardOpts: CompileOptions = { ...(plainRows ? opts : partOpts), shardPart: true };
  const parts: ShardPart[] = [];
  const gathers: string[] = [];
  const rewritten = new Map<TNode, TNode>();

  /** The gathered table of the last part, read in place of `n`. */
  const gathered = (n: TNode): TSource => ({
    kind: 'source',
    table: gatherTable(t, parts.length - 1),
    hasTime: timeColumnIndex(n.relation) >= 0,
    start: undefined,
    end: undefined,
    relation: n.relation,
    loc: n.loc,
  });

  const rowsPart = (n: TNode): TSource => {
    const query = compileTable(n, shardOpts);
    parts.push({ kind: 'rows', query, sketches: [] });
    const k = parts.length - 1;
    gathers.push(rowsGather(t, k, query, n.relation.columns.length));
    return gathered(n);
  };

  const partialPart = (n: TAgg): TSource => {
    const { node, groups } = partialAgg(n);
    const query = compileTable(node, partOpts);
    const sketches = node.aggs.flatMap((a, i) => (a.fn.name === SKETCH_PART ? [groups + i] : []));
    parts.push({ kind: 'partial', query, sketches });
    const k = parts.length - 1;
    gathers.push(partialGather(t, k, n, query, groups));
    return gathered(n);
  };

  const rewrite = (n: TNode): TNode => {
    let out = rewritten.get(n);
    if (out) return out;
    if (isRowChain(n)) out = rowsPart(n);
    else if (n.kind === 'limit' && isRowChain(n.input)) out = { ...n, input: rowsPart(n) };
    else if (pushable(n)) out = partialPart(n);
    else out = withInputs(n, rewrite);
    rewritten.set(n, out);
    return out;
  };

  const final = compileTable(rewrite(root), finalOpts);
  return { parts, gathers, final };
}

/** The operator with its inputs rewritten. */
function withInputs(n: TNode, f: (x: TNode) => TNode): TNode {
  switch (n.kind) {
    case 'source':
      return n;
    case 'join':
      return { ...n, left: f(n.left), right: f(n.right) };
    case 'union':
      return { ...n, inputs: inputsOf(n).map(f) };
    default:
      return { ...n, input: f(n.input) };
  }
}

/** A value of a raw table, NULL where its shard sent a null. */
function value(i: number): string {
  return `CASE WHEN ${quoteIdent(nullColumn(i))} THEN NULL ELSE ${quoteIdent(valueColumn(i))} END`;
}

/**
 * The gathered rows of a rows part: the shards' rows in time_ order (then shard by shard, in
 * each shard's order), numbered as `_seq` for the final statement's row order.
 */
function rowsGather(t: number, k: number, query: CompiledQuery, shown: number): string {
  const index = (name: string) => query.columns.findIndex((c) => c.name === name);
  const order = (query.order ?? [])
    .slice(0, -1)
    .map((c) => quoteIdent(valueColumn(index(c.name))))
    .concat('"_seq"');
  const columns = query.columns
    .slice(0, shown)
    .map((c, i) => `${value(i)} AS ${quoteIdent(c.name)}`);
  return (
    `CREATE TEMP TABLE ${quoteIdent(gatherTable(t, k))} AS SELECT ${columns.join(', ')}, ` +
    `row_number() OVER (ORDER BY ${order.join(', ')}) AS "_seq" FROM ${quoteIdent(rawTable(t, k))}`
  );
}

/** Where each aggregate's part columns are in the partial aggregate's answer. */
interface PartialLayout {
  readonly node: TAgg;
  readonly groups: number;
}

/** The shards' partial aggregate of an aggregate: the groups, then each aggregate's parts. */
function partialAgg(n: TAgg): PartialLayout {
  const aggs: TAggregate[] = [];
  const columns: TypedColumn[] = n.relation.columns.slice(0, n.groups.length);
  n.aggs.forEach((a, i) => {
    const form = PARTIAL_FORMS[a.fn.name]!;
    const probe = { sql: '', type: a.column.type, semanticType: a.column.semanticType };
    form.parts(probe).forEach((p, j) => {
      const name = `_p${i}_${j}`;
      const fn: AggregateFunction = {
        kind: 'aggregate',
        name: a.fn.name === 'quantiles' ? SKETCH_PART : `${a.fn.name}_part${j}`,
        doc: '',
        signatures: [],
        sql: (arg) => form.parts(arg)[j]!.sql,
      };
      aggs.push({ name, fn, column: a.column });
      columns.push({ name, type: p.type, semanticType: 'ST_NONE' });
    });
  });
  return { node: { ...n, aggs, relation: { columns } }, groups: n.groups.length };
}

/**
 * The gathered groups of a partial part: the shards' rows of a group merged into one, the
 * aggregates merged from their parts, numbered in group order as the aggregate orders them.
 */
function partialGather(
  t: number,
  k: number,
  n: TAgg,
  query: CompiledQuery,
  groups: number,
): string {
  const r = (i: number) => `r.${quoteIdent(valueColumn(i))}`;
  const decoded = query.columns.map((_c, i) => `${value(i)} AS ${quoteIdent(valueColumn(i))}`);
  const groupSql = Array.from({ length: groups }, (_x, i) => r(i));
  const out = n.relation.columns;
  const select = groupSql.map((g, i) => `${g} AS ${quoteIdent(out[i]!.name)}`);
  let at = groups;
  n.aggs.forEach((a, i) => {
    const form = PARTIAL_FORMS[a.fn.name]!;
    const count = form.parts({ sql: '', type: a.column.type, semanticType: 'ST_NONE' }).length;
    const cols = Array.from({ length: count }, (_x, j) => r(at + j));
    at += count;
    const merged = form.merge(cols, { type: a.column.type });
    select.push(`${merged} AS ${quoteIdent(out[groups + i]!.name)}`);
  });
  const order = groupSql.length > 0 ? `ORDER BY ${groupSql.join(', ')}` : '';
  return (
    `CREATE TEMP TABLE ${quoteIdent(gatherTable(t, k))} AS SELECT ${select.join(', ')}, ` +
    `row_number() OVER (${order}) AS "_seq" FROM (SELECT ${decoded.join(', ')} ` +
    `FROM ${quoteIdent(rawTable(t, k))}) AS r` +
    (groupSql.length > 0 ? ` GROUP BY ${groupSql.join(', ')}` : '')
  );
}
