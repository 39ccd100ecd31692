// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-ss: list xtcp sockets as `ss -tanie` lists TCP's, through
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag_req_v2) and xtcp_diag.ko.
 * The same fields in the same order and format as iproute2's ss (6.1):
 * state, queues, addresses, -o timer, -e uid/ino/sk/cgroup/shutdown, and
 * on a second line -m skmem and -i tcp_info.  Only xtcp's: -i shows
 * udp_encap:PORT (the peer's UDP port) for a connection in UDP.  See
 * docs/diag.md.
 *
 * Both families, IPv4 first, as ss without -4 or -6; IPv6 addresses
 * bracketed, the IPv6 wildcard as "*", as ss prints them.
 *
 * usage: xtcp-ss [-alnieomKH46] [-p N|--proto N] [state NAME]...
 *                [sport = :PORT] [dport = :PORT]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/xtcp.h>

#define XTCP_DEFAULT_PROTO	253
#define PROTO_PARAM		"/sys/module/xtcp/parameters/proto"

/* TCP's state numbers, as the kernel reports them. */
enum {
	ST_ESTABLISHED = 1, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1,
	ST_FIN_WAIT2, ST_TIME_WAIT, ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK,
	ST_LISTEN, ST_CLOSING, ST_MAX
};

static const char * const state_name[ST_MAX] = {
	[0] = "UNKNOWN",
	[ST_ESTABLISHED] = "ESTAB",
	[ST_SYN_SENT] = "SYN-SENT",
	[ST_SYN_RECV] = "SYN-RECV",
	[ST_FIN_WAIT1] = "FIN-WAIT-1",
	[ST_FIN_WAIT2] = "FIN-WAIT-2",
	[ST_TIME_WAIT] = "TIME-WAIT",
	[ST_CLOSE] = "UNCONN",
	[ST_CLOSE_WAIT] = "CLOSE-WAIT",
	[ST_LAST_ACK] = "LAST-ACK",
	[ST_LISTEN] = "LISTEN",
	[ST_CLOSING] = "CLOSING",
};

#define ALL_STATES	((1u << ST_MAX) - 2)
/* ss's default: connections, not listeners, closed or TIME-WAIT. */
#define CONN_STATES	(ALL_STATES & ~((1u << ST_LISTEN) | (1u << ST_CLOSE) | \
			 (1u << ST_TIME_WAIT) | (1u << ST_SYN_RECV)))

static const struct {
	const char *name;
	unsigned int mask;
} state_filters[] = {
	{ "all", ALL_STATES },
	{ "connected", ALL_STATES & ~((1u << ST_LISTEN) | (1u << ST_CLOSE)) },
	{ "synchronized", ALL_STATES & ~((1u << ST_LISTEN) | (1u << ST_CLOSE) |
					 (1u << ST_SYN_SENT)) },
	{ "bucket", (1u << ST_SYN_RECV) | (1u << ST_TIME_WAIT) },
	{ "big", ALL_STATES & ~((1u << ST_SYN_RECV) | (1u << ST_TIME_WAIT)) },
	{ "established", 1u << ST_ESTABLISHED },
	{ "syn-sent", 1u << ST_SYN_SENT },
	{ "syn-recv", 1u << ST_SYN_RECV },
	{ "fin-wait-1", 1u << ST_FIN_WAIT1 },
	{ "fin-wait-2", 1u << ST_FIN_WAIT2 },
	{ "time-wait", 1u << ST_TIME_WAIT },
	{ "closed", 1u << ST_CLOSE },
	{ "close-wait", 1u << ST_CLOSE_WAIT },
	{ "last-ack", 1u << ST_LAST_ACK },
	{ "listening", 1u << ST_LISTEN },
	{ "closing", 1u << ST_CLOSING },
};

static struct {
	int proto;
	unsigned int states;
	bool info, ext, mem, timers, kill, header;
	int sport, dport;	/* -1: any */
} opt = { .proto = -1, .header = true, .sport = -1, .dport = -1 };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xtcp-ss [-alnieomKH46] [-p N|--proto N] [state NAME]...\n"
		"               [sport = :PORT] [dport = :PORT]\n"
		"  -a  all sockets     -l  listening only     -n  numeric (always)\n"
		"  -i  tcp_info        -e  uid, inode, cookie  -m  socket memory\n"
		"  -o  timers          -K  destroy what is shown (CAP_NET_ADMIN)\n"
		"  -4  IPv4 only       -6  IPv6 only (default: both)\n"
		"  -H  no header       -p, --proto N  IP protocol (default: xtcp's,\n"
		"      from " PROTO_PARAM ", else 253; 6 for TCP)\n");
}

static int read_proto(void)
{
	FILE *f = fopen(PROTO_PARAM, "r");
	int p;

	if (!f)
		return XTCP_DEFAULT_PROTO;
	if (fscanf(f, "%d", &p) != 1)
		p = XTCP_DEFAULT_PROTO;
	fclose(f);
	return p;
}

/* cgroup ids are cgroup2 directory inode numbers, found by walking it. */
static unsigned long long cg_want;
static char cg_found[4096];
static size_t cg_mntlen;

static int cg_walk(const char *path, const struct stat *sb, int type,
		   struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_D || sb->st_ino != cg_want)
		return 0;
	snprintf(cg_found, sizeof(cg_found), "%s",
		 path[cg_mntlen] ? path + cg_mntlen : "/");
	return 1;
}

static const char *cg_path(unsigned long long id)
{
	static char buf[64];
	char dev[256], dir[4096], type[64];
	FILE *f = fopen("/proc/self/mounts", "r");

	cg_found[0] = 0;
	while (f && fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "cgroup2"))
			continue;
		cg_want = id;
		cg_mntlen = strlen(dir);
		nftw(dir, cg_walk, 64, FTW_MOUNT | FTW_PHYS);
		break;
	}
	if (f)
		fclose(f);
	if (cg_found[0])
		return cg_found;
	snprintf(buf, sizeof(buf), "unreachable:%llx", id);
	return buf;
}

/* iproute2's print_ms_timer(). */
static const char *ms_timer(unsigned int timeout)
{
	static char buf[64];
	int secs = timeout / 1000, minutes = secs / 60, msecs = timeout % 1000;

	secs %= 60;
	buf[0] = 0;
	if (minutes) {
		msecs = 0;
		snprintf(buf, sizeof(buf) - 16, "%dmin", minutes);
		if (minutes > 9)
			secs = 0;
	}
	if (secs) {
		if (secs > 9)
			msecs = 0;
		sprintf(buf + strlen(buf), "%d%s", secs, msecs ? "." : "sec");
	}
	if (msecs)
		sprintf(buf + strlen(buf), "%03d%s", msecs, secs ? "sec" : "ms");
	return buf;
}

static void print_addr(int family, const __be32 *addr, __be16 port,
		       __u32 ifindex)
{
	char a[INET6_ADDRSTRLEN + 2], ifname[IF_NAMESIZE], p[8], buf[80];
	static const __be32 any6[4];

	if (family == AF_INET6 && !memcmp(addr, any6, sizeof(any6))) {
		strcpy(a, "*");
	} else if (family == AF_INET6) {
		a[0] = '[';
		inet_ntop(AF_INET6, addr, a + 1, sizeof(a) - 2);
		strcat(a, "]");
	} else {
		inet_ntop(AF_INET, addr, a, sizeof(a));
	}
	if (port)
		snprintf(p, sizeof(p), "%u", ntohs(port));
	else
		strcpy(p, "*");
	if (ifindex && if_indextoname(ifindex, ifname))
		snprintf(buf, sizeof(buf), "%s%%%s:%s", a, ifname, p);
	else
		snprintf(buf, sizeof(buf), "%s:%s", a, p);
	printf(" %21s", buf);
}

static void print_skmem(struct rtattr *a)
{
	const __u32 *m = RTA_DATA(a);
	size_t n = RTA_PAYLOAD(a) / sizeof(__u32);

	if (n <= SK_MEMINFO_OPTMEM)
		return;
	printf(" skmem:(r%u,rb%u,t%u,tb%u,f%u,w%u,o%u", m[SK_MEMINFO_RMEM_ALLOC],
	       m[SK_MEMINFO_RCVBUF], m[SK_MEMINFO_WMEM_ALLOC], m[SK_MEMINFO_SNDBUF],
	       m[SK_MEMINFO_FWD_ALLOC], m[SK_MEMINFO_WMEM_QUEUED],
	       m[SK_MEMINFO_OPTMEM]);
	if (n > SK_MEMINFO_BACKLOG)
		printf(",bl%u", m[SK_MEMINFO_BACKLOG]);
	if (n > SK_MEMINFO_DROPS)
		printf(",d%u", m[SK_MEMINFO_DROPS]);
	printf(")");
}

/*
 * INET_DIAG_BBRINFO (xtcp_bbr.ko's, as tcp_bbr's), as ss prints it:
 * bbr:(bw:...bps,mrtt:...,pacing_gain:...,cwnd_gain:...).
 */
static void print_bbr(struct rtattr *a)
{
	struct tcp_bbr_info b = {};
	size_t len = RTA_PAYLOAD(a);
	__u64 bw;

	memcpy(&b, RTA_DATA(a), len < sizeof(b) ? len : sizeof(b));
	bw = ((__u64)b.bbr_bw_hi << 32 | b.bbr_bw_lo) * 8;
	printf(" bbr:(bw:%llubps,mrtt:%g", (unsigned long long)bw,
	       b.bbr_min_rtt / 1000.0);
	if (b.bbr_pacing_gain)
		printf(",pacing_gain:%g", b.bbr_pacing_gain / 256.0);
	if (b.bbr_cwnd_gain)
		printf(",cwnd_gain:%g", b.bbr_cwnd_gain / 256.0);
	printf(")");
}

/* ss -i's fields of struct tcp_info, in its order; a 0 is not shown. */
static void print_info(const struct inet_diag_msg *r, struct rtattr *a,
		       const char *cong, int encap, struct rtattr *bbr)
{
	struct tcp_info i = {};
	double rtt;
	size_t len = RTA_PAYLOAD(a);

	memcpy(&i, RTA_DATA(a), len < sizeof(i) ? len : sizeof(i));
	if (opt.timers) {
		if (i.tcpi_options & TCPI_OPT_TIMESTAMPS)
			printf(" ts");
		if (i.tcpi_options & TCPI_OPT_SACK)
			printf(" sack");
		if (i.tcpi_options & TCPI_OPT_ECN)
			printf(" ecn");
		if (i.tcpi_options & TCPI_OPT_ECN_SEEN)
			printf(" ecnseen");
		if (i.tcpi_options & TCPI_OPT_SYN_DATA)
			printf(" fastopen");
	}
	if (cong)
		printf(" %s", cong);
	if (encap)
		printf(" udp_encap:%d", encap);
	if (i.tcpi_options & TCPI_OPT_WSCALE)
		printf(" wscale:%d,%d", i.tcpi_snd_wscale, i.tcpi_rcv_wscale);
	if (i.tcpi_rto && i.tcpi_rto != 3000000)
		printf(" rto:%g", i.tcpi_rto / 1000.0);
	if (i.tcpi_backoff)
		printf(" backoff:%u", i.tcpi_backoff);
	if (i.tcpi_rtt)
		printf(" rtt:%g/%g", i.tcpi_rtt / 1000.0, i.tcpi_rttvar / 1000.0);
	if (i.tcpi_ato)
		printf(" ato:%g", i.tcpi_ato / 1000.0);
	if (i.tcpi_snd_mss)
		printf(" mss:%u", i.tcpi_snd_mss);
	if (i.tcpi_pmtu)
		printf(" pmtu:%u", i.tcpi_pmtu);
	if (i.tcpi_rcv_mss)
		printf(" rcvmss:%u", i.tcpi_rcv_mss);
	if (i.tcpi_advmss)
		printf(" advmss:%u", i.tcpi_advmss);
	if (i.tcpi_snd_cwnd)
		printf(" cwnd:%u", i.tcpi_snd_cwnd);
	if (i.tcpi_snd_ssthresh && i.tcpi_snd_ssthresh < 0xFFFF)
		printf(" ssthresh:%u", i.tcpi_snd_ssthresh);
	if (i.tcpi_bytes_sent)
		printf(" bytes_sent:%llu", (unsigned long long)i.tcpi_bytes_sent);
	if (i.tcpi_bytes_retrans)
		printf(" bytes_retrans:%llu", (unsigned long long)i.tcpi_bytes_retrans);
	if (i.tcpi_bytes_acked)
		printf(" bytes_acked:%llu", (unsigned long long)i.tcpi_bytes_acked);
	if (i.tcpi_bytes_received)
		printf(" bytes_received:%llu", (unsigned long long)i.tcpi_bytes_received);
	if (i.tcpi_segs_out)
		printf(" segs_out:%u", i.tcpi_segs_out);
	if (i.tcpi_segs_in)
		printf(" segs_in:%u", i.tcpi_segs_in);
	if (i.tcpi_data_segs_out)
		printf(" data_segs_out:%u", i.tcpi_data_segs_out);
	if (i.tcpi_data_segs_in)
		printf(" data_segs_in:%u", i.tcpi_data_segs_in);
	if (bbr)
		print_bbr(bbr);
	rtt = i.tcpi_rtt;
	if (rtt > 0 && i.tcpi_snd_mss && i.tcpi_snd_cwnd)
		printf(" send %.0fbps", (double)i.tcpi_snd_cwnd * i.tcpi_snd_mss * 8000000. / rtt);
	if (i.tcpi_last_data_sent)
		printf(" lastsnd:%u", i.tcpi_last_data_sent);
	if (i.tcpi_last_data_recv)
		printf(" lastrcv:%u", i.tcpi_last_data_recv);
	if (i.tcpi_last_ack_recv)
		printf(" lastack:%u", i.tcpi_last_ack_recv);
	if (i.tcpi_pacing_rate && i.tcpi_pacing_rate != ~0ULL) {
		printf(" pacing_rate %.0fbps", i.tcpi_pacing_rate * 8.);
		if (i.tcpi_max_pacing_rate && i.tcpi_max_pacing_rate != ~0ULL)
			printf("/%.0fbps", i.tcpi_max_pacing_rate * 8.);
	}
	if (i.tcpi_delivery_rate)
		printf(" delivery_rate %.0fbps", i.tcpi_delivery_rate * 8.);
	if (i.tcpi_delivered)
		printf(" delivered:%u", i.tcpi_delivered);
	if (i.tcpi_delivered_ce)
		printf(" delivered_ce:%u", i.tcpi_delivered_ce);
	if (i.tcpi_delivery_rate_app_limited)
		printf(" app_limited");
	if (i.tcpi_busy_time) {
		printf(" busy:%llums", (unsigned long long)i.tcpi_busy_time / 1000);
		if (i.tcpi_rwnd_limited)
			printf(" rwnd_limited:%llums(%.1f%%)",
			       (unsigned long long)i.tcpi_rwnd_limited / 1000,
			       100.0 * i.tcpi_rwnd_limited / i.tcpi_busy_time);
		if (i.tcpi_sndbuf_limited)
			printf(" sndbuf_limited:%llums(%.1f%%)",
			       (unsigned long long)i.tcpi_sndbuf_limited / 1000,
			       100.0 * i.tcpi_sndbuf_limited / i.tcpi_busy_time);
	}
	if (i.tcpi_unacked)
		printf(" unacked:%u", i.tcpi_unacked);
	if (i.tcpi_retrans || i.tcpi_total_retrans)
		printf(" retrans:%u/%u", i.tcpi_retrans, i.tcpi_total_retrans);
	if (i.tcpi_lost)
		printf(" lost:%u", i.tcpi_lost);
	if (i.tcpi_sacked && r->idiag_state != ST_LISTEN)
		printf(" sacked:%u", i.tcpi_sacked);
	if (i.tcpi_dsack_dups)
		printf(" dsack_dups:%u", i.tcpi_dsack_dups);
	if (i.tcpi_fackets)
		printf(" fackets:%u", i.tcpi_fackets);
	if (i.tcpi_reordering != 3)
		printf(" reordering:%d", i.tcpi_reordering);
	if (i.tcpi_reord_seen)
		printf(" reord_seen:%d", i.tcpi_reord_seen);
	if (i.tcpi_rcv_rtt)
		printf(" rcv_rtt:%g", i.tcpi_rcv_rtt / 1000.0);
	if (i.tcpi_rcv_space)
		printf(" rcv_space:%d", i.tcpi_rcv_space);
	if (i.tcpi_rcv_ssthresh)
		printf(" rcv_ssthresh:%u", i.tcpi_rcv_ssthresh);
	if (i.tcpi_notsent_bytes)
		printf(" notsent:%u", i.tcpi_notsent_bytes);
	if (i.tcpi_min_rtt && i.tcpi_min_rtt != ~0U)
		printf(" minrtt:%g", i.tcpi_min_rtt / 1000.0);
	if (i.tcpi_rcv_ooopack)
		printf(" rcv_ooopack:%u", i.tcpi_rcv_ooopack);
	if (i.tcpi_snd_wnd)
		printf(" snd_wnd:%u", i.tcpi_snd_wnd);
}

static void show(const struct nlmsghdr *h)
{
	static const char * const tmr_name[] = {
		"off", "on", "keepalive", "timewait", "persist", "delack",
	};
	const struct inet_diag_msg *r = NLMSG_DATA(h);
	struct rtattr *tb[INET_DIAG_MAX + 1] = {};
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*r));
	struct rtattr *a = (struct rtattr *)(r + 1);
	unsigned long long cookie;
	int encap = 0;

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if ((a->rta_type & NLA_TYPE_MASK) <= INET_DIAG_MAX)
			tb[a->rta_type & NLA_TYPE_MASK] = a;
		else if ((a->rta_type & NLA_TYPE_MASK) == XTCP_DIAG_ENCAP_PORT &&
			 RTA_PAYLOAD(a) >= sizeof(__u16))
			encap = *(__u16 *)RTA_DATA(a);
	}

	printf("%-10s %-6u %-6u",
	       r->idiag_state < ST_MAX ? state_name[r->idiag_state] : "UNKNOWN",
	       r->idiag_rqueue, r->idiag_wqueue);
	print_addr(r->idiag_family, r->id.idiag_src, r->id.idiag_sport,
		   r->id.idiag_if);
	print_addr(r->idiag_family, r->id.idiag_dst, r->id.idiag_dport, 0);
	if (opt.timers && r->idiag_timer)
		printf(" timer:(%s,%s,%d)",
		       r->idiag_timer < 6 ? tmr_name[r->idiag_timer] : "unknown",
		       ms_timer(r->idiag_expires), r->idiag_retrans);
	if (opt.ext) {
		cookie = ((unsigned long long)r->id.idiag_cookie[1] << 32) |
			 r->id.idiag_cookie[0];
		if (r->idiag_uid)
			printf(" uid:%u", r->idiag_uid);
		printf(" ino:%u sk:%llx", r->idiag_inode, cookie);
		if (tb[INET_DIAG_MARK] && *(__u32 *)RTA_DATA(tb[INET_DIAG_MARK]))
			printf(" fwmark:0x%x", *(__u32 *)RTA_DATA(tb[INET_DIAG_MARK]));
		if (tb[INET_DIAG_CGROUP_ID]) {
			__u64 id;

			memcpy(&id, RTA_DATA(tb[INET_DIAG_CGROUP_ID]), sizeof(id));
			if (id)
				printf(" cgroup:%s", cg_path(id));
		}
		if (tb[INET_DIAG_SHUTDOWN]) {
			unsigned char m = *(__u8 *)RTA_DATA(tb[INET_DIAG_SHUTDOWN]);

			printf(" %c-%c", m & 1 ? '-' : '<', m & 2 ? '-' : '>');
		}
	}
	if (opt.mem || opt.info) {
		printf("\n\t");
		if (tb[INET_DIAG_SKMEMINFO])
			print_skmem(tb[INET_DIAG_SKMEMINFO]);
		if (tb[INET_DIAG_INFO])
			print_info(r, tb[INET_DIAG_INFO],
				   tb[INET_DIAG_CONG] ? (char *)RTA_DATA(tb[INET_DIAG_CONG]) : NULL,
				   encap, tb[INET_DIAG_BBRINFO]);
	}
	printf("\n");
}

/* SOCK_DESTROY of the socket @r names, on its own netlink socket. */
static int destroy(int fd, const struct inet_diag_msg *r)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} m = {
		.nlh = {
			.nlmsg_len = sizeof(m),
			.nlmsg_type = SOCK_DESTROY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		},
		.req = {
			.sdiag_family = r->idiag_family,
			.sdiag_protocol = opt.proto,
			.idiag_states = ~0u,
			.id = r->id,
		},
	};
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	ssize_t n;

	if (send(fd, &m, sizeof(m), 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

/* The bytecode of the port conditions, all of which must hold. */
static int bytecode(unsigned char *bc)
{
	struct inet_diag_bc_op *op = (struct inet_diag_bc_op *)bc;
	int n = (opt.sport >= 0) + (opt.dport >= 0), len = n * 2 * sizeof(*op);
	int left = len;

	if (opt.sport >= 0) {
		op[0] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_EQ, 8, left + 4 };
		op[1] = (struct inet_diag_bc_op){ 0, 0, opt.sport };
		op += 2;
		left -= 8;
	}
	if (opt.dport >= 0) {
		op[0] = (struct inet_diag_bc_op){ INET_DIAG_BC_D_EQ, 8, left + 4 };
		op[1] = (struct inet_diag_bc_op){ 0, 0, opt.dport };
	}
	return len;
}

/* The sockets of @family (AF_INET, AF_INET6), one line each. */
static int dump(int family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
		struct rtattr rta;
		unsigned char bc[32];
	} m = {
		.nlh = {
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.req = {
			.sdiag_family = family,
			.sdiag_protocol = opt.proto,
			.idiag_states = opt.states,
		},
	};
	static char buf[65536];
	int fd, kfd = -1, bclen, rc = 0;
	bool done = false;

	if (opt.info)
		m.req.idiag_ext |= (1 << (INET_DIAG_INFO - 1)) |
				   (1 << (INET_DIAG_VEGASINFO - 1)) |
				   (1 << (INET_DIAG_CONG - 1));
	if (opt.mem)
		m.req.idiag_ext |= (1 << (INET_DIAG_MEMINFO - 1)) |
				   (1 << (INET_DIAG_SKMEMINFO - 1));
	bclen = bytecode(m.bc);
	m.nlh.nlmsg_len = offsetof(typeof(m), rta);
	if (bclen) {
		m.rta.rta_type = INET_DIAG_REQ_BYTECODE;
		m.rta.rta_len = RTA_LENGTH(bclen);
		m.nlh.nlmsg_len += RTA_SPACE(bclen);
	}

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0 || (opt.kill &&
		       (kfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
				     NETLINK_SOCK_DIAG)) < 0)) {
		perror("xtcp-ss: socket(NETLINK_SOCK_DIAG)");
		return 1;
	}
	if (send(fd, &m, m.nlh.nlmsg_len, 0) < 0) {
		perror("xtcp-ss: send");
		return 1;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0) {
			perror("xtcp-ss: recv");
			return 1;
		}
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;

				fprintf(stderr, "xtcp-ss: sock_diag dump of IP protocol %d: %s%s\n",
					opt.proto, strerror(err),
					err == ENOENT ? " (is xtcp_diag.ko, or the protocol's diag module, loaded?)" : "");
				return 1;
			}
			if (opt.kill) {
				int err = destroy(kfd, NLMSG_DATA(h));

				/* As ss -K: closed already, or not closable. */
				if (err == -ENOENT || err == -EOPNOTSUPP)
					continue;
				if (err) {
					fprintf(stderr, "xtcp-ss: SOCK_DESTROY: %s\n",
						strerror(-err));
					rc = 1;
					continue;
				}
			}
			show(h);
		}
	}
	close(fd);
	if (kfd >= 0)
		close(kfd);
	return rc;
}

static int parse_port(const char *s)
{
	char *end;
	long p;

	if (*s == ':')
		s++;
	p = strtol(s, &end, 10);
	if (!*s || *end || p < 0 || p > 65535)
		return -1;
	return p;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "proto", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	unsigned int states = 0;
	bool all = false, listening = false, only4 = false, only6 = false;
	int c;
	size_t i;

	while ((c = getopt_long(argc, argv, "alnieomKH46p:th", lo, NULL)) != -1) {
		switch (c) {
		case '4': only4 = true; only6 = false; break;
		case '6': only6 = true; only4 = false; break;
		case 'a': all = true; break;
		case 'l': listening = true; break;
		case 'n': case 't': break;
		case 'i': opt.info = true; break;
		case 'e': opt.ext = true; break;
		case 'o': opt.timers = true; break;
		case 'm': opt.mem = true; break;
		case 'K': opt.kill = true; break;
		case 'H': opt.header = false; break;
		case 'p':
			opt.proto = atoi(optarg);
			if (opt.proto <= 0 || opt.proto > 255) {
				fprintf(stderr, "xtcp-ss: bad protocol %s\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	for (; optind < argc; optind++) {
		const char *w = argv[optind];

		if (!strcmp(w, "state") && optind + 1 < argc) {
			const char *name = argv[++optind];

			for (i = 0; i < sizeof(state_filters) / sizeof(state_filters[0]); i++)
				if (!strcmp(state_filters[i].name, name))
					break;
			if (i == sizeof(state_filters) / sizeof(state_filters[0])) {
				fprintf(stderr, "xtcp-ss: unknown state %s\n", name);
				return 2;
			}
			states |= state_filters[i].mask;
		} else if ((!strcmp(w, "sport") || !strcmp(w, "dport")) &&
			   optind + 2 < argc &&
			   (!strcmp(argv[optind + 1], "=") || !strcmp(argv[optind + 1], "eq"))) {
			int p = parse_port(argv[optind + 2]);

			if (p < 0) {
				fprintf(stderr, "xtcp-ss: bad port %s\n", argv[optind + 2]);
				return 2;
			}
			if (w[0] == 's')
				opt.sport = p;
			else
				opt.dport = p;
			optind += 2;
		} else {
			fprintf(stderr, "xtcp-ss: cannot parse filter at \"%s\"\n", w);
			usage(stderr);
			return 2;
		}
	}
	if (opt.proto < 0)
		opt.proto = read_proto();
	if (!states)
		states = all ? ALL_STATES :
			 listening ? 1u << ST_LISTEN : CONN_STATES;
	opt.states = states;
	if (opt.header)
		printf("%-10s %-6s %-6s %21s %21s Process\n", "State", "Recv-Q",
		       "Send-Q", "Local Address:Port", "Peer Address:Port");
	if (!only6 && dump(AF_INET))
		return 1;
	if (!only4 && dump(AF_INET6))
		return 1;
	return 0;
}
