import { logSummary } from './gateway-log';

describe('logSummary', () => {
  it('counts warnings and errors of pino JSON lines and quotes the first of each', () => {
    const text = [
      '{"level":30,"msg":"gateway listening"}',
      '{"level":40,"msg":"export to sink failed","err":{"message":"ECONNREFUSED"}}',
      '{"level":40,"msg":"second warning"}',
      '{"level":50,"msg":"export run failed","err":{"message":"boom"}}',
      'not json at all',
      '{"level":60,"msg":"fatal thing"}',
      '{"level":',
      '',
    ].join('\n');
    expect(logSummary(text)).toBe(
      '2 warnings (first: export to sink failed: ECONNREFUSED), 2 errors (first: export run failed: boom)',
    );
  });

  it('says none for a clean log', () => {
    expect(logSummary('{"level":30,"msg":"ok"}\n')).toBe('0 warnings, 0 errors');
  });
});
