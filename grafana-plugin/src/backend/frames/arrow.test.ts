import { DataFrame, FieldType } from '@grafana/data';
import { RecordBatchFileReader } from 'apache-arrow';
import fc from 'fast-check';

import { fuzzParams } from '../../../../test/support/fuzz';
import { decodeFrame } from '../../../test/support/grafana/frames';
import { encodeFrame, FrameEncodingError } from './arrow';

const TYPES = [
  FieldType.time,
  FieldType.number,
  FieldType.string,
  FieldType.boolean,
  FieldType.other,
];

function value(type: FieldType): fc.Arbitrary<unknown> {
  switch (type) {
    case FieldType.time:
      return fc.integer({ min: 0, max: 4_000_000_000_000 });
    case FieldType.number:
      return fc.double({ noNaN: true });
    case FieldType.string:
      return fc.string({ unit: 'grapheme' });
    case FieldType.boolean:
      return fc.boolean();
    default:
      return fc.array(fc.record({ key: fc.string(), value: fc.integer() }), { maxLength: 3 });
  }
}

/** Frames of every field type, with nulls, labels, units and duplicate field names. */
const frames: fc.Arbitrary<DataFrame> = fc
  .tuple(fc.nat({ max: 6 }), fc.array(fc.constantFrom(...TYPES), { maxLength: 6 }))
  .chain(([length, types]) =>
    fc.record({
      name: fc.string(),
      refId: fc.constantFrom('A', 'B'),
      length: fc.constant(length),
      meta: fc.constantFrom(undefined, { type: 'timeseries-wide', typeVersion: [0, 1] }),
      fields: fc.tuple(
        ...types.map((type) =>
          fc.record({
            name: fc.constantFrom('v', 'w', 'time_'),
            type: fc.constant(type),
            config: fc.constantFrom({}, { unit: 'ns' }),
            labels: fc.constantFrom(undefined, { service: 'a' }, { service: 'b', pod: 'p' }),
            values: fc.array(fc.option(value(type), { nil: null }), {
              minLength: length,
              maxLength: length,
            }),
          }),
        ),
      ),
    }),
  ) as fc.Arbitrary<DataFrame>;

/** What Grafana reads back: labels absent when empty, time as ms (with no nanos here). */
function expected(frame: DataFrame) {
  return {
    name: frame.name || undefined,
    refId: frame.refId,
    meta: frame.meta,
    length: frame.length,
    fields: frame.fields.map((f) => ({
      name: f.name,
      type: f.type,
      config: f.config,
      values: f.values,
      ...(f.labels ? { labels: f.labels } : {}),
    })),
  };
}

describe('encodeFrame', () => {
  it('writes frames that read back field for field, value for value', () => {
    fc.assert(
      fc.property(frames, (frame) => {
        expect(decodeFrame(encodeFrame(frame))).toEqual(expected(frame));
      }),
      fuzzParams(200, { seed: 13 }),
    );
  });

  it('keeps the nanoseconds of times', () => {
    const frame = decodeFrame(
      encodeFrame({
        length: 2,
        fields: [
          { name: 't', type: FieldType.time, config: {}, values: [1, 2], nanos: [999_999, 0] },
        ],
      }),
    );
    expect(frame.fields[0]).toMatchObject({ values: [1, 2], nanos: [999_999, 0] });
  });

  it('writes every int64 time exactly, before 1970 and past 2^53 ns, with its nanoseconds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 8 }),
        (times) => {
          const rest = times.map((ns) => ((ns % 1_000_000n) + 1_000_000n) % 1_000_000n);
          const bytes = encodeFrame({
            length: times.length,
            fields: [
              {
                name: 't',
                type: FieldType.time,
                config: {},
                values: times.map((ns, i) => Number((ns - rest[i]!) / 1_000_000n)),
                nanos: rest.map(Number),
              },
            ],
          });
          const reader = RecordBatchFileReader.from(bytes);
          reader.open();
          const written = [...reader].flatMap((b) => [
            ...(b.data.children[0]!.values as BigInt64Array),
          ]);
          expect(written).toEqual(times);
        },
      ),
      fuzzParams(300),
    );
  });

  it('writes text value by value, lone surrogates of neighbours not paired', () => {
    const values = ['plain', '\ud83d', '\ude00', 'héllo', null, '😀'];
    const frame = decodeFrame(
      encodeFrame({
        length: values.length,
        fields: [{ name: 's', type: FieldType.string, config: {}, values }],
      }),
    );
    expect(frame.fields[0]!.values).toEqual(['plain', '\ufffd', '\ufffd', 'héllo', null, '😀']);
  });

  it('refuses a field whose values do not match the frame length, naming both', () => {
    expect(() =>
      encodeFrame({
        name: 'f',
        length: 2,
        fields: [{ name: 'v', type: FieldType.number, config: {}, values: [1] }],
      }),
    ).toThrow(new FrameEncodingError('field "v" of frame "f" has 1 values, the frame 2 rows'));
  });
});
