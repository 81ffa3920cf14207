/**
 * go-plugin's handshake, as Grafana's plugin loader runs it: Grafana starts the executable with
 * the magic cookie `grafana_plugin_type=datasource` and the protocol versions it speaks
 * (`PLUGIN_PROTOCOL_VERSIONS`), and waits for one line on stdout,
 * `CORE|APP|NETWORK|ADDRESS|PROTOCOL`, before anything else is written there.
 */

export const MAGIC_COOKIE_KEY = 'grafana_plugin_type';
export const MAGIC_COOKIE_VALUE = 'datasource';
/** go-plugin's own protocol version. */
export const CORE_PROTOCOL_VERSION = 1;
/** Grafana's backend plugin protocol version (grafana-plugin-sdk-go's grpcplugin.ProtocolVersion). */
export const PLUGIN_PROTOCOL_VERSION = 2;

export type HandshakeCheck = { ok: true } | { ok: false; message: string };

/** Checks that Grafana (or something acting as it) started this process, and speaks version 2. */
export function checkHandshakeEnv(env: NodeJS.ProcessEnv): HandshakeCheck {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return {
      ok: false,
      message:
        `This is the pxgate data source's Grafana backend plugin: Grafana starts it ` +
        `(${MAGIC_COOKIE_KEY}=${MAGIC_COOKIE_VALUE} is not set), so install the plugin in ` +
        `Grafana's plugins folder instead of running it.`,
    };
  }
  const offered = env.PLUGIN_PROTOCOL_VERSIONS;
  if (offered !== undefined && offered.trim() !== '') {
    const versions = offered.split(',').map((v) => v.trim());
    if (!versions.includes(String(PLUGIN_PROTOCOL_VERSION))) {
      return {
        ok: false,
        message:
          `Grafana offers plugin protocol versions ${offered}; this plugin speaks version ` +
          `${PLUGIN_PROTOCOL_VERSION} (Grafana 7 and later).`,
      };
    }
  }
  return { ok: true };
}

/** The ports go-plugin allows (`PLUGIN_MIN_PORT`..`PLUGIN_MAX_PORT`); undefined for any port. */
export function portRange(env: NodeJS.ProcessEnv): { min: number; max: number } | undefined {
  const min = Number(env.PLUGIN_MIN_PORT);
  const max = Number(env.PLUGIN_MAX_PORT);
  const valid = (p: number) => Number.isInteger(p) && p > 0 && p < 65536;
  return valid(min) && valid(max) && min <= max ? { min, max } : undefined;
}

/** The handshake line for a gRPC server listening on `address` (`127.0.0.1:PORT`). */
export function handshakeLine(address: string): string {
  return `${CORE_PROTOCOL_VERSION}|${PLUGIN_PROTOCOL_VERSION}|tcp|${address}|grpc`;
}
