/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protocol inference: which protocol a connection speaks, from the first bytes of one chunk, as
 * the agent's parsers decide it (looksLikePgsql, looksLikeMysql, looksLikeDns and looksLikeRedis
 * in agent/src/protocols/). Each check in infer/ accepts whatever its TypeScript twin accepts: it
 * tests conditions the twin's answer depends on, and where the twin reads past the
 * PX_INFER_BYTES seen here, walks every field of a message, or decodes text as UTF-8, it gives the
 * bytes the benefit of the doubt. agent/src/ebpf/inference.test.ts runs this code in the kernel
 * against the twins, on captured conversations and on random bytes.
 *
 * HTTP/1.x is checked first, as before other protocols came, then HTTP/2's prefaces. The port decides nothing alone: it
 * picks among protocols that all fit the bytes, before the lowest protocol number does. A new
 * protocol is a check in infer/, a line in px_matches and, for a well-known port, in px_pick.
 */
#ifndef PXGATE_PROTOCOL_INFERENCE_H
#define PXGATE_PROTOCOL_INFERENCE_H

#include "socket_trace.h"
#include "infer/scan.h"
#include "infer/http.h"
#include "infer/http2.h"
#include "infer/pgsql.h"
#include "infer/mysql.h"
#include "infer/dns.h"
#include "infer/redis.h"

/* A bit (1 << protocol) for every protocol whose check these bytes pass on this side. Each
 * check is a subprogram of its own, so that the verifier walks them one after another rather
 * than each once per way through the ones before. */
static __noinline __u32 px_matches(const struct px_infer_buf *b, __u8 side)
{
	if (!b)
		return 0;
	/* The bits are forgotten as they are set: the next check then starts from one state. */
	__u32 m = 0;
	if (b->transport == PX_TRANSPORT_TCP) {
		m = px_forget(m | px_mysql(b, side) << PX_PROTOCOL_MYSQL);
		m = px_forget(m | px_pgsql(b, side) << PX_PROTOCOL_PGSQL);
		m = px_forget(m | px_redis(b, side) << PX_PROTOCOL_REDIS);
	}
	return px_forget(m | px_dns(b, side) << PX_PROTOCOL_DNS);
}

/* Whether a protocol that fits uses this well-known port on either end of the socket. */
static __always_inline bool px_hinted(const struct px_infer_buf *b, __u32 matches, __u32 protocol,
				      __u32 port)
{
	return (matches & (1 << protocol)) && (b->local_port == port || b->remote_port == port);
}

/* Among the protocols that fit: the one whose well-known port the socket uses, else the lowest. */
static __always_inline __u32 px_pick(const struct px_infer_buf *b, __u32 matches)
{
	if (px_hinted(b, matches, PX_PROTOCOL_MYSQL, 3306))
		return PX_PROTOCOL_MYSQL;
	if (px_hinted(b, matches, PX_PROTOCOL_PGSQL, 5432))
		return PX_PROTOCOL_PGSQL;
	if (px_hinted(b, matches, PX_PROTOCOL_DNS, 53))
		return PX_PROTOCOL_DNS;
	if (px_hinted(b, matches, PX_PROTOCOL_REDIS, 6379))
		return PX_PROTOCOL_REDIS;
	for (__u32 p = 1; p < 16; p++) {
		if (matches & (1 << p))
			return p;
	}
	return PX_PROTOCOL_UNKNOWN;
}

/*
 * The protocol of a chunk, the side it was found on, and every protocol that fit (encoded as
 * socket_trace.h says). With side PX_SIDE_EITHER (a socket whose role is unknown), the request
 * side is tried before the response side.
 */
static __noinline __u32 px_infer(const struct px_infer_buf *b)
{
	if (!b)
		return 0;
	if (b->transport == PX_TRANSPORT_TCP) {
		__u32 http = px_http_side(b);
		if (http)
			return PX_PROTOCOL_HTTP | (http << PX_INFER_SIDE_SHIFT) |
			       ((1 << PX_PROTOCOL_HTTP) << PX_INFER_MATCHES_SHIFT);
		__u32 http2 = px_http2_side(b);
		if (http2)
			return PX_PROTOCOL_HTTP2 | (http2 << PX_INFER_SIDE_SHIFT) |
			       ((1 << PX_PROTOCOL_HTTP2) << PX_INFER_MATCHES_SHIFT);
	}
	__u32 side = b->side == PX_SIDE_RESPONSE ? PX_SIDE_RESPONSE : PX_SIDE_REQUEST;
	__u32 matches = px_matches(b, side);
	if (!matches && b->side == PX_SIDE_EITHER) {
		side = PX_SIDE_RESPONSE;
		matches = px_matches(b, side);
	}
	__u32 protocol = px_pick(b, matches);
	if (!protocol)
		return 0;
	return protocol | (side << PX_INFER_SIDE_SHIFT) | (matches << PX_INFER_MATCHES_SHIFT);
}

#endif /* PXGATE_PROTOCOL_INFERENCE_H */
