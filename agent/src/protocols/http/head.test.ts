import { HttpHead, framingOf, parseHead } from './head';

function response(headers: string): HttpHead {
  const result = parseHead(Buffer.from(`HTTP/1.1 200 OK\r\n${headers}\r\n`, 'latin1'), 'response');
  if (result.kind !== 'ok') throw new Error(`not a head: ${result.kind}`);
  return result.head;
}

describe('framingOf', () => {
  it('takes a Content-Length given once, or repeated with one value', () => {
    expect(framingOf(response('Content-Length: 12\r\n'))).toEqual({ kind: 'length', length: 12 });
    expect(framingOf(response('Content-Length: 12, 12\r\n'))).toEqual({
      kind: 'length',
      length: 12,
    });
    expect(framingOf(response('Content-Length: 7\r\nContent-Length: 7\r\n'))).toEqual({
      kind: 'length',
      length: 7,
    });
    expect(framingOf(response('Content-Length: 0, 0\r\n'))).toEqual({ kind: 'none' });
  });

  it('refuses a Content-Length that is not one number', () => {
    for (const value of ['12, 13', '-1', '1e3', '', '12,', '1234567890123456']) {
      expect(framingOf(response(`Content-Length: ${value}\r\n`))).toEqual({
        kind: 'invalid',
        reason: 'bad content-length',
      });
    }
  });
});
