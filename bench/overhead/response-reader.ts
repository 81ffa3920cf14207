/**
 * Finds where HTTP/1.1 responses end in the bytes of one keep-alive connection, for the paced
 * load generator: a status line and headers, then a body of Content-Length bytes or chunked
 * (without trailers). Only what the benchmark's server sends is read; anything else is an
 * error, so that a changed server fails the run instead of skewing it.
 */
export class ResponseReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Takes the next bytes; returns the statuses of the responses they completed. */
  push(chunk: Buffer): number[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const statuses: number[] = [];
    for (;;) {
      const headEnd = this.pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return statuses;
      const head = this.pending.toString('latin1', 0, headEnd);
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(head);
      if (!status)
        throw new Error(`not an HTTP/1.x response: ${JSON.stringify(head.slice(0, 40))}`);
      const end = this.bodyEnd(head, headEnd + 4);
      if (end < 0) return statuses;
      statuses.push(Number(status[1]));
      this.pending = this.pending.subarray(end);
    }
  }

  /** Where the body starting at `from` ends, or -1 when it has not all arrived. */
  private bodyEnd(head: string, from: number): number {
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (length) {
      const end = from + Number(length[1]);
      return this.pending.length >= end ? end : -1;
    }
    if (!/\r\ntransfer-encoding: *chunked/i.test(head)) {
      throw new Error('a response with neither Content-Length nor chunked encoding');
    }
    let at = from;
    for (;;) {
      const lineEnd = this.pending.indexOf('\r\n', at);
      if (lineEnd < 0) return -1;
      const size = parseInt(this.pending.toString('latin1', at, lineEnd), 16);
      if (!Number.isInteger(size) || size < 0) throw new Error('a chunk without a size');
      // Each chunk's data ends with CRLF; the last chunk (size 0) is followed by one CRLF.
      at = lineEnd + 2 + size + 2;
      if (this.pending.length < at) return -1;
      if (size === 0) return at;
    }
  }
}
