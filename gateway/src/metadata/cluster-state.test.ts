import { ClusterState } from './cluster-state';
import { MetadataRow, MetadataRows } from './metadata-rows';
import {
  ContainerInfo,
  EndpointSliceObject,
  NodeObject,
  ObjectMeta,
  OwnerRef,
  PodObject,
  ReplicaSetObject,
  ServiceObject,
} from './objects';

const S = 1_000_000_000n;

function setup() {
  const clock = { now: 1000n * S };
  const rows = new MetadataRows();
  const state = new ClusterState(rows, () => clock.now);
  return { clock, rows, state };
}

function meta(uid: string, name: string, createdS: bigint, namespace = 'shop'): ObjectMeta {
  return { uid, name, namespace, createdNs: createdS * S, labels: {}, owners: [] };
}

function pod(name: string, over: Partial<PodObject> = {}): PodObject {
  return {
    kind: 'Pod',
    ...meta(`uid-${name}`, name, 100n),
    node: 'node-a',
    ip: '10.0.0.1',
    phase: 'Running',
    containers: [],
    ...over,
  };
}

function owner(kind: string, name: string): OwnerRef {
  return { kind, name, uid: `uid-${name}`, controller: true };
}

function replicaSet(name: string, deployment?: string): ReplicaSetObject {
  return {
    kind: 'ReplicaSet',
    ...meta(`uid-${name}`, name, 50n),
    owners: deployment ? [owner('Deployment', deployment)] : [],
  };
}

function service(name: string, selector?: Record<string, string>): ServiceObject {
  return {
    kind: 'Service',
    ...meta(`uid-svc-${name}`, name, 10n),
    clusterIp: '10.96.0.10',
    selector,
  };
}

function slice(service: string, pods: PodObject[], byName = false): EndpointSliceObject {
  return {
    kind: 'EndpointSlice',
    ...meta(`uid-slice-${service}`, `${service}-abcde`, 10n),
    labels: { 'kubernetes.io/service-name': service },
    serviceName: service,
    pods: pods.map((p) => ({
      uid: byName ? undefined : p.uid,
      namespace: p.namespace,
      name: p.name,
    })),
  };
}

function container(id: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
  return { id, name: 'web', state: 'Running', startNs: 101n * S, stopNs: undefined, ...over };
}

const row = (rows: MetadataRows, table: 'pods' | 'containers', key: MetadataRow) =>
  rows.get(table, key);

function memberships(rows: MetadataRows) {
  const changes = rows.takeChanges().get('podServices')?.upserts ?? [];
  return changes.map((r) => [r.pod_uid, r.service_uid, r.start_ns, r.stop_ns]);
}

describe('ClusterState', () => {
  it('fills in the deployment when the ReplicaSet arrives after its pods, and keeps it when the ReplicaSet goes first', () => {
    const { rows, state } = setup();
    state.apply(pod('web-1', { owners: [owner('ReplicaSet', 'web-5d9c7')] }));
    expect(row(rows, 'pods', { uid: 'uid-web-1' })).toMatchObject({
      name: 'shop/web-1',
      replicaset: 'shop/web-5d9c7',
      deployment: '',
    });
    state.apply(replicaSet('web-5d9c7', 'web'));
    expect(row(rows, 'pods', { uid: 'uid-web-1' })!.deployment).toBe('shop/web');
    state.remove('ReplicaSet', 'uid-web-5d9c7');
    state.apply(pod('web-1', { owners: [owner('ReplicaSet', 'web-5d9c7')], phase: 'Running' }));
    expect(row(rows, 'pods', { uid: 'uid-web-1' })!.deployment).toBe('shop/web');
  });

  it('takes the hostname from the node and follows it when the node arrives later', () => {
    const { rows, state } = setup();
    state.apply(pod('web-1'));
    expect(row(rows, 'pods', { uid: 'uid-web-1' })!.hostname).toBe('node-a');
    const node: NodeObject = {
      kind: 'Node',
      ...meta('uid-node-a', 'node-a', 1n, ''),
      ip: '192.168.1.2',
      hostname: 'node-a.internal',
    };
    state.apply(node);
    expect(row(rows, 'pods', { uid: 'uid-web-1' })!.hostname).toBe('node-a.internal');
    expect(rows.get('nodes', { name: 'node-a', start_ns: 1n * S })).toMatchObject({
      ip: '192.168.1.2',
      stop_ns: null,
    });
  });

  it('stops a finished pod when its last container stopped, so its IP can belong to another pod', () => {
    const { rows, state } = setup();
    state.apply(pod('job-1', { containers: [container('c1')] }));
    state.apply(
      pod('job-1', {
        phase: 'Succeeded',
        containers: [container('c1', { state: 'Terminated', stopNs: 300n * S })],
      }),
    );
    expect(row(rows, 'pods', { uid: 'uid-job-1' })).toMatchObject({
      phase: 'Succeeded',
      start_ns: 100n * S,
      stop_ns: 300n * S,
    });
    expect(row(rows, 'containers', { id: 'c1' })).toMatchObject({
      state: 'Terminated',
      stop_ns: 300n * S,
    });
  });

  it('keeps a restarted container instance, stopped, beside the new one', () => {
    const { rows, state } = setup();
    state.apply(pod('web-1', { containers: [container('c1')] }));
    state.apply(
      pod('web-1', {
        containers: [
          container('c2', { startNs: 200n * S }),
          container('c1', { state: 'Terminated', stopNs: 199n * S }),
        ],
      }),
    );
    expect(row(rows, 'containers', { id: 'c1' })).toMatchObject({
      state: 'Terminated',
      stop_ns: 199n * S,
    });
    expect(row(rows, 'containers', { id: 'c2' })).toMatchObject({
      state: 'Running',
      stop_ns: null,
    });
    // A third start drops c1 from the status; its row stays, stopped.
    state.apply(
      pod('web-1', {
        containers: [container('c3'), container('c2', { state: 'Terminated', stopNs: 250n * S })],
      }),
    );
    expect(row(rows, 'containers', { id: 'c1' })).toMatchObject({ stop_ns: 199n * S });
  });

  it('stops a deleted pod, its containers and its memberships at the time of deletion', () => {
    const { clock, rows, state } = setup();
    const p = pod('web-1', { labels: { app: 'web' }, containers: [container('c1')] });
    state.apply(p);
    state.apply(service('web', { app: 'web' }));
    state.apply(slice('web', [p]));
    rows.takeChanges();
    clock.now = 2000n * S;
    state.remove('Pod', p.uid);
    expect(row(rows, 'pods', { uid: p.uid })!.stop_ns).toBe(2000n * S);
    expect(row(rows, 'containers', { id: 'c1' })).toMatchObject({
      state: 'Terminated',
      stop_ns: 2000n * S,
    });
    expect(memberships(rows)).toEqual([[p.uid, 'uid-svc-web', 100n * S, 2000n * S]]);
  });

  it('moves a relabelled pod between services at the instant its labels changed', () => {
    const { clock, rows, state } = setup();
    const p = pod('api-1', { labels: { app: 'old' } });
    state.apply(p);
    state.apply(service('old', { app: 'old' }));
    state.apply(service('new', { app: 'new' }));
    state.apply(slice('old', [p]));
    expect(memberships(rows)).toEqual([[p.uid, 'uid-svc-old', 100n * S, null]]);

    clock.now = 500n * S;
    const relabelled = { ...p, labels: { app: 'new' } };
    state.apply(relabelled);
    // The selector no longer matches: it leaves at once, before the slices are rewritten.
    expect(memberships(rows)).toEqual([[p.uid, 'uid-svc-old', 100n * S, 500n * S]]);

    clock.now = 501n * S;
    state.apply(slice('old', []));
    state.apply(slice('new', [relabelled]));
    // The EndpointSlice controller caught up a second later; membership counts from the relabel.
    expect(memberships(rows)).toEqual([[p.uid, 'uid-svc-new', 500n * S, null]]);
  });

  it('finds a slice endpoint without a uid by its pod name, in whichever order they arrive', () => {
    const { rows, state } = setup();
    const p = pod('db-0');
    state.apply(service('db'));
    state.apply(slice('db', [p], true));
    expect(memberships(rows)).toEqual([]);
    state.apply(p);
    expect(memberships(rows)).toEqual([[p.uid, 'uid-svc-db', 100n * S, null]]);
  });

  it('makes rows of deleted objects purgeable, and only those', () => {
    const { clock, rows, state } = setup();
    state.apply(pod('a'));
    state.apply(pod('b', { phase: 'Failed', ip: '10.0.0.2' }));
    clock.now = 2000n * S;
    state.remove('Pod', 'uid-a');
    rows.takeChanges();
    const dropped = rows.purge(3000n * S, 100);
    expect(dropped.get('pods')).toBe(1);
    expect(rows.get('pods', { uid: 'uid-a' })).toBeUndefined();
    // A failed pod that still exists has stopped, but stays.
    expect(rows.get('pods', { uid: 'uid-b' })).toBeDefined();
    expect(rows.takeChanges().get('pods')).toEqual({
      upserts: [],
      deletes: [expect.objectContaining({ uid: 'uid-a' })],
    });
  });

  it('keeps a large service’s memberships right whichever arrives first, slices or pods', () => {
    const { clock, rows, state } = setup();
    const pods = Array.from({ length: 10_000 }, (_, i) =>
      pod(`big-${i}`, { labels: { app: 'big' } }),
    );
    state.apply(service('big', { app: 'big' }));
    for (let s = 0; s < 100; s++) {
      state.apply({ ...slice('big', pods.slice(s * 100, s * 100 + 100)), uid: `big-slice-${s}` });
    }
    for (const p of pods) state.apply(p);
    expect(rows.takeChanges().get('podServices')!.upserts).toHaveLength(10_000);
    clock.now = 900n * S;
    state.apply({ ...pods[42]!, labels: { app: 'other' } });
    expect(memberships(rows)).toEqual([['uid-big-42', 'uid-svc-big', 100n * S, 900n * S]]);
    state.remove('EndpointSlice', 'big-slice-0');
    expect(rows.takeChanges().get('podServices')!.upserts).toHaveLength(99);
  });
});
