import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/wait';
import { ingest } from '../support/gateway';
import {
  PodProcess,
  httpRequest,
  podProcesses,
  query,
  reportProcesses,
} from '../support/kube/cluster-telemetry';
import { useLiveCluster } from '../support/kube/live-cluster';
import { opensslUnavailable } from '../support/tls';
import { describeIfAvailable } from '../support/system';

const script = (name: string) =>
  readFileSync(join(__dirname, `../../scripts/px/${name}.pxl`), 'utf8');
const EXTERNAL = '203.0.113.7';

describeIfAvailable('the bundled service scripts on a live cluster', opensslUnavailable(), () => {
  const live = useLiveCluster();
  let byDeployment: Map<string, PodProcess[]>;

  beforeEach(async () => {
    // One service per pod keeps the map's names plain (a pod behind two services is a JSON
    // array, tested with the ctx keys).
    live.api.remove('services', 'shop', 'backend');
    await eventually(
      'the backend service stopped',
      () => live.gw.gateway.metadata.status().rows.podServices!.deleted === 3 || undefined,
    );
    await live.gw.gateway.metadata.flush();
    const procs = podProcesses(
      live.api.list('pods').filter((p) => p.metadata.namespace === 'shop'),
    );
    await reportProcesses(live.gw.gateway.store, procs);
    byDeployment = new Map();
    for (const p of procs) {
      const d = p.pod.split('/')[1]!.split('-')[0]!;
      byDeployment.set(d, [...(byDeployment.get(d) ?? []), p]);
    }
    // Server-side rows, as the agent in the serving pod traces them: frontend takes 5 requests
    // from outside the cluster; it calls cart 3 times (one 500) and catalog 4 times, spread over
    // both catalog pods; cart calls catalog twice.
    const [frontend] = byDeployment.get('frontend')!;
    const [cart] = byDeployment.get('cart')!;
    const catalogs = byDeployment.get('catalog')!;
    const t = BigInt(Date.now()) * 1_000_000n;
    const rows = [
      ...Array.from({ length: 5 }, (_, i) =>
        httpRequest(frontend!, EXTERNAL, t + BigInt(i), { server: true }),
      ),
      ...[200, 500, 200].map((status, i) =>
        httpRequest(cart!, frontend!.ip, t + BigInt(10 + i), {
          server: true,
          status,
          latencyNs: 4_000_000,
        }),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        httpRequest(catalogs[i % 2]!, frontend!.ip, t + BigInt(20 + i), { server: true }),
      ),
      ...Array.from({ length: 2 }, (_, i) =>
        httpRequest(catalogs[i % 2]!, cart!.ip, t + BigInt(30 + i), { server: true }),
      ),
      // The client side of the same calls: the map counts each call once, from its server.
      httpRequest(frontend!, cart!.ip, t + 40n),
    ];
    await ingest(live.gw.url, 'http_events', rows);
  });

  it('service_map draws the services as nodes and the calls between them as edges', async () => {
    const { nodes, edges } = await query(live.gw.url, script('service_map'));
    expect(
      edges!
        .map((e) => [e.source, e.target, e.requests, Math.round(e.error_rate * 1000) / 1000])
        .sort(),
    ).toEqual(
      [
        [EXTERNAL, 'shop/frontend', 5, 0],
        ['shop/cart', 'shop/catalog', 2, 0],
        ['shop/frontend', 'shop/cart', 3, 0.333],
        ['shop/frontend', 'shop/catalog', 4, 0],
      ].sort(),
    );
    expect(edges!.find((e) => e.target === 'shop/cart')!.latency_p50).toBe(4_000_000);
    expect(nodes!.map((n) => [n.id, n.requests]).sort()).toEqual(
      [
        [EXTERNAL, 0],
        ['shop/cart', 3],
        ['shop/catalog', 6],
        ['shop/frontend', 5],
      ].sort(),
    );
  });

  it('service_stats gives each service its requests and error rate', async () => {
    const { service_stats: stats } = await query(live.gw.url, script('service_stats'));
    const perService = new Map<string, { requests: number; errors: number }>();
    for (const r of stats!) {
      const s = perService.get(r.service) ?? { requests: 0, errors: 0 };
      s.requests += r.requests;
      s.errors += r.requests * r.error_rate;
      perService.set(r.service, s);
    }
    expect(
      Object.fromEntries([...perService].map(([k, v]) => [k, [v.requests, Math.round(v.errors)]])),
    ).toEqual({
      'shop/frontend': [5, 0],
      'shop/cart': [3, 1],
      'shop/catalog': [6, 0],
    });
  });
});
