import {
  dnsAnswer,
  dnsMessage,
  dnsQuery,
  encodeName,
  rdata,
} from '../../../../test/support/dns-build';
import { DnsMessage, parseDnsMessage } from './dns-message';

const LIMITS = { maxQuestions: 8, maxAnswers: 64 };

function parsed(bytes: Uint8Array, cut = false): DnsMessage {
  const p = parseDnsMessage(bytes, LIMITS, cut);
  if (!p.ok) throw new Error(`expected a message: ${p.reason}`);
  return p.msg;
}

function reason(bytes: Uint8Array, cut = false): string {
  const p = parseDnsMessage(bytes, LIMITS, cut);
  if (p.ok) throw new Error('expected a failure');
  return p.reason;
}

const answer = (type: number, data: Uint8Array, name = 'x.test') => ({ name, type, rdata: data });

describe('parseDnsMessage', () => {
  it('reads the header, the question and an A answer', () => {
    const m = parsed(dnsAnswer(0xc6fa, 'pixie.ai', 1, [answer(1, rdata.a('1.2.3.4'), 'pixie.ai')]));
    expect(m.header).toEqual({
      txid: 0xc6fa,
      flags: 0x8180,
      numQueries: 1,
      numAnswers: 1,
      numAuth: 0,
      numAddl: 0,
    });
    expect(m.questions).toEqual([{ name: 'pixie.ai', type: 1, cls: 1 }]);
    expect(m.answers).toEqual([
      { name: 'pixie.ai', type: 1, cls: 1, ttl: 60, data: { addr: '1.2.3.4' } },
    ]);
    expect(m.complete).toBe(true);
  });

  it('decodes the data of every common record type', () => {
    const cases: [number, Uint8Array, Record<string, unknown>][] = [
      [5, rdata.name('web.test'), { cname: 'web.test' }],
      [2, rdata.name('ns1.test'), { ns: 'ns1.test' }],
      [12, rdata.name('host.test'), { ptr: 'host.test' }],
      [15, rdata.mx(10, 'mail.test'), { preference: 10, exchange: 'mail.test' }],
      [16, rdata.txt('v=spf1 -all', 'h\u00e9', ''), { txt: ['v=spf1 -all', 'h\u00e9', ''] }],
      [
        33,
        rdata.srv(1, 5, 8080, 'web.test'),
        { priority: 1, weight: 5, port: 8080, target: 'web.test' },
      ],
      [
        6,
        rdata.soa('ns.test', 'hostmaster.test', 2026120601, 1200, 180, 1209600, 600),
        {
          mname: 'ns.test',
          rname: 'hostmaster.test',
          serial: 2026120601,
          refresh: 1200,
          retry: 180,
          expire: 1209600,
          minimum: 600,
        },
      ],
      [65, Buffer.from([0, 1, 0]), {}],
    ];
    for (const [type, data, want] of cases) {
      const [a] = parsed(dnsAnswer(7, 'x.test', type, [answer(type, data)])).answers;
      expect([type, a!.data]).toEqual([type, want]);
    }
  });

  it.each([
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['1::', '00010000000000000000000000000000'],
    ['fd00::7', 'fd000000000000000000000000000007'],
    ['2001:db8::1:0:0:1', '20010db8000000000001000000000001'],
    ['2001:db8:0:1:1:1:1:1', '20010db8000000010001000100010001'],
    ['::ffff:10.1.2.3', '00000000000000000000ffff0a010203'],
    ['::10.1.2.3', '0000000000000000000000000a010203'],
  ])('writes AAAA %s as inet_ntop does', (text, hex) => {
    const [a] = parsed(dnsAnswer(7, 'x.test', 28, [answer(28, Buffer.from(hex, 'hex'))])).answers;
    expect(a!.data).toEqual({ addr: text });
  });

  it('follows compression pointers, in questions and in record data', () => {
    // www.test at 12; the answer's name points to it; its CNAME is "web" + a pointer to "test".
    const head = Buffer.from('000181800001000100000000', 'hex');
    const question = Buffer.concat([encodeName('www.test'), Buffer.of(0, 5, 0, 1)]);
    const cname = Buffer.concat([Buffer.of(3), Buffer.from('web'), Buffer.of(0xc0, 16)]);
    const record = Buffer.concat([
      Buffer.of(0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, cname.length),
      cname,
    ]);
    const m = parsed(Buffer.concat([head, question, record]));
    expect(m.answers).toEqual([
      { name: 'www.test', type: 5, cls: 1, ttl: 60, data: { cname: 'web.test' } },
    ]);
  });

  it.each([
    ['a pointer to itself', [0xc0, 12]],
    ['a pointer forward', [0xc0, 14, 0]],
    ['a pointer into its own labels', [1, 0x61, 0xc0, 12]],
    ['an extended label type', [0x40, 1]],
  ])('rejects a name with %s', (_what, name) => {
    const msg = Buffer.concat([
      Buffer.from('000101000001000000000000', 'hex'),
      Buffer.from(name),
      Buffer.of(0, 1, 0, 1),
    ]);
    expect(reason(msg)).toMatch(/pointer|label type/);
  });

  it('rejects two names pointing to each other (one pointer must point forward)', () => {
    // Name A at 12 is "a" + pointer to 17; name B at 17 is "b" + pointer to 12.
    const msg = Buffer.concat([
      Buffer.from('000101000002000000000000', 'hex'),
      Buffer.of(1, 0x61, 0xc0, 17, 0, 1, 0, 1),
      Buffer.of(1, 0x62, 0xc0, 12, 0, 1, 0, 1),
    ]);
    expect(reason(msg)).toMatch(/does not point back/);
  });

  it('rejects names longer than 255 octets, and accepts 255', () => {
    const long = (n: number) => Array.from({ length: n }, () => 'a'.repeat(62)).join('.');
    // Four labels of 62 bytes and one of 2: 4 * 63 + 3 + 1 = 256 octets; of 1: 255.
    expect(reason(dnsQuery(1, `${long(4)}.bb`, 1))).toMatch(/longer than 255/);
    expect(parsed(dnsQuery(1, `${long(4)}.b`, 1)).questions[0]!.name).toHaveLength(4 * 63 + 1);
  });

  it('writes the root as "." and escapes dots, backslashes and unprintable bytes in labels', () => {
    const name = Buffer.concat([
      Buffer.of(4),
      Buffer.from('a.b\\', 'latin1'),
      Buffer.of(2, 0x20, 0xff, 0),
    ]);
    const msg = Buffer.concat([
      Buffer.from('000101000002000000000000', 'hex'),
      name,
      Buffer.of(0, 1, 0, 1, 0, 0, 2, 0, 1),
    ]);
    expect(parsed(msg).questions.map((x) => x.name)).toEqual(['a\\.b\\\\.\\032\\255', '.']);
  });

  it('checks every length: record data past the end, an address of the wrong size, leftovers', () => {
    const full = dnsAnswer(7, 'x.test', 1, [answer(1, rdata.a('1.2.3.4'))]);
    expect(reason(full.subarray(0, full.length - 1))).toMatch(/past the end/);
    expect(reason(dnsAnswer(7, 'x.test', 1, [answer(1, Buffer.of(1, 2, 3))]))).toMatch(/not 4/);
    const mx = Buffer.concat([rdata.mx(10, 'mail.test'), Buffer.of(9)]);
    expect(reason(dnsAnswer(7, 'x.test', 15, [answer(15, mx)]))).toMatch(/left over/);
    expect(reason(Buffer.alloc(11))).toMatch(/shorter than a header/);
  });

  it('keeps what a capture cut short holds, when told the message was cut', () => {
    const full = dnsAnswer(7, 'web.test', 1, [
      answer(1, rdata.a('10.0.0.1'), 'web.test'),
      answer(1, rdata.a('10.0.0.2'), 'web.test'),
    ]);
    const m = parsed(full.subarray(0, full.length - 3), true);
    expect(m.complete).toBe(false);
    expect(m.answers.map((a) => a.data)).toEqual([{ addr: '10.0.0.1' }]);
    expect(reason(full.subarray(0, 14), true)).toMatch(/past the end/);
  });

  it('keeps at most the configured questions and answers', () => {
    const many = Array.from({ length: 70 }, (_, i) => answer(1, rdata.a(`10.0.0.${i}`)));
    const msg = dnsMessage({
      id: 1,
      flags: 0x8180,
      questions: [{ name: 'x.test', type: 1 }],
      answers: many,
    });
    const m = parsed(msg);
    expect(m.header.numAnswers).toBe(70);
    expect(m.answers).toHaveLength(64);
    expect(m.complete).toBe(true);
  });
});
