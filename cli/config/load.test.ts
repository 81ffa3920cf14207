import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metadataOptions } from '../../gateway/src/metadata/metadata-service';
import { ConfigError, loadConfig } from './load';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pxgate-config-')), 'pxgate.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.listen).toBe('127.0.0.1:8090');
    expect(c.store.limitMb).toBe(1280);
    expect(c.store.httpEventsShare).toBe(0.4);
    expect(c.ingest.maxBodyMb).toBe(16);
    expect(c.auth.token).toBeUndefined();
  });

  it('layers file, then environment, then flags', () => {
    const path = file(
      'listen: 127.0.0.1:9000\nstore:\n  limitMb: 512\n  tables:\n    http_events:\n      retention: 15m\n',
    );
    const c = loadConfig({
      file: path,
      env: { PXGATE_STORE_LIMIT_MB: '256', PXGATE_LISTEN: '127.0.0.1:9001' },
      flags: { listen: '127.0.0.1:9002' },
    });
    expect(c.listen).toBe('127.0.0.1:9002');
    expect(c.store.limitMb).toBe(256);
    expect(c.store.tables.http_events!.retention).toBe(15 * 60_000);
  });

  it('takes the export interval and presets from the environment', () => {
    const c = loadConfig({
      env: { PXGATE_EXPORT_INTERVAL: '30s', PXGATE_EXPORT_PRESETS: 'http-metrics,http-spans' },
    });
    expect(c.export.interval).toBe(30_000);
    expect(c.export.presets).toEqual(['http-metrics', 'http-spans']);
  });

  it('names every bad key with its path', () => {
    const path = file(
      'store:\n  limitMb: lots\n  tables:\n    http_events:\n      retention: soon\nlisten: nowhere\ncolour: blue\n',
    );
    let message = '';
    try {
      loadConfig({ file: path, env: {} });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain(`invalid configuration in ${path}`);
    expect(message).toContain('store.limitMb: Invalid input: expected number, received string');
    expect(message).toContain('store.tables.http_events.retention: "soon" is not a duration');
    expect(message).toContain('listen: expected HOST:PORT');
    expect(message).toContain('(root): unknown key(s): colour');
  });

  it('reports a file that is not YAML or not a mapping', () => {
    expect(() => loadConfig({ file: file('a: [1,'), env: {} })).toThrow(/is not valid YAML/);
    expect(() => loadConfig({ file: file('- 1\n- 2\n'), env: {} })).toThrow(/must hold a mapping/);
    expect(() => loadConfig({ file: '/does/not/exist.yaml', env: {} })).toThrow(
      /cannot read config file/,
    );
  });
});

describe('the metadata section', () => {
  it('defaults to Kubernetes when available, and derives how long deleted objects stay', () => {
    const c = loadConfig({ env: {} });
    expect(c.metadata).toEqual({
      kubernetes: 'auto',
      resync: 300_000,
      flushInterval: 100,
      maxDeletedRows: 50_000,
    });
    const withRetention = loadConfig({
      file: file('store:\n  tables:\n    http_events:\n      retention: 2h\n'),
      env: {},
    });
    expect(metadataOptions(withRetention).retainDeletedMs).toBe(2 * 3_600_000);
    expect(metadataOptions(c).retainDeletedMs).toBe(3_600_000);
  });

  it('names each bad metadata key with its path', () => {
    const path = file(
      'metadata:\n  kubernetes: maybe\n  flushInterval: 1h\n  staticFile: ""\n  watch: true\n',
    );
    expect(() => loadConfig({ file: path, env: {} })).toThrow(
      new RegExp(
        [
          'metadata.kubernetes: Invalid option: expected one of "auto"\\|"on"\\|"off"',
          '  metadata.staticFile: Too small',
          '  metadata.flushInterval: must be between 10ms and 10s',
          '  metadata: unknown key\\(s\\): watch',
        ].join('[\\s\\S]*'),
      ),
    );
  });
});
