import { connect, NatsConnection } from '@nats-io/transport-node';
import { Coordinator } from '../../gateway/src/cluster/query/coordinator';
import { NatsShardServer } from '../../gateway/src/cluster/query/nats-shard-server';
import { natsShards } from '../../gateway/src/cluster/query/nats-shards';
import { querySubject } from '../../gateway/src/cluster/query/protocol';
import { ClusterMember, ClusterView } from '../../gateway/src/cluster/view';
import { silentLogger } from '../../shared/common/logger';
import { bundledScripts, expectSameTable, splitWorld } from '../support/cluster-query';
import { RunningNats, natsUnavailable, startNats } from '../support/nats';
import { BASE_NS, PxlFixture } from '../support/pxl';
import { describeIfAvailable } from '../support/system';

const NOW = BASE_NS + 120_000_000_000n;
const CLUSTER = 'q';
const WARM_UP = "import px\npx.display(px.DataFrame('http_events').head(1), 'w')";
const MEMBERS: ClusterMember[] = [0, 1, 2].map((i) => ({
  id: `g${i}`,
  partitions: [`node-${2 * i}`, `node-${2 * i + 1}`],
}));

/** One gateway's view of a fixed three-member cluster, on its own connection. */
function viewOf(i: number, nc: NatsConnection): ClusterView {
  return {
    cluster: CLUSTER,
    self: `g${i}`,
    nc,
    members: () => MEMBERS,
    partitions: () => MEMBERS.flatMap((m) => m.partitions),
  };
}

describeIfAvailable('queries across three gateways over NATS', natsUnavailable(), () => {
  let nats: RunningNats;
  let one: PxlFixture[];
  let three: PxlFixture[];
  const conns: NatsConnection[] = [];
  const servers: NatsShardServer[] = [];
  let coordinator: Coordinator;

  beforeAll(async () => {
    nats = await startNats();
    one = await splitWorld(1);
    three = await splitWorld(3);
    for (const [i, fx] of three.entries()) {
      const nc = await connect({ servers: nats.url });
      conns.push(nc);
      const server = new NatsShardServer(viewOf(i, nc), fx.engine, silentLogger());
      server.start();
      servers.push(server);
    }
    coordinator = new Coordinator(three[0]!.engine, natsShards(viewOf(0, conns[0]!)));
    // Under ts-node a compile worker takes seconds to start: each engine starts one first.
    for (const fx of [...one, ...three]) await fx.run(WARM_UP, { limits: { timeoutMs: 120_000 } });
  }, 600_000);
  afterAll(async () => {
    for (const s of servers) await s.shutdown();
    for (const nc of conns) await nc.close();
    for (const fx of [...one, ...three]) await fx.close();
    await nats?.close();
  });

  const scripts = bundledScripts().filter((s) =>
    ['service_stats.pxl', 'http_data.pxl', 'process_stats.pxl', 'service_map.pxl'].includes(s.name),
  );

  it.each(scripts.map((s) => [s.name, s.text] as const))(
    '%s through the coordinator equals one store\u2019s answer',
    async (_name, text) => {
      const want = await one[0]!.engine.run(text, { now: NOW });
      const got = await coordinator.run(text, { now: NOW });
      expect(got.warnings).toBeUndefined();
      const how = { quantiles: text.includes('px.quantiles'), ordered: !text.includes('.merge(') };
      got.tables.forEach((t, i) => expectSameTable(t, want.tables[i]!, how));
      expect(want.tables.some((t) => t.rows.length > 0)).toBe(true);
    },
  );

  it('names the partitions of a stopped gateway, and answers with the others\u2019 rows', async () => {
    await servers[2]!.shutdown();
    const script = `import px
df = px.DataFrame('http_events')
px.display(df.agg(n=('latency', px.count)), 'out')`;
    const all = (await one[0]!.engine.run(script, { now: NOW })).tables[0]!.rows[0]![0] as bigint;
    const third = (await three[2]!.engine.run(script, { now: NOW })).tables[0]!
      .rows[0]![0] as bigint;
    const got = await coordinator.run(script, { now: NOW, limits: { timeoutMs: 5_000 } });
    expect(got.tables[0]!.rows).toEqual([[all - third]]);
    expect(got.warnings).toEqual([
      expect.stringMatching(
        /^gateway g2 is missing from the results \(partitions node-4, node-5\): .*no responders/,
      ),
      'partitions missing from the results: node-4, node-5',
    ]);
    servers[2]!.start();
  });

  it('answers within the deadline when a gateway takes the request and never replies', async () => {
    await servers[1]!.shutdown();
    const silent = conns[1]!.subscribe(querySubject(CLUSTER, 'g1'), { callback: () => undefined });
    try {
      const script = `import px
px.display(px.DataFrame('http_events').agg(n=('latency', px.count)), 'out')`;
      const started = Date.now();
      const got = await coordinator.run(script, { now: NOW, limits: { timeoutMs: 3_000 } });
      const took = Date.now() - started;
      expect(took).toBeLessThan(3_000);
      expect(got.warnings).toEqual([
        expect.stringMatching(
          /^gateway g1 is missing from the results \(partitions node-2, node-3\): it did not answer within 2\.\d s$/,
        ),
        'partitions missing from the results: node-2, node-3',
      ]);
    } finally {
      silent.unsubscribe();
      servers[1]!.start();
    }
  });

  it('fails with a gateway\u2019s limit error, the script\u2019s fault, naming the gateway', async () => {
    // A merge runs after the gather, over every shard's rows: more than the script allows.
    const script = `#px:set max_output_rows_per_table=10
import px
df = px.DataFrame('http_events')
px.display(df.merge(df, how='inner', left_on='upid', right_on='upid').agg(n=('latency_x', px.count)), 'out')`;
    await expect(coordinator.run(script, { now: NOW })).rejects.toMatchObject({
      kind: 'limit-exceeded',
      message: expect.stringMatching(/^table "out, gateway g\d's part" has more than 10 rows/),
    });
  });
});
