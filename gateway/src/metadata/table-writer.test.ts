import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { MetadataRows } from './metadata-rows';
import { metadataDdl } from './tables';
import { MetadataTableWriter } from './table-writer';

describe('MetadataTableWriter', () => {
  let instance: DuckDBInstance;
  let reader: DuckDBConnection;
  let writer: MetadataTableWriter;
  let rows: MetadataRows;

  beforeEach(async () => {
    instance = await DuckDBInstance.create(':memory:');
    reader = await instance.connect();
    for (const ddl of metadataDdl()) await reader.run(ddl);
    writer = await MetadataTableWriter.create(await instance.connect());
    rows = new MetadataRows();
  });

  afterEach(() => {
    writer.close();
    reader.closeSync();
    instance.closeSync();
  });

  const read = async (sql: string) => (await reader.runAndReadAll(sql)).getRowObjectsJS();
  const pod = (uid: string, phase: string, stop: bigint | null = null) => ({
    uid,
    name: `shop/${uid}`,
    namespace: 'shop',
    node: 'n1',
    hostname: 'n1',
    ip: `10.0.0.${uid.length}`,
    phase,
    start_ns: 1n,
    stop_ns: stop,
    replicaset: '',
    deployment: '',
  });

  it('inserts, replaces by key and deletes, touching only the rows that changed', async () => {
    rows.put('pods', pod('a', 'Pending'), true);
    rows.put('pods', pod('bb', 'Running'), true);
    await writer.write(rows.takeChanges());
    rows.put('pods', pod('a', 'Running'), true);
    rows.put('pods', pod('bb', 'Running'), true); // unchanged: not written again
    const changes = rows.takeChanges();
    expect(changes.get('pods')!.upserts).toHaveLength(1);
    await writer.write(changes);
    expect(await read('SELECT uid, phase, stop_ns FROM _md_pods ORDER BY uid')).toEqual([
      { uid: 'a', phase: 'Running', stop_ns: null },
      { uid: 'bb', phase: 'Running', stop_ns: null },
    ]);
    rows.put('pods', pod('a', 'Running', 5n), false);
    rows.purge(10n, 100);
    await writer.write(rows.takeChanges());
    expect(await read('SELECT uid FROM _md_pods')).toEqual([{ uid: 'bb' }]);
  });

  it('keys versioned rows by their start, so a membership that comes back is a new row', async () => {
    const m = { pod_uid: 'p', service_uid: 's' };
    rows.put('podServices', { ...m, start_ns: 1n, stop_ns: 5n }, false);
    rows.put('podServices', { ...m, start_ns: 7n, stop_ns: null }, true);
    await writer.write(rows.takeChanges());
    expect(await read('SELECT start_ns, stop_ns FROM _md_pod_services ORDER BY start_ns')).toEqual([
      { start_ns: 1n, stop_ns: 5n },
      { start_ns: 7n, stop_ns: null },
    ]);
  });

  it('applies nothing of a batch that fails, and the rows can write it again', async () => {
    rows.put('pods', pod('a', 'Running'), true);
    await writer.write(rows.takeChanges());
    rows.put('pods', pod('a', 'Failed'), true);
    rows.put(
      'services',
      {
        uid: 's1',
        name: 'shop/s1',
        namespace: 'shop',
        cluster_ip: '',
        start_ns: 1n,
        stop_ns: null,
      },
      true,
    );
    const changes = rows.takeChanges();
    // A table the batch writes to disappears: the batch fails part-way through.
    await reader.run('DROP TABLE _md_services');
    await expect(writer.write(changes)).rejects.toThrow();
    expect(await read('SELECT phase FROM _md_pods')).toEqual([{ phase: 'Running' }]);
    rows.restore(changes);
    await reader.run(metadataDdl().find((d) => d.includes('"_md_services"'))!);
    await writer.write(rows.takeChanges());
    expect(await read('SELECT phase FROM _md_pods')).toEqual([{ phase: 'Failed' }]);
    expect(await read('SELECT uid FROM _md_services')).toEqual([{ uid: 's1' }]);
  });
});

describe('MetadataRows.purge', () => {
  it('drops the oldest stopped rows of deleted objects beyond the bound, whatever their age', () => {
    const rows = new MetadataRows();
    for (let i = 1; i <= 5; i++) {
      rows.put(
        'namespaces',
        { uid: `n${i}`, name: `n${i}`, start_ns: 0n, stop_ns: BigInt(i) },
        false,
      );
    }
    rows.put('namespaces', { uid: 'live', name: 'live', start_ns: 0n, stop_ns: null }, true);
    expect(rows.purge(0n, 2).get('namespaces')).toBe(3);
    expect(rows.counts().namespaces).toEqual({ rows: 3, unpinned: 2 });
    expect(rows.get('namespaces', { uid: 'n3' })).toBeUndefined();
    expect(rows.get('namespaces', { uid: 'n4' })).toBeDefined();
  });
});
