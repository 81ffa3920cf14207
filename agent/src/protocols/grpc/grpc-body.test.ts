import { gzipSync, deflateSync } from 'node:zlib';
import { Writer } from 'protobufjs';
import { grpcMessage } from '../../../../test/support/http2-frames';
import { HeaderField } from '../http2/hpack/hpack-decoder';
import { Http2Message } from '../http2/http2-stream';
import { grpcBodyText, grpcStatus, isGrpc } from './grpc-body';

const hello = (name: string) => Writer.create().uint32(10).string(name).finish();

function message(body: Uint8Array, o: Partial<Http2Message> = {}): Http2Message {
  return {
    headers: [],
    trailers: [],
    body,
    bodySize: body.length,
    bodyContiguous: body.length,
    startTs: 0,
    endTs: 0,
    ended: true,
    lostFields: 0,
    ...o,
  };
}
const f = (name: string, value: string): HeaderField => ({ name, value });

describe('grpcBodyText', () => {
  it('decodes each length-prefixed message, one after another, as Pixie shows them', () => {
    const body = Buffer.concat([grpcMessage(hello('a')), grpcMessage(hello('b'))]);
    expect(grpcBodyText(message(body), 1000)).toBe('1: "a"\n1: "b"');
    expect(grpcBodyText(message(new Uint8Array(0)), 1000)).toBe('');
  });

  it('shows the complete fields of a message the capture cut, and says it was cut', () => {
    const whole = grpcMessage(Buffer.concat([hello('first'), hello('second')]));
    const kept = whole.subarray(0, whole.length - 3);
    expect(grpcBodyText(message(kept, { bodySize: whole.length }), 1000)).toBe(
      '1: "first"... [TRUNCATED]',
    );
  });

  it('decodes only the bytes before a gap in the capture', () => {
    const body = Buffer.concat([grpcMessage(hello('a')), Buffer.from('garbage after a gap')]);
    expect(grpcBodyText(message(body, { bodyContiguous: 8 }), 1000)).toBe('1: "a"... [TRUNCATED]');
  });

  it('inflates compressed messages by their grpc-encoding', () => {
    const gz = grpcMessage(gzipSync(hello('zipped')), true);
    const df = grpcMessage(deflateSync(hello('deflated')), true);
    expect(grpcBodyText(message(gz, { headers: [f('grpc-encoding', 'gzip')] }), 1000)).toBe(
      '1: "zipped"',
    );
    expect(grpcBodyText(message(df, { headers: [f('grpc-encoding', 'deflate')] }), 1000)).toBe(
      '1: "deflated"',
    );
    expect(grpcBodyText(message(gz, { headers: [f('grpc-encoding', 'snappy')] }), 1000)).toBe(
      '<Non-gzip decompression not supported>',
    );
    const broken = grpcMessage(Buffer.from('not gzip'), true);
    expect(grpcBodyText(message(broken, { headers: [f('grpc-encoding', 'gzip')] }), 1000)).toBe(
      '<Failed to gunzip data>',
    );
  });

  it('says so when a message is not protobuf', () => {
    expect(grpcBodyText(message(grpcMessage(Buffer.from([0x07, 0x01]))), 1000)).toBe(
      '<Failed to parse protobuf>',
    );
  });

  it('keeps the text to maxChars', () => {
    const body = Buffer.concat(
      Array.from({ length: 50 }, (_, i) => grpcMessage(hello(`name ${i}`))),
    );
    const text = grpcBodyText(message(body), 100);
    expect(text.endsWith('... [TRUNCATED]')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(100 + '... [TRUNCATED]'.length);
  });
});

describe('gRPC calls', () => {
  it('are HTTP/2 exchanges whose content-type is application/grpc*', () => {
    expect(isGrpc([f('content-type', 'application/grpc')], [])).toBe(true);
    expect(isGrpc([], [f('content-type', 'application/grpc+proto')])).toBe(true);
    expect(isGrpc([f('content-type', 'application/json')], [])).toBe(false);
  });

  it('read their status from the trailers, or from the headers of a Trailers-Only response', () => {
    const ok = message(new Uint8Array(0), { trailers: [f('grpc-status', '0')] });
    const only = message(new Uint8Array(0), {
      headers: [f(':status', '200'), f('grpc-status', '12')],
    });
    expect([grpcStatus(ok), grpcStatus(only), grpcStatus(message(new Uint8Array(0)))]).toEqual([
      '0',
      '12',
      undefined,
    ]);
  });
});
