import { listenOn } from '../../shared/common/listen-on';
import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { createApp } from './api/app';
import { listenRule } from './api/listen-rule';
import { ServerTls } from './api/server-tls';
import { ServedCertificate } from '../../shared/contract/served-certificate';
import { TokenSet } from './api/token-set';
import { parseHostPort, resolveListenHost } from '../../shared/common/listen';
import { newInstanceId } from '../../shared/contract/instance';
import { Logger } from '../../shared/common/logger';
import { Config } from '../../cli/config/schema';
import { ClusterNode } from './cluster/cluster-node';
import { ClusterView } from './cluster/view';
import { ClusterQueries } from './cluster/query/cluster-queries';
import { SinkSet } from './exporters/sink-set';
import { IngestService } from './ingest/ingest-service';
import { CursorStore } from './jobs/cursor-store';
import { ExportScheduler } from './jobs/export-scheduler';
import { ProcessMetadataService } from './metadata/process-metadata';
import { MetadataService, metadataOptions } from './metadata/metadata-service';
import { SelfMetrics } from './metrics/self-metrics';
import { PxlEngine } from './pxl/engine';
import { TableStore } from './store/table-store';

/** Who may reach the listener, and how: decided once, before anything opens. */
interface Access {
  readonly tokens: TokenSet;
  readonly tls: ServerTls | undefined;
  /** The numeric address the listen host resolved to, which is what the server binds. */
  readonly bindAddress: string;
}

/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_MS = 65_000;

/** How long shutdown waits for requests under way before it closes their connections. */
const REQUEST_DRAIN_MS = 10_000;

/**
 * The gateway: table store, ingest and HTTP API. `start()` listens; `shutdown()` stops accepting,
 * drains open requests and closes the store, and is safe before start and safe twice.
 */
export class Gateway {
  private server: Server | undefined;
  /** Answers not yet finished, so that shutdown can close their connections after them. */
  private readonly underWay = new Set<ServerResponse>();
  private ready = false;
  private stopping: Promise<void> | undefined;
  private readonly processMetadata: ProcessMetadataService;
  private clusterNode: ClusterNode | undefined;
  private clusterQueries: ClusterQueries | undefined;

  private constructor(
    readonly config: Config,
    readonly store: TableStore,
    readonly metrics: SelfMetrics,
    readonly pxl: PxlEngine,
    readonly metadata: MetadataService,
    readonly sinks: SinkSet,
    readonly exports: ExportScheduler,
    private readonly log: Logger,
    private readonly access: Access,
  ) {
    this.processMetadata = new ProcessMetadataService(store);
  }

  /**
   * Reads the tokens and the TLS files, checks the listen address against the rule (beyond
   * loopback: TLS and a token, or insecureListen), then opens the store.
   */
  static async create(config: Config, log: Logger): Promise<Gateway> {
    if (config.cluster.nats.url && config.store.dataDir) {
      throw new Error(
        'in a cluster the stream is the durable copy of the window: give either cluster.nats.url (--nats) or store.dataDir (--data-dir), not both',
      );
    }
    const access = await checkAccess(config, log);
    const metrics = new SelfMetrics();
    const store = await TableStore.create(config.store, log.child({ component: 'store' }), metrics);
    metrics.observe(store);
    let metadata: MetadataService;
    try {
      metadata = new MetadataService(
        metadataOptions(config),
        store,
        metrics.registry,
        log.child({ component: 'metadata' }),
      );
    } catch (err) {
      await store.shutdown();
      throw err;
    }
    const pxl = await PxlEngine.create(store, {
      timeoutMs: config.pxl.queryTimeout,
      maxOutputRows: config.pxl.maxOutputRows,
      maxResultBytes: Math.floor(config.pxl.maxResultMb * 1024 * 1024),
    });
    const sinks = SinkSet.create(
      config.export,
      metrics.registry,
      log.child({ component: 'exporters' }),
    );
    let exports: ExportScheduler;
    try {
      const exportLog = log.child({ component: 'exports' });
      exports = ExportScheduler.create(config.export, {
        engine: pxl,
        store,
        sinks,
        log: exportLog,
        registry: metrics.registry,
        cursors: store.dataDir
          ? new CursorStore(store.dataDir.sub('exports'), store.dataDir.syncEachWrite, exportLog)
          : undefined,
        // In a cluster each job reads the partitions this gateway owns, cursors in the KV.
        perPartition: Boolean(config.cluster.nats.url),
      });
      await exports.restore();
      store.readsAfter(() => exports.readUpTo());
    } catch (err) {
      await Promise.all([sinks.shutdown(), metadata.shutdown()]);
      await store.shutdown();
      throw err;
    }
    return new Gateway(config, store, metrics, pxl, metadata, sinks, exports, log, access);
  }

  /**
   * What an agent in this process sends with: a token with the ingest scope, issued now, when
   * the gateway requires tokens; and, with TLS, the certificate the gateway serves, to pin.
   */
  localAgentAccess(): {
    token: string | undefined;
    pin: (() => ServedCertificate) | undefined;
  } {
    const { tokens, tls } = this.access;
    return {
      token: tokens.enabled ? tokens.issue(['ingest']) : undefined,
      pin: tls ? () => tls.served() : undefined,
    };
  }

  /** This gateway's view of its cluster, in cluster mode (`--nats`) once started. */
  get cluster(): ClusterView | undefined {
    return this.clusterNode;
  }

  /**
   * Starts listening; resolves with the bound address (port 0 picks a free port). In cluster
   * mode it first connects to NATS, and joins the cluster once it listens.
   */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const { port } = parseHostPort(this.config.listen);
    const { tokens, tls, bindAddress } = this.access;
    await this.processMetadata.restore(this.log.child({ component: 'metadata' }));
    await this.metadata.start();
    const ingest = new IngestService(
      this.store,
      this.log.child({ component: 'ingest' }),
      this.metrics,
    );
    const cluster = this.config.cluster.nats.url
      ? await ClusterNode.create(this.config, {
          store: this.store,
          ingest,
          processMetadata: this.processMetadata,
          log: this.log.child({ component: 'cluster' }),
          exports: this.exports,
        })
      : undefined;
    this.clusterNode = cluster;
    this.clusterQueries = cluster
      ? new ClusterQueries(cluster, this.pxl, this.log.child({ component: 'cluster-query' }))
      : undefined;
    this.clusterQueries?.start();
    const app = createApp({
      store: this.store,
      ingest: cluster?.publisher ?? ingest,
      processMetadata: cluster?.publisher ?? this.processMetadata,
      cluster,
      pxl: this.pxl,
      queries: this.clusterQueries,
      metadata: this.metadata,
      exports: this.exports,
      sinks: this.sinks,
      registry: this.metrics.registry,
      log: this.log,
      auth: {
        tokens,
        clientCerts: !tls?.asksClientCertificates ? 'none' : this.config.tls.clientCertRequiredFor,
        ingestRefused: (reason) => this.metrics.batchRejected(reason),
      },
      maxBodyBytes: Math.floor(this.config.ingest.maxBodyMb * 1024 * 1024),
      isReady: () => this.ready,
      instanceId: newInstanceId(),
    });
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (this.stopping) closeAfter(res);
      else {
        this.underWay.add(res);
        res.once('close', () => this.underWay.delete(res));
      }
      app(req, res);
    };
    const server = tls
      ? tls.watch(createHttpsServer(tls.serverOptions(), handler), this.log)
      : createServer(handler);
    // Idle keep-alive connections stay open longer than most clients keep theirs (Node's fetch
    // 4 s, load balancers 60 s): a server that closes first races a client sending on the same
    // socket, and a POST that loses that race fails (the soak's queries did, ECONNRESET).
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    this.server = server;
    tokens.start();
    await listenOn(
      server,
      port,
      bindAddress,
      'give the gateway another address with --listen HOST:PORT (config key listen, $PXGATE_LISTEN), or stop the other gateway',
    );
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
    await cluster?.start(url);
    this.sinks.start();
    this.exports.start();
    this.ready = true;
    this.log.info({ url, auth: tokens.enabled, tls: Boolean(tls) }, 'gateway listening');
    return { host: address.address, port: address.port, url };
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    this.ready = false;
    const server = this.server;
    if (server?.listening) {
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      // A client that keeps sending on a keep-alive connection would hold server.close() open
      // for as long as it sends: every answer from now on closes its connection.
      for (const res of this.underWay) closeAfter(res);
      // Requests under way may finish; connections still open after that are cut.
      const cut = setTimeout(() => {
        this.log.warn(
          { afterMs: REQUEST_DRAIN_MS },
          'requests still under way at shutdown were cut off',
        );
        server.closeAllConnections();
      }, REQUEST_DRAIN_MS);
      await closed;
      clearTimeout(cut);
    }
    this.access.tokens.shutdown();
    this.access.tls?.shutdown();
    await this.clusterQueries?.shutdown();
    await this.clusterNode?.shutdown();
    // Exports get a last run over what was ingested before the server closed, then drain.
    await this.exports.shutdown();
    await this.sinks.shutdown();
    await this.processMetadata.shutdown();
    await this.metadata.shutdown();
    this.pxl.shutdown();
    await this.store.shutdown();
    this.log.info('gateway stopped');
  }
}

/** Closes the connection of an answer once it is sent (saying so in its head, if not sent yet). */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  else res.once('finish', () => res.socket?.end());
}

/** Reads tokens and TLS files and applies the listen rule; throws with what to fix. */
async function checkAccess(config: Config, log: Logger): Promise<Access> {
  const { host } = parseHostPort(config.listen);
  const tokens = TokenSet.fromConfig(config.auth, log.child({ component: 'auth' }));
  const tls = ServerTls.fromConfig(config.tls);
  const { address, loopback } = await resolveListenHost(host);
  const verdict = listenRule({
    listen: config.listen,
    loopback,
    tokens: tokens.enabled,
    tls: tls !== undefined,
    insecureListen: config.insecureListen,
  });
  if (!verdict.allowed) throw new Error(verdict.message);
  if (verdict.message) log.warn(verdict.message);
  return { tokens, tls, bindAddress: address };
}
