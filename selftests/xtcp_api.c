// SPDX-License-Identifier: GPL-2.0
/*
 * The socket API of xtcp as programs written for TCP expect it: recv
 * flags, non-blocking sockets, poll/select/epoll events, socket options
 * at SOL_SOCKET and SOL_TCP (TCP's numbers), ioctls, every read and write
 * call, signals.  Where kernel TCP is the reference, the same steps run
 * on an IPPROTO_TCP socket in the same netns and the results must match.
 *
 * XTCP_ONLY=word,word runs only the tests whose names contain a word;
 * XTCP_PROTO=6 runs everything over kernel TCP (checks the tests).
 */
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

FIXTURE(api) {
	int lfd, c, a, cport;
};

/* A connected pair on @port: self->c in xcli, self->a in xsrv. */
static int pair(struct _test_data_api *self, int port)
{
	if (conn_pair(port, 16, &self->lfd, &self->c, &self->a))
		return -1;
	self->cport = local_port(self->c);
	return 0;
}

FIXTURE_SETUP(api)
{
	self->lfd = -1;
	self->c = -1;
	self->a = -1;
	XTCP_SETUP(_metadata->name);
	ASSERT_EQ(0, offloads_off());
}

FIXTURE_TEARDOWN(api)
{
	if (self->c >= 0)
		close_abort(self->c);
	if (self->a >= 0)
		close_abort(self->a);
	if (self->lfd >= 0)
		close(self->lfd);
	hosts_down();
}

static int inq(int fd)
{
	int v = -1;

	ioctl(fd, SIOCINQ, &v);
	return v;
}

static int outq(int fd)
{
	int v = -1;

	ioctl(fd, SIOCOUTQ, &v);
	return v;
}

/* Wait up to @ms for SIOCINQ of @fd to reach @want; returns the last. */
static int wait_inq(int fd, int want, int ms)
{
	double end = now_s() + ms / 1000.0;
	int v;

	do {
		v = inq(fd);
		if (v >= want)
			return v;
		usleep(10000);
	} while (now_s() < end);
	return v;
}

static int getint(int fd, int level, int opt, int *val)
{
	socklen_t len = sizeof(*val);

	return getsockopt(fd, level, opt, val, &len);
}

static int setint(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

/*
 * Fill the send buffer of non-blocking @fd (the peer does not read)
 * until writes keep failing with EAGAIN for @settle_ms; returns the
 * bytes written.
 */
static size_t fill_sndbuf(int fd, int settle_ms)
{
	static char junk[65536];
	size_t total = 0;
	double quiet = now_s();

	set_nonblock(fd, 1);
	while (now_s() - quiet < settle_ms / 1000.0) {
		ssize_t n = write(fd, junk, sizeof(junk));

		if (n > 0) {
			total += n;
			quiet = now_s();
		} else {
			usleep(20000);
		}
		if (total > (512u << 20))
			break;
	}
	set_nonblock(fd, 0);
	return total;
}

/* A thread that reads @len bytes from @fd (after @delay_ms). */
struct bg_read {
	int fd;
	size_t len;
	int delay_ms;
	uint8_t *buf;
	ssize_t got;
	pthread_t thr;
};

static void *bg_read_fn(void *arg)
{
	struct bg_read *b = arg;

	usleep(b->delay_ms * 1000);
	b->got = read_full(b->fd, b->buf, b->len);
	return NULL;
}

static int bg_read_start(struct bg_read *b, int fd, size_t len, int delay_ms)
{
	b->fd = fd;
	b->len = len;
	b->delay_ms = delay_ms;
	b->got = -1;
	b->buf = malloc(len);
	return b->buf ? pthread_create(&b->thr, NULL, bg_read_fn, b) : -1;
}

static int sig_count;	/* the signal handler's count */

static void count_sig(int sig)
{
	sig_count++;
}

static void on_signal(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = count_sig, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sig_count = 0;
}

/* SIGALRM once, @ms from now. */
static void alarm_ms(int ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* ---- recv flags ---- */

TEST_F(api, msg_peek_then_read_same_bytes)
{
	char p[16] = { 0 }, r[16] = { 0 };

	ASSERT_EQ(0, pair(self, 10001));
	ASSERT_EQ(0, write_all(self->a, "hello world", 11));
	ASSERT_EQ(11, wait_inq(self->c, 11, 2000));
	EXPECT_EQ(11, recv(self->c, p, sizeof(p), MSG_PEEK));
	EXPECT_EQ(11, inq(self->c));
	/* A second peek sees the same bytes again. */
	EXPECT_EQ(5, recv(self->c, p, 5, MSG_PEEK));
	EXPECT_EQ(11, recv(self->c, r, sizeof(r), 0));
	EXPECT_STREQ("hello world", p);
	EXPECT_STREQ("hello world", r);
	EXPECT_EQ(0, inq(self->c));
}

TEST_F(api, msg_dontwait_on_empty_queue_eagain)
{
	char b;
	double t;

	ASSERT_EQ(0, pair(self, 10002));
	t = now_s();
	EXPECT_EQ(-1, recv(self->c, &b, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GT(0.1, now_s() - t);
	/* The socket itself stays blocking. */
	EXPECT_FALSE(fcntl(self->c, F_GETFL) & O_NONBLOCK);
}

struct piece_writer {
	int fd, pieces, size, pause_ms;
	pthread_t thr;
};

static void *piece_write(void *arg)
{
	struct piece_writer *w = arg;
	char buf[4096];
	int i;

	fill_pattern((uint8_t *)buf, sizeof(buf), 5);
	for (i = 0; i < w->pieces; i++) {
		usleep(w->pause_ms * 1000);
		write_all(w->fd, buf + i * w->size, w->size);
	}
	return NULL;
}

/* MSG_WAITALL waits for the whole length though it comes in pieces. */
TEST_F(api, msg_waitall_gets_full_length)
{
	struct piece_writer w = { .pieces = 4, .size = 1000,
				  .pause_ms = 150 };
	uint8_t want[4096], buf[4000];
	double t;

	ASSERT_EQ(0, pair(self, 10003));
	w.fd = self->a;
	fill_pattern(want, sizeof(want), 5);
	t = now_s();
	ASSERT_EQ(0, pthread_create(&w.thr, NULL, piece_write, &w));
	EXPECT_EQ(4000, recv(self->c, buf, sizeof(buf), MSG_WAITALL));
	t = now_s() - t;
	pthread_join(w.thr, NULL);
	EXPECT_LE(0.5, t);
	EXPECT_EQ(0, memcmp(want, buf, 4000));
}

/* Wait until the peer's RST has arrived at @fd: POLLERR. */
static int wait_reset(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 3000) == 1 && (pfd.revents & POLLERR) ? 0 : -1;
}

/*
 * After the peer reset the connection: the first error is ECONNRESET;
 * then send() fails with EPIPE, with SIGPIPE unless MSG_NOSIGNAL.
 */
TEST_F(api, msg_nosignal_vs_sigpipe_after_reset)
{
	ASSERT_EQ(0, pair(self, 10004));
	on_signal(SIGPIPE, 0);
	close_abort(self->a);
	self->a = -1;
	ASSERT_EQ(0, wait_reset(self->c));
	EXPECT_EQ(ECONNRESET, so_error(self->c));
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sig_count);
	EXPECT_EQ(-1, send(self->c, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sig_count);
	signal(SIGPIPE, SIG_DFL);
}

TEST_F(api, epipe_and_sigpipe_after_shut_wr)
{
	char b = 0;

	ASSERT_EQ(0, pair(self, 10005));
	on_signal(SIGPIPE, 0);
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	EXPECT_EQ(-1, write(self->c, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sig_count);
	/* Reading still works: the peer can send. */
	ASSERT_EQ(0, write_all(self->a, "y", 1));
	EXPECT_EQ(1, read_full(self->c, &b, 1));
	EXPECT_EQ('y', b);
	signal(SIGPIPE, SIG_DFL);
}

/* ---- non-blocking sockets ---- */

TEST_F(api, nonblocking_read_eagain)
{
	char b;

	ASSERT_EQ(0, pair(self, 10011));
	set_nonblock(self->c, 1);
	EXPECT_EQ(-1, read(self->c, &b, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, write_all(self->a, "z", 1));
	ASSERT_EQ(1, wait_inq(self->c, 1, 2000));
	EXPECT_EQ(1, read(self->c, &b, 1));
	EXPECT_EQ('z', b);
	EXPECT_EQ(-1, read(self->c, &b, 1));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(api, nonblocking_connect_einprogress)
{
	struct pollfd pfd;
	int c;

	self->lfd = xlisten(10012, 8);
	ASSERT_LE(0, self->lfd);
	c = xsock(CLI_NS);
	self->c = c;
	set_nonblock(c, 1);
	EXPECT_EQ(-1, do_connect(c, SRV_ADDR, 10012));
	EXPECT_EQ(EINPROGRESS, errno);
	pfd.fd = c;
	pfd.events = POLLOUT;
	ASSERT_EQ(1, poll(&pfd, 1, 3000));
	EXPECT_EQ(POLLOUT, pfd.revents & (POLLOUT | POLLERR | POLLHUP));
	EXPECT_EQ(0, so_error(c));
	/*
	 * As TCP: the next connect() completes the call that was in
	 * progress (0), the one after says it is connected.
	 */
	EXPECT_EQ(0, do_connect(c, SRV_ADDR, 10012));
	EXPECT_EQ(-1, do_connect(c, SRV_ADDR, 10012));
	EXPECT_EQ(EISCONN, errno);
	EXPECT_EQ(1, write(c, "n", 1));
}

TEST_F(api, nonblocking_write_until_eagain)
{
	static char buf[65536];
	size_t total = 0;
	ssize_t n;
	int i;

	ASSERT_EQ(0, pair(self, 10013));
	set_nonblock(self->c, 1);
	for (i = 0; i < 100000; i++) {
		n = write(self->c, buf, sizeof(buf));
		if (n < 0)
			break;
		total += n;
	}
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	TH_LOG("EAGAIN after %zu bytes", total);
	EXPECT_LT(0, total);
	EXPECT_GT(64u << 20, total);
}

/* ---- poll, select, epoll ---- */

static int ep_add(int ep, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Events of one epoll_wait on @ep within @ms; 0 if none. */
static uint32_t ep_wait(int ep, int ms)
{
	struct epoll_event ev;

	return epoll_wait(ep, &ev, 1, ms) == 1 ? ev.events : 0;
}

TEST_F(api, readable_when_data_arrives_poll_select_epoll)
{
	struct pollfd pfd;
	struct timeval tv = { 0, 100000 };
	fd_set rd;
	int ep;

	ASSERT_EQ(0, pair(self, 10021));
	ep = epoll_create1(0);
	ASSERT_EQ(0, ep_add(ep, self->c, EPOLLIN));
	EXPECT_EQ(0, ep_wait(ep, 100));
	pfd.fd = self->c;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 100));
	FD_ZERO(&rd);
	FD_SET(self->c, &rd);
	EXPECT_EQ(0, select(self->c + 1, &rd, NULL, NULL, &tv));

	ASSERT_EQ(0, write_all(self->a, "data", 4));
	EXPECT_EQ(EPOLLIN, ep_wait(ep, 2000));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	FD_ZERO(&rd);
	FD_SET(self->c, &rd);
	tv.tv_usec = 0;
	EXPECT_EQ(1, select(self->c + 1, &rd, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(self->c, &rd));
	close(ep);
}

TEST_F(api, writable_then_not_when_full_then_again)
{
	struct pollfd pfd;
	struct bg_read b;
	size_t total;
	int ep;

	ASSERT_EQ(0, pair(self, 10022));
	ep = epoll_create1(0);
	ASSERT_EQ(0, ep_add(ep, self->c, EPOLLOUT));
	EXPECT_EQ(EPOLLOUT, ep_wait(ep, 1000));
	pfd.fd = self->c;
	pfd.events = POLLOUT;
	EXPECT_EQ(1, poll(&pfd, 1, 0));

	total = fill_sndbuf(self->c, 500);
	EXPECT_EQ(0, ep_wait(ep, 300));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	/* The peer reads: writable again. */
	ASSERT_EQ(0, bg_read_start(&b, self->a, total, 0));
	EXPECT_EQ(EPOLLOUT, ep_wait(ep, 5000));
	pthread_join(b.thr, NULL);
	EXPECT_EQ((ssize_t)total, b.got);
	free(b.buf);
	close(ep);
}

TEST_F(api, rdhup_and_in_after_peer_shut_wr)
{
	uint32_t ev;
	char b;
	int ep;

	ASSERT_EQ(0, pair(self, 10023));
	ep = epoll_create1(0);
	ASSERT_EQ(0, ep_add(ep, self->c, EPOLLIN | EPOLLRDHUP));
	EXPECT_EQ(0, ep_wait(ep, 100));
	ASSERT_EQ(0, shutdown(self->a, SHUT_WR));
	ev = ep_wait(ep, 2000);
	EXPECT_EQ(EPOLLIN | EPOLLRDHUP, ev);
	EXPECT_EQ(0, read(self->c, &b, 1));
	/* Still writable: only the peer's side is shut. */
	EXPECT_EQ(1, write(self->c, "w", 1));
	close(ep);
}

TEST_F(api, hup_and_err_after_peer_reset)
{
	uint32_t ev;
	int ep;

	ASSERT_EQ(0, pair(self, 10024));
	ep = epoll_create1(0);
	ASSERT_EQ(0, ep_add(ep, self->c, EPOLLIN | EPOLLOUT | EPOLLRDHUP));
	ASSERT_EQ(EPOLLOUT, ep_wait(ep, 1000));
	close_abort(self->a);
	self->a = -1;
	usleep(300000);
	ev = ep_wait(ep, 2000);
	TH_LOG("events after RST: %#x", ev);
	EXPECT_EQ(EPOLLHUP | EPOLLERR, ev & (EPOLLHUP | EPOLLERR));
	EXPECT_EQ(ECONNRESET, so_error(self->c));
	close(ep);
}

/* Edge-triggered: one event per arrival; level-triggered: until drained. */
TEST_F(api, edge_vs_level_triggered)
{
	int et, lt;
	char buf[64];

	ASSERT_EQ(0, pair(self, 10025));
	et = epoll_create1(0);
	lt = epoll_create1(0);
	ASSERT_EQ(0, ep_add(et, self->c, EPOLLIN | EPOLLET));
	ASSERT_EQ(0, ep_add(lt, self->c, EPOLLIN));
	ASSERT_EQ(0, write_all(self->a, "0123456789", 10));
	ASSERT_EQ(10, wait_inq(self->c, 10, 2000));
	EXPECT_EQ(EPOLLIN, ep_wait(et, 1000));
	EXPECT_EQ(0, ep_wait(et, 200));
	EXPECT_EQ(EPOLLIN, ep_wait(lt, 0));
	EXPECT_EQ(EPOLLIN, ep_wait(lt, 0));
	/* A partial read does not re-arm the edge. */
	EXPECT_EQ(4, read(self->c, buf, 4));
	EXPECT_EQ(0, ep_wait(et, 200));
	EXPECT_EQ(EPOLLIN, ep_wait(lt, 0));
	/* A new arrival does. */
	ASSERT_EQ(0, write_all(self->a, "abc", 3));
	EXPECT_EQ(EPOLLIN, ep_wait(et, 2000));
	EXPECT_EQ(0, ep_wait(et, 200));
	/* Drained: neither reports. */
	ASSERT_EQ(9, wait_inq(self->c, 9, 2000));
	EXPECT_EQ(9, read(self->c, buf, sizeof(buf)));
	EXPECT_EQ(0, ep_wait(lt, 100));
	EXPECT_EQ(0, ep_wait(et, 100));
	close(et);
	close(lt);
}

/* ---- an epoll edge-triggered echo server with 100 clients ---- */

#define ECHO_CLIENTS	100
#define ECHO_LEN	(64 << 10)
#define ECHO_CHUNK	4096

struct echo_conn {
	int fd, eof;
	uint8_t *buf;
	size_t len;
};

/* Flush what is pending on @e; -1 on a write error. */
static int echo_flush(struct echo_conn *e)
{
	while (e->len) {
		ssize_t n = write(e->fd, e->buf, e->len);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		memmove(e->buf, e->buf + n, e->len - n);
		e->len -= n;
	}
	return 0;
}

/* One process, one epoll loop, non-blocking sockets, edge-triggered. */
static int echo_server(int lfd)
{
	static struct echo_conn conns[ECHO_CLIENTS];
	struct epoll_event evs[64], lev = { .events = EPOLLIN | EPOLLET,
					    .data.ptr = NULL };
	int ep, nconn = 0, done = 0, i;
	double end = now_s() + 150;

	ep = epoll_create1(0);
	set_nonblock(lfd, 1);
	/* The listener is the one without a connection (data.ptr NULL). */
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev))
		return 1;
	while (done < ECHO_CLIENTS) {
		int n = epoll_wait(ep, evs, 64, 1000);

		if (now_s() > end)
			return 2;
		for (i = 0; i < n; i++) {
			struct echo_conn *e;

			if (evs[i].data.ptr == NULL) {
				int a;

				while ((a = accept4(lfd, NULL, NULL,
						    SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ev = {
						.events = EPOLLIN | EPOLLOUT |
							  EPOLLRDHUP | EPOLLET,
					};

					if (nconn == ECHO_CLIENTS)
						return 3;
					e = &conns[nconn++];
					e->fd = a;
					e->buf = malloc(2 * ECHO_LEN);
					ev.data.ptr = e;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev))
						return 4;
				}
				continue;
			}
			e = evs[i].data.ptr;
			/* Edge-triggered: read until EAGAIN. */
			while (!e->eof && e->len < 2 * ECHO_LEN) {
				ssize_t r = read(e->fd, e->buf + e->len,
						 2 * ECHO_LEN - e->len);

				if (r < 0 && errno == EAGAIN)
					break;
				if (r < 0)
					return 5;
				e->len += r;
				e->eof = r == 0;
			}
			if (echo_flush(e))
				return 6;
			if (e->eof && !e->len) {
				epoll_ctl(ep, EPOLL_CTL_DEL, e->fd, NULL);
				close(e->fd);
				e->fd = -1;
				done++;
			}
		}
	}
	return 0;
}

struct echo_client {
	int fd, err;
	char sent[65], back[65];
	int done;
};

static void *echo_client_fn(void *arg)
{
	struct echo_client *ec = arg;
	uint8_t *out = malloc(ECHO_LEN), *in = malloc(ECHO_LEN);
	int off;

	fill_pattern(out, ECHO_LEN, ec->fd * 7919);
	sha256_hex(out, ECHO_LEN, ec->sent);
	if (do_connect(ec->fd, SRV_ADDR, 10031)) {
		ec->err = errno;
		goto out;
	}
	for (off = 0; off < ECHO_LEN; off += ECHO_CHUNK) {
		if (write_all(ec->fd, out + off, ECHO_CHUNK) ||
		    read_full(ec->fd, in + off, ECHO_CHUNK) != ECHO_CHUNK) {
			ec->err = errno ? errno : EIO;
			goto out;
		}
	}
	shutdown(ec->fd, SHUT_WR);
	if (read(ec->fd, in, 1) != 0)
		ec->err = EPROTO;
	sha256_hex(in, ECHO_LEN, ec->back);
out:
	free(out);
	free(in);
	ec->done = 1;
	return NULL;
}

TEST_F_TIMEOUT(api, epoll_et_echo_server_100_clients, XT(200))
{
	static struct echo_client ec[ECHO_CLIENTS];
	pthread_t thr[ECHO_CLIENTS];
	int i, status, done, bad = 0;
	double t0 = now_s();
	pid_t pid;

	self->lfd = xlisten(10031, 128);
	ASSERT_LE(0, self->lfd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(echo_server(self->lfd));
	for (i = 0; i < ECHO_CLIENTS; i++) {
		memset(&ec[i], 0, sizeof(ec[i]));
		ec[i].fd = xsock(CLI_NS);
		ASSERT_LE(0, ec[i].fd);
		ASSERT_EQ(0, pthread_create(&thr[i], NULL, echo_client_fn,
					    &ec[i]));
	}
	do {
		usleep(50000);
		for (done = 0, i = 0; i < ECHO_CLIENTS; i++)
			done += ec[i].done;
	} while (done < ECHO_CLIENTS && now_s() - t0 < 160);
	if (done < ECHO_CLIENTS) {
		kill(pid, SIGKILL);
		for (i = 0; i < ECHO_CLIENTS; i++)
			shutdown(ec[i].fd, SHUT_RDWR);
		usleep(500000);
	}
	ASSERT_EQ(ECHO_CLIENTS, done);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("server exit %d",
						 WEXITSTATUS(status));
	for (i = 0; i < ECHO_CLIENTS; i++) {
		pthread_join(thr[i], NULL);
		if (ec[i].err || strcmp(ec[i].sent, ec[i].back))
			if (bad++ < 5)
				TH_LOG("client %d: %s", i, ec[i].err ?
				       strerror(ec[i].err) : "echo differs");
		close(ec[i].fd);
	}
	EXPECT_EQ(0, bad);
	TH_LOG("%d clients x %d B echoed in %.2f s", ECHO_CLIENTS, ECHO_LEN,
	       now_s() - t0);
}

/* ---- SOL_SOCKET options ---- */

/* SO_RCVBUF/SO_SNDBUF: what is set reads back exactly as TCP's does. */
TEST_F(api, so_rcvbuf_sndbuf_like_tcp)
{
	static const int vals[] = { 1, 2048, 4608, 8192, 65536, 1 << 20,
				    64 << 20 };
	static const int opts[] = { SO_RCVBUF, SO_SNDBUF };
	unsigned int i, j;

	for (j = 0; j < 2; j++) {
		for (i = 0; i < ARRAY_SIZE(vals); i++) {
			int x = xsock(CLI_NS), t = tcp_sock(CLI_NS), xv, tv;

			ASSERT_LE(0, x);
			ASSERT_LE(0, t);
			EXPECT_EQ(0, setint(x, SOL_SOCKET, opts[j], vals[i]));
			EXPECT_EQ(0, setint(t, SOL_SOCKET, opts[j], vals[i]));
			EXPECT_EQ(0, getint(x, SOL_SOCKET, opts[j], &xv));
			EXPECT_EQ(0, getint(t, SOL_SOCKET, opts[j], &tv));
			EXPECT_EQ(tv, xv) TH_LOG("%s %d: tcp %d xtcp %d",
						 j ? "SO_SNDBUF" : "SO_RCVBUF",
						 vals[i], tv, xv);
			close(x);
			close(t);
		}
	}
}

/* An unset socket's buffers: TCP's defaults (tcp_rmem[1], tcp_wmem[1]). */
TEST_F(api, so_rcvbuf_sndbuf_defaults_like_tcp)
{
	int x = xsock(CLI_NS), t = tcp_sock(CLI_NS), xv, tv;

	ASSERT_LE(0, x);
	ASSERT_LE(0, t);
	ASSERT_EQ(0, getint(x, SOL_SOCKET, SO_RCVBUF, &xv));
	ASSERT_EQ(0, getint(t, SOL_SOCKET, SO_RCVBUF, &tv));
	EXPECT_EQ(tv, xv);
	ASSERT_EQ(0, getint(x, SOL_SOCKET, SO_SNDBUF, &xv));
	ASSERT_EQ(0, getint(t, SOL_SOCKET, SO_SNDBUF, &tv));
	EXPECT_EQ(tv, xv);
	close(x);
	close(t);
}

/* SO_RCVLOWAT: not readable until lowat bytes are queued. */
TEST_F(api, so_rcvlowat)
{
	struct pollfd pfd;
	char buf[4096];
	int v;

	ASSERT_EQ(0, pair(self, 10041));
	ASSERT_EQ(0, setint(self->c, SOL_SOCKET, SO_RCVLOWAT, 1000));
	ASSERT_EQ(0, getint(self->c, SOL_SOCKET, SO_RCVLOWAT, &v));
	EXPECT_EQ(1000, v);
	memset(buf, 'l', sizeof(buf));
	ASSERT_EQ(0, write_all(self->a, buf, 500));
	ASSERT_EQ(500, wait_inq(self->c, 500, 2000));
	pfd.fd = self->c;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 300));
	ASSERT_EQ(0, write_all(self->a, buf, 600));
	EXPECT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_EQ(1100, read(self->c, buf, sizeof(buf)));
}

/* A blocking read with no data returns EAGAIN after SO_RCVTIMEO. */
TEST_F(api, so_rcvtimeo)
{
	struct timeval tv = { 0, 500000 }, got;
	socklen_t len = sizeof(got);
	char b;
	double t;

	ASSERT_EQ(0, pair(self, 10042));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_RCVTIMEO, &got,
				&len));
	EXPECT_EQ(500000, got.tv_usec);
	t = now_s();
	EXPECT_EQ(-1, read(self->c, &b, 1));
	EXPECT_EQ(EAGAIN, errno);
	t = now_s() - t;
	TH_LOG("read returned after %.3f s", t);
	EXPECT_LE(0.45, t);
	EXPECT_GE(1.2, t);
}

/*
 * A write blocked on a full send buffer returns after SO_SNDTIMEO: a
 * partial count if it copied some, else EAGAIN.
 */
TEST_F(api, so_sndtimeo)
{
	struct timeval tv = { 0, 500000 };
	static char buf[1 << 20];
	int i, partial = 0, eagain = 0;

	ASSERT_EQ(0, pair(self, 10043));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	for (i = 0; i < 200 && !eagain; i++) {
		double t = now_s();
		ssize_t n = write(self->c, buf, sizeof(buf));

		t = now_s() - t;
		if (n == (ssize_t)sizeof(buf))
			continue;
		TH_LOG("write %d returned %zd (%s) after %.3f s", i, n,
		       n < 0 ? strerror(errno) : "partial", t);
		if (n < 0) {
			EXPECT_EQ(EAGAIN, errno);
			eagain = 1;
		} else {
			partial++;
		}
		EXPECT_LE(0.45, t);
		EXPECT_GE(1.5, t);
	}
	EXPECT_EQ(1, eagain);
}

TEST_F(api, so_error_after_reset_then_cleared)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ASSERT_EQ(0, pair(self, 10044));
	EXPECT_EQ(0, so_error(self->c));
	close_abort(self->a);
	self->a = -1;
	ASSERT_EQ(0, wait_reset(self->c));
	EXPECT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_ERROR, &v, &len));
	EXPECT_EQ(ECONNRESET, v);
	EXPECT_EQ(0, so_error(self->c));
	EXPECT_EQ(0, read(self->c, &v, 1));
}

/*
 * A fixed sequence of binds and listens with and without SO_REUSEADDR or
 * SO_REUSEPORT; each step's result (0 or errno) into @res.
 */
static void reuse_steps(int proto, int opt, int port, int *res)
{
	int s[4], i, k = 0;

#define STEP(call) (res[k++] = (call) ? errno : 0)
	for (i = 0; i < 4; i++)
		s[i] = socket_in(SRV_NS, AF_INET, SOCK_STREAM, proto);
	/* Both with the option, neither listening. */
	STEP(setint(s[0], SOL_SOCKET, opt, 1));
	STEP(setint(s[1], SOL_SOCKET, opt, 1));
	STEP(do_bind(s[0], SRV_ADDR, port));
	STEP(do_bind(s[1], SRV_ADDR, port));
	/* One listens; a third with the option binds. */
	STEP(listen(s[0], 8));
	STEP(setint(s[2], SOL_SOCKET, opt, 1));
	STEP(do_bind(s[2], SRV_ADDR, port));
	STEP(listen(s[1], 8));
	/* Without the option: refused. */
	STEP(do_bind(s[3], SRV_ADDR, port));
	STEP(do_bind(s[3], "0.0.0.0", port));
#undef STEP
	for (i = 0; i < 4; i++)
		close(s[i]);
}

TEST_F(api, so_reuseaddr_like_tcp)
{
	int x[10], t[10], i, v;

	reuse_steps(IPPROTO_TCP, SO_REUSEADDR, 10051, t);
	reuse_steps(xtcp_proto(), SO_REUSEADDR, 10051, x);
	for (i = 0; i < 10; i++) {
		EXPECT_EQ(t[i], x[i]) TH_LOG("step %d: tcp %s, xtcp %s", i,
					     strerror(t[i]), strerror(x[i]));
	}
	/* A listener's port is refused even with SO_REUSEADDR. */
	EXPECT_EQ(EADDRINUSE, x[6]);
	self->c = xsock(CLI_NS);
	ASSERT_EQ(0, setint(self->c, SOL_SOCKET, SO_REUSEADDR, 1));
	ASSERT_EQ(0, getint(self->c, SOL_SOCKET, SO_REUSEADDR, &v));
	EXPECT_EQ(1, v);
}

TEST_F(api, so_reuseport_like_tcp)
{
	int x[10], t[10], i;

	reuse_steps(IPPROTO_TCP, SO_REUSEPORT, 10052, t);
	reuse_steps(xtcp_proto(), SO_REUSEPORT, 10052, x);
	for (i = 0; i < 10; i++) {
		EXPECT_EQ(t[i], x[i]) TH_LOG("step %d: tcp %s, xtcp %s", i,
					     strerror(t[i]), strerror(x[i]));
	}
	EXPECT_EQ(0, x[3]);
	EXPECT_EQ(0, x[7]);
	EXPECT_EQ(EADDRINUSE, x[8]);
}

/* Two SO_REUSEPORT listeners on one port both get connections. */
TEST_F(api, so_reuseport_distributes_connections)
{
	int l[2], c[16], got[2] = { 0, 0 }, i, j, a;

	for (j = 0; j < 2; j++) {
		l[j] = xsock(SRV_NS);
		ASSERT_EQ(0, setint(l[j], SOL_SOCKET, SO_REUSEPORT, 1));
		ASSERT_EQ(0, do_bind(l[j], SRV_ADDR, 10053));
		ASSERT_EQ(0, listen(l[j], 32));
		set_nonblock(l[j], 1);
	}
	for (i = 0; i < 16; i++) {
		c[i] = xsock(CLI_NS);
		ASSERT_EQ(0, do_connect(c[i], SRV_ADDR, 10053));
	}
	usleep(300000);
	for (j = 0; j < 2; j++)
		while ((a = accept(l[j], NULL, NULL)) >= 0) {
			got[j]++;
			close(a);
		}
	TH_LOG("listener 0 got %d, listener 1 got %d", got[0], got[1]);
	EXPECT_EQ(16, got[0] + got[1]);
	EXPECT_LT(0, got[0]);
	EXPECT_LT(0, got[1]);
	for (i = 0; i < 16; i++)
		close(c[i]);
	close(l[0]);
	close(l[1]);
}

/* ---- ioctls ---- */

TEST_F(api, fionread_siocinq)
{
	char buf[1234];
	int v = -1;

	ASSERT_EQ(0, pair(self, 10061));
	EXPECT_EQ(0, inq(self->c));
	memset(buf, 'q', sizeof(buf));
	ASSERT_EQ(0, write_all(self->a, buf, sizeof(buf)));
	EXPECT_EQ(1234, wait_inq(self->c, 1234, 2000));
	usleep(100000);
	EXPECT_EQ(1234, inq(self->c));
	EXPECT_EQ(0, ioctl(self->c, FIONREAD, &v));
	EXPECT_EQ(1234, v);
	EXPECT_EQ(234, read(self->c, buf, 234));
	EXPECT_EQ(1000, inq(self->c));
}

/*
 * The peer does not read until the window is full: SIOCOUTQ is what was
 * written less what the peer received; after it reads, 0.
 */
TEST_F(api, siocoutq_with_full_window)
{
	struct bg_read b;
	size_t total;
	int out, in;

	ASSERT_EQ(0, pair(self, 10062));
	EXPECT_EQ(0, outq(self->c));
	total = fill_sndbuf(self->c, 1000);
	out = outq(self->c);
	in = inq(self->a);
	TH_LOG("written %zu, SIOCOUTQ %d, peer's SIOCINQ %d", total, out,
	       in);
	EXPECT_EQ((int)total, out + in);
	EXPECT_LT(0, out);
	ASSERT_EQ(0, bg_read_start(&b, self->a, total, 0));
	pthread_join(b.thr, NULL);
	EXPECT_EQ((ssize_t)total, b.got);
	free(b.buf);
	usleep(500000);
	EXPECT_EQ(0, outq(self->c));
}

/* ---- SOL_TCP options ---- */

TEST_F(api, tcp_nodelay_set_get)
{
	int v = -1;

	ASSERT_EQ(0, pair(self, 10071));
	ASSERT_EQ(0, getint(self->c, SOL_TCP, TCP_NODELAY, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, setint(self->c, SOL_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(0, getint(self->c, SOL_TCP, TCP_NODELAY, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, setint(self->c, SOL_TCP, TCP_NODELAY, 0));
	ASSERT_EQ(0, getint(self->c, SOL_TCP, TCP_NODELAY, &v));
	EXPECT_EQ(0, v);
}

/*
 * Outgoing data segments seen on @cap within @ms; in @bytes the sequence
 * space they cover (a resend counted once), in @maxlen the longest.
 */
static int data_segs(int cap, int ms, int *bytes, int *maxlen)
{
	double end = now_s() + ms / 1000.0;
	uint32_t first = 0, last = 0;
	struct seg s;
	int n = 0;

	if (maxlen)
		*maxlen = 0;
	while (now_s() < end) {
		if (cap_next(cap, &s, (int)((end - now_s()) * 1000) + 1))
			break;
		if (!s.outgoing || !s.len)
			continue;
		/* Sequence space covered: a resend does not count twice. */
		if (!n || (int32_t)(s.seq - first) < 0)
			first = s.seq;
		if (!n || (int32_t)(s.seq + s.len - last) > 0)
			last = s.seq + s.len;
		n++;
		if (maxlen && s.len > *maxlen)
			*maxlen = s.len;
	}
	if (bytes)
		*bytes = n ? (int)(last - first) : 0;
	return n;
}

/* With TCP_CORK, small writes leave as one segment when uncorked. */
TEST_F(api, tcp_cork_coalesces_writes)
{
	char buf[500];
	int cap, i, n, bytes, v = -1;

	ASSERT_EQ(0, pair(self, 10072));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, setint(self->c, SOL_TCP, TCP_CORK, 1));
	ASSERT_EQ(0, getint(self->c, SOL_TCP, TCP_CORK, &v));
	EXPECT_EQ(1, v);
	fill_pattern((uint8_t *)buf, sizeof(buf), 9);
	for (i = 0, n = 0; i < 5; i++)
		n += write(self->c, buf + 100 * i, 100);
	ASSERT_EQ(500, n);
	EXPECT_EQ(0, data_segs(cap, 150, NULL, NULL));
	ASSERT_EQ(0, setint(self->c, SOL_TCP, TCP_CORK, 0));
	EXPECT_EQ(1, data_segs(cap, 300, &bytes, NULL));
	EXPECT_EQ(500, bytes);
	ASSERT_EQ(500, read_full(self->a, buf, 500));
	close(cap);
}

/*
 * A cork holds short data for 200 ms at most (tcp(7)): with nothing in
 * flight the persist timer sends what the window takes, corked or not.
 */
TEST_F(api, tcp_cork_sends_held_data_without_uncork)
{
	struct timeval tv = { 5, 0 };
	char buf[100], in[100];
	double t0;
	int cap;

	ASSERT_EQ(0, pair(self, 10076));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, setint(self->c, SOL_TCP, TCP_CORK, 1));
	fill_pattern((uint8_t *)buf, sizeof(buf), 13);
	t0 = now_s();
	ASSERT_EQ(100, write(self->c, buf, sizeof(buf)));
	/* Held at first ... */
	EXPECT_EQ(0, data_segs(cap, 100, NULL, NULL));
	/* ... then sent, still corked. */
	setsockopt(self->a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ASSERT_EQ(100, read_full(self->a, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(buf, in, sizeof(buf)));
	EXPECT_GT(XT(3.0), now_s() - t0);
	close(cap);
}

/*
 * A reader blocked in MSG_WAITALL for far more than its buffer holds
 * opens the window as it reads, without waiting for the sender's
 * zero-window probes: the writer first fills the window (500 ms), then
 * 1 MiB goes through the 64 KiB receive buffer, timed from the recv()
 * against kernel TCP on the same path in the same test, and the sender
 * probes no window meanwhile.
 */
struct waitall_arg {
	int fd;
	size_t len;
};

static void *waitall_writer(void *p)
{
	struct waitall_arg *w = p;
	static char buf[65536];
	size_t done = 0;

	while (done < w->len) {
		ssize_t n = write(w->fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		done += n;
	}
	return NULL;
}

static double waitall_time(struct __test_metadata *_metadata, int proto,
			   int port, long *probes_at_recv)
{
	struct waitall_arg w = { .len = 1 << 20 };
	struct timeval tv = { XT(20), 0 };
	int lfd, c, a, rcvbuf = 65536;
	char *buf = malloc(w.len);
	pthread_t th;
	double t0, t;
	ssize_t n;

	lfd = socket_in(SRV_NS, AF_INET, SOCK_STREAM, proto);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setint(lfd, SOL_SOCKET, SO_RCVBUF, rcvbuf));
	ASSERT_EQ(0, do_bind(lfd, SRV_ADDR, port));
	ASSERT_EQ(0, listen(lfd, 1));
	c = socket_in(CLI_NS, AF_INET, SOCK_STREAM, proto);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, port));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	w.fd = c;
	pthread_create(&th, NULL, waitall_writer, &w);
	/* The window fills and shuts; probes from here on are the bug's. */
	usleep(XT(500) * 1000);
	if (probes_at_recv)
		*probes_at_recv = xstat(CLI_NS, "WindowProbes");
	t0 = now_s();
	n = recv(a, buf, w.len, MSG_WAITALL);
	t = now_s() - t0;
	pthread_join(th, NULL);
	EXPECT_EQ((ssize_t)w.len, n);
	free(buf);
	close(c);
	close(a);
	close(lfd);
	return t;
}

TEST_F_TIMEOUT(api, msg_waitall_beyond_rcvbuf_opens_window, XT(90))
{
	long probes = -1;
	double tx, tt;

	tx = waitall_time(_metadata, xtcp_proto(), 10077, &probes);
	if (!is_tcp())
		EXPECT_EQ(probes, xstat(CLI_NS, "WindowProbes"))
			TH_LOG("the sender had to probe a window the reader opened");
	tt = waitall_time(_metadata, IPPROTO_TCP, 10078, NULL);
	TH_LOG("1 MiB through 64 KiB with MSG_WAITALL: %.2f s, TCP %.2f s",
	       tx, tt);
	EXPECT_GT(2 * tt + 0.5, tx);
}

/* In SYN-SENT nothing is queued for reading or unacknowledged data. */
TEST_F(api, siocinq_siocoutq_zero_in_syn_sent)
{
	self->c = xsock(CLI_NS);
	ASSERT_LE(0, self->c);
	set_nonblock(self->c, 1);
	/* A ghost neighbour: the SYN leaves and nothing ever answers. */
	ASSERT_EQ(-1, do_connect(self->c, "10.99.0.4", 10079));
	ASSERT_EQ(EINPROGRESS, errno);
	EXPECT_EQ(0, inq(self->c));
	EXPECT_EQ(0, outq(self->c));
}

/*
 * Urgent data as kernel TCP has it (RFC 9293 3.8.5 with Linux's reading
 * of the pointer): "ab", then "c" with MSG_OOB, then "de".  The reader
 * sees POLLPRI, SIOCINQ and read() stop at the mark ("ab"), SIOCATMARK
 * says so, recv(MSG_OOB) gives "c" once (then EINVAL), and the stream
 * goes on without it ("de").  With SO_OOBINLINE the urgent byte stays in the
 * stream ("fghij") and MSG_OOB has nothing to give.  The same steps give
 * the same answers over kernel TCP (XTCP_PROTO=6).
 */
TEST_F(api, urgent_data_like_tcp)
{
	struct pollfd p = { .events = POLLPRI };
	char buf[16] = { 0 }, c = 0;
	int mark = -1;

	ASSERT_EQ(0, pair(self, 10080));
	ASSERT_EQ(0, setint(self->c, SOL_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(2, write(self->c, "ab", 2));
	ASSERT_EQ(1, send(self->c, "c", 1, MSG_OOB));
	ASSERT_EQ(2, write(self->c, "de", 2));
	p.fd = self->a;
	ASSERT_EQ(1, poll(&p, 1, XT(2000)));
	EXPECT_TRUE(p.revents & POLLPRI);
	/* SIOCINQ counts what read() gets before the mark (tcp_inq()). */
	EXPECT_EQ(2, wait_inq(self->a, 2, XT(2000)));
	ASSERT_EQ(2, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	ASSERT_EQ(0, ioctl(self->a, SIOCATMARK, &mark));
	EXPECT_EQ(1, mark);
	ASSERT_EQ(1, recv(self->a, &c, 1, MSG_OOB));
	EXPECT_EQ('c', c);
	EXPECT_EQ(-1, recv(self->a, &c, 1, MSG_OOB));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(2, read(self->a, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	ASSERT_EQ(0, ioctl(self->a, SIOCATMARK, &mark));
	EXPECT_EQ(0, mark);

	ASSERT_EQ(0, setint(self->a, SOL_SOCKET, SO_OOBINLINE, 1));
	ASSERT_EQ(2, write(self->c, "fg", 2));
	ASSERT_EQ(1, send(self->c, "h", 1, MSG_OOB));
	ASSERT_EQ(2, write(self->c, "ij", 2));
	ASSERT_EQ(5, read_full(self->a, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "fghij", 5));
	EXPECT_EQ(-1, recv(self->a, &c, 1, MSG_OOB));
	EXPECT_EQ(EINVAL, errno);
}

/* send() before connect(): EPIPE, as TCP, and no port is bound. */
TEST_F(api, send_before_connect_binds_no_port)
{
	self->c = xsock(CLI_NS);
	ASSERT_LE(0, self->c);
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, local_port(self->c));
}

/*
 * 100 writes of 10 bytes, 5 ms apart, on a path whose ACKs take 20 ms:
 * with Nagle, small segments wait for the ACK of the one in flight, so
 * far fewer segments than writes; with TCP_NODELAY each write leaves at
 * once as its own segment.
 */
static int tiny_writes(struct __test_metadata *_metadata, int port,
		       int nodelay)
{
	struct timeval tv = { 10, 0 };
	char buf[1000];
	int lfd, c, a, cap, i, segs, bytes;

	lfd = xlisten(port, 8);
	c = xsock(CLI_NS);
	EXPECT_EQ(0, do_connect(c, SRV_ADDR, port));
	a = accept(lfd, NULL, NULL);
	EXPECT_LE(0, a);
	EXPECT_EQ(0, setint(c, SOL_TCP, TCP_NODELAY, nodelay));
	/* A stall fails the read, not the whole test by its timeout. */
	setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	cap = cap_open(CLI_NS, CLI_IF);
	for (i = 0; i < 100; i++) {
		EXPECT_EQ(10, write(c, "0123456789", 10));
		usleep(5000);
	}
	EXPECT_EQ(1000, read_full(a, buf, 1000));
	segs = data_segs(cap, 300, &bytes, NULL);
	EXPECT_EQ(1000, bytes);
	close(cap);
	close(c);
	close(a);
	close(lfd);
	return segs;
}

TEST_F_TIMEOUT(api, nagle_vs_nodelay_on_the_wire, XT(60))
{
	int nagle, nodelay;

	ASSERT_EQ(0, tc_in(SRV_NS, "qdisc add dev " SRV_IF
			   " root netem delay 20ms"));
	nagle = tiny_writes(_metadata, 10073, 0);
	nodelay = tiny_writes(_metadata, 10074, 1);
	TH_LOG("100 writes: %d segments with Nagle, %d with TCP_NODELAY",
	       nagle, nodelay);
	EXPECT_GE(33, nagle);
	EXPECT_LE(90, nodelay);
}

/*
 * The fq_codel flows (its classes) holding packets on @dev in @ns, under
 * the fq_codel whose handle is 2:; -1 if tc fails.
 */
static int fq_codel_flows(const char *ns, const char *dev)
{
	char cmd[160], line[256];
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "tc -n %s class show dev %s parent 2:",
		 ns, dev);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "class fq_codel 2:", 17);
	return pclose(f) ? -1 : n;
}

#define HASH_FLOWS	8

/*
 * Every connection has a flow hash of its own (sk_set_txhash() at
 * connect, the request's at accept, as TCP), which its segments carry:
 * fq_codel, XPS and RPS tell apart connections between the same two
 * hosts.  Without it, the kernel's flow dissector knows no ports for
 * protocol 253: every xtcp segment from one host to the other would
 * hash alike, one fq_codel flow.  Both ends send through a 100 kbit/s tbf
 * with fq_codel under it, and each end's queue holds as many flows as
 * connections (fq_codel has 1024 buckets: two of 8 flows share one with
 * a chance of 3%, which one flow less allows).
 */
TEST_F_TIMEOUT(api, flows_hash_apart, XT(60))
{
	static uint8_t buf[8192];
	int c[HASH_FLOWS], a[HASH_FLOWS], i, cli = -1, srv = -1, tries;
	const char *const ends[][2] = { { CLI_NS, CLI_IF }, { SRV_NS, SRV_IF } };

	/* Skipped over IPv6 (XTCP_FAMILY=6). */
	if (xtcp_family() == AF_INET6)
		SKIP(return, "turns IPv6 off in its hosts");

	for (i = 0; i < 2; i++) {
		/* No IPv6 neighbour discovery or MLD in the queues: a flow. */
		ASSERT_EQ(0, sysctl_set(ends[i][0], "net.ipv6.conf.all.disable_ipv6", 1));
		ASSERT_EQ(0, sysctl_set(ends[i][0], "net.ipv6.conf.default.disable_ipv6", 1));
		if (tc_in(ends[i][0], "qdisc add dev %s root handle 1: tbf rate 100kbit burst 4kb latency 20s",
			  ends[i][1]))
			SKIP(return, "no tbf qdisc");
		/* CoDel's drops off: every flow keeps its packets queued. */
		if (tc_in(ends[i][0], "qdisc add dev %s parent 1:1 handle 2: fq_codel target 10s interval 20s",
			  ends[i][1]))
			SKIP(return, "no fq_codel qdisc (CONFIG_NET_SCH_FQ_CODEL)");
	}
	self->lfd = xlisten(10079, HASH_FLOWS);
	ASSERT_LE(0, self->lfd);
	/*
	 * The queue outlasts the RTO: no new hash on a timeout (accepted
	 * sockets inherit the listener's setting), one flow per connection.
	 */
	ASSERT_EQ(0, setint(self->lfd, SOL_SOCKET, SO_TXREHASH, 0));
	for (i = 0; i < HASH_FLOWS; i++) {
		c[i] = xsock(CLI_NS);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, setint(c[i], SOL_SOCKET, SO_TXREHASH, 0));
		ASSERT_EQ(0, do_connect(c[i], SRV_ADDR, 10079));
		a[i] = accept(self->lfd, NULL, NULL);
		ASSERT_LE(0, a[i]);
	}
	/* Each end of each connection fills its congestion window. */
	for (i = 0; i < HASH_FLOWS; i++) {
		set_nonblock(c[i], 1);
		set_nonblock(a[i], 1);
		EXPECT_LT(0, write(c[i], buf, sizeof(buf)));
		EXPECT_LT(0, write(a[i], buf, sizeof(buf)));
	}
	/* The fullest moment of each queue, sampled while they drain. */
	for (tries = 0; tries < 10; tries++) {
		int n = fq_codel_flows(CLI_NS, CLI_IF);

		cli = n > cli ? n : cli;
		n = fq_codel_flows(SRV_NS, SRV_IF);
		srv = n > srv ? n : srv;
		if (cli == HASH_FLOWS && srv == HASH_FLOWS)
			break;
		usleep(50000);
	}
	TH_LOG("fq_codel flows: %d at the client, %d at the server, of %d connections",
	       cli, srv, HASH_FLOWS);
	EXPECT_LE(HASH_FLOWS - 1, cli);
	EXPECT_LE(HASH_FLOWS - 1, srv);
	/* And no more: a connection keeps its hash. */
	EXPECT_GE(HASH_FLOWS, cli);
	EXPECT_GE(HASH_FLOWS, srv);
	for (i = 0; i < HASH_FLOWS; i++) {
		close_abort(c[i]);
		close_abort(a[i]);
	}
}

/*
 * TCP_MAXSEG 1000 before connect: the SYN offers MSS 1000 and no data
 * segment either way is larger.
 */
TEST_F(api, tcp_maxseg_in_syn_and_segments)
{
	static uint8_t buf[20000], rbuf[20000];
	int cap, v = -1, n, bytes, maxlen;
	struct seg syn;

	self->lfd = xlisten(10075, 8);
	self->c = xsock(CLI_NS);
	ASSERT_EQ(0, setint(self->c, SOL_TCP, TCP_MAXSEG, 1000));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_EQ(0, do_connect(self->c, SRV_ADDR, 10075));
	self->a = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->a);
	ASSERT_EQ(0, cap_find(cap, &syn, XTCP_FLAG_SYN, 1, 1000));
	EXPECT_EQ(1000, syn.mss);
	ASSERT_EQ(0, getint(self->c, SOL_TCP, TCP_MAXSEG, &v));
	TH_LOG("TCP_MAXSEG after connect: %d", v);
	EXPECT_GE(1000, v);
	EXPECT_LE(900, v);

	fill_pattern(buf, sizeof(buf), 11);
	ASSERT_EQ(0, write_all(self->c, buf, sizeof(buf)));
	ASSERT_EQ((ssize_t)sizeof(rbuf), read_full(self->a, rbuf, sizeof(rbuf)));
	n = data_segs(cap, 300, &bytes, &maxlen);
	TH_LOG("client sent %d segments, largest %d", n, maxlen);
	EXPECT_EQ(20000, bytes);
	EXPECT_GE(1000, maxlen);
	EXPECT_LE(900, maxlen);
	EXPECT_EQ(0, memcmp(buf, rbuf, sizeof(buf)));
	close(cap);

	/* The server's segments obey the MSS the client offered. */
	cap = cap_open(SRV_NS, SRV_IF);
	ASSERT_EQ(0, write_all(self->a, buf, sizeof(buf)));
	ASSERT_EQ((ssize_t)sizeof(rbuf), read_full(self->c, rbuf, sizeof(rbuf)));
	n = data_segs(cap, 300, &bytes, &maxlen);
	TH_LOG("server sent %d segments, largest %d", n, maxlen);
	EXPECT_EQ(20000, bytes);
	EXPECT_GE(1000, maxlen);
	close(cap);
}

/* TCP_MAXSEG values accepted and refused exactly as kernel TCP does. */
TEST_F(api, tcp_maxseg_values_like_tcp)
{
	static const int vals[] = { -1, 0, 1, 87, 88, 536, 1000, 1460,
				    32767, 32768, 65536 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		int x = xsock(CLI_NS), t = tcp_sock(CLI_NS), xr, tr, xe, te;
		int xv = -1, tv = -1;

		xr = setint(x, SOL_TCP, TCP_MAXSEG, vals[i]);
		xe = xr ? errno : 0;
		tr = setint(t, SOL_TCP, TCP_MAXSEG, vals[i]);
		te = tr ? errno : 0;
		EXPECT_EQ(te, xe) TH_LOG("TCP_MAXSEG %d: tcp %s, xtcp %s",
					 vals[i], strerror(te), strerror(xe));
		/* Before connect, both read back the same value. */
		getint(x, SOL_TCP, TCP_MAXSEG, &xv);
		getint(t, SOL_TCP, TCP_MAXSEG, &tv);
		EXPECT_EQ(tv, xv) TH_LOG("TCP_MAXSEG %d read back: tcp %d, xtcp %d",
					 vals[i], tv, xv);
		close(x);
		close(t);
	}
}

/*
 * SOL_TCP options xtcp does not implement give ENOPROTOOPT both ways.
 * Mark one implemented here when the module does it: it must then
 * accept and refuse as kernel TCP does.
 */
static const struct {
	int opt;
	const char *name;
	int implemented;
} tcp_opts[] = {
	{ TCP_NODELAY,		"TCP_NODELAY",		1 },
	{ TCP_MAXSEG,		"TCP_MAXSEG",		1 },
	{ TCP_CORK,		"TCP_CORK",		1 },
	{ TCP_KEEPIDLE,		"TCP_KEEPIDLE",		1 },
	{ TCP_KEEPINTVL,	"TCP_KEEPINTVL",	1 },
	{ TCP_KEEPCNT,		"TCP_KEEPCNT",		1 },
	{ TCP_USER_TIMEOUT,	"TCP_USER_TIMEOUT",	1 },
	{ TCP_SYNCNT,		"TCP_SYNCNT",		1 },
	{ TCP_LINGER2,		"TCP_LINGER2",		1 },
	{ TCP_DEFER_ACCEPT,	"TCP_DEFER_ACCEPT",	1 },
	{ TCP_WINDOW_CLAMP,	"TCP_WINDOW_CLAMP",	1 },
	{ TCP_INFO,		"TCP_INFO",		1 },
	{ TCP_QUICKACK,		"TCP_QUICKACK",		1 },
	{ TCP_CONGESTION,	"TCP_CONGESTION",	1 },
	{ TCP_MD5SIG,		"TCP_MD5SIG",		0 },
	{ TCP_FASTOPEN,		"TCP_FASTOPEN",		0 },
	{ TCP_NOTSENT_LOWAT,	"TCP_NOTSENT_LOWAT",	1 },
	{ TCP_ULP,		"TCP_ULP",		0 },
	/* Read only; nothing (length 0) from CUBIC, as TCP's. */
	{ TCP_CC_INFO,		"TCP_CC_INFO",		1 },
};

TEST_F(api, sol_tcp_options_table)
{
	unsigned int i;

	if (is_tcp())
		SKIP(return, "the table is about xtcp");
	for (i = 0; i < ARRAY_SIZE(tcp_opts); i++) {
		int x = xsock(CLI_NS), t = tcp_sock(CLI_NS), xs, ts, xg, tg;
		char xb[256], tb[256];
		socklen_t xl = sizeof(xb), tl = sizeof(tb);

		xs = setint(x, SOL_TCP, tcp_opts[i].opt, 1) ? errno : 0;
		ts = setint(t, SOL_TCP, tcp_opts[i].opt, 1) ? errno : 0;
		xg = getsockopt(x, SOL_TCP, tcp_opts[i].opt, xb, &xl) ? errno : 0;
		tg = getsockopt(t, SOL_TCP, tcp_opts[i].opt, tb, &tl) ? errno : 0;
		if (tcp_opts[i].implemented) {
			EXPECT_EQ(ts, xs) TH_LOG("%s set: tcp %s, xtcp %s",
						 tcp_opts[i].name,
						 strerror(ts), strerror(xs));
			EXPECT_EQ(tg, xg) TH_LOG("%s get: tcp %s, xtcp %s",
						 tcp_opts[i].name,
						 strerror(tg), strerror(xg));
			EXPECT_EQ(tl, xl) TH_LOG("%s get's length: tcp %u, xtcp %u",
						 tcp_opts[i].name, tl, xl);
		} else {
			EXPECT_EQ(ENOPROTOOPT, xs) TH_LOG("%s set: %s",
							  tcp_opts[i].name,
							  strerror(xs));
			EXPECT_EQ(ENOPROTOOPT, xg) TH_LOG("%s get: %s",
							  tcp_opts[i].name,
							  strerror(xg));
			/* Whatever the length: the option is what is missing. */
			xs = setsockopt(x, SOL_TCP, tcp_opts[i].opt, "", 0) ?
			     errno : 0;
			EXPECT_EQ(ENOPROTOOPT, xs) TH_LOG("%s set, optlen 0: %s",
							  tcp_opts[i].name,
							  strerror(xs));
		}
		close(x);
		close(t);
	}
}

/* ---- every way to read and write ---- */

TEST_F(api, readv_writev)
{
	char a[] = "first,", b[] = "second,", c[] = "third";
	struct iovec wv[3] = {
		{ a, strlen(a) }, { b, strlen(b) }, { c, strlen(c) },
	};
	char r1[10] = { 0 }, r2[20] = { 0 };
	struct iovec rv[2] = { { r1, 9 }, { r2, 19 } };

	ASSERT_EQ(0, pair(self, 10081));
	EXPECT_EQ(18, writev(self->c, wv, 3));
	ASSERT_EQ(18, wait_inq(self->a, 18, 2000));
	EXPECT_EQ(18, readv(self->a, rv, 2));
	EXPECT_STREQ("first,sec", r1);
	EXPECT_STREQ("ond,third", r2);
}

TEST_F(api, send_recv_sendmsg_recvmsg)
{
	char h[] = "head:", d[] = "body";
	struct iovec iov[2] = { { h, 5 }, { d, 4 } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	struct sockaddr_in from;
	char buf[32] = { 0 };
	struct iovec riov = { buf, sizeof(buf) };
	struct msghdr rh = { .msg_name = &from, .msg_namelen = sizeof(from),
			     .msg_iov = &riov, .msg_iovlen = 1 };

	ASSERT_EQ(0, pair(self, 10082));
	EXPECT_EQ(9, sendmsg(self->c, &mh, 0));
	ASSERT_EQ(9, wait_inq(self->a, 9, 2000));
	EXPECT_EQ(9, recvmsg(self->a, &rh, 0));
	EXPECT_STREQ("head:body", buf);
	EXPECT_EQ(0, rh.msg_flags);

	EXPECT_EQ(5, send(self->a, "reply", 5, 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(5, wait_inq(self->c, 5, 2000));
	EXPECT_EQ(5, recv(self->c, buf, sizeof(buf), 0));
	EXPECT_STREQ("reply", buf);
	/* sendto() with an address on a connected stream ignores it. */
	EXPECT_EQ(2, sendto(self->c, "to", 2, 0, NULL, 0));
	EXPECT_EQ(2, recvfrom(self->a, buf, sizeof(buf), 0, NULL, NULL));
}

TEST_F_TIMEOUT(api, sendfile_1m, XT(60))
{
	size_t len = 1 << 20;
	char path[] = "/tmp/xtcp-sendfile.XXXXXX", h1[65], h2[65];
	uint8_t *buf = malloc(len);
	struct bg_read b;
	off_t off = 0;
	int fd;

	ASSERT_EQ(0, pair(self, 10083));
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	fill_pattern(buf, len, 13);
	ASSERT_EQ((ssize_t)len, write(fd, buf, len));
	sha256_hex(buf, len, h1);
	ASSERT_EQ(0, bg_read_start(&b, self->a, len, 0));
	while ((size_t)off < len) {
		ssize_t n = sendfile(self->c, fd, &off, len - off);

		ASSERT_LT(0, n) TH_LOG("sendfile: %s", strerror(errno));
	}
	pthread_join(b.thr, NULL);
	ASSERT_EQ((ssize_t)len, b.got);
	sha256_hex(b.buf, len, h2);
	EXPECT_STREQ(h1, h2);
	free(b.buf);
	free(buf);
	close(fd);
}

/* splice() from a pipe into the socket, and from the socket to a pipe. */
TEST_F_TIMEOUT(api, splice_both_ways, XT(60))
{
	size_t len = 64 << 10, moved = 0;
	uint8_t *buf = malloc(len), *rbuf = malloc(len);
	int in[2], out[2];
	ssize_t n;

	ASSERT_EQ(0, pair(self, 10084));
	ASSERT_EQ(0, pipe(in));
	ASSERT_EQ(0, pipe(out));
	fill_pattern(buf, len, 17);
	/* Pipe to socket, 16 KiB at a time (a pipe holds 64 KiB). */
	while (moved < len) {
		ASSERT_EQ(16384, write(in[1], buf + moved, 16384));
		n = splice(in[0], NULL, self->c, NULL, 16384, 0);
		ASSERT_EQ(16384, n) TH_LOG("splice to socket: %s",
					   strerror(errno));
		moved += n;
	}
	/* Socket to pipe. */
	for (moved = 0; moved < len; moved += n) {
		n = splice(self->a, NULL, out[1], NULL,
			   len - moved < 16384 ? len - moved : 16384, 0);
		ASSERT_LT(0, n) TH_LOG("splice from socket: %s",
				       strerror(errno));
		ASSERT_EQ(n, read_full(out[0], rbuf + moved, n));
	}
	EXPECT_EQ(0, memcmp(buf, rbuf, len));
	free(buf);
	free(rbuf);
}

/* ---- signals ---- */

TEST_F(api, blocked_read_eintr_without_sa_restart)
{
	char b;
	double t;

	ASSERT_EQ(0, pair(self, 10091));
	on_signal(SIGALRM, 0);
	alarm_ms(200);
	t = now_s();
	EXPECT_EQ(-1, read(self->c, &b, 1));
	EXPECT_EQ(EINTR, errno);
	t = now_s() - t;
	EXPECT_EQ(1, sig_count);
	EXPECT_LE(0.15, t);
	EXPECT_GE(1.0, t);
}

struct late_write {
	int fd, delay_ms;
	pthread_t thr;
};

static void *late_write_fn(void *arg)
{
	struct late_write *l = arg;

	usleep(l->delay_ms * 1000);
	write_all(l->fd, "late", 4);
	return NULL;
}

TEST_F(api, blocked_read_restarts_with_sa_restart)
{
	struct late_write l = { .delay_ms = 600 };
	char b[8] = { 0 };
	double t;

	ASSERT_EQ(0, pair(self, 10092));
	on_signal(SIGALRM, SA_RESTART);
	l.fd = self->a;
	ASSERT_EQ(0, pthread_create(&l.thr, NULL, late_write_fn, &l));
	alarm_ms(200);
	t = now_s();
	EXPECT_EQ(4, read(self->c, b, sizeof(b)));
	t = now_s() - t;
	pthread_join(l.thr, NULL);
	EXPECT_STREQ("late", b);
	EXPECT_EQ(1, sig_count);
	EXPECT_LE(0.5, t);
}

TEST_F_TIMEOUT(api, blocked_write_eintr_without_sa_restart, XT(60))
{
	char buf[100] = { 0 };
	size_t total;
	double t;

	ASSERT_EQ(0, pair(self, 10093));
	total = fill_sndbuf(self->c, 500);
	TH_LOG("send buffer full after %zu bytes", total);
	on_signal(SIGALRM, 0);
	alarm_ms(200);
	t = now_s();
	EXPECT_EQ(-1, write(self->c, buf, sizeof(buf)));
	EXPECT_EQ(EINTR, errno);
	t = now_s() - t;
	EXPECT_EQ(1, sig_count);
	EXPECT_LE(0.15, t);
	EXPECT_GE(1.0, t);
}

TEST_F_TIMEOUT(api, blocked_write_restarts_with_sa_restart, XT(60))
{
	char buf[100];
	struct bg_read b;
	size_t total;
	double t;

	ASSERT_EQ(0, pair(self, 10094));
	total = fill_sndbuf(self->c, 500);
	on_signal(SIGALRM, SA_RESTART);
	/* The peer starts reading after 600 ms. */
	ASSERT_EQ(0, bg_read_start(&b, self->a, total + sizeof(buf), 600));
	alarm_ms(200);
	memset(buf, 'w', sizeof(buf));
	t = now_s();
	EXPECT_EQ((ssize_t)sizeof(buf), write(self->c, buf, sizeof(buf)));
	t = now_s() - t;
	EXPECT_EQ(1, sig_count);
	EXPECT_LE(0.5, t);
	pthread_join(b.thr, NULL);
	EXPECT_EQ((ssize_t)(total + sizeof(buf)), b.got);
	EXPECT_EQ('w', b.buf[total + sizeof(buf) - 1]);
	free(b.buf);
}

TEST_HARNESS_MAIN
