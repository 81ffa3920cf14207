import { runScript, splitSteps, summary } from '../../../../test/support/http-script';
import { HttpStitcher } from './http-stitcher';

const GET = 'GET /api/users?id=7 HTTP/1.1\r\nHost: svc\r\nAccept: */*\r\n\r\n';
const POST =
  'POST /api/orders HTTP/1.1\r\nHost: svc\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"item":"a1"}';
const OK =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}';
const CREATED = 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';

function stitcher(maxBodyBytes = 1024) {
  return new HttpStitcher({
    maxBodyBytes,
    maxHeadBytes: 16 * 1024,
    maxBufferBytes: 1 << 20,
    maxPendingRequests: 64,
  });
}

describe('HttpStitcher', () => {
  it('pairs keep-alive requests with their responses in order', () => {
    const out = runScript(stitcher(), [
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: OK },
      { kind: 'request', bytes: POST },
      { kind: 'response', bytes: CREATED },
    ]);
    expect(out.map(summary)).toEqual([
      {
        method: 'GET',
        target: '/api/users?id=7',
        status: 200,
        reqBody: '',
        reqBodySize: 0,
        respBody: '{"ok":true}',
        respBodySize: 11,
      },
      {
        method: 'POST',
        target: '/api/orders',
        status: 201,
        reqBody: '{"item":"a1"}',
        reqBodySize: 13,
        respBody: '',
        respBodySize: 0,
      },
    ]);
  });

  it('gives the same exchanges when every byte arrives in its own syscall', () => {
    const whole = runScript(stitcher(), [
      { kind: 'request', bytes: POST },
      { kind: 'response', bytes: CHUNKED },
    ]);
    const cuts = (s: string) => Array.from({ length: s.length }, (_, i) => i);
    const split = runScript(stitcher(), [
      ...splitSteps('request', POST, cuts(POST)),
      ...splitSteps('response', CHUNKED, cuts(CHUNKED)),
    ]);
    expect(split.map(summary)).toEqual(whole.map(summary));
    expect(whole).toHaveLength(1);
  });

  it('pairs pipelined requests sent in one write with responses read in one read', () => {
    const out = runScript(stitcher(), [
      { kind: 'request', bytes: GET + POST + GET },
      { kind: 'response', bytes: OK + CREATED + CHUNKED },
    ]);
    expect(out.map((x) => [x.req.head.method, x.resp.head.status])).toEqual([
      ['GET', 200],
      ['POST', 201],
      ['GET', 200],
    ]);
  });

  it('de-chunks a chunked body, keeping trailers out of it', () => {
    const [x] = runScript(stitcher(), [
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: CHUNKED },
    ]);
    expect(summary(x!).respBody).toBe('hello, world');
    expect(x!.resp.bodySize).toBe(12);
  });

  it('reads chunk sizes in either case, with whitespace and extensions, and refuses bad ones', () => {
    const chunked = (sizeLine: string) =>
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${sizeLine}\r\n${'x'.repeat(26)}\r\n0\r\n\r\n`;
    for (const line of ['1a', '1A', '01A \t', '1a;name="v"', '00000000001a']) {
      const s = stitcher();
      const [x] = runScript(s, [
        { kind: 'request', bytes: GET },
        { kind: 'response', bytes: chunked(line) },
      ]);
      expect({ line, size: x?.resp.bodySize, errors: s.errors() }).toEqual({
        line,
        size: 26,
        errors: 0,
      });
    }
    for (const line of ['', 'g', ' 1a', '1a x', '000000000001a', '-1a']) {
      const s = stitcher();
      const out = runScript(s, [
        { kind: 'request', bytes: GET },
        { kind: 'response', bytes: chunked(line) },
      ]);
      expect({ line, exchanges: out.length, failed: s.errors() > 0 }).toEqual({
        line,
        exchanges: 0,
        failed: true,
      });
    }
  });

  it('ends an HTTP/1.0 response without a length at the close, not before', () => {
    const s = stitcher();
    const early = runScript(
      s,
      [
        { kind: 'request', bytes: 'GET / HTTP/1.0\r\n\r\n' },
        { kind: 'response', bytes: 'HTTP/1.0 200 OK\r\nServer: py\r\n\r\n<html>' },
        { kind: 'response', bytes: '</html>' },
      ],
      false,
    );
    expect(early).toEqual([]);
    const [x] = s.close();
    expect(summary(x!).respBody).toBe('<html></html>');
    expect(x!.resp.head.minorVersion).toBe(0);
  });

  it('skips 100 Continue and pairs the final response', () => {
    const out = runScript(stitcher(), [
      { kind: 'request', bytes: POST.replace('Host: svc', 'Host: svc\r\nExpect: 100-continue') },
      { kind: 'response', bytes: 'HTTP/1.1 100 Continue\r\n\r\n' },
      { kind: 'response', bytes: CREATED },
    ]);
    expect(out.map((x) => x.resp.head.status)).toEqual([201]);
  });

  it('reads no body after HEAD, 204 and 304 even with a Content-Length', () => {
    const out = runScript(stitcher(), [
      { kind: 'request', bytes: 'HEAD /big HTTP/1.1\r\n\r\n' },
      { kind: 'response', bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n' },
      { kind: 'request', bytes: 'GET /cached HTTP/1.1\r\n\r\n' },
      { kind: 'response', bytes: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 77\r\n\r\n' },
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: OK },
    ]);
    expect(out.map((x) => [x.req.head.method, x.resp.head.status, x.resp.bodySize])).toEqual([
      ['HEAD', 200, 0],
      ['GET', 304, 0],
      ['GET', 200, 11],
    ]);
  });

  it('measures latency from the first request byte to the last response byte', () => {
    const [x] = runScript(stitcher(), [
      { kind: 'request', bytes: 'POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\n', ts: 1000 },
      { kind: 'request', bytes: 'abc', ts: 1500 },
      { kind: 'response', bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n', ts: 9000 },
      { kind: 'response', bytes: 'ok', ts: 9700 },
    ]);
    expect(x!.resp.endTs - x!.req.startTs).toBe(8700);
  });

  it('keeps the full body size when the capture truncated the body', () => {
    const body = 'x'.repeat(10000);
    const resp = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const out = runScript(stitcher(), [
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: resp, captured: 4096 },
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: OK },
    ]);
    expect(out.map((x) => [x.resp.head.status, x.resp.bodySize])).toEqual([
      [200, 10000],
      [200, 11],
    ]);
    expect(out[0]!.resp.body.length).toBe(1024);
  });

  it('truncates kept bodies to the limit and keeps their sizes', () => {
    const [x] = runScript(stitcher(4), [
      { kind: 'request', bytes: POST },
      { kind: 'response', bytes: CHUNKED },
    ]);
    expect(summary(x!)).toMatchObject({
      reqBody: '{"it',
      reqBodySize: 13,
      respBody: 'hell',
      respBodySize: 12,
    });
  });

  it('recovers at the next message after a lost response event', () => {
    const s = stitcher();
    const out = runScript(s, [
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' },
      { kind: 'response', bytes: '5\r\nhello\r\n', lost: true },
      { kind: 'response', bytes: '0\r\n\r\n', lost: true },
      { kind: 'request', bytes: POST },
      { kind: 'response', bytes: CREATED },
    ]);
    expect(out.map((x) => [x.req.head.method, x.resp.head.status])).toEqual([
      ['GET', 200],
      ['POST', 201],
    ]);
  });

  it('drops the unanswered request when a whole response was lost', () => {
    const s = stitcher();
    const out = runScript(s, [
      { kind: 'request', bytes: GET, ts: 1 },
      { kind: 'response', bytes: OK, ts: 2, lost: true },
      { kind: 'request', bytes: POST, ts: 3 },
      { kind: 'response', bytes: CREATED, ts: 4 },
    ]);
    expect(out.map((x) => [x.req.head.method, x.resp.head.status])).toEqual([['POST', 201]]);
    expect(s.errors()).toBeGreaterThan(0);
  });

  it('ignores garbage and parses the next message that starts a syscall chunk', () => {
    const s = stitcher();
    const out = runScript(s, [
      { kind: 'request', bytes: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage' },
      { kind: 'request', bytes: 'NOT HTTP AT ALL\r\n\r\n' },
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: OK },
    ]);
    expect(out.map((x) => x.req.head.target)).toEqual(['/api/users?id=7']);
    expect(s.errors()).toBeGreaterThan(0);
  });

  it('stops parsing after 101 Switching Protocols', () => {
    const out = runScript(stitcher(), [
      {
        kind: 'request',
        bytes: 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      },
      { kind: 'response', bytes: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n' },
      { kind: 'request', bytes: '\x81\x85GET / HTTP/1.1\r\n\r\n' },
      { kind: 'response', bytes: OK },
    ]);
    expect(out.map((x) => x.resp.head.status)).toEqual([101]);
  });

  it('drops a request whose response never came when the connection closes', () => {
    const s = stitcher();
    const out = runScript(s, [{ kind: 'request', bytes: GET }]);
    expect(out).toEqual([]);
    expect(s.errors()).toBe(1);
  });

  it('keeps no view of shared capture memory in held chunks or in the messages it returns', () => {
    // Events arrive as slices of a shared pool; whatever outlives its push must not pin it.
    const pool = new Uint8Array(64 * 1024);
    const put = (text: string, at: number) => {
      pool.set(Buffer.from(text, 'latin1'), at);
      return pool.subarray(at, at + text.length);
    };
    const s = stitcher();
    const head = POST.slice(0, POST.length - 5);
    let out = s.push('request', { pos: 0, size: head.length, ts: 1, data: put(head, 0) });
    expect(out).toEqual([]);
    const tail = POST.slice(head.length);
    out = s.push('request', { pos: head.length, size: tail.length, ts: 2, data: put(tail, 9000) });
    out = s.push('response', { pos: 0, size: OK.length, ts: 3, data: put(OK, 20000) });
    expect(out).toHaveLength(1);
    const [x] = out;
    expect(summary(x!)).toMatchObject({ reqBody: '{"item":"a1"}', respBody: '{"ok":true}' });
    for (const body of [x!.req.body, x!.resp.body]) expect(body.buffer).not.toBe(pool.buffer);
    // A request held while its body is incomplete holds a copy, not the pool.
    const held = 'POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345';
    s.push('request', { pos: POST.length, size: held.length, ts: 4, data: put(held, 30000) });
    pool.fill(0x21);
    s.push('request', {
      pos: POST.length + held.length,
      size: 5,
      ts: 5,
      data: put('67890', 40000),
    });
    const [y] = s.push('response', {
      pos: OK.length,
      size: OK.length,
      ts: 6,
      data: put(OK, 50000),
    });
    expect(summary(y!)).toMatchObject({ target: '/a', reqBody: '1234567890' });
  });

  it('rejects conflicting Content-Length values instead of guessing', () => {
    const s = stitcher();
    const out = runScript(s, [
      {
        kind: 'request',
        bytes: 'POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc',
      },
      { kind: 'request', bytes: GET },
      { kind: 'response', bytes: OK },
    ]);
    expect(out.map((x) => x.req.head.target)).toEqual(['/api/users?id=7']);
  });
});
