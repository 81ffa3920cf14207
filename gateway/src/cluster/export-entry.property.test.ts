import fc from 'fast-check';
import { fuzzParams } from '../../../test/support/fuzz';
import { CumulativeState } from '../jobs/otel/cumulative-state';
import { ExportEntryError, decodeExportEntry, encodeExportEntry } from './export-entry';

const KEY = { job: 'http-metrics', sink: 'remote-write', partition: 'node-1' };

/** Totals with one counter, as a sink's running totals hold them. */
function totals(value: number): CumulativeState {
  const state = new CumulativeState(100, 60_000);
  const prepared = state.prepare(
    [
      {
        kind: 'sum',
        resource: { attributes: { 'service.name': 'svc' } },
        metric: { name: 'requests', description: '', unit: '1' },
        attributes: { 'pxgate.partition': 'node-1' },
        monotonic: true,
        mode: 'add',
        value,
        integer: true,
      },
    ],
    1_000_000_000n,
    1000,
    0n,
  );
  prepared.commit();
  return state;
}

describe('export cursor entries in the KV bucket (property)', () => {
  it('reads back every entry it writes', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 50 }), fc.nat({ max: 1e9 }), (cursor, value) => {
        const entry = { ...KEY, cursor, totals: totals(value) };
        const back = decodeExportEntry(encodeExportEntry(entry), KEY, 100, 60_000);
        expect(back.cursor).toBe(cursor);
        expect(back.totals.toSnapshot()).toEqual(entry.totals.toSnapshot());
      }),
      fuzzParams(200, { seed: 41 }),
    );
  });

  it('refuses random and lying bytes with its own error only, and another key\u2019s entry', () => {
    const good = JSON.parse(
      Buffer.from(encodeExportEntry({ ...KEY, cursor: 5, totals: totals(3) })).toString(),
    ) as Record<string, unknown>;
    const lying = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.json().map((j) => Buffer.from(j)),
      fc
        .record({
          version: fc.oneof(fc.constant(1), fc.anything()),
          job: fc.oneof(fc.constant(KEY.job), fc.anything()),
          sink: fc.oneof(fc.constant(KEY.sink), fc.anything()),
          partition: fc.oneof(fc.constant(KEY.partition), fc.string()),
          cursor: fc.oneof(fc.nat(), fc.double(), fc.anything()),
          totals: fc.oneof(fc.constant(good.totals), fc.anything()),
        })
        .map((o) => Buffer.from(JSON.stringify(o) ?? '')),
      // A good entry with one field replaced by anything.
      fc
        .tuple(fc.constantFrom(...Object.keys(good)), fc.anything())
        .map(([k, v]) => Buffer.from(JSON.stringify({ ...good, [k]: v }) ?? '')),
    );
    fc.assert(
      fc.property(lying, (bytes) => {
        try {
          const e = decodeExportEntry(bytes, KEY, 100, 60_000);
          expect(Number.isSafeInteger(e.cursor) && e.cursor >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ExportEntryError);
        }
      }),
      fuzzParams(500, { seed: 42 }),
    );
    const other = encodeExportEntry({ ...KEY, partition: 'node-2', cursor: 1, totals: totals(1) });
    expect(() => decodeExportEntry(other, KEY, 100, 60_000)).toThrow(ExportEntryError);
  });
});
