import { warningsHeader } from './query-arrow';

describe('warningsHeader', () => {
  it('writes warnings as a JSON array of ASCII that parses back to the same strings', () => {
    const warnings = [
      'gateway "gw-\u00e9" did not answer',
      'line\nbreak',
      '\u{1f600} and "quotes"',
    ];
    const header = warningsHeader(warnings);
    expect(header).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(header)).toEqual(warnings);
  });
});
