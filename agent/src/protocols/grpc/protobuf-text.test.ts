import { Writer } from 'protobufjs';
import { protobufText } from './protobuf-text';

const text = (w: Writer, max = 10000) => protobufText(w.finish(), max);
const tag = (field: number, wire: number) => (field << 3) | wire;

describe('protobufText', () => {
  it('prints fields as protobuf prints unknown fields: numbers, strings, hex fixed values', () => {
    const w = Writer.create()
      .uint32(tag(1, 2))
      .string('Hello user-0')
      .uint32(tag(2, 0))
      .uint64(150)
      .uint32(tag(3, 0))
      .int32(-1)
      .uint32(tag(4, 5))
      .fixed32(0xdeadbeef)
      .uint32(tag(5, 1))
      .fixed64(1)
      .uint32(tag(6, 2))
      .string('');
    expect(text(w)).toEqual({
      text: [
        '1: "Hello user-0"',
        '2: 150',
        '3: 18446744073709551615',
        '4: 0xdeadbeef',
        '5: 0x0000000000000001',
        '6: ""',
        '',
      ].join('\n'),
      complete: true,
      cut: false,
    });
  });

  it('prints a length-delimited field that parses as a message as one, indented', () => {
    const inner = Writer.create()
      .uint32(tag(1, 0))
      .uint32(5)
      .uint32(tag(2, 2))
      .string('\x01x')
      .finish();
    const w = Writer.create()
      .uint32(tag(3, 2))
      .bytes(inner)
      .uint32(tag(4, 3))
      .uint32(tag(1, 0))
      .uint32(7)
      .uint32(tag(4, 4));
    expect(text(w).text).toBe('3 {\n  1: 5\n  2: "\\001x"\n}\n4 {\n  1: 7\n}\n');
  });

  it('escapes strings as protobuf does: C escapes, octal for what is not printable ASCII', () => {
    const w = Writer.create().uint32(tag(1, 2)).bytes(Buffer.from('\x00é\n\t"\'\\~', 'utf8'));
    expect(text(w).text).toBe('1: "\\000\\303\\251\\n\\t\\"\\\'\\\\~"\n');
  });

  it('tries nested messages ten levels deep, then shows the bytes as a string', () => {
    let msg = Writer.create().uint32(tag(1, 0)).uint32(1).finish();
    for (let i = 0; i < 11; i++) msg = Writer.create().uint32(tag(1, 2)).bytes(msg).finish();
    const lines = protobufText(msg, 10000).text.trimEnd().split('\n');
    expect(lines.filter((l) => l.endsWith('{'))).toHaveLength(10);
    expect(lines[10]).toBe(`${' '.repeat(20)}1: "\\010\\001"`);
  });

  it('shows the fields before one that does not parse, and says it did not', () => {
    const whole = Writer.create()
      .uint32(tag(1, 2))
      .string('kept')
      .uint32(tag(2, 2))
      .string('cut off')
      .finish();
    expect(protobufText(whole.subarray(0, whole.length - 2), 10000)).toEqual({
      text: '1: "kept"\n',
      complete: false,
      cut: false,
    });
    expect(protobufText(Buffer.from([0x07]), 100)).toEqual({
      text: '',
      complete: false,
      cut: false,
    });
  });

  it('shows a string that happens to parse as a message as one, as protobuf does', () => {
    // 'x' is 0x78: field 15, a varint, whose value is the next 'x' (120).
    expect(text(Writer.create().uint32(tag(1, 2)).string('xxxx')).text).toBe(
      '1 {\n  15: 120\n  15: 120\n}\n',
    );
  });

  it('stops at maxChars', () => {
    const w = Writer.create()
      .uint32(tag(1, 2))
      .string(`\x01${'x'.repeat(100)}`);
    expect(text(w, 20)).toEqual({ text: '1: "\\001xxxxxxxxxxxx', complete: true, cut: true });
  });
});
