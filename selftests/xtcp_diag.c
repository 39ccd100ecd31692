// SPDX-License-Identifier: GPL-2.0
/*
 * sock_diag for xtcp (xtcp_diag.ko, issue 14): raw NETLINK_SOCK_DIAG
 * requests (inet_diag_req_v2, sdiag_protocol = the protocol under test)
 * against what the sockets themselves say.  Every socket of the netns is
 * dumped (listener, both ends of a connection, TIME-WAIT) and no other
 * netns' socket; the state and bytecode (port) filters; INET_DIAG_INFO
 * equals getsockopt(TCP_INFO) on the same socket; SKMEMINFO agrees with
 * SO_RCVBUF/SO_SNDBUF and the unread bytes; INET_DIAG_CONG names the
 * algorithm TCP_CONGESTION does ("cubic", the default, as TCP's); SOCK_DESTROY of a
 * connection gives its owner ECONNABORTED and the peer a RST, of a
 * listener and of a TIME-WAIT sock removes them, and without
 * CAP_NET_ADMIN fails with EPERM.
 *
 * Every test runs unchanged over kernel TCP (XTCP_PROTO=6, tcp_diag),
 * which is how we know the answers are TCP's.  selftests/xtcp_diag.sh
 * loads xtcp_diag.ko first (and skips all of this on a kernel without
 * inet_diag).  XTCP_ONLY=word,word runs only the tests whose names
 * contain a word.
 */
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

#ifndef SOL_TCP
#define SOL_TCP		IPPROTO_TCP
#endif

#define DIAG_PORT	9401	/* each test its own, from here up */
#define MAX_SOCKS	64

/* One socket of a dump, with the attributes the tests look at. */
struct dsock {
	struct inet_diag_msg r;
	int has_info;
	struct tcp_info info;
	char cong[32];
	int has_skmem;
	__u32 skmem[SK_MEMINFO_VARS];
	int has_shutdown;
	int encap;		/* XTCP_DIAG_ENCAP_PORT, -1: none */
};

struct dump {
	int n;
	struct dsock s[MAX_SOCKS];
};

/* A request: header, inet_diag_req_v2, and optionally bytecode. */
struct diag_req {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 r;
	struct rtattr rta;
	struct inet_diag_bc_op bc[8];
};

static int diag_socket(const char *ns)
{
	return socket_in(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			 NETLINK_SOCK_DIAG);
}

static void parse_sock(const struct nlmsghdr *h, struct dsock *d)
{
	const struct inet_diag_msg *r = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*r));
	struct rtattr *a = (struct rtattr *)(r + 1);

	memset(d, 0, sizeof(*d));
	d->r = *r;
	d->encap = -1;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t n = RTA_PAYLOAD(a);

		switch (a->rta_type & NLA_TYPE_MASK) {
		case INET_DIAG_INFO:
			d->has_info = 1;
			memcpy(&d->info, RTA_DATA(a),
			       n < sizeof(d->info) ? n : sizeof(d->info));
			break;
		case INET_DIAG_CONG:
			snprintf(d->cong, sizeof(d->cong), "%.*s", (int)n,
				 (char *)RTA_DATA(a));
			break;
		case INET_DIAG_SKMEMINFO:
			d->has_skmem = 1;
			memcpy(d->skmem, RTA_DATA(a),
			       n < sizeof(d->skmem) ? n : sizeof(d->skmem));
			break;
		case INET_DIAG_SHUTDOWN:
			d->has_shutdown = 1;
			break;
		case XTCP_DIAG_ENCAP_PORT:
			if (n >= sizeof(__u16))
				d->encap = *(__u16 *)RTA_DATA(a);
			break;
		}
	}
}

/*
 * Send @q on a fresh sock_diag socket in @ns and collect the answers
 * into @out (if given).  Returns the number of sockets, or -errno (the
 * kernel's answer, or a local failure).
 */
static int diag_request(const char *ns, struct diag_req *q, struct dump *out)
{
	static char buf[1 << 16];
	int fd = diag_socket(ns), n = 0, err = 0;

	if (fd < 0)
		return -errno;
	if (send(fd, q, q->nlh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (len < 0) {
			err = -errno;
			goto out;
		}
		for (; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				goto out;
			}
			if (out && n < MAX_SOCKS)
				parse_sock(h, &out->s[n]);
			n++;
		}
		/* Not a dump: one answer, no NLMSG_DONE. */
		if (!(q->nlh.nlmsg_flags & NLM_F_DUMP))
			goto out;
	}
out:
	close(fd);
	if (out)
		out->n = n < MAX_SOCKS ? n : MAX_SOCKS;
	return err ? err : n;
}

static void req_init(struct diag_req *q, int type, int flags, __u32 states,
		     __u8 ext)
{
	memset(q, 0, sizeof(*q));
	q->nlh.nlmsg_len = offsetof(struct diag_req, rta);
	q->nlh.nlmsg_type = type;
	q->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	q->r.sdiag_family = AF_INET;
	q->r.sdiag_protocol = xtcp_proto();
	q->r.idiag_states = states;
	q->r.idiag_ext = ext;
	q->r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	q->r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

#define EXT_ALL	((1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1)) | \
		 (1 << (INET_DIAG_MEMINFO - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1)))

/* Every socket of @ns in @states, with all the attributes. */
static int dump_ns(const char *ns, __u32 states, struct dump *d)
{
	struct diag_req q;

	req_init(&q, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, states, EXT_ALL);
	return diag_request(ns, &q, d);
}

/* The same, only sockets whose source port is @sport (bytecode). */
static int dump_sport(const char *ns, int sport, struct dump *d)
{
	struct diag_req q;

	req_init(&q, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, ~0u, 0);
	q.bc[0] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_EQ, 8, 12 };
	q.bc[1] = (struct inet_diag_bc_op){ 0, 0, sport };
	q.rta.rta_type = INET_DIAG_REQ_BYTECODE;
	q.rta.rta_len = RTA_LENGTH(2 * sizeof(q.bc[0]));
	q.nlh.nlmsg_len += RTA_SPACE(2 * sizeof(q.bc[0]));
	return diag_request(ns, &q, d);
}

/* The socket of @d with these ports (0: any), or NULL. */
static struct dsock *find(struct dump *d, int sport, int dport)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (ntohs(d->s[i].r.id.idiag_sport) == sport &&
		    (!dport || ntohs(d->s[i].r.id.idiag_dport) == dport))
			return &d->s[i];
	return NULL;
}

/* SOCK_DESTROY of the socket @s names; 0 or -errno. */
static int destroy(const char *ns, const struct dsock *s)
{
	struct diag_req q;

	req_init(&q, SOCK_DESTROY, NLM_F_ACK, ~0u, 0);
	q.r.id = s->r.id;
	return diag_request(ns, &q, NULL);
}

/* Wait until the socket with these ports in @ns is in @state. */
static struct dsock *wait_diag_state(const char *ns, int sport, int dport,
				     int state, struct dump *d, double secs)
{
	double end = now_s() + secs;
	struct dsock *s;

	do {
		if (dump_ns(ns, ~0u, d) >= 0) {
			s = find(d, sport, dport);
			if (s && s->r.idiag_state == state)
				return s;
		}
		usleep(20000);
	} while (now_s() < end);
	return NULL;
}

static int get_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, SOL_TCP, TCP_INFO, ti, &len) ||
	       len != sizeof(*ti) ? -1 : 0;
}

FIXTURE(diag) {
	int lfd, c, a, c2, port, cport;
};

FIXTURE_SETUP(diag)
{
	self->lfd = -1;
	self->c = -1;
	self->a = -1;
	self->c2 = -1;
	XTCP_SETUP(_metadata->name);
}

FIXTURE_TEARDOWN(diag)
{
	if (self->c >= 0)
		close_abort(self->c);
	if (self->c2 >= 0)
		close_abort(self->c2);
	if (self->a >= 0)
		close_abort(self->a);
	if (self->lfd >= 0)
		close(self->lfd);
	hosts_down();
}

/* A connection to the server on @port: self->c in xcli, self->a in xsrv. */
static int pair(struct _test_data_diag *self, int port)
{
	self->port = port;
	if (conn_pair(port, 16, &self->lfd, &self->c, &self->a))
		return -1;
	self->cport = local_port(self->c);
	return 0;
}

/*
 * A second connection to @port, closed by the client first: a TIME-WAIT
 * sock in xcli.  Returns its local port, or -1.
 */
static int time_wait_to(struct _test_data_diag *self, int port)
{
	int a2, tport;

	self->c2 = xsock(CLI_NS);
	if (self->c2 < 0 || do_connect(self->c2, SRV_ADDR, port))
		return -1;
	tport = local_port(self->c2);
	a2 = accept(self->lfd, NULL, NULL);
	if (a2 < 0)
		return -1;
	close(self->c2);
	self->c2 = -1;
	usleep(100000);
	close(a2);
	return tport;
}

/* The connection is quiet: all sent was ACKed, delayed ACKs are out. */
static int settle(int fd)
{
	struct tcp_info ti;
	int i;

	for (i = 0; i < 300; i++) {
		if (get_info(fd, &ti))
			return -1;
		if (!ti.tcpi_unacked && !ti.tcpi_notsent_bytes)
			break;
		usleep(10000);
	}
	usleep(XT(300) * 1000);
	return ti.tcpi_unacked ? -1 : 0;
}

/*
 * The listener, both ends of a connection and a TIME-WAIT sock: each
 * shows in its own netns with its state, addresses, inode and uid, and
 * nothing of one netns shows in the other.
 */
TEST_F(diag, dump_every_socket)
{
	struct dump *d = calloc(1, sizeof(*d));
	int tport, st = -1, i;
	struct dsock *s;
	struct stat sb;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT));
	tport = time_wait_to(self, DIAG_PORT);
	ASSERT_LT(0, tport);
	s = wait_diag_state(CLI_NS, tport, DIAG_PORT, XTCP_TIME_WAIT, d, XT(5));
	ASSERT_NE(NULL, s) TH_LOG("no TIME-WAIT sock for port %d", tport);

	/* The client's netns: the connection and the TIME-WAIT sock. */
	ASSERT_LE(2, dump_ns(CLI_NS, ~0u, d));
	s = find(d, self->cport, DIAG_PORT);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(XTCP_ESTABLISHED, s->r.idiag_state);
	EXPECT_EQ(AF_INET, s->r.idiag_family);
	EXPECT_EQ(inet_addr(CLI_ADDR), s->r.id.idiag_src[0]);
	EXPECT_EQ(inet_addr(SRV_ADDR), s->r.id.idiag_dst[0]);
	ASSERT_EQ(0, fstat(self->c, &sb));
	EXPECT_EQ(sb.st_ino, s->r.idiag_inode);
	EXPECT_EQ(getuid(), s->r.idiag_uid);
	EXPECT_TRUE(s->has_info);
	EXPECT_TRUE(s->has_shutdown);
	s = find(d, tport, DIAG_PORT);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(XTCP_TIME_WAIT, s->r.idiag_state);
	EXPECT_EQ(3, s->r.idiag_timer);		/* the TIME-WAIT timer */
	EXPECT_EQ(0, s->r.idiag_inode);
	/* The server's socket and listener are not here. */
	EXPECT_EQ(NULL, find(d, DIAG_PORT, 0));

	/* The server's: the listener and the accepted socket. */
	ASSERT_LE(2, dump_ns(SRV_NS, ~0u, d));
	s = find(d, DIAG_PORT, self->cport);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(XTCP_ESTABLISHED, s->r.idiag_state);
	ASSERT_EQ(0, fstat(self->a, &sb));
	EXPECT_EQ(sb.st_ino, s->r.idiag_inode);
	for (i = 0; i < d->n; i++)
		if (ntohs(d->s[i].r.id.idiag_sport) == DIAG_PORT &&
		    d->s[i].r.idiag_state == XTCP_LISTEN)
			st = i;
	ASSERT_LE(0, st) TH_LOG("no listener on %d", DIAG_PORT);
	EXPECT_EQ(0, d->s[st].r.id.idiag_dport);
	EXPECT_EQ(inet_addr(SRV_ADDR), d->s[st].r.id.idiag_src[0]);
	ASSERT_EQ(0, fstat(self->lfd, &sb));
	EXPECT_EQ(sb.st_ino, d->s[st].r.idiag_inode);
	/* The client's sockets are not here. */
	EXPECT_EQ(NULL, find(d, self->cport, 0));
	EXPECT_EQ(NULL, find(d, tport, 0));
	free(d);
}

/* idiag_states picks the states asked for, and nothing else. */
TEST_F(diag, state_filter)
{
	struct dump *d = calloc(1, sizeof(*d));
	int i, tport;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 1));
	tport = time_wait_to(self, DIAG_PORT + 1);
	ASSERT_LT(0, tport);
	ASSERT_NE(NULL, wait_diag_state(CLI_NS, tport, DIAG_PORT + 1,
					XTCP_TIME_WAIT, d, XT(5)));

	ASSERT_LE(1, dump_ns(CLI_NS, 1 << XTCP_ESTABLISHED, d));
	for (i = 0; i < d->n; i++)
		EXPECT_EQ(XTCP_ESTABLISHED, d->s[i].r.idiag_state);
	EXPECT_NE(NULL, find(d, self->cport, DIAG_PORT + 1));
	EXPECT_EQ(NULL, find(d, tport, 0));

	ASSERT_LE(1, dump_ns(CLI_NS, 1 << XTCP_TIME_WAIT, d));
	for (i = 0; i < d->n; i++)
		EXPECT_EQ(XTCP_TIME_WAIT, d->s[i].r.idiag_state);
	EXPECT_NE(NULL, find(d, tport, DIAG_PORT + 1));
	EXPECT_EQ(NULL, find(d, self->cport, 0));

	ASSERT_LE(1, dump_ns(SRV_NS, 1 << XTCP_LISTEN, d));
	for (i = 0; i < d->n; i++)
		EXPECT_EQ(XTCP_LISTEN, d->s[i].r.idiag_state);
	EXPECT_NE(NULL, find(d, DIAG_PORT + 1, 0));
	free(d);
}

/* INET_DIAG_REQ_BYTECODE: sport == N keeps exactly N's sockets. */
TEST_F(diag, bytecode_port_filter)
{
	struct dump *d = calloc(1, sizeof(*d));
	int other = xlisten(DIAG_PORT + 3, 4), i, n;

	ASSERT_NE(NULL, d);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 2));

	n = dump_sport(SRV_NS, DIAG_PORT + 2, d);
	/* The listener and the accepted socket; not the other listener. */
	EXPECT_EQ(2, n);
	for (i = 0; i < d->n; i++)
		EXPECT_EQ(DIAG_PORT + 2, ntohs(d->s[i].r.id.idiag_sport));
	n = dump_sport(SRV_NS, DIAG_PORT + 3, d);
	EXPECT_EQ(1, n);
	EXPECT_EQ(XTCP_LISTEN, d->s[0].r.idiag_state);
	n = dump_sport(CLI_NS, self->cport, d);
	EXPECT_EQ(1, n);
	EXPECT_EQ(DIAG_PORT + 2, ntohs(d->s[0].r.id.idiag_dport));
	/* A port nobody has. */
	EXPECT_EQ(0, dump_sport(SRV_NS, DIAG_PORT + 90, d));
	close(other);
	free(d);
}

/*
 * INET_DIAG_INFO is TCP_INFO: on a quiet connection every field that
 * does not move with the clock is the same from both; the queues are
 * the unread and unacknowledged bytes.
 */
TEST_F(diag, info_equals_tcp_info)
{
	struct dump *d = calloc(1, sizeof(*d));
	char buf[3000] = { 1 };
	struct tcp_info ti[2];
	int fds[2], i, unread;
	struct dsock *s;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 4));
	ASSERT_EQ(0, write_all(self->c, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), read_full(self->a, buf, sizeof(buf)));
	ASSERT_EQ(0, write_all(self->a, buf, 1000));
	ASSERT_EQ(0, write_all(self->c, buf, 700));	/* left unread */
	ASSERT_EQ(0, settle(self->c));
	ASSERT_EQ(0, settle(self->a));
	ASSERT_EQ(1000, read_full(self->c, buf, 1000));
	usleep(XT(300) * 1000);

	fds[0] = self->c;
	fds[1] = self->a;
	for (i = 0; i < 2; i++) {
		const char *ns = i ? SRV_NS : CLI_NS;
		int sport = i ? DIAG_PORT + 4 : self->cport;
		int dport = i ? self->cport : DIAG_PORT + 4;
		struct tcp_info *a = &ti[i], *b;

		ASSERT_EQ(0, get_info(fds[i], a));
		ASSERT_LE(1, dump_ns(ns, ~0u, d));
		s = find(d, sport, dport);
		ASSERT_NE(NULL, s);
		ASSERT_TRUE(s->has_info);
		b = &s->info;
		TH_LOG("%s: cwnd %u rtt %u mss %u bytes_acked %llu received %llu segs %u/%u",
		       ns, b->tcpi_snd_cwnd, b->tcpi_rtt, b->tcpi_snd_mss,
		       (unsigned long long)b->tcpi_bytes_acked,
		       (unsigned long long)b->tcpi_bytes_received,
		       b->tcpi_segs_out, b->tcpi_segs_in);
		EXPECT_EQ(a->tcpi_state, b->tcpi_state);
		EXPECT_EQ(s->r.idiag_state, b->tcpi_state);
		EXPECT_EQ(a->tcpi_ca_state, b->tcpi_ca_state);
		EXPECT_EQ(a->tcpi_options, b->tcpi_options);
		EXPECT_EQ((int)a->tcpi_snd_wscale, (int)b->tcpi_snd_wscale);
		EXPECT_EQ((int)a->tcpi_rcv_wscale, (int)b->tcpi_rcv_wscale);
		EXPECT_EQ(a->tcpi_rto, b->tcpi_rto);
		EXPECT_EQ(a->tcpi_snd_mss, b->tcpi_snd_mss);
		EXPECT_EQ(a->tcpi_rcv_mss, b->tcpi_rcv_mss);
		EXPECT_EQ(a->tcpi_unacked, b->tcpi_unacked);
		EXPECT_EQ(a->tcpi_retrans, b->tcpi_retrans);
		EXPECT_EQ(a->tcpi_pmtu, b->tcpi_pmtu);
		EXPECT_EQ(a->tcpi_rtt, b->tcpi_rtt);
		EXPECT_EQ(a->tcpi_rttvar, b->tcpi_rttvar);
		EXPECT_EQ(a->tcpi_snd_ssthresh, b->tcpi_snd_ssthresh);
		EXPECT_EQ(a->tcpi_snd_cwnd, b->tcpi_snd_cwnd);
		EXPECT_EQ(a->tcpi_advmss, b->tcpi_advmss);
		EXPECT_EQ(a->tcpi_reordering, b->tcpi_reordering);
		EXPECT_EQ(a->tcpi_total_retrans, b->tcpi_total_retrans);
		EXPECT_EQ(a->tcpi_bytes_acked, b->tcpi_bytes_acked);
		EXPECT_EQ(a->tcpi_bytes_received, b->tcpi_bytes_received);
		EXPECT_EQ(a->tcpi_bytes_sent, b->tcpi_bytes_sent);
		EXPECT_EQ(a->tcpi_segs_out, b->tcpi_segs_out);
		EXPECT_EQ(a->tcpi_segs_in, b->tcpi_segs_in);
		EXPECT_EQ(a->tcpi_data_segs_out, b->tcpi_data_segs_out);
		EXPECT_EQ(a->tcpi_data_segs_in, b->tcpi_data_segs_in);
		EXPECT_EQ(a->tcpi_min_rtt, b->tcpi_min_rtt);
		EXPECT_EQ(a->tcpi_snd_wnd, b->tcpi_snd_wnd);
		EXPECT_EQ(a->tcpi_notsent_bytes, b->tcpi_notsent_bytes);
		/* Real numbers, not zeros on both sides. */
		EXPECT_LT(0, b->tcpi_snd_cwnd);
		EXPECT_LT(0, b->tcpi_rtt);
		EXPECT_LT(0, b->tcpi_segs_out);
		EXPECT_EQ(0, s->r.idiag_wqueue);
	}
	/* Client: 3000 + 700 sent and ACKed (+1 for its SYN), 1000 got. */
	EXPECT_EQ(3701, ti[0].tcpi_bytes_acked);
	EXPECT_EQ(3700, ti[0].tcpi_bytes_sent);
	EXPECT_EQ(1000, ti[0].tcpi_bytes_received);
	/* Server: the 700 unread are its receive queue. */
	ASSERT_EQ(0, ioctl(self->a, FIONREAD, &unread));
	EXPECT_EQ(700, unread);
	s = find(d, DIAG_PORT + 4, self->cport);
	EXPECT_EQ(700, s->r.idiag_rqueue);
	free(d);
}

/* SKMEMINFO: the buffers' sizes and the unread data's charge. */
TEST_F(diag, skmeminfo_sane)
{
	struct dump *d = calloc(1, sizeof(*d));
	char buf[2000] = { 2 };
	int rcvbuf, sndbuf;
	socklen_t len = sizeof(int);
	struct dsock *s;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 5));
	ASSERT_EQ(0, write_all(self->c, buf, sizeof(buf)));
	ASSERT_EQ(0, settle(self->c));
	ASSERT_EQ(0, getsockopt(self->a, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len));
	ASSERT_EQ(0, getsockopt(self->a, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
	ASSERT_LE(1, dump_ns(SRV_NS, ~0u, d));
	s = find(d, DIAG_PORT + 5, self->cport);
	ASSERT_NE(NULL, s);
	ASSERT_TRUE(s->has_skmem);
	TH_LOG("skmem r%u rb%u t%u tb%u f%u w%u o%u bl%u d%u",
	       s->skmem[SK_MEMINFO_RMEM_ALLOC], s->skmem[SK_MEMINFO_RCVBUF],
	       s->skmem[SK_MEMINFO_WMEM_ALLOC], s->skmem[SK_MEMINFO_SNDBUF],
	       s->skmem[SK_MEMINFO_FWD_ALLOC], s->skmem[SK_MEMINFO_WMEM_QUEUED],
	       s->skmem[SK_MEMINFO_OPTMEM], s->skmem[SK_MEMINFO_BACKLOG],
	       s->skmem[SK_MEMINFO_DROPS]);
	EXPECT_EQ(rcvbuf, s->skmem[SK_MEMINFO_RCVBUF]);
	EXPECT_EQ(sndbuf, s->skmem[SK_MEMINFO_SNDBUF]);
	/* 2000 unread bytes are charged, with their skbs' overhead. */
	EXPECT_LE(2000, s->skmem[SK_MEMINFO_RMEM_ALLOC]);
	EXPECT_GE(rcvbuf, s->skmem[SK_MEMINFO_RMEM_ALLOC]);
	/* Nothing to send, nothing queued, nothing dropped. */
	EXPECT_EQ(0, s->skmem[SK_MEMINFO_WMEM_QUEUED]);
	EXPECT_EQ(0, s->skmem[SK_MEMINFO_DROPS]);
	EXPECT_EQ(2000, s->r.idiag_rqueue);
	free(d);
}

/* INET_DIAG_CONG: the name TCP_CONGESTION gives, cubic by default. */
TEST_F(diag, cong_name)
{
	struct dump *d = calloc(1, sizeof(*d));
	char name[16] = "";
	socklen_t len = sizeof(name);
	struct dsock *s;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 6));
	ASSERT_EQ(0, getsockopt(self->c, SOL_TCP, TCP_CONGESTION, name, &len));
	ASSERT_LE(1, dump_ns(CLI_NS, ~0u, d));
	s = find(d, self->cport, DIAG_PORT + 6);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ(name, s->cong);
	EXPECT_STREQ("cubic", s->cong);
	/* The listener has one too. */
	ASSERT_LE(1, dump_ns(SRV_NS, 1 << XTCP_LISTEN, d));
	s = find(d, DIAG_PORT + 6, 0);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ(name, s->cong);
	free(d);
}

/*
 * XTCP_DIAG_ENCAP_PORT: a connection in UDP (module/udp.c) carries its
 * peer's UDP port at both ends, what getsockopt(XTCP_ENCAP_PORT) reads
 * (at the server, the client connection's own port, not udp_port); a
 * plain connection and the listener carry none.
 */
TEST_F(diag, encap_port)
{
	const int port = DIAG_PORT + 13, udp = 9899;
	struct dump *d;
	struct dsock *s;
	int c2port, a2, a2_encap = -1;

	if (is_tcp())
		SKIP(return, "xtcp's own attribute");
	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.udp_port", udp));
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.udp_port", udp));
	ASSERT_EQ(0, pair(self, port));
	/* The client's next socket connects in UDP. */
	ASSERT_EQ(0, sysctl_set(CLI_NS, "net.xtcp.encap_port", udp));
	self->c2 = xsock(CLI_NS);
	ASSERT_LE(0, self->c2);
	ASSERT_EQ(0, do_connect(self->c2, SRV_ADDR, port));
	a2 = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, a2);
	c2port = local_port(self->c2);
	ASSERT_EQ(0, getsockopt(a2, IPPROTO_TCP, XTCP_ENCAP_PORT, &a2_encap,
				&(socklen_t){ sizeof(a2_encap) }));

	ASSERT_LE(2, dump_ns(CLI_NS, ~0u, d));
	s = find(d, self->cport, port);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(1, s->has_info);
	EXPECT_EQ(-1, s->encap);
	s = find(d, c2port, port);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(udp, s->encap);

	ASSERT_EQ(1, dump_ns(SRV_NS, 1 << XTCP_LISTEN, d));
	EXPECT_EQ(port, ntohs(d->s[0].r.id.idiag_sport));
	EXPECT_EQ(1, d->s[0].has_info);
	EXPECT_EQ(-1, d->s[0].encap);
	ASSERT_LE(2, dump_ns(SRV_NS, 1 << XTCP_ESTABLISHED, d));
	s = find(d, port, self->cport);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(-1, s->encap);
	/* The server's peer port: the client connection's own UDP port. */
	s = find(d, port, c2port);
	ASSERT_NE(NULL, s);
	EXPECT_NE(udp, s->encap);
	EXPECT_LT(0, s->encap);
	EXPECT_EQ(a2_encap, s->encap);
	close_abort(a2);
	free(d);
}

/* A request for one socket by its 4-tuple (no NLM_F_DUMP): that one. */
TEST_F(diag, dump_one)
{
	struct dump *d = calloc(1, sizeof(*d));
	struct diag_req q;
	struct dsock *s;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 7));
	req_init(&q, SOCK_DIAG_BY_FAMILY, 0, ~0u, EXT_ALL);
	q.r.id.idiag_sport = htons(self->cport);
	q.r.id.idiag_dport = htons(DIAG_PORT + 7);
	q.r.id.idiag_src[0] = inet_addr(CLI_ADDR);
	q.r.id.idiag_dst[0] = inet_addr(SRV_ADDR);
	ASSERT_EQ(1, diag_request(CLI_NS, &q, d));
	s = &d->s[0];
	EXPECT_EQ(XTCP_ESTABLISHED, s->r.idiag_state);
	EXPECT_EQ(self->cport, ntohs(s->r.id.idiag_sport));
	EXPECT_TRUE(s->has_info);
	/* A tuple nobody has. */
	q.r.id.idiag_dport = htons(DIAG_PORT + 90);
	EXPECT_EQ(-ENOENT, diag_request(CLI_NS, &q, d));
	free(d);
}

/*
 * SOCK_DESTROY of an established connection (ss -K): its owner's next
 * read fails with ECONNABORTED, the peer gets a RST (ECONNRESET), and
 * the socket is gone from the dumps.
 */
TEST_F(diag, destroy_established)
{
	struct dump *d = calloc(1, sizeof(*d));
	struct dsock *s, victim;
	struct tcp_info ti;
	char c;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 8));
	ASSERT_LE(1, dump_ns(CLI_NS, ~0u, d));
	s = find(d, self->cport, DIAG_PORT + 8);
	ASSERT_NE(NULL, s);
	/* Its own copy: the dumps below reuse @d. */
	victim = *s;
	ASSERT_EQ(0, destroy(CLI_NS, &victim));

	EXPECT_EQ(-1, read(self->c, &c, 1));
	EXPECT_EQ(ECONNABORTED, errno);
	ASSERT_EQ(0, get_info(self->c, &ti));
	EXPECT_EQ(XTCP_CLOSE, ti.tcpi_state);
	/* The RST reached the server's end. */
	set_nonblock(self->a, 0);
	{
		struct timeval tv = { .tv_sec = XT(5) };

		setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	EXPECT_EQ(-1, read(self->a, &c, 1));
	EXPECT_EQ(ECONNRESET, errno);
	ASSERT_LE(0, dump_ns(CLI_NS, ~0u, d));
	EXPECT_EQ(NULL, find(d, self->cport, 0));
	/* Twice: the socket is closed already. */
	EXPECT_EQ(-ENOENT, destroy(CLI_NS, &victim));
	free(d);
}

/* SOCK_DESTROY of a listener: it stops listening, connect is refused. */
TEST_F(diag, destroy_listener)
{
	struct dump *d = calloc(1, sizeof(*d));
	struct dsock *s;
	int fd;

	ASSERT_NE(NULL, d);
	self->lfd = xlisten(DIAG_PORT + 9, 4);
	ASSERT_LE(0, self->lfd);
	ASSERT_LE(1, dump_ns(SRV_NS, 1 << XTCP_LISTEN, d));
	s = find(d, DIAG_PORT + 9, 0);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, destroy(SRV_NS, s));
	ASSERT_LE(0, dump_ns(SRV_NS, ~0u, d));
	EXPECT_EQ(NULL, find(d, DIAG_PORT + 9, 0));
	fd = xsock(CLI_NS);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, do_connect(fd, SRV_ADDR, DIAG_PORT + 9));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);
	free(d);
}

/* SOCK_DESTROY of a TIME-WAIT sock: gone at once. */
TEST_F(diag, destroy_time_wait)
{
	struct dump *d = calloc(1, sizeof(*d));
	struct dsock *s;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 10));
	close(self->c);
	self->c = -1;
	usleep(100000);
	close(self->a);
	self->a = -1;
	s = wait_diag_state(CLI_NS, self->cport, DIAG_PORT + 10,
			    XTCP_TIME_WAIT, d, XT(5));
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, destroy(CLI_NS, s));
	ASSERT_LE(0, dump_ns(CLI_NS, ~0u, d));
	EXPECT_EQ(NULL, find(d, self->cport, 0));
	free(d);
}

/*
 * SOCK_DESTROY of an orphan: closed by its application, in FIN-WAIT-2
 * (the peer has not closed).  It goes at once.  Kernel TCP holds such an
 * orphan as a timewait sock and sends nothing; xtcp keeps a full socket,
 * which sends the peer a RST (as TCP's own full FIN-WAIT-2 sockets do):
 * the peer, in CLOSE-WAIT, is closed with EPIPE.
 */
TEST_F(diag, destroy_orphan)
{
	struct dump *d = calloc(1, sizeof(*d));
	struct dsock *s, victim;
	long refs;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 12));
	close(self->c);
	self->c = -1;
	s = wait_diag_state(CLI_NS, self->cport, DIAG_PORT + 12,
			    XTCP_FIN_WAIT2, d, XT(5));
	ASSERT_NE(NULL, s);
	victim = *s;
	refs = module_refs();
	ASSERT_EQ(0, destroy(CLI_NS, &victim));
	ASSERT_LE(0, dump_ns(CLI_NS, ~0u, d));
	EXPECT_EQ(NULL, find(d, self->cport, 0));
	EXPECT_EQ(-ENOENT, destroy(CLI_NS, &victim));
	if (!is_tcp()) {
		struct tcp_info ti;
		int i;

		/*
		 * The server's end, in CLOSE-WAIT, got the RST: closed, with
		 * EPIPE (what a RST in CLOSE-WAIT gives, as tcp_reset()).
		 */
		for (i = 0; i < 250; i++) {
			ASSERT_EQ(0, get_info(self->a, &ti));
			if (ti.tcpi_state == XTCP_CLOSE)
				break;
			usleep(20000);
		}
		EXPECT_EQ(XTCP_CLOSE, ti.tcpi_state);
		EXPECT_EQ(EPIPE, so_error(self->a));
		TH_LOG("module refs %ld before the destroy, %ld after", refs,
		       module_refs());
	}
	free(d);
}

/* Drop CAP_NET_ADMIN from this (forked, per-test) process. */
static int drop_net_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c))
		return -1;
	c[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	c[CAP_TO_INDEX(CAP_NET_ADMIN)].permitted &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	return syscall(SYS_capset, &h, c);
}

/* Without CAP_NET_ADMIN: dumps work, SOCK_DESTROY is EPERM. */
TEST_F(diag, destroy_needs_net_admin)
{
	struct dump *d = calloc(1, sizeof(*d));
	struct tcp_info ti;
	struct dsock *s;

	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, pair(self, DIAG_PORT + 11));
	ASSERT_EQ(0, drop_net_admin());
	ASSERT_LE(1, dump_ns(CLI_NS, ~0u, d));
	s = find(d, self->cport, DIAG_PORT + 11);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(-EPERM, destroy(CLI_NS, s));
	ASSERT_EQ(0, get_info(self->c, &ti));
	EXPECT_EQ(XTCP_ESTABLISHED, ti.tcpi_state);
	free(d);
}

TEST_HARNESS_MAIN
