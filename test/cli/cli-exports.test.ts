import { TestGateway, getJson, ingest, startTestGateway } from '../support/gateway';
import { runCli } from '../support/cli';
import { OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver';
import { freePort } from '../support/prometheus';
import { httpEvents, httpJson } from '../support/pxl';

describe('pxgate exports', () => {
  let gw: TestGateway;
  let otlp: OtlpReceiver;
  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    gw = await startTestGateway({
      export: {
        presets: ['http-metrics'],
        interval: '1h',
        drainTimeout: '1s',
        otlp: { endpoint: otlp.url },
        remoteWrite: {
          url: `http://127.0.0.1:${await freePort()}/api/v1/write`,
          retry: { initialInterval: '50ms', maxInterval: '50ms', maxElapsed: '200ms' },
        },
      },
    });
    await ingest(gw.url, 'http_events', httpJson(httpEvents(20)));
    await gw.gateway.exports.runAll();
  });
  afterAll(async () => {
    await gw.close();
    await otlp.close();
  });

  it('prints each job, each job at each sink and each sink, with the error of the one that fails', async () => {
    const out = await runCli(['exports', '--gateway', gw.url]);
    const [jobs, targets, sinks] = out.trimEnd().split('\n\n');
    expect(jobs!.split('\n')[0]).toMatch(/^job\s+kind\s+every\s+runs\s+script errors\s+last run$/);
    expect(jobs).toMatch(/^http-metrics\s+preset\s+3600s\s+1\s+0\s+\d+s ago: 20 rows$/m);
    // Each header stands over its values: a failure count, the drops, then the last error.
    expect(targets!.split('\n')[0]).toMatch(/\slast success\s+failures\s+dropped\s+last error$/);
    const line = (text: string, start: string) =>
      text.split('\n').find((l) => l.startsWith(start))!;
    expect(line(targets!, 'http-metrics  otlp')).toMatch(/\s20\s+0\s+-\s+\d+s ago\s+0\s+-\s+-$/);
    const target = line(targets!, 'http-metrics  remote-write').match(
      /\s0\s+20\s+-\s+never\s+(\d+)\s+-\s+gave up after \d+ attempt\(s\).*ECONNREFUSED.* \(\d+s ago\)$/,
    );
    const sink = line(sinks!, 'remote-write').match(
      /0 requests, 0 items, 0 B of 64\.0 MiB\s+never\s+(\d+)\s+-\s+POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write failed: connect ECONNREFUSED/,
    );
    // One job sends to remote-write: its row and the sink's count the same failed attempts.
    expect(Number(target?.[1])).toBeGreaterThan(0);
    expect(target?.[1]).toBe(sink?.[1]);
    expect(line(sinks!, 'prometheus')).toMatch(/^prometheus\s+\d+\s+-\s+\d+s ago\s+0\s+-\s+-$/);
  });

  it('prints the same numbers as JSON with --format json', async () => {
    const out = JSON.parse(await runCli(['exports', '--gateway', gw.url, '--format', 'json']));
    expect(out).toEqual((await getJson(`${gw.url}/v1/exports`)).body);
    expect(out.sinks.map((s: any) => s.sink)).toEqual(['otlp', 'remote-write', 'prometheus']);
  });
});
