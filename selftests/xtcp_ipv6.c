// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp over IPv6: AF_INET6 sockets, natively (fd99::1 and fd99::2 on the
 * test's two hosts) and v4-mapped, as TCP's AF_INET6 sockets behave:
 * a dual-stack listener, IPV6_V6ONLY, IPV6_ADDRFORM, the addresses
 * getsockname() and getpeername() give, RSTs, TIME-WAIT, SYN cookies,
 * IPV6_2292PKTOPTIONS, flow labels reflected, and the segments seen on
 * the wire in the family they should be in.
 *
 * XTCP_ONLY=word,word runs only the tests whose names contain a word;
 * XTCP_PROTO=6 runs everything over kernel TCP (checks the tests).
 */
#include <netinet/ip6.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

FIXTURE(v6) {
	int unused;
};

FIXTURE_SETUP(v6)
{
	XTCP_SETUP(_metadata->name);
	ASSERT_EQ(0, hosts_up_ipv6());
}

FIXTURE_TEARDOWN(v6)
{
	hosts_down();
}

static struct sockaddr_in6 sin6_of(const char *addr, int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };

	inet_pton(AF_INET6, addr, &a.sin6_addr);
	a.sin6_port = htons(port);
	return a;
}

static int sock6(const char *ns)
{
	return socket_in(ns, AF_INET6, SOCK_STREAM, xtcp_proto());
}

static int connect6(int fd, const char *addr, int port)
{
	struct sockaddr_in6 a = sin6_of(addr, port);

	return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

static int set_v6only(int fd, int on)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
}

/* An AF_INET6 listener in the server's netns on [@addr]:@port. */
static int listen6(const char *addr, int port, int v6only)
{
	struct sockaddr_in6 a = sin6_of(addr, port);
	int fd = sock6(SRV_NS);

	if (fd < 0)
		return -1;
	if (v6only >= 0 && set_v6only(fd, v6only))
		goto fail;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* The AF_INET6 socket's state in /proc/net/xtcp6 (tcp6 for kernel TCP). */
static int xstate6(const char *ns, int lport, int rport)
{
	return proc_state(ns, is_tcp() ? "tcp6" : "xtcp6", lport, rport);
}

/* The IPv4 table's view (/proc/net/xtcp or tcp) of local port @lport. */
static int xstate4(const char *ns, int lport)
{
	return proc_state(ns, is_tcp() ? "tcp" : "xtcp", lport, 0);
}

/* Wait up to @timeout_s for xstate6() to become @want; 0 or -1. */
static int wait_state6(const char *ns, int lport, int rport, int want,
		       double timeout_s)
{
	double end = now_s() + timeout_s;

	while (xstate6(ns, lport, rport) != want) {
		if (now_s() > end)
			return -1;
		usleep(10000);
	}
	return 0;
}

/* @len bytes from @c to @a, compared by SHA-256. */
static int stream_ok(struct __test_metadata *_metadata, int c, int a,
		     size_t len)
{
	struct bulk b = { .fd = c, .len = len, .keep_open = 1 };
	char hash[65];
	pthread_t th;
	size_t got;

	pthread_create(&th, NULL, bulk_writer, &b);
	got = read_sha256(a, len, hash);
	pthread_join(th, NULL);
	EXPECT_EQ(len, got);
	EXPECT_STREQ(b.hash, hash);
	return got == len && !strcmp(b.hash, hash) ? 0 : -1;
}

/*
 * The handshake and a stream over IPv6: the segments on the wire are
 * IPv6 packets whose next header is ours, the SYN's MSS leaves room for
 * IPv6's 40-byte header, and the connection is in /proc/net/xtcp6, not
 * in /proc/net/xtcp.
 */
TEST_F(v6, handshake_and_stream_over_ipv6)
{
	struct seg syn, synack, ack;
	int cap, lfd, c, a, cport;
	char buf[96], want[96];

	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);
	lfd = listen6(SRV_ADDR6, 12001, -1);
	ASSERT_LE(0, lfd);
	EXPECT_EQ(XTCP_LISTEN, xstate6(SRV_NS, 12001, 0));

	c = sock6(CLI_NS);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect6(c, SRV_ADDR6, 12001));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	cport = local_port(c);

	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 1, 2000));
	ASSERT_EQ(0, cap_find(cap, &synack, XTCP_FLAG_SYN | XTCP_FLAG_ACK, 0,
			      2000));
	ASSERT_EQ(0, cap_find(cap, &ack, XTCP_FLAG_ACK, 1, 2000));
	EXPECT_TRUE(syn.ipv6);
	EXPECT_TRUE(synack.ipv6);
	EXPECT_TRUE(ack.ipv6);
	EXPECT_EQ(cport, syn.sport);
	EXPECT_EQ(syn.seq + 1, synack.ack);
	EXPECT_EQ(synack.seq + 1, ack.ack);
	/* 1500 less IPv6's 40 bytes and our 20. */
	EXPECT_EQ(1440, syn.mss);
	EXPECT_EQ(1440, synack.mss);

	snprintf(want, sizeof(want), "[" CLI_ADDR6 "]:%d", cport);
	EXPECT_STREQ(want, peer_str(a, buf, sizeof(buf)));
	EXPECT_STREQ(want, name_str(c, buf, sizeof(buf)));
	EXPECT_STREQ("[" SRV_ADDR6 "]:12001", peer_str(c, buf, sizeof(buf)));
	EXPECT_EQ(XTCP_ESTABLISHED, xstate6(CLI_NS, cport, 12001));
	EXPECT_EQ(XTCP_ESTABLISHED, xstate6(SRV_NS, 12001, cport));
	EXPECT_EQ(-1, xstate4(SRV_NS, 12001));

	EXPECT_EQ(0, stream_ok(_metadata, c, a, 4 << 20));
	EXPECT_EQ(0, stream_ok(_metadata, a, c, 1 << 20));
	close(c);
	close(a);
	close(lfd);
	close(cap);
}

/*
 * A listener on [::] without IPV6_V6ONLY takes IPv4 and IPv6 clients:
 * the IPv4 one arrives as IPv4 on the wire and is seen as v4-mapped
 * (::ffff:10.99.0.2), both in /proc/net/xtcp6; both carry a stream.
 */
TEST_F(v6, dual_stack_listener_takes_both_families)
{
	int cap, lfd, c4, c6, a4, a6, p4, p6, v6only = -1;
	socklen_t l = sizeof(v6only);
	char buf[96], want[96];
	struct seg syn;

	lfd = listen6("::", 12002, 0);
	ASSERT_LE(0, lfd);
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);

	c4 = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c4, SRV_ADDR, 12002));
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN | XTCP_FLAG_ACK, 0,
			      2000));
	EXPECT_FALSE(syn.ipv6);
	a4 = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a4);
	c6 = sock6(CLI_NS);
	ASSERT_EQ(0, connect6(c6, SRV_ADDR6, 12002));
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN | XTCP_FLAG_ACK, 0,
			      2000));
	EXPECT_TRUE(syn.ipv6);
	a6 = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a6);
	p4 = local_port(c4);
	p6 = local_port(c6);

	snprintf(want, sizeof(want), "[::ffff:" CLI_ADDR "]:%d", p4);
	EXPECT_STREQ(want, peer_str(a4, buf, sizeof(buf)));
	EXPECT_STREQ("[::ffff:" SRV_ADDR "]:12002",
		     name_str(a4, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "[" CLI_ADDR6 "]:%d", p6);
	EXPECT_STREQ(want, peer_str(a6, buf, sizeof(buf)));
	/* The IPv4 client sees a plain IPv4 peer. */
	EXPECT_STREQ(SRV_ADDR ":12002", peer_str(c4, buf, sizeof(buf)));

	EXPECT_EQ(XTCP_ESTABLISHED, xstate6(SRV_NS, 12002, p4));
	EXPECT_EQ(XTCP_ESTABLISHED, xstate6(SRV_NS, 12002, p6));
	EXPECT_EQ(0, stream_ok(_metadata, c4, a4, 1 << 20));
	EXPECT_EQ(0, stream_ok(_metadata, a4, c4, 1 << 20));
	EXPECT_EQ(0, stream_ok(_metadata, c6, a6, 1 << 20));

	/* An IPv6 socket option works on the v4-mapped child. */
	EXPECT_EQ(0, getsockopt(a4, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l));
	EXPECT_EQ(0, v6only);
	close(c4);
	close(c6);
	close(a4);
	close(a6);
	close(lfd);
	close(cap);
}

/*
 * IPV6_V6ONLY: an IPv4 SYN finds no listener (a RST: ECONNREFUSED), and
 * an AF_INET listener may take the same port beside it, and gets the
 * IPv4 clients.
 */
TEST_F(v6, v6only_listener_leaves_ipv4_to_others)
{
	int lfd6, lfd4, c, a;
	char buf[96];

	lfd6 = listen6("::", 12003, 1);
	ASSERT_LE(0, lfd6);
	c = xsock(CLI_NS);
	ASSERT_EQ(-1, do_connect(c, SRV_ADDR, 12003));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(c);

	lfd4 = xsock(SRV_NS);
	ASSERT_EQ(0, do_bind(lfd4, "0.0.0.0", 12003));
	ASSERT_EQ(0, listen(lfd4, 8));
	c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 12003));
	a = accept(lfd4, NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_STREQ(SRV_ADDR ":12003", name_str(a, buf, sizeof(buf)));
	close(a);
	close(c);

	/* Without V6ONLY, the wildcard's port is taken for both families. */
	close(lfd6);
	close(lfd4);
	lfd6 = listen6("::", 12004, 0);
	ASSERT_LE(0, lfd6);
	lfd4 = xsock(SRV_NS);
	EXPECT_EQ(-1, do_bind(lfd4, "0.0.0.0", 12004));
	EXPECT_EQ(EADDRINUSE, errno);
	close(lfd4);
	close(lfd6);
}

/*
 * An AF_INET6 socket connecting to a v4-mapped address speaks IPv4 on
 * the wire, and names itself v4-mapped; with IPV6_V6ONLY it cannot.
 */
TEST_F(v6, mapped_connect_speaks_ipv4)
{
	int cap, lfd, c, a;
	char buf[96], want[96];
	struct seg syn;

	lfd = xlisten(12005, 8);
	ASSERT_LE(0, lfd);
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);

	c = sock6(CLI_NS);
	ASSERT_EQ(0, set_v6only(c, 1));
	EXPECT_EQ(-1, connect6(c, "::ffff:" SRV_ADDR, 12005));
	EXPECT_EQ(ENETUNREACH, errno);
	close(c);

	c = sock6(CLI_NS);
	ASSERT_EQ(0, connect6(c, "::ffff:" SRV_ADDR, 12005));
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 1, 2000));
	EXPECT_FALSE(syn.ipv6);
	EXPECT_EQ(1460, syn.mss);
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	snprintf(want, sizeof(want), "[::ffff:" CLI_ADDR "]:%d", local_port(c));
	EXPECT_STREQ(want, name_str(c, buf, sizeof(buf)));
	snprintf(want, sizeof(want), CLI_ADDR ":%d", local_port(c));
	EXPECT_STREQ(want, peer_str(a, buf, sizeof(buf)));
	EXPECT_EQ(XTCP_ESTABLISHED, xstate6(CLI_NS, local_port(c), 12005));
	EXPECT_EQ(0, stream_ok(_metadata, c, a, 1 << 20));
	EXPECT_EQ(0, stream_ok(_metadata, a, c, 1 << 20));
	close(c);
	close(a);
	close(lfd);
	close(cap);
}

/* Wait up to @timeout_s for the IPv4 table's state (xtcp or tcp) @want. */
static int wait_state4(const char *ns, int lport, int rport, int want,
		       double timeout_s)
{
	double end = now_s() + timeout_s;

	while (proc_state(ns, is_tcp() ? "tcp" : "xtcp", lport, rport) != want) {
		if (now_s() > end)
			return -1;
		usleep(10000);
	}
	return 0;
}

static int addrform(int fd, int family)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_ADDRFORM, &family,
			  sizeof(family));
}

/*
 * IPV6_ADDRFORM, as TCP's: a v4-mapped connection, accepted by a
 * dual-stack listener or made by connecting to a mapped address, turns
 * into an AF_INET socket (getsockname() and SO_DOMAIN say so, SOL_IPV6
 * is gone, /proc/net/xtcp lists it, not xtcp6) and carries on, through
 * to TIME-WAIT.  Reading the option gives the family; a native IPv6
 * connection cannot turn (EADDRNOTAVAIL), nor a listener (ENOTCONN).
 */
TEST_F(v6, addrform_turns_mapped_connection_ipv4)
{
	int lfd, lfd4, c4, a4, c6, a6, cm, am, val, p4, pm;
	socklen_t l = sizeof(val);
	char buf[96], want[96];

	lfd = listen6("::", 12008, 0);
	ASSERT_LE(0, lfd);
	EXPECT_EQ(-1, addrform(lfd, AF_INET));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, getsockopt(lfd, IPPROTO_IPV6, IPV6_ADDRFORM, &val, &l));
	EXPECT_EQ(ENOTCONN, errno);

	/* Native IPv6: it stays. */
	c6 = sock6(CLI_NS);
	ASSERT_EQ(0, connect6(c6, SRV_ADDR6, 12008));
	a6 = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a6);
	EXPECT_EQ(-1, addrform(a6, AF_INET));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	EXPECT_EQ(-1, addrform(a6, AF_INET6));
	EXPECT_EQ(EINVAL, errno);

	/* The dual-stack listener's IPv4 child. */
	c4 = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c4, SRV_ADDR, 12008));
	a4 = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a4);
	p4 = local_port(c4);
	l = sizeof(val);
	ASSERT_EQ(0, getsockopt(a4, IPPROTO_IPV6, IPV6_ADDRFORM, &val, &l));
	EXPECT_EQ(AF_INET6, val);
	EXPECT_EQ(XTCP_ESTABLISHED, xstate6(SRV_NS, 12008, p4));
	ASSERT_EQ(0, addrform(a4, AF_INET));
	EXPECT_STREQ(SRV_ADDR ":12008", name_str(a4, buf, sizeof(buf)));
	snprintf(want, sizeof(want), CLI_ADDR ":%d", p4);
	EXPECT_STREQ(want, peer_str(a4, buf, sizeof(buf)));
	l = sizeof(val);
	ASSERT_EQ(0, getsockopt(a4, SOL_SOCKET, SO_DOMAIN, &val, &l));
	EXPECT_EQ(AF_INET, val);
	l = sizeof(val);
	/* IPv4's getsockopt now: any other level is EOPNOTSUPP. */
	EXPECT_EQ(-1, getsockopt(a4, IPPROTO_IPV6, IPV6_ADDRFORM, &val, &l));
	EXPECT_EQ(EOPNOTSUPP, errno);
	val = 33;
	EXPECT_EQ(0, setsockopt(a4, IPPROTO_IP, IP_TTL, &val, sizeof(val)));
	EXPECT_EQ(-1, xstate6(SRV_NS, 12008, p4));
	EXPECT_EQ(0, wait_state4(SRV_NS, 12008, p4, XTCP_ESTABLISHED, 0));
	EXPECT_EQ(0, stream_ok(_metadata, c4, a4, 1 << 20));
	EXPECT_EQ(0, stream_ok(_metadata, a4, c4, 1 << 20));

	/* A client connected to a mapped address turns too. */
	lfd4 = xlisten(12009, 8);
	ASSERT_LE(0, lfd4);
	cm = sock6(CLI_NS);
	ASSERT_EQ(0, connect6(cm, "::ffff:" SRV_ADDR, 12009));
	am = accept(lfd4, NULL, NULL);
	ASSERT_LE(0, am);
	pm = local_port(cm);
	ASSERT_EQ(0, addrform(cm, AF_INET));
	snprintf(want, sizeof(want), CLI_ADDR ":%d", pm);
	EXPECT_STREQ(want, name_str(cm, buf, sizeof(buf)));
	EXPECT_EQ(0, stream_ok(_metadata, cm, am, 1 << 20));
	EXPECT_EQ(0, stream_ok(_metadata, am, cm, 1 << 20));

	/* The turned ends close first: TIME-WAIT in IPv4's table. */
	close(a4);
	close(cm);
	EXPECT_EQ(0, wait_state4(SRV_NS, 12008, p4, XTCP_FIN_WAIT2, 5));
	close(c4);
	close(am);
	EXPECT_EQ(0, wait_state4(SRV_NS, 12008, p4, XTCP_TIME_WAIT, 5));
	EXPECT_EQ(0, wait_state4(CLI_NS, pm, 12009, XTCP_TIME_WAIT, 5));
	close(c6);
	close(a6);
	close(lfd4);
	close(lfd);
}

/*
 * The hop limit and traffic class getsockopt(IPV6_2292PKTOPTIONS)
 * reports on @fd, as control messages (-1 for one not there); 0 or -1.
 */
static int pktoptions(int fd, int *hops, int *tclass)
{
	char cbuf[256];
	socklen_t len = sizeof(cbuf);
	struct msghdr m = { .msg_control = cbuf };
	struct cmsghdr *cm;

	*hops = *tclass = -1;
	if (getsockopt(fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, cbuf, &len))
		return -1;
	m.msg_controllen = len;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_HOPLIMIT)
			memcpy(hops, CMSG_DATA(cm), sizeof(*hops));
		else if (cm->cmsg_type == IPV6_TCLASS)
			memcpy(tclass, CMSG_DATA(cm), sizeof(*tclass));
	}
	return 0;
}

/* IPV6_UNICAST_HOPS and IPV6_TCLASS of @fd: what it sends with. */
static int send_with(int fd, int hops, int tclass)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
			  sizeof(hops)) ||
	       setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tclass,
			  sizeof(tclass));
}

/*
 * IPV6_2292PKTOPTIONS (Stevens' IPV6_PKTOPTIONS), as TCP's: a socket
 * that asked for the hop limit and the traffic class (IPV6_RECVHOPLIMIT,
 * IPV6_RECVTCLASS, from its listener) reads them, as control messages,
 * for the last segment that arrived in order: each new one's.
 */
TEST_F(v6, pktoptions_hold_the_last_segments_ipv6_side)
{
	struct sockaddr_in6 sa = sin6_of("::", 12010);
	int lfd, c, a, one = 1, hops, tclass;
	char buf[100] = "x";

	lfd = sock6(SRV_NS);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setsockopt(lfd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one,
				sizeof(one)));
	ASSERT_EQ(0, setsockopt(lfd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one,
				sizeof(one)));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(lfd, 4));
	c = sock6(CLI_NS);
	ASSERT_EQ(0, send_with(c, 33, 0x20));
	ASSERT_EQ(0, connect6(c, SRV_ADDR6, 12010));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);

	ASSERT_EQ(sizeof(buf), write(c, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), read_full(a, buf, sizeof(buf)));
	ASSERT_EQ(0, pktoptions(a, &hops, &tclass));
	EXPECT_EQ(33, hops);
	EXPECT_EQ(0x20, tclass);

	ASSERT_EQ(0, send_with(c, 44, 0x40));
	ASSERT_EQ(sizeof(buf), write(c, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), read_full(a, buf, sizeof(buf)));
	ASSERT_EQ(0, pktoptions(a, &hops, &tclass));
	EXPECT_EQ(44, hops);
	EXPECT_EQ(0x40, tclass);
	close(c);
	close(a);
	close(lfd);
}

/*
 * A connection to [@SRV_ADDR6]:@port with 1000 bytes each way, seen at
 * the server: the client's flow label (the SYN's) and the server's
 * (its SYN-ACK's, and then that of every segment it sent) in
 * *@cli and *@srv, or -1 if they were not all one.
 */
static void labels(struct __test_metadata *_metadata, int port, long *cli,
		   long *srv)
{
	int cap, lfd, c, a;
	char buf[1000] = "y";
	struct seg s;

	*cli = *srv = -1;
	lfd = listen6("::", port, -1);
	ASSERT_LE(0, lfd);
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	c = sock6(CLI_NS);
	ASSERT_EQ(0, connect6(c, SRV_ADDR6, port));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	ASSERT_EQ(sizeof(buf), write(c, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), read_full(a, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), write(a, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), read_full(c, buf, sizeof(buf)));
	while (!cap_next(cap, &s, 300)) {
		long *mine = s.outgoing ? srv : cli;

		if (s.sport != port && s.dport != port)
			continue;
		if (*mine == -1)
			*mine = s.flowlabel;
		else if (*mine != (long)s.flowlabel)
			*mine = -2;
	}
	close(cap);
	close(c);
	close(a);
	close(lfd);
}

/*
 * Flow labels reflected, as TCP's (net.ipv6.flowlabel_reflect): with
 * bit 1 in the server's netns when its sockets are made (repflow), the
 * server sends with the flow label of the client's segments, SYN-ACK
 * and all; without it, with its own (auto_flowlabels).  With bit 2, a
 * RST for no socket carries the label of the SYN it answers.
 */
TEST_F(v6, flowlabel_reflected_back)
{
	long cli, srv;
	struct seg syn, rst;
	int cap, c;

	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.ipv6.flowlabel_reflect", 0));
	labels(_metadata, 12011, &cli, &srv);
	TH_LOG("not reflecting: client's label %05lx, server's %05lx", cli, srv);
	EXPECT_LT(0, cli);
	EXPECT_LT(0, srv);
	EXPECT_NE(cli, srv);

	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.ipv6.flowlabel_reflect", 1));
	labels(_metadata, 12012, &cli, &srv);
	TH_LOG("reflecting: client's label %05lx, server's %05lx", cli, srv);
	EXPECT_LT(0, cli);
	EXPECT_EQ(cli, srv);

	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.ipv6.flowlabel_reflect", 2));
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	c = sock6(CLI_NS);
	ASSERT_EQ(-1, connect6(c, SRV_ADDR6, 12013));
	EXPECT_EQ(ECONNREFUSED, errno);
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 0, 2000));
	ASSERT_EQ(0, cap_find(cap, &rst, XTCP_FLAG_RST | XTCP_FLAG_ACK, 1,
			      2000));
	EXPECT_NE(0, syn.flowlabel);
	EXPECT_EQ(syn.flowlabel, rst.flowlabel);
	close(c);
	close(cap);
	sysctl_set(SRV_NS, "net.ipv6.flowlabel_reflect", 0);
}

/*
 * A closed port: the SYN is answered by an IPv6 RST, connect() fails
 * with ECONNREFUSED; a link-local peer without an interface is EINVAL
 * and a multicast one ENETUNREACH, as for TCP.
 */
TEST_F(v6, closed_port_and_bad_addresses)
{
	struct seg rst;
	int cap, c;

	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);
	c = sock6(CLI_NS);
	ASSERT_EQ(-1, connect6(c, SRV_ADDR6, 12006));
	EXPECT_EQ(ECONNREFUSED, errno);
	ASSERT_EQ(0, cap_find(cap, &rst, XTCP_FLAG_RST | XTCP_FLAG_ACK, 0,
			      2000));
	EXPECT_TRUE(rst.ipv6);
	EXPECT_EQ(12006, rst.sport);
	close(c);
	close(cap);

	c = sock6(CLI_NS);
	EXPECT_EQ(-1, connect6(c, "fe80::1", 12006));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, connect6(c, "ff02::1", 12006));
	EXPECT_EQ(ENETUNREACH, errno);
	close(c);
}

/*
 * Teardown over IPv6: the side that closes first is in TIME-WAIT in
 * /proc/net/xtcp6, and its ACK of a resent FIN goes out as IPv6.
 */
TEST_F(v6, time_wait_over_ipv6)
{
	int lfd, c, a, cport;
	char b;

	lfd = listen6(SRV_ADDR6, 12007, -1);
	ASSERT_LE(0, lfd);
	c = sock6(CLI_NS);
	ASSERT_EQ(0, connect6(c, SRV_ADDR6, 12007));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	cport = local_port(c);
	close(c);
	EXPECT_EQ(0, read(a, &b, 1));
	close(a);
	EXPECT_EQ(0, wait_state6(CLI_NS, cport, 12007, XTCP_TIME_WAIT, 2));
	close(lfd);
}

/*
 * SYN cookies for IPv6 (net.xtcp.syncookies 2: always): the connection
 * is made from the returning ACK alone, and carries a stream.
 */
TEST_F(v6, syn_cookies_over_ipv6)
{
	long sent, recv;
	int lfd, c, a;

	if (is_tcp())
		SKIP(return, "xtcp's sysctl and counters");
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.syncookies", 2));
	sent = XSTAT(SRV_NS, "SyncookiesSent");
	recv = XSTAT(SRV_NS, "SyncookiesRecv");
	lfd = listen6(SRV_ADDR6, 12008, -1);
	ASSERT_LE(0, lfd);
	c = sock6(CLI_NS);
	ASSERT_EQ(0, connect6(c, SRV_ADDR6, 12008));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_EQ(sent + 1, XSTAT(SRV_NS, "SyncookiesSent"));
	EXPECT_EQ(recv + 1, XSTAT(SRV_NS, "SyncookiesRecv"));
	EXPECT_EQ(0, stream_ok(_metadata, c, a, 1 << 20));
	close(c);
	close(a);
	close(lfd);
}

TEST_HARNESS_MAIN
