import fc from 'fast-check';
import { fuzzParams } from '../../../test/support/fuzz';
import { MemberRecord, encodeMemberRecord, parseMemberRecord } from './member-record';

const record = fc.record({
  id: fc.string({ minLength: 1, maxLength: 64 }),
  url: fc.option(fc.webUrl(), { nil: undefined }),
  lag: fc.dictionary(fc.string({ maxLength: 40 }), fc.nat()),
});

describe('member records in the KV bucket (property)', () => {
  it('reads back every record it writes', () => {
    fc.assert(
      fc.property(record, (r) => {
        const clean: MemberRecord = r.url === undefined ? { id: r.id, lag: r.lag } : r;
        expect(parseMemberRecord(encodeMemberRecord(clean), r.id)).toEqual(clean);
      }),
      fuzzParams(300, { seed: 16 }),
    );
  });

  it('never throws on random or lying bytes, and never takes a record for another key', () => {
    const lying = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.json().map((j) => Buffer.from(j)),
      record.map((r) => encodeMemberRecord({ ...r, url: r.url ?? 'x' })),
      fc
        .record({ id: fc.anything(), lag: fc.anything(), url: fc.anything() })
        .map((o) => Buffer.from(JSON.stringify(o) ?? '')),
    );
    fc.assert(
      fc.property(lying, fc.string({ maxLength: 64 }), (bytes, keyId) => {
        const parsed = parseMemberRecord(bytes, keyId);
        if (parsed !== undefined) {
          expect(parsed.id).toBe(keyId);
          for (const n of Object.values(parsed.lag)) expect(Number.isSafeInteger(n)).toBe(true);
        }
      }),
      fuzzParams(500, { seed: 17 }),
    );
  });

  it('does not read a value larger than its bound', () => {
    const huge = encodeMemberRecord({ id: 'g', lag: { x: 1 }, url: 'a'.repeat(300_000) });
    expect(parseMemberRecord(huge, 'g')).toBeUndefined();
  });
});
