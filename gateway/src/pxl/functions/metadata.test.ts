import {
  BASE_NS,
  HttpEvent,
  PODS,
  PxlFixture,
  httpEvents,
  httpJson,
  pxlFixture,
  records,
  upidOf,
} from '../../../../test/support/pxl';

const HOUR = 3_600_000_000_000n;
const RELABEL_AT = BASE_NS + 60_000_000_000n;

/** The cluster of these tests, as plain data: what every lookup is checked against. */
const pods = Array.from({ length: PODS + 1 }, (_, i) => ({
  uid: `uid-${i}`,
  name: `${i % 2 === 0 ? 'ns1' : 'ns2'}/pod-${i}`,
  namespace: i % 2 === 0 ? 'ns1' : 'ns2',
  node: `node-${i % 3}`,
  hostname: `node-${i % 3}`,
  // pod 5 stops at RELABEL_AT and pod 6 takes its IP from then on.
  ip: `10.1.0.${i === PODS ? PODS : i + 1}`,
  phase: i === PODS - 1 ? 'Succeeded' : 'Running',
  start_ns: i === PODS ? RELABEL_AT : BASE_NS - HOUR,
  stop_ns: i === PODS - 1 ? RELABEL_AT : null,
  replicaset: `ns1/rs-${i}`,
  deployment: i < 3 ? 'ns1/frontend' : '',
}));

const services = [
  {
    uid: 'suid-a',
    name: 'ns1/svc-a',
    namespace: 'ns1',
    cluster_ip: '10.96.0.1',
    start_ns: BASE_NS - HOUR,
    stop_ns: null,
  },
  {
    uid: 'suid-b',
    name: 'ns1/svc-b',
    namespace: 'ns1',
    cluster_ip: '10.96.0.2',
    start_ns: BASE_NS - HOUR,
    stop_ns: null,
  },
];

/** pod 0 in svc-a; pod 1 in both; pod 2 in svc-b until relabelled. */
const memberships = [
  { pod_uid: 'uid-0', service_uid: 'suid-a', start_ns: BASE_NS - HOUR, stop_ns: null },
  { pod_uid: 'uid-1', service_uid: 'suid-a', start_ns: BASE_NS - HOUR, stop_ns: null },
  { pod_uid: 'uid-1', service_uid: 'suid-b', start_ns: BASE_NS - HOUR, stop_ns: null },
  { pod_uid: 'uid-2', service_uid: 'suid-b', start_ns: BASE_NS - HOUR, stop_ns: RELABEL_AT },
];

function servicesOf(podUid: string, t: bigint): string {
  const names = memberships
    .filter((m) => m.pod_uid === podUid && m.start_ns <= t && (m.stop_ns === null || t < m.stop_ns))
    .map((m) => services.find((s) => s.uid === m.service_uid)!.name)
    .sort();
  return names.length === 0 ? '' : names.length === 1 ? names[0]! : JSON.stringify(names);
}

function podAt(ip: string, t: bigint) {
  return pods
    .filter((p) => p.ip === ip && p.start_ns <= t && (p.stop_ns === null || t < p.stop_ns))
    .sort((a, b) => Number(b.start_ns - a.start_ns))[0];
}

describe('metadata: df.ctx and the px metadata functions', () => {
  let fx: PxlFixture;
  let events: HttpEvent[];
  const now = BASE_NS + 120_000_000_000n;

  beforeAll(async () => {
    fx = await pxlFixture();
    events = httpEvents(600, 11);
    await fx.insert('http_events', httpJson(events));
  });
  afterAll(() => fx.close());

  it('without Kubernetes, pod keys are empty while pid and asid come from the upid', async () => {
    const { out } = await fx.run(
      `
import px
df = px.DataFrame('http_events', select=['upid'])
df.pod = df.ctx['pod']
df.service = df.ctx['service']
df.namespace = df.ctx['namespace']
df.pid = df.ctx['pid']
df.asid = df.ctx['asid']
df.cmdline = df.ctx['cmdline']
px.display(df.head(50), 'out')
`,
      { now },
    );
    expect(records(out!)).toEqual(
      events.slice(0, 50).map((e) => ({
        upid: e.upid,
        pod: '',
        service: '',
        namespace: '',
        pid: BigInt(e.pid),
        asid: 1n,
        cmdline: '',
      })),
    );
  });

  describe('with metadata tables filled', () => {
    beforeAll(async () => {
      await fx.metadata('pods', pods);
      await fx.metadata('services', services);
      await fx.metadata('podServices', memberships);
      await fx.metadata(
        'processes',
        pods.slice(0, PODS).map((p, i) => {
          const upid = upidOf(1, 100 + i, 5000 + i);
          return {
            upid: upid.value,
            asid: 1,
            pid: 100 + i,
            start_ticks: 5000 + i,
            cmdline: `/bin/app-${i} --port 80${i}`,
            hostname: i === 4 ? '' : `host-${i}`,
            container_id: `cid-${i}`,
            pod_uid: p.uid,
            start_ns: BASE_NS - HOUR,
            stop_ns: null,
          };
        }),
      );
      await fx.metadata(
        'containers',
        pods.slice(0, PODS).map((p, i) => ({
          id: `cid-${i}`,
          name: `app-${i}`,
          pod_uid: p.uid,
          state: 'Running',
          start_ns: BASE_NS - HOUR,
          stop_ns: null,
        })),
      );
    });

    it('resolves every ctx key of a row through its process at the row time', async () => {
      const keys = [
        'pod',
        'pod_name',
        'pod_id',
        'service',
        'service_name',
        'service_id',
        'namespace',
        'node',
        'node_name',
        'hostname',
        'container',
        'container_name',
        'container_id',
        'deployment',
        'deployment_name',
        'replicaset',
        'cmdline',
        'pid',
        'asid',
      ];
      const { out } = await fx.run(
        `import px
df = px.DataFrame('http_events', select=['time_', 'upid'])
${keys.map((k) => `df.${k} = df.ctx['${k}']`).join('\n')}
px.display(df, 'out')`,
        { now },
      );
      const expected = events.map((e) => {
        const p = pods[e.pod]!;
        const svc = servicesOf(p.uid, e.time_);
        const svcIds = svc === '' ? '' : svc.replace(/ns1\/svc-/g, 'suid-');
        return {
          time_: e.time_,
          upid: e.upid,
          pod: p.name,
          pod_name: p.name,
          pod_id: p.uid,
          service: svc,
          service_name: svc,
          service_id: svcIds,
          namespace: p.namespace,
          node: p.node,
          node_name: p.node,
          hostname: e.pod === 4 ? p.hostname : `host-${e.pod}`,
          container: `app-${e.pod}`,
          container_name: `app-${e.pod}`,
          container_id: `cid-${e.pod}`,
          deployment: p.deployment,
          deployment_name: p.deployment,
          replicaset: p.replicaset,
          cmdline: `/bin/app-${e.pod} --port 80${e.pod}`,
          pid: BigInt(e.pid),
          asid: 1n,
        };
      });
      // pod 5 stopped at RELABEL_AT: later rows of its process no longer resolve to it.
      for (const [i, row] of expected.entries()) {
        const e = events[i]!;
        if (e.pod === PODS - 1 && e.time_ >= RELABEL_AT) {
          Object.assign(row, {
            pod: '',
            pod_name: '',
            namespace: '',
            node: '',
            node_name: '',
            deployment: '',
            deployment_name: '',
            replicaset: '',
            hostname: `host-${e.pod}`,
          });
        }
      }
      expect(records(out!)).toEqual(expected);
      expect(out!.columns.find((c) => c.name === 'service')!.semanticType).toBe('ST_SERVICE_NAME');
    });

    it('maps a reused IP to the pod that held it at each row time', async () => {
      const { out } = await fx.run(
        `import px
df = px.DataFrame('http_events', select=['time_', 'remote_addr'])
df.pod_id = px.ip_to_pod_id(df.remote_addr)
df.pod = px.pod_id_to_pod_name(df.pod_id)
df.ns = px.pod_id_to_namespace(df.pod_id)
df.svc = px.pod_id_to_service_name(df.pod_id)
df.node = px.pod_id_to_node_name(df.pod_id)
px.display(df, 'out')`,
        { now },
      );
      expect(records(out!)).toEqual(
        events.map((e) => {
          const p = podAt(e.remote_addr, e.time_);
          return {
            time_: e.time_,
            remote_addr: e.remote_addr,
            pod_id: p?.uid ?? '',
            pod: p?.name ?? '',
            ns: p?.namespace ?? '',
            svc: p ? servicesOf(p.uid, e.time_) : '',
            node: p?.node ?? '',
          };
        }),
      );
    });

    it('answers name-based lookups, statuses and DNS names at query time when rows have no time', async () => {
      const { out } = await fx.run(
        `import px
df = px.DataFrame('http_events', select=['remote_addr'])
df = df.groupby('remote_addr').agg()
df.pod = px.pod_id_to_pod_name(px.ip_to_pod_id(df.remote_addr))
df.status = px.pod_name_to_status(df.pod)
df.started = px.pod_name_to_start_time(df.pod)
df.pod_ip = px.pod_name_to_pod_ip(df.pod)
df.ns = px.pod_name_to_namespace(df.pod)
df.services = px.pod_name_to_service_name(df.pod)
df.in_a = px.has_service_name(df.services, 'ns1/svc-a')
df.dns = px.nslookup(df.remote_addr)
px.display(df, 'out')`,
        { now },
      );
      const ips = [...new Set(events.map((e) => e.remote_addr))].sort();
      expect(records(out!)).toEqual(
        ips.map((ip) => {
          const p = podAt(ip, now);
          const svc = p ? servicesOf(p.uid, now) : '';
          return {
            remote_addr: ip,
            pod: p?.name ?? '',
            status: p
              ? JSON.stringify({
                  phase: p.phase,
                  message: '',
                  reason: '',
                  ready: p.phase === 'Running',
                })
              : '',
            started: p?.start_ns ?? 0n,
            pod_ip: p?.ip ?? '',
            ns: p?.namespace ?? '',
            services: svc,
            in_a:
              svc === 'ns1/svc-a' ||
              (svc.startsWith('[') && (JSON.parse(svc) as string[]).includes('ns1/svc-a')),
            dns: p ? `${ip.replace(/\./g, '-')}.${p.namespace}.pod.cluster.local` : ip,
          };
        }),
      );
    });

    it('resolves services by id, name and cluster IP', async () => {
      const { out } = await fx.run(
        `import px
df = px.DataFrame('http_events', select=['remote_addr']).head(1)
df.a = px.service_id_to_service_name('suid-a')
df.b_ip = px.service_id_to_cluster_ip('suid-b')
df.b_id = px.service_name_to_service_id('ns1/svc-b')
df.b_ns = px.service_name_to_namespace('ns1/svc-b')
df.by_ip = px.ip_to_service_id('10.96.0.2')
df.dns = px.nslookup('10.96.0.1')
df.unknown = px.nslookup('192.0.2.1')
px.display(df.drop('remote_addr'), 'out')`,
        { now },
      );
      expect(records(out!)).toEqual([
        {
          a: 'ns1/svc-a',
          b_ip: '10.96.0.2',
          b_id: 'suid-b',
          b_ns: 'ns1',
          by_ip: 'suid-b',
          dns: 'svc-a.ns1.svc.cluster.local',
          unknown: '192.0.2.1',
        },
      ]);
    });
  });
});
