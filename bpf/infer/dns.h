/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DNS (looksLikeDns, agent/src/protocols/dns/dns-infer.ts): a header with the QR bit of its side,
 * a common opcode, the reserved bit clear and exactly one question whose name, type and class
 * parse (queries carry no answers or error code); bare (a datagram) or after the 2-byte length
 * of DNS over TCP. A compression pointer in the question's name is not followed here.
 */
#ifndef PXGATE_INFER_DNS_H
#define PXGATE_INFER_DNS_H

#include "scan.h"

/* Where the name at `pos` ends (the index after it), PX_BAD when it cannot be one, or
 * PX_UNSEEN when it runs past the head or has more than PX_DNS_LABELS labels. */
#define PX_DNS_LABELS 16

static __noinline __u32 px_dns_name_end(const struct px_infer_buf *b, __u32 pos, __u32 limit)
{
	if (!b)
		return PX_BAD;
	__u32 head = px_head(b);
	__u32 octets = 1;
	__u32 r = PX_UNSEEN;
#pragma unroll
	for (int k = 0; k < PX_DNS_LABELS; k++) {
		if (pos >= limit) {
			r = PX_BAD;
			break;
		}
		if (pos >= head)
			break;
		__u32 l = PX_AT(b, pos);
		if (l == 0) {
			r = pos + 1;
			break;
		}
		if ((l & 0xc0) == 0xc0) {
			r = pos + 1 < limit ? pos + 2 : PX_BAD;
			break;
		}
		octets += l + 1;
		if ((l & 0xc0) || pos + 1 + l > limit || octets > 255) {
			r = PX_BAD;
			break;
		}
		pos += 1 + l;
	}
	return px_forget(r);
}

/* A message at `o` whose bytes end at `limit`. */
static __always_inline bool px_dns_message(const struct px_infer_buf *b, __u32 o, __u32 limit,
					   __u8 side)
{
	if (limit < o + 17)
		return false;
	__u32 flags = px_be16(b, o + 2);
	bool response = flags & 0x8000;
	__u32 opcode = (flags >> 11) & 0xf;
	if (response != (side == PX_SIDE_RESPONSE))
		return false;
	if ((opcode != 0 && opcode != 4 && opcode != 5) || (flags & 0x40))
		return false;
	if (px_be16(b, o + 4) != 1)
		return false;
	if (!response && ((flags & 0xf) || (opcode == 0 && px_be16(b, o + 6) != 0)))
		return false;
	__u32 pos = px_dns_name_end(b, o + 12, limit);
	if (pos == PX_BAD || pos == PX_UNSEEN)
		return pos == PX_UNSEEN;
	if (pos + 4 > limit)
		return false;
	if (!px_seen(b, pos + 3))
		return true;
	__u32 cls = px_be16(b, pos + 2) & 0x7fff;
	return px_be16(b, pos) != 0 &&
	       (cls == 1 || cls == 3 || cls == 4 || cls == 254 || cls == 255);
}

static __noinline bool px_dns(const struct px_infer_buf *b, __u8 side)
{
	if (!b)
		return false;
	if (px_dns_message(b, 0, b->len, side))
		return true;
	if (b->len < 19)
		return false;
	__u32 length = px_be16(b, 0);
	if (length < 17)
		return false;
	return px_dns_message(b, 2, 2 + length < b->len ? 2 + length : b->len, side);
}

#endif /* PXGATE_INFER_DNS_H */
