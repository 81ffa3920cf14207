import { parseQuery, QueryModelError } from './queryModel';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseQuery', () => {
  it('reads a saved query with its template values', () => {
    expect(
      parseQuery(
        'B',
        json({
          version: 1,
          script: 'df = $x',
          format: 'time_series',
          output: 'o',
          func: 'f',
          args: { a: 1, b: true },
          templateValues: { x: 'v', 'y.z': ['1', '2'] },
          datasource: { uid: 'ignored' },
          intervalMs: 1000,
        }),
      ),
    ).toEqual({
      query: {
        refId: 'B',
        version: 1,
        script: 'df = $x',
        format: 'time_series',
        output: 'o',
        func: 'f',
        args: { a: '1', b: 'true' },
      },
      templateValues: { x: 'v', 'y.z': ['1', '2'] },
    });
  });

  it("migrates a query saved by Pixie's plugin, as an alert rule may hold it", () => {
    const { query } = parseQuery('A', json({ queryBody: { pxlScript: 'x = __time_from' } }));
    expect(query).toMatchObject({ version: 1, script: 'x = $__from', format: 'time_series' });
  });

  it.each([
    ['not JSON', Buffer.from('{'), 'the query is not JSON'],
    ['a list', json([1]), 'the query is not a JSON object'],
    ['a script that is not text', json({ script: 5 }), '"script" must be text'],
    ['no script', json({ version: 1 }), 'the query has no PxL script'],
    [
      'an argument that is an object',
      json({ script: 'x', func: 'f', args: { a: {} } }),
      '"args.a" must be text',
    ],
    [
      'a template value that is a number',
      json({ script: 'x', templateValues: { v: 1 } }),
      '"templateValues.v" must be text or a list of text',
    ],
  ])('refuses %s', (_what, bytes, message) => {
    expect(() => parseQuery('A', bytes)).toThrow(new QueryModelError(message));
  });

  it('refuses a query larger than the gateway takes', () => {
    const big = json({ script: 'x'.repeat(2 * 1024 * 1024) });
    expect(() => parseQuery('A', big)).toThrow(/the query is larger than 2097152 bytes/);
  });
});
