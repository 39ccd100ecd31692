// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp in UDP, as SCTP's UDP encapsulation (RFC 6951, net/sctp's
 * sctp_udp_sock_start() and sctp_udp_rcv()): for the paths that NAT or
 * drop IP protocol 253.
 *
 * An encapsulated segment is the xtcp header and data exactly as a
 * plain one, after an 8-byte UDP header, in an IPv4 or IPv6 datagram
 * of protocol UDP.
 *
 * - Receiving: net.xtcp.udp_port (0: off) opens two kernel UDP sockets
 *   in the netns bound to that port, IPv4's and IPv6's (IPv6-only),
 *   whose encap_rcv (xtcp_udp_rcv()) takes the UDP header off and hands
 *   the segment to xtcp's receive path of its family with the UDP
 *   source port it came from.
 * - Sending: a socket whose remote encapsulation port is set (the
 *   XTCP_ENCAP_PORT option, net.xtcp.encap_port by default) connects in
 *   UDP, through its family's UDP af_ops (ipv4.c, ipv6.c; this file's
 *   xmit functions).  The active side opens a UDP socket of its own for
 *   the connection (xtcp_encap_sock_open()): an ephemeral port, bound to
 *   the connection's address, that it sends from and receives on.  So
 *   every connection is a UDP flow of its own, which RSS, ECMP and a
 *   NAT each tell apart (as a QUIC client's socket), and the client
 *   needs no udp_port.  A listener answers each SYN in the form it
 *   arrived in, from the port it came to, and its child keeps both.
 * - The checksum: the UDP checksum covers the datagram with the real
 *   addresses; the xtcp checksum inside covers the segment with a
 *   pseudo-header of zero addresses (protocol and length only, the same
 *   sum for both families), since a NAT rewrites the outer addresses
 *   and cannot fix a checksum it does not know.
 * - ICMP and ICMPv6 errors about our datagrams reach the connection
 *   through UDP's encap_err_rcv (xtcp_udp_err(), xtcp_udp_err6()): path
 *   MTU, unreachables, as plain.
 * - GSO: a multi-segment skb goes out as a UDP tunnel's GSO skb, whose
 *   pieces the core makes with xtcp_gso_segment() (offload.c) where the
 *   device cannot take it whole; on receive, UDP's GRO hands our
 *   sockets' datagrams to xtcp_udp_gro_receive() (offload.c).  The MSS
 *   is 8 bytes smaller (af_ops' net_header_len).
 *
 * Locking: a netns' UDP sockets are made and released under
 * xtcp_udp_mutex (the sysctl's writers and the netns' exit); the
 * receive path runs under RCU in softirq (UDP's), and the netns' exit
 * waits for it (synchronize_net()) before the sockets go.  A
 * connection's UDP socket is made at connect() (socket locked, process
 * context) and released from a work item (xtcp_encap_sock_put()), since
 * its connection or TIME-WAIT may end in softirq; the netns' exit and
 * the module's flush it (xtcp_udp_flush()) before they go on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/llist.h>
#include <linux/net.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "xtcp.h"

static DEFINE_MUTEX(xtcp_udp_mutex);

/*
 * A connection's own UDP socket (an active open's).  free_node queues it
 * for xtcp_encap_free_work once its connection and TIME-WAIT are over.
 */
struct xtcp_encap_sock {
	struct socket		*sock;
	struct llist_node	free_node;
};

static LLIST_HEAD(xtcp_encap_free_list);

/**
 * xtcp_udp_compute_pseudo() - the pseudo-header of a segment in UDP
 * @skb: the segment
 * @proto: our protocol number
 *
 * Zero addresses, the length and the protocol: what a NAT cannot make
 * wrong.  IPv4's and IPv6's pseudo-headers sum the same then.
 *
 * Return: the partial sum, for skb_checksum_validate().
 */
__wsum xtcp_udp_compute_pseudo(struct sk_buff *skb, int proto)
{
	return csum_tcpudp_nofold(0, 0, skb->len, proto, 0);
}

/*
 * UDP's encap_rcv for our UDP sockets (the netns' and the connections'):
 * the UDP header (its length and checksum checked by UDP) comes off and
 * the segment goes to xtcp's receive path of its family with the port
 * it came from; the header stays in front of ours, where
 * xtcp_skb_encap_dport() reads the port it came to.  A datagram too
 * short for an xtcp header is dropped and counted.
 *
 * The checksum state UDP left covers the UDP datagram: a verified
 * checksum (CHECKSUM_UNNECESSARY or csum_valid) says nothing of xtcp's,
 * which the receive path then checks; CHECKSUM_COMPLETE is carried past
 * the UDP header (skb_pull_rcsum()).
 *
 * Context: softirq, under RCU (udp_queue_rcv_one_skb()).
 * Return: 0: the skb is consumed.
 */
static int xtcp_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct net *net = sock_net(sk);
	__be16 sport;

	if (!pskb_may_pull(skb, sizeof(struct udphdr) + XTCP_HDR_MIN_LEN)) {
		XTCP_INC_STATS(net, XTCP_MIB_ENCAPINERRS);
		kfree_skb(skb);
		return 0;
	}
	sport = udp_hdr(skb)->source;
	if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		__skb_decr_checksum_unnecessary(skb);
	skb->csum_valid = 0;
	skb_pull_rcsum(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	/* Per segment, as InSegs: a GSO skb passed on whole counts each. */
	XTCP_ADD_STATS(net, XTCP_MIB_ENCAPINSEGS,
		       max_t(u16, skb_shinfo(skb)->gso_segs, 1));
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6)) {
		xtcp_v6_encap_rcv(skb, sport);
		return 0;
	}
#endif
	xtcp_v4_encap_rcv(skb, sport);
	return 0;
}

/*
 * UDP's encap_err_rcv: an ICMP error quoting one of our datagrams (UDP
 * found its socket, ours, and updated the route's path MTU).  The quoted
 * segment's ports and sequence number go to xtcp's error handler, with
 * the MTU of a "fragmentation needed", which UDP does not pass on.
 *
 * Context: softirq, under RCU (__udp4_lib_err()).
 */
static void xtcp_udp_err(struct sock *sk, struct sk_buff *skb,
			 unsigned int udp_offset)
{
	const struct icmphdr *icmph;
	const struct udphdr *uh;
	u32 info = 0;

	/* The UDP header, then our ports and sequence number. */
	if (!pskb_may_pull(skb, udp_offset + sizeof(*uh) + 8))
		return;
	icmph = icmp_hdr(skb);
	uh = (const struct udphdr *)(skb->data + udp_offset);
	if (icmph->type == ICMP_DEST_UNREACH &&
	    icmph->code == ICMP_FRAG_NEEDED)
		info = ntohs(icmph->un.frag.mtu);
	xtcp_v4_encap_err(skb, info, udp_offset + sizeof(*uh), uh->dest);
}

#if IS_ENABLED(CONFIG_IPV6)
/*
 * The same for ICMPv6 (__udp6_lib_err()): skb->data at the quoted IPv6
 * header, the ICMPv6 header at the transport header.
 */
static void xtcp_udp_err6(struct sock *sk, struct sk_buff *skb,
			  unsigned int udp_offset)
{
	const struct icmp6hdr *icmp6;
	const struct udphdr *uh;

	if (!pskb_may_pull(skb, udp_offset + sizeof(*uh) + 8))
		return;
	icmp6 = icmp6_hdr(skb);
	uh = (const struct udphdr *)(skb->data + udp_offset);
	xtcp_v6_encap_err(skb, icmp6->icmp6_type, icmp6->icmp6_code,
			  udp_offset + sizeof(*uh), icmp6->icmp6_mtu,
			  uh->dest);
}
#endif

/*
 * Make @sock one of ours, as setup_udp_tunnel_sock() does (without
 * needing udp_tunnel.ko): its datagrams go to xtcp_udp_rcv(), its ICMP
 * errors to xtcp_udp_err*(), its GRO to xtcp_udp_gro_*() (offload.c);
 * UDP's encapsulation branch is on while it lives
 * (udp_tunnel_encap_enable(); UDP turns it off as the socket goes).
 * gro_receive and gro_complete are never cleared: UDP's GRO reads each
 * twice, not once, and ours take whatever the socket still gets.
 */
static void xtcp_udp_sock_setup(struct socket *sock)
{
	struct udp_sock *up = udp_sk(sock->sk);

	inet_inc_convert_csum(sock->sk);
	/* Any type but 0 makes UDP call encap_rcv; 1 as SCTP's. */
	WRITE_ONCE(up->encap_type, 1);
	WRITE_ONCE(up->encap_rcv, xtcp_udp_rcv);
#if IS_ENABLED(CONFIG_IPV6)
	if (sock->sk->sk_family == AF_INET6)
		WRITE_ONCE(up->encap_err_rcv, xtcp_udp_err6);
	else
#endif
		WRITE_ONCE(up->encap_err_rcv, xtcp_udp_err);
	WRITE_ONCE(up->gro_receive, xtcp_udp_gro_receive);
	WRITE_ONCE(up->gro_complete, xtcp_udp_gro_complete);
	udp_tunnel_encap_enable(sock->sk);
}

/* A kernel UDP socket of @family in @net, bound to @addr, set up as ours. */
static int xtcp_udp_sock_make(struct net *net, int family,
			      struct sockaddr *addr, int addrlen,
			      int ifindex, struct socket **res)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(net, family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
#if IS_ENABLED(CONFIG_IPV6)
	/* IPv4 has a socket of its own: nothing mapped here. */
	if (family == AF_INET6)
		ip6_sock_set_v6only(sock->sk);
#endif
	if (ifindex) {
		err = sock_bindtoindex(sock->sk, ifindex, true);
		if (err)
			goto release;
	}
	err = kernel_bind(sock, addr, addrlen);
	if (err)
		goto release;
	xtcp_udp_sock_setup(sock);
	*res = sock;
	return 0;

release:
	sock_release(sock);
	return err;
}

/* The netns' UDP sockets bound to @port: IPv4's, and IPv6's if it has it. */
static int xtcp_udp_sock_open(struct net *net, u16 port,
			      struct socket **res, struct socket **res6)
{
	struct sockaddr_in sin = {
		.sin_family	 = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port	 = htons(port),
	};
	int err;

	err = xtcp_udp_sock_make(net, AF_INET, (struct sockaddr *)&sin,
				 sizeof(sin), 0, res);
	if (err)
		return err;
	*res6 = NULL;
#if IS_ENABLED(CONFIG_IPV6)
	if (ipv6_mod_enabled()) {
		struct sockaddr_in6 sin6 = {
			.sin6_family = AF_INET6,
			.sin6_addr   = IN6ADDR_ANY_INIT,
			.sin6_port   = htons(port),
		};

		err = xtcp_udp_sock_make(net, AF_INET6,
					 (struct sockaddr *)&sin6,
					 sizeof(sin6), 0, res6);
		if (err) {
			sock_release(*res);
			*res = NULL;
			return err;
		}
	}
#endif
	return 0;
}

/* Close a netns' UDP socket; nothing receives through it afterwards. */
static void xtcp_udp_sock_close(struct socket *sock)
{
	if (!sock)
		return;
	WRITE_ONCE(udp_sk(sock->sk)->encap_rcv, NULL);
	WRITE_ONCE(udp_sk(sock->sk)->encap_err_rcv, NULL);
	kernel_sock_shutdown(sock, SHUT_RDWR);
	/* An xtcp_udp_rcv() under way ends before its module may go. */
	synchronize_net();
	sock_release(sock);
}

/**
 * xtcp_udp_port_sysctl() - proc handler of net.xtcp.udp_port
 * @table: the sysctl, its data the netns' sysctl_udp_port
 * @write: a write
 * @buffer: the text
 * @lenp: its length
 * @ppos: the file position
 *
 * A new port opens the netns' UDP sockets there (IPv4's and IPv6's)
 * before the old ones close; 0 closes them.  The value stays as it was
 * if the port cannot be had (another socket holds it).
 *
 * Context: process context.
 * Return: 0, or proc_dointvec_minmax()'s or the bind's error
 * (-EADDRINUSE).
 */
int xtcp_udp_port_sysctl(struct ctl_table *table, int write, void *buffer,
			 size_t *lenp, loff_t *ppos)
{
	struct xtcp_net *xn = container_of(table->data, struct xtcp_net,
					   sysctl_udp_port);
	struct socket *sock = NULL, *sock6 = NULL, *old, *old6;
	struct net *net = xn->net;
	struct ctl_table tmp = *table;
	int val, err;

	mutex_lock(&xtcp_udp_mutex);
	val = xn->sysctl_udp_port;
	tmp.data = &val;
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write || val == xn->sysctl_udp_port)
		goto out;
	if (val) {
		err = xtcp_udp_sock_open(net, val, &sock, &sock6);
		if (err)
			goto out;
	}
	old = xn->udp_sock;
	old6 = xn->udp_sock6;
	xn->udp_sock = sock;
	xn->udp_sock6 = sock6;
	WRITE_ONCE(xn->sysctl_udp_port, val);
	xtcp_udp_sock_close(old);
	xtcp_udp_sock_close(old6);
out:
	mutex_unlock(&xtcp_udp_mutex);
	return err;
}

/**
 * xtcp_udp_exit_net() - close a netns' UDP sockets, if it has them
 * @net: the namespace, going away
 *
 * Context: process context, the netns' exit.
 */
void xtcp_udp_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	mutex_lock(&xtcp_udp_mutex);
	xtcp_udp_sock_close(xn->udp_sock);
	xtcp_udp_sock_close(xn->udp_sock6);
	xn->udp_sock = NULL;
	xn->udp_sock6 = NULL;
	xn->sysctl_udp_port = 0;
	mutex_unlock(&xtcp_udp_mutex);
}

/**
 * xtcp_encap_sock_open() - the UDP socket of an active open in UDP
 * @sk: the socket, connecting: its source address chosen, not yet sent
 *	anything
 *
 * A kernel UDP socket of the wire's family (IPv4 for a v4-mapped one),
 * bound to the connection's address and device and to an ephemeral port
 * UDP picks, is made ours: the connection sends from that port
 * (encap_sport) and receives on it.
 *
 * Context: process context, socket locked (connect()).
 * Return: 0, -ENOMEM, or sock_create_kern()'s or the bind's error
 * (-EADDRINUSE when UDP has no ephemeral port left).
 */
int xtcp_encap_sock_open(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sockaddr_storage ss = {};
	struct xtcp_encap_sock *es;
	int family = AF_INET, len;
	int err;

	sock_owned_by_me(sk);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		family = AF_INET6;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = inet6_sk(sk)->saddr;
		len = sizeof(*sin6);
	}
#endif
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = inet_sk(sk)->inet_saddr;
		len = sizeof(*sin);
	}
	es = kzalloc(sizeof(*es), sk->sk_allocation);
	if (!es)
		return -ENOMEM;
	err = xtcp_udp_sock_make(sock_net(sk), family, (struct sockaddr *)&ss,
				 len, sk->sk_bound_dev_if, &es->sock);
	if (err) {
		kfree(es);
		return err;
	}
	xs->encap_sock = es;
	WRITE_ONCE(xs->encap_sport, inet_sk(es->sock->sk)->inet_sport);
	return 0;
}

/* Release what xtcp_encap_sock_put() queued.  Process context. */
static void xtcp_encap_free_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&xtcp_encap_free_list);
	struct xtcp_encap_sock *es, *next;

	llist_for_each_entry_safe(es, next, list, free_node) {
		/*
		 * A datagram in UDP's hands may still reach xtcp_udp_rcv()
		 * (UDP sockets are freed after RCU): it finds no connection
		 * and is answered as any other.  Module unload waits for it.
		 */
		WRITE_ONCE(udp_sk(es->sock->sk)->encap_rcv, NULL);
		WRITE_ONCE(udp_sk(es->sock->sk)->encap_err_rcv, NULL);
		sock_release(es->sock);
		kfree(es);
	}
}

static DECLARE_WORK(xtcp_encap_free_work, xtcp_encap_free_fn);

/**
 * xtcp_encap_sock_put() - let a connection's UDP socket go
 * @es: the socket, or NULL
 *
 * Released from a work item: its last holder (a connection destroyed
 * in softirq, a TIME-WAIT's end) may not sleep.
 *
 * Context: any context.
 */
void xtcp_encap_sock_put(struct xtcp_encap_sock *es)
{
	if (!es)
		return;
	llist_add(&es->free_node, &xtcp_encap_free_list);
	schedule_work(&xtcp_encap_free_work);
}

/**
 * xtcp_encap_sock_release() - a socket's own UDP socket goes
 * @sk: the socket (disconnected, failed to connect, or destroyed)
 *
 * Context: socket locked, or being destroyed.
 */
void xtcp_encap_sock_release(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_encap_sock_put(xs->encap_sock);
	xs->encap_sock = NULL;
	WRITE_ONCE(xs->encap_sport, 0);
}

/**
 * xtcp_udp_flush() - wait until the connections' UDP sockets let go are gone
 *
 * Context: process context: a netns' exit (after its TIME-WAIT socks
 * were purged) and the module's.
 */
void xtcp_udp_flush(void)
{
	flush_work(&xtcp_encap_free_work);
}

/*
 * The UDP header in front of a segment (@skb->data at ours, its
 * checksum done) and, for a GSO skb, the marks of a UDP tunnel's: a
 * device without the offload has the core cut it
 * (skb_udp_tunnel_segment()), which finds xtcp_gso_segment() by
 * inner_ipproto and fixes each piece's UDP header; veth and loopback
 * pass it whole.  No inner IP header: the inner headers all start at
 * ours.
 */
static struct udphdr *xtcp_udp_push(struct net *net, struct sk_buff *skb,
				    __be16 sport, __be16 dport)
{
	struct udphdr *uh;

	if (skb_is_gso(skb)) {
		skb->encapsulation = 1;
		skb_reset_inner_mac_header(skb);
		skb_reset_inner_network_header(skb);
		skb_reset_inner_transport_header(skb);
		skb_set_inner_ipproto(skb, xtcp_proto_num);
		skb_shinfo(skb)->gso_type |= SKB_GSO_UDP_TUNNEL_CSUM;
	}
	skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh = udp_hdr(skb);
	uh->source = sport;
	uh->dest = dport;
	uh->len = htons(skb->len);
	/* Per segment, as OutSegs: a GSO skb counts what it carries. */
	XTCP_ADD_STATS(net, XTCP_MIB_ENCAPOUTSEGS,
		       max_t(u16, skb_shinfo(skb)->gso_segs, 1));
	return uh;
}

/**
 * xtcp_v4_udp_xmit() - put a segment in UDP and send it over IPv4
 * @sk: the socket it is sent for (its TTL, DF, priority and mark): a
 *	full socket, a listener, or the netns' control socket
 * @skb: the segment, skb->data at the xtcp header, its checksum done
 * @rt: the route; its reference passes to @skb
 * @saddr: our address
 * @daddr: the peer's
 * @sport: our UDP port
 * @dport: the peer's
 * @tos: the TOS byte
 *
 * The UDP header, its checksum (computed now if the xtcp checksum is
 * left to the device, else left to it: as udp_set_csum()), then IPv4
 * through iptunnel_xmit().
 *
 * Context: any context with BHs off or the socket locked.
 * Return: 0 (iptunnel_xmit() reports nothing).
 */
int xtcp_v4_udp_xmit(const struct sock *sk, struct sk_buff *skb,
		     struct rtable *rt, __be32 saddr, __be32 daddr,
		     __be16 sport, __be16 dport, u8 tos)
{
	const struct inet_sock *inet = inet_sk(sk);
	int ttl = inet->uc_ttl;
	__be16 df;

	xtcp_udp_push(dev_net(rt->dst.dev), skb, sport, dport);
	udp_set_csum(false, skb, saddr, daddr, skb->len);

	if (ttl < 0)
		ttl = ip4_dst_hoplimit(&rt->dst);
	df = ip_dont_fragment(sk, &rt->dst) ? htons(IP_DF) : 0;
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = READ_ONCE(sk->sk_mark);
	/* iptunnel_xmit() counts for skb->dev, a tunnel's: not ours. */
	skb->dev = NULL;
	/* skb->sk: the owner of a full socket's segment, or none. */
	iptunnel_xmit(skb->sk, rt, skb, saddr, daddr, IPPROTO_UDP, tos, ttl,
		      df, false);
	return 0;
}

/**
 * xtcp_v4_udp_queue_xmit() - af_ops' queue_xmit of an IPv4 socket in UDP
 * @sk: the socket, connected
 * @skb: one of its segments, header and checksum built
 * @fl: the socket's flow (inet->cork.fl)
 *
 * The socket's route (made again if it went stale, as ip_queue_xmit()
 * does), then xtcp_v4_udp_xmit() from the connection's UDP port to the
 * peer's.
 *
 * Context: socket locked.
 * Return: 0, or -EHOSTUNREACH without a route (the segment is freed).
 */
int xtcp_v4_udp_queue_xmit(struct sock *sk, struct sk_buff *skb,
			   struct flowi *fl)
{
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 *fl4 = &fl->u.ip4;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct rtable *rt;

	rcu_read_lock();
	rt = (struct rtable *)__sk_dst_check(sk, 0);
	if (!rt) {
		rt = ip_route_output_ports(sock_net(sk), fl4, sk,
					   inet->inet_daddr, inet->inet_saddr,
					   inet->inet_dport, inet->inet_sport,
					   sk->sk_protocol,
					   RT_CONN_FLAGS(sk),
					   sk->sk_bound_dev_if);
		if (IS_ERR(rt)) {
			rcu_read_unlock();
			kfree_skb(skb);
			return -EHOSTUNREACH;
		}
		sk_setup_caps(sk, &rt->dst);
	}
	dst_hold(&rt->dst);
	rcu_read_unlock();
	return xtcp_v4_udp_xmit(sk, skb, rt, inet->inet_saddr,
				inet->inet_daddr, xs->encap_sport,
				xs->encap_port, inet->tos);
}

#if IS_ENABLED(CONFIG_IPV6)
/**
 * xtcp_v6_udp_xmit() - put a segment in UDP and send it over IPv6
 * @sk: the IPv6 socket it is sent for (its hop limit): a connection, a
 *	listener, or the netns' IPv6 control socket
 * @skb: the segment, skb->data at the xtcp header, its checksum done,
 *	 its route set
 * @fl6: the flow: addresses, flow label; its protocol and ports become
 *	 UDP's
 * @sport: our UDP port
 * @dport: the peer's
 * @opt: IPv6 extension headers to send, or NULL
 * @tclass: the traffic class
 * @priority: skb->priority
 *
 * The UDP header and its checksum (udp6_set_csum()), then ip6_xmit().
 *
 * Context: any context with BHs off or the socket locked; under RCU if
 * @opt is the socket's.
 * Return: ip6_xmit()'s: 0, or a negative errno (-EMSGSIZE,
 * net_xmit_errno()).
 */
int xtcp_v6_udp_xmit(const struct sock *sk, struct sk_buff *skb,
		     struct flowi6 *fl6, __be16 sport, __be16 dport,
		     struct ipv6_txoptions *opt, u8 tclass, u32 priority)
{
	xtcp_udp_push(sock_net(sk), skb, sport, dport);
	udp6_set_csum(false, skb, &fl6->saddr, &fl6->daddr, skb->len);
	fl6->flowi6_proto = IPPROTO_UDP;
	fl6->fl6_sport = sport;
	fl6->fl6_dport = dport;
	return ip6_xmit(sk, skb, fl6, READ_ONCE(sk->sk_mark), opt, tclass,
			priority);
}
#endif
