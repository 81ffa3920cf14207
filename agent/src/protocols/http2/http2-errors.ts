/**
 * What an HTTP/2 connection's parser could not decode, by kind. Each is a count of things given
 * up on; their sum is the stitcher's `errors()`. The agent's /metrics can show them by kind.
 */
export type Http2ErrorCounts = {
  /** Frame boundaries lost and searched for again (a side joined midway counts once). */
  lostSync: number;
  /** Frames carrying header blocks or settings that were larger than the bound and skipped. */
  oversizeFrames: number;
  /** Frames that broke the protocol: bad padding, CONTINUATION out of place. */
  malformedFrames: number;
  /**
   * Header blocks that could not be decoded (in a hole, too large, malformed, or an HPACK error).
   * Their stream is dropped, and the direction's dynamic table becomes unknown.
   */
  lostHeaderBlocks: number;
  /** Header fields dropped because they named a dynamic-table entry the decoder does not know. */
  unknownIndexFields: number;
  /** Header fields dropped past the bytes of fields kept per message. */
  droppedFields: number;
  /** Streams reset before their response headers arrived (dropped). */
  resetStreams: number;
  /** Streams without response headers at the connection's close or GOAWAY, or over the limit. */
  abandonedStreams: number;
  /** Streams whose request headers were never seen (the connection was joined midway). */
  orphanStreams: number;
};

export type Http2ErrorKind = keyof Http2ErrorCounts;

/** A fresh set of counters, all zero. */
export function noHttp2Errors(): Http2ErrorCounts {
  return {
    lostSync: 0,
    oversizeFrames: 0,
    malformedFrames: 0,
    lostHeaderBlocks: 0,
    unknownIndexFields: 0,
    droppedFields: 0,
    resetStreams: 0,
    abandonedStreams: 0,
    orphanStreams: 0,
  };
}

/** The sum of the counters. */
export function totalErrors(counts: Http2ErrorCounts): number {
  let sum = 0;
  for (const k of Object.keys(counts) as Http2ErrorKind[]) sum += counts[k];
  return sum;
}
