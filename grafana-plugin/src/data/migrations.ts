/**
 * Saved queries carry a version and are upgraded on load, so dashboards saved by any release
 * (or by Pixie's own Grafana plugin) keep working.
 *
 * - version 0: Pixie's plugin, `pxlScript` at the top level or in `queryBody`, with the script
 *   macros its backend replaced (`__time_from`, `__time_to`, `__interval`: nanoseconds, as ours)
 *   and its habit of showing every table with a `time_` column as time series;
 * - version 1: this plugin's shape (types/query.ts).
 */
import { PxgateQuery, QUERY_VERSION, QueryFormat } from '../types/query';

const FORMATS: readonly QueryFormat[] = ['time_series', 'table', 'node_graph', 'traces'];

const PIXIE_MACROS: ReadonlyArray<[RegExp, string]> = [
  [/(?<![$\w])__time_from(?!\w)/g, '$__from'],
  [/(?<![$\w])__time_to(?!\w)/g, '$__to'],
  [/(?<![$\w])__interval(?!\w)/g, '$__interval'],
];

interface PixieQuery {
  pxlScript?: unknown;
  queryType?: unknown;
  queryBody?: { pxlScript?: unknown; clusterID?: unknown };
  queryMeta?: unknown;
}

/** Upgrades a stored query of any known version to the current shape. */
export function migrateQuery(stored: Partial<PxgateQuery>): PxgateQuery {
  if ((stored.version ?? 0) >= QUERY_VERSION) {
    return {
      ...stored,
      refId: stored.refId ?? 'A',
      script: stored.script ?? '',
      format: formatOf(stored.format),
    } as PxgateQuery;
  }
  const {
    pxlScript,
    queryType: _t,
    queryBody,
    queryMeta: _m,
    ...rest
  } = stored as Partial<PxgateQuery> & PixieQuery;
  const pixieScript = typeof pxlScript === 'string' ? pxlScript : queryBody?.pxlScript;
  let script = typeof stored.script === 'string' ? stored.script : '';
  if (typeof pixieScript === 'string') {
    script = PIXIE_MACROS.reduce(
      (text, [pattern, macro]) => text.replace(pattern, macro),
      pixieScript,
    );
  }
  // Pixie's plugin turned every table with a `time_` column into wide time series.
  const format = formatOf(stored.format, 'time_series');
  return { ...rest, refId: stored.refId ?? 'A', version: QUERY_VERSION, script, format };
}

function formatOf(format: unknown, fallback: QueryFormat = 'table'): QueryFormat {
  return FORMATS.includes(format as QueryFormat) ? (format as QueryFormat) : fallback;
}
