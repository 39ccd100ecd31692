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
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/protocol.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "xtcp.h"

static struct sk_buff *xtcp_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	struct sk_buff *segs = ERR_PTR(-EINVAL);
	unsigned int thlen, oldlen, mss, seq;
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
out:
	return segs;
}

static const struct net_offload xtcp_offload = {
	.callbacks = {
		.gso_segment	= xtcp_gso_segment,
	},
};

/**
 * xtcp_offload_init() - register the GSO callback for our protocol number
 *
 * Context: process context, module init.
 * Return: 0, or -1 if the protocol number already has an offload
 * handler, for IPv4 or IPv6.
 */
int xtcp_offload_init(void)
{
	if (inet_add_offload(&xtcp_offload, xtcp_proto_num))
		return -1;
#if IS_ENABLED(CONFIG_IPV6)
	/* IPv6 finds it by next header, as IPv4 by protocol. */
	if (inet6_add_offload(&xtcp_offload, xtcp_proto_num)) {
		inet_del_offload(&xtcp_offload, xtcp_proto_num);
		return -1;
	}
#endif
	return 0;
}

/**
 * xtcp_offload_exit() - unregister the GSO callback
 *
 * Context: process context, module exit (or init's unwinding); sleeps:
 * waits for the callers still inside xtcp_gso_segment().
 */
void xtcp_offload_exit(void)
{
	/* Waits for the callers still inside xtcp_gso_segment(). */
#if IS_ENABLED(CONFIG_IPV6)
	inet6_del_offload(&xtcp_offload, xtcp_proto_num);
#endif
	inet_del_offload(&xtcp_offload, xtcp_proto_num);
}
