import { Row } from '../../transport/row';
import { Clock } from '../http/http-rows';
import { SqlEndpoint, socketColumns } from '../sql/sql-endpoint';
import { PgsqlRecord } from './pgsql-stitcher';

/**
 * A pgsql_events row with Pixie's columns: the common socket columns, then `req_cmd` (Query,
 * Parse, Bind, Describe, Execute), `req` and `resp` in Pixie's text, and `latency`.
 */
export function pgsqlEventRow(x: PgsqlRecord, ep: SqlEndpoint, clock: Clock): Row {
  return socketColumns(x, ep, clock, { req_cmd: x.reqCmd, req: x.req, resp: x.resp });
}
