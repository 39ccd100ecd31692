// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_bbr.ko: BBR congestion control (version 1, as described in
 * draft-cardwell-iccrg-bbr-congestion-control-00 and as kernel TCP's
 * tcp_bbr.c behaves), TCP_CONGESTION "bbr", written against xtcp's
 * plug-in interface alone (<net/xtcp_cong.h>), as a module of its own.
 *
 * BBR does not take a loss for congestion.  It models the path with two
 * numbers and sends by them:
 *
 *   BtlBw   the bottleneck's bandwidth: the highest delivery rate
 *           sampled over the last 10 round trips (xtcp's rate samples,
 *           module/delivery.c, which are Linux's tcp_rate.c's);
 *   RTprop  the round-trip propagation time: the lowest RTT sampled
 *           over the last 10 seconds.
 *
 * It paces at pacing_gain * BtlBw and keeps at most cwnd_gain * BtlBw *
 * RTprop (the BDP) in flight, with the gains set by its state:
 *
 *   STARTUP    pacing and cwnd gain 2/ln 2, so the rate doubles every
 *              round trip, until three rounds in a row raise BtlBw by
 *              less than a quarter ("the pipe is full");
 *   DRAIN      pacing gain ln 2 / 2, until what is in flight is one BDP
 *              again (the queue STARTUP built is gone);
 *   PROBE_BW   the steady state: round trips paced at 1.25, 0.75, then
 *              six at 1 times BtlBw (probe for more, drain what the probe
 *              queued, cruise), cwnd gain 2;
 *   PROBE_RTT  when RTprop has not been seen again for 10 s: cwnd 4 for
 *              200 ms and a round trip, to drain the queue and measure
 *              the path's RTT afresh.
 *
 * In fast recovery it conserves packets for a round trip (send one per
 * one delivered), then grows again towards the model's cwnd; at the end
 * of recovery it takes back the window it had.  What xtcp does for any
 * algorithm still applies: loss detection (RACK, SACK), resends, the
 * retransmission timeout (cwnd 1), undo.
 *
 * Not in this version (tcp_bbr.c has them): the long-term bandwidth
 * estimate for token-bucket policers (lt_bw), the extra cwnd for ACK
 * aggregation (extra_acked), and marking the connection application
 * limited while in PROBE_RTT.  The clock is xtcp's millisecond one
 * (jiffies): on paths under a few milliseconds a PROBE_BW phase lasts a
 * jiffy rather than one RTprop.
 *
 * Use it:
 *   insmod xtcp.ko; insmod xtcp_bbr.ko
 *   setsockopt(fd, SOL_TCP, TCP_CONGESTION, "bbr", 3)
 *     or: sysctl -w net.xtcp.congestion_control=bbr
 *
 * Pure logic: the hooks touch only struct xtcp_cc and the ACK sample, so
 * the same source compiles into the user-space unit test
 * (selftests/unit, whose shim supplies minmax and a random number).
 * Every hook runs with the socket locked.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/win_minmax.h>
#endif
#include <net/xtcp_cong.h>

#include "pure.h"

/* Bandwidth: segments per microsecond, scaled by 2^24. */
#define BW_SCALE		24
#define BW_UNIT			BIT(BW_SCALE)

/* Gains: fractions of BBR_UNIT. */
#define BBR_SCALE		8
#define BBR_UNIT		BIT(BBR_SCALE)

/* 2/ln(2): the smallest gain that doubles the rate every round. */
#define BBR_HIGH_GAIN		(BBR_UNIT * 2885 / 1000 + 1)
/* Its inverse, to drain in one round what STARTUP queued. */
#define BBR_DRAIN_GAIN		(BBR_UNIT * 1000 / 2885)
#define BBR_CWND_GAIN		(BBR_UNIT * 2)

/* PROBE_BW's eight phases, one (at least) RTprop each. */
static const int bbr_pacing_gain[] = {
	BBR_UNIT * 5 / 4,	/* probe for more bandwidth */
	BBR_UNIT * 3 / 4,	/* drain the queue the probe built */
	BBR_UNIT, BBR_UNIT, BBR_UNIT,	/* cruise at the estimate */
	BBR_UNIT, BBR_UNIT, BBR_UNIT,
};

#define BBR_CYCLE_LEN		ARRAY_SIZE(bbr_pacing_gain)
/* PROBE_BW starts in a random phase, but never the draining one. */
#define BBR_CYCLE_RAND		7

/* BtlBw's window, in round trips; RTprop's, in milliseconds. */
#define BBR_BW_RTTS		(BBR_CYCLE_LEN + 2)
#define BBR_MIN_RTT_WIN_MS	(10 * 1000)
#define BBR_PROBE_RTT_MS	200
/* The smallest cwnd, and PROBE_RTT's. */
#define BBR_CWND_MIN_TARGET	4
/* The pipe is full after 3 rounds without 25% more bandwidth. */
#define BBR_FULL_BW_THRESH	(BBR_UNIT * 5 / 4)
#define BBR_FULL_BW_CNT		3
/* Pace 1% under the estimate, so that the queue it meets drains. */
#define BBR_PACING_MARGIN_PCT	1
/* Below 1.2 Mbit/s (150,000 B/s) the skbs the model counts are 1. */
#define BBR_MIN_TSO_RATE	150000
/* The largest skb the budget counts, bytes (GSO's 64 KiB). */
#define BBR_GSO_MAX_BYTES	65536

/*
 * The model of the path, the phase, the round counter, the whole
 * state: in struct xtcp_cc's priv[] (zeroed before init), which it fits
 * (xtcp_bbr()'s BUILD_BUG_ON).
 */
struct bbr {
	struct minmax	bw;		/* BtlBw: max filter, rounds as time */
	u32	min_rtt_us;		/* RTprop, ~0U: no sample yet */
	u32	min_rtt_stamp;		/* when it was sampled (ms) */
	u32	probe_rtt_done_stamp;	/* PROBE_RTT ends then (ms), 0: not set */
	u32	rtt_cnt;		/* round trips counted */
	u32	next_rtt_delivered;	/* delivered count that ends this round */
	u32	cycle_stamp;		/* the PROBE_BW phase began (ms) */
	u32	prior_cwnd;		/* cwnd before recovery or PROBE_RTT */
	u32	full_bw;		/* BtlBw when it last grew by 25% */
	u32	mode:2,			/* enum bbr_mode */
		prev_ca_state:2,	/* cc->state at the previous ACK */
		packet_conservation:1,	/* the first round of a recovery */
		round_start:1,		/* this ACK began a round trip */
		idle_restart:1,		/* sending again after idling */
		probe_rtt_round_done:1,	/* PROBE_RTT lasted a round */
		full_bw_reached:1,	/* STARTUP found the pipe full */
		full_bw_cnt:2,		/* rounds without 25% more */
		cycle_idx:3,		/* the PROBE_BW phase */
		started:1,		/* the stamps are set */
		has_seen_rtt:1,		/* pacing set from an RTT once */
		unused:14;
	u32	pacing_gain:10,		/* fractions of BBR_UNIT */
		cwnd_gain:10,
		unused2:12;
};

enum bbr_mode {
	BBR_STARTUP,
	BBR_DRAIN,
	BBR_PROBE_BW,
	BBR_PROBE_RTT,
};

static struct bbr *xtcp_bbr(struct xtcp_cc *cc)
{
	BUILD_BUG_ON(sizeof(struct bbr) > sizeof(cc->priv));
	return (struct bbr *)cc->priv;
}

/* Recovery after duplicate ACKs or SACKs, or the timeout's loss state. */
static bool bbr_repairing(u8 ca_state)
{
	return ca_state == XTCP_CA_RECOVERY || ca_state == XTCP_CA_LOSS;
}

static u32 bbr_max_bw(struct bbr *bbr)
{
	return minmax_get(&bbr->bw);
}

/* Bytes per second for @bw (segments per us << BW_SCALE) times @gain. */
static u64 bbr_rate_bytes_per_sec(u64 bw, u32 mss, int gain)
{
	u64 rate = bw * mss;

	rate *= gain;
	rate >>= BBR_SCALE;
	rate *= USEC_PER_SEC / 100 * (100 - BBR_PACING_MARGIN_PCT);
	return rate >> BW_SCALE;
}

/*
 * The first pacing rate, before any bandwidth sample: the initial cwnd
 * per smoothed RTT, times STARTUP's gain.
 */
static void bbr_init_pacing_rate(struct xtcp_cc *cc,
				 const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u64 bw;

	bbr->has_seen_rtt = 1;
	bw = div_u64((u64)cc->cwnd * BW_UNIT, s->srtt_us);
	cc->pacing_rate = bbr_rate_bytes_per_sec(bw, s->mss, BBR_HIGH_GAIN);
}

/*
 * Pace at @gain times @bw; in STARTUP never slower than before, since
 * its samples come from a window still growing.
 */
static void bbr_set_pacing_rate(struct xtcp_cc *cc,
				const struct xtcp_ack_sample *s, u32 bw,
				int gain)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u64 rate = bbr_rate_bytes_per_sec(bw, s->mss, gain);

	if (bbr->full_bw_reached || rate > cc->pacing_rate)
		cc->pacing_rate = rate;
}

/*
 * The skbs the sender builds at this rate, in segments (xtcp's
 * xtcp_tso_autosize(): a millisecond of it, at least 2 above 1.2 Mbit/s):
 * cwnd keeps room for three of them in flight beside the BDP.
 */
static u32 bbr_tso_segs_goal(const struct xtcp_cc *cc, u32 mss)
{
	u64 bytes = cc->pacing_rate >> 10;
	u32 segs;

	if (!mss)
		return 1;
	if (bytes > BBR_GSO_MAX_BYTES)
		bytes = BBR_GSO_MAX_BYTES;
	segs = div_u64(bytes, mss);
	return max_t(u32, segs,
		     cc->pacing_rate < BBR_MIN_TSO_RATE ? 1 : 2);
}

/* The BDP at @bw times @gain, in segments; the initial window before RTprop. */
static u32 bbr_bdp(struct bbr *bbr, u32 bw, int gain)
{
	u64 w;

	if (bbr->min_rtt_us == ~0U)
		return XTCP_INIT_CWND;
	w = (u64)bw * bbr->min_rtt_us;
	return (((w * gain) >> BBR_SCALE) + BW_UNIT - 1) / BW_UNIT;
}

/* The BDP plus room for the skbs being built, sent and ACKed. */
static u32 bbr_inflight(struct xtcp_cc *cc, u32 bw, int gain, u32 mss)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u32 cwnd = bbr_bdp(bbr, bw, gain);

	cwnd += 3 * bbr_tso_segs_goal(cc, mss);
	/* Even, so that a receiver ACKing every second segment is not held. */
	cwnd = (cwnd + 1) & ~1U;
	/* The probing phase needs room above the BDP to show more. */
	if (bbr->mode == BBR_PROBE_BW && bbr->cycle_idx == 0)
		cwnd += 2;
	return cwnd;
}

/* cwnd before a reduction, to take back when it ends. */
static void bbr_save_cwnd(struct xtcp_cc *cc)
{
	struct bbr *bbr = xtcp_bbr(cc);

	if (!bbr_repairing(bbr->prev_ca_state) && bbr->mode != BBR_PROBE_RTT)
		bbr->prior_cwnd = cc->cwnd;
	else
		bbr->prior_cwnd = max(bbr->prior_cwnd, cc->cwnd);
}

static void bbr_reset_startup_mode(struct bbr *bbr)
{
	bbr->mode = BBR_STARTUP;
}

static void bbr_reset_probe_bw_mode(struct bbr *bbr, u32 now_ms)
{
	bbr->mode = BBR_PROBE_BW;
	/* Any phase but the draining one (1), beginning now. */
	bbr->cycle_idx = (BBR_CYCLE_LEN -
			  get_random_u32_below(BBR_CYCLE_RAND)) % BBR_CYCLE_LEN;
	bbr->cycle_stamp = now_ms;
}

static void bbr_reset_mode(struct bbr *bbr, u32 now_ms)
{
	if (!bbr->full_bw_reached)
		bbr_reset_startup_mode(bbr);
	else
		bbr_reset_probe_bw_mode(bbr, now_ms);
}

/*
 * Is the PROBE_BW phase over?  Each lasts an RTprop at least; probing
 * goes on until a loss or until the probe's extra is in flight; the
 * drain ends early once no more than a BDP is.
 */
static bool bbr_is_next_cycle_phase(struct xtcp_cc *cc,
				    const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);
	bool full_length = (s32)(s->now_ms - bbr->cycle_stamp) >
			   (s32)(bbr->min_rtt_us / 1000);
	/* What was in flight before this ACK delivered its segments. */
	u32 prior_in_flight = s->in_flight + s->acked_sacked;
	u32 bw = bbr_max_bw(bbr);

	if (bbr->pacing_gain == BBR_UNIT)
		return full_length;
	if (bbr->pacing_gain > BBR_UNIT)
		return full_length &&
		       (s->losses ||
			prior_in_flight >= bbr_inflight(cc, bw,
							bbr->pacing_gain,
							s->mss));
	return full_length ||
	       prior_in_flight <= bbr_inflight(cc, bw, BBR_UNIT, s->mss);
}

static void bbr_update_cycle_phase(struct xtcp_cc *cc,
				   const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);

	if (bbr->mode == BBR_PROBE_BW && bbr_is_next_cycle_phase(cc, s)) {
		bbr->cycle_idx = (bbr->cycle_idx + 1) % BBR_CYCLE_LEN;
		bbr->cycle_stamp = s->now_ms;
	}
}

/*
 * A round trip ends when a segment sent after the last one began is
 * delivered; then the sample's rate goes into the max filter, unless
 * the application held the sender back and the rate is no record.
 */
static void bbr_update_bw(struct xtcp_cc *cc,
			  const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u64 bw;

	bbr->round_start = 0;
	if (!s->interval_us || !s->delivered)
		return;
	if (!xtcp_before(s->prior_delivered, bbr->next_rtt_delivered)) {
		bbr->next_rtt_delivered = s->total_delivered;
		bbr->rtt_cnt++;
		bbr->round_start = 1;
		bbr->packet_conservation = 0;
	}
	bw = div_u64((u64)s->delivered * BW_UNIT, s->interval_us);
	if (bw > U32_MAX)
		bw = U32_MAX;
	if (!s->app_limited || bw >= bbr_max_bw(bbr))
		minmax_running_max(&bbr->bw, BBR_BW_RTTS, bbr->rtt_cnt, bw);
}

/* STARTUP ends when three rounds in a row grew BtlBw by under 25%. */
static void bbr_check_full_bw_reached(struct xtcp_cc *cc,
				      const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u32 bw_thresh;

	if (bbr->full_bw_reached || !bbr->round_start || s->app_limited)
		return;
	bw_thresh = (u64)bbr->full_bw * BBR_FULL_BW_THRESH >> BBR_SCALE;
	if (bbr_max_bw(bbr) >= bw_thresh) {
		bbr->full_bw = bbr_max_bw(bbr);
		bbr->full_bw_cnt = 0;
		return;
	}
	if (++bbr->full_bw_cnt >= BBR_FULL_BW_CNT)
		bbr->full_bw_reached = 1;
}

/* From STARTUP to DRAIN, and from DRAIN on once the queue is gone. */
static void bbr_check_drain(struct xtcp_cc *cc,
			    const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u32 bdp = bbr_inflight(cc, bbr_max_bw(bbr), BBR_UNIT, s->mss);

	if (bbr->mode == BBR_STARTUP && bbr->full_bw_reached) {
		bbr->mode = BBR_DRAIN;
		/* What TCP_INFO shows: the window a loss-based one would. */
		cc->ssthresh = bdp;
	}
	if (bbr->mode == BBR_DRAIN && s->in_flight <= bdp)
		bbr_reset_probe_bw_mode(bbr, s->now_ms);
}

/* PROBE_RTT is over after 200 ms and a round trip at the small cwnd. */
static void bbr_check_probe_rtt_done(struct xtcp_cc *cc, u32 now_ms)
{
	struct bbr *bbr = xtcp_bbr(cc);

	if (!bbr->probe_rtt_done_stamp ||
	    (s32)(now_ms - bbr->probe_rtt_done_stamp) <= 0)
		return;
	/* RTprop was just measured at an empty queue: it holds 10 s more. */
	bbr->min_rtt_stamp = now_ms;
	cc->cwnd = max(cc->cwnd, bbr->prior_cwnd);
	bbr_reset_mode(bbr, now_ms);
}

/*
 * RTprop: the lowest RTT of the last 10 s.  When none as low came in
 * 10 s (the queue never drained), PROBE_RTT drains it to measure again;
 * an idle connection measured at its restart instead.
 */
static void bbr_update_min_rtt(struct xtcp_cc *cc,
			       const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);
	bool expired = (s32)(s->now_ms - bbr->min_rtt_stamp) >
		       BBR_MIN_RTT_WIN_MS;

	if (s->rtt_us && (s->rtt_us < bbr->min_rtt_us || expired)) {
		bbr->min_rtt_us = s->rtt_us;
		bbr->min_rtt_stamp = s->now_ms;
	}
	if (expired && !bbr->idle_restart && bbr->mode != BBR_PROBE_RTT) {
		bbr->mode = BBR_PROBE_RTT;
		bbr_save_cwnd(cc);
		bbr->probe_rtt_done_stamp = 0;
	}
	if (bbr->mode == BBR_PROBE_RTT) {
		if (!bbr->probe_rtt_done_stamp &&
		    s->in_flight <= BBR_CWND_MIN_TARGET) {
			/* 0 is "not set": a stamp that lands on it moves on. */
			bbr->probe_rtt_done_stamp =
				(s->now_ms + BBR_PROBE_RTT_MS) ? : 1;
			bbr->probe_rtt_round_done = 0;
			bbr->next_rtt_delivered = s->total_delivered;
		} else if (bbr->probe_rtt_done_stamp) {
			if (bbr->round_start)
				bbr->probe_rtt_round_done = 1;
			if (bbr->probe_rtt_round_done)
				bbr_check_probe_rtt_done(cc, s->now_ms);
		}
	}
	if (s->delivered)
		bbr->idle_restart = 0;
}

static void bbr_update_gains(struct bbr *bbr)
{
	switch (bbr->mode) {
	case BBR_STARTUP:
		bbr->pacing_gain = BBR_HIGH_GAIN;
		bbr->cwnd_gain = BBR_HIGH_GAIN;
		break;
	case BBR_DRAIN:
		bbr->pacing_gain = BBR_DRAIN_GAIN;
		bbr->cwnd_gain = BBR_HIGH_GAIN;
		break;
	case BBR_PROBE_BW:
		bbr->pacing_gain = bbr_pacing_gain[bbr->cycle_idx];
		bbr->cwnd_gain = BBR_CWND_GAIN;
		break;
	case BBR_PROBE_RTT:
		bbr->pacing_gain = BBR_UNIT;
		bbr->cwnd_gain = BBR_UNIT;
		break;
	}
}

/*
 * Recovery: the segments marked lost leave cwnd; the first round of a
 * recovery sends one segment per one delivered (packet conservation);
 * its end restores the window it began with.  Returns true when
 * conservation decided cwnd (*@cwnd) for this ACK.
 */
static bool bbr_cwnd_recover_or_restore(struct xtcp_cc *cc,
					const struct xtcp_ack_sample *s,
					u32 *cwnd)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u8 prev = bbr->prev_ca_state, state = cc->state;
	u32 w = cc->cwnd;

	if (s->losses)
		w = w > s->losses ? w - s->losses : 1;
	if (state == XTCP_CA_RECOVERY && prev != XTCP_CA_RECOVERY) {
		bbr->packet_conservation = 1;
		bbr->next_rtt_delivered = s->total_delivered;
		w = s->in_flight + s->acked_sacked;
	} else if (bbr_repairing(prev) && !bbr_repairing(state)) {
		w = max(w, bbr->prior_cwnd);
		bbr->packet_conservation = 0;
	}
	bbr->prev_ca_state = state;
	*cwnd = w;
	if (bbr->packet_conservation) {
		*cwnd = max(w, s->in_flight + s->acked_sacked);
		return true;
	}
	return false;
}

/*
 * cwnd towards the model's: up by what this ACK delivered, to @target
 * once the pipe was found full (before that, slow start's doubling
 * while below it, or while under the initial window's worth delivered).
 */
static void bbr_set_cwnd(struct xtcp_cc *cc, const struct xtcp_ack_sample *s,
			 u32 bw, int gain)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u32 cwnd = cc->cwnd, acked = s->acked_sacked, target;

	if (!acked)
		goto done;
	if (bbr_cwnd_recover_or_restore(cc, s, &cwnd))
		goto done;
	target = bbr_inflight(cc, bw, gain, s->mss);
	if (bbr->full_bw_reached)
		cwnd = min(cwnd + acked, target);
	else if (cwnd < target || s->total_delivered < XTCP_INIT_CWND)
		cwnd += acked;
	cwnd = max_t(u32, cwnd, BBR_CWND_MIN_TARGET);
done:
	if (bbr->mode == BBR_PROBE_RTT)
		cwnd = min_t(u32, cwnd, BBR_CWND_MIN_TARGET);
	cc->cwnd = cwnd;
}

/* The clocks, at the first ACK (init has none). */
static void bbr_start(struct xtcp_cc *cc, const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);

	bbr->started = 1;
	bbr->min_rtt_stamp = s->now_ms;
	bbr->cycle_stamp = s->now_ms;
	if (s->min_rtt_us != ~0U)
		bbr->min_rtt_us = s->min_rtt_us;
}

/* Every ACK: update the model, then pace and size cwnd by it. */
static void bbr_cong_control(struct xtcp_cc *cc,
			     const struct xtcp_ack_sample *s)
{
	struct bbr *bbr = xtcp_bbr(cc);
	u32 bw;

	if (!bbr->started)
		bbr_start(cc, s);
	bbr_update_bw(cc, s);
	bbr_update_cycle_phase(cc, s);
	bbr_check_full_bw_reached(cc, s);
	bbr_check_drain(cc, s);
	bbr_update_min_rtt(cc, s);
	bbr_update_gains(bbr);

	bw = bbr_max_bw(bbr);
	if (!bbr->has_seen_rtt && s->srtt_us && s->mss)
		bbr_init_pacing_rate(cc, s);
	if (bw)
		bbr_set_pacing_rate(cc, s, bw, bbr->pacing_gain);
	bbr_set_cwnd(cc, s, bw, bbr->cwnd_gain);
}

static void bbr_init(struct xtcp_cc *cc)
{
	struct bbr *bbr = xtcp_bbr(cc);

	bbr->min_rtt_us = ~0U;
	bbr->prev_ca_state = XTCP_CA_OPEN;
	bbr_reset_startup_mode(bbr);
	bbr_update_gains(bbr);
	/* Paced by xtcp itself when no fq qdisc does it (SK_PACING_NEEDED). */
	cc->pacing = 1;
}

/* A loss: cwnd is BBR's to set; ssthresh stays, the window is saved. */
static u32 bbr_ssthresh(struct xtcp_cc *cc, u32 flight)
{
	bbr_save_cwnd(cc);
	return cc->ssthresh;
}

/*
 * A reduction found spurious: the pipe may be fuller than thought, so
 * STARTUP's check starts over; cwnd is the model's already.
 */
static u32 bbr_undo_cwnd(struct xtcp_cc *cc)
{
	struct bbr *bbr = xtcp_bbr(cc);

	bbr->full_bw = 0;
	bbr->full_bw_cnt = 0;
	return cc->cwnd;
}

/*
 * A timeout: the bandwidth check starts over, and the next ACK begins
 * a round.
 */
static void bbr_set_state(struct xtcp_cc *cc, u8 new_state)
{
	struct bbr *bbr = xtcp_bbr(cc);

	if (new_state == XTCP_CA_LOSS) {
		bbr->prev_ca_state = XTCP_CA_LOSS;
		bbr->full_bw = 0;
		bbr->round_start = 1;
	}
}

/*
 * Sending again after idling: RTprop is not due for PROBE_RTT just for
 * the silence, and PROBE_BW resumes at the estimate, not above it.
 */
static void bbr_cwnd_event(struct xtcp_cc *cc, enum xtcp_ca_event ev,
			   u32 now_ms, u32 idle_ms)
{
	struct bbr *bbr = xtcp_bbr(cc);

	if (ev != XTCP_CA_EVENT_TX_START || !bbr->started)
		return;
	bbr->idle_restart = 1;
	/* The rate is BtlBw times the phase's gain: this takes the gain out. */
	if (bbr->mode == BBR_PROBE_BW && bbr->pacing_gain)
		cc->pacing_rate = div_u64(cc->pacing_rate * BBR_UNIT,
					  bbr->pacing_gain);
	else if (bbr->mode == BBR_PROBE_RTT)
		bbr_check_probe_rtt_done(cc, now_ms);
}

/*
 * TCP_CC_INFO and ss -i's "bbr:(bw:...,mrtt:...,pacing_gain:...,
 * cwnd_gain:...)": the model and the gains, as tcp_bbr.c reports them.
 */
static size_t bbr_get_info(const struct xtcp_cc *cc, u32 mss, int *attr,
			   union tcp_cc_info *info)
{
	const struct bbr *bbr = (const struct bbr *)cc->priv;
	u64 bw = (u64)minmax_get(&bbr->bw) * mss * USEC_PER_SEC >> BW_SCALE;

	memset(&info->bbr, 0, sizeof(info->bbr));
	info->bbr.bbr_bw_lo = (u32)bw;
	info->bbr.bbr_bw_hi = (u32)(bw >> 32);
	info->bbr.bbr_min_rtt = bbr->min_rtt_us;
	info->bbr.bbr_pacing_gain = bbr->pacing_gain;
	info->bbr.bbr_cwnd_gain = bbr->cwnd_gain;
	*attr = INET_DIAG_BBRINFO;
	return sizeof(info->bbr);
}

struct xtcp_cong_ops xtcp_bbr_ops = {
	.name		= "bbr",
	.init		= bbr_init,
	.ssthresh	= bbr_ssthresh,
	.cong_control	= bbr_cong_control,
	.undo_cwnd	= bbr_undo_cwnd,
	.set_state	= bbr_set_state,
	.cwnd_event	= bbr_cwnd_event,
	.get_info	= bbr_get_info,
#ifdef __KERNEL__
	.owner		= THIS_MODULE,
#endif
};

#ifdef __KERNEL__
static int __init xtcp_bbr_register(void)
{
	return xtcp_register_congestion_control(&xtcp_bbr_ops);
}

static void __exit xtcp_bbr_unregister(void)
{
	xtcp_unregister_congestion_control(&xtcp_bbr_ops);
}

module_init(xtcp_bbr_register);
module_exit(xtcp_bbr_unregister);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: BBR congestion control");
/* What TCP_CONGESTION "bbr" loads when the module is installed. */
MODULE_ALIAS("xtcp-cc-bbr");
#endif
