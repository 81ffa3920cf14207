/**
 * The gateway's work per stored row, without HTTP or the machine's other load in the figure:
 * `node --expose-gc dist/bench/overhead/store-replay.js [DIST...]` makes the agent-overhead
 * benchmark's http_events batches with the agent's own pipeline (replay.ts), then decodes each
 * Arrow body and appends it to a build's table store, and prints CPU microseconds per row (all
 * threads: DuckDB's too), medians of 7 rounds of 120,000 rows, for each build named (default:
 * this one), in turns. Each build's store keeps its rows across rounds, as a gateway does.
 */
import { join } from 'node:path';
import type * as ArrowModule from '../../gateway/src/ingest/arrow';
import type * as StoreModule from '../../gateway/src/store/table-store';
import type * as SchemasModule from '../../shared/contract/schemas';
import { silentLogger } from '../../shared/common/logger';
import { median } from '../_support';
import { agentBatches } from './replay';

const REQUESTS = 60_000;
const ROUNDS = 7;

/** One build's store, and a function that decodes and appends the batches once. */
async function storeOf(dist: string, bodies: readonly Uint8Array[]) {
  const load = <T>(path: string) => require(join(dist, path)) as T;
  const { TableStore } = load<typeof StoreModule>('gateway/src/store/table-store');
  const { decodeArrowStream } = load<typeof ArrowModule>('gateway/src/ingest/arrow');
  const { HTTP_EVENTS } = load<typeof SchemasModule>('shared/contract/schemas');
  const store = await TableStore.create(
    { limitMb: 4096, httpEventsShare: 0.6, segmentRows: 1_000_000, maxCustomTables: 8, tables: {} },
    silentLogger(),
  );
  return {
    store,
    async run(): Promise<number> {
      let rows = 0;
      for (const body of bodies) {
        const parts = decodeArrowStream(HTTP_EVENTS, body, { ingestTimeNs: 1n });
        rows += (await store.append('http_events', parts)).rows;
      }
      return rows;
    },
  };
}

async function main(): Promise<void> {
  const dists = process.argv.length > 2 ? process.argv.slice(2) : [join(__dirname, '..', '..')];
  const bodies = agentBatches(dists[0]!, REQUESTS);
  const stores = await Promise.all(
    dists.map(async (d) => ({ dist: d, s: await storeOf(d, bodies), us: [] as number[] })),
  );
  for (const p of stores) await p.s.run(); // warm-up: JIT
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of stores) {
      (globalThis as { gc?: () => void }).gc?.();
      const cpu = process.cpuUsage();
      const rows = await p.s.run();
      const used = process.cpuUsage(cpu);
      if (rows !== 2 * REQUESTS)
        throw new Error(`${p.dist} stored ${rows} of ${2 * REQUESTS} rows`);
      p.us.push((used.user + used.system) / rows);
    }
  }
  for (const p of stores) {
    await p.s.store.shutdown();
    const shown = p.us.map((u) => u.toFixed(2)).join(' ');
    console.log(`${p.dist}: ${median(p.us).toFixed(2)} us/row (rounds: ${shown})`);
  }
}

void main();
