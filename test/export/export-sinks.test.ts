import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TestGateway,
  capturingLogger,
  getJson,
  ingest,
  startTestGateway,
} from '../support/gateway';
import { exposedSum } from '../support/metrics';
import { OtlpReceiver, latestHistogramCount, startOtlpReceiver } from '../support/otlp-receiver';
import { freePort } from '../support/prometheus';
import { httpEvents, httpJson } from '../support/pxl';
import { waitFor } from '../support/wait';

/**
 * The export interval of these tests. The finding was a remote-write receiver down for minutes
 * freezing the other sinks for as long; the property tested is "a dead sink delays the others
 * by no more than one interval", so a short interval shows it in seconds of real time.
 */
const INTERVAL_MS = 1000;
/** What a run takes on a busy two-core machine, on top of the interval (read, encode, send). */
const RUN_ALLOWANCE_MS = 700;

/** Server-side requests (trace_role 2) among generated events: what the server histogram counts. */
function batch(n: number, seed: number) {
  const events = httpEvents(n, seed);
  return { rows: httpJson(events), served: events.filter((e) => e.trace_role === 2).length };
}

const exposedCount = (url: string) => exposedSum(url, 'http_server_request_duration_seconds_count');

/** A remote-write URL where nothing listens: every attempt is refused, as with a receiver that is down. */
async function deadRemoteWrite() {
  return {
    url: `http://127.0.0.1:${await freePort()}/api/v1/write`,
    // Retried for 60 s, as a receiver down for a minute keeps a request: longer than the test.
    retry: { initialInterval: '200ms', maxInterval: '1s', maxElapsed: '60s' },
  };
}

describe('sinks that do not stall each other', () => {
  let gw: TestGateway | undefined;
  let otlp: OtlpReceiver | undefined;
  /**
   * Runs one script, so that a compile worker is up: under ts-node (the tests) a worker takes
   * seconds to start, and these tests time the sinks' intervals and drain, not the first compile.
   */
  const warmCompiler = (g: TestGateway) =>
    g.gateway.pxl.run("import px\npx.display(px.DataFrame(table='http_events').head(1))");

  afterEach(async () => {
    await gw?.close();
    await otlp?.close();
    gw = otlp = undefined;
  });

  it('keeps exporting to OTLP and /metrics every interval while remote-write is down', async () => {
    otlp = await startOtlpReceiver();
    gw = await startTestGateway({
      export: {
        presets: ['http-metrics'],
        interval: `${INTERVAL_MS}ms`,
        drainTimeout: '1s',
        otlp: { endpoint: otlp.url },
        remoteWrite: await deadRemoteWrite(),
      },
    });
    await warmCompiler(gw);
    let served = 0;
    for (let i = 0; i < 5; i++) {
      const b = batch(40, 100 + i);
      await ingest(gw.url, 'http_events', b.rows);
      served += b.served;
      // Within one interval of the schedule (the next run) plus at most one more.
      const within = { timeoutMs: 2 * INTERVAL_MS + RUN_ALLOWANCE_MS, intervalMs: 20 };
      await waitFor(
        () => latestHistogramCount(otlp!, 'http.server.request.duration'),
        (n) => n === served,
        {
          ...within,
          what: `OTLP counting ${served} requests after batch ${i + 1}`,
        },
      );
      await waitFor(
        () => exposedCount(gw!.url),
        (n) => n === served,
        {
          ...within,
          what: `/metrics counting ${served} requests after batch ${i + 1}`,
        },
      );
    }

    const { body } = await getJson(`${gw.url}/v1/exports`);
    const job = body.jobs[0];
    expect(job.runs).toBeGreaterThanOrEqual(5);
    const rw = job.sinks.find((s: any) => s.sink === 'remote-write');
    // Its first batch is still being retried; its cursor has not moved, the others' have.
    expect(rw).toMatchObject({ cursor: 0, sending: { items: expect.any(Number) } });
    expect(rw.behindRows).toBe(gw.gateway.store.lastSeq());
    expect(job.sinks.find((s: any) => s.sink === 'otlp').cursor).toBe(gw.gateway.store.lastSeq());
    const sink = body.sinks.find((s: any) => s.sink === 'remote-write');
    expect(sink).toMatchObject({
      lastSuccessAt: null,
      lastError: { message: expect.stringMatching(/ECONNREFUSED/), at: expect.any(String) },
      queue: { requests: 1, items: expect.any(Number), bytes: expect.any(Number) },
    });
    expect(sink.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(body.sinks.find((s: any) => s.sink === 'otlp')).toMatchObject({
      consecutiveFailures: 0,
      lastError: null,
      lastSuccessAt: expect.any(String),
    });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^pxgate_exporter_consecutive_failures\{sink="remote-write"\} [2-9]\d*$/m,
    );
    const runs = /^pxgate_export_runs_total\{job="http-metrics"\} (\d+)$/m.exec(metrics);
    expect(Number(runs?.[1])).toBeGreaterThanOrEqual(5);
    expect(metrics).toContain(
      `pxgate_export_behind_rows{job="http-metrics",sink="remote-write"} ${gw.gateway.store.lastSeq()}`,
    );
  });

  it.each([
    ['in memory', false, /are lost: they were held only in memory/],
    [
      'with a data directory',
      true,
      /stay in the data directory, and the next start with it exports them/,
    ],
  ])(
    'shut down %s within export.drainTimeout with a dead sink, saying what becomes of its rows',
    async (_how, durable, message) => {
      otlp = await startOtlpReceiver();
      const { log, lines } = capturingLogger();
      gw = await startTestGateway(
        {
          ...(durable ? { store: { dataDir: mkdtempSync(join(tmpdir(), 'pxgate-data-')) } } : {}),
          export: {
            presets: ['http-metrics'],
            interval: '1h',
            drainTimeout: '2s',
            otlp: { endpoint: otlp.url },
            remoteWrite: await deadRemoteWrite(),
          },
        },
        log,
      );
      await warmCompiler(gw);
      const b = batch(30, 7);
      await ingest(gw.url, 'http_events', b.rows);
      const started = Date.now();
      await gw.close();
      gw = undefined;
      // The deadline holds for the last run and the sinks' drain together (it was twice over).
      expect(Date.now() - started).toBeLessThan(2000 + 900);
      expect(latestHistogramCount(otlp, 'http.server.request.duration')).toBe(b.served);
      const report = lines.filter((l) => l.sink === 'remote-write' && l.rows !== undefined);
      expect(report).toEqual([
        expect.objectContaining({ msg: expect.stringMatching(message), rows: 30 }),
      ]);
      expect(lines.filter((l) => l.sink === 'otlp' && l.rows !== undefined)).toEqual([]);
      expect(lines.map((l) => String(l.msg))).not.toContainEqual(
        expect.stringMatching(/read again next run/),
      );
    },
  );
});
