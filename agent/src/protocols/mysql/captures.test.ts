import { join } from 'node:path';
import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { bytewise, captureSteps } from '../../../../test/support/sql-conversations';
import {
  MYSQL2_RECORDS,
  MARIADB_CONNECTOR_RECORDS,
  MARIADB_CLI_RECORDS,
  expectRecords,
  mysqlFields,
} from '../../../../test/support/sql-expected';
import { MysqlStitcher } from './mysql-stitcher';

const capture = (name: string) => captureSteps(join(__dirname, 'testdata', `${name}.jsonl`));
const run = (steps: readonly ScriptStep[]) => {
  const s = new MysqlStitcher();
  return { out: runScript(s, steps), errors: s.errors() };
};
const text = (s: ScriptStep) => Buffer.from(s.bytes as Uint8Array).toString('latin1');

const CAPTURES = [
  ['mariadb-cli', MARIADB_CLI_RECORDS],
  ['mysql2', MYSQL2_RECORDS],
  ['mariadb-connector-pipeline', MARIADB_CONNECTOR_RECORDS],
] as const;

describe('captured MySQL conversations', () => {
  it.each(CAPTURES)(
    '%s: the records of every command, nothing counted as an error',
    (name, expected) => {
      const { out, errors } = run(capture(name));
      expectRecords(out.map(mysqlFields), expected);
      expect(errors).toBe(0);
    },
  );

  it.each(CAPTURES)('%s: the same records when every byte is its own syscall', (name) => {
    const whole = run(capture(name)).out;
    const split = run(bytewise(capture(name)));
    expect(split.out.map(mysqlFields)).toEqual(whole.map(mysqlFields));
    expect(split.errors).toBe(0);
  });

  it.each([
    ['mariadb-cli', 'INSERT INTO person'],
    ['mysql2', 'SELECT 1 AS one'],
  ])(
    '%s: joined midway (from the request holding %j), the records from there on',
    (name, marker) => {
      const steps = capture(name);
      const from = steps.findIndex((s) => s.kind === 'request' && text(s).includes(marker));
      const whole = run(steps).out.map(mysqlFields);
      const joined = run(steps.slice(from));
      const first = whole.findIndex((r) => String(r[1]).includes(marker));
      expect(first).toBeGreaterThan(0);
      expect(joined.out.map(mysqlFields)).toEqual(whole.slice(first));
      expect(joined.errors).toBe(0);
    },
  );

  it('loses only the answer whose bytes were lost, and counts it', () => {
    const steps = capture('mariadb-cli');
    const lost = steps.findIndex(
      (s) => s.kind === 'response' && text(s).includes('alice@example.com'),
    );
    steps[lost] = { ...steps[lost]!, lost: true };
    const { out, errors } = run(steps);
    expectRecords(
      out.map(mysqlFields),
      MARIADB_CLI_RECORDS.filter((r) => !String(r[1]).startsWith('SELECT id')),
    );
    expect(errors).toBeGreaterThan(0);
  });
});
