import { DataType, SemanticType } from '../../store/types';
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

/** `df.ctx[key]`: metadata of the row's process, found through its `upid`. */
export interface CtxKey {
  readonly type: DataType;
  readonly semanticType: SemanticType;
  readonly sql: (upid: string, ctx: EmitContext) => string;
}

const pod = (column: string) => (u: string, ctx: EmitContext) => text(podOfProcess(ctx, u), column);
const named = (type: DataType, semanticType: SemanticType, sql: CtxKey['sql']): CtxKey => ({
  type,
  semanticType,
  sql,
});

const BASE_KEYS: Readonly<Record<string, CtxKey>> = {
  pod: named('STRING', 'ST_POD_NAME', pod('name')),
  pod_id: named('STRING', 'ST_NONE', (u, ctx) => text(process(ctx, u), 'pod_uid')),
  service: named('STRING', 'ST_SERVICE_NAME', (u, ctx) => text(servicesOfProcess(ctx, u), 'names')),
  service_id: named('STRING', 'ST_NONE', (u, ctx) => text(servicesOfProcess(ctx, u), 'uids')),
  namespace: named('STRING', 'ST_NAMESPACE_NAME', pod('namespace')),
  node: named('STRING', 'ST_NODE_NAME', pod('node')),
  hostname: named(
    'STRING',
    'ST_NONE',
    (u, ctx) =>
      `COALESCE(NULLIF(${process(ctx, u)}."hostname", ''), ${podOfProcess(ctx, u)}."hostname", '')`,
  ),
  container: named('STRING', 'ST_CONTAINER_NAME', (u, ctx) =>
    text(containerOfProcess(ctx, u), 'name'),
  ),
  container_id: named('STRING', 'ST_NONE', (u, ctx) => text(process(ctx, u), 'container_id')),
  deployment: named('STRING', 'ST_DEPLOYMENT_NAME', pod('deployment')),
  replicaset: named('STRING', 'ST_NONE', pod('replicaset')),
  cmdline: named('STRING', 'ST_NONE', (u, ctx) => text(process(ctx, u), 'cmdline')),
  pid: named('INT64', 'ST_NONE', (u) => `CAST((${u} >> 64) & 4294967295 AS BIGINT)`),
  asid: named('INT64', 'ST_NONE', (u) => `CAST(${u} >> 96 AS BIGINT)`),
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

function md(
  name: string,
  arg: DataType,
  returns: DataType,
  semanticType: SemanticType,
  doc: string,
  sql: Emit,
): ScalarFunction {
  return {
    kind: 'scalar',
    name,
    doc,
    signatures: [{ args: [arg], returns }],
    semantic: () => semanticType,
    sql,
  };
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

/** The px metadata functions, named as in Pixie. */
export const METADATA_FUNCTIONS: readonly ScalarFunction[] = [
  md('upid_to_pod_id', 'UINT128', 'STRING', 'ST_NONE', 'The pod UID of a process.', (a, ctx) =>
    text(process(ctx, a[0]!.sql), 'pod_uid'),
  ),
  md(
    'upid_to_pod_name',
    'UINT128',
    'STRING',
    'ST_POD_NAME',
    'The pod of a process.',
    upidPod('name'),
  ),
  md(
    'upid_to_namespace',
    'UINT128',
    'STRING',
    'ST_NAMESPACE_NAME',
    'The namespace of a process.',
    upidPod('namespace'),
  ),
  md(
    'upid_to_node_name',
    'UINT128',
    'STRING',
    'ST_NODE_NAME',
    'The node of a process.',
    upidPod('node'),
  ),
  md(
    'upid_to_deployment_name',
    'UINT128',
    'STRING',
    'ST_DEPLOYMENT_NAME',
    'The deployment of a process.',
    upidPod('deployment'),
  ),
  md(
    'upid_to_replicaset_name',
    'UINT128',
    'STRING',
    'ST_NONE',
    'The replica set of a process.',
    upidPod('replicaset'),
  ),
  md(
    'upid_to_pod_status',
    'UINT128',
    'STRING',
    'ST_POD_STATUS',
    "The status of a process's pod, as JSON.",
    (a, ctx) => podStatus(podOfProcess(ctx, a[0]!.sql)),
  ),
  md(
    'upid_to_cmdline',
    'UINT128',
    'STRING',
    'ST_NONE',
    'The command line of a process.',
    (a, ctx) => text(process(ctx, a[0]!.sql), 'cmdline'),
  ),
  md('upid_to_hostname', 'UINT128', 'STRING', 'ST_NONE', 'The host a process runs on.', (a, ctx) =>
    CTX_KEYS.hostname!.sql(a[0]!.sql, ctx),
  ),
  md(
    'upid_to_container_id',
    'UINT128',
    'STRING',
    'ST_NONE',
    'The container id of a process.',
    (a, ctx) => text(process(ctx, a[0]!.sql), 'container_id'),
  ),
  md(
    'upid_to_container_name',
    'UINT128',
    'STRING',
    'ST_CONTAINER_NAME',
    'The container of a process.',
    (a, ctx) => text(containerOfProcess(ctx, a[0]!.sql), 'name'),
  ),
  md(
    'upid_to_service_name',
    'UINT128',
    'STRING',
    'ST_SERVICE_NAME',
    'The service(s) of a process: a name, or a JSON array of names.',
    (a, ctx) => text(servicesOfProcess(ctx, a[0]!.sql), 'names'),
  ),
  md(
    'upid_to_service_id',
    'UINT128',
    'STRING',
    'ST_NONE',
    'The service UID(s) of a process.',
    (a, ctx) => text(servicesOfProcess(ctx, a[0]!.sql), 'uids'),
  ),
  md(
    'ip_to_pod_id',
    'STRING',
    'STRING',
    'ST_NONE',
    "The UID of the pod that held an IP at the row's time.",
    byKey('pod_by_ip', 'uid'),
  ),
  md(
    'ip_to_service_id',
    'STRING',
    'STRING',
    'ST_NONE',
    'The service UID(s) of the pod with an IP, or of the service with that cluster IP.',
    (a, ctx) => {
      const pod = ctx.lookup('pod_by_ip', a[0]!.sql);
      const services = ctx.lookup('pod_services', `${pod}."uid"`);
      const service = ctx.lookup('service_by_ip', a[0]!.sql);
      return `COALESCE(NULLIF(${services}."uids", ''), ${service}."uid", '')`;
    },
  ),
  md(
    'nslookup',
    'STRING',
    'STRING',
    'ST_NONE',
    'The cluster DNS name of an IP (service or pod), or the IP itself.',
    (a, ctx) => {
      const ip = a[0]!.sql;
      const service = ctx.lookup('service_by_ip', ip);
      const pod = ctx.lookup('pod_by_ip', ip);
      return (
        `(CASE WHEN ${service}."uid" IS NOT NULL THEN split_part(${service}."name", '/', 2) || '.' || ${service}."namespace" || '.svc.cluster.local' ` +
        `WHEN ${pod}."uid" IS NOT NULL THEN replace(${ip}, '.', '-') || '.' || ${pod}."namespace" || '.pod.cluster.local' ELSE ${ip} END)`
      );
    },
  ),
  md(
    'pod_id_to_pod_name',
    'STRING',
    'STRING',
    'ST_POD_NAME',
    'The name of a pod.',
    byKey('pod_by_uid', 'name'),
  ),
  md(
    'pod_id_to_namespace',
    'STRING',
    'STRING',
    'ST_NAMESPACE_NAME',
    'The namespace of a pod.',
    byKey('pod_by_uid', 'namespace'),
  ),
  md(
    'pod_id_to_node_name',
    'STRING',
    'STRING',
    'ST_NODE_NAME',
    'The node of a pod.',
    byKey('pod_by_uid', 'node'),
  ),
  md(
    'pod_id_to_deployment_name',
    'STRING',
    'STRING',
    'ST_DEPLOYMENT_NAME',
    'The deployment of a pod.',
    byKey('pod_by_uid', 'deployment'),
  ),
  md(
    'pod_id_to_replicaset_name',
    'STRING',
    'STRING',
    'ST_NONE',
    'The replica set of a pod.',
    byKey('pod_by_uid', 'replicaset'),
  ),
  md(
    'pod_id_to_service_name',
    'STRING',
    'STRING',
    'ST_SERVICE_NAME',
    'The service(s) of a pod: a name, or a JSON array of names.',
    byKey('pod_services', 'names'),
  ),
  md(
    'pod_id_to_service_id',
    'STRING',
    'STRING',
    'ST_NONE',
    'The service UID(s) of a pod.',
    byKey('pod_services', 'uids'),
  ),
  md(
    'pod_id_to_start_time',
    'STRING',
    'TIME64NS',
    'ST_NONE',
    'When a pod started (0 when unknown).',
    byKey('pod_by_uid', 'start_ns', 'time'),
  ),
  md(
    'pod_id_to_stop_time',
    'STRING',
    'TIME64NS',
    'ST_NONE',
    'When a pod stopped (0 while it lives).',
    byKey('pod_by_uid', 'stop_ns', 'time'),
  ),
  md(
    'pod_name_to_pod_id',
    'STRING',
    'STRING',
    'ST_NONE',
    'The UID of a pod (`namespace/name`).',
    byKey('pod_by_name', 'uid'),
  ),
  md(
    'pod_name_to_namespace',
    'STRING',
    'STRING',
    'ST_NAMESPACE_NAME',
    'The namespace part of a pod name.',
    (a) => namespaceOf(a[0]!.sql),
  ),
  md(
    'pod_name_to_service_name',
    'STRING',
    'STRING',
    'ST_SERVICE_NAME',
    'The service(s) of a pod (`namespace/name`).',
    fromPodName('pod_services', 'names'),
  ),
  md(
    'pod_name_to_service_id',
    'STRING',
    'STRING',
    'ST_NONE',
    'The service UID(s) of a pod (`namespace/name`).',
    fromPodName('pod_services', 'uids'),
  ),
  md(
    'pod_name_to_status',
    'STRING',
    'STRING',
    'ST_POD_STATUS',
    'The status of a pod as JSON: phase, message, reason, ready.',
    (a, ctx) => podStatus(ctx.lookup('pod_by_name', a[0]!.sql)),
  ),
  md(
    'pod_name_to_start_time',
    'STRING',
    'TIME64NS',
    'ST_NONE',
    'When a pod started (0 when unknown).',
    byKey('pod_by_name', 'start_ns', 'time'),
  ),
  md(
    'pod_name_to_stop_time',
    'STRING',
    'TIME64NS',
    'ST_NONE',
    'When a pod stopped (0 while it lives).',
    byKey('pod_by_name', 'stop_ns', 'time'),
  ),
  md(
    'pod_name_to_pod_ip',
    'STRING',
    'STRING',
    'ST_IP_ADDRESS',
    'The IP of a pod (`namespace/name`).',
    byKey('pod_by_name', 'ip'),
  ),
  md(
    'pod_name_to_node_name',
    'STRING',
    'STRING',
    'ST_NODE_NAME',
    'The node of a pod (`namespace/name`).',
    byKey('pod_by_name', 'node'),
  ),
  md(
    'pod_name_to_deployment_name',
    'STRING',
    'STRING',
    'ST_DEPLOYMENT_NAME',
    'The deployment of a pod (`namespace/name`).',
    byKey('pod_by_name', 'deployment'),
  ),
  md(
    'pod_name_to_replicaset_name',
    'STRING',
    'STRING',
    'ST_NONE',
    'The replica set of a pod (`namespace/name`).',
    byKey('pod_by_name', 'replicaset'),
  ),
  md(
    'container_id_to_status',
    'STRING',
    'STRING',
    'ST_CONTAINER_STATUS',
    'The status of a container as JSON: state, message, reason.',
    (a, ctx) => {
      const c = ctx.lookup('container_by_id', a[0]!.sql);
      return `CASE WHEN ${c}."id" IS NULL THEN '' ELSE CAST(json_object('state', ${c}."state", 'message', '', 'reason', '') AS VARCHAR) END`;
    },
  ),
  md(
    'container_id_to_start_time',
    'STRING',
    'TIME64NS',
    'ST_NONE',
    'When a container started (0 when unknown).',
    byKey('container_by_id', 'start_ns', 'time'),
  ),
  md(
    'container_id_to_stop_time',
    'STRING',
    'TIME64NS',
    'ST_NONE',
    'When a container stopped (0 while it runs).',
    byKey('container_by_id', 'stop_ns', 'time'),
  ),
  md(
    'container_name_to_container_id',
    'STRING',
    'STRING',
    'ST_NONE',
    'The id of a container by its name.',
    byKey('container_by_name', 'id'),
  ),
  md(
    'service_id_to_service_name',
    'STRING',
    'STRING',
    'ST_SERVICE_NAME',
    'The name of a service.',
    byKey('service_by_uid', 'name'),
  ),
  md(
    'service_id_to_cluster_ip',
    'STRING',
    'STRING',
    'ST_IP_ADDRESS',
    'The cluster IP of a service.',
    byKey('service_by_uid', 'cluster_ip'),
  ),
  md(
    'service_name_to_service_id',
    'STRING',
    'STRING',
    'ST_NONE',
    'The UID of a service (`namespace/name`).',
    byKey('service_by_name', 'uid'),
  ),
  md(
    'service_name_to_namespace',
    'STRING',
    'STRING',
    'ST_NAMESPACE_NAME',
    'The namespace part of a service name.',
    (a) => namespaceOf(a[0]!.sql),
  ),
  md(
    'namespace_name_to_namespace_id',
    'STRING',
    'STRING',
    'ST_NONE',
    'The UID of a namespace.',
    byKey('namespace_by_name', 'uid'),
  ),
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
