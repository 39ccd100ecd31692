// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp socket API: what an application's calls do.  listen, sendmsg,
 * recvmsg, poll, close, shutdown and ioctl (socket options are in
 * sockopt.c; connect(), which routes and binds, in ipv4.c).
 * Each entry point takes the socket lock (lock_sock) for its duration.
 */
#include <linux/module.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <linux/poll.h>
#include <linux/pipe_fs_i.h>
#include <linux/splice.h>
#include <linux/tcp.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/sock.h>

#include "xtcp.h"
#include "trace.h"

/*
 * Wake writers once an ACK freed enough of the send buffer, and, with
 * TCP_NOTSENT_LOWAT, once what waited unsent went out (the kernel's
 * sk_stream_write_space is not exported to modules).
 */
static void xtcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !__sk_stream_is_writeable(sk, 1))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	/* The writer may go on: no longer the send buffer's stall. */
	if (xtcp_sk(sk)->chrono_type == XTCP_CHRONO_SNDBUF_LIMITED)
		xtcp_chrono_stop(sk, XTCP_CHRONO_SNDBUF_LIMITED);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/* TCP_NOTSENT_LOWAT, or net.xtcp.notsent_lowat (tcp_notsent_lowat()). */
static u32 xtcp_notsent_lowat(const struct sock *sk)
{
	return READ_ONCE(xtcp_sk(sk)->notsent_lowat) ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_notsent_lowat);
}

/**
 * xtcp_stream_memory_free() - whether few enough bytes wait unsent
 * @sk: the socket
 * @wake: 1 when asked for a sleeping writer, 0 for poll() and sendmsg()
 *
 * struct proto's stream_memory_free, asked by poll() and sendmsg()
 * (sk_stream_memory_free()) once the send buffer has room: there is room
 * to write only while fewer than TCP_NOTSENT_LOWAT bytes wait unsent; a
 * sleeping writer (@wake) is woken only below half that, so that it is
 * not woken for every segment that leaves (tcp_stream_memory_free()).
 *
 * Context: any; reads write_seq and snd_nxt with READ_ONCE(), with or
 * without the socket lock (poll() has none).
 * Return: true if the application may write.
 */
bool xtcp_stream_memory_free(const struct sock *sk, int wake)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 notsent = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_nxt);

	return (notsent << wake) < xtcp_notsent_lowat(sk);
}

/**
 * xtcp_init_sock() - set up a new socket, whatever its family
 * @sk: the socket, just allocated by inet_create()
 *
 * Called by struct proto's init (xtcp_v4_init_sock()), which sets the
 * family's af_ops first.  Queues, timers, the initial RTO and MSS, the
 * default congestion control, the send and receive buffers at
 * the netns' net.xtcp.wmem[1] and rmem[1]; CLOSED.
 *
 * Context: process context; the socket is not locked and no one else
 * sees it yet.
 * Return: 0.
 */
int xtcp_init_sock(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_cong_ops *ca;

	xs->rtx_queue = RB_ROOT;
	INIT_LIST_HEAD(&xs->tsorted_sent_queue);
	xs->out_of_order_queue = RB_ROOT;
	xtcp_init_xmit_timers(sk);
	inet_csk(sk)->icsk_rto = XTCP_TIMEOUT_INIT;
	/* IP_OPTIONS and CIPSO call it on any INET_PROTOSW_ICSK socket. */
	inet_csk(sk)->icsk_sync_mss = xtcp_sync_mss;
	WRITE_ONCE(xs->mss_cache, XTCP_MSS_DEFAULT);
	/*
	 * The netns' default algorithm, held (cong_register.c); xtcp's own
	 * if its module is going.  TCP_INFO reads a new socket's window as
	 * TCP's (tcp_init_sock()).
	 */
	rcu_read_lock();
	ca = READ_ONCE(xtcp_pernet(sock_net(sk))->ca_default);
	if (!xtcp_cong_hold(ca))
		ca = xtcp_cong_default;
	rcu_read_unlock();
	WRITE_ONCE(xs->ca_choice, ca);
	xtcp_cc_init(&xs->cc, xs->ca_choice, 0, false);
	xs->cc.reordering =
		READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_reordering);
	xs->min_rtt_us = ~0U;
	xtcp_delivery_reset(&xs->dlv);
	/* In UDP to this port if the netns says so (udp.c). */
	xs->encap_port = htons((u16)READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_encap_port));
	sk->sk_state = TCP_CLOSE;
	sk->sk_write_space = xtcp_write_space;
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	INIT_LIST_HEAD(&xs->tsq_node);
	sk->sk_sndbuf = xtcp_wmem(sk, 1);
	sk->sk_rcvbuf = xtcp_rmem(sk, 1);
	sk_sockets_allocated_inc(sk);
	return 0;
}

/* Free every skb the send side holds, returning its memory charge. */
static void xtcp_purge_write_queues(struct sock *sk)
{
	struct sk_buff *skb;

	xtcp_rtx_queue_purge(sk);
	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_free_skb(sk, skb);
	/* Counted in segments, now none (as tcp_write_queue_purge()). */
	xtcp_sk(sk)->packets_out = 0;
	xtcp_sk(sk)->lost_out = 0;
	xtcp_sk(sk)->sacked_out = 0;
	xtcp_chrono_stop(sk, XTCP_CHRONO_BUSY);
	sk_mem_reclaim(sk);
}

/**
 * xtcp_destroy_sock() - struct proto's destroy: free what the socket holds
 * @sk: the socket
 *
 * Stops the timers, frees the write, retransmission and out-of-order
 * queues and releases the port.
 *
 * Context: from inet_csk_destroy_sock(), on a closed, orphaned socket
 * under its lock (the owner's, or the bh lock in softirq or with BHs
 * off).
 */
void xtcp_destroy_sock(struct sock *sk)
{
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_write_queues(sk);
	xtcp_ofo_purge(sk);
	if (inet_csk(sk)->icsk_bind_hash)
		inet_put_port(sk);
	sk_sockets_allocated_dec(sk);
	/* Its own UDP socket, if TIME-WAIT did not take it (udp.c). */
	xtcp_encap_sock_release(sk);
	/* The socket held its algorithm's module since xtcp_init_sock(). */
	xtcp_cong_put(xtcp_sk(sk)->ca_choice);
}

/**
 * xtcp_disconnect() - back to a fresh CLOSED socket
 * @sk: the socket
 * @flags: unused (the callers' file flags)
 *
 * Connect failure, AF_UNSPEC connect, shutdown() of a SYN-SENT socket:
 * a listener stops listening, a synchronized connection is reset (RST
 * sent), a SYN-SENT one reports ECONNRESET; every queue is purged, the
 * timers stop and the connection's state and TCP_INFO counters restart.
 *
 * Context: process context, socket locked.
 * Return: 0.
 */
int xtcp_disconnect(struct sock *sk, int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int old_state = sk->sk_state;

	if (old_state != TCP_CLOSE)
		xtcp_set_state(sk, TCP_CLOSE);

	if (old_state == TCP_LISTEN)
		inet_csk_listen_stop(sk);
	else if ((1 << old_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				     TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 |
				     TCPF_CLOSING | TCPF_LAST_ACK |
				     TCPF_SYN_RECV))
		xtcp_send_active_reset(sk, gfp_any());
	else if (old_state == TCP_SYN_SENT)
		sk->sk_err = ECONNRESET;

	xtcp_clear_xmit_timers(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_ofo_purge(sk);
	xtcp_purge_write_queues(sk);
	inet->inet_dport = 0;
	inet_bhash2_reset_saddr(sk);
	sk->sk_shutdown = 0;
	sock_reset_flag(sk, SOCK_DONE);
	xs->fin_queued = 0;
	xs->frto = 0;
	xs->frto_new = 0;
	xs->tlp_high_seq = 0;
	memset(&xs->rack, 0, sizeof(xs->rack));
	memset(&xs->rcv_rtt_est, 0, sizeof(xs->rcv_rtt_est));
	xs->rcv_rtt_last_tsecr = 0;
	xs->rx_mss = 0;
	WRITE_ONCE(xs->urg_data, 0);
	inet_csk(sk)->icsk_backoff = 0;
	inet_csk(sk)->icsk_probes_out = 0;
	inet_csk(sk)->icsk_probes_tstamp = 0;
	inet_csk(sk)->icsk_retransmits = 0;
	inet_csk(sk)->icsk_rto = XTCP_TIMEOUT_INIT;
	xtcp_info_reset(xs);
	WRITE_ONCE(xs->window_clamp, 0);	/* as tcp_disconnect() */
	/* A connection in UDP ends so; the next is plain unless asked. */
	xtcp_encap_sock_release(sk);
	xtcp_set_plain(sk);
	__sk_dst_reset(sk);
	sk_error_report(sk);
	return 0;
}

/**
 * xtcp_inet_listen() - proto_ops' listen
 * @sock: the socket
 * @backlog: the accept queue's length
 *
 * Starts listening, or changes the backlog of a listener.  The kernel's
 * request sock timer reads the listener's icsk_syn_retries as its
 * SYN-ACK retry limit: it is fed TCP_SYNCNT, or net.xtcp.synack_retries.
 *
 * Context: process context, socket not locked; takes the socket lock.
 * Return: 0, -EINVAL for a socket that is connected, not a stream or
 * neither CLOSED nor listening, or inet_csk_listen_start()'s error
 * (-EADDRINUSE).
 */
int xtcp_inet_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int old_state, err;

	lock_sock(sk);
	err = -EINVAL;
	if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM)
		goto out;
	old_state = sk->sk_state;
	if (!((1 << old_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;

	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	if (old_state != TCP_LISTEN) {
		/*
		 * The kernel's request-sock timer reads the listener's
		 * icsk_syn_retries as its SYN-ACK retry limit: feed it
		 * TCP_SYNCNT (as TCP's listener), or net.xtcp.synack_retries.
		 */
		inet_csk(sk)->icsk_syn_retries = xtcp_sk(sk)->syn_retries ? :
			READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_synack_retries);
		err = inet_csk_listen_start(sk);
		if (err)
			goto out;
	}
	err = 0;
out:
	release_sock(sk);
	return err;
}

/* Append @skb, charged to @sk, to the tail of the write queue. */
static void xtcp_queue_skb(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	XTCP_SKB_CB(skb)->seq = xs->write_seq;
	XTCP_SKB_CB(skb)->end_seq = xs->write_seq;
	XTCP_SKB_CB(skb)->flags = XTCP_FLAG_ACK;
	XTCP_SKB_CB(skb)->sacked = 0;
	skb->ip_summed = CHECKSUM_PARTIAL;
	/*
	 * Its clones only ever push headers into the headroom, which is
	 * ours alone: they may, without a copy (tcp_skb_entail()).
	 */
	__skb_header_release(skb);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	__skb_queue_tail(&sk->sk_write_queue, skb);
	/* Data waits to go (tcp_add_write_queue_tail()). */
	if (sk->sk_write_queue.next == skb)
		xtcp_chrono_start(sk, XTCP_CHRONO_BUSY);
}

/*
 * A new skb for the write queue, as tcp_stream_alloc_skb(): room for the
 * headers only, its data goes into page fragments (xtcp_sendmsg()), up
 * to the size goal; a fast clone, for the copy each send hands to IP.
 */
static struct sk_buff *xtcp_alloc_send_skb(struct sock *sk)
{
	struct sk_buff *skb;

	skb = alloc_skb_fclone(MAX_XTCP_HEADER, sk->sk_allocation);
	if (!skb)
		return NULL;
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		__kfree_skb(skb);
		return NULL;
	}
	skb_reserve(skb, MAX_XTCP_HEADER);
	return skb;
}

/* A segment queued for data that then failed to arrive: take it back. */
static void xtcp_remove_empty_skb(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && XTCP_SKB_CB(skb)->seq == XTCP_SKB_CB(skb)->end_seq) {
		__skb_unlink(skb, &sk->sk_write_queue);
		if (skb_queue_empty(&sk->sk_write_queue))
			xtcp_chrono_stop(sk, XTCP_CHRONO_BUSY);
		xtcp_free_skb(sk, skb);
	}
}

/*
 * How many bytes sendmsg() and sendpage() put in one skb, as
 * tcp_xmit_size_goal(): as many segments of the MSS as the route's GSO
 * limits allow (xtcp_gso_segs_max(); one in urgent mode), and no more
 * than half the largest window the peer offered
 * (tcp_bound_to_half_wnd()), so that a window is never one skb.  Not
 * what may leave at once (xtcp_burst_max(): one segment where GSO is
 * off, a millisecond of a slow pacing rate): write_xmit cuts that, and
 * where cwnd or the window ends, on the way out.  Queued in large skbs,
 * the data costs few sk_buffs against the send buffer, and a writer
 * woken by room in it adds up to a goal at once (the tail may grow past
 * sk_sndbuf, as TCP's does), not a few segments per wakeup.
 */
static unsigned int xtcp_size_goal(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int mss = xs->mss_cache, goal;

	goal = mss * xtcp_gso_segs_max(sk);
	if (xs->max_window > 2 * mss && goal > xs->max_window / 2)
		goal = max(rounddown(xs->max_window / 2, mss), mss);
	return goal;
}

/*
 * The write queue's tail if more bytes may join it, below the size goal
 * (of @page at @offset, for sendpage: a fragment that continues the last
 * one takes no new slot), or a new skb queued after it; NULL while the
 * send buffer is full.
 */
static struct sk_buff *xtcp_send_tail(struct sock *sk, unsigned int goal,
				      const struct page *page, int offset)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && skb->len < goal && !xtcp_sk(sk)->fin_queued &&
	    !skb_headlen(skb) &&
	    (skb_shinfo(skb)->nr_frags < MAX_SKB_FRAGS ||
	     (page && skb_can_coalesce(skb, skb_shinfo(skb)->nr_frags, page,
				       offset))))
		return skb;
	if (!sk_stream_memory_free(sk))
		return NULL;
	skb = xtcp_alloc_send_skb(sk);
	if (skb)
		xtcp_queue_skb(sk, skb);
	return skb;
}

/*
 * @skb, on the write queue, reached the size goal while the application
 * writes: it leaves now, without PSH, if it is the first unsent one
 * (tcp_push_one()), and, once half the peer's largest window was written
 * since the last such push, everything that may go goes, @skb marked PSH
 * (forced_push()): a write does not wait for its own end, or for
 * TCP_NOTSENT_LOWAT to stop it, before its segments start to leave.
 */
static void xtcp_push_full(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_after(xs->write_seq, xs->pushed_seq + (xs->max_window >> 1))) {
		XTCP_SKB_CB(skb)->flags |= XTCP_FLAG_PSH;
		xs->pushed_seq = xs->write_seq;
		xtcp_push(sk, XTCP_NAGLE_PUSH);
	} else if (skb == skb_peek(&sk->sk_write_queue)) {
		xtcp_push(sk, XTCP_NAGLE_PUSH | XTCP_PUSH_ONE);
	}
}

/*
 * How to push after a send: MSG_MORE (and a sendpage with more pages to
 * come) holds a short segment as TCP_CORK does.
 */
static int xtcp_send_nagle(int flags)
{
	return flags & (MSG_MORE | MSG_SENDPAGE_NOTLAST) ? XTCP_NAGLE_CORK : 0;
}

/*
 * The application writes: if it had left cwnd unused, with less than a
 * segment waiting and nothing of ours queued below us, the delivery-rate
 * samples until what is in flight is delivered measure it, not the
 * path (tcp_rate_check_app_limited(), delivery.c).
 *
 * Context: socket locked.
 */
static void xtcp_check_app_limited(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 unresent = 0;
	struct sk_buff *skb;

	/* Lost segments not yet resent: the sender is not idle. */
	if (xs->lost_out)
		xtcp_rtx_queue_walk(skb, sk)
			if ((XTCP_SKB_CB(skb)->sacked &
			     (XTCP_SKB_LOST | XTCP_SKB_RETRANS)) ==
			    XTCP_SKB_LOST)
				unresent += xtcp_skb_pcount(skb);
	xtcp_delivery_check_app_limited(&xs->dlv, xs->write_seq - xs->snd_nxt,
					xs->mss_cache,
					sk_wmem_alloc_get(sk) < SKB_TRUESIZE(1),
					xtcp_in_flight(xs), xs->cc.cwnd,
					unresent, 0);
}

/* sendmsg() with the socket lock held (also sendpage's copying path). */
static int xtcp_sendmsg_locked(struct sock *sk, struct msghdr *msg)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int flags = msg->msg_flags;
	size_t copied = 0;
	long timeo;
	int err;

	sock_owned_by_me(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto out_err;
	}

	xtcp_check_app_limited(sk);
	sk_clear_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	while (msg_data_left(msg)) {
		unsigned int goal = xtcp_size_goal(sk);
		struct page_frag *pfrag;
		struct sk_buff *skb;
		bool merge;
		int copy, i;

		err = -EPIPE;
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			goto do_error;

		skb = xtcp_send_tail(sk, goal, NULL, 0);
		if (!skb)
			goto wait_for_space;

		copy = min_t(size_t, goal - skb->len, msg_data_left(msg));
		pfrag = sk_page_frag(sk);
		if (!sk_page_frag_refill(sk, pfrag))
			goto wait_for_space;
		i = skb_shinfo(skb)->nr_frags;
		merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
		copy = min_t(int, copy, pfrag->size - pfrag->offset);
		if (!sk_wmem_schedule(sk, copy))
			goto wait_for_space;
		/* Charges @copy to the socket and adds it to the skb's length. */
		err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb,
					       pfrag->page, pfrag->offset, copy);
		if (err)
			goto do_error;
		if (merge) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset,
					   copy);
			page_ref_inc(pfrag->page);
		}
		pfrag->offset += copy;
		XTCP_SKB_CB(skb)->end_seq += copy;
		WRITE_ONCE(xs->write_seq, xs->write_seq + copy);
		copied += copy;
		/* Not in the middle of urgent data (tcp_sendmsg_locked()). */
		if (skb->len >= goal && !(flags & MSG_OOB))
			xtcp_push_full(sk, skb);
		continue;

wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		xtcp_push(sk, XTCP_NAGLE_PUSH);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
	/* MSG_OOB: the last byte written is urgent (tcp_mark_urg()). */
	if (flags & MSG_OOB)
		xs->snd_up = xs->write_seq;
	xtcp_push(sk, xtcp_send_nagle(flags));
	return copied;

do_error:
	xtcp_remove_empty_skb(sk);
	if (copied) {
		if (flags & MSG_OOB)
			xs->snd_up = xs->write_seq;
		xtcp_push(sk, xtcp_send_nagle(flags));
		return copied;
	}
out_err:
	return sk_stream_error(sk, flags, err);
}

/**
 * xtcp_sendmsg() - struct proto's sendmsg
 * @sk: the socket
 * @msg: the data and flags (MSG_DONTWAIT, MSG_MORE, MSG_OOB, ...)
 * @size: unused: @msg's iterator has the length
 *
 * Waits for the connection to be established, copies the data into
 * skbs of up to the size goal (xtcp_size_goal(): many segments of the
 * MSS) on the write queue (waiting for buffer space unless
 * non-blocking) and pushes them.  MSG_MORE holds a short segment
 * as TCP_CORK does; MSG_OOB makes the last byte urgent.
 *
 * Context: process context, socket not locked; takes the socket lock.
 * Return: the bytes queued, or a negative errno if none were:
 * -EPIPE (with SIGPIPE unless MSG_NOSIGNAL) after shutdown or an error,
 * -EAGAIN, -ERESTARTSYS or -EINTR while waiting, or the socket's error.
 */
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	int ret;

	lock_sock(sk);
	ret = xtcp_sendmsg_locked(sk, msg);
	release_sock(sk);
	return ret;
}

/**
 * xtcp_sendpage() - sendfile() and splice() into the socket
 * @sk: the socket
 * @page: the page the data is in
 * @offset: where in @page the data starts
 * @size: how many bytes
 * @flags: MSG_* flags (MSG_DONTWAIT, MSG_MORE, MSG_SENDPAGE_NOTLAST)
 *
 * As do_tcp_sendpages(): the segments reference @page, its data is not
 * copied.  Each segment that takes part of it holds its own page
 * reference until the peer has ACKed it, and is marked
 * SKBFL_SHARED_FRAG: the file's owner may write to the page meanwhile,
 * so nothing may change it in place.  Without scatter-gather on the
 * route, the bytes are copied as by sendmsg().
 *
 * Context: process context, socket not locked; takes the socket lock.
 * Return: the bytes queued, or a negative errno as xtcp_sendmsg().
 */
int xtcp_sendpage(struct sock *sk, struct page *page, int offset,
		  size_t size, int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	size_t copied = 0;
	long timeo;
	int err;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto out_err;
	}
	if (!(sk->sk_route_caps & NETIF_F_SG)) {
		struct bio_vec bvec = {
			.bv_page = page, .bv_offset = offset, .bv_len = size,
		};
		struct msghdr msg = { .msg_flags = flags };

		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, size);
		err = xtcp_sendmsg_locked(sk, &msg);
		release_sock(sk);
		return err;
	}

	xtcp_check_app_limited(sk);
	sk_clear_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	while (size) {
		unsigned int goal = xtcp_size_goal(sk);
		struct sk_buff *skb;
		bool merge;
		int copy, i;

		err = -EPIPE;
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			goto do_error;

		skb = xtcp_send_tail(sk, goal, page, offset);
		if (!skb)
			goto wait_for_space;
		i = skb_shinfo(skb)->nr_frags;
		merge = skb_can_coalesce(skb, i, page, offset);

		copy = min_t(size_t, goal - skb->len, size);
		if (!sk_wmem_schedule(sk, copy))
			goto wait_for_space;
		if (merge) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			get_page(page);
			skb_fill_page_desc_noacc(skb, i, page, offset, copy);
		}
		skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
		skb->len += copy;
		skb->data_len += copy;
		skb->truesize += copy;
		sk_wmem_queued_add(sk, copy);
		sk_mem_charge(sk, copy);
		XTCP_SKB_CB(skb)->end_seq += copy;
		WRITE_ONCE(xs->write_seq, xs->write_seq + copy);
		copied += copy;
		offset += copy;
		size -= copy;
		/* A full skb goes at once; a short one waits for more pages. */
		if (skb->len >= goal)
			xtcp_push_full(sk, skb);
		continue;

wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		xtcp_push(sk, XTCP_NAGLE_PUSH);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
	/*
	 * More pages of this splice follow: the tail waits for them, as in
	 * do_tcp_sendpages(), rather than going out a page at a time.
	 */
	if (!(flags & MSG_SENDPAGE_NOTLAST))
		xtcp_push(sk, xtcp_send_nagle(flags));
	release_sock(sk);
	return copied;

do_error:
	xtcp_remove_empty_skb(sk);
	if (copied) {
		xtcp_push(sk, xtcp_send_nagle(flags));
		release_sock(sk);
		return copied;
	}
out_err:
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

/*
 * After the application read: send the ACK a delayed ACK was waiting to
 * send if two full segments or more wait for it (the arrival did not
 * ACK them: more than half the buffer held data, xtcp_ack_data()), or
 * if a short pushed one was read and nothing is left to read (unless
 * the exchange is interactive: the answer will take it along); and tell
 * the peer if the window opened a lot: without this a sender stopped by
 * a full window would wait for a probe.  One full segment waits for the
 * next or the timer, as at its arrival: ACKed on the read as well, a
 * reader that kept up had every segment ACKed.
 */
static void xtcp_cleanup_rbuf(struct sock *sk, int copied)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now, space;

	if (copied <= 0 || (sk->sk_shutdown & RCV_SHUTDOWN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		return;
	if ((icsk->icsk_ack.pending & ICSK_ACK_TIMER) &&
	    (xs->rcv_unacked >= 2U * xs->rcv_mss ||
	     (xs->ack_pushed && !inet_csk_in_pingpong_mode(sk) &&
	      skb_queue_empty(&sk->sk_receive_queue)))) {
		xtcp_clock_refresh(xs);		/* the ACK's TSval */
		xtcp_send_ack(sk);
		return;
	}
	now = xs->rcv_wup + xs->rcv_wnd - xs->rcv_nxt;
	if ((s32)now < 0)
		now = 0;
	space = min_t(u32, xtcp_window_space(sk), U16_MAX << xs->rcv_wscale);
	if (space >= 2 * now && space - now >= xs->advmss) {
		xtcp_clock_refresh(xs);
		xtcp_send_ack(sk);
	}
}

/*
 * Receive buffer auto-tuning (Linux's tcp_rcv_space_adjust()): once per
 * RTT, if the application read more than in the last one, let the
 * window hold twice that and twice the growth on top, so the window
 * never limits a sender the reader keeps up with, in slow start either,
 * within net.xtcp.rmem[2].  Not when SO_RCVBUF fixed the size, nor with
 * net.xtcp.moderate_rcvbuf at 0.
 */
static void xtcp_rcv_space_adjust(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us(), copied, rtt;
	u64 rcvbuf, rcvwin, grow;

	/* Once an RTT, the receiver's estimate (none yet: not yet). */
	rtt = xs->rcv_rtt_est.rtt_us >> 3;
	if (!rtt || now - xs->rcvq_space.time_us < rtt)
		return;
	copied = xs->copied_seq - xs->rcvq_space.seq;
	if (copied > xs->rcvq_space.space) {
		/*
		 * Two RTTs of data against losses, and as tcp_rcv_space_adjust()
		 * twice the growth since the last RTT on top: a sender in slow
		 * start doubles its rate each RTT, and the window this sets is
		 * for the RTT after next.  The buffer is twice the window
		 * (xtcp_full_space()).
		 */
		rcvwin = 2ULL * copied + 16ULL * xs->advmss;
		grow = div_u64(rcvwin * (copied - xs->rcvq_space.space),
			       max_t(u32, xs->rcvq_space.space, 1));
		rcvwin += 2 * grow;
		xs->rcvq_space.space = copied;
		rcvbuf = min_t(u64, 2 * rcvwin, xtcp_rmem(sk, 2));
		if (READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_moderate_rcvbuf) &&
		    !(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
		    rcvbuf > READ_ONCE(sk->sk_rcvbuf))
			WRITE_ONCE(sk->sk_rcvbuf, (int)rcvbuf);
	}
	trace_xtcp_rcv_space_adjust(sk, copied);
	xs->rcvq_space.seq = xs->copied_seq;
	xs->rcvq_space.time_us = now;
}

/*
 * recv(MSG_OOB): the peer's urgent byte, once, unless SO_OOBINLINE keeps
 * it in the stream; EINVAL when there is none, EAGAIN while it is on its
 * way (tcp_recv_urg()).  Socket lock held.
 */
static int xtcp_recv_urg(struct sock *sk, struct msghdr *msg, int len,
			 int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	sock_owned_by_me(sk);

	if (sock_flag(sk, SOCK_URGINLINE) || !xs->urg_data ||
	    xs->urg_data == XTCP_URG_READ)
		return -EINVAL;
	if (sk->sk_state == TCP_CLOSE && !sock_flag(sk, SOCK_DONE))
		return -ENOTCONN;
	if (xs->urg_data & XTCP_URG_VALID) {
		char c = xs->urg_data;
		int err = 0;

		if (!(flags & MSG_PEEK))
			WRITE_ONCE(xs->urg_data, XTCP_URG_READ);
		msg->msg_flags |= MSG_OOB;
		if (len > 0) {
			if (!(flags & MSG_TRUNC))
				err = memcpy_to_msg(msg, &c, 1);
			len = 1;
		} else {
			msg->msg_flags |= MSG_TRUNC;
		}
		return err ? -EFAULT : len;
	}
	if (sk->sk_state == TCP_CLOSE || (sk->sk_shutdown & RCV_SHUTDOWN))
		return 0;
	return -EAGAIN;
}

/*
 * Nothing to read: may the reader wait for more (0)?  If not, the end of
 * the stream (1: return what was read, or 0 bytes) or the error to
 * return (< 0), as tcp_recvmsg() and tcp_splice_read() decide.
 */
static int xtcp_recv_end(struct sock *sk, long timeo)
{
	if (sock_flag(sk, SOCK_DONE))
		return 1;
	if (sk->sk_err)
		return sock_error(sk) ? : 1;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return 1;
	if (sk->sk_state == TCP_CLOSE)
		return -ENOTCONN;
	if (!timeo)
		return -EAGAIN;
	return 0;
}

/**
 * xtcp_recvmsg() - struct proto's recvmsg
 * @sk: the socket
 * @msg: where the data goes
 * @len: the most bytes to read
 * @flags: MSG_* flags (MSG_PEEK, MSG_WAITALL, MSG_OOB, MSG_DONTWAIT,
 *	   MSG_ERRQUEUE)
 * @addr_len: unused but for MSG_ERRQUEUE (a stream has no source
 *	      address to give)
 *
 * Reads in sequence order, at least SO_RCVLOWAT bytes (all with
 * MSG_WAITALL) unless the connection ends, an error, a signal or the
 * timeout comes first.  A read stops at the urgent mark; the urgent byte
 * itself is skipped unless SO_OOBINLINE, and MSG_OOB reads it.  What is
 * read may open the window enough to tell the peer at once.
 *
 * Context: process context, socket not locked; takes the socket lock.
 * Return: the bytes read (0 at the end of the stream), or a negative
 * errno: -ENOTCONN on a listener or a closed socket, -EAGAIN, -EINTR
 * or -ERESTARTSYS, -EFAULT, the socket's error, or MSG_OOB's and
 * MSG_ERRQUEUE's own.
 */
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		 int flags, int *addr_len)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 peek_seq, *seq;
	int copied = 0, target, err;
	long timeo;

	if (flags & MSG_ERRQUEUE)
		return inet_recv_error(sk, msg, len, addr_len);

	lock_sock(sk);
	err = -ENOTCONN;
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	if (flags & MSG_OOB) {
		err = xtcp_recv_urg(sk, msg, len, flags);
		goto out;
	}

	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	seq = &xs->copied_seq;
	if (flags & MSG_PEEK) {
		peek_seq = xs->copied_seq;
		seq = &peek_seq;
	}
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);

	do {
		struct sk_buff *skb, *last = NULL;
		u32 offset;
		size_t used;

		/* At the urgent mark: a read stops there (SIOCATMARK). */
		if (unlikely(xs->urg_data) && xs->urg_seq == *seq) {
			if (copied)
				break;
			if (signal_pending(current)) {
				copied = timeo ? sock_intr_errno(timeo) : -EAGAIN;
				break;
			}
		}

		skb_queue_walk(&sk->sk_receive_queue, skb) {
			last = skb;
			offset = *seq - XTCP_SKB_CB(skb)->seq;
			if (offset < skb->len)
				goto found;
		}

		if (copied >= target && !READ_ONCE(sk->sk_backlog.tail))
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			int end = xtcp_recv_end(sk, timeo);

			if (end) {
				if (end < 0)
					copied = end;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}

		/*
		 * Before sleeping for more: what was read may have opened
		 * the window enough to tell the peer, which otherwise waits
		 * for a probe while we wait for its data (MSG_WAITALL,
		 * SO_RCVLOWAT; TCP's tcp_cleanup_rbuf() there too).
		 */
		if (!(flags & MSG_PEEK))
			xtcp_cleanup_rbuf(sk, copied);
		if (copied >= target) {
			/* Let the backlog in, then look again. */
			release_sock(sk);
			lock_sock(sk);
		} else {
			sk_wait_data(sk, &timeo, last);
		}
		continue;

found:
		used = min_t(size_t, skb->len - offset, len);
		/* The urgent byte is skipped unless SO_OOBINLINE; stop at it. */
		if (unlikely(xs->urg_data)) {
			u32 urg_offset = xs->urg_seq - *seq;

			if (urg_offset < used) {
				if (urg_offset) {
					used = urg_offset;
				} else if (!sock_flag(sk, SOCK_URGINLINE)) {
					WRITE_ONCE(*seq, *seq + 1);
					offset++;
					used--;
				}
			}
		}
		if (used && skb_copy_datagram_msg(skb, offset, msg, used)) {
			if (!copied)
				copied = -EFAULT;
			break;
		}
		WRITE_ONCE(*seq, *seq + used);
		copied += used;
		len -= used;
		if (unlikely(xs->urg_data) && xtcp_after(xs->copied_seq, xs->urg_seq))
			WRITE_ONCE(xs->urg_data, 0);
		if (!(flags & MSG_PEEK) && used + offset >= skb->len) {
			__skb_unlink(skb, &sk->sk_receive_queue);
			__kfree_skb(skb);
		}
	} while (len > 0);

	if (!(flags & MSG_PEEK)) {
		if (copied > 0)
			xtcp_rcv_space_adjust(sk);
		xtcp_cleanup_rbuf(sk, copied);
	}
	err = copied;
out:
	release_sock(sk);
	return err;
}

/*
 * The skb holding sequence number @seq on the receive queue, and @seq's
 * offset in it; skbs before it, wholly read, are freed on the way (only
 * the urgent byte skipped out of line can leave one).  Socket lock held.
 */
static struct sk_buff *xtcp_recv_skb(struct sock *sk, u32 seq, u32 *off)
{
	struct sk_buff *skb;
	u32 offset;

	sock_owned_by_me(sk);

	while ((skb = skb_peek(&sk->sk_receive_queue))) {
		offset = seq - XTCP_SKB_CB(skb)->seq;
		if (offset < skb->len) {
			*off = offset;
			return skb;
		}
		__skb_unlink(skb, &sk->sk_receive_queue);
		__kfree_skb(skb);
	}
	return NULL;
}

/*
 * Hands the bytes after copied_seq to @actor as they lie in the receive
 * queue's skbs, until it takes less than offered or has had @desc->count
 * (tcp_read_sock()).  Stops before the peer's urgent byte, as reading
 * does.  Never sleeps.  Socket lock held.
 */
static int xtcp_read_sock(struct sock *sk, read_descriptor_t *desc,
			  sk_read_actor_t actor)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 seq = xs->copied_seq, offset;
	struct sk_buff *skb;
	int copied = 0;

	sock_owned_by_me(sk);
	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	while (desc->count && (skb = xtcp_recv_skb(sk, seq, &offset))) {
		size_t len = skb->len - offset;
		int used;

		if (unlikely(xs->urg_data)) {
			u32 urg_offset = xs->urg_seq - seq;

			if (urg_offset < len)
				len = urg_offset;
			if (!len)
				break;
		}
		used = actor(desc, skb, offset, len);
		if (used <= 0) {
			if (!copied)
				copied = used;
			break;
		}
		if (WARN_ON_ONCE(used > len))
			used = len;
		seq += used;
		copied += used;
		WRITE_ONCE(xs->copied_seq, seq);
		if (used + offset >= skb->len) {
			__skb_unlink(skb, &sk->sk_receive_queue);
			__kfree_skb(skb);
		}
		if (used < len)
			break;
	}
	if (unlikely(xs->urg_data) && xtcp_after(xs->copied_seq, xs->urg_seq))
		WRITE_ONCE(xs->urg_data, 0);
	if (copied > 0) {
		xtcp_rcv_space_adjust(sk);
		xtcp_cleanup_rbuf(sk, copied);
	}
	return copied;
}

struct xtcp_splice_state {
	struct pipe_inode_info	*pipe;
	size_t			len;
	unsigned int		flags;
};

/* xtcp_read_sock()'s actor for splice(): the skb's pages go to the pipe. */
static int xtcp_splice_data_recv(read_descriptor_t *desc, struct sk_buff *skb,
				 unsigned int offset, size_t len)
{
	struct xtcp_splice_state *tss = desc->arg.data;
	int ret;

	ret = skb_splice_bits(skb, skb->sk, offset, tss->pipe,
			      min(desc->count, len), tss->flags);
	if (ret > 0)
		desc->count -= ret;
	return ret;
}

/**
 * xtcp_splice_read() - splice() out of the socket into a pipe
 * @sock: the socket
 * @ppos: must point to 0: a socket has no position
 * @pipe: the pipe
 * @len: the most bytes to move
 * @flags: SPLICE_F_* flags, about the pipe
 *
 * As tcp_splice_read(): the pipe gets references to the received pages,
 * not copies.  Blocks as read() does, unless the socket is non-blocking
 * (SPLICE_F_NONBLOCK is about the pipe, not the socket).
 *
 * Context: process context, socket not locked; takes the socket lock.
 * Return: the bytes spliced (0 at the end of the stream), or a negative
 * errno: -ESPIPE for a position, -EAGAIN, -ENOTCONN, a signal's, or the
 * socket's error.
 */
ssize_t xtcp_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags)
{
	struct xtcp_splice_state tss = {
		.pipe = pipe, .len = len, .flags = flags,
	};
	struct sock *sk = sock->sk;
	ssize_t spliced = 0;
	long timeo;
	int ret = 0;

	if (unlikely(*ppos))
		return -ESPIPE;
	lock_sock(sk);
	/* As TCP: SPLICE_F_NONBLOCK is about the pipe, not the socket. */
	timeo = sock_rcvtimeo(sk, sock->file->f_flags & O_NONBLOCK);
	while (tss.len) {
		read_descriptor_t desc = { .arg.data = &tss, .count = tss.len };

		ret = xtcp_read_sock(sk, &desc, xtcp_splice_data_recv);
		if (ret < 0)
			break;
		if (!ret) {
			if (spliced)
				break;
			ret = xtcp_recv_end(sk, timeo);
			if (ret) {
				ret = min(ret, 0);
				break;
			}
			/* Data is there but not for us: the urgent byte. */
			if (!skb_queue_empty(&sk->sk_receive_queue))
				break;
			ret = sk_wait_data(sk, &timeo, NULL);
			if (ret < 0)
				break;
			if (signal_pending(current)) {
				ret = sock_intr_errno(timeo);
				break;
			}
			continue;
		}
		tss.len -= ret;
		spliced += ret;
		if (!timeo)
			break;
		/* Let the backlog in before looking again. */
		release_sock(sk);
		lock_sock(sk);
		if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
		    (sk->sk_shutdown & RCV_SHUTDOWN) || signal_pending(current))
			break;
	}
	release_sock(sk);
	return spliced ? spliced : ret;
}

/* Which state the application's close() or shutdown(SHUT_WR) leads to. */
static int xtcp_close_state(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		xtcp_set_state(sk, TCP_FIN_WAIT1);
		return 1;
	case TCP_CLOSE_WAIT:
		xtcp_set_state(sk, TCP_LAST_ACK);
		return 1;
	case TCP_SYN_SENT:
		xtcp_set_state(sk, TCP_CLOSE);
		return 0;
	default:
		return 0;
	}
}

/**
 * xtcp_shutdown() - struct proto's shutdown
 * @sk: the socket
 * @how: SEND_SHUTDOWN and/or RCV_SHUTDOWN
 *
 * Only the sending side does anything here: in ESTABLISHED, SYN-RECEIVED
 * or CLOSE-WAIT our FIN goes (FIN-WAIT-1, LAST-ACK); a SYN-SENT socket
 * closes (inet_shutdown() disconnects one itself before it gets here).
 * inet_shutdown() records @how in sk_shutdown.
 *
 * Context: process context, socket locked (inet_shutdown()).
 */
void xtcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return;
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_SYN_SENT |
				   TCPF_SYN_RECV | TCPF_CLOSE_WAIT)) {
		if (xtcp_close_state(sk))
			xtcp_send_fin(sk);
	}
}

/**
 * xtcp_close() - struct proto's close: the application is done with the socket
 * @sk: the socket
 * @timeout: SO_LINGER's time to wait for the FIN exchange, 0 for none
 *
 * A listener stops listening.  Unread data (RFC 2525) or SO_LINGER with
 * no time resets the connection; otherwise our FIN goes.  The socket is
 * then orphaned: an orphan in FIN-WAIT-2 waits xtcp_fin_timeout() (or is
 * reset at once with a negative TCP_LINGER2), and one too many
 * (net.xtcp.max_orphans) is reset.  A closed one is destroyed here.
 *
 * Context: process context, socket not locked; takes the socket lock,
 * then its bh lock with BHs off to orphan it.
 */
void xtcp_close(struct sock *sk, long timeout)
{
	struct sk_buff *skb;
	int data_was_unread = 0;
	int state;

	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;

	if (sk->sk_state == TCP_LISTEN) {
		xtcp_set_state(sk, TCP_CLOSE);
		inet_csk_listen_stop(sk);
		goto adjudge_to_death;
	}

	while ((skb = __skb_dequeue(&sk->sk_receive_queue))) {
		data_was_unread += skb->len;
		__kfree_skb(skb);
	}

	if (sk->sk_state == TCP_CLOSE)
		goto adjudge_to_death;

	if (data_was_unread ||
	    (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
		/* RFC 2525: unread data means the peer must learn of loss. */
		xtcp_set_state(sk, TCP_CLOSE);
		xtcp_send_active_reset(sk, sk->sk_allocation);
	} else if (xtcp_close_state(sk)) {
		xtcp_send_fin(sk);
	}

	sk_stream_wait_close(sk, timeout);

adjudge_to_death:
	state = sk->sk_state;
	sock_hold(sk);
	sock_orphan(sk);

	/* Segments that came in while we held the lock are handled now. */
	release_sock(sk);

	local_bh_disable();
	bh_lock_sock(sk);
	WARN_ON(sock_owned_by_user(sk));
	this_cpu_inc(*sk->sk_prot->orphan_count);

	/* Someone else (a RST, the timer) closed it while we let go. */
	if (state != TCP_CLOSE && sk->sk_state == TCP_CLOSE)
		goto out;

	if (sk->sk_state == TCP_FIN_WAIT2) {
		/* TCP_LINGER2 below 0: no FIN-WAIT-2 for an orphan. */
		if (READ_ONCE(xtcp_sk(sk)->linger2) < 0) {
			xtcp_set_state(sk, TCP_CLOSE);
			xtcp_send_active_reset(sk, GFP_ATOMIC);
		} else {
			inet_csk_reset_keepalive_timer(sk, xtcp_fin_timeout(sk));
		}
	}

	if (sk->sk_state != TCP_CLOSE && xtcp_too_many_orphans(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ORPHANOVERFLOWS);
		xtcp_set_state(sk, TCP_CLOSE);
		xtcp_send_active_reset(sk, GFP_ATOMIC);
	}

	if (sk->sk_state == TCP_CLOSE) {
		xtcp_clear_xmit_timers(sk);
		inet_csk_destroy_sock(sk);
	}
out:
	bh_unlock_sock(sk);
	local_bh_enable();
	sock_put(sk);
}

/**
 * xtcp_abort() - end a connection from outside (SOCK_DESTROY, ss -K)
 * @sk: any socket of ours the caller holds a reference on: full,
 *      request or timewait
 * @err: what the application is told (ECONNABORTED from sock_diag)
 *
 * As tcp_abort(): a request sock leaves its listener's queue, a
 * timewait sock goes; a listener stops listening (its queued children
 * are reset); a synchronized connection sends the peer a RST; the
 * application gets @err and the socket is CLOSED, or destroyed if it
 * was an orphan.  sk_prot->diag_destroy: sock_diag_destroy() checked
 * CAP_NET_ADMIN.
 *
 * Context: process context, socket not locked: takes the socket lock,
 * then the bh lock, so that neither close() nor softirq races it.
 * Return: 0, or -ENOENT if the socket was already closed.
 */
int xtcp_abort(struct sock *sk, int err)
{
	int state = inet_sk_state_load(sk);

	if (state == TCP_NEW_SYN_RECV) {
		struct request_sock *req = inet_reqsk(sk);

		local_bh_disable();
		inet_csk_reqsk_queue_drop(req->rsk_listener, req);
		local_bh_enable();
		return 0;
	}
	if (state == TCP_TIME_WAIT) {
		struct inet_timewait_sock *tw = inet_twsk(sk);

		/* deschedule_put drops one: the caller's stays. */
		refcount_inc(&tw->tw_refcnt);
		local_bh_disable();
		inet_twsk_deschedule_put(tw);
		local_bh_enable();
		return 0;
	}

	lock_sock(sk);
	if (sk->sk_state == TCP_CLOSE) {
		release_sock(sk);
		return -ENOENT;
	}
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_set_state(sk, TCP_CLOSE);
		inet_csk_listen_stop(sk);
	}

	local_bh_disable();
	bh_lock_sock(sk);
	/* The states whose peer holds a connection: TCP's tcp_need_reset(). */
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				   TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 |
				   TCPF_SYN_RECV))
		xtcp_send_active_reset(sk, GFP_ATOMIC);
	WRITE_ONCE(sk->sk_err, err);
	/* sk_err before the state change that wakes the waiters. */
	smp_wmb();
	xtcp_purge_write_queues(sk);
	xtcp_done(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	bh_unlock_sock(sk);
	local_bh_enable();
	release_sock(sk);
	return 0;
}

/**
 * xtcp_poll() - proto_ops' poll
 * @file: the socket's file
 * @sock: the socket
 * @wait: the poll table
 *
 * As tcp_poll(): readable once SO_RCVLOWAT bytes are there (the FIN and
 * an out-of-line urgent byte next do not count) or at EOF; EPOLLPRI for
 * an urgent byte; writable when the send buffer and TCP_NOTSENT_LOWAT
 * allow (below half of it, where a writer is woken); EPOLLHUP, EPOLLRDHUP
 * and EPOLLERR as TCP's.  A listener is readable with a child to accept.
 *
 * Context: process context, socket not locked: the fields are read with
 * READ_ONCE(), paired with their writers.
 * Return: the event mask.
 */
__poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	int state;

	sock_poll_wait(file, sock, wait);

	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return inet_csk_listen_poll(sk);

	if (sk->sk_shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;

	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		/* Readable once SO_RCVLOWAT bytes are there (or EOF, above). */
		struct xtcp_sock *xs = xtcp_sk(sk);
		u32 copied_seq = READ_ONCE(xs->copied_seq);
		int avail = READ_ONCE(xs->rcv_nxt) - copied_seq;
		int target = sock_rcvlowat(sk, 0, INT_MAX);
		u16 urg_data = READ_ONCE(xs->urg_data);

		if (sock_flag(sk, SOCK_DONE) && avail > 0)
			avail--;	/* the FIN's sequence number */
		/* An urgent byte next, out of line, is not for read(). */
		if (unlikely(urg_data) && READ_ONCE(xs->urg_seq) == copied_seq &&
		    !sock_flag(sk, SOCK_URGINLINE))
			target++;
		if (avail > 0 && avail >= target)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (urg_data & XTCP_URG_VALID)
			mask |= EPOLLPRI;

		if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
			/*
			 * With TCP_NOTSENT_LOWAT, writable below half of it,
			 * where a writer is woken (tcp_poll()).
			 */
			if (__sk_stream_is_writeable(sk, 1)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* Race with an ACK freeing space. */
				smp_mb__after_atomic();
				if (__sk_stream_is_writeable(sk, 1))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}

	/* Read sk_err only after the state, paired with the writer. */
	smp_rmb();
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

/**
 * xtcp_ioctl() - struct proto's ioctl: SIOCINQ, SIOCOUTQ, SIOCATMARK
 * @sk: the socket
 * @cmd: the request
 * @arg: the user address of the int answer
 *
 * SIOCINQ: bytes to read (up to an out-of-line urgent byte, without the
 * FIN), under the socket lock; SIOCOUTQ: bytes not yet acknowledged;
 * SIOCATMARK: whether the next byte to read is the urgent one; 0 for
 * both queues before the handshake completes.
 *
 * Context: process context, socket not locked; SIOCINQ takes the lock,
 * the others read with READ_ONCE().
 * Return: 0, -EINVAL for SIOCINQ or SIOCOUTQ on a listener, -EFAULT if
 * the answer cannot be written, or -ENOIOCTLCMD for another request.
 */
int xtcp_ioctl(struct sock *sk, int cmd, unsigned long arg)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		/* Nothing received before the handshake completes. */
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
			answ = 0;
		} else if (xs->urg_data && !sock_flag(sk, SOCK_URGINLINE) &&
			   !xtcp_before(xs->urg_seq, xs->copied_seq) &&
			   xtcp_before(xs->urg_seq, xs->rcv_nxt)) {
			/* An out-of-line urgent byte ahead: what read() gets
			 * before the mark (tcp_inq()).
			 */
			answ = xs->urg_seq - xs->copied_seq;
		} else {
			answ = xs->rcv_nxt - xs->copied_seq;
			/* The FIN takes a sequence number but is no data. */
			if (answ && sock_flag(sk, SOCK_DONE))
				answ--;
		}
		release_sock(sk);
		break;
	case SIOCOUTQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		/* Our SYN is not data (tcp_ioctl()). */
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			answ = 0;
		else
			answ = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una);
		break;
	case SIOCATMARK:
		/* The next byte to read is the urgent one. */
		answ = READ_ONCE(xs->urg_data) &&
		       READ_ONCE(xs->urg_seq) == READ_ONCE(xs->copied_seq);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}
