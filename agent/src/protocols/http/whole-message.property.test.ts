import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import { ByteStream } from './byte-stream';
import { HttpMessage, MessageParser } from './message-parser';
import { wholeMessage } from './whole-message';

const MAX_HEAD = 512;
const MAX_BODY = 48;
const limits = { maxHeadBytes: MAX_HEAD, maxBodyBytes: MAX_BODY };

const startLineArb = fc.constantFrom(
  'GET /a HTTP/1.1\r\n',
  'HEAD / HTTP/1.0\r\n',
  'POST /p?q=1 HTTP/1.1\r\n',
  'get /lower HTTP/1.1\r\n',
  'HTTP/1.1 200 OK\r\n',
  'HTTP/1.1 204 No Content\r\n',
  'HTTP/1.0 304 \r\n',
  'HTTP/1.1 101 Switching\r\n',
  'HTTP/1.1 200 OK\n',
  'HTTP/2 200\r\n',
);

const headerArb = fc.constantFrom(
  'Host: x\r\n',
  'Content-Length: 5\r\n',
  'content-length: 0\r\n',
  'Content-Length: 12\r\n',
  'Content-Length: 5, 5\r\n',
  'Content-Length: -1\r\n',
  'Content-Length: 99999999999999999\r\n',
  'Transfer-Encoding: chunked\r\n',
  'transfer-encoding: gzip, CHUNKED\r\n',
  'Transfer-Encoding: gzip\r\n',
  ' folded\r\n',
  'Bad Header: x\r\n',
  'X-Empty:\r\n',
);

/** Bodies and chunks: plain ones, and the near misses a lying or odd peer sends. */
const bodyPartArb = fc.oneof(
  fc.constantFrom(
    'hello',
    '5\r\nhello\r\n',
    'a\r\n0123456789\r\n',
    '3;ext=1\r\nabc\r\n',
    '3 \r\nabc\r\n',
    '3\nabc\n',
    '1000000000000\r\n',
    'ffffffffffff\r\n',
    '0\r\n\r\n',
    '0\r\nX-Trailer: 1\r\n\r\n',
    '0\n\n',
    '2\r\nab',
    '2\r\nabc\r\n',
  ),
  fc.string({ maxLength: 12 }),
);

/** A message put together from those parts, then perhaps damaged at one byte. */
const bytesArb = fc
  .record({
    start: startLineArb,
    headers: fc.array(headerArb, { maxLength: 4 }),
    end: fc.constantFrom('\r\n', '\r\n', '\n', ''),
    body: fc.array(bodyPartArb, { maxLength: 5 }),
    damage: fc.option(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) })),
    cut: fc.option(fc.nat()),
  })
  .map(({ start, headers, end, body, damage, cut }) => {
    const bytes = Buffer.from(start + headers.join('') + end + body.join(''), 'latin1');
    if (damage && bytes.length > 0) bytes[damage.at % bytes.length] = damage.byte;
    return cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
  })
  .filter((bytes) => bytes.length >= 2);

/** The first message MessageParser's states read from `bytes`, made to skip the one-pass path. */
function generalFirst(
  bytes: Buffer,
  kind: 'request' | 'response',
  requestMethod: string | undefined,
): { message: HttpMessage | undefined; consumed: number; errors: number } {
  const stream = new ByteStream(1 << 20);
  // A first chunk of one byte never holds a whole message, so the parser takes its states.
  stream.push({ pos: 0, size: 1, ts: 5, data: bytes.subarray(0, 1) });
  stream.push({ pos: 1, size: bytes.length - 1, ts: 5, data: bytes.subarray(1) });
  const parser = new MessageParser(kind, limits);
  const message = parser.next(stream, { closed: false, requestMethod });
  return { message, consumed: stream.cursor, errors: parser.errors };
}

describe('wholeMessage, the one-pass path of MessageParser', () => {
  it('reads every message it accepts exactly as the parser states do, never throwing', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        bytesArb,
        fc.constantFrom<'request' | 'response'>('request', 'response'),
        fc.constantFrom(undefined, 'GET', 'HEAD'),
        (bytes, kind, method) => {
          const whole = wholeMessage(bytes, kind, MAX_HEAD, MAX_BODY, method);
          if (!whole) return;
          accepted++;
          const general = generalFirst(bytes, kind, method);
          expect(general.errors).toBe(0);
          expect(general.consumed).toBe(whole.length);
          expect(general.message).toEqual({
            head: whole.head,
            startTs: 5,
            endTs: 5,
            body: whole.body,
            bodySize: whole.bodySize,
          });
        },
      ),
      fuzzParams(2000, { seed: 18 }),
    );
    // The property says nothing unless the path accepts a fair share of what it is given.
    expect(accepted).toBeGreaterThan(50);
  });

  it('accepts what Node sends in one syscall: a request, and a chunked response', () => {
    const req = Buffer.from('GET /bench/r1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\nGET /next');
    expect(wholeMessage(req, 'request', MAX_HEAD, MAX_BODY, undefined)).toMatchObject({
      length: req.indexOf('GET /next'),
      bodySize: 0,
      head: { method: 'GET', target: '/bench/r1' },
    });
    const resp = Buffer.from(
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '1d\r\n{"method":"GET","received":0}\r\n4\r\n!!!!\r\n0\r\n\r\n',
    );
    const m = wholeMessage(resp, 'response', MAX_HEAD, MAX_BODY, 'GET');
    expect(m?.length).toBe(resp.length);
    expect(m?.bodySize).toBe(0x1d + 4);
    expect(Buffer.from(m!.body).toString()).toBe('{"method":"GET","received":0}!!!!');
  });

  it('keeps only the body limit, and leaves a message cut short to the parser states', () => {
    const body = 'x'.repeat(100);
    const sized = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${body}`);
    const m = wholeMessage(sized, 'response', MAX_HEAD, MAX_BODY, 'GET');
    expect(m?.body).toHaveLength(MAX_BODY);
    expect(m?.bodySize).toBe(100);
    expect(wholeMessage(sized.subarray(0, -1), 'response', MAX_HEAD, MAX_BODY, 'GET')).toBe(
      undefined,
    );
  });
});
