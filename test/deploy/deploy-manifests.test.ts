import { join } from 'node:path';
import { NODE_NAME_ENV } from '../../agent/src/proc/asid';
import { silentLogger } from '../../shared/common/logger';
import { listenRule } from '../../gateway/src/api/listen-rule';
import { ENV_OVERRIDES, validateConfig } from '../../cli/config/load';
import { WATCHED_RESOURCES } from '../../gateway/src/metadata/kube/resources';
import { PxlEngine } from '../../gateway/src/pxl/engine';
import { TableStore } from '../../gateway/src/store/table-store';
import { parse as parseYaml } from 'yaml';
import { Manifest, containersOf, kustomizations, kustomize } from '../support/kustomize';

const ROOT = join(__dirname, '../../deploy/kubernetes');
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

describe.each(kustomizations(ROOT).map((dir) => [dir.slice(ROOT.length) || '(base)', dir]))(
  'the Kubernetes manifests %s',
  (_name, dir) => {
    const objects = kustomize(dir);
    const find = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name === name);
    const agent = find('DaemonSet', 'pxgate-agent')!;
    const gateway = find('Deployment', 'pxgate-gateway')!;

    it('gives every object its kind, name and, when namespaced, the pxgate namespace', () => {
      expect(objects.length).toBeGreaterThan(8);
      for (const o of objects) {
        expect(o.apiVersion).toMatch(/^(v1|(apps|rbac\.authorization\.k8s\.io)\/v1)$/);
        expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
        if (!CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace).toBe('pxgate');
        expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('pxgate');
      }
      const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('runs the agent with the capabilities eBPF needs and nothing more', () => {
      const spec = agent.spec.template.spec;
      expect(spec.hostPID).toBe(true);
      expect(spec.hostNetwork).toBeUndefined();
      expect(spec.automountServiceAccountToken).toBe(false);
      const [c] = containersOf(agent);
      expect(containersOf(agent)).toHaveLength(1);
      const sc = c!.securityContext;
      expect(sc.privileged).toBe(false);
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.readOnlyRootFilesystem).toBe(true);
      expect(sc.capabilities).toEqual({ drop: ['ALL'], add: ['BPF', 'PERFMON', 'SYS_RESOURCE'] });
      const mounts = Object.fromEntries(
        c!.volumeMounts.flatMap((m: any) => {
          const volume = spec.volumes.find((v: any) => v.name === m.name);
          return volume.hostPath
            ? [[volume.hostPath.path, { at: m.mountPath, readOnly: m.readOnly }]]
            : [];
        }),
      );
      expect(mounts).toEqual({
        '/sys/kernel/btf': { at: '/sys/kernel/btf', readOnly: true },
        '/sys/kernel/tracing': { at: '/sys/kernel/tracing', readOnly: true },
        '/proc': { at: '/host/proc', readOnly: true },
      });
      expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    });

    it('runs the gateway as a non-root user with a read-only root and no capabilities', () => {
      const spec = gateway.spec.template.spec;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      const c = containersOf(gateway).find((x) => x.name === 'gateway')!;
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.args).toEqual(['gateway', '--config', '/etc/pxgate/pxgate.yaml']);
      for (const x of containersOf(gateway)) {
        expect(x.securityContext.capabilities.drop).toEqual(['ALL']);
        expect(x.securityContext.allowPrivilegeEscalation).toBe(false);
      }
    });

    it('sets requests and memory limits on every container, probes on pxgate’s own, and pins images', () => {
      for (const w of [agent, gateway]) {
        expect(w.spec.selector.matchLabels).toEqual(
          expect.objectContaining(
            Object.fromEntries(
              Object.entries(w.spec.template.metadata.labels).filter(([k]) =>
                Object.keys(w.spec.selector.matchLabels).includes(k),
              ),
            ),
          ),
        );
        for (const c of containersOf(w)) {
          expect(c.resources.requests).toEqual({
            cpu: expect.any(String),
            memory: expect.any(String),
          });
          expect(c.resources.limits.memory).toMatch(/^\d+(Mi|Gi)$/);
          expect(c.image).toMatch(/^[a-z0-9./-]+:[0-9][\w.-]*$/);
          if (c.image.includes('pxgate')) {
            expect(c.livenessProbe.httpGet.path).toBe('/healthz');
            expect(c.readinessProbe.httpGet.path).toMatch(/^\/(healthz|readyz)$/);
            const ports = c.ports.map((p: any) => p.name);
            expect(ports).toContain(c.livenessProbe.httpGet.port);
          }
        }
      }
      expect(containersOf(gateway).find((c) => c.name === 'gateway')!.startupProbe).toBeDefined();
    });

    it('lets the gateway get, list and watch exactly what its informers watch, and nothing else', () => {
      const role = find('ClusterRole', 'pxgate-metadata-reader')!;
      const granted = new Set<string>();
      for (const rule of role.rules) {
        expect([...rule.verbs].sort()).toEqual(['get', 'list', 'watch']);
        expect(rule.resourceNames).toBeUndefined();
        for (const g of rule.apiGroups) for (const r of rule.resources) granted.add(`${g}/${r}`);
      }
      expect([...granted].sort()).toEqual(
        WATCHED_RESOURCES.map((r) => `${r.apiGroup}/${r.name}`).sort(),
      );
      expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')).toHaveLength(1);
      const binding = find('ClusterRoleBinding', 'pxgate-metadata-reader')!;
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'pxgate-metadata-reader',
      });
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'pxgate-gateway', namespace: 'pxgate' },
      ]);
      expect(gateway.spec.template.spec.serviceAccountName).toBe('pxgate-gateway');
      expect(find('ServiceAccount', 'pxgate-gateway')).toBeDefined();
    });

    it('routes the Service to the gateway’s port, and points the agents at it', () => {
      const svc = find('Service', 'pxgate-gateway')!;
      expect(svc.spec.selector).toEqual(gateway.spec.selector.matchLabels);
      const port = containersOf(gateway)[0]!.ports.find(
        (p: any) => p.name === svc.spec.ports[0].targetPort,
      );
      expect(port.containerPort).toBe(8090);
      const env = containersOf(agent)[0]!.env;
      expect(env.find((e: any) => e.name === 'PXGATE_GATEWAY').value).toBe(
        `https://${svc.metadata.name}.${svc.metadata.namespace}.svc:${svc.spec.ports[0].port}`,
      );
    });

    it('gives the agents only their ingest token and the CA, and the gateway its tokens and certificate, from Secrets', () => {
      /** Each file a container sees from a Secret: its path, and the Secret's name and key. */
      const secretFiles = (w: Manifest) => {
        const spec = w.spec.template.spec;
        const files: Record<string, string> = {};
        for (const m of containersOf(w)[0]!.volumeMounts) {
          const v = spec.volumes.find((x: any) => x.name === m.name);
          if (!v.secret) continue;
          expect(m.readOnly).toBe(true);
          const keys = v.secret.items
            ? v.secret.items.map((i: any) => [i.key, i.path])
            : SECRET_KEYS[v.secret.secretName].map((k) => [k, k]);
          for (const [key, path] of keys)
            files[`${m.mountPath}/${path}`] = `${v.secret.secretName}/${key}`;
        }
        return files;
      };
      const SECRET_KEYS: Record<string, string[]> = {
        'pxgate-auth': ['ingest-token', 'query-token', 'admin-token'],
        'pxgate-tls': ['tls.crt', 'tls.key', 'ca.crt'],
      };
      const gatewayFiles = secretFiles(gateway);
      const agentFiles = secretFiles(agent);
      expect(Object.values(agentFiles).sort()).toEqual([
        'pxgate-auth/ingest-token',
        'pxgate-tls/ca.crt',
      ]);

      const config = validateConfig(
        parseYaml(find('ConfigMap', 'pxgate-config')!.data['pxgate.yaml']),
      );
      expect(gatewayFiles[config.tls.certFile!]).toBe('pxgate-tls/tls.crt');
      expect(gatewayFiles[config.tls.keyFile!]).toBe('pxgate-tls/tls.key');
      expect(config.auth.tokens.map((t) => [gatewayFiles[t.tokenFile!], t.scopes])).toEqual([
        ['pxgate-auth/ingest-token', ['ingest']],
        ['pxgate-auth/query-token', ['query']],
        ['pxgate-auth/admin-token', ['admin']],
      ]);
      expect(config.auth.token).toBeUndefined();
      expect(
        listenRule({
          listen: config.listen,
          loopback: false,
          tokens: config.auth.tokens.length > 0,
          tls: Boolean(config.tls.certFile && config.tls.keyFile),
          insecureListen: config.insecureListen,
        }),
      ).toEqual({ allowed: true, message: '' });
      expect(config.insecureListen).toBe(false);

      const args: string[] = containersOf(agent)[0]!.args;
      const flag = (name: string) => args[args.indexOf(name) + 1]!;
      expect(agentFiles[flag('--token-file')]).toBe('pxgate-auth/ingest-token');
      expect(agentFiles[flag('--ca-file')]).toBe('pxgate-tls/ca.crt');
      for (const w of [agent, gateway]) {
        for (const c of containersOf(w)) {
          expect((c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef)).toEqual([]);
        }
      }
      const probes = containersOf(gateway)[0]!;
      for (const p of [probes.startupProbe, probes.livenessProbe, probes.readinessProbe]) {
        expect(p.httpGet.scheme).toBe('HTTPS');
      }
    });

    it("gives each agent its node's name, from which the agent derives its asid", () => {
      const env = containersOf(agent)[0]!.env;
      expect(env.find((e: any) => e.name === NODE_NAME_ENV)).toEqual({
        name: NODE_NAME_ENV,
        valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } },
      });
      // No fixed asid in the shared config: every agent would take the same one.
      const config = parseYaml(find('ConfigMap', 'pxgate-config')!.data['pxgate.yaml']);
      expect(config.agent?.asid).toBeUndefined();
    });

    it('mounts only ConfigMaps it generates, and a config file the gateway accepts', () => {
      const configMaps = new Set(
        objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name),
      );
      for (const w of [agent, gateway]) {
        const spec = w.spec.template.spec;
        for (const v of spec.volumes)
          if (v.configMap) expect(configMaps).toContain(v.configMap.name);
        for (const c of containersOf(w)) {
          for (const e of c.envFrom ?? []) expect(configMaps).toContain(e.configMapRef.name);
          for (const e of c.env ?? []) {
            if (e.valueFrom?.secretKeyRef)
              expect(e.valueFrom.secretKeyRef).toEqual({ name: 'pxgate-auth', key: 'token' });
          }
        }
      }
      const values = find('ConfigMap', 'pxgate-values')!.data as Record<string, string>;
      // Every value an overlay can set is one pxgate reads: none does nothing.
      const known = new Set([...ENV_OVERRIDES.map((o) => o.env), NODE_NAME_ENV]);
      for (const key of Object.keys(values))
        expect({ key, read: known.has(key) }).toEqual({ key, read: true });
      const tree = parseYaml(find('ConfigMap', 'pxgate-config')!.data['pxgate.yaml']);
      const config = validateConfig(tree);
      expect(config.listen).toBe('0.0.0.0:8090');
      expect(config.metadata.kubernetes).toBe('on');
      // Every value that names a config key must parse as that key's type.
      for (const o of ENV_OVERRIDES) {
        const v = values[o.env];
        if (v)
          expect(() =>
            validateConfig(setPath(tree, o.path, o.kind === 'number' ? Number(v) : v)),
          ).not.toThrow();
      }
    });

    const natsUrl = containersOf(gateway)
      .find((x) => x.name === 'gateway')!
      .env?.find((e: any) => e.name === 'PXGATE_NATS_URL')?.value;

    // One gateway with its volume, or (scale-out) several on NATS: each overlay is one or the other.
    if (!natsUrl)
      it('keeps the gateway’s data directory on a volume of its own, mounted by one pod at a time', () => {
        const values = find('ConfigMap', 'pxgate-values')!.data as Record<string, string>;
        const spec = gateway.spec.template.spec;
        const c = containersOf(gateway).find((x) => x.name === 'gateway')!;
        const mount = c.volumeMounts.find((m: any) => m.mountPath === values.PXGATE_DATA_DIR);
        expect(mount).toBeDefined();
        expect(mount.readOnly).toBeUndefined();
        const volume = spec.volumes.find((v: any) => v.name === mount.name);
        const claim = find('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName)!;
        expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
        expect(claim.spec.resources.requests.storage).toMatch(/^\d+Gi$/);
        expect(gateway.spec.replicas).toBe(1);
        expect(gateway.spec.strategy.type).toBe('Recreate');
        // The user the gateway runs as can write it, and the log read back at start has time.
        expect(spec.securityContext.fsGroup).toBe(spec.securityContext.runAsUser);
        const startup = c.startupProbe;
        expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(180);
      });

    if (natsUrl)
      it('scales the gateways out on the JetStream of a NATS StatefulSet, without a data directory', () => {
        const values = find('ConfigMap', 'pxgate-values')!.data as Record<string, string>;
        expect(values.PXGATE_DATA_DIR).toBe('');
        expect(gateway.spec.replicas).toBeGreaterThanOrEqual(2);
        expect(gateway.spec.strategy.type).toBe('RollingUpdate');
        const spec = gateway.spec.template.spec;
        for (const v of spec.volumes) expect(v.persistentVolumeClaim ?? undefined).toBeUndefined();
        const nats = find('StatefulSet', 'pxgate-nats')!;
        const svc = find('Service', 'pxgate-nats')!;
        expect(natsUrl).toBe(`nats://${svc.metadata.name}.${svc.metadata.namespace}.svc:4222`);
        expect(svc.spec.selector).toEqual(nats.spec.selector.matchLabels);
        const [c] = containersOf(nats);
        expect(c!.resources.limits.memory).toMatch(/^\d+(Mi|Gi)$/);
        expect(c!.image).toMatch(/^nats:\d+\.\d+\.\d+/);
        expect(c!.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        const conf = find('ConfigMap', 'pxgate-nats-config')!.data['nats.conf'];
        expect(conf).toMatch(/jetstream \{[^}]*store_dir: \/data/);
        expect(conf).toMatch(/max_payload: 8MB/);
        const dataMount = c!.volumeMounts.find((m: any) => m.mountPath === '/data');
        expect(nats.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual([
          dataMount.name,
        ]);
        // The agents still send to the gateways' Service (tokens, TLS); only gateways reach NATS.
        expect(containersOf(agent)[0]!.env.map((e: any) => e.name)).not.toContain(
          'PXGATE_NATS_URL',
        );
        expect(values.PXGATE_NATS_URL).toBeUndefined();
      });

    it('ships export scripts that the PxL engine runs', async () => {
      const scripts = find('ConfigMap', 'pxgate-scripts')!.data as Record<string, string>;
      expect(Object.keys(scripts).length).toBeGreaterThan(0);
      const store = await TableStore.create(
        { limitMb: 64, httpEventsShare: 0.4, segmentRows: 1024, maxCustomTables: 0, tables: {} },
        silentLogger(),
      );
      const engine = await PxlEngine.create(store);
      try {
        for (const text of Object.values(scripts)) {
          const result = await engine.run(text);
          expect(result.tables.length).toBeGreaterThan(0);
        }
      } finally {
        engine.shutdown();
        await store.shutdown();
      }
    });
  },
);

function setPath(tree: any, path: string, value: unknown): any {
  const copy = structuredClone(tree ?? {});
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] ??= {};
  node[keys[keys.length - 1]!] = value;
  return copy;
}

describe('the manifest renderer', () => {
  it('refuses kustomization fields it does not implement', () => {
    const dir = require('node:fs').mkdtempSync(join(require('node:os').tmpdir(), 'pxgate-kust-'));
    require('node:fs').writeFileSync(
      join(dir, 'kustomization.yaml'),
      'resources: []\nreplicas: []\n',
    );
    expect(() => kustomize(dir)).toThrow(/unsupported field replicas/);
  });

  it('merges an overlay’s containers by name and its values into the base', () => {
    const eks = kustomize(join(ROOT, 'overlays/eks'));
    const gw = eks.find((o: Manifest) => o.kind === 'Deployment')!;
    expect(containersOf(gw).map((c) => c.name)).toEqual(['gateway', 'aws-sigv4-proxy']);
    const values = eks.find((o) => o.metadata.name === 'pxgate-values')!.data;
    expect(values.PXGATE_LOG_LEVEL).toBe('info');
    expect(values.PXGATE_EXPORT_INTERVAL).toBe('30s');
  });
});

describe('the Dockerfile (not built here: no Docker engine runs on this machine)', () => {
  const text = require('node:fs').readFileSync(
    join(__dirname, '../../Dockerfile'),
    'utf8',
  ) as string;
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('builds in two stages from a base pinned to exact Node.js and Debian releases', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/m);
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE}',
    ]);
    expect(text).toContain('npm ci --ignore-scripts');
  });

  it('runs as the non-root user the gateway Deployment expects, with what the manifests start', () => {
    const finalStage = text.slice(text.lastIndexOf('FROM '));
    expect(finalStage).toMatch(/^USER 10001:10001$/m);
    const gateway = kustomize(ROOT).find((o) => o.kind === 'Deployment')!;
    expect(gateway.spec.template.spec.securityContext.runAsUser).toBe(10001);
    for (const path of ['bin', 'scripts/px', 'package.json', 'package-lock.json']) {
      expect(require('node:fs').existsSync(join(__dirname, '..', '..', path))).toBe(true);
    }
    expect(finalStage).toMatch(/^EXPOSE 8090 8091$/m);
    expect(finalStage).toContain(
      'ENTRYPOINT ["/usr/bin/tini", "--", "node", "/opt/pxgate/bin/pxgate.js"]',
    );
  });
});
