// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-bridge's tc programs: xtcp segments leave a device as TCP, and
 * TCP segments for the named local ports arrive as xtcp.  The segments
 * are the same bytes; only the IPv4 protocol field changes, and with it
 * the IPv4 header checksum and the L4 checksum, whose pseudo-header
 * holds the protocol number.  Both are fixed incrementally by the
 * kernel's helpers, which know every ip_summed mode: CHECKSUM_PARTIAL
 * (the field holds the pseudo-header's sum), CHECKSUM_COMPLETE (skb->csum
 * follows the field), NONE and UNNECESSARY (the field alone).
 *
 * Which flows: a local port is bridged if its byte in bridge_ports is
 * set; if cfg.remote_filter is set, the remote address must also be in
 * the bridge_remotes prefix trie.  Egress rewrites xtcp's own segments
 * (protocol cfg.proto, source port bridged); ingress rewrites TCP
 * segments whose destination port is bridged.  IP fragments, IPv4 with
 * options and anything not IPv4 over Ethernet pass untouched.
 *
 * xtcp's GSO skbs are never seen here: the module sends segment by
 * segment through a device with a tc egress classifier (output.c),
 * since TCP's GSO would refuse xtcp's gso_type after the rewrite.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
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
#define L4_OFF		(IP_OFF + 20)
#define L4_CSUM_OFF	(L4_OFF + 16)
/* Ethernet, IPv4 without options, the TCP header up to its checksum. */
#define HDRS_LEN	(L4_OFF + 18)

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

/* Protocol @from becomes @to, both checksums following. */
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
	return bpf_skb_store_bytes(skb, IP_OFF + 9, &to, 1, 0);
}

/*
 * Both directions: on @egress, xtcp's segments from a bridged local port
 * (the source) become TCP's; on ingress, TCP's to one (the destination)
 * become xtcp's.
 */
static __always_inline int bridge(struct __sk_buff *skb, int egress)
{
	struct xtcp_bridge_cfg *cfg;
	__u8 from, to;
	__u32 zero = 0;
	struct iphdr *ip;
	__be16 *ports;

	cfg = bpf_map_lookup_elem(&bridge_cfg, &zero);
	if (!cfg || !cfg->proto)
		return TC_ACT_OK;
	from = egress ? cfg->proto : IPPROTO_TCP;
	to = egress ? IPPROTO_TCP : cfg->proto;
	ip = ipv4_of(skb);
	if (!ip || ip->protocol != from)
		return TC_ACT_OK;
	ports = (void *)(ip + 1);
	if (!port_bridged(bpf_ntohs(ports[egress ? 0 : 1])) ||
	    !remote_bridged(cfg, egress ? ip->daddr : ip->saddr)) {
		count(egress ? XTCP_BRIDGE_EGRESS_PASSED : XTCP_BRIDGE_INGRESS_PASSED);
		return TC_ACT_OK;
	}
	if (egress && skb->gso_segs > 1) {
		/* Cannot be made TCP's: dropped, and counted. */
		count(XTCP_BRIDGE_EGRESS_GSO_DROPPED);
		return TC_ACT_SHOT;
	}
	if (rewrite(skb, from, to)) {
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
