import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturingLogger } from '../../../test/support/gateway';
import { selectRows } from '../../../test/support/metadata';
import { waitFor } from '../../../test/support/wait';
import { httpRows } from '../../../test/support/rows';
import { silentLogger } from '../../../shared/common/logger';
import { decodeArrowStream } from '../ingest/arrow';
import { decodeJsonRows } from '../ingest/json';
import { testStoreOptions } from '../../../test/support/store';
import { StoreOptions, TableStore } from './table-store';

function options(dataDir: string, over: Partial<StoreOptions> = {}): StoreOptions {
  return testStoreOptions({ dataDir, fsync: 'never', ...over });
}

const SNAPSHOT = 'SELECT * EXCLUDE (upid), upid::VARCHAR FROM http_events ORDER BY _seq';

describe('a TableStore with a data directory', () => {
  let dir: string;
  let store: TableStore | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pxgate-data-'))));
  afterEach(async () => {
    await store?.shutdown();
    store = undefined;
  });

  async function reopen(
    over: Partial<StoreOptions> = {},
    log = silentLogger(),
  ): Promise<TableStore> {
    await store?.shutdown();
    store = await TableStore.create(options(dir, over), log);
    return store;
  }

  it.each(['never', 'interval', 'always'] as const)(
    'reads every row back after a restart, with the same values and sequence numbers (fsync %s)',
    async (fsync) => {
      const s = await reopen({ fsync });
      const schema = s.registry.get('http_events');
      await s.append('http_events', [decodeJsonRows(schema, httpRows(700, { seed: 3 }))]);
      await s.append('http_events', [
        decodeJsonRows(schema, httpRows(900, { seed: 4 })),
        decodeJsonRows(schema, httpRows(600, { seed: 5 })),
      ]);
      await s.append('conn_stats', [
        decodeJsonRows(s.registry.get('conn_stats'), [{ conn_open: 7 }]),
      ]);
      const before = await selectRows(s, SNAPSHOT);
      const stats = s.stats().find((t) => t.schema.name === 'http_events')!;
      expect(stats.segments).toBe(3);

      const again = await reopen({ fsync });
      expect(await selectRows(again, SNAPSHOT)).toEqual(before);
      expect(await selectRows(again, 'SELECT conn_open, _seq FROM conn_stats')).toEqual([
        { conn_open: 7n, _seq: 2201n },
      ]);
      const after = again.stats().find((t) => t.schema.name === 'http_events')!;
      expect(after).toMatchObject({
        rows: 2200,
        bytes: stats.bytes,
        segments: 3,
        firstSeq: 1,
        lastSeq: 2200,
      });
      // New rows continue the sequence.
      const next = await again.append('conn_stats', [
        decodeJsonRows(again.registry.get('conn_stats'), [{ conn_open: 8 }]),
      ]);
      expect(next.firstSeq).toBe(2202);
    },
  );

  it('reads Arrow batches back as they were stored', async () => {
    const { tableToIPC, tableFromArrays } = await import('apache-arrow');
    const s = await reopen();
    await s.declare({
      name: 'kinds',
      columns: [
        { name: 'n', type: 'INT64' },
        { name: 's', type: 'STRING' },
        { name: 'b', type: 'BOOLEAN' },
        { name: 'f', type: 'FLOAT64' },
      ],
    });
    const ipc = tableToIPC(
      tableFromArrays({
        n: BigInt64Array.from([1n, -2n, 3n]),
        s: ['a', 'ü'.repeat(9), 'a string longer than twelve bytes'],
        b: [true, false, true],
        f: Float64Array.from([0.5, -1, 2.25]),
      }),
      'stream',
    );
    await s.append('kinds', decodeArrowStream(s.registry.get('kinds'), Buffer.from(ipc)));
    const before = await selectRows(s, 'SELECT * FROM kinds ORDER BY _seq');
    const again = await reopen();
    expect(again.registry.get('kinds').columns.map((c) => c.name)).toEqual(['n', 's', 'b', 'f']);
    expect(await selectRows(again, 'SELECT * FROM kinds ORDER BY _seq')).toEqual(before);
  });

  it('deletes the log file of each evicted segment and keeps numbering after them', async () => {
    const s = await reopen({ limitMb: 1, tables: { http_events: { limitMb: 0.5 } } });
    const schema = s.registry.get('http_events');
    for (let i = 0; i < 12; i++) {
      await s.append('http_events', [decodeJsonRows(schema, httpRows(400, { seed: i }))]);
    }
    const stats = s.stats().find((t) => t.schema.name === 'http_events')!;
    expect(stats.evictedRows).toBeGreaterThan(0);
    const files = readdirSync(join(dir, 'wal', 'http_events'));
    expect(files).toHaveLength(stats.segments);
    const lastSeq = s.lastSeq();
    const again = await reopen({ limitMb: 1, tables: { http_events: { limitMb: 0.5 } } });
    expect(again.stats().find((t) => t.schema.name === 'http_events')).toMatchObject({
      rows: stats.rows,
      firstSeq: stats.firstSeq,
      lastSeq,
    });
    expect(again.lastSeq()).toBe(lastSeq);
  });

  it('never hands out a sequence number twice, even when every segment was evicted', async () => {
    const s = await reopen({ tables: { conn_stats: { retention: 1 } } });
    const schema = s.registry.get('conn_stats');
    await s.append('conn_stats', [
      decodeJsonRows(schema, [{ time_: 1_000_000_000_000_000_000n.toString() }]),
    ]);
    const first = s.lastSeq();
    // Retention evicts the old row (and its file) at the next maintenance tick.
    await waitFor(
      () => readdirSync(join(dir, 'wal', 'conn_stats')),
      (files) => files.length === 0,
      { timeoutMs: 5000, what: 'the evicted segment file deleted' },
    );
    expect(s.stats().find((t) => t.schema.name === 'conn_stats')!.rows).toBe(0);
    const again = await reopen();
    expect(again.lastSeq()).toBe(first);
  });

  it('drops a torn last record with a log line, and keeps every record before it', async () => {
    const s = await reopen();
    const schema = s.registry.get('http_events');
    await s.append('http_events', [decodeJsonRows(schema, httpRows(100, { seed: 1 }))]);
    await s.append('http_events', [decodeJsonRows(schema, httpRows(50, { seed: 2 }))]);
    await store!.shutdown();
    store = undefined;
    const file = join(dir, 'wal', 'http_events', readdirSync(join(dir, 'wal', 'http_events'))[0]!);
    const size = statSync(file).size;
    // A crash in the middle of writing the second record: its tail never reached the file.
    truncateSync(file, size - 100);
    const { log, lines } = capturingLogger();
    const again = await reopen({}, log);
    expect(again.stats().find((t) => t.schema.name === 'http_events')!.rows).toBe(100);
    expect(lines.find((l) => String(l.msg).includes('torn last record'))).toMatchObject({
      level: 40,
      table: 'http_events',
    });
    // The file was cut at the end of the last whole record: appends continue cleanly.
    await again.append('http_events', [decodeJsonRows(schema, httpRows(10, { seed: 3 }))]);
    const third = await reopen();
    expect(third.stats().find((t) => t.schema.name === 'http_events')!.rows).toBe(110);
  });

  it('stops at a damaged record in the middle of a file and says how many bytes it lost', async () => {
    const s = await reopen();
    const schema = s.registry.get('http_events');
    for (let i = 0; i < 3; i++) {
      await s.append('http_events', [decodeJsonRows(schema, httpRows(20, { seed: i }))]);
    }
    await store!.shutdown();
    store = undefined;
    const file = join(dir, 'wal', 'http_events', readdirSync(join(dir, 'wal', 'http_events'))[0]!);
    const bytes = readFileSync(file);
    const second = bytes.readUInt32LE(4) + 12;
    bytes[second + 40] ^= 0xff; // one flipped byte inside the second record
    writeFileSync(file, bytes);
    const { log, lines } = capturingLogger();
    const again = await reopen({}, log);
    expect(again.stats().find((t) => t.schema.name === 'http_events')!.rows).toBe(20);
    expect(lines.find((l) => String(l.msg).includes('damaged'))).toMatchObject({
      level: 50,
      atByte: second,
      bytesDropped: bytes.length - second,
    });
  });

  it('refuses a directory another live gateway holds, and one that is not a data directory', async () => {
    await reopen();
    await expect(TableStore.create(options(dir), silentLogger())).rejects.toThrow(
      /in use by process \d+/,
    );
    // The root of a fresh ext4 volume holds only lost+found: it is taken as empty.
    const volume = mkdtempSync(join(tmpdir(), 'pxgate-volume-'));
    mkdirSync(join(volume, 'lost+found'));
    const fresh = await TableStore.create(options(volume), silentLogger());
    await fresh.shutdown();
    const other = mkdtempSync(join(tmpdir(), 'pxgate-notdata-'));
    appendFileSync(join(other, 'notes.txt'), 'mine');
    await expect(TableStore.create(options(other), silentLogger())).rejects.toThrow(
      /holds files but is not a pxgate data directory/,
    );
  });

  it('takes over the lock of a process that is gone', async () => {
    await reopen();
    await store!.shutdown();
    store = undefined;
    // What a SIGKILLed gateway leaves: its LOCK file, naming a pid that no longer runs.
    writeFileSync(join(dir, 'LOCK'), `2147483646 ${require('node:os').hostname()}\n`);
    await expect(reopen()).resolves.toBeDefined();
  });

  it('stores a batch sent again under the same id once, also after a restart', async () => {
    const s = await reopen();
    const schema = s.registry.get('http_events');
    const rows = () => [decodeJsonRows(schema, httpRows(30, { seed: 9 }))];
    const first = await s.append('http_events', rows(), 'agent-1:batch-1');
    expect(await s.append('http_events', rows(), 'agent-1:batch-1')).toEqual(first);
    await expect(s.append('conn_stats', [], 'agent-1:batch-1')).resolves.toMatchObject({ rows: 0 });
    const again = await reopen();
    // The answer lost to the crash: the agent sends the batch again to the restarted gateway.
    expect(await again.append('http_events', rows(), 'agent-1:batch-1')).toEqual(first);
    expect(again.stats().find((t) => t.schema.name === 'http_events')!.rows).toBe(30);
    const other = await again.append('http_events', rows(), 'agent-1:batch-2');
    expect(other.firstSeq).toBe(first.lastSeq + 1);
    await expect(
      again.append(
        'conn_stats',
        [decodeJsonRows(again.registry.get('conn_stats'), [{}])],
        'agent-1:batch-2',
      ),
    ).rejects.toThrow(/already used for table "http_events"/);
  });
});
