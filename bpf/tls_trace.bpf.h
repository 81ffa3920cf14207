/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS plaintext through uprobes, included by socket_trace.bpf.c (it uses that file's maps and
 * helpers). The agent attaches the uprobes below to SSL_read, SSL_write, SSL_read_ex,
 * SSL_write_ex and SSL_free of every OpenSSL it finds: libssl.so.* and executables that carry
 * OpenSSL themselves (Node.js). The exec and mmap tracepoints at the end tell it where to look.
 *
 * The plaintext is tied to its connection without reading any struct of the TLS library:
 * - A library that does its own socket I/O (OpenSSL's socket BIO: Python, curl, most servers)
 *   reads or writes the socket inside SSL_read/SSL_write on the same thread: the syscall
 *   tracepoints see which descriptor.
 * - One that feeds OpenSSL from memory (Node.js: libuv reads the ciphertext, then hands it to
 *   OpenSSL) reads the socket just before: the descriptor of the thread's last read on a TLS
 *   connection names the socket of the SSL_* calls that follow it, up to the next SSL_read,
 *   which consumes it (even one returning no plaintext, as during the handshake). Node's client
 *   writes its first request in an SSL_write that comes between the read of the server's
 *   handshake and that SSL_read.
 * Either way the pair (SSL object, socket) is remembered, so later calls that make no syscall
 * (SSL_write into memory, SSL_read from OpenSSL's buffer) find it; SSL_free forgets it.
 */
#ifndef PXGATE_TLS_TRACE_BPF_H
#define PXGATE_TLS_TRACE_BPF_H

#define PROT_EXEC 0x4

/* What an SSL_* call's entry leaves for its return. */
struct ssl_args {
	__u64 ssl;      /* the SSL object */
	__u64 buf;      /* the caller's plaintext buffer */
	__u64 ex_len;   /* SSL_*_ex: where the byte count is written; 0 for SSL_read/SSL_write */
	__u64 enter_ns;
	__s32 fd;       /* the socket the call read or wrote itself, -1 until one is seen */
	__u8 direction; /* enum px_direction */
	__u8 _pad[3];
};

/* A socket of a process, with the generation of its connection (stale after a close). */
struct ssl_socket {
	__s32 fd;
	__u32 _pad;
	__u64 tsid;
};

struct ssl_key {
	__u64 ssl;
	__u32 tgid;
	__u32 _pad;
};

/* Threads can die inside a call: LRU maps forget what no return will clear. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid of the calling thread */
	__type(value, struct ssl_args);
} px_ssl_args SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, struct ssl_socket);
} px_ssl_sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid of the reading thread */
	__type(value, struct ssl_socket);
} px_tls_last_read SEC(".maps");

/* A connection whose first bytes are a TLS handshake record (content type 22, version 3.x)
 * carries ciphertext: its syscalls only help find the socket of SSL_* calls. */
static __always_inline bool tls_record(const struct px_infer_buf *b)
{
	return b->len >= 3 && PX_AT(b, 0) == 0x16 && PX_AT(b, 1) == 0x03 && PX_AT(b, 2) <= 0x04;
}

/* The protocol TLS plaintext's first bytes announce (the application protocols seen inside TLS
 * here: HTTP/1.x, and HTTP/2 as ALPN h2 starts it, with the client's preface or the server's
 * SETTINGS frame). */
static __always_inline __u16 plaintext_protocol(const void *ubuf, __u64 len)
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

/* A syscall moved ciphertext on TLS connection `key`: inside an SSL_* call it names the call's
 * socket; a read outside one is remembered for the SSL_read that will decrypt it. */
static __always_inline void tls_on_socket_data(__u64 key, const struct conn_state *c,
					       __u8 direction)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ssl_args *call = bpf_map_lookup_elem(&px_ssl_args, &id);
	if (call) {
		if (call->fd < 0)
			call->fd = (__s32)key;
		return;
	}
	if (direction != PX_DIR_INGRESS)
		return;
	struct ssl_socket last = { .fd = (__s32)key, .tsid = c->tsid };
	bpf_map_update_elem(&px_tls_last_read, &id, &last, BPF_ANY);
}

static __always_inline int ssl_enter(const void *ssl, const void *buf, const void *ex_len,
				     __u8 direction)
{
	if (!traced_tgid())
		return 0;
	struct ssl_args a = {};
	a.ssl = (__u64)ssl;
	a.buf = (__u64)buf;
	a.ex_len = (__u64)ex_len;
	a.enter_ns = bpf_ktime_get_ns();
	a.fd = -1;
	a.direction = direction;
	__u64 id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&px_ssl_args, &id, &a, BPF_ANY);
	return 0;
}

/* The tracked connection of `s` in process tgid, if it is still the same connection. */
static __always_inline struct conn_state *tls_conn(__u32 tgid, const struct ssl_socket *s,
						    __u64 *key)
{
	*key = conn_key(tgid, s->fd);
	struct conn_state *c = bpf_map_lookup_elem(&px_conns, key);
	return c && c->tsid == s->tsid ? c : NULL;
}

/* The connection an SSL_* call moved plaintext on (see the top of this file), remembered for
 * the SSL object; NULL when it cannot be told. */
static __always_inline struct conn_state *ssl_conn(__u64 id, const struct ssl_args *a,
						   __u64 *key)
{
	__u32 tgid = id >> 32;
	struct ssl_key sk = { .ssl = a->ssl, .tgid = tgid };
	struct ssl_socket found = { .fd = a->fd };
	struct conn_state *c = NULL;
	if (a->fd >= 0) {
		*key = conn_key(tgid, a->fd);
		c = bpf_map_lookup_elem(&px_conns, key);
		if (c)
			found.tsid = c->tsid;
	} else {
		struct ssl_socket *known = bpf_map_lookup_elem(&px_ssl_sockets, &sk);
		if (known) {
			found = *known;
			c = tls_conn(tgid, &found, key);
		}
		if (!c) {
			struct ssl_socket *last = bpf_map_lookup_elem(&px_tls_last_read, &id);
			if (last) {
				found = *last;
				c = tls_conn(tgid, &found, key);
			}
		}
	}
	if (a->direction == PX_DIR_INGRESS)
		bpf_map_delete_elem(&px_tls_last_read, &id);
	if (c)
		bpf_map_update_elem(&px_ssl_sockets, &sk, &found, BPF_ANY);
	return c;
}

/* The return of any SSL_read/SSL_write(_ex): one data event with the plaintext it moved. */
static __always_inline int ssl_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ssl_args *stashed = bpf_map_lookup_elem(&px_ssl_args, &id);
	if (!stashed)
		return 0;
	struct ssl_args a = *stashed;
	bpf_map_delete_elem(&px_ssl_args, &id);

	__u64 n = 0;
	if (a.ex_len) {
		if (ret == 1)
			bpf_probe_read_user(&n, sizeof(n), (const void *)a.ex_len);
	} else if (ret > 0) {
		n = ret;
	}
	__u64 key = 0;
	struct conn_state *c = ssl_conn(id, &a, &key);
	if (n == 0)
		return 0;
	if (!c) {
		count(a.fd >= 0 ? PX_STAT_TLS_UNTRACKED : PX_STAT_TLS_NO_SOCKET, 1);
		return 0;
	}
	c->tls = 1;
	if (!c->tls_classified) {
		c->tls_classified = 1;
		c->tls_protocol = plaintext_protocol((const void *)a.buf, n);
	}
	bool egress = a.direction == PX_DIR_EGRESS;
	__u64 pos = __sync_fetch_and_add(egress ? &c->tls_sent : &c->tls_recv, n);
	if (c->tls_protocol == PX_PROTOCOL_UNKNOWN)
		return 0;
	struct data_args d = {};
	d.conn_key = key;
	d.buf = (const void *)a.buf;
	d.syscall = egress ? PX_SYS_SSL_WRITE : PX_SYS_SSL_READ;
	d.direction = a.direction;
	struct chunk ch = { .buf = (const void *)a.buf, .size = n };
	/* As for syscalls: a write is stamped when it started, a read when it returned. */
	__u64 ts = egress ? a.enter_ns : bpf_ktime_get_ns();
	emit_data(key, c, &d, &ch, ts, pos, c->tls_protocol, 1);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(px_ssl_read_enter, void *ssl, void *buf, int num)
{
	return ssl_enter(ssl, buf, NULL, PX_DIR_INGRESS);
}

SEC("uprobe")
int BPF_KPROBE(px_ssl_write_enter, void *ssl, const void *buf, int num)
{
	return ssl_enter(ssl, buf, NULL, PX_DIR_EGRESS);
}

SEC("uprobe")
int BPF_KPROBE(px_ssl_read_ex_enter, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	return ssl_enter(ssl, buf, readbytes, PX_DIR_INGRESS);
}

SEC("uprobe")
int BPF_KPROBE(px_ssl_write_ex_enter, void *ssl, const void *buf, size_t num, size_t *written)
{
	return ssl_enter(ssl, buf, written, PX_DIR_EGRESS);
}

/* One return probe serves all four: the entry said which call it was. SSL_read and SSL_write
 * return an int (bytes, or <= 0), the _ex variants 1 or 0. */
SEC("uretprobe")
int BPF_KRETPROBE(px_ssl_exit, int ret)
{
	return ssl_exit(ret);
}

/* A freed SSL object's address will be reused for another connection. */
SEC("uprobe")
int BPF_KPROBE(px_ssl_free_enter, void *ssl)
{
	__u32 tgid = traced_tgid();
	if (!tgid)
		return 0;
	struct ssl_key sk = { .ssl = (__u64)ssl, .tgid = tgid };
	bpf_map_delete_elem(&px_ssl_sockets, &sk);
	return 0;
}

static __always_inline void emit_exec(__u32 tgid, struct file *file)
{
	if (!file)
		return;
	struct px_exec_event ev = {};
	ev.hdr.kind = PX_EVENT_EXEC;
	ev.hdr.tgid = tgid;
	ev.hdr.fd = -1;
	ev.hdr.ts_ns = bpf_ktime_get_ns();
	ev.hdr.start_ticks = process_start_ticks();
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	ev.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	ev.ino = BPF_CORE_READ(inode, i_ino);
	/* A process that exits at once (curl) is gone before the agent reads its maps: the name
	 * lets the agent find a library in the host's library folders all the same. */
	bpf_probe_read_kernel_str(ev.name, sizeof(ev.name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	submit(&ev, sizeof(ev), PX_STAT_EXEC_EVENTS);
}

/* A new program: its executable may carry OpenSSL (Node.js does). */
SEC("tracepoint/sched/sched_process_exec")
int px_sched_exec(void *ctx)
{
	__u32 tgid = traced_tgid();
	if (!tgid)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	emit_exec(tgid, BPF_CORE_READ(task, mm, exe_file));
	return 0;
}

/* A file mapped executable: how the dynamic loader (and dlopen, as Python's ssl module does)
 * brings in a shared library such as libssl.so.3. */
SEC("tracepoint/syscalls/sys_enter_mmap")
int px_enter_mmap(struct trace_event_raw_sys_enter *ctx)
{
	if (!(ctx->args[2] & PROT_EXEC) || (__s32)ctx->args[4] < 0)
		return 0;
	__u32 tgid = traced_tgid();
	if (!tgid)
		return 0;
	emit_exec(tgid, file_of_fd((__s32)ctx->args[4]));
	return 0;
}

#endif /* PXGATE_TLS_TRACE_BPF_H */
