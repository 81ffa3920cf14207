import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import { HttpHead, framingOf, framingOfValues, parseHead } from './head';

const headerArb = fc.oneof(
  fc.constantFrom(
    'Transfer-Encoding: chunked',
    'transfer-encoding: CHUNKED',
    'Transfer-Encoding:  chunked ',
    'Transfer-Encoding: gzip, chunked',
    'Transfer-Encoding: chunked, gzip',
    'Transfer-Encoding: chunkedx',
    'Transfer-Encoding:',
    'Content-Length: 0',
    'Content-Length: 42',
    'content-length: 007',
    'Content-Length: 5, 5',
    'Content-Length: 5, 6',
    'Content-Length: 123456789012345',
    'Content-Length: 1234567890123456',
    'Content-Length: -1',
    'Content-Length: 4a',
    'Content-Length:',
    'Content-Lengths: 3',
    'Transfer-Encodings: chunked',
    'Host: x',
  ),
  fc
    .tuple(
      fc.constantFrom('Content-Length', 'Transfer-Encoding', 'X'),
      fc.string({ maxLength: 10 }),
    )
    .map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, '')}`),
);

/** What framingOf gave before it read the usual heads in place: the values joined, then read. */
function reference(head: HttpHead, method: string | undefined) {
  const s = head.status;
  if (
    head.kind === 'response' &&
    (method === 'HEAD' || (s >= 100 && s < 200) || s === 204 || s === 304)
  ) {
    return { kind: 'none' };
  }
  return framingOfValues(head);
}

describe('framingOf', () => {
  it('frames every head as the joined header values do', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET / HTTP/1.1', 'POST / HTTP/1.1', 'HTTP/1.1 200 OK', 'HTTP/1.1 304 X'),
        fc.array(headerArb, { maxLength: 4 }),
        fc.constantFrom(undefined, 'GET', 'HEAD'),
        (start, headers, method) => {
          const bytes = Buffer.from(`${[start, ...headers].join('\r\n')}\r\n\r\n`, 'latin1');
          const kind = start.startsWith('HTTP') ? 'response' : 'request';
          const parsed = parseHead(bytes, kind);
          if (parsed.kind !== 'ok') return;
          expect(framingOf(parsed.head, method)).toEqual(reference(parsed.head, method));
        },
      ),
      fuzzParams(2000, { seed: 18 }),
    );
  });
});
