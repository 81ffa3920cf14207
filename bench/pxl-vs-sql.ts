import { fmt, machine } from './_support';
import { ROUNDS, ROWS, loadData, raceScripts } from './_pxl';

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
  try {
    await raceScripts(
      'pxl-vs-sql',
      'SQL',
      data.engine,
      (s) => async () => (await conn.runAndReadAll(s.sql)).getRows(),
    );
  } finally {
    conn.closeSync();
    data.engine.shutdown();
    await data.store.shutdown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
