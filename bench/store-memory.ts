import { Table, makeVector, tableToIPC } from 'apache-arrow';
import {
  fmt,
  httpArrowTable,
  httpColumns,
  machine,
  memoryOf,
  startGatewayProcess,
} from './_support';

const TOTAL = Number(process.env.BENCH_ROWS ?? 5_000_000);
const BATCH = 25_000;
const LIMIT_MB = Number(process.env.BENCH_LIMIT_MB ?? 256);
const ALLOWANCE_MB = 300;

interface TableInfo {
  name: string;
  rows: number;
  bytes: number;
  budgetBytes: number;
  firstSeq: number;
  lastSeq: number;
}

/**
 * Ingests 5M http_events rows into a gateway started with --store-limit-mb 256 and shows that the
 * process stays under the budget plus 300 MiB, and that the table holds only the newest rows.
 */
async function main(): Promise<void> {
  console.log(`store-memory: ${fmt(TOTAL)} rows into --store-limit-mb ${LIMIT_MB}; ${machine()}`);
  const gw = await startGatewayProcess(['--store-limit-mb', String(LIMIT_MB)]);
  const base = httpArrowTable(httpColumns(BATCH, 0n));
  const start = BigInt(Date.now()) * 1_000_000n;
  let peakRss = 0;
  let lastSeq = 0;
  try {
    for (let sent = 0; sent < TOTAL; sent += BATCH) {
      const time = BigInt64Array.from(
        { length: BATCH },
        (_, i) => start + BigInt(sent + i) * 1000n,
      );
      const columns = Object.fromEntries(
        base.schema.fields.map((f) => [f.name, base.getChild(f.name)!]),
      );
      const body = tableToIPC(new Table({ ...columns, time_: makeVector(time) }), 'stream');
      const res = await fetch(`${gw.url}/v1/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.apache.arrow.stream',
          'x-pxgate-table': 'http_events',
        },
        body,
      });
      const answer = (await res.json()) as { lastSeq: number; error?: { message: string } };
      if (!res.ok) throw new Error(`ingest failed: ${answer.error?.message}`);
      lastSeq = answer.lastSeq;
      peakRss = Math.max(peakRss, memoryOf(gw.pid).rssMb);
      if ((sent / BATCH) % 20 === 19)
        console.log(
          `store-memory: ${fmt(sent + BATCH)} rows sent, RSS ${memoryOf(gw.pid).rssMb.toFixed(0)} MiB`,
        );
    }
    const tables = ((await (await fetch(`${gw.url}/v1/tables`)).json()) as { tables: TableInfo[] })
      .tables;
    const http = tables.find((t) => t.name === 'http_events')!;
    const { peakMb } = memoryOf(gw.pid);
    const newest = http.lastSeq === lastSeq && http.lastSeq - http.firstSeq + 1 === http.rows;
    const within = peakMb < LIMIT_MB + ALLOWANCE_MB;
    console.log(
      `store-memory: http_events keeps ${fmt(http.rows)} of ${fmt(TOTAL)} rows (seq ${http.firstSeq}..${http.lastSeq}), ` +
        `${(http.bytes / 1048576).toFixed(0)} of ${(http.budgetBytes / 1048576).toFixed(0)} MiB budget`,
    );
    console.log(
      `store-memory: peak RSS ${peakMb.toFixed(0)} MiB (sampled max ${peakRss.toFixed(0)} MiB), limit ${LIMIT_MB} + ${ALLOWANCE_MB} MiB: ${within ? 'within' : 'EXCEEDED'}; only the newest rows kept: ${newest ? 'yes' : 'NO'}`,
    );
    if (!within || !newest) process.exitCode = 1;
  } finally {
    await gw.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
