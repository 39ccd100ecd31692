// SPDX-License-Identifier: GPL-2.0
/*
 * CUBIC congestion avoidance (RFC 9438), TCP_CONGESTION "cubic": after a
 * loss the window grows along a cubic function of the time since it,
 * concave up to the window the loss happened at (W_max), flat around it,
 * then convex as it probes further; never slower than Reno would grow
 * on the same path (the Reno-friendly region, RFC 9438 section 4.3).
 * The constants are the RFC's and Linux's tcp_cubic.c defaults: C = 0.4,
 * beta_cubic = 0.7, fast convergence on.  The first slow start ends
 * by HyStart++ (RFC 9406) when round trips lengthen, before a loss
 * would end it.  After an idle period the epoch moves on by the time
 * nothing was sent (as Linux's CA_EVENT_TX_START), so that the curve
 * goes on where it was rather than jumping ahead.
 *
 * The loss recovery around it is cong.c's, as for every algorithm.
 *
 * Pure logic: compiled into the module and into the user-space unit
 * test, so it depends on nothing but struct xtcp_cc and the ACK sample
 * xtcp_cc_newack() passes on.  Windows count segments; time is in
 * milliseconds.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/math64.h>
#endif

#include "pure.h"

/* beta_cubic = 0.7 and C = 0.4, as fractions. */
#define CUBIC_BETA_NUM		7U
#define CUBIC_BETA_DEN		10U
/*
 * C * t^3 with t in ms, in segments: 0.4 * t^3 / 10^9 = t^3 * 4 / 10^10.
 * Times are bounded so that the cube fits in 64 bits.
 */
#define CUBIC_T_MAX_MS		1048576U	/* 2^20 ms, about 17 minutes */
/* alpha_cubic = 3 * (1 - beta) / (1 + beta) = 9/17 (section 4.3). */
#define CUBIC_ALPHA_NUM		9U
#define CUBIC_ALPHA_DEN		17U

/*
 * HyStart++ (RFC 9406 section 4.3).  Its L, the most an ACK may grow
 * cwnd by in slow start, is infinite here, as for a paced sender and as
 * Linux's tcp_slow_start() grows by every segment an ACK covers: TSQ and
 * autosized skbs bound the bursts, and under stretch ACKs (a receiver
 * that ACKs 15 segments at a time) L = 8 made each round grow cwnd
 * about 1.5-fold instead of twofold.
 */
#define HYSTART_MIN_RTT_THRESH_US	4000U
#define HYSTART_MAX_RTT_THRESH_US	16000U
#define HYSTART_MIN_RTT_DIVISOR		8U
#define HYSTART_N_RTT_SAMPLE		8U
#define HYSTART_CSS_GROWTH_DIVISOR	4U
#define HYSTART_CSS_ROUNDS		5U
#define HYSTART_NO_RTT			~0U

/* Where the first slow start is (enum values of struct cubic.hs_state). */
enum {
	HS_SLOW_START,		/* standard slow start, RTTs watched */
	HS_CSS,			/* Conservative Slow Start */
	HS_DONE,		/* left: congestion avoidance, or a loss */
};

/* The algorithm's state in struct xtcp_cc's priv[]. */
struct cubic {
	u32	w_max;		/* cwnd at the last loss (after fast convergence) */
	u32	epoch_ms;	/* start of this epoch, 0: none yet */
	u32	k_ms;		/* time from the epoch's start to W_max */
	u32	origin;		/* the window the cubic is centred on */
	u32	w_est;		/* the Reno-friendly estimate (section 4.3) */
	u32	est_acked;	/* segments ACKed towards w_est's next step */
	u32	cnt;		/* ACKed segments per cwnd increment */
	/* HyStart++: */
	u8	hs_state;	/* HS_* */
	u8	css_rounds;	/* rounds completed in CSS */
	u8	in_round;	/* window_end is set */
	u32	window_end;	/* the round ends when this is ACKed */
	u32	last_round_min;	/* the last round's lowest RTT, us */
	u32	round_min;	/* this round's lowest RTT so far, us */
	u32	samples;	/* RTT samples this round */
	u32	css_baseline;	/* round_min when CSS began, us */
	u32	css_acked;	/* ACKed segments towards CSS's next segment */
};

static struct cubic *cubic_of(struct xtcp_cc *cc)
{
	BUILD_BUG_ON(sizeof(struct cubic) > sizeof(cc->priv));
	return (struct cubic *)cc->priv;
}

/* The integer cube root of @v, rounded down (binary search). */
static u32 cubic_cbrt(u64 v)
{
	u32 lo = 0, hi = 2642245;	/* hi^3 > 2^64 - 1 */

	while (lo < hi) {
		u32 mid = lo + (hi - lo + 1) / 2;

		if ((u64)mid * mid * mid <= v)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static void cubic_init(struct xtcp_cc *cc)
{
	struct cubic *ca = cubic_of(cc);

	*ca = (struct cubic){
		.hs_state	= HS_SLOW_START,
		.last_round_min	= HYSTART_NO_RTT,
		.round_min	= HYSTART_NO_RTT,
		.css_baseline	= HYSTART_NO_RTT,
	};
}

/*
 * HyStart++'s round bookkeeping and RTT sample for an ACK (section
 * 4.3): a round ends when the data sent at its start is ACKed.
 */
static void hystart_sample(struct cubic *ca, const struct xtcp_ack_sample *s)
{
	if (!ca->in_round || !xtcp_before(s->ack, ca->window_end)) {
		ca->in_round = 1;
		ca->last_round_min = ca->round_min;
		ca->round_min = HYSTART_NO_RTT;
		ca->samples = 0;
		ca->window_end = s->snd_nxt;
		if (ca->hs_state == HS_CSS && ca->css_rounds < 255)
			ca->css_rounds++;
	}
	if (s->rtt_us) {
		if (s->rtt_us < ca->round_min)
			ca->round_min = s->rtt_us;
		ca->samples++;
	}
}

/*
 * The first slow start under HyStart++: @acked segments ACKed below
 * ssthresh.  Returns the segments cwnd grows by: all of them, a
 * quarter of that in Conservative Slow Start.  A round whose lowest RTT
 * has grown by a threshold (4 to 16 ms, an eighth of the last round's)
 * moves slow start into CSS; a round back under CSS's baseline moves it
 * back; CSS_ROUNDS rounds of CSS end slow start (ssthresh = cwnd).
 */
static u32 hystart_grow(struct xtcp_cc *cc, struct cubic *ca, u32 acked,
			const struct xtcp_ack_sample *s)
{
	u32 grow = acked, thresh;

	hystart_sample(ca, s);
	if (ca->hs_state == HS_CSS && ca->css_rounds >= HYSTART_CSS_ROUNDS) {
		ca->hs_state = HS_DONE;
		cc->ssthresh = cc->cwnd;
		return 0;
	}
	if (ca->samples >= HYSTART_N_RTT_SAMPLE &&
	    ca->round_min != HYSTART_NO_RTT &&
	    ca->last_round_min != HYSTART_NO_RTT) {
		if (ca->hs_state == HS_SLOW_START) {
			thresh = ca->last_round_min / HYSTART_MIN_RTT_DIVISOR;
			if (thresh < HYSTART_MIN_RTT_THRESH_US)
				thresh = HYSTART_MIN_RTT_THRESH_US;
			if (thresh > HYSTART_MAX_RTT_THRESH_US)
				thresh = HYSTART_MAX_RTT_THRESH_US;
			if (ca->round_min >= ca->last_round_min + thresh) {
				ca->hs_state = HS_CSS;
				ca->css_baseline = ca->round_min;
				ca->css_rounds = 0;
				ca->css_acked = 0;
			}
		} else if (ca->round_min < ca->css_baseline) {
			/* The RTT fell back: the growth was not the queue's. */
			ca->hs_state = HS_SLOW_START;
			ca->css_baseline = HYSTART_NO_RTT;
		}
	}
	if (ca->hs_state != HS_CSS)
		return grow;
	ca->css_acked += grow;
	grow = ca->css_acked / HYSTART_CSS_GROWTH_DIVISOR;
	ca->css_acked %= HYSTART_CSS_GROWTH_DIVISOR;
	return grow;
}

/*
 * A loss: W_max remembers the window it happened at, reduced further if
 * the window had not regained the previous W_max (fast convergence,
 * section 4.7: another flow needs the room), and cwnd falls to
 * beta_cubic of it (section 4.6).  The next epoch starts at the next
 * ACK in congestion avoidance.
 */
static u32 cubic_ssthresh(struct xtcp_cc *cc, u32 flight)
{
	struct cubic *ca = cubic_of(cc);
	u32 cwnd = cc->cwnd;

	ca->epoch_ms = 0;
	/* A loss ends the first slow start (and HyStart++ with it). */
	ca->hs_state = HS_DONE;
	/*
	 * Below W_max as it stands, itself perhaps reduced by the loss
	 * before, not below that loss's window (section 4.7, as
	 * bictcp_recalc_ssthresh()'s last_max_cwnd).
	 */
	if (cwnd < ca->w_max)
		ca->w_max = cwnd * (CUBIC_BETA_DEN + CUBIC_BETA_NUM) /
			    (2 * CUBIC_BETA_DEN);
	else
		ca->w_max = cwnd;
	cwnd = cwnd * CUBIC_BETA_NUM / CUBIC_BETA_DEN;
	return cwnd > 2 ? cwnd : 2;
}

/* A new epoch at @now: where the curve starts and when it reaches W_max. */
static void cubic_epoch(struct xtcp_cc *cc, struct cubic *ca, u32 now)
{
	ca->epoch_ms = now ? now : 1;
	if (ca->w_max <= cc->cwnd) {
		ca->k_ms = 0;
		ca->origin = cc->cwnd;
	} else {
		/* K = cbrt((W_max - cwnd) / C) s, in ms (section 4.2). */
		ca->k_ms = cubic_cbrt((u64)(ca->w_max - cc->cwnd) *
				      2500000000ULL);
		ca->origin = ca->w_max;
	}
	ca->w_est = cc->cwnd;
	ca->est_acked = 0;
}

/* W_cubic(t) (section 4.2) for @t_ms since the epoch's start. */
static u32 cubic_target(const struct cubic *ca, u32 t_ms)
{
	u32 offs = t_ms > ca->k_ms ? t_ms - ca->k_ms : ca->k_ms - t_ms;
	u64 delta;

	if (offs > CUBIC_T_MAX_MS)
		offs = CUBIC_T_MAX_MS;
	delta = div64_u64((u64)offs * offs * offs * 4, 10000000000ULL);
	if (t_ms < ca->k_ms)
		return delta < ca->origin ? ca->origin - (u32)delta : 1;
	return delta < 0x100000U ? ca->origin + (u32)delta : ca->origin + 0x100000U;
}

/*
 * The per-ACK step (section 4.2 and 4.3): cwnd moves towards
 * W_cubic(t + RTT), the window the curve reaches one round trip from
 * now, by (target - cwnd) / cwnd per ACKed segment; by at most one
 * segment per 100 ACKs around W_max; and at least as fast as Reno's
 * estimate grows.
 */
static void cubic_update(struct xtcp_cc *cc, struct cubic *ca, u32 acked,
			 const struct xtcp_ack_sample *s)
{
	u32 cwnd = cc->cwnd, t, target, per;

	if (!ca->epoch_ms)
		cubic_epoch(cc, ca, s->now_ms);
	/* No RTT sample yet (~0): the curve as of now. */
	t = s->now_ms - ca->epoch_ms;
	if (s->min_rtt_us != ~0U)
		t += s->min_rtt_us / 1000;
	target = cubic_target(ca, t);
	if (target > cwnd)
		ca->cnt = cwnd / (target - cwnd);
	else
		ca->cnt = 100 * cwnd;
	/* The first epoch: no W_max yet, at least 5% a round trip. */
	if (!ca->w_max && ca->cnt > 20)
		ca->cnt = 20;

	/* Reno-friendly: w_est grows alpha_cubic segments per window. */
	ca->est_acked += acked;
	per = cwnd * CUBIC_ALPHA_DEN / CUBIC_ALPHA_NUM;
	if (per && ca->est_acked >= per) {
		ca->w_est += ca->est_acked / per;
		ca->est_acked %= per;
	}
	if (ca->w_est > cwnd) {
		u32 max_cnt = cwnd / (ca->w_est - cwnd);

		if (ca->cnt > max_cnt)
			ca->cnt = max_cnt;
	}
	if (ca->cnt < 2)
		ca->cnt = 2;
}

static void cubic_cong_avoid(struct xtcp_cc *cc, u32 acked,
			     const struct xtcp_ack_sample *s)
{
	struct cubic *ca = cubic_of(cc);

	/* The module always passes a sample; a caller without one gets none. */
	if (!s)
		return;
	if (cc->cwnd < cc->ssthresh) {
		u32 room = cc->ssthresh - cc->cwnd;
		u32 grow;

		/* HyStart++ in the first slow start only (section 4.2). */
		if (ca->hs_state != HS_DONE) {
			grow = hystart_grow(cc, ca, acked, s);
			if (cc->cwnd < cc->ssthresh) {
				cc->cwnd += grow;
				return;
			}
			/* CSS is over: on in congestion avoidance. */
		} else {
			grow = acked < room ? acked : room;
			cc->cwnd += grow;
			acked -= grow;
			if (!acked)
				return;
		}
	}
	cubic_update(cc, ca, acked, s);
	/*
	 * One segment per cnt ACKed (tcp_cong_avoid_ai()); credit saved up
	 * while cnt was larger gives one segment now, not a burst.
	 */
	if (cc->cwnd_cnt >= ca->cnt) {
		cc->cwnd_cnt = 0;
		cc->cwnd++;
	}
	cc->cwnd_cnt += acked;
	if (cc->cwnd_cnt >= ca->cnt) {
		cc->cwnd += cc->cwnd_cnt / ca->cnt;
		cc->cwnd_cnt %= ca->cnt;
	}
}

/*
 * Sending again with nothing in flight after @idle_ms without data
 * sent: the application, not the path, held the window back, so the
 * idle time does not count as time along the curve (RFC 9438 on
 * application-limited flows; tcp_cubic.c's CA_EVENT_TX_START).  The
 * epoch's start moves on by it, to now at most.
 */
static void cubic_cwnd_event(struct xtcp_cc *cc, enum xtcp_ca_event ev,
			     u32 now_ms, u32 idle_ms)
{
	struct cubic *ca = cubic_of(cc);

	if (ev != XTCP_CA_EVENT_TX_START || !ca->epoch_ms || (s32)idle_ms <= 0)
		return;
	ca->epoch_ms += idle_ms;
	if (xtcp_after(ca->epoch_ms, now_ms))
		ca->epoch_ms = now_ms;
	/* 0 means no epoch. */
	if (!ca->epoch_ms)
		ca->epoch_ms = 1;
}

/*
 * A timeout (the loss state): the window starts again from one segment
 * and W_max is forgotten, along with the W_max before it, so that the
 * first congestion avoidance after the slow start to ssthresh starts a
 * curve with K = 0 centred on the window it begins at (RFC 9438 section
 * 4.8), as tcp_cubic.c's set_state resets its state on TCP_CA_Loss.
 * ssthresh was already taken from the old W_max.  HyStart++ stays done:
 * ssthresh ends this slow start.
 */
static void cubic_set_state(struct xtcp_cc *cc, u8 new_state)
{
	struct cubic *ca = cubic_of(cc);

	if (new_state != XTCP_CA_LOSS)
		return;
	ca->w_max = 0;
	ca->epoch_ms = 0;
}

const struct xtcp_cong_ops xtcp_cubic = {
	.name		= "cubic",
	.init		= cubic_init,
	.ssthresh	= cubic_ssthresh,
	.cong_avoid	= cubic_cong_avoid,
	.cwnd_event	= cubic_cwnd_event,
	.set_state	= cubic_set_state,
};
