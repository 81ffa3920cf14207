import { TracedEndpoint, commonColumns } from '../../agent/src/protocols/common-columns';
import { Row } from '../../agent/src/transport/row';

/**
 * gRPC calls as http_events rows, in the shape the contract gives them (../shared/ARCHITECTURE.md,
 * "Contracts added for round two") and the agent's HTTP/2 row builder writes them: major_version
 * 2, minor_version 0, content_type 2, `:path` `/package.Service/Method`, headers as a JSON object
 * with the pseudo-headers and names in sorted order, trailers (`grpc-status`, `grpc-message`)
 * merged into resp_headers, HTTP status 200 whatever the call's status.
 */
export interface GrpcCall {
  readonly endpoint: TracedEndpoint;
  /** Wall-clock ns of the response's end. */
  readonly timeNs: bigint;
  /** `package.Service`. */
  readonly service: string;
  readonly method: string;
  /** The call's grpc-status. */
  readonly status: number;
  readonly latencyNs: number;
}

/** gRPC's status names, by code (grpc/doc/statuscodes.md). */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** A JSON object with its members in sorted order, as the agent writes HTTP/2 headers. */
function sortedJson(fields: Record<string, string>): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1))),
  );
}

/** The http_events row of one gRPC call. */
export function grpcRow(c: GrpcCall): Row {
  const row = commonColumns(c.endpoint, c.timeNs);
  const path = `/${c.service}/${c.method}`;
  const authority = `${c.endpoint.role === 1 ? c.endpoint.remoteAddr : c.endpoint.localAddr}:${c.endpoint.role === 1 ? c.endpoint.remotePort : c.endpoint.localPort}`;
  row.major_version = 2;
  row.minor_version = 0;
  row.content_type = 2;
  row.req_headers = sortedJson({
    ':authority': authority,
    ':method': 'POST',
    ':path': path,
    ':scheme': 'http',
    'content-type': 'application/grpc',
    te: 'trailers',
    'user-agent': 'grpc-python/1.51.1 grpc-c/29.0.0 (linux; chttp2)',
  });
  row.req_method = 'POST';
  row.req_path = path;
  row.req_body = '{}';
  row.req_body_size = 5;
  row.resp_headers = sortedJson({
    ':status': '200',
    'content-type': 'application/grpc',
    'grpc-status': String(c.status),
    ...(c.status === 0 ? {} : { 'grpc-message': GRPC_STATUS_NAMES[c.status] ?? 'error' }),
  });
  row.resp_status = 200;
  row.resp_message = 'OK';
  row.resp_body = c.status === 0 ? '{}' : '';
  row.resp_body_size = c.status === 0 ? 5 : 0;
  row.latency = c.latencyNs;
  return row;
}
