import fc from 'fast-check';
import { join } from 'node:path';
import { fuzzParams } from '../../../../test/support/fuzz';
import { data, frame, headers, indexed } from '../../../../test/support/http2-frames';
import { readCapture } from '../../../../test/support/capture-proxy';
import { ScriptStep } from '../../../../test/support/http-script';
import { CLIENT_PREFACE, FRAME_HEADER_BYTES, FrameType, readFrameHeader } from './frame';
import { looksLikeHttp2 } from './inference';

const HTTP2 = ['node-h2c', 'node-h2c-padded', 'curl-h2c-post', 'grpc-python', 'node-h2c-eviction'];
const HTTP1 = ['node-server', 'python-client', 'stock-python-server'];
const bytesOf = (s: ScriptStep) => s.bytes as Uint8Array;

/** The reads of a capture that start where a frame (or the preface) starts. */
function readsAtFrameStarts(name: string): ScriptStep[] {
  const steps = readCapture(join(__dirname, 'testdata', `${name}.jsonl`));
  const out: ScriptStep[] = [];
  for (const side of ['request', 'response'] as const) {
    const reads = steps.filter((s) => s.kind === side);
    const all = Buffer.concat(reads.map(bytesOf));
    const starts = new Set<number>();
    let p = side === 'request' ? CLIENT_PREFACE.length : 0;
    if (side === 'request') starts.add(0);
    while (p + FRAME_HEADER_BYTES <= all.length) {
      starts.add(p);
      p += FRAME_HEADER_BYTES + readFrameHeader(all, p).length;
    }
    let pos = 0;
    for (const r of reads) {
      if (starts.has(pos)) out.push(r);
      pos += bytesOf(r).length;
    }
  }
  return out;
}

describe('looksLikeHttp2', () => {
  it.each(HTTP2)(
    '%s: every read that starts a frame, or the preface, looks like HTTP/2',
    (name) => {
      const reads = readsAtFrameStarts(name);
      expect(reads.length).toBeGreaterThan(2);
      for (const r of reads) expect(looksLikeHttp2(bytesOf(r), r.kind)).toBe(true);
    },
  );

  it.each(HTTP1)('%s: no read of an HTTP/1 conversation looks like HTTP/2', (name) => {
    for (const r of readCapture(join(__dirname, '..', 'http', 'testdata', `${name}.jsonl`))) {
      expect(looksLikeHttp2(bytesOf(r), r.kind)).toBe(false);
    }
  });

  it('knows the preface from its first 14 bytes, and only on the client side', () => {
    expect(looksLikeHttp2(CLIENT_PREFACE.subarray(0, 14), 'request')).toBe(true);
    expect(looksLikeHttp2(CLIENT_PREFACE.subarray(0, 13), 'request')).toBe(false);
    expect(looksLikeHttp2(Buffer.from('PRI * HTTP/1.1\r\n'), 'request')).toBe(false);
    expect(looksLikeHttp2(CLIENT_PREFACE, 'response')).toBe(false);
  });

  it('takes a truncated capture of whole frames by the syscall size, and refuses TLS records', () => {
    const big = data(1, 'x'.repeat(16000), true);
    expect(looksLikeHttp2(big.subarray(0, 100), 'response', big.length)).toBe(true);
    expect(looksLikeHttp2(big.subarray(0, 100), 'response', big.length + 1)).toBe(false);
    expect(
      looksLikeHttp2(Buffer.concat([headers(1, indexed(2)), big.subarray(0, 50)]), 'request', 100),
    ).toBe(true);
    const clientHello = Buffer.from('160301020001000200fc03031234', 'hex');
    expect(looksLikeHttp2(clientHello, 'request')).toBe(false);
    // Flags a frame type does not define: not a frame start.
    expect(looksLikeHttp2(frame(FrameType.DATA, 0x40, 1, Buffer.from('x')), 'request')).toBe(false);
  });

  it('never throws on arbitrary bytes and sizes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(100000),
        fc.boolean(),
        (b, extra, client) => {
          const r = looksLikeHttp2(b, client ? 'request' : 'response', b.length + extra);
          expect(typeof r).toBe('boolean');
        },
      ),
      fuzzParams(2000),
    );
  });
});
