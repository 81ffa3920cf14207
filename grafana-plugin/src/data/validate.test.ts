import { checkGatewayUrl, validateQuery } from './validate';

const query = { refId: 'A', version: 1, script: 'import px', format: 'table' as const };

describe('validateQuery', () => {
  it('accepts a script, with or without a function and arguments', () => {
    expect(validateQuery(query)).toEqual({ valid: true });
    expect(validateQuery({ ...query, func: 'stats', args: { start: '-5m' } })).toEqual({
      valid: true,
    });
  });

  it('names what is wrong', () => {
    expect(validateQuery({ ...query, script: '  ' })).toEqual({
      valid: false,
      error: 'the query has no PxL script',
    });
    expect(validateQuery({ ...query, func: 'a b' })).toEqual({
      valid: false,
      error: 'function name "a b" is not a PxL identifier',
    });
    expect(validateQuery({ ...query, args: { x: '1' } })).toEqual({
      valid: false,
      error: 'arguments need a function to call: set one, or remove the arguments',
    });
  });
});

describe('checkGatewayUrl', () => {
  it('accepts http and https URLs only', () => {
    expect(checkGatewayUrl('http://127.0.0.1:8090')).toBeUndefined();
    expect(checkGatewayUrl('https://pxgate.example.com')).toBeUndefined();
    expect(checkGatewayUrl('')).toBe(
      'Set the gateway URL (for example http://pxgate-gateway.pxgate.svc:8090).',
    );
    expect(checkGatewayUrl('pxgate:8090')).toBe(
      '"pxgate:8090" must start with http:// or https://.',
    );
    expect(checkGatewayUrl('not a url')).toBe(
      '"not a url" is not a URL; write it as http://HOST:PORT.',
    );
  });
});
