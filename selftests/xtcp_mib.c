// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp's counters: each one a test can drive is driven here and its
 * delta read back, exact where the scenario fixes it, bounded where a
 * timer or the scheduler has a say.  Over kernel TCP (XTCP_PROTO=6) the
 * tests whose counters TCP has with the same meaning run as well, on
 * TCP's own counters (/proc/net/snmp's Tcp: line, /proc/net/netstat's
 * TcpExt: line): the reference.  Then the counters in nstat's layout:
 * /proc/net/xtcp_snmp and /proc/net/xtcp_netstat parse as nstat parses
 * them, and tools/xtcp-nstat prints what /proc/net/xtcp_stat says.
 * docs/counters.md lists which test drives which counter.
 *
 * Forged segments leave a netns through an IP_HDRINCL raw socket: from
 * the real client (10.99.0.2), from the server's address, or from a host
 * that never answers (10.99.0.3, a static neighbour of xsrv).
 */
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <sys/wait.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

#define GHOST_OF_CLI	"10.99.0.3"
#define NSTAT_TOOL	"tools/xtcp-nstat/xtcp-nstat"
#define NSTAT_HIST	"/tmp/xtcp-mib-nstat.hist"

/* ---- files of "Prefix: names" and "Prefix: values" lines ---- */

#define PAIRS_MAX	512

struct pairs {
	int n;
	int bad;		/* a pair whose two lines do not match */
	int lines;
	char name[PAIRS_MAX][64];	/* prefix and name, as nstat joins them */
	char val[PAIRS_MAX][24];
};

static const char sep[] = { ' ', '\n', 0 };

/* Read @path in @ns as nstat's load_ugly_table() reads it. */
static void pairs_read(const char *ns, const char *path, struct pairs *p)
{
	static char names[8192], vals[8192];
	int old = ns_enter(ns);
	FILE *f = fopen(path, "r");

	ns_leave(old);
	memset(p, 0, sizeof(*p));
	if (!f) {
		p->bad = 1;
		return;
	}
	while (fgets(names, sizeof(names), f)) {
		char *c1, *c2, *a, *b, *s1, *s2;

		if (names[0] == '\n')
			continue;
		p->lines += 2;
		if (!fgets(vals, sizeof(vals), f)) {
			p->bad = 1;
			break;
		}
		c1 = strchr(names, ':');
		c2 = strchr(vals, ':');
		if (!c1 || !c2 || c1 - names != c2 - vals ||
		    strncmp(names, vals, c1 - names) || c1[1] != ' ' ||
		    !strchr(names, '\n') || !strchr(vals, '\n')) {
			p->bad = 1;
			break;
		}
		*c1 = 0;
		a = strtok_r(c1 + 1, sep, &s1);
		b = strtok_r(c2 + 1, sep, &s2);
		while (a && b && p->n < PAIRS_MAX) {
			snprintf(p->name[p->n], sizeof(p->name[0]), "%.31s%.31s",
				 names, a);
			snprintf(p->val[p->n], sizeof(p->val[0]), "%s", b);
			p->n++;
			a = strtok_r(NULL, sep, &s1);
			b = strtok_r(NULL, sep, &s2);
		}
		if (a || b)
			p->bad = 1;
	}
	fclose(f);
}

/* The value of @name; -1 if absent. */
static long pairs_get(const struct pairs *p, const char *name)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->name[i], name))
			return strtol(p->val[i], NULL, 10);
	return -1;
}

/* ---- counters: xtcp's, or TCP's of the same meaning ---- */

/* An xtcp_stat name, the name nstat gives it, and TCP's (NULL: none). */
struct mib_name {
	const char *stat, *nstat, *tcp;
};

static const struct mib_name mib_names[] = {
	{ "ActiveOpens",	"XtcpActiveOpens",	"TcpActiveOpens" },
	{ "PassiveOpens",	"XtcpPassiveOpens",	"TcpPassiveOpens" },
	{ "AttemptFails",	"XtcpAttemptFails",	"TcpAttemptFails" },
	{ "EstabResets",	"XtcpEstabResets",	"TcpEstabResets" },
	{ "CurrEstab",		"XtcpCurrEstab",	"TcpCurrEstab" },
	{ "InSegs",		"XtcpInSegs",		"TcpInSegs" },
	{ "OutSegs",		"XtcpOutSegs",		"TcpOutSegs" },
	{ "RetransSegs",	"XtcpRetransSegs",	"TcpRetransSegs" },
	{ "InErrs",		"XtcpInErrs",		"TcpInErrs" },
	{ "OutRsts",		"XtcpOutRsts",		"TcpOutRsts" },
	{ "InCsumErrors",	"XtcpInCsumErrors",	"TcpInCsumErrors" },
	{ "InBadHeader",	"XtcpExtInBadHeader",	NULL },
	{ "InBadOptions",	"XtcpExtInBadOptions",	NULL },
	{ "InNoSocket",		"XtcpExtInNoSocket",	NULL },
	{ "InRsts",		"XtcpExtInRsts",	NULL },
	{ "ListenOverflows",	"XtcpExtListenOverflows", "TcpExtListenOverflows" },
	{ "ListenDrops",	"XtcpExtListenDrops",	"TcpExtListenDrops" },
	{ "SynRetrans",		"XtcpExtSynRetrans",	NULL },
	{ "SynAckRetrans",	"XtcpExtSynAckRetrans",	NULL },
	{ "InUnacceptable",	"XtcpExtInUnacceptable", NULL },
	{ "ChallengeAcks",	"XtcpExtTCPChallengeACK", "TcpExtTCPChallengeACK" },
	{ "OfoDrops",		"XtcpExtOfoDrops",	NULL },
	{ "RcvQDrops",		"XtcpExtTCPRcvQDrop",	"TcpExtTCPRcvQDrop" },
	{ "Timeouts",		"XtcpExtTCPAbortOnTimeout", "TcpExtTCPAbortOnTimeout" },
	{ "TimeWaits",		"XtcpExtTimeWaits",	NULL },
	{ "TimeWaitOverflows",	"XtcpExtTCPTimeWaitOverflow", "TcpExtTCPTimeWaitOverflow" },
	{ "TimeWaitKilled",	"XtcpExtTimeWaitKilled", NULL },
	{ "TimeWaitRecycled",	"XtcpExtTimeWaitRecycled", NULL },
	{ "OrphanOverflows",	"XtcpExtTCPAbortOnMemory", "TcpExtTCPAbortOnMemory" },
	{ "FastRetrans",	"XtcpExtFastRetrans",	NULL },
	{ "PartialAcks",	"XtcpExtPartialAcks",	NULL },
	{ "InDupAcks",		"XtcpExtInDupAcks",	NULL },
	{ "OfoQueued",		"XtcpExtTCPOFOQueue",	"TcpExtTCPOFOQueue" },
	{ "OfoPruned",		"XtcpExtOfoPruned",	NULL },
	{ "DelayedAcks",	"XtcpExtDelayedACKs",	"TcpExtDelayedACKs" },
	{ "WindowProbes",	"XtcpExtTCPWinProbe",	"TcpExtTCPWinProbe" },
	{ "RetransTimeouts",	"XtcpExtRetransTimeouts", NULL },
	{ "OutGsoSkbs",		"XtcpExtOutGsoSkbs",	NULL },
	{ "BacklogDrops",	"XtcpExtTCPBacklogDrop", "TcpExtTCPBacklogDrop" },
	{ "BacklogCoalesce",	"XtcpExtTCPBacklogCoalesce", "TcpExtTCPBacklogCoalesce" },
	{ "RcvCoalesce",	"XtcpExtTCPRcvCoalesce", "TcpExtTCPRcvCoalesce" },
	{ "DsackOldSent",	"XtcpExtTCPDSACKOldSent", "TcpExtTCPDSACKOldSent" },
	{ "DsackOfoSent",	"XtcpExtTCPDSACKOfoSent", "TcpExtTCPDSACKOfoSent" },
	{ "SackReorder",	"XtcpExtTCPSACKReorder", "TcpExtTCPSACKReorder" },
	{ "TsReorder",		"XtcpExtTCPTSReorder",	"TcpExtTCPTSReorder" },
	{ "SackMerged",		"XtcpExtTCPSackMerged",	"TcpExtTCPSackMerged" },
	{ "ChallengeAcksLimited", "XtcpExtChallengeAcksLimited", NULL },
	{ "OutRstsLimited",	"XtcpExtOutRstsLimited", NULL },
	{ "MemoryPressures",	"XtcpExtTCPMemoryPressures", "TcpExtTCPMemoryPressures" },
	{ "SyncookiesSent",	"XtcpExtSyncookiesSent", "TcpExtSyncookiesSent" },
	{ "SyncookiesRecv",	"XtcpExtSyncookiesRecv", "TcpExtSyncookiesRecv" },
	{ "SyncookiesFailed",	"XtcpExtSyncookiesFailed", "TcpExtSyncookiesFailed" },
	{ "OutOfWindowIcmps",	"XtcpExtOutOfWindowIcmps", "TcpExtOutOfWindowIcmps" },
	{ "LockDroppedIcmps",	"XtcpExtLockDroppedIcmps", "TcpExtLockDroppedIcmps" },
	{ "PmtuReduced",	"XtcpExtPmtuReduced",	NULL },
	{ "OutOfWindowAcksSkipped", "XtcpExtOutOfWindowAcksSkipped", NULL },
	{ "RequestDuplicates",	"XtcpExtRequestDuplicates", NULL },
	{ "TimersDeferred",	"XtcpExtTimersDeferred", NULL },
	{ "TsqThrottled",	"XtcpExtTsqThrottled",	NULL },
	{ "EncapInSegs",	"XtcpExtEncapInSegs",	NULL },
	{ "EncapOutSegs",	"XtcpExtEncapOutSegs",	NULL },
	{ "EncapInErrs",	"XtcpExtEncapInErrs",	NULL },
	{ "EncapMismatch",	"XtcpExtEncapMismatch",	NULL },
	{ "DsackRecv",		"XtcpExtTCPDSACKRecv",	"TcpExtTCPDSACKRecv" },
	{ "DsackIgnoredDubious", "XtcpExtTCPDSACKIgnoredDubious",
	  "TcpExtTCPDSACKIgnoredDubious" },
	{ "DsackUndo",		"XtcpExtTCPDSACKUndo",	"TcpExtTCPDSACKUndo" },
	{ "EcnCeRecv",		"XtcpExtEcnCeRecv",	NULL },
	{ "EcnCwr",		"XtcpExtEcnCwr",	NULL },
	{ "SpuriousRtos",	"XtcpExtTCPSpuriousRTOs", "TcpExtTCPSpuriousRTOs" },
	{ "FullUndo",		"XtcpExtTCPFullUndo",	"TcpExtTCPFullUndo" },
	{ "PartialUndo",	"XtcpExtTCPPartialUndo", "TcpExtTCPPartialUndo" },
	{ "LossUndo",		"XtcpExtTCPLossUndo",	"TcpExtTCPLossUndo" },
	{ "LossProbes",		"XtcpExtTCPLossProbes",	"TcpExtTCPLossProbes" },
	{ "LossProbeRecovery",	"XtcpExtTCPLossProbeRecovery",
	  "TcpExtTCPLossProbeRecovery" },
	{ "LostRetransmit",	"XtcpExtTCPLostRetransmit",
	  "TcpExtTCPLostRetransmit" },
	{ "MinTtlDrops",	"XtcpExtTCPMinTTLDrop",	"TcpExtTCPMinTTLDrop" },
	{ "AckCompressed",	"XtcpExtTCPAckCompressed",
	  "TcpExtTCPAckCompressed" },
	{ "PAWSEstab",		"XtcpExtPAWSEstab",	"TcpExtPAWSEstab" },
	{ "SackRecv",		"XtcpExtSackRecv",	NULL },
	{ "SackScanned",	"XtcpExtSackScanned",	NULL },
	{ "PAWSActiveRejected",	"XtcpExtPAWSActive",	"TcpExtPAWSActive" },
};

static const struct mib_name *mib_name_of(const char *stat)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mib_names); i++)
		if (!strcmp(mib_names[i].stat, stat))
			return &mib_names[i];
	return NULL;
}

/*
 * Counter @name (xtcp_stat's) in @ns: xtcp's, or over TCP the kernel's
 * counter of the same meaning.  -1 if there is none.
 */
static long ctr(const char *ns, const char *name)
{
	static struct pairs p;
	const struct mib_name *m;

	if (!is_tcp())
		return xstat(ns, name);
	m = mib_name_of(name);
	if (!m || !m->tcp)
		return -1;
	pairs_read(ns, strncmp(m->tcp, "TcpExt", 6) ? "/proc/net/snmp" :
		   "/proc/net/netstat", &p);
	return pairs_get(&p, m->tcp);
}

static long ctr_must(struct __test_metadata *_metadata, const char *ns,
		     const char *name)
{
	long v = ctr(ns, name);

	ASSERT_LE(0, v) TH_LOG("no counter %s in %s", name, ns);
	return v;
}

#define C(ns, name) ctr_must(_metadata, ns, name)

/* Sockets of @ns in ESTABLISHED or CLOSE-WAIT, from /proc/net/xtcp(6). */
static int xcount_estab(const char *ns)
{
	FILE *f = proc_net_open(ns, proc_socks());
	char line[512];
	unsigned int st;
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*x:%*x %*x:%*x %x", &st) == 1 &&
		    (st == 1 || st == 8))
			n++;
	fclose(f);
	return n;
}

/* ---- a live connection whose numbers the test knows ---- */

struct conn {
	int lfd, c, a;		/* listener, client, accepted */
	int port, cport;
	uint32_t srv_seq;	/* the server's SND.NXT */
	uint32_t srv_ack;	/* the server's RCV.NXT */
	uint16_t srv_win;	/* the window field of its last ACK */
};

/* Wait up to @ms for @fd to be readable; 1 if it is. */
static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/*
 * Connect on @port, send 1000 bytes up and read them, and learn the
 * server's numbers from its ACK of them on the wire (and from a window
 * update after it, if one comes within 200 ms).  The connection is
 * then idle: the numbers stay exact.
 */
static int conn_open(struct conn *k, int port)
{
	char buf[1000];
	uint32_t end = 0;
	struct seg s;
	int cap, got = 0;

	memset(k, 0, sizeof(*k));
	k->c = k->a = -1;
	k->port = port;
	k->lfd = xlisten(port, 8);
	k->c = xsock(CLI_NS);
	if (k->lfd < 0 || k->c < 0)
		return -1;
	cap = cap_open(SRV_NS, SRV_IF);
	if (cap < 0)
		return -1;
	if (do_connect(k->c, SRV_ADDR, port))
		goto fail;
	k->a = accept(k->lfd, NULL, NULL);
	if (k->a < 0)
		goto fail;
	k->cport = local_port(k->c);
	memset(buf, 'x', sizeof(buf));
	if (write(k->c, buf, sizeof(buf)) != sizeof(buf))
		goto fail;
	while (got < (int)sizeof(buf)) {
		ssize_t n;

		if (!readable(k->a, XT(5000)))
			goto fail;
		n = read(k->a, buf, sizeof(buf) - got);
		if (n <= 0)
			goto fail;
		got += n;
	}
	while (!cap_next(cap, &s, XT(2000))) {
		if (!s.outgoing && s.sport == k->cport && s.len)
			end = s.seq + s.len;
		if (s.outgoing && s.sport == port && s.dport == k->cport &&
		    (s.flags & XTCP_FLAG_ACK) && end && s.ack == end) {
			k->srv_seq = s.seq;
			k->srv_ack = s.ack;
			k->srv_win = s.win;
		}
		if (k->srv_ack && !readable(cap, XT(200)))
			break;
	}
	if (k->srv_ack) {
		close(cap);
		return 0;
	}
fail:
	close(cap);
	return -1;
}

static void conn_close(struct conn *k)
{
	if (k->c >= 0)
		close(k->c);
	if (k->a >= 0)
		close(k->a);
	if (k->lfd >= 0)
		close(k->lfd);
	k->c = k->a = k->lfd = -1;
}

/* A segment from the real client into @k's server side. */
static int to_srv(const struct conn *k, uint8_t flags, uint32_t seq,
		  uint32_t ack, const void *data, int len)
{
	struct rawseg r = {
		.src = CLI_ADDR, .dst = SRV_ADDR, .sport = k->cport,
		.dport = k->port, .seq = seq, .ack = ack, .flags = flags,
		.win = k->srv_win, .data = data, .len = len,
	};

	return raw_inject(CLI_NS, &r);
}

/* A segment from the server's address into @k's client side. */
static int to_cli(const struct conn *k, uint8_t flags, uint32_t seq,
		  uint32_t ack)
{
	struct rawseg r = {
		.src = SRV_ADDR, .dst = CLI_ADDR, .sport = k->port,
		.dport = k->cport, .seq = seq, .ack = ack, .flags = flags,
		.win = k->srv_win,
	};

	return raw_inject(SRV_NS, &r);
}

/* All segments leaving @ns's veth are lost (lose_none_out() undoes it). */
static int lose_all_out(const char *ns, const char *dev)
{
	return sh("tc -n %s qdisc add dev %s root netem loss 100%%", ns, dev);
}

static int lose_none_out(const char *ns, const char *dev)
{
	return sh("tc -n %s qdisc del dev %s root", ns, dev);
}

/* Set TCP's own sysctl in @ns, or xtcp's, as the protocol under test. */
static int proto_sysctl(const char *ns, const char *xtcp_name,
			const char *tcp_name, int val)
{
	return sysctl_set(ns, is_tcp() ? tcp_name : xtcp_name, val);
}

FIXTURE(mib) {
	int unused;
};

FIXTURE_SETUP(mib)
{
	XTCP_SETUP(_metadata->name);
}

FIXTURE_TEARDOWN(mib)
{
	hosts_down();
}

/* ---- the RFC 4022 objects (/proc/net/xtcp_snmp) ---- */

/*
 * A connection opened and closed by FINs: ActiveOpens and PassiveOpens
 * move by one, CurrEstab by one on each side while ESTABLISHED, and
 * still on the side in CLOSE-WAIT (as 6.1's TCP counts), back after;
 * EstabResets does not move.
 */
TEST_F(mib, opens_and_currestab)
{
	long ao = C(CLI_NS, "ActiveOpens"), po = C(SRV_NS, "PassiveOpens");
	long cc = C(CLI_NS, "CurrEstab"), cs = C(SRV_NS, "CurrEstab");
	long rc = C(CLI_NS, "EstabResets"), rs = C(SRV_NS, "EstabResets");
	long ap = C(CLI_NS, "PassiveOpens"), sa = C(SRV_NS, "ActiveOpens");
	struct conn k;
	char c;

	ASSERT_EQ(0, conn_open(&k, 9801));
	EXPECT_EQ(ao + 1, C(CLI_NS, "ActiveOpens"));
	EXPECT_EQ(po + 1, C(SRV_NS, "PassiveOpens"));
	EXPECT_EQ(ap, C(CLI_NS, "PassiveOpens"));
	EXPECT_EQ(sa, C(SRV_NS, "ActiveOpens"));
	EXPECT_EQ(cc + 1, C(CLI_NS, "CurrEstab"));
	EXPECT_EQ(cs + 1, C(SRV_NS, "CurrEstab"));
	if (!is_tcp())
		EXPECT_EQ(xcount_estab(SRV_NS), C(SRV_NS, "CurrEstab"));

	/* Client FIN-WAIT, server CLOSE-WAIT: only the client's went. */
	ASSERT_EQ(0, shutdown(k.c, SHUT_WR));
	ASSERT_TRUE(readable(k.a, XT(3000)));
	ASSERT_EQ(0, read(k.a, &c, 1));
	EXPECT_EQ(cc, C(CLI_NS, "CurrEstab"));
	EXPECT_EQ(cs + 1, C(SRV_NS, "CurrEstab"));
	if (!is_tcp())
		EXPECT_EQ(xcount_estab(SRV_NS), C(SRV_NS, "CurrEstab"));

	/* Server LAST-ACK: gone from CurrEstab too. */
	close(k.a);
	k.a = -1;
	ASSERT_TRUE(readable(k.c, XT(3000)));
	ASSERT_EQ(0, read(k.c, &c, 1));
	EXPECT_EQ(cs, C(SRV_NS, "CurrEstab"));
	EXPECT_EQ(cc, C(CLI_NS, "CurrEstab"));
	EXPECT_EQ(rc, C(CLI_NS, "EstabResets"));
	EXPECT_EQ(rs, C(SRV_NS, "EstabResets"));
	conn_close(&k);
}

/*
 * connect() to a port nothing listens on: one SYN out, one RST back.
 * Exact on both sides, and for InSegs/OutSegs too: nothing else of the
 * protocol moves in these namespaces meanwhile.
 */
TEST_F(mib, closed_port_attempt_fails)
{
	long ao = C(CLI_NS, "ActiveOpens"), af = C(CLI_NS, "AttemptFails");
	long co = C(CLI_NS, "OutSegs"), ci = C(CLI_NS, "InSegs");
	long so = C(SRV_NS, "OutSegs"), si = C(SRV_NS, "InSegs");
	long sr = C(SRV_NS, "OutRsts"), cr = C(CLI_NS, "OutRsts");
	long ns = 0, ir = 0;
	int fd;

	if (!is_tcp()) {
		ns = C(SRV_NS, "InNoSocket");
		ir = C(CLI_NS, "InRsts");
	}
	fd = xsock(CLI_NS);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, do_connect(fd, SRV_ADDR, 9802));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);
	EXPECT_EQ(ao + 1, C(CLI_NS, "ActiveOpens"));
	EXPECT_EQ(af + 1, C(CLI_NS, "AttemptFails"));
	EXPECT_EQ(co + 1, C(CLI_NS, "OutSegs"));
	EXPECT_EQ(ci + 1, C(CLI_NS, "InSegs"));
	EXPECT_EQ(si + 1, C(SRV_NS, "InSegs"));
	EXPECT_EQ(so + 1, C(SRV_NS, "OutSegs"));
	EXPECT_EQ(sr + 1, C(SRV_NS, "OutRsts"));
	EXPECT_EQ(cr, C(CLI_NS, "OutRsts"));
	if (!is_tcp()) {
		EXPECT_EQ(ns + 1, C(SRV_NS, "InNoSocket"));
		EXPECT_EQ(ir + 1, C(CLI_NS, "InRsts"));
	}
}

/*
 * An application aborts (SO_LINGER 0): its side sends a RST and both
 * sides leave ESTABLISHED for CLOSED: EstabResets on both, CurrEstab
 * back, OutRsts on the aborting side.
 */
TEST_F(mib, abort_estab_resets)
{
	long rc, rs, cc, cs, or, ir = 0;
	struct conn k;
	char c;

	ASSERT_EQ(0, conn_open(&k, 9803));
	rc = C(CLI_NS, "EstabResets");
	rs = C(SRV_NS, "EstabResets");
	cc = C(CLI_NS, "CurrEstab");
	cs = C(SRV_NS, "CurrEstab");
	or = C(SRV_NS, "OutRsts");
	if (!is_tcp())
		ir = C(CLI_NS, "InRsts");
	close_abort(k.a);
	k.a = -1;
	ASSERT_TRUE(readable(k.c, XT(3000)));
	EXPECT_EQ(-1, read(k.c, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(rs + 1, C(SRV_NS, "EstabResets"));
	EXPECT_EQ(rc + 1, C(CLI_NS, "EstabResets"));
	EXPECT_EQ(or + 1, C(SRV_NS, "OutRsts"));
	EXPECT_EQ(cs - 1, C(SRV_NS, "CurrEstab"));
	EXPECT_EQ(cc - 1, C(CLI_NS, "CurrEstab"));
	if (!is_tcp())
		EXPECT_EQ(ir + 1, C(CLI_NS, "InRsts"));
	conn_close(&k);
}

/*
 * A segment with a bad checksum, and one whose data offset is below
 * the header's size: dropped and counted, before any socket is looked
 * for.  Both are InErrs; InCsumErrors and InBadHeader say which.
 */
TEST_F(mib, bad_checksum_and_header)
{
	long ie = C(SRV_NS, "InErrs"), ce = C(SRV_NS, "InCsumErrors");
	long is = C(SRV_NS, "InSegs"), bh = 0, ns = 0;
	struct rawseg r = {
		.src = CLI_ADDR, .dst = SRV_ADDR, .sport = 41001,
		.dport = 9804, .seq = 1, .flags = XTCP_FLAG_SYN, .win = 1000,
		.bad_csum = 1,
	};
	uint8_t hdr[20] = { 0xa0, 0x2a, 0x26, 0x4c, 0, 0, 0, 1 };

	if (!is_tcp()) {
		bh = C(SRV_NS, "InBadHeader");
		ns = C(SRV_NS, "InNoSocket");
	}
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(XT(100000));
	EXPECT_EQ(ce + 1, C(SRV_NS, "InCsumErrors"));
	EXPECT_EQ(ie + 1, C(SRV_NS, "InErrs"));

	hdr[12] = 4 << 4;	/* data offset 4: 16 bytes, too short */
	hdr[13] = XTCP_FLAG_SYN;
	ASSERT_EQ(0, raw_ip(CLI_NS, CLI_ADDR, SRV_ADDR, hdr, sizeof(hdr)));
	usleep(XT(100000));
	EXPECT_EQ(ie + 2, C(SRV_NS, "InErrs"));
	EXPECT_EQ(ce + 1, C(SRV_NS, "InCsumErrors"));
	EXPECT_EQ(is + 2, C(SRV_NS, "InSegs"));
	if (!is_tcp()) {
		EXPECT_EQ(bh + 1, C(SRV_NS, "InBadHeader"));
		EXPECT_EQ(ns, C(SRV_NS, "InNoSocket"));
	}
}

/*
 * connect() whose SYNs are all lost, with one retry allowed: one SYN
 * resent, then ETIMEDOUT.  RetransSegs counts the resent SYN as TCP's
 * does; OutSegs differs by design: xtcp's counts the resend too.
 */
TEST_F_TIMEOUT(mib, syn_retrans_then_timeout, XT(30))
{
	long ao = C(CLI_NS, "ActiveOpens"), af = C(CLI_NS, "AttemptFails");
	long rs = C(CLI_NS, "RetransSegs"), to = C(CLI_NS, "Timeouts");
	long os = C(CLI_NS, "OutSegs"), sr = 0;
	int fd;

	if (!is_tcp())
		sr = C(CLI_NS, "SynRetrans");
	ASSERT_EQ(0, proto_sysctl(CLI_NS, "net.xtcp.syn_retries",
				  "net.ipv4.tcp_syn_retries", 1));
	ASSERT_EQ(0, lose_all_out(CLI_NS, CLI_IF));
	fd = xsock(CLI_NS);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, do_connect(fd, SRV_ADDR, 9805));
	EXPECT_EQ(ETIMEDOUT, errno);
	close(fd);
	EXPECT_EQ(ao + 1, C(CLI_NS, "ActiveOpens"));
	EXPECT_EQ(af + 1, C(CLI_NS, "AttemptFails"));
	EXPECT_EQ(rs + 1, C(CLI_NS, "RetransSegs"));
	EXPECT_EQ(to + 1, C(CLI_NS, "Timeouts"));
	EXPECT_EQ(os + (is_tcp() ? 1 : 2), C(CLI_NS, "OutSegs"));
	if (!is_tcp())
		EXPECT_EQ(sr + 1, C(CLI_NS, "SynRetrans"));
}

/*
 * A SYN from a host that never answers: the SYN-ACK is resent by the
 * request's timer (after 1 s), counted in RetransSegs as TCP counts it.
 */
TEST_F_TIMEOUT(mib, synack_retrans, XT(30))
{
	long rs = C(SRV_NS, "RetransSegs"), sar = 0, d, max;
	double t0, t;
	struct rawseg r = {
		.src = GHOST_OF_CLI, .dst = SRV_ADDR, .sport = 41002,
		.dport = 9806, .seq = 5000, .flags = XTCP_FLAG_SYN,
		.win = 1000,
	};
	int lfd = xlisten(9806, 8);

	ASSERT_LE(0, lfd);
	if (!is_tcp())
		sar = C(SRV_NS, "SynAckRetrans");
	t0 = now_s();
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(XT(1600000));
	d = C(SRV_NS, "RetransSegs") - rs;
	/*
	 * Resent 1, 3, 7, ... s after the first: as many as fit in the wait,
	 * which XTCP_TIME_SCALE stretches on a slow kernel (12.8 s at 8).
	 */
	for (t = 1, max = 0; t <= now_s() - t0 + 0.5; t = 2 * t + 1)
		max++;
	EXPECT_LE(1, d);
	EXPECT_GE(max, d);
	if (!is_tcp())
		EXPECT_EQ(sar + d, C(SRV_NS, "SynAckRetrans"));
	close(lfd);
}

/*
 * Data into a path that loses everything, with TCP_USER_TIMEOUT at
 * 1 s: retransmission timeouts, then ETIMEDOUT: Timeouts
 * (TCPAbortOnTimeout) and EstabResets by one, CurrEstab back.
 */
TEST_F_TIMEOUT(mib, rto_then_user_timeout, XT(30))
{
	static const char buf[100] = "lost";
	long rs, to, er, ce, rto = 0, d;
	int ut = 1000;
	struct conn k;
	struct pollfd p;

	ASSERT_EQ(0, conn_open(&k, 9807));
	rs = C(CLI_NS, "RetransSegs");
	to = C(CLI_NS, "Timeouts");
	er = C(CLI_NS, "EstabResets");
	ce = C(CLI_NS, "CurrEstab");
	if (!is_tcp())
		rto = C(CLI_NS, "RetransTimeouts");
	ASSERT_EQ(0, setsockopt(k.c, SOL_TCP, TCP_USER_TIMEOUT, &ut,
				sizeof(ut)));
	ASSERT_EQ(0, lose_all_out(CLI_NS, CLI_IF));
	ASSERT_EQ(100, write(k.c, buf, sizeof(buf)));
	p.fd = k.c;
	p.events = POLLERR;
	ASSERT_EQ(1, poll(&p, 1, XT(8000)));
	EXPECT_EQ(ETIMEDOUT, so_error(k.c));
	d = C(CLI_NS, "RetransSegs") - rs;
	TH_LOG("%ld segments resent before ETIMEDOUT", d);
	EXPECT_LE(1, d);
	EXPECT_GE(10, d);
	EXPECT_EQ(to + 1, C(CLI_NS, "Timeouts"));
	EXPECT_EQ(er + 1, C(CLI_NS, "EstabResets"));
	EXPECT_EQ(ce - 1, C(CLI_NS, "CurrEstab"));
	/* Each expiry resends, but the last, which gives up. */
	if (!is_tcp()) {
		EXPECT_LE(rto + d, C(CLI_NS, "RetransTimeouts"));
		EXPECT_GE(rto + d + 1, C(CLI_NS, "RetransTimeouts"));
	}
	conn_close(&k);
}

/* ---- the rest (/proc/net/xtcp_netstat) ---- */

/*
 * A listener of backlog 0 holds one connection nobody accepted; the
 * next client's SYN finds the accept queue full: ListenOverflows and
 * ListenDrops, by one (or two, if its first resend came in time).
 */
TEST_F(mib, listen_overflow)
{
	long lo = C(SRV_NS, "ListenOverflows"), ld = C(SRV_NS, "ListenDrops");
	int lfd = xlisten(9808, 0), c1 = xsock(CLI_NS), c2 = xsock(CLI_NS);
	long dlo, dld, max;
	double t0, t;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c1);
	ASSERT_LE(0, c2);
	ASSERT_EQ(0, do_connect(c1, SRV_ADDR, 9808));
	usleep(XT(100000));
	EXPECT_EQ(lo, C(SRV_NS, "ListenOverflows"));
	set_nonblock(c2, 1);
	t0 = now_s();
	EXPECT_EQ(-1, do_connect(c2, SRV_ADDR, 9808));
	EXPECT_EQ(EINPROGRESS, errno);
	usleep(XT(400000));
	dlo = C(SRV_NS, "ListenOverflows") - lo;
	dld = C(SRV_NS, "ListenDrops") - ld;
	/*
	 * Two at most for the SYN, and one more for each resend (1, 3, 7 s
	 * after it) that fits in the wait, which XTCP_TIME_SCALE stretches.
	 */
	for (t = 1, max = 2; t <= now_s() - t0 + 0.5; t = 2 * t + 1)
		max++;
	EXPECT_LE(1, dlo);
	EXPECT_GE(max, dlo);
	EXPECT_EQ(dlo, dld);
	close_abort(c1);
	close_abort(c2);
	close(lfd);
}

/*
 * net.xtcp.syncookies (net.ipv4.tcp_syncookies) at 2: the SYN-ACK
 * carries a cookie, the ACK brings it back and makes the connection;
 * an ACK with a cookie that is not one is refused.
 */
TEST_F(mib, syncookies_sent_recv_failed)
{
	long ss = C(SRV_NS, "SyncookiesSent"), sr = C(SRV_NS, "SyncookiesRecv");
	long sf = C(SRV_NS, "SyncookiesFailed"), po = C(SRV_NS, "PassiveOpens");
	struct rawseg r = {
		.src = CLI_ADDR, .dst = SRV_ADDR, .sport = 41003,
		.dport = 9809, .seq = 123456, .ack = 654321,
		.flags = XTCP_FLAG_ACK, .win = 1000,
	};
	int lfd, c, a;

	ASSERT_EQ(0, proto_sysctl(SRV_NS, "net.xtcp.syncookies",
				  "net.ipv4.tcp_syncookies", 2));
	lfd = xlisten(9809, 8);
	c = xsock(CLI_NS);
	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 9809));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(ss + 1, C(SRV_NS, "SyncookiesSent"));
	EXPECT_EQ(sr + 1, C(SRV_NS, "SyncookiesRecv"));
	EXPECT_EQ(po + 1, C(SRV_NS, "PassiveOpens"));
	EXPECT_EQ(sf, C(SRV_NS, "SyncookiesFailed"));
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(XT(100000));
	EXPECT_EQ(sf + 1, C(SRV_NS, "SyncookiesFailed"));
	EXPECT_EQ(sr + 1, C(SRV_NS, "SyncookiesRecv"));
	close_abort(c);
	close(a);
	close(lfd);
}

/*
 * An RST inside the window but not at RCV.NXT draws one challenge ACK
 * (RFC 5961 3.2).  With challenge_ack_limit at 1, ten more are either
 * sent or counted as limited, and at least one is limited.
 */
TEST_F(mib, challenge_acks_and_limit)
{
	long ch, lim = 0, sent, limited;
	struct conn k;
	int i;

	ASSERT_EQ(0, conn_open(&k, 9810));
	ch = C(SRV_NS, "ChallengeAcks");
	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_RST, k.srv_ack + 1, 0, NULL, 0));
	usleep(XT(100000));
	EXPECT_EQ(ch + 1, C(SRV_NS, "ChallengeAcks"));
	if (!is_tcp()) {
		ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.challenge_ack_limit", 1));
		usleep(1100000);	/* a new second, a new budget */
		ch = C(SRV_NS, "ChallengeAcks");
		lim = C(SRV_NS, "ChallengeAcksLimited");
		for (i = 0; i < 10; i++)
			ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_RST,
					    k.srv_ack + 2 + i, 0, NULL, 0));
		usleep(XT(100000));
		sent = C(SRV_NS, "ChallengeAcks") - ch;
		limited = C(SRV_NS, "ChallengeAcksLimited") - lim;
		TH_LOG("10 RSTs: %ld challenge ACKs, %ld limited", sent, limited);
		EXPECT_EQ(10, sent + limited);
		EXPECT_LE(1, limited);
	}
	conn_close(&k);
}

/*
 * Pure ACKs far outside the window: each is unacceptable; the first is
 * answered by an ACK, the second within invalid_ratelimit (500 ms) not.
 */
TEST_F(mib, unacceptable_and_acks_skipped)
{
	long un, sk;
	struct conn k;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	ASSERT_EQ(0, conn_open(&k, 9811));
	un = C(SRV_NS, "InUnacceptable");
	sk = C(SRV_NS, "OutOfWindowAcksSkipped");
	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack + 0x40000000,
			    k.srv_seq, NULL, 0));
	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack + 0x40000001,
			    k.srv_seq, NULL, 0));
	usleep(XT(100000));
	EXPECT_EQ(un + 2, C(SRV_NS, "InUnacceptable"));
	EXPECT_EQ(sk + 1, C(SRV_NS, "OutOfWindowAcksSkipped"));
	conn_close(&k);
}

/*
 * 100 bytes 1000 bytes past RCV.NXT, twice: queued out of order twice
 * (TCPOFOQueue counts a duplicate too), the second copy then dropped
 * whole (OfoDrops; TCP counts it in TCPOFOMerge).
 */
TEST_F(mib, ofo_queued_and_duplicate_dropped)
{
	static const char data[100] = "out of order";
	long oq, od = 0;
	struct conn k;

	ASSERT_EQ(0, conn_open(&k, 9812));
	oq = C(SRV_NS, "OfoQueued");
	if (!is_tcp())
		od = C(SRV_NS, "OfoDrops");
	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack + 1000, k.srv_seq,
			    data, sizeof(data)));
	usleep(XT(50000));
	EXPECT_EQ(oq + 1, C(SRV_NS, "OfoQueued"));
	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack + 1000, k.srv_seq,
			    data, sizeof(data)));
	usleep(XT(50000));
	EXPECT_EQ(oq + 2, C(SRV_NS, "OfoQueued"));
	if (!is_tcp())
		EXPECT_EQ(od + 1, C(SRV_NS, "OfoDrops"));
	conn_close(&k);
}

/*
 * Data that arrives twice is reported in the next ACK by a D-SACK block
 * (RFC 2883), the first of its SACK blocks: 100 bytes from below
 * RCV.NXT (DsackOldSent, TCP's TCPDSACKOldSent), and 100 bytes held out
 * of order arriving again (DsackOfoSent, TCPDSACKOfoSent), that block
 * then followed by the out-of-order one.
 */
TEST_F(mib, dsack_sent)
{
	static const char data[100] = "twice";
	long old, ofo;
	struct conn k;
	struct seg s;
	int cap;

	ASSERT_EQ(0, conn_open(&k, 9827));
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	old = C(SRV_NS, "DsackOldSent");
	ofo = C(SRV_NS, "DsackOfoSent");

	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack - 100, k.srv_seq,
			    data, sizeof(data)));
	ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, XT(1000)));
	EXPECT_EQ(k.srv_ack, s.ack);
	EXPECT_LE(1, s.nsacks);
	EXPECT_EQ(k.srv_ack - 100, s.sack_lo);
	EXPECT_EQ(k.srv_ack, s.sack_hi);
	EXPECT_EQ(old + 1, C(SRV_NS, "DsackOldSent"));

	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack + 1000, k.srv_seq,
			    data, sizeof(data)));
	ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, XT(1000)));
	EXPECT_EQ(1, s.nsacks);
	EXPECT_EQ(k.srv_ack + 1000, s.sack_lo);
	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack + 1000, k.srv_seq,
			    data, sizeof(data)));
	ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, XT(1000)));
	EXPECT_EQ(k.srv_ack, s.ack);
	EXPECT_EQ(2, s.nsacks);
	EXPECT_EQ(k.srv_ack + 1000, s.sack_lo);
	EXPECT_EQ(k.srv_ack + 1100, s.sack_hi);
	EXPECT_EQ(ofo + 1, C(SRV_NS, "DsackOfoSent"));
	/* Reported once: the next ACK has the out-of-order block alone. */
	ASSERT_EQ(0, to_srv(&k, XTCP_FLAG_ACK, k.srv_ack + 2000, k.srv_seq,
			    data, sizeof(data)));
	ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, XT(1000)));
	EXPECT_EQ(2, s.nsacks);
	EXPECT_EQ(k.srv_ack + 2000, s.sack_lo);
	close(cap);
	conn_close(&k);
}

/*
 * The client's data is lost on its way; three duplicate ACKs forged
 * from the server, without SACK blocks, arrive right after it.  With
 * RACK off (net.xtcp.recovery 0) they make it resend the first segment
 * at once: InDupAcks by three, FastRetrans (a recovery entered) by one.
 * With RACK on (1, the default) they are counted and start nothing, as
 * in Linux 6.1 (tcp_time_to_recover() looks only at what RACK marked,
 * and these SACK nothing): the RTO resends, later.  No tail loss probe
 * in either case (net.xtcp.early_retrans 0).
 */
static void dupacks_forged(struct __test_metadata *_metadata, int port,
			   int rack)
{
	static char buf[4000];
	long da, fr, frs, rs, rto;
	struct rawseg dup;
	double end;
	struct conn k;
	int i, fd, one = 1;

	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.recovery", rack));
	/* No tail loss probe either: it would resend within 10 ms. */
	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.early_retrans", 0));
	ASSERT_EQ(0, conn_open(&k, port));
	dup = (struct rawseg){
		.src = SRV_ADDR, .dst = CLI_ADDR, .sport = k.port,
		.dport = k.cport, .seq = k.srv_seq, .ack = k.srv_ack,
		.flags = XTCP_FLAG_ACK, .win = k.srv_win,
	};
	ASSERT_EQ(0, setsockopt(k.c, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	da = C(CLI_NS, "InDupAcks");
	fr = C(CLI_NS, "FastRetrans");
	rs = C(CLI_NS, "RetransSegs");
	rto = C(CLI_NS, "RetransTimeouts");
	ASSERT_EQ(0, lose_all_out(CLI_NS, CLI_IF));
	/*
	 * The three duplicates must beat the RTO (200 ms): from a raw socket
	 * opened before, right after write() has sent the data (TCP_NODELAY),
	 * however slow the kernel.
	 */
	fd = raw_open(SRV_NS);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(buf), write(k.c, buf, sizeof(buf)));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, raw_inject_fd(fd, &dup));
	close(fd);
	if (rack) {
		/* Taken in; read back well before the 200 ms RTO. */
		end = now_s() + 0.5;
		while (C(CLI_NS, "InDupAcks") < da + 3 && now_s() < end)
			usleep(1000);
		usleep(20000);
		ASSERT_EQ(rto, C(CLI_NS, "RetransTimeouts"));
		EXPECT_EQ(da + 3, C(CLI_NS, "InDupAcks"));
		EXPECT_EQ(fr, C(CLI_NS, "FastRetrans"));
		EXPECT_EQ(rs, C(CLI_NS, "RetransSegs"));
	} else {
		/*
		 * The resend is lost too, so the timer fires 200 ms after it:
		 * the timeouts are read as soon as FastRetrans rises, not after
		 * a wait that XTCP_TIME_SCALE stretches past 200 ms (the debug
		 * lane's 8).
		 */
		end = now_s() + XT(1);
		while ((frs = C(CLI_NS, "FastRetrans")) == fr && now_s() < end)
			usleep(1000);
		ASSERT_EQ(rto, C(CLI_NS, "RetransTimeouts"));
		EXPECT_EQ(da + 3, C(CLI_NS, "InDupAcks"));
		EXPECT_EQ(fr + 1, frs);
		EXPECT_LE(rs + 1, C(CLI_NS, "RetransSegs"));
	}
	EXPECT_EQ(0, lose_none_out(CLI_NS, CLI_IF));
	close_abort(k.c);
	k.c = -1;
	conn_close(&k);
}

TEST_F(mib, dupacks_fast_retransmit)
{
	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	dupacks_forged(_metadata, 9813, 0);
}

TEST_F(mib, dupacks_alone_start_nothing_with_rack)
{
	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	dupacks_forged(_metadata, 9820, 1);
}

/*
 * A recovery RACK's reordering timer starts (tcp_rack_reo_timeout())
 * resends one segment, not ssthresh's worth at once.  Ten segments
 * leave together on a 40 ms path and are all lost; a SACK for the last,
 * forged from the server, comes back.  The nine below it went with it,
 * so RACK waits its reordering window (a quarter of the min RTT) on its
 * timer, then marks all nine lost.  The recovery starts as PRR goes on
 * an ACK that delivered one segment and found losses (Linux's
 * tcp_cwnd_reduction(sk, 1, lost, 0), RFC 9937 without SafeACK): the
 * fast retransmit alone, as nothing says the path has room for more.
 * No ACK comes after it, so nothing more goes before the RTO.  No tail
 * loss probe (early_retrans 0).  TCP_INFO counts as TCP's: the resent
 * segment stays in tcpi_lost until ACKed.  Over kernel TCP too.
 */
TEST_F_TIMEOUT(mib, rack_timer_recovery_resends_one, XT(30))
{
	static char buf[10 * 1500];
	struct tcp_info ti;
	uint8_t sack[12] = { 1, 1, 5, 10 };
	socklen_t len = sizeof(int);
	int fd, mss, one = 1;
	struct rawseg sk_ack;
	uint32_t lo, hi;
	double end;
	struct conn k;

	ASSERT_EQ(0, proto_sysctl(CLI_NS, "net.xtcp.early_retrans",
				  "net.ipv4.tcp_early_retrans", 0));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev %s root netem delay 40ms",
			   SRV_IF));
	ASSERT_EQ(0, conn_open(&k, 9831));
	ASSERT_EQ(0, getsockopt(k.c, SOL_TCP, TCP_MAXSEG, &mss, &len));
	ASSERT_LE(536, mss);
	ASSERT_GE(1500, mss);
	ASSERT_EQ(0, setsockopt(k.c, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	lo = htonl(k.srv_ack + 9 * mss);
	hi = htonl(k.srv_ack + 10 * mss);
	memcpy(sack + 4, &lo, 4);
	memcpy(sack + 8, &hi, 4);
	sk_ack = (struct rawseg){
		.src = SRV_ADDR, .dst = CLI_ADDR, .sport = k.port,
		.dport = k.cport, .seq = k.srv_seq, .ack = k.srv_ack,
		.flags = XTCP_FLAG_ACK, .win = k.srv_win,
		.opts = sack, .olen = sizeof(sack),
	};
	fd = raw_open(SRV_NS);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lose_all_out(CLI_NS, CLI_IF));
	ASSERT_EQ(10 * mss, write(k.c, buf, 10 * mss));
	ASSERT_EQ(0, raw_inject_fd(fd, &sk_ack));
	close(fd);
	/* The SACK is back after 40 ms, the timer 10 ms later. */
	end = now_s() + XT(2);
	do {
		usleep(1000);
		len = sizeof(ti);
		ASSERT_EQ(0, getsockopt(k.c, SOL_TCP, TCP_INFO, &ti, &len));
	} while (!ti.tcpi_total_retrans && now_s() < end);
	/* Whatever the recovery's start sends goes at once. */
	usleep(20000);
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(k.c, SOL_TCP, TCP_INFO, &ti, &len));
	TH_LOG("ca_state %u sacked %u lost %u retrans %u cwnd %u rto %u us",
	       ti.tcpi_ca_state, ti.tcpi_sacked, ti.tcpi_lost,
	       ti.tcpi_total_retrans, ti.tcpi_snd_cwnd, ti.tcpi_rto);
	/* No timeout: the RTO (200 ms and more) has not fired. */
	ASSERT_EQ(0, ti.tcpi_retransmits);
	EXPECT_EQ(TCP_CA_Recovery, ti.tcpi_ca_state);
	EXPECT_EQ(1, ti.tcpi_sacked);
	/*
	 * All nine marked lost, the one resent among them, as TCP counts
	 * lost_out; so TCP's pipe from TCP_INFO (unacked - sacked - lost +
	 * retrans) is the one resend in flight, and cwnd is that.
	 */
	EXPECT_EQ(9, ti.tcpi_lost);
	EXPECT_EQ(1, ti.tcpi_retrans);
	EXPECT_EQ(1, ti.tcpi_unacked - ti.tcpi_sacked - ti.tcpi_lost +
		     ti.tcpi_retrans);
	EXPECT_EQ(1, ti.tcpi_snd_cwnd);
	EXPECT_EQ(1, ti.tcpi_total_retrans);
	EXPECT_EQ(0, lose_none_out(CLI_NS, CLI_IF));
	EXPECT_EQ(0, tc_in(SRV_NS, "qdisc del dev %s root", SRV_IF));
	close_abort(k.c);
	k.c = -1;
	conn_close(&k);
}

/*
 * One-byte segments 80 ms apart that the server never answers: once
 * the quick ACKs of a connection's start are used up, each is ACKed by
 * the delayed-ACK timer (40 ms).
 */
TEST_F_TIMEOUT(mib, delayed_acks, XT(30))
{
	long da, d;
	struct conn k;
	int i, one = 1;

	ASSERT_EQ(0, conn_open(&k, 9814));
	ASSERT_EQ(0, setsockopt(k.c, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	da = C(SRV_NS, "DelayedAcks");
	for (i = 0; i < 25; i++) {
		ASSERT_EQ(1, write(k.c, "d", 1));
		usleep(80000);
	}
	d = C(SRV_NS, "DelayedAcks") - da;
	TH_LOG("25 lone segments: %ld delayed ACKs", d);
	EXPECT_LE(1, d);
	EXPECT_GE(25, d);
	conn_close(&k);
}

/*
 * 32 segments of 1000 bytes, one per write (TCP_NODELAY, 20 ms apart so
 * that each arrives alone), to a reader that reads only at the end:
 * each continues the receive queue's last skb and joins it (RcvCoalesce,
 * TCP's TCPRcvCoalesce), and the bytes read back are the bytes sent.
 */
TEST_F_TIMEOUT(mib, rcv_coalesce, XT(30))
{
	static char out[32000], in[32000];
	long rc, d;
	struct conn k;
	int i, one = 1;

	ASSERT_EQ(0, conn_open(&k, 9826));
	ASSERT_EQ(0, setsockopt(k.c, SOL_TCP, TCP_NODELAY, &one, sizeof(one)));
	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = i * 7 + i / 1000;
	rc = C(SRV_NS, "RcvCoalesce");
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(1000, write(k.c, out + i * 1000, 1000));
		usleep(20000);
	}
	usleep(XT(200000));
	d = C(SRV_NS, "RcvCoalesce") - rc;
	TH_LOG("32 segments of 1000 bytes: %ld joined the queue's tail", d);
	EXPECT_LE(16, d);
	EXPECT_GE(31, d);
	ASSERT_EQ((ssize_t)sizeof(in), read_full(k.a, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(out, in, sizeof(in)));
	conn_close(&k);
}

/*
 * A reader that never reads, with a 4 KiB receive buffer: its window
 * closes, and the sender's persist timer probes it.
 */
TEST_F_TIMEOUT(mib, window_probes, XT(30))
{
	static char buf[64 << 10];
	int lfd = xsock(SRV_NS), c = xsock(CLI_NS), a, rb = 4096;
	long wp, d;

	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb)));
	ASSERT_EQ(0, do_bind(lfd, SRV_ADDR, 9815));
	ASSERT_EQ(0, listen(lfd, 8));
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 9815));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	wp = C(CLI_NS, "WindowProbes");
	set_nonblock(c, 1);
	while (write(c, buf, sizeof(buf)) > 0)
		;
	usleep(XT(1500000));
	d = C(CLI_NS, "WindowProbes") - wp;
	TH_LOG("%ld window probes in 1.5 s", d);
	EXPECT_LE(1, d);
	EXPECT_GE(20, d);
	close_abort(c);
	close_abort(a);
	close(lfd);
}

/*
 * The client closes first and enters TIME-WAIT (TimeWaits); a RST at
 * exactly the sequence number it expects ends it (TimeWaitKilled).
 * Then the server closes first, and a new SYN from the same client port
 * takes its TIME-WAIT's place (TimeWaitRecycled).
 */
TEST_F(mib, time_wait_killed_and_recycled)
{
	long tw, tk, tr, po;
	struct conn k, k2;
	struct seg fin;
	int cap, c, a, one = 1;
	char ch;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	ASSERT_EQ(0, conn_open(&k, 9816));
	tw = C(CLI_NS, "TimeWaits");
	tk = C(CLI_NS, "TimeWaitKilled");
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, shutdown(k.c, SHUT_WR));
	ASSERT_TRUE(readable(k.a, XT(3000)));
	ASSERT_EQ(0, read(k.a, &ch, 1));
	close(k.a);
	k.a = -1;
	ASSERT_EQ(0, cap_find(cap, &fin, XTCP_FLAG_FIN | XTCP_FLAG_ACK, 1,
			      XT(2000)));
	close(cap);
	ASSERT_EQ(6, wait_state(CLI_NS, k.cport, k.port, 6, XT(3)));
	EXPECT_EQ(tw + 1, C(CLI_NS, "TimeWaits"));
	ASSERT_EQ(0, to_cli(&k, XTCP_FLAG_RST, fin.seq + 1, 0));
	EXPECT_EQ(-1, wait_state(CLI_NS, k.cport, k.port, -1, XT(2)));
	EXPECT_EQ(tk + 1, C(CLI_NS, "TimeWaitKilled"));
	conn_close(&k);

	/* The server in TIME-WAIT, the client's port free again. */
	ASSERT_EQ(0, conn_open(&k2, 9817));
	tr = C(SRV_NS, "TimeWaitRecycled");
	ASSERT_EQ(0, shutdown(k2.a, SHUT_WR));
	ASSERT_TRUE(readable(k2.c, XT(3000)));
	ASSERT_EQ(0, read(k2.c, &ch, 1));
	close(k2.c);
	k2.c = -1;
	ASSERT_EQ(6, wait_state(SRV_NS, k2.port, k2.cport, 6, XT(3)));
	ASSERT_EQ(-1, wait_state(CLI_NS, k2.cport, k2.port, -1, XT(3)));
	close(k2.a);
	k2.a = -1;
	po = C(SRV_NS, "PassiveOpens");
	c = xsock(CLI_NS);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	ASSERT_EQ(0, do_bind(c, CLI_ADDR, k2.cport));
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, k2.port));
	a = accept(k2.lfd, NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(tr + 1, C(SRV_NS, "TimeWaitRecycled"));
	EXPECT_EQ(po + 1, C(SRV_NS, "PassiveOpens"));
	close_abort(c);
	close_abort(a);
	conn_close(&k2);
}

/*
 * net.xtcp.max_orphans at 0 with an orphan counted: a connection
 * closed by its application cannot linger as an orphan and is reset
 * (TCP's TCPAbortOnMemory).  The count close() reads may be up to
 * 100 ms old, as TCP's tcp_orphan_cache: the orphan first, then the
 * limit.
 * At least one: other orphans in the namespace, left by earlier tests,
 * are reset by their timers too.
 */
TEST_F(mib, orphan_overflow)
{
	struct conn k, o;
	long oo, or;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	ASSERT_EQ(0, conn_open(&k, 9818));
	ASSERT_EQ(0, conn_open(&o, 9828));
	oo = C(CLI_NS, "OrphanOverflows");
	or = C(CLI_NS, "OutRsts");
	/* An orphan, counted in the sum close() reads, 100 ms old at most. */
	close(o.c);
	o.c = -1;
	ASSERT_EQ(XTCP_FIN_WAIT2, wait_state(CLI_NS, o.cport, o.port,
					     XTCP_FIN_WAIT2, 2.0));
	usleep(XT(300000));
	ASSERT_EQ(0, sysctl_set(NULL, "net.xtcp.max_orphans", 0));
	close(k.c);
	k.c = -1;
	/* Its FIN, then at once its RST. */
	usleep(XT(100000));
	EXPECT_EQ(-1, xstate(CLI_NS, k.cport, k.port));
	EXPECT_LE(oo + 1, C(CLI_NS, "OrphanOverflows"));
	EXPECT_LE(or + 1, C(CLI_NS, "OutRsts"));
	max_orphans_reset();
	conn_close(&k);
	conn_close(&o);
}

/*
 * An ICMP error quoting a sequence number the connection never sent
 * is ignored and counted (RFC 5927), as TCP counts it.
 */
TEST_F(mib, out_of_window_icmp)
{
	long oi;
	struct conn k;

	ASSERT_EQ(0, conn_open(&k, 9819));
	oi = C(SRV_NS, "OutOfWindowIcmps");
	ASSERT_EQ(0, icmp_host_unreach(CLI_NS, SRV_ADDR, SRV_ADDR, k.port,
				       CLI_ADDR, k.cport, k.srv_seq + 100000));
	usleep(XT(100000));
	EXPECT_EQ(oi + 1, C(SRV_NS, "OutOfWindowIcmps"));
	EXPECT_EQ(0, so_error(k.a));
	conn_close(&k);
}

/*
 * net.xtcp.rst_limit at 1: of 20 segments to a closed port, each is
 * answered by a RST or counted as not answered, and some are not.
 */
TEST_F(mib, rsts_limited)
{
	long rst, lim, ns, sent, limited;
	int i;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.rst_limit", 1));
	usleep(1100000);
	rst = C(SRV_NS, "OutRsts");
	lim = C(SRV_NS, "OutRstsLimited");
	ns = C(SRV_NS, "InNoSocket");
	for (i = 0; i < 20; i++) {
		struct rawseg r = {
			.src = GHOST_OF_CLI, .dst = SRV_ADDR,
			.sport = 42000 + i, .dport = 9820, .seq = i,
			.flags = XTCP_FLAG_SYN, .win = 1000,
		};

		ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	}
	usleep(XT(100000));
	sent = C(SRV_NS, "OutRsts") - rst;
	limited = C(SRV_NS, "OutRstsLimited") - lim;
	TH_LOG("20 SYNs to a closed port: %ld RSTs, %ld limited", sent, limited);
	EXPECT_EQ(20, sent + limited);
	EXPECT_LE(1, limited);
	EXPECT_EQ(ns + 20, C(SRV_NS, "InNoSocket"));
}

/*
 * A SYN whose option runs past the header: parsing stops, the SYN is
 * answered all the same, and InBadOptions counts it.
 */
TEST_F(mib, bad_options)
{
	static const uint8_t bad[4] = { 30, 255, 0, 0 };
	struct rawseg r = {
		.src = GHOST_OF_CLI, .dst = SRV_ADDR, .sport = 41004,
		.dport = 9821, .seq = 1, .flags = XTCP_FLAG_SYN, .win = 1000,
		.opts = bad, .olen = sizeof(bad),
	};
	long bo;
	int lfd;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	lfd = xlisten(9821, 8);
	ASSERT_LE(0, lfd);
	bo = C(SRV_NS, "InBadOptions");
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(XT(100000));
	EXPECT_EQ(bo + 1, C(SRV_NS, "InBadOptions"));
	close(lfd);
}

/*
 * net.xtcp.mem's pressure threshold at 0 pages: memory pressure is
 * entered (a state of xtcp's, global, counted in the netns of the socket
 * that entered it) once the module-wide count shows any memory.  That
 * count is kept in per-CPU batches of 1 MiB: a few MiB left unread in
 * one connection's buffers make it show.
 */
TEST_F_TIMEOUT(mib, memory_pressure, XT(30))
{
	static char buf[64 << 10];
	int lfd = xsock(SRV_NS), c = xsock(CLI_NS), a, big = 8 << 20;
	unsigned long lo, hi, max;
	char mem[128];
	long mp, d, sent = 0;
	double end;
	FILE *f;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	f = fopen("/proc/sys/net/xtcp/mem", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(3, fscanf(f, "%lu %lu %lu", &lo, &hi, &max));
	fclose(f);
	snprintf(mem, sizeof(mem), "%lu %lu %lu", lo, hi, max);
	ASSERT_LE(0, lfd);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_RCVBUFFORCE, &big,
				sizeof(big)));
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_SNDBUFFORCE, &big,
				sizeof(big)));
	ASSERT_EQ(0, do_bind(lfd, SRV_ADDR, 9822));
	ASSERT_EQ(0, listen(lfd, 8));
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 9822));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	mp = C(CLI_NS, "MemoryPressures") + C(SRV_NS, "MemoryPressures");
	ASSERT_EQ(0, sh("sysctl -qw net.xtcp.mem='0 0 %lu'", max));
	set_nonblock(c, 1);
	end = now_s() + XT(5);
	while (sent < (8 << 20) && now_s() < end) {
		ssize_t n = write(c, buf, sizeof(buf));

		if (n > 0)
			sent += n;
		else
			usleep(10000);
	}
	usleep(XT(200000));
	d = C(CLI_NS, "MemoryPressures") + C(SRV_NS, "MemoryPressures") - mp;
	sh("sysctl -qw net.xtcp.mem='%s'", mem);
	TH_LOG("%ld KiB unread: memory pressure entered %ld times",
	       sent >> 10, d);
	EXPECT_LE(1, d);
	/* Freed, below the restored limits: pressure is left. */
	close_abort(c);
	close_abort(a);
	close(lfd);
}

/* ---- nstat's layout ---- */

/*
 * /proc/net/xtcp_snmp and /proc/net/xtcp_netstat: one names line and
 * one values line each, same prefix, as many values as names, every
 * value a number; Xtcp: holds RFC 4022's objects, XtcpExt: the others,
 * and no name is one of the kernel's.  Together they hold every counter
 * of /proc/net/xtcp_stat once, plus Xtcp's four constants.
 */
TEST_F(mib, nstat_files_parse)
{
	static struct pairs sn, ne, ks, kn;
	static const char * const consts[] = {
		"XtcpRtoAlgorithm", "XtcpRtoMin", "XtcpRtoMax", "XtcpMaxConn",
	};
	struct xstats st;
	unsigned int j;
	int i;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	pairs_read(SRV_NS, "/proc/net/xtcp_snmp", &sn);
	pairs_read(SRV_NS, "/proc/net/xtcp_netstat", &ne);
	pairs_read(SRV_NS, "/proc/net/snmp", &ks);
	pairs_read(SRV_NS, "/proc/net/netstat", &kn);
	EXPECT_EQ(0, sn.bad);
	EXPECT_EQ(0, ne.bad);
	EXPECT_EQ(2, sn.lines);
	EXPECT_EQ(2, ne.lines);
	EXPECT_EQ(15, sn.n);
	xstats_read(SRV_NS, &st);
	ASSERT_EQ((int)ARRAY_SIZE(mib_names), st.n);
	EXPECT_EQ(st.n + 4, sn.n + ne.n);
	for (i = 0; i < sn.n; i++) {
		char *end;

		EXPECT_EQ(0, strncmp(sn.name[i], "Xtcp", 4));
		EXPECT_NE(0, strncmp(sn.name[i], "XtcpExt", 7));
		strtoll(sn.val[i], &end, 10);
		EXPECT_EQ(0, *end);
		EXPECT_EQ(-1, pairs_get(&ks, sn.name[i]));
	}
	for (i = 0; i < ne.n; i++) {
		char *end;

		EXPECT_EQ(0, strncmp(ne.name[i], "XtcpExt", 7));
		strtoull(ne.val[i], &end, 10);
		EXPECT_EQ(0, *end);
		EXPECT_EQ(-1, pairs_get(&kn, ne.name[i]));
	}
	for (j = 0; j < ARRAY_SIZE(consts); j++)
		EXPECT_STREQ(consts[j], sn.name[j]);
	EXPECT_EQ(1, pairs_get(&sn, "XtcpRtoAlgorithm"));
	EXPECT_EQ(200, pairs_get(&sn, "XtcpRtoMin"));
	EXPECT_EQ(120000, pairs_get(&sn, "XtcpRtoMax"));
	EXPECT_EQ(-1, pairs_get(&sn, "XtcpMaxConn"));
	/* Every xtcp_stat counter under its nstat name, and only there. */
	for (i = 0; i < st.n; i++) {
		const struct mib_name *m = mib_name_of(st.name[i]);
		int found = 0, k;

		ASSERT_NE(NULL, m) TH_LOG("%s has no nstat name here", st.name[i]);
		for (k = 0; k < sn.n; k++)
			found += !strcmp(sn.name[k], m->nstat);
		for (k = 0; k < ne.n; k++)
			found += !strcmp(ne.name[k], m->nstat);
		EXPECT_EQ(1, found) TH_LOG("%s as %s", st.name[i], m->nstat);
	}
}

/* Run @cmd; its output into @out (up to @size); the exit status. */
static int run_out(char *out, size_t size, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	FILE *f;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The value nstat printed for @name in @out; -1 if none. */
static long long nstat_val(const char *out, const char *name)
{
	size_t len = strlen(name);
	const char *p = out;

	while ((p = strstr(p, name))) {
		if ((p == out || p[-1] == '\n') && p[len] == ' ')
			return strtoll(p + len, NULL, 10);
		p += len;
	}
	return -1;
}

/*
 * tools/xtcp-nstat -az inside xsrv prints, for every counter of
 * /proc/net/xtcp_stat, the same value under its nstat name.  The netns
 * is idle: two reads of xtcp_stat around it agree.
 */
TEST_F(mib, xtcp_nstat_prints_xtcp_stat)
{
	static char out[16384];
	struct xstats s0, s1;
	int i, try, lines = 0;
	const char *p;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	for (try = 0; try < 3; try++) {
		xstats_read(SRV_NS, &s0);
		ASSERT_EQ(0, run_out(out, sizeof(out),
				     "ip netns exec %s env XTCP_NSTAT_HISTORY="
				     NSTAT_HIST " " NSTAT_TOOL " -az 2>&1", SRV_NS));
		xstats_read(SRV_NS, &s1);
		if (s0.n == s1.n &&
		    !memcmp(s0.val, s1.val, s0.n * sizeof(s0.val[0])))
			break;
	}
	ASSERT_GT(3, try);
	for (p = out; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (*p != '#' && *p != '\n')
			lines++;
	EXPECT_EQ(s0.n + 4, lines) TH_LOG("%s", out);
	for (i = 0; i < s0.n; i++) {
		const struct mib_name *m = mib_name_of(s0.name[i]);

		ASSERT_NE(NULL, m);
		/* nstat reads values as unsigned: CurrEstab is never < 0. */
		EXPECT_EQ(s0.val[i], nstat_val(out, m->nstat))
			TH_LOG("%s is %ld, nstat's %s", s0.name[i], s0.val[i],
			       m->nstat);
	}
	EXPECT_EQ(200, nstat_val(out, "XtcpRtoMin"));
	unlink(NSTAT_HIST);
}

/*
 * With its own history, xtcp-nstat prints what changed since its last
 * run: one connection later, XtcpActiveOpens 1 in the client's netns.
 * Daemon mode is refused.
 */
TEST_F(mib, xtcp_nstat_history_and_daemon_refused)
{
	static char out[16384];
	struct conn k;

	if (is_tcp())
		SKIP(return, "xtcp's own counter or file");
	unlink(NSTAT_HIST);
	ASSERT_EQ(0, run_out(out, sizeof(out),
			     "ip netns exec %s env XTCP_NSTAT_HISTORY="
			     NSTAT_HIST " " NSTAT_TOOL " -n 2>&1", CLI_NS));
	ASSERT_EQ(0, conn_open(&k, 9823));
	conn_close(&k);
	ASSERT_EQ(0, run_out(out, sizeof(out),
			     "ip netns exec %s env XTCP_NSTAT_HISTORY="
			     NSTAT_HIST " " NSTAT_TOOL " XtcpActiveOpens 2>&1",
			     CLI_NS));
	EXPECT_EQ(1, nstat_val(out, "XtcpActiveOpens")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_out(out, sizeof(out), NSTAT_TOOL " -d 1 2>&1"));
	EXPECT_NE(NULL, strstr(out, "daemon"));
	unlink(NSTAT_HIST);
}

TEST_HARNESS_MAIN
