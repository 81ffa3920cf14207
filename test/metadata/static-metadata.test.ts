import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../shared/common/logger';
import { validateConfig } from '../../cli/config/load';
import { Gateway } from '../../gateway/src/gateway';
import { getJson, ingest, startTestGateway } from '../support/gateway';
import { PodProcess, httpRequest, query, reportProcesses } from '../support/kube/cluster-telemetry';
import { selectRows } from '../support/metadata';
import { eventually } from '../support/wait';

const EXAMPLE = join(__dirname, '../../docs/examples/static-metadata.yaml');

function copyOfExample(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pxgate-static-')), 'metadata.yaml');
  copyFileSync(EXAMPLE, path);
  return path;
}

describe('a gateway with a static metadata file', () => {
  it('fills the metadata tables at start and follows edits, keeping the last good content', async () => {
    const path = copyOfExample();
    const gw = await startTestGateway({ metadata: { staticFile: path } });
    try {
      const pods = () =>
        selectRows(gw.gateway.store, 'SELECT name, ip, stop_ns FROM _md_pods ORDER BY name');
      expect((await pods()).map((p) => p.name)).toEqual([
        'shop/cart-1',
        'shop/catalog-1',
        'shop/frontend-1',
      ]);
      const { body } = await getJson(`${gw.url}/v1/metadata/status`);
      expect(body).toMatchObject({
        kubernetes: null,
        staticFile: { path, objects: 15, error: null },
        rows: { pods: { rows: 3 } },
      });

      // Remove catalog-1: it stops (and stays resolvable for older rows) once the edit is read.
      const text = readFileSync(path, 'utf8');
      writeFileSync(
        path,
        text.replace(/ {2}- name: shop\/catalog-1[\s\S]*?startTime: \S+.*\n/, ''),
      );
      await eventually(
        'the edit to be read',
        async () => (await pods()).find((p) => p.name === 'shop/catalog-1')?.stop_ns !== null,
        10_000,
      );

      // A bad edit is reported and changes nothing; the next good one is read as usual.
      const before = await pods();
      writeFileSync(path, 'pods: [{ name: BAD }]\n');
      const error = await eventually(
        'the bad edit to be reported',
        async () =>
          (await getJson(`${gw.url}/v1/metadata/status`)).body.staticFile.error ?? undefined,
        10_000,
      );
      expect(error).toMatch(/pods\.0\.name: expected NAME or NAMESPACE\/NAME/);
      expect(await pods()).toEqual(before);
      writeFileSync(path, text.replace('10.0.0.12', '10.0.0.42'));
      await eventually(
        'the good edit after a bad one',
        async () => (await pods()).find((p) => p.name === 'shop/cart-1')?.ip === '10.0.0.42',
        10_000,
      );
    } finally {
      await gw.close();
    }
  });

  it('refuses to start on a bad file, naming the file and the key', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pxgate-static-')), 'bad.yaml');
    writeFileSync(path, 'pods:\n  - name: web\n    ip: not-an-ip\n');
    const gateway = await Gateway.create(
      validateConfig({
        listen: '127.0.0.1:0',
        metadata: { kubernetes: 'off', staticFile: path },
      }),
      silentLogger(),
    );
    await expect(gateway.start()).rejects.toThrow(
      `invalid static metadata file ${path}:\n  pods.0.ip: expected an IPv4 or IPv6 address`,
    );
    await gateway.shutdown();
  });
});

describe('PxL metadata without Kubernetes', () => {
  const process = (podUid: string, containerId: string): PodProcess => ({
    upid: '3:2500:250000',
    pod: '',
    podUid,
    ip: '10.0.0.11',
    containerId,
    container: '',
    cmdline: '/usr/bin/web --port 8080',
    hostname: 'laptop',
  });
  const CTX = `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df.pod = df.ctx['pod']
df.service = df.ctx['service']
df.container = df.ctx['container']
df.cmdline = df.ctx['cmdline']
df.pid = df.ctx['pid']
df.hostname = df.ctx['hostname']
df.peer = px.pod_id_to_pod_name(px.ip_to_pod_id(df.remote_addr))
px.display(df[['pod', 'service', 'container', 'cmdline', 'pid', 'hostname', 'peer']], 'out')`;

  it('leaves the Kubernetes keys empty, while cmdline, pid and hostname still resolve', async () => {
    const gw = await startTestGateway();
    try {
      await reportProcesses(gw.gateway.store, [process('', '')]);
      await ingest(gw.url, 'http_events', [
        httpRequest(process('', ''), '10.0.0.12', BigInt(Date.now()) * 1_000_000n),
      ]);
      const { out } = await query(gw.url, CTX);
      expect(out).toEqual([
        {
          pod: '',
          service: '',
          container: '',
          cmdline: '/usr/bin/web --port 8080',
          pid: 2500,
          hostname: 'laptop',
          peer: '',
        },
      ]);
    } finally {
      await gw.close();
    }
  });

  it('resolves pods, services and containers from the static file', async () => {
    const gw = await startTestGateway({ metadata: { staticFile: copyOfExample() } });
    try {
      const [frontend] = await selectRows(
        gw.gateway.store,
        `SELECT uid FROM _md_pods WHERE name = 'shop/frontend-1'`,
      );
      const uid = frontend!.uid as string;
      const web = process(uid, '3f2a9c1e7b6d4a5f8e9c0b1a2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e');
      await reportProcesses(gw.gateway.store, [web]);
      await ingest(gw.url, 'http_events', [
        httpRequest(web, '10.0.0.12', BigInt(Date.now()) * 1_000_000n),
      ]);
      const { out } = await query(gw.url, CTX);
      expect(out![0]).toMatchObject({
        pod: 'shop/frontend-1',
        service: 'shop/frontend',
        container: 'web',
        hostname: 'laptop',
        peer: 'shop/cart-1',
      });
    } finally {
      await gw.close();
    }
  });
});
