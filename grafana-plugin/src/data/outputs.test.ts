import { displayedTables } from './outputs';

describe('displayedTables', () => {
  it('lists px.display names in order, positional or by keyword, without repeats', () => {
    const script = `import px
df = px.DataFrame('http_events')
px.display(df[df.resp_status >= 400], 'errors')
px.display(df.groupby('service').agg(n=('latency', px.count)), name="per_service")
px.display(df)
px.display(df, 'errors')
`;
    expect(displayedTables(script)).toEqual(['errors', 'per_service', 'output']);
  });

  it('skips names computed at run time and ignores other calls', () => {
    expect(displayedTables("px.display(df, prefix + 'x')\nprint('a', 'b')")).toEqual([]);
  });

  it('copes with template syntax in the script', () => {
    expect(displayedTables("df = df[df.ns == $ns]\npx.display(df, 'nodes')")).toEqual(['nodes']);
  });
});
