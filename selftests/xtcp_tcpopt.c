// SPDX-License-Identifier: GPL-2.0
/*
 * The SOL_TCP options of issue 12, with TCP's numbers: TCP_INFO,
 * TCP_QUICKACK, TCP_CONGESTION, TCP_DEFER_ACCEPT, TCP_SYNCNT,
 * TCP_LINGER2, TCP_WINDOW_CLAMP and TCP_NOTSENT_LOWAT.  Each test sees
 * its option act, on the wire (a capture on the veth pair) or in what
 * the sockets do, and checks its limits: the values read back and the
 * errnos of bad ones, next to a kernel TCP socket's where the kernel's
 * constants decide.  Also what the congestion control does with them:
 * the algorithms, ECN (net.*.ecn) and undoing spurious retransmissions
 * (D-SACK).
 *
 * Every test runs unchanged over kernel TCP (XTCP_PROTO=6), which is
 * how we know the semantics are TCP's.  XTCP_ONLY=word,word runs only
 * the tests whose names contain a word.
 */
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

/* <netinet/tcp.h> has it, but its struct tcp_info is older than 6.1's. */
#ifndef SOL_TCP
#define SOL_TCP		IPPROTO_TCP
#endif

FIXTURE(opt) {
	int lfd, c, a, cport, port;
	int capturing;
	struct capture cap;
	int example;		/* xtcp_cc_example.ko loaded by the test */
	int bbr;		/* xtcp_bbr.ko loaded by the test */
};

FIXTURE_SETUP(opt)
{
	self->lfd = -1;
	self->c = -1;
	self->a = -1;
	self->capturing = 0;
	self->example = 0;
	self->bbr = 0;
	XTCP_SETUP(_metadata->name);
	/* Each segment on the wire as it is: the captures count them. */
	ASSERT_EQ(0, offloads_off());
}

FIXTURE_TEARDOWN(opt)
{
	if (self->capturing) {
		capture_stop(&self->cap, 0);
		capture_free(&self->cap);
	}
	if (self->c >= 0)
		close_abort(self->c);
	if (self->a >= 0)
		close_abort(self->a);
	if (self->lfd >= 0)
		close(self->lfd);
	/* Its sockets are gone: the example module may go too. */
	if (self->example)
		sh("for i in $(seq 50); do rmmod xtcp_cc_example 2>/dev/null && break; sleep 0.1; done");
	if (self->bbr)
		sh("for i in $(seq 50); do rmmod xtcp_bbr 2>/dev/null && break; sleep 0.1; done");
	hosts_down();
}

/* getsockopt of an int: the value, or -errno. */
static int getint(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int v;

	if (getsockopt(fd, SOL_TCP, opt, &v, &len))
		return -errno;
	return v;
}

/* setsockopt of an int: 0 or -errno. */
static int setint(int fd, int opt, int val)
{
	return setsockopt(fd, SOL_TCP, opt, &val, sizeof(val)) ? -errno : 0;
}

static int get_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, SOL_TCP, TCP_INFO, ti, &len) ||
	       len != sizeof(*ti) ? -1 : 0;
}

/* A connection to the server on @port: self->c in xcli, self->a in xsrv. */
static int pair(struct _test_data_opt *self, int port)
{
	self->port = port;
	if (conn_pair(port, 16, &self->lfd, &self->c, &self->a))
		return -1;
	self->cport = local_port(self->c);
	return 0;
}

/* The protocol's own sysctl: net.xtcp.@xname, or TCP's @tname. */
static long proto_sysctl(const char *ns, const char *xname, const char *tname)
{
	char name[128];

	snprintf(name, sizeof(name), "net.%s", is_tcp() ? tname : xname);
	return sysctl_get(ns, name);
}

/*
 * State of the socket on local port @lport in @ns, from /proc/net/xtcp
 * or, over TCP, /proc/net/tcp (a TCP orphan in FIN-WAIT-2 is a timewait
 * sock there, listed with its substate), or their IPv6 files under
 * XTCP_FAMILY=6; -1 if there is none.
 */
static int proto_state(const char *ns, int lport)
{
	return proc_state(ns, proc_socks(), lport, 0);
}

/* The netns counter RetransSegs: /proc/net/xtcp_stat, or TCP's snmp. */
static long retrans_segs(const char *ns)
{
	if (!is_tcp())
		return xstat(ns, "RetransSegs");
	return tcp_counter(ns, "snmp", "Tcp:", "RetransSegs");
}


/* The time capture stamps are in (cap_next() uses SO_TIMESTAMPNS). */
static double now_rt(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int start_capture(struct _test_data_opt *self, const char *ns,
			 const char *dev)
{
	if (capture_start(&self->cap, ns, dev))
		return -1;
	self->capturing = 1;
	return 0;
}

static void stop_capture(struct _test_data_opt *self, int linger_ms)
{
	capture_stop(&self->cap, linger_ms);
	self->capturing = 0;
}

/* A thread that reads @len bytes from @fd. */
struct reader {
	int fd;
	size_t len;
	ssize_t got;
	pthread_t thr;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	static char buf[65536];
	size_t got = 0;

	while (got < r->len) {
		ssize_t n = read(r->fd, buf, r->len - got < sizeof(buf) ?
				 r->len - got : sizeof(buf));

		if (n <= 0)
			break;
		got += n;
	}
	r->got = got;
	return NULL;
}

static int reader_start(struct reader *r, int fd, size_t len)
{
	r->fd = fd;
	r->len = len;
	r->got = -1;
	return pthread_create(&r->thr, NULL, reader_fn, r);
}

/* Write @len pattern bytes to @fd while a thread reads them from @to. */
static int transfer(int fd, int to, size_t len)
{
	static uint8_t buf[1 << 20];
	struct reader r;

	if (len > sizeof(buf) || reader_start(&r, to, len))
		return -1;
	fill_pattern(buf, len, (uint32_t)len);
	if (write_all(fd, buf, len)) {
		pthread_join(r.thr, NULL);
		return -1;
	}
	pthread_join(r.thr, NULL);
	return r.got == (ssize_t)len ? 0 : -1;
}

/* Wait up to @ms until nothing of @fd's is unacknowledged or unsent. */
static int wait_all_acked(int fd, int ms)
{
	double end = now_s() + ms / 1000.0;
	struct tcp_info ti;

	do {
		if (!get_info(fd, &ti) && !ti.tcpi_unacked &&
		    !ti.tcpi_notsent_bytes)
			return 0;
		usleep(10000);
	} while (now_s() < end);
	return -1;
}

/* ---- TCP_INFO ---- */

#define INFO_PORT	13001
#define INFO_UP		100000
#define INFO_DOWN	30000

/*
 * A known exchange: 100000 bytes up, 30000 down, nothing lost.  What
 * each side's TCP_INFO says must be what was sent, acknowledged and
 * received, and what the capture saw: the segments each side sent and
 * received, those with data, the options and MSS of the handshake.
 */
TEST_F(opt, info_counts_known_traffic)
{
	uint32_t max_end = 0;
	int cout = 0, cin = 0, cdata = 0, cdata_in = 0, crtx = 0;
	int syn_ws = -2, synack_ws = -2, syn_mss = 0, synack_mss = 0;
	struct tcp_info ci, si, li;
	size_t i;

	ASSERT_EQ(0, start_capture(self, CLI_NS, CLI_IF));
	ASSERT_EQ(0, pair(self, INFO_PORT));
	ASSERT_EQ(0, transfer(self->c, self->a, INFO_UP));
	ASSERT_EQ(0, transfer(self->a, self->c, INFO_DOWN));
	ASSERT_EQ(0, wait_all_acked(self->c, XT(3) * 1000));
	ASSERT_EQ(0, wait_all_acked(self->a, XT(3) * 1000));
	/* Delayed ACKs go out; then both sides are quiet. */
	usleep(300000);
	stop_capture(self, 100);
	ASSERT_EQ(0, get_info(self->c, &ci));
	ASSERT_EQ(0, get_info(self->a, &si));
	ASSERT_EQ(0, get_info(self->lfd, &li));

	for (i = 0; i < self->cap.n; i++) {
		const struct seg *s = &self->cap.segs[i];

		if (s->outgoing && s->sport == self->cport &&
		    s->dport == INFO_PORT) {
			cout++;
			if (s->flags & XTCP_FLAG_SYN) {
				syn_ws = s->wscale;
				syn_mss = s->mss;
			}
			if (!s->len)
				continue;
			cdata++;
			/* Data below what was already sent: a retransmission. */
			if (max_end && (int32_t)(s->seq - max_end) < 0)
				crtx++;
			if (!max_end || (int32_t)(s->seq + s->len - max_end) > 0)
				max_end = s->seq + s->len;
		} else if (!s->outgoing && s->dport == self->cport &&
			   s->sport == INFO_PORT) {
			cin++;
			if (s->len)
				cdata_in++;
			if (s->flags & XTCP_FLAG_SYN) {
				synack_ws = s->wscale;
				synack_mss = s->mss;
			}
		}
	}
	TH_LOG("client: %d segments out (%d data), %d in (%d data); SYN ws %d mss %d, SYN-ACK ws %d mss %d",
	       cout, cdata, cin, cdata_in, syn_ws, syn_mss, synack_ws,
	       synack_mss);

	/* The states, the options agreed in the handshake. */
	EXPECT_EQ(XTCP_ESTABLISHED, ci.tcpi_state);
	EXPECT_EQ(XTCP_ESTABLISHED, si.tcpi_state);
	EXPECT_EQ(TCP_CA_Open, ci.tcpi_ca_state);
	EXPECT_TRUE(ci.tcpi_options & TCPI_OPT_SACK);
	EXPECT_TRUE(si.tcpi_options & TCPI_OPT_SACK);
	ASSERT_TRUE(ci.tcpi_options & TCPI_OPT_WSCALE);
	ASSERT_TRUE(si.tcpi_options & TCPI_OPT_WSCALE);
	EXPECT_EQ(syn_ws, (int)ci.tcpi_rcv_wscale);
	EXPECT_EQ(synack_ws, (int)ci.tcpi_snd_wscale);
	EXPECT_EQ(synack_ws, (int)si.tcpi_rcv_wscale);
	EXPECT_EQ(syn_ws, (int)si.tcpi_snd_wscale);
	/*
	 * The MSS each announced (TCP's advmss leaves out its timestamp
	 * option), and each sends within the other's.
	 */
	EXPECT_GE(syn_mss, ci.tcpi_advmss);
	EXPECT_LE(syn_mss - 40, ci.tcpi_advmss);
	EXPECT_GE(synack_mss, si.tcpi_advmss);
	EXPECT_LE(synack_mss - 40, si.tcpi_advmss);
	EXPECT_GE(synack_mss, ci.tcpi_snd_mss);
	EXPECT_LE(synack_mss - 40, ci.tcpi_snd_mss);
	EXPECT_GE(syn_mss, si.tcpi_snd_mss);
	EXPECT_LT(0, ci.tcpi_rcv_mss);
	EXPECT_EQ(1500, ci.tcpi_pmtu);

	/* Bytes: what was written, acknowledged and read. */
	EXPECT_EQ(INFO_UP + ci.tcpi_bytes_retrans, ci.tcpi_bytes_sent);
	EXPECT_EQ(INFO_DOWN + si.tcpi_bytes_retrans, si.tcpi_bytes_sent);
	/* An active open's SYN counts in bytes_acked; the SYN-ACK does not. */
	EXPECT_EQ(INFO_UP + 1, ci.tcpi_bytes_acked);
	EXPECT_EQ(INFO_DOWN, si.tcpi_bytes_acked);
	EXPECT_EQ(INFO_UP, si.tcpi_bytes_received);
	EXPECT_EQ(INFO_DOWN, ci.tcpi_bytes_received);
	EXPECT_EQ(0, ci.tcpi_unacked);
	EXPECT_EQ(0, ci.tcpi_notsent_bytes);

	/* Segments: what the capture saw. */
	EXPECT_EQ(cout, ci.tcpi_segs_out);
	EXPECT_EQ(cin, ci.tcpi_segs_in);
	EXPECT_EQ(cdata, ci.tcpi_data_segs_out);
	EXPECT_EQ(cdata_in, ci.tcpi_data_segs_in);
	EXPECT_EQ(crtx, ci.tcpi_total_retrans);
	/*
	 * The server counts the SYN and the ACK that made its socket, not
	 * the SYN-ACK its request sock sent.
	 */
	EXPECT_EQ(cout, si.tcpi_segs_in);
	EXPECT_EQ(cdata, si.tcpi_data_segs_in);
	EXPECT_EQ(cin - 1, si.tcpi_segs_out);
	EXPECT_EQ(cdata_in, si.tcpi_data_segs_out);
	EXPECT_LE(INFO_UP / ci.tcpi_snd_mss, ci.tcpi_data_segs_out);

	/* Times and the path's measures. */
	EXPECT_LT(0, ci.tcpi_rtt);
	EXPECT_GT(1000000, ci.tcpi_rtt);
	EXPECT_LT(0, ci.tcpi_min_rtt);
	EXPECT_GE(ci.tcpi_rtt + 4 * ci.tcpi_rttvar + 1, ci.tcpi_min_rtt);
	EXPECT_LE(200000, ci.tcpi_rto);
	EXPECT_LT(0, ci.tcpi_ato);
	EXPECT_LE(250, ci.tcpi_last_data_sent);
	EXPECT_GT(XT(5) * 1000, ci.tcpi_last_data_sent);
	EXPECT_LE(250, ci.tcpi_last_data_recv);
	EXPECT_GT(XT(5) * 1000, ci.tcpi_last_data_recv);
	EXPECT_GT(XT(5) * 1000, ci.tcpi_last_ack_recv);
	EXPECT_LE(2, ci.tcpi_snd_cwnd);
	EXPECT_LE(3, ci.tcpi_reordering);
	EXPECT_LT(0, ci.tcpi_snd_wnd);
	EXPECT_LT(0, ci.tcpi_rcv_space);
	EXPECT_LT(0, ci.tcpi_rcv_ssthresh);

	/* A listener: its accept queue (empty) and backlog. */
	EXPECT_EQ(XTCP_LISTEN, li.tcpi_state);
	EXPECT_EQ(0, li.tcpi_unacked);
	EXPECT_EQ(16, li.tcpi_sacked);
}

/* The caller's length is honoured, and written back (TCP's). */
TEST_F(opt, info_length_and_set)
{
	int fd = xsock(CLI_NS), ref = tcp_sock(CLI_NS), big[128];
	struct tcp_info ti, rti;
	socklen_t len, rlen;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, ref);
	/* A fresh socket: closed, and TCP's view of an unused one. */
	ASSERT_EQ(0, get_info(fd, &ti));
	ASSERT_EQ(0, get_info(ref, &rti));
	EXPECT_EQ(XTCP_CLOSE, ti.tcpi_state);
	EXPECT_EQ(rti.tcpi_snd_cwnd, ti.tcpi_snd_cwnd);
	EXPECT_EQ(rti.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	EXPECT_EQ(rti.tcpi_reordering, ti.tcpi_reordering);
	EXPECT_EQ(rti.tcpi_rto, ti.tcpi_rto);
	EXPECT_EQ(rti.tcpi_min_rtt, ti.tcpi_min_rtt);
	/* Shorter than the struct: that much, and the length says so. */
	len = 8;
	memset(big, 0x55, sizeof(big));
	EXPECT_EQ(0, getsockopt(fd, SOL_TCP, TCP_INFO, big, &len));
	EXPECT_EQ(8, len);
	EXPECT_EQ(XTCP_CLOSE, ((uint8_t *)big)[0]);
	EXPECT_EQ(0x55555555, big[2]);
	/* Longer: the struct's size. */
	len = sizeof(big);
	rlen = sizeof(big);
	EXPECT_EQ(0, getsockopt(fd, SOL_TCP, TCP_INFO, big, &len));
	EXPECT_EQ(0, getsockopt(ref, SOL_TCP, TCP_INFO, big, &rlen));
	EXPECT_EQ(rlen, len);
	EXPECT_EQ(sizeof(struct tcp_info), len);
	len = 0;
	EXPECT_EQ(0, getsockopt(fd, SOL_TCP, TCP_INFO, big, &len));
	EXPECT_EQ(0, len);
	len = -1;
	EXPECT_EQ(-1, getsockopt(fd, SOL_TCP, TCP_INFO, big, &len));
	EXPECT_EQ(EINVAL, errno);
	/* Only read: an int is refused as an unknown option, a short one EINVAL. */
	EXPECT_EQ(-ENOPROTOOPT, setint(fd, TCP_INFO, 1));
	EXPECT_EQ(-1, setsockopt(fd, SOL_TCP, TCP_INFO, "", 0));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	close(ref);
}

#define LOSS_PORT	13002
#define LOSS_BYTES	(300 * 1024)

/*
 * With 10% of the client's segments lost, its TCP_INFO counts the
 * retransmissions the netns' RetransSegs counted, and the bytes add up.
 * netem drops whole GSO skbs, and kernel TCP makes them even with the
 * device's GSO off: a pacing limit keeps its skbs to a few segments
 * (about 1 ms of the rate each, without tcp_tso_rtt_log's bonus for a
 * short path), so that 300 KiB are many skbs, not five that may all
 * get through.
 */
TEST_F(opt, info_retrans_match_retranssegs)
{
	unsigned int rate = 5000000;	/* bytes per second */
	struct tcp_info ci, si;
	long r0, r1;

	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_tso_rtt_log" :
				"net.xtcp.tso_rtt_log", 0));
	ASSERT_EQ(0, pair(self, LOSS_PORT));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_MAX_PACING_RATE,
				&rate, sizeof(rate)));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem loss 10%%"));
	r0 = retrans_segs(CLI_NS);
	ASSERT_LE(0, r0);
	ASSERT_EQ(0, transfer(self->c, self->a, LOSS_BYTES));
	ASSERT_EQ(0, wait_all_acked(self->c, XT(30) * 1000));
	ASSERT_EQ(0, get_info(self->c, &ci));
	r1 = retrans_segs(CLI_NS);
	tc_in(CLI_NS, "qdisc del dev " CLI_IF " root");
	ASSERT_EQ(0, get_info(self->a, &si));
	TH_LOG("total_retrans %u, RetransSegs +%ld, bytes_retrans %llu, lost %u",
	       ci.tcpi_total_retrans, r1 - r0,
	       (unsigned long long)ci.tcpi_bytes_retrans, ci.tcpi_lost);

	EXPECT_LT(0, ci.tcpi_total_retrans);
	EXPECT_EQ(r1 - r0, ci.tcpi_total_retrans);
	EXPECT_LT(0, ci.tcpi_bytes_retrans);
	EXPECT_EQ(LOSS_BYTES + ci.tcpi_bytes_retrans, ci.tcpi_bytes_sent);
	EXPECT_EQ(LOSS_BYTES + 1, ci.tcpi_bytes_acked);
	EXPECT_EQ(LOSS_BYTES, si.tcpi_bytes_received);
	EXPECT_EQ(0, ci.tcpi_retrans);
	EXPECT_EQ(0, ci.tcpi_unacked);
}

#define RATE_PORT	13070
#define RATE_MBIT	20
#define RATE_BYTES	(3 << 20)

/* TCP_INFO's delivery rate within 50%..120% of the bottleneck's. */
#define EXPECT_RATE_NEAR(bps, ti)					\
	do {								\
		EXPECT_LE((bps) / 2, (double)(ti).tcpi_delivery_rate);	\
		EXPECT_GE((bps) * 1.2, (double)(ti).tcpi_delivery_rate); \
	} while (0)

/*
 * Delivery-rate sampling (module/delivery.c, as Linux's tcp_rate.c):
 * through a 20 Mbit/s token bucket, TCP_INFO's delivery rate is the
 * bucket's, mid-transfer and at its end, not app-limited, and
 * tcpi_delivered counts the segments sent (plus the handshake's).  A
 * second connection writing a little at a time leaves cwnd unused: its
 * samples, slower, are marked app-limited.
 */
TEST_F_TIMEOUT(opt, info_delivery_rate, XT(60))
{
	const double bps = RATE_MBIT * 1e6 / 8;
	struct bulk b = { .len = RATE_BYTES, .keep_open = 1 };
	struct timeval tv = { .tv_sec = XT(30) };
	struct tcp_info mid = {}, ti;
	static char buf[64 << 10];
	unsigned int segs, i;
	size_t got = 0;
	pthread_t th;
	ssize_t n;

	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root tbf rate %dmbit burst 16k latency 100ms",
			   RATE_MBIT));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 5ms"));
	ASSERT_EQ(0, pair(self, RATE_PORT));
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	b.fd = self->c;
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	while (got < b.len) {
		n = read(self->a, buf, sizeof(buf));
		if (n <= 0)
			break;
		got += n;
		if (!mid.tcpi_state && got >= b.len / 2)
			get_info(self->c, &mid);
	}
	pthread_join(th, NULL);
	ASSERT_EQ(b.len, got);
	ASSERT_EQ(0, wait_all_acked(self->c, XT(5000)));
	ASSERT_EQ(0, get_info(self->c, &ti));
	segs = RATE_BYTES / ti.tcpi_snd_mss;
	TH_LOG("%d Mbit/s: delivery_rate %llu B/s mid-way, %llu at the end (app-limited %u, %u); delivered %u (%u segments of data), ce %u",
	       RATE_MBIT, (unsigned long long)mid.tcpi_delivery_rate,
	       (unsigned long long)ti.tcpi_delivery_rate,
	       mid.tcpi_delivery_rate_app_limited,
	       ti.tcpi_delivery_rate_app_limited, ti.tcpi_delivered, segs,
	       ti.tcpi_delivered_ce);
	EXPECT_RATE_NEAR(bps, mid);
	EXPECT_EQ(0, (int)mid.tcpi_delivery_rate_app_limited);
	EXPECT_RATE_NEAR(bps, ti);
	EXPECT_LE(segs, ti.tcpi_delivered);
	EXPECT_GE(segs + segs / 20 + 5, ti.tcpi_delivered);
	EXPECT_EQ(0, ti.tcpi_delivered_ce);
	close_abort(self->c);
	close_abort(self->a);
	close(self->lfd);
	self->c = self->a = self->lfd = -1;

	/* 1000 bytes every 20 ms: nothing in flight at each write. */
	ASSERT_EQ(0, pair(self, RATE_PORT + 1));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, write_all(self->c, buf, 1000));
		ASSERT_EQ(1000, read_full(self->a, buf, 1000));
		usleep(20000);
	}
	ASSERT_EQ(0, get_info(self->c, &ti));
	TH_LOG("app-limited: delivery_rate %llu B/s, app-limited %u, delivered %u",
	       (unsigned long long)ti.tcpi_delivery_rate,
	       ti.tcpi_delivery_rate_app_limited, ti.tcpi_delivered);
	EXPECT_EQ(1, (int)ti.tcpi_delivery_rate_app_limited);
	EXPECT_LT(0, ti.tcpi_delivery_rate);
	EXPECT_GT(bps / 2, (double)ti.tcpi_delivery_rate);
	EXPECT_LE(20, ti.tcpi_delivered);
	EXPECT_GE(22, ti.tcpi_delivered);
}

/*
 * TCP_INFO's chronographs (busy_time, rwnd_limited, sndbuf_limited, as
 * TCP's tcp_chrono_*()), in milliseconds here.  A receiver that stops
 * reading closes its window: the sender is busy and, from the moment the
 * window shuts, limited by it; once all is read and acknowledged the
 * clock stops.  A sender whose SO_SNDBUF is a few segments (a segment an
 * skb) on a 40 ms path, paced at 2 MB/s (SO_MAX_PACING_RATE), is limited
 * by it most of the time: the pacing timer sends what was left with cwnd
 * to spare while the writer waits, the one moment TCP starts that clock
 * (tcp_cwnd_validate()).  Unpaced, all goes from sendmsg() itself and
 * both protocols counted 40-244 ms of 5-10 s, or none.
 */
TEST_F_TIMEOUT(opt, info_chronographs, XT(60))
{
	struct tcp_info t1, t2, t3;
	static char buf[64 << 10];
	struct bulk b = { .len = 2 << 20, .keep_open = 1 };
	double end;
	size_t got = 0, sent = 0;
	int small = 16384;
	unsigned int pace = 2000000;
	pthread_t th;
	ssize_t n;

	ASSERT_EQ(0, pair(self, 13072));
	ASSERT_EQ(0, get_info(self->c, &t1));
	EXPECT_EQ(0, t1.tcpi_busy_time) TH_LOG("nothing sent yet");
	/* 300 ms of writes the unread receiver's window soon refuses. */
	end = now_s() + 0.3;
	while (now_s() < end) {
		n = send(self->c, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			sent += n;
		else
			usleep(10000);
	}
	usleep(600000);
	ASSERT_EQ(0, get_info(self->c, &t1));
	while (got < sent && (n = read(self->a, buf, sizeof(buf))) > 0)
		got += n;
	ASSERT_EQ(sent, got);
	ASSERT_EQ(0, wait_all_acked(self->c, XT(5000)));
	ASSERT_EQ(0, get_info(self->c, &t2));
	usleep(300000);
	ASSERT_EQ(0, get_info(self->c, &t3));
	TH_LOG("window shut: %zu bytes; busy %llu ms, rwnd_limited %llu, sndbuf_limited %llu; all acked: busy %llu, rwnd_limited %llu; 300 ms later busy %llu",
	       sent, t1.tcpi_busy_time / 1000, t1.tcpi_rwnd_limited / 1000,
	       t1.tcpi_sndbuf_limited / 1000, t2.tcpi_busy_time / 1000,
	       t2.tcpi_rwnd_limited / 1000, t3.tcpi_busy_time / 1000);
	EXPECT_LE(800000, t1.tcpi_busy_time);
	EXPECT_LE(500000, t1.tcpi_rwnd_limited);
	EXPECT_GE(t1.tcpi_busy_time, t1.tcpi_rwnd_limited);
	EXPECT_LE(t1.tcpi_busy_time, t2.tcpi_busy_time);
	EXPECT_EQ(t2.tcpi_busy_time, t3.tcpi_busy_time);
	EXPECT_EQ(t2.tcpi_rwnd_limited, t3.tcpi_rwnd_limited);
	close_abort(self->c);
	close_abort(self->a);
	close(self->lfd);
	self->c = self->a = self->lfd = -1;

	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 20ms"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 20ms"));
	ASSERT_EQ(0, sh("ip -n %s link set dev %s gso_max_segs 1", CLI_NS, CLI_IF));
	ASSERT_EQ(0, pair(self, 13073));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_MAX_PACING_RATE,
				&pace, sizeof(pace)));
	b.fd = self->c;
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	got = 0;
	while (got < b.len && (n = read(self->a, buf, sizeof(buf))) > 0)
		got += n;
	pthread_join(th, NULL);
	ASSERT_EQ(b.len, got);
	ASSERT_EQ(0, wait_all_acked(self->c, XT(5000)));
	ASSERT_EQ(0, get_info(self->c, &t1));
	tc_in(CLI_NS, "qdisc del dev " CLI_IF " root");
	tc_in(SRV_NS, "qdisc del dev " SRV_IF " root");
	sh("ip -n %s link set dev %s gso_max_segs 65535", CLI_NS, CLI_IF);
	TH_LOG("SO_SNDBUF %d: busy %llu ms, sndbuf_limited %llu, rwnd_limited %llu, cwnd %u",
	       small, t1.tcpi_busy_time / 1000, t1.tcpi_sndbuf_limited / 1000,
	       t1.tcpi_rwnd_limited / 1000, t1.tcpi_snd_cwnd);
	EXPECT_LE(t1.tcpi_busy_time / 2, t1.tcpi_sndbuf_limited);
	EXPECT_GE(t1.tcpi_busy_time, t1.tcpi_sndbuf_limited);
	EXPECT_EQ(0, t1.tcpi_rwnd_limited);
}

/*
 * A writer's skbs are as large as GSO allows (tcp_xmit_size_goal()),
 * not as small as a slow pacing rate cuts what leaves (about a
 * millisecond of it, at least two segments: xtcp_burst_max()), nor one
 * segment where the device does no GSO.  Paced at 100,000 B/s to an
 * unread receiver, nearly all that fills the send buffer waits unsent:
 * SO_MEMINFO's wmem_queued then exceeds SIOCOUTQ's bytes by the skb
 * heads, one per skb of up to half the peer's window (a few per cent),
 * where skbs of one or two segments cost about half again the data.
 * First with the devices' GSO off as this fixture has them (TCP queues
 * large skbs all the same: its GSO is always on), then on, over 20 ms
 * (below a few ms of RTT the skbs that leave keep their GSO size:
 * net.*.tso_rtt_log).  Large skbs leave a small send buffer (SO_SNDBUF)
 * for data, not sk_buffs.
 */
TEST_F(opt, queued_skbs_as_large_as_gso_allows)
{
	__u32 mem[SK_MEMINFO_VARS];
	static char buf[64 << 10];
	unsigned int pace = 100000;
	int sndbuf = 1 << 20, outq, gso;
	struct tcp_info ti;
	socklen_t len;
	size_t sent;
	long over;
	ssize_t n;

	for (gso = 0; gso < 2; gso++) {
		ASSERT_EQ(0, offloads_set(gso));
		if (gso) {
			ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
					   " root netem delay 10ms"));
			ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
					   " root netem delay 10ms"));
		}
		ASSERT_EQ(0, pair(self, 13099 + 100 * gso));
		ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_MAX_PACING_RATE,
					&pace, sizeof(pace)));
		ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF,
					&sndbuf, sizeof(sndbuf)));
		sent = 0;
		while (sent < (1 << 20) &&
		       (n = send(self->c, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			sent += n;
		usleep(100000);
		len = sizeof(mem);
		ASSERT_EQ(0, ioctl(self->c, SIOCOUTQ, &outq));
		ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_MEMINFO, mem,
					&len));
		ASSERT_EQ(0, get_info(self->c, &ti));
		over = (long)mem[SK_MEMINFO_WMEM_QUEUED] - outq;
		TH_LOG("GSO %s: written %zu, SIOCOUTQ %d, wmem_queued %u: %ld bytes (%.1f%%) beyond the data; peer's window %u, min RTT %u us",
		       gso ? "on" : "off", sent, outq,
		       mem[SK_MEMINFO_WMEM_QUEUED], over, 100.0 * over / outq,
		       ti.tcpi_snd_wnd, ti.tcpi_min_rtt);
		/* SO_SNDBUF is capped by net.core.wmem_max: about 400 KiB. */
		EXPECT_LE(256 << 10, outq);
		EXPECT_GE(outq / 10, over);
		close_abort(self->c);
		close_abort(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
	tc_in(CLI_NS, "qdisc del dev " CLI_IF " root");
	tc_in(SRV_NS, "qdisc del dev " SRV_IF " root");
}

/* ---- TCP_CONGESTION ---- */

TEST_F(opt, congestion_name_and_errnos)
{
	char name[64], name4[64], name100[64];
	socklen_t len = 16;
	int fd = xsock(CLI_NS);

	ASSERT_LE(0, fd);
	memset(name, 0x55, sizeof(name));
	ASSERT_EQ(0, getsockopt(fd, SOL_TCP, TCP_CONGESTION, name, &len));
	EXPECT_EQ(16, len);
	ASSERT_NE(0, name[0]);
	ASSERT_EQ(0, name[15]);
	/* CUBIC by default, as kernel TCP. */
	EXPECT_STREQ("cubic", name);
	/* Cut to a shorter length, the length written back. */
	len = 4;
	memset(name4, 0x55, sizeof(name4));
	EXPECT_EQ(0, getsockopt(fd, SOL_TCP, TCP_CONGESTION, name4, &len));
	EXPECT_EQ(4, len);
	EXPECT_EQ(0, memcmp(name, name4, 4));
	EXPECT_EQ(0x55, (uint8_t)name4[4]);
	len = 100;
	EXPECT_EQ(0, getsockopt(fd, SOL_TCP, TCP_CONGESTION, name100, &len));
	EXPECT_EQ(16, len);
	EXPECT_EQ(0, memcmp(name, name100, 16));

	/* A name, not an int; an algorithm the protocol has, or ENOENT. */
	EXPECT_EQ(0, setsockopt(fd, SOL_TCP, TCP_CONGESTION, name,
				strlen(name)));
	EXPECT_EQ(-1, setsockopt(fd, SOL_TCP, TCP_CONGESTION, "no-such-cc", 10));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, setsockopt(fd, SOL_TCP, TCP_CONGESTION, "", 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, setint(fd, TCP_CONGESTION, 1));
	/* A longer buffer than a name: only the first 15 bytes count. */
	memset(name100, 0, sizeof(name100));
	strcpy(name100, name);
	EXPECT_EQ(0, setsockopt(fd, SOL_TCP, TCP_CONGESTION, name100,
				sizeof(name100)));
	close(fd);

	/* On a connection: the same name; switching mid-way, data flows. */
	ASSERT_EQ(0, pair(self, 13003));
	len = sizeof(name4);
	ASSERT_EQ(0, getsockopt(self->a, SOL_TCP, TCP_CONGESTION, name4, &len));
	EXPECT_STREQ(name, name4);
	ASSERT_EQ(0, transfer(self->c, self->a, 100000));
	EXPECT_EQ(0, setsockopt(self->c, SOL_TCP, TCP_CONGESTION, name,
				strlen(name)));
	EXPECT_EQ(-1, setsockopt(self->c, SOL_TCP, TCP_CONGESTION, "bogus", 5));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, transfer(self->c, self->a, 100000));
	len = sizeof(name4);
	ASSERT_EQ(0, getsockopt(self->c, SOL_TCP, TCP_CONGESTION, name4, &len));
	EXPECT_STREQ(name, name4);
}

/* Read (@val NULL) or write the text of /proc/sys/@path in netns @ns: 0 or errno. */
static int sysctl_text(const char *ns, const char *path, const char *val,
		       char *out, size_t size)
{
	char file[128];
	int old, fd, err = 0;
	ssize_t n;

	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	old = ns_enter(ns);
	fd = open(file, val ? O_WRONLY : O_RDONLY);
	ns_leave(old);
	if (fd < 0)
		return errno;
	if (val) {
		if (write(fd, val, strlen(val)) < 0)
			err = errno;
	} else {
		n = read(fd, out, size - 1);
		if (n < 0)
			err = errno;
		else
			out[n > 0 && out[n - 1] == '\n' ? n - 1 : n] = 0;
	}
	close(fd);
	return err;
}

/* TCP_CONGESTION of a new socket in @ns, into @name (16 bytes). */
static int new_socket_cong(const char *ns, char *name)
{
	socklen_t len = 16;
	int fd = xsock(ns), err;

	if (fd < 0)
		return -1;
	err = getsockopt(fd, SOL_TCP, TCP_CONGESTION, name, &len);
	close(fd);
	return err;
}

/*
 * net.xtcp.congestion_control: the algorithm new sockets of a netns
 * start with, as net.ipv4.tcp_congestion_control (the reference, run
 * over kernel TCP): per netns, ENOENT for a name there is no algorithm
 * of; net.xtcp.available_congestion_control lists the names.
 */
TEST_F(opt, congestion_control_sysctl)
{
	const char *ctl = is_tcp() ? "net/ipv4/tcp_congestion_control" :
				     "net/xtcp/congestion_control";
	const char *avail = is_tcp() ? "net/ipv4/tcp_available_congestion_control" :
				       "net/xtcp/available_congestion_control";
	/* Reno, always there: the default (CUBIC) is left for it. */
	const char *reno = is_tcp() ? "reno" : "newreno";
	char list[256], before[16], name[16];

	ASSERT_EQ(0, sysctl_text(CLI_NS, avail, NULL, list, sizeof(list)));
	TH_LOG("available: %s", list);
	EXPECT_NE(NULL, strstr(list, "cubic"));
	if (!is_tcp())
		EXPECT_STREQ("newreno cubic", list);
	EXPECT_EQ(EACCES, sysctl_text(CLI_NS, avail, "cubic", NULL, 0));

	ASSERT_EQ(0, sysctl_text(SRV_NS, ctl, NULL, before, sizeof(before)));
	EXPECT_STREQ("cubic", before);
	ASSERT_EQ(0, sysctl_text(CLI_NS, ctl, reno, NULL, 0));
	ASSERT_EQ(0, sysctl_text(CLI_NS, ctl, NULL, name, sizeof(name)));
	EXPECT_STREQ(reno, name);
	ASSERT_EQ(0, new_socket_cong(CLI_NS, name));
	EXPECT_STREQ(reno, name);
	/* The other netns keeps its own. */
	ASSERT_EQ(0, new_socket_cong(SRV_NS, name));
	EXPECT_STREQ(before, name);
	EXPECT_EQ(ENOENT, sysctl_text(CLI_NS, ctl, "no-such-cc", NULL, 0));
	ASSERT_EQ(0, sysctl_text(CLI_NS, ctl, NULL, name, sizeof(name)));
	EXPECT_STREQ(reno, name);
}

/*
 * A connection on @port whose client chose congestion control @cc
 * before connecting: self->c in xcli, self->a accepted in xsrv.
 */
static void cc_pair(struct __test_metadata *_metadata,
		    struct _test_data_opt *self, int port, const char *cc)
{
	self->lfd = xlisten(port, 4);
	ASSERT_LE(0, self->lfd);
	self->c = xsock(CLI_NS);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, setsockopt(self->c, SOL_TCP, TCP_CONGESTION, cc,
				strlen(cc)));
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, port));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
}

/*
 * CUBIC (module/cubic.c; kernel TCP's default): chosen by name before
 * connect, it is the name the connection reports, and it carries 2 MiB
 * intact through 1% loss, recovering through losses (ssthresh set).
 */
TEST_F_TIMEOUT(opt, congestion_cubic_moves_data_through_loss, XT(90))
{
	struct bulk b = { .len = 2 << 20 };
	struct timeval tv = { .tv_sec = XT(60) };
	char name[16], hash[65];
	struct tcp_info ti;
	socklen_t len;
	size_t got = 0;
	pthread_t th;

	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 5ms loss 1%%"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 5ms"));
	cc_pair(_metadata, self, 13009, "cubic");
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(self->c, SOL_TCP, TCP_CONGESTION, name, &len));
	EXPECT_STREQ("cubic", name);
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	b.fd = self->c;
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	got = read_sha256(self->a, SIZE_MAX, hash);
	pthread_join(th, NULL);
	ASSERT_EQ(b.len, got) TH_LOG("stalled after %zu bytes", got);
	EXPECT_STREQ(b.hash, hash);
	ASSERT_EQ(0, get_info(self->c, &ti));
	TH_LOG("cubic after 2 MiB at 1%% loss: cwnd %u, ssthresh %u, retrans %u",
	       ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh, ti.tcpi_total_retrans);
	EXPECT_LT(0, ti.tcpi_total_retrans);
	EXPECT_GT(0x7fffffffU, ti.tcpi_snd_ssthresh);
	EXPECT_LE(2, ti.tcpi_snd_ssthresh);
}

/* The initial window, in segments (RFC 6928), xtcp's and TCP's. */
#define XTCP_IW		10U

/*
 * One connection of congestion_restart_after_idle on @port: 1 MiB to
 * grow cwnd, everything ACKed, idle for two RTOs and a bit, then a
 * small write; *@before and *@after are TCP_INFO before the idle time
 * and right after the write (20 ms round trips: no ACK yet).
 */
static void idle_then_send(struct __test_metadata *_metadata,
			   struct _test_data_opt *self, int port,
			   struct tcp_info *before, struct tcp_info *after)
{
	static char buf[1000];
	char name[16];
	socklen_t len = sizeof(name);

	ASSERT_EQ(0, pair(self, port));
	/* The default algorithm: CUBIC, as kernel TCP's. */
	ASSERT_EQ(0, getsockopt(self->c, SOL_TCP, TCP_CONGESTION, name, &len));
	EXPECT_STREQ("cubic", name);
	ASSERT_EQ(0, transfer(self->c, self->a, 1 << 20));
	ASSERT_EQ(0, wait_all_acked(self->c, XT(5000)));
	ASSERT_EQ(0, get_info(self->c, before));
	ASSERT_LT(0, before->tcpi_rto);
	usleep(2 * before->tcpi_rto + 100000);
	/*
	 * The window as the write finds it: a late ACK may have changed
	 * it since (a D-SACK undoing a spurious recovery, on both stacks).
	 */
	ASSERT_EQ(0, get_info(self->c, before));
	ASSERT_LT(XTCP_IW, before->tcpi_snd_cwnd);
	ASSERT_LT(2 * before->tcpi_rto / 1000, before->tcpi_last_data_sent);
	ASSERT_EQ(0, write_all(self->c, buf, sizeof(buf)));
	ASSERT_EQ(0, get_info(self->c, after));
	TH_LOG("port %d: cwnd %u ssthresh %u rto %u us; after %u ms idle: cwnd %u ssthresh %u",
	       port, before->tcpi_snd_cwnd, before->tcpi_snd_ssthresh,
	       before->tcpi_rto, before->tcpi_last_data_sent,
	       after->tcpi_snd_cwnd, after->tcpi_snd_ssthresh);
	ASSERT_EQ(sizeof(buf), read_full(self->a, buf, sizeof(buf)));
	close_abort(self->c);
	close_abort(self->a);
	close(self->lfd);
	self->c = self->a = self->lfd = -1;
}

/*
 * Restart after idle (net.xtcp.slow_start_after_idle, as
 * net.ipv4.tcp_slow_start_after_idle; Linux's tcp_cwnd_restart()): the
 * first send after an idle period longer than the RTO finds cwnd halved
 * for each RTO that passed, not below the initial window, and ssthresh
 * at least 3/4 of the old cwnd; with the sysctl 0, cwnd is as it was.
 */
TEST_F_TIMEOUT(opt, congestion_restart_after_idle, XT(60))
{
	const char *ctl = is_tcp() ? "net.ipv4.tcp_slow_start_after_idle" :
				     "net.xtcp.slow_start_after_idle";
	struct tcp_info b, a;
	uint32_t quarter;

	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 10ms"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 10ms"));
	EXPECT_EQ(1, sysctl_get(CLI_NS, ctl));

	idle_then_send(_metadata, self, 13012, &b, &a);
	/* Over two RTOs idle: halved at least twice, down to IW. */
	quarter = b.tcpi_snd_cwnd / 4;
	EXPECT_GE(quarter > XTCP_IW ? quarter : XTCP_IW, a.tcpi_snd_cwnd);
	EXPECT_LE(XTCP_IW, a.tcpi_snd_cwnd);
	EXPECT_LE(b.tcpi_snd_cwnd * 3 / 4, a.tcpi_snd_ssthresh);
	EXPECT_LE(b.tcpi_snd_ssthresh, a.tcpi_snd_ssthresh);

	ASSERT_EQ(0, sysctl_set(CLI_NS, ctl, 0));
	idle_then_send(_metadata, self, 13013, &b, &a);
	EXPECT_LE(b.tcpi_snd_cwnd, a.tcpi_snd_cwnd);
	EXPECT_EQ(b.tcpi_snd_ssthresh, a.tcpi_snd_ssthresh);
}

/* ECN's sysctl: net.xtcp.ecn, or TCP's net.ipv4.tcp_ecn, in @ns. */
static int ecn_set(const char *ns, int val)
{
	return sysctl_set(ns, is_tcp() ? "net.ipv4.tcp_ecn" : "net.xtcp.ecn",
			  val);
}

#define ECN_MASK	3	/* the TOS byte's ECN field (RFC 3168 5) */
#define ECN_ECT0	2
#define ECN_CE		3
#define ECE_CWR		(XTCP_FLAG_ECE | XTCP_FLAG_CWR)

/*
 * ECN's negotiation (RFC 3168 section 6.1.1) as net.ipv4.tcp_ecn's
 * values say: 1 asks and grants, 2 only grants, 0 neither.  The SYN
 * asks with ECE and CWR, the SYN-ACK grants with ECE alone, both go
 * Not-ECT, and both ends report the outcome in TCP_INFO (TCPI_OPT_ECN).
 */
TEST_F(opt, ecn_negotiated_as_sysctls_say)
{
	static const struct {
		int cli, srv, on;
	} cases[] = {
		{ 1, 2, 1 }, { 1, 1, 1 }, { 1, 0, 0 },
		{ 2, 2, 0 }, { 2, 1, 0 }, { 0, 1, 0 },
	};
	struct tcp_info ti;
	struct seg s;
	size_t i;
	int cap;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int on = cases[i].on, asks = 0;

		/* Only 1 asks. */
		if (cases[i].cli == 1)
			asks = ECE_CWR;

		ASSERT_EQ(0, ecn_set(CLI_NS, cases[i].cli));
		ASSERT_EQ(0, ecn_set(SRV_NS, cases[i].srv));
		cap = cap_open(SRV_NS, SRV_IF);
		ASSERT_LE(0, cap);
		ASSERT_EQ(0, pair(self, 13020 + i));
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN, 0, 2000));
		EXPECT_EQ(asks, s.flags & ECE_CWR)
			TH_LOG("case %zu: SYN flags %#x", i, s.flags);
		EXPECT_EQ(0, s.tos & ECN_MASK);
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
				      1, 2000));
		EXPECT_EQ(on ? XTCP_FLAG_ECE : 0, s.flags & ECE_CWR)
			TH_LOG("case %zu: SYN-ACK flags %#x", i, s.flags);
		EXPECT_EQ(0, s.tos & ECN_MASK);
		close(cap);
		ASSERT_EQ(0, get_info(self->c, &ti));
		EXPECT_EQ(on, !!(ti.tcpi_options & TCPI_OPT_ECN))
			TH_LOG("case %zu (client %d, server %d): client",
			       i, cases[i].cli, cases[i].srv);
		ASSERT_EQ(0, get_info(self->a, &ti));
		EXPECT_EQ(on, !!(ti.tcpi_options & TCPI_OPT_ECN))
			TH_LOG("case %zu (client %d, server %d): server",
			       i, cases[i].cli, cases[i].srv);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
}

/*
 * net.*.ecn_fallback (tcp_ecn_clear_syn()): towards a host that never
 * answers, the first SYN asks for ECN (ECE and CWR) and the resent one
 * asks no more; with the sysctl at 0 the resent one asks again.
 */
TEST_F(opt, ecn_fallback_on_syn_resend)
{
	int fb, asked[2] = { 0 }, syns;
	size_t i;

	for (fb = 1; fb >= 0; fb--) {
		ASSERT_EQ(0, ecn_set(CLI_NS, 1));
		ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ?
					"net.ipv4.tcp_ecn_fallback" :
					"net.xtcp.ecn_fallback", fb));
		self->c = xsock(CLI_NS);
		ASSERT_LE(0, self->c);
		ASSERT_EQ(0, setint(self->c, TCP_SYNCNT, 1));
		ASSERT_EQ(0, start_capture(self, CLI_NS, CLI_IF));
		set_nonblock(self->c, 1);
		ASSERT_EQ(-1, do_connect(self->c, "10.99.0.4", 13050 + fb));
		/* The SYN and its one resend, 1 s apart. */
		usleep(XT(1500) * 1000);
		stop_capture(self, 100);
		syns = 0;
		for (i = 0; i < self->cap.n; i++) {
			const struct seg *s = &self->cap.segs[i];

			if (!s->outgoing || s->dport != 13050 + fb ||
			    !(s->flags & XTCP_FLAG_SYN))
				continue;
			if (syns < 2 && (s->flags & ECE_CWR) == ECE_CWR)
				asked[syns] = 1;
			else if (syns < 2)
				asked[syns] = 0;
			syns++;
		}
		capture_free(&self->cap);
		close(self->c);
		self->c = -1;
		TH_LOG("ecn_fallback %d: %d SYNs, the first %s, the second %s",
		       fb, syns, asked[0] ? "asks" : "does not ask",
		       asked[1] ? "asks" : "does not ask");
		EXPECT_LE(2, syns);
		EXPECT_EQ(1, asked[0]);
		EXPECT_EQ(!fb, asked[1]);
	}
}

/* xsrv's static neighbour that never answers: a handmade client. */
#define GHOST_OF_CLI	"10.99.0.3"

/*
 * A SYN that asks for ECN but arrives marked ECT or CE crossed a path
 * that rewrites the ECN field (RFC 3168 section 6.1.1): the SYN-ACK
 * does not grant ECN, as tcp_ecn_create_request().  The same SYN
 * Not-ECT is granted.
 */
TEST_F(opt, ecn_syn_marked_ect_not_granted)
{
	static const uint8_t field[] = { 0, ECN_ECT0, 1 /* ECT(1) */, ECN_CE };
	struct rawseg r = {
		.src = GHOST_OF_CLI, .dst = SRV_ADDR, .dport = 13060,
		.seq = 1000, .flags = XTCP_FLAG_SYN | ECE_CWR, .win = 65535,
	};
	struct seg s;
	size_t i;
	int cap;

	ASSERT_EQ(0, ecn_set(SRV_NS, 2));
	self->lfd = xlisten(13060, 8);
	ASSERT_LE(0, self->lfd);
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	for (i = 0; i < ARRAY_SIZE(field); i++) {
		r.sport = 40100 + i;
		r.tos = field[i];
		ASSERT_EQ(0, raw_inject(CLI_NS, &r));
		do {
			ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN |
					      XTCP_FLAG_ACK, 1, 2000));
		} while (s.dport != r.sport);
		EXPECT_EQ(i ? 0 : XTCP_FLAG_ECE, s.flags & ECE_CWR)
			TH_LOG("SYN with ECN field %u: SYN-ACK flags %#x",
			       field[i], s.flags);
	}
	close(cap);
}

/*
 * Send @r from the handmade client and wait up to a second for the
 * server's ACK of all of it, in @ack; @r's sequence number moves past
 * its data.  0 or -1.
 */
static int ghost_send(int cap, struct rawseg *r, struct seg *ack)
{
	uint32_t end = r->seq + r->len;
	double until = now_s() + 1;

	if (raw_inject(CLI_NS, r))
		return -1;
	r->seq = end;
	while (now_s() < until) {
		if (cap_find(cap, ack, XTCP_FLAG_ACK, 1, 1000))
			return -1;
		if (ack->ack == end)
			return 0;
	}
	return -1;
}

/*
 * The receiver's side of ECN, against a handmade sender: data marked CE
 * makes the ACKs carry ECE (RFC 3168 section 6.1.3), data not marked
 * after it does not end that, a CWR does, here on a pure ACK: RFC 3168
 * puts CWR on data, but Linux's tcp_ack() takes it from a pure ACK too,
 * for the stacks that send it there.
 */
TEST_F(opt, ecn_cwr_on_pure_ack_ends_echo)
{
	static const char data[300] = "ecn";
	struct rawseg r = {
		.src = GHOST_OF_CLI, .dst = SRV_ADDR, .sport = 40200,
		.dport = 13061, .seq = 1000, .win = 65535,
		.flags = XTCP_FLAG_SYN | ECE_CWR,
	};
	struct seg synack, ack;
	char buf[sizeof(data)];
	int cap;

	ASSERT_EQ(0, ecn_set(SRV_NS, 2));
	self->lfd = xlisten(13061, 8);
	ASSERT_LE(0, self->lfd);
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	ASSERT_EQ(0, cap_find(cap, &synack, XTCP_FLAG_SYN | XTCP_FLAG_ACK, 1,
			      2000));
	ASSERT_EQ(XTCP_FLAG_ECE, synack.flags & ECE_CWR);
	r.seq = 1001;
	r.ack = synack.seq + 1;
	r.flags = XTCP_FLAG_ACK;
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);

	/* 100 bytes marked CE: ECE. */
	r.data = data;
	r.len = 100;
	r.tos = ECN_CE;
	ASSERT_EQ(0, ghost_send(cap, &r, &ack));
	EXPECT_EQ(XTCP_FLAG_ECE, ack.flags & ECE_CWR);
	/* 100 more, ECT(0), no CWR: still ECE. */
	r.data = data + 100;
	r.tos = ECN_ECT0;
	ASSERT_EQ(0, ghost_send(cap, &r, &ack));
	EXPECT_EQ(XTCP_FLAG_ECE, ack.flags & ECE_CWR);
	/* A pure ACK with CWR, then 100 more ECT(0): no ECE any more. */
	r.len = 0;
	r.tos = 0;
	r.flags = XTCP_FLAG_ACK | XTCP_FLAG_CWR;
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	r.data = data + 200;
	r.len = 100;
	r.tos = ECN_ECT0;
	r.flags = XTCP_FLAG_ACK;
	ASSERT_EQ(0, ghost_send(cap, &r, &ack));
	EXPECT_EQ(0, ack.flags & ECE_CWR);

	ASSERT_EQ((ssize_t)sizeof(buf), read_full(self->a, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, data, sizeof(buf)));
	close(cap);
}

/*
 * A route with "features ecn" (RTAX_FEATURE_ECN) makes connections over
 * it ask for ECN when net.*.ecn is 2, as tcp_ecn_send_syn(): the same
 * connection asks only once the route says so.
 */
TEST_F(opt, ecn_route_feature_asks)
{
	int v6 = xtcp_family() == AF_INET6;
	char srv[INET6_ADDRSTRLEN];
	struct tcp_info ti;
	struct seg s;
	int cap, feature;

	ASSERT_EQ(0, ecn_set(CLI_NS, 2));
	ASSERT_EQ(0, ecn_set(SRV_NS, 2));
	host_addr(SRV_ADDR, srv, sizeof(srv));
	for (feature = 0; feature <= 1; feature++) {
		if (feature)
			ASSERT_EQ(0, sh("ip -n %s route add %s/%d dev %s features ecn",
					CLI_NS, srv, v6 ? 128 : 32, CLI_IF));
		cap = cap_open(CLI_NS, CLI_IF);
		ASSERT_LE(0, cap);
		ASSERT_EQ(0, pair(self, 13062 + feature));
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN, 1, 2000));
		EXPECT_EQ(feature ? ECE_CWR : 0, s.flags & ECE_CWR)
			TH_LOG("route feature %d: SYN flags %#x", feature,
			       s.flags);
		close(cap);
		ASSERT_EQ(0, get_info(self->c, &ti));
		EXPECT_EQ(feature, !!(ti.tcpi_options & TCPI_OPT_ECN));
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
	EXPECT_EQ(0, sh("ip -n %s route del %s/%d dev %s", CLI_NS, srv,
			v6 ? 128 : 32, CLI_IF));
}

/* Wait up to 5 s for @fd to connect; 0 once it has, else -1. */
static int connected(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, XT(5000)) == 1 && !so_error(fd) ? 0 : -1;
}

/*
 * ECN in a simultaneous open (RFC 9293 figure 8), as tcp_ecn_rcv_syn()
 * and tcp_ecn_send_synack(): two SYNs that both ask cross, each end
 * answers with a SYN-ACK carrying ECE alone, and both have ECN; when one
 * SYN does not ask, neither end has it and no SYN-ACK carries ECE.
 */
TEST_F_TIMEOUT(opt, ecn_simultaneous_open, XT(60))
{
	int ecn_b, a, b, cap, seen, port_a, port_b;
	struct tcp_info ti;
	struct seg s;

	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 300ms"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 300ms"));
	ASSERT_EQ(0, ecn_set(CLI_NS, 1));
	for (ecn_b = 1; ecn_b >= 0; ecn_b--) {
		port_a = 13070 + 2 * ecn_b;
		port_b = port_a + 1;
		ASSERT_EQ(0, ecn_set(SRV_NS, ecn_b));
		cap = cap_open(CLI_NS, CLI_IF);
		ASSERT_LE(0, cap);
		a = xsock(CLI_NS);
		b = xsock(SRV_NS);
		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		ASSERT_EQ(0, do_bind(a, CLI_ADDR, port_a));
		ASSERT_EQ(0, do_bind(b, SRV_ADDR, port_b));
		set_nonblock(a, 1);
		set_nonblock(b, 1);
		ASSERT_EQ(-1, do_connect(a, SRV_ADDR, port_b));
		ASSERT_EQ(-1, do_connect(b, CLI_ADDR, port_a));
		seen = 0;
		while (seen != 3 && !cap_next(cap, &s, XT(3000))) {
			if ((s.flags & CTL_FLAGS) !=
			    (XTCP_FLAG_SYN | XTCP_FLAG_ACK))
				continue;
			EXPECT_EQ(ecn_b ? XTCP_FLAG_ECE : 0, s.flags & ECE_CWR)
				TH_LOG("%s SYN-ACK flags %#x (ecn 1 and %d)",
				       s.outgoing ? "A's" : "B's", s.flags,
				       ecn_b);
			seen |= 1 << s.outgoing;
		}
		EXPECT_EQ(3, seen) TH_LOG("a SYN-ACK missing");
		close(cap);
		EXPECT_EQ(0, connected(a));
		EXPECT_EQ(0, connected(b));
		ASSERT_EQ(0, get_info(a, &ti));
		EXPECT_EQ(ecn_b, !!(ti.tcpi_options & TCPI_OPT_ECN));
		ASSERT_EQ(0, get_info(b, &ti));
		EXPECT_EQ(ecn_b, !!(ti.tcpi_options & TCPI_OPT_ECN));
		close_abort(a);
		close_abort(b);
	}
}


/*
 * Kernel TCP builds GSO skbs whatever the device offers (software GSO,
 * sk_setup_caps()), and netem marks, drops or duplicates a whole one at
 * a time: its connections made after this send one segment per skb, so
 * that netem's percentages are of segments, as with xtcp.
 */
static int one_segment_per_skb(void)
{
	if (!is_tcp())
		return 0;
	return sh("ip -n %s link set dev %s gso_max_segs 1", CLI_NS, CLI_IF);
}

/* What one transfer through a marking path showed. */
struct ecn_run {
	unsigned int retrans, ssthresh;
	unsigned int data_in, ect_in, ce_in, notect_in, cwr_in;
	unsigned int acks_out, ect_acks_out, ece_out;
	long cwr_count, ce_count;	/* xtcp's EcnCwr, EcnCeRecv */
	long probes;			/* tail loss probes sent */
	long dsacks;			/* resends D-SACKed: needless */
};

/*
 * 2 MiB from the client, with net.*.ecn @ecn at the client (the
 * server's stays 2), through a client egress netem that loses 2% of
 * what it may not mark: with `ecn` it marks CE what is ECT instead.
 * The path is made lossy only once the connection is up, and clean
 * again before it closes, so that SYN and FIN (Not-ECT) are never lost.
 */
static void ecn_transfer(struct __test_metadata *_metadata,
			 struct _test_data_opt *self, int port, int ecn,
			 struct ecn_run *r)
{
	struct bulk b = { .len = 2 << 20, .keep_open = 1 };
	struct timeval tv = { .tv_sec = XT(60) };
	long cwr0 = 0, ce0 = 0, probes0, dsacks0;
	struct xstats cli0;
	struct tcp_info ti;
	char hash[65];
	pthread_t th;
	double end;
	size_t i;

	memset(r, 0, sizeof(*r));
	xstats_read(CLI_NS, &cli0);
	probes0 = proto_stat(CLI_NS, "LossProbes", "TCPLossProbes");
	dsacks0 = proto_stat(CLI_NS, "DsackRecv", "TCPDSACKRecvSegs");
	ASSERT_EQ(0, ecn_set(CLI_NS, ecn));
	ASSERT_EQ(0, ecn_set(SRV_NS, 2));
	if (!is_tcp()) {
		cwr0 = xstat(CLI_NS, "EcnCwr");
		ce0 = xstat(SRV_NS, "EcnCeRecv");
	}
	ASSERT_EQ(0, one_segment_per_skb());
	ASSERT_EQ(0, pair(self, port));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 2ms loss 2%% ecn"));
	ASSERT_EQ(0, capture_start(&self->cap, SRV_NS, SRV_IF));
	self->capturing = 1;
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	b.fd = self->c;
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	ASSERT_EQ(b.len, read_sha256(self->a, b.len, hash));
	pthread_join(th, NULL);
	EXPECT_STREQ(b.hash, hash);
	/* Everything acknowledged: what the sender did is complete. */
	end = now_s() + XT(10);
	do {
		ASSERT_EQ(0, get_info(self->c, &ti));
		if (!ti.tcpi_unacked)
			break;
		usleep(10000);
	} while (now_s() < end);
	EXPECT_EQ(0, ti.tcpi_unacked);
	r->retrans = ti.tcpi_total_retrans;
	r->ssthresh = ti.tcpi_snd_ssthresh;
	r->probes = proto_stat(CLI_NS, "LossProbes", "TCPLossProbes") - probes0;
	r->dsacks = proto_stat(CLI_NS, "DsackRecv", "TCPDSACKRecvSegs") - dsacks0;
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc del dev " CLI_IF " root"));
	capture_stop(&self->cap, 100);
	self->capturing = 0;
	if (!is_tcp()) {
		r->cwr_count = xstat(CLI_NS, "EcnCwr") - cwr0;
		r->ce_count = xstat(SRV_NS, "EcnCeRecv") - ce0;
	}

	for (i = 0; i < self->cap.n; i++) {
		const struct seg *s = &self->cap.segs[i];
		unsigned int ecn_field = s->tos & ECN_MASK;

		if (s->dport != port && s->sport != port)
			continue;
		if (!s->outgoing && s->len > 0) {
			r->data_in++;
			r->ect_in += ecn_field == ECN_ECT0;
			r->ce_in += ecn_field == ECN_CE;
			r->notect_in += !ecn_field;
			r->cwr_in += !!(s->flags & XTCP_FLAG_CWR);
		} else if (s->outgoing && !s->len &&
			   !(s->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN))) {
			r->acks_out++;
			r->ect_acks_out += !!ecn_field;
			r->ece_out += !!(s->flags & XTCP_FLAG_ECE);
		}
	}
	capture_free(&self->cap);
	TH_LOG("ecn %d: retrans %u (%ld loss probes, %ld D-SACKed), ssthresh %u; data in %u (ECT(0) %u, CE %u, Not-ECT %u, CWR %u); ACKs out %u (ECT %u, ECE %u); EcnCwr %ld, EcnCeRecv %ld",
	       ecn, r->retrans, r->probes, r->dsacks, r->ssthresh, r->data_in, r->ect_in,
	       r->ce_in,
	       r->notect_in, r->cwr_in, r->acks_out, r->ect_acks_out,
	       r->ece_out, r->cwr_count, r->ce_count);
	/* What started each resend, if any (xtcp's counters that moved). */
	if (!is_tcp() && r->retrans)
		xstats_print_delta(CLI_NS, &cli0);
	close(self->c);
	close(self->a);
	close(self->lfd);
	self->c = self->a = self->lfd = -1;
}

/*
 * ECN at work (RFC 3168 section 6.1): through a path that marks CE
 * where it would drop, new data goes ECT(0), the receiver echoes each
 * mark with ECE (on its pure ACKs, which stay Not-ECT) until the
 * sender's CWR, and the sender lowers its window (ssthresh set) without
 * a retransmission other than tail loss probes.  The same path without
 * ECN drops, and the sender resends: the control that shows the marks
 * did the work.
 */
TEST_F_TIMEOUT(opt, ecn_marks_instead_of_losses, XT(120))
{
	struct ecn_run r;
	cpu_set_t all;

	/*
	 * On one CPU: on two, the veth pair now and then delivers a segment
	 * late behind others (each CPU's backlog its own), and both stacks
	 * resend on the duplicate ACKs; those resends, Not-ECT, came back
	 * as D-SACKs (xtcp: FastRetrans 1, DsackRecv = RetransSegs 5).
	 */
	ASSERT_EQ(0, one_cpu(&all));
	ecn_transfer(_metadata, self, 13030, 1, &r);
	all_cpus(&all);
	/*
	 * A burst's last ACK delayed may draw a tail loss probe, a resend
	 * (Not-ECT); nothing else is resent, by xtcp or kernel TCP, but
	 * what the receiver reports it had already (D-SACK): on one CPU
	 * the veth still reorders now and then (softirqs run on the other;
	 * xtcp in a make check run: RetransSegs 5, TsReorder 5, DsackRecv 5),
	 * and those resends answered a late segment, not a loss.
	 */
	EXPECT_GE(r.probes + r.dsacks, r.retrans);
	EXPECT_GT(0x7fffffffU, r.ssthresh);
	EXPECT_LT(0, r.ce_in);
	EXPECT_EQ(r.data_in, r.ect_in + r.ce_in + r.notect_in);
	EXPECT_GE(r.retrans, r.notect_in);
	EXPECT_LT(0, r.ece_out);
	EXPECT_LT(0, r.cwr_in);
	EXPECT_GE(r.ce_in, r.cwr_in);
	EXPECT_EQ(0, r.ect_acks_out);
	if (!is_tcp()) {
		/* Each reduction's CWR went out, the last one perhaps not yet. */
		EXPECT_LE(r.cwr_in, r.cwr_count);
		EXPECT_GE(r.cwr_in + 1, r.cwr_count);
		/* Segments merged on the backlog count once. */
		EXPECT_LT(0, r.ce_count);
		EXPECT_GE(r.ce_in, r.ce_count);
	}

	ecn_transfer(_metadata, self, 13031, 0, &r);
	EXPECT_LT(0, r.retrans);
	EXPECT_EQ(0, r.ce_in);
	EXPECT_EQ(r.data_in, r.notect_in);
	EXPECT_EQ(0, r.ece_out);
	EXPECT_EQ(0, r.cwr_in);
	if (!is_tcp())
		EXPECT_EQ(0, r.cwr_count);
}

/*
 * @len bytes from the client to the server on a new pair at @port,
 * compared by hash; returns once all are acknowledged, with the
 * client's TCP_INFO in @ti.
 */
static void bulk_acked(struct __test_metadata *_metadata,
		       struct _test_data_opt *self, int port, size_t len,
		       struct tcp_info *ti)
{
	struct timeval tv = { .tv_sec = XT(60) };
	struct bulk b = { .len = len };
	char hash[65];
	pthread_t th;

	ASSERT_EQ(0, pair(self, port));
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	b.fd = self->c;
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	EXPECT_EQ(b.len, read_sha256(self->a, SIZE_MAX, hash));
	pthread_join(th, NULL);
	EXPECT_STREQ(b.hash, hash);
	EXPECT_EQ(0, wait_all_acked(self->c, XT(10) * 1000));
	ASSERT_EQ(0, get_info(self->c, ti));
}

/* Timestamps (net.*.timestamps) in @ns, as TCP's 0, 1 or 2. */
static int ts_set(const char *ns, int val)
{
	return sysctl_set(ns, is_tcp() ? "net.ipv4.tcp_timestamps" :
			  "net.xtcp.timestamps", val);
}

/* SACK (net.*.sack) in @ns, as TCP's tcp_sack: 0 or 1. */
static int sack_set(const char *ns, int val)
{
	return sysctl_set(ns, is_tcp() ? "net.ipv4.tcp_sack" : "net.xtcp.sack",
			  val);
}

/*
 * Reductions taken back, the sum of the undo counters: by D-SACK, and
 * with timestamps earlier, by Eifel (TCPFullUndo, TCPPartialUndo,
 * TCPLossUndo), xtcp's as kernel TCP's.
 */
static long undo_count(const char *ns)
{
	static const char *const name[][2] = {
		{ "DsackUndo", "TCPDSACKUndo" },
		{ "FullUndo", "TCPFullUndo" },
		{ "PartialUndo", "TCPPartialUndo" },
		{ "LossUndo", "TCPLossUndo" },
	};
	long sum = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(name); i++)
		sum += proto_stat(ns, name[i][0], name[i][1]);
	return sum;
}

/*
 * Spurious retransmissions undone (RFC 2883, RFC 3708): a path that
 * reorders about 7% of the segments (netem sends them 10 ms ahead of
 * the rest: its "reorder 25% 50%" draws with correlation, which sends
 * that share ahead, not a quarter) and loses none, deeper than the
 * sender may learn to wait for (max_reordering 3), makes it resend
 * segments that were only late; the receiver reports each copy it gets
 * twice in a D-SACK (TCP_INFO's tcpi_dsack_dups), and the sender takes
 * its reductions back.  Kernel TCP may resend nothing (RACK's
 * reordering window): nothing to check then.
 */
TEST_F_TIMEOUT(opt, dsack_undoes_spurious_recovery, XT(120))
{
	long undo0, undo, recv0 = 0, recv = 0;
	struct tcp_info ti;

	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_max_reordering" :
				"net.xtcp.max_reordering", 3));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 10ms reorder 25%% 50%%"));
	undo0 = undo_count(CLI_NS);
	if (!is_tcp())
		recv0 = xstat(CLI_NS, "DsackRecv");
	bulk_acked(_metadata, self, 13040, 4 << 20, &ti);
	undo = undo_count(CLI_NS) - undo0;
	if (!is_tcp())
		recv = xstat(CLI_NS, "DsackRecv") - recv0;
	TH_LOG("4 MiB, about 7%% reordered by 10 ms: retrans %u, reported twice %u, reordering %u, undone %ld, D-SACKs %ld, ssthresh %u",
	       ti.tcpi_total_retrans, ti.tcpi_dsack_dups, ti.tcpi_reordering,
	       undo, recv, ti.tcpi_snd_ssthresh);
	if (is_tcp() && !ti.tcpi_total_retrans)
		return;
	EXPECT_LT(0, ti.tcpi_total_retrans);
	EXPECT_LT(0, ti.tcpi_dsack_dups);
	EXPECT_GE(ti.tcpi_total_retrans, ti.tcpi_dsack_dups);
	EXPECT_LT(0, undo);
	if (!is_tcp())
		EXPECT_LE(undo, recv);
}

/*
 * A path that reorders by less than RACK's window: netem's jitter of
 * 1 ms on 20 ms holds a segment back by up to 2 ms, behind many later
 * ones at this rate, and RACK's window is a quarter of the min RTT
 * (5 ms).  With RACK on (net.*.recovery 1) RACK alone finds losses, as
 * in Linux 6.1: DupThresh's count of SACKed segments, held at 3 here
 * (max_reordering 3), marks nothing, nor do three duplicate ACKs resend
 * the first segment.  xtcp used to mark by the count beside RACK and
 * resent a thousand segments or more of these 4 MiB, all only late.
 * Either stack may resend a few before it first sees the path reorder
 * (RACK's window is 0 until then, once three segments are SACKed).
 */
TEST_F_TIMEOUT(opt, rack_alone_under_shallow_reordering, XT(120))
{
	struct tcp_info ti;
	long sr0, sr;

	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_recovery" :
				"net.xtcp.recovery", 1));
	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_max_reordering" :
				"net.xtcp.max_reordering", 3));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 20ms 1ms"));
	sr0 = proto_stat(CLI_NS, "SackReorder", "TCPSACKReorder");
	bulk_acked(_metadata, self, 13110, 4 << 20, &ti);
	sr = proto_stat(CLI_NS, "SackReorder", "TCPSACKReorder") - sr0;
	TH_LOG("4 MiB, jitter 1 ms on 20 ms: reordering seen %ld times, retrans %u, reported twice %u, min RTT %u us",
	       sr, ti.tcpi_total_retrans, ti.tcpi_dsack_dups, ti.tcpi_min_rtt);
	/* The path did reorder, or the test shows nothing. */
	EXPECT_LT(0, sr);
	EXPECT_GE(16U, ti.tcpi_total_retrans);
}

/*
 * Eifel in recovery (RFC 3522, tcp_try_undo_recovery() and
 * tcp_try_undo_partial()): the reordering path of
 * dsack_undoes_spurious_recovery, with timestamps.  A segment only late
 * fills its hole after the resend went, and the ACK for it echoes the
 * original's TSval: the recovery is undone at once, at its end or on a
 * partial ACK (TCPFullUndo, TCPPartialUndo), before any D-SACK could.
 * Without timestamps the same path undoes nothing that way.  Kernel TCP
 * may resend nothing (RACK's reordering window): nothing to check then;
 * and it undoes so by Eifel only now and then (2, then 0, in two runs
 * of some 100-200 resends), so only xtcp must have undone some.
 */
TEST_F_TIMEOUT(opt, eifel_undoes_spurious_recovery, XT(120))
{
	long full0, part0, eifel[2];
	struct tcp_info ti;
	int ts;

	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_max_reordering" :
				"net.xtcp.max_reordering", 3));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 10ms reorder 25%% 50%%"));
	for (ts = 1; ts >= 0; ts--) {
		ASSERT_EQ(0, ts_set(CLI_NS, ts));
		full0 = proto_stat(CLI_NS, "FullUndo", "TCPFullUndo");
		part0 = proto_stat(CLI_NS, "PartialUndo", "TCPPartialUndo");
		bulk_acked(_metadata, self, 13045 + ts, 4 << 20, &ti);
		eifel[ts] = proto_stat(CLI_NS, "FullUndo", "TCPFullUndo") -
			    full0 +
			    proto_stat(CLI_NS, "PartialUndo", "TCPPartialUndo") -
			    part0;
		TH_LOG("timestamps %d: retrans %u, Eifel undos %ld (full %ld)",
		       ts, ti.tcpi_total_retrans, eifel[ts],
		       proto_stat(CLI_NS, "FullUndo", "TCPFullUndo") - full0);
		if (ts && is_tcp() && !ti.tcpi_total_retrans)
			return;
		EXPECT_LE(0, full0);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
	if (!is_tcp())
		EXPECT_LT(0, eifel[1]);
	EXPECT_EQ(0, eifel[0]);
}

/*
 * Eifel on a partial ACK (tcp_try_undo_partial()): in recovery, an ACK
 * that fills the hole echoes the original's TSval, older than every
 * resend still out; the original was only late, and the path reorders
 * at least as deep as the ACK reaches: TCPTSReorder counts it, and the
 * reordering degree (tcpi_reordering) grows to that depth when it is
 * more than 3 (without SACK, the ACK's advance: often 3 or less here).
 * Without SACK (net.*.sack 0) nothing else can tell xtcp of
 * reordering, so with timestamps off the same path leaves it at 3 and
 * counts none.  Kernel TCP's Reno counts late duplicate ACKs as
 * reordering too: over it only the counter is checked, when a partial
 * undo was seen.
 */
TEST_F_TIMEOUT(opt, eifel_partial_ack_learns_reordering, XT(150))
{
	long tsr0, tsr[2], pu0, pu[2];
	unsigned int reord[2];
	struct tcp_info ti;
	int ts;

	ASSERT_EQ(0, sack_set(CLI_NS, 0));
	ASSERT_EQ(0, sack_set(SRV_NS, 0));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 10ms reorder 25%% 50%%"));
	for (ts = 1; ts >= 0; ts--) {
		ASSERT_EQ(0, ts_set(CLI_NS, ts));
		tsr0 = proto_stat(CLI_NS, "TsReorder", "TCPTSReorder");
		pu0 = proto_stat(CLI_NS, "PartialUndo", "TCPPartialUndo");
		bulk_acked(_metadata, self, 13047 + ts, 4 << 20, &ti);
		tsr[ts] = proto_stat(CLI_NS, "TsReorder", "TCPTSReorder") - tsr0;
		pu[ts] = proto_stat(CLI_NS, "PartialUndo", "TCPPartialUndo") - pu0;
		reord[ts] = ti.tcpi_reordering;
		TH_LOG("timestamps %d: retrans %u, reordering %u, TSReorder %ld, partial undos %ld",
		       ts, ti.tcpi_total_retrans, reord[ts], tsr[ts], pu[ts]);
		EXPECT_FALSE(ti.tcpi_options & TCPI_OPT_SACK);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
	EXPECT_EQ(0, tsr[0]);
	if (is_tcp()) {
		if (pu[1])
			EXPECT_LT(0, tsr[1]);
		return;
	}
	EXPECT_LT(0, tsr[1]);
	EXPECT_LE(3U, reord[1]);
	EXPECT_EQ(3U, reord[0]);
}

/*
 * A path that duplicates segments: the receiver reports each copy in a
 * D-SACK, which no retransmission explains.  The sender counts each as
 * at least one segment reported twice (tcpi_dsack_dups), and takes none
 * as a sign of a spurious retransmission once more segments were
 * reported twice than were ever resent (TCPDSACKIgnoredDubious,
 * tcp_dsack_seen()): nothing is undone without resends, and never more
 * reductions than resends (kernel TCP may undo for other reasons, a tail
 * loss probe's for one).
 */
TEST_F_TIMEOUT(opt, dsack_dubious_ignored, XT(120))
{
	long recv0, dub0, undo0, recv, dub, undo;
	struct tcp_info ti;

	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 2ms duplicate 5%%"));
	recv0 = proto_stat(CLI_NS, "DsackRecv", "TCPDSACKRecv");
	dub0 = proto_stat(CLI_NS, "DsackIgnoredDubious",
			  "TCPDSACKIgnoredDubious");
	undo0 = undo_count(CLI_NS);
	ASSERT_EQ(0, one_segment_per_skb());
	bulk_acked(_metadata, self, 13075, 1 << 20, &ti);
	recv = proto_stat(CLI_NS, "DsackRecv", "TCPDSACKRecv") - recv0;
	dub = proto_stat(CLI_NS, "DsackIgnoredDubious",
			 "TCPDSACKIgnoredDubious") - dub0;
	undo = undo_count(CLI_NS) - undo0;
	TH_LOG("1 MiB, 5%% duplicated: D-SACKs %ld, ignored as dubious %ld, reported twice %u, retrans %u, undone %ld",
	       recv, dub, ti.tcpi_dsack_dups, ti.tcpi_total_retrans, undo);
	EXPECT_LT(0, recv);
	EXPECT_LT(0, dub);
	EXPECT_LE(recv, ti.tcpi_dsack_dups);
	EXPECT_LT(ti.tcpi_total_retrans, ti.tcpi_dsack_dups);
	/*
	 * An undo needs a resend: a slow guest can time one out, or the
	 * path can copy a resend, and its D-SACK before any other is not
	 * dubious (kernel TCP undoes then too).
	 */
	if (!is_tcp() || !ti.tcpi_total_retrans)
		EXPECT_GE((long)ti.tcpi_total_retrans, undo);
}

/* Retransmission timeouts, and those F-RTO found spurious, in @ns. */
static long rto_count(const char *ns, int spurious)
{
	return spurious ? proto_stat(ns, "SpuriousRtos", "TCPSpuriousRTOs") :
			  proto_stat(ns, "RetransTimeouts", "TCPTimeouts");
}

/*
 * At @start_ms, @dev's netem in @ns becomes @during for @len_ms, then
 * "delay 10ms" again.
 */
struct outage {
	const char *ns, *dev, *during;
	int start_ms, len_ms, rc;
};

static void *outage_fn(void *p)
{
	struct outage *o = p;

	usleep(o->start_ms * 1000);
	o->rc = tc_in(o->ns, "qdisc change dev %s root netem %s", o->dev,
		      o->during);
	usleep(o->len_ms * 1000);
	o->rc |= tc_in(o->ns, "qdisc change dev %s root netem delay 10ms",
		       o->dev);
	return NULL;
}

/* What one paced transfer through an outage showed at the sender. */
struct frto_run {
	long rtos, spurious;
	long dsacks, dsack_undos;	/* D-SACKs received, undos by them */
	struct tcp_info ti;
};

/* Undos by D-SACKs: in recovery or the loss state (TCP's names). */
static long dsack_undos(const char *ns)
{
	return proto_stat(ns, "DsackUndo", "TCPDSACKUndo") +
	       proto_stat(ns, "LossUndo", "TCPLossUndo");
}

/*
 * 3 MiB paced at 1.6 MB/s from the client over a 20 ms path, with
 * net.*.frto @frto at the client and @o's outage 500 ms in.
 */
static void frto_transfer(struct __test_metadata *_metadata,
			  struct _test_data_opt *self, int port, int frto,
			  struct outage *o, struct frto_run *r)
{
	struct bulk b = { .len = 3 << 20, .chunk = 16384, .pace_us = 10000 };
	struct timeval tv = { .tv_sec = XT(60) };
	pthread_t th, ot;
	char hash[65];

	o->start_ms = 500;
	o->len_ms = 600;
	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_frto" :
				"net.xtcp.frto", frto));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 10ms"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 10ms"));
	r->rtos = rto_count(CLI_NS, 0);
	r->spurious = rto_count(CLI_NS, 1);
	r->dsacks = proto_stat(CLI_NS, "DsackRecv", "TCPDSACKRecv");
	r->dsack_undos = dsack_undos(CLI_NS);
	ASSERT_EQ(0, pair(self, port));
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	b.fd = self->c;
	ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
	ASSERT_EQ(0, pthread_create(&ot, NULL, outage_fn, o));
	EXPECT_EQ(b.len, read_sha256(self->a, SIZE_MAX, hash));
	pthread_join(th, NULL);
	pthread_join(ot, NULL);
	EXPECT_STREQ(b.hash, hash);
	EXPECT_EQ(0, o->rc);
	EXPECT_EQ(0, wait_all_acked(self->c, XT(10) * 1000));
	ASSERT_EQ(0, get_info(self->c, &r->ti));
	r->rtos = rto_count(CLI_NS, 0) - r->rtos;
	r->spurious = rto_count(CLI_NS, 1) - r->spurious;
	r->dsacks = proto_stat(CLI_NS, "DsackRecv", "TCPDSACKRecv") - r->dsacks;
	r->dsack_undos = dsack_undos(CLI_NS) - r->dsack_undos;
	TH_LOG("frto %d, %s on %s: %ld timeouts, %ld spurious; retrans %u, D-SACKs %ld, undone by them %ld; ssthresh %u, cwnd %u",
	       frto, o->during, o->dev, r->rtos, r->spurious,
	       r->ti.tcpi_total_retrans, r->dsacks, r->dsack_undos,
	       r->ti.tcpi_snd_ssthresh, r->ti.tcpi_snd_cwnd);
	close(self->c);
	close(self->a);
	close(self->lfd);
	self->c = self->a = self->lfd = -1;
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc del dev " CLI_IF " root"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc del dev " SRV_IF " root"));
}

/*
 * With timestamps a timeout is found spurious by them first (Eifel,
 * TCPLossUndo): without them, F-RTO does.
 */
static int no_timestamps(void)
{
	return ts_set(CLI_NS, 0);
}

/*
 * F-RTO (RFC 5682): in the middle of a paced transfer the server's ACKs
 * stop for 600 ms (a delay spike: netem holds them 2 s, and those sent
 * after it overtake them), long enough for the sender's retransmission
 * timer.  The first ACK after it covers data sent before the timeout
 * and never resent: the timeout was spurious, and with net.*.frto it is
 * undone (TCPSpuriousRTOs; xtcp's NewReno, having lost nothing, ends
 * with ssthresh back at "infinite").  With frto 0 the same spike counts
 * no spurious timeout and leaves ssthresh lowered, unless D-SACKs came
 * back for every resend, which undoes the reduction in TCP too
 * (tcp_try_undo_loss() once undo_retrans is 0; DsackUndo or LossUndo):
 * the spike's timing decides whether they all do.
 */
TEST_F_TIMEOUT(opt, frto_spurious_timeout_undone, XT(120))
{
	struct outage o = { SRV_NS, SRV_IF, "delay 2000ms" };
	struct frto_run r;
	int frto;

	ASSERT_EQ(0, no_timestamps());
	for (frto = 0; frto <= 2; frto += 2) {
		frto_transfer(_metadata, self, 13080 + frto, frto, &o, &r);
		EXPECT_LE(1, r.rtos);
		EXPECT_EQ(!!frto, !!r.spurious);
		/* xtcp's ssthresh is back at "infinite" only if undone. */
		if (!is_tcp())
			EXPECT_EQ(!!frto || r.dsack_undos > 0,
				  r.ti.tcpi_snd_ssthresh == 0x7fffffffU);
	}
}

/*
 * Eifel (RFC 3522, as tcp_try_undo_loss()): the delay spike of
 * frto_spurious_timeout_undone with timestamps and without F-RTO.  The
 * first ACK after the timeout echoes the TSval of a segment sent before
 * the resend: the resend was not needed, and the timeout is undone
 * (TCPLossUndo; F-RTO counts nothing; xtcp's NewReno, having lost
 * nothing, ends with ssthresh back at "infinite").
 */
TEST_F_TIMEOUT(opt, eifel_undoes_spurious_timeout, XT(120))
{
	struct outage o = { SRV_NS, SRV_IF, "delay 2000ms" };
	struct frto_run r;
	long undo0, undo;

	ASSERT_EQ(0, ts_set(CLI_NS, 1));
	ASSERT_EQ(0, ts_set(SRV_NS, 1));
	undo0 = proto_stat(CLI_NS, "LossUndo", "TCPLossUndo");
	frto_transfer(_metadata, self, 13087, 0, &o, &r);
	undo = proto_stat(CLI_NS, "LossUndo", "TCPLossUndo") - undo0;
	TH_LOG("timestamps, no F-RTO: %ld timeouts undone by Eifel", undo);
	EXPECT_LE(1, r.rtos);
	EXPECT_EQ(0, r.spurious);
	EXPECT_LE(0, undo0);
	EXPECT_LE(1, undo);
	if (!is_tcp())
		EXPECT_EQ(0x7fffffffU, r.ti.tcpi_snd_ssthresh);
}

/*
 * Eifel's other outcome: the client's data is lost for 600 ms, so the
 * ACKs after the timeout echo the resends' TSvals, none older: nothing
 * is undone by timestamps (nor by F-RTO, off), and ssthresh stays down.
 */
TEST_F_TIMEOUT(opt, eifel_real_loss_not_undone, XT(120))
{
	struct outage o = { CLI_NS, CLI_IF, "loss 100%" };
	struct frto_run r;
	long undo0;

	ASSERT_EQ(0, ts_set(CLI_NS, 1));
	ASSERT_EQ(0, ts_set(SRV_NS, 1));
	undo0 = undo_count(CLI_NS);
	frto_transfer(_metadata, self, 13088, 0, &o, &r);
	EXPECT_LE(1, r.rtos);
	EXPECT_EQ(undo0, undo_count(CLI_NS));
	EXPECT_LT(1, r.ti.tcpi_total_retrans);
	if (!is_tcp())
		EXPECT_GT(0x7fffffffU, r.ti.tcpi_snd_ssthresh);
}

/*
 * F-RTO's other outcome: the client's data is lost for 600 ms, so the
 * timeout was real.  The first ACK after it covers only the resent
 * segment; F-RTO sends new data (step 2b), the peer's next ACKs are
 * duplicates with SACK blocks (step 3a), and the rest of the window is
 * resent: no timeout is counted spurious, nothing undone.
 */
TEST_F_TIMEOUT(opt, frto_real_loss_not_undone, XT(120))
{
	struct outage o = { CLI_NS, CLI_IF, "loss 100%" };
	struct frto_run r;

	ASSERT_EQ(0, no_timestamps());
	frto_transfer(_metadata, self, 13085, 2, &o, &r);
	EXPECT_LE(1, r.rtos);
	EXPECT_EQ(0, r.spurious);
	EXPECT_LT(1, r.ti.tcpi_total_retrans);
	if (!is_tcp())
		EXPECT_GT(0x7fffffffU, r.ti.tcpi_snd_ssthresh);
}

/* ---- Tail loss probe and RACK (RFC 8985) ---- */

/*
 * At the server, drop the first @n segments of 200 to 400 bytes (IP
 * length) of the protocol under test: a quota of bytes lets the first
 * @n of them match (each is 240 bytes for xtcp, 252 with kernel TCP's
 * timestamps) and no more.  Over IPv6 the same segments: a payload
 * length of 180 to 380 (IPv6's header is 20 bytes more and not in it),
 * each 260 or 272 bytes, so the quota grows by 20 bytes a segment.
 */
static int drop_small_segments(int n)
{
	static const char rule[] =
		"nft 'add table ip xtlp; add chain ip xtlp pre { type filter hook prerouting priority -300; }; add rule ip xtlp pre ip protocol %d ip length 200-400 quota until %d bytes drop'";
	static const char rule6[] =
		"nft 'add table ip6 xtlp; add chain ip6 xtlp pre { type filter hook prerouting priority -300; }; add rule ip6 xtlp pre ip6 nexthdr %d ip6 length 180-380 quota until %d bytes drop'";

	if (xtcp_family() == AF_INET6)
		return sh_in(SRV_NS, rule6, xtcp_proto(), n * 270 + 120);
	return sh_in(SRV_NS, rule, xtcp_proto(), n * 250 + 120);
}

/* What one tail loss showed at the client. */
struct tail_run {
	long probes, rtos, recovered, lost_retrans;
	double ms;		/* from the writes to the last byte read */
};

/* How a request is written, and what of it the path loses once. */
struct tail_case {
	int er, rack;		/* net.*.early_retrans, net.*.recovery */
	int small;		/* 200-byte segments after 4000 bytes */
	int drops;		/* of those (their copies included) lost */
	int after;		/* then 1000-byte writes, 5 ms apart */
};

/*
 * A request of 4000 bytes, @tc->small writes of 200 bytes and
 * @tc->after paced writes of 1000 bytes, one segment each
 * (TCP_NODELAY), over a 20 ms path (24 ms once the RTT is measured:
 * tail_delay()), of which the first @tc->drops
 * segments of 200 bytes are dropped (a resend of one is one of them).
 * Then one more request, whose ACK settles a loss probe's episode.
 */
/*
 * The one-way delay of tail_path()'s two netem qdiscs, @ms each way.
 */
static int tail_delay(int ms)
{
	return tc_in(CLI_NS, "qdisc change dev " CLI_IF " root netem delay %dms",
		     ms) ||
	       tc_in(SRV_NS, "qdisc change dev " SRV_IF " root netem delay %dms",
		     ms);
}

/*
 * Eight exchanges of 100 bytes each way, each answered at once: the
 * client's SRTT and RTO come from them.
 */
static void round_trips(struct __test_metadata *_metadata,
			struct _test_data_opt *self)
{
	char b[100] = { 0 };
	int i;

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(100, write(self->c, b, 100));
		ASSERT_EQ(100, read_full(self->a, b, 100));
		ASSERT_EQ(100, write(self->a, b, 100));
		ASSERT_EQ(100, read_full(self->c, b, 100));
	}
}

static void tail_loss(struct __test_metadata *_metadata,
		      struct _test_data_opt *self, int port,
		      const struct tail_case *tc, struct tail_run *r)
{
	struct timeval tv = { .tv_sec = XT(20) };
	static char buf[4000 + 3 * 200 + 40 * 1000], got[sizeof(buf)];
	size_t len = 4000 + tc->small * 200 + tc->after * 1000;
	struct tcp_info ti;
	long p0, t0, c0, l0;
	double start;
	int i;

	ASSERT_GE(sizeof(buf), len);
	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_early_retrans" :
				"net.xtcp.early_retrans", tc->er));
	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_recovery" :
				"net.xtcp.recovery", tc->rack));
	ASSERT_EQ(0, pair(self, port));
	ASSERT_EQ(0, setint(self->c, TCP_NODELAY, 1));
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(self->c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ASSERT_EQ(0, tail_delay(10));
	/* Round trips answered at once: the RTT the probe's time is from. */
	round_trips(_metadata, self);
	ASSERT_EQ(0, wait_all_acked(self->c, XT(5) * 1000));
	/*
	 * The path then grows 2 ms longer each way.  A resend's ACK that
	 * comes back sooner than the lowest RTT seen may be the original's
	 * (RFC 8985 section 6.2, step 2): RACK ignores it, and a probe's
	 * SACK would then show nothing lost.  On a path whose delay never
	 * changes the probe's RTT and the handshake's differ by the
	 * emulator's jitter alone, so a test that did not widen it would
	 * pass or fail by chance, for either protocol.
	 */
	ASSERT_EQ(0, tail_delay(12));
	ASSERT_EQ(0, get_info(self->c, &ti));
	p0 = proto_stat(CLI_NS, "LossProbes", "TCPLossProbes");
	t0 = rto_count(CLI_NS, 0);
	c0 = proto_stat(CLI_NS, "LossProbeRecovery", "TCPLossProbeRecovery");
	l0 = proto_stat(CLI_NS, "LostRetransmit", "TCPLostRetransmit");
	ASSERT_EQ(0, drop_small_segments(tc->drops));
	fill_pattern((uint8_t *)buf, len, port);
	start = now_s();
	ASSERT_EQ(4000, write(self->c, buf, 4000));
	for (i = 0; i < tc->small; i++)
		ASSERT_EQ(200, write(self->c, buf + 4000 + i * 200, 200));
	for (i = 0; i < tc->after; i++) {
		usleep(5000);
		ASSERT_EQ(1000, write(self->c, buf + 4000 + tc->small * 200 +
				      i * 1000, 1000));
	}
	ASSERT_EQ((ssize_t)len, read_full(self->a, got, len));
	r->ms = (now_s() - start) * 1000;
	EXPECT_EQ(0, memcmp(buf, got, len));
	EXPECT_EQ(0, wait_all_acked(self->c, XT(5) * 1000));
	r->probes = proto_stat(CLI_NS, "LossProbes", "TCPLossProbes") - p0;
	r->rtos = rto_count(CLI_NS, 0) - t0;
	/* The next request's ACK goes beyond the probe. */
	ASSERT_EQ(1000, write(self->c, buf, 1000));
	ASSERT_EQ(1000, read_full(self->a, got, 1000));
	EXPECT_EQ(0, wait_all_acked(self->c, XT(5) * 1000));
	r->recovered = proto_stat(CLI_NS, "LossProbeRecovery",
				  "TCPLossProbeRecovery") - c0;
	r->lost_retrans = proto_stat(CLI_NS, "LostRetransmit",
				     "TCPLostRetransmit") - l0;
	TH_LOG("early_retrans %d, recovery %d, %d of %d lost, %d after: %.0f ms (srtt %u us, rto %u us), %ld probes, %ld timeouts, %ld repaired by a probe, %ld resends lost",
	       tc->er, tc->rack, tc->drops, tc->small, tc->after, r->ms,
	       ti.tcpi_rtt, ti.tcpi_rto, r->probes, r->rtos, r->recovered,
	       r->lost_retrans);
	sh_in(SRV_NS, xtcp_family() == AF_INET6 ? "nft delete table ip6 xtlp" :
		      "nft delete table ip xtlp");
	close(self->c);
	close(self->a);
	close(self->lfd);
	self->c = self->a = self->lfd = -1;
}

/* A 20 ms path, and segments one per skb for netem and nft alike. */
static int tail_path(void)
{
	if (is_tcp())
		/* Else two small writes may leave as one segment. */
		sysctl_set(CLI_NS, "net.ipv4.tcp_autocorking", 0);
	return one_segment_per_skb() ||
	       tc_in(CLI_NS, "qdisc add dev " CLI_IF " root netem delay 10ms") ||
	       tc_in(SRV_NS, "qdisc add dev " SRV_IF " root netem delay 10ms");
}

/*
 * The tail loss probe (RFC 8985 section 7) and RACK (section 6): the
 * last two segments of a request are lost, so no ACK will ever say so.
 * With net.*.early_retrans 3 the probe, two round trips later, resends
 * the last one; its SACK shows the other missing, sent before a segment
 * that arrived: RACK (net.*.recovery 1) marks it lost and recovery
 * resends it.  No timeout.  With early_retrans 0 only the RTO repairs
 * it, later; without RACK (recovery 0) the probe goes but one SACKed
 * segment is not DupThresh, so the hole waits for the RTO all the same.
 */
TEST_F_TIMEOUT(opt, tlp_tail_loss_without_timeout, XT(60))
{
	static const struct tail_case tc_on = { 3, 1, 2, 2, 0 },
		tc_off = { 0, 1, 2, 2, 0 }, tc_norack = { 3, 0, 2, 2, 0 };
	struct tail_run on, off, norack;

	ASSERT_EQ(0, tail_path());
	tail_loss(_metadata, self, 13100, &tc_on, &on);
	EXPECT_LE(1, on.probes);
	EXPECT_EQ(0, on.rtos);
	tail_loss(_metadata, self, 13101, &tc_off, &off);
	EXPECT_EQ(0, off.probes);
	EXPECT_LE(1, off.rtos);
	/* The probe is due after two RTTs (about 50 ms), the RTO after 200 ms. */
	EXPECT_LT(on.ms, off.ms);
	tail_loss(_metadata, self, 13103, &tc_norack, &norack);
	EXPECT_LE(1, norack.probes);
	EXPECT_LE(1, norack.rtos);
}

/*
 * One segment lost at the tail: the probe resends it, and that alone
 * repairs the loss, with no timeout.  The next ACK beyond the probe
 * shows the original was lost (no D-SACK came for the probe's copy):
 * LossProbeRecovery, and the window comes down as for a loss.
 */
TEST_F_TIMEOUT(opt, tlp_repairs_single_tail_loss, XT(60))
{
	static const struct tail_case tc = { 3, 1, 1, 1, 0 };
	struct tail_run r;

	ASSERT_EQ(0, tail_path());
	tail_loss(_metadata, self, 13102, &tc, &r);
	EXPECT_EQ(1, r.probes);
	EXPECT_EQ(0, r.rtos);
	EXPECT_EQ(1, r.recovered);
}

/*
 * A lost retransmission (RFC 8985 section 6): a 200-byte segment in the
 * middle of a paced request is lost, and so is its first resend.  RACK
 * sees segments sent after that resend arrive (their SACKs) while it
 * does not: it is lost too, and goes again (LostRetransmit), without a
 * timeout.  DupThresh cannot tell a resend lost (its SACKed segments
 * above were all sent before it): without RACK (net.*.recovery 0) only
 * the RTO resends it again, and counts it lost again then.
 */
TEST_F_TIMEOUT(opt, rack_detects_lost_retransmission, XT(60))
{
	static const struct tail_case tc_on = { 3, 1, 1, 2, 30 },
		tc_off = { 3, 0, 1, 2, 30 };
	struct tail_run on, off;

	ASSERT_EQ(0, tail_path());
	tail_loss(_metadata, self, 13104, &tc_on, &on);
	EXPECT_LE(1, on.lost_retrans);
	EXPECT_EQ(0, on.rtos);
	tail_loss(_metadata, self, 13105, &tc_off, &off);
	/* The resend the RTO marks lost counts too, as kernel TCP's. */
	EXPECT_LE(1, off.lost_retrans);
	EXPECT_LE(1, off.rtos);
}

/*
 * A loss found late, its resend in time: the RTO starts again when the
 * oldest segment is resent (tcp_xmit_retransmit_queue()).  Over a
 * 100 ms path without loss probes (early_retrans 0), a 200-byte
 * segment is lost and the next three go only P = RTO - 1.5 RTT later:
 * their SACKs show the loss half an RTT before the RTO armed with the
 * lost segment would fire, and the resend's ACK comes half an RTT
 * after it.  xtcp used to leave that timer running: the timeout fired
 * (RetransTimeouts 1, two resends, a slow start) before the resend's
 * ACK arrived.  Kernel TCP the same: no timeout, one resend.
 */
TEST_F_TIMEOUT(opt, late_found_loss_resend_restarts_rto, XT(60))
{
	struct timeval tv = { .tv_sec = XT(20) };
	static char buf[200 + 3 * 1000], got[sizeof(buf)];
	struct tcp_info ti, t1;
	long t0, rtos;
	useconds_t pause;
	int i;

	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_early_retrans" :
				"net.xtcp.early_retrans", 0));
	ASSERT_EQ(0, sysctl_set(CLI_NS, is_tcp() ? "net.ipv4.tcp_recovery" :
				"net.xtcp.recovery", 1));
	ASSERT_EQ(0, tail_path());
	ASSERT_EQ(0, tail_delay(50));
	ASSERT_EQ(0, pair(self, 13106));
	ASSERT_EQ(0, setint(self->c, TCP_NODELAY, 1));
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Round trips answered at once: SRTT about 100 ms, RTO about 300. */
	round_trips(_metadata, self);
	ASSERT_EQ(0, wait_all_acked(self->c, XT(5) * 1000));
	ASSERT_EQ(0, get_info(self->c, &ti));
	/* Room for half an RTT on either side of the RTO. */
	ASSERT_LT(2 * ti.tcpi_rtt, ti.tcpi_rto);
	pause = ti.tcpi_rto - ti.tcpi_rtt * 3 / 2;
	t0 = rto_count(CLI_NS, 0);
	ASSERT_EQ(0, drop_small_segments(1));
	fill_pattern((uint8_t *)buf, sizeof(buf), 13106);
	ASSERT_EQ(200, write(self->c, buf, 200));
	usleep(pause);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(1000, write(self->c, buf + 200 + i * 1000, 1000));
	ASSERT_EQ((ssize_t)sizeof(buf), read_full(self->a, got, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, got, sizeof(buf)));
	EXPECT_EQ(0, wait_all_acked(self->c, XT(5) * 1000));
	rtos = rto_count(CLI_NS, 0) - t0;
	ASSERT_EQ(0, get_info(self->c, &t1));
	TH_LOG("srtt %u us, rto %u us, pause %u us: %ld timeouts, %u resends",
	       ti.tcpi_rtt, ti.tcpi_rto, pause, rtos,
	       t1.tcpi_total_retrans - ti.tcpi_total_retrans);
	EXPECT_EQ(0, rtos);
	EXPECT_EQ(1, t1.tcpi_total_retrans - ti.tcpi_total_retrans);
	sh_in(SRV_NS, xtcp_family() == AF_INET6 ? "nft delete table ip6 xtlp" :
		      "nft delete table ip xtlp");
}

/* xtcp_cc_example.ko: next to xtcp.ko ($XTCP_KO), else in ./ */
static void example_ko(char *path, size_t size)
{
	const char *ko = getenv("XTCP_KO");
	const char *slash = ko ? strrchr(ko, '/') : NULL;

	if (slash)
		snprintf(path, size, "%.*s/xtcp_cc_example.ko",
			 (int)(slash - ko), ko);
	else
		snprintf(path, size, "./xtcp_cc_example.ko");
}

/*
 * Loads xtcp_cc_example.ko with @params for this test (the teardown
 * unloads it).  Returns NULL, or why the test cannot run, for SKIP:
 * over TCP, or the module is not built.
 */
static const char *example_load(struct __test_metadata *_metadata,
				struct _test_data_opt *self,
				const char *params)
{
	static char path[512], why[600];

	if (is_tcp())
		return "xtcp's own interface";
	example_ko(path, sizeof(path));
	if (access(path, R_OK)) {
		snprintf(why, sizeof(why), "%s is not built", path);
		return why;
	}
	ASSERT_EQ(0, sh("insmod %s %s", path, params));
	self->example = 1;
	return NULL;
}

/*
 * An algorithm in a module of its own (examples/cc/xtcp_cc_example.c,
 * through <net/xtcp_cong.h>): once loaded its name is available and a
 * socket may choose it; its ceiling (max_cwnd=4) shows on the wire,
 * never more than 4 segments unacknowledged while 256 KiB flow (xtcp's
 * own NewReno has 10 at once from the start), or 5 when a tail loss
 * probe went (a probe may send one new segment beyond cwnd, as
 * tcp_send_loss_probe() does).  The socket holds the
 * module: rmmod fails while it exists and works once it is gone, and
 * the name with it.
 */
TEST_F_TIMEOUT(opt, congestion_module_example, XT(60))
{
	char list[256], name[16];
	const char *why;
	uint32_t hi = 0, acked = 0, mss = 1460;
	unsigned int most = 0, n;
	int started = 0;
	socklen_t len;
	long probes;
	size_t i;

	why = example_load(_metadata, self, "max_cwnd=4");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, sysctl_text(CLI_NS, "net/xtcp/available_congestion_control",
				 NULL, list, sizeof(list)));
	EXPECT_STREQ("newreno cubic example example_rate", list);

	self->lfd = xlisten(13011, 4);
	ASSERT_LE(0, self->lfd);
	self->c = xsock(CLI_NS);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, setsockopt(self->c, SOL_TCP, TCP_CONGESTION, "example", 7));
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(self->c, SOL_TCP, TCP_CONGESTION, name, &len));
	EXPECT_STREQ("example", name);
	probes = proto_stat(CLI_NS, "LossProbes", "TCPLossProbes");
	ASSERT_EQ(0, start_capture(self, CLI_NS, CLI_IF));
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 13011));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	ASSERT_EQ(0, transfer(self->c, self->a, 256 << 10));
	stop_capture(self, 200);
	/*
	 * Outstanding data at each segment sent, in segments: from the
	 * first data segment on (sequence numbers compared modulo 2^32, so
	 * neither end may start at 0).
	 */
	for (i = 0; i < self->cap.n; i++) {
		const struct seg *s = &self->cap.segs[i];

		if (s->outgoing && s->len && !started) {
			started = 1;
			acked = s->seq;
			hi = s->seq;
		}
		if (!started)
			continue;
		if (!s->outgoing && (s->flags & XTCP_FLAG_ACK) &&
		    (int32_t)(s->ack - acked) > 0)
			acked = s->ack;
		if (s->outgoing && s->len) {
			if ((int32_t)(s->seq + s->len - hi) > 0)
				hi = s->seq + s->len;
			n = (hi - acked + mss - 1) / mss;
			if (n > most)
				most = n;
		}
	}
	capture_free(&self->cap);
	probes = proto_stat(CLI_NS, "LossProbes", "TCPLossProbes") - probes;
	TH_LOG("example, max_cwnd=4: at most %u segments outstanding, %ld loss probes",
	       most, probes);
	EXPECT_LE(2, most);
	EXPECT_GE(4 + (probes > 0), most);

	/* In use: the module stays. */
	EXPECT_NE(0, sh("rmmod xtcp_cc_example 2>/dev/null"));
	close_abort(self->c);
	self->c = -1;
	close_abort(self->a);
	self->a = -1;
	ASSERT_EQ(0, sh("for i in $(seq 50); do rmmod xtcp_cc_example 2>/dev/null && exit 0; sleep 0.1; done; exit 1"));
	self->example = 0;
	ASSERT_EQ(0, sysctl_text(CLI_NS, "net/xtcp/available_congestion_control",
				 NULL, list, sizeof(list)));
	EXPECT_STREQ("newreno cubic", list);
	self->c = xsock(CLI_NS);
	EXPECT_EQ(-1, setsockopt(self->c, SOL_TCP, TCP_CONGESTION, "example", 7));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * The example module's second algorithm, example_rate: a cong_control
 * hook that hears every ACK and sets cwnd and the pacing rate itself,
 * and asks xtcp to pace without fq, as BBR would.  At rate=250000 B/s
 * 1 MiB over the clean veth takes about 4 s (unpaced, well under one),
 * TCP_INFO reads the rate, and cwnd is the hook's: twice the rate's
 * bytes per min RTT, at least 4 segments, so 4 to 8 on a veth whose RTT
 * is under 10 ms, where xtcp's own algorithms start at 10.
 */
TEST_F_TIMEOUT(opt, congestion_control_hook_paces, XT(60))
{
	struct tcp_info ti = { 0 };
	const char *why;
	char name[16];
	socklen_t len;
	double t0, t;

	why = example_load(_metadata, self, "rate=250000");
	if (why)
		SKIP(return, "%s", why);
	cc_pair(_metadata, self, 13012, "example_rate");
	len = sizeof(name);
	ASSERT_EQ(0, getsockopt(self->c, SOL_TCP, TCP_CONGESTION, name, &len));
	EXPECT_STREQ("example_rate", name);
	t0 = now_s();
	ASSERT_EQ(0, transfer(self->c, self->a, 1 << 20));
	t = now_s() - t0;
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	TH_LOG("example_rate at 250000 B/s: 1 MiB in %.2f s; pacing_rate %llu, cwnd %u, min_rtt %u us",
	       t, (unsigned long long)ti.tcpi_pacing_rate, ti.tcpi_snd_cwnd,
	       ti.tcpi_min_rtt);
	EXPECT_LT(3.5, t);
	EXPECT_GT(9.0, t);
	EXPECT_EQ(250000, ti.tcpi_pacing_rate);
	EXPECT_LE(4, ti.tcpi_snd_cwnd);
	EXPECT_GE(8, ti.tcpi_snd_cwnd);
}

/* A module parameter of xtcp_cc_example, or -1. */
static long example_param(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/module/xtcp_cc_example/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * cong_control's sample counts the segments the ACK's loss detection
 * marked lost (losses, as TCP's rate sample's): example_rate sums them
 * in its read-only parameter "losses".  512 KiB at 250,000 B/s over a
 * 40 ms path losing 3% of the data: the losses heard are the segments
 * SACKs and RACK found lost, at most what was resent (a timeout's
 * resends are no ACK's) and at least half of it.
 */
TEST_F_TIMEOUT(opt, congestion_control_hears_losses, XT(60))
{
	const char *why;
	long r0, r1, heard;

	why = example_load(_metadata, self, "rate=250000");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, example_param("losses"));
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 20ms loss 3%%"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 20ms"));
	r0 = retrans_segs(CLI_NS);
	cc_pair(_metadata, self, 13098, "example_rate");
	ASSERT_EQ(0, transfer(self->c, self->a, 512 << 10));
	ASSERT_EQ(0, wait_all_acked(self->c, XT(5000)));
	r1 = retrans_segs(CLI_NS);
	heard = example_param("losses");
	tc_in(CLI_NS, "qdisc del dev " CLI_IF " root");
	tc_in(SRV_NS, "qdisc del dev " SRV_IF " root");
	TH_LOG("example_rate heard %ld segments lost; %ld resent", heard,
	       r1 - r0);
	EXPECT_LT(0, r1 - r0);
	EXPECT_LT(0, heard);
	EXPECT_GE(r1 - r0, heard);
	EXPECT_LE((r1 - r0) / 2, heard);
}

/* What one bulk run over bbr_path() saw at its sender. */
struct bbr_run {
	double mbit;		/* goodput */
	uint32_t rtt_p50;	/* median smoothed RTT after the first MiB, us */
	uint32_t rtt_late;	/* the same over the last quarter of the run */
	uint32_t min_rtt;	/* tcpi_min_rtt at the end, us */
	uint64_t pace_p50;	/* median pacing rate after the first MiB, B/s */
	uint32_t cwnd;		/* cwnd at the end */
};

struct sha_reader {
	int fd;
	size_t got;
	char hash[65];
};

static void *sha_reader_fn(void *arg)
{
	struct sha_reader *r = arg;

	r->got = read_sha256(r->fd, SIZE_MAX, r->hash);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * What BBR shows of its model after the transfer: TCP_CC_INFO's struct
 * tcp_bbr_info (bandwidth near the bottleneck's 1.25 MB/s, the path's
 * 20 ms as its min RTT, PROBE_BW's cwnd gain of 2) and the same in
 * ss -i's "bbr:(bw:...)": over TCP, xtcp-ss --proto 6 prints what ss
 * prints for the socket; over xtcp, xtcp-ss (xtcp_diag.ko) prints it.
 */
static void bbr_cc_info(struct __test_metadata *_metadata,
			struct _test_data_opt *self)
{
	/* ss's bbr:(...) and xtcp-ss's, the same socket's, are the same. */
	static const char ss_same[] =
		"a=$(ip netns exec %s ss -tin | grep -o 'bbr:([^)]*)') && [ -n \"$a\" ] && echo \"ss: $a\" && [ \"$a\" = \"$(ip netns exec %s tools/xtcp-ss/xtcp-ss --proto 6 -tin | grep -o 'bbr:([^)]*)')\" ]";
	/* xtcp-ss's for xtcp's BBR, in PROBE_BW on the 20 ms path. */
	static const char xss_bbr[] =
		"a=$(ip netns exec %s tools/xtcp-ss/xtcp-ss -tin | grep -o 'bbr:([^)]*)') && echo \"xtcp-ss: $a\" && echo \"$a\" | grep -Eq '^bbr:\\(bw:[1-9][0-9]*bps,mrtt:2[0-9.]*,pacing_gain:[0-9.]+,cwnd_gain:2\\)$'";
	struct tcp_bbr_info bi = { 0 };
	socklen_t len = sizeof(bi);
	char dir[512], *slash;
	bool ours;		/* xtcp_diag.ko loaded here, unloaded after */
	uint64_t bw;

	ASSERT_EQ(0, getsockopt(self->c, SOL_TCP, TCP_CC_INFO, &bi, &len));
	ASSERT_EQ(sizeof(bi), len);
	bw = (uint64_t)bi.bbr_bw_hi << 32 | bi.bbr_bw_lo;
	TH_LOG("TCP_CC_INFO: bw %llu B/s, min_rtt %u us, pacing_gain %u, cwnd_gain %u",
	       (unsigned long long)bw, bi.bbr_min_rtt, bi.bbr_pacing_gain,
	       bi.bbr_cwnd_gain);
	EXPECT_LE(10000000 / 8 * 6 / 10, bw);
	EXPECT_GE(10000000 / 8 * 13 / 10, bw);
	EXPECT_LE(20000, bi.bbr_min_rtt);
	EXPECT_GE(30000, bi.bbr_min_rtt);
	EXPECT_EQ(512, bi.bbr_cwnd_gain);
	EXPECT_LE(192, bi.bbr_pacing_gain);
	EXPECT_GE(320, bi.bbr_pacing_gain);
	if (access("tools/xtcp-ss/xtcp-ss", X_OK)) {
		TH_LOG("tools/xtcp-ss/xtcp-ss is not built: ss -i's line not compared");
		return;
	}
	if (is_tcp()) {
		EXPECT_EQ(0, sh(ss_same, CLI_NS, CLI_NS));
		return;
	}
	example_ko(dir, sizeof(dir));
	slash = strrchr(dir, '/');
	*slash = 0;
	ours = !!sh("grep -q '^xtcp_diag ' /proc/modules");
	if (ours && (sh("modprobe inet_diag") ||
		     sh("insmod %s/xtcp_diag.ko", dir))) {
		/* No sock_diag on this kernel: xtcp_diag.sh says why. */
		TH_LOG("no xtcp_diag.ko: xtcp-ss -i not read");
		return;
	}
	EXPECT_EQ(0, sh(xss_bbr, CLI_NS));
	if (ours)
		sh("rmmod xtcp_diag");
}

/*
 * 8 MiB from the client with congestion control @cc through the path
 * the test built: TCP_INFO every 20 ms at the sender.
 */
static void bbr_bulk(struct __test_metadata *_metadata,
		     struct _test_data_opt *self, int port, const char *cc,
		     struct bbr_run *run)
{
	static uint64_t rtt[4096], pace[4096];
	struct bulk b = { .len = 8 << 20 };
	struct sha_reader r = { 0 };
	struct tcp_info ti;
	pthread_t tw, tr;
	size_t n = 0;
	double t0;

	struct timeval tv = { .tv_sec = XT(60) };

	cc_pair(_metadata, self, port, cc);
	/* A stall fails the comparison of lengths, not the test's clock. */
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r.fd = self->a;
	b.fd = self->c;
	t0 = now_s();
	ASSERT_EQ(0, pthread_create(&tr, NULL, sha_reader_fn, &r));
	ASSERT_EQ(0, pthread_create(&tw, NULL, bulk_writer, &b));
	/* Until the reader has it all (or the writer fails: it closes). */
	while (pthread_tryjoin_np(tr, NULL)) {
		usleep(20000);
		if (get_info(self->c, &ti) || ti.tcpi_bytes_acked < (1 << 20) ||
		    n == ARRAY_SIZE(rtt))
			continue;
		rtt[n] = ti.tcpi_rtt;
		pace[n++] = ti.tcpi_pacing_rate;
	}
	run->mbit = b.len * 8 / (now_s() - t0) / 1e6;
	pthread_join(tw, NULL);
	ASSERT_EQ(b.len, r.got);
	EXPECT_STREQ(b.hash, r.hash);
	ASSERT_EQ(0, get_info(self->c, &ti));
	ASSERT_LT(10, n);
	qsort(rtt + n - n / 4, n / 4, sizeof(rtt[0]), cmp_u64);
	run->rtt_late = rtt[n - n / 8];
	qsort(rtt, n, sizeof(rtt[0]), cmp_u64);
	qsort(pace, n, sizeof(pace[0]), cmp_u64);
	run->rtt_p50 = rtt[n / 2];
	run->pace_p50 = pace[n / 2];
	run->min_rtt = ti.tcpi_min_rtt;
	run->cwnd = ti.tcpi_snd_cwnd;
	if (!strcmp(cc, "bbr"))
		bbr_cc_info(_metadata, self);
	TH_LOG("%s: %.2f Mbit/s, srtt p50 %u us, in the last quarter %u (min RTT %u), pacing p50 %llu B/s, cwnd %u, retrans %u",
	       cc, run->mbit, run->rtt_p50, run->rtt_late, run->min_rtt,
	       (unsigned long long)run->pace_p50, run->cwnd,
	       ti.tcpi_total_retrans);
	close_abort(self->c);
	close_abort(self->a);
	close(self->lfd);
	self->c = self->a = self->lfd = -1;
}

/*
 * BBR (module/bbr.c, xtcp_bbr.ko; over TCP, the kernel's tcp_bbr) at a
 * 10 Mbit/s bottleneck with a deep queue (700 packets, 800 ms of them)
 * and 20 ms of propagation delay: it fills the pipe, not the queue.
 * BBR's median smoothed RTT stays within 3.5 times the path's (cwnd is
 * twice the BDP, plus room for the skbs and, in tcp_bbr, for ACK
 * aggregation: tcp_bbr's reads 2.2-2.6 times), in the run's last
 * quarter too, at 70% or more of the bottleneck, paced near its rate;
 * CUBIC, loss-based, keeps filling the queue, to 5 times the path's
 * RTT or more in its last quarter (6.9-19 times seen: the test's
 * witness that the path is one where the two differ).
 */
TEST_F_TIMEOUT(opt, congestion_bbr_fills_the_pipe_not_the_queue, XT(180))
{
	struct bbr_run bbr, cubic;
	char path[512];

	if (is_tcp()) {
		if (sh("modprobe tcp_bbr"))
			SKIP(return, "no tcp_bbr module");
	} else {
		example_ko(path, sizeof(path));
		strcpy(strrchr(path, '/') + 1, "xtcp_bbr.ko");
		if (access(path, R_OK))
			SKIP(return, "%s is not built", path);
		ASSERT_EQ(0, sh("insmod %s", path));
		self->bbr = 1;
	}
	/*
	 * netem's queue, not tbf's: netem orphans what it holds, so TCP
	 * Small Queues does not keep the queue short for the sender.
	 */
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 10ms rate 10mbit limit 700"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 10ms limit 10000"));
	bbr_bulk(_metadata, self, 13130, "bbr", &bbr);
	bbr_bulk(_metadata, self, 13131, "cubic", &cubic);
	EXPECT_LE(7.0, bbr.mbit);
	EXPECT_GE(bbr.min_rtt * 7 / 2, bbr.rtt_p50);
	EXPECT_GE(bbr.min_rtt * 7 / 2, bbr.rtt_late);
	EXPECT_LE(10000000 / 8 * 6 / 10, bbr.pace_p50);
	EXPECT_GE(10000000 / 8 * 16 / 10, bbr.pace_p50);
	EXPECT_LE(cubic.min_rtt * 5, cubic.rtt_late);
}

/*
 * One connection with the example algorithm: 128 KiB through the queue
 * of congestion_module_pkts_acked, TCP_INFO after.
 */
static int example_run(int port, struct tcp_info *ti)
{
	int lfd = xlisten(port, 4), c = xsock(CLI_NS), a = -1, err = -1;

	if (lfd >= 0 && c >= 0 &&
	    !setsockopt(c, SOL_TCP, TCP_CONGESTION, "example", 7) &&
	    !do_connect(c, SRV_ADDR, port))
		a = accept(lfd, NULL, NULL);
	if (a >= 0 && !transfer(c, a, 128 << 10) &&
	    !wait_all_acked(c, XT(5000)))
		err = get_info(c, ti);
	if (a >= 0)
		close_abort(a);
	if (c >= 0)
		close_abort(c);
	if (lfd >= 0)
		close(lfd);
	return err;
}

/*
 * The pkts_acked hook hears every ACK's RTT sample: the example's
 * ss_delay_us ends slow start with it.  10 Mbit/s through a netem queue
 * of 24 packets (netem, unlike tbf, lets the skbs go from TCP Small
 * Queues' count, so the queue builds there), 5 ms back: plain slow
 * start overflows it within 128 KiB (resends); with ss_delay_us=2000
 * slow start ends once 2 ms of queue builds, in the first round or two,
 * and one segment more a round (Reno's) does not fill the queue before
 * the 90 segments are through: ssthresh is set and nothing is resent.
 */
TEST_F_TIMEOUT(opt, congestion_module_pkts_acked, XT(90))
{
	struct tcp_info off, on;
	const char *why;

	why = example_load(_metadata, self, "");
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem rate 10mbit limit 24"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 5ms"));
	ASSERT_EQ(0, example_run(13013, &off));
	ASSERT_EQ(0, sh("echo 2000 >/sys/module/xtcp_cc_example/parameters/ss_delay_us"));
	ASSERT_EQ(0, example_run(13014, &on));
	TH_LOG("ss_delay_us 0: ssthresh %u, resent %u, min_rtt %u us; 2000: ssthresh %u, cwnd %u, resent %u, rtt %u us",
	       off.tcpi_snd_ssthresh, off.tcpi_total_retrans, off.tcpi_min_rtt,
	       on.tcpi_snd_ssthresh, on.tcpi_snd_cwnd, on.tcpi_total_retrans,
	       on.tcpi_rtt);
	/* The queue overflows without the rule: the setup can tell. */
	EXPECT_LT(0, off.tcpi_total_retrans);
	EXPECT_EQ(0, on.tcpi_total_retrans);
	EXPECT_GT(0x7fffffffU, on.tcpi_snd_ssthresh);
	EXPECT_GE(24, on.tcpi_snd_ssthresh);
}

/* ---- TCP_QUICKACK ---- */

/*
 * When did the server see @len bytes of data from the client, and when
 * did its first ACK covering them leave?  From the capture on vs, for
 * the data after sequence number @after.  0 when not found.
 */
static void ack_delay(const struct capture *cap, int port, uint32_t after,
		      double *t_data, double *t_ack)
{
	uint32_t end = 0;
	size_t i;

	*t_data = 0;
	*t_ack = 0;
	for (i = 0; i < cap->n; i++) {
		const struct seg *s = &cap->segs[i];

		if (!s->outgoing && s->dport == port && s->len &&
		    (int32_t)(s->seq - after) >= 0 && !*t_data) {
			*t_data = s->t;
			end = s->seq + s->len;
		} else if (*t_data && s->outgoing && s->sport == port &&
			   (s->flags & XTCP_FLAG_ACK) &&
			   (int32_t)(s->ack - end) >= 0) {
			*t_ack = s->t;
			return;
		}
	}
}

/* The client's next sequence number, as the server will see it. */
static uint32_t next_seq(const struct capture *cap, int cport)
{
	uint32_t seq = 0;
	size_t i;

	for (i = 0; i < cap->n; i++)
		if (cap->segs[i].sport == cport)
			seq = cap->segs[i].seq + cap->segs[i].len +
			      !!(cap->segs[i].flags & XTCP_FLAG_SYN);
	return seq;
}

/*
 * In an interactive exchange (ping-pong mode, TCP_QUICKACK 0) the
 * server's ACK of a short request waits for an answer to ride on, even
 * after the request was read.  TCP_QUICKACK 1 leaves that mode and the
 * ACK still held goes at once, during the call.
 */
TEST_F(opt, quickack_sends_held_ack)
{
	double t_data, t_ack, t_before, t_set;
	char buf[16];
	uint32_t seq;

	ASSERT_EQ(0, pair(self, 13004));
	ASSERT_EQ(0, start_capture(self, SRV_NS, SRV_IF));
	/* A request and its answer: interactive. */
	ASSERT_EQ(0, write_all(self->c, "ping", 4));
	ASSERT_EQ(4, read_full(self->a, buf, 4));
	ASSERT_EQ(0, write_all(self->a, "pong", 4));
	ASSERT_EQ(4, read_full(self->c, buf, 4));
	usleep(300000);

	/* Ping-pong mode: the ACK of what was read is held. */
	ASSERT_EQ(0, setint(self->a, TCP_QUICKACK, 0));
	EXPECT_EQ(0, getint(self->a, TCP_QUICKACK));
	usleep(100000);
	seq = next_seq(&self->cap, self->cport);
	ASSERT_EQ(0, write_all(self->c, "0123456789", 10));
	ASSERT_EQ(10, read_full(self->a, buf, 10));
	usleep(400000);
	ack_delay(&self->cap, 13004, seq, &t_data, &t_ack);
	ASSERT_NE(0, t_data);
	ASSERT_NE(0, t_ack);
	TH_LOG("ping-pong: ACK %.1f ms after the data", (t_ack - t_data) * 1e3);
	EXPECT_LE(0.025, t_ack - t_data);

	/* Again, then TCP_QUICKACK 1 right after the read: the ACK goes. */
	ASSERT_EQ(0, setint(self->a, TCP_QUICKACK, 0));
	usleep(100000);
	seq = next_seq(&self->cap, self->cport);
	ASSERT_EQ(0, write_all(self->c, "abcdefghij", 10));
	ASSERT_EQ(10, read_full(self->a, buf, 10));
	t_before = now_rt();
	ASSERT_EQ(0, setint(self->a, TCP_QUICKACK, 1));
	t_set = now_rt();
	EXPECT_EQ(1, getint(self->a, TCP_QUICKACK));
	usleep(300000);
	stop_capture(self, 0);
	ack_delay(&self->cap, 13004, seq, &t_data, &t_ack);
	ASSERT_NE(0, t_data);
	ASSERT_NE(0, t_ack);
	TH_LOG("quickack: ACK %.1f ms after the data, %.1f ms into the call of %.1f ms",
	       (t_ack - t_data) * 1e3, (t_ack - t_before) * 1e3,
	       (t_set - t_before) * 1e3);
	/*
	 * The ACK left during the call; or, if the reader woke late, when
	 * the delayed-ACK timer fired before it: never with the data.
	 */
	EXPECT_GE(t_set + 0.001, t_ack);
	if (t_ack < t_before)
		EXPECT_LE(0.035, t_ack - t_data);
	capture_free(&self->cap);
}

/* ---- TCP_DEFER_ACCEPT ---- */

/* Seconds asked for, and read back as SYN-ACK retransmissions span them. */
TEST_F(opt, defer_accept_rounding)
{
	static const int vals[][2] = {
		{ 0, 0 }, { -1, 0 }, { 1, 1 }, { 2, 3 }, { 3, 3 }, { 4, 7 },
		{ 5, 7 }, { 8, 15 }, { 100, 127 }, { 200, 247 },
		{ 0x7fffffff, 29887 },
	};
	int fd = xsock(SRV_NS), ref = tcp_sock(SRV_NS);
	unsigned int i;

	ASSERT_LE(0, fd);
	ASSERT_LE(0, ref);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		EXPECT_EQ(0, setint(fd, TCP_DEFER_ACCEPT, vals[i][0]));
		EXPECT_EQ(0, setint(ref, TCP_DEFER_ACCEPT, vals[i][0]));
		EXPECT_EQ(getint(ref, TCP_DEFER_ACCEPT),
			  getint(fd, TCP_DEFER_ACCEPT)) TH_LOG("%d s", vals[i][0]);
		EXPECT_EQ(vals[i][1], getint(fd, TCP_DEFER_ACCEPT))
			TH_LOG("%d s", vals[i][0]);
	}
	EXPECT_EQ(-1, setsockopt(fd, SOL_TCP, TCP_DEFER_ACCEPT, "", 2));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	close(ref);
}

static int readable_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/*
 * A listener with TCP_DEFER_ACCEPT 1 s does not offer the connection to
 * accept() when the handshake ends, but when the first data comes; with
 * none, once the period is over (a SYN-ACK resent, whose ACK counts).
 * An accepted socket does not inherit the option.
 */
TEST_F(opt, defer_accept_waits_for_data)
{
	int c2 = -1, a2;
	double t0, t;
	char buf[8];

	self->lfd = xsock(SRV_NS);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, setint(self->lfd, TCP_DEFER_ACCEPT, 1));
	ASSERT_EQ(0, do_bind(self->lfd, SRV_ADDR, 13005));
	ASSERT_EQ(0, listen(self->lfd, 8));
	EXPECT_EQ(1, getint(self->lfd, TCP_DEFER_ACCEPT));

	/* Connected for the client; nothing to accept before data. */
	self->c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 13005));
	EXPECT_FALSE(readable_within(self->lfd, 400));
	t0 = now_s();
	ASSERT_EQ(0, write_all(self->c, "hello", 5));
	ASSERT_TRUE(readable_within(self->lfd, 2000));
	t = now_s() - t0;
	TH_LOG("accept() ready %.0f ms after the data", t * 1e3);
	EXPECT_GT(XT(0.7), t);
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	ASSERT_TRUE(readable_within(self->a, 1000));
	EXPECT_EQ(5, recv(self->a, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, getint(self->a, TCP_DEFER_ACCEPT));

	/* No data: accept() once the second is over. */
	c2 = xsock(CLI_NS);
	ASSERT_LE(0, c2);
	t0 = now_s();
	ASSERT_EQ(0, do_connect(c2, SRV_ADDR, 13005));
	ASSERT_TRUE(readable_within(self->lfd, XT(6) * 1000));
	t = now_s() - t0;
	TH_LOG("accept() ready %.0f ms after connect() without data", t * 1e3);
	EXPECT_LE(0.8, t);
	EXPECT_GT(XT(4.5), t);
	a2 = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, a2);
	EXPECT_EQ(0, write_all(c2, "late", 4));
	EXPECT_EQ(4, read_full(a2, buf, 4));
	close_abort(a2);
	close_abort(c2);
}

/* ---- TCP_SYNCNT ---- */

TEST_F(opt, syncnt_limits)
{
	int fd = xsock(CLI_NS);

	ASSERT_LE(0, fd);
	EXPECT_EQ(proto_sysctl(CLI_NS, "xtcp.syn_retries",
			       "ipv4.tcp_syn_retries"),
		  getint(fd, TCP_SYNCNT));
	EXPECT_EQ(-EINVAL, setint(fd, TCP_SYNCNT, 0));
	EXPECT_EQ(-EINVAL, setint(fd, TCP_SYNCNT, -1));
	EXPECT_EQ(-EINVAL, setint(fd, TCP_SYNCNT, 128));
	EXPECT_EQ(0, setint(fd, TCP_SYNCNT, 127));
	EXPECT_EQ(127, getint(fd, TCP_SYNCNT));
	EXPECT_EQ(0, setint(fd, TCP_SYNCNT, 1));
	EXPECT_EQ(1, getint(fd, TCP_SYNCNT));
	close(fd);
}

/*
 * TCP_SYNCNT 1 towards a host that never answers: the SYN and one
 * retransmission (1 s later), then ETIMEDOUT after the doubled timeout,
 * 3 s in all, where net.*.syn_retries (6) would take two minutes.
 */
TEST_F(opt, syncnt_bounds_syn_retries)
{
	struct pollfd p = { .events = POLLOUT };
	int syns = 0, rc;
	double t0, t;
	size_t i;

	self->c = xsock(CLI_NS);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, setint(self->c, TCP_SYNCNT, 1));
	ASSERT_EQ(0, start_capture(self, CLI_NS, CLI_IF));
	set_nonblock(self->c, 1);
	t0 = now_s();
	rc = do_connect(self->c, "10.99.0.4", 13006);
	ASSERT_EQ(-1, rc);
	ASSERT_EQ(EINPROGRESS, errno);
	p.fd = self->c;
	ASSERT_EQ(1, poll(&p, 1, XT(8) * 1000));
	t = now_s() - t0;
	EXPECT_EQ(ETIMEDOUT, so_error(self->c));
	stop_capture(self, 100);
	for (i = 0; i < self->cap.n; i++)
		if (self->cap.segs[i].outgoing &&
		    self->cap.segs[i].dport == 13006 &&
		    (self->cap.segs[i].flags & XTCP_FLAG_SYN))
			syns++;
	TH_LOG("%d SYNs, ETIMEDOUT after %.2f s", syns, t);
	EXPECT_EQ(2, syns);
	EXPECT_LE(2.5, t);
	EXPECT_GT(XT(4.5), t);
	capture_free(&self->cap);
}

/* ---- TCP_LINGER2 ---- */

TEST_F(opt, linger2_limits)
{
	long fin = proto_sysctl(CLI_NS, "xtcp.fin_timeout",
				"ipv4.tcp_fin_timeout");
	int fd = xsock(CLI_NS);

	ASSERT_LE(0, fd);
	ASSERT_LT(0, fin);
	EXPECT_EQ(fin, getint(fd, TCP_LINGER2));
	EXPECT_EQ(0, setint(fd, TCP_LINGER2, 2));
	EXPECT_EQ(2, getint(fd, TCP_LINGER2));
	EXPECT_EQ(0, setint(fd, TCP_LINGER2, -5));
	EXPECT_EQ(-1, getint(fd, TCP_LINGER2));
	EXPECT_EQ(0, setint(fd, TCP_LINGER2, 1000));
	EXPECT_EQ(120, getint(fd, TCP_LINGER2));
	EXPECT_EQ(0, setint(fd, TCP_LINGER2, 120));
	EXPECT_EQ(120, getint(fd, TCP_LINGER2));
	EXPECT_EQ(0, setint(fd, TCP_LINGER2, 0));
	EXPECT_EQ(fin, getint(fd, TCP_LINGER2));
	close(fd);
}

/*
 * Wait up to @ms for the client's socket to reach @want (-1: gone);
 * returns the time it took, or -1.
 */
static double wait_proto_state(int lport, int want, int ms)
{
	double t0 = now_s(), end = t0 + ms / 1000.0;

	do {
		if (proto_state(CLI_NS, lport) == want)
			return now_s() - t0;
		usleep(20000);
	} while (now_s() < end);
	return -1;
}

/*
 * An orphan in FIN-WAIT-2 (the peer acknowledged our FIN, sends none)
 * lasts TCP_LINGER2 seconds, here 2 where net.*.fin_timeout is longer;
 * with TCP_LINGER2 below 0 it goes as soon as it gets there.
 */
TEST_F(opt, linger2_bounds_fin_wait2)
{
	int c2, a2, port2;
	double t;

	ASSERT_EQ(0, pair(self, 13007));
	ASSERT_EQ(0, setint(self->c, TCP_LINGER2, 2));
	close(self->c);
	self->c = -1;
	ASSERT_LE(0, wait_proto_state(self->cport, XTCP_FIN_WAIT2, 2000));
	t = wait_proto_state(self->cport, -1, XT(8) * 1000);
	TH_LOG("FIN-WAIT-2 lasted %.2f s", t);
	EXPECT_LE(1.5, t);
	EXPECT_GT(XT(3.5), t);

	/* Below 0: no FIN-WAIT-2 worth the name. */
	c2 = xsock(CLI_NS);
	ASSERT_LE(0, c2);
	ASSERT_EQ(0, do_connect(c2, SRV_ADDR, 13007));
	a2 = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, a2);
	port2 = local_port(c2);
	ASSERT_EQ(0, setint(c2, TCP_LINGER2, -1));
	close(c2);
	t = wait_proto_state(port2, -1, XT(3) * 1000);
	TH_LOG("with TCP_LINGER2 -1, gone after %.2f s", t);
	EXPECT_LE(0, t);
	EXPECT_GT(XT(1), t);
	close_abort(a2);
}

/* ---- TCP_WINDOW_CLAMP ---- */

TEST_F(opt, window_clamp_limits)
{
	int fd = xsock(CLI_NS), ref = tcp_sock(CLI_NS);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, ref);
	EXPECT_EQ(0, getint(fd, TCP_WINDOW_CLAMP));
	EXPECT_EQ(0, setint(fd, TCP_WINDOW_CLAMP, 0));
	EXPECT_EQ(0, getint(fd, TCP_WINDOW_CLAMP));
	EXPECT_EQ(0, setint(fd, TCP_WINDOW_CLAMP, 5000));
	EXPECT_EQ(5000, getint(fd, TCP_WINDOW_CLAMP));
	/* Below half the smallest receive buffer: that half (the kernel's). */
	EXPECT_EQ(0, setint(fd, TCP_WINDOW_CLAMP, 100));
	EXPECT_EQ(0, setint(ref, TCP_WINDOW_CLAMP, 100));
	EXPECT_EQ(getint(ref, TCP_WINDOW_CLAMP), getint(fd, TCP_WINDOW_CLAMP));
	EXPECT_LT(100, getint(fd, TCP_WINDOW_CLAMP));
	EXPECT_EQ(0, setint(fd, TCP_WINDOW_CLAMP, -1));
	EXPECT_EQ(0, setint(ref, TCP_WINDOW_CLAMP, -1));
	EXPECT_EQ(getint(ref, TCP_WINDOW_CLAMP), getint(fd, TCP_WINDOW_CLAMP));
	close(fd);
	close(ref);

	/* 0 only on a closed socket. */
	ASSERT_EQ(0, pair(self, 13008));
	EXPECT_EQ(-EINVAL, setint(self->c, TCP_WINDOW_CLAMP, 0));
	EXPECT_EQ(0, setint(self->c, TCP_WINDOW_CLAMP, 8000));
	EXPECT_EQ(8000, getint(self->c, TCP_WINDOW_CLAMP));
}

/*
 * TCP_WINDOW_CLAMP 5000 before connect(): every window the client
 * offers, its SYN's too, is at most 5000 bytes while 200 KB come its
 * way (without it, the buffer would offer some 64 KB).
 */
TEST_F(opt, window_clamp_bounds_wire_window)
{
	int syn_ws = -1, synack_ws = -1, shift, over = 0, segs = 0;
	uint32_t maxwin = 0;
	size_t i;

	self->lfd = xlisten(13009, 8);
	ASSERT_LE(0, self->lfd);
	self->c = xsock(CLI_NS);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, setint(self->c, TCP_WINDOW_CLAMP, 5000));
	/*
	 * A fixed receive buffer: 6.1's TCP lets buffer auto-tuning raise
	 * window_clamp past what was set (tcp_rcv_space_adjust()).
	 */
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_RCVBUF,
				&(int){ 131072 }, sizeof(int)));
	ASSERT_EQ(0, start_capture(self, CLI_NS, CLI_IF));
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 13009));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	self->cport = local_port(self->c);
	ASSERT_EQ(0, transfer(self->a, self->c, 200000));
	stop_capture(self, 200);

	/* The client's windows are scaled if both SYNs offered scaling. */
	for (i = 0; i < self->cap.n; i++) {
		const struct seg *s = &self->cap.segs[i];

		if (!(s->flags & XTCP_FLAG_SYN))
			continue;
		if (s->outgoing && s->sport == self->cport)
			syn_ws = s->wscale;
		else if (!s->outgoing && s->dport == self->cport)
			synack_ws = s->wscale;
	}
	shift = syn_ws >= 0 && synack_ws >= 0 ? syn_ws : 0;
	for (i = 0; i < self->cap.n; i++) {
		const struct seg *s = &self->cap.segs[i];
		uint32_t win;

		if (!s->outgoing || s->sport != self->cport)
			continue;
		win = s->flags & XTCP_FLAG_SYN ? s->win :
		      (uint32_t)s->win << shift;
		segs++;
		if (win > maxwin)
			maxwin = win;
		if (win > 5000)
			over++;
	}
	TH_LOG("%d segments from the client, largest window %u (scale %d)",
	       segs, maxwin, shift);
	EXPECT_LT(10, segs);
	EXPECT_EQ(0, over);
	EXPECT_LE(2500, maxwin);
	capture_free(&self->cap);
}

/* ---- TCP_NOTSENT_LOWAT ---- */

TEST_F(opt, notsent_lowat_limits)
{
	int fd = xsock(CLI_NS);

	ASSERT_LE(0, fd);
	EXPECT_EQ(4294967295L, proto_sysctl(CLI_NS, "xtcp.notsent_lowat",
					    "ipv4.tcp_notsent_lowat"));
	EXPECT_EQ(0, getint(fd, TCP_NOTSENT_LOWAT));
	EXPECT_EQ(0, setint(fd, TCP_NOTSENT_LOWAT, 4096));
	EXPECT_EQ(4096, getint(fd, TCP_NOTSENT_LOWAT));
	EXPECT_EQ(0, setint(fd, TCP_NOTSENT_LOWAT, -1));
	EXPECT_EQ(-1, getint(fd, TCP_NOTSENT_LOWAT));
	EXPECT_EQ(-1, setsockopt(fd, SOL_TCP, TCP_NOTSENT_LOWAT, "ab", 2));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* Write to non-blocking @fd until it refuses for @settle_ms; bytes written. */
static size_t fill(int fd, int settle_ms)
{
	static char junk[16384];
	double quiet = now_s();
	size_t total = 0;

	while (now_s() - quiet < settle_ms / 1000.0) {
		ssize_t n = write(fd, junk, sizeof(junk));

		if (n > 0) {
			total += n;
			quiet = now_s();
		} else {
			usleep(10000);
		}
		if (total > (64u << 20))
			break;
	}
	return total;
}

static int writable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLOUT);
}

static uint32_t notsent(int fd)
{
	struct tcp_info ti;

	return get_info(fd, &ti) ? ~0U : ti.tcpi_notsent_bytes;
}

#define LOWAT	16384

/*
 * The server does not read: the client's data waits unsent behind the
 * closed window.  With TCP_NOTSENT_LOWAT 16 KB the client may queue
 * about that much, and poll() does not say writable; without it (0: the
 * sysctl's "no limit") it queues much more in the same send buffer.
 * Once the server reads, the unsent data leaves and poll() wakes.
 */
TEST_F(opt, notsent_lowat_limits_unsent)
{
	struct reader r;
	size_t w1, w2;
	uint32_t n;

	ASSERT_EQ(0, pair(self, 13010));
	/* A send buffer far larger than the limit. */
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUFFORCE,
				&(int){ 1 << 20 }, sizeof(int)));
	set_nonblock(self->c, 1);
	ASSERT_EQ(0, setint(self->c, TCP_NOTSENT_LOWAT, LOWAT));
	w1 = fill(self->c, 300);
	n = notsent(self->c);
	TH_LOG("lowat %d: %zu bytes written, %u unsent", LOWAT, w1, n);
	EXPECT_LE(LOWAT, n);
	EXPECT_GE(LOWAT + 65536, n);
	EXPECT_FALSE(writable(self->c, 100));

	/* No limit: writable at once (setting it wakes), and more queues. */
	ASSERT_EQ(0, setint(self->c, TCP_NOTSENT_LOWAT, 0));
	EXPECT_TRUE(writable(self->c, 0));
	w2 = fill(self->c, 300);
	n = notsent(self->c);
	TH_LOG("no limit: %zu more bytes written, %u unsent", w2, n);
	EXPECT_LT(4 * (LOWAT + 65536), n);

	/* The limit again: not writable until the reader drains it all. */
	ASSERT_EQ(0, setint(self->c, TCP_NOTSENT_LOWAT, LOWAT));
	EXPECT_FALSE(writable(self->c, 100));
	ASSERT_EQ(0, reader_start(&r, self->a, w1 + w2));
	EXPECT_TRUE(writable(self->c, XT(10) * 1000));
	n = notsent(self->c);
	EXPECT_GT(LOWAT / 2, n);
	pthread_join(r.thr, NULL);
	EXPECT_EQ((ssize_t)(w1 + w2), r.got);
}

/*
 * TCP_NOTSENT_LOWAT bounds what waits unsent, not the rate: a writer
 * of 64 KiB writes over a 10 ms path keeps about the pace it has
 * without it.  An skb that reaches the size goal leaves while the write
 * goes on (tcp_push_one()), so the limit stops the writer only when
 * cwnd holds the data back.  Before, xtcp queued a write's bytes until
 * the limit stopped it and pushed them then; sk_stream_wait_memory(),
 * finding room again, slept until the next ACK: about 4 KiB per ACK,
 * 0.4 MB/s where kernel TCP ran at 18.
 */
TEST_F_TIMEOUT(opt, notsent_lowat_keeps_the_pace, XT(120))
{
	static const int lowat[] = { 0, 4096 };
	double secs[2];
	unsigned int i;

	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 10ms"));
	for (i = 0; i < 2; i++) {
		struct bulk b = { .len = 4 << 20 };
		char hash[65];
		pthread_t th;
		double t0;

		ASSERT_EQ(0, pair(self, 13110 + i));
		ASSERT_EQ(0, setint(self->c, TCP_NOTSENT_LOWAT, lowat[i]));
		b.fd = self->c;
		t0 = now_s();
		ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
		EXPECT_EQ(b.len, read_sha256(self->a, SIZE_MAX, hash));
		pthread_join(th, NULL);
		secs[i] = now_s() - t0;
		EXPECT_STREQ(b.hash, hash);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
	TH_LOG("4 MiB at 10 ms: %.2f s without a limit, %.2f s with TCP_NOTSENT_LOWAT %d",
	       secs[0], secs[1], lowat[1]);
	EXPECT_GT(3 * secs[0], secs[1]);
}

/*
 * PSH marks the end of what a write gave (tcp_push() marks the tail),
 * not each full skb that leaves while the write goes on
 * (tcp_push_one() does not): a 10,000-byte write into a send buffer
 * with room for it, one segment per skb, has one PSH, on its last
 * segment (well under half the window xtcp's receiver offers).  When 626325f made full skbs leave
 * during the write, each took PSH as it emptied the write queue; short
 * flows where a fifth of PSH segments are lost (make bench's
 * short_tail) lost more and their p99 doubled.
 */
TEST_F(opt, psh_only_at_the_end_of_a_write)
{
	uint32_t first = 0, end = 0, psh_end = 0;
	unsigned int data = 0, psh = 0;
	size_t i;

	ASSERT_EQ(0, pair(self, 13112));
	/* Room for it all: a wait for room pushes, and marks, mid-write. */
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF,
				&(int){ 1 << 20 }, sizeof(int)));
	ASSERT_EQ(0, start_capture(self, CLI_NS, CLI_IF));
	ASSERT_EQ(0, transfer(self->c, self->a, 10000));
	stop_capture(self, 200);
	for (i = 0; i < self->cap.n; i++) {
		const struct seg *s = &self->cap.segs[i];

		if (!s->outgoing || !s->len)
			continue;
		if (!data++)
			first = s->seq;
		if ((int32_t)(s->seq + s->len - end) > 0 || data == 1)
			end = s->seq + s->len;
		if (s->flags & XTCP_FLAG_PSH) {
			psh++;
			psh_end = s->seq + s->len;
		}
	}
	TH_LOG("10000 bytes in one write: %u data segments, %u with PSH",
	       data, psh);
	EXPECT_EQ(10000U, end - first);
	EXPECT_LE(7U, data);
	EXPECT_EQ(end, psh_end);
	/*
	 * Kernel TCP also pushes with PSH every half of the largest window
	 * the peer offered (forced_push()); its receiver starts with a
	 * smaller one than xtcp's, and marked 4 of the 7.
	 */
	if (!is_tcp())
		EXPECT_EQ(1U, psh);
}

/*
 * The errnos and values of every option here, against kernel TCP's for
 * the same calls on a fresh socket: each int value in a range of good
 * and bad ones, and lengths 0 to 8 for set and get.
 */
TEST_F(opt, errnos_match_tcp)
{
	static const int optnames[] = {
		TCP_INFO, TCP_QUICKACK, TCP_CONGESTION, TCP_DEFER_ACCEPT,
		TCP_SYNCNT, TCP_LINGER2, TCP_WINDOW_CLAMP, TCP_NOTSENT_LOWAT,
	};
	static const int vals[] = {
		-1000, -1, 0, 1, 2, 127, 128, 1000, 0x7fffffff, INT32_MIN,
	};
	unsigned int i, j, l;

	for (i = 0; i < ARRAY_SIZE(optnames); i++) {
		int o = optnames[i];

		/* A name, not an int: its lengths below are what count. */
		for (j = 0; o != TCP_CONGESTION && j < ARRAY_SIZE(vals); j++) {
			int fd = xsock(CLI_NS), ref = tcp_sock(CLI_NS);

			ASSERT_LE(0, fd);
			ASSERT_LE(0, ref);
			EXPECT_EQ(setint(ref, o, vals[j]), setint(fd, o, vals[j]))
				TH_LOG("option %d set to %d", o, vals[j]);
			/* Not where each reads its own sysctl's default. */
			if (o != TCP_INFO && !setint(fd, o, vals[j]) &&
			    !(o == TCP_LINGER2 && !vals[j]))
				EXPECT_EQ(getint(ref, o), getint(fd, o))
					TH_LOG("option %d after %d", o, vals[j]);
			close(fd);
			close(ref);
		}
		for (l = 0; l <= 8; l++) {
			int fd = xsock(CLI_NS), ref = tcp_sock(CLI_NS);
			char v[8] = { 1 }, g[300], rg[300];
			socklen_t gl = l, rgl = l;
			int rc, rrc, e, re;

			rc = setsockopt(fd, SOL_TCP, o, v, l);
			e = errno;
			rrc = setsockopt(ref, SOL_TCP, o, v, l);
			re = errno;
			EXPECT_EQ(rrc, rc) TH_LOG("option %d set, length %u", o, l);
			if (rc && rrc)
				EXPECT_EQ(re, e) TH_LOG("option %d set, length %u",
							o, l);
			rc = getsockopt(fd, SOL_TCP, o, g, &gl);
			rrc = getsockopt(ref, SOL_TCP, o, rg, &rgl);
			EXPECT_EQ(rrc, rc) TH_LOG("option %d get, length %u", o, l);
			EXPECT_EQ(rgl, gl) TH_LOG("option %d get, length %u", o, l);
			close(fd);
			close(ref);
		}
	}
}

/* ---- timestamps (RFC 7323) ---- */


/* CLOCK_MONOTONIC in ms: the timestamps' clock without an offset. */
static uint32_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int ts_between(uint32_t v, uint32_t lo, uint32_t hi)
{
	return (int32_t)(v - lo) >= 0 && (int32_t)(hi - v) >= 0;
}

/*
 * Timestamps (RFC 7323 section 3.2) as net.ipv4.tcp_timestamps' values
 * say: 1 and 2 offer and answer, 0 neither.  The SYN offers when its
 * side allows; the SYN-ACK answers only a SYN that offered, its TSecr
 * the SYN's TSval; then every segment each way carries them, TSecr
 * always a TSval the other side sent.  At 2 a TSval is the monotonic
 * clock in ms; at 1 it has an offset.  TCP_INFO says so on both sides.
 */
TEST_F(opt, timestamps_negotiated_as_sysctls_say)
{
	static const struct {
		int cli, srv, on;
	} cases[] = {
		{ 1, 1, 1 }, { 2, 1, 1 }, { 1, 2, 1 }, { 0, 1, 0 }, { 1, 0, 0 },
	};
	struct tcp_info ti;
	struct seg s;
	size_t i;
	int cap;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t first[2] = { 0 }, last[2] = { 0 }, t0;
		int on = cases[i].on, n[2] = { 0 }, bad = 0, j;
		char b[4096];

		ASSERT_EQ(0, ts_set(CLI_NS, cases[i].cli));
		ASSERT_EQ(0, ts_set(SRV_NS, cases[i].srv));
		cap = cap_open(SRV_NS, SRV_IF);
		ASSERT_LE(0, cap);
		t0 = mono_ms();
		ASSERT_EQ(0, pair(self, 13080 + i));
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN, 0, 2000));
		EXPECT_EQ(!!cases[i].cli, s.tstamp) TH_LOG("case %zu: SYN", i);
		if (s.tstamp) {
			EXPECT_EQ(0U, s.tsecr);
			/* Without an offset at 2 only. */
			EXPECT_EQ(cases[i].cli == 2,
				  ts_between(s.tsval, t0 - 1000, mono_ms() + 1000))
				TH_LOG("case %zu: SYN TSval %u, now %u ms",
				       i, s.tsval, t0);
			first[0] = last[0] = s.tsval;
		}
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
				      1, 2000));
		EXPECT_EQ(on, s.tstamp) TH_LOG("case %zu: SYN-ACK", i);
		if (on) {
			EXPECT_EQ(first[0], s.tsecr);
			first[1] = last[1] = s.tsval;
		}
		/* Data each way, and what the ACKs echo. */
		memset(b, 'x', sizeof(b));
		for (j = 0; j < 3; j++) {
			ASSERT_EQ((ssize_t)sizeof(b), write(self->c, b, sizeof(b)));
			ASSERT_EQ(sizeof(b), read_full(self->a, b, sizeof(b)));
			ASSERT_EQ(100, write(self->a, b, 100));
			ASSERT_EQ(100, read_full(self->c, b, 100));
			usleep(20000);
		}
		while (!cap_next(cap, &s, 300)) {
			int from = s.outgoing;	/* 0: the client, 1: the server */

			if (s.flags & XTCP_FLAG_SYN)
				continue;
			n[from]++;
			if (s.tstamp != on) {
				bad++;
				continue;
			}
			if (!on)
				continue;
			/* TSvals never go back; TSecr is one of the peer's. */
			if ((int32_t)(s.tsval - last[from]) < 0 ||
			    !ts_between(s.tsecr, first[!from], last[!from]))
				bad++;
			last[from] = s.tsval;
		}
		close(cap);
		EXPECT_LT(3, n[0]);
		EXPECT_LT(3, n[1]);
		EXPECT_EQ(0, bad) TH_LOG("case %zu: %d segments of %d", i, bad,
					 n[0] + n[1]);
		ASSERT_EQ(0, get_info(self->c, &ti));
		EXPECT_EQ(on, !!(ti.tcpi_options & TCPI_OPT_TIMESTAMPS))
			TH_LOG("case %zu: client", i);
		ASSERT_EQ(0, get_info(self->a, &ti));
		EXPECT_EQ(on, !!(ti.tcpi_options & TCPI_OPT_TIMESTAMPS))
			TH_LOG("case %zu: server", i);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
}

/*
 * SACK (RFC 2018) as net.ipv4.tcp_sack says: the SYN offers
 * SACK-permitted when its side allows, the SYN-ACK answers only a SYN
 * that offered and only if its side allows, and TCP_INFO says so on
 * both sides (TCPI_OPT_SACK).  Then 1 MiB through 3% loss on the
 * client's way out: the server's ACKs carry SACK blocks when it was
 * negotiated and never otherwise.  (256 KiB, some 180 segments, went
 * through without a loss once in make check: 0.97^180 is 0.4%.)
 */
TEST_F_TIMEOUT(opt, sack_negotiated_as_sysctls_say, XT(90))
{
	static const struct {
		int cli, srv, on;
	} cases[] = {
		{ 1, 1, 1 }, { 0, 1, 0 }, { 1, 0, 0 },
	};
	struct tcp_info ti;
	struct seg s;
	size_t i;
	int cap;

	/* Losses of segments, not of TCP's GSO skbs of many. */
	ASSERT_EQ(0, one_segment_per_skb());
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem loss 3%%"));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int on = cases[i].on, blocks = 0, acks = 0;
		unsigned int resent;

		ASSERT_EQ(0, sack_set(CLI_NS, cases[i].cli));
		ASSERT_EQ(0, sack_set(SRV_NS, cases[i].srv));
		cap = cap_open(SRV_NS, SRV_IF);
		ASSERT_LE(0, cap);
		bulk_acked(_metadata, self, 13090 + i, 1 << 20, &ti);
		EXPECT_EQ(on, !!(ti.tcpi_options & TCPI_OPT_SACK))
			TH_LOG("case %zu: client", i);
		resent = ti.tcpi_total_retrans;
		EXPECT_LT(0U, resent) TH_LOG("case %zu", i);
		ASSERT_EQ(0, get_info(self->a, &ti));
		EXPECT_EQ(on, !!(ti.tcpi_options & TCPI_OPT_SACK))
			TH_LOG("case %zu: server", i);
		/* A lost SYN is resent: the first one seen tells. */
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN, 0, 2000));
		EXPECT_EQ(cases[i].cli, s.sack_perm) TH_LOG("case %zu: SYN", i);
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
				      1, 2000));
		EXPECT_EQ(on, s.sack_perm) TH_LOG("case %zu: SYN-ACK", i);
		while (!cap_next(cap, &s, 300)) {
			if (!s.outgoing || (s.flags & XTCP_FLAG_SYN))
				continue;
			acks++;
			blocks += s.nsacks > 0;
		}
		close(cap);
		TH_LOG("case %zu: client %d, server %d: %d of %d ACKs with SACK blocks, %u resent",
		       i, cases[i].cli, cases[i].srv, blocks, acks, resent);
		EXPECT_EQ(on, blocks > 0);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
}

/*
 * The option's 12 bytes come out of every segment's payload (RFC 7323
 * section 3.2; tcp_sync_mss() through tcp_header_len): on the 1500-byte
 * veth a full segment holds 1448 bytes with timestamps, 1460 without,
 * and TCP_MAXSEG says the same.  4 MiB arrive intact (SHA-256), every
 * segment carries the option and none is longer than the MTU allows.
 */
TEST_F_TIMEOUT(opt, timestamps_mss_and_bulk_transfer, XT(90))
{
	static const int offs[] = { 1, 0 };
	size_t k;

	for (k = 0; k < ARRAY_SIZE(offs); k++) {
		int on = offs[k], full = on ? 1448 : 1460;
		struct bulk b = { .len = 4 << 20 };
		int most = 0, over = 0, ts = 0, n = 0;
		char hash[65];
		pthread_t th;
		size_t i;

		ASSERT_EQ(0, ts_set(CLI_NS, on));
		ASSERT_EQ(0, pair(self, 13090 + k));
		EXPECT_EQ(full, getint(self->c, TCP_MAXSEG));
		EXPECT_EQ(full, getint(self->a, TCP_MAXSEG));
		ASSERT_EQ(0, capture_start(&self->cap, SRV_NS, SRV_IF));
		self->capturing = 1;
		b.fd = self->c;
		ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
		EXPECT_EQ(b.len, read_sha256(self->a, b.len, hash));
		pthread_join(th, NULL);
		EXPECT_STREQ(b.hash, hash);
		capture_stop(&self->cap, 200);
		self->capturing = 0;
		for (i = 0; i < self->cap.n; i++) {
			const struct seg *s = &self->cap.segs[i];

			if (s->outgoing || s->flags & XTCP_FLAG_SYN)
				continue;
			n++;
			ts += s->tstamp;
			if (s->len > most)
				most = s->len;
			if (s->len > full)
				over++;
		}
		capture_free(&self->cap);
		EXPECT_EQ(on ? n : 0, ts) TH_LOG("timestamps %d", on);
		EXPECT_EQ(full, most) TH_LOG("timestamps %d", on);
		EXPECT_EQ(0, over) TH_LOG("timestamps %d", on);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
}

/*
 * PAWS tests' start: a connection on @port whose client sent one byte
 * "a", taken, and ACKed; *@d is that byte as the server's veth saw it,
 * *@cap the capture there, drained.  @tso becomes a timestamps option
 * with a TSval 100 s behind d's, echoing d's TSecr.
 */
static void paws_start(struct __test_metadata *_metadata,
		       struct _test_data_opt *self, int port, int *cap,
		       struct seg *d, uint8_t tso[12])
{
	uint32_t tsval;
	struct seg s;
	char b = 0;

	ASSERT_EQ(0, pair(self, port));
	*cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, *cap);
	ASSERT_EQ(1, write(self->c, "a", 1));
	ASSERT_EQ(1, read(self->a, &b, 1));
	/* The client's byte, and the server's ACK of it. */
	do {
		ASSERT_EQ(0, cap_find(*cap, d, XTCP_FLAG_ACK, 0, 2000));
	} while (d->len != 1);
	ASSERT_EQ(1, d->tstamp);
	do {
		ASSERT_EQ(0, cap_find(*cap, &s, XTCP_FLAG_ACK, 1, 2000));
	} while (s.ack != d->seq + 1);
	usleep(50000);
	while (!cap_next(*cap, &s, 50))
		;
	tsval = d->tsval - 100000;
	memcpy(tso, (uint8_t[]){ XTCPOPT_NOP, XTCPOPT_NOP, 8, 10,
				 tsval >> 24, tsval >> 16, tsval >> 8, tsval,
				 d->tsecr >> 24, d->tsecr >> 16,
				 d->tsecr >> 8, d->tsecr }, 12);
}

/*
 * PAWS (RFC 7323 section 5): a segment in the window whose TSval is
 * older than the last one the receiver echoes is an old duplicate.  One
 * byte forged as the client's next, with a TSval 100 s behind, is
 * dropped: the server answers with an ACK that does not cover it, its
 * reader sees nothing, and PAWSEstab counts it.  The same byte with a
 * fresh TSval is taken.
 */
TEST_F(opt, paws_drops_old_tsval)
{
	uint8_t tso[12];
	struct pollfd pfd;
	struct rawseg r;
	struct seg s, d;
	uint32_t tsval;
	long paws0;
	int cap, got;
	char b = 0;

	paws_start(_metadata, self, 13095, &cap, &d, tso);
	paws0 = proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab");
	ASSERT_LE(0, paws0);
	r = (struct rawseg){
		.src = CLI_ADDR, .dst = SRV_ADDR, .sport = self->cport,
		.dport = self->port, .seq = d.seq + 1, .ack = d.ack,
		.flags = XTCP_FLAG_ACK, .win = d.win, .opts = tso,
		.olen = sizeof(tso), .data = "X", .len = 1,
	};
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	/* A duplicate ACK: RCV.NXT did not move. */
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, 2000));
	} while (s.len);
	EXPECT_EQ(d.seq + 1, s.ack);
	pfd = (struct pollfd){ .fd = self->a, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 300));
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));

	/* Fresh: the byte is the stream's next. */
	tsval = d.tsval + 1000;
	tso[4] = tsval >> 24;
	tso[5] = tsval >> 16;
	tso[6] = tsval >> 8;
	tso[7] = tsval;
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	EXPECT_EQ(1, poll(&pfd, 1, 2000));
	got = read(self->a, &b, 1);
	EXPECT_EQ(1, got);
	EXPECT_EQ('X', b);
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));
	close(cap);
}

/*
 * An old duplicate PAWS drops is still data the receiver had: the ACK
 * that answers it carries a D-SACK block for it (tcp_send_dupack()), so
 * that a sender whose resend overtook a delayed original learns that
 * the resend was needless.  The client's first byte again, with a TSval
 * 100 s behind: the server's answer ACKs the next byte and reports
 * [seq, seq + 1) as its first SACK block; DsackOldSent counts it.
 */
TEST_F(opt, paws_old_duplicate_dsacked)
{
	long paws0, dsack0;
	uint8_t tso[12];
	struct rawseg r;
	struct seg s, d;
	int cap;

	paws_start(_metadata, self, 13096, &cap, &d, tso);
	paws0 = proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab");
	dsack0 = proto_stat(SRV_NS, "DsackOldSent", "TCPDSACKOldSent");
	ASSERT_LE(0, paws0);
	ASSERT_LE(0, dsack0);
	r = (struct rawseg){
		.src = CLI_ADDR, .dst = SRV_ADDR, .sport = self->cport,
		.dport = self->port, .seq = d.seq, .ack = d.ack,
		.flags = XTCP_FLAG_ACK, .win = d.win, .opts = tso,
		.olen = sizeof(tso), .data = "a", .len = 1,
	};
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, 2000));
	} while (s.len);
	EXPECT_EQ(d.seq + 1, s.ack);
	EXPECT_LE(1, s.nsacks);
	EXPECT_EQ(d.seq, s.sack_lo);
	EXPECT_EQ(d.seq + 1, s.sack_hi);
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));
	EXPECT_EQ(dsack0 + 1, proto_stat(SRV_NS, "DsackOldSent",
					 "TCPDSACKOldSent"));
	close(cap);
}

/*
 * SYN cookies with timestamps (net.*.syncookies 2: a cookie for every
 * SYN), as cookie_init_timestamp(): the SYN-ACK's TSval keeps in its low
 * 6 bits the client's window scale and SACK-permitted, which the ISN has
 * no room for, and the connection the ACK makes has window scaling,
 * SACK and timestamps (TCP_INFO, at both ends), and moves 1 MiB each way
 * intact.  Without timestamps on the client the cookie keeps none of
 * them, as before.  The server's TSvals have no offset (timestamps 2),
 * so the bits can be read on the wire.
 */
TEST_F_TIMEOUT(opt, timestamps_keep_options_in_syncookies, XT(60))
{
	static const int cli_ts[] = { 1, 0 };
	size_t k;

	ASSERT_EQ(0, sysctl_set(SRV_NS, is_tcp() ? "net.ipv4.tcp_syncookies" :
				"net.xtcp.syncookies", 2));
	ASSERT_EQ(0, ts_set(SRV_NS, 2));
	for (k = 0; k < ARRAY_SIZE(cli_ts); k++) {
		long recv0 = proto_stat(SRV_NS, "SyncookiesRecv", "SyncookiesRecv");
		int on = cli_ts[k], opt_bits = TCPI_OPT_WSCALE | TCPI_OPT_SACK |
					       TCPI_OPT_TIMESTAMPS;
		struct bulk b = { .len = 1 << 20 };
		struct seg syn, s;
		struct tcp_info ti;
		char hash[65];
		pthread_t th;
		int cap;

		ASSERT_EQ(0, ts_set(CLI_NS, on));
		cap = cap_open(SRV_NS, SRV_IF);
		ASSERT_LE(0, cap);
		ASSERT_EQ(0, pair(self, 13100 + k));
		ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 0, 2000));
		ASSERT_LE(0, syn.wscale);
		ASSERT_EQ(1, syn.sack_perm);
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
				      1, 2000));
		close(cap);
		EXPECT_EQ(recv0 + 1, proto_stat(SRV_NS, "SyncookiesRecv",
						"SyncookiesRecv"));
		EXPECT_EQ(on, s.tstamp);
		EXPECT_EQ(on, s.sack_perm);
		EXPECT_EQ(on, s.wscale >= 0);
		if (on)
			EXPECT_EQ((uint32_t)(syn.wscale | 0x10), s.tsval & 0x3f)
				TH_LOG("TSval %#x, the SYN's shift %d",
				       s.tsval, syn.wscale);
		ASSERT_EQ(0, get_info(self->a, &ti));
		EXPECT_EQ(on ? opt_bits : 0, ti.tcpi_options & opt_bits)
			TH_LOG("client timestamps %d: server", on);
		if (on) {
			EXPECT_EQ(syn.wscale, (int)ti.tcpi_snd_wscale);
			EXPECT_EQ(s.wscale, (int)ti.tcpi_rcv_wscale);
		}
		ASSERT_EQ(0, get_info(self->c, &ti));
		EXPECT_EQ(on ? opt_bits : 0, ti.tcpi_options & opt_bits)
			TH_LOG("client timestamps %d: client", on);

		b.fd = self->a;
		ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
		EXPECT_EQ(b.len, read_sha256(self->c, b.len, hash));
		pthread_join(th, NULL);
		EXPECT_STREQ(b.hash, hash);
		b.fd = self->c;
		ASSERT_EQ(0, pthread_create(&th, NULL, bulk_writer, &b));
		EXPECT_EQ(b.len, read_sha256(self->a, b.len, hash));
		pthread_join(th, NULL);
		EXPECT_STREQ(b.hash, hash);
		close(self->c);
		close(self->a);
		close(self->lfd);
		self->c = self->a = self->lfd = -1;
	}
}

/* A timestamps option, NOPs first, for raw_inject(). */
static void ts_opt(uint8_t o[12], uint32_t tsval, uint32_t tsecr)
{
	const uint8_t v[12] = {
		XTCPOPT_NOP, XTCPOPT_NOP, 8, 10,
		tsval >> 24, tsval >> 16, tsval >> 8, tsval,
		tsecr >> 24, tsecr >> 16, tsecr >> 8, tsecr,
	};

	memcpy(o, v, sizeof(v));
}

/* The client's state, xtcp's or TCP's (a timewait sock too). */
static int tw_state(struct _test_data_opt *self)
{
	return proc_state(CLI_NS, proc_socks(), self->cport, self->port);
}

/*
 * The client closes first, the server answers with its FIN (into *@fin,
 * from @cap on the server's veth: it must carry timestamps), and the
 * client waits in TIME-WAIT; 0, or -1 if any of that did not happen.
 */
static int to_time_wait(struct _test_data_opt *self, int cap, struct seg *fin)
{
	char b;
	int i;

	close(self->c);
	self->c = -1;
	if (read(self->a, &b, 1) != 0)
		return -1;
	close(self->a);
	self->a = -1;
	if (cap_find(cap, fin, XTCP_FLAG_FIN | XTCP_FLAG_ACK, 1, 2000) ||
	    fin->tstamp != 1)
		return -1;
	for (i = 0; i < 100 && tw_state(self) != XTCP_TIME_WAIT; i++)
		usleep(20000);
	return tw_state(self) == XTCP_TIME_WAIT ? 0 : -1;
}

/*
 * PAWS in TIME-WAIT (tcp_timewait_state_process()): the client closes
 * first and waits in TIME-WAIT.  A RST at its RCV.NXT whose TSval is
 * 100 s older than the server's FIN's does not end it, and counts in
 * PAWSEstab; the same RST with a fresh TSval does end it.
 */
TEST_F(opt, paws_in_time_wait)
{
	struct seg fin;
	struct rawseg r;
	uint8_t tso[12];
	long paws0;
	int cap;

	ASSERT_EQ(0, pair(self, 13110));
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, to_time_wait(self, cap, &fin));
	close(cap);
	paws0 = proto_stat(CLI_NS, "PAWSEstab", "PAWSEstab");
	ASSERT_LE(0, paws0);

	ts_opt(tso, fin.tsval - 100000, fin.tsecr);
	r = (struct rawseg){
		.src = SRV_ADDR, .dst = CLI_ADDR, .sport = self->port,
		.dport = self->cport, .seq = fin.seq + 1,
		.flags = XTCP_FLAG_RST, .opts = tso, .olen = sizeof(tso),
	};
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	usleep(200000);
	EXPECT_EQ(XTCP_TIME_WAIT, tw_state(self));
	EXPECT_EQ(paws0 + 1, proto_stat(CLI_NS, "PAWSEstab", "PAWSEstab"));

	ts_opt(tso, fin.tsval + 1000, fin.tsecr);
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	usleep(200000);
	EXPECT_EQ(-1, tw_state(self));
	EXPECT_EQ(paws0 + 1, proto_stat(CLI_NS, "PAWSEstab", "PAWSEstab"));
}

/*
 * RFC 7323 section 3.2: once negotiated, timestamps ride on every
 * non-RST segment, to the end: the ACK a timewait sock sends for the
 * peer's resent FIN carries them (tcp_v4_timewait_ack()), TSecr the
 * FIN's TSval, which TIME-WAIT kept as ts_recent (a resent FIN, below
 * RCV.NXT, does not replace it), TSval not behind what the client sent
 * before.  The ACK used to leave without options.
 */
TEST_F(opt, time_wait_ack_carries_timestamps)
{
	struct seg fin, ack;
	struct rawseg r;
	uint8_t tso[12];
	int cap, found = 0;

	ASSERT_EQ(0, pair(self, 13111));
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, to_time_wait(self, cap, &fin));
	/* The client's ACK of the FIN, from its full socket, goes first. */
	while (cap_next(cap, &ack, 200) == 0)
		;

	ts_opt(tso, fin.tsval + 10, fin.tsecr);
	r = (struct rawseg){
		.src = SRV_ADDR, .dst = CLI_ADDR, .sport = self->port,
		.dport = self->cport, .seq = fin.seq, .ack = fin.ack,
		.flags = XTCP_FLAG_FIN | XTCP_FLAG_ACK, .win = fin.win,
		.opts = tso, .olen = sizeof(tso),
	};
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	while (!found && cap_next(cap, &ack, 1000) == 0)
		found = !ack.outgoing && ack.sport == self->cport &&
			(ack.flags & CTL_FLAGS) == XTCP_FLAG_ACK &&
			ack.seq == fin.ack;
	close(cap);
	ASSERT_TRUE(found) TH_LOG("no ACK from TIME-WAIT");
	TH_LOG("TIME-WAIT's ACK: timestamps %d, TSval %u, TSecr %u (FIN's TSval %u)",
	       ack.tstamp, ack.tsval, ack.tsecr, fin.tsval);
	EXPECT_EQ(1, ack.tstamp);
	EXPECT_EQ(fin.tsval, ack.tsecr);
	EXPECT_LE(0, (int32_t)(ack.tsval - fin.tsecr));
}

/* xcli's static neighbour that never answers: a handmade server. */
#define GHOST_OF_SRV	"10.99.0.4"

/*
 * PAWS for the active opener (RFC 7323 section 5.3, as
 * tcp_rcv_synsent_state_process()): a SYN-ACK that acknowledges the
 * SYN but echoes a TSecr older than the SYN's TSval is an old duplicate,
 * answered with <SEQ=SEG.ACK><CTL=RST> and counted (PAWSActive); the
 * connection stays in SYN-SENT.  The same SYN-ACK echoing the SYN's
 * TSval completes the handshake.
 */
TEST_F(opt, paws_active_rejects_synack_with_old_tsecr)
{
	struct rawseg r = {
		.src = GHOST_OF_SRV, .dst = CLI_ADDR, .sport = 13120,
		.seq = 5000, .flags = XTCP_FLAG_SYN | XTCP_FLAG_ACK,
		.win = 65535,
	};
	struct seg syn, s;
	uint8_t tso[12];
	long rej0;
	int cap;

	ASSERT_EQ(0, ts_set(CLI_NS, 1));
	rej0 = proto_stat(CLI_NS, "PAWSActiveRejected", "PAWSActive");
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);
	self->c = xsock(CLI_NS);
	ASSERT_LE(0, self->c);
	set_nonblock(self->c, 1);
	ASSERT_EQ(-1, do_connect(self->c, GHOST_OF_SRV, 13120));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 1, 2000));
	ASSERT_EQ(1, syn.tstamp);
	r.dport = syn.sport;
	r.ack = syn.seq + 1;
	r.opts = tso;
	r.olen = sizeof(tso);

	ts_opt(tso, 77000, syn.tsval - 100000);
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_RST, 1, 2000))
			TH_LOG("no RST for the SYN-ACK with an old TSecr");
	} while (s.sport != syn.sport);
	EXPECT_EQ(r.ack, s.seq);
	EXPECT_EQ(XTCP_SYN_SENT, proc_state(CLI_NS, proc_socks(), syn.sport,
					    13120));
	ASSERT_LE(0, rej0);
	EXPECT_EQ(rej0 + 1, proto_stat(CLI_NS, "PAWSActiveRejected",
				       "PAWSActive"));

	ts_opt(tso, 77000, syn.tsval);
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, 2000));
	} while (s.sport != syn.sport);
	EXPECT_EQ(r.seq + 1, s.ack);
	EXPECT_EQ(77000, s.tsecr);
	EXPECT_EQ(XTCP_ESTABLISHED, proc_state(CLI_NS, proc_socks(),
					       syn.sport, 13120));
	EXPECT_EQ(rej0 + 1, proto_stat(CLI_NS, "PAWSActiveRejected",
				       "PAWSActive"));
	close(cap);
}

/*
 * A handmade client's SYN from @r, with timestamps (TSval @tsval, the
 * option written to @tso, 12 bytes), to a listener in xsrv; the SYN-ACK
 * answering it, captured on @cap, in @synack.  0 if one came with
 * timestamps, else -1.
 */
static int raw_ts_syn(struct rawseg *r, uint8_t *tso, uint32_t tsval,
		      int cap, struct seg *synack)
{
	ts_opt(tso, tsval, 0);
	r->opts = tso;
	r->olen = 12;
	if (raw_inject(CLI_NS, r))
		return -1;
	do {
		if (cap_find(cap, synack, XTCP_FLAG_SYN | XTCP_FLAG_ACK, 1,
			     2000))
			return -1;
	} while (synack->dport != r->sport);
	return synack->tstamp ? 0 : -1;
}

/*
 * PAWS in SYN-RECEIVED (tcp_check_req()): the ACK that would complete
 * the handshake, with a TSval older than the SYN's, is an old duplicate.
 * It is dropped, answered with an ACK (not the SYN-ACK again) echoing
 * the SYN's TSval, and counted in PAWSEstab; no connection is made.  The
 * same ACK with a newer TSval makes it, and its TSval is the first
 * one the connection echoes.
 */
TEST_F(opt, paws_drops_old_handshake_ack)
{
	struct rawseg r = {
		.src = GHOST_OF_CLI, .dst = SRV_ADDR, .sport = 40300,
		.dport = 13121, .seq = 1000, .flags = XTCP_FLAG_SYN,
		.win = 65535,
	};
	const uint32_t tsval = 3000000;
	struct seg synack, s;
	struct pollfd pfd;
	uint8_t tso[12];
	long paws0;
	int cap, a;

	ASSERT_EQ(0, ts_set(SRV_NS, 1));
	self->lfd = xlisten(13121, 8);
	ASSERT_LE(0, self->lfd);
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, raw_ts_syn(&r, tso, tsval, cap, &synack));
	EXPECT_EQ(tsval, synack.tsecr);
	paws0 = proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab");
	ASSERT_LE(0, paws0);

	r.seq = 1001;
	r.ack = synack.seq + 1;
	r.flags = XTCP_FLAG_ACK;
	ts_opt(tso, tsval - 100000, synack.tsval);
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, 2000))
			TH_LOG("no ACK for the old handshake ACK");
	} while (s.dport != r.sport);
	EXPECT_EQ(synack.seq + 1, s.seq);
	EXPECT_EQ(1001, s.ack);
	EXPECT_EQ(tsval, s.tsecr);
	pfd = (struct pollfd){ .fd = self->lfd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 300));
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));

	ts_opt(tso, tsval + 10, synack.tsval);
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	EXPECT_EQ(1, poll(&pfd, 1, 2000));
	a = accept(self->lfd, NULL, NULL);
	EXPECT_LE(0, a);
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));
	if (a >= 0) {
		/* Its first segment echoes the ACK's TSval. */
		ASSERT_EQ(1, write(a, "x", 1));
		do {
			ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, 2000));
		} while (s.dport != r.sport || !s.len);
		EXPECT_EQ(tsval + 10, s.tsecr);
		close_abort(a);
	}
	close(cap);
}

/*
 * A RST in SYN-RECEIVED with a TSval older than the SYN's: PAWS drops it
 * while the request is young, and takes it once the request has lived
 * TCP_PAWS_MSL (60 s) by its SYN-ACK's resends (tcp_check_req() guesses
 * when ts_recent came from reqsk_timeout(); tcp_paws_reject() lets a
 * RST through after that): a peer that rebooted, its clock with it,
 * must still be able to reset a half-open connection.  The request's
 * age reaches 64 s at the sixth resend, 63 s in: XTCP_SLOW_TESTS=1
 * (make soak) runs it.
 */
TEST_F_TIMEOUT(opt, paws_lets_an_old_rst_reset_an_old_request, XT(120))
{
	struct rawseg r = {
		.src = GHOST_OF_CLI, .dst = SRV_ADDR, .sport = 40302,
		.dport = 13122, .seq = 1000, .flags = XTCP_FLAG_SYN,
		.win = 65535,
	};
	const char *slow = getenv("XTCP_SLOW_TESTS");
	const uint32_t tsval = 3000000;
	int cap, resends = 0;
	struct seg synack, s;
	struct pollfd pfd;
	uint8_t tso[12];
	long paws0;

	if (!slow || strcmp(slow, "1"))
		SKIP(return, "64 s: XTCP_SLOW_TESTS=1 (make soak)");
	ASSERT_EQ(0, ts_set(SRV_NS, 1));
	ASSERT_EQ(0, sysctl_set(SRV_NS, is_tcp() ? "net.ipv4.tcp_synack_retries" :
				"net.xtcp.synack_retries", 8));
	self->lfd = xlisten(13122, 8);
	ASSERT_LE(0, self->lfd);
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, raw_ts_syn(&r, tso, tsval, cap, &synack));
	paws0 = proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab");
	ASSERT_LE(0, paws0);

	/* Young: the old RST is PAWS's. */
	r.seq = 1001;
	r.flags = XTCP_FLAG_RST;
	ts_opt(tso, tsval - 100000, synack.tsval);
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(200000);
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));
	EXPECT_EQ(XTCP_SYN_RECV, proc_state(SRV_NS, proc_socks(), 13122,
					    r.sport));

	/* The sixth resend of the SYN-ACK, 63 s after the SYN. */
	while (resends < 6) {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
				      1, XT(40000)))
			TH_LOG("%d SYN-ACK resends", resends);
		if (s.dport == r.sport)
			resends++;
	}
	EXPECT_EQ(XTCP_SYN_RECV, proc_state(SRV_NS, proc_socks(), 13122,
					    r.sport));
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(200000);
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));
	EXPECT_EQ(-1, proc_state(SRV_NS, proc_socks(), 13122, r.sport));
	/* Gone: the ACK that would have completed it makes nothing. */
	r.flags = XTCP_FLAG_ACK;
	r.ack = synack.seq + 1;
	ts_opt(tso, tsval + 10, synack.tsval);
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	pfd = (struct pollfd){ .fd = self->lfd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 500));
	close(cap);
}

/*
 * An RTT sample from the TSecr (RFC 7323 section 4.1, as
 * tcp_ack_update_rtt()): a handmade client's ACK of a byte the server
 * had to resend gives none from the sequence numbers (Karn), but it
 * echoes the TSval of the byte's first transmission, sent S = 800 ms
 * or more before: the sample is S, and the smoothed RTT (tcpi_rtt),
 * a few milliseconds after the handshake, takes at least an eighth of
 * it and at most all of it.
 */
TEST_F(opt, rtt_sample_from_tsecr)
{
	struct rawseg r = {
		.src = GHOST_OF_CLI, .dst = SRV_ADDR, .sport = 40310,
		.dport = 13122, .seq = 1000, .flags = XTCP_FLAG_SYN,
		.win = 65535,
	};
	struct seg synack, d, s;
	struct tcp_info ti;
	uint32_t rtt0, tsval = 5000000;
	uint8_t tso[12];
	double sample;
	int cap;

	ASSERT_EQ(0, ts_set(SRV_NS, 1));
	self->lfd = xlisten(13122, 8);
	ASSERT_LE(0, self->lfd);
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, raw_ts_syn(&r, tso, tsval, cap, &synack));
	r.seq = 1001;
	r.ack = synack.seq + 1;
	r.flags = XTCP_FLAG_ACK;
	ts_opt(tso, ++tsval, synack.tsval);
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	ASSERT_EQ(0, get_info(self->a, &ti));
	rtt0 = ti.tcpi_rtt;

	ASSERT_EQ(1, write(self->a, "x", 1));
	do {
		ASSERT_EQ(0, cap_find(cap, &d, XTCP_FLAG_ACK, 1, 2000));
	} while (d.dport != r.sport || d.len != 1);
	/* Resent (at least once) while the client waits. */
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, 3000))
			TH_LOG("the byte was not resent");
	} while (s.dport != r.sport || s.len != 1);
	while (now_rt() - d.t < 0.8)
		usleep(10000);
	r.ack = d.seq + 1;
	ts_opt(tso, ++tsval, d.tsval);
	sample = now_rt() - d.t;
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(200000);
	ASSERT_EQ(0, get_info(self->a, &ti));
	TH_LOG("tcpi_rtt %u us after the handshake, %u us after a sample of %.0f ms from the TSecr",
	       rtt0, ti.tcpi_rtt, sample * 1000);
	EXPECT_GT(50000, rtt0);
	EXPECT_LE(sample * 1e6 / 8 - 20000, ti.tcpi_rtt);
	EXPECT_GE(sample * 1e6 + 20000, ti.tcpi_rtt);
	/* Everything acknowledged. */
	EXPECT_EQ(0, ti.tcpi_unacked);
	close_abort(self->a);
	self->a = -1;
	close(cap);
}

/*
 * RFC 6191, as tcp_timewait_state_process(): the server closes first
 * and waits in TIME-WAIT.  A SYN from the same client port with a
 * sequence number below the old RCV.NXT and a TSval older than the
 * client's last is refused by PAWS (PAWSEstab, an ACK); the same SYN
 * with a newer TSval opens a new connection at once (a SYN-ACK, and
 * the listener has it to accept), its old sequence number not held
 * against it.
 */
TEST_F(opt, time_wait_reopened_by_newer_tsval)
{
	struct seg s, last = { 0 };
	struct rawseg r;
	uint8_t tso[12];
	long paws0;
	int cap, i, st = -1;
	char b;

	ASSERT_EQ(0, ts_set(SRV_NS, 1));
	ASSERT_EQ(0, ts_set(CLI_NS, 1));
	ASSERT_EQ(0, pair(self, 13123));
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	close(self->a);
	self->a = -1;
	ASSERT_EQ(0, read(self->c, &b, 1));
	close(self->c);
	self->c = -1;
	for (i = 0; i < 100; i++) {
		st = proc_state(SRV_NS, proc_socks(), self->port, self->cport);
		if (st == XTCP_TIME_WAIT)
			break;
		usleep(20000);
	}
	ASSERT_EQ(XTCP_TIME_WAIT, st);
	/* The client's last segment: its FIN's ACK, or the FIN. */
	while (cap_next(cap, &s, 200) == 0)
		if (!s.outgoing && s.sport == self->cport && s.tstamp)
			last = s;
	ASSERT_EQ(1, last.tstamp);
	paws0 = proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab");
	ASSERT_LE(0, paws0);
	/*
	 * The client's stack, whose socket is gone, would answer TIME-WAIT's
	 * ACK with a RST at RCV.NXT, which ends TIME-WAIT.
	 */
	ASSERT_EQ(0, drop_rsts_out(CLI_NS, CLI_IF));

	ts_opt(tso, last.tsval - 100000, 0);
	r = (struct rawseg){
		.src = CLI_ADDR, .dst = SRV_ADDR, .sport = self->cport,
		.dport = self->port, .seq = last.seq - 100000,
		.flags = XTCP_FLAG_SYN, .win = 65535, .opts = tso,
		.olen = sizeof(tso),
	};
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_ACK, 1, 2000))
			TH_LOG("no ACK for the SYN with an old TSval");
	} while (s.dport != self->cport);
	EXPECT_EQ(last.seq + last.len + !!(last.flags & XTCP_FLAG_FIN), s.ack);
	EXPECT_EQ(XTCP_TIME_WAIT, proc_state(SRV_NS, proc_socks(), self->port,
					     self->cport));
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));

	ts_opt(tso, last.tsval + 1000, 0);
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	do {
		ASSERT_EQ(0, cap_find(cap, &s, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
				      1, 2000))
			TH_LOG("no SYN-ACK for the SYN with a newer TSval");
	} while (s.dport != self->cport);
	EXPECT_EQ(r.seq + 1, s.ack);
	EXPECT_EQ(last.tsval + 1000, s.tsecr);
	close(cap);
	EXPECT_EQ(paws0 + 1, proto_stat(SRV_NS, "PAWSEstab", "PAWSEstab"));
}

TEST_HARNESS_MAIN
