/**
 * The `pluginv2` messages as this backend reads and writes them (see grpcServices.ts for how
 * protobuf values map to these). Field names are the `.proto`'s.
 */

export interface DataSourceInstanceSettings {
  id: number;
  name: string;
  url: string;
  jsonData: Buffer;
  decryptedSecureJsonData: Record<string, string>;
  lastUpdatedMS: number;
  uid: string;
}

export interface PluginContext {
  orgId: number;
  pluginId: string;
  dataSourceInstanceSettings?: DataSourceInstanceSettings | null;
  grafanaConfig: Record<string, string>;
  pluginVersion: string;
  userAgent: string;
}

export interface TimeRange {
  fromEpochMS: number;
  toEpochMS: number;
}

export interface DataQuery {
  refId: string;
  maxDataPoints: number;
  intervalMS: number;
  timeRange?: TimeRange | null;
  json: Buffer;
  queryType: string;
}

export interface QueryDataRequest {
  pluginContext?: PluginContext | null;
  headers: Record<string, string>;
  queries: DataQuery[];
}

/** Who is at fault for a failed query, as Grafana counts it. */
export type ErrorSource = 'plugin' | 'downstream';

export interface DataResponse {
  /** Each frame one Arrow IPC file. */
  frames: Uint8Array[];
  error?: string;
  status?: number;
  errorSource?: ErrorSource;
}

export interface QueryDataResponse {
  responses: Record<string, DataResponse>;
}

export interface CheckHealthRequest {
  pluginContext?: PluginContext | null;
  headers: Record<string, string>;
}

/** CheckHealthResponse.HealthStatus. */
export enum HealthStatus {
  UNKNOWN = 0,
  OK = 1,
  ERROR = 2,
}

export interface CheckHealthResponse {
  status: HealthStatus;
  message: string;
  jsonDetails?: Uint8Array;
}

export interface StringList {
  values: string[];
}

export interface CallResourceRequest {
  pluginContext?: PluginContext | null;
  path: string;
  method: string;
  url: string;
  headers: Record<string, StringList>;
  body: Buffer;
}

export interface CallResourceResponse {
  code: number;
  headers: Record<string, StringList>;
  body: Uint8Array;
}

export interface CollectMetricsResponse {
  metrics: { prometheus: Uint8Array };
}
