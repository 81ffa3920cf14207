import { TracedEndpoint } from '../../agent/src/protocols/common-columns';
import { Row, Uint128 } from '../../agent/src/transport/row';
import { grpcRow } from './grpc-rows';
import { CAPTURES, Conversation, ProtocolTable } from './protocol-rows';

/**
 * Database, DNS and gRPC traffic between the processes of a test's world: client processes talk
 * to servers, traced at both ends where the server is a traced process too. Each database or
 * DNS conversation is one of the parsers' captures (see protocol-rows.ts).
 */

/** A process of the world at an address; without a UPID it is not traced (outside the cluster). */
export interface Peer {
  readonly ip: string;
  readonly upid?: Uint128;
}

/** Where a protocol's server listens. */
export interface ServerPlace {
  readonly peer: Peer;
  readonly port: number;
  /** The address clients dial when it is not the server's own (a Kubernetes service IP). */
  readonly via?: string;
}

export interface ProtocolWorld {
  /** The server of each table; a table left out has no traffic. */
  readonly servers: Partial<Record<ProtocolTable, ServerPlace>>;
  /** The client processes, taking turns. */
  readonly clients: readonly Peer[];
  /** The first conversation's start, ns since the epoch. */
  readonly startNs: bigint;
  /** Time between one round of conversations and the next. */
  readonly everyNs: bigint;
  readonly rounds: number;
}

/** Pod i of the generated world of test/support/pxl.ts: IP 10.1.0.(i+1), process 100+i. */
export function pxlPod(pod: number): Peer {
  return { ip: `10.1.0.${pod + 1}`, upid: upidHalves(1, 100 + pod, 5000 + pod) };
}

/** A UPID in halves, from its parts. */
export function upidHalves(asid: number, pid: number, startTicks: number): Uint128 {
  return { high: (BigInt(asid) << 32n) | BigInt(pid), low: BigInt(startTicks) };
}

/** The two ends of a connection from `client` (at `clientPort`) to `server`, as each traces it. */
function ends(client: Peer, clientPort: number, server: ServerPlace) {
  const clientSide: TracedEndpoint | undefined = client.upid && {
    upid: client.upid,
    role: 1,
    localAddr: client.ip,
    localPort: clientPort,
    remoteAddr: server.via ?? server.peer.ip,
    remotePort: server.port,
  };
  const serverSide: TracedEndpoint | undefined = server.peer.upid && {
    upid: server.peer.upid,
    role: 2,
    localAddr: server.peer.ip,
    localPort: server.port,
    remoteAddr: client.ip,
    remotePort: clientPort,
  };
  return [clientSide, serverSide].filter((e): e is TracedEndpoint => e !== undefined);
}

/**
 * The conversations of the world: each round, every table's next capture between the next
 * client and that table's server, as each traced end sees it.
 */
export function worldConversations(w: ProtocolWorld): Conversation[] {
  const out: Conversation[] = [];
  for (let round = 0; round < w.rounds; round++) {
    const client = w.clients[round % w.clients.length]!;
    const startNs = w.startNs + BigInt(round) * w.everyNs;
    for (const [table, server] of Object.entries(w.servers) as [ProtocolTable, ServerPlace][]) {
      const captures: readonly string[] = CAPTURES[table];
      const capture = captures[round % captures.length]!;
      for (const endpoint of ends(client, 40000 + round, server)) {
        out.push({ table, capture, endpoint, startNs } as Conversation);
      }
    }
  }
  return out;
}

/** gRPC traffic of the world: calls from client processes to one server. */
export interface GrpcWorld {
  readonly server: ServerPlace;
  readonly clients: readonly Peer[];
  /** `package.Service/Method` paths the calls take, in turn. */
  readonly methods: readonly string[];
  /** The grpc-status of each call, in turn (e.g. mostly 0, some failures). */
  readonly statuses: readonly number[];
  readonly calls: number;
  readonly startNs: bigint;
  readonly everyNs: bigint;
}

/** One gRPC call of the world, with the http_events rows of its traced ends. */
export interface WorldGrpcCall {
  readonly client: Peer;
  readonly service: string;
  readonly method: string;
  readonly status: number;
  /** The rows by trace_role: 1 for the client's, 2 for the server's. */
  readonly rows: ReadonlyMap<number, Row>;
}

/** The world's gRPC calls; a call's server-side answer is 50 us quicker than its client's. */
export function worldGrpcCalls(w: GrpcWorld): WorldGrpcCall[] {
  return Array.from({ length: w.calls }, (_, i) => {
    const client = w.clients[i % w.clients.length]!;
    const [service = '', method = ''] = w.methods[i % w.methods.length]!.split('/');
    const status = w.statuses[i % w.statuses.length]!;
    const timeNs = w.startNs + BigInt(i) * w.everyNs;
    const latencyNs = 200_000 + ((i * 7919) % 40) * 100_000;
    const rows = new Map<number, Row>();
    for (const endpoint of ends(client, 50000 + (i % 1000), w.server)) {
      const latency = endpoint.role === 1 ? latencyNs + 50_000 : latencyNs;
      rows.set(
        endpoint.role,
        grpcRow({ endpoint, timeNs, service, method, status, latencyNs: latency }),
      );
    }
    return { client, service, method, status, rows };
  });
}
