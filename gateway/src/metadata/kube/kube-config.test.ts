import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseKubeConfig, KubeEnvironment } from './kube-config';
import { loadKubeConfig } from './load-kube-config';

function machine(opts: { pod?: boolean; home?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'pxgate-kube-'));
  const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
  if (opts.pod) {
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'ca.crt'), '');
  }
  if (opts.home) {
    mkdirSync(join(root, 'home/.kube'), { recursive: true });
    writeFileSync(join(root, 'home/.kube/config'), kubeconfig('https://laptop.example:6443'));
  }
  const env = {
    ...(opts.pod ? { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' } : {}),
    ...opts.env,
  };
  const where: KubeEnvironment = { env, serviceAccountPrefix: root, home: join(root, 'home') };
  return { root, where };
}

function kubeconfig(server: string): string {
  return `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
}

describe('chooseKubeConfig', () => {
  it('uses the service account in a pod, and reads the API address from the environment', () => {
    const { root, where } = machine({ pod: true, home: true });
    const hostBefore = process.env.KUBERNETES_SERVICE_HOST;
    const choice = chooseKubeConfig({ kubernetes: 'auto' }, where)!;
    expect(choice).toEqual({
      kind: 'in-cluster',
      serviceAccountPrefix: root,
      host: '10.96.0.1',
      port: '443',
    });
    const kc = loadKubeConfig(choice);
    expect(kc.getCurrentCluster()!.server).toBe('https://10.96.0.1:443');
    expect(process.env.KUBERNETES_SERVICE_HOST).toBe(hostBefore);
  });

  it('prefers metadata.kubeconfig, then $KUBECONFIG; ~/.kube/config only when on', () => {
    const { root, where } = machine({ home: true });
    const file = join(root, 'explicit.yaml');
    writeFileSync(file, kubeconfig('https://explicit.example:6443'));
    expect(chooseKubeConfig({ kubernetes: 'auto', kubeconfig: file }, where)).toMatchObject({
      kind: 'file',
      path: file,
      setting: 'metadata.kubeconfig',
    });
    expect(chooseKubeConfig({ kubernetes: 'auto' }, where)).toBeUndefined();
    expect(chooseKubeConfig({ kubernetes: 'on' }, where)).toMatchObject({
      setting: '~/.kube/config',
    });
    const withEnv = { ...where, env: { KUBECONFIG: `${file}:/elsewhere` } };
    expect(chooseKubeConfig({ kubernetes: 'auto' }, withEnv)).toMatchObject({
      path: file,
      setting: 'KUBECONFIG',
    });
    expect(chooseKubeConfig({ kubernetes: 'off', kubeconfig: file }, withEnv)).toBeUndefined();
  });

  it('refuses "on" without any configuration, naming the key', () => {
    const { where } = machine();
    expect(() => chooseKubeConfig({ kubernetes: 'on' }, where)).toThrow(
      /^metadata\.kubernetes: "on" but no Kubernetes configuration was found/,
    );
  });

  it('names the setting when the kubeconfig cannot be used', () => {
    const { root } = machine();
    expect(() =>
      loadKubeConfig({
        kind: 'file',
        path: join(root, 'missing.yaml'),
        setting: 'metadata.kubeconfig',
      }),
    ).toThrow(/^metadata\.kubeconfig: cannot load kubeconfig .*missing\.yaml/);
    const empty = join(root, 'empty.yaml');
    writeFileSync(empty, 'apiVersion: v1\nkind: Config\n');
    expect(() => loadKubeConfig({ kind: 'file', path: empty, setting: 'KUBECONFIG' })).toThrow(
      /^KUBECONFIG: kubeconfig .*empty\.yaml has no current context with a cluster$/,
    );
  });
});
