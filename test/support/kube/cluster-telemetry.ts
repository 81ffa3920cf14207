import { TableStore } from '../../../gateway/src/store/table-store';
import { postJson } from '../gateway';
import { insertMetadata, upidOf } from '../metadata';
import { KubeObject } from './fake-api-server';
import { containerHash } from './fake-cluster';

/** A process in one of the fake cluster's pods, as an agent would report it. */
export interface PodProcess {
  upid: string;
  pod: string;
  podUid: string;
  ip: string;
  containerId: string;
  container: string;
  cmdline: string;
  hostname: string;
}

const ASID = 7;

/**
 * The main process of each pod, with the container id the agent derives from its cgroup (the
 * runtime id, no `containerd://`). `pidBase` keeps UPIDs distinct across calls.
 */
export function podProcesses(pods: readonly KubeObject[], pidBase = 4000): PodProcess[] {
  return pods.map((p, i) => {
    const spec = p.spec as { containers: { name: string }[]; nodeName: string };
    const status = p.status as { podIP: string };
    const container = spec.containers[0]!.name;
    const pid = pidBase + i;
    return {
      upid: `${ASID}:${pid}:${pid * 100}`,
      pod: `${p.metadata.namespace}/${p.metadata.name}`,
      podUid: p.metadata.uid!,
      ip: status.podIP,
      containerId: containerHash(p.metadata.name, container),
      container,
      cmdline: `/app/${container} --port 8080`,
      hostname: `${spec.nodeName}.eu-west-1.compute.internal`,
    };
  });
}

/**
 * Records processes in `_md_processes`, standing in for the agents' reports (which reach the
 * same table through the agent's API once it has landed).
 */
export async function reportProcesses(
  store: TableStore,
  procs: readonly PodProcess[],
  startNs = 0n,
): Promise<void> {
  await insertMetadata(
    store,
    'processes',
    procs.map((p) => {
      const [asid, pid, ticks] = p.upid.split(':').map(Number) as [number, number, number];
      return {
        upid: upidOf(asid, pid, ticks).value,
        asid,
        pid,
        start_ticks: ticks,
        cmdline: p.cmdline,
        hostname: p.hostname,
        container_id: p.containerId,
        pod_uid: p.podUid,
        start_ns: startNs,
      };
    }),
  );
}

/**
 * One HTTP request as the agent traced it in process `at`, talking to `remote` (an IP): by
 * default `at` is the client (trace_role 1); with `server`, `at` served a request from `remote`.
 */
export function httpRequest(
  at: PodProcess,
  remote: string,
  timeNs: bigint,
  opts: { status?: number; latencyNs?: number; path?: string; server?: boolean } = {},
): Record<string, unknown> {
  return {
    time_: String(timeNs),
    upid: at.upid,
    remote_addr: remote,
    remote_port: opts.server ? 40000 : 8080,
    local_addr: at.ip,
    local_port: opts.server ? 8080 : 40000,
    trace_role: opts.server ? 2 : 1,
    major_version: 1,
    minor_version: 1,
    content_type: 1,
    req_method: 'GET',
    req_path: opts.path ?? '/api/items',
    resp_status: opts.status ?? 200,
    latency: opts.latencyNs ?? 2_000_000,
  };
}

/** Runs a PxL script through `POST /v1/query`; returns each table as row objects. */
export async function query(url: string, script: string): Promise<Record<string, any[]>> {
  const res = await postJson(`${url}/v1/query`, { script });
  if (res.status !== 200) throw new Error(`query failed: ${JSON.stringify(res.body)}`);
  const out: Record<string, any[]> = {};
  for (const t of res.body.tables as {
    name: string;
    columns: { name: string }[];
    rows: unknown[][];
  }[]) {
    out[t.name] = t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]])));
  }
  return out;
}
