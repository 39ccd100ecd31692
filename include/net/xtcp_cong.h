/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp's congestion control interface: what an algorithm sees and
 * provides, for the algorithms built into xtcp.ko (NewReno, CUBIC) and
 * for those in modules of their own (examples/cc/xtcp_cc_example.c, the
 * one to copy).  A module registers its struct xtcp_cong_ops with
 * xtcp_register_congestion_control() at load and unregisters it at
 * unload; sockets then choose it by name (TCP_CONGESTION,
 * net.xtcp.congestion_control), as TCP's tcp_register_congestion_control().
 * A socket using an algorithm holds its module: rmmod waits for none to.
 *
 * Loss detection and recovery (fast retransmit, NewReno or RFC 6675
 * SACK recovery, the retransmission timeout) are xtcp's and the same
 * for every algorithm; an algorithm decides how cwnd grows and how far
 * a loss brings it down.  Windows count segments.
 *
 * Also compiled in user space (selftests/unit) with a shim for the
 * kernel types.
 */
#ifndef _NET_XTCP_CONG_H
#define _NET_XTCP_CONG_H

#ifdef __KERNEL__
#include <linux/list.h>
#include <linux/types.h>
#endif
#include <linux/inet_diag.h>	/* union tcp_cc_info */

/* A name's room, NUL included: TCP's TCP_CA_NAME_MAX. */
#define XTCP_CA_NAME_MAX	16

/*
 * Congestion control state (RFC 5681, RFC 6582), in segments.  The
 * loss recovery around it (fast retransmit, fast recovery, NewReno
 * partial ACKs, the timeout) is common to all algorithms; an algorithm
 * (struct xtcp_cong_ops) decides only how cwnd grows and how far it
 * falls.
 */
enum xtcp_ca_state {
	XTCP_CA_OPEN,		/* no loss being repaired */
	XTCP_CA_RECOVERY,	/* fast recovery after three duplicate ACKs */
	XTCP_CA_LOSS,		/* slow start again after a timeout */
	XTCP_CA_CWR,		/* cwnd falls for an ECN-Echo (RFC 3168) */
};

struct xtcp_cc {
	u32	cwnd;		/* congestion window */
	u8	sack;		/* SACK recovery (RFC 6675): no inflation */
	u32	ssthresh;	/* slow start threshold */
	u32	cwnd_cnt;	/* ACKed segments towards the next cwnd++ */
	u32	recover;	/* SND.NXT when recovery, loss or CWR began */
	u32	dupacks;	/* duplicate ACKs in a row */
	/*
	 * DupThresh: how many segments above a hole make it a loss (RFC
	 * 6675; three, raised as reordering is seen, as Linux's
	 * tp->reordering, so that a path that reorders is not taken for
	 * one that loses).
	 */
	u32	reordering;
	u8	state;		/* enum xtcp_ca_state */
	/*
	 * Pacing (TCP's sk_pacing_rate and SK_PACING_NEEDED): an algorithm
	 * with cong_control sets pacing_rate, bytes per second, for its
	 * segments (0 leaves the rate to xtcp: cwnd per SRTT, times
	 * net.xtcp.pacing_ss_ratio or pacing_ca_ratio percent); one whose
	 * init sets pacing has its segments paced even without an fq
	 * qdisc, as BBR asks.  Both 0 before init.
	 */
	u64	pacing_rate;
	u8	pacing;
	/*
	 * Proportional Rate Reduction (RFC 6937) in SACK recovery and in
	 * CWR:
	 */
	u32	prr_delivered;	/* segments delivered since it began */
	u32	prr_out;	/* segments sent since it began */
	u32	prior_cwnd;	/* cwnd when it began (RecoverFS) */
	/*
	 * Undo (RFC 3708, Linux's tcp_try_undo_dsack()): a reduction for
	 * losses that D-SACKs show were none is taken back.
	 */
	u8	undo;		/* the last reduction may be undone */
	u32	undo_marker;	/* SND.UNA when it began */
	s32	undo_retrans;	/* resends not yet reported twice; <0: none */
	u32	prior_ssthresh;	/* ssthresh to go back to, 0: none */
	/*
	 * Eifel (RFC 3522, Linux's retrans_stamp): the TSval of the first
	 * resend since the reduction began, with undo_retrans >= 0.
	 */
	u32	undo_tsval;
	u32	priv[16];	/* the algorithm's own, zeroed before init */
};

/*
 * What an algorithm may know of an ACK besides the segments it covers:
 * the connection's clock, its path's minimum RTT, and the delivery-rate
 * sample the ACK closes (as Linux's struct rate_sample, from tcp_rate.c's
 * method: module/delivery.c).  The rate the path delivered at is
 * delivered / interval_us segments per microsecond, when interval_us is
 * not 0.
 */
struct xtcp_ack_sample {
	u32	now_ms;		/* a millisecond clock (wraps) */
	u32	min_rtt_us;	/* the lowest RTT seen, ~0U: none yet */
	u32	rtt_us;		/* this ACK's RTT sample, 0: none (Karn) */
	u32	ack;		/* the ACK's sequence number */
	u32	snd_nxt;	/* the next sequence number to send */
	/* Segments this ACK newly ACKed or SACKed (one count each). */
	u32	acked_sacked;
	/*
	 * Of them, the segments SND.UNA's advance covered (TCP's
	 * pkts_acked): 0 for a duplicate or SACK-only ACK.
	 */
	u32	acked;
	/* The connection's count of segments delivered, ever (after it). */
	u32	total_delivered;
	/*
	 * total_delivered when the newest segment this ACK delivered was
	 * sent: what the sample measures from (BBR's round counting).
	 */
	u32	prior_delivered;
	/* The sample: segments delivered over interval_us. */
	u32	delivered;
	/*
	 * Its interval: the longer of the send and the ACK phase; 0 when
	 * the ACK makes no sample (nothing with a snapshot delivered, or
	 * an interval below the min RTT, from compressed ACKs).
	 */
	u32	interval_us;
	/*
	 * The application left cwnd unused while the segment was sent:
	 * the rate is how fast it wrote, a lower bound of the path's.
	 */
	u8	app_limited;
	/* The newest segment delivered had been resent. */
	u8	is_retrans;
	/*
	 * Segments this ACK had marked lost (SACK's DupThresh, RACK), as
	 * TCP's rate sample's losses: cong_control's sample only, which
	 * comes after the loss detection; 0 in pkts_acked's.
	 */
	u32	losses;
	/* The segment size, bytes: a rate in segments times it is bytes. */
	u32	mss;
	/* The smoothed RTT, 0: none yet. */
	u32	srtt_us;
	/* Segments in flight after the ACK (RFC 6675 pipe). */
	u32	in_flight;
};

/*
 * What else an algorithm may hear of (struct xtcp_cong_ops.cwnd_event),
 * as TCP's CA_EVENT_*.
 */
enum xtcp_ca_event {
	/*
	 * New data leaves with nothing in flight: the first send after
	 * the connection was idle (or waited on the application).
	 */
	XTCP_CA_EVENT_TX_START,
	/*
	 * Sending again after an idle period longer than the RTO, with
	 * net.xtcp.slow_start_after_idle on: cwnd is about to be cut back
	 * towards the restart window (RFC 5681 section 4.1).
	 */
	XTCP_CA_EVENT_CWND_RESTART,
};

/*
 * A congestion control algorithm: how cwnd grows and how far a loss
 * brings it down.  Its state lives in struct xtcp_cc's priv[], zeroed
 * before init.  Every hook runs with the socket locked (softirq or
 * process context) and must not sleep.
 */
struct xtcp_cong_ops {
	/* TCP_CONGESTION's name: unique, at most 15 characters. */
	const char	*name;
	/* cwnd and ssthresh are already IW and "infinite" when called. */
	void		(*init)(struct xtcp_cc *cc);
	/*
	 * A loss (fast recovery, or a timeout outside one) or an ECN-Echo
	 * (CWR): the new ssthresh, cc->cwnd being the window the loss or
	 * the mark happened at, with @flight segments in flight.
	 */
	u32		(*ssthresh)(struct xtcp_cc *cc, u32 flight);
	/* @acked segments newly ACKed while cwnd limited the sender. */
	void		(*cong_avoid)(struct xtcp_cc *cc, u32 acked,
				      const struct xtcp_ack_sample *s);
	/*
	 * Optional (NULL: not told).  @ev happened at @now_ms (the clock
	 * of struct xtcp_ack_sample), @idle_ms after the last data was
	 * sent.  For XTCP_CA_EVENT_CWND_RESTART it is called before cwnd
	 * and ssthresh change.  An algorithm with cong_control may set
	 * cc->pacing_rate here: for XTCP_CA_EVENT_TX_START the send it
	 * precedes goes at that rate (BBR's restart after idle).
	 */
	void		(*cwnd_event)(struct xtcp_cc *cc, enum xtcp_ca_event ev,
				      u32 now_ms, u32 idle_ms);
	/*
	 * Optional (NULL: not told), as TCP's set_state: cc->state is
	 * about to change to @new_state (enum xtcp_ca_state), after
	 * ssthresh was called for a loss, a timeout or an ECN-Echo.
	 */
	void		(*set_state)(struct xtcp_cc *cc, u8 new_state);
	/*
	 * Optional, as TCP's cong_control (BBR's way): called for every
	 * ACK that was not dropped, with its sample (ACKs of new data,
	 * duplicate and SACK-only ones alike), in place of cong_avoid and
	 * of what xtcp itself does to cwnd in recovery and CWR (PRR, the
	 * new window at their end).  It sets cc->cwnd, and cc->pacing_rate
	 * if it paces.  xtcp still enters recovery (asking ssthresh, which
	 * may return cc->ssthresh unchanged), resends, times out (cwnd 1)
	 * and undoes as for any algorithm.  With it, cong_avoid may be NULL.
	 */
	void		(*cong_control)(struct xtcp_cc *cc,
					const struct xtcp_ack_sample *s);
	/*
	 * Optional, as TCP's undo_cwnd: the cwnd to go back to when a
	 * reduction is found spurious and undone (D-SACK, Eifel, F-RTO);
	 * cc->prior_cwnd is what cwnd was when it began.  NULL: the larger
	 * of cwnd and prior_cwnd (tcp_reno_undo_cwnd(), CUBIC's too).
	 * ssthresh goes back to what it was before, whatever this returns.
	 */
	u32		(*undo_cwnd)(struct xtcp_cc *cc);
	/*
	 * Optional (NULL: not told), as TCP's pkts_acked: every ACK that
	 * was not dropped, new data or duplicate (not one older than
	 * SND.UNA), cwnd-limited or not,
	 * after the segments it covers were freed and before the loss
	 * state machine, cong_avoid and cong_control hear of it
	 * (tcp_clean_rtx_queue()'s call).  @s->acked is what it ACKed,
	 * @s->rtt_us its RTT sample (0: none), @s->in_flight what is out
	 * after it: where a delay-based rule (Vegas, HyStart's delay
	 * increase) takes its samples.  It may change cwnd and ssthresh.
	 */
	void		(*pkts_acked)(struct xtcp_cc *cc,
				      const struct xtcp_ack_sample *s);
	/*
	 * Optional (NULL: nothing to show), as TCP's get_info: what
	 * getsockopt(TCP_CC_INFO) and ss -i (sock_diag's INET_DIAG_INFO
	 * dump, through xtcp_diag.ko) report of the algorithm: it fills
	 * @info, sets *@attr to the sock_diag attribute it is
	 * (INET_DIAG_BBRINFO for a struct tcp_bbr_info, ...) and returns
	 * its size.  @mss is the connection's segment size, for rates in
	 * bytes.
	 */
	size_t		(*get_info)(const struct xtcp_cc *cc, u32 mss, int *attr,
				    union tcp_cc_info *info);
	/* Registration (set by xtcp_register_congestion_control()). */
	struct list_head	list;
	/* THIS_MODULE of a module's algorithm; NULL for xtcp's own. */
	struct module		*owner;
};

/* RFC 6928 initial window, in segments. */
#define XTCP_INIT_CWND		10U
#define XTCP_INFINITE_SSTHRESH	0x7fffffffU

#ifdef __KERNEL__
/*
 * Make @ops choosable by name.  -EINVAL without a name that fits or
 * without init, ssthresh and cong_avoid (cwnd_event and set_state may be NULL);
 * -EEXIST if the name is taken.
 */
int xtcp_register_congestion_control(struct xtcp_cong_ops *ops);
/* Withdraw it; no socket can be using it (each holds ops->owner). */
void xtcp_unregister_congestion_control(struct xtcp_cong_ops *ops);
#endif

#endif /* _NET_XTCP_CONG_H */
