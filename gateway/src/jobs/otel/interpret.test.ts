import { idToHex } from '../../exporters/model/ids';
import { Cell, ExportResult, ResultColumn } from '../../pxl/execute/result';
import { SpecValue } from '../../pxl/export/spec';
import { DataType } from '../../../../shared/contract/types';
import { AttributeLimiter, OVERFLOW_VALUE } from './attribute-limiter';
import { interpretExport } from './interpret';
import { ExportSpecError } from './spec-reader';

const T = 1_800_000_000_000_000_000n;
const col = (column: string) => ({ column });
const call = (name: string, args: Record<string, SpecValue>): SpecValue => ({ call: name, args });
const dict = (d: Record<string, SpecValue>): SpecValue => ({ dict: d });

function table(columns: [string, DataType][], rows: Cell[][]): ExportResult['table'] {
  return {
    name: 'export_0',
    columns: columns.map(([name, type]): ResultColumn => ({ name, type, semanticType: 'ST_NONE' })),
    rows,
  };
}

function run(spec: SpecValue, t: ExportResult['table'], limiter = new AttributeLimiter()) {
  return interpretExport({ table: t, spec }, 0, { nowNs: T, limiter, idSalt: 'job' });
}

const data = (
  items: SpecValue[],
  resource: Record<string, SpecValue> = { 'service.name': col('svc') },
) => call('px.otel.Data', { resource: dict(resource), data: items });

const httpTable = table(
  [
    ['time_', 'TIME64NS'],
    ['svc', 'STRING'],
    ['method', 'STRING'],
    ['status', 'INT64'],
    ['latency_s', 'FLOAT64'],
    ['headers', 'STRING'],
  ],
  [
    [
      T,
      'cart',
      'GET',
      200n,
      0.004,
      '{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}',
    ],
    [
      T + 1n,
      'cart',
      'GET',
      500n,
      0.2,
      '{"X-B3-TraceId":"463ac35c9f6413ad","X-B3-SpanId":"a2fb4a1d1a96d312"}',
    ],
    [T + 2n, 'checkout', 'POST', 200n, 3, ''],
    [T + 3n, '["shop/a","shop/b"]', 'GET', 200n, 0.05, 'not json'],
  ],
);

describe('interpretExport', () => {
  it('groups rows into one resource per distinct resource attributes', () => {
    const parts = run(
      data([call('px.otel.metric.Gauge', { name: 'latency', value: col('latency_s') })]),
      httpTable,
    );
    expect(parts.target).toEqual({ kind: 'configured' });
    expect(parts.instant.map((r) => r.resource.attributes['service.name'])).toEqual([
      'cart',
      'checkout',
      'shop/a',
    ]);
    const cart = parts.instant[0]!.metrics[0]!;
    expect(cart.data).toEqual({
      kind: 'gauge',
      points: [
        { attributes: {}, timeNs: T, value: 0.004 },
        { attributes: {}, timeNs: T + 1n, value: 0.2 },
      ],
    });
  });

  it('buckets histogram values as OpenTelemetry does: (previous bound, bound]', () => {
    const parts = run(
      data(
        [
          call('px.otel.metric.Histogram', {
            name: 'http.server.request.duration',
            unit: 's',
            value: col('latency_s'),
            bounds: [0.005, 0.2, 1],
            attributes: dict({ 'http.request.method': col('method') }),
          }),
        ],
        { 'service.name': 'shop' },
      ),
      httpTable,
    );
    expect(parts.cumulative).toEqual([
      expect.objectContaining({
        kind: 'histogram',
        attributes: { 'http.request.method': 'GET' },
        count: 3,
        bucketCounts: [1, 2, 0, 0],
        min: 0.004,
        max: 0.2,
      }),
      expect.objectContaining({
        attributes: { 'http.request.method': 'POST' },
        count: 1,
        bucketCounts: [0, 0, 0, 1],
      }),
    ]);
    expect((parts.cumulative[0] as { sum: number }).sum).toBeCloseTo(0.254, 9);
  });

  it('adds up Sum increases per series, and reads running totals by source', () => {
    const counters = table(
      [
        ['time_', 'TIME64NS'],
        ['conn', 'STRING'],
        ['bytes', 'INT64'],
      ],
      [
        [T, 'a', 10n],
        [T + 5n, 'a', 30n],
        [T + 1n, 'b', 7n],
      ],
    );
    const parts = run(
      data(
        [
          call('px.otel.metric.Sum', { name: 'requests', value: 1 }),
          call('px.otel.metric.Sum', {
            name: 'io',
            unit: 'By',
            value: col('bytes'),
            cumulative: true,
            source: col('conn'),
          }),
        ],
        { 'service.name': 'x' },
      ),
      counters,
    );
    expect(parts.cumulative).toEqual([
      expect.objectContaining({
        metric: expect.objectContaining({ name: 'requests' }),
        mode: 'add',
        value: 3,
        integer: true,
      }),
      expect.objectContaining({
        metric: expect.objectContaining({ name: 'io' }),
        mode: 'sources',
        sources: new Map([
          ['a', 30],
          ['b', 7],
        ]),
      }),
    ]);
  });

  it('takes trace and parent ids from traceparent or B3, and derives the span id from the row', () => {
    const spec = data([
      call('px.otel.trace.Span', {
        name: col('method'),
        start_time: col('time_'),
        end_time: col('time_'),
        status: 2,
        trace_context: col('headers'),
        attributes: dict({ 'http.response.status_code': col('status') }),
      }),
    ]);
    const first = run(spec, httpTable).spans.flatMap((r) => r.spans);
    const again = run(spec, httpTable).spans.flatMap((r) => r.spans);
    expect(first).toHaveLength(4);
    expect(idToHex(first[0]!.traceId)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(idToHex(first[0]!.parentSpanId!)).toBe('b7ad6b7169203331');
    expect(first[0]!.parentIsRemote).toBe(true);
    expect(idToHex(first[1]!.traceId)).toBe('0000000000000000463ac35c9f6413ad');
    expect(idToHex(first[1]!.parentSpanId!)).toBe('a2fb4a1d1a96d312');
    expect(first[2]!.parentSpanId).toBeUndefined();
    // The same rows again (a retried run) make the same spans.
    expect(again.map((s) => idToHex(s.spanId))).toEqual(first.map((s) => idToHex(s.spanId)));
    expect(new Set(first.map((s) => idToHex(s.spanId))).size).toBe(4);
    expect(first[0]).toMatchObject({
      kind: 2,
      status: { code: 2 },
      attributes: { 'http.response.status_code': 200 },
    });
  });

  it('sends exports that name an endpoint there, with the seconds of timeout as milliseconds', () => {
    const parts = run(
      call('px.otel.Data', {
        resource: dict({ 'service.name': 'x' }),
        data: [call('px.otel.metric.Gauge', { name: 'g', value: col('status') })],
        endpoint: call('px.otel.Endpoint', {
          url: 'collector:4318',
          headers: dict({ 'x-key': 'k' }),
          insecure: true,
          timeout: 2,
        }),
      }),
      httpTable,
    );
    expect(parts.target).toEqual({
      kind: 'endpoint',
      endpoint: {
        url: 'collector:4318',
        headers: { 'x-key': 'k' },
        insecure: true,
        timeoutMs: 2000,
      },
    });
  });

  it('caps the distinct values of an attribute across runs, the rest becoming {other}', () => {
    const limiter = new AttributeLimiter();
    const spec = data(
      [
        call('px.otel.metric.Sum', {
          name: 'n',
          value: 1,
          attributes: dict({ method: col('method') }),
          attribute_limits: dict({ method: 1 }),
        }),
      ],
      { 'service.name': 'x' },
    );
    const parts = run(spec, httpTable, limiter);
    expect(
      parts.cumulative.map((u) => [u.attributes.method, (u as { value: number }).value]),
    ).toEqual([
      ['GET', 3],
      [OVERFLOW_VALUE, 1],
    ]);
  });

  it.each([
    [
      call('px.otel.metric.Gauge', { name: 'g' }),
      'resource',
      "'service.name' must be specified in resource",
      {},
    ],
    [
      call('px.otel.metric.Gauge', { name: 'g', value: 3 }),
      'value',
      'expected a column, got 3',
      undefined,
    ],
    [
      call('px.otel.metric.Gauge', { name: 'g', value: col('method') }),
      'value',
      'column "method" is STRING; expected INT64 or FLOAT64',
      undefined,
    ],
    [
      call('px.otel.metric.Gauge', { name: '9lives', value: col('status') }),
      'name',
      'is not a metric name',
      undefined,
    ],
    [
      call('px.otel.metric.Histogram', { name: 'h', value: col('status'), bounds: [1, 1] }),
      'bounds',
      'must be strictly ascending',
      undefined,
    ],
    [
      call('px.otel.trace.Span', { name: 'x', start_time: col('method'), end_time: col('time_') }),
      'start_time',
      'is STRING',
      undefined,
    ],
    [
      call('px.otel.metric.Sum', { name: 's', value: col('status'), source: col('method') }),
      'source',
      'needs cumulative=True',
      undefined,
    ],
  ])('refuses %j, naming the argument', (item, arg, message, resource) => {
    const spec = data([item], resource);
    let error: unknown;
    try {
      run(spec, httpTable);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExportSpecError);
    expect((error as Error).message).toContain(`(${arg}=...)`);
    expect((error as Error).message).toContain(message);
  });
});
