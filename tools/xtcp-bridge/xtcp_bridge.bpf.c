// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-bridge's tc programs: xtcp segments leave a device as TCP, and
 * TCP segments for the named local ports arrive as xtcp.  The segments
 * are the same bytes; only IPv4's protocol field or IPv6's next header
 * changes, and with it the L4 checksum, whose pseudo-header holds that
 * number (and in IPv4 the header checksum).  Both are fixed
 * incrementally by the kernel's helpers, which know every ip_summed
 * mode: CHECKSUM_PARTIAL (the field holds the pseudo-header's sum),
 * CHECKSUM_COMPLETE (skb->csum follows the field), NONE and UNNECESSARY
 * (the field alone).
 *
 * Which flows: a local port is bridged if its byte in bridge_ports is
 * set; if cfg.remote_filter is set, the remote address must also be in
 * the prefix trie of its family, bridge_remotes or bridge_remotes6.
 * Egress rewrites xtcp's own segments (protocol cfg.proto, source port
 * bridged); ingress rewrites TCP segments whose destination port is
 * bridged.  IP fragments, IPv4 with options, IPv6 with extension headers
 * before the transport header, and anything neither IPv4 nor IPv6 over
 * Ethernet pass untouched.
 *
 * xtcp's GSO skbs are never seen here: the module sends segment by
 * segment through a device with a tc egress classifier (output.c),
 * since TCP's GSO would refuse xtcp's gso_type after the rewrite.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xtcp_bridge.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xtcp_bridge_cfg);
} bridge_cfg SEC(".maps");

/* One byte per local port: 1 if bridged. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} bridge_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XTCP_BRIDGE_MAX_REMOTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xtcp_bridge_prefix);
	__type(value, __u8);
} bridge_remotes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XTCP_BRIDGE_MAX_REMOTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xtcp_bridge_prefix6);
	__type(value, __u8);
} bridge_remotes6 SEC(".maps");

/* Segments rewritten and passed by, per direction (xtcp_bridge.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XTCP_BRIDGE_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} bridge_stats SEC(".maps");

#define IP_OFF		ETH_HLEN
#define IP_CSUM_OFF	(IP_OFF + 10)
#define IP_TTL_OFF	(IP_OFF + 8)
#define IP_PROTO_OFF	(IP_OFF + 9)
#define L4_OFF		(IP_OFF + 20)
#define L4_CSUM_OFF	(L4_OFF + 16)
/* Ethernet, IPv4 without options, the TCP header up to its checksum. */
#define HDRS_LEN	(L4_OFF + 18)
#define IP6_NEXTHDR_OFF	(IP_OFF + 6)
#define L4_OFF6		(IP_OFF + 40)
#define L4_CSUM_OFF6	(L4_OFF6 + 16)
/* Ethernet, the IPv6 header, the TCP header up to its checksum. */
#define HDRS_LEN6	(L4_OFF6 + 18)

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&bridge_stats, &which);

	if (v)
		*v += 1;
}

static __always_inline int port_bridged(__u16 port)
{
	__u32 key = port;
	__u8 *on = bpf_map_lookup_elem(&bridge_ports, &key);

	return on && *on;
}

static __always_inline int remote_bridged(const struct xtcp_bridge_cfg *cfg,
					  __be32 addr)
{
	struct xtcp_bridge_prefix key = { .prefixlen = 32, .addr = addr };

	return !cfg->remote_filter || bpf_map_lookup_elem(&bridge_remotes, &key);
}

static __always_inline int remote6_bridged(const struct xtcp_bridge_cfg *cfg,
					   const struct in6_addr *addr)
{
	struct xtcp_bridge_prefix6 key = { .prefixlen = 128 };

	if (!cfg->remote_filter)
		return 1;
	__builtin_memcpy(key.addr, addr, sizeof(key.addr));
	return !!bpf_map_lookup_elem(&bridge_remotes6, &key);
}

/*
 * The IPv4 header of an Ethernet frame, if it is one we may rewrite:
 * IPv4, no options, not a fragment, the L4 header's first 18 bytes in
 * the linear data.  Pulls them there if need be.
 */
static __always_inline struct iphdr *ipv4_of(struct __sk_buff *skb)
{
	void *data, *end;
	struct ethhdr *eth;
	struct iphdr *ip;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return NULL;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + HDRS_LEN > end && bpf_skb_pull_data(skb, HDRS_LEN))
		return NULL;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + HDRS_LEN > end)
		return NULL;
	eth = data;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	ip = data + IP_OFF;
	if (ip->version != 4 || ip->ihl != 5 ||
	    (ip->frag_off & bpf_htons(0x3fff)))	/* MF or an offset */
		return NULL;
	return ip;
}

/*
 * The IPv6 header of an Ethernet frame, if it is one we may rewrite: the
 * L4 header's first 18 bytes in the linear data, pulled there if need
 * be.  Whether the transport header follows it directly (no extension
 * header, no fragment) is the caller's test of nexthdr.
 */
static __always_inline struct ipv6hdr *ipv6_of(struct __sk_buff *skb)
{
	void *data, *end;
	struct ethhdr *eth;
	struct ipv6hdr *ip6;

	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return NULL;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + HDRS_LEN6 > end && bpf_skb_pull_data(skb, HDRS_LEN6))
		return NULL;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + HDRS_LEN6 > end)
		return NULL;
	eth = data;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return NULL;
	ip6 = data + IP_OFF;
	if (ip6->version != 6)
		return NULL;
	return ip6;
}

/* IPv4's protocol @from becomes @to, both checksums following. */
static __always_inline int rewrite(struct __sk_buff *skb, __u8 from, __u8 to)
{
	__u16 old_word, new_word;
	__u8 ttl;

	if (bpf_skb_load_bytes(skb, IP_TTL_OFF, &ttl, 1))
		return -1;
	/* TTL and protocol form one 16-bit word of the header checksum. */
	old_word = bpf_htons((__u16)ttl << 8 | from);
	new_word = bpf_htons((__u16)ttl << 8 | to);
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_word, new_word, 2))
		return -1;
	if (bpf_l4_csum_replace(skb, L4_CSUM_OFF, bpf_htons(from),
				bpf_htons(to), BPF_F_PSEUDO_HDR | 2))
		return -1;
	return bpf_skb_store_bytes(skb, IP_PROTO_OFF, &to, 1, 0);
}

/*
 * IPv6's next header @from becomes @to.  IPv6 has no header checksum.
 * The pseudo-header holds the next header as the low byte of a 32-bit
 * word, zeros above it: as 16-bit words 0 and htons(@from), the same
 * word IPv4's zero byte and protocol make, so the L4 fix is rewrite()'s.
 * On ingress, CHECKSUM_COMPLETE's skb->csum also covers the IPv6 header
 * (ip6_protocol_deliver_rcu() pulls it with skb_postpull_rcsum()), and
 * no header checksum cancels the byte's change as in IPv4: the store
 * updates skb->csum (BPF_F_RECOMPUTE_CSUM; nothing in the other modes).
 */
static __always_inline int rewrite6(struct __sk_buff *skb, __u8 from, __u8 to)
{
	if (bpf_l4_csum_replace(skb, L4_CSUM_OFF6, bpf_htons(from),
				bpf_htons(to), BPF_F_PSEUDO_HDR | 2))
		return -1;
	return bpf_skb_store_bytes(skb, IP6_NEXTHDR_OFF, &to, 1,
				   BPF_F_RECOMPUTE_CSUM);
}

/*
 * Both directions: on @egress, xtcp's segments from a bridged local port
 * (the source) become TCP's; on ingress, TCP's to one (the destination)
 * become xtcp's.  IPv4 and IPv6 alike, counted together.
 */
static __always_inline int bridge(struct __sk_buff *skb, int egress)
{
	struct xtcp_bridge_cfg *cfg;
	__u8 from, to;
	__u32 zero = 0;
	struct ipv6hdr *ip6 = NULL;
	struct iphdr *ip = NULL;
	__be16 *ports;
	int remote_ok;

	cfg = bpf_map_lookup_elem(&bridge_cfg, &zero);
	if (!cfg || !cfg->proto)
		return TC_ACT_OK;
	from = egress ? cfg->proto : IPPROTO_TCP;
	to = egress ? IPPROTO_TCP : cfg->proto;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		ip = ipv4_of(skb);
		if (!ip || ip->protocol != from)
			return TC_ACT_OK;
		ports = (void *)(ip + 1);
		remote_ok = remote_bridged(cfg, egress ? ip->daddr : ip->saddr);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		ip6 = ipv6_of(skb);
		/* An extension header or a fragment's has another number. */
		if (!ip6 || ip6->nexthdr != from)
			return TC_ACT_OK;
		ports = (void *)(ip6 + 1);
		remote_ok = remote6_bridged(cfg, egress ? &ip6->daddr :
							  &ip6->saddr);
	} else {
		return TC_ACT_OK;
	}
	if (!port_bridged(bpf_ntohs(ports[egress ? 0 : 1])) || !remote_ok) {
		count(egress ? XTCP_BRIDGE_EGRESS_PASSED : XTCP_BRIDGE_INGRESS_PASSED);
		return TC_ACT_OK;
	}
	if (egress && skb->gso_segs > 1) {
		/* Cannot be made TCP's: dropped, and counted. */
		count(XTCP_BRIDGE_EGRESS_GSO_DROPPED);
		return TC_ACT_SHOT;
	}
	if (ip6 ? rewrite6(skb, from, to) : rewrite(skb, from, to)) {
		count(XTCP_BRIDGE_ERRORS);
		return TC_ACT_SHOT;
	}
	count(egress ? XTCP_BRIDGE_EGRESS_REWRITTEN : XTCP_BRIDGE_INGRESS_REWRITTEN);
	return TC_ACT_OK;
}

SEC("tc")
int xtcp_bridge_egress(struct __sk_buff *skb)
{
	return bridge(skb, 1);
}

SEC("tc")
int xtcp_bridge_ingress(struct __sk_buff *skb)
{
	return bridge(skb, 0);
}

char LICENSE[] SEC("license") = "GPL";
