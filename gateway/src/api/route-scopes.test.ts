import { routeAccess } from './route-scopes';

describe('routeAccess', () => {
  it('gives each route of the API the scope docs/security.md names', () => {
    expect(
      [
        ['GET', '/healthz'],
        ['GET', '/readyz'],
        ['POST', '/v1/ingest'],
        ['POST', '/v1/metadata/processes'],
        ['POST', '/v1/query'],
        ['GET', '/v1/tables'],
        ['GET', '/v1/scripts'],
        ['GET', '/v1/scripts/px/http_data'],
        ['GET', '/v1/metadata/status'],
        ['GET', '/v1/exports'],
        ['GET', '/metrics'],
        ['POST', '/v1/tables'],
      ].map(([m, p]) => `${m} ${p} ${routeAccess(m!, p!)}`),
    ).toEqual([
      'GET /healthz open',
      'GET /readyz open',
      'POST /v1/ingest ingest',
      'POST /v1/metadata/processes ingest',
      'POST /v1/query query',
      'GET /v1/tables query',
      'GET /v1/scripts query',
      'GET /v1/scripts/px/http_data query',
      'GET /v1/metadata/status query',
      'GET /v1/exports admin',
      'GET /metrics admin',
      'POST /v1/tables admin',
    ]);
  });

  it('reads paths as express routes them: any case, a final slash, HEAD as GET', () => {
    expect(routeAccess('POST', '/V1/Query/')).toBe('query');
    expect(routeAccess('POST', '/v1/INGEST')).toBe('ingest');
    expect(routeAccess('HEAD', '/healthz')).toBe('open');
    expect(routeAccess('HEAD', '/v1/tables')).toBe('query');
  });

  it('closes every route it does not list to all but admin tokens', () => {
    expect(routeAccess('GET', '/v1/ingest')).toBe('admin');
    expect(routeAccess('DELETE', '/v1/tables')).toBe('admin');
    expect(routeAccess('POST', '/healthz')).toBe('admin');
    expect(routeAccess('GET', '/v1/scripts/')).toBe('query');
    expect(routeAccess('GET', '/v1/new-route')).toBe('admin');
    expect(routeAccess('OPTIONS', '/v1/query')).toBe('admin');
  });
});
