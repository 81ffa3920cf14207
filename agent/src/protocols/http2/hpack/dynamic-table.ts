/** HPACK's per-entry overhead in the table size (RFC 7541 section 4.1). */
export const ENTRY_OVERHEAD = 32;
/** SETTINGS_HEADER_TABLE_SIZE's initial value: the table size every connection starts with. */
export const DEFAULT_TABLE_SIZE = 4096;

/**
 * One direction's HPACK dynamic table, newest entry first. An entry may be a placeholder whose
 * name is unknown (`null`): inserted by a literal field that named an entry this decoder never
 * saw. Such an entry keeps the indices of the entries after it right, but cannot be read.
 *
 * Keeping more entries than the peer's table holds never makes a look-up wrong (the peer only
 * refers to its newest entries, which are ours too), but keeping fewer loses look-ups. So the
 * table evicts at `limit`, which is the size the peer last announced, or, when that is unknown
 * (after a lost header block, or when the connection was joined midway), the most we keep.
 */
export class DynamicTable {
  private names: (string | null)[] = [];
  private values: string[] = [];
  private sizes: number[] = [];
  /** Index in the arrays of the oldest entry still held (older ones are evicted). */
  private oldest = 0;
  /** Sum of the entries' sizes as HPACK counts them. */
  size = 0;
  /** The size entries are evicted at. */
  private limit: number;

  /** `cap`: the most bytes (as HPACK counts them) this table holds, whatever the peer says. */
  constructor(private readonly cap: number) {
    this.limit = Math.min(DEFAULT_TABLE_SIZE, cap);
  }

  /** Entries held. */
  get length(): number {
    return this.names.length - this.oldest;
  }

  /** The name of entry `k` (0 is the newest), null for a placeholder, undefined past the end. */
  name(k: number): string | null | undefined {
    const i = this.names.length - 1 - k;
    return i >= this.oldest ? this.names[i] : undefined;
  }

  /** The value of entry `k`; call after `name` said it exists. */
  value(k: number): string {
    return this.values[this.names.length - 1 - k]!;
  }

  /**
   * Inserts an entry of `size` bytes (name, value and overhead; for a placeholder the least it
   * can be), evicting the oldest ones to fit. An entry larger than the table empties it and is
   * not kept (RFC 7541 section 4.4).
   */
  add(name: string | null, value: string, size: number): void {
    this.evictTo(this.limit - size);
    if (size > this.limit) return;
    this.names.push(name);
    this.values.push(value);
    this.sizes.push(size);
    this.size += size;
  }

  /** The peer announced a new maximum size (a dynamic table size update). */
  resize(announced: number): void {
    this.limit = Math.min(announced, this.cap);
    this.evictTo(this.limit);
  }

  /** Forgets every entry; evictions go by our own cap until the peer announces a size. */
  clear(): void {
    this.names = [];
    this.values = [];
    this.sizes = [];
    this.oldest = 0;
    this.size = 0;
    this.limit = this.cap;
  }

  private evictTo(target: number): void {
    while (this.size > Math.max(target, 0) && this.length > 0) {
      this.size -= this.sizes[this.oldest]!;
      this.names[this.oldest] = null;
      this.values[this.oldest] = '';
      this.oldest++;
    }
    // Drop evicted slots now and then, so the arrays stay about as long as the table.
    if (this.oldest > 64 && this.oldest * 2 > this.names.length) {
      this.names = this.names.slice(this.oldest);
      this.values = this.values.slice(this.oldest);
      this.sizes = this.sizes.slice(this.oldest);
      this.oldest = 0;
    }
  }
}
