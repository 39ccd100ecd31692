// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp in UDP, as SCTP's UDP encapsulation (RFC 6951, net/sctp's
 * sctp_udp_sock_start() and sctp_udp_rcv()): for the paths that NAT or
 * drop IP protocol 253.
 *
 * An encapsulated segment is the xtcp header and data exactly as a
 * plain one, after an 8-byte UDP header, in an IPv4 datagram of
 * protocol UDP.
 *
 * - Receiving: net.xtcp.udp_port (0: off) opens a kernel UDP socket in
 *   the netns bound to that port, whose encap_rcv (xtcp_udp_rcv()) takes
 *   the UDP header off and hands the segment to xtcp's receive path with
 *   the UDP source port it came from.
 * - Sending: a socket whose remote encapsulation port is set (the
 *   XTCP_ENCAP_PORT option, net.xtcp.encap_port by default) connects in
 *   UDP when the netns has a udp_port, through xtcp_ipv4_udp_af_ops
 *   (ipv4.c: this file's queue_xmit); a listener answers each SYN in the
 *   form it arrived in, and its child keeps that form and port.  The UDP
 *   source port is the netns' udp_port, as SCTP's: a NAT maps the peer's
 *   answers back to it.
 * - The checksum: the UDP checksum covers the datagram with the real
 *   addresses; the xtcp checksum inside covers the segment with a
 *   pseudo-header of zero addresses (protocol and length only), since a
 *   NAT rewrites the outer addresses and cannot fix a checksum it does
 *   not know.
 * - ICMP errors about our datagrams reach the connection through UDP's
 *   encap_err_rcv (xtcp_udp_err()): path MTU, unreachables, as plain.
 * - GSO: a multi-segment skb goes out as a UDP tunnel's GSO skb, whose
 *   pieces the core makes with xtcp_gso_segment() (offload.c) where the
 *   device cannot take it whole.  The MSS is 8 bytes smaller (af_ops'
 *   net_header_len).  No GRO yet.
 *
 * Locking: a netns' UDP socket is made and released under
 * xtcp_udp_mutex (the sysctl's writers and the netns' exit); the
 * receive path runs under RCU in softirq (UDP's), and the netns' exit
 * waits for it (synchronize_net()) before the socket goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/net.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <net/udp.h>

#include "xtcp.h"

static DEFINE_MUTEX(xtcp_udp_mutex);

/*
 * UDP's encap_rcv for the netns' xtcp socket: the UDP header (its length
 * and checksum checked by UDP) comes off and the segment goes to xtcp's
 * receive path with the port it came from.  A datagram too short for an
 * xtcp header is dropped and counted.
 *
 * The checksum state UDP left covers the UDP datagram: a verified
 * checksum (CHECKSUM_UNNECESSARY or csum_valid) says nothing of xtcp's,
 * which xtcp_v4_rcv() then checks; CHECKSUM_COMPLETE is carried past
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
	const struct icmphdr *icmph = icmp_hdr(skb);
	const struct udphdr *uh;
	u32 info = 0;

	/* The UDP header, then our ports and sequence number. */
	if (!pskb_may_pull(skb, udp_offset + sizeof(*uh) + 8))
		return;
	uh = (const struct udphdr *)(skb->data + udp_offset);
	if (icmph->type == ICMP_DEST_UNREACH &&
	    icmph->code == ICMP_FRAG_NEEDED)
		info = ntohs(icmph->un.frag.mtu);
	xtcp_v4_encap_err(skb, info, udp_offset + sizeof(*uh), uh->dest);
}

/* The netns' UDP socket bound to @port, its encap_rcv ours. */
static int xtcp_udp_sock_open(struct net *net, u16 port,
			      struct socket **res)
{
	struct sockaddr_in sin = {
		.sin_family	 = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port	 = htons(port),
	};
	struct socket *sock;
	struct udp_sock *up;
	int err;

	err = sock_create_kern(net, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
	err = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
	if (err) {
		sock_release(sock);
		return err;
	}
	/* As setup_udp_tunnel_sock(), without needing udp_tunnel.ko. */
	up = udp_sk(sock->sk);
	inet_inc_convert_csum(sock->sk);
	/* Any type but 0 makes UDP call encap_rcv; 1 as SCTP's. */
	WRITE_ONCE(up->encap_type, 1);
	WRITE_ONCE(up->encap_rcv, xtcp_udp_rcv);
	WRITE_ONCE(up->encap_err_rcv, xtcp_udp_err);
	udp_encap_enable();
	*res = sock;
	return 0;
}

/* Close a netns' UDP socket; nothing receives through it afterwards. */
static void xtcp_udp_sock_close(struct socket *sock)
{
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
 * A new port opens the netns' UDP socket there before the old one
 * closes; 0 closes it.  The value stays as it was if the port cannot be
 * had (another socket holds it).
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
	struct net *net = xn->net;
	struct socket *sock = NULL, *old;
	struct ctl_table tmp = *table;
	int val, err;

	mutex_lock(&xtcp_udp_mutex);
	val = xn->sysctl_udp_port;
	tmp.data = &val;
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write || val == xn->sysctl_udp_port)
		goto out;
	if (val) {
		err = xtcp_udp_sock_open(net, val, &sock);
		if (err)
			goto out;
	}
	old = xn->udp_sock;
	xn->udp_sock = sock;
	WRITE_ONCE(xn->sysctl_udp_port, val);
	if (old)
		xtcp_udp_sock_close(old);
out:
	mutex_unlock(&xtcp_udp_mutex);
	return err;
}

/**
 * xtcp_udp_exit_net() - close a netns' UDP socket, if it has one
 * @net: the namespace, going away
 *
 * Context: process context, the netns' exit.
 */
void xtcp_udp_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	mutex_lock(&xtcp_udp_mutex);
	if (xn->udp_sock) {
		xtcp_udp_sock_close(xn->udp_sock);
		xn->udp_sock = NULL;
		xn->sysctl_udp_port = 0;
	}
	mutex_unlock(&xtcp_udp_mutex);
}

/**
 * xtcp_udp_sport() - the UDP source port of what this netns encapsulates
 * @net: the namespace
 *
 * Context: any context.
 * Return: net.xtcp.udp_port in network order, or 0 if it is off (then
 * nothing is sent encapsulated).
 */
__be16 xtcp_udp_sport(const struct net *net)
{
	return htons((u16)READ_ONCE(xtcp_pernet(net)->sysctl_udp_port));
}

/**
 * xtcp_v4_udp_xmit() - put a segment in UDP and send it
 * @sk: the socket it is sent for (its TTL, DF, priority and mark): a
 *	full socket, a listener, or the netns' control socket
 * @skb: the segment, skb->data at the xtcp header, its checksum done
 * @rt: the route; its reference passes to @skb
 * @saddr: our address
 * @daddr: the peer's
 * @dport: the peer's UDP port
 * @tos: the TOS byte
 *
 * The UDP header (source: the netns' udp_port), its checksum (computed
 * now if the xtcp checksum is left to the device, else left to it: as
 * udp_set_csum()), then IPv4 through iptunnel_xmit().
 *
 * Context: any context with BHs off or the socket locked.
 * Return: net_xmit_eval() of the send: 0, or a negative errno.
 */
int xtcp_v4_udp_xmit(const struct sock *sk, struct sk_buff *skb,
		     struct rtable *rt, __be32 saddr, __be32 daddr,
		     __be16 dport, u8 tos)
{
	struct net *net = dev_net(rt->dst.dev);
	const struct inet_sock *inet = inet_sk(sk);
	int ttl = inet->uc_ttl;
	struct udphdr *uh;
	__be16 df;

	if (skb_is_gso(skb)) {
		/*
		 * A GSO skb becomes a UDP tunnel's: a device without the
		 * offload has the core cut it (skb_udp_tunnel_segment()),
		 * which finds xtcp_gso_segment() by inner_ipproto and fixes
		 * each piece's UDP header; veth and loopback pass it whole.
		 * No inner IP header: the inner headers all start at ours.
		 */
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
	uh->source = xtcp_udp_sport(net);
	uh->dest = dport;
	uh->len = htons(skb->len);
	udp_set_csum(false, skb, saddr, daddr, skb->len);

	if (ttl < 0)
		ttl = ip4_dst_hoplimit(&rt->dst);
	df = ip_dont_fragment(sk, &rt->dst) ? htons(IP_DF) : 0;
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = READ_ONCE(sk->sk_mark);
	/* iptunnel_xmit() counts for skb->dev, a tunnel's: not ours. */
	skb->dev = NULL;
	/* Per segment, as OutSegs: a GSO skb counts what it carries. */
	XTCP_ADD_STATS(net, XTCP_MIB_ENCAPOUTSEGS,
		       max_t(u16, skb_shinfo(skb)->gso_segs, 1));
	/* skb->sk: the owner of a full socket's segment, or none. */
	iptunnel_xmit(skb->sk, rt, skb, saddr, daddr, IPPROTO_UDP, tos, ttl,
		      df, false);
	return 0;
}

/**
 * xtcp_v4_udp_queue_xmit() - af_ops' queue_xmit of an encapsulated socket
 * @sk: the socket, connected
 * @skb: one of its segments, header and checksum built
 * @fl: the socket's flow (inet->cork.fl)
 *
 * The socket's route (made again if it went stale, as ip_queue_xmit()
 * does), then xtcp_v4_udp_xmit() to the peer's encapsulation port.
 *
 * Context: socket locked.
 * Return: 0, or -EHOSTUNREACH without a route (the segment is freed).
 */
int xtcp_v4_udp_queue_xmit(struct sock *sk, struct sk_buff *skb,
			   struct flowi *fl)
{
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 *fl4 = &fl->u.ip4;
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
				inet->inet_daddr, xtcp_sk(sk)->encap_port,
				inet->tos);
}
