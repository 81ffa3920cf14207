import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterState } from '../cluster-state';
import { MetadataRows } from '../metadata-rows';
import { readStaticFileSync } from './static-file';

const EXAMPLE = join(__dirname, '../../../../docs/examples/static-metadata.yaml');

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pxgate-static-')), 'metadata.yaml');
  writeFileSync(path, text);
  return path;
}

function rowsOf(path: string) {
  const rows = new MetadataRows();
  const state = new ClusterState(rows, () => 0n);
  for (const o of readStaticFileSync(path)) state.apply(o);
  return rows.takeChanges();
}

describe('the static metadata file', () => {
  it('turns the documented example into pods, services, memberships, nodes and namespaces', () => {
    const changes = rowsOf(EXAMPLE);
    const pods = changes.get('pods')!.upserts;
    expect(pods.map((p) => [p.name, p.ip, p.node, p.deployment, p.replicaset])).toEqual([
      ['shop/frontend-1', '10.0.0.11', 'laptop', 'shop/frontend', 'shop/frontend'],
      ['shop/cart-1', '10.0.0.12', 'laptop', 'shop/cart', 'shop/cart'],
      ['shop/catalog-1', '10.0.0.13', 'laptop', '', ''],
    ]);
    expect(pods[2]!.start_ns).toBe(BigInt(Date.parse('2024-05-01T08:00:00Z')) * 1_000_000n);
    expect(pods[0]!.start_ns).toBe(0n);
    const services = new Map(changes.get('services')!.upserts.map((s) => [s.uid, s.name]));
    const podNames = new Map(pods.map((p) => [p.uid, p.name]));
    const members = changes
      .get('podServices')!
      .upserts.map(
        (m) => `${podNames.get(m.pod_uid as string)} -> ${services.get(m.service_uid as string)}`,
      )
      .sort();
    expect(members).toEqual([
      'shop/cart-1 -> shop/backend',
      'shop/cart-1 -> shop/cart',
      'shop/catalog-1 -> shop/backend',
      'shop/frontend-1 -> shop/frontend',
    ]);
    expect(changes.get('containers')!.upserts).toEqual([
      expect.objectContaining({
        name: 'web',
        id: expect.stringMatching(/^3f2a9c1e/),
        state: 'Running',
      }),
    ]);
    expect(changes.get('nodes')!.upserts).toEqual([
      expect.objectContaining({ name: 'laptop', ip: '192.168.1.20' }),
    ]);
    expect(changes.get('namespaces')!.upserts.map((n) => n.name)).toEqual(['shop']);
  });

  it('gives every object the same uid on every load', () => {
    const uids = (p: string) => readStaticFileSync(p).map((o) => o.uid);
    expect(uids(EXAMPLE)).toEqual(uids(EXAMPLE));
    expect(uids(EXAMPLE)[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('names the file and every offending path', () => {
    const path = file(
      'pods:\n  - name: Shop/Web\n    ip: 10.0.0.300\n    colour: red\n  - name: db\n    containers: [{ name: db, id: xyz }]\nservices:\n  - name: db\n    startTime: yesterday\n',
    );
    let message = '';
    try {
      readStaticFileSync(path);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`invalid static metadata file ${path}:`);
    expect(message).toContain(
      '  pods.0.name: expected NAME or NAMESPACE/NAME in lower-case DNS form',
    );
    expect(message).toContain('  pods.0.ip: expected an IPv4 or IPv6 address');
    expect(message).toContain('  pods.0: unknown key(s): colour');
    expect(message).toContain('  pods.1.containers.0.id: expected a hex container id');
    expect(message).toContain('  services.0.startTime: expected an RFC 3339 time');
  });

  it('refuses two pods with one IP, and a name listed twice', () => {
    expect(() =>
      readStaticFileSync(
        file('pods:\n  - { name: a, ip: 10.0.0.1 }\n  - { name: b, ip: 10.0.0.1 }\n'),
      ),
    ).toThrow(/pods\.1\.ip: 10\.0\.0\.1 is already the IP of default\/a/);
    expect(() =>
      readStaticFileSync(file('pods:\n  - { name: shop/a }\n  - { name: a, namespace: shop }\n')),
    ).toThrow(/pods\.1\.name: shop\/a is listed twice/);
  });

  it('says when the file cannot be read or is not YAML', () => {
    expect(() => readStaticFileSync('/nonexistent/pxgate.yaml')).toThrow(
      /^metadata\.staticFile: cannot read \/nonexistent\/pxgate\.yaml/,
    );
    expect(() => readStaticFileSync(file('pods: [\n'))).toThrow(/is not valid YAML/);
  });
});
