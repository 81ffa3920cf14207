/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MySQL and MariaDB (looksLikeMysql, agent/src/protocols/mysql/mysql-infer.ts): a whole first
 * packet that is the server's greeting, the client's handshake response, a command whose byte
 * fits its length, or the start of a response (ERR with its SQL state, an OK whose fields add
 * up, a column count followed by a column definition).
 */
#ifndef PXGATE_INFER_MYSQL_H
#define PXGATE_INFER_MYSQL_H

#include "scan.h"

#define PX_MY_MAX_PACKET 0xffffff

/* The payload lengths a command packet may have (mysql-protocol.ts, Pixie's table). */
static __always_inline bool px_mysql_command_length(__u32 cmd, __u32 n)
{
	__u32 lo, hi = PX_MY_MAX_PACKET;
	switch (cmd) {
	case 0x01: case 0x09: case 0x0a: case 0x0b: case 0x0d: case 0x0e: case 0x1f:
		lo = 1; hi = 1; break;
	case 0x02: case 0x03: case 0x05: case 0x06: case 0x16:
		lo = 1; break;
	case 0x04:
		lo = 2; break;
	case 0x07:
		lo = 2; hi = 2; break;
	case 0x08:
		lo = 1; hi = 2; break;
	case 0x0c:
		lo = 1; hi = 5; break;
	case 0x11:
		lo = 4; break;
	case 0x12:
		lo = 11; break;
	case 0x13:
		lo = 3; break;
	case 0x15:
		lo = 18; break;
	case 0x17:
		lo = 10; break;
	case 0x18:
		lo = 7; break;
	case 0x19: case 0x1a:
		lo = 5; hi = 5; break;
	case 0x1b:
		lo = 3; hi = 3; break;
	case 0x1c:
		lo = 9; hi = 9; break;
	case 0x1e:
		lo = 19; break;
	default:
		return false;
	}
	return n >= lo && n <= hi;
}

/* A command; COM_QUERY, COM_STMT_PREPARE and COM_INIT_DB carry text, not empty. */
static __always_inline bool px_mysql_command(const struct px_infer_buf *b, __u32 end)
{
	__u32 cmd = PX_AT(b, 4);
	if (!px_mysql_command_length(cmd, end - 4))
		return false;
	if (cmd != 0x02 && cmd != 0x03 && cmd != 0x16)
		return true;
	return end > 5 && px_all(b, 5, end, PX_TEXT);
}

/* HandshakeResponse41: CLIENT_PROTOCOL_41, then 19 of the 23 reserved bytes zero. */
static __always_inline bool px_mysql_login(const struct px_infer_buf *b, __u32 end)
{
	if (end - 4 < 32 || !(PX_AT(b, 5) & 0x02))
		return false;
	for (int i = 13; i < 32; i++) {
		if (PX_AT(b, i) != 0)
			return false;
	}
	return true;
}

/* The greeting (protocol 10): a printable version starting "N." and 15 bytes after its NUL. */
static __always_inline bool px_mysql_greeting(const struct px_infer_buf *b, __u32 end)
{
	if (PX_AT(b, 4) != 10 || end < 9 || !px_digit(PX_AT(b, 5)))
		return false;
	__u32 nul = px_find_nul(b, 5, end);
	if (nul == PX_BAD)
		return false;
	if (nul == PX_UNSEEN)
		return px_all(b, 5, end, PX_PRINTABLE);
	return nul >= 10 && end - (nul + 1) >= 15 && px_all(b, 5, nul, PX_PRINTABLE);
}

/* The size of a length-encoded integer from its first byte; 0 for 0xfb and 0xff. */
static __always_inline __u32 px_lenenc_size(__u32 first)
{
	if (first < 0xfb)
		return 1;
	if (first == 0xfc)
		return 3;
	if (first == 0xfd)
		return 4;
	return first == 0xfe ? 9 : 0;
}

/* OK: affected rows, last insert id, status and warnings, then nothing or an info string. */
static __always_inline bool px_mysql_ok(const struct px_infer_buf *b, __u32 end)
{
	__u32 size = px_lenenc_size(PX_AT(b, 5));
	__u32 at = 5 + size;
	if (size == 0 || at >= end)
		return false;
	size = px_lenenc_size(PX_AT(b, at));
	at += size;
	if (size == 0 || at + 4 > end)
		return false;
	at += 4;
	return at == end || !px_seen(b, at) || end - at >= 1 + PX_AT(b, at);
}

/* A column count (not 0) and an optional metadata flag of 0 or 1, then column definition
 * packet 2 whose catalog is "def". */
static __always_inline bool px_mysql_columns(const struct px_infer_buf *b, __u32 end)
{
	__u32 first = PX_AT(b, 4);
	__u32 size = px_lenenc_size(first);
	if (size == 0 || 4 + size > end)
		return false;
	__u32 value = size == 1 ? first : 0;
	for (int i = 0; i < 8; i++) {
		if (i + 1 < size)
			value |= PX_AT(b, 5 + i);
	}
	__u32 rest = end - (4 + size);
	if (value == 0 || rest > 1 || (rest == 1 && PX_AT(b, 4 + size) > 1))
		return false;
	if (b->len < end + 8)
		return false;
	if (!px_seen(b, end + 7))
		return true;
	return PX_AT(b, end + 3) == 2 && PX_AT(b, end + 4) == 3 && PX_AT(b, end + 5) == 'd' &&
	       PX_AT(b, end + 6) == 'e' && PX_AT(b, end + 7) == 'f';
}

/* The first packet of a response (sequence 1): ERR, OK, or a column count. */
static __always_inline bool px_mysql_response(const struct px_infer_buf *b, __u32 end)
{
	__u32 length = end - 4;
	__u32 first = PX_AT(b, 4);
	if (first == 0xff) {
		if (length < 9 || PX_AT(b, 7) != '#')
			return false;
		for (int i = 8; i < 13; i++) {
			__u32 c = PX_AT(b, i);
			if (!px_digit(c) && (c < 'A' || c > 'Z'))
				return false;
		}
		return true;
	}
	if (first == 0 && length >= 7)
		return px_mysql_ok(b, end);
	if (first == 0xfe && (length == 5 || length == 1))
		return false;
	return px_mysql_columns(b, end);
}

static __noinline bool px_mysql(const struct px_infer_buf *b, __u8 side)
{
	if (!b)
		return false;
	if (b->len < 5)
		return false;
	__u32 length = PX_AT(b, 0) | (PX_AT(b, 1) << 8) | (PX_AT(b, 2) << 16);
	__u32 seq = PX_AT(b, 3);
	if (length == 0 || 4 + length > b->len)
		return false;
	__u32 end = 4 + length;
	if (side == PX_SIDE_REQUEST) {
		if (seq == 0)
			return px_mysql_command(b, end);
		return seq == 1 && px_mysql_login(b, end);
	}
	if (seq == 0)
		return px_mysql_greeting(b, end);
	return seq == 1 && px_mysql_response(b, end);
}

#endif /* PXGATE_INFER_MYSQL_H */
