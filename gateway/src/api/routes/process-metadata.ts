import express, { Router } from 'express';
import { ProcessMetadataService } from '../../metadata/process-metadata';

/** `POST /v1/metadata/processes`: agents report the processes they see (JSON). */
export function processMetadataRoutes(service: ProcessMetadataService): Router {
  const router = Router();
  router.post('/v1/metadata/processes', express.json({ limit: '8mb' }), async (req, res) => {
    res.json(await service.upsert(req.body));
  });
  return router;
}
