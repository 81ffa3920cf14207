import { join } from 'node:path';
import { RunningDatabase } from '../../../../test/support/db-server';
import { runScript } from '../../../../test/support/http-script';
import { mariadbUnavailable, startMariadb } from '../../../../test/support/mariadb';
import {
  chunkSteps,
  mariadbCliConversation,
  mariadbConnectorConversation,
  mysql2Conversation,
} from '../../../../test/support/sql-conversations';
import {
  MARIADB_CLI_RECORDS,
  MARIADB_CONNECTOR_RECORDS,
  MYSQL2_RECORDS,
  expectRecords,
  mysqlFields,
} from '../../../../test/support/sql-expected';
import { describeIfAvailable } from '../../../../test/support/system';
import { TcpRecorder, startTcpRecorder, writeCapture } from '../../../../test/support/tcp-recorder';
import { MysqlStitcher } from './mysql-stitcher';

/** RECORD_CAPTURES=1 rewrites testdata/ from these runs (see testdata/README.md). */
const RECORD = process.env.RECORD_CAPTURES === '1';

describeIfAvailable('MariaDB conversations through a recording proxy', mariadbUnavailable(), () => {
  let db: RunningDatabase;
  let rec: TcpRecorder;

  beforeAll(async () => {
    db = await startMariadb();
    rec = await startTcpRecorder({ host: db.host, port: db.port });
  }, 90_000);

  afterAll(async () => {
    await rec?.close();
    await db?.close();
  });

  it.each([
    ['mariadb-cli', mariadbCliConversation, MARIADB_CLI_RECORDS],
    ['mysql2', mysql2Conversation, MYSQL2_RECORDS],
    ['mariadb-connector-pipeline', mariadbConnectorConversation, MARIADB_CONNECTOR_RECORDS],
  ] as const)(
    '%s: every command gives its record, with its text, status and a latency',
    async (name, converse, expected) => {
      const chunks = await converse(db, rec);
      if (RECORD) writeCapture(join(__dirname, 'testdata', `${name}.jsonl`), chunks);
      const s = new MysqlStitcher();
      const out = runScript(s, chunkSteps(chunks));
      expectRecords(out.map(mysqlFields), expected);
      expect(s.errors()).toBe(0);
      for (const r of out) {
        // Commands the server does not answer (COM_STMT_CLOSE, COM_QUIT) have no latency.
        if (r.respStatus !== 1) expect(r.endTs).toBeGreaterThan(r.startTs);
      }
    },
    30_000,
  );
});
