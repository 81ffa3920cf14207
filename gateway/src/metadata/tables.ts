import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The metadata tables: what the gateway knows about pods, services, nodes, containers and
 * processes, kept in DuckDB next to the telemetry so that PxL's `df.ctx[...]` and metadata
 * functions compile to joins and lookups. Every object carries the interval in which it existed
 * (`start_ns` to `stop_ns`, nanoseconds since the epoch; `stop_ns` is NULL while it lives), so a
 * row resolves by its own time: an IP reused by a new pod maps each row to the pod that held it.
 *
 * Writers: the Kubernetes informers and the static metadata file fill pods, services, nodes,
 * namespaces and containers; agents report processes. Readers: the PxL compiler.
 * Names follow Pixie: pods, services and deployments are `namespace/name`.
 */
export const METADATA_TABLES = {
  pods: {
    name: '_md_pods',
    columns: {
      uid: 'VARCHAR',
      name: 'VARCHAR', // namespace/name
      namespace: 'VARCHAR',
      node: 'VARCHAR',
      hostname: 'VARCHAR',
      ip: 'VARCHAR',
      phase: 'VARCHAR', // Running, Pending, Succeeded, Failed, Unknown
      start_ns: 'BIGINT',
      stop_ns: 'BIGINT',
      replicaset: 'VARCHAR', // namespace/name, or ''
      deployment: 'VARCHAR', // namespace/name, or ''
    },
  },
  containers: {
    name: '_md_containers',
    columns: {
      id: 'VARCHAR', // runtime id without the runtime:// prefix
      name: 'VARCHAR',
      pod_uid: 'VARCHAR',
      state: 'VARCHAR', // Running, Waiting, Terminated, Unknown
      start_ns: 'BIGINT',
      stop_ns: 'BIGINT',
    },
  },
  services: {
    name: '_md_services',
    columns: {
      uid: 'VARCHAR',
      name: 'VARCHAR', // namespace/name
      namespace: 'VARCHAR',
      cluster_ip: 'VARCHAR',
      start_ns: 'BIGINT',
      stop_ns: 'BIGINT',
    },
  },
  podServices: {
    name: '_md_pod_services',
    columns: {
      pod_uid: 'VARCHAR',
      service_uid: 'VARCHAR',
      start_ns: 'BIGINT',
      stop_ns: 'BIGINT',
    },
  },
  nodes: {
    name: '_md_nodes',
    columns: {
      name: 'VARCHAR',
      ip: 'VARCHAR',
      start_ns: 'BIGINT',
      stop_ns: 'BIGINT',
    },
  },
  namespaces: {
    name: '_md_namespaces',
    columns: {
      uid: 'VARCHAR',
      name: 'VARCHAR',
      start_ns: 'BIGINT',
      stop_ns: 'BIGINT',
    },
  },
  processes: {
    name: '_md_processes',
    columns: {
      upid: 'UHUGEINT',
      asid: 'BIGINT',
      pid: 'BIGINT',
      start_ticks: 'BIGINT',
      cmdline: 'VARCHAR',
      hostname: 'VARCHAR',
      container_id: 'VARCHAR',
      pod_uid: 'VARCHAR',
      start_ns: 'BIGINT',
      stop_ns: 'BIGINT',
    },
  },
} as const;

export type MetadataTableKey = keyof typeof METADATA_TABLES;

/**
 * Creates the metadata tables that do not exist yet, through a connection of the store: the
 * store holds them but does not know them (its own tables are the telemetry tables).
 */
export async function createMetadataTables(conn: DuckDBConnection): Promise<void> {
  for (const ddl of metadataDdl()) await conn.run(ddl);
}

/** The DDL that creates every metadata table, empty. */
export function metadataDdl(): string[] {
  return Object.values(METADATA_TABLES).map((t) => {
    const cols = Object.entries(t.columns).map(([name, type]) => `"${name}" ${type}`);
    return `CREATE TABLE IF NOT EXISTS "${t.name}" (${cols.join(', ')})`;
  });
}
