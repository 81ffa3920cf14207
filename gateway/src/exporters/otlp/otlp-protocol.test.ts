import { chooseOtlpProtocol } from './otlp-protocol';

describe('choosing the OTLP protocol of a sink', () => {
  it('takes the configured protocol whatever the port', () => {
    expect(chooseOtlpProtocol('http/json', 'http://collector:4317')).toEqual({
      protocol: 'http/json',
      reason: 'configured',
    });
    expect(chooseOtlpProtocol('grpc', 'https://collector:443')).toEqual({
      protocol: 'grpc',
      reason: 'configured',
    });
  });

  it('guesses gRPC for an endpoint on port 4317, as OpenTelemetry eBPF Instrumentation does', () => {
    expect(chooseOtlpProtocol(undefined, 'http://tempo.observability:4317')).toEqual({
      protocol: 'grpc',
      reason: 'port 4317',
    });
    expect(chooseOtlpProtocol(undefined, 'https://[::1]:4317/')).toMatchObject({
      protocol: 'grpc',
    });
  });

  it('falls back on http/protobuf for any other port', () => {
    for (const url of ['http://collector:4318', 'https://otlp.example.com', 'http://h:43170']) {
      expect(chooseOtlpProtocol(undefined, url)).toEqual({
        protocol: 'http/protobuf',
        reason: 'default',
      });
    }
  });
});
