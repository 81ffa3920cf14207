import { formatAddress } from './address';

const v6 = (text: string) => {
  const bytes = new Uint8Array(16);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  return bytes;
};

describe('formatAddress', () => {
  it('writes IPv4 as a dotted quad', () => {
    expect(formatAddress(2, Uint8Array.from([127, 0, 0, 1, 9, 9]))).toBe('127.0.0.1');
  });

  it('writes IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(formatAddress(10, v6('::ffff:a00:107'))).toBe('10.0.1.7');
  });

  it('compresses the longest zero run, the first one on a tie', () => {
    expect(formatAddress(10, v6('::1'))).toBe('::1');
    expect(formatAddress(10, v6('2001:db8::1'))).toBe('2001:db8::1');
    expect(formatAddress(10, v6('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatAddress(10, v6('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatAddress(10, new Uint8Array(16))).toBe('::');
  });
});
