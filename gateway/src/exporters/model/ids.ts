/**
 * Trace and span ids travel as bytes (16 and 8), as OTLP's protobuf carries them, so that
 * encoding one is a copy; W3C headers, OTLP/JSON and people read them as lowercase hex.
 */

/** The bytes of a hex id (the caller has checked the hex). */
export function idFromHex(hex: string): Uint8Array {
  const id = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < id.length; i++) id[i] = parseInt(hex.substr(2 * i, 2), 16);
  return id;
}

/** A byte id as lowercase hex. */
export function idToHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}
