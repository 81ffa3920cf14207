import fc from 'fast-check';
import { join } from 'node:path';
import { bytewise, readCapture } from '../../../../test/support/capture-proxy';
import { ScriptStep, runScript, summary } from '../../../../test/support/http-script';
import { mutate, mutationsOf } from '../../../../test/support/mutate';
import { DEFAULT_STITCHER_LIMITS, HttpStitcher } from './http-stitcher';

const capture = (name: string) => readCapture(join(__dirname, 'testdata', `${name}.jsonl`));

const KEEP_ALIVE = [
  ['GET', '/api/items?page=2', 200],
  ['POST', '/api/orders', 201],
  ['GET', '/api/chunked', 200],
  ['DELETE', '/api/orders/7/status/204', 204],
  ['PUT', '/api/orders/7/status/404', 404],
];
const short = (x: ReturnType<typeof summary>) => [x.method, x.target, x.status];

describe('captured conversations', () => {
  it.each(['node-server', 'node-client', 'python-server', 'python-client'])(
    '%s: five keep-alive exchanges, chunked bodies de-chunked',
    (name) => {
      const out = runScript(new HttpStitcher(), capture(name)).map(summary);
      expect(out.map(short)).toEqual(KEEP_ALIVE);
      expect(out[1]).toMatchObject({ reqBody: '{"item":"a1","qty":2}', reqBodySize: 21 });
      expect(out[2]).toMatchObject({ respBody: 'part one;part two;end', respBodySize: 21 });
      expect(out[3]).toMatchObject({ respBody: '', respBodySize: 0 });
    },
  );

  it.each(['stock-python-server', 'stock-python-client'])(
    '%s: an HTTP/1.0 answer to curl with its whole page',
    (name) => {
      const [x, ...rest] = runScript(
        new HttpStitcher({ ...DEFAULT_STITCHER_LIMITS, maxBodyBytes: 1 << 20 }),
        capture(name),
      );
      expect(rest).toEqual([]);
      expect(x!.resp.head.minorVersion).toBe(0);
      expect(summary(x!)).toMatchObject({
        method: 'GET',
        target: '/',
        status: 200,
        respBodySize: 446,
      });
      expect(Buffer.from(x!.resp.body).toString()).toMatch(/^<!DOCTYPE HTML>[\s\S]*<\/html>\n$/);
    },
  );

  it.each(['node-server', 'python-client', 'stock-python-server'])(
    '%s: the same exchanges when every byte is its own syscall',
    (name) => {
      const whole = runScript(new HttpStitcher(), capture(name)).map(summary);
      expect(runScript(new HttpStitcher(), bytewise(capture(name))).map(summary)).toEqual(whole);
    },
  );

  it('skips garbage before the conversation and parses from the next message', () => {
    const garbage: ScriptStep = {
      kind: 'request',
      bytes: Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfcgarbage\r\n\r\n', 'latin1'),
    };
    const s = new HttpStitcher();
    const out = runScript(s, [garbage, ...capture('node-server')]).map(summary);
    expect(out.map(short)).toEqual(KEEP_ALIVE);
    expect(s.errors()).toBeGreaterThan(0);
  });

  it('keeps every exchange when a chunk is lost, only that body damaged', () => {
    const steps = capture('python-server');
    const lost = steps.findIndex(
      (s) => Buffer.from(s.bytes as Uint8Array).toString() === '9\r\npart two;\r\n',
    );
    steps[lost] = { ...steps[lost]!, lost: true };
    const out = runScript(new HttpStitcher(), steps).map(summary);
    expect(out.map(short)).toEqual(KEEP_ALIVE);
    expect(out[2]!.respBody).not.toBe('part one;part two;end');
    expect(out.filter((_, i) => i !== 2)).toEqual(
      runScript(new HttpStitcher(), capture('python-server'))
        .map(summary)
        .filter((_, i) => i !== 2),
    );
  });

  it('never throws on mutated captures', () => {
    const names = ['node-server', 'node-client', 'python-server', 'stock-python-client'];
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        mutationsOf(['flip', 'cut', 'lose', 'dup'], { maxLength: 8 }),
        (name, mutations) => {
          const steps = mutate(capture(name), mutations);
          const s = new HttpStitcher();
          const out = runScript(s, steps);
          expect(out.length).toBeLessThanOrEqual(steps.length);
          expect(Number.isInteger(s.errors())).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
