import { DataSourceInstanceSettings, TestDataSourceResponse } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { GatewayError } from '../data/errors';
import { checkGatewayUrl } from '../data/validate';
import { PxgateOptions } from '../types/options';
import { GatewayClient } from './GatewayClient';

/** The health check's script: the smallest query that reads a table. */
export const PROBE_SCRIPT = `import px
px.display(px.DataFrame(table='http_events', start_time='-30s').head(1), 'probe')
`;

function explain(err: unknown, url: string): string {
  if (!(err instanceof GatewayError)) return `The test query failed: ${String(err)}`;
  switch (err.kind) {
    case 'unreachable':
      return (
        `Grafana could not connect to ${url} (502 from its data source proxy). Check the URL, ` +
        `and that Grafana's server (not only your browser) can reach the gateway.`
      );
    case 'timeout':
      return `The gateway at ${url} did not answer in time (504 from Grafana's data source proxy).`;
    case 'auth':
      return (
        `The gateway at ${url} refused the token (401): set Token to the gateway's auth.token ` +
        `(and save, so that Grafana's server uses it).`
      );
    case 'not_pxgate':
      return `${url} is not a pxgate gateway: ${err.message}.`;
    case 'script':
    case 'gateway':
      return `The gateway at ${url} failed the test query: ${err.message}`;
    case 'cancelled':
      return 'The test query was cancelled.';
  }
}

/**
 * Runs a tiny script through the very route queries use, so a passing check means queries reach
 * the same gateway with the same token; a failure names its cause.
 */
export async function checkHealth(
  client: GatewayClient,
  settings: DataSourceInstanceSettings<PxgateOptions>,
): Promise<TestDataSourceResponse> {
  const url = settings.jsonData.url;
  const badUrl = checkGatewayUrl(url);
  if (badUrl) return { status: 'error', message: badUrl };
  try {
    await lastValueFrom(client.query({ script: PROBE_SCRIPT }));
    return { status: 'success', message: `Connected to the pxgate gateway at ${url}.` };
  } catch (err) {
    return { status: 'error', message: explain(err, url!) };
  }
}
