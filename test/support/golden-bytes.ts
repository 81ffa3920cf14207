import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Golden encodings: a sequence of messages kept gzipped in one file (each as a 4-byte
 * little-endian length, then its bytes), compared byte for byte. `UPDATE_GOLDEN=1` rewrites the
 * file from what the test produced; read the reason in the commit that does it.
 */
export function expectGoldenBytes(file: string, messages: readonly Uint8Array[]): void {
  if (process.env.UPDATE_GOLDEN) {
    writeFileSync(file, gzipSync(frame(messages), { level: 9 }));
    return;
  }
  if (!existsSync(file)) throw new Error(`no golden file ${file}: run with UPDATE_GOLDEN=1`);
  const golden = unframe(gunzipSync(readFileSync(file)));
  expect(messages.length).toBe(golden.length);
  for (let i = 0; i < messages.length; i++) {
    const got = Buffer.from(messages[i]!.buffer, messages[i]!.byteOffset, messages[i]!.length);
    const want = golden[i]!;
    if (got.equals(want)) continue;
    throw new Error(
      `message ${i} differs from ${file}: ${got.length} bytes against ${want.length}, ` +
        `first difference at byte ${firstDifference(got, want)}`,
    );
  }
}

/**
 * Writes each input with one writer, as a sink keeps one (so that growth, reuse and the
 * writer's caches are crossed on the way), and keeps a copy of each message.
 */
export function writeEach<W extends { view(): Buffer }, I>(
  w: W,
  inputs: readonly I[],
  write: (w: W, input: I) => void,
): Buffer[] {
  return inputs.map((input) => {
    write(w, input);
    return Buffer.from(w.view());
  });
}

function frame(messages: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(m.length);
    parts.push(len, Buffer.from(m));
  }
  return Buffer.concat(parts);
}

function unframe(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  while (p < data.length) {
    if (p + 4 > data.length) throw new Error('golden file cut inside a length');
    const n = data.readUInt32LE(p);
    if (p + 4 + n > data.length) throw new Error('golden file cut inside a message');
    out.push(data.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  return out;
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
