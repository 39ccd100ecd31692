// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp over IPv4: everything that knows the address family, as
 * tcp_ipv4.c is TCP's.  connect() (the route, the source address and
 * port: xtcp_v4_connect()); ICMP errors about our segments (RFC 1122
 * 4.2.3.9, RFC 5927) and path MTU discovery (RFC 1191), as tcp_v4_err()
 * does.  Work that needs the socket while its owner holds it is deferred
 * to release_sock() through xtcp_release_cb().
 */
#include <linux/module.h>
#include <linux/bpf-cgroup.h>
#include <linux/icmp.h>
#include <net/icmp.h>
#include <net/inet_common.h>
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>

#include "xtcp.h"

/**
 * xtcp_v4_mtu_reduced() - act on a smaller path MTU
 * @sk: the socket; its mtu_info holds the MTU the ICMP error reported
 *
 * The path MTU an ICMP "fragmentation needed" reported (xs->mtu_info):
 * the route learns it, the MSS follows and what was in flight at the
 * old size is resent at once.  A listener or a closed socket is left
 * alone.  With don't-fragment set and a route MTU above the one
 * reported, EMSGSIZE is kept as the soft error.
 *
 * Context: socket locked: xtcp_v4_err() in softirq under bh_lock_sock()
 * when no owner holds it, else xtcp_release_cb() from release_sock().
 */
static void xtcp_v4_mtu_reduced(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct dst_entry *dst;
	u32 mtu;

	sock_owned_by_me(sk);

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	mtu = READ_ONCE(xtcp_sk(sk)->mtu_info);
	dst = inet_csk_update_pmtu(sk, mtu);
	if (!dst)
		return;
	/* Remembered in case the connection cannot recover. */
	if (mtu < dst_mtu(dst) && ip_dont_fragment(sk, dst))
		WRITE_ONCE(sk->sk_err_soft, EMSGSIZE);
	mtu = dst_mtu(dst);
	if (inet->pmtudisc != IP_PMTUDISC_DONT && ip_sk_accept_pmtu(sk) &&
	    inet_csk(sk)->icsk_pmtu_cookie > mtu) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PMTUREDUCED);
		xtcp_sync_mss(sk, mtu);
		xtcp_simple_retransmit(sk);
	}
}

/**
 * xtcp_release_cb() - do what softirq deferred while the socket was owned
 * @sk: the socket
 *
 * release_sock() calls this once the owner lets go: what softirq could
 * not do while the socket was owned (XTCP_*_DEFERRED in sk_tsq_flags,
 * each holding a socket reference, dropped here): the write timer, the
 * delayed-ACK timer and a path MTU reduction, in that order.
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
	if (flags & XTCPF_WRITE_TIMER_DEFERRED) {
		xtcp_write_timer_handler(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_DELACK_TIMER_DEFERRED) {
		xtcp_delack_timer_handler(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_MTU_REDUCED_DEFERRED) {
		xtcp_v4_mtu_reduced(sk);
		__sock_put(sk);
	}
}

/* An ICMP error about a request sock's SYN-ACK. */
static void xtcp_req_err(struct sock *sk, u32 seq, bool abort)
{
	struct request_sock *req = inet_reqsk(sk);
	struct net *net = sock_net(sk);

	if (seq != xtcp_rsk(req)->snt_isn) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOWICMPS);
	} else if (abort) {
		inet_csk_reqsk_queue_drop(req->rsk_listener, req);
		XTCP_INC_STATS(net, XTCP_MIB_LISTENDROPS);
	}
	reqsk_put(req);
}

/**
 * xtcp_v4_err() - IP's err_handler: an ICMP error quoting one of our segments
 * @skb: the ICMP message; its data is the quoted IP header and at least
 *	 8 bytes of ours (IP checked), enough for the ports and the
 *	 sequence number
 * @info: the ICMP's info: the next-hop MTU of "fragmentation needed"
 *
 * As tcp_v4_err(): an error is believed only for a sequence number in
 * flight (RFC 5927); "fragmentation needed" lowers the path MTU (now, or
 * at release_sock() if the owner holds the socket); other unreachables
 * abort a connection still opening and are soft errors (reported at a
 * timeout, or at once with IP_RECVERR) otherwise.  An error about a
 * request sock's SYN-ACK may drop it; TIME-WAIT ignores errors.
 *
 * Context: softirq; takes bh_lock_sock() of the socket found.
 * Return: 0, or -ENOENT when no socket matches.
 */
int xtcp_v4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct xtcphdr *th =
		(const struct xtcphdr *)(skb->data + (iph->ihl << 2));
	const int type = icmp_hdr(skb)->type;
	const int code = icmp_hdr(skb)->code;
	struct net *net = dev_net(skb->dev);
	struct xtcp_sock *xs;
	struct sock *sk;
	u32 seq;
	int err;

	sk = __inet_lookup_established(net, &xtcp_hashinfo, iph->daddr,
				       th->dest, iph->saddr, ntohs(th->source),
				       inet_iif(skb), 0);
	if (!sk) {
		__ICMP_INC_STATS(net, ICMP_MIB_INERRORS);
		return -ENOENT;
	}
	if (sk->sk_state == TCP_TIME_WAIT) {
		inet_twsk_put(inet_twsk(sk));
		return 0;
	}
	seq = ntohl(th->seq);
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		xtcp_req_err(sk, seq, type == ICMP_PARAMETERPROB ||
			     type == ICMP_TIME_EXCEEDED ||
			     (type == ICMP_DEST_UNREACH &&
			      (code == ICMP_NET_UNREACH ||
			       code == ICMP_HOST_UNREACH)));
		return 0;
	}

	bh_lock_sock(sk);
	/*
	 * The owner holds the socket: a path MTU is kept for release_sock();
	 * other errors (counted in LockDroppedIcmps, as TCP's
	 * LINUX_MIB_LOCKDROPPEDICMPS) act only as a soft error, never
	 * aborting or reporting at once, as in tcp_v4_err().
	 */
	if (sock_owned_by_user(sk) &&
	    !(type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED))
		XTCP_INC_STATS(net, XTCP_MIB_LOCKDROPPEDICMPS);
	if (sk->sk_state == TCP_CLOSE)
		goto out;

	xs = xtcp_sk(sk);
	if (sk->sk_state != TCP_LISTEN &&
	    !xtcp_between(seq, xs->snd_una, xs->snd_nxt)) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOWICMPS);
		goto out;
	}

	switch (type) {
	case ICMP_REDIRECT:
		if (!sock_owned_by_user(sk)) {
			struct dst_entry *dst = __sk_dst_check(sk, 0);

			if (dst)
				dst->ops->redirect(dst, sk, skb);
		}
		goto out;
	case ICMP_SOURCE_QUENCH:
		/* Deprecated (RFC 6633): ignored, as TCP does. */
		goto out;
	case ICMP_PARAMETERPROB:
		err = EPROTO;
		break;
	case ICMP_DEST_UNREACH:
		if (code > NR_ICMP_UNREACH)
			goto out;
		if (code == ICMP_FRAG_NEEDED) {
			/* A listener sends nothing a path could refuse. */
			if (sk->sk_state == TCP_LISTEN)
				goto out;
			WRITE_ONCE(xs->mtu_info, info);
			if (!sock_owned_by_user(sk))
				xtcp_v4_mtu_reduced(sk);
			else if (!test_and_set_bit(XTCP_MTU_REDUCED_DEFERRED,
						   &sk->sk_tsq_flags))
				sock_hold(sk);
			goto out;
		}
		err = icmp_err_convert[code].errno;
		break;
	case ICMP_TIME_EXCEEDED:
		err = EHOSTUNREACH;
		break;
	default:
		goto out;
	}

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		/* Still opening: the error is the answer to connect(). */
		if (!sock_owned_by_user(sk)) {
			WRITE_ONCE(sk->sk_err, err);
			sk_error_report(sk);
			xtcp_done(sk);
		} else {
			WRITE_ONCE(sk->sk_err_soft, err);
		}
		goto out;
	case TCP_LISTEN:
		goto out;
	}

	/* RFC 1122 4.2.3.9: soft, unless the application asked to hear. */
	if (!sock_owned_by_user(sk) && inet_sk(sk)->recverr) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	} else {
		WRITE_ONCE(sk->sk_err_soft, err);
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;
}

/**
 * xtcp_v4_pre_connect() - before connect(): cgroup connect4 BPF programs
 * @sk: the socket
 * @uaddr: the address connect() was given; the programs may rewrite it
 * @addr_len: its length
 *
 * As tcp_v4_pre_connect(): cgroup BPF programs of type connect4 may look
 * at and rewrite the address.
 *
 * Context: process context, socket locked.
 * Return: 0, -EINVAL if @addr_len is short of a struct sockaddr_in, or
 * the programs' verdict (-EPERM).
 */
int xtcp_v4_pre_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	sock_owned_by_me(sk);

	/* The program must not read past what the caller gave. */
	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	return BPF_CGROUP_RUN_PROG_INET4_CONNECT(sk, uaddr);
}

/**
 * xtcp_v4_connect() - connect(): route, bind a port, send the SYN
 * @sk: the socket
 * @uaddr: the peer's address, a struct sockaddr_in
 * @addr_len: its length
 *
 * Routes to the peer (through a source route's first hop if
 * IP_OPTIONS has one), picks the source address and an ephemeral port
 * if none is bound, enters SYN-SENT and sends the SYN (xtcp_connect()).
 * On failure the socket is CLOSED again, its port released.
 *
 * Context: process context, socket locked (__inet_stream_connect()).
 * Return: 0 once the SYN is queued, or a negative errno: -EINVAL,
 * -EAFNOSUPPORT, -ENETUNREACH (multicast or broadcast), the route's
 * error, inet_hash_connect()'s (-EADDRNOTAVAIL), or -ENOBUFS.
 */
int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *usin = (struct sockaddr_in *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct ip_options_rcu *inet_opt;
	__be16 orig_sport, orig_dport;
	__be32 daddr, nexthop;
	struct flowi4 *fl4;
	struct rtable *rt;
	int err;

	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	nexthop = usin->sin_addr.s_addr;
	daddr = nexthop;
	inet_opt = rcu_dereference_protected(inet->inet_opt,
					     lockdep_sock_is_held(sk));
	if (inet_opt && inet_opt->opt.srr) {
		if (!daddr)
			return -EINVAL;
		nexthop = inet_opt->opt.faddr;
	}

	orig_sport = inet->inet_sport;
	orig_dport = usin->sin_port;
	fl4 = &inet->cork.fl.u.ip4;
	rt = ip_route_connect(fl4, nexthop, inet->inet_saddr,
			      sk->sk_bound_dev_if, xtcp_proto_num, orig_sport,
			      orig_dport, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!inet_opt || !inet_opt->opt.srr)
		daddr = fl4->daddr;

	if (!inet->inet_saddr) {
		err = inet_bhash2_update_saddr(sk, &fl4->saddr, AF_INET);
		if (err) {
			ip_rt_put(rt);
			return err;
		}
	} else {
		sk_rcv_saddr_set(sk, inet->inet_saddr);
	}

	inet->inet_dport = usin->sin_port;
	sk_daddr_set(sk, daddr);
	inet_csk(sk)->icsk_ext_hdr_len = inet_opt ? inet_opt->opt.optlen : 0;

	/*
	 * SYN-SENT before the port is chosen: inet_hash_connect() picks an
	 * ephemeral port if needed and hashes us while we hold the lock.
	 */
	xtcp_set_state(sk, TCP_SYN_SENT);
	err = inet_hash_connect(&xtcp_pernet(sock_net(sk))->death_row, sk);
	if (err)
		goto failure;

	rt = ip_route_newports(fl4, rt, orig_sport, orig_dport,
			       inet->inet_sport, inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		goto failure;
	}
	sk_setup_caps(sk, &rt->dst);
	rt = NULL;

	xtcp_sk(sk)->iss = xtcp_isn(inet->inet_saddr, inet->inet_daddr,
				    inet->inet_sport, inet->inet_dport);
	atomic_set(&inet->inet_id, get_random_u16());

	err = xtcp_connect(sk);
	if (err)
		goto failure;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACTIVEOPENS);
	return 0;

failure:
	/* Unhashes the socket and releases the port, if it took one. */
	xtcp_set_state(sk, TCP_CLOSE);
	inet_bhash2_reset_saddr(sk);
	ip_rt_put(rt);
	sk->sk_route_caps = 0;
	inet->inet_dport = 0;
	return err;
}
