import koffi from './koffi';
import { Libbpf } from './libbpf';

/** Called for each sample; `offset` is where its bytes start in `bytes` (the ring's memory). */
export type SampleHandler = (
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  size: number,
) => void;

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
/** Each sample starts with a u32 length (with these two flags) and a u32 page offset. */
const HEADER_BYTES = 8;
const BUSY_BIT = 0x80000000;
const DISCARD_BIT = 0x40000000;
const LENGTH_MASK = 0x3fffffff;

/**
 * Reads a BPF ring buffer from its memory mapping, as libbpf's ring_buffer__consume does but in
 * JS: the kernel maps the data area twice in a row, so every sample is contiguous, and the
 * samples are read where they lie, with no call into C per sample (a koffi callback and a copy
 * cost more than handling the event). The consumer position is published once per read, after
 * the handler has taken what it keeps. Positions are read and written with Atomics (acquire and
 * release order, as the kernel's protocol asks).
 */
export class RingReader {
  private closed = false;
  private readonly producer: BigInt64Array;
  private readonly lengths: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  /**
   * A reader over a ring's memory: `consumer` is the consumer position (its own page), `area` the
   * producer page followed by the data area twice. `unmap` releases both at close.
   */
  constructor(
    private readonly consumer: BigInt64Array,
    area: ArrayBuffer,
    private readonly pageBytes: number,
    private readonly size: number,
    private readonly unmap: () => void,
  ) {
    this.producer = new BigInt64Array(area, 0, 1);
    this.lengths = new Int32Array(area, pageBytes, (2 * size) / 4);
    this.bytes = new Uint8Array(area);
    this.view = new DataView(area);
  }

  /** Maps the ring buffer map `fd` of `size` data bytes (a power of two). */
  static open(lib: Libbpf, fd: number, size: number): RingReader {
    const page = lib.pageSize();
    const consumerPage = lib.mmap(page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (consumerPage === MAP_FAILED) {
      throw new Error(
        `failed to map the ring buffer's consumer page: ${lib.strerror(lib.errno())}`,
      );
    }
    const areaBytes = page + 2 * size;
    const producerArea = lib.mmap(areaBytes, PROT_READ, MAP_SHARED, fd, page);
    if (producerArea === MAP_FAILED) {
      const errno = lib.errno();
      lib.munmap(consumerPage, page);
      throw new Error(`failed to map the ring buffer's data: ${lib.strerror(errno)}`);
    }
    return new RingReader(
      new BigInt64Array(koffi.view(consumerPage, page), 0, 1),
      koffi.view(producerArea, areaBytes),
      page,
      size,
      () => {
        lib.munmap(producerArea, areaBytes);
        lib.munmap(consumerPage, page);
      },
    );
  }

  /**
   * Hands up to `max` samples to `onSample`, oldest first, then releases their space to the
   * kernel. Returns how many were handed over (fewer than `max`: the ring is drained for now).
   */
  read(max: number, onSample: SampleHandler): number {
    if (this.closed) return 0;
    const start = Number(Atomics.load(this.consumer, 0));
    const end = Number(Atomics.load(this.producer, 0));
    let pos = start;
    let handed = 0;
    try {
      while (pos < end && handed < max) {
        const at = pos % this.size;
        const header = Atomics.load(this.lengths, at >> 2);
        if (header & BUSY_BIT) break; // reserved, not yet committed
        const length = header & LENGTH_MASK;
        pos += (HEADER_BYTES + length + 7) & ~7;
        if (header & DISCARD_BIT) continue;
        handed++;
        onSample(this.bytes, this.view, this.pageBytes + at + HEADER_BYTES, length);
      }
    } finally {
      if (pos !== start) Atomics.store(this.consumer, 0, BigInt(pos));
    }
    return handed;
  }

  /** Unmaps the ring; the reader reads nothing afterwards. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unmap();
  }
}
