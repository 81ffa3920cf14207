/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one contract between pxgate's eBPF programs (socket_trace.bpf.c) and the agent's decoder
 * (agent/src/ebpf/layout.ts). Every struct has fixed-size fields and explicit padding, so the
 * layout is the same for clang -target bpf and for x86-64/arm64 user space. A test reads the
 * compiled object's BTF and checks it against layout.ts: change both together.
 */
#ifndef PXGATE_SOCKET_TRACE_H
#define PXGATE_SOCKET_TRACE_H

/* Capacity of one data event's payload; the captured size is set at load (px_config). */
#define PX_MAX_DATA 16384
/* iovecs gathered per readv/writev/recvmsg/sendmsg; bytes past them count but are not captured. */
#define PX_MAX_IOV 64
/* Datagrams reported per sendmmsg/recvmmsg; later ones count as PX_STAT_DGRAMS_UNCAPTURED. */
#define PX_MAX_MMSG 4
/* Bytes of a chunk that protocol inference reads (a power of two: indexes are masked by it). */
#define PX_INFER_BYTES 512
/* Chunks of a connection tried by inference before it is left unclassified. */
#define PX_INFER_TRIES 8
/* Longest Redis command name (with its subcommand) the inference table holds, NUL-padded. */
#define PX_REDIS_CMD_BYTES 32

enum px_event_kind {
	PX_EVENT_OPEN = 1,
	PX_EVENT_CLOSE = 2,
	PX_EVENT_DATA = 3,
	PX_EVENT_STATS = 4, /* byte totals of a connection, sent every PX_STATS_EVERY bytes */
	PX_EVENT_EXEC = 5,  /* a process exec'd or mapped an executable file (px_exec_event) */
};

/* Bytes moved on a connection between two STATS events (data events are not sent for
 * connections of no known protocol, so these carry their byte counts). */
#define PX_STATS_EVERY (64 * 1024)

/* Same numbers as Pixie's trace_role column. */
enum px_role {
	PX_ROLE_UNKNOWN = 0,
	PX_ROLE_CLIENT = 1,
	PX_ROLE_SERVER = 2,
};

enum px_direction {
	PX_DIR_EGRESS = 1,  /* written by the traced process */
	PX_DIR_INGRESS = 2, /* read by the traced process */
};

/* Which side of an exchange bytes are on; inference tries both when the role is unknown. */
enum px_side {
	PX_SIDE_EITHER = 0,
	PX_SIDE_REQUEST = 1,  /* what a client sends */
	PX_SIDE_RESPONSE = 2, /* what a server sends */
};

/* How a socket carries bytes (its sk_type). */
enum px_transport {
	PX_TRANSPORT_TCP = 1, /* SOCK_STREAM: one byte stream each way */
	PX_TRANSPORT_UDP = 2, /* SOCK_DGRAM: each datagram is a message */
};

/* Same numbers as Pixie's protocol column (its traffic_protocol_t). */
enum px_protocol {
	PX_PROTOCOL_UNKNOWN = 0,
	PX_PROTOCOL_HTTP = 1,
	PX_PROTOCOL_HTTP2 = 2, /* starts with the client's connection preface */
	PX_PROTOCOL_MYSQL = 3,
	PX_PROTOCOL_PGSQL = 5,
	PX_PROTOCOL_DNS = 6,
	PX_PROTOCOL_REDIS = 7,
};

enum px_syscall {
	PX_SYS_READ = 1,
	PX_SYS_WRITE = 2,
	PX_SYS_READV = 3,
	PX_SYS_WRITEV = 4,
	PX_SYS_SENDTO = 5,
	PX_SYS_RECVFROM = 6,
	PX_SYS_SENDMSG = 7,
	PX_SYS_RECVMSG = 8,
	PX_SYS_SENDMMSG = 9,
	PX_SYS_RECVMMSG = 10,
	/* Plaintext read through uprobes on a TLS library, not a syscall. */
	PX_SYS_SSL_READ = 32,
	PX_SYS_SSL_WRITE = 33,
};

/* Indexes of the per-CPU counters in the px_stats map. */
enum px_stat {
	PX_STAT_RINGBUF_DROPS = 0, /* events lost because the ring buffer was full */
	PX_STAT_CONN_EVENTS = 1,   /* open and close events submitted */
	PX_STAT_DATA_EVENTS = 2,   /* data events submitted */
	PX_STAT_CONN_EVICTED = 3,  /* connections replaced before their close was seen */
	PX_STAT_UNCLASSIFIED = 4,  /* connections whose first PX_INFER_TRIES chunks matched no protocol */
	PX_STAT_DGRAMS_UNCAPTURED = 5, /* datagrams of a sendmmsg/recvmmsg past PX_MAX_MMSG */
	PX_STAT_TLS_EVENTS = 6,    /* plaintext data events submitted (from SSL_* uprobes) */
	PX_STAT_TLS_NO_SOCKET = 7, /* SSL_* calls whose socket could not be told: plaintext lost */
	PX_STAT_TLS_UNTRACKED = 8, /* SSL_* calls on a socket not tracked (opened before tracing) */
	PX_STAT_EXEC_EVENTS = 9,   /* exec and executable-mapping events submitted */
	PX_STAT_COUNT = 10,
};

/* Tunables, written into .rodata before load: the object's only read-only global. */
struct px_config {
	__u32 agent_tgid;    /* the agent's own process, never traced */
	__u32 capture_bytes; /* bytes of each data chunk sent to user space, <= PX_MAX_DATA */
};

struct px_event_header {
	__u32 kind;        /* enum px_event_kind */
	__u32 tgid;        /* process id */
	__s32 fd;          /* socket file descriptor in that process */
	__u32 role;        /* enum px_role */
	__u64 tsid;        /* connection generation: CLOCK_MONOTONIC ns when tracing saw it open */
	__u64 ts_ns;       /* event time, CLOCK_MONOTONIC ns */
	__u64 start_ticks; /* process start, clock ticks since boot: the UPID's low half */
};

/* Sent when a traced process connects or accepts (OPEN), closes the socket (CLOSE), and every
 * PX_STATS_EVERY bytes (STATS). */
struct px_conn_event {
	struct px_event_header hdr;
	__u16 family;      /* AF_INET or AF_INET6 */
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
	__u16 protocol;    /* enum px_protocol, as inferred so far */
	__u8 local_addr[16];  /* network order; IPv4 in the first 4 bytes */
	__u8 remote_addr[16]; /* network order; IPv4 in the first 4 bytes */
	__u64 bytes_sent;     /* totals so far (CLOSE: final) */
	__u64 bytes_recv;
	__u8 ssl;             /* the connection began with a TLS record, or SSL_* plaintext was seen */
	__u8 transport;       /* enum px_transport */
	__u8 _pad3[6];
};

/* One chunk of a connection's byte stream: the first capture_bytes of what one syscall moved
 * (gathered across its iovecs); on a datagram socket, one datagram. */
struct px_data_event {
	struct px_event_header hdr;
	__u64 pos;      /* bytes of this direction before this chunk */
	__u32 msg_size; /* bytes the syscall (or the datagram) moved */
	__u32 buf_size; /* bytes captured in data[], <= msg_size */
	__u8 direction; /* enum px_direction */
	__u8 syscall;   /* enum px_syscall */
	__u16 protocol; /* enum px_protocol */
	__u8 encrypted; /* 1: TLS plaintext from SSL_* (pos counts plaintext bytes), 0: raw bytes */
	__u8 transport; /* enum px_transport */
	/* A datagram's peer, from the call's address (msg_name, src_addr, dest_addr); family 0
	 * when the call gave none (a stream, or a connected socket: its peer is the connection's). */
	__u16 peer_port;    /* host byte order */
	__u16 peer_family;
	__u8 _pad2[2];
	__u8 peer_addr[16]; /* network order; IPv4 in the first 4 bytes */
	__u32 _pad3;
	__u8 data[PX_MAX_DATA];
};

/* Sent when a traced process execs (the new executable) or maps a file executable (a shared
 * library): the agent looks there for TLS libraries to attach uprobes to. hdr.fd is -1. */
struct px_exec_event {
	struct px_event_header hdr;
	__u64 dev;     /* the file's device, the kernel's encoding (major << 20 | minor) */
	__u64 ino;     /* the file's inode number */
	char name[32]; /* its name (the last part of its path), cut to 31 bytes, NUL-terminated */
};

/* px_infer's answer in one u32: the protocol (low byte), the side it was found on (next byte),
 * and a bit (1 << protocol) for every protocol whose check the bytes passed (high half). */
#define PX_INFER_SIDE_SHIFT 8
#define PX_INFER_MATCHES_SHIFT 16

/* What protocol inference reads: the first bytes of one chunk and what is known around them. */
struct px_infer_buf {
	__u32 len;         /* bytes the chunk holds (data[] has the first PX_INFER_BYTES of them) */
	__u16 local_port;  /* ports, as hints between protocols that the bytes both fit */
	__u16 remote_port;
	__u8 side;         /* enum px_side */
	__u8 transport;    /* enum px_transport */
	__u8 _pad[6];
	__u8 data[PX_INFER_BYTES];
};

#endif /* PXGATE_SOCKET_TRACE_H */
