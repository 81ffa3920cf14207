/**
 * Data.QueryData: each query of a request runs on the gateway (at most QUERY_CONCURRENCY at a
 * time), its tables become frames in the format it asks for, and each frame is encoded as
 * Arrow. A failure stays with its query, as a DataResponse error.
 */
import type { BundledScript } from '@pxgate/scripts';
import { DataFrame } from '@grafana/data';

import { selectTables, framesForQuery } from '../../data/format';
import { tableToFrame } from '../../data/frames';
import { interpolateQuery, resolvedTemplateValues } from '../../data/interpolate';
import { macroValues } from '../../data/macros';
import { scriptLink } from '../../data/scriptLinks';
import { QueryRequestBody } from '../../types/gateway';
import { mapBounded } from '../concurrency';
import { encodeFrame } from '../frames/arrow';
import { encodeTableFrame } from '../frames/tableFrame';
import { alertFrames, markWide } from '../frames/dataplane';
import { GatewayClient } from '../gateway/GatewayClient';
import { HclogLogger } from '../hclog';
import { MAX_QUERIES, QUERY_CONCURRENCY } from '../limits';
import { PluginMetrics } from '../metrics';
import { DataQuery, DataResponse, QueryDataRequest, QueryDataResponse } from '../protocol/messages';
import { DataSourceSettings } from '../settings';
import { classifyQueryError } from './queryErrors';
import { ParsedQuery, parseQuery, QueryModelError } from './queryModel';

/** What running queries needs besides the request. */
export interface QueryDeps {
  log: HclogLogger;
  metrics: PluginMetrics;
  catalog: readonly BundledScript[];
  /** A gateway client for the data source's settings. */
  gatewayFor(settings: DataSourceSettings): GatewayClient;
}

/** Grafana marks the queries of alert and recording rules with this header. */
const FROM_ALERT = 'fromalert';

function fromAlert(headers: Record<string, string>): boolean {
  return Object.entries(headers).some(
    ([name, value]) => name.toLowerCase() === FROM_ALERT && value.toLowerCase() === 'true',
  );
}

/** The gateway request of a query: macros from the query's time range, variables as sent. */
export function gatewayRequest(q: DataQuery, parsed: ParsedQuery): QueryRequestBody {
  const range = q.timeRange ?? { fromEpochMS: 0, toEpochMS: 0 };
  const macros = macroValues(range.fromEpochMS, range.toEpochMS, q.intervalMS || 1000);
  return interpolateQuery(parsed.query, macros, resolvedTemplateValues(parsed.templateValues));
}

interface RunContext {
  deps: QueryDeps;
  settings: DataSourceSettings;
  gateway: GatewayClient;
  alert: boolean;
  signal?: AbortSignal;
}

/**
 * The encoded frames of one query's answer. The gateway answers with Arrow columns: a `table`
 * query's frames are written around its buffers (encodeTableFrame); the other formats, and alert
 * queries, shape frames from the columns' values. A JSON answer (an older gateway) takes the
 * value path for every format.
 */
async function framesOf(ctx: RunContext, q: DataQuery): Promise<Uint8Array[]> {
  const parsed = parseQuery(q.refId, q.json);
  const body = gatewayRequest(q, parsed);
  const answer = await ctx.deps.metrics.timeGateway('query', () =>
    ctx.gateway.queryColumns(body, ctx.signal),
  );
  const { query } = parsed;
  const meta = { executedQueryString: body.script };
  const target = { uid: ctx.settings.uid, name: ctx.settings.name };
  const linkFor = (reference: Parameters<typeof scriptLink>[0]) =>
    scriptLink(reference, ctx.deps.catalog, target);
  if (!ctx.alert && query.format === 'table') {
    return selectTables(answer.tables, query.output).map((t) =>
      'rows' in t
        ? encodeDecorated(tableToFrame(t, query.refId, linkFor), query.refId, meta)
        : encodeTableFrame(t, { refId: query.refId, meta }, linkFor),
    );
  }
  let frames: DataFrame[];
  if (ctx.alert) {
    const tables = selectTables(answer.tables, query.output);
    frames = alertFrames(tables.map((t) => tableToFrame(t, query.refId)));
  } else {
    frames = framesForQuery(answer.tables, query, linkFor);
    if (query.format === 'time_series') frames = frames.map(markWide);
  }
  return frames.map((frame) => encodeDecorated(frame, query.refId, meta));
}

/** A frame with the query's refId and meta, encoded. */
function encodeDecorated(frame: DataFrame, refId: string, meta: Record<string, unknown>) {
  return encodeFrame({ ...frame, refId, meta: { ...frame.meta, ...meta } });
}

async function runQuery(ctx: RunContext, q: DataQuery): Promise<DataResponse> {
  try {
    const frames = await framesOf(ctx, q);
    ctx.deps.metrics.query('ok');
    ctx.deps.metrics.frames(frames.reduce((n, f) => n + f.byteLength, 0));
    return { frames, status: 200 };
  } catch (err) {
    const failure = classifyQueryError(err);
    ctx.deps.metrics.query(failure.outcome);
    if (failure.errorSource === 'plugin') {
      ctx.deps.log.error('query failed', { refId: q.refId, error: err });
    }
    return {
      frames: [],
      error: failure.message,
      status: failure.status,
      errorSource: failure.errorSource,
    };
  }
}

/** Answers a QueryData request; every query gets a response under its refId. */
export async function queryData(
  deps: QueryDeps,
  request: QueryDataRequest,
  settings: DataSourceSettings | Error,
  signal?: AbortSignal,
): Promise<QueryDataResponse> {
  const queries = request.queries ?? [];
  const fail = (err: unknown) =>
    Object.fromEntries(
      queries.map((q) => {
        const failure = classifyQueryError(err);
        deps.metrics.query(failure.outcome);
        return [
          q.refId,
          {
            frames: [],
            error: failure.message,
            status: failure.status,
            errorSource: failure.errorSource,
          },
        ];
      }),
    );
  if (settings instanceof Error) return { responses: fail(settings) };
  if (queries.length > MAX_QUERIES) {
    return {
      responses: fail(new QueryModelError(`a request may hold at most ${MAX_QUERIES} queries`)),
    };
  }
  const ctx: RunContext = {
    deps,
    settings,
    gateway: deps.gatewayFor(settings),
    alert: fromAlert(request.headers ?? {}),
    signal,
  };
  const answers = await mapBounded(queries, QUERY_CONCURRENCY, (q) => runQuery(ctx, q));
  return { responses: Object.fromEntries(queries.map((q, i) => [q.refId, answers[i]!])) };
}
