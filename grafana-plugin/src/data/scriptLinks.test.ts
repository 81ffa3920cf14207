import { functionParameters, scriptLink } from './scriptLinks';

const catalog = [
  {
    id: 'service_stats',
    name: 'Service stats',
    description: '',
    script:
      "import px\n\ndef service_stats(start_time: str = '-5m', window: str = '10s'):\n    return 1\n",
  },
  {
    id: 'flat',
    name: 'Flat',
    description: '',
    script: 'import px\npx.display(px.DataFrame("http_events"))\n',
  },
];
const target = { uid: 'pxgate', name: 'pxgate' };

describe('scriptLink', () => {
  it("links to Explore with the script's function and the arguments it takes", () => {
    const link = scriptLink(
      {
        script: 'px/service_stats',
        args: { start_time: '-15m', window: { column: 'bucket' }, service: { column: 'svc' } },
      },
      catalog,
      target,
    );
    expect(link).toEqual({
      title: 'Open Service stats',
      url: '',
      internal: {
        datasourceUid: 'pxgate',
        datasourceName: 'pxgate',
        query: {
          refId: 'A',
          version: 1,
          script: catalog[0]!.script,
          format: 'table',
          func: 'service_stats',
          args: { start_time: '-15m', window: '${__data.fields.bucket}' },
        },
      },
    });
  });

  it('runs a script without functions as it is, and gives no link to an unknown script', () => {
    expect(
      scriptLink({ script: 'flat', args: { x: 1 } }, catalog, target)?.internal?.query,
    ).toEqual({
      refId: 'A',
      version: 1,
      script: catalog[1]!.script,
      format: 'table',
    });
    expect(scriptLink({ script: 'px/pod', args: {} }, catalog, target)).toBeUndefined();
  });
});

describe('functionParameters', () => {
  it('reads parameter names, typed or with defaults', () => {
    expect(functionParameters(catalog[0]!.script, 'service_stats')).toEqual([
      'start_time',
      'window',
    ]);
    expect(functionParameters('def f():\n  pass', 'f')).toEqual([]);
    expect(functionParameters('x = 1', 'f')).toBeUndefined();
  });
});
