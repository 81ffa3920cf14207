import fc from 'fast-check';
import { join } from 'node:path';
import { fuzzParams } from '../../../../test/support/fuzz';
import * as pg from '../../../../test/support/pg-wire';
import { captureSteps } from '../../../../test/support/sql-conversations';
import {
  mutate,
  mutationArb,
  pushChunks,
  randomChunks,
  resplit,
  runScript,
} from '../../../../test/support/sql-fuzz';
import { pgsqlFields } from '../../../../test/support/sql-expected';
import { DEFAULT_SQL_LIMITS } from '../sql/sql-limits';
import { PgsqlStitcher } from './pgsql-stitcher';

const limits = {
  ...DEFAULT_SQL_LIMITS,
  maxTextChars: 64,
  maxMessageBytes: 256,
  maxBufferBytes: 8192,
  maxPendingRequests: 16,
  maxStatements: 8,
};
const names = ['psql', 'node-pg', 'pgbench-pipeline'];
const captures = Object.fromEntries(
  names.map((n) => [n, captureSteps(join(__dirname, 'testdata', `${n}.jsonl`))]),
);

/** Bytes that look like PostgreSQL often enough to reach deep states. */
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        pg.query('SELECT 1'),
        pg.parse('s', 'SELECT $1'),
        pg.bind('', 's', ['1', null]),
        pg.describe('P', ''),
        pg.execute(''),
        pg.sync(),
        pg.close('S', 's'),
        pg.startup('u'),
        pg.sslRequest(),
        pg.rowDescription(['a', 'b']),
        pg.dataRow(['1', null]),
        pg.complete('SELECT 1'),
        pg.ready(),
        pg.parseComplete(),
        pg.bindComplete(),
        pg.error([
          ['S', 'ERROR'],
          ['C', '42P01'],
          ['M', 'x'],
        ]),
        Buffer.from('S'),
        Buffer.from('N'),
        Buffer.of(0, 0, 0, 9),
        Buffer.of(0x44, 0x7f, 0xff, 0xff, 0xff),
      ),
      { maxLength: 20 },
    )
    .map((parts) => new Uint8Array(Buffer.concat(parts))),
);

describe('PgsqlStitcher under arbitrary input', () => {
  it('never throws on random chunks at random positions, and stays in its bounds', () => {
    fc.assert(
      fc.property(randomChunks(bytesArb), fc.boolean(), (chunks, close) => {
        const s = new PgsqlStitcher(limits);
        const out = pushChunks(s, chunks, close);
        for (const r of out) {
          expect(r.req.length).toBeLessThanOrEqual(limits.maxTextChars);
          expect(r.resp.length).toBeLessThanOrEqual(limits.maxTextChars);
        }
        expect(s.pendingRequests()).toBeLessThanOrEqual(limits.maxPendingRequests);
        expect(Number.isInteger(s.errors())).toBe(true);
      }),
      fuzzParams(500),
    );
  });

  it('never throws on captures with bytes flipped, added or removed and chunks lost, cut or doubled', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(mutationArb, { minLength: 1, maxLength: 8 }),
        (name, mutations) => {
          const steps = mutate(captures[name]!, mutations);
          const out = runScript(new PgsqlStitcher(limits), steps);
          expect(out.length).toBeLessThanOrEqual(
            runScript(new PgsqlStitcher(), captures[name]!).length + steps.length,
          );
        },
      ),
      fuzzParams(300),
    );
  });

  it('finds the same records however the syscalls cut the bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(fc.nat(999), { maxLength: 6 }),
        (name, cuts) => {
          const whole = runScript(new PgsqlStitcher(), captures[name]!).map(pgsqlFields);
          const s = new PgsqlStitcher();
          expect(runScript(s, resplit(captures[name]!, cuts)).map(pgsqlFields)).toEqual(whole);
          expect(s.errors()).toBe(0);
        },
      ),
      fuzzParams(200),
    );
  });
});
