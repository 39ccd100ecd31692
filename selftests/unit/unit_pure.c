// SPDX-License-Identifier: GPL-2.0
/*
 * User-space unit tests of the module's pure logic (module/pure.h,
 * options.c, rtt.c and cong.c, compiled from the module's own sources):
 * sequence arithmetic around the 2^32 wrap, RFC 9293 segment
 * acceptability, option parsing of well-formed and malformed option
 * areas, window scaling, the RFC 6298 estimator, the receive window,
 * and NewReno's loss recovery.  On the kselftest harness: one TAP line
 * per test.
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "pure.h"

TEST(seq)
{
	EXPECT_TRUE(xtcp_before(1, 2));
	EXPECT_TRUE(!xtcp_before(2, 1));
	EXPECT_TRUE(!xtcp_before(5, 5));
	EXPECT_TRUE(xtcp_before(0xfffffff0u, 0x10));		/* across the wrap */
	EXPECT_TRUE(xtcp_after(0x10, 0xfffffff0u));
	EXPECT_TRUE(xtcp_between(0, 0xfffffff0u, 0x10));
	EXPECT_TRUE(!xtcp_between(0x20, 0xfffffff0u, 0x10));
	EXPECT_TRUE(xtcp_before(0, 0x7fffffffu));
	EXPECT_TRUE(!xtcp_before(0, 0x80000001u));		/* more than 2^31 away */
}

TEST(acceptability)
{
	/* The four cases of RFC 9293 3.10.7.4. */
	EXPECT_TRUE(xtcp_seq_acceptable(100, 0, 100, 0));
	EXPECT_TRUE(!xtcp_seq_acceptable(101, 0, 100, 0));
	EXPECT_TRUE(xtcp_seq_acceptable(150, 0, 100, 100));
	EXPECT_TRUE(!xtcp_seq_acceptable(200, 0, 100, 100));
	EXPECT_TRUE(!xtcp_seq_acceptable(99, 0, 100, 100));
	EXPECT_TRUE(!xtcp_seq_acceptable(100, 10, 100, 0));
	EXPECT_TRUE(xtcp_seq_acceptable(90, 20, 100, 100));	/* tail in window */
	EXPECT_TRUE(xtcp_seq_acceptable(190, 20, 100, 100));	/* head in window */
	EXPECT_TRUE(!xtcp_seq_acceptable(80, 20, 100, 100));	/* all old */
	EXPECT_TRUE(!xtcp_seq_acceptable(200, 20, 100, 100));	/* all beyond */
	EXPECT_TRUE(xtcp_seq_acceptable(0xfffffffbu, 10, 0xffffffffu, 100));
	EXPECT_TRUE(xtcp_ack_acceptable(101, 100, 110));
	EXPECT_TRUE(xtcp_ack_acceptable(110, 100, 110));
	EXPECT_TRUE(!xtcp_ack_acceptable(100, 100, 110));
	EXPECT_TRUE(!xtcp_ack_acceptable(111, 100, 110));
	EXPECT_TRUE(xtcp_ack_acceptable(5, 0xfffffffeu, 10));
}

TEST(options)
{
	struct xtcp_opts o;
	uint8_t buf[40];
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t nop_mss_eol[] = { 1, 1, 2, 4, 0x02, 0x18, 0, 0 };
	static const uint8_t unknown_then_mss[] = { 30, 6, 1, 2, 3, 4,
						    2, 4, 0x01, 0x00 };
	static const uint8_t len0[] = { 30, 0, 2, 4 };
	static const uint8_t len1[] = { 2, 1, 0, 0 };
	static const uint8_t len255[] = { 2, 4, 0x01, 0x00, 30, 255, 0, 0 };
	static const uint8_t truncated[] = { 1, 1, 1, 30 };
	static const uint8_t bad_mss_len[] = { 2, 3, 0x05, 0x00 };
	static const uint8_t mss0[] = { 2, 4, 0, 0 };

	EXPECT_TRUE(xtcp_parse_options(mss, 4, &o) == 0 && o.mss == 1460);
	EXPECT_TRUE(xtcp_parse_options(nop_mss_eol, 8, &o) == 0 && o.mss == 536);
	EXPECT_TRUE(xtcp_parse_options(unknown_then_mss, 10, &o) == 0 &&
	      o.mss == 256 && o.unknown == 1);
	EXPECT_TRUE(xtcp_parse_options(len0, 4, &o) == -EINVAL && o.malformed &&
	      o.mss == 0);
	EXPECT_TRUE(xtcp_parse_options(len1, 4, &o) == -EINVAL && o.malformed);
	/* The MSS before the bad option is kept. */
	EXPECT_TRUE(xtcp_parse_options(len255, 8, &o) == -EINVAL && o.mss == 256);
	EXPECT_TRUE(xtcp_parse_options(truncated, 4, &o) == -EINVAL);
	EXPECT_TRUE(xtcp_parse_options(bad_mss_len, 4, &o) == 0 && o.mss == 0);
	EXPECT_TRUE(xtcp_parse_options(mss0, 4, &o) == 0 && o.mss == 0);
	EXPECT_TRUE(xtcp_parse_options(mss, 0, &o) == 0 && o.mss == 0);
	/* A length that would run past the area is never followed. */
	EXPECT_TRUE(xtcp_parse_options(mss, 3, &o) == -EINVAL && o.mss == 0);

	memset(buf, 0xee, sizeof(buf));
	EXPECT_TRUE(xtcp_write_syn_options(buf, 1460, XTCP_NO_WSCALE, false,
					   NULL) == 4);
	EXPECT_TRUE(xtcp_parse_options(buf, 4, &o) == 0 && o.mss == 1460 &&
	      !o.wscale_ok);
	EXPECT_TRUE(buf[4] == 0xee);
	EXPECT_TRUE(xtcp_write_syn_options(buf, 1460, 7, true, NULL) == 12);
	EXPECT_TRUE(xtcp_parse_options(buf, 12, &o) == 0 &&
	      o.mss == 1460 && o.wscale_ok && o.wscale == 7 && o.sack_ok &&
	      !o.saw_tstamp);
	EXPECT_TRUE(buf[12] == 0xee);
}

/* Timestamps (RFC 7323 section 3): written, read back, bad lengths. */
TEST(timestamps)
{
	const struct xtcp_ts ts = { .tsval = 0x80000001u, .tsecr = 0x01020304 };
	static const uint8_t aligned[] = { 1, 1, 8, 10, 0, 0, 0, 7,
					   0xff, 0xff, 0xff, 0xfe };
	static const uint8_t short_ts[] = { 8, 9, 0, 0, 0, 7, 0, 0, 0, 0 };
	static const uint8_t cut[] = { 1, 1, 8, 10, 0, 0, 0, 7 };
	struct xtcp_opts o;
	uint8_t buf[44];

	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ(12U, xtcp_write_ts_option(buf, &ts));
	EXPECT_TRUE(buf[12] == 0xee);
	EXPECT_EQ(0, memcmp(buf, "\x01\x01\x08\x0a\x80\x00\x00\x01"
			       "\x01\x02\x03\x04", 12));
	EXPECT_EQ(0, xtcp_parse_options(buf, 12, &o));
	EXPECT_TRUE(o.saw_tstamp && o.rcv_tsval == 0x80000001u &&
		    o.rcv_tsecr == 0x01020304);
	EXPECT_EQ(0, xtcp_parse_options(aligned, 12, &o));
	EXPECT_TRUE(o.saw_tstamp && o.rcv_tsval == 7 &&
		    o.rcv_tsecr == 0xfffffffeu);
	/* A length other than 10: ignored, as Linux does. */
	EXPECT_EQ(0, xtcp_parse_options(short_ts, 10, &o));
	EXPECT_FALSE(o.saw_tstamp);
	/* Running past the area: malformed, not seen. */
	EXPECT_EQ(-EINVAL, xtcp_parse_options(cut, 8, &o));
	EXPECT_FALSE(o.saw_tstamp);

	/* A SYN with everything: 20 bytes, SACK-permitted in the padding. */
	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ((unsigned int)XTCP_SYN_OPTS_MAX,
		  xtcp_write_syn_options(buf, 1460, 7, true, &ts));
	EXPECT_TRUE(buf[XTCP_SYN_OPTS_MAX] == 0xee);
	EXPECT_TRUE(buf[4] == XTCPOPT_SACK_PERM && buf[6] == XTCPOPT_TIMESTAMP);
	EXPECT_EQ(0, xtcp_parse_options(buf, XTCP_SYN_OPTS_MAX, &o));
	EXPECT_TRUE(o.mss == 1460 && o.wscale_ok && o.wscale == 7 &&
		    o.sack_ok && o.saw_tstamp && o.rcv_tsval == ts.tsval &&
		    o.rcv_tsecr == ts.tsecr);
	/* Without SACK: two NOPs pad the timestamps. */
	EXPECT_EQ(20U, xtcp_write_syn_options(buf, 536, 0, false, &ts));
	EXPECT_TRUE(buf[4] == XTCPOPT_NOP && buf[5] == XTCPOPT_NOP);
	EXPECT_EQ(0, xtcp_parse_options(buf, 20, &o));
	EXPECT_TRUE(!o.sack_ok && o.saw_tstamp && o.wscale_ok && o.mss == 536);
	/* Three SACK blocks fit beside them in the 40 bytes. */
	EXPECT_TRUE(XTCPOLEN_TSTAMP_ALIGNED + 4 + XTCP_MAX_SACKS_TS * 8 <=
		    XTCP_OPTS_MAX);
	EXPECT_TRUE(XTCPOLEN_TSTAMP_ALIGNED + 4 + (XTCP_MAX_SACKS_TS + 1) * 8 >
		    XTCP_OPTS_MAX);
}

TEST(sack)
{
	struct xtcp_sack_block b[5] = {
		{ 100, 200 }, { 0xfffffff0u, 0x10 }, { 300, 400 }, { 500, 600 },
		{ 700, 800 },
	};
	const u8 odd[] = { 5, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	const u8 rev[] = { 5, 10, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0 };
	u8 buf[48];
	struct xtcp_opts o;

	memset(buf, 0xee, sizeof(buf));
	EXPECT_TRUE(xtcp_write_sack_option(buf, b, 0) == 0);
	EXPECT_TRUE(xtcp_write_sack_option(buf, b, 2) == 4 + 16);
	EXPECT_TRUE(xtcp_parse_options(buf, 20, &o) == 0 && o.num_sacks == 2 &&
	      o.sacks[0].start == 100 && o.sacks[0].end == 200 &&
	      o.sacks[1].start == 0xfffffff0u && o.sacks[1].end == 0x10);
	/* Never more than four blocks: 36 bytes of the 40. */
	EXPECT_TRUE(xtcp_write_sack_option(buf, b, 5) == XTCP_SACK_OPTS_MAX);
	EXPECT_TRUE(buf[XTCP_SACK_OPTS_MAX] == 0xee);
	EXPECT_TRUE(xtcp_parse_options(buf, XTCP_SACK_OPTS_MAX, &o) == 0 &&
	      o.num_sacks == 4 && o.sacks[3].end == 600);
	/* A length that is not whole blocks: the option is ignored. */
	EXPECT_TRUE(xtcp_parse_options(odd, 12, &o) == 0 && o.num_sacks == 0);
	/* A reversed block is skipped. */
	EXPECT_TRUE(xtcp_parse_options(rev, 12, &o) == 0 && o.num_sacks == 0);
}

/* The receiver's blocks: latest arrival first, merged, removed in order. */
/*
 * Skbs of several segments: their count, and where a SACK block that
 * covers one in part splits it (whole segments only).
 */
TEST(pcount_and_sack_split)
{
	bool in;

	EXPECT_EQ(1U, xtcp_pcount(0, 1448));		/* a SYN, a lone FIN */
	EXPECT_EQ(1U, xtcp_pcount(1448, 1448));
	EXPECT_EQ(2U, xtcp_pcount(1449, 1448));
	EXPECT_EQ(45U, xtcp_pcount(45 * 1448, 1448));
	EXPECT_EQ(46U, xtcp_pcount(45 * 1448 + 1, 1448));

	/* 5 segments of 1000 from 1000; the block starts inside the 2nd. */
	EXPECT_EQ(2000U, xtcp_sack_split_len(1000, 5000, 1000, 2500, 9000, &in));
	EXPECT_FALSE(in);
	/* ... inside the 1st: split after it. */
	EXPECT_EQ(1000U, xtcp_sack_split_len(1000, 5000, 1000, 1200, 9000, &in));
	EXPECT_FALSE(in);
	/* ... inside the last: no whole segment in the block. */
	EXPECT_EQ(0U, xtcp_sack_split_len(1000, 5000, 1000, 5500, 9000, &in));
	/* It ends inside the 3rd: the first 2 are SACKed. */
	EXPECT_EQ(2000U, xtcp_sack_split_len(1000, 5000, 1000, 1000, 3500, &in));
	EXPECT_TRUE(in);
	/* ... inside the 1st: nothing. */
	EXPECT_EQ(0U, xtcp_sack_split_len(1000, 5000, 1000, 500, 1500, &in));
	/* At a segment's edge, across the 2^32 wrap. */
	EXPECT_EQ(3000U, xtcp_sack_split_len(0xfffffc18u, 5000, 1000,
					    0xfffffc18u + 3000, 9000, &in));
	EXPECT_FALSE(in);
	/* The block ends with the data, before the FIN: the FIN goes. */
	EXPECT_EQ(5000U, xtcp_sack_split_len(1000, 5000, 1000, 1000, 6000, &in));
	EXPECT_TRUE(in);
}

TEST(sack_blocks)
{
	struct xtcp_sack_block b[XTCP_MAX_SACKS];
	unsigned int k = 0;	/* EXPECT_TRUE() counts in n */

	k = xtcp_sack_new_ofo(b, k, 1000, 1100);
	EXPECT_TRUE(k == 1 && b[0].start == 1000 && b[0].end == 1100);
	/* A second hole: a new block in front. */
	k = xtcp_sack_new_ofo(b, k, 2000, 2100);
	EXPECT_TRUE(k == 2 && b[0].start == 2000 && b[1].start == 1000);
	/* Extending the older block moves it to the front. */
	k = xtcp_sack_new_ofo(b, k, 1100, 1200);
	EXPECT_TRUE(k == 2 && b[0].start == 1000 && b[0].end == 1200 &&
	      b[1].start == 2000);
	/* Filling the gap between them merges the two. */
	k = xtcp_sack_new_ofo(b, k, 1200, 2000);
	EXPECT_TRUE(k == 1 && b[0].start == 1000 && b[0].end == 2100);
	/* Five holes: the oldest block is forgotten. */
	k = xtcp_sack_new_ofo(b, k, 3000, 3001);
	k = xtcp_sack_new_ofo(b, k, 4000, 4001);
	k = xtcp_sack_new_ofo(b, k, 5000, 5001);
	EXPECT_TRUE(k == 4);
	k = xtcp_sack_new_ofo(b, k, 6000, 6001);
	EXPECT_TRUE(k == 4 && b[0].start == 6000 && b[3].start == 3000);
	/*
	 * Which block an arrival joins (xtcp_sack_touching()), before it
	 * does: blocks 6000, 5000, 4000, 3000; touching an edge counts.
	 */
	EXPECT_EQ(0U, xtcp_sack_touching(b, k, 6001, 6100));
	EXPECT_EQ(2U, xtcp_sack_touching(b, k, 4000, 4001));
	EXPECT_EQ(3U, xtcp_sack_touching(b, k, 2900, 3000));
	EXPECT_EQ(4U, xtcp_sack_touching(b, k, 7000, 7001));
	EXPECT_EQ(0U, xtcp_sack_touching(b, 0, 7000, 7001));
	/* A duplicate inside a block: that block first, nothing new. */
	k = xtcp_sack_new_ofo(b, k, 4000, 4001);
	EXPECT_TRUE(k == 4 && b[0].start == 4000 && b[1].start == 6000);
	/* Descending one-byte arrivals keep one block growing down. */
	k = 0;
	k = xtcp_sack_new_ofo(b, k, 10, 11);
	k = xtcp_sack_new_ofo(b, k, 9, 10);
	k = xtcp_sack_new_ofo(b, k, 8, 9);
	EXPECT_TRUE(k == 1 && b[0].start == 8 && b[0].end == 11);
	/* Across the wrap of sequence space. */
	k = xtcp_sack_new_ofo(b, 0, 0xfffffff0u, 0x10);
	k = xtcp_sack_new_ofo(b, k, 0x10, 0x20);
	EXPECT_TRUE(k == 1 && b[0].start == 0xfffffff0u && b[0].end == 0x20);
	/* RCV.NXT passes blocks: those go, the rest keep their order. */
	k = 0;
	k = xtcp_sack_new_ofo(b, k, 300, 400);
	k = xtcp_sack_new_ofo(b, k, 100, 200);
	k = xtcp_sack_new_ofo(b, k, 500, 600);
	k = xtcp_sack_remove(b, k, 200);
	EXPECT_TRUE(k == 2 && b[0].start == 500 && b[1].start == 300);
	k = xtcp_sack_remove(b, k, 250);
	EXPECT_TRUE(k == 2);
	k = xtcp_sack_remove(b, k, 600);
	EXPECT_TRUE(k == 0);
}

TEST(wscale)
{
	const u8 ws15[] = { 3, 3, 15, 0 };
	const u8 ws_badlen[] = { 3, 4, 2, 0 };
	struct xtcp_opts o;

	/* RFC 7323 2.3: a shift above 14 is used as 14. */
	EXPECT_TRUE(xtcp_parse_options(ws15, 4, &o) == 0 && o.wscale_ok &&
	      o.wscale == 14);
	EXPECT_TRUE(xtcp_parse_options(ws_badlen, 4, &o) == 0 && !o.wscale_ok);
	EXPECT_TRUE(xtcp_select_wscale(65535) == 0);
	EXPECT_TRUE(xtcp_select_wscale(65536) == 1);
	EXPECT_TRUE(xtcp_select_wscale(3 << 20) == 6);
	EXPECT_TRUE(xtcp_select_wscale(0xffffffffu) == 14);
}

TEST(pacing_rate)
{
	/* No RTT yet: no limit. */
	EXPECT_EQ(UINT64_MAX, xtcp_pacing_rate(1448, 10, 0, 0, 200));
	/* 10 x 1448 B per 10 ms is 1,448,000 B/s; twice that in slow start. */
	EXPECT_EQ(2896000ULL, xtcp_pacing_rate(1448, 10, 0, 10000, 200));
	EXPECT_EQ(1737600ULL, xtcp_pacing_rate(1448, 10, 0, 10000, 120));
	/* More in flight than cwnd (after a reduction): those count. */
	EXPECT_EQ(3475200ULL, xtcp_pacing_rate(1448, 10, 20, 10000, 120));
	/* Beyond 64 bits: saturated, not wrapped; or divided first. */
	EXPECT_EQ(UINT64_MAX, xtcp_pacing_rate(65535, 0xffffffff, 0, 1, 200));
	EXPECT_EQ(655350000000ULL,
		  xtcp_pacing_rate(65535, 0xffffffff, 0, 0xffffffff, 1000));
}

TEST(tso_autosize)
{
	const u32 gso = 65536 - 320;

	/* Unpaced (no RTT yet): as large as GSO allows. */
	EXPECT_EQ(gso / 1448, xtcp_tso_autosize(UINT64_MAX, 10, ~0U, 9, gso,
						1448, 2));
	/* 100 Mbit/s at 20 ms: about 1 ms of data, 12,500 B: 8 segments. */
	EXPECT_EQ(8U, xtcp_tso_autosize(12500000, 10, 20000, 9, gso, 1448, 2));
	/* A slow path: min_tso_segs. */
	EXPECT_EQ(2U, xtcp_tso_autosize(100000, 10, 20000, 9, gso, 1448, 2));
	/* Below 512 us of min RTT the whole GSO size is added. */
	EXPECT_EQ(gso / 1448, xtcp_tso_autosize(100000, 10, 100, 9, gso, 1448,
						2));
	/* 1 ms: half of it (r = 1). */
	EXPECT_EQ((100 + gso / 2) / 1448,
		  xtcp_tso_autosize(102400, 10, 1000, 9, gso, 1448, 2));
	/* No MSS yet, or min_segs 0: still one segment. */
	EXPECT_EQ(1U, xtcp_tso_autosize(0, 10, ~0U, 9, 0, 1448, 0));
}

TEST(rtt)
{
	struct xtcp_rtt r = { 0 };
	int i;

	/* No sample: 1 s (RFC 6298 2.1). */
	EXPECT_TRUE(xtcp_rtt_rto_us(&r, 200000, 120000000) == 1000000);
	/* First sample R: SRTT = R, RTTVAR = R/2 (2.2). */
	xtcp_rtt_sample(&r, 100000);
	EXPECT_TRUE(r.srtt_us == 100000 && r.rttvar_us == 50000);
	EXPECT_TRUE(xtcp_rtt_rto_us(&r, 200000, 120000000) == 300000);
	/* Later: RTTVAR from the old SRTT, then SRTT (2.3). */
	xtcp_rtt_sample(&r, 200000);
	EXPECT_TRUE(r.rttvar_us == 37500 + 25000 && r.srtt_us == 87500 + 25000);
	/* A steady path converges; the 200 ms floor bounds 4*RTTVAR. */
	for (i = 0; i < 200; i++)
		xtcp_rtt_sample(&r, 1000);
	EXPECT_TRUE(r.srtt_us >= 1000 && r.srtt_us < 1100);
	EXPECT_TRUE(xtcp_rtt_rto_us(&r, 200000, 120000000) >= 200000 &&
	      xtcp_rtt_rto_us(&r, 200000, 120000000) < 202000);
	/* The ceiling. */
	xtcp_rtt_sample(&r, 4000000000u);
	EXPECT_TRUE(xtcp_rtt_rto_us(&r, 200000, 120000000) == 120000000);
}

TEST(rcv_window)
{
	/* Plenty of room: the free space, rounded down to the scale. */
	EXPECT_TRUE(xtcp_rcv_window(100000, 0, 100000, 1460, 0) == 65535);
	EXPECT_TRUE(xtcp_rcv_window(100000, 0, 100000, 1460, 2) == 100000);
	EXPECT_TRUE(xtcp_rcv_window(100001, 0, 100000, 1460, 4) == 100000 - 100000 % 16);
	/* Never shrinks: an offered edge stays even with no room left. */
	EXPECT_TRUE(xtcp_rcv_window(0, 5000, 65535, 1460, 0) == 5000);
	/* ...rounded up so the scaled field still covers it. */
	EXPECT_TRUE(xtcp_rcv_window(0, 5000, 65535, 1460, 7) == 5120);
	/* Silly window avoidance: no step smaller than one MSS... */
	EXPECT_TRUE(xtcp_rcv_window(1000, 0, 65535, 1460, 0) == 0);
	EXPECT_TRUE(xtcp_rcv_window(6000, 5000, 65535, 1460, 0) == 5000);
	EXPECT_TRUE(xtcp_rcv_window(6460, 5000, 65535, 1460, 0) == 6460);
	/* ...or than half the buffer when that is smaller. */
	EXPECT_TRUE(xtcp_rcv_window(600, 0, 1152, 1460, 0) == 600);
	/* The 16-bit field is never overflowed. */
	EXPECT_TRUE(xtcp_rcv_window(0xffffffffu, 0, 0xffffffffu, 1460, 14) ==
	      65535u << 14);
}

/* rcv_ssthresh's growth per segment (tcp_grow_window()). */
TEST(rcv_ssthresh_incr)
{
	static const struct {
		unsigned int ssthresh, truesize, len, rcv_mss, rmem_max, incr;
	} c[] = {
		/* A full segment in an skb not twice its size: two MSSes. */
		{ 65535, 2304, 1448, 1448, 6 << 20, 2896 },
		/* Larger than our MSS (loopback, GRO): twice the segment. */
		{ 65535, 6000, 4000, 1448, 6 << 20, 8000 },
		/* In a page: a quarter of it fits, the largest buffer can. */
		{ 65535, 4352, 1448, 1448, 6 << 20, 2896 },
		/* 100 bytes in 2304: up to an eighth of rmem_max / 4... */
		{ 65535, 2304, 100, 536, 6 << 20, 1072 },
		{ 196608, 2304, 100, 536, 6 << 20, 1072 },
		/* ...and no further. */
		{ 196609, 2304, 100, 536, 6 << 20, 0 },
		/* Without room in the largest buffer at all. */
		{ 65535, 2304, 100, 536, 65536, 0 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(c); i++)
		EXPECT_TRUE(xtcp_rcv_ssthresh_incr(c[i].ssthresh, c[i].truesize,
						   c[i].len, 1448, c[i].rcv_mss,
						   c[i].rmem_max) == c[i].incr);
}

/* The receiver's RTT estimate (tcp_rcv_rtt_update()), in us << 3. */
TEST(rcv_rtt_update)
{
	/* The first sample, either kind, sets it. */
	EXPECT_TRUE(xtcp_rcv_rtt_update(0, 20000, false) == 160000);
	EXPECT_TRUE(xtcp_rcv_rtt_update(0, 20000, true) == 160000);
	/* A lower one replaces it, either kind. */
	EXPECT_TRUE(xtcp_rcv_rtt_update(160000, 10000, false) == 80000);
	EXPECT_TRUE(xtcp_rcv_rtt_update(160000, 10000, true) == 80000);
	/* A higher timestamp sample moves it by an eighth... */
	EXPECT_TRUE(xtcp_rcv_rtt_update(160000, 28000, false) == 168000);
	/* ...a higher window sample not at all. */
	EXPECT_TRUE(xtcp_rcv_rtt_update(160000, 28000, true) == 160000);
	/* Samples past 2^29 us saturate rather than wrap. */
	EXPECT_TRUE(xtcp_rcv_rtt_update(0, 0x20000000U, false) == 0xffffffffU);
	EXPECT_TRUE(xtcp_rcv_rtt_update(0xffffffffU, 0xffffffffU, false) ==
		    0xffffffffU);
}

/* TCP_CONGESTION's names: newreno and cubic (the default, as TCP's). */
TEST(cong_find)
{
	EXPECT_TRUE(xtcp_cong_find("newreno") == &xtcp_newreno);
	EXPECT_TRUE(xtcp_cong_find("cubic") == &xtcp_cubic);
	EXPECT_TRUE(xtcp_cong_default == &xtcp_cubic);
	EXPECT_TRUE(!xtcp_cong_find("reno"));
	EXPECT_TRUE(!xtcp_cong_find("newren"));
	EXPECT_TRUE(!xtcp_cong_find(""));
}

/* net.xtcp.available_congestion_control's text, cut to fit. */
TEST(cong_list)
{
	char buf[32];

	memset(buf, 'x', sizeof(buf));
	xtcp_cong_list(buf, sizeof(buf));
	EXPECT_TRUE(!strcmp(buf, "newreno cubic"));
	xtcp_cong_list(buf, 13);
	EXPECT_TRUE(!strcmp(buf, "newreno"));
	xtcp_cong_list(buf, 14);
	EXPECT_TRUE(!strcmp(buf, "newreno cubic"));
	xtcp_cong_list(buf, 1);
	EXPECT_TRUE(!strcmp(buf, ""));
}

/* A cong_control algorithm: cwnd 7 whatever happens, ssthresh kept. */
static void cc_fixed_init(struct xtcp_cc *cc)
{
	cc->cwnd = 7;
}

static u32 cc_fixed_ssthresh(struct xtcp_cc *cc, u32 flight)
{
	return cc->ssthresh;
}

static void cc_fixed_control(struct xtcp_cc *cc,
			     const struct xtcp_ack_sample *s)
{
	cc->cwnd = 7;
}

TEST(cong_control_keeps_cwnd)
{
	static const struct xtcp_cong_ops fixed = {
		.name = "fixed", .init = cc_fixed_init,
		.ssthresh = cc_fixed_ssthresh, .cong_control = cc_fixed_control,
	};
	struct xtcp_cc cc;

	xtcp_cc_init(&cc, &fixed, 1000, true);
	EXPECT_TRUE(cc.cwnd == 7 && !cc.pacing_rate && !cc.pacing);
	/* No cong_avoid to call: cwnd stays for the hook to set. */
	EXPECT_TRUE(!xtcp_cc_newack(&cc, &fixed, 2000, 5, 7, true, NULL));
	EXPECT_TRUE(cc.cwnd == 7);
	/* Recovery starts, ssthresh asked; cwnd is not xtcp's to cut... */
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, &fixed, 2000, 20000, 7));
	EXPECT_TRUE(cc.state == XTCP_CA_RECOVERY && cc.cwnd == 7);
	/* ...nor to set when it ends. */
	EXPECT_TRUE(!xtcp_cc_newack(&cc, &fixed, 20000, 5, 1, true, NULL));
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 7);
	/* CWR's end leaves it too. */
	EXPECT_TRUE(xtcp_cc_enter_cwr(&cc, &fixed, 30000, 7));
	EXPECT_TRUE(!xtcp_cc_newack(&cc, &fixed, 30001, 1, 6, true, NULL));
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 7);
}

TEST(newreno)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;
	int i;

	xtcp_cc_init(&cc, ops, 1000, false);
	EXPECT_TRUE(cc.cwnd == 10 && cc.state == XTCP_CA_OPEN);
	/* Slow start: one segment per segment ACKed... */
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 2000, 2, 8, true, NULL) && cc.cwnd == 12);
	/* ...not when the application left cwnd unused. */
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 3000, 2, 0, false, NULL) && cc.cwnd == 12);
	/* With RACK finding losses, duplicates are only counted. */
	for (i = 0; i < 5; i++)
		EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, true));
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.dupacks == 5 &&
		    cc.cwnd == 12);
	cc.dupacks = 0;
	/* Two duplicate ACKs do nothing; the third retransmits. */
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false));
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false));
	EXPECT_TRUE(xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false));
	EXPECT_TRUE(cc.state == XTCP_CA_RECOVERY && cc.ssthresh == 6 &&
	      cc.cwnd == 9 && cc.recover == 20000);
	/* Each further one inflates cwnd. */
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false) && cc.cwnd == 10);
	/* A partial ACK resends the next hole and deflates (RFC 6582). */
	EXPECT_TRUE(xtcp_cc_newack(&cc, ops, 8000, 3, 9, true, NULL));
	EXPECT_TRUE(cc.state == XTCP_CA_RECOVERY && cc.cwnd == 8);
	/* The full ACK ends recovery at min(ssthresh, flight + 1). */
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 20000, 9, 2, true, NULL));
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 3 && cc.dupacks == 0);
	/* Congestion avoidance: one segment per window of ACKs. */
	cc.cwnd = 6;
	for (i = 0; i < 5; i++)
		xtcp_cc_newack(&cc, ops, 21000 + i, 1, 6, true, NULL);
	EXPECT_TRUE(cc.cwnd == 6);
	xtcp_cc_newack(&cc, ops, 21010, 1, 6, true, NULL);
	EXPECT_TRUE(cc.cwnd == 7);
	/* Duplicate ACKs for data sent before "recover" start nothing. */
	xtcp_cc_timeout(&cc, ops, 2000, 30000, 7);
	EXPECT_TRUE(cc.cwnd == 1 && cc.ssthresh == 3 && cc.state == XTCP_CA_LOSS);
	xtcp_cc_dupack(&cc, ops, 25000, 30000, 1, false);
	xtcp_cc_dupack(&cc, ops, 25000, 30000, 1, false);
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 25000, 30000, 1, false));
	/* A second timeout of the same loss keeps ssthresh (RFC 5681 (4)). */
	xtcp_cc_timeout(&cc, ops, 2000, 30000, 1);
	EXPECT_TRUE(cc.ssthresh == 3 && cc.cwnd == 1);
	/* Slow start back to ssthresh, then the loss state ends. */
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 26000, 1, 0, true, NULL) && cc.cwnd == 2);
	xtcp_cc_newack(&cc, ops, 30000, 4, 0, true, NULL);
	/* Slow start stops at ssthresh; the rest counts toward CA. */
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 4 && cc.cwnd_cnt == 0);

	/* SACK recovery (RFC 6675): cwnd = ssthresh, no inflation... */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 20;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 2000, 9000, 20));
	EXPECT_TRUE(cc.cwnd == 10 && cc.ssthresh == 10);
	EXPECT_TRUE(!xtcp_cc_enter_recovery(&cc, ops, 2000, 9000, 20));
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 2000, 9000, 20, false) && cc.cwnd == 10);
	/* ...no deflation on a partial ACK, ssthresh at the end. */
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 5000, 5, 12, true, NULL) && cc.cwnd == 10);
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 9000, 5, 2, true, NULL) && cc.cwnd == 10 &&
	      cc.state == XTCP_CA_OPEN);
	/* Not again for losses of the same window. */
	EXPECT_TRUE(!xtcp_cc_enter_recovery(&cc, ops, 9000, 12000, 10));
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 9001, 12000, 10));
}

/*
 * @rounds round trips of @rtt_ms in congestion avoidance, every segment
 * of each window ACKed two at a time, the clock advancing through the
 * round; *@now is the clock.  Returns false if cwnd ever shrank.
 */
static bool cubic_rounds(struct xtcp_cc *cc, u32 *now, u32 rtt_ms,
			 int rounds)
{
	struct xtcp_ack_sample s = { .min_rtt_us = rtt_ms * 1000 };
	u32 prev = cc->cwnd;
	int r;

	for (r = 0; r < rounds; r++) {
		u32 w = cc->cwnd, i;

		for (i = 0; i < w; i += 2) {
			s.now_ms = *now + rtt_ms * i / w;
			xtcp_cc_newack(cc, &xtcp_cubic, 0, 2, w, true, &s);
			if (cc->cwnd < prev)
				return false;
			prev = cc->cwnd;
		}
		*now += rtt_ms;
	}
	return true;
}

/*
 * CUBIC (RFC 9438) after a loss at 100 segments, 100 ms round trips:
 * cwnd falls to 70, climbs concave to W_max by K = cbrt(30 / 0.4) =
 * 4.2 s, stays near it, then grows convex; W(t) = 0.4 (t - K)^3 + 100.
 */
TEST(cubic)
{
	const struct xtcp_cong_ops *ops = &xtcp_cubic;
	struct xtcp_cc cc;
	u32 now = 5000;

	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 100;
	cc.ssthresh = 50;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 2000, 90000, 100));
	EXPECT_TRUE(cc.ssthresh == 70 && cc.cwnd == 70);
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 90000, 10, 60, true, NULL));
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 70);

	/* Concave: 2 s in, W(2.1 s) = 96.2. */
	EXPECT_TRUE(cubic_rounds(&cc, &now, 100, 20));
	EXPECT_TRUE(cc.cwnd >= 92 && cc.cwnd <= 99);
	/* At K, W_max, and slowly around it. */
	EXPECT_TRUE(cubic_rounds(&cc, &now, 100, 22));
	EXPECT_TRUE(cc.cwnd >= 98 && cc.cwnd <= 102);
	/* Convex beyond: W(8.1 s) = 123. */
	EXPECT_TRUE(cubic_rounds(&cc, &now, 100, 38));
	EXPECT_TRUE(cc.cwnd >= 116 && cc.cwnd <= 128);

	/*
	 * Fast convergence: a loss below the last W_max (100) remembers
	 * less, 0.85 of the window, so that the next flow gets room.
	 */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 100;
	xtcp_cc_enter_recovery(&cc, ops, 2000, 3000, 100);
	xtcp_cc_newack(&cc, ops, 3000, 10, 60, true, NULL);
	cc.cwnd = 90;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 4000, 5000, 90));
	EXPECT_TRUE(cc.ssthresh == 63 && cc.priv[0] == 76);
	/*
	 * The next loss at 80 is above W_max as it stands (76): W_max is
	 * that window, not 0.85 of it, though 80 is below the 90 of the
	 * loss before (section 4.7's W_max, Linux's last_max_cwnd).
	 */
	xtcp_cc_newack(&cc, ops, 5000, 10, 60, true, NULL);
	cc.cwnd = 80;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 6000, 7000, 80));
	EXPECT_TRUE(cc.ssthresh == 56 && cc.priv[0] == 80);

	/*
	 * Reno-friendly: at 1 ms round trips the cubic curve is all but
	 * flat for seconds; cwnd still grows as Reno's estimate, about
	 * 0.53 segment per round trip.
	 */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 20;
	xtcp_cc_enter_recovery(&cc, ops, 2000, 3000, 20);
	xtcp_cc_newack(&cc, ops, 3000, 10, 10, true, NULL);
	EXPECT_TRUE(cc.cwnd == 14);
	EXPECT_TRUE(cubic_rounds(&cc, &now, 1, 100));
	EXPECT_TRUE(cc.cwnd >= 14 + 40 && cc.cwnd <= 14 + 60);

	/* A timeout: ssthresh from the window, slow start from 1... */
	cc.cwnd = 40;
	xtcp_cc_timeout(&cc, ops, 2000, 9000, 40);
	EXPECT_TRUE(cc.cwnd == 1 && cc.ssthresh == 28);
	/*
	 * ...and W_max forgotten (set_state, RFC 9438 section 4.8): back at
	 * ssthresh, the next curve starts there with K = 0, convex, rather
	 * than climbing back to the 40 segments of before the timeout.
	 */
	EXPECT_TRUE(cc.priv[0] == 0 && cc.priv[1] == 0);
	cc.cwnd = 28;
	xtcp_cc_newack(&cc, ops, 9000, 1, 0, false, NULL);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN);
	EXPECT_TRUE(cubic_rounds(&cc, &now, 100, 1));
	EXPECT_TRUE(cc.priv[2] == 0 && cc.priv[3] == 28);

	/*
	 * No RTT sample yet, and the clock wraps during the epoch: 10 s in,
	 * the curve from 10 segments is at 0.4 * 10^3 + 10 = 410.  A wrap
	 * taken for 49 days would have cwnd grow a segment per 2 ACKed.
	 */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.ssthresh = 10;
	now = 0xfffff000U;
	{
		struct xtcp_ack_sample s = { .now_ms = now, .min_rtt_us = ~0U };
		int i;

		for (i = 0; i < 1000; i++) {
			s.now_ms += 10;
			xtcp_cc_newack(&cc, ops, 0, 2, cc.cwnd, true, &s);
		}
		EXPECT_TRUE(cc.cwnd > 200 && cc.cwnd < 420);
	}
}

/*
 * Slow start for @rounds round trips whose RTT samples are @rtt_us:
 * each round's window of 1000-byte segments ACKed two at a time, each
 * ACK releasing as many new segments as it ACKed and cwnd grew by.
 */
static void ss_rounds(struct xtcp_cc *cc, u32 *una, u32 rtt_us, int rounds)
{
	struct xtcp_ack_sample s = { .min_rtt_us = 90000, .rtt_us = rtt_us };
	int r;

	for (r = 0; r < rounds; r++) {
		u32 w = cc->cwnd, nxt = *una + w * 1000, i;

		for (i = 0; i < w; i += 2) {
			u32 before = cc->cwnd;

			s.ack = *una + (i + 2) * 1000;
			s.snd_nxt = nxt;
			xtcp_cc_newack(cc, &xtcp_cubic, s.ack, 2, w, true, &s);
			nxt += (2 + cc->cwnd - before) * 1000;
		}
		*una += w * 1000;
	}
}

/* One ACK of @acked segments up to @ack, without an RTT sample. */
static void one_ack(struct xtcp_cc *cc, u32 ack, u32 acked)
{
	struct xtcp_ack_sample s = { .ack = ack, .snd_nxt = ack + 20000 };

	xtcp_cc_newack(cc, &xtcp_cubic, ack, acked, cc->cwnd, true, &s);
}

/*
 * HyStart++ (RFC 9406) ends CUBIC's first slow start: while round trips
 * keep their length the window doubles each round; once a round's
 * lowest RTT is a threshold above the last one's (here 100 -> 130 ms),
 * Conservative Slow Start grows it by a quarter as much, and after 5
 * such rounds ssthresh = cwnd: congestion avoidance, no loss needed.
 */
TEST(hystart)
{
	const struct xtcp_cong_ops *ops = &xtcp_cubic;
	struct xtcp_cc cc;
	u32 una = 1000, w;

	xtcp_cc_init(&cc, ops, 0, true);
	ss_rounds(&cc, &una, 100000, 3);
	EXPECT_TRUE(cc.cwnd == 80 && cc.ssthresh == XTCP_INFINITE_SSTHRESH);
	/*
	 * Queueing: 130 ms, above 100 + 12.5 ms.  HyStart's rounds begin
	 * where the data sent at the last one's start is ACKed, here
	 * midway through a window: CSS from the 8th sample of the first
	 * round all at 130 ms, so this window grows less than twofold.
	 */
	w = cc.cwnd;
	ss_rounds(&cc, &una, 130000, 1);
	EXPECT_TRUE(cc.cwnd > w + w / 4 && cc.cwnd < 2 * w);
	EXPECT_TRUE(cc.ssthresh == XTCP_INFINITE_SSTHRESH);
	/* CSS: a quarter of slow start's growth a round... */
	w = cc.cwnd;
	ss_rounds(&cc, &una, 130000, 1);
	EXPECT_TRUE(cc.cwnd >= w + w / 4 - 2 && cc.cwnd <= w + w / 4 + 2);
	/* ...for 5 rounds, then congestion avoidance at that window. */
	ss_rounds(&cc, &una, 130000, 3);
	EXPECT_TRUE(cc.ssthresh == XTCP_INFINITE_SSTHRESH);
	ss_rounds(&cc, &una, 130000, 2);
	EXPECT_TRUE(cc.ssthresh != XTCP_INFINITE_SSTHRESH);
	EXPECT_TRUE(cc.cwnd >= cc.ssthresh && cc.cwnd <= cc.ssthresh + 30);
	w = cc.cwnd;
	ss_rounds(&cc, &una, 130000, 1);
	EXPECT_TRUE(cc.cwnd > w && cc.cwnd < w + w / 8);

	/* CSS left for slow start again when the RTT falls back. */
	xtcp_cc_init(&cc, ops, 0, true);
	una = 1000;
	ss_rounds(&cc, &una, 100000, 3);
	ss_rounds(&cc, &una, 130000, 2);
	ss_rounds(&cc, &una, 100000, 1);
	w = cc.cwnd;
	ss_rounds(&cc, &una, 100000, 1);
	EXPECT_TRUE(cc.cwnd >= 2 * w - 4 && cc.ssthresh == XTCP_INFINITE_SSTHRESH);

	/*
	 * No RTT growth: plain slow start, every segment an ACK covers
	 * (no L, as tcp_slow_start()), stretch ACKs included.
	 */
	xtcp_cc_init(&cc, ops, 0, true);
	una = 1000;
	ss_rounds(&cc, &una, 100000, 6);
	EXPECT_TRUE(cc.cwnd == 640 && cc.ssthresh == XTCP_INFINITE_SSTHRESH);
	w = cc.cwnd;
	one_ack(&cc, una + 20000, 20);
	EXPECT_TRUE(cc.cwnd == w + 20);
}

/*
 * CUBIC after an idle period: the first send with nothing in flight
 * (XTCP_CA_EVENT_TX_START) moves the epoch on by the idle time, so the
 * curve goes on from where it stopped, as tcp_cubic.c's: a connection
 * idle 10 s grows as one that never stopped, not as the curve 10 s
 * further on would have it (W(t) = 0.4 (t - K)^3 + 100 from 70).
 */
TEST(cubic_idle)
{
	const struct xtcp_cong_ops *ops = &xtcp_cubic;
	struct xtcp_cc cc, twin, jump;
	u32 now = 5000, tnow, jnow, epoch;

	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 100;
	xtcp_cc_enter_recovery(&cc, ops, 2000, 90000, 100);
	xtcp_cc_newack(&cc, ops, 90000, 10, 60, true, NULL);
	EXPECT_TRUE(cubic_rounds(&cc, &now, 100, 10));
	EXPECT_TRUE(cc.cwnd > 70 && cc.cwnd < 95);
	epoch = cc.priv[1];
	EXPECT_TRUE(epoch != 0);
	twin = cc;
	jump = cc;
	tnow = now;
	now += 10000;
	jnow = now;
	/* The restart event is not CUBIC's business; TX_START is. */
	xtcp_cc_event(&cc, ops, XTCP_CA_EVENT_CWND_RESTART, now, 10000);
	EXPECT_TRUE(cc.priv[1] == epoch);
	xtcp_cc_event(&cc, ops, XTCP_CA_EVENT_TX_START, now, 10000);
	EXPECT_TRUE(cc.priv[1] == epoch + 10000);
	EXPECT_TRUE(cubic_rounds(&cc, &now, 100, 5));
	EXPECT_TRUE(cubic_rounds(&twin, &tnow, 100, 5));
	EXPECT_TRUE(cc.cwnd == twin.cwnd);
	/* Without the shift the curve is 10 s ahead: up by half a round. */
	EXPECT_TRUE(cubic_rounds(&jump, &jnow, 100, 5));
	EXPECT_TRUE(jump.cwnd > twin.cwnd + 50);

	/* No further than now: an epoch that began during the idle time. */
	cc.priv[1] = 20000;
	xtcp_cc_event(&cc, ops, XTCP_CA_EVENT_TX_START, 21000, 3000);
	EXPECT_TRUE(cc.priv[1] == 21000);
	/* Across the clock's wrap, and never to 0 (no epoch). */
	cc.priv[1] = 0xffffe000U;
	xtcp_cc_event(&cc, ops, XTCP_CA_EVENT_TX_START, 0x2000, 0x1800);
	EXPECT_TRUE(cc.priv[1] == 0xfffff800U);
	cc.priv[1] = 0xfffff000U;
	xtcp_cc_event(&cc, ops, XTCP_CA_EVENT_TX_START, 0x2000, 0x1000);
	EXPECT_TRUE(cc.priv[1] == 1);
	/* No epoch yet (slow start, or just after a loss): none made. */
	xtcp_cc_init(&cc, ops, 1000, true);
	xtcp_cc_event(&cc, ops, XTCP_CA_EVENT_TX_START, 30000, 5000);
	EXPECT_TRUE(cc.priv[1] == 0);
}

/*
 * Restart after idle (RFC 5681 section 4.1's old rule, Linux's
 * tcp_cwnd_restart()): nothing for an idle period up to the RTO; past
 * it cwnd halves once per RTO the period lasted, down to min(IW, cwnd)
 * at most, and ssthresh keeps at least 3/4 of the old cwnd (outside
 * recovery and CWR).
 */
TEST(cc_restart)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;
	u32 epoch;

	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 80;
	EXPECT_TRUE(!xtcp_cc_restart(&cc, ops, 5000, 200, 200));
	EXPECT_TRUE(cc.cwnd == 80 && cc.ssthresh == XTCP_INFINITE_SSTHRESH);
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 201, 200));
	EXPECT_TRUE(cc.cwnd == 40 && cc.ssthresh == XTCP_INFINITE_SSTHRESH);
	cc.cwnd = 80;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 400, 200));
	EXPECT_TRUE(cc.cwnd == 40);
	cc.cwnd = 80;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 401, 200));
	EXPECT_TRUE(cc.cwnd == 20);
	cc.cwnd = 80;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 601, 200));
	EXPECT_TRUE(cc.cwnd == 10);
	/* Not below the restart window: IW... */
	cc.cwnd = 80;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 100000, 200));
	EXPECT_TRUE(cc.cwnd == XTCP_INIT_CWND);
	cc.cwnd = 30;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 601, 200));
	EXPECT_TRUE(cc.cwnd == XTCP_INIT_CWND);
	/* ...or cwnd, when smaller. */
	cc.cwnd = 6;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 100000, 200));
	EXPECT_TRUE(cc.cwnd == 6);
	/* ssthresh remembers 3/4 of the window it had. */
	cc.cwnd = 80;
	cc.ssthresh = 20;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 300, 200));
	EXPECT_TRUE(cc.cwnd == 40 && cc.ssthresh == 60);
	cc.cwnd = 80;
	cc.ssthresh = 70;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 300, 200));
	EXPECT_TRUE(cc.cwnd == 40 && cc.ssthresh == 70);
	/* In a reduction ssthresh is the reduction's. */
	cc.cwnd = 80;
	cc.ssthresh = 20;
	cc.state = XTCP_CA_CWR;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 300, 200));
	EXPECT_TRUE(cc.cwnd == 40 && cc.ssthresh == 20);

	/* CUBIC hears of it, and its epoch stays: TX_START moves that. */
	ops = &xtcp_cubic;
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.priv[2] = epoch = 4000;
	cc.cwnd = 64;
	EXPECT_TRUE(xtcp_cc_restart(&cc, ops, 5000, 1000, 250));
	EXPECT_TRUE(cc.cwnd == 10 && cc.ssthresh == XTCP_INFINITE_SSTHRESH);
	EXPECT_TRUE(cc.priv[2] == epoch);
}

/*
 * PRR (RFC 6937) in SACK recovery, NewReno's halving: a loss at cwnd 20
 * with 20 in flight, then an ACK per segment delivered.  While pipe is
 * above ssthresh (10) one segment goes per two delivered, so pipe falls
 * smoothly to ssthresh rather than at once; below it (more losses) it
 * grows back by what was delivered and not yet sent, one segment more
 * only on an ACK that moved SND.UNA and found no loss (Linux 6.1's
 * tcp_cwnd_reduction(), RFC 9937's SafeACK).  The first segment of a
 * reduction always may go: the fast retransmit.
 */
TEST(prr)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	u32 pipe = 20, sent = 0, i;
	struct xtcp_cc cc;

	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 20;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 2000, 30000, 20));
	EXPECT_TRUE(cc.ssthresh == 10 && cc.prior_cwnd == 20);
	/* The lost one leaves pipe; each ACK then delivers one segment. */
	pipe--;
	for (i = 0; i < 18; i++) {
		u32 now;

		pipe--;
		xtcp_cc_prr(&cc, 1, pipe, true);
		now = cc.cwnd > pipe ? cc.cwnd - pipe : 0;
		/* Never more than the proportional share so far. */
		EXPECT_TRUE(now <= 1);
		cc.prr_out += now;
		sent += now;
		pipe += now;
	}
	EXPECT_TRUE(sent == 9 && pipe == 10);
	/* Half of the deliveries went back out: 18 delivered, 9 sent. */
	EXPECT_TRUE(cc.prr_delivered == 18 && cc.prr_out == 9);

	/*
	 * Pipe below ssthresh (more losses): back up to ssthresh, by at
	 * most what was delivered and not yet sent (20 - 9) plus one.
	 */
	pipe = 4;
	xtcp_cc_prr(&cc, 2, pipe, false);
	EXPECT_TRUE(cc.cwnd == 10);
	cc.prr_out += 6;
	pipe = 1;
	xtcp_cc_prr(&cc, 1, pipe, true);
	/* 21 delivered, 15 sent: 6 + 1 more at most, 9 to ssthresh. */
	EXPECT_TRUE(cc.cwnd == pipe + 7);
	/* The same on an ACK that found more losses: 6, no more. */
	cc.prr_delivered--;
	xtcp_cc_prr(&cc, 1, pipe, false);
	EXPECT_TRUE(cc.cwnd == pipe + 6);
	/* Nothing delivered: cwnd unchanged. */
	i = cc.cwnd;
	xtcp_cc_prr(&cc, 0, 3, true);
	EXPECT_TRUE(cc.cwnd == i);

	/*
	 * A recovery RACK's timer starts with nine of ten lost and one
	 * SACKed: pipe 0, counted as one segment delivered by an unsafe
	 * ACK (tcp_rack_reo_timeout()): the fast retransmit alone, not
	 * ssthresh's 5 at once.
	 */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 10;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 2000, 12000, 10));
	EXPECT_TRUE(cc.ssthresh == 5);
	xtcp_cc_prr(&cc, 1, 0, false);
	EXPECT_TRUE(cc.cwnd == 1);
	/* pipe at ssthresh on the first ACK: the fast retransmit still. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 10;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 2000, 12000, 10));
	xtcp_cc_prr(&cc, 1, 5, true);
	EXPECT_TRUE(cc.cwnd == 6);
	cc.prr_out = 1;
	xtcp_cc_prr(&cc, 1, 5, false);
	EXPECT_TRUE(cc.cwnd == 5);
	/* Not in recovery, or without SACK: PRR leaves cwnd alone. */
	xtcp_cc_init(&cc, ops, 1000, false);
	cc.cwnd = 20;
	xtcp_cc_enter_recovery(&cc, ops, 2000, 30000, 20);
	i = cc.cwnd;
	xtcp_cc_prr(&cc, 1, 15, true);
	EXPECT_TRUE(cc.cwnd == i);
}

/*
 * An ECN-Echo (RFC 3168 6.1.2): ssthresh falls as for a loss, once per
 * window, and PRR brings cwnd down to it without a resend; a loss in
 * that window starts repair without a second cut; the ACK of the
 * window ends CWR at ssthresh.  A timeout in CWR keeps its ssthresh.
 */
TEST(cwr)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_ack_sample s = { 0 };
	u32 pipe = 20, i;
	struct xtcp_cc cc;

	xtcp_cc_init(&cc, ops, 1000, false);
	cc.cwnd = 20;
	cc.ssthresh = 100;
	EXPECT_TRUE(xtcp_cc_enter_cwr(&cc, ops, 30000, 20));
	EXPECT_TRUE(cc.state == XTCP_CA_CWR && cc.ssthresh == 10 &&
		    cc.cwnd == 20 && cc.prior_cwnd == 20 && cc.recover == 30000);
	/* Once per window: a second echo changes nothing. */
	cc.ssthresh = 7;
	EXPECT_TRUE(!xtcp_cc_enter_cwr(&cc, ops, 31000, 20));
	EXPECT_TRUE(cc.ssthresh == 7 && cc.recover == 30000);
	cc.ssthresh = 10;
	/* PRR without SACK too: one segment out per two delivered. */
	for (i = 0; i < 10; i++) {
		u32 now;

		pipe--;
		xtcp_cc_prr(&cc, 1, pipe, true);
		now = cc.cwnd > pipe ? cc.cwnd - pipe : 0;
		cc.prr_out += now;
		pipe += now;
	}
	EXPECT_TRUE(cc.prr_out == 5 && pipe == 15);
	/* ACKs up to "recover" do not grow cwnd ... */
	i = cc.cwnd;
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 20000, 1, pipe, true, &s));
	EXPECT_TRUE(!xtcp_cc_newack(&cc, ops, 30000, 1, pipe, true, &s));
	EXPECT_TRUE(cc.cwnd == i && cc.state == XTCP_CA_CWR);
	/* ... the first beyond it ends CWR at ssthresh. */
	xtcp_cc_newack(&cc, ops, 30001, 1, pipe, true, &s);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 10);
	/* Open again: the next echo cuts again. */
	EXPECT_TRUE(xtcp_cc_enter_cwr(&cc, ops, 40000, 10));
	EXPECT_TRUE(cc.ssthresh == 5);

	/* A loss in CWR: recovery with CWR's ssthresh, no second cut. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 20;
	xtcp_cc_enter_cwr(&cc, ops, 30000, 20);
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 2000, 32000, 18));
	EXPECT_TRUE(cc.state == XTCP_CA_RECOVERY && cc.ssthresh == 10 &&
		    cc.prior_cwnd == 20 && cc.recover == 32000);
	/* Without SACK, NewReno's inflation by the three duplicates. */
	xtcp_cc_init(&cc, ops, 1000, false);
	cc.cwnd = 20;
	xtcp_cc_enter_cwr(&cc, ops, 30000, 20);
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 2000, 32000, 18));
	EXPECT_TRUE(cc.cwnd == 10 + XTCP_DUPTHRESH);
	/* In recovery or loss an echo is already answered. */
	EXPECT_TRUE(!xtcp_cc_enter_cwr(&cc, ops, 33000, 10));
	xtcp_cc_timeout(&cc, ops, 2000, 33000, 10);
	EXPECT_TRUE(!xtcp_cc_enter_cwr(&cc, ops, 33000, 10));
	/* A timeout in CWR keeps its ssthresh. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_enter_cwr(&cc, ops, 30000, 40);
	xtcp_cc_timeout(&cc, ops, 2000, 30000, 40);
	EXPECT_TRUE(cc.state == XTCP_CA_LOSS && cc.ssthresh == 20 &&
		    cc.cwnd == 1);
}

/*
 * D-SACK undo (RFC 3708): a recovery whose every resend came back as a
 * D-SACK was for reordering, not loss; cwnd and ssthresh go back, and
 * a new loss may start a recovery at once.  One resend not reported
 * twice keeps the reduction; an ECN-Echo forbids the undo.
 */
TEST(undo)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;

	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	cc.ssthresh = 100;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 5000, 60000, 40));
	EXPECT_TRUE(cc.ssthresh == 20 && cc.undo && cc.undo_marker == 5000 &&
		    cc.prior_ssthresh == 100);
	/* Nothing resent yet: no undo (that is tcp_try_undo_recovery's). */
	EXPECT_TRUE(!xtcp_cc_try_undo(&cc, ops, 5000));
	xtcp_cc_retransmitted(&cc, 1, 0);
	xtcp_cc_retransmitted(&cc, 1, 0);
	/* A D-SACK below the marker is older news. */
	xtcp_cc_dsack(&cc, 4000, 1);
	EXPECT_TRUE(cc.undo_retrans == 2 && !xtcp_cc_try_undo(&cc, ops, 5000));
	xtcp_cc_dsack(&cc, 6460, 1);
	EXPECT_TRUE(!xtcp_cc_try_undo(&cc, ops, 5000));
	xtcp_cc_dsack(&cc, 7920, 3);
	EXPECT_TRUE(cc.undo_retrans == 0);
	EXPECT_TRUE(xtcp_cc_try_undo(&cc, ops, 9000));
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 40 &&
		    cc.ssthresh == 100 && !cc.undo);
	/* Undone once only; a new loss starts a new recovery at once. */
	EXPECT_TRUE(!xtcp_cc_try_undo(&cc, ops, 9000));
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 9000, 60000, 40));

	/* One resend never reported twice: the reduction stands. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_enter_recovery(&cc, ops, 5000, 60000, 40);
	xtcp_cc_retransmitted(&cc, 2, 0);
	xtcp_cc_dsack(&cc, 6460, 1);
	xtcp_cc_newack(&cc, ops, 60000, 1, 10, true, NULL);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && !xtcp_cc_try_undo(&cc, ops, 60000));
	/* ... until the late D-SACK comes, in open state. */
	xtcp_cc_dsack(&cc, 7920, 1);
	EXPECT_TRUE(xtcp_cc_try_undo(&cc, ops, 60000) && cc.cwnd == 40);

	/* An ECN-Echo meanwhile: congestion, never undone. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_enter_recovery(&cc, ops, 5000, 60000, 40);
	xtcp_cc_retransmitted(&cc, 1, 0);
	xtcp_cc_enter_cwr(&cc, ops, 60000, 30);
	xtcp_cc_dsack(&cc, 6460, 1);
	EXPECT_TRUE(!xtcp_cc_try_undo(&cc, ops, 5000) && cc.ssthresh == 20);

	/* A timeout from open: undone too, once back in open state. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_timeout(&cc, ops, 5000, 60000, 40);
	xtcp_cc_retransmitted(&cc, 1, 0);
	xtcp_cc_dsack(&cc, 6460, 1);
	EXPECT_TRUE(!xtcp_cc_try_undo(&cc, ops, 5000));
	xtcp_cc_newack(&cc, ops, 60000, 1, 0, false, NULL);
	EXPECT_TRUE(xtcp_cc_try_undo(&cc, ops, 60000) && cc.cwnd == 40 &&
		    cc.ssthresh == XTCP_INFINITE_SSTHRESH);
}

/* An algorithm's undo_cwnd: what an undo leaves cwnd at. */
static u32 half_back(struct xtcp_cc *cc)
{
	return cc->cwnd + (cc->prior_cwnd - cc->cwnd) / 2;
}

static u32 nothing_back(struct xtcp_cc *cc)
{
	return 0;
}

/*
 * undo_cwnd (tcp_undo_cwnd_reduction() asks the algorithm): its answer
 * is the cwnd after an undo, at least 1; ssthresh goes back whatever
 * it says.  Without one, Reno's: the larger of cwnd and the one before.
 */
TEST(undo_cwnd)
{
	struct xtcp_cong_ops half = xtcp_newreno, none = xtcp_newreno;
	struct xtcp_cc cc;

	half.undo_cwnd = half_back;
	none.undo_cwnd = nothing_back;
	xtcp_cc_init(&cc, &half, 1000, true);
	cc.cwnd = 40;
	cc.ssthresh = 100;
	xtcp_cc_enter_recovery(&cc, &half, 5000, 60000, 40);
	EXPECT_TRUE(cc.cwnd == 20 && cc.prior_cwnd == 40);
	xtcp_cc_retransmitted(&cc, 1, 0);
	xtcp_cc_dsack(&cc, 6460, 1);
	EXPECT_TRUE(xtcp_cc_try_undo(&cc, &half, 9000));
	EXPECT_TRUE(cc.cwnd == 30 && cc.ssthresh == 100);

	xtcp_cc_init(&cc, &none, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_enter_recovery(&cc, &none, 5000, 60000, 40);
	xtcp_cc_retransmitted(&cc, 1, 0);
	xtcp_cc_dsack(&cc, 6460, 1);
	EXPECT_TRUE(xtcp_cc_try_undo(&cc, &none, 9000) && cc.cwnd == 1);
}

/*
 * F-RTO's undo (RFC 5682 step 3b): a spurious timeout from open gives
 * back cwnd and ssthresh, in loss and whatever the D-SACKs said; one
 * from recovery goes back to before the recovery; one after an
 * ECN-Echo only ends the loss state.
 */
TEST(undo_loss)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;

	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_timeout(&cc, ops, 5000, 60000, 40);
	EXPECT_TRUE(cc.state == XTCP_CA_LOSS && cc.cwnd == 1 &&
		    cc.ssthresh == 20);
	xtcp_cc_retransmitted(&cc, 1, 0);
	xtcp_cc_newack(&cc, ops, 6460, 1, 0, true, NULL);
	EXPECT_TRUE(cc.state == XTCP_CA_LOSS && cc.cwnd == 2);
	/* D-SACK undo does not act in loss; F-RTO's does. */
	EXPECT_TRUE(!xtcp_cc_try_undo(&cc, ops, 6460));
	xtcp_cc_undo_loss(&cc, ops, 7920);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 40 &&
		    cc.ssthresh == XTCP_INFINITE_SSTHRESH && !cc.undo &&
		    cc.recover == 7919);
	/* A loss right after may start a recovery at once. */
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 7920, 60000, 40));

	/* A second timeout of the same data keeps the first one's undo. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	cc.ssthresh = 30;
	xtcp_cc_timeout(&cc, ops, 5000, 60000, 40);
	xtcp_cc_timeout(&cc, ops, 5000, 60000, 1);
	EXPECT_TRUE(cc.ssthresh == 20 && cc.cwnd == 1);
	xtcp_cc_undo_loss(&cc, ops, 6460);
	EXPECT_TRUE(cc.cwnd == 40 && cc.ssthresh == 30);

	/* After an ECN-Echo there is nothing to go back to. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_enter_cwr(&cc, ops, 60000, 40);
	xtcp_cc_timeout(&cc, ops, 5000, 60000, 40);
	xtcp_cc_undo_loss(&cc, ops, 6460);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 1 &&
		    cc.ssthresh == 20);
}

/*
 * Eifel (RFC 3522): an ACK echoing a TSval older than the first resend
 * of a reduction answers an original.  A timeout is taken back in loss
 * (TCPLossUndo), a recovery at its end (TCPFullUndo), or on a partial
 * ACK once no resend is in flight (TCPPartialUndo).  The first resend's
 * TSval is the stamp; an ACK echoing it or a later one, or none, or a
 * reduction with nothing resent, undoes nothing.  Not in open, CWR.
 */
TEST(undo_eifel)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;

	/* A timeout from open, one resend at TSval 1000. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_timeout(&cc, ops, 5000, 60000, 40);
	/* Nothing resent yet: nothing to compare with. */
	EXPECT_TRUE(!xtcp_cc_packet_delayed(&cc, 900));
	xtcp_cc_retransmitted(&cc, 1, 1000);
	xtcp_cc_retransmitted(&cc, 1, 1200);
	EXPECT_TRUE(cc.undo_tsval == 1000);
	EXPECT_TRUE(!xtcp_cc_packet_delayed(&cc, 1000));
	EXPECT_TRUE(!xtcp_cc_packet_delayed(&cc, 1100));
	EXPECT_TRUE(!xtcp_cc_packet_delayed(&cc, 0));
	EXPECT_TRUE(xtcp_cc_packet_delayed(&cc, 999));
	/* Across the wrap of the clock too. */
	cc.undo_tsval = 5;
	EXPECT_TRUE(xtcp_cc_packet_delayed(&cc, 0xfffffff0U));
	EXPECT_TRUE(xtcp_cc_undo_delayed(&cc, ops, 6460, true) ==
		    XTCP_UNDO_LOSS);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 40 &&
		    cc.ssthresh == XTCP_INFINITE_SSTHRESH && !cc.undo);
	/* Once only. */
	EXPECT_TRUE(!xtcp_cc_packet_delayed(&cc, 999));
	EXPECT_TRUE(xtcp_cc_undo_delayed(&cc, ops, 6460, false) ==
		    XTCP_UNDO_NONE);

	/* A recovery: partial ACKs, then its end. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	cc.ssthresh = 100;
	xtcp_cc_enter_recovery(&cc, ops, 5000, 60000, 40);
	xtcp_cc_retransmitted(&cc, 1, 2000);
	EXPECT_TRUE(cc.ssthresh == 20 && xtcp_cc_packet_delayed(&cc, 1990));
	/* A resend still in flight: not yet. */
	EXPECT_TRUE(xtcp_cc_undo_delayed(&cc, ops, 30000, true) ==
		    XTCP_UNDO_NONE);
	EXPECT_TRUE(cc.state == XTCP_CA_RECOVERY && cc.ssthresh == 20);
	EXPECT_TRUE(xtcp_cc_undo_delayed(&cc, ops, 30000, false) ==
		    XTCP_UNDO_PARTIAL);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 40 &&
		    cc.ssthresh == 100 && cc.recover == 29999);
	/* A new loss may start a recovery at once. */
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 30000, 90000, 40));
	xtcp_cc_retransmitted(&cc, 2, 3000);
	/* At its end, resends in flight or not. */
	EXPECT_TRUE(xtcp_cc_undo_delayed(&cc, ops, 90000, true) ==
		    XTCP_UNDO_FULL);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 40 &&
		    cc.ssthresh == 100);

	/* Nothing resent, or an ECN-Echo meanwhile: nothing undone. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_enter_recovery(&cc, ops, 5000, 60000, 40);
	EXPECT_TRUE(xtcp_cc_undo_delayed(&cc, ops, 60000, false) ==
		    XTCP_UNDO_NONE);
	xtcp_cc_retransmitted(&cc, 1, 2000);
	xtcp_cc_enter_cwr(&cc, ops, 60000, 30);
	EXPECT_TRUE(!xtcp_cc_packet_delayed(&cc, 1000));
	EXPECT_TRUE(xtcp_cc_undo_delayed(&cc, ops, 60000, false) ==
		    XTCP_UNDO_NONE && cc.ssthresh == 20);

	/* A new reduction takes a new stamp. */
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	xtcp_cc_enter_recovery(&cc, ops, 5000, 60000, 40);
	xtcp_cc_retransmitted(&cc, 1, 2000);
	xtcp_cc_newack(&cc, ops, 60000, 1, 10, true, NULL);
	xtcp_cc_timeout(&cc, ops, 60000, 90000, 20);
	EXPECT_TRUE(!xtcp_cc_packet_delayed(&cc, 1000));
	xtcp_cc_retransmitted(&cc, 1, 4000);
	EXPECT_TRUE(xtcp_cc_packet_delayed(&cc, 3000) &&
		    !xtcp_cc_packet_delayed(&cc, 4000));
}

/*
 * The tail loss probe (RFC 8985 7.2): two SRTTs, plus the worst delayed
 * ACK for a lone segment, else a tick; never after the RTO.
 */
TEST(tlp_timeout)
{
	struct xtcp_rtt r = { 0 };

	/* No sample yet: as late as the RTO, or 1 s without one. */
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 3, 200000, 8000, 700000) == 700000);
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 3, 200000, 8000, -5) == 1000000);
	r.srtt_us = 20000;
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 5, 200000, 8000, 300000) == 48000);
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 1, 200000, 8000, 300000) == 240000);
	/* The RTO comes first: the probe goes then. */
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 1, 200000, 8000, 210000) == 210000);
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 5, 200000, 8000, 30000) == 30000);
	/* An RTO already overdue does not cap it. */
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 5, 200000, 8000, 0) == 48000);
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 5, 200000, 8000, -1000) == 48000);
	/* Huge estimates saturate rather than wrap. */
	r.srtt_us = 0xf0000000U;
	EXPECT_TRUE(xtcp_tlp_timeout_us(&r, 5, 200000, 8000, -1) == 0xffffffffU);
}

/*
 * A probe that repaired the tail: the window comes down as for a loss,
 * from cwnd (not the one segment in flight), at once; the connection
 * stays open and no earlier reduction can be undone any more.
 */
TEST(tlp_recovered)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;

	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 20;
	xtcp_cc_tlp_recovered(&cc, ops, 90000);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.cwnd == 10 &&
		    cc.ssthresh == 10 && cc.recover == 90000 && !cc.undo);
	/* One recovery per window: not for what was in flight then. */
	EXPECT_TRUE(!xtcp_cc_enter_recovery(&cc, ops, 80000, 95000, 10));
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 90001, 95000, 10));

	/* CUBIC's own decrease (beta 0.7). */
	ops = &xtcp_cubic;
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 20;
	xtcp_cc_tlp_recovered(&cc, ops, 90000);
	EXPECT_TRUE(cc.cwnd == 14 && cc.ssthresh == 14);

	/* An undo armed by an earlier recovery is gone. */
	ops = &xtcp_newreno;
	xtcp_cc_init(&cc, ops, 1000, true);
	cc.cwnd = 40;
	EXPECT_TRUE(xtcp_cc_enter_recovery(&cc, ops, 5000, 60000, 40));
	xtcp_cc_newack(&cc, ops, 60000, 1, 0, true, NULL);
	EXPECT_TRUE(cc.state == XTCP_CA_OPEN && cc.undo);
	xtcp_cc_tlp_recovered(&cc, ops, 70000);
	EXPECT_TRUE(!cc.undo && !xtcp_cc_try_undo(&cc, ops, 70000));
	EXPECT_TRUE(cc.cwnd == 10);
}

/*
 * RACK (RFC 8985 section 6.2): sending order by time, then sequence;
 * the reordering window; how long a segment has before it is lost.
 */
TEST(rack)
{
	/* Later in time, or at the same time higher in sequence. */
	EXPECT_TRUE(xtcp_rack_sent_after(1001, 1000, 5, 9));
	EXPECT_TRUE(!xtcp_rack_sent_after(1000, 1001, 9, 5));
	EXPECT_TRUE(xtcp_rack_sent_after(1000, 1000, 9, 5));
	EXPECT_TRUE(!xtcp_rack_sent_after(1000, 1000, 5, 5));
	/* Across the clock's wrap. */
	EXPECT_TRUE(xtcp_rack_sent_after(5, 0xfffffff0U, 1, 1));

	/* A quarter of the min RTT per step, at most SRTT. */
	EXPECT_TRUE(xtcp_rack_reo_wnd(20000, 30000, false, false, false, 1) ==
		    5000);
	EXPECT_TRUE(xtcp_rack_reo_wnd(20000, 30000, true, true, true, 3) ==
		    15000);
	EXPECT_TRUE(xtcp_rack_reo_wnd(20000, 30000, true, false, false, 0) ==
		    5000);
	EXPECT_TRUE(xtcp_rack_reo_wnd(20000, 30000, true, false, false, 255) ==
		    30000);
	/* No reordering seen: none while repairing or past DupThresh. */
	EXPECT_TRUE(xtcp_rack_reo_wnd(20000, 30000, false, true, false, 4) == 0);
	EXPECT_TRUE(xtcp_rack_reo_wnd(20000, 30000, false, false, true, 4) == 0);
	/* No min RTT yet: SRTT stands in. */
	EXPECT_TRUE(xtcp_rack_reo_wnd(~0U, 40000, false, false, false, 1) ==
		    10000);

	/* RTT 20 ms + window 5 ms: lost 25 ms after it was sent. */
	EXPECT_TRUE(xtcp_rack_remaining_us(20000, 5000, 110000, 100000) ==
		    15000);
	EXPECT_TRUE(xtcp_rack_remaining_us(20000, 5000, 125000, 100000) == 0);
	EXPECT_TRUE(xtcp_rack_remaining_us(20000, 5000, 130000, 100000) ==
		    -5000);
	EXPECT_TRUE(xtcp_rack_remaining_us(20000, 5000, 10, 0xfffffff0U) ==
		    24974);
	/* Saturates rather than wraps. */
	EXPECT_TRUE(xtcp_rack_remaining_us(0xffffffffU, 0xffffffffU, 0, 0) ==
		    0x7fffffff);
	EXPECT_TRUE(xtcp_rack_remaining_us(0, 0, 0xffffffffU, 0) ==
		    -0x7fffffff);
}

/* DupThresh follows the reordering seen, within its bounds. */
TEST(reordering)
{
	const struct xtcp_cong_ops *ops = &xtcp_newreno;
	struct xtcp_cc cc;

	xtcp_cc_init(&cc, ops, 1000, false);
	EXPECT_TRUE(cc.reordering == 3);
	/* Shallower than DupThresh: nothing changes. */
	xtcp_cc_reordered(&cc, 2, 300);
	EXPECT_TRUE(cc.reordering == 3);
	xtcp_cc_reordered(&cc, 7, 300);
	EXPECT_TRUE(cc.reordering == 7);
	/* Never past the maximum, never down. */
	xtcp_cc_reordered(&cc, 5000, 300);
	EXPECT_TRUE(cc.reordering == 300);
	xtcp_cc_reordered(&cc, 4, 300);
	EXPECT_TRUE(cc.reordering == 300);
	/* Duplicate ACKs below the raised DupThresh are no loss. */
	xtcp_cc_init(&cc, ops, 1000, false);
	xtcp_cc_reordered(&cc, 5, 300);
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false));
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false));
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false));
	EXPECT_TRUE(!xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false));
	EXPECT_TRUE(xtcp_cc_dupack(&cc, ops, 5000, 20000, 12, false) &&
	      cc.state == XTCP_CA_RECOVERY);
}

/* Per-second budgets: about the limit, never past 1.5 times it. */
TEST(rate)
{
	struct xtcp_rate rl = { 0 };
	unsigned int i, got;

	/* rnd 0: the budget of a second is half the limit. */
	for (got = 0, i = 0; i < 100; i++)
		got += xtcp_rate_allow(&rl, 7, 10, 0);
	EXPECT_TRUE(got == 5);
	/* A new second, a new budget: the most rnd can make it is 14. */
	for (got = 0, i = 0; i < 100; i++)
		got += xtcp_rate_allow(&rl, 8, 10, 9);
	EXPECT_TRUE(got == 14);
	/* The same second again after a pause: nothing new. */
	EXPECT_TRUE(!xtcp_rate_allow(&rl, 8, 10, 3));
	/* 0 allows none, INT_MAX all. */
	EXPECT_TRUE(!xtcp_rate_allow(&rl, 9, 0, 5));
	for (got = 0, i = 0; i < 100000; i++)
		got += xtcp_rate_allow(&rl, 10, 0x7fffffff, 0);
	EXPECT_TRUE(got == 100000);
}

/* A cookie's options in its TSval (cookie_init_timestamp()'s layout). */
TEST(cookie_timestamp)
{
	const struct xtcp_cookie_opts all = { .snd_wscale = 7, .sack = true,
					      .ecn = true };
	const struct xtcp_cookie_opts none = { .snd_wscale = XTCP_NO_WSCALE };
	struct xtcp_cookie_opts o;
	u32 ts;

	ts = xtcp_cookie_tsval(100000, &all);
	EXPECT_EQ(0x37U, ts & 0x3f);
	/* Never ahead of the clock, at most 64 ms behind it. */
	EXPECT_TRUE((s32)(ts - 100000) <= 0 && (s32)(100000 - ts) < 64);
	xtcp_cookie_ts_decode(ts, &o);
	EXPECT_TRUE(o.snd_wscale == 7 && o.sack && o.ecn);

	ts = xtcp_cookie_tsval(0xffffffc5u, &none);
	EXPECT_EQ(0xfU, ts & 0x3f);
	EXPECT_TRUE((s32)(ts - 0xffffffc5u) <= 0);
	xtcp_cookie_ts_decode(ts, &o);
	EXPECT_TRUE(o.snd_wscale == XTCP_NO_WSCALE && !o.sack && !o.ecn);
	/* Across the wrap: 3 ms after it, the options of 0 go back 61. */
	ts = xtcp_cookie_tsval(3, &(struct xtcp_cookie_opts){ .snd_wscale = 0,
							     .sack = true });
	EXPECT_EQ((u32)-48, ts);
	xtcp_cookie_ts_decode(ts, &o);
	EXPECT_TRUE(o.snd_wscale == 0 && o.sack && !o.ecn);
	/* A shift of 14 fits; a forged 15 means none, 14 is the most. */
	xtcp_cookie_ts_decode(xtcp_cookie_tsval(5000, &(struct xtcp_cookie_opts)
						{ .snd_wscale = 14 }), &o);
	EXPECT_EQ(14, o.snd_wscale);
}

/* SYN cookies: what goes in comes out, for two minutes, and no more. */
TEST(cookie)
{
	u32 h2[2] = { 0x12345678, 0x9abcdef0 }, c;
	u32 next[2] = { 0x55555555, h2[0] };

	EXPECT_TRUE(xtcp_cookie_mss_index(1460) == 3 && xtcp_cookie_mss_index(65535) == 3);
	EXPECT_TRUE(xtcp_cookie_mss_index(1459) == 2 && xtcp_cookie_mss_index(1300) == 1);
	EXPECT_TRUE(xtcp_cookie_mss_index(100) == 0 && xtcp_cookie_mss[0] == 536);
	/* Made in minute 1000 (h2[0] is that minute's hash)... */
	c = xtcp_cookie_make(0xdeadbeef, h2[0], 0xfffffff0, 1000, 2);
	EXPECT_TRUE(xtcp_cookie_check(c, 0xdeadbeef, h2, 0xfffffff0, 1000) == 2);
	/* ...good in the next (next[1] is then the minute before)... */
	EXPECT_TRUE(xtcp_cookie_check(c, 0xdeadbeef, next, 0xfffffff0, 1001) == 2);
	/*
	 * ...not after, not before, not for another ISN, tuple or cookie.
	 * (Only the 2 bits of the index are checked below the minute: one
	 * off can still pass, as in Linux's scheme; the keyed hashes are
	 * what a blind attacker cannot guess.)
	 */
	EXPECT_TRUE(xtcp_cookie_check(c, 0xdeadbeef, h2, 0xfffffff0, 1002) == -1);
	EXPECT_TRUE(xtcp_cookie_check(c, 0xdeadbeef, h2, 0xfffffff0, 999) == -1);
	EXPECT_TRUE(xtcp_cookie_check(c, 0xdeadbeef, h2, 0xfffff0f0, 1000) == -1);
	EXPECT_TRUE(xtcp_cookie_check(c, 0xdeadbdef, h2, 0xfffffff0, 1000) == -1);
	EXPECT_TRUE(xtcp_cookie_check(c + 0x10, 0xdeadbeef, h2, 0xfffffff0, 1000) == -1);
}

/*
 * Delivery-rate sampling (delivery.c, as tcp_rate.c): 10 segments sent
 * 1 ms apart from idle, ACKed 1 ms apart after a 50 ms RTT.  Each ACK
 * samples from the segment it delivers: delivered since that segment
 * left, over the longer of the send and the ACK phase.
 */
TEST(delivery_rate_sample)
{
	struct xtcp_delivery d;
	struct xtcp_tx_snap snap[10];
	struct xtcp_rate_sample rs;
	u32 t0 = 0xfffff000, i;	/* the clock wraps midway */

	xtcp_delivery_reset(&d);
	d.app_limited = 0;
	for (i = 0; i < 10; i++)
		xtcp_delivery_sent(&d, &snap[i], t0 + i * 1000, i == 0);
	EXPECT_TRUE(snap[0].valid && snap[9].valid);
	EXPECT_TRUE(snap[9].first_tx_us == t0 && snap[9].delivered == 0);
	EXPECT_TRUE(snap[9].delivered_us == t0);

	/* The first ACK: 1 segment over its 50 ms RTT. */
	rs = (struct xtcp_rate_sample){};
	xtcp_delivery_skb_delivered(&d, &snap[0], t0, 1000, 1, false, false,
				    &rs);
	xtcp_delivery_gen(&d, &rs, t0 + 50000, 50000);
	EXPECT_TRUE(rs.valid && rs.delivered == 1 && rs.interval_us == 50000);
	EXPECT_TRUE(rs.acked_sacked == 1 && d.delivered == 1);
	EXPECT_TRUE(d.rate_delivered == 1 && d.rate_interval_us == 50000);
	EXPECT_TRUE(d.first_tx_us == t0 && d.delivered_us == t0 + 50000);

	/* Then one ACK for segments 1..4: 5 over 54 ms (the ACK phase). */
	rs = (struct xtcp_rate_sample){};
	for (i = 1; i < 5; i++)
		xtcp_delivery_skb_delivered(&d, &snap[i], t0 + i * 1000,
					    1000 * (i + 1), 1, false, false,
					    &rs);
	xtcp_delivery_gen(&d, &rs, t0 + 54000, 50000);
	EXPECT_TRUE(rs.valid && rs.acked_sacked == 4 && d.delivered == 5);
	EXPECT_TRUE(rs.prior_delivered == 0 && rs.delivered == 5);
	EXPECT_TRUE(rs.interval_us == 54000);
	EXPECT_TRUE(rs.last_end_seq == 5000 && d.first_tx_us == t0 + 4000);
	/* 5 segments of 1000 bytes in 54 ms. */
	EXPECT_TRUE(xtcp_delivery_rate_bps(&d, 1000) == 5000000000ULL / 54000);

	/*
	 * Segment 9 SACKed first (it went last: the sample's newest), then
	 * 5..9 ACKed: the SACKed one is not counted twice, and the ACK
	 * samples from segment 8, its newest with a snapshot left.
	 */
	rs = (struct xtcp_rate_sample){};
	xtcp_delivery_skb_delivered(&d, &snap[9], t0 + 9000, 10000, 1, false,
				    true, &rs);
	xtcp_delivery_gen(&d, &rs, t0 + 59000, 50000);
	EXPECT_TRUE(!snap[9].valid && d.delivered == 6 && rs.delivered == 6);
	EXPECT_TRUE(rs.interval_us == 59000);
	rs = (struct xtcp_rate_sample){};
	for (i = 5; i < 10; i++)
		xtcp_delivery_skb_delivered(&d, &snap[i], t0 + i * 1000,
					    1000 * (i + 1), 1, false, false,
					    &rs);
	xtcp_delivery_gen(&d, &rs, t0 + 60000, 50000);
	EXPECT_TRUE(rs.acked_sacked == 4 && d.delivered == 10);
	EXPECT_TRUE(rs.last_end_seq == 9000 && rs.delivered == 10);

	/* A sample shorter than the min RTT (compressed ACKs) is none. */
	xtcp_delivery_sent(&d, &snap[0], t0 + 61000, true);
	rs = (struct xtcp_rate_sample){};
	xtcp_delivery_skb_delivered(&d, &snap[0], t0 + 61000, 11000, 1,
				    false, false, &rs);
	xtcp_delivery_gen(&d, &rs, t0 + 62000, 50000);
	EXPECT_TRUE(!rs.valid && d.delivered == 11);
	/* Nothing with a snapshot delivered: counted, no sample. */
	rs = (struct xtcp_rate_sample){};
	xtcp_delivery_gen(&d, &rs, t0 + 63000, 50000);
	EXPECT_TRUE(!rs.valid && rs.acked_sacked == 0 && d.delivered == 11);
}

/*
 * App-limited (tcp_rate_check_app_limited()): marked only with less
 * than a segment unsent, nothing queued below, room in cwnd and no loss
 * unrepaired; samples of segments sent then are app-limited until what
 * was in flight is delivered, and a slower app-limited sample does not
 * replace the kept rate, a faster one does.
 */
TEST(delivery_app_limited)
{
	struct xtcp_delivery d;
	struct xtcp_tx_snap snap;
	struct xtcp_rate_sample rs = {};

	/* A new connection is app-limited until its first delivery. */
	xtcp_delivery_reset(&d);
	EXPECT_TRUE(d.app_limited == ~0U);
	xtcp_delivery_gen(&d, &rs, 1000, ~0U);
	EXPECT_TRUE(d.app_limited == 0 && !rs.valid);

	d.delivered = 100;
	d.rate_delivered = 10;
	d.rate_interval_us = 10000;	/* 1 segment/ms kept */
	xtcp_delivery_check_app_limited(&d, 1448, 1448, true, 5, 10, 0, 0);
	EXPECT_TRUE(d.app_limited == 0);	/* a full segment waits */
	xtcp_delivery_check_app_limited(&d, 0, 1448, false, 5, 10, 0, 0);
	EXPECT_TRUE(d.app_limited == 0);	/* the qdisc holds some */
	xtcp_delivery_check_app_limited(&d, 0, 1448, true, 10, 10, 0, 0);
	EXPECT_TRUE(d.app_limited == 0);	/* cwnd-limited */
	xtcp_delivery_check_app_limited(&d, 0, 1448, true, 5, 10, 2, 1);
	EXPECT_TRUE(d.app_limited == 0);	/* a loss to repair */
	xtcp_delivery_check_app_limited(&d, 100, 1448, true, 5, 10, 1, 1);
	EXPECT_TRUE(d.app_limited == 105);

	/* Sent now, delivered at 20 ms: 1 in 10 ms, slower: not kept. */
	xtcp_delivery_sent(&d, &snap, 10000, true);
	EXPECT_TRUE(!!snap.app_limited);
	rs = (struct xtcp_rate_sample){};
	xtcp_delivery_skb_delivered(&d, &snap, 10000, 1, 1, false, false, &rs);
	xtcp_delivery_gen(&d, &rs, 20000, 5000);
	EXPECT_TRUE(rs.valid && rs.app_limited && rs.delivered == 1);
	EXPECT_TRUE(d.rate_delivered == 10 && !d.rate_app_limited);
	EXPECT_TRUE(d.app_limited == 105);	/* not yet past the mark */
	/*
	 * 10 in 6 ms (9 more without a snapshot ACKed with it), faster:
	 * kept, marked app-limited; delivered passes the mark, and the
	 * bubble is gone.
	 */
	xtcp_delivery_sent(&d, &snap, 20000, true);
	rs = (struct xtcp_rate_sample){};
	xtcp_delivery_skb_delivered(&d, &snap, 20000, 2, 1, false, false, &rs);
	rs.acked_sacked += 9;
	xtcp_delivery_gen(&d, &rs, 26000, 5000);
	EXPECT_TRUE(rs.valid && rs.app_limited && rs.delivered == 10);
	EXPECT_TRUE(d.rate_delivered == 10 && d.rate_interval_us == 6000);
	EXPECT_TRUE(!!d.rate_app_limited);
	EXPECT_TRUE(d.delivered == 111 && d.app_limited == 0);
	/* A mark just ahead: gone once delivered passes it. */
	d.app_limited = 111;
	d.delivered = 110;
	rs = (struct xtcp_rate_sample){ .acked_sacked = 1 };
	xtcp_delivery_gen(&d, &rs, 27000, 5000);
	EXPECT_TRUE(d.delivered == 111 && d.app_limited == 111);
	rs = (struct xtcp_rate_sample){ .acked_sacked = 1 };
	xtcp_delivery_gen(&d, &rs, 27000, 5000);
	EXPECT_TRUE(d.delivered == 112 && d.app_limited == 0);
	/* ECE: delivered_ce counts what the ACK delivered. */
	rs = (struct xtcp_rate_sample){ .acked_sacked = 3, .ece = 1 };
	xtcp_delivery_gen(&d, &rs, 28000, 5000);
	EXPECT_TRUE(d.delivered == 115 && d.delivered_ce == 3);
}

/*
 * BBR (module/bbr.c, xtcp_bbr.ko) against a simulated path: a
 * bottleneck of @btl segments per millisecond and a round-trip
 * propagation time of @rtprop ms, a queue in front of it that holds
 * whatever is in flight beyond the BDP.  Each round trip the sender
 * sends what cwnd and the pacing rate allow, and the ACKs (one per two
 * segments) carry delivery-rate samples as module/delivery.c makes
 * them: a round's segments over the round's length.
 */
struct bbr_path {
	struct xtcp_cc cc;
	u32 now_ms, delivered, btl, rtprop, mss;
	u32 rtt_ms;		/* the last round's RTT: RTprop plus the queue */
	u64 pacing;		/* the pacing rate at the round's end */
};

static void bbr_round(struct bbr_path *p, u8 state)
{
	struct xtcp_ack_sample s = { 0 };
	u32 sent, done, queue, i, prior = p->delivered, t0 = p->now_ms;

	/*
	 * What cwnd and the rate let out over a round trip; whatever is
	 * beyond the BDP waits in the queue and lengthens the next one.
	 */
	sent = p->cc.pacing_rate ?
	       (u32)(p->cc.pacing_rate * p->rtt_ms / 1000 / p->mss) :
	       p->cc.cwnd;
	sent = max(min(p->cc.cwnd, sent), 2U);
	queue = sent > p->btl * p->rtprop ? sent - p->btl * p->rtprop : 0;
	p->rtt_ms = p->rtprop + queue / p->btl;
	done = min(sent, p->btl * p->rtt_ms);
	p->cc.state = state;
	for (i = 0; i < done; i += 2) {
		p->now_ms = t0 + p->rtt_ms * (i + 2) / done;
		p->delivered += 2;
		s = (struct xtcp_ack_sample) {
			.now_ms = p->now_ms,
			.min_rtt_us = p->rtprop * 1000,
			.rtt_us = p->rtt_ms * 1000,
			.acked_sacked = 2,
			.acked = 2,
			.total_delivered = p->delivered,
			.prior_delivered = prior,
			.delivered = done,
			.interval_us = p->rtt_ms * 1000,
			.mss = p->mss,
			.srtt_us = p->rtt_ms * 1000,
			/* Each ACK's two segments replaced by two more. */
			.in_flight = sent - 2,
		};
		xtcp_bbr_ops.cong_control(&p->cc, &s);
	}
	p->now_ms = t0 + p->rtt_ms;
	p->pacing = p->cc.pacing_rate;
}

/* The pacing rate as a fraction of the bottleneck's, in percent. */
static u32 bbr_gain_pct(const struct bbr_path *p)
{
	return (u32)(p->pacing * 100 / ((u64)p->btl * 1000 * p->mss));
}

TEST(bbr)
{
	struct bbr_path p = { .btl = 10, .rtprop = 40, .mss = 1000,
			      .now_ms = 1000, .rtt_ms = 40 };
	u32 bdp = 10 * 40, r, cwnd, probe = 0, drain = 0, cruise = 0;
	union tcp_cc_info info;
	bool drained = false;
	int attr = 0;

	memset(&p.cc, 0, sizeof(p.cc));
	p.cc.cwnd = XTCP_INIT_CWND;
	p.cc.ssthresh = XTCP_INFINITE_SSTHRESH;
	xtcp_bbr_ops.init(&p.cc);
	EXPECT_TRUE(p.cc.pacing);

	/* STARTUP: twice or more per round, until the bottleneck. */
	for (r = 0; r < 5; r++) {
		cwnd = p.cc.cwnd;
		bbr_round(&p, XTCP_CA_OPEN);
		EXPECT_TRUE(p.cc.cwnd >= 2 * cwnd);
	}
	/* Full after three rounds without 25% more, then DRAIN. */
	for (r = 0; r < 12 && p.cc.ssthresh == XTCP_INFINITE_SSTHRESH; r++)
		bbr_round(&p, XTCP_CA_OPEN);
	EXPECT_TRUE(p.cc.ssthresh >= bdp && p.cc.ssthresh <= bdp + 3 * 30 + 2);
	TH_LOG("bbr: DRAIN after %u rounds more, ssthresh %u", r, p.cc.ssthresh);
	/*
	 * PROBE_BW: paced at 1.25, 0.75 and 1 times the bottleneck (less
	 * the 1% margin), cwnd twice the BDP and the skbs' room.  A round
	 * is counted by the rate at its end: the 0.75 phase ends as soon as
	 * no more than a BDP is in flight, often within a round.
	 */
	for (r = 0; r < 40; r++) {
		bbr_round(&p, XTCP_CA_OPEN);
		switch (bbr_gain_pct(&p)) {
		case 122 ... 124:
			probe++;
			break;
		case 73 ... 75:
			drain++;
			break;
		case 98 ... 99:
			cruise++;
			break;
		default:
			if (bbr_gain_pct(&p) < 50)
				drained = true;
		}
	}
	TH_LOG("bbr: PROBE_BW rounds at 1.25: %u, 0.75: %u, 1: %u, cwnd %u",
	       probe, drain, cruise, p.cc.cwnd);
	EXPECT_TRUE(drained || probe + drain + cruise == 40);
	EXPECT_TRUE(probe >= 4 && drain >= 2 && cruise >= 24);
	EXPECT_TRUE(p.cc.cwnd >= 2 * bdp && p.cc.cwnd <= 2 * bdp + 3 * 10 + 4);
	/* TCP_CC_INFO's: the model in bytes per second, as tcp_bbr's. */
	EXPECT_EQ(sizeof(info.bbr),
		  xtcp_bbr_ops.get_info(&p.cc, p.mss, &attr, &info));
	EXPECT_EQ(INET_DIAG_BBRINFO, attr);
	EXPECT_EQ(0U, info.bbr.bbr_bw_hi);
	EXPECT_TRUE(info.bbr.bbr_bw_lo >= 9900000 &&
		    info.bbr.bbr_bw_lo <= 10000000);
	EXPECT_EQ(40000U, info.bbr.bbr_min_rtt);
	EXPECT_EQ(512U, info.bbr.bbr_cwnd_gain);
	EXPECT_TRUE(info.bbr.bbr_pacing_gain >= 192 &&
		    info.bbr.bbr_pacing_gain <= 320);

	/*
	 * Fast recovery: the first round conserves packets (cwnd what is
	 * in flight plus what the ACK delivered), its end restores the
	 * window it began with.
	 */
	cwnd = p.cc.cwnd;
	xtcp_bbr_ops.ssthresh(&p.cc, cwnd);
	{
		struct xtcp_ack_sample s = {
			.now_ms = p.now_ms, .min_rtt_us = 40000,
			.acked_sacked = 1, .total_delivered = ++p.delivered,
			.prior_delivered = p.delivered - 1, .mss = 1000,
			.srtt_us = 40000, .in_flight = 300, .losses = 3,
		};

		p.cc.state = XTCP_CA_RECOVERY;
		xtcp_bbr_ops.cong_control(&p.cc, &s);
		EXPECT_EQ(301U, p.cc.cwnd);
		s.losses = 0;
		s.in_flight = 200;
		s.total_delivered = ++p.delivered;
		xtcp_bbr_ops.cong_control(&p.cc, &s);
		EXPECT_EQ(301U, p.cc.cwnd);
		p.cc.state = XTCP_CA_OPEN;
		s.total_delivered = ++p.delivered;
		xtcp_bbr_ops.cong_control(&p.cc, &s);
		EXPECT_TRUE(p.cc.cwnd >= 2 * bdp);
	}

	/*
	 * PROBE_RTT: 10 s without an RTT as low as RTprop (the path's
	 * 40 ms seen last in the first rounds, at 1 s; 50 ms since, say
	 * another flow's queue) bring cwnd to 4 for 200 ms and a round,
	 * then back to the window before.
	 */
	p.rtprop = 50;
	for (r = 0; r < 400 && p.cc.cwnd > 4; r++)
		bbr_round(&p, XTCP_CA_OPEN);
	TH_LOG("bbr: PROBE_RTT at %u ms", p.now_ms);
	EXPECT_EQ(4U, p.cc.cwnd);
	EXPECT_TRUE(p.now_ms >= 11000 && p.now_ms <= 11200);
	for (r = 0; r < 10 && p.cc.cwnd <= 4; r++)
		bbr_round(&p, XTCP_CA_OPEN);
	EXPECT_TRUE(r >= 4 && r <= 6);
	EXPECT_TRUE(p.cc.cwnd >= 2 * bdp);
}

TEST_HARNESS_MAIN
