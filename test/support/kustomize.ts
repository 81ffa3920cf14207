import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [key: string]: any;
}

/** Kinds that live outside namespaces (kustomize leaves their namespace alone). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'Node']);

/** The kustomization fields this renderer understands; any other is an error, never ignored. */
const KNOWN = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'labels',
  'resources',
  'images',
  'generatorOptions',
  'configMapGenerator',
  'patches',
]);

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset of kustomize that
 * deploy/ uses: resources (files and directories), configMapGenerator (files, envs; create and
 * merge) without name hashes, strategic-merge patches by kind and name (lists of named items
 * merge by name), namespace, labels on metadata, and image names. Kustomize itself is a Go
 * binary that no registry here provides; this stands in for it in tests, and refuses any field
 * it does not implement rather than render something kustomize would not.
 */
export function kustomize(dir: string): Manifest[] {
  const k = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, any>;
  for (const key of Object.keys(k)) {
    if (!KNOWN.has(key)) throw new Error(`${dir}/kustomization.yaml: unsupported field ${key}`);
  }
  if (k.generatorOptions && k.generatorOptions.disableNameSuffixHash !== true) {
    throw new Error(`${dir}: only disableNameSuffixHash: true is supported`);
  }
  let out: Manifest[] = [];
  for (const r of (k.resources ?? []) as string[]) {
    const path = join(dir, r);
    if (statSync(path).isDirectory()) out.push(...kustomize(path));
    else out.push(...readManifests(path));
  }
  for (const g of (k.configMapGenerator ?? []) as Record<string, any>[]) {
    out = generateConfigMap(dir, g, out);
  }
  for (const p of (k.patches ?? []) as { path: string }[]) {
    for (const patch of readManifests(join(dir, p.path))) {
      const target = out.find(
        (m) => m.kind === patch.kind && m.metadata.name === patch.metadata.name,
      );
      if (!target) throw new Error(`${p.path}: no ${patch.kind} ${patch.metadata.name} to patch`);
      Object.assign(target, mergePatch(target, patch));
    }
  }
  for (const m of out) {
    if (k.namespace && !CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace = k.namespace;
    for (const l of (k.labels ?? []) as { pairs: Record<string, string> }[]) {
      m.metadata.labels = { ...m.metadata.labels, ...l.pairs };
    }
    for (const image of (k.images ?? []) as { name: string; newName?: string; newTag?: string }[]) {
      for (const c of containersOf(m)) {
        if (c.image === image.name || String(c.image).startsWith(`${image.name}:`)) {
          c.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
        }
      }
    }
  }
  return out;
}

/** The containers (and init containers) of a workload. */
export function containersOf(m: Manifest): Record<string, any>[] {
  const spec = m.spec?.template?.spec;
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
}

function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${path}: ${d.errors[0]!.message}`);
      return d.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

function generateConfigMap(dir: string, g: Record<string, any>, out: Manifest[]): Manifest[] {
  const data: Record<string, string> = {};
  for (const f of (g.files ?? []) as string[]) {
    data[f.split('/').pop()!] = readFileSync(join(dir, f), 'utf8');
  }
  for (const f of (g.envs ?? []) as string[]) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (t === '' || t.startsWith('#')) continue;
      const eq = t.indexOf('=');
      if (eq <= 0) throw new Error(`${join(dir, f)}: "${t}" is not KEY=VALUE`);
      data[t.slice(0, eq)] = t.slice(eq + 1);
    }
  }
  const behavior = g.behavior ?? 'create';
  const existing = out.find((m) => m.kind === 'ConfigMap' && m.metadata.name === g.name);
  if (behavior === 'create') {
    if (existing) throw new Error(`ConfigMap ${g.name} is generated twice`);
    return [...out, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data }];
  }
  if (behavior !== 'merge' || !existing) {
    throw new Error(`${dir}: configMapGenerator ${g.name}: cannot ${behavior}`);
  }
  existing.data = { ...existing.data, ...data };
  return out;
}

/** A strategic merge: maps merge, lists of items with a `name` merge by name, the rest replace. */
function mergePatch(target: any, patch: any): any {
  if (Array.isArray(target) && Array.isArray(patch)) {
    if (!patch.every((p) => p && typeof p === 'object' && 'name' in p)) return patch;
    const merged = target.map((t) => {
      const p = patch.find((x) => x.name === t?.name);
      return p ? mergePatch(t, p) : t;
    });
    for (const p of patch) if (!target.some((t) => t?.name === p.name)) merged.push(p);
    return merged;
  }
  if (isMap(target) && isMap(patch)) {
    const out: Record<string, unknown> = { ...target };
    for (const [k, v] of Object.entries(patch)) out[k] = k in target ? mergePatch(target[k], v) : v;
    return out;
  }
  return patch;
}

function isMap(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kustomization directories under a root: the base and every overlay. */
export function kustomizations(root: string): string[] {
  const dirs = [root];
  const overlays = join(root, 'overlays');
  if (existsSync(overlays)) {
    for (const d of readdirSync(overlays)) {
      if (existsSync(join(overlays, d, 'kustomization.yaml'))) dirs.push(join(overlays, d));
    }
  }
  return dirs;
}
