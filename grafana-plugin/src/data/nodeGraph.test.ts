import { FieldType } from '@grafana/data';

import { gatewayTable } from '../../test/support/tables';
import { tableToFrame } from './frames';
import { NodeGraphError, toNodeGraph } from './nodeGraph';

const edgesTable = gatewayTable(
  'edges',
  [
    'source:STRING:ST_SERVICE_NAME',
    'target:STRING:ST_SERVICE_NAME',
    'mainStat:FLOAT64:ST_PERCENT',
    'secondaryStat:INT64:ST_DURATION_NS',
  ],
  [
    ['web', 'cart', 0.1, 2000],
    ['cart', 'db', 0, 500],
  ],
);

describe('toNodeGraph', () => {
  it('normalises Pixie-style names and derives edge ids and missing nodes', () => {
    const [nodes, edges] = toNodeGraph([tableToFrame(edgesTable)], 'A');
    expect(edges!.meta?.preferredVisualisationType).toBe('nodeGraph');
    expect(edges!.name).toBe('edges');
    expect(edges!.fields.map((f) => f.name)).toEqual([
      'id',
      'source',
      'target',
      'mainstat',
      'secondarystat',
    ]);
    expect(edges!.fields[0]!.values).toEqual(['web->cart', 'cart->db']);
    expect(edges!.fields[3]!.config.unit).toBe('percentunit');
    expect(nodes).toMatchObject({
      name: 'nodes',
      refId: 'A',
      meta: { preferredVisualisationType: 'nodeGraph' },
    });
    expect(nodes!.fields.map((f) => [f.name, f.values])).toEqual([
      ['id', ['web', 'cart', 'db']],
      ['title', ['web', 'cart', 'db']],
    ]);
  });

  it('uses a nodes table, giving arc fields a fixed colour each', () => {
    const nodesTable = tableToFrame(
      gatewayTable(
        'nodes',
        ['ID:STRING', 'arc__ok:FLOAT64', 'arc__errors:FLOAT64', 'detail__namespace:STRING'],
        [['web', 0.9, 0.1, 'default']],
      ),
    );
    const [nodes] = toNodeGraph([nodesTable, tableToFrame(edgesTable)]);
    expect(nodes!.fields.map((f) => f.name)).toEqual([
      'id',
      'arc__ok',
      'arc__errors',
      'detail__namespace',
    ]);
    expect(nodes!.fields[1]!.config.color).toEqual({ mode: 'fixed', fixedColor: 'green' });
    expect(nodes!.fields[2]!.config.color).toEqual({ mode: 'fixed', fixedColor: 'red' });
    expect(nodes!.fields[0]!.type).toBe(FieldType.string);
  });

  it('says what is missing when there is no edges table', () => {
    const other = tableToFrame(gatewayTable('stats', ['a:INT64'], []));
    expect(() => toNodeGraph([other])).toThrow(
      new NodeGraphError(
        'a node graph needs an "edges" table with source and target columns; the script displayed: stats',
      ),
    );
  });
});
