import fc from 'fast-check';

import { fuzzParams } from '../../../../test/support/fuzz';
import { dataSourceSettings, SettingsError } from '../settings';
import { parseQuery, QueryModelError } from './queryModel';

/** JSON of any shape, with the query's own keys drawn often, holding values of any type. */
const queryJson = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      version: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
      script: fc.oneof(fc.string(), fc.jsonValue()),
      func: fc.oneof(fc.string(), fc.jsonValue()),
      args: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
      output: fc.jsonValue(),
      format: fc.oneof(
        fc.constantFrom('table', 'time_series', 'node_graph', 'traces'),
        fc.jsonValue(),
      ),
      templateValues: fc.oneof(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()), fc.jsonValue())),
        fc.jsonValue(),
      ),
      pxlScript: fc.jsonValue(),
      queryBody: fc.oneof(fc.record({ pxlScript: fc.jsonValue() }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
);

const bytes = fc.oneof(
  queryJson.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
);

describe('parseQuery on hostile JSON', () => {
  it('returns a runnable query or throws QueryModelError, nothing else', () => {
    fc.assert(
      fc.property(bytes, (json) => {
        try {
          const { query, templateValues } = parseQuery('A', json);
          expect(typeof query.script).toBe('string');
          expect(query.script.trim()).not.toBe('');
          for (const value of Object.values(templateValues)) {
            expect(typeof value === 'string' || value.every((v) => typeof v === 'string')).toBe(
              true,
            );
          }
        } catch (err) {
          expect(err).toBeInstanceOf(QueryModelError);
        }
      }),
      fuzzParams(300, { seed: 13 }),
    );
  });
});

describe('dataSourceSettings on hostile settings', () => {
  it('returns an http(s) URL or throws SettingsError, nothing else', () => {
    const settings = fc.record({
      jsonData: bytes,
      decryptedSecureJsonData: fc.dictionary(fc.string(), fc.string()),
      uid: fc.string(),
      name: fc.string(),
    });
    fc.assert(
      fc.property(settings, (instance) => {
        try {
          const parsed = dataSourceSettings({ dataSourceInstanceSettings: instance } as never);
          expect(new URL(parsed.url).protocol).toMatch(/^https?:$/);
        } catch (err) {
          expect(err).toBeInstanceOf(SettingsError);
        }
      }),
      fuzzParams(300, { seed: 13 }),
    );
  });
});
