import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../../test/support/capture-proxy';
import { ebpfUnavailable } from '../../../test/support/ebpf';
import { OTHER_PROTOCOLS } from '../../../test/support/first-bytes';
import { fuzzParams } from '../../../test/support/fuzz';
import { referenceInfer, referenceMatches } from '../../../test/support/inference-reference';
import { InferInput, KernelInference } from '../../../test/support/kernel-inference';
import { describeIfAvailable } from '../../../test/support/system';
import { Side } from '../protocols/stitcher';
import { Protocol, PX_INFER_BYTES } from './layout';

const PROTOCOLS = join(__dirname, '..', 'protocols');
/** The parsers' captures, with the protocol each is of. */
const CAPTURED: [string, number][] = [
  ['dns', Protocol.DNS],
  ['pgsql', Protocol.PGSQL],
  ['mysql', Protocol.MYSQL],
  ['redis', Protocol.REDIS],
  ['http', Protocol.HTTP],
];

interface CapturedChunk {
  readonly name: string;
  readonly protocol: number;
  readonly transport: 'tcp' | 'udp';
  readonly side: Side;
  /** Whether it is the first chunk of its side. */
  readonly first: boolean;
  readonly bytes: Uint8Array;
}

/** The first chunks of each side of every capture (inference never sees later ones). */
function capturedChunks(): CapturedChunk[] {
  const out: CapturedChunk[] = [];
  for (const [dir, protocol] of CAPTURED) {
    const testdata = join(PROTOCOLS, dir, 'testdata');
    for (const file of readdirSync(testdata).filter((f) => f.endsWith('.jsonl'))) {
      const transport = file.includes('udp') ? 'udp' : 'tcp';
      const steps = readCapture(join(testdata, file));
      for (const side of ['request', 'response'] as const) {
        steps
          .filter((s) => s.kind === side)
          .slice(0, 4)
          .forEach((s, i) => {
            const bytes = s.bytes as Uint8Array;
            out.push({ name: `${dir}/${file}`, protocol, transport, side, first: i === 0, bytes });
          });
      }
    }
  }
  return out;
}

describeIfAvailable("the kernel's protocol inference", ebpfUnavailable(), () => {
  let kernel: KernelInference;
  beforeAll(() => {
    kernel = KernelInference.open();
  });
  afterAll(() => kernel?.close());

  const chunks = capturedChunks();

  it.each(chunks.filter((c) => c.first).map((c) => [c.name, c.side, c] as const))(
    'names the protocol of the first %s chunk on the %s side, without a port to go by',
    (_name, _side, c) => {
      const input: InferInput = { bytes: c.bytes, side: c.side, transport: c.transport };
      expect(kernel.infer(input)).toEqual({
        protocol: c.protocol,
        side: c.side,
        matches: expect.arrayContaining([c.protocol]),
      });
    },
  );

  it('agrees with the agent on the first chunks, on either side and with any port', () => {
    for (const c of chunks.filter((x) => x.first)) {
      for (const side of ['request', 'response', 'either'] as const) {
        for (const port of [0, 53, 3306, 5432, 6379]) {
          const input = { bytes: c.bytes, side, transport: c.transport, remotePort: port };
          expect({ ...input, answer: kernel.infer(input) }).toEqual({
            ...input,
            answer: referenceInfer(input),
          });
        }
      }
    }
  });

  it('takes every later chunk the agent takes (it may take more: what it cannot see, it allows)', () => {
    for (const c of chunks.filter((x) => !x.first)) {
      for (const side of ['request', 'response'] as const) {
        const input = { bytes: c.bytes, side, transport: c.transport };
        const reference = referenceInfer(input);
        expect({ ...input, matches: kernel.infer(input).matches }).toEqual({
          ...input,
          matches: expect.arrayContaining([...reference.matches]),
        });
      }
    }
  });

  it.each(OTHER_PROTOCOLS.map((o) => [o.protocol, o.what, o] as const))(
    'agrees with the agent on what %s puts first (%s)',
    (_p, _what, o) => {
      for (const transport of ['tcp', 'udp'] as const) {
        const input: InferInput = { bytes: o.bytes, side: o.side, transport };
        expect(kernel.infer(input)).toEqual(referenceInfer(input));
      }
    },
  );

  it('takes the protocol whose well-known port either end uses among several that fit', () => {
    // Two PostgreSQL queries whose first 85 bytes are also a MySQL COM_STMT_EXECUTE packet:
    // 'Q' and the length's first two bytes make a MySQL length of 81, its third the sequence
    // number 0, its fourth (0x17) the command.
    const query = (text: string) =>
      Buffer.concat([
        Buffer.from('Q'),
        Buffer.of(0, 0, 0, text.length + 5),
        Buffer.from(`${text}\0`),
      ]);
    const bytes = Buffer.concat([
      query('SELECT 1 FROM t;  '),
      query('SELECT 2 FROM t WHERE a = 1 AND b = 2 AND c = 3;       '),
    ]);
    const input: InferInput = { bytes, side: 'request', transport: 'tcp' };
    expect(referenceMatches(bytes, 'request', 'tcp')).toEqual([Protocol.MYSQL, Protocol.PGSQL]);
    const cases: [number | undefined, number | undefined, number][] = [
      [undefined, undefined, Protocol.MYSQL],
      [undefined, 5432, Protocol.PGSQL],
      [5432, 40000, Protocol.PGSQL],
      [40000, 3306, Protocol.MYSQL],
      [40000, 6379, Protocol.MYSQL],
    ];
    for (const [localPort, remotePort, protocol] of cases) {
      const answer = kernel.infer({ ...input, localPort, remotePort });
      expect({ localPort, remotePort, answer }).toEqual({
        localPort,
        remotePort,
        answer: { protocol, side: 'request', matches: [Protocol.MYSQL, Protocol.PGSQL] },
      });
      expect(referenceInfer({ ...input, localPort, remotePort }).protocol).toBe(protocol);
    }
  });

  it('never misses what the agent takes, on lying and random bytes', () => {
    const firsts = chunks.filter((c) => c.first);
    const mutated = fc
      .record({
        c: fc.constantFrom(...firsts),
        at: fc.nat(),
        values: fc.uint8Array({ minLength: 1, maxLength: 8 }),
        cut: fc.nat(),
      })
      .map(({ c, at, values, cut }) => {
        const bytes = Uint8Array.from(c.bytes.subarray(0, PX_INFER_BYTES));
        bytes.set(
          values.subarray(0, Math.max(0, bytes.length - (at % bytes.length))),
          at % bytes.length,
        );
        return { bytes: bytes.subarray(0, 1 + (cut % bytes.length)), transport: c.transport };
      });
    const random = fc.record({
      bytes: fc.uint8Array({ maxLength: 64 }),
      transport: fc.constantFrom('tcp' as const, 'udp' as const),
    });
    fc.assert(
      fc.property(
        fc.oneof(mutated, random),
        fc.constantFrom<Side>('request', 'response'),
        (x, side) => {
          const answer = kernel.infer({ ...x, side });
          // HTTP/1.x is decided first, by the same test on both sides, and ends the search.
          if (referenceInfer({ ...x, side }).protocol === Protocol.HTTP) {
            expect(answer.protocol).toBe(Protocol.HTTP);
            return;
          }
          for (const p of referenceMatches(x.bytes, side, x.transport)) {
            expect(answer.matches).toContain(p);
          }
        },
      ),
      fuzzParams(2000, { seed: 15 }),
    );
  });

  it('reads no further than it was told the chunk goes', () => {
    const first = chunks.find((c) => c.first && c.protocol === Protocol.PGSQL)!;
    const input = { bytes: first.bytes, len: 3, side: first.side, transport: first.transport };
    expect(kernel.infer(input).protocol).toBe(Protocol.UNKNOWN);
  });
});
