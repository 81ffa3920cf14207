/**
 * A small flatbuffer writer for tests: objects are described as a tree and laid out front to
 * back (a table's vtable just before it, its children after it), so that every offset is forward
 * and every value, however wrong, is exactly what the test asked for.
 */

/** A scalar field of a table, with its width on the wire. */
export type FbScalar =
  | { kind: 'u8'; value: number }
  | { kind: 'i16'; value: number }
  | { kind: 'i32'; value: number }
  | { kind: 'i64'; value: bigint };

export type FbObject =
  | { kind: 'table'; fields: ReadonlyArray<FbScalar | FbObject | undefined> }
  | { kind: 'string'; value: string }
  | { kind: 'tables'; items: readonly FbObject[] }
  /** A vector of structs: `count` elements of raw bytes, aligned to 8. */
  | { kind: 'structs'; count: number; bytes: Uint8Array };

export const u8 = (value: number): FbScalar => ({ kind: 'u8', value });
export const i16 = (value: number): FbScalar => ({ kind: 'i16', value });
export const i32 = (value: number): FbScalar => ({ kind: 'i32', value });
export const i64 = (value: bigint | number): FbScalar => ({ kind: 'i64', value: BigInt(value) });
export const table = (...fields: Array<FbScalar | FbObject | undefined>): FbObject => ({
  kind: 'table',
  fields,
});
export const str = (value: string): FbObject => ({ kind: 'string', value });
export const tables = (items: readonly FbObject[]): FbObject => ({ kind: 'tables', items });

/** A vector of structs made of int64 fields (Arrow's FieldNode and Buffer are two each). */
export function int64Structs(rows: ReadonlyArray<readonly bigint[]>): FbObject {
  const width = rows[0]?.length ?? 0;
  const bytes = new Uint8Array(rows.length * width * 8);
  const view = new DataView(bytes.buffer);
  rows.forEach((row, i) => row.forEach((v, j) => view.setBigInt64((i * width + j) * 8, v, true)));
  return { kind: 'structs', count: rows.length, bytes };
}

const WIDTH = { u8: 1, i16: 2, i32: 4, i64: 8 } as const;

/** Serializes a root table into flatbuffer bytes. */
export function finish(root: FbObject): Uint8Array {
  const out = new Writer();
  out.reserve(4);
  const at = out.place(root);
  out.view().setUint32(0, at, true);
  return out.bytes();
}

class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  reserve(n: number): number {
    while (this.len + n > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  align(n: number): void {
    this.reserve((n - (this.len % n)) % n);
  }

  view(): DataView {
    return new DataView(this.buf.buffer, 0, this.len);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** Writes an object and everything it refers to; returns the object's position. */
  place(obj: FbObject): number {
    switch (obj.kind) {
      case 'string': {
        const text = new TextEncoder().encode(obj.value);
        this.align(4);
        const at = this.reserve(4 + text.length + 1);
        this.view().setUint32(at, text.length, true);
        this.buf.set(text, at + 4);
        return at;
      }
      case 'structs': {
        // The elements (int64 fields) start 8-aligned, just after the 4-byte length.
        this.align(8);
        this.reserve(4);
        const at = this.reserve(4 + obj.bytes.length);
        this.view().setUint32(at, obj.count, true);
        this.buf.set(obj.bytes, at + 4);
        return at;
      }
      case 'tables': {
        this.align(4);
        const at = this.reserve(4 + 4 * obj.items.length);
        this.view().setUint32(at, obj.items.length, true);
        obj.items.forEach((item, i) => this.patch(at + 4 + 4 * i, this.place(item)));
        return at;
      }
      case 'table':
        return this.placeTable(obj.fields);
    }
  }

  private placeTable(fields: ReadonlyArray<FbScalar | FbObject | undefined>): number {
    // Inline layout: soffset to the vtable, then fields by falling width (int64s 8-aligned).
    const slots: Array<{ f: FbScalar | FbObject; i: number }> = [];
    fields.forEach((f, i) => f && slots.push({ f, i }));
    const width = (f: FbScalar | FbObject): number =>
      f.kind in WIDTH ? WIDTH[f.kind as keyof typeof WIDTH] : 4;
    slots.sort((a, b) => width(b.f) - width(a.f));
    const offsets = new Array<number>(fields.length).fill(0);
    let size = slots.some((s) => width(s.f) === 8) ? 8 : 4;
    for (const s of slots) {
      const w = width(s.f);
      size = Math.ceil(size / w) * w;
      offsets[s.i] = size;
      size += w;
    }
    const vtableBytes = 4 + 2 * fields.length;
    this.align(8);
    this.reserve((8 - ((this.len + vtableBytes) % 8)) % 8);
    const vtable = this.reserve(vtableBytes);
    const at = this.reserve(size);
    const view = this.view();
    view.setUint16(vtable, vtableBytes, true);
    view.setUint16(vtable + 2, size, true);
    offsets.forEach((o, i) => view.setUint16(vtable + 4 + 2 * i, o, true));
    view.setInt32(at, at - vtable, true);
    const children: Array<{ pos: number; obj: FbObject }> = [];
    for (const { f, i } of slots) {
      const pos = at + offsets[i]!;
      switch (f.kind) {
        case 'u8':
          view.setUint8(pos, f.value);
          break;
        case 'i16':
          view.setInt16(pos, f.value, true);
          break;
        case 'i32':
          view.setInt32(pos, f.value, true);
          break;
        case 'i64':
          view.setBigInt64(pos, f.value, true);
          break;
        default:
          children.push({ pos, obj: f as FbObject });
      }
    }
    for (const c of children) this.patch(c.pos, this.place(c.obj));
    return at;
  }

  /** Points the uoffset at `pos` to `target` (always forward). */
  private patch(pos: number, target: number): void {
    new DataView(this.buf.buffer).setUint32(pos, target - pos, true);
  }
}
