import { exportFlags } from '../export-options';
import { ConfigError, loadConfig, validateConfig } from './load';

function errorOf(tree: unknown): string {
  try {
    validateConfig(tree);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('the export section of the configuration', () => {
  it('exports nothing by default but keeps /metrics ready', () => {
    const { export: e } = validateConfig({});
    expect(e).toMatchObject({
      interval: 10_000,
      presets: [],
      dbQueryText: 'off',
      scripts: [],
      prometheus: { enabled: true },
    });
    expect(e.otlp).toBeUndefined();
    expect(e.remoteWrite).toBeUndefined();
  });

  it('gives sinks the documented defaults', () => {
    const { export: e } = validateConfig({
      export: {
        otlp: { endpoint: 'http://collector:4318' },
        remoteWrite: { url: 'http://prom:9090/api/v1/write' },
      },
    });
    expect(e.otlp?.protocol).toBeUndefined();
    expect(e.otlp).toMatchObject({
      compression: 'gzip',
      signals: ['spans', 'metrics'],
      maxBatchItems: 8192,
      timeout: 10_000,
      retry: {
        initialInterval: 5_000,
        maxInterval: 30_000,
        maxElapsed: 300_000,
        multiplier: 1.5,
        randomization: 0.5,
      },
    });
    expect(e.remoteWrite).toMatchObject({
      maxSamplesPerSend: 2000,
      timeout: 30_000,
      scopeLabels: true,
      staleAfter: 300_000,
    });
  });

  it('names the path of every mistake', () => {
    const message = errorOf({
      export: {
        interval: 'often',
        presets: ['http-metrics', 'smtp-metrics'],
        dbQueryText: 'yes',
        otlp: { endpoint: 'collector:4318', protocol: 'grpc-web' },
        remoteWrite: {
          url: 'http://p/api/v1/write',
          headers: { 'Content-Type': 'text/plain' },
          externalLabels: { 'bad-name': 'x' },
        },
        scripts: [{ every: '1m' }],
      },
    });
    for (const line of [
      'export.interval: "often" is not a duration',
      'export.presets.1: Invalid option',
      'export.dbQueryText: Invalid option: expected one of "off"|"normalized"|"full"',
      'export.otlp.endpoint: expected an http:// or https:// URL',
      'export.otlp.protocol: Invalid option',
      'export.remoteWrite.headers.Content-Type: Content-Type is set by the remote-write protocol and may not be configured',
      'export.remoteWrite.externalLabels.bad-name: not a Prometheus label name',
      'export.scripts.0.file: Invalid input',
    ]) {
      expect(message).toContain(line);
    }
  });

  it('reads presets from a comma-separated flag, and scripts with their interval', () => {
    const config = loadConfig({
      env: {},
      flags: exportFlags({
        exportPresets: 'http-metrics, http-spans',
        exportScript: ['a.pxl', 'b.pxl'],
        every: '30s',
        otlpEndpoint: 'http://127.0.0.1:4318',
        otlpProtocol: 'http/json',
        remoteWriteUrl: 'http://127.0.0.1:9090/api/v1/write',
        exportInterval: '15s',
      }),
    });
    expect(config.export).toMatchObject({
      interval: 15_000,
      presets: ['http-metrics', 'http-spans'],
      scripts: [
        { file: 'a.pxl', every: 30_000 },
        { file: 'b.pxl', every: 30_000 },
      ],
      otlp: { endpoint: 'http://127.0.0.1:4318', protocol: 'http/json' },
      remoteWrite: { url: 'http://127.0.0.1:9090/api/v1/write' },
    });
  });

  it('takes the OTLP protocol from OTEL_EXPORTER_OTLP_PROTOCOL when an OTLP sink is configured', () => {
    const env = { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };
    const byFlag = loadConfig({
      env,
      flags: exportFlags({ otlpEndpoint: 'http://127.0.0.1:4318' }),
    });
    expect(byFlag.export.otlp).toMatchObject({ protocol: 'grpc' });
    const byEnv = loadConfig({ env: { ...env, PXGATE_OTLP_ENDPOINT: 'http://collector:4318' } });
    expect(byEnv.export.otlp).toMatchObject({ protocol: 'grpc' });
  });

  it('lets --otlp-protocol win over OTEL_EXPORTER_OTLP_PROTOCOL', () => {
    const config = loadConfig({
      env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      flags: exportFlags({ otlpEndpoint: 'http://127.0.0.1:4317', otlpProtocol: 'http/json' }),
    });
    expect(config.export.otlp).toMatchObject({ protocol: 'http/json' });
  });

  it('ignores OTEL_EXPORTER_OTLP_PROTOCOL when no OTLP sink is configured', () => {
    const config = loadConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } });
    expect(config.export.otlp).toBeUndefined();
  });

  it('refuses an OTEL_EXPORTER_OTLP_PROTOCOL that names no OTLP protocol', () => {
    expect(() =>
      loadConfig({
        env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift', PXGATE_OTLP_ENDPOINT: 'http://c:4318' },
      }),
    ).toThrow(
      /export\.otlp\.protocol: Invalid option: expected one of "grpc"\|"http\/protobuf"\|"http\/json"/,
    );
  });
});
