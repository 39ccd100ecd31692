// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp over IPv6: everything that knows IPv6, as tcp_ipv6.c is TCP's.
 * The same protocol number is the next header; the state machine, the
 * stream and the timers are the family-neutral files', reached through
 * the socket's af_ops as for IPv4 (ipv4.c):
 *
 * - registration: the inet6_protocol handler, the protosw and proto_ops
 *   for socket(AF_INET6, SOCK_STREAM, proto) (xtcp_v6_init(),
 *   xtcp_v6_exit()), and each netns' IPv6 control socket;
 * - the receive entry and socket lookup (xtcp_v6_rcv());
 * - connect(), natively or, to a v4-mapped address on a socket without
 *   IPV6_V6ONLY, over IPv4 (ipv4.c's, with xtcp_ipv6_mapped af_ops), as
 *   tcp_v6_connect();
 * - the checksum over IPv6's pseudo-header (RFC 8200 section 8.1);
 * - RSTs and ACKs without a full socket, SYN-ACKs, the request socks'
 *   operations and the child of a completed handshake; a dual-stack
 *   listener's IPv4 SYNs go to ipv4.c and make v4-mapped children
 *   (xtcp_v6_mapped_child_init());
 * - ICMPv6 errors (RFC 4443) and Packet Too Big (RFC 8201), as
 *   tcp_v6_err().
 *
 * Not yet for IPv6: connections in UDP (udp.c; an AF_INET6 socket asked
 * for it connects plain to an IPv6 address, in UDP to a v4-mapped one),
 * and IPV6_ADDRFORM (refused by IPv6 for any protocol but TCP and UDP,
 * with ENOPROTOOPT).
 *
 * Built only with CONFIG_IPV6; with IPv6 disabled at boot
 * (ipv6.disable=1) nothing here is registered and AF_INET6 sockets do
 * not exist, as for TCP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/bpf-cgroup.h>
#include <linux/icmpv6.h>
#include <net/addrconf.h>
#include <net/dsfield.h>
#include <net/inet_common.h>
#include <net/inet6_connection_sock.h>
#include <net/inet6_hashtables.h>
#include <net/inet_ecn.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/protocol.h>
#include <net/sock.h>
#include <net/transp_v6.h>

#include "xtcp.h"
#include "trace.h"

static const struct inet_connection_sock_af_ops xtcp_ipv6_af_ops;
static const struct inet_connection_sock_af_ops xtcp_ipv6_udp_af_ops;
static struct request_sock_ops xtcp6_request_sock_ops;
/*
 * xtcp_prot with IPv6's differences, filled in at registration
 * (xtcp_v6_init()), as MPTCP makes mptcp_v6_prot from mptcp_prot:
 * what is not family-specific stays one definition (protocol.c).
 */
static struct proto xtcpv6_prot;

/* The socket's IPv6 state, where xtcp6_sock keeps it (as tcp_inet6_sk()). */
static struct ipv6_pinfo *xtcp_inet6_sk(const struct sock *sk)
{
	return &((struct xtcp6_sock *)sk)->inet6;
}

/**
 * xtcp_v6_mtu_reduced() - act on a smaller path MTU (Packet Too Big)
 * @sk: the socket; its mtu_info holds the MTU the ICMPv6 error reported
 *
 * As xtcp_v4_mtu_reduced(), for IPv6's route: an MTU that would not
 * lower our MSS is no news (tcp_v6_mtu_reduced()).
 *
 * Context: socket locked: xtcp_v6_err() in softirq, or xtcp_release_cb().
 */
static void xtcp_v6_mtu_reduced(struct sock *sk)
{
	struct dst_entry *dst;
	u32 mtu;

	sock_owned_by_me(sk);

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	mtu = READ_ONCE(xtcp_sk(sk)->mtu_info);
	if (xtcp_mss_for_mtu(sk, mtu) >= xtcp_sk(sk)->mss_cache)
		return;
	dst = inet6_csk_update_pmtu(sk, mtu);
	if (!dst)
		return;
	if (inet_csk(sk)->icsk_pmtu_cookie > dst_mtu(dst)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PMTUREDUCED);
		xtcp_sync_mss(sk, dst_mtu(dst));
		xtcp_simple_retransmit(sk);
	}
}

/* xtcp_v6_err(), our header at @offset, for a segment plain or in UDP. */
static int __xtcp_v6_err(struct sk_buff *skb, u8 type, u8 code, int offset,
			 __be32 info, __be16 encap);

/**
 * xtcp_v6_err() - IPv6's err_handler: an ICMPv6 error quoting our segment
 * @skb: the ICMPv6 message; its data is the quoted IPv6 header
 * @opt: IPv6's control block of @skb
 * @type: the ICMPv6 type
 * @code: its code
 * @offset: where our header starts in the data; 8 bytes of it are there
 * @info: Packet Too Big's MTU, network order
 *
 * As tcp_v6_err(): believed only for a sequence number in flight (RFC
 * 5927); Packet Too Big lowers the path MTU and resends (now, or at
 * release_sock()); other errors abort a connection still opening and
 * are soft errors otherwise, hard with IPV6_RECVERR.  A request sock's
 * SYN-ACK error may drop it; TIME-WAIT ignores errors.
 *
 * Context: softirq; takes bh_lock_sock() of the socket found.
 * Return: 0, or -ENOENT when no socket matches.
 */
static int xtcp_v6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
		       u8 type, u8 code, int offset, __be32 info)
{
	return __xtcp_v6_err(skb, type, code, offset, info, 0);
}

/**
 * xtcp_v6_encap_err() - an ICMPv6 error quoting one of our segments in UDP
 * @skb: the ICMPv6 message; its data is the quoted IPv6 header
 * @type: the ICMPv6 type
 * @code: its code
 * @thoff: where our header starts in the data (after the UDP header);
 *	   the caller made sure 8 bytes of it are there
 * @info: Packet Too Big's MTU, network order
 * @encap: the UDP port the quoted datagram went to
 *
 * As xtcp_v6_err(), for udp.c's encap_err_rcv: only a connection in UDP
 * between those ports believes it.
 *
 * Context: softirq.
 */
void xtcp_v6_encap_err(struct sk_buff *skb, u8 type, u8 code,
		       unsigned int thoff, __be32 info, __be16 encap)
{
	__xtcp_v6_err(skb, type, code, thoff, info, encap);
}

static int __xtcp_v6_err(struct sk_buff *skb, u8 type, u8 code, int offset,
			 __be32 info, __be16 encap)
{
	const struct ipv6hdr *hdr = (const struct ipv6hdr *)skb->data;
	const struct xtcphdr *th = (const struct xtcphdr *)(skb->data + offset);
	struct net *net = dev_net(skb->dev);
	struct xtcp_sock *xs;
	struct sock *sk;
	bool fatal;
	u32 seq;
	int err;

	sk = __inet6_lookup_established(net, &xtcp_hashinfo, &hdr->daddr,
					th->dest, &hdr->saddr,
					ntohs(th->source), skb->dev->ifindex,
					inet6_sdif(skb));
	if (!sk) {
		__ICMP6_INC_STATS(net, __in6_dev_get(skb->dev),
				  ICMP6_MIB_INERRORS);
		return -ENOENT;
	}
	if (sk->sk_state == TCP_TIME_WAIT) {
		inet_twsk_put(inet_twsk(sk));
		return 0;
	}
	/*
	 * About a segment of the other form: not this connection's.  In
	 * UDP, the quoted datagram went from our port to the peer's.
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
	fatal = icmpv6_err_convert(type, code, &err);
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		xtcp_req_err(sk, seq, fatal);
		return 0;
	}

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk) && type != ICMPV6_PKT_TOOBIG)
		XTCP_INC_STATS(net, XTCP_MIB_LOCKDROPPEDICMPS);
	if (sk->sk_state == TCP_CLOSE)
		goto out;
	/*
	 * IPV6_MINHOPCOUNT, against the ICMPv6 message's own hop limit, as
	 * tcp_v6_err() (IPv4's checks the quoted header's TTL).
	 */
	if (unlikely(ipv6_hdr(skb)->hop_limit <
		     READ_ONCE(xtcp_inet6_sk(sk)->min_hopcount))) {
		XTCP_INC_STATS(net, XTCP_MIB_MINTTLDROP);
		goto out;
	}

	xs = xtcp_sk(sk);
	if (sk->sk_state != TCP_LISTEN &&
	    !xtcp_between(seq, xs->snd_una, xs->snd_nxt)) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOWICMPS);
		goto out;
	}

	if (type == NDISC_REDIRECT) {
		if (!sock_owned_by_user(sk)) {
			struct dst_entry *dst;

			dst = __sk_dst_check(sk, xtcp_inet6_sk(sk)->dst_cookie);
			if (dst)
				dst->ops->redirect(dst, sk, skb);
		}
		goto out;
	}
	if (type == ICMPV6_PKT_TOOBIG) {
		u32 mtu = ntohl(info);

		/* A listener sends nothing a path could refuse. */
		if (sk->sk_state == TCP_LISTEN || !ip6_sk_accept_pmtu(sk) ||
		    mtu < IPV6_MIN_MTU)
			goto out;
		WRITE_ONCE(xs->mtu_info, mtu);
		if (!sock_owned_by_user(sk))
			xtcp_v6_mtu_reduced(sk);
		else if (!test_and_set_bit(XTCP_MTU_REDUCED_DEFERRED,
					   &sk->sk_tsq_flags))
			sock_hold(sk);
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
	if (!sock_owned_by_user(sk) && xtcp_inet6_sk(sk)->recverr) {
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

/*
 * struct proto's pre_connect: cgroup connect6 BPF programs, as
 * tcp_v6_pre_connect().  Context: process context, socket locked.
 */
static int xtcp_v6_pre_connect(struct sock *sk, struct sockaddr *uaddr,
			       int addr_len)
{
	/* The program must not read past what the caller gave. */
	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	sock_owned_by_me(sk);
	return BPF_CGROUP_RUN_PROG_INET6_CONNECT(sk, uaddr);
}

/*
 * connect() to a v4-mapped address: IPv4's connect, the socket's
 * af_ops the mapped ones (IPv4 on the wire, IPv6's socket options).
 */
static int xtcp_v6_connect_mapped(struct sock *sk,
				  const struct sockaddr_in6 *usin)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	u32 exthdrlen = icsk->icsk_ext_hdr_len;
	struct sockaddr_in sin;
	int err;

	if (ipv6_only_sock(sk))
		return -ENETUNREACH;
	sin.sin_family = AF_INET;
	sin.sin_port = usin->sin6_port;
	sin.sin_addr.s_addr = usin->sin6_addr.s6_addr32[3];

	/* Paired with READ_ONCE() in xtcp_setsockopt()/xtcp_getsockopt(). */
	WRITE_ONCE(icsk->icsk_af_ops, &xtcp_ipv6_mapped);
	err = xtcp_v4_connect(sk, (struct sockaddr *)&sin, sizeof(sin));
	if (err) {
		icsk->icsk_ext_hdr_len = exthdrlen;
		xtcp_v6_set_plain(sk);
		return err;
	}
	xtcp_inet6_sk(sk)->saddr = sk->sk_v6_rcv_saddr;
	return 0;
}

/**
 * xtcp_v6_connect() - connect() for an AF_INET6 socket
 * @sk: the socket
 * @uaddr: the peer's address, a struct sockaddr_in6
 * @addr_len: its length
 *
 * As tcp_v6_connect(): :: means loopback; a link-local peer needs an
 * interface (sin6_scope_id or SO_BINDTODEVICE); a v4-mapped peer is
 * reached over IPv4 unless IPV6_V6ONLY; otherwise routed (with the
 * flow label and routing header the socket has), bound to a source
 * address and port, and the SYN sent.
 *
 * Context: process context, socket locked (__inet_stream_connect()).
 * Return: 0 once the SYN is queued, or a negative errno: -EINVAL,
 * -EAFNOSUPPORT, -ENETUNREACH (multicast; a mapped address with
 * IPV6_V6ONLY), the route's error, -EADDRNOTAVAIL, or -ENOBUFS.
 */
static int xtcp_v6_connect(struct sock *sk, struct sockaddr *uaddr,
			   int addr_len)
{
	struct sockaddr_in6 *usin = (struct sockaddr_in6 *)uaddr;
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct ipv6_pinfo *np = xtcp_inet6_sk(sk);
	struct in6_addr *saddr = NULL, *final_p, final;
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct ipv6_txoptions *opt;
	struct dst_entry *dst;
	struct flowi6 fl6;
	int addr_type;
	int err;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (usin->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;

	memset(&fl6, 0, sizeof(fl6));
	if (np->sndflow) {
		fl6.flowlabel = usin->sin6_flowinfo & IPV6_FLOWINFO_MASK;
		IP6_ECN_flow_init(fl6.flowlabel);
		if (fl6.flowlabel & IPV6_FLOWLABEL_MASK) {
			struct ip6_flowlabel *flowlabel;

			flowlabel = fl6_sock_lookup(sk, fl6.flowlabel);
			if (IS_ERR(flowlabel))
				return -EINVAL;
			fl6_sock_release(flowlabel);
		}
	}

	/* connect() to :: means loopback (BSD's, and TCP's). */
	if (ipv6_addr_any(&usin->sin6_addr)) {
		if (ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr))
			ipv6_addr_set_v4mapped(htonl(INADDR_LOOPBACK),
					       &usin->sin6_addr);
		else
			usin->sin6_addr = in6addr_loopback;
	}
	addr_type = ipv6_addr_type(&usin->sin6_addr);
	if (addr_type & IPV6_ADDR_MULTICAST)
		return -ENETUNREACH;
	if (addr_type & IPV6_ADDR_LINKLOCAL) {
		if (addr_len >= sizeof(struct sockaddr_in6) &&
		    usin->sin6_scope_id) {
			/* An interface bound before must be this one. */
			if (!sk_dev_equal_l3scope(sk, usin->sin6_scope_id))
				return -EINVAL;
			sk->sk_bound_dev_if = usin->sin6_scope_id;
		}
		/* A link-local peer is on some link: which one? */
		if (!sk->sk_bound_dev_if)
			return -EINVAL;
	}

	sk->sk_v6_daddr = usin->sin6_addr;
	np->flow_label = fl6.flowlabel;

	if (addr_type & IPV6_ADDR_MAPPED)
		return xtcp_v6_connect_mapped(sk, usin);

	if (!ipv6_addr_any(&sk->sk_v6_rcv_saddr))
		saddr = &sk->sk_v6_rcv_saddr;
	fl6.flowi6_proto = xtcp_proto_num;
	fl6.daddr = sk->sk_v6_daddr;
	fl6.saddr = saddr ? *saddr : np->saddr;
	fl6.flowlabel = ip6_make_flowinfo(np->tclass, np->flow_label);
	fl6.flowi6_oif = sk->sk_bound_dev_if;
	fl6.flowi6_mark = sk->sk_mark;
	fl6.fl6_dport = usin->sin6_port;
	fl6.fl6_sport = inet->inet_sport;
	fl6.flowi6_uid = sk->sk_uid;

	opt = rcu_dereference_protected(np->opt, lockdep_sock_is_held(sk));
	final_p = fl6_update_dst(&fl6, opt, &final);
	security_sk_classify_flow(sk, flowi6_to_flowi_common(&fl6));

	dst = ip6_dst_lookup_flow(net, sk, &fl6, final_p);
	if (IS_ERR(dst)) {
		err = PTR_ERR(dst);
		goto failure;
	}
	if (!saddr) {
		saddr = &fl6.saddr;
		err = inet_bhash2_update_saddr(sk, saddr, AF_INET6);
		if (err) {
			dst_release(dst);
			goto failure;
		}
	}
	np->saddr = *saddr;
	inet->inet_rcv_saddr = LOOPBACK4_IPV6;
	ip6_dst_store(sk, dst, NULL, NULL);

	icsk->icsk_ext_hdr_len = opt ? opt->opt_flen + opt->opt_nflen : 0;
	inet->inet_dport = usin->sin6_port;

	/* SYN-SENT before the port is chosen, as xtcp_v4_connect(). */
	xtcp_set_state(sk, TCP_SYN_SENT);
	err = inet6_hash_connect(&xtcp_pernet(net)->death_row, sk);
	if (err)
		goto late_failure;
	/*
	 * In UDP if the socket asks for it, from a UDP socket of its own
	 * (udp.c); before the MSS is chosen, which depends on it.
	 */
	if (xtcp_sk(sk)->encap_port) {
		err = xtcp_encap_sock_open(sk);
		if (err)
			goto late_failure;
		WRITE_ONCE(icsk->icsk_af_ops, &xtcp_ipv6_udp_af_ops);
	}
	sk_set_txhash(sk);
	xtcp_sk(sk)->iss = xtcp_isn6(&np->saddr, &sk->sk_v6_daddr,
				     inet->inet_sport, inet->inet_dport);
	xtcp_sk(sk)->ts_offset = xtcp_ts_off6(net, &np->saddr,
					      &sk->sk_v6_daddr);
	err = xtcp_connect(sk);
	if (err)
		goto late_failure;
	XTCP_INC_STATS(net, XTCP_MIB_ACTIVEOPENS);
	return 0;

late_failure:
	/* Unhashes the socket and releases the port, if it took one. */
	xtcp_set_state(sk, TCP_CLOSE);
	inet_bhash2_reset_saddr(sk);
	xtcp_encap_sock_release(sk);
	xtcp_v6_set_plain(sk);
failure:
	inet->inet_dport = 0;
	sk->sk_route_caps = 0;
	return err;
}

/*
 * The checksum of a segment going out through @dst (NULL: none yet),
 * over IPv6's pseudo-header, whose header is at skb->data; left to the
 * device only if it checksums any protocol, as __xtcp_v4_send_check().
 */
static void __xtcp_v6_send_check(struct sk_buff *skb,
				 const struct dst_entry *dst,
				 const struct in6_addr *saddr,
				 const struct in6_addr *daddr)
{
	struct xtcphdr *th = xtcp_hdr(skb);

	if (!skb_is_gso(skb) &&
	    !(dst && (dst->dev->features & NETIF_F_HW_CSUM))) {
		th->check = 0;
		th->check = csum_ipv6_magic(saddr, daddr, skb->len,
					    xtcp_proto_num,
					    skb_checksum(skb, 0, skb->len, 0));
		skb->ip_summed = CHECKSUM_NONE;
		return;
	}
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct xtcphdr, check);
	th->check = ~csum_ipv6_magic(saddr, daddr, skb->len, xtcp_proto_num,
				     0);
}

/* af_ops' send_check for IPv6.  Context: socket locked. */
static void xtcp_v6_send_check(struct sock *sk, struct sk_buff *skb)
{
	__xtcp_v6_send_check(skb, __sk_dst_get(sk), &sk->sk_v6_rcv_saddr,
			     &sk->sk_v6_daddr);
}

/*
 * af_ops' send_check of an IPv6 socket in UDP: the pseudo-header with
 * zero addresses, as xtcp_v4_udp_send_check().  Context: socket locked.
 */
static void xtcp_v6_udp_send_check(struct sock *sk, struct sk_buff *skb)
{
	__xtcp_v6_send_check(skb, __sk_dst_get(sk), &in6addr_any,
			     &in6addr_any);
}

/*
 * af_ops' queue_xmit of an IPv6 socket in UDP, as inet6_csk_xmit(): the
 * socket's route (made again if it went stale), then the segment in UDP
 * from the connection's port to the peer's, with the socket's flow
 * label, traffic class and extension headers.  Context: socket locked.
 */
static int xtcp_v6_udp_queue_xmit(struct sock *sk, struct sk_buff *skb,
				  struct flowi *fl_unused)
{
	struct ipv6_pinfo *np = xtcp_inet6_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct in6_addr *final_p, final;
	struct ipv6_txoptions *opt;
	struct dst_entry *dst;
	struct flowi6 fl6;
	int err;

	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_proto = sk->sk_protocol;
	fl6.daddr = sk->sk_v6_daddr;
	fl6.saddr = np->saddr;
	fl6.flowlabel = np->flow_label;
	IP6_ECN_flow_xmit(sk, fl6.flowlabel);
	fl6.flowi6_oif = sk->sk_bound_dev_if;
	fl6.flowi6_mark = sk->sk_mark;
	fl6.fl6_sport = inet->inet_sport;
	fl6.fl6_dport = inet->inet_dport;
	fl6.flowi6_uid = sk->sk_uid;
	security_sk_classify_flow(sk, flowi6_to_flowi_common(&fl6));

	rcu_read_lock();
	opt = rcu_dereference(np->opt);
	final_p = fl6_update_dst(&fl6, opt, &final);
	dst = __sk_dst_check(sk, np->dst_cookie);
	if (!dst) {
		dst = ip6_dst_lookup_flow(sock_net(sk), sk, &fl6, final_p);
		if (IS_ERR(dst)) {
			rcu_read_unlock();
			WRITE_ONCE(sk->sk_err_soft, -PTR_ERR(dst));
			sk->sk_route_caps = 0;
			kfree_skb(skb);
			return PTR_ERR(dst);
		}
		ip6_dst_store(sk, dst, NULL, NULL);
	}
	skb_dst_set_noref(skb, dst);
	/* The final destination, after a routing header's first hop. */
	fl6.daddr = sk->sk_v6_daddr;
	err = xtcp_v6_udp_xmit(sk, skb, &fl6, xs->encap_sport, xs->encap_port,
			       opt, np->tclass, READ_ONCE(sk->sk_priority));
	rcu_read_unlock();
	return err;
}

/*
 * A segment sent on nobody's behalf (RST, TIME-WAIT's or a request's
 * ACK) through the netns' IPv6 control socket, back to the sender of
 * @rxskb, with the flow hash @txhash (0: none), traffic class @tclass
 * and flow label @label of the connection it answers for.  Softirq or
 * process context.
 */
static void xtcp_v6_send_ctl(struct net *net, struct sk_buff *rxskb, u32 seq,
			     u32 ack, u8 flags, u16 window, u32 txhash,
			     u8 tclass, __be32 label, const struct xtcp_ts *ts)
{
	const struct xtcphdr *rth = xtcp_hdr(rxskb);
	const struct ipv6hdr *rxip6h = ipv6_hdr(rxskb);
	__be16 encap = XTCP_SKB_CB(rxskb)->encap;
	struct sock *ctl_sk = xtcp_pernet(net)->ctl_sk6;
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct flowi6 fl6;
	int err;

	if (!ctl_sk)
		return;
	skb = alloc_skb(MAX_XTCP_HEADER, GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, MAX_XTCP_HEADER);
	xtcp_push_ctl_header(skb, rth, seq, ack, flags, window, ts);

	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = rxip6h->saddr;
	fl6.saddr = rxip6h->daddr;
	fl6.flowlabel = label;
	fl6.flowi6_proto = xtcp_proto_num;
	/* A link-local or loopback peer: back out of where it came in. */
	if (rt6_need_strict(&fl6.daddr))
		fl6.flowi6_oif = inet6_iif(rxskb);
	fl6.fl6_dport = rth->source;
	fl6.fl6_sport = rth->dest;
	fl6.flowi6_uid = sock_net_uid(net, NULL);
	/* In the form the segment came in: UDP, between its ports. */
	if (encap)
		__xtcp_v6_send_check(skb, NULL, &in6addr_any, &in6addr_any);
	else
		__xtcp_v6_send_check(skb, NULL, &fl6.saddr, &fl6.daddr);
	if (txhash)
		skb_set_hash(skb, txhash, PKT_HASH_TYPE_L4);

	dst = ip6_dst_lookup_flow(net, ctl_sk, &fl6, NULL);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return;
	}
	skb_dst_set(skb, dst);
	if (encap)
		err = xtcp_v6_udp_xmit(ctl_sk, skb, &fl6,
				       xtcp_skb_encap_dport(rxskb), encap, NULL,
				       tclass & ~INET_ECN_MASK, 0);
	else
		err = ip6_xmit(ctl_sk, skb, &fl6, fl6.flowi6_mark, NULL,
			       tclass & ~INET_ECN_MASK, 0);
	if (!net_xmit_eval(err)) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
		if (flags & XTCP_FLAG_RST)
			XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
	}
}

/**
 * xtcp_v6_send_reset() - answer an IPv6 segment that belongs to no connection
 * @sk: the socket it reached, or NULL
 * @skb: the segment, its control block filled in
 *
 * As xtcp_v4_send_reset(): RFC 9293 section 3.10.7.1's RST, never for a
 * RST, never to a destination not ours, rate-limited for no socket.
 *
 * Context: softirq or process context (the backlog).  Also
 * xtcp6_request_sock_ops' send_reset.
 */
void xtcp_v6_send_reset(const struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 tclass = ipv6_get_dsfield(ip6h);
	__be32 label = 0;
	struct net *net;

	if (cb->flags & XTCP_FLAG_RST)
		return;
	if (!skb_dst(skb) || !ipv6_unicast_destination(skb))
		return;
	net = sk ? sock_net(sk) : dev_net(skb_dst(skb)->dev);
	if (!xtcp_reset_allowed(net, sk))
		return;

	/*
	 * As tcp_v6_send_reset(): the segment's traffic class back (less
	 * ECN), and its flow label if the socket reflects (repflow), or,
	 * for no socket, if net.ipv6.flowlabel_reflect says so.
	 */
	if (sk && sk_fullsock(sk)) {
		if (xtcp_inet6_sk(sk)->repflow)
			label = ip6_flowlabel(ip6h);
	} else if (!sk) {
		if (READ_ONCE(net->ipv6.sysctl.flowlabel_reflect) &
		    FLOWLABEL_REFLECT_TCP_RESET)
			label = ip6_flowlabel(ip6h);
	}
	if (cb->flags & XTCP_FLAG_ACK) {
		trace_xtcp_send_reset(sk, skb, cb->ack_seq, 0);
		xtcp_v6_send_ctl(net, skb, cb->ack_seq, 0, XTCP_FLAG_RST, 0, 0,
				 tclass, label, NULL);
	} else {
		trace_xtcp_send_reset(sk, skb, 0, cb->end_seq);
		xtcp_v6_send_ctl(net, skb, 0, cb->end_seq,
				 XTCP_FLAG_RST | XTCP_FLAG_ACK, 0, 0, tclass,
				 label, NULL);
	}
}

/* TIME-WAIT's ACK, as xtcp_tw_send_ack().  Context: softirq. */
static void xtcp_v6_tw_send_ack(struct inet_timewait_sock *tw,
				struct sk_buff *skb)
{
	const struct xtcp_timewait_sock *xtw = xtcp_twsk((struct sock *)tw);
	struct xtcp_ts ts;

	xtcp_v6_send_ctl(twsk_net(tw), skb, xtw->xtw_snd_nxt,
			 xtw->xtw_rcv_nxt, XTCP_FLAG_ACK, xtw->xtw_rcv_wnd,
			 tw->tw_txhash, tw->tw_tclass,
			 cpu_to_be32(tw->tw_flowlabel),
			 xtcp_tw_ts(tw, &ts) ? &ts : NULL);
}

/*
 * A request sock's ACK for an unacceptable segment, as
 * xtcp_v4_reqsk_send_ack().  Context: softirq, listener not locked.
 */
static void xtcp_v6_reqsk_send_ack(const struct sock *sk, struct sk_buff *skb,
				   struct request_sock *req)
{
	struct xtcp_request_sock *xreq = xtcp_rsk(req);
	const struct inet_request_sock *ireq = inet_rsk(req);
	struct xtcp_ts ts;

	xtcp_v6_send_ctl(sock_net(sk), skb, xreq->snt_isn + 1,
			 xreq->rcv_isn + 1, XTCP_FLAG_ACK,
			 xreq->rcv_wnd >> (ireq->wscale_ok ? ireq->rcv_wscale : 0),
			 READ_ONCE(xreq->txhash),
			 ipv6_get_dsfield(ipv6_hdr(skb)), 0,
			 xtcp_reqsk_ts(req, &ts) ? &ts : NULL);
}

/**
 * xtcp_v6_send_synack() - send (or resend) an IPv6 request's SYN-ACK
 * @sk: the listener
 * @req: the request sock
 *
 * Routed for the request (inet6_csk_route_req()), built by
 * xtcp_make_synack() and sent with the listener's traffic class and
 * IPv6 options.
 *
 * Context: softirq, listener not locked.
 * Return: 0 once sent, -EHOSTUNREACH, -ENOMEM or ip6_xmit()'s error.
 */
static int xtcp_v6_send_synack(const struct sock *sk, struct request_sock *req)
{
	const struct inet_request_sock *ireq = inet_rsk(req);
	const struct xtcp_request_sock *xreq = xtcp_rsk(req);
	const struct ipv6_pinfo *np = xtcp_inet6_sk(sk);
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct flowi6 fl6;
	int err;

	dst = inet6_csk_route_req(sk, &fl6, req, xtcp_proto_num);
	if (!dst)
		return -EHOSTUNREACH;
	/* UDP's header too if the SYN came in UDP (udp.c). */
	skb = xtcp_make_synack(sk, req, dst_mtu(dst), sizeof(struct ipv6hdr) +
			       (xreq->encap_port ? sizeof(struct udphdr) : 0));
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	if (xreq->encap_port)
		__xtcp_v6_send_check(skb, dst, &in6addr_any, &in6addr_any);
	else
		__xtcp_v6_send_check(skb, dst, &ireq->ir_v6_loc_addr,
				     &ireq->ir_v6_rmt_addr);
	skb_dst_set(skb, dst);
	/* The SYN's flow label back, if the listener reflects (repflow). */
	if (np->repflow && ireq->pktopts)
		fl6.flowlabel = ip6_flowlabel(ipv6_hdr(ireq->pktopts));
	rcu_read_lock();
	if (xreq->encap_port)
		err = xtcp_v6_udp_xmit(sk, skb, &fl6, xreq->encap_sport,
				       xreq->encap_port,
				       rcu_dereference(np->opt), np->tclass,
				       READ_ONCE(sk->sk_priority));
	else
		err = ip6_xmit(sk, skb, &fl6, READ_ONCE(sk->sk_mark),
			       rcu_dereference(np->opt), np->tclass,
			       READ_ONCE(sk->sk_priority));
	rcu_read_unlock();
	err = net_xmit_eval(err);
	if (!err)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTSEGS);
	return err;
}

/*
 * An IPv4 handshake completed at an IPv6 listener: its child, made by
 * ipv4.c, becomes a v4-mapped IPv6 socket (as tcp_v6_mapped_child_init()):
 * its own IPv6 state, a copy of the listener's without what the
 * listener alone owns, and the mapped af_ops unless it is in UDP.
 */
static void xtcp_v6_mapped_child_init(struct sock *newsk, const struct sock *sk)
{
	struct inet_sock *newinet = inet_sk(newsk);
	struct ipv6_pinfo *newnp = xtcp_inet6_sk(newsk);

	newinet->pinet6 = newnp;
	memcpy(newnp, xtcp_inet6_sk(sk), sizeof(struct ipv6_pinfo));
	newnp->saddr = newsk->sk_v6_rcv_saddr;
	inet_csk(newsk)->icsk_af_ops = xtcp_sk(newsk)->encap_port ?
				       &xtcp_ipv6_mapped_udp : &xtcp_ipv6_mapped;
	newnp->ipv6_mc_list = NULL;
	newnp->ipv6_ac_list = NULL;
	newnp->ipv6_fl_list = NULL;
	newnp->pktoptions = NULL;
	newnp->opt = NULL;
	newnp->mcast_oif = newinet->mc_index;
	newnp->mcast_hops = newinet->mc_ttl;
	newnp->rcv_flowinfo = 0;
}

/*
 * af_ops' syn_recv_sock for IPv6: the child of a completed handshake,
 * returned locked (bh), as xtcp_v4_syn_recv_sock(); an IPv4 one (a
 * dual-stack listener's) is made by ipv4.c and mapped.
 */
static struct sock *
xtcp_v6_syn_recv_sock(const struct sock *sk, struct sk_buff *skb,
		      struct request_sock *req, struct dst_entry *dst,
		      struct request_sock *req_unhash, bool *own_req,
		      void (*opt_child_init)(struct sock *newsk,
					     const struct sock *sk))
{
	const struct ipv6_pinfo *np = xtcp_inet6_sk(sk);
	struct inet_request_sock *ireq = inet_rsk(req);
	struct ipv6_txoptions *opt;
	struct ipv6_pinfo *newnp;
	struct inet_sock *newinet;
	struct sock *newsk;
	struct flowi6 fl6;

	if (skb->protocol == htons(ETH_P_IP))
		return xtcp_v4_syn_recv_sock(sk, skb, req, dst, req_unhash,
					     own_req,
					     xtcp_v6_mapped_child_init);
	if (sk_acceptq_is_full(sk))
		goto exit_overflow;
	if (!dst) {
		dst = inet6_csk_route_req(sk, &fl6, req, xtcp_proto_num);
		if (!dst)
			goto exit;
	}
	newsk = xtcp_create_openreq_child(sk, req);
	if (!newsk)
		goto exit_nonewsk;

	/*
	 * Its own IPv6 state at once: until then the clone's pointer is the
	 * listener's, which the child's destructor would free.
	 */
	newinet = inet_sk(newsk);
	newnp = xtcp_inet6_sk(newsk);
	newinet->pinet6 = newnp;
	memcpy(newnp, np, sizeof(struct ipv6_pinfo));
	newnp->ipv6_mc_list = NULL;
	newnp->ipv6_ac_list = NULL;
	newnp->ipv6_fl_list = NULL;
	newnp->pktoptions = NULL;
	newnp->opt = NULL;
	RCU_INIT_POINTER(newinet->inet_opt, NULL);

	newsk->sk_v6_daddr = ireq->ir_v6_rmt_addr;
	newnp->saddr = ireq->ir_v6_loc_addr;
	newsk->sk_v6_rcv_saddr = ireq->ir_v6_loc_addr;
	newsk->sk_bound_dev_if = ireq->ir_iif;
	newinet->inet_daddr = LOOPBACK4_IPV6;
	newinet->inet_saddr = LOOPBACK4_IPV6;
	newinet->inet_rcv_saddr = LOOPBACK4_IPV6;
	newnp->mcast_oif = inet6_iif(skb);
	newnp->mcast_hops = ipv6_hdr(skb)->hop_limit;
	newnp->rcv_flowinfo = ip6_flowinfo(ipv6_hdr(skb));
	if (np->repflow)
		newnp->flow_label = ip6_flowlabel(ipv6_hdr(skb));

	/* The listener's IPv6 options (IPV6_*HDR), the child's own copy. */
	opt = rcu_dereference(np->opt);
	if (opt) {
		opt = ipv6_dup_options(newsk, opt);
		RCU_INIT_POINTER(newnp->opt, opt);
	}
	inet_csk(newsk)->icsk_ext_hdr_len = opt ? opt->opt_nflen +
						  opt->opt_flen : 0;
	/*
	 * The form the handshake came in (udp.c), from the port it came to;
	 * no UDP socket of its own.
	 */
	xtcp_sk(newsk)->encap_port = xtcp_rsk(req)->encap_port;
	xtcp_sk(newsk)->encap_sport = xtcp_rsk(req)->encap_sport;
	xtcp_sk(newsk)->encap_sock = NULL;
	inet_csk(newsk)->icsk_af_ops = xtcp_sk(newsk)->encap_port ?
				       &xtcp_ipv6_udp_af_ops :
				       &xtcp_ipv6_af_ops;
	ip6_dst_store(newsk, dst, NULL, NULL);
	xtcp_init_mss(newsk);
	xtcp_init_transfer(newsk);
	newsk = xtcp_child_hash(sk, newsk, req_unhash, own_req);
	/*
	 * The SYN's IPv6 side becomes the child's IPV6_PKTOPTIONS, once the
	 * child owns the request.
	 */
	if (newsk && *own_req && ireq->pktopts) {
		newnp->pktoptions = skb_clone_and_charge_r(ireq->pktopts, newsk);
		consume_skb(ireq->pktopts);
		ireq->pktopts = NULL;
	}
	return newsk;

exit_overflow:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
exit_nonewsk:
	dst_release(dst);
exit:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
	return NULL;
}

/*
 * An IPv6 request's addresses, the SYN's (or the cookie's ACK's)
 * reversed; a link-local peer's interface, so that answers go back
 * where it is (tcp_v6_init_req()).
 */
static void xtcp_v6_init_req(struct request_sock *req, struct sk_buff *skb)
{
	struct inet_request_sock *ireq = inet_rsk(req);
	const struct sock *listener = req->rsk_listener;
	const struct ipv6_pinfo *np;

	ireq->ir_v6_rmt_addr = ipv6_hdr(skb)->saddr;
	ireq->ir_v6_loc_addr = ipv6_hdr(skb)->daddr;
	if ((!listener || !listener->sk_bound_dev_if) &&
	    ipv6_addr_type(&ireq->ir_v6_rmt_addr) & IPV6_ADDR_LINKLOCAL)
		ireq->ir_iif = inet6_iif(skb);
	xtcp_rsk(req)->encap_port = XTCP_SKB_CB(skb)->encap;
	xtcp_rsk(req)->encap_sport = XTCP_SKB_CB(skb)->encap ?
				     xtcp_skb_encap_dport(skb) : 0;
	xtcp_rsk(req)->txhash = net_tx_rndhash();

	/*
	 * The SYN itself, kept if the listener wants its IPv6 side: for the
	 * child's IPV6_PKTOPTIONS and a reflected flow label (repflow), as
	 * tcp_v6_init_req().  Request socks are not zeroed: always set.
	 */
	ireq->pktopts = NULL;
	if (!listener)
		return;
	np = xtcp_inet6_sk(listener);
	if (ipv6_opt_accepted(listener, skb, &XTCP_SKB_CB(skb)->header.h6) ||
	    np->rxopt.bits.rxinfo || np->rxopt.bits.rxoinfo ||
	    np->rxopt.bits.rxhlim || np->rxopt.bits.rxohlim || np->repflow)
		ireq->pktopts = skb_get(skb);
}

/* An IPv6 request's destructor: the SYN it kept (tcp_v6_reqsk_destructor()). */
static void xtcp_v6_reqsk_destructor(struct request_sock *req)
{
	consume_skb(inet_rsk(req)->pktopts);
}

/* Our ISN for the connection an IPv6 SYN asks for (RFC 6528). */
static u32 xtcp_v6_init_seq(const struct sk_buff *skb)
{
	const struct xtcphdr *th = xtcp_hdr(skb);
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	return xtcp_isn6(&ip6h->daddr, &ip6h->saddr, th->dest, th->source);
}

/* The offset of our TSvals for the connection an IPv6 SYN asks for. */
static u32 xtcp_v6_init_ts_off(const struct net *net,
			       const struct sk_buff *skb)
{
	return xtcp_ts_off6(net, &ipv6_hdr(skb)->daddr, &ipv6_hdr(skb)->saddr);
}

/* A SYN cookie's hash of an IPv6 SYN's, or its ACK's, 4-tuple. */
static u32 xtcp_v6_cookie_hash(const struct sk_buff *skb, u32 count,
			       int which)
{
	const struct xtcphdr *th = xtcp_hdr(skb);
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	return xtcp_cookie_hash6(&ip6h->saddr, &ip6h->daddr, th->source,
				 th->dest, count, which);
}

static const struct xtcp_request_sock_af_ops xtcp_request_sock_ipv6_ops = {
	.init_req	= xtcp_v6_init_req,
	.init_seq	= xtcp_v6_init_seq,
	.cookie_hash	= xtcp_v6_cookie_hash,
	.send_synack	= xtcp_v6_send_synack,
	.init_ts_off	= xtcp_v6_init_ts_off,
};

/*
 * af_ops' conn_request for an IPv6 listener, as tcp_v6_conn_request():
 * an IPv4 SYN (dual stack) is IPv4's; never a SYN to a multicast or
 * anycast address, or from a v4-mapped one.
 *
 * Context: softirq (BHs off), listener not locked.
 */
static int xtcp_v6_conn_request(struct sock *sk, struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return xtcp_v4_conn_request(sk, skb);
	if (!ipv6_unicast_destination(skb) ||
	    ipv6_addr_v4mapped(&ipv6_hdr(skb)->saddr)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
		return 0;
	}
	return xtcp_conn_request(&xtcp6_request_sock_ops,
				 &xtcp_request_sock_ipv6_ops, sk, skb);
}

/**
 * xtcp_cookie_v6_check() - an IPv6 ACK reached a listener with no request
 * @sk: the listener
 * @skb: the ACK; not consumed
 *
 * xtcp_cookie_ack() with IPv6's request operations.
 *
 * Context: softirq (BHs off), listener not locked.
 * Return: the child, locked (bh), on the accept queue; NULL otherwise.
 */
struct sock *xtcp_cookie_v6_check(struct sock *sk, struct sk_buff *skb)
{
	return xtcp_cookie_ack(&xtcp6_request_sock_ops,
			       &xtcp_request_sock_ipv6_ops, sk, skb);
}

/* The listener a SYN that found TIME-WAIT may go to (xtcp_tw_segment()). */
static struct sock *xtcp_v6_tw_listener(struct sk_buff *skb)
{
	const struct xtcphdr *th = xtcp_hdr(skb);

	return inet6_lookup_listener(dev_net(skb->dev), &xtcp_hashinfo, skb,
				     th->doff * 4, &ipv6_hdr(skb)->saddr,
				     th->source, &ipv6_hdr(skb)->daddr,
				     ntohs(th->dest), inet6_iif(skb),
				     inet6_sdif(skb));
}

static int __xtcp_v6_rcv(struct sk_buff *skb, __be16 encap);

/**
 * xtcp_v6_rcv() - IPv6's handler for every packet whose next header is ours
 * @skb: the packet, its transport header at skb->data; consumed
 *
 * As xtcp_v4_rcv(): the header and checksum checked, the socket looked
 * up (IPv6's tables are the same hash, by IPv6 address), the segment
 * handed to a request sock, a timewait sock, a listener, or a full
 * socket under its bh lock or on its backlog; for no socket, a RST.
 *
 * Context: softirq.
 * Return: always 0.
 */
static int xtcp_v6_rcv(struct sk_buff *skb)
{
	return __xtcp_v6_rcv(skb, 0);
}

/**
 * xtcp_v6_encap_rcv() - an IPv6 segment that came in UDP
 * @skb: the segment, the UDP header taken off (skb->data at ours)
 * @sport: the UDP source port it came from
 *
 * As xtcp_v6_rcv(), for udp.c's encap_rcv.
 *
 * Context: softirq.
 */
void xtcp_v6_encap_rcv(struct sk_buff *skb, __be16 sport)
{
	__xtcp_v6_rcv(skb, sport);
}

/* xtcp_v6_rcv(), for a segment that came plain (@encap 0) or in UDP. */
static int __xtcp_v6_rcv(struct sk_buff *skb, __be16 encap)
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
					  ip6_compute_pseudo))
		goto csum_error;

	th = (const struct xtcphdr *)skb->data;
	xtcp_fill_cb(skb, th);
	XTCP_SKB_CB(skb)->encap = encap;
	/* In UDP, the outer header's: the one the path may have marked. */
	XTCP_SKB_CB(skb)->ip_dsfield = ipv6_get_dsfield(ipv6_hdr(skb));

lookup:
	sk = __inet6_lookup_skb(&xtcp_hashinfo, skb, th->doff * 4, th->source,
				th->dest, inet6_iif(skb), inet6_sdif(skb),
				&refcounted);
	if (!sk)
		goto no_socket;

	if (unlikely(!xtcp_encap_matches(sk, skb))) {
		/* Plain for a connection in UDP, or the reverse. */
		XTCP_INC_STATS(net, XTCP_MIB_ENCAPMISMATCH);
		if (sk->sk_state == TCP_TIME_WAIT)
			inet_twsk_put(inet_twsk(sk));
		else if (sk->sk_state == TCP_NEW_SYN_RECV)
			reqsk_put(inet_reqsk(sk));
		else if (refcounted)
			sock_put(sk);
		goto discard;
	}
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		if (!xtcp_rcv_for_req(sk, skb))
			goto lookup;
		return 0;
	}
	if (sk->sk_state == TCP_TIME_WAIT) {
		sk = xtcp_tw_segment(inet_twsk(sk), skb, xtcp_v6_tw_listener,
				     xtcp_v6_tw_send_ack);
		if (!sk)
			return 0;
		refcounted = false;
	}
	/* IPV6_MINHOPCOUNT, as IP_MINTTL in xtcp_v4_rcv() (tcp_v6_rcv()). */
	if (unlikely(ipv6_hdr(skb)->hop_limit <
		     READ_ONCE(xtcp_inet6_sk(sk)->min_hopcount))) {
		XTCP_INC_STATS(net, XTCP_MIB_MINTTLDROP);
		if (refcounted)
			sock_put(sk);
		goto discard;
	}
	xtcp_rcv_sock(sk, skb, refcounted);
	return 0;

no_socket:
	XTCP_INC_STATS(net, XTCP_MIB_NOSOCKET);
	xtcp_v6_send_reset(NULL, skb);
	goto discard;

csum_error:
	XTCP_INC_STATS(net, XTCP_MIB_CSUMERRORS);
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
discard:
	kfree_skb(skb);
	return 0;
}

/*
 * A request sock's operations for IPv6, as tcp6_request_sock_ops; a
 * dual-stack listener's IPv4 requests have IPv4's.
 */
static struct request_sock_ops xtcp6_request_sock_ops = {
	.family		= AF_INET6,
	.obj_size	= sizeof(struct xtcp_request_sock),
	.rtx_syn_ack	= xtcp_rtx_synack,
	.send_ack	= xtcp_v6_reqsk_send_ack,
	.send_reset	= xtcp_v6_send_reset,
	.destructor	= xtcp_v6_reqsk_destructor,
	.syn_ack_timeout = xtcp_syn_ack_timeout,
};

/**
 * xtcp_v6_opt_clone() - a copy of a segment for IPV6_PKTOPTIONS, if wanted
 * @sk: a full socket, locked, about to process @skb
 * @skb: a segment for it
 *
 * Only for IPv6 segments (a v4-mapped socket's are IPv4's) and a socket
 * that asked for some of their IPv6 side (np->rxopt), not listening or
 * closed, as tcp_v6_do_rcv().  Charged to the socket's receive memory.
 *
 * Context: softirq or the backlog, socket owned.
 * Return: the copy, for xtcp_v6_opt_save(); NULL if none is wanted.
 */
struct sk_buff *xtcp_v6_opt_clone(struct sock *sk, struct sk_buff *skb)
{
	if (skb->protocol != htons(ETH_P_IPV6) ||
	    !xtcp_inet6_sk(sk)->rxopt.all ||
	    ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE)))
		return NULL;
	return skb_clone_and_charge_r(skb, sk);
}

/**
 * xtcp_v6_opt_save() - keep a processed segment's IPv6 side
 * @sk: the socket, locked
 * @opt_skb: xtcp_v6_opt_clone()'s copy; consumed
 *
 * Stevens' IPV6_PKTOPTIONS, as tcp_v6_do_rcv(): if the segment was the
 * last in order (its end is RCV.NXT), what the socket asked to hear of
 * it (interface, hop limit, flow info, a reflected flow label) is noted,
 * and the copy replaces the one getsockopt(IPV6_2292PKTOPTIONS) reads
 * if it carries options the socket accepts.
 *
 * Context: softirq or the backlog, socket owned.
 */
void xtcp_v6_opt_save(struct sock *sk, struct sk_buff *opt_skb)
{
	struct ipv6_pinfo *np = xtcp_inet6_sk(sk);
	const struct ipv6hdr *ip6h = ipv6_hdr(opt_skb);

	if (XTCP_SKB_CB(opt_skb)->end_seq == xtcp_sk(sk)->rcv_nxt &&
	    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))) {
		if (np->rxopt.bits.rxinfo || np->rxopt.bits.rxoinfo)
			np->mcast_oif = inet6_iif(opt_skb);
		if (np->rxopt.bits.rxhlim || np->rxopt.bits.rxohlim)
			np->mcast_hops = ip6h->hop_limit;
		if (np->rxopt.bits.rxflow || np->rxopt.bits.rxtclass)
			np->rcv_flowinfo = ip6_flowinfo(ip6h);
		if (np->repflow)
			np->flow_label = ip6_flowlabel(ip6h);
		if (ipv6_opt_accepted(sk, opt_skb,
				      &XTCP_SKB_CB(opt_skb)->header.h6)) {
			opt_skb = xchg(&np->pktoptions, opt_skb);
		} else {
			__kfree_skb(opt_skb);
			opt_skb = xchg(&np->pktoptions, NULL);
		}
	}
	consume_skb(opt_skb);
}

/*
 * setsockopt(IPV6_ADDRFORM, AF_INET): a v4-mapped connection becomes an
 * AF_INET socket, as do_ipv6_setsockopt() does for TCP (IPv6's code does
 * it for TCP and UDP only, and answers ENOPROTOOPT for other protocols).
 * The errors are its own, in its order.  Its multicast and anycast lists
 * need no closing: IPv6's code refuses both to a connection socket
 * (is_icsk), so they are empty; nor its RTNL, which it takes for them.
 */
static int xtcp_v6_addrform(struct sock *sk, sockptr_t optval,
			    unsigned int optlen)
{
	int val, err;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val != PF_INET)
		return -EINVAL;

	lock_sock(sk);
	err = -EBUSY;
	if (sk->sk_prot != &xtcpv6_prot)
		goto out;
	err = -ENOTCONN;
	if (sk->sk_state != TCP_ESTABLISHED)
		goto out;
	err = -EADDRNOTAVAIL;
	if (ipv6_only_sock(sk) || !ipv6_addr_v4mapped(&sk->sk_v6_daddr))
		goto out;
	/* Plain or in UDP, IPv4 on the wire (xtcp_v4_adopt() keeps which). */
	if (inet_csk(sk)->icsk_af_ops != &xtcp_ipv6_mapped &&
	    inet_csk(sk)->icsk_af_ops != &xtcp_ipv6_mapped_udp)
		goto out;

	xtcp_v4_adopt(sk);
	/* Nothing more to keep for IPv6: its options, its saved packets. */
	xtcp_inet6_sk(sk)->rxopt.all = 0;
	inet6_cleanup_sock(sk);
	err = 0;
out:
	release_sock(sk);
	return err;
}

/* IPv6's socket options, as ipv6_setsockopt(), and IPV6_ADDRFORM. */
static int xtcp_v6_setsockopt(struct sock *sk, int level, int optname,
			      sockptr_t optval, unsigned int optlen)
{
	if (level == SOL_IPV6 && optname == IPV6_ADDRFORM)
		return xtcp_v6_addrform(sk, optval, optlen);
	return ipv6_setsockopt(sk, level, optname, optval, optlen);
}

/*
 * IPv6's socket options, as ipv6_getsockopt(); IPV6_ADDRFORM reads the
 * family of a connection, as do_ipv6_getsockopt() does for TCP.
 */
static int xtcp_v6_getsockopt(struct sock *sk, int level, int optname,
			      char __user *optval, int __user *optlen)
{
	int len, val;

	if (level != SOL_IPV6 || optname != IPV6_ADDRFORM)
		return ipv6_getsockopt(sk, level, optname, optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		return -ENOTCONN;
	val = sk->sk_family;
	if (len < 0)
		return -EINVAL;
	len = min_t(unsigned int, sizeof(int), len);
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/*
 * What the family-neutral files call for an IPv6 socket, as TCP's
 * ipv6_specific; the callers are those listed above xtcp_ipv4_af_ops
 * (ipv4.c).
 */
static const struct inet_connection_sock_af_ops xtcp_ipv6_af_ops = {
	.queue_xmit	= inet6_csk_xmit,
	.send_check	= xtcp_v6_send_check,
	.rebuild_header	= inet6_sk_rebuild_header,
	.conn_request	= xtcp_v6_conn_request,
	.syn_recv_sock	= xtcp_v6_syn_recv_sock,
	.net_header_len	= sizeof(struct ipv6hdr),
	.setsockopt	= xtcp_v6_setsockopt,
	.getsockopt	= xtcp_v6_getsockopt,
	.addr2sockaddr	= inet6_csk_addr2sockaddr,
	.sockaddr_len	= sizeof(struct sockaddr_in6),
	.mtu_reduced	= xtcp_v6_mtu_reduced,
};

/*
 * The same, for a socket whose segments go in UDP (udp.c): set at
 * connect() when the socket asks for it, and on the child of a SYN that
 * came so.  UDP's header is part of the network header for the MSS.
 */
static const struct inet_connection_sock_af_ops xtcp_ipv6_udp_af_ops = {
	.queue_xmit	= xtcp_v6_udp_queue_xmit,
	.send_check	= xtcp_v6_udp_send_check,
	.rebuild_header	= inet6_sk_rebuild_header,
	.conn_request	= xtcp_v6_conn_request,
	.syn_recv_sock	= xtcp_v6_syn_recv_sock,
	.net_header_len	= sizeof(struct ipv6hdr) + sizeof(struct udphdr),
	.setsockopt	= xtcp_v6_setsockopt,
	.getsockopt	= xtcp_v6_getsockopt,
	.addr2sockaddr	= inet6_csk_addr2sockaddr,
	.sockaddr_len	= sizeof(struct sockaddr_in6),
	.mtu_reduced	= xtcp_v6_mtu_reduced,
};

/*
 * An AF_INET6 socket connected to, or accepted from, an IPv4 peer
 * (v4-mapped): IPv4 on the wire, IPv6's socket options, as TCP's
 * ipv6_mapped.
 */
const struct inet_connection_sock_af_ops xtcp_ipv6_mapped = {
	.queue_xmit	= ip_queue_xmit,
	.send_check	= xtcp_v4_send_check,
	.rebuild_header	= inet_sk_rebuild_header,
	.conn_request	= xtcp_v6_conn_request,
	.syn_recv_sock	= xtcp_v6_syn_recv_sock,
	.net_header_len	= sizeof(struct iphdr),
	.setsockopt	= xtcp_v6_setsockopt,
	.getsockopt	= xtcp_v6_getsockopt,
	.addr2sockaddr	= inet6_csk_addr2sockaddr,
	.sockaddr_len	= sizeof(struct sockaddr_in6),
	.mtu_reduced	= xtcp_v4_mtu_reduced,
};

/* The same in UDP over IPv4 (udp.c), as xtcp_ipv4_udp_af_ops. */
const struct inet_connection_sock_af_ops xtcp_ipv6_mapped_udp = {
	.queue_xmit	= xtcp_v4_udp_queue_xmit,
	.send_check	= xtcp_v4_udp_send_check,
	.rebuild_header	= inet_sk_rebuild_header,
	.conn_request	= xtcp_v6_conn_request,
	.syn_recv_sock	= xtcp_v6_syn_recv_sock,
	.net_header_len	= sizeof(struct iphdr) + sizeof(struct udphdr),
	.setsockopt	= xtcp_v6_setsockopt,
	.getsockopt	= xtcp_v6_getsockopt,
	.addr2sockaddr	= inet6_csk_addr2sockaddr,
	.sockaddr_len	= sizeof(struct sockaddr_in6),
	.mtu_reduced	= xtcp_v4_mtu_reduced,
};

/**
 * xtcp_v6_set_plain() - an AF_INET6 socket's af_ops back to IPv6's
 * @sk: the socket, closed again (disconnect, a failed connect)
 *
 * Context: socket locked.
 */
void xtcp_v6_set_plain(struct sock *sk)
{
	/* Paired with READ_ONCE() in xtcp_setsockopt()/xtcp_getsockopt(). */
	WRITE_ONCE(inet_csk(sk)->icsk_af_ops, &xtcp_ipv6_af_ops);
}

/*
 * struct proto's init for an AF_INET6 socket: IPv6's af_ops, then the
 * family-neutral set-up, as xtcp_v4_init_sock().
 */
static int xtcp_v6_init_sock(struct sock *sk)
{
	inet_csk(sk)->icsk_af_ops = &xtcp_ipv6_af_ops;
	return xtcp_init_sock(sk);
}

static const struct proto_ops xtcp_inet6_ops = {
	.family		= PF_INET6,
	.owner		= THIS_MODULE,
	.release	= inet6_release,
	.bind		= inet6_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet6_getname,
	.poll		= xtcp_poll,
	.ioctl		= inet6_ioctl,
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

static struct inet_protosw xtcp6_protosw = {
	.type		= SOCK_STREAM,
	/* .protocol is set from the module parameter at load */
	.prot		= &xtcpv6_prot,
	.ops		= &xtcp_inet6_ops,
	.flags		= INET_PROTOSW_ICSK,
};

/* Not NOPOLICY: IPv6 checks the IPsec policy first, as IPv4 does for us. */
static const struct inet6_protocol xtcp6_protocol = {
	.handler	= xtcp_v6_rcv,
	.err_handler	= xtcp_v6_err,
	.flags		= INET6_PROTO_FINAL,
};

/**
 * xtcp_v6_init_net() - a netns' IPv6 control socket
 * @net: the namespace
 *
 * A raw IPv6 socket of our protocol number, unhashed, for the segments
 * sent without a full socket, as xtcp_v4_init_net().  None if IPv6 is
 * disabled (ipv6.disable=1).
 *
 * Context: process context, the netns' init.
 * Return: 0, or inet_ctl_sock_create()'s error.
 */
int xtcp_v6_init_net(struct net *net)
{
	if (!ipv6_mod_enabled())
		return 0;
	return inet_ctl_sock_create(&xtcp_pernet(net)->ctl_sk6, PF_INET6,
				    SOCK_RAW, xtcp_proto_num, net);
}

/**
 * xtcp_v6_exit_net() - destroy a netns' IPv6 control socket
 * @net: the namespace
 *
 * Context: process context, the netns' exit or its init unwinding.
 */
void xtcp_v6_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	if (xn->ctl_sk6)
		inet_ctl_sock_destroy(xn->ctl_sk6);
	xn->ctl_sk6 = NULL;
}

/**
 * xtcp_v6_init() - register with IPv6: proto, handler, then socket()
 *
 * xtcpv6_prot made from xtcp_prot and registered (its own slabs for
 * sockets, request and timewait socks), IPv6's handler for our next
 * header, then the protosw that makes socket(AF_INET6, SOCK_STREAM,
 * proto) ours.  Nothing if IPv6 is disabled at boot.
 *
 * Context: process context, module init, after xtcp_v4_init().
 * Return: 0, -EBUSY if another protocol has the number, or
 * proto_register()'s error.
 */
int xtcp_v6_init(void)
{
	int err;

	BUILD_BUG_ON(offsetof(struct xtcp6_sock, inet6) !=
		     sizeof(struct xtcp6_sock) - sizeof(struct ipv6_pinfo));
	if (!ipv6_mod_enabled()) {
		pr_info("IPv6 is disabled: AF_INET6 sockets are not ours\n");
		return 0;
	}
	xtcpv6_prot = xtcp_prot;
	strscpy(xtcpv6_prot.name, "XTCPv6", sizeof(xtcpv6_prot.name));
	xtcpv6_prot.slab = NULL;
	xtcpv6_prot.pre_connect = xtcp_v6_pre_connect;
	xtcpv6_prot.connect = xtcp_v6_connect;
	xtcpv6_prot.init = xtcp_v6_init_sock;
	xtcpv6_prot.obj_size = sizeof(struct xtcp6_sock);
	xtcpv6_prot.rsk_prot = &xtcp6_request_sock_ops;
	xtcpv6_prot.twsk_prot = &xtcp6_timewait_sock_ops;
	err = proto_register(&xtcpv6_prot, 1);
	if (err)
		return err;

	if (inet6_add_protocol(&xtcp6_protocol, xtcp_proto_num) < 0) {
		pr_err("IPv6 next header %d is already registered\n",
		       xtcp_proto_num);
		err = -EBUSY;
		goto out_proto;
	}
	xtcp6_protosw.protocol = xtcp_proto_num;
	err = inet6_register_protosw(&xtcp6_protosw);
	if (err)
		goto out_protocol;
	return 0;

out_protocol:
	inet6_del_protocol(&xtcp6_protocol, xtcp_proto_num);
out_proto:
	proto_unregister(&xtcpv6_prot);
	return err;
}

/**
 * xtcp_v6_exit() - unregister from IPv6: socket() first, then the rest
 *
 * Context: process context, module exit, first.
 */
void xtcp_v6_exit(void)
{
	if (!ipv6_mod_enabled())
		return;
	inet6_unregister_protosw(&xtcp6_protosw);
	inet6_del_protocol(&xtcp6_protocol, xtcp_proto_num);
	proto_unregister(&xtcpv6_prot);
}
