import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as cli } from '../support/cli';
import { silentLogger } from '../../shared/common/logger';
import { validateConfig } from '../../cli/config/load';
import { ConfigInput } from '../../cli/config/schema';
import { PXGATE_VERSION } from '../../gateway/src/common/package-info';
import { Gateway } from '../../gateway/src/gateway';
import { TestGateway, startTestGateway } from '../support/gateway';
import { capturingLogger } from '../support/logs';
import { waitFor } from '../support/wait';

const TOKEN = 'a-long-enough-test-token';
const AGENT = 'agent-ingest-token-0001';
const READER = 'grafana-query-token-001';
const ADMIN = 'operator-admin-token-01';

const bearer = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

/** A request to the gateway with a token; status and error message. */
async function call(
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; message: string | undefined; text: string }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...bearer(token), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let message: string | undefined;
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
  } catch {
    message = undefined;
  }
  return { status: res.status, message, text };
}

describe('authentication', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ auth: { token: TOKEN } });
  });
  afterAll(() => gw.close());

  it('requires the bearer token on the API when a token is configured', async () => {
    const none = await fetch(`${gw.url}/v1/tables`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="pxgate"');
    const wrong = await fetch(`${gw.url}/v1/tables`, {
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe(
      'invalid bearer token',
    );
    const right = await fetch(`${gw.url}/v1/tables`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
  });

  it('leaves the health probes open for the orchestrator', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(401);
  });

  it("names the gateway's version on an accepted query only, not to a caller without the token", async () => {
    const script = "import px\npx.display(px.DataFrame('http_events').head(1))";
    const query = (token?: string) =>
      fetch(`${gw.url}/v1/query`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify({ script }),
      });
    const refused = await query();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-pxgate-version')).toBeNull();
    expect((await fetch(`${gw.url}/healthz`)).headers.get('x-pxgate-version')).toBeNull();
    const accepted = await query(TOKEN);
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('x-pxgate-version')).toBe(PXGATE_VERSION);
  });

  it('refuses to listen beyond loopback without TLS and a token', async () => {
    await expect(
      Gateway.create(validateConfig({ listen: '0.0.0.0:0' }), silentLogger()),
    ).rejects.toThrow('refusing to listen on 0.0.0.0:0 without TLS and without an auth token');
  });
});

describe('token scopes', () => {
  let gw: TestGateway;
  let dir: string;
  let adminFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pxgate-auth-'));
    adminFile = join(dir, 'admin-token');
    writeFileSync(adminFile, `${ADMIN}\n`);
    gw = await startTestGateway({
      auth: {
        token: TOKEN,
        tokens: [
          { token: AGENT, scopes: ['ingest'] },
          { token: READER, scopes: ['query'] },
          { tokenFile: adminFile, scopes: ['admin'] },
        ],
      },
    });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingestBody = { table: 'http_events', rows: [{ req_path: '/scoped', latency: 1 }] };
  const ROUTES: [method: string, path: string, scope: string, body?: unknown][] = [
    ['POST', '/v1/ingest', 'ingest', ingestBody],
    ['POST', '/v1/metadata/processes', 'ingest', { processes: [] }],
    [
      'POST',
      '/v1/query',
      'query',
      { script: "import px\npx.display(px.DataFrame('http_events'))" },
    ],
    ['GET', '/v1/tables', 'query'],
    ['GET', '/v1/scripts', 'query'],
    ['GET', '/v1/scripts/px/http_data', 'query'],
    ['GET', '/v1/metadata/status', 'query'],
    ['GET', '/v1/exports', 'admin'],
    ['GET', '/metrics', 'admin'],
    ['POST', '/v1/tables', 'admin', { name: 'scoped_t', columns: [{ name: 'x', type: 'INT64' }] }],
  ];

  it('gives each route to the tokens with its scope, and answers 403 naming the scope to others', async () => {
    const tokens = { ingest: AGENT, query: READER, admin: ADMIN, all: TOKEN };
    const seen: string[] = [];
    const expected: string[] = [];
    for (const [method, path, scope, body] of ROUTES) {
      for (const [name, token] of Object.entries(tokens)) {
        const r = await call(gw.url, method, path, token, body);
        const allowed = name === 'all' || name === scope;
        seen.push(
          `${method} ${path} ${name}: ${r.status < 300 ? 'ok' : r.status} ${r.message ?? ''}`,
        );
        expected.push(
          `${method} ${path} ${name}: ${
            allowed
              ? 'ok '
              : `403 this route needs a token with the "${scope}" scope; this token has: ${name}`
          }`,
        );
      }
    }
    expect(seen).toEqual(expected);
  });

  it("lets an agent's token send telemetry but not read it back", async () => {
    const sent = await call(gw.url, 'POST', '/v1/ingest', AGENT, {
      table: 'http_events',
      rows: [{ req_path: '/secret-body', req_body: 'card=4111111111111111', latency: 1 }],
    });
    expect(sent.status).toBe(200);
    const script = "import px\npx.display(px.DataFrame('http_events')[['req_body']])";
    const read = await call(gw.url, 'POST', '/v1/query', AGENT, { script });
    expect(read.status).toBe(403);
    expect(read.text).not.toContain('4111');
    expect((await call(gw.url, 'POST', '/v1/query', READER, { script })).text).toContain('4111');
  });

  it('answers 401 with the challenge for a missing, malformed or unknown token', async () => {
    for (const headers of [{}, { authorization: `Basic ${TOKEN}` }, bearer(`${READER}x`)]) {
      const res = await fetch(`${gw.url}/v1/tables`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="pxgate"');
    }
  });

  it('cannot reach a route under a weaker scope by spelling its path otherwise', async () => {
    const script = "import px\npx.display(px.DataFrame('http_events'))";
    for (const path of ['/V1/QUERY', '/v1/query/', '/v1/Query']) {
      const r = await call(gw.url, 'POST', path, AGENT, { script });
      expect({ path, status: r.status }).toEqual({ path, status: 403 });
    }
    expect((await call(gw.url, 'GET', '/METRICS', READER)).status).toBe(403);
    expect((await call(gw.url, 'GET', '/v1/no-such-route', READER)).status).toBe(403);
    expect((await call(gw.url, 'GET', '/v1/no-such-route', ADMIN)).status).toBe(404);
  });

  it('counts refused ingest requests among the rejected batches, by reason', async () => {
    const count = async (reason: string) => {
      const text = (await call(gw.url, 'GET', '/metrics', ADMIN)).text;
      const m = new RegExp(
        `pxgate_ingest_rejected_batches_total\\{reason="${reason}"\\} (\\d+)`,
      ).exec(text);
      return m ? Number(m[1]) : 0;
    };
    const before = [await count('unauthorized'), await count('forbidden')];
    await call(gw.url, 'POST', '/v1/ingest', undefined, ingestBody);
    await call(gw.url, 'POST', '/v1/ingest', 'x'.repeat(20), ingestBody);
    await call(gw.url, 'POST', '/v1/ingest', READER, ingestBody);
    await call(gw.url, 'POST', '/v1/query', undefined, { script: 'import px' });
    expect([await count('unauthorized'), await count('forbidden')]).toEqual([
      before[0]! + 2,
      before[1]! + 1,
    ]);
  });

  it('takes a rotated token file without a restart', async () => {
    const next = 'operator-admin-token-02';
    writeFileSync(join(dir, 'next'), next);
    renameSync(join(dir, 'next'), adminFile);
    await waitFor(
      async () => (await call(gw.url, 'GET', '/v1/exports', next)).status,
      (s) => s === 200,
      { what: 'the rotated admin token accepted', timeoutMs: 10000 },
    );
    expect((await call(gw.url, 'GET', '/v1/exports', ADMIN)).status).toBe(401);
  });

  it('serves the CLI client commands to a query token, and says why it refuses an agent token', async () => {
    const tables = JSON.parse(
      await cli(['tables', '--gateway', gw.url, '--token', READER, '--format', 'json']),
    );
    expect(tables.tables.map((t: { name: string }) => t.name)).toContain('http_events');
    const script = join(dir, 'count.pxl');
    writeFileSync(
      script,
      "import px\npx.display(px.DataFrame('http_events').head(1)[['req_path']], 'one')\n",
    );
    expect(
      await cli(['run', script, '--gateway', gw.url, '--token', READER, '--format', 'csv']),
    ).toMatch(/^req_path\n/);
    await expect(cli(['run', script, '--gateway', gw.url, '--token', AGENT])).rejects.toThrow(
      'gateway answered 403: this route needs a token with the "query" scope; this token has: ingest',
    );
  });

  it('refuses to start with a token file it cannot read, or an entry without scopes', async () => {
    const config = (auth: ConfigInput['auth']) =>
      Gateway.create(validateConfig({ listen: '127.0.0.1:0', auth }), silentLogger());
    await expect(
      config({ tokens: [{ tokenFile: join(dir, 'missing'), scopes: ['query'] }] }),
    ).rejects.toThrow(/^auth\.tokens\.0\.tokenFile: ENOENT/);
    expect(() => validateConfig({ auth: { tokens: [{ token: READER, scopes: [] }] } })).toThrow(
      /auth\.tokens\.0\.scopes: name at least one scope: ingest, query, admin/,
    );
    expect(() =>
      validateConfig({ auth: { tokens: [{ token: READER, tokenFile: 'f', scopes: ['query'] }] } }),
    ).toThrow(/auth\.tokens\.0: give either token or tokenFile/);
    expect(() =>
      validateConfig({ auth: { tokens: [{ token: READER, scopes: ['read'] }] } }),
    ).toThrow(/auth\.tokens\.0\.scopes\.0/);
  });
});

describe('listening beyond loopback', () => {
  it('listens on every spelling of loopback without a token', async () => {
    for (const host of ['127.1', 'localhost', '[::ffff:127.0.0.1]', '[::1]', '127.0.0.1']) {
      const gw = await startTestGateway({ listen: `${host}:0` });
      try {
        expect({ host, status: (await fetch(`${gw.url}/v1/tables`)).status }).toEqual({
          host,
          status: 200,
        });
      } finally {
        await gw.close();
      }
    }
  });

  it('refuses any other address without both TLS and a token, saying which is missing', async () => {
    const create = (config: ConfigInput) =>
      Gateway.create(validateConfig({ listen: '0.0.0.0:0', ...config }), silentLogger());
    await expect(create({ auth: { token: TOKEN } })).rejects.toThrow(
      /^refusing to listen on 0\.0\.0\.0:0 without TLS: set tls\.certFile and tls\.keyFile \(--tls-cert-file, --tls-key-file\); or listen on loopback/,
    );
    await expect(create({ listen: '[::]:0' })).rejects.toThrow(
      'refusing to listen on [::]:0 without TLS and without an auth token',
    );
  });

  it('listens anyway with insecureListen, warning what is missing', async () => {
    const { log, lines } = capturingLogger('warn');
    const gateway = await Gateway.create(
      validateConfig({
        listen: '0.0.0.0:0',
        insecureListen: true,
        auth: { token: TOKEN },
        metadata: { kubernetes: 'off' },
      }),
      log,
    );
    try {
      const { port } = await gateway.start();
      expect(
        (await fetch(`http://127.0.0.1:${port}/v1/tables`, { headers: bearer(TOKEN) })).status,
      ).toBe(200);
      expect(lines().map((l) => l.msg)).toContain(
        'listening on 0.0.0.0:0 without TLS, as insecureListen allows: tokens and every request body cross the network in clear',
      );
    } finally {
      await gateway.shutdown();
    }
  });
});
