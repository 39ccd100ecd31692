// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp timers.  The retransmission timer (icsk_retransmit_timer) resends
 * the oldest unacknowledged segment, SYN, data or FIN alike, with
 * exponential backoff (RFC 6298 section 5), and gives up after the
 * sysctl's number of tries.  The keepalive timer (icsk_keepalive_timer)
 * bounds how
 * long an orphan waits in FIN-WAIT-2 and probes idle connections
 * (keepalive).  Handlers run in softirq and take
 * the socket's bh lock; if the owner holds the socket they retry shortly.
 */
#include <linux/module.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

/* Retry a timer blocked by the socket's owner after this long. */
#define XTCP_TIMER_RETRY	(HZ / 20)

/*
 * TCP_USER_TIMEOUT: jiffies left before unacknowledged data gives up;
 * ULONG_MAX when no user timeout applies.  Counted from the first
 * transmission of the segment that timed out.
 */
static unsigned long xtcp_user_timeout_left(const struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	u32 ut = READ_ONCE(icsk->icsk_user_timeout);
	unsigned long end;

	if (!ut || !icsk->icsk_retransmits ||
	    !((1 << sk->sk_state) & ~(TCPF_SYN_SENT | TCPF_SYN_RECV)))
		return ULONG_MAX;
	end = xtcp_sk(sk)->retrans_stamp + msecs_to_jiffies(ut);
	return time_after(end, jiffies) ? end - jiffies : 0;
}

void xtcp_reset_rtx_timer(struct sock *sk)
{
	unsigned long when = min_t(unsigned long, inet_csk(sk)->icsk_rto,
				   xtcp_user_timeout_left(sk));

	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, max(when, 1UL),
				  XTCP_RTO_MAX);
}

/* How many times the head of the queue may be resent before giving up. */
static int xtcp_retry_limit(const struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	if (sk->sk_state == TCP_SYN_SENT)
		return READ_ONCE(xn->sysctl_syn_retries);
	if (sk->sk_state == TCP_SYN_RECV)
		return READ_ONCE(xn->sysctl_synack_retries);
	return READ_ONCE(xn->sysctl_retries2);
}

static void xtcp_retransmit_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&xs->rtx_queue);

	if (!skb)
		return;
	if (!icsk->icsk_retransmits)
		xs->retrans_stamp = jiffies - icsk->icsk_rto;
	if (icsk->icsk_retransmits >= xtcp_retry_limit(sk, skb) ||
	    xtcp_user_timeout_left(sk) == 0) {
		xtcp_write_err(sk);
		return;
	}
	xtcp_retransmit_rtx_queue(sk);
	icsk->icsk_retransmits++;
	icsk->icsk_backoff++;
	icsk->icsk_rto = min(icsk->icsk_rto << 1, XTCP_RTO_MAX);
	xtcp_reset_rtx_timer(sk);
}

static void xtcp_write_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_retransmit_timer);
	struct sock *sk = &icsk->icsk_inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer,
			       jiffies + XTCP_TIMER_RETRY);
		goto out;
	}
	if (sk->sk_state == TCP_CLOSE || !icsk->icsk_pending)
		goto out;
	if (time_after(icsk->icsk_timeout, jiffies)) {
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer,
			       icsk->icsk_timeout);
		goto out;
	}
	icsk->icsk_pending = 0;
	xtcp_retransmit_timer(sk);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* ACKs are sent at once for now; a pending delayed ACK is just sent. */
static void xtcp_delack_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_delack_timer);
	struct sock *sk = &icsk->icsk_inet.sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk) && sk->sk_state != TCP_CLOSE &&
	    (icsk->icsk_ack.pending & ICSK_ACK_TIMER)) {
		icsk->icsk_ack.pending = 0;
		xtcp_send_ack(sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* SO_KEEPALIVE turned on or off (socket lock held). */
void xtcp_set_keepalive(struct sock *sk, int val)
{
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (val && !sock_flag(sk, SOCK_KEEPOPEN))
		inet_csk_reset_keepalive_timer(sk, xtcp_keepalive_time(sk));
	else if (!val)
		inet_csk_delete_keepalive_timer(sk);
}

/*
 * The keepalive timer serves two purposes, as in Linux: an
 * orphan's FIN-WAIT-2 that lasted too long is reset and freed; an idle
 * connection with SO_KEEPALIVE is probed every keepalive_intvl once it
 * has been silent for keepalive_time, and declared dead (ETIMEDOUT)
 * after keepalive_probes unanswered probes, or TCP_USER_TIMEOUT.
 */
static void xtcp_keepalive_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_keepalive_timer);
	struct sock *sk = &icsk->icsk_inet.sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long idle, when;
	u32 ut;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		inet_csk_reset_keepalive_timer(sk, XTCP_TIMER_RETRY);
		goto out;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_done(sk);
		goto out;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				     TCPF_FIN_WAIT2)))
		goto out;

	when = xtcp_keepalive_time(sk);
	/* Data in flight: the retransmission timer watches the peer. */
	if (!skb_queue_empty(&xs->rtx_queue) ||
	    !skb_queue_empty(&sk->sk_write_queue))
		goto resched;

	idle = jiffies - xs->rcv_tstamp;
	if (idle >= when) {
		ut = READ_ONCE(icsk->icsk_user_timeout);
		if ((ut && idle >= msecs_to_jiffies(ut) &&
		     icsk->icsk_probes_out > 0) ||
		    (!ut && icsk->icsk_probes_out >= xtcp_keepalive_probes(sk))) {
			xtcp_send_active_reset(sk, GFP_ATOMIC);
			xtcp_write_err(sk);
			goto out;
		}
		xtcp_send_keepalive_probe(sk);
		icsk->icsk_probes_out++;
		when = xtcp_keepalive_intvl(sk);
	} else {
		when -= idle;
	}
resched:
	inet_csk_reset_keepalive_timer(sk, when);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

void xtcp_init_xmit_timers(struct sock *sk)
{
	inet_csk_init_xmit_timers(sk, xtcp_write_timer, xtcp_delack_timer,
				  xtcp_keepalive_timer);
}
