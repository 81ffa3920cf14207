/**
 * A pxgate data source wired as Grafana wires it, with Grafana's services replayed: its HTTP API
 * for backend data sources, answered by the plugin's backend (grafanaApi.ts), as BackendSrv; a
 * DataSourceSrv that knows the data source; and a TemplateSrv (templateSrv.ts).
 */
import { DataQueryRequest, DataSourceInstanceSettings, dateTime, ScopedVars } from '@grafana/data';
import {
  BackendSrv,
  DataSourceSrv,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
} from '@grafana/runtime';
import { DataQuery } from '@grafana/schema';

import { PxgateDataSource } from '../../src/datasource/PxgateDataSource';
import { PxgateOptions } from '../../src/types/options';
import { GrafanaBackendApi } from './grafanaApi';
import { TestTemplateSrv, TestVariable } from './templateSrv';

export interface Harness {
  ds: PxgateDataSource;
  api: GrafanaBackendApi;
  templateSrv: TestTemplateSrv;
}

export interface HarnessOptions {
  /** jsonData.url; omitted means the URL was never set. */
  gatewayUrl?: string;
  /** secureJsonData.token, which only Grafana's server and the backend see. */
  token?: string;
  variables?: TestVariable[];
  range?: { fromMs: number; toMs: number };
  gatewayTimeoutMs?: number;
}

/** Creates the data source and installs the replayed Grafana services it calls. */
export function makeDataSource(options: HarnessOptions = {}): Harness {
  const uid = 'pxgate-test';
  const jsonData: PxgateOptions =
    options.gatewayUrl === undefined ? {} : { url: options.gatewayUrl };
  const api = new GrafanaBackendApi(
    [
      {
        uid,
        name: 'pxgate',
        jsonData: { ...jsonData },
        secureJsonData: options.token ? { token: options.token } : {},
      },
    ],
    options.gatewayTimeoutMs,
  );
  setBackendSrv(api as unknown as BackendSrv);
  const templateSrv = new TestTemplateSrv(options.variables, options.range);
  setTemplateSrv(templateSrv);
  const type = 'pxgate-pxgate-datasource';
  const settings = {
    id: 1,
    uid,
    type,
    name: 'pxgate',
    access: 'proxy',
    jsonData,
    readOnly: false,
    rawRef: { type, uid },
    meta: { id: type, name: 'pxgate', type: 'datasource', info: {}, backend: true },
  } as unknown as DataSourceInstanceSettings<PxgateOptions>;
  // Dashboard targets name their data source (`${datasource}`); it resolves to this one.
  setDataSourceSrv({ getInstanceSettings: () => settings } as unknown as DataSourceSrv);
  return { ds: new PxgateDataSource(settings), api, templateSrv };
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
