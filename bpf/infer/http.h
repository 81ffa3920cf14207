/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP/1.x: a request method or a status line, as the kernel side has always read them. */
#ifndef PXGATE_INFER_HTTP_H
#define PXGATE_INFER_HTTP_H

#include "scan.h"

/* The side of an HTTP/1.x message, or 0 when the bytes are not one. */
static __always_inline __u8 px_http_side(const struct px_infer_buf *b)
{
	if (b->len < 8)
		return 0;
	__u32 c0 = PX_AT(b, 0), c1 = PX_AT(b, 1), c2 = PX_AT(b, 2), c3 = PX_AT(b, 3);
	if ((c0 == 'G' && c1 == 'E' && c2 == 'T' && c3 == ' ') ||
	    (c0 == 'P' && c1 == 'O' && c2 == 'S' && c3 == 'T') ||
	    (c0 == 'P' && c1 == 'U' && c2 == 'T' && c3 == ' ') ||
	    (c0 == 'D' && c1 == 'E' && c2 == 'L' && c3 == 'E') ||
	    (c0 == 'H' && c1 == 'E' && c2 == 'A' && c3 == 'D') ||
	    (c0 == 'P' && c1 == 'A' && c2 == 'T' && c3 == 'C') ||
	    (c0 == 'O' && c1 == 'P' && c2 == 'T' && c3 == 'I'))
		return PX_SIDE_REQUEST;
	if (c0 == 'H' && c1 == 'T' && c2 == 'T' && c3 == 'P' && PX_AT(b, 4) == '/' &&
	    PX_AT(b, 5) == '1' && PX_AT(b, 6) == '.')
		return PX_SIDE_RESPONSE;
	return 0;
}

#endif /* PXGATE_INFER_HTTP_H */
