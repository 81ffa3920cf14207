/**
 * The byte layout of bpf/socket_trace.h, the contract between the eBPF programs and this agent.
 * `layout.test.ts` checks every number here against the header and the compiled object's BTF.
 */

/** A struct field: byte offset and size. */
export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

export interface StructLayout {
  readonly size: number;
  readonly fields: Readonly<Record<string, FieldLayout>>;
}

const f = (offset: number, size: number): FieldLayout => ({ offset, size });

export const PX_MAX_DATA = 16384;
export const PX_MAX_IOV = 64;
export const PX_MAX_MMSG = 4;
export const PX_INFER_BYTES = 512;
export const PX_INFER_TRIES = 8;
export const PX_REDIS_CMD_BYTES = 32;
export const PX_STATS_EVERY = 64 * 1024;
export const PX_INFER_SIDE_SHIFT = 8;
export const PX_INFER_MATCHES_SHIFT = 16;

export const EventKind = { OPEN: 1, CLOSE: 2, DATA: 3, STATS: 4, EXEC: 5 } as const;
export const Role = { UNKNOWN: 0, CLIENT: 1, SERVER: 2 } as const;
export const Direction = { EGRESS: 1, INGRESS: 2 } as const;
export const Side = { EITHER: 0, REQUEST: 1, RESPONSE: 2 } as const;
export const Transport = { TCP: 1, UDP: 2 } as const;
/** Pixie's traffic_protocol_t numbers (and the protocol column of conn_stats). */
export const Protocol = {
  UNKNOWN: 0,
  HTTP: 1,
  HTTP2: 2,
  MYSQL: 3,
  PGSQL: 5,
  DNS: 6,
  REDIS: 7,
} as const;
export const Syscall = {
  READ: 1,
  WRITE: 2,
  READV: 3,
  WRITEV: 4,
  SENDTO: 5,
  RECVFROM: 6,
  SENDMSG: 7,
  RECVMSG: 8,
  SENDMMSG: 9,
  RECVMMSG: 10,
  SSL_READ: 32,
  SSL_WRITE: 33,
} as const;
export const Stat = {
  RINGBUF_DROPS: 0,
  CONN_EVENTS: 1,
  DATA_EVENTS: 2,
  CONN_EVICTED: 3,
  UNCLASSIFIED: 4,
  DGRAMS_UNCAPTURED: 5,
  TLS_EVENTS: 6,
  TLS_NO_SOCKET: 7,
  TLS_UNTRACKED: 8,
  EXEC_EVENTS: 9,
} as const;
export const STAT_COUNT = 10;

/** The header's enums and defines, by their C names (the test compares them one by one). */
export const CONSTANTS: Readonly<Record<string, number>> = {
  PX_MAX_DATA,
  PX_MAX_IOV,
  PX_MAX_MMSG,
  PX_INFER_BYTES,
  PX_INFER_TRIES,
  PX_REDIS_CMD_BYTES,
  PX_STATS_EVERY,
  PX_INFER_SIDE_SHIFT,
  PX_INFER_MATCHES_SHIFT,
  PX_EVENT_OPEN: EventKind.OPEN,
  PX_EVENT_CLOSE: EventKind.CLOSE,
  PX_EVENT_DATA: EventKind.DATA,
  PX_EVENT_STATS: EventKind.STATS,
  PX_EVENT_EXEC: EventKind.EXEC,
  PX_ROLE_UNKNOWN: Role.UNKNOWN,
  PX_ROLE_CLIENT: Role.CLIENT,
  PX_ROLE_SERVER: Role.SERVER,
  PX_DIR_EGRESS: Direction.EGRESS,
  PX_DIR_INGRESS: Direction.INGRESS,
  PX_SIDE_EITHER: Side.EITHER,
  PX_SIDE_REQUEST: Side.REQUEST,
  PX_SIDE_RESPONSE: Side.RESPONSE,
  PX_TRANSPORT_TCP: Transport.TCP,
  PX_TRANSPORT_UDP: Transport.UDP,
  PX_PROTOCOL_UNKNOWN: Protocol.UNKNOWN,
  PX_PROTOCOL_HTTP: Protocol.HTTP,
  PX_PROTOCOL_HTTP2: Protocol.HTTP2,
  PX_PROTOCOL_MYSQL: Protocol.MYSQL,
  PX_PROTOCOL_PGSQL: Protocol.PGSQL,
  PX_PROTOCOL_DNS: Protocol.DNS,
  PX_PROTOCOL_REDIS: Protocol.REDIS,
  PX_STAT_RINGBUF_DROPS: Stat.RINGBUF_DROPS,
  PX_STAT_CONN_EVENTS: Stat.CONN_EVENTS,
  PX_STAT_DATA_EVENTS: Stat.DATA_EVENTS,
  PX_STAT_CONN_EVICTED: Stat.CONN_EVICTED,
  PX_STAT_UNCLASSIFIED: Stat.UNCLASSIFIED,
  PX_STAT_DGRAMS_UNCAPTURED: Stat.DGRAMS_UNCAPTURED,
  PX_STAT_TLS_EVENTS: Stat.TLS_EVENTS,
  PX_STAT_TLS_NO_SOCKET: Stat.TLS_NO_SOCKET,
  PX_STAT_TLS_UNTRACKED: Stat.TLS_UNTRACKED,
  PX_STAT_EXEC_EVENTS: Stat.EXEC_EVENTS,
  PX_STAT_COUNT: STAT_COUNT,
  ...Object.fromEntries(Object.entries(Syscall).map(([name, v]) => [`PX_SYS_${name}`, v])),
};

export const PX_CONFIG: StructLayout = {
  size: 8,
  fields: { agent_tgid: f(0, 4), capture_bytes: f(4, 4) },
};

export const PX_EVENT_HEADER: StructLayout = {
  size: 40,
  fields: {
    kind: f(0, 4),
    tgid: f(4, 4),
    fd: f(8, 4),
    role: f(12, 4),
    tsid: f(16, 8),
    ts_ns: f(24, 8),
    start_ticks: f(32, 8),
  },
};

export const PX_CONN_EVENT: StructLayout = {
  size: 104,
  fields: {
    hdr: f(0, 40),
    family: f(40, 2),
    local_port: f(42, 2),
    remote_port: f(44, 2),
    protocol: f(46, 2),
    local_addr: f(48, 16),
    remote_addr: f(64, 16),
    bytes_sent: f(80, 8),
    bytes_recv: f(88, 8),
    ssl: f(96, 1),
    transport: f(97, 1),
    _pad3: f(98, 6),
  },
};

export const PX_DATA_EVENT: StructLayout = {
  size: 88 + PX_MAX_DATA,
  fields: {
    hdr: f(0, 40),
    pos: f(40, 8),
    msg_size: f(48, 4),
    buf_size: f(52, 4),
    direction: f(56, 1),
    syscall: f(57, 1),
    protocol: f(58, 2),
    encrypted: f(60, 1),
    transport: f(61, 1),
    peer_port: f(62, 2),
    peer_family: f(64, 2),
    _pad2: f(66, 2),
    peer_addr: f(68, 16),
    _pad3: f(84, 4),
    data: f(88, PX_MAX_DATA),
  },
};

export const PX_INFER_BUF: StructLayout = {
  size: 16 + PX_INFER_BYTES,
  fields: {
    len: f(0, 4),
    local_port: f(4, 2),
    remote_port: f(6, 2),
    side: f(8, 1),
    transport: f(9, 1),
    _pad: f(10, 6),
    data: f(16, PX_INFER_BYTES),
  },
};

export const PX_EXEC_EVENT: StructLayout = {
  size: 88,
  fields: { hdr: f(0, 40), dev: f(40, 8), ino: f(48, 8), name: f(56, 32) },
};

/** Every contract struct by its C name. */
export const STRUCTS: Readonly<Record<string, StructLayout>> = {
  px_config: PX_CONFIG,
  px_event_header: PX_EVENT_HEADER,
  px_conn_event: PX_CONN_EVENT,
  px_data_event: PX_DATA_EVENT,
  px_exec_event: PX_EXEC_EVENT,
  px_infer_buf: PX_INFER_BUF,
};
