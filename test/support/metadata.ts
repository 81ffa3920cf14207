import { METADATA_TABLES } from '../../gateway/src/metadata/tables';
import { TableStore } from '../../gateway/src/store/table-store';

/** A row read back from the store, by column name. */
export type StoredRow = Record<string, any>;

/**
 * Runs one query on its own connection and returns its rows, closing the connection whatever
 * happens. Values are JS values (bigint, null), or with `json` their JSON forms (strings).
 */
export async function selectRows(
  store: TableStore,
  sql: string,
  { json = false } = {},
): Promise<StoredRow[]> {
  const conn = await store.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return json ? reader.getRowObjectsJson() : reader.getRowObjectsJS();
  } finally {
    conn.closeSync();
  }
}

/** The `df.ctx[...]` keys Pixie has, as the Kubernetes issue lists them (tests check each). */
export const PIXIE_CTX_KEYS = [
  'pod',
  'pod_name',
  'pod_id',
  'service',
  'service_name',
  'service_id',
  'namespace',
  'node',
  'node_name',
  'hostname',
  'container',
  'container_name',
  'container_id',
  'deployment',
  'deployment_name',
  'replicaset',
  'cmdline',
  'pid',
  'asid',
] as const;

export type MetadataRow = Record<string, string | number | bigint | null>;

/**
 * Inserts rows into a metadata table (`_md_pods`, ...), columns by name, as the Kubernetes
 * informers and the static metadata file would; absent columns are NULL.
 */
export async function insertMetadata(
  store: TableStore,
  key: keyof typeof METADATA_TABLES,
  rows: readonly MetadataRow[],
): Promise<void> {
  const def = METADATA_TABLES[key];
  const columns = def.columns as Record<string, string>;
  const names = Object.keys(columns);
  const marks = names.map((n, i) =>
    columns[n] === 'UHUGEINT' ? `CAST($${i + 1} AS UHUGEINT)` : `$${i + 1}`,
  );
  const sql = `INSERT INTO "${def.name}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${marks.join(', ')})`;
  const conn = await store.connect();
  try {
    for (const row of rows) {
      const values = names.map((n) => {
        const v = row[n] ?? null;
        return typeof v === 'bigint' && v > 2n ** 63n - 1n ? v.toString() : v;
      });
      await conn.run(sql, values as never);
    }
  } finally {
    conn.closeSync();
  }
}

/** A UPID's text form and its 128-bit value (`high = asid << 32 | pid`, `low = start_ticks`). */
export function upidOf(
  asid: number,
  pid: number,
  startTicks: number,
): { text: string; value: bigint } {
  const high = (BigInt(asid) << 32n) | BigInt(pid);
  return { text: `${asid}:${pid}:${startTicks}`, value: (high << 64n) | BigInt(startTicks) };
}
