/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp pure logic: sequence arithmetic, segment acceptability, option
 * parsing and writing.  Nothing here touches a socket or an skb, so the
 * same source compiles into the module and into the user-space unit tests
 * and fuzz targets under selftests/unit/, whose build supplies the kernel
 * types (selftests/unit/kshim.h, by -include).
 */
#ifndef _XTCP_PURE_H
#define _XTCP_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/time64.h>
#endif
#include <linux/xtcp.h>

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

/*
 * Segments of @mss that @len bytes of an skb make on the wire: at least
 * one (a SYN or a lone FIN is one), as tcp_set_skb_tso_segs() counts.
 */
static inline u32 xtcp_pcount(u32 len, u32 mss)
{
	return len <= mss ? 1 : (len + mss - 1) / mss;
}

/*
 * An skb of @len bytes from @seq, of several segments of @mss, that the
 * SACK block @start..@end covers in part: where to split it so that
 * only whole segments (or its short last one) are marked, as
 * tcp_match_skb_to_sack() does.  *@in_sack says whether the block
 * covers the first part (the block ends inside the skb: the part is
 * rounded down to whole segments) or not (it starts inside: the part
 * below it is rounded up).  Returns the first part's length, 0 when no
 * whole segment of the skb is in the block: no split.
 */
static inline u32 xtcp_sack_split_len(u32 seq, u32 len, u32 mss, u32 start,
				      u32 end, bool *in_sack)
{
	u32 pkt_len;

	*in_sack = !xtcp_after(start, seq);
	if (!*in_sack) {
		pkt_len = start - seq;
		if (pkt_len < mss)
			pkt_len = mss;
	} else {
		pkt_len = end - seq;
		if (pkt_len < mss)
			return 0;
	}
	if (pkt_len > mss) {
		u32 new_len = pkt_len / mss * mss;

		if (!*in_sack && new_len < pkt_len)
			new_len += mss;
		pkt_len = new_len;
	}
	if (pkt_len >= len && !*in_sack)
		return 0;
	return pkt_len;
}

/* One SACK block: [start, end) received beyond a hole (RFC 2018). */
struct xtcp_sack_block {
	u32	start;
	u32	end;
};

/* SACK blocks in one option: at most 4 in the 40 bytes of options. */
#define XTCP_MAX_SACKS		4

/* What xtcp_parse_options() found in a header. */
struct xtcp_opts {
	u16	mss;		/* 0: no MSS option seen */
	u8	wscale_ok;	/* a window scale option was seen */
	u8	wscale;		/* its shift, capped at XTCP_MAX_WSCALE */
	u8	sack_ok;	/* SACK permitted was seen */
	u8	num_sacks;	/* SACK blocks in sacks[] */
	u8	saw_tstamp;	/* a timestamps option was seen */
	u32	rcv_tsval;	/* its TSval, with saw_tstamp */
	u32	rcv_tsecr;	/* its TSecr, with saw_tstamp */
	struct xtcp_sack_block sacks[XTCP_MAX_SACKS];
	u8	malformed;	/* a bad length ended parsing early */
	u8	unknown;	/* count of options skipped as unknown */
};

/* RFC 7323 section 2.3: shifts above 14 are treated as 14. */
#define XTCP_MAX_WSCALE		14
/* No window scale option to send. */
#define XTCP_NO_WSCALE		(-1)

int xtcp_parse_options(const u8 *ptr, unsigned int len,
		       struct xtcp_opts *opts);
/* The timestamps a segment carries (RFC 7323 section 3). */
struct xtcp_ts {
	u32	tsval;
	u32	tsecr;
};

unsigned int xtcp_write_syn_options(u8 *ptr, u16 mss, int wscale,
				    bool sack, const struct xtcp_ts *ts);
unsigned int xtcp_write_ts_option(u8 *ptr, const struct xtcp_ts *ts);
unsigned int xtcp_write_sack_option(u8 *ptr,
				    const struct xtcp_sack_block *blocks,
				    unsigned int n);
unsigned int xtcp_sack_new_ofo(struct xtcp_sack_block *b, unsigned int n,
			       u32 seq, u32 end);
unsigned int xtcp_sack_touching(const struct xtcp_sack_block *b,
				unsigned int n, u32 seq, u32 end);
/*
 * The SACK blocks a sender can be counted on to see: 4 fit in the
 * options, 3 beside timestamps, and ACKs get lost (Linux's
 * TCP_SACK_BLOCKS_EXPECTED).
 */
#define XTCP_SACK_BLOCKS_EXPECTED	2
unsigned int xtcp_sack_remove(struct xtcp_sack_block *b, unsigned int n,
			      u32 rcv_nxt);
u8 xtcp_select_wscale(u32 space);

/* Most bytes of options a SYN or SYN-ACK carries (MSS, WS, SACK-perm, TS). */
#define XTCP_SYN_OPTS_MAX	20
/* Most bytes of a SACK option with its padding. */
#define XTCP_SACK_OPTS_MAX	(4 + XTCP_MAX_SACKS * 8)
/* SACK blocks that fit beside the timestamps: 3 (RFC 7323 appendix A). */
#define XTCP_MAX_SACKS_TS	3
/* The whole options area of a header. */
#define XTCP_OPTS_MAX		40

/*
 * RFC 6298 round-trip time estimation, in microseconds.  srtt_us == 0
 * means no sample yet.
 */
struct xtcp_rtt {
	u32	srtt_us;
	u32	rttvar_us;
};

void xtcp_rtt_sample(struct xtcp_rtt *r, u32 m_us);
u32 xtcp_rtt_rto_us(const struct xtcp_rtt *r, u32 min_us, u32 max_us);
u32 xtcp_tlp_timeout_us(const struct xtcp_rtt *r, u32 packets_out,
			u32 delack_us, u32 tick_us, s32 rto_us);

/*
 * RACK (RFC 8985): was the segment sent at @t1 ending at @seq1 sent
 * after the one sent at @t2 ending at @seq2?  Clocks in microseconds;
 * at the same time, the higher sequence went later.
 */
static inline bool xtcp_rack_sent_after(u32 t1, u32 t2, u32 seq1, u32 seq2)
{
	return (s32)(t1 - t2) > 0 || (t1 == t2 && xtcp_after(seq1, seq2));
}

u32 xtcp_rack_reo_wnd(u32 min_rtt_us, u32 srtt_us, bool reord_seen,
		      bool repairing, bool dupthresh_met, u32 steps);
s32 xtcp_rack_remaining_us(u32 rack_rtt_us, u32 reo_wnd_us, u32 now_us,
			   u32 tx_us);

u64 xtcp_pacing_rate(u32 mss, u32 cwnd, u32 packets_out, u32 srtt_us,
		     u32 ratio_pct);
u32 xtcp_tso_autosize(u64 pacing_rate, u32 pacing_shift, u32 min_rtt_us,
		      u32 rtt_log, u32 gso_max_bytes, u32 mss, u32 min_segs);

/* A per-second budget of events (challenge ACKs, RSTs): rtt.c. */
struct xtcp_rate {
	u32	stamp;		/* the second the budget is for */
	u32	left;		/* events left in it */
};

bool xtcp_rate_allow(struct xtcp_rate *rl, u32 now, u32 limit, u32 rnd);

/*
 * Delivery-rate sampling (delivery.c), as Linux's tcp_rate.c and
 * draft-cheng-iccrg-delivery-rate-estimation: how fast the path
 * delivered data over the interval a (S)ACK closes.  Clocks are the
 * connection's microsecond clock (xtcp_clock_us(), wraps); counts are
 * segments.
 *
 * The connection's side, struct xtcp_delivery:
 */
struct xtcp_delivery {
	u32	delivered;	/* segments ACKed or SACKed, ever */
	u32	delivered_ce;	/* of those, on ACKs echoing CE (ECE) */
	u32	delivered_us;	/* when delivered last grew */
	u32	first_tx_us;	/* send time of the sample's first segment */
	/*
	 * Samples are app-limited until delivered passes this mark
	 * (0: not app-limited): the application left cwnd unused.
	 */
	u32	app_limited;
	/* The last sample kept (TCP_INFO's delivery rate). */
	u32	rate_delivered;		/* segments */
	u32	rate_interval_us;	/* over this long, 0: none yet */
	u8	rate_app_limited;	/* it was app-limited */
};

/* What a segment remembers of it when sent (xtcp_skb_cb tx). */
struct xtcp_tx_snap {
	u32	delivered;	/* the connection's delivered then */
	u32	delivered_us;	/* its delivered_us then */
	u32	first_tx_us;	/* its first_tx_us then */
	u8	valid:1,	/* not yet counted in a sample */
		app_limited:1;	/* sent while app-limited */
};

/* One ACK's sample, built segment by segment, then completed. */
struct xtcp_rate_sample {
	u32	prior_delivered; /* delivered when the newest one left */
	u32	prior_us;	/* delivered_us then */
	u32	interval_us;	/* the send phase, then the sample's */
	u32	last_end_seq;	/* the newest (S)ACKed segment's end */
	u32	last_tx_us;	/* and its send time */
	u32	delivered;	/* segments delivered over interval_us */
	u32	acked_sacked;	/* segments this ACK newly (S)ACKed */
	u32	rtt_us;		/* the ACK's RTT sample, 0: none (Karn) */
	u32	losses;		/* segments this ACK had marked lost */
	u8	have:1,		/* a segment with a snapshot was (S)ACKed */
		app_limited:1,	/* the sample is app-limited */
		is_retrans:1,	/* the newest one had been resent */
		ece:1,		/* the ACK echoed a congestion mark (ECE) */
		valid:1;	/* delivered and interval_us are a sample */
};

/*
 * A connection starts: nothing delivered, and app-limited until the
 * first delivery, as Linux starts (tp->app_limited = ~0U): the
 * handshake measures no path.
 */
static inline void xtcp_delivery_reset(struct xtcp_delivery *d)
{
	*d = (struct xtcp_delivery) { .app_limited = ~0U };
}

void xtcp_delivery_sent(struct xtcp_delivery *d, struct xtcp_tx_snap *snap,
			u32 tx_us, bool nothing_out);
void xtcp_delivery_skb_delivered(struct xtcp_delivery *d,
				 struct xtcp_tx_snap *snap, u32 tx_us,
				 u32 end_seq, u32 pcount, bool retrans,
				 bool sacked, struct xtcp_rate_sample *rs);
void xtcp_delivery_gen(struct xtcp_delivery *d, struct xtcp_rate_sample *rs,
		       u32 now_us, u32 min_rtt_us);
void xtcp_delivery_check_app_limited(struct xtcp_delivery *d, u32 unsent,
				     u32 mss, bool host_queue_empty,
				     u32 in_flight, u32 cwnd, u32 lost,
				     u32 retrans);
u64 xtcp_delivery_rate_bps(const struct xtcp_delivery *d, u32 mss);

/*
 * Congestion control: struct xtcp_cc, struct xtcp_ack_sample and
 * struct xtcp_cong_ops are the interface algorithms are written
 * against, in or out of the module: <net/xtcp_cong.h>.
 */
#include <net/xtcp_cong.h>

/* Three duplicate ACKs mean a loss (RFC 5681 section 3.2). */
#define XTCP_DUPTHRESH		3U

extern const struct xtcp_cong_ops xtcp_newreno;
extern const struct xtcp_cong_ops xtcp_cubic;	/* cubic.c */
/* bbr.c: xtcp_bbr.ko's own, declared here for the unit test. */
extern struct xtcp_cong_ops xtcp_bbr_ops;

/* The algorithms TCP_CONGESTION may choose, by name (NULL: none). */
const struct xtcp_cong_ops *xtcp_cong_find(const char *name);
/* Their names, space-separated, into @buf of @size bytes (cut to fit). */
void xtcp_cong_list(char *buf, size_t size);
#define xtcp_cong_default	(&xtcp_cubic)	/* as TCP's */

void xtcp_cc_init(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		  u32 iss, bool sack);
bool xtcp_cc_dupack(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		    u32 snd_una, u32 snd_nxt, u32 flight, bool rack);
bool xtcp_cc_newack(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		    u32 ack, u32 acked, u32 flight_after, bool cwnd_limited,
		    const struct xtcp_ack_sample *s);
void xtcp_cc_reordered(struct xtcp_cc *cc, u32 distance, u32 max);
void xtcp_cc_prr(struct xtcp_cc *cc, u32 delivered, u32 pipe, bool safe);
void xtcp_cc_timeout(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		     u32 snd_una, u32 snd_nxt, u32 flight);
bool xtcp_cc_enter_recovery(struct xtcp_cc *cc,
			    const struct xtcp_cong_ops *ops,
			    u32 snd_una, u32 snd_nxt, u32 flight);
bool xtcp_cc_enter_cwr(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		       u32 snd_nxt, u32 flight);
void xtcp_cc_event(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		   enum xtcp_ca_event ev, u32 now_ms, u32 idle_ms);
bool xtcp_cc_restart(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		     u32 now_ms, u32 idle_ms, u32 rto_ms);
void xtcp_cc_retransmitted(struct xtcp_cc *cc, u32 segs, u32 tsval);
void xtcp_cc_dsack(struct xtcp_cc *cc, u32 end, u32 segs);
bool xtcp_cc_try_undo(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		      u32 snd_una);
void xtcp_cc_undo_loss(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		       u32 snd_una);

/* What xtcp_cc_undo_delayed() took back, for the caller's counters. */
enum xtcp_undo_kind {
	XTCP_UNDO_NONE,
	XTCP_UNDO_FULL,		/* a recovery, at its end (TCPFullUndo) */
	XTCP_UNDO_PARTIAL,	/* a recovery, on a partial ACK */
	XTCP_UNDO_LOSS,		/* a timeout (TCPLossUndo) */
};

bool xtcp_cc_packet_delayed(const struct xtcp_cc *cc, u32 tsecr);
enum xtcp_undo_kind xtcp_cc_undo_delayed(struct xtcp_cc *cc,
					 const struct xtcp_cong_ops *ops,
					 u32 snd_una, bool retrans_out);
void xtcp_cc_tlp_recovered(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
			   u32 snd_nxt);

/*
 * The receive window to advertise (RFC 9293 section 3.8.6.2.2, RFC
 * 7323): from @free bytes of buffer, the @cur bytes already offered past
 * RCV.NXT (never taken back), the full window @full the buffer could
 * hold, the receiver's @mss and window @wscale.  Returns the window in
 * bytes, a multiple of 1 << @wscale and at most 65535 << @wscale.
 */
u32 xtcp_rcv_window(u32 free, u32 cur, u32 full, u32 mss, u8 wscale);
/* The least it moves its right edge by: min(@full / 2, @mss). */
u32 xtcp_rcv_window_step(u32 full, u32 mss);

/*
 * The receiver's RTT estimate @est (us << 3, 0: none) after a sample of
 * @sample_us; @win_dep: a window's arrival time, which only lowers it
 * (tcp_rcv_rtt_update()).
 */
u32 xtcp_rcv_rtt_update(u32 est, u32 sample_us, bool win_dep);

/*
 * How far a segment of @len bytes in an skb of @truesize grows the
 * window's ceiling (rcv_ssthresh) from @ssthresh, with our @advmss, the
 * peer's @rcv_mss and a buffer that may grow to @rmem_max
 * (tcp_grow_window()); 0: not at all.
 */
u32 xtcp_rcv_ssthresh_incr(u32 ssthresh, u32 truesize, u32 len, u32 advmss,
			   u32 rcv_mss, u32 rmem_max);

/* SYN cookies (syncookie.c). */
#define XTCP_COOKIE_BITS	24
#define XTCP_COOKIE_MASK	((1U << XTCP_COOKIE_BITS) - 1)
#define XTCP_COOKIE_MAX_AGE	2	/* minutes a cookie is good for */
#define XTCP_COOKIE_MSS_N	4

extern const u16 xtcp_cookie_mss[XTCP_COOKIE_MSS_N];
u32 xtcp_cookie_mss_index(u16 mss);
u32 xtcp_cookie_make(u32 h1, u32 h2, u32 sseq, u32 count, u32 index);
int xtcp_cookie_check(u32 cookie, u32 h1, const u32 h2[2], u32 sseq,
		      u32 count);

/*
 * The options a cookie's SYN-ACK keeps in the low bits of its TSval
 * (Linux's TS_OPT_*): the peer's window scale (all ones: none), SACK,
 * ECN.  The peer echoes them in the TSecr of its ACK.
 */
#define XTCP_COOKIE_TS_BITS	6
#define XTCP_COOKIE_TS_WSCALE	0xf
#define XTCP_COOKIE_TS_SACK	0x10
#define XTCP_COOKIE_TS_ECN	0x20

/* What a cookie's TSval carries (xtcp_cookie_tsval()). */
struct xtcp_cookie_opts {
	int	snd_wscale;	/* the peer's shift, XTCP_NO_WSCALE: none */
	bool	sack;
	bool	ecn;
};

u32 xtcp_cookie_tsval(u32 now, const struct xtcp_cookie_opts *o);
void xtcp_cookie_ts_decode(u32 tsecr, struct xtcp_cookie_opts *o);

/* Flag byte (byte 13) of a header. */
static inline u8 xtcp_flag_byte(const struct xtcphdr *th)
{
	return ((const u8 *)th)[13];
}

#endif /* _XTCP_PURE_H */
