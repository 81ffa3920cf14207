/** One field's value: varints as bigint, length-delimited and fixed fields as bytes. */
export type FieldValue = bigint | Uint8Array;

/**
 * The little protobuf reading the sinks need: receivers' answers (OTLP partial success,
 * google.rpc.Status). Returns the fields of one message as a map of field number to the last
 * value seen. Throws a plain Error on bytes that are not a message.
 */
export function readFields(bytes: Uint8Array): Map<number, FieldValue> {
  return new Map(readFieldList(bytes));
}

/** Every field of one message in wire order, repeated ones included, as [number, value]. */
export function readFieldList(bytes: Uint8Array): [number, FieldValue][] {
  const fields: [number, FieldValue][] = [];
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
        fields.push([field, varint()]);
        break;
      case 1:
        fields.push([field, take(8)]);
        break;
      case 2:
        fields.push([field, take(Number(varint()))]);
        break;
      case 5:
        fields.push([field, take(4)]);
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return fields;
}
