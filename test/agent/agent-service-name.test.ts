import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ebpfUnavailable } from '../support/ebpf';
import { OtlpReceiver, spansOf, startOtlpReceiver } from '../support/otlp-receiver';
import { RunningPrometheus, prometheusUnavailable, startPrometheus } from '../support/prometheus';
import { describeIfAvailable } from '../support/system';
import { TracedGateway } from '../support/traced-gateway';
import { waitFor } from '../support/wait';

const FIXTURES = join(__dirname, '..', 'fixtures', 'agent');
const SPAN_KIND_SERVER = 2;

/** Starts the fixture's Node HTTP server; resolves with its port as soon as it listens. */
async function startNodeServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(FIXTURES, 'node-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

async function get(port: number, path: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close' } });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

describeIfAvailable(
  'one traced process, one service.name in every export',
  ebpfUnavailable() ?? prometheusUnavailable(),
  () => {
    let px: TracedGateway;
    let prometheus: RunningPrometheus;
    let otlp: OtlpReceiver;
    let server: { child: ChildProcess; port: number } | undefined;

    beforeAll(async () => {
      prometheus = await startPrometheus();
      otlp = await startOtlpReceiver();
      // The periodic /proc scan is a minute apart, so a process that serves at once is
      // described long after its first rows unless the agent describes it as it first sees it.
      px = await TracedGateway.start(
        [
          '  processInterval: 60s',
          'export:',
          '  interval: 1s',
          '  presets: [http-metrics, http-spans]',
          '  otlp:',
          `    endpoint: ${otlp.url}`,
          '  remoteWrite:',
          `    url: ${prometheus.url}/api/v1/write`,
          '',
        ].join('\n'),
      );
    }, 60_000);

    afterAll(async () => {
      if (server?.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await once(server.child, 'exit');
      }
      expect(await px?.stop()).toBe(0);
      await otlp?.close();
      await prometheus?.close();
    });

    it("exports a fresh process's first requests and its later ones under the same job, target_info and span resource", async () => {
      server = await startNodeServer();
      const { port } = server;
      // Served at once: before any periodic scan could have seen the process.
      for (let i = 0; i < 3; i++) await get(port, `/first/${i}`);

      // The server's UPID (the instance of its series), and the moment the gateway knows the
      // process's command line; then more requests, now that it is known.
      const upidScript = `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df[df.local_port == ${port}]
df = df[df.trace_role == 2]
df.instance = px.upid_to_string(df.upid)
df.cmdline = df.ctx['cmdline']
px.display(df[['instance', 'cmdline']], 'rows')`;
      const known = await waitFor(
        async () => (await px.pxl(upidScript)).rows!,
        (rows) => rows.length >= 3 && rows.every((r) => r.cmdline !== ''),
        { timeoutMs: 90_000, intervalMs: 250, what: "the server's rows with its command line" },
      );
      const instance = String(known[0]!.instance);
      expect(known[0]!.cmdline).toContain('node-server.js');
      for (let i = 0; i < 3; i++) await get(port, `/later/${i}`);

      // Prometheus (remote-write): all six requests counted, under one job.
      const selector = `http_server_request_duration_seconds_count{instance="${instance}"}`;
      await waitFor(
        async () => (await prometheus.query(`sum(${selector})`))[0]?.value ?? 0,
        (n) => n === 6,
        { timeoutMs: 30_000, intervalMs: 250, what: `six requests of ${instance} in Prometheus` },
      );
      const jobs = await prometheus.query(`count by (job) (${selector})`);
      expect(jobs.map((j) => j.metric.job)).toEqual(['unknown_service:node']);
      const targets = await prometheus.query(`target_info{instance="${instance}"}`);
      expect(targets.map((t) => t.metric.job)).toEqual(['unknown_service:node']);

      // OTLP spans: six server spans, every one with the same service.name.
      const spans = await waitFor(
        () =>
          spansOf(otlp.accepted).filter(
            (s) =>
              s.resource['service.instance.id'] === instance && s.span.kind === SPAN_KIND_SERVER,
          ),
        (s) => s.length === 6,
        { timeoutMs: 30_000, intervalMs: 250, what: `six server spans of ${instance}` },
      );
      expect([...new Set(spans.map((s) => s.resource['service.name']))]).toEqual([
        'unknown_service:node',
      ]);
    }, 180_000);
  },
);
