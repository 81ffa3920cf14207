import { KubeConfig, KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import { Logger } from '../../../../shared/common/logger';
import { withTimeout } from '../../common/timeout';
import { MetadataMetrics } from '../metadata-metrics';
import { ClusterKind } from '../objects';
import { KubeApis, WatchedResource, collectionPath, isGone, listAll } from './resources';

/** Where an informer delivers what it sees. */
export interface InformerSink {
  apply(kind: ClusterKind, object: unknown): void;
  remove(kind: ClusterKind, object: unknown): void;
  /** The informer's whole cache: objects missing from it are gone. */
  reconcile(kind: ClusterKind, objects: readonly unknown[]): void;
}

export interface InformerOptions {
  pageSize: number;
  /** First delay before restarting after an error; it doubles up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A list that has not answered by then counts as failed (the informer retries). */
  listTimeoutMs: number;
}

/**
 * One collection's informer: client-node's ListWatch (list, then watch from the list's
 * resourceVersion; on 410 Gone, list again and deliver the differences), plus what it leaves to
 * its caller. It asks for bookmarks, so an idle collection's resourceVersion stays fresh and a
 * re-watch resumes instead of relisting; it sets a server-side watch timeout, so a silently dead
 * connection is replaced; and after any other error it starts again with capped, jittered
 * backoff, resuming from the last resourceVersion it saw.
 */
export class ResourceInformer {
  private readonly watch: ObservedWatch;
  private readonly informer: ListWatch<KubernetesObject>;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastListOk = false;
  private syncedOnce = false;
  private stopped = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    kc: KubeConfig,
    private readonly apis: KubeApis,
    readonly resource: WatchedResource,
    private readonly sink: InformerSink,
    private readonly metrics: MetadataMetrics,
    private readonly log: Logger,
    private readonly opts: InformerOptions,
  ) {
    this.retryMs = opts.retryBaseMs;
    metrics.synced(resource.name, false);
    this.watch = new ObservedWatch(kc, (type, object) => this.observe(type, object));
    this.informer = new ListWatch(collectionPath(resource), this.watch, () => this.list(), false);
    this.informer.on('add', (o) => this.sink.apply(resource.kind, o));
    this.informer.on('update', (o) => this.sink.apply(resource.kind, o));
    this.informer.on('delete', (o) => this.sink.remove(resource.kind, o));
    this.informer.on('error', (err) => this.failed(err));
  }

  /** Whether the first list has been delivered. */
  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Starts listing and watching; resolves once the first attempt ended, synced or not. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.run();
  }

  /** Resolves once the first list has been delivered. */
  whenSynced(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Delivers the informer's cache again, so whatever a missed event left behind is repaired. */
  resync(): void {
    if (this.syncedOnce && !this.stopped)
      this.sink.reconcile(this.resource.kind, this.informer.list());
  }

  /** Stops watching. Safe before start and safe twice. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.watch.close();
    await this.informer.stop();
    this.metrics.synced(this.resource.name, false);
  }

  private async run(): Promise<void> {
    this.lastListOk = false;
    await this.informer.start();
    if (this.stopped || !this.lastListOk) return;
    this.retryMs = this.opts.retryBaseMs;
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      this.metrics.synced(this.resource.name, true);
      this.log.info(
        { resource: this.resource.name, objects: this.informer.list().length },
        'synced',
      );
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private async list() {
    if (this.syncedOnce) {
      this.metrics.relisted(this.resource.name);
      this.log.info({ resource: this.resource.name }, 'relisting');
    }
    const list = await withTimeout(
      listAll(this.resource, this.apis, this.opts.pageSize),
      this.opts.listTimeoutMs,
      `listing ${this.resource.name} took longer than ${this.opts.listTimeoutMs} ms`,
    );
    this.lastListOk = true;
    return list;
  }

  private observe(type: string, object: unknown): void {
    this.metrics.watchEvent(this.resource.name, type);
    if (type === 'ERROR') {
      const status = object as { code?: number; message?: string } | undefined;
      this.log.info(
        { resource: this.resource.name, code: status?.code, message: status?.message },
        isGone(status) ? 'watch expired (410 Gone): relisting' : 'watch error event',
      );
    }
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    this.metrics.watchRestarted(this.resource.name);
    const delay = Math.round(this.retryMs * (0.5 + Math.random() / 2));
    this.retryMs = Math.min(this.retryMs * 2, this.opts.retryMaxMs);
    this.log.warn(
      { resource: this.resource.name, err: describe(err), retryInMs: delay },
      'list or watch failed',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.run();
    }, delay);
    this.retryTimer.unref();
  }
}

/**
 * client-node's Watch, asking for bookmarks and a server-side timeout, reporting every event
 * before the informer sees it, and refusing to open a watch once closed: ListWatch may start one
 * after a list that was in flight when it was stopped.
 */
class ObservedWatch extends Watch {
  private readonly active = new Set<AbortController>();
  private closed = false;

  constructor(
    kc: KubeConfig,
    private readonly observe: (type: string, object: unknown) => void,
  ) {
    super(kc);
  }

  override async watch(
    path: string,
    params: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    if (this.closed) {
      const c = new AbortController();
      c.abort();
      return c;
    }
    const query = {
      ...params,
      allowWatchBookmarks: true,
      // Randomised as client-go does, so a fleet of gateways does not re-watch in step.
      timeoutSeconds: WATCH_TIMEOUT_S + Math.floor(Math.random() * WATCH_TIMEOUT_S),
    };
    // `done` may run before super.watch returns (a refused connection); the controller is
    // aborted then, and never tracked.
    const opened: { controller?: AbortController } = {};
    const controller = await super.watch(
      path,
      query,
      (type, object, raw) => {
        this.observe(type, object);
        callback(type, object, raw);
      },
      (err) => {
        if (opened.controller) this.active.delete(opened.controller);
        done(err);
      },
    );
    opened.controller = controller;
    if (!controller.signal.aborted) this.active.add(controller);
    return controller;
  }

  close(): void {
    this.closed = true;
    for (const c of this.active) c.abort();
    this.active.clear();
  }
}

const WATCH_TIMEOUT_S = 300;

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
