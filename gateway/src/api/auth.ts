import { RequestHandler } from 'express';
import { TLSSocket } from 'node:tls';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { Scope } from '../../../cli/config/auth-schema';
import { routeAccess } from './route-scopes';
import { TokenSet } from './token-set';

export interface AuthOptions {
  /** The accepted tokens; none configured means no token is asked for. */
  tokens: TokenSet;
  /** Which requests need a verified TLS client certificate: none, ingest, or all. */
  clientCerts: 'none' | 'ingest' | 'all';
  /** Told of each refused request to an ingest route (counted with rejected batches). */
  ingestRefused?(reason: 'unauthorized' | 'forbidden'): void;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Decides each request before its route: the health probes are open; every other route needs a
 * client certificate where configured, then a bearer token holding the route's scope. 401 for a
 * missing or unknown credential, 403 naming the scope for a known token without it.
 */
export function authenticate(opts: AuthOptions): RequestHandler {
  return (req, res, next) => {
    const access = routeAccess(req.method, req.path);
    if (access === 'open') return next();
    try {
      checkClientCertificate(req.socket, access, opts.clientCerts);
      if (opts.tokens.enabled) checkToken(req.headers.authorization, access, opts.tokens);
      next();
    } catch (err) {
      if (err instanceof UnauthorizedError) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="pxgate"');
      }
      if (access === 'ingest') {
        opts.ingestRefused?.(err instanceof ForbiddenError ? 'forbidden' : 'unauthorized');
      }
      next(err);
    }
  };
}

function checkClientCertificate(
  socket: unknown,
  access: Scope,
  required: AuthOptions['clientCerts'],
): void {
  if (required === 'none' || (required === 'ingest' && access !== 'ingest')) return;
  const tls = socket instanceof TLSSocket ? socket : undefined;
  if (tls?.authorized) return;
  const why = tls?.authorizationError ? ` (${String(tls.authorizationError)})` : '';
  throw new UnauthorizedError(
    `this route needs a TLS client certificate signed by the gateway's tls.clientCaFile${why}`,
  );
}

function checkToken(header: string | undefined, access: Scope, tokens: TokenSet): void {
  const match = header === undefined ? null : BEARER.exec(header);
  if (!match) {
    throw new UnauthorizedError('this gateway requires Authorization: Bearer <token>');
  }
  const scopes = tokens.scopesOf(match[1]!);
  if (!scopes) throw new UnauthorizedError('invalid bearer token');
  if (!scopes.has(access)) {
    const held = scopes.size > 0 ? [...scopes].join(', ') : 'none';
    throw new ForbiddenError(
      `this route needs a token with the "${access}" scope; this token has: ${held}`,
    );
  }
}
