import { DataQuery } from '@grafana/schema';
import type { TemplateValueMap } from '../data/interpolate';

/** The version of the saved query shape below; data/migrations.ts upgrades older ones on load. */
export const QUERY_VERSION = 1;

/** How a query's tables become data frames. */
export type QueryFormat = 'time_series' | 'table' | 'node_graph' | 'traces';

/** A PxL query as dashboards save it. */
export interface PxgateQuery extends DataQuery {
  version: number;
  /** PxL text; macros and template variables are interpolated before it runs. */
  script: string;
  /** A function of the script to call instead of running it top to bottom. */
  func?: string;
  /** Arguments of `func`, by name; values may hold macros and template variables. */
  args?: Record<string, string>;
  /** Which `px.display` table to show; empty means all of them. */
  output?: string;
  format: QueryFormat;
}

/**
 * A query as the browser sends it to the backend: the saved query, migrated, with the values of
 * the template variables it refers to. The backend fills those and the macros in one pass (it
 * alone knows the time range of alert rules, which have no browser).
 */
export interface PxgateQueryRequest extends PxgateQuery {
  templateValues?: TemplateValueMap;
}
