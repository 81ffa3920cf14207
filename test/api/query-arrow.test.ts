import express from 'express';
import { silentLogger } from '../../shared/common/logger';
import { ARROW_STREAM_TYPE } from '../../shared/contract/query-arrow';
import { errorHandler } from '../../gateway/src/api/errors';
import { queryRoutes } from '../../gateway/src/api/routes/query';
import { QueryRunner } from '../../gateway/src/cluster/query/cluster-queries';
import { RunOptions } from '../../gateway/src/pxl/prepare';
import { bundledScripts, goldenQueries, splitWorld } from '../support/cluster-query';
import { ARROW_TYPE, Decoded, decodeArrow, rowSet } from '../support/arrow-answer';
import { serveApp } from '../support/http-app';
import { BASE_NS, PxlFixture } from '../support/pxl';

const NOW = BASE_NS + 120_000_000_000n;
const OPTS: RunOptions = { now: NOW, pluginWindow: { startNs: BASE_NS, endNs: NOW } };

/** Rows whose strings are multibyte UTF-8 (two, three and four bytes a character), and long. */
const UNICODE_ROWS = [
  '/caf\u00e9',
  '/\u65e5\u672c\u8a9e/\u30d1\u30b9',
  '/\u{1f600}',
  `/${'\u00fc'.repeat(40)}`,
];

/** Shapes the bundled scripts may not cover: nulls of every type, empty tables, big integers. */
const EXTRA = [
  {
    name: 'nulls of every type, from a left join without a match',
    text: `import px
a = px.DataFrame('http_events', select=['req_method', 'latency'])
a = a.groupby('req_method').agg(n=('latency', px.count))
b = px.DataFrame('http_events', select=['req_method', 'time_', 'resp_status', 'upid'])
b = b[b.resp_status == 999]
b.failed = b.resp_status > 500
b.ratio = b.resp_status / 3.0
px.display(a.merge(b, how='left', left_on='req_method', right_on='req_method', suffixes=['', '_b']), 'joined')`,
  },
  {
    name: 'an empty table',
    text: `import px
df = px.DataFrame('http_events')
px.display(df[df.resp_status == 999], 'empty')`,
  },
  {
    name: 'multibyte strings, a float that divides by zero, and integers past 2^53',
    text: `import px
df = px.DataFrame('http_events')
df = df[px.contains(df.req_path, '/caf') or px.contains(df.req_path, '/\u65e5') or px.contains(df.req_path, '/\u{1f600}') or px.contains(df.req_path, '/\u00fc')]
df.zero = df.latency - df.latency
df.inf = df.latency / df.zero
df.big = df.latency * 10000000000000
px.display(df[['time_', 'req_path', 'zero', 'inf', 'big', 'upid']], 'unicode')`,
  },
];

describe('POST /v1/query answered as Arrow', () => {
  let fx: PxlFixture;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    [fx] = (await splitWorld(1)) as [PxlFixture];
    await fx.insert(
      'http_events',
      UNICODE_ROWS.map((req_path, i) => ({
        time_: String(BASE_NS + BigInt(i) * 1000n),
        upid: '1:65536:77',
        req_method: 'GET',
        req_path,
        resp_status: 200,
        latency: 1000 + i,
      })),
    );
    // The route as the gateway mounts it, on an engine whose clock is pinned to the data's.
    const runner: QueryRunner = {
      run: (script, opts) => fx.engine.run(script, { ...opts, ...OPTS }),
      runColumns: (script, opts) => fx.engine.runColumns(script, { ...opts, ...OPTS }),
    };
    const app = express();
    app.use(queryRoutes(runner));
    app.use(errorHandler(silentLogger()));
    server = await serveApp(app);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await fx?.close();
  });

  const ask = (script: string, accept: string) =>
    fetch(`${server.url}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ script }),
    });

  const cases = [...bundledScripts(), ...goldenQueries(), ...EXTRA].map((s) => [s.name, s.text]);
  const seen = { rows: 0, nulls: 0, unicode: 0, empty: 0 };

  it.each(cases)(
    '%s: the Arrow answer holds the tables of the JSON answer, value for value',
    async (_name, text) => {
      const json = await ask(text!, 'application/json');
      expect(json.status).toBe(200);
      const want = (await json.json()) as {
        tables: { name: string; columns: Decoded['columns']; rows: unknown[][] }[];
        exports?: { table: { name: string; rows: unknown[][] } }[];
      };
      const arrow = await ask(text!, ARROW_STREAM_TYPE);
      expect(arrow.status).toBe(200);
      expect(arrow.headers.get('content-type')).toBe(ARROW_STREAM_TYPE);
      const got = decodeArrow(new Uint8Array(await arrow.arrayBuffer()));
      const wantTables = [...want.tables, ...(want.exports ?? []).map((e) => e.table)];
      expect(got.map((t) => t.rows.length)).toEqual(wantTables.map((t) => t.rows.length));
      got.forEach((t, i) => {
        const w = want.tables[i];
        if (w) {
          expect(t.name).toBe(w.name);
          expect(t.columns).toEqual(
            w.columns.map((c) => ({
              name: c.name,
              type: c.type,
              semanticType: c.semanticType,
              arrowType: ARROW_TYPE[c.type],
            })),
          );
        }
        expect(rowSet(t.rows)).toEqual(rowSet(wantTables[i]!.rows));
        seen.rows += t.rows.length;
        if (t.rows.length === 0) seen.empty++;
        for (const row of t.rows) {
          if (row.includes(null)) seen.nulls++;
          if (row.some((v) => typeof v === 'string' && /[\u0080-\uffff]/.test(v))) seen.unicode++;
        }
      });
    },
    60_000,
  );

  it('compared rows with nulls, multibyte strings and empty tables among them', () => {
    expect(seen.rows).toBeGreaterThan(1000);
    expect(seen.nulls).toBeGreaterThan(0);
    expect(seen.unicode).toBeGreaterThanOrEqual(UNICODE_ROWS.length);
    expect(seen.empty).toBeGreaterThan(0);
  });

  it('answers a script error as JSON with its line and column, whatever Accept says', async () => {
    const res = await ask(
      'import px\npx.display(px.DataFrame("no_such_table"))',
      ARROW_STREAM_TYPE,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: {
        message: expect.stringContaining('no_such_table'),
        line: 2,
        column: expect.any(Number),
      },
    });
  });

  it('keeps the row limit of a JSON answer: a table one row over it fails the same way', async () => {
    const script = `#px:set max_output_rows_per_table=10
import px
px.display(px.DataFrame('http_events').head(11), 't')`;
    const [json, arrow] = [
      await ask(script, 'application/json'),
      await ask(script, ARROW_STREAM_TYPE),
    ];
    expect(arrow.status).toBe(422);
    expect(json.status).toBe(422);
    expect(await arrow.json()).toEqual(await json.json());
    const fits = await ask(script.replace('head(11)', 'head(10)'), ARROW_STREAM_TYPE);
    expect(decodeArrow(new Uint8Array(await fits.arrayBuffer()))[0]!.rows).toHaveLength(10);
  });

  it('answers JSON to a caller that prefers it or says nothing', async () => {
    const script = "import px\npx.display(px.DataFrame('http_events').head(1), 't')";
    for (const accept of ['*/*', `application/json, ${ARROW_STREAM_TYPE};q=0.5`]) {
      const res = await ask(script, accept);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });
});
