import { PxlError } from '../errors';
import * as A from './ast';
import { parse } from './parse';

/** The expression of a one-line `x = ...` script, without locations. */
function exprOf(src: string): unknown {
  const stmt = parse(`x = ${src}`).body[0] as A.AssignStmt;
  return strip(stmt.value);
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'loc')
        .map(([k, x]) => [k, strip(x)]),
    );
  }
  return v;
}

const name = (id: string) => ({ kind: 'name', id });

function errorOf(src: string): { message: string; line?: number; column?: number } {
  try {
    parse(src);
  } catch (err) {
    expect(err).toBeInstanceOf(PxlError);
    const e = err as PxlError;
    return { message: e.message, line: e.line, column: e.column };
  }
  throw new Error('expected a syntax error');
}

describe('parse', () => {
  it('reads the module docstring, #px:set pragmas and statements', () => {
    const m = parse(
      "'''Title\n\nMore.'''\nimport px\n#px:set max_output_rows_per_table=500\n\ndef f(a: str, b: px.Service = 'x'):\n    '''doc'''\n    return a\n",
    );
    expect(m.doc).toBe('Title\n\nMore.');
    expect(m.pragmas).toEqual([
      { name: 'max_output_rows_per_table', value: '500', loc: { line: 5, column: 1 } },
    ]);
    const def = m.body[1] as A.FunctionDef;
    expect(def.doc).toBe('doc');
    expect(def.params.map((p) => [p.name, p.annotation])).toEqual([
      ['a', 'str'],
      ['b', 'px.Service'],
    ]);
    expect(def.body.map((s) => s.kind)).toEqual(['return']);
  });

  it('gives not, and, or their Python precedence', () => {
    expect(exprOf('not a and b')).toEqual({
      kind: 'boolop',
      op: 'and',
      left: { kind: 'unary', op: 'not', operand: name('a') },
      right: name('b'),
    });
    expect(exprOf('a and not b or c')).toEqual({
      kind: 'boolop',
      op: 'or',
      left: {
        kind: 'boolop',
        op: 'and',
        left: name('a'),
        right: { kind: 'unary', op: 'not', operand: name('b') },
      },
      right: name('c'),
    });
    expect(exprOf('not (a and b)')).toEqual({
      kind: 'unary',
      op: 'not',
      operand: { kind: 'boolop', op: 'and', left: name('a'), right: name('b') },
    });
    expect(exprOf('a or b and c')).toEqual({
      kind: 'boolop',
      op: 'or',
      left: name('a'),
      right: { kind: 'boolop', op: 'and', left: name('b'), right: name('c') },
    });
  });

  it('reads numbers and strings as Python does', () => {
    expect(exprOf('0x1F + 1_000')).toEqual({
      kind: 'binary',
      op: '+',
      left: { kind: 'int', value: 31n },
      right: { kind: 'int', value: 1000n },
    });
    expect(exprOf('1e3')).toEqual({ kind: 'float', value: 1000 });
    expect(exprOf(String.raw`'a\tb\x41\u00e9\n' "c" r'\d+'`)).toEqual({
      kind: 'string',
      value: 'a\tbAé\nc\\d+',
    });
    expect(exprOf('"""multi\nline"""')).toEqual({ kind: 'string', value: 'multi\nline' });
  });

  it('reads subscripts with several keys as a tuple, and keyword arguments', () => {
    expect(exprOf("df['a', 'b']")).toEqual({
      kind: 'subscript',
      object: name('df'),
      index: {
        kind: 'tuple',
        items: [
          { kind: 'string', value: 'a' },
          { kind: 'string', value: 'b' },
        ],
      },
    });
    expect(exprOf('f(1, k=2)')).toEqual({
      kind: 'call',
      callee: name('f'),
      args: [{ kind: 'int', value: 1n }],
      kwargs: [{ name: 'k', value: { kind: 'int', value: 2n } }],
    });
  });

  it('skips comments inside brackets, argument lists and expressions', () => {
    const src = 'x = f(a,  # one\n  b=[1,  # two\n  2], c=(p and  # three\n  not q))';
    expect(exprOf(src.slice(4))).toEqual({
      kind: 'call',
      callee: name('f'),
      args: [name('a')],
      kwargs: [
        {
          name: 'b',
          value: {
            kind: 'list',
            items: [
              { kind: 'int', value: 1n },
              { kind: 'int', value: 2n },
            ],
          },
        },
        {
          name: 'c',
          value: {
            kind: 'boolop',
            op: 'and',
            left: name('p'),
            right: { kind: 'unary', op: 'not', operand: name('q') },
          },
        },
      ],
    });
  });

  it("accepts keyword arguments on separate lines without a comma, as Pixie's parser does", () => {
    const m = parse('x = f(\n    a=(1, 2)\n    b=3,\n)');
    expect(strip((m.body[0] as A.AssignStmt).value)).toMatchObject({
      kind: 'call',
      kwargs: [{ name: 'a' }, { name: 'b', value: { kind: 'int', value: 3n } }],
    });
    expect(() => parse('y = [1\n 2]')).toThrow('invalid syntax near "2]"');
  });

  it.each([
    ['import os', 'only `import px` is supported, not `import os`', 1, 1],
    ['from px import DataFrame', '`from ... import` is not supported; write `import px`', 1, 1],
    ['x = 1\nif x:\n    y = 2', '`if` statements are not supported in PxL', 2, 1],
    ['for i in x:\n    pass', '`for` loops are not supported in PxL', 1, 1],
    ['f = lambda x: x', 'lambdas are not supported in PxL', 1, 5],
    ['s = f"{x}"', 'f-strings are not supported in PxL', 1, 5],
    ['y = a < b < c', 'chained comparisons (`a < b < c`) are not supported; use `and`', 1, 5],
    ['x += 1', 'augmented assignments (`+=` and the like) are not supported in PxL', 1, 1],
    ['y = x is None', '`is` is not supported in PxL; use `==` or `!=`', 1, 7],
    [
      'def f(*args):\n    pass',
      '`*args`, `**kwargs` and positional-only markers are not supported',
      1,
      7,
    ],
    ['a = b = 1', 'chained assignment (`a = b = c`) is not supported', 1, 1],
    ['y = df[1:2]', 'slices are not supported in PxL', 1, 5],
    ['x = (1\ny = 2', 'invalid syntax near "y = 2"', 2, 1],
    ['x = [1, 2', 'unexpected end of script', 1, 10],
    ['f(a=1, 2)', 'a positional argument follows a keyword argument', 1, 8],
    ["x = b'raw'", 'bytes literals are not supported', 1, 5],
    ["x = 'a'\n    'b'", 'unexpected indent', 2, 5],
    ['  x = 1', 'unexpected indent', 1, 3],
    ['def f():\n    x = 1\n  y = 2', 'unindent does not match any outer indentation level', 3, 3],
    [
      'def f():\n    def g():\n        pass\n  x = 1',
      'unindent does not match any outer indentation level',
      4,
      3,
    ],
  ])('refuses %j', (src, message, line, column) => {
    expect(errorOf(src)).toEqual({ message, line, column });
  });
});
