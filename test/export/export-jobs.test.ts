import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestGateway, getJson, postJson, startTestGateway } from '../support/gateway';
import { OtlpReceiver, spansOf, startOtlpReceiver } from '../support/otlp-receiver';
import { waitFor } from '../support/wait';
import { httpEvents, httpJson } from '../support/pxl';

function scriptFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pxgate-export-')), 'export.pxl');
  writeFileSync(file, text);
  return file;
}

const SPANS_SCRIPT = (endpoint = '') => `import px
df = px.DataFrame(table='http_events', start_time=px.plugin.start_time)
df.service = 'checkout'
df.start = df.time_ - df.latency
px.export(df, px.otel.Data(
    resource={'service.name': df.service},
    data=[px.otel.trace.Span(name=df.req_path, start_time=df.start, end_time=df.time_,
                             attributes={'http.request.method': df.req_method})],
    ${endpoint}
))
`;

describe('export jobs', () => {
  let gw: TestGateway | undefined;
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await gw?.close();
    await receiver?.close();
    gw = receiver = undefined;
  });

  it('run on their interval without being asked', async () => {
    receiver = await startOtlpReceiver();
    gw = await startTestGateway({
      export: { presets: ['http-spans'], interval: '200ms', otlp: { endpoint: receiver.url } },
    });
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: httpJson(httpEvents(40)) });
    await waitFor(
      () => spansOf(receiver!.accepted).length,
      (spans) => spans === 40,
      { timeoutMs: 15_000, what: 'the receiver holding 40 spans' },
    );
    const { body } = await getJson(`${gw.url}/v1/exports`);
    expect(body.jobs[0]).toMatchObject({ name: 'http-spans', kind: 'preset', intervalMs: 200 });
    expect(body.jobs[0].runs).toBeGreaterThanOrEqual(1);
  });

  it('catch up on a backlog run after run, without waiting an interval for each maxRowsPerRun', async () => {
    // Found by the soak: a run after a capped read found its sinks still delivering, read
    // nothing and then waited a whole interval, so a job exported at most maxRowsPerRun rows per
    // interval (100,000 per 10 s) however fast its sinks were, and fell behind 20,000 rows/s.
    const intervalMs = 5000;
    const chunks = 6;
    // A receiver that takes a moment to answer, so the run after a capped read finds it busy.
    receiver = await startOtlpReceiver(() => ({ status: 200, delayMs: 300 }));
    gw = await startTestGateway({
      export: {
        presets: ['http-spans'],
        interval: `${intervalMs}ms`,
        maxRowsPerRun: 100,
        otlp: { endpoint: receiver.url },
      },
    });
    // A compile worker under ts-node takes seconds to start: not what is timed here.
    await gw.gateway.pxl.run("import px\npx.display(px.DataFrame(table='http_events').head(1))");
    await postJson(`${gw.url}/v1/ingest`, {
      table: 'http_events',
      rows: httpJson(httpEvents(100 * chunks)),
    });
    // Had each chunk waited for an interval, this would take five intervals after the first run;
    // it takes one (until the next scheduled run) plus the runs themselves.
    await waitFor(
      async () => (await getJson(`${gw!.url}/v1/exports`)).body.jobs[0].sinks[0],
      (sink) => sink.behindRows === 0,
      { timeoutMs: intervalMs + 8000, what: 'the sink caught up with every row' },
    );
    expect(spansOf(receiver.accepted)).toHaveLength(100 * chunks);
  });

  it('read fewer rows at a time after a run passed a limit, and still export every row', async () => {
    // Found by the soak: on a busy gateway, runs of maxRowsPerRun rows passed pxl.queryTimeout
    // every time, and the job read the same rows again and again without moving. Here a script
    // that doubles its rows passes max_output_rows_per_table (maxRowsPerRun) on a whole read.
    const file = scriptFile(`import px
df = px.DataFrame(table='http_events', start_time=px.plugin.start_time)
df.service = 'checkout'
df.start = df.time_ - df.latency
df = df.append(df)
px.export(df, px.otel.Data(
    resource={'service.name': df.service},
    data=[px.otel.trace.Span(name=df.req_path, start_time=df.start, end_time=df.time_)],
))
`);
    receiver = await startOtlpReceiver();
    gw = await startTestGateway({
      export: {
        scripts: [{ file, every: '200ms', name: 'doubled' }],
        maxRowsPerRun: 2000,
        otlp: { endpoint: receiver.url },
      },
    });
    await postJson(`${gw.url}/v1/ingest`, {
      table: 'http_events',
      rows: httpJson(httpEvents(5000)),
    });
    const job = await waitFor(
      async () => (await getJson(`${gw!.url}/v1/exports`)).body.jobs[0],
      (j) => j.sinks[0].behindRows === 0,
      { timeoutMs: 30_000, what: 'the sink caught up with every row' },
    );
    // Whole reads failed (each one counted), halved reads went through.
    expect(job.scriptErrors).toBeGreaterThanOrEqual(1);
    expect(spansOf(receiver.accepted)).toHaveLength(2 * 5000);
  });

  it('get a last run at shutdown, so rows ingested just before are exported', async () => {
    receiver = await startOtlpReceiver();
    gw = await startTestGateway({
      export: { presets: ['http-spans'], interval: '1h', otlp: { endpoint: receiver.url } },
    });
    await postJson(`${gw.url}/v1/ingest`, { table: 'http_events', rows: httpJson(httpEvents(25)) });
    expect(receiver.accepted).toHaveLength(0);
    await gw.close();
    gw = undefined;
    expect(spansOf(receiver.accepted)).toHaveLength(25);
  });

  it('send a script that names its endpoint there, and not to the configured sinks', async () => {
    receiver = await startOtlpReceiver();
    const configured = await startOtlpReceiver();
    try {
      const file = scriptFile(
        SPANS_SCRIPT(
          `endpoint=px.otel.Endpoint(url='${receiver.url}', headers={'x-team': 'payments'}),`,
        ),
      );
      gw = await startTestGateway({
        export: {
          scripts: [{ file, every: '1h', name: 'payments' }],
          otlp: { endpoint: configured.url },
        },
      });
      await postJson(`${gw.url}/v1/ingest`, {
        table: 'http_events',
        rows: httpJson(httpEvents(10)),
      });
      expect((await gw.gateway.exports.runAll()).map((o) => o.outcome)).toEqual(['ok']);
      expect(spansOf(receiver.accepted)).toHaveLength(10);
      expect(receiver.accepted[0]!.headers['x-team']).toBe('payments');
      expect(spansOf(receiver.accepted)[0]!.resource['service.name']).toBe('checkout');
      expect(configured.accepted).toHaveLength(0);
      const { body } = await getJson(`${gw.url}/v1/exports`);
      expect(body.jobs[0]).toMatchObject({ name: 'payments', kind: 'script', file });
      expect(body.jobs[0].sinks.map((s: any) => s.sink)).toContain(
        `otlp:${new URL(receiver.url).host}`,
      );
    } finally {
      await configured.close();
    }
  });

  it.each([
    [
      'a syntax error',
      'import px\ndf = px.DataFrame(table=\n',
      /export script .*export\.pxl, line 3, column \d+: /,
    ],
    [
      'no px.export',
      "import px\ndf = px.DataFrame(table='http_events')\npx.display(df)\n",
      /it has no px\.export call/,
    ],
    [
      'a resource without service.name',
      SPANS_SCRIPT().replace("resource={'service.name': df.service}", "resource={'team': 'a'}"),
      /px\.otel\.Data\(resource=\.\.\.\): 'service\.name' must be specified in resource/,
    ],
  ])('refuse to start with %s, naming the script', async (_what, text, message) => {
    const file = scriptFile(text);
    await expect(startTestGateway({ export: { scripts: [{ file }] } })).rejects.toThrow(message);
  });
});
