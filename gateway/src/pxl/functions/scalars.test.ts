import { formatDurationNs } from '../../../../shared/common/duration';
import {
  BASE_NS,
  HttpEvent,
  PxlFixture,
  httpEvents,
  httpJson,
  pxlFixture,
} from '../../../../test/support/pxl';

const SECOND = 1_000_000_000n;

/** Each case: a PxL expression over `df` and the same value computed in plain TypeScript. */
const CASES: readonly [string, (e: HttpEvent) => unknown][] = [
  ['px.bin(df.time_, px.seconds(10))', (e) => e.time_ - (e.time_ % (10n * SECOND))],
  ['px.bin(df.latency, 1000000)', (e) => BigInt(e.latency - (e.latency % 1_000_000))],
  ['px.minutes(2) + px.hours(1) + px.seconds(3)', () => 3_723_000_000_000n],
  ['px.parse_duration("1h30m")', () => 5_400_000_000_000n],
  ['px.now() - df.time_', (e) => NOW - e.time_],
  ['px.DurationNanos(df.latency * 2)', (e) => BigInt(e.latency * 2)],
  ['px.Bytes(df.resp_body_size)', (e) => BigInt(e.resp_body_size)],
  ['px.Percent(df.latency / 80000000)', (e) => e.latency / 80_000_000],
  ['px.contains(df.req_path, "api")', (e) => e.req_path.includes('api')],
  [
    'px.select(df.resp_status >= 400, "bad", "good")',
    (e) => (e.resp_status >= 400 ? 'bad' : 'good'),
  ],
  ['px.pluck(df.resp_body, "user")', (e) => String(json(e).user ?? '')],
  ['px.pluck(df.resp_body, "ok")', (e) => (json(e).ok === undefined ? '' : String(json(e).ok))],
  ['px.pluck_float64(df.resp_body, "id")', (e) => Number(json(e).id ?? 0)],
  ['px.pluck_int64(df.resp_body, "id")', (e) => BigInt((json(e).id as number | undefined) ?? 0)],
  ['px.pluck(df.req_path, "x")', () => ''],
  [
    'px.pluck_array(\'[{"s":\' + px.itoa(df.resp_status) + \'}, "x", null]\', 0)',
    (e) => `{"s":${e.resp_status}}`,
  ],
  ['px.pluck_array(\'[1, "x", null]\', df.trace_role)', (e) => (e.trace_role === 1 ? 'x' : '')],
  ["px.pluck_array('[1, 2]', df.trace_role - 3)", () => ''],
  ['px.pluck_array(df.resp_body, 0)', () => ''],
  ['px.length(df.req_path)', (e) => BigInt(Buffer.byteLength(e.req_path))],
  ['px.substring(df.req_path, 1, 3)', (e) => e.req_path.slice(1, 4)],
  ['px.find(df.req_path, "/")', (e) => BigInt(e.req_path.indexOf('/'))],
  ['px.find(df.req_path, "ord")', (e) => BigInt(e.req_path.indexOf('ord'))],
  ['px.regex_match("/api/.*/[0-9]+", df.req_path)', (e) => /^\/api\/.*\/[0-9]+$/.test(e.req_path)],
  ['px.replace("[0-9]+", df.req_path, "*")', (e) => e.req_path.replace(/[0-9]+/g, '*')],
  ['px.floor(df.latency / 1000000)', (e) => BigInt(Math.floor(e.latency / 1_000_000))],
  ['px.ceil(df.latency / 1000000)', (e) => BigInt(Math.ceil(e.latency / 1_000_000))],
  ['px.abs(40000000 - df.latency)', (e) => BigInt(Math.abs(40_000_000 - e.latency))],
  [
    'px.equals_any(df.req_method, ["PUT", "DELETE"])',
    (e) => ['PUT', 'DELETE'].includes(e.req_method),
  ],
  [
    'px.atoi(px.substring(df.req_path, px.find(df.req_path, "s/") + 2, 5))',
    (e) => atoi(e.req_path),
  ],
  ['px.format_duration(df.latency)', (e) => formatDurationNs(e.latency)],
  ['px.format_duration(df.latency * 10000)', (e) => formatDurationNs(e.latency * 10000)],
  ['px.upid_to_pid(df.upid)', (e) => BigInt(e.pid)],
  ['px.upid_to_asid(df.upid)', () => 1n],
  ['px.upid_to_start_ts(df.upid)', (e) => BigInt(5000 + e.pod)],
  ['px.upid_to_string(df.upid)', (e) => e.upid],
  ['px.upid_to_cmdline(df.upid)', () => ''],
  [
    'px.tolower(df.req_method) + ":" + px.toupper(df.resp_message)',
    (e) => `${e.req_method.toLowerCase()}:${e.resp_message.toUpperCase()}`,
  ],
  [
    'df.latency % 7 + df.resp_status // 100 - -df.remote_port',
    (e) => BigInt((e.latency % 7) + Math.floor(e.resp_status / 100) + e.remote_port),
  ],
  ['df.latency ** 0.5', (e) => e.latency ** 0.5],
  [
    'not (df.resp_status == 200 or df.resp_status != 404) and df.trace_role > 1',
    (e) => !(e.resp_status === 200 || e.resp_status !== 404) && e.trace_role > 1,
  ],
  ['df.req_body_size <= df.resp_body_size', (e) => e.req_body_size <= e.resp_body_size],
  ['px.contains(df.req_path, "api") != 1', (e) => !e.req_path.includes('api')],
  ['0 == (df.resp_status >= 400)', (e) => e.resp_status < 400],
  ['px.contains(df.req_path, "api") == 2', () => false],
];

const NOW = BASE_NS + 120n * SECOND;

function json(e: HttpEvent): Record<string, unknown> {
  return JSON.parse(e.resp_body) as Record<string, unknown>;
}

function atoi(path: string): bigint {
  const at = path.indexOf('s/');
  const digits = path.slice(at + 2, at + 2 + 5);
  return /^-?\d+$/.test(digits) ? BigInt(digits) : 0n;
}

describe('px scalar functions and operators', () => {
  let fx: PxlFixture;
  let events: HttpEvent[];
  let rows: unknown[][];

  beforeAll(async () => {
    fx = await pxlFixture();
    events = httpEvents(400, 3);
    await fx.insert('http_events', httpJson(events));
    const script = [
      'import px',
      "df = px.DataFrame('http_events')",
      ...CASES.map(([expr], i) => `df.c${i} = ${expr}`),
      `px.display(df[[${CASES.map((_, i) => `'c${i}'`).join(', ')}]], 'out')`,
    ].join('\n');
    const { out } = await fx.run(script, { now: NOW });
    const names = out!.columns.map((c) => c.name);
    rows = out!.rows.map((r) => CASES.map((_, i) => r[names.indexOf(`c${i}`)]));
  });
  afterAll(() => fx.close());

  it.each(CASES.map(([expr], i) => [expr, i] as const))('%s', (_expr, i) => {
    const [, ts] = CASES[i]!;
    const got = rows.map((r) => r[i]);
    const want = events.map((e) => ts(e));
    if (typeof want[0] === 'number') {
      got.forEach((g, k) => expect(g as number).toBeCloseTo(want[k] as number, 6));
    } else {
      expect(got).toEqual(want);
    }
  });
});

describe('px.Service(x) and the other entity types', () => {
  let fx: PxlFixture;
  beforeAll(async () => {
    fx = await pxlFixture();
    await fx.insert('http_events', httpJson(httpEvents(20, 5)));
  });
  afterAll(() => fx.close());

  it('give a string column their semantic type and keep its values, as Pixie’s casts do', async () => {
    const { out } = await fx.run(
      `df = px.DataFrame('http_events')
df.s = px.Service(df.remote_addr + '/svc')
df.p = px.Pod(df.req_path)
df.n = px.Namespace('ns')
df.o = px.Node(df.req_method)
df.c = px.Container(df.resp_message)
px.display(df[['remote_addr', 's', 'p', 'n', 'o', 'c']], 'out')`,
      { now: NOW },
    );
    expect(out!.columns.map((c) => c.semanticType)).toEqual([
      'ST_IP_ADDRESS',
      'ST_SERVICE_NAME',
      'ST_POD_NAME',
      'ST_NAMESPACE_NAME',
      'ST_NODE_NAME',
      'ST_CONTAINER_NAME',
    ]);
    expect(out!.rows.map((r) => r[1])).toEqual(out!.rows.map((r) => `${String(r[0])}/svc`));
    expect(new Set(out!.rows.map((r) => r[3]))).toEqual(new Set(['ns']));
  });

  it('refuse a number and a second argument', () => {
    expect(() =>
      fx.engine.compile(
        `df = px.DataFrame('http_events')\ndf.s = px.Service(df.latency)\npx.display(df)`,
      ),
    ).toThrow('px.Service takes (STRING), not (INT64)');
    expect(() =>
      fx.engine.compile(`px.display(px.DataFrame('http_events'), px.Pod('a', 'b'))`),
    ).toThrow(/px.Pod\(\) takes one argument/);
  });
});
