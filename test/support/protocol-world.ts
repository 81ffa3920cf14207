import { TracedEndpoint } from '../../agent/src/protocols/common-columns';
import { Uint128 } from '../../shared/contract/uint128';
import { CAPTURES, CapturedTable, Conversation } from './protocol-rows';

/**
 * Database, DNS, HTTP/2 and gRPC traffic between the processes of a test's world: client
 * processes talk to servers, traced at both ends where the server is a traced process too. Each
 * conversation is one of the parsers' captures (see protocol-rows.ts).
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
  readonly servers: Partial<Record<CapturedTable, ServerPlace>>;
  /** The captures each table's conversations take in turn (default: all of CAPTURES'). */
  readonly captures?: Partial<Record<CapturedTable, readonly string[]>>;
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
    for (const [table, server] of Object.entries(w.servers) as [CapturedTable, ServerPlace][]) {
      const captures: readonly string[] = w.captures?.[table] ?? CAPTURES[table];
      const capture = captures[round % captures.length]!;
      for (const endpoint of ends(client, 40000 + round, server)) {
        out.push({ table, capture, endpoint, startNs } as Conversation);
      }
    }
  }
  return out;
}
