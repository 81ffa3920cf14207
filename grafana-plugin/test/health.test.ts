/**
 * The health check end to end: the data source, Grafana's data source proxy (replayed) and a
 * real gateway on loopback. Each way of getting the setup wrong gets its own message.
 */
import http from 'http';
import { AddressInfo } from 'net';

import { startTestGateway, TestGateway } from '../../test/support/gateway';
import { makeDataSource } from './support/harness';

const TOKEN = 'a-token-of-at-least-16-chars';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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

  it('asks for a URL when none is set', async () => {
    const { ds } = makeDataSource();
    expect(await ds.testDatasource()).toEqual({
      status: 'error',
      message: 'Set the gateway URL (for example http://pxgate-gateway.pxgate.svc:8090).',
    });
  });

  it('says Grafana could not connect when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { ds } = makeDataSource({ gatewayUrl: url });
    expect(await ds.testDatasource()).toEqual({
      status: 'error',
      message:
        `Grafana could not connect to ${url} (502 from its data source proxy). Check the URL, ` +
        `and that Grafana's server (not only your browser) can reach the gateway.`,
    });
  });

  it('says the token was refused, with no token and with a wrong one', async () => {
    const message =
      `The gateway at ${locked.url} refused the token (401): set Token to the gateway's auth.token ` +
      `(and save, so that Grafana's server uses it).`;
    expect(await makeDataSource({ gatewayUrl: locked.url }).ds.testDatasource()).toEqual({
      status: 'error',
      message,
    });
    expect(
      await makeDataSource({
        gatewayUrl: locked.url,
        token: 'wrong-token-0123456789',
      }).ds.testDatasource(),
    ).toEqual({
      status: 'error',
      message,
    });
  });

  it('adds the token on the server side only: the browser request carries none', async () => {
    const { ds, proxy } = makeDataSource({ gatewayUrl: locked.url, token: TOKEN });
    const fetches: Array<{ headers?: Record<string, unknown> }> = [];
    const fetch = proxy.fetch.bind(proxy);
    proxy.fetch = (options) => {
      fetches.push(options);
      return fetch(options);
    };
    await ds.testDatasource();
    expect(fetches).toHaveLength(1);
    expect(JSON.stringify(fetches[0])).not.toContain(TOKEN);
    expect(proxy.forwarded.at(-1)!.headers.Authorization).toBe(`Bearer ${TOKEN}`);
    expect(proxy.forwarded.at(-1)!.url).toBe(`${locked.url}/v1/query`);
  });

  it("passes the gateway's own error through", async () => {
    const url = `${open.url}/not-the-api`;
    expect(await makeDataSource({ gatewayUrl: url }).ds.testDatasource()).toEqual({
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
      expect(await makeDataSource({ gatewayUrl: url }).ds.testDatasource()).toEqual({
        status: 'error',
        message: `${url} is not a pxgate gateway: unexpected answer from the gateway URL: HTTP 404 Not Found.`,
      });
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
