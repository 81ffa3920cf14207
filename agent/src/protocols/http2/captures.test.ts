import { join } from 'node:path';
import { bytewise, readCapture } from '../../../../test/support/capture-proxy';
import { ScriptStep, runScript } from '../../../../test/support/http-script';
import { h2summary, shortH2 } from '../../../../test/support/http2-summary';
import { HeaderField } from './hpack/hpack-decoder';
import { DEFAULT_HTTP2_LIMITS, Http2Stitcher } from './http2-stitcher';
import { Http2Exchange, fieldValue } from './http2-stream';

const capture = (name: string) => readCapture(join(__dirname, 'testdata', `${name}.jsonl`));
const WIDE = { ...DEFAULT_HTTP2_LIMITS, maxHeadBytes: 64 * 1024 };

function run(steps: readonly ScriptStep[], limits = WIDE) {
  const s = new Http2Stitcher(limits);
  const out = runScript(s, steps);
  return { out, errors: s.errorCounts(), total: s.errors() };
}

const CAPTURES = [
  'node-h2c',
  'node-h2c-padded',
  'node-h2c-continuation',
  'node-h2c-eviction',
  'curl-h2c-get',
  'curl-h2c-post',
  'grpc-python',
];
const SAY_HELLO = '/pxgate.test.Greeter/SayHello';
const trailer = (x: Http2Exchange, name: string) =>
  fieldValue(x.resp.trailers, name) ?? fieldValue(x.resp.headers, name);

describe('captured HTTP/2 conversations', () => {
  it('node-h2c: interleaved streams, bodies and trailers from a Node client and server', () => {
    const { out, total } = run(capture('node-h2c'));
    expect(total).toBe(0);
    // /api/slow is answered after /api/fast, which was sent after it on the next stream.
    expect(shortH2(out)).toEqual([
      ['GET', '/api/items?page=2', '200'],
      ['POST', '/api/orders', '201'],
      ['GET', '/api/fast', '200'],
      ['GET', '/api/slow', '200'],
      ['GET', '/status/404', '404'],
      ['GET', '/api/trailers', '200'],
      ['DELETE', '/api/orders/7', '201'],
    ]);
    expect(out.map((x) => x.streamId)).toEqual([1, 3, 7, 5, 9, 11, 13]);
    expect(h2summary(out[1]!)).toMatchObject({
      reqBody: '{"item":"a1","qty":2}',
      reqBodySize: 21,
      respBody: '{"method":"POST","received":21}',
    });
    expect(h2summary(out[5]!)).toMatchObject({
      respBody: 'with trailers',
      trailers: ['x-checksum: c0ffee'],
    });
    // The first request went out in the connection's first write.
    expect(out[0]!.req.startTs).toBe(capture('node-h2c')[0]!.ts);
    for (const x of out) {
      expect(x.req.ended && x.resp.ended).toBe(true);
      expect(x.resp.endTs).toBeGreaterThan(x.req.startTs);
    }
  });

  it('node-h2c-padded: padded HEADERS and DATA give the same messages without the padding', () => {
    const { out, total } = run(capture('node-h2c-padded'));
    expect(total).toBe(0);
    expect(out.map(h2summary)).toMatchObject([
      {
        method: 'POST',
        path: '/api/orders',
        status: '201',
        reqBody: '{"item":"p","qty":9}',
        respBody: '{"method":"POST","received":20}',
      },
      { method: 'GET', path: '/a', status: '200', respBody: '{"method":"GET","received":0}' },
    ]);
  });

  it('node-h2c-continuation: header blocks past one frame, joined from their CONTINUATIONs', () => {
    const { out, total } = run(capture('node-h2c-continuation'));
    expect(total).toBe(0);
    expect(shortH2(out)).toEqual([
      ['GET', '/api/big', '200'],
      ['GET', '/api/after', '200'],
    ]);
    expect(fieldValue(out[0]!.req.headers, 'x-big')).toBe('a'.repeat(17000));
    expect(fieldValue(out[0]!.resp.headers, 'x-big')).toBe('b'.repeat(17000));
  });

  it('node-h2c-continuation: a field past the bytes kept per block is dropped and counted', () => {
    const { out, errors } = run(capture('node-h2c-continuation'), DEFAULT_HTTP2_LIMITS);
    expect(shortH2(out)).toEqual([
      ['GET', '/api/big', '200'],
      ['GET', '/api/after', '200'],
    ]);
    expect(fieldValue(out[0]!.req.headers, 'x-big')).toBeUndefined();
    expect(errors.droppedFields).toBe(2);
    expect(out[0]!.req.lostFields).toBe(1);
  });

  it('node-h2c-eviction: every request header right while the encoder evicts its entries', () => {
    const { out, total } = run(capture('node-h2c-eviction'));
    expect(total).toBe(0);
    expect(out).toHaveLength(14);
    out.forEach((x, i) => {
      expect(fieldValue(x.req.headers, ':path')).toBe(`/api/items/${i}`);
      expect(fieldValue(x.req.headers, 'x-request-id')).toBe(`${i}-`.padEnd(400, 'r'));
      expect(fieldValue(x.req.headers, 'x-tenant')).toBe('acme');
    });
  });

  it.each([
    ['curl-h2c-get', 'GET', '/api/items?page=2', '200', ''],
    ['curl-h2c-post', 'POST', '/api/orders', '201', '{"item":"c1","qty":1}'],
  ])('%s: curl --http2-prior-knowledge', (name, method, path, status, reqBody) => {
    const { out, total } = run(capture(name));
    expect(total).toBe(0);
    expect(out.map(h2summary)).toMatchObject([{ method, path, status, reqBody }]);
    expect(fieldValue(out[0]!.req.headers, 'user-agent')).toMatch(/^curl\//);
  });

  it('grpc-python: unary, failing, server-streaming and unimplemented calls with their status', () => {
    const { out, total } = run(capture('grpc-python'));
    expect(total).toBe(0);
    expect(out.map((x) => [fieldValue(x.req.headers, ':path'), trailer(x, 'grpc-status')])).toEqual(
      [
        [SAY_HELLO, '0'],
        [SAY_HELLO, '0'],
        [SAY_HELLO, '5'],
        [SAY_HELLO, '0'],
        [SAY_HELLO, '0'],
        [SAY_HELLO, '5'],
        ['/pxgate.test.Greeter/ListGreetings', '0'],
        ['/pxgate.test.Greeter/Missing', '12'],
      ],
    );
    expect(trailer(out[2]!, 'grpc-message')).toBe('no such user: fail-2');
    // A Trailers-Only response: one header block, with END_STREAM, carrying the status.
    expect(fieldValue(out[7]!.resp.headers, 'grpc-status')).toBe('12');
    expect(out[7]!.resp.trailers).toEqual([]);
    expect(out[6]!.resp.bodySize).toBe(3 * 29);
    expect(Buffer.from(out[0]!.resp.body).subarray(5).toString('latin1')).toBe('\n\fHello user-0');
  });

  it.each(CAPTURES)('%s: the same exchanges when every byte is its own syscall', (name) => {
    const whole = run(capture(name));
    const split = run(bytewise(capture(name)));
    expect(split.out).toEqual(whole.out);
    expect(split.total).toBe(0);
  });

  it.each(CAPTURES)(
    '%s: joined midway at any point, emits only fields that were there and counts the rest',
    (name) => {
      const steps = capture(name);
      const full = new Map(run(steps).out.map((x) => [x.streamId, x]));
      for (let join = 1; join < steps.length; join++) {
        const { out, errors } = run(steps.map((s, i) => (i < join ? { ...s, lost: true } : s)));
        for (const x of out) {
          const truth = full.get(x.streamId)!;
          expectSubset(x.req.headers, truth.req.headers);
          expectSubset(x.resp.headers, truth.resp.headers);
          expectSubset(x.resp.trailers, truth.resp.trailers);
          expect(Buffer.from(x.resp.body)).toEqual(Buffer.from(truth.resp.body));
          expect(Buffer.from(x.req.body)).toEqual(Buffer.from(truth.req.body));
          expect(x.req.lostFields + x.resp.lostFields).toBe(
            truth.req.headers.length -
              x.req.headers.length +
              truth.resp.headers.length -
              x.resp.headers.length +
              truth.resp.trailers.length -
              x.resp.trailers.length,
          );
        }
        expect(out.length).toBeLessThanOrEqual(full.size);
        // The client's side no longer starts with the preface: its frames were searched for.
        if (steps.slice(join).some((s) => s.kind === 'request')) {
          expect(errors.lostSync).toBeGreaterThan(0);
        }
      }
    },
  );

  it('grpc-python joined after its first call: later calls lose the fields they index', () => {
    const steps = capture('grpc-python');
    // The first call's HEADERS (request) and response frames are in the first reads.
    const firstCallDone = steps.findIndex(
      (s, i) =>
        s.kind === 'response' &&
        i > 0 &&
        Buffer.from(s.bytes as Uint8Array).includes('Hello user-0'),
    );
    const { out, errors } = run(
      steps.map((s, i) => (i <= firstCallDone + 1 ? { ...s, lost: true } : s)),
    );
    expect(errors.unknownIndexFields).toBeGreaterThan(0);
    expect(errors.lostSync).toBeGreaterThan(0);
    // The static table still gives each request's method, and the literal fields what they hold.
    for (const x of out) expect(fieldValue(x.req.headers, ':method')).toBe('POST');
    expect(out.length).toBeGreaterThan(0);
  });
});

/** Every field of `some` is one of `all` (as a multiset). */
function expectSubset(some: readonly HeaderField[], all: readonly HeaderField[]): void {
  const left = all.map((f) => `${f.name}: ${f.value}`);
  for (const f of some) {
    const at = left.indexOf(`${f.name}: ${f.value}`);
    expect(at).toBeGreaterThanOrEqual(0);
    left.splice(at, 1);
  }
}
