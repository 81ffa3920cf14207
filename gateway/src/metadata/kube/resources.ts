import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
} from '@kubernetes/client-node';
import { ClusterKind } from '../objects';

/** A page request: at most `limit` items, continuing a previous page when `_continue` is set. */
interface Page {
  limit?: number;
  _continue?: string;
}

type ObjectList = KubernetesListObject<KubernetesObject>;

/** The API groups the informers list from. */
export interface KubeApis {
  core: CoreV1Api;
  apps: AppsV1Api;
  discovery: DiscoveryV1Api;
}

/** One collection the metadata service lists and watches across all namespaces. */
export interface WatchedResource {
  /** The resource's plural name, as RBAC and the API paths spell it. */
  name: string;
  apiGroup: '' | 'apps' | 'discovery.k8s.io';
  kind: ClusterKind;
  list(apis: KubeApis, page: Page): Promise<ObjectList>;
}

/**
 * The watched collections, in the order their informers start: owners before what they own, so
 * a first sync finds ReplicaSets before pods and services before their EndpointSlices.
 */
export const WATCHED_RESOURCES: readonly WatchedResource[] = [
  {
    name: 'namespaces',
    apiGroup: '',
    kind: 'Namespace',
    list: (a, p) => a.core.listNamespace(p),
  },
  {
    name: 'nodes',
    apiGroup: '',
    kind: 'Node',
    list: (a, p) => a.core.listNode(p),
  },
  {
    name: 'deployments',
    apiGroup: 'apps',
    kind: 'Deployment',
    list: (a, p) => a.apps.listDeploymentForAllNamespaces(p),
  },
  {
    name: 'replicasets',
    apiGroup: 'apps',
    kind: 'ReplicaSet',
    list: (a, p) => a.apps.listReplicaSetForAllNamespaces(p),
  },
  {
    name: 'pods',
    apiGroup: '',
    kind: 'Pod',
    list: (a, p) => a.core.listPodForAllNamespaces(p),
  },
  {
    name: 'services',
    apiGroup: '',
    kind: 'Service',
    list: (a, p) => a.core.listServiceForAllNamespaces(p),
  },
  {
    name: 'endpointslices',
    apiGroup: 'discovery.k8s.io',
    kind: 'EndpointSlice',
    list: (a, p) => a.discovery.listEndpointSliceForAllNamespaces(p),
  },
];

/** The path of a resource's cluster-wide collection: every group is read at v1, as `KubeApis` are. */
export function collectionPath(r: WatchedResource): string {
  return r.apiGroup === '' ? `/api/v1/${r.name}` : `/apis/${r.apiGroup}/v1/${r.name}`;
}

/** Builds the API clients of a kubeconfig. */
export function kubeApis(kc: KubeConfig): KubeApis {
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

/**
 * Lists a whole collection in pages of `pageSize`, so a large cluster does not answer one huge
 * response. Every page belongs to the snapshot of the first; when the server has compacted that
 * snapshot away (410 Gone on a continue token) the list starts over in one piece, as client-go's
 * pager does.
 */
export async function listAll(
  resource: WatchedResource,
  apis: KubeApis,
  pageSize: number,
): Promise<ObjectList> {
  const items: KubernetesObject[] = [];
  let resourceVersion: string | undefined;
  let cont: string | undefined;
  do {
    let page: ObjectList;
    try {
      page = await resource.list(apis, { limit: pageSize, ...(cont ? { _continue: cont } : {}) });
    } catch (err) {
      if (!cont || !isGone(err)) throw err;
      return resource.list(apis, {});
    }
    items.push(...page.items);
    resourceVersion ??= page.metadata?.resourceVersion;
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
}

/** Whether an error is the API server's 410 Gone (the requested version was compacted). */
export function isGone(err: unknown): boolean {
  if (err instanceof ApiException) return err.code === 410;
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  return e?.statusCode === 410 || e?.code === 410;
}
