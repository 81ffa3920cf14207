import express, { RequestHandler, Router } from 'express';
import { BATCH_ID_HEADER } from '../../../../shared/contract/batch-id';
import { IngestHandler } from '../../ingest/ingest-service';
import { NODE_HEADER } from '../../../../shared/contract/cluster-subjects';
import { bodyErrorReason } from '../errors';

/**
 * `POST /v1/ingest`: JSON or Arrow IPC batches, each stored all or nothing (in cluster mode:
 * validated, then published to the cluster's stream).
 */
export function ingestRoutes(ingest: IngestHandler, maxBodyBytes: number): Router {
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
    const node = req.header(NODE_HEADER) || undefined;
    const result = await ingest.ingest({ contentType, body, tableHeader, batchId, node });
    res.json(result);
  });
  return router;
}
