// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp congestion control: loss recovery per RFC 5681 and RFC 6582
 * (NewReno), around a small ops table for the window's growth and
 * decrease: NewReno here, CUBIC (the default, as TCP's) in cubic.c;
 * another is a new struct xtcp_cong_ops and a line in xtcp_cong_algs[].
 * The restart of cwnd after an idle period (xtcp_cc_restart()) is here
 * too, the same for every algorithm.
 *
 * Pure logic: compiled into the module and into the user-space unit test
 * and fuzz target, so it must not depend on socket or skb internals.
 * Windows count segments, as Linux's do.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/math64.h>
#else
#include <string.h>
#endif

#include "pure.h"

/* RFC 5681 section 3.1: ssthresh = max(FlightSize / 2, 2 * SMSS). */
static u32 xtcp_reno_ssthresh(struct xtcp_cc *cc, u32 flight)
{
	return flight / 2 > 2 ? flight / 2 : 2;
}

/*
 * Slow start below ssthresh (cwnd += ACKed segments, as RFC 3465's
 * appropriate byte counting with L = whatever arrived), one segment per
 * window's worth of ACKs above it.
 */
static void xtcp_reno_cong_avoid(struct xtcp_cc *cc, u32 acked,
				 const struct xtcp_ack_sample *s)
{
	if (cc->cwnd < cc->ssthresh) {
		u32 room = cc->ssthresh - cc->cwnd;
		u32 grow = acked < room ? acked : room;

		cc->cwnd += grow;
		acked -= grow;
		if (!acked)
			return;
	}
	cc->cwnd_cnt += acked;
	if (cc->cwnd_cnt >= cc->cwnd) {
		cc->cwnd_cnt -= cc->cwnd;
		cc->cwnd++;
	}
}

static void xtcp_reno_init(struct xtcp_cc *cc)
{
}

const struct xtcp_cong_ops xtcp_newreno = {
	.name		= "newreno",
	.init		= xtcp_reno_init,
	.ssthresh	= xtcp_reno_ssthresh,
	.cong_avoid	= xtcp_reno_cong_avoid,
};

/* What TCP_CONGESTION may name; a new algorithm is one more line. */
static const struct xtcp_cong_ops *const xtcp_cong_algs[] = {
	&xtcp_newreno,
	&xtcp_cubic,
};

/**
 * xtcp_cong_find() - the algorithm of a name (TCP_CONGESTION)
 * @name: a NUL-terminated name
 *
 * Context: any context; reads only the constant table of algorithms.
 * Return: the algorithm, or NULL if xtcp has none of that name.
 */
const struct xtcp_cong_ops *xtcp_cong_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xtcp_cong_algs); i++)
		if (!strcmp(xtcp_cong_algs[i]->name, name))
			return xtcp_cong_algs[i];
	return NULL;
}

/**
 * xtcp_cong_list() - the names TCP_CONGESTION takes, for a sysctl
 * @buf: where to write them, space-separated, NUL-terminated
 * @size: @buf's size (at least 1); a list that does not fit is cut
 *
 * Context: any context; reads only the constant table of algorithms.
 */
void xtcp_cong_list(char *buf, size_t size)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(xtcp_cong_algs); i++) {
		const char *name = xtcp_cong_algs[i]->name;
		size_t len = strlen(name);

		if (used + !!i + len + 1 > size)
			break;
		if (i)
			buf[used++] = ' ';
		memcpy(buf + used, name, len + 1);
		used += len;
	}
}

/* Windows are bounded so that arithmetic on them cannot overflow. */
#define XTCP_CWND_MAX	0x100000U

/**
 * xtcp_cc_init() - a new connection's congestion state
 * @cc: the state
 * @ops: the algorithm
 * @iss: our initial sequence number: nothing before it was ever sent
 * @sack: both ends agreed on SACK: RFC 6675 recovery
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, from xtcp_init_sock() and xtcp_init_transfer()).
 */
void xtcp_cc_init(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		  u32 iss, bool sack)
{
	*cc = (struct xtcp_cc) {
		.sack		= sack,
		.cwnd		= XTCP_INIT_CWND,
		.ssthresh	= XTCP_INFINITE_SSTHRESH,
		.recover	= iss,
		.state		= XTCP_CA_OPEN,
		.reordering	= XTCP_DUPTHRESH,
	};
	ops->init(cc);
}

/*
 * cc->state becomes @state; the algorithm hears of a change first, as
 * tcp_set_ca_state() tells set_state.
 */
static void xtcp_cc_set_state(struct xtcp_cc *cc,
			      const struct xtcp_cong_ops *ops, u8 state)
{
	if (cc->state != state && ops->set_state)
		ops->set_state(cc, state);
	cc->state = state;
}

/**
 * xtcp_cc_dupack() - a duplicate ACK arrived (RFC 5681 section 2)
 * @cc: the state
 * @ops: the algorithm
 * @snd_una: the oldest unacknowledged sequence number (= the ACK)
 * @snd_nxt: the next sequence number to send
 * @flight: segments in flight
 * @rack: RACK finds the losses (SACK agreed, net.xtcp.recovery 0x1): the
 *	  duplicate is only counted, as Linux's tcp_time_to_recover()
 *	  looks at nothing but what RACK marked then
 *
 * The third in a row starts fast retransmit and fast recovery unless
 * the ACK does not cover more than "recover" (RFC 6582 section 3.2 step
 * 2: the losses of one window are repaired once).  In recovery each
 * further one inflates cwnd by a segment, the one that left the network.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 * Return: true when the first unacknowledged segment must be resent now.
 */
bool xtcp_cc_dupack(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		    u32 snd_una, u32 snd_nxt, u32 flight, bool rack)
{
	if (cc->dupacks < XTCP_CWND_MAX)
		cc->dupacks++;
	if (rack)
		return false;
	if (cc->state == XTCP_CA_RECOVERY) {
		if (!cc->sack && cc->cwnd < XTCP_CWND_MAX)
			cc->cwnd++;
		return false;
	}
	if (cc->dupacks < cc->reordering)
		return false;
	return xtcp_cc_enter_recovery(cc, ops, snd_una, snd_nxt, flight);
}

/*
 * A reduction begins at @snd_una: what it may be undone to, as
 * tcp_init_undo() with tcp_current_ssthresh().  No resend yet.
 */
static void xtcp_cc_init_undo(struct xtcp_cc *cc, u32 snd_una)
{
	u32 three_quarters = (cc->cwnd >> 1) + (cc->cwnd >> 2);

	cc->undo = 1;
	cc->undo_marker = snd_una;
	cc->undo_retrans = -1;
	cc->prior_ssthresh = cc->ssthresh > three_quarters ? cc->ssthresh :
			     three_quarters;
}

/**
 * xtcp_cc_enter_recovery() - a loss was detected: start fast recovery
 * @cc: the state
 * @ops: the algorithm
 * @snd_una: the oldest unacknowledged sequence number
 * @snd_nxt: the next sequence number to send: recovery ends there
 * @flight: segments in flight
 *
 * Not twice for one window (RFC 6582 section 3.2 step 2): the ACK must
 * cover more than "recover".  With SACK (RFC 6675 section 5) cwnd falls
 * to ssthresh and what is in flight is counted exactly, without
 * NewReno's inflation by the three duplicates.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 * Return: true if recovery started.
 */
bool xtcp_cc_enter_recovery(struct xtcp_cc *cc,
			    const struct xtcp_cong_ops *ops,
			    u32 snd_una, u32 snd_nxt, u32 flight)
{
	if (cc->state == XTCP_CA_RECOVERY)
		return false;
	/*
	 * A loss while cwnd already falls for an ECN-Echo: the same
	 * reduction goes on (ssthresh and PRR's counts stay), now with
	 * repair, as tcp_enter_recovery() in tcp_in_cwnd_reduction().
	 */
	if (cc->state == XTCP_CA_CWR) {
		if (!cc->sack && !ops->cong_control)
			cc->cwnd = cc->ssthresh + XTCP_DUPTHRESH;
		cc->recover = snd_nxt;
		xtcp_cc_set_state(cc, ops, XTCP_CA_RECOVERY);
		return true;
	}
	if (!xtcp_after(snd_una, cc->recover))
		return false;
	xtcp_cc_init_undo(cc, snd_una);
	cc->prior_cwnd = cc->cwnd ? cc->cwnd : 1;
	cc->prr_delivered = 0;
	cc->prr_out = 0;
	cc->ssthresh = ops->ssthresh(cc, flight);
	/* cong_control sets cwnd itself, from the next ACK on. */
	if (!ops->cong_control)
		cc->cwnd = cc->ssthresh + (cc->sack ? 0 : XTCP_DUPTHRESH);
	cc->cwnd_cnt = 0;
	cc->recover = snd_nxt;
	xtcp_cc_set_state(cc, ops, XTCP_CA_RECOVERY);
	return true;
}

/**
 * xtcp_cc_enter_cwr() - the peer echoed a congestion mark (RFC 3168)
 * @cc: the state
 * @ops: the algorithm
 * @snd_nxt: the next sequence number to send: the reduction ends there
 * @flight: segments in flight
 *
 * An ECN-Echo is a loss without the loss (RFC 3168 section 6.1.2): the
 * algorithm's ssthresh as for one, reached by PRR over the window in
 * flight (xtcp_cc_prr()), once per window: in recovery, loss or CWR
 * nothing more happens, as tcp_enter_cwr().  Nothing is resent, and no
 * reduction before it is undone any more.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 * Return: true if the reduction started (the next new segment carries
 * CWR).
 */
bool xtcp_cc_enter_cwr(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		       u32 snd_nxt, u32 flight)
{
	/* An echoed mark is congestion for sure: nothing to undo. */
	cc->undo = 0;
	if (cc->state != XTCP_CA_OPEN)
		return false;
	cc->prior_cwnd = cc->cwnd ? cc->cwnd : 1;
	cc->prr_delivered = 0;
	cc->prr_out = 0;
	cc->ssthresh = ops->ssthresh(cc, flight);
	cc->cwnd_cnt = 0;
	cc->recover = snd_nxt;
	xtcp_cc_set_state(cc, ops, XTCP_CA_CWR);
	return true;
}

/**
 * xtcp_cc_prr() - cwnd for an ACK in SACK recovery or CWR (RFC 6937 PRR)
 * @cc: the state, in recovery with SACK, or in CWR
 * @delivered: segments this ACK newly delivered: SND.UNA's advance plus
 *	the change in SACKed segments (DeliveredData)
 * @pipe: segments in flight after it (RFC 6675 pipe)
 * @safe: the ACK moved SND.UNA and marked nothing lost (SafeACK)
 *
 * Proportional Rate Reduction: while pipe is above ssthresh, send so
 * that the flight falls to ssthresh in proportion to what is delivered
 * (ssthresh / RecoverFS of it, RecoverFS being cwnd at the loss), one
 * segment per two delivered for a halving; below it, slow start back
 * up to ssthresh, as much as was delivered and not yet sent again, one
 * segment more on a safe ACK only (PRR-SSRB as Linux 6.1 and RFC 9937:
 * an ACK that finds more losses sends no more than it delivered).  The
 * first segment of a reduction may always go, so that a recovery
 * starts with its fast retransmit however little was delivered.  cwnd
 * becomes pipe plus what may be sent now, as tcp_cwnd_reduction().
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 */
void xtcp_cc_prr(struct xtcp_cc *cc, u32 delivered, u32 pipe, bool safe)
{
	u64 due;
	s64 sndcnt;

	if (!delivered || !(cc->state == XTCP_CA_CWR ||
			    (cc->state == XTCP_CA_RECOVERY && cc->sack)))
		return;
	cc->prr_delivered += delivered;
	if (pipe > cc->ssthresh) {
		due = ((u64)cc->prr_delivered * cc->ssthresh + cc->prior_cwnd - 1);
		sndcnt = (s64)div64_u64(due, cc->prior_cwnd) - cc->prr_out;
	} else {
		s64 limit = (s64)cc->prr_delivered - cc->prr_out;

		if (limit < (s64)delivered)
			limit = delivered;
		if (safe)
			limit++;
		sndcnt = cc->ssthresh - pipe;
		if (sndcnt > limit)
			sndcnt = limit;
	}
	/* Nothing sent yet in this reduction: its fast retransmit may go. */
	if (!cc->prr_out && sndcnt < 1)
		sndcnt = 1;
	else if (sndcnt < 0)
		sndcnt = 0;
	cc->cwnd = pipe + (u32)sndcnt;
	if (cc->cwnd > XTCP_CWND_MAX)
		cc->cwnd = XTCP_CWND_MAX;
}

/**
 * xtcp_cc_newack() - an ACK acknowledged new data
 * @cc: the state
 * @ops: the algorithm
 * @ack: the ACK's value
 * @acked: segments it acknowledged
 * @flight_after: segments still in flight after it
 * @cwnd_limited: the sender was using all of cwnd
 * @s: the clock and path RTT, for the algorithm
 *
 * In recovery, an ACK that reaches "recover" ends it with cwnd =
 * min(ssthresh, FlightSize + 1 segment) (RFC 6582 section 3.2 step 3,
 * option 1); a partial ACK deflates cwnd by what it acknowledged, adds
 * back one segment, and asks for the next hole to be resent (step 4).
 * In CWR cwnd does not grow (PRR brings it down); the first ACK beyond
 * "recover" ends CWR with cwnd = ssthresh, as tcp_end_cwnd_reduction()
 * in tcp_fastretrans_alert().
 * Otherwise the algorithm grows cwnd.  An algorithm with cong_control
 * keeps cwnd to itself: the states change, cwnd does not here.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 * Return: true when the first unacknowledged segment must be resent now.
 */
bool xtcp_cc_newack(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		    u32 ack, u32 acked, u32 flight_after, bool cwnd_limited,
		    const struct xtcp_ack_sample *s)
{
	/* cong_control sets cwnd itself (tcp_end_cwnd_reduction()'s exit). */
	bool own = !ops->cong_control;

	if (cc->state == XTCP_CA_RECOVERY) {
		if (!xtcp_before(ack, cc->recover)) {
			u32 fl = flight_after + 1;

			if (own)
				cc->cwnd = fl < cc->ssthresh && !cc->sack ?
					   fl : cc->ssthresh;
			xtcp_cc_set_state(cc, ops, XTCP_CA_OPEN);
			cc->dupacks = 0;
			return false;
		}
		/* With SACK the scoreboard says what to resend. */
		if (cc->sack)
			return false;
		if (own) {
			cc->cwnd = cc->cwnd > acked ? cc->cwnd - acked : 0;
			cc->cwnd++;
		}
		return true;
	}
	if (cc->state == XTCP_CA_CWR) {
		cc->dupacks = 0;
		/* Held until beyond "recover", for the CWR to get through. */
		if (!xtcp_after(ack, cc->recover))
			return false;
		if (own)
			cc->cwnd = cc->ssthresh;
		xtcp_cc_set_state(cc, ops, XTCP_CA_OPEN);
		return false;
	}
	if (cc->state == XTCP_CA_LOSS && !xtcp_before(ack, cc->recover))
		xtcp_cc_set_state(cc, ops, XTCP_CA_OPEN);
	cc->dupacks = 0;
	if (own && cwnd_limited && cc->cwnd < XTCP_CWND_MAX)
		ops->cong_avoid(cc, acked, s);
	return false;
}

/**
 * xtcp_cc_reordered() - a segment arrived late, not lost
 * @cc: the state
 * @distance: how many segments later ones overtook it by
 * @max: the most DupThresh may grow to (net.xtcp.max_reordering)
 *
 * DupThresh grows to the distance seen, so that reordering as deep as
 * this one no longer passes for a loss (RFC 4653's idea, as Linux's
 * tcp_check_sack_reordering()).  It never shrinks here.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 */
void xtcp_cc_reordered(struct xtcp_cc *cc, u32 distance, u32 max)
{
	if (distance > max)
		distance = max;
	if (distance > cc->reordering)
		cc->reordering = distance;
}

/**
 * xtcp_cc_timeout() - the retransmission timer expired (RFC 5681 3.1)
 * @cc: the state
 * @ops: the algorithm
 * @snd_una: the oldest unacknowledged sequence number
 * @snd_nxt: the next sequence number to send: recovery ends there
 * @flight: segments in flight when the timer fired
 *
 * ssthresh falls (once per loss episode: a second timeout of the same
 * segment keeps it, and so does one while cwnd falls for an ECN-Echo,
 * whose ssthresh already counts this window), cwnd restarts from one
 * segment, and duplicate ACKs
 * of what was in flight start no fast retransmit (RFC 6582 section 4).
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, xtcp_retransmit_rtx_queue() from the write timer).
 */
void xtcp_cc_timeout(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		     u32 snd_una, u32 snd_nxt, u32 flight)
{
	/* From open: undone if D-SACKs show every resend was needless. */
	if (cc->state == XTCP_CA_OPEN) {
		xtcp_cc_init_undo(cc, snd_una);
		cc->prior_cwnd = cc->cwnd ? cc->cwnd : 1;
	} else if (cc->state == XTCP_CA_CWR) {
		cc->undo = 0;
	}
	if (cc->state != XTCP_CA_LOSS && cc->state != XTCP_CA_CWR)
		cc->ssthresh = ops->ssthresh(cc, flight);
	cc->cwnd = 1;
	cc->cwnd_cnt = 0;
	cc->dupacks = 0;
	cc->recover = snd_nxt;
	xtcp_cc_set_state(cc, ops, XTCP_CA_LOSS);
}

/**
 * xtcp_cc_event() - tell the algorithm of an event, if it listens
 * @cc: the state
 * @ops: the algorithm
 * @ev: what happened
 * @now_ms: the clock (struct xtcp_ack_sample's)
 * @idle_ms: time since the last data was sent
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, output.c's send path).
 */
void xtcp_cc_event(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		   enum xtcp_ca_event ev, u32 now_ms, u32 idle_ms)
{
	if (ops->cwnd_event)
		ops->cwnd_event(cc, ev, now_ms, idle_ms);
}

/**
 * xtcp_cc_restart() - sending again after an idle period
 * @cc: the state
 * @ops: the algorithm
 * @now_ms: the clock (struct xtcp_ack_sample's)
 * @idle_ms: time since the last data was sent, nothing being in flight
 * @rto_ms: the retransmission timeout
 *
 * After an idle period longer than the RTO the ACK clock is gone and
 * cwnd no longer says what the path takes (RFC 5681 section 4.1, the
 * rule RFC 7661 replaced, which Linux's tcp_cwnd_restart() keeps):
 * cwnd is halved once for each whole RTO the idle period lasted (once
 * for one to two RTOs, twice for two to three...), not below the
 * restart window min(IW, cwnd), and ssthresh remembers where
 * it was: at least 3/4 of the old cwnd outside a reduction, as
 * tcp_current_ssthresh().  The algorithm hears of it first
 * (XTCP_CA_EVENT_CWND_RESTART).  The caller decides whether restarts
 * happen at all (net.xtcp.slow_start_after_idle).
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, output.c's send path).
 * Return: true if the idle period was long enough for a restart.
 */
bool xtcp_cc_restart(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		     u32 now_ms, u32 idle_ms, u32 rto_ms)
{
	u32 restart = cc->cwnd < XTCP_INIT_CWND ? cc->cwnd : XTCP_INIT_CWND;
	u32 cwnd = cc->cwnd, three_quarters;

	if (idle_ms <= rto_ms)
		return false;
	xtcp_cc_event(cc, ops, XTCP_CA_EVENT_CWND_RESTART, now_ms, idle_ms);
	three_quarters = (cwnd >> 1) + (cwnd >> 2);
	if (cc->state != XTCP_CA_CWR && cc->state != XTCP_CA_RECOVERY &&
	    cc->ssthresh < three_quarters)
		cc->ssthresh = three_quarters;
	/* A half for every RTO that passed: d > k * RTO, k = 1, 2... */
	while (idle_ms > rto_ms && cwnd > restart) {
		idle_ms -= rto_ms;
		cwnd >>= 1;
	}
	cc->cwnd = cwnd > restart ? cwnd : restart;
	return true;
}

/**
 * xtcp_cc_retransmitted() - @segs segments were sent again
 * @cc: the state
 * @segs: how many
 * @tsval: the TSval they carry (any value without timestamps)
 *
 * Counted towards the undo: each must come back as a D-SACK.  The first
 * resend of a reduction stamps it (Linux's retrans_stamp): an ACK
 * echoing an older TSval was for an original (xtcp_cc_packet_delayed()).
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, output.c's retransmission).
 */
void xtcp_cc_retransmitted(struct xtcp_cc *cc, u32 segs, u32 tsval)
{
	if (!cc->undo)
		return;
	if (cc->undo_retrans < 0) {
		cc->undo_retrans = 0;
		cc->undo_tsval = tsval;
	}
	cc->undo_retrans += segs;
}

/**
 * xtcp_cc_dsack() - the peer reported data it got twice (RFC 2883)
 * @cc: the state
 * @end: the end of the D-SACK block
 * @segs: resent segments the block covers
 *
 * A resend after the reduction began that the peer got twice was not
 * needed: one fewer resend stands between the reduction and its undo
 * (RFC 3708 section 3.2, as tcp_check_dsack()).
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 */
void xtcp_cc_dsack(struct xtcp_cc *cc, u32 end, u32 segs)
{
	if (!cc->undo || cc->undo_retrans <= 0 ||
	    !xtcp_after(end, cc->undo_marker))
		return;
	if (segs > (u32)cc->undo_retrans)
		segs = cc->undo_retrans;
	cc->undo_retrans -= segs;
}

/*
 * Take back the last reduction: cwnd as the algorithm's undo_cwnd says
 * (Reno's without one: the larger of cwnd and the cwnd before) and
 * ssthresh as it was, if the reduction recorded them (as
 * tcp_undo_cwnd_reduction()), and the connection open again; RFC 6582's
 * one recovery per window no longer holds a new one back.
 */
static void xtcp_cc_undo(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
			 u32 snd_una)
{
	if (cc->undo && cc->prior_ssthresh) {
		if (ops && ops->undo_cwnd)
			cc->cwnd = ops->undo_cwnd(cc) ? : 1;
		else if (cc->cwnd < cc->prior_cwnd)
			cc->cwnd = cc->prior_cwnd;
		if (cc->ssthresh < cc->prior_ssthresh)
			cc->ssthresh = cc->prior_ssthresh;
	}
	cc->undo = 0;
	cc->cwnd_cnt = 0;
	cc->dupacks = 0;
	xtcp_cc_set_state(cc, ops, XTCP_CA_OPEN);
	cc->recover = snd_una - 1;
}

/**
 * xtcp_cc_undo_loss() - take back a timeout that F-RTO found spurious
 * @cc: the state, in loss
 * @ops: the algorithm
 * @snd_una: the oldest unacknowledged sequence number
 *
 * An ACK for data sent before the timeout and never resent shows that
 * nothing was lost, the ACKs were only late (RFC 5682 section 3.1 step
 * 3b): cwnd and ssthresh go back to what they were before the timeout
 * if it recorded them (a timeout from open does; as
 * tcp_try_undo_loss(sk, true)), and the connection is open again: a
 * loss found later may start a recovery at once.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 */
void xtcp_cc_undo_loss(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		       u32 snd_una)
{
	xtcp_cc_undo(cc, ops, snd_una);
}

/**
 * xtcp_cc_try_undo() - take back a reduction that D-SACKs disproved
 * @cc: the state
 * @ops: the algorithm
 * @snd_una: the oldest unacknowledged sequence number
 *
 * Once every resend since the reduction began came back as a D-SACK,
 * the losses were none (reordering or a delay): cwnd and ssthresh go
 * back to what they were (as tcp_undo_cwnd_reduction() with Reno's
 * undo_cwnd), recovery ends, and a loss found later may start a new one
 * at once.  Not after a timeout's slow start has begun (LOSS: F-RTO's
 * business), nor in CWR.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 * Return: true if the reduction was undone.
 */
bool xtcp_cc_try_undo(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
		      u32 snd_una)
{
	if (!cc->undo || cc->undo_retrans ||
	    (cc->state != XTCP_CA_OPEN && cc->state != XTCP_CA_RECOVERY))
		return false;
	xtcp_cc_undo(cc, ops, snd_una);
	return true;
}

/**
 * xtcp_cc_packet_delayed() - an ACK's TSecr predates the first resend
 * @cc: the state
 * @tsecr: the ACK's TSecr; 0 when it had none
 *
 * Eifel detection (RFC 3522 section 3.2, as tcp_packet_delayed()): the
 * segment this ACK answers was sent before the reduction's first resend,
 * so an original arrived and the resend was not needed.
 *
 * Context: pure arithmetic; the caller serializes @cc.
 * Return: true if the reduction may be taken back for it.
 */
bool xtcp_cc_packet_delayed(const struct xtcp_cc *cc, u32 tsecr)
{
	return cc->undo && cc->undo_retrans >= 0 && tsecr &&
	       xtcp_before(tsecr, cc->undo_tsval);
}

/**
 * xtcp_cc_undo_delayed() - take back a reduction Eifel found spurious
 * @cc: the state
 * @ops: the algorithm
 * @snd_una: the oldest unacknowledged sequence number, after the ACK
 * @retrans_out: resent segments are still in flight
 *
 * For an ACK that moved SND.UNA and that xtcp_cc_packet_delayed()
 * says answers an original: after a timeout the loss state ends, cwnd
 * and ssthresh as they were before it (tcp_try_undo_loss()); a recovery
 * is taken back at its end (tcp_try_undo_recovery()), or before it on
 * a partial ACK when no resend is in flight any more
 * (tcp_try_undo_partial(): the hole was filled by the late original).
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 * Return: what was undone, XTCP_UNDO_NONE if nothing.
 */
enum xtcp_undo_kind xtcp_cc_undo_delayed(struct xtcp_cc *cc,
					 const struct xtcp_cong_ops *ops,
					 u32 snd_una, bool retrans_out)
{
	enum xtcp_undo_kind kind;

	if (!cc->undo || cc->undo_retrans < 0)
		return XTCP_UNDO_NONE;
	switch (cc->state) {
	case XTCP_CA_LOSS:
		kind = XTCP_UNDO_LOSS;
		break;
	case XTCP_CA_RECOVERY:
		if (!xtcp_before(snd_una, cc->recover))
			kind = XTCP_UNDO_FULL;
		else if (!retrans_out)
			kind = XTCP_UNDO_PARTIAL;
		else
			return XTCP_UNDO_NONE;
		break;
	default:
		return XTCP_UNDO_NONE;
	}
	xtcp_cc_undo(cc, ops, snd_una);
	return kind;
}

/**
 * xtcp_cc_tlp_recovered() - a tail loss probe repaired a loss
 * @cc: the state
 * @ops: the algorithm
 * @snd_nxt: the next sequence number to send
 *
 * The probe resent the last segment and the ACK covers more than it:
 * the segment was lost, and the probe alone repaired it (RFC 8985
 * section 7.4.2).  A loss all the same, so the window comes down as
 * for one, at once, and the connection stays open, as Linux's
 * tcp_process_tlp_ack() (a CWR begun and ended in one step).  As there,
 * ssthresh is the algorithm's for the whole window, not for the one
 * segment that was in flight when the tail went: the flight was small
 * because the application had nothing more to send, not because the
 * path was full.  The loss was real: nothing earlier is undone any more.
 *
 * Context: pure arithmetic; the caller serializes @cc (in the module:
 * socket locked, the ACK path of input.c).
 */
void xtcp_cc_tlp_recovered(struct xtcp_cc *cc, const struct xtcp_cong_ops *ops,
			   u32 snd_nxt)
{
	cc->undo = 0;
	cc->prior_cwnd = cc->cwnd ? cc->cwnd : 1;
	cc->ssthresh = ops->ssthresh(cc, cc->cwnd);
	if (cc->ssthresh < XTCP_INFINITE_SSTHRESH)
		cc->cwnd = cc->ssthresh;
	cc->cwnd_cnt = 0;
	cc->dupacks = 0;
	cc->recover = snd_nxt;
	xtcp_cc_set_state(cc, ops, XTCP_CA_OPEN);
}
