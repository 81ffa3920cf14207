import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildGateway, Loader, startChildGateways } from '../support/cluster-children';
import { clusterStatus, untilMembers } from '../support/cluster-gateways';
import { RunningNats, natsUnavailable, startNats } from '../support/nats';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

describeIfAvailable(
  'a gateway of a cluster killed with SIGKILL mid-ingest',
  natsUnavailable(),
  () => {
    let nats: RunningNats;
    let dir: string;
    let gateways: ChildGateway[] = [];

    beforeAll(async () => {
      nats = await startNats();
      dir = mkdtempSync(join(tmpdir(), 'pxgate-cluster-'));
      gateways = await startChildGateways(dir, nats.url);
    }, 90_000);

    afterAll(async () => {
      await Promise.all(gateways.map((g) => g.process?.stop('SIGKILL')));
      await nats?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('moves its partitions within seconds and loses nothing acknowledged; a gateway restarted alone rebuilds the window', async () => {
      const [gw1, gw2, gw3] = gateways as [ChildGateway, ChildGateway, ChildGateway];
      const loader = new Loader(gateways.map((g) => g.url));
      let movedInMs: number;
      try {
        await waitFor(
          () => loader.ackedBatches,
          (n) => n >= 60,
          { timeoutMs: 30_000, what: '60 batches acknowledged' },
        );
        const before = await clusterStatus(gw1.url);
        expect(before.partitions.some((p) => p.owner === 'gw-2')).toBe(true);
        const killedAt = Date.now();
        expect(await gw2.process!.stop('SIGKILL')).toBeNull();
        await waitFor(
          () => clusterStatus(gw1.url),
          (s) =>
            s.members.map((m) => m.id).join() === 'gw-1,gw-3' &&
            s.partitions.every((p) => p.owner === 'gw-1' || p.owner === 'gw-3'),
          { timeoutMs: 15_000, what: "gw-2's partitions moved" },
        );
        movedInMs = Date.now() - killedAt;
        await waitFor(
          () => loader.ackedBatches,
          (n) => n >= 120,
          { timeoutMs: 30_000, what: '120 batches acknowledged' },
        );
      } finally {
        await loader.stop();
      }
      expect(movedInMs).toBeLessThan(10_000);
      const survivors = [gw1, gw3];
      const held = await waitFor(
        async () => (await Promise.all(survivors.map((g) => g.rows()))).reduce((a, b) => a + b, 0),
        (n) => n === loader.ackedRows,
        { timeoutMs: 30_000, what: `the survivors holding ${loader.ackedRows} rows` },
      );
      expect(held).toBe(loader.ackedRows);

      // Alone: the others stop, gw-2 starts again with an empty store and replays the stream.
      await Promise.all(survivors.map((g) => g.process!.stop('SIGTERM')));
      await gw2.start();
      await untilMembers([gw2.url], ['gw-2']);
      await waitFor(
        () => gw2.rows(),
        (n) => n === loader.ackedRows,
        { timeoutMs: 30_000, what: `gw-2 alone holding ${loader.ackedRows} rows` },
      );
    }, 180_000);
  },
);
