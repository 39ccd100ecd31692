// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp timing and window arithmetic: the RFC 6298 round-trip estimator,
 * the tail loss probe's timeout, RACK's time-based loss detection, the
 * receive window to advertise, and per-second budgets.
 *
 * Pure logic: compiled into the module and into the user-space unit test
 * and fuzz target, so it must not depend on socket or skb internals.
 */
#include "pure.h"

/**
 * xtcp_rtt_sample() - fold one round-trip measurement into the estimate
 * @r: the estimator
 * @m_us: the measurement, from a segment never retransmitted (Karn)
 *
 * RFC 6298 section 2: the first sample sets SRTT = R, RTTVAR = R/2;
 * later ones RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R
 * (RTTVAR first, from the old SRTT).  A measurement of 0 counts as 1 us.
 *
 * Context: pure arithmetic; the caller serializes @r (in the module:
 * socket locked, through xtcp_rtt_measured()).
 */
void xtcp_rtt_sample(struct xtcp_rtt *r, u32 m_us)
{
	u32 delta;

	if (!m_us)
		m_us = 1;
	if (!r->srtt_us) {
		r->srtt_us = m_us;
		r->rttvar_us = m_us / 2;
		return;
	}
	delta = r->srtt_us > m_us ? r->srtt_us - m_us : m_us - r->srtt_us;
	r->rttvar_us = r->rttvar_us - r->rttvar_us / 4 + delta / 4;
	r->srtt_us = r->srtt_us - r->srtt_us / 8 + m_us / 8;
	if (!r->srtt_us)
		r->srtt_us = 1;
}

/**
 * xtcp_rtt_rto_us() - the retransmission timeout from the estimate
 * @r: the estimator; with no sample yet the RTO is 1 s (RFC 6298 2.1)
 * @min_us: the floor for the variance term
 * @max_us: the ceiling
 *
 * RTO = SRTT + max(G, 4 * RTTVAR) with Linux's reading of the minimum:
 * the 200 ms floor bounds the variance term, not the sum, so a path with
 * a steady 190 ms RTT gets 390 ms, not a timer that fires on jitter.
 *
 * Context: pure arithmetic; reads @r only (in the module: socket locked).
 * Return: the RTO in microseconds, at most @max_us.
 */
u32 xtcp_rtt_rto_us(const struct xtcp_rtt *r, u32 min_us, u32 max_us)
{
	u64 var, rto;

	if (!r->srtt_us)
		return max_us < 1000000 ? max_us : 1000000;
	var = (u64)r->rttvar_us * 4;
	if (var < min_us)
		var = min_us;
	rto = r->srtt_us + var;
	return rto > max_us ? max_us : (u32)rto;
}

/**
 * xtcp_tlp_timeout_us() - when the tail loss probe goes (RFC 8985 7.2)
 * @r: the estimator; without a sample the probe waits @rto_us
 * @packets_out: segments in flight
 * @delack_us: the longest a peer may delay its ACK of one segment
 * @tick_us: the least the timer can wait (two jiffies, as Linux)
 * @rto_us: how long until the retransmission timer would fire, if it
 *	is still ahead (> 0)
 *
 * PTO = 2 * SRTT, plus the peer's worst delayed ACK when only one
 * segment is out (its ACK may be held for a second one that never
 * comes), else plus @tick_us; never after the RTO would fire, as
 * tcp_schedule_loss_probe().
 *
 * Context: pure arithmetic; reads @r only (in the module: socket locked).
 * Return: the probe timeout in microseconds.
 */
u32 xtcp_tlp_timeout_us(const struct xtcp_rtt *r, u32 packets_out,
			u32 delack_us, u32 tick_us, s32 rto_us)
{
	u64 pto;

	if (!r->srtt_us)
		return rto_us > 0 ? (u32)rto_us : 1000000;
	pto = 2ULL * r->srtt_us + (packets_out == 1 ? delack_us : tick_us);
	if (rto_us > 0 && pto > (u64)rto_us)
		pto = rto_us;
	return pto > 0xffffffffULL ? 0xffffffffU : (u32)pto;
}

/**
 * xtcp_rack_reo_wnd() - RACK's reordering window (RFC 8985 section 6.2)
 * @min_rtt_us: the lowest RTT seen, ~0U: none
 * @srtt_us: the smoothed RTT, 0: none
 * @reord_seen: the connection has seen reordering
 * @repairing: a recovery or a timeout's loss state is under way
 * @dupthresh_met: DupThresh segments are SACKed (and that counts)
 * @steps: how many quarters of min RTT (at least 1)
 *
 * How much later than the last delivered segment an earlier one may
 * still arrive before it counts as lost: a quarter of the min RTT per
 * step, at most SRTT; none while no reordering was seen and a loss is
 * already being repaired or DupThresh says one happened, as
 * tcp_rack_reo_wnd().
 *
 * Context: pure arithmetic, any context.
 * Return: the window in microseconds.
 */
u32 xtcp_rack_reo_wnd(u32 min_rtt_us, u32 srtt_us, bool reord_seen,
		      bool repairing, bool dupthresh_met, u32 steps)
{
	u64 wnd;

	if (!reord_seen && (repairing || dupthresh_met))
		return 0;
	if (min_rtt_us == ~0U)
		min_rtt_us = srtt_us;
	wnd = (u64)(min_rtt_us / 4) * (steps ? steps : 1);
	return wnd > srtt_us ? srtt_us : (u32)wnd;
}

/**
 * xtcp_rack_remaining_us() - how long RACK waits before a segment is lost
 * @rack_rtt_us: the RTT of the most recently sent segment delivered
 * @reo_wnd_us: the reordering window (xtcp_rack_reo_wnd())
 * @now_us: the clock now
 * @tx_us: when the segment was last sent
 *
 * A segment sent before the most recently sent one that was delivered
 * is lost once it has been out for that one's RTT plus the reordering
 * window (RFC 8985 section 6.2 step 5), as tcp_rack_skb_timeout().
 *
 * Context: pure arithmetic, any context.
 * Return: microseconds still to wait; 0 or less: lost now.
 */
s32 xtcp_rack_remaining_us(u32 rack_rtt_us, u32 reo_wnd_us, u32 now_us,
			   u32 tx_us)
{
	s64 left = (s64)rack_rtt_us + reo_wnd_us - (u32)(now_us - tx_us);

	if (left > 0x7fffffff)
		left = 0x7fffffff;
	if (left < -0x7fffffffLL)
		left = -0x7fffffffLL;
	return (s32)left;
}

/**
 * xtcp_rcv_window_step() - the least a window's right edge moves by
 * @full: the window the whole buffer would give
 * @mss: the receiver's MSS
 *
 * Receiver-side silly window avoidance (RFC 9293 section 3.8.6.2.2).
 *
 * Context: pure arithmetic, any context.
 * Return: min(@full / 2, @mss) in bytes.
 */
u32 xtcp_rcv_window_step(u32 full, u32 mss)
{
	return full / 2 < mss ? full / 2 : mss;
}

/**
 * xtcp_rcv_window() - the receive window to advertise
 * @free: bytes of receive buffer free for data now
 * @cur: bytes already offered beyond RCV.NXT (the old right edge)
 * @full: the window the whole buffer would give
 * @mss: the receiver's MSS
 * @wscale: our window scale shift
 *
 * Receiver-side silly window avoidance (RFC 9293 section 3.8.6.2.2): the
 * right edge only moves by at least min(full / 2, MSS); a window already
 * offered is never withdrawn (RFC 9293 section 3.8.6).
 *
 * Context: pure arithmetic, any context.
 * Return: the window in bytes, a multiple of 1 << @wscale that fits the
 * 16-bit field once shifted.
 */
u32 xtcp_rcv_window(u32 free, u32 cur, u32 full, u32 mss, u8 wscale)
{
	u32 step = xtcp_rcv_window_step(full, mss);
	u32 max = 65535U << wscale;
	u32 unit = 1U << wscale;
	u32 win;

	if (free > max)
		free = max;
	win = free & ~(unit - 1);
	if (win < cur || win - cur < step) {
		/* Not worth moving the edge: keep the old one. */
		win = cur;
	}
	/* Round the kept edge up so the shifted field still covers it. */
	if (win & (unit - 1))
		win = (win & ~(unit - 1)) + unit;
	return win > max ? max : win;
}

/**
 * xtcp_rcv_rtt_update() - the receiver's RTT estimate, with a sample
 * @est: the estimate, microseconds times 8; 0: none yet
 * @sample_us: the sample, microseconds
 * @win_dep: the sample is the time a window's worth of data took to
 *	arrive (no timestamps), an upper bound
 *
 * As tcp_rcv_rtt_update(): a sample below the estimate, or the first,
 * replaces it; a larger timestamp sample moves it by an eighth of the
 * difference; a larger window sample is ignored, since one stretched by
 * an application that paused would grossly overstate the RTT.
 *
 * Context: pure arithmetic, any context.
 * Return: the new estimate, microseconds times 8 (at most U32_MAX).
 */
u32 xtcp_rcv_rtt_update(u32 est, u32 sample_us, bool win_dep)
{
	u64 m = (u64)sample_us << 3;

	if (m > U32_MAX)
		m = U32_MAX;
	if (!est || m < est)
		return (u32)m;
	if (win_dep)
		return est;
	m = (u64)est - (est >> 3) + sample_us;
	return m > U32_MAX ? U32_MAX : (u32)m;
}

/**
 * xtcp_rcv_ssthresh_incr() - how far one arriving segment grows the window
 * @ssthresh: the window's ceiling now (rcv_ssthresh)
 * @truesize: the memory the segment's skb costs
 * @len: its data bytes
 * @advmss: the MSS we announced
 * @rcv_mss: our guess of the peer's MSS
 * @rmem_max: the most the receive buffer may grow to (net.xtcp.rmem[2])
 *
 * As tcp_grow_window()'s check #2: the ceiling grows, by two segments (at
 * least twice @len), for a segment whose skb would still fit the buffer
 * if every segment cost as much; half the buffer being the window, that
 * is @truesize / 2 <= @len.  A segment wasteful of memory (a small
 * payload in a large buffer) grows it only while the ceiling is small
 * enough that the largest buffer could hold a window of such segments
 * (__tcp_grow_window()): each halving of the waste allows half the
 * ceiling.
 *
 * Context: pure arithmetic, any context.
 * Return: the growth in bytes, 0 for none; the caller bounds it by the
 * room left below the free space.
 */
u32 xtcp_rcv_ssthresh_incr(u32 ssthresh, u32 truesize, u32 len, u32 advmss,
			   u32 rcv_mss, u32 rmem_max)
{
	u32 incr = 0, waste, window;

	if (truesize - truesize / 2 <= len) {
		incr = 2 * advmss;
	} else {
		waste = (truesize - truesize / 2) / 2;
		window = (rmem_max - rmem_max / 2) / 2;
		while (ssthresh <= window) {
			if (waste <= len) {
				incr = 2 * rcv_mss;
				break;
			}
			waste /= 2;
			window /= 2;
		}
	}
	if (incr && incr < 2 * len)
		incr = 2 * len;
	return incr;
}

/**
 * xtcp_pacing_rate() - the rate a connection's segments should leave at
 * @mss: the segment size
 * @cwnd: the congestion window, segments
 * @packets_out: segments in flight (if more than @cwnd, they count)
 * @srtt_us: the smoothed RTT, 0: none yet
 * @ratio_pct: the percentage of cwnd per SRTT to allow (net.xtcp's
 *	pacing_ss_ratio in slow start, pacing_ca_ratio after)
 *
 * cwnd per SRTT, scaled by @ratio_pct so that the window may still grow
 * (as tcp_update_pacing_rate()).  Without an RTT sample there is no rate
 * to keep: the result is then U64_MAX, no limit, as it is where the
 * rate would not fit in 64 bits.
 *
 * Context: pure arithmetic, any context.
 * Return: bytes per second.
 */
u64 xtcp_pacing_rate(u32 mss, u32 cwnd, u32 packets_out, u32 srtt_us,
		     u32 ratio_pct)
{
	u64 rate;

	if (!srtt_us)
		return U64_MAX;
	/* At most 2^16 * 2^32 * 2^10 with the sysctls' bounds. */
	rate = (u64)mss * (cwnd > packets_out ? cwnd : packets_out) *
	       ratio_pct;
	/*
	 * Per microsecond to per second (percent: 10^6 / 100), dividing
	 * first where multiplying first would not fit; saturated.
	 */
	if (rate <= U64_MAX / (USEC_PER_SEC / 100))
		return div_u64(rate * (USEC_PER_SEC / 100), srtt_us);
	rate = div_u64(rate, srtt_us);
	if (rate > U64_MAX / (USEC_PER_SEC / 100))
		return U64_MAX;
	return rate * (USEC_PER_SEC / 100);
}

/**
 * xtcp_tso_autosize() - how many segments one skb should carry
 * @pacing_rate: the socket's rate, bytes per second (sk_pacing_rate)
 * @pacing_shift: sk_pacing_shift: an skb carries 2^-shift s of the rate
 * @min_rtt_us: the lowest RTT seen, ~0U: none
 * @rtt_log: net.xtcp.tso_rtt_log: below 2^rtt_log us of min RTT an skb
 *	may carry up to @gso_max_bytes more, halved per doubling of it
 * @gso_max_bytes: the most an skb may carry
 * @mss: the segment size
 * @min_segs: the fewest segments (net.xtcp.min_tso_segs)
 *
 * As tcp_tso_autosize(): at a low rate an skb carries about a
 * millisecond of data, not 64 KiB, so that the bursts a qdisc and the
 * path see stay short; on a short path (datacenter, veth) the bonus
 * keeps skbs large.
 *
 * Context: pure arithmetic, any context.
 * Return: the segments, at least @min_segs and 1.
 */
u32 xtcp_tso_autosize(u64 pacing_rate, u32 pacing_shift, u32 min_rtt_us,
		      u32 rtt_log, u32 gso_max_bytes, u32 mss, u32 min_segs)
{
	u64 bytes = pacing_shift < 64 ? pacing_rate >> pacing_shift : 0;
	u32 r = rtt_log < 32 ? min_rtt_us >> rtt_log : 0;
	u32 segs;

	if (r < 32)
		bytes += gso_max_bytes >> r;
	if (bytes > gso_max_bytes)
		bytes = gso_max_bytes;
	segs = mss ? (u32)bytes / mss : 1;
	if (segs < min_segs)
		segs = min_segs;
	return segs ? segs : 1;
}

/**
 * xtcp_rate_allow() - spend one event of a per-second budget
 * @rl: the budget
 * @now: the current second
 * @limit: events per second; INT_MAX for no limit
 * @rnd: a random number, drawn by the caller
 *
 * Each new second's budget is drawn from [limit/2, limit*3/2), not set
 * to @limit, so that an off-path observer cannot count how many were
 * spent by others (RFC 5961 section 10; Linux's tcp_send_challenge_ack(),
 * CVE-2016-5696).
 *
 * Context: any context, no lock: racy by design where @rl is shared (the
 * per-netns challenge-ACK and RST budgets); concurrent users may
 * overspend by a few.
 * Return: true if the event may happen.
 */
bool xtcp_rate_allow(struct xtcp_rate *rl, u32 now, u32 limit, u32 rnd)
{
	u32 half;

	if (limit >= 0x7fffffffU)
		return true;
	if (now != rl->stamp) {
		half = (limit + 1) / 2;
		rl->stamp = now;
		rl->left = limit ? half + rnd % limit : 0;
	}
	if (!rl->left)
		return false;
	rl->left--;
	return true;
}
