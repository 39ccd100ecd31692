// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp over IPv4: everything that knows the address family, as
 * tcp_ipv4.c is TCP's, so that the other files need not:
 *
 * - registration: the net_protocol handler, the protosw and proto_ops
 *   (xtcp_v4_init(), xtcp_v4_exit()), and each netns' control socket
 *   (xtcp_v4_init_net(), xtcp_v4_exit_net());
 * - the receive entry and socket lookup (xtcp_v4_rcv(), then
 *   xtcp_do_rcv() under the socket lock);
 * - connect(): the route, the source address and port
 *   (xtcp_v4_connect());
 * - the checksum over IPv4's pseudo-header;
 * - the segments sent without a full socket: RSTs, TIME-WAIT's and
 *   request socks' ACKs from the netns' control socket, SYN-ACKs from a
 *   request sock;
 * - the request socks' operations (xtcp_request_sock_ops);
 * - the child a completed handshake makes (xtcp_v4_syn_recv_sock()) and
 *   the ACK that returns a SYN cookie (xtcp_cookie_v4_check());
 * - ICMP errors about our segments (RFC 1122 4.2.3.9, RFC 5927) and path
 *   MTU discovery (RFC 1191), as tcp_v4_err() does; a path MTU reduction
 *   that finds the socket owned is left to release_sock()
 *   (xtcp_release_cb(), output.c, through af_ops).
 *
 * The rest of the module reaches IPv4 through xtcp_ipv4_af_ops, set on
 * every socket (xtcp_v4_init_sock()), as TCP's files reach
 * ipv4_specific; what acts for a request sock or no socket (RST,
 * SYN-ACK) is called directly, as in TCP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/bpf-cgroup.h>
#include <linux/icmp.h>
#include <net/dsfield.h>
#include <net/icmp.h>
#include <net/inet_common.h>
#include <net/inet_connection_sock.h>
#include <net/ip.h>
#include <net/protocol.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/udp.h>

#include "xtcp.h"
#include "trace.h"

/* Below, with what they hold: plain IPv4, and IPv4 in UDP (udp.c). */
static const struct inet_connection_sock_af_ops xtcp_ipv4_af_ops;
static const struct inet_connection_sock_af_ops xtcp_ipv4_udp_af_ops;
static const struct proto_ops xtcp_inet_ops;

/* The af_ops of a connection in UDP over IPv4: an AF_INET6 one's mapped. */
static const struct inet_connection_sock_af_ops *
xtcp_v4_udp_ops(const struct sock *sk)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6)
		return &xtcp_ipv6_mapped_udp;
#endif
	return &xtcp_ipv4_udp_af_ops;
}

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
void xtcp_v4_mtu_reduced(struct sock *sk)
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

/*
 * Whether a segment's form (@encap: the peer's UDP port it came from, 0:
 * plain; @ours: the UDP port it came to) is its connection's (any state;
 * softirq).  A listener takes both; a request, a TIME-WAIT or a full
 * socket only its own, from the peer's port to its own, so that no one
 * can reach a connection in the other form or through another UDP
 * socket.
 */
bool xtcp_encap_ports_match(const struct sock *sk, __be16 encap, __be16 ours)
{
	const struct xtcp_request_sock *xreq;
	const struct xtcp_timewait_sock *xtw;
	const struct xtcp_sock *xs;

	switch (sk->sk_state) {
	case TCP_LISTEN:
		return true;
	case TCP_NEW_SYN_RECV:
		xreq = xtcp_rsk(inet_reqsk((struct sock *)sk));
		return xreq->encap_port == encap &&
		       (!encap || xreq->encap_sport == ours);
	case TCP_TIME_WAIT:
		xtw = xtcp_twsk(sk);
		return xtw->xtw_encap_port == encap &&
		       (!encap || xtw->xtw_encap_sport == ours);
	default:
		xs = xtcp_sk(sk);
		return READ_ONCE(xs->encap_port) == encap &&
		       (!encap || READ_ONCE(xs->encap_sport) == ours);
	}
}

/**
 * xtcp_encap_matches() - whether a received segment came in its socket's form
 * @sk: the socket it was looked up to, any state
 * @skb: the segment, its control block's encap filled in
 *
 * Context: softirq.
 * Return: true if @sk may take it.
 */
bool xtcp_encap_matches(const struct sock *sk, const struct sk_buff *skb)
{
	__be16 encap = XTCP_SKB_CB(skb)->encap;

	return xtcp_encap_ports_match(sk, encap,
				      encap ? xtcp_skb_encap_dport(skb) : 0);
}

/*
 * An ICMP error about a request sock's SYN-ACK (either family's): one
 * for its sequence number that is @abort-worthy drops the request.
 */
void xtcp_req_err(struct sock *sk, u32 seq, bool abort)
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

/* xtcp_v4_err(), our header at @thoff, for a segment plain or in UDP. */
static int __xtcp_v4_err(struct sk_buff *skb, u32 info, unsigned int thoff,
			 __be16 encap)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct xtcphdr *th = (const struct xtcphdr *)(skb->data + thoff);
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
	/*
	 * About a segment of the other form: not this connection's.  In
	 * UDP, the quoted datagram went from our port (its source) to the
	 * peer's (@encap).
	 */
	if (!xtcp_encap_ports_match(sk, encap, encap ?
				    ((const struct udphdr *)th - 1)->source :
				    0)) {
		XTCP_INC_STATS(net, XTCP_MIB_ENCAPMISMATCH);
		if (sk->sk_state == TCP_NEW_SYN_RECV)
			reqsk_put(inet_reqsk(sk));
		else
			sock_put(sk);
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
	/* IP_MINTTL, against the quoted header's TTL, as tcp_v4_err(). */
	if (unlikely(iph->ttl < READ_ONCE(inet_sk(sk)->min_ttl))) {
		XTCP_INC_STATS(net, XTCP_MIB_MINTTLDROP);
		goto out;
	}

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
static int xtcp_v4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;

	return __xtcp_v4_err(skb, info, iph->ihl << 2, 0);
}

/**
 * xtcp_v4_encap_err() - an ICMP error quoting one of our segments in UDP
 * @skb: the ICMP message; its data is the quoted IP header
 * @info: the next-hop MTU of "fragmentation needed", else 0
 * @thoff: where our header starts in the data (after the UDP header);
 *	   the caller made sure 8 bytes of it are there
 * @encap: the UDP port the quoted datagram went to
 *
 * As xtcp_v4_err(), for udp.c's encap_err_rcv: only a connection in UDP
 * to that port believes it.
 *
 * Context: softirq.
 */
void xtcp_v4_encap_err(struct sk_buff *skb, u32 info, unsigned int thoff,
		       __be16 encap)
{
	__xtcp_v4_err(skb, info, thoff, encap);
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
	/*
	 * In UDP if the socket asks for it, from a UDP socket of its own
	 * (udp.c); before the MSS is chosen, which depends on it.
	 */
	if (xtcp_sk(sk)->encap_port) {
		err = xtcp_encap_sock_open(sk);
		if (err)
			goto failure;
		WRITE_ONCE(inet_csk(sk)->icsk_af_ops, xtcp_v4_udp_ops(sk));
	}
	sk_setup_caps(sk, &rt->dst);
	rt = NULL;
	/* A flow hash of its own, for XPS, RPS and fq (as TCP). */
	sk_set_txhash(sk);

	xtcp_sk(sk)->iss = xtcp_isn(inet->inet_saddr, inet->inet_daddr,
				    inet->inet_sport, inet->inet_dport);
	xtcp_sk(sk)->ts_offset = xtcp_ts_off(sock_net(sk), inet->inet_saddr,
					     inet->inet_daddr);
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
	xtcp_encap_sock_release(sk);
	xtcp_set_plain(sk);
	sk->sk_route_caps = 0;
	inet->inet_dport = 0;
	return err;
}

/*
 * The checksum of a segment going out through @dst, whose header is at
 * skb->data.  Left to the device (CHECKSUM_PARTIAL) only if it checksums
 * any protocol (NETIF_F_HW_CSUM): a device with only NETIF_F_IP_CSUM
 * checksums TCP and UDP, and the core would hand it ours all the same,
 * since our checksum sits where TCP's does.  Otherwise computed here.
 * A GSO skb always leaves it partial: xtcp_gso_segment() decides.
 */
static void __xtcp_v4_send_check(struct sk_buff *skb,
				 const struct dst_entry *dst,
				 __be32 saddr, __be32 daddr)
{
	struct xtcphdr *th = xtcp_hdr(skb);

	if (!skb_is_gso(skb) &&
	    !(dst && (dst->dev->features & NETIF_F_HW_CSUM))) {
		th->check = 0;
		th->check = csum_tcpudp_magic(saddr, daddr, skb->len,
					      xtcp_proto_num,
					      skb_checksum(skb, 0, skb->len, 0));
		skb->ip_summed = CHECKSUM_NONE;
		return;
	}
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct xtcphdr, check);
	th->check = ~csum_tcpudp_magic(saddr, daddr, skb->len,
				       xtcp_proto_num, 0);
}

/**
 * xtcp_v4_send_check() - af_ops' send_check for IPv4
 * @sk: the socket, connected
 * @skb: one of its segments, header built
 *
 * The checksum of a segment of @sk, on its route (or its pseudo-header
 * part, left to the device or to segmentation).  Not static: the
 * transmit path calls it directly when the socket is IPv4
 * (INDIRECT_CALL_1() in xtcp_transmit_skb()), as TCP does.
 *
 * Context: socket locked.
 */
void xtcp_v4_send_check(struct sock *sk, struct sk_buff *skb)
{
	struct inet_sock *inet = inet_sk(sk);

	__xtcp_v4_send_check(skb, __sk_dst_get(sk), inet->inet_saddr,
			     inet->inet_daddr);
}

/*
 * af_ops' send_check of an IPv4 socket in UDP (v4-mapped too): the
 * pseudo-header with zero addresses, which a NAT cannot make wrong
 * (udp.c).  Context: socket locked.
 */
void xtcp_v4_udp_send_check(struct sock *sk, struct sk_buff *skb)
{
	__xtcp_v4_send_check(skb, __sk_dst_get(sk), 0, 0);
}

/*
 * Segments sent on nobody's behalf (RSTs to closed ports, ACKs from a
 * request sock) go out through the netns' control socket, routed back
 * to the sender of @rxskb, in the form @rxskb came in (plain, or in UDP
 * to the port it came from), with the flow hash @txhash of the socket
 * they answer for (0: none).  Softirq or process context.
 */
static void xtcp_v4_send_ctl(struct net *net, struct sk_buff *rxskb, u32 seq,
			     u32 ack, u8 flags, u16 window, u32 txhash,
			     const struct xtcp_ts *ts)
{
	const struct xtcphdr *rth = xtcp_hdr(rxskb);
	const struct iphdr *rxiph = ip_hdr(rxskb);
	__be16 encap = XTCP_SKB_CB(rxskb)->encap;
	struct sock *ctl_sk = xtcp_pernet(net)->ctl_sk;
	struct flowi4 fl4 = {
		.flowi4_oif	= inet_iif(rxskb),
		.daddr		= rxiph->saddr,
		.saddr		= rxiph->daddr,
		.flowi4_proto	= xtcp_proto_num,
		.fl4_sport	= rth->dest,
		.fl4_dport	= rth->source,
	};
	struct sk_buff *skb;
	struct rtable *rt;
	int err;

	rt = ip_route_output_flow(net, &fl4, ctl_sk);
	if (IS_ERR(rt))
		return;
	skb = alloc_skb(MAX_XTCP_HEADER, GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	skb_reserve(skb, MAX_XTCP_HEADER);
	xtcp_push_ctl_header(skb, rth, seq, ack, flags, window, ts);
	if (txhash)
		skb_set_hash(skb, txhash, PKT_HASH_TYPE_L4);
	/* Also reached from process context (backlog): keep softirqs out. */
	local_bh_disable();
	if (encap) {
		/* In the form the segment came in: UDP, between its ports. */
		__xtcp_v4_send_check(skb, &rt->dst, 0, 0);
		err = xtcp_v4_udp_xmit(ctl_sk, skb, rt, rxiph->daddr,
				       rxiph->saddr,
				       xtcp_skb_encap_dport(rxskb), encap,
				       inet_sk(ctl_sk)->tos);
	} else {
		__xtcp_v4_send_check(skb, &rt->dst, rxiph->daddr,
				     rxiph->saddr);
		skb_dst_set(skb, &rt->dst);
		bh_lock_sock(ctl_sk);
		err = ip_build_and_send_pkt(skb, ctl_sk, rxiph->daddr,
					    rxiph->saddr, NULL,
					    inet_sk(ctl_sk)->tos);
		bh_unlock_sock(ctl_sk);
	}
	local_bh_enable();
	if (!net_xmit_eval(err)) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
		if (flags & XTCP_FLAG_RST)
			XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
	}
}

/**
 * xtcp_reset_allowed() - whether a RST may go now
 * @net: the netns it goes from
 * @sk: the socket it answers for, or NULL
 *
 * For no socket, at most net.xtcp.rst_limit a second, so that a flood
 * of segments to closed ports, from forged sources, is not reflected at
 * full rate (as ICMP's errors are limited); counted in OutRstsLimited
 * when held back.  Either family's.
 *
 * Context: any context.
 * Return: true if the RST may go.
 */
bool xtcp_reset_allowed(struct net *net, const struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	if (sk)
		return true;
	if (xtcp_rate_allow(&xn->rst_rate, (u32)(jiffies / HZ),
			    READ_ONCE(xn->sysctl_rst_limit), get_random_u32()))
		return true;
	XTCP_INC_STATS(net, XTCP_MIB_RSTLIMITED);
	return false;
}

/**
 * xtcp_v4_send_reset() - answer a segment that belongs to no connection
 * @sk: the socket it reached (a listener, a full socket), or NULL
 * @skb: the segment, its control block filled in
 *
 * RFC 9293 section 3.10.7.1: <SEQ=SEG.ACK><CTL=RST> for a segment with
 * an ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.  Never a RST
 * for a RST; never to a non-local destination.  For no socket at most
 * net.xtcp.rst_limit a second, so that a flood of segments to closed
 * ports, from forged sources, is not reflected at full rate (as ICMP's
 * errors are limited); counted in OutRstsLimited when held back.  Sent
 * through the netns' control socket.
 *
 * Context: softirq, or process context (the backlog); @sk need not be
 * locked (only its netns is read).  Also request_sock_ops' send_reset.
 */
void xtcp_v4_send_reset(const struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net;

	if (cb->flags & XTCP_FLAG_RST)
		return;
	if (!skb_rtable(skb) || skb_rtable(skb)->rt_type != RTN_LOCAL)
		return;
	net = sk ? sock_net(sk) : dev_net(skb_dst(skb)->dev);
	if (!xtcp_reset_allowed(net, sk))
		return;

	if (cb->flags & XTCP_FLAG_ACK) {
		trace_xtcp_send_reset(sk, skb, cb->ack_seq, 0);
		xtcp_v4_send_ctl(net, skb, cb->ack_seq, 0, XTCP_FLAG_RST, 0,
				 0, NULL);
	} else {
		trace_xtcp_send_reset(sk, skb, 0, cb->end_seq);
		xtcp_v4_send_ctl(net, skb, 0, cb->end_seq,
				 XTCP_FLAG_RST | XTCP_FLAG_ACK, 0, 0, NULL);
	}
}

/**
 * xtcp_tw_send_ack() - TIME-WAIT's answer: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
 * @tw: the timewait sock
 * @skb: the segment it answers
 *
 * Sent through the netns' control socket.
 *
 * Context: softirq (xtcp_v4_rcv()); the timewait sock has no lock.
 */
void xtcp_tw_send_ack(struct inet_timewait_sock *tw, struct sk_buff *skb)
{
	const struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);
	struct xtcp_ts ts;

	xtcp_v4_send_ctl(twsk_net(tw), skb, xtw->xtw_snd_nxt, xtw->xtw_rcv_nxt,
			 XTCP_FLAG_ACK, xtw->xtw_rcv_wnd, tw->tw_txhash,
			 xtcp_tw_ts(tw, &ts) ? &ts : NULL);
}

/**
 * xtcp_v4_reqsk_send_ack() - a request sock's ACK for an unacceptable segment
 * @sk: the listener
 * @skb: the segment it answers
 * @req: the request sock
 *
 * The ACK of SYN-RECEIVED: <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>.  Not a SYN:
 * the window is scaled if scaling was agreed.  Sent through the netns'
 * control socket.
 *
 * Context: softirq, listener not locked (xtcp_check_req(); also
 * request_sock_ops' send_ack).
 */
void xtcp_v4_reqsk_send_ack(const struct sock *sk, struct sk_buff *skb,
			    struct request_sock *req)
{
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	const struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_ts ts;

	/* Not a SYN: the window is scaled if scaling was agreed. */
	xtcp_v4_send_ctl(sock_net(sk), skb, xreq->snt_isn + 1,
			 xreq->rcv_isn + 1, XTCP_FLAG_ACK,
			 xreq->rcv_wnd >> (ireq->wscale_ok ? ireq->rcv_wscale : 0),
			 READ_ONCE(xreq->txhash),
			 xtcp_reqsk_ts(req, &ts) ? &ts : NULL);
}

/**
 * xtcp_v4_send_synack() - send (or resend) the SYN-ACK of a request sock
 * @sk: the listener
 * @req: the request sock
 *
 * Routed for the request; the MSS from the route, within TCP_MAXSEG,
 * and the window from the listener's buffer (the child's) are recorded
 * in @req.
 *
 * Context: softirq, listener not locked: xtcp_conn_request(), or the
 * kernel's request sock timer (request_sock_ops' rtx_syn_ack).
 * Return: 0 once sent, -EHOSTUNREACH without a route, -ENOMEM, or
 * ip_build_and_send_pkt()'s error (through net_xmit_eval()).
 */
int xtcp_v4_send_synack(const struct sock *sk, struct request_sock *req)
{
	const struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct flowi4 fl4;
	int err;

	dst = inet_csk_route_req(sk, &fl4, req);
	if (!dst)
		return -EHOSTUNREACH;
	/* IPv4's header whatever the listener's family; UDP's if it came so. */
	skb = xtcp_make_synack(sk, req, dst_mtu(dst), sizeof(struct iphdr) +
			       (xreq->encap_port ? sizeof(struct udphdr) : 0));
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	if (xreq->encap_port) {
		/* The SYN came in UDP: so does the answer (udp.c). */
		__xtcp_v4_send_check(skb, dst, 0, 0);
		err = xtcp_v4_udp_xmit(sk, skb, (struct rtable *)dst,
				       ireq->ir_loc_addr, ireq->ir_rmt_addr,
				       xreq->encap_sport, xreq->encap_port,
				       READ_ONCE(inet_sk(sk)->tos));
		goto sent;
	}
	__xtcp_v4_send_check(skb, dst, ireq->ir_loc_addr, ireq->ir_rmt_addr);
	skb_dst_set(skb, dst);

	rcu_read_lock();
	err = ip_build_and_send_pkt(skb, sk, ireq->ir_loc_addr,
				    ireq->ir_rmt_addr,
				    rcu_dereference(ireq->ireq_opt),
				    READ_ONCE(inet_sk(sk)->tos));
	rcu_read_unlock();
sent:
	err = net_xmit_eval(err);
	if (!err)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTSEGS);
	return err;
}

/*
 * The child socket, cloned from the listener, once the ACK of our
 * SYN-ACK arrived.  Returned locked (bh), in SYN-RECEIVED; NULL if the
 * accept queue is full or memory or a route is lacking.  af_ops'
 * syn_recv_sock: @dst is a route for the child, or NULL to find one
 * (xtcp's callers always pass NULL); @opt_child_init, if set, makes an
 * IPv6 listener's child v4-mapped (xtcp_v6_syn_recv_sock(), as
 * tcp_v6_mapped_child_init()).
 */
struct sock *
xtcp_v4_syn_recv_sock(const struct sock *sk, struct sk_buff *skb,
		      struct request_sock *req, struct dst_entry *dst,
		      struct request_sock *req_unhash, bool *own_req,
		      void (*opt_child_init)(struct sock *newsk,
					     const struct sock *sk))
{
	struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	struct inet_connection_sock *newicsk;
	struct sock *newsk;
	struct inet_sock *newinet;
	struct xtcp_sock *newxs;

	if (sk_acceptq_is_full(sk))
		goto exit_overflow;
	newsk = xtcp_create_openreq_child(sk, req);
	if (!newsk)
		goto exit_nonewsk;

	newinet = inet_sk(newsk);
	sk_daddr_set(newsk, ireq->ir_rmt_addr);
	sk_rcv_saddr_set(newsk, ireq->ir_loc_addr);
	newinet->inet_saddr = ireq->ir_loc_addr;
	/* The listener's IP options pointer was copied: not ours to free. */
	RCU_INIT_POINTER(newinet->inet_opt, NULL);
	newinet->mc_index = inet_iif(skb);
	newinet->mc_ttl = ip_hdr(skb)->ttl;
	newinet->rcv_tos = ip_hdr(skb)->tos;
	atomic_set(&newinet->inet_id, get_random_u16());
	newicsk = inet_csk(newsk);
	newicsk->icsk_ext_hdr_len = 0;
	newxs = xtcp_sk(newsk);

	/*
	 * The form the handshake came in (udp.c), not the listener's, from
	 * the port it came to; no UDP socket of its own.
	 */
	newxs->encap_port = xreq->encap_port;
	newxs->encap_sport = xreq->encap_sport;
	newxs->encap_sock = NULL;
	newicsk->icsk_af_ops = newxs->encap_port ? &xtcp_ipv4_udp_af_ops :
						   &xtcp_ipv4_af_ops;
	/*
	 * An IPv6 listener's child is made v4-mapped (ipv6.c) before
	 * anything can fail: until then its IPv6 state is the listener's,
	 * which its destructor would free.
	 */
	if (opt_child_init)
		opt_child_init(newsk, sk);
	if (!dst) {
		dst = inet_csk_route_child_sock(sk, newsk, req);
		if (!dst)
			goto put_and_exit;
	}
	sk_setup_caps(newsk, dst);
	xtcp_init_mss(newsk);
	xtcp_init_transfer(newsk);
	return xtcp_child_hash(sk, newsk, req_unhash, own_req);

exit_overflow:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
exit_nonewsk:
	dst_release(dst);
exit:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
	return NULL;
put_and_exit:
	inet_csk_prepare_forced_close(newsk);
	xtcp_done(newsk);
	goto exit;
}

/*
 * A request's addresses: the SYN's (or the cookie's ACK's), reversed;
 * and the UDP port it came from if it came encapsulated (udp.c).
 */
static void xtcp_v4_init_req(struct request_sock *req, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	sk_rcv_saddr_set(req_to_sk(req), iph->daddr);
	sk_daddr_set(req_to_sk(req), iph->saddr);
	xtcp_rsk(req)->encap_port = XTCP_SKB_CB(skb)->encap;
	xtcp_rsk(req)->encap_sport = XTCP_SKB_CB(skb)->encap ?
				     xtcp_skb_encap_dport(skb) : 0;
	xtcp_rsk(req)->txhash = net_tx_rndhash();
}

/* Our ISN for the connection a SYN asks for (RFC 6528). */
static u32 xtcp_v4_init_seq(const struct sk_buff *skb)
{
	const struct xtcphdr *th = xtcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);

	return xtcp_isn(iph->daddr, iph->saddr, th->dest, th->source);
}

/* The offset of our TSvals for the connection a SYN asks for. */
static u32 xtcp_v4_init_ts_off(const struct net *net,
			       const struct sk_buff *skb)
{
	return xtcp_ts_off(net, ip_hdr(skb)->daddr, ip_hdr(skb)->saddr);
}

/* A SYN cookie's hash of a SYN's, or its ACK's, addresses and ports. */
static u32 xtcp_v4_cookie_hash(const struct sk_buff *skb, u32 count,
			       int which)
{
	const struct xtcphdr *th = xtcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);

	return xtcp_cookie_hash(iph->saddr, iph->daddr, th->source, th->dest,
				count, which);
}

/* What xtcp_conn_request() asks of IPv4, as tcp_request_sock_ipv4_ops. */
static const struct xtcp_request_sock_af_ops xtcp_request_sock_ipv4_ops = {
	.init_req	= xtcp_v4_init_req,
	.init_seq	= xtcp_v4_init_seq,
	.cookie_hash	= xtcp_v4_cookie_hash,
	.send_synack	= xtcp_v4_send_synack,
	.init_ts_off	= xtcp_v4_init_ts_off,
};

/*
 * af_ops' conn_request: a SYN reached an IPv4 listener (as
 * tcp_v4_conn_request()).
 *
 * Context: softirq (BHs off), listener not locked (xtcp_rcv_listen()).
 * Return: 0, as xtcp_conn_request().
 */
int xtcp_v4_conn_request(struct sock *sk, struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);

	/* Never answer a SYN sent to a broadcast or multicast address. */
	if (rt && (rt->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST))) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
		return 0;
	}
	return xtcp_conn_request(&xtcp_request_sock_ops,
				 &xtcp_request_sock_ipv4_ops, sk, skb);
}

/**
 * xtcp_cookie_v4_check() - an IPv4 ACK reached a listener with no request
 * @sk: the listener (either family's: a dual-stack one gets IPv4 too)
 * @skb: the ACK; not consumed
 *
 * xtcp_cookie_ack() with IPv4's request operations, as cookie_v4_check().
 *
 * Context: softirq (BHs off), listener not locked (xtcp_rcv_listen()).
 * Return: the child, locked (bh), on the accept queue; NULL otherwise.
 */
struct sock *xtcp_cookie_v4_check(struct sock *sk, struct sk_buff *skb)
{
	return xtcp_cookie_ack(&xtcp_request_sock_ops,
			       &xtcp_request_sock_ipv4_ops, sk, skb);
}

/* The listener a SYN that found TIME-WAIT may go to (xtcp_tw_segment()). */
static struct sock *xtcp_v4_tw_listener(struct sk_buff *skb)
{
	const struct xtcphdr *th = xtcp_hdr(skb);

	return inet_lookup_listener(dev_net(skb->dev), &xtcp_hashinfo, skb,
				    th->doff * 4, ip_hdr(skb)->saddr,
				    th->source, ip_hdr(skb)->daddr, th->dest,
				    inet_iif(skb), inet_sdif(skb));
}

/* xtcp_v4_rcv(), for a segment that came plain (@encap 0) or in UDP. */
static int __xtcp_v4_rcv(struct sk_buff *skb, __be16 encap)
{
	struct net *net = dev_net(skb->dev);
	const struct xtcphdr *th;
	bool refcounted;
	struct sock *sk;

	if (skb->pkt_type != PACKET_HOST)
		goto discard;
	if (!xtcp_rcv_pull(skb))
		goto discard;
	if (encap ? skb_checksum_validate(skb, xtcp_proto_num,
					  xtcp_udp_compute_pseudo) :
		    skb_checksum_validate(skb, xtcp_proto_num,
					  inet_compute_pseudo))
		goto csum_error;

	th = (const struct xtcphdr *)skb->data;
	xtcp_fill_cb(skb, th);
	XTCP_SKB_CB(skb)->encap = encap;
	/* In UDP, the outer header's: the one the path may have marked. */
	XTCP_SKB_CB(skb)->ip_dsfield = ipv4_get_dsfield(ip_hdr(skb));

lookup:
	sk = __inet_lookup_skb(&xtcp_hashinfo, skb, th->doff * 4, th->source,
			       th->dest, inet_sdif(skb), &refcounted);
	if (!sk)
		goto no_socket;

	if (unlikely(!xtcp_encap_matches(sk, skb))) {
		/* Plain for an encapsulated connection, or the reverse. */
		XTCP_INC_STATS(net, XTCP_MIB_ENCAPMISMATCH);
		if (sk->sk_state == TCP_TIME_WAIT)
			inet_twsk_put(inet_twsk(sk));
		else if (sk->sk_state == TCP_NEW_SYN_RECV)
			reqsk_put(inet_reqsk(sk));
		else
			goto discard_and_relse;
		goto discard;
	}
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		if (!xtcp_rcv_for_req(sk, skb))
			goto lookup;
		return 0;
	}
	if (sk->sk_state == TCP_TIME_WAIT) {
		sk = xtcp_tw_segment(inet_twsk(sk), skb, xtcp_v4_tw_listener,
				     xtcp_tw_send_ack);
		if (!sk)
			return 0;
		refcounted = false;
	}
	/*
	 * IP_MINTTL (RFC 5082's GTSM): fewer hops left than the socket
	 * asks for, after TIME-WAIT and request socks, as tcp_v4_rcv().
	 * For a segment in UDP, the outer header's TTL: the one the path
	 * decremented.
	 */
	if (unlikely(ip_hdr(skb)->ttl < READ_ONCE(inet_sk(sk)->min_ttl))) {
		XTCP_INC_STATS(net, XTCP_MIB_MINTTLDROP);
		goto discard_and_relse;
	}
	xtcp_rcv_sock(sk, skb, refcounted);
	return 0;

no_socket:
	XTCP_INC_STATS(net, XTCP_MIB_NOSOCKET);
	xtcp_v4_send_reset(NULL, skb);
	goto discard;

csum_error:
	XTCP_INC_STATS(net, XTCP_MIB_CSUMERRORS);
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
discard:
	kfree_skb(skb);
	return 0;

discard_and_relse:
	if (refcounted)
		sock_put(sk);
	goto discard;
}

/**
 * xtcp_v4_rcv() - IP's handler for every datagram of our protocol
 * @skb: the datagram, its transport header at skb->data; consumed
 *
 * Checks the header and the checksum (counting InBadHeader,
 * InCsumErrors), looks the socket up and hands the segment to a request
 * sock, a timewait sock, a listener (unlocked, as TCP's), or a full
 * socket under its bh lock, onto its backlog if the owner holds it.  A
 * segment for no socket is answered with a RST.
 *
 * Context: softirq.
 * Return: always 0: a negative value would ask IP to resubmit.
 */
static int xtcp_v4_rcv(struct sk_buff *skb)
{
	return __xtcp_v4_rcv(skb, 0);
}

/**
 * xtcp_v4_encap_rcv() - a segment that came in UDP
 * @skb: the segment, the UDP header taken off (skb->data at ours)
 * @sport: the UDP source port it came from
 *
 * As xtcp_v4_rcv(), for udp.c's encap_rcv.
 *
 * Context: softirq.
 */
void xtcp_v4_encap_rcv(struct sk_buff *skb, __be16 sport)
{
	__xtcp_v4_rcv(skb, sport);
}

/* Nothing of ours hangs off a request sock; the kernel calls this always. */
void xtcp_reqsk_destructor(struct request_sock *req)
{
}

/*
 * A request sock's operations, IPv4's as tcp_request_sock_ops is: what
 * it sends on the wire is this file's, the SYN-ACK's retransmission and
 * its timeout are minisocks.c's.
 */
struct request_sock_ops xtcp_request_sock_ops = {
	.family		= PF_INET,
	.obj_size	= sizeof(struct xtcp_request_sock),
	.rtx_syn_ack	= xtcp_rtx_synack,
	.send_ack	= xtcp_v4_reqsk_send_ack,
	.send_reset	= xtcp_v4_send_reset,
	.destructor	= xtcp_reqsk_destructor,
	.syn_ack_timeout = xtcp_syn_ack_timeout,
};

/*
 * What the family-neutral files call for an IPv4 socket, as TCP's
 * ipv4_specific.  Every xtcp socket has it (xtcp_v4_init_sock()); a
 * child inherits its listener's through the clone.  Calls on a request
 * sock or with no full socket (RST, SYN-ACK, request and TIME-WAIT
 * ACKs) go directly to this file's functions instead, as in TCP.
 *
 * queue_xmit, send_check: xtcp_transmit_skb() (output.c)
 * conn_request: a SYN at a listener, xtcp_rcv_listen() (input.c)
 * syn_recv_sock: the handshake's ACK, xtcp_check_req() (minisocks.c)
 * net_header_len: xtcp_mss_for_mtu() (output.c)
 * setsockopt, getsockopt: levels other than SOL_TCP (sockopt.c)
 * mtu_reduced: a path MTU reduction deferred to release_sock(),
 *   xtcp_release_cb() (output.c)
 * rebuild_header: set as TCP's; no caller yet (ip_queue_xmit() routes
 *   a socket whose route went stale).
 */
static const struct inet_connection_sock_af_ops xtcp_ipv4_af_ops = {
	.queue_xmit	= ip_queue_xmit,
	.send_check	= xtcp_v4_send_check,
	.rebuild_header	= inet_sk_rebuild_header,
	.conn_request	= xtcp_v4_conn_request,
	.syn_recv_sock	= xtcp_v4_syn_recv_sock,
	.net_header_len	= sizeof(struct iphdr),
	.setsockopt	= ip_setsockopt,
	.getsockopt	= ip_getsockopt,
	.mtu_reduced	= xtcp_v4_mtu_reduced,
};

/*
 * The same, for a socket whose segments go in UDP (udp.c): set at
 * connect() when the socket asks for it, and on the child of a SYN that
 * came so.  UDP's header is part of the network header for the MSS.
 */
static const struct inet_connection_sock_af_ops xtcp_ipv4_udp_af_ops = {
	.queue_xmit	= xtcp_v4_udp_queue_xmit,
	.send_check	= xtcp_v4_udp_send_check,
	.rebuild_header	= inet_sk_rebuild_header,
	.conn_request	= xtcp_v4_conn_request,
	.syn_recv_sock	= xtcp_v4_syn_recv_sock,
	.net_header_len	= sizeof(struct iphdr) + sizeof(struct udphdr),
	.setsockopt	= ip_setsockopt,
	.getsockopt	= ip_getsockopt,
	.mtu_reduced	= xtcp_v4_mtu_reduced,
};

/**
 * xtcp_v4_set_plain() - a socket's af_ops back to plain IPv4
 * @sk: the socket, closed again (disconnect, a failed connect)
 *
 * Context: socket locked.
 */
void xtcp_v4_set_plain(struct sock *sk)
{
	WRITE_ONCE(inet_csk(sk)->icsk_af_ops, &xtcp_ipv4_af_ops);
}

/**
 * xtcp_v4_adopt() - an AF_INET6 socket becomes an AF_INET one
 * @sk: a v4-mapped connection (IPV6_ADDRFORM, ipv6.c)
 *
 * IPv4's struct proto, af_ops and proto_ops from now on, as IPv6's code
 * does for TCP: its in-use count moves along; the MSS is synced again,
 * as IPv4's header options may differ from IPv6's extension headers.
 * The socket's memory stays what xtcpv6_prot allocated, and goes back
 * there (sk_prot_creator).  Both proto_ops are this module's, so the
 * module reference the socket holds stays right.
 *
 * Context: socket locked, ESTABLISHED, IPv4 on the wire (xtcp_ipv6_mapped
 * or xtcp_ipv6_mapped_udp).
 */
void xtcp_v4_adopt(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct net *net = sock_net(sk);

	sock_owned_by_me(sk);
	sock_prot_inuse_add(net, sk->sk_prot, -1);
	sock_prot_inuse_add(net, &xtcp_prot, 1);
	/* Paired with READ_ONCE(sk->sk_prot) in sock_common_*sockopt(). */
	WRITE_ONCE(sk->sk_prot, &xtcp_prot);
	/* Paired with READ_ONCE() in xtcp_setsockopt()/xtcp_getsockopt(). */
	WRITE_ONCE(icsk->icsk_af_ops, xtcp_sk(sk)->encap_port ?
		   &xtcp_ipv4_udp_af_ops : &xtcp_ipv4_af_ops);
	sk->sk_socket->ops = &xtcp_inet_ops;
	sk->sk_family = PF_INET;
	xtcp_sync_mss(sk, icsk->icsk_pmtu_cookie);
}

/**
 * xtcp_v4_init_sock() - struct proto's init for an IPv4 socket
 * @sk: the socket, just allocated by inet_create()
 *
 * The IPv4 af_ops, then the family-neutral set-up (xtcp_init_sock()),
 * as tcp_v4_init_sock() (which sets them after; before, they are there
 * for anything the set-up may come to call through them).
 *
 * Context: process context; the socket is not locked and no one else
 * sees it yet.
 * Return: 0.
 */
int xtcp_v4_init_sock(struct sock *sk)
{
	inet_csk(sk)->icsk_af_ops = &xtcp_ipv4_af_ops;
	return xtcp_init_sock(sk);
}

static const struct proto_ops xtcp_inet_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet_getname,
	.poll		= xtcp_poll,
	.ioctl		= inet_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= xtcp_inet_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= sock_common_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= inet_sendpage,
	.splice_read	= xtcp_splice_read,
};

static struct inet_protosw xtcp_protosw = {
	.type		= SOCK_STREAM,
	/* .protocol is set from the module parameter at load */
	.prot		= &xtcp_prot,
	.ops		= &xtcp_inet_ops,
	.flags		= INET_PROTOSW_ICSK,
};

static struct net_protocol xtcp_net_protocol = {
	.handler	= xtcp_v4_rcv,
	.err_handler	= xtcp_v4_err,
};

/**
 * xtcp_v4_init_net() - a netns' IPv4 control socket
 * @net: the namespace
 *
 * A raw socket of our protocol number, unhashed, to send RSTs that
 * belong to no socket.  Raw, not xtcp: an xtcp socket would pin the
 * module and make it impossible to unload.
 *
 * Context: process context, the netns' init (xtcp_init_net()).
 * Return: 0, or inet_ctl_sock_create()'s error.
 */
int xtcp_v4_init_net(struct net *net)
{
	return inet_ctl_sock_create(&xtcp_pernet(net)->ctl_sk, PF_INET,
				    SOCK_RAW, xtcp_proto_num, net);
}

/**
 * xtcp_v4_exit_net() - destroy a netns' IPv4 control socket
 * @net: the namespace
 *
 * Context: process context, the netns' exit, or its init unwinding.
 */
void xtcp_v4_exit_net(struct net *net)
{
	inet_ctl_sock_destroy(xtcp_pernet(net)->ctl_sk);
}

/**
 * xtcp_v4_init() - register with IPv4: the protocol handler, then socket()
 *
 * IP's handler for our protocol number (xtcp_v4_rcv(), xtcp_v4_err()),
 * then the protosw that makes socket(AF_INET, SOCK_STREAM, proto) ours.
 *
 * Context: process context, module init, last of everything xtcp sets
 * up: from here on socket() makes xtcp sockets, and everything they use
 * (pernet state, sysctls, the receive path) is in place.
 * Return: 0, or -EBUSY if another protocol has the number.
 */
int xtcp_v4_init(void)
{
	if (inet_add_protocol(&xtcp_net_protocol, xtcp_proto_num) < 0) {
		pr_err("IP protocol %d is already registered\n",
		       xtcp_proto_num);
		return -EBUSY;
	}
	xtcp_protosw.protocol = xtcp_proto_num;
	inet_register_protosw(&xtcp_protosw);
	return 0;
}

/**
 * xtcp_v4_exit() - unregister from IPv4: socket() first, then the handler
 *
 * Context: process context, module exit, first: no new socket may
 * appear while the rest goes away.
 */
void xtcp_v4_exit(void)
{
	inet_unregister_protosw(&xtcp_protosw);
	inet_del_protocol(&xtcp_net_protocol, xtcp_proto_num);
}
