/**
 * A gateway seeded with a few rows whose every value is known: a custom `orders` table (the
 * gateway's declared-table API), so that tests can assert exact frames.
 */
import { ingest, postJson, startTestGateway, TestGateway } from '../../../../test/support/gateway';

const NS_PER_S = 1_000_000_000n;

export interface OrdersGateway {
  gateway: TestGateway;
  /** The first row's time (ns), on a whole minute. */
  baseNs: bigint;
  /** A time range (ms) around every row. */
  range: { fromMs: number; toMs: number };
}

/** [seconds after base, extra ns, service, latency ns, failed] */
export const ORDERS: Array<[number, number, string, number, boolean]> = [
  [0, 0, 'shop/cart', 1_000_000, false],
  [1, 0, 'shop/cart', 3_000_000, true],
  [10, 0, 'shop/cart', 2_000_000, false],
  [0, 5, 'shop/payments', 5_000_000, true],
  [20, 0, 'shop/payments', 7_000_000, false],
];

/** Starts a gateway (with `auth.token` when given) holding ORDERS. */
export async function startOrdersGateway(token?: string): Promise<OrdersGateway> {
  const gateway = await startTestGateway(token ? { auth: { token } } : {});
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const declared = await postJson(
    `${gateway.url}/v1/tables`,
    {
      name: 'orders',
      columns: [
        { name: 'time_', type: 'TIME64NS' },
        { name: 'service', type: 'STRING' },
        { name: 'latency', type: 'INT64', semanticType: 'ST_DURATION_NS' },
        { name: 'failed', type: 'BOOLEAN' },
      ],
    },
    auth,
  );
  if (declared.status !== 201) throw new Error(`declare orders: ${JSON.stringify(declared.body)}`);
  const minute = 60n * NS_PER_S;
  const baseNs = ((BigInt(Date.now()) * 1_000_000n) / minute) * minute - 5n * minute;
  await ingest(
    gateway.url,
    'orders',
    ORDERS.map(([s, ns, service, latency, failed]) => ({
      time_: (baseNs + BigInt(s) * NS_PER_S + BigInt(ns)).toString(),
      service,
      latency,
      failed,
    })),
    auth,
  );
  const baseMs = Number(baseNs / 1_000_000n);
  return { gateway, baseNs, range: { fromMs: baseMs - 60_000, toMs: baseMs + 60_000 } };
}
