import { huffmanEncode } from '../../../../../test/support/http2-frames';
import {
  HUFFMAN_CODES,
  HUFFMAN_CODE_LENGTHS,
  huffmanDecode,
  maxHuffmanDecodedLength,
} from './huffman';

function decode(bytes: Uint8Array): string | -1 {
  const out = Buffer.alloc(maxHuffmanDecodedLength(bytes.length));
  const n = huffmanDecode(bytes, 0, bytes.length, out);
  return n < 0 ? -1 : out.toString('latin1', 0, n);
}

describe('HPACK Huffman code', () => {
  it('builds the RFC 7541 Appendix B codes from their lengths', () => {
    // (symbol, code, length) rows of the RFC's table, from each end and the middle.
    const rows: [number, number, number][] = [
      [0, 0x1ff8, 13],
      [1, 0x7fffd8, 23],
      [10, 0x3ffffffc, 30],
      [32, 0x14, 6],
      [48, 0x0, 5],
      [97, 0x3, 5],
      [126, 0x1ffd, 13],
      [127, 0xffffffc, 28],
      [128, 0xfffe6, 20],
      [200, 0x3ffffe2, 26],
      [255, 0x3ffffee, 26],
      [256, 0x3fffffff, 30],
    ];
    for (const [sym, code, len] of rows) {
      expect([HUFFMAN_CODES[sym], HUFFMAN_CODE_LENGTHS[sym]]).toEqual([code, len]);
    }
  });

  it('decodes every byte value, alone and in runs', () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    expect(decode(huffmanEncode(all))).toBe(all);
    for (let c = 0; c < 256; c++) {
      const s = String.fromCharCode(c).repeat(3);
      expect(decode(huffmanEncode(s))).toBe(s);
    }
    expect(decode(new Uint8Array(0))).toBe('');
  });

  it('rejects padding of 8 bits or more, padding with a zero bit, and EOS inside', () => {
    const www = huffmanEncode('www.example.com');
    expect(decode(www)).toBe('www.example.com');
    expect(decode(Buffer.concat([www, Buffer.from([0xff])]))).toBe(-1);
    // 'a' is 00011: five bits, then three of padding that must be ones.
    expect(decode(Buffer.from([0b00011111]))).toBe('a');
    expect(decode(Buffer.from([0b00011101]))).toBe(-1);
    // EOS (30 ones) followed by more bits is a symbol, not padding.
    expect(decode(Buffer.from([0xff, 0xff, 0xff, 0xfc]))).toBe(-1);
    // A code cut by the end: the first 8 bits of '<' (15 bits).
    expect(decode(Buffer.from([0xff]))).toBe(-1);
  });
});
