import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerEntry } from './compile-pool';

/** The paths of every module a worker thread loads for `entry`, started as the pool starts one. */
async function modulesLoadedBy(entry: string): Promise<string[]> {
  const worker = new Worker(join(__dirname, '../../../../test/support/loaded-modules.ts'), {
    execArgv: workerEntry().execArgv,
    workerData: entry,
  });
  try {
    return await new Promise<string[]>((resolve, reject) => {
      // The compile worker posts its own 'ready' first; the probe's answer is the list.
      worker.on('message', (m: unknown) => {
        if (typeof m === 'object' && m !== null && 'loaded' in m) resolve(m.loaded as string[]);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the worker exited with code ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}

describe('the compile worker', () => {
  it('loads the compiler and neither the DuckDB binding, the store nor a TypeScript compiler', async () => {
    const loaded = (await modulesLoadedBy(workerEntry().filename)).map((p) =>
      p.split('\\').join('/'),
    );
    // The probe saw the worker's graph: the entry and the compiler are in it.
    expect(loaded).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/pxl\/worker\/compile-worker\.ts$/),
        expect.stringMatching(/\/pxl\/prepare\.ts$/),
        expect.stringMatching(/\/pxl\/compile\/compile\.ts$/),
      ]),
    );
    expect(
      loaded.filter((p) =>
        /\/node_modules\/(@duckdb\/|typescript\/|ts-node\/)|\/gateway\/src\/store\/table-store\.ts$/.test(
          p,
        ),
      ),
    ).toEqual([]);
  });
});
