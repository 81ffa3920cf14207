import { classifyAnswer, classifyNoAnswer, GatewayError } from './errors';

describe('classifyAnswer', () => {
  it("reads the gateway's error body, with line and column", () => {
    const err = classifyAnswer(400, 'Bad Request', {
      error: { message: "unknown column 'latncy'; did you mean 'latency'?", line: 3, column: 12 },
    });
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ kind: 'script', status: 400, line: 3, column: 12 });
    expect(err.message).toBe("line 3, column 12: unknown column 'latncy'; did you mean 'latency'?");
    expect(classifyAnswer(500, '', { error: { message: 'internal' } })).toMatchObject({
      kind: 'gateway',
      status: 500,
      message: 'internal',
    });
  });

  it('ignores a line or column that is not a positive integer', () => {
    const err = classifyAnswer(400, '', { error: { message: 'bad', line: '3', column: -1 } });
    expect(err).toMatchObject({ message: 'bad', line: undefined, column: undefined });
  });

  it('classes 401 and 403 as the token, keeping the status', () => {
    expect(classifyAnswer(401, '', { error: { message: 'invalid bearer token' } })).toMatchObject({
      kind: 'auth',
      status: 401,
      message: 'invalid bearer token',
    });
    expect(classifyAnswer(403, 'Forbidden', '<html>')).toMatchObject({ kind: 'auth', status: 403 });
  });

  it('calls an answer without an error body not a pxgate gateway, with its status, as a 502', () => {
    expect(classifyAnswer(404, 'Not Found', '<html>')).toMatchObject({
      kind: 'not_pxgate',
      status: 502,
      message: 'unexpected answer from the gateway URL: HTTP 404 Not Found',
    });
  });
});

describe('classifyNoAnswer', () => {
  const url = 'http://gw:8090';

  it('names the network error of every address tried, inside an AggregateError', () => {
    const err = new AggregateError(
      [Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
      'connect failed',
    );
    expect(classifyNoAnswer(err, url, undefined, 30_000)).toMatchObject({
      kind: 'unreachable',
      status: 502,
      message: 'could not connect to the gateway at http://gw:8090 (ECONNREFUSED)',
    });
  });

  it('tells a timeout from a cancellation', () => {
    expect(classifyNoAnswer(new Error('aborted'), url, 'timeout', 2500)).toMatchObject({
      kind: 'timeout',
      status: 504,
      message: 'the gateway at http://gw:8090 did not answer within 2.5 s',
    });
    expect(classifyNoAnswer(new Error('aborted'), url, 'cancelled', 2500).kind).toBe('cancelled');
  });
});
