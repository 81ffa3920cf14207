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
import { PIXIE_CTX_KEYS } from '../support/metadata';
import { describeIfAvailable } from '../support/system';

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

const CTX_SCRIPT = `
import px
df = px.DataFrame(table='http_events', start_time='-5m')
${PIXIE_CTX_KEYS.map((k) => `df.ctx_${k} = df.ctx['${k}']`).join('\n')}
df = df[df.req_path == '/ctx']
px.display(df, 'ctx')
`;

describeIfAvailable('PxL over a live cluster’s metadata', opensslUnavailable(), () => {
  const live = useLiveCluster();
  let procs: Map<string, PodProcess>;

  beforeEach(async () => {
    const list = podProcesses(live.api.list('pods').filter((p) => p.metadata.namespace === 'shop'));
    await reportProcesses(live.gw.gateway.store, list);
    procs = new Map(list.map((p) => [p.pod.split('/')[1]!.split('-')[0]!, p]));
  });

  const proc = (deployment: string) => procs.get(deployment)!;

  it('resolves every df.ctx key for rows of the cluster’s pods, as Pixie names them', async () => {
    const catalog = proc('catalog');
    await ingest(live.gw.url, 'http_events', [
      httpRequest(catalog, '10.96.10.11', nowNs(), { path: '/ctx' }),
    ]);
    const { ctx } = await query(live.gw.url, CTX_SCRIPT);
    expect(ctx).toHaveLength(1);
    const row = ctx![0]!;
    const [asid, pid] = catalog.upid.split(':').map(Number);
    const podRow = live.api.get('pods', 'shop', catalog.pod.split('/')[1]!)!;
    const backend = live.api.get('services', 'shop', 'backend')!.metadata.uid;
    const catalogSvc = live.api.get('services', 'shop', 'catalog')!.metadata.uid;
    expect(row).toMatchObject({
      ctx_pod: catalog.pod,
      ctx_pod_name: catalog.pod,
      ctx_pod_id: catalog.podUid,
      // Behind two services: Pixie's JSON array, names sorted.
      ctx_service: '["shop/backend","shop/catalog"]',
      ctx_service_name: '["shop/backend","shop/catalog"]',
      ctx_service_id: JSON.stringify([backend, catalogSvc].sort()),
      ctx_namespace: 'shop',
      ctx_node: (podRow.spec as { nodeName: string }).nodeName,
      ctx_node_name: (podRow.spec as { nodeName: string }).nodeName,
      ctx_hostname: catalog.hostname,
      ctx_container: 'catalog',
      ctx_container_name: 'catalog',
      ctx_container_id: catalog.containerId,
      ctx_deployment: 'shop/catalog',
      ctx_deployment_name: 'shop/catalog',
      ctx_replicaset: expect.stringMatching(/^shop\/catalog-[0-9a-fx]{10}$/),
      ctx_cmdline: '/app/catalog --port 8080',
      ctx_pid: pid,
      ctx_asid: asid,
    });
  });

  it('resolves the metadata functions for IPs, pod names, pod ids, container ids and UPIDs', async () => {
    const frontend = proc('frontend');
    const cart = proc('cart');
    await ingest(live.gw.url, 'http_events', [httpRequest(cart, frontend.ip, nowNs())]);
    const { out } = await query(
      live.gw.url,
      `
import px
df = px.DataFrame(table='http_events', start_time='-5m')
df.to_pod = px.ip_to_pod_id(df.remote_addr)
df.to_service = px.ip_to_service_id(df.remote_addr)
df.to_pod_name = px.pod_id_to_pod_name(df.to_pod)
df.to_namespace = px.pod_id_to_namespace(df.to_pod)
df.to_service_name = px.pod_id_to_service_name(df.to_pod)
df.to_node = px.pod_id_to_node_name(df.to_pod)
df.by_name_namespace = px.pod_name_to_namespace(df.to_pod_name)
df.by_name_service = px.pod_name_to_service_name(df.to_pod_name)
df.by_name_status = px.pod_name_to_status(df.to_pod_name)
df.by_name_start = px.pod_name_to_start_time(df.to_pod_name)
df.by_name_ip = px.pod_name_to_pod_ip(df.to_pod_name)
df.service_name = px.service_id_to_service_name(df.to_service)
df.from_pod = px.upid_to_pod_name(df.upid)
df.from_service = px.upid_to_service_name(df.upid)
df.from_namespace = px.upid_to_namespace(df.upid)
df.from_node = px.upid_to_node_name(df.upid)
df.from_container = px.upid_to_container_name(df.upid)
df.container_status = px.container_id_to_status(px.upid_to_container_id(df.upid))
df.from_backend = px.has_service_name(df.from_service, 'shop/backend')
df.calls_cart = px.has_service_name(df.to_service_name, 'shop/cart')
df.dns = px.nslookup(df.remote_addr)
df.service_dns = px.nslookup('10.96.10.12')
px.display(df, 'out')
`,
    );
    const frontendPod = live.api.get('pods', 'shop', frontend.pod.split('/')[1]!)!;
    const frontendSvc = live.api.get('services', 'shop', 'frontend')!;
    const cartPod = live.api.get('pods', 'shop', cart.pod.split('/')[1]!)!;
    expect(out![0]).toMatchObject({
      to_pod: frontend.podUid,
      to_service: frontendSvc.metadata.uid,
      to_pod_name: frontend.pod,
      to_namespace: 'shop',
      to_service_name: 'shop/frontend',
      to_node: (frontendPod.spec as { nodeName: string }).nodeName,
      by_name_namespace: 'shop',
      by_name_service: 'shop/frontend',
      by_name_status: JSON.stringify({ phase: 'Running', message: '', reason: '', ready: true }),
      // TIME64NS beyond 2^53 travels as a decimal string.
      by_name_start: String(BigInt(Date.parse('2024-05-01T08:20:00Z')) * 1_000_000n),
      by_name_ip: frontend.ip,
      service_name: 'shop/frontend',
      from_pod: cart.pod,
      from_service: '["shop/backend","shop/cart"]',
      from_namespace: 'shop',
      from_node: (cartPod.spec as { nodeName: string }).nodeName,
      from_container: 'cart',
      container_status: expect.stringContaining('"state":"Running"'),
      from_backend: true,
      calls_cart: false,
      dns: `${frontend.ip.replace(/\./g, '-')}.shop.pod.cluster.local`,
      service_dns: 'catalog.shop.svc.cluster.local',
    });
  });

  it('reflects a pod added, relabelled and deleted during the run within a second', async () => {
    live.cluster.pod('shop', 'search-5f7b', 'node-a', { labels: { app: 'search', tier: 'web' } });
    live.cluster.service('shop', 'search', '10.96.10.30', { app: 'search' });
    const search = podProcesses([live.api.get('pods', 'shop', 'search-5f7b')!], 9000)[0]!;
    await reportProcesses(live.gw.gateway.store, [search]);
    const frontend = proc('frontend');
    const services = async (path: string) => {
      const { out } = await query(
        live.gw.url,
        `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df[df.req_path == '${path}']
df.callee = px.ip_to_service_id(df.remote_addr)
df.callee = px.service_id_to_service_name(df.callee)
df.caller_service = df.ctx['service']
px.display(df[['time_', 'callee', 'caller_service']], 'out')`,
      );
      return out!;
    };

    const t0 = nowNs();
    await ingest(live.gw.url, 'http_events', [
      httpRequest(frontend, search.ip, t0, { path: '/added' }),
      httpRequest(search, frontend.ip, t0, { path: '/added-out' }),
    ]);
    expect(
      await eventually('the added pod to resolve', async () => {
        const [row] = await services('/added');
        return row?.callee === 'shop/search' ? row : undefined;
      }),
    ).toMatchObject({ caller_service: 'shop/frontend' });
    expect((await services('/added-out'))[0]!.caller_service).toBe('shop/search');

    const beforeRelabel = nowNs();
    live.cluster.relabel('shop', 'search-5f7b', { app: 'frontend', tier: 'web' });
    await eventually('the relabelled pod behind shop/frontend', async () => {
      await ingest(live.gw.url, 'http_events', [
        httpRequest(search, frontend.ip, nowNs(), { path: '/relabelled' }),
      ]);
      const rows = await services('/relabelled');
      return rows.some((r) => r.caller_service === 'shop/frontend') || undefined;
    });
    // The row from before the relabel keeps the service it had then.
    expect((await services('/added-out'))[0]!.caller_service).toBe('shop/search');

    live.cluster.deletePod('shop', 'search-5f7b');
    await eventually('the pod deleted', async () => {
      const { out } = await query(
        live.gw.url,
        `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df[df.req_path == '/added']
df.stopped = px.pod_id_to_stop_time(px.ip_to_pod_id(df.remote_addr))
px.display(df, 'out')`,
      );
      return out![0]!.stopped > 0 || undefined;
    });
    // Deleted, the pod still names the rows of its lifetime.
    const [row] = await services('/added');
    expect(row!.callee).toBe('shop/search');
    expect(BigInt(row!.time_)).toBeLessThan(beforeRelabel);
  });

  it('loses no update when the watch is lost and must relist', async () => {
    const cart = proc('cart');
    const name = cart.pod.split('/')[1]!;
    live.api.dropWatches('pods');
    const pod = live.api.get('pods', 'shop', name)!;
    live.api.apply('pods', { ...pod, metadata: { ...pod.metadata, labels: { app: 'moved' } } });
    live.api.compact();
    const before = nowNs() - 1_000_000_000n;
    await ingest(live.gw.url, 'http_events', [httpRequest(cart, proc('frontend').ip, before)]);
    // Rows from after the gateway relisted and saw the relabel belong to no service; the row
    // from before it keeps its services.
    const serviceAt = async (t: bigint) => {
      const { out } = await query(
        live.gw.url,
        `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df[df.time_ == px.int64_to_time(${t})]
df.service = df.ctx['service']
px.display(df, 'out')`,
      );
      return out![0]!.service;
    };
    await eventually(
      'the relabel made while the watch was down',
      async () => {
        const t = nowNs();
        await ingest(live.gw.url, 'http_events', [httpRequest(cart, proc('frontend').ip, t)]);
        return (await serviceAt(t)) === '' || undefined;
      },
      3000,
    );
    expect(await serviceAt(before)).toBe('["shop/backend","shop/cart"]');
    expect(live.api.requests.filter((r) => r.resource === 'pods' && !r.watch)).toHaveLength(2);
  });
});
