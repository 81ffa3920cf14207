import { loadConfig, validateConfig } from './load';

describe('the agent section of the configuration', () => {
  it('has defaults that need no file, durations in milliseconds', () => {
    expect(validateConfig({}).agent).toEqual({
      gateway: 'http://127.0.0.1:8090',
      metricsListen: '127.0.0.1:8091',
      ebpf: {
        enabled: true,
        captureBytes: 4096,
        ringBufferMb: 16,
        pollInterval: 25,
        tlsTracing: { enabled: true, rescanInterval: 60000 },
      },
      tls: {},
      http: { maxBodyBytes: 1024, maskHeaders: [], keepSensitiveHeaders: false },
      sql: { maskLiterals: true },
      redis: { maskArgs: true },
      connStatsInterval: 5000,
      processInterval: 10000,
      metadataRefresh: 30000,
      batch: { maxRows: 4096, maxDelay: 1000 },
      bufferMb: 64,
      retry: { initial: 250, max: 30000 },
    });
  });

  it('names each bad key with its path', () => {
    expect(() =>
      validateConfig({
        agent: {
          gateway: 'ftp://gateway',
          ebpf: { ringBufferMb: 3, captureBytes: 1 << 20 },
          processInterval: 'soon',
        },
      }),
    ).toThrow(
      /agent\.gateway: Invalid URL[\s\S]*agent\.ebpf\.captureBytes: [\s\S]*agent\.ebpf\.ringBufferMb: must be a power of two[\s\S]*agent\.processInterval: "soon" is not a duration/,
    );
  });

  it('takes a token or a token file, not both, and header names to mask', () => {
    expect(() => validateConfig({ agent: { token: 'a'.repeat(16), tokenFile: '/t' } })).toThrow(
      /agent\.tokenFile: give either token or tokenFile/,
    );
    expect(() => validateConfig({ agent: { tls: { certFile: '/c' } } })).toThrow(
      /agent\.tls: certFile and keyFile go together/,
    );
    expect(() => validateConfig({ agent: { http: { maskHeaders: ['X Bad'] } } })).toThrow(
      /agent\.http\.maskHeaders\.0: expected an HTTP header name/,
    );
    expect(validateConfig({ agent: { http: { maskHeaders: ['X-Api-Key'] } } }).agent.http).toEqual({
      maxBodyBytes: 1024,
      maskHeaders: ['X-Api-Key'],
      keepSensitiveHeaders: false,
    });
  });

  it('takes the gateway from PXGATE_GATEWAY, and a flag over it', () => {
    const env = { PXGATE_GATEWAY: 'http://gw.pxgate.svc:8090' };
    expect(loadConfig({ env }).agent.gateway).toBe('http://gw.pxgate.svc:8090');
    expect(
      loadConfig({ env, flags: { 'agent.gateway': 'http://10.0.0.9:8090' } }).agent.gateway,
    ).toBe('http://10.0.0.9:8090');
  });
});
