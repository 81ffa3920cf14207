/**
 * otlp-grpc: 100,000 HTTP spans exported through the OTLP sink (queue, encoder, gzip, one
 * request in flight) over gRPC, and over HTTP/protobuf, in the same run, each to a receiver on
 * loopback in a process of its own that inflates what it gets and answers at once. Ours is gRPC,
 * the peer HTTP/protobuf: the ratio is gRPC's spans per CPU second of the sending process over
 * HTTP's. Before timing, both transports' requests are decoded with the official schema and
 * must hold the same spans.
 */
import { deepStrictEqual } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Server, ServerCredentials, ServiceDefinition } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { silentLogger } from '../shared/common/logger';
import { validateConfig } from '../cli/config/load';
import { SinkSet } from '../gateway/src/exporters/sink-set';
import { TelemetryBatch } from '../gateway/src/exporters/model/telemetry';
import { spansOf, startOtlpReceiver } from '../test/support/otlp-receiver';
import { spansOfCalls, startOtlpGrpcReceiver } from '../test/support/otlp-grpc-receiver';
import { sampleResourceSpans } from '../test/support/telemetry';
import { bench, isBenchChild } from './_measure';

const SPANS = Number(process.env.SPANS ?? 100_000);
/** `none` measures the transports without compression (the receivers then inflate nothing). */
const COMPRESSION = process.env.COMPRESSION === 'none' ? 'none' : 'gzip';
const RECEIVER_ENV = 'PXGATE_BENCH_OTLP_RECEIVER';
const PORTS_ENV = 'PXGATE_BENCH_OTLP_PORTS';

type Protocol = 'grpc' | 'http/protobuf';

function batch(): TelemetryBatch {
  return { spans: sampleResourceSpans(SPANS), metrics: [] };
}

function sinkSet(protocol: Protocol, endpoint: string): SinkSet {
  const config = validateConfig({
    export: {
      otlp: { endpoint, protocol, compression: COMPRESSION },
      prometheus: { enabled: false },
    },
  });
  const set = SinkSet.create(config.export, new Registry(), silentLogger());
  set.start();
  return set;
}

/** One round: the whole batch through the sink, resolved when the receiver has accepted it. */
function side(protocol: Protocol): () => () => Promise<void> {
  return () => {
    const ports = JSON.parse(process.env[PORTS_ENV]!) as Record<Protocol, number>;
    const sink = sinkSet(protocol, `http://127.0.0.1:${ports[protocol]}`).configured[0]!;
    const data = batch();
    return async () => {
      const report = await sink.export(data);
      if (report.sent !== SPANS) throw new Error(`${protocol}: sent ${report.sent} of ${SPANS}`);
    };
  };
}

/** The receivers of the timed rounds: they inflate each request and answer an empty success. */
async function serveReceivers(): Promise<void> {
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') gunzipSync(body);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const grpc = new Server();
  const asIs = (b: Buffer) => b;
  for (const service of ['trace', 'metrics']) {
    const definition: ServiceDefinition = {
      Export: {
        path: `/opentelemetry.proto.collector.${service}.v1.${service === 'trace' ? 'Trace' : 'Metrics'}Service/Export`,
        requestStream: false,
        responseStream: false,
        requestSerialize: asIs,
        requestDeserialize: asIs,
        responseSerialize: asIs,
        responseDeserialize: asIs,
      },
    };
    grpc.addService(definition, {
      Export: (_call: unknown, callback: (err: null, res: Buffer) => void) =>
        callback(null, Buffer.alloc(0)),
    });
  }
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  const ports: Record<Protocol, number> = {
    grpc: grpcPort,
    'http/protobuf': (http.address() as AddressInfo).port,
  };
  process.stdout.write(`${JSON.stringify(ports)}\n`);
}

async function startReceiverProcess(): Promise<{ child: ChildProcess; ports: string }> {
  const child = spawn(process.execPath, [process.argv[1]!], {
    env: { ...process.env, [RECEIVER_ENV]: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, ports: line.toString('utf8').trim() };
}

/** Both transports deliver the same spans: each decoded with the official schema. */
async function check(): Promise<string> {
  const data = batch();
  const http = await startOtlpReceiver();
  const grpc = await startOtlpGrpcReceiver();
  try {
    for (const [protocol, url] of [
      ['http/protobuf', http.url],
      ['grpc', grpc.url],
    ] as const) {
      const set = sinkSet(protocol, url);
      await set.configured[0]!.export(data);
      await set.shutdown();
    }
    const overHttp = spansOf(http.accepted).map((s) => s.span);
    const overGrpc = spansOfCalls(grpc.accepted);
    deepStrictEqual(overGrpc, overHttp);
    return `${SPANS} spans, compression ${COMPRESSION}, at most 8192 a request: ${grpc.accepted.length} gRPC calls and ${http.accepted.length} HTTP requests, decoded with the official schema and holding the same spans`;
  } finally {
    await http.close();
    await grpc.close();
  }
}

async function main(): Promise<void> {
  const receivers = await startReceiverProcess();
  process.env[PORTS_ENV] = receivers.ports;
  try {
    await bench(spec);
  } finally {
    receivers.child.kill();
  }
}

const spec = {
  name: 'otlp-grpc',
  items: SPANS,
  unit: 'spans',
  peerName: 'the same sink over HTTP/protobuf',
  check,
  sides: { ours: side('grpc'), peer: side('http/protobuf') },
};

if (process.env[RECEIVER_ENV]) void serveReceivers();
else if (isBenchChild()) void bench(spec);
else void main();
