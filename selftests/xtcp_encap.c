// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp in UDP (module/udp.c) across the middleboxes it is for, on a
 * routed path of the test's own:
 *
 *   netns xec 10.97.1.2 --- 10.97.1.1 xer 10.97.2.1 --- 10.97.2.2 xes
 *   (client)           veth      (router)         veth     (server)
 *
 * The router is, by variant, a plain router, a NAT (nftables masquerade
 * toward the server), a firewall (forwards only TCP and UDP) or a router
 * whose route to the server carries 1280 bytes (path MTU by its ICMP).  The
 * veths compute every checksum in software (tx offload off), as a real
 * NIC's segments arrive at a middlebox: a checksum a NAT cannot fix is
 * seen to be wrong.  Both ends receive in UDP on port 9899
 * (net.xtcp.udp_port); a client connects in UDP through the
 * XTCP_ENCAP_PORT option or net.xtcp.encap_port, from a UDP port of
 * its own for each connection.
 *
 * The path is dual-stack (fd97:1::/64, fd97:2::/64, the NAT and the
 * firewall for IPv6 too): XTCP_FAMILY=6 runs every test over IPv6.  The
 * router's outer address, fd97:2::fe, is not checksum-neutral to the
 * client's (fd97:2::1 would be, to fd97:1::2: the same 16-bit word
 * sum), so that the NAT's rewrite breaks a plain segment's checksum.
 *
 * xtcp only: kernel TCP has no encapsulation (XTCP_PROTO=6 skips all).
 * XTCP_ONLY=word,word runs only the tests whose names contain a word.
 */
#include <poll.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

static char ec_ns[NS_NAME_LEN], er_ns[NS_NAME_LEN], es_ns[NS_NAME_LEN];
#define EC_NS		ec_ns
#define ER_NS		er_ns
#define ES_NS		es_ns
#define EC_ADDR		"10.97.1.2"
#define ES_ADDR		"10.97.2.2"
#define ER_OUT		"10.97.2.1"	/* what the NAT makes of the client */
#define UDP_PORT	9899

enum middlebox { ROUTER, NAT, FIREWALL, NARROW };

static int path_up(enum middlebox mb)
{
	static const char *const ec[] = {
		"addr add " EC_ADDR "/24 dev ec",
		"addr add fd97:1::2/64 dev ec nodad",
		"link set ec up",
		"route add default via 10.97.1.1",
		"route add default via fd97:1::1",
		NULL
	};
	static const char *const es[] = {
		"addr add " ES_ADDR "/24 dev es",
		"addr add fd97:2::2/64 dev es nodad",
		"link set es up",
		"route add default via 10.97.2.1",
		"route add default via fd97:2::fe",
		NULL
	};
	static const char *const er[] = {
		"addr add 10.97.1.1/24 dev er1",
		"addr add 10.97.2.1/24 dev er2",
		"addr add fd97:1::1/64 dev er1 nodad",
		"addr add fd97:2::fe/64 dev er2 nodad",
		"link set er1 up",
		"link set er2 up",
		NULL
	};
	char es_addr[INET6_ADDRSTRLEN];

	ns_name(ec_ns, "xec");
	ns_name(er_ns, "xer");
	ns_name(es_ns, "xes");
	if (ns_add(EC_NS) || ns_add(ER_NS) || ns_add(ES_NS) ||
	    sh("ip link add ec netns %s type veth peer name er1 netns %s",
	       EC_NS, ER_NS) ||
	    sh("ip link add es netns %s type veth peer name er2 netns %s",
	       ES_NS, ER_NS) ||
	    sysctl_set(ER_NS, "net.ipv6.conf.all.forwarding", 1) ||
	    ip_batch(EC_NS, ec) || ip_batch(ES_NS, es) || ip_batch(ER_NS, er) ||
	    sysctl_set(ER_NS, "net.ipv4.ip_forward", 1))
		return -1;
	/*
	 * Checksums computed by the sender, as a NIC's arrive, and checked
	 * by the receiver: a veth with rx checksumming on takes what its
	 * peer checksummed in software as checked (CHECKSUM_UNNECESSARY),
	 * which the router's forwarding and a NAT's rewrite carry on to the
	 * server.
	 */
	if (sh_in(EC_NS, "ethtool -K ec tx off rx off >/dev/null") ||
	    sh_in(ES_NS, "ethtool -K es tx off rx off >/dev/null") ||
	    sh_in(ER_NS, "ethtool -K er1 tx off rx off >/dev/null") ||
	    sh_in(ER_NS, "ethtool -K er2 tx off rx off >/dev/null"))
		return -1;
	if (mb == NAT &&
	    sh_in(ER_NS, "nft 'add table ip nat; "
		  "add chain ip nat post { type nat hook postrouting priority 100; }; "
		  "add rule ip nat post oifname er2 masquerade; "
		  "add table ip6 nat; "
		  "add chain ip6 nat post { type nat hook postrouting priority 100; }; "
		  "add rule ip6 nat post oifname er2 masquerade'"))
		return -1;
	/* No nf_tables in this kernel (selftests/config): the caller skips. */
	if ((mb == NAT || mb == FIREWALL) &&
	    sh_in(ER_NS, "nft list tables >/dev/null 2>&1"))
		return 1;
	/* A 1280-byte hop that only the router's ICMP can tell of. */
	if (mb == NARROW &&
	    (sh_in(ER_NS, "ip route replace 10.97.2.0/24 dev er2 mtu 1280") ||
	     sh_in(ER_NS, "ip -6 route replace fd97:2::/64 dev er2 metric 256 mtu 1280")))
		return -1;
	/*
	 * One rule per protocol, not "meta l4proto { tcp, udp, icmp }": an
	 * anonymous set goes through nf_tables_newset(), whose set lookup
	 * lockdep reports on 6.1.192 ("RCU-list traversed in non-reader
	 * section", nf_tables_api.c:4122): the debug lane's log check.
	 */
	if (mb == FIREWALL &&
	    sh_in(ER_NS, "nft 'add table inet fw; "
		  "add chain inet fw pass { type filter hook forward priority 0; policy drop; }; "
		  "add rule inet fw pass meta l4proto tcp accept; "
		  "add rule inet fw pass meta l4proto udp accept; "
		  "add rule inet fw pass meta l4proto icmp accept; "
		  "add rule inet fw pass meta l4proto ipv6-icmp accept'"))
		return -1;
	/* Both ends receive xtcp in UDP; short TIME-WAIT, as the others. */
	if (sysctl_set(EC_NS, "net.xtcp.udp_port", UDP_PORT) ||
	    sysctl_set(ES_NS, "net.xtcp.udp_port", UDP_PORT) ||
	    sysctl_set(EC_NS, "net.xtcp.tw_timeout", 2) ||
	    sysctl_set(ES_NS, "net.xtcp.tw_timeout", 2))
		return -1;
	/* IPv6's neighbours may take a few tries. */
	return sh_in(EC_NS, "sh -c 'for i in 1 2 3 4 5; do ping -c1 -W1 %s >/dev/null && exit 0; done; exit 1'",
		     host_addr(ES_ADDR, es_addr, sizeof(es_addr))) ? -1 : 0;
}

/* A listener on the server, port 12000; the client's sockets. */
struct hosts {
	int lfd, c, a;
};

/* A client in UDP (XTCP_ENCAP_PORT) connected to the listener, accepted. */
static int udp_pair(struct hosts *h)
{
	int port = UDP_PORT;

	h->c = socket_in(EC_NS, xtcp_family(), SOCK_STREAM, xtcp_proto());
	if (h->c < 0 ||
	    setsockopt(h->c, IPPROTO_TCP, XTCP_ENCAP_PORT, &port, sizeof(port)) ||
	    do_connect(h->c, ES_ADDR, 12000))
		return -1;
	h->a = accept(h->lfd, NULL, NULL);
	return h->a < 0 ? -1 : 0;
}

/* 0, 1 if the kernel cannot be this middlebox, -1 on a failure. */
static int hosts_setup(struct hosts *h, enum middlebox mb)
{
	int rc;

	h->c = -1;
	h->a = -1;
	h->lfd = -1;
	rc = path_up(mb);
	if (rc)
		return rc;
	h->lfd = socket_in(ES_NS, xtcp_family(), SOCK_STREAM, xtcp_proto());
	if (h->lfd < 0 || do_bind(h->lfd, ES_ADDR, 12000) ||
	    listen(h->lfd, 128))
		return -1;
	return 0;
}

static void hosts_teardown(struct hosts *h)
{
	if (h->c >= 0)
		close(h->c);
	if (h->a >= 0)
		close(h->a);
	if (h->lfd >= 0)
		close(h->lfd);
	hosts_down();
}

/* What each middlebox does to plain xtcp and to xtcp in UDP. */
FIXTURE(encap) {
	struct hosts h;
};

FIXTURE_VARIANT(encap) {
	enum middlebox mb;
};

FIXTURE_VARIANT_ADD(encap, router) {
	.mb = ROUTER,
};

FIXTURE_VARIANT_ADD(encap, nat) {
	.mb = NAT,
};

FIXTURE_VARIANT_ADD(encap, firewall) {
	.mb = FIREWALL,
};

FIXTURE_VARIANT_ADD(encap, narrow) {
	.mb = NARROW,
};

FIXTURE_SETUP(encap)
{
	int rc;

	/* A SKIP here would still run the body: leave through the harness. */
	if (!test_selected(_metadata->name))
		SKIP(longjmp(_metadata->env, 1), "not in XTCP_ONLY");
	if (is_tcp())
		SKIP(longjmp(_metadata->env, 1), "kernel TCP has no UDP encapsulation");
	rc = hosts_setup(&self->h, variant->mb);
	if (rc == 1)
		SKIP(longjmp(_metadata->env, 1), "no nf_tables in this kernel");
	ASSERT_EQ(0, rc);
}

FIXTURE_TEARDOWN(encap)
{
	hosts_teardown(&self->h);
}

/* The rules of the form, once, through the plain router. */
FIXTURE(form) {
	struct hosts h;
};

FIXTURE_SETUP(form)
{
	if (!test_selected(_metadata->name))
		SKIP(longjmp(_metadata->env, 1), "not in XTCP_ONLY");
	if (is_tcp())
		SKIP(longjmp(_metadata->env, 1), "kernel TCP has no UDP encapsulation");
	ASSERT_EQ(0, hosts_setup(&self->h, ROUTER));
}

FIXTURE_TEARDOWN(form)
{
	hosts_teardown(&self->h);
}

static int encap_port_of(int fd)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, IPPROTO_TCP, XTCP_ENCAP_PORT, &val, &len))
		return -errno;
	return val;
}

static int set_encap_port(int fd, int port)
{
	return setsockopt(fd, IPPROTO_TCP, XTCP_ENCAP_PORT, &port, sizeof(port)) ?
	       -errno : 0;
}

/* net.xtcp.udp_port of @ns written through /proc/sys: 0 or -errno. */
static int write_udp_port(const char *ns, int port)
{
	int old = ns_enter(ns), fd, err = 0;
	char buf[16];

	fd = open("/proc/sys/net/xtcp/udp_port", O_WRONLY);
	ns_leave(old);
	if (fd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%d\n", port);
	if (write(fd, buf, strlen(buf)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int read_udp_port(const char *ns)
{
	int old = ns_enter(ns), fd, val = -1;
	char buf[16] = "";

	fd = open("/proc/sys/net/xtcp/udp_port", O_RDONLY);
	ns_leave(old);
	if (fd < 0)
		return -errno;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		val = atoi(buf);
	close(fd);
	return val;
}

/*
 * The last field of @ns' /proc/net/xtcp line for local port @lport and
 * remote port @rport (the peer's UDP port, 0: plain), or -1.
 */
static int proc_encap(const char *ns, int lport, int rport)
{
	unsigned int lp, rp;
	char line[512], *last;
	int val = -1;
	FILE *f;

	f = proc_net_open(ns, xtcp_family() == AF_INET6 ? "xtcp6" : "xtcp");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*u: %*x:%x %*x:%x", &lp, &rp) != 2 ||
		    (int)lp != lport || (int)rp != rport)
			continue;
		line[strcspn(line, "\n")] = 0;
		while (strlen(line) && line[strlen(line) - 1] == ' ')
			line[strlen(line) - 1] = 0;
		last = strrchr(line, ' ');
		val = last ? atoi(last + 1) : -1;
		break;
	}
	fclose(f);
	return val;
}

/*
 * The UDP sockets of @ns' family (/proc/net/udp or udp6) bound to a
 * port other than @except: the connections' own.  Their ports go to
 * @ports (up to @n of them), if given.  -1 if the file cannot be read.
 */
static int udp_socks(const char *ns, int except, int *ports, int n)
{
	unsigned int lp;
	char line[512];
	int count = 0;
	FILE *f;

	f = proc_net_open(ns, xtcp_family() == AF_INET6 ? "udp6" : "udp");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*u: %*x:%x", &lp) != 1 || (int)lp == except)
			continue;
		if (ports && count < n)
			ports[count] = lp;
		count++;
	}
	fclose(f);
	return count;
}

/* Wait up to @secs for @ns to hold @want sockets as udp_socks() counts. */
static int udp_socks_wait(const char *ns, int want, int secs)
{
	double end = now_s() + secs;
	int n;

	while ((n = udp_socks(ns, UDP_PORT, NULL, 0)) != want && now_s() < end)
		usleep(100000);
	return n;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Plain xtcp through each middlebox: through the routers it connects;
 * the NAT rewrites the client's address, which xtcp's checksum covers,
 * so the server drops the SYNs as bad (InCsumErrors) and connect() times
 * out; the firewall drops protocol 253 and connect() times out.
 */
TEST_F_TIMEOUT(encap, plain_through_the_middlebox, XT(30))
{
	long csum = xstat(ES_NS, "InCsumErrors");
	int err;

	ASSERT_EQ(0, sysctl_set(EC_NS, "net.xtcp.syn_retries", 1));
	self->h.c = socket_in(EC_NS, xtcp_family(), SOCK_STREAM, xtcp_proto());
	ASSERT_LE(0, self->h.c);
	EXPECT_EQ(0, encap_port_of(self->h.c));
	err = do_connect(self->h.c, ES_ADDR, 12000) ? errno : 0;
	TH_LOG("plain connect: %s; server InCsumErrors +%ld",
	       err ? strerror(err) : "connected",
	       xstat(ES_NS, "InCsumErrors") - csum);
	switch (variant->mb) {
	case ROUTER:
	case NARROW:
		EXPECT_EQ(0, err);
		EXPECT_EQ(csum, xstat(ES_NS, "InCsumErrors"));
		break;
	case NAT:
		EXPECT_EQ(ETIMEDOUT, err);
		EXPECT_LE(csum + 2, xstat(ES_NS, "InCsumErrors"));
		break;
	case FIREWALL:
		EXPECT_EQ(ETIMEDOUT, err);
		EXPECT_EQ(csum, xstat(ES_NS, "InCsumErrors"));
		break;
	}
}

/*
 * 16 MiB from the client in UDP (XTCP_ENCAP_PORT), through each
 * middlebox: every byte arrives (hashes compared), both ends' segments
 * went in UDP (the Encap counters against the segment counts) and
 * neither end saw a bad checksum; each end's socket names the other's
 * UDP port.  The client sends from a UDP socket of the connection's own
 * (one more in its /proc/net/udp), whose port the server sees (the
 * NAT's for it: masquerade keeps a free port).  Through the narrow hop,
 * the router's "fragmentation needed" about a UDP datagram reached the
 * connection (PmtuReduced).
 */
TEST_F_TIMEOUT(encap, bulk_16m_in_udp, XT(240))
{
	long s_in0 = xstat(ES_NS, "EncapInSegs"), s_out0 = xstat(ES_NS, "EncapOutSegs");
	long c_out0 = xstat(EC_NS, "EncapOutSegs"), c_in0 = xstat(EC_NS, "EncapInSegs");
	long s_segs0 = xstat(ES_NS, "InSegs"), c_segs0 = xstat(EC_NS, "InSegs");
	long csum0 = xstat(ES_NS, "InCsumErrors") + xstat(EC_NS, "InCsumErrors");
	long pmtu0 = xstat(EC_NS, "PmtuReduced");
	struct timeval tv = { XT(60), 0 };
	struct bulk b = { .len = 16 << 20 };
	char hash[65];
	size_t got = 0;
	pthread_t th;

	int cport = -1, n0 = udp_socks(EC_NS, UDP_PORT, NULL, 0);

	ASSERT_EQ(0, udp_pair(&self->h));
	EXPECT_EQ(UDP_PORT, encap_port_of(self->h.c));
	EXPECT_EQ(n0 + 1, udp_socks(EC_NS, UDP_PORT, &cport, 1));
	TH_LOG("the client sends from UDP port %d, the server sees %d",
	       cport, encap_port_of(self->h.a));
	EXPECT_NE(UDP_PORT, cport);
	EXPECT_EQ(cport, encap_port_of(self->h.a));
	setsockopt(self->h.a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	b.fd = self->h.c;
	pthread_create(&th, NULL, bulk_writer, &b);
	got = read_sha256(self->h.a, SIZE_MAX, hash);
	pthread_join(th, NULL);
	ASSERT_EQ(b.len, got) TH_LOG("stalled after %zu bytes", got);
	EXPECT_STREQ(b.hash, hash);

	/* Every segment either end received came in UDP (the last ACKs in). */
	usleep(200000);
	EXPECT_EQ(xstat(ES_NS, "InSegs") - s_segs0,
		  xstat(ES_NS, "EncapInSegs") - s_in0);
	EXPECT_EQ(xstat(EC_NS, "InSegs") - c_segs0,
		  xstat(EC_NS, "EncapInSegs") - c_in0);
	EXPECT_LE(b.len / 1472, xstat(EC_NS, "EncapOutSegs") - c_out0);
	EXPECT_LT(0, xstat(ES_NS, "EncapOutSegs") - s_out0);
	EXPECT_EQ(csum0, xstat(ES_NS, "InCsumErrors") + xstat(EC_NS, "InCsumErrors"));
	/* The router's ICMP lowered the MSS through the narrow hop only. */
	EXPECT_EQ(variant->mb == NARROW, xstat(EC_NS, "PmtuReduced") > pmtu0);
}

/*
 * 100 connections from one client through the middlebox, in UDP by
 * net.xtcp.encap_port (no socket option): each echoes 1 KiB intact, and
 * each came from a UDP port of its own (100 different ports at the
 * server, after the NAT too), for RSS and ECMP to spread.  Each
 * connection's UDP socket outlives it through TIME-WAIT, then goes: the
 * client holds none of them a few seconds after the last.
 */
TEST_F_TIMEOUT(encap, hundred_connections_by_sysctl, XT(120))
{
	char out[1024], in[1024];
	int ports[100], i, distinct;

	ASSERT_EQ(0, sysctl_set(EC_NS, "net.xtcp.encap_port", UDP_PORT));
	fill_pattern((uint8_t *)out, sizeof(out), 3);
	for (i = 0; i < 100; i++) {
		int c = socket_in(EC_NS, xtcp_family(), SOCK_STREAM, xtcp_proto()), a;

		ASSERT_LE(0, c);
		ASSERT_EQ(UDP_PORT, encap_port_of(c));
		ASSERT_EQ(0, do_connect(c, ES_ADDR, 12000)) TH_LOG("connection %d", i);
		a = accept(self->h.lfd, NULL, NULL);
		ASSERT_LE(0, a);
		ports[i] = encap_port_of(a);
		ASSERT_EQ(0, write_all(c, out, sizeof(out)));
		ASSERT_EQ((ssize_t)sizeof(in), read_full(a, in, sizeof(in)));
		ASSERT_EQ(0, write_all(a, in, sizeof(in)));
		ASSERT_EQ((ssize_t)sizeof(in), read_full(c, in, sizeof(in)));
		ASSERT_EQ(0, memcmp(out, in, sizeof(in)));
		close(c);
		close(a);
	}
	qsort(ports, 100, sizeof(ports[0]), cmp_int);
	for (i = 1, distinct = 1; i < 100; i++)
		distinct += ports[i] != ports[i - 1];
	EXPECT_EQ(100, distinct);
	/* TIME-WAIT is 2 s here: then every connection's socket is gone. */
	EXPECT_EQ(0, udp_socks_wait(EC_NS, 0, XT(15)));
}

/*
 * One listener, a plain client and an encapsulated one at once (through
 * the router, where plain works): each accepted socket has its client's
 * form, in getsockopt() and /proc/net/xtcp, and data crosses both.
 */
/*
 * GRO at the router, then the merged skb cut again on its way out: the
 * client's veth sends each segment alone (its offloads off, and no
 * checksum offload: linear skbs, merged by frag_list), the router's
 * ingress merges them (capture on er1: packets longer than the MTU), and
 * er2, its SCTP segmentation off (the gso_type xtcp's GSO skbs carry),
 * has the core cut them with xtcp_gso_segment(): the server sees none
 * longer than the MTU, no checksum error, and the bytes intact.  Plain
 * (@udp 0) or in UDP; UDP's GRO merges only what a UDP socket with a
 * gro_receive is bound for, so then the router has a net.xtcp.udp_port
 * too (a host that also routes): its socket takes datagrams to any
 * address on that port, and what GRO made for it is forwarded.
 */
static void gro_at_router(struct __test_metadata *_metadata, struct hosts *h,
			  int udp)
{
	long csum0 = xstat(ES_NS, "InCsumErrors");
	int proto = udp ? IPPROTO_UDP : xtcp_proto();
	struct timeval tv = { XT(30), 0 };
	struct bulk b = { .len = 4 << 20 };
	int rcap, scap, all, big;
	char hash[65];
	size_t got;
	pthread_t th;

	ASSERT_EQ(0, sh_in(EC_NS, "ethtool -K ec tso off gso off"));
	ASSERT_EQ(0, gro_on(ER_NS, "er1"));
	ASSERT_EQ(0, sh_in(ER_NS, "ethtool -K er2 tx-sctp-segmentation off"));
	if (udp) {
		ASSERT_EQ(0, sysctl_set(ER_NS, "net.xtcp.udp_port", UDP_PORT));
		ASSERT_EQ(0, udp_pair(h));
	} else {
		h->c = socket_in(EC_NS, xtcp_family(), SOCK_STREAM,
				 xtcp_proto());
		ASSERT_LE(0, h->c);
		ASSERT_EQ(0, do_connect(h->c, ES_ADDR, 12000));
		h->a = accept(h->lfd, NULL, NULL);
		ASSERT_LE(0, h->a);
	}
	rcap = cap_open(ER_NS, "er1");
	scap = cap_open(ES_NS, "es");
	ASSERT_LE(0, rcap);
	ASSERT_LE(0, scap);
	setsockopt(h->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	b.fd = h->c;
	pthread_create(&th, NULL, bulk_writer, &b);
	got = read_sha256(h->a, SIZE_MAX, hash);
	pthread_join(th, NULL);
	ASSERT_EQ(b.len, got) TH_LOG("stalled after %zu bytes", got);
	EXPECT_STREQ(b.hash, hash);

	big = cap_count_big(rcap, proto, UDP_PORT, &all);
	TH_LOG("router: %d packets in, %d longer than the MTU", all, big);
	EXPECT_LT(20, big);
	big = cap_count_big(scap, proto, UDP_PORT, &all);
	TH_LOG("server: %d packets in, %d longer than the MTU", all, big);
	EXPECT_LT(b.len / 1460, all);
	EXPECT_EQ(0, big);
	EXPECT_EQ(csum0, xstat(ES_NS, "InCsumErrors"));
	close(rcap);
	close(scap);
}

TEST_F_TIMEOUT(form, gro_at_router_plain, XT(60))
{
	gro_at_router(_metadata, &self->h, 0);
}

TEST_F_TIMEOUT(form, gro_at_router_in_udp, XT(60))
{
	gro_at_router(_metadata, &self->h, 1);
}

TEST_F(form, listener_takes_plain_and_udp_clients)
{
	int plain, udp, a1, a2, p1, p2;
	char buf[4];

	plain = socket_in(EC_NS, xtcp_family(), SOCK_STREAM, xtcp_proto());
	udp = socket_in(EC_NS, xtcp_family(), SOCK_STREAM, xtcp_proto());
	ASSERT_LE(0, plain);
	ASSERT_LE(0, udp);
	ASSERT_EQ(0, set_encap_port(udp, UDP_PORT));
	ASSERT_EQ(0, do_connect(plain, ES_ADDR, 12000));
	ASSERT_EQ(0, do_connect(udp, ES_ADDR, 12000));
	a1 = accept(self->h.lfd, NULL, NULL);
	a2 = accept(self->h.lfd, NULL, NULL);
	ASSERT_LE(0, a1);
	ASSERT_LE(0, a2);
	p1 = encap_port_of(a1);
	p2 = encap_port_of(a2);
	/* Accepted in the order the handshakes ended: usually plain first. */
	if (p1) {
		int t = a1;

		a1 = a2;
		a2 = t;
		t = p1;
		p1 = p2;
		p2 = t;
	}
	/* The server sees the client connection's own UDP port. */
	EXPECT_EQ(0, p1);
	EXPECT_LT(0, p2);
	EXPECT_NE(UDP_PORT, p2);
	EXPECT_EQ(0, encap_port_of(plain));
	EXPECT_EQ(UDP_PORT, encap_port_of(udp));
	/* /proc/net/xtcp's last field says the same, at both ends. */
	EXPECT_EQ(0, proc_encap(ES_NS, 12000, local_port(plain)));
	EXPECT_EQ(p2, proc_encap(ES_NS, 12000, local_port(udp)));
	EXPECT_EQ(0, proc_encap(EC_NS, local_port(plain), 12000));
	EXPECT_EQ(UDP_PORT, proc_encap(EC_NS, local_port(udp), 12000));
	ASSERT_EQ(3, write(plain, "abc", 3));
	ASSERT_EQ(3, write(udp, "xyz", 3));
	ASSERT_EQ(3, read_full(a1, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(3, read_full(a2, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "xyz", 3));
	close(plain);
	close(udp);
	close(a1);
	close(a2);
}

/*
 * A plain segment for a connection in UDP (the client's address and
 * ports, in sequence, with data) is dropped and counted (EncapMismatch):
 * the server reads only what came in UDP.
 */
TEST_F(form, plain_segment_for_udp_connection_is_dropped)
{
	long mism = xstat(ES_NS, "EncapMismatch");
	struct rawseg r = {
		.src = EC_ADDR, .dst = ES_ADDR, .dport = 12000,
		.flags = 0x18, .win = 1000, .data = "EVIL", .len = 4,
	};
	char buf[8];
	int n;

	ASSERT_EQ(0, udp_pair(&self->h));
	r.sport = local_port(self->h.c);
	ASSERT_EQ(0, raw_inject(EC_NS, &r));
	usleep(300000);
	EXPECT_EQ(mism + 1, xstat(ES_NS, "EncapMismatch"));
	ASSERT_EQ(3, write(self->h.c, "abc", 3));
	set_nonblock(self->h.a, 0);
	n = read(self->h.a, buf, sizeof(buf));
	ASSERT_EQ(3, n);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
}

/*
 * XTCP_ENCAP_PORT's rules: 0 to 65535 (EINVAL past them), set before
 * connect() only (EISCONN after).  A client needs no net.xtcp.udp_port:
 * its connection sends from a UDP socket of its own, and the server's
 * answers come back to it.
 */
TEST_F(form, option_errors_and_client_without_udp_port)
{
	char buf[3];
	int c, a;

	c = socket_in(EC_NS, xtcp_family(), SOCK_STREAM, xtcp_proto());
	ASSERT_LE(0, c);
	EXPECT_EQ(-EINVAL, set_encap_port(c, -1));
	EXPECT_EQ(-EINVAL, set_encap_port(c, 65536));
	EXPECT_EQ(0, set_encap_port(c, 65535));
	EXPECT_EQ(65535, encap_port_of(c));
	EXPECT_EQ(0, set_encap_port(c, UDP_PORT));
	ASSERT_EQ(0, do_connect(c, ES_ADDR, 12000));
	EXPECT_EQ(-EISCONN, set_encap_port(c, 0));
	EXPECT_EQ(UDP_PORT, encap_port_of(c));
	close(c);

	a = accept(self->h.lfd, NULL, NULL);
	ASSERT_LE(0, a);
	close(a);

	ASSERT_EQ(0, sysctl_set(EC_NS, "net.xtcp.udp_port", 0));
	c = socket_in(EC_NS, xtcp_family(), SOCK_STREAM, xtcp_proto());
	ASSERT_LE(0, c);
	EXPECT_EQ(0, set_encap_port(c, UDP_PORT));
	ASSERT_EQ(0, do_connect(c, ES_ADDR, 12000));
	EXPECT_EQ(UDP_PORT, encap_port_of(c));
	a = accept(self->h.lfd, NULL, NULL);
	ASSERT_LE(0, a);
	EXPECT_LT(0, encap_port_of(a));
	ASSERT_EQ(3, write(c, "abc", 3));
	ASSERT_EQ(3, read_full(a, buf, 3));
	ASSERT_EQ(3, write(a, "xyz", 3));
	ASSERT_EQ(3, read_full(c, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "xyz", 3));
	close(c);
	close(a);
}

/*
 * A connection's UDP socket outlives it in TIME-WAIT, which answers
 * through it; the netns then goes with that TIME-WAIT (the fixture's
 * teardown), whose purge releases the socket before UDP's own exit: the
 * module's unload and the kernel log checks at the end of the run see
 * what that leaves.
 */
TEST_F(form, time_wait_keeps_its_udp_socket)
{
	char buf[1];
	int lport;

	ASSERT_EQ(0, sysctl_set(EC_NS, "net.xtcp.tw_timeout", 60));
	ASSERT_EQ(0, udp_pair(&self->h));
	lport = local_port(self->h.c);
	EXPECT_EQ(1, udp_socks(EC_NS, UDP_PORT, NULL, 0));
	/* The client closes first: its end goes to TIME-WAIT. */
	close(self->h.c);
	self->h.c = -1;
	ASSERT_EQ(0, read(self->h.a, buf, 1));
	close(self->h.a);
	self->h.a = -1;
	/* TIME-WAIT is 6 in /proc/net/xtcp, as in /proc/net/tcp. */
	EXPECT_EQ(6, wait_state(EC_NS, lport, 12000, 6, 5));
	EXPECT_EQ(1, udp_socks(EC_NS, UDP_PORT, NULL, 0));
}

/*
 * net.xtcp.udp_port: a port another socket holds is refused
 * (EADDRINUSE) and the value stays; once free it is taken, and 0 closes
 * the socket.
 */
TEST_F(form, udp_port_taken_is_refused)
{
	int u, err;

	/* IPv4's or IPv6's: either port taken keeps the value. */
	u = socket_in(ES_NS, xtcp_family(), SOCK_DGRAM, 0);
	ASSERT_LE(0, u);
	ASSERT_EQ(0, do_bind(u, "0.0.0.0", 9900));
	err = write_udp_port(ES_NS, 9900);
	EXPECT_EQ(-EADDRINUSE, err);
	EXPECT_EQ(UDP_PORT, read_udp_port(ES_NS));
	close(u);
	EXPECT_EQ(0, write_udp_port(ES_NS, 9900));
	EXPECT_EQ(9900, read_udp_port(ES_NS));
	EXPECT_EQ(0, write_udp_port(ES_NS, 0));
	EXPECT_EQ(0, read_udp_port(ES_NS));
}

/*
 * Datagrams to the UDP port too short for an xtcp header are dropped and
 * counted (EncapInErrs); the listener is unaffected.
 */
TEST_F(encap, short_datagrams_are_counted)
{
	long errs = xstat(ES_NS, "EncapInErrs");
	char junk[19] = { 0 };
	double end;
	int u, i;

	u = socket_in(EC_NS, xtcp_family(), SOCK_DGRAM, 0);
	ASSERT_LE(0, u);
	ASSERT_EQ(0, do_connect(u, ES_ADDR, UDP_PORT));
	for (i = 0; i < 5; i++)
		ASSERT_EQ((ssize_t)i * 4, send(u, junk, i * 4, 0));
	close(u);
	end = now_s() + 2;
	while (xstat(ES_NS, "EncapInErrs") < errs + 5 && now_s() < end)
		usleep(50000);
	EXPECT_EQ(errs + 5, xstat(ES_NS, "EncapInErrs"));
}

TEST_HARNESS_MAIN
