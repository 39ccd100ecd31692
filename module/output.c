// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp output: building segments and handing them to IP through the
 * socket's af_ops (send_check, queue_xmit: ipv4.c).  Data, SYN and
 * FIN segments live on the write queue until sent, then on the
 * retransmission queue until acknowledged; ACKs and RSTs are built on the
 * spot.  Segments sent without a full socket (RSTs, TIME-WAIT's and
 * request socks' ACKs, SYN-ACKs) are ipv4.c's.  Also what softirq
 * deferred to release_sock() (xtcp_release_cb()).  Callers hold the
 * socket lock unless a function says otherwise.
 */
#include <linux/indirect_call_wrapper.h>
#include <linux/module.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/inet_common.h>
#include <net/inet_ecn.h>

#include "xtcp.h"
#include "trace.h"

/**
 * xtcp_mss_for_mtu() - the MSS a path MTU leaves room for
 * @sk: the socket (a listener's for a SYN-ACK): its family's af_ops
 * @mtu: the path MTU
 *
 * The MTU less the network header (af_ops' net_header_len) and our
 * header, both without options.
 *
 * Context: any context; reads only the socket's af_ops.
 * Return: the MSS, within [XTCP_MIN_MSS, U16_MAX].
 */
u16 xtcp_mss_for_mtu(const struct sock *sk, unsigned int mtu)
{
	int mss = (int)mtu - (int)inet_csk(sk)->icsk_af_ops->net_header_len -
		  (int)sizeof(struct xtcphdr);

	return clamp_t(int, mss, XTCP_MIN_MSS, U16_MAX);
}

/**
 * xtcp_sync_mss() - the sending MSS for a path MTU
 * @sk: the socket
 * @pmtu: the path MTU, 0 when there is no route yet
 *
 * The sending MSS for a path MTU of @pmtu: what the path carries after
 * the IP header and its options, capped by what the peer announced (536
 * when it announced nothing, RFC 9293 section 3.7.1; not in SYN-SENT,
 * before it could) and by TCP_MAXSEG, less the timestamps option every
 * segment carries when they are on (tcp_sync_mss() through
 * tcp_header_len), never below XTCP_MIN_MSS.  Stored in mss_cache.
 * Remembers @pmtu in icsk_pmtu_cookie, which IP's IP_OPTIONS and CIPSO
 * pass back here (the socket's icsk_sync_mss, as tcp_sync_mss()).
 *
 * Context: socket locked (also a new socket in xtcp_init_sock(), which
 * no one else sees yet).
 * Return: the new sending MSS.
 */
unsigned int xtcp_sync_mss(struct sock *sk, u32 pmtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int mss = XTCP_MSS_DEFAULT;
	u16 user_mss = READ_ONCE(xs->user_mss);

	inet_csk(sk)->icsk_pmtu_cookie = pmtu;
	if (pmtu) {
		mss = xtcp_mss_for_mtu(sk, pmtu);
		mss -= min_t(unsigned int, mss - XTCP_MIN_MSS,
			     inet_csk(sk)->icsk_ext_hdr_len);
	}
	if (sk->sk_state != TCP_SYN_SENT)
		mss = min_t(unsigned int, mss,
			    xs->rx_mss ? xs->rx_mss : XTCP_MSS_DEFAULT);
	if (user_mss)
		mss = min_t(unsigned int, mss, user_mss);
	if (xs->ts_ok)
		mss -= min_t(unsigned int, mss - XTCP_MIN_MSS,
			     XTCPOLEN_TSTAMP_ALIGNED);
	WRITE_ONCE(xs->mss_cache, max_t(unsigned int, mss, XTCP_MIN_MSS));
	return xs->mss_cache;
}

/**
 * xtcp_init_mss() - set a connection's MSSes from its route
 * @sk: the socket, with its route set (or none: 0 MTU)
 *
 * A connection's route is set: the MSS we announce (the route's MTU,
 * capped by TCP_MAXSEG) and the sending MSS for the route's MTU
 * (xtcp_sync_mss()).
 *
 * Context: socket locked (connect, the handshake's end), or a new child
 * in xtcp_v4_syn_recv_sock() (softirq, locked by sk_clone_lock()).
 */
void xtcp_init_mss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct dst_entry *dst = __sk_dst_get(sk);
	u16 user_mss = READ_ONCE(xs->user_mss);
	u32 mtu = dst ? dst_mtu(dst) : 0;

	if (mtu) {
		xs->advmss = xtcp_mss_for_mtu(sk, mtu);
		if (user_mss && user_mss < xs->advmss)
			xs->advmss = user_mss;
	}
	xtcp_sync_mss(sk, mtu);
}

/**
 * xtcp_free_skb() - free a segment of the write or retransmission queue
 * @sk: its socket
 * @skb: the segment, already unlinked
 *
 * Gives back its charge to sk_wmem_queued and the memory accounting.
 *
 * Context: socket locked.
 */
void xtcp_free_skb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

/**
 * xtcp_rtx_queue_insert() - put a sent skb on the retransmission queue
 * @sk: its socket
 * @skb: the skb, on no queue
 *
 * Where its sequence number goes in the rbtree, as tcp_rbtree_insert():
 * at the tail when it was just sent, after the head part when
 * xtcp_fragment() split it off.
 *
 * Context: socket locked.
 */
void xtcp_rtx_queue_insert(struct sock *sk, struct sk_buff *skb)
{
	struct rb_root *root = &xtcp_sk(sk)->rtx_queue;
	struct rb_node **p = &root->rb_node, *parent = NULL;
	u32 seq = XTCP_SKB_CB(skb)->seq;

	while (*p) {
		parent = *p;
		if (xtcp_before(seq, XTCP_SKB_CB(rb_to_skb(parent))->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, root);
}

/**
 * xtcp_rtx_queue_find() - the queued skb a sequence number is in
 * @sk: the socket
 * @seq: the sequence number
 *
 * A search of the rbtree, as tcp_sacktag_bsearch(): the first skb that
 * ends after @seq, the one holding it unless @seq is in none (beyond
 * SND.NXT).  The SACK scoreboard starts a block's walk there, not at
 * the head.
 *
 * Context: socket locked.
 * Return: the skb, or NULL if every queued skb ends at or before @seq.
 */
struct sk_buff *xtcp_rtx_queue_find(const struct sock *sk, u32 seq)
{
	struct rb_node *p = xtcp_sk(sk)->rtx_queue.rb_node;
	struct sk_buff *found = NULL;

	while (p) {
		struct sk_buff *skb = rb_to_skb(p);

		if (xtcp_after(XTCP_SKB_CB(skb)->end_seq, seq)) {
			found = skb;
			p = p->rb_left;
		} else {
			p = p->rb_right;
		}
	}
	return found;
}

/**
 * xtcp_rtx_queue_unlink_and_free() - drop an skb of the retransmission queue
 * @skb: the skb
 * @sk: its socket
 *
 * Off the rbtree and freed, its charge given back (xtcp_free_skb()), as
 * tcp_rtx_queue_unlink_and_free().  The segment counters are the
 * caller's.
 *
 * Context: socket locked.
 */
void xtcp_rtx_queue_unlink_and_free(struct sk_buff *skb, struct sock *sk)
{
	list_del(&skb->tcp_tsorted_anchor);
	xtcp_skb_tsorted_anchor_cleanup(skb);
	xtcp_rtx_queue_unlink(skb, sk);
	xtcp_free_skb(sk, skb);
}

/**
 * xtcp_rtx_queue_purge() - free the whole retransmission queue
 * @sk: the socket
 *
 * As tcp_rtx_queue_purge(), on close, abort and destroy; the segment
 * counters are the caller's.
 *
 * Context: socket locked, or the socket is no one else's any more.
 */
void xtcp_rtx_queue_purge(struct sock *sk)
{
	struct rb_node *p = rb_first(&xtcp_sk(sk)->rtx_queue);

	while (p) {
		struct sk_buff *skb = rb_to_skb(p);

		p = rb_next(p);
		xtcp_rtx_queue_unlink_and_free(skb, sk);
	}
}

/*
 * Chronographs, as tcp_chrono_start() and tcp_chrono_stop(): one runs at
 * a time, the most telling of those whose condition holds (the highest
 * enum xtcp_chrono); stopping one goes back to busy while data waits or
 * is in flight, else to none.  In jiffies, as TCP's.
 */
static void xtcp_chrono_set(struct xtcp_sock *xs, enum xtcp_chrono new)
{
	u32 now = (u32)jiffies;

	if (xs->chrono_type > XTCP_CHRONO_UNSPEC)
		xs->chrono_stat[xs->chrono_type - 1] += now - xs->chrono_start;
	xs->chrono_start = now;
	xs->chrono_type = new;
}

/**
 * xtcp_chrono_start() - a send-side condition begins
 * @sk: the socket
 * @type: busy, or stalled by the peer's window or the send buffer
 *
 * Context: socket locked (owner, or the bh lock on the receive path).
 */
void xtcp_chrono_start(struct sock *sk, enum xtcp_chrono type)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	sock_owned_by_me(sk);
	if (type > xs->chrono_type)
		xtcp_chrono_set(xs, type);
}

/**
 * xtcp_chrono_stop() - a send-side condition ends
 * @sk: the socket
 * @type: the condition
 *
 * Context: socket locked (owner, or the bh lock on the receive path).
 */
void xtcp_chrono_stop(struct sock *sk, enum xtcp_chrono type)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	sock_owned_by_me(sk);
	if (xtcp_rtx_queue_empty(sk) && skb_queue_empty(&sk->sk_write_queue))
		xtcp_chrono_set(xs, XTCP_CHRONO_UNSPEC);
	else if (type == xs->chrono_type)
		xtcp_chrono_set(xs, XTCP_CHRONO_BUSY);
}

/*
 * Receive window free for the application's data, in bytes: half the
 * free receive buffer, the other half for skb overhead (TCP's default).
 * @mss is the segment size the window is counted in under pressure.
 */
static u32 __xtcp_free_space(const struct sock *sk, u32 mss)
{
	int space = READ_ONCE(sk->sk_rcvbuf) -
		    atomic_read(&sk->sk_rmem_alloc);
	u32 clamp = READ_ONCE(xtcp_sk(sk)->window_clamp) ? : U32_MAX;

	if (space <= 0)
		return 0;
	/*
	 * All xtcp sockets together are past net.xtcp.mem's pressure
	 * mark: offer little, as TCP clamps rcv_ssthresh to 4 * advmss.
	 */
	if (sk_under_memory_pressure(sk))
		return min3(space / 2U, 4U * mss, clamp);
	/* TCP_WINDOW_CLAMP bounds every window, a listener's SYN-ACK's too. */
	return min(space / 2U, clamp);
}

/**
 * xtcp_free_space() - receive window free for the application's data
 * @sk: the socket
 *
 * Half the free receive buffer, the other half for skb overhead (TCP's
 * default), within TCP_WINDOW_CLAMP; under memory pressure at most four
 * of our MSSes.
 *
 * Context: socket locked; TCP_INFO reads it under lock_sock_fast().  The
 * buffer fields are read with READ_ONCE().
 * Return: the space in bytes, 0 when the buffer is full.
 */
u32 xtcp_free_space(const struct sock *sk)
{
	return __xtcp_free_space(sk, xtcp_sk(sk)->advmss);
}

/**
 * xtcp_synack_window() - the window a listener's SYN-ACK offers
 * @sk: the listener
 * @mss: the MSS the SYN-ACK announces
 *
 * What a SYN-ACK of @sk, a listener, offers: a listener has no MSS of its
 * own (advmss 0), the request's announced @mss counts.  A SYN-ACK's
 * window is never scaled.
 *
 * Context: softirq, listener not locked (the listener's fields are read
 * with READ_ONCE()).
 * Return: the window in bytes, at most U16_MAX.
 */
u32 xtcp_synack_window(const struct sock *sk, u32 mss)
{
	return min_t(u32, __xtcp_free_space(sk, mss), U16_MAX);
}

/**
 * xtcp_full_space() - the window an empty receive buffer gives
 * @sk: the socket
 *
 * Half of sk_rcvbuf, within TCP_WINDOW_CLAMP.
 *
 * Context: socket locked.
 * Return: the window in bytes.
 */
u32 xtcp_full_space(const struct sock *sk)
{
	return min(READ_ONCE(sk->sk_rcvbuf) / 2U,
		   READ_ONCE(xtcp_sk(sk)->window_clamp) ? : U32_MAX);
}

/**
 * xtcp_choose_rcv_wscale() - our window scale (RFC 7323)
 * @sk: the socket, or the listener a SYN arrived at
 *
 * Large enough for the biggest buffer auto-tuning may grow to, or for
 * the buffer the application fixed; no larger than TCP_WINDOW_CLAMP
 * needs (tcp_select_initial_window()).
 *
 * Context: socket locked (xtcp_connect()), or a listener's softirq path
 * without its lock (xtcp_conn_request()): the fields are read with
 * READ_ONCE().
 * Return: the shift, at most XTCP_MAX_WSCALE.
 */
u8 xtcp_choose_rcv_wscale(const struct sock *sk)
{
	u32 space = READ_ONCE(sk->sk_rcvbuf);

	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK))
		space = max_t(u32, space, xtcp_rmem(sk, 2));
	/* No larger than TCP_WINDOW_CLAMP needs (tcp_select_initial_window()). */
	return xtcp_select_wscale(min(space / 2,
				      READ_ONCE(xtcp_sk(sk)->window_clamp) ? : U32_MAX));
}

/**
 * xtcp_window_space() - the window the buffer allows now
 * @sk: the socket
 *
 * The free space, at most rcv_ssthresh (__tcp_select_window()): the
 * window grows with the segments that arrive, not at once to all the
 * buffer could hold.  Before silly window avoidance and scaling.  The
 * ceiling rounds up to the window scale, as TCP's ALIGN(), and is never
 * below the step silly window avoidance moves an edge by (the smaller of
 * half the buffer and a segment, xtcp_rcv_window()): a window that
 * closed reopens only by such a step, and the ceiling grows only as data
 * arrives.  Rounded down, a ceiling of 65535 offered 65408, less than
 * loopback's segment, and a closed window stayed closed.
 *
 * Context: socket locked.
 * Return: the window in bytes.
 */
u32 xtcp_window_space(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 step = xtcp_rcv_window_step(xtcp_full_space(sk), xs->advmss);
	u64 ceil = round_up((u64)max(xs->rcv_ssthresh, step),
			    1U << xs->rcv_wscale);

	return min_t(u64, xtcp_free_space(sk), ceil);
}

/**
 * xtcp_new_window() - the window an ACK sent now would offer
 * @sk: the socket
 *
 * In bytes past rcv_nxt (xtcp_rcv_window()); nothing is recorded.
 *
 * Context: socket locked.
 * Return: the window in bytes.
 */
u32 xtcp_new_window(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	s32 cur = (s32)(xs->rcv_wup + xs->rcv_wnd - xs->rcv_nxt);

	return xtcp_rcv_window(xtcp_window_space(sk), cur > 0 ? cur : 0,
			       xtcp_full_space(sk), xs->advmss, xs->rcv_wscale);
}

/**
 * xtcp_select_window() - the window to advertise now
 * @sk: the socket
 *
 * Its right edge never moves left, and moves right only by a useful
 * amount (xtcp_rcv_window()).  Records it as rcv_wnd from rcv_nxt.
 *
 * Context: socket locked.
 * Return: the window in the header's units (already shifted).
 */
static u32 xtcp_select_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 win = xtcp_new_window(sk);

	xs->rcv_wnd = win;
	xs->rcv_wup = xs->rcv_nxt;
	return win >> xs->rcv_wscale;
}

/*
 * A SYN's window is never scaled (RFC 7323 section 2.2); it is where
 * rcv_ssthresh starts (tcp_connect_init()).
 */
static u16 xtcp_syn_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv_wnd = min_t(u32, xtcp_free_space(sk), U16_MAX);
	xs->rcv_wup = xs->rcv_nxt;
	xs->rcv_ssthresh = xs->rcv_wnd;
	return xs->rcv_wnd;
}

/* Any segment we send carries an ACK: no delayed ACK is owed any more. */
static void xtcp_ack_sent(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* It covers the ACKs SACK compression held back (xtcp_ack_ofo()). */
	if (unlikely(xs->compressed_ack)) {
		XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_ACKCOMPRESSED,
			       xs->compressed_ack);
		xs->compressed_ack = 0;
		if (hrtimer_try_to_cancel(&xs->compressed_ack_timer) == 1)
			__sock_put(sk);
	}
	xtcp_sk(sk)->rcv_unacked = 0;
	xtcp_sk(sk)->ack_pushed = 0;
	if (icsk->icsk_ack.pending & ICSK_ACK_TIMER)
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_DACK);
}

/* Our header at @th, no options, checksum 0; also the families' senders'. */
void xtcp_fill_header(struct xtcphdr *th, __be16 sport, __be16 dport,
		      u32 seq, u32 ack, u8 flags, u16 window, unsigned int hlen)
{
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = hlen / 4;
	((u8 *)th)[13] = flags;
	th->window = htons(window);
}

/**
 * xtcp_push_ctl_header() - the header of a segment sent on nobody's behalf
 * @skb: the segment, headroom reserved
 * @rth: the header of the segment it answers (ports swapped from it)
 * @seq: its sequence number
 * @ack: its acknowledgment number
 * @flags: XTCP_FLAG_*
 * @window: its window field
 * @ts: the timestamps option to carry, or NULL for none
 *
 * Pushes and fills the header (checksum 0) and the option, as the
 * families' control senders (RSTs, TIME-WAIT's and request socks' ACKs)
 * build them, and resets the transport header.
 *
 * Context: any context; writes only @skb.
 */
void xtcp_push_ctl_header(struct sk_buff *skb, const struct xtcphdr *rth,
			  u32 seq, u32 ack, u8 flags, u16 window,
			  const struct xtcp_ts *ts)
{
	unsigned int hlen = sizeof(struct xtcphdr) +
			    (ts ? XTCPOLEN_TSTAMP_ALIGNED : 0);
	struct xtcphdr *th;

	skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	th = xtcp_hdr(skb);
	xtcp_fill_header(th, rth->dest, rth->source, seq, ack, flags, window,
			 hlen);
	if (ts)
		xtcp_write_ts_option((u8 *)(th + 1), ts);
}

/**
 * xtcp_tw_ts() - the timestamps TIME-WAIT's ACK carries
 * @tw: the timewait sock
 * @ts: filled: our clock with the connection's offset, and ts_recent
 *
 * As tcp_v4_timewait_ack(): the connection's timestamps go on to the
 * end (RFC 7323 section 3.2: on every non-RST segment).
 *
 * Context: softirq; the timewait sock has no lock.
 * Return: whether the connection had timestamps (@ts is then set).
 */
bool xtcp_tw_ts(const struct inet_timewait_sock *tw, struct xtcp_ts *ts)
{
	const struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);

	if (!xtw->xtw_ts_ok)
		return false;
	ts->tsval = xtcp_clock_ms() + xtw->xtw_ts_offset;
	ts->tsecr = READ_ONCE(xtw->xtw_ts_recent);
	return true;
}

/**
 * xtcp_reqsk_ts() - the timestamps a request sock's ACK carries
 * @req: the request sock
 * @ts: filled: our clock with its offset, and the SYN's TSval
 *
 * As tcp_v4_reqsk_send_ack(), when the SYN-ACK agreed on them.
 *
 * Context: softirq, listener not locked.
 * Return: whether the request has timestamps (@ts is then set).
 */
bool xtcp_reqsk_ts(const struct request_sock *req, struct xtcp_ts *ts)
{
	if (!inet_rsk(req)->tstamp_ok)
		return false;
	ts->tsval = xtcp_clock_ms() + xtcp_rsk(req)->ts_off;
	ts->tsecr = READ_ONCE(req->ts_recent);
	return true;
}

/**
 * xtcp_make_synack() - a request sock's SYN-ACK, checksum not yet done
 * @sk: the listener
 * @req: the request sock
 * @mtu: the MTU of the route found for @req
 * @net_hdr_len: the network headers below ours: IPv4's or IPv6's, and
 *		 UDP's for a SYN that came in UDP
 *
 * The MSS from @mtu, within TCP_MAXSEG, and the window from the
 * listener's buffers (the child's) are recorded in @req; the options
 * are those both SYNs agree on.  Timestamps echo the SYN's TSval.  The
 * family's sender checksums and sends it (ipv4.c, ipv6.c).
 *
 * Context: softirq, listener not locked.
 * Return: the segment, its transport header set, or NULL without memory.
 */
struct sk_buff *xtcp_make_synack(const struct sock *sk,
				 struct request_sock *req, unsigned int mtu,
				 unsigned int net_hdr_len)
{
	const struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	u16 user_mss = READ_ONCE(xtcp_sk(sk)->user_mss);
	u8 opts[XTCP_SYN_OPTS_MAX];
	unsigned int hlen, olen;
	struct sk_buff *skb;
	struct xtcp_ts ts;
	struct xtcphdr *th;
	bool has_ts;
	u16 mss;

	skb = alloc_skb(MAX_XTCP_HEADER, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_XTCP_HEADER);
	mss = clamp_t(int, (int)mtu - (int)net_hdr_len -
		      (int)sizeof(struct xtcphdr), XTCP_MIN_MSS, U16_MAX);
	if (user_mss && user_mss < mss)
		mss = user_mss;
	xreq->synack_mss = mss;
	/* A cookie's TSval carries the options (xtcp_cookie_tsval()). */
	has_ts = xtcp_reqsk_ts(req, &ts);
	if (has_ts && xreq->ts_cookie_ok)
		ts.tsval = xreq->ts_cookie + xreq->ts_off;
	olen = xtcp_write_syn_options(opts, mss, ireq->wscale_ok ?
				      ireq->rcv_wscale : XTCP_NO_WSCALE,
				      ireq->sack_ok, has_ts ? &ts : NULL);
	hlen = sizeof(struct xtcphdr) + olen;
	skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	th = xtcp_hdr(skb);
	/* The listener's buffer sizes are the child's: offer from them. */
	xreq->rcv_wnd = xtcp_synack_window(sk, mss);
	xtcp_fill_header(th, htons(ireq->ir_num), ireq->ir_rmt_port,
			 xreq->snt_isn, xreq->rcv_isn + 1,
			 XTCP_FLAG_SYN | XTCP_FLAG_ACK |
			 (ireq->ecn_ok ? XTCP_FLAG_ECE : 0), xreq->rcv_wnd, hlen);
	memcpy(th + 1, opts, olen);
	skb_set_hash(skb, READ_ONCE(xreq->txhash), PKT_HASH_TYPE_L4);
	return skb;
}

/*
 * The SACK option for a segment with @room bytes to spare under the MSS
 * (RFC 2018 section 4): a D-SACK block first if there is one (RFC 2883,
 * reported once), then the blocks input.c keeps, latest arrival first,
 * as many as fit: in the MSS, and in the options area, where beside the
 * timestamps only 3 do.  Returns its length, 0 for none.
 */
static unsigned int xtcp_build_sack(struct sock *sk, u8 *opts,
				    unsigned int room)
{
	struct xtcp_sack_block b[XTCP_MAX_SACKS];
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int n = 0, i;

	if (xs->dsack)
		b[n++] = xs->dsack_block;
	for (i = 0; i < xs->num_sacks && n < XTCP_MAX_SACKS; i++)
		b[n++] = xs->selective_acks[i];
	if (xs->ts_ok)
		n = min_t(unsigned int, n, XTCP_MAX_SACKS_TS);
	if (room < XTCP_SACK_OPTS_MAX)
		n = min_t(unsigned int, n, room < 12 ? 0 : (room - 4) / 8);
	if (n && xs->dsack)
		xs->dsack = 0;
	return xtcp_write_sack_option(opts, b, n);
}

/*
 * ECN for a SYN (RFC 3168 section 6.1.1): asked for with ECE and CWR
 * when net.xtcp.ecn is 1 or the route says "features ecn", as
 * tcp_ecn_send_syn().  Returns the flags to add; sets ecn_flags.
 */
static u8 xtcp_ecn_syn(struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool use;

	use = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_ecn) == 1 ||
	      (dst && dst_feature(dst, RTAX_FEATURE_ECN));
	xs->ecn_flags = use ? XTCP_ECN_OK : 0;
	/* Nothing an earlier connection of the socket marked. */
	INET_ECN_dontxmit(sk);
	return use ? XTCP_FLAG_ECE | XTCP_FLAG_CWR : 0;
}

/*
 * ECN on a segment other than a SYN, as tcp_ecn_send(): new data goes
 * ECT(0), with CWR on the first one after a window reduction;
 * retransmissions and pure ACKs go Not-ECT (RFC 3168 sections 6.1.5,
 * 6.1.4); ECE on everything while the peer owes us a CWR.  Returns the
 * flags to add.
 */
static u8 xtcp_ecn_send(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 flags = 0;

	if (!(xs->ecn_flags & XTCP_ECN_OK))
		return 0;
	if (skb->len && !(XTCP_SKB_CB(skb)->sacked & XTCP_SKB_RETRANS)) {
		INET_ECN_xmit(sk);
		if (xs->ecn_flags & XTCP_ECN_QUEUE_CWR) {
			xs->ecn_flags &= ~XTCP_ECN_QUEUE_CWR;
			flags |= XTCP_FLAG_CWR;
		}
	} else {
		INET_ECN_dontxmit(sk);
	}
	if (xs->ecn_flags & XTCP_ECN_DEMAND_CWR)
		flags |= XTCP_FLAG_ECE;
	return flags;
}

/*
 * A queued segment of @sk leaves at @now: its send time, the tail of
 * the list in sending order (as tcp_update_skb_after_send()), and what
 * it will measure the delivery rate from (delivery.c).  A segment sent
 * with none before it outstanding starts the sample's clock; a resent
 * one never does (tcp_rate_skb_sent() counts it in packets_out).
 */
static void xtcp_skb_sent(struct xtcp_sock *xs, struct sk_buff *skb, u32 now)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->tx_us = now;
	list_move_tail(&skb->tcp_tsorted_anchor, &xs->tsorted_sent_queue);
	xtcp_delivery_sent(&xs->dlv, &cb->header.tx, now,
			   skb == skb_rb_first(&xs->rtx_queue) &&
			   !(cb->sacked & XTCP_SKB_RETRANS));
}

/**
 * xtcp_update_pacing_rate() - set sk_pacing_rate from cwnd and SRTT
 * @sk: the socket
 *
 * As tcp_update_pacing_rate(): cwnd (or what is in flight, if more) per
 * SRTT, times net.xtcp.pacing_ss_ratio percent while cwnd is below half
 * of ssthresh (slow start, which doubles cwnd per round trip) and
 * pacing_ca_ratio percent after; or the rate an algorithm with
 * cong_control set (struct xtcp_cc's pacing_rate); within
 * SO_MAX_PACING_RATE.  It sizes the skbs (xtcp_burst_max()) and what
 * TCP Small Queues lets wait below the socket; an fq qdisc paces by it,
 * and so does xtcp itself when the socket asks for pacing without fq.
 *
 * Context: socket locked (after an ACK, at the handshake's end).
 */
void xtcp_update_pacing_rate(struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ratio;
	u64 rate;

	sock_owned_by_me(sk);
	/* The algorithm paces: without fq, xtcp does (as bbr_init()). */
	if (xs->cc.pacing &&
	    READ_ONCE(sk->sk_pacing_status) == SK_PACING_NONE)
		cmpxchg(&sk->sk_pacing_status, SK_PACING_NONE,
			SK_PACING_NEEDED);
	if (xs->ca_ops && xs->ca_ops->cong_control && xs->cc.pacing_rate) {
		rate = xs->cc.pacing_rate;
	} else {
		if (xs->cc.cwnd < xs->cc.ssthresh / 2)
			ratio = READ_ONCE(xn->sysctl_pacing_ss_ratio);
		else
			ratio = READ_ONCE(xn->sysctl_pacing_ca_ratio);
		rate = xtcp_pacing_rate(xs->mss_cache, xs->cc.cwnd,
					xs->packets_out, xs->rtt.srtt_us, ratio);
	}
	/* Read locklessly by fq and TCP_INFO. */
	WRITE_ONCE(sk->sk_pacing_rate,
		   min_t(u64, rate, READ_ONCE(sk->sk_max_pacing_rate)));
}

/*
 * TCP Small Queues, as TCP's (tcp_small_queue_check(), tcp_wfree(),
 * tcp_tasklet_func()): the segments a socket has handed to IP and not
 * yet seen freed (in a qdisc, a device's ring, a veth's backlog) are
 * charged to sk_wmem_alloc by xtcp_wfree(), their destructor.  Once
 * they exceed about a millisecond at the pacing rate the sender stops
 * (XTCP_TSQ_THROTTLED) instead of filling the qdisc, where its segments
 * would add delay for every flow and crowd the others out; when one is
 * freed the socket goes on a CPU's list (XTCP_TSQ_QUEUED) and a tasklet
 * sends on.  The list is touched with IRQs off: skbs are freed from
 * any context.
 */
struct xtcp_tsq {
	struct tasklet_struct	tasklet;
	struct list_head	head;	/* xtcp_sock::tsq_node */
};

static DEFINE_PER_CPU(struct xtcp_tsq, xtcp_tsq);

/**
 * xtcp_tsq_write() - send on after TCP Small Queues' or pacing's wait
 * @sk: the socket
 *
 * If the connection still sends, as tcp_tsq_write().
 *
 * Context: socket locked (the tasklet or the pacing timer with the bh
 * lock, or xtcp_release_cb()).
 */
void xtcp_tsq_write(struct sock *sk)
{
	if ((1 << sk->sk_state) &
	    (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_CLOSING |
	     TCPF_CLOSE_WAIT | TCPF_LAST_ACK))
		xtcp_write_xmit(sk);
}

static void xtcp_tsq_tasklet(struct tasklet_struct *t)
{
	struct xtcp_tsq *tsq = from_tasklet(tsq, t, tasklet);
	struct xtcp_sock *xs, *next;
	unsigned long flags;
	LIST_HEAD(list);

	local_irq_save(flags);
	list_splice_init(&tsq->head, &list);
	local_irq_restore(flags);

	list_for_each_entry_safe(xs, next, &list, tsq_node) {
		struct sock *sk = (struct sock *)xs;

		list_del(&xs->tsq_node);
		/* Freed skbs may queue it again from here on. */
		smp_mb__before_atomic();
		clear_bit(XTCP_TSQ_QUEUED, &sk->sk_tsq_flags);

		bh_lock_sock(sk);
		if (!sock_owned_by_user(sk))
			xtcp_tsq_write(sk);
		else if (!test_and_set_bit(XTCP_TSQ_DEFERRED,
					   &sk->sk_tsq_flags))
			sock_hold(sk);	/* dropped by xtcp_release_cb() */
		bh_unlock_sock(sk);
		/* The sk_wmem_alloc unit xtcp_wfree() kept. */
		sk_free(sk);
	}
}

/*
 * The destructor of the segments xtcp_transmit_skb() hands to IP, in
 * place of sock_wfree(): uncharged as that does, and a throttled socket
 * queued for the tasklet, keeping one unit of sk_wmem_alloc so that it
 * stays (tcp_wfree()).  SOCK_USE_WRITE_QUEUE: no sk_write_space() here,
 * the ACKs free the send buffer.  GSO's pieces (offload.c) carry it on.
 *
 * Context: any; the socket may be owned or not.
 */
void xtcp_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	struct xtcp_tsq *tsq;
	unsigned long flags, oval, nval;
	bool empty;

	/* The last unit is sk_free()'s, below or in the tasklet. */
	WARN_ON(refcount_sub_and_test(skb->truesize - 1, &sk->sk_wmem_alloc));

	/* Pairs with xtcp_small_queue_check()'s barrier after the mark. */
	oval = smp_load_acquire(&sk->sk_tsq_flags);
	do {
		if (!(oval & XTCPF_TSQ_THROTTLED) || (oval & XTCPF_TSQ_QUEUED))
			goto out;
		nval = (oval & ~XTCPF_TSQ_THROTTLED) | XTCPF_TSQ_QUEUED;
	} while (!try_cmpxchg(&sk->sk_tsq_flags, &oval, nval));

	local_irq_save(flags);
	tsq = this_cpu_ptr(&xtcp_tsq);
	empty = list_empty(&tsq->head);
	list_add(&xtcp_sk(sk)->tsq_node, &tsq->head);
	if (empty)
		tasklet_schedule(&tsq->tasklet);
	local_irq_restore(flags);
	return;
out:
	sk_free(sk);
}

/* skb_set_owner_w() with xtcp_wfree() (as __tcp_transmit_skb()). */
static void xtcp_set_owner_w(struct sk_buff *skb, struct sock *sk)
{
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = xtcp_wfree;
	/* Nothing of ours below: XPS may move the flow to another queue. */
	skb->ooo_okay = sk_wmem_alloc_get(sk) < SKB_TRUESIZE(1);
	refcount_add(skb->truesize, &sk->sk_wmem_alloc);
}

/**
 * xtcp_small_queue_check() - whether the sender should wait for IP
 * @sk: the socket
 * @skb: the skb about to go
 * @factor: a shift of the limit (1 for resends, which matter more)
 *
 * As tcp_small_queue_check(): what the socket has below it may be two
 * skbs or a millisecond at the pacing rate (2^-sk_pacing_shift s),
 * within net.xtcp.limit_output_bytes unless fq paces the socket.  Over
 * that the socket is marked throttled, and xtcp_wfree() sends on when
 * an skb below is freed; never with one skb or none in flight, which
 * could be the one whose freeing is awaited.
 *
 * Context: socket locked.
 * Return: true if the send must wait.
 */
bool xtcp_small_queue_check(struct sock *sk, const struct sk_buff *skb,
			    unsigned int factor)
{
	unsigned long limit;

	limit = max_t(unsigned long, 2 * skb->truesize,
		      READ_ONCE(sk->sk_pacing_rate) >>
		      READ_ONCE(sk->sk_pacing_shift));
	if (READ_ONCE(sk->sk_pacing_status) == SK_PACING_NONE)
		limit = min_t(unsigned long, limit,
			      READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_limit_output_bytes));
	limit <<= factor;

	if (refcount_read(&sk->sk_wmem_alloc) <= limit)
		return false;
	if (xtcp_rtx_queue_empty_or_single(sk))
		return false;
	set_bit(XTCP_TSQ_THROTTLED, &sk->sk_tsq_flags);
	/*
	 * Pairs with xtcp_wfree()'s acquire: an skb freed between the two
	 * reads either sees the bit or is seen here.
	 */
	smp_mb__after_atomic();
	if (refcount_read(&sk->sk_wmem_alloc) <= limit)
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TSQTHROTTLED);
	return true;
}

/*
 * Pacing of our own, as TCP's without fq (tcp_pacing_check()): when the
 * socket asks for pacing (SO_MAX_PACING_RATE, or an algorithm's
 * XTCP_CC pacing) and no fq qdisc took it on (SK_PACING_FQ), an skb
 * waits until wstamp_ns, the pacing timer sending on then.
 */
static bool xtcp_pacing_check(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* Set by setsockopt() or fq without the socket lock (TCP's read). */
	if (smp_load_acquire(&sk->sk_pacing_status) != SK_PACING_NEEDED ||
	    xs->wstamp_ns <= xs->clock_ns)
		return false;
	if (!hrtimer_is_queued(&xs->pacing_timer)) {
		hrtimer_start(&xs->pacing_timer, ns_to_ktime(xs->wstamp_ns),
			      HRTIMER_MODE_ABS_PINNED_SOFT);
		sock_hold(sk);	/* the timer's, put by xtcp_pace_kick() */
	}
	return true;
}

/*
 * An skb of @len bytes left: the next may leave that much later at the
 * pacing rate (tcp_update_skb_after_send()), less up to half of it for
 * the time the sender was late (the clock past wstamp_ns, @credit_ns:
 * the OS's jitter).  Not for the first 10 segments, as fq.
 */
static void xtcp_paced(struct sock *sk, unsigned int len)
{
	unsigned long rate = READ_ONCE(sk->sk_pacing_rate);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u64 prior = xs->wstamp_ns, len_ns, credit_ns;

	if (READ_ONCE(sk->sk_pacing_status) == SK_PACING_NONE)
		return;
	xs->wstamp_ns = max(xs->wstamp_ns, xs->clock_ns);
	if (rate == ~0UL || !rate || xs->data_segs_out < 10)
		return;
	len_ns = div64_ul((u64)len * NSEC_PER_SEC, rate);
	credit_ns = xs->wstamp_ns - prior;
	xs->wstamp_ns += len_ns - min(len_ns / 2, credit_ns);
}

/**
 * xtcp_tsq_init() - set up each CPU's list and tasklet
 *
 * Context: module init, before any socket.
 */
void xtcp_tsq_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xtcp_tsq *tsq = &per_cpu(xtcp_tsq, cpu);

		INIT_LIST_HEAD(&tsq->head);
		tasklet_setup(&tsq->tasklet, xtcp_tsq_tasklet);
	}
}

/**
 * xtcp_tsq_exit() - wait for the tasklets before the module goes
 *
 * Every socket is gone (each held the module), so no list holds one;
 * a tasklet may still be running past its last sk_free().
 *
 * Context: module exit.
 */
void xtcp_tsq_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		tasklet_kill(&per_cpu(xtcp_tsq, cpu).tasklet);
}

/*
 * Send one segment of @sk.  @skb's control block says what it is; with
 * @clone the queued original is kept (stamped with the time it left) and
 * a clone (or a copy, if an earlier clone is still in flight) goes to IP.
 */
static int xtcp_transmit_skb(struct sock *sk, struct sk_buff *skb, bool clone,
			     gfp_t gfp)
{
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int hlen = sizeof(struct xtcphdr);
	u8 opts[XTCP_OPTS_MAX];
	unsigned int olen = 0;
	struct xtcp_ts ts;
	struct xtcp_skb_cb *cb;
	struct xtcphdr *th;
	u16 window, segs;
	unsigned long anchor;
	struct sk_buff *oskb;
	u8 flags;
	int err;

	sock_owned_by_me(sk);

	if (clone) {
		xtcp_skb_sent(xs, skb, xs->clock_us);
		xtcp_paced(sk, skb->len);
		oskb = skb;
		anchor = xtcp_skb_tsorted_save(oskb);
		if (unlikely(skb_cloned(oskb)))
			skb = pskb_copy(oskb, gfp);
		else
			skb = skb_clone(oskb, gfp);
		xtcp_skb_tsorted_restore(oskb, anchor);
		if (!skb)
			return -ENOBUFS;
		/*
		 * The queued original's rbtree links overlay skb->dev,
		 * which the clone copied: IP sets its own (as
		 * __tcp_transmit_skb() clears it).
		 */
		skb->dev = NULL;
		/*
		 * A queued skb of several segments goes to IP as one GSO
		 * skb, which offload.c cuts at the MSS it was counted in (as
		 * __tcp_transmit_skb() sets them from tcp_skb_pcount()).
		 * The shared info is the queued original's too, which no
		 * one reads while it is queued.
		 */
		if (xtcp_skb_pcount(skb) > 1) {
			skb_shinfo(skb)->gso_size = XTCP_SKB_CB(skb)->mss;
			skb_shinfo(skb)->gso_segs = xtcp_skb_pcount(skb);
			skb_shinfo(skb)->gso_type = XTCP_GSO_TYPE;
		} else {
			skb_shinfo(skb)->gso_size = 0;
			skb_shinfo(skb)->gso_segs = 0;
			skb_shinfo(skb)->gso_type = 0;
		}
	}
	cb = XTCP_SKB_CB(skb);
	/*
	 * IP's part of the control block starts clean, as
	 * __tcp_transmit_skb() leaves it: a clone brings the queued
	 * original's rate snapshot there.
	 */
	memset(&cb->header, 0, sizeof(cb->header));
	flags = cb->flags;
	/*
	 * Timestamps (RFC 7323 section 3.2): on every segment once both
	 * SYNs carried them, and on our SYN if net.xtcp.timestamps asked
	 * (xtcp_connect() set ts_ok); TSecr echoes ts_recent, 0 on a SYN.
	 */
	ts.tsval = xtcp_tsval(xs);
	ts.tsecr = xs->ts_recent;
	/* Everything but the first SYN acknowledges what we received. */
	if (sk->sk_state == TCP_SYN_SENT)
		flags &= ~XTCP_FLAG_ACK;
	else
		flags |= XTCP_FLAG_ACK;
	if (flags & XTCP_FLAG_SYN) {
		/*
		 * Not-ECT.  A SYN-ACK (simultaneous open) answers an ECN
		 * request with ECE alone, as tcp_ecn_send_synack().
		 */
		INET_ECN_dontxmit(sk);
		if (flags & XTCP_FLAG_ACK) {
			flags &= ~XTCP_FLAG_CWR;
			if (!(xs->ecn_flags & XTCP_ECN_OK))
				flags &= ~XTCP_FLAG_ECE;
		}
		/*
		 * Our SYN offers window scaling; a SYN-ACK (simultaneous
		 * open) only if the peer's SYN did.
		 */
		bool ws = sk->sk_state == TCP_SYN_SENT || xs->wscale_ok;

		bool sack = xs->sack_ok ||
			    (sk->sk_state == TCP_SYN_SENT &&
			     READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_sack));

		olen = xtcp_write_syn_options(opts, xs->advmss,
					      ws ? xs->rcv_wscale : XTCP_NO_WSCALE,
					      sack, xs->ts_ok ? &ts : NULL);
		window = xtcp_syn_window(sk);
	} else {
		flags |= xtcp_ecn_send(sk, skb);
		window = xtcp_select_window(sk);
		if (xs->ts_ok)
			olen = xtcp_write_ts_option(opts, &ts);
		/*
		 * SACK blocks ride on every ACK, data or not, as many as
		 * leave the segment within the MSS (RFC 6691): all of them
		 * on a pure ACK or a short segment, none on a full one.
		 */
		if ((xs->num_sacks || xs->dsack) && (flags & XTCP_FLAG_ACK)) {
			unsigned int seg = skb_is_gso(skb) ?
					   skb_shinfo(skb)->gso_size : skb->len;

			if (seg < xs->mss_cache)
				olen += xtcp_build_sack(sk, opts + olen,
							xs->mss_cache - seg);
		}
	}
	hlen += olen;
	/*
	 * Data that answers what arrived within the delayed-ACK time makes
	 * the connection interactive (Linux's ping-pong mode): from now on
	 * the reader's ACK waits for the answer to take it along.
	 */
	if (skb->len && (u32)(jiffies - inet_csk(sk)->icsk_ack.lrcvtime) <
	    XTCP_DELACK_MIN)
		inet_csk_enter_pingpong_mode(sk);

	skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	/* Queued segments' copies count for TCP Small Queues. */
	if (clone)
		xtcp_set_owner_w(skb, sk);
	else
		skb_set_owner_w(skb, sk);
	skb_set_hash_from_sk(skb, sk);
	th = xtcp_hdr(skb);
	xtcp_fill_header(th, inet->inet_sport, inet->inet_dport, cb->seq,
			 (flags & XTCP_FLAG_ACK) ? xs->rcv_nxt : 0, flags,
			 window, hlen);
	if (olen)
		memcpy(th + 1, opts, olen);
	/*
	 * Urgent mode: every segment before the urgent pointer says where it
	 * is, or, out of the 16 bits' reach, that it is further on (as
	 * tcp_transmit_skb()).
	 */
	if (unlikely(xtcp_urg_mode(xs) && xtcp_before(cb->seq, xs->snd_up))) {
		if (xtcp_before(xs->snd_up, cb->seq + 0x10000)) {
			th->urg_ptr = htons(xs->snd_up - cb->seq);
			th->urg = 1;
		} else if (xtcp_after(cb->seq + 0xFFFF, xs->snd_nxt)) {
			th->urg_ptr = htons(0xFFFF);
			th->urg = 1;
		}
	}
	/* Direct calls for IPv4, not retpolines (INDIRECT_CALL_INET). */
	INDIRECT_CALL_1(inet_csk(sk)->icsk_af_ops->send_check,
			xtcp_v4_send_check, sk, skb);
	if (flags & XTCP_FLAG_ACK)
		xtcp_ack_sent(sk);

	/* Counted per segment on the wire, as TCP counts, GSO or not. */
	segs = max_t(u16, skb_shinfo(skb)->gso_segs, 1);
	XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_OUTSEGS, segs);
	if (segs > 1)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTGSO);
	/* TCP_INFO's, as __tcp_transmit_skb() counts them. */
	xs->segs_out += segs;
	if (skb->len > hlen) {
		/* What PRR counts as sent (RFC 6937 prr_out). */
		if (xs->cc.state == XTCP_CA_RECOVERY ||
		    xs->cc.state == XTCP_CA_CWR)
			xs->cc.prr_out += segs;
		xs->data_segs_out += segs;
		xs->bytes_sent += skb->len - hlen;
		xs->lsndtime = (u32)jiffies;
	}
	if (flags & XTCP_FLAG_RST)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTRSTS);
	err = INDIRECT_CALL_1(inet_csk(sk)->icsk_af_ops->queue_xmit,
			      ip_queue_xmit, sk, skb, &inet->cork.fl);
	return net_xmit_eval(err);
}

/* Queue a segment that consumes sequence space and is not yet sent. */
static struct sk_buff *xtcp_alloc_ctl_skb(struct sock *sk, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(MAX_XTCP_HEADER, gfp);

	if (skb)
		skb_reserve(skb, MAX_XTCP_HEADER);
	return skb;
}

/**
 * xtcp_connect() - start an active open: send the SYN
 * @sk: the socket, in SYN-SENT, with its route, ports and ISN set
 *
 * Resets the send and receive state, picks the window scale and MSS,
 * queues the SYN on the retransmission queue, sends it and arms the
 * retransmission timer at the initial RTO.
 *
 * Context: process context, socket locked (xtcp_v4_connect()).
 * Return: 0, or -ENOBUFS if the SYN could not be allocated.
 */
int xtcp_connect(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	WRITE_ONCE(xs->snd_una, xs->iss);
	xs->snd_up = xs->iss;
	WRITE_ONCE(xs->urg_data, 0);
	WRITE_ONCE(xs->snd_nxt, xs->iss);
	xs->snd_sml = xs->iss;
	WRITE_ONCE(xs->write_seq, xs->iss + 1);
	xs->pushed_seq = xs->write_seq;
	xs->snd_wnd = 0;
	xs->max_window = 0;
	WRITE_ONCE(xs->rcv_nxt, 0);
	xs->rcv_wnd = 0;
	xs->rcv_wup = 0;
	xs->rcv_ssthresh = 0;
	xs->rx_mss = 0;
	xs->wscale_ok = 0;
	xs->snd_wscale = 0;
	xs->rcv_wscale = xtcp_choose_rcv_wscale(sk);
	xs->packets_out = 0;
	xs->lost_out = 0;
	xs->sacked_out = 0;
	xs->retrans_tsval = 0;
	xs->sack_ok = 0;
	/* Offered, and kept if the SYN-ACK carries them too. */
	xs->ts_ok = !!READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_timestamps);
	xs->ts_recent = 0;
	xs->ts_recent_stamp = 0;
	xs->saw_tstamp = 0;
	xs->ca_ops = NULL;
	memset(&xs->rtt, 0, sizeof(xs->rtt));
	xtcp_init_mss(sk);

	skb = xtcp_alloc_ctl_skb(sk, sk->sk_allocation);
	if (!skb)
		return -ENOBUFS;
	XTCP_SKB_CB(skb)->seq = xs->iss;
	XTCP_SKB_CB(skb)->end_seq = xs->iss + 1;
	XTCP_SKB_CB(skb)->flags = XTCP_FLAG_SYN | xtcp_ecn_syn(sk);
	XTCP_SKB_CB(skb)->sacked = 0;
	xtcp_set_pcount(skb, xs->mss_cache);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	xtcp_rtx_queue_insert(sk, skb);
	INIT_LIST_HEAD(&skb->tcp_tsorted_anchor);
	xs->packets_out = 1;
	WRITE_ONCE(xs->snd_nxt, xs->iss + 1);

	inet_csk(sk)->icsk_rto = XTCP_TIMEOUT_INIT;
	inet_csk(sk)->icsk_retransmits = 0;
	xtcp_clock_refresh(xs);
	xs->syn_tsval = xtcp_tsval(xs);
	xtcp_transmit_skb(sk, skb, true, sk->sk_allocation);
	xtcp_reset_rtx_timer(sk);
	return 0;
}

/**
 * xtcp_send_synack_sk() - SYN-ACK from a full socket
 * @sk: the socket, in SYN-RECEIVED after a simultaneous open
 *
 * Our SYN is still on the retransmission queue; resent now, it carries
 * the ACK.  Nothing is sent if it is gone.
 *
 * Context: socket locked (the receive path).
 */
void xtcp_send_synack_sk(struct sock *sk)
{
	struct sk_buff *skb = xtcp_rtx_queue_head(sk);

	/* Our SYN is still on the queue; resent now, it carries the ACK. */
	if (skb && xtcp_skb_has_flag(skb, XTCP_FLAG_SYN)) {
		xtcp_clock_refresh(xtcp_sk(sk));
		xtcp_transmit_skb(sk, skb, true, GFP_ATOMIC);
	}
}

/**
 * xtcp_unclone() - give a queued skb a head of its own before its data moves
 * @skb: the skb, on the write or retransmission queue
 *
 * A clone of @skb may still be on its way out, or held by a receiver on
 * this host (a veth peer's out-of-order queue), sharing its head and
 * fragments: @skb gets a head and shared info of its own, its truesize
 * (its charge) unchanged, as skb_unclone_keeptruesize(), whose
 * __skb_unclone_keeptruesize() 6.1 does not export.
 *
 * Context: socket locked.
 * Return: 0, or -ENOMEM (@skb unchanged).
 */
int xtcp_unclone(struct sk_buff *skb)
{
	unsigned int saved_end_offset, saved_truesize;
	struct skb_shared_info *shinfo;
	int err;

	if (!skb_cloned(skb))
		return 0;
	saved_end_offset = skb_end_offset(skb);
	saved_truesize = skb->truesize;
	err = pskb_expand_head(skb, 0, 0, GFP_ATOMIC);
	if (err)
		return err;
	skb->truesize = saved_truesize;
	if (likely(skb_end_offset(skb) == saved_end_offset))
		return 0;
	/* skb->end back where it was: the shared info moves with it. */
	shinfo = skb_shinfo(skb);
	memmove(skb->head + saved_end_offset, shinfo,
		offsetof(struct skb_shared_info, frags[shinfo->nr_frags]));
	skb_set_end_offset(skb, saved_end_offset);
	return 0;
}

/*
 * @diff fewer segments than counted: @skb on the retransmission queue
 * was recounted (a split, a new MSS).  The counters its marks put it in
 * follow, as tcp_adjust_pcount().
 */
static void xtcp_adjust_pcount(struct sock *sk, const struct sk_buff *skb,
			       int diff)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 sacked = XTCP_SKB_CB(skb)->sacked;

	xs->packets_out -= diff;
	if (sacked & XTCP_SKB_SACKED)
		xs->sacked_out -= diff;
	if (sacked & XTCP_SKB_LOST)
		xs->lost_out -= diff;
}

/**
 * xtcp_fragment() - split a queued skb at @len
 * @sk: its socket
 * @queue: the queue @skb is on: XTCP_FRAG_IN_WRITE_QUEUE or _RTX_QUEUE
 * @skb: the skb
 * @len: the bytes that stay in @skb, at most skb->len (skb->len splits
 *	 off just the FIN)
 * @mss: the segment size both parts are counted in
 *
 * As tcp_fragment(): the rest, with the FIN if there is one, becomes a
 * new skb right behind @skb, which keeps the first @len bytes.  The
 * callers split at multiples of the MSS (a window's edge, cwnd, a SACK
 * block, a resend of part of an skb) or at the short end of the data.
 * Both parts are counted in segments of @mss (xtcp_set_pcount()); on the
 * retransmission queue the new skb inherits the scoreboard marks and the
 * send time, and the counters follow the segment counts.
 *
 * Context: socket locked.
 * Return: 0, or -ENOMEM.
 */
int xtcp_fragment(struct sock *sk, enum xtcp_queue queue,
		  struct sk_buff *skb, unsigned int len, unsigned int mss)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *ncb;
	int old_pcount = xtcp_skb_pcount(skb);
	unsigned int nsize = 0, nlen;
	struct sk_buff *nskb;
	int diff;

	if (WARN_ON_ONCE(len > skb->len))
		return -EINVAL;
	/*
	 * A clone may still be on its way out with the shared info: the
	 * fragments then move in a copy of it of our own (tcp_fragment()).
	 */
	if (xtcp_unclone(skb))
		return -ENOMEM;
	if (skb_headlen(skb) > len)
		nsize = skb_headlen(skb) - len;
	nskb = alloc_skb_fclone(MAX_XTCP_HEADER + nsize, GFP_ATOMIC);
	if (!nskb)
		return -ENOMEM;
	if (!sk_wmem_schedule(sk, nskb->truesize)) {
		__kfree_skb(nskb);
		return -ENOMEM;
	}
	skb_reserve(nskb, MAX_XTCP_HEADER);
	__skb_header_release(nskb);
	sk_wmem_queued_add(sk, nskb->truesize);
	sk_mem_charge(sk, nskb->truesize);
	/*
	 * The page fragments that move go with their share of the charge,
	 * as TCP's tcp_fragment() does (a trim would give it back to no
	 * one: the kernel recomputes the truesize of a trimmed skb).
	 */
	nlen = skb->len - len - nsize;
	nskb->truesize += nlen;
	skb->truesize -= nlen;
	skb_split(skb, nskb, len);

	ncb = XTCP_SKB_CB(nskb);
	ncb->seq = cb->seq + len;
	ncb->end_seq = cb->end_seq;
	ncb->flags = cb->flags;
	ncb->sacked = 0;
	cb->end_seq = ncb->seq;
	cb->flags &= ~(XTCP_FLAG_FIN | XTCP_FLAG_PSH);
	nskb->ip_summed = CHECKSUM_PARTIAL;
	xtcp_set_pcount(skb, mss);
	xtcp_set_pcount(nskb, mss);
	if (queue == XTCP_FRAG_IN_RTX_QUEUE) {
		ncb->sacked = cb->sacked;
		ncb->tx_us = cb->tx_us;
		ncb->header.tx = cb->header.tx;
		diff = old_pcount - (int)xtcp_skb_pcount(skb) -
		       (int)xtcp_skb_pcount(nskb);
		if (diff)
			xtcp_adjust_pcount(sk, skb, diff);
		/*
		 * Right after @skb: its sequence number is the next, and it
		 * was sent with it (on its list, or beside it off the list).
		 */
		xtcp_rtx_queue_insert(sk, nskb);
		list_add(&nskb->tcp_tsorted_anchor, &skb->tcp_tsorted_anchor);
	} else {
		__skb_queue_after(&sk->sk_write_queue, skb, nskb);
	}
	return 0;
}

/*
 * The first @len bytes of @skb's fragments go, as TCP's
 * __pskb_trim_head() (not exported): fragments emptied are released.
 * Returns the bytes taken from the fragments, which the caller gives
 * back to the memory accounting.
 */
static u32 xtcp_pskb_trim_head(struct sk_buff *skb, int len)
{
	struct skb_shared_info *shinfo;
	int i, k, eat;

	eat = min_t(int, len, skb_headlen(skb));
	if (eat) {
		__skb_pull(skb, eat);
		len -= eat;
		if (!len)
			return 0;
	}
	eat = len;
	k = 0;
	shinfo = skb_shinfo(skb);
	for (i = 0; i < shinfo->nr_frags; i++) {
		int size = skb_frag_size(&shinfo->frags[i]);

		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
		} else {
			shinfo->frags[k] = shinfo->frags[i];
			if (eat) {
				skb_frag_off_add(&shinfo->frags[k], eat);
				skb_frag_size_sub(&shinfo->frags[k], eat);
				eat = 0;
			}
			k++;
		}
	}
	shinfo->nr_frags = k;
	skb->data_len -= len;
	skb->len = skb->data_len;
	return len;
}

/**
 * xtcp_trim_head() - take acknowledged data off the head of a queued skb
 * @sk: its socket
 * @skb: the first skb of the retransmission queue
 * @len: the bytes the peer acknowledged, fewer than it holds
 *
 * As tcp_trim_head(): the data goes, the sequence number and the segment
 * count follow, and the memory the fragments held is given back to
 * sk_wmem_queued and the socket's charge.
 *
 * Context: socket locked (the ACK path).
 * Return: 0, or -ENOMEM if a clone still in flight held the shared info
 * and no copy of it could be had (nothing changed then).
 */
int xtcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len)
{
	u32 delta_truesize;

	if (xtcp_unclone(skb))
		return -ENOMEM;
	delta_truesize = xtcp_pskb_trim_head(skb, len);
	XTCP_SKB_CB(skb)->seq += len;
	if (delta_truesize) {
		skb->truesize -= delta_truesize;
		sk_wmem_queued_add(sk, -delta_truesize);
		sk_mem_uncharge(sk, delta_truesize);
	}
	/* Counted again in the segments it was cut into. */
	if (xtcp_skb_pcount(skb) > 1)
		xtcp_set_pcount(skb, XTCP_SKB_CB(skb)->mss);
	return 0;
}

/*
 * Nagle's algorithm (RFC 896, RFC 1122 4.2.3.4) in Minshall's variant as
 * Linux has it: a short segment waits while an earlier short one is
 * unacknowledged, so there is at most one in flight.  TCP_CORK holds
 * short segments until uncorked.  Only the queue's tail can end short
 * and still grow; a FIN is never held.  @len is the length of @skb's
 * last segment (tcp_nagle_check()).
 */
static bool xtcp_nagle_hold(const struct sock *sk, const struct sk_buff *skb,
			    unsigned int len, int nonagle)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	if ((nonagle & XTCP_NAGLE_PUSH) || len >= xs->mss_cache ||
	    xtcp_skb_has_flag(skb, XTCP_FLAG_FIN) || xtcp_urg_mode(xs) ||
	    skb != skb_peek_tail(&sk->sk_write_queue))
		return false;
	if (nonagle & XTCP_NAGLE_CORK)
		return true;
	if (nonagle & XTCP_NAGLE_OFF)
		return false;
	return xs->packets_out && xtcp_after(xs->snd_sml, xs->snd_una);
}

/*
 * How much of @skb, the head of the write queue, may go now, in at most
 * @segs segments of @mss: false if nothing may.  As tcp_snd_wnd_test(),
 * tcp_mss_split_point() and tcp_cwnd_test() together:
 * - the peer's window: where it ends inside @skb, the segments that fit
 *   go; a part shorter than an MSS only if it is worth a segment
 *   (sender-side silly window avoidance, RFC 9293 section 3.8.6.2.1: at
 *   least min(MSS, half the largest window the peer ever offered), or
 *   anything at all when nothing is in flight to bring an ACK);
 * - the congestion window and what one skb may carry (@segs);
 * - Nagle and TCP_CORK: the short last segment of the queue's tail may
 *   wait while the full ones before it go.
 * *@len is then the bytes to send, a multiple of @mss unless it ends
 * with the data or at the window's edge.
 */
static bool xtcp_xmit_len(struct sock *sk, const struct sk_buff *skb,
			  unsigned int mss, unsigned int segs, int nonagle,
			  u32 *len)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 wnd_end = xs->snd_una + xs->snd_wnd;
	s32 usable = (s32)(wnd_end - cb->seq);
	u32 partial;

	*len = skb->len;
	if (xtcp_after(cb->end_seq, wnd_end)) {
		if (!skb->len || usable <= 0)
			return false;
		/* Not worth a segment: wait for the window to open more. */
		if ((u32)usable < skb->len && (u32)usable < mss &&
		    xs->packets_out &&
		    (u32)usable < min_t(u32, mss, xs->max_window / 2))
			return false;
		if ((u32)usable < skb->len)
			*len = (u32)usable >= mss ?
			       rounddown((u32)usable, mss) : usable;
	}
	if (*len > segs * mss) {
		*len = segs * mss;
		return true;
	}
	partial = *len % mss;
	if (*len == skb->len && partial &&
	    xtcp_nagle_hold(sk, skb, partial, nonagle))
		*len -= partial;
	return *len || !skb->len;
}

/*
 * Resend what is marked lost, as cwnd allows, in sequence order from
 * retransmit_hint (as tcp_xmit_retransmit_queue() from its hint): the
 * hint moves past what is resent, up to the first skb left marked.
 *
 * A resend of the oldest segment starts the RTO again, a whole one from
 * now, unless RACK's reordering timer holds it (as
 * tcp_xmit_retransmit_queue()): else the timer armed when the original
 * went may fire before the resend's ACK can come back, a loss found
 * late (a small window's SACKs take a round trip more) turning into a
 * timeout and a slow start.
 */
static void xtcp_xmit_lost(struct sock *sk)
{
	struct sk_buff *skb, *head = xtcp_rtx_queue_head(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool behind = false, rearm = false;

	if (xtcp_before(xs->retransmit_hint, xs->snd_una) ||
	    xtcp_after(xs->retransmit_hint, xs->snd_nxt))
		xs->retransmit_hint = xs->snd_una;
	skb = xtcp_rtx_queue_find(sk, xs->retransmit_hint);
	skb_rbtree_walk_from(skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 in_flight = xtcp_in_flight(xs);

		if (!xs->lost_out || in_flight >= xs->cc.cwnd)
			break;
		/*
		 * As many of its segments as cwnd allows; the rest keep
		 * the mark (tcp_xmit_retransmit_queue()).
		 */
		if (cb->sacked & XTCP_SKB_LOST) {
			/* Twice new data's room below: repairs come first. */
			if (xtcp_pacing_check(sk) ||
			    xtcp_small_queue_check(sk, skb, 1))
				break;
			if (!xtcp_retransmit_lost(sk, skb,
						  xs->cc.cwnd - in_flight) &&
			    skb == head &&
			    inet_csk(sk)->icsk_pending != ICSK_TIME_REO_TIMEOUT)
				rearm = true;
		}
		if (cb->sacked & XTCP_SKB_LOST)
			behind = true;
		if (!behind)
			xs->retransmit_hint = cb->end_seq;
	}
	if (rearm)
		xtcp_reset_rtx_timer(sk);
}

/*
 * A tc egress classifier on the route's device may turn our segments into
 * TCP's (tools/xtcp-bridge): after that, TCP's GSO would be handed our
 * gso_type and refuse it.  Through such a device segments leave one by
 * one; checked at each send, so attaching or detaching takes effect at
 * once.
 */
static bool xtcp_dev_classifies_egress(const struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get((struct sock *)sk);

#ifdef CONFIG_NET_CLS_ACT
	return dst && dst->dev && rcu_access_pointer(dst->dev->miniq_egress);
#else
	return false;
#endif
}

/**
 * xtcp_gso_segs_max() - how many segments a queued skb may hold
 * @sk: the socket
 *
 * As the route's GSO limits allow (sk_gso_max_size, within
 * GSO_LEGACY_MAX_SIZE with room for the headers, and sk_gso_max_segs),
 * in segments of the current MSS; 1 in urgent mode (each segment's
 * urgent pointer is its own).  sendmsg() sizes the skbs it queues by it
 * (xtcp_size_goal(), as tcp_xmit_size_goal()), whether or not they may
 * leave whole: as TCP, whose GSO is always on, queues 64 KiB skbs for a
 * device without GSO, xtcp_burst_max() cuts what leaves.  Large skbs
 * cost fewer sk_buffs against the send buffer.
 *
 * Context: socket locked.
 * Return: the segments, at least 1.
 */
unsigned int xtcp_gso_segs_max(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int gso_max;

	if (xtcp_urg_mode(xs) || sk->sk_gso_max_size <= MAX_XTCP_HEADER ||
	    !xs->mss_cache)
		return 1;
	gso_max = min_t(unsigned int, sk->sk_gso_max_size,
			GSO_LEGACY_MAX_SIZE) - MAX_XTCP_HEADER;
	return clamp_t(unsigned int, gso_max / xs->mss_cache, 1,
		       sk->sk_gso_max_segs);
}

/**
 * xtcp_burst_max() - how many segments one skb may carry to IP now
 * @sk: the socket
 *
 * What the GSO limits allow (xtcp_gso_segs_max()) and about a
 * millisecond of the pacing rate (xtcp_tso_autosize(), as
 * tcp_tso_segs()); 1 when GSO is off (net.xtcp.gso, the device's
 * NETIF_F_GSO), in urgent mode and through a device with a tc egress
 * classifier.  write_xmit and the resends cut to it.
 *
 * Context: socket locked.
 * Return: the segments, at least 1.
 */
unsigned int xtcp_burst_max(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int max, gso_segs = xtcp_gso_segs_max(sk);
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	if (gso_segs == 1 || !READ_ONCE(xn->sysctl_gso) ||
	    !(sk->sk_route_caps & NETIF_F_GSO) ||
	    xtcp_dev_classifies_egress(sk))
		return 1;
	max = xtcp_tso_autosize(READ_ONCE(sk->sk_pacing_rate),
				READ_ONCE(sk->sk_pacing_shift), xs->min_rtt_us,
				READ_ONCE(xn->sysctl_tso_rtt_log),
				gso_segs * xs->mss_cache, xs->mss_cache,
				READ_ONCE(xn->sysctl_min_tso_segs));
	return clamp_t(unsigned int, max, 1, gso_segs);
}

/*
 * New data is about to leave with nothing in flight (lsndtime still the
 * last data's).  After an idle period longer than the RTO cwnd restarts
 * (xtcp_cc_restart()) if net.xtcp.slow_start_after_idle says so, as
 * tcp_slow_start_after_idle_check(); then the algorithm hears that
 * sending starts again (XTCP_CA_EVENT_TX_START, as tcp_event_data_sent()).
 */
static void xtcp_tx_start(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now_ms = jiffies_to_msecs(jiffies);
	u32 idle_ms = jiffies_to_msecs((u32)jiffies - xs->lsndtime);

	if (!xs->ca_ops)	/* not synchronized yet */
		return;
	if (READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_slow_start_after_idle))
		xtcp_cc_restart(&xs->cc, xs->ca_ops, now_ms, idle_ms,
				jiffies_to_msecs(inet_csk(sk)->icsk_rto));
	xtcp_cc_event(&xs->cc, xs->ca_ops, XTCP_CA_EVENT_TX_START, now_ms,
		      idle_ms);
	/* A rate the event changed applies to this send (BBR's restart). */
	if (xs->ca_ops->cong_control)
		xtcp_update_pacing_rate(sk);
}

/*
 * Send what the write queue holds, as far as the congestion window, the
 * peer's window and Nagle allow; segments marked lost go first.  As
 * tcp_write_xmit(): the head skb goes whole, or the part of it that may
 * go now is split off at a multiple of the MSS (tso_fragment()); on the
 * retransmission queue it counts its segments, and a clone of it leaves
 * as one skb of that many segments (xtcp_transmit_skb()).  The
 * retransmission timer runs while anything is unacknowledged; the
 * persist timer while only the peer's window holds data back.
 */
static void __xtcp_write_xmit(struct sock *sk, int nonagle, bool probe)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 prior_packets = xs->packets_out;
	bool sent = false, rwnd_limited = false, frto_new;
	unsigned int mss, burst_max;
	struct sk_buff *skb;

	sock_owned_by_me(sk);

	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_CLOSE | TCPF_LISTEN))
		return;
	/*
	 * Nothing to send or resend (a receiver's every segment asks): no
	 * clock read and no burst size, as tcp_push_pending_frames()
	 * without a send head.
	 */
	if (skb_queue_empty(&sk->sk_write_queue) && !xs->lost_out &&
	    !xs->frto_new)
		return;
	mss = xs->mss_cache;
	burst_max = xtcp_burst_max(sk);
	xtcp_clock_refresh(xs);
	/*
	 * F-RTO step 2b (xtcp_frto()): new data, not yet what the timeout
	 * marked lost, as tcp_xmit_recovery()'s REXMIT_NEW.
	 */
	frto_new = xs->frto_new;
	xs->frto_new = 0;
	if (frto_new)
		nonagle |= XTCP_NAGLE_OFF;
	else if (xs->lost_out)
		xtcp_xmit_lost(sk);

	while ((skb = skb_peek(&sk->sk_write_queue))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 in_flight = xtcp_in_flight(xs), len;
		unsigned int segs;

		/* A loss probe is one segment, cwnd or not (RFC 8985 7.3). */
		if ((xs->lost_out && !frto_new) ||
		    (!probe && in_flight >= xs->cc.cwnd))
			break;
		segs = probe ? 1 : min(xs->cc.cwnd - in_flight, burst_max);
		if (!xtcp_xmit_len(sk, skb, mss, segs, nonagle, &len)) {
			/* Not even a segment fits the peer's window. */
			rwnd_limited = skb->len &&
				       xtcp_after(cb->seq + min(skb->len, mss),
						  xs->snd_una + xs->snd_wnd);
			break;
		}
		/*
		 * Only part of it goes: the rest, and the FIN if the window
		 * ends before it, stay queued (tso_fragment()).
		 */
		if ((len < skb->len ||
		     xtcp_after(cb->end_seq, xs->snd_una + xs->snd_wnd)) &&
		    xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, skb, len, mss))
			break;
		/* Not yet its time, or enough of ours waits below. */
		if (!probe && (xtcp_pacing_check(sk) ||
			       xtcp_small_queue_check(sk, skb, 0)))
			break;
		xtcp_set_pcount(skb, mss);
		/* The first data after nothing was in flight. */
		if (!xs->packets_out && skb->len)
			xtcp_tx_start(sk);
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_rtx_queue_insert(sk, skb);
		INIT_LIST_HEAD(&skb->tcp_tsorted_anchor);
		xs->packets_out += xtcp_skb_pcount(skb);
		WRITE_ONCE(xs->snd_nxt, cb->end_seq);
		/* Ends short: Minshall's mark (tcp_minshall_update()). */
		if (skb->len < xtcp_skb_pcount(skb) * mss)
			xs->snd_sml = cb->end_seq;
		/*
		 * The last of what was written: PSH, as tcp_push() marks
		 * the tail; not for a full skb the write goes on after.
		 */
		if (skb->len && skb_queue_empty(&sk->sk_write_queue) &&
		    !(nonagle & XTCP_PUSH_ONE))
			cb->flags |= XTCP_FLAG_PSH;
		sent = true;
		xtcp_transmit_skb(sk, skb, true, sk_gfp_mask(sk, GFP_ATOMIC));
		if (probe)
			break;
	}
	/* No new data could go: F-RTO ends, the usual resends follow. */
	if (frto_new && !xtcp_after(xs->snd_nxt, xs->cc.recover)) {
		xs->frto = 0;
		xtcp_xmit_lost(sk);
	}
	if (rwnd_limited)
		xtcp_chrono_start(sk, XTCP_CHRONO_RWND_LIMITED);
	else
		xtcp_chrono_stop(sk, XTCP_CHRONO_RWND_LIMITED);
	/*
	 * Sent all there was, not limited by cwnd, while the writer waits
	 * for buffer: the send buffer is the limit (tcp_cwnd_validate()).
	 */
	if (sent && !probe && skb_queue_empty(&sk->sk_write_queue) &&
	    !xtcp_cwnd_limited(xs, xtcp_in_flight(xs)) && sk->sk_socket &&
	    test_bit(SOCK_NOSPACE, &sk->sk_socket->flags) &&
	    (1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))
		xtcp_chrono_start(sk, XTCP_CHRONO_SNDBUF_LIMITED);
	/*
	 * New data in flight: the RTO runs, from the oldest segment's send
	 * if a loss probe held the timer; RACK's reordering timer stays
	 * (tcp_event_new_data_sent()).  A loss probe is due two round trips
	 * after this send if the connection may probe
	 * (tcp_schedule_loss_probe()).  A probe itself leaves the timer to
	 * xtcp_send_loss_probe().
	 */
	if (sent && !probe) {
		if (!prior_packets ||
		    (icsk->icsk_pending != ICSK_TIME_RETRANS &&
		     icsk->icsk_pending != ICSK_TIME_REO_TIMEOUT))
			xtcp_rearm_rto(sk);
		xtcp_schedule_loss_probe(sk, false);
	}
	if (!xs->packets_out && !skb_queue_empty(&sk->sk_write_queue) &&
	    !icsk->icsk_pending)
		xtcp_reset_probe_timer(sk);
}

/**
 * xtcp_write_xmit() - send what the write queue holds, as far as allowed
 * @sk: the socket
 *
 * As far as the congestion window, the peer's window and Nagle (the
 * socket's own setting) allow; segments marked lost go first.  Full
 * segments in a row leave as one skb of several segments.  The
 * retransmission timer runs while anything is unacknowledged; the
 * persist timer while only the peer's window holds data back.
 *
 * Context: socket locked (the receive path, after an ACK or the
 * handshake).
 */
void xtcp_write_xmit(struct sock *sk)
{
	__xtcp_write_xmit(sk, xtcp_sk(sk)->nonagle, false);
}

/**
 * xtcp_push() - the application's push
 * @sk: the socket
 * @nonagle: XTCP_NAGLE_* to add to the socket's own setting for this
 *	     push (XTCP_NAGLE_PUSH: send what is held, once)
 *
 * As xtcp_write_xmit(), with @nonagle added.
 *
 * Context: socket locked (sendmsg, sendpage, setsockopt, FIN, the
 * persist timer).
 */
void xtcp_push(struct sock *sk, int nonagle)
{
	__xtcp_write_xmit(sk, xtcp_sk(sk)->nonagle | nonagle, false);
}

static int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb,
			       unsigned int segs);

/*
 * Before @skb on the retransmission queue is resent: at most @segs
 * segments of the MSS now, within what one skb may carry now; the rest
 * is split off and stays queued with the same marks (as
 * __tcp_retransmit_skb()).  A path MTU that fell since it was sent, or
 * urgent mode, cuts it the same way, and what stays whole is counted in
 * segments of the MSS now.
 */
static int xtcp_rtx_fit(struct sock *sk, struct sk_buff *skb,
			unsigned int segs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int mss = xs->mss_cache;
	int diff;

	segs = clamp_t(unsigned int, segs, 1, xtcp_burst_max(sk));
	if (skb->len > segs * mss)
		return xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb,
				     segs * mss, mss);
	diff = xtcp_skb_pcount(skb);
	xtcp_set_pcount(skb, mss);
	diff -= xtcp_skb_pcount(skb);
	if (diff)
		xtcp_adjust_pcount(sk, skb, diff);
	return 0;
}

/**
 * xtcp_retransmit_lost() - resend a queued skb now, lost mark or not
 * @sk: the socket
 * @skb: the skb, on the retransmission queue
 * @segs: the most segments that may go (what cwnd allows; 1 for a fast
 *	  retransmit of the head)
 *
 * Resend @skb now, or its first @segs segments, whether or not it was
 * marked lost (what goes is no more).  Split first: the part cut off
 * keeps the mark, to go later.
 *
 * Context: socket locked.
 * Return: as xtcp_retransmit_skb(); -ENOMEM if the split failed (the
 * mark is kept then).
 */
int xtcp_retransmit_lost(struct sock *sk, struct sk_buff *skb,
			 unsigned int segs)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	/* Split first: the part cut off keeps the mark, to go later. */
	if (xtcp_rtx_fit(sk, skb, segs))
		return -ENOMEM;
	if (cb->sacked & XTCP_SKB_LOST) {
		cb->sacked &= ~XTCP_SKB_LOST;
		cb->sacked |= XTCP_SKB_LOST_RESENT;
		xtcp_sk(sk)->lost_out -= xtcp_skb_pcount(skb);
	}
	return xtcp_retransmit_skb(sk, skb, segs);
}

/**
 * xtcp_retransmit_skb() - resend a queued skb of the retransmission queue
 * @sk: the socket
 * @skb: the skb
 * @segs: the most segments that may go
 *
 * Cut to @segs segments of the MSS first (xtcp_rtx_fit()); marked as
 * retransmitted (no RTT sample from it, Karn) and counted in segments:
 * SynRetrans for a SYN, else RetransSegs and TCP_INFO's total_retrans
 * and bytes_retrans.
 *
 * Context: socket locked.
 * Return: 0 once handed to IP, -ENOMEM if it could not be cut, -ENOBUFS
 * if no clone could be made, or af_ops' queue_xmit error (through
 * net_xmit_eval()).
 */
static int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb,
			       unsigned int segs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 pcount;

	if (xtcp_rtx_fit(sk, skb, segs))
		return -ENOMEM;
	pcount = xtcp_skb_pcount(skb);
	XTCP_SKB_CB(skb)->sacked |= XTCP_SKB_RETRANS;
	/* A resent SYN is a resent segment too, as TCP counts it. */
	XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_RETRANSSEGS, pcount);
	trace_xtcp_retransmit_skb(sk, skb);
	if (xtcp_skb_has_flag(skb, XTCP_FLAG_SYN)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNRETRANS);
		/*
		 * A path that drops SYNs asking for ECN: the resent one asks
		 * no more (net.xtcp.ecn_fallback, tcp_ecn_clear_syn()).
		 */
		if (sk->sk_state == TCP_SYN_SENT &&
		    READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_ecn_fallback))
			XTCP_SKB_CB(skb)->flags &= ~(XTCP_FLAG_ECE | XTCP_FLAG_CWR);
	} else {
		/* TCP_INFO's count: the resent data of one connection. */
		xs->total_retrans += pcount;
		if (!xs->retrans_tsval)
			xs->retrans_tsval = xtcp_tsval(xs) ? : 1;
		/* Each must come back as a D-SACK for an undo. */
		xtcp_cc_retransmitted(&xs->cc, pcount, xtcp_tsval(xs));
		xs->bytes_retrans += skb->len;
	}
	return xtcp_transmit_skb(sk, skb, true, GFP_ATOMIC);
}

/**
 * xtcp_retransmit_rtx_queue() - the retransmission timer expired
 * @sk: the socket
 *
 * Retransmission timeout: everything in flight is taken as lost (RFC
 * 5681 section 3.1 restarts from one segment); the oldest goes now, the
 * others as the congestion window opens again.  In SYN-SENT or
 * SYN-RECEIVED only the SYN is resent.  A timeout with many SACKed
 * segments above the holes lowers the reordering estimate
 * (tcp_enter_loss()); a SACKed segment at the head means the peer
 * reneged (RFC 2018 section 8): every SACK mark is dropped.
 *
 * Context: socket locked (the write timer).
 */
void xtcp_retransmit_rtx_queue(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *head = xtcp_rtx_queue_head(sk);
	struct sk_buff *skb;
	u32 reordering;
	u8 ca_old;

	if (!head)
		return;
	xtcp_clock_refresh(xs);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		xtcp_retransmit_skb(sk, head, 1);
		return;
	}
	/*
	 * A timeout while holes had many SACKed segments above them: the
	 * reordering estimate was too high (Linux's tcp_enter_loss()).
	 */
	reordering = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_reordering);
	if (xs->sacked_out >= reordering)
		xs->cc.reordering = min_t(u32, xs->cc.reordering, reordering);
	ca_old = xtcp_trace_ca_old(xs);
	/*
	 * F-RTO (RFC 5682 section 3.1 step 1), unless the timeout ends a
	 * recovery, whose losses were real; but again when the same data
	 * times out once more (section 3.2), as tcp_enter_loss().
	 */
	xs->frto = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_frto) &&
		   (xs->cc.state == XTCP_CA_OPEN || xs->cc.state == XTCP_CA_CWR ||
		    inet_csk(sk)->icsk_retransmits);
	xs->frto_new = 0;
	xs->tlp_high_seq = 0;
	xtcp_cc_timeout(&xs->cc, xs->ca_ops, xs->snd_una, xs->snd_nxt,
			xtcp_in_flight(xs));
	/*
	 * A SACKed segment at the head after a timeout means the peer threw
	 * away what it had SACKed (reneging, RFC 2018 section 8): trust no
	 * SACK mark any more.
	 */
	if (XTCP_SKB_CB(head)->sacked & XTCP_SKB_SACKED) {
		xtcp_rtx_queue_walk(skb, sk)
			XTCP_SKB_CB(skb)->sacked &= ~XTCP_SKB_SACKED;
		xs->sacked_out = 0;
		xs->lost_hint = xs->snd_una;
	}
	xtcp_rtx_queue_walk(skb, sk) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (cb->sacked & (XTCP_SKB_LOST | XTCP_SKB_SACKED))
			continue;
		/* A resend still in flight, lost again (tcp_mark_skb_lost()). */
		if (cb->sacked & XTCP_SKB_RETRANS)
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LOSTRETRANSMIT);
		xtcp_skb_mark_lost(xs, skb);
	}
	xs->retransmit_hint = xs->snd_una;
	xtcp_trace_ca_changed(sk, ca_old);
	xtcp_xmit_lost(sk);
}

/**
 * xtcp_send_loss_probe() - the tail loss probe's timer expired
 * @sk: the socket
 *
 * RFC 8985 section 7.3, as tcp_send_loss_probe(): no ACK came for two
 * round trips, so the tail of the flight may be lost, and with it every
 * ACK that would have told.  One segment goes, whatever cwnd says: new
 * data if there is some and the peer's window takes it, else the last
 * segment in flight again (the last MSS of the last skb, split off it
 * as tcp_send_loss_probe() does).  Its ACK, SACK or D-SACK tells what was lost
 * (xtcp_tlp_ack() in input.c).  At most one probe is out at a time; none
 * while the segment's last copy is still on its way out of this host
 * (a clone not yet freed).  Then the RTO runs, from now if a probe went.
 *
 * Context: socket locked (the write timer).
 */
void xtcp_send_loss_probe(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 mss = xs->mss_cache, packets = xs->packets_out;
	struct sk_buff *skb;

	if (xs->tlp_high_seq || !xtcp_tlp_allowed(sk) || !mss)
		goto rearm;
	xs->tlp_retrans = 0;
	skb = skb_peek(&sk->sk_write_queue);
	if (skb && !xtcp_after(XTCP_SKB_CB(skb)->seq + min(skb->len, mss),
			       xs->snd_una + xs->snd_wnd)) {
		__xtcp_write_xmit(sk, XTCP_NAGLE_OFF, true);
		if (xs->packets_out > packets)
			goto sent;
		goto rearm;
	}
	skb = xtcp_rtx_queue_tail(sk);
	if (!skb || skb_cloned(skb))
		goto rearm;
	if (skb->len > mss) {
		if (xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb,
				  (skb->len - 1) / mss * mss, mss))
			goto rearm;
		skb = skb_rb_next(skb);
	}
	if (xtcp_retransmit_skb(sk, skb, 1))
		goto rearm;
	xs->tlp_retrans = 1;
sent:
	xs->tlp_high_seq = xs->snd_nxt;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LOSSPROBES);
	/* The RTO from now, not from the oldest segment's send. */
	inet_csk(sk)->icsk_pending = 0;
rearm:
	xtcp_rearm_rto(sk);
}

/**
 * xtcp_simple_retransmit() - resend at once what a smaller path MTU lost
 * @sk: the socket
 *
 * The path MTU fell below the size segments in flight were cut to: the
 * router dropped them, so they are lost without doubt.  Mark them and
 * resend them at the new MSS now, not at the RTO (as
 * tcp_simple_retransmit()).  Not a sign of congestion: the window stays.
 *
 * Context: socket locked (xtcp_v4_mtu_reduced()).
 */
void xtcp_simple_retransmit(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	/* From the ICMP path: the resends below stamp with this. */
	xtcp_clock_refresh(xs);
	xtcp_rtx_queue_walk(skb, sk) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		/* Its segments are longer than the MSS now (tcp_skb_seglen()). */
		if (xtcp_skb_seglen(skb) > xs->mss_cache &&
		    !(cb->sacked & (XTCP_SKB_LOST | XTCP_SKB_SACKED))) {
			xtcp_skb_mark_lost(xs, skb);
		}
	}
	xs->retransmit_hint = xs->snd_una;
	if (xs->lost_out)
		xtcp_xmit_lost(sk);
}

/**
 * xtcp_send_ack() - a bare ACK for what we have received
 * @sk: the socket
 *
 * Nothing for a closed socket, nor if the skb cannot be allocated.
 *
 * Context: socket locked.
 */
void xtcp_send_ack(struct sock *sk)
{
	struct sk_buff *skb;

	if (sk->sk_state == TCP_CLOSE)
		return;
	skb = xtcp_alloc_ctl_skb(sk, GFP_ATOMIC);
	if (!skb)
		return;
	XTCP_SKB_CB(skb)->seq = xtcp_sk(sk)->snd_nxt;
	XTCP_SKB_CB(skb)->end_seq = xtcp_sk(sk)->snd_nxt;
	XTCP_SKB_CB(skb)->flags = XTCP_FLAG_ACK;
	xtcp_transmit_skb(sk, skb, false, GFP_ATOMIC);
}

/**
 * xtcp_send_delayed_ack() - owe the peer an ACK
 * @sk: the socket
 *
 * Sent within XTCP_DELACK_MIN unless data or a second full segment
 * takes it along first (RFC 1122 4.2.3.2); a timer already pending is
 * left as it is.
 *
 * Context: socket locked (the receive path).
 */
void xtcp_send_delayed_ack(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (icsk->icsk_ack.pending & ICSK_ACK_TIMER)
		return;
	icsk->icsk_ack.pending |= ICSK_ACK_SCHED;
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_DACK, XTCP_DELACK_MIN,
				  XTCP_DELACK_MAX);
}

/**
 * xtcp_send_keepalive_probe() - a probe that makes the peer answer with an ACK
 * @sk: the socket
 *
 * An ACK at SND.UNA - 1, a byte it has already acknowledged.  Keepalive
 * and zero-window probes (Linux's choice for both) alike.
 *
 * Context: socket locked (the keepalive and persist timers).
 */
void xtcp_send_keepalive_probe(struct sock *sk)
{
	struct sk_buff *skb = xtcp_alloc_ctl_skb(sk, GFP_ATOMIC);

	if (!skb)
		return;
	XTCP_SKB_CB(skb)->seq = xtcp_sk(sk)->snd_una - 1;
	XTCP_SKB_CB(skb)->end_seq = XTCP_SKB_CB(skb)->seq;
	XTCP_SKB_CB(skb)->flags = XTCP_FLAG_ACK;
	xtcp_transmit_skb(sk, skb, false, GFP_ATOMIC);
}

/**
 * xtcp_send_window_probe() - a zero-window probe
 * @sk: the socket
 *
 * A keepalive probe (xtcp_send_keepalive_probe()), counted in
 * WindowProbes.
 *
 * Context: socket locked (the persist timer, through xtcp_write_wakeup()).
 */
static void xtcp_send_window_probe(struct sock *sk)
{
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_WINPROBES);
	xtcp_send_keepalive_probe(sk);
}

/**
 * xtcp_write_wakeup() - the persist timer fired with nothing in flight
 * @sk: the socket
 *
 * As tcp_write_wakeup(): if the peer's window has room for the head of
 * the write queue, or for part of it, that goes now, whatever Nagle or
 * TCP_CORK would still hold back (the 200 ms ceiling on a cork, tcp(7));
 * else a zero-window probe.
 *
 * Context: socket locked (the persist timer).
 */
void xtcp_write_wakeup(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (skb && xtcp_before(XTCP_SKB_CB(skb)->seq,
			       xs->snd_una + xs->snd_wnd)) {
		xtcp_push(sk, XTCP_NAGLE_PUSH);
		if (xs->packets_out)
			return;
	}
	xtcp_send_window_probe(sk);
}

/**
 * xtcp_send_active_reset() - abort: RST at SND.NXT
 * @sk: the socket
 * @gfp: allocation flags for the segment
 *
 * Nothing waits for it to arrive, and nothing is sent if the skb cannot
 * be allocated.
 *
 * Context: socket locked: process context (close, disconnect) or the
 * timers and the receive path in softirq (GFP_ATOMIC).
 */
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	struct sk_buff *skb = xtcp_alloc_ctl_skb(sk, gfp);

	if (!skb)
		return;
	XTCP_SKB_CB(skb)->seq = xtcp_sk(sk)->snd_nxt;
	XTCP_SKB_CB(skb)->end_seq = xtcp_sk(sk)->snd_nxt;
	XTCP_SKB_CB(skb)->flags = XTCP_FLAG_RST | XTCP_FLAG_ACK;
	trace_xtcp_send_reset(sk, NULL, xtcp_sk(sk)->snd_nxt,
			      xtcp_sk(sk)->rcv_nxt);
	xtcp_transmit_skb(sk, skb, false, gfp);
}

/**
 * xtcp_send_fin() - queue our FIN and send
 * @sk: the socket
 *
 * Queue our FIN behind any unsent data (on the last unsent segment if
 * there is one) and send what the window allows.  Only once: a FIN
 * already queued is not queued again.  The FIN's skb is allocated with
 * __GFP_NOFAIL and charged even over the memory limit.
 *
 * Context: process context, socket locked (shutdown(), close()).
 */
void xtcp_send_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (xs->fin_queued)
		return;
	if (!skb) {
		skb = alloc_skb(MAX_XTCP_HEADER, sk->sk_allocation | __GFP_NOFAIL);
		skb_reserve(skb, MAX_XTCP_HEADER);
		XTCP_SKB_CB(skb)->seq = xs->write_seq;
		XTCP_SKB_CB(skb)->end_seq = xs->write_seq;
		XTCP_SKB_CB(skb)->flags = XTCP_FLAG_ACK;
		XTCP_SKB_CB(skb)->sacked = 0;
		/*
		 * The FIN must go out even over the memory limit; an skb of
		 * no data charged on credit is balanced again when acked.
		 */
		sk_wmem_schedule(sk, skb->truesize);
		sk_wmem_queued_add(sk, skb->truesize);
		sk_mem_charge(sk, skb->truesize);
		__skb_queue_tail(&sk->sk_write_queue, skb);
		xtcp_chrono_start(sk, XTCP_CHRONO_BUSY);
	}
	XTCP_SKB_CB(skb)->flags |= XTCP_FLAG_FIN;
	XTCP_SKB_CB(skb)->end_seq++;
	WRITE_ONCE(xs->write_seq, xs->write_seq + 1);
	xs->fin_queued = 1;
	xtcp_push(sk, XTCP_NAGLE_PUSH);
}

/**
 * xtcp_release_cb() - do what softirq deferred while the socket was owned
 * @sk: the socket
 *
 * release_sock() calls this once the owner lets go: what softirq could
 * not do while the socket was owned (XTCP_*_DEFERRED in sk_tsq_flags,
 * each holding a socket reference, dropped here): sending on after TCP
 * Small Queues' wait, the write timer, the delayed-ACK timer and a path
 * MTU reduction, in that order.
 *
 * Context: process context, from release_sock() (struct proto's
 * release_cb): the socket owned by the caller, its spinlock held, BHs
 * off.
 */
void xtcp_release_cb(struct sock *sk)
{
	/* Pairs with the atomic test_and_set_bit()s in xtcp_v4_err() and
	 * the timers (timer.c).
	 */
	unsigned long flags = smp_load_acquire(&sk->sk_tsq_flags);
	unsigned long nflags;

	do {
		if (!(flags & XTCPF_DEFERRED_ALL))
			return;
		nflags = flags & ~XTCPF_DEFERRED_ALL;
	} while (!try_cmpxchg(&sk->sk_tsq_flags, &flags, nflags));

	sock_owned_by_me(sk);
	/* First, as tcp_release_cb(): freed skbs made room below. */
	if (flags & XTCPF_TSQ_DEFERRED) {
		xtcp_tsq_write(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_WRITE_TIMER_DEFERRED) {
		xtcp_write_timer_handler(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_DELACK_TIMER_DEFERRED) {
		xtcp_delack_timer_handler(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_MTU_REDUCED_DEFERRED) {
		inet_csk(sk)->icsk_af_ops->mtu_reduced(sk);
		__sock_put(sk);
	}
}
