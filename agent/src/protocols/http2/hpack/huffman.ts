/**
 * Code lengths of HPACK's Huffman code (RFC 7541 Appendix B), symbols 0..255 and EOS (256). The
 * code is canonical: sorted by length and then by symbol, each code is the previous one plus
 * one (shifted left when the length grows), so the lengths alone define it. The tests check the
 * codes this gives against the RFC's.
 */
const CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28,
  28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5,
  6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6,
  7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23,
  23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20, 22,
  22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22,
  23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27,
  27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25,
  24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
];

const EOS = 256;
const MAX_LENGTH = 30;
const FAST_BITS = 8;

/** Symbols in code order (by length, then symbol). */
const SYMBOLS = new Uint16Array(CODE_LENGTHS.map((_, s) => s)).sort(
  (a, b) => CODE_LENGTHS[a]! - CODE_LENGTHS[b]! || a - b,
);
/** Per length: the first code of that length, how many codes have it, and where they start. */
const FIRST_CODE = new Int32Array(MAX_LENGTH + 1);
const COUNT = new Int32Array(MAX_LENGTH + 1);
const OFFSET = new Int32Array(MAX_LENGTH + 1);
/** Codes of up to 8 bits by the 8 bits they start: (length << 9) | symbol; 0 for longer codes. */
const FAST = new Int32Array(1 << FAST_BITS);

/** The code of each symbol, as the canonical construction assigns it (for the tests). */
export const HUFFMAN_CODES = new Int32Array(CODE_LENGTHS.length);

{
  for (const len of CODE_LENGTHS) COUNT[len]!++;
  let code = 0;
  let at = 0;
  for (let len = 1; len <= MAX_LENGTH; len++) {
    FIRST_CODE[len] = code;
    OFFSET[len] = at;
    code = (code + COUNT[len]!) << 1;
    at += COUNT[len]!;
  }
  for (let len = 1; len <= MAX_LENGTH; len++) {
    for (let i = 0; i < COUNT[len]!; i++) {
      const sym = SYMBOLS[OFFSET[len]! + i]!;
      const c = FIRST_CODE[len]! + i;
      HUFFMAN_CODES[sym] = c;
      if (len > FAST_BITS) continue;
      const spread = 1 << (FAST_BITS - len);
      FAST.fill((len << 9) | sym, c * spread, (c + 1) * spread);
    }
  }
}

/** The code length of each symbol (for the tests). */
export const HUFFMAN_CODE_LENGTHS: readonly number[] = CODE_LENGTHS;

/** The most bytes `n` Huffman-coded bytes can decode to (the shortest code has 5 bits). */
export function maxHuffmanDecodedLength(n: number): number {
  return Math.floor((n * 8) / 5);
}

/**
 * Decodes the Huffman-coded bytes src[from, to) into `out` from 0 and returns how many bytes it
 * wrote, or -1 when they are not a valid Huffman string (EOS inside it, a code cut by the end,
 * or padding that is longer than 7 bits or not all ones). `out` must hold
 * `maxHuffmanDecodedLength(to - from)` bytes. Codes of up to 8 bits, which cover the characters
 * of most headers, take one table look-up; longer ones are read a bit at a time.
 */
export function huffmanDecode(src: Uint8Array, from: number, to: number, out: Uint8Array): number {
  let i = from;
  // The next `bits` bits of the input, in the low bits of `acc` (at most 15 of them).
  let acc = 0;
  let bits = 0;
  let k = 0;
  for (;;) {
    while (bits < FAST_BITS && i < to) {
      acc = ((acc << 8) | src[i++]!) & 0xffff;
      bits += 8;
    }
    if (bits === 0) return k;
    // The next 8 bits, those past the end read as ones (what padding is).
    const v =
      bits >= FAST_BITS
        ? (acc >> (bits - FAST_BITS)) & 0xff
        : ((acc << (FAST_BITS - bits)) | ((1 << (FAST_BITS - bits)) - 1)) & 0xff;
    if (i === to && bits < FAST_BITS && v === 0xff) return k; // padding: all ones, under 8 bits
    const fast = FAST[v]!;
    if (fast !== 0) {
      const len = fast >> 9;
      if (len > bits) return -1;
      out[k++] = fast & 0x1ff;
      bits -= len;
      continue;
    }
    const sym = slowSymbol(src, i * 8 - bits, to * 8, v);
    if (sym < 0) return -1;
    out[k++] = sym & 0xff;
    // Skip the code's bits: those held, then whole bytes of the input.
    let len = sym >> 9;
    if (len <= bits) {
      bits -= len;
      continue;
    }
    len -= bits;
    i += len >> 3;
    bits = 0;
    acc = 0;
    if (len & 7) {
      acc = src[i++]!;
      bits = 8 - (len & 7);
    }
  }
}

/**
 * The code of more than 8 bits at bit position `p` (which starts with the 8 bits `first`), as
 * (length << 9) | symbol; -1 when it runs past `end` or is EOS.
 */
function slowSymbol(src: Uint8Array, p: number, end: number, first: number): number {
  let code = first;
  for (let len = FAST_BITS + 1; len <= MAX_LENGTH; len++) {
    if (p + len > end) return -1;
    const at = p + len - 1;
    code = (code << 1) | ((src[at >> 3]! >> (7 - (at & 7))) & 1);
    const j = code - FIRST_CODE[len]!;
    if (j >= 0 && j < COUNT[len]!) {
      const sym = SYMBOLS[OFFSET[len]! + j]!;
      return sym === EOS ? -1 : (len << 9) | sym;
    }
  }
  return -1;
}
