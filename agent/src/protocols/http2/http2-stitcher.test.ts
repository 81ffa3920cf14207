import { ScriptStep, runScript } from '../../../../test/support/http-script';
import {
  clientStart,
  data,
  frame,
  goaway,
  headers,
  indexed,
  literal,
  pushPromise,
  rstStream,
  settings,
  sizeUpdate,
} from '../../../../test/support/http2-frames';
import { h2summary, shortH2 } from '../../../../test/support/http2-summary';
import { Flag, FrameType, SETTINGS_HEADER_TABLE_SIZE } from './frame';
import { DEFAULT_STITCHER_LIMITS, StitcherLimits } from '../http/http-stitcher';
import { DEFAULT_HTTP2_LIMITS, Http2Limits, Http2Stitcher } from './http2-stitcher';
import { fieldValue } from './http2-stream';

const req = (bytes: Buffer): ScriptStep => ({ kind: 'request', bytes });
const resp = (bytes: Buffer): ScriptStep => ({ kind: 'response', bytes });

/** GET `path` (static :method, :scheme; literal :path and :authority added to the table). */
const getBlock = (path: string) =>
  Buffer.concat([indexed(2), indexed(6), literal(4, path), literal(1, 'svc', 'indexing')]);
const okBlock = (status = '200') =>
  status === '200' ? Buffer.concat([indexed(8), literal(31, 'text/plain')]) : literal(8, status);

function run(
  steps: readonly ScriptStep[],
  limits: StitcherLimits & Partial<Http2Limits> = DEFAULT_HTTP2_LIMITS,
  close = true,
) {
  const s = new Http2Stitcher(limits);
  const out = runScript(s, [req(clientStart()), resp(settings([])), ...steps], close);
  return { s, out, errors: s.errorCounts() };
}

/** A whole exchange on one stream: a GET and a 200 answer with `body`. */
function exchange(id: number, path: string, body: string): ScriptStep[] {
  return [
    req(headers(id, getBlock(path), { endStream: true })),
    resp(headers(id, okBlock())),
    resp(data(id, body, true)),
  ];
}

describe('Http2Stitcher', () => {
  it('pairs each stream of interleaved ones with its own request, body and status', () => {
    const { out, s } = run([
      req(headers(1, getBlock('/a'), { endStream: true })),
      req(headers(3, getBlock('/b'), { endStream: true })),
      req(headers(5, Buffer.concat([indexed(3), indexed(6), literal(4, '/c'), indexed(62)]))),
      resp(headers(3, okBlock())),
      req(data(5, 'part1;')),
      resp(headers(1, okBlock('404'))),
      resp(data(3, 'body ')),
      req(data(5, 'part2', true)),
      resp(data(1, 'missing', true)),
      resp(data(3, 'of b', true)),
      resp(headers(5, okBlock('201'), { endStream: true })),
    ]);
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ id: 1, path: '/a', status: '404', respBody: 'missing' }),
      expect.objectContaining({ id: 3, path: '/b', status: '200', respBody: 'body of b' }),
      expect.objectContaining({ id: 5, method: 'POST', path: '/c', reqBody: 'part1;part2' }),
    ]);
    expect(fieldValue(out[2]!.req.headers, ':authority')).toBe('svc');
    expect(s.errors()).toBe(0);
    expect(s.pendingRequests()).toBe(0);
  });

  it('joins a header block from HEADERS and CONTINUATION frames split at every byte', () => {
    const block = Buffer.concat([
      getBlock('/split'),
      literal('x-long', 'v'.repeat(40), 'indexing', true),
      literal('x-never', 'secret', 'never'),
    ]);
    for (let cut = 1; cut < block.length; cut++) {
      const { out, s } = run([
        req(headers(1, block, { endStream: true, splits: [cut, cut + 3] })),
        resp(headers(1, okBlock(), { endStream: true, splits: [1] })),
      ]);
      expect(s.errors()).toBe(0);
      expect(out[0]!.req.headers).toEqual([
        { name: ':method', value: 'GET' },
        { name: ':scheme', value: 'http' },
        { name: ':path', value: '/split' },
        { name: ':authority', value: 'svc' },
        { name: 'x-long', value: 'v'.repeat(40) },
        { name: 'x-never', value: 'secret' },
      ]);
    }
  });

  it('leaves padding and priority out of header blocks and bodies', () => {
    const { out, s } = run([
      req(headers(1, getBlock('/p'), { pad: 7, priority: true })),
      req(data(1, 'abc', false, 200)),
      req(data(1, '', true, 0)),
      resp(headers(1, okBlock(), { pad: 0 })),
      resp(data(1, 'xyz', true, 3)),
    ]);
    expect(s.errors()).toBe(0);
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ path: '/p', reqBody: 'abc', reqBodySize: 3, respBody: 'xyz' }),
    ]);
  });

  it('counts padding longer than its frame as malformed and drops that stream only', () => {
    const bad = frame(
      FrameType.HEADERS,
      Flag.END_HEADERS | Flag.END_STREAM | Flag.PADDED,
      1,
      Buffer.from([200, 0x82]),
    );
    const { out, errors } = run([
      req(bad),
      resp(headers(1, okBlock(), { endStream: true })),
      ...exchange(3, '/next', 'ok'),
    ]);
    expect(shortH2(out)).toEqual([['GET', '/next', '200']]);
    expect(errors).toMatchObject({ malformedFrames: 1, lostHeaderBlocks: 1 });
  });

  it('follows the encoder as it evicts entries from its dynamic table, and never guesses', () => {
    // The client's encoder keeps at most 100 bytes: two 40-byte entries, not three.
    const entry = (i: number) => literal(`x-${i}`, `v${i}`.padEnd(5, '.'), 'indexing');
    const get = (path: string, ...rest: Buffer[]) =>
      headers(path === '/1' ? 1 : 3, Buffer.concat([indexed(2), literal(4, path), ...rest]), {
        endStream: true,
      });
    const { out, errors } = run([
      req(
        headers(
          1,
          Buffer.concat([sizeUpdate(100), indexed(2), literal(4, '/1'), entry(1), entry(2)]),
          { endStream: true },
        ),
      ),
      resp(headers(1, okBlock(), { endStream: true })),
      // x-3 evicts x-1: 62 is x-3, 63 is x-2, and 64 (x-1) is no longer there.
      req(get('/2', entry(3), indexed(62), indexed(63), indexed(64))),
      resp(headers(3, okBlock(), { endStream: true })),
    ]);
    expect(out[1]!.req.headers.map((f) => `${f.name}=${f.value}`)).toEqual([
      ':method=GET',
      ':path=/2',
      'x-3=v3...',
      'x-3=v3...',
      'x-2=v2...',
    ]);
    expect(errors.unknownIndexFields).toBe(1);
    expect(out[1]!.req.lostFields).toBe(1);
  });

  it("bounds the client's table by the server's SETTINGS_HEADER_TABLE_SIZE", () => {
    const { out, errors } = run([
      resp(settings([[SETTINGS_HEADER_TABLE_SIZE, 64]])),
      req(headers(1, Buffer.concat([getBlock('/a'), literal('x-a', 'a'.repeat(20), 'indexing')]))),
      req(data(1, '', true)),
      resp(headers(1, okBlock(), { endStream: true })),
      req(
        headers(3, Buffer.concat([indexed(2), literal(4, '/b'), indexed(62), indexed(63)]), {
          endStream: true,
        }),
      ),
      resp(headers(3, okBlock(), { endStream: true })),
    ]);
    // 64 bytes hold x-a (55) alone: :authority (42) was evicted when x-a came.
    expect(out[1]!.req.headers.map((f) => f.name)).toEqual([':method', ':path', 'x-a']);
    expect(errors.unknownIndexFields).toBe(1);
  });

  it('drops a stream reset before its response headers, and counts it', () => {
    const { out, errors } = run([
      req(headers(1, getBlock('/r'), { endStream: true })),
      resp(rstStream(1, 7)),
      ...exchange(3, '/ok', 'fine'),
    ]);
    expect(shortH2(out)).toEqual([['GET', '/ok', '200']]);
    expect(errors.resetStreams).toBe(1);
  });

  it('reports a stream reset after its response headers with the body seen so far', () => {
    const { out, errors } = run([
      req(headers(1, getBlock('/stream'), { endStream: true })),
      resp(headers(1, okBlock())),
      resp(data(1, 'first chunk')),
      req(rstStream(1, 8)),
    ]);
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ path: '/stream', status: '200', respBody: 'first chunk' }),
    ]);
    expect(out[0]!.resp.ended).toBe(false);
    expect(errors.resetStreams).toBe(0);
  });

  it('at close, reports streams with both header blocks and counts those without', () => {
    const { out, errors } = run([
      req(headers(1, getBlock('/half'), { endStream: true })),
      resp(headers(1, okBlock())),
      resp(data(1, 'cut')),
      req(headers(3, getBlock('/none'), { endStream: true })),
    ]);
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ path: '/half', respBody: 'cut' }),
    ]);
    expect(errors.abandonedStreams).toBe(1);
  });

  it('drops the streams a GOAWAY says were not processed', () => {
    const { out, errors } = run([
      req(headers(1, getBlock('/a'), { endStream: true })),
      req(headers(3, getBlock('/b'), { endStream: true })),
      req(headers(5, getBlock('/c'), { endStream: true })),
      resp(goaway(1)),
      resp(headers(1, okBlock(), { endStream: true })),
    ]);
    expect(shortH2(out)).toEqual([['GET', '/a', '200']]);
    expect(errors.abandonedStreams).toBe(2);
  });

  it('skips informational (1xx) responses before the final one', () => {
    const { out } = run([
      req(
        headers(
          1,
          Buffer.concat([
            indexed(3),
            indexed(6),
            literal(4, '/up'),
            literal('expect', '100-continue'),
          ]),
        ),
      ),
      resp(headers(1, literal(8, '100'))),
      req(data(1, 'payload', true)),
      resp(headers(1, okBlock('201'))),
      resp(data(1, 'done', true)),
    ]);
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ path: '/up', status: '201', reqBody: 'payload', respBody: 'done' }),
    ]);
  });

  it('reports a pushed response with the request its PUSH_PROMISE carried', () => {
    const { out, s } = run([
      req(headers(1, getBlock('/page'), { endStream: true })),
      resp(
        pushPromise(
          1,
          2,
          Buffer.concat([indexed(2), indexed(6), literal(4, '/style.css'), literal(1, 'svc')]),
        ),
      ),
      resp(headers(1, okBlock())),
      resp(data(1, '<html>', true)),
      resp(headers(2, okBlock())),
      resp(data(2, 'body{}', true)),
    ]);
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ id: 1, path: '/page', respBody: '<html>' }),
      expect.objectContaining({ id: 2, path: '/style.css', respBody: 'body{}' }),
    ]);
    expect(s.errors()).toBe(0);
  });

  it('skips a header block past the limit, and counts what it cost', () => {
    const limits = { ...DEFAULT_HTTP2_LIMITS, maxHeaderBlockBytes: 256 };
    const big = Buffer.concat([getBlock('/big'), literal('x-big', 'b'.repeat(300), 'indexing')]);
    const { out, errors } = run(
      [
        req(headers(1, big, { endStream: true, splits: [100, 200] })),
        resp(headers(1, okBlock(), { endStream: true })),
        // The skipped block added entries the decoder never saw: 62 is unknown now.
        req(
          headers(3, Buffer.concat([indexed(2), literal(4, '/after'), indexed(62)]), {
            endStream: true,
          }),
        ),
        resp(headers(3, okBlock(), { endStream: true })),
      ],
      limits,
    );
    expect(shortH2(out)).toEqual([['GET', '/after', '200']]);
    expect(errors).toMatchObject({ oversizeFrames: 1, lostHeaderBlocks: 1, unknownIndexFields: 1 });
  });

  it('loses only the stream whose header frame fell in a hole of the capture', () => {
    const steps = [
      { ...req(headers(1, getBlock('/holed'), { endStream: true })), captured: 12 },
      resp(headers(1, okBlock(), { endStream: true })),
      ...exchange(3, '/whole', 'ok'),
    ];
    const { out, errors } = run(steps);
    expect(shortH2(out)).toEqual([['GET', '/whole', '200']]);
    expect(errors.lostHeaderBlocks).toBe(1);
    expect(errors.lostSync).toBe(0);
  });

  it('finds frame boundaries again after a lost event and keeps what follows', () => {
    const { out, errors } = run([
      ...exchange(1, '/before', 'one'),
      { ...req(Buffer.concat([headers(3, getBlock('/lost')), data(3, 'x', true)])), lost: true },
      resp(headers(3, okBlock(), { endStream: true })),
      ...exchange(5, '/after', 'three'),
    ]);
    expect(shortH2(out)).toEqual([
      ['GET', '/before', '200'],
      ['GET', '/after', '200'],
    ]);
    expect(errors.lostSync).toBe(1);
    expect(errors.orphanStreams).toBe(1);
  });

  it('counts a CONTINUATION with no header block before it as malformed', () => {
    const { out, errors } = run([
      req(frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, indexed(2))),
      ...exchange(3, '/ok', 'fine'),
    ]);
    expect(shortH2(out)).toEqual([['GET', '/ok', '200']]);
    expect(errors.malformedFrames).toBe(1);
  });

  it('counts a stream seen only from its response once, however many frames it has', () => {
    const { out, errors } = run([
      resp(headers(7, okBlock())),
      resp(data(7, 'a')),
      resp(data(7, 'b', true)),
      ...exchange(9, '/known', 'k'),
    ]);
    expect(shortH2(out)).toEqual([['GET', '/known', '200']]);
    expect(errors.orphanStreams).toBe(1);
  });

  it('holds at most maxPendingRequests open streams, dropping the oldest', () => {
    const limits = { ...DEFAULT_HTTP2_LIMITS, maxPendingRequests: 2 };
    const { out, errors, s } = run(
      [1, 3, 5].map((id) => req(headers(id, getBlock(`/${id}`), { endStream: true }))),
      limits,
      false,
    );
    expect(out).toEqual([]);
    expect(s.pendingRequests()).toBe(2);
    expect(errors.abandonedStreams).toBe(1);
  });

  it('keeps the first maxBodyBytes of a body and counts all of it', () => {
    const limits = { ...DEFAULT_HTTP2_LIMITS, maxBodyBytes: 5 };
    const { out } = run(
      [
        req(headers(1, getBlock('/big'), { endStream: true })),
        resp(headers(1, okBlock())),
        resp(data(1, 'abc')),
        resp(data(1, 'defgh', true)),
      ],
      limits,
    );
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ respBody: 'abcde', respBodySize: 8 }),
    ]);
  });

  it('keeps at most maxHeadBytes of fields per message, trailers included', () => {
    // The request's fields take 41 bytes; the response's headers 32, with room for 9 more.
    const limits = { ...DEFAULT_HTTP2_LIMITS, maxHeadBytes: 41 };
    const trailer = (i: number) => headers(1, literal(`x-t${i}`, 'v'.repeat(10)));
    const { out, errors } = run(
      [
        req(headers(1, getBlock('/t'), { endStream: true })),
        resp(headers(1, okBlock())),
        ...[1, 2, 3].map((i) => resp(trailer(i))),
        resp(headers(1, literal('x-last', 'v'), { endStream: true })),
      ],
      limits,
    );
    expect(out[0]!.resp.trailers.map((f) => f.name)).toEqual(['x-last']);
    expect(errors.droppedFields).toBe(3);
  });

  it('keeps copies of what it holds across pushes, not views of the chunks', () => {
    const s = new Http2Stitcher();
    const pos = { request: 0, response: 0 };
    const chunks: Buffer[] = [];
    const push = (kind: 'request' | 'response', bytes: Buffer) => {
      const data = Buffer.from(bytes);
      chunks.push(data);
      const out = s.push(kind, { pos: pos[kind], size: data.length, ts: 1, data });
      pos[kind] += data.length;
      return out;
    };
    push('request', clientStart());
    push('response', settings([]));
    // A header block waiting for its CONTINUATION, then a body waiting for its end, each
    // while the chunks it came in are overwritten.
    const request = headers(1, getBlock('/copied'), { endStream: true, splits: [5] });
    push('request', request.subarray(0, 14));
    for (const c of chunks) c.fill(0x78);
    push('request', request.subarray(14));
    push('response', Buffer.concat([headers(1, okBlock()), data(1, 'first')]));
    for (const c of chunks) c.fill(0x78);
    const out = push('response', data(1, ' second', true));
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ path: '/copied', status: '200', respBody: 'first second' }),
    ]);
  });

  it('parses a client side that was joined midway from the first chunk that starts frames', () => {
    const s = new Http2Stitcher();
    const out = runScript(s, [
      { kind: 'request', bytes: Buffer.from('tail of something else') },
      req(headers(1, getBlock('/mid'), { endStream: true })),
      resp(headers(1, okBlock(), { endStream: true })),
    ]);
    expect(shortH2(out)).toEqual([['GET', '/mid', '200']]);
    expect(s.errorCounts().lostSync).toBe(1);
  });

  it("takes the tracker's HTTP/1 limits, HTTP/2's own defaulted", () => {
    const { out } = run(exchange(1, '/body', 'abcdef'), {
      ...DEFAULT_STITCHER_LIMITS,
      maxBodyBytes: 3,
    } as Http2Limits);
    expect(out.map(h2summary)).toEqual([
      expect.objectContaining({ path: '/body', respBody: 'abc', respBodySize: 6 }),
    ]);
  });

  it('counts the bytes it holds while a frame is incomplete', () => {
    const s = new Http2Stitcher();
    runScript(s, [req(clientStart())], false);
    const partial = headers(1, getBlock('/partial'), { endStream: true }).subarray(0, 20);
    s.push('request', { pos: clientStart().length, size: 20, ts: 1, data: partial });
    // The chunk is held whole until all of it is parsed.
    expect(s.bufferedBytes()).toBe(20);
  });

  it('ignores what comes after close, and close twice', () => {
    const s = new Http2Stitcher();
    runScript(s, [req(clientStart())]);
    expect(
      s.push('request', { pos: 100, size: 9, ts: 1, data: headers(1, getBlock('/x')) }),
    ).toEqual([]);
    expect(s.close()).toEqual([]);
  });
});
