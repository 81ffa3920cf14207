import { checkHandshakeEnv, handshakeLine, portRange } from './handshake';

describe('the go-plugin handshake', () => {
  it('accepts Grafana: the magic cookie, and version 2 among those offered (or none offered)', () => {
    expect(checkHandshakeEnv({ grafana_plugin_type: 'datasource' })).toEqual({ ok: true });
    expect(
      checkHandshakeEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1, 2' }),
    ).toEqual({ ok: true });
  });

  it('refuses to run without the cookie, or without version 2', () => {
    expect(checkHandshakeEnv({})).toMatchObject({
      ok: false,
      message: expect.stringMatching(/grafana_plugin_type=datasource is not set/),
    });
    expect(
      checkHandshakeEnv({ grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '1' }),
    ).toMatchObject({ ok: false });
  });

  it("reads go-plugin's port range, and ignores one that is not a range of ports", () => {
    expect(portRange({ PLUGIN_MIN_PORT: '10000', PLUGIN_MAX_PORT: '25000' })).toEqual({
      min: 10000,
      max: 25000,
    });
    expect(portRange({ PLUGIN_MIN_PORT: '25000', PLUGIN_MAX_PORT: '10000' })).toBeUndefined();
    expect(portRange({ PLUGIN_MIN_PORT: '0', PLUGIN_MAX_PORT: '70000' })).toBeUndefined();
    expect(portRange({})).toBeUndefined();
  });

  it('writes the line go-plugin reads: core version, app version, network, address, protocol', () => {
    expect(handshakeLine('127.0.0.1:12345')).toBe('1|2|tcp|127.0.0.1:12345|grpc');
  });
});
