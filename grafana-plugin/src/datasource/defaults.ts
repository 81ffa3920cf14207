import { PxgateQuery, QUERY_VERSION } from '../types/query';

/** The script a new query starts with: recent HTTP requests. */
export const DEFAULT_SCRIPT = `import px

df = px.DataFrame(table='http_events', start_time=$__from, end_time=$__to)
df = df[['time_', 'req_method', 'req_path', 'resp_status', 'latency']]
px.display(df.head(100), 'http_events')
`;

export const DEFAULT_QUERY: Partial<PxgateQuery> = {
  version: QUERY_VERSION,
  script: DEFAULT_SCRIPT,
  format: 'table',
};
