import fc from 'fast-check';
import { fuzzParams } from '../../../../test/support/fuzz';
import { mutate, mutationsOf } from '../../../../test/support/mutate';
import { pushChunks, randomChunks } from '../../../../test/support/sql-fuzz';
import { ScriptStep, runScript, splitSteps, summary } from '../../../../test/support/http-script';
import { HttpStitcher } from './http-stitcher';

const limits = {
  maxBodyBytes: 64,
  maxHeadBytes: 2048,
  maxBufferBytes: 8192,
  maxPendingRequests: 16,
};

interface Exchange {
  method: string;
  path: string;
  reqBody: string;
  reqChunked: boolean;
  status: number;
  respBody: string;
  respChunked: boolean;
}

const exchangeArb: fc.Arbitrary<Exchange> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  path: fc.stringMatching(/^\/[a-z0-9/_.-]{0,30}(\?[a-z0-9=&]{0,20})?$/),
  reqBody: fc.string({ maxLength: 200 }),
  reqChunked: fc.boolean(),
  status: fc.constantFrom(200, 201, 204, 301, 400, 404, 500, 503),
  respBody: fc.string({ maxLength: 300 }),
  respChunked: fc.boolean(),
});

function chunked(body: string, pieces: number): string {
  let out = '';
  const size = Math.max(1, Math.ceil(body.length / pieces));
  for (let i = 0; i < body.length; i += size) {
    const part = body.slice(i, i + size);
    out += `${Buffer.byteLength(part, 'latin1').toString(16)}\r\n${part}\r\n`;
  }
  return `${out}0\r\n\r\n`;
}

function wire(x: Exchange): { req: string; resp: string } {
  const reqBody = x.method === 'GET' ? '' : x.reqBody;
  const req =
    `${x.method} ${x.path} HTTP/1.1\r\nHost: svc\r\n` +
    (x.reqChunked && reqBody
      ? `Transfer-Encoding: chunked\r\n\r\n${chunked(reqBody, 3)}`
      : `Content-Length: ${reqBody.length}\r\n\r\n${reqBody}`);
  const respBody = x.status === 204 ? '' : x.respBody;
  const resp =
    `HTTP/1.1 ${x.status} Reason\r\nServer: t\r\n` +
    (x.status === 204
      ? '\r\n'
      : x.respChunked
        ? `Transfer-Encoding: chunked\r\n\r\n${chunked(respBody, 4)}`
        : `Content-Length: ${respBody.length}\r\n\r\n${respBody}`);
  return { req, resp };
}

/** A conversation, one request then its response, each cut into syscalls at the given points. */
function conversation(exchanges: readonly Exchange[], cuts: readonly number[]): ScriptStep[] {
  return exchanges.flatMap((x, i) => {
    const { req, resp } = wire(x);
    const at = (n: number) => cuts.map((c) => (c * (i + 7)) % Math.max(n, 1));
    return [
      ...splitSteps('request', req, at(req.length)),
      ...splitSteps('response', resp, at(resp.length)),
    ];
  });
}

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        'GET ',
        'HTTP/1.1 ',
        '200 OK',
        '\r\n',
        '\r\n\r\n',
        'Content-Length: 5',
        'Transfer-Encoding: chunked',
        '0\r\n\r\n',
        'ff\r\n',
        ':',
        ' ',
        'x',
      ),
      { maxLength: 40 },
    )
    .map((parts) => Buffer.from(parts.join(''), 'latin1')),
);

describe('HttpStitcher under arbitrary input', () => {
  it('never throws on random chunks at random positions, closed or not', () => {
    fc.assert(
      fc.property(randomChunks(bytesArb), fc.boolean(), (chunks, close) => {
        const s = new HttpStitcher(limits);
        pushChunks(s, chunks, close);
        expect(Number.isFinite(s.errors())).toBe(true);
      }),
      fuzzParams(500),
    );
  });

  it('never throws on valid captures with flipped, inserted, deleted, lost or truncated bytes', () => {
    fc.assert(
      fc.property(
        fc.array(exchangeArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(400), { maxLength: 6 }),
        mutationsOf(['flip', 'insert', 'delete', 'lose', 'truncate'], { minLength: 0 }),
        (exchanges, cuts, mutations) => {
          const steps = mutate(conversation(exchanges, cuts), mutations);
          const out = runScript(new HttpStitcher(limits), steps);
          expect(out.length).toBeLessThanOrEqual(exchanges.length + mutations.length);
        },
      ),
      fuzzParams(500),
    );
  });

  it('finds the same exchanges however the syscalls cut the bytes', () => {
    fc.assert(
      fc.property(
        fc.array(exchangeArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(400), { maxLength: 8 }),
        (exchanges, cuts) => {
          const whole = runScript(new HttpStitcher(limits), conversation(exchanges, []));
          const split = runScript(new HttpStitcher(limits), conversation(exchanges, cuts));
          expect(whole).toHaveLength(exchanges.length);
          expect(split.map(summary)).toEqual(whole.map(summary));
          expect(
            whole.map((x) => [x.req.head.method, x.req.head.target, x.resp.head.status]),
          ).toEqual(exchanges.map((x) => [x.method, x.path, x.status]));
        },
      ),
      fuzzParams(300),
    );
  });
});
