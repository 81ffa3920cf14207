import { DataFrame, DataQueryError, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';
import { catchError, forkJoin, map, Observable, of } from 'rxjs';

import { framesForQuery } from '../data/format';
import { LinkMaker } from '../data/frames';
import { migrateQuery } from '../data/migrations';
import { validateQuery } from '../data/validate';
import { PxgateQuery } from '../types/query';
import { GatewayClient } from './GatewayClient';
import { interpolateQuery, requestMacros, templateValues } from './templating';

interface QueryResult {
  frames: DataFrame[];
  error?: DataQueryError;
}

function failure(refId: string, err: unknown): QueryResult {
  const error = err as { message?: string; status?: number };
  return {
    frames: [],
    error: { refId, message: error.message ?? String(err), status: error.status },
  };
}

/** Runs one query: interpolate, call the gateway, shape the frames. Failures stay with their refId. */
function runQuery(
  client: GatewayClient,
  linkFor: LinkMaker,
  request: DataQueryRequest<PxgateQuery>,
  stored: PxgateQuery,
  templateSrv: TemplateSrv,
): Observable<QueryResult> {
  const query = migrateQuery(stored);
  const validation = validateQuery(query);
  if (!validation.valid) return of(failure(query.refId, new Error(validation.error)));
  let body;
  try {
    const vars = templateValues(templateSrv, request.scopedVars);
    body = interpolateQuery(query, requestMacros(request), vars);
  } catch (err) {
    return of(failure(query.refId, err));
  }
  return client.query(body, `${request.requestId}_${query.refId}`).pipe(
    map((answer) => ({
      frames: framesForQuery(answer.tables, query, linkFor).map((frame) => ({
        ...frame,
        meta: { ...frame.meta, executedQueryString: body.script },
      })),
    })),
    catchError((err: unknown) => of(failure(query.refId, err))),
  );
}

/** Runs every visible query of a request, in parallel, and gathers frames and errors. */
export function runQueries(
  client: GatewayClient,
  linkFor: LinkMaker,
  request: DataQueryRequest<PxgateQuery>,
  templateSrv: TemplateSrv,
): Observable<DataQueryResponse> {
  const targets = request.targets.filter((t) => !t.hide);
  if (targets.length === 0) return of({ data: [] });
  return forkJoin(targets.map((t) => runQuery(client, linkFor, request, t, templateSrv))).pipe(
    map((results) => {
      const errors = results.flatMap((r) => (r.error ? [r.error] : []));
      const response: DataQueryResponse = { data: results.flatMap((r) => r.frames) };
      if (errors.length > 0) {
        response.errors = errors;
        response.error = errors[0];
      }
      return response;
    }),
  );
}
