// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp input: from IP's hand-off to the socket.  Header and checksum
 * checks, socket lookup, and the segment arrival rules of RFC 9293
 * section 3.10.7 for every state but LISTEN's request handling, which
 * lives in minisocks.c.
 */
#include <linux/module.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/inet_hashtables.h>
#include <linux/filter.h>

#include "xtcp.h"

/* The window the peer may still fill, measured from RCV.NXT. */
static u32 xtcp_receive_window(const struct xtcp_sock *xs)
{
	s32 win = (s32)(xs->rcv_wup + xs->rcv_wnd - xs->rcv_nxt);

	return win > 0 ? win : 0;
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

/* Free what @ack acknowledges from the retransmission queue. */
static bool xtcp_clean_rtx_queue(struct sock *sk, u32 ack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	bool freed = false;

	while ((skb = skb_peek(&xs->rtx_queue))) {
		if (xtcp_after(XTCP_SKB_CB(skb)->end_seq, ack))
			break;
		__skb_unlink(skb, &xs->rtx_queue);
		xtcp_free_skb(sk, skb);
		freed = true;
	}
	return freed;
}

static void xtcp_new_ack(struct sock *sk, u32 ack)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->snd_una = ack;
	icsk->icsk_retransmits = 0;
	icsk->icsk_backoff = 0;
	icsk->icsk_rto = XTCP_TIMEOUT_INIT;
	if (xtcp_clean_rtx_queue(sk, ack)) {
		sk_mem_reclaim(sk);
		sk->sk_write_space(sk);
	}
	if (skb_queue_empty(&xs->rtx_queue))
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
	else
		xtcp_reset_rtx_timer(sk);
}

/* Take SND.WND from @cb's segment, remembering which one set it. */
static void xtcp_set_window(struct xtcp_sock *xs, const struct xtcp_skb_cb *cb)
{
	xs->snd_wnd = cb->window;
	xs->snd_wl1 = cb->seq;
	xs->snd_wl2 = cb->ack_seq;
	xs->max_window = max(xs->max_window, xs->snd_wnd);
}

/* RFC 9293: update SND.WND from a segment that is not older news. */
static void xtcp_update_window(struct xtcp_sock *xs,
			       const struct xtcp_skb_cb *cb)
{
	if (xtcp_before(xs->snd_wl1, cb->seq) ||
	    (xs->snd_wl1 == cb->seq && !xtcp_before(cb->ack_seq, xs->snd_wl2)))
		xtcp_set_window(xs, cb);
}

static bool xtcp_fin_acked(const struct xtcp_sock *xs)
{
	return xs->fin_queued && xs->snd_una == xs->write_seq;
}

/*
 * The fifth check: the ACK field.  Returns false when processing of the
 * segment must stop (it was dropped, or the socket is closed and maybe
 * gone).
 */
static bool xtcp_rcv_ack(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ack = cb->ack_seq;

	if (sk->sk_state == TCP_SYN_RECV) {
		if (!xtcp_ack_acceptable(ack, xs->snd_una, xs->snd_nxt)) {
			xtcp_v4_send_reset(sk, skb);
			return false;
		}
		xtcp_established(sk);
		xtcp_set_window(xs, cb);
		xtcp_new_ack(sk, ack);
		xtcp_sync_mss(sk);
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
		return true;
	}

	if (xtcp_after(ack, xs->snd_nxt)) {
		/* Acknowledges what we never sent. */
		xtcp_send_ack(sk);
		return false;
	}
	if (xtcp_before(ack, xs->snd_una - xs->max_window)) {
		/* RFC 5961 section 5.2: too old to be a real ACK. */
		xtcp_send_ack(sk);
		return false;
	}
	/* A valid ACK: the peer is alive (keepalive's measure). */
	xs->rcv_tstamp = jiffies;
	inet_csk(sk)->icsk_probes_out = 0;
	if (xtcp_after(ack, xs->snd_una))
		xtcp_new_ack(sk, ack);
	if (!xtcp_before(ack, xs->snd_una))
		xtcp_update_window(xs, cb);

	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		if (xtcp_fin_acked(xs)) {
			xtcp_set_state(sk, TCP_FIN_WAIT2);
			sk->sk_shutdown |= SEND_SHUTDOWN;
			if (!sock_flag(sk, SOCK_DEAD))
				sk->sk_state_change(sk);
			else
				inet_csk_reset_keepalive_timer(sk,
							       xtcp_fin_timeout(sk));
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
	xtcp_sk(sk)->rcv_nxt++;
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

/*
 * The sixth and eighth steps: segment text and FIN.  In-order data goes
 * to the receive queue; out-of-order segments are dropped with an
 * immediate ACK (reassembly comes with the reliable stream work).
 * Consumes @skb.
 */
static void xtcp_data_queue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool fin = cb->flags & XTCP_FLAG_FIN;
	bool queued = false, over = false;

	__skb_pull(skb, xtcp_hdr(skb)->doff * 4);
	if (!skb->len && !fin)
		goto drop;

	if (cb->seq != xs->rcv_nxt) {
		u32 old = xs->rcv_nxt - cb->seq;

		if (xtcp_after(cb->seq, xs->rcv_nxt)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OOODROPS);
			xtcp_send_ack(sk);
			goto drop;
		}
		/* Starts before RCV.NXT: keep only what is new. */
		if (old > skb->len || (old == skb->len && !fin))
			goto drop;
		if (!pskb_pull(skb, old))
			goto drop;
		cb->seq = xs->rcv_nxt;
	}

	if (skb->len) {
		if (atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf) ||
		    !sk_rmem_schedule(sk, skb, skb->truesize)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVQDROPS);
			xtcp_send_ack(sk);
			goto drop;
		}
		skb_dst_drop(skb);
		skb_set_owner_r(skb, sk);
		__skb_queue_tail(&sk->sk_receive_queue, skb);
		xs->rcv_nxt += skb->len;
		queued = true;
	}
	if (fin)
		over = xtcp_rcv_fin(sk);

	xtcp_send_ack(sk);
	if (queued && !sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
	if (over)
		xtcp_time_wait(sk);
	if (queued)
		return;
drop:
	consume_skb(skb);
}

/* SYN-SENT: RFC 9293 section 3.10.7.3.  Consumes @skb. */
static void xtcp_rcv_synsent(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcphdr *th = xtcp_hdr(skb);
	struct xtcp_opts opts;

	if (cb->flags & XTCP_FLAG_ACK) {
		if (!xtcp_after(cb->ack_seq, xs->iss) ||
		    xtcp_after(cb->ack_seq, xs->snd_nxt)) {
			if (!(cb->flags & XTCP_FLAG_RST))
				xtcp_v4_send_reset(sk, skb);
			goto discard;
		}
	}
	if (cb->flags & XTCP_FLAG_RST) {
		if (cb->flags & XTCP_FLAG_ACK)
			xtcp_reset(sk);
		goto discard;
	}
	if (!(cb->flags & XTCP_FLAG_SYN))
		goto discard;

	if (xtcp_parse_options((const u8 *)(th + 1),
			       th->doff * 4 - sizeof(*th), &opts))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BADOPTS);
	xs->rx_mss = opts.mss;
	xtcp_init_peer(xs, cb->seq, cb->window);
	xs->snd_wl2 = cb->ack_seq;

	if (cb->flags & XTCP_FLAG_ACK) {
		xtcp_established(sk);
		xtcp_new_ack(sk, cb->ack_seq);
		xtcp_sync_mss(sk);
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
		xtcp_sync_mss(sk);
		xtcp_send_synack_sk(sk);
		xtcp_reset_rtx_timer(sk);
	}
discard:
	consume_skb(skb);
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
 * Segment arrival for a full socket in any state but LISTEN: RFC 9293
 * section 3.10.7.  Caller holds the socket lock (bh or owner).  Consumes
 * @skb.
 */
void xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 flags = cb->flags;

	switch (sk->sk_state) {
	case TCP_CLOSE:
		goto discard;
	case TCP_SYN_SENT:
		xtcp_rcv_synsent(sk, skb);
		return;
	}

	if (xtcp_is_simopen_synack(sk, cb)) {
		if (xtcp_rcv_ack(sk, skb))
			xtcp_send_ack(sk);
		goto discard;
	}

	/* First: is the sequence number acceptable? */
	if (!xtcp_seq_acceptable(cb->seq, cb->end_seq - cb->seq, xs->rcv_nxt,
				 xtcp_receive_window(xs))) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_UNACCEPTABLE);
		if (!(flags & XTCP_FLAG_RST)) {
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
			xtcp_reset(sk);
		} else {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_CHALLENGEACKS);
			xtcp_send_ack(sk);
		}
		goto discard;
	}

	/* Fourth: a SYN in a synchronized state gets a challenge ACK. */
	if (flags & XTCP_FLAG_SYN) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_CHALLENGEACKS);
		xtcp_send_ack(sk);
		goto discard;
	}

	/* Fifth: the ACK field. */
	if (!(flags & XTCP_FLAG_ACK))
		goto discard;
	if (!xtcp_rcv_ack(sk, skb))
		goto discard;

	/* Sixth to eighth: text and FIN, in the states that take them. */
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
		xtcp_write_xmit(sk);
		return;
	}
	xtcp_write_xmit(sk);
discard:
	consume_skb(skb);
}

/* LISTEN: RFC 9293 section 3.10.7.2.  Consumes @skb. */
static void xtcp_rcv_listen(struct sock *sk, struct sk_buff *skb)
{
	u8 flags = XTCP_SKB_CB(skb)->flags;

	if (flags & XTCP_FLAG_RST)
		goto discard;
	if (flags & XTCP_FLAG_ACK) {
		xtcp_v4_send_reset(sk, skb);
		goto discard;
	}
	if ((flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)) == XTCP_FLAG_SYN)
		xtcp_conn_request(sk, skb);
discard:
	consume_skb(skb);
}

/* Segment processing under the socket lock; also the backlog handler. */
int xtcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_state == TCP_LISTEN)
		xtcp_rcv_listen(sk, skb);
	else
		xtcp_rcv_state_process(sk, skb);
	return 0;
}

/* Fill the control block from a header already checked and pulled. */
static void xtcp_fill_cb(struct sk_buff *skb, const struct xtcphdr *th)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	cb->ack_seq = ntohl(th->ack_seq);
	cb->window = ntohs(th->window);
	cb->flags = xtcp_flag_byte(th);
}

/* A segment for a request sock: the handshake's third step. */
static void xtcp_rcv_for_req(struct sock *sk, struct sk_buff *skb)
{
	struct request_sock *req = inet_reqsk(sk);
	struct sock *listener = req->rsk_listener;
	struct sock *child;

	sock_hold(listener);
	child = xtcp_check_req(listener, skb, req);
	if (child) {
		/* Our lookup reference now belongs to the accept queue. */
		xtcp_child_process(listener, child, skb);
	} else {
		reqsk_put(req);
		kfree_skb(skb);
	}
	sock_put(listener);
}

/*
 * IP hands us every datagram of our protocol here, in softirq context.
 * Always returns 0: a negative value would ask IP to resubmit.
 */
int xtcp_v4_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const struct xtcphdr *th;
	bool refcounted;
	struct sock *sk;

	if (skb->pkt_type != PACKET_HOST)
		goto discard;
	XTCP_INC_STATS(net, XTCP_MIB_INSEGS);

	if (!pskb_may_pull(skb, sizeof(struct xtcphdr)))
		goto bad_hdr;
	th = (const struct xtcphdr *)skb->data;
	if (th->doff < sizeof(struct xtcphdr) / 4)
		goto bad_hdr;
	if (!pskb_may_pull(skb, th->doff * 4))
		goto bad_hdr;
	if (skb_checksum_validate(skb, xtcp_proto_num, inet_compute_pseudo))
		goto csum_error;

	th = (const struct xtcphdr *)skb->data;
	xtcp_fill_cb(skb, th);

lookup:
	sk = __inet_lookup_skb(&xtcp_hashinfo, skb, th->doff * 4, th->source,
			       th->dest, inet_sdif(skb), &refcounted);
	if (!sk)
		goto no_socket;

	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		struct request_sock *req = inet_reqsk(sk);

		if (unlikely(req->rsk_listener->sk_state != TCP_LISTEN)) {
			inet_csk_reqsk_queue_drop_and_put(req->rsk_listener, req);
			goto lookup;
		}
		xtcp_rcv_for_req(sk, skb);
		return 0;
	}
	if (sk->sk_state == TCP_TIME_WAIT) {
		struct inet_timewait_sock *tw = inet_twsk(sk);

		switch (xtcp_tw_rcv(tw, skb)) {
		case XTCP_TW_SYN:
			sk = inet_lookup_listener(net, &xtcp_hashinfo, skb,
						  th->doff * 4,
						  ip_hdr(skb)->saddr, th->source,
						  ip_hdr(skb)->daddr, th->dest,
						  inet_iif(skb), inet_sdif(skb));
			if (sk) {
				/* A new incarnation: the old one makes way. */
				XTCP_INC_STATS(net, XTCP_MIB_TWRECYCLED);
				inet_twsk_deschedule_put(tw);
				refcounted = false;
				goto process;
			}
			fallthrough;
		case XTCP_TW_ACK:
			xtcp_tw_send_ack(tw, skb);
			break;
		case XTCP_TW_KILL:
			XTCP_INC_STATS(net, XTCP_MIB_TWKILLED);
			inet_twsk_deschedule_put(tw);
			goto discard;
		case XTCP_TW_DROP:
			break;
		}
		inet_twsk_put(tw);
		goto discard;
	}

process:
	if (sk_filter(sk, skb))
		goto discard_and_relse;

	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		xtcp_v4_do_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
				  READ_ONCE(sk->sk_sndbuf))) {
		bh_unlock_sock(sk);
		XTCP_INC_STATS(net, XTCP_MIB_RCVQDROPS);
		goto discard_and_relse;
	}
	bh_unlock_sock(sk);
	if (refcounted)
		sock_put(sk);
	return 0;

no_socket:
	XTCP_INC_STATS(net, XTCP_MIB_NOSOCKET);
	xtcp_v4_send_reset(NULL, skb);
	goto discard;

csum_error:
	XTCP_INC_STATS(net, XTCP_MIB_CSUMERRORS);
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
	goto discard;
bad_hdr:
	XTCP_INC_STATS(net, XTCP_MIB_BADHDR);
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
discard:
	kfree_skb(skb);
	return 0;

discard_and_relse:
	if (refcounted)
		sock_put(sk);
	goto discard;
}
