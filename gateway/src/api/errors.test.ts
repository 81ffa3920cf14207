import express from 'express';
import { capturingLogger } from '../../../test/support/logs';
import { getJsonAnswer, serveApp } from '../../../test/support/http-app';
import {
  ConflictError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  TooLargeError,
  UnauthorizedError,
  UserError,
} from '../common/errors';
import { bodyErrorReason, errorHandler, httpStatusOf, notFound } from './errors';

describe('the API error mapping', () => {
  const { log, lines } = capturingLogger();
  let server: { url: string; close(): Promise<void> };
  /** What each route throws. */
  const thrown: Record<string, () => Error> = {
    invalid: () => new UserError('bad argument', 'invalid', 3, 7),
    unauthorized: () => new UnauthorizedError('no token'),
    forbidden: () => new ForbiddenError('needs admin'),
    'not-found': () => new NotFoundError('no table "x"'),
    conflict: () => new ConflictError('table exists'),
    'too-large': () => new TooLargeError('batch too large'),
    'unsupported-media-type': () => new UserError('not Arrow', 'unsupported-media-type'),
    'limit-exceeded': () => new LimitExceededError('too many rows'),
    busy: () => new UserError('try later', 'busy'),
    ours: () => new Error('the store lost a segment at /var/lib/secret'),
  };

  beforeAll(async () => {
    const app = express();
    app.get('/throw/:name', (req) => {
      throw thrown[req.params.name]!();
    });
    app.post('/echo', express.json({ limit: 64 }), (req, res) => {
      res.json(req.body);
    });
    app.use(notFound);
    app.use(errorHandler(log));
    server = await serveApp(app);
  });
  afterAll(() => server.close());

  const get = (path: string) => getJsonAnswer(`${server.url}${path}`);

  it.each([
    ['invalid', 400],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['not-found', 404],
    ['conflict', 409],
    ['too-large', 413],
    ['unsupported-media-type', 415],
    ['limit-exceeded', 422],
    ['busy', 503],
  ])('answers a caller error of kind %s with %i and its message as JSON', async (kind, status) => {
    const answer = await get(`/throw/${kind}`);
    const error = thrown[kind]!();
    expect(answer).toEqual({
      status,
      type: 'application/json; charset=utf-8',
      body: {
        error: {
          message: error.message,
          ...(kind === 'invalid' ? { line: 3, column: 7 } : {}),
        },
      },
    });
    expect(httpStatusOf(error)).toBe(status);
  });

  it('answers its own fault with 500 and no detail, and logs the detail', async () => {
    expect(await get('/throw/ours')).toEqual({
      status: 500,
      type: 'application/json; charset=utf-8',
      body: { error: { message: 'internal error; see the gateway log' } },
    });
    expect(lines()).toContainEqual(
      expect.objectContaining({
        msg: 'request failed',
        url: '/throw/ours',
        err: expect.objectContaining({ message: 'the store lost a segment at /var/lib/secret' }),
      }),
    );
  });

  it("keeps the body reader's own 4xx: a body that is not JSON, and one past the limit", async () => {
    const post = async (body: string) => {
      const res = await fetch(`${server.url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const broken = await post('{"a":');
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/^body is not valid JSON: /);
    expect(await post(JSON.stringify({ a: 'x'.repeat(100) }))).toEqual({
      status: 413,
      body: {
        error: { message: 'request body is larger than the limit of 64 bytes (ingest.maxBodyMb)' },
      },
    });
    expect(await post('{"a":1}')).toEqual({ status: 200, body: { a: 1 } });
  });

  it('answers a route that does not exist with 404 naming it', async () => {
    expect(await get('/v1/nothing?x=1')).toEqual({
      status: 404,
      type: 'application/json; charset=utf-8',
      body: { error: { message: 'no route for GET /v1/nothing' } },
    });
  });

  it("counts a body the reader refused under a reason, and not the reader's own faults", () => {
    expect(
      [413, 415, 400, 403, 500, undefined].map((status) => bodyErrorReason({ status })),
    ).toEqual(['too_large', 'unsupported', 'malformed', 'invalid', undefined, undefined]);
    expect(bodyErrorReason(undefined)).toBeUndefined();
  });
});
