/**
 * Encodings of (key, value) pairs that repeat on every item (an attribute, a label), kept so
 * that writing one is a single copy. Adaptive: a key that shows more than `valuesPerKey`
 * distinct values (a path, a pod name) is not cached from then on, which bounds the memory by
 * keys × values and keeps high-cardinality keys from churning the cache.
 */
export class PairCache<V> {
  private readonly byKey = new Map<string, Map<V, Uint8Array> | null>();

  constructor(
    private readonly valuesPerKey = 64,
    private readonly maxKeys = 1024,
  ) {}

  /**
   * The encoding of a pair: bytes when cached, undefined when not yet (`put` it), null when the
   * key has too many values to cache. (No callback: this runs for every attribute written.)
   */
  find(key: string, value: V): Uint8Array | undefined | null {
    const values = this.byKey.get(key);
    if (values === null) return null;
    return values?.get(value);
  }

  /** Keeps the encoding of a pair that `find` did not have. */
  put(key: string, value: V, bytes: Uint8Array): void {
    let values = this.byKey.get(key);
    if (values === null) return;
    if (values === undefined) {
      if (this.byKey.size >= this.maxKeys) this.byKey.clear();
      values = new Map();
      this.byKey.set(key, values);
    }
    if (values.size >= this.valuesPerKey) this.byKey.set(key, null);
    else values.set(value, bytes);
  }
}
