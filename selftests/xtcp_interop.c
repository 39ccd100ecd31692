// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp against the kernel's own TCP: the client netns (xcli) runs xtcp
 * with tools/xtcp-bridge attached to its veth, which turns xtcp's
 * segments into TCP's on the way out and TCP's into xtcp's on the way
 * in, for local ports 40000-41999; the server netns (xsrv) runs
 * unmodified kernel TCP.  Both roles: an xtcp client (bound to a port
 * from 40000) of a TCP server, and a TCP client of an xtcp server
 * (listening on a port from 41000).
 *
 * The interop6 fixture runs some of the cases over IPv6 (fd99::1 and
 * fd99::2, hosts_up_ipv6()): its tests set XTCP_FAMILY=6, so that the
 * helpers (xsock(), do_bind(), xstate()) and the kernel TCP sockets
 * here are AF_INET6, and the bridge rewrites IPv6's next header.  The
 * whole program also runs over IPv6 by hand with XTCP_FAMILY=6.
 *
 * Each case asserts on bytes (SHA-256), on the wire (a capture in xsrv,
 * where everything is TCP), on states, and on the kernel side's own view:
 * TCP_INFO and the TcpExt counters of /proc/net/netstat, which must show
 * no protocol complaint (checksum errors, discarded SACKs, ignored
 * DSACKs, skipped ACKs).
 *
 * XTCP_ONLY=name,name runs only the tests whose names contain a word.
 * XTCP_INTEROP_FULL=1 (make soak) runs the transfers at full length:
 * up to 64 MiB clean, 16 MiB under netem; make check's are shorter.
 */
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

#define MB		(1 << 20)
#define BRIDGE		"tools/xtcp-bridge/xtcp-bridge"
#define XCLI_PORT	40000	/* xtcp clients bind from here */
#define XSRV_PORT	41000	/* xtcp servers listen from here */
#define TSRV_PORT	9700	/* TCP servers listen from here */

/*
 * A connection of @family through the bridge on port offset @k: in role
 * XT (@xt), an xtcp client in xcli bound to XCLI_PORT + @k and a TCP
 * server in xsrv on TSRV_PORT + @k; else role TX, a TCP client in xsrv
 * and an xtcp server in xcli on XSRV_PORT + @k.  *@c is the client, *@a
 * the accepted socket.  0, or -1 with errno from the failed call and
 * nothing left open.
 */
static int pair_fam(int family, int xt, int k, int *c, int *a)
{
	const char *lns = xt ? SRV_NS : CLI_NS, *laddr = xt ? SRV_ADDR : CLI_ADDR;
	int lport = xt ? TSRV_PORT + k : XSRV_PORT + k;
	int lfd, one = 1, err;

	*a = -1;
	lfd = socket_in(lns, family, SOCK_STREAM, xt ? IPPROTO_TCP : xtcp_proto());
	*c = socket_in(xt ? CLI_NS : SRV_NS, family, SOCK_STREAM,
		       xt ? xtcp_proto() : IPPROTO_TCP);
	if (lfd < 0 || *c < 0)
		goto fail;
	if (xt)
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (do_bind(lfd, laddr, lport) || listen(lfd, 4))
		goto fail;
	if (xt && do_bind(*c, CLI_ADDR, XCLI_PORT + k))
		goto fail;
	if (do_connect(*c, laddr, lport))
		goto fail;
	*a = accept(lfd, NULL, NULL);
	if (*a < 0)
		goto fail;
	close(lfd);
	return 0;
fail:
	err = errno;
	if (lfd >= 0)
		close(lfd);
	if (*c >= 0)
		close(*c);
	*c = -1;
	errno = err;
	return -1;
}

/* Role XT: xtcp client in xcli, TCP server in xsrv.  *c is xtcp. */
static int pair_xt(int k, int *c, int *a)
{
	return pair_fam(xtcp_family(), 1, k, c, a);
}

/* Role TX: TCP client in xsrv, xtcp server in xcli.  *c is TCP. */
static int pair_tx(int k, int *c, int *a)
{
	return pair_fam(xtcp_family(), 0, k, c, a);
}

/* A kernel TCP socket of the suite's family (XTCP_FAMILY) in @ns. */
static int tsock(const char *ns)
{
	return socket_in(ns, xtcp_family(), SOCK_STREAM, IPPROTO_TCP);
}

/*
 * The suite's host address @addr (SRV_ADDR or CLI_ADDR) and @port as
 * peer_str() prints them in the suite's family.
 */
static const char *host_port(const char *addr, int port, char *buf, size_t n)
{
	if (xtcp_family() == AF_INET6)
		snprintf(buf, n, "[%s]:%d",
			 strcmp(addr, SRV_ADDR) ? CLI_ADDR6 : SRV_ADDR6, port);
	else
		snprintf(buf, n, "%s:%d", addr, port);
	return buf;
}

/* The kernel side's complaints about its peer: none may grow. */
static const char *const complaints[] = {
	"TCPSACKDiscard", "TCPDSACKIgnoredOld", "TCPDSACKIgnoredNoUndo",
	"TCPDSACKIgnoredDubious",
	"TCPACKSkippedSynRecv", "TCPACKSkippedPAWS", "TCPACKSkippedSeq",
	"TCPACKSkippedFinWait2", "TCPACKSkippedTimeWait",
	"TCPACKSkippedChallenge", "TCPSpuriousRtxHostQueues",
};

#define NCOMPLAINTS ARRAY_SIZE(complaints)

/*
 * netem holds segments in the sender's qdisc: TCP's own retransmissions
 * of segments still queued there (TCPSpuriousRtxHostQueues) are netem's
 * doing, not a complaint about the peer; a pure ACK that netem reorders
 * behind later data arrives below the window and is dropped
 * (TCPACKSkippedSeq); an ACK it holds back while more than a window is
 * acknowledged arrives older than SND.UNA - MAX.SND.WND (RFC 5961 5.2),
 * and a RST it lets overtake data lands in the window but not at
 * RCV.NXT (RFC 5961 3.2): TCP answers both with a rate-limited challenge
 * ACK, and counts the answers it skips (TCPACKSkippedChallenge), as
 * between two kernel TCPs.  Seen in 1 of 5 runs of
 * data_under_reordering (TCPChallengeACK +1, TCPACKSkippedChallenge +1).
 * With timestamps, an ACK netem holds back behind a later one carries an
 * older TSval and acknowledges less than SND.UNA: PAWS drops it (RFC
 * 7323 section 5; tcp_disordered_ack() spares only duplicates) and
 * TCP's rate-limited answer is skipped (TCPACKSkippedPAWS), as between
 * two kernel TCPs: data_under_reordering, PAWSEstab +252 and
 * TCPACKSkippedPAWS +70 in kernel TCP, PAWSEstab +65 in xtcp.  A
 * resend netem held back past the close reaches kernel TCP's TIME-WAIT,
 * whose answer is rate limited as well (TCPACKSkippedTimeWait +1, once
 * in make check's data_under_reordering).
 */
static int netem_on;
/*
 * Pure ACKs of xtcp's that arrived below kernel TCP's window: window and
 * keepalive probes (sent at SND.UNA - 1, by both stacks), and ACKs that
 * data sent later overtook (veth queues per CPU: what two CPUs send may
 * arrive out of order).  TCP answers them with a rate limit and counts
 * each answer it skips as TCPACKSkippedSeq: up to that many are not a
 * complaint.  Set from a capture (wire_check()).
 */
static long acks_below_skipped;
/*
 * All of xtcp's pure ACKs in the capture, if its data segments were all
 * inside kernel TCP's window (else -1): the overtaking above can also
 * happen past the capture point, where the capture cannot count it, so up
 * to that many skipped answers are not a complaint either.
 */
static long xtcp_pure_acks = -1;
/*
 * xtcp's pure ACKs that reached kernel TCP behind a later one of the
 * same connection with a TSval at least 2 ms older (veth queues per
 * CPU): PAWS drops them (tcp_disordered_ack() spares only duplicates)
 * and TCP's rate-limited answers are skipped (TCPACKSkippedPAWS), as
 * between two kernel TCPs; up to that many are not a complaint.  Set
 * from a capture on kernel TCP's side (late_acks_count()).
 */
static long acks_late_paws;

struct kview {
	long c[NCOMPLAINTS];
	long csum_errors;
	long dsack_recv;	/* kernel TCP's D-SACKs received */
	long xtcp_dsacks;	/* xtcp's D-SACKs sent (the xtcp end is in CLI_NS) */
};

/*
 * The counters of the "@prefix" lines of /proc/net/@file (netstat: TcpExt:,
 * snmp: Tcp:) in @ns, names and values.
 */
struct counters {
	int n;
	char name[160][40];
	long val[160];
};

static void counters_read(const char *ns, const char *file,
			  const char *prefix, struct counters *t)
{
	char path[64], names[8192], vals[8192], *n, *v, *sn = NULL, *sv = NULL;
	size_t plen = strlen(prefix);
	int old = ns_enter(ns);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s", file);
	f = fopen(path, "r");
	ns_leave(old);
	t->n = 0;
	if (!f)
		return;
	while (fgets(names, sizeof(names), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(names, prefix, plen))
			continue;
		n = strtok_r(names + plen, "\n ", &sn);
		v = strtok_r(vals + plen, "\n ", &sv);
		while (n && v && t->n < 160) {
			snprintf(t->name[t->n], sizeof(t->name[0]), "%s", n);
			t->val[t->n++] = atol(v);
			n = strtok_r(NULL, "\n ", &sn);
			v = strtok_r(NULL, "\n ", &sv);
		}
	}
	fclose(f);
}

/* Counter @name of @t, or -1. */
static long counter(const struct counters *t, const char *name)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], name))
			return t->val[i];
	return -1;
}

static void kview_read(struct kview *k)
{
	static struct counters t;
	size_t i;

	counters_read(SRV_NS, "netstat", "TcpExt:", &t);
	for (i = 0; i < NCOMPLAINTS; i++)
		k->c[i] = counter(&t, complaints[i]);
	k->dsack_recv = counter(&t, "TCPDSACKRecv") +
			counter(&t, "TCPDSACKOfoRecv");
	counters_read(SRV_NS, "snmp", "Tcp:", &t);
	k->csum_errors = counter(&t, "InCsumErrors");
	k->xtcp_dsacks = xstat(CLI_NS, "DsackOldSent") +
			 xstat(CLI_NS, "DsackOfoSent");
}

/* Every TcpExt counter of @ns that moved since @t0, as diagnostics. */
static void tcpext_diff(const char *ns, const struct counters *t0)
{
	static struct counters t;
	int i;

	counters_read(ns, "netstat", "TcpExt:", &t);
	for (i = 0; i < t.n && i < t0->n; i++)
		if (t.val[i] != t0->val[i])
			fprintf(stderr, "# TcpExt %s %+ld\n", t.name[i],
				t.val[i] - t0->val[i]);
}

static struct counters tcpext0;

static void kview_check(struct __test_metadata *_metadata,
			const struct kview *k0)
{
	struct kview k;
	size_t i;

	kview_read(&k);
	if (memcmp(k.c, k0->c, sizeof(k.c)))
		tcpext_diff(SRV_NS, &tcpext0);
	for (i = 0; i < NCOMPLAINTS; i++) {
		long d = k.c[i] - k0->c[i];

		if (netem_on && (!strcmp(complaints[i], "TCPSpuriousRtxHostQueues") ||
				 !strcmp(complaints[i], "TCPACKSkippedSeq") ||
				 !strcmp(complaints[i], "TCPACKSkippedPAWS") ||
				 !strcmp(complaints[i], "TCPACKSkippedTimeWait") ||
				 !strcmp(complaints[i], "TCPACKSkippedChallenge"))) {
			if (d)
				TH_LOG("%s %+ld: under netem", complaints[i], d);
			continue;
		}
		if (acks_below_skipped && !strcmp(complaints[i], "TCPACKSkippedSeq") &&
		    d <= acks_below_skipped) {
			TH_LOG("TCPACKSkippedSeq %+ld: TCP's rate limit on answers to %ld ACKs from xtcp below its window, as for its own",
			       d, acks_below_skipped);
			continue;
		}
		/*
		 * xtcp reports data that arrives twice (D-SACK, RFC 2883),
		 * as kernel TCP does, and kernel TCP takes some as it takes
		 * a kernel TCP's: one about a retransmission it has no undo
		 * for (a tail loss probe, say) is ignored (NoUndo, Old); one
		 * about a segment it never resent (netem's duplicates) is
		 * Dubious, and its block then discarded (SACKDiscard).  Up
		 * to one each per D-SACK kernel TCP received is not a
		 * complaint, if xtcp sent them (netem may duplicate the ACKs
		 * too: twice as many then).
		 */
		if ((!strcmp(complaints[i], "TCPDSACKIgnoredNoUndo") ||
		     !strcmp(complaints[i], "TCPDSACKIgnoredOld") ||
		     !strcmp(complaints[i], "TCPDSACKIgnoredDubious") ||
		     !strcmp(complaints[i], "TCPSACKDiscard")) && d > 0 &&
		    d <= k.dsack_recv - k0->dsack_recv &&
		    k.dsack_recv - k0->dsack_recv <=
		    (k.xtcp_dsacks - k0->xtcp_dsacks) * (netem_on ? 2 : 1)) {
			TH_LOG("%s %+ld: of %ld D-SACKs from xtcp (kernel TCP got %ld)",
			       complaints[i], d, k.xtcp_dsacks - k0->xtcp_dsacks,
			       k.dsack_recv - k0->dsack_recv);
			continue;
		}
		if (!strcmp(complaints[i], "TCPACKSkippedPAWS") && d > 0 &&
		    d <= acks_late_paws) {
			TH_LOG("TCPACKSkippedPAWS %+ld: of %ld pure ACKs from xtcp that arrived behind a later one, 2 ms older",
			       d, acks_late_paws);
			continue;
		}
		if (!strcmp(complaints[i], "TCPACKSkippedSeq") && d > 0 &&
		    d <= xtcp_pure_acks) {
			TH_LOG("TCPACKSkippedSeq %+ld: of xtcp's %ld pure ACKs, some overtaken after the capture (its data was all in the window)",
			       d, xtcp_pure_acks);
			continue;
		}
		if (d)
			TH_LOG("kernel TCP counted %s: %ld", complaints[i], d);
		EXPECT_EQ(0, d);
	}
	EXPECT_EQ(k0->csum_errors, k.csum_errors)
		TH_LOG("kernel TCP saw %ld bad checksums",
		       k.csum_errors - k0->csum_errors);
}

/* ---- transfers ---- */

/* @quick bytes in make check, @full with XTCP_INTEROP_FULL=1. */
static size_t len_of(size_t quick, size_t full)
{
	const char *e = getenv("XTCP_INTEROP_FULL");

	return e && atoi(e) ? full : quick;
}

struct half {
	int wfd, rfd;
	size_t len;
	uint32_t seed;
	useconds_t read_pause;	/* a slow reader: pause before each read */
	size_t got;
	int werr, rerr;
	char sent[65], rcvd[65];
	pthread_t wthr, rthr;
};

static void *half_writer(void *arg)
{
	struct half *h = arg;
	struct pattern p = { .seed = h->seed };
	struct sha256 c;
	uint8_t buf[65536];
	size_t left = h->len;

	sha256_init(&c);
	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);

		pattern_next(&p, buf, n);
		sha256_update(&c, buf, n);
		if (write_all(h->wfd, buf, n)) {
			h->werr = errno;
			break;
		}
		left -= n;
	}
	sha256_final(&c, h->sent);
	shutdown(h->wfd, SHUT_WR);
	return NULL;
}

static void *half_reader(void *arg)
{
	struct half *h = arg;
	struct sha256 c;
	uint8_t buf[65536];

	sha256_init(&c);
	for (;;) {
		ssize_t n;

		if (h->read_pause)
			usleep(h->read_pause);
		n = read(h->rfd, buf, h->read_pause ? 4096 : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			h->rerr = errno;
			break;
		}
		if (!n)
			break;
		sha256_update(&c, buf, n);
		h->got += n;
	}
	sha256_final(&c, h->rcvd);
	return NULL;
}

/*
 * @up bytes from @c to @a and @down from @a to @c at once, each side
 * shutting its direction when done; both hashes compared.
 */
static void xfer(struct __test_metadata *_metadata, int c, int a, size_t up,
		 size_t down, useconds_t a_pause, useconds_t c_pause)
{
	struct half h[2] = {
		{ .wfd = c, .rfd = a, .len = up, .seed = 11, .read_pause = a_pause },
		{ .wfd = a, .rfd = c, .len = down, .seed = 22, .read_pause = c_pause },
	};
	int i;

	for (i = 0; i < 2; i++) {
		pthread_create(&h[i].wthr, NULL, half_writer, &h[i]);
		pthread_create(&h[i].rthr, NULL, half_reader, &h[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(h[i].wthr, NULL);
		pthread_join(h[i].rthr, NULL);
		EXPECT_EQ(0, h[i].werr) TH_LOG("%s writer: %s", i ? "down" : "up",
					      strerror(h[i].werr));
		EXPECT_EQ(0, h[i].rerr) TH_LOG("%s reader: %s", i ? "down" : "up",
					      strerror(h[i].rerr));
		EXPECT_EQ(h[i].len, h[i].got);
		EXPECT_STREQ(h[i].sent, h[i].rcvd);
	}
}

/*
 * The bridge's counters @names (xtcp-bridge show, run once: a process
 * start is slow in the VM) into @vals, -1 for one it does not show.
 */
static void bridge_stats(const char *const *names, long *vals, int n)
{
	char cmd[256], line[256], key[64];
	FILE *f;
	long v;
	int i;

	for (i = 0; i < n; i++)
		vals[i] = -1;
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s show %s", CLI_NS,
		 BRIDGE, CLI_IF);
	f = popen(cmd, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < n; i++)
			if (sscanf(line, " %63s %ld", key, &v) == 2 &&
			    !strcmp(key, names[i]))
				vals[i] = v;
	pclose(f);
}

/* The bridge's counter @name, or -1. */
static long bridge_stat(const char *name)
{
	long v;

	bridge_stats(&name, &v, 1);
	return v;
}

/* The bridge attached anew: the test's ports, and @remotes if not NULL. */
static int bridge_attach(const char *remotes)
{
	return sh_in(CLI_NS, BRIDGE " attach " CLI_IF " --ports %d-%d%s%s >/dev/null",
		     XCLI_PORT, XSRV_PORT + 999, remotes ? " --remotes " : "",
		     remotes ? remotes : "");
}

/* The remote prefixes xtcp-bridge show lists, "a/n,b/n" or "any". */
static const char *bridge_remotes(char *buf, size_t n)
{
	char cmd[256], line[512], *r, *nl;
	FILE *f;

	snprintf(buf, n, "(none)");
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s show %s", CLI_NS,
		 BRIDGE, CLI_IF);
	f = popen(cmd, "r");
	if (!f)
		return buf;
	r = fgets(line, sizeof(line), f) ? strstr(line, ", remotes ") : NULL;
	if (r) {
		r += strlen(", remotes ");
		nl = strchr(r, '\n');
		if (nl)
			*nl = 0;
		snprintf(buf, n, "%s", r);
	}
	pclose(f);
	return buf;
}

/* What every bridged case ends with: both ways rewritten, no error. */
static void bridge_check(struct __test_metadata *_metadata)
{
	static const char *const names[] = {
		"egress_rewritten", "ingress_rewritten", "errors",
	};
	long v[ARRAY_SIZE(names)];

	bridge_stats(names, v, ARRAY_SIZE(names));
	EXPECT_LT(0, v[0]);
	EXPECT_LT(0, v[1]);
	EXPECT_EQ(0, v[2]);
}

static int tcp_info_of(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, SOL_TCP, TCP_INFO, ti, &len);
}

/*
 * The bridge needs the clsact qdisc (CONFIG_NET_SCH_INGRESS), which a
 * kernel may lack (the debug lane's minimal config does): probed once, in
 * a scratch netns, so that the bridge's own failures still fail the tests.
 */
static const char *bridge_unsupported(void)
{
	static int probed, missing;

	if (!probed) {
		sh("ip netns add xtcp-clsact-probe");
		missing = sh("ip netns exec xtcp-clsact-probe tc qdisc add dev lo clsact 2>/dev/null");
		sh("ip netns del xtcp-clsact-probe");
		probed = 1;
	}
	return missing ? "the kernel has no clsact qdisc (CONFIG_NET_SCH_INGRESS)" : NULL;
}

/* ---- fixture ---- */

FIXTURE(interop) {
	struct kview k0;
	struct xstats x0;
};

/* The same over IPv6: XTCP_FAMILY=6 for the test (its own process). */
FIXTURE(interop6) {
	struct kview k0;
	struct xstats x0;
};

/* Both fixtures': the hosts, the bridge on vc, the counters' start. */
static void bridged_hosts_up(struct __test_metadata *_metadata,
			     struct kview *k0, struct xstats *x0)
{
	if (!test_selected(_metadata->name))
		SKIP(longjmp(_metadata->env, 1), "not in XTCP_ONLY");
	if (bridge_unsupported())
		SKIP(longjmp(_metadata->env, 1), "%s", bridge_unsupported());
	ASSERT_EQ(0, hosts_up());
	ASSERT_EQ(0, offloads_off());
	ASSERT_EQ(0, bridge_attach(NULL));
	kview_read(k0);
	counters_read(SRV_NS, "netstat", "TcpExt:", &tcpext0);
	xstats_read(CLI_NS, x0);
	netem_on = 0;
	acks_below_skipped = 0;
	xtcp_pure_acks = -1;
	acks_late_paws = 0;
}

static void bridged_hosts_down(struct __test_metadata *_metadata,
			       const struct xstats *x0)
{
	if (!_metadata->passed)
		xstats_print_delta(CLI_NS, x0);
	sh_in(CLI_NS, BRIDGE " detach " CLI_IF);
	hosts_down();
}

FIXTURE_SETUP(interop)
{
	bridged_hosts_up(_metadata, &self->k0, &self->x0);
}

FIXTURE_TEARDOWN(interop)
{
	bridged_hosts_down(_metadata, &self->x0);
}

/* hosts_up() gives the hosts IPv6 addresses under XTCP_FAMILY=6. */
FIXTURE_SETUP(interop6)
{
	setenv("XTCP_FAMILY", "6", 1);
	bridged_hosts_up(_metadata, &self->k0, &self->x0);
}

FIXTURE_TEARDOWN(interop6)
{
	bridged_hosts_down(_metadata, &self->x0);
}

/* The options of a SYN or SYN-ACK xtcp sent: what xtcp implements only. */
static void xtcp_syn_options(struct __test_metadata *_metadata,
			     const struct seg *s)
{
	EXPECT_NE(0, s->mss);
	EXPECT_EQ(1, s->sack_perm);
	EXPECT_LE(0, s->wscale);
	EXPECT_EQ(1, s->tstamp) TH_LOG("xtcp offered no timestamps");
	EXPECT_EQ(0, s->other_opts);
}

/*
 * Timestamps, once negotiated with kernel TCP, on every segment each
 * way, each side's TSecr a TSval the other sent (RFC 7323 section 3.2).
 * @cap sees the segments in xsrv; @syn and @synack are the handshake's,
 * whose TSvals begin each side's.
 */
static void ts_every_segment(struct __test_metadata *_metadata, int cap,
			     const struct seg *syn, const struct seg *synack)
{
	uint32_t first[2], last[2];
	int n = 0, bad = 0;
	struct seg s;

	first[synack->outgoing] = last[synack->outgoing] = synack->tsval;
	first[syn->outgoing] = last[syn->outgoing] = syn->tsval;
	while (!cap_next(cap, &s, 300)) {
		int from = s.outgoing;

		n++;
		if (!s.tstamp ||
		    (int32_t)(s.tsval - last[from]) < 0 ||
		    (int32_t)(s.tsecr - first[!from]) < 0 ||
		    (int32_t)(last[!from] - s.tsecr) < 0) {
			bad++;
			continue;
		}
		last[from] = s.tsval;
	}
	EXPECT_LT(4, n);
	EXPECT_EQ(0, bad) TH_LOG("%d of %d segments wrong (no timestamps, TSecr never sent)",
				 bad, n);
}

/*
 * xtcp connects to kernel TCP: its SYN offers MSS, SACK, window scale
 * and timestamps, TCP's SYN-ACK answers with timestamps, which every
 * segment then carries, and TCP_INFO on the TCP side shows SACK, window
 * scaling and timestamps on.  Both ends name the other by its address in
 * the suite's family, 64 KiB go each way, and the bridge counts segments
 * rewritten each way, no error.
 */
static void handshake_xt_case(struct __test_metadata *_metadata,
			      const struct kview *k0)
{
	char want[64], got[64];
	cpu_set_t all;
	struct tcp_info ti;
	struct seg s, syn;
	int cap, c, a;
	char b = 0;

	cap_proto = IPPROTO_TCP;
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, pair_xt(1, &c, &a));
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 0, 2000));
	EXPECT_EQ(xtcp_family() == AF_INET6, syn.ipv6);
	xtcp_syn_options(_metadata, &syn);
	ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK, 1, 2000));
	EXPECT_EQ(1, s.tstamp);
	EXPECT_EQ(syn.tsval, s.tsecr);
	ASSERT_EQ(1, write(c, "x", 1));
	ASSERT_EQ(1, read(a, &b, 1));
	ASSERT_EQ(1, write(a, "y", 1));
	ASSERT_EQ(1, read(c, &b, 1));
	EXPECT_EQ('y', b);
	ts_every_segment(_metadata, cap, &syn, &s);
	ASSERT_EQ(0, tcp_info_of(a, &ti));
	EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_SACK);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_WSCALE);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	EXPECT_EQ(TCP_ESTABLISHED, xstate(CLI_NS, XCLI_PORT + 1, TSRV_PORT + 1));
	EXPECT_STREQ(host_port(CLI_ADDR, XCLI_PORT + 1, want, sizeof(want)),
		     peer_str(a, got, sizeof(got)));
	EXPECT_STREQ(host_port(SRV_ADDR, TSRV_PORT + 1, want, sizeof(want)),
		     peer_str(c, got, sizeof(got)));
	/* On one CPU: an ACK that data overtook would be a complaint. */
	ASSERT_EQ(0, one_cpu(&all));
	xfer(_metadata, c, a, 64 << 10, 64 << 10, 0, 0);
	all_cpus(&all);
	close(c);
	close(a);
	close(cap);
	cap_proto = 0;
	bridge_check(_metadata);
	kview_check(_metadata, k0);
}

TEST_F(interop, handshake_xtcp_client_tcp_server)
{
	handshake_xt_case(_metadata, &self->k0);
}

TEST_F(interop6, handshake_xtcp_client_tcp_server_ipv6)
{
	handshake_xt_case(_metadata, &self->k0);
}

/*
 * Kernel TCP connects to xtcp: its SYN offers timestamps (and SACK,
 * window scale); xtcp's SYN-ACK answers all three, its TSecr the SYN's
 * TSval, and afterwards every segment of either side carries them.
 * Addresses, 64 KiB each way and the bridge's counters as in
 * handshake_xt_case().
 */
static void handshake_tx_case(struct __test_metadata *_metadata,
			      const struct kview *k0)
{
	char want[64], got[64];
	cpu_set_t all;
	struct tcp_info ti;
	struct seg s, syn;
	int cap, c, a, i;
	char b = 0;

	cap_proto = IPPROTO_TCP;
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, pair_tx(1, &c, &a));
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 1, 2000));
	EXPECT_EQ(xtcp_family() == AF_INET6, syn.ipv6);
	EXPECT_EQ(1, syn.tstamp) TH_LOG("kernel TCP's SYN had no timestamps: is net.ipv4.tcp_timestamps off?");
	ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK, 0, 2000));
	xtcp_syn_options(_metadata, &s);
	EXPECT_EQ(syn.tsval, s.tsecr);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, write(c, "x", 1));
		ASSERT_EQ(1, read(a, &b, 1));
		ASSERT_EQ(1, write(a, "y", 1));
		ASSERT_EQ(1, read(c, &b, 1));
	}
	ts_every_segment(_metadata, cap, &syn, &s);
	ASSERT_EQ(0, tcp_info_of(c, &ti));
	EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_SACK);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_WSCALE);
	EXPECT_TRUE(ti.tcpi_options & TCPI_OPT_TIMESTAMPS);
	EXPECT_EQ(TCP_ESTABLISHED, xstate(CLI_NS, XSRV_PORT + 1, local_port(c)));
	EXPECT_STREQ(host_port(SRV_ADDR, local_port(c), want, sizeof(want)),
		     peer_str(a, got, sizeof(got)));
	EXPECT_STREQ(host_port(CLI_ADDR, XSRV_PORT + 1, want, sizeof(want)),
		     peer_str(c, got, sizeof(got)));
	/* On one CPU: an ACK that data overtook would be a complaint. */
	ASSERT_EQ(0, one_cpu(&all));
	xfer(_metadata, c, a, 64 << 10, 64 << 10, 0, 0);
	all_cpus(&all);
	close(c);
	close(a);
	close(cap);
	cap_proto = 0;
	bridge_check(_metadata);
	kview_check(_metadata, k0);
}

TEST_F(interop, handshake_tcp_client_xtcp_server)
{
	handshake_tx_case(_metadata, &self->k0);
}

TEST_F(interop6, handshake_tcp_client_xtcp_server_ipv6)
{
	handshake_tx_case(_metadata, &self->k0);
}

/*
 * One connection of @family in role XT (@xt) or TX on port offset @k.
 * If @bridged, it carries 64 KiB each way, and the bridge counts more
 * segments rewritten in the direction of its SYN.  If not, the SYN
 * passes the bridge as it is, counted as passed and not as rewritten,
 * and the peer's other stack refuses it: xsrv's xtcp answers an xtcp
 * SYN (seen arriving there as xtcp's protocol), xcli's kernel TCP a TCP
 * SYN, neither with a listener on the port.
 */
static void flow_case(struct __test_metadata *_metadata, int family, int xt,
		      int k, int bridged)
{
	/* [0] rewritten, [1] passed, in the direction of the SYN. */
	const char *const names[2] = {
		xt ? "egress_rewritten" : "ingress_rewritten",
		xt ? "egress_passed" : "ingress_passed",
	};
	int c, a, rc, err, cap = -1;
	long v0[2], v[2];
	cpu_set_t all;
	struct seg s = { 0 };

	bridge_stats(names, v0, 2);
	TH_LOG("IPv%d, %s, port offset %d: %s", family == AF_INET6 ? 6 : 4,
	       xt ? "xtcp client" : "xtcp server", k,
	       bridged ? "bridged" : "not bridged");
	if (bridged) {
		ASSERT_EQ(0, pair_fam(family, xt, k, &c, &a));
		ASSERT_EQ(0, one_cpu(&all));	/* as in handshake_xt_case() */
		xfer(_metadata, c, a, 64 << 10, 64 << 10, 0, 0);
		all_cpus(&all);
		close(c);
		close(a);
		bridge_stats(names, v, 2);
		EXPECT_LT(v0[0], v[0]);
		return;
	}
	if (xt) {
		cap_proto = 0;	/* xtcp's protocol: not rewritten */
		cap = cap_open(SRV_NS, SRV_IF);
		ASSERT_LE(0, cap);
	}
	rc = pair_fam(family, xt, k, &c, &a);
	err = errno;
	if (!rc) {
		close(c);
		close(a);
	}
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(ECONNREFUSED, err) TH_LOG("%s", strerror(err));
	if (xt) {
		EXPECT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN, 0, 2000));
		EXPECT_EQ(family == AF_INET6, s.ipv6);
		close(cap);
	}
	bridge_stats(names, v, 2);
	EXPECT_EQ(v0[0], v[0]);
	EXPECT_LT(v0[1], v[1]);
}

/*
 * --remotes with an IPv6 prefix: a flow with the listed remote is
 * bridged, each way; after attaching again with another remote of the
 * same /64, the same flows pass the bridge untouched.
 */
TEST_F_TIMEOUT(interop6, remotes_ipv6_listed_or_passed, XT(60))
{
	char buf[256];

	ASSERT_EQ(0, bridge_attach("fd99::1/128"));
	EXPECT_STREQ("fd99::1/128", bridge_remotes(buf, sizeof(buf)));
	flow_case(_metadata, AF_INET6, 1, 80, 1);
	flow_case(_metadata, AF_INET6, 0, 80, 1);
	ASSERT_EQ(0, bridge_attach("fd99::99/128"));
	EXPECT_STREQ("fd99::99/128", bridge_remotes(buf, sizeof(buf)));
	flow_case(_metadata, AF_INET6, 1, 81, 0);
	flow_case(_metadata, AF_INET6, 0, 81, 0);
	EXPECT_EQ(0, bridge_stat("errors"));
	kview_check(_metadata, &self->k0);
}

/*
 * IPv4 and IPv6 prefixes in one --remotes: `show` lists both, and flows
 * of both families to them are bridged.  Attaching again replaces both
 * sets; with prefixes of one family only, flows of the other are not
 * bridged at all.
 */
TEST_F_TIMEOUT(interop6, remotes_mixed_ipv4_ipv6, XT(90))
{
	char buf[256];

	ASSERT_EQ(0, bridge_attach("10.99.0.1/32,fd99::/64"));
	EXPECT_STREQ("10.99.0.1/32,fd99::/64", bridge_remotes(buf, sizeof(buf)));
	flow_case(_metadata, AF_INET, 1, 82, 1);
	flow_case(_metadata, AF_INET6, 0, 82, 1);

	ASSERT_EQ(0, bridge_attach("10.99.0.0/24"));
	EXPECT_STREQ("10.99.0.0/24", bridge_remotes(buf, sizeof(buf)));
	flow_case(_metadata, AF_INET, 0, 83, 1);
	flow_case(_metadata, AF_INET6, 1, 83, 0);

	ASSERT_EQ(0, bridge_attach("fd99::1/128"));
	EXPECT_STREQ("fd99::1/128", bridge_remotes(buf, sizeof(buf)));
	flow_case(_metadata, AF_INET, 1, 84, 0);
	flow_case(_metadata, AF_INET6, 1, 85, 1);
	EXPECT_EQ(0, bridge_stat("errors"));
	kview_check(_metadata, &self->k0);
}

static void data_case(struct __test_metadata *_metadata, int k, size_t len,
		      const char *netem)
{
	int c, a;

	if (netem) {
		netem_on = 1;
		ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
				   " root netem %s", netem));
		ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
				   " root netem %s", netem));
	}
	ASSERT_EQ(0, pair_xt(k, &c, &a));
	xfer(_metadata, c, a, len, len, 0, 0);
	close(c);
	close(a);
	ASSERT_EQ(0, pair_tx(k, &c, &a));
	xfer(_metadata, c, a, len, len, 0, 0);
	close(c);
	close(a);
}

static int seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

/*
 * The segments of both stacks as captured at vs, each data segment
 * checked against what its receiver had said last: wholly below the
 * receiver's ACK (resent though it was acknowledged), or past the right
 * edge of its window (ACK + window << scale).  [0]: xtcp sending (into
 * vs), [1]: kernel TCP sending (out of vs).
 */
struct wire {
	long old[2], beyond[2], data[2];
};

static void wire_check(struct __test_metadata *_metadata, struct capture *cap,
		       struct wire *w)
{
	struct conn {
		uint16_t port;
		int ws[2], have[2];	/* [d]: the receiver of direction d */
		uint32_t ack[2], right[2];
	} c[16];
	static const char *const who[2] = { "xtcp", "kernel TCP" };
	size_t i;
	int j, n = 0;

	memset(c, 0, sizeof(c));
	memset(w, 0, sizeof(*w));
	acks_below_skipped = 0;
	xtcp_pure_acks = 0;
	for (i = 0; i < cap->n; i++) {
		const struct seg *s = &cap->segs[i];
		uint16_t port = s->outgoing ? s->dport : s->sport;
		int d = s->outgoing;	/* the direction this segment sends */
		int r = !d;		/* the direction it acknowledges */
		struct conn *k = NULL;
		uint32_t edge;

		for (j = 0; j < n; j++)
			if (c[j].port == port)
				k = &c[j];
		if (!k) {
			if (n == 16)
				continue;
			k = &c[n++];
			k->port = port;
		}
		/* The sender's SYN says how it scales its own windows. */
		if (s->flags & XTCP_FLAG_SYN) {
			k->ws[r] = s->wscale > 0 ? s->wscale : 0;
			continue;
		}
		if (s->flags & XTCP_FLAG_ACK) {
			edge = s->ack + ((uint32_t)s->win << k->ws[r]);
			if (!k->have[r] || seq_lt(k->ack[r], s->ack))
				k->ack[r] = s->ack;
			if (!k->have[r] || seq_lt(k->right[r], edge))
				k->right[r] = edge;
			k->have[r] = 1;
		}
		if (!s->len && !d && k->have[0] &&
		    !(s->flags & (XTCP_FLAG_RST | XTCP_FLAG_FIN)) &&
		    seq_lt(s->seq, k->ack[0]))
			acks_below_skipped++;
		if (!s->len && !d && !(s->flags & (XTCP_FLAG_RST | XTCP_FLAG_FIN |
						  XTCP_FLAG_SYN)))
			xtcp_pure_acks++;
		if (!s->len || !k->have[d])
			continue;
		w->data[d]++;
		if (!seq_lt(k->ack[d], s->seq + s->len)) {
			if (w->old[d]++ < 3)
				TH_LOG("port %u: %s resent [%u, %u) below its peer's ACK %u",
				       port, who[d], s->seq, s->seq + s->len,
				       k->ack[d]);
		} else if (seq_lt(k->right[d], s->seq + s->len)) {
			if (w->beyond[d]++ < 3)
				TH_LOG("port %u: %s sent [%u, %u) past its peer's window edge %u",
				       port, who[d], s->seq, s->seq + s->len,
				       k->right[d]);
		}
	}
	for (j = 0; j < 2; j++)
		TH_LOG("%s: %ld data segments, %ld resent below the peer's ACK, %ld past its window",
		       who[j], w->data[j], w->old[j], w->beyond[j]);
	if (w->old[0] || w->beyond[0])
		xtcp_pure_acks = -1;
	TH_LOG("xtcp: %ld pure ACKs below kernel TCP's window (probes, overtaken)",
	       acks_below_skipped);
}

/* 1 byte, 64 KiB and 8 MiB each way at once, in both roles. */
/*
 * A clean path (on one CPU: one_cpu()): nothing lost, reordered or
 * duplicated, so neither side resends below its peer's ACK or sends
 * past its window.
 */
TEST_F_TIMEOUT(interop, data_both_ways_clean, XT(300))
{
	struct capture cap;
	struct wire w;
	cpu_set_t all;

	ASSERT_EQ(0, one_cpu(&all));
	cap_proto = IPPROTO_TCP;
	ASSERT_EQ(0, capture_start(&cap, SRV_NS, SRV_IF));
	data_case(_metadata, 10, 1, NULL);
	data_case(_metadata, 11, 64 << 10, NULL);
	data_case(_metadata, 12, len_of(8 * MB, 64 * MB), NULL);
	capture_stop(&cap, 200);
	all_cpus(&all);
	cap_proto = 0;
	wire_check(_metadata, &cap, &w);
	capture_free(&cap);
	EXPECT_EQ(0, w.beyond[0]);
	EXPECT_EQ(0, w.beyond[1]);
	EXPECT_EQ(0, w.old[0]);
	EXPECT_EQ(0, bridge_stat("errors"));
	kview_check(_metadata, &self->k0);
}

/*
 * With the veth's GSO and TSO on: xtcp builds no GSO skb for a device
 * whose egress a tc program may rewrite, so none is dropped there.
 */
static void gso_on_case(struct __test_metadata *_metadata,
			const struct kview *k0)
{
	cpu_set_t all;

	ASSERT_EQ(0, offloads_set(1));
	/* Kernel TCP challenges ACKs that the pair reordered: one_cpu(). */
	ASSERT_EQ(0, one_cpu(&all));
	data_case(_metadata, 13, len_of(8 * MB, 64 * MB), NULL);
	all_cpus(&all);
	EXPECT_EQ(0, bridge_stat("egress_gso_dropped"));
	EXPECT_LT(1000, bridge_stat("egress_rewritten"));
	EXPECT_EQ(0, bridge_stat("errors"));
	kview_check(_metadata, k0);
}

TEST_F_TIMEOUT(interop, data_with_gso_on, XT(300))
{
	gso_on_case(_metadata, &self->k0);
}

TEST_F_TIMEOUT(interop6, data_with_gso_on_ipv6, XT(300))
{
	gso_on_case(_metadata, &self->k0);
}

TEST_F_TIMEOUT(interop, data_under_loss_2pct, XT(600))
{
	data_case(_metadata, 20, len_of(2 * MB, 16 * MB), "loss 2%");
	kview_check(_metadata, &self->k0);
}

TEST_F_TIMEOUT(interop, data_under_reordering, XT(600))
{
	data_case(_metadata, 21, len_of(2 * MB, 16 * MB), "delay 5ms reorder 75% 50%");
	kview_check(_metadata, &self->k0);
}

TEST_F_TIMEOUT(interop, data_under_duplication, XT(600))
{
	data_case(_metadata, 22, len_of(2 * MB, 16 * MB), "duplicate 5%");
	kview_check(_metadata, &self->k0);
}

TEST_F_TIMEOUT(interop, data_under_delay_and_loss, XT(600))
{
	data_case(_metadata, 23, len_of(1 * MB, 16 * MB), "delay 20ms loss 1%");
	kview_check(_metadata, &self->k0);
}

/*
 * ECN with kernel TCP (RFC 3168), both roles, data one way and then the
 * other, each time through a sender's egress that marks CE where it
 * would drop (netem's "loss 2% ecn"); the ACKs' way stays clean (they
 * are Not-ECT, and would be lost), and so do SYNs and FINs; on one CPU
 * (one_cpu()), so that nothing is resent for being late:
 * - both ends agree on ECN (TCP_INFO's TCPI_OPT_ECN), xtcp asking
 *   (net.xtcp.ecn 1) or answering (TCP's tcp_ecn 1 asks);
 * - kernel TCP's sender lowers its window for the marks xtcp echoed
 *   (ssthresh set) and xtcp's for the marks kernel TCP echoed
 *   (EcnCwr), xtcp resending nothing (kernel TCP may send tail loss
 *   probes);
 * - on the wire, every data segment but a resend is ECT(0) or CE, some
 *   ACKs carry ECE and some data CWR, each way.
 */
/*
 * One direction of ecn_case(): 2 MiB from @from to @to through a netem
 * that marks on the sender's egress (@dev in @ns), removed afterwards;
 * its counters (marks among the drops) go to the log.
 */
static void ecn_phase(struct __test_metadata *_metadata, const char *ns,
		      const char *dev, int from, int to)
{
	struct bulk b = { .fd = from, .len = 2 * MB, .keep_open = 1 };
	char hash[65];
	pthread_t th;

	ASSERT_EQ(0, tc_in(ns, "qdisc add dev %s root netem loss 2%% ecn", dev));
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	EXPECT_EQ(b.len, read_sha256(to, b.len, hash));
	pthread_join(th, NULL);
	EXPECT_STREQ(b.hash, hash);
	sh_in(ns, "tc -s qdisc show dev %s root | sed 's/^/# %s: /' >&2",
	      dev, ns);
	ASSERT_EQ(0, tc_in(ns, "qdisc del dev %s root", dev));
}

/*
 * At most @segs segments per skb through both ends' veths, for the
 * connections made after it (sk_setup_caps() reads it at connect).
 */
static int segs_per_skb(int segs)
{
	return sh("ip -n %s link set dev %s gso_max_segs %d", CLI_NS, CLI_IF,
		  segs) ||
	       sh("ip -n %s link set dev %s gso_max_segs %d", SRV_NS, SRV_IF,
		  segs);
}

static void ecn_case(struct __test_metadata *_metadata, int xt, int k)
{
	unsigned int notect[2] = { 0 }, ece[2] = { 0 }, cwr[2] = { 0 };
	struct timeval tv = { .tv_sec = XT(60) };
	struct tcp_info ti[2];
	struct capture cap;
	long cwr0, cwrs, ce0, ces;
	int c, a, x;
	double end;
	size_t i;

	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.ecn", xt ? 1 : 2));
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.ipv4.tcp_ecn", xt ? 2 : 1));
	cwr0 = xstat(CLI_NS, "EcnCwr");
	ce0 = xstat(CLI_NS, "EcnCeRecv");
	/*
	 * One segment per skb: kernel TCP builds GSO skbs whatever the
	 * device offers (software GSO, sk_setup_caps()), and netem marks
	 * or drops a whole one at a time, which made its 2% of kernel
	 * TCP's skbs a few marks, at times none.
	 */
	ASSERT_EQ(0, segs_per_skb(1));
	ASSERT_EQ(0, xt ? pair_xt(k, &c, &a) : pair_tx(k, &c, &a));
	ASSERT_EQ(0, segs_per_skb(65535));
	/* The xtcp end: the client in role XT, the server in role TX. */
	x = xt ? c : a;
	netem_on = 1;
	cap_proto = IPPROTO_TCP;
	ASSERT_EQ(0, capture_start(&cap, SRV_NS, SRV_IF));
	setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	/* c is in CLI_NS in role XT, in SRV_NS in role TX; a the other. */
	ecn_phase(_metadata, xt ? CLI_NS : SRV_NS, xt ? CLI_IF : SRV_IF, c, a);
	ecn_phase(_metadata, xt ? SRV_NS : CLI_NS, xt ? SRV_IF : CLI_IF, a, c);
	end = now_s() + XT(10);
	do {
		ASSERT_EQ(0, tcp_info_of(c, &ti[0]));
		ASSERT_EQ(0, tcp_info_of(a, &ti[1]));
		if (!ti[0].tcpi_unacked && !ti[1].tcpi_unacked)
			break;
		usleep(10000);
	} while (now_s() < end);
	capture_stop(&cap, 100);
	cap_proto = 0;
	cwrs = xstat(CLI_NS, "EcnCwr") - cwr0;
	ces = xstat(CLI_NS, "EcnCeRecv") - ce0;

	/* [0]: what the kernel TCP end sent (outgoing in xsrv), [1]: xtcp's. */
	for (i = 0; i < cap.n; i++) {
		const struct seg *s = &cap.segs[i];
		int from_x = !s->outgoing;

		if (s->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN | XTCP_FLAG_RST))
			continue;
		if (s->len)
			notect[from_x] += !(s->tos & 3);
		ece[from_x] += !!(s->flags & XTCP_FLAG_ECE);
		cwr[from_x] += !!(s->flags & XTCP_FLAG_CWR);
	}
	capture_free(&cap);
	for (i = 0; i < 2; i++) {
		int fd = i ? a : c;
		int is_x = fd == x;

		TH_LOG("%s %s: options %#x, retrans %u, ssthresh %u; sent %u Not-ECT data, %u ECE, %u CWR",
		       i ? "server" : "client", is_x ? "xtcp" : "kernel TCP",
		       ti[i].tcpi_options, ti[i].tcpi_total_retrans,
		       ti[i].tcpi_snd_ssthresh, notect[is_x], ece[is_x],
		       cwr[is_x]);
		EXPECT_EQ(0, ti[i].tcpi_unacked);
		EXPECT_TRUE(ti[i].tcpi_options & TCPI_OPT_ECN);
		/* Kernel TCP's reduction needs marks on its data: below. */
		if (is_x)
			EXPECT_GT(0x7fffffffU, ti[i].tcpi_snd_ssthresh);
		/*
		 * Nothing lost, nothing reordered: xtcp resends nothing.
		 * Kernel TCP may send tail loss probes, resends that go
		 * Not-ECT, when xtcp delays the ACK of a burst's end.
		 */
		if (is_x)
			EXPECT_EQ(0, ti[i].tcpi_total_retrans);
		EXPECT_GE(ti[i].tcpi_total_retrans, notect[is_x]);
	}
	TH_LOG("xtcp's window reductions for kernel TCP's echoes: %ld; CE marks it got: %ld",
	       cwrs, ces);
	tcpext_diff(SRV_NS, &tcpext0);
	/* Marks on xtcp's data: kernel TCP echoes, xtcp reduces, says CWR. */
	EXPECT_LT(0, cwrs);
	EXPECT_LT(0, ece[0]);
	EXPECT_LT(0, cwr[1]);
	/* Marks on kernel TCP's data: xtcp echoes, kernel TCP reduces, CWR. */
	EXPECT_LT(0, ces);
	EXPECT_LT(0, ece[1]);
	EXPECT_LT(0, cwr[0]);
	EXPECT_GT(0x7fffffffU, ti[x == c ? 1 : 0].tcpi_snd_ssthresh);
	close(c);
	close(a);
}

TEST_F_TIMEOUT(interop, ecn_each_way, XT(300))
{
	cpu_set_t all;

	ASSERT_EQ(0, one_cpu(&all));
	ecn_case(_metadata, 1, 30);
	ecn_case(_metadata, 0, 31);
	all_cpus(&all);
	kview_check(_metadata, &self->k0);
}

/* A slow reader on each side, in each role: zero windows and probes. */
TEST_F_TIMEOUT(interop, zero_window_each_way, XT(120))
{
	int c, a, small = 16 << 10;

	ASSERT_EQ(0, pair_xt(30, &c, &a));
	setsockopt(a, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	xfer(_metadata, c, a, 512 << 10, 512 << 10, 2000, 2000);
	close(c);
	close(a);
	ASSERT_EQ(0, pair_tx(30, &c, &a));
	setsockopt(a, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	xfer(_metadata, c, a, 512 << 10, 512 << 10, 2000, 2000);
	close(c);
	close(a);
	kview_check(_metadata, &self->k0);
}

/*
 * Teardown each way: the side that closes first ends in TIME-WAIT, the
 * other reads EOF; an abortive close (SO_LINGER {1, 0}) gives the other
 * side ECONNRESET.
 */
static void teardown_case(struct __test_metadata *_metadata,
			  const struct kview *k0)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };
	char b;
	int c, a;

	/* xtcp closes first: xtcp in TIME-WAIT, TCP reads EOF. */
	ASSERT_EQ(0, pair_xt(40, &c, &a));
	close(c);
	EXPECT_EQ(0, read(a, &b, 1));
	close(a);
	EXPECT_EQ(TCP_TIME_WAIT, wait_state(CLI_NS, XCLI_PORT + 40,
					    TSRV_PORT + 40, TCP_TIME_WAIT, 2));

	/* TCP closes first: xtcp reads EOF, then closes from CLOSE-WAIT. */
	ASSERT_EQ(0, pair_tx(41, &c, &a));
	close(c);
	EXPECT_EQ(0, read(a, &b, 1));
	close(a);
	usleep(200000);
	EXPECT_EQ(-1, xstate(CLI_NS, XSRV_PORT + 41, 0));

	/* xtcp aborts: TCP gets ECONNRESET. */
	ASSERT_EQ(0, pair_xt(42, &c, &a));
	setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(c);
	usleep(200000);
	EXPECT_EQ(-1, read(a, &b, 1));
	EXPECT_EQ(ECONNRESET, errno);
	close(a);

	/* TCP aborts: xtcp gets ECONNRESET. */
	ASSERT_EQ(0, pair_tx(43, &c, &a));
	setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(c);
	usleep(200000);
	EXPECT_EQ(-1, read(a, &b, 1));
	EXPECT_EQ(ECONNRESET, errno);
	close(a);
	EXPECT_EQ(0, bridge_stat("errors"));
	kview_check(_metadata, k0);
}

TEST_F_TIMEOUT(interop, teardown_fin_and_rst_each_way, XT(60))
{
	teardown_case(_metadata, &self->k0);
}

TEST_F_TIMEOUT(interop6, teardown_fin_and_rst_each_way_ipv6, XT(60))
{
	teardown_case(_metadata, &self->k0);
}

/* Both close at once: each side goes through CLOSING or FIN-WAIT-2. */
TEST_F_TIMEOUT(interop, simultaneous_close, XT(60))
{
	char b;
	int c, a;

	ASSERT_EQ(0, pair_xt(44, &c, &a));
	shutdown(c, SHUT_WR);
	shutdown(a, SHUT_WR);
	EXPECT_EQ(0, read(c, &b, 1));
	EXPECT_EQ(0, read(a, &b, 1));
	close(c);
	close(a);
	EXPECT_EQ(TCP_TIME_WAIT, wait_state(CLI_NS, XCLI_PORT + 44,
					    TSRV_PORT + 44, TCP_TIME_WAIT, 2));
	kview_check(_metadata, &self->k0);
}

/* Keepalive probes of each stack are answered by the other. */
TEST_F_TIMEOUT(interop, keepalive_answered_each_way, XT(60))
{
	int one = 1, c, a, i;
	struct tcp_info ti;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, i ? pair_tx(50, &c, &a) : pair_xt(50, &c, &a));
		ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, 4));
		ASSERT_EQ(0, setsockopt(c, SOL_TCP, TCP_KEEPIDLE, &one, 4));
		ASSERT_EQ(0, setsockopt(c, SOL_TCP, TCP_KEEPINTVL, &one, 4));
		ASSERT_EQ(0, setsockopt(c, SOL_TCP, TCP_KEEPCNT, &one, 4));
		/* One unanswered probe would kill it after 2 s. */
		sleep(4);
		EXPECT_EQ(0, so_error(c));
		EXPECT_EQ(1, write(c, "k", 1));
		EXPECT_EQ(1, read(a, &ti, 1));
		close(c);
		close(a);
	}
	kview_check(_metadata, &self->k0);
}

/*
 * Kernel TCP with the largest window scale, 14 (tcp_rmem's maximum at
 * 1 GiB in xsrv): its SYN and SYN-ACK say 14, and xtcp sends 8 MiB to
 * it in each role, reading the shifted windows right (nothing past the
 * window on the wire, bytes equal).
 */
TEST_F_TIMEOUT(interop, window_scale_14, XT(120))
{
	struct capture cap;
	struct wire w;
	size_t i;
	int c, a, k, ws_seen = -1;

	ASSERT_EQ(0, sh_in(SRV_NS, "sysctl -qw net.ipv4.tcp_rmem='4096 131072 1073741824'"));
	cap_proto = IPPROTO_TCP;
	ASSERT_EQ(0, capture_start(&cap, SRV_NS, SRV_IF));
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, k ? pair_tx(70, &c, &a) : pair_xt(70, &c, &a));
		/* xtcp writes, TCP reads. */
		if (k)
			xfer(_metadata, a, c, 8 * MB, 0, 0, 0);
		else
			xfer(_metadata, c, a, 8 * MB, 0, 0, 0);
		close(c);
		close(a);
	}
	capture_stop(&cap, 200);
	cap_proto = 0;
	sh_in(SRV_NS, "sysctl -qw net.ipv4.tcp_rmem='4096 131072 6291456'");
	for (i = 0; i < cap.n; i++)
		if (cap.segs[i].outgoing && (cap.segs[i].flags & XTCP_FLAG_SYN))
			ws_seen = cap.segs[i].wscale;
	EXPECT_EQ(14, ws_seen);
	wire_check(_metadata, &cap, &w);
	EXPECT_EQ(0, w.beyond[0]);
	EXPECT_LT(1000, w.data[0]);
	capture_free(&cap);
	kview_check(_metadata, &self->k0);
}

/*
 * In a capture on kernel TCP's side (@cap, SRV_IF): xtcp's pure ACKs,
 * per connection, whose TSval is 2 or more behind one that arrived
 * before them (acks_late_paws).
 */
static long late_acks_count(const struct capture *cap)
{
	struct { int port; uint32_t tsval; } hi[8] = {};
	long late = 0;
	size_t i, k;

	for (i = 0; i < cap->n; i++) {
		const struct seg *s = &cap->segs[i];

		if (s->outgoing || !s->tstamp)
			continue;
		for (k = 0; k < 7 && hi[k].port && hi[k].port != s->sport; k++)
			;
		if (!hi[k].port) {
			hi[k].port = s->sport;
			hi[k].tsval = s->tsval;
			continue;
		}
		if ((int32_t)(hi[k].tsval - s->tsval) >= 2) {
			if (!s->len)
				late++;
			continue;
		}
		if ((int32_t)(s->tsval - hi[k].tsval) > 0)
			hi[k].tsval = s->tsval;
	}
	return late;
}

/*
 * MSS clamping each way: TCP_MAXSEG 536 on the kernel side's socket
 * before the handshake limits what xtcp sends, and 600 on xtcp's limits
 * what TCP sends; every data segment on the wire within the bound.
 */
TEST_F_TIMEOUT(interop, mss_clamped_each_way, XT(90))
{
	struct capture cap;
	int c, a, lfd, mss = 536, xmss = 600, i;
	size_t j;
	int max[2] = { 0, 0 };	/* [0]: xtcp's largest, [1]: TCP's */

	cap_proto = IPPROTO_TCP;
	ASSERT_EQ(0, capture_start(&cap, SRV_NS, SRV_IF));
	/* TCP server with MSS 536, xtcp client. */
	lfd = tsock(SRV_NS);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setsockopt(lfd, SOL_TCP, TCP_MAXSEG, &mss, sizeof(mss)));
	ASSERT_EQ(0, do_bind(lfd, SRV_ADDR, TSRV_PORT + 71));
	ASSERT_EQ(0, listen(lfd, 1));
	c = xsock(CLI_NS);
	ASSERT_EQ(0, do_bind(c, CLI_ADDR, XCLI_PORT + 71));
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, TSRV_PORT + 71));
	a = accept(lfd, NULL, NULL);
	close(lfd);
	ASSERT_LE(0, a);
	xfer(_metadata, c, a, 1 * MB, 0, 0, 0);
	close(c);
	close(a);
	/* xtcp server with MSS 600, TCP client. */
	lfd = xsock(CLI_NS);
	ASSERT_EQ(0, setsockopt(lfd, SOL_TCP, TCP_MAXSEG, &xmss, sizeof(xmss)));
	ASSERT_EQ(0, do_bind(lfd, CLI_ADDR, XSRV_PORT + 71));
	ASSERT_EQ(0, listen(lfd, 1));
	c = tsock(SRV_NS);
	ASSERT_EQ(0, do_connect(c, CLI_ADDR, XSRV_PORT + 71));
	a = accept(lfd, NULL, NULL);
	close(lfd);
	ASSERT_LE(0, a);
	xfer(_metadata, c, a, 1 * MB, 0, 0, 0);
	close(c);
	close(a);
	capture_stop(&cap, 200);
	cap_proto = 0;
	for (j = 0; j < cap.n; j++) {
		i = cap.segs[j].outgoing;
		if (cap.segs[j].len > max[i])
			max[i] = cap.segs[j].len;
	}
	TH_LOG("largest data segment: xtcp %d, kernel TCP %d", max[0], max[1]);
	EXPECT_GE(mss, max[0]);
	EXPECT_LT(400, max[0]);
	EXPECT_GE(xmss, max[1]);
	EXPECT_LT(400, max[1]);
	acks_late_paws = late_acks_count(&cap);
	capture_free(&cap);
	kview_check(_metadata, &self->k0);
}

/*
 * Nagle and delayed ACKs across the two stacks, in request/response:
 * each side writes a request in two small pieces (write, write, read:
 * the pattern where Nagle waits for a delayed ACK), Nagle on at both
 * ends.  Every exchange completes, none stalls past a delayed-ACK
 * timeout plus margin (500 ms), in both roles; with TCP_NODELAY none
 * waits for an ACK at all.
 */
TEST_F_TIMEOUT(interop, nagle_and_delayed_ack_request_response, XT(90))
{
	int k, nd, c, a, i, one = 1;

	for (k = 0; k < 2; k++) {
		for (nd = 0; nd < 2; nd++) {
			double worst = 0, total = 0;

			ASSERT_EQ(0, k ? pair_tx(72 + nd, &c, &a) :
					 pair_xt(72 + nd, &c, &a));
			if (nd) {
				setsockopt(c, SOL_TCP, TCP_NODELAY, &one, 4);
				setsockopt(a, SOL_TCP, TCP_NODELAY, &one, 4);
			}
			for (i = 0; i < 20; i++) {
				char req[64] = { 0 }, rsp[64];
				double t0 = now_s(), dt;

				ASSERT_EQ(10, write(c, "request-a:", 10));
				ASSERT_EQ(10, write(c, "request-b.", 10));
				ASSERT_EQ(20, read_full(a, req, 20));
				ASSERT_EQ(0, memcmp(req, "request-a:request-b.", 20));
				ASSERT_EQ(10, write(a, "answer-a: ", 10));
				ASSERT_EQ(10, write(a, "answer-b. ", 10));
				ASSERT_EQ(20, read_full(c, rsp, 20));
				dt = now_s() - t0;
				total += dt;
				if (dt > worst)
					worst = dt;
			}
			TH_LOG("%s, %s: 20 exchanges in %.3f s, the slowest %.3f s",
			       k ? "TCP client, xtcp server" : "xtcp client, TCP server",
			       nd ? "TCP_NODELAY" : "Nagle", total, worst);
			EXPECT_GT(XT(0.5), worst);
			close(c);
			close(a);
		}
	}
	kview_check(_metadata, &self->k0);
}

/* Kernel TCP sends urgent data; xtcp handles it as TCP does. */
TEST_F(interop, urgent_from_kernel_tcp)
{
	char buf[8] = { 0 };
	struct pollfd p = { .events = POLLPRI };
	int c, a, mark = 0;

	ASSERT_EQ(0, pair_tx(60, &c, &a));
	ASSERT_EQ(2, send(c, "ab", 2, 0));
	ASSERT_EQ(1, send(c, "c", 1, MSG_OOB));
	ASSERT_EQ(2, send(c, "de", 2, 0));
	p.fd = a;
	ASSERT_EQ(1, poll(&p, 1, XT(2000)));
	usleep(200000);
	ASSERT_EQ(2, read(a, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	ASSERT_EQ(0, ioctl(a, SIOCATMARK, &mark));
	EXPECT_EQ(1, mark);
	ASSERT_EQ(1, recv(a, buf, 1, MSG_OOB));
	EXPECT_EQ('c', buf[0]);
	ASSERT_EQ(2, read(a, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	close(c);
	close(a);
	kview_check(_metadata, &self->k0);
}

TEST_HARNESS_MAIN
