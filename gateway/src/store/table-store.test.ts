import { silentLogger } from '../../../shared/common/logger';
import { decodeJsonRows } from '../ingest/json';
import { testStoreOptions as options } from '../../../test/support/store';
import { TableStore } from './table-store';

const MIB = 1024 * 1024;

async function rowsOf(store: TableStore, sql: string): Promise<unknown[][]> {
  const conn = await store.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRows();
  } finally {
    conn.closeSync();
  }
}

describe('TableStore', () => {
  let store: TableStore;
  afterEach(() => store?.shutdown());

  it('bounds DuckDB by default at twice the store budget plus 256 MiB, without spilling to disk or checkpointing', async () => {
    const settings = `SELECT current_setting('memory_limit'), current_setting('temp_directory'),
      current_setting('allocator_background_threads'), current_setting('checkpoint_threshold')`;
    store = await TableStore.create(options({ limitMb: 64 }), silentLogger());
    expect(await rowsOf(store, settings)).toEqual([['384.0 MiB', '', true, '909.4 TiB']]);
    await store.shutdown();
    store = await TableStore.create(options({ duckdbMemoryLimitMb: 1000 }), silentLogger());
    expect((await rowsOf(store, settings))[0]![0]).toBe('1000.0 MiB');
  });

  it('deletes rows by ingest sequence ranges across segments, and counts what is left', async () => {
    store = await TableStore.create(options({ segmentRows: 1024 }), silentLogger());
    const schema = store.registry.get('http_events');
    const batch = (n: number, from: number) =>
      decodeJsonRows(
        schema,
        Array.from({ length: n }, (_, i) => ({ time_: 1, req_path: `/${from + i}` })),
      );
    await store.append('http_events', [batch(1500, 0)]);
    await store.append('http_events', [batch(500, 1500)]);
    const deleted = await store.deleteRows('http_events', [
      [1, 10],
      [1000, 1600],
      [5000, 6000],
    ]);
    expect(deleted).toBe(10 + 601);
    expect(await rowsOf(store, 'SELECT count(*), min(_seq) FROM http_events')).toEqual([
      [BigInt(2000 - 611), 11n],
    ]);
    const stats = store.stats().find((t) => t.schema.name === 'http_events')!;
    expect(stats.rows).toBe(2000 - 611);
    expect(await store.deleteRows('no_such_table', [[1, 2]])).toBe(0);
  });

  it('stores every data type exactly, including long, short and non-ASCII strings', async () => {
    store = await TableStore.create(options(), silentLogger());
    await store.declare({
      name: 'kinds',
      columns: [
        { name: 'time_', type: 'TIME64NS' },
        { name: 'id', type: 'UINT128', semanticType: 'ST_UPID' },
        { name: 'n', type: 'INT64' },
        { name: 'f', type: 'FLOAT64' },
        { name: 'b', type: 'BOOLEAN' },
        { name: 's', type: 'STRING' },
      ],
    });
    const schema = store.registry.get('kinds');
    const rows = [
      {
        time_: '1732700000123456789',
        id: '7:4242:123456789',
        n: '-9223372036854775808',
        f: 1.5,
        b: true,
        s: 'GET',
      },
      { time_: 5, id: '18446744073709551615:1', n: 42, f: -0.25, b: false, s: 'ü'.repeat(7) },
      { time_: 6, s: 'a path that is longer than twelve bytes' },
    ];
    await store.append('kinds', [decodeJsonRows(schema, rows)]);
    const got = await rowsOf(
      store,
      'SELECT time_, id::VARCHAR, n, f, b, s, _seq FROM kinds ORDER BY _seq',
    );
    const upid = (7n << 96n) | (4242n << 64n) | 123456789n;
    const big = (18446744073709551615n << 64n) | 1n;
    expect(got).toEqual([
      [1732700000123456789n, upid.toString(), -9223372036854775808n, 1.5, true, 'GET', 1n],
      [5n, big.toString(), 42n, -0.25, false, 'ü'.repeat(7), 2n],
      [6n, '0', 0n, 0, false, 'a path that is longer than twelve bytes', 3n],
    ]);
  });

  it('numbers rows with one increasing ingest sequence across batches and segments', async () => {
    store = await TableStore.create(options(), silentLogger());
    const schema = store.registry.get('conn_stats');
    const batch = (n: number) =>
      decodeJsonRows(
        schema,
        Array.from({ length: n }, (_, i) => ({ conn_open: i })),
      );
    const a = await store.append('conn_stats', [batch(1500)]);
    const b = await store.append('conn_stats', [batch(700), batch(900)]);
    expect(a).toEqual({ rows: 1500, firstSeq: 1, lastSeq: 1500 });
    expect(b).toEqual({ rows: 1600, firstSeq: 1501, lastSeq: 3100 });
    const [[count, min, max, distinct]] = (await rowsOf(
      store,
      'SELECT count(*), min(_seq), max(_seq), count(DISTINCT _seq) FROM conn_stats',
    )) as bigint[][];
    expect([count, min, max, distinct]).toEqual([3100n, 1n, 3100n, 3100n]);
    const stats = store.stats().find((s) => s.schema.name === 'conn_stats')!;
    expect(stats.segments).toBe(4);
    expect(stats.rows).toBe(3100);
  });

  it('drops the oldest segments when a table passes its byte budget, keeping the newest rows', async () => {
    store = await TableStore.create(
      options({ limitMb: 1, tables: { conn_stats: { limitMb: 0.25 } } }),
      silentLogger(),
    );
    const schema = store.registry.get('conn_stats');
    let total = 0;
    for (let i = 0; i < 40; i++) {
      const rows = Array.from({ length: 500 }, (_, j) => ({ conn_open: i * 500 + j }));
      await store.append('conn_stats', [decodeJsonRows(schema, rows)]);
      total += 500;
    }
    const stats = store.stats().find((s) => s.schema.name === 'conn_stats')!;
    expect(stats.budgetBytes).toBe(0.25 * MIB);
    expect(stats.bytes).toBeLessThanOrEqual(stats.budgetBytes);
    expect(stats.rows).toBeLessThan(total);
    expect(stats.evictedRows).toBe(total - stats.rows);
    const [[min, max, count]] = (await rowsOf(
      store,
      'SELECT min(conn_open), max(conn_open), count(*) FROM conn_stats',
    )) as bigint[][];
    expect(max).toBe(BigInt(total - 1));
    expect(count).toBe(BigInt(stats.rows));
    expect(min).toBe(BigInt(total - stats.rows));
  });

  it('counts the evicted rows its readers had not read yet, also within a segment', async () => {
    const unread: number[] = [];
    store = await TableStore.create(
      options({ limitMb: 1, tables: { conn_stats: { limitMb: 0.25 } } }),
      silentLogger(),
      { unreadRowsEvicted: (_table, rows) => unread.push(rows) },
    );
    const schema = store.registry.get('conn_stats');
    // The reader stops in the middle of the second segment (1,024 rows each): the segments
    // wholly before it cost nothing, the one it is in part of its rows, the later ones all.
    let floor: number | undefined;
    store.readsAfter(() => floor);
    for (let i = 0; i < 40; i++) {
      const rows = Array.from({ length: 500 }, (_, j) => ({ conn_open: i * 500 + j }));
      const { firstSeq } = await store.append('conn_stats', [decodeJsonRows(schema, rows)]);
      if (i === 0) floor = firstSeq - 1 + 1500;
    }
    const stats = store.stats().find((s) => s.schema.name === 'conn_stats')!;
    expect(stats.evictedRows).toBeGreaterThan(2048);
    expect(unread.reduce((a, b) => a + b, 0)).toBe(stats.evictedRows - 1500);
  });

  it('counts no unread rows when no reader is registered', async () => {
    const unread: number[] = [];
    store = await TableStore.create(
      options({ limitMb: 1, tables: { conn_stats: { limitMb: 0.25 } } }),
      silentLogger(),
      { unreadRowsEvicted: (_table, rows) => unread.push(rows) },
    );
    const schema = store.registry.get('conn_stats');
    for (let i = 0; i < 40; i++) {
      const rows = Array.from({ length: 500 }, (_, j) => ({ conn_open: i * 500 + j }));
      await store.append('conn_stats', [decodeJsonRows(schema, rows)]);
    }
    expect(store.stats().find((s) => s.schema.name === 'conn_stats')!.evictedRows).toBeGreaterThan(
      0,
    );
    expect(unread).toEqual([]);
  });

  it('drops rows older than the retention of their table', async () => {
    let evicted!: (rows: number) => void;
    const evictedRows = new Promise<number>((resolve) => (evicted = resolve));
    store = await TableStore.create(
      options({ tables: { conn_stats: { retention: 60_000 } } }),
      silentLogger(),
      {
        rowsEvicted: (_table, rows) => evicted(rows),
      },
    );
    const schema = store.registry.get('conn_stats');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    await store.append('conn_stats', [
      decodeJsonRows(schema, [{ time_: String(nowNs - 120_000_000_000n) }]),
    ]);
    expect(await evictedRows).toBe(1);
    expect(await rowsOf(store, 'SELECT count(*) FROM conn_stats')).toEqual([[0n]]);
  });

  it('shares the budget like Pixie: http_events 40%, the rest split evenly, fixed budgets first', async () => {
    store = await TableStore.create(options({ limitMb: 140 }), silentLogger());
    const budgets = Object.fromEntries(
      store.stats().map((s) => [s.schema.name, s.budgetBytes / MIB]),
    );
    expect(budgets).toEqual({
      http_events: 56,
      conn_stats: 12,
      process_stats: 12,
      network_stats: 12,
      dns_events: 12,
      pgsql_events: 12,
      mysql_events: 12,
      redis_events: 12,
    });
    await store.declare({ name: 'custom', columns: [{ name: 'x', type: 'INT64' }] });
    const after = Object.fromEntries(
      store.stats().map((s) => [s.schema.name, s.budgetBytes / MIB]),
    );
    expect(after).toEqual({
      http_events: 56,
      conn_stats: 10.5,
      process_stats: 10.5,
      network_stats: 10.5,
      dns_events: 10.5,
      pgsql_events: 10.5,
      mysql_events: 10.5,
      redis_events: 10.5,
      custom: 10.5,
    });
  });

  it('keeps a declared schema fixed: same columns are accepted again, different ones refused', async () => {
    store = await TableStore.create(options(), silentLogger());
    const decl = { name: 'jobs', columns: [{ name: 'time_', type: 'TIME64NS' }] };
    expect((await store.declare(decl)).created).toBe(true);
    expect((await store.declare(decl)).created).toBe(false);
    await expect(
      store.declare({ name: 'jobs', columns: [{ name: 'x', type: 'INT64' }] }),
    ).rejects.toThrow(
      'table "jobs" already exists with different columns; a schema is fixed until the gateway restarts',
    );
    await expect(
      store.declare({ name: 'http_events', columns: [{ name: 'x', type: 'INT64' }] }),
    ).rejects.toThrow('table "http_events" is built in and cannot be redeclared');
    await expect(store.declare({ name: 'Bad-Name', columns: [] })).rejects.toThrow(
      /table name must match/,
    );
  });

  it('refuses a batch larger than the whole budget of its table', async () => {
    store = await TableStore.create(
      options({ limitMb: 1, tables: { conn_stats: { limitMb: 0.01 } } }),
      silentLogger(),
    );
    const schema = store.registry.get('conn_stats');
    const rows = Array.from({ length: 200 }, () => ({ conn_open: 1 }));
    await expect(store.append('conn_stats', [decodeJsonRows(schema, rows)])).rejects.toMatchObject({
      kind: 'too-large',
    });
    expect(store.stats().find((s) => s.schema.name === 'conn_stats')!.rows).toBe(0);
  });
});
