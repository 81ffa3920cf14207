import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildGateway, Loader, NODES, startChildGateways } from '../support/cluster-children';
import { clusterStatus } from '../support/cluster-gateways';
import { RunningNats, natsUnavailable, startNats } from '../support/nats';
import { OtlpReceiver, attributesOf, spansOf, startOtlpReceiver } from '../support/otlp-receiver';
import { RunningPrometheus, prometheusUnavailable, startPrometheus } from '../support/prometheus';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

const REQUESTS = 'http_server_request_duration_seconds_count';

/** Requests per status code in Prometheus, summed over partitions as a user sums them. */
async function countsByStatus(prom: RunningPrometheus): Promise<Record<string, number>> {
  const rows = await prom.query(`sum by (http_response_status_code) (${REQUESTS})`);
  return Object.fromEntries(rows.map((r) => [r.metric.http_response_status_code!, r.value]));
}

/** The exported spans: each one's id (hex) and the partition (node) its row came from. */
function spansByNode(receiver: OtlpReceiver): { id: string; node: string }[] {
  return spansOf(receiver.accepted).map(({ span }) => {
    const path = String(attributesOf(span.attributes)['url.path']);
    const batch = Number(/^\/batch\/(\d+)\//.exec(path)?.[1]);
    return { id: Buffer.from(span.spanId).toString('hex'), node: NODES[batch % NODES.length]! };
  });
}

describeIfAvailable(
  'exports from three gateways of a cluster to a real Prometheus',
  natsUnavailable() ?? prometheusUnavailable(),
  () => {
    let nats: RunningNats;
    let prom: RunningPrometheus;
    let receiver: OtlpReceiver;
    let dir: string;
    let gateways: ChildGateway[] = [];

    beforeAll(async () => {
      [nats, prom, receiver] = await Promise.all([
        startNats(),
        startPrometheus(),
        startOtlpReceiver(),
      ]);
      dir = mkdtempSync(join(tmpdir(), 'pxgate-cluster-exports-'));
      const config = {
        export: {
          presets: ['http-metrics', 'http-spans'],
          interval: '300ms',
          remoteWrite: { url: `${prom.url}/api/v1/write` },
          otlp: { endpoint: receiver.url },
        },
      };
      gateways = await startChildGateways(dir, nats.url, config);
    }, 90_000);

    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.process?.stop('SIGKILL')));
      await Promise.all([nats?.close(), prom?.close(), receiver?.close()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('exports every request once, counted per status code, across a gateway killed with SIGKILL mid-run', async () => {
      const [gw1, gw2] = gateways as [ChildGateway, ChildGateway, ChildGateway];
      let heldSpans = 0;
      const loader = new Loader(gateways.map((g) => g.url));
      try {
        // gw-2 has exported some of its partitions' rows before it dies.
        await waitFor(
          () => prom.query(`count(${REQUESTS}) by (pxgate_partition)`),
          (series) => series.length >= 6,
          { timeoutMs: 30_000, what: 'series of six partitions in Prometheus' },
        );
        const before = await clusterStatus(gw1.url);
        const held = before.partitions.filter((p) => p.owner === 'gw-2').map((p) => p.name);
        expect(held.length).toBeGreaterThan(0);
        // gw-2 has delivered many runs of its partitions' spans (one run is some 300 ms of them).
        await waitFor(
          () => spansByNode(receiver).filter((s) => held.includes(s.node)).length,
          (n) => n >= 1000,
          { timeoutMs: 60_000, what: "1,000 spans of gw-2's partitions exported" },
        );
        expect(await gw2.process!.stop('SIGKILL')).toBeNull();
        heldSpans = new Set(
          spansByNode(receiver)
            .filter((s) => held.includes(s.node))
            .map((s) => s.id),
        ).size;
        await waitFor(
          () => clusterStatus(gw1.url),
          (s) => s.partitions.every((p) => p.owner === 'gw-1' || p.owner === 'gw-3'),
          { timeoutMs: 15_000, what: "gw-2's partitions moved" },
        );
        const acked = loader.ackedBatches;
        await waitFor(
          () => loader.ackedBatches,
          (n) => n >= acked + 60,
          { timeoutMs: 30_000, what: '60 more batches acknowledged' },
        );
      } finally {
        await loader.stop();
      }
      const want = Object.fromEntries(
        [...loader.ackedByStatus].map(([status, n]) => [String(status), n]),
      );
      const got = await waitFor(
        () => countsByStatus(prom),
        (counts) =>
          JSON.stringify(counts, Object.keys(want).sort()) ===
          JSON.stringify(want, Object.keys(want).sort()),
        { timeoutMs: 30_000, what: `Prometheus counting ${JSON.stringify(want)}` },
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}; it counts ${JSON.stringify(await countsByStatus(prom))}`);
      });
      expect(got).toEqual(want);
      // Every row is one span; a row goes twice only when gw-2 died between its sink taking a
      // delivery and the cursor's write (then one run's spans of its partitions, same ids).
      const spans = await waitFor(
        () => spansByNode(receiver),
        (all) => new Set(all.map((s) => s.id)).size >= loader.ackedRows,
        { timeoutMs: 30_000, what: `${loader.ackedRows} distinct spans` },
      );
      expect(new Set(spans.map((s) => s.id)).size).toBe(loader.ackedRows);
      const twice = spans.length - loader.ackedRows;
      expect(twice).toBeLessThan(heldSpans / 2);
      // One series per partition and status code, none naming a gateway.
      const series = await prom.query(REQUESTS);
      expect(new Set(series.map((s) => s.metric.pxgate_partition))).toEqual(
        new Set(NODES.filter((n) => series.some((s) => s.metric.pxgate_partition === n))),
      );
      for (const s of series) {
        expect(Object.values(s.metric).some((v) => /^gw-\d$/.test(v))).toBe(false);
      }
    }, 180_000);
  },
);
