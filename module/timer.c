// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp timers.  icsk_retransmit_timer is either the retransmission timer
 * (ICSK_TIME_RETRANS), which resends the oldest unacknowledged segment,
 * SYN, data or FIN alike, with exponential backoff (RFC 6298 section 5)
 * and gives up after the sysctl's number of tries, the tail loss probe
 * (ICSK_TIME_LOSS_PROBE, RFC 8985 section 7), which sends one segment
 * two round trips after the last ACK so that a lost tail is found by
 * ACKs rather than by the RTO, RACK's reordering timer
 * (ICSK_TIME_REO_TIMEOUT), after which segments still unaccounted for
 * count as lost, or the persist timer
 * (ICSK_TIME_PROBE0), which probes a peer whose window is closed (RFC
 * 9293 section 3.8.6.1).  The delayed-ACK timer sends an ACK that was
 * held back.  The keepalive timer (icsk_keepalive_timer) bounds how long
 * an orphan waits in FIN-WAIT-2 and probes idle connections (keepalive).
 * Handlers run in softirq and take the socket's bh lock.  If the owner
 * holds the socket, the write and delayed-ACK timers leave their work to
 * release_sock() (xtcp_release_cb()), as TCP's do; the keepalive timer
 * retries shortly, as TCP's does.
 */
#include <linux/module.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "xtcp.h"

/* Retry the keepalive timer blocked by the socket's owner after this long. */
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

/**
 * xtcp_reset_rtx_timer() - (re)arm the retransmission timer
 * @sk: the socket
 *
 * The timer fires after the current RTO (icsk_rto, backed off), or
 * sooner if TCP_USER_TIMEOUT runs out first; never in less than a
 * jiffy.
 *
 * Context: socket locked (the send path, the ACK path and the
 * retransmission timer).
 */
void xtcp_reset_rtx_timer(struct sock *sk)
{
	unsigned long when = min_t(unsigned long, inet_csk(sk)->icsk_rto,
				   xtcp_user_timeout_left(sk));

	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, max(when, 1UL),
				  XTCP_RTO_MAX);
}

/*
 * How long until an RTO counted from the oldest segment's last send
 * would fire, in microseconds; 0 or less: it is due (tcp_rto_delta_us()).
 */
static s32 xtcp_rto_delta_us(const struct sock *sk, const struct sk_buff *head)
{
	return (s32)(jiffies_to_usecs(inet_csk(sk)->icsk_rto) -
		     (xtcp_sk(sk)->clock_us - XTCP_SKB_CB(head)->tx_us));
}

/**
 * xtcp_rearm_rto() - the retransmission timer instead of a loss probe
 * @sk: the socket
 *
 * As tcp_rearm_rto(): stopped when nothing is in flight; else, if a loss
 * probe or RACK's reordering timer held it, due an RTO after the oldest
 * segment in flight was sent (their wait is not added to it), otherwise
 * an RTO from now (xtcp_reset_rtx_timer()).
 *
 * Context: socket locked.
 */
void xtcp_rearm_rto(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *head = xtcp_rtx_queue_head(sk);
	unsigned long when;
	s32 delta_us;

	sock_owned_by_me(sk);

	if (!xs->packets_out || !head) {
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
		return;
	}
	if (icsk->icsk_pending != ICSK_TIME_LOSS_PROBE &&
	    icsk->icsk_pending != ICSK_TIME_REO_TIMEOUT) {
		xtcp_reset_rtx_timer(sk);
		return;
	}
	delta_us = xtcp_rto_delta_us(sk, head);
	when = min_t(unsigned long, usecs_to_jiffies(max_t(s32, delta_us, 1)),
		     xtcp_user_timeout_left(sk));
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, max(when, 1UL),
				  XTCP_RTO_MAX);
}

/**
 * xtcp_tlp_allowed() - may a tail loss probe wait on this connection
 * @sk: the socket
 *
 * RFC 8985 section 7.2 as tcp_schedule_loss_probe() reads it:
 * net.xtcp.early_retrans 3 or 4 (as tcp_early_retrans), SACK agreed
 * (the probe's ACK needs it to tell what arrived), data in flight, the
 * handshake over, and no loss being repaired or suspected: the open or
 * the CWR state, with nothing SACKed or marked lost (Linux's Disorder
 * state does not probe either).
 *
 * Context: socket locked.
 * Return: true if a probe may be scheduled or sent.
 */
bool xtcp_tlp_allowed(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int er = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_early_retrans);

	return (er == 3 || er == 4) && xs->sack_ok && xs->packets_out &&
	       xs->ca_ops && !xs->sacked_out && !xs->lost_out &&
	       (xs->cc.state == XTCP_CA_OPEN || xs->cc.state == XTCP_CA_CWR) &&
	       ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				       TCPF_FIN_WAIT1 | TCPF_CLOSING |
				       TCPF_LAST_ACK));
}

/**
 * xtcp_schedule_loss_probe() - arm the tail loss probe, if allowed
 * @sk: the socket
 * @advancing_rto: an ACK just moved SND.UNA (the RTO would start again
 *	from now); else the RTO counts from the oldest segment's send
 *
 * The probe goes after xtcp_tlp_timeout_us() (two smoothed RTTs, more
 * when only one segment is out), never after the RTO would have fired;
 * it holds icsk_retransmit_timer meanwhile (ICSK_TIME_LOSS_PROBE).
 *
 * Context: socket locked (the send path and the ACK path).
 * Return: true if the probe timer was armed, false if the connection
 * may not probe now (the caller arms the RTO instead).
 */
bool xtcp_schedule_loss_probe(struct sock *sk, bool advancing_rto)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *head = xtcp_rtx_queue_head(sk);
	s32 rto_us;
	u32 pto_us;

	if (!xtcp_tlp_allowed(sk) || !head)
		return false;
	rto_us = advancing_rto ? (s32)jiffies_to_usecs(icsk->icsk_rto) :
				 xtcp_rto_delta_us(sk, head);
	pto_us = xtcp_tlp_timeout_us(&xs->rtt, xs->packets_out,
				     jiffies_to_usecs(XTCP_DELACK_MAX),
				     jiffies_to_usecs(2), rto_us);
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_LOSS_PROBE,
				  max_t(unsigned long, usecs_to_jiffies(pto_us), 1),
				  XTCP_RTO_MAX);
	return true;
}

/**
 * xtcp_set_xmit_timer() - the timer an ACK of new data leaves running
 * @sk: the socket
 *
 * A loss probe if the connection may probe, else the RTO from now; none
 * when nothing is in flight (tcp_set_xmit_timer()).
 *
 * Context: socket locked (the ACK path).
 */
void xtcp_set_xmit_timer(struct sock *sk)
{
	if (!xtcp_sk(sk)->packets_out)
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
	else if (!xtcp_schedule_loss_probe(sk, true))
		xtcp_reset_rtx_timer(sk);
}

/*
 * How many times an orphan's head of queue may be resent, as
 * tcp_orphan_retries(): net.xtcp.orphan_retries, none once an ICMP error
 * said the path is broken and the RTO reached its maximum, and 8 (over
 * 100 s with the shortest RTO) when the sysctl is 0 but the peer may
 * still be alive.  No one will read what an orphan's peer answers, so it
 * does not get retries2's quarter of an hour.
 */
static int xtcp_orphan_retries(const struct sock *sk, bool alive)
{
	int retries = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_orphan_retries);

	if (READ_ONCE(sk->sk_err_soft) && !alive)
		retries = 0;
	if (!retries && alive)
		retries = 8;
	return retries;
}

/* How many times the head of the queue may be resent before giving up. */
static int xtcp_retry_limit(const struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	if (sk->sk_state == TCP_SYN_SENT)
		return READ_ONCE(xtcp_sk(sk)->syn_retries) ? :
		       READ_ONCE(xn->sysctl_syn_retries);
	if (sk->sk_state == TCP_SYN_RECV)
		return READ_ONCE(xn->sysctl_synack_retries);
	if (sock_flag(sk, SOCK_DEAD))
		return xtcp_orphan_retries(sk, inet_csk(sk)->icsk_rto <
					       XTCP_RTO_MAX);
	return READ_ONCE(xn->sysctl_retries2);
}

/*
 * An orphan that retransmits while orphans or socket memory run short
 * goes at once (reset, as tcp_out_of_resources()): it holds memory that
 * live connections need.  True if it went.
 */
static bool xtcp_orphan_out_of_resources(struct sock *sk)
{
	if (!sock_flag(sk, SOCK_DEAD) ||
	    (!xtcp_too_many_orphans(sk) && !sk_under_memory_pressure(sk)))
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ORPHANOVERFLOWS);
	xtcp_send_active_reset(sk, GFP_ATOMIC);
	xtcp_done(sk);
	return true;
}

/**
 * xtcp_reset_probe_timer() - (re)arm the persist timer
 * @sk: the socket, whose peer's window is closed
 *
 * The persist timer's next interval: the RTO, backed off
 * (icsk_backoff, at most 16 doublings), at most XTCP_RTO_MAX.
 *
 * Context: socket locked (the send path and the persist timer).
 */
void xtcp_reset_probe_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	u64 when = (u64)icsk->icsk_rto << min_t(u8, icsk->icsk_backoff, 16);

	inet_csk_reset_xmit_timer(sk, ICSK_TIME_PROBE0,
				  min_t(u64, when, XTCP_RTO_MAX), XTCP_RTO_MAX);
}

/*
 * Zero-window probing.  RFC 1122 4.2.2.17: a peer that keeps answering
 * "0" is alive and is probed for as long as it takes (every valid ACK
 * clears icsk_probes_out); one that answers nothing for retries2 probes
 * is dead.  As tcp_probe_timer(), two kinds of socket do not wait
 * forever all the same: with TCP_USER_TIMEOUT, the window may stay shut
 * that long at most (icsk_probes_tstamp: when probing began, cleared when
 * the window opens); an orphan gives up once its backoff reaches the
 * longest RTO, or at once when orphans or memory run short.
 */
static void xtcp_probe_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	int max_probes;
	u32 ut;

	if (xs->packets_out || skb_queue_empty(&sk->sk_write_queue)) {
		icsk->icsk_probes_out = 0;
		icsk->icsk_probes_tstamp = 0;
		icsk->icsk_backoff = 0;
		return;
	}
	ut = READ_ONCE(icsk->icsk_user_timeout);
	if (!icsk->icsk_probes_tstamp)
		icsk->icsk_probes_tstamp = (u32)jiffies ? : 1;
	else if (ut && (s32)((u32)jiffies - icsk->icsk_probes_tstamp) >=
		 (s32)msecs_to_jiffies(ut))
		goto abort;

	max_probes = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_retries2);
	if (sock_flag(sk, SOCK_DEAD)) {
		unsigned long rto = inet_csk_rto_backoff(icsk, XTCP_RTO_MAX);

		/* No one will read what the peer may answer some day. */
		if (rto >= XTCP_RTO_MAX)
			goto abort;
		if (xtcp_orphan_out_of_resources(sk))
			return;
	}
	if (icsk->icsk_probes_out >= max_probes)
		goto abort;

	xtcp_write_wakeup(sk);
	if (xs->packets_out)
		return;
	icsk->icsk_probes_out++;
	if (icsk->icsk_backoff < 16)
		icsk->icsk_backoff++;
	xtcp_reset_probe_timer(sk);
	return;
abort:
	xtcp_write_err(sk);
}

static void xtcp_retransmit_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_head(sk);

	if (!skb)
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RTOS);
	if (!icsk->icsk_retransmits)
		xs->retrans_stamp = jiffies - icsk->icsk_rto;
	if (xtcp_orphan_out_of_resources(sk))
		return;
	if (icsk->icsk_retransmits >= xtcp_retry_limit(sk) ||
	    xtcp_user_timeout_left(sk) == 0) {
		xtcp_write_err(sk);
		return;
	}
	/* Another path, if the socket allows (SO_TXREHASH), as TCP. */
	sk_rethink_txhash(sk);
	xtcp_retransmit_rtx_queue(sk);
	icsk->icsk_retransmits++;
	icsk->icsk_backoff++;
	icsk->icsk_rto = min(icsk->icsk_rto << 1, XTCP_RTO_MAX);
	xtcp_reset_rtx_timer(sk);
}

/**
 * xtcp_write_timer_handler() - the retransmission or persist timer's work
 * @sk: the socket
 *
 * Does nothing for a closed socket or when no timer is pending; a timer
 * that fired early (its timeout was moved later) is rearmed.  Otherwise
 * the oldest unacknowledged segment is resent (or the connection given
 * up), or the window probed.
 *
 * Context: socket locked, from the timer in softirq or from
 * xtcp_release_cb() when the timer found the socket owned.
 */
void xtcp_write_timer_handler(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	sock_owned_by_me(sk);

	if (sk->sk_state == TCP_CLOSE || !icsk->icsk_pending)
		return;
	xtcp_clock_refresh(xtcp_sk(sk));
	if (time_after(icsk->icsk_timeout, jiffies)) {
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer,
			       icsk->icsk_timeout);
		return;
	}
	switch (icsk->icsk_pending) {
	case ICSK_TIME_RETRANS:
		icsk->icsk_pending = 0;
		xtcp_retransmit_timer(sk);
		break;
	case ICSK_TIME_PROBE0:
		icsk->icsk_pending = 0;
		xtcp_probe_timer(sk);
		break;
	case ICSK_TIME_LOSS_PROBE:
		xtcp_send_loss_probe(sk);
		break;
	case ICSK_TIME_REO_TIMEOUT:
		xtcp_rack_reo_timeout(sk);
		break;
	}
}

/*
 * A timer that finds the socket owned leaves its work to the owner's
 * release_sock() (xtcp_release_cb()), as TCP's write and delayed-ACK
 * timers do: the bit holds a socket reference until then.
 */
static void xtcp_defer(struct sock *sk, enum xtcp_deferred_bits bit)
{
	if (!test_and_set_bit(bit, &sk->sk_tsq_flags))
		sock_hold(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMERSDEFERRED);
}

/*
 * A timer fired: its @handler now under the bh lock, or left to the
 * owner's release_sock() (@bit); drops the timer's socket reference.
 */
static void xtcp_timer_run(struct sock *sk, enum xtcp_deferred_bits bit,
			   void (*handler)(struct sock *sk))
{
	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		xtcp_defer(sk, bit);
	else
		handler(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void xtcp_write_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_retransmit_timer);

	xtcp_timer_run(&icsk->icsk_inet.sk, XTCP_WRITE_TIMER_DEFERRED,
		       xtcp_write_timer_handler);
}

/*
 * The one ACK for those SACK compression held back (xtcp_ack_ofo()), if
 * any: stamped now, and not itself counted as held back; from the timer,
 * or before the SACK blocks change order (tcp_sack_compress_send_ack()).
 * Returns whether it went.  Context: socket locked (owner or bh lock).
 */
bool xtcp_send_compressed_ack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->compressed_ack)
		return false;
	xtcp_clock_refresh(xs);
	xs->compressed_ack--;
	xtcp_send_ack(sk);
	return true;
}

/**
 * xtcp_delack_timer_handler() - the delayed-ACK timer's work
 * @sk: the socket
 *
 * The delayed ACK is due (xtcp_send_delayed_ack()), unless data the
 * owner sent carried it; a timer that fired early is rearmed.  The
 * connection leaves interactive (pingpong) mode: the answer did not come
 * in time.
 *
 * Context: as xtcp_write_timer_handler(): socket locked, from the timer
 * in softirq or from xtcp_release_cb().  Also the SACK compression
 * timer's work when that found the socket owned: the ACK it holds back.
 */
void xtcp_delack_timer_handler(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	sock_owned_by_me(sk);

	if (sk->sk_state == TCP_CLOSE)
		return;
	/* The SACK compression timer found the socket owned. */
	if (xtcp_send_compressed_ack(sk))
		return;
	if (!(icsk->icsk_ack.pending & ICSK_ACK_TIMER))
		return;
	if (time_after(icsk->icsk_ack.timeout, jiffies)) {
		sk_reset_timer(sk, &icsk->icsk_delack_timer,
			       icsk->icsk_ack.timeout);
		return;
	}
	icsk->icsk_ack.pending = 0;
	/* The answer did not come in time: not interactive after all. */
	inet_csk_exit_pingpong_mode(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DELAYEDACKS);
	/* What the ACK stamps is now, not the last event's time. */
	xtcp_clock_refresh(xtcp_sk(sk));
	xtcp_send_ack(sk);
}

static void xtcp_delack_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		from_timer(icsk, t, icsk_delack_timer);

	xtcp_timer_run(&icsk->icsk_inet.sk, XTCP_DELACK_TIMER_DEFERRED,
		       xtcp_delack_timer_handler);
}

/**
 * xtcp_set_keepalive() - SO_KEEPALIVE turned on or off
 * @sk: the socket
 * @val: nonzero: on
 *
 * struct proto's keepalive hook: turning it on arms the keepalive timer
 * (unless it was on already), off stops it.  A closed or listening
 * socket has no keepalive timer to touch.
 *
 * Context: process context, socket locked (sk_setsockopt()).
 */
void xtcp_set_keepalive(struct sock *sk, int val)
{
	sock_owned_by_me(sk);

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
	if (!xtcp_rtx_queue_empty(sk) ||
	    !skb_queue_empty(&sk->sk_write_queue))
		goto resched;

	idle = jiffies - xs->rcv_tstamp;
	if (idle >= when) {
		xtcp_clock_refresh(xs);		/* the probe's TSval */
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

/*
 * SACK compression's timer (xtcp_ack_ofo()): the ACKs held back go as
 * one, through the delayed-ACK handler, which sends them first, now or
 * from release_sock() (tcp_compressed_ack_kick()).  Drops the reference
 * xtcp_ack_ofo() took.
 */
static enum hrtimer_restart xtcp_compressed_ack_kick(struct hrtimer *timer)
{
	struct xtcp_sock *xs = container_of(timer, struct xtcp_sock,
					    compressed_ack_timer);

	xtcp_timer_run(&xs->icsk.icsk_inet.sk, XTCP_DELACK_TIMER_DEFERRED,
		       xtcp_delack_timer_handler);
	return HRTIMER_NORESTART;
}

/* The pacing timer (output.c): send on, or at release_sock(). */
static enum hrtimer_restart xtcp_pace_kick(struct hrtimer *timer)
{
	struct xtcp_sock *xs = container_of(timer, struct xtcp_sock,
					    pacing_timer);

	xtcp_timer_run(&xs->icsk.icsk_inet.sk, XTCP_TSQ_DEFERRED,
		       xtcp_tsq_write);
	return HRTIMER_NORESTART;
}

/**
 * xtcp_init_xmit_timers() - set up the socket's timers
 * @sk: the socket
 *
 * The write, delayed-ACK and keepalive timers, SACK compression's and
 * pacing's.
 *
 * Context: a socket no one else uses yet: xtcp_init_sock() in process
 * context, or a new child in xtcp_v4_syn_recv_sock() (softirq, the
 * child locked by sk_clone_lock(); its timer fields are the listener's
 * copied, set up here afresh).
 */
void xtcp_init_xmit_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	inet_csk_init_xmit_timers(sk, xtcp_write_timer, xtcp_delack_timer,
				  xtcp_keepalive_timer);
	hrtimer_init(&xs->compressed_ack_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_PINNED_SOFT);
	xs->compressed_ack_timer.function = xtcp_compressed_ack_kick;
	xs->compressed_ack = 0;
	hrtimer_init(&xs->pacing_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_ABS_PINNED_SOFT);
	xs->pacing_timer.function = xtcp_pace_kick;
	xs->wstamp_ns = 0;
}

/**
 * xtcp_clear_xmit_timers() - stop the socket's timers
 * @sk: the socket
 *
 * As tcp_clear_xmit_timers(): inet_csk's, and SACK compression's and
 * pacing's, whose socket references go with them if they were still
 * queued (a handler already running drops its own).
 *
 * Context: socket locked.
 */
void xtcp_clear_xmit_timers(struct sock *sk)
{
	if (hrtimer_try_to_cancel(&xtcp_sk(sk)->compressed_ack_timer) == 1)
		__sock_put(sk);
	if (hrtimer_try_to_cancel(&xtcp_sk(sk)->pacing_timer) == 1)
		__sock_put(sk);
	inet_csk_clear_xmit_timers(sk);
}
