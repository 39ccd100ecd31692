// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery-rate sampling, as Linux's tcp_rate.c does it (and
 * draft-cheng-iccrg-delivery-rate-estimation describes it): each sent
 * segment remembers how much the connection had delivered, and since
 * when, as it left (xtcp_delivery_sent()); the ACK or SACK that
 * delivers it closes an interval over which so many segments were
 * delivered (xtcp_delivery_skb_delivered(), xtcp_delivery_gen()).  The
 * interval is the longer of the send phase (between the sends of the
 * first and the last segment of the sample) and the ACK phase (between
 * their deliveries), so that neither a burst sent nor a burst ACKed
 * passes for a faster path.  A sample taken while the application left
 * cwnd unused is marked app-limited
 * (xtcp_delivery_check_app_limited()): it says how fast the sender
 * sent, not how fast the path could go.
 *
 * Pure logic: compiled into the module and into the user-space unit
 * test; the module (output.c, input.c, socket.c) calls it with the
 * numbers of its segments and queues.  The caller serializes (in the
 * module: socket locked).
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/math64.h>
#endif

#include "pure.h"

/**
 * xtcp_delivery_sent() - a segment leaves: what it will measure from
 * @d: the connection's delivery state
 * @snap: the segment's snapshot, (re)written
 * @tx_us: when it leaves
 * @nothing_out: no other segment is outstanding
 *
 * With nothing outstanding the clock of the sample starts now, so that
 * an idle period is not taken for slow delivery.  A resent segment is
 * snapshot again: its delivery measures from the resend.
 */
void xtcp_delivery_sent(struct xtcp_delivery *d, struct xtcp_tx_snap *snap,
			u32 tx_us, bool nothing_out)
{
	if (nothing_out) {
		d->first_tx_us = tx_us;
		d->delivered_us = tx_us;
	}
	snap->delivered = d->delivered;
	snap->delivered_us = d->delivered_us;
	snap->first_tx_us = d->first_tx_us;
	snap->app_limited = !!d->app_limited;
	snap->valid = 1;
}

/**
 * xtcp_delivery_skb_delivered() - an ACK or SACK delivers an skb's segments
 * @d: the connection's delivery state
 * @snap: the skb's snapshot
 * @tx_us: when it was last sent
 * @end_seq: where it ends
 * @pcount: how many of its segments are delivered: all of them, or
 *	those a partial ACK took off its head (the snapshot stays for
 *	the rest, as tcp_rate_skb_delivered() keeps it)
 * @retrans: it had been resent
 * @sacked: delivered by a SACK: it stays queued, and its later ACK
 *	must not count it again
 * @rs: the ACK's sample being built
 *
 * The sample is measured from the most recently sent of the segments
 * the ACK delivers (at the same send time, the higher sequence), whose
 * send time starts the next sample's send phase.  A segment SACKed
 * before counted then: its snapshot is spent, and its ACK counts
 * nothing.
 */
void xtcp_delivery_skb_delivered(struct xtcp_delivery *d,
				 struct xtcp_tx_snap *snap, u32 tx_us,
				 u32 end_seq, u32 pcount, bool retrans,
				 bool sacked, struct xtcp_rate_sample *rs)
{
	if (!snap->valid)
		return;
	rs->acked_sacked += pcount;
	if (!rs->have || xtcp_rack_sent_after(tx_us, rs->last_tx_us, end_seq,
					      rs->last_end_seq)) {
		rs->have = 1;
		rs->prior_delivered = snap->delivered;
		rs->prior_us = snap->delivered_us;
		rs->app_limited = snap->app_limited;
		rs->is_retrans = retrans;
		rs->last_end_seq = end_seq;
		rs->last_tx_us = tx_us;
		rs->interval_us = tx_us - snap->first_tx_us;
		d->first_tx_us = tx_us;
	}
	if (sacked)
		snap->valid = 0;
}

/**
 * xtcp_delivery_gen() - the ACK is processed: count and close the sample
 * @d: the connection's delivery state
 * @rs: the sample xtcp_delivery_skb_delivered() built, with the
 *	segments it counted (rs->acked_sacked) and rs->ece set by the caller
 *	if the ACK echoed a congestion mark
 * @now_us: the clock now
 * @min_rtt_us: the path's lowest RTT, ~0U: none
 *
 * The sample is valid (rs->valid) when some delivered segment had a
 * snapshot and the interval is at least the minimum RTT: a shorter one
 * would come from ACKs compressed or stretched on the way back and
 * overstate the rate.  The connection keeps the last sample for
 * TCP_INFO, unless an app-limited one is slower than it: that would
 * only say the application was slow.
 */
void xtcp_delivery_gen(struct xtcp_delivery *d, struct xtcp_rate_sample *rs,
		       u32 now_us, u32 min_rtt_us)
{
	u32 newly = rs->acked_sacked, ack_us;

	d->delivered += newly;
	if (rs->ece)
		d->delivered_ce += newly;
	/* The bubble the application left is delivered: no longer limited. */
	if (d->app_limited && xtcp_after(d->delivered, d->app_limited))
		d->app_limited = 0;
	if (newly)
		d->delivered_us = now_us;
	rs->valid = 0;
	if (!rs->have)
		return;
	rs->delivered = d->delivered - rs->prior_delivered;
	ack_us = now_us - rs->prior_us;
	if (ack_us > rs->interval_us)
		rs->interval_us = ack_us;
	if (!rs->interval_us || rs->interval_us < min_rtt_us)
		return;
	rs->valid = 1;
	if (!rs->app_limited ||
	    (u64)rs->delivered * d->rate_interval_us >=
	    (u64)d->rate_delivered * rs->interval_us) {
		d->rate_delivered = rs->delivered;
		d->rate_interval_us = rs->interval_us;
		d->rate_app_limited = rs->app_limited;
	}
}

/**
 * xtcp_delivery_check_app_limited() - is the application the limit?
 * @d: the connection's delivery state
 * @unsent: bytes written but not yet sent
 * @mss: the sender's MSS
 * @host_queue_empty: nothing of ours waits in qdiscs or the device
 * @in_flight: segments in flight
 * @cwnd: the congestion window
 * @lost: segments marked lost
 * @retrans: of the lost ones, those resent and still out
 *
 * Less than a segment to send, nothing queued below us, room in cwnd
 * and no loss left to repair: what is delivered from here until what is
 * in flight now is delivered measures the application, and those
 * samples are marked app-limited (tcp_rate_check_app_limited()).
 */
void xtcp_delivery_check_app_limited(struct xtcp_delivery *d, u32 unsent,
				     u32 mss, bool host_queue_empty,
				     u32 in_flight, u32 cwnd, u32 lost,
				     u32 retrans)
{
	u32 mark;

	if (unsent >= mss || !host_queue_empty || in_flight >= cwnd ||
	    lost > retrans)
		return;
	mark = d->delivered + in_flight;
	d->app_limited = mark ? mark : 1;
}

/**
 * xtcp_delivery_rate_bps() - the last sample as a rate, for TCP_INFO
 * @d: the connection's delivery state
 * @mss: the sender's MSS, the size each delivered segment counts for
 *
 * Return: bytes per second (tcpi_delivery_rate), 0 without a sample.
 */
u64 xtcp_delivery_rate_bps(const struct xtcp_delivery *d, u32 mss)
{
	if (!d->rate_interval_us)
		return 0;
	return div64_u64((u64)d->rate_delivered * mss * 1000000ULL,
			 d->rate_interval_us);
}
