/**
 * Template variables can come from anyone who can open a dashboard link (`?var-service=...`).
 * Whatever their value, they must not change what a script does: each value is parsed here with
 * the PxL grammar (@lezer/python) and run on a real gateway, which must echo it back unchanged
 * from a script whose structure is the one its author wrote.
 */
import { DataFrame } from '@grafana/data';
import { setTemplateSrv } from '@grafana/runtime';
import { parser } from '@lezer/python';
import { lastValueFrom } from 'rxjs';

import { interpolateScript, InterpolationError } from '../src/data/interpolate';
import { macroValues } from '../src/data/macros';
import { templateValues } from '../src/datasource/templating';
import { queryRequest } from './support/harness';
import { SeededGateway, startSeededGateway } from './support/gatewayFixture';
import { TestTemplateSrv } from './support/templateSrv';

const EVIL = [
  "'",
  '"',
  "'''",
  '"""',
  '\\',
  'ends with a backslash \\',
  "\\'",
  'two\nlines',
  'carriage\r\nreturn',
  'tab\there',
  'nul\u0000byte',
  'line\u2028separator\u2029',
  "x') ; px.display(px.DataFrame(table='conn_stats'), 'stolen') #",
  "x'\npx.display(px.DataFrame(table='process_stats'), 'stolen')\n#",
  "\"]\ndf = px.DataFrame(table='network_stats')\n#",
  '{px.now()}',
  '$__from',
  '${other}',
  '# not a comment',
  'ünïcødé ✓ 🚀',
  '',
];

/** The script as a sequence of syntax node names, with literal contents left out. */
function shape(script: string): string[] {
  const names: string[] = [];
  parser.parse(script).iterate({
    enter: (node) => {
      names.push(node.name);
      // What is inside a literal is data, not structure.
      if (node.name === 'String' || node.name === 'FormatString') return false;
      return undefined;
    },
  });
  return names;
}

const TEMPLATE = `import px
df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df.v = $v
df.w = 'inside: $v'
df.x = "inside: \${v}"
df.y = '''inside: $v'''
# a comment mentioning $v
px.display(df[['v', 'w', 'x', 'y']].head(1), 'echo')
`;

const macros = macroValues(0, 1_000, 1_000);

function interpolate(value: string | string[]): string {
  const srv = new TestTemplateSrv([
    { name: 'v', value, multi: Array.isArray(value) },
    { name: 'other', value: 'o' },
  ]);
  return interpolateScript(TEMPLATE, macros, templateValues(srv, {}));
}

describe('template variables cannot change a script', () => {
  const baseline = shape(interpolate('benign'));

  it.each(EVIL.map((v) => [JSON.stringify(v), v]))(
    'keeps the structure for the value %s',
    (_label, value) => {
      const script = interpolate(value);
      expect(shape(script)).toEqual(baseline);
      expect(script).not.toContain('⚠');
    },
  );

  it('would catch naive quoting, which lets a value close the string', () => {
    const naive = TEMPLATE.replace(
      /\$\{?v\}?/g,
      "'x') ; px.display(px.DataFrame(table='conn_stats'), 'stolen') #'",
    );
    expect(shape(naive)).not.toEqual(baseline);
  });

  it('keeps the structure for multi-value variables, whose values become a list', () => {
    const listBaseline = shape(interpolate(['a', 'b', 'c']));
    expect(shape(interpolate(["'", '\\', "x')\npx.display(df) #"]))).toEqual(listBaseline);
  });

  it('refuses, rather than inserts, a value that is not a number where a number is asked for', () => {
    const srv = new TestTemplateSrv([{ name: 'n', value: '1) + px.now(' }]);
    expect(() => interpolateScript('df.head(${n:int})', macros, templateValues(srv, {}))).toThrow(
      InterpolationError,
    );
  });

  describe('on a real gateway', () => {
    let env: SeededGateway;
    beforeAll(async () => {
      env = await startSeededGateway(1);
    });
    afterAll(() => env?.close());

    it('echoes every value back exactly, from the one table the author displayed', async () => {
      const { ds } = env.datasource();
      for (const value of EVIL) {
        const srv = new TestTemplateSrv(
          [
            { name: 'v', value },
            { name: 'other', value: 'o' },
          ],
          env.range,
        );
        // The data source reads variables through Grafana's TemplateSrv, as in a dashboard.
        setTemplateSrv(srv);
        const res = await lastValueFrom(
          ds.query(
            queryRequest(
              [{ refId: 'A', version: 1, script: TEMPLATE, format: 'table' }],
              env.range,
            ),
          ),
        );
        expect(res.errors).toBeUndefined();
        const frames = res.data as DataFrame[];
        expect(frames.map((f) => f.name)).toEqual(['echo']);
        const row = frames[0]!.fields.map((f) => f.values[0]);
        expect(row).toEqual([value, `inside: ${value}`, `inside: ${value}`, `inside: ${value}`]);
      }
    });
  });
});
