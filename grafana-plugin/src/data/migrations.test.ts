import { migrateQuery } from './migrations';

describe('migrateQuery', () => {
  it('keeps a current query as it is', () => {
    const q = {
      refId: 'A',
      version: 1,
      script: 'x',
      format: 'node_graph' as const,
      func: 'f',
      args: { a: '1' },
    };
    expect(migrateQuery(q)).toEqual(q);
  });

  it("upgrades Pixie's plugin queries, with their script macros", () => {
    const pixie = {
      refId: 'B',
      queryType: 'run-script',
      queryBody: {
        pxlScript:
          "df = px.DataFrame('http_events', start_time=__time_from, end_time=__time_to)\nw = __interval",
        clusterID: 'c1',
      },
    };
    expect(migrateQuery(pixie as never)).toEqual({
      refId: 'B',
      version: 1,
      script:
        "df = px.DataFrame('http_events', start_time=$__from, end_time=$__to)\nw = $__interval",
      format: 'time_series',
    });
    expect(
      migrateQuery({ refId: 'C', pxlScript: 'a = __time_from_x + $__interval' } as never).script,
    ).toBe('a = __time_from_x + $__interval');
  });

  it('fills what a partial query lacks', () => {
    expect(migrateQuery({ refId: 'A', version: 1, format: 'bogus' as never })).toEqual({
      refId: 'A',
      version: 1,
      script: '',
      format: 'table',
    });
  });
});
