// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp socket options: every SOL_TCP option get/setsockopt knows, in one
 * place (as MPTCP's sockopt.c); other levels go to IP.
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

int xtcp_setsockopt(struct sock *sk, int level, int optname,
		    sockptr_t optval, unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, err = 0;

	if (level != SOL_TCP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	/* An option xtcp lacks is ENOPROTOOPT whatever its length (TCP's). */
	switch (optname) {
	case TCP_NODELAY:
	case TCP_CORK:
	case TCP_MAXSEG:
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
	case TCP_USER_TIMEOUT:
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
			xs->nonagle |= XTCP_NAGLE_OFF;
			xtcp_push(sk, XTCP_NAGLE_PUSH);
		} else {
			xs->nonagle &= ~XTCP_NAGLE_OFF;
		}
		break;
	case TCP_CORK:
		if (val) {
			xs->nonagle |= XTCP_NAGLE_CORK;
		} else {
			xs->nonagle &= ~XTCP_NAGLE_CORK;
			/* Uncorking sends what was held, Nagle or not. */
			xtcp_push(sk, XTCP_NAGLE_PUSH);
		}
		break;
	case TCP_MAXSEG:
		/* TCP's bounds; it takes effect at the next connection. */
		if (val && (val < XTCP_MIN_MSS || val > XTCP_MAX_USER_MSS))
			err = -EINVAL;
		else
			xs->user_mss = val;
		break;
	case TCP_KEEPIDLE:
		if (val < 1 || val > XTCP_MAX_KEEPIDLE) {
			err = -EINVAL;
			break;
		}
		xs->keepalive_time = val * HZ;
		xtcp_keepidle_changed(sk);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > XTCP_MAX_KEEPINTVL)
			err = -EINVAL;
		else
			xs->keepalive_intvl = val * HZ;
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > XTCP_MAX_KEEPCNT)
			err = -EINVAL;
		else
			xs->keepalive_probes = val;
		break;
	case TCP_USER_TIMEOUT:
		/* Milliseconds; 0 restores the retry counts. */
		if (val < 0)
			err = -EINVAL;
		else
			WRITE_ONCE(inet_csk(sk)->icsk_user_timeout, val);
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	return err;
}

int xtcp_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen)
{
	int val, len;

	if (level != SOL_TCP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(unsigned int, len, sizeof(int));

	switch (optname) {
	case TCP_NODELAY:
		val = !!(READ_ONCE(xtcp_sk(sk)->nonagle) & XTCP_NAGLE_OFF);
		break;
	case TCP_CORK:
		val = !!(READ_ONCE(xtcp_sk(sk)->nonagle) & XTCP_NAGLE_CORK);
		break;
	case TCP_MAXSEG:
		/* Before a connection, what TCP_MAXSEG asked for. */
		val = READ_ONCE(xtcp_sk(sk)->mss_cache);
		if (xtcp_sk(sk)->user_mss &&
		    (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
			val = xtcp_sk(sk)->user_mss;
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
