// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_bench: one measurement of xtcp or of the kernel's TCP, for
 * scripts/guest-bench.sh.  The same code measures both; only the protocol
 * argument of socket() differs.
 *
 * usage: xtcp_bench -m bulk|rr|crr|flows|short|conns
 *                   -p xtcp|tcp|NUMBER [-q xtcp|tcp|NUMBER] [-s SRV_NS] [-c CLI_NS] [-a ADDR]
 *                   [-P PORT] [-l LPORT] [-t SECONDS] [-n FLOWS [-x K]]
 *                   [-b BYTES] [-o FILE] [-f FILE]
 *
 * -q gives the client another protocol than the server's (-p): an xtcp
 * end against a kernel-TCP end through tools/xtcp-bridge, which bridges
 * the flows of chosen local ports; -l binds the client to one.
 *
 * The listener is made in netns SRV_NS (default: the current one), bound
 * to ADDR:PORT (default 127.0.0.1:9000); then the program forks: the
 * child enters netns CLI_NS and is the client, the parent is the server.
 *
 *  bulk  The client writes 64 KiB chunks.  The server reads (64 KiB at a
 *        time) and counts: the bytes that arrive after its first read,
 *        over the CLOCK_MONOTONIC time since that first read, for SECONDS
 *        seconds (bytes=; first= is what the first read got, maxgap=
 *        the longest wait between reads); then it closes (a RST, as
 *        data is still unread) and the client's next write fails.
 *        Mbit/s at the receiver.  CPU cost, in CPU seconds per GB
 *        (10^9 bytes): cpu_all= the whole machine's busy time
 *        (/proc/stat: user, system, irq, softirq) over the receiver's
 *        measured time and bytes; cpu_snd= the client process's own
 *        CPU time over every byte it wrote; cpu_rcv= the server's over
 *        its measured time and bytes.  busy_ms=, rwnd_limited_ms=,
 *        sndbuf_limited_ms=: the client socket's TCP_INFO chronographs
 *        at its end (time with data to send, and of it held back by
 *        the peer's window, or by the send buffer as TCP reads it).  -f FILE: the client sends FILE
 *        (at least 64 KiB) with sendfile(), 64 KiB at a time, from its
 *        start again at its end.  A process's time includes the
 *        softirq work run in its context: on veth the sender's carries
 *        much of the receiver's protocol processing.
 *  rr    One connection, TCP_NODELAY on both ends; the client writes 1
 *        byte, the server reads it and writes 1 byte back, the client
 *        reads it: one transaction.  Transactions per second over
 *        SECONDS seconds, counted by the client.
 *  flows N bulk connections at once (-n N, at most 64), each written by
 *        a thread of the client; -x K of them use the other protocol
 *        (-q), to a second listener on PORT + 1.  The server reads all
 *        of them and counts each one's bytes from the moment every flow
 *        has delivered data, for SECONDS seconds.  value= is their total
 *        in Mbit/s; jain= Jain's fairness index of the flows' rates,
 *        (sum x)^2 / (n sum x^2), 1 when all are equal; share= the
 *        part of the bytes the -p flows carried; rates= each flow's
 *        Mbit/s, the -p flows first.
 *  crr   The client, for SECONDS seconds: socket, connect, write 1 byte,
 *        read the 1-byte answer, read the server's FIN (EOF), close.  The
 *        server: accept, read 1 byte, write 1 byte, close, so the server
 *        closes first and holds the TIME-WAIT, not the client's ephemeral
 *        port.  Connections per second, counted by the client.  -n N
 *        clients (threads) at once, each as one; the server's single
 *        accept loop serves them all.
 *  short Flows one after another, for SECONDS seconds: the
 *        client connects, writes -b BYTES (10000), and reads the
 *        server's 1-byte answer, which the server writes once it has
 *        read them all; then as crr.  A flow's completion time runs
 *        from the client's socket() to the answer.  value= is their
 *        99th percentile in ms, p50= the median, max= the longest,
 *        count= the flows (percentiles by the nearest rank).  -o FILE
 *        appends every flow's time in ms to FILE, a line each, for
 *        percentiles over several runs.  -n N: N clients (threads) at
 *        once, each one flow after another, and as many server
 *        threads, so that no flow waits for another's; more flows in
 *        the same time for the tail percentiles.
 *  conns -n N (10000) idle connections at once, the server holding
 *        them in one epoll set: memory per connection, both ends
 *        together, from the growth of the kernel's slab (/proc/meminfo
 *        Slab) between before the first connect and when the server
 *        has accepted them all: value= in bytes.  Then, for SECONDS
 *        seconds, 1-byte request/response transactions one at a time on
 *        connections picked at random among them: p50= and p99= in ms
 *        (-o FILE appends each one's time, as short).  Then the client
 *        closes them one after another and the server closes each as
 *        it reads the EOF, so that no more than a few are orphaned at
 *        once.  RLIMIT_NOFILE is raised to fit.
 *
 * Prints one line
 *   RESULT mode=M proto=P value=V unit=U secs=S count=N ...
 * and exits 0; on any failure, "ERROR <what happened>" lines, a RESULT
 * line with value=ERR, and exit status 1.  Every wait is bounded, so a
 * stalled connection is reported, not waited for forever.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/xtcp.h>

#define CHUNK		(64 * 1024)
#define WAIT_MS		10000	/* for a connection or a first byte */
/*
 * rr/crr/short: for one answer.  short_tail drops a fifth of the tail
 * segments: six losses in a row (the segment, its probe, four RTOs)
 * take over 5 s for either protocol, and were seen once each in about
 * 1,500 flows; 15 s covers seven.
 */
#define STALL_MS	15000
#define KILL_GRACE_S	10.0	/* client still running after the end */

enum mode { BULK, RR, CRR, FLOWS, SHORT, CONNS };
#define CONNS_MAX	30000
#define FLOWS_MAX	64
#define SHORT_MAX	100000	/* short: completion times kept */
#define SHORT_BYTES_MAX	(16 << 20)

/* What parent (server) and child (client) share. */
struct shared {
	int stop;			/* server: measurement over */
	int done;			/* client: finished */
	long count;			/* client: transactions/connections */
	double secs;			/* client: time they took */
	int sndbuf[2];			/* client: SO_SNDBUF at start, end */
	/* client (bulk): TCP_INFO's chronographs at the end, in ms */
	unsigned long long busy_ms, rwnd_ms, sndbuf_ms;
	int rcvbuf[2];			/* server: SO_RCVBUF at start, end */
	long long sent;			/* client (bulk): bytes written */
	double cpu_snd;			/* client (bulk): its CPU seconds */
	char err[512];			/* the first failure, if any */
	float fct_ms[SHORT_MAX];	/* client (short, conns): times */
	int accepted;			/* server (conns): connections held */
};

static struct shared *sh;
static const char * const mode_name[] = {
	"bulk", "rr", "crr", "flows", "short", "conns"
};

/* The two flags are written by one process and polled by the other. */
#define FLAG_SET(f)	__atomic_store_n(&sh->f, 1, __ATOMIC_RELEASE)
#define FLAG(f)		__atomic_load_n(&sh->f, __ATOMIC_ACQUIRE)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This process's CPU time (user and system), in seconds. */
static double self_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/*
 * The CPU time every CPU of the machine was busy (user, nice, system,
 * irq, softirq, steal from /proc/stat), in seconds; -1 if unreadable.
 */
static double busy_cpu_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return -1;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	       sysconf(_SC_CLK_TCK);
}

/* Records the first failure (either process); later ones are dropped. */
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (sh->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(sh->err, sizeof(sh->err), fmt, ap);
	va_end(ap);
}

static void enter_ns(const char *ns)
{
	char path[256];
	int fd;

	if (!ns || !*ns)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "ERROR cannot enter netns %s: %s\n", ns,
			strerror(errno));
		exit(2);
	}
	close(fd);
}

static int sockopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, level, name, &v, &len);
	return v;
}

static int set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Waits up to @ms for @events on @fd: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, ms);
	} while (n < 0 && errno == EINTR);
	return n;
}

/* -l: the client's local port (0: an ephemeral one). */
static int cli_lport;

/* Non-blocking connect bounded by STALL_MS; returns the socket or -1. */
static int dial(int proto, const struct sockaddr_in *sin)
{
	int fd = socket(AF_INET, SOCK_STREAM, proto);
	int fl, err, one = 1;

	if (fd < 0) {
		fail("client socket(): %s", strerror(errno));
		return -1;
	}
	if (cli_lport) {
		struct sockaddr_in me = { .sin_family = AF_INET,
					  .sin_port = htons(cli_lport) };

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
			fail("client bind(%d): %s", cli_lport, strerror(errno));
			close(fd);
			return -1;
		}
	}
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) &&
	    errno != EINPROGRESS) {
		fail("connect(): %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (wait_fd(fd, POLLOUT, STALL_MS) != 1) {
		fail("connect() not done after %d ms", STALL_MS);
		close(fd);
		return -1;
	}
	err = sockopt_int(fd, SOL_SOCKET, SO_ERROR);
	if (err) {
		fail("connect(): %s", strerror(err));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fl);
	return fd;
}

/* Reads exactly one byte within STALL_MS: 1 ok, 0 EOF, -1 failure. */
static int read_byte(int fd, const char *who, long n)
{
	char c;
	ssize_t r;
	int w = wait_fd(fd, POLLIN, STALL_MS);

	if (w != 1) {
		fail("%s: no answer within %d ms (after %ld transactions)",
		     who, STALL_MS, n);
		return -1;
	}
	r = read(fd, &c, 1);
	if (r < 0) {
		fail("%s: read(): %s (after %ld transactions)", who,
		     strerror(errno), n);
		return -1;
	}
	return r;
}

static int write_byte(int fd, const char *who, long n)
{
	char c = 'x';

	if (write(fd, &c, 1) == 1)
		return 0;
	fail("%s: write(): %s (after %ld transactions)", who, strerror(errno),
	     n);
	return -1;
}

/* -f: bulk sends this file with sendfile(), over and over. */
static const char *send_file;

/* bulk client: write until the server has closed. */
static void client_bulk(int proto, const struct sockaddr_in *sin)
{
	static char buf[CHUNK];
	int fd, ffd = -1;
	off_t off = 0, fsize = 0;
	struct tcp_info ti;
	socklen_t ti_len;
	ssize_t n;

	if (send_file) {
		ffd = open(send_file, O_RDONLY);
		fsize = ffd < 0 ? 0 : lseek(ffd, 0, SEEK_END);
		if (fsize < CHUNK) {
			fail("%s: %s", send_file,
			     ffd < 0 ? strerror(errno) : "shorter than 64 KiB");
			if (ffd >= 0)
				close(ffd);
			return;
		}
	}
	fd = dial(proto, sin);
	if (fd < 0)
		goto out;
	memset(buf, 'x', sizeof(buf));
	sh->sndbuf[0] = sockopt_int(fd, SOL_SOCKET, SO_SNDBUF);
	for (;;) {
		if (ffd >= 0) {
			if (off + CHUNK > fsize)
				off = 0;
			n = sendfile(fd, ffd, &off, CHUNK);
		} else {
			n = write(fd, buf, sizeof(buf));
		}
		if (n > 0) {
			sh->sent += n;
			continue;
		}
		if (!FLAG(stop))
			fail("sender: write(): %s before the receiver was done",
			     n ? strerror(errno) : "returned 0");
		break;
	}
	sh->sndbuf[1] = sockopt_int(fd, SOL_SOCKET, SO_SNDBUF);
	ti_len = sizeof(ti);
	if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &ti_len) &&
	    ti_len >= offsetof(struct tcp_info, tcpi_sndbuf_limited) +
		      sizeof(ti.tcpi_sndbuf_limited)) {
		sh->busy_ms = ti.tcpi_busy_time / 1000;
		sh->rwnd_ms = ti.tcpi_rwnd_limited / 1000;
		sh->sndbuf_ms = ti.tcpi_sndbuf_limited / 1000;
	}
	close(fd);
	sh->cpu_snd = self_cpu_s();
out:
	if (ffd >= 0)
		close(ffd);
}

static void client_rr(int proto, const struct sockaddr_in *sin, double secs)
{
	double t0, t;
	long n = 0;
	int fd = dial(proto, sin);

	if (fd < 0)
		return;
	if (set_nodelay(fd)) {
		fail("client setsockopt(TCP_NODELAY): %s", strerror(errno));
		close(fd);
		return;
	}
	t0 = now_s();
	do {
		if (write_byte(fd, "client", n) || read_byte(fd, "client", n) != 1) {
			if (!sh->err[0])
				fail("client: EOF after %ld transactions", n);
			break;
		}
		n++;
		t = now_s();
	} while (t - t0 < secs);
	sh->count = n;
	sh->secs = now_s() - t0;
	close(fd);
}

/* crr, short: the server's FIN after its answer, then close: 0 if so. */
static int fin_and_close(int fd, long n)
{
	int r = read_byte(fd, "client (waiting for the server's FIN)", n);

	close(fd);
	if (r > 0)
		fail("client: a second byte instead of EOF");
	return r ? -1 : 0;
}

static long crr_loop(int proto, const struct sockaddr_in *sin, double secs)
{
	double t0 = now_s(), t;
	long n = 0;
	int fd;

	do {
		fd = dial(proto, sin);
		if (fd < 0)
			break;
		if (write_byte(fd, "client", n) || read_byte(fd, "client", n) != 1) {
			if (!sh->err[0])
				fail("client: EOF instead of the answer (connection %ld)",
				     n + 1);
			close(fd);
			break;
		}
		if (fin_and_close(fd, n))
			break;
		n++;
		t = now_s();
	} while (t - t0 < secs && !sh->err[0]);
	return n;
}

/* A client thread's (crr, short): what it connects to and for how long. */
struct client_arg {
	int proto;
	const struct sockaddr_in *sin;
	double secs;
	int bytes;		/* short: bytes per flow */
	long n;			/* crr: connections made */
};

/*
 * Runs @fn in @n threads (at most FLOWS_MAX), the i-th on @arg + i *
 * @stride (a @stride of 0: all on @arg), and waits for them: the number
 * that ran.
 */
static int run_threads(void *(*fn)(void *), void *arg, size_t stride, int n)
{
	pthread_t thr[FLOWS_MAX];
	int i, started = 0;

	for (i = 0; i < n; i++) {
		if (pthread_create(&thr[i], NULL, fn, (char *)arg + i * stride)) {
			fail("pthread_create: %s", strerror(errno));
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(thr[i], NULL);
	return started;
}

/* @fn in @n threads, each on its own copy of @a[0], in @a[0..@n). */
static int run_clients(void *(*fn)(void *), struct client_arg *a, int n)
{
	int i;

	for (i = 1; i < n; i++)
		a[i] = a[0];
	return run_threads(fn, a, sizeof(*a), n);
}

static void *crr_thread(void *arg)
{
	struct client_arg *a = arg;

	a->n = crr_loop(a->proto, a->sin, a->secs);
	return NULL;
}

/* crr client: -n threads, each connecting one connection at a time. */
static void client_crr(int proto, const struct sockaddr_in *sin, double secs,
		       int n)
{
	struct client_arg a[FLOWS_MAX] = {
		{ .proto = proto, .sin = sin, .secs = secs }
	};
	double t0 = now_s();
	int i, started = run_clients(crr_thread, a, n);

	sh->count = 0;
	for (i = 0; i < started; i++)
		sh->count += a[i].n;
	sh->secs = now_s() - t0;
}

/* short: the next free slot of sh->fct_ms, shared by the client's threads. */
static long short_next;

/*
 * short client, one thread: -b BYTES per connection, one connection at a
 * time, each flow's time kept.
 */
static void *short_thread(void *arg)
{
	static __thread char buf[CHUNK];
	const struct client_arg *a = arg;
	double t0 = now_s(), t, start;
	long n = 0, slot;
	int fd, left;
	ssize_t w;

	memset(buf, 'x', sizeof(buf));
	do {
		start = now_s();
		fd = dial(a->proto, a->sin);
		if (fd < 0)
			break;
		for (left = a->bytes; left > 0; left -= w) {
			w = write(fd, buf, left < CHUNK ? left : CHUNK);
			if (w <= 0) {
				fail("client: write(): %s (flow %ld)",
				     w ? strerror(errno) : "returned 0", n + 1);
				break;
			}
		}
		if (left > 0 || read_byte(fd, "client", n) != 1) {
			if (!sh->err[0])
				fail("client: EOF instead of the answer (flow %ld)",
				     n + 1);
			close(fd);
			break;
		}
		t = now_s();
		if (fin_and_close(fd, n))
			break;
		slot = __atomic_fetch_add(&short_next, 1, __ATOMIC_RELAXED);
		if (slot < SHORT_MAX)
			sh->fct_ms[slot] = (t - start) * 1e3;
		n++;
	} while (t - t0 < a->secs && !sh->err[0]);
	return NULL;
}

/* short client: -n threads, each one flow after another. */
static void client_short(int proto, const struct sockaddr_in *sin,
			 double secs, int bytes, int n)
{
	struct client_arg a[FLOWS_MAX] = {
		{ .proto = proto, .sin = sin, .secs = secs, .bytes = bytes }
	};
	double t0 = now_s();

	run_clients(short_thread, a, n);
	sh->count = short_next < SHORT_MAX ? short_next : SHORT_MAX;
	sh->secs = now_s() - t0;
}

/* /proc/meminfo's Slab, in kB; -1 if unreadable. */
static long slab_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * conns client: @n connections, up to 128 connecting at a time; the
 * slab's growth once the server holds them all (sh->count, in bytes per
 * connection); then transactions on random ones for @secs seconds.
 */
static void client_conns(int proto, const struct sockaddr_in *sin, int n,
			 double secs)
{
	static int fds[CONNS_MAX];
	long slab0 = slab_kb(), slab1, k = 0;
	double t0, t, end;
	int i, j, err;

	for (i = 0; i < n; i++)
		fds[i] = -1;
	for (i = 0; i < n && !sh->err[0]; i += 128) {
		int m = n - i < 128 ? n - i : 128;

		for (j = i; j < i + m; j++) {
			fds[j] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
			if (fds[j] < 0) {
				fail("client socket() %d: %s", j + 1, strerror(errno));
				goto out;
			}
			if (connect(fds[j], (const struct sockaddr *)sin,
				    sizeof(*sin)) && errno != EINPROGRESS) {
				fail("connect() %d: %s", j + 1, strerror(errno));
				goto out;
			}
		}
		for (j = i; j < i + m; j++) {
			if (wait_fd(fds[j], POLLOUT, WAIT_MS) != 1) {
				fail("connect() %d not done after %d ms", j + 1,
				     WAIT_MS);
				goto out;
			}
			err = sockopt_int(fds[j], SOL_SOCKET, SO_ERROR);
			if (err) {
				fail("connect() %d: %s", j + 1, strerror(err));
				goto out;
			}
		}
	}
	/* Every connection accepted, and the server's side settled. */
	end = now_s() + WAIT_MS / 1000.0;
	while (__atomic_load_n(&sh->accepted, __ATOMIC_ACQUIRE) < n) {
		if (now_s() > end) {
			fail("server accepted %d of %d connections",
			     __atomic_load_n(&sh->accepted, __ATOMIC_ACQUIRE), n);
			goto out;
		}
		usleep(10000);
	}
	usleep(200000);
	slab1 = slab_kb();
	if (slab0 < 0 || slab1 < 0) {
		fail("/proc/meminfo has no Slab");
		goto out;
	}
	sh->sent = (slab1 - slab0) * 1024LL / n;
	t0 = now_s();
	do {
		int fd = fds[random() % n];
		double s0 = now_s();

		if (write_byte(fd, "client", k) || read_byte(fd, "client", k) != 1) {
			if (!sh->err[0])
				fail("client: EOF after %ld transactions", k);
			break;
		}
		t = now_s();
		if (k < SHORT_MAX)
			sh->fct_ms[k] = (t - s0) * 1e3;
		k++;
	} while (t - t0 < secs);
	sh->count = k < SHORT_MAX ? k : SHORT_MAX;
	sh->secs = now_s() - t0;
out:
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	FLAG_SET(done);
}

/*
 * conns server: accept and echo in one epoll set; each connection closed
 * at its EOF.  Once the client is done, until all are closed (or
 * WAIT_MS).
 */
static void server_conns(int lfd, int n)
{
	static bool open_fd[CONNS_MAX + 64];
	struct epoll_event ev, evs[256];
	int ep = epoll_create1(0), held = 0, left = 0, i, k, fd;
	double end = 0;
	char buf[64];
	ssize_t r;

	if (ep < 0) {
		fail("epoll_create1(): %s", strerror(errno));
		return;
	}
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (!sh->err[0]) {
		if (FLAG(done)) {
			if (!end)
				end = now_s() + WAIT_MS / 1000.0;
			if (!left || now_s() > end)
				break;
		}
		k = epoll_wait(ep, evs, 256, 100);
		for (i = 0; i < k; i++) {
			fd = evs[i].data.fd;
			if (fd == lfd) {
				fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
				if (fd < 0)
					continue;
				if (held >= n || fd >= CONNS_MAX + 64) {
					fail("server: more than %d connections", n);
					close(fd);
					continue;
				}
				held++;
				left++;
				open_fd[fd] = true;
				ev.events = EPOLLIN;
				ev.data.fd = fd;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
					fail("epoll_ctl(): %s", strerror(errno));
				__atomic_store_n(&sh->accepted, held, __ATOMIC_RELEASE);
				continue;
			}
			r = read(fd, buf, sizeof(buf));
			if (r > 0 && write(fd, buf, r) != r)
				fail("server: write(): %s", strerror(errno));
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				close(fd);
				open_fd[fd] = false;
				left--;
			}
		}
	}
	for (fd = 0; fd < CONNS_MAX + 64; fd++)
		if (open_fd[fd])
			close(fd);
	close(ep);
}

static int accept_within(int lfd, int ms)
{
	int w = wait_fd(lfd, POLLIN, ms);
	int fd;

	if (w != 1)
		return -2;
	fd = accept(lfd, NULL, NULL);
	/* short -n: another server thread took it. */
	if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -2;
	if (fd < 0)
		fail("accept(): %s", strerror(errno));
	return fd;
}

/* flows: one client thread per connection, writing until it fails. */
static void *flow_writer(void *arg)
{
	static char buf[CHUNK];
	int fd = (int)(long)arg;

	while (write(fd, buf, sizeof(buf)) > 0)
		;
	if (!FLAG(stop))
		fail("flow writer: write(): %s before the receiver was done",
		     strerror(errno));
	return NULL;
}

/* flows client: @n connections, the last @k with @kproto to @port + 1. */
static void client_flows(int proto, int kproto, const struct sockaddr_in *sin,
			 int n, int k)
{
	pthread_t thr[FLOWS_MAX];
	int fds[FLOWS_MAX], i, started = 0;

	for (i = 0; i < n; i++) {
		struct sockaddr_in to = *sin;

		if (i >= n - k)
			to.sin_port = htons(ntohs(sin->sin_port) + 1);
		fds[i] = dial(i >= n - k ? kproto : proto, &to);
		if (fds[i] < 0)
			break;
		if (pthread_create(&thr[i], NULL, flow_writer, (void *)(long)fds[i])) {
			fail("pthread_create: %s", strerror(errno));
			close(fds[i]);
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(thr[i], NULL);
		close(fds[i]);
	}
}

/*
 * flows server: accepts @n connections (the last @k on @lfd2), reads
 * them all, and from when each has delivered data counts @secs seconds
 * of bytes per flow into @got.  Returns the total Mbit/s, or -1.
 */
static double server_flows(int lfd, int lfd2, int n, int k, double secs,
			   long long *got, double *elapsed)
{
	static char buf[CHUNK];
	struct pollfd p[FLOWS_MAX];
	int i, live = 0, seen = 0;
	double t0 = 0, t = 0, end = 0;
	bool first[FLOWS_MAX] = { false };
	long long total = 0;

	for (i = 0; i < n; i++) {
		int fd = accept_within(i >= n - k ? lfd2 : lfd, WAIT_MS);

		if (fd < 0) {
			if (fd == -2)
				fail("flow %d: no connection within %d ms", i, WAIT_MS);
			n = i;
			goto out;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		p[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
		got[i] = 0;
		live++;
	}
	t = now_s();
	end = t + WAIT_MS / 1000.0;	/* for every flow's first data */
	while (t < end) {
		int w = poll(p, n, (int)((end - t) * 1000) + 1);

		t = now_s();
		if (w < 0 && errno != EINTR)
			break;
		for (i = 0; i < n && w > 0; i++) {
			ssize_t r;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				fail("flow %d: %s after %lld bytes", i,
				     r ? strerror(errno) : "EOF", got[i]);
				goto out;
			}
			if (!first[i]) {
				first[i] = true;
				if (++seen == n) {
					/* All flowing: the measurement starts. */
					t0 = now_s();
					end = t0 + secs;
				}
				continue;
			}
			if (seen == n)
				got[i] += r;
		}
	}
	if (seen < n)
		fail("only %d of %d flows delivered data within %d ms", seen,
		     n, WAIT_MS);
out:
	FLAG_SET(stop);
	for (i = 0; i < n; i++)
		close(p[i].fd);
	if (sh->err[0] || seen < n || live < n)
		return -1;
	*elapsed = t - t0;
	for (i = 0; i < n; i++)
		total += got[i];
	return total * 8 / *elapsed / 1e6;
}

/* bulk server: returns Mbit/s, or -1. */
static double server_bulk(int lfd, double secs, double *elapsed,
			  long long *bytes, double *maxgap, ssize_t *first,
			  double *cpu_rcv, double *cpu_all)
{
	static char buf[CHUNK];
	double t0, t, last, end, rcv0, all0;
	long long got = 0;
	ssize_t n;
	int fd = accept_within(lfd, WAIT_MS);

	if (fd == -2)
		fail("no connection within %d ms", WAIT_MS);
	if (fd < 0)
		return -1;
	sh->rcvbuf[0] = sockopt_int(fd, SOL_SOCKET, SO_RCVBUF);
	*first = wait_fd(fd, POLLIN, WAIT_MS) == 1 ? read(fd, buf, sizeof(buf)) : 0;
	if (*first <= 0) {
		fail("receiver: no first byte within %d ms", WAIT_MS);
		close(fd);
		return -1;
	}
	rcv0 = self_cpu_s();
	all0 = busy_cpu_s();
	t0 = last = t = now_s();
	end = t0 + secs;
	*maxgap = 0;
	while (t < end) {
		int w = wait_fd(fd, POLLIN, (int)((end - t) * 1000) + 1);

		t = now_s();
		if (w == 0)
			break;
		n = read(fd, buf, sizeof(buf));
		t = now_s();
		if (n <= 0) {
			fail("receiver: %s after %lld bytes, %.3f s",
			     n ? strerror(errno) : "EOF", got, t - t0);
			break;
		}
		got += n;
		if (t - last > *maxgap)
			*maxgap = t - last;
		last = t;
	}
	if (t > end && end - last > *maxgap)
		*maxgap = end - last;
	*cpu_rcv = self_cpu_s() - rcv0;
	*cpu_all = all0 < 0 ? -1 : busy_cpu_s() - all0;
	sh->rcvbuf[1] = sockopt_int(fd, SOL_SOCKET, SO_RCVBUF);
	FLAG_SET(stop);
	close(fd);
	*elapsed = (t > end ? t : end) - t0;
	*bytes = got;
	return sh->err[0] ? -1 : got * 8 / *elapsed / 1e6;
}

/* rr server: echo one byte per byte until the client closes. */
static void server_rr(int lfd)
{
	long n = 0;
	int fd = accept_within(lfd, WAIT_MS), r;

	if (fd == -2)
		fail("no connection within %d ms", WAIT_MS);
	if (fd < 0)
		return;
	if (set_nodelay(fd)) {
		fail("server setsockopt(TCP_NODELAY): %s", strerror(errno));
		close(fd);
		return;
	}
	while ((r = read_byte(fd, "server", n)) == 1 &&
	       !write_byte(fd, "server", n))
		n++;
	close(fd);
}

/*
 * crr and short servers: accept connections one at a time until the
 * client is done, and have @serve handle each (the @n-th, with @arg)
 * before it is closed.
 */
static void serve_each(int lfd, void (*serve)(int fd, long n, int arg),
		       int arg)
{
	long n = 0;
	int fd;

	while (!FLAG(done) && !sh->err[0]) {
		fd = accept_within(lfd, 100);
		if (fd == -2)
			continue;
		if (fd < 0)
			return;
		serve(fd, n++, arg);
		close(fd);
	}
}

struct serve_arg {
	int lfd;
	int bytes;
};

static void serve_short(int fd, long n, int bytes);

static void *serve_short_thread(void *arg)
{
	const struct serve_arg *a = arg;

	serve_each(a->lfd, serve_short, a->bytes);
	return NULL;
}

/*
 * short server for -n clients: as many threads, each accepting from the
 * (non-blocking) listener and serving one flow at a time, so that no
 * flow waits for another's.
 */
static void serve_short_n(int lfd, int bytes, int n)
{
	struct serve_arg a = { .lfd = lfd, .bytes = bytes };

	if (n > 1)
		fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	run_threads(serve_short_thread, &a, 0, n);
}

/* crr: read the byte, answer it. */
static void serve_crr(int fd, long n, int arg)
{
	(void)arg;
	if (read_byte(fd, "server", n) == 1)
		write_byte(fd, "server", n);
}

/* short: read the @bytes of the flow whole, then answer. */
static void serve_short(int fd, long n, int bytes)
{
	static __thread char buf[CHUNK];
	ssize_t r;
	int got;

	for (got = 0; got < bytes; got += r) {
		r = wait_fd(fd, POLLIN, STALL_MS) == 1 ?
		    read(fd, buf, sizeof(buf)) : -1;
		if (r <= 0) {
			fail("server: flow %ld ended after %d of %d bytes",
			     n + 1, got, bytes);
			return;
		}
	}
	write_byte(fd, "server", n);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* The @p-th percentile of the sorted @v[@n], by the nearest rank. */
static double pct(const float *v, long n, int p)
{
	long k = (n * p + 99) / 100;

	return n ? v[k ? k - 1 : 0] : 0;
}

/* Waits for the client; kills it if still there after @grace seconds. */
static void reap(pid_t pid, double grace)
{
	double end = now_s() + grace;
	int st;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_s() > end) {
			fail("client still running %.0f s after the end (blocked in %s); killed",
			     grace, FLAG(stop) ? "write() after the receiver closed" :
			     "the test");
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return;
		}
		usleep(10000);
	}
}

static void print_usage(const char *me)
{
	fprintf(stderr,
		"usage: %s -m bulk|rr|crr|flows|short|conns -p xtcp|tcp|NUMBER [-q xtcp|tcp|NUMBER]\n"
		"          [-s SRV_NS] [-c CLI_NS] [-a ADDR] [-P PORT] [-l LPORT]\n"
		"          [-t SECONDS] [-n FLOWS [-x OTHER_FLOWS]] [-b BYTES] [-o FILE] [-f FILE]\n",
		me);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *srv_ns = NULL, *cli_ns = NULL, *addr = "127.0.0.1";
	const char *pname = "xtcp";
	struct sockaddr_in sin = { .sin_family = AF_INET };
	double secs = 3, value = -1, elapsed = 0, maxgap = 0;
	double cpu_rcv = 0, cpu_all = -1;
	long long bytes = 0;
	ssize_t first = 0;
	int port = 9000, proto = IPPROTO_XTCP, mode = -1, lfd, opt, i;
	int cproto = 0;		/* the client's, if not the server's */
	int nflows = 1, kflows = 0, lfd2 = -1, sbytes = 10000;
	const char *fct_file = NULL;
	long long fgot[FLOWS_MAX];
	pid_t pid;

	while ((opt = getopt(argc, argv, "m:p:q:s:c:a:P:l:t:n:x:b:o:f:")) != -1) {
		switch (opt) {
		case 'f':
			send_file = optarg;
			break;
		case 'o':
			fct_file = optarg;
			break;
		case 'b':
			sbytes = atoi(optarg);
			break;
		case 'n':
			nflows = atoi(optarg);
			break;
		case 'x':
			kflows = atoi(optarg);
			break;
		case 'm':
			for (i = 0; i < 6; i++)
				if (!strcmp(optarg, mode_name[i]))
					mode = i;
			break;
		case 'p':
			pname = optarg;
			if (!strcmp(optarg, "tcp"))
				proto = IPPROTO_TCP;
			else if (!strcmp(optarg, "xtcp"))
				proto = IPPROTO_XTCP;
			else
				proto = atoi(optarg);
			break;
		case 'q':
			cproto = !strcmp(optarg, "tcp") ? IPPROTO_TCP :
				 !strcmp(optarg, "xtcp") ? IPPROTO_XTCP :
				 atoi(optarg);
			break;
		case 's':
			srv_ns = optarg;
			break;
		case 'c':
			cli_ns = optarg;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'P':
			port = atoi(optarg);
			break;
		case 'l':
			cli_lport = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (mode == CONNS && nflows == 1)
		nflows = 10000;
	if (mode < 0 || proto <= 0 || secs <= 0 || nflows < 1 ||
	    nflows > (mode == CONNS ? CONNS_MAX : FLOWS_MAX) ||
	    kflows < 0 || kflows > nflows ||
	    (kflows && cproto <= 0) || sbytes < 1 || sbytes > SHORT_BYTES_MAX ||
	    inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		print_usage(argv[0]);
	sin.sin_port = htons(port);
	if (mode == CONNS) {
		struct rlimit rl = { .rlim_cur = nflows + 64, .rlim_max = nflows + 64 };

		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			printf("ERROR setrlimit(RLIMIT_NOFILE, %d): %s\n",
			       nflows + 64, strerror(errno));
			printf("RESULT mode=conns proto=%s value=ERR\n", pname);
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	memset(sh, 0, sizeof(*sh));

	enter_ns(srv_ns);
	lfd = socket(AF_INET, SOCK_STREAM, proto);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, mode == CONNS ? 1024 : 128)) {
		printf("ERROR server %s:%d: %s\n", addr, port, strerror(errno));
		printf("RESULT mode=%s proto=%s value=ERR\n", mode_name[mode], pname);
		return 1;
	}
	if (mode == FLOWS && kflows) {
		struct sockaddr_in sin2 = sin;

		sin2.sin_port = htons(port + 1);
		lfd2 = socket(AF_INET, SOCK_STREAM, cproto);
		if (lfd2 < 0 || bind(lfd2, (struct sockaddr *)&sin2, sizeof(sin2)) ||
		    listen(lfd2, 128)) {
			printf("ERROR server %s:%d: %s\n", addr, port + 1,
			       strerror(errno));
			printf("RESULT mode=flows proto=%s value=ERR\n", pname);
			return 1;
		}
	}

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		close(lfd);
		if (lfd2 >= 0)
			close(lfd2);
		enter_ns(cli_ns);
		if (mode == FLOWS) {
			client_flows(proto, cproto, &sin, nflows, kflows);
			FLAG_SET(done);
			_exit(0);
		}
		if (cproto > 0)
			proto = cproto;
		if (mode == BULK)
			client_bulk(proto, &sin);
		else if (mode == RR)
			client_rr(proto, &sin, secs);
		else if (mode == SHORT)
			client_short(proto, &sin, secs, sbytes, nflows);
		else if (mode == CONNS)
			client_conns(proto, &sin, nflows, secs);
		else
			client_crr(proto, &sin, secs, nflows);
		FLAG_SET(done);
		_exit(0);
	}

	if (mode == BULK)
		value = server_bulk(lfd, secs, &elapsed, &bytes, &maxgap, &first,
				    &cpu_rcv, &cpu_all);
	else if (mode == FLOWS)
		value = server_flows(lfd, lfd2, nflows, kflows, secs, fgot,
				     &elapsed);
	else if (mode == RR)
		server_rr(lfd);
	else if (mode == SHORT)
		serve_short_n(lfd, sbytes, nflows);
	else if (mode == CONNS)
		server_conns(lfd, nflows);
	else
		serve_each(lfd, serve_crr, 0);
	reap(pid, mode == BULK || mode == FLOWS ? KILL_GRACE_S :
		  secs + STALL_MS / 1000.0 + KILL_GRACE_S +
		  (mode == CONNS ? 2 * WAIT_MS / 1000.0 : 0));
	close(lfd);
	if (lfd2 >= 0)
		close(lfd2);

	if (sh->err[0]) {
		printf("ERROR %s %s: %s\n", pname, mode_name[mode], sh->err);
		printf("RESULT mode=%s proto=%s value=ERR\n", mode_name[mode], pname);
		return 1;
	}
	if (mode == BULK) {
		double gb = bytes / 1e9;

		printf("RESULT mode=bulk proto=%s value=%.2f unit=Mbit/s secs=%.3f bytes=%lld first=%zd maxgap=%.3f sndbuf=%d,%d rcvbuf=%d,%d cpu_all=%.2f cpu_snd=%.2f cpu_rcv=%.2f busy_ms=%llu rwnd_limited_ms=%llu sndbuf_limited_ms=%llu\n",
		       pname, value, elapsed, bytes, first, maxgap, sh->sndbuf[0],
		       sh->sndbuf[1], sh->rcvbuf[0], sh->rcvbuf[1],
		       cpu_all >= 0 && gb > 0 ? cpu_all / gb : -1,
		       sh->sent ? sh->cpu_snd / (sh->sent / 1e9) : -1,
		       gb > 0 ? cpu_rcv / gb : -1, sh->busy_ms, sh->rwnd_ms,
		       sh->sndbuf_ms);
	} else if (mode == FLOWS) {
		double sum = 0, sq = 0, mine = 0;

		for (i = 0; i < nflows; i++) {
			double r = fgot[i] * 8 / elapsed / 1e6;

			sum += r;
			sq += r * r;
			if (i < nflows - kflows)
				mine += r;
		}
		printf("RESULT mode=flows proto=%s value=%.2f unit=Mbit/s secs=%.3f flows=%d other=%d jain=%.3f share=%.3f rates=",
		       pname, value, elapsed, nflows, kflows,
		       sq > 0 ? sum * sum / (nflows * sq) : 0,
		       sum > 0 ? mine / sum : 0);
		for (i = 0; i < nflows; i++)
			printf("%s%.2f", i ? "," : "", fgot[i] * 8 / elapsed / 1e6);
		printf("\n");
	} else if (mode == SHORT || mode == CONNS) {
		long n = sh->count;
		double sum = 0;

		FILE *f = fct_file ? fopen(fct_file, "a") : NULL;

		if (fct_file && !f) {
			printf("ERROR %s: %s\n", fct_file, strerror(errno));
			printf("RESULT mode=short proto=%s value=ERR\n", pname);
			return 1;
		}
		qsort(sh->fct_ms, n, sizeof(sh->fct_ms[0]), cmp_float);
		for (i = 0; i < n; i++) {
			sum += sh->fct_ms[i];
			if (f)
				fprintf(f, "%.3f\n", sh->fct_ms[i]);
		}
		if (f)
			fclose(f);
		if (mode == SHORT)
			printf("RESULT mode=short proto=%s value=%.2f unit=ms secs=%.3f count=%ld bytes=%d p50=%.2f p90=%.2f max=%.2f mean=%.2f\n",
			       pname, pct(sh->fct_ms, n, 99), sh->secs, n, sbytes,
			       pct(sh->fct_ms, n, 50), pct(sh->fct_ms, n, 90),
			       n ? sh->fct_ms[n - 1] : 0, n ? sum / n : 0);
		else
			printf("RESULT mode=conns proto=%s value=%lld unit=bytes/conn secs=%.3f conns=%d count=%ld p50=%.3f p99=%.3f max=%.3f mean=%.3f\n",
			       pname, sh->sent, sh->secs, nflows, n,
			       pct(sh->fct_ms, n, 50), pct(sh->fct_ms, n, 99),
			       n ? sh->fct_ms[n - 1] : 0, n ? sum / n : 0);
	} else {
		value = sh->count / sh->secs;
		printf("RESULT mode=%s proto=%s value=%.1f unit=%s secs=%.3f count=%ld mean_us=%.1f\n",
		       mode_name[mode], pname, value,
		       mode == RR ? "trans/s" : "conn/s", sh->secs, sh->count,
		       sh->count ? sh->secs / sh->count * 1e6 : 0);
	}
	return 0;
}
