/**
 * The agent's user-space work per request, without the kernel, the network or the machine's
 * other load in the figure: `node --expose-gc dist/bench/overhead/replay.js [DIST...]` replays
 * the agent-overhead benchmark's traffic (16 keep-alive connections of a Node client and a Node
 * server, both traced: four data events and two http_events rows per request) through a build's
 * connection tracker, HTTP parser, row building and Arrow batches, and prints CPU microseconds
 * per request (medians of 5 rounds of 100,000) for each build named (default: this one), in
 * turns. Give another checkout's dist/ to compare two builds in one process run.
 */
import { join } from 'node:path';
import type * as TrackerModule from '../../agent/src/conn/connection-tracker';
import type * as StatsModule from '../../agent/src/conn/conn-stats';
import type * as EventsModule from '../../agent/src/ebpf/events';
import type * as HostModule from '../../agent/src/proc/host';
import type * as OptionsModule from '../../agent/src/protocols/protocol-options';
import type * as RegistryModule from '../../agent/src/protocols/registry';
import type * as BatcherModule from '../../agent/src/transport/table-batcher';
import type * as SendQueueModule from '../../agent/src/transport/send-queue';
import type * as SchemaModule from '../../cli/config/schema';
import type * as SchemasModule from '../../shared/contract/schemas';
import { median } from '../_support';

const CONNECTIONS = 16;
const REQUESTS = 100_000;
const ROUNDS = 5;
const SERVER = 100;
const CLIENT = 200;
const REQUEST = Buffer.from('GET /bench/r1/pxgate HTTP/1.1\r\nHost: 127.0.0.1:40123\r\n\r\n');
/** What node-server.js answers, as one write. */
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nDate: Sun, 06 Dec 2026 15:04:35 GMT\r\n' +
    'Connection: keep-alive\r\nKeep-Alive: timeout=30\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '1d\r\n{"method":"GET","received":0}\r\n0\r\n\r\n',
);

/**
 * One build's pipeline, and a function that pushes `n` requests' events through it. Its batches
 * go to `keep` (none: they are made, then dropped).
 */
function pipeline(
  dist: string,
  keep?: (body: Uint8Array) => void,
): { run(n: number): void; rows(): number } {
  const load = <T>(path: string) => require(join(dist, path)) as T;
  const { ConnectionTracker } = load<typeof TrackerModule>('agent/src/conn/connection-tracker');
  const { ConnStatsAggregator } = load<typeof StatsModule>('agent/src/conn/conn-stats');
  const { protocolRegistry } = load<typeof RegistryModule>('agent/src/protocols/registry');
  const { protocolOptions } = load<typeof OptionsModule>('agent/src/protocols/protocol-options');
  const { TableBatcher } = load<typeof BatcherModule>('agent/src/transport/table-batcher');
  const { SendQueue } = load<typeof SendQueueModule>('agent/src/transport/send-queue');
  const { HTTP_EVENTS } = load<typeof SchemasModule>('shared/contract/schemas');
  const { WallClock } = load<typeof HostModule>('agent/src/proc/host');
  const { ConfigSchema } = load<typeof SchemaModule>('cli/config/schema');
  // A queue that holds nothing: each batch is made, then dropped as the budget is 0.
  const queue = new SendQueue(0, (batch) => keep?.(batch.body));
  const batcher = new TableBatcher(HTTP_EVENTS, queue, { maxRows: 4096, maxDelayMs: 1e9 });
  const config = ConfigSchema.parse({}).agent;
  let rows = 0;
  const tracker = new ConnectionTracker(
    7,
    protocolRegistry(protocolOptions(config), new WallClock()),
    new ConnStatsAggregator(),
    {
      row: (_table, row) => {
        rows++;
        batcher.add(row);
      },
      parseErrors: () => undefined,
      parseErrorKind: () => undefined,
      opaqueConnection: () => undefined,
      connectionsEvicted: () => undefined,
    },
  );
  const header = (tgid: number, fd: number, role: number, monoNs: number) => ({
    tgid,
    fd,
    role,
    tsid: 1000 + fd,
    monoNs,
    startTicks: 12345,
  });
  const open = (tgid: number, fd: number, role: number, localPort: number, remotePort: number) =>
    tracker.handle({
      kind: 'open',
      header: header(tgid, fd, role, 1),
      family: 2,
      localAddr: '127.0.0.1',
      localPort,
      remoteAddr: '127.0.0.1',
      remotePort,
      protocol: 1,
      bytesSent: 0,
      bytesRecv: 0,
      ssl: false,
      transport: 'tcp',
    });
  const data = (
    tgid: number,
    fd: number,
    role: number,
    direction: EventsModule.DataEvent['direction'],
    pos: number,
    bytes: Buffer,
    monoNs: number,
  ) => {
    // A copy per event, as the ring reader makes.
    const copy = Buffer.allocUnsafe(bytes.length);
    copy.set(bytes);
    tracker.handle({
      kind: 'data',
      header: header(tgid, fd, role, monoNs),
      direction,
      pos,
      msgSize: bytes.length,
      syscall: 0,
      protocol: 1,
      encrypted: false,
      transport: 'tcp',
      peer: undefined,
      data: copy,
    });
  };
  const positions = Array.from({ length: CONNECTIONS }, (_, c) => {
    open(SERVER, 20 + c, 2, 40123, 50000 + c);
    open(CLIENT, 30 + c, 1, 50000 + c, 40123);
    return { serverOut: 0, serverIn: 0, clientOut: 0, clientIn: 0 };
  });
  let ts = 1e12;
  return {
    rows: () => rows,
    run(n: number) {
      for (let i = 0; i < n; i++) {
        const c = i % CONNECTIONS;
        const p = positions[c]!;
        data(CLIENT, 30 + c, 1, 'egress', p.clientOut, REQUEST, (ts += 1000));
        data(SERVER, 20 + c, 2, 'ingress', p.serverIn, REQUEST, (ts += 1000));
        data(SERVER, 20 + c, 2, 'egress', p.serverOut, RESPONSE, (ts += 1000));
        data(CLIENT, 30 + c, 1, 'ingress', p.clientIn, RESPONSE, (ts += 1000));
        p.clientOut += REQUEST.length;
        p.serverIn += REQUEST.length;
        p.serverOut += RESPONSE.length;
        p.clientIn += RESPONSE.length;
      }
      batcher.flush(true);
    },
  };
}

/** The http_events Arrow bodies a build's agent makes of `requests` requests of the traffic. */
export function agentBatches(dist: string, requests: number): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  pipeline(dist, (body) => bodies.push(body)).run(requests);
  return bodies;
}

function main(): void {
  const dists = process.argv.length > 2 ? process.argv.slice(2) : [join(__dirname, '..', '..')];
  const pipes = dists.map((d) => ({ dist: d, pipe: pipeline(d), us: [] as number[] }));
  for (const p of pipes) p.pipe.run(REQUESTS / 5); // warm-up: JIT
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of pipes) {
      (globalThis as { gc?: () => void }).gc?.();
      const before = p.pipe.rows();
      const cpu = process.cpuUsage();
      p.pipe.run(REQUESTS);
      const used = process.cpuUsage(cpu);
      if (p.pipe.rows() - before !== 2 * REQUESTS) throw new Error(`${p.dist} lost rows`);
      p.us.push((used.user + used.system) / REQUESTS);
    }
  }
  for (const p of pipes) {
    const shown = p.us.map((u) => u.toFixed(2)).join(' ');
    console.log(`${p.dist}: ${median(p.us).toFixed(2)} us/request (rounds: ${shown})`);
  }
}

if (require.main === module) main();
