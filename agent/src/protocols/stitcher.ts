import { Chunk } from './http/byte-stream';

/** Which side of an exchange bytes belong to: what the client sent, or what the server answered. */
export type Side = 'request' | 'response';

/**
 * One connection's parser for one protocol: captured chunks of both sides in, finished records
 * (a request paired with its response) out. Every protocol parser (http, http2, dns, pgsql,
 * mysql, redis) has this shape, so the connection tracker drives them alike. A stitcher is pure
 * (no I/O, no clock: times come from the chunks), holds a bounded number of bytes and pending
 * requests, and never throws on any input: what it cannot parse it counts in `errors()` and
 * skips.
 */
export interface Stitcher<R> {
  /** Adds a chunk of one side; returns the records it completed. */
  push(side: Side, chunk: Chunk): R[];
  /** The connection ended: returns what can still be completed, and drops the rest. */
  close(): R[];
  /** Messages or bytes given up on so far (reported as the agent's parse errors). */
  errors(): number;
  /**
   * Whether the connection switched to bytes this parser cannot read (TLS after PostgreSQL's or
   * MySQL's SSLRequest, a replication stream); absent for protocols that never do.
   */
  opaque?(): boolean;
  /** `errors()` broken down by kind, for protocols that tell them apart (HTTP/2). */
  errorCounts?(): Readonly<Record<string, number>>;
}
