import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectRows } from '../../../test/support/metadata';
import { silentLogger } from '../../../shared/common/logger';
import { validateConfig } from '../../../cli/config/load';
import { TableStore } from '../store/table-store';
import { ProcessMetadataService } from './process-metadata';

const proc = (pid: number, stopNs?: number) => ({
  upid: `0:${pid}:1`,
  pid,
  start_ticks: 1,
  cmdline: 'x',
  hostname: 'h',
  container_id: '',
  pod_uid: '',
  start_ns: 1,
  ...(stopNs === undefined ? {} : { stop_ns: stopNs }),
});

describe('ProcessMetadataService', () => {
  it('forgets the processes that stopped longest ago beyond its bound, never live ones', async () => {
    const store = await TableStore.create(validateConfig({}).store, silentLogger());
    const service = new ProcessMetadataService(store, 3);
    try {
      await service.upsert({ processes: [proc(1), proc(2, 200), proc(3, 100), proc(4)] });
      await service.upsert({ processes: [proc(5)] });
      const conn = await store.connect();
      const pids = (
        await conn.runAndReadAll('SELECT pid::INT AS pid FROM _md_processes ORDER BY pid')
      )
        .getRowObjects()
        .map((r) => r.pid);
      conn.closeSync();
      expect(pids).toEqual([1, 4, 5]);
    } finally {
      await service.shutdown();
      await store.shutdown();
    }
  });

  it('reads what it was told back from the data directory, stopped processes too, and compacts its journal', async () => {
    const config = validateConfig({
      store: { dataDir: mkdtempSync(join(tmpdir(), 'pxgate-md-')) },
    });
    const file = join(config.store.dataDir!, 'metadata', 'processes.log');
    const open = async () => {
      const store = await TableStore.create(config.store, silentLogger());
      const service = new ProcessMetadataService(store, 100, 2000);
      await service.restore(silentLogger());
      return {
        store,
        service,
        close: async () => (await service.shutdown(), await store.shutdown()),
      };
    };
    const first = await open();
    await first.service.upsert({ processes: [proc(1), proc(2)] });
    await first.service.upsert({ processes: [proc(2, 500)] });
    await first.close();
    const second = await open();
    const read = (store: TableStore) =>
      selectRows(store, 'SELECT pid::INT AS pid, cmdline, stop_ns FROM _md_processes ORDER BY pid');
    expect(await read(second.store)).toEqual([
      { pid: 1, cmdline: 'x', stop_ns: null },
      { pid: 2, cmdline: 'x', stop_ns: 500n },
    ]);
    // Reports of the same processes again and again: the journal is rewritten, not grown.
    for (let i = 0; i < 40; i++) await second.service.upsert({ processes: [proc(1), proc(3)] });
    expect(statSync(file).size).toBeLessThan(4 * 2000);
    await second.close();
    const third = await open();
    expect((await read(third.store)).map((r) => r.pid)).toEqual([1, 2, 3]);
    await third.close();
  });
});
