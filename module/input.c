// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp input: from the socket lookup to the socket.  What the families'
 * receive entries (xtcp_v4_rcv(), xtcp_v6_rcv(): checksum and socket
 * lookup, with xtcp_rcv_pull()'s header checks) hand on: the control
 * block, the socket filter, the segments of request socks and
 * listeners, the backlog, and the segment arrival rules of RFC 9293
 * section 3.10.7 for every state but LISTEN's request handling, which
 * lives in minisocks.c.
 */
#include <linux/module.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/inet_ecn.h>
#include <net/inet_hashtables.h>
#include <linux/filter.h>

#include "xtcp.h"
#include "trace.h"

/* The window the peer may still fill, measured from RCV.NXT. */
static u32 xtcp_receive_window(const struct xtcp_sock *xs)
{
	s32 win = (s32)(xs->rcv_wup + xs->rcv_wnd - xs->rcv_nxt);

	return win > 0 ? win : 0;
}

/* SND.UNA moves to @ack: TCP_INFO counts what it passed over. */
static void xtcp_snd_una_update(struct xtcp_sock *xs, u32 ack)
{
	xs->bytes_acked += ack - xs->snd_una;
	WRITE_ONCE(xs->snd_una, ack);
}

/* RCV.NXT moves to @seq: TCP_INFO counts what it passed over. */
static void xtcp_rcv_nxt_update(struct xtcp_sock *xs, u32 seq)
{
	xs->bytes_received += seq - xs->rcv_nxt;
	WRITE_ONCE(xs->rcv_nxt, seq);
}

/*
 * A valid RST, or a RST in SYN-SENT that acknowledges our SYN: tell the
 * application and close.  The socket may be destroyed on return if it
 * was an orphan.
 */
static void xtcp_reset(struct sock *sk)
{
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_INRSTS);
	switch (sk->sk_state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:	/* only an active open reaches it as a full sock */
		WRITE_ONCE(sk->sk_err, ECONNREFUSED);
		break;
	case TCP_CLOSE_WAIT:
		WRITE_ONCE(sk->sk_err, EPIPE);
		break;
	case TCP_CLOSE:
		return;
	default:
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	/* sk_err before the state change that wakes the waiters. */
	smp_wmb();
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	xtcp_done(sk);
}

/**
 * xtcp_update_rto() - set the RTO from the RTT estimate
 * @sk: the socket
 *
 * RFC 6298: icsk_rto from the estimate (xtcp_rtt_rto_us(), between
 * XTCP_RTO_MIN and XTCP_RTO_MAX), in jiffies, before any backoff; at
 * least one jiffy.
 *
 * Context: socket locked.
 */
static void xtcp_update_rto(struct sock *sk)
{
	u32 rto_us = xtcp_rtt_rto_us(&xtcp_sk(sk)->rtt,
				     jiffies_to_usecs(XTCP_RTO_MIN),
				     jiffies_to_usecs(XTCP_RTO_MAX));

	inet_csk(sk)->icsk_rto = max_t(u32, usecs_to_jiffies(rto_us), 1);
}

/**
 * xtcp_sndbuf_expand() - let the send buffer follow the congestion window
 * @sk: the socket
 *
 * As tcp_sndbuf_expand(), byte for byte: room for two windows (CUBIC's
 * 1.7 rounded up, for the segments a recovery holds besides the new
 * window) of the worst case skb, a full segment in a power-of-two head,
 * within net.xtcp.wmem[2].  The window counted is at least the
 * initial one and the reordering estimate's.  Only ever grows; not when
 * the application fixed SO_SNDBUF, nor under memory pressure or above
 * the soft limit (tcp_should_expand_sndbuf()).
 *
 * Context: socket locked (sk_sndbuf is written with WRITE_ONCE()).
 */
static void xtcp_sndbuf_expand(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 per_mss, segs;
	int sndmem;

	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		return;
	if (sk_under_memory_pressure(sk) ||
	    sk_memory_allocated(sk) >= sk_prot_mem_limits(sk, 0))
		return;
	per_mss = max3(xs->mss_cache, (u32)xs->rx_mss, XTCP_MSS_DEFAULT) +
		  XTCP_SNDBUF_HEADER +
		  SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	per_mss = roundup_pow_of_two(per_mss) +
		  SKB_DATA_ALIGN(sizeof(struct sk_buff));
	segs = max3(xs->cc.cwnd, XTCP_INIT_CWND, xs->cc.reordering + 1);
	sndmem = (int)min_t(u64, 2ULL * segs * per_mss,
			    xtcp_wmem(sk, 2));
	if (sndmem > READ_ONCE(sk->sk_sndbuf))
		WRITE_ONCE(sk->sk_sndbuf, sndmem);
}

/**
 * xtcp_init_transfer() - synchronized: start the data transfer state
 * @sk: the socket, its handshake just completed
 *
 * The connection is synchronized.  The congestion control chosen
 * (TCP_CONGESTION) starts, with the netns' reordering estimate; the RTO
 * comes from the handshake's RTT; quick ACKs, the peer's segment size
 * guess, receive buffer auto-tuning and the send buffer are set up.
 *
 * Context: socket locked (xtcp_rcv_synsent(), xtcp_rcv_ack()), or a new
 * child in xtcp_v4_syn_recv_sock() (softirq, locked by sk_clone_lock()).
 */
void xtcp_init_transfer(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->ca_ops = xs->ca_choice;
	xtcp_cc_init(&xs->cc, xs->ca_ops, xs->iss, xs->sack_ok);
	xs->retransmit_hint = xs->snd_una;
	xs->cc.reordering =
		READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_reordering);
	xtcp_update_rto(sk);
	xs->quickack = XTCP_QUICKACKS;
	inet_csk_exit_pingpong_mode(sk);
	xs->rcv_mss = min_t(u16, xs->advmss, XTCP_MSS_DEFAULT);
	/* The first window offered, within the buffer (tcp_init_buffer_space()). */
	xs->rcv_ssthresh = min(xs->rcv_ssthresh ? : U32_MAX, xtcp_full_space(sk));
	xs->rcvq_space.space = min_t(u32, xtcp_full_space(sk),
				     XTCP_INIT_CWND * xs->advmss);
	xs->rcvq_space.seq = xs->copied_seq;
	xs->rcvq_space.time_us = xtcp_clock_us();
	/* TCP_INFO's last_data_sent counts from here until data goes. */
	xs->lsndtime = (u32)jiffies;
	xtcp_sndbuf_expand(sk);
	xtcp_update_pacing_rate(sk);
}

/*
 * A segment arrived @bytes below the highest one the peer had SACKed:
 * the path reorders, by that much at least.  @mib says how it was seen:
 * a segment never resent ACKed below a SACKed one (SackReorder), or an
 * echoed timestamp older than the resend (TsReorder), as
 * tcp_check_sack_reordering().
 */
static void xtcp_reordered(struct sock *sk, u32 bytes, int mib)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 mss = max_t(u32, xs->mss_cache, 1);

	xtcp_cc_reordered(&xs->cc, DIV_ROUND_UP(bytes, mss),
			  READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_max_reordering));
	xs->reord_seen++;
	XTCP_INC_STATS(sock_net(sk), mib);
}

/*
 * F-RTO: @cb's segment, (S)ACKed now, was sent before the timeout and
 * never resent (RFC 5682 step 3b), neither SACKed before.
 */
static bool xtcp_frto_orig(const struct xtcp_sock *xs,
			   const struct xtcp_skb_cb *cb)
{
	return xs->frto && xs->cc.state == XTCP_CA_LOSS &&
	       !(cb->sacked & (XTCP_SKB_SACKED | XTCP_SKB_RETRANS)) &&
	       !xtcp_after(cb->end_seq, xs->cc.recover);
}

/*
 * RACK (RFC 8985 section 6.2 step 2, tcp_rack_advance()): @cb's segment
 * was delivered, ACKed or SACKed, @now.  Its RTT becomes RACK's, and if
 * it went later than the one recorded, it is the one now.  A resent
 * segment whose RTT would be below the minimum was the original's ACK
 * (or SACK): it tells nothing.
 */
static void xtcp_rack_advance(struct xtcp_sock *xs,
			      const struct xtcp_skb_cb *cb, u32 now)
{
	u32 rtt = now - cb->tx_us;

	if ((cb->sacked & XTCP_SKB_RETRANS) && rtt < xs->min_rtt_us)
		return;
	xs->rack.advanced = 1;
	xs->rack.rtt_us = rtt;
	if (!xs->rack.valid ||
	    xtcp_rack_sent_after(cb->tx_us, xs->rack.xmit_us, cb->end_seq,
				 xs->rack.end_seq)) {
		xs->rack.xmit_us = cb->tx_us;
		xs->rack.end_seq = cb->end_seq;
		xs->rack.valid = 1;
	}
}

/*
 * @ack covers the head of @skb, not all of it: the acknowledged data
 * comes off its head (xtcp_trim_head()).  Returns how many of its
 * segments went, 0 if none could (tcp_tso_acked()).
 */
static u32 xtcp_tso_acked(struct sock *sk, struct sk_buff *skb, u32 ack)
{
	u32 packets_acked = xtcp_skb_pcount(skb);

	if (xtcp_trim_head(sk, skb, ack - XTCP_SKB_CB(skb)->seq))
		return 0;
	return packets_acked - xtcp_skb_pcount(skb);
}

/*
 * Free what @ack acknowledges from the retransmission queue: whole
 * skbs, and the head of the first one if @ack ends inside it, as
 * tcp_clean_rtx_queue().  Returns the number of segments acknowledged;
 * *@rtt_us is the RTT of the oldest of them if none of them was ever
 * resent (Karn's rule), else 0.
 *
 * A segment never resent nor SACKed that this ACK covers, below
 * @prior_fack (the highest SACKed before the ACK's own blocks were
 * marked), came late: the path reorders.  Below the ACK's own new
 * blocks only, it is just a segment the receiver had not ACKed yet
 * when a loss above it made it send this ACK at once, as
 * tcp_clean_rtx_queue() compares with prior_fack.
 */
static u32 xtcp_clean_rtx_queue(struct sock *sk, u32 ack, u32 prior_fack,
				u32 *rtt_us, struct xtcp_rate_sample *rs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xs->clock_us, freed = 0;
	u32 reord = prior_fack;
	bool karn = false;
	struct sk_buff *skb;

	*rtt_us = 0;
	while ((skb = xtcp_rtx_queue_head(sk))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		bool fully_acked = true;
		u32 acked_pcount;

		if (xtcp_after(cb->end_seq, ack)) {
			/* Only whole segments can be acknowledged. */
			if (xtcp_skb_pcount(skb) == 1 ||
			    !xtcp_after(ack, cb->seq))
				break;
			acked_pcount = xtcp_tso_acked(sk, skb, ack);
			if (!acked_pcount)
				break;
			fully_acked = false;
		} else {
			acked_pcount = xtcp_skb_pcount(skb);
		}
		/* Neither SACKed nor resent, yet below a SACKed one: late. */
		if (!(cb->sacked & (XTCP_SKB_SACKED | XTCP_SKB_RETRANS)) &&
		    xtcp_before(cb->seq, reord))
			reord = cb->seq;
		if (cb->sacked & XTCP_SKB_RETRANS)
			karn = true;
		else if (!freed)
			*rtt_us = now - cb->tx_us;
		if (xs->sack_ok && !(cb->sacked & XTCP_SKB_SACKED))
			xtcp_rack_advance(xs, cb, now);
		if (xtcp_frto_orig(xs, cb))
			xs->frto_orig = 1;
		xtcp_delivery_skb_delivered(&xs->dlv, &cb->header.tx, cb->tx_us,
					    cb->end_seq, acked_pcount,
					    cb->sacked & XTCP_SKB_RETRANS,
					    false, rs);
		if (cb->sacked & XTCP_SKB_LOST)
			xs->lost_out -= acked_pcount;
		if (cb->sacked & XTCP_SKB_SACKED)
			xs->sacked_out -= acked_pcount;
		xs->packets_out -= acked_pcount;
		freed += acked_pcount;
		if (!fully_acked)
			break;
		xtcp_rtx_queue_unlink_and_free(skb, sk);
	}
	/* Everything sent is acknowledged: busy only while data waits. */
	if (!skb)
		xtcp_chrono_stop(sk, XTCP_CHRONO_BUSY);
	if (karn) {
		*rtt_us = 0;
		/*
		 * Without SACK, an ACK that also covers a resend cannot
		 * tell which copy arrived (tcp_clean_rtx_queue()).
		 */
		if (!xs->sack_ok)
			xs->frto_orig = 0;
	}
	/* How deep: up to the highest SACKed now (tcp_check_sack_reordering()). */
	if (reord != prior_fack)
		xtcp_reordered(sk, xs->fack - reord, XTCP_MIB_SACKREORDER);
	return freed;
}

/*
 * The ACK is processed as far as the scoreboard and the queue go: count
 * what it delivered and close its delivery-rate sample (delivery.c).
 */
static void xtcp_rate_gen(struct sock *sk, struct xtcp_rate_sample *rs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_delivery_gen(&xs->dlv, rs, xs->clock_us, xs->min_rtt_us);
}

/*
 * @skb, unmarked lost, goes back on the list in sending order, where
 * RACK may find it lost again: before the first sent after it.
 */
static void xtcp_tsorted_reinsert(struct xtcp_sock *xs, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct list_head *pos;

	list_del_init(&skb->tcp_tsorted_anchor);
	list_for_each(pos, &xs->tsorted_sent_queue) {
		const struct xtcp_skb_cb *pcb =
			XTCP_SKB_CB(list_entry(pos, struct sk_buff,
					       tcp_tsorted_anchor));

		if (xtcp_rack_sent_after(pcb->tx_us, cb->tx_us, pcb->end_seq,
					 cb->end_seq))
			break;
	}
	list_add_tail(&skb->tcp_tsorted_anchor, pos);
}

/*
 * Every segment still marked lost was only late: an undo.  Those RACK
 * took off the list in sending order go back on it (a rare event, so
 * each is placed by a walk of the list).
 */
static void xtcp_unmark_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	xtcp_rtx_queue_walk(skb, sk) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		/* Not lost after all, resent or not (TCP's lost_out = 0). */
		cb->sacked &= ~XTCP_SKB_LOST_RESENT;
		if (!(cb->sacked & XTCP_SKB_LOST))
			continue;
		cb->sacked &= ~XTCP_SKB_LOST;
		if (!(cb->sacked & XTCP_SKB_SACKED))
			xtcp_tsorted_reinsert(xs, skb);
	}
	xs->lost_out = 0;
	xs->lost_hint = xs->snd_una;
}

/* A resent segment is still in flight (Linux's retrans_out != 0). */
static bool xtcp_retrans_in_flight(const struct xtcp_sock *xs)
{
	struct sk_buff *skb;

	skb_rbtree_walk(skb, &xs->rtx_queue) {
		u8 sacked = XTCP_SKB_CB(skb)->sacked;

		if ((sacked & (XTCP_SKB_RETRANS | XTCP_SKB_SACKED |
			       XTCP_SKB_LOST)) == XTCP_SKB_RETRANS)
			return true;
	}
	return false;
}

/*
 * Resent data is still outstanding: in flight, or at SND.UNA resent
 * once (tcp_any_retrans_done()).  A walk, done only while a resend's
 * stamp is kept and no loss is being repaired.
 */
static bool xtcp_resend_outstanding(struct sock *sk)
{
	struct sk_buff *head = xtcp_rtx_queue_head(sk);

	if (head && (XTCP_SKB_CB(head)->sacked & XTCP_SKB_RETRANS))
		return true;
	return xtcp_retrans_in_flight(xtcp_sk(sk));
}

/*
 * Eifel detection (RFC 3522), for an ACK that moved SND.UNA from
 * @prior_una and echoes a TSval older than the first resend of the
 * reduction: an original arrived, and the reduction is taken back as
 * Linux's tcp_try_undo_loss(), tcp_try_undo_recovery() or
 * tcp_try_undo_partial() would (xtcp_cc_undo_delayed()).  After a
 * timeout or on a partial ACK the segments marked lost were only late
 * too; F-RTO has nothing left to decide.
 *
 * On a partial ACK in recovery the late original filled a hole below
 * SACKed data: the path reorders that deep, and DupThresh grows to it
 * (TsReorder).  While resends are still in flight nothing is undone
 * yet, and the caller marks nothing more lost on this ACK: more of the
 * holes are likely late too (tcp_try_undo_partial() returning true).
 * Returns true then; *@undone is set if the reduction was taken back.
 */
static bool xtcp_undo_delayed(struct sock *sk, u32 prior_una, bool *undone)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool partial, retrans_out = false;
	int mib;

	partial = xs->cc.state == XTCP_CA_RECOVERY &&
		  xtcp_before(xs->snd_una, xs->cc.recover);
	if (partial) {
		/* As tcp_highest_sack_seq(): SND.UNA once nothing is SACKed. */
		u32 fack = xs->sacked_out ? xs->fack : xs->snd_una;

		if (xtcp_after(fack, prior_una))
			xtcp_reordered(sk, fack - prior_una,
				       XTCP_MIB_TSREORDER);
		/* The walk only where its answer counts. */
		retrans_out = xtcp_retrans_in_flight(xs);
	}
	switch (xtcp_cc_undo_delayed(&xs->cc, xs->ca_ops, xs->snd_una,
				     retrans_out)) {
	case XTCP_UNDO_FULL:
		mib = XTCP_MIB_FULLUNDO;
		break;
	case XTCP_UNDO_PARTIAL:
		xtcp_unmark_lost(sk);
		mib = XTCP_MIB_PARTIALUNDO;
		break;
	case XTCP_UNDO_LOSS:
		xs->frto = 0;
		xtcp_unmark_lost(sk);
		mib = XTCP_MIB_LOSSUNDO;
		break;
	default:
		return partial && retrans_out;
	}
	XTCP_INC_STATS(sock_net(sk), mib);
	*undone = true;
	return false;
}

/*
 * What the algorithm hears of an ACK (struct xtcp_ack_sample), from the
 * rate sample xtcp_rate_gen() closed for it.
 */
static void xtcp_ack_sample_fill(const struct sock *sk,
				 struct xtcp_ack_sample *s,
				 const struct xtcp_rate_sample *rs, u32 ack,
				 u32 acked)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	*s = (struct xtcp_ack_sample) {
		/* jiffies in ms, which wrap as a u32 does */
		.now_ms		= jiffies_to_msecs(jiffies),
		.min_rtt_us	= xs->min_rtt_us,
		.rtt_us		= rs->rtt_us,
		.ack		= ack,
		.snd_nxt	= xs->snd_nxt,
		.acked_sacked	= rs->acked_sacked,
		.acked		= acked,
		.total_delivered = xs->dlv.delivered,
		.prior_delivered = rs->prior_delivered,
		.delivered	= rs->valid ? rs->delivered : 0,
		.interval_us	= rs->valid ? rs->interval_us : 0,
		.app_limited	= rs->app_limited,
		.is_retrans	= rs->is_retrans,
		.losses		= rs->losses,
		.mss		= xs->mss_cache,
		.srtt_us	= xs->rtt.srtt_us,
		.in_flight	= xtcp_in_flight(xs),
	};
}

/*
 * Wake a writer if one ran out of room (sendmsg()'s wait, poll() finding
 * the socket unwritable: SOCK_NOSPACE) and there may be room now, as
 * tcp_check_space(): not a walk of the wait queue on every ACK, whose
 * sleepers mostly wait to read.
 */
static void xtcp_check_space(struct sock *sk)
{
	/* Pairs with the barrier in xtcp_poll(). */
	smp_mb();
	if (sk->sk_socket && test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
		sk->sk_write_space(sk);
}

/*
 * The age of this segment's echoed timestamp in microseconds, or 0 when
 * it has none or the echo is from the future or too old to scale, as
 * tcp_ack_update_rtt() and tcp_rcv_rtt_measure_ts() compute it: our
 * clock less the TSecr, in the timestamps' milliseconds, at least one.
 */
static u32 xtcp_tsecr_age_us(const struct xtcp_sock *xs)
{
	u32 delta;

	if (!xs->saw_tstamp || !xs->rcv_tsecr)
		return 0;
	delta = xtcp_tsval(xs) - xs->rcv_tsecr;
	if (delta >= INT_MAX / USEC_PER_MSEC)
		return 0;
	return max(delta, 1U) * USEC_PER_MSEC;
}

/*
 * An ACK of new data: free what it covers, take an RTT sample, close
 * the delivery-rate sample @rs (SACKed segments already counted in it),
 * let the congestion control grow the window or repair a loss (NewReno
 * partial ACK), and restart the retransmission timer (RFC 6298 5.3) or
 * the tail loss probe's (xtcp_set_xmit_timer()).  Returns true when
 * Eifel found a late original in recovery while resends are in flight
 * (xtcp_undo_delayed()): nothing more is to be marked lost for this ACK.
 * *@undone is set when Eifel took the reduction back.  @prior_fack: the
 * highest SACKed before this ACK (xtcp_clean_rtx_queue()).
 */
static bool xtcp_new_ack(struct sock *sk, u32 ack, u32 prior_fack,
			 struct xtcp_rate_sample *rs, bool *undone)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 flight = xtcp_in_flight(xs), prior_una = xs->snd_una;
	bool hold = false, limited = xtcp_cwnd_limited(xs, flight);
	struct xtcp_ack_sample s;
	u32 acked, rtt_us;

	/* Urgent data acknowledged: urgent mode ends. */
	if (!xtcp_after(xs->snd_up, ack))
		xs->snd_up = ack;
	xtcp_snd_una_update(xs, ack);
	icsk->icsk_retransmits = 0;
	acked = xtcp_clean_rtx_queue(sk, ack, prior_fack, &rtt_us, rs);
	/*
	 * No sample from the sequence numbers (Karn: a resent segment was
	 * ACKed): the echoed timestamp gives one (RFC 7323 section 4.1),
	 * as tcp_ack_update_rtt() takes it, in whole milliseconds.
	 */
	if (!rtt_us && acked)
		rtt_us = xtcp_tsecr_age_us(xs);
	if (rtt_us) {
		xtcp_rtt_measured(xs, rtt_us);
		icsk->icsk_backoff = 0;
		xtcp_update_rto(sk);
	} else if (icsk->icsk_backoff && !xs->packets_out) {
		/* Everything acknowledged: the backoff has done its job. */
		icsk->icsk_backoff = 0;
		xtcp_update_rto(sk);
	}
	/*
	 * An original answered after its resend went: Eifel's undo.  The
	 * echo must predate every resend still outstanding, not only this
	 * reduction's first (tcp_packet_delayed() reads retrans_stamp): a
	 * hole filled by an earlier recovery's resend is no late original.
	 */
	if (xs->ca_ops && xs->saw_tstamp &&
	    xtcp_cc_packet_delayed(&xs->cc, xs->rcv_tsecr) &&
	    xs->retrans_tsval && xtcp_before(xs->rcv_tsecr, xs->retrans_tsval))
		hold = xtcp_undo_delayed(sk, prior_una, undone);
	/*
	 * No resend outstanding any more once the recovery is over and
	 * none is in flight or at SND.UNA (tcp_any_retrans_done()).
	 */
	if (xs->retrans_tsval && xs->cc.state == XTCP_CA_OPEN &&
	    !xtcp_resend_outstanding(sk))
		xs->retrans_tsval = 0;
	rs->rtt_us = rtt_us;
	xtcp_rate_gen(sk, rs);
	xtcp_ack_sample_fill(sk, &s, rs, ack, acked);
	if (xs->ca_ops && xs->ca_ops->pkts_acked &&
	    sk->sk_state != TCP_SYN_SENT)
		xs->ca_ops->pkts_acked(&xs->cc, &s);
	if (xs->ca_ops && sk->sk_state != TCP_SYN_SENT &&
	    xtcp_cc_newack(&xs->cc, xs->ca_ops, ack, max(acked, 1U),
			   xtcp_in_flight(xs), limited, &s)) {
		struct sk_buff *head = xtcp_rtx_queue_head(sk);

		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PARTIALACKS);
		if (head && !hold)
			xtcp_retransmit_lost(sk, head, 1);
	}
	if (acked) {
		xtcp_sndbuf_expand(sk);
		sk_mem_reclaim(sk);
		xtcp_check_space(sk);
	}
	xtcp_set_xmit_timer(sk);
	return hold;
}

/*
 * RFC 5681 section 2: a duplicate ACK acknowledges nothing new, carries
 * no data, no SYN or FIN, leaves the window as it was, and arrives while
 * data is outstanding.
 */
static bool xtcp_is_dupack(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return cb->ack_seq == xs->snd_una && xs->packets_out &&
	       cb->end_seq == cb->seq &&
	       !(cb->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)) &&
	       ((u32)cb->window << xs->snd_wscale) == xs->snd_wnd;
}

/*
 * A D-SACK (RFC 2883): a first block below the ACK @ack, or inside the
 * second block, reports data that arrived twice, counted in segments by
 * its length, at least one (tcpi_dsack_dups).  A resend it covers was
 * needless (xtcp_cc_dsack()), unless more segments were reported twice
 * than were ever resent: then the path duplicates, and the block is
 * ignored (tcp_dsack_seen()).  Blocks beyond SND.NXT, empty or wider
 * than the largest window are ignored too.  Before SND.UNA moves.
 * Returns true if the block is the tail loss probe's copy of a segment
 * (one segment ending at tlp_high_seq): the original arrived too.
 */
static bool xtcp_dsack_rcv(struct sock *sk, const struct xtcp_opts *opts,
			   u32 ack)
{
	u32 start = opts->sacks[0].start, end = opts->sacks[0].end;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 mss = max_t(u32, xs->mss_cache, 1);
	struct net *net = sock_net(sk);
	u32 dups, segs = 0, lo, hi;
	struct sk_buff *skb;
	bool tlp;

	if (!xtcp_before(start, ack) &&
	    !(opts->num_sacks > 1 &&
	      !xtcp_before(start, opts->sacks[1].start) &&
	      !xtcp_after(end, opts->sacks[1].end)))
		return false;
	if (!xtcp_after(end, start) || xtcp_after(end, xs->snd_nxt) ||
	    end - start > max(xs->max_window, mss))
		return false;
	XTCP_INC_STATS(net, XTCP_MIB_DSACKRECV);
	dups = DIV_ROUND_UP(end - start, mss);
	/* One segment ending where the loss probe did: the probe's copy. */
	tlp = xs->tlp_high_seq && dups == 1 && end == xs->tlp_high_seq;
	xs->dsack_dups += dups;
	if (xs->dsack_dups > xs->total_retrans) {
		XTCP_INC_STATS(net, XTCP_MIB_DSACKDUBIOUS);
		return tlp;
	}
	/*
	 * On a path seen to reorder, a resend the peer got twice may be
	 * RACK's mistake: its window widens (xtcp_rack_update_reo_wnd()).
	 * Not for the loss probe's copy, which no window sent.
	 */
	if (xs->reord_seen && !tlp)
		xs->rack.dsack_seen = 1;
	if (!xtcp_after(end, xs->snd_una)) {
		/* Acknowledged and freed: counted by length (as TCP does). */
		segs = dups;
	} else {
		/* Still queued: the resent segments it covers. */
		skb = xtcp_rtx_queue_find(sk, start);
		skb_rbtree_walk_from(skb) {
			const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

			if (!xtcp_before(cb->seq, end))
				break;
			if (!(cb->sacked & XTCP_SKB_RETRANS))
				continue;
			/* Its resent segments within the block. */
			lo = xtcp_after(start, cb->seq) ? start : cb->seq;
			hi = xtcp_before(end, cb->end_seq) ? end : cb->end_seq;
			segs += DIV_ROUND_UP(hi - lo, mss);
		}
	}
	xtcp_cc_dsack(&xs->cc, end, segs);
	return tlp;
}

/*
 * D-SACKs showed every resend since the last reduction needless
 * (xtcp_cc_try_undo()): cwnd and ssthresh are back; the segments still
 * marked lost were only late too.
 */
static void xtcp_undo(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* RACK's wider window was right: it stays so longer. */
	xs->rack.reo_persist = min_t(u8, xs->rack.reo_persist + 1,
				     XTCP_RACK_RECOVERY_THRESH);
	xtcp_unmark_lost(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DSACKUNDO);
}

/*
 * F-RTO (RFC 5682 section 3, SACK-enhanced, as tcp_process_loss()), for
 * an ACK that arrived in the loss state of a timeout that armed it:
 * - it (S)ACKed data sent before the timeout and never resent: the
 *   timeout was spurious (step 3b) and is undone;
 * - new data went out after the first ACK (step 2b), and this one SACKs
 *   more or is a duplicate: the loss was real (step 3a), the rest of the
 *   window is resent as usual;
 * - it is the first to move SND.UNA and the loss is not over: new data
 *   goes out next, not the rest of the window (step 2b), if there is
 *   some and the peer's window takes it; else F-RTO ends.
 */
static void xtcp_frto(struct sock *sk, u32 prior_una, bool sacked,
		      bool dupack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->frto_orig) {
		xs->frto = 0;
		xtcp_cc_undo_loss(&xs->cc, xs->ca_ops, xs->snd_una);
		xtcp_unmark_lost(sk);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SPURIOUSRTOS);
		return;
	}
	if (xs->cc.state != XTCP_CA_LOSS) {
		xs->frto = 0;
		return;
	}
	if (xtcp_after(xs->snd_nxt, xs->cc.recover)) {
		if (sacked || dupack)
			xs->frto = 0;
		return;
	}
	if (!xtcp_after(xs->snd_una, prior_una))
		return;
	xs->cc.recover = xs->snd_nxt;
	if (!skb_queue_empty(&sk->sk_write_queue) &&
	    xtcp_after(xs->snd_una + xs->snd_wnd, xs->snd_nxt))
		xs->frto_new = 1;
	else
		xs->frto = 0;
}

/*
 * Whether @skb lies within the SACK block @start..@end.  An skb of
 * several segments that the block covers in part is split first at a
 * multiple of its MSS, so that the part covered in whole segments can
 * be marked (tcp_match_skb_to_sack()): a block that starts inside it
 * splits it after the block's start, rounded up to a segment; one that
 * ends inside it, before its end, rounded down.  Returns 1 if @skb (as
 * it is now) is covered, 0 if not, a negative errno if a split failed.
 */
static int xtcp_match_skb_to_sack(struct sock *sk, struct sk_buff *skb,
				  u32 start, u32 end)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	bool in_sack;
	u32 pkt_len;
	int err;

	in_sack = !xtcp_after(start, cb->seq) && !xtcp_before(end, cb->end_seq);
	if (xtcp_skb_pcount(skb) <= 1 || in_sack ||
	    !xtcp_after(cb->end_seq, start))
		return in_sack;
	pkt_len = xtcp_sack_split_len(cb->seq, skb->len, cb->mss, start, end,
				      &in_sack);
	if (!pkt_len)
		return 0;
	err = xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, pkt_len,
			    cb->mss);
	if (err)
		return err;
	return in_sack;
}

/*
 * Whether @skb, SACKed, may be folded into @prev, the SACKed skb right
 * before it (tcp_shift_skb_data()'s checks, for a whole skb): the same
 * marks (neither lost, both resent or neither, so that the D-SACK and
 * Karn's rule count the same), contiguous, neither with a SYN, FIN or
 * RST, and data in page fragments only, the charge of each byte with it, so
 * that skb_try_coalesce() moves fragments and no bytes, and takes no
 * more charge from @skb than its data (its WARN_ON_ONCE(delta < len)).
 * Each of @prev's segments must be full, and @skb's of the same size
 * (its last may be short): the merged skb is still counted in
 * segments of @prev's size, the ones that went on the wire, as
 * tcp_shift_skb_data() requires of tcp_skb_seglen().
 */
static bool xtcp_sack_can_merge(const struct sk_buff *prev,
				const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *pcb = XTCP_SKB_CB(prev);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 mss = xtcp_skb_seglen(prev);

	if ((pcb->sacked & (XTCP_SKB_SACKED | XTCP_SKB_LOST)) !=
	    XTCP_SKB_SACKED || pcb->sacked != cb->sacked ||
	    pcb->end_seq != cb->seq ||
	    ((pcb->flags | cb->flags) &
	     (XTCP_FLAG_SYN | XTCP_FLAG_FIN | XTCP_FLAG_RST)))
		return false;
	if (!prev->len || !skb->len || skb_headlen(prev) || skb_headlen(skb) ||
	    skb->truesize < SKB_TRUESIZE(skb_end_offset(skb)) + skb->len)
		return false;
	if (prev->len != xtcp_skb_pcount(prev) * mss ||
	    (xtcp_skb_pcount(skb) > 1 ? cb->mss != mss : skb->len > mss))
		return false;
	return xtcp_skb_pcount(prev) + xtcp_skb_pcount(skb) <= U16_MAX;
}

/*
 * Fold @skb, SACKed, into @prev, the SACKed skb right before it, as
 * tcp_shifted_skb() does when it has shifted a whole skb: a long SACKed
 * run is one skb, not one per ACK that grew its block, so what the
 * queue holds (one skb head each, SO_MEMINFO's wmem_queued) and what
 * the next walks look at stay small.  @skb's delivery was counted when
 * it was SACKed (xtcp_delivery_skb_delivered(), before any fold);
 * @prev keeps its send time, as TCP keeps prev's, and its snapshot
 * stays spent (tcp_shifted_skb() clears prev's delivered_mstamp), so
 * the ACK that frees it counts nothing again.  The segment counts are
 * sums, so packets_out and sacked_out stand; the hints are sequence
 * numbers, and @prev now covers @skb's.
 * skb_try_coalesce() moves the fragments and their charge to @prev
 * (fails, changing nothing, if the fragments do not fit); @skb gives
 * back only its head.  Returns true if @skb was freed.
 */
static bool xtcp_sack_merge(struct sock *sk, struct sk_buff *prev,
			    struct sk_buff *skb)
{
	struct xtcp_skb_cb *pcb, *cb;
	bool fragstolen;
	int delta;
	u32 mss;

	if (!prev || !skb || !xtcp_sack_can_merge(prev, skb))
		return false;
	pcb = XTCP_SKB_CB(prev);
	cb = XTCP_SKB_CB(skb);
	mss = xtcp_skb_seglen(prev);
	/*
	 * A clone of @prev may still be out, or held by the peer when it is
	 * on this host: its shared info becomes @prev's own first, as
	 * skb_shift()'s skb_prepare_for_shift().
	 */
	if (xtcp_unclone(prev) ||
	    !skb_try_coalesce(prev, skb, &fragstolen, &delta))
		return false;
	pcb->end_seq = cb->end_seq;
	pcb->pcount += cb->pcount;
	pcb->mss = mss;
	/* Both ACKed by the same cumulative ACK: the PSH carries over. */
	pcb->flags |= cb->flags;
	pcb->header.tx.valid = 0;
	skb->truesize -= delta;
	xtcp_rtx_queue_unlink_and_free(skb, sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SACKMERGED);
	return true;
}

/* The scoreboard's state through one ACK's blocks (tcp_sacktag_state). */
struct xtcp_sacktag_state {
	struct xtcp_rate_sample	*rs;
	u32			reord;	/* lowest late segment, else fack */
	u32			now;
	u32			scanned;	/* skbs looked at */
	bool			news;	/* some segment newly SACKed */
};

/*
 * Mark what the SACK block @blk covers among the skbs from the one that
 * holds @from to the one that holds @to - 1: a part of the block the
 * last ACK's blocks did not cover (xtcp_sack_mark()).  The walk starts
 * at a search of the rbtree, not at the head (tcp_sacktag_bsearch());
 * an skb that reaches beyond the part is matched against the whole
 * block, so that a part's edge inside a segment the block covers does
 * not leave it unmarked.  A split puts the rest right behind: the walk
 * comes to it.  Returns 0, or a negative errno if a split failed.
 */
static int xtcp_sacktag_walk(struct sock *sk, u32 from, u32 to,
			     const struct xtcp_sack_block *blk,
			     struct xtcp_sacktag_state *st)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_find(sk, from), *prev;

	skb_rbtree_walk_from(skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		int in_sack;

		st->scanned++;
		if (!xtcp_before(cb->seq, to))
			break;
		if (cb->sacked & XTCP_SKB_SACKED)
			continue;
		in_sack = xtcp_match_skb_to_sack(sk, skb, blk->start, blk->end);
		if (in_sack < 0)
			return in_sack;
		if (!in_sack)
			continue;
		if (xtcp_frto_orig(xs, cb))
			xs->frto_orig = 1;
		xtcp_rack_advance(xs, cb, st->now);
		xtcp_delivery_skb_delivered(&xs->dlv, &cb->header.tx,
					    cb->tx_us, cb->end_seq,
					    xtcp_skb_pcount(skb),
					    cb->sacked & XTCP_SKB_RETRANS,
					    true, st->rs);
		cb->sacked |= XTCP_SKB_SACKED;
		/* Nothing for RACK to find lost any more. */
		list_del_init(&skb->tcp_tsorted_anchor);
		xs->sacked_out += xtcp_skb_pcount(skb);
		if (xtcp_after(cb->end_seq, xs->fack))
			xs->fack = cb->end_seq;
		/*
		 * Never resent, and below what was SACKed before: it
		 * arrived late rather than got lost.
		 */
		if (!(cb->sacked & XTCP_SKB_RETRANS) &&
		    xtcp_before(cb->seq, st->reord))
			st->reord = cb->seq;
		if (cb->sacked & XTCP_SKB_LOST) {
			cb->sacked &= ~XTCP_SKB_LOST;
			xs->lost_out -= xtcp_skb_pcount(skb);
		}
		st->news = true;
		/*
		 * Into the SACKed run before it, and the run after it into
		 * it when it filled the hole between (tcp_shift_skb_data()):
		 * the walk goes on after what it became.
		 */
		prev = skb_rb_prev(skb);
		if (xtcp_sack_merge(sk, prev, skb))
			skb = prev;
		xtcp_sack_merge(sk, skb, skb_rb_next(skb));
	}
	return 0;
}

/*
 * The SACK scoreboard (RFC 2018, RFC 6675): mark the queued skbs the
 * peer's blocks cover, split at a multiple of the MSS where a block
 * covers part of one (xtcp_match_skb_to_sack()); counted in segments.
 * Blocks outside SND.UNA..SND.NXT (D-SACK, forged, stale) or empty are
 * ignored.  As tcp_sacktag_write_queue(), the cost follows what is new,
 * not the window: the blocks are sorted by start, each part of a block
 * that the last ACK's blocks (recv_sack_cache) covered is skipped, as
 * its skbs are marked already, and each other part is walked from a
 * search of the rbtree.  SackRecv counts the blocks taken, SackScanned
 * the skbs walked for them.  Returns true if any segment was newly
 * SACKed.
 */
static bool xtcp_sack_mark(struct sock *sk, const struct xtcp_opts *opts,
			   struct xtcp_rate_sample *rs)
{
	struct xtcp_sacktag_state st = { .rs = rs };
	struct xtcp_sack_block sp[XTCP_MAX_SACKS];
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_sack_block *cache = xs->recv_sack_cache;
	unsigned int i, j, n = 0, ncache;
	struct net *net = sock_net(sk);
	int err = 0;
	u32 fack;

	st.now = xs->clock_us;
	/* The last ACK's blocks say what is marked only while marks remain. */
	ncache = xs->sacked_out ? xs->num_sack_cache : 0;
	if (!xs->sacked_out) {
		xs->fack = xs->snd_una;
		xs->lost_hint = xs->snd_una;
	}
	fack = xs->fack;
	st.reord = fack;
	for (i = 0; i < opts->num_sacks; i++) {
		u32 start = opts->sacks[i].start, end = opts->sacks[i].end;

		if (xtcp_before(start, xs->snd_una) ||
		    xtcp_after(end, xs->snd_nxt) || !xtcp_after(end, start))
			continue;
		for (j = n; j > 0 && xtcp_before(start, sp[j - 1].start); j--)
			sp[j] = sp[j - 1];
		sp[j].start = start;
		sp[j].end = end;
		n++;
	}
	XTCP_ADD_STATS(net, XTCP_MIB_SACKRECV, n);
	for (i = 0; i < n; i++) {
		u32 cur = sp[i].start, end = sp[i].end;
		int ret = 0;

		/* The parts of the block outside the cached blocks. */
		for (j = 0; j < ncache && !ret; j++) {
			if (!xtcp_after(cache[j].end, cur))
				continue;
			if (!xtcp_before(cache[j].start, end))
				break;
			if (xtcp_after(cache[j].start, cur))
				ret = xtcp_sacktag_walk(sk, cur, cache[j].start,
							&sp[i], &st);
			cur = cache[j].end;
			if (!xtcp_before(cur, end))
				break;
		}
		if (!ret && xtcp_before(cur, end))
			ret = xtcp_sacktag_walk(sk, cur, end, &sp[i], &st);
		if (ret)
			err = ret;
	}
	/*
	 * The next ACK skips these; not if a split failed, which left
	 * some skb they cover unmarked.
	 */
	memcpy(xs->recv_sack_cache, sp, n * sizeof(sp[0]));
	xs->num_sack_cache = err ? 0 : n;
	XTCP_ADD_STATS(net, XTCP_MIB_SACKSCANNED, st.scanned);
	if (st.reord != fack)
		xtcp_reordered(sk, fack - st.reord, XTCP_MIB_SACKREORDER);
	return st.news;
}

/*
 * RACK marks losses here: SACK agreed and net.xtcp.recovery's bit 0x1.
 * It alone then, as tcp_is_rack() in Linux 6.1: no DupThresh count of
 * SACKed segments (tcp_update_scoreboard()) and no fast retransmit on
 * the third duplicate ACK (tcp_time_to_recover()) beside it.
 */
static bool xtcp_rack_on(const struct sock *sk)
{
	return xtcp_sk(sk)->sack_ok && xtcp_sk(sk)->ca_ops &&
	       (READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_recovery) &
		XTCP_RACK_LOSS_DETECTION);
}

/*
 * RFC 6675 IsLost(), without RACK: a segment with DupThresh SACKed
 * segments above it is lost; it is resent (once; a resend lost again is
 * the RTO's) as cwnd allows.  The first such loss starts fast recovery,
 * and so does a head RACK or a timeout marked.
 *
 * Without a walk of the whole queue (as tcp_mark_head_lost() with its
 * hints): down from the highest SACKed skb (fack) to the one that
 * brings the SACKed segments counted to DupThresh; every skb below
 * that one is lost unless SACKed or resent, and is marked forward from
 * lost_hint, below which none is left to mark.
 */
static void xtcp_sack_detect_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb, *head;
	u32 sacked_above = 0, limit;

	/*
	 * With RACK the count marks nothing: RACK's window is 0 where the
	 * count would mark on a path not seen to reorder, and where the
	 * path was, the count would resend segments still on their way
	 * (whose late originals, SACKed as resends, then hide the
	 * reordering from RACK).  Linux's TCP does not count either.
	 */
	if (xtcp_rack_on(sk) || !xs->sacked_out)
		goto enter;
	for (skb = xtcp_rtx_queue_find(sk, xs->fack - 1); skb;
	     skb = skb_rb_prev(skb)) {
		if (!(XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED))
			continue;
		sacked_above += xtcp_skb_pcount(skb);
		if (sacked_above >= xs->cc.reordering)
			break;
	}
	if (!skb)
		goto enter;
	limit = XTCP_SKB_CB(skb)->seq;
	if (xtcp_before(xs->lost_hint, xs->snd_una))
		xs->lost_hint = xs->snd_una;
	skb = xtcp_rtx_queue_find(sk, xs->lost_hint);
	skb_rbtree_walk_from(skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (!xtcp_before(cb->seq, limit))
			break;
		if (cb->sacked &
		    (XTCP_SKB_SACKED | XTCP_SKB_LOST | XTCP_SKB_RETRANS))
			continue;
		/* The whole skb, as TCP's RACK marks it. */
		xtcp_skb_mark_lost(xs, skb);
		xtcp_mark_lost_hint(xs, cb->seq);
	}
	if (xtcp_after(limit, xs->lost_hint))
		xs->lost_hint = limit;
enter:
	head = xtcp_rtx_queue_head(sk);
	if (head && (XTCP_SKB_CB(head)->sacked & XTCP_SKB_LOST) &&
	    xtcp_cc_enter_recovery(&xs->cc, xs->ca_ops, xs->snd_una,
				   xs->snd_nxt, xtcp_in_flight(xs)))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTRETRANS);
}

/*
 * RACK's loss detection (RFC 8985 section 6.2 step 5, as
 * tcp_rack_detect_loss()): a segment neither SACKed nor already marked
 * lost, sent before the last one delivered, is lost once it has been
 * out for that one's RTT plus the reordering window; a resent one too
 * (a lost retransmission, which DupThresh cannot see: LostRetransmit).
 * Returns how many were marked; *@reo_us is the longest any other
 * candidate still has to wait, 0 if none.
 */
static u32 xtcp_rack_detect_loss(struct sock *sk, u32 *reo_us)
{
	int rec = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_recovery);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xs->clock_us, marked = 0, reo_wnd;
	struct sk_buff *skb, *n;

	*reo_us = 0;
	if (!xs->rack.valid)
		return 0;
	reo_wnd = xtcp_rack_reo_wnd(xs->min_rtt_us, xs->rtt.srtt_us,
				    xs->reord_seen,
				    xs->cc.state == XTCP_CA_RECOVERY,
				    !(rec & XTCP_RACK_NO_DUPTHRESH) &&
				    xs->sacked_out >= xs->cc.reordering,
				    xs->rack.reo_steps);
	/*
	 * In sending order, from the oldest: the first sent after the last
	 * delivered ends the walk, as all after it went later still.
	 */
	list_for_each_entry_safe(skb, n, &xs->tsorted_sent_queue,
				 tcp_tsorted_anchor) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		s32 left;

		/* Marked lost otherwise (a timeout, a smaller MTU). */
		if (cb->sacked & (XTCP_SKB_SACKED | XTCP_SKB_LOST))
			continue;
		if (!xtcp_rack_sent_after(xs->rack.xmit_us, cb->tx_us,
					  xs->rack.end_seq, cb->end_seq))
			break;
		left = xtcp_rack_remaining_us(xs->rack.rtt_us, reo_wnd, now,
					      cb->tx_us);
		if (left > 0) {
			*reo_us = max_t(u32, *reo_us, left);
			continue;
		}
		if (cb->sacked & XTCP_SKB_RETRANS)
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LOSTRETRANSMIT);
		xtcp_skb_mark_lost(xs, skb);
		xtcp_mark_lost_hint(xs, cb->seq);
		marked += xtcp_skb_pcount(skb);
		list_del_init(&skb->tcp_tsorted_anchor);
	}
	return marked;
}

/*
 * RACK's reordering window after an ACK (RFC 8985 section 6.2 step 4,
 * tcp_rack_update_reo_wnd()): D-SACKs in a round after the last change
 * widen it by a quarter of the min RTT (up to 255 quarters, at most
 * SRTT in the end), and it stays wide for 16 recoveries; then it falls
 * back to one quarter.  Not with net.xtcp.recovery's bit 0x2.
 */
static void xtcp_rack_update_reo_wnd(struct sock *sk, u32 prior_una)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_recovery) &
	    XTCP_RACK_STATIC_REO_WND)
		return;
	/* A round has not passed since it widened: the same episode. */
	if (xs->rack.dsack_seen && xs->rack.reo_persist &&
	    xtcp_before(prior_una, xs->rack.reo_seq))
		xs->rack.dsack_seen = 0;
	if (xs->rack.dsack_seen) {
		xs->rack.reo_steps = min(max_t(u8, xs->rack.reo_steps, 1) + 1,
					 0xff);
		xs->rack.dsack_seen = 0;
		xs->rack.reo_seq = xs->snd_nxt;
		xs->rack.reo_persist = XTCP_RACK_RECOVERY_THRESH;
	} else if (!xs->rack.reo_persist) {
		xs->rack.reo_steps = 1;
	}
}

/*
 * A loss RACK found in the open or CWR state starts fast recovery.
 * Returns true if it did.
 */
static bool xtcp_rack_recover(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if ((xs->cc.state == XTCP_CA_OPEN || xs->cc.state == XTCP_CA_CWR) &&
	    xtcp_cc_enter_recovery(&xs->cc, xs->ca_ops, xs->snd_una,
				   xs->snd_nxt, xtcp_in_flight(xs))) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTRETRANS);
		return true;
	}
	return false;
}

/*
 * RACK after an ACK that delivered something (tcp_rack_mark_lost()):
 * mark what is lost, start recovery if need be (the resends go with the
 * next write_xmit), and while segments may still turn out lost, wait
 * for them on the reordering timer (ICSK_TIME_REO_TIMEOUT, at most an
 * RTO) in place of the RTO.  Not in the loss state, where a timeout
 * marked everything.
 */
static void xtcp_rack_mark_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 reo_us;

	if (!xs->rack.advanced || !xtcp_rack_on(sk) ||
	    xs->cc.state == XTCP_CA_LOSS)
		return;
	xs->rack.advanced = 0;
	if (xtcp_rack_detect_loss(sk, &reo_us))
		xtcp_rack_recover(sk);
	if (reo_us)
		inet_csk_reset_xmit_timer(sk, ICSK_TIME_REO_TIMEOUT,
					  usecs_to_jiffies(reo_us) + 2,
					  inet_csk(sk)->icsk_rto);
}

/**
 * xtcp_rack_reo_timeout() - RACK's reordering timer expired
 * @sk: the socket
 *
 * The segments that were waiting out the reordering window are looked
 * at again (tcp_rack_reo_timeout()): those now lost are marked, a
 * recovery starts if none is under way, and they are resent as cwnd
 * allows.  A recovery the timer starts begins as PRR would on an ACK
 * delivering one segment (tcp_cwnd_reduction(sk, 1, ...)): its fast
 * retransmit alone, not ssthresh's worth of resends at once, as no ACK
 * says the path has room.  Then the RTO runs, from the oldest
 * segment's send.
 *
 * Context: socket locked (the write timer).
 */
void xtcp_rack_reo_timeout(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 ca_old = xtcp_trace_ca_old(xs);
	u32 reo_us;

	if (xtcp_rack_on(sk) && xs->cc.state != XTCP_CA_LOSS &&
	    xtcp_rack_detect_loss(sk, &reo_us)) {
		if (xtcp_rack_recover(sk) && !xs->ca_ops->cong_control)
			xtcp_cc_prr(&xs->cc, 1, xtcp_in_flight(xs), false);
		xtcp_trace_ca_changed(sk, ca_old);
		xtcp_write_xmit(sk);
	}
	if (inet_csk(sk)->icsk_pending != ICSK_TIME_RETRANS)
		xtcp_rearm_rto(sk);
}

/* Three duplicate ACKs: resend the first unacknowledged segment now. */
static void xtcp_dupack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *head = xtcp_rtx_queue_head(sk);

	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DUPACKS);
	/*
	 * With RACK the count only shows the disorder (TCP_INFO's ca_state):
	 * the SACKs the duplicates carry are RACK's to judge, by time.
	 */
	if (!xs->ca_ops || !head ||
	    !xtcp_cc_dupack(&xs->cc, xs->ca_ops, xs->snd_una, xs->snd_nxt,
			    xtcp_in_flight(xs), xtcp_rack_on(sk)))
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTRETRANS);
	xtcp_retransmit_lost(sk, head, 1);
	xtcp_reset_rtx_timer(sk);
}

/* Take SND.WND from @cb's segment, remembering which one set it. */
static void xtcp_set_window(struct xtcp_sock *xs, const struct xtcp_skb_cb *cb)
{
	xs->snd_wnd = (u32)cb->window << xs->snd_wscale;
	xs->snd_wl1 = cb->seq;
	xs->snd_wl2 = cb->ack_seq;
	xs->max_window = max(xs->max_window, xs->snd_wnd);
}

/* RFC 9293: update SND.WND from a segment that is not older news. */
static void xtcp_update_window(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_before(xs->snd_wl1, cb->seq) ||
	    (xs->snd_wl1 == cb->seq && !xtcp_before(cb->ack_seq, xs->snd_wl2))) {
		xtcp_set_window(xs, cb);
		/* The window opened: the persist timer has done its job. */
		if (xs->snd_wnd &&
		    inet_csk(sk)->icsk_pending == ICSK_TIME_PROBE0) {
			inet_csk_clear_xmit_timer(sk, ICSK_TIME_PROBE0);
			inet_csk(sk)->icsk_backoff = 0;
			inet_csk(sk)->icsk_probes_tstamp = 0;
		}
	}
}

static bool xtcp_fin_acked(const struct xtcp_sock *xs)
{
	return xs->fin_queued && xs->snd_una == xs->write_seq;
}

/*
 * A challenge ACK (RFC 5961 sections 3.2, 4.2, 5.2): an ACK that tells a
 * real peer where we are, at most net.xtcp.challenge_ack_limit per second
 * in the netns (section 7), so that a blind attacker cannot use us as an
 * ACK amplifier or count our ACKs.  Never part of an ACK loop: its ACK
 * field is our RCV.NXT, which a peer that disagrees drops unanswered.
 */
static void xtcp_send_challenge_ack(struct sock *sk)
{
	struct net *net = sock_net(sk);
	struct xtcp_net *xn = xtcp_pernet(net);

	if (!xtcp_rate_allow(&xn->challenge_rate, (u32)(jiffies / HZ),
			     READ_ONCE(xn->sysctl_challenge_ack_limit),
			     get_random_u32())) {
		XTCP_INC_STATS(net, XTCP_MIB_CHALLENGELIMITED);
		return;
	}
	XTCP_INC_STATS(net, XTCP_MIB_CHALLENGEACKS);
	xtcp_send_ack(sk);
}

/*
 * The peer echoed a congestion mark (ECE, RFC 3168 section 6.1.2): the
 * window falls as for a loss, once per window (xtcp_cc_enter_cwr()),
 * and the next new segment says so with CWR.
 */
static void xtcp_ecn_echoed(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->ca_ops)
		return;
	if (xtcp_cc_enter_cwr(&xs->cc, xs->ca_ops, xs->snd_nxt,
			      xtcp_in_flight(xs))) {
		xs->ecn_flags |= XTCP_ECN_QUEUE_CWR;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNCWR);
	}
}

/*
 * The ACK of a tail loss probe's episode (RFC 8985 section 7.4.2, as
 * tcp_process_tlp_ack()), once it reaches tlp_high_seq:
 * - the probe carried new data, or a D-SACK reports the probe's copy
 *   (@tlp_dsack), or the ACK is a plain duplicate: nothing was lost;
 * - the probe resent the last segment and the ACK covers more than it:
 *   the original was lost and the probe repaired it, a loss all the
 *   same (xtcp_cc_tlp_recovered()), counted in LossProbeRecovery.
 * An ACK of exactly tlp_high_seq cannot tell yet; the next one will.
 */
static void xtcp_tlp_ack(struct sock *sk, const struct sk_buff *skb,
			 u32 prior_una, bool sacked, bool tlp_dsack)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ack = cb->ack_seq;

	if (xtcp_before(ack, xs->tlp_high_seq))
		return;
	if (!xs->tlp_retrans || tlp_dsack) {
		xs->tlp_high_seq = 0;
	} else if (xtcp_after(ack, xs->tlp_high_seq)) {
		xs->tlp_high_seq = 0;
		if (!xs->ca_ops || (xs->cc.state != XTCP_CA_OPEN &&
				    xs->cc.state != XTCP_CA_CWR))
			return;
		xtcp_cc_tlp_recovered(&xs->cc, xs->ca_ops, xs->snd_nxt);
		/* A reduction: ECN's CWR says so too (tcp_ecn_queue_cwr()). */
		if (xs->ecn_flags & XTCP_ECN_OK)
			xs->ecn_flags |= XTCP_ECN_QUEUE_CWR;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LOSSPROBERECOVERY);
	} else if (!xtcp_after(ack, prior_una) && !sacked &&
		   cb->seq == cb->end_seq) {
		xs->tlp_high_seq = 0;
	}
}

/* The segment's TSval (rcv_tsval) passes PAWS, @win behind at most. */
static bool xtcp_paws_check(const struct xtcp_sock *xs, int win)
{
	return xtcp_paws_ok(xs->ts_recent, xs->ts_recent_stamp, xs->rcv_tsval,
			    win);
}

/*
 * A segment PAWS rejects (RFC 7323 section 5.3), as tcp_paws_discard():
 * TSval behind ts_recent, unless it is a pure duplicate ACK that moves
 * nothing, within an RTO of ts_recent: reordered ACKs are harmless and
 * carry the peer's SACK and loss news (tcp_disordered_ack()).
 */
static bool xtcp_paws_discard(const struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 nwin = (u32)cb->window << xs->snd_wscale;

	if (xtcp_paws_check(xs, XTCP_PAWS_WINDOW))
		return false;
	return !((cb->flags & XTCP_FLAG_ACK) && cb->seq == cb->end_seq &&
		 cb->seq == xs->rcv_nxt && cb->ack_seq == xs->snd_una &&
		 !xtcp_after(cb->seq, xs->snd_wl1) &&
		 !(cb->seq == xs->snd_wl1 && nwin > xs->snd_wnd) &&
		 (s32)(xs->ts_recent - xs->rcv_tsval) <=
		 (s32)(inet_csk(sk)->icsk_rto * 1024 / HZ));
}

/*
 * RFC 7323 section 4.3, as tcp_replace_ts_recent(): the TSval of a
 * segment that covers rcv_wup (the left edge our last ACK announced) is
 * the next to echo, if it passes PAWS.
 */
static void xtcp_replace_ts_recent(struct xtcp_sock *xs, u32 seq)
{
	if (xs->saw_tstamp && !xtcp_after(seq, xs->rcv_wup) &&
	    xtcp_paws_check(xs, 0)) {
		xs->ts_recent = xs->rcv_tsval;
		xs->ts_recent_stamp = (u32)ktime_get_seconds();
	}
}

/*
 * The receiver's RTT without timestamps (tcp_rcv_rtt_measure()): the
 * time from offering a window to receiving its end, which takes at
 * least an RTT; such samples only ever lower the estimate.  Called for
 * each arrival of in-order data.
 */
static void xtcp_rcv_rtt_measure(struct xtcp_sock *xs)
{
	u32 delta;

	if (xs->rcv_rtt_est.time_us) {
		if (xtcp_before(xs->rcv_nxt, xs->rcv_rtt_est.seq))
			return;
		delta = xs->clock_us - xs->rcv_rtt_est.time_us;
		xs->rcv_rtt_est.rtt_us =
			xtcp_rcv_rtt_update(xs->rcv_rtt_est.rtt_us,
					    max(delta, 1U), true);
	}
	xs->rcv_rtt_est.seq = xs->rcv_nxt + xs->rcv_wnd;
	xs->rcv_rtt_est.time_us = xs->clock_us ? : 1;
}

/*
 * The receiver's RTT from a full segment that echoes a TSval not echoed
 * before (tcp_rcv_rtt_measure_ts()): our clock now less the echo, in
 * the timestamps' milliseconds.  The sender may hold the echo back for
 * a while (it sends when its window lets it), so this overstates rather
 * than understates.
 */
static void xtcp_rcv_rtt_measure_ts(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 age_us;

	if (!xs->saw_tstamp || !xs->rcv_tsecr ||
	    xs->rcv_tsecr == xs->rcv_rtt_last_tsecr)
		return;
	xs->rcv_rtt_last_tsecr = xs->rcv_tsecr;
	if (cb->end_seq - cb->seq < xs->rcv_mss)
		return;
	age_us = xtcp_tsecr_age_us(xs);
	if (age_us)
		xs->rcv_rtt_est.rtt_us =
			xtcp_rcv_rtt_update(xs->rcv_rtt_est.rtt_us, age_us,
					    false);
}

/*
 * The options of @skb, parsed once for all of its processing when the
 * connection uses options after the handshake (SACK, timestamps).  The
 * timestamps are left where the ACK and PAWS read them (saw_tstamp,
 * rcv_tsval, rcv_tsecr), as tcp_fast_parse_options() does.  Returns
 * @opts, or NULL when there was nothing to parse.
 */
static const struct xtcp_opts *xtcp_rcv_options(struct sock *sk,
						const struct sk_buff *skb,
						struct xtcp_opts *opts)
{
	const struct xtcphdr *th = xtcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (th->doff <= sizeof(*th) / 4 || !(xs->ts_ok || xs->sack_ok))
		return NULL;
	if (xtcp_parse_options((const u8 *)(th + 1),
			       th->doff * 4 - sizeof(*th), opts))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BADOPTS);
	if (xs->ts_ok && opts->saw_tstamp) {
		xs->saw_tstamp = 1;
		xs->rcv_tsval = opts->rcv_tsval;
		xs->rcv_tsecr = opts->rcv_tsecr;
	}
	return opts;
}

/*
 * The fifth check: the ACK field.  @opts: the segment's options, NULL
 * if none were parsed.  Returns false when processing of the segment
 * must stop (it was dropped, or the socket is closed and maybe gone).
 */
static bool xtcp_rcv_ack(struct sock *sk, struct sk_buff *skb,
			 const struct xtcp_opts *opts)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 prior_packets = xs->packets_out, prior_sacked = xs->sacked_out;
	u32 ack = cb->ack_seq, prior_una = xs->snd_una;
	/* The highest SACKed before this ACK's blocks (tcp_ack()'s prior_fack). */
	u32 prior_fack = xs->sacked_out ? xs->fack : prior_una;
	u8 ca_before = xs->cc.state, ca_old;
	bool sacked = false, dupack = false, tlp_dsack = false, hold = false;
	bool undone = false;
	struct xtcp_rate_sample rs = {};
	u32 prior_lost = xs->lost;

	if (sk->sk_state == TCP_SYN_RECV) {
		if (!xtcp_ack_acceptable(ack, xs->snd_una, xs->snd_nxt)) {
			xtcp_send_reset(sk, skb);
			return false;
		}
		xtcp_established(sk);
		xtcp_set_window(xs, cb);
		xtcp_replace_ts_recent(xs, cb->seq);
		/*
		 * A passive open's SYN-ACK was its request sock's: as TCP's
		 * child, which starts at SND.UNA = ISS + 1, it counts in no
		 * TCP_INFO byte acknowledged.
		 */
		if (!xs->packets_out) {
			WRITE_ONCE(xs->snd_una, ack);
			/* Delivered, as tcp_rcv_state_process() counts it. */
			rs.acked_sacked = 1;
		}
		xtcp_new_ack(sk, ack, xs->snd_una, &rs, &undone);
		xtcp_init_mss(sk);
		if (!xs->ca_ops)	/* simultaneous open */
			xtcp_init_transfer(sk);
		trace_xtcp_probe(sk, skb);
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		return true;
	}

	/*
	 * Acknowledges what we never sent: dropped without an answer, as
	 * Linux does.  An ACK here would be out of the window of a peer
	 * that took a forged segment, and its answer would come back here:
	 * two ends ACKing each other forever.
	 */
	if (xtcp_after(ack, xs->snd_nxt))
		return false;
	if (xtcp_before(ack, xs->snd_una - xs->max_window)) {
		/* RFC 5961 section 5.2: too old to be a real ACK. */
		xtcp_send_challenge_ack(sk);
		return false;
	}
	/* Not older than the last: its TSval may be the one to echo. */
	if (!xtcp_before(ack, prior_una))
		xtcp_replace_ts_recent(xs, cb->seq);
	/* A valid ACK: the peer is alive (keepalive's measure). */
	ca_old = xtcp_trace_ca_old(xs);
	xs->rcv_tstamp = jiffies;
	inet_csk(sk)->icsk_probes_out = 0;
	xs->frto_orig = 0;
	if (xs->sack_ok && xs->ca_ops && opts) {
		/* D-SACKs come late too, after everything was ACKed. */
		if (opts->num_sacks)
			tlp_dsack = xtcp_dsack_rcv(sk, opts, ack);
		sacked = opts->num_sacks && xs->packets_out &&
			 xtcp_sack_mark(sk, opts, &rs);
	}
	/* delivered_ce counts what ACKs echoing CE deliver, as TCP's. */
	rs.ece = (xs->ecn_flags & XTCP_ECN_OK) && (cb->flags & XTCP_FLAG_ECE);
	if (xtcp_after(ack, xs->snd_una)) {
		hold = xtcp_new_ack(sk, ack, prior_fack, &rs, &undone);
	} else {
		/* SACKs alone make a sample too. */
		xtcp_rate_gen(sk, &rs);
		/* Not an old ACK: tcp_ack() takes it no further than SACKs. */
		if (xs->ca_ops && xs->ca_ops->pkts_acked &&
		    !xtcp_before(ack, prior_una)) {
			struct xtcp_ack_sample s;

			xtcp_ack_sample_fill(sk, &s, &rs, ack, 0);
			xs->ca_ops->pkts_acked(&xs->cc, &s);
		}
		if (xtcp_is_dupack(sk, skb)) {
			dupack = true;
			xtcp_dupack(sk);
		}
	}
	if (xs->tlp_high_seq)
		xtcp_tlp_ack(sk, skb, prior_una, sacked, tlp_dsack);
	/*
	 * A late original filled a hole while resends are out: the others
	 * may be late too, and none more is marked lost now; RACK looks
	 * again at the next ACK (tcp_fastretrans_alert()'s early return).
	 */
	if (!hold && (sacked ||
		      (xs->sacked_out && xs->cc.state != XTCP_CA_RECOVERY)))
		xtcp_sack_detect_loss(sk);
	if (xs->sack_ok)
		xtcp_rack_update_reo_wnd(sk, prior_una);
	if (!hold)
		xtcp_rack_mark_lost(sk);
	if (xs->ecn_flags & XTCP_ECN_OK) {
		if (cb->flags & XTCP_FLAG_ECE)
			xtcp_ecn_echoed(sk);
		/*
		 * CWR on a pure ACK ends the echo too, as tcp_ack() takes
		 * it from stacks that send it there (RFC 3168 says data).
		 */
		if (cb->flags & XTCP_FLAG_CWR)
			xs->ecn_flags &= ~XTCP_ECN_DEMAND_CWR;
	}
	if (xs->cc.undo && xtcp_cc_try_undo(&xs->cc, xs->ca_ops, xs->snd_una))
		xtcp_undo(sk);
	else if (ca_before == XTCP_CA_RECOVERY && !undone &&
		 xs->cc.state == XTCP_CA_OPEN && xs->rack.reo_persist)
		/* A recovery over, not undone: one fewer to stay wide. */
		xs->rack.reo_persist--;
	/*
	 * In SACK recovery and in CWR, PRR sets cwnd from what this ACK
	 * delivered (RFC 6937 DeliveredData: SND.UNA's advance and the
	 * change in SACKed segments, counted in segments).
	 */
	if (((xs->cc.state == XTCP_CA_RECOVERY && xs->cc.sack) ||
	     xs->cc.state == XTCP_CA_CWR) && !xs->ca_ops->cong_control) {
		s32 delivered = (s32)(prior_packets - xs->packets_out) +
				(s32)(xs->sacked_out - prior_sacked);

		if (delivered > 0)
			xtcp_cc_prr(&xs->cc, delivered, xtcp_in_flight(xs),
				    xtcp_after(xs->snd_una, prior_una) &&
				    xs->lost == prior_lost);
	}
	/*
	 * An algorithm that sees every ACK sets cwnd (and its rate) now,
	 * after the loss state machine, as tcp_cong_control() calls it.
	 */
	if (xs->ca_ops && xs->ca_ops->cong_control) {
		struct xtcp_ack_sample s;

		/* What the SACKs, DupThresh and RACK marked lost just now. */
		rs.losses = xs->lost - prior_lost;
		xtcp_ack_sample_fill(sk, &s, &rs, ack,
				     prior_packets - xs->packets_out);
		xs->ca_ops->cong_control(&xs->cc, &s);
	}
	/* cwnd is final for this ACK: the rate it gives (tcp_cong_control()). */
	xtcp_update_pacing_rate(sk);
	if (!xtcp_before(ack, xs->snd_una))
		xtcp_update_window(sk, cb);
	if (xs->frto && ca_before == XTCP_CA_LOSS)
		xtcp_frto(sk, prior_una, sacked, dupack);
	/*
	 * A reduction began (recovery, CWR): the probe's episode is over,
	 * as tcp_init_cwnd_reduction() ends it; and no probe waits while a
	 * loss is repaired or suspected, the RTO does.
	 */
	if (xs->cc.state != ca_before && xs->cc.state != XTCP_CA_OPEN)
		xs->tlp_high_seq = 0;
	if (inet_csk(sk)->icsk_pending == ICSK_TIME_LOSS_PROBE &&
	    !xtcp_tlp_allowed(sk))
		xtcp_rearm_rto(sk);
	xtcp_trace_ca_changed(sk, ca_old);
	trace_xtcp_probe(sk, skb);

	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		if (xtcp_fin_acked(xs)) {
			xtcp_set_state(sk, TCP_FIN_WAIT2);
			sk->sk_shutdown |= SEND_SHUTDOWN;
			if (!sock_flag(sk, SOCK_DEAD)) {
				sk->sk_state_change(sk);
				break;
			}
			/* An orphan; TCP_LINGER2 < 0: no FIN-WAIT-2 (TCP's). */
			if (READ_ONCE(xs->linger2) < 0) {
				xtcp_done(sk);
				return false;
			}
			inet_csk_reset_keepalive_timer(sk, xtcp_fin_timeout(sk));
		}
		break;
	case TCP_CLOSING:
		if (xtcp_fin_acked(xs)) {
			xtcp_time_wait(sk);
			return false;
		}
		break;
	case TCP_LAST_ACK:
		if (xtcp_fin_acked(xs)) {
			xtcp_done(sk);
			return false;
		}
		break;
	}
	return true;
}

/*
 * The peer's FIN, in order.  Returns true when the connection is over
 * and should close once the FIN is acknowledged.
 */
static bool xtcp_rcv_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_rcv_nxt_update(xs, xs->rcv_nxt + 1);
	sk->sk_shutdown |= RCV_SHUTDOWN;
	sock_set_flag(sk, SOCK_DONE);

	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		xtcp_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* Our FIN is not acknowledged yet, or we would be in FW2. */
		xtcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		return true;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
	}
	return false;
}

/* Bytes of data in a received segment whose header is pulled. */
static u32 xtcp_data_len(const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	return cb->end_seq - cb->seq - !!(cb->flags & XTCP_FLAG_FIN);
}

/**
 * xtcp_ofo_purge() - drop everything held out of order
 * @sk: the socket
 *
 * Frees the out-of-order queue and forgets the SACK blocks describing
 * it.
 *
 * Context: socket locked, or a socket being destroyed
 * (xtcp_destroy_sock()).
 */
void xtcp_ofo_purge(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct rb_node *p = rb_first(&xs->out_of_order_queue);

	/* skb_rbtree_purge() is not exported to modules in 6.1. */
	while (p) {
		struct sk_buff *skb = rb_to_skb(p);

		p = rb_next(p);
		rb_erase(&skb->rbnode, &xs->out_of_order_queue);
		__kfree_skb(skb);
	}
	xs->ooo_last_skb = NULL;
	xs->num_sacks = 0;
	xs->dsack = 0;
}

/*
 * Drop the highest segment held out of order, to make room.  What the
 * SACK blocks claim may be gone now: they start again from the next
 * arrival, as after tcp_prune_ofo_queue() (the sender keeps its own
 * marks, and its timer covers data we dropped after SACKing it).
 */
static void xtcp_ofo_prune_last(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *last = xs->ooo_last_skb;

	xs->ooo_last_skb = skb_rb_prev(last);
	rb_erase(&last->rbnode, &xs->out_of_order_queue);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOPRUNED);
	__kfree_skb(last);
	sk_mem_reclaim(sk);
	xs->num_sacks = 0;
}

/*
 * Memory is short for all xtcp sockets (net.xtcp.mem's pressure mark):
 * the window's ceiling drops to four segments, or what SO_RESERVE_MEM
 * holds unused for the socket (tcp_adjust_rcv_ssthresh()).
 */
static void xtcp_adjust_rcv_ssthresh(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int unused = sk_unused_reserved_mem(sk);

	xs->rcv_ssthresh = min_t(u32, xs->rcv_ssthresh, 4U * xs->advmss);
	if (unused > 0)
		xs->rcv_ssthresh = max_t(u32, xs->rcv_ssthresh, unused / 2);
}

/*
 * Data already holds more than sk_rcvbuf (tcp_clamp_window()): a buffer
 * auto-tuning may still grow takes what the data needs, within
 * net.xtcp.rmem[2] and while memory is plentiful; if that is not enough
 * the window's ceiling drops to two segments, to grow again with the
 * segments that arrive once the reader has made room.
 */
static void xtcp_clamp_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int rmem2 = xtcp_rmem(sk, 2);

	xs->quickack = 0;
	if (READ_ONCE(sk->sk_rcvbuf) < rmem2 &&
	    !(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
	    !sk_under_memory_pressure(sk) &&
	    sk_memory_allocated(sk) < sk_prot_mem_limits(sk, 0))
		WRITE_ONCE(sk->sk_rcvbuf,
			   min(atomic_read(&sk->sk_rmem_alloc), rmem2));
	if (atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf))
		xs->rcv_ssthresh = min(xtcp_full_space(sk), 2U * xs->advmss);
}

/*
 * A segment of @len bytes that cost @truesize arrived: the window's
 * ceiling grows toward the free space (tcp_grow_window()), if the
 * buffer would hold a window of such segments
 * (xtcp_rcv_ssthresh_incr()), and the next ACK goes at once to tell the
 * sender (TCP's icsk_ack.quick).  Under memory pressure it shrinks
 * instead.
 */
static void xtcp_grow_window(struct sock *sk, u32 truesize, u32 len)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 top = xtcp_free_space(sk), incr;

	if (xs->rcv_ssthresh >= top)
		return;
	if (sk_under_memory_pressure(sk)) {
		xtcp_adjust_rcv_ssthresh(sk);
		return;
	}
	incr = xtcp_rcv_ssthresh_incr(xs->rcv_ssthresh, truesize, len,
				      xs->advmss, xs->rcv_mss,
				      xtcp_rmem(sk, 2));
	if (!incr)
		return;
	xs->rcv_ssthresh += min(top - xs->rcv_ssthresh, incr);
	if (!xs->quickack)
		xs->quickack = 1;
}

/*
 * The memory an arriving skb costs, for xtcp_grow_window(): without its
 * head if the data is all in page fragments (truesize_adjust()), as
 * coalescing frees or shares the head.
 */
static u32 xtcp_rcv_truesize(const struct sk_buff *skb)
{
	u32 truesize = skb->truesize;

	if (!skb_headlen(skb)) {
		truesize -= SKB_TRUESIZE(skb_end_offset(skb));
		if ((int)truesize < (int)skb->len)
			truesize = skb->truesize;
	}
	return truesize;
}

/*
 * Make room in the receive buffer for @skb's @size bytes of truesize.
 * Out-of-order data is what goes first when memory is short (Linux's
 * tcp_prune_ofo_queue()): it is dropped from the far end to make room,
 * for in-order data (@ofo false) all of it if need be, for out-of-order
 * data (@ofo) only what lies beyond @skb.
 */
static bool xtcp_rmem_room(struct sock *sk, struct sk_buff *skb,
			   unsigned int size, bool ofo)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	/*
	 * In-order data inside the window we offered is taken even past
	 * sk_rcvbuf: the window promised it room (RFC 9293 3.8.6), and
	 * skbs' overhead (truesize) is only estimated when the window is
	 * chosen.  It is bounded by the window; the protocol's global
	 * limits still apply.  Out-of-order data never is: a peer could
	 * fill the window with one-byte segments, each costing a buffer.
	 */
	bool promised = !ofo && !xtcp_after(XTCP_SKB_CB(skb)->end_seq,
					    xs->rcv_wup + xs->rcv_wnd);

	/* The window was too large for what segments cost: it shrinks. */
	if (atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf))
		xtcp_clamp_window(sk);
	else if (sk_under_memory_pressure(sk))
		xtcp_adjust_rcv_ssthresh(sk);
	for (;;) {
		struct sk_buff *last = xs->ooo_last_skb;

		if ((promised ||
		     atomic_read(&sk->sk_rmem_alloc) + size <=
		     READ_ONCE(sk->sk_rcvbuf)) &&
		    sk_rmem_schedule(sk, skb, size))
			return true;
		if (!last || (ofo && !xtcp_after(XTCP_SKB_CB(last)->seq,
						 XTCP_SKB_CB(skb)->seq))) {
			XTCP_INC_STATS(sock_net(sk), ofo ? XTCP_MIB_OOODROPS :
				       XTCP_MIB_RCVQDROPS);
			return false;
		}
		xtcp_ofo_prune_last(sk);
	}
}

static struct sk_buff *xtcp_rcv_compact(struct sk_buff *skb);

/*
 * @skb continues @to, the segment before it out of order: its data joins
 * @to's (skb_try_coalesce(), as tcp_ooo_try_coalesce()), charged for
 * what @to grew by, room for which the caller made.  Consumes @skb when
 * it returns true.
 */
static bool xtcp_ofo_try_coalesce(struct sock *sk, struct sk_buff *to,
				  struct sk_buff *skb)
{
	struct xtcp_skb_cb *tcb = XTCP_SKB_CB(to), *cb = XTCP_SKB_CB(skb);
	bool fragstolen;
	int delta;

	if (tcb->end_seq != cb->seq || (tcb->flags & XTCP_FLAG_FIN) ||
	    !skb_try_coalesce(to, skb, &fragstolen, &delta))
		return false;
	atomic_add(delta, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, delta);
	tcb->end_seq = cb->end_seq;
	tcb->flags |= cb->flags & (XTCP_FLAG_FIN | XTCP_FLAG_PSH);
	kfree_skb_partial(skb, fragstolen);
	return true;
}

/*
 * Data [@start, @end) arrived again: the next ACK says so with a D-SACK
 * block (RFC 2883), in front of its SACK blocks, as tcp_dsack_set().
 * @ofo: the copy already held was out of order, else below RCV.NXT.
 */
static void xtcp_dsack_set(struct sock *sk, u32 start, u32 end, bool ofo)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->sack_ok || !xtcp_after(end, start))
		return;
	xs->dsack_block.start = start;
	xs->dsack_block.end = end;
	xs->dsack = 1;
	XTCP_INC_STATS(sock_net(sk), ofo ? XTCP_MIB_DSACKOFOSENT :
					   XTCP_MIB_DSACKOLDSENT);
}

/*
 * Keep a segment that arrived beyond RCV.NXT (RFC 9293 3.10.7.4: "held
 * for later processing") in the out-of-order rbtree, within the receive
 * buffer (making room by dropping what lies beyond it), and without
 * overlap: what the segment before it holds is cut from its front, later
 * segments it covers whole are freed, and a later one it runs into cuts
 * its tail.  Most arrivals continue the highest segment and join it.
 * The SACK blocks learn of the arrival (xtcp_sack_new_ofo()) unless it
 * was dropped for want of memory.  Consumes @skb.
 */
static void xtcp_ofo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 seq = cb->seq, end_seq = cb->end_seq, truesize;
	struct rb_node **link, *parent = NULL;
	struct sk_buff *prev = NULL, *next, *p;

	xs->rcv_ooopack += max_t(u16, skb_shinfo(skb)->gso_segs, 1);
	truesize = skb->truesize;
	/* Small segments in compact buffers: more of them fit. */
	skb = xtcp_rcv_compact(skb);
	cb = XTCP_SKB_CB(skb);
	if (!xtcp_rmem_room(sk, skb, skb->truesize, true))
		goto drop;
	/* As TCPOFOQueue: what found room (OfoDrops counts the rest). */
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOQUEUE);

	/* The common case: at or past the start of the highest segment. */
	if (xs->ooo_last_skb &&
	    !xtcp_after(XTCP_SKB_CB(xs->ooo_last_skb)->seq, seq)) {
		prev = xs->ooo_last_skb;
		parent = &prev->rbnode;
		link = &parent->rb_right;
	} else {
		/* The segment before ours: the last whose seq <= ours. */
		link = &xs->out_of_order_queue.rb_node;
		while (*link) {
			parent = *link;
			p = rb_to_skb(parent);
			if (xtcp_after(XTCP_SKB_CB(p)->seq, seq)) {
				link = &parent->rb_left;
			} else {
				prev = p;
				link = &parent->rb_right;
			}
		}
	}
	if (prev) {
		const struct xtcp_skb_cb *pcb = XTCP_SKB_CB(prev);

		if (!xtcp_before(pcb->end_seq, cb->end_seq))
			goto dup;
		if (xtcp_after(pcb->end_seq, cb->seq)) {
			u32 cut = pcb->end_seq - cb->seq;

			/* prev ends before our FIN, so the cut is data. */
			if (!pskb_pull(skb, cut))
				goto dup;
			cb->seq += cut;
		}
		if (xtcp_ofo_try_coalesce(sk, prev, skb)) {
			skb = prev;
			cb = XTCP_SKB_CB(skb);
			goto merge_right;
		}
	}
	/* On its own in the queue: the window may grow (tcp_data_queue_ofo()). */
	xtcp_grow_window(sk, truesize, skb->len);
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	rb_link_node(&skb->rbnode, parent, link);
	rb_insert_color(&skb->rbnode, &xs->out_of_order_queue);

merge_right:
	/* Later segments ours covers go; one it runs into cuts its tail. */
	while ((next = skb_rb_next(skb))) {
		struct xtcp_skb_cb *ncb = XTCP_SKB_CB(next);

		if (!xtcp_after(cb->end_seq, ncb->seq))
			break;
		if (!xtcp_after(ncb->end_seq, cb->end_seq)) {
			rb_erase(&next->rbnode, &xs->out_of_order_queue);
			__kfree_skb(next);
			continue;
		}
		if (pskb_trim(skb, ncb->seq - cb->seq)) {
			/* No memory to cut it: it goes, as if pruned. */
			rb_erase(&skb->rbnode, &xs->out_of_order_queue);
			__kfree_skb(skb);
			xs->ooo_last_skb = skb_rb_last(&xs->out_of_order_queue);
			xs->num_sacks = 0;
			return;
		}
		cb->end_seq = ncb->seq;
		cb->flags &= ~XTCP_FLAG_FIN;
		break;
	}
	if (!next)
		xs->ooo_last_skb = skb;
	goto sack;
dup:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OOODROPS);
	xtcp_dsack_set(sk, seq, seq + skb->len, true);
	kfree_skb(skb);
sack:
	/* All of [seq, end_seq) is held now: the blocks say so. */
	if (xs->sack_ok) {
		/*
		 * A block beyond the first two grows and moves to the
		 * front, or a new one pushes them back: the sender may
		 * never see the blocks as they were.  What SACK
		 * compression holds back goes first, as
		 * tcp_sack_compress_send_ack() in tcp_sack_new_ofo_skb().
		 */
		if (xs->compressed_ack &&
		    xtcp_sack_touching(xs->selective_acks, xs->num_sacks, seq,
				       end_seq) >= XTCP_SACK_BLOCKS_EXPECTED)
			xtcp_send_compressed_ack(sk);
		xs->num_sacks = xtcp_sack_new_ofo(xs->selective_acks,
						  xs->num_sacks, seq, end_seq);
	}
	return;
drop:
	kfree_skb(skb);
}

/*
 * Data at RCV.NXT (already trimmed to start there) goes to the receive
 * queue.  Returns true if the segment carried a FIN; consumes @skb.
 */
static bool xtcp_queue_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool fin = xtcp_skb_has_flag(skb, XTCP_FLAG_FIN);

	if (skb->len) {
		xtcp_rcv_nxt_update(xs, xs->rcv_nxt + skb->len);
		xs->rcv_unacked += skb->len;
		__skb_queue_tail(&sk->sk_receive_queue, skb);
	} else {
		__kfree_skb(skb);
	}
	return fin;
}

/*
 * Small segments cost a whole buffer each (a 10-byte segment arrives in
 * an skb of over 2 KiB): left as they are, a stream of them fills the
 * receive buffer with overhead and gets dropped.  As Linux's collapsing
 * does, their bytes are copied into compact skbs, and the next small
 * in-order segment is appended to the receive queue's tail while it has
 * room.
 */
#define XTCP_COMPACT_SIZE	SKB_WITH_OVERHEAD(1024)

static bool xtcp_rcv_wasteful(const struct sk_buff *skb)
{
	return skb->len < XTCP_COMPACT_SIZE / 2 &&
	       skb->truesize > 4 * skb->len + SKB_TRUESIZE(0);
}

/* Append @skb's data to the receive queue's tail skb, if it has room. */
static bool xtcp_rcv_append(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);

	if (!tail || !xtcp_rcv_wasteful(skb) || skb_cloned(tail) ||
	    skb_is_nonlinear(tail) || skb_tailroom(tail) < skb->len ||
	    XTCP_SKB_CB(tail)->seq + tail->len != XTCP_SKB_CB(skb)->seq)
		return false;
	if (skb_copy_bits(skb, 0, skb_put(tail, skb->len), skb->len)) {
		__skb_trim(tail, tail->len - skb->len);
		return false;
	}
	XTCP_SKB_CB(tail)->end_seq = XTCP_SKB_CB(skb)->end_seq;
	return true;
}

/*
 * In-order data that continues the receive queue's tail joins it, its
 * pages moved rather than queued as one more skb (skb_try_coalesce(), as
 * tcp_try_coalesce()): fewer skbs to charge, walk and free.  Charged
 * for what the tail grew by, room for all of @skb having been made
 * (xtcp_rmem_room()).  Consumes @skb when it returns true.
 */
static bool xtcp_rcv_coalesce(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool fragstolen;
	int delta;

	if (!tail || XTCP_SKB_CB(tail)->end_seq != cb->seq ||
	    (XTCP_SKB_CB(tail)->flags & XTCP_FLAG_FIN) ||
	    !skb_try_coalesce(tail, skb, &fragstolen, &delta))
		return false;
	atomic_add(delta, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, delta);
	XTCP_SKB_CB(tail)->end_seq = cb->end_seq;
	XTCP_SKB_CB(tail)->flags |= cb->flags & XTCP_FLAG_PSH;
	xtcp_rcv_nxt_update(xs, xs->rcv_nxt + skb->len);
	xs->rcv_unacked += skb->len;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVCOALESCE);
	kfree_skb_partial(skb, fragstolen);
	return true;
}

/* A compact copy of a wasteful @skb, or @skb itself. */
static struct sk_buff *xtcp_rcv_compact(struct sk_buff *skb)
{
	struct sk_buff *nskb;

	if (!xtcp_rcv_wasteful(skb))
		return skb;
	nskb = alloc_skb(XTCP_COMPACT_SIZE, GFP_ATOMIC | __GFP_NOWARN);
	if (!nskb)
		return skb;
	if (skb_copy_bits(skb, 0, skb_put(nskb, skb->len), skb->len)) {
		kfree_skb(nskb);
		return skb;
	}
	*XTCP_SKB_CB(nskb) = *XTCP_SKB_CB(skb);
	consume_skb(skb);
	return nskb;
}

/*
 * The hole before the out-of-order queue's first segment is filled: move
 * what is now in order to the receive queue, and forget the SACK blocks
 * RCV.NXT passed.  Returns true if that reached a FIN.
 */
static bool xtcp_ofo_drain(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	bool fin = false;

	while ((skb = skb_rb_first(&xs->out_of_order_queue))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (xtcp_after(cb->seq, xs->rcv_nxt))
			break;
		rb_erase(&skb->rbnode, &xs->out_of_order_queue);
		if (xs->ooo_last_skb == skb)
			xs->ooo_last_skb = NULL;
		if (!xtcp_after(cb->end_seq, xs->rcv_nxt)) {
			__kfree_skb(skb);
			continue;
		}
		if (cb->seq != xs->rcv_nxt) {
			u32 cut = xs->rcv_nxt - cb->seq;

			if (cut > skb->len || !pskb_pull(skb, cut)) {
				__kfree_skb(skb);
				continue;
			}
			cb->seq = xs->rcv_nxt;
		}
		if (xtcp_queue_rcv(sk, skb)) {
			/* Nothing follows a FIN. */
			xtcp_ofo_purge(sk);
			fin = true;
			break;
		}
	}
	xs->num_sacks = xtcp_sack_remove(xs->selective_acks, xs->num_sacks,
					 xs->rcv_nxt);
	return fin;
}

/*
 * When to acknowledge in-order data (RFC 1122 4.2.3.2, RFC 5681 4.2):
 * at once when a hole was filled or remains, on a FIN, at the start of a
 * connection (slow start needs the ACKs), when the window's ceiling grew
 * (xtcp_grow_window()), and for every second full segment if the window
 * would not shrink (or the reader waits for SO_RCVLOWAT bytes);
 * otherwise within the delayed-ACK time, as __tcp_ack_snd_check().  The
 * window is at most rcv_ssthresh, which the segments' arrival grows to
 * the free space: while it is below, unread data leaves the window as
 * it was and segments are ACKed in pairs; once there, data the
 * application leaves unread takes the window with it, and the read
 * sends the ACK (xtcp_cleanup_rbuf()), one for all it read.
 */
static void xtcp_ack_data(struct sock *sk, bool now)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* Not in an interactive exchange: there the answer takes the ACK. */
	if (xs->quickack && !inet_csk_in_pingpong_mode(sk)) {
		xs->quickack--;
		now = true;
	}
	if (now || (xs->rcv_unacked >= 2U * xs->rcv_mss &&
		    (xs->rcv_nxt - xs->copied_seq <
		     (u32)READ_ONCE(sk->sk_rcvlowat) ||
		     xtcp_new_window(sk) >= xs->rcv_wnd)))
		xtcp_send_ack(sk);
	else
		xtcp_send_delayed_ack(sk);
}

/*
 * Up to the next @max data segments are ACKed at once: as many as half
 * the window offered holds, at least two (tcp_incr_quickack()).  Not in
 * an interactive exchange (xtcp_ack_data()).
 */
static void xtcp_incr_quickack(struct sock *sk, u8 max)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 n = xs->rcv_wnd / (2U * xs->rcv_mss);

	n = clamp_t(u32, n, 2, max);
	if (xs->quickack < n)
		xs->quickack = n;
}

/* The next @n data segments are ACKed at once, as tcp_enter_quickack_mode(). */
static void xtcp_enter_quickack(struct sock *sk, u8 n)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->quickack < n)
		xs->quickack = n;
	inet_csk_exit_pingpong_mode(sk);
}

/*
 * A segment not taken, for PAWS or for its sequence number: the ACK
 * that answers it says, for data we had already, that it came again (a
 * D-SACK), so that a sender whose resend overtook the original learns
 * that the resend was needless and undoes its reduction; and the next
 * data is ACKed at once, our ACKs having perhaps been lost
 * (tcp_send_dupack()).  The caller sends the ACK.
 */
static void xtcp_dupack_dsack(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 end = cb->end_seq - !!(cb->flags & XTCP_FLAG_FIN);

	if (cb->end_seq == cb->seq || !xtcp_before(cb->seq, xs->rcv_nxt))
		return;
	xtcp_enter_quickack(sk, XTCP_QUICKACKS);
	xtcp_dsack_set(sk, cb->seq,
		       xtcp_after(end, xs->rcv_nxt) ? xs->rcv_nxt : end, false);
}

/*
 * ECN on a segment with data or FIN (RFC 3168 section 6.1.3), as
 * tcp_ecn_accept_cwr() and __tcp_ecn_check_ce(): a CWR says the sender
 * has reduced its window, so the echo stops; a CE mark makes everything
 * we send carry ECE until the next CWR, and is ACKed at once (the
 * sender's window may be small).  A Not-ECT segment after ECT ones is
 * likely a retransmission: ACKed at once too.
 */
static void xtcp_ecn_rcv(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (cb->flags & XTCP_FLAG_CWR) {
		xs->ecn_flags &= ~XTCP_ECN_DEMAND_CWR;
		xtcp_enter_quickack(sk, 1);
	}
	switch (cb->ip_dsfield & INET_ECN_MASK) {
	case INET_ECN_NOT_ECT:
		if (xs->ecn_flags & XTCP_ECN_SEEN)
			xtcp_enter_quickack(sk, 2);
		break;
	case INET_ECN_CE:
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNCERECV);
		if (!(xs->ecn_flags & XTCP_ECN_DEMAND_CWR)) {
			xs->ecn_flags |= XTCP_ECN_DEMAND_CWR;
			xtcp_enter_quickack(sk, 2);
		}
		fallthrough;
	default:
		xs->ecn_flags |= XTCP_ECN_SEEN;
		break;
	}
}

/*
 * Out-of-order data arrived: a duplicate ACK with SACK blocks is due at
 * once (RFC 5681 section 4.2).  As __tcp_ack_snd_check(): in quickack
 * mode (a connection's start, a duplicate received, a window that grew)
 * it goes at once; otherwise as tcp_sack_compress, the first three for
 * each RCV.NXT go at once,
 * for the sender's fast retransmit; later ones, which only refine its
 * scoreboard, are held back up to 5% of the RTT, at most
 * net.xtcp.comp_sack_delay_ns, and up to net.xtcp.comp_sack_nr of them
 * (0: none), and one ACK goes for them all (xtcp_compressed_ack_kick(),
 * or any segment we send first, xtcp_ack_sent()).
 */
static void xtcp_ack_ofo(struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	u64 delay;
	u32 rtt;

	sock_owned_by_me(sk);
	/* Quickack mode comes first (xtcp_ack_data()), then compression. */
	if (xs->quickack && !inet_csk_in_pingpong_mode(sk)) {
		xs->quickack--;
		goto now;
	}
	if (!xs->sack_ok ||
	    xs->compressed_ack >= READ_ONCE(xn->sysctl_comp_sack_nr))
		goto now;
	if (xs->compressed_rcv_nxt != xs->rcv_nxt) {
		xs->compressed_rcv_nxt = xs->rcv_nxt;
		xs->dup_ack_counter = 0;
	}
	if (xs->dup_ack_counter < 3) {
		xs->dup_ack_counter++;
		goto now;
	}
	xs->compressed_ack++;
	if (hrtimer_is_queued(&xs->compressed_ack_timer))
		return;
	/* The lower RTT estimate, the receiver's or the sender's. */
	rtt = xs->rcv_rtt_est.rtt_us >> 3;
	if (xs->rtt.srtt_us && (!rtt || xs->rtt.srtt_us < rtt))
		rtt = xs->rtt.srtt_us;
	if (!rtt && xs->min_rtt_us != ~0U)
		rtt = xs->min_rtt_us;
	delay = min_t(u64, READ_ONCE(xn->sysctl_comp_sack_delay_ns),
		      (u64)rtt * NSEC_PER_USEC / 20);
	sock_hold(sk);
	hrtimer_start_range_ns(&xs->compressed_ack_timer, ns_to_ktime(delay),
			       READ_ONCE(xn->sysctl_comp_sack_slack_ns),
			       HRTIMER_MODE_REL_PINNED_SOFT);
	return;
now:
	xtcp_send_ack(sk);
}

/*
 * The sixth and eighth steps: segment text and FIN.  In-order data goes
 * to the receive queue, then whatever the out-of-order queue holds that
 * now follows it; data beyond a hole waits there, and is answered at
 * once with a duplicate ACK (RFC 5681 4.2).  Consumes @skb.
 */
static void xtcp_data_queue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool fin = cb->flags & XTCP_FLAG_FIN;
	bool had_ofo, over = false;
	u32 len, dlen = 0, truesize = 0;

	__skb_pull(skb, xtcp_hdr(skb)->doff * 4);
	len = xtcp_data_len(skb);
	if (!len && !fin)
		goto drop;
	if (skb->len != len)
		goto drop;	/* cannot happen: end_seq came from skb->len */
	if (xs->ecn_flags & XTCP_ECN_OK)
		xtcp_ecn_rcv(sk, skb);

	if (xtcp_after(cb->seq, xs->rcv_nxt)) {
		xtcp_ofo_insert(sk, skb);
		xtcp_ack_ofo(sk);
		return;
	}
	if (cb->seq != xs->rcv_nxt) {
		/* Starts before RCV.NXT: keep only what is new. */
		u32 old = xs->rcv_nxt - cb->seq;

		if (old > len || (old == len && !fin)) {
			xtcp_dsack_set(sk, cb->seq, cb->seq + len, false);
			goto dup;
		}
		xtcp_dsack_set(sk, cb->seq, xs->rcv_nxt, false);
		if (!pskb_pull(skb, old))
			goto drop;
		cb->seq = xs->rcv_nxt;
	}
	if (skb->len) {
		/*
		 * A short segment the sender pushed: interactive traffic. Its
		 * ACK goes as soon as the application has read it (Linux's
		 * ICSK_ACK_PUSHED), not at the delayed-ACK timer.
		 */
		if ((cb->flags & XTCP_FLAG_PSH) && skb->len < xs->rcv_mss)
			xs->ack_pushed = 1;
		/*
		 * Data again after more than an RTO without: the sender
		 * restarts from a small window, and its slow start wants
		 * our ACKs at once (tcp_event_data_recv()).
		 */
		if ((u32)jiffies - inet_csk(sk)->icsk_ack.lrcvtime >
		    inet_csk(sk)->icsk_rto)
			xtcp_incr_quickack(sk, XTCP_QUICKACKS);
		inet_csk(sk)->icsk_ack.lrcvtime = jiffies;
		xs->rcv_mss = clamp_t(u32, skb->len, xs->rcv_mss, xs->advmss);
		dlen = skb->len;
		truesize = xtcp_rcv_truesize(skb);
		if (!fin && xtcp_rcv_append(sk, skb)) {
			xtcp_rcv_nxt_update(xs, xs->rcv_nxt + skb->len);
			xs->rcv_unacked += skb->len;
			consume_skb(skb);
			skb = NULL;
			goto queued;
		}
		skb = xtcp_rcv_compact(skb);
		/* A full buffer drops in-order data too: the peer resends. */
		if (!xtcp_rmem_room(sk, skb, skb->truesize, false)) {
			xtcp_send_ack(sk);
			goto drop;
		}
		if (!fin && xtcp_rcv_coalesce(sk, skb)) {
			skb = NULL;
			goto queued;
		}
		skb_dst_drop(skb);
		skb_set_owner_r(skb, sk);
	}
	fin = xtcp_queue_rcv(sk, skb);
queued:
	if (dlen)
		xtcp_rcv_rtt_measure(xs);
	/* Not for tiny segments (tcp_event_data_recv()). */
	if (dlen >= 128)
		xtcp_grow_window(sk, truesize, dlen);
	had_ofo = !RB_EMPTY_ROOT(&xs->out_of_order_queue);
	if (!fin && had_ofo)
		fin = xtcp_ofo_drain(sk);
	if (fin)
		over = xtcp_rcv_fin(sk);

	xtcp_ack_data(sk, fin || had_ofo);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
	if (over)
		xtcp_time_wait(sk);
	return;

dup:
	/* All old: the peer missed our ACK (RFC 9293: send one). */
	xtcp_send_ack(sk);
drop:
	kfree_skb(skb);
}

/* SYN-SENT: RFC 9293 section 3.10.7.3.  Consumes @skb. */
static void xtcp_rcv_synsent(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcphdr *th = xtcp_hdr(skb);
	struct xtcp_opts opts;

	if (xtcp_parse_options((const u8 *)(th + 1),
			       th->doff * 4 - sizeof(*th), &opts))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BADOPTS);
	if (cb->flags & XTCP_FLAG_ACK) {
		if (!xtcp_after(cb->ack_seq, xs->iss) ||
		    xtcp_after(cb->ack_seq, xs->snd_nxt))
			goto reset;
		/*
		 * PAWS for the active opener (RFC 7323 section 5.3, as
		 * tcp_rcv_synsent_state_process()): a TSecr must be a TSval
		 * we sent, not older than our first SYN nor newer than now;
		 * else the segment belongs to another connection.
		 */
		if (xs->ts_ok && opts.saw_tstamp && opts.rcv_tsecr &&
		    !xtcp_between(opts.rcv_tsecr, xs->syn_tsval,
				  xtcp_tsval(xs))) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PAWSACTIVE);
			goto reset;
		}
	}
	if (cb->flags & XTCP_FLAG_RST) {
		if (cb->flags & XTCP_FLAG_ACK) {
			trace_xtcp_receive_reset(sk);
			xtcp_reset(sk);
		}
		goto discard;
	}
	if (!(cb->flags & XTCP_FLAG_SYN))
		goto discard;

	xs->rx_mss = opts.mss;
	/* RFC 7323: both SYNs must carry the option, or neither scales. */
	xs->wscale_ok = opts.wscale_ok;
	xs->snd_wscale = opts.wscale_ok ? opts.wscale : 0;
	/* SACK: offered by our SYN if net.xtcp.sack allows (tcp_parse_options()). */
	xs->sack_ok = opts.sack_ok &&
		      READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_sack);
	if (!opts.wscale_ok)
		xs->rcv_wscale = 0;
	/* Timestamps: offered by our SYN (ts_ok), kept if its answer has them. */
	xs->ts_ok = xs->ts_ok && opts.saw_tstamp;
	if (xs->ts_ok) {
		xs->saw_tstamp = 1;
		xs->rcv_tsval = opts.rcv_tsval;
		xs->rcv_tsecr = opts.rcv_tsecr;
		xs->ts_recent = opts.rcv_tsval;
		xs->ts_recent_stamp = (u32)ktime_get_seconds();
	}
	/*
	 * ECN (RFC 3168 section 6.1.1): a SYN-ACK agrees with ECE alone; a
	 * SYN (simultaneous open) asks with both, as tcp_ecn_rcv_synack()
	 * and tcp_ecn_rcv_syn().
	 */
	if ((cb->flags & XTCP_FLAG_ACK) ?
	    (cb->flags & (XTCP_FLAG_ECE | XTCP_FLAG_CWR)) != XTCP_FLAG_ECE :
	    (~cb->flags & (XTCP_FLAG_ECE | XTCP_FLAG_CWR)))
		xs->ecn_flags &= ~XTCP_ECN_OK;
	xtcp_init_peer(xs, cb->seq, cb->window);
	xs->snd_wl2 = cb->ack_seq;

	if (cb->flags & XTCP_FLAG_ACK) {
		struct xtcp_rate_sample rs = {};
		bool undone = false;

		xtcp_established(sk);
		xtcp_new_ack(sk, cb->ack_seq, xs->snd_una, &rs, &undone);
		xtcp_init_mss(sk);
		xtcp_init_transfer(sk);
		trace_xtcp_probe(sk, skb);
		/* Data on a SYN-ACK is not accepted; the peer resends it. */
		xtcp_send_ack(sk);
		xtcp_write_xmit(sk);
		if (!sock_flag(sk, SOCK_DEAD)) {
			sk->sk_state_change(sk);
			sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		}
	} else {
		/* Simultaneous open: our SYN goes out again with the ACK. */
		xtcp_set_state(sk, TCP_SYN_RECV);
		xtcp_init_mss(sk);
		xtcp_send_synack_sk(sk);
		xtcp_reset_rtx_timer(sk);
	}
	goto discard;

reset:
	if (!(cb->flags & XTCP_FLAG_RST))
		xtcp_send_reset(sk, skb);
discard:
	consume_skb(skb);
}

/**
 * xtcp_urg_mode() - we sent urgent data the peer has not acknowledged yet
 * @xs: the socket
 *
 * Context: socket locked (the send path).
 * Return: true in urgent mode (snd_up ahead of snd_una).
 */
bool xtcp_urg_mode(const struct xtcp_sock *xs)
{
	return xs->snd_up != xs->snd_una;
}

/*
 * A segment with URG set: where the peer's urgent byte is (as Linux reads
 * the pointer: the byte before it, RFC 1122's reading only with TCP's
 * tcp_stdurg, which xtcp does not offer).  A pointer already passed or
 * not newer than the one we have changes nothing; a new one sends SIGURG
 * to the owner (F_SETOWN) and waits for its byte (tcp_check_urg()).
 */
static void xtcp_check_urg(struct sock *sk, const struct xtcphdr *th)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ptr = ntohs(th->urg_ptr);

	if (ptr)
		ptr--;
	ptr += ntohl(th->seq);
	if (xtcp_after(xs->copied_seq, ptr) || xtcp_before(ptr, xs->rcv_nxt))
		return;
	if (xs->urg_data && !xtcp_after(ptr, xs->urg_seq))
		return;
	sk_send_sigurg(sk);
	/*
	 * The last byte read was the old urgent one, not in line: skip it
	 * now, or it would be read as data once the mark moves on.
	 */
	if (xs->urg_seq == xs->copied_seq && xs->urg_data &&
	    !sock_flag(sk, SOCK_URGINLINE) && xs->copied_seq != xs->rcv_nxt) {
		struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);

		WRITE_ONCE(xs->copied_seq, xs->copied_seq + 1);
		if (skb && !xtcp_before(xs->copied_seq, XTCP_SKB_CB(skb)->end_seq)) {
			__skb_unlink(skb, &sk->sk_receive_queue);
			__kfree_skb(skb);
		}
	}
	WRITE_ONCE(xs->urg_data, XTCP_URG_NOTYET);
	WRITE_ONCE(xs->urg_seq, ptr);
}

/*
 * RFC 9293 3.10.7.4, sixth step: note a new urgent pointer, and take the
 * urgent byte if this segment carries it (tcp_urg()).  @skb still has
 * its header.
 */
static void xtcp_urg(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcphdr *th = xtcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ptr;
	u8 byte;

	if (unlikely(th->urg))
		xtcp_check_urg(sk, th);
	if (likely(xs->urg_data != XTCP_URG_NOTYET))
		return;
	ptr = xs->urg_seq - ntohl(th->seq) + th->doff * 4 - th->syn;
	if (ptr < skb->len && !skb_copy_bits(skb, ptr, &byte, 1)) {
		WRITE_ONCE(xs->urg_data, XTCP_URG_VALID | byte);
		if (!sock_flag(sk, SOCK_DEAD))
			sk->sk_data_ready(sk);
	}
}

/*
 * Simultaneous open, RFC 9293 figure 8: in SYN-RECEIVED the peer's
 * SYN-ACK repeats its SYN (so fails the sequence test) but acknowledges
 * ours exactly.  It completes the handshake.
 */
static bool xtcp_is_simopen_synack(const struct sock *sk,
				   const struct xtcp_skb_cb *cb)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return sk->sk_state == TCP_SYN_RECV &&
	       (cb->flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK | XTCP_FLAG_RST)) ==
	       (XTCP_FLAG_SYN | XTCP_FLAG_ACK) &&
	       cb->end_seq == cb->seq + 1 && cb->seq + 1 == xs->rcv_nxt &&
	       cb->ack_seq == xs->snd_nxt;
}

/*
 * Send what the segment's ACK let go, then wake a writer if that made
 * room: with TCP_NOTSENT_LOWAT, it is the data leaving, more than the
 * memory an ACK freed, that lets it write again (tcp_data_snd_check()).
 */
static void xtcp_data_snd_check(struct sock *sk)
{
	xtcp_write_xmit(sk);
	xtcp_check_space(sk);
}

/**
 * xtcp_rcv_state_process() - a segment for a full socket, not a listener
 * @sk: the socket
 * @skb: the segment, its header at skb->data and its control block
 *	 filled in; consumed
 *
 * Segment arrival in any state but LISTEN: RFC 9293 section 3.10.7, in
 * its order: the sequence number's acceptability (an unacceptable
 * segment gets an ACK, rate limited), RST (only an exact RCV.NXT resets,
 * RFC 5961 3.2; else a challenge ACK), SYN (a challenge ACK), the ACK
 * field, URG, then text and FIN.
 * New data after close() in FIN-WAIT resets the connection (RFC 1122
 * 4.2.2.13).  The socket may be gone on return if it was an orphan.
 *
 * Context: socket locked (bh lock in softirq, or the owner through the
 * backlog); also a new child, bh-locked, from xtcp_child_process().
 */
void xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_opts *opts;
	struct xtcp_opts parsed;
	u8 flags = cb->flags;

	sock_owned_by_me(sk);
	xtcp_clock_refresh(xs);
	xs->saw_tstamp = 0;

	switch (sk->sk_state) {
	case TCP_CLOSE:
		goto discard;
	case TCP_SYN_SENT:
		xtcp_rcv_synsent(sk, skb);
		return;
	}

	opts = xtcp_rcv_options(sk, skb, &parsed);
	if (xtcp_is_simopen_synack(sk, cb)) {
		if (xtcp_rcv_ack(sk, skb, opts))
			xtcp_send_ack(sk);
		goto discard;
	}

	/*
	 * PAWS (RFC 7323 section 5.3) before the sequence number, as
	 * tcp_validate_incoming(): an old TSval is an old duplicate,
	 * dropped and ACKed (rate limited).  A RST goes on to the checks
	 * below, as in Linux.
	 */
	if (xs->saw_tstamp && !(flags & XTCP_FLAG_RST) &&
	    xtcp_paws_discard(sk, skb)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PAWSESTAB);
		if (!xtcp_oow_rate_limited(sock_net(sk), skb,
					   &xs->last_oow_ack_time)) {
			xtcp_dupack_dsack(sk, skb);
			xtcp_send_ack(sk);
		}
		goto discard;
	}

	/* First: is the sequence number acceptable? */
	if (!xtcp_seq_acceptable(cb->seq, cb->end_seq - cb->seq, xs->rcv_nxt,
				 xtcp_receive_window(xs))) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_UNACCEPTABLE);
		if (!(flags & XTCP_FLAG_RST) &&
		    !xtcp_oow_rate_limited(sock_net(sk), skb,
					   &xs->last_oow_ack_time)) {
			xtcp_dupack_dsack(sk, skb);
			if (sk->sk_state == TCP_SYN_RECV)
				xtcp_send_synack_sk(sk);
			else
				xtcp_send_ack(sk);
		}
		goto discard;
	}

	/* Second: RST.  Only an exact RCV.NXT resets (RFC 5961 3.2). */
	if (flags & XTCP_FLAG_RST) {
		if (cb->seq == xs->rcv_nxt) {
			trace_xtcp_receive_reset(sk);
			xtcp_reset(sk);
		} else {
			xtcp_send_challenge_ack(sk);
		}
		goto discard;
	}

	/* Fourth: a SYN in a synchronized state gets a challenge ACK. */
	if (flags & XTCP_FLAG_SYN) {
		xtcp_send_challenge_ack(sk);
		goto discard;
	}

	/* Fifth: the ACK field. */
	if (!(flags & XTCP_FLAG_ACK))
		goto discard;
	if (!xtcp_rcv_ack(sk, skb, opts))
		goto discard;
	if (sk->sk_state == TCP_ESTABLISHED)
		xtcp_rcv_rtt_measure_ts(sk, skb);

	/* Sixth: the URG bit, in the states that take data. */
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				   TCPF_FIN_WAIT2))
		xtcp_urg(sk, skb);

	/* Seventh and eighth: text and FIN, in the states that take them. */
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		/*
		 * New data after close(): RFC 1122 4.2.2.13 says reset, as
		 * Linux does.
		 */
		if ((sk->sk_shutdown & RCV_SHUTDOWN) &&
		    cb->end_seq - (flags & XTCP_FLAG_FIN ? 1 : 0) !=
		    cb->seq &&
		    xtcp_after(cb->end_seq - (flags & XTCP_FLAG_FIN ? 1 : 0),
			       xs->rcv_nxt)) {
			xtcp_send_active_reset(sk, GFP_ATOMIC);
			xtcp_reset(sk);
			goto discard;
		}
		fallthrough;
	case TCP_ESTABLISHED:
		xtcp_data_queue(sk, skb);
		xtcp_data_snd_check(sk);
		return;
	}
	xtcp_data_snd_check(sk);
discard:
	consume_skb(skb);
}

/* LISTEN: RFC 9293 section 3.10.7.2.  Consumes @skb. */
void xtcp_rcv_listen(struct sock *sk, struct sk_buff *skb)
{
	u8 flags = XTCP_SKB_CB(skb)->flags;

	if (flags & XTCP_FLAG_RST)
		goto discard;
	if (flags & XTCP_FLAG_ACK) {
		/* The handshake's end, if it returns one of our SYN cookies. */
		struct sock *child = xtcp_cookie_check_ack(sk, skb);

		if (child) {
			xtcp_child_process(sk, child, skb);
			return;
		}
		xtcp_send_reset(sk, skb);
		goto discard;
	}
	if ((flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)) == XTCP_FLAG_SYN)
		inet_csk(sk)->icsk_af_ops->conn_request(sk, skb);
discard:
	consume_skb(skb);
}

/**
 * xtcp_do_rcv() - segment processing under the socket lock
 * @sk: the socket
 * @skb: the segment; consumed
 *
 * Also the backlog handler (struct proto's backlog_rcv), which runs in
 * process context with BHs on.  A listener's segments never come here
 * (the receive entries handle them unlocked); if a socket that was not
 * listening when its segment was queued listens by now, the segment
 * goes to the listener code in the context it expects (BHs off).
 *
 * Context: socket locked: softirq under bh_lock_sock() from the
 * family's receive entry, or process context from release_sock()'s
 * backlog.
 * Return: 0.
 */
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *opt_skb;

	sock_owned_by_me(sk);

	if (unlikely(sk->sk_state == TCP_LISTEN)) {
		local_bh_disable();
		xtcp_rcv_listen(sk, skb);
		local_bh_enable();
		return 0;
	}
	/* IPv6's IPV6_PKTOPTIONS: the segment's IPv6 side, kept (ipv6.c). */
	opt_skb = xtcp_v6_opt_clone(sk, skb);
	xtcp_rcv_state_process(sk, skb);
	if (opt_skb)
		xtcp_v6_opt_save(sk, opt_skb);
	return 0;
}

/**
 * xtcp_rcv_pull() - the first checks of a family's receive entry
 * @skb: a segment of ours, skb->data at our header
 *
 * Counted in InSegs (a GSO skb passed on whole, by veth or loopback, per
 * segment); our header must be whole, with a data offset of at least
 * 5 words, and its options pulled.
 *
 * Context: softirq.
 * Return: the header, or NULL (counted in InBadHeader and InErrs; the
 * caller drops @skb).
 */
const struct xtcphdr *xtcp_rcv_pull(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const struct xtcphdr *th;

	XTCP_ADD_STATS(net, XTCP_MIB_INSEGS,
		       max_t(u16, skb_shinfo(skb)->gso_segs, 1));
	if (!pskb_may_pull(skb, sizeof(struct xtcphdr)))
		goto bad;
	th = (const struct xtcphdr *)skb->data;
	if (th->doff < sizeof(struct xtcphdr) / 4 ||
	    !pskb_may_pull(skb, th->doff * 4))
		goto bad;
	return (const struct xtcphdr *)skb->data;
bad:
	XTCP_INC_STATS(net, XTCP_MIB_BADHDR);
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
	return NULL;
}

/**
 * xtcp_rcv_sock() - the end of a family's receive entry: a socket found
 * @sk: the listener or full socket the segment's lookup found
 * @skb: the segment, its control block filled in; consumed
 * @refcounted: whether the lookup took a reference on @sk (dropped here)
 *
 * The socket's filter, then a listener unlocked, as TCP's is not locked
 * either: what it does (request socks, cookies, children) has locks of
 * its own, all taken with BHs off; through the backlog it would run in
 * process context with BHs on, and a SYN would wait for accept() or
 * setsockopt().  A full socket under its bh lock, or onto its backlog
 * if the owner holds it.  Shared by xtcp_v4_rcv() and xtcp_v6_rcv().
 *
 * Context: softirq.
 */
void xtcp_rcv_sock(struct sock *sk, struct sk_buff *skb, bool refcounted)
{
	if (xtcp_filter(sk, skb))
		goto discard;
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_rcv_listen(sk, skb);
		goto put;
	}

	bh_lock_sock_nested(sk);
	xtcp_segs_in(xtcp_sk(sk), skb);
	if (!sock_owned_by_user(sk)) {
		xtcp_do_rcv(sk, skb);
	} else if (xtcp_add_backlog(sk, skb)) {
		bh_unlock_sock(sk);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGDROPS);
		goto discard;
	}
	bh_unlock_sock(sk);
put:
	if (refcounted)
		sock_put(sk);
	return;
discard:
	kfree_skb(skb);
	goto put;
}

/* Fill the control block from a header already checked and pulled. */
void xtcp_fill_cb(struct sk_buff *skb, const struct xtcphdr *th)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	cb->ack_seq = ntohl(th->ack_seq);
	cb->window = ntohs(th->window);
	cb->flags = xtcp_flag_byte(th);
}

/*
 * The socket's filter (SO_ATTACH_FILTER) may drop @skb or trim its data,
 * never its header (tcp_filter()); the control block is then made anew
 * from what is left.  Returns true if @skb is to be dropped.
 */
bool xtcp_filter(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcphdr *th = (const struct xtcphdr *)skb->data;

	if (sk_filter_trim_cap(sk, skb, th->doff * 4))
		return true;
	xtcp_fill_cb(skb, (const struct xtcphdr *)skb->data);
	return false;
}

/*
 * A segment for a request sock: the handshake's third step.  Returns
 * false, @skb untouched, if the request's listener no longer listens:
 * the request is dropped and the caller looks the segment up again.
 */
bool xtcp_rcv_for_req(struct sock *sk, struct sk_buff *skb)
{
	struct request_sock *req = inet_reqsk(sk);
	struct sock *listener = req->rsk_listener;
	struct sock *child;

	if (unlikely(listener->sk_state != TCP_LISTEN)) {
		inet_csk_reqsk_queue_drop_and_put(listener, req);
		return false;
	}
	sock_hold(listener);
	/* The listener's filter sees the handshake's end, as TCP's does. */
	if (xtcp_filter(listener, skb)) {
		reqsk_put(req);
		kfree_skb(skb);
		sock_put(listener);
		return true;
	}
	child = xtcp_check_req(listener, skb, req);
	if (child) {
		/* Our lookup reference now belongs to the accept queue. */
		xtcp_child_process(listener, child, skb);
	} else {
		reqsk_put(req);
		kfree_skb(skb);
	}
	sock_put(listener);
	return true;
}

/*
 * Whether @skb, just arrived, may be merged into @tail, the last segment
 * on the backlog: it continues it, both carry data and an ACK, neither
 * has SYN, RST, URG or (the tail) FIN, and their options are the same
 * bytes, so that nothing but the sequence range, the ACK and the window
 * differs (TCP's rules in tcp_add_backlog()).  Unlike TCP, not beyond a
 * hole: each out-of-order segment keeps its own immediate duplicate ACK
 * (RFC 5681 section 4.2).  RCV.NXT is read without the owner's lock; a
 * stale value only costs a merge or an extra ACK.
 */
static bool xtcp_backlog_can_merge(const struct sock *sk,
				   const struct sk_buff *tail,
				   const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *tcb = XTCP_SKB_CB(tail), *cb = XTCP_SKB_CB(skb);
	const struct xtcphdr *tth = (const struct xtcphdr *)tail->data;
	const struct xtcphdr *th = (const struct xtcphdr *)skb->data;
	unsigned int hdrlen = th->doff * 4;

	return tcb->end_seq == cb->seq &&
	       !xtcp_after(tcb->seq, READ_ONCE(xtcp_sk(sk)->rcv_nxt)) &&
	       tail->len > tth->doff * 4 && skb->len > hdrlen &&
	       !((tcb->flags | cb->flags) &
		 (XTCP_FLAG_SYN | XTCP_FLAG_RST | XTCP_FLAG_URG)) &&
	       !(tcb->flags & XTCP_FLAG_FIN) &&
	       (tcb->flags & cb->flags & XTCP_FLAG_ACK) &&
	       !((tcb->flags ^ cb->flags) & (XTCP_FLAG_ECE | XTCP_FLAG_CWR)) &&
	       tcb->ip_dsfield == cb->ip_dsfield &&
	       tth->doff == th->doff &&
	       !memcmp(tth + 1, th + 1, hdrlen - sizeof(*th));
}

/*
 * @skb arrived while the socket's owner holds it: onto the backlog, which
 * release_sock() runs through xtcp_do_rcv().  As TCP does, a segment
 * that continues the last one there is merged into it, and the limit is
 * that of Debian 6.1's TCP: twice the receive buffer (the receive queue
 * counts in it, and so does everything the offered window let in while
 * the reader copied), half the send buffer and 64 KiB.  Returns true if
 * @skb must be dropped; false if it was queued or merged (and freed).
 */
bool xtcp_add_backlog(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = sk->sk_backlog.tail;
	bool fragstolen;
	u64 limit;
	int delta;

	/*
	 * Not yet charged to the socket, so its truesize may still shrink:
	 * a short payload in a page goes into the head's spare room (the
	 * kernel's skb_condense(), which modules cannot call).
	 */
	if (skb->data_len && skb->data_len <= skb_availroom(skb) &&
	    !skb_cloned(skb) && __pskb_pull_tail(skb, skb->data_len))
		skb->truesize = SKB_TRUESIZE(skb_end_offset(skb));

	if (tail && xtcp_backlog_can_merge(sk, tail, skb)) {
		struct xtcp_skb_cb *tcb = XTCP_SKB_CB(tail);
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		struct xtcphdr *tth = (struct xtcphdr *)tail->data;
		const struct xtcphdr *th = (const struct xtcphdr *)skb->data;
		unsigned int hdrlen = th->doff * 4;

		__skb_pull(skb, hdrlen);
		if (skb_try_coalesce(tail, skb, &fragstolen, &delta)) {
			tcb->end_seq = cb->end_seq;
			if (!xtcp_before(cb->ack_seq, tcb->ack_seq)) {
				tcb->ack_seq = cb->ack_seq;
				tcb->window = cb->window;
				tth->ack_seq = th->ack_seq;
				tth->window = th->window;
			}
			tth->fin |= th->fin;
			tth->psh |= th->psh;
			tcb->flags |= cb->flags;
			sk->sk_backlog.len += delta;
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGCOALESCE);
			kfree_skb_partial(skb, fragstolen);
			return false;
		}
		__skb_push(skb, hdrlen);
	}

	limit = (u64)READ_ONCE(sk->sk_rcvbuf) << 1;
	limit += (u32)READ_ONCE(sk->sk_sndbuf) >> 1;
	limit += 64 * 1024;
	return sk_add_backlog(sk, skb, min_t(u64, limit, UINT_MAX));
}
