import { parentPort, workerData } from 'node:worker_threads';

/**
 * A worker thread's entry for tests: requires the module whose path is its `workerData`, then
 * posts `{ loaded }`, the path of every module the thread has loaded, so that a test can say
 * what a module's graph pulls in (a compile worker must not load DuckDB).
 */
require(workerData as string);
parentPort!.postMessage({ loaded: Object.keys(require.cache) });
