import { Router } from 'express';
import { MetadataService } from '../../metadata/metadata-service';

/** `GET /v1/metadata/status`: where metadata comes from, whether informers synced, rows held. */
export function metadataStatusRoutes(metadata: MetadataService): Router {
  const router = Router();
  router.get('/v1/metadata/status', (_req, res) => {
    res.json(metadata.status());
  });
  return router;
}
