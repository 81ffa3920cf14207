import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Server, createServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCertificate } from '../tls';

/**
 * A Kubernetes API server for tests: it speaks the real list and watch protocol over HTTPS, as
 * kube-apiserver does, for the cluster-wide collections the gateway watches, and requires the
 * bearer token of its kubeconfig. It keeps one
 * resourceVersion counter for every object (as etcd does) and a history of events per
 * collection, so a watch resumes from any resourceVersion it still holds; `compact()` forgets
 * history, after which a watch from an older version gets `410 Gone` (an ERROR event carrying an
 * Expired Status, as the real server sends), and a client must relist.
 *
 * - list: `GET /api/v1/pods?limit=N&continue=TOKEN` returns a `PodList` whose items omit kind and
 *   apiVersion, with `metadata.resourceVersion` and, while more remain, `metadata.continue`.
 *   A continue token older than the last compaction answers HTTP 410 with a Status object.
 * - watch: `GET /api/v1/pods?watch=true&resourceVersion=RV[&allowWatchBookmarks=true]` streams
 *   newline-delimited JSON events (`ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`) over a
 *   chunked response that stays open.
 */
export class FakeKubeApiServer {
  /** Every request to a collection, in order: which, whether a watch, whether it bore the token. */
  readonly requests: {
    resource: string;
    watch: boolean;
    query: Record<string, string>;
    authorized: boolean;
  }[] = [];
  private readonly collections = new Map<string, Collection>();
  private readonly sockets = new Set<Socket>();
  private readonly snapshots = new Map<string, { rv: number; items: KubeObject[] }>();
  private rv = 100;
  private compactedRv = 0;
  private requestWaiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly token: string,
    private readonly caCert: string,
  ) {}

  /** Starts the server on a free loopback port; every request must bear the token. */
  static async start(tls: TestCertificate, token = randomUUID()): Promise<FakeKubeApiServer> {
    const server = createServer({ key: tls.key, cert: tls.cert });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const api = new FakeKubeApiServer(server, `https://127.0.0.1:${port}`, token, tls.cert);
    for (const [name, r] of Object.entries(RESOURCES)) {
      api.collections.set(r.path, new Collection(name, r));
    }
    server.on('connection', (socket: Socket) => {
      api.sockets.add(socket);
      socket.on('close', () => api.sockets.delete(socket));
    });
    server.on('request', (req, res) => api.handle(req, res));
    return api;
  }

  /** Writes a kubeconfig that trusts this server's certificate and bears its token. */
  writeKubeconfig(token = this.token): string {
    const path = join(tmpdir(), `pxgate-kubeconfig-${randomUUID()}.yaml`);
    const ca = Buffer.from(this.caCert).toString('base64');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{ name: fake, cluster: { server: "${this.url}", certificate-authority-data: ${ca} } }]`,
        `users: [{ name: tester, user: { token: ${token} } }]`,
        'contexts: [{ name: fake, context: { cluster: fake, user: tester } }]',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return path;
  }

  /** The current resourceVersion of the whole store. */
  resourceVersion(): number {
    return this.rv;
  }

  /** Creates or replaces an object (by namespace and name), as `kubectl apply` would. */
  apply(resource: ResourceName, object: KubeObject): KubeObject {
    const c = this.collection(resource);
    const meta = object.metadata;
    const key = objectKey(meta.namespace, meta.name);
    const existing = c.objects.get(key);
    const rv = String(++this.rv);
    const stored: KubeObject = {
      ...structuredClone(object),
      kind: c.resource.kind,
      apiVersion: c.resource.apiVersion,
      metadata: {
        ...structuredClone(meta),
        uid: existing?.metadata.uid ?? meta.uid ?? randomUUID(),
        resourceVersion: rv,
        creationTimestamp:
          existing?.metadata.creationTimestamp ??
          meta.creationTimestamp ??
          new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    c.objects.set(key, stored);
    c.publish(this.rv, existing ? 'MODIFIED' : 'ADDED', stored);
    return structuredClone(stored);
  }

  /** Deletes an object; watchers see its last state with a new resourceVersion. */
  remove(resource: ResourceName, namespace: string | undefined, name: string): void {
    const c = this.collection(resource);
    const key = objectKey(namespace, name);
    const existing = c.objects.get(key);
    if (!existing) throw new Error(`${resource} ${key} does not exist`);
    c.objects.delete(key);
    const gone = {
      ...existing,
      metadata: { ...existing.metadata, resourceVersion: String(++this.rv) },
    };
    c.publish(this.rv, 'DELETED', gone);
  }

  /** The stored object, or undefined. */
  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.collection(resource).objects.get(objectKey(namespace, name));
    return o && structuredClone(o);
  }

  /** Every stored object of a collection. */
  list(resource: ResourceName): KubeObject[] {
    return [...this.collection(resource).objects.values()].map((o) => structuredClone(o));
  }

  /** Forgets all history up to now: a watch or continue token from before gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    for (const c of this.collections.values()) c.forget(this.rv);
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that allows them. */
  bookmark(resource: ResourceName): void {
    const c = this.collection(resource);
    for (const w of c.watchers) {
      if (!w.bookmarks) continue;
      w.send({
        type: 'BOOKMARK',
        object: {
          kind: c.resource.kind,
          apiVersion: c.resource.apiVersion,
          metadata: { resourceVersion: String(this.rv) },
        },
      });
    }
  }

  /**
   * Ends every open watch of a collection with 410 Gone: an ERROR event carrying an Expired
   * Status, then the end of the stream, which is what kube-apiserver does when a watcher falls
   * behind its watch cache.
   */
  expireWatches(resource: ResourceName): void {
    for (const w of [...this.collection(resource).watchers]) {
      w.send({ type: 'ERROR', object: expiredStatus(w.fromRv, this.compactedRv) });
      w.end();
    }
  }

  /** Cuts every open watch of a collection without a word, as a lost connection does. */
  dropWatches(resource: ResourceName): void {
    for (const w of [...this.collection(resource).watchers]) w.destroy();
  }

  /** Open watches of a collection. */
  watchCount(resource: ResourceName): number {
    return this.collection(resource).watchers.size;
  }

  /** Resolves once `predicate` holds for the requests served, or rejects after the timeout. */
  async waitForRequests(
    predicate: (requests: FakeKubeApiServer['requests']) => boolean,
    timeoutMs = 5000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.requests)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for requests to the fake API server');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.requestWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Ends every watch and stops the server. */
  async close(): Promise<void> {
    for (const c of this.collections.values()) for (const w of [...c.watchers]) w.end();
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) {
      const closed = once(this.server, 'close');
      this.server.close();
      await closed;
    }
  }

  private collection(resource: ResourceName): Collection {
    return this.collections.get(RESOURCES[resource].path)!;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const c = this.collections.get(url.pathname);
    const watch = query.watch === 'true' || query.watch === '1';
    const authorized = req.headers.authorization === `Bearer ${this.token}`;
    if (c) {
      this.requests.push({ resource: c.resource.name, watch, query, authorized });
      for (const w of this.requestWaiters.splice(0)) w();
    }
    if (!authorized) {
      sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (req.method !== 'GET' || !c) {
      sendStatus(res, 404, 'NotFound', `the server could not find the requested resource`);
      return;
    }
    if (watch) this.serveWatch(c, query, res);
    else this.serveList(c, query, res);
  }

  private serveList(c: Collection, query: Record<string, string>, res: ServerResponse): void {
    const limit = query.limit ? Number(query.limit) : Infinity;
    let snapshot: { rv: number; items: KubeObject[] };
    let start = 0;
    if (query.continue) {
      const [id, offset] = query.continue.split(':');
      const found = this.snapshots.get(id ?? '');
      if (!found || found.rv <= this.compactedRv) {
        sendStatus(
          res,
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
        return;
      }
      snapshot = found;
      start = Number(offset);
    } else {
      const items = [...c.objects.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, o]) => {
          const { kind: _kind, apiVersion: _apiVersion, ...item } = structuredClone(o);
          return item as KubeObject;
        });
      snapshot = { rv: this.rv, items };
    }
    const page = snapshot.items.slice(start, start + limit);
    const next = start + page.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(snapshot.rv) };
    if (next < snapshot.items.length) {
      const id = randomUUID();
      if (this.snapshots.size >= MAX_SNAPSHOTS) {
        this.snapshots.delete(this.snapshots.keys().next().value!);
      }
      this.snapshots.set(id, snapshot);
      metadata.continue = `${id}:${next}`;
      metadata.remainingItemCount = snapshot.items.length - next;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: c.resource.listKind,
        apiVersion: c.resource.apiVersion,
        metadata,
        items: page,
      }),
    );
  }

  private serveWatch(c: Collection, query: Record<string, string>, res: ServerResponse): void {
    const fromRv = query.resourceVersion ? Number(query.resourceVersion) : this.rv;
    const watcher = new Watcher(res, fromRv, query.allowWatchBookmarks === 'true', () =>
      c.watchers.delete(watcher),
    );
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const compactedRv = Math.max(this.compactedRv, c.compactedRv);
    if (fromRv !== 0 && fromRv < compactedRv) {
      watcher.send({ type: 'ERROR', object: expiredStatus(fromRv, compactedRv) });
      watcher.end();
      return;
    }
    for (const e of c.history) if (e.rv > fromRv) watcher.send(e.event);
    c.watchers.add(watcher);
    // The server ends a watch after timeoutSeconds; the client resumes from its last version.
    const timeoutSeconds = Number(query.timeoutSeconds);
    if (timeoutSeconds > 0) {
      const timer = setTimeout(() => watcher.end(), timeoutSeconds * 1000);
      res.on('close', () => clearTimeout(timer));
    }
  }
}

const MAX_HISTORY = 10_000;
const MAX_SNAPSHOTS = 100;

/** The collections the server holds, by the names tests use. */
export const RESOURCES = {
  namespaces: { path: '/api/v1/namespaces', kind: 'Namespace', apiVersion: 'v1' },
  nodes: { path: '/api/v1/nodes', kind: 'Node', apiVersion: 'v1' },
  pods: { path: '/api/v1/pods', kind: 'Pod', apiVersion: 'v1' },
  services: { path: '/api/v1/services', kind: 'Service', apiVersion: 'v1' },
  endpointslices: {
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    kind: 'EndpointSlice',
    apiVersion: 'discovery.k8s.io/v1',
  },
  replicasets: { path: '/apis/apps/v1/replicasets', kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  deployments: { path: '/apis/apps/v1/deployments', kind: 'Deployment', apiVersion: 'apps/v1' },
} as const;

export type ResourceName = keyof typeof RESOURCES;

/** A Kubernetes object as JSON. */
export interface KubeObject {
  kind?: string;
  apiVersion?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

class Collection {
  readonly objects = new Map<string, KubeObject>();
  readonly history: { rv: number; event: WatchEvent }[] = [];
  readonly watchers = new Set<Watcher>();
  /** Watches from before this version get 410 Gone: their events are forgotten. */
  compactedRv = 0;
  readonly resource: {
    name: string;
    path: string;
    kind: string;
    listKind: string;
    apiVersion: string;
  };

  constructor(name: string, r: { path: string; kind: string; apiVersion: string }) {
    this.resource = { ...r, name, listKind: `${r.kind}List` };
  }

  publish(rv: number, type: WatchEvent['type'], object: KubeObject): void {
    const event: WatchEvent = { type, object: structuredClone(object) };
    this.history.push({ rv, event });
    if (this.history.length > MAX_HISTORY) this.forget(this.history[MAX_HISTORY / 2]!.rv);
    for (const w of this.watchers) w.send(event);
  }

  /** Drops the events up to and including `rv`, as etcd compaction does. */
  forget(rv: number): void {
    this.compactedRv = Math.max(this.compactedRv, rv);
    while (this.history.length > 0 && this.history[0]!.rv <= rv) this.history.shift();
  }
}

class Watcher {
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    readonly fromRv: number,
    readonly bookmarks: boolean,
    private readonly onClose: () => void,
  ) {
    res.on('close', () => this.finish());
  }

  send(event: WatchEvent): void {
    if (!this.closed) this.res.write(`${JSON.stringify(event)}\n`);
  }

  end(): void {
    if (this.closed) return;
    this.finish();
    this.res.end();
  }

  destroy(): void {
    if (this.closed) return;
    this.finish();
    this.res.socket?.destroy();
  }

  private finish(): void {
    this.closed = true;
    this.onClose();
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** A failure as the API server reports it, in an HTTP answer or a watch's ERROR event. */
function failureStatus(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function expiredStatus(fromRv: number, compactedRv: number) {
  return failureStatus(410, 'Expired', `too old resource version: ${fromRv} (${compactedRv})`);
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(failureStatus(code, reason, message)));
}
