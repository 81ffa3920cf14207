import { TestGateway, startTestGateway } from '../gateway';
import { FakeKubeApiServer } from './fake-api-server';
import { FakeCluster } from './fake-cluster';
import { TestCertificate, selfSignedCertificate } from '../tls';

/** A seeded fake cluster and a gateway whose informers have synced with it. */
export interface LiveCluster {
  api: FakeKubeApiServer;
  cluster: FakeCluster;
  gw: TestGateway;
  close(): Promise<void>;
}

/** Starts the fake API server, seeds the shop, and starts a gateway watching it. */
export async function startLiveCluster(tls: TestCertificate): Promise<LiveCluster> {
  const api = await FakeKubeApiServer.start(tls);
  const cluster = new FakeCluster(api);
  cluster.seed();
  const gw = await startTestGateway({
    metadata: { kubernetes: 'on', kubeconfig: api.writeKubeconfig(), flushInterval: '20ms' },
  });
  await gw.gateway.metadata.whenSynced(5000);
  return {
    api,
    cluster,
    gw,
    close: async () => {
      await gw.close();
      await api.close();
    },
  };
}

/**
 * Registers hooks that start a live cluster before each test of the enclosing describe block
 * and stop it after; the returned object reads the current one.
 */
export function useLiveCluster(): Omit<LiveCluster, 'close'> {
  let tls: TestCertificate;
  let current: LiveCluster;
  beforeAll(() => {
    tls = selfSignedCertificate();
  });
  beforeEach(async () => {
    current = await startLiveCluster(tls);
  });
  afterEach(() => current.close());
  return {
    get api() {
      return current.api;
    },
    get cluster() {
      return current.cluster;
    },
    get gw() {
      return current.gw;
    },
  };
}
