/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Redis (looksLikeRedis, agent/src/protocols/redis/redis-infer.ts): a command is an array whose
 * first bulk string names a known command, or an inline line whose first word does; a reply is
 * one well-formed first line of a RESP2 or RESP3 value. The names come from the agent
 * (px_redis_commands). The TypeScript check also refuses an inline line with a word "HTTP/1.1"
 * (GET is both); here the HTTP/1.x check has run first.
 */
#ifndef PXGATE_INFER_REDIS_H
#define PXGATE_INFER_REDIS_H

#include "scan.h"

/* Redis command names as the agent knows them (redis-commands.ts), written before attaching. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[PX_REDIS_CMD_BYTES]);
	__type(value, __u8);
} px_redis_commands SEC(".maps");

/* Whether the n bytes at `at` name a known command (in any case). */
static __noinline bool px_redis_known(const struct px_infer_buf *b, __u32 at, __u32 n)
{
	if (!b || n == 0 || n >= PX_REDIS_CMD_BYTES)
		return false;
	char key[PX_REDIS_CMD_BYTES] = {};
#pragma unroll
	for (int i = 0; i < PX_REDIS_CMD_BYTES; i++) {
		if (i < n) {
			__u32 c = PX_AT(b, at + i);
			key[i] = c >= 'a' && c <= 'z' ? c - 32 : c;
		}
	}
	return bpf_map_lookup_elem(&px_redis_commands, key) != NULL;
}

/* The first CRLF: PX_BAD when the chunk has none, PX_UNSEEN when the scan has none. */
static __noinline __u32 px_redis_eol(const struct px_infer_buf *b)
{
	if (!b)
		return PX_BAD;
	__u32 head = px_head(b);
	__u32 r = PX_UNSEEN;
#pragma unroll
	for (int i = 0; i < PX_INFER_SCAN; i++) {
		if (i + 1 >= b->len) {
			r = PX_BAD;
			break;
		}
		if (i + 1 >= head)
			break;
		if (PX_AT(b, i) == '\r' && PX_AT(b, i + 1) == '\n') {
			r = i;
			break;
		}
	}
	return px_forget(r);
}

/* The first line of a reply: a RESP type byte, then what that type's line holds. */
static __always_inline bool px_redis_reply(const struct px_infer_buf *b, __u32 eol)
{
	bool unseen = eol == PX_UNSEEN;
	__u32 end = unseen ? px_head(b) : eol;
	__u32 n = end - 1;
	__u32 c1 = PX_AT(b, 1);
	__u32 from = 1;
	switch (PX_AT(b, 0)) {
	case '+':
	case '-':
	case ',':
		return (unseen || n > 0) && px_all(b, 1, end, PX_PRINTABLE);
	case ':':
	case '(':
		/* a signed number */
		if (c1 == '+' || c1 == '-')
			from = 2;
		return end > from && px_all(b, from, end, PX_DIGITS);
	case '$':
	case '*':
		if (!unseen && n == 2 && c1 == '-' && PX_AT(b, 2) == '1')
			return true;
		break;
	case '_':
		return !unseen && n == 0;
	case '#':
		return !unseen && n == 1 && (c1 == 't' || c1 == 'f');
	case '!':
	case '=':
	case '~':
	case '>':
	case '%':
	case '|':
		break;
	default:
		return false;
	}
	/* a count of 1 to 10 digits */
	return !unseen && n >= 1 && n <= 10 && px_all(b, 1, end, PX_DIGITS);
}

/* A command array: "*N" (N of 1 to 7 digits), "$L" (L of 1 to 3), then a known name. */
static __always_inline bool px_redis_array(const struct px_infer_buf *b, __u32 eol)
{
	if (eol == PX_UNSEEN || eol < 2 || eol > 8 || PX_AT(b, 1) < '1' || PX_AT(b, 1) > '9' ||
	    !px_all(b, 2, eol, PX_DIGITS))
		return false;
	__u32 at = eol + 2;
	if (at + 4 > b->len || PX_AT(b, at) != '$' || PX_AT(b, at + 1) < '1' ||
	    PX_AT(b, at + 1) > '9')
		return false;
	/* The length's digits end at the next CRLF. */
	__u32 n = PX_AT(b, at + 1) - '0';
	__u32 i = at + 2;
	for (int k = 0; k < 3; k++) {
		if (i + 1 >= b->len)
			return false;
		if (PX_AT(b, i) == '\r' && PX_AT(b, i + 1) == '\n')
			break;
		if (k == 2 || !px_digit(PX_AT(b, i)))
			return false;
		n = n * 10 + PX_AT(b, i) - '0';
		i++;
	}
	return i + 2 + n <= b->len && px_redis_known(b, i + 2, n);
}

/* Bytes that end an unquoted inline argument; \v and \f are also skipped between arguments. */
static __always_inline bool px_redis_ends_arg(__u32 c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* The first byte of [from, end) that is not a space (or that is one, with `space`): end when
 * there is none, PX_UNSEEN when the scan ends first. */
static __noinline __u32 px_redis_span(const struct px_infer_buf *b, __u32 from, __u32 end,
				      bool space)
{
	if (!b)
		return end;
	__u32 r = from + PX_INFER_SCAN < end ? PX_UNSEEN : end;
#pragma unroll
	for (int k = 0; k < PX_INFER_SCAN; k++) {
		__u32 i = from + k;
		if (i >= end)
			break;
		__u32 c = PX_AT(b, i);
		bool s = space ? px_redis_ends_arg(c) || c == '\v' || c == '\f'
			       : px_redis_ends_arg(c) || c == 0 || c == '"' || c == '\'';
		if (s != space) {
			r = i;
			break;
		}
	}
	return px_forget(r);
}

/* An inline command; a quote in its first word leaves it undecidable here, so accepted. */
static __always_inline bool px_redis_inline(const struct px_infer_buf *b, __u32 eol)
{
	__u32 end = eol == PX_UNSEEN ? px_head(b) : eol;
	__u32 word = px_redis_span(b, 0, end, true);
	if (word == PX_UNSEEN)
		return true;
	if (word >= end)
		return false;
	__u32 c = PX_AT(b, word);
	if (c == '"' || c == '\'')
		return true;
	if (c == 0)
		return false;
	__u32 word_end = px_redis_span(b, word, end, false);
	if (word_end == PX_UNSEEN)
		return false;
	c = word_end < end ? PX_AT(b, word_end) : 0;
	if (c == '"' || c == '\'')
		return true;
	if (word_end == end && eol == PX_UNSEEN && end - word >= PX_REDIS_CMD_BYTES)
		return false;
	return px_redis_known(b, word, word_end - word);
}

static __noinline bool px_redis(const struct px_infer_buf *b, __u8 side)
{
	if (!b)
		return false;
	__u32 eol = px_redis_eol(b);
	if (eol == PX_BAD || eol == 0)
		return false;
	if (side == PX_SIDE_RESPONSE)
		return px_redis_reply(b, eol);
	if (PX_AT(b, 0) == '*')
		return px_redis_array(b, eol);
	return px_redis_inline(b, eol);
}

#endif /* PXGATE_INFER_REDIS_H */
