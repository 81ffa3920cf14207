import { machine } from './_support';
import { NOW, ROUNDS, ROWS, SCRIPTS, fmt, loadData, ms, normalize, race } from './_pxl';

/**
 * Five representative PxL scripts on 1M http_events rows, each against the hand-written DuckDB
 * SQL that gives the same result, in the same process on the same store. The PxL side includes
 * parsing, checking, compiling and converting the result; the SQL side only runs the statement.
 */
async function main(): Promise<void> {
  console.log(
    `pxl-vs-sql: ${fmt(ROWS)} http_events rows, median of ${ROUNDS} rounds; ${machine()}`,
  );
  const data = await loadData();
  const conn = await data.store.connect();
  let ours = 0;
  let peer = 0;
  try {
    for (const s of SCRIPTS) {
      const pxl = async () => (await data.engine.run(s.pxl, { now: NOW })).tables[0]!.rows;
      const sql = async () => (await conn.runAndReadAll(s.sql)).getRows();
      const [a, b] = [normalize(await pxl(), s.ordered), normalize(await sql(), s.ordered)];
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        throw new Error(
          `${s.name}: PxL and SQL disagree\nPxL: ${a.slice(0, 5).join('\n')}\nSQL: ${b.slice(0, 5).join('\n')}`,
        );
      }
      const t = await race(pxl, sql);
      ours += t.ours;
      peer += t.peer;
      console.log(
        `pxl-vs-sql: ${s.name.padEnd(18)} ${String(a.length).padStart(5)} rows, same result; PxL ${ms(t.ours)}, SQL ${ms(t.peer)}, ratio ${(t.peer / t.ours).toFixed(2)}`,
      );
    }
  } finally {
    conn.closeSync();
    data.engine.shutdown();
    await data.store.shutdown();
  }
  console.log(
    `pxl-vs-sql: ours ${ms(ours)}, peer ${ms(peer)} (sums of medians), ratio ${(peer / ours).toFixed(2)}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
