/**
 * _Save & test_ end to end: the data source in the browser, Grafana's health API (replayed), the
 * plugin's backend and a real gateway on loopback. Each way of getting the setup wrong gets its
 * own message.
 */
import http from 'http';
import { AddressInfo } from 'net';

import { PXGATE_VERSION } from '../../gateway/src/common/package-info';
import { startTestGateway, TestGateway } from '../../test/support/gateway';
import { makeDataSource } from './support/harness';
import { closedPort } from './support/ports';

const TOKEN = 'a-token-of-at-least-16-chars';

/** What the settings page shows: testDatasource resolves on success and rejects on failure. */
async function test(options: Parameters<typeof makeDataSource>[0]) {
  const { ds } = makeDataSource(options);
  try {
    return await ds.testDatasource();
  } catch (failure) {
    const { status, message } = failure as { status: string; message: string };
    return { status, message };
  }
}

describe('testDatasource', () => {
  let open: TestGateway;
  let locked: TestGateway;

  beforeAll(async () => {
    open = await startTestGateway();
    locked = await startTestGateway({ auth: { token: TOKEN } });
  });
  afterAll(async () => {
    await open?.close();
    await locked?.close();
  });

  it('passes when the backend reaches the gateway, naming both versions and that no token is asked for', async () => {
    expect(await test({ gatewayUrl: open.url })).toEqual({
      status: 'success',
      message: `Connected to pxgate ${PXGATE_VERSION} at ${open.url}, which asks for no token (plugin 0.1.0).`,
    });
  });

  it('says the token was accepted when one is set', async () => {
    expect(await test({ gatewayUrl: locked.url, token: TOKEN })).toEqual({
      status: 'success',
      message:
        `Connected to pxgate ${PXGATE_VERSION} at ${locked.url}, which accepted the token for ` +
        `queries (plugin 0.1.0).`,
    });
  });

  it('still passes against a gateway too old to say its version, and says so', async () => {
    const old = http.createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"tables":[]}'),
      );
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
    try {
      expect(await test({ gatewayUrl: url })).toEqual({
        status: 'success',
        message: `Connected to a pxgate gateway (too old to say its version) at ${url}, which asks for no token (plugin 0.1.0).`,
      });
    } finally {
      old.closeAllConnections();
      await new Promise<void>((resolve) => old.close(() => resolve()));
    }
  });

  it('asks for a URL when none is set', async () => {
    expect(await test({})).toEqual({
      status: 'error',
      message: 'Set the gateway URL (for example http://pxgate-gateway.pxgate.svc:8090).',
    });
  });

  it("says Grafana's server could not connect when nothing listens at the URL", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    expect(await test({ gatewayUrl: url })).toEqual({
      status: 'error',
      message:
        `Could not connect to the gateway at ${url} (ECONNREFUSED). Check the URL, and that ` +
        `Grafana's server (not only your browser) can reach the gateway.`,
    });
  });

  it('says the token was refused, with no token and with a wrong one', async () => {
    const message =
      `The gateway at ${locked.url} refused the token (401): set Token to the gateway's auth.token ` +
      `(and save, so that Grafana's server uses it).`;
    expect(await test({ gatewayUrl: locked.url })).toEqual({ status: 'error', message });
    expect(await test({ gatewayUrl: locked.url, token: 'wrong-token-0123456789' })).toEqual({
      status: 'error',
      message,
    });
  });

  it('adds the token on the server side only: no browser request carries it', async () => {
    const { ds, api } = makeDataSource({ gatewayUrl: locked.url, token: TOKEN });
    expect(await ds.testDatasource()).toMatchObject({ status: 'success' });
    expect(api.requests).toHaveLength(1);
    expect(JSON.stringify(api.requests[0])).not.toContain(TOKEN);
    expect(api.outbound.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(api.outbound.at(-1)!.url).toBe(`${locked.url}/v1/query`);
  });

  it("passes the gateway's own error through", async () => {
    const url = `${open.url}/not-the-api`;
    expect(await test({ gatewayUrl: url })).toEqual({
      status: 'error',
      message: `The gateway at ${url} failed the test query: no route for POST /not-the-api/v1/query`,
    });
  });

  it('recognises a server that is not a pxgate gateway', async () => {
    const other = http.createServer((_req, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nginx</h1>'),
    );
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      expect(await test({ gatewayUrl: url })).toEqual({
        status: 'error',
        message: `${url} is not a pxgate gateway: unexpected answer from the gateway URL: HTTP 404 Not Found.`,
      });
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('says the gateway did not answer in time, when it swallows the request', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      expect(await test({ gatewayUrl: url, gatewayTimeoutMs: 300 })).toEqual({
        status: 'error',
        message:
          `The gateway at ${url} did not answer within 0.3 s: a firewall may swallow the ` +
          `connection, or the gateway is stuck.`,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
