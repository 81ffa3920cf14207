import { Router } from 'express';
import { SinkSet } from '../../exporters/sink-set';
import { ExportScheduler } from '../../jobs/export-scheduler';

/**
 * `GET /v1/exports`: each export job's runs and, per sink, its cursor, deliveries and failures;
 * and each sink's health (sent, dropped by reason, queue, last success and error).
 */
export function exportRoutes(scheduler: ExportScheduler, sinks: SinkSet): Router {
  const router = Router();
  router.get('/v1/exports', (_req, res) => {
    res.json({ jobs: scheduler.status(), sinks: sinks.status() });
  });
  return router;
}
