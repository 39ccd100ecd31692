/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp pure logic: sequence arithmetic, segment acceptability, option
 * parsing and writing.  Nothing here touches a socket or an skb, so the
 * same source compiles into the module and into the user-space unit tests
 * and fuzz targets under selftests/unit/.
 */
#ifndef _XTCP_PURE_H
#define _XTCP_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#else
#include "../selftests/unit/kshim.h"
#endif

#include "../include/uapi/linux/xtcp.h"

/* Sequence space comparisons (RFC 9293 section 3.4), modulo 2^32. */
static inline bool xtcp_before(u32 seq1, u32 seq2)
{
	return (s32)(seq1 - seq2) < 0;
}

#define xtcp_after(seq2, seq1)	xtcp_before(seq1, seq2)

/* seq2 <= seq1 <= seq3 */
static inline bool xtcp_between(u32 seq1, u32 seq2, u32 seq3)
{
	return seq3 - seq2 >= seq1 - seq2;
}

/*
 * RFC 9293 section 3.10.7.4, first check: is a segment of @len sequence
 * numbers starting at @seq acceptable for a receive window of @wnd octets
 * starting at @rcv_nxt?
 */
static inline bool xtcp_seq_acceptable(u32 seq, u32 len, u32 rcv_nxt, u32 wnd)
{
	if (len == 0) {
		if (wnd == 0)
			return seq == rcv_nxt;
		return !xtcp_before(seq, rcv_nxt) &&
		       xtcp_before(seq, rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	/* Either the first or the last octet lies in the window. */
	return (!xtcp_before(seq, rcv_nxt) &&
		xtcp_before(seq, rcv_nxt + wnd)) ||
	       (!xtcp_before(seq + len - 1, rcv_nxt) &&
		xtcp_before(seq + len - 1, rcv_nxt + wnd));
}

/* An ACK acknowledges something new: SND.UNA < SEG.ACK =< SND.NXT. */
static inline bool xtcp_ack_acceptable(u32 ack, u32 snd_una, u32 snd_nxt)
{
	return xtcp_after(ack, snd_una) && !xtcp_after(ack, snd_nxt);
}

/* What xtcp_parse_options() found in a header. */
struct xtcp_opts {
	u16	mss;		/* 0: no MSS option seen */
	u8	malformed;	/* a bad length ended parsing early */
	u8	unknown;	/* count of options skipped as unknown */
};

int xtcp_parse_options(const u8 *ptr, unsigned int len,
		       struct xtcp_opts *opts);
unsigned int xtcp_write_syn_options(u8 *ptr, u16 mss);

/* Bytes of options a SYN or SYN-ACK carries (MSS, already 4-aligned). */
#define XTCP_SYN_OPTS_LEN	4

/* Flag byte (byte 13) of a header. */
static inline u8 xtcp_flag_byte(const struct xtcphdr *th)
{
	return ((const u8 *)th)[13];
}

#endif /* _XTCP_PURE_H */
