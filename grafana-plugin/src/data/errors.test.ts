import { classifyFetchFailure, GatewayError, PROXY_AUTH_FAILED } from './errors';

describe('classifyFetchFailure', () => {
  it("reads the gateway's error body, with line and column", () => {
    const err = classifyFetchFailure({
      status: 400,
      data: {
        error: { message: "unknown column 'latncy'; did you mean 'latency'?", line: 3, column: 12 },
      },
    });
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ kind: 'script', status: 400, line: 3, column: 12 });
    expect(err.message).toBe("line 3, column 12: unknown column 'latncy'; did you mean 'latency'?");
    expect(
      classifyFetchFailure({ status: 500, data: { error: { message: 'internal' } } }).kind,
    ).toBe('gateway');
  });

  it("recognises the answers Grafana's proxy gives for the gateway", () => {
    expect(classifyFetchFailure({ status: 400, data: PROXY_AUTH_FAILED }).kind).toBe('auth');
    expect(classifyFetchFailure({ status: 502, data: '' }).kind).toBe('unreachable');
    expect(classifyFetchFailure({ status: 504, data: '' }).kind).toBe('timeout');
    expect(classifyFetchFailure({ status: 200, cancelled: true }).kind).toBe('cancelled');
  });

  it('calls anything else not a pxgate gateway, with the status', () => {
    const err = classifyFetchFailure({ status: 404, statusText: 'Not Found', data: '<html>' });
    expect(err).toMatchObject({
      kind: 'not_pxgate',
      message: 'unexpected answer from the gateway URL: HTTP 404 Not Found',
    });
  });
});
