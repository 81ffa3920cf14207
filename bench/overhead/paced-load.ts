/**
 * A paced HTTP load generator, run as a child process by the agent-overhead benchmark:
 * `node paced-load.js SPEC` (a LoadSpec as JSON). It sends GET `path` at `rate` requests a
 * second over `connections` keep-alive connections, one request at a time on each, and prints one
 * JSON line: requests sent and answered, the achieved rate, its own CPU time, and the latency
 * percentiles. Latency is measured from the moment a request was due, not from when a connection
 * was free to send it, so a server that falls behind shows in p99 (no coordinated omission).
 * Autocannon's rate option sends each second's requests in a burst at the start of the second.
 */
import { connect, Socket } from 'node:net';
import { percentile } from '../soak/latency';
import { Pacer } from '../soak/pacer';
import { ResponseReader } from './response-reader';

/** What to load: the server on loopback `port`, and how hard. */
export interface LoadSpec {
  port: number;
  /** Requests a second. */
  rate: number;
  seconds: number;
  connections: number;
  path: string;
}

/** What one run of the load generator reports. */
export interface LoadReport {
  sent: number;
  answered: number;
  /** Requests whose answer was not 200, or that were never sent for lack of a connection. */
  failed: number;
  rate: number;
  cpuUs: number;
  p50Us: number;
  p99Us: number;
}

/** How often the loop looks at the clock; the pace comes from the clock, not from this. */
const TICK_MS = 1;

interface Lane {
  socket: Socket;
  reader: ResponseReader;
  /** When the request in flight was due (performance.now() ms), or -1 when idle. */
  dueMs: number;
}

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

async function run({ port, rate, seconds, connections, path }: LoadSpec): Promise<LoadReport> {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let answered = 0;
  let failed = 0;
  let lastAnswerMs = 0;
  const idle: Lane[] = [];
  /** Due times of requests waiting for a free connection. */
  const backlog: number[] = [];
  const lanes = await Promise.all(
    Array.from({ length: connections }, async () => {
      const lane: Lane = { socket: await open(port), reader: new ResponseReader(), dueMs: -1 };
      idle.push(lane);
      return lane;
    }),
  );
  const send = (lane: Lane, dueMs: number) => {
    lane.dueMs = dueMs;
    lane.socket.write(request);
  };
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    for (const lane of lanes) {
      lane.socket.on('error', reject);
      lane.socket.on('close', () => reject(new Error('the server closed a connection')));
      lane.socket.on('data', (chunk: Buffer) => {
        for (const status of lane.reader.push(chunk)) {
          const now = performance.now();
          if (status !== 200) failed++;
          latencies[answered++] = now - lane.dueMs;
          lastAnswerMs = now;
          const next = backlog.shift();
          if (next === undefined) {
            lane.dueMs = -1;
            idle.push(lane);
          } else send(lane, next);
        }
        if (answered === total) finish();
      });
    }
  });
  const cpu = process.cpuUsage();
  const startMs = performance.now();
  const pacer = new Pacer(rate, startMs, total);
  const timer = setInterval(() => {
    const now = performance.now();
    const due = Math.min(pacer.due(now), total - pacer.started);
    for (let i = 0; i < due; i++) {
      // Each request is due at its own moment in the tick, not at the tick.
      const dueMs = startMs + ((pacer.started + i + 1) * 1000) / rate;
      const lane = idle.pop();
      if (lane) send(lane, dueMs);
      else backlog.push(dueMs);
    }
    pacer.take(due);
    if (pacer.started === total) clearInterval(timer);
  }, TICK_MS);
  await done;
  const used = process.cpuUsage(cpu);
  for (const lane of lanes) lane.socket.removeAllListeners('close').destroy();
  const sorted = Array.from(latencies.subarray(0, answered).sort());
  return {
    sent: pacer.started,
    answered,
    failed: failed + pacer.skipped,
    rate: (answered * 1000) / (lastAnswerMs - startMs),
    cpuUs: used.user + used.system,
    p50Us: percentile(sorted, 0.5) * 1000,
    p99Us: percentile(sorted, 0.99) * 1000,
  };
}

if (require.main === module) {
  run(JSON.parse(process.argv[2]!) as LoadSpec).then(
    (report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
