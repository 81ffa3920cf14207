import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../../../../cli/config/load';
import { KubeConfigChoice } from './kube-config';

/** Loads the chosen configuration; a file that cannot be used is an error naming its setting. */
export function loadKubeConfig(choice: KubeConfigChoice): KubeConfig {
  const kc = new KubeConfig();
  if (choice.kind === 'in-cluster') {
    // client-node reads the service's address from the environment; give it the chosen one.
    const saved = [process.env.KUBERNETES_SERVICE_HOST, process.env.KUBERNETES_SERVICE_PORT];
    process.env.KUBERNETES_SERVICE_HOST = choice.host;
    process.env.KUBERNETES_SERVICE_PORT = choice.port;
    try {
      kc.loadFromCluster(choice.serviceAccountPrefix);
    } finally {
      restoreEnv('KUBERNETES_SERVICE_HOST', saved[0]);
      restoreEnv('KUBERNETES_SERVICE_PORT', saved[1]);
    }
    return kc;
  }
  try {
    kc.loadFromFile(choice.path);
  } catch (err) {
    throw new ConfigError(
      `${choice.setting}: cannot load kubeconfig ${choice.path}: ${(err as Error).message}`,
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new ConfigError(
      `${choice.setting}: kubeconfig ${choice.path} has no current context with a cluster`,
    );
  }
  return kc;
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
