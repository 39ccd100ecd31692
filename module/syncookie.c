// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookie arithmetic (Linux's secure_tcp_syn_cookie() scheme): with
 * its SYN queue full, a listener answers a SYN statelessly, its ISN
 * carrying the peer's MSS and a keyed, minute-stamped check; the ACK that
 * comes back with that ISN + 1 alone can then create the connection.
 *
 *   cookie = H1 + SEQ + (count << 24) + ((H2(count) + index) & 0xffffff)
 *
 * H1 and H2 are keyed hashes of the 4-tuple (H2 also of the minute
 * count), SEQ the peer's ISN, count the current minute, index the MSS's
 * place in xtcp_cookie_mss[].  The hashes are the caller's (siphash in
 * the module): this file stays pure, for the user-space unit test.
 */
#include "pure.h"

/* The MSS values a cookie can carry: 2 bits (Linux's msstab). */
const u16 xtcp_cookie_mss[XTCP_COOKIE_MSS_N] = { 536, 1300, 1440, 1460 };

/**
 * xtcp_cookie_mss_index() - the place of the largest table MSS <= @mss
 * @mss: the MSS the peer offered (536 if it offered none)
 *
 * Context: pure arithmetic, any context (the module calls it from a
 * listener's softirq path, xtcp_conn_request()).
 * Return: an index into xtcp_cookie_mss[]; 0 when @mss is below every
 * entry.
 */
u32 xtcp_cookie_mss_index(u16 mss)
{
	u32 i;

	for (i = XTCP_COOKIE_MSS_N - 1; i; i--)
		if (mss >= xtcp_cookie_mss[i])
			break;
	return i;
}

/**
 * xtcp_cookie_make() - the ISN of a SYN-ACK that keeps no state
 * @h1: the first hash of the 4-tuple
 * @h2: the second hash, of the 4-tuple and @count
 * @sseq: the peer's ISN (the SYN's sequence number)
 * @count: the current minute
 * @index: what the cookie carries, below 2^24 (the MSS index)
 *
 * Context: pure arithmetic, any context (the module calls it from a
 * listener's softirq path, xtcp_conn_request()).
 * Return: the cookie, to be sent as our ISN.
 */
u32 xtcp_cookie_make(u32 h1, u32 h2, u32 sseq, u32 count, u32 index)
{
	return h1 + sseq + (count << XTCP_COOKIE_BITS) +
	       ((h2 + index) & XTCP_COOKIE_MASK);
}

/**
 * xtcp_cookie_check() - what a returning cookie carries, if it is valid
 * @cookie: the ACK's acknowledgment number - 1
 * @h1: the first hash of the 4-tuple
 * @h2: the second hash for the current minute [0] and the one before [1]
 * @sseq: the ACK's sequence number - 1 (the peer's ISN)
 * @count: the current minute
 *
 * A cookie is good for the minute it was made in and the next one.
 *
 * Context: pure arithmetic, any context (the module calls it from a
 * listener's softirq path, xtcp_cookie_v4_check()).
 * Return: the MSS index it carries, or -1 if it is not ours, too old or
 * from the future.
 */
int xtcp_cookie_check(u32 cookie, u32 h1, const u32 h2[2], u32 sseq,
		      u32 count)
{
	u32 diff, index;

	cookie -= h1 + sseq;
	diff = (count - (cookie >> XTCP_COOKIE_BITS)) &
	       (0xffffffffU >> XTCP_COOKIE_BITS);
	if (diff >= XTCP_COOKIE_MAX_AGE)
		return -1;
	index = (cookie - h2[diff]) & XTCP_COOKIE_MASK;
	return index < XTCP_COOKIE_MSS_N ? (int)index : -1;
}

/**
 * xtcp_cookie_tsval() - a cookie's SYN-ACK TSval, with the options in it
 * @now: the timestamps' clock, without the connection's offset
 * @o: the options the SYN offered and the listener grants
 *
 * As cookie_init_timestamp(): @now with its low XTCP_COOKIE_TS_BITS
 * bits replaced by the options, and a step back if that went ahead of
 * @now, so that the connection's later TSvals never go back.
 *
 * Context: pure arithmetic, any context (xtcp_conn_request()).
 * Return: the TSval, without the offset.
 */
u32 xtcp_cookie_tsval(u32 now, const struct xtcp_cookie_opts *o)
{
	u32 opts = o->snd_wscale >= 0 ? (u32)o->snd_wscale :
				       XTCP_COOKIE_TS_WSCALE;
	u32 ts;

	if (o->sack)
		opts |= XTCP_COOKIE_TS_SACK;
	if (o->ecn)
		opts |= XTCP_COOKIE_TS_ECN;
	ts = (now & ~((1U << XTCP_COOKIE_TS_BITS) - 1)) | opts;
	if ((s32)(ts - now) > 0)
		ts -= 1U << XTCP_COOKIE_TS_BITS;
	return ts;
}

/**
 * xtcp_cookie_ts_decode() - the options a cookie's ACK echoes
 * @tsecr: the ACK's TSecr, less the connection's offset
 * @o: filled with them
 *
 * As cookie_timestamp_decode().  Only the cookie itself (its ISN) is
 * checked: a forged TSecr can ask for no more than the SYN could have.
 *
 * Context: pure arithmetic, any context (xtcp_cookie_ack()).
 */
void xtcp_cookie_ts_decode(u32 tsecr, struct xtcp_cookie_opts *o)
{
	u32 ws = tsecr & XTCP_COOKIE_TS_WSCALE;

	if (ws == XTCP_COOKIE_TS_WSCALE)
		o->snd_wscale = XTCP_NO_WSCALE;
	else
		o->snd_wscale = ws > XTCP_MAX_WSCALE ? XTCP_MAX_WSCALE : (int)ws;
	o->sack = tsecr & XTCP_COOKIE_TS_SACK;
	o->ecn = tsecr & XTCP_COOKIE_TS_ECN;
}
