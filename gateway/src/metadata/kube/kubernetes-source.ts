import { KubeConfig } from '@kubernetes/client-node';
import { Logger } from '../../../../shared/common/logger';
import { MetadataMetrics } from '../metadata-metrics';
import { KubeConfigChoice } from './kube-config';
import { loadKubeConfig } from './load-kube-config';
import { InformerOptions, InformerSink, ResourceInformer } from './resource-informer';
import { WATCHED_RESOURCES, kubeApis } from './resources';

export interface KubernetesSourceOptions extends InformerOptions {
  /** How often every informer's cache is delivered again (0: never). */
  resyncMs: number;
}

/** The state of one resource's informer, for status and logs. */
export interface ResourceStatus {
  resource: string;
  synced: boolean;
}

/**
 * Lists and watches every resource the metadata tables come from, through one informer each,
 * and delivers what they see to a sink. Informers start in owner-first order without waiting on
 * one another; a resource that cannot be listed (an API group missing, RBAC refusing) retries on
 * its own and does not hold the others back.
 */
export class KubernetesSource {
  private readonly informers: ResourceInformer[];
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(
    kc: KubeConfig,
    sink: InformerSink,
    metrics: MetadataMetrics,
    private readonly log: Logger,
    private readonly opts: KubernetesSourceOptions,
  ) {
    const apis = kubeApis(kc);
    this.informers = WATCHED_RESOURCES.map(
      (r) => new ResourceInformer(kc, apis, r, sink, metrics, log, opts),
    );
  }

  /** Starts every informer; resolves once each has made its first attempt. */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
    if (this.opts.resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
      this.resyncTimer.unref();
    }
  }

  /** Resolves once every informer has delivered its first list. */
  async whenSynced(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.whenSynced()));
  }

  status(): ResourceStatus[] {
    return this.informers.map((i) => ({ resource: i.resource.name, synced: i.synced }));
  }

  /** Delivers every informer's cache again. */
  resync(): void {
    for (const i of this.informers) i.resync();
    this.log.debug('resynced');
  }

  /** Stops every informer. Safe before start and safe twice. */
  async shutdown(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    await Promise.all(this.informers.map((i) => i.shutdown()));
  }
}

/** Loads the chosen Kubernetes configuration and builds the source on it. */
export function createKubernetesSource(
  choice: KubeConfigChoice,
  sink: InformerSink,
  metrics: MetadataMetrics,
  log: Logger,
  opts: KubernetesSourceOptions,
): KubernetesSource {
  return new KubernetesSource(loadKubeConfig(choice), sink, metrics, log, opts);
}
