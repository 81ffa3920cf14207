import type { BundledScript } from '@pxgate/scripts';

import { GatewayClient, GatewayClientOptions } from './gateway/GatewayClient';
import { checkHealth } from './health';
import { HclogLogger } from './hclog';
import { PluginMetrics } from './metrics';
import {
  CallResourceRequest,
  CallResourceResponse,
  CheckHealthRequest,
  CheckHealthResponse,
  CollectMetricsResponse,
  PluginContext,
  QueryDataRequest,
  QueryDataResponse,
} from './protocol/messages';
import { queryData } from './query/queryData';
import { callResource } from './resources';
import { dataSourceSettings, DataSourceSettings, SettingsError } from './settings';

export interface PxgateBackendOptions {
  log: HclogLogger;
  metrics: PluginMetrics;
  catalog: readonly BundledScript[];
  version: string;
  /** Options for every gateway client (tests watch the requests, or pass a short timeout). */
  gateway?: Omit<GatewayClientOptions, 'url' | 'token'>;
}

function settingsOf(context: PluginContext | null | undefined): DataSourceSettings | Error {
  try {
    return dataSourceSettings(context);
  } catch (err) {
    if (err instanceof SettingsError) return err;
    throw err;
  }
}

/**
 * The pxgate data source's backend: what Grafana asks of it, without the transport (server/
 * binds it to gRPC). It keeps no state per data source: settings come with every request.
 */
export class PxgateBackend {
  constructor(private readonly options: PxgateBackendOptions) {}

  private readonly gatewayFor = (settings: DataSourceSettings): GatewayClient =>
    new GatewayClient({ ...this.options.gateway, url: settings.url, token: settings.token });

  /** Data.QueryData. */
  queryData(request: QueryDataRequest, signal?: AbortSignal): Promise<QueryDataResponse> {
    const { log, metrics, catalog } = this.options;
    return queryData(
      { log, metrics, catalog, gatewayFor: this.gatewayFor },
      request,
      settingsOf(request.pluginContext),
      signal,
    );
  }

  /** Diagnostics.CheckHealth. */
  checkHealth(request: CheckHealthRequest): Promise<CheckHealthResponse> {
    return checkHealth(
      settingsOf(request.pluginContext),
      this.gatewayFor,
      this.options.metrics,
      this.options.version,
    );
  }

  /** Diagnostics.CollectMetrics. */
  async collectMetrics(): Promise<CollectMetricsResponse> {
    return { metrics: { prometheus: Buffer.from(await this.options.metrics.exposition()) } };
  }

  /** Resource.CallResource. */
  callResource(request: CallResourceRequest): Promise<CallResourceResponse> {
    const { metrics, catalog } = this.options;
    return callResource(
      { metrics, catalog, gatewayFor: this.gatewayFor },
      request,
      settingsOf(request.pluginContext),
    );
  }
}
