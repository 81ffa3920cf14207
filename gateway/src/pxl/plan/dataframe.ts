import { Loc, PxlError } from '../errors';
import { FUNCTIONS } from '../functions/registry';
import { CallArgs, bindArgs } from './args';
import { Aggregate, JoinHow, PlanNode } from './nodes';
import {
  DataFrameValue,
  GroupByValue,
  Value,
  describe,
  expectInt,
  expectNames,
  expectString,
  toExpr,
} from './values';

/** The methods of a DataFrame; any other attribute is a column. */
export const DATAFRAME_METHODS = new Set([
  'groupby',
  'agg',
  'head',
  'drop',
  'merge',
  'append',
  'stream',
]);

const JOIN_KINDS: readonly JoinHow[] = ['inner', 'left', 'right', 'outer'];
const MAX_HEAD = 1_000_000_000;

function df(node: PlanNode): DataFrameValue {
  return { kind: 'dataframe', node };
}

/** `df[key]`: a column, a projection, or a filter. */
export function subscriptDataFrame(self: DataFrameValue, key: Value, loc: Loc): Value {
  switch (key.kind) {
    case 'str':
      return { kind: 'column', expr: { kind: 'column', name: key.value, loc } };
    case 'list':
    case 'tuple':
      return df({
        kind: 'project',
        input: self.node,
        columns: expectNames(key, loc, 'the columns to keep'),
        loc,
      });
    case 'column':
    case 'bool':
      return df({ kind: 'filter', input: self.node, predicate: toExpr(key, loc, 'a filter'), loc });
    default:
      throw new PxlError(
        `df[...] takes a column name, a list of names, or a condition, not ${describe(key)}`,
        loc,
      );
  }
}

/** `df.name = value` and `df['name'] = value`: the DataFrame with that column set. */
export function assignColumn(
  self: DataFrameValue,
  name: string,
  value: Value,
  loc: Loc,
): DataFrameValue {
  if (value.kind === 'dataframe') {
    throw new PxlError(`cannot assign a DataFrame to the column "${name}"`, loc);
  }
  return df({
    kind: 'map',
    input: self.node,
    name,
    expr: toExpr(value, loc, `the column "${name}"`),
    loc,
  });
}

/** Calls a DataFrame or grouped-DataFrame method. */
export function callMethod(
  self: DataFrameValue | GroupByValue,
  name: string,
  call: CallArgs,
): Value {
  const loc = call.loc;
  if (self.kind === 'groupby') {
    if (name !== 'agg')
      throw new PxlError(`a grouped DataFrame has no method "${name}"; use agg()`, loc);
    return df(aggregate(self.node, self.groups, call));
  }
  switch (name) {
    case 'groupby': {
      const args = bindArgs('groupby', [{ name: 'by' }], call);
      const by = args.get('by')!;
      return {
        kind: 'groupby',
        node: self.node,
        groups: expectNames(by.value, by.loc, 'groupby columns'),
      };
    }
    case 'agg':
      return df(aggregate(self.node, [], call));
    case 'head': {
      const n = bindArgs(
        'head',
        [{ name: 'n', default: { kind: 'int', value: 5n, type: 'INT64', st: 'ST_NONE' } }],
        call,
      ).get('n')!;
      const count = expectInt(n.value, n.loc, 'head(n)');
      if (count < 0n || count > BigInt(MAX_HEAD)) {
        throw new PxlError(`head(n) needs 0 <= n <= ${MAX_HEAD}`, n.loc);
      }
      return df({ kind: 'limit', input: self.node, n: Number(count), loc });
    }
    case 'drop': {
      const cols = bindArgs('drop', [{ name: 'columns' }], call).get('columns')!;
      return df({
        kind: 'drop',
        input: self.node,
        columns: expectNames(cols.value, cols.loc, 'drop columns'),
        loc,
      });
    }
    case 'merge':
      return df(merge(self, call));
    case 'append': {
      const objs = bindArgs('append', [{ name: 'objs' }], call).get('objs')!;
      const others =
        objs.value.kind === 'list' || objs.value.kind === 'tuple' ? objs.value.items : [objs.value];
      const inputs = others.map((o) => {
        if (o.kind !== 'dataframe')
          throw new PxlError(`append() takes DataFrames, not ${describe(o)}`, objs.loc);
        return o.node;
      });
      return df({ kind: 'union', inputs: [self.node, ...inputs], loc });
    }
    case 'stream':
      bindArgs('stream', [], call);
      return self;
  }
  throw new PxlError(`a DataFrame has no method "${name}"`, loc);
}

function aggregate(input: PlanNode, groups: readonly string[], call: CallArgs): PlanNode {
  if (call.positional.length > 0) {
    throw new PxlError(
      'agg() takes keyword arguments: agg(name=(column, px.fn), ...)',
      call.positional[0]!.loc,
    );
  }
  const aggs: Aggregate[] = [];
  for (const [name, arg] of call.keywords) {
    const v = arg.value;
    const shape = 'each agg() argument must be (column, px.fn), e.g. n=("latency", px.count)';
    if (v.kind !== 'tuple' && v.kind !== 'list') throw new PxlError(shape, arg.loc);
    if (v.items.length !== 2) throw new PxlError(shape, arg.loc);
    const [col, fn] = v.items as [Value, Value];
    const column = expectString(col, arg.loc, 'the column of an aggregate');
    if (fn.kind !== 'builtin' || !fn.name.startsWith('px.')) throw new PxlError(shape, arg.loc);
    const fname = fn.name.slice(3);
    const def = FUNCTIONS.get(fname);
    if (def?.kind !== 'aggregate') {
      throw new PxlError(
        `px.${fname} is not an aggregate function; aggregates: ${aggregateNames()}`,
        arg.loc,
      );
    }
    aggs.push({ name, fn: fname, column, loc: arg.loc });
  }
  return { kind: 'agg', input, groups, aggs, loc: call.loc };
}

function aggregateNames(): string {
  return FUNCTIONS.all()
    .filter((f) => f.kind === 'aggregate')
    .map((f) => `px.${f.name}`)
    .join(', ');
}

const DEFAULT_SUFFIXES: Value = {
  kind: 'list',
  items: [
    { kind: 'str', value: '_x', st: 'ST_NONE' },
    { kind: 'str', value: '_y', st: 'ST_NONE' },
  ],
};

function merge(self: DataFrameValue, call: CallArgs): PlanNode {
  const args = bindArgs(
    'merge',
    [
      { name: 'right' },
      { name: 'how', default: { kind: 'str', value: 'inner', st: 'ST_NONE' } },
      { name: 'left_on' },
      { name: 'right_on' },
      { name: 'suffixes', default: DEFAULT_SUFFIXES },
    ],
    call,
  );
  const right = args.get('right')!;
  if (right.value.kind !== 'dataframe') {
    throw new PxlError(
      `merge() needs a DataFrame to join with, not ${describe(right.value)}`,
      right.loc,
    );
  }
  const howArg = args.get('how')!;
  const how = expectString(howArg.value, howArg.loc, 'how') as JoinHow;
  if (!JOIN_KINDS.includes(how)) {
    throw new PxlError(
      `how must be one of ${JOIN_KINDS.map((k) => `'${k}'`).join(', ')}, not '${how}'`,
      howArg.loc,
    );
  }
  const leftOn = args.get('left_on')!;
  const rightOn = args.get('right_on')!;
  const l = expectNames(leftOn.value, leftOn.loc, 'left_on');
  const r = expectNames(rightOn.value, rightOn.loc, 'right_on');
  if (l.length === 0 || l.length !== r.length) {
    throw new PxlError(
      `left_on and right_on must name the same number of columns (${l.length} and ${r.length})`,
      leftOn.loc,
    );
  }
  const suffixes = args.get('suffixes')!;
  const sfx = expectNames(suffixes.value, suffixes.loc, 'suffixes');
  if (sfx.length !== 2) throw new PxlError('suffixes must be two strings', suffixes.loc);
  return {
    kind: 'join',
    left: self.node,
    right: right.value.node,
    how,
    leftOn: l,
    rightOn: r,
    suffixes: [sfx[0]!, sfx[1]!],
    loc: call.loc,
  };
}
