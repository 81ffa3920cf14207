import { Scope } from '../../../cli/config/auth-schema';

/** What a route needs: a scope, or nothing (the health probes). */
export type RouteAccess = Scope | 'open';

/**
 * Which scope each route needs (docs/security.md). Agents' writes are `ingest`; reading
 * telemetry, its tables and scripts is `query`; everything else (the gateway's own state, its
 * /metrics, declaring tables) is `admin`, and so is any route not listed here: a route added
 * without a decision is closed rather than open to every token.
 */
const ROUTES: ReadonlyArray<readonly [method: string, path: string, access: RouteAccess]> = [
  ['GET', '/healthz', 'open'],
  ['GET', '/readyz', 'open'],
  ['POST', '/v1/ingest', 'ingest'],
  ['POST', '/v1/metadata/processes', 'ingest'],
  ['POST', '/v1/query', 'query'],
  ['GET', '/v1/tables', 'query'],
  ['GET', '/v1/scripts', 'query'],
  ['GET', '/v1/scripts/*', 'query'],
  ['GET', '/v1/metadata/status', 'query'],
  ['GET', '/v1/exports', 'admin'],
  ['GET', '/v1/cluster', 'admin'],
  ['GET', '/metrics', 'admin'],
  ['POST', '/v1/tables', 'admin'],
];

const EXACT = new Map(
  ROUTES.filter(([, path]) => !path.endsWith('/*')).map(([m, path, a]) => [`${m} ${path}`, a]),
);
const PREFIXES = ROUTES.filter(([, path]) => path.endsWith('/*')).map(
  ([m, path, a]) => [m, path.slice(0, -1), a] as const,
);

/**
 * The access a request needs. Paths are compared as express routes them (case-insensitively,
 * with or without a final slash), and HEAD as GET, so no spelling reaches a handler under a
 * weaker scope than its own.
 */
export function routeAccess(method: string, path: string): RouteAccess {
  const m = method === 'HEAD' ? 'GET' : method;
  let p = path.toLowerCase();
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const exact = EXACT.get(`${m} ${p}`);
  if (exact) return exact;
  for (const [pm, prefix, access] of PREFIXES) {
    if (pm === m && p.startsWith(prefix) && p.length > prefix.length) return access;
  }
  return 'admin';
}
