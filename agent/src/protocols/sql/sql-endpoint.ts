import { Row } from '../../transport/row';
import { Clock, Endpoint } from '../http/http-rows';

/**
 * The connection a database call travelled on. `encrypted` (Pixie's kEncrypted: the bytes came
 * from TLS library probes) is optional until every tracker sets it; absent means false.
 */
export type SqlEndpoint = Endpoint & { readonly encrypted?: boolean };

/** One request and its response on a database connection, with their times (monotonic ns). */
export interface TimedRecord {
  /** Time of the request's first byte. */
  readonly startTs: number;
  /** Time of the response's last byte (of the request's, when no response comes). */
  readonly endTs: number;
}

/**
 * The columns every socket-tracer table starts with, in Pixie's order, then `latency`: time_ is
 * when the response ended (wall clock) and latency runs from the request's first byte to the
 * response's last. The table's own columns go between them.
 */
export function socketColumns(x: TimedRecord, ep: SqlEndpoint, clock: Clock, own: Row): Row {
  return {
    time_: clock.fromMonotonic(x.endTs),
    upid: ep.upid,
    remote_addr: ep.remoteAddr,
    remote_port: ep.remotePort,
    local_addr: ep.localAddr,
    local_port: ep.localPort,
    trace_role: ep.role,
    encrypted: ep.encrypted ?? false,
    ...own,
    latency: Math.max(0, Math.round(x.endTs - x.startTs)),
  };
}
