import { DataType, SemanticType } from '../../../../shared/contract/types';
import { quoteIdent } from '../../store/sql';
import { EmitContext, LookupView, ScalarFunction, SqlArg } from './types';

/**
 * Kubernetes and process metadata: `df.ctx[...]` keys and the px metadata functions. Each
 * compiles to joins on the metadata views (compile/metadata-views.ts), resolved at the row's
 * time; without a match the value is the type's zero ("" or 0), as in Pixie.
 */

/** A column of a looked-up object, "" when there is none. */
function text(alias: string, column: string): string {
  return `COALESCE(${alias}.${quoteIdent(column)}, '')`;
}

function time(alias: string, column: string): string {
  return `COALESCE(${alias}.${quoteIdent(column)}, 0)`;
}

const process = (ctx: EmitContext, upid: string) => ctx.lookup('process_by_upid', upid);
const podOfProcess = (ctx: EmitContext, upid: string) =>
  ctx.lookup('pod_by_uid', `${process(ctx, upid)}."pod_uid"`);
const servicesOfProcess = (ctx: EmitContext, upid: string) =>
  ctx.lookup('pod_services', `${process(ctx, upid)}."pod_uid"`);
const containerOfProcess = (ctx: EmitContext, upid: string) =>
  ctx.lookup('container_by_id', `${process(ctx, upid)}."container_id"`);

/** Pixie's pod status object: phase, message, reason, ready. */
function podStatus(alias: string): string {
  return (
    `CASE WHEN ${alias}."uid" IS NULL THEN '' ELSE CAST(json_object('phase', ${alias}."phase", ` +
    `'message', '', 'reason', '', 'ready', ${alias}."phase" = 'Running') AS VARCHAR) END`
  );
}

/** The namespace part of a `namespace/name`, "" when the name has another form. */
function namespaceOf(name: string): string {
  return `(CASE WHEN length(${name}) - length(replace(${name}, '/', '')) = 1 THEN split_part(${name}, '/', 1) ELSE '' END)`;
}

/** True when `services` (one name, or Pixie's JSON array of names) holds `name`. */
function hasMember(services: string, name: string): string {
  return `(${services} = ${name} OR (starts_with(${services}, '[') AND COALESCE(list_contains(TRY(json_extract_string(${services}, '$[*]')), ${name}), false)))`;
}

/**
 * `df.ctx[key]`: metadata of the row, found through its `upid` (the process), or for the keys
 * of a pod through a `pod_id` column when the table has no `upid` (network_stats).
 */
export interface CtxKey {
  readonly type: DataType;
  readonly semanticType: SemanticType;
  readonly sql: (upid: string, ctx: EmitContext) => string;
  readonly fromPod?: (podUid: string, ctx: EmitContext) => string;
}

const processKey = (type: DataType, semanticType: SemanticType, sql: CtxKey['sql']): CtxKey => ({
  type,
  semanticType,
  sql,
});

/** A key of the process's pod: the same SQL from a pod UID, however it was found. */
function podKey(
  semanticType: SemanticType,
  fromPod: (podUid: string, ctx: EmitContext) => string,
): CtxKey {
  return {
    type: 'STRING',
    semanticType,
    sql: (u, ctx) => fromPod(`${process(ctx, u)}."pod_uid"`, ctx),
    fromPod,
  };
}

const ofPod = (column: string) => (p: string, ctx: EmitContext) =>
  text(ctx.lookup('pod_by_uid', p), column);

const BASE_KEYS: Readonly<Record<string, CtxKey>> = {
  pod: podKey('ST_POD_NAME', ofPod('name')),
  pod_id: {
    ...processKey('STRING', 'ST_NONE', (u, ctx) => text(process(ctx, u), 'pod_uid')),
    fromPod: (p) => p,
  },
  service: podKey('ST_SERVICE_NAME', (p, ctx) => text(ctx.lookup('pod_services', p), 'names')),
  service_id: podKey('ST_NONE', (p, ctx) => text(ctx.lookup('pod_services', p), 'uids')),
  namespace: podKey('ST_NAMESPACE_NAME', ofPod('namespace')),
  node: podKey('ST_NODE_NAME', ofPod('node')),
  hostname: {
    ...processKey(
      'STRING',
      'ST_NONE',
      (u, ctx) =>
        `COALESCE(NULLIF(${process(ctx, u)}."hostname", ''), ${podOfProcess(ctx, u)}."hostname", '')`,
    ),
    fromPod: ofPod('hostname'),
  },
  container: processKey('STRING', 'ST_CONTAINER_NAME', (u, ctx) =>
    text(containerOfProcess(ctx, u), 'name'),
  ),
  container_id: processKey('STRING', 'ST_NONE', (u, ctx) => text(process(ctx, u), 'container_id')),
  deployment: podKey('ST_DEPLOYMENT_NAME', ofPod('deployment')),
  replicaset: podKey('ST_NONE', ofPod('replicaset')),
  cmdline: processKey('STRING', 'ST_NONE', (u, ctx) => text(process(ctx, u), 'cmdline')),
  pid: processKey('INT64', 'ST_NONE', (u) => `CAST((${u} >> 64) & 4294967295 AS BIGINT)`),
  asid: processKey('INT64', 'ST_NONE', (u) => `CAST(${u} >> 96 AS BIGINT)`),
};

/** Every key Pixie has; the `*_name` keys are the same as their short forms. */
export const CTX_KEYS: Readonly<Record<string, CtxKey>> = {
  ...BASE_KEYS,
  pod_name: BASE_KEYS.pod!,
  service_name: BASE_KEYS.service!,
  node_name: BASE_KEYS.node!,
  container_name: BASE_KEYS.container!,
  deployment_name: BASE_KEYS.deployment!,
};

type Emit = (args: readonly SqlArg[], ctx: EmitContext) => string;

/** One px metadata function of one argument: what it takes and returns, and its SQL. */
interface MetadataFunction {
  readonly from: DataType;
  /** STRING when left out. */
  readonly returns?: DataType;
  /** ST_NONE when left out. */
  readonly semanticType?: SemanticType;
  readonly doc: string;
  readonly sql: Emit;
}

/** A lookup by the first argument, returning one column of the object found. */
function byKey(view: LookupView, column: string, kind: 'text' | 'time' = 'text'): Emit {
  return (args, ctx) => {
    const alias = ctx.lookup(view, args[0]!.sql);
    return kind === 'text' ? text(alias, column) : time(alias, column);
  };
}

/** A lookup of the pod a process belongs to, returning one of its columns. */
function upidPod(column: string): Emit {
  return (args, ctx) => text(podOfProcess(ctx, args[0]!.sql), column);
}

const fromPodName = (view: LookupView, column: string): Emit => {
  return (args, ctx) => {
    const pod = ctx.lookup('pod_by_name', args[0]!.sql);
    return text(ctx.lookup(view, `${pod}."uid"`), column);
  };
};

/** The px metadata functions of one argument, named as in Pixie. */
const LOOKUPS: Readonly<Record<string, MetadataFunction>> = {
  upid_to_pod_id: {
    from: 'UINT128',
    doc: 'The pod UID of a process.',
    sql: (a, ctx) => text(process(ctx, a[0]!.sql), 'pod_uid'),
  },
  upid_to_pod_name: {
    from: 'UINT128',
    semanticType: 'ST_POD_NAME',
    doc: 'The pod of a process.',
    sql: upidPod('name'),
  },
  upid_to_namespace: {
    from: 'UINT128',
    semanticType: 'ST_NAMESPACE_NAME',
    doc: 'The namespace of a process.',
    sql: upidPod('namespace'),
  },
  upid_to_node_name: {
    from: 'UINT128',
    semanticType: 'ST_NODE_NAME',
    doc: 'The node of a process.',
    sql: upidPod('node'),
  },
  upid_to_deployment_name: {
    from: 'UINT128',
    semanticType: 'ST_DEPLOYMENT_NAME',
    doc: 'The deployment of a process.',
    sql: upidPod('deployment'),
  },
  upid_to_replicaset_name: {
    from: 'UINT128',
    doc: 'The replica set of a process.',
    sql: upidPod('replicaset'),
  },
  upid_to_pod_status: {
    from: 'UINT128',
    semanticType: 'ST_POD_STATUS',
    doc: "The status of a process's pod, as JSON.",
    sql: (a, ctx) => podStatus(podOfProcess(ctx, a[0]!.sql)),
  },
  upid_to_cmdline: {
    from: 'UINT128',
    doc: 'The command line of a process.',
    sql: (a, ctx) => text(process(ctx, a[0]!.sql), 'cmdline'),
  },
  upid_to_hostname: {
    from: 'UINT128',
    doc: 'The host a process runs on.',
    sql: (a, ctx) => CTX_KEYS.hostname!.sql(a[0]!.sql, ctx),
  },
  upid_to_container_id: {
    from: 'UINT128',
    doc: 'The container id of a process.',
    sql: (a, ctx) => text(process(ctx, a[0]!.sql), 'container_id'),
  },
  upid_to_container_name: {
    from: 'UINT128',
    semanticType: 'ST_CONTAINER_NAME',
    doc: 'The container of a process.',
    sql: (a, ctx) => text(containerOfProcess(ctx, a[0]!.sql), 'name'),
  },
  upid_to_service_name: {
    from: 'UINT128',
    semanticType: 'ST_SERVICE_NAME',
    doc: 'The service(s) of a process: a name, or a JSON array of names.',
    sql: (a, ctx) => text(servicesOfProcess(ctx, a[0]!.sql), 'names'),
  },
  upid_to_service_id: {
    from: 'UINT128',
    doc: 'The service UID(s) of a process.',
    sql: (a, ctx) => text(servicesOfProcess(ctx, a[0]!.sql), 'uids'),
  },
  ip_to_pod_id: {
    from: 'STRING',
    doc: "The UID of the pod that held an IP at the row's time.",
    sql: byKey('pod_by_ip', 'uid'),
  },
  ip_to_service_id: {
    from: 'STRING',
    doc: 'The service UID(s) of the pod with an IP, or of the service with that cluster IP.',
    sql: (a, ctx) => {
      const pod = ctx.lookup('pod_by_ip', a[0]!.sql);
      const services = ctx.lookup('pod_services', `${pod}."uid"`);
      const service = ctx.lookup('service_by_ip', a[0]!.sql);
      return `COALESCE(NULLIF(${services}."uids", ''), ${service}."uid", '')`;
    },
  },
  nslookup: {
    from: 'STRING',
    doc: 'The cluster DNS name of an IP (service or pod), or the IP itself.',
    sql: (a, ctx) => {
      const ip = a[0]!.sql;
      const service = ctx.lookup('service_by_ip', ip);
      const pod = ctx.lookup('pod_by_ip', ip);
      return (
        `(CASE WHEN ${service}."uid" IS NOT NULL THEN split_part(${service}."name", '/', 2) || '.' || ${service}."namespace" || '.svc.cluster.local' ` +
        `WHEN ${pod}."uid" IS NOT NULL THEN replace(${ip}, '.', '-') || '.' || ${pod}."namespace" || '.pod.cluster.local' ELSE ${ip} END)`
      );
    },
  },
  pod_id_to_pod_name: {
    from: 'STRING',
    semanticType: 'ST_POD_NAME',
    doc: 'The name of a pod.',
    sql: byKey('pod_by_uid', 'name'),
  },
  pod_id_to_namespace: {
    from: 'STRING',
    semanticType: 'ST_NAMESPACE_NAME',
    doc: 'The namespace of a pod.',
    sql: byKey('pod_by_uid', 'namespace'),
  },
  pod_id_to_node_name: {
    from: 'STRING',
    semanticType: 'ST_NODE_NAME',
    doc: 'The node of a pod.',
    sql: byKey('pod_by_uid', 'node'),
  },
  pod_id_to_deployment_name: {
    from: 'STRING',
    semanticType: 'ST_DEPLOYMENT_NAME',
    doc: 'The deployment of a pod.',
    sql: byKey('pod_by_uid', 'deployment'),
  },
  pod_id_to_replicaset_name: {
    from: 'STRING',
    doc: 'The replica set of a pod.',
    sql: byKey('pod_by_uid', 'replicaset'),
  },
  pod_id_to_service_name: {
    from: 'STRING',
    semanticType: 'ST_SERVICE_NAME',
    doc: 'The service(s) of a pod: a name, or a JSON array of names.',
    sql: byKey('pod_services', 'names'),
  },
  pod_id_to_service_id: {
    from: 'STRING',
    doc: 'The service UID(s) of a pod.',
    sql: byKey('pod_services', 'uids'),
  },
  pod_id_to_start_time: {
    from: 'STRING',
    returns: 'TIME64NS',
    doc: 'When a pod started (0 when unknown).',
    sql: byKey('pod_by_uid', 'start_ns', 'time'),
  },
  pod_id_to_stop_time: {
    from: 'STRING',
    returns: 'TIME64NS',
    doc: 'When a pod stopped (0 while it lives).',
    sql: byKey('pod_by_uid', 'stop_ns', 'time'),
  },
  pod_name_to_pod_id: {
    from: 'STRING',
    doc: 'The UID of a pod (`namespace/name`).',
    sql: byKey('pod_by_name', 'uid'),
  },
  pod_name_to_namespace: {
    from: 'STRING',
    semanticType: 'ST_NAMESPACE_NAME',
    doc: 'The namespace part of a pod name.',
    sql: (a) => namespaceOf(a[0]!.sql),
  },
  pod_name_to_service_name: {
    from: 'STRING',
    semanticType: 'ST_SERVICE_NAME',
    doc: 'The service(s) of a pod (`namespace/name`).',
    sql: fromPodName('pod_services', 'names'),
  },
  pod_name_to_service_id: {
    from: 'STRING',
    doc: 'The service UID(s) of a pod (`namespace/name`).',
    sql: fromPodName('pod_services', 'uids'),
  },
  pod_name_to_status: {
    from: 'STRING',
    semanticType: 'ST_POD_STATUS',
    doc: 'The status of a pod as JSON: phase, message, reason, ready.',
    sql: (a, ctx) => podStatus(ctx.lookup('pod_by_name', a[0]!.sql)),
  },
  pod_name_to_start_time: {
    from: 'STRING',
    returns: 'TIME64NS',
    doc: 'When a pod started (0 when unknown).',
    sql: byKey('pod_by_name', 'start_ns', 'time'),
  },
  pod_name_to_stop_time: {
    from: 'STRING',
    returns: 'TIME64NS',
    doc: 'When a pod stopped (0 while it lives).',
    sql: byKey('pod_by_name', 'stop_ns', 'time'),
  },
  pod_name_to_pod_ip: {
    from: 'STRING',
    semanticType: 'ST_IP_ADDRESS',
    doc: 'The IP of a pod (`namespace/name`).',
    sql: byKey('pod_by_name', 'ip'),
  },
  pod_name_to_node_name: {
    from: 'STRING',
    semanticType: 'ST_NODE_NAME',
    doc: 'The node of a pod (`namespace/name`).',
    sql: byKey('pod_by_name', 'node'),
  },
  pod_name_to_deployment_name: {
    from: 'STRING',
    semanticType: 'ST_DEPLOYMENT_NAME',
    doc: 'The deployment of a pod (`namespace/name`).',
    sql: byKey('pod_by_name', 'deployment'),
  },
  pod_name_to_replicaset_name: {
    from: 'STRING',
    doc: 'The replica set of a pod (`namespace/name`).',
    sql: byKey('pod_by_name', 'replicaset'),
  },
  container_id_to_status: {
    from: 'STRING',
    semanticType: 'ST_CONTAINER_STATUS',
    doc: 'The status of a container as JSON: state, message, reason.',
    sql: (a, ctx) => {
      const c = ctx.lookup('container_by_id', a[0]!.sql);
      return `CASE WHEN ${c}."id" IS NULL THEN '' ELSE CAST(json_object('state', ${c}."state", 'message', '', 'reason', '') AS VARCHAR) END`;
    },
  },
  container_id_to_start_time: {
    from: 'STRING',
    returns: 'TIME64NS',
    doc: 'When a container started (0 when unknown).',
    sql: byKey('container_by_id', 'start_ns', 'time'),
  },
  container_id_to_stop_time: {
    from: 'STRING',
    returns: 'TIME64NS',
    doc: 'When a container stopped (0 while it runs).',
    sql: byKey('container_by_id', 'stop_ns', 'time'),
  },
  container_name_to_container_id: {
    from: 'STRING',
    doc: 'The id of a container by its name.',
    sql: byKey('container_by_name', 'id'),
  },
  service_id_to_service_name: {
    from: 'STRING',
    semanticType: 'ST_SERVICE_NAME',
    doc: 'The name of a service.',
    sql: byKey('service_by_uid', 'name'),
  },
  service_id_to_cluster_ip: {
    from: 'STRING',
    semanticType: 'ST_IP_ADDRESS',
    doc: 'The cluster IP of a service.',
    sql: byKey('service_by_uid', 'cluster_ip'),
  },
  service_name_to_service_id: {
    from: 'STRING',
    doc: 'The UID of a service (`namespace/name`).',
    sql: byKey('service_by_name', 'uid'),
  },
  service_name_to_namespace: {
    from: 'STRING',
    semanticType: 'ST_NAMESPACE_NAME',
    doc: 'The namespace part of a service name.',
    sql: (a) => namespaceOf(a[0]!.sql),
  },
  namespace_name_to_namespace_id: {
    from: 'STRING',
    doc: 'The UID of a namespace.',
    sql: byKey('namespace_by_name', 'uid'),
  },
};

/** The px metadata functions, named as in Pixie. */
export const METADATA_FUNCTIONS: readonly ScalarFunction[] = [
  ...Object.entries(LOOKUPS).map(([name, f]): ScalarFunction => ({
    kind: 'scalar',
    name,
    doc: f.doc,
    signatures: [{ args: [f.from], returns: f.returns ?? 'STRING' }],
    semantic: () => f.semanticType ?? 'ST_NONE',
    sql: f.sql,
  })),
  {
    kind: 'scalar',
    name: 'has_service_name',
    doc: 'True where `services` (a name or a JSON array of names) holds `name`.',
    signatures: [{ args: ['STRING', 'STRING'], returns: 'BOOLEAN' }],
    sql: (a) => hasMember(a[0]!.sql, a[1]!.sql),
  },
  {
    kind: 'scalar',
    name: 'has_service_id',
    doc: 'True where `service_ids` (a UID or a JSON array of UIDs) holds `id`.',
    signatures: [{ args: ['STRING', 'STRING'], returns: 'BOOLEAN' }],
    sql: (a) => hasMember(a[0]!.sql, a[1]!.sql),
  },
];
