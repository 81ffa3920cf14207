import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads a file that must be small (a token, a certificate): at most `maxBytes`, or an error
 * naming the file, so a wrong path (a log, a device) is refused instead of read whole.
 */
export function readSmallFile(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    if (stat.size > maxBytes) {
      throw new Error(`${path} holds ${stat.size} bytes; at most ${maxBytes} are expected`);
    }
    const buf = Buffer.alloc(stat.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

/** A bearer token read from a file: its text without surrounding whitespace (a final newline). */
export function readTokenFile(path: string): string {
  const token = readSmallFile(path, 4096).toString('utf8').trim();
  if (token.length < 16) throw new Error(`${path}: the token must be at least 16 characters`);
  if (/\s/.test(token)) throw new Error(`${path}: the token may not contain white space`);
  return token;
}
