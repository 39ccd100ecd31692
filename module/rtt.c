// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp timing and window arithmetic: the RFC 6298 round-trip estimator,
 * the receive window to advertise, and per-second budgets.
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
	u32 step = full / 2 < mss ? full / 2 : mss;
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
