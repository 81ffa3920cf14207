import { TracedEndpoint } from '../../agent/src/protocols/common-columns';
import { CAPTURES, Conversation, ProtocolTable } from './protocol-rows';

/**
 * Database and DNS traffic in the generated world of test/support/pxl.ts (pod i at IP
 * 10.1.0.(i+1), process 100+i on asid 1): client pods talk to database servers in other pods,
 * traced at both ends, and ask a DNS server outside the pods. Each conversation is one of the
 * parsers' captures (see protocol-rows.ts).
 */

/** Where a protocol's server listens: a pod of the world, or an address outside it. */
export type ServerPlace =
  { readonly pod: number; readonly port: number } | { readonly ip: string; readonly port: number };

export interface ProtocolWorld {
  /** The server of each table; a table left out has no traffic. */
  readonly servers: Partial<Record<ProtocolTable, ServerPlace>>;
  /** The pods that act as clients, taking turns. */
  readonly clients: readonly number[];
  /** The first conversation's start, ns since the epoch. */
  readonly startNs: bigint;
  /** Time between one round of conversations and the next. */
  readonly everyNs: bigint;
  readonly rounds: number;
}

/** The IP of pod i of the generated world. */
export const podIp = (pod: number): string => `10.1.0.${pod + 1}`;

/** The UPID of pod i's process, in halves. */
export const podUpid = (pod: number) => ({
  high: (1n << 32n) | BigInt(100 + pod),
  low: BigInt(5000 + pod),
});

/**
 * The conversations of the world: each round, every table's next capture between the next
 * client and its server, traced by the client (trace_role 1) and, when the server is a pod, by
 * the server too (trace_role 2).
 */
export function worldConversations(w: ProtocolWorld): Conversation[] {
  const out: Conversation[] = [];
  for (let round = 0; round < w.rounds; round++) {
    const client = w.clients[round % w.clients.length]!;
    const clientPort = 40000 + round;
    const startNs = w.startNs + BigInt(round) * w.everyNs;
    for (const [table, server] of Object.entries(w.servers) as [ProtocolTable, ServerPlace][]) {
      const captures: readonly string[] = CAPTURES[table];
      const capture = captures[round % captures.length]!;
      const serverIp = 'pod' in server ? podIp(server.pod) : server.ip;
      const clientSide: TracedEndpoint = {
        upid: podUpid(client),
        role: 1,
        localAddr: podIp(client),
        localPort: clientPort,
        remoteAddr: serverIp,
        remotePort: server.port,
      };
      out.push({ table, capture, endpoint: clientSide, startNs } as Conversation);
      if ('pod' in server) {
        const serverSide: TracedEndpoint = {
          upid: podUpid(server.pod),
          role: 2,
          localAddr: serverIp,
          localPort: server.port,
          remoteAddr: podIp(client),
          remotePort: clientPort,
        };
        out.push({ table, capture, endpoint: serverSide, startNs } as Conversation);
      }
    }
  }
  return out;
}
