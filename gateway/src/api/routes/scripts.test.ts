import express from 'express';
import { silentLogger } from '../../../../shared/common/logger';
import { getJsonAnswer, serveApp } from '../../../../test/support/http-app';
import { BundledScript, scriptInfo } from '../../pxl/bundled';
import { errorHandler, notFound } from '../errors';
import { scriptRoutes } from './scripts';

describe('GET /v1/scripts', () => {
  const source =
    "'''HTTP data\n\nRequests, newest first.'''\nimport px\npx.display(px.DataFrame('http_events'))\n";
  const scripts: BundledScript[] = [{ info: scriptInfo('px/http_data', source), source }];
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    const app = express();
    app.use(scriptRoutes(scripts));
    app.use(notFound);
    app.use(errorHandler(silentLogger()));
    server = await serveApp(app);
  });
  afterAll(() => server.close());

  const get = (path: string) => getJsonAnswer(`${server.url}${path}`);

  it('lists the scripts with what each says about itself, as JSON', async () => {
    expect(await get('/v1/scripts')).toEqual({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: {
        scripts: [
          {
            name: 'px/http_data',
            title: 'HTTP data',
            description: 'Requests, newest first.',
            params: [],
          },
        ],
      },
    });
  });

  it('gives one script with its source, by the name the list gives', async () => {
    const answer = await get('/v1/scripts/px/http_data');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'px/http_data', title: 'HTTP data', source });
  });

  it('answers a name not in the catalog with 404 naming the scripts, whatever the path holds', async () => {
    for (const path of ['/v1/scripts/px/nope', '/v1/scripts/..%2F..%2Fetc/passwd']) {
      const answer = await get(path);
      expect(answer.status).toBe(404);
      expect(answer.body.error.message).toMatch(/^no bundled script ".*"; scripts: px\/http_data$/);
    }
  });
});
