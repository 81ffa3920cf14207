import { PeerCertificate } from 'node:tls';
import { Logger } from '../../../shared/common/logger';
import { readSmallFile, readTokenFile } from '../../../shared/common/read-small-file';
import { watchFiles } from '../../../shared/common/watch-files';
import type { ServedCertificate } from '../../../shared/contract/served-certificate';
import { Config } from '../../../cli/config/schema';

/** TLS options of a connection to the gateway (passed to `https.request`). */
export interface ClientTlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
  allowPartialTrustChain?: boolean;
}

/** Where a client's token and certificates come from. */
export interface CredentialSources {
  /** A fixed bearer token. */
  readonly token?: string | undefined;
  /** A file holding the token; wins over `token`. */
  readonly tokenFile?: string | undefined;
  /** CA(s) to trust for the gateway's certificate, instead of the system's. */
  readonly caFile?: string | undefined;
  /** The client's own certificate and key, for a gateway that asks for one. */
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /**
   * Trust exactly the certificate this returns (the embedded agent of `pxgate start`, which
   * knows what its own gateway serves), whatever name it was issued for.
   */
  readonly pin?: (() => ServedCertificate) | undefined;
}

/** Config keys of the sources, for messages. */
const KEYS = {
  tokenFile: 'agent.tokenFile',
  caFile: 'agent.tls.caFile',
  certFile: 'agent.tls.certFile',
  keyFile: 'agent.tls.keyFile',
} as const;

type FileKey = keyof typeof KEYS;
const MAX_PEM_BYTES = 1024 * 1024;

/**
 * What a client of the gateway sends and trusts: its bearer token and TLS options. Files are
 * read at creation (an unreadable one is an error naming its key) and, once started, again when
 * they change, so a rotated Secret or renewed certificate is used without a restart; a file that
 * turns unreadable keeps its last good content and is logged.
 */
export class GatewayCredentials {
  private readonly content = new Map<FileKey, Buffer>();
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly sources: CredentialSources,
    private readonly log?: Logger,
  ) {
    for (const key of this.fileKeys()) this.content.set(key, this.read(key));
  }

  /** Follows the files' changes. */
  start(): void {
    const paths = this.fileKeys().map((k) => this.sources[k]!);
    if (paths.length > 0) this.stopWatching ??= watchFiles(paths, () => this.reload());
  }

  shutdown(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** The bearer token to send now, if any. */
  token(): string | undefined {
    return this.content.get('tokenFile')?.toString('utf8') ?? this.sources.token;
  }

  /** TLS options for a connection opened now. */
  tls(): ClientTlsOptions {
    const pin = this.sources.pin?.();
    const ca = [pin?.certPem, this.content.get('caFile')].filter((b): b is Buffer => !!b);
    const cert = this.content.get('certFile');
    const key = this.content.get('keyFile');
    return {
      ...(ca.length > 0 ? { ca: Buffer.concat(ca) } : {}),
      ...(cert && key ? { cert, key } : {}),
      // A pinned certificate is its own trust anchor (also when a CA, not configured here, issued
      // it), and only that exact certificate is accepted, whatever name it was issued for.
      ...(pin
        ? {
            allowPartialTrustChain: true,
            checkServerIdentity: (_host, peer) => pinCheck(peer, pin.fingerprint256),
          }
        : {}),
    };
  }

  private fileKeys(): FileKey[] {
    return (Object.keys(KEYS) as FileKey[]).filter((k) => this.sources[k] !== undefined);
  }

  private read(key: FileKey): Buffer {
    const path = this.sources[key]!;
    try {
      return key === 'tokenFile'
        ? Buffer.from(readTokenFile(path))
        : readSmallFile(path, MAX_PEM_BYTES);
    } catch (err) {
      throw new Error(`${KEYS[key]}: ${(err as Error).message}`);
    }
  }

  private reload(): void {
    for (const key of this.fileKeys()) {
      try {
        this.content.set(key, this.read(key));
      } catch (err) {
        this.log?.error({ err: (err as Error).message }, 'keeping the last good content');
      }
    }
  }
}

/**
 * The sources a configuration names for a client of `agent.gateway`: `agent.tokenFile`, else
 * `agent.token`, else `auth.token`; `agent.tls`'s files. Flags given as `overrides` win.
 */
export function configuredSources(
  config: Config,
  overrides: Partial<Omit<CredentialSources, 'pin'>> = {},
): CredentialSources {
  const tokenGiven = overrides.token !== undefined || overrides.tokenFile !== undefined;
  const pick = <K extends keyof CredentialSources>(key: K, value: CredentialSources[K]) =>
    value !== undefined ? { [key]: value } : {};
  const sources: CredentialSources = {
    ...(tokenGiven
      ? { ...pick('token', overrides.token), ...pick('tokenFile', overrides.tokenFile) }
      : {
          ...pick('token', config.agent.token ?? config.auth.token),
          ...pick('tokenFile', config.agent.tokenFile),
        }),
    ...pick('caFile', overrides.caFile ?? config.agent.tls.caFile),
    ...pick('certFile', overrides.certFile ?? config.agent.tls.certFile),
    ...pick('keyFile', overrides.keyFile ?? config.agent.tls.keyFile),
  };
  if (Boolean(sources.certFile) !== Boolean(sources.keyFile)) {
    throw new Error('a client certificate needs its key: give both --cert-file and --key-file');
  }
  return sources;
}

/** Verification failures that a (right) CA file fixes. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
]);

/**
 * What to tell the operator when a connection failed on the gateway's certificate, or
 * undefined for any other error (the agent logs these as warnings, the CLI adds them to its
 * message).
 */
export function certificateHint(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED.has(code)) {
    return "give the CA that signed the gateway's certificate with --ca-file (agent.tls.caFile)";
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return "the gateway's certificate is not issued for the host of the gateway URL";
  }
  if (code.startsWith('CERT_')) return `the gateway's certificate is not valid (${code})`;
  return undefined;
}

function pinCheck(peer: PeerCertificate, fingerprint256: string): Error | undefined {
  if (peer.fingerprint256 === fingerprint256) return undefined;
  return new Error(
    `the gateway presented certificate ${peer.fingerprint256}, not the one it serves (${fingerprint256})`,
  );
}
