import { once } from 'node:events';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { createApp } from './api/app';
import { isLoopbackHost } from './api/auth';
import { newInstanceId } from './common/instance';
import { parseHostPort } from './common/listen';
import { Logger } from './common/logger';
import { Config } from './config/schema';
import { SinkSet } from './exporters/sink-set';
import { IngestService } from './ingest/ingest-service';
import { CursorStore } from './jobs/cursor-store';
import { ExportScheduler } from './jobs/export-scheduler';
import { ProcessMetadataService } from './metadata/process-metadata';
import { MetadataService, metadataOptions } from './metadata/metadata-service';
import { SelfMetrics } from './metrics/self-metrics';
import { PxlEngine } from './pxl/engine';
import { TableStore } from './store/table-store';

/**
 * The gateway: table store, ingest and HTTP API. `start()` listens; `shutdown()` stops accepting,
 * drains open requests and closes the store, and is safe before start and safe twice.
 */
export class Gateway {
  private server: Server | undefined;
  private ready = false;
  private stopping: Promise<void> | undefined;
  private readonly processMetadata: ProcessMetadataService;

  private constructor(
    readonly config: Config,
    readonly store: TableStore,
    readonly metrics: SelfMetrics,
    readonly pxl: PxlEngine,
    readonly metadata: MetadataService,
    readonly sinks: SinkSet,
    readonly exports: ExportScheduler,
    private readonly log: Logger,
  ) {
    this.processMetadata = new ProcessMetadataService(store);
  }

  /** Validates the listen address against the auth rule and opens the store. */
  static async create(config: Config, log: Logger): Promise<Gateway> {
    const { host } = parseHostPort(config.listen);
    if (!isLoopbackHost(host) && !config.auth.token) {
      throw new Error(
        `refusing to listen on ${config.listen} without an auth token: set auth.token in the config or PXGATE_AUTH_TOKEN (or listen on 127.0.0.1)`,
      );
    }
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
      });
      await exports.restore();
    } catch (err) {
      await Promise.all([sinks.shutdown(), metadata.shutdown()]);
      await store.shutdown();
      throw err;
    }
    return new Gateway(config, store, metrics, pxl, metadata, sinks, exports, log);
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const { host, port } = parseHostPort(this.config.listen);
    await this.processMetadata.restore(this.log.child({ component: 'metadata' }));
    await this.metadata.start();
    const ingest = new IngestService(
      this.store,
      this.log.child({ component: 'ingest' }),
      this.metrics,
    );
    const app = createApp({
      store: this.store,
      ingest,
      processMetadata: this.processMetadata,
      pxl: this.pxl,
      metadata: this.metadata,
      exports: this.exports,
      sinks: this.sinks,
      registry: this.metrics.registry,
      log: this.log,
      authToken: this.config.auth.token,
      maxBodyBytes: Math.floor(this.config.ingest.maxBodyMb * 1024 * 1024),
      isReady: () => this.ready,
      instanceId: newInstanceId(),
    });
    const server = createServer(app);
    this.server = server;
    server.listen(port, host);
    await once(server, 'listening');
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shownHost}:${address.port}`;
    this.sinks.start();
    this.exports.start();
    this.ready = true;
    this.log.info({ url, auth: Boolean(this.config.auth.token) }, 'gateway listening');
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
      await closed;
    }
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
