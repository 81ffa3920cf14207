import { MetadataRows } from './metadata-rows';
import { Multimap } from './multimap';
import { EndpointSliceObject, PodObject, ServiceObject, qualifiedName } from './objects';

/** What membership needs to know about the other objects. */
export interface MembershipLookup {
  pod(uid: string): PodObject | undefined;
  podUidByName(qualified: string): string | undefined;
  service(uid: string): ServiceObject | undefined;
  serviceUidByName(qualified: string): string | undefined;
}

interface OpenMembership {
  podUid: string;
  serviceUid: string;
  startNs: bigint;
}

/**
 * Which pods are behind which services, over time: the rows of `_md_pod_services`.
 *
 * A pod is behind a service while one of the service's EndpointSlices routes to it and, when the
 * service has a selector, the pod's labels match it. Slices are what kube-proxy routes by (and
 * the only source for a service without a selector); the selector check makes a relabelled pod
 * leave at once rather than when the EndpointSlice controller catches up. A membership starts at
 * the latest of the pod's creation, the service's creation, the pod's last observed label change
 * and the service's last observed selector change, so a rollout's new pods belong to their
 * service from birth and a relabelled pod moves from one service to another at the same instant.
 */
export class ServiceMembership {
  private readonly slices = new Map<string, EndpointSliceObject>();
  /** `namespace/service` to the uids of its slices. */
  private readonly slicesByService = new Multimap<string, string>();
  /** A pod reference (`uid:UID`, or `name:NS/NAME` in a slice without uids) to the services whose slices hold it. */
  private readonly servicesByPodRef = new Multimap<string, string>();
  /** How many slices of a service hold a pod reference (`service` NUL `reference`). */
  private readonly refCounts = new Map<string, number>();
  private readonly open = new Map<string, OpenMembership>();
  private readonly openByPod = new Multimap<string, string>();
  private readonly openByService = new Multimap<string, string>();
  /** When each pod last left each service (pod uid to service uid to time). */
  private readonly lastStop = new Map<string, Map<string, bigint>>();
  private readonly labelsSince = new Map<string, bigint>();
  private readonly selectorSince = new Map<string, bigint>();

  constructor(
    private readonly rows: MetadataRows,
    private readonly lookup: MembershipLookup,
    private readonly now: () => bigint,
  ) {}

  applySlice(slice: EndpointSliceObject): void {
    const prev = this.slices.get(slice.uid);
    if (prev) this.forgetSlice(prev);
    this.slices.set(slice.uid, slice);
    const service = serviceKey(slice);
    this.slicesByService.add(service, slice.uid);
    for (const ref of slice.pods) {
      const key = refCountKey(service, podRefKey(ref));
      const n = this.refCounts.get(key) ?? 0;
      this.refCounts.set(key, n + 1);
      if (n === 0) this.servicesByPodRef.add(podRefKey(ref), service);
    }
    if (prev && serviceKey(prev) !== service) this.refresh(serviceKey(prev));
    this.refresh(service);
  }

  removeSlice(uid: string): void {
    const prev = this.slices.get(uid);
    if (!prev) return;
    this.forgetSlice(prev);
    this.slices.delete(uid);
    this.refresh(serviceKey(prev));
  }

  /**
   * A pod appeared or changed: a label change moves it between services at this instant. Only
   * the pod's own memberships are looked at, so a pod of a large service costs what it changes.
   */
  podChanged(pod: PodObject, prev: PodObject | undefined): void {
    if (prev && !sameLabels(prev.labels, pod.labels)) this.labelsSince.set(pod.uid, this.now());
    const byUid = `uid:${pod.uid}`;
    const byName = `name:${qualifiedName(pod)}`;
    const services = new Set([
      ...this.servicesByPodRef.get(byUid),
      ...this.servicesByPodRef.get(byName),
    ]);
    const now = this.now();
    for (const service of services) {
      const svc = this.service(service);
      if (!svc) continue;
      const routed =
        this.refCounts.has(refCountKey(service, byUid)) ||
        (this.refCounts.has(refCountKey(service, byName)) &&
          this.lookup.podUidByName(qualifiedName(pod)) === pod.uid);
      const pair = pairKey(pod.uid, svc.uid);
      const wanted = routed && (svc.selector === undefined || selects(svc.selector, pod.labels));
      if (wanted && !this.open.has(pair)) this.start(pod, svc, now);
      if (!wanted && this.open.has(pair)) this.close(pair, now);
    }
  }

  podRemoved(uid: string): void {
    const now = this.now();
    for (const pair of this.openByPod.get(uid)) this.close(pair, now);
    this.labelsSince.delete(uid);
    this.lastStop.delete(uid);
  }

  serviceChanged(service: ServiceObject, prev: ServiceObject | undefined): void {
    if (prev && !sameLabels(prev.selector ?? {}, service.selector ?? {})) {
      this.selectorSince.set(service.uid, this.now());
    }
    this.refresh(qualifiedName(service));
  }

  serviceRemoved(uid: string): void {
    const now = this.now();
    for (const pair of this.openByService.get(uid)) this.close(pair, now);
    this.selectorSince.delete(uid);
    for (const byService of this.lastStop.values()) byService.delete(uid);
  }

  /** Brings the open memberships of one service (`namespace/name`) in line with its slices. */
  refresh(service: string): void {
    const svc = this.service(service);
    if (!svc) return;
    const wanted = new Set<string>();
    for (const sliceUid of this.slicesByService.get(service)) {
      for (const ref of this.slices.get(sliceUid)!.pods) {
        const podUid = ref.uid ?? this.lookup.podUidByName(`${ref.namespace}/${ref.name}`);
        const pod = podUid === undefined ? undefined : this.lookup.pod(podUid);
        if (pod && (svc.selector === undefined || selects(svc.selector, pod.labels))) {
          wanted.add(pairKey(pod.uid, svc.uid));
        }
      }
    }
    const now = this.now();
    for (const pair of this.openByService.get(svc.uid)) {
      if (!wanted.has(pair)) this.close(pair, now);
    }
    for (const pair of wanted) {
      if (!this.open.has(pair)) this.start(this.lookup.pod(pair.split('|')[0]!)!, svc, now);
    }
  }

  private service(qualified: string): ServiceObject | undefined {
    const uid = this.lookup.serviceUidByName(qualified);
    return uid === undefined ? undefined : this.lookup.service(uid);
  }

  private start(pod: PodObject, svc: ServiceObject, now: bigint): void {
    let startNs = max(
      pod.createdNs,
      svc.createdNs,
      this.labelsSince.get(pod.uid) ?? 0n,
      this.selectorSince.get(svc.uid) ?? 0n,
      this.lastStop.get(pod.uid)?.get(svc.uid) ?? 0n,
    );
    if (startNs > now) startNs = now;
    const m = { podUid: pod.uid, serviceUid: svc.uid, startNs };
    const pair = pairKey(pod.uid, svc.uid);
    this.open.set(pair, m);
    this.openByPod.add(pod.uid, pair);
    this.openByService.add(svc.uid, pair);
    this.rows.put('podServices', row(m, null), true);
  }

  private close(pair: string, now: bigint): void {
    const m = this.open.get(pair);
    if (!m) return;
    this.open.delete(pair);
    this.openByPod.delete(m.podUid, pair);
    this.openByService.delete(m.serviceUid, pair);
    const stop = now > m.startNs ? now : m.startNs;
    let byService = this.lastStop.get(m.podUid);
    if (!byService) this.lastStop.set(m.podUid, (byService = new Map()));
    byService.set(m.serviceUid, stop);
    this.rows.put('podServices', row(m, stop), false);
  }

  private forgetSlice(slice: EndpointSliceObject): void {
    const service = serviceKey(slice);
    this.slicesByService.delete(service, slice.uid);
    for (const ref of slice.pods) {
      const key = refCountKey(service, podRefKey(ref));
      const n = (this.refCounts.get(key) ?? 1) - 1;
      if (n > 0) {
        this.refCounts.set(key, n);
        continue;
      }
      this.refCounts.delete(key);
      this.servicesByPodRef.delete(podRefKey(ref), service);
    }
  }
}

/** Whether a service's equality selector picks a pod's labels (an empty selector picks none). */
export function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function row(m: OpenMembership, stop: bigint | null) {
  return { pod_uid: m.podUid, service_uid: m.serviceUid, start_ns: m.startNs, stop_ns: stop };
}

function serviceKey(slice: EndpointSliceObject): string {
  return `${slice.namespace}/${slice.serviceName}`;
}

/** How a slice names a pod: by uid, or by `namespace/name` when the slice gives no uid. */
function podRefKey(ref: { uid: string | undefined; namespace: string; name: string }): string {
  return ref.uid ? `uid:${ref.uid}` : `name:${ref.namespace}/${ref.name}`;
}

function refCountKey(service: string, ref: string): string {
  return `${service}\u0000${ref}`;
}

function pairKey(podUid: string, serviceUid: string): string {
  return `${podUid}|${serviceUid}`;
}

/** Whether two label maps hold the same pairs. */
export function sameLabels(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
) {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function max(...xs: bigint[]): bigint {
  return xs.reduce((a, b) => (b > a ? b : a));
}
