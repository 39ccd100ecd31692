// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp socket options: every SOL_TCP option get/setsockopt knows, in one
 * place (as MPTCP's sockopt.c); other levels go to IP, through the
 * socket's af_ops (ipv4.c), as tcp_setsockopt() does.  The options have
 * TCP's numbers, limits, errnos and read-back values (do_tcp_setsockopt()
 * and do_tcp_getsockopt() of 6.1); one xtcp does not implement is
 * ENOPROTOOPT, as an unknown one is for TCP.
 */
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/sock.h>

#include "xtcp.h"

/* TCP_KEEPIDLE changed: rearm the keepalive timer from the idle time. */
static void xtcp_keepidle_changed(struct sock *sk)
{
	unsigned long idle = jiffies - xtcp_sk(sk)->rcv_tstamp;
	unsigned long when = xtcp_keepalive_time(sk);

	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	inet_csk_reset_keepalive_timer(sk, when > idle ? when - idle : 0);
}

/*
 * TCP_DEFER_ACCEPT's seconds as SYN-ACK retransmissions, the unit the
 * kernel's request sock timer counts in (rskq_defer_accept): the first
 * count whose backed-off timeouts, from the initial RTO, add up to the
 * seconds asked for (TCP's secs_to_retrans()).
 */
static u8 xtcp_secs_to_retrans(int seconds)
{
	int timeout = XTCP_TIMEOUT_INIT / HZ, period = timeout;
	u8 res = 0;

	if (seconds <= 0)
		return 0;
	res = 1;
	while (seconds > period && res < 255) {
		res++;
		timeout = min_t(int, timeout << 1, XTCP_RTO_MAX / HZ);
		period += timeout;
	}
	return res;
}

/* And back, as TCP reads it back: the seconds those retransmissions span. */
static int xtcp_retrans_to_secs(u8 retrans)
{
	int timeout = XTCP_TIMEOUT_INIT / HZ, period = 0;

	if (!retrans)
		return 0;
	period = timeout;
	while (--retrans) {
		timeout = min_t(int, timeout << 1, XTCP_RTO_MAX / HZ);
		period += timeout;
	}
	return period;
}

/*
 * TCP_WINDOW_CLAMP (tcp_set_window_clamp()): the largest window we
 * offer, never below half the smallest receive buffer; 0, no clamp,
 * only before a connection.  The window is bounded from the next one we
 * advertise (xtcp_free_space()); what was offered is not taken back.
 * The window's ceiling follows: down to a smaller clamp, or up to the
 * window last offered within a larger one.
 */
static int xtcp_set_window_clamp(struct sock *sk, int val)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 old = xs->window_clamp ? : U32_MAX, clamp;

	if (!val) {
		if (sk->sk_state != TCP_CLOSE)
			return -EINVAL;
		WRITE_ONCE(xs->window_clamp, 0);
		return 0;
	}
	/* A negative value is a huge one, as TCP's comparison makes it. */
	clamp = (unsigned long)val < SOCK_MIN_RCVBUF / 2 ?
		SOCK_MIN_RCVBUF / 2 : (u32)val;
	WRITE_ONCE(xs->window_clamp, clamp);
	if (clamp < old)
		xs->rcv_ssthresh = min(xs->rcv_ssthresh, clamp);
	else
		xs->rcv_ssthresh = max(xs->rcv_ssthresh,
				       min(xs->rcv_wnd, clamp));
	return 0;
}

/*
 * TCP_QUICKACK (__tcp_sock_set_quickack()): 0 enters the interactive
 * (ping-pong) mode, where our ACK waits for an answer to ride on; any
 * other value leaves it, so that data is ACKed at once again while the
 * quick-ACK budget lasts, and an ACK the delayed-ACK timer holds goes
 * now if the reader has everything (as after a read: xtcp_cleanup_rbuf()).
 * An even value goes back to ping-pong mode after that ACK.
 */
static void xtcp_set_quickack(struct sock *sk, int val)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!val) {
		inet_csk_enter_pingpong_mode(sk);
		return;
	}
	inet_csk_exit_pingpong_mode(sk);
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) ||
	    !(inet_csk(sk)->icsk_ack.pending & ICSK_ACK_TIMER))
		return;
	xs->ack_pushed = 1;
	if (xs->rcv_unacked >= xs->rcv_mss || !atomic_read(&sk->sk_rmem_alloc)) {
		xtcp_clock_refresh(xs);		/* the ACK's TSval */
		xtcp_send_ack(sk);
	}
	if (!(val & 1))
		inet_csk_enter_pingpong_mode(sk);
}

/*
 * TCP_CONGESTION takes a name, not an int: an algorithm xtcp has
 * (xtcp_cong_find()), else ENOENT.  A connection already under way
 * switches to it from the window as it is, with the algorithm's own
 * state started afresh (tcp_reinit_congestion_control()).
 */
static int xtcp_set_congestion(struct sock *sk, sockptr_t optval,
			       unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_cong_ops *ops, *old;
	char name[XTCP_CA_NAME_MAX];
	long n;

	if (optlen < 1)
		return -EINVAL;
	n = strncpy_from_sockptr(name, optval,
				 min_t(long, XTCP_CA_NAME_MAX - 1, optlen));
	if (n < 0)
		return -EFAULT;
	name[n] = 0;
	ops = xtcp_cong_get(name);
	if (!ops)
		return -ENOENT;

	lock_sock(sk);
	old = xs->ca_choice;
	WRITE_ONCE(xs->ca_choice, ops);
	if (xs->ca_ops && xs->ca_ops != ops) {
		WRITE_ONCE(xs->ca_ops, ops);
		memset(xs->cc.priv, 0, sizeof(xs->cc.priv));
		ops->init(&xs->cc);
	}
	release_sock(sk);
	/* No caller of the old one's hooks is left: they hold the lock. */
	xtcp_cong_put(old);
	return 0;
}

/**
 * xtcp_setsockopt() - setsockopt() of an xtcp socket
 * @sk: the socket
 * @level: SOL_TCP for ours; any other level goes to the family's
 *	   setsockopt (af_ops: ip_setsockopt() for IPv4)
 * @optname: the option, a TCP_* of linux/tcp.h
 * @optval: the value: an int, but for TCP_CONGESTION's name
 * @optlen: its length
 *
 * The SOL_TCP options xtcp has take TCP's values, limits and errnos
 * (do_tcp_setsockopt() of 6.1); TCP_INFO, which is only read, is
 * refused as TCP refuses it: -ENOPROTOOPT after the length check.
 *
 * Context: process context, socket not locked; takes the socket lock.
 * Return: 0, -ENOPROTOOPT for an option xtcp does not have, -EINVAL for
 * a short @optlen or a value out of range, -EFAULT if @optval cannot be
 * read, -ENOENT for an unknown TCP_CONGESTION name, or the family's
 * (ip_setsockopt()'s) answer for other levels.
 */
int xtcp_setsockopt(struct sock *sk, int level, int optname,
		    sockptr_t optval, unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, err = 0;

	/*
	 * Unlocked: an AF_INET6 socket's af_ops change under its lock when
	 * it connects to a v4-mapped address (ipv6.c, WRITE_ONCE()).
	 */
	if (level != SOL_TCP)
		return READ_ONCE(inet_csk(sk)->icsk_af_ops)->setsockopt(sk,
				level, optname, optval, optlen);
	/*
	 * An option xtcp lacks is ENOPROTOOPT whatever its length.  Those it
	 * has are TCP's: an int (but TCP_CONGESTION), and TCP_INFO, which
	 * is only read, refused as TCP refuses it, after the length.
	 */
	switch (optname) {
	case TCP_CONGESTION:
		return xtcp_set_congestion(sk, optval, optlen);
	case TCP_NODELAY:
	case TCP_CORK:
	case TCP_MAXSEG:
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
	case TCP_USER_TIMEOUT:
	case TCP_SYNCNT:
	case TCP_LINGER2:
	case TCP_DEFER_ACCEPT:
	case TCP_WINDOW_CLAMP:
	case TCP_INFO:
	case TCP_QUICKACK:
	case TCP_NOTSENT_LOWAT:
	case XTCP_ENCAP_PORT:
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	switch (optname) {
	case TCP_NODELAY:
		if (val) {
			WRITE_ONCE(xs->nonagle, xs->nonagle | XTCP_NAGLE_OFF);
			xtcp_push(sk, XTCP_NAGLE_PUSH);
		} else {
			WRITE_ONCE(xs->nonagle, xs->nonagle & ~XTCP_NAGLE_OFF);
		}
		break;
	case TCP_CORK:
		if (val) {
			WRITE_ONCE(xs->nonagle, xs->nonagle | XTCP_NAGLE_CORK);
		} else {
			WRITE_ONCE(xs->nonagle, xs->nonagle & ~XTCP_NAGLE_CORK);
			/* Uncorking sends what was held, Nagle or not. */
			xtcp_push(sk, XTCP_NAGLE_PUSH);
		}
		break;
	case TCP_MAXSEG:
		/* TCP's bounds; it takes effect at the next connection. */
		if (val && (val < XTCP_MIN_MSS || val > XTCP_MAX_USER_MSS))
			err = -EINVAL;
		else
			WRITE_ONCE(xs->user_mss, val);
		break;
	case TCP_KEEPIDLE:
		if (val < 1 || val > XTCP_MAX_KEEPIDLE) {
			err = -EINVAL;
			break;
		}
		WRITE_ONCE(xs->keepalive_time, val * HZ);
		xtcp_keepidle_changed(sk);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > XTCP_MAX_KEEPINTVL)
			err = -EINVAL;
		else
			WRITE_ONCE(xs->keepalive_intvl, val * HZ);
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > XTCP_MAX_KEEPCNT)
			err = -EINVAL;
		else
			WRITE_ONCE(xs->keepalive_probes, val);
		break;
	case TCP_USER_TIMEOUT:
		/* Milliseconds; 0 restores the retry counts. */
		if (val < 0)
			err = -EINVAL;
		else
			WRITE_ONCE(inet_csk(sk)->icsk_user_timeout, val);
		break;
	case TCP_SYNCNT:
		if (val < 1 || val > XTCP_MAX_SYNCNT)
			err = -EINVAL;
		else
			WRITE_ONCE(xs->syn_retries, val);
		break;
	case TCP_LINGER2:
		/* Below 0: an orphan leaves FIN-WAIT-2 at once, with a RST. */
		if (val < 0)
			WRITE_ONCE(xs->linger2, -1);
		else if (val > XTCP_FIN_TIMEOUT_MAX / HZ)
			WRITE_ONCE(xs->linger2, XTCP_FIN_TIMEOUT_MAX);
		else
			WRITE_ONCE(xs->linger2, val * HZ);
		break;
	case TCP_DEFER_ACCEPT:
		WRITE_ONCE(inet_csk(sk)->icsk_accept_queue.rskq_defer_accept,
			   xtcp_secs_to_retrans(val));
		break;
	case TCP_WINDOW_CLAMP:
		err = xtcp_set_window_clamp(sk, val);
		break;
	case TCP_QUICKACK:
		xtcp_set_quickack(sk, val);
		break;
	case TCP_NOTSENT_LOWAT:
		/* Any value (0: the sysctl's); a writer may go on now. */
		WRITE_ONCE(xs->notsent_lowat, val);
		sk->sk_write_space(sk);
		break;
	case XTCP_ENCAP_PORT:
		/* The form is chosen at connect() and kept (udp.c). */
		if (val < 0 || val > U16_MAX)
			err = -EINVAL;
		else if (sk->sk_state != TCP_CLOSE &&
			 sk->sk_state != TCP_LISTEN)
			err = -EISCONN;
		else
			WRITE_ONCE(xs->encap_port, htons((u16)val));
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

/*
 * TCP_INFO's retrans and lost as TCP counts them: segments resent and
 * still neither acknowledged, SACKed nor lost again (retrans_out); and
 * those marked lost, resent or not, until acknowledged or SACKed
 * (lost_out), where xtcp's lost_out holds only those not yet resent.
 */
static void xtcp_retrans_lost_out(struct sock *sk, u32 *retrans, u32 *lost)
{
	struct sk_buff *skb;

	*retrans = 0;
	*lost = xtcp_sk(sk)->lost_out;
	xtcp_rtx_queue_walk(skb, sk) {
		u8 sacked = XTCP_SKB_CB(skb)->sacked;

		if (sacked & (XTCP_SKB_SACKED | XTCP_SKB_LOST))
			continue;
		if (sacked & XTCP_SKB_RETRANS)
			*retrans += xtcp_skb_pcount(skb);
		if (sacked & XTCP_SKB_LOST_RESENT)
			*lost += xtcp_skb_pcount(skb);
	}
}

/* TCP_INFO's chronographs in microseconds (tcp_get_info_chrono_stats()). */
static void xtcp_get_info_chrono(const struct xtcp_sock *xs,
				 struct tcp_info *info)
{
	u64 stats[XTCP_CHRONO_MAX], total = 0;
	int i;

	for (i = XTCP_CHRONO_BUSY; i < XTCP_CHRONO_MAX; i++) {
		stats[i] = xs->chrono_stat[i - 1];
		if (i == xs->chrono_type)
			stats[i] += (u32)jiffies - xs->chrono_start;
		stats[i] *= USEC_PER_SEC / HZ;
		total += stats[i];
	}
	info->tcpi_busy_time = total;
	info->tcpi_rwnd_limited = stats[XTCP_CHRONO_RWND_LIMITED];
	info->tcpi_sndbuf_limited = stats[XTCP_CHRONO_SNDBUF_LIMITED];
}

/*
 * TCP_INFO: struct tcp_info as tcp_get_info() fills it, from what xtcp
 * keeps; fields for what xtcp has not (a receiver RTT estimate, fast
 * open) stay 0.  A
 * listener reports, unlocked, what TCP's does: its accept queue's
 * length and limit in tcpi_unacked and tcpi_sacked.  Also
 * INET_DIAG_INFO's filler (xtcp_diag.ko): for a listener it may be
 * called under a spinlock, and takes no lock then.
 */
void xtcp_get_info(struct sock *sk, struct tcp_info *info)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long rate;
	bool slow;
	u32 now;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = inet_sk_state_load(sk);
	rate = READ_ONCE(sk->sk_pacing_rate);
	info->tcpi_pacing_rate = rate != ~0UL ? rate : ~0ULL;
	rate = READ_ONCE(sk->sk_max_pacing_rate);
	info->tcpi_max_pacing_rate = rate != ~0UL ? rate : ~0ULL;
	info->tcpi_reordering = READ_ONCE(xs->cc.reordering);
	info->tcpi_snd_cwnd = READ_ONCE(xs->cc.cwnd);
	if (info->tcpi_state == TCP_LISTEN) {
		info->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		info->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}

	slow = lock_sock_fast(sk);
	info->tcpi_ca_state = xtcp_ca_state(xs);
	info->tcpi_retransmits = icsk->icsk_retransmits;
	info->tcpi_probes = icsk->icsk_probes_out;
	info->tcpi_backoff = icsk->icsk_backoff;
	if (xs->sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (xs->ts_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (xs->ecn_flags & XTCP_ECN_OK)
		info->tcpi_options |= TCPI_OPT_ECN;
	if (xs->ecn_flags & XTCP_ECN_SEEN)
		info->tcpi_options |= TCPI_OPT_ECN_SEEN;
	if (xs->wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = xs->snd_wscale;
		info->tcpi_rcv_wscale = xs->rcv_wscale;
	}
	info->tcpi_rto = jiffies_to_usecs(icsk->icsk_rto);
	/* The delayed-ACK timeout, fixed in xtcp (TCP's adapts). */
	info->tcpi_ato = jiffies_to_usecs(XTCP_DELACK_MIN);
	info->tcpi_snd_mss = xs->mss_cache;
	info->tcpi_rcv_mss = xs->rcv_mss;

	info->tcpi_unacked = xs->packets_out;
	info->tcpi_sacked = xs->sacked_out;
	xtcp_retrans_lost_out(sk, &info->tcpi_retrans, &info->tcpi_lost);

	now = (u32)jiffies;
	info->tcpi_last_data_sent = jiffies_to_msecs(now - xs->lsndtime);
	info->tcpi_last_data_recv = jiffies_to_msecs(now - icsk->icsk_ack.lrcvtime);
	info->tcpi_last_ack_recv = jiffies_to_msecs(now - (u32)xs->rcv_tstamp);

	info->tcpi_pmtu = icsk->icsk_pmtu_cookie;
	info->tcpi_rcv_ssthresh = xs->rcv_ssthresh;
	info->tcpi_rtt = xs->rtt.srtt_us;
	info->tcpi_rttvar = xs->rtt.rttvar_us;
	info->tcpi_snd_ssthresh = xs->cc.ssthresh;
	info->tcpi_advmss = xs->advmss;
	info->tcpi_rcv_space = xs->rcvq_space.space;
	info->tcpi_rcv_rtt = xs->rcv_rtt_est.rtt_us >> 3;
	info->tcpi_total_retrans = xs->total_retrans;
	info->tcpi_dsack_dups = xs->dsack_dups;

	info->tcpi_bytes_acked = xs->bytes_acked;
	info->tcpi_bytes_received = xs->bytes_received;
	info->tcpi_notsent_bytes = max_t(int, 0, xs->write_seq - xs->snd_nxt);
	info->tcpi_segs_out = xs->segs_out;
	info->tcpi_segs_in = READ_ONCE(xs->segs_in);
	info->tcpi_data_segs_in = READ_ONCE(xs->data_segs_in);
	info->tcpi_min_rtt = xs->min_rtt_us;
	info->tcpi_data_segs_out = xs->data_segs_out;
	info->tcpi_bytes_sent = xs->bytes_sent;
	info->tcpi_bytes_retrans = xs->bytes_retrans;
	info->tcpi_reord_seen = xs->reord_seen;
	info->tcpi_rcv_ooopack = xs->rcv_ooopack;
	info->tcpi_snd_wnd = xs->snd_wnd;
	/* The last delivery-rate sample kept (delivery.c), as TCP's. */
	info->tcpi_delivery_rate_app_limited = xs->dlv.rate_app_limited;
	info->tcpi_delivery_rate = xtcp_delivery_rate_bps(&xs->dlv,
							  xs->mss_cache);
	info->tcpi_delivered = xs->dlv.delivered;
	info->tcpi_delivered_ce = xs->dlv.delivered_ce;
	xtcp_get_info_chrono(xs, info);
	unlock_sock_fast(sk, slow);
}
EXPORT_SYMBOL_GPL(xtcp_get_info);

/**
 * xtcp_get_cc_info() - what the congestion control algorithm shows
 * @sk: the socket
 * @attr: set to the sock_diag attribute @info is (INET_DIAG_BBRINFO, ...)
 * @info: where the algorithm writes it
 *
 * TCP_CC_INFO's and INET_DIAG_INFO's (xtcp_diag.ko) algorithm-specific
 * part, from its get_info hook, as TCP's.  Nothing for a listener or a
 * socket not yet connected (no algorithm runs), or an algorithm without
 * the hook.
 *
 * Context: process context; takes the socket lock (fast).
 * Return: the size of what @info holds; 0: nothing.
 */
size_t xtcp_get_cc_info(struct sock *sk, int *attr, union tcp_cc_info *info)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	size_t sz = 0;
	bool slow;

	if (inet_sk_state_load(sk) == TCP_LISTEN)
		return 0;
	slow = lock_sock_fast(sk);
	if (xs->ca_ops && xs->ca_ops->get_info)
		sz = xs->ca_ops->get_info(&xs->cc, xs->mss_cache, attr, info);
	unlock_sock_fast(sk, slow);
	return min(sz, sizeof(*info));
}
EXPORT_SYMBOL_GPL(xtcp_get_cc_info);

/**
 * xtcp_getsockopt() - getsockopt() of an xtcp socket
 * @sk: the socket
 * @level: SOL_TCP for ours; any other level goes to the family's
 *	   getsockopt (af_ops: ip_getsockopt() for IPv4)
 * @optname: the option, a TCP_* of linux/tcp.h
 * @optval: where the value goes
 * @optlen: in: the room at @optval; out: the length written
 *
 * The SOL_TCP options read back TCP's values (do_tcp_getsockopt() of
 * 6.1): an int cut to @optlen, TCP_INFO's struct tcp_info and
 * TCP_CONGESTION's name as much as fits.
 *
 * Context: process context, socket not locked; the fields are read with
 * READ_ONCE(), TCP_INFO under lock_sock_fast().
 * Return: 0, -EFAULT if @optlen or @optval cannot be accessed, -EINVAL
 * for a negative length, -ENOPROTOOPT for an option xtcp does not have,
 * or the family's (ip_getsockopt()'s) answer for other levels.
 */
int xtcp_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, len, ulen, user_mss;

	/* Unlocked, as in xtcp_setsockopt(). */
	if (level != SOL_TCP)
		return READ_ONCE(inet_csk(sk)->icsk_af_ops)->getsockopt(sk,
				level, optname, optval, optlen);
	if (get_user(ulen, optlen))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	len = min_t(unsigned int, ulen, sizeof(int));

	switch (optname) {
	case TCP_INFO: {
		struct tcp_info info;

		/* As much as the caller asked for, and says how much. */
		xtcp_get_info(sk, &info);
		len = min_t(unsigned int, ulen, sizeof(info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
	case TCP_CC_INFO: {
		union tcp_cc_info info;
		int attr;

		/* As much as there is, or the caller has room for (TCP's). */
		len = min_t(unsigned int, ulen,
			    xtcp_get_cc_info(sk, &attr, &info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
	case TCP_CONGESTION: {
		char name[XTCP_CA_NAME_MAX] = {};

		/* The name, NUL-padded to TCP's 16 bytes, cut to the length. */
		xtcp_cong_name(&xs->ca_choice, name);
		len = min_t(unsigned int, ulen, XTCP_CA_NAME_MAX);
		if (put_user(len, optlen) || copy_to_user(optval, name, len))
			return -EFAULT;
		return 0;
	}
	case TCP_SYNCNT:
		val = READ_ONCE(xs->syn_retries) ? :
		      READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_syn_retries);
		break;
	case TCP_LINGER2:
		/* In seconds, -1 for none; 0 reads as net.xtcp.fin_timeout. */
		val = READ_ONCE(xs->linger2);
		if (val > 0)
			val /= HZ;
		else if (!val)
			val = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_fin_timeout);
		break;
	case TCP_DEFER_ACCEPT:
		val = READ_ONCE(inet_csk(sk)->icsk_accept_queue.rskq_defer_accept);
		val = xtcp_retrans_to_secs(val);
		break;
	case TCP_WINDOW_CLAMP:
		val = READ_ONCE(xs->window_clamp);
		break;
	case TCP_QUICKACK:
		val = !inet_csk_in_pingpong_mode(sk);
		break;
	case TCP_NOTSENT_LOWAT:
		val = READ_ONCE(xs->notsent_lowat);
		break;
	case XTCP_ENCAP_PORT:
		val = ntohs(READ_ONCE(xs->encap_port));
		break;
	case TCP_NODELAY:
		val = !!(READ_ONCE(xtcp_sk(sk)->nonagle) & XTCP_NAGLE_OFF);
		break;
	case TCP_CORK:
		val = !!(READ_ONCE(xtcp_sk(sk)->nonagle) & XTCP_NAGLE_CORK);
		break;
	case TCP_MAXSEG:
		/* Before a connection, what TCP_MAXSEG asked for. */
		val = READ_ONCE(xtcp_sk(sk)->mss_cache);
		user_mss = READ_ONCE(xtcp_sk(sk)->user_mss);
		if (user_mss && (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
			val = user_mss;
		break;
	case TCP_KEEPIDLE:
		val = xtcp_keepalive_time(sk) / HZ;
		break;
	case TCP_KEEPINTVL:
		val = xtcp_keepalive_intvl(sk) / HZ;
		break;
	case TCP_KEEPCNT:
		val = xtcp_keepalive_probes(sk);
		break;
	case TCP_USER_TIMEOUT:
		val = READ_ONCE(inet_csk(sk)->icsk_user_timeout);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}
