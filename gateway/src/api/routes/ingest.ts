import express, { RequestHandler, Router } from 'express';
import { BATCH_ID_HEADER } from '../../../../shared/contract/batch-id';
import { IngestService } from '../../ingest/ingest-service';
import { bodyErrorReason } from '../errors';

/** `POST /v1/ingest`: JSON or Arrow IPC batches, each stored all or nothing. */
export function ingestRoutes(ingest: IngestService, maxBodyBytes: number): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: maxBodyBytes });
  // A body refused while it is read (too large, a bad gzip stream) is a rejected batch too.
  const readBody: RequestHandler = (req, res, next) =>
    raw(req, res, (err?: unknown) => {
      const reason = err === undefined ? undefined : bodyErrorReason(err);
      if (reason) ingest.bodyRefused(reason, err as { message?: unknown });
      next(err);
    });
  router.post('/v1/ingest', readBody, async (req, res) => {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const tableHeader = req.header('x-pxgate-table') || undefined;
    const batchId = req.header(BATCH_ID_HEADER);
    const result = await ingest.ingest({ contentType, body, tableHeader, batchId });
    res.json(result);
  });
  return router;
}
