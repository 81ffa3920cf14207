import { FieldType } from '@grafana/data';

import { GatewayTable } from '../types/gateway';
import { gatewayTable } from '../../test/support/tables';
import { framesForQuery, OutputNotFoundError } from './format';

const stats: GatewayTable = gatewayTable(
  'stats',
  ['time_:TIME64NS', 'service:STRING', 'n:INT64'],
  [
    ['1000000', 'a', 1],
    ['1000000', 'b', 2],
  ],
);
const errors: GatewayTable = gatewayTable('errors', ['msg:STRING'], [['x']]);

describe('framesForQuery', () => {
  it('returns every table, or only the chosen output', () => {
    expect(
      framesForQuery([stats, errors], { refId: 'A', format: 'table' }).map((f) => f.name),
    ).toEqual(['stats', 'errors']);
    expect(
      framesForQuery([stats, errors], { refId: 'A', format: 'table', output: 'errors' }).map(
        (f) => f.name,
      ),
    ).toEqual(['errors']);
  });

  it('names the displayed tables when the output is not among them', () => {
    expect(() =>
      framesForQuery([stats, errors], { refId: 'A', format: 'table', output: 'nope' }),
    ).toThrow(
      new OutputNotFoundError(
        'the script displayed no table named "nope"; it displayed "stats", "errors"',
      ),
    );
  });

  it('widens time series and leaves tables long', () => {
    const [wide] = framesForQuery([stats], { refId: 'A', format: 'time_series' });
    expect(wide!.fields.map((f) => [f.name, f.type, f.labels])).toEqual([
      ['time_', FieldType.time, undefined],
      ['n', FieldType.number, { service: 'a' }],
      ['n', FieldType.number, { service: 'b' }],
    ]);
    const [long] = framesForQuery([stats], { refId: 'A', format: 'table' });
    expect(long!.fields.map((f) => f.name)).toEqual(['time_', 'service', 'n']);
  });
});
