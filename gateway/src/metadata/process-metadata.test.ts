import { silentLogger } from '../common/logger';
import { validateConfig } from '../config/load';
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
});
