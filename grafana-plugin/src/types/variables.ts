import { DataQuery } from '@grafana/schema';

/** What a template variable lists. */
export type VariableKind = 'namespaces' | 'services' | 'pods' | 'nodes' | 'script';

/** A template variable's query, as dashboards save it. */
export interface PxgateVariableQuery extends DataQuery {
  kind: VariableKind;
  /** For services and pods: only those of these namespaces (may hold template variables). */
  namespace?: string;
  /** For `script`: PxL whose first displayed table's first column gives the values. */
  script?: string;
}
