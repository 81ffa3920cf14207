import { join } from 'node:path';
import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { bytewise, captureSteps } from '../../../../test/support/sql-conversations';
import {
  NODE_PG_RECORDS,
  PGBENCH_RECORDS,
  PSQL_RECORDS,
  expectRecords,
  pgsqlFields,
} from '../../../../test/support/sql-expected';
import { PgsqlStitcher } from './pgsql-stitcher';

const capture = (name: string) => captureSteps(join(__dirname, 'testdata', `${name}.jsonl`));
const run = (steps: readonly ScriptStep[]) => {
  const s = new PgsqlStitcher();
  return { out: runScript(s, steps), errors: s.errors() };
};
const text = (s: ScriptStep) => Buffer.from(s.bytes as Uint8Array).toString('latin1');

const CAPTURES = [
  ['psql', PSQL_RECORDS],
  ['node-pg', NODE_PG_RECORDS],
  ['pgbench-pipeline', PGBENCH_RECORDS],
] as const;

describe('captured PostgreSQL conversations', () => {
  it.each(CAPTURES)(
    '%s: the records of every request, nothing counted as an error',
    (name, expected) => {
      const { out, errors } = run(capture(name));
      expectRecords(out.map(pgsqlFields), expected);
      expect(errors).toBe(0);
    },
  );

  it.each(CAPTURES)('%s: the same records when every byte is its own syscall', (name) => {
    const whole = run(capture(name)).out;
    const split = run(bytewise(capture(name)));
    expect(split.out.map(pgsqlFields)).toEqual(whole.map(pgsqlFields));
    expect(split.errors).toBe(0);
  });

  it.each([
    ['psql', 'INSERT INTO person'],
    ['node-pg', 'SELECT $1::text IS NULL'],
  ])(
    '%s: joined midway (from the request holding %j), the records from there on',
    (name, marker) => {
      const steps = capture(name);
      const from = steps.findIndex((s) => s.kind === 'request' && text(s).includes(marker));
      const whole = run(steps).out.map(pgsqlFields);
      const joined = run(steps.slice(from));
      const first = whole.findIndex((r) => String(r[1]).includes(marker));
      expect(first).toBeGreaterThan(0);
      expect(joined.out.map(pgsqlFields)).toEqual(whole.slice(first));
      expect(joined.errors).toBe(0);
    },
  );

  it('loses only the answer whose bytes were lost, and counts it', () => {
    const steps = capture('psql');
    const lost = steps.findIndex(
      (s) => s.kind === 'response' && text(s).includes('alice@example.com'),
    );
    steps[lost] = { ...steps[lost]!, lost: true };
    const { out, errors } = run(steps);
    expectRecords(
      out.map(pgsqlFields),
      PSQL_RECORDS.filter((r) => !String(r[1]).startsWith('SELECT id')),
    );
    expect(errors).toBeGreaterThan(0);
  });
});
