import { z } from 'zod';

/** What a token may do: send telemetry, read it, or operate the gateway (docs/security.md). */
export const SCOPES = ['ingest', 'query', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const token = z.string().min(16, 'must be at least 16 characters');
const file = z.string().min(1);

const tokenEntry = z
  .strictObject({
    /** The token itself. */
    token: token.optional(),
    /** A file holding the token (a mounted Secret), read again whenever it changes. */
    tokenFile: file.optional(),
    scopes: z.array(z.enum(SCOPES)).min(1, 'name at least one scope: ingest, query, admin'),
  })
  .refine((e) => (e.token === undefined) !== (e.tokenFile === undefined), {
    message: 'give either token or tokenFile',
  });

/** The tokens the gateway accepts. */
export const authConfig = z.strictObject({
  /** One token with every scope (also PXGATE_AUTH_TOKEN). */
  token: token.optional(),
  /** Tokens with their scopes. */
  tokens: z.array(tokenEntry).default([]),
});

/** The gateway's listener certificate, and the CA of the client certificates it accepts. */
export const tlsConfig = z
  .strictObject({
    /** PEM certificate (chain) and key: the listener speaks HTTPS. Read again when they change. */
    certFile: file.optional(),
    keyFile: file.optional(),
    /** PEM CA(s) of client certificates (mutual TLS); clients are asked for a certificate. */
    clientCaFile: file.optional(),
    /** With clientCaFile: which requests need a client certificate it signed. */
    clientCertRequiredFor: z.enum(['ingest', 'all']).default('ingest'),
  })
  .refine((t) => Boolean(t.certFile) === Boolean(t.keyFile), {
    message: 'certFile and keyFile go together',
  })
  .refine((t) => !t.clientCaFile || Boolean(t.certFile), {
    message: 'clientCaFile needs certFile and keyFile (client certificates need TLS)',
  });

/** How a client (the agent, `pxgate tables`, `pxgate run`) verifies and proves itself. */
export const clientTlsConfig = z
  .strictObject({
    /** PEM CA(s) to trust for the gateway's certificate instead of the system's. */
    caFile: file.optional(),
    /** Client certificate and key (PEM), for a gateway that asks for one. */
    certFile: file.optional(),
    keyFile: file.optional(),
  })
  .refine((t) => Boolean(t.certFile) === Boolean(t.keyFile), {
    message: 'certFile and keyFile go together',
  });

/** The bearer token a client sends: given, or read from a file (and again when it changes). */
export const clientTokenFields = {
  token: token.optional(),
  tokenFile: file.optional(),
};

/** The header names an HTTP header list may hold (RFC 9110 tokens). */
export const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name');
