import { CLIENT_PREFACE, Flag, FrameType } from '../../agent/src/protocols/http2/frame';
import { RecordedChunk } from './tcp-recorder';

/** One gRPC message as it crossed the wire: its stream, its compressed flag, its bytes. */
export interface WireMessage {
  streamId: number;
  compressed: boolean;
  bytes: Buffer;
}

/**
 * The gRPC messages a client sent on one recorded connection: its HTTP/2 DATA frames (padding
 * removed) joined per stream, cut at gRPC's 5-byte message prefixes (flag, length).
 */
export function grpcMessagesSent(chunks: readonly RecordedChunk[]): WireMessage[] {
  const wire = Buffer.concat(chunks.filter((c) => c.kind === 'request').map((c) => c.data));
  if (!wire.subarray(0, CLIENT_PREFACE.length).equals(CLIENT_PREFACE)) {
    throw new Error('the connection does not start with the HTTP/2 client preface');
  }
  const streams = new Map<number, Buffer[]>();
  let pos = CLIENT_PREFACE.length;
  while (pos + 9 <= wire.length) {
    const length = wire.readUIntBE(pos, 3);
    const type = wire[pos + 3]!;
    const flags = wire[pos + 4]!;
    const streamId = wire.readUInt32BE(pos + 5) & 0x7fffffff;
    let payload = wire.subarray(pos + 9, pos + 9 + length);
    pos += 9 + length;
    if (type !== FrameType.DATA) continue;
    if (flags & Flag.PADDED) payload = payload.subarray(1, payload.length - payload[0]!);
    streams.set(streamId, [...(streams.get(streamId) ?? []), payload]);
  }
  const messages: WireMessage[] = [];
  for (const [streamId, parts] of streams) {
    const data = Buffer.concat(parts);
    for (let at = 0; at + 5 <= data.length;) {
      const size = data.readUInt32BE(at + 1);
      messages.push({
        streamId,
        compressed: data[at] === 1,
        bytes: data.subarray(at + 5, at + 5 + size),
      });
      at += 5 + size;
    }
  }
  return messages;
}
