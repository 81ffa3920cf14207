import { toWords } from './proto-writer';

/**
 * What is kept of one key: its own field's bytes, and the encodings of its values (`E`: bytes, or
 * another form of them the writer copies faster).
 */
export class PairKey<V, E = Uint8Array> {
  /** The key as field 1 of its message (tag, length, UTF-8), for values written field by field. */
  readonly keyField: Uint8Array;
  /** The same bytes as words, for ProtoWriter.rawWords. */
  readonly keyWords: Int32Array;
  /** Whole encodings by value; null once the key showed too many values to keep. */
  values: Map<V, E> | null = new Map();

  constructor(key: string) {
    const len = Buffer.byteLength(key);
    const field = Buffer.allocUnsafe(len + 6);
    let p = 0;
    field[p++] = 0x0a; // field 1, length-delimited
    for (let v = len; ; v >>>= 7) {
      if (v < 0x80) {
        field[p++] = v;
        break;
      }
      field[p++] = (v & 0x7f) | 0x80;
    }
    p += field.write(key, p, 'utf8');
    this.keyField = new Uint8Array(field.subarray(0, p));
    this.keyWords = toWords(this.keyField);
  }
}

/**
 * Encodings of (key, value) pairs that repeat on every item (an attribute, a label), kept so
 * that writing one is a single copy. Adaptive: a key that shows more than `valuesPerKey`
 * distinct values (a path, a pod name) is not cached from then on, which bounds the memory by
 * keys × values and keeps high-cardinality keys from churning the cache.
 *
 * Items of one kind carry their keys in the same order (the labels of a metric's series, the
 * attributes a script gives every span), so each position in an item remembers the key it saw
 * last: one string comparison instead of a lookup by key.
 */
export class PairCache<V, E = Uint8Array> {
  private readonly byKey = new Map<string, PairKey<V, E>>();
  private readonly slotKeys: string[] = [];
  private readonly slotEntries: PairKey<V, E>[] = [];

  constructor(
    private readonly valuesPerKey = 64,
    private readonly maxKeys = 1024,
  ) {}

  /** What is kept of `key`, which sits at position `slot` of its item. */
  key(key: string, slot: number): PairKey<V, E> {
    if (this.slotKeys[slot] === key) return this.slotEntries[slot]!;
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      if (this.byKey.size >= this.maxKeys) this.forget();
      entry = new PairKey(key);
      this.byKey.set(key, entry);
    }
    // A slot past the end of the memo would make its arrays holey; positions come in order.
    if (slot <= this.slotKeys.length) {
      this.slotKeys[slot] = key;
      this.slotEntries[slot] = entry;
    }
    return entry;
  }

  /** Keeps the encoding of a pair, unless its key has reached its bound (then gives up on it). */
  put(entry: PairKey<V, E>, value: V, bytes: E): void {
    const values = entry.values;
    if (values === null) return;
    if (values.size >= this.valuesPerKey) entry.values = null;
    else values.set(value, bytes);
  }

  private forget(): void {
    this.byKey.clear();
    this.slotKeys.length = 0;
    this.slotEntries.length = 0;
  }
}
