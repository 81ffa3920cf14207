import { DataType, TableSchema, timeColumnIndex } from '../../../../shared/contract/types';
import { BOUNDS, boundError } from '../bounds';
import { Loc, PxlError, didYouMean } from '../errors';
import { CTX_KEYS } from '../functions/metadata';
import { FUNCTIONS, resolveSignature } from '../functions/registry';
import { ArgInfo, Signature } from '../functions/types';
import * as P from '../plan/nodes';
import {
  JoinOutput,
  Relation,
  TColumn,
  TExpr,
  TNode,
  TypedColumn,
  TypedPlan,
  inputsOf,
} from './typed';

/** Where the checker finds table schemas (the store's registry). */
export interface SchemaSource {
  find(name: string): TableSchema | undefined;
  names(): string[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Checks a plan before anything runs: tables, columns and functions exist (errors name the
 * nearest name), types fit, and semantic types propagate. Returns the typed plan.
 */
export function check(plan: P.Plan, schemas: SchemaSource): TypedPlan {
  const checker = new Checker(schemas);
  for (const frame of plan.frames) checker.node(frame);
  const output = (n: P.PlanNode, loc: Loc) => {
    const node = checker.node(n);
    if (checker.unfolded(node) > BOUNDS.planOperators) {
      throw boundError(
        'planOperators',
        `the plan has more than ${BOUNDS.planOperators} operators once shared parts are unfolded`,
        'a DataFrame merged or appended with itself doubles its plan each time',
        loc,
      );
    }
    return node;
  };
  const displays = plan.displays.map((d) => ({
    name: d.name,
    node: output(d.node, d.loc),
    loc: d.loc,
  }));
  const exports = plan.exports.map((e) => {
    const node = output(e.node, e.loc);
    for (const c of e.columns) checker.column(node.relation, c.name, c.loc, 'the exported table');
    return { node, spec: e.spec, loc: e.loc };
  });
  return { displays, exports };
}

class Checker {
  private readonly memo = new Map<P.PlanNode, TNode>();
  /** Operators under each checked node with shared inputs counted each time (at most the bound + 1). */
  private readonly sizes = new Map<TNode, number>();
  /** Operations of the per-row expressions checked so far, shared parts unfolded. */
  private expressionNodes = 0;

  constructor(private readonly schemas: SchemaSource) {}

  node(n: P.PlanNode): TNode {
    let typed = this.memo.get(n);
    if (!typed) {
      if (this.memo.size >= BOUNDS.dataframeOps) {
        throw boundError(
          'dataframeOps',
          `the script builds more than ${BOUNDS.dataframeOps} DataFrame operations`,
          'split it into scripts of their own',
          n.loc,
        );
      }
      typed = this.check(n);
      if (typed.relation.columns.length > BOUNDS.columns) {
        throw boundError(
          'columns',
          `the DataFrame has more than ${BOUNDS.columns} columns`,
          'keep only the columns it needs',
          n.loc,
        );
      }
      this.memo.set(n, typed);
    }
    return typed;
  }

  /** The operators of a checked plan with every shared input unfolded, capped past the bound. */
  unfolded(n: TNode): number {
    let size = this.sizes.get(n);
    if (size === undefined) {
      size = 1;
      for (const input of inputsOf(n)) size += this.unfolded(input);
      size = Math.min(size, BOUNDS.planOperators + 1);
      this.sizes.set(n, size);
    }
    return size;
  }

  /** The column `name` of a relation, or a located error naming the nearest names. */
  column(rel: Relation, name: string, loc: Loc, where: string): TypedColumn {
    const col = rel.columns.find((c) => c.name === name);
    if (!col) {
      const names = rel.columns.map((c) => c.name);
      throw new PxlError(
        `column "${name}" is not in ${where}${didYouMean(name, names)}; it has: ${names.join(', ')}`,
        loc,
      );
    }
    return col;
  }

  /** The column `name` read in an expression written at `loc`. */
  private columnRef(rel: Relation, name: string, loc: Loc, where: string): TColumn {
    return { kind: 'column', ...this.column(rel, name, loc, where), loc };
  }

  private check(n: P.PlanNode): TNode {
    switch (n.kind) {
      case 'source':
        return this.source(n);
      case 'filter': {
        const input = this.node(n.input);
        const predicate = this.expr(n.predicate, input.relation);
        if (predicate.type !== 'BOOLEAN') {
          throw new PxlError(
            `a filter needs a BOOLEAN condition, not ${predicate.type}`,
            n.predicate.loc,
          );
        }
        return { kind: 'filter', input, predicate, relation: input.relation, loc: n.loc };
      }
      case 'map': {
        const input = this.node(n.input);
        const expr = this.expr(n.expr, input.relation);
        const col: TypedColumn = {
          name: n.name,
          type: expr.type,
          semanticType: expr.semanticType,
          ...(reference(expr) ? { scriptReference: reference(expr)! } : {}),
        };
        const cols = input.relation.columns;
        const at = cols.findIndex((c) => c.name === n.name);
        const columns = at < 0 ? [...cols, col] : cols.map((c, i) => (i === at ? col : c));
        return { kind: 'map', input, name: n.name, expr, relation: { columns }, loc: n.loc };
      }
      case 'project': {
        const input = this.node(n.input);
        const seen = new Set<string>();
        const columns = n.columns.map((name) => {
          if (seen.has(name)) throw new PxlError(`column "${name}" is selected twice`, n.loc);
          seen.add(name);
          return this.column(input.relation, name, n.loc, 'the DataFrame');
        });
        return { kind: 'project', input, relation: { columns }, loc: n.loc };
      }
      case 'drop': {
        const input = this.node(n.input);
        for (const name of n.columns) this.column(input.relation, name, n.loc, 'the DataFrame');
        const columns = input.relation.columns.filter((c) => !n.columns.includes(c.name));
        return { kind: 'project', input, relation: { columns }, loc: n.loc };
      }
      case 'agg':
        return this.agg(n);
      case 'limit': {
        const input = this.node(n.input);
        return { kind: 'limit', input, n: n.n, relation: input.relation, loc: n.loc };
      }
      case 'join':
        return this.join(n);
      case 'union':
        return this.union(n);
    }
  }

  private source(n: P.SourceNode): TNode {
    const schema = this.schemas.find(n.table);
    if (!schema) {
      throw new PxlError(
        `table "${n.table}" does not exist${didYouMean(n.table, this.schemas.names())}; tables: ${this.schemas.names().join(', ')}`,
        n.loc,
      );
    }
    const all: Relation = {
      columns: schema.columns.map((c) => ({
        name: c.name,
        type: c.type,
        semanticType: c.semanticType,
      })),
    };
    const columns = n.select
      ? n.select.map((name) => {
          return this.column(all, name, n.loc, `table "${n.table}"`);
        })
      : all.columns;
    const hasTime = timeColumnIndex(schema) >= 0;
    const bound = (e: P.TimeBound | undefined, which: string) => {
      if (!e) return undefined;
      if (!hasTime) {
        throw new PxlError(
          `table "${n.table}" has no time_ column, so it takes no ${which}`,
          e.loc,
        );
      }
      const t = this.expr(e, { columns: [] });
      if (t.type !== 'TIME64NS' && t.type !== 'INT64') {
        throw new PxlError(`${which} must be a time, not ${t.type}`, e.loc);
      }
      return t;
    };
    return {
      kind: 'source',
      table: n.table,
      hasTime,
      start: bound(n.start, 'start_time'),
      end: bound(n.end, 'end_time'),
      relation: { columns },
      loc: n.loc,
    };
  }

  private agg(n: P.AggNode): TNode {
    const input = this.node(n.input);
    const groups = n.groups.map((g) =>
      this.columnRef(input.relation, g, n.loc, 'the grouped DataFrame'),
    );
    if (n.groups.length === 0 && n.aggs.length === 0) {
      throw new PxlError('agg() needs a group (groupby) or at least one aggregate', n.loc);
    }
    const names = new Set(n.groups);
    if (names.size !== n.groups.length) throw new PxlError('a column is grouped by twice', n.loc);
    const aggs = n.aggs.map((a) => {
      if (names.has(a.name)) {
        throw new PxlError(`the aggregate "${a.name}" has the name of a group column`, a.loc);
      }
      names.add(a.name);
      const fn = FUNCTIONS.get(a.fn);
      if (fn?.kind !== 'aggregate') throw new PxlError(`px.${a.fn} is not an aggregate`, a.loc);
      const column = this.columnRef(input.relation, a.column, a.loc, 'the grouped DataFrame');
      const sig = resolveSignature(fn.signatures, [column.type]);
      if (!sig) {
        throw new PxlError(
          `px.${a.fn} does not take ${column.type} (column "${a.column}"); it takes ${fn.signatures.map((s) => s.args[0]).join(', ')}`,
          a.loc,
        );
      }
      const out: TypedColumn = {
        name: a.name,
        type: sig.returns,
        semanticType: fn.semantic ? fn.semantic(column, sig.returns) : 'ST_NONE',
      };
      return { agg: { name: a.name, fn, column: { ...column, type: sig.args[0]! } }, out };
    });
    const columns: TypedColumn[] = [
      ...groups.map(({ kind: _kind, loc: _loc, ...g }) => g),
      ...aggs.map((a) => a.out),
    ];
    return {
      kind: 'agg',
      input,
      groups,
      aggs: aggs.map((a) => a.agg),
      relation: { columns },
      loc: n.loc,
    };
  }

  private join(n: P.JoinNode): TNode {
    const left = this.node(n.left);
    const right = this.node(n.right);
    n.leftOn.forEach((l, i) => {
      const lc = this.column(left.relation, l, n.loc, 'the left DataFrame of merge');
      const rc = this.column(right.relation, n.rightOn[i]!, n.loc, 'the right DataFrame of merge');
      if (lc.type !== rc.type) {
        throw new PxlError(
          `merge keys "${l}" (${lc.type}) and "${n.rightOn[i]}" (${rc.type}) have different types`,
          n.loc,
        );
      }
    });
    const leftNames = new Set(left.relation.columns.map((c) => c.name));
    const rightNames = new Set(right.relation.columns.map((c) => c.name));
    const outputs: JoinOutput[] = [];
    const columns: TypedColumn[] = [];
    const add = (c: TypedColumn, side: 'left' | 'right', other: Set<string>, suffix: string) => {
      const name = other.has(c.name) ? c.name + suffix : c.name;
      if (columns.some((x) => x.name === name)) {
        throw new PxlError(`merge makes two columns named "${name}"; choose other suffixes`, n.loc);
      }
      outputs.push({ name, side, source: c.name });
      columns.push({ ...c, name });
    };
    for (const c of left.relation.columns) add(c, 'left', rightNames, n.suffixes[0]);
    for (const c of right.relation.columns) add(c, 'right', leftNames, n.suffixes[1]);
    return {
      kind: 'join',
      left,
      right,
      how: n.how,
      leftOn: n.leftOn,
      rightOn: n.rightOn,
      outputs,
      relation: { columns },
      loc: n.loc,
    };
  }

  private union(n: P.UnionNode): TNode {
    const inputs = n.inputs.map((i) => this.node(i));
    const first = inputs[0]!.relation.columns;
    for (const other of inputs.slice(1)) {
      const cols = other.relation.columns;
      const same =
        cols.length === first.length &&
        cols.every((c, i) => c.name === first[i]!.name && c.type === first[i]!.type);
      if (!same) {
        throw new PxlError(
          `append() needs DataFrames with the same columns: (${describeColumns(first)}) and (${describeColumns(cols)})`,
          n.loc,
        );
      }
    }
    return { kind: 'union', inputs, relation: { columns: first }, loc: n.loc };
  }

  /** Checks one per-row expression against the relation it reads. */
  expr(e: P.Expr, rel: Relation): TExpr {
    return this.walk(e, rel, 1);
  }

  /**
   * One node of an expression at `depth`. Expressions are trees that may share parts (`e = e + e`
   * doubles one), so their size is counted with sharing unfolded, and checking stops at the bound.
   */
  private walk(e: P.Expr, rel: Relation, depth: number): TExpr {
    if (++this.expressionNodes > BOUNDS.expressionSize) {
      throw boundError(
        'expressionSize',
        `the script's per-row expressions have more than ${BOUNDS.expressionSize} operations once shared parts are unfolded`,
        'an expression that reuses itself (e = e + e) doubles each time; assign such parts to columns',
        e.loc,
      );
    }
    if (depth > BOUNDS.expressionDepth) {
      throw boundError(
        'expressionDepth',
        `the expression nests more than ${BOUNDS.expressionDepth} operations deep`,
        'assign parts of it to columns of their own',
        e.loc,
      );
    }
    switch (e.kind) {
      case 'literal': {
        if (typeof e.value === 'bigint' && (e.value < INT64_MIN || e.value > INT64_MAX)) {
          throw new PxlError(`the integer ${e.value} does not fit in INT64`, e.loc);
        }
        return {
          kind: 'literal',
          value: e.value,
          type: e.type,
          semanticType: e.semanticType,
          loc: e.loc,
        };
      }
      case 'column':
        return this.columnRef(rel, e.name, e.loc, 'the DataFrame');
      case 'ctx': {
        const def = CTX_KEYS[e.key];
        if (!def) {
          throw new PxlError(
            `df.ctx has no key "${e.key}"${didYouMean(e.key, Object.keys(CTX_KEYS))}`,
            e.loc,
          );
        }
        const upid = rel.columns.find((c) => c.name === 'upid' && c.type === 'UINT128');
        const podId =
          def.fromPod && rel.columns.find((c) => c.name === 'pod_id' && c.type === 'STRING');
        const via = upid
          ? ({ column: { kind: 'column', ...upid, loc: e.loc }, kind: 'upid' } as const)
          : podId
            ? ({ column: { kind: 'column', ...podId, loc: e.loc }, kind: 'pod_id' } as const)
            : undefined;
        if (!via) {
          const what = def.fromPod ? 'a upid or pod_id column' : 'a upid column';
          throw new PxlError(
            `df.ctx["${e.key}"] needs ${what}, and this DataFrame has none`,
            e.loc,
          );
        }
        return {
          kind: 'ctx',
          key: e.key,
          def,
          via,
          type: def.type,
          semanticType: def.semanticType,
          loc: e.loc,
        };
      }
      case 'script_ref': {
        const label = this.walk(e.label, rel, depth + 1);
        if (label.type !== 'STRING') {
          throw new PxlError(
            `the label of px.script_reference must be a STRING, not ${label.type}`,
            e.label.loc,
          );
        }
        return {
          kind: 'script_ref',
          label,
          reference: { script: e.script, args: e.args },
          type: 'STRING',
          semanticType: 'ST_SCRIPT_REFERENCE',
          loc: e.loc,
        };
      }
      case 'call':
        return this.call(e, rel, depth);
    }
  }

  private call(e: P.CallExpr, rel: Relation, depth: number): TExpr {
    const fn = FUNCTIONS.get(e.fn);
    if (fn?.kind !== 'scalar') throw new PxlError(`px.${e.fn} is not a per-row function`, e.loc);
    const args = e.args.map((a) => this.walk(a, rel, depth + 1));
    const types = args.map((a) => a.type);
    const sig = resolveSignature(fn.signatures, types);
    if (!sig) throw new PxlError(signatureError(e, fn.signatures, types), e.loc);
    for (const i of fn.literalArgs ?? []) {
      if (args[i]?.kind !== 'literal') {
        throw new PxlError(
          `argument ${i + 1} of px.${e.fn} must be a literal value`,
          e.args[i]!.loc,
        );
      }
    }
    const infos: ArgInfo[] = args.map((a, i) => ({
      type: sig.args[i]!,
      semanticType: a.semanticType,
      ...(a.kind === 'literal' ? { literal: a.value } : {}),
    }));
    const semanticType = fn.semantic ? fn.semantic(infos, sig.returns) : 'ST_NONE';
    return {
      kind: 'call',
      fn,
      args: args.map((a, i) => coerce(a, sig.args[i]!)),
      type: sig.returns,
      semanticType,
      loc: e.loc,
    };
  }
}

/** Makes an implicit conversion explicit in the typed tree, where the SQL type changes. */
function coerce(e: TExpr, to: DataType): TExpr {
  if (e.type === to) return e;
  if (e.kind === 'literal' && typeof e.value === 'bigint' && to === 'FLOAT64') {
    return { ...e, value: Number(e.value), type: to };
  }
  return { ...e, type: to };
}

function reference(e: TExpr) {
  if (e.kind === 'script_ref') return e.reference;
  if (e.kind === 'column') return e.scriptReference;
  return undefined;
}

function describeColumns(cols: readonly TypedColumn[]): string {
  return cols.map((c) => `${c.name} ${c.type}`).join(', ');
}

function signatureError(
  e: P.CallExpr,
  signatures: readonly Signature[],
  types: readonly DataType[],
): string {
  const given = types.join(', ');
  if (e.op) {
    return types.length === 1
      ? `operator ${e.op} cannot be applied to ${given}`
      : `operator ${e.op} cannot be applied to ${types.join(' and ')}`;
  }
  const accepted = signatures.map((s) => `(${s.args.join(', ')})`).join(' or ');
  return `${e.callee ?? `px.${e.fn}`} takes ${accepted}, not (${given})`;
}
