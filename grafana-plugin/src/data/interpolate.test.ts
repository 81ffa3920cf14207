import {
  interpolateArg,
  interpolateScript,
  InterpolationError,
  queryTemplateValues,
  resolveReferences,
  resolvedTemplateValues,
  TemplateValues,
} from './interpolate';
import { macroValues } from './macros';

const macros = macroValues(0, 1000, 1000);

function vars(values: Record<string, unknown>): TemplateValues {
  return {
    resolve: (name, fieldPath) => (fieldPath ? values[`${name}.${fieldPath}`] : values[name]),
  };
}

describe('interpolateScript', () => {
  it('turns a variable in code into a string literal', () => {
    const out = interpolateScript(
      'df = df[df.service == $service]',
      macros,
      vars({ service: 'default/cart' }),
    );
    expect(out).toBe("df = df[df.service == 'default/cart']");
  });

  it('writes multi-value and All variables as a list of literals', () => {
    const out = interpolateScript(
      'px.equals_any(df.ns, ${ns})',
      macros,
      vars({ ns: ['a', "b'c"] }),
    );
    expect(out).toBe("px.equals_any(df.ns, ['a', 'b\\'c'])");
  });

  it('escapes a variable inside a string for that string’s quotes', () => {
    const v = vars({ svc: 'it\'s\n"x"' });
    expect(interpolateScript("x = 'svc=$svc'", macros, v)).toBe("x = 'svc=it\\'s\\n\"x\"'");
    expect(interpolateScript('x = "svc=${svc}"', macros, v)).toBe('x = "svc=it\'s\\n\\"x\\""');
  });

  it('joins a multi-value variable inside a string with commas', () => {
    expect(interpolateScript("x = '$ns'", macros, vars({ ns: ['a', 'b'] }))).toBe("x = 'a,b'");
  });

  it('doubles braces inside f-strings, so a value cannot open an expression', () => {
    expect(interpolateScript("f'{a} $v'", macros, vars({ v: '{px.now()}' }))).toBe(
      "f'{a} {{px.now()}}'",
    );
  });

  it('puts values into raw strings only when they need no escaping', () => {
    expect(interpolateScript("r'^$v$'", macros, vars({ v: 'api' }))).toBe("r'^api$'");
    expect(() => interpolateScript("r'$v'", macros, vars({ v: "a'b" }))).toThrow(
      new InterpolationError(
        "variable $v: its value \"a'b\" needs escaping, which a raw string (r'...') cannot do; use the variable outside the string",
      ),
    );
  });

  it('leaves comments and unknown variables alone', () => {
    const script = '# filter by $service\nx = $unknown';
    expect(interpolateScript(script, macros, vars({ service: 'x' }))).toBe(script);
  });

  it('separates a literal from a name before it, so `f$v` cannot become an f-string', () => {
    expect(interpolateScript('x = f$v', macros, vars({ v: '{1}' }))).toBe("x = f '{1}'");
  });

  it('checks numbers written ${v:int} and ${v:float}', () => {
    const v = vars({ n: '25', f: '0.5', bad: '1); px.export(' });
    expect(interpolateScript('df.head(${n:int})', macros, v)).toBe('df.head((25))');
    expect(interpolateScript('x = ${f:float}', macros, v)).toBe('x = (0.5)');
    expect(() => interpolateScript('df.head(${bad:int})', macros, v)).toThrow(
      'variable $bad: "1); px.export(" is not an integer',
    );
  });

  it('refuses Grafana formats that would bypass escaping', () => {
    expect(() => interpolateScript('x = ${v:raw}', macros, vars({ v: 'a' }))).toThrow(
      'variable $v: format "raw" is not supported in PxL; use $v, ${v:int} or ${v:float}',
    );
  });

  it('resolves field paths such as ${__data.fields.name}', () => {
    expect(
      interpolateScript('x = ${__data.fields.pod}', macros, vars({ '__data.fields.pod': 'p' })),
    ).toBe("x = 'p'");
  });

  it('does not read [[name]], which is PxL projection syntax', () => {
    expect(interpolateScript('df = df[[cols]]', macros, vars({ cols: 'x' }))).toBe(
      'df = df[[cols]]',
    );
  });
});

describe('interpolateArg', () => {
  it('fills macros and variables as plain values', () => {
    const v = vars({ svc: "it's", many: ['a', 'b'] });
    expect(interpolateArg('$svc', macros, v)).toBe("it's");
    expect(interpolateArg('$many', macros, v)).toBe('a,b');
    expect(interpolateArg('$__to', macros, v)).toBe('1000000000');
  });
});

describe('resolving variables for the backend', () => {
  const browser = vars({ service: 'cart', ns: ['a', 'b'], n: 5, 'svc.name': 'x' });

  it('resolves each variable a query refers to, leaving macros and unknown names out', () => {
    expect(
      queryTemplateValues(
        {
          refId: 'A',
          version: 1,
          format: 'table',
          script: 'df[$service] ${ns} $__from ${svc.name} $unknown # $n',
          func: 'f',
          args: { limit: '${n:int}', to: '$__to' },
        },
        browser,
      ),
    ).toEqual({ service: 'cart', ns: ['a', 'b'], 'svc.name': 'x', n: '5' });
  });

  it('fills a script from resolved values exactly as from the live ones', () => {
    const script = "df = df[df.service == $service]\nx = '${ns}' + ${svc.name}\n";
    const values = resolvedTemplateValues(resolveReferences(script, browser));
    expect(interpolateScript(script, macros, values)).toBe(
      interpolateScript(script, macros, browser),
    );
  });

  it("resolves only the map's own keys, never what objects inherit", () => {
    const values = resolvedTemplateValues({ service: 'cart' });
    expect(values.resolve('constructor')).toBeUndefined();
    expect(values.resolve('__proto__')).toBeUndefined();
    expect(interpolateScript('x = $constructor', macros, values)).toBe('x = $constructor');
  });
});
