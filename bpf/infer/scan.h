/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the inference checks share: reading the copied head of a chunk, and scans over it.
 *
 * Every byte is read through PX_AT, whose mask keeps the index inside the buffer for the
 * verifier. A check compares an index with the chunk's length (a byte past it is not there, and
 * the TypeScript check fails too) and with the head copied (a byte past it is unseen: the check
 * gives the bytes the benefit of the doubt). Scans read at most PX_INFER_SCAN bytes, unrolled,
 * and are subprograms with a scalar result: the verifier walks each one once per call, and
 * states that differ only inside it end with it (a loop over the whole head, or a loop whose
 * paths do not join, costs the verifier far more than it saves in false matches).
 */
#ifndef PXGATE_INFER_SCAN_H
#define PXGATE_INFER_SCAN_H

/* Byte i of the head. The mask is written in asm so that clang cannot drop it where it knows a
 * bound that the verifier does not (after px_forget, say). */
static __always_inline __u32 px_at(const struct px_infer_buf *b, __u64 i)
{
	asm volatile("%[i] &= %[m]" : [i] "+r"(i) : [m] "i"(PX_INFER_BYTES - 1));
	return b->data[i];
}

#define PX_AT(b, i) px_at((b), (i))
/* A scan's verdict when it found no position: the bytes cannot be what the check wants, or the
 * answer lies past the head. */
#define PX_BAD 0xffffffffu
#define PX_UNSEEN 0xfffffffeu

/* Bytes a scan reads from where it starts; what lies beyond is unseen. */
#define PX_INFER_SCAN 32

/* Byte classes for px_all. */
#define PX_TEXT 1      /* looksLikeText: no control bytes but tab and line ends */
#define PX_PRINTABLE 2 /* 0x20 to 0x7e */
#define PX_DIGITS 3

static __always_inline __u32 px_head(const struct px_infer_buf *b)
{
	return b->len < PX_INFER_BYTES ? b->len : PX_INFER_BYTES;
}

static __always_inline __u32 px_be16(const struct px_infer_buf *b, __u32 i)
{
	return (PX_AT(b, i) << 8) | PX_AT(b, i + 1);
}

static __always_inline __u32 px_be32(const struct px_infer_buf *b, __u32 i)
{
	return (PX_AT(b, i) << 24) | (PX_AT(b, i + 1) << 16) | (PX_AT(b, i + 2) << 8) |
	       PX_AT(b, i + 3);
}

static __always_inline bool px_digit(__u32 c)
{
	return c >= '0' && c <= '9';
}

/* Whether byte i exists and is seen: a check that needs it fails, or passes, when it is not. */
static __always_inline bool px_seen(const struct px_infer_buf *b, __u32 i)
{
	return i < px_head(b);
}

/*
 * A scan's result, as a value the verifier no longer knows: a scan that ends at any of 64
 * positions would otherwise go on as 64 states, and the next scan from there as 64 each.
 */
static __always_inline __u32 px_forget(__u32 v)
{
	__u32 out = PX_BAD;
	bpf_probe_read_kernel(&out, sizeof(out), &v);
	return out;
}

/* The index of the first NUL in [from, end): PX_BAD when none comes before end, PX_UNSEEN
 * when the head or the scan ends first. */
static __noinline __u32 px_find_nul(const struct px_infer_buf *b, __u32 from, __u32 end)
{
	if (!b)
		return PX_BAD;
	__u32 head = px_head(b);
	__u32 stop = end < head ? end : head;
	__u32 r = PX_UNSEEN;
#pragma unroll
	for (int k = 0; k < PX_INFER_SCAN; k++) {
		if (from + k >= stop) {
			r = end <= head ? PX_BAD : PX_UNSEEN;
			break;
		}
		if (PX_AT(b, from + k) == 0) {
			r = from + k;
			break;
		}
	}
	return px_forget(r);
}

/* Whether a byte is of a class (PX_TEXT, PX_PRINTABLE, PX_DIGITS). */
static __always_inline bool px_in_class(__u32 c, __u32 class)
{
	if (class == PX_TEXT)
		return c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\n' || c == '\r');
	if (class == PX_PRINTABLE)
		return c >= 0x20 && c <= 0x7e;
	return px_digit(c);
}

/* Whether every byte in [from, to) that the scan sees is of the class. */
static __noinline bool px_all(const struct px_infer_buf *b, __u32 from, __u32 to, __u32 class)
{
	if (!b)
		return false;
	__u32 head = px_head(b);
	__u32 stop = to < head ? to : head;
#pragma unroll
	for (int k = 0; k < PX_INFER_SCAN; k++) {
		if (from + k >= stop)
			break;
		if (!px_in_class(PX_AT(b, from + k), class))
			return false;
	}
	return true;
}

#endif /* PXGATE_INFER_SCAN_H */
