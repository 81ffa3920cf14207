import { querySubject } from '../../gateway/src/cluster/query/protocol';
import { ClusterMember } from '../../gateway/src/cluster/view';
import { bundledScripts, expectSameTable } from '../support/cluster-query';
import { natsUnavailable } from '../support/nats';
import { NatsQueryWorld, natsQueryWorld } from '../support/nats-query';
import { BASE_NS } from '../support/pxl';
import { describeIfAvailable } from '../support/system';

const NOW = BASE_NS + 120_000_000_000n;
const MEMBERS: ClusterMember[] = [0, 1, 2].map((i) => ({
  id: `g${i}`,
  partitions: [`node-${2 * i}`, `node-${2 * i + 1}`],
}));

describeIfAvailable('queries across three gateways over NATS', natsUnavailable(), () => {
  let world: NatsQueryWorld;

  beforeAll(async () => {
    world = await natsQueryWorld('q', MEMBERS);
  }, 600_000);
  afterAll(() => world?.close());

  const scripts = bundledScripts().filter((s) =>
    ['service_stats.pxl', 'http_data.pxl', 'process_stats.pxl', 'service_map.pxl'].includes(s.name),
  );

  it.each(scripts.map((s) => [s.name, s.text] as const))(
    '%s through the coordinator equals one store\u2019s answer',
    async (_name, text) => {
      const want = await world.one.engine.run(text, { now: NOW });
      const got = await world.coordinator.run(text, { now: NOW });
      expect(got.warnings).toBeUndefined();
      const how = { quantiles: text.includes('px.quantiles'), ordered: !text.includes('.merge(') };
      got.tables.forEach((t, i) => expectSameTable(t, want.tables[i]!, how));
      expect(want.tables.some((t) => t.rows.length > 0)).toBe(true);
    },
  );

  it('names the partitions of a stopped gateway, and answers with the others\u2019 rows', async () => {
    await world.servers[2]!.shutdown();
    const script = `import px
df = px.DataFrame('http_events')
px.display(df.agg(n=('latency', px.count)), 'out')`;
    const all = (await world.one.engine.run(script, { now: NOW })).tables[0]!.rows[0]![0] as bigint;
    const third = (await world.three[2]!.engine.run(script, { now: NOW })).tables[0]!
      .rows[0]![0] as bigint;
    const got = await world.coordinator.run(script, { now: NOW, limits: { timeoutMs: 5_000 } });
    expect(got.tables[0]!.rows).toEqual([[all - third]]);
    expect(got.warnings).toEqual([
      expect.stringMatching(
        /^gateway g2 is missing from the results \(partitions node-4, node-5\): .*no responders/,
      ),
      'partitions missing from the results: node-4, node-5',
    ]);
    world.servers[2]!.start();
  });

  it('answers within the deadline when a gateway takes the request and never replies', async () => {
    await world.servers[1]!.shutdown();
    const silent = world.conns[1]!.subscribe(querySubject('q', 'g1'), {
      callback: () => undefined,
    });
    try {
      const script = `import px
px.display(px.DataFrame('http_events').agg(n=('latency', px.count)), 'out')`;
      const started = Date.now();
      const got = await world.coordinator.run(script, { now: NOW, limits: { timeoutMs: 3_000 } });
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
      world.servers[1]!.start();
    }
  });

  it('holds a merge after the gather to the final table\u2019s row limit, not to its parts\u2019', async () => {
    // The merge runs after the gather over every shard's rows, more than the script's limit;
    // the final table is one row.
    const script = `#px:set max_output_rows_per_table=10
import px
df = px.DataFrame('http_events')
px.display(df.merge(df, how='inner', left_on='upid', right_on='upid').agg(n=('latency_x', px.count)), 'out')`;
    const want = await world.one.engine.run(script, { now: NOW });
    const got = await world.coordinator.run(script, { now: NOW });
    expect(got.warnings).toBeUndefined();
    expect(got.tables[0]!.rows).toEqual(want.tables[0]!.rows);
  });

  it('fails with a gateway\u2019s error that is the script\u2019s fault', async () => {
    // Each gateway's part overflows on its own rows: the data's fault, so the whole query's.
    const script = `import px
df = px.DataFrame('http_events')
df.x = df.latency * 4611686018427387904
px.display(df[['time_', 'x']], 'out')`;
    await expect(world.coordinator.run(script, { now: NOW })).rejects.toMatchObject({
      kind: 'limit-exceeded',
      message: expect.stringMatching(/^the query failed on the data: .*[Oo]verflow/),
    });
  });
});
