import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrowStreamEncoder } from '../../agent/src/transport/arrow-stream';
import { TableColumns } from '../../agent/src/transport/columns';
import { HTTP_EVENTS } from '../../shared/contract/schemas';
import { PxgateProcess } from '../support/cli';
import { FAST_MEMBERSHIP, clusterStatus, untilMembers } from '../support/cluster-gateways';
import { getJson } from '../support/gateway';
import { RunningNats, natsUnavailable, startNats } from '../support/nats';
import { freePort } from '../support/prometheus';
import { describeIfAvailable } from '../support/system';
import { waitFor } from '../support/wait';

/** Twelve nodes: by rendezvous hashing each of the three gateways owns some (gw-2: three). */
const NODES = Array.from({ length: 12 }, (_, i) => `node-${i + 1}`);
const ROWS_PER_BATCH = 20;

/** A gateway of the cluster as a child process (`bin/pxgate.js gateway --nats ...`). */
class ChildGateway {
  process: PxgateProcess | undefined;
  readonly url: string;

  constructor(
    readonly id: string,
    private readonly port: number,
    private readonly configFile: string,
    private readonly natsUrl: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.process = PxgateProcess.start([
      'gateway',
      '--config',
      this.configFile,
      '--nats',
      this.natsUrl,
      '--cluster',
      'test',
      '--listen',
      `127.0.0.1:${this.port}`,
    ]);
    await this.process.waitForLog((l) => l.msg === 'joined the cluster', `${this.id} joined`);
  }

  async rows(): Promise<number> {
    const { body } = await getJson(`${this.url}/v1/tables`);
    return body.tables.find((t: { name: string }) => t.name === 'http_events').rows;
  }
}

/**
 * Posts Arrow batches of http_events as agents on several nodes do, each to the next gateway in
 * turn; a batch not acknowledged (refused connection, reset, 5xx) goes again, same id, to the next
 * one. Counts the rows acknowledged.
 */
class Loader {
  ackedRows = 0;
  ackedBatches = 0;
  private stopped = false;
  private next = 0;
  private readonly done: Promise<void>;
  private readonly encoder = new ArrowStreamEncoder(HTTP_EVENTS);

  constructor(private readonly urls: readonly string[]) {
    this.done = this.loop();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  private async loop(): Promise<void> {
    for (let b = 0; !this.stopped; b++) {
      const node = NODES[b % NODES.length]!;
      const body = this.batch(b);
      const batchId = randomUUID();
      for (;;) {
        const url = this.urls[this.next++ % this.urls.length]!;
        const ok = await fetch(`${url}/v1/ingest`, {
          method: 'POST',
          headers: {
            'content-type': 'application/vnd.apache.arrow.stream',
            'x-pxgate-table': 'http_events',
            'x-pxgate-batch-id': batchId,
            'x-pxgate-node': node,
          },
          body,
        }).then(
          async (res) => {
            await res.arrayBuffer();
            if (res.status !== 200 && res.status < 500) throw new Error(`refused: ${res.status}`);
            return res.status === 200;
          },
          () => false,
        );
        if (ok) break;
      }
      this.ackedRows += ROWS_PER_BATCH;
      this.ackedBatches++;
    }
  }

  private batch(b: number): Uint8Array {
    const columns = new TableColumns(HTTP_EVENTS);
    const now = BigInt(Date.now()) * 1_000_000n;
    for (let i = 0; i < ROWS_PER_BATCH; i++) {
      columns.append({
        time_: now + BigInt(i),
        upid: { high: 1n << 32n, low: 1n },
        req_path: `/batch/${b}/${i}`,
        resp_status: 200,
      });
    }
    return this.encoder.encode(columns);
  }
}

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
      gateways = await Promise.all(
        ['gw-1', 'gw-2', 'gw-3'].map(async (id) => {
          const file = join(dir, `${id}.yaml`);
          writeFileSync(
            file,
            JSON.stringify({
              logLevel: 'info',
              logFormat: 'json',
              metadata: { kubernetes: 'off' },
              cluster: { memberId: id, ...FAST_MEMBERSHIP },
            }),
          );
          return new ChildGateway(id, await freePort(), file, nats.url);
        }),
      );
      await Promise.all(gateways.map((g) => g.start()));
      await untilMembers(
        gateways.map((g) => g.url),
        ['gw-1', 'gw-2', 'gw-3'],
      );
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
