import fc from 'fast-check';
import { join } from 'node:path';
import { fuzzParams } from '../../../../test/support/fuzz';
import { captureSteps } from '../../../../test/support/sql-conversations';
import { mysqlFields } from '../../../../test/support/sql-expected';
import {
  mutate,
  mutationArb,
  pushChunks,
  randomChunks,
  resplit,
  runScript,
} from '../../../../test/support/sql-fuzz';
import { DEFAULT_SQL_LIMITS } from '../sql/sql-limits';
import { MysqlStitcher } from './mysql-stitcher';

const limits = {
  ...DEFAULT_SQL_LIMITS,
  maxTextChars: 64,
  maxMessageBytes: 256,
  maxBufferBytes: 8192,
  maxPendingRequests: 16,
  maxStatements: 8,
};
const names = ['mariadb-cli', 'mysql2', 'mariadb-connector-pipeline'];
const captures = Object.fromEntries(
  names.map((n) => [n, captureSteps(join(__dirname, 'testdata', `${n}.jsonl`))]),
);

const packet = (seq: number, hex: string) => {
  const payload = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.of(payload.length & 255, payload.length >> 8, 0, seq), payload]);
};

/** Bytes that look like MySQL often enough to reach deep states. */
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        packet(0, '0353454c4543542031'), // COM_QUERY SELECT 1
        packet(0, '1653454c454354203f'), // COM_STMT_PREPARE SELECT ?
        packet(0, '17010000000001000000000105000000000000804440'), // COM_STMT_EXECUTE
        packet(0, '1901000000'), // COM_STMT_CLOSE
        packet(0, '0e'), // COM_PING
        packet(1, '000100000001000100000000'), // PREPARE_OK
        packet(1, '01'), // column count 1
        packet(1, '0101'), // column count with metadata flag
        packet(2, '03646566000000016100000c3f0001000000038100000000'), // column definition
        packet(3, 'fe00000200'), // EOF
        packet(3, '0131'), // text row
        packet(4, 'fe000002000000'), // OK as EOF
        packet(1, '00000002000000'), // OK
        packet(1, 'ff1e04233432533232556e6b6e6f776e'), // ERR
        packet(0, '0a352e352e35000100000041414141414141410000ff'), // greeting
        Buffer.of(0xff, 0xff, 0xff, 0),
      ),
      { maxLength: 20 },
    )
    .map((parts) => new Uint8Array(Buffer.concat(parts))),
);

describe('MysqlStitcher under arbitrary input', () => {
  it('never throws on random chunks at random positions, and stays in its bounds', () => {
    fc.assert(
      fc.property(randomChunks(bytesArb), fc.boolean(), (chunks, close) => {
        const s = new MysqlStitcher(limits);
        const out = pushChunks(s, chunks, close);
        for (const r of out) {
          expect(r.reqBody.length).toBeLessThanOrEqual(limits.maxTextChars);
          expect(r.respBody.length).toBeLessThanOrEqual(limits.maxTextChars);
          expect([0, 1, 2, 3]).toContain(r.respStatus);
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
          const out = runScript(new MysqlStitcher(limits), steps);
          expect(out.length).toBeLessThanOrEqual(steps.length * 4);
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
          const whole = runScript(new MysqlStitcher(), captures[name]!).map(mysqlFields);
          const s = new MysqlStitcher();
          expect(runScript(s, resplit(captures[name]!, cuts)).map(mysqlFields)).toEqual(whole);
          expect(s.errors()).toBe(0);
        },
      ),
      fuzzParams(200),
    );
  });
});
