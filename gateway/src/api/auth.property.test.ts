import fc from 'fast-check';
import { Request, Response } from 'express';
import { fuzzParams } from '../../../test/support/fuzz';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { silentLogger } from '../../../shared/common/logger';
import { Scope } from '../../../cli/config/auth-schema';
import { authenticate } from './auth';
import { routeAccess } from './route-scopes';
import { TokenSet } from './token-set';

// A Map, not an object: a token named "toString" or "__proto__" must be unknown to the oracle too.
const TOKENS = new Map<string, Scope[]>([
  ['agent-ingest-token-0001', ['ingest']],
  ['grafana-query-token-001', ['query']],
  ['operator-admin-token-01', ['admin', 'query']],
]);
const tokens = TokenSet.fromConfig(
  { tokens: [...TOKENS].map(([token, scopes]) => ({ token, scopes })) },
  silentLogger(),
);
const PATHS = [
  '/healthz',
  '/readyz',
  '/metrics',
  '/v1/ingest',
  '/v1/query',
  '/v1/tables',
  '/v1/scripts',
  '/v1/scripts/px/http_data',
  '/v1/metadata/processes',
  '/v1/metadata/status',
  '/v1/exports',
];

/** Paths as a client may spell them: known ones in any case, with a slash, or anything at all. */
const path = fc.oneof(
  fc
    .tuple(fc.constantFrom(...PATHS), fc.array(fc.boolean(), { maxLength: 30 }), fc.boolean())
    .map(
      ([p, upper, slash]) =>
        [...p].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + (slash ? '/' : ''),
    ),
  fc.string({ maxLength: 40 }).map((s) => `/${s}`),
);
const method = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS');
/** Authorization headers: absent, a known token in several spellings, or noise. */
const header = fc.oneof(
  fc.constant(undefined),
  fc
    .tuple(
      fc.constantFrom('Bearer ', 'bearer  ', 'BEARER\t', 'Basic ', ''),
      fc.constantFrom(...TOKENS.keys()),
    )
    .map(([scheme, token]) => `${scheme}${token}`),
  fc.string({ maxLength: 60 }),
  fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`),
);

describe('authenticate', () => {
  it('lets a request through only with a known token that holds its route scope, and refuses the rest with 401 or 403', () => {
    const check = authenticate({ tokens, clientCerts: 'none' });
    fc.assert(
      fc.property(method, path, header, (m, p, authorization) => {
        let calls = 0;
        let passed: unknown = 'not called';
        const req = {
          method: m,
          path: p,
          headers: { authorization },
          socket: {},
        } as unknown as Request;
        const res = { setHeader: () => res } as unknown as Response;
        check(req, res, (err?: unknown) => {
          calls++;
          passed = err;
        });
        expect(calls).toBe(1);
        const access = routeAccess(m, p);
        const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
        const held = given === undefined ? undefined : TOKENS.get(given);
        if (access === 'open' || (held && held.includes(access))) {
          expect(passed).toBeUndefined();
        } else if (held) {
          expect(passed).toBeInstanceOf(ForbiddenError);
          expect((passed as Error).message).toContain(`"${access}" scope`);
        } else {
          expect(passed).toBeInstanceOf(UnauthorizedError);
        }
      }),
      fuzzParams<[string, string, string | undefined]>(500, {
        seed: 11,
        examples: [
          ['GET', '/', 'Bearer toString'],
          ['POST', '/v1/query', 'Bearer __proto__'],
        ],
      }),
    );
  });

  it('gives every spelling of a path (case, a final slash) the access of the path itself', () => {
    fc.assert(
      fc.property(
        method,
        fc.constantFrom(...PATHS),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (m, p, upper) => {
          const spelled = [...p].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
          expect(routeAccess(m, spelled)).toBe(routeAccess(m, p));
          expect(routeAccess(m, `${spelled}/`)).toBe(routeAccess(m, p));
        },
      ),
      fuzzParams(500, { seed: 12 }),
    );
  });
});
