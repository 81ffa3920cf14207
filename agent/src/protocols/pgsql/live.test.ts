import { join } from 'node:path';
import { RunningDatabase } from '../../../../test/support/db-server';
import { runScript } from '../../../../test/support/http-script';
import { postgresUnavailable, startPostgres } from '../../../../test/support/postgres';
import {
  chunkSteps,
  nodePgConversation,
  pgbenchConversation,
  psqlConversation,
} from '../../../../test/support/sql-conversations';
import {
  NODE_PG_RECORDS,
  PGBENCH_RECORDS,
  PSQL_RECORDS,
  expectRecords,
  pgsqlFields,
} from '../../../../test/support/sql-expected';
import { describeIfAvailable } from '../../../../test/support/system';
import { TcpRecorder, startTcpRecorder, writeCapture } from '../../../../test/support/tcp-recorder';
import { PgsqlStitcher } from './pgsql-stitcher';

/** RECORD_CAPTURES=1 rewrites testdata/ from these runs (see testdata/README.md). */
const RECORD = process.env.RECORD_CAPTURES === '1';

describeIfAvailable(
  'PostgreSQL 15 conversations through a recording proxy',
  postgresUnavailable(),
  () => {
    let pg: RunningDatabase;
    let rec: TcpRecorder;

    beforeAll(async () => {
      pg = await startPostgres();
      rec = await startTcpRecorder({ host: pg.host, port: pg.port });
    }, 60_000);

    afterAll(async () => {
      await rec?.close();
      await pg?.close();
    });

    it.each([
      ['psql', psqlConversation, PSQL_RECORDS],
      ['node-pg', nodePgConversation, NODE_PG_RECORDS],
      ['pgbench-pipeline', pgbenchConversation, PGBENCH_RECORDS],
    ] as const)(
      '%s: every request gives its record, with its text and a latency',
      async (name, converse, expected) => {
        const chunks = await converse(pg, rec);
        if (RECORD) writeCapture(join(__dirname, 'testdata', `${name}.jsonl`), chunks);
        const s = new PgsqlStitcher();
        const out = runScript(s, chunkSteps(chunks));
        expectRecords(out.map(pgsqlFields), expected);
        expect(s.errors()).toBe(0);
        for (const r of out) expect(r.endTs).toBeGreaterThan(r.startTs);
      },
      30_000,
    );
  },
);
