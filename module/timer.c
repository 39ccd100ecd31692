// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp timers.  The retransmission timer (icsk_retransmit_timer) resends
 * the oldest unacknowledged segment, SYN, data or FIN alike, with
 * exponential backoff (RFC 6298 section 5), and gives up after the
 * sysctl's number of tries.  The keepalive slot (sk_timer) bounds how
 * long an orphan waits in FIN-WAIT-2.  Handlers run in softirq and take
 * the socket's bh lock; if the owner holds the socket they retry shortly.
 */
#include <linux/module.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

/* Retry a timer blocked by the socket's owner after this long. */
#define XTCP_TIMER_RETRY	(HZ / 20)

void xtcp_reset_rtx_timer(struct sock *sk)
{
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, inet_csk(sk)->icsk_rto,
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
	struct sk_buff *skb = skb_peek(&xtcp_sk(sk)->rtx_queue);

	if (!skb)
		return;
	if (icsk->icsk_retransmits >= xtcp_retry_limit(sk, skb)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMEOUTS);
		WRITE_ONCE(sk->sk_err, ETIMEDOUT);
		/* sk_err before the state change that wakes the waiters. */
		smp_wmb();
		if (!sock_flag(sk, SOCK_DEAD))
			sk_error_report(sk);
		xtcp_done(sk);
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

/* An orphan's FIN-WAIT-2 lasted too long: reset and free it. */
static void xtcp_keepalive_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		inet_csk_reset_keepalive_timer(sk, XTCP_TIMER_RETRY);
		goto out;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		xtcp_done(sk);
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

void xtcp_init_xmit_timers(struct sock *sk)
{
	inet_csk_init_xmit_timers(sk, xtcp_write_timer, xtcp_delack_timer,
				  xtcp_keepalive_timer);
}
