/**
 * The messages Grafana sends and reads, written for the tests from the field numbers of
 * grafana-plugin-sdk-go's proto/backend.proto (and go-plugin's and gRPC health's), independently
 * of the backend's own `.proto` files: a wrong number on either side fails the tests.
 */
import protobuf from 'protobufjs';

type FieldSpec = [id: number, type: string, rule?: 'repeated' | `map<${string}>`];

function message(
  fields: Record<string, FieldSpec>,
  nested?: Record<string, protobuf.AnyNestedObject>,
): protobuf.AnyNestedObject {
  return {
    fields: Object.fromEntries(
      Object.entries(fields).map(([name, [id, type, rule]]) => [
        name,
        rule?.startsWith('map<')
          ? { id, type, keyType: rule.slice(4, -1) }
          : { id, type, ...(rule ? { rule } : {}) },
      ]),
    ),
    ...(nested ? { nested } : {}),
  };
}

const pluginv2 = {
  DataSourceInstanceSettings: message({
    id: [1, 'int64'],
    name: [2, 'string'],
    url: [3, 'string'],
    user: [4, 'string'],
    database: [5, 'string'],
    basicAuthEnabled: [6, 'bool'],
    basicAuthUser: [7, 'string'],
    jsonData: [8, 'bytes'],
    decryptedSecureJsonData: [9, 'string', 'map<string>'],
    lastUpdatedMS: [10, 'int64'],
    uid: [11, 'string'],
  }),
  User: message({
    login: [1, 'string'],
    name: [2, 'string'],
    email: [3, 'string'],
    role: [4, 'string'],
  }),
  PluginContext: message({
    orgId: [1, 'int64'],
    pluginId: [2, 'string'],
    user: [3, 'User'],
    dataSourceInstanceSettings: [5, 'DataSourceInstanceSettings'],
    grafanaConfig: [6, 'string', 'map<string>'],
    pluginVersion: [7, 'string'],
    userAgent: [8, 'string'],
  }),
  TimeRange: message({ fromEpochMS: [1, 'int64'], toEpochMS: [2, 'int64'] }),
  DataQuery: message({
    refId: [1, 'string'],
    maxDataPoints: [2, 'int64'],
    intervalMS: [3, 'int64'],
    timeRange: [4, 'TimeRange'],
    json: [5, 'bytes'],
    queryType: [6, 'string'],
  }),
  QueryDataRequest: message({
    pluginContext: [1, 'PluginContext'],
    headers: [2, 'string', 'map<string>'],
    queries: [3, 'DataQuery', 'repeated'],
  }),
  DataResponse: message({
    frames: [1, 'bytes', 'repeated'],
    error: [2, 'string'],
    jsonMeta: [3, 'bytes'],
    status: [4, 'int32'],
    errorSource: [5, 'string'],
  }),
  QueryDataResponse: message({ responses: [1, 'DataResponse', 'map<string>'] }),
  CheckHealthRequest: message({
    pluginContext: [1, 'PluginContext'],
    headers: [2, 'string', 'map<string>'],
  }),
  CheckHealthResponse: message({
    status: [1, 'int32'],
    message: [2, 'string'],
    jsonDetails: [3, 'bytes'],
  }),
  CollectMetricsRequest: message({ pluginContext: [1, 'PluginContext'] }),
  CollectMetricsResponse: message(
    { metrics: [1, 'Payload'] },
    { Payload: message({ prometheus: [1, 'bytes'] }) },
  ),
  StringList: message({ values: [1, 'string', 'repeated'] }),
  CallResourceRequest: message({
    pluginContext: [1, 'PluginContext'],
    path: [2, 'string'],
    method: [3, 'string'],
    url: [4, 'string'],
    headers: [5, 'StringList', 'map<string>'],
    body: [6, 'bytes'],
  }),
  CallResourceResponse: message({
    code: [1, 'int32'],
    headers: [2, 'StringList', 'map<string>'],
    body: [3, 'bytes'],
  }),
};

const root = protobuf.Root.fromJSON({
  nested: {
    pluginv2: { nested: pluginv2 },
    plugin: { nested: { Empty: message({}) } },
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: message({ service: [1, 'string'] }),
                HealthCheckResponse: message({ status: [1, 'int32'] }),
              },
            },
          },
        },
      },
    },
  },
});

/** A message type of the test schema, e.g. `pluginv2.QueryDataRequest`. */
export function testType(name: string): protobuf.Type {
  return root.lookupType(name);
}
