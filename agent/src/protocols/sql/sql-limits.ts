/** Bounds of one database connection's parser, and what it writes. */
export interface SqlLimits {
  /** Characters kept of a request's and of a response's text (Pixie's max body size). */
  readonly maxTextChars: number;
  /** Bytes of one message read whole; a longer one keeps this many and skips the rest. */
  readonly maxMessageBytes: number;
  /** Captured bytes held per direction while messages are incomplete. */
  readonly maxBufferBytes: number;
  /** Requests held while waiting for their responses (and responses waiting for requests). */
  readonly maxPendingRequests: number;
  /** Prepared statements and portals remembered per connection. */
  readonly maxStatements: number;
  /**
   * Mask literal values: constants in statements, bound parameters, result values and the values
   * servers quote in error messages (see sql/mask.ts).
   */
  readonly maskLiterals: boolean;
}

export const DEFAULT_SQL_LIMITS: SqlLimits = {
  maxTextChars: 4096,
  maxMessageBytes: 64 * 1024,
  maxBufferBytes: 1024 * 1024,
  maxPendingRequests: 256,
  maxStatements: 256,
  maskLiterals: false,
};

/**
 * A map that forgets its oldest entry past `max` (prepared statements a client never closes must
 * not grow a connection's state without end).
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  size(): number {
    return this.map.size;
  }
}
