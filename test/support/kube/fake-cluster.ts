import { createHash } from 'node:crypto';
import { FakeKubeApiServer, KubeObject } from './fake-api-server';

/**
 * A small cluster on the fake API server, changed the way a real control plane changes it: a
 * Deployment owns a ReplicaSet that owns pods (scheduled, given an IP, containers started), and an
 * EndpointSlice controller rewrites each service's slice after every change, as a separate event
 * that follows the pod's. The objects carry the fields `kubectl get -o json` shows, most of which
 * the gateway ignores.
 */
export class FakeCluster {
  private nextIp = new Map<string, number>();
  private readonly clock = Date.parse('2024-05-01T08:00:00Z');
  /** While seeding, objects get fixed creation times in the past; later the server stamps them. */
  private seeding = false;

  constructor(readonly api: FakeKubeApiServer) {}

  /** A shop: two nodes, three deployments behind services, kube-system with a host-network pod. */
  seed(): void {
    this.seeding = true;
    for (const ns of ['default', 'kube-system', 'shop']) this.namespace(ns);
    this.node('node-a', '192.168.49.2');
    this.node('node-b', '192.168.49.3');
    this.deployment('shop', 'frontend', 2, { app: 'frontend', tier: 'web' });
    this.deployment('shop', 'cart', 1, { app: 'cart', tier: 'backend' });
    this.deployment('shop', 'catalog', 2, { app: 'catalog', tier: 'backend' });
    this.service('shop', 'frontend', '10.96.10.10', { app: 'frontend' });
    this.service('shop', 'cart', '10.96.10.11', { app: 'cart' });
    this.service('shop', 'catalog', '10.96.10.12', { app: 'catalog' });
    // Two services over the same pods: Pixie shows such a pod's service as a JSON array.
    this.service('shop', 'backend', '10.96.10.13', { tier: 'backend' });
    // Host-network pods carry their node's IP.
    this.pod('kube-system', 'kube-proxy-a1b2c', 'node-a', {
      labels: { 'k8s-app': 'kube-proxy' },
      ip: '192.168.49.2',
      hostNetwork: true,
    });
    this.service('default', 'kubernetes', '10.96.0.1', undefined);
    this.seeding = false;
  }

  namespace(name: string): KubeObject {
    return this.api.apply('namespaces', {
      metadata: {
        name,
        labels: { 'kubernetes.io/metadata.name': name },
        creationTimestamp: this.time(0),
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  node(name: string, ip: string): KubeObject {
    return this.api.apply('nodes', {
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': 'm5.large',
        },
        annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
        creationTimestamp: this.time(1),
      },
      spec: {
        podCIDR: `10.244.${this.nodeIndex(name)}.0/24`,
        providerID: `aws:///eu-west-1a/i-${name}`,
      },
      status: {
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: `${name}.eu-west-1.compute.internal` },
        ],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        nodeInfo: { kubeletVersion: 'v1.30.2', containerRuntimeVersion: 'containerd://1.7.13' },
      },
    });
  }

  /** A Deployment, its ReplicaSet and `replicas` running pods spread over the nodes. */
  deployment(namespace: string, name: string, replicas: number, labels: Record<string, string>) {
    const hash = shortHash(`${namespace}/${name}`);
    const dep = this.api.apply('deployments', {
      metadata: { name, namespace, labels, generation: 1, creationTimestamp: this.time(10) },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels },
          spec: { containers: [{ name, image: `shop/${name}:1.4.2` }] },
        },
      },
      status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
    });
    const rs = this.api.apply('replicasets', {
      metadata: {
        name: `${name}-${hash}`,
        namespace,
        labels: { ...labels, 'pod-template-hash': hash },
        creationTimestamp: this.time(11),
        ownerReferences: [ownerRef('apps/v1', 'Deployment', dep)],
      },
      spec: { replicas, selector: { matchLabels: { ...labels, 'pod-template-hash': hash } } },
      status: { replicas, readyReplicas: replicas },
    });
    const pods: KubeObject[] = [];
    for (let i = 0; i < replicas; i++) {
      const node = i % 2 === 0 ? 'node-a' : 'node-b';
      pods.push(
        this.pod(namespace, `${name}-${hash}-${shortHash(`${name}${i}`).slice(0, 5)}`, node, {
          labels: { ...labels, 'pod-template-hash': hash },
          owner: ownerRef('apps/v1', 'ReplicaSet', rs),
          container: name,
        }),
      );
    }
    return { deployment: dep, replicaSet: rs, pods };
  }

  /** A running pod with one container, on a node, with the next free IP of the node's range. */
  pod(
    namespace: string,
    name: string,
    node: string,
    opts: {
      labels: Record<string, string>;
      owner?: unknown;
      container?: string;
      ip?: string;
      hostNetwork?: boolean;
      /** RFC 3339 creation time; default: now (or the seed's time). */
      created?: string;
    },
  ): KubeObject {
    const ip = opts.ip ?? this.allocateIp(node);
    const container = opts.container ?? name.split('-')[0]!;
    const pod = this.api.apply('pods', {
      metadata: {
        name,
        namespace,
        labels: opts.labels,
        creationTimestamp: opts.created ?? this.time(20),
        ...(opts.owner ? { ownerReferences: [opts.owner] } : {}),
      },
      spec: {
        nodeName: node,
        serviceAccountName: 'default',
        ...(opts.hostNetwork ? { hostNetwork: true } : {}),
        containers: [
          {
            name: container,
            image: `shop/${container}:1.4.2`,
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            resources: { requests: { cpu: '100m', memory: '128Mi' } },
          },
        ],
      },
      status: {
        phase: 'Running',
        hostIP: this.nodeIp(node),
        podIP: ip,
        podIPs: [{ ip }],
        startTime: this.stamp(21),
        qosClass: 'Burstable',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          {
            name: container,
            ready: true,
            restartCount: 0,
            image: `docker.io/shop/${container}:1.4.2`,
            imageID: `docker.io/shop/${container}@sha256:${containerHash(name, 'image')}`,
            containerID: `containerd://${containerHash(name, container)}`,
            started: true,
            state: { running: { startedAt: this.stamp(22) } },
          },
        ],
      },
    });
    this.syncSlices();
    return pod;
  }

  /** Replaces a pod's labels, as `kubectl label --overwrite` does. */
  relabel(namespace: string, name: string, labels: Record<string, string>): KubeObject {
    const pod = this.api.get('pods', namespace, name)!;
    const updated = this.api.apply('pods', { ...pod, metadata: { ...pod.metadata, labels } });
    this.syncSlices();
    return updated;
  }

  /** Deletes a pod (its slices follow). */
  deletePod(namespace: string, name: string): void {
    this.api.remove('pods', namespace, name);
    this.syncSlices();
  }

  service(
    namespace: string,
    name: string,
    clusterIP: string,
    selector: Record<string, string> | undefined,
  ): KubeObject {
    const svc = this.api.apply('services', {
      metadata: { name, namespace, creationTimestamp: this.time(30) },
      spec: {
        type: 'ClusterIP',
        clusterIP,
        clusterIPs: [clusterIP],
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        ...(selector ? { selector } : {}),
      },
      status: { loadBalancer: {} },
    });
    this.syncSlices();
    return svc;
  }

  /** The EndpointSlice controller: one slice per service with a selector, listing its pods. */
  syncSlices(): void {
    const pods = this.api.list('pods');
    for (const svc of this.api.list('services')) {
      const selector = (svc.spec as { selector?: Record<string, string> }).selector;
      if (!selector) continue;
      const ns = svc.metadata.namespace!;
      const picked = pods.filter((p) => {
        const status = p.status as { phase: string; podIP?: string };
        return (
          p.metadata.namespace === ns &&
          status.podIP &&
          !['Succeeded', 'Failed'].includes(status.phase) &&
          Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v)
        );
      });
      const endpoints = picked.map((p) => ({
        addresses: [(p.status as { podIP: string }).podIP],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: (p.spec as { nodeName: string }).nodeName,
        targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
      }));
      const name = `${svc.metadata.name}-${shortHash(svc.metadata.uid!).slice(0, 5)}`;
      const existing = this.api.get('endpointslices', ns, name);
      if (existing && JSON.stringify(existing.endpoints) === JSON.stringify(endpoints)) continue;
      this.api.apply('endpointslices', {
        metadata: {
          name,
          namespace: ns,
          generateName: `${svc.metadata.name}-`,
          labels: {
            'kubernetes.io/service-name': svc.metadata.name,
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          },
          ownerReferences: [{ ...ownerRef('v1', 'Service', svc), blockOwnerDeletion: true }],
          creationTimestamp: this.time(31),
        },
        addressType: 'IPv4',
        endpoints,
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      });
    }
  }

  private allocateIp(node: string): string {
    const n = (this.nextIp.get(node) ?? 10) + 1;
    this.nextIp.set(node, n);
    return `10.244.${this.nodeIndex(node)}.${n}`;
  }

  private nodeIndex(node: string): number {
    return node === 'node-a' ? 1 : 2;
  }

  private nodeIp(node: string): string {
    return node === 'node-a' ? '192.168.49.2' : '192.168.49.3';
  }

  /** A time for status fields: the seed's, or now. */
  private stamp(minutes: number): string {
    return this.time(minutes) ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private time(minutes: number): string | undefined {
    if (!this.seeding) return undefined;
    return new Date(this.clock + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  }
}

/** The runtime id a container of a pod gets: 64 hex digits, as containerd's are. */
export function containerHash(pod: string, container: string): string {
  return createHash('sha256').update(`${pod}/${container}`).digest('hex');
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').replace(/[0-1]/g, 'x').slice(0, 10);
}

function ownerRef(apiVersion: string, kind: string, o: KubeObject) {
  return { apiVersion, kind, name: o.metadata.name, uid: o.metadata.uid!, controller: true };
}
