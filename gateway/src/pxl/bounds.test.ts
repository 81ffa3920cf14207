import { httpStatusOf } from '../api/errors';
import { PxlFixture, pxlFixture } from '../../../test/support/pxl';
import { BOUNDS } from './bounds';
import { PxlError } from './errors';

const HEAD = "import px\ndf = px.DataFrame('http_events', select=['latency'])\n";
const lines = (n: number, line: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => line(i)).join('\n');

/**
 * Each script passes one bound: it is refused with a 422 that names the bound, at the line and
 * column where the bound was passed.
 */
const CASES: readonly [string, string, RegExp, number, number][] = [
  [
    'brackets nested deeper than the bound',
    `x = ${'('.repeat(101)}1${')'.repeat(101)}`,
    /^brackets nest more than 100 levels deep \(the PxL limit "nesting"\)/,
    1,
    105,
  ],
  [
    'an expression nested deeper than the bound without brackets',
    `x = ${'- '.repeat(101)}1`,
    /^the expression nests more than 100 levels deep \(the PxL limit "nesting"\)/,
    1,
    205,
  ],
  [
    'a condition chaining more and/or than the bound',
    `x = True${' and True'.repeat(101)}`,
    /^the condition chains more than 100 and\/or\/not \(the PxL limit "nesting"\)/,
    1,
    1 + 'x = True'.length + 9 * 100 + 1,
  ],
  [
    'a per-row expression nested deeper than the bound',
    `${HEAD}e = df.latency\n${lines(100, () => 'e = e + 1')}\ndf.c = e\npx.display(df)`,
    /^the expression nests more than 100 operations deep \(the PxL limit "expressionDepth"\)/,
    3,
    5,
  ],
  [
    'more DataFrame operations than the bound',
    `${HEAD}${lines(BOUNDS.dataframeOps, () => 'df = df[df.latency > 0]')}\npx.display(df)`,
    /^the script builds more than 5000 DataFrame operations \(the PxL limit "dataframeOps"\)/,
    2 + BOUNDS.dataframeOps,
    6,
  ],
  [
    'more columns than the bound',
    `${HEAD}${lines(BOUNDS.columns, (i) => `df.c${i} = ${i}`)}\npx.display(df)`,
    /^the DataFrame has more than 500 columns \(the PxL limit "columns"\)/,
    2 + BOUNDS.columns,
    1,
  ],
  [
    'more shown tables than the bound',
    `${HEAD}${lines(BOUNDS.outputTables + 1, (i) => `px.display(df, 't${i}')`)}`,
    /^the script shows or exports more than 100 tables \(the PxL limit "outputTables"\)/,
    3 + BOUNDS.outputTables,
    1,
  ],
  [
    'SELECTs nested deeper than the bound',
    `${HEAD}${lines(BOUNDS.queryNesting + 1, () => 'df = df.head(1000)\ndf = df[df.latency > 0]')}\npx.display(df)`,
    /^the table needs more than 64 SELECTs nested in one another \(the PxL limit "queryNesting"\)/,
    2 + 2 * (BOUNDS.queryNesting + 1),
    6,
  ],
  [
    'an expression whose SQL doubles past the bound',
    `${HEAD}df.c = ${'px.bin('.repeat(30)}df.latency${', 10)'.repeat(30)}\npx.display(df)`,
    /^the expression's SQL is longer than 262144 characters \(the PxL limit "sqlChars"\)/,
    3,
    8 + 7 * 17,
  ],
];

describe('the bounds on what a script may build', () => {
  let fx: PxlFixture;
  beforeAll(async () => {
    fx = await pxlFixture();
  });
  afterAll(() => fx.close());

  /** The error compiling a script throws (the test fails if it compiles). */
  const compileError = (script: string): PxlError => {
    try {
      fx.engine.compile(script);
    } catch (err) {
      expect(err).toBeInstanceOf(PxlError);
      return err as PxlError;
    }
    throw new Error('the script compiled');
  };

  it.each(CASES)('refuse %s with a located 422', (_what, script, message, line, column) => {
    const e = compileError(script);
    expect(e.message).toMatch(message);
    expect([httpStatusOf(e), e.line, e.column]).toEqual([422, line, column]);
  });

  it('stop an expression that doubles itself at the size bound, inside the script', () => {
    const script = `${HEAD}e = df.latency\n${lines(17, () => 'e = e + e')}\ndf.c = e\npx.display(df)`;
    const e = compileError(script);
    expect(e.message).toMatch(
      /^the script's per-row expressions have more than 100000 operations once shared parts are unfolded \(the PxL limit "expressionSize"\)/,
    );
    expect(httpStatusOf(e)).toBe(422);
    expect(e.line).toBeGreaterThanOrEqual(3);
    expect(e.line).toBeLessThanOrEqual(20);
  });

  it('let a script reach each bound exactly', () => {
    const atBound = [
      `x = ${'('.repeat(100)}1${')'.repeat(100)}`,
      `${HEAD}e = df.latency\n${lines(99, () => 'e = e + 1')}\ndf.c = e\npx.display(df)`,
      `${HEAD}${lines(BOUNDS.columns - 1, (i) => `df.c${i} = ${i}`)}\npx.display(df)`,
      `${HEAD}${lines(BOUNDS.outputTables, (i) => `px.display(df, 't${i}')`)}`,
    ];
    for (const script of atBound) expect(() => fx.engine.compile(script)).not.toThrow();
  });
});
