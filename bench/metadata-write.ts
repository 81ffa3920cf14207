import { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from '@duckdb/node-api';
import { ClusterState } from '../gateway/src/metadata/cluster-state';
import {
  MetadataRows,
  ROW_KEYS,
  RowChanges,
  WrittenTable,
} from '../gateway/src/metadata/metadata-rows';
import { ContainerInfo, PodObject, ServiceObject } from '../gateway/src/metadata/objects';
import { METADATA_TABLES, metadataDdl } from '../gateway/src/metadata/tables';
import { MetadataTableWriter } from '../gateway/src/metadata/table-writer';
import { quoteIdent } from '../gateway/src/store/sql';
import { fmt, machine, median } from './_support';

const PODS = Number(process.env.BENCH_PODS ?? 5_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Events between two writes: what a 100 ms flush interval gathers at 1,000 events/s. */
const BATCH = 100;
const NAME = 'metadata-write';

/**
 * Pod watch events (container restarts: a pod row and two container rows change each time) on a
 * cluster of 5,000 pods, written to the metadata tables. Ours: the gateway's writer, a batch per
 * flush through staging tables (one keyed DELETE and one INSERT per table). Peer: the same
 * changes written as each event arrives, one transaction per event with prepared keyed DELETE and
 * INSERT statements per row: the straightforward way to keep a table in step with a watch.
 */
async function main(): Promise<void> {
  console.log(
    `${NAME}: ${fmt(PODS)} pods, ${fmt(EVENTS)} pod events per round, ${ROUNDS} rounds; ${machine()}`,
  );
  const ours: number[] = [];
  const peer: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    ours.push(await runRound('ours'));
    peer.push(await runRound('peer'));
    console.log(
      `${NAME}: round ${round + 1}: ours ${fmt(ours[round]!)} events/s, peer ${fmt(peer[round]!)} events/s`,
    );
  }
  const o = median(ours);
  const p = median(peer);
  console.log(
    `${NAME}: ours ${fmt(o)} events/s, peer ${fmt(p)} events/s, ratio ${(o / p).toFixed(2)}`,
  );
}

async function runRound(side: 'ours' | 'peer'): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const setup = await instance.connect();
  for (const ddl of metadataDdl()) await setup.run(ddl);
  const rows = new MetadataRows();
  let now = 1_000_000_000_000n;
  const state = new ClusterState(rows, () => now);
  const writer = await MetadataTableWriter.create(await instance.connect());
  for (let s = 0; s < 200; s++) state.apply(service(s));
  const pods = Array.from({ length: PODS }, (_, i) => pod(i, 0));
  for (const p of pods) state.apply(p);
  await writer.write(rows.takeChanges());
  const peerWriter =
    side === 'peer' ? await PerEventWriter.create(await instance.connect()) : undefined;

  const restarts = new Array<number>(PODS).fill(0);
  const started = process.hrtime.bigint();
  for (let e = 0; e < EVENTS; e++) {
    now += 1_000_000n;
    const i = (e * 7919) % PODS;
    state.apply(pod(i, ++restarts[i]!));
    if (peerWriter) await peerWriter.write(rows.takeChanges());
    else if ((e + 1) % BATCH === 0) await writer.write(rows.takeChanges());
  }
  if (!peerWriter) await writer.write(rows.takeChanges());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const check = await setup.runAndReadAll('SELECT count(*) AS n FROM _md_containers');
  const expected = PODS + EVENTS;
  if (Number(check.getRowObjects()[0]!.n) !== expected) {
    throw new Error(
      `${side}: expected ${expected} container rows, found ${check.getRowObjects()[0]!.n}`,
    );
  }
  writer.close();
  peerWriter?.close();
  setup.closeSync();
  instance.closeSync();
  return EVENTS / seconds;
}

/** Writes each event's changes in its own transaction, row by row, with prepared statements. */
class PerEventWriter {
  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly statements: Map<
      WrittenTable,
      { del: DuckDBPreparedStatement; ins: DuckDBPreparedStatement }
    >,
  ) {}

  static async create(conn: DuckDBConnection): Promise<PerEventWriter> {
    const statements = new Map();
    for (const t of Object.keys(ROW_KEYS) as WrittenTable[]) {
      const name = quoteIdent(METADATA_TABLES[t].name);
      const cols = Object.keys(METADATA_TABLES[t].columns);
      const where = ROW_KEYS[t].map((c, i) => `${quoteIdent(c)} = $${i + 1}`).join(' AND ');
      statements.set(t, {
        del: await conn.prepare(`DELETE FROM ${name} WHERE ${where}`),
        ins: await conn.prepare(
          `INSERT INTO ${name} VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        ),
      });
    }
    return new PerEventWriter(conn, statements);
  }

  async write(changes: RowChanges): Promise<void> {
    await this.conn.run('BEGIN TRANSACTION');
    for (const [t, { upserts, deletes }] of changes) {
      const { del, ins } = this.statements.get(t)!;
      for (const row of [...upserts, ...deletes]) {
        del.bind(ROW_KEYS[t].map((c) => row[c] ?? null));
        await del.run();
      }
      for (const row of upserts) {
        ins.bind(Object.keys(METADATA_TABLES[t].columns).map((c) => row[c] ?? null));
        await ins.run();
      }
    }
    await this.conn.run('COMMIT');
  }

  close(): void {
    this.conn.closeSync();
  }
}

function service(s: number): ServiceObject {
  return {
    kind: 'Service',
    uid: `svc-${s}`,
    name: `svc-${s}`,
    namespace: 'shop',
    createdNs: 1n,
    labels: {},
    owners: [],
    clusterIp: `10.96.${s >> 8}.${s & 255}`,
    selector: { app: `app-${s}` },
  };
}

/** Pod `i` after `restarts` container restarts: the current container and the previous one. */
function pod(i: number, restarts: number): PodObject {
  const containers: ContainerInfo[] = [
    {
      id: `c-${i}-${restarts}`,
      name: 'app',
      state: 'Running',
      startNs: BigInt(restarts + 1),
      stopNs: undefined,
    },
  ];
  if (restarts > 0) {
    containers.push({
      id: `c-${i}-${restarts - 1}`,
      name: 'app',
      state: 'Terminated',
      startNs: BigInt(restarts),
      stopNs: BigInt(restarts + 1),
    });
  }
  return {
    kind: 'Pod',
    uid: `pod-${i}`,
    name: `app-${i}`,
    namespace: 'shop',
    createdNs: 1n,
    labels: { app: `app-${i % 200}` },
    owners: [],
    node: `node-${i % 50}`,
    ip: `10.244.${i >> 8}.${i & 255}`,
    phase: 'Running',
    containers,
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
