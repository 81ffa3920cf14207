import { Gateway } from '../../gateway/src/gateway';
import { ConfigInput } from '../../cli/config/schema';
import { TestGateway, getJson, startTestGateway } from './gateway';
import { RunningNats, startNats } from './nats';
import { waitFor } from './wait';

/** Fast membership for tests: a member is gone after a second without a heartbeat. */
export const FAST_MEMBERSHIP = { heartbeat: '200ms', memberTimeout: '1s' } as const;

/** Starts an in-process gateway of a cluster on the given NATS server. */
export function startClusterGateway(
  natsUrl: string,
  memberId: string,
  config: ConfigInput = {},
): Promise<TestGateway> {
  return startTestGateway({
    ...config,
    cluster: { name: 'test', memberId, nats: { url: natsUrl }, ...FAST_MEMBERSHIP },
  });
}

/** `GET /v1/cluster` of a gateway. */
export async function clusterStatus(url: string): Promise<{
  members: { id: string; partitions: string[] }[];
  partitions: { name: string; owner: string | null; lag: number | null }[];
}> {
  const res = await getJson(`${url}/v1/cluster`);
  if (res.status !== 200) throw new Error(`GET /v1/cluster: ${res.status}`);
  return res.body;
}

/** Waits until every gateway sees exactly these members. */
export async function untilMembers(urls: readonly string[], ids: readonly string[]) {
  const want = [...ids].sort().join(',');
  for (const url of urls) {
    await waitFor(
      async () => (await clusterStatus(url)).members.map((m) => m.id).join(','),
      (seen) => seen === want,
      { timeoutMs: 15_000, what: `members ${want} at ${url}` },
    );
  }
}

/** The values of one column of a table in a gateway's own store, sorted. */
export async function storedValues(gateway: Gateway, sql: string): Promise<string[]> {
  const conn = await gateway.store.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader
      .getRows()
      .map((r) => String(r[0]))
      .sort();
  } finally {
    conn.closeSync();
  }
}

/** Debian's nats-server, three gateways of one cluster on it (all members), and a plain gateway. */
export async function startThreeGateways(): Promise<{
  nats: RunningNats;
  gateways: TestGateway[];
  reference: TestGateway;
}> {
  const nats = await startNats();
  const ids = ['gw-a', 'gw-b', 'gw-c'];
  const gateways = await Promise.all(ids.map((id) => startClusterGateway(nats.url, id)));
  const reference = await startTestGateway();
  await untilMembers(
    gateways.map((g) => g.url),
    ids,
  );
  return { nats, gateways, reference };
}
