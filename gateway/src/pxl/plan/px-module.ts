import { formatDurationNs, parseDurationNs } from '../../../../shared/common/duration';
import { SemanticType } from '../../../../shared/contract/types';
import { Loc, PxlError, didYouMean } from '../errors';
import { otelAttribute, otelCall, toSpec } from '../export/otel';
import { SpecValue } from '../export/spec';
import { FUNCTIONS } from '../functions/registry';
import { PX_TYPE_CASTS, semanticCastName } from '../functions/scalars';
import { CallArgs, bindArgs, positionalOnly } from './args';
import { Expr, PlanNode, TimeBound } from './nodes';
import { Value, describe, expectNames, expectString, literalOf, toExpr } from './values';

/** What px built-ins need from the run: the clock, the plugin window, and where outputs go. */
export interface PxContext {
  readonly now: bigint;
  readonly pluginWindow: { readonly startNs: bigint; readonly endNs: bigint } | undefined;
  display(name: string, node: PlanNode, loc: Loc): void;
  exportTable(
    node: PlanNode,
    spec: SpecValue,
    columns: { name: string; loc: Loc }[],
    loc: Loc,
  ): void;
}

/** Types a function parameter may be annotated with. */
export const PX_TYPES = ['Service', 'Pod', 'Namespace', 'Node', 'Container', 'DataFrame'];

/**
 * `px.Service(x)` and the other entity types: in Pixie a cast that gives a string its semantic
 * type (Pixie's scripts cast `px.nslookup(...)` so the UI links it). Undefined for other types.
 */
export function castToPxType(type: string, call: CallArgs): Value | undefined {
  const st = type.startsWith('px.') ? PX_TYPE_CASTS[type.slice(3)] : undefined;
  if (!st) return undefined;
  const args = positionalOnly(type, call);
  const arg = args[0];
  if (!arg || args.length !== 1) throw new PxlError(`${type}() takes one argument`, call.loc);
  const v = arg.value;
  if (v.kind === 'str') return { ...v, st };
  const expr = toExpr(v, arg.loc, `the argument of ${type}()`);
  return {
    kind: 'column',
    expr: { kind: 'call', fn: semanticCastName(st), callee: type, args: [expr], loc: call.loc },
  };
}

const BUILTINS = [
  'DataFrame',
  'display',
  'debug',
  'export',
  'now',
  'parse_duration',
  'equals_any',
  'script_reference',
];

const NO_VALUE: Value = { kind: 'none' };

/** `px.name`: a built-in, a px function, a type, or a submodule. */
export function pxAttribute(path: string, name: string, loc: Loc): Value {
  if (path === 'px') {
    if (BUILTINS.includes(name)) return { kind: 'builtin', name: `px.${name}` };
    const fn = FUNCTIONS.get(name);
    if (fn && (fn.kind === 'aggregate' || !fn.internal))
      return { kind: 'builtin', name: `px.${name}` };
    if (PX_TYPES.includes(name)) return { kind: 'type', name: `px.${name}` };
    if (name === 'otel' || name === 'plugin' || name === 'vis')
      return { kind: 'module', path: `px.${name}` };
    const known = [...BUILTINS, ...FUNCTIONS.publicNames(), ...PX_TYPES, 'otel', 'plugin'];
    throw new PxlError(`px has no attribute "${name}"${didYouMean(name, known)}`, loc);
  }
  if (path.startsWith('px.otel')) return otelAttribute(path, name);
  throw new PxlError(`${path} has no attribute "${name}"`, loc);
}

/** `px.plugin.start_time` and `px.plugin.end_time`: the window an export plugin runs over. */
export function pluginAttribute(name: string, ctx: PxContext, loc: Loc): Value {
  if (name !== 'start_time' && name !== 'end_time') {
    throw new PxlError(`px.plugin has no attribute "${name}"; it has start_time and end_time`, loc);
  }
  if (!ctx.pluginWindow) {
    throw new PxlError(
      `px.plugin.${name} is only set when the script runs as an export plugin`,
      loc,
    );
  }
  const value = name === 'start_time' ? ctx.pluginWindow.startNs : ctx.pluginWindow.endNs;
  return { kind: 'int', value, type: 'TIME64NS', st: 'ST_NONE' };
}

/** Calls a px built-in or px function with evaluated arguments. */
export function callPx(name: string, call: CallArgs, ctx: PxContext): Value {
  const loc = call.loc;
  if (name.startsWith('px.otel.')) return otelCall(name, call);
  const short = name.slice(3);
  switch (short) {
    case 'DataFrame':
      return { kind: 'dataframe', node: dataFrame(call, ctx) };
    case 'display':
    case 'debug': {
      const args = bindArgs(
        name,
        [
          { name: 'out' },
          { name: 'name', default: str('output') },
          { name: 'cols', default: NO_VALUE },
        ],
        call,
      );
      const out = args.get('out')!;
      if (out.value.kind !== 'dataframe')
        throw new PxlError(`${name}() shows a DataFrame, not ${describe(out.value)}`, out.loc);
      const tableName = args.get('name')!;
      let node = out.value.node;
      const cols = args.get('cols')!;
      if (cols.value.kind !== 'none') {
        node = {
          kind: 'project',
          input: node,
          columns: expectNames(cols.value, cols.loc, 'cols'),
          loc,
        };
      }
      ctx.display(expectString(tableName.value, tableName.loc, 'the table name'), node, loc);
      return NO_VALUE;
    }
    case 'export': {
      const args = bindArgs(name, [{ name: 'out' }, { name: 'export_spec' }], call);
      const out = args.get('out')!;
      if (out.value.kind !== 'dataframe')
        throw new PxlError(`px.export() exports a DataFrame, not ${describe(out.value)}`, out.loc);
      const spec = args.get('export_spec')!;
      const columns: { name: string; loc: Loc }[] = [];
      ctx.exportTable(out.value.node, toSpec(spec.value, spec.loc, columns), columns, loc);
      return NO_VALUE;
    }
    case 'now':
      bindArgs(name, [], call);
      return { kind: 'int', value: ctx.now, type: 'TIME64NS', st: 'ST_NONE' };
    case 'parse_duration': {
      const arg = bindArgs(name, [{ name: 'duration' }], call).get('duration')!;
      const text = expectString(arg.value, arg.loc, 'px.parse_duration()');
      const ns = parseDurationNs(text);
      if (ns === undefined)
        throw new PxlError(`"${text}" is not a duration (examples: 30s, -5m, 1h30m)`, arg.loc);
      return { kind: 'int', value: ns, type: 'INT64', st: 'ST_DURATION_NS' };
    }
    case 'equals_any':
      return equalsAny(call);
    case 'script_reference':
      return scriptReference(call);
  }
  return callFunction(short, call);
}

function str(value: string): Value {
  return { kind: 'str', value, st: 'ST_NONE' };
}

/** Semantic wrappers and duration units fold on known values; other calls become expressions. */
function callFunction(fname: string, call: CallArgs): Value {
  const fn = FUNCTIONS.get(fname)!;
  const args = positionalOnly(`px.${fname}`, call);
  if (fn.kind === 'aggregate') {
    throw new PxlError(
      `px.${fname} is an aggregate: use it in agg(name=(column, px.${fname}))`,
      call.loc,
    );
  }
  const folded = fold(
    fname,
    args.map((a) => a.value),
  );
  if (folded) return folded;
  const exprs = args.map((a, i) => toExpr(a.value, a.loc, `argument ${i + 1} of px.${fname}`));
  return { kind: 'column', expr: { kind: 'call', fn: fname, args: exprs, loc: call.loc } };
}

const WRAPPERS: Readonly<Record<string, SemanticType>> = {
  DurationNanos: 'ST_DURATION_NS',
  Bytes: 'ST_BYTES',
  Percent: 'ST_PERCENT',
};

const UNITS: Readonly<Record<string, bigint>> = {
  seconds: 1_000_000_000n,
  minutes: 60_000_000_000n,
  hours: 3_600_000_000_000n,
  milliseconds: 1_000_000n,
  microseconds: 1_000n,
};

function fold(fname: string, args: readonly Value[]): Value | undefined {
  const [a] = args;
  if (args.length !== 1 || !a) return undefined;
  if (fname === 'format_duration' && a.kind === 'int' && a.type === 'INT64') {
    return { kind: 'str', value: formatDurationNs(Number(a.value)), st: 'ST_NONE' };
  }
  const st = WRAPPERS[fname];
  if (st && a.kind === 'int' && a.type === 'INT64') return { ...a, st };
  if (st && a.kind === 'float') return { ...a, st };
  const unit = UNITS[fname];
  if (unit !== undefined && a.kind === 'int')
    return { kind: 'int', value: a.value * unit, type: 'INT64', st: 'ST_DURATION_NS' };
  if (unit !== undefined && a.kind === 'float') {
    return {
      kind: 'int',
      value: BigInt(Math.trunc(a.value * Number(unit))),
      type: 'INT64',
      st: 'ST_DURATION_NS',
    };
  }
  return undefined;
}

/** `px.equals_any(value, [a, b, ...])`: `value == a or value == b or ...`. */
function equalsAny(call: CallArgs): Value {
  const args = bindArgs('px.equals_any', [{ name: 'value' }, { name: 'comparisons' }], call);
  const value = args.get('value')!;
  const list = args.get('comparisons')!;
  if (list.value.kind !== 'list' && list.value.kind !== 'tuple') {
    throw new PxlError(
      `px.equals_any() needs a list of values, not ${describe(list.value)}`,
      list.loc,
    );
  }
  if (list.value.items.length === 0) return { kind: 'bool', value: false };
  const subject = toExpr(value.value, value.loc, 'the value of px.equals_any');
  const tests: Expr[] = list.value.items.map((item) => ({
    kind: 'call',
    fn: 'equal',
    op: '==',
    args: [subject, toExpr(item, list.loc, 'each value of px.equals_any')],
    loc: call.loc,
  }));
  const expr = tests.reduce((acc, t) => ({
    kind: 'call',
    fn: 'logicalOr',
    op: 'or',
    args: [acc, t],
    loc: call.loc,
  }));
  return { kind: 'column', expr };
}

/** `px.script_reference(label, script, args)`: a link to another script, per row. */
function scriptReference(call: CallArgs): Value {
  const args = bindArgs(
    'px.script_reference',
    [
      { name: 'label' },
      { name: 'script' },
      { name: 'args', default: { kind: 'dict', entries: [] } },
    ],
    call,
  );
  const label = args.get('label')!;
  const script = args.get('script')!;
  const scriptArgs = args.get('args')!;
  if (scriptArgs.value.kind !== 'dict') {
    throw new PxlError(
      `px.script_reference() args must be a dict, not ${describe(scriptArgs.value)}`,
      scriptArgs.loc,
    );
  }
  const refArgs: Record<string, SpecValue> = {};
  for (const [k, v] of scriptArgs.value.entries) {
    const key = expectString(k, scriptArgs.loc, 'a script argument name');
    refArgs[key] = toSpec(v, scriptArgs.loc, []);
  }
  return {
    kind: 'column',
    expr: {
      kind: 'script_ref',
      label: toExpr(label.value, label.loc, 'the label of px.script_reference'),
      script: expectString(script.value, script.loc, 'the script of px.script_reference'),
      args: refArgs,
      loc: call.loc,
    },
  };
}

function dataFrame(call: CallArgs, ctx: PxContext): PlanNode {
  const args = bindArgs(
    'px.DataFrame',
    [
      { name: 'table' },
      { name: 'select', default: NO_VALUE },
      { name: 'start_time', default: NO_VALUE },
      { name: 'end_time', default: NO_VALUE },
    ],
    call,
  );
  const table = args.get('table')!;
  const select = args.get('select')!;
  return {
    kind: 'source',
    table: expectString(table.value, table.loc, 'the table of px.DataFrame'),
    select:
      select.value.kind === 'none' ? undefined : expectNames(select.value, select.loc, 'select'),
    start: timeBound(args.get('start_time')!.value, args.get('start_time')!.loc, ctx),
    end: timeBound(args.get('end_time')!.value, args.get('end_time')!.loc, ctx),
    loc: call.loc,
  };
}

/**
 * A time window bound: a relative duration string (`'-5m'` is five minutes ago), `'now'`,
 * integer nanoseconds since the epoch, or an expression of time.
 */
function timeBound(v: Value, loc: Loc, ctx: PxContext): TimeBound | undefined {
  if (v.kind === 'none') return undefined;
  if (v.kind === 'str') {
    const text = v.value.trim();
    const offset = text === 'now' ? 0n : parseDurationNs(text);
    if (offset === undefined) {
      throw new PxlError(
        `"${v.value}" is not a time: use a relative duration such as '-5m', or nanoseconds`,
        loc,
      );
    }
    return {
      kind: 'literal',
      value: ctx.now + offset,
      type: 'TIME64NS',
      semanticType: 'ST_NONE',
      loc,
    };
  }
  if (v.kind === 'int')
    return { ...literalOf(v, loc)!, kind: 'literal', type: 'TIME64NS' } as TimeBound;
  if (v.kind === 'column') return v.expr;
  throw new PxlError(
    `a time bound must be a duration string, nanoseconds or a time, not ${describe(v)}`,
    loc,
  );
}
