/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP/2 (h2c): a client's connection preface, or a server's own preface first. */
#ifndef PXGATE_INFER_HTTP2_H
#define PXGATE_INFER_HTTP2_H

#include "scan.h"

/*
 * The side of an HTTP/2 stream's first bytes, or 0 when they are not one. A client starts with
 * its connection preface ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"). A server may write its own
 * preface, a SETTINGS frame (type 4, no flags, stream 0, a multiple of six bytes), before it
 * reads the client's (Node's http2 server does): that is taken only on a known server's side.
 */
static __always_inline __u8 px_http2_side(const struct px_infer_buf *b)
{
	if (b->len < 9)
		return 0;
	if (PX_AT(b, 0) == 'P' && PX_AT(b, 1) == 'R' && PX_AT(b, 2) == 'I' && PX_AT(b, 3) == ' ' &&
	    PX_AT(b, 4) == '*' && PX_AT(b, 5) == ' ' && PX_AT(b, 6) == 'H' && PX_AT(b, 7) == 'T')
		return PX_SIDE_REQUEST;
	__u32 length = PX_AT(b, 0) << 16 | PX_AT(b, 1) << 8 | PX_AT(b, 2);
	if (b->side == PX_SIDE_RESPONSE && PX_AT(b, 3) == 4 && PX_AT(b, 4) == 0 &&
	    PX_AT(b, 5) == 0 && PX_AT(b, 6) == 0 && PX_AT(b, 7) == 0 && PX_AT(b, 8) == 0 &&
	    length % 6 == 0)
		return PX_SIDE_RESPONSE;
	return 0;
}

#endif /* PXGATE_INFER_HTTP2_H */
