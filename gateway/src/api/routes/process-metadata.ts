import express, { Router } from 'express';
import { NODE_HEADER } from '../../../../shared/contract/cluster-subjects';
import { ProcessReportHandler } from '../../metadata/process-metadata';

/** `POST /v1/metadata/processes`: agents report the processes they see (JSON). */
export function processMetadataRoutes(service: ProcessReportHandler): Router {
  const router = Router();
  router.post('/v1/metadata/processes', express.json({ limit: '8mb' }), async (req, res) => {
    res.json(await service.upsert(req.body, req.header(NODE_HEADER) || undefined));
  });
  return router;
}
