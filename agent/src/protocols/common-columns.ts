import { CellValue } from '../transport/row';
import { Endpoint } from './http/http-rows';

/**
 * The connection a record travelled on, with whether its bytes were decrypted (TLS) before the
 * agent read them. `encrypted` is optional until every tracker reports it; absent means false.
 */
export type TracedEndpoint = Endpoint & { readonly encrypted?: boolean };

/**
 * A row with the columns every socket-tracer table starts with, in Pixie's order: `time_, upid,
 * remote_addr, remote_port, local_addr, local_port, trace_role, encrypted`. The caller assigns
 * its table's own columns to it (assigning, not spreading it into a literal: a spread object
 * costs V8 some 500 times as much per row).
 */
export function commonColumns(ep: TracedEndpoint, time: bigint): Record<string, CellValue> {
  return {
    time_: time,
    upid: ep.upid,
    remote_addr: ep.remoteAddr,
    remote_port: ep.remotePort,
    local_addr: ep.localAddr,
    local_port: ep.localPort,
    trace_role: ep.role,
    encrypted: ep.encrypted ?? false,
  };
}
