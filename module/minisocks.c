// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp's lightweight sockets.  Passive open: a listener's SYN handling,
 * request socks, and the birth of a child socket when the handshake's ACK
 * arrives (the child's creation, xtcp_v4_syn_recv_sock(), and the SYN
 * cookie check are ipv4.c's).  TIME-WAIT: the timewait sock that
 * outlives a closed connection for 2*MSL.  Request socks are the
 * kernel's (inet_connection_sock): hashed in the established table, timed
 * by the kernel's request timer, queued on the listener's accept queue.
 * What they do on the wire is ours.
 */
#include <linux/module.h>
#include <net/inet_common.h>
#include <net/inet_connection_sock.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "xtcp.h"
#include "trace.h"

/* request_sock_ops' rtx_syn_ack: the kernel's request timer resends. */
int xtcp_rtx_synack(const struct sock *sk, struct request_sock *req)
{
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNACKRETRANS);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RETRANSSEGS);
	trace_xtcp_retransmit_synack(sk, req);
	/* Another path for the retry, if the listener allows (as TCP). */
	if (READ_ONCE(sk->sk_txrehash) == SOCK_TXREHASH_ENABLED)
		WRITE_ONCE(xtcp_rsk(req)->txhash, net_tx_rndhash());
	return xtcp_rsk(req)->af_specific->send_synack(sk, req);
}

/*
 * Called by the kernel's request timer each time it fires: keep the
 * listener's retry limit, which the timer reads next time, in step with
 * TCP_SYNCNT or the sysctl.
 */
void xtcp_syn_ack_timeout(const struct request_sock *req)
{
	struct sock *listener = req->rsk_listener;

	WRITE_ONCE(inet_csk(listener)->icsk_syn_retries,
		   READ_ONCE(xtcp_sk(listener)->syn_retries) ? :
		   READ_ONCE(xtcp_pernet(sock_net(listener))->sysctl_synack_retries));
}

/*
 * A new request, from the segment @skb that made it (a SYN, or the ACK
 * of a SYN cookie): its addresses and ports, and every option bit and
 * field ours cleared.  Request socks come from a SLAB_TYPESAFE_BY_RCU
 * cache that is not zeroed: whatever is not set here is the last
 * request's, possibly an attacker's (as tcp_openreq_init() clears them).
 * The addresses come from the family's @af_ops, which the request keeps.
 */
void xtcp_openreq_init(const struct xtcp_request_sock_af_ops *af_ops,
		       const struct sock *sk, struct request_sock *req,
		       struct sk_buff *skb)
{
	struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	const struct xtcphdr *th = xtcp_hdr(skb);

	xreq->af_specific = af_ops;
	ireq->ir_rmt_port = th->source;
	ireq->ir_num = ntohs(th->dest);
	ireq->ir_mark = inet_request_mark(sk, skb);
	ireq->ir_iif = inet_request_bound_dev_if(sk, skb);
	RCU_INIT_POINTER(ireq->ireq_opt, NULL);
	/* After: IPv6's may set the interface of a link-local peer. */
	af_ops->init_req(req, skb);
	ireq->snd_wscale = 0;
	ireq->rcv_wscale = 0;
	ireq->tstamp_ok = 0;
	ireq->sack_ok = 0;
	ireq->wscale_ok = 0;
	ireq->ecn_ok = 0;
	ireq->acked = 0;
	ireq->no_srccheck = 0;
#if IS_ENABLED(CONFIG_SMC)
	ireq->smc_ok = 0;
#endif
	req->mss = 0;
	req->rsk_rcv_wnd = 0;
	req->ts_recent = 0;
	xreq->rcv_isn = 0;
	xreq->snt_isn = 0;
	xreq->snd_wnd = 0;
	xreq->rcv_wnd = 0;
	xreq->mss = 0;
	xreq->synack_mss = 0;
	xreq->synack_us = 0;
	xreq->last_oow_ack_time = 0;
	xreq->ts_off = 0;
	xreq->ts_cookie = 0;
	xreq->ts_cookie_ok = false;
}

/**
 * xtcp_oow_rate_limited() - whether to skip an out-of-window segment's ACK
 * @net: the namespace (its net.xtcp.invalid_ratelimit, its counter)
 * @skb: the segment that would be answered
 * @last: when the last such ACK went, in jiffies (0: never); updated
 *	  when this one may go
 *
 * As tcp_oow_rate_limited(): one per net.xtcp.invalid_ratelimit ms per
 * connection, so that two ends which disagree about a window (after a
 * forged segment, or a middlebox's) cannot ACK each other at full speed
 * forever.  A segment with data and no SYN is no ACK loop's and always
 * gets its ACK.  A skipped ACK counts in OutOfWindowAcksSkipped.
 *
 * Context: softirq or the backlog; *@last is a full socket's (socket
 * locked), a request sock's or a timewait sock's (no lock: a race costs
 * one ACK more or less).
 * Return: true if the ACK is to be skipped.
 */
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   u32 *last)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 now = (u32)jiffies, limit;

	if (cb->seq != cb->end_seq && !(cb->flags & XTCP_FLAG_SYN))
		return false;
	limit = msecs_to_jiffies(READ_ONCE(xtcp_pernet(net)->sysctl_invalid_ratelimit));
	if (*last && (s32)(now - *last) >= 0 && now - *last < limit) {
		XTCP_INC_STATS(net, XTCP_MIB_ACKSKIPPED);
		return true;
	}
	/* 0 means never: a real time of 0 counts as the tick after. */
	*last = now ? : 1;
	return false;
}

/**
 * xtcp_create_openreq_child() - the child a completed handshake makes
 * @sk: the listener
 * @req: the request sock the handshake's ACK completed
 *
 * The listener cloned (inet_csk_clone_lock()), and the clone's
 * xtcp_sock made the connection's from @req, as
 * tcp_create_openreq_child() does: the family's syn_recv_sock sets the
 * addresses, af_ops and the route after it.
 *
 * Context: softirq, listener not locked.
 * Return: the child, locked (bh), in SYN-RECEIVED; NULL without memory.
 */
struct sock *xtcp_create_openreq_child(const struct sock *sk,
				       struct request_sock *req)
{
	struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct xtcp_sock *newxs;
	struct sock *newsk;

	newsk = inet_csk_clone_lock(sk, req, GFP_ATOMIC);
	if (!newsk)
		return NULL;
	/* The listener's algorithm, now held for the child too. */
	if (!xtcp_cong_hold(xtcp_sk(newsk)->ca_choice))
		xtcp_sk(newsk)->ca_choice = xtcp_cong_default;
	inet_csk(newsk)->icsk_rto = XTCP_TIMEOUT_INIT;

	/*
	 * The clone copied the listener's xtcp_sock: its options (TCP_NODELAY,
	 * TCP_MAXSEG, keepalive) are inherited, its queues and state are not.
	 */
	newxs = xtcp_sk(newsk);
	newxs->rtx_queue = RB_ROOT;
	INIT_LIST_HEAD(&newxs->tsorted_sent_queue);
	INIT_LIST_HEAD(&newxs->tsq_node);
	newxs->out_of_order_queue = RB_ROOT;
	newxs->ooo_last_skb = NULL;
	newxs->num_sacks = 0;
	newxs->dsack = 0;
	xtcp_init_xmit_timers(newsk);
	memset(&newxs->rtt, 0, sizeof(newxs->rtt));
	/* TCP_INFO counts the SYN that made the request (TCP's). */
	xtcp_info_reset(newxs);
	WRITE_ONCE(newxs->segs_in, 1);
	/* Karn: a SYN-ACK sent once gives the first RTT sample (not a cookie's). */
	if (!req->num_retrans && xreq->synack_us)
		xtcp_rtt_measured(newxs, xtcp_clock_us() - xreq->synack_us);
	newxs->wscale_ok = ireq->wscale_ok;
	newxs->snd_wscale = ireq->snd_wscale;
	newxs->rcv_wscale = ireq->rcv_wscale;
	newxs->sack_ok = ireq->sack_ok;
	/*
	 * Timestamps: the SYN's TSval is the first to echo, stored now
	 * (tcp_create_openreq_child()); the handshake's ACK replaces it.
	 */
	newxs->ts_ok = ireq->tstamp_ok;
	newxs->ts_offset = ireq->tstamp_ok ? xreq->ts_off : 0;
	newxs->ts_recent = ireq->tstamp_ok ? req->ts_recent : 0;
	newxs->ts_recent_stamp = ireq->tstamp_ok ? ktime_get_seconds() : 0;
	newxs->saw_tstamp = 0;
	newxs->ecn_flags = ireq->ecn_ok ? XTCP_ECN_OK : 0;
	newxs->sacked_out = 0;
	newxs->packets_out = 0;
	newxs->lost_out = 0;
	newxs->rcv_unacked = 0;
	newxs->last_oow_ack_time = 0;
	WRITE_ONCE(newxs->mtu_info, 0);
	newxs->iss = xreq->snt_isn;
	/* Our SYN-ACK is unacknowledged until the ACK being processed. */
	WRITE_ONCE(newxs->snd_una, xreq->snt_isn);
	newxs->snd_up = xreq->snt_isn;
	WRITE_ONCE(newxs->urg_data, 0);
	WRITE_ONCE(newxs->snd_nxt, xreq->snt_isn + 1);
	WRITE_ONCE(newxs->write_seq, newxs->snd_nxt);
	newxs->pushed_seq = newxs->write_seq;
	xtcp_init_peer(newxs, xreq->rcv_isn, xreq->snd_wnd);
	newxs->snd_wl2 = newxs->snd_nxt;
	newxs->snd_sml = newxs->snd_nxt;
	newxs->rcv_wnd = xreq->rcv_wnd;
	newxs->rcv_ssthresh = xreq->rcv_wnd;	/* as tcp_create_openreq_child() */
	newxs->rx_mss = xreq->mss;
	newxs->fin_queued = 0;

	newsk->sk_txhash = READ_ONCE(xreq->txhash);

	return newsk;
}

/**
 * xtcp_conn_request() - a SYN reached a listener: make a request sock
 * @rsk_ops: the family's request sock operations (the cache it comes from)
 * @af_ops: the family's part of the work: addresses, ISN, cookie, SYN-ACK
 * @sk: the listener
 * @skb: the SYN; not consumed
 *
 * The request is hashed (so the ACK finds it) before the SYN-ACK goes
 * out; the kernel's request timer resends the SYN-ACK with backoff from
 * the initial RTO.  A full accept queue drops the SYN, and the peer's
 * retransmission tries again.  A full SYN queue does too, unless
 * net.xtcp.syncookies allows a SYN cookie (always, at 2): then the
 * SYN-ACK's ISN carries what the request would have kept (syncookie.c)
 * and nothing is kept.  Window scaling, SACK and ECN go in the low bits
 * of its TSval if the SYN had timestamps, as TCP's; else the cookie's
 * SYN-ACK offers none of them.  The same SYN handled at once on two
 * CPUs makes one request.
 *
 * Context: softirq (BHs off), listener not locked (xtcp_rcv_listen()).
 * Return: 0 (a dropped SYN counts in ListenDrops).
 */
int xtcp_conn_request(struct request_sock_ops *rsk_ops,
		      const struct xtcp_request_sock_af_ops *af_ops,
		      struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct xtcphdr *th = xtcp_hdr(skb);
	struct net *net = sock_net(sk);
	struct xtcp_request_sock *xreq;
	struct inet_request_sock *ireq;
	int syncookies = READ_ONCE(xtcp_pernet(net)->sysctl_syncookies);
	bool want_cookie = syncookies == 2;
	int why = XTCP_REQ_DROP_NOMEM;
	struct request_sock *req;
	struct xtcp_opts opts;

	if (!want_cookie && inet_csk_reqsk_queue_is_full(sk)) {
		if (!syncookies) {
			XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
			why = XTCP_REQ_DROP_SYNQ_FULL;
			goto drop;
		}
		want_cookie = true;
	}
	if (sk_acceptq_is_full(sk)) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
		why = XTCP_REQ_DROP_ACCEPTQ_FULL;
		goto drop;
	}

	/* A cookie's request lives only to build the SYN-ACK. */
	req = inet_reqsk_alloc(rsk_ops, sk, !want_cookie);
	if (!req)
		goto drop;

	if (xtcp_parse_options((const u8 *)(th + 1),
			       th->doff * 4 - sizeof(*th), &opts))
		XTCP_INC_STATS(net, XTCP_MIB_BADOPTS);

	ireq = inet_rsk(req);
	xtcp_openreq_init(af_ops, sk, req, skb);

	xreq = xtcp_rsk(req);
	xreq->rcv_isn = cb->seq;
	xreq->snt_isn = af_ops->init_seq(skb);
	xreq->snd_wnd = cb->window;
	xreq->mss = opts.mss;
	/* RFC 7323: scale only if the SYN offered it; ours comes back. */
	ireq->wscale_ok = opts.wscale_ok;
	ireq->snd_wscale = opts.wscale_ok ? opts.wscale : 0;
	ireq->rcv_wscale = opts.wscale_ok ? xtcp_choose_rcv_wscale(sk) : 0;
	ireq->sack_ok = opts.sack_ok && READ_ONCE(xtcp_pernet(net)->sysctl_sack);
	/*
	 * Timestamps (RFC 7323 section 3.2): answered only if the SYN
	 * carried them and net.xtcp.timestamps allows.
	 */
	ireq->tstamp_ok = opts.saw_tstamp &&
			  READ_ONCE(xtcp_pernet(net)->sysctl_timestamps);
	if (ireq->tstamp_ok) {
		req->ts_recent = opts.rcv_tsval;
		xreq->ts_off = af_ops->init_ts_off(net, skb);
	}
	/*
	 * ECN (RFC 3168 section 6.1.1): asked for with ECE and CWR, granted
	 * unless net.xtcp.ecn is 0 or the SYN came marked ECT or CE (a path
	 * that rewrites the field), as tcp_ecn_create_request().
	 */
	ireq->ecn_ok = (cb->flags & (XTCP_FLAG_ECE | XTCP_FLAG_CWR)) ==
		       (XTCP_FLAG_ECE | XTCP_FLAG_CWR) &&
		       READ_ONCE(xtcp_pernet(net)->sysctl_ecn) &&
		       INET_ECN_is_not_ect(cb->ip_dsfield);
	xreq->synack_us = xtcp_clock_us();
	req->timeout = XTCP_TIMEOUT_INIT;

	if (want_cookie) {
		u32 count = jiffies / (60 * HZ);
		u32 index = xtcp_cookie_mss_index(opts.mss ?: XTCP_MSS_DEFAULT);
		u32 h1 = af_ops->cookie_hash(skb, 0, 0);
		u32 h2 = af_ops->cookie_hash(skb, count, 1);

		xreq->mss = xtcp_cookie_mss[index];
		xreq->snt_isn = xtcp_cookie_make(h1, h2, cb->seq, count, index);
		if (ireq->tstamp_ok) {
			/*
			 * The TSval keeps what the ISN has no room for, as
			 * cookie_init_timestamp(): the ACK's TSecr brings
			 * it back.
			 */
			struct xtcp_cookie_opts co = {
				.snd_wscale = ireq->wscale_ok ?
					      ireq->snd_wscale : XTCP_NO_WSCALE,
				.sack = ireq->sack_ok,
				.ecn = ireq->ecn_ok,
			};

			xreq->ts_cookie = xtcp_cookie_tsval(xtcp_clock_ms(), &co);
			xreq->ts_cookie_ok = true;
		} else {
			ireq->wscale_ok = 0;
			ireq->snd_wscale = 0;
			ireq->rcv_wscale = 0;
			ireq->sack_ok = 0;
			/* Nowhere to keep it either: no ECN. */
			ireq->ecn_ok = 0;
		}
		/* Cookies are accepted for a while after the last one sent. */
		WRITE_ONCE(xtcp_sk(sk)->synq_overflow, jiffies);
		trace_xtcp_request(sk, skb, XTCP_REQ_COOKIE_SENT,
				   xreq->snt_isn, xreq->mss);
		af_ops->send_synack(sk, req);
		XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESSENT);
		reqsk_free(req);
		return 0;
	}

	/*
	 * The same SYN handled at once on two CPUs: the second request finds
	 * the first in the table and is not inserted.  It was never hashed
	 * nor counted, and holds only the listener (tcp_conn_request()).
	 */
	if (!inet_csk_reqsk_queue_hash_add(sk, req, XTCP_TIMEOUT_INIT)) {
		XTCP_INC_STATS(net, XTCP_MIB_REQDUPS);
		trace_xtcp_request(sk, skb, XTCP_REQ_DUP, xreq->snt_isn,
				   xreq->mss);
		reqsk_free(req);
		return 0;
	}
	trace_xtcp_request(sk, skb, XTCP_REQ_QUEUED, xreq->snt_isn, xreq->mss);
	af_ops->send_synack(sk, req);
	reqsk_put(req);
	return 0;

drop:
	XTCP_INC_STATS(net, XTCP_MIB_LISTENDROPS);
	trace_xtcp_request(sk, skb, why, 0, 0);
	return 0;
}

/**
 * xtcp_check_req() - a segment for a request sock (RFC 9293 SYN-RECEIVED)
 * @sk: the listener
 * @skb: the segment; not consumed
 * @req: the request sock it matched
 *
 * A retransmitted SYN gets the SYN-ACK again; an unacceptable segment
 * an ACK (rate limited); an acceptable RST drops the request, a new SYN
 * resets it; an ACK of our SYN-ACK makes the child, unless
 * TCP_DEFER_ACCEPT waits for data.
 *
 * Context: softirq; the listener is not locked: the accept queue has its
 * own lock.
 * Return: the new child, locked (bh), when the segment completes the
 * handshake; NULL when the segment was answered or dropped (the caller
 * frees it).
 */
struct sock *xtcp_check_req(struct sock *sk, struct sk_buff *skb,
			    struct request_sock *req)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	const struct xtcphdr *th = xtcp_hdr(skb);
	bool own_req = false, saw_ts, paws_reject = false;
	struct xtcp_opts opts;
	struct sock *child;

	/*
	 * PAWS (RFC 7323 section 5.3) before anything else, as
	 * tcp_check_req(): a TSval behind the one the SYN brought is an
	 * old duplicate, even one that would complete the handshake.  No
	 * window: the SYN's TSval is the only one seen.  When it came is
	 * not kept but guessed from how long the SYN-ACK has been resent;
	 * a RST that old is taken whatever its TSval, as
	 * tcp_paws_reject() lets one through after TCP_PAWS_MSL: a peer
	 * that rebooted, its clock with it, can still reset.
	 */
	saw_ts = inet_rsk(req)->tstamp_ok && th->doff > sizeof(*th) / 4 &&
		 !xtcp_parse_options((const u8 *)(th + 1),
				     th->doff * 4 - sizeof(*th), &opts) &&
		 opts.saw_tstamp;
	if (saw_ts) {
		u32 age = reqsk_timeout(req, XTCP_RTO_MAX) / HZ;

		paws_reject = !xtcp_paws_ok(req->ts_recent,
					    (u32)ktime_get_seconds() - age,
					    opts.rcv_tsval, 0) &&
			      !((cb->flags & XTCP_FLAG_RST) &&
				age >= XTCP_PAWS_MSL);
	}

	/* A retransmitted SYN: our SYN-ACK was lost, send it again. */
	if (cb->flags == XTCP_FLAG_SYN && cb->seq == xreq->rcv_isn &&
	    !paws_reject) {
		inet_rtx_syn_ack(sk, req);
		return NULL;
	}

	/*
	 * Unacceptable, or rejected by PAWS: an ACK says where we are
	 * (rate limited), and the segment is dropped.
	 */
	if (paws_reject ||
	    !xtcp_seq_acceptable(cb->seq, cb->end_seq - cb->seq,
				 xreq->rcv_isn + 1, xreq->rcv_wnd)) {
		XTCP_INC_STATS(sock_net(sk), paws_reject ?
			       XTCP_MIB_PAWSESTAB : XTCP_MIB_UNACCEPTABLE);
		if (!(cb->flags & XTCP_FLAG_RST) &&
		    !xtcp_oow_rate_limited(sock_net(sk), skb,
					   &xreq->last_oow_ack_time))
			req->rsk_ops->send_ack(sk, skb, req);
		return NULL;
	}
	/* In order and past PAWS: its TSval is the one to echo now. */
	if (saw_ts && !xtcp_after(cb->seq, xreq->rcv_isn + 1))
		req->ts_recent = opts.rcv_tsval;

	/*
	 * An acceptable RST returns us to LISTEN; a new SYN here is not the
	 * peer we knew, so the embryo is reset (Linux's choice).
	 */
	if (cb->flags & (XTCP_FLAG_RST | XTCP_FLAG_SYN)) {
		if (!(cb->flags & XTCP_FLAG_RST))
			req->rsk_ops->send_reset(sk, skb);
		inet_csk_reqsk_queue_drop(sk, req);
		return NULL;
	}

	if (!(cb->flags & XTCP_FLAG_ACK))
		return NULL;
	if (cb->ack_seq != xreq->snt_isn + 1) {
		/* Not an ACK of our SYN-ACK: an old duplicate. */
		req->rsk_ops->send_reset(sk, skb);
		return NULL;
	}
	/*
	 * TCP_DEFER_ACCEPT: a bare ACK makes no connection yet, data does.
	 * The kernel's request timer keeps the request (acked) for the
	 * period without resending, then resends the SYN-ACK once: the
	 * peer's ACK to it, past the period, makes the connection.
	 */
	if (req->num_timeout <
	    READ_ONCE(inet_csk(sk)->icsk_accept_queue.rskq_defer_accept) &&
	    cb->end_seq == xreq->rcv_isn + 1) {
		inet_rsk(req)->acked = 1;
		return NULL;
	}

	child = inet_csk(sk)->icsk_af_ops->syn_recv_sock(sk, skb, req, NULL,
							 req, &own_req, NULL);
	if (!child) {
		/* Accept queue full: drop the ACK; the SYN-ACK timer retries. */
		inet_rsk(req)->acked = 1;
		return NULL;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PASSIVEOPENS);
	return inet_csk_complete_hashdance(sk, child, req, own_req);
}

/**
 * xtcp_child_process() - let the new child process the ACK that created it
 * @parent: the listener, whose accept() is woken if the child left
 *	    SYN-RECEIVED
 * @child: the child, locked (bh), with a reference the call drops
 * @skb: the ACK; consumed (processed, or queued on the child's backlog
 *	 if a user holds the child already)
 *
 * The ACK counts as the child's (tcp_child_process()).  Unlocks the
 * child on return.
 *
 * Context: softirq, listener not locked.
 */
void xtcp_child_process(struct sock *parent, struct sock *child,
			struct sk_buff *skb)
{
	int state = child->sk_state;

	/* The ACK that made it counts as the child's (tcp_child_process()). */
	xtcp_segs_in(xtcp_sk(child), skb);
	if (!sock_owned_by_user(child)) {
		xtcp_rcv_state_process(child, skb);
		if (state == TCP_SYN_RECV && child->sk_state != state)
			parent->sk_data_ready(parent);
	} else {
		__sk_add_backlog(child, skb);
	}
	bh_unlock_sock(child);
	sock_put(child);
}

/* No second incarnation of a 4-tuple in TIME-WAIT from our side. */
static int xtcp_twsk_unique(struct sock *sk, struct sock *sktw, void *twp)
{
	return 0;
}

/*
 * A timewait sock is freed (its timer, a purge, or a SYN that reopened
 * the 4-tuple): the connection's own UDP socket goes with it (udp.c).
 * Context: any (inet_twsk_free()).
 */
static void xtcp_twsk_destructor(struct sock *sk)
{
	xtcp_encap_sock_put(xtcp_twsk(sk)->xtw_encap_sock);
}

struct timewait_sock_ops xtcp_timewait_sock_ops = {
	.twsk_obj_size	= sizeof(struct xtcp_timewait_sock),
	.twsk_unique	= xtcp_twsk_unique,
	.twsk_destructor = xtcp_twsk_destructor,
};

#if IS_ENABLED(CONFIG_IPV6)
/* IPv6's: the same, with a slab of its own (proto_register() makes it). */
struct timewait_sock_ops xtcp6_timewait_sock_ops = {
	.twsk_obj_size	= sizeof(struct xtcp_timewait_sock),
	.twsk_unique	= xtcp_twsk_unique,
	.twsk_destructor = xtcp_twsk_destructor,
};
#endif

/**
 * xtcp_tw_segment() - what a segment that found a timewait sock leads to
 * @tw: the timewait sock; its reference (the lookup's) is dropped here
 * @skb: the segment, its control block filled in
 * @listener: the family's listener lookup for a SYN that may reuse the
 *	      4-tuple
 * @send_ack: the family's TIME-WAIT ACK
 *
 * xtcp_tw_rcv()'s verdict carried out: an ACK, the end of TIME-WAIT, or
 * a new incarnation, for which the old one makes way.  Shared by both
 * families' receive entries.
 *
 * Context: softirq.
 * Return: the listener a SYN goes to (no reference taken: the caller
 * processes it with refcounted false), or NULL once @skb is consumed.
 */
struct sock *xtcp_tw_segment(struct inet_timewait_sock *tw, struct sk_buff *skb,
			     struct sock *(*listener)(struct sk_buff *skb),
			     void (*send_ack)(struct inet_timewait_sock *tw,
					      struct sk_buff *skb))
{
	struct net *net = twsk_net(tw);
	struct sock *sk;

	switch (xtcp_tw_rcv(tw, skb)) {
	case XTCP_TW_SYN:
		sk = listener(skb);
		if (sk) {
			XTCP_INC_STATS(net, XTCP_MIB_TWRECYCLED);
			inet_twsk_deschedule_put(tw);
			return sk;
		}
		fallthrough;
	case XTCP_TW_ACK:
		send_ack(tw, skb);
		break;
	case XTCP_TW_KILL:
		XTCP_INC_STATS(net, XTCP_MIB_TWKILLED);
		inet_twsk_deschedule_put(tw);
		kfree_skb(skb);
		return NULL;
	case XTCP_TW_DROP:
		break;
	}
	inet_twsk_put(tw);
	kfree_skb(skb);
	return NULL;
}

/**
 * xtcp_child_hash() - a new child's port and place in the established hash
 * @sk: the listener
 * @newsk: the child, bh-locked, its addresses and route set
 * @req_unhash: the request sock it replaces in the hash, or NULL (a SYN
 *		cookie's child)
 * @own_req: set when the child took the request's place
 *
 * The last step of both families' syn_recv_sock.  A SYN cookie's child:
 * two copies of the ACK that both reached the listener make two; the
 * second finds the first in the table, and the kernel has destroyed it
 * already (as TCP's syncookie path).
 *
 * Context: softirq, listener not locked.
 * Return: @newsk, or NULL once it is gone (no port: counted in
 * ListenDrops).
 */
struct sock *xtcp_child_hash(const struct sock *sk, struct sock *newsk,
			     struct request_sock *req_unhash, bool *own_req)
{
	bool found_dup = false;

	if (__inet_inherit_port(sk, newsk) < 0) {
		inet_csk_prepare_forced_close(newsk);
		xtcp_done(newsk);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
		return NULL;
	}
	if (req_unhash) {
		*own_req = inet_ehash_nolisten(newsk, req_to_sk(req_unhash),
					       NULL);
		return newsk;
	}
	*own_req = inet_ehash_nolisten(newsk, NULL, &found_dup);
	if (!*own_req) {
		bh_unlock_sock(newsk);
		sock_put(newsk);
		return NULL;
	}
	return newsk;
}

/*
 * What a cookie's ACK brings back beside the MSS: with timestamps, the
 * window scale, SACK and ECN its TSecr echoes (cookie_timestamp_decode()
 * and cookie_ecn_ok()); without, none of them.
 */
static void xtcp_cookie_ack_options(const struct xtcp_request_sock_af_ops *af_ops,
				    const struct sock *sk,
				    struct request_sock *req,
				    const struct sk_buff *skb)
{
	const struct xtcphdr *th = xtcp_hdr(skb);
	struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct net *net = sock_net(sk);
	struct xtcp_cookie_opts co;
	struct xtcp_opts opts;

	if (xtcp_parse_options((const u8 *)(th + 1),
			       th->doff * 4 - sizeof(*th), &opts))
		XTCP_INC_STATS(net, XTCP_MIB_BADOPTS);
	if (!opts.saw_tstamp ||
	    !READ_ONCE(xtcp_pernet(net)->sysctl_timestamps))
		return;
	xreq->ts_off = af_ops->init_ts_off(net, skb);
	xtcp_cookie_ts_decode(opts.rcv_tsecr - xreq->ts_off, &co);
	ireq->tstamp_ok = 1;
	req->ts_recent = opts.rcv_tsval;
	ireq->wscale_ok = co.snd_wscale != XTCP_NO_WSCALE;
	ireq->snd_wscale = ireq->wscale_ok ? co.snd_wscale : 0;
	ireq->rcv_wscale = ireq->wscale_ok ? xtcp_choose_rcv_wscale(sk) : 0;
	ireq->sack_ok = co.sack && READ_ONCE(xtcp_pernet(net)->sysctl_sack);
	ireq->ecn_ok = co.ecn && READ_ONCE(xtcp_pernet(net)->sysctl_ecn);
}

/**
 * xtcp_cookie_ack() - an ACK reached a listener with no request for it
 * @rsk_ops: the family's request sock operations (the cache it comes from)
 * @af_ops: the family's part: addresses and the cookie's hash
 * @sk: the listener
 * @skb: the ACK; not consumed
 *
 * If the listener sent SYN cookies lately (or always does, at 2) and the
 * ACK returns one of ours, still fresh, the request it stood for is made
 * again from the ACK and the cookie, and the connection is born as from
 * a request sock.
 *
 * Context: softirq (BHs off), listener not locked (xtcp_rcv_listen()).
 * Return: the child, locked (bh), on the accept queue; NULL otherwise
 * (the caller answers with a RST, as before).
 */
struct sock *xtcp_cookie_ack(struct request_sock_ops *rsk_ops,
			     const struct xtcp_request_sock_af_ops *af_ops,
			     struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	int syncookies = READ_ONCE(xtcp_pernet(net)->sysctl_syncookies);
	u32 count = jiffies / (60 * HZ), h1, h2[2];
	struct xtcp_request_sock *xreq;
	struct request_sock *req;
	bool own_req = false;
	struct sock *child;
	int index;

	if (!syncookies ||
	    (cb->flags & (XTCP_FLAG_SYN | XTCP_FLAG_RST | XTCP_FLAG_ACK)) !=
	    XTCP_FLAG_ACK)
		return NULL;
	if (time_after(jiffies, READ_ONCE(xtcp_sk(sk)->synq_overflow) +
		       XTCP_COOKIE_MAX_AGE * 60 * HZ))
		return NULL;
	h1 = af_ops->cookie_hash(skb, 0, 0);
	h2[0] = af_ops->cookie_hash(skb, count, 1);
	h2[1] = af_ops->cookie_hash(skb, count - 1, 1);
	index = xtcp_cookie_check(cb->ack_seq - 1, h1, h2, cb->seq - 1, count);
	if (index < 0) {
		XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESFAILED);
		trace_xtcp_request(sk, skb, XTCP_REQ_COOKIE_BAD, 0, 0);
		return NULL;
	}
	XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESRECV);
	trace_xtcp_request(sk, skb, XTCP_REQ_COOKIE_OK, cb->ack_seq - 1,
			   xtcp_cookie_mss[index]);

	req = inet_reqsk_alloc(rsk_ops, sk, false);
	if (!req)
		return NULL;
	xtcp_openreq_init(af_ops, sk, req, skb);
	xtcp_cookie_ack_options(af_ops, sk, req, skb);
	xreq = xtcp_rsk(req);
	xreq->rcv_isn = cb->seq - 1;
	xreq->snt_isn = cb->ack_seq - 1;
	xreq->snd_wnd = cb->window;
	xreq->mss = xtcp_cookie_mss[index];
	/* What the cookie's SYN-ACK offered, no scaling. */
	xreq->rcv_wnd = xtcp_synack_window(sk, xreq->mss);

	/* The listener's, which knows a v4-mapped child (ipv6.c). */
	child = inet_csk(sk)->icsk_af_ops->syn_recv_sock(sk, skb, req, NULL,
							 NULL, &own_req, NULL);
	if (!child)
		goto free;
	refcount_set(&req->rsk_refcnt, 1);
	if (inet_csk_reqsk_queue_add(sk, req, child)) {
		XTCP_INC_STATS(net, XTCP_MIB_PASSIVEOPENS);
		return child;
	}
	bh_unlock_sock(child);
	sock_put(child);
free:
	__reqsk_free(req);
	return NULL;
}

/**
 * xtcp_time_wait() - enter TIME-WAIT (RFC 9293 section 3.10.7.4)
 * @sk: the socket
 *
 * A timewait sock takes the full socket's place in the hash tables for
 * net.xtcp.tw_timeout seconds and the full socket closes
 * (xtcp_done()).  With no room for one (max buckets), the connection
 * simply closes (TimeWaitOverflows).
 *
 * Context: socket locked (the receive path).
 */
void xtcp_time_wait(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_timewait_sock *tw;

	sock_owned_by_me(sk);

	tw = inet_twsk_alloc(sk, &xn->death_row, TCP_TIME_WAIT);
	if (tw) {
		struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);

		xtw->xtw_rcv_nxt = xs->rcv_nxt;
		xtw->xtw_snd_nxt = xs->snd_nxt;
		xtw->xtw_last_oow_ack_time = 0;
		xtw->xtw_rcv_wnd = min_t(u32, xs->rcv_wnd >> xs->rcv_wscale,
					 U16_MAX);
		xtw->xtw_ts_ok = xs->ts_ok;
		xtw->xtw_ts_offset = xs->ts_offset;
		xtw->xtw_ts_recent = xs->ts_recent;
		xtw->xtw_ts_recent_stamp = xs->ts_recent_stamp;
		xtw->xtw_encap_port = xs->encap_port;
		xtw->xtw_encap_sport = xs->encap_sport;
		/* Its UDP socket, if it has one, receives for TIME-WAIT now. */
		xtw->xtw_encap_sock = xs->encap_sock;
		xs->encap_sock = NULL;
		tw->tw_txhash = sk->sk_txhash;
#if IS_ENABLED(CONFIG_IPV6)
		/* What an IPv6 lookup matches, and its answers' class. */
		if (tw->tw_family == PF_INET6) {
			const struct ipv6_pinfo *np = inet6_sk(sk);

			tw->tw_v6_daddr = sk->sk_v6_daddr;
			tw->tw_v6_rcv_saddr = sk->sk_v6_rcv_saddr;
			tw->tw_tclass = np->tclass;
			tw->tw_flowlabel = be32_to_cpu(np->flow_label &
						       IPV6_FLOWLABEL_MASK);
			tw->tw_ipv6only = sk->sk_ipv6only;
		}
#endif
		local_bh_disable();
		inet_twsk_schedule(tw, READ_ONCE(xn->sysctl_tw_timeout) * HZ);
		/* After this, tw belongs to the tables and its timer. */
		inet_twsk_hashdance(tw, sk, &xtcp_hashinfo);
		local_bh_enable();
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMEWAITS);
	} else {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TWOVERFLOWS);
	}
	xtcp_done(sk);
}

/**
 * xtcp_tw_rcv() - a segment for a connection in TIME-WAIT
 * @tw: the timewait sock
 * @skb: the segment; not consumed
 *
 * RFC 9293: the only thing expected is a retransmission of the peer's
 * FIN: acknowledge it and restart the 2*MSL wait.  A RST at exactly
 * RCV.NXT ends TIME-WAIT early (Linux's default, not RFC 1337's); any
 * other RST is dropped, as a blind one (RFC 5961 section 3.2).  A new
 * SYN beyond what this incarnation received may open a new connection,
 * as Linux allows.  Anything else that is not a plain in-window ACK gets
 * an ACK, at the out-of-window rate (xtcp_oow_rate_limited()).
 *
 * With timestamps, PAWS as tcp_timewait_state_process(): a segment whose
 * TSval is older than the connection's last is an old duplicate, counted
 * in PAWSEstab; it may not end TIME-WAIT (a RST, unless ts_recent is a
 * minute old) nor open a new connection (a SYN), and is answered with an
 * ACK.  A SYN with a newer TSval may open one even at or below RCV.NXT.
 * An in-order ACK's TSval becomes ts_recent.
 *
 * Context: softirq (xtcp_tw_segment()); the caller holds a reference on @tw,
 * which has no lock.
 * Return: what the caller is to do, an enum xtcp_tw_action.
 */
enum xtcp_tw_action xtcp_tw_rcv(struct inet_timewait_sock *tw,
				struct sk_buff *skb)
{
	struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = twsk_net(tw);
	struct xtcp_net *xn = xtcp_pernet(net);
	const struct xtcphdr *th = xtcp_hdr(skb);
	bool paws_reject = false, newer = false;
	struct xtcp_opts opts;

	opts.saw_tstamp = 0;
	if (xtw->xtw_ts_ok && th->doff > sizeof(*th) / 4 &&
	    !xtcp_parse_options((const u8 *)(th + 1),
				th->doff * 4 - sizeof(*th), &opts) &&
	    opts.saw_tstamp) {
		newer = (s32)(xtw->xtw_ts_recent - opts.rcv_tsval) < 0;
		paws_reject = !xtcp_paws_ok(xtw->xtw_ts_recent,
					    xtw->xtw_ts_recent_stamp,
					    opts.rcv_tsval, 0) &&
			      !((cb->flags & XTCP_FLAG_RST) &&
				(s32)((u32)ktime_get_seconds() -
				      (xtw->xtw_ts_recent_stamp +
				       XTCP_PAWS_MSL)) >= 0);
	}
	if (paws_reject)
		XTCP_INC_STATS(net, XTCP_MIB_PAWSESTAB);

	if (cb->flags & XTCP_FLAG_RST)
		return cb->seq == xtw->xtw_rcv_nxt && !paws_reject ?
		       XTCP_TW_KILL : XTCP_TW_DROP;
	if ((cb->flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK)) == XTCP_FLAG_SYN &&
	    !paws_reject && (xtcp_after(cb->seq, xtw->xtw_rcv_nxt) || newer))
		return XTCP_TW_SYN;
	if (opts.saw_tstamp && !paws_reject && cb->seq == xtw->xtw_rcv_nxt) {
		xtw->xtw_ts_recent = opts.rcv_tsval;
		xtw->xtw_ts_recent_stamp = (u32)ktime_get_seconds();
	}
	if (paws_reject)
		goto ack;
	if (cb->flags & XTCP_FLAG_FIN)
		inet_twsk_reschedule(tw, READ_ONCE(xn->sysctl_tw_timeout) * HZ);
	else if (!(cb->flags & XTCP_FLAG_ACK) ||
		 (cb->end_seq == cb->seq && cb->seq == xtw->xtw_rcv_nxt))
		return XTCP_TW_DROP;
ack:
	if (xtcp_oow_rate_limited(net, skb, &xtw->xtw_last_oow_ack_time))
		return XTCP_TW_DROP;
	return XTCP_TW_ACK;
}
