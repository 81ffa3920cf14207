import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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
import { httpEvents, httpJson } from '../support/pxl';
import {
  RemoteWriteReceiver,
  latestSampleSum,
  startRemoteWriteReceiver,
} from '../support/remote-write-receiver';

const COUNT = 'http_server_request_duration_seconds_count';
const latestRemoteWriteCount = (r: RemoteWriteReceiver) => latestSampleSum(r, COUNT);
const exposedCount = (url: string) => exposedSum(url, COUNT);

/** http-metrics to `receiver` on demand, with cursors in a data directory of its own. */
function exportingTo(receiver: RemoteWriteReceiver) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pxgate-cursors-'));
  const config = {
    store: { dataDir },
    export: {
      presets: ['http-metrics' as const],
      interval: '1h',
      remoteWrite: { url: receiver.url },
    },
  };
  return { dataDir, config };
}

describe('export cursors in the data directory', () => {
  let gw: TestGateway | undefined;
  let receiver: RemoteWriteReceiver | undefined;
  afterEach(async () => {
    await gw?.close();
    await receiver?.close();
    gw = receiver = undefined;
  });

  it('carry each sink on from where it was after a restart: counters keep counting, rows are not sent twice', async () => {
    receiver = await startRemoteWriteReceiver();
    const { dataDir, config } = exportingTo(receiver);
    const first = httpEvents(60, 1);
    const served = (events: typeof first) => events.filter((e) => e.trace_role === 2).length;
    gw = await startTestGateway(config);
    await ingest(gw.url, 'http_events', httpJson(first));
    await gw.gateway.exports.runAll();
    expect(latestRemoteWriteCount(receiver)).toBe(served(first));
    expect(await exposedCount(gw.url)).toBe(served(first));
    const lastSeq = gw.gateway.store.lastSeq();
    await gw.close();
    expect(existsSync(join(dataDir, 'exports', 'http-metrics', 'remote-write.json'))).toBe(true);

    gw = await startTestGateway(config);
    const { body } = await getJson(`${gw.url}/v1/exports`);
    expect(body.jobs[0].sinks.map((s: any) => [s.sink, s.cursor])).toEqual([
      ['remote-write', lastSeq],
      ['prometheus', lastSeq],
    ]);
    // A run without new rows: the totals come back as they were, not from zero, not doubled.
    await gw.gateway.exports.runAll();
    expect(latestRemoteWriteCount(receiver)).toBe(served(first));
    expect(await exposedCount(gw.url)).toBe(served(first));
    const second = httpEvents(40, 2);
    await ingest(gw.url, 'http_events', httpJson(second));
    await gw.gateway.exports.runAll();
    expect(latestRemoteWriteCount(receiver)).toBe(served(first) + served(second));
    expect(await exposedCount(gw.url)).toBe(served(first) + served(second));
    expect(receiver.violations).toEqual([]);
  });

  it('start a sink whose cursor file is damaged from the oldest row held, with a warning', async () => {
    receiver = await startRemoteWriteReceiver();
    const { dataDir, config } = exportingTo(receiver);
    gw = await startTestGateway(config);
    await ingest(gw.url, 'http_events', httpJson(httpEvents(10, 3)));
    await gw.gateway.exports.runAll();
    await gw.close();
    writeFileSync(join(dataDir, 'exports', 'http-metrics', 'remote-write.json'), '{"version":1,');
    const { log, lines } = capturingLogger();
    gw = await startTestGateway(config, log);
    const sinks = (await getJson(`${gw.url}/v1/exports`)).body.jobs[0].sinks;
    expect(sinks.find((s: any) => s.sink === 'remote-write').cursor).toBe(0);
    expect(sinks.find((s: any) => s.sink === 'prometheus').cursor).toBe(gw.gateway.store.lastSeq());
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: expect.stringMatching(/ignoring an export cursor file that cannot be read/),
      }),
    );
  });
});
