/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PostgreSQL (looksLikePgsql, agent/src/protocols/pgsql/pgsql-infer.ts): a client's startup,
 * SSLRequest, GSSENCRequest or CancelRequest; or, midway, a first message of that side whose
 * fields fit its length, followed by a well-formed message. Where the TypeScript check walks
 * every field (startup parameters, error fields, row descriptions), this one checks what the
 * fields must end with.
 */
#ifndef PXGATE_INFER_PGSQL_H
#define PXGATE_INFER_PGSQL_H

#include "scan.h"

#define PX_PG_PROTOCOL_3_0 196608
#define PX_PG_SSL_REQUEST 80877103
#define PX_PG_GSSENC_REQUEST 80877104
#define PX_PG_CANCEL_REQUEST 80877102
#define PX_PG_MAX_STARTUP 10000
#define PX_PG_MAX_MESSAGE 0x3fffffff

static __always_inline bool px_pgsql_tag(__u32 tag, __u8 side)
{
	if (side == PX_SIDE_REQUEST) {
		switch (tag) {
		case 'Q': case 'P': case 'B': case 'D': case 'E': case 'C': case 'S':
		case 'H': case 'X': case 'F': case 'p': case 'f': case 'd': case 'c':
			return true;
		}
		return false;
	}
	switch (tag) {
	case 'R': case 'S': case 'K': case 'Z': case 'T': case 'D': case 'C': case 'I':
	case 'E': case 'N': case 'A': case '1': case '2': case '3': case 'n': case 't':
	case 's': case 'G': case 'H': case 'W': case 'd': case 'c': case 'V': case 'v':
		return true;
	}
	return false;
}

/* A startup message (parameters, each NUL-terminated, then a final NUL), or its siblings. */
static __always_inline bool px_pgsql_startup(const struct px_infer_buf *b)
{
	if (b->len < 8)
		return false;
	__u32 length = px_be32(b, 0);
	__u32 code = px_be32(b, 4);
	if (code == PX_PG_SSL_REQUEST || code == PX_PG_GSSENC_REQUEST)
		return length == 8;
	if (code == PX_PG_CANCEL_REQUEST)
		return length == 16;
	/* "user", its value and the final NUL at least: 15 bytes. */
	if (code != PX_PG_PROTOCOL_3_0 || length < 15 || length > PX_PG_MAX_STARTUP ||
	    length > b->len)
		return false;
	if (PX_AT(b, 8) == 0)
		return false;
	return !px_seen(b, length - 1) || (PX_AT(b, length - 1) == 0 && PX_AT(b, length - 2) == 0);
}

/* Whether a message of that side could start at `at`: a valid tag and a sane length. */
static __always_inline bool px_pgsql_message_at(const struct px_infer_buf *b, __u64 at, __u8 side)
{
	if (at + 5 > b->len || !px_seen(b, at + 4))
		return true;
	__u32 length = px_be32(b, at + 1);
	return px_pgsql_tag(PX_AT(b, at), side) && length >= 4 && length <= PX_PG_MAX_MESSAGE;
}

/* A cstring at `from` whose NUL ends the message (`end`), with text before it if `text`. */
static __always_inline bool px_pgsql_last_string(const struct px_infer_buf *b, __u32 from,
						 __u32 end, bool text)
{
	__u32 nul = px_find_nul(b, from, end);
	if (nul == PX_UNSEEN)
		return !text || px_all(b, from, end, PX_TEXT);
	return nul + 1 == end && (!text || (nul > from && px_all(b, from, nul, PX_TEXT)));
}

/* The first message a client sends midway: its fields hold together up to `end`. */
static __always_inline bool px_pgsql_frontend(const struct px_infer_buf *b, __u32 end)
{
	__u32 name, text;
	switch (PX_AT(b, 0)) {
	case 'Q':
		return px_pgsql_last_string(b, 5, end, true);
	case 'P':
		/* statement name, query text, parameter type count, the types */
		name = px_find_nul(b, 5, end);
		if (name == PX_BAD || name == PX_UNSEEN)
			return name == PX_UNSEEN;
		text = px_find_nul(b, name + 1, end);
		if (text == PX_BAD)
			return false;
		if (text == PX_UNSEEN)
			return px_all(b, name + 1, end, PX_TEXT);
		if (text == name + 1 || text + 3 > end || !px_all(b, name + 1, text, PX_TEXT))
			return false;
		if (!px_seen(b, text + 2))
			return true;
		__s32 types = (__s16)px_be16(b, text + 1);
		return types >= 0 && end - (text + 3) == (__u32)types * 4;
	case 'E':
		name = px_find_nul(b, 5, end);
		return name == PX_UNSEEN || (name != PX_BAD && name + 5 == end);
	case 'D':
	case 'C':
		if (end < 6 || (PX_AT(b, 5) != 'S' && PX_AT(b, 5) != 'P'))
			return false;
		return px_pgsql_last_string(b, 6, end, false);
	case 'S':
	case 'H':
	case 'X':
		return end == 5;
	}
	return false;
}

/* The first message a server sends midway: its fields hold together up to `end`. */
static __always_inline bool px_pgsql_backend(const struct px_infer_buf *b, __u32 end)
{
	__u32 c = end > 5 ? PX_AT(b, 5) : 0;
	__s32 fields;
	bool last_nul = !px_seen(b, end - 1) || PX_AT(b, end - 1) == 0;
	switch (PX_AT(b, 0)) {
	case 'R':
		if (end < 9)
			return false;
		c = px_be32(b, 5);
		return (c == 0 || c == 2 || c == 3 || c == 5 || (c >= 7 && c <= 12)) && end - 9 < 1024;
	case 'Z':
		return end == 6 && (c == 'I' || c == 'T' || c == 'E');
	case 'E':
	case 'N':
		/* coded fields, Severity and Code among them ("S\0C\0" at least), then a NUL */
		return end >= 10 && c != 0 && last_nul;
	case 'S':
		/* a parameter name of [a-z_], its value */
		return end >= 8 && (c == '_' || (c >= 'a' && c <= 'z')) && last_nul;
	case 'K':
		return end == 13;
	case 'C':
		/* a command tag such as "SELECT 2" */
		return end >= 7 && c >= 'A' && c <= 'Z' && last_nul;
	case 'T':
		/* a field count, then per field a name and its NUL, and 18 bytes */
		if (end < 7)
			return false;
		fields = (__s16)px_be16(b, 5);
		return fields <= 0 ? end == 7 : end - 7 >= (__u32)fields * 19;
	case '1':
	case '2':
	case '3':
	case 'n':
	case 'I':
		return end == 5;
	}
	return false;
}

static __noinline bool px_pgsql(const struct px_infer_buf *b, __u8 side)
{
	if (!b)
		return false;
	if (b->len < 5)
		return false;
	if (side == PX_SIDE_REQUEST && PX_AT(b, 0) == 0)
		return px_pgsql_startup(b);
	if (!px_pgsql_message_at(b, 0, side))
		return false;
	__u32 length = px_be32(b, 1);
	if ((__u64)length + 1 > b->len)
		return false;
	__u32 end = length + 1;
	if (!px_pgsql_message_at(b, end, side))
		return false;
	return side == PX_SIDE_REQUEST ? px_pgsql_frontend(b, end) : px_pgsql_backend(b, end);
}

#endif /* PXGATE_INFER_PGSQL_H */
