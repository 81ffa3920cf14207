import express, { RequestHandler, Router } from 'express';
import { TooLargeError, UserError } from '../../common/errors';
import { QueryRunner } from '../../cluster/query/cluster-queries';
import { PXGATE_VERSION } from '../../common/package-info';
import { toJsonSpec, toJsonTable } from '../../pxl/execute/result';
import { MAX_SCRIPT_CHARS } from '../../pxl/parse/parse';
import { ARROW_STREAM_TYPE, WARNINGS_HEADER } from '../../../../shared/contract/query-arrow';
import { arrowAnswer, warningsHeader } from '../query-arrow';

/**
 * The gateway's version, on answers to queries: only a caller the gateway let run a query
 * learns it (the Grafana plugin's health check shows it), not anyone who can reach the port.
 */
export const VERSION_HEADER = 'x-pxgate-version';

/** Largest query body accepted, in bytes of JSON: room for the longest script, escaped. */
const MAX_QUERY_BODY_BYTES = 2 * 1024 * 1024;

interface QueryBody {
  script: string;
  args?: Record<string, unknown>;
  func?: string;
}

/**
 * `POST /v1/query`: runs a PxL script and answers its tables in px.display order, with
 * `warnings` when the answer is not whole (a cluster's gateway that did not answer); as JSON, or
 * as Arrow IPC streams when the caller's Accept puts Arrow first (docs/api.md).
 */
export function queryRoutes(pxl: QueryRunner): Router {
  const router = Router();
  router.post('/v1/query', queryBody(), async (req, res) => {
    res.setHeader(VERSION_HEADER, PXGATE_VERSION);
    const body = parseBody(req.body);
    const opts = {
      ...(body.args ? { args: body.args } : {}),
      ...(body.func !== undefined ? { func: body.func } : {}),
    };
    // JSON unless Arrow is asked for ahead of it; errors are JSON whatever Accept says.
    if (req.accepts(['application/json', ARROW_STREAM_TYPE]) === ARROW_STREAM_TYPE) {
      const result = await pxl.runColumns(body.script, opts);
      if (result.warnings) res.setHeader(WARNINGS_HEADER, warningsHeader(result.warnings));
      res.type(ARROW_STREAM_TYPE).send(arrowAnswer(result));
      return;
    }
    const result = await pxl.run(body.script, opts);
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
      ...(result.warnings ? { warnings: result.warnings } : {}),
    });
  });
  return router;
}

/** The JSON body parser, whose 413 names this route's own limit (not ingest's). */
function queryBody(): RequestHandler {
  const json = express.json({ limit: MAX_QUERY_BODY_BYTES });
  return (req, res, next) =>
    json(req, res, (err?: unknown) => {
      if ((err as { type?: unknown } | undefined)?.type !== 'entity.too.large') return next(err);
      next(
        new TooLargeError(
          `the query body is larger than ${MAX_QUERY_BODY_BYTES} bytes, the limit of POST /v1/query ` +
            `(a script may have at most ${MAX_SCRIPT_CHARS} characters)`,
        ),
      );
    });
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
