/**
 * Resource.CallResource, the data source's HTTP-like routes under
 * `/api/datasources/uid/UID/resources/`, which the query and variable editors call:
 *
 * - `GET scripts`: the bundled PxL scripts, for the editor's picker;
 * - `POST variable-values` with `{"script": TEXT}`: the distinct values of the first column of
 *   the script's first table, for template variables (the browser has filled the script's
 *   macros and variables, as the variable's own time range and dashboard give them).
 *
 * Anything else is a 404 (or a 405 for another method); answers are JSON, errors
 * `{"error": {"message"}}` as the gateway writes them.
 */
import type { BundledScript } from '@pxgate/scripts';

import { firstColumnValues } from '../data/variableScripts';
import { GatewayError } from './gateway/errors';
import { GatewayClient } from './gateway/GatewayClient';
import { MAX_RESOURCE_BODY_BYTES } from './limits';
import { PluginMetrics } from './metrics';
import { CallResourceRequest, CallResourceResponse } from './protocol/messages';
import { DataSourceSettings } from './settings';

export interface ResourceDeps {
  metrics: PluginMetrics;
  catalog: readonly BundledScript[];
  gatewayFor(settings: DataSourceSettings): GatewayClient;
}

const JSON_HEADERS = { 'Content-Type': { values: ['application/json'] } };

function answer(code: number, body: unknown): CallResourceResponse {
  return { code, headers: JSON_HEADERS, body: Buffer.from(JSON.stringify(body)) };
}

function failure(code: number, message: string): CallResourceResponse {
  return answer(code, { error: { message } });
}

interface Route {
  method: string;
  run(
    deps: ResourceDeps,
    req: CallResourceRequest,
    settings: DataSourceSettings | Error,
  ): Promise<CallResourceResponse>;
}

function scriptOf(body: Buffer): string | CallResourceResponse {
  if (body.length > MAX_RESOURCE_BODY_BYTES) {
    return failure(413, `the body is larger than ${MAX_RESOURCE_BODY_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return failure(400, 'the body must be JSON: {"script": "..."}');
  }
  const script = (parsed as { script?: unknown } | null)?.script;
  if (typeof script !== 'string' || script.trim() === '') {
    return failure(400, '"script" must be the text of a PxL script');
  }
  return script;
}

const ROUTES: Record<string, Route> = {
  scripts: {
    method: 'GET',
    run: async (deps) => answer(200, { scripts: deps.catalog }),
  },
  'variable-values': {
    method: 'POST',
    run: async (deps, req, settings) => {
      if (settings instanceof Error) return failure(400, settings.message);
      const script = scriptOf(req.body);
      if (typeof script !== 'string') return script;
      const gateway = deps.gatewayFor(settings);
      try {
        const result = await deps.metrics.timeGateway('variable', () => gateway.query({ script }));
        return answer(200, { values: firstColumnValues(result.tables[0]?.rows ?? []) });
      } catch (err) {
        if (err instanceof GatewayError) return failure(err.status, err.message);
        throw err;
      }
    },
  },
};

/** Answers one resource call. */
export async function callResource(
  deps: ResourceDeps,
  req: CallResourceRequest,
  settings: DataSourceSettings | Error,
): Promise<CallResourceResponse> {
  const path = (req.path ?? '').replace(/^\/+/, '').split('?')[0]!;
  const route = Object.prototype.hasOwnProperty.call(ROUTES, path) ? ROUTES[path] : undefined;
  if (!route) {
    return failure(404, `no resource "${path}"; resources: ${Object.keys(ROUTES).join(', ')}`);
  }
  if ((req.method ?? '').toUpperCase() !== route.method) {
    return failure(405, `resource "${path}" takes ${route.method}, not ${req.method}`);
  }
  return route.run(deps, req, settings);
}
