// SPDX-License-Identifier: Apache-2.0
/*
 * pxgate's socket tracer: CO-RE programs on syscall tracepoints only (no kprobes), so they load on
 * any kernel with BTF and syscall tracepoints.
 *
 * A TCP socket is tracked from the connect() or accept() that the tracer sees (role client or
 * server) until its close(). Its data calls (read, write, readv, writev, sendto, recvfrom,
 * sendmsg, recvmsg) are stashed at entry and reported at exit, when the byte count is known:
 * one data event per buffer with the first capture_bytes bytes, and byte totals on the
 * connection. The first chunk decides whether the connection speaks HTTP/1.x or HTTP/2; other
 * protocols are counted but their bytes stay in the kernel. TLS connections are read as
 * plaintext through uprobes on the TLS library (tls_trace.bpf.h) and their ciphertext is never
 * sent. Events go through one ring buffer; when it is full, the event is dropped and counted
 * (px_stats), never waited for.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "socket_trace.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
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
	__u8 classified;
	__u8 tls; /* began with a TLS record, or SSL_* plaintext was seen on it */
	__u8 tls_classified;
	__u8 _pad;
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
	const void *buf;  /* plain buffer, or the iovec array */
	__u64 iovcnt;     /* 0 for a plain buffer */
	__u8 syscall;
	__u8 direction;
	__u8 _pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* tgid << 32 | fd */
	__type(value, struct conn_state);
} px_conns SEC(".maps");

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

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&px_stats, &stat);
	if (v)
		*v += 1;
}

static __always_inline void submit(void *event, __u64 size, __u32 stat)
{
	/* Nobody sleeps on the ring (the agent polls it on a timer), so skip the wakeup. */
	if (bpf_ringbuf_output(&px_events, event, size, BPF_RB_NO_WAKEUP) == 0)
		count(stat);
	else
		count(PX_STAT_RINGBUF_DROPS);
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
	submit(&ev, sizeof(ev), PX_STAT_CONN_EVENTS);
}

/* Starts tracking fd as a TCP connection in the given role, if it is one. */
static __always_inline void open_conn(__u32 tgid, __s32 fd, __u32 role)
{
	struct sock *sk = sock_of_fd(fd);
	if (!sk)
		return;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((family != AF_INET && family != AF_INET6) || BPF_CORE_READ(sk, sk_type) != SOCK_STREAM)
		return;

	struct conn_state c = {};
	c.tsid = bpf_ktime_get_ns();
	c.start_ticks = process_start_ticks();
	c.role = role;
	c.family = family;
	c.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	c.remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		bpf_core_read(c.local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(c.remote_addr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(c.local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(c.remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
	}

	__u64 key = conn_key(tgid, fd);
	struct conn_state *old = bpf_map_lookup_elem(&px_conns, &key);
	if (old) {
		/* The descriptor was reused without a close we saw (dup2, close_range, ...). */
		emit_conn_event(PX_EVENT_CLOSE, key, old);
		count(PX_STAT_CONN_EVICTED);
	}
	bpf_map_update_elem(&px_conns, &key, &c, BPF_ANY);
	emit_conn_event(PX_EVENT_OPEN, key, &c);
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
	if (!c)
		return 0;
	emit_conn_event(PX_EVENT_CLOSE, key, c);
	bpf_map_delete_elem(&px_conns, &key);
	return 0;
}

/* Stashes a data call's arguments when its descriptor is a tracked connection. */
static __always_inline void stash_data_args(__s32 fd, const void *buf, __u64 iovcnt,
					    __u8 syscall, __u8 direction)
{
	__u32 tgid = traced_tgid();
	if (!tgid)
		return;
	__u64 key = conn_key(tgid, fd);
	if (!bpf_map_lookup_elem(&px_conns, &key))
		return;
	struct data_args a = {};
	a.conn_key = key;
	a.enter_ns = bpf_ktime_get_ns();
	a.buf = buf;
	a.iovcnt = iovcnt;
	a.syscall = syscall;
	a.direction = direction;
	__u64 id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&px_data_args, &id, &a, BPF_ANY);
}

/* Same, for sendmsg/recvmsg: the iovec array lives in the user's msghdr. */
static __always_inline void stash_msg_args(__s32 fd, const struct user_msghdr *msg, __u8 syscall,
					   __u8 direction)
{
	struct user_msghdr m = {};
	if (bpf_probe_read_user(&m, sizeof(m), msg) != 0)
		return;
	stash_data_args(fd, m.msg_iov, m.msg_iovlen, syscall, direction);
}

/* The protocol a stream's first bytes announce: HTTP/1.x requests and responses start so. An
 * HTTP/2 client starts with its connection preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); a server
 * may write its own preface, a SETTINGS frame (type 4, no flags, stream 0, a multiple of six
 * bytes), before it reads the client's: that is its first chunk then. */
static __always_inline __u16 protocol_of(const void *ubuf, __u64 len)
{
	char p[9] = {};
	if (len < 8 || bpf_probe_read_user(p, 8, ubuf) != 0)
		return PX_PROTOCOL_UNKNOWN;
	if (p[0] == 'P' && p[1] == 'R' && p[2] == 'I' && p[3] == ' ' && p[4] == '*' && p[5] == ' ' &&
	    p[6] == 'H' && p[7] == 'T')
		return PX_PROTOCOL_HTTP2;
	if (len >= 9 && p[3] == 4 && p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] == 0 &&
	    bpf_probe_read_user(&p[8], 1, ubuf + 8) == 0 && p[8] == 0 &&
	    (((__u32)(__u8)p[0] << 16 | (__u32)(__u8)p[1] << 8 | (__u8)p[2]) % 6) == 0)
		return PX_PROTOCOL_HTTP2;
	bool http = (p[0] == 'G' && p[1] == 'E' && p[2] == 'T' && p[3] == ' ') ||
		    (p[0] == 'P' && p[1] == 'O' && p[2] == 'S' && p[3] == 'T') ||
		    (p[0] == 'P' && p[1] == 'U' && p[2] == 'T' && p[3] == ' ') ||
		    (p[0] == 'D' && p[1] == 'E' && p[2] == 'L' && p[3] == 'E') ||
		    (p[0] == 'H' && p[1] == 'E' && p[2] == 'A' && p[3] == 'D') ||
		    (p[0] == 'P' && p[1] == 'A' && p[2] == 'T' && p[3] == 'C') ||
		    (p[0] == 'O' && p[1] == 'P' && p[2] == 'T' && p[3] == 'I') ||
		    (p[0] == 'H' && p[1] == 'T' && p[2] == 'T' && p[3] == 'P' && p[4] == '/' &&
		     p[5] == '1' && p[6] == '.');
	return http ? PX_PROTOCOL_HTTP : PX_PROTOCOL_UNKNOWN;
}

/* Classifies a connection by its first chunk. */
static __always_inline void classify(struct conn_state *c, const void *ubuf, __u64 len)
{
	if (c->classified)
		return;
	c->classified = 1;
	c->protocol = protocol_of(ubuf, len);
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
 * Sends one data event for a whole syscall: `size` bytes moved at stream position `pos`, of
 * which the first capture_bytes are copied, from one buffer or gathered across an iovec array
 * (one event per syscall keeps the ring and the agent's work per request small).
 */
static __always_inline void emit_data(__u64 key, const struct conn_state *c,
				      const struct data_args *a, __u64 ts, __u64 size, __u64 pos,
				      __u16 protocol, __u8 encrypted)
{
	__u32 zero = 0;
	struct px_scratch *sc = bpf_map_lookup_elem(&px_scratch, &zero);
	if (!sc)
		return;
	struct px_data_event *ev = &sc->ev;
	fill_header(&ev->hdr, PX_EVENT_DATA, key, c, ts);
	ev->pos = pos;
	ev->msg_size = size;
	ev->direction = a->direction;
	ev->syscall = a->syscall;
	ev->protocol = protocol;
	ev->encrypted = encrypted;
	__builtin_memset(ev->_pad, 0, sizeof(ev->_pad));
	__u64 limit = capture_size(size);
	__u64 captured = 0;
	if (a->iovcnt == 0) {
		if (bpf_probe_read_user(ev->data, limit, a->buf) == 0)
			captured = limit;
	} else {
		const struct iovec *iovs = a->buf;
		for (int i = 0; i < PX_MAX_IOV; i++) {
			if (i >= a->iovcnt || captured >= limit)
				break;
			struct iovec iov = {};
			if (bpf_probe_read_user(&iov, sizeof(iov), &iovs[i]) != 0)
				break;
			__u64 len = limit - captured;
			if (iov.iov_len < len)
				len = iov.iov_len;
			/* off < PX_MAX_DATA and len <= PX_SPILL, so the copy ends inside the scratch
			 * value: off + len <= limit holds anyway, the clamps restate it in a form the
			 * verifier checks. Only a single iovec of nearly 16 KiB is cut, and then the
			 * capture stops there, so captured bytes stay contiguous. */
			bool cut = len > PX_SPILL;
			__u64 off = captured;
			CLAMP(off, PX_MAX_DATA - 1);
			CLAMP(len, PX_SPILL);
			if (bpf_probe_read_user(ev->data + off, len, iov.iov_base) != 0)
				break;
			captured += len;
			if (cut)
				break;
		}
	}
	CLAMP(captured, PX_MAX_DATA);
	ev->buf_size = captured;
	submit(ev, offsetof(struct px_data_event, data) + captured,
	       encrypted ? PX_STAT_TLS_EVENTS : PX_STAT_DATA_EVENTS);
}

#include "tls_trace.bpf.h"

/* The shared exit of every data call: totals, classification, chunks. */
static __always_inline int on_data_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct data_args *a = bpf_map_lookup_elem(&px_data_args, &id);
	if (!a)
		return 0;
	long ret = ctx->ret;
	__u64 key = a->conn_key;
	struct conn_state *c = ret > 0 ? bpf_map_lookup_elem(&px_conns, &key) : NULL;
	if (!c)
		goto out;

	bool egress = a->direction == PX_DIR_EGRESS;
	__u64 pos = __sync_fetch_and_add(egress ? &c->bytes_sent : &c->bytes_recv, ret);
	if (!c->classified) {
		const void *first = a->buf;
		__u64 len = ret;
		if (a->iovcnt > 0) {
			struct iovec iov = {};
			bpf_probe_read_user(&iov, sizeof(iov), a->buf);
			first = iov.iov_base;
			len = iov.iov_len < (__u64)ret ? iov.iov_len : (__u64)ret;
		}
		classify(c, first, len);
		tls_classify(c, first, len);
	}

	/* Egress is stamped when the write started, ingress when the read returned. A TLS
	 * connection's bytes are ciphertext: its plaintext comes from the SSL_* uprobes. */
	if (c->tls) {
		tls_on_socket_data(key, c, a->direction);
	} else if (c->protocol != PX_PROTOCOL_UNKNOWN) {
		__u64 ts = egress ? a->enter_ns : bpf_ktime_get_ns();
		emit_data(key, c, a, ts, ret, pos, c->protocol, 0);
	}

	__u64 total = c->bytes_sent + c->bytes_recv;
	if (total - c->reported_bytes >= PX_STATS_EVERY) {
		c->reported_bytes = total;
		emit_conn_event(PX_EVENT_STATS, key, c);
	}
out:
	bpf_map_delete_elem(&px_data_args, &id);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int px_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, PX_SYS_READ, PX_DIR_INGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int px_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_write")
int px_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, PX_SYS_WRITE, PX_DIR_EGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int px_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int px_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], ctx->args[2], PX_SYS_READV,
			PX_DIR_INGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_readv")
int px_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int px_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], ctx->args[2], PX_SYS_WRITEV,
			PX_DIR_EGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_writev")
int px_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int px_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, PX_SYS_SENDTO, PX_DIR_EGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int px_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int px_enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	stash_data_args(ctx->args[0], (const void *)ctx->args[1], 0, PX_SYS_RECVFROM,
			PX_DIR_INGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int px_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return on_data_exit(ctx);
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
	return on_data_exit(ctx);
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
	return on_data_exit(ctx);
}
