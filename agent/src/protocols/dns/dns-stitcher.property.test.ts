import fc from 'fast-check';
import { join } from 'node:path';
import { readCapture } from '../../../../test/support/capture-proxy';
import { dnsAnswer, dnsQuery, rdata, tcpFramed } from '../../../../test/support/dns-build';
import { fuzzParams } from '../../../../test/support/fuzz';
import { mutate, mutationsArb } from '../../../../test/support/mutate';
import { runScript, splitSteps } from '../../../../test/support/http-script';
import { answersJson, queriesJson } from './dns-json';
import { parseDnsMessage } from './dns-message';
import { DnsExchange, DnsStitcher, DnsStitcherLimits, DnsTransport } from './dns-stitcher';

const limits: DnsStitcherLimits = {
  maxQuestions: 4,
  maxAnswers: 8,
  maxBufferBytes: 4096,
  maxPendingRequests: 8,
  requestTimeoutNs: 1e9,
};

const transportArb = fc.constantFrom<DnsTransport>('udp', 'tcp');

/** Bytes that are often almost DNS: real messages, their pieces and random bytes. */
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .record({ id: fc.nat(0xffff), name: fc.stringMatching(/^[a-z]{1,10}(\.[a-z]{1,10}){0,3}$/) })
    .map(({ id, name }) => dnsQuery(id, name, 1)),
  fc
    .tuple(
      fc.nat(0xffff),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
    )
    .map(([id, ip]) =>
      tcpFramed(dnsAnswer(id, 'x.test', 1, [{ name: 'x.test', type: 1, rdata: Buffer.from(ip) }])),
    ),
);

/** Names made of labels and compression pointers anywhere, and counts that lie. */
const lyingMessageArb = fc
  .tuple(
    fc.uint8Array({ minLength: 12, maxLength: 12 }),
    fc.array(
      fc.oneof(
        fc.constantFrom(
          Uint8Array.of(0xc0, 12),
          Uint8Array.of(0xc0, 0),
          Uint8Array.of(0xff, 0xff),
          Uint8Array.of(0),
        ),
        fc
          .string({ minLength: 1, maxLength: 63 })
          .map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l, 'latin1')])),
        fc.uint8Array({ maxLength: 12 }),
      ),
      { maxLength: 30 },
    ),
  )
  .map(([head, parts]) => Buffer.concat([head, ...parts]));

describe('DNS parsing under arbitrary input', () => {
  it('parseDnsMessage never throws, and keeps within its limits, on random and lying bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 600 }), lyingMessageArb),
        fc.boolean(),
        (bytes, cut) => {
          const p = parseDnsMessage(bytes, limits, cut);
          if (!p.ok) return;
          expect(p.msg.questions.length).toBeLessThanOrEqual(limits.maxQuestions);
          expect(p.msg.answers.length).toBeLessThanOrEqual(limits.maxAnswers);
          for (const n of [...p.msg.questions, ...p.msg.answers].map((x) => x.name)) {
            // 255 octets, each written as at most four characters (\DDD).
            expect(n.length).toBeLessThanOrEqual(4 * 255);
          }
          expect(() => answersJson(p.msg) + queriesJson(p.msg)).not.toThrow();
        },
      ),
      fuzzParams(2000),
    );
  });

  it('DnsStitcher never throws and stays in budget on random chunks at random positions', () => {
    fc.assert(
      fc.property(
        transportArb,
        fc.array(
          fc.record({
            kind: fc.constantFrom('request' as const, 'response' as const),
            pos: fc.nat(20000),
            extra: fc.nat(300),
            data: bytesArb,
            ts: fc.nat(3e9),
          }),
          { maxLength: 40 },
        ),
        fc.boolean(),
        (transport, chunks, close) => {
          const s = new DnsStitcher(transport, limits);
          for (const c of chunks) {
            s.push(c.kind, { pos: c.pos, size: c.data.length + c.extra, ts: c.ts, data: c.data });
            expect(s.pendingRequests()).toBeLessThanOrEqual(limits.maxPendingRequests);
            expect(s.heldBytes()).toBeLessThanOrEqual(limits.maxBufferBytes * 2);
          }
          if (close) s.close();
          expect(Number.isInteger(s.errors())).toBe(true);
        },
      ),
      fuzzParams(500),
    );
  });

  it('DnsStitcher never throws on real captures with flipped, inserted, deleted, lost or cut bytes', () => {
    const captures: [string, DnsTransport][] = [
      ['node-resolver-udp', 'udp'],
      ['dig-udp', 'udp'],
      ['dig-tcp', 'tcp'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...captures), mutationsArb, ([name, transport], mutations) => {
        const steps = readCapture(join(__dirname, 'testdata', `${name}.jsonl`));
        const queries = steps.filter((s) => s.kind === 'request').length;
        const mutated = mutate(steps, mutations);
        const out = runScript(new DnsStitcher(transport, limits), mutated);
        expect(out.length).toBeLessThanOrEqual(queries + mutations.length);
      }),
      fuzzParams(500),
    );
  });

  it('finds the same exchanges over TCP however the reads cut the bytes', () => {
    const exchangeArb = fc.record({
      id: fc.nat(0xffff),
      name: fc.stringMatching(/^[a-z]{1,12}\.test$/),
      ip: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
    });
    const summary = (x: DnsExchange) => [x.req.msg.header.txid, answersJson(x.resp.msg)];
    fc.assert(
      fc.property(
        fc.uniqueArray(exchangeArb, { minLength: 1, maxLength: 5, selector: (x) => x.id }),
        fc.array(fc.nat(400), { maxLength: 8 }),
        (exchanges, cuts) => {
          const wire = (split: boolean) =>
            exchanges.flatMap((x) => {
              const q = tcpFramed(dnsQuery(x.id, x.name, 1)).toString('latin1');
              const a = tcpFramed(
                dnsAnswer(x.id, x.name, 1, [
                  { name: x.name, type: 1, rdata: rdata.a(x.ip.join('.')) },
                ]),
              ).toString('latin1');
              const at = (n: number) => (split ? cuts.map((c) => c % n) : []);
              return [
                ...splitSteps('request', q, at(q.length)),
                ...splitSteps('response', a, at(a.length)),
              ];
            });
          const whole = runScript(new DnsStitcher('tcp', limits), wire(false));
          const split = runScript(new DnsStitcher('tcp', limits), wire(true));
          expect(whole.map((x) => x.req.msg.header.txid)).toEqual(exchanges.map((x) => x.id));
          expect(split.map(summary)).toEqual(whole.map(summary));
        },
      ),
      fuzzParams(300),
    );
  });
});
