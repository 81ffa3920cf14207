import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';

/** A key and a self-signed certificate for 127.0.0.1, which clients trust as their CA. */
export interface TestCertificate {
  key: string;
  cert: string;
}

/** Why a certificate cannot be made here (no openssl), or undefined when it can. */
export function opensslUnavailable(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'openssl is not installed (apt-get install openssl)';
  }
}

/** Makes a fresh P-256 key and a one-day self-signed certificate for 127.0.0.1 with openssl. */
export function selfSignedCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'pxgate-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=fake-kube-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A certificate and its key, as files and as PEM text. */
export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * A throw-away PKI for one test file, made by openssl: a CA, a server certificate for
 * 127.0.0.1 and localhost, and a client certificate, all signed by the CA. `issue` makes more
 * (a renewed server certificate, a client certificate of another CA).
 */
export class TestPki {
  readonly caFile: string;
  readonly caCert: string;
  readonly server: IssuedCertificate;
  readonly client: IssuedCertificate;
  private count = 0;

  constructor(readonly dir = mkdtempSync(join(tmpdir(), 'pxgate-pki-'))) {
    this.caFile = join(dir, 'ca.crt');
    openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-days',
      '1',
      '-subj',
      `/CN=pxgate-test-ca-${process.pid}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      this.caFile,
    ]);
    this.caCert = readFileSync(this.caFile, 'utf8');
    this.server = this.issue('server');
    this.client = this.issue('client');
  }

  /**
   * Issues a new certificate signed by this CA: for a server (by default for 127.0.0.1 and
   * localhost; `names` as openssl's subjectAltName) or a client.
   */
  issue(kind: 'server' | 'client', names = 'IP:127.0.0.1,DNS:localhost'): IssuedCertificate {
    const base = join(this.dir, `${kind}-${++this.count}`);
    const ext = `${base}.ext`;
    writeFileSync(
      ext,
      kind === 'server'
        ? `subjectAltName=${names}\nextendedKeyUsage=serverAuth\n`
        : 'extendedKeyUsage=clientAuth\n',
    );
    openssl([
      'req',
      '-new',
      ...EC_KEY,
      '-subj',
      `/CN=pxgate-${kind}`,
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      this.caFile,
      '-CAkey',
      join(this.dir, 'ca.key'),
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      `${base}.crt`,
    ]);
    return {
      certFile: `${base}.crt`,
      keyFile: `${base}.key`,
      cert: readFileSync(`${base}.crt`, 'utf8'),
      key: readFileSync(`${base}.key`, 'utf8'),
    };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** What an HTTPS request saw: the answer, and the certificate the server presented. */
export interface HttpsAnswer {
  status: number;
  text: string;
  /** SHA-256 fingerprint of the server's certificate. */
  fingerprint256: string;
}

/**
 * One HTTPS request on a fresh connection (so a reloaded certificate is seen at once), trusting
 * `ca` and presenting `client` when given. fetch cannot take a CA or a client certificate.
 */
export function httpsRequest(
  url: string,
  opts: {
    method?: string;
    body?: unknown;
    token?: string | undefined;
    ca?: string | undefined;
    client?: IssuedCertificate | undefined;
  } = {},
): Promise<HttpsAnswer> {
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        agent: false,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.client ? { cert: opts.client.cert, key: opts.client.key } : {}),
      },
      (res) => {
        const fingerprint256 = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, fingerprint256 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
