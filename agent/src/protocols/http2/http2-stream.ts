import { HeaderField } from './hpack/hpack-decoder';

/** One side of an HTTP/2 stream: the request a client sent, or the response a server sent. */
export interface Http2Message {
  /** The first header block's fields, pseudo-headers (`:method`, `:status`, ...) included. */
  readonly headers: readonly HeaderField[];
  /** The fields of a header block after the body (gRPC's `grpc-status` is one). */
  readonly trailers: readonly HeaderField[];
  /** Captured DATA bytes (padding left out), at most the configured body limit. */
  readonly body: Uint8Array;
  /** All DATA bytes of the message, captured or not. */
  readonly bodySize: number;
  /**
   * How many of `body`'s bytes, from its start, are surely one run of the stream's data: fewer
   * than `body.length` when the capture missed bytes in between (whose place is not known).
   */
  readonly bodyContiguous: number;
  /** Times of the first and last frame, monotonic ns. */
  readonly startTs: number;
  readonly endTs: number;
  /** The message ended with END_STREAM (not cut by a reset or the connection's end). */
  readonly ended: boolean;
  /** Header fields the decoder could not read (unknown dynamic entries) or did not keep. */
  readonly lostFields: number;
}

/** A request and its response on one stream. */
export interface Http2Exchange {
  readonly streamId: number;
  readonly req: Http2Message;
  readonly resp: Http2Message;
}

const EMPTY = new Uint8Array(0);

/** A message while its frames arrive. */
export class HalfStream {
  /** The first header block; undefined until it has been decoded. */
  headers: HeaderField[] | undefined;
  trailers: HeaderField[] = [];
  /** Its first header block could not be decoded: the message can never be reported. */
  lostHeaders = false;
  ended = false;
  lostFields = 0;
  startTs = 0;
  endTs = 0;
  /** Bytes of header fields held (names and values, trailers included). */
  fieldBytes = 0;
  private touched = false;
  private parts: Uint8Array[] = [];
  private captured = 0;
  private bodySize = 0;
  /** Captured bytes before the first gap in the capture. */
  private contiguous = -1;

  /** Notes a frame of this message at times `startTs`..`endTs`. */
  touch(startTs: number, endTs: number): void {
    if (!this.touched) {
      this.touched = true;
      this.startTs = startTs;
    }
    this.endTs = Math.max(this.endTs, endTs);
  }

  /**
   * Adds a decoded header block: the first is the headers, later ones trailers. Returns how many
   * fields it dropped to keep the message's fields within `maxBytes`.
   */
  addFields(fields: readonly HeaderField[], maxBytes: number): number {
    const kept: HeaderField[] = [];
    for (const f of fields) {
      const size = f.name.length + f.value.length;
      if (this.fieldBytes + size > maxBytes) continue;
      this.fieldBytes += size;
      kept.push(f);
    }
    if (this.headers === undefined) this.headers = kept;
    else this.trailers.push(...kept);
    return fields.length - kept.length;
  }

  /**
   * Adds DATA bytes: `size` positions, of which `parts` were captured. Keeps copies of the first
   * `maxBody` captured bytes (the views are of chunks that share memory with other events; a
   * Buffer's `slice` would be a view too).
   */
  addData(parts: readonly Uint8Array[], size: number, gap: boolean, maxBody: number): void {
    this.bodySize += size;
    if (this.captured >= maxBody) return;
    if (gap && this.contiguous < 0) this.contiguous = this.captured;
    for (const p of parts) {
      const take = Math.min(p.length, maxBody - this.captured);
      if (take <= 0) break;
      this.parts.push(new Uint8Array(p.subarray(0, take)));
      this.captured += take;
    }
  }

  /** The finished message. */
  message(): Http2Message {
    const parts = this.parts;
    return {
      headers: this.headers ?? [],
      trailers: this.trailers,
      body: parts.length === 0 ? EMPTY : parts.length === 1 ? parts[0]! : Buffer.concat(parts),
      bodySize: this.bodySize,
      bodyContiguous: this.contiguous < 0 ? this.captured : this.contiguous,
      startTs: this.startTs,
      endTs: this.endTs,
      ended: this.ended,
      lostFields: this.lostFields,
    };
  }
}

/** A stream while its frames arrive. */
export class Http2Stream {
  readonly req = new HalfStream();
  readonly resp = new HalfStream();

  constructor(readonly id: number) {}

  /** Both header blocks are known, so the stream can be reported (however it ended). */
  reportable(): boolean {
    return this.req.headers !== undefined && this.resp.headers !== undefined;
  }

  exchange(): Http2Exchange {
    return { streamId: this.id, req: this.req.message(), resp: this.resp.message() };
  }
}

/** The value of the first field named `name` (lowercase, as HTTP/2 sends names), if any. */
export function fieldValue(fields: readonly HeaderField[], name: string): string | undefined {
  for (const f of fields) if (f.name === name) return f.value;
  return undefined;
}
