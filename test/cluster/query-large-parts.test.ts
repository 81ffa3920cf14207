import { ClusterMember } from '../../gateway/src/cluster/view';
import { bundledScripts, expectSameTable } from '../support/cluster-query';
import { natsUnavailable } from '../support/nats';
import { NatsQueryWorld, natsQueryWorld } from '../support/nats-query';
import { BASE_NS } from '../support/pxl';
import { describeIfAvailable } from '../support/system';

const NOW = BASE_NS + 120_000_000_000n;
/** Requests in all: each of three gateways holds 15,000, over 10,000 of them served ones. */
const ROWS = 45_000;
const MEMBERS: ClusterMember[] = [0, 1, 2].map((i) => ({ id: `g${i}`, partitions: [`node-${i}`] }));

/** A partial aggregate of over 10,000 groups on each gateway, aggregated again to six rows. */
const REGROUPED = `import px
df = px.DataFrame('http_events', start_time='-5m')
df = df.groupby(['upid', 'latency']).agg(n=('time_', px.count))
px.display(df.groupby('upid').agg(latencies=('latency', px.count), most=('n', px.max)), 'out')`;

describeIfAvailable(
  'queries whose shard parts are larger than the output row limit',
  natsUnavailable(),
  () => {
    let world: NatsQueryWorld;

    beforeAll(async () => {
      world = await natsQueryWorld('big', MEMBERS, ROWS);
    }, 600_000);
    afterAll(() => world?.close());

    it('service_map.pxl answers as one gateway does, though each part has over 10,000 rows', async () => {
      const text = bundledScripts().find((s) => s.name === 'service_map.pxl')!.text;
      const served = `import px
df = px.DataFrame('http_events', start_time='-5m')
px.display(df[df.trace_role == 2].agg(n=('latency', px.count)), 'out')`;
      for (const fx of world.three) {
        const n = (await fx.engine.run(served, { now: NOW })).tables[0]!.rows[0]![0];
        expect(Number(n)).toBeGreaterThan(10_000);
      }
      const want = await world.one.engine.run(text, { now: NOW });
      const got = await world.coordinator.run(text, { now: NOW, limits: { timeoutMs: 120_000 } });
      expect(got.warnings).toBeUndefined();
      got.tables.forEach((t, i) => {
        expect(t.rows.length).toBeLessThan(200);
        expectSameTable(t, want.tables[i]!, { quantiles: true, ordered: false });
      });
    }, 180_000);

    it('a second aggregate over a first of more than 10,000 groups per gateway answers as one gateway does', async () => {
      const want = await world.one.engine.run(REGROUPED, { now: NOW });
      const got = await world.coordinator.run(REGROUPED, {
        now: NOW,
        limits: { timeoutMs: 120_000 },
      });
      expect(got.warnings).toBeUndefined();
      expect(want.tables[0]!.rows.length).toBe(6);
      expectSameTable(got.tables[0]!, want.tables[0]!, { quantiles: false, ordered: true });
    }, 180_000);

    it('still holds a table of plain rows to the output row limit, as one gateway does', async () => {
      const script = `import px
px.display(px.DataFrame('http_events', start_time='-5m'), 'out')`;
      const message = /^table "out" has more than 10000 rows \(max_output_rows_per_table\)/;
      await expect(world.one.engine.run(script, { now: NOW })).rejects.toThrow(message);
      await expect(
        world.coordinator.run(script, { now: NOW, limits: { timeoutMs: 120_000 } }),
      ).rejects.toThrow(message);
    }, 180_000);
  },
);
