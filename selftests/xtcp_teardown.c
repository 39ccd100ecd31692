// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp connection teardown (RFC 9293 sections 3.6 and 3.10): the closing
 * sequences on the wire and in /proc/net/xtcp, and TIME-WAIT: how long it
 * lasts, what it answers, how a RST, SO_REUSEADDR and a new SYN end it.
 */
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

FIXTURE(net) {
	int lfd, c, a, cport, port;
};

/* A connection from the client to the server on @port, in @self. */
static int connect_pair(struct _test_data_net *self, int port)
{
	self->port = port;
	if (conn_pair(port, 8, &self->lfd, &self->c, &self->a))
		return -1;
	self->cport = local_port(self->c);
	return 0;
}

FIXTURE_SETUP(net)
{
	self->lfd = -1;
	XTCP_SETUP(_metadata->name);
}

FIXTURE_TEARDOWN(net)
{
	hosts_down();
}

/*
 * Active close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT on the closer;
 * CLOSE-WAIT, LAST-ACK, CLOSED on the other end; the four segments.
 */
TEST_F(net, active_and_passive_close_on_the_wire)
{
	struct seg fin1, ack1, fin2, ack2;
	char b;
	int cap;

	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.tw_timeout", 2));
	ASSERT_EQ(0, connect_pair(self, 8101));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);

	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	ASSERT_EQ(0, cap_find(cap, &fin1, XTCP_FLAG_FIN | XTCP_FLAG_ACK, 1,
			      1000));
	ASSERT_EQ(0, cap_find(cap, &ack1, XTCP_FLAG_ACK, 0, 1000));
	EXPECT_EQ(fin1.seq + 1, ack1.ack);
	EXPECT_EQ(XTCP_FIN_WAIT2, wait_state(CLI_NS, self->cport, 8101,
					     XTCP_FIN_WAIT2, 1.0));
	EXPECT_EQ(XTCP_CLOSE_WAIT, xstate(SRV_NS, 8101, self->cport));
	/* The passive side reads EOF, and can still send. */
	EXPECT_EQ(0, read(self->a, &b, 1));
	ASSERT_EQ(1, write(self->a, "z", 1));
	ASSERT_EQ(1, read(self->c, &b, 1));
	EXPECT_EQ('z', b);

	close(self->a);
	ASSERT_EQ(0, cap_find(cap, &fin2, XTCP_FLAG_FIN | XTCP_FLAG_ACK, 0,
			      1000));
	ASSERT_EQ(0, cap_find(cap, &ack2, XTCP_FLAG_ACK, 1, 1000));
	EXPECT_EQ(fin2.seq + 1, ack2.ack);
	EXPECT_EQ(fin1.seq + 1, fin2.ack);
	EXPECT_EQ(XTCP_TIME_WAIT, wait_state(CLI_NS, self->cport, 8101,
					     XTCP_TIME_WAIT, 1.0));
	EXPECT_EQ(-1, wait_state(SRV_NS, 8101, self->cport, -1, 1.0));
	EXPECT_EQ(0, read(self->c, &b, 1));

	/* TIME-WAIT lasts net.xtcp.tw_timeout (2 s here), then goes. */
	close(self->c);
	usleep(1000000);
	EXPECT_EQ(XTCP_TIME_WAIT, xstate(CLI_NS, self->cport, 8101));
	EXPECT_EQ(-1, wait_state(CLI_NS, self->cport, 8101, -1, 3.0));
	close(self->lfd);
	close(cap);
}

/* TIME-WAIT answers a retransmitted FIN with an ACK; a RST ends it. */
TEST_F(net, time_wait_acks_fin_and_dies_on_rst)
{
	struct seg fin2, ack;
	struct rawseg r = {
		.src = SRV_ADDR, .dst = CLI_ADDR, .sport = 8102,
		.flags = XTCP_FLAG_FIN | XTCP_FLAG_ACK, .win = 1000,
	};
	long killed = xstat(CLI_NS, "TimeWaitKilled");
	int cap;

	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.tw_timeout", 60));
	ASSERT_EQ(0, connect_pair(self, 8102));
	cap = cap_open(CLI_NS, CLI_IF);
	close(self->c);
	EXPECT_EQ(XTCP_CLOSE_WAIT, wait_state(SRV_NS, 8102, self->cport,
					      XTCP_CLOSE_WAIT, 1.0));
	close(self->a);
	ASSERT_EQ(0, cap_find(cap, &fin2, XTCP_FLAG_FIN | XTCP_FLAG_ACK, 0,
			      1000));
	ASSERT_EQ(XTCP_TIME_WAIT, wait_state(CLI_NS, self->cport, 8102,
					     XTCP_TIME_WAIT, 1.0));

	/*
	 * The server's FIN again, as if our ACK had been lost.  The server
	 * has no socket left, so it would answer our ACK with a RST and end
	 * TIME-WAIT: drop xtcp RSTs on the server's way out meanwhile.
	 */
	ASSERT_EQ(0, drop_rsts_out(SRV_NS, SRV_IF));
	r.dport = self->cport;
	r.seq = fin2.seq;
	r.ack = fin2.ack;
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	ASSERT_EQ(0, cap_find(cap, &ack, XTCP_FLAG_ACK, 1, 1000));
	EXPECT_EQ(fin2.seq + 1, ack.ack);
	EXPECT_EQ(fin2.ack, ack.seq);
	EXPECT_EQ(XTCP_TIME_WAIT, xstate(CLI_NS, self->cport, 8102));

	/*
	 * A RST in TIME-WAIT ends it (Linux's default, not RFC 1337's), at
	 * exactly RCV.NXT only: one 1000 bytes past it is blind (RFC 5961).
	 */
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc del dev " SRV_IF " root"));
	r.flags = XTCP_FLAG_RST;
	r.seq = fin2.seq + 1 + 1000;
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	usleep(XT(200000));
	EXPECT_EQ(XTCP_TIME_WAIT, xstate(CLI_NS, self->cport, 8102));
	EXPECT_EQ(killed, xstat(CLI_NS, "TimeWaitKilled"));
	r.seq = fin2.seq + 1;
	ASSERT_EQ(0, raw_inject(SRV_NS, &r));
	EXPECT_EQ(-1, wait_state(CLI_NS, self->cport, 8102, -1, 1.0));
	EXPECT_EQ(killed + 1, xstat(CLI_NS, "TimeWaitKilled"));
	close(self->lfd);
	close(cap);
}

/* Both ends close at once: CLOSING, then TIME-WAIT on both sides. */
TEST_F(net, simultaneous_close)
{
	int nfin = 0;
	struct seg s;
	int cap;

	/*
	 * The delay is there from the start, so the RTO knows the 600 ms
	 * RTT: the FINs cross once and are not sent again.
	 */
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem delay 300ms"));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 300ms"));
	ASSERT_EQ(0, connect_pair(self, 8103));
	cap = cap_open(CLI_NS, CLI_IF);
	close(self->c);
	close(self->a);
	EXPECT_EQ(XTCP_CLOSING, wait_state(CLI_NS, self->cport, 8103,
					   XTCP_CLOSING, 1.0));
	EXPECT_EQ(XTCP_TIME_WAIT, wait_state(CLI_NS, self->cport, 8103,
					     XTCP_TIME_WAIT, 2.0));
	EXPECT_EQ(XTCP_TIME_WAIT, wait_state(SRV_NS, 8103, self->cport,
					     XTCP_TIME_WAIT, 2.0));
	while (cap_next(cap, &s, 300) == 0)
		nfin += !!(s.flags & XTCP_FLAG_FIN);
	EXPECT_EQ(2, nfin);	/* one each way, crossing */
	close(self->lfd);
	close(cap);
}

/*
 * A port held by TIME-WAIT: bind() fails with EADDRINUSE unless both the
 * old and the new socket set SO_REUSEADDR, as for TCP.
 */
TEST_F(net, reuseaddr_rebinds_a_port_in_time_wait)
{
	int one = 1, s1, s2, lfd;

	lfd = xsock(SRV_NS);
	ASSERT_EQ(0, setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)));
	ASSERT_EQ(0, do_bind(lfd, SRV_ADDR, 8104));
	ASSERT_EQ(0, listen(lfd, 8));
	self->c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 8104));
	self->a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	self->cport = local_port(self->c);
	/* The server closes first: TIME-WAIT on the server's port. */
	close(self->a);
	EXPECT_EQ(XTCP_CLOSE_WAIT, wait_state(CLI_NS, self->cport, 8104,
					      XTCP_CLOSE_WAIT, 1.0));
	close(self->c);
	EXPECT_EQ(XTCP_TIME_WAIT, wait_state(SRV_NS, 8104, self->cport,
					     XTCP_TIME_WAIT, 1.0));
	close(lfd);

	s1 = xsock(SRV_NS);
	EXPECT_EQ(-1, do_bind(s1, SRV_ADDR, 8104));
	EXPECT_EQ(EADDRINUSE, errno);
	close(s1);
	s2 = xsock(SRV_NS);
	ASSERT_EQ(0, setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)));
	EXPECT_EQ(0, do_bind(s2, SRV_ADDR, 8104));
	EXPECT_EQ(0, listen(s2, 8));
	close(s2);
}

/* A new SYN on a 4-tuple in TIME-WAIT opens a new connection. */
TEST_F(net, new_syn_recycles_time_wait)
{
	long recycled = xstat(SRV_NS, "TimeWaitRecycled");
	int c2, a2;

	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.tw_timeout", 60));
	ASSERT_EQ(0, connect_pair(self, 8105));
	close(self->a);
	EXPECT_EQ(XTCP_CLOSE_WAIT, wait_state(CLI_NS, self->cport, 8105,
					      XTCP_CLOSE_WAIT, 1.0));
	close(self->c);
	ASSERT_EQ(XTCP_TIME_WAIT, wait_state(SRV_NS, 8105, self->cport,
					     XTCP_TIME_WAIT, 1.0));
	ASSERT_EQ(-1, wait_state(CLI_NS, self->cport, 8105, -1, 1.0));

	c2 = xsock(CLI_NS);
	ASSERT_EQ(0, do_bind(c2, CLI_ADDR, self->cport));
	ASSERT_EQ(0, do_connect(c2, SRV_ADDR, 8105));
	a2 = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, a2);
	EXPECT_EQ(XTCP_ESTABLISHED, xstate(SRV_NS, 8105, self->cport));
	EXPECT_EQ(recycled + 1, xstat(SRV_NS, "TimeWaitRecycled"));
	close_abort(c2);
	close_abort(a2);
	close(self->lfd);
}

static int getopt_int(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, level, name, &val, &len))
		return -errno;
	return val;
}

static int setopt_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) ? -errno : 0;
}

/* The keepalive and user-timeout options, with TCP's numbers and rules. */
TEST_F(net, keepalive_options)
{
	int fd = xsock(CLI_NS);

	EXPECT_EQ(7200, getopt_int(fd, SOL_TCP, TCP_KEEPIDLE));
	EXPECT_EQ(75, getopt_int(fd, SOL_TCP, TCP_KEEPINTVL));
	EXPECT_EQ(9, getopt_int(fd, SOL_TCP, TCP_KEEPCNT));
	EXPECT_EQ(0, getopt_int(fd, SOL_TCP, TCP_USER_TIMEOUT));
	EXPECT_EQ(0, setopt_int(fd, SOL_TCP, TCP_KEEPIDLE, 30));
	EXPECT_EQ(0, setopt_int(fd, SOL_TCP, TCP_KEEPINTVL, 5));
	EXPECT_EQ(0, setopt_int(fd, SOL_TCP, TCP_KEEPCNT, 3));
	EXPECT_EQ(0, setopt_int(fd, SOL_TCP, TCP_USER_TIMEOUT, 2500));
	EXPECT_EQ(30, getopt_int(fd, SOL_TCP, TCP_KEEPIDLE));
	EXPECT_EQ(5, getopt_int(fd, SOL_TCP, TCP_KEEPINTVL));
	EXPECT_EQ(3, getopt_int(fd, SOL_TCP, TCP_KEEPCNT));
	EXPECT_EQ(2500, getopt_int(fd, SOL_TCP, TCP_USER_TIMEOUT));
	EXPECT_EQ(-EINVAL, setopt_int(fd, SOL_TCP, TCP_KEEPIDLE, 0));
	EXPECT_EQ(-EINVAL, setopt_int(fd, SOL_TCP, TCP_KEEPIDLE, 40000));
	EXPECT_EQ(-EINVAL, setopt_int(fd, SOL_TCP, TCP_KEEPCNT, 128));
	EXPECT_EQ(-EINVAL, setopt_int(fd, SOL_TCP, TCP_USER_TIMEOUT, -1));
	/* An option xtcp does not implement is refused, not ignored. */
	EXPECT_EQ(-ENOPROTOOPT, setopt_int(fd, SOL_TCP, TCP_FASTOPEN, 1));
	EXPECT_EQ(-ENOPROTOOPT, getopt_int(fd, SOL_TCP, TCP_MD5SIG));
	close(fd);
}

/*
 * SO_KEEPALIVE: an idle connection is probed with an ACK at SND.UNA - 1,
 * which a live peer answers; a dead one is given up after KEEPCNT probes
 * and the application gets ETIMEDOUT.
 */
TEST_F(net, keepalive_probes_and_detects_a_dead_peer)
{
	struct seg probe, reply;
	double t;
	char b;
	int cap;

	ASSERT_EQ(0, connect_pair(self, 8106));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_EQ(0, setopt_int(self->c, SOL_TCP, TCP_KEEPIDLE, 1));
	ASSERT_EQ(0, setopt_int(self->c, SOL_TCP, TCP_KEEPINTVL, 1));
	ASSERT_EQ(0, setopt_int(self->c, SOL_TCP, TCP_KEEPCNT, 2));
	ASSERT_EQ(0, setopt_int(self->c, SOL_SOCKET, SO_KEEPALIVE, 1));

	/* Alive: probed and answered, still established. */
	ASSERT_EQ(0, cap_find(cap, &probe, XTCP_FLAG_ACK, 1, 2500));
	ASSERT_EQ(0, cap_find(cap, &reply, XTCP_FLAG_ACK, 0, 1000));
	EXPECT_EQ(0, probe.len);
	EXPECT_EQ(probe.seq + 1, reply.ack);
	usleep(1500000);
	EXPECT_EQ(XTCP_ESTABLISHED, xstate(CLI_NS, self->cport, 8106));

	/* Dead: the server's answers are lost. */
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem loss 100%%"));
	t = now_s();
	EXPECT_EQ(-1, read(self->c, &b, 1));
	EXPECT_EQ(ETIMEDOUT, errno);
	t = now_s() - t;
	TH_LOG("dead peer detected after %.2f s", t);
	EXPECT_LT(t, 6.0);
	EXPECT_EQ(-1, xstate(CLI_NS, self->cport, 8106));
	close(self->c);
	close_abort(self->a);
	close(self->lfd);
	close(cap);
}

/* TCP_USER_TIMEOUT bounds how long written data may stay unacknowledged. */
TEST_F(net, user_timeout_bounds_unacknowledged_data)
{
	double t;
	char b;

	ASSERT_EQ(0, connect_pair(self, 8107));
	ASSERT_EQ(0, setopt_int(self->c, SOL_TCP, TCP_USER_TIMEOUT, 1500));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem loss 100%%"));
	ASSERT_EQ(1, write(self->c, "x", 1));
	t = now_s();
	EXPECT_EQ(-1, read(self->c, &b, 1));
	EXPECT_EQ(ETIMEDOUT, errno);
	t = now_s() - t;
	TH_LOG("gave up after %.2f s", t);
	EXPECT_GE(t, 1.2);
	EXPECT_LT(t, 4.0);
	close(self->c);
	close_abort(self->a);
	close(self->lfd);
}

/* An orphan in FIN-WAIT-2 waits net.xtcp.fin_timeout, then resets. */
TEST_F(net, orphan_fin_wait2_is_bounded_by_fin_timeout)
{
	socklen_t len = sizeof(struct tcp_info);
	struct tcp_info ti;
	struct seg rst;
	int cap, bound;
	double t0;

	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.fin_timeout", 1));
	ASSERT_EQ(0, connect_pair(self, 8108));
	/*
	 * The wait is max(fin_timeout, 3.5 RTO) (tcp_fin_time()); under
	 * emulation a slow handshake can leave the RTO near a second.
	 */
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	bound = ti.tcpi_rto / 1000 * 7 / 2;
	if (bound < 1000)
		bound = 1000;
	cap = cap_open(CLI_NS, CLI_IF);
	t0 = now_s();
	close(self->c);
	EXPECT_EQ(XTCP_FIN_WAIT2, wait_state(CLI_NS, self->cport, 8108,
					     XTCP_FIN_WAIT2, 1.0));
	/* The server never closes: after that wait the orphan goes. */
	ASSERT_EQ(0, cap_find(cap, &rst, XTCP_FLAG_RST | XTCP_FLAG_ACK, 1,
			      bound + 2000));
	t0 = now_s() - t0;
	TH_LOG("RTO %u ms; reset %.2f s after close, bound %.2f s",
	       ti.tcpi_rto / 1000, t0, bound / 1000.0);
	/* Not before the wait: the timer is fin_timeout, not the RTO. */
	EXPECT_GE(t0, bound / 1000.0 - 0.05);
	EXPECT_EQ(-1, wait_state(CLI_NS, self->cport, 8108, -1, 1.0));
	/*
	 * The server saw EOF, then the reset: writing fails.  The reset
	 * was caught leaving the client; the server's socket is gone from
	 * the table once it has taken it (the send raced it once).
	 */
	EXPECT_EQ(-1, wait_state(SRV_NS, 8108, self->cport, -1, 1.0));
	EXPECT_EQ(-1, send(self->a, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(self->a);
	close(self->lfd);
	close(cap);
}

/* close() with unread data aborts with a RST (RFC 2525 2.17). */
TEST_F(net, close_with_unread_data_resets)
{
	struct seg rst;
	char b;
	int cap;

	ASSERT_EQ(0, connect_pair(self, 8109));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_EQ(5, write(self->a, "hello", 5));
	usleep(200000);
	close(self->c);
	ASSERT_EQ(0, cap_find(cap, &rst, XTCP_FLAG_RST | XTCP_FLAG_ACK, 1,
			      1000));
	EXPECT_EQ(-1, read(self->a, &b, 1));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, wait_state(CLI_NS, self->cport, 8109, -1, 1.0));
	EXPECT_EQ(-1, wait_state(SRV_NS, 8109, self->cport, -1, 1.0));
	close(self->a);
	close(self->lfd);
	close(cap);
}

struct reader {
	int fd, ret, err;
};

static void *read_thread(void *arg)
{
	struct reader *r = arg;
	char b;

	r->ret = read(r->fd, &b, 1);
	r->err = errno;
	return NULL;
}

/*
 * SO_LINGER {1, 0}: the peer gets a RST; a reader blocked there wakes
 * with ECONNRESET, and the next write gives EPIPE (SIGPIPE unless
 * MSG_NOSIGNAL).
 */
TEST_F(net, abort_wakes_blocked_reader_with_econnreset)
{
	struct reader r = { .ret = -2 };
	pthread_t th;
	sighandler_t old;

	ASSERT_EQ(0, connect_pair(self, 8110));
	r.fd = self->c;
	ASSERT_EQ(0, pthread_create(&th, NULL, read_thread, &r));
	usleep(300000);
	EXPECT_EQ(-2, r.ret);	/* still blocked */
	close_abort(self->a);
	pthread_join(th, NULL);
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(ECONNRESET, r.err);
	EXPECT_EQ(-1, xstate(CLI_NS, self->cport, 8110));

	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	old = signal(SIGPIPE, SIG_IGN);
	EXPECT_EQ(-1, write(self->c, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	signal(SIGPIPE, old);
	close(self->c);
	close(self->lfd);
}

/*
 * SO_LINGER {1, N}: close() waits until the FIN is acknowledged, or N
 * seconds if it never is.
 */
TEST_F(net, linger_bounds_how_long_close_waits)
{
	struct linger l = { .l_onoff = 1, .l_linger = 2 };
	double t;

	ASSERT_EQ(0, connect_pair(self, 8111));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_LINGER, &l,
				sizeof(l)));
	/* Acknowledged at once: close() returns at once. */
	t = now_s();
	close(self->c);
	EXPECT_LT(now_s() - t, 1.0);
	close(self->a);

	self->c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 8111));
	self->a = accept(self->lfd, NULL, NULL);
	self->cport = local_port(self->c);
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_LINGER, &l,
				sizeof(l)));
	/* Never acknowledged: close() gives up after 2 s. */
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem loss 100%%"));
	t = now_s();
	close(self->c);
	t = now_s() - t;
	TH_LOG("close() lingered %.2f s", t);
	EXPECT_GE(t, 1.8);
	EXPECT_LT(t, 4.0);
	/* The orphan finishes once the path is back. */
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc del dev " SRV_IF " root"));
	close(self->a);
	EXPECT_EQ(-1, wait_state(SRV_NS, 8111, self->cport, -1, 6.0));
	close(self->lfd);
}

/* shutdown(SHUT_RD) ends reading only; SHUT_RDWR also sends the FIN. */
TEST_F(net, shutdown_read_and_both)
{
	struct seg fin;
	char b;
	int cap;

	ASSERT_EQ(0, connect_pair(self, 8114));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_EQ(0, shutdown(self->c, SHUT_RD));
	EXPECT_EQ(0, read(self->c, &b, 1));
	/* Writing still works, and no FIN went out. */
	ASSERT_EQ(1, write(self->c, "w", 1));
	ASSERT_EQ(1, read(self->a, &b, 1));
	EXPECT_EQ(-1, cap_find(cap, &fin, XTCP_FLAG_FIN | XTCP_FLAG_ACK, 1,
			       300));
	EXPECT_EQ(XTCP_ESTABLISHED, xstate(CLI_NS, self->cport, 8114));

	ASSERT_EQ(0, shutdown(self->c, SHUT_RDWR));
	EXPECT_EQ(0, cap_find(cap, &fin, XTCP_FLAG_FIN | XTCP_FLAG_ACK, 1,
			      1000));
	EXPECT_EQ(0, read(self->a, &b, 1));
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(self->c);
	close(self->a);
	close(self->lfd);
	close(cap);
}

/* A FIN that is not acknowledged is sent again, backing off. */
TEST_F(net, fin_is_retransmitted)
{
	struct seg f[3];
	int cap, n = 0;

	/*
	 * The RTO's backoff: no tail loss probe first, which would resend
	 * the FIN once before it (net.xtcp.early_retrans, as TCP's).
	 */
	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.early_retrans", 0));
	ASSERT_EQ(0, connect_pair(self, 8115));
	/* The server's ACKs are lost; the capture there sees every FIN. */
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem loss 100%%"));
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	while (n < 3 && cap_find(cap, &f[n], XTCP_FLAG_FIN | XTCP_FLAG_ACK, 0,
				 4500) == 0)
		n++;
	ASSERT_EQ(3, n);
	EXPECT_EQ(f[0].seq, f[1].seq);
	EXPECT_EQ(f[0].seq, f[2].seq);
	/*
	 * RFC 6298 on a sub-millisecond path: the first RTO is the 200 ms
	 * floor (plus SRTT), and each one doubles the last.
	 */
	TH_LOG("FIN resent after %.3f s, then %.3f s", f[1].t - f[0].t,
	       f[2].t - f[1].t);
	EXPECT_GE(f[1].t - f[0].t, 0.18);
	EXPECT_LE(f[1].t - f[0].t, 0.6);
	EXPECT_GE(f[2].t - f[1].t, 1.7 * (f[1].t - f[0].t));
	EXPECT_EQ(XTCP_FIN_WAIT1, xstate(CLI_NS, self->cport, 8115));
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc del dev " SRV_IF " root"));
	EXPECT_EQ(XTCP_FIN_WAIT2, wait_state(CLI_NS, self->cport, 8115,
					     XTCP_FIN_WAIT2, 5.0));
	close(self->a);
	close(self->c);
	close(self->lfd);
	close(cap);
}

/*
 * A peer that answers every window probe with a zero window keeps a
 * connection alive (RFC 1122 4.2.2.17), but not past TCP_USER_TIMEOUT:
 * counted from when probing began, as tcp_probe_timer() does, the
 * connection then fails with ETIMEDOUT.
 */
TEST_F_TIMEOUT(net, zero_window_bounded_by_user_timeout, XT(60))
{
	static char buf[65536];
	struct pollfd p;
	int small = 4096, ut = 2000;
	double t0;

	self->lfd = xlisten(8116, 4);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, setsockopt(self->lfd, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	self->c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 8116));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	ASSERT_EQ(0, setsockopt(self->c, SOL_TCP, TCP_USER_TIMEOUT, &ut,
				sizeof(ut)));
	/* The server never reads: fill its window, then our buffer. */
	set_nonblock(self->c, 1);
	while (write(self->c, buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	t0 = now_s();
	p = (struct pollfd){ .fd = self->c, .events = POLLERR };
	EXPECT_EQ(1, poll(&p, 1, XT(15000)));
	EXPECT_EQ(ETIMEDOUT, so_error(self->c));
	TH_LOG("ETIMEDOUT %.1f s after the buffers were full", now_s() - t0);
	/* Not before the user timeout: the peer did answer every probe. */
	EXPECT_LE(1.5, now_s() - t0);
	close(self->c);
	self->c = -1;
	close(self->a);
	self->a = -1;
	close(self->lfd);
}

/*
 * An orphan facing a zero window is not kept when orphans run short:
 * closed with data the peer never takes, it waits in FIN-WAIT-1 probing
 * the window; once the orphan limit is below the count, its next probe
 * resets it instead (tcp_out_of_resources() in tcp_probe_timer()).
 */
TEST_F_TIMEOUT(net, orphan_facing_zero_window_goes_when_orphans_run_short, XT(60))
{
	const char *limit = xtcp_proto() == IPPROTO_XTCP ?
			    "net.xtcp.max_orphans" : "net.ipv4.tcp_max_orphans";
	static char buf[65536];
	int small = 4096, st, old = 4096;
	struct seg rst;
	char path[64];
	FILE *f;
	int cap;

	snprintf(path, sizeof(path), "/proc/sys/%s", limit);
	for (st = 0; path[st]; st++)
		if (st > 10 && path[st] == '.')
			path[st] = '/';
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &old) != 1)
			old = 4096;
		fclose(f);
	}
	self->lfd = xlisten(8117, 4);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, setsockopt(self->lfd, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	self->c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 8117));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	self->cport = local_port(self->c);
	set_nonblock(self->c, 1);
	while (write(self->c, buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	close(self->c);
	self->c = -1;
	usleep(XT(1000000));
	st = xstate(CLI_NS, self->cport, 8117);
	EXPECT_EQ(XTCP_FIN_WAIT1, st) TH_LOG("the orphan is in state %d", st);

	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, sysctl_set(NULL, limit, 0));
	EXPECT_EQ(0, cap_find(cap, &rst, XTCP_FLAG_RST | XTCP_FLAG_ACK, 1,
			      XT(10000)));
	EXPECT_EQ(-1, wait_state(CLI_NS, self->cport, 8117, -1, 2.0));
	sysctl_set(NULL, limit, old);
	close(cap);
	close(self->a);
	self->a = -1;
	close(self->lfd);
}

/*
 * net.xtcp.max_tw_buckets: the TIME-WAIT socks a netns may hold.  Its
 * default is TCP's tcp_max_tw_buckets on the same machine (half the
 * established hash, sized from RAM as TCP's: module parameter
 * ehash_entries); past it a closing connection skips TIME-WAIT, counted
 * in TimeWaitOverflows.  Here at 2, four active closes leave two.
 */
TEST_F(net, max_tw_buckets_bounds_time_wait)
{
	int i, tw, dflt, tcp, ports[4];
	long o0;

	if (xtcp_proto() != IPPROTO_XTCP)
		SKIP(return, "xtcp's own sysctl");
	dflt = sysctl_get(CLI_NS, "net.xtcp.max_tw_buckets");
	tcp = sysctl_get(CLI_NS, "net.ipv4.tcp_max_tw_buckets");
	TH_LOG("max_tw_buckets %d (TCP's %d), max_orphans %ld (TCP's %ld)",
	       dflt, tcp, sysctl_get(NULL, "net.xtcp.max_orphans"),
	       sysctl_get(NULL, "net.ipv4.tcp_max_orphans"));
	EXPECT_EQ(tcp, dflt);
	EXPECT_LE(256, dflt);
	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.max_tw_buckets", 2));
	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.tw_timeout", 60));
	o0 = xstat(CLI_NS, "TimeWaitOverflows");
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, connect_pair(self, 8120 + i));
		ports[i] = self->cport;
		/* The client closes first: TIME-WAIT is its. */
		close(self->c);
		ASSERT_EQ(XTCP_FIN_WAIT2, wait_state(CLI_NS, ports[i], 8120 + i,
						     XTCP_FIN_WAIT2, 2.0));
		close(self->a);
		ASSERT_EQ(-1, wait_state(SRV_NS, 8120 + i, ports[i], -1, 2.0));
		close(self->lfd);
	}
	for (i = 0, tw = 0; i < 4; i++)
		tw += xstate(CLI_NS, ports[i], 8120 + i) == XTCP_TIME_WAIT;
	EXPECT_EQ(2, tw);
	EXPECT_EQ(o0 + 2, xstat(CLI_NS, "TimeWaitOverflows"));
}

/*
 * Past net.xtcp.max_orphans, close() resets instead of orphaning.  The
 * count and the limit are global, as TCP's tcp_max_orphans: the limit is
 * set in the initial netns and no other netns has it to change.  The
 * count close() reads may be up to 100 ms old (tcp_orphan_cache): one
 * orphan in FIN-WAIT-2 first, counted, then a limit of 0.
 */
TEST_F(net, orphans_are_bounded)
{
	long before = xstat(CLI_NS, "OrphanOverflows");
	int cap, olfd, oc, oa, oport;
	struct seg rst;
	char b;

	if (xtcp_proto() == IPPROTO_XTCP)
		EXPECT_NE(0, sysctl_set(CLI_NS, "net.xtcp.max_orphans", 0))
			TH_LOG("max_orphans is global: only the first netns has it");
	ASSERT_EQ(0, conn_pair(8121, 1, &olfd, &oc, &oa));
	oport = local_port(oc);
	close(oc);
	ASSERT_EQ(XTCP_FIN_WAIT2, wait_state(CLI_NS, oport, 8121,
					     XTCP_FIN_WAIT2, 2.0));
	EXPECT_EQ(before, xstat(CLI_NS, "OrphanOverflows"));
	usleep(XT(300000));
	ASSERT_EQ(0, sysctl_set(NULL, "net.xtcp.max_orphans", 0));
	ASSERT_EQ(0, connect_pair(self, 8112));
	cap = cap_open(CLI_NS, CLI_IF);
	close(self->c);
	ASSERT_EQ(0, cap_find(cap, &rst, XTCP_FLAG_RST | XTCP_FLAG_ACK, 1,
			      1000));
	EXPECT_EQ(before + 1, xstat(CLI_NS, "OrphanOverflows"));
	/* As in Linux, the FIN went first: EOF, then the reset. */
	EXPECT_EQ(0, read(self->a, &b, 1));
	EXPECT_EQ(-1, send(self->a, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(-1, xstate(CLI_NS, self->cport, 8112));
	EXPECT_EQ(-1, xstate(SRV_NS, 8112, self->cport));
	close(self->a);
	close(self->lfd);
	close(cap);
	close(oa);
	close(olfd);
}

/*
 * An orphan whose peer went silent resends its FIN
 * net.xtcp.orphan_retries times, not retries2's fifteen, then goes
 * (tcp_orphan_retries()): nothing else would ever free it.  Two
 * retransmissions, so three FINs on the wire and the orphan gone after
 * about 7 RTOs, counted in Timeouts.
 */
TEST_F_TIMEOUT(net, orphan_gives_up_after_orphan_retries, XT(60))
{
	long before = xstat(CLI_NS, "Timeouts");
	socklen_t len = sizeof(struct tcp_info);
	struct tcp_info ti;
	struct seg f[4];
	double rto, t0;
	int cap, n = 0;

	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.orphan_retries", 2));
	/* The retries are the RTO's: no tail loss probe's FIN among them. */
	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.early_retrans", 0));
	ASSERT_EQ(0, connect_pair(self, 8118));
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	rto = ti.tcpi_rto / 1e6;
	/* The server's ACKs are lost; the capture there sees every FIN. */
	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem loss 100%%"));
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_LE(0, cap);
	t0 = now_s();
	close(self->c);
	self->c = -1;
	/*
	 * FINs at 0, 1 and 3 RTOs; a fourth would come 4 RTOs after the
	 * third: each wait is twice that, and more.
	 */
	while (n < 4 && cap_find(cap, &f[n], XTCP_FLAG_FIN | XTCP_FLAG_ACK, 0,
				 (int)(rto * 8000) + XT(2000)) == 0)
		n++;
	TH_LOG("RTO %.3f s; %d FINs, the last %.2f s after the first", rto,
	       n, n ? f[n - 1].t - f[0].t : 0);
	EXPECT_EQ(3, n);
	EXPECT_EQ(-1, wait_state(CLI_NS, self->cport, 8118, -1, rto * 4 + 2));
	TH_LOG("gone %.2f s after close", now_s() - t0);
	EXPECT_EQ(before + 1, xstat(CLI_NS, "Timeouts"));
	close(self->a);
	self->a = -1;
	close(self->lfd);
	close(cap);
}

/*
 * 1,000 connect / transfer / close cycles leave nothing behind: once
 * TIME-WAIT has expired /proc/net/xtcp is empty and the module's use
 * count (held by every socket, request and timewait sock) is zero.
 */
TEST_F_TIMEOUT(net, thousand_cycles_leave_nothing, XT(300))
{
	long opens = xstat(SRV_NS, "PassiveOpens");
	char out[1024], in[1024];
	double end;
	int i;

	fill_pattern((uint8_t *)out, sizeof(out), 7);
	self->lfd = xlisten(8113, 128);
	ASSERT_LE(0, self->lfd);
	for (i = 0; i < 1000; i++) {
		int c = xsock(CLI_NS), a;

		ASSERT_EQ(0, do_connect(c, SRV_ADDR, 8113));
		a = accept(self->lfd, NULL, NULL);
		ASSERT_LE(0, a);
		ASSERT_EQ(0, write_all(c, out, sizeof(out)));
		ASSERT_EQ((ssize_t)sizeof(in), read_full(a, in, sizeof(in)));
		ASSERT_EQ(0, memcmp(out, in, sizeof(in)));
		close(c);
		close(a);
	}
	close(self->lfd);
	EXPECT_EQ(opens + 1000, xstat(SRV_NS, "PassiveOpens"));
	end = now_s() + 15;
	while (now_s() < end &&
	       (xcount(CLI_NS) || xcount(SRV_NS) || module_refs() != 0))
		usleep(200000);
	EXPECT_EQ(0, xcount(CLI_NS));
	EXPECT_EQ(0, xcount(SRV_NS));
	EXPECT_EQ(0, module_refs());
}

TEST_HARNESS_MAIN
