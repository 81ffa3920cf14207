import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../shared/common/logger';
import { TableStore } from '../store/table-store';
import { selectRows } from '../../../test/support/metadata';
import { MetadataOptions, MetadataService } from './metadata-service';

const OPTIONS: MetadataOptions = {
  kubernetes: 'off',
  resyncMs: 0,
  flushIntervalMs: 1000,
  retainDeletedMs: 3_600_000,
  maxDeletedRows: 100,
};

function rawPod(name: string) {
  return {
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      creationTimestamp: '2024-05-01T08:00:00Z',
    },
    spec: { nodeName: 'node-a' },
    status: { phase: 'Running', podIP: `10.0.0.${name.length}` },
  };
}

describe('MetadataService', () => {
  let store: TableStore;

  beforeEach(async () => {
    store = await TableStore.create(
      { limitMb: 64, httpEventsShare: 0.4, segmentRows: 1024, maxCustomTables: 0, tables: {} },
      silentLogger(),
    );
  });
  afterEach(() => store.shutdown());

  const pods = async () =>
    (await selectRows(store, 'SELECT name, stop_ns FROM _md_pods ORDER BY name')).map((p) => [
      p.name,
      p.stop_ns === null ? 'live' : 'stopped',
    ]);

  it('is safe to shut down before start and twice, and starts once', async () => {
    const idle = new MetadataService(OPTIONS, store, new Registry(), silentLogger());
    await idle.shutdown();
    await idle.shutdown();
    await expect(idle.start()).rejects.toThrow('the metadata service is shut down');
    const svc = new MetadataService(OPTIONS, store, new Registry(), silentLogger());
    await Promise.all([svc.start(), svc.start()]);
    await svc.shutdown();
    await svc.shutdown();
  });

  it('on resync, stops what the informer cache no longer holds and repairs what it does', async () => {
    const svc = new MetadataService(OPTIONS, store, new Registry(), silentLogger());
    await svc.start();
    try {
      svc.apply('Pod', rawPod('web-1'));
      svc.apply('Pod', rawPod('web-22'));
      await svc.flush();
      expect(await pods()).toEqual([
        ['shop/web-1', 'live'],
        ['shop/web-22', 'live'],
      ]);
      // The cache holds web-1 and a pod whose event never arrived; web-22's delete was missed.
      svc.reconcile('Pod', [rawPod('web-1'), rawPod('web-333')]);
      await svc.flush();
      expect(await pods()).toEqual([
        ['shop/web-1', 'live'],
        ['shop/web-22', 'stopped'],
        ['shop/web-333', 'live'],
      ]);
    } finally {
      await svc.shutdown();
    }
  });

  it('skips objects it cannot use and keeps going', async () => {
    const svc = new MetadataService(OPTIONS, store, new Registry(), silentLogger());
    await svc.start();
    try {
      svc.apply('Pod', { metadata: { name: 'no-uid' } });
      svc.apply('Pod', 'not an object');
      svc.apply('Pod', rawPod('web-1'));
      await svc.flush();
      expect(await pods()).toEqual([['shop/web-1', 'live']]);
    } finally {
      await svc.shutdown();
    }
  });

  it('with a data directory, brings back deleted objects after a restart, and stops those that went away meanwhile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pxgate-md-'));
    const staticFile = join(dir, 'static.yaml');
    const storeOptions = {
      limitMb: 64,
      httpEventsShare: 0.4,
      segmentRows: 1024,
      maxCustomTables: 0,
      tables: {},
      dataDir: join(dir, 'data'),
    };
    const run = async (pods: string[], fn: (svc: MetadataService) => Promise<void>) => {
      writeFileSync(
        staticFile,
        `pods:\n${pods.map((p) => `  - name: shop/${p}\n    ip: 10.0.0.${p.charCodeAt(0)}\n`).join('')}`,
      );
      const own = await TableStore.create(storeOptions, silentLogger());
      const svc = new MetadataService(
        { ...OPTIONS, staticFile },
        own,
        new Registry(),
        silentLogger(),
      );
      await svc.start();
      try {
        await fn(svc);
        await svc.flush();
        return await selectRows(own, 'SELECT name, stop_ns FROM _md_pods ORDER BY name');
      } finally {
        await svc.shutdown();
        await own.shutdown();
      }
    };
    const before = await run(['a', 'b'], async (svc) => {
      svc.apply('Pod', rawPod('gone'));
      await svc.flush();
      svc.remove('Pod', rawPod('gone'));
    });
    const goneAt = before.find((p) => p.name === 'shop/gone')!.stop_ns;
    expect(typeof goneAt).toBe('bigint');
    const startedAgain = BigInt(Date.now()) * 1_000_000n;
    // While the gateway was down, shop/a went away; shop/b is still there.
    const after = await run(['b'], async () => undefined);
    expect(after.map((p) => p.name)).toEqual(['shop/a', 'shop/b', 'shop/gone']);
    expect(after.find((p) => p.name === 'shop/gone')!.stop_ns).toBe(goneAt);
    expect(after.find((p) => p.name === 'shop/b')!.stop_ns).toBeNull();
    expect(after.find((p) => p.name === 'shop/a')!.stop_ns).toBeGreaterThanOrEqual(startedAgain);
  });
});
