import { PxlFixture, pxlFixture } from '../../../../test/support/pxl';
import { PxlError } from '../errors';

/** Each script is wrong in one place: the message, line and column name it. */
const CASES: readonly [string, string, RegExp, number, number][] = [
  [
    'unknown table',
    "df = px.DataFrame('http_event')",
    /^table "http_event" does not exist; did you mean "http_events"\?/,
    2,
    6,
  ],
  [
    'unknown column',
    "df = px.DataFrame('http_events')\ndf.x = df.resp_statuz + 1",
    /^column "resp_statuz" is not in the DataFrame; did you mean "resp_status"\?/,
    3,
    8,
  ],
  [
    'unknown px function',
    "df = px.DataFrame('http_events')\ndf.x = px.plukc(df.resp_body, 'a')",
    /^px has no attribute "plukc"; did you mean "pluck"\?/,
    3,
    8,
  ],
  [
    'unknown name',
    "df = px.DataFrame('http_events')\npx.display(dff)",
    /^name "dff" is not defined; did you mean "df"\?/,
    3,
    12,
  ],
  [
    'unknown ctx key',
    "df = px.DataFrame('http_events')\ndf.p = df.ctx['pods']",
    /^df.ctx has no key "pods"; did you mean "pod"\?/,
    3,
    8,
  ],
  [
    'ctx without upid',
    "df = px.DataFrame('network_stats')\ndf.p = df.ctx['cmdline']",
    /^df.ctx\["cmdline"\] needs a upid column/,
    3,
    8,
  ],
  [
    'operator types',
    "df = px.DataFrame('http_events')\ndf.x = df.req_path + 1",
    /^operator \+ cannot be applied to STRING and INT64/,
    3,
    8,
  ],
  [
    'ordering a boolean against an integer',
    "df = px.DataFrame('http_events')\ndf.x = (df.latency > 5) < 1",
    /^operator < cannot be applied to BOOLEAN and INT64/,
    3,
    8,
  ],
  [
    'function types',
    "df = px.DataFrame('http_events')\ndf.x = px.bin(df.req_path, 10)",
    /^px.bin takes \(TIME64NS, INT64\) or \(INT64, INT64\), not \(STRING, INT64\)/,
    3,
    8,
  ],
  [
    'non-boolean filter',
    "df = px.DataFrame('http_events')\ndf = df[df.latency + 1]",
    /^a filter needs a BOOLEAN condition, not INT64/,
    3,
    9,
  ],
  [
    'aggregate type',
    "df = px.DataFrame('http_events')\ndf = df.agg(m=('req_path', px.mean))",
    /^px.mean does not take STRING \(column "req_path"\)/,
    3,
    15,
  ],
  [
    'not an aggregate',
    "df = px.DataFrame('http_events')\ndf = df.agg(m=('latency', px.floor))",
    /^px.floor is not an aggregate function/,
    3,
    15,
  ],
  [
    'aggregate outside agg',
    "df = px.DataFrame('http_events')\ndf.m = px.mean(df.latency)",
    /^px.mean is an aggregate: use it in agg/,
    3,
    8,
  ],
  [
    'literal needed',
    "df = px.DataFrame('http_events')\ndf.x = px.pluck(df.resp_body, df.req_path)",
    /^argument 2 of px.pluck must be a literal value/,
    3,
    31,
  ],
  [
    'merge key types',
    "a = px.DataFrame('http_events')\nb = px.DataFrame('conn_stats')\nc = a.merge(b, left_on='latency', right_on='remote_addr')",
    /^merge keys "latency" \(INT64\) and "remote_addr" \(STRING\) have different types/,
    4,
    5,
  ],
  [
    'merge name clash',
    "a = px.DataFrame('http_events', select=['upid'])\nc = a.merge(a, left_on='upid', right_on='upid', suffixes=['', ''])",
    /^merge makes two columns named "upid"/,
    3,
    5,
  ],
  [
    'append columns',
    "a = px.DataFrame('http_events', select=['upid'])\nb = px.DataFrame('conn_stats', select=['remote_addr'])\nc = a.append(b)",
    /^append\(\) needs DataFrames with the same columns/,
    4,
    5,
  ],
  [
    'bad how',
    "a = px.DataFrame('http_events')\nc = a.merge(a, how='cross', left_on='upid', right_on='upid')",
    /^how must be one of 'inner', 'left', 'right', 'outer', not 'cross'/,
    3,
    20,
  ],
  [
    'bad time',
    "df = px.DataFrame('http_events', start_time='yesterday')",
    /^"yesterday" is not a time/,
    2,
    45,
  ],
  ['bad duration', "x = px.parse_duration('5 minutes')", /^"5 minutes" is not a duration/, 2, 23],
  [
    'too many args',
    "df = px.DataFrame('http_events').head(1, 2)",
    /^head\(\) takes at most 1 argument \(2 given\)/,
    2,
    42,
  ],
  [
    'unknown keyword',
    "df = px.DataFrame('http_events', star_time='-5m')",
    /^px.DataFrame\(\) has no parameter "star_time"; did you mean "start_time"\?/,
    2,
    34,
  ],
  [
    'duplicate display',
    "df = px.DataFrame('http_events')\npx.display(df, 'a')\npx.display(df, 'a')",
    /^a table named "a" is already displayed/,
    4,
    1,
  ],
  [
    'group clash',
    "df = px.DataFrame('http_events')\ndf = df.groupby('upid').agg(upid=('latency', px.count))",
    /^the aggregate "upid" has the name of a group column/,
    3,
    34,
  ],
  [
    'unknown pragma',
    '#px:set max_rows=5',
    /^unknown #px:set option "max_rows"; known: max_output_rows_per_table/,
    1,
    1,
  ],
  [
    'in on a column',
    "df = px.DataFrame('http_events')\ndf = df[df.req_method in ['GET']]",
    /^"in" does not work on columns; use px.equals_any/,
    3,
    9,
  ],
  ['recursion', 'def f(x):\n    return f(x)\ny = f(1)', /^calls nest deeper than 64/, 3, 12],
  ['division by zero', 'x = 1 / 0', /^division by zero/, 2, 5],
  ['huge integer', 'x = 2 ** 100000', /^integer result is too large/, 2, 5],
  [
    'int64 overflow',
    "df = px.DataFrame('http_events')\ndf.x = df.latency + 2 ** 70",
    /^the integer 1180591620717411303424 does not fit in INT64/,
    3,
    8,
  ],
  [
    'export column',
    "df = px.DataFrame('http_events')\npx.export(df, px.otel.Data(resource={'service.name': df.svc}, data=[]))",
    /^column "svc" is not in the exported table/,
    3,
    54,
  ],
  [
    'otel shape',
    "df = px.DataFrame('http_events')\npx.export(df, px.otel.metric.Gauge(name='x'))",
    /^px.otel.metric.Gauge\(\) is missing "value"/,
    3,
    15,
  ],
  [
    'export expression',
    "df = px.DataFrame('http_events')\npx.export(df, px.otel.metric.Gauge(name='x', value=df.latency * 2))",
    /^an export spec takes columns, not expressions/,
    3,
    52,
  ],
];

describe('checking scripts before they run', () => {
  let fx: PxlFixture;
  beforeAll(async () => {
    fx = await pxlFixture();
  });
  afterAll(() => fx.close());

  it.each(CASES)('%s', (what, body, message, line, column) => {
    const script = what === 'unknown pragma' ? `${body}\nimport px` : `import px\n${body}`;
    let error: unknown;
    try {
      fx.engine.compile(script);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PxlError);
    const e = error as PxlError;
    expect(e.message).toMatch(message);
    expect([e.line, e.column]).toEqual([line, column]);
  });
});
