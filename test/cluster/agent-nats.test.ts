import { silentLogger } from '../../shared/common/logger';
import { PROCESS_STATS } from '../../shared/contract/schemas';
import { GatewaySender, SenderHooks } from '../../agent/src/transport/gateway-sender';
import { NatsTransport } from '../../agent/src/transport/nats-transport';
import { OutgoingBatch, SendQueue } from '../../agent/src/transport/send-queue';
import { TableBatcher } from '../../agent/src/transport/table-batcher';
import { TestGateway, postJson } from '../support/gateway';
import { startClusterGateway, storedValues, untilMembers } from '../support/cluster-gateways';
import { RunningNats, natsUnavailable, startNats } from '../support/nats';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

const proc = (pid: number) => ({
  upid: `0:${pid}:1`,
  pid,
  start_ticks: 1,
  cmdline: `/bin/worker-${pid}`,
  hostname: 'h',
  container_id: '',
  pod_uid: '',
  start_ns: 1,
});

describeIfAvailable('an agent publishing to the cluster stream', natsUnavailable(), () => {
  let nats: RunningNats;
  let gateways: TestGateway[] = [];

  beforeAll(async () => {
    nats = await startNats();
    gateways = await Promise.all(['gw-1', 'gw-2'].map((id) => startClusterGateway(nats.url, id)));
    await untilMembers(
      gateways.map((g) => g.url),
      ['gw-1', 'gw-2'],
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await nats?.close();
  });

  it("lands its Arrow batches in its node's owner and its process reports in every gateway", async () => {
    const sent: string[] = [];
    const hooks: SenderHooks = {
      sent: (b) => sent.push(b.label),
      rejected: (b) => sent.push(`rejected ${b.label}`),
      retried: () => undefined,
    };
    const queue = new SendQueue(1 << 20, () => undefined);
    const sender = new GatewaySender(
      queue,
      {
        gatewayUrl: 'http://127.0.0.1:1',
        requestTimeoutMs: 5000,
        retryInitialMs: 50,
        retryMaxMs: 200,
        transport: new NatsTransport(
          { nats: { url: nats.url, tls: {} }, cluster: 'test', node: 'worker-7' },
          silentLogger(),
        ),
      },
      hooks,
      silentLogger(),
    );
    sender.start();
    try {
      const batcher = new TableBatcher(PROCESS_STATS, queue, { maxRows: 4, maxDelayMs: 60_000 });
      for (let i = 0; i < 10; i++) {
        batcher.add({
          time_: BigInt(Date.now()) * 1_000_000n,
          upid: { high: 7n, low: 9n },
          rss_bytes: i,
        });
      }
      batcher.flush(true);
      const report: OutgoingBatch = {
        label: 'metadata',
        path: '/v1/metadata/processes',
        contentType: 'application/json',
        headers: {},
        body: Buffer.from(JSON.stringify({ processes: [proc(41), proc(42)] })),
        rows: 2,
      };
      queue.push(report);
      await waitFor(
        () => sent.length,
        (n) => n === 4,
        { what: 'batches acknowledged by JetStream' },
      );
      expect(sent).toEqual(['process_stats', 'process_stats', 'process_stats', 'metadata']);
    } finally {
      await sender.shutdown(1000);
    }
    const rss = 'SELECT rss_bytes FROM process_stats';
    const held = await waitFor(
      async () => Promise.all(gateways.map((g) => storedValues(g.gateway, rss))),
      (parts) => parts.flat().length === 10,
      { what: 'the rows in the owner' },
    );
    // One gateway owns the node: it holds all ten rows, the other none.
    expect(held.map((p) => p.length).sort()).toEqual([0, 10]);
    for (const g of gateways) {
      await waitFor(
        () => storedValues(g.gateway, 'SELECT cmdline FROM _md_processes'),
        (c) => c.join() === '/bin/worker-41,/bin/worker-42',
        { what: `process metadata at ${g.url}` },
      );
    }
  }, 30_000);

  it('makes a process report posted over HTTP to one gateway reach every gateway', async () => {
    const res = await postJson(`${gateways[1]!.url}/v1/metadata/processes`, {
      processes: [proc(77)],
    });
    expect(res).toEqual({ status: 200, body: { processes: 1 } });
    const bad = await postJson(`${gateways[1]!.url}/v1/metadata/processes`, {
      processes: [{ upid: 'x' }],
    });
    expect(bad.status).toBe(400);
    for (const g of gateways) {
      await waitFor(
        () => storedValues(g.gateway, 'SELECT pid FROM _md_processes WHERE pid = 77'),
        (c) => c.length === 1,
        { what: `the HTTP report at ${g.url}` },
      );
    }
  });
});
