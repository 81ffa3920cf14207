import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { TestGateway, postJson } from '../support/gateway';
import {
  clusterStatus,
  startClusterGateway,
  startThreeGateways,
  storedValues,
  untilMembers,
} from '../support/cluster-gateways';
import { RunningNats, natsUnavailable } from '../support/nats';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

const NODES = ['node-a', 'node-b', 'node-c', 'ip-10-0-0-7.ec2.internal', 'node-e', 'node-f'];
const BATCHES_PER_NODE = 4;
const ROWS_PER_BATCH = 25;
const PATHS = `SELECT req_path FROM http_events`;

function rowsOf(node: string, batch: number) {
  return Array.from({ length: ROWS_PER_BATCH }, (_, i) => ({
    time_: String(BigInt(Date.now()) * 1_000_000n + BigInt(i)),
    req_path: `/${node}/${batch}/${i}`,
    resp_status: 200,
  }));
}

describeIfAvailable('three gateways on NATS JetStream', natsUnavailable(), () => {
  let nats: RunningNats;
  let gateways: TestGateway[] = [];
  let reference: TestGateway;

  beforeAll(async () => {
    ({ nats, gateways, reference } = await startThreeGateways());
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...gateways, reference].map((g) => g?.close()));
    await nats?.close();
  });

  async function union(list: readonly TestGateway[]): Promise<string[]> {
    const parts = await Promise.all(list.map((g) => storedValues(g.gateway, PATHS)));
    return parts.flat().sort();
  }

  it('stores every row once, in its partition owner, whichever gateway took it', async () => {
    let n = 0;
    for (const node of NODES) {
      for (let b = 0; b < BATCHES_PER_NODE; b++) {
        const rows = rowsOf(node, b);
        const target = gateways[n++ % gateways.length]!;
        const res = await postJson(
          `${target.url}/v1/ingest`,
          { table: 'http_events', rows },
          { 'x-pxgate-node': node, 'x-pxgate-batch-id': `batch-${node.length}-${n}` },
        );
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ table: 'http_events', rows: 25, partition: node });
        expect(res.body.duplicate).toBe(false);
        await postJson(`${reference.url}/v1/ingest`, { table: 'http_events', rows });
      }
    }
    const expected = await storedValues(reference.gateway, PATHS);
    expect(expected).toHaveLength(NODES.length * BATCHES_PER_NODE * ROWS_PER_BATCH);
    await waitFor(
      () => union(gateways),
      (rows) => rows.join('\n') === expected.join('\n'),
      { timeoutMs: 20_000, what: 'the union of the stores equal to one gateway' },
    );

    const status = await clusterStatus(gateways[0]!.url);
    expect(status.partitions.map((p) => p.name)).toEqual([...NODES].sort());
    for (const g of gateways) {
      const id = g.gateway.cluster!.self;
      const owned = status.partitions.filter((p) => p.owner === id).map((p) => p.name);
      const nodesHeld = new Set(
        (await storedValues(g.gateway, PATHS)).map((path) => path.split('/')[1]),
      );
      expect([...nodesHeld].sort()).toEqual(owned.sort());
    }
    // Every gateway computes the same owners, once it has seen every partition in the stream
    // (each learns them on its own; the lag is each one's own view, null until it has read).
    const owners = (ps: typeof status.partitions) =>
      JSON.stringify(ps.map((p) => [p.name, p.owner]));
    for (const g of gateways.slice(1)) {
      await waitFor(
        async () => owners((await clusterStatus(g.url)).partitions),
        (seen) => seen === owners(status.partitions),
        { timeoutMs: 10_000, what: `${g.gateway.cluster!.self} giving the same owners` },
      );
    }
  }, 60_000);

  it('answers a batch sent again under its id as a duplicate and stores it once', async () => {
    const before = await union(gateways);
    const rows = rowsOf('node-a', 99);
    const headers = { 'x-pxgate-node': 'node-a', 'x-pxgate-batch-id': 'retried-batch-1' };
    const first = await postJson(
      `${gateways[0]!.url}/v1/ingest`,
      { table: 'http_events', rows },
      headers,
    );
    const again = await postJson(
      `${gateways[1]!.url}/v1/ingest`,
      { table: 'http_events', rows },
      headers,
    );
    expect(first.body.duplicate).toBe(false);
    expect(again.body).toMatchObject({ duplicate: true, streamSeq: first.body.streamSeq });
    await waitFor(
      () => union(gateways),
      (r) => r.length === before.length + ROWS_PER_BATCH,
      { what: 'the batch stored' },
    );
    // One more batch after it: once that is stored, the duplicate would have been too.
    await postJson(
      `${gateways[2]!.url}/v1/ingest`,
      { table: 'http_events', rows: rowsOf('node-a', 100) },
      { 'x-pxgate-node': 'node-a' },
    );
    const after = await waitFor(
      () => union(gateways),
      (r) => r.length >= before.length + 2 * ROWS_PER_BATCH,
      { what: 'the next batch stored' },
    );
    expect(after).toHaveLength(before.length + 2 * ROWS_PER_BATCH);
  }, 30_000);

  it('refuses a bad batch with its reason and publishes nothing', async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const before = (await jsm.streams.info('PXGATE_test')).state.messages;
      const res = await postJson(
        `${gateways[0]!.url}/v1/ingest`,
        { table: 'http_events', rows: [{ no_such_column: 1 }] },
        { 'x-pxgate-node': 'node-a' },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/no_such_column/);
      const badNode = await postJson(
        `${gateways[0]!.url}/v1/ingest`,
        { table: 'http_events', rows: rowsOf('x', 0) },
        { 'x-pxgate-node': 'x'.repeat(300) },
      );
      expect(badNode.status).toBe(400);
      expect(badNode.body.error.message).toMatch(/x-pxgate-node/);
      expect((await jsm.streams.info('PXGATE_test')).state.messages).toBe(before);
    } finally {
      await nc.close();
    }
  });

  it('moves the fewest partitions to a gateway that joins, and back when it leaves, without duplicates', async () => {
    const expected = await union(gateways);
    const before = await clusterStatus(gateways[0]!.url);
    const fourth = await startClusterGateway(nats.url, 'gw-d');
    try {
      const all = [...gateways, fourth];
      await untilMembers(
        all.map((g) => g.url),
        ['gw-a', 'gw-b', 'gw-c', 'gw-d'],
      );
      const during = await clusterStatus(fourth.url);
      for (const p of during.partitions) {
        const was = before.partitions.find((q) => q.name === p.name)!.owner;
        if (p.owner !== was) expect(p.owner).toBe('gw-d');
      }
      await waitFor(
        () => union(all),
        (rows) => rows.join('\n') === expected.join('\n'),
        { timeoutMs: 20_000, what: 'the union equal after gw-d joined' },
      );
    } finally {
      await fourth.close();
    }
    await untilMembers(
      gateways.map((g) => g.url),
      ['gw-a', 'gw-b', 'gw-c'],
    );
    await waitFor(
      () => union(gateways),
      (rows) => rows.join('\n') === expected.join('\n'),
      { timeoutMs: 20_000, what: 'the union equal after gw-d left' },
    );
  }, 60_000);
});
