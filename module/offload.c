// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp segmentation offload.  A sender hands IP one skb holding several
 * full segments (skb_shinfo()->gso_size = the MSS): it crosses the stack
 * once instead of once per segment.  A device that takes such skbs whole
 * (veth, loopback) passes them on as they are, and the receiver takes
 * them as one segment of many bytes, which is what they are; for any
 * other device the core calls xtcp_gso_segment() below (found by IP
 * protocol number) to cut it into real segments first, as it does for
 * TCP's GSO.
 *
 * The skb needs a gso_type the device features are checked against.
 * No type is xtcp's own, and the TCP or UDP types would let a NIC's
 * TSO/USO engine rewrite our headers as if they were TCP's or UDP's.
 * SCTP's is borrowed: only software devices claim NETIF_F_GSO_SCTP, and
 * every other device has the core segment in software, by protocol
 * number, so through us.
 *
 * And the reverse, receive offload (GRO): a device's NAPI poll hands
 * IP's GRO layer each segment, which asks xtcp_gro_receive() below
 * whether it continues a flow held from the same poll; runs of full
 * segments in sequence become one skb of many segments before IP's
 * receive path, with TCP's rules (tcp_gro_receive()).  The skb that
 * goes up is what a local sender's GSO would have made, so the receive
 * path takes it as it takes those, and a router forwarding it has it
 * cut again by xtcp_gso_segment().  Segments in UDP get the same through
 * the netns' UDP socket (udp.c), whose gro_receive and gro_complete
 * UDP's GRO calls once it has taken its header off.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/gro.h>
#include <net/protocol.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>

#include "xtcp.h"

static struct sk_buff *xtcp_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	struct sk_buff *segs = ERR_PTR(-EINVAL), *gso_skb = skb;
	unsigned int thlen, oldlen, mss, seq, sum_truesize = 0;
	bool own;
	struct xtcphdr *th;
	__sum16 newcheck;
	__wsum delta;

	if (!(skb_shinfo(skb)->gso_type & XTCP_GSO_TYPE) ||
	    !pskb_may_pull(skb, sizeof(*th)))
		goto out;
	th = xtcp_hdr(skb);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || skb->ip_summed != CHECKSUM_PARTIAL ||
	    skb_checksum_start(skb) != skb_transport_header(skb) ||
	    !pskb_may_pull(skb, thlen))
		goto out;

	oldlen = ~skb->len;
	__skb_pull(skb, thlen);
	mss = skb_shinfo(skb)->gso_size;
	if (unlikely(!mss || skb->len <= mss))
		goto out;

	/*
	 * A device that checksums only TCP and UDP (NETIF_F_IP_CSUM) would
	 * be handed ours, at TCP's offset: have skb_segment() compute the
	 * checksums then.
	 */
	if (!(features & NETIF_F_HW_CSUM))
		features &= ~NETIF_F_CSUM_MASK;
	segs = skb_segment(skb, features);
	if (IS_ERR(segs))
		goto out;
	/* Partial segmentation leaves MSS multiples; adjust the step. */
	if (skb_is_gso(segs))
		mss *= skb_shinfo(segs)->gso_segs;

	/*
	 * Our sender's segment (xtcp_wfree()): each piece stays charged to
	 * it until freed, for TCP Small Queues, as tcp_gso_segment() does.
	 */
	own = gso_skb->destructor == xtcp_wfree;

	/* The pseudo-header's length goes from the whole to one segment. */
	delta = (__force __wsum)htonl(oldlen + thlen + mss);
	skb = segs;
	th = xtcp_hdr(skb);
	seq = ntohl(th->seq);
	newcheck = ~csum_fold(csum_add(csum_unfold(th->check), delta));

	while (skb->next) {
		/* FIN and PSH belong to the last segment only. */
		th->fin = 0;
		th->psh = 0;
		th->check = newcheck;
		if (skb->ip_summed == CHECKSUM_PARTIAL)
			gso_reset_checksum(skb, ~th->check);
		else
			th->check = gso_make_checksum(skb, ~th->check);
		if (own) {
			skb->destructor = xtcp_wfree;
			skb->sk = gso_skb->sk;
			sum_truesize += skb->truesize;
		}
		seq += mss;
		skb = skb->next;
		th = xtcp_hdr(skb);
		th->seq = htonl(seq);
		/* CWR belongs to the first segment only (RFC 3168 6.1.2). */
		th->cwr = 0;
	}

	delta = (__force __wsum)htonl(oldlen +
				      (skb_tail_pointer(skb) -
				       skb_transport_header(skb)) +
				      skb->data_len);
	th->check = ~csum_fold(csum_add(csum_unfold(th->check), delta));
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		gso_reset_checksum(skb, ~th->check);
	else
		th->check = gso_make_checksum(skb, ~th->check);
	if (own) {
		int d;

		/*
		 * The last piece takes over the whole's charge, which the
		 * pieces' truesizes replace; the whole leaves uncharged.
		 */
		swap(gso_skb->sk, skb->sk);
		swap(gso_skb->destructor, skb->destructor);
		sum_truesize += skb->truesize;
		d = sum_truesize - gso_skb->truesize;
		if (likely(d >= 0))
			refcount_add(d, &skb->sk->sk_wmem_alloc);
		else
			WARN_ON_ONCE(refcount_sub_and_test(-d,
							   &skb->sk->sk_wmem_alloc));
	}
out:
	return segs;
}

/*
 * Add @skb's payload to @p, the flow's held skb, as the core's
 * skb_gro_receive() does (6.1 does not export it): when @skb's linear
 * part holds headers only and its page fragments fit beside those of
 * the last skb of @p's chain, they move there and @skb is freed light;
 * otherwise @skb itself, its headers pulled, joins @p's frag_list and
 * becomes the last skb of the chain.
 *
 * Return: 0 if merged, -E2BIG if @p is full or @skb must not join it.
 */
static int xtcp_gro_merge(struct sk_buff *p, struct sk_buff *skb)
{
	struct skb_shared_info *from = skb_shinfo(skb), *to;
	unsigned int off = skb_gro_offset(skb);
	unsigned int hlen = skb_headlen(skb);
	unsigned int len = skb_gro_len(skb);
	struct sk_buff *last = NAPI_GRO_CB(p)->last;
	unsigned int max, delta, eat;

	/* No BIG TCP: an IPv4 or IPv6 length field says how long it is. */
	max = min(READ_ONCE(p->dev->gro_max_size), GRO_LEGACY_MAX_SIZE);
	if (NAPI_GRO_CB(skb)->flush || p->len + len >= max ||
	    p->pp_recycle != skb->pp_recycle || skb_zcopy(p) || skb_zcopy(skb))
		return -E2BIG;

	to = skb_shinfo(last);
	if (hlen <= off && from->nr_frags &&
	    to->nr_frags + from->nr_frags <= MAX_SKB_FRAGS) {
		/* The headers end within the first fragment, if not before. */
		eat = off - hlen;
		memcpy(to->frags + to->nr_frags, from->frags,
		       from->nr_frags * sizeof(skb_frag_t));
		skb_frag_off_add(&to->frags[to->nr_frags], eat);
		skb_frag_size_sub(&to->frags[to->nr_frags], eat);
		to->nr_frags += from->nr_frags;
		from->nr_frags = 0;
		/* The pages' share of truesize moves with them. */
		delta = skb->truesize - SKB_TRUESIZE(skb_end_offset(skb));
		skb->truesize -= delta;
		skb->len -= skb->data_len;
		skb->data_len = 0;
		NAPI_GRO_CB(skb)->free = NAPI_GRO_FREE;
		if (last != p) {
			last->len += len;
			last->data_len += len;
			last->truesize += delta;
			to->flags |= from->flags & SKBFL_SHARED_FRAG;
		}
	} else {
		/* The whole skb moves; no socket owns it any more. */
		skb->destructor = NULL;
		skb->sk = NULL;
		delta = skb->truesize;
		if (off > hlen) {
			eat = off - hlen;
			skb_frag_off_add(&from->frags[0], eat);
			skb_frag_size_sub(&from->frags[0], eat);
			skb->data_len -= eat;
			skb->len -= eat;
			off = hlen;
		}
		__skb_pull(skb, off);
		if (last == p)
			skb_shinfo(p)->frag_list = skb;
		else
			last->next = skb;
		NAPI_GRO_CB(p)->last = skb;
		__skb_header_release(skb);
	}
	NAPI_GRO_CB(p)->count += NAPI_GRO_CB(skb)->count;
	p->len += len;
	p->data_len += len;
	p->truesize += delta;
	skb_shinfo(p)->flags |= from->flags & SKBFL_SHARED_FRAG;
	NAPI_GRO_CB(skb)->same_flow = 1;
	return 0;
}

/* The header flags whose change does not end a flow (TCP's). */
#define XTCP_GRO_FLAGS_FREE	(XTCP_FLAG_CWR | XTCP_FLAG_FIN | XTCP_FLAG_PSH)
/* The flags a segment ends its flow with, after joining it or not. */
#define XTCP_GRO_FLAGS_END	(XTCP_FLAG_URG | XTCP_FLAG_PSH | \
				 XTCP_FLAG_RST | XTCP_FLAG_SYN | XTCP_FLAG_FIN)

/* Byte 13 of the header, the flags (XTCP_FLAG_*). */
static u8 xtcp_gro_flags(const struct xtcphdr *th)
{
	return ((const u8 *)th)[13];
}

/*
 * Does @skb, its header at skb_gro_offset() and its checksum checked,
 * continue one of the flows held in @head?  The rules are
 * tcp_gro_receive()'s: the same ports (the IP layer has matched the
 * addresses); the same data offset, flags (but CWR, FIN and PSH), window,
 * ACK number and options; an IP ID that goes on as the flow's did; the
 * next sequence number; no more payload than the flow's first segment
 * (its MSS).  A segment with less, or with URG, PSH, RST, SYN or FIN,
 * ends its flow; so does one with CWR, before it: CWR belongs to the
 * first segment of a GSO skb (xtcp_gso_segment()).
 *
 * Return: the held skb to hand up now (its flow ends), or NULL.
 */
static struct sk_buff *xtcp_gro_receive(struct list_head *head,
					struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), thlen, len, mss = 1;
	struct sk_buff *pp = NULL, *p;
	struct xtcphdr *th, *th2;
	int flush = 1;
	u8 flags;

	th = skb_gro_header(skb, off + sizeof(*th), off);
	if (unlikely(!th))
		goto out;
	thlen = th->doff * 4;
	if (thlen < sizeof(*th))
		goto out;
	th = skb_gro_header(skb, off + thlen, off);
	if (unlikely(!th))
		goto out;
	skb_gro_pull(skb, thlen);
	len = skb_gro_len(skb);
	flags = xtcp_gro_flags(th);

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		/* A held skb's headers are linear, at the same offsets. */
		th2 = (struct xtcphdr *)(p->data + off);
		if (th->source != th2->source || th->dest != th2->dest) {
			NAPI_GRO_CB(p)->same_flow = 0;
			continue;
		}
		goto found;
	}
	p = NULL;
	goto out_check_final;

found:
	flush = NAPI_GRO_CB(p)->flush;
	flush |= !!(flags & XTCP_FLAG_CWR);
	flush |= !!((flags ^ xtcp_gro_flags(th2)) & ~XTCP_GRO_FLAGS_FREE);
	flush |= th->doff != th2->doff || th->res1 != th2->res1 ||
		 th->window != th2->window || th->ack_seq != th2->ack_seq;
	if (!flush)
		flush |= !!memcmp(th + 1, th2 + 1, thlen - sizeof(*th));

	/*
	 * The IP ID: the IP layer left in flush_id whether it goes on from
	 * the flow's; a flow of two whose IDs stay fixed (DF set) may go on
	 * with them fixed, as TCP's.
	 */
	if (NAPI_GRO_CB(p)->flush_id != 1 || NAPI_GRO_CB(p)->count != 1 ||
	    !NAPI_GRO_CB(p)->is_atomic)
		flush |= NAPI_GRO_CB(p)->flush_id;
	else
		NAPI_GRO_CB(p)->is_atomic = false;

	/* The flow's first payload is its MSS (dev_gro_receive()). */
	mss = skb_shinfo(p)->gso_size;
	flush |= skb_is_gso(skb) || len - 1 >= mss;
	flush |= ntohl(th2->seq) + skb_gro_len(p) != ntohl(th->seq);

	if (flush || xtcp_gro_merge(p, skb)) {
		mss = 1;
		goto out_check_final;
	}
	/* The merged skb ends with the segment's FIN or PSH. */
	((u8 *)th2)[13] |= flags & (XTCP_FLAG_FIN | XTCP_FLAG_PSH);

out_check_final:
	flush = len < mss || (flags & XTCP_GRO_FLAGS_END);
	if (p && (!NAPI_GRO_CB(skb)->same_flow || flush))
		pp = p;
out:
	NAPI_GRO_CB(skb)->flush |= flush;
	return pp;
}

/*
 * The merged skb, @th its header: as a local sender's GSO skb, its
 * checksum partial (the pseudo-header's part in th->check, computed by
 * the caller) and its segments counted, for the receive path, or for
 * xtcp_gso_segment() if it is forwarded.
 */
static int xtcp_gro_complete(struct sk_buff *skb, struct xtcphdr *th)
{
	skb->csum_start = (unsigned char *)th - skb->head;
	skb->csum_offset = offsetof(struct xtcphdr, check);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb_shinfo(skb)->gso_segs = NAPI_GRO_CB(skb)->count;
	skb_shinfo(skb)->gso_type |= XTCP_GSO_TYPE;
	return 0;
}

/* IPv4's gro_receive: the checksum first, unless the flow ends anyway. */
static struct sk_buff *xtcp4_gro_receive(struct list_head *head,
					 struct sk_buff *skb)
{
	if (!NAPI_GRO_CB(skb)->flush &&
	    skb_gro_checksum_validate(skb, xtcp_proto_num,
				      inet_gro_compute_pseudo)) {
		NAPI_GRO_CB(skb)->flush = 1;
		return NULL;
	}
	return xtcp_gro_receive(head, skb);
}

/* IPv4's gro_complete; @thoff: where our header is in skb->data. */
static int xtcp4_gro_complete(struct sk_buff *skb, int thoff)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct xtcphdr *th = (struct xtcphdr *)(skb->data + thoff);

	th->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr,
				       skb->len - thoff, xtcp_proto_num, 0);
	return xtcp_gro_complete(skb, th);
}

#if IS_ENABLED(CONFIG_IPV6)
static struct sk_buff *xtcp6_gro_receive(struct list_head *head,
					 struct sk_buff *skb)
{
	if (!NAPI_GRO_CB(skb)->flush &&
	    skb_gro_checksum_validate(skb, xtcp_proto_num,
				      ip6_gro_compute_pseudo)) {
		NAPI_GRO_CB(skb)->flush = 1;
		return NULL;
	}
	return xtcp_gro_receive(head, skb);
}

static int xtcp6_gro_complete(struct sk_buff *skb, int thoff)
{
	const struct ipv6hdr *iph = ipv6_hdr(skb);
	struct xtcphdr *th = (struct xtcphdr *)(skb->data + thoff);

	th->check = ~csum_ipv6_magic(&iph->saddr, &iph->daddr,
				     skb->len - thoff, xtcp_proto_num, 0);
	return xtcp_gro_complete(skb, th);
}
#endif

/* The pseudo-header of a segment in UDP: no addresses (udp.c). */
static __wsum xtcp_gro_udp_pseudo(struct sk_buff *skb, int proto)
{
	return csum_tcpudp_nofold(0, 0, skb_gro_len(skb), proto, 0);
}

/**
 * xtcp_udp_gro_receive() - gro_receive of the netns' UDP socket
 * @sk: the socket (unused: one per netns, all alike)
 * @head: the flows held, those with other UDP ports marked apart
 * @skb: a datagram to it, the UDP header pulled (skb_gro_offset() at
 *	our header)
 *
 * The segment's checksum, over the pseudo-header of zero addresses,
 * then xtcp_gro_receive() as for a plain one.  Either family's UDP calls
 * it (udp_gro_receive()).
 *
 * Context: softirq, NAPI poll, under RCU.
 * Return: the held skb to hand up now, or NULL.
 */
struct sk_buff *xtcp_udp_gro_receive(struct sock *sk, struct list_head *head,
				     struct sk_buff *skb)
{
	if (!NAPI_GRO_CB(skb)->flush &&
	    skb_gro_checksum_validate(skb, xtcp_proto_num,
				      xtcp_gro_udp_pseudo)) {
		NAPI_GRO_CB(skb)->flush = 1;
		return NULL;
	}
	return xtcp_gro_receive(head, skb);
}

/**
 * xtcp_udp_gro_complete() - gro_complete of the netns' UDP socket
 * @sk: the socket (unused)
 * @skb: the merged datagram; UDP's gro_complete has made it a UDP
 *	tunnel's GSO skb (skb->encapsulation set)
 * @thoff: where our header is in skb->data
 *
 * The inner headers as xtcp_v4_udp_xmit() sets them for its GSO skbs
 * (all at ours; the inner protocol ours), so that a router's
 * skb_udp_tunnel_segment() finds xtcp_gso_segment(), and the checksum
 * as xtcp_gro_complete() leaves it, with zero addresses.
 *
 * Context: softirq, NAPI poll, under RCU.
 * Return: 0.
 */
int xtcp_udp_gro_complete(struct sock *sk, struct sk_buff *skb, int thoff)
{
	struct xtcphdr *th = (struct xtcphdr *)(skb->data + thoff);

	th->check = ~csum_tcpudp_magic(0, 0, skb->len - thoff,
				       xtcp_proto_num, 0);
	skb_set_inner_mac_header(skb, thoff);
	skb_set_inner_network_header(skb, thoff);
	skb_set_inner_transport_header(skb, thoff);
	skb_set_inner_ipproto(skb, xtcp_proto_num);
	return xtcp_gro_complete(skb, th);
}

static const struct net_offload xtcp4_offload = {
	.callbacks = {
		.gso_segment	= xtcp_gso_segment,
		.gro_receive	= xtcp4_gro_receive,
		.gro_complete	= xtcp4_gro_complete,
	},
};

#if IS_ENABLED(CONFIG_IPV6)
static const struct net_offload xtcp6_offload = {
	.callbacks = {
		.gso_segment	= xtcp_gso_segment,
		.gro_receive	= xtcp6_gro_receive,
		.gro_complete	= xtcp6_gro_complete,
	},
};
#endif

/**
 * xtcp_offload_init() - register the offload callbacks for our protocol
 * number, GSO and GRO, with IPv4 and IPv6
 *
 * Context: process context, module init.
 * Return: 0, or -1 if the protocol number already has an offload
 * handler, for IPv4 or IPv6.
 */
int xtcp_offload_init(void)
{
	if (inet_add_offload(&xtcp4_offload, xtcp_proto_num))
		return -1;
#if IS_ENABLED(CONFIG_IPV6)
	/* IPv6 finds it by next header, as IPv4 by protocol. */
	if (inet6_add_offload(&xtcp6_offload, xtcp_proto_num)) {
		inet_del_offload(&xtcp4_offload, xtcp_proto_num);
		return -1;
	}
#endif
	return 0;
}

/**
 * xtcp_offload_exit() - unregister the offload callbacks
 *
 * Context: process context, module exit (or init's unwinding); sleeps:
 * waits for the callers still inside them.
 */
void xtcp_offload_exit(void)
{
	/* Waits for the callers still inside our callbacks. */
#if IS_ENABLED(CONFIG_IPV6)
	inet6_del_offload(&xtcp6_offload, xtcp_proto_num);
#endif
	inet_del_offload(&xtcp4_offload, xtcp_proto_num);
}
