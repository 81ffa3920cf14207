import { Router } from 'express';

/** What `GET /v1/cluster` shows. */
export interface ClusterStatus {
  cluster: string;
  self: string;
  stream: string;
  members: { id: string; url?: string | undefined; partitions: string[] }[];
  partitions: { name: string; owner: string | null; lag: number | null }[];
}

/** Where the route reads the cluster's state: the gateway's cluster node. */
export interface ClusterStatusSource {
  status(): ClusterStatus;
}

/** `GET /v1/cluster`: the live members, each partition's owner, and the owner's lag. */
export function clusterRoutes(source: ClusterStatusSource): Router {
  const router = Router();
  router.get('/v1/cluster', (_req, res) => {
    res.json(source.status());
  });
  return router;
}
