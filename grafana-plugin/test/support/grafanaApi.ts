/**
 * Grafana's HTTP API for backend data sources, replayed for the browser-side tests: what
 * DataSourceWithBackend fetches (`POST /api/ds/query`, `/api/datasources/uid/UID/resources/...`,
 * `GET /api/datasources/uid/UID/health`) becomes the pluginv2 request Grafana's server would
 * build, answered by the plugin's backend (in this process, without the gRPC transport, which
 * test/backend.test.ts covers), and the answer becomes what Grafana's server sends back: frames
 * decoded from Arrow and written as data frame JSON, 207 when a query failed, the health
 * check's 400 on ERROR, a resource's own status. Answers become FetchResponse or FetchError as
 * BackendSrv makes them.
 */
import { dataFrameToJSON } from '@grafana/data';
import { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import scripts from '@pxgate/scripts';
import { from, Observable } from 'rxjs';

import { silentLogger } from '../../src/backend/hclog';
import { PluginMetrics } from '../../src/backend/metrics';
import { HealthStatus, PluginContext } from '../../src/backend/protocol/messages';
import { PxgateBackend } from '../../src/backend/PxgateBackend';
import { decodeFrame } from './grafana/frames';

/** A data source as Grafana stores it (secureJsonData decrypted, as its server sees it). */
export interface ApiDataSource {
  uid: string;
  name: string;
  jsonData: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

interface Answer {
  status: number;
  data: unknown;
}

const RESOURCES = /^\/api\/datasources\/uid\/([^/]+)\/resources\/(.*)$/;
const HEALTH = /^\/api\/datasources\/uid\/([^/]+)\/health$/;
const STATUS_TEXT: Record<number, string> = { 200: 'OK', 207: 'Multi-Status', 400: 'Bad Request' };

export class GrafanaBackendApi implements Pick<BackendSrv, 'fetch'> {
  /** Every request the backend sent to a gateway, for assertions on what left Grafana's server. */
  readonly outbound: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  /** Every request the browser sent to Grafana. */
  readonly requests: BackendSrvRequest[] = [];
  private readonly backend: PxgateBackend;

  constructor(
    private readonly datasources: ApiDataSource[],
    gatewayTimeoutMs?: number,
  ) {
    this.backend = new PxgateBackend({
      log: silentLogger(),
      metrics: new PluginMetrics({ defaults: false }),
      catalog: scripts,
      version: '0.1.0',
      gateway: {
        onRequest: (request) => this.outbound.push(request),
        ...(gatewayTimeoutMs ? { timeoutMs: gatewayTimeoutMs } : {}),
      },
    });
  }

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    this.requests.push(options);
    return from(
      this.answer(options).then((answer) => {
        const statusText = STATUS_TEXT[answer.status] ?? '';
        if (answer.status >= 400) {
          const error: FetchError = {
            status: answer.status,
            statusText,
            data: answer.data,
            config: options,
          };
          throw error;
        }
        return {
          data: answer.data as T,
          status: answer.status,
          statusText,
          ok: true,
          headers: new Headers(),
          redirected: false,
          type: 'basic',
          url: options.url,
          config: options,
        } as FetchResponse<T>;
      }),
    );
  }

  private context(uid: string): PluginContext | undefined {
    const ds = this.datasources.find((d) => d.uid === uid);
    if (!ds) return undefined;
    return {
      orgId: 1,
      pluginId: 'pxgate-pxgate-datasource',
      pluginVersion: '0.1.0',
      userAgent: 'Grafana/12.2.0',
      grafanaConfig: {},
      dataSourceInstanceSettings: {
        id: 1,
        uid: ds.uid,
        name: ds.name,
        url: '',
        jsonData: Buffer.from(JSON.stringify(ds.jsonData)),
        decryptedSecureJsonData: ds.secureJsonData ?? {},
        lastUpdatedMS: 0,
      },
    };
  }

  private async answer(options: BackendSrvRequest): Promise<Answer> {
    const [path, search = ''] = options.url.split('?');
    if (path === '/api/ds/query' && options.method === 'POST') return this.query(options.data);
    const health = HEALTH.exec(path!);
    if (health) return this.health(health[1]!);
    const resource = RESOURCES.exec(path!);
    if (resource) return this.resource(resource[1]!, resource[2]!, search, options);
    return { status: 404, data: { message: 'Not found' } };
  }

  /** `/api/ds/query`: each query's JSON as Grafana forwards it, with the body's time range. */
  private async query(body: {
    queries: Array<Record<string, any>>;
    from: string;
    to: string;
  }): Promise<Answer> {
    const uid = body.queries[0]?.datasource?.uid as string;
    const pluginContext = this.context(uid);
    if (!pluginContext) return { status: 404, data: { message: 'Data source not found' } };
    const response = await this.backend.queryData({
      pluginContext,
      headers: {},
      queries: body.queries.map((q) => ({
        refId: q.refId,
        maxDataPoints: q.maxDataPoints ?? 0,
        intervalMS: q.intervalMs ?? 0,
        timeRange: { fromEpochMS: Number(body.from), toEpochMS: Number(body.to) },
        json: Buffer.from(JSON.stringify(q)),
        queryType: q.queryType ?? '',
      })),
    });
    const results = Object.fromEntries(
      Object.entries(response.responses).map(([refId, r]) => [
        refId,
        {
          status: r.status ?? 200,
          frames: r.frames.map((f) => dataFrameToJSON(decodeFrame(f))),
          ...(r.error ? { error: r.error, errorSource: r.errorSource } : {}),
        },
      ]),
    );
    const failed = Object.values(response.responses).some((r) => r.error);
    return { status: failed ? 207 : 200, data: { results } };
  }

  private async health(uid: string): Promise<Answer> {
    const pluginContext = this.context(uid);
    if (!pluginContext) return { status: 404, data: { message: 'Data source not found' } };
    const res = await this.backend.checkHealth({ pluginContext, headers: {} });
    const status = res.status === HealthStatus.OK ? 'OK' : 'ERROR';
    const details = res.jsonDetails ? JSON.parse(Buffer.from(res.jsonDetails).toString()) : {};
    return {
      status: status === 'OK' ? 200 : 400,
      data: { status, message: res.message, details },
    };
  }

  private async resource(
    uid: string,
    path: string,
    search: string,
    options: BackendSrvRequest,
  ): Promise<Answer> {
    const pluginContext = this.context(uid);
    if (!pluginContext) return { status: 404, data: { message: 'Data source not found' } };
    const method = options.method ?? 'GET';
    const res = await this.backend.callResource({
      pluginContext,
      path,
      method,
      url: `/api/datasources/uid/${uid}/resources/${path}${search ? `?${search}` : ''}`,
      headers: {},
      body: Buffer.from(method === 'GET' ? '' : JSON.stringify(options.data ?? {})),
    });
    const text = Buffer.from(res.body).toString('utf8');
    return { status: res.code, data: text ? JSON.parse(text) : undefined };
  }
}
