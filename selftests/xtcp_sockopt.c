// SPDX-License-Identifier: GPL-2.0
/*
 * Every SOL_SOCKET and SOL_IP option number of Linux 6.1 on an xtcp
 * socket, and every SOL_IPV6 one on an AF_INET6 xtcp socket, next to the
 * same calls on a kernel TCP socket of its family in the same state
 * (fresh, listening, connected, accepted): getsockopt with a 256-byte
 * buffer, setsockopt with what was read back (or a plausible value), a
 * value set and read back and undone, a zeroed struct of the option's
 * size, and optlen 0 with an empty buffer (the shape of the IP_OPTIONS
 * call that once reached a NULL icsk_sync_mss).  Return code, errno and
 * what getsockopt returns must be TCP's, but for the exceptions listed
 * in excepts[].  Afterwards the socket must still carry 64 KiB each way.
 *
 * The calls run in a worker process: a call that kills the kernel's
 * side of it (an Oops leaves the worker dying, or stuck in its exit with
 * the socket lock held) is reported by option and step, and a new
 * worker with new sockets goes on from the next option.
 *
 * XTCP_ONLY=word,word runs only the tests whose names (e.g.
 * "sockopt.connected.sol_ip") contain a word; XTCP_PROTO=6 runs kernel
 * TCP on both sides (the reference run).
 */
#include <linux/filter.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

/* SOL_IP numbers of 6.1 that glibc 2.36 does not have. */
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE	51
#endif
#ifndef IP_PROTOCOL
#define IP_PROTOCOL		52
#endif
#ifndef IP_RECVERR_RFC4884
#define IP_RECVERR_RFC4884	26
#endif
#ifndef IP_RECVFRAGSIZE
#define IP_RECVFRAGSIZE		25
#endif
#ifndef IP_CHECKSUM
#define IP_CHECKSUM		23
#endif

/* SOL_IPV6 numbers of 6.1, in case glibc's headers lack them. */
#ifndef IPV6_CHECKSUM
#define IPV6_CHECKSUM		7
#endif
#ifndef IPV6_NEXTHOP
#define IPV6_NEXTHOP		9
#endif
#ifndef IPV6_AUTHHDR
#define IPV6_AUTHHDR		10
#endif
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO		11
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL	29
#endif
#ifndef IPV6_ROUTER_ALERT_ISOLATE
#define IPV6_ROUTER_ALERT_ISOLATE 30
#endif
#ifndef IPV6_RECVERR_RFC4884
#define IPV6_RECVERR_RFC4884	31
#endif
#ifndef IPV6_FLOWLABEL_MGR
#define IPV6_FLOWLABEL_MGR	32
#endif
#ifndef IPV6_FLOWINFO_SEND
#define IPV6_FLOWINFO_SEND	33
#endif
#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL		36
#endif
#ifndef IPV6_AUTOFLOWLABEL
#define IPV6_AUTOFLOWLABEL	70
#endif
#ifndef IPV6_ADDR_PREFERENCES
#define IPV6_ADDR_PREFERENCES	72
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT	73
#endif
#ifndef IPV6_ORIGDSTADDR
#define IPV6_ORIGDSTADDR	74
#endif
#ifndef IPV6_TRANSPARENT
#define IPV6_TRANSPARENT	75
#endif
#ifndef IPV6_UNICAST_IF
#define IPV6_UNICAST_IF		76
#endif
#ifndef IPV6_RECVFRAGSIZE
#define IPV6_RECVFRAGSIZE	77
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND		78
#endif

/* SOL_SOCKET numbers, in case the installed uapi headers are older. */
#ifndef SO_INCOMING_NAPI_ID
#define SO_INCOMING_NAPI_ID	56
#endif
#ifndef SO_COOKIE
#define SO_COOKIE		57
#endif
#ifndef SCM_TIMESTAMPING_PKTINFO
#define SCM_TIMESTAMPING_PKTINFO 58
#endif
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS		59
#endif
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY		60
#endif
#ifndef SO_TXTIME
#define SO_TXTIME		61
#endif
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX	62
#endif
#ifndef SO_TIMESTAMP_NEW
#define SO_TIMESTAMP_NEW	63
#define SO_TIMESTAMPNS_NEW	64
#define SO_TIMESTAMPING_NEW	65
#define SO_RCVTIMEO_NEW		66
#define SO_SNDTIMEO_NEW		67
#endif
#ifndef SO_DETACH_REUSEPORT_BPF
#define SO_DETACH_REUSEPORT_BPF	68
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL	69
#define SO_BUSY_POLL_BUDGET	70
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE		71
#endif
#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK		72
#endif
#ifndef SO_RESERVE_MEM
#define SO_RESERVE_MEM		73
#endif
#ifndef SO_TXREHASH
#define SO_TXREHASH		74
#endif
#ifndef SO_RCVMARK
#define SO_RCVMARK		75
#endif

/* ---- the options ---- */

enum kind {
	K_INT,		/* an int: set what get read, optlen 4 */
	K_BOOL,		/* an int flag: also set to 1, read back, undone */
	K_BUF,		/* a struct or bytes: set what get read, then zeroed */
};

#define F_FIXED	1	/* set .dflt, not what get read */

struct opt {
	int level, name;
	const char *str;
	enum kind kind;
	int size;		/* K_BUF: bytes of the zeroed struct */
	int flags;
	int dflt;		/* set when get failed (0: 1) or with F_FIXED */
	int probe;		/* K_INT: set, read back and undone (0: none) */
	const char *bytes;	/* K_BUF: set instead of what get read */
	int nbytes;
};

#define SO(n, ...)	{ SOL_SOCKET, n, #n, __VA_ARGS__ }
#define IP(n, ...)	{ SOL_IP, n, #n, __VA_ARGS__ }
#define IP6(n, ...)	{ SOL_IPV6, n, #n, __VA_ARGS__ }

/* Sizes of the kernel's structs (x86_64). */
#define SZ_TIMEVAL	16	/* struct timeval, __kernel_sock_timeval */
#define SZ_FPROG	((int)sizeof(struct sock_fprog))
#define SZ_TSTAMPING	8	/* struct so_timestamping */
#define SZ_TXTIME	8	/* struct sock_txtime */
#define SZ_MEMINFO	36	/* u32[SK_MEMINFO_VARS] */
#define SZ_MREQN	((int)sizeof(struct ip_mreqn))
#define SZ_MREQ_SRC	((int)sizeof(struct ip_mreq_source))
#define SZ_MREQ6	((int)sizeof(struct ipv6_mreq))
#define SZ_FLREQ	32	/* struct in6_flowlabel_req */
#define SZ_MTUINFO	32	/* struct ip6_mtuinfo */
#define SZ_PKTINFO6	20	/* struct in6_pktinfo */
#define SZ_EXTHDR	8	/* the smallest extension header */

/*
 * Every SOL_SOCKET number 1-75, every SOL_IP number of 6.1's in.h and
 * every SOL_IPV6 number of its in6.h.
 */
static const struct opt opts[] = {
	SO(SO_DEBUG, K_BOOL),
	SO(SO_REUSEADDR, K_BOOL),
	SO(SO_TYPE, K_INT),
	SO(SO_ERROR, K_INT),
	SO(SO_DONTROUTE, K_BOOL),
	SO(SO_BROADCAST, K_BOOL),
	/* A fixed size, not the read one: both then read back the same. */
	SO(SO_SNDBUF, K_INT, .flags = F_FIXED, .dflt = 65536),
	SO(SO_RCVBUF, K_INT, .flags = F_FIXED, .dflt = 65536),
	SO(SO_KEEPALIVE, K_BOOL),
	SO(SO_OOBINLINE, K_BOOL),
	SO(SO_NO_CHECK, K_BOOL),
	SO(SO_PRIORITY, K_INT, .probe = 3),
	SO(SO_LINGER, K_BUF, .size = sizeof(struct linger)),
	SO(SO_BSDCOMPAT, K_BOOL),
	SO(SO_REUSEPORT, K_BOOL),
	SO(SO_PASSCRED, K_BOOL),
	SO(SO_PEERCRED, K_BUF, .size = sizeof(struct ucred)),
	SO(SO_RCVLOWAT, K_INT, .probe = 16),
	SO(SO_SNDLOWAT, K_INT, .probe = 16),
	SO(SO_RCVTIMEO_OLD, K_BUF, .size = SZ_TIMEVAL),
	SO(SO_SNDTIMEO_OLD, K_BUF, .size = SZ_TIMEVAL),
	SO(SO_SECURITY_AUTHENTICATION, K_INT),
	SO(SO_SECURITY_ENCRYPTION_TRANSPORT, K_INT),
	SO(SO_SECURITY_ENCRYPTION_NETWORK, K_INT),
	SO(SO_BINDTODEVICE, K_BUF, .size = IFNAMSIZ),
	/* Also SO_GET_FILTER. */
	SO(SO_ATTACH_FILTER, K_BUF, .size = SZ_FPROG),
	/* Also SO_DETACH_BPF. */
	SO(SO_DETACH_FILTER, K_INT),
	SO(SO_PEERNAME, K_BUF, .size = sizeof(struct sockaddr_in)),
	SO(SO_TIMESTAMP_OLD, K_BOOL),
	SO(SO_ACCEPTCONN, K_INT),
	SO(SO_PEERSEC, K_BUF, .size = 64),
	/* Get fails (ENOPROTOOPT): a plausible size, not 1. */
	SO(SO_SNDBUFFORCE, K_INT, .flags = F_FIXED, .dflt = 262144),
	SO(SO_RCVBUFFORCE, K_INT, .flags = F_FIXED, .dflt = 262144),
	SO(SO_PASSSEC, K_BOOL),
	SO(SO_TIMESTAMPNS_OLD, K_BOOL),
	SO(SO_MARK, K_INT, .probe = 7),
	SO(SO_TIMESTAMPING_OLD, K_BUF, .size = SZ_TSTAMPING),
	SO(SO_PROTOCOL, K_INT),
	SO(SO_DOMAIN, K_INT),
	SO(SO_RXQ_OVFL, K_BOOL),
	SO(SO_WIFI_STATUS, K_BOOL),
	SO(SO_PEEK_OFF, K_INT),
	SO(SO_NOFCS, K_BOOL),
	/* No probe: a locked filter cannot be unlocked. */
	SO(SO_LOCK_FILTER, K_INT),
	SO(SO_SELECT_ERR_QUEUE, K_BOOL),
	SO(SO_BUSY_POLL, K_INT, .probe = 50),
	SO(SO_MAX_PACING_RATE, K_INT, .probe = 1000000),
	SO(SO_BPF_EXTENSIONS, K_INT),
	SO(SO_INCOMING_CPU, K_INT),
	/* File descriptors: -1, not stdout. */
	SO(SO_ATTACH_BPF, K_INT, .dflt = -1),
	SO(SO_ATTACH_REUSEPORT_CBPF, K_BUF, .size = SZ_FPROG),
	SO(SO_ATTACH_REUSEPORT_EBPF, K_INT, .dflt = -1),
	SO(SO_CNX_ADVICE, K_INT),
	/* A cmsg type, not an option: ENOPROTOOPT either way. */
	SO(SCM_TIMESTAMPING_OPT_STATS, K_INT),
	SO(SO_MEMINFO, K_BUF, .size = SZ_MEMINFO),
	SO(SO_INCOMING_NAPI_ID, K_INT),
	SO(SO_COOKIE, K_INT),
	/* A cmsg type, not an option: ENOPROTOOPT either way. */
	SO(SCM_TIMESTAMPING_PKTINFO, K_INT),
	SO(SO_PEERGROUPS, K_BUF, .size = 64),
	SO(SO_ZEROCOPY, K_BOOL),
	SO(SO_TXTIME, K_BUF, .size = SZ_TXTIME),
	SO(SO_BINDTOIFINDEX, K_INT),
	SO(SO_TIMESTAMP_NEW, K_BOOL),
	SO(SO_TIMESTAMPNS_NEW, K_BOOL),
	SO(SO_TIMESTAMPING_NEW, K_BUF, .size = SZ_TSTAMPING),
	SO(SO_RCVTIMEO_NEW, K_BUF, .size = SZ_TIMEVAL),
	SO(SO_SNDTIMEO_NEW, K_BUF, .size = SZ_TIMEVAL),
	SO(SO_DETACH_REUSEPORT_BPF, K_INT),
	SO(SO_PREFER_BUSY_POLL, K_BOOL),
	SO(SO_BUSY_POLL_BUDGET, K_INT, .probe = 16),
	SO(SO_NETNS_COOKIE, K_INT),
	SO(SO_BUF_LOCK, K_INT, .probe = 3),
	SO(SO_RESERVE_MEM, K_INT),
	SO(SO_TXREHASH, K_INT, .probe = 1),
	SO(SO_RCVMARK, K_BOOL),

	IP(IP_TOS, K_INT, .probe = 0x10),
	IP(IP_TTL, K_INT, .probe = 32),
	IP(IP_HDRINCL, K_BOOL),
	/* Four NOPs, read back; then 40 zero bytes (EOL); then "", 0. */
	IP(IP_OPTIONS, K_BUF, .size = 40, .bytes = "\x01\x01\x01\x01", .nbytes = 4),
	IP(IP_ROUTER_ALERT, K_BOOL),
	IP(IP_RECVOPTS, K_BOOL),
	IP(IP_RETOPTS, K_BOOL),
	IP(IP_PKTINFO, K_BOOL),
	IP(IP_PKTOPTIONS, K_INT),
	IP(IP_MTU_DISCOVER, K_INT, .probe = IP_PMTUDISC_DO),
	IP(IP_RECVERR, K_BOOL),
	IP(IP_RECVTTL, K_BOOL),
	IP(IP_RECVTOS, K_BOOL),
	IP(IP_MTU, K_INT),
	IP(IP_FREEBIND, K_BOOL),
	IP(IP_IPSEC_POLICY, K_BUF, .size = 16),
	IP(IP_XFRM_POLICY, K_BUF, .size = 16),
	IP(IP_PASSSEC, K_BOOL),
	IP(IP_TRANSPARENT, K_BOOL),
	IP(IP_ORIGDSTADDR, K_BOOL),
	IP(IP_MINTTL, K_INT, .probe = 1),
	IP(IP_NODEFRAG, K_BOOL),
	IP(IP_CHECKSUM, K_BOOL),
	IP(IP_BIND_ADDRESS_NO_PORT, K_BOOL),
	IP(IP_RECVFRAGSIZE, K_BOOL),
	IP(IP_RECVERR_RFC4884, K_BOOL),
	IP(IP_MULTICAST_IF, K_BUF, .size = SZ_MREQN),
	IP(IP_MULTICAST_TTL, K_INT, .probe = 2),
	IP(IP_MULTICAST_LOOP, K_BOOL),
	IP(IP_ADD_MEMBERSHIP, K_BUF, .size = SZ_MREQN),
	IP(IP_DROP_MEMBERSHIP, K_BUF, .size = SZ_MREQN),
	IP(IP_UNBLOCK_SOURCE, K_BUF, .size = SZ_MREQ_SRC),
	IP(IP_BLOCK_SOURCE, K_BUF, .size = SZ_MREQ_SRC),
	IP(IP_ADD_SOURCE_MEMBERSHIP, K_BUF, .size = SZ_MREQ_SRC),
	IP(IP_DROP_SOURCE_MEMBERSHIP, K_BUF, .size = SZ_MREQ_SRC),
	IP(IP_MSFILTER, K_BUF, .size = sizeof(struct ip_msfilter)),
	IP(MCAST_JOIN_GROUP, K_BUF, .size = sizeof(struct group_req)),
	IP(MCAST_BLOCK_SOURCE, K_BUF, .size = sizeof(struct group_source_req)),
	IP(MCAST_UNBLOCK_SOURCE, K_BUF, .size = sizeof(struct group_source_req)),
	IP(MCAST_LEAVE_GROUP, K_BUF, .size = sizeof(struct group_req)),
	IP(MCAST_JOIN_SOURCE_GROUP, K_BUF, .size = sizeof(struct group_source_req)),
	IP(MCAST_LEAVE_SOURCE_GROUP, K_BUF, .size = sizeof(struct group_source_req)),
	IP(MCAST_MSFILTER, K_BUF, .size = sizeof(struct group_filter)),
	IP(IP_MULTICAST_ALL, K_BOOL),
	IP(IP_UNICAST_IF, K_INT),
	IP(IP_LOCAL_PORT_RANGE, K_INT, .probe = (int)(40000u | 50000u << 16)),
	IP(IP_PROTOCOL, K_INT),

	/* To AF_INET: TCP's converts a v4-mapped connection only. */
	IP6(IPV6_ADDRFORM, K_INT, .flags = F_FIXED, .dflt = AF_INET),
	IP6(IPV6_2292PKTINFO, K_BOOL),
	IP6(IPV6_2292HOPOPTS, K_BOOL),
	IP6(IPV6_2292DSTOPTS, K_BOOL),
	IP6(IPV6_2292RTHDR, K_BOOL),
	IP6(IPV6_2292PKTOPTIONS, K_BUF, .size = 16),
	IP6(IPV6_CHECKSUM, K_INT),
	IP6(IPV6_2292HOPLIMIT, K_BOOL),
	IP6(IPV6_NEXTHOP, K_BUF, .size = sizeof(struct sockaddr_in6)),
	IP6(IPV6_AUTHHDR, K_BOOL),
	IP6(IPV6_FLOWINFO, K_BOOL),
	IP6(IPV6_UNICAST_HOPS, K_INT, .probe = 32),
	IP6(IPV6_MULTICAST_IF, K_INT),
	IP6(IPV6_MULTICAST_HOPS, K_INT, .probe = 2),
	IP6(IPV6_MULTICAST_LOOP, K_BOOL),
	IP6(IPV6_ADD_MEMBERSHIP, K_BUF, .size = SZ_MREQ6),
	IP6(IPV6_DROP_MEMBERSHIP, K_BUF, .size = SZ_MREQ6),
	IP6(IPV6_ROUTER_ALERT, K_INT),
	IP6(IPV6_MTU_DISCOVER, K_INT, .probe = IPV6_PMTUDISC_DO),
	IP6(IPV6_MTU, K_INT, .probe = 1280),
	IP6(IPV6_RECVERR, K_BOOL),
	/* Settable before bind() only: EINVAL in the other states. */
	IP6(IPV6_V6ONLY, K_BOOL),
	IP6(IPV6_JOIN_ANYCAST, K_BUF, .size = SZ_MREQ6),
	IP6(IPV6_LEAVE_ANYCAST, K_BUF, .size = SZ_MREQ6),
	IP6(IPV6_MULTICAST_ALL, K_BOOL),
	IP6(IPV6_ROUTER_ALERT_ISOLATE, K_BOOL),
	IP6(IPV6_RECVERR_RFC4884, K_BOOL),
	IP6(IPV6_FLOWLABEL_MGR, K_BUF, .size = SZ_FLREQ),
	IP6(IPV6_FLOWINFO_SEND, K_BOOL),
	IP6(IPV6_IPSEC_POLICY, K_BUF, .size = 16),
	IP6(IPV6_XFRM_POLICY, K_BUF, .size = 16),
	IP6(IPV6_HDRINCL, K_BOOL),
	IP6(MCAST_JOIN_GROUP, K_BUF, .size = sizeof(struct group_req)),
	IP6(MCAST_BLOCK_SOURCE, K_BUF, .size = sizeof(struct group_source_req)),
	IP6(MCAST_UNBLOCK_SOURCE, K_BUF, .size = sizeof(struct group_source_req)),
	IP6(MCAST_LEAVE_GROUP, K_BUF, .size = sizeof(struct group_req)),
	IP6(MCAST_JOIN_SOURCE_GROUP, K_BUF, .size = sizeof(struct group_source_req)),
	IP6(MCAST_LEAVE_SOURCE_GROUP, K_BUF, .size = sizeof(struct group_source_req)),
	IP6(MCAST_MSFILTER, K_BUF, .size = sizeof(struct group_filter)),
	IP6(IPV6_RECVPKTINFO, K_BOOL),
	IP6(IPV6_PKTINFO, K_BUF, .size = SZ_PKTINFO6),
	IP6(IPV6_RECVHOPLIMIT, K_BOOL),
	IP6(IPV6_HOPLIMIT, K_INT),
	IP6(IPV6_RECVHOPOPTS, K_BOOL),
	/*
	 * Sticky extension headers: read back empty and set so; then an
	 * empty 8-byte one (Pad1s), which later segments carry: the 64 KiB
	 * each way afterwards must fit the MSS around it.
	 */
	IP6(IPV6_HOPOPTS, K_BUF, .size = SZ_EXTHDR),
	IP6(IPV6_RTHDRDSTOPTS, K_BUF, .size = SZ_EXTHDR),
	IP6(IPV6_RECVRTHDR, K_BOOL),
	IP6(IPV6_RTHDR, K_BUF, .size = SZ_EXTHDR),
	IP6(IPV6_RECVDSTOPTS, K_BOOL),
	IP6(IPV6_DSTOPTS, K_BUF, .size = SZ_EXTHDR),
	IP6(IPV6_RECVPATHMTU, K_BOOL),
	IP6(IPV6_PATHMTU, K_BUF, .size = SZ_MTUINFO),
	IP6(IPV6_DONTFRAG, K_BOOL),
	IP6(IPV6_RECVTCLASS, K_BOOL),
	IP6(IPV6_TCLASS, K_INT, .probe = 0x10),
	IP6(IPV6_AUTOFLOWLABEL, K_BOOL),
	IP6(IPV6_ADDR_PREFERENCES, K_INT, .probe = 0x2),
	IP6(IPV6_MINHOPCOUNT, K_INT, .probe = 1),
	IP6(IPV6_ORIGDSTADDR, K_BOOL),
	IP6(IPV6_TRANSPARENT, K_BOOL),
	IP6(IPV6_UNICAST_IF, K_INT),
	IP6(IPV6_RECVFRAGSIZE, K_BOOL),
	IP6(IPV6_FREEBIND, K_BOOL),
};

#define NOPTS	ARRAY_SIZE(opts)
#define MAXOPTS	224

/* ---- the calls made on each option ---- */

enum step {
	S_GET,		/* getsockopt, 256 bytes */
	S_SETVAL,	/* setsockopt with what get read, or a plausible value */
	S_GETBACK,	/* getsockopt after it */
	S_PROBE,	/* setsockopt with K_BOOL's 1 or K_INT's .probe */
	S_GETPROBE,	/* getsockopt after it */
	S_RESTORE,	/* setsockopt with what S_GET read */
	S_SETZERO,	/* K_BUF: setsockopt with a zeroed struct */
	S_SETEMPTY,	/* setsockopt(fd, level, name, "", 0) */
	NSTEPS
};

#define B(s)		(1u << (s))
#define ALL_STEPS	(B(NSTEPS) - 1)
#define GET_STEPS	(B(S_GET) | B(S_GETBACK) | B(S_GETPROBE))

static const char *const step_name[NSTEPS] = {
	"getsockopt(256)", "setsockopt(value)", "getsockopt after set",
	"setsockopt(probe value)", "getsockopt after probe",
	"setsockopt(restore)", "setsockopt(zeroed struct)", "setsockopt(\"\", 0)",
};

enum state { ST_FRESH, ST_LISTENING, ST_CONNECTED, ST_ACCEPTED, NSTATES };

static const char *const state_name[NSTATES] = {
	"fresh", "listening", "connected", "accepted",
};

#define CONNECTED_STATES	(B(ST_CONNECTED) | B(ST_ACCEPTED))

/* ---- differences from TCP that are expected ---- */

enum ex_kind {
	EX_VALUE,	/* what getsockopt returns may differ (not rc, not len) */
	EX_XERRNO,	/* xtcp's set fails with .err; its gets read its own values */
	EX_PROTO,	/* getsockopt returns the socket's own protocol number */
};

static const struct except {
	int level, name;
	unsigned int states;	/* 0: all */
	unsigned int steps;	/* 0: all */
	enum ex_kind kind;
	int err;
	const char *why;
} excepts[] = {
	{ SOL_SOCKET, SO_PROTOCOL, 0, 0, EX_PROTO, 0,
	  "sk_protocol: 253 (or the proto= load parameter) against 6" },
	{ SOL_SOCKET, SO_COOKIE, 0, 0, EX_VALUE, 0,
	  "a number unique to each socket" },
	{ SOL_SOCKET, SO_INCOMING_CPU, 0, 0, EX_VALUE, 0,
	  "the CPU that last received for the socket" },
	{ SOL_SOCKET, SO_INCOMING_NAPI_ID, 0, 0, EX_VALUE, 0,
	  "the NAPI instance that last received for the socket" },
	{ SOL_SOCKET, SO_MEMINFO, 0, 0, EX_VALUE, 0,
	  "the socket's queues and memory accounting at that moment" },
	{ SOL_SOCKET, SO_PEERNAME, 0, 0, EX_VALUE, 0,
	  "the peer's address: the two connections have different ports" },
	{ SOL_IP, IP_PROTOCOL, 0, 0, EX_VALUE, 0,
	  "6.1 returns inet_num, which for a bound stream socket is its port" },
	{ SOL_SOCKET, SO_RCVBUF, CONNECTED_STATES, B(S_GET), EX_VALUE, 0,
	  "grown after the handshake by each protocol's own sizing" },
	{ SOL_SOCKET, SO_ZEROCOPY, 0,
	  B(S_SETVAL) | B(S_PROBE) | B(S_GETPROBE) | B(S_RESTORE), EX_XERRNO, EOPNOTSUPP,
	  "sk_setsockopt() allows it only for IPPROTO_TCP and IPPROTO_UDP" },
};

static const struct except *find_except(const struct opt *o, int state, int step)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(excepts); i++) {
		const struct except *e = &excepts[i];

		if (e->level != o->level || e->name != o->name)
			continue;
		if (e->states && !(e->states & B(state)))
			continue;
		if (e->steps && !(e->steps & B(step)))
			continue;
		if (e->kind != EX_VALUE && is_tcp())
			continue;
		return e;
	}
	return NULL;
}

/* ---- what the worker records, in memory shared with the test ---- */

#define VALMAX	64

struct res {
	int ran;
	int rc, err;
	int len;		/* get: optlen returned; set: optlen passed */
	unsigned char val[VALMAX];	/* get: read; set: passed */
};

struct shared {
	/* The call in progress (side 0 is xtcp, 1 is TCP). */
	int cur, step, side;
	int setup_done, swept, left;
	/* Set by the test: the step (+1) and side at which a worker died. */
	int crash_step[MAXOPTS], crash_side[MAXOPTS];
	int xfer_ok[2];
	char msg[256], xfer_msg[2][256];
	struct res r[MAXOPTS][NSTEPS][2];
};

/* What one worker does. */
struct run {
	enum state state;
	int level;
	int name;		/* -1: every option of the level */
	unsigned int steps;
	int port;		/* ports port .. port + 3 are this worker's */
};

static int wanted(const struct run *run, int i)
{
	return opts[i].level == run->level &&
	       (run->name < 0 || opts[i].name == run->name);
}

static void mark(struct shared *sh, int i, int step, int side)
{
	sh->cur = i;
	sh->step = step;
	sh->side = side;
	__sync_synchronize();
}

static void do_get(struct shared *sh, int i, int step, int side, int fd)
{
	struct res *r = &sh->r[i][step][side];
	unsigned char buf[256];
	socklen_t len = sizeof(buf);

	/* Zeroed: IP_MSFILTER and MCAST_MSFILTER read a request from it. */
	memset(buf, 0, sizeof(buf));
	mark(sh, i, step, side);
	r->rc = getsockopt(fd, opts[i].level, opts[i].name, buf, &len);
	r->err = r->rc ? errno : 0;
	r->len = r->rc ? 0 : (int)len;
	memcpy(r->val, buf, VALMAX);
	r->ran = 1;
}

static void do_set(struct shared *sh, int i, int step, int side, int fd,
		   const void *val, int len)
{
	struct res *r = &sh->r[i][step][side];

	memset(r->val, 0, VALMAX);
	memcpy(r->val, val, len < VALMAX ? len : VALMAX);
	r->len = len;
	mark(sh, i, step, side);
	r->rc = setsockopt(fd, opts[i].level, opts[i].name, val, len);
	r->err = r->rc ? errno : 0;
	r->ran = 1;
}

static int got_int(const struct res *g, int *v)
{
	if (g->rc || g->len < (int)sizeof(int))
		return 0;
	memcpy(v, g->val, sizeof(*v));
	return 1;
}

/*
 * One step of option @i on both sockets, xtcp's first: the two see the
 * same sequence of calls, each with its own read values.
 */
static void one_step(struct shared *sh, const struct run *run, int i, int step,
		     const int fd[2])
{
	const struct opt *o = &opts[i];
	static const char zero[512];
	int side;

	if (!(run->steps & B(step)))
		return;
	for (side = 0; side < 2; side++) {
		const struct res *g = &sh->r[i][S_GET][side];
		int v, have = got_int(g, &v);

		switch (step) {
		case S_GET:
		case S_GETBACK:
		case S_GETPROBE:
			if (step == S_GETPROBE && !sh->r[i][S_PROBE][side].ran)
				break;
			if (step == S_GETBACK && !sh->r[i][S_SETVAL][side].ran)
				break;
			do_get(sh, i, step, side, fd[side]);
			break;
		case S_SETVAL:
			if (o->kind == K_BUF) {
				if (o->bytes)
					do_set(sh, i, step, side, fd[side],
					       o->bytes, o->nbytes);
				else if (!g->rc && g->ran)
					do_set(sh, i, step, side, fd[side],
					       g->val, g->len < VALMAX ? g->len : VALMAX);
				break;
			}
			if ((o->flags & F_FIXED) || !have)
				v = o->dflt ? o->dflt : 1;
			do_set(sh, i, step, side, fd[side], &v, sizeof(v));
			break;
		case S_PROBE:
			/* Only what can be undone: get must have worked. */
			if (!have || o->kind == K_BUF ||
			    (o->kind == K_INT && !o->probe))
				break;
			v = o->kind == K_BOOL ? 1 : o->probe;
			do_set(sh, i, step, side, fd[side], &v, sizeof(v));
			break;
		case S_RESTORE:
			if (sh->r[i][S_PROBE][side].ran)
				do_set(sh, i, step, side, fd[side], &v, sizeof(v));
			break;
		case S_SETZERO:
			if (o->kind == K_BUF)
				do_set(sh, i, step, side, fd[side], zero, o->size);
			break;
		case S_SETEMPTY:
			do_set(sh, i, step, side, fd[side], "", 0);
			break;
		default:
			break;
		}
	}
}

/* ---- the sockets ---- */

/* A socket of side 0 (xtcp, through xsock()) or 1 (kernel TCP), same family. */
static int side_sock(int side, const char *ns)
{
	return side ? socket_in(ns, xtcp_family(), SOCK_STREAM, IPPROTO_TCP) :
		      xsock(ns);
}

static int side_listen(int side, int port)
{
	int fd;

	if (!side)
		return xlisten(port, 16);
	fd = side_sock(side, SRV_NS);
	if (fd < 0 || do_bind(fd, SRV_ADDR, port) || listen(fd, 16))
		return -1;
	return fd;
}

/* accept() that gives up after 5 s. */
static int accept_wait(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, 5000 * XTCP_TIME_SCALE) != 1)
		return -1;
	return accept(lfd, NULL, NULL);
}

/* @c connected to a listener on @port, @a the accepted end; 0 or -1. */
static int connect_accept(int lfd, int c, int port, int *a)
{
	if (do_connect(c, SRV_ADDR, port))
		return -1;
	*a = accept_wait(lfd);
	return *a < 0 ? -1 : 0;
}

struct ends {
	int s;		/* the socket whose options are looked at */
	int peer;	/* connected states: the other end */
	int lfd;	/* connected states: the listener */
};

static int open_state(const struct run *run, int side, struct ends *e)
{
	int port = run->port + side, c, a;

	e->s = e->peer = e->lfd = -1;
	switch (run->state) {
	case ST_FRESH:
		e->s = side_sock(side, CLI_NS);
		return e->s < 0 ? -1 : 0;
	case ST_LISTENING:
		e->s = side_listen(side, port);
		return e->s < 0 ? -1 : 0;
	default:
		e->lfd = side_listen(side, port);
		c = side_sock(side, CLI_NS);
		if (e->lfd < 0 || c < 0 || connect_accept(e->lfd, c, port, &a))
			return -1;
		e->s = run->state == ST_CONNECTED ? c : a;
		e->peer = run->state == ST_CONNECTED ? a : c;
		return 0;
	}
}

/* ---- 64 KiB each way after the options ---- */

#define XFER_LEN	65536

struct writer {
	int fd;
	const uint8_t *buf;
	int rc;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;

	w->rc = write_all(w->fd, w->buf, XFER_LEN);
	return NULL;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 5 * XTCP_TIME_SCALE };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* XFER_LEN bytes from @from to @to; 0, or -1 with @msg said why. */
static int xfer_one(int from, int to, uint32_t seed, char *msg, size_t msz)
{
	static uint8_t out[XFER_LEN], in[XFER_LEN];
	struct writer w = { .fd = from, .buf = out };
	pthread_t thr;
	ssize_t got;

	fill_pattern(out, sizeof(out), seed);
	memset(in, 0, sizeof(in));
	set_timeouts(from);
	set_timeouts(to);
	if (pthread_create(&thr, NULL, writer_fn, &w)) {
		snprintf(msg, msz, "pthread_create failed");
		return -1;
	}
	got = read_full(to, in, sizeof(in));
	pthread_join(thr, NULL);
	if (w.rc) {
		snprintf(msg, msz, "write: %s", strerror(errno));
		return -1;
	}
	if (got != XFER_LEN) {
		snprintf(msg, msz, "read %zd of %d bytes", got, XFER_LEN);
		return -1;
	}
	if (memcmp(in, out, sizeof(in))) {
		snprintf(msg, msz, "the bytes read differ from those written");
		return -1;
	}
	return 0;
}

/*
 * The socket after all its options: a fresh one connects and carries data,
 * a listener accepts a connection that carries data, a connected one
 * carries data both ways.
 */
static int xfer_check(const struct run *run, int side, struct ends *e,
		      char *msg, size_t msz)
{
	int port = run->port + 2 + side, a = -1, b = -1, lfd = -1, rc = -1;

	switch (run->state) {
	case ST_FRESH:
		lfd = side_listen(side, port);
		if (lfd < 0 || connect_accept(lfd, e->s, port, &a)) {
			snprintf(msg, msz, "connect after the options: %s",
				 strerror(errno));
			goto out;
		}
		b = e->s;
		break;
	case ST_LISTENING:
		b = side_sock(side, CLI_NS);
		if (b < 0 || connect_accept(e->s, b, run->port + side, &a)) {
			snprintf(msg, msz, "no connection accepted after the options: %s",
				 strerror(errno));
			goto out;
		}
		break;
	default:
		a = e->peer;
		b = e->s;
		break;
	}
	if (xfer_one(b, a, 0x5eed0000 + side, msg, msz) ||
	    xfer_one(a, b, 0x5eed0100 + side, msg, msz))
		goto out;
	rc = 0;
out:
	if (run->state == ST_LISTENING && b >= 0)
		close_abort(b);
	if (a >= 0 && a != e->peer)
		close_abort(a);
	if (lfd >= 0)
		close(lfd);
	return rc;
}

/* Never returns. */
static void worker(struct shared *sh, const struct run *run, int start)
{
	struct ends e[2];
	int fd[2], i, side, step;

	for (side = 0; side < 2; side++) {
		if (open_state(run, side, &e[side])) {
			snprintf(sh->msg, sizeof(sh->msg), "%s socket, %s: %s",
				 side ? "tcp" : "xtcp", state_name[run->state],
				 strerror(errno));
			sh->left = 1;
			_exit(3);
		}
		fd[side] = e[side].s;
	}
	sh->setup_done = 1;
	for (i = start; i < (int)NOPTS; i++) {
		if (!wanted(run, i))
			continue;
		for (step = 0; step < NSTEPS; step++)
			one_step(sh, run, i, step, fd);
	}
	mark(sh, -1, 0, 0);
	sh->swept = 1;
	for (side = 0; side < 2; side++)
		sh->xfer_ok[side] = !xfer_check(run, side, &e[side],
						 sh->xfer_msg[side],
						 sizeof(sh->xfer_msg[side]));
	for (side = 0; side < 2; side++) {
		close_abort(e[side].s);
		if (e[side].peer >= 0)
			close_abort(e[side].peer);
		if (e[side].lfd >= 0)
			close(e[side].lfd);
	}
	sh->left = 1;
	_exit(0);
}

/* ---- the test's side ---- */

#define PF_EXITING	0x00000004

/* Whether task @pid is exiting (PF_EXITING in /proc/PID/stat). */
static int exiting(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return 0;
	return !!(flags & PF_EXITING);
}

/* /proc/sys/kernel/tainted; bit 7 (D) is set by an Oops. */
static long kernel_taint(void)
{
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");
	long t = -1;

	if (f) {
		if (fscanf(f, "%ld", &t) != 1)
			t = -1;
		fclose(f);
	}
	return t;
}

#define TAINT_DIE	(1L << 7)

enum wait_outcome { W_EXITED, W_DIED, W_STUCK, W_HUNG };

static enum wait_outcome wait_worker(pid_t pid, struct shared *sh, int *status)
{
	double end = now_s() + 20 * XTCP_TIME_SCALE, dying = 0;

	for (;;) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return WIFEXITED(*status) && sh->left ? W_EXITED : W_DIED;
		/*
		 * Exiting without having said so: killed, by an Oops most
		 * likely.  Still there a second later: stuck in its exit,
		 * on the lock of the socket it died holding.  Not waited for.
		 */
		if (!sh->left && exiting(pid)) {
			if (!dying)
				dying = now_s();
			else if (now_s() - dying > 1.0)
				return W_STUCK;
		}
		if (now_s() > end) {
			kill(pid, SIGKILL);
			usleep(100000);
			if (waitpid(pid, status, WNOHANG) == pid)
				return W_DIED;
			return W_HUNG;
		}
		usleep(5000);
	}
}

static const char *lvl_name(int level)
{
	return level == SOL_SOCKET ? "SOL_SOCKET" :
	       level == SOL_IPV6 ? "SOL_IPV6" : "SOL_IP";
}

static const char *errname(int err)
{
	const char *s = err ? strerrorname_np(err) : NULL;

	return s ? s : err ? "?" : "0";
}

/*
 * Runs a worker from option @start; returns where the next one starts,
 * or -1 when the sweep is over.  A worker that died in a call is logged.
 */
static int run_worker(struct __test_metadata *_metadata, struct shared *sh,
		      const struct run *run, int start, int *bad)
{
	static const char *const how[] = {
		[W_DIED] = "died", [W_STUCK] = "died and is stuck exiting",
		[W_HUNG] = "hung (killed)",
	};
	long taint0 = kernel_taint(), taint1;
	enum wait_outcome w;
	int status = 0, i;
	pid_t pid;

	sh->setup_done = sh->swept = sh->left = 0;
	sh->msg[0] = 0;
	mark(sh, -1, 0, 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		TH_LOG("fork: %s", strerror(errno));
		(*bad)++;
		return -1;
	}
	if (!pid)
		worker(sh, run, start);
	w = wait_worker(pid, sh, &status);
	if (w == W_EXITED) {
		if (WEXITSTATUS(status)) {
			TH_LOG("[%s] worker failed: %s", state_name[run->state],
			       sh->msg[0] ? sh->msg : "no reason given");
			(*bad)++;
		}
		return -1;
	}
	(*bad)++;
	taint1 = kernel_taint();
	i = sh->cur;
	if (i >= 0) {
		const struct opt *o = &opts[i];

		sh->crash_step[i] = sh->step + 1;
		sh->crash_side[i] = sh->side;
		TH_LOG("%s %s [%s] %s on %s: worker %s in the call%s",
		       lvl_name(o->level), o->str, state_name[run->state],
		       step_name[sh->step], sh->side ? "tcp" : "xtcp", how[w],
		       (taint1 & TAINT_DIE) && !(taint0 & TAINT_DIE) ?
		       "; the kernel Oopsed (taint D)" : "");
		return i + 1;
	}
	TH_LOG("[%s] worker %s %s%s", state_name[run->state], how[w],
	       sh->swept ? "in the data transfer" :
	       sh->setup_done ? "after the options" : "setting up the sockets",
	       (taint1 & TAINT_DIE) && !(taint0 & TAINT_DIE) ?
	       "; the kernel Oopsed (taint D)" : "");
	return -1;
}

/* A result for a log line: "rc -1 EINVAL" or "rc 0 len 4 [01 00 00 00]". */
static const char *fmt_res(const struct res *r, int get, char *buf, size_t sz)
{
	int i, n, len;

	if (!r->ran)
		return "not run";
	if (r->rc) {
		snprintf(buf, sz, "rc %d %s", r->rc, errname(r->err));
		return buf;
	}
	if (!get)
		return "rc 0";
	n = snprintf(buf, sz, "rc 0 len %d [", r->len);
	len = r->len < 16 ? r->len : 16;
	for (i = 0; i < len && n < (int)sz - 4; i++)
		n += snprintf(buf + n, sz - n, "%s%02x", i ? " " : "", r->val[i]);
	snprintf(buf + n, sz - n, "%s]", r->len > 16 ? " ..." : "");
	return buf;
}

/* How step @step was called (from xtcp's side): "setsockopt(int 1, 4)". */
static const char *fmt_step(const struct res *r, int step, char *buf, size_t sz)
{
	int v;

	memcpy(&v, r->val, sizeof(v));
	if ((GET_STEPS & B(step)) || !r->ran)
		return step_name[step];
	if (step == S_SETZERO)
		snprintf(buf, sz, "setsockopt(%d zero bytes)", r->len);
	else if (step == S_SETEMPTY)
		snprintf(buf, sz, "setsockopt(\"\", 0)");
	else if (r->len == sizeof(int))
		snprintf(buf, sz, "%s: int %d", step_name[step], v);
	else
		snprintf(buf, sz, "%s: %d bytes", step_name[step], r->len);
	return buf;
}

/* Option @i's results against TCP's; returns the mismatches, counts checks. */
static int compare_opt(struct __test_metadata *_metadata, struct shared *sh,
		       int state, int i, int *checks)
{
	const struct opt *o = &opts[i];
	char sb[96], xb[128], tb[128];
	int step, bad = 0;

	for (step = 0; step < NSTEPS; step++) {
		const struct res *x = &sh->r[i][step][0], *t = &sh->r[i][step][1];
		const struct except *ex = find_except(o, state, step);
		int get = !!(GET_STEPS & B(step)), xv, tv, mismatch = 0;
		const char *what = "";

		/* The worker died here: logged by run_worker(). */
		if (sh->crash_step[i] && step >= sh->crash_step[i] - 1)
			break;
		if (!x->ran && !t->ran)
			continue;
		(*checks)++;
		if (x->ran != t->ran) {
			mismatch = 1;
		} else if (ex && ex->kind == EX_XERRNO && !get) {
			if (x->rc != -1 || x->err != ex->err) {
				mismatch = 1;
				what = " (xtcp should fail)";
			}
		} else if (x->rc != t->rc || x->err != t->err) {
			mismatch = 1;
		} else if (get && !x->rc) {
			int n = x->len < VALMAX ? x->len : VALMAX;

			if (x->len != t->len) {
				mismatch = 1;
				what = " (length)";
			} else if (ex && ex->kind == EX_PROTO) {
				if (!got_int(x, &xv) || !got_int(t, &tv) ||
				    xv != xtcp_proto() || tv != IPPROTO_TCP) {
					mismatch = 1;
					what = " (protocol number)";
				}
			} else if (!ex && memcmp(x->val, t->val, n)) {
				mismatch = 1;
				what = " (value)";
			}
		}
		if (!mismatch)
			continue;
		bad++;
		TH_LOG("%s %s [%s] %s: xtcp %s, tcp %s%s", lvl_name(o->level),
		       o->str, state_name[state], fmt_step(x, step, sb, sizeof(sb)),
		       fmt_res(x, get, xb, sizeof(xb)),
		       fmt_res(t, get, tb, sizeof(tb)), what);
	}
	return bad;
}

FIXTURE(sockopt) {
	struct shared *sh;
};

FIXTURE_VARIANT(sockopt) {
	enum state state;
};

FIXTURE_VARIANT_ADD(sockopt, fresh) {
	.state = ST_FRESH,
};

FIXTURE_VARIANT_ADD(sockopt, listening) {
	.state = ST_LISTENING,
};

FIXTURE_VARIANT_ADD(sockopt, connected) {
	.state = ST_CONNECTED,
};

FIXTURE_VARIANT_ADD(sockopt, accepted) {
	.state = ST_ACCEPTED,
};

FIXTURE_SETUP(sockopt)
{
	char name[128];

	snprintf(name, sizeof(name), "sockopt.%s.%s", state_name[variant->state],
		 _metadata->name);
	self->sh = NULL;
	XTCP_SETUP(name);
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
}

FIXTURE_TEARDOWN(sockopt)
{
	if (self->sh && self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
	hosts_down();
}

/*
 * The options of @level (or just @name) in the variant's state, the steps
 * of @steps; @tidx makes the test's ports its own.
 */
static void sweep(struct __test_metadata *_metadata, struct shared *sh,
		  enum state state, int level, int name, unsigned int steps,
		  int tidx)
{
	struct run run = {
		.state = state, .level = level, .name = name, .steps = steps,
	};
	int start = 0, attempt, bad = 0, checks = 0, nopts = 0, i, side;

	memset(sh, 0, sizeof(*sh));
	/* After 6 dead workers, give up on the rest. */
	for (attempt = 0; start >= 0 && attempt < 6; attempt++) {
		run.port = 47000 + state * 200 + tidx * 40 + attempt * 4;
		start = run_worker(_metadata, sh, &run, start, &bad);
	}
	if (start >= 0) {
		TH_LOG("options from %s on not tried", opts[start].str);
		bad++;
	}
	for (i = 0; i < (int)NOPTS; i++) {
		if (!wanted(&run, i))
			continue;
		nopts++;
		bad += compare_opt(_metadata, sh, state, i, &checks);
	}
	for (side = 0; side < 2 && sh->swept; side++) {
		if (sh->xfer_ok[side])
			continue;
		TH_LOG("[%s] %s: 64 KiB each way after the options: %s",
		       state_name[state], side ? "tcp" : "xtcp", sh->xfer_msg[side]);
		bad++;
	}
	TH_LOG("%s [%s]: %d options, %d calls compared with tcp, %d problems",
	       lvl_name(level), state_name[state], nopts, checks, bad);
	EXPECT_EQ(0, bad);
}

/* The call that crashed the kernel, alone: setsockopt(IP_OPTIONS, "", 0). */
TEST_F_TIMEOUT(sockopt, ip_options_empty, XT(60))
{
	sweep(_metadata, self->sh, variant->state, SOL_IP, IP_OPTIONS,
	      B(S_GET) | B(S_SETEMPTY), 0);
}

TEST_F_TIMEOUT(sockopt, sol_socket, XT(60))
{
	sweep(_metadata, self->sh, variant->state, SOL_SOCKET, -1, ALL_STEPS, 1);
}

TEST_F_TIMEOUT(sockopt, sol_ip, XT(60))
{
	sweep(_metadata, self->sh, variant->state, SOL_IP, -1, ALL_STEPS, 2);
}

/*
 * SOL_IPV6 on AF_INET6 sockets of both protocols, whatever XTCP_FAMILY
 * says, between the hosts' IPv6 addresses.
 */
TEST_F_TIMEOUT(sockopt, sol_ipv6, XT(60))
{
	xtcp_family_set(AF_INET6);
	ASSERT_EQ(0, hosts_up_ipv6());
	sweep(_metadata, self->sh, variant->state, SOL_IPV6, -1, ALL_STEPS, 3);
}

TEST_HARNESS_MAIN
