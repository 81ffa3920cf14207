import { containerId, normalize, timestampNs } from './normalize';

/** A pod as a watch event carries it: plain JSON, RFC 3339 strings. */
const watchedPod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: {
    name: 'cart-7d4b9c6f5-x2x9q',
    namespace: 'shop',
    uid: '5b1c2a3e-0d4f-4e58-9a61-3c2b1a0f9e8d',
    resourceVersion: '81723',
    creationTimestamp: '2024-05-01T08:20:00Z',
    labels: { app: 'cart', 'pod-template-hash': '7d4b9c6f5' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'cart-7d4b9c6f5',
        uid: 'rs-uid',
        controller: true,
      },
    ],
  },
  spec: { nodeName: 'node-a', containers: [{ name: 'cart', image: 'shop/cart:1.4.2' }] },
  status: {
    phase: 'Running',
    podIP: '10.244.1.12',
    containerStatuses: [
      {
        name: 'cart',
        containerID: 'containerd://4f3c2b1a',
        state: { running: { startedAt: '2024-05-01T08:20:05Z' } },
        lastState: {
          terminated: {
            containerID: 'containerd://0a1b2c3d',
            startedAt: '2024-05-01T08:20:01Z',
            finishedAt: '2024-05-01T08:20:04Z',
          },
        },
      },
    ],
  },
};

/** The same pod as client-node returns it from a list: timestamps deserialized to Date. */
function listed(o: typeof watchedPod) {
  const copy = structuredClone(o) as any;
  copy.metadata.creationTimestamp = new Date(o.metadata.creationTimestamp);
  const s = copy.status.containerStatuses[0];
  s.state.running.startedAt = new Date(s.state.running.startedAt);
  s.lastState.terminated.startedAt = new Date(s.lastState.terminated.startedAt);
  s.lastState.terminated.finishedAt = new Date(s.lastState.terminated.finishedAt);
  return copy;
}

describe('normalize', () => {
  it('gives the same pod from a list (Date) and from a watch (string)', () => {
    const fromWatch = normalize('Pod', watchedPod);
    expect(normalize('Pod', listed(watchedPod))).toEqual(fromWatch);
    expect(fromWatch).toMatchObject({
      kind: 'Pod',
      name: 'cart-7d4b9c6f5-x2x9q',
      namespace: 'shop',
      node: 'node-a',
      ip: '10.244.1.12',
      createdNs: timestampNs('2024-05-01T08:20:00Z'),
      owners: [{ kind: 'ReplicaSet', name: 'cart-7d4b9c6f5', uid: 'rs-uid', controller: true }],
      containers: [
        { id: '4f3c2b1a', name: 'cart', state: 'Running', stopNs: undefined },
        {
          id: '0a1b2c3d',
          name: 'cart',
          state: 'Terminated',
          stopNs: timestampNs('2024-05-01T08:20:04Z'),
        },
      ],
    });
  });

  it('gives host-network pods no IP of their own', () => {
    const pod = structuredClone(watchedPod) as any;
    pod.spec.hostNetwork = true;
    expect(normalize('Pod', pod)).toMatchObject({ ip: '' });
  });

  it('strips any runtime prefix from container ids', () => {
    expect(containerId('containerd://abc123')).toBe('abc123');
    expect(containerId('cri-o://abc123')).toBe('abc123');
    expect(containerId('docker://abc123')).toBe('abc123');
    expect(containerId('abc123')).toBe('abc123');
  });

  it('reads a node address and hostname, and a slice service and pods', () => {
    const node = normalize('Node', {
      metadata: { name: 'node-a', uid: 'n1', labels: { 'kubernetes.io/hostname': 'node-a' } },
      status: {
        addresses: [
          { type: 'Hostname', address: 'ip-10-0-1-2.ec2.internal' },
          { type: 'InternalIP', address: '10.0.1.2' },
        ],
      },
    });
    expect(node).toMatchObject({
      ip: '10.0.1.2',
      hostname: 'ip-10-0-1-2.ec2.internal',
      namespace: '',
    });
    const slice = normalize('EndpointSlice', {
      metadata: {
        name: 'cart-abcde',
        namespace: 'shop',
        uid: 's1',
        labels: { 'kubernetes.io/service-name': 'cart' },
      },
      endpoints: [
        {
          addresses: ['10.244.1.12'],
          targetRef: { kind: 'Pod', name: 'cart-1', namespace: 'shop', uid: 'p1' },
        },
        { addresses: ['10.0.9.9'], targetRef: { kind: 'Node', name: 'node-a' } },
        { addresses: ['10.244.1.13'], targetRef: { kind: 'Pod', name: 'cart-2' } },
      ],
    });
    expect(slice).toMatchObject({
      serviceName: 'cart',
      pods: [
        { uid: 'p1', namespace: 'shop', name: 'cart-1' },
        { uid: undefined, namespace: 'shop', name: 'cart-2' },
      ],
    });
  });

  it('skips objects without a uid or a name, and headless services have no cluster IP', () => {
    expect(normalize('Pod', { metadata: { name: 'x' } })).toBeUndefined();
    expect(normalize('Pod', null)).toBeUndefined();
    const svc = normalize('Service', {
      metadata: { name: 'db', namespace: 'shop', uid: 'u' },
      spec: { clusterIP: 'None', selector: { app: 'db' } },
    });
    expect(svc).toMatchObject({ clusterIp: '', selector: { app: 'db' } });
  });
});
