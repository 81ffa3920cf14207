import { FetchError, getBackendSrv } from '@grafana/runtime';
import { catchError, map, Observable, throwError } from 'rxjs';

import { classifyFetchFailure, GatewayError } from '../data/errors';
import { QueryRequestBody, QueryResponseBody } from '../types/gateway';

/** The `routes` path in plugin.json that Grafana's data source proxy forwards to the gateway. */
export const GATEWAY_ROUTE = 'gateway';

function isQueryResponse(data: unknown): data is QueryResponseBody {
  return Array.isArray((data as Partial<QueryResponseBody> | null)?.tables);
}

/**
 * Calls the gateway through Grafana's data source proxy (`<datasource url>/gateway/...`), which
 * adds the bearer token on the server side: the token never reaches the browser.
 */
export class GatewayClient {
  constructor(private readonly proxyUrl: string) {}

  /** Runs a script; fails with a GatewayError. */
  query(body: QueryRequestBody, requestId?: string): Observable<QueryResponseBody> {
    return getBackendSrv()
      .fetch<unknown>({
        url: `${this.proxyUrl}/${GATEWAY_ROUTE}/v1/query`,
        method: 'POST',
        data: body,
        headers: { 'Content-Type': 'application/json' },
        requestId,
        showErrorAlert: false,
        showSuccessAlert: false,
      })
      .pipe(
        map((response) => {
          if (!isQueryResponse(response.data)) {
            throw new GatewayError(
              'not_pxgate',
              'the gateway URL answered, but not with query results',
              response.status,
            );
          }
          return response.data;
        }),
        catchError((err: unknown) =>
          throwError(() =>
            err instanceof GatewayError ? err : classifyFetchFailure(err as FetchError),
          ),
        ),
      );
  }
}
