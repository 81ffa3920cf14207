/**
 * The little protobuf reading the sinks need: receivers' answers (OTLP partial success,
 * google.rpc.Status). Returns the fields of one message as a map of field number to the last
 * value seen: varints as bigint, length-delimited fields as bytes, fixed fields as bytes.
 */
export function readFields(bytes: Uint8Array): Map<number, bigint | Uint8Array> {
  const fields = new Map<number, bigint | Uint8Array>();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) throw new Error('truncated varint');
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
    throw new Error('varint too long');
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > bytes.length) throw new Error('truncated field');
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    switch (key & 7) {
      case 0:
        fields.set(field, varint());
        break;
      case 1:
        fields.set(field, take(8));
        break;
      case 2:
        fields.set(field, take(Number(varint())));
        break;
      case 5:
        fields.set(field, take(4));
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return fields;
}
