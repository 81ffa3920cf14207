import {
  ClusterKind,
  ClusterObject,
  ContainerInfo,
  ObjectMeta,
  OwnerRef,
  PodObject,
  PodRef,
} from '../objects';

/**
 * Turns Kubernetes objects into the metadata service's objects. The input is loosely typed on
 * purpose: objects from a list arrive deserialized by the client (timestamps as `Date`), objects
 * from a watch as plain JSON (timestamps as RFC 3339 strings), and both must give the same result.
 * Returns undefined for an object without the identity every row needs (uid, name).
 */
export function normalize(kind: ClusterKind, raw: unknown): ClusterObject | undefined {
  const o = asRecord(raw);
  const meta = objectMeta(asRecord(o.metadata));
  if (!meta) return undefined;
  const spec = asRecord(o.spec);
  const status = asRecord(o.status);
  switch (kind) {
    case 'Namespace':
    case 'Deployment':
    case 'ReplicaSet':
      return { kind, ...meta };
    case 'Node':
      return { kind, ...meta, ...nodeAddresses(status, meta.name, meta.labels) };
    case 'Pod':
      return pod(meta, spec, status);
    case 'Service': {
      const selector = stringMap(spec.selector);
      return {
        kind,
        ...meta,
        clusterIp: str(spec.clusterIP) === 'None' ? '' : str(spec.clusterIP),
        selector: Object.keys(selector).length > 0 ? selector : undefined,
      };
    }
    case 'EndpointSlice':
      return {
        kind,
        ...meta,
        serviceName: meta.labels['kubernetes.io/service-name'] ?? '',
        pods: slicePods(o, meta.namespace),
      };
  }
}

/** The container id as the node's cgroups name it: the runtime's id without `runtime://`. */
export function containerId(raw: string): string {
  const i = raw.indexOf('://');
  return i >= 0 ? raw.slice(i + 3) : raw;
}

/** Nanoseconds since the epoch of a Kubernetes timestamp (a `Date` or an RFC 3339 string). */
export function timestampNs(v: unknown): bigint | undefined {
  let ms: number;
  if (v instanceof Date) ms = v.getTime();
  else if (typeof v === 'string' && v !== '') ms = Date.parse(v);
  else return undefined;
  return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n : undefined;
}

function objectMeta(m: Record<string, unknown>): ObjectMeta | undefined {
  const uid = str(m.uid);
  const name = str(m.name);
  if (!uid || !name) return undefined;
  return {
    uid,
    name,
    namespace: str(m.namespace),
    createdNs: timestampNs(m.creationTimestamp) ?? 0n,
    labels: stringMap(m.labels),
    owners: list(m.ownerReferences).map((r): OwnerRef => ({
      kind: str(r.kind),
      name: str(r.name),
      uid: str(r.uid),
      controller: r.controller === true,
    })),
  };
}

function pod(
  meta: ObjectMeta,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
): PodObject {
  // Host-network pods carry their node's IP; that IP names the node, not any one pod.
  const ip = spec.hostNetwork === true ? '' : str(status.podIP);
  const containers: ContainerInfo[] = [];
  for (const key of ['initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses']) {
    for (const s of list(status[key])) {
      const name = str(s.name);
      const current = containerState(str(s.containerID), name, asRecord(s.state));
      if (current) containers.push(current);
      const last = asRecord(asRecord(s.lastState).terminated);
      const previous = containerState(str(last.containerID), name, { terminated: last });
      if (previous && previous.id !== current?.id) containers.push(previous);
    }
  }
  return {
    kind: 'Pod',
    ...meta,
    node: str(spec.nodeName),
    ip,
    phase: str(status.phase) || 'Unknown',
    containers,
  };
}

function containerState(
  rawId: string,
  name: string,
  state: Record<string, unknown>,
): ContainerInfo | undefined {
  if (!rawId) return undefined;
  const id = containerId(rawId);
  if (state.running) {
    const r = asRecord(state.running);
    return { id, name, state: 'Running', startNs: timestampNs(r.startedAt), stopNs: undefined };
  }
  if (state.terminated) {
    const t = asRecord(state.terminated);
    return {
      id,
      name,
      state: 'Terminated',
      startNs: timestampNs(t.startedAt),
      stopNs: timestampNs(t.finishedAt),
    };
  }
  if (state.waiting) return { id, name, state: 'Waiting', startNs: undefined, stopNs: undefined };
  return { id, name, state: 'Unknown', startNs: undefined, stopNs: undefined };
}

function nodeAddresses(
  status: Record<string, unknown>,
  name: string,
  labels: Readonly<Record<string, string>>,
): { ip: string; hostname: string } {
  const addresses = list(status.addresses);
  const find = (type: string) => str(addresses.find((a) => a.type === type)?.address);
  return {
    ip: find('InternalIP') || find('ExternalIP'),
    hostname: find('Hostname') || labels['kubernetes.io/hostname'] || name,
  };
}

function slicePods(slice: Record<string, unknown>, namespace: string): PodRef[] {
  const refs: PodRef[] = [];
  for (const e of list(slice.endpoints)) {
    const ref = asRecord(e.targetRef);
    if (ref.kind !== 'Pod') continue;
    refs.push({
      uid: str(ref.uid) || undefined,
      namespace: str(ref.namespace) || namespace,
      name: str(ref.name),
    });
  }
  return refs;
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(asRecord) : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(asRecord(v))) if (typeof x === 'string') out[k] = x;
  return out;
}
