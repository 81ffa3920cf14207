import { FieldType } from '@grafana/data';

import { gatewayTable } from '../../test/support/tables';
import { tableToFrame } from './frames';
import { toTraceFrames, TraceShapeError } from './traces';

describe('toTraceFrames', () => {
  it('groups spans by trace and converts times to milliseconds', () => {
    const frames = toTraceFrames(
      tableToFrame(
        gatewayTable(
          'spans',
          [
            'trace_id:STRING',
            'span_id:STRING',
            'parent_span_id:STRING',
            'service:STRING:ST_SERVICE_NAME',
            'req_path:STRING',
            'start_time:TIME64NS',
            'latency:INT64:ST_DURATION_NS',
            'resp_status:INT64:ST_HTTP_RESP_STATUS',
          ],
          [
            ['t1', 's1', '', 'web', '/a', '1000500000', 2_500_000, 200],
            ['t2', 's9', '', 'api', '/b', '3000000000', 1_000_000, 500],
            ['t1', 's2', 's1', 'cart', '/c', '1001000000', 1_000_000, 201],
          ],
        ),
      ),
      'A',
    );
    expect(frames).toHaveLength(2);
    const [t1] = frames;
    expect(t1!.meta?.preferredVisualisationType).toBe('trace');
    const col = (name: string) => t1!.fields.find((f) => f.name === name)!;
    expect(col('traceID').values).toEqual(['t1', 't1']);
    expect(col('spanID').values).toEqual(['s1', 's2']);
    expect(col('parentSpanID').values).toEqual([undefined, 's1']);
    expect(col('serviceName').values).toEqual(['web', 'cart']);
    expect(col('operationName').values).toEqual(['/a', '/c']);
    expect(col('startTime').values).toEqual([1000.5, 1001]);
    expect(col('duration').values).toEqual([2.5, 1]);
    expect(col('tags').type).toBe(FieldType.other);
    expect(col('tags').values[0]).toEqual([{ key: 'resp_status', value: 200 }]);
  });

  it('gives rows without ids stable ids of their own', () => {
    const table = gatewayTable(
      'http',
      ['time_:TIME64NS', 'latency:INT64:ST_DURATION_NS'],
      [
        ['1000000000', 5],
        ['2000000000', 6],
      ],
    );
    const once = toTraceFrames(tableToFrame(table));
    const again = toTraceFrames(tableToFrame(table));
    expect(once).toHaveLength(2);
    const id = once[0]!.fields.find((f) => f.name === 'traceID')!.values[0];
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(again[0]!.fields.find((f) => f.name === 'traceID')!.values[0]).toBe(id);
  });

  it('refuses tables without a start time and a duration', () => {
    const table = tableToFrame(gatewayTable('n', ['a:STRING'], []));
    expect(() => toTraceFrames(table)).toThrow(TraceShapeError);
  });
});
