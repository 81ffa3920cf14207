import { traceContextFromHeaders } from './trace-context';

describe('traceContextFromHeaders', () => {
  it.each([
    [
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      '0af7651916cd43dd8448eb211c80319c',
      'b7ad6b7169203331',
    ],
    [
      { Traceparent: '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-00' },
      '0af7651916cd43dd8448eb211c80319c',
      'b7ad6b7169203331',
    ],
    // A later version may add fields.
    [
      { traceparent: '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra' },
      '0af7651916cd43dd8448eb211c80319c',
      'b7ad6b7169203331',
    ],
    [
      { b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90' },
      '80f198ee56343ba864fe8b2a57d3eff7',
      'e457b5a2e4d86bd1',
    ],
    [
      { 'X-B3-TraceId': '463ac35c9f6413ad', 'X-B3-SpanId': 'a2fb4a1d1a96d312' },
      '0000000000000000463ac35c9f6413ad',
      'a2fb4a1d1a96d312',
    ],
    [
      { 'x-b3-traceid': ['463ac35c9f6413ad48485a3953bb6124'], 'x-b3-spanid': ['0020000000000001'] },
      '463ac35c9f6413ad48485a3953bb6124',
      '0020000000000001',
    ],
  ])('reads %j', (headers, traceId, spanId) => {
    expect(traceContextFromHeaders(JSON.stringify(headers))).toEqual({ traceId, spanId });
  });

  it('prefers traceparent to B3', () => {
    const headers = {
      b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    expect(traceContextFromHeaders(JSON.stringify(headers))?.traceId).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
  });

  it.each([
    '',
    'not json',
    '[1,2]',
    JSON.stringify({ traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' }),
    JSON.stringify({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01' }),
    JSON.stringify({ traceparent: 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    JSON.stringify({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
    }),
    JSON.stringify({ traceparent: '00-xyz-b7ad6b7169203331-01' }),
    JSON.stringify({ b3: '0' }),
  ])('finds no context in %j', (text) => {
    expect(traceContextFromHeaders(text)).toBeUndefined();
  });
});
