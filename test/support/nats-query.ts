import { connect, NatsConnection } from '@nats-io/transport-node';
import { Coordinator } from '../../gateway/src/cluster/query/coordinator';
import { NatsShardServer } from '../../gateway/src/cluster/query/nats-shard-server';
import { natsShards } from '../../gateway/src/cluster/query/nats-shards';
import { ClusterMember, ClusterView } from '../../gateway/src/cluster/view';
import { silentLogger } from '../../shared/common/logger';
import { splitWorld } from './cluster-query';
import { RunningNats, startNats } from './nats';
import { PxlFixture } from './pxl';

const WARM_UP = "import px\npx.display(px.DataFrame('http_events').head(1), 'w')";

/** Three stores answering parts of queries over Debian's nats-server, and one store of all rows. */
export interface NatsQueryWorld {
  readonly nats: RunningNats;
  /** One store with every row. */
  readonly one: PxlFixture;
  /** Three stores, row i in store i mod 3, each served as member g<i>. */
  readonly three: readonly PxlFixture[];
  readonly conns: readonly NatsConnection[];
  readonly servers: readonly NatsShardServer[];
  /** A coordinator on g0's engine and connection. */
  readonly coordinator: Coordinator;
  close(): Promise<void>;
}

/**
 * Starts nats-server, fills the stores (splitWorld with `httpRows` requests) and serves each of
 * the three as a member of a fixed cluster holding `members[i]`'s partitions.
 */
export async function natsQueryWorld(
  cluster: string,
  members: readonly ClusterMember[],
  httpRows?: number,
): Promise<NatsQueryWorld> {
  const nats = await startNats();
  const [one] = await splitWorld(1, httpRows);
  const three = await splitWorld(3, httpRows);
  const viewOf = (i: number, nc: NatsConnection): ClusterView => ({
    cluster,
    self: members[i]!.id,
    nc,
    members: () => members,
    partitions: () => members.flatMap((m) => m.partitions),
  });
  const conns: NatsConnection[] = [];
  const servers: NatsShardServer[] = [];
  for (const [i, fx] of three.entries()) {
    const nc = await connect({ servers: nats.url });
    conns.push(nc);
    const server = new NatsShardServer(viewOf(i, nc), fx.engine, silentLogger());
    server.start();
    servers.push(server);
  }
  const coordinator = new Coordinator(three[0]!.engine, natsShards(viewOf(0, conns[0]!)));
  // Under ts-node a compile worker takes seconds to start: each engine starts one first.
  for (const fx of [one!, ...three]) await fx.run(WARM_UP, { limits: { timeoutMs: 120_000 } });
  return {
    nats,
    one: one!,
    three,
    conns,
    servers,
    coordinator,
    async close() {
      for (const s of servers) await s.shutdown();
      for (const nc of conns) await nc.close();
      for (const fx of [one!, ...three]) await fx.close();
      await nats.close();
    },
  };
}
