import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { uncompressSync } from 'snappy';
import { DecodedSeries, decodeWriteRequest } from './remote-write-schema';

export interface RemoteWriteReceiver {
  url: string;
  /** Series of the requests answered 2xx, in arrival order. */
  accepted: DecodedSeries[][];
  /** Number of requests received, whatever the answer. */
  requests: number;
  /** Every breach of the remote-write 1.0 rules seen, as sentences. */
  violations: string[];
  close(): Promise<void>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** The stream identifier chunk that starts snappy's framed format, which the spec forbids. */
const FRAMED_MAGIC = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

/**
 * A remote-write receiver that checks every rule of the 1.0 specification on every request:
 * the four required headers, snappy block (not framed) format, the WriteRequest schema,
 * `__name__` present and valid, label names valid, sorted, unique and non-empty, no empty
 * values, samples of each series in timestamp order within and across requests, and at most
 * `maxSamples` samples a request. Answers as `answer` says (204 by default).
 */
export async function startRemoteWriteReceiver(
  opts: {
    maxSamples?: number;
    answer?: (index: number) => { status: number; headers?: Record<string, string> };
  } = {},
): Promise<RemoteWriteReceiver> {
  const maxSamples = opts.maxSamples ?? 2000;
  const answer: (index: number) => { status: number; headers?: Record<string, string> } =
    opts.answer ?? (() => ({ status: 204 }));
  const lastTimestamp = new Map<string, number>();
  const receiver: Omit<RemoteWriteReceiver, 'url' | 'close'> = {
    accepted: [],
    requests: 0,
    violations: [],
  };
  const violation = (text: string) => {
    if (!receiver.violations.includes(text)) receiver.violations.push(text);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = receiver.requests++;
      const h = req.headers;
      if (req.method !== 'POST') violation(`method ${req.method}`);
      if (h['content-encoding'] !== 'snappy')
        violation(`Content-Encoding ${h['content-encoding']}`);
      if (h['content-type'] !== 'application/x-protobuf')
        violation(`Content-Type ${h['content-type']}`);
      if (h['x-prometheus-remote-write-version'] !== '0.1.0') {
        violation(`X-Prometheus-Remote-Write-Version ${h['x-prometheus-remote-write-version']}`);
      }
      if (!h['user-agent']) violation('no User-Agent');
      const body = Buffer.concat(chunks);
      if (body.subarray(0, FRAMED_MAGIC.length).equals(FRAMED_MAGIC))
        violation('snappy framed format');
      let series: DecodedSeries[] = [];
      try {
        series = decodeWriteRequest(uncompressSync(body) as Buffer).timeseries;
      } catch (err) {
        violation(`undecodable body: ${(err as Error).message}`);
      }
      const a = answer(index);
      const ok = a.status >= 200 && a.status < 300;
      let samples = 0;
      for (const s of series) {
        samples += s.samples.length;
        const names = s.labels.map((l) => l.name);
        const name = s.labels.find((l) => l.name === '__name__')?.value;
        if (name === undefined) violation('a series without __name__');
        else if (!METRIC_NAME.test(name)) violation(`invalid metric name ${name}`);
        for (let i = 0; i < s.labels.length; i++) {
          const { name: n, value } = s.labels[i]!;
          if (n === '') violation('an empty label name');
          else if (!LABEL_NAME.test(n)) violation(`invalid label name ${n}`);
          if (value === '') violation(`label ${n} with an empty value`);
          if (i > 0 && !(names[i - 1]! < n))
            violation(`labels not sorted or repeated: ${names.join(',')}`);
        }
        const key = s.labels.map((l) => `${l.name}=${l.value}`).join(',');
        let previous = lastTimestamp.get(key) ?? -Infinity;
        for (const sample of s.samples) {
          if (!(sample.timestamp > previous)) violation(`samples of ${key} out of timestamp order`);
          previous = sample.timestamp;
        }
        if (ok) lastTimestamp.set(key, previous);
      }
      if (samples > maxSamples)
        violation(`${samples} samples in one request (more than ${maxSamples})`);
      if (ok) receiver.accepted.push(series);
      res.writeHead(a.status, a.headers);
      res.end(ok ? '' : `refused with ${a.status}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  }) as RemoteWriteReceiver;
}

/** The latest value of every series named `name` that the receiver accepted, summed. */
export function latestSampleSum(receiver: RemoteWriteReceiver, name: string): number {
  const latest = new Map<string, number>();
  for (const series of receiver.accepted.flat()) {
    if (series.labels.find((l) => l.name === '__name__')?.value !== name) continue;
    const key = series.labels.map((l) => `${l.name}=${l.value}`).join(',');
    latest.set(key, series.samples[series.samples.length - 1]!.value);
  }
  return [...latest.values()].reduce((a, b) => a + b, 0);
}
