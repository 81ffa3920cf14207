import { httpStatusOf } from '../api/errors';
import fc from 'fast-check';
import { fuzzParams } from '../../../test/support/fuzz';
import {
  BASE_NS,
  PxlFixture,
  connSamples,
  httpEvents,
  httpJson,
  pxlFixture,
  samplesJson,
} from '../../../test/support/pxl';
import { PXL_SCRIPTS } from '../../../test/support/pxl-grammar';
import { PxlError } from './errors';

const SEEDS = [
  `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df[df.resp_status >= 400 and not df.req_path == '/healthz']
df.window = px.bin(df.time_, px.seconds(10))
df = df.groupby(['req_method', 'window']).agg(n=('latency', px.count), q=('latency', px.quantiles))
df.p50 = px.DurationNanos(px.floor(px.pluck_float64(df.q, 'p50')))
px.display(df.head(10), 'out')`,
  `import px
def f(start: str, svc: px.Service):
    df = px.DataFrame('http_events', start_time=start)
    df.svc = df.ctx['service']
    df = df[px.contains(df.svc, svc)]
    return df.merge(df, how='left', left_on=['upid'], right_on=['upid'], suffixes=['', '_r'])
px.display(f('-1m', 'x'))`,
  `import px
a = px.DataFrame('conn_stats', select=['upid', 'bytes_sent'])
b = a.groupby('upid').agg(sent=('bytes_sent', px.sum))
b.pod = px.upid_to_pod_name(b.upid)
px.export(b, px.otel.Data(resource={'service.name': b.pod}, data=[px.otel.metric.Gauge(name='x', value=b.sent)]))`,
];

const TOKENS = [
  'import px',
  'px',
  '.',
  'DataFrame',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '=',
  '==',
  '!=',
  '<',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '//',
  '%',
  '**',
  'and',
  'or',
  'not',
  'in',
  'def',
  'return',
  'if',
  'lambda',
  'df',
  'x',
  'http_events',
  "'http_events'",
  "'latency'",
  'latency',
  'groupby',
  'agg',
  'head',
  'merge',
  'ctx',
  "['pod']",
  'px.count',
  'px.mean',
  'px.display',
  '1',
  '0',
  '2.5',
  '-5m',
  "'-5m'",
  'True',
  'None',
  '"',
  "'",
  '#',
  '\\',
  '\n',
  '\n    ',
  ' ',
  '\t',
  'é',
  '\u0000',
];

/** A script: random tokens, or a seed with characters deleted, inserted or swapped. */
const scripts = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((ts) => ts.join(' ')),
  fc.string({ maxLength: 200 }),
  fc
    .tuple(
      fc.constantFrom(...SEEDS),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.nat({ max: 8 }),
          fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    )
    .map(([seed, edits]) =>
      edits.reduce((s, [at, del, ins]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ins + s.slice(i + del);
      }, seed),
    ),
);

describe('the parser and checker on random and mutated scripts', () => {
  let fx: PxlFixture;
  beforeAll(async () => {
    fx = await pxlFixture();
  });
  afterAll(() => fx.close());

  it('never crash or hang: every script compiles or fails with a located PxlError', () => {
    fc.assert(
      fc.property(scripts, (script) => {
        const started = Date.now();
        try {
          fx.engine.compile(script, { now: 1_800_000_000_000_000_000n });
        } catch (err) {
          if (!(err instanceof PxlError)) throw err;
          const lines = script.split('\n');
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.line).toBeLessThanOrEqual(lines.length);
          expect(err.column).toBeGreaterThanOrEqual(1);
          expect(err.column).toBeLessThanOrEqual(lines[err.line! - 1]!.length + 1);
        }
        expect(Date.now() - started).toBeLessThan(2000);
      }),
      fuzzParams(3000, { seed: 20261127 }),
    );
  });

  it('compile the seed scripts themselves', () => {
    for (const seed of SEEDS) expect(() => fx.engine.compile(seed)).not.toThrow();
  });
});

describe('the whole engine on scripts from a grammar of PxL', () => {
  const NOW = BASE_NS + 120_000_000_000n;
  /**
   * The run's time limit, long enough for a compile worker to start from the sources on a loaded
   * machine (seconds), and the time an answer may take beyond it, for DuckDB to notice its
   * interrupt on such a machine.
   */
  const TIMEOUT_MS = 10_000;
  const GRACE_MS = 5_000;
  let fx: PxlFixture;
  beforeAll(async () => {
    fx = await pxlFixture();
    await fx.insert('http_events', httpJson(httpEvents(300)));
    await fx.insert('conn_stats', samplesJson(connSamples()));
  });
  afterAll(() => fx.close());

  const params = fuzzParams<[string]>(200, {
    seed: 20261206,
    examples: [
      // A long run's failure: answered 0.7 s past a 3 s limit on a machine at load 19 (a merge
      // past the row limit, while a compile worker restarted). The limit is longer since.
      [
        "import px\ndf = px.DataFrame('http_events', start_time='-5m')\nother = px.DataFrame('conn_stats', start_time='-5m')\nout = df\nout = df.merge(other, how='inner', left_on='upid', right_on='upid', suffixes=['', '_r'])\npx.display(other, 't1')\npx.display(out, 't18')\npx.display(out, 'last')",
      ],
    ],
  });
  // A long run (npm run fuzz) takes as long as its cases do; each is bounded by the time limit.
  const testTimeout = Math.max(30_000, params.numRuns! * (TIMEOUT_MS + GRACE_MS));

  it(
    'answer every script within the time limit with tables or a 4xx PxlError, located when the script is at fault',
    async () => {
      await fc.assert(
        fc.asyncProperty(PXL_SCRIPTS, async (script) => {
          const started = Date.now();
          try {
            await fx.engine.run(script, { now: NOW, limits: { timeoutMs: TIMEOUT_MS } });
          } catch (err) {
            if (!(err instanceof PxlError)) throw err;
            expect(httpStatusOf(err)).toBeGreaterThanOrEqual(400);
            expect(httpStatusOf(err)).toBeLessThan(500);
            if (httpStatusOf(err) === 400) expect(err.line).toBeDefined();
            if (err.line !== undefined) {
              const lines = script.split('\n');
              expect(err.line).toBeLessThanOrEqual(lines.length);
              expect(err.column).toBeLessThanOrEqual(lines[err.line - 1]!.length + 1);
            }
          }
          expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + GRACE_MS);
        }),
        params,
      );
    },
    testTimeout,
  );
});
