import { compressSync, uncompressSync } from 'snappy';
import { snappyBlock } from './snappy';

describe('snappyBlock', () => {
  it("writes snappy's block format, the same bytes as the compressor's own buffer holds", () => {
    const data = Buffer.from('remote-write '.repeat(5000) + 'ünïcødé');
    const block = snappyBlock(data);
    expect(block.equals(compressSync(data))).toBe(true);
    expect((uncompressSync(block) as Buffer).equals(data)).toBe(true);
    // The block format starts with the uncompressed length (65,011) as a varint; framed starts 0xff.
    expect(block.subarray(0, 3)).toEqual(Buffer.from([0xf3, 0xfb, 0x03]));
  });
});
