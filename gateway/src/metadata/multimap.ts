/** A map from a key to a set of values; a key whose set empties is dropped. */
export class Multimap<K, V> {
  private readonly map = new Map<K, Set<V>>();

  add(key: K, value: V): void {
    let set = this.map.get(key);
    if (!set) this.map.set(key, (set = new Set()));
    set.add(value);
  }

  delete(key: K, value: V): void {
    const set = this.map.get(key);
    if (!set) return;
    set.delete(value);
    if (set.size === 0) this.map.delete(key);
  }

  /** The values of a key, copied so callers may change the map while they iterate. */
  get(key: K): V[] {
    const set = this.map.get(key);
    return set ? [...set] : [];
  }

  deleteKey(key: K): void {
    this.map.delete(key);
  }
}
