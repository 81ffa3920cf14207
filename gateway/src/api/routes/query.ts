import express, { Router } from 'express';
import { UserError } from '../../common/errors';
import { PxlEngine } from '../../pxl/engine';
import { toJsonSpec, toJsonTable } from '../../pxl/execute/result';

/** Largest script body accepted, as JSON. */
const MAX_QUERY_BODY = '2mb';

interface QueryBody {
  script: string;
  args?: Record<string, unknown>;
  func?: string;
}

/** `POST /v1/query`: runs a PxL script and answers its tables in px.display order. */
export function queryRoutes(pxl: PxlEngine): Router {
  const router = Router();
  router.post('/v1/query', express.json({ limit: MAX_QUERY_BODY }), async (req, res) => {
    const body = parseBody(req.body);
    const result = await pxl.run(body.script, {
      ...(body.args ? { args: body.args } : {}),
      ...(body.func !== undefined ? { func: body.func } : {}),
    });
    res.json({
      tables: result.tables.map(toJsonTable),
      ...(result.exports.length > 0
        ? {
            exports: result.exports.map((e) => ({
              table: toJsonTable(e.table),
              spec: toJsonSpec(e.spec),
            })),
          }
        : {}),
    });
  });
  return router;
}

function parseBody(raw: unknown): QueryBody {
  const b = (raw ?? {}) as Record<string, unknown>;
  if (typeof b.script !== 'string' || b.script.trim() === '') {
    throw new UserError('"script" must be the text of a PxL script');
  }
  if (b.func !== undefined && (typeof b.func !== 'string' || b.func === '')) {
    throw new UserError('"func" must be the name of a function of the script');
  }
  if (b.args !== undefined) {
    if (typeof b.args !== 'object' || b.args === null || Array.isArray(b.args)) {
      throw new UserError('"args" must be an object of argument names to values');
    }
    for (const [k, v] of Object.entries(b.args)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) {
        throw new UserError(`argument "${k}" must be a string, number or boolean`);
      }
    }
  }
  return b as unknown as QueryBody;
}
