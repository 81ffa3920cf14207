import { escapeStringContent, pxlNumber, pxlString, pxlStringList } from './pxlLiteral';

describe('pxlString', () => {
  it('quotes plain text as it is', () => {
    expect(pxlString('default/frontend')).toBe("'default/frontend'");
  });

  it('escapes backslashes, quotes, line breaks and control characters', () => {
    expect(pxlString("it's")).toBe("'it\\'s'");
    expect(pxlString('a\\b')).toBe("'a\\\\b'");
    expect(pxlString('one\ntwo\rthree\tfour')).toBe("'one\\ntwo\\rthree\\tfour'");
    expect(pxlString('\u0000\u001b\u007f\u0085')).toBe("'\\x00\\x1b\\x7f\\x85'");
    expect(pxlString('\u2028\u2029')).toBe("'\\u2028\\u2029'");
  });

  it('leaves the other quote and non-ASCII text alone', () => {
    expect(pxlString('say "hi" – ünïcødé 🚀')).toBe('\'say "hi" – ünïcødé 🚀\'');
    expect(escapeStringContent('it\'s "x"', '"')).toBe('it\'s \\"x\\"');
  });

  it('makes lists of string literals', () => {
    expect(pxlStringList(['a', "b'c"])).toBe("['a', 'b\\'c']");
    expect(pxlStringList([])).toBe('[]');
  });
});

describe('pxlNumber', () => {
  it('accepts integers and floats, parenthesised', () => {
    expect(pxlNumber('42', 'int')).toBe('(42)');
    expect(pxlNumber(' -7 ', 'int')).toBe('(-7)');
    expect(pxlNumber('1.5e3', 'float')).toBe('(1.5e3)');
    expect(pxlNumber('.5', 'float')).toBe('(.5)');
  });

  it('refuses anything else', () => {
    for (const bad of ['', '1.5', '1; x', '0x10', '1)', '1e5'])
      expect(pxlNumber(bad, 'int')).toBeUndefined();
    for (const bad of ['abc', '1..2', 'nan', '1e', '(1)'])
      expect(pxlNumber(bad, 'float')).toBeUndefined();
  });
});
