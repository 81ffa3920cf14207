import express, { Express } from 'express';
import { Registry } from 'prom-client';
import { INSTANCE_HEADER } from '../../../shared/contract/instance';
import { Logger } from '../../../shared/common/logger';
import { SinkSet } from '../exporters/sink-set';
import { IngestHandler } from '../ingest/ingest-service';
import { ExportScheduler } from '../jobs/export-scheduler';
import { ProcessReportHandler } from '../metadata/process-metadata';
import { MetadataService } from '../metadata/metadata-service';
import { bundledScriptsSync } from '../pxl/bundled';
import { PxlEngine } from '../pxl/engine';
import { TableStore } from '../store/table-store';
import { AuthOptions, authenticate } from './auth';
import { errorHandler, notFound } from './errors';
import { exportRoutes } from './routes/exports';
import { healthRoutes } from './routes/health';
import { ingestRoutes } from './routes/ingest';
import { processMetadataRoutes } from './routes/process-metadata';
import { ClusterStatusSource, clusterRoutes } from './routes/cluster';
import { metadataStatusRoutes } from './routes/metadata-status';
import { queryRoutes } from './routes/query';
import { QueryRunner } from '../cluster/query/cluster-queries';
import { scriptRoutes } from './routes/scripts';
import { tableRoutes } from './routes/tables';

export interface AppDeps {
  store: TableStore;
  /** The store's ingest, or in cluster mode the publisher to the cluster's stream. */
  ingest: IngestHandler;
  processMetadata: ProcessReportHandler;
  /** `GET /v1/cluster`, in cluster mode. */
  cluster?: ClusterStatusSource | undefined;
  metadata: MetadataService;
  pxl: PxlEngine;
  /** In cluster mode, what runs `POST /v1/query` across the gateways (else the engine). */
  queries?: QueryRunner | undefined;
  exports: ExportScheduler;
  sinks: SinkSet;
  registry: Registry;
  log: Logger;
  auth: AuthOptions;
  maxBodyBytes: number;
  isReady: () => boolean;
  /** Sent on every answer (X-Pxgate-Instance): agents notice a restart by its change. */
  instanceId: string;
}

/** Builds the gateway's HTTP API. Handlers stay thin: each route calls one service. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader(INSTANCE_HEADER, deps.instanceId);
    next();
  });
  app.use(authenticate(deps.auth));
  app.use(healthRoutes(deps.isReady, deps.registry));
  app.use(tableRoutes(deps.store));
  app.use(ingestRoutes(deps.ingest, deps.maxBodyBytes));
  app.use(processMetadataRoutes(deps.processMetadata));
  app.use(metadataStatusRoutes(deps.metadata));
  app.use(queryRoutes(deps.queries ?? deps.pxl));
  app.use(scriptRoutes(bundledScriptsSync()));
  app.use(exportRoutes(deps.exports, deps.sinks));
  if (deps.cluster) app.use(clusterRoutes(deps.cluster));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
