import { DataFrame, FieldType } from '@grafana/data';

import { tableToFrame } from '../../data/frames';
import { gatewayTable } from '../../../test/support/tables';
import { alertFrames, markWide } from './dataplane';

const long = tableToFrame(
  gatewayTable(
    'errors',
    ['time_:TIME64NS', 'service:STRING', 'error_rate:FLOAT64'],
    [
      ['2000000000', 'b', 0.5],
      ['1000000000', 'a', 0.1],
      ['2000000000', 'a', 0.2],
    ],
  ),
  'A',
);

const shape = (f: DataFrame) => ({
  type: f.meta?.type,
  fields: f.fields.map((x) => [x.name, x.labels, x.values]),
});

describe('alertFrames', () => {
  it('splits a long table with time into one timeseries-multi frame per series, sorted', () => {
    expect(alertFrames([long]).map(shape)).toEqual([
      {
        type: 'timeseries-multi',
        fields: [
          ['time_', undefined, [1000, 2000]],
          ['error_rate', { service: 'a' }, [0.1, 0.2]],
        ],
      },
      {
        type: 'timeseries-multi',
        fields: [
          ['time_', undefined, [2000]],
          ['error_rate', { service: 'b' }, [0.5]],
        ],
      },
    ]);
  });

  it('makes one numeric-multi frame per row and number of a table without time', () => {
    const table = tableToFrame(
      gatewayTable(
        't',
        ['service:STRING', 'n:INT64', 'rate:FLOAT64'],
        [
          ['a', 3, 0.5],
          ['b', 1, 0],
        ],
      ),
    );
    expect(alertFrames([table]).map(shape)).toEqual([
      { type: 'numeric-multi', fields: [['n', { service: 'a' }, [3]]] },
      { type: 'numeric-multi', fields: [['rate', { service: 'a' }, [0.5]]] },
      { type: 'numeric-multi', fields: [['n', { service: 'b' }, [1]]] },
      { type: 'numeric-multi', fields: [['rate', { service: 'b' }, [0]]] },
    ]);
  });

  it('leaves a table with nothing numeric as it is, and gives no frames for no rows', () => {
    const names = tableToFrame(gatewayTable('t', ['service:STRING'], [['a']]));
    expect(alertFrames([names])).toEqual([names]);
    expect(alertFrames([tableToFrame(gatewayTable('t', ['n:INT64'], []))])).toEqual([]);
  });
});

describe('markWide', () => {
  it('marks a frame with time first and numbers after as timeseries-wide, and nothing else', () => {
    const wide: DataFrame = {
      length: 1,
      fields: [
        { name: 't', type: FieldType.time, config: {}, values: [1] },
        { name: 'v', type: FieldType.number, config: {}, values: [1] },
      ],
    };
    expect(markWide(wide).meta).toEqual({ type: 'timeseries-wide', typeVersion: [0, 1] });
    const table = { ...wide, fields: [...wide.fields].reverse() };
    expect(markWide(table)).toBe(table);
  });
});
