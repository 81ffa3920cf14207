import { once } from 'node:events';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { silentLogger } from '../../../shared/common/logger';
import { PROCESS_STATS } from '../../../shared/contract/schemas';
import { startTestGateway } from '../../../test/support/gateway';
import { waitFor } from '../../../test/support/wait';
import { upperHalfBackoff } from '../../../shared/common/backoff';
import { GatewaySender, SenderHooks } from './gateway-sender';
import { OutgoingBatch, SendQueue } from './send-queue';
import { TableBatcher } from './table-batcher';

function batch(label: string, bytes: number): OutgoingBatch {
  return {
    label,
    path: '/v1/ingest',
    contentType: 'application/json',
    headers: {},
    body: new Uint8Array(bytes),
    rows: 1,
  };
}

function recordingHooks() {
  const seen = { sent: [] as string[], rejected: [] as string[], retried: [] as string[] };
  const hooks: SenderHooks = {
    sent: (b) => seen.sent.push(b.label),
    rejected: (b) => seen.rejected.push(b.label),
    retried: (b) => seen.retried.push(b.label),
  };
  return { seen, hooks };
}

const until = (cond: () => boolean) =>
  waitFor(cond, (ok) => ok, { timeoutMs: 10000, intervalMs: 20 });

const senderOpts = (gatewayUrl: string) => ({
  gatewayUrl,
  requestTimeoutMs: 5000,
  retryInitialMs: 10,
  retryMaxMs: 50,
});

describe('SendQueue', () => {
  it('drops the oldest batches to make room, and reports each', () => {
    const dropped: string[] = [];
    const q = new SendQueue(100, (b, reason) => dropped.push(`${b.label}:${reason}`));
    q.push(batch('a', 40));
    q.push(batch('b', 40));
    q.push(batch('c', 40));
    expect(dropped).toEqual(['a:buffer_full']);
    expect(q.bytes()).toBe(80);
    q.push(batch('huge', 101));
    expect(dropped).toEqual(['a:buffer_full', 'huge:buffer_full']);
    expect(q.peek()!.label).toBe('b');
  });
});

describe('upperHalfBackoff', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    const lo = upperHalfBackoff(100, 1000, () => 0);
    expect([1, 2, 3, 4, 5].map(() => lo.next())).toEqual([50, 100, 200, 400, 500]);
    const hi = upperHalfBackoff(100, 1000, () => 1);
    expect([1, 2, 3, 4, 5].map(() => hi.next())).toEqual([100, 200, 400, 800, 1000]);
    hi.reset();
    expect(hi.next()).toBe(100);
  });
});

describe('GatewaySender', () => {
  it('delivers Arrow batches that the gateway stores, and drops the ones it refuses', async () => {
    const gw = await startTestGateway();
    const { seen, hooks } = recordingHooks();
    const q = new SendQueue(1 << 20, () => undefined);
    const sender = new GatewaySender(q, senderOpts(gw.url), hooks, silentLogger());
    sender.start();
    try {
      const batcher = new TableBatcher(PROCESS_STATS, q, { maxRows: 3, maxDelayMs: 60000 });
      for (let i = 0; i < 7; i++) {
        batcher.add({
          time_: BigInt(Date.now()) * 1000000n,
          upid: { high: 7n, low: 9n },
          rss_bytes: i,
        });
      }
      batcher.flush(true);
      q.push({ ...batch('nope', 2), body: Buffer.from('{"table":"nope","rows":[]}') });
      await until(() => seen.sent.length + seen.rejected.length === 4);
      expect(seen).toEqual({
        sent: ['process_stats', 'process_stats', 'process_stats'],
        rejected: ['nope'],
        retried: [],
      });
      const conn = await gw.gateway.store.connect();
      const result = await conn.runAndReadAll(
        'SELECT count(*)::INT AS n, sum(rss_bytes)::INT AS rss FROM process_stats',
      );
      expect(result.getRowObjects()).toEqual([{ n: 7, rss: 21 }]);
      conn.closeSync();
    } finally {
      await sender.shutdown(1000);
      await gw.close();
    }
  });

  it('retries while the gateway answers 503, keeping order, then delivers', async () => {
    let calls = 0;
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls++;
        if (calls <= 2) {
          res.writeHead(503).end();
          return;
        }
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { seen, hooks } = recordingHooks();
    const q = new SendQueue(1 << 20, () => undefined);
    const sender = new GatewaySender(q, senderOpts(url), hooks, silentLogger());
    sender.start();
    try {
      q.push({ ...batch('first', 0), body: Buffer.from('1') });
      q.push({ ...batch('second', 0), body: Buffer.from('2') });
      await until(() => seen.sent.length === 2);
      expect(seen.retried).toEqual(['first', 'first']);
      expect(bodies).toEqual(['1', '2']);
    } finally {
      await sender.shutdown(1000);
      server.close();
    }
  });

  it('keeps batches while nothing listens and sends them once a gateway is there', async () => {
    const first = await startTestGateway();
    const url = first.url;
    await first.close();
    const { seen, hooks } = recordingHooks();
    const q = new SendQueue(1 << 20, () => undefined);
    const sender = new GatewaySender(q, senderOpts(url), hooks, silentLogger());
    sender.start();
    const gwPort = new URL(url).port;
    try {
      const batcher = new TableBatcher(PROCESS_STATS, q, { maxRows: 1, maxDelayMs: 60000 });
      batcher.add({ time_: BigInt(Date.now()) * 1_000_000n, rss_bytes: 1 });
      await until(() => seen.retried.length >= 2);
      expect(seen.sent).toEqual([]);
      const second = await startTestGateway({ listen: `127.0.0.1:${gwPort}` });
      try {
        await until(() => seen.sent.length === 1);
      } finally {
        await second.close();
      }
    } finally {
      await sender.shutdown(1000);
    }
  });

  it('shuts down by its deadline even when the gateway never answers', async () => {
    const { hooks } = recordingHooks();
    const q = new SendQueue(1 << 20, () => undefined);
    const sender = new GatewaySender(q, senderOpts('http://127.0.0.1:1'), hooks, silentLogger());
    sender.start();
    q.push(batch('stuck', 1));
    const t0 = Date.now();
    await sender.shutdown(200);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(q.length()).toBe(1);
  });
});
