/**
 * Diagnostics.CheckHealth, the data source's _Save & test_: a tiny script through the very route
 * and token queries use, so that a passing check means queries work. It says the gateway's
 * version (from the answer's X-Pxgate-Version) and whether the token was accepted or none is
 * asked for; a failure names its cause.
 */
import { GatewayError } from './gateway/errors';
import { GatewayClient } from './gateway/GatewayClient';
import { PluginMetrics } from './metrics';
import { CheckHealthResponse, HealthStatus } from './protocol/messages';
import { DataSourceSettings } from './settings';

/** The health check's script: the smallest query that reads a table. */
export const PROBE_SCRIPT = `import px
px.display(px.DataFrame(table='http_events', start_time='-30s').head(1), 'probe')
`;

function explain(err: unknown, url: string): string {
  if (!(err instanceof GatewayError)) return `The test query failed: ${String(err)}`;
  switch (err.kind) {
    case 'unreachable':
      return (
        `C${err.message.slice(1)}. Check the URL, and that Grafana's server (not only your ` +
        `browser) can reach the gateway.`
      );
    case 'timeout':
      return `T${err.message.slice(1)}: a firewall may swallow the connection, or the gateway is stuck.`;
    case 'auth':
      return err.status === 403
        ? `The gateway at ${url} refused the token for queries (403): give the token the query scope.`
        : `The gateway at ${url} refused the token (401): set Token to the gateway's auth.token ` +
            `(and save, so that Grafana's server uses it).`;
    case 'not_pxgate':
      return `${url} is not a pxgate gateway: ${err.message}.`;
    case 'too_large':
    case 'script':
    case 'gateway':
      return `The gateway at ${url} failed the test query: ${err.message}`;
    case 'cancelled':
      return 'The test query was cancelled.';
  }
}

function response(status: HealthStatus, message: string, details: object): CheckHealthResponse {
  return { status, message, jsonDetails: Buffer.from(JSON.stringify(details)) };
}

/** What a passing check says: the gateway, its version, and whether the token was used. */
function connected(url: string, tokenSent: boolean, gatewayVersion: string | undefined): string {
  const gateway = gatewayVersion
    ? `pxgate ${gatewayVersion}`
    : 'a pxgate gateway (too old to say its version)';
  return tokenSent
    ? `Connected to ${gateway} at ${url}, which accepted the token for queries`
    : `Connected to ${gateway} at ${url}, which asks for no token`;
}

/** Checks that the gateway answers queries with this data source's token. */
export async function checkHealth(
  settings: DataSourceSettings | Error,
  gatewayFor: (settings: DataSourceSettings) => GatewayClient,
  metrics: PluginMetrics,
  pluginVersion: string,
): Promise<CheckHealthResponse> {
  if (settings instanceof Error) {
    return response(HealthStatus.ERROR, settings.message, { pluginVersion });
  }
  const details = { pluginVersion, gateway: settings.url, authenticated: Boolean(settings.token) };
  try {
    const gateway = gatewayFor(settings);
    const { gatewayVersion } = await metrics.timeGateway('health', () =>
      gateway.queryWithVersion({ script: PROBE_SCRIPT }),
    );
    return response(
      HealthStatus.OK,
      `${connected(settings.url, details.authenticated, gatewayVersion)} (plugin ${pluginVersion}).`,
      { ...details, ...(gatewayVersion ? { gatewayVersion } : {}) },
    );
  } catch (err) {
    return response(HealthStatus.ERROR, explain(err, settings.url), {
      ...details,
      ...(err instanceof GatewayError ? { status: err.status, kind: err.kind } : {}),
    });
  }
}
