import fc from 'fast-check';
import { join } from 'node:path';
import { fuzzParams } from '../../../../test/support/fuzz';
import { readCapture } from '../../../../test/support/capture-proxy';
import { ScriptStep, runScript } from '../../../../test/support/http-script';
import {
  clientStart,
  data,
  frame,
  headers,
  indexed,
  literal,
  settings,
  splitAt,
} from '../../../../test/support/http2-frames';
import { h2summary } from '../../../../test/support/http2-summary';
import { mutate, mutationsOf } from '../../../../test/support/mutate';
import { randomChunks } from '../../../../test/support/sql-fuzz';
import { Http2Limits, Http2Stitcher, DEFAULT_HTTP2_LIMITS } from './http2-stitcher';

const limits: Http2Limits = {
  ...DEFAULT_HTTP2_LIMITS,
  maxBodyBytes: 64,
  maxHeadBytes: 1024,
  maxBufferBytes: 8192,
  maxPendingRequests: 8,
  maxHeaderBlockBytes: 2048,
  maxDynamicTableBytes: 1024,
};

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly reqBody: string;
  readonly status: string;
  readonly respBody: string;
  readonly trailer: boolean;
  /** How the header blocks are framed: split points, padding. */
  readonly splits: readonly number[];
  readonly pad: number | undefined;
  readonly huffman: boolean;
}

const exchangeArb: fc.Arbitrary<Exchange> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  path: fc.stringMatching(/^\/[a-z0-9/_.-]{0,30}(\?[a-z0-9=&]{0,20})?$/),
  reqBody: fc.string({ maxLength: 100 }),
  status: fc.constantFrom('200', '201', '204', '404', '500'),
  respBody: fc.string({ maxLength: 150 }),
  trailer: fc.boolean(),
  splits: fc.array(fc.nat(60), { maxLength: 3 }),
  pad: fc.option(fc.nat(20), { nil: undefined }),
  huffman: fc.boolean(),
});

/** The frames of one exchange on stream `id`, each side's in order. */
function frames(x: Exchange, id: number): { req: Buffer[]; resp: Buffer[] } {
  const o = { splits: x.splits, pad: x.pad };
  const reqBlock = Buffer.concat([
    literal(2, x.method, 'indexing', x.huffman),
    indexed(6),
    literal(4, x.path, 'without', x.huffman),
    literal('x-id', String(id), 'indexing', x.huffman),
  ]);
  const respBlock = Buffer.concat([
    literal(8, x.status, 'indexing', x.huffman),
    literal('content-type', 'text/plain', 'indexing', x.huffman),
  ]);
  const req = [headers(id, reqBlock, { ...o, endStream: x.reqBody === '' })];
  if (x.reqBody !== '') req.push(data(id, x.reqBody, true, x.pad));
  const resp = [headers(id, respBlock, o), data(id, x.respBody, !x.trailer, x.pad)];
  if (x.trailer) resp.push(headers(id, literal('grpc-status', '0'), { endStream: true }));
  return { req, resp };
}

/**
 * A connection: the exchanges' frames, each side's bytes cut into syscalls at `cuts`, the sides
 * interleaved by `order` (true: the client's next syscall) as far as causality allows: a
 * response's bytes go only after its whole request.
 */
function conversation(
  exchanges: readonly Exchange[],
  order: readonly boolean[],
  cuts: readonly number[],
): ScriptStep[] {
  const req: Buffer[] = [clientStart()];
  const resp: Buffer[] = [settings([])];
  /** Per response byte range start: the request bytes that must have gone before it. */
  const needs: [respFrom: number, reqUntil: number][] = [];
  let reqBytes = clientStart().length;
  let respBytes = settings([]).length;
  exchanges.forEach((x, i) => {
    const f = frames(x, 2 * i + 1);
    req.push(...f.req);
    reqBytes += f.req.reduce((n, b) => n + b.length, 0);
    needs.push([respBytes, reqBytes]);
    resp.push(...f.resp);
    respBytes += f.resp.reduce((n, b) => n + b.length, 0);
  });
  const reqPieces = cut(Buffer.concat(req), cuts);
  const respPieces = cut(Buffer.concat(resp), cuts);
  const steps: ScriptStep[] = [];
  let sentReq = 0;
  let sentResp = 0;
  let k = 0;
  while (reqPieces.length > 0 || respPieces.length > 0) {
    const next = respPieces[0];
    const lastByte = sentResp + (next?.length ?? 0) - 1;
    const need = needs
      .filter(([from]) => from <= lastByte)
      .reduce((m, [, until]) => Math.max(m, until), 0);
    const wantsResp = order.length === 0 ? false : !order[k++ % order.length];
    if (next && (reqPieces.length === 0 || (wantsResp && sentReq >= need))) {
      steps.push({ kind: 'response', bytes: respPieces.shift()! });
      sentResp += next.length;
    } else {
      const piece = reqPieces.shift()!;
      steps.push({ kind: 'request', bytes: piece });
      sentReq += piece.length;
    }
  }
  return steps;
}

function cut(b: Buffer, cuts: readonly number[]): Buffer[] {
  return splitAt(
    b,
    cuts.map((c) => c % Math.max(b.length, 1)),
  );
}

const frameSoup = fc.array(
  fc.record({
    type: fc.integer({ min: 0, max: 12 }),
    flags: fc.integer({ min: 0, max: 255 }),
    stream: fc.integer({ min: 0, max: 9 }),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.constantFrom(indexed(2), indexed(8), literal(4, '/x', 'indexing'), indexed(62)),
    ),
  }),
  { maxLength: 30 },
);

describe('Http2Stitcher under arbitrary input', () => {
  it('never throws on random chunks at random positions, closed or not, and stays bounded', () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      frameSoup.map((fs) =>
        Buffer.concat(fs.map((f) => frame(f.type, f.flags, f.stream, f.payload))),
      ),
      frameSoup.map((fs) =>
        Buffer.concat([
          clientStart(),
          ...fs.map((f) => frame(f.type, f.flags, f.stream, f.payload)),
        ]),
      ),
    );
    fc.assert(
      fc.property(randomChunks(bytesArb), fc.boolean(), (chunks, close) => {
        const s = new Http2Stitcher(limits);
        for (const c of chunks) {
          s.push(c.kind, { pos: c.pos, size: c.data.length + c.extra, ts: c.ts, data: c.data });
          expect(s.pendingRequests()).toBeLessThanOrEqual(limits.maxPendingRequests);
          expect(s.bufferedBytes()).toBeLessThanOrEqual(
            2 * (limits.maxBufferBytes + limits.maxHeaderBlockBytes),
          );
        }
        if (close) s.close();
        expect(Number.isSafeInteger(s.errors())).toBe(true);
      }),
      fuzzParams(500),
    );
  });

  it('never throws on real captures with flipped, inserted, deleted, lost or truncated bytes', () => {
    const names = [
      'node-h2c',
      'node-h2c-padded',
      'grpc-python',
      'curl-h2c-post',
      'node-h2c-eviction',
    ];
    const captures = new Map(
      names.map((n) => [n, readCapture(join(__dirname, 'testdata', `${n}.jsonl`))]),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        mutationsOf(['flip', 'insert', 'delete', 'lose', 'truncate', 'dup'], { maxLength: 8 }),
        (name, mutations) => {
          const steps = mutate(captures.get(name)!, mutations);
          const s = new Http2Stitcher(limits);
          const out = runScript(s, steps);
          expect(out.length).toBeLessThanOrEqual(steps.length);
          expect(Number.isSafeInteger(s.errors())).toBe(true);
        },
      ),
      fuzzParams(500),
    );
  });

  it('finds the same exchanges however the syscalls cut the frames and interleave the sides', () => {
    fc.assert(
      fc.property(
        fc.array(exchangeArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { maxLength: 20 }),
        fc.array(fc.nat(2000), { maxLength: 10 }),
        (exchanges, order, cuts) => {
          const wide = { ...limits, maxBodyBytes: 1024 };
          const whole = runScript(new Http2Stitcher(wide), conversation(exchanges, [], []));
          const split = new Http2Stitcher(wide);
          const out = runScript(split, conversation(exchanges, order, cuts));
          expect(split.errors()).toBe(0);
          expect(out.map(h2summary)).toEqual(whole.map(h2summary));
          expect([...whole].sort((a, b) => a.streamId - b.streamId).map(h2summary)).toEqual(
            exchanges.map((x, i) => ({
              id: 2 * i + 1,
              method: x.method,
              path: x.path,
              status: x.status,
              reqBody: Buffer.from(x.reqBody, 'latin1').toString('latin1'),
              reqBodySize: Buffer.byteLength(x.reqBody, 'latin1'),
              respBody: Buffer.from(x.respBody, 'latin1').toString('latin1'),
              respBodySize: Buffer.byteLength(x.respBody, 'latin1'),
              trailers: x.trailer ? ['grpc-status: 0'] : [],
            })),
          );
        },
      ),
      fuzzParams(300),
    );
  });
});
