import { Router } from 'express';
import { ExportScheduler } from '../../jobs/export-scheduler';

/** `GET /v1/exports`: each export job's cursors, last run and counts. */
export function exportRoutes(scheduler: ExportScheduler): Router {
  const router = Router();
  router.get('/v1/exports', (_req, res) => {
    res.json({ jobs: scheduler.status() });
  });
  return router;
}
