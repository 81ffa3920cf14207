import { ClusterView } from '../view';
import { ShardTarget, ShardTargets } from './coordinator';
import { querySubject } from './protocol';

/** The cluster's members as a coordinator's targets: a NATS request to each one's subject. */
export function natsShards(view: ClusterView): ShardTargets {
  return {
    targets: () =>
      view.members().map((m): ShardTarget => ({
        id: m.id,
        partitions: m.partitions,
        ask: async (request, timeoutMs) => {
          const reply = await view.nc.request(querySubject(view.cluster, m.id), request, {
            timeout: timeoutMs,
          });
          return reply.data;
        },
      })),
    partitions: () => view.partitions(),
  };
}
