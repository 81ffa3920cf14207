import { ColumnSchema, DataType, SemanticType, TableSchema } from './types';

function col(
  name: string,
  type: DataType,
  semanticType: SemanticType,
  description: string,
): ColumnSchema {
  return { name, type, semanticType, description };
}

const time = col('time_', 'TIME64NS', 'ST_NONE', 'Timestamp when the data record was collected.');
const upid = col(
  'upid',
  'UINT128',
  'ST_UPID',
  'An opaque numeric ID that globally identifies a running process.',
);
const remoteAddr = col(
  'remote_addr',
  'STRING',
  'ST_IP_ADDRESS',
  'IP address of the remote endpoint.',
);
const remotePort = col('remote_port', 'INT64', 'ST_PORT', 'Port of the remote endpoint.');
const localAddr = col('local_addr', 'STRING', 'ST_IP_ADDRESS', 'IP address of the local endpoint.');
const localPort = col('local_port', 'INT64', 'ST_PORT', 'Port of the local endpoint.');
const traceRole = col(
  'trace_role',
  'INT64',
  'ST_NONE',
  'The role (1 client, 2 server) of the process that owns the connection.',
);
const encrypted = col(
  'encrypted',
  'BOOLEAN',
  'ST_NONE',
  'If the protocol trace happened over an encrypted connection.',
);
const latency = col('latency', 'INT64', 'ST_DURATION_NS', 'Request-response latency.');

/** The columns every socket-tracer table starts with, in Pixie's order. */
const SOCKET_COLUMNS: readonly ColumnSchema[] = [
  time,
  upid,
  remoteAddr,
  remotePort,
  localAddr,
  localPort,
  traceRole,
  encrypted,
];

function string(name: string, description: string): ColumnSchema {
  return col(name, 'STRING', 'ST_NONE', description);
}

/** Pixie's `http_events` (socket_tracer/http_table.h). */
export const HTTP_EVENTS: TableSchema = {
  name: 'http_events',
  description: 'HTTP request-response pair events',
  builtin: true,
  columns: [
    ...SOCKET_COLUMNS,
    col('major_version', 'INT64', 'ST_NONE', 'HTTP major version, can be 1 or 2'),
    col(
      'minor_version',
      'INT64',
      'ST_NONE',
      'HTTP minor version, HTTP1 uses 1, HTTP2 set this value to 0',
    ),
    col('content_type', 'INT64', 'ST_NONE', 'Type of the HTTP payload (0 unknown, 1 JSON, 2 gRPC)'),
    col('req_headers', 'STRING', 'ST_NONE', 'Request headers in JSON format'),
    col('req_method', 'STRING', 'ST_HTTP_REQ_METHOD', 'HTTP request method (e.g. GET, POST, ...)'),
    col('req_path', 'STRING', 'ST_NONE', 'Request path'),
    col('req_body', 'STRING', 'ST_NONE', 'Request body in JSON format'),
    col('req_body_size', 'INT64', 'ST_BYTES', 'Request body size (before any truncation)'),
    col('resp_headers', 'STRING', 'ST_NONE', 'Response headers in JSON format'),
    col('resp_status', 'INT64', 'ST_HTTP_RESP_STATUS', 'HTTP response status code'),
    col(
      'resp_message',
      'STRING',
      'ST_HTTP_RESP_MESSAGE',
      'HTTP response status text (e.g. OK, Not Found, ...)',
    ),
    col('resp_body', 'STRING', 'ST_NONE', 'Response body in JSON format'),
    col('resp_body_size', 'INT64', 'ST_BYTES', 'Response body size (before any truncation)'),
    col(
      'latency',
      'INT64',
      'ST_DURATION_NS',
      'The time between the request start and the response end.',
    ),
  ],
};

/** Pixie's `conn_stats` (socket_tracer/conn_stats_table.h). */
export const CONN_STATS: TableSchema = {
  name: 'conn_stats',
  description: 'Connection-level stats between client-server pairs.',
  builtin: true,
  columns: [
    time,
    upid,
    remoteAddr,
    remotePort,
    traceRole,
    col('addr_family', 'INT64', 'ST_NONE', 'The socket address family of the connection.'),
    col('protocol', 'INT64', 'ST_NONE', 'The protocol of the traffic on the connections.'),
    col('ssl', 'BOOLEAN', 'ST_NONE', 'Was SSL traffic detected on this connection.'),
    col(
      'conn_open',
      'INT64',
      'ST_NONE',
      'The number of connections opened since the beginning of tracing.',
    ),
    col(
      'conn_close',
      'INT64',
      'ST_NONE',
      'The number of connections closed since the beginning of tracing.',
    ),
    col('conn_active', 'INT64', 'ST_NONE', 'The number of active connections'),
    col('bytes_sent', 'INT64', 'ST_BYTES', 'The number of bytes sent to the remote endpoint(s).'),
    col(
      'bytes_recv',
      'INT64',
      'ST_BYTES',
      'The number of bytes received from the remote endpoint(s).',
    ),
  ],
};

/** Pixie's `process_stats` (process_stats/process_stats_table.h). */
export const PROCESS_STATS: TableSchema = {
  name: 'process_stats',
  description: 'CPU, memory and IO stats for all processes.',
  builtin: true,
  columns: [
    time,
    upid,
    col('major_faults', 'INT64', 'ST_NONE', 'Number of major page faults'),
    col('minor_faults', 'INT64', 'ST_NONE', 'Number of minor page faults'),
    col('cpu_utime_ns', 'INT64', 'ST_DURATION_NS', 'Time spent on user space by the process'),
    col('cpu_ktime_ns', 'INT64', 'ST_DURATION_NS', 'Time spent on kernel by the process'),
    col('num_threads', 'INT64', 'ST_NONE', 'Number of threads of the process'),
    col('vsize_bytes', 'INT64', 'ST_BYTES', 'Virtual memory size in bytes of the process'),
    col('rss_bytes', 'INT64', 'ST_BYTES', 'Resident memory size in bytes of the process'),
    col('rchar_bytes', 'INT64', 'ST_BYTES', 'IO reads in bytes of the process'),
    col('wchar_bytes', 'INT64', 'ST_BYTES', 'IO writes in bytes of the process'),
    col(
      'read_bytes',
      'INT64',
      'ST_BYTES',
      'IO reads actually go to storage layer in bytes of the process',
    ),
    col(
      'write_bytes',
      'INT64',
      'ST_BYTES',
      'IO writes actually go to storage layer in bytes of the process',
    ),
  ],
};

/** Pixie's `network_stats` (network_stats/network_stats_table.h). */
export const NETWORK_STATS: TableSchema = {
  name: 'network_stats',
  description: 'Network-layer RX/TX stats, grouped by pod (network namespace).',
  builtin: true,
  columns: [
    time,
    col('pod_id', 'STRING', 'ST_NONE', 'The ID of the pod'),
    col('rx_bytes', 'INT64', 'ST_BYTES', 'Received network traffic in bytes of the pod'),
    col('rx_packets', 'INT64', 'ST_NONE', 'Number of received network packets of the pod'),
    col('rx_errors', 'INT64', 'ST_NONE', 'Number of network receive errors of the pod'),
    col(
      'rx_drops',
      'INT64',
      'ST_NONE',
      'Number of dropped network packets being received of the pod',
    ),
    col('tx_bytes', 'INT64', 'ST_BYTES', 'Transmitted network traffic of the pod'),
    col('tx_packets', 'INT64', 'ST_NONE', 'Number of transmitted network packets of the pod'),
    col('tx_errors', 'INT64', 'ST_NONE', 'Number of network transmit errors of the pod'),
    col(
      'tx_drops',
      'INT64',
      'ST_NONE',
      'Number of dropped network packets being transmitted of the pod',
    ),
  ],
};

/** Pixie's `dns_events` (socket_tracer/dns_table.h): headers and bodies as Pixie's JSON. */
export const DNS_EVENTS: TableSchema = {
  name: 'dns_events',
  description: 'DNS request-response pair events',
  builtin: true,
  columns: [
    ...SOCKET_COLUMNS,
    string('req_header', 'Request header'),
    string('req_body', 'Request'),
    string('resp_header', 'Response header'),
    string('resp_body', 'Response'),
    latency,
  ],
};

/** Pixie's `pgsql_events` (socket_tracer/pgsql_table.h). */
export const PGSQL_EVENTS: TableSchema = {
  name: 'pgsql_events',
  description: 'Postgres (pgsql) request-response pair events',
  builtin: true,
  columns: [
    ...SOCKET_COLUMNS,
    string('req_cmd', 'PostgreSQL request command code'),
    string('req', 'PostgreSQL request body'),
    string('resp', 'PostgreSQL response body'),
    latency,
  ],
};

/** Pixie's `mysql_events` (socket_tracer/mysql_table.h): the command byte and Pixie's RespStatus. */
export const MYSQL_EVENTS: TableSchema = {
  name: 'mysql_events',
  description: 'MySQL request-response pair events',
  builtin: true,
  columns: [
    ...SOCKET_COLUMNS,
    col('req_cmd', 'INT64', 'ST_NONE', 'MySQL request command'),
    string('req_body', 'MySQL request body'),
    col('resp_status', 'INT64', 'ST_NONE', 'MySQL response status code'),
    string('resp_body', 'MySQL response body'),
    latency,
  ],
};

/** Pixie's `redis_events` (socket_tracer/redis_table.h). */
export const REDIS_EVENTS: TableSchema = {
  name: 'redis_events',
  description: 'Redis request-response pair events',
  builtin: true,
  columns: [
    ...SOCKET_COLUMNS,
    string('req_cmd', 'Request command. See https://redis.io/commands.'),
    string('req_args', 'Request command arguments.'),
    string('resp', 'Response message.'),
    latency,
  ],
};

/** The tables every gateway has from the start, in Pixie's order. */
export const BUILTIN_SCHEMAS: readonly TableSchema[] = [
  HTTP_EVENTS,
  CONN_STATS,
  PROCESS_STATS,
  NETWORK_STATS,
  DNS_EVENTS,
  PGSQL_EVENTS,
  MYSQL_EVENTS,
  REDIS_EVENTS,
];
