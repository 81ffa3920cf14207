import { MetadataRow, MetadataRows } from './metadata-rows';
import { Multimap } from './multimap';
import {
  ClusterKind,
  ClusterObject,
  DeploymentObject,
  EndpointSliceObject,
  NamespaceObject,
  NodeObject,
  OwnerRef,
  PodObject,
  ReplicaSetObject,
  ServiceObject,
  controllerOf,
  qualifiedName,
} from './objects';
import { ServiceMembership } from './service-membership';

type ObjectOf<K extends ClusterKind> = Extract<ClusterObject, { kind: K }>;
type Stores = { [K in ClusterKind]: Map<string, ObjectOf<K>> };

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

/**
 * The cluster as the metadata service knows it: the latest version of every object, the indexes
 * between them (pod to node, to ReplicaSet, to Deployment, to services), and the metadata rows
 * they imply. Each change recomputes only the rows it can affect and records them in
 * `MetadataRows`; nothing here touches DuckDB.
 *
 * Rows of objects that go away are stopped, not dropped, so older telemetry keeps its names.
 * Names that an object had are kept when what they came from disappears first (a ReplicaSet
 * deleted before its pods leaves the pods' deployment as it was).
 */
export class ClusterState {
  private readonly stores: Stores = {
    Namespace: new Map(),
    Node: new Map(),
    Deployment: new Map(),
    ReplicaSet: new Map(),
    Pod: new Map(),
    Service: new Map(),
    EndpointSlice: new Map(),
  };
  private readonly nodeUidByName = new Map<string, string>();
  private readonly podUidByName = new Map<string, string>();
  private readonly serviceUidByName = new Map<string, string>();
  private readonly podsByNode = new Multimap<string, string>();
  private readonly podsByReplicaSet = new Multimap<string, string>();
  private readonly replicaSetsByDeployment = new Multimap<string, string>();
  private readonly containersByPod = new Multimap<string, string>();
  private readonly membership: ServiceMembership;

  constructor(
    private readonly rows: MetadataRows,
    private readonly now: () => bigint,
  ) {
    this.membership = new ServiceMembership(
      rows,
      {
        pod: (uid) => this.stores.Pod.get(uid),
        podUidByName: (name) => this.podUidByName.get(name),
        service: (uid) => this.stores.Service.get(uid),
        serviceUidByName: (name) => this.serviceUidByName.get(name),
      },
      now,
    );
  }

  /** The objects of one kind, for resyncs. */
  objects<K extends ClusterKind>(kind: K): ObjectOf<K>[] {
    return [...(this.stores[kind] as Map<string, ObjectOf<K>>).values()];
  }

  /** Records an object that was added or changed, and every row it affects. */
  apply(o: ClusterObject): void {
    switch (o.kind) {
      case 'Namespace':
        return this.applyNamespace(o);
      case 'Node':
        return this.applyNode(o);
      case 'Deployment':
        return this.applyDeployment(o);
      case 'ReplicaSet':
        return this.applyReplicaSet(o);
      case 'Pod':
        return this.applyPod(o);
      case 'Service':
        return this.applyService(o);
      case 'EndpointSlice':
        return this.applySlice(o);
    }
  }

  /** Records that an object is gone: its rows stop now and become purgeable. */
  remove(kind: ClusterKind, uid: string): void {
    const store = this.stores[kind] as Map<string, ClusterObject>;
    const o = store.get(uid);
    if (!o) return;
    store.delete(uid);
    switch (o.kind) {
      case 'Namespace':
        return this.stop('namespaces', { uid: o.uid });
      case 'Node':
        if (this.nodeUidByName.get(o.name) === o.uid) this.nodeUidByName.delete(o.name);
        return this.stop('nodes', { name: o.name, start_ns: o.createdNs });
      case 'Deployment':
        return;
      case 'ReplicaSet':
        this.replicaSetsByDeployment.delete(controllerOf(o, 'Deployment')?.uid ?? '', o.uid);
        return;
      case 'Pod':
        return this.removePod(o);
      case 'Service':
        if (this.serviceUidByName.get(qualifiedName(o)) === o.uid) {
          this.serviceUidByName.delete(qualifiedName(o));
        }
        this.membership.serviceRemoved(o.uid);
        return this.stop('services', { uid: o.uid });
      case 'EndpointSlice':
        return this.membership.removeSlice(o.uid);
    }
  }

  private applyNamespace(ns: NamespaceObject): void {
    this.stores.Namespace.set(ns.uid, ns);
    this.rows.put(
      'namespaces',
      { uid: ns.uid, name: ns.name, start_ns: ns.createdNs, stop_ns: null },
      true,
    );
  }

  private applyNode(node: NodeObject): void {
    const prev = this.stores.Node.get(node.uid);
    this.stores.Node.set(node.uid, node);
    this.nodeUidByName.set(node.name, node.uid);
    this.rows.put(
      'nodes',
      { name: node.name, ip: node.ip, start_ns: node.createdNs, stop_ns: null },
      true,
    );
    if (prev?.hostname !== node.hostname) this.refreshPods(this.podsByNode.get(node.name));
  }

  private applyDeployment(d: DeploymentObject): void {
    const known = this.stores.Deployment.has(d.uid);
    this.stores.Deployment.set(d.uid, d);
    if (known) return;
    for (const rs of this.replicaSetsByDeployment.get(d.uid)) {
      this.refreshPods(this.podsByReplicaSet.get(rs));
    }
  }

  private applyReplicaSet(rs: ReplicaSetObject): void {
    const prev = this.stores.ReplicaSet.get(rs.uid);
    this.stores.ReplicaSet.set(rs.uid, rs);
    const before = prev && controllerOf(prev, 'Deployment');
    const after = controllerOf(rs, 'Deployment');
    if (prev && before?.uid === after?.uid) return;
    if (before) this.replicaSetsByDeployment.delete(before.uid, rs.uid);
    if (after) this.replicaSetsByDeployment.add(after.uid, rs.uid);
    this.refreshPods(this.podsByReplicaSet.get(rs.uid));
  }

  private applyPod(pod: PodObject): void {
    const prev = this.stores.Pod.get(pod.uid);
    this.stores.Pod.set(pod.uid, pod);
    this.podUidByName.set(qualifiedName(pod), pod.uid);
    if (prev?.node !== pod.node) {
      if (prev) this.podsByNode.delete(prev.node, pod.uid);
      this.podsByNode.add(pod.node, pod.uid);
    }
    const rsBefore = prev && controllerOf(prev, 'ReplicaSet')?.uid;
    const rsAfter = controllerOf(pod, 'ReplicaSet')?.uid;
    if (rsBefore !== rsAfter) {
      if (rsBefore) this.podsByReplicaSet.delete(rsBefore, pod.uid);
      if (rsAfter) this.podsByReplicaSet.add(rsAfter, pod.uid);
    }
    this.writePod(pod);
    this.membership.podChanged(pod, prev);
  }

  private applyService(svc: ServiceObject): void {
    const prev = this.stores.Service.get(svc.uid);
    this.stores.Service.set(svc.uid, svc);
    this.serviceUidByName.set(qualifiedName(svc), svc.uid);
    this.rows.put(
      'services',
      {
        uid: svc.uid,
        name: qualifiedName(svc),
        namespace: svc.namespace,
        cluster_ip: svc.clusterIp,
        start_ns: svc.createdNs,
        stop_ns: null,
      },
      true,
    );
    this.membership.serviceChanged(svc, prev);
  }

  private applySlice(slice: EndpointSliceObject): void {
    this.stores.EndpointSlice.set(slice.uid, slice);
    this.membership.applySlice(slice);
  }

  private refreshPods(uids: readonly string[]): void {
    for (const uid of uids) {
      const pod = this.stores.Pod.get(uid);
      if (pod) this.writePod(pod);
    }
  }

  private writePod(pod: PodObject): void {
    const now = this.now();
    const existing = this.rows.get('pods', { uid: pod.uid });
    const rsRef = controllerOf(pod, 'ReplicaSet');
    const replicaset = rsRef ? `${pod.namespace}/${rsRef.name}` : '';
    let deployment = rsRef ? this.deploymentOf(rsRef, pod.namespace) : '';
    if (deployment === undefined) {
      deployment = existing?.replicaset === replicaset ? (existing.deployment as string) : '';
    }
    const nodeUid = this.nodeUidByName.get(pod.node);
    const hostname = (nodeUid && this.stores.Node.get(nodeUid)?.hostname) || pod.node;
    let stop: bigint | null = null;
    if (TERMINAL_PHASES.has(pod.phase)) {
      stop = (existing?.stop_ns as bigint | null | undefined) ?? lastFinish(pod) ?? now;
    }
    this.rows.put(
      'pods',
      {
        uid: pod.uid,
        name: qualifiedName(pod),
        namespace: pod.namespace,
        node: pod.node,
        hostname,
        ip: pod.ip,
        phase: pod.phase,
        start_ns: pod.createdNs,
        stop_ns: stop,
        replicaset,
        deployment,
      },
      true,
    );
    this.writeContainers(pod, now);
  }

  /** The pod's deployment through its ReplicaSet; undefined while the ReplicaSet is unknown. */
  private deploymentOf(rsRef: OwnerRef, namespace: string): string | undefined {
    const rs = this.stores.ReplicaSet.get(rsRef.uid);
    if (!rs) return undefined;
    const ref = controllerOf(rs, 'Deployment');
    if (!ref) return '';
    return qualifiedName(this.stores.Deployment.get(ref.uid) ?? { namespace, name: ref.name });
  }

  private writeContainers(pod: PodObject, now: bigint): void {
    const current = new Set<string>();
    for (const c of pod.containers) {
      current.add(c.id);
      this.containersByPod.add(pod.uid, c.id);
      this.rows.put(
        'containers',
        {
          id: c.id,
          name: c.name,
          pod_uid: pod.uid,
          state: c.state,
          start_ns: c.startNs ?? pod.createdNs,
          stop_ns: c.stopNs ?? null,
        },
        true,
      );
    }
    for (const id of this.containersByPod.get(pod.uid)) {
      if (current.has(id)) continue;
      this.containersByPod.delete(pod.uid, id);
      this.stopContainer(id, now);
    }
  }

  private removePod(pod: PodObject): void {
    const now = this.now();
    if (this.podUidByName.get(qualifiedName(pod)) === pod.uid) {
      this.podUidByName.delete(qualifiedName(pod));
    }
    this.podsByNode.delete(pod.node, pod.uid);
    const rs = controllerOf(pod, 'ReplicaSet')?.uid;
    if (rs) this.podsByReplicaSet.delete(rs, pod.uid);
    this.membership.podRemoved(pod.uid);
    for (const id of this.containersByPod.get(pod.uid)) this.stopContainer(id, now);
    this.containersByPod.deleteKey(pod.uid);
    this.stop('pods', { uid: pod.uid });
  }

  private stopContainer(id: string, now: bigint): void {
    const row = this.rows.get('containers', { id });
    if (!row) return;
    const running = row.stop_ns === null;
    this.rows.put(
      'containers',
      { ...row, state: running ? 'Terminated' : row.state, stop_ns: running ? now : row.stop_ns },
      false,
    );
  }

  /** Stops a row now (unless it stopped already) and lets it be purged. */
  private stop(
    table: 'namespaces' | 'nodes' | 'pods' | 'services',
    key: Record<string, string | bigint>,
  ): void {
    const row: MetadataRow | undefined = this.rows.get(table, key);
    if (!row) return;
    this.rows.put(table, { ...row, stop_ns: row.stop_ns ?? this.now() }, false);
  }
}

/** When the last container of a finished pod stopped, if its statuses say. */
function lastFinish(pod: PodObject): bigint | undefined {
  let last: bigint | undefined;
  for (const c of pod.containers) {
    if (c.stopNs !== undefined && (last === undefined || c.stopNs > last)) last = c.stopNs;
  }
  return last;
}
