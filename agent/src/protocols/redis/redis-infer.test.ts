import fc from 'fast-check';
import { join } from 'node:path';
import { readCapture } from '../../../../test/support/capture-proxy';
import { OTHER_PROTOCOLS } from '../../../../test/support/first-bytes';
import { fuzzParams } from '../../../../test/support/fuzz';
import { looksLikeRedis } from './redis-infer';

const first = (name: string, kind: 'request' | 'response') =>
  readCapture(join(__dirname, 'testdata', `${name}.jsonl`)).find((s) => s.kind === kind)!
    .bytes as Uint8Array;

describe('looksLikeRedis', () => {
  it.each(['redis-cli', 'pipeline-inline', 'subscriber', 'publisher', 'resp3'])(
    '%s: claims the first command and the first reply',
    (name) => {
      expect(looksLikeRedis(first(name, 'request'), 'request')).toBe(true);
      expect(looksLikeRedis(first(name, 'response'), 'response')).toBe(true);
    },
  );

  // A command is an array, and so may a reply be (redis-cli's first, the subscriber's): only
  // the direction tells them apart. Replies of other types are not commands.
  it.each(['pipeline-inline', 'publisher', 'resp3'])(
    '%s: does not claim the first reply as a command',
    (name) => {
      expect(looksLikeRedis(first(name, 'response'), 'request')).toBe(false);
    },
  );

  it.each([
    ['an inline command', 'PING\r\n', true],
    ['an inline command in lower case', 'set k v\r\n', true],
    ['an inline line that is not a command', 'HULLO WORLD\r\n', false],
    ['an HTTP request line, though GET is a command', 'GET / HTTP/1.1\r\n', false],
    ['an array whose first value is not a command', '*1\r\n$5\r\nHELLX\r\n', false],
    ['an array of a known command', '*1\r\n$4\r\nping\r\n', true],
    ['a line without its end', 'PING', false],
  ])('on the request side, %s: %j', (_what, text, want) => {
    expect(looksLikeRedis(Buffer.from(text), 'request')).toBe(want);
  });

  it.each([
    ['+OK\r\n', true],
    ['-NOAUTH Authentication required.\r\n', true],
    [':12\r\n', true],
    ['$-1\r\n', true],
    ['%7\r\n', true],
    [',1.5e3\r\n', true],
    ['+\r\n', false],
    [':1x\r\n', false],
    ['$abc\r\n', false],
    ['+OK\x00\x01\r\n', false],
  ])('on the response side: %j is %s', (text, want) => {
    expect(looksLikeRedis(Buffer.from(text, 'latin1'), 'response')).toBe(want);
  });

  it.each(OTHER_PROTOCOLS.map((p) => [p.protocol, p.what, p]))(
    'does not claim %s (%s) on either side',
    (_p, _w, sample) => {
      expect(looksLikeRedis(sample.bytes, 'request')).toBe(false);
      expect(looksLikeRedis(sample.bytes, 'response')).toBe(false);
    },
  );

  it('does not claim HTTP/1 requests or responses of any method, path, status and header', () => {
    const http = fc.oneof(
      fc
        .tuple(
          fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'),
          fc.stringMatching(/^\/[!-~]{0,40}$/),
          fc.constantFrom('1.0', '1.1'),
        )
        .map(([m, p, v]) => `${m} ${p} HTTP/${v}\r\nHost: svc\r\n\r\n`),
      fc
        .tuple(fc.integer({ min: 100, max: 599 }), fc.stringMatching(/^[A-Za-z ]{0,20}$/))
        .map(([code, reason]) => `HTTP/1.1 ${code} ${reason}\r\nContent-Length: 0\r\n\r\n`),
    );
    fc.assert(
      fc.property(http, fc.constantFrom('request' as const, 'response' as const), (text, side) => {
        expect(looksLikeRedis(Buffer.from(text), side)).toBe(false);
      }),
      fuzzParams(300),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('request' as const, 'response' as const),
        (b, side) => {
          expect(typeof looksLikeRedis(b, side)).toBe('boolean');
        },
      ),
      fuzzParams(1000),
    );
  });
});
