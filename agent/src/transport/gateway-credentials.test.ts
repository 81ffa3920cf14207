import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../../cli/config/load';
import { describeIfAvailable } from '../../../test/support/system';
import { IssuedCertificate, TestPki, opensslUnavailable } from '../../../test/support/tls';
import { GatewayCredentials, configuredSources } from './gateway-credentials';
import { HttpPoster } from './http-post';

describe('configuredSources', () => {
  const auth = { token: 'gateway-token-00000000' };
  const config = validateConfig({ auth, agent: { tls: { caFile: '/ca.pem' } } });

  it('takes flags, then agent.tokenFile or agent.token, then auth.token', () => {
    expect(configuredSources(config)).toEqual({
      token: 'gateway-token-00000000',
      caFile: '/ca.pem',
    });
    const withFile = validateConfig({ auth, agent: { tokenFile: '/t' } });
    expect(configuredSources(withFile)).toEqual({
      token: 'gateway-token-00000000',
      tokenFile: '/t',
    });
    expect(
      configuredSources(withFile, { token: 'from-a-flag-0000000', caFile: '/other.pem' }),
    ).toEqual({
      token: 'from-a-flag-0000000',
      caFile: '/other.pem',
    });
  });

  it('wants a client certificate and its key together', () => {
    expect(() => configuredSources(config, { certFile: '/c.pem' })).toThrow(
      'a client certificate needs its key: give both --cert-file and --key-file',
    );
  });
});

describeIfAvailable('GatewayCredentials', opensslUnavailable(), () => {
  let pki: TestPki;
  let dir: string;
  beforeAll(() => {
    pki = new TestPki();
    dir = mkdtempSync(join(tmpdir(), 'pxgate-credentials-'));
  });
  afterAll(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An HTTPS server presenting `cert`; resolves with its URL and a stop function. */
  async function serve(cert: IssuedCertificate) {
    const server = createServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, stop: () => server.close() };
  }

  const get = async (url: string, credentials: GatewayCredentials) => {
    const http = new HttpPoster(new URL(url), { tls: () => credentials.tls() });
    try {
      const res = await http.send({ method: 'GET', path: '/', headers: {}, timeoutMs: 5000 });
      return res.status;
    } finally {
      http.close();
    }
  };

  const pinTo = (cert: IssuedCertificate) => () => ({
    certPem: Buffer.from(cert.cert),
    fingerprint256: new X509Certificate(cert.cert).fingerprint256,
  });

  it('with a pin, trusts exactly that certificate, whoever issued it and for whatever name', async () => {
    const elsewhere = pki.issue('server', 'DNS:gateway.example.com');
    const server = await serve(elsewhere);
    try {
      expect(await get(server.url, new GatewayCredentials({ pin: pinTo(elsewhere) }))).toBe(200);
      // Another certificate of the same CA: the chain verifies, the pin does not.
      const other = pki.issue('server', 'DNS:gateway.example.com');
      const pinnedToOther = new GatewayCredentials({ pin: pinTo(other), caFile: pki.caFile });
      await expect(get(server.url, pinnedToOther)).rejects.toThrow(
        /^the gateway presented certificate [0-9A-F:]{95}, not the one it serves/,
      );
      await expect(get(server.url, new GatewayCredentials({ pin: pinTo(other) }))).rejects.toThrow(
        'unable to get local issuer certificate',
      );
      await expect(get(server.url, new GatewayCredentials({ caFile: pki.caFile }))).rejects.toThrow(
        /altnames|Hostname\/IP does not match/,
      );
    } finally {
      server.stop();
    }
  });

  it('reads its files at creation, naming the key of one it cannot read', () => {
    const bad = join(dir, 'empty-token');
    writeFileSync(bad, '\n');
    expect(() => new GatewayCredentials({ tokenFile: bad })).toThrow(
      `agent.tokenFile: ${bad}: the token must be at least 16 characters`,
    );
    expect(() => new GatewayCredentials({ caFile: join(dir, 'none.pem') })).toThrow(
      /^agent\.tls\.caFile: ENOENT/,
    );
    const ok = new GatewayCredentials({
      tokenFile: (writeFileSync(join(dir, 't'), 'a-token-in-a-file-0000\n'), join(dir, 't')),
      token: 'ignored-when-a-file-is-given',
      certFile: pki.client.certFile,
      keyFile: pki.client.keyFile,
    });
    expect(ok.token()).toBe('a-token-in-a-file-0000');
    expect(ok.tls().cert?.toString()).toBe(pki.client.cert);
  });
});
