import { BOUNDS, boundError } from '../bounds';
import { Loc, PxlError, didYouMean } from '../errors';
import { SpecValue } from '../export/spec';
import * as A from '../parse/ast';
import { Arg, CallArgs, KeywordArg, bindArgs } from './args';
import { DATAFRAME_METHODS, assignColumn, callMethod, subscriptDataFrame } from './dataframe';
import { Display, ExportOutput, Expr, Plan, PlanNode } from './nodes';
import { PxContext, callPx, castToPxType, pluginAttribute, pxAttribute } from './px-module';
import {
  BINARY_FUNCTIONS,
  COMPARE_FUNCTIONS,
  scalarBinary,
  scalarCompare,
  scalarUnary,
} from './python';
import { convertArg } from './script-args';
import { NONE, Scope, Value, describe, expectString, toExpr, truthy } from './values';

export interface EvaluateOptions {
  /** Nanoseconds since the epoch that `px.now()` and relative times count from. */
  readonly now: bigint;
  /** Run this function of the script (after its top level) and show its result. */
  readonly func?: string;
  /** Arguments of `func`, by parameter name. */
  readonly args?: Readonly<Record<string, unknown>>;
  readonly pluginWindow?: { readonly startNs: bigint; readonly endNs: bigint };
}

/** Evaluation steps a script may take; scripts have no loops, but calls can nest. */
const MAX_STEPS = 1_000_000;
const MAX_CALL_DEPTH = 64;

class Return {
  constructor(readonly value: Value) {}
}

/**
 * Runs a script's Python at planning time: constants and functions are evaluated here, and
 * DataFrame operations build the plan of each displayed or exported table.
 */
export function evaluate(module: A.Module, opts: EvaluateOptions): Plan {
  return new Evaluator(opts).run(module);
}

class Evaluator implements PxContext {
  readonly now: bigint;
  readonly pluginWindow: PxContext['pluginWindow'];
  private readonly globals = new Scope(undefined);
  private displays: Display[] = [];
  /** Every DataFrame the script built, so that unused ones are checked too. */
  private readonly frames = new Set<PlanNode>();
  private exports: ExportOutput[] = [];
  /** Attributes a script set on px (`px.Node = str`). */
  private readonly pxOverrides = new Map<string, Value>();
  private steps = 0;
  private depth = 0;

  constructor(private readonly opts: EvaluateOptions) {
    this.now = opts.now;
    this.pluginWindow = opts.pluginWindow;
    for (const name of ['str', 'int', 'float', 'bool']) {
      this.globals.set(name, { kind: 'type', name });
    }
    // As in Pixie, `px` is there from the start; `import px` binds it again (or as an alias).
    this.globals.set('px', { kind: 'module', path: 'px' });
    this.globals.set('len', { kind: 'builtin', name: 'len' });
  }

  run(module: A.Module): Plan {
    this.block(module.body, this.globals);
    if (this.opts.func === undefined) {
      if (this.opts.args && Object.keys(this.opts.args).length > 0) {
        throw new PxlError('args are given to a function: name it with "func"');
      }
      return { displays: this.displays, exports: this.exports, frames: [...this.frames] };
    }
    this.displays = [];
    this.exports = [];
    const result = this.runFunc(this.opts.func, this.opts.args ?? {});
    if (result.kind === 'dataframe')
      this.display(this.opts.func, result.node, { line: 1, column: 1 });
    else if (this.displays.length === 0 && this.exports.length === 0) {
      throw new PxlError(
        `function "${this.opts.func}" returned ${describe(result)}, not a DataFrame`,
      );
    }
    return { displays: this.displays, exports: this.exports, frames: [...this.frames] };
  }

  display(name: string, node: PlanNode, loc: Loc): void {
    this.countOutput(loc);
    if (this.displays.some((d) => d.name === name)) {
      throw new PxlError(`a table named "${name}" is already displayed`, loc);
    }
    this.displays.push({ name, node, loc });
  }

  exportTable(
    node: PlanNode,
    spec: SpecValue,
    columns: { name: string; loc: Loc }[],
    loc: Loc,
  ): void {
    this.countOutput(loc);
    this.exports.push({ node, spec, columns, loc });
  }

  /** Each shown or exported table is a statement to run: a script has a bounded number. */
  private countOutput(loc: Loc): void {
    if (this.displays.length + this.exports.length >= BOUNDS.outputTables) {
      throw boundError(
        'outputTables',
        `the script shows or exports more than ${BOUNDS.outputTables} tables`,
        'split it into scripts of their own',
        loc,
      );
    }
  }

  private runFunc(name: string, given: Readonly<Record<string, unknown>>): Value {
    const fn = this.globals.lookup(name);
    if (fn?.kind !== 'function') {
      const defined = this.globals
        .names()
        .filter((n) => this.globals.lookup(n)?.kind === 'function');
      throw new PxlError(
        `the script defines no function "${name}"${didYouMean(name, defined)}`,
        undefined,
        'not-found',
      );
    }
    const params = fn.def.params;
    for (const key of Object.keys(given)) {
      if (!params.some((p) => p.name === key)) {
        throw new PxlError(
          `function "${name}" has no parameter "${key}"${didYouMean(
            key,
            params.map((p) => p.name),
          )}`,
          fn.def.loc,
        );
      }
    }
    const keywords = new Map<string, Arg>();
    for (const p of params) {
      if (Object.prototype.hasOwnProperty.call(given, p.name)) {
        keywords.set(p.name, { value: convertArg(p, given[p.name]), loc: p.loc });
      }
    }
    return this.callUser(fn, { positional: [], keywords, loc: fn.def.loc });
  }

  private block(stmts: readonly A.Stmt[], scope: Scope): void {
    for (const stmt of stmts) this.statement(stmt, scope);
  }

  private statement(s: A.Stmt, scope: Scope): void {
    switch (s.kind) {
      case 'import':
        scope.set(s.alias, { kind: 'module', path: 'px' });
        return;
      case 'assign':
        this.assign(s, scope);
        return;
      case 'expr':
        this.expr(s.value, scope);
        return;
      case 'def':
        this.define(s, scope);
        return;
      case 'return':
        throw new Return(s.value ? this.expr(s.value, scope) : NONE);
      case 'pass':
        return;
    }
  }

  /** Binds a function; its defaults are evaluated once, where it is defined (as in Python). */
  private define(def: A.FunctionDef, scope: Scope): void {
    const defaults = new Map<string, Value>();
    for (const p of def.params) if (p.default) defaults.set(p.name, this.expr(p.default, scope));
    this.defaults.set(def, defaults);
    scope.set(def.name, { kind: 'function', def, closure: scope });
  }

  private readonly defaults = new WeakMap<A.FunctionDef, Map<string, Value>>();

  private assign(s: A.AssignStmt, scope: Scope): void {
    const value = this.expr(s.value, scope);
    const target = s.target;
    if (target.kind === 'name') {
      scope.set(target.id, value);
      return;
    }
    if (target.object.kind !== 'name') {
      throw new PxlError(
        'only `df.column = ...` or `df["column"] = ...` can be assigned',
        target.loc,
      );
    }
    const holder = target.object.id;
    const frame = this.expr(target.object, scope);
    if (frame.kind === 'module' && frame.path === 'px' && target.kind === 'attribute') {
      // Pixie scripts alias types this way (`px.Node = str`); it binds for this script only.
      this.pxOverrides.set(target.name, value);
      return;
    }
    if (frame.kind !== 'dataframe') {
      throw new PxlError(`cannot set a column on ${describe(frame)}`, target.loc);
    }
    let column: string;
    if (target.kind === 'attribute') {
      column = target.name;
    } else {
      column = expectString(this.expr(target.index, scope), target.index.loc, 'a column name');
    }
    const updated = assignColumn(frame, column, value, s.loc);
    this.frames.add(updated.node);
    scope.set(holder, updated);
  }

  private tick(loc: Loc): void {
    if (++this.steps > MAX_STEPS) {
      throw new PxlError(`the script takes more than ${MAX_STEPS} evaluation steps`, loc);
    }
  }

  expr(e: A.Expr, scope: Scope): Value {
    const v = this.evalExpr(e, scope);
    if (v.kind === 'dataframe') this.frames.add(v.node);
    return v;
  }

  private evalExpr(e: A.Expr, scope: Scope): Value {
    this.tick(e.loc);
    switch (e.kind) {
      case 'name':
        return this.name(e, scope);
      case 'int':
        return { kind: 'int', value: e.value, type: 'INT64', st: 'ST_NONE' };
      case 'float':
        return { kind: 'float', value: e.value, st: 'ST_NONE' };
      case 'string':
        return { kind: 'str', value: e.value, st: 'ST_NONE' };
      case 'bool':
        return { kind: 'bool', value: e.value };
      case 'none':
        return NONE;
      case 'list':
      case 'tuple':
        return { kind: e.kind, items: e.items.map((i) => this.expr(i, scope)) };
      case 'dict':
        return {
          kind: 'dict',
          entries: e.entries.map(
            (en) => [this.expr(en.key, scope), this.expr(en.value, scope)] as const,
          ),
        };
      case 'attribute':
        return this.attribute(this.expr(e.object, scope), e.name, e.loc);
      case 'subscript':
        return this.subscript(this.expr(e.object, scope), this.expr(e.index, scope), e);
      case 'call':
        return this.call(e, scope);
      case 'binary':
        return this.binary(e, scope);
      case 'compare':
        return this.compare(e, scope);
      case 'boolop':
        return this.boolOp(e, scope);
      case 'unary':
        return this.unary(e, scope);
    }
  }

  private name(e: A.NameExpr, scope: Scope): Value {
    const v = scope.lookup(e.id);
    if (v !== undefined) return v;
    const hint =
      e.id === 'px'
        ? '; add `import px` at the top of the script'
        : didYouMean(e.id, scope.names());
    throw new PxlError(`name "${e.id}" is not defined${hint}`, e.loc);
  }

  private attribute(obj: Value, name: string, loc: Loc): Value {
    switch (obj.kind) {
      case 'module':
        if (obj.path === 'px.plugin') return pluginAttribute(name, this, loc);
        if (obj.path === 'px' && this.pxOverrides.has(name)) return this.pxOverrides.get(name)!;
        return pxAttribute(obj.path, name, loc);
      case 'dataframe':
        if (name === 'ctx') return { kind: 'ctx' };
        if (DATAFRAME_METHODS.has(name)) return { kind: 'method', self: obj, name };
        return { kind: 'column', expr: { kind: 'column', name, loc } };
      case 'groupby':
        return { kind: 'method', self: obj, name };
      default:
        throw new PxlError(`${describe(obj)} has no attribute "${name}"`, loc);
    }
  }

  private subscript(obj: Value, key: Value, e: A.SubscriptExpr): Value {
    switch (obj.kind) {
      case 'dataframe':
        return subscriptDataFrame(obj, key, e.loc);
      case 'ctx':
        return {
          kind: 'column',
          expr: { kind: 'ctx', key: expectString(key, e.index.loc, 'a df.ctx key'), loc: e.loc },
        };
      case 'list':
      case 'tuple': {
        if (key.kind !== 'int')
          throw new PxlError(`${obj.kind} indices must be integers`, e.index.loc);
        const i = Number(key.value < 0n ? BigInt(obj.items.length) + key.value : key.value);
        const item = obj.items[i];
        if (item === undefined)
          throw new PxlError(`${obj.kind} index ${key.value} is out of range`, e.index.loc);
        return item;
      }
      case 'dict': {
        const hit = obj.entries.find(([k]) => scalarCompare('==', k, key, e.loc));
        if (!hit) throw new PxlError(`key ${this.show(key)} is not in the dict`, e.index.loc);
        return hit[1];
      }
      case 'str': {
        if (key.kind !== 'int') throw new PxlError('string indices must be integers', e.index.loc);
        const chars = [...obj.value];
        const i = Number(key.value < 0n ? BigInt(chars.length) + key.value : key.value);
        if (chars[i] === undefined)
          throw new PxlError(`string index ${key.value} is out of range`, e.index.loc);
        return { kind: 'str', value: chars[i]!, st: 'ST_NONE' };
      }
      default:
        throw new PxlError(`${describe(obj)} cannot be indexed`, e.loc);
    }
  }

  private show(v: Value): string {
    return v.kind === 'str'
      ? JSON.stringify(v.value)
      : v.kind === 'int'
        ? String(v.value)
        : describe(v);
  }

  private call(e: A.CallExpr, scope: Scope): Value {
    const callee = this.expr(e.callee, scope);
    const positional = e.args.map((a) => ({ value: this.expr(a, scope), loc: a.loc }));
    const keywords = new Map<string, KeywordArg>();
    for (const k of e.kwargs) {
      keywords.set(k.name, { value: this.expr(k.value, scope), loc: k.value.loc, nameLoc: k.loc });
    }
    const call: CallArgs = { positional, keywords, loc: e.loc };
    switch (callee.kind) {
      case 'builtin':
        return callee.name === 'len' ? this.len(call) : callPx(callee.name, call, this);
      case 'module':
        if (callee.path.startsWith('px.otel.')) return callPx(callee.path, call, this);
        break;
      case 'method':
        return callMethod(callee.self, callee.name, call);
      case 'function':
        return this.callUser(callee, call);
      case 'type':
        return castToPxType(callee.name, call) ?? this.convert(callee.name, call);
    }
    throw new PxlError(`${describe(callee)} is not callable`, e.loc);
  }

  private callUser(fn: Extract<Value, { kind: 'function' }>, call: CallArgs): Value {
    if (++this.depth > MAX_CALL_DEPTH) {
      throw new PxlError(`calls nest deeper than ${MAX_CALL_DEPTH} (recursion?)`, call.loc);
    }
    try {
      const defaults = this.defaults.get(fn.def);
      const params = fn.def.params.map((p) => ({
        name: p.name,
        ...(defaults?.has(p.name) ? { default: defaults.get(p.name)! } : {}),
      }));
      const bound = bindArgs(fn.def.name, params, call);
      const local = new Scope(fn.closure);
      for (const [name, arg] of bound) local.set(name, arg.value);
      try {
        this.block(fn.def.body, local);
      } catch (err) {
        if (err instanceof Return) return err.value;
        throw err;
      }
      return NONE;
    } finally {
      this.depth--;
    }
  }

  private len(call: CallArgs): Value {
    const [arg] = call.positional;
    if (!arg || call.positional.length !== 1)
      throw new PxlError('len() takes one argument', call.loc);
    const v = arg.value;
    const n =
      v.kind === 'str'
        ? [...v.value].length
        : v.kind === 'list' || v.kind === 'tuple'
          ? v.items.length
          : v.kind === 'dict'
            ? v.entries.length
            : undefined;
    if (n === undefined) throw new PxlError(`len() of ${describe(v)}`, arg.loc);
    return { kind: 'int', value: BigInt(n), type: 'INT64', st: 'ST_NONE' };
  }

  /** `str(x)`, `int(x)`, `float(x)`, `bool(x)` on known values. */
  private convert(type: string, call: CallArgs): Value {
    const [arg] = call.positional;
    if (!arg || call.positional.length !== 1)
      throw new PxlError(`${type}() takes one argument`, call.loc);
    const v = arg.value;
    if (type === 'bool') return { kind: 'bool', value: truthy(v, arg.loc) };
    if (type === 'str') {
      if (v.kind === 'str' || v.kind === 'int' || v.kind === 'float')
        return { kind: 'str', value: pyStr(v), st: 'ST_NONE' };
      if (v.kind === 'bool')
        return { kind: 'str', value: v.value ? 'True' : 'False', st: 'ST_NONE' };
    }
    if (type === 'int') {
      if (v.kind === 'int') return { ...v, type: 'INT64' };
      if (v.kind === 'bool')
        return { kind: 'int', value: v.value ? 1n : 0n, type: 'INT64', st: 'ST_NONE' };
      if (v.kind === 'float' && Number.isFinite(v.value))
        return { kind: 'int', value: BigInt(Math.trunc(v.value)), type: 'INT64', st: v.st };
      if (v.kind === 'str' && /^\s*[-+]?\d+\s*$/.test(v.value))
        return { kind: 'int', value: BigInt(v.value.trim()), type: 'INT64', st: 'ST_NONE' };
    }
    if (type === 'float') {
      if (v.kind === 'int') return { kind: 'float', value: Number(v.value), st: v.st };
      if (v.kind === 'float') return v;
      if (v.kind === 'bool') return { kind: 'float', value: v.value ? 1 : 0, st: 'ST_NONE' };
      if (v.kind === 'str' && v.value.trim() !== '' && !Number.isNaN(Number(v.value)))
        return { kind: 'float', value: Number(v.value), st: 'ST_NONE' };
    }
    if (v.kind === 'column')
      throw new PxlError(`${type}() of a column: use a px function instead`, arg.loc);
    throw new PxlError(`cannot convert ${describe(v)} with ${type}()`, arg.loc);
  }

  private binary(e: A.BinaryExpr, scope: Scope): Value {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    if (l.kind === 'column' || r.kind === 'column') {
      const fn = BINARY_FUNCTIONS[e.op];
      return this.columnCall(fn, e.op, [l, r], e);
    }
    const v = scalarBinary(e.op, l, r, e.loc);
    if (v === undefined) {
      throw new PxlError(
        `unsupported operand types for ${e.op}: ${describe(l)} and ${describe(r)}`,
        e.loc,
      );
    }
    return v;
  }

  private compare(e: A.CompareExpr, scope: Scope): Value {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    if (l.kind === 'column' || r.kind === 'column') {
      if (e.op === 'in' || e.op === 'not in') {
        throw new PxlError(
          `"${e.op}" does not work on columns; use px.equals_any(column, [values])`,
          e.loc,
        );
      }
      return this.columnCall(COMPARE_FUNCTIONS[e.op], e.op, [l, r], e);
    }
    const v = scalarCompare(e.op, l, r, e.loc);
    if (v === undefined) {
      throw new PxlError(`cannot compare ${describe(l)} and ${describe(r)} with ${e.op}`, e.loc);
    }
    return { kind: 'bool', value: v };
  }

  /**
   * `and`/`or`: Python's short-circuit on known values; with columns, a per-row condition,
   * where a known boolean side folds away (`cond or not flag` with flag True is `cond`).
   */
  private boolOp(e: A.BoolOpExpr, scope: Scope): Value {
    const l = this.expr(e.left, scope);
    if (l.kind !== 'column') {
      const decided = e.op === 'and' ? !truthy(l, e.left.loc) : truthy(l, e.left.loc);
      if (decided) return l;
      return this.expr(e.right, scope);
    }
    const r = this.expr(e.right, scope);
    if (r.kind !== 'column') {
      const rTrue = truthy(r, e.right.loc);
      if (e.op === 'and') return rTrue ? l : r;
      return rTrue ? r : l;
    }
    return this.columnCall(e.op === 'and' ? 'logicalAnd' : 'logicalOr', e.op, [l, r], e);
  }

  private unary(e: A.UnaryExpr, scope: Scope): Value {
    const v = this.expr(e.operand, scope);
    if (v.kind === 'column') {
      if (e.op === '+') return v;
      const fn = e.op === '-' ? 'negate' : 'logicalNot';
      return this.columnCall(fn, e.op, [v], e);
    }
    if (e.op === 'not') return { kind: 'bool', value: !truthy(v, e.loc) };
    const r = scalarUnary(e.op, v, e.loc);
    if (r === undefined)
      throw new PxlError(`bad operand type for unary ${e.op}: ${describe(v)}`, e.loc);
    return r;
  }

  private columnCall(fn: string, op: string, operands: readonly Value[], e: A.Expr): Value {
    const args: Expr[] = operands.map((v) => toExpr(v, e.loc, `an operand of ${op}`));
    return { kind: 'column', expr: { kind: 'call', fn, op, args, loc: e.loc } };
  }
}

function pyStr(v: { kind: 'str' | 'int' | 'float'; value: string | bigint | number }): string {
  if (v.kind === 'float') {
    const n = v.value as number;
    return Number.isInteger(n) && Math.abs(n) < 1e16 ? `${n}.0` : String(n);
  }
  return String(v.value);
}
