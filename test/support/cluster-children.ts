import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArrowStreamEncoder } from '../../agent/src/transport/arrow-stream';
import { TableColumns } from '../../agent/src/transport/columns';
import { HTTP_EVENTS } from '../../shared/contract/schemas';
import { PxgateProcess } from './cli';
import { FAST_MEMBERSHIP, untilMembers } from './cluster-gateways';
import { getJson } from './gateway';
import { freePort } from './prometheus';

/** Twelve nodes: by rendezvous hashing each of three gateways gw-1..3 owns some (gw-2: three). */
export const NODES = Array.from({ length: 12 }, (_, i) => `node-${i + 1}`);
const ROWS_PER_BATCH = 20;

/** A gateway of the cluster as a child process (`bin/pxgate.js gateway --nats ...`). */
export class ChildGateway {
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

  /** A gateway `id` of cluster `test`, its config file in `dir` (`config` added to it). */
  static async make(
    dir: string,
    id: string,
    natsUrl: string,
    config: Record<string, unknown> = {},
  ): Promise<ChildGateway> {
    const file = join(dir, `${id}.yaml`);
    writeFileSync(
      file,
      JSON.stringify({
        logLevel: 'info',
        logFormat: 'json',
        metadata: { kubernetes: 'off' },
        cluster: { memberId: id, ...FAST_MEMBERSHIP },
        ...config,
      }),
    );
    return new ChildGateway(id, await freePort(), file, natsUrl);
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

/** The status code of row i of batch b: 200, 404 and 500 in a fixed mix. */
export const statusOf = (b: number, i: number) => [200, 200, 404, 500][(b + i) % 4]!;

/**
 * Posts Arrow batches of http_events (served requests, statusOf's codes) as agents on several
 * nodes do, each to the next gateway in turn; a batch not acknowledged (refused connection,
 * reset, 5xx) goes again, same id, to the next one. Counts the rows acknowledged, in all and
 * per status code.
 */
export class Loader {
  ackedRows = 0;
  ackedBatches = 0;
  readonly ackedByStatus = new Map<number, number>();
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
      for (let i = 0; i < ROWS_PER_BATCH; i++) {
        const status = statusOf(b, i);
        this.ackedByStatus.set(status, (this.ackedByStatus.get(status) ?? 0) + 1);
      }
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
        trace_role: 2,
        resp_status: statusOf(b, i),
      });
    }
    return this.encoder.encode(columns);
  }
}

/** Starts gateways gw-1, gw-2 and gw-3 (config files in `dir`) and waits until all are members. */
export async function startChildGateways(
  dir: string,
  natsUrl: string,
  config: Record<string, unknown> = {},
): Promise<ChildGateway[]> {
  const ids = ['gw-1', 'gw-2', 'gw-3'];
  const gateways = await Promise.all(ids.map((id) => ChildGateway.make(dir, id, natsUrl, config)));
  await Promise.all(gateways.map((g) => g.start()));
  await untilMembers(
    gateways.map((g) => g.url),
    ids,
  );
  return gateways;
}
