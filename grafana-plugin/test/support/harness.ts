/**
 * A pxgate data source wired as Grafana wires it, with Grafana's services replayed: the data
 * source proxy (dataProxy.ts) as BackendSrv and a TemplateSrv (templateSrv.ts).
 */
import { DataQueryRequest, DataSourceInstanceSettings, dateTime, ScopedVars } from '@grafana/data';
import { BackendSrv, setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { DataQuery } from '@grafana/schema';

import { PxgateDataSource } from '../../src/datasource/PxgateDataSource';
import { PxgateOptions } from '../../src/types/options';
import { GrafanaDataProxy } from './dataProxy';
import { TestTemplateSrv, TestVariable } from './templateSrv';

export interface Harness {
  ds: PxgateDataSource;
  proxy: GrafanaDataProxy;
  templateSrv: TestTemplateSrv;
}

export interface HarnessOptions {
  /** jsonData.url; omitted means the URL was never set. */
  gatewayUrl?: string;
  /** secureJsonData.token, which only the proxy sees. */
  token?: string;
  variables?: TestVariable[];
  range?: { fromMs: number; toMs: number };
  proxyTimeoutMs?: number;
}

/** Creates the data source and installs the replayed Grafana services it calls. */
export function makeDataSource(options: HarnessOptions = {}): Harness {
  const uid = 'pxgate-test';
  const jsonData: PxgateOptions =
    options.gatewayUrl === undefined ? {} : { url: options.gatewayUrl };
  const proxy = new GrafanaDataProxy(
    [
      {
        uid,
        jsonData: { ...jsonData },
        secureJsonData: options.token ? { token: options.token } : {},
      },
    ],
    options.proxyTimeoutMs,
  );
  setBackendSrv(proxy as unknown as BackendSrv);
  const templateSrv = new TestTemplateSrv(options.variables, options.range);
  setTemplateSrv(templateSrv);
  const settings = {
    id: 1,
    uid,
    type: 'pxgate-pxgate-datasource',
    name: 'pxgate',
    access: 'proxy',
    url: `/api/datasources/proxy/uid/${uid}`,
    jsonData,
    readOnly: false,
    meta: { id: 'pxgate-pxgate-datasource', name: 'pxgate', type: 'datasource', info: {} },
  } as unknown as DataSourceInstanceSettings<PxgateOptions>;
  return { ds: new PxgateDataSource(settings), proxy, templateSrv };
}

/** A query request as Grafana's query runner builds it for a panel. */
export function queryRequest<Q extends DataQuery>(
  targets: Q[],
  opts: { fromMs: number; toMs: number; intervalMs?: number; scopedVars?: ScopedVars },
): DataQueryRequest<Q> {
  const from = dateTime(opts.fromMs);
  const to = dateTime(opts.toMs);
  const intervalMs = opts.intervalMs ?? 1000;
  return {
    requestId: 'Q100',
    interval: `${intervalMs / 1000}s`,
    intervalMs,
    range: { from, to, raw: { from, to } },
    scopedVars: {
      __interval: { text: `${intervalMs / 1000}s`, value: `${intervalMs / 1000}s` },
      __interval_ms: { text: String(intervalMs), value: intervalMs },
      ...opts.scopedVars,
    },
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  };
}
