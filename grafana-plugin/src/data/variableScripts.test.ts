import { firstColumnValues, variableScript } from './variableScripts';

describe('variableScript', () => {
  it('lists a Kubernetes name over the dashboard range', () => {
    const script = variableScript('services');
    expect(script).toContain("df.value = df.ctx['service']");
    expect(script).toContain('start_time=$__from, end_time=$__to');
    expect(script).not.toContain('equals_any');
  });

  it('filters by namespaces with escaped literals', () => {
    expect(variableScript('pods', ['default', "x'y"])).toContain(
      "df = df[px.equals_any(df.ctx['namespace'], ['default', 'x\\'y'])]",
    );
    expect(variableScript('namespaces', ['default'])).not.toContain('equals_any');
  });
});

describe('firstColumnValues', () => {
  it('keeps distinct, non-empty values in order', () => {
    expect(firstColumnValues([['b', 1], ['a'], ['b'], [''], [null], [3]])).toEqual(['b', 'a', '3']);
  });
});
