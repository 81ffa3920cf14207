import { Row } from '../../transport/row';
import { Clock } from '../http/http-rows';
import { SqlEndpoint, socketColumns } from '../sql/sql-endpoint';
import { MysqlRecord } from './mysql-stitcher';

/**
 * A mysql_events row with Pixie's columns: the common socket columns, then `req_cmd` (the
 * command byte, INT64), `req_body`, `resp_status` (Pixie's RespStatus, INT64), `resp_body`, and
 * `latency`.
 */
export function mysqlEventRow(x: MysqlRecord, ep: SqlEndpoint, clock: Clock): Row {
  return socketColumns(x, ep, clock, {
    req_cmd: x.reqCmd,
    req_body: x.reqBody,
    resp_status: x.respStatus,
    resp_body: x.respBody,
  });
}
