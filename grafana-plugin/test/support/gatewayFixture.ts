/**
 * A real gateway in this process, seeded with the generated cluster, and a pxgate data source
 * talking to it through Grafana's API (replayed) and the plugin's backend.
 */
import { seedCluster, SeededCluster } from '../../../test/support/cluster';
import { startTestGateway, TestGateway } from '../../../test/support/gateway';
import { Harness, HarnessOptions, makeDataSource } from './harness';
import { TestVariable } from './templateSrv';

export interface SeededGateway {
  gateway: TestGateway;
  cluster: SeededCluster;
  /** The dashboard time range that covers the seeded data. */
  range: { fromMs: number; toMs: number };
  /** A data source on this gateway, with Grafana's services replayed. */
  datasource(variables?: TestVariable[], options?: Omit<HarnessOptions, 'gatewayUrl'>): Harness;
  close(): Promise<void>;
}

export async function startSeededGateway(minutes = 5): Promise<SeededGateway> {
  const gateway = await startTestGateway();
  const cluster = await seedCluster(gateway.gateway, gateway.url, { minutes });
  const range = {
    fromMs: Number(cluster.startNs / 1_000_000n) - 60_000,
    toMs: Number(cluster.endNs / 1_000_000n) + 1_000,
  };
  return {
    gateway,
    cluster,
    range,
    datasource: (variables, options) =>
      makeDataSource({ gatewayUrl: gateway.url, variables, range, ...options }),
    close: () => gateway.close(),
  };
}
