import { PxlFixture, pxlFixture, records } from '../../../../test/support/pxl';
import { PxlError } from '../errors';

describe('evaluating the Python of a script while planning', () => {
  let fx: PxlFixture;
  beforeAll(async () => {
    fx = await pxlFixture();
    await fx.insert('http_events', [{ time_: '1', latency: 1 }]);
  });
  afterAll(() => fx.close());

  /** Evaluates `expr` into a one-cell table. */
  const value = async (setup: string, expr: string) => {
    const { out } = await fx.run(
      `import px\n${setup}\ndf = px.DataFrame('http_events', select=['latency'])\ndf.v = ${expr}\npx.display(df[['v']], 'out')`,
    );
    return records(out!)[0]!.v;
  };

  it('computes Python arithmetic, strings, lists and dicts as Python does', async () => {
    expect(await value('', '7 // 2 * 10 + 7 % 3 - (-7 // 2)')).toBe(35n);
    expect(await value('', '2 ** 10 / 4')).toBe(256);
    expect(await value("s = 'ab' * 3 + str(12) + str(1.0)", 's')).toBe('ababab121.0');
    expect(
      await value("xs = [1, 2, 3]\nd = {'a': xs[-1], 'b': len(xs)}", "d['a'] * 10 + d['b']"),
    ).toBe(33n);
    expect(await value("t = ('x', 'y')", 't[0] + t[-1]')).toBe('xy');
    expect(await value('', "int('42') + int(3.9)")).toBe(45n);
    expect(await value('', "'b' in 'abc' and 2 in [1, 2] and not ('z' in {'a': 1})")).toBe(true);
  });

  it('calls functions with defaults bound where they are defined, and keyword arguments', async () => {
    const setup = `
base = 10
def add(a, b=base, scale=1):
    return (a + b) * scale
base = 20
def twice(f_arg):
    return add(f_arg, scale=2)`;
    expect(await value(setup, 'twice(1) + add(1)')).toBe(33n);
  });

  it('has px without import, as Pixie does, and lets a script alias px attributes', async () => {
    const { out } = await fx.run(`px.Node = str
def f(node: px.Node):
    return px.DataFrame('http_events', select=['latency'])
px.display(f('x'), 'out')`);
    expect(records(out!)).toEqual([{ latency: 1n }]);
  });

  it('folds px functions of known values into values', async () => {
    expect(await value('d = px.format_duration(2 * px.parse_duration("-5m"))', 'd')).toBe('-10m0s');
    expect(await value('', 'px.DurationNanos(px.minutes(2))')).toBe(120_000_000_000n);
  });

  it('converts function arguments given from outside to their annotated types', async () => {
    const script =
      'import px\ndef f(n: int, x: float, b: bool, s: str, p: px.Pod):\n    df = px.DataFrame("http_events", select=["latency"])\n    df.v = px.select(b, s + p, "no")\n    df.w = n + x\n    return df';
    const { f } = await fx.run(script, {
      func: 'f',
      args: { n: '2', x: 0.5, b: 'true', s: 'a', p: 'b' },
    });
    expect(records(f!)).toEqual([{ latency: 1n, v: 'ab', w: 2.5 }]);
    await expect(fx.run(script, { func: 'f', args: { n: 'two' } })).rejects.toThrow(
      'argument "n" must be an integer, not "two"',
    );
    await expect(fx.run(script, { func: 'g' })).rejects.toMatchObject({ kind: 'not-found' });
    await expect(fx.run(script, { func: 'f', args: { q: 1 } })).rejects.toThrow(PxlError);
  });
});
