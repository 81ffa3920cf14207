import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, issueLines } from '../../../../cli/config/load';
import { containerId, timestampNs } from '../kube/normalize';
import {
  ClusterObject,
  ObjectMeta,
  OwnerRef,
  PodObject,
  ServiceObject,
  qualifiedName,
} from '../objects';
import { selects } from '../service-membership';

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const name = z
  .string()
  .refine(
    (s) => s.split('/').length <= 2 && s.split('/').every((part) => DNS_NAME.test(part)),
    'expected NAME or NAMESPACE/NAME in lower-case DNS form',
  );
const ip = z.string().refine((s) => isIP(s) !== 0, 'expected an IPv4 or IPv6 address');
const time = z
  .string()
  .refine(
    (s) => timestampNs(s) !== undefined,
    'expected an RFC 3339 time, e.g. 2024-05-01T12:00:00Z',
  );
const labels = z.record(z.string(), z.string());

const PodSchema = z.strictObject({
  /** `namespace/name`, or a name with `namespace` beside it (default: `default`). */
  name,
  namespace: name.optional(),
  ip: ip.optional(),
  node: z.string().default(''),
  labels: labels.default({}),
  phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).default('Running'),
  deployment: name.optional(),
  /** Default: the deployment's name. */
  replicaset: name.optional(),
  containers: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        /** The runtime's container id, with or without its `containerd://` prefix. */
        id: z.string().regex(/^([a-z-]+:\/\/)?[0-9a-f]{12,64}$/, 'expected a hex container id'),
      }),
    )
    .default([]),
  /** Default: the epoch, so rows of any time resolve. */
  startTime: time.optional(),
});

const ServiceSchema = z.strictObject({
  name,
  namespace: name.optional(),
  clusterIP: ip.optional(),
  /** Pods whose labels match, in the service's namespace. */
  selector: labels.optional(),
  /** Pods named outright (`namespace/name` or a name in the service's namespace). */
  pods: z.array(name).optional(),
  startTime: time.optional(),
});

/** The static metadata file: pods, services, nodes and namespaces for a machine without Kubernetes. */
export const StaticFileSchema = z.strictObject({
  namespaces: z.array(name).default([]),
  nodes: z
    .array(z.strictObject({ name, ip: ip.optional(), hostname: z.string().optional() }))
    .default([]),
  pods: z.array(PodSchema).default([]),
  services: z.array(ServiceSchema).default([]),
});

export type StaticFile = z.output<typeof StaticFileSchema>;

/** Reads and validates a static metadata file; errors name the file and each offending path. */
export function readStaticFileSync(path: string): ClusterObject[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`metadata.staticFile: cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(
      `metadata.staticFile: ${path} is not valid YAML: ${(err as Error).message}`,
    );
  }
  const result = StaticFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new ConfigError(`invalid static metadata file ${path}:\n${issueLines(result.error)}`);
  }
  return staticObjects(result.data, path);
}

/** The cluster objects a static file describes, with stable uids derived from their names. */
export function staticObjects(
  file: StaticFile,
  source = 'the static metadata file',
): ClusterObject[] {
  const out: ClusterObject[] = [];
  const namespaces = new Set(file.namespaces);
  const owners = new Map<string, ClusterObject>();
  const pods: PodObject[] = [];
  const byIp = new Map<string, string>();
  const seen = new Set<string>();
  const once = (what: string, index: number, qualified: string) => {
    if (seen.has(`${what}/${qualified}`)) {
      throw new ConfigError(`${source}: ${what}.${index}.name: ${qualified} is listed twice`);
    }
    seen.add(`${what}/${qualified}`);
  };
  file.pods.forEach((p, i) => {
    const { namespace, name: podName } = split(p.name, p.namespace);
    once('pods', i, `${namespace}/${podName}`);
    namespaces.add(namespace);
    const created = p.startTime ? timestampNs(p.startTime)! : 0n;
    const podOwners: OwnerRef[] = [];
    if (p.deployment) {
      const dep = meta('Deployment', namespace, split(p.deployment, namespace).name, created);
      const rsName = p.replicaset ? split(p.replicaset, namespace).name : dep.name;
      const rs = meta('ReplicaSet', namespace, rsName, created, [owner('Deployment', dep)]);
      owners.set(`d:${dep.uid}`, { kind: 'Deployment', ...dep });
      owners.set(`r:${rs.uid}`, { kind: 'ReplicaSet', ...rs });
      podOwners.push(owner('ReplicaSet', rs));
    }
    const pod: PodObject = {
      kind: 'Pod',
      ...meta('Pod', namespace, podName, created, podOwners),
      labels: p.labels,
      node: p.node,
      ip: p.ip ?? '',
      phase: p.phase,
      containers: p.containers.map((c) => ({
        id: containerId(c.id),
        name: c.name,
        state: p.phase === 'Succeeded' || p.phase === 'Failed' ? 'Terminated' : 'Running',
        startNs: created,
        stopNs: undefined,
      })),
    };
    if (pod.ip) {
      const holder = byIp.get(pod.ip);
      if (holder) {
        throw new ConfigError(`${source}: pods.${i}.ip: ${pod.ip} is already the IP of ${holder}`);
      }
      byIp.set(pod.ip, qualifiedName(pod));
    }
    pods.push(pod);
  });
  const services: ServiceObject[] = [];
  file.services.forEach((s, i) => {
    const { namespace, name: svcName } = split(s.name, s.namespace);
    once('services', i, `${namespace}/${svcName}`);
    namespaces.add(namespace);
    const created = s.startTime ? timestampNs(s.startTime)! : 0n;
    const svc: ServiceObject = {
      kind: 'Service',
      ...meta('Service', namespace, svcName, created),
      clusterIp: s.clusterIP ?? '',
      selector: s.selector,
    };
    services.push(svc);
    const named = new Set((s.pods ?? []).map((p) => qualifiedName(split(p, namespace))));
    const routed = pods.filter(
      (p) =>
        named.has(qualifiedName(p)) ||
        (s.selector !== undefined && p.namespace === namespace && selects(s.selector, p.labels)),
    );
    out.push({
      kind: 'EndpointSlice',
      ...meta('EndpointSlice', namespace, svcName, created),
      serviceName: svcName,
      pods: routed.map((p) => ({ uid: p.uid, namespace: p.namespace, name: p.name })),
    });
  });
  for (const ns of namespaces) out.push({ kind: 'Namespace', ...meta('Namespace', '', ns, 0n) });
  file.nodes.forEach((n, i) => {
    once('nodes', i, n.name);
    out.push({
      kind: 'Node',
      ...meta('Node', '', n.name, 0n),
      ip: n.ip ?? '',
      hostname: n.hostname ?? n.name,
    });
  });
  return [...out, ...owners.values(), ...pods, ...services];
}

function split(text: string, namespace: string | undefined): { namespace: string; name: string } {
  const i = text.indexOf('/');
  if (i >= 0) return { namespace: text.slice(0, i), name: text.slice(i + 1) };
  return { namespace: namespace ?? 'default', name: text };
}

function meta(
  kind: string,
  namespace: string,
  objectName: string,
  createdNs: bigint,
  owners: OwnerRef[] = [],
): ObjectMeta {
  return {
    uid: staticUid(kind, namespace, objectName),
    name: objectName,
    namespace,
    createdNs,
    labels: {},
    owners,
  };
}

function owner(kind: string, m: ObjectMeta): OwnerRef {
  return { kind, name: m.name, uid: m.uid, controller: true };
}

/** A uid in UUID form, the same for the same object on every load. */
function staticUid(kind: string, namespace: string, objectName: string): string {
  const h = createHash('sha256').update(`${kind}/${namespace}/${objectName}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
