import { X509Certificate } from 'node:crypto';
import { Server as HttpsServer } from 'node:https';
import { SecureContextOptions, createSecureContext } from 'node:tls';
import { Logger } from '../../../shared/common/logger';
import { ServedCertificate } from '../../../shared/contract/served-certificate';
import { readSmallFile } from '../../../shared/common/read-small-file';
import { watchFiles } from '../../../shared/common/watch-files';
import { Config } from '../../../cli/config/schema';

const MAX_PEM_BYTES = 1024 * 1024;

interface Loaded {
  readonly context: SecureContextOptions;
  /** SHA-256 fingerprint of the leaf certificate, as TLS peers report it. */
  readonly fingerprint256: string;
}

/**
 * The listener's certificate, key and client CA, read from their files at start (a bad file or
 * a key that does not match stops the gateway, naming the key) and again whenever one changes:
 * new connections then get the new certificate without a restart. A bad edit is logged and the
 * last good certificate stays.
 */
export class ServerTls {
  private stopWatching: (() => void) | undefined;

  private constructor(
    private readonly files: { cert: string; key: string; clientCa?: string | undefined },
    private loaded: Loaded,
  ) {}

  /** The TLS of a configuration, or undefined when the listener speaks plain HTTP. */
  static fromConfig(tls: Config['tls']): ServerTls | undefined {
    if (!tls.certFile || !tls.keyFile) return undefined;
    const files = { cert: tls.certFile, key: tls.keyFile, clientCa: tls.clientCaFile };
    return new ServerTls(files, load(files));
  }

  /** True when clients are asked for certificates (mutual TLS). */
  get asksClientCertificates(): boolean {
    return this.files.clientCa !== undefined;
  }

  /** Options for `https.createServer`. */
  serverOptions(): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
    // Client certificates are checked per route (auth.ts), not in the handshake: the kubelet's
    // health probes and the query clients may come without one.
    return {
      ...this.loaded.context,
      requestCert: this.asksClientCertificates,
      rejectUnauthorized: false,
    };
  }

  /** The certificate chain served now and its leaf's fingerprint (the local agent pins it). */
  served(): ServedCertificate {
    return {
      certPem: this.loaded.context.cert as Buffer,
      fingerprint256: this.loaded.fingerprint256,
    };
  }

  /** Follows the files' changes, giving the server each good new certificate; returns it. */
  watch(server: HttpsServer, log: Logger): HttpsServer {
    const paths = [
      this.files.cert,
      this.files.key,
      ...(this.files.clientCa ? [this.files.clientCa] : []),
    ];
    this.stopWatching ??= watchFiles(paths, () => {
      try {
        const next = load(this.files);
        if (next.fingerprint256 === this.loaded.fingerprint256 && sameCa(next, this.loaded)) return;
        server.setSecureContext(next.context);
        this.loaded = next;
        log.info({ fingerprint256: next.fingerprint256 }, 'TLS certificate read again');
      } catch (err) {
        log.error(
          { err: (err as Error).message },
          'TLS files not taken (a half-written rotation is retried when they change again); serving the last good certificate',
        );
      }
    });
    return server;
  }

  shutdown(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }
}

function sameCa(a: Loaded, b: Loaded): boolean {
  const ca = (l: Loaded) => (l.context.ca as Buffer | undefined) ?? Buffer.alloc(0);
  return ca(a).equals(ca(b));
}

function load(files: { cert: string; key: string; clientCa?: string | undefined }): Loaded {
  const read = (key: string, path: string) => {
    try {
      return readSmallFile(path, MAX_PEM_BYTES);
    } catch (err) {
      throw new Error(`${key}: ${(err as Error).message}`);
    }
  };
  const cert = read('tls.certFile', files.cert);
  const key = read('tls.keyFile', files.key);
  const ca = files.clientCa ? read('tls.clientCaFile', files.clientCa) : undefined;
  let fingerprint256: string;
  try {
    fingerprint256 = new X509Certificate(cert).fingerprint256;
  } catch (err) {
    throw new Error(
      `tls.certFile: ${files.cert} is not a PEM certificate: ${(err as Error).message}`,
    );
  }
  const context: SecureContextOptions = { cert, key, ...(ca ? { ca } : {}) };
  try {
    createSecureContext(context);
  } catch (err) {
    throw new Error(
      `tls.certFile, tls.keyFile${ca ? ', tls.clientCaFile' : ''}: ${(err as Error).message}`,
    );
  }
  return { context, fingerprint256 };
}
