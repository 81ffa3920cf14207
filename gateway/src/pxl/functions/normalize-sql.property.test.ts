import fc from 'fast-check';
import { normalizeMysqlJson, normalizePgsqlJson } from '../../../../shared/common/sql/normalize';
import { fuzzParams } from '../../../../test/support/fuzz';
import { BASE_NS, PxlFixture, pxlFixture } from '../../../../test/support/pxl';

/** Statement-like text: random strings, and SQL tokens in any order (quotes left open too). */
const text = fc.oneof(
  fc.string({ maxLength: 120, unit: 'grapheme' }),
  fc
    .array(
      fc.constantFrom('SELECT', 'x', '=', '42', "'a''b'", '$1', '?', '@v', '/*', '--c\n', "'", '"'),
      { maxLength: 30 },
    )
    .map((t) => t.join(' ')),
  fc
    .tuple(fc.string({ maxLength: 40 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }))
    .map(([q, ps]) => `query=[${q}] params=[${ps.join(', ')}]`),
);

describe('px.normalize_pgsql and px.normalize_mysql on random input', () => {
  let fx: PxlFixture;
  let batch = 0;
  beforeAll(async () => {
    fx = await pxlFixture();
  });
  afterAll(() => fx.close());

  /** Stores the rows as one batch (told apart by local_port) and runs `script` over it. */
  async function runBatch(table: string, rows: Record<string, unknown>[], script: string) {
    const port = ++batch;
    await fx.insert(
      table,
      rows.map((r) => ({ ...r, time_: String(BASE_NS), local_port: port })),
    );
    const res = await fx.run(
      `df = px.DataFrame('${table}', start_time='-5m')
df = df[df.local_port == ${port}]
${script}`,
      { now: BASE_NS + 1_000_000_000n },
    );
    return res.out!.rows.map((r) => r[0]);
  }

  it('pgsql: every row gives exactly what the TypeScript normalizer gives, and never fails the query', async () => {
    const cmd = fc.constantFrom('Query', 'Execute', 'Parse', '');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, cmd), { minLength: 1, maxLength: 20 }),
        async (xs) => {
          const got = await runBatch(
            'pgsql_events',
            xs.map(([req, req_cmd]) => ({ req, req_cmd })),
            `df.n = px.normalize_pgsql(df.req, df.req_cmd)\npx.display(df[['n']], 'out')`,
          );
          expect(got).toEqual(xs.map(([req, c]) => normalizePgsqlJson(req, c)));
        },
      ),
      fuzzParams(40, { seed: 15 }),
    );
  });

  it('mysql: every row gives exactly what the TypeScript normalizer gives, and never fails the query', async () => {
    const cmd = fc.constantFrom(3, 23, 22, 0, -1);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, cmd), { minLength: 1, maxLength: 20 }),
        async (xs) => {
          const got = await runBatch(
            'mysql_events',
            xs.map(([req_body, req_cmd]) => ({ req_body, req_cmd })),
            `df.n = px.normalize_mysql(df.req_body, df.req_cmd)\npx.display(df[['n']], 'out')`,
          );
          expect(got).toEqual(xs.map(([body, c]) => normalizeMysqlJson(body, c)));
        },
      ),
      fuzzParams(40, { seed: 16 }),
    );
  });
});
