// SPDX-License-Identifier: GPL-2.0
/*
 * The zero-copy paths: sendfile() and splice() into an xtcp socket
 * (struct proto's sendpage: the segments reference the file's pages),
 * and splice() out of one (proto_ops' splice_read: the pipe references
 * the received pages).  Bytes are compared by SHA-256; that pages are
 * referenced and not copied is seen as sendfile's documented effect: a
 * write to the file before its bytes leave changes what the peer gets.
 *
 * XTCP_ONLY=name,name runs only the tests whose names contain one of the
 * words; XTCP_PROTO=6 runs the same steps over kernel TCP, which every
 * test here must pass too (those reading /proc/net/xtcp_stat skip that
 * part there).
 */
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

#define MB	(1 << 20)

/* A connected pair: @c in the client netns, @a accepted in the server's. */
static int pair(int port, int rcvbuf, int sndbuf, int *c, int *a)
{
	int lfd = xlisten(port, 4);

	*c = xsock(CLI_NS);
	if (lfd < 0 || *c < 0)
		return -1;
	/* Set before the handshake, so the window scale suits them. */
	if (rcvbuf && setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				 sizeof(rcvbuf)))
		return -1;
	/* FORCE: past net.core.wmem_max (we are root in the VM). */
	if (sndbuf && setsockopt(*c, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
				 sizeof(sndbuf)))
		return -1;
	if (do_connect(*c, SRV_ADDR, port))
		return -1;
	*a = accept(lfd, NULL, NULL);
	close(lfd);
	return *a < 0 ? -1 : 0;
}

/* A file of @len pattern bytes (seed @seed) in /tmp; its fd, or -1. */
static int pattern_file(const char *path, size_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (!buf || fd < 0)
		goto fail;
	fill_pattern(buf, len, seed);
	if (write_all(fd, buf, len))
		goto fail;
	free(buf);
	return fd;
fail:
	free(buf);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* A reader thread: everything until EOF into a buffer. */
struct sink {
	int fd;
	size_t cap, got;
	uint8_t *buf;
	int err;
	pthread_t thr;
};

static void *sink_run(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		ssize_t n = read(s->fd, s->buf + s->got,
				 s->got < s->cap ? s->cap - s->got : 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s->err = errno;
			break;
		}
		if (n == 0 || s->got + n > s->cap) {
			if (n)
				s->err = EFBIG;
			break;
		}
		s->got += n;
	}
	return NULL;
}

static int sink_start(struct sink *s, int fd, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->cap = cap;
	s->buf = malloc(cap);
	if (!s->buf)
		return -1;
	return pthread_create(&s->thr, NULL, sink_run, s);
}

/* sendfile() all of @fd from offset 0; bytes sent, or -1. */
static ssize_t sendfile_all(int sock, int fd, size_t len)
{
	off_t off = 0;

	while ((size_t)off < len) {
		ssize_t n = sendfile(sock, fd, &off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
	}
	return off;
}

/* ---- fixture ---- */

FIXTURE(splice) {
	char path[64];
};

FIXTURE_SETUP(splice)
{
	XTCP_SETUP(_metadata->name);
	ASSERT_EQ(0, offloads_off());
	snprintf(self->path, sizeof(self->path), "/tmp/xtcp-splice.%d",
		 getpid());
}

FIXTURE_TEARDOWN(splice)
{
	unlink(self->path);
	hosts_down();
}

/* sendfile() of @len bytes, the peer's SHA-256 against the file's. */
static void sendfile_xfer(struct __test_metadata *_metadata, const char *path,
			  int port, size_t len)
{
	char want[65], got[65];
	struct sink s;
	uint8_t *buf;
	int c, a, fd;

	fd = pattern_file(path, len, port);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pair(port, 0, 0, &c, &a));
	ASSERT_EQ(0, sink_start(&s, a, len));
	EXPECT_EQ((ssize_t)len, sendfile_all(c, fd, len))
		TH_LOG("sendfile: %s", strerror(errno));
	close(c);
	pthread_join(s.thr, NULL);
	EXPECT_EQ(0, s.err) TH_LOG("reader: %s", strerror(s.err));
	EXPECT_EQ(len, s.got);
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	fill_pattern(buf, len, port);
	sha256_hex(buf, len, want);
	free(buf);
	sha256_hex(s.buf, s.got, got);
	EXPECT_STREQ(want, got);
	free(s.buf);
	close(a);
	close(fd);
}

TEST_F_TIMEOUT(splice, sendfile_8m, XT(60))
{
	sendfile_xfer(_metadata, self->path, 9601, 8 * MB);
}

/*
 * sendfile() hands the socket a page at a time, all but the last of
 * each batch flagged MSG_SENDPAGE_NOTLAST: the pages gather into skbs
 * of the size goal before they go, as in do_tcp_sendpages(), and do not
 * leave a page or two at a time.  With TSO on, the sender's capture
 * sees the skbs handed to the device: their mean payload is many
 * segments.  Sending a page at a time, it was about three segments.
 */
TEST_F_TIMEOUT(splice, sendfile_sends_whole_skbs, XT(60))
{
	long pkts = 0, bytes = 0;
	struct seg s;
	int cap;

	ASSERT_EQ(0, offloads_set(1));
	cap = cap_open(CLI_NS, CLI_IF);
	ASSERT_LE(0, cap);
	sendfile_xfer(_metadata, self->path, 9603, 2 * MB);
	while (cap_next(cap, &s, 200) == 0) {
		if (!s.outgoing || s.dport != 9603 || !s.len)
			continue;
		pkts++;
		bytes += s.len;
	}
	close(cap);
	TH_LOG("%ld bytes in %ld skbs, %ld bytes each", bytes, pkts,
	       pkts ? bytes / pkts : 0);
	ASSERT_LT(0, pkts);
	EXPECT_LE(2 * MB, bytes);
	EXPECT_LT(8 * 1448, bytes / pkts);
}

/*
 * Lost segments that reference the file's pages are sent again from
 * them: the retransmission path with shared fragments.
 */
TEST_F_TIMEOUT(splice, sendfile_4m_under_loss, XT(90))
{
	long r0 = 0;

	if (!is_tcp())
		r0 = XSTAT(CLI_NS, "RetransSegs");
	ASSERT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
			   " root netem loss 3%%"));
	sendfile_xfer(_metadata, self->path, 9602, 4 * MB);
	if (!is_tcp())
		EXPECT_LT(r0, XSTAT(CLI_NS, "RetransSegs"));
}

/*
 * sendfile(2): "the data may be sent from the page cache at the moment
 * of transmission".  The peer offers a small window, so most of 2 MiB is
 * still queued, unsent, when sendfile() returns; the peer reads the
 * first 64 KiB, then the file is overwritten, then the peer reads the
 * rest.  What was queued goes out with the new content only if the
 * segments hold the file's pages; a copying sendpage (sock_no_sendpage)
 * sends the old content throughout.  (Over veth the peer's queue may
 * hold the very pages too: only what was read before the write is sure
 * to be the old content.)
 */
TEST_F_TIMEOUT(splice, sendfile_references_the_pages, XT(60))
{
	size_t len = 2 * MB, head = 64 << 10, tail = MB;
	uint8_t *a_data, *b_data, *buf;
	char want[65], got[65];
	struct sink s;
	int c, a, fd;

	a_data = malloc(len);
	b_data = malloc(len);
	buf = malloc(head);
	ASSERT_NE(NULL, a_data);
	ASSERT_NE(NULL, b_data);
	ASSERT_NE(NULL, buf);
	fill_pattern(a_data, len, 1);
	fill_pattern(b_data, len, 2);

	fd = pattern_file(self->path, len, 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pair(9603, 32 << 10, 4 * MB, &c, &a));
	EXPECT_EQ((ssize_t)len, sendfile_all(c, fd, len));
	ASSERT_EQ((ssize_t)head, read_full(a, buf, head));
	EXPECT_EQ(0, memcmp(buf, a_data, head));
	ASSERT_EQ((ssize_t)len, pwrite(fd, b_data, len, 0));

	ASSERT_EQ(0, sink_start(&s, a, len - head));
	close(c);
	pthread_join(s.thr, NULL);
	ASSERT_EQ(len - head, s.got);
	/* The last MiB was queued, referencing the pages: the new content. */
	sha256_hex(b_data + len - tail, tail, want);
	sha256_hex(s.buf + s.got - tail, tail, got);
	EXPECT_STREQ(want, got)
		TH_LOG("the peer got the file as it was at sendfile() time: copied, not referenced");
	free(a_data);
	free(b_data);
	free(buf);
	free(s.buf);
	close(a);
	close(fd);
}

/*
 * A writer thread: @len pattern bytes (seed @seed) into @fd, then the
 * end of the stream: shutdown(SHUT_WR) on a socket, close() on a pipe.
 */
struct feeder {
	int fd;
	size_t len;
	uint32_t seed;
	int err;
	pthread_t thr;
};

static void *feeder_run(void *arg)
{
	struct feeder *f = arg;
	struct pattern p = { .seed = f->seed };
	uint8_t buf[65536];
	size_t left = f->len;

	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);

		pattern_next(&p, buf, n);
		if (write_all(f->fd, buf, n)) {
			f->err = errno;
			break;
		}
		left -= n;
	}
	if (shutdown(f->fd, SHUT_WR))
		close(f->fd);	/* not a socket: the pipe's write end */
	return NULL;
}

TEST_F_TIMEOUT(splice, splice_pipe_into_socket_8m, XT(60))
{
	size_t len = 8 * MB, sent = 0;
	struct feeder f = { .len = len, .seed = 7 };
	char want[65], got[65];
	int c, a, pfd[2];
	struct sink s;
	uint8_t *buf;

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pair(9604, 0, 0, &c, &a));
	ASSERT_EQ(0, sink_start(&s, a, len));
	f.fd = pfd[1];
	ASSERT_EQ(0, pthread_create(&f.thr, NULL, feeder_run, &f));
	for (;;) {
		ssize_t n = splice(pfd[0], NULL, c, NULL, 1 << 20,
				   SPLICE_F_MOVE | SPLICE_F_MORE);

		if (n < 0 && errno == EINTR)
			continue;
		ASSERT_LE(0, n) TH_LOG("splice: %s", strerror(errno));
		if (!n)
			break;
		sent += n;
	}
	pthread_join(f.thr, NULL);
	EXPECT_EQ(0, f.err);
	EXPECT_EQ(len, sent);
	close(c);
	pthread_join(s.thr, NULL);
	EXPECT_EQ(len, s.got);
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	fill_pattern(buf, len, 7);
	sha256_hex(buf, len, want);
	sha256_hex(s.buf, s.got, got);
	EXPECT_STREQ(want, got);
	free(buf);
	free(s.buf);
	close(pfd[0]);
	close(a);
}

/* splice() out of the socket into a pipe, then read from the pipe. */
TEST_F_TIMEOUT(splice, splice_socket_into_pipe_8m, XT(60))
{
	size_t len = 8 * MB, got = 0;
	struct feeder f = { .len = len, .seed = 8 };
	char want[65], have[65];
	struct sha256 h;
	int c, a, pfd[2];
	uint8_t *buf;

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pair(9605, 0, 0, &c, &a));
	f.fd = c;
	ASSERT_EQ(0, pthread_create(&f.thr, NULL, feeder_run, &f));
	buf = malloc(1 << 16);
	ASSERT_NE(NULL, buf);
	sha256_init(&h);
	for (;;) {
		ssize_t n = splice(a, NULL, pfd[1], NULL, 1 << 16,
				   SPLICE_F_MOVE);
		ssize_t m, k = 0;

		if (n < 0 && errno == EINTR)
			continue;
		ASSERT_LE(0, n) TH_LOG("splice: %s", strerror(errno));
		if (!n)
			break;
		while (k < n) {
			m = read(pfd[0], buf, n - k);
			ASSERT_LT(0, m);
			sha256_update(&h, buf, m);
			k += m;
		}
		got += n;
	}
	sha256_final(&h, have);
	pthread_join(f.thr, NULL);
	EXPECT_EQ(0, f.err);
	EXPECT_EQ(len, got);
	free(buf);
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	fill_pattern(buf, len, 8);
	sha256_hex(buf, len, want);
	EXPECT_STREQ(want, have);
	free(buf);
	close(pfd[0]);
	close(pfd[1]);
	close(c);
	close(a);
}

/*
 * splice() out of a socket in the states where reading fails, with the
 * errno kernel TCP gives: never connected (ENOTCONN), listening
 * (ENOTCONN), connected and empty with O_NONBLOCK (EAGAIN), an offset
 * (EINVAL), and 0 at the peer's FIN.
 */
TEST_F(splice, splice_read_errors)
{
	int s, lfd, c, a, pfd[2];
	loff_t off = 1;

	ASSERT_EQ(0, pipe(pfd));
	s = xsock(CLI_NS);
	ASSERT_LE(0, s);
	EXPECT_EQ(-1, splice(s, NULL, pfd[1], NULL, 100, 0));
	EXPECT_EQ(ENOTCONN, errno);
	close(s);

	lfd = xlisten(9606, 1);
	ASSERT_LE(0, lfd);
	set_nonblock(lfd, 1);
	EXPECT_EQ(-1, splice(lfd, NULL, pfd[1], NULL, 100, 0));
	EXPECT_EQ(ENOTCONN, errno);
	close(lfd);

	ASSERT_EQ(0, pair(9607, 0, 0, &c, &a));
	set_nonblock(a, 1);
	EXPECT_EQ(-1, splice(a, NULL, pfd[1], NULL, 100, 0));
	EXPECT_EQ(EAGAIN, errno);
	/* splice(2) refuses an offset on a socket before asking it. */
	EXPECT_EQ(-1, splice(a, &off, pfd[1], NULL, 100, 0));
	EXPECT_EQ(EINVAL, errno);
	set_nonblock(a, 0);
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(0, splice(a, NULL, pfd[1], NULL, 100, 0));
	close(c);
	close(a);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * splice() stops before the peer's urgent byte, as read() does, and
 * does not skip it: it gives what precedes the mark, then nothing while
 * the mark is next; the byte comes with recv(MSG_OOB), and read() passes
 * it.
 */
TEST_F(splice, splice_read_stops_at_the_urgent_mark)
{
	char buf[16] = { 0 };
	int c, a, pfd[2], mark = 0, inq = -1;
	double end;

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pair(9608, 0, 0, &c, &a));
	ASSERT_EQ(3, send(c, "abc", 3, 0));
	ASSERT_EQ(1, send(c, "d", 1, MSG_OOB));
	ASSERT_EQ(2, send(c, "ef", 2, 0));
	/* Until the urgent byte is in (POLLPRI), and the two after it. */
	end = now_s() + XT(5);
	while (now_s() < end) {
		struct pollfd p = { .fd = a, .events = POLLPRI };

		if (poll(&p, 1, 100) == 1)
			break;
	}
	usleep(200000);
	/* SIOCINQ: what read() gets before the mark (TCP's tcp_inq()). */
	EXPECT_EQ(0, ioctl(a, SIOCINQ, &inq));
	EXPECT_EQ(3, inq);
	EXPECT_EQ(3, splice(a, NULL, pfd[1], NULL, 100, 0));
	EXPECT_EQ(3, read(pfd[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(0, ioctl(a, SIOCATMARK, &mark));
	EXPECT_EQ(1, mark);
	/* Nothing before the mark: non-blocking, EAGAIN (as TCP). */
	set_nonblock(a, 1);
	EXPECT_EQ(-1, splice(a, NULL, pfd[1], NULL, 100, 0));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, recv(a, buf, 1, MSG_OOB));
	EXPECT_EQ('d', buf[0]);
	EXPECT_EQ(2, read(a, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ef", 2));
	close(c);
	close(a);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_HARNESS_MAIN
