import {
  BASE_NS,
  HttpEvent,
  PODS,
  PxlFixture,
  httpEvents,
  httpJson,
  pxlFixture,
  records,
} from '../../../../test/support/pxl';
import { PIXIE_CTX_KEYS, upidOf } from '../../../../test/support/metadata';

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
      const keys = PIXIE_CTX_KEYS;
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

    it('resolves pod keys through a pod_id column when the table has no upid', async () => {
      await fx.insert(
        'network_stats',
        [0, 1, 2].map((i) => ({
          time_: String(BASE_NS + BigInt(i)),
          pod_id: `uid-${i}`,
          rx_bytes: i,
        })),
      );
      const { out } = await fx.run(
        `import px
df = px.DataFrame('network_stats', select=['pod_id'])
df.pod = df.ctx['pod']
df.ns = df.ctx['namespace']
df.svc = df.ctx['service']
px.display(df, 'out')`,
        { now },
      );
      expect(records(out!)).toEqual(
        [0, 1, 2].map((i) => ({
          pod_id: `uid-${i}`,
          pod: pods[i]!.name,
          ns: pods[i]!.namespace,
          svc: servicesOf(`uid-${i}`, now),
        })),
      );
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

    it('answers every upid_to_*, pod_id_to_*, pod_name_to_* and container function at the row time', async () => {
      await fx.metadata('namespaces', [
        { uid: 'nsuid-1', name: 'ns1', start_ns: BASE_NS - HOUR, stop_ns: null },
      ]);
      const fns = [
        ['pod_id', 'px.upid_to_pod_id(df.upid)'],
        ['pod', 'px.upid_to_pod_name(df.upid)'],
        ['ns', 'px.upid_to_namespace(df.upid)'],
        ['node', 'px.upid_to_node_name(df.upid)'],
        ['deploy', 'px.upid_to_deployment_name(df.upid)'],
        ['rs', 'px.upid_to_replicaset_name(df.upid)'],
        ['status', 'px.upid_to_pod_status(df.upid)'],
        ['cmd', 'px.upid_to_cmdline(df.upid)'],
        ['host', 'px.upid_to_hostname(df.upid)'],
        ['cid', 'px.upid_to_container_id(df.upid)'],
        ['cname', 'px.upid_to_container_name(df.upid)'],
        ['svc', 'px.upid_to_service_name(df.upid)'],
        ['svc_id', 'px.upid_to_service_id(df.upid)'],
        ['pdeploy', 'px.pod_id_to_deployment_name(df.pod_id)'],
        ['prs', 'px.pod_id_to_replicaset_name(df.pod_id)'],
        ['psvc_id', 'px.pod_id_to_service_id(df.pod_id)'],
        ['pstart', 'px.pod_id_to_start_time(df.pod_id)'],
        ['pstop', 'px.pod_id_to_stop_time(df.pod_id)'],
        ['nid', 'px.pod_name_to_pod_id(df.pod)'],
        ['nsvc_id', 'px.pod_name_to_service_id(df.pod)'],
        ['nstop', 'px.pod_name_to_stop_time(df.pod)'],
        ['nnode', 'px.pod_name_to_node_name(df.pod)'],
        ['ndeploy', 'px.pod_name_to_deployment_name(df.pod)'],
        ['nrs', 'px.pod_name_to_replicaset_name(df.pod)'],
        ['cstatus', 'px.container_id_to_status(df.cid)'],
        ['cstart', 'px.container_id_to_start_time(df.cid)'],
        ['cstop', 'px.container_id_to_stop_time(df.cid)'],
        ['cbyname', 'px.container_name_to_container_id(df.cname)'],
        ['has_b', "px.has_service_id(df.svc_id, 'suid-b')"],
        ['ns_id', 'px.namespace_name_to_namespace_id(df.ns)'],
      ];
      const { out } = await fx.run(
        `import px
df = px.DataFrame('http_events', select=['time_', 'upid'])
${fns.map(([name, expr]) => `df.${name} = ${expr}`).join('\n')}
px.display(df.drop(['time_', 'upid']), 'out')`,
        { now },
      );
      const alive = (o: { start_ns: bigint; stop_ns: bigint | null }, t: bigint) =>
        o.start_ns <= t && (o.stop_ns === null || t < o.stop_ns);
      expect(records(out!)).toEqual(
        events.map((e) => {
          const p = pods[e.pod]!;
          const at = alive(p, e.time_) ? p : undefined;
          const svc = servicesOf(p.uid, e.time_);
          const svcIds = svc === '' ? '' : svc.replace(/ns1\/svc-/g, 'suid-');
          const pod = at?.name ?? '';
          return {
            pod_id: p.uid,
            pod,
            ns: at?.namespace ?? '',
            node: at?.node ?? '',
            deploy: at?.deployment ?? '',
            rs: at?.replicaset ?? '',
            status: at
              ? JSON.stringify({
                  phase: at.phase,
                  message: '',
                  reason: '',
                  ready: at.phase === 'Running',
                })
              : '',
            cmd: `/bin/app-${e.pod} --port 80${e.pod}`,
            host: e.pod === 4 ? p.hostname : `host-${e.pod}`,
            cid: `cid-${e.pod}`,
            cname: `app-${e.pod}`,
            svc,
            svc_id: svcIds,
            pdeploy: at?.deployment ?? '',
            prs: at?.replicaset ?? '',
            psvc_id: svcIds,
            pstart: at?.start_ns ?? 0n,
            pstop: at?.stop_ns ?? 0n,
            nid: at?.uid ?? '',
            nsvc_id: at ? svcIds : '',
            nstop: at?.stop_ns ?? 0n,
            nnode: at?.node ?? '',
            ndeploy: at?.deployment ?? '',
            nrs: at?.replicaset ?? '',
            cstatus: JSON.stringify({ state: 'Running', message: '', reason: '' }),
            cstart: BASE_NS - HOUR,
            cstop: 0n,
            cbyname: `cid-${e.pod}`,
            has_b: svcIds === 'suid-b' || svcIds.includes('"suid-b"'),
            ns_id: at?.namespace === 'ns1' ? 'nsuid-1' : '',
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
