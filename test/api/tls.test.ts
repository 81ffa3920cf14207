import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayCredentials } from '../../agent/src/transport/gateway-credentials';
import { GatewaySender } from '../../agent/src/transport/gateway-sender';
import { SendQueue } from '../../agent/src/transport/send-queue';
import { TableBatcher } from '../../agent/src/transport/table-batcher';
import { silentLogger } from '../../shared/common/logger';
import { validateConfig } from '../../cli/config/load';
import { ConfigInput } from '../../cli/config/schema';
import { Gateway } from '../../gateway/src/gateway';
import { PROCESS_STATS } from '../../shared/contract/schemas';
import { PxgateProcess, runCli } from '../support/cli';
import { TestGateway, startTestGateway } from '../support/gateway';
import { capturingLogger } from '../support/logs';
import { describeIfAvailable } from '../support/system';
import { IssuedCertificate, TestPki, httpsRequest, opensslUnavailable } from '../support/tls';
import { waitFor } from '../support/wait';

const AGENT = 'agent-ingest-token-0001';
const READER = 'grafana-query-token-001';
const TOKENS = [
  { token: AGENT, scopes: ['ingest' as const] },
  { token: READER, scopes: ['query' as const] },
];
const fingerprint = (cert: IssuedCertificate) => new X509Certificate(cert.cert).fingerprint256;
const ingestBody = { table: 'http_events', rows: [{ req_path: '/over-tls', latency: 1 }] };
const script =
  "import px\npx.display(px.DataFrame('process_stats').agg(n=('rss_bytes', px.count)), 'n')";

describeIfAvailable('the gateway over TLS', opensslUnavailable(), () => {
  let pki: TestPki;
  let dir: string;
  beforeAll(() => {
    pki = new TestPki();
    dir = mkdtempSync(join(tmpdir(), 'pxgate-tls-'));
  });
  afterAll(() => {
    pki.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The server certificate copied where a test may replace it. */
  const certFiles = (name: string, cert = pki.server) => {
    const files = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
    copyFileSync(cert.certFile, files.certFile);
    copyFileSync(cert.keyFile, files.keyFile);
    return files;
  };
  const gateway = (tls: ConfigInput['tls'], more: ConfigInput = {}) =>
    startTestGateway({ tls, auth: { tokens: TOKENS }, ...more });

  describe('a listener with a certificate', () => {
    let gw: TestGateway;
    let files: { certFile: string; keyFile: string };
    beforeAll(async () => {
      files = certFiles('served');
      gw = await gateway(files);
    });
    afterAll(() => gw.close());

    it('serves HTTPS with the configured certificate, and nothing in clear', async () => {
      expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await httpsRequest(`${gw.url}/v1/tables`, { ca: pki.caCert, token: READER });
      expect(res.status).toBe(200);
      expect(res.fingerprint256).toBe(fingerprint(pki.server));
      await expect(httpsRequest(`${gw.url}/healthz`)).rejects.toThrow(
        /unable to verify|self.signed|issuer/i,
      );
      await expect(fetch(`${gw.url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
    });

    it('takes a renewed certificate without a restart, and keeps the old one while a renewal is half written', async () => {
      const renewed = pki.issue('server');
      // The certificate first, its key later: the pair does not match in between.
      writeFileSync(`${files.certFile}.new`, renewed.cert);
      renameSync(`${files.certFile}.new`, files.certFile);
      const served = async () =>
        (await httpsRequest(`${gw.url}/healthz`, { ca: pki.caCert })).fingerprint256;
      // Long enough for two polls of the files: the mismatched pair must not be taken.
      const deadline = Date.now() + 5000;
      await waitFor(served, (f) => f !== fingerprint(pki.server) || Date.now() > deadline, {
        timeoutMs: 10000,
      });
      expect(await served()).toBe(fingerprint(pki.server));
      writeFileSync(`${files.keyFile}.new`, renewed.key);
      renameSync(`${files.keyFile}.new`, files.keyFile);
      await waitFor(served, (f) => f === fingerprint(renewed), {
        what: 'the renewed certificate served',
        timeoutMs: 10000,
      });
      const res = await httpsRequest(`${gw.url}/v1/ingest`, {
        method: 'POST',
        ca: pki.caCert,
        token: AGENT,
        body: ingestBody,
      });
      expect(res.status).toBe(200);
    });
  });

  it('refuses to start with a key that does not match its certificate, naming the keys', async () => {
    const other = pki.issue('server');
    await expect(
      Gateway.create(
        validateConfig({
          listen: '127.0.0.1:0',
          tls: { certFile: pki.server.certFile, keyFile: other.keyFile },
        }),
        silentLogger(),
      ),
    ).rejects.toThrow(/^tls\.certFile, tls\.keyFile: .*key values mismatch/);
    expect(() => validateConfig({ tls: { certFile: pki.server.certFile } })).toThrow(
      /tls: certFile and keyFile go together/,
    );
  });

  it('listens beyond loopback with TLS and a token', async () => {
    const gw = await gateway(certFiles('wide'), { listen: '0.0.0.0:0' });
    try {
      const port = new URL(gw.url).port;
      const res = await httpsRequest(`https://127.0.0.1:${port}/v1/tables`, {
        ca: pki.caCert,
        token: READER,
      });
      expect(res.status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  describe('mutual TLS', () => {
    it('asks agents for a client certificate its CA signed, and nobody else by default', async () => {
      const gw = await gateway({ ...certFiles('mtls'), clientCaFile: pki.caFile });
      try {
        const ingest = (client?: IssuedCertificate) =>
          httpsRequest(`${gw.url}/v1/ingest`, {
            method: 'POST',
            ca: pki.caCert,
            token: AGENT,
            body: ingestBody,
            client,
          });
        const without = await ingest();
        expect(without.status).toBe(401);
        expect(JSON.parse(without.text).error.message).toMatch(
          /^this route needs a TLS client certificate signed by the gateway's tls\.clientCaFile/,
        );
        expect((await ingest(pki.client)).status).toBe(200);
        const stranger = new TestPki();
        try {
          expect((await ingest(stranger.client)).status).toBe(401);
        } finally {
          stranger.cleanup();
        }
        const query = await httpsRequest(`${gw.url}/v1/tables`, { ca: pki.caCert, token: READER });
        expect(query.status).toBe(200);
      } finally {
        await gw.close();
      }
    });

    it('asks every client but the health probes for one with clientCertRequiredFor: all', async () => {
      const gw = await gateway({
        ...certFiles('mtls-all'),
        clientCaFile: pki.caFile,
        clientCertRequiredFor: 'all',
      });
      try {
        const tables = (client?: IssuedCertificate) =>
          httpsRequest(`${gw.url}/v1/tables`, { ca: pki.caCert, token: READER, client });
        expect((await tables()).status).toBe(401);
        expect((await tables(pki.client)).status).toBe(200);
        expect((await httpsRequest(`${gw.url}/healthz`, { ca: pki.caCert })).status).toBe(200);
      } finally {
        await gw.close();
      }
    });
  });

  describe('agents and clients', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await gateway({ ...certFiles('clients'), clientCaFile: pki.caFile });
    });
    afterAll(() => gw.close());

    /** A sender to the gateway with these credentials, counting what happens to its batches. */
    const sending = (credentials: GatewayCredentials, log = silentLogger()) => {
      const seen = { sent: 0, rejected: 0, retried: 0 };
      const queue = new SendQueue(1 << 20, () => undefined);
      const sender = new GatewaySender(
        queue,
        {
          gatewayUrl: gw.url,
          credentials,
          requestTimeoutMs: 5000,
          retryInitialMs: 20,
          retryMaxMs: 100,
        },
        {
          sent: () => seen.sent++,
          rejected: () => seen.rejected++,
          retried: () => seen.retried++,
        },
        log,
      );
      sender.start();
      return { seen, queue, sender };
    };

    const storedRows = async () => {
      const conn = await gw.gateway.store.connect();
      try {
        const r = await conn.runAndReadAll('SELECT count(*)::INT AS n FROM process_stats');
        return (r.getRowObjects()[0] as { n: number }).n;
      } finally {
        conn.closeSync();
      }
    };

    it('an agent sends over TLS with its CA, client certificate and token file, retrying while its token is refused', async () => {
      const tokenFile = join(dir, 'agent-token');
      writeFileSync(tokenFile, 'not-the-agent-token-000\n');
      const credentials = new GatewayCredentials({
        tokenFile,
        caFile: pki.caFile,
        certFile: pki.client.certFile,
        keyFile: pki.client.keyFile,
      });
      credentials.start();
      const { seen, queue: q, sender } = sending(credentials);
      const before = await storedRows();
      try {
        const batcher = new TableBatcher(PROCESS_STATS, q, { maxRows: 2, maxDelayMs: 60000 });
        batcher.add({ time_: BigInt(Date.now()) * 1000000n, rss_bytes: 1 });
        batcher.add({ time_: BigInt(Date.now()) * 1000000n, rss_bytes: 2 });
        await waitFor(
          () => seen.retried,
          (n) => n >= 2,
          { what: 'retries of a refused token' },
        );
        expect(seen).toMatchObject({ sent: 0, rejected: 0 });
        expect(q.length()).toBe(1);
        writeFileSync(`${tokenFile}.new`, `${AGENT}\n`);
        renameSync(`${tokenFile}.new`, tokenFile);
        await waitFor(
          () => seen.sent,
          (n) => n === 1,
          { what: 'the batch sent with the new token', timeoutMs: 10000 },
        );
        expect(await storedRows()).toBe(before + 2);
      } finally {
        await sender.shutdown(1000);
        credentials.shutdown();
      }
    });

    it('an agent that does not trust the certificate keeps its batches and sends nothing', async () => {
      const { log, lines } = capturingLogger('warn');
      const { seen, queue: q, sender } = sending(new GatewayCredentials({ token: AGENT }), log);
      try {
        new TableBatcher(PROCESS_STATS, q, { maxRows: 1, maxDelayMs: 60000 }).add({ rss_bytes: 3 });
        await waitFor(
          () => seen.retried,
          (n) => n >= 2,
          { what: 'retries of an untrusted gateway' },
        );
        expect(seen.sent).toBe(0);
        expect(q.length()).toBe(1);
        expect(lines()[0]).toMatchObject({
          msg: "cannot trust the gateway's certificate",
          hint: "give the CA that signed the gateway's certificate with --ca-file (agent.tls.caFile)",
        });
      } finally {
        await sender.shutdown(200);
      }
    });

    it('pxgate tables takes --ca-file, and says to when the certificate is not trusted', async () => {
      const args = ['tables', '--gateway', gw.url, '--token', READER, '--format', 'json'];
      const out = JSON.parse(await runCli([...args, '--ca-file', pki.caFile]));
      expect(out.tables.map((t: { name: string }) => t.name)).toContain('process_stats');
      await expect(runCli(args)).rejects.toThrow(
        /^cannot reach the gateway at https:\/\/127\.0\.0\.1:\d+: .*\(give the CA that signed the gateway's certificate with --ca-file \(agent\.tls\.caFile\)\)$/,
      );
    });

    it('pxgate agent sends with --token-file, --ca-file, --cert-file and --key-file', async () => {
      const tokenFile = join(dir, 'cli-agent-token');
      writeFileSync(tokenFile, AGENT);
      const before = await storedRows();
      const config = join(dir, 'agent.yaml');
      writeFileSync(config, 'agent:\n  ebpf:\n    enabled: false\n  processInterval: 200ms\n');
      const agent = PxgateProcess.start([
        'agent',
        '--config',
        config,
        '--gateway',
        gw.url,
        '--metrics-listen',
        '127.0.0.1:0',
        '--token-file',
        tokenFile,
        '--ca-file',
        pki.caFile,
        '--cert-file',
        pki.client.certFile,
        '--key-file',
        pki.client.keyFile,
      ]);
      try {
        await agent.waitForLog((l) => l.msg === 'agent started', 'agent started');
        await waitFor(storedRows, (n) => n > before, {
          what: 'process_stats rows from pxgate agent',
        });
        expect(agent.logs.filter((l) => l.msg === 'the gateway refused our credentials')).toEqual(
          [],
        );
      } finally {
        expect(await agent.stop()).toBe(0);
      }
    });
  });

  it('pxgate start over TLS: its own agent needs no token or CA of its own', async () => {
    const files = certFiles('start');
    const config = join(dir, 'start.yaml');
    writeFileSync(
      config,
      [
        'auth:',
        '  tokens:',
        `    - { token: ${READER}, scopes: [query] }`,
        'agent:',
        '  ebpf: { enabled: false }',
        '  processInterval: 200ms',
        '  batch: { maxDelay: 100ms }',
        'metadata: { kubernetes: "off" }',
        '',
      ].join('\n'),
    );
    const px = PxgateProcess.start([
      'start',
      '--config',
      config,
      '--listen',
      '127.0.0.1:0',
      '--tls-cert-file',
      files.certFile,
      '--tls-key-file',
      files.keyFile,
    ]);
    try {
      const listening = await px.waitForLog((l) => l.msg === 'gateway listening', 'listening');
      expect(listening).toMatchObject({ auth: true, tls: true });
      const url = String(listening.url);
      const count = async () => {
        const res = await httpsRequest(`${url}/v1/query`, {
          method: 'POST',
          ca: pki.caCert,
          token: READER,
          body: { script },
        });
        return res.status === 200 ? Number(JSON.parse(res.text).tables[0].rows[0][0]) : -res.status;
      };
      await waitFor(count, (n) => n > 0, { what: 'process_stats from the local agent' });
      expect(px.logs.filter((l) => l.msg === 'the gateway refused our credentials')).toEqual([]);
    } finally {
      expect(await px.stop()).toBe(0);
    }
  });
});
