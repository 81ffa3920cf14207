import { ResultTable } from '../../gateway/src/pxl/execute/result';
import { startThreeGateways, storedValues } from '../support/cluster-gateways';
import { bundledScripts, expectSameTable } from '../support/cluster-query';
import { TestGateway, postJson } from '../support/gateway';
import { RunningNats, natsUnavailable } from '../support/nats';
import { httpEvents, httpJson } from '../support/pxl';
import { describeIfAvailable } from '../support/system';
import { decodeArrow, rowSet } from '../support/arrow-answer';
import { ARROW_STREAM_TYPE } from '../../shared/contract/query-arrow';
import { waitFor } from '../support/wait';

const NODES = ['node-0', 'node-1', 'node-2', 'node-3', 'node-4'];
const ROWS = 600;
const BATCH = 50;
const WARM_UP = "import px\npx.display(px.DataFrame('http_events').head(1), 'w')";
const SCRIPTS = ['http_data.pxl', 'http_errors.pxl', 'service_stats.pxl', 'service_map.pxl'];

/** The tables of a /v1/query answer, as result tables (JSON numbers stay numbers). */
function tablesOf(body: { tables: ResultTable[] }): ResultTable[] {
  return body.tables;
}

describeIfAvailable('POST /v1/query at any of three gateways on NATS', natsUnavailable(), () => {
  let nats: RunningNats;
  let gateways: TestGateway[] = [];
  let reference: TestGateway;

  beforeAll(async () => {
    ({ nats, gateways, reference } = await startThreeGateways());
    // The last minute's requests, posted in batches to the gateways in turn, each batch from a node.
    const start = BigInt(Date.now() - 60_000) * 1_000_000n;
    const rows = httpJson(httpEvents(ROWS, 5, 50_000_000_000n)).map((r, i) => ({
      ...r,
      time_: String(start + BigInt(i) * 80_000_000n),
    }));
    for (let b = 0; b * BATCH < rows.length; b++) {
      const batch = rows.slice(b * BATCH, (b + 1) * BATCH);
      const node = NODES[b % NODES.length]!;
      const res = await postJson(
        `${gateways[b % gateways.length]!.url}/v1/ingest`,
        { table: 'http_events', rows: batch },
        { 'x-pxgate-node': node, 'x-pxgate-batch-id': `b-${b}` },
      );
      expect(res.status).toBe(200);
      expect(
        (await postJson(`${reference.url}/v1/ingest`, { table: 'http_events', rows: batch }))
          .status,
      ).toBe(200);
    }
    await waitFor(
      async () => {
        const parts = await Promise.all(
          gateways.map((g) => storedValues(g.gateway, 'SELECT count(*) FROM http_events')),
        );
        return parts.reduce((n, p) => n + Number(p[0]), 0);
      },
      (n) => n === ROWS,
      { timeoutMs: 30_000, what: 'every row in its owner\u2019s store' },
    );
    // Under ts-node a compile worker takes seconds to start: a query at each gateway starts
    // them, until one answers from every gateway.
    for (const gw of gateways) {
      await waitFor(
        () => postJson(`${gw.url}/v1/query`, { script: WARM_UP }),
        (res) => res.status === 200 && res.body.warnings === undefined,
        { timeoutMs: 120_000, intervalMs: 200, what: `a whole answer from ${gw.url}` },
      );
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all([...gateways, reference].map((g) => g?.close()));
    await nats?.close();
  });

  const scripts = bundledScripts().filter((s) => SCRIPTS.includes(s.name));
  const cases = scripts.flatMap((s) => [0, 1, 2].map((g) => [s.name, g, s.text] as const));

  it.each(cases)(
    '%s at gateway %i equals one gateway\u2019s answer',
    async (_name, g, script) => {
      const want = await postJson(`${reference.url}/v1/query`, { script });
      const got = await postJson(`${gateways[g]!.url}/v1/query`, { script });
      expect(want.status).toBe(200);
      expect(got.status).toBe(200);
      expect(got.body.warnings).toBeUndefined();
      const how = {
        quantiles: script.includes('px.quantiles'),
        ordered: !script.includes('.merge('),
      };
      const [gt, wt] = [tablesOf(got.body), tablesOf(want.body)];
      expect(gt.map((t) => t.name)).toEqual(wt.map((t) => t.name));
      gt.forEach((t, i) => expectSameTable(t, wt[i]!, how));
      expect(wt.some((t) => t.rows.length > 0)).toBe(true);
    },
    60_000,
  );

  it('answers a script\u2019s mistake with 400, its line and column, as one gateway does', async () => {
    const script = "import px\npx.display(px.DataFrame('http_events').nope, 'x')";
    const got = await postJson(`${gateways[1]!.url}/v1/query`, { script });
    const want = await postJson(`${reference.url}/v1/query`, { script });
    expect(got.status).toBe(400);
    expect(got.body).toEqual(want.body);
  });

  it('answers Arrow across the gateways with the rows of its JSON answer', async () => {
    const script = `import px
df = px.DataFrame('http_events')
px.display(df.groupby(['req_method', 'resp_status']).agg(n=('latency', px.count)), 'by_status')
px.display(df[['time_', 'upid', 'req_path', 'latency']], 'rows')`;
    const ask = (accept: string) =>
      fetch(`${gateways[2]!.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ script }),
      });
    const json = (await (await ask('application/json')).json()) as {
      tables: { name: string; rows: unknown[][] }[];
    };
    const arrow = await ask(ARROW_STREAM_TYPE);
    expect(arrow.headers.get('content-type')).toBe(ARROW_STREAM_TYPE);
    expect(arrow.headers.get('x-pxgate-warnings')).toBeNull();
    const got = decodeArrow(new Uint8Array(await arrow.arrayBuffer()));
    expect(got.map((t) => t.name)).toEqual(['by_status', 'rows']);
    expect(got[1]!.rows).toHaveLength(ROWS);
    got.forEach((t, i) => expect(rowSet(t.rows)).toEqual(rowSet(json.tables[i]!.rows)));
  });
});
