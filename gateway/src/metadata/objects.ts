/**
 * The cluster objects the metadata service keeps, reduced to what the metadata tables need.
 * The Kubernetes informers and the static metadata file both produce these, so everything
 * downstream (indexes, rows, the table writer) has one input shape. Times are nanoseconds since
 * the epoch.
 */
export interface ObjectMeta {
  uid: string;
  name: string;
  /** '' for cluster-scoped objects (nodes, namespaces). */
  namespace: string;
  createdNs: bigint;
  labels: Readonly<Record<string, string>>;
  owners: readonly OwnerRef[];
}

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
}

export interface ContainerInfo {
  /** The runtime's id without its `containerd://` (or `docker://`, `cri-o://`) prefix. */
  id: string;
  name: string;
  state: 'Running' | 'Waiting' | 'Terminated' | 'Unknown';
  startNs: bigint | undefined;
  stopNs: bigint | undefined;
}

export interface PodObject extends ObjectMeta {
  kind: 'Pod';
  node: string;
  ip: string;
  phase: string;
  /** Current and previous (restarted) container instances that have an id. */
  containers: readonly ContainerInfo[];
}

export interface ServiceObject extends ObjectMeta {
  kind: 'Service';
  clusterIp: string;
  /** Undefined for a service without a selector (its endpoints are managed by hand). */
  selector: Readonly<Record<string, string>> | undefined;
}

/** A pod an EndpointSlice routes to. The uid is missing only in hand-written slices. */
export interface PodRef {
  uid: string | undefined;
  namespace: string;
  name: string;
}

export interface EndpointSliceObject extends ObjectMeta {
  kind: 'EndpointSlice';
  /** The name of the service the slice belongs to, in the slice's namespace. */
  serviceName: string;
  pods: readonly PodRef[];
}

export interface NodeObject extends ObjectMeta {
  kind: 'Node';
  ip: string;
  hostname: string;
}

export interface NamespaceObject extends ObjectMeta {
  kind: 'Namespace';
}

export interface ReplicaSetObject extends ObjectMeta {
  kind: 'ReplicaSet';
}

export interface DeploymentObject extends ObjectMeta {
  kind: 'Deployment';
}

export type ClusterObject =
  | PodObject
  | ServiceObject
  | EndpointSliceObject
  | NodeObject
  | NamespaceObject
  | ReplicaSetObject
  | DeploymentObject;

export type ClusterKind = ClusterObject['kind'];

export const CLUSTER_KINDS: readonly ClusterKind[] = [
  'Namespace',
  'Node',
  'Deployment',
  'ReplicaSet',
  'Pod',
  'Service',
  'EndpointSlice',
];

/** Pixie's form of a namespaced name: `namespace/name`. */
export function qualifiedName(o: { namespace: string; name: string }): string {
  return o.namespace ? `${o.namespace}/${o.name}` : o.name;
}

/** The owner that controls an object, if one of the given kind. */
export function controllerOf(o: ObjectMeta, kind: string): OwnerRef | undefined {
  return (
    o.owners.find((r) => r.kind === kind && r.controller) ?? o.owners.find((r) => r.kind === kind)
  );
}
