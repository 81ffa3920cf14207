/**
 * Grafana's data source proxy and BackendSrv.fetch, replayed for tests: requests to
 * `/api/datasources/proxy/uid/<uid>/<path>` are matched against the plugin's real plugin.json
 * `routes`, their URL and headers filled from the data source's jsonData and secureJsonData as
 * Grafana's Go templates fill them, and forwarded over HTTP. The proxy's own answers are replayed
 * too: 502 when it cannot connect, 504 on timeout, and 400 "Authentication to data source
 * failed" in place of an upstream 401. Answers become FetchResponse or FetchError as
 * BackendSrv makes them.
 */
import { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import fs from 'fs';
import http from 'http';
import https from 'https';
import path from 'path';
import { Observable } from 'rxjs';

interface Route {
  path: string;
  url: string;
  method?: string;
  headers?: Array<{ name: string; content: string }>;
}

/** A data source as Grafana stores it (secureJsonData decrypted, as its server sees it). */
export interface ProxiedDataSource {
  uid: string;
  jsonData: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

const PLUGIN_JSON = path.join(__dirname, '..', '..', 'src', 'plugin.json');
const PROXY_PREFIX = '/api/datasources/proxy/uid/';

/** `{{ .JsonData.x }}` as Go's text/template renders it: a missing jsonData key prints "<no value>". */
function renderTemplate(template: string, ds: ProxiedDataSource): string {
  return template.replace(
    /\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g,
    (_m, scope: string, key: string) => {
      if (scope === 'SecureJsonData') return ds.secureJsonData?.[key] ?? '';
      const value = ds.jsonData[key];
      return value === undefined || value === null ? '<no value>' : String(value);
    },
  );
}

function joinPath(base: string, rest: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return rest ? `${trimmed}/${rest.replace(/^\/+/, '')}` : trimmed || '/';
}

/** Parses a body as BackendSrv does without a responseType: JSON when it is, else text. */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class GrafanaDataProxy implements Pick<BackendSrv, 'fetch'> {
  private readonly routes: Route[];
  /** Every request the proxy sent upstream, for assertions on what left Grafana. */
  readonly forwarded: Array<{ url: string; headers: Record<string, string>; body: string }> = [];

  constructor(
    private readonly datasources: ProxiedDataSource[],
    private readonly timeoutMs = 30_000,
  ) {
    this.routes =
      (JSON.parse(fs.readFileSync(PLUGIN_JSON, 'utf8')) as { routes?: Route[] }).routes ?? [];
  }

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const fail = (status: number, statusText: string, data: unknown) => {
        const error: FetchError = { status, statusText, data, config: options };
        subscriber.error(error);
      };
      const target = this.resolve(options);
      if ('error' in target) {
        fail(target.status, target.error, { message: target.error });
        return undefined;
      }
      let url: URL;
      try {
        url = new URL(target.url);
      } catch {
        fail(502, 'Bad Gateway', '');
        return undefined;
      }
      const body = options.data === undefined ? '' : JSON.stringify(options.data);
      const headers: Record<string, string> = { ...(options.headers ?? {}), ...target.headers };
      if (body) headers['content-length'] = String(Buffer.byteLength(body));
      this.forwarded.push({ url: url.toString(), headers, body });
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(
        url,
        { method: options.method ?? 'GET', headers, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let status = res.statusCode ?? 502;
            let text = Buffer.concat(chunks).toString('utf8');
            let statusText = res.statusMessage ?? '';
            if (status === 401) {
              // Grafana turns an upstream 401 into a 400, so the user is not logged out of Grafana.
              status = 400;
              statusText = 'Bad Request';
              text = 'Authentication to data source failed';
            }
            const data = parseBody(text);
            if (status >= 400) {
              fail(status, statusText, data);
              return;
            }
            subscriber.next({
              data: data as T,
              status,
              statusText,
              ok: true,
              headers: new Headers(),
              redirected: false,
              type: 'basic',
              url: options.url,
              config: options,
            });
            subscriber.complete();
          });
        },
      );
      request.on('timeout', () => {
        request.destroy();
        fail(504, 'Gateway Timeout', '');
      });
      request.on('error', () => {
        if (!subscriber.closed) fail(502, 'Bad Gateway', '');
      });
      request.end(body);
      return () => request.destroy();
    });
  }

  private resolve(
    options: BackendSrvRequest,
  ): { url: string; headers: Record<string, string> } | { status: number; error: string } {
    if (!options.url.startsWith(PROXY_PREFIX))
      return { status: 404, error: `not a data source proxy URL: ${options.url}` };
    const rest = options.url.slice(PROXY_PREFIX.length);
    const slash = rest.indexOf('/');
    const uid = slash === -1 ? rest : rest.slice(0, slash);
    const proxyPath = slash === -1 ? '' : rest.slice(slash + 1);
    const ds = this.datasources.find((d) => d.uid === uid);
    if (!ds) return { status: 404, error: 'Unable to find datasource' };
    const method = (options.method ?? 'GET').toUpperCase();
    const route = this.routes.find(
      (r) =>
        proxyPath.startsWith(r.path) &&
        (!r.method || r.method === '*' || r.method.toUpperCase() === method),
    );
    // Without a matching route Grafana proxies to the data source's own (empty) URL.
    if (!route) return { url: joinPath('', proxyPath), headers: {} };
    const base = renderTemplate(route.url, ds);
    const [pathPart, query = ''] = proxyPath.slice(route.path.length).split('?');
    let url: string;
    try {
      const parsed = new URL(base);
      parsed.pathname = joinPath(parsed.pathname, pathPart ?? '');
      parsed.search = query;
      url = parsed.toString();
    } catch {
      url = base;
    }
    const headers = Object.fromEntries(
      (route.headers ?? []).map((h) => [h.name, renderTemplate(h.content, ds)]),
    );
    return { url, headers };
  }
}
