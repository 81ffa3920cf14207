import { timingSafeEqual } from 'node:crypto';
import { RequestHandler } from 'express';
import { ErrorBody } from './errors';

const OPEN_PATHS = new Set(['/healthz', '/readyz']);

/** Requires `Authorization: Bearer TOKEN` on every route but the health probes, when a token is set. */
export function bearerAuth(token: string | undefined): RequestHandler {
  if (!token) return (_req, _res, next) => next();
  const expected = Buffer.from(token);
  return (req, res, next) => {
    if (OPEN_PATHS.has(req.path)) return next();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = match ? Buffer.from(match[1]!.trim()) : Buffer.alloc(0);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="pxgate"');
    const message = match
      ? 'invalid bearer token'
      : 'this gateway requires Authorization: Bearer <token>';
    res.status(401).json({ error: { message } } satisfies ErrorBody);
  };
}

/** True when a listen host is a loopback address, where the gateway may run without a token. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
