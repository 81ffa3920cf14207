import { Registry } from 'prom-client';
import { silentLogger } from '../../../shared/common/logger';
import { validateConfig } from '../../../cli/config/load';
import { PxlFixture, httpEvents, httpJson, pxlFixture } from '../../../test/support/pxl';
import { spansOf, startOtlpReceiver } from '../../../test/support/otlp-receiver';
import {
  RemoteWriteReceiver,
  startRemoteWriteReceiver,
} from '../../../test/support/remote-write-receiver';
import { waitFor } from '../../../test/support/wait';
import { SinkSet } from '../exporters/sink-set';
import { CumulativeState } from './otel/cumulative-state';
import { ExportJob, PartitionSource } from './export-job';
import { metricsOf } from '../../../test/support/otlp-receiver';
import { PartitionLog } from '../cluster/partition-log';

/** Spans of every row of http_events; with an endpoint, a second export of them goes there too. */
const spansScript = (endpoint?: string) => {
  const exportTo = (target: string) => `px.export(df, px.otel.Data(
    resource={'service.name': 'checkout'},
    data=[px.otel.trace.Span(name=df.req_path, start_time=df.start, end_time=df.time_)],
    ${target}
))`;
  return [
    'import px',
    "df = px.DataFrame(table='http_events', start_time=px.plugin.start_time)",
    'df.start = df.time_ - df.latency',
    exportTo(''),
    ...(endpoint ? [exportTo(`endpoint=px.otel.Endpoint(url='${endpoint}'),`)] : []),
  ].join('\n');
};

/** Retries every 10 ms for `maxElapsed`: a receiver that refuses fails a delivery quickly. */
const retry = (maxElapsed: string) => ({
  retry: { initialInterval: '10ms', maxInterval: '10ms', maxElapsed },
});

describe('ExportJob', () => {
  let fx: PxlFixture;
  let sinks: SinkSet | undefined;
  const receivers: { close(): Promise<void> }[] = [];
  const otlpReceiver = async (...args: Parameters<typeof startOtlpReceiver>) => {
    const r = await startOtlpReceiver(...args);
    receivers.push(r);
    return r;
  };
  const remoteWriteReceiver = async () => {
    const r: RemoteWriteReceiver = await startRemoteWriteReceiver();
    receivers.push(r);
    return r;
  };
  const ingest = (n: number, seed: number) =>
    fx.insert('http_events', httpJson(httpEvents(n, seed)));

  /** A job over the fixture's store, with sinks made from `exportConfig`, started. */
  const job = (
    script: string,
    exportConfig: Record<string, unknown>,
    maxRowsPerRun = 100_000,
  ): ExportJob => {
    const config = validateConfig({ export: { prometheus: { enabled: false }, ...exportConfig } });
    sinks = SinkSet.create(config.export, new Registry(), silentLogger());
    sinks.start();
    return new ExportJob(
      { name: 'spans', kind: 'script', script, intervalMs: 3_600_000 },
      { maxRowsPerRun, maxSeries: 1000, seriesIdleTimeoutMs: 3_600_000, limits: {} },
      { engine: fx.engine, store: fx.store, sinks, log: silentLogger() },
    );
  };

  beforeEach(async () => {
    fx = await pxlFixture();
  });
  afterEach(async () => {
    await sinks?.shutdown(Date.now());
    sinks = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await fx.close();
  });

  it('sends each row once: a run reads only the rows ingested since the sink took the last ones', async () => {
    const otlp = await otlpReceiver();
    const j = job(spansScript(), { otlp: { endpoint: otlp.url } });
    await ingest(10, 1);
    expect(await j.run()).toMatchObject({ outcome: 'ok', rows: 10, spans: 10, behind: false });
    expect(j.cursors()).toEqual([fx.store.lastSeq()]);
    expect(await j.run()).toMatchObject({ outcome: 'ok', rows: 0, spans: 0 });
    await ingest(5, 2);
    expect(await j.run()).toMatchObject({ outcome: 'ok', rows: 5, spans: 5 });
    expect(spansOf(otlp.accepted)).toHaveLength(15);
    expect(j.cursors()).toEqual([15]);
  });

  it('reads one partition of a cluster from a stream cursor, by its rows only, and marks its points with it', async () => {
    const otlp = await otlpReceiver();
    const log = new PartitionLog();
    // Three messages applied: 10 and 12 of node-a, 11 of node-b between them in the store.
    for (const [stream, partition, n] of [
      [10, 'node-a', 4],
      [11, 'node-b', 6],
      [12, 'node-a', 3],
    ] as const) {
      const first = fx.store.lastSeq() + 1;
      await ingest(n, stream);
      log.add(partition, stream, 'http_events', first, fx.store.lastSeq());
    }
    const partition: PartitionSource & { lastSeq(): number } = {
      name: 'node-a',
      lastSeq: () => log.last('node-a'),
      span: (after, maxRows) => {
        const s = log.span('node-a', after, maxRows, 16);
        return { upTo: s.upTo, seqRange: { after: 0, upTo: fx.store.lastSeq(), runs: s.runs } };
      },
    };
    const config = validateConfig({
      export: { prometheus: { enabled: false }, otlp: { endpoint: otlp.url } },
    });
    sinks = SinkSet.create(config.export, new Registry(), silentLogger());
    sinks.start();
    const script = `${spansScript()}
df.one = 1
px.export(df, px.otel.Data(resource={'service.name': 'checkout'},
  data=[px.otel.metric.Sum(name='requests', description='', unit='1', value=df.one)]))`;
    const j = new ExportJob(
      { name: 'spans', kind: 'script', script, intervalMs: 3_600_000 },
      { maxRowsPerRun: 100_000, maxSeries: 1000, seriesIdleTimeoutMs: 3_600_000, limits: {} },
      { engine: fx.engine, store: partition, sinks, log: silentLogger(), partition },
    );
    // The cursor the previous owner left: message 10 is exported already.
    const sink = sinks.configured[0]!.name;
    await j.restore({
      keepsCursorsAhead: true,
      load: async (_job, maxSeries, idle) =>
        new Map([[sink, { cursor: 10, totals: new CumulativeState(maxSeries, idle) }]]),
      save: async () => undefined,
    });
    // Message 12's three rows, in each of the two exports.
    expect(await j.run()).toMatchObject({ outcome: 'ok', rows: 6, spans: 3 });
    expect(j.cursors()).toEqual([12]);
    const points = metricsOf(otlp.accepted).flatMap((m) => m.metric.sum.dataPoints);
    expect(points).toHaveLength(1);
    expect(points[0].attributes).toContainEqual({
      key: 'pxgate.partition',
      value: { stringValue: 'node-a' },
    });
    expect(Number(points[0].asInt ?? points[0].asDouble)).toBe(3);
  });

  it('leaves the cursor of a sink whose delivery failed, so its next run sends those rows again, while another sink moves on', async () => {
    // The configured sink refuses its first requests until its retries run out; the endpoint
    // the script names takes everything.
    let refusing = true;
    const failing = await otlpReceiver(() => (refusing ? { status: 503 } : { status: 200 }));
    const taking = await otlpReceiver();
    const j = job(spansScript(taking.url), { otlp: { endpoint: failing.url, ...retry('50ms') } });
    await ingest(10, 1);
    const first = await j.run();
    expect(first.outcome).toBe('failed');
    expect(first.error).toMatch(/^otlp: gave up after \d+ attempt\(s\)/);
    const cursor = (sink: string) => j.status().sinks.find((s) => s.sink === sink)?.cursor;
    const endpoint = `otlp:${new URL(taking.url).host}`;
    expect([cursor('otlp'), cursor(endpoint)]).toEqual([0, 10]);
    expect(spansOf(taking.accepted)).toHaveLength(10);

    refusing = false;
    await ingest(5, 2);
    // Two cursors, two reads: (0, 15] for the sink that failed, (10, 15] for the other, each
    // counted once per px.export of the script.
    expect(await j.run()).toMatchObject({ outcome: 'ok', rows: (15 + 5) * 2 });
    expect([cursor('otlp'), cursor(endpoint)]).toEqual([15, 15]);
    expect(spansOf(failing.accepted)).toHaveLength(15);
    expect(spansOf(taking.accepted)).toHaveLength(15);
  });

  it('reads at most maxRowsPerRun rows a run and says it is behind until it has caught up', async () => {
    const otlp = await otlpReceiver();
    const j = job(spansScript(), { otlp: { endpoint: otlp.url } }, 4);
    await ingest(10, 1);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await j.run());
    expect(runs.map((r) => [r.rows, r.behind])).toEqual([
      [4, true],
      [4, true],
      [2, false],
    ]);
    expect(j.cursors()).toEqual([10]);
    const names = spansOf(otlp.accepted).map((s) => s.span.name);
    expect(names).toEqual(httpEvents(10, 1).map((e) => e.req_path));
  });

  it('leaves out a sink that none of its exports reaches: spans at remote-write show no delivery and no success', async () => {
    const otlp = await otlpReceiver();
    const rw = await remoteWriteReceiver();
    const j = job(spansScript(), {
      otlp: { endpoint: otlp.url },
      remoteWrite: { url: rw.url },
    });
    // Before a run with rows the job cannot know what its script sends.
    expect(j.status().sinks.map((s) => [s.sink, s.lastSuccessAt])).toEqual([
      ['otlp', null],
      ['remote-write', null],
    ]);
    await ingest(10, 1);
    expect(await j.run()).toMatchObject({ outcome: 'ok', spans: 10 });
    expect(j.status().sinks.map((s) => s.sink)).toEqual(['otlp']);
    expect(j.readings().map((r) => r.sink)).toEqual(['otlp']);
    expect(j.unexported()).toEqual([]);
    expect(rw.requests).toBe(0);
    // Its rows are passed, not held: the next run reads nothing for it.
    expect(j.cursors()).toEqual([10, 10]);
  });

  it('counts the failed attempts of a delivery still retrying as its sink counts them', async () => {
    let refusing = true;
    const otlp = await otlpReceiver(() =>
      refusing ? { status: 503, message: 'busy' } : { status: 200 },
    );
    const j = job(spansScript(), { otlp: { endpoint: otlp.url, ...retry('20s') } });
    await ingest(3, 1);
    const tick = await j.tick();
    const [sink] = sinks!.configured;
    const sinkStatus = () => sink!.status();
    await waitFor(
      () => sinkStatus().consecutiveFailures,
      (n) => n >= 2,
      { what: 'two failed attempts' },
    );
    // Read together, on one turn of the event loop: no attempt ends between the two.
    const [target] = j.status().sinks;
    const own = sinkStatus();
    expect(target!.consecutiveFailures).toBe(own.consecutiveFailures);
    expect(target!.lastError?.message).toBe(own.lastError?.message);
    expect(target!.lastError?.message).toMatch(/503/);
    expect(target!.lastSuccessAt).toBeNull();
    refusing = false;
    expect(await Promise.all(tick.deliveries)).toEqual([{ ok: true, spans: 3, points: 0 }]);
    expect(j.status().sinks[0]).toMatchObject({ consecutiveFailures: 0, cursor: 3 });
    expect(sinkStatus().consecutiveFailures).toBe(0);
  });
});
