// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_cc_example.ko: a congestion control algorithm for xtcp in a
 * module of its own, written to be copied.  It is Reno's AIMD with two
 * knobs and a ceiling:
 *
 *   slow start      cwnd += segments ACKed, up to ssthresh (as Reno);
 *   congestion      cwnd += ai segments per window of ACKs;
 *     avoidance
 *   on a loss       ssthresh = cwnd * (100 - md) / 100, at least 2;
 *   always          cwnd <= max_cwnd (0: no ceiling);
 *   every ACK       with ss_delay_us set, slow start ends once an RTT
 *                   sample is that much above the lowest seen.
 *
 * Use it:
 *   insmod xtcp.ko; insmod xtcp_cc_example.ko max_cwnd=4
 *   sysctl net.xtcp.available_congestion_control    (lists "example")
 *   setsockopt(fd, SOL_TCP, TCP_CONGESTION, "example", 7)
 *     or: sysctl -w net.xtcp.congestion_control=example
 *
 * A second algorithm, "example_rate", shows the other way to write one:
 * a cong_control hook that hears every ACK and sets cwnd and the pacing
 * rate itself, as BBR does.  It sends at a fixed rate:
 *
 *   every ACK       pacing rate = rate bytes/s; cwnd = twice what the
 *                   rate carries in a min RTT, at least 4 segments;
 *   on a loss       nothing changes: a fixed rate does not back off;
 *                   the segments each ACK found lost are only summed
 *                   in the read-only parameter "losses".
 *
 *   insmod xtcp_cc_example.ko rate=500000
 *   setsockopt(fd, SOL_TCP, TCP_CONGESTION, "example_rate", 12)
 *
 * To write your own: copy this file, change the name and the hooks,
 * add a line to Kbuild.  The interface is <net/xtcp_cong.h>;
 * xtcp's own NewReno (module/cong.c) and CUBIC (module/cubic.c) use
 * the same one.  docs/congestion.md explains what xtcp does around it.
 */
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <net/xtcp_cong.h>

/* Module parameters: read by the hooks on every call, so writable. */
static unsigned int ai = 1;
module_param(ai, uint, 0644);
MODULE_PARM_DESC(ai, "segments added per window of ACKs (default 1)");

static unsigned int md = 50;
module_param(md, uint, 0644);
MODULE_PARM_DESC(md, "percent cut from cwnd on a loss, 1..99 (default 50)");

static unsigned int max_cwnd;
module_param(max_cwnd, uint, 0644);
MODULE_PARM_DESC(max_cwnd, "the largest cwnd in segments (default 0: none)");

static unsigned int ss_delay_us;
module_param(ss_delay_us, uint, 0644);
MODULE_PARM_DESC(ss_delay_us, "leave slow start when an RTT sample is this far above the min RTT (default 0: never)");

static unsigned int rate = 1000000;
module_param(rate, uint, 0644);
MODULE_PARM_DESC(rate, "example_rate's rate in bytes per second (default 1000000)");

/*
 * Read only: the segments example_rate's samples said were newly lost,
 * summed over every connection (a rate-based algorithm would lower its
 * rate on them, as BBR's long-term sampling counts them).
 */
static unsigned int losses;
module_param(losses, uint, 0444);
MODULE_PARM_DESC(losses, "segments example_rate heard were lost (read only)");

/*
 * Per-connection state: this algorithm needs none beyond struct
 * xtcp_cc's cwnd, ssthresh and cwnd_cnt.  One that does keeps it in
 * cc->priv (16 words, zeroed before init), as cubic.c does.
 */

/* The ceiling, if any. */
static void example_clamp(struct xtcp_cc *cc)
{
	unsigned int max = READ_ONCE(max_cwnd);

	if (max && cc->cwnd > max)
		cc->cwnd = max;
}

/* A new connection: xtcp has set cwnd to 10 and ssthresh to "infinite". */
static void example_init(struct xtcp_cc *cc)
{
	example_clamp(cc);
}

/*
 * A loss (three duplicate ACKs, SACK's verdict or a timeout): return the
 * new ssthresh.  cc->cwnd is still the window the loss happened at;
 * xtcp then sets cwnd itself (ssthresh in fast recovery, 1 after a
 * timeout).
 */
static u32 example_ssthresh(struct xtcp_cc *cc, u32 flight)
{
	unsigned int cut = clamp_val(READ_ONCE(md), 1U, 99U);
	u32 ssthresh = cc->cwnd * (100 - cut) / 100;

	return max(ssthresh, 2U);
}

/*
 * @acked segments were newly ACKed while cwnd was what limited the
 * sender (xtcp does not call this when the application sent less).  @s
 * has a clock and RTT samples, which a delay-based algorithm would use.
 */
static void example_cong_avoid(struct xtcp_cc *cc, u32 acked,
			       const struct xtcp_ack_sample *s)
{
	if (cc->cwnd < cc->ssthresh) {
		/* Slow start: one segment per segment ACKed. */
		u32 grow = min(acked, cc->ssthresh - cc->cwnd);

		cc->cwnd += grow;
		acked -= grow;
	}
	/*
	 * Congestion avoidance: ai segments per cwnd segments ACKed.  What
	 * the credit bought is taken from it at the window it was counted
	 * against, before cwnd grows (tcp_cong_avoid_ai()).
	 */
	cc->cwnd_cnt += acked * READ_ONCE(ai);
	if (cc->cwnd_cnt >= cc->cwnd) {
		u32 grow = cc->cwnd_cnt / cc->cwnd;

		cc->cwnd_cnt -= grow * cc->cwnd;
		cc->cwnd += grow;
	}
	example_clamp(cc);
}

/*
 * Every ACK xtcp did not drop, whether cwnd limited the sender or not,
 * duplicate ones too, before the loss state machine and cong_avoid:
 * @s->rtt_us is its RTT sample (0 when Karn's rule leaves none) and
 * @s->min_rtt_us the lowest so far (~0U: none yet).  An RTT that far
 * above the lowest means a queue is building on the path: slow start
 * ends before the queue overflows, as delay-based rules (Vegas,
 * HyStart's delay increase) decide.
 */
static void example_pkts_acked(struct xtcp_cc *cc,
			       const struct xtcp_ack_sample *s)
{
	unsigned int delay = READ_ONCE(ss_delay_us);

	/* Only the first slow start, not the one after a timeout. */
	if (!delay || !s->rtt_us || s->min_rtt_us == ~0U ||
	    cc->state != XTCP_CA_OPEN)
		return;
	if (cc->cwnd < cc->ssthresh && s->rtt_us > s->min_rtt_us + delay)
		cc->ssthresh = cc->cwnd;
}

/*
 * example_rate.  init: ask xtcp to pace this connection's segments
 * itself when no fq qdisc does (as BBR sets SK_PACING_NEEDED).
 */
static void example_rate_init(struct xtcp_cc *cc)
{
	cc->pacing = 1;
}

/* A loss: ssthresh stays where it is, and so does the rate. */
static u32 example_rate_ssthresh(struct xtcp_cc *cc, u32 flight)
{
	return cc->ssthresh;
}

/* Connections on several CPUs add at once. */
static DEFINE_SPINLOCK(losses_lock);

static void add_losses(u32 n)
{
	spin_lock_bh(&losses_lock);
	WRITE_ONCE(losses, losses + n);
	spin_unlock_bh(&losses_lock);
}

/*
 * Every ACK, with its sample: @s->mss and @s->min_rtt_us (~0U until the
 * first RTT sample) give the window the rate needs; @s->delivered over
 * @s->interval_us is what the path delivered, which a real rate-based
 * algorithm would use to find the rate instead of being told it.
 */
static void example_rate_cong_control(struct xtcp_cc *cc,
				      const struct xtcp_ack_sample *s)
{
	u64 bytes_per_s = max(READ_ONCE(rate), 1U);
	u64 bdp = 0;

	/* Segments this ACK's loss detection marked lost (SACK, RACK). */
	if (s->losses)
		add_losses(s->losses);
	cc->pacing_rate = bytes_per_s;
	if (s->min_rtt_us != ~0U && s->mss)
		bdp = div_u64(bytes_per_s * s->min_rtt_us,
			      USEC_PER_SEC * s->mss);
	cc->cwnd = max_t(u64, 2 * bdp, 4);
}

/* What xtcp calls: the name TCP_CONGESTION takes, and the hooks. */
static struct xtcp_cong_ops example_ops = {
	.name		= "example",
	.init		= example_init,
	.ssthresh	= example_ssthresh,
	.cong_avoid	= example_cong_avoid,
	/* Optional: NULL, not told. */
	.pkts_acked	= example_pkts_acked,
	/*
	 * Optional, left NULL here: .cwnd_event (sending starts again
	 * after idle; cwnd restarts) and .set_state (recovery, loss, CWR,
	 * open), as cubic.c uses them.
	 */
	/* Sockets using it hold this module: rmmod waits until none does. */
	.owner		= THIS_MODULE,
};

static struct xtcp_cong_ops example_rate_ops = {
	.name		= "example_rate",
	.init		= example_rate_init,
	.ssthresh	= example_rate_ssthresh,
	/* In place of cong_avoid, which may then be NULL. */
	.cong_control	= example_rate_cong_control,
	.owner		= THIS_MODULE,
};

static int __init example_register(void)
{
	int err;

	err = xtcp_register_congestion_control(&example_ops);
	if (err)
		return err;
	err = xtcp_register_congestion_control(&example_rate_ops);
	if (err)
		xtcp_unregister_congestion_control(&example_ops);
	return err;
}

static void __exit example_unregister(void)
{
	xtcp_unregister_congestion_control(&example_rate_ops);
	xtcp_unregister_congestion_control(&example_ops);
}

module_init(example_register);
module_exit(example_unregister);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: example congestion control algorithms (AIMD with a ceiling; a fixed rate)");
/* What TCP_CONGESTION "example" loads when the module is installed. */
MODULE_ALIAS("xtcp-cc-example");
MODULE_ALIAS("xtcp-cc-example_rate");
