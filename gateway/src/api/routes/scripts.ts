import { Router } from 'express';
import { NotFoundError } from '../../common/errors';
import { BundledScript } from '../../pxl/bundled';

/** `GET /v1/scripts` lists the bundled scripts; `GET /v1/scripts/px/NAME` gives one's source. */
export function scriptRoutes(scripts: readonly BundledScript[]): Router {
  const router = Router();
  router.get('/v1/scripts', (_req, res) => {
    res.json({ scripts: scripts.map((s) => s.info) });
  });
  router.get('/v1/scripts/:folder/:name', (req, res) => {
    const name = `${req.params.folder}/${req.params.name}`;
    // Only names from the catalog are answered: nothing from the request reaches the disk.
    const script = scripts.find((s) => s.info.name === name);
    if (!script) {
      throw new NotFoundError(
        `no bundled script "${name}"; scripts: ${scripts.map((s) => s.info.name).join(', ')}`,
      );
    }
    res.json({ ...script.info, source: script.source });
  });
  return router;
}
