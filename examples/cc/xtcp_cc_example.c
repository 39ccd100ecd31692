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
 *   always          cwnd <= max_cwnd (0: no ceiling).
 *
 * Use it:
 *   insmod xtcp.ko; insmod xtcp_cc_example.ko max_cwnd=4
 *   sysctl net.xtcp.available_congestion_control    (lists "example")
 *   setsockopt(fd, SOL_TCP, TCP_CONGESTION, "example", 7)
 *     or: sysctl -w net.xtcp.congestion_control=example
 *
 * To write your own: copy this file, change the name and the three
 * hooks, add a line to Kbuild.  The interface is <net/xtcp_cong.h>;
 * xtcp's own NewReno (module/cong.c) and CUBIC (module/cubic.c) use
 * the same one.  docs/congestion.md explains what xtcp does around it.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
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
	/* Congestion avoidance: ai segments per cwnd segments ACKed. */
	cc->cwnd_cnt += acked * READ_ONCE(ai);
	if (cc->cwnd_cnt >= cc->cwnd) {
		cc->cwnd += cc->cwnd_cnt / cc->cwnd;
		cc->cwnd_cnt %= cc->cwnd;
	}
	example_clamp(cc);
}

/* What xtcp calls: the name TCP_CONGESTION takes, and the hooks. */
static struct xtcp_cong_ops example_ops = {
	.name		= "example",
	.init		= example_init,
	.ssthresh	= example_ssthresh,
	.cong_avoid	= example_cong_avoid,
	/*
	 * Optional, left NULL here: .cwnd_event (sending starts again
	 * after idle; cwnd restarts) and .set_state (recovery, loss, CWR,
	 * open), as cubic.c uses them.
	 */
	/* Sockets using it hold this module: rmmod waits until none does. */
	.owner		= THIS_MODULE,
};

static int __init example_register(void)
{
	return xtcp_register_congestion_control(&example_ops);
}

static void __exit example_unregister(void)
{
	xtcp_unregister_congestion_control(&example_ops);
}

module_init(example_register);
module_exit(example_unregister);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: an example congestion control algorithm (AIMD with a ceiling)");
/* What TCP_CONGESTION "example" loads when the module is installed. */
MODULE_ALIAS("xtcp-cc-example");
