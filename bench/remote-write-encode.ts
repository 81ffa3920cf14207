/**
 * remote-write-encode: 100,000 series (one sample each) to snappy-compressed remote-write 1.0
 * WriteRequests, with pxgate's encoder (requests of 2,000 samples, as its sink sends them) and
 * with the prometheus-remote-write package's encoder (protobufjs + snappyjs) in the same run.
 * Both outputs are decompressed, decoded with the spec's schema and compared equal.
 */
import { deepStrictEqual } from 'node:assert';
import { uncompressSync } from 'snappy';
import { ProtoWriter } from '../gateway/src/exporters/common/proto-writer';
import { writeWriteRequest } from '../gateway/src/exporters/remotewrite/encode';
import { PromSeries, chunkSeries } from '../gateway/src/exporters/remotewrite/series';
import { snappyBlock } from '../gateway/src/exporters/remotewrite/snappy';
import { DecodedSeries, decodeWriteRequest } from '../test/support/remote-write-schema';
import { rng } from '../test/support/rows';
import { bench } from './_measure';

// The package's own typings describe a different call shape; this is the one index.js has.
const { pushTimeseries } = require('prometheus-remote-write') as {
  pushTimeseries(
    series: { labels: Record<string, string>; samples: { value: number; timestamp: number }[] }[],
    options: { url: string; fetch: (url: string, init: { body: Uint8Array }) => Promise<unknown> },
  ): Promise<unknown>;
};

const SERIES = Number(process.env.SERIES ?? 100_000);
const PER_REQUEST = 2000;

/** Series shaped like the http-metrics preset's histogram buckets. */
function sampleSeries(n: number): PromSeries[] {
  const rand = rng(5);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const le = [
    '0.005',
    '0.01',
    '0.025',
    '0.05',
    '0.1',
    '0.25',
    '0.5',
    '1',
    '2.5',
    '5',
    '10',
    '+Inf',
  ];
  const t0 = 1_764_000_000_000;
  const out: PromSeries[] = [];
  for (let i = 0; i < n; i++) {
    const labels: [string, string][] = [
      ['__name__', 'http_server_request_duration_seconds_bucket'],
      ['http_request_method', pick(['GET', 'POST', 'PUT', 'DELETE'])],
      ['http_response_status_code', pick(['200', '201', '204', '400', '404', '500', '503'])],
      ['http_route', `/api/v1/${pick(['users', 'orders', 'cart', 'items'])}/{id}`],
      ['instance', `svc-${i % 200}-7d9f8c6b5-x${i % 13}`],
      ['job', `shop/svc-${i % 200}`],
      ['le', pick(le)],
      ['otel_scope_name', 'pxgate'],
    ];
    out.push({ labels, samples: [{ value: Math.floor(rand() * 10_000), timestampMs: t0 + i }] });
  }
  return out;
}

/** As the remote-write sink does it: snappy straight from the writer's buffer. */
function ours(series: readonly PromSeries[], writer: ProtoWriter): Buffer[] {
  return chunkSeries(series, PER_REQUEST).map((chunk) => {
    writeWriteRequest(writer, chunk);
    return snappyBlock(writer.view());
  });
}

async function theirs(
  series: readonly {
    labels: Record<string, string>;
    samples: { value: number; timestamp: number }[];
  }[],
): Promise<Uint8Array> {
  let body: Uint8Array | undefined;
  await pushTimeseries(series as never, {
    url: 'http://bench.invalid/api/v1/write',
    fetch: async (_url, init) => {
      body = init.body;
      return { status: 200, statusText: 'OK', text: async () => '' };
    },
  });
  return body!;
}

function decode(bodies: readonly Uint8Array[]): DecodedSeries[] {
  return bodies.flatMap(
    (b) => decodeWriteRequest(uncompressSync(Buffer.from(b)) as Buffer).timeseries,
  );
}

function peerInput(series: readonly PromSeries[]) {
  return series.map((s) => ({
    labels: Object.fromEntries(s.labels),
    samples: s.samples.map((x) => ({ value: x.value, timestamp: x.timestampMs })),
  }));
}

void bench({
  name: 'remote-write-encode',
  items: SERIES,
  unit: 'series',
  peerName: 'prometheus-remote-write',
  async check() {
    const series = sampleSeries(SERIES);
    const oursOut = ours(series, new ProtoWriter(1024 * 1024));
    const peerOut = await theirs(peerInput(series));
    deepStrictEqual(decode(oursOut), decode([peerOut]));
    const bytes = oursOut.reduce((n, b) => n + b.length, 0);
    return `${SERIES} series; both outputs decompressed, decoded with the spec's schema and equal (ours ${oursOut.length} requests of ${PER_REQUEST} samples, ${bytes} bytes; peer 1 request, ${peerOut.length} bytes)`;
  },
  sides: {
    ours() {
      const series = sampleSeries(SERIES);
      const writer = new ProtoWriter(1024 * 1024);
      return () => ours(series, writer);
    },
    peer() {
      const input = peerInput(sampleSeries(SERIES));
      return () => theirs(input);
    },
  },
});
