import fc from 'fast-check';

/**
 * Random PxL scripts from a grammar of the language: DataFrames over http_events and
 * conn_stats, filters, column assignments, groupby/agg, merges, appends, head, drop, px.*
 * functions and metadata, displays. Most expressions are typed (numbers with numbers, strings
 * with string functions), so that many scripts run; a share are drawn loosely (a column that
 * does not exist, a string added to a number, an unknown function) and some scripts get a token
 * spliced in, so that parse, plan, check and runtime errors come up too.
 */

type Kind = 'num' | 'str' | 'bool';

/** Columns of http_events (df and out start there) by what they hold. */
const HTTP: Record<Kind, readonly string[]> = {
  num: ['latency', 'resp_status', 'remote_port'],
  str: ['req_method', 'req_path', 'resp_body'],
  bool: [],
};
const NEW_COLUMNS = ['a', 'b', 'n', 'window'];
const ANY_COLUMN = [
  'time_',
  'upid',
  'bytes_sent',
  'nope',
  ...HTTP.num,
  ...HTTP.str,
  ...NEW_COLUMNS,
];
const quoted = (s: string) => `'${s}'`;

/** A typed per-row expression over `df`, up to `depth` levels deep. */
function typed(kind: Kind, depth: number): fc.Arbitrary<string> {
  const leaf: Record<Kind, fc.Arbitrary<string>> = {
    num: fc.oneof(
      fc.constantFrom(...HTTP.num).map((c) => `df.${c}`),
      fc.integer({ min: -3, max: 5_000_000 }).map(String),
      fc.constantFrom('0.5', 'px.seconds(1)', 'px.upid_to_pid(df.upid)'),
    ),
    str: fc.oneof(
      fc.constantFrom(...HTTP.str).map((c) => `df.${c}`),
      fc.constantFrom(
        "'GET'",
        "'/api/users'",
        "''",
        "df.ctx['pod']",
        'px.upid_to_pod_name(df.upid)',
      ),
    ),
    bool: fc.constantFrom('True', 'False', "px.contains(df.req_path, 'api')"),
  };
  if (depth <= 0) return leaf[kind];
  const num = typed('num', depth - 1);
  const str = typed('str', depth - 1);
  const bool = typed('bool', depth - 1);
  const compound: Record<Kind, fc.Arbitrary<string>[]> = {
    num: [
      fc
        .tuple(num, fc.constantFrom('+', '-', '*', '/', '//', '%'), num)
        .map(([l, op, r]) => `(${l} ${op} ${r})`),
      num.map((e) => `px.floor(${e})`),
      str.map((e) => `px.length(${e})`),
      fc.tuple(bool, num, num).map(([c, a, b]) => `px.select(${c}, ${a}, ${b})`),
    ],
    str: [
      str.map((e) => `px.toupper(${e})`),
      str.map((e) => `px.pluck(${e}, 'id')`),
      fc.tuple(str, str).map(([a, b]) => `(${a} + ${b})`),
      fc.tuple(bool, str, str).map(([c, a, b]) => `px.select(${c}, ${a}, ${b})`),
    ],
    bool: [
      fc
        .tuple(num, fc.constantFrom('==', '!=', '<', '>='), num)
        .map(([l, op, r]) => `(${l} ${op} ${r})`),
      fc.tuple(str, fc.constantFrom('==', '!=')).map(([s, op]) => `(${s} ${op} 'GET')`),
      fc.tuple(bool, fc.constantFrom('and', 'or'), bool).map(([l, op, r]) => `(${l} ${op} ${r})`),
      bool.map((e) => `not ${e}`),
      str.map((e) => `px.equals_any(${e}, ['GET', 'POST'])`),
    ],
  };
  return fc.oneof({ weight: 2, arbitrary: leaf[kind] }, ...compound[kind]);
}

/** An expression drawn loosely: any column, any operator, unknown names and functions. */
const loose: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(fc.constantFrom('df', 'out', 'other'), fc.constantFrom(...ANY_COLUMN))
      .map(([f, c]) => `${f}.${c}`),
    fc.constantFrom('1', "'x'", 'None', '2**63', "df.ctx['nope']", 'px.nope(df.latency)'),
    fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc
      .tuple(tie('e'), fc.constantFrom('+', '==', 'and', '/'), tie('e'))
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc
      .tuple(
        fc.constantFrom('px.bin', 'px.pluck_float64', 'px.floor', 'px.upid_to_pod_name'),
        tie('e'),
      )
      .map(
        ([f, e]) =>
          `${f}(${e}${f === 'px.bin' ? ', 10' : f === 'px.pluck_float64' ? ", 'p50'" : ''})`,
      ),
  ),
})).e;

const anyColumn = fc.constantFrom(...ANY_COLUMN);
const someColumns = fc
  .uniqueArray(anyColumn, { minLength: 1, maxLength: 3 })
  .map((cs) => `[${cs.map(quoted).join(', ')}]`);
const groups = fc
  .uniqueArray(fc.constantFrom('req_method', 'req_path', 'resp_status', 'upid', 'window'), {
    minLength: 1,
    maxLength: 2,
  })
  .map((cs) => `[${cs.map(quoted).join(', ')}]`);
const aggregate = fc
  .tuple(
    fc.constantFrom('n', 'total', 'q'),
    fc.constantFrom(...HTTP.num, 'req_path'),
    fc.constantFrom('count', 'sum', 'mean', 'min', 'max', 'any', 'quantiles'),
  )
  .map(([name, c, fn]) => `${name}=(${quoted(c)}, px.${fn})`);

/** One statement of a script. */
const statement = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...NEW_COLUMNS), fc.constantFrom<Kind>('num', 'str', 'bool'))
      .chain(([c, kind]) => typed(kind, 3).map((e) => `df.${c} = ${e}`)),
  },
  { weight: 3, arbitrary: typed('bool', 3).map((e) => `df = df[${e}]`) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        groups,
        fc.uniqueArray(aggregate, { minLength: 1, maxLength: 3, selector: (a) => a.split('=')[0] }),
      )
      .map(([by, aggs]) => `out = df.groupby(${by}).agg(${aggs.join(', ')})`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('df', 'out'),
        fc.constantFrom('other', 'df', 'out'),
        fc.constantFrom('inner', 'left', 'right', 'outer'),
      )
      .map(
        ([l, r, how]) =>
          `out = ${l}.merge(${r}, how=${quoted(how)}, left_on='upid', right_on='upid', suffixes=['', '_r'])`,
      ),
  },
  fc.constantFrom('out = out.append(out)', 'out = df.append(df)'),
  fc.integer({ min: -1, max: 20 }).map((n) => `out = df.head(${n})`),
  someColumns.map((cs) => `out = df.drop(${cs})`),
  someColumns.map((cs) => `out = df[${cs}]`),
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('df', 'out', 'other'), fc.integer({ min: 1, max: 30 }))
      .map(([f, n]) => `px.display(${f}, 't${n}')`),
  },
  fc.tuple(fc.constantFrom(...NEW_COLUMNS), loose).map(([c, e]) => `df.${c} = ${e}`),
  loose.map((e) => `df = df[${e}]`),
  fc
    .tuple(fc.constantFrom('inner', 'inner', 'inner', 'cross'), anyColumn, anyColumn)
    .map(
      ([how, l, r]) =>
        `out = df.merge(other, how=${quoted(how)}, left_on=${quoted(l)}, right_on=${quoted(r)})`,
    ),
);

const TOKENS = ['(', ')', '[', ']', ',', ':', '=', '.', "'", 'df', 'px', 'if', '\n', '  ', '#'];

/** Whole scripts: the DataFrames to start from, statements, a display, sometimes a spliced token. */
export const PXL_SCRIPTS: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(statement, { minLength: 1, maxLength: 10 }),
    fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      fc.tuple(fc.nat(), fc.constantFrom(...TOKENS)),
    ),
  )
  .map(([statements, splice]) => {
    const script = [
      'import px',
      "df = px.DataFrame('http_events', start_time='-5m')",
      "other = px.DataFrame('conn_stats', start_time='-5m')",
      'out = df',
      ...statements,
      "px.display(out, 'last')",
    ].join('\n');
    if (!splice) return script;
    const at = splice[0] % script.length;
    return script.slice(0, at) + splice[1] + script.slice(at);
  });
