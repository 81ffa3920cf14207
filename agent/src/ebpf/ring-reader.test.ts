import { RingReader } from './ring-reader';

const PAGE = 4096;
const SIZE = 4096;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;

/**
 * A ring laid out as the kernel maps it (producer page, then the data area twice) in plain
 * memory, with a producer that writes samples the way bpf_ringbuf_output does.
 */
class FakeRing {
  readonly consumer = new BigInt64Array(1);
  readonly area = new ArrayBuffer(PAGE + 2 * SIZE);
  private readonly bytes = new Uint8Array(this.area);
  private readonly view = new DataView(this.area);
  unmapped = 0;
  private pos = 0;

  reader(): RingReader {
    return new RingReader(this.consumer, this.area, PAGE, SIZE, () => this.unmapped++);
  }

  /** Writes a sample of `payload` with header flags, and publishes it unless `busy`. */
  write(payload: number[], flags = 0): void {
    const at = this.pos % SIZE;
    const record = [0, 0, 0, 0, 0, 0, 0, 0, ...payload];
    const padded = (record.length + 7) & ~7;
    for (let i = 0; i < padded; i++) {
      // The data area is mapped twice: a sample running past the end continues at the start.
      const b = record[i] ?? 0;
      this.bytes[PAGE + ((at + i) % SIZE)] = b;
      this.bytes[PAGE + SIZE + ((at + i) % SIZE)] = b;
    }
    const header = (payload.length | flags) >>> 0;
    this.view.setUint32(PAGE + at, header, true);
    this.view.setUint32(PAGE + SIZE + at, header, true);
    this.pos += padded;
    this.view.setBigInt64(0, BigInt(this.pos), true);
  }

  /** Commits a sample written busy (the producer finished it). */
  commit(atPos: number, length: number): void {
    this.view.setUint32(PAGE + (atPos % SIZE), length, true);
    this.view.setUint32(PAGE + SIZE + (atPos % SIZE), length, true);
  }
}

function collect(reader: RingReader, max = 100): number[][] {
  const out: number[][] = [];
  reader.read(max, (bytes, _view, at, size) => out.push([...bytes.subarray(at, at + size)]));
  return out;
}

describe('RingReader', () => {
  it('hands over samples in order and releases their space to the producer', () => {
    const ring = new FakeRing();
    ring.write([1, 2, 3]);
    ring.write([4]);
    const reader = ring.reader();
    expect(collect(reader)).toEqual([[1, 2, 3], [4]]);
    expect(ring.consumer[0]).toBe(32n);
    expect(collect(reader)).toEqual([]);
  });

  it('reads at most max samples per call and continues where it stopped', () => {
    const ring = new FakeRing();
    for (let i = 0; i < 5; i++) ring.write([i]);
    const reader = ring.reader();
    expect(collect(reader, 2)).toEqual([[0], [1]]);
    expect(ring.consumer[0]).toBe(32n);
    expect(collect(reader, 10)).toEqual([[2], [3], [4]]);
  });

  it('skips discarded samples and stops at one still being written', () => {
    const ring = new FakeRing();
    ring.write([9, 9], DISCARD);
    ring.write([7]);
    ring.write([8, 8, 8], BUSY);
    ring.write([6]);
    const reader = ring.reader();
    expect(collect(reader)).toEqual([[7]]);
    expect(ring.consumer[0]).toBe(32n);
    ring.commit(32, 3);
    expect(collect(reader)).toEqual([[8, 8, 8], [6]]);
  });

  it('reads a sample that wraps past the end of the data area in one piece', () => {
    const ring = new FakeRing();
    const reader = ring.reader();
    const filler = Array.from({ length: SIZE - 8 - 24 }, () => 1);
    ring.write(filler);
    expect(collect(reader)).toHaveLength(1);
    const wrapping = Array.from({ length: 40 }, (_, i) => i);
    ring.write(wrapping);
    expect(collect(reader)).toEqual([wrapping]);
    expect(ring.consumer[0]).toBe(BigInt(SIZE - 24 + 48));
  });

  it('keeps the position past a sample whose handler threw, and reads nothing once closed', () => {
    const ring = new FakeRing();
    ring.write([1]);
    ring.write([2]);
    const reader = ring.reader();
    expect(() =>
      reader.read(10, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(collect(reader)).toEqual([[2]]);
    reader.close();
    reader.close();
    expect(ring.unmapped).toBe(1);
    ring.write([3]);
    expect(collect(reader)).toEqual([]);
  });
});
