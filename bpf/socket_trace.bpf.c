// SPDX-License-Identifier: Apache-2.0
/*
 * pxgate's socket tracer: CO-RE programs on syscall tracepoints only (no kprobes), so they load on
 * any kernel with BTF and syscall tracepoints.
 *
 * A TCP socket is tracked from the connect() or accept() that the tracer sees (role client or
 * server) until its close(). A socket the tracer did not see open (a datagram socket, a TCP
 * connection accepted by a parent process or opened before the agent) is tracked from the first
 * sendto, recvfrom, sendmsg, recvmsg, sendmmsg or recvmmsg whose bytes are of a known protocol;
 * its role follows from which side of that protocol the bytes were. Data calls (read, write,
 * readv, writev and those) are stashed at entry and reported at exit, when the byte count is
 * known: one data event per buffer (per datagram on a datagram socket) with the first
 * capture_bytes bytes, and byte totals on the connection. Until a connection's protocol is known,
 * its first chunks go through protocol inference (protocol_inference.h); connections of no known
 * protocol are counted but their bytes stay in the kernel. TLS connections are read as plaintext
 * through uprobes on the TLS library (tls_trace.bpf.h) and their ciphertext is never sent.
 * Events go through one ring buffer;
 * when it is full, the event is dropped and counted (px_stats), never waited for.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "socket_trace.h"
#include "protocol_inference.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EINPROGRESS 115
#define NSEC_PER_TICK (1000000000ULL / 100) /* USER_HZ is 100 on every Linux ABI we target */

const volatile struct px_config px_cfg = { .agent_tgid = 0, .capture_bytes = 4096 };

/* Kernel-only state of a tracked socket; user space sees it through px_conn_event. */
struct conn_state {
	__u64 tsid;
	__u64 start_ticks;
	__u64 bytes_sent;
	__u64 bytes_recv;
	__u64 reported_bytes;
	__u32 role;
	__u16 family;
	__u16 local_port;
	__u16 remote_port;
	__u16 protocol;
	__u8 transport;
	__u8 infer_tries; /* chunks inference has seen without naming a protocol */
	__u8 tls; /* began with a TLS record, or SSL_* plaintext was seen on it */
	__u8 tls_classified;
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__u64 tls_sent;     /* plaintext bytes written through SSL_* */
	__u64 tls_recv;     /* plaintext bytes read through SSL_* */
	__u16 tls_protocol; /* enum px_protocol of the plaintext */
	__u8 _pad2[6];
};

/* What a data syscall's entry leaves for its exit. */
struct data_args {
	__u64 conn_key;
	__u64 enter_ns;
	const void *buf;  /* plain buffer, the iovec array, or the mmsghdr array */
	const void *addr; /* the call's sockaddr (dest_addr, src_addr, msg_name), or NULL */
	__u64 iovcnt;     /* iovecs (0 for a plain buffer); messages for sendmmsg/recvmmsg */
	__u8 syscall;
	__u8 direction;
	__u8 untracked; /* not a tracked socket (yet): inference may start tracking it */
	__u8 _pad[5];
};

/* One buffer of a call: a datagram of sendmmsg/recvmmsg, or all the call moved. */
struct chunk {
	const void *buf;
	const void *addr;
	__u64 iovcnt;
	__u64 size;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* tgid << 32 | fd */
	__type(value, struct conn_state);
} px_conns SEC(".maps");

/* Sockets that are not tracked and are not worth trying again: not inet, or of no protocol
 * after PX_INFER_TRIES chunks (the value counts the tries). Cleared when the fd is closed. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* tgid << 32 | fd */
	__type(value, __u8);
} px_skip SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid of the calling thread */
	__type(value, struct data_args);
} px_data_args SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid of the calling thread */
	__type(value, __s32); /* the connecting fd */
} px_connect_args SEC(".maps");

/* Per-CPU array values are limited to 32 KiB; the scratch value fills it. */
#define PX_SCRATCH_SIZE 32768
#define PX_SPILL (PX_SCRATCH_SIZE - sizeof(struct px_data_event))

/* Where a data event is assembled; the spill area after it lets the verifier prove that a copy
 * at a variable offset stays inside the value (only the event's captured bytes are sent). */
struct px_scratch {
	struct px_data_event ev;
	__u8 spill[PX_SPILL];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct px_scratch);
} px_scratch SEC(".maps");

/* Where inference's bytes are gathered (with the same kind of spill area), and what the slow
 * path's second program needs from its first. */
struct px_infer_scratch {
	__u64 sk; /* the socket of an untracked descriptor, 0 for a tracked one */
	struct px_infer_buf buf;
	__u8 spill[PX_INFER_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct px_infer_scratch);
} px_infer_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PX_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} px_stats SEC(".maps");

/* Its size is set by the agent before load (ringBufferMb). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} px_events SEC(".maps");

static __always_inline void count(__u32 stat, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&px_stats, &stat);
	if (v)
		*v += n;
}

static __always_inline void submit(void *event, __u64 size, __u32 stat)
{
	/* Nobody sleeps on the ring (the agent polls it on a timer), so skip the wakeup. */
	if (bpf_ringbuf_output(&px_events, event, size, BPF_RB_NO_WAKEUP) == 0)
		count(stat, 1);
	else
		count(PX_STAT_RINGBUF_DROPS, 1);
}

/* Returns the current tgid, or 0 when this process must not be traced. */
static __always_inline __u32 traced_tgid(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	return tgid == px_cfg.agent_tgid ? 0 : tgid;
}

static __always_inline __u64 conn_key(__u32 tgid, __s32 fd)
{
	return ((__u64)tgid << 32) | (__u32)fd;
}

/* The process's start time in clock ticks since boot, as /proc/PID/stat field 22 shows it. */
static __always_inline __u64 process_start_ticks(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, group_leader, start_boottime) / NSEC_PER_TICK;
}

/* The open file behind a descriptor of the current process, or NULL. */
static __always_inline struct file *file_of_fd(__s32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* The kernel socket behind a descriptor of the current process, or NULL if it is not one. */
static __always_inline struct sock *sock_of_fd(__s32 fd)
{
	struct file *file = file_of_fd(fd);
	if (!file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *socket = BPF_CORE_READ(file, private_data);
	return BPF_CORE_READ(socket, sk);
}

/* The transport of an inet stream or datagram socket, or 0 for any other socket. */
static __always_inline __u8 sock_transport(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	__u16 type = BPF_CORE_READ(sk, sk_type);
	if (type == SOCK_STREAM)
		return PX_TRANSPORT_TCP;
	return type == SOCK_DGRAM ? PX_TRANSPORT_UDP : 0;
}

/* A new connection's state from its socket: addresses and ports as the kernel holds them. */
static __always_inline void conn_from_sock(struct conn_state *c, struct sock *sk, __u32 role,
					   __u8 transport)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	c->tsid = bpf_ktime_get_ns();
	c->start_ticks = process_start_ticks();
	c->role = role;
	c->transport = transport;
	c->family = family;
	c->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	c->remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		bpf_core_read(c->local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(c->remote_addr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(c->local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(c->remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline void fill_header(struct px_event_header *h, __u32 kind, __u64 key,
					const struct conn_state *c, __u64 ts)
{
	h->kind = kind;
	h->tgid = key >> 32;
	h->fd = (__s32)key;
	h->role = c->role;
	h->tsid = c->tsid;
	h->ts_ns = ts;
	h->start_ticks = c->start_ticks;
}

static __always_inline void emit_conn_event(__u32 kind, __u64 key, const struct conn_state *c)
{
	struct px_conn_event ev = {};
	fill_header(&ev.hdr, kind, key, c, bpf_ktime_get_ns());
	ev.family = c->family;
	ev.local_port = c->local_port;
	ev.remote_port = c->remote_port;
	ev.protocol = c->protocol;
	__builtin_memcpy(ev.local_addr, c->local_addr, 16);
	__builtin_memcpy(ev.remote_addr, c->remote_addr, 16);
	ev.bytes_sent = c->bytes_sent;
	ev.bytes_recv = c->bytes_recv;
	ev.ssl = c->tls;
	ev.transport = c->transport;
	submit(&ev, sizeof(ev), PX_STAT_CONN_EVENTS);
}

/* Tracks `c` under `key` and says so (OPEN), closing what the key held before. */
static __always_inline void start_tracking(__u64 key, struct conn_state *c)
{
	struct conn_state *old = bpf_map_lookup_elem(&px_conns, &key);
	if (old) {
		/* The descriptor was reused without a close we saw (dup2, close_range, ...). */
		emit_conn_event(PX_EVENT_CLOSE, key, old);
		count(PX_STAT_CONN_EVICTED, 1);
	}
	bpf_map_update_elem(&px_conns, &key, c, BPF_ANY);
	emit_conn_event(PX_EVENT_OPEN, key, c);
}

/* Starts tracking fd as a TCP connection in the given role, if it is one. */
static __always_inline void open_conn(__u32 tgid, __s32 fd, __u32 role)
{
	struct sock *sk = sock_of_fd(fd);
	if (!sk || sock_transport(sk) != PX_TRANSPORT_TCP)
		return;
	struct conn_state c = {};
	conn_from_sock(&c, sk, role, PX_TRANSPORT_TCP);
	__u64 key = conn_key(tgid, fd);
	bpf_map_delete_elem(&px_skip, &key);
	start_tracking(key, &c);
}

SEC("tracepoint/syscalls/sys_enter_connect")
int px_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	if (!traced_tgid())
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	__s32 fd = (__s32)ctx->args[0];
	bpf_map_update_elem(&px_connect_args, &id, &fd, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int px_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__s32 *fd = bpf_map_lookup_elem(&px_connect_args, &id);
	if (!fd)
		return 0;
	/* Non-blocking sockets (Node, most servers) answer EINPROGRESS with the ports bound. */
	if (ctx->ret == 0 || ctx->ret == -EINPROGRESS)
		open_conn(id >> 32, *fd, PX_ROLE_CLIENT);
	bpf_map_delete_elem(&px_connect_args, &id);
	return 0;
}

static __always_inline int on_accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tgid = traced_tgid();
	if (!tgid || ctx->ret < 0)
		return 0;
	open_conn(tgid, (__s32)ctx->ret, PX_ROLE_SERVER);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int px_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int px_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_close")
int px_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid = traced_tgid();
	if (!tgid)
		return 0;
	__u64 key = conn_key(tgid, (__s32)ctx->args[0]);
	struct conn_state *c = bpf_map_lookup_elem(&px_conns, &key);
	if (!c) {
		bpf_map_delete_elem(&px_skip, &key);
		return 0;
	}
	emit_conn_event(PX_EVENT_CLOSE, key, c);
	bpf_map_delete_elem(&px_conns, &key);
	return 0;
}

/*
 * Stashes a data call's arguments when its descriptor is a tracked connection; with
 * `may_track` (the socket calls), also when it is not tracked and not known to be skipped.
 */
static __always_inline void stash_data_args(__s32 fd, const void *buf, __u64 iovcnt,
					    const void *addr, __u8 syscall, __u8 direction,
					    bool may_track)
{
	__u32 tgid = traced_tgid();
	if (!tgid)
		return;
	__u64 key = conn_key(tgid, fd);
	bool tracked = bpf_map_lookup_elem(&px_conns, &key) != NULL;
	if (!tracked) {
		if (!may_track)
			return;
		__u8 *tries = bpf_map_lookup_elem(&px_skip, &key);
		if (tries && *tries >= PX_INFER_TRIES)
			return;
	}
	struct data_args a = {};
	a.conn_key = key;
	a.enter_ns = bpf_ktime_get_ns();
	a.buf = buf;
	a.addr = addr;
	a.iovcnt = iovcnt;
	a.syscall = syscall;
	a.direction = direction;
	a.untracked = !tracked;
	__u64 id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&px_data_args, &id, &a, BPF_ANY);
}

/* Same, for sendmsg/recvmsg: the iovec array and the peer address live in the user's msghdr. */
static __always_inline void stash_msg_args(__s32 fd, const struct user_msghdr *msg, __u8 syscall,
					   __u8 direction)
{
	struct user_msghdr m = {};
	if (bpf_probe_read_user(&m, sizeof(m), msg) != 0)
		return;
	stash_data_args(fd, m.msg_iov, m.msg_iovlen, m.msg_name, syscall, direction, true);
}

/* How many of len bytes to capture: capture_bytes at most, and provably <= PX_MAX_DATA. */
static __always_inline __u64 capture_size(__u64 len)
{
	__u64 cap = len < px_cfg.capture_bytes ? len : px_cfg.capture_bytes;
	/* The clamp is written in asm so that clang cannot move the bound check to another
	 * register than the one it passes to the helper (the verifier tracks registers). */
	asm volatile("if %[cap] <= %[max] goto +1\n\t"
		     "%[cap] = %[max]"
		     : [cap] "+r"(cap)
		     : [max] "i"(PX_MAX_DATA));
	return cap;
}

/* Keeps a value within [0, max] in the very register the next helper call uses (see above). */
#define CLAMP(v, max)                                                                          \
	asm volatile("if %[x] <= %[m] goto +1\n\t"                                             \
		     "%[x] = %[m]"                                                             \
		     : [x] "+r"(v)                                                             \
		     : [m] "i"(max))

/*
 * Copies the first `limit` bytes of a chunk into `dst`, from one buffer or gathered across its
 * iovecs (at most `max_iov`), and returns how many it copied. `dst` must be followed by `spill`
 * bytes of the same map value: off < dst_max and len <= spill keep every copy inside it, which
 * off + len <= limit guarantees anyway; the clamps restate that in a form the verifier checks.
 * Only a single iovec longer than the spill is cut, and then the copy stops there, so the
 * copied bytes stay contiguous.
 */
#define GATHER(dst, dst_max, spill, max_iov, ch, limit, copied)                                  \
	do {                                                                                      \
		if ((ch)->iovcnt == 0) {                                                          \
			__u64 n_ = (limit);                                                       \
			CLAMP(n_, dst_max);                                                       \
			if (bpf_probe_read_user((dst), n_, (ch)->buf) == 0)                       \
				copied = n_;                                                      \
			break;                                                                    \
		}                                                                                 \
		const struct iovec *iovs_ = (ch)->buf;                                            \
		for (int i_ = 0; i_ < (max_iov); i_++) {                                          \
			if (i_ >= (ch)->iovcnt || copied >= (limit))                              \
				break;                                                            \
			struct iovec iov_ = {};                                                   \
			if (bpf_probe_read_user(&iov_, sizeof(iov_), &iovs_[i_]) != 0)            \
				break;                                                            \
			__u64 len_ = (limit) - copied;                                            \
			if (iov_.iov_len < len_)                                                  \
				len_ = iov_.iov_len;                                              \
			bool cut_ = len_ > (spill);                                               \
			__u64 off_ = copied;                                                      \
			CLAMP(off_, (dst_max) - 1);                                               \
			CLAMP(len_, spill);                                                       \
			if (bpf_probe_read_user((dst) + off_, len_, iov_.iov_base) != 0)          \
				break;                                                            \
			copied += len_;                                                           \
			if (cut_)                                                                 \
				break;                                                            \
		}                                                                                 \
	} while (0)

/* A datagram's peer from the call's sockaddr (IPv4 or IPv6), into the event. */
static __always_inline void read_peer(struct px_data_event *ev, const void *addr)
{
	ev->peer_family = 0;
	ev->peer_port = 0;
	__builtin_memset(ev->_pad2, 0, sizeof(ev->_pad2));
	__builtin_memset(ev->peer_addr, 0, sizeof(ev->peer_addr));
	ev->_pad3 = 0;
	if (!addr)
		return;
	struct sockaddr_in6 sa = {};
	if (bpf_probe_read_user(&sa, sizeof(sa), addr) != 0)
		return;
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;
		__builtin_memcpy(ev->peer_addr, &in->sin_addr, 4);
	} else if (sa.sin6_family == AF_INET6) {
		__builtin_memcpy(ev->peer_addr, &sa.sin6_addr, 16);
	} else {
		return;
	}
	ev->peer_family = sa.sin6_family;
	ev->peer_port = __builtin_bswap16(sa.sin6_port);
}

/*
 * Sends one data event for a chunk: `ch->size` bytes moved at stream position `pos`, of which
 * the first capture_bytes are copied (one event per syscall, or per datagram, keeps the ring and
 * the agent's work per request small).
 */
static __always_inline void emit_data(__u64 key, const struct conn_state *c,
				      const struct data_args *a, const struct chunk *ch, __u64 ts,
				      __u64 pos, __u16 protocol,
				      __u8 encrypted)
{
	__u32 zero = 0;
	struct px_scratch *sc = bpf_map_lookup_elem(&px_scratch, &zero);
	if (!sc)
		return;
	struct px_data_event *ev = &sc->ev;
	fill_header(&ev->hdr, PX_EVENT_DATA, key, c, ts);
	ev->pos = pos;
	ev->msg_size = ch->size;
	ev->direction = a->direction;
	ev->syscall = a->syscall;
	ev->protocol = protocol;
	ev->encrypted = encrypted;
	ev->transport = c->transport;
	/* A connected socket's peer is the connection's (recvmsg names it all the same). */
	if (c->transport == PX_TRANSPORT_UDP && c->remote_port == 0)
		read_peer(ev, ch->addr);
	else
		read_peer(ev, NULL);
	__u64 limit = capture_size(ch->size);
	__u64 captured = 0;
	GATHER(ev->data, PX_MAX_DATA, PX_SPILL, PX_MAX_IOV, ch, limit, captured);
	CLAMP(captured, PX_MAX_DATA);
	ev->buf_size = captured;
	submit(ev, offsetof(struct px_data_event, data) + captured,
	       encrypted ? PX_STAT_TLS_EVENTS : PX_STAT_DATA_EVENTS);
}

#include "tls_trace.bpf.h"

/* The port a datagram came from or went to, when the call named one. */
static __always_inline __u16 peer_port_of(const void *addr)
{
	struct sockaddr_in sa = {};
	if (!addr || bpf_probe_read_user(&sa, sizeof(sa), addr) != 0)
		return 0;
	if (sa.sin_family != AF_INET && sa.sin_family != AF_INET6)
		return 0;
	return __builtin_bswap16(sa.sin_port);
}

/* The side bytes moving this way are on, for a socket of this role. */
static __always_inline __u8 side_of(__u32 role, bool egress)
{
	return (role == PX_ROLE_CLIENT) == egress ? PX_SIDE_REQUEST : PX_SIDE_RESPONSE;
}

/* One chunk of a tracked connection: totals, its data when the protocol is known, and a STATS
 * event every PX_STATS_EVERY bytes. */
static __always_inline void on_chunk(__u64 key, const struct data_args *a, const struct chunk *ch)
{
	struct conn_state *c = bpf_map_lookup_elem(&px_conns, &key);
	if (!c)
		return;
	bool egress = a->direction == PX_DIR_EGRESS;
	__u64 pos = __sync_fetch_and_add(egress ? &c->bytes_sent : &c->bytes_recv, ch->size);

	/* Egress is stamped when the write started, ingress when the read returned. A TLS
	 * connection's bytes are ciphertext: its plaintext comes from the SSL_* uprobes. */
	if (c->tls) {
		tls_on_socket_data(key, c, a->direction);
	} else if (c->protocol != PX_PROTOCOL_UNKNOWN) {
		__u64 ts = egress ? a->enter_ns : bpf_ktime_get_ns();
		emit_data(key, c, a, ch, ts, pos, c->protocol, 0);
	}

	__u64 total = c->bytes_sent + c->bytes_recv;
	if (total - c->reported_bytes >= PX_STATS_EVERY) {
		c->reported_bytes = total;
		emit_conn_event(PX_EVENT_STATS, key, c);
	}
}

/* Datagram i of a sendmmsg/recvmmsg vector, as a chunk; false when it cannot be read. */
static __always_inline bool mmsg_chunk(const struct data_args *a, int i, struct chunk *ch)
{
	const struct mmsghdr *vec = a->buf;
	struct mmsghdr m = {};
	if (bpf_probe_read_user(&m, sizeof(m), &vec[i]) != 0)
		return false;
	ch->buf = m.msg_hdr.msg_iov;
	ch->addr = m.msg_hdr.msg_name;
	ch->iovcnt = m.msg_hdr.msg_iovlen;
	ch->size = m.msg_len;
	return true;
}

/* The chunks of a call that returned `ret`: one, or each of the first PX_MAX_MMSG datagrams of
 * a sendmmsg/recvmmsg. */
static __always_inline void on_chunks(__u64 key, const struct data_args *a, long ret, bool mmsg)
{
	if (!mmsg) {
		struct chunk ch = { .buf = a->buf, .addr = a->addr, .iovcnt = a->iovcnt, .size = ret };
		on_chunk(key, a, &ch);
		return;
	}
	for (int i = 0; i < PX_MAX_MMSG; i++) {
		struct chunk ch = {};
		if (i >= ret || !mmsg_chunk(a, i, &ch))
			return;
		on_chunk(key, a, &ch);
	}
	if (ret > PX_MAX_MMSG)
		count(PX_STAT_DGRAMS_UNCAPTURED, ret - PX_MAX_MMSG);
}

/* Whether a call's first bytes must go through inference: the socket is not tracked yet, or
 * its protocol is still unknown after fewer than PX_INFER_TRIES chunks (and it is not TLS). */
static __always_inline bool needs_inference(const struct data_args *a)
{
	if (a->untracked)
		return true;
	struct conn_state *c = bpf_map_lookup_elem(&px_conns, &a->conn_key);
	return c && !c->tls && c->protocol == PX_PROTOCOL_UNKNOWN && c->infer_tries < PX_INFER_TRIES;
}

int px_tail_data_exit(struct trace_event_raw_sys_exit *ctx);
int px_tail_infer(struct trace_event_raw_sys_exit *ctx);

/*
 * The slow path of a data call's exit (inference), entered by tail call: programs of their own,
 * so that the verifier walks inference once rather than in every exit program, and from one
 * state (the start of px_tail_infer) rather than from each way to it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct trace_event_raw_sys_exit *));
} px_tails SEC(".maps") = {
	.values = { [0] = (void *)&px_tail_data_exit, [1] = (void *)&px_tail_infer },
};

/* The shared exit of every data call (sendmmsg and recvmmsg with `mmsg`). */
static __always_inline int on_data_exit(struct trace_event_raw_sys_exit *ctx, bool mmsg)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct data_args *a = bpf_map_lookup_elem(&px_data_args, &id);
	if (!a)
		return 0;
	long ret = ctx->ret;
	if (ret > 0) {
		if (needs_inference(a))
			bpf_tail_call(ctx, &px_tails, 0);
		/* Here when the bytes need no inference (or the tail call failed: then untracked
		 * sockets stay untracked). */
		if (!a->untracked)
			on_chunks(a->conn_key, a, ret, mmsg);
	}
	bpf_map_delete_elem(&px_data_args, &id);
	return 0;
}

/* Copies a chunk's first bytes and what is known around them into inference's buffer; on
 * failure the buffer holds no bytes (and inference finds nothing). */
static __always_inline void fill_infer_buf(struct px_infer_buf *b, const struct chunk *ch,
					   __u8 side, __u8 transport, __u16 local_port,
					   __u16 remote_port)
{
	__u64 limit = ch->size < PX_INFER_BYTES ? ch->size : PX_INFER_BYTES;
	__u64 copied = 0;
	GATHER(b->data, PX_INFER_BYTES, PX_INFER_BYTES, 4, ch, limit, copied);
	b->len = copied < limit ? 0 : ch->size;
	b->side = side;
	b->transport = transport;
	b->local_port = local_port;
	b->remote_port = remote_port ? remote_port : peer_port_of(ch->addr);
}

/* Counts fruitless tries on an untracked socket (at PX_INFER_TRIES it is skipped for good). */
static __always_inline void skip_socket(__u64 key, __u8 tries)
{
	__u8 *old = bpf_map_lookup_elem(&px_skip, &key);
	__u8 n = old ? *old + tries : tries;
	if (n >= PX_INFER_TRIES) {
		n = PX_INFER_TRIES;
		if (tries == 1)
			count(PX_STAT_UNCLASSIFIED, 1);
	}
	bpf_map_update_elem(&px_skip, &key, &n, BPF_ANY);
}

/* A call's first chunk: the call's buffer, or the first datagram of sendmmsg/recvmmsg. */
static __always_inline bool first_chunk(const struct data_args *a, long ret, struct chunk *ch)
{
	ch->buf = a->buf;
	ch->addr = a->addr;
	ch->iovcnt = a->iovcnt;
	ch->size = ret;
	if (a->syscall == PX_SYS_SENDMMSG || a->syscall == PX_SYS_RECVMMSG)
		return mmsg_chunk(a, 0, ch);
	return true;
}

/*
 * The slow path, first program: gathers what inference needs for a call's first chunk, from
 * the tracked connection or, for an untracked descriptor, from its socket (one that is not an
 * inet socket is skipped for good), then goes on in px_tail_infer.
 */
SEC("tracepoint")
int px_tail_data_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct data_args *a = bpf_map_lookup_elem(&px_data_args, &id);
	if (!a)
		return 0;
	__u32 zero = 0;
	struct px_infer_scratch *sc = bpf_map_lookup_elem(&px_infer_scratch, &zero);
	struct chunk first = {};
	if (!sc || !first_chunk(a, ctx->ret, &first))
		goto out;
	__u64 key = a->conn_key;
	struct conn_state *c = bpf_map_lookup_elem(&px_conns, &key);
	if (c) {
		sc->sk = 0;
		fill_infer_buf(&sc->buf, &first, side_of(c->role, a->direction == PX_DIR_EGRESS),
			       c->transport, c->local_port, c->remote_port);
	} else {
		struct sock *sk = a->untracked ? sock_of_fd((__s32)key) : NULL;
		__u8 transport = sk ? sock_transport(sk) : 0;
		if (!transport) {
			skip_socket(key, PX_INFER_TRIES);
			goto out;
		}
		sc->sk = (__u64)sk;
		fill_infer_buf(&sc->buf, &first, PX_SIDE_EITHER, transport,
			       BPF_CORE_READ(sk, __sk_common.skc_num),
			       __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport)));
	}
	bpf_tail_call(ctx, &px_tails, 1);
out:
	bpf_map_delete_elem(&px_data_args, &id);
	return 0;
}

/*
 * The slow path, second program: inference on the gathered bytes. On a tracked connection, a
 * protocol found is kept (or a try counted); on an untracked socket, a protocol found starts
 * tracking it, its role following from the side the bytes were on. Then the call's chunks go
 * on as in the fast path.
 */
SEC("tracepoint")
int px_tail_infer(struct trace_event_raw_sys_exit *ctx)
{
	__u32 zero = 0;
	struct px_infer_scratch *sc = bpf_map_lookup_elem(&px_infer_scratch, &zero);
	if (!sc)
		return 0;
	/* Forgotten: the rest is walked once, not once per answer inference can give. */
	__u32 r = px_forget(px_infer(&sc->buf));
	__u16 protocol = r & 0xff;
	__u64 id = bpf_get_current_pid_tgid();
	struct data_args *a = bpf_map_lookup_elem(&px_data_args, &id);
	if (!a)
		return 0;
	long ret = ctx->ret;
	__u64 key = a->conn_key;
	bool egress = a->direction == PX_DIR_EGRESS;
	struct conn_state *c = bpf_map_lookup_elem(&px_conns, &key);
	if (c) {
		if (tls_record(&sc->buf)) {
			c->tls = 1;
		} else {
			c->protocol = protocol;
			if (!protocol && ++c->infer_tries == PX_INFER_TRIES)
				count(PX_STAT_UNCLASSIFIED, 1);
		}
	} else if (!sc->sk) {
		goto out;
	} else if (!protocol) {
		skip_socket(key, 1);
		goto out;
	} else {
		bool request = ((r >> PX_INFER_SIDE_SHIFT) & 0xff) == PX_SIDE_REQUEST;
		struct conn_state fresh = {};
		conn_from_sock(&fresh, (struct sock *)sc->sk,
			       request == egress ? PX_ROLE_CLIENT : PX_ROLE_SERVER, sc->buf.transport);
		fresh.protocol = protocol;
		bpf_map_delete_elem(&px_skip, &key);
		start_tracking(key, &fresh);
	}
	on_chunks(key, a, ret, a->syscall == PX_SYS_SENDMMSG || a->syscall == PX_SYS_RECVMMSG);
out:
	bpf_map_delete_elem(&px_data_args, &id);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int px_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, NULL, PX_SYS_READ,
			PX_DIR_INGRESS, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int px_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_write")
int px_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, NULL, PX_SYS_WRITE,
			PX_DIR_EGRESS, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int px_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int px_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], ctx->args[2], NULL,
			PX_SYS_READV, PX_DIR_INGRESS, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_readv")
int px_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int px_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], ctx->args[2], NULL,
			PX_SYS_WRITEV, PX_DIR_EGRESS, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_writev")
int px_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int px_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, (const void *)ctx->args[4],
			PX_SYS_SENDTO, PX_DIR_EGRESS, true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int px_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int px_enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, (const void *)ctx->args[4],
			PX_SYS_RECVFROM, PX_DIR_INGRESS, true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int px_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int px_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	stash_msg_args(ctx->args[0], (const struct user_msghdr *)ctx->args[1], PX_SYS_SENDMSG,
		       PX_DIR_EGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int px_exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int px_enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	stash_msg_args(ctx->args[0], (const struct user_msghdr *)ctx->args[1], PX_SYS_RECVMSG,
		       PX_DIR_INGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int px_exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, false);
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int px_enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], ctx->args[2], NULL,
			PX_SYS_SENDMMSG, PX_DIR_EGRESS, true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int px_exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, true);
}

SEC("tracepoint/syscalls/sys_enter_recvmmsg")
int px_enter_recvmmsg(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], ctx->args[2], NULL,
			PX_SYS_RECVMMSG, PX_DIR_INGRESS, true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvmmsg")
int px_exit_recvmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx, true);
}

/*
 * Inference alone, for its test (agent/src/ebpf/inference.test.ts runs it with
 * BPF_PROG_TEST_RUN on bytes of its choosing): the context is a px_infer_buf, the return value
 * px_infer's answer. The agent never loads it.
 */
SEC("syscall")
int px_infer_test(void *ctx)
{
	__u32 zero = 0;
	struct px_infer_scratch *sc = bpf_map_lookup_elem(&px_infer_scratch, &zero);
	if (!sc || bpf_probe_read_kernel(&sc->buf, sizeof(sc->buf), ctx) != 0)
		return 0;
	return px_infer(&sc->buf);
}
