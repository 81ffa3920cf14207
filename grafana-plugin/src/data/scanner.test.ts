import { scan, segmentText } from './scanner';

describe('scan', () => {
  it('separates code, strings and comments and joins back to the source', () => {
    const source = "df = df[df.ns == 'a#b'] # keep 'x'\nname = \"q\\\"uote\"\n";
    const segments = scan(source);
    expect(segments.map((s) => s.kind)).toEqual([
      'code',
      'string',
      'code',
      'comment',
      'code',
      'string',
      'code',
    ]);
    expect(segments.map(segmentText).join('')).toBe(source);
    expect(segments[1]).toMatchObject({
      kind: 'string',
      body: 'a#b',
      quote: "'",
      terminated: true,
    });
    expect(segments[5]).toMatchObject({ kind: 'string', body: 'q\\"uote', quote: '"' });
  });

  it('reads triple-quoted strings across lines and keeps their quotes', () => {
    const source = "'''doc\nwith 'quotes' and \"more\"'''\nx = 1";
    const [doc] = scan(source);
    expect(doc).toMatchObject({
      kind: 'string',
      triple: true,
      body: 'doc\nwith \'quotes\' and "more"',
    });
    expect(scan(source).map(segmentText).join('')).toBe(source);
  });

  it('recognises string prefixes only at the start of a token', () => {
    expect(scan("r'\\d+'")[0]).toMatchObject({ kind: 'string', prefix: 'r', body: '\\d+' });
    expect(scan("rb'x'")[0]).toMatchObject({ kind: 'string', prefix: 'rb' });
    const named = scan("bar'x'");
    expect(named[0]).toEqual({ kind: 'code', text: 'bar' });
    expect(named[1]).toMatchObject({ kind: 'string', prefix: '', body: 'x' });
  });

  it('ends an unterminated one-line string at the end of its line', () => {
    const segments = scan("x = 'open\ny = 2");
    expect(segments[1]).toMatchObject({ kind: 'string', body: 'open', terminated: false });
    expect(segments[2]).toEqual({ kind: 'code', text: '\ny = 2' });
    expect(segments.map(segmentText).join('')).toBe("x = 'open\ny = 2");
  });

  it('keeps template syntax in code, where Python would not accept it', () => {
    expect(scan('df[df.ns == $namespace]')).toEqual([
      { kind: 'code', text: 'df[df.ns == $namespace]' },
    ]);
  });
});
