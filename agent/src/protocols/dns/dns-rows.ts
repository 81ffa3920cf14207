import { Row } from '../../transport/row';
import { TracedEndpoint, commonColumns } from '../common-columns';
import { Clock } from '../http/http-rows';
import { answersJson, headerJson, queriesJson } from './dns-json';
import { DnsExchange } from './dns-stitcher';

/**
 * A dns_events row with Pixie's columns: headers and bodies as Pixie's JSON. time_ is when the
 * response ended (wall clock); latency runs from the query's first byte to the response's last.
 * On a socket that is not connected, the remote end is the query's datagram's peer.
 */
export function dnsEventRow(x: DnsExchange, ep: TracedEndpoint, clock: Clock): Row {
  const row = commonColumns(ep, clock.fromMonotonic(x.resp.endTs));
  const peer = x.req.peer ?? x.resp.peer;
  if (peer) {
    row.remote_addr = peer.addr;
    row.remote_port = peer.port;
  }
  row.req_header = headerJson(x.req.msg.header);
  row.req_body = queriesJson(x.req.msg);
  row.resp_header = headerJson(x.resp.msg.header);
  row.resp_body = answersJson(x.resp.msg);
  row.latency = Math.round(x.resp.endTs - x.req.startTs);
  return row;
}
