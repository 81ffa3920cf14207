import { DataSourceJsonData } from '@grafana/data';

/** Data source settings the browser may see. */
export interface PxgateOptions extends DataSourceJsonData {
  /** The gateway's base URL; Grafana's data source proxy forwards queries to it. */
  url?: string;
}

/** Settings Grafana keeps encrypted on the server; the browser only learns whether they are set. */
export interface PxgateSecureOptions {
  /** The gateway's bearer token (`auth.token` in its config). */
  token?: string;
}
