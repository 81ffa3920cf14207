import { TableStore } from '../../gateway/src/store/table-store';
import { BASE_NS, PODS, insertMetadata, upidOf } from './pxl';

/** The resource the presets should give each generated pod's process. */
export interface WorldPod {
  pod: number;
  service: string;
  k8sPod?: string;
  namespace?: string;
  node?: string;
}

/**
 * Metadata for the processes of httpEvents(): pods 0-3 are Kubernetes pods in namespace `shop`
 * (pods 0 and 2 behind service `shop/cart`, 1 and 3 behind `shop/checkout`), pods 4 and 5 are
 * bare processes (`/usr/bin/worker-4 --fast`). Returns what each should be exported as.
 */
export async function seedWorld(store: TableStore): Promise<WorldPod[]> {
  const start = BASE_NS - 3_600_000_000_000n;
  const world: WorldPod[] = [];
  for (let i = 0; i < PODS; i++) {
    const k8s = i < 4;
    await insertMetadata(store, 'processes', [
      {
        upid: upidOf(1, 100 + i, 5000 + i).value,
        asid: 1,
        pid: 100 + i,
        start_ticks: 5000 + i,
        cmdline: `/usr/bin/${k8s ? 'app' : 'worker'}-${i} --fast`,
        hostname: `node-${i % 2}`,
        container_id: k8s ? `c${i}` : '',
        pod_uid: k8s ? `uid-${i}` : '',
        start_ns: start,
        stop_ns: null,
      },
    ]);
    if (!k8s) {
      world.push({ pod: i, service: `unknown_service:worker-${i}` });
      continue;
    }
    const service = i % 2 === 0 ? 'cart' : 'checkout';
    await insertMetadata(store, 'pods', [
      {
        uid: `uid-${i}`,
        name: `shop/${service}-${i}`,
        namespace: 'shop',
        node: `node-${i % 2}`,
        hostname: `node-${i % 2}`,
        ip: `10.1.0.${i + 1}`,
        phase: 'Running',
        start_ns: start,
        stop_ns: null,
        replicaset: '',
        deployment: `shop/${service}`,
      },
    ]);
    if (i < 2) {
      await insertMetadata(store, 'services', [
        {
          uid: `svc-${service}`,
          name: `shop/${service}`,
          namespace: 'shop',
          cluster_ip: `10.96.0.${i + 1}`,
          start_ns: start,
          stop_ns: null,
        },
      ]);
    }
    await insertMetadata(store, 'podServices', [
      { pod_uid: `uid-${i}`, service_uid: `svc-${service}`, start_ns: start, stop_ns: null },
    ]);
    world.push({
      pod: i,
      service,
      k8sPod: `${service}-${i}`,
      namespace: 'shop',
      node: `node-${i % 2}`,
    });
  }
  return world;
}
