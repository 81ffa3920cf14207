import type { NatsConnection } from '@nats-io/transport-node';

export interface ClusterMember {
  readonly id: string;
  readonly partitions: readonly string[];
  readonly url?: string;
}
export interface ClusterView {
  readonly cluster: string;
  readonly self: string;
  readonly nc: NatsConnection;
  members(): readonly ClusterMember[];
  partitions(): readonly string[];
}
