import {
  BASE_NS,
  HttpEvent,
  PxlFixture,
  groupBy,
  httpEvents,
  httpJson,
  pxlFixture,
  records,
} from '../../../test/support/pxl';
import { PxlError } from './errors';

describe('PxlEngine', () => {
  let fx: PxlFixture;
  let events: HttpEvent[];
  const now = BASE_NS + 120_000_000_000n;

  beforeAll(async () => {
    fx = await pxlFixture();
    events = httpEvents(3000);
    await fx.insert('http_events', httpJson(events));
  });
  afterAll(() => fx.close());

  it('filters, groups and aggregates like a plain computation over the same rows', async () => {
    const { out } = await fx.run(
      `
import px
df = px.DataFrame(table='http_events', start_time='-2m')
df = df[df.resp_status >= 400]
df = df.groupby('req_method').agg(n=('latency', px.count), total=('latency', px.sum), worst=('latency', px.max))
px.display(df, 'out')
`,
      { now },
    );
    const expected = [
      ...groupBy(
        events.filter((e) => e.resp_status >= 400),
        (e) => e.req_method,
      ),
    ]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([method, es]) => ({
        req_method: method,
        n: BigInt(es.length),
        total: BigInt(es.reduce((s, e) => s + e.latency, 0)),
        worst: BigInt(Math.max(...es.map((e) => e.latency))),
      }));
    expect(records(out!)).toEqual(expected);
    expect(out!.columns.map((c) => [c.name, c.type, c.semanticType])).toEqual([
      ['req_method', 'STRING', 'ST_HTTP_REQ_METHOD'],
      ['n', 'INT64', 'ST_NONE'],
      ['total', 'INT64', 'ST_DURATION_NS'],
      ['worst', 'INT64', 'ST_DURATION_NS'],
    ]);
  });

  it('keeps ingest order through filters, so head(n) is the first n matching rows', async () => {
    const { output } = await fx.run(
      `
import px
df = px.DataFrame('http_events', select=['time_', 'req_path', 'latency'])
px.display(df[df.latency > 40000000].head(7))
`,
      { now },
    );
    const expected = events
      .filter((e) => e.latency > 40_000_000)
      .slice(0, 7)
      .map((e) => ({ time_: e.time_, req_path: e.req_path, latency: BigInt(e.latency) }));
    expect(records(output!)).toEqual(expected);
  });

  it('reads only the start_time window, relative to now', async () => {
    const { w } = await fx.run(
      "import px\npx.display(px.DataFrame('http_events', start_time='-30s').agg(n=('latency', px.count)), 'w')",
      { now },
    );
    const from = now - 30_000_000_000n;
    expect(w!.rows).toEqual([[BigInt(events.filter((e) => e.time_ >= from).length)]]);
  });

  it('refuses a table over max_output_rows_per_table, naming the limit and how to raise it', async () => {
    const script =
      "#px:set max_output_rows_per_table=100\nimport px\npx.display(px.DataFrame('http_events'))";
    await expect(fx.run(script, { now })).rejects.toThrow(
      /more than 100 rows \(max_output_rows_per_table\).*#px:set max_output_rows_per_table=N/,
    );
  });

  it('interrupts DuckDB when a run passes its time limit, and says which limit', async () => {
    const started = Date.now();
    const script = `
import px
df = px.DataFrame('http_events', select=['latency'])
df.k = 1
a = df.merge(df, left_on='k', right_on='k', suffixes=['', '_r'])
px.display(a.merge(df, left_on='k', right_on='k', suffixes=['', '_s']).agg(n=('k', px.count)))
`;
    await expect(fx.run(script, { now, limits: { timeoutMs: 100 } })).rejects.toThrow(
      /ran longer than 0.1 s \(pxl.queryTimeout\) and was stopped/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const { output } = await fx.run(
      "import px\npx.display(px.DataFrame('http_events').agg(n=('latency', px.count)))",
      { now },
    );
    expect(output!.rows).toEqual([[BigInt(events.length)]]);
  });

  it('fails a run whose time limit passes while its rows stream, never returning part of a table', async () => {
    // DuckDB ends an interrupted stream quietly, as if the table were complete: an export run
    // stopped at its deadline exported part of its rows and moved its cursor past the rest.
    const big = await pxlFixture();
    try {
      const rows = httpJson(httpEvents(15_000));
      for (let i = 0; i < 4; i++) await big.insert('http_events', rows);
      const script =
        "import px\npx.display(px.DataFrame('http_events', select=['req_path', 'latency']))";
      const limits = { maxOutputRows: 1_000_000, maxResultBytes: 2 ** 40 };
      // Untimed: how long the whole table takes to read here, once compiled and prepared.
      const full = await big.run(script, { now, limits });
      expect(full.output!.rows).toHaveLength(60_000);
      const started = Date.now();
      await big.run(script, { now, limits });
      const tookMs = Date.now() - started;
      // Deadlines inside the read: each run fails with the timeout or answers every row.
      let stopped = 0;
      for (const part of [2, 4, 8, 16]) {
        const timeoutMs = Math.max(5, Math.round(tookMs / part));
        try {
          const answer = await big.run(script, { now, limits: { ...limits, timeoutMs } });
          expect(answer.output!.rows).toHaveLength(60_000);
        } catch (err) {
          expect(err).toMatchObject({
            kind: 'limit-exceeded',
            message: expect.stringMatching(/pxl.queryTimeout/),
          });
          stopped++;
        }
      }
      expect(stopped).toBeGreaterThan(0);
    } finally {
      await big.close();
    }
  }, 60_000);

  it('stops compiling a script at the time limit, and says so', async () => {
    const started = Date.now();
    await expect(
      fx.run('x = 1\n'.repeat(150_000), { now, limits: { timeoutMs: 300 } }),
    ).rejects.toMatchObject({
      kind: 'limit-exceeded',
      message: expect.stringMatching(
        /^the script took longer than 0.3 s \(pxl.queryTimeout\) to compile and was stopped/,
      ),
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers a column doubled 24 times (each reading the previous twice) in a small head()', async () => {
    const doublings = Array.from({ length: 24 }, (_, i) => `df.c${i + 1} = df.c${i} + df.c${i}`);
    const script = `import px
df = px.DataFrame('http_events', select=['latency'])
df.c0 = df.latency
${doublings.join('\n')}
px.display(df[['latency', 'c24']].head(3), 'out')`;
    const started = Date.now();
    const { out } = await fx.run(script, { now });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(out!.rows).toEqual(
      events.slice(0, 3).map((e) => [BigInt(e.latency), BigInt(e.latency) * 2n ** 24n]),
    );
  });

  it('refuses results over the memory cap, naming it', async () => {
    await expect(
      fx.run("import px\npx.display(px.DataFrame('http_events'))", {
        now,
        limits: { maxResultBytes: 10_000 },
      }),
    ).rejects.toThrow(/results take more than 0 MiB \(pxl.maxResultMb\)/);
  });

  it('refuses plans that unfold past the operator limit, at the display', async () => {
    const merges = Array.from({ length: 14 }, () => 'df = df.append(df)').join('\n');
    const script = `import px\ndf = px.DataFrame('http_events', select=['upid'])\n${merges}\npx.display(df)`;
    expect(() => fx.engine.compile(script)).toThrow(/more than 5000 operators/);
  });

  it('sees rows stored after an earlier run of the same script, in new segments too', async () => {
    const script =
      "import px\npx.display(px.DataFrame('http_events').agg(n=('latency', px.count)))";
    const before = (await fx.run(script, { now }))['output']!.rows[0]![0] as bigint;
    await fx.insert('http_events', httpJson(httpEvents(2500, 99)));
    const after = (await fx.run(script, { now }))['output']!.rows[0]![0] as bigint;
    expect(after - before).toBe(2500n);
  });

  it('names an unknown column with its line and column, and suggests the nearest one', async () => {
    const err = await fx
      .run("import px\ndf = px.DataFrame('http_events')\ndf = df[df.latncy > 1]\npx.display(df)", {
        now,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PxlError);
    expect((err as PxlError).message).toMatch(
      /^column "latncy" is not in the DataFrame; did you mean "latency"\?/,
    );
    expect([(err as PxlError).line, (err as PxlError).column]).toEqual([3, 9]);
  });
});
