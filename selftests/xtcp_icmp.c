// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about xtcp's segments, on a routed path of the test's own:
 *
 *   netns xic 10.98.1.2 --- 10.98.1.1 xir 10.98.2.1 --- 10.98.2.2 xis
 *             fd98:1::2     fd98:1::1     fd98:2::1     fd98:2::2
 *                      veth          (router)       veth
 *
 * The router forwards toward xis through a route of MTU 1280 while every
 * link is 1500 bytes: both ends announce MSS 1460, and only the router's
 * "fragmentation needed" can tell the client that its segments do not
 * fit (RFC 1191).  Other errors are forged from xis with a raw ICMP
 * socket, quoting the client's SYN.
 *
 * XTCP_ONLY=word,word runs only the tests whose names contain a word;
 * XTCP_PROTO=6 runs everything over kernel TCP (checks the tests).
 */
#include <netinet/ip_icmp.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

/* The client, router and server hosts: "xic-PID", "xir-PID", "xis-PID". */
static char ic_ns[NS_NAME_LEN], ir_ns[NS_NAME_LEN], is_ns[NS_NAME_LEN];
#define IC_NS		ic_ns
#define IR_NS		ir_ns
#define IS_NS		is_ns
#define IC_ADDR		"10.98.1.2"
#define IS_ADDR		"10.98.2.2"
#define IC_ADDR6	"fd98:1::2"
#define IS_ADDR6	"fd98:2::2"
#define IC_IF		"ic"

static void path_down(void)
{
	if (!ic_ns[0])
		return;
	ns_del(IC_NS);
	ns_del(IR_NS);
	ns_del(IS_NS);
}

/* The three hosts; the route to the server's net carries 1280 bytes. */
static int path_up(void)
{
	static const char *const ic[] = {
		"addr add " IC_ADDR "/24 dev ic",
		"addr add " IC_ADDR6 "/64 dev ic nodad",
		"link set ic up",
		"route add default via 10.98.1.1",
		"route add default via fd98:1::1",
		NULL
	};
	static const char *const is[] = {
		"addr add " IS_ADDR "/24 dev is",
		"addr add " IS_ADDR6 "/64 dev is nodad",
		"link set is up",
		"route add default via 10.98.2.1",
		"route add default via fd98:2::1",
		NULL
	};
	static const char *const ir[] = {
		"addr add 10.98.1.1/24 dev ir1",
		"addr add 10.98.2.1/24 dev ir2",
		"addr add fd98:1::1/64 dev ir1 nodad",
		"addr add fd98:2::1/64 dev ir2 nodad",
		"link set ir1 up",
		"link set ir2 up",
		"route replace 10.98.2.0/24 dev ir2 mtu 1280",
		"route replace fd98:2::/64 dev ir2 metric 256 mtu 1280",
		NULL
	};

	ns_name(ic_ns, "xic");
	ns_name(ir_ns, "xir");
	ns_name(is_ns, "xis");
	path_down();
	if (sh("ip netns add %s && ip netns add %s && ip netns add %s",
	       IC_NS, IR_NS, IS_NS) ||
	    sh("ip link add ic netns %s type veth peer name ir1 netns %s",
	       IC_NS, IR_NS) ||
	    sh("ip link add is netns %s type veth peer name ir2 netns %s",
	       IS_NS, IR_NS) ||
	    ip_batch(IC_NS, ic) || ip_batch(IS_NS, is) || ip_batch(IR_NS, ir) ||
	    sysctl_set(IR_NS, "net.ipv4.ip_forward", 1) ||
	    sysctl_set(IR_NS, "net.ipv6.conf.all.forwarding", 1))
		return -1;
	return sh_in(IC_NS, "ping -c1 -W2 " IS_ADDR " >/dev/null") ? -1 : 0;
}

FIXTURE(icmp) {
	int lfd, c, a;
};

FIXTURE_SETUP(icmp)
{
	self->lfd = -1;
	self->c = -1;
	self->a = -1;
	/* A SKIP here would still run the body: leave through the harness. */
	if (!test_selected(_metadata->name))
		SKIP(longjmp(_metadata->env, 1), "not in XTCP_ONLY");
	ASSERT_EQ(0, path_up());
}

FIXTURE_TEARDOWN(icmp)
{
	if (self->c >= 0)
		close(self->c);
	if (self->a >= 0)
		close(self->a);
	if (self->lfd >= 0)
		close(self->lfd);
	hosts_down();
}

/* The server's address (@v6: its IPv6 one) and @port into @ss; its length. */
static socklen_t srv_addr(int v6, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *a = (void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, IS_ADDR6, &a->sin6_addr);
		return sizeof(*a);
	}
	*(struct sockaddr_in *)ss = sin_of(IS_ADDR, port);
	return sizeof(struct sockaddr_in);
}

/*
 * 4 MiB from the client through the 1280-byte hop, over IPv4 (@v6 0)
 * or IPv6: the first full-sized segments die at the router, whose
 * "fragmentation needed" (ICMPv6 Packet Too Big) lowers the client's
 * path MTU and MSS; everything arrives, byte for byte, and the client's
 * route remembers the MTU.
 */
static void pmtu_bulk(struct __test_metadata *_metadata,
		      struct _test_data_icmp *self, int v6)
{
	const char *srv = v6 ? IS_ADDR6 : IS_ADDR;
	int family = v6 ? AF_INET6 : AF_INET;
	struct timeval tv = { XT(30), 0 };
	struct bulk b = { .len = 4 << 20 };
	long reduced = xstat(IC_NS, "PmtuReduced");
	char hash[65], route[512], cmd[128];
	struct sockaddr_storage ss;
	socklen_t sl = srv_addr(v6, 11001, &ss);
	size_t got = 0;
	pthread_t th;
	FILE *f;
	ssize_t n;

	self->lfd = socket_in(IS_NS, family, SOCK_STREAM, xtcp_proto());
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&ss, sl));
	ASSERT_EQ(0, listen(self->lfd, 1));
	self->c = socket_in(IC_NS, family, SOCK_STREAM, xtcp_proto());
	ASSERT_EQ(0, connect(self->c, (struct sockaddr *)&ss, sl));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	b.fd = self->c;
	pthread_create(&th, NULL, bulk_writer, &b);
	got = read_sha256(self->a, SIZE_MAX, hash);
	pthread_join(th, NULL);
	ASSERT_EQ(b.len, got) TH_LOG("stalled after %zu bytes", got);
	EXPECT_STREQ(b.hash, hash);

	snprintf(cmd, sizeof(cmd), "ip -n %s route get %s", IC_NS, srv);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	n = fread(route, 1, sizeof(route) - 1, f);
	pclose(f);
	route[n > 0 ? n : 0] = 0;
	EXPECT_NE(NULL, strstr(route, "mtu 1280")) TH_LOG("route: %s", route);
	if (xtcp_proto() == IPPROTO_XTCP)
		EXPECT_LT(reduced, xstat(IC_NS, "PmtuReduced"));
}

TEST_F_TIMEOUT(icmp, pmtu_1280_hop_bulk_completes, XT(120))
{
	pmtu_bulk(_metadata, self, 0);
}

/* The same over IPv6: RFC 8201, through xtcp_v6_err(). */
TEST_F_TIMEOUT(icmp, pmtu_1280_hop_bulk_completes_ipv6, XT(120))
{
	pmtu_bulk(_metadata, self, 1);
}

/*
 * Forge, from the server, an ICMP destination unreachable of @code about
 * the client's SYN (sequence number @seq).
 */
static int icmp_about_syn(int code, int cport, int sport, uint32_t seq)
{
	return icmp_unreach(IS_NS, IC_ADDR, code, IC_ADDR, cport, IS_ADDR,
			    sport, seq);
}

/*
 * A non-blocking connect to a port of the server's address that the
 * server drops (nothing answers the SYN); returns the SYN's sequence
 * number seen on the client's wire, the client's port in *@cport.
 */
static int syn_to_nowhere(struct __test_metadata *_metadata,
			  struct _test_data_icmp *self, int port,
			  uint32_t *seq, int *cport)
{
	struct seg s;
	int cap;

	/*
	 * The router drops everything of ours on its way to the server (a
	 * prio qdisc whose third band loses all, the band our protocol's
	 * packets are filtered to): the SYN gets no answer.
	 */
	if (tc_in(IR_NS, "qdisc add dev ir2 root handle 1: prio") ||
	    tc_in(IR_NS, "qdisc add dev ir2 parent 1:3 handle 30: netem loss 100%%") ||
	    tc_in(IR_NS, "filter add dev ir2 parent 1: protocol ip u32 match ip protocol %d 0xff flowid 1:3",
		  xtcp_proto()))
		return -1;
	cap = cap_open(IC_NS, IC_IF);
	self->c = socket_in(IC_NS, AF_INET, SOCK_STREAM, xtcp_proto());
	set_nonblock(self->c, 1);
	if (do_connect(self->c, IS_ADDR, port) != -1 || errno != EINPROGRESS)
		return -1;
	*cport = local_port(self->c);
	if (cap_find(cap, &s, XTCP_FLAG_SYN, 1, 2000))
		return -1;
	close(cap);
	*seq = s.seq;
	return 0;
}

/* syn_to_nowhere() over IPv6: the router drops our next header. */
static int syn6_to_nowhere(struct __test_metadata *_metadata,
			   struct _test_data_icmp *self, int port,
			   uint32_t *seq, int *cport)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct seg s;
	int cap;

	if (tc_in(IR_NS, "qdisc add dev ir2 root handle 1: prio") ||
	    tc_in(IR_NS, "qdisc add dev ir2 parent 1:3 handle 30: netem loss 100%%") ||
	    tc_in(IR_NS, "filter add dev ir2 parent 1: protocol ipv6 u32 match ip6 protocol %d 0xff flowid 1:3",
		  xtcp_proto()))
		return -1;
	cap = cap_open(IC_NS, IC_IF);
	self->c = socket_in(IC_NS, AF_INET6, SOCK_STREAM, xtcp_proto());
	set_nonblock(self->c, 1);
	inet_pton(AF_INET6, IS_ADDR6, &to.sin6_addr);
	if (connect(self->c, (struct sockaddr *)&to, sizeof(to)) != -1 ||
	    errno != EINPROGRESS)
		return -1;
	*cport = local_port(self->c);
	if (cap_find(cap, &s, XTCP_FLAG_SYN, 1, 2000) || !s.ipv6)
		return -1;
	close(cap);
	*seq = s.seq;
	return 0;
}

/* Wait up to @ms for the non-blocking connect of @fd to end. */
static int connect_result(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return so_error(fd);
}

/*
 * "Protocol unreachable" for our SYN: connect() fails at once with the
 * errno TCP gives it (ENOPROTOOPT), not after the SYN retries.
 */
TEST_F(icmp, protocol_unreachable_fails_connect_at_once)
{
	uint32_t seq;
	int cport;

	ASSERT_EQ(0, syn_to_nowhere(_metadata, self, 11002, &seq, &cport));
	ASSERT_EQ(0, icmp_about_syn(ICMP_PROT_UNREACH, cport, 11002, seq));
	EXPECT_EQ(ENOPROTOOPT, connect_result(self->c, 2000));
}

/* Port unreachable: ECONNREFUSED at once, as TCP. */
TEST_F(icmp, port_unreachable_refuses_connect)
{
	uint32_t seq;
	int cport;

	ASSERT_EQ(0, syn_to_nowhere(_metadata, self, 11003, &seq, &cport));
	ASSERT_EQ(0, icmp_about_syn(ICMP_PORT_UNREACH, cport, 11003, seq));
	EXPECT_EQ(ECONNREFUSED, connect_result(self->c, 2000));
}

/*
 * RFC 5927: an error quoting a sequence number we never sent is not
 * believed (a blind attacker's guess): the connect goes on.
 */
TEST_F(icmp, unreachable_outside_window_is_ignored)
{
	long oow = xstat(IC_NS, "OutOfWindowIcmps");
	uint32_t seq;
	int cport;

	ASSERT_EQ(0, syn_to_nowhere(_metadata, self, 11004, &seq, &cport));
	ASSERT_EQ(0, icmp_about_syn(ICMP_PROT_UNREACH, cport, 11004,
				    seq + 100000));
	EXPECT_EQ(-1, connect_result(self->c, 500));
	EXPECT_EQ(0, so_error(self->c));
	if (xtcp_proto() == IPPROTO_XTCP)
		EXPECT_EQ(oow + 1, xstat(IC_NS, "OutOfWindowIcmps"));
}

/* IP_MINTTL or, over IPv6 (@v6), IPV6_MINHOPCOUNT of @fd to @val. */
static int set_min_ttl(int fd, int v6, int val)
{
	return v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &val,
			       sizeof(val)) :
		    setsockopt(fd, IPPROTO_IP, IP_MINTTL, &val, sizeof(val));
}

/* IP_TTL or, over IPv6, IPV6_UNICAST_HOPS of @fd: what it sends with. */
static int set_ttl(int fd, int v6, int val)
{
	return v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &val,
			       sizeof(val)) :
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &val, sizeof(val));
}

/* Segments (and ICMP errors) dropped under IP_MINTTL in @ns. */
static long min_ttl_drops(const char *ns)
{
	return proto_stat(ns, "MinTtlDrops", "TCPMinTTLDrop");
}

/*
 * RFC 5082's GTSM, as TCP's IP_MINTTL (IPV6_MINHOPCOUNT over IPv6): a
 * listener that wants 254 hops left hears only peers one hop away that
 * send with 255.  Across the router, a SYN sent with the default 64
 * arrives with 63: dropped and counted (TCPMinTTLDrop), the connect
 * gets no answer.  One sent with 255 arrives with 254 and connects. The
 * accepted socket inherits the option: data sent with 64 again is
 * dropped, and arrives intact, resent, once the sender is back at 255.
 */
static void gtsm(struct __test_metadata *_metadata,
		 struct _test_data_icmp *self, int v6, int port)
{
	int family = v6 ? AF_INET6 : AF_INET;
	struct timeval tv = { XT(10), 0 };
	char out[1000], in[1000];
	struct sockaddr_storage ss;
	socklen_t sl = srv_addr(v6, port, &ss), ol = sizeof(int);
	struct pollfd p;
	long d0, d1;
	int far, val;

	self->lfd = socket_in(IS_NS, family, SOCK_STREAM, xtcp_proto());
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, set_min_ttl(self->lfd, v6, 254));
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&ss, sl));
	ASSERT_EQ(0, listen(self->lfd, 4));
	d0 = min_ttl_drops(IS_NS);
	ASSERT_LE(0, d0);

	/* Neighbours resolved first: the SYN is not held up on its way. */
	if (v6)
		ASSERT_EQ(0, sh_in(IC_NS, "ping -6 -c1 -w5 " IS_ADDR6 " >/dev/null"));

	far = socket_in(IC_NS, family, SOCK_STREAM, xtcp_proto());
	ASSERT_LE(0, far);
	set_nonblock(far, 1);
	EXPECT_EQ(-1, connect(far, (struct sockaddr *)&ss, sl));
	EXPECT_EQ(-1, connect_result(far, 1500))
		TH_LOG("a SYN from beyond the router was heard");
	close(far);
	EXPECT_LT(d0, min_ttl_drops(IS_NS));

	self->c = socket_in(IC_NS, family, SOCK_STREAM, xtcp_proto());
	ASSERT_EQ(0, set_ttl(self->c, v6, 255));
	ASSERT_EQ(0, connect(self->c, (struct sockaddr *)&ss, sl));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ASSERT_EQ(0, getsockopt(self->a, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
				v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, &val, &ol));
	EXPECT_EQ(254, val);

	fill_pattern((uint8_t *)out, sizeof(out), port);
	ASSERT_EQ(0, set_ttl(self->c, v6, 64));
	d1 = min_ttl_drops(IS_NS);
	ASSERT_EQ(sizeof(out), write(self->c, out, sizeof(out)));
	p = (struct pollfd){ .fd = self->a, .events = POLLIN };
	EXPECT_EQ(0, poll(&p, 1, 700)) TH_LOG("data from beyond the router was heard");
	EXPECT_LT(d1, min_ttl_drops(IS_NS));
	ASSERT_EQ(0, set_ttl(self->c, v6, 255));
	ASSERT_EQ(sizeof(in), read_full(self->a, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
}

TEST_F_TIMEOUT(icmp, min_ttl_drops_segments_from_afar, XT(60))
{
	gtsm(_metadata, self, 0, 11008);
}

TEST_F_TIMEOUT(icmp, min_hopcount_drops_segments_from_afar_ipv6, XT(60))
{
	gtsm(_metadata, self, 1, 11009);
}

/* A "port unreachable" about the SYN, from the server: ICMP or ICMPv6. */
static int unreach_about_syn(int v6, int cport, int sport, uint32_t seq)
{
	if (v6)
		return icmp6_error(IS_NS, IC_ADDR6, 1, 4, IC_ADDR6, cport,
				   IS_ADDR6, sport, seq);
	return icmp_about_syn(ICMP_PORT_UNREACH, cport, sport, seq);
}

/*
 * An ICMP error under the socket's minimum is not believed either, as
 * tcp_v4_err() and tcp_v6_err() judge it: IPv4 by the quoted header's
 * TTL (64, as icmp_unreach() writes it), IPv6 by the ICMPv6 message's
 * own hop limit (64 from the server, 63 after the router).  The same
 * error with the minimum one lower refuses the connect.
 */
static void unreach_under_min(struct __test_metadata *_metadata,
			      struct _test_data_icmp *self, int v6, int port)
{
	long d0 = min_ttl_drops(IC_NS);
	int cport, over = v6 ? 64 : 65;
	uint32_t seq;

	ASSERT_LE(0, d0);
	ASSERT_EQ(0, v6 ? syn6_to_nowhere(_metadata, self, port, &seq, &cport) :
			  syn_to_nowhere(_metadata, self, port, &seq, &cport));
	ASSERT_EQ(0, set_min_ttl(self->c, v6, over));
	ASSERT_EQ(0, unreach_about_syn(v6, cport, port, seq));
	EXPECT_EQ(-1, connect_result(self->c, 500));
	EXPECT_EQ(0, so_error(self->c));
	EXPECT_EQ(d0 + 1, min_ttl_drops(IC_NS));
	ASSERT_EQ(0, set_min_ttl(self->c, v6, over - 1));
	ASSERT_EQ(0, unreach_about_syn(v6, cport, port, seq));
	EXPECT_EQ(ECONNREFUSED, connect_result(self->c, 2000));
}

TEST_F(icmp, unreachable_under_min_ttl_is_ignored)
{
	unreach_under_min(_metadata, self, 0, 11010);
}

TEST_F(icmp, icmpv6_under_min_hopcount_is_ignored)
{
	unreach_under_min(_metadata, self, 1, 11011);
}

/*
 * ICMPv6 (RFC 4443), as tcp_v6_err(): "port unreachable" about our SYN
 * refuses the connect at once; "unrecognized next header" (a parameter
 * problem) ends it with EPROTO; one quoting a sequence number we never
 * sent is not believed.
 */
TEST_F(icmp, icmpv6_port_unreachable_refuses_connect)
{
	uint32_t seq;
	int cport;

	ASSERT_EQ(0, syn6_to_nowhere(_metadata, self, 11005, &seq, &cport));
	ASSERT_EQ(0, icmp6_error(IS_NS, IC_ADDR6, 1, 4, IC_ADDR6, cport,
				 IS_ADDR6, 11005, seq));
	EXPECT_EQ(ECONNREFUSED, connect_result(self->c, 2000));
}

TEST_F(icmp, icmpv6_unknown_next_header_ends_connect)
{
	uint32_t seq;
	int cport;

	ASSERT_EQ(0, syn6_to_nowhere(_metadata, self, 11006, &seq, &cport));
	ASSERT_EQ(0, icmp6_error(IS_NS, IC_ADDR6, 4, 1, IC_ADDR6, cport,
				 IS_ADDR6, 11006, seq));
	EXPECT_EQ(EPROTO, connect_result(self->c, 2000));
}

TEST_F(icmp, icmpv6_outside_window_is_ignored)
{
	long oow = xstat(IC_NS, "OutOfWindowIcmps");
	uint32_t seq;
	int cport;

	ASSERT_EQ(0, syn6_to_nowhere(_metadata, self, 11007, &seq, &cport));
	ASSERT_EQ(0, icmp6_error(IS_NS, IC_ADDR6, 1, 4, IC_ADDR6, cport,
				 IS_ADDR6, 11007, seq + 100000));
	EXPECT_EQ(-1, connect_result(self->c, 500));
	EXPECT_EQ(0, so_error(self->c));
	if (xtcp_proto() == IPPROTO_XTCP)
		EXPECT_EQ(oow + 1, xstat(IC_NS, "OutOfWindowIcmps"));
}

TEST_HARNESS_MAIN
