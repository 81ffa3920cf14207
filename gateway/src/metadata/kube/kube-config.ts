import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../../cli/config/load';

export type KubernetesMode = 'auto' | 'on' | 'off';

export interface KubeSettings {
  kubernetes: KubernetesMode;
  kubeconfig?: string | undefined;
}

/** Where the machine's Kubernetes configuration lives; tests point these elsewhere. */
export interface KubeEnvironment {
  env: NodeJS.ProcessEnv;
  /** Prefix of the service account directory (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  serviceAccountPrefix: string;
  home: string;
}

/** Which Kubernetes configuration to load: a kubeconfig file (named by `setting`) or the pod's. */
export type KubeConfigChoice =
  | { kind: 'file'; path: string; setting: string }
  | { kind: 'in-cluster'; serviceAccountPrefix: string; host: string; port: string };

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Chooses the Kubernetes API configuration, or none, without loading anything:
 * 1. `metadata.kubeconfig`, when set;
 * 2. in a pod, the service account (in-cluster config);
 * 3. the first file in `$KUBECONFIG`;
 * 4. with `kubernetes: on` only, `~/.kube/config` (so `auto` on a laptop never wanders into
 *    whichever cluster the shell happens to point at).
 * `off` always gives none; `on` without any configuration is an error naming the key.
 */
export function chooseKubeConfig(
  settings: KubeSettings,
  where: KubeEnvironment = { env: process.env, serviceAccountPrefix: '', home: homedir() },
): KubeConfigChoice | undefined {
  if (settings.kubernetes === 'off') return undefined;
  if (settings.kubeconfig) {
    return { kind: 'file', path: settings.kubeconfig, setting: 'metadata.kubeconfig' };
  }
  const { env } = where;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port && existsSync(`${where.serviceAccountPrefix}${SERVICE_ACCOUNT_TOKEN}`)) {
    return { kind: 'in-cluster', serviceAccountPrefix: where.serviceAccountPrefix, host, port };
  }
  const fromEnv = env.KUBECONFIG?.split(':').find((f) => f !== '');
  if (fromEnv) return { kind: 'file', path: fromEnv, setting: 'KUBECONFIG' };
  const home = join(where.home, '.kube', 'config');
  if (settings.kubernetes === 'on') {
    if (existsSync(home)) return { kind: 'file', path: home, setting: '~/.kube/config' };
    throw new ConfigError(
      'metadata.kubernetes: "on" but no Kubernetes configuration was found (not in a pod, no metadata.kubeconfig, no $KUBECONFIG, no ~/.kube/config)',
    );
  }
  return undefined;
}

/** How a choice reads in logs. */
export function describeChoice(choice: KubeConfigChoice): string {
  return choice.kind === 'file'
    ? `${choice.path} (${choice.setting})`
    : `in-cluster service account (https://${choice.host}:${choice.port})`;
}
