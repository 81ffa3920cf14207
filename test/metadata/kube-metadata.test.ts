import { getJson, startTestGateway } from '../support/gateway';
import { FakeKubeApiServer } from '../support/kube/fake-api-server';
import { useLiveCluster } from '../support/kube/live-cluster';
import { FakeCluster, containerHash } from '../support/kube/fake-cluster';
import { selectRows } from '../support/metadata';
import { opensslUnavailable, selfSignedCertificate } from '../support/tls';
import { describeIfAvailable } from '../support/system';
import { eventually } from '../support/wait';

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

describeIfAvailable(
  'Kubernetes metadata from an API server speaking list and watch',
  opensslUnavailable(),
  () => {
    const live = useLiveCluster();

    const store = () => live.gw.gateway.store;
    const podRow = async (name: string) =>
      (await selectRows(store(), `SELECT * FROM _md_pods WHERE name = '${name}'`))[0];
    const servicesOf = async (podName: string, atNs = nowNs()) =>
      (
        await selectRows(
          store(),
          `SELECT s.name FROM _md_pods p JOIN _md_pod_services ps ON ps.pod_uid = p.uid
         JOIN _md_services s ON s.uid = ps.service_uid
         WHERE p.name = '${podName}' AND ps.start_ns <= ${atNs}
           AND (ps.stop_ns IS NULL OR ${atNs} < ps.stop_ns) ORDER BY s.name`,
        )
      ).map((r) => r.name);

    it('lists every resource with the bearer token, then watches from the list version with bookmarks', async () => {
      const paths = new Set(live.api.requests.map((r) => r.resource));
      expect([...paths].sort()).toEqual([
        'deployments',
        'endpointslices',
        'namespaces',
        'nodes',
        'pods',
        'replicasets',
        'services',
      ]);
      expect(live.api.requests.every((r) => r.authorized)).toBe(true);
      const podWatch = live.api.requests.find((r) => r.resource === 'pods' && r.watch)!;
      expect(podWatch.query.allowWatchBookmarks).toBe('true');
      expect(Number(podWatch.query.resourceVersion)).toBeGreaterThan(100);
      expect(Number(podWatch.query.timeoutSeconds)).toBeGreaterThanOrEqual(300);
      const podList = live.api.requests.find((r) => r.resource === 'pods' && !r.watch)!;
      expect(podList.query.limit).toBe('500');
      expect(live.gw.gateway.metadata.status().kubernetes?.synced).toBe(true);
    });

    it('fills pods with node, hostname, IP, phase, ReplicaSet and Deployment in namespace/name form', async () => {
      const pods = await selectRows(
        store(),
        `SELECT name, namespace, node, hostname, ip, phase, replicaset, deployment, stop_ns
       FROM _md_pods WHERE namespace = 'shop' ORDER BY name`,
      );
      expect(pods).toHaveLength(5);
      const frontend = pods.filter((p) => (p.name as string).startsWith('shop/frontend-'));
      expect(frontend).toHaveLength(2);
      for (const p of frontend) {
        expect(p.deployment).toBe('shop/frontend');
        expect(p.replicaset).toMatch(/^shop\/frontend-[0-9a-fx]{10}$/);
        expect(p.ip).toMatch(/^10\.244\.[12]\.\d+$/);
        expect(p.phase).toBe('Running');
        expect(p.stop_ns).toBeNull();
      }
      expect(frontend.map((p) => p.hostname).sort()).toEqual([
        'node-a.eu-west-1.compute.internal',
        'node-b.eu-west-1.compute.internal',
      ]);
      // A host-network pod's IP is its node's: it must not resolve to that one pod.
      const proxy = await podRow('kube-system/kube-proxy-a1b2c');
      expect(proxy!.ip).toBe('');
    });

    it('keys containers by the runtime id without its containerd:// prefix, as cgroups name them', async () => {
      const pod = await podRow('shop/cart-' + (await cartSuffix()));
      const containers = await selectRows(
        store(),
        `SELECT id, name, state FROM _md_containers WHERE pod_uid = '${pod!.uid}'`,
      );
      expect(containers).toEqual([
        { id: containerHash(pod!.name.split('/')[1], 'cart'), name: 'cart', state: 'Running' },
      ]);
      expect((containers[0]!.id as string).length).toBe(64);
    });

    it('puts pods behind services from EndpointSlices, several services for one pod', async () => {
      const catalog = (
        await selectRows(store(), `SELECT name FROM _md_pods WHERE name LIKE 'shop/catalog-%'`)
      ).map((r) => r.name as string);
      expect(catalog).toHaveLength(2);
      for (const p of catalog)
        expect(await servicesOf(p)).toEqual(['shop/backend', 'shop/catalog']);
      const nodes = await selectRows(store(), 'SELECT name, ip FROM _md_nodes ORDER BY name');
      expect(nodes).toEqual([
        { name: 'node-a', ip: '192.168.49.2' },
        { name: 'node-b', ip: '192.168.49.3' },
      ]);
      const namespaces = await selectRows(store(), 'SELECT name FROM _md_namespaces ORDER BY name');
      expect(namespaces.map((r) => r.name)).toEqual(['default', 'kube-system', 'shop']);
      const services = await selectRows(
        store(),
        'SELECT name, cluster_ip FROM _md_services ORDER BY name',
      );
      expect(services).toContainEqual({ name: 'shop/frontend', cluster_ip: '10.96.10.10' });
    });

    it('reflects a pod added, relabelled and deleted within a second', async () => {
      live.cluster.pod('shop', 'canary-7f9d', 'node-b', {
        labels: { app: 'frontend', tier: 'web' },
      });
      const added = await eventually('the new pod behind shop/frontend', async () => {
        const services = await servicesOf('shop/canary-7f9d');
        return services.length === 1 ? services : undefined;
      });
      expect(added).toEqual(['shop/frontend']);
      expect((await podRow('shop/canary-7f9d'))!.ip).toMatch(/^10\.244\.2\./);

      const beforeRelabel = nowNs();
      live.cluster.relabel('shop', 'canary-7f9d', { app: 'catalog', tier: 'backend' });
      await eventually('the relabelled pod behind shop/catalog and shop/backend', async () => {
        const s = await servicesOf('shop/canary-7f9d');
        return s.join() === 'shop/backend,shop/catalog' || undefined;
      });
      // Telemetry from before the relabel still belongs to the service it had then.
      expect(await servicesOf('shop/canary-7f9d', beforeRelabel)).toEqual(['shop/frontend']);

      live.cluster.deletePod('shop', 'canary-7f9d');
      const stopped = await eventually('the deleted pod stopped', async () => {
        const row = await podRow('shop/canary-7f9d');
        return row?.stop_ns !== null ? row : undefined;
      });
      // Deleted, but still resolvable for rows of its lifetime.
      expect(stopped!.stop_ns as bigint).toBeGreaterThan(beforeRelabel);
      expect(await servicesOf('shop/canary-7f9d', beforeRelabel)).toEqual(['shop/frontend']);
      expect(await servicesOf('shop/canary-7f9d')).toEqual([]);
    });

    it('resolves an IP reused by a new pod by the time of each row', async () => {
      const cart = `shop/cart-${await cartSuffix()}`;
      const oldPod = (await podRow(cart))!;
      const whileOld = nowNs();
      live.cluster.deletePod('shop', cart.split('/')[1]!);
      await eventually('the old pod stopped', async () => (await podRow(cart))?.stop_ns !== null);
      const reuseAt = new Date(Date.now() + 2000);
      live.cluster.pod('shop', 'cart-reborn', 'node-a', {
        labels: { app: 'cart', tier: 'backend' },
        ip: oldPod.ip as string,
        created: reuseAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      });
      await eventually('the new pod', () => podRow('shop/cart-reborn'));
      const ownerAt = async (t: bigint) =>
        (
          await selectRows(
            store(),
            `SELECT name FROM _md_pods WHERE ip = '${oldPod.ip}' AND start_ns <= ${t}
           AND (stop_ns IS NULL OR ${t} < stop_ns)`,
          )
        ).map((r) => r.name);
      expect(await ownerAt(whileOld)).toEqual([cart]);
      expect(await ownerAt(BigInt(reuseAt.getTime() + 1000) * 1_000_000n)).toEqual([
        'shop/cart-reborn',
      ]);
    });

    it('relists after a lost watch without losing the update made while it was down', async () => {
      const lists = () => live.api.requests.filter((r) => r.resource === 'pods' && !r.watch).length;
      const listsBefore = lists();
      const victim = (
        await selectRows(store(), `SELECT name FROM _md_pods WHERE name LIKE 'shop/frontend-%'`)
      )[0]!.name as string;
      const [ns, name] = victim.split('/') as [string, string];
      // In one turn of the event loop: the connection drops, the pod changes, and the server
      // compacts its history, so the informer cannot resume and must list again.
      live.api.dropWatches('pods');
      const pod = live.api.get('pods', ns, name)!;
      live.api.apply('pods', { ...pod, status: { ...(pod.status as object), phase: 'Failed' } });
      live.api.compact();
      const row = await eventually(
        'the update made while the watch was down',
        async () => {
          const r = await podRow(victim);
          return r?.phase === 'Failed' ? r : undefined;
        },
        3000,
      );
      expect(row.stop_ns).not.toBeNull();
      expect(lists()).toBe(listsBefore + 1);
      const metrics = await (await fetch(`${live.gw.url}/metrics`)).text();
      expect(metrics).toMatch(/pxgate_metadata_relists_total\{resource="pods"\} 1/);
    });

    it('relists when the server ends the watch with 410 Gone and an Expired Status', async () => {
      const listsBefore = live.api.requests.filter(
        (r) => r.resource === 'services' && !r.watch,
      ).length;
      live.api.expireWatches('services');
      live.cluster.service('shop', 'payments', '10.96.10.20', { app: 'payments' });
      await eventually(
        'the service created around the expiry',
        async () =>
          (await selectRows(store(), `SELECT name FROM _md_services WHERE name = 'shop/payments'`))
            .length === 1,
      );
      await live.api.waitForRequests(
        (rs) => rs.filter((r) => r.resource === 'services' && !r.watch).length === listsBefore + 1,
      );
      const metrics = await (await fetch(`${live.gw.url}/metrics`)).text();
      expect(metrics).toMatch(
        /pxgate_metadata_watch_events_total\{resource="services",type="ERROR"\} 1/,
      );
    });

    it('resumes from a bookmark after the history before it was compacted, without relisting', async () => {
      const listsBefore = live.api.requests.filter((r) => !r.watch).length;
      // Other collections move the store's version on; the namespaces watch sees none of it.
      live.cluster.pod('shop', 'busy-1', 'node-a', { labels: { app: 'busy' } });
      live.api.bookmark('namespaces');
      await eventually('the bookmark counted', async () =>
        /pxgate_metadata_watch_events_total\{resource="namespaces",type="BOOKMARK"\} 1/.test(
          await (await fetch(`${live.gw.url}/metrics`)).text(),
        ),
      );
      live.api.compact();
      live.api.dropWatches('namespaces');
      await live.api.waitForRequests(
        (rs) => rs.filter((r) => r.resource === 'namespaces' && r.watch).length >= 2,
      );
      live.cluster.namespace('payments');
      await eventually(
        'the namespace created after the resume',
        async () =>
          (await selectRows(store(), `SELECT name FROM _md_namespaces WHERE name = 'payments'`))
            .length === 1,
      );
      expect(live.api.requests.filter((r) => !r.watch).length).toBe(listsBefore);
    });

    it('reports sync state, watch events and rows in /metrics and /v1/metadata/status', async () => {
      const { body } = await getJson(`${live.gw.url}/v1/metadata/status`);
      expect(body.kubernetes.synced).toBe(true);
      expect(body.kubernetes.resources).toHaveLength(7);
      expect(body.rows.pods.rows).toBe(6);
      const metrics = await (await fetch(`${live.gw.url}/metrics`)).text();
      expect(metrics).toMatch(/pxgate_metadata_synced\{resource="endpointslices"\} 1/);
      expect(metrics).toMatch(/pxgate_metadata_rows\{table="_md_pods",state="live"\} 6/);
    });

    async function cartSuffix(): Promise<string> {
      const rows = await selectRows(
        store(),
        `SELECT name FROM _md_pods WHERE name LIKE 'shop/cart-%'`,
      );
      return (rows[0]!.name as string).slice('shop/cart-'.length);
    }
  },
);

describeIfAvailable('a gateway whose API server refuses it', opensslUnavailable(), () => {
  it('keeps serving telemetry, reports itself unsynced and retries with backoff', async () => {
    const api = await FakeKubeApiServer.start(selfSignedCertificate());
    new FakeCluster(api).seed();
    const gw = await startTestGateway({
      metadata: { kubernetes: 'on', kubeconfig: api.writeKubeconfig('a-revoked-token') },
    });
    try {
      await api.waitForRequests((rs) => rs.filter((r) => r.resource === 'pods').length >= 3);
      const { body } = await getJson(`${gw.url}/v1/metadata/status`);
      expect(body.kubernetes.synced).toBe(false);
      expect(body.rows.pods.rows).toBe(0);
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).toMatch(/pxgate_metadata_synced\{resource="pods"\} 0/);
      expect(metrics).toMatch(/pxgate_metadata_watch_restarts_total\{resource="pods"\} [2-9]/);
      expect((await getJson(`${gw.url}/readyz`)).status).toBe(200);
    } finally {
      await gw.close();
      await api.close();
    }
  });
});
