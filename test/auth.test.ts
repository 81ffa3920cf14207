import { silentLogger } from '../gateway/src/common/logger';
import { validateConfig } from '../gateway/src/config/load';
import { Gateway } from '../gateway/src/gateway';
import { TestGateway, startTestGateway } from './support/gateway';

const TOKEN = 'a-long-enough-test-token';

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

  it('refuses to listen beyond loopback without a token', async () => {
    await expect(
      Gateway.create(validateConfig({ listen: '0.0.0.0:0' }), silentLogger()),
    ).rejects.toThrow('refusing to listen on 0.0.0.0:0 without an auth token');
  });
});
