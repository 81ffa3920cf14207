import type { NatsConnection } from '@nats-io/transport-node';

/** One live gateway of a cluster and the partitions (node names) it owns. */
export interface ClusterMember {
  readonly id: string;
  readonly partitions: readonly string[];
  /** The gateway's own HTTP address, when it announced one. */
  readonly url?: string;
}

/**
 * What a gateway in cluster mode (`--nats`) knows of its cluster: the connection it shares with
 * the other gateways, the live members, and which partitions each owns. Queries across shards
 * (`cluster/query/`) are built on it.
 */
export interface ClusterView {
  /** The cluster's name (`--cluster NAME`, default "default"). */
  readonly cluster: string;
  /** This gateway's member id. */
  readonly self: string;
  readonly nc: NatsConnection;
  /** Live members and the partitions (node names) each owns. */
  members(): readonly ClusterMember[];
  /** Every partition (node) that has data in the stream. */
  partitions(): readonly string[];
}
