/* SPDX-License-Identifier: GPL-2.0 */
/* What xtcp-bridge's BPF programs and its command share: the maps' types. */
#ifndef _XTCP_BRIDGE_H
#define _XTCP_BRIDGE_H

#include <linux/types.h>

#define XTCP_BRIDGE_MAX_REMOTES	256

struct xtcp_bridge_cfg {
	__u8	proto;		/* xtcp's IP protocol number; 0: bridge off */
	/*
	 * 1: only remotes in bridge_remotes (IPv4) or bridge_remotes6
	 * (IPv6), whichever is the flow's: a family with no prefix given
	 * has no flow bridged.
	 */
	__u8	remote_filter;
	__u8	pad[2];
};

/* An IPv4 prefix, the key of bridge_remotes, an LPM trie. */
struct xtcp_bridge_prefix {
	__u32	prefixlen;
	__be32	addr;
};

/* An IPv6 prefix, the key of bridge_remotes6. */
struct xtcp_bridge_prefix6 {
	__u32	prefixlen;
	__u8	addr[16];
};

/* Both families count in the same counters. */
enum xtcp_bridge_stat {
	XTCP_BRIDGE_EGRESS_REWRITTEN,
	XTCP_BRIDGE_EGRESS_PASSED,	/* xtcp, but not a bridged flow */
	XTCP_BRIDGE_EGRESS_GSO_DROPPED,
	XTCP_BRIDGE_INGRESS_REWRITTEN,
	XTCP_BRIDGE_INGRESS_PASSED,	/* TCP, but not a bridged flow */
	XTCP_BRIDGE_ERRORS,
	XTCP_BRIDGE_STAT_MAX
};

#endif /* _XTCP_BRIDGE_H */
