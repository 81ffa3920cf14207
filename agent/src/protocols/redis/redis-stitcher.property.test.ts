import fc from 'fast-check';
import { join } from 'node:path';
import { readCapture } from '../../../../test/support/capture-proxy';
import { fuzzParams } from '../../../../test/support/fuzz';
import { mutate, mutationsArb } from '../../../../test/support/mutate';
import { runScript, splitSteps } from '../../../../test/support/http-script';
import { resp } from '../../../../test/support/redis-client';
import { splitInline } from './inline-command';
import { commandColumns, replyText } from './redis-format';
import { RedisExchange, RedisStitcher, RedisStitcherLimits } from './redis-stitcher';

const limits: RedisStitcherLimits = {
  maxValueBytes: 64,
  maxMessageChars: 512,
  maxDepth: 8,
  maxLineBytes: 256,
  maxBufferBytes: 4096,
  maxPendingRequests: 16,
};

/** Bytes that are often almost RESP: its pieces, lying sizes and counts, and random bytes. */
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc
    .array(
      fc.constantFrom(
        '*',
        '$',
        '+',
        '-',
        ':',
        '%',
        '>',
        '|',
        '~',
        '_',
        '#t',
        ',1.5',
        '=',
        '!',
        '(',
        '\r\n',
        '\n',
        '-1',
        '0',
        '3',
        '2147483647',
        '999999999',
        'GET k',
        'PING',
        '"a\\x4',
        "'",
        'message',
        'subscribe',
      ),
      { maxLength: 60 },
    )
    .map((parts) => Buffer.from(parts.join(''), 'latin1')),
);

const wordArb = fc.oneof(
  fc.constantFrom('GET', 'SET', 'HSET', 'LPUSH', 'SUBSCRIBE', 'PING', 'CONFIG', 'message'),
  fc.string({ maxLength: 20 }),
);

/** A reply as RESP: scalars of every type and aggregates of them, nested a little. */
const replyArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  reply: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.stringMatching(/^[ -~]{0,20}$/).map((s) => `+${s}\r\n`),
    fc.stringMatching(/^[ -~]{0,20}$/).map((s) => `-ERR ${s}\r\n`),
    fc.integer().map((n) => `:${n}\r\n`),
    fc.string({ maxLength: 100 }).map((s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`),
    fc.constantFrom(
      '$-1\r\n',
      '*-1\r\n',
      '_\r\n',
      '#t\r\n',
      ',3.25\r\n',
      '(12345678901234567890\r\n',
    ),
    fc.array(tie('reply'), { maxLength: 4 }).map((xs) => `*${xs.length}\r\n${xs.join('')}`),
    fc
      .array(tie('reply'), { maxLength: 2 })
      .map((xs) => `%${xs.length}\r\n${xs.map((x) => `+k\r\n${x}`).join('')}`),
  ),
})).reply;

describe('Redis parsing under arbitrary input', () => {
  it('RedisStitcher never throws and stays in budget on random chunks at random positions', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('request' as const, 'response' as const),
            pos: fc.nat(20000),
            extra: fc.nat(500),
            data: bytesArb,
            ts: fc.nat(),
          }),
          { maxLength: 40 },
        ),
        fc.boolean(),
        (chunks, close) => {
          const s = new RedisStitcher(limits);
          for (const c of chunks) {
            const out = s.push(c.kind, {
              pos: c.pos,
              size: c.data.length + c.extra,
              ts: c.ts,
              data: c.data,
            });
            for (const x of out) {
              expect(replyText(x.resp).length).toBeLessThanOrEqual(2 * limits.maxMessageChars + 64);
              if (x.kind === 'reply') commandColumns(x.req, true);
            }
            expect(s.pendingRequests()).toBeLessThanOrEqual(limits.maxPendingRequests);
            expect(s.heldBytes()).toBeLessThanOrEqual(2 * limits.maxBufferBytes);
          }
          if (close) s.close();
          expect(Number.isInteger(s.errors())).toBe(true);
        },
      ),
      fuzzParams(500),
    );
  });

  it('RedisStitcher never throws on real captures with flipped, inserted, deleted, lost or cut bytes', () => {
    const names = ['pipeline-inline', 'subscriber', 'publisher', 'resp3'];
    fc.assert(
      fc.property(fc.constantFrom(...names), mutationsArb, (name, mutations) => {
        const steps = readCapture(join(__dirname, 'testdata', `${name}.jsonl`));
        const mutated = mutate(steps, mutations);
        const s = new RedisStitcher(limits);
        runScript(s, mutated);
        expect(Number.isInteger(s.errors())).toBe(true);
      }),
      fuzzParams(300),
    );
  });

  it('pairs every command of a pipeline with its reply, however the reads cut the bytes', () => {
    const summary = (x: RedisExchange) =>
      x.kind === 'reply' ? [x.req.values, replyText(x.resp)] : [];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(wordArb, { minLength: 1, maxLength: 5 }), replyArb), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        (exchanges, cuts) => {
          const commands = exchanges.map(([words]) => resp(...words)).join('');
          const replies = exchanges.map(([, r]) => r).join('');
          const at = (n: number) => cuts.map((c) => c % n);
          const roomy = { ...limits, maxDepth: 64, maxBufferBytes: 1 << 20 };
          const whole = runScript(new RedisStitcher(roomy), [
            ...splitSteps('request', commands, []),
            ...splitSteps('response', replies, []),
          ]);
          const split = runScript(new RedisStitcher(roomy), [
            ...splitSteps('request', commands, at(commands.length)),
            ...splitSteps('response', replies, at(replies.length)),
          ]);
          expect(whole.map((x) => x.kind === 'reply' && x.req.values)).toEqual(
            exchanges.map(([words]) => words),
          );
          expect(split.map(summary)).toEqual(whole.map(summary));
        },
      ),
      fuzzParams(300),
    );
  });

  it('splitInline never throws, and never makes more than the line holds', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ maxLength: 80 }).map((s) => Buffer.from(s)),
        ),
        (line) => {
          const words = splitInline(line);
          if (words)
            expect(words.reduce((n, w) => n + Buffer.byteLength(w), 0)).toBeLessThanOrEqual(
              3 * line.length,
            );
        },
      ),
      fuzzParams(1000),
    );
  });
});
