import fc from 'fast-check';
import { join } from 'node:path';
import { readCapture } from '../../../../test/support/capture-proxy';
import { dnsQuery } from '../../../../test/support/dns-build';
import { OTHER_PROTOCOLS } from '../../../../test/support/first-bytes';
import { fuzzParams } from '../../../../test/support/fuzz';
import { looksLikeDns } from './dns-infer';

const first = (name: string, kind: 'request' | 'response') =>
  readCapture(join(__dirname, 'testdata', `${name}.jsonl`)).find((s) => s.kind === kind)!
    .bytes as Uint8Array;

describe('looksLikeDns', () => {
  it.each(['node-resolver-udp', 'dig-udp', 'dig-tcp'])(
    '%s: claims the first query and the first answer, each on its own side only',
    (name) => {
      const query = first(name, 'request');
      const answer = first(name, 'response');
      expect([looksLikeDns(query, 'request'), looksLikeDns(answer, 'response')]).toEqual([
        true,
        true,
      ]);
      expect([looksLikeDns(query, 'response'), looksLikeDns(answer, 'request')]).toEqual([
        false,
        false,
      ]);
    },
  );

  it('needs the header and the whole first question to claim a query', () => {
    const q = dnsQuery(1, 'web.test', 1);
    expect(looksLikeDns(q.subarray(0, q.length - 4), 'request')).toBe(false);
    expect(looksLikeDns(q.subarray(0, q.length - 1), 'request')).toBe(false);
    expect(looksLikeDns(q, 'request')).toBe(true);
  });

  it.each(OTHER_PROTOCOLS.map((p) => [p.protocol, p.what, p]))(
    'does not claim %s (%s) on either side',
    (_p, _w, sample) => {
      expect(looksLikeDns(sample.bytes, 'request')).toBe(false);
      expect(looksLikeDns(sample.bytes, 'response')).toBe(false);
    },
  );

  it('does not claim HTTP/1 requests of any method, path and header', () => {
    const line = fc
      .tuple(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'),
        fc.stringMatching(/^\/[!-~]{0,40}$/),
        fc.stringMatching(/^[A-Za-z-]{1,20}: [ -~]{0,40}$/),
      )
      .map(([m, p, h]) => Buffer.from(`${m} ${p} HTTP/1.1\r\n${h}\r\n\r\n`));
    fc.assert(
      fc.property(line, fc.constantFrom('request' as const, 'response' as const), (bytes, side) => {
        expect(looksLikeDns(bytes, side)).toBe(false);
      }),
      fuzzParams(300),
    );
  });
});
