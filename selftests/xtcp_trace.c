// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp's tracepoints (module/trace.h), read back through tracefs: each
 * test enables the events it needs in a tracefs instance of its own,
 * makes traffic between the test hosts, and checks what the events say
 * against the counters, the sockets (SO_COOKIE) and the congestion
 * control's rules.  perf and bpftrace, when the guest has them, read the
 * same events.
 *
 * XTCP_ONLY=name,name runs only the tests whose names contain one of
 * the words.  The events are xtcp's: over kernel TCP (XTCP_PROTO=6)
 * every test is skipped.
 */
#include <linux/sock_diag.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "xtcp_lib.h"
#include "xtcp_harness.h"

#define TRACEFS		"/sys/kernel/tracing"
#define INF_SSTHRESH	2147483647UL

/* ---- tracefs ---- */

/* A tracefs instance of our own, with some xtcp events enabled. */
struct tr {
	char dir[256];
};

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int tr_write(struct tr *t, const char *file, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	return write_str(path, val);
}

/* tracefs mounted (an empty /sys/kernel/tracing is mounted here). */
static int tracefs_ready(void)
{
	if (!access(TRACEFS "/instances", F_OK))
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return -1;
	return access(TRACEFS "/instances", F_OK);
}

/*
 * Instance @name with the xtcp events @events (NULL-terminated names
 * under events/, such as "xtcp/xtcp_probe" or "xtcp" for all) on, its
 * buffer large enough that nothing a test makes is overwritten.
 */
static int tr_open(struct tr *t, const char *name, const char *const *events)
{
	char file[256];

	if (tracefs_ready())
		return -1;
	snprintf(t->dir, sizeof(t->dir), TRACEFS "/instances/%s", name);
	rmdir(t->dir);
	if (mkdir(t->dir, 0755))
		return -1;
	if (tr_write(t, "buffer_size_kb", "8192"))
		return -1;
	for (; *events; events++) {
		snprintf(file, sizeof(file), "events/%s/enable", *events);
		if (tr_write(t, file, "1"))
			return -1;
	}
	return tr_write(t, "tracing_on", "1");
}

static void tr_close(struct tr *t)
{
	tr_write(t, "tracing_on", "0");
	tr_write(t, "events/enable", "0");
	rmdir(t->dir);
}

/*
 * Two instances that keep every xtcp event registered from before the
 * first test to after the last, recording nothing.  A tracepoint's code
 * is patched (text_poke_bp: its static key and static call) only when
 * its probes go from none to one or from one to two and back; with two
 * held here, the tests' own instances, perf and bpftrace add and remove
 * probes without patching.  Under QEMU's TCG a guest can wedge in that
 * patching (both CPUs spin: one in exc_int3 on the patched site, the
 * other waiting for it in smp_call_function_many_cond), with or without
 * xtcp loaded: scripts/tcg-text-poke-hang.sh reproduces it within
 * seconds.  run.sh and run-some.sh hold two more from just after insmod,
 * before any xtcp code runs (trace_hold.sh): CI's guest wedged here once,
 * patching while the sockets xtcp_robust left ran xtcp's timers.  These
 * two are for a program run by hand, and patch nothing under run.sh.
 * Made in main's constructor, before the harness forks the tests;
 * removed when main returns.
 */
static struct tr keep[2];
static pid_t keep_pid;

static void __attribute__((constructor)) keepers_up(void)
{
	unsigned int i;

	if (is_tcp() || tracefs_ready())
		return;
	keep_pid = getpid();
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		snprintf(keep[i].dir, sizeof(keep[i].dir),
			 TRACEFS "/instances/xtcp_keep%u_%d", i, (int)getpid());
		if (mkdir(keep[i].dir, 0755)) {
			keep[i].dir[0] = 0;
			continue;
		}
		tr_write(&keep[i], "tracing_on", "0");
		tr_write(&keep[i], "buffer_size_kb", "4");
		tr_write(&keep[i], "events/xtcp/enable", "1");
	}
}

static void __attribute__((destructor)) keepers_down(void)
{
	unsigned int i;

	/* Only main's process: a child that exits leaves them. */
	if (getpid() != keep_pid)
		return;
	for (i = 0; i < ARRAY_SIZE(keep); i++)
		if (keep[i].dir[0])
			tr_close(&keep[i]);
}

/*
 * What the instance holds, as text (its "trace" file), NUL-terminated;
 * NULL if it cannot be read or events were lost (the header's
 * entries-in-buffer/entries-written differ).
 */
static char *tr_read(struct __test_metadata *_metadata, struct tr *t)
{
	char path[512], *buf = NULL, *p;
	size_t len = 0, cap = 0;
	unsigned long in, written;
	ssize_t n;
	int fd;

	tr_write(t, "tracing_on", "0");
	snprintf(path, sizeof(path), "%s/trace", t->dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 1 << 20;
			p = realloc(buf, cap + 1);
			if (!p)
				break;
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[len] = 0;
	p = strstr(buf, "entries-in-buffer/entries-written:");
	if (!p || sscanf(p, "entries-in-buffer/entries-written: %lu/%lu",
			 &in, &written) != 2 || in != written) {
		TH_LOG("trace buffer lost events: %.80s", p ? p : "(no header)");
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- events ---- */

/* The value of " @key=" in an event line; -1 if absent. */
static long long fld(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	return strtoll(p + strlen(pat), NULL, 0);
}

/* The word after " @key=" into @out (@n bytes); "" if absent. */
static const char *fldstr(const char *line, const char *key, char *out,
			  size_t n)
{
	char pat[64];
	const char *p;
	size_t i = 0;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	out[0] = 0;
	if (!p)
		return out;
	for (p += strlen(pat); *p && *p != ' ' && *p != '\n' && i + 1 < n; p++)
		out[i++] = *p;
	out[i] = 0;
	return out;
}

static unsigned long long fld_hex(const char *line, const char *key)
{
	char v[32];

	return strtoull(fldstr(line, key, v, sizeof(v)), NULL, 16);
}

/*
 * The next line of @buf after *@pos that is event @ev with sport
 * @sport and dport @dport (either 0: any), copied NUL-terminated into a
 * buffer that the next call reuses; NULL when none is left.
 */
static char *ev_next(const char *buf, size_t *pos, const char *ev, int sport,
		     int dport)
{
	static char line[1024];
	char pat[64];

	snprintf(pat, sizeof(pat), " %s: ", ev);
	while (buf[*pos]) {
		const char *p = buf + *pos, *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		*pos += n + !!end;
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (line[0] == '#' || !strstr(line, pat))
			continue;
		if ((sport && fld(line, "sport") != sport) ||
		    (dport && fld(line, "dport") != dport))
			continue;
		return line;
	}
	return NULL;
}

/*
 * The events @ev with these ports, without flag @noflags: how many, or
 * with @field the sum of that field of theirs.
 */
static int ev_sum(const char *buf, const char *ev, int sport, int dport,
		  const char *noflags, const char *field)
{
	char *line, f[64];
	size_t pos = 0;
	int n = 0;

	while ((line = ev_next(buf, &pos, ev, sport, dport))) {
		if (noflags && strstr(fldstr(line, "flags", f, sizeof(f)),
				      noflags))
			continue;
		n += field ? atoi(fldstr(line, field, f, sizeof(f))) : 1;
	}
	return n;
}

/* How many events @ev with these ports, without flag @noflags. */
static int ev_count(const char *buf, const char *ev, int sport, int dport,
		    const char *noflags)
{
	return ev_sum(buf, ev, sport, dport, noflags, NULL);
}

/* The segments of the events ev_count() counts: their segs fields. */
static int ev_segs(const char *buf, const char *ev, int sport, int dport,
		   const char *noflags)
{
	return ev_sum(buf, ev, sport, dport, noflags, "segs");
}

static uint64_t so_cookie(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len))
		return 0;
	return c;
}

static int so_rcvbuf(int fd)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len);
	return v;
}

static uint32_t addr_of(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* Whether an event line's saddr and daddr are @sa and @da. */
static int ev_addrs(const char *line, const char *sa, const char *da)
{
	char s[32], d[32];

	fldstr(line, "saddr", s, sizeof(s));
	fldstr(line, "daddr", d, sizeof(d));
	return addr_of(s) == addr_of(sa) && addr_of(d) == addr_of(da);
}

/* ---- a transfer in phases ---- */

/*
 * The client sends @len bytes to the server; the server reads them all.
 * Meanwhile the client's egress goes through phases: clean until the
 * server has read @clean bytes, then netem @loss (a spec such as
 * "loss 3%") until it has read @lossy more, then, if @blackhole_ms,
 * every segment lost for that long, then clean to the end.
 */
struct xfer {
	int port;
	size_t len, clean, lossy;
	const char *loss;
	int blackhole_ms;
	/* out */
	int cport;
	uint64_t cookie_c, cookie_a;
	int rcvbuf0, rcvbuf1;	/* the server's SO_RCVBUF at the ends */
	size_t got;
	char sent[65], rcvd[65];
	int rdone;		/* read with __atomic_load_n() */
	int fd;
};

static void *xfer_reader(void *arg)
{
	struct xfer *x = arg;
	static uint8_t buf[65536];
	struct sha256 h;
	ssize_t n;

	sha256_init(&h);
	while ((n = read(x->fd, buf, sizeof(buf))) > 0) {
		sha256_update(&h, buf, n);
		__atomic_store_n(&x->got, x->got + n, __ATOMIC_RELEASE);
	}
	sha256_final(&h, x->rcvd);
	__atomic_store_n(&x->rdone, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The client's writer: it writes the pattern up to @allow bytes, which
 * the test raises phase by phase, so that each phase's data leaves
 * under that phase's qdisc.
 */
struct writer {
	int fd;
	size_t len;
	size_t allow;		/* __atomic */
	char hash[65];
	int err;
};

static void *xfer_writer(void *arg)
{
	struct writer *w = arg;
	uint8_t *buf = malloc(w->len);
	size_t done = 0, allow;

	if (!buf) {
		w->err = ENOMEM;
		return NULL;
	}
	fill_pattern(buf, w->len, 77);
	sha256_hex(buf, w->len, w->hash);
	while (done < w->len) {
		allow = __atomic_load_n(&w->allow, __ATOMIC_ACQUIRE);
		if (allow <= done) {
			usleep(2000);
			continue;
		}
		if (write_all(w->fd, buf + done, allow - done)) {
			w->err = errno;
			break;
		}
		done = allow;
	}
	if (!w->err && shutdown(w->fd, SHUT_WR))
		w->err = errno;
	free(buf);
	return NULL;
}

static int wait_got(struct xfer *x, size_t want, double secs)
{
	double end = now_s() + secs;

	while (__atomic_load_n(&x->got, __ATOMIC_ACQUIRE) < want &&
	       !__atomic_load_n(&x->rdone, __ATOMIC_ACQUIRE) && now_s() < end)
		usleep(5000);
	return x->got >= want ? 0 : -1;
}

static void allow(struct writer *w, size_t n)
{
	__atomic_store_n(&w->allow, n, __ATOMIC_RELEASE);
}

static void run_xfer(struct __test_metadata *_metadata, struct xfer *x)
{
	struct writer w = { .len = x->len };
	pthread_t rt, wt;
	int lfd, c, a;

	lfd = xlisten(x->port, 8);
	ASSERT_LE(0, lfd);
	c = xsock(CLI_NS);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, x->port));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	close(lfd);
	x->cport = local_port(c);
	x->cookie_c = so_cookie(c);
	x->cookie_a = so_cookie(a);
	x->rcvbuf0 = so_rcvbuf(a);
	x->fd = a;
	w.fd = c;
	ASSERT_EQ(0, pthread_create(&rt, NULL, xfer_reader, x));
	ASSERT_EQ(0, pthread_create(&wt, NULL, xfer_writer, &w));

	if (x->loss) {
		allow(&w, x->clean);
		EXPECT_EQ(0, wait_got(x, x->clean, XT(20)));
		EXPECT_EQ(0, tc_in(CLI_NS, "qdisc add dev " CLI_IF
				   " root netem %s", x->loss));
		allow(&w, x->clean + x->lossy);
		EXPECT_EQ(0, wait_got(x, x->clean + x->lossy, XT(30)));
	}
	if (x->blackhole_ms) {
		EXPECT_EQ(0, tc_in(CLI_NS, "qdisc replace dev " CLI_IF
				   " root netem loss 100%%"));
		allow(&w, x->len);
		usleep(x->blackhole_ms * 1000);
	}
	tc_in(CLI_NS, "qdisc del dev " CLI_IF " root 2>/dev/null");
	allow(&w, x->len);
	EXPECT_EQ(0, wait_got(x, x->len, XT(30)));
	pthread_join(wt, NULL);
	pthread_join(rt, NULL);
	EXPECT_EQ(0, w.err);
	EXPECT_EQ(x->len, x->got);
	EXPECT_STREQ(w.hash, x->rcvd);
	memcpy(x->sent, w.hash, sizeof(x->sent));
	x->rcvbuf1 = so_rcvbuf(a);
	close(a);
	close(c);
	/* Whatever the client still resends (its FIN) is done by now. */
	usleep(300000);
}

/* ---- fixture ---- */

FIXTURE(trace) {
	struct tr t;
};

FIXTURE_SETUP(trace)
{
	if (!test_selected(_metadata->name))
		SKIP(longjmp(_metadata->env, 1), "not in XTCP_ONLY");
	if (is_tcp())
		SKIP(longjmp(_metadata->env, 1), "xtcp's tracepoints only");
	ASSERT_EQ(0, hosts_up());
	ASSERT_EQ(0, offloads_off());
	self->t.dir[0] = 0;
}

FIXTURE_TEARDOWN(trace)
{
	if (self->t.dir[0])
		tr_close(&self->t);
	hosts_down();
}

static const char *const all_xtcp[] = { "xtcp", NULL };

/*
 * (a) Under loss, every retransmission is one xtcp_retransmit_skb event,
 * of one skb of one or more segments: the segments of the sender's
 * events for the connection (its SYN aside: the connection is open
 * before the loss starts) equal the RetransSegs its netns counted,
 * timeouts and fast retransmits alike.
 */
TEST_F_TIMEOUT(trace, retransmit_events_equal_retranssegs, XT(60))
{
	struct xfer x = { .port = 9901, .len = 1 << 20, .clean = 64 << 10,
			  .lossy = 512 << 10, .loss = "loss 4%",
			  .blackhole_ms = 700 };
	long r0 = XSTAT(CLI_NS, "RetransSegs"), r1;
	char *buf;
	int n, segs, all;

	ASSERT_EQ(0, tr_open(&self->t, "xtcp_trace_a", all_xtcp));
	run_xfer(_metadata, &x);
	r1 = XSTAT(CLI_NS, "RetransSegs");
	buf = tr_read(_metadata, &self->t);
	ASSERT_NE(NULL, buf);
	n = ev_count(buf, "xtcp_retransmit_skb", x.cport, x.port, "SYN");
	segs = ev_segs(buf, "xtcp_retransmit_skb", x.cport, x.port, "SYN");
	all = ev_count(buf, "xtcp_retransmit_skb", 0, 0, NULL);
	TH_LOG("RetransSegs +%ld, xtcp_retransmit_skb events %d of %d segments (all %d)",
	       r1 - r0, n, segs, all);
	EXPECT_LT(0, n);
	EXPECT_LE(n, segs);
	EXPECT_EQ(r1 - r0, segs);
	free(buf);
}

/*
 * (b) xtcp_probe on the sender: cwnd starts at 10 and grows in slow
 * start (ssthresh still "infinite"); at the first loss ssthresh falls
 * to at most half the largest cwnd, and cwnd below that largest one:
 * in SACK recovery PRR (RFC 6937) brings it to ssthresh as the flight
 * drains, at most ssthresh + 3 without SACK (NewReno), 1 after a timeout.
 * NewReno's halving, chosen for the client's netns: the default, CUBIC,
 * keeps 0.7 of cwnd and may end slow start (HyStart++) before a loss.
 */
TEST_F_TIMEOUT(trace, probe_cwnd_slow_start_then_loss, XT(60))
{
	static const char *const evs[] = { "xtcp/xtcp_probe", NULL };
	struct xfer x = { .port = 9902, .len = 768 << 10, .clean = 256 << 10,
			  .lossy = 256 << 10, .loss = "loss 4%" };
	unsigned long cwnd, ssth, peak = 0, first = 0;
	char *buf, *line, st[16];
	size_t pos = 0;
	int n = 0, fell = 0;

	ASSERT_EQ(0, tr_open(&self->t, "xtcp_trace_b", evs));
	ASSERT_EQ(0, sh_in(CLI_NS, "sysctl -qw net.xtcp.congestion_control=newreno"));
	run_xfer(_metadata, &x);
	buf = tr_read(_metadata, &self->t);
	ASSERT_NE(NULL, buf);
	while ((line = ev_next(buf, &pos, "xtcp_probe", x.cport, x.port))) {
		cwnd = fld(line, "snd_cwnd");
		ssth = fld(line, "ssthresh");
		if (!n++) {
			first = cwnd;
			EXPECT_EQ(x.cookie_c, fld_hex(line, "sock_cookie"));
			EXPECT_TRUE(ev_addrs(line, CLI_ADDR, SRV_ADDR));
		}
		if (ssth == INF_SSTHRESH) {
			peak = cwnd > peak ? cwnd : peak;
			continue;
		}
		fldstr(line, "ca_state", st, sizeof(st));
		TH_LOG("%d probes in slow start, cwnd %lu to %lu; then cwnd %lu ssthresh %lu (%s)",
		       n - 1, first, peak, cwnd, ssth, st);
		EXPECT_LE(2, ssth);
		EXPECT_GE(peak / 2 > 2 ? peak / 2 : 2, ssth);
		EXPECT_GT(peak, cwnd);
		/* A timeout restarts from one segment. */
		EXPECT_STREQ(cwnd == 1 ? "loss" : "recovery", st);
		fell = 1;
		break;
	}
	EXPECT_EQ(10, first);
	EXPECT_LT(10, peak);
	EXPECT_EQ(1, fell) TH_LOG("no probe with ssthresh set among %d", n);
	free(buf);
}

/*
 * (c) A RST by an aborting socket, its arrival at the peer, and a RST
 * for a port with no socket: the 4-tuples from each side and the
 * cookies SO_COOKIE gives.
 */
TEST_F(trace, reset_events_carry_tuple_and_cookie)
{
	static const char *const evs[] = { "xtcp/xtcp_send_reset",
					   "xtcp/xtcp_receive_reset", NULL };
	uint64_t kc, ka, kn;
	int lfd, c, a, n, cport, nport;
	char *buf, *line, st[16];
	size_t pos;

	ASSERT_EQ(0, tr_open(&self->t, "xtcp_trace_c", evs));
	lfd = xlisten(9903, 8);
	ASSERT_LE(0, lfd);
	c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 9903));
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	cport = local_port(c);
	kc = so_cookie(c);
	ka = so_cookie(a);
	ASSERT_NE(0, kc);
	ASSERT_NE(kc, ka);
	close_abort(c);
	/* The server's socket is gone once the RST arrived. */
	EXPECT_EQ(-1, wait_state(SRV_NS, 9903, cport, -1, XT(2)));
	close(a);
	close(lfd);

	/* Nobody listens on 9904: the server's netns answers with a RST. */
	n = xsock(CLI_NS);
	ASSERT_LE(0, n);
	ASSERT_EQ(-1, do_connect(n, SRV_ADDR, 9904));
	ASSERT_EQ(ECONNREFUSED, errno);
	nport = local_port(n);
	kn = so_cookie(n);
	close(n);

	buf = tr_read(_metadata, &self->t);
	ASSERT_NE(NULL, buf);
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_send_reset", cport, 9903);
	ASSERT_NE(NULL, line) TH_LOG("no send_reset from the aborting client");
	EXPECT_TRUE(ev_addrs(line, CLI_ADDR, SRV_ADDR));
	EXPECT_EQ(kc, fld_hex(line, "sock_cookie"));
	/* close() has closed it when the RST leaves (as TCP's). */
	EXPECT_STREQ("CLOSE", fldstr(line, "state", st, sizeof(st)));
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_receive_reset", 9903, cport);
	ASSERT_NE(NULL, line) TH_LOG("no receive_reset at the server");
	EXPECT_TRUE(ev_addrs(line, SRV_ADDR, CLI_ADDR));
	EXPECT_EQ(ka, fld_hex(line, "sock_cookie"));
	EXPECT_STREQ("ESTABLISHED", fldstr(line, "state", st, sizeof(st)));

	pos = 0;
	line = ev_next(buf, &pos, "xtcp_send_reset", 9904, nport);
	ASSERT_NE(NULL, line) TH_LOG("no send_reset for the closed port");
	EXPECT_TRUE(ev_addrs(line, SRV_ADDR, CLI_ADDR));
	EXPECT_EQ(0, fld_hex(line, "sock_cookie"));
	EXPECT_STREQ("CLOSE", fldstr(line, "state", st, sizeof(st)));
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_receive_reset", nport, 9904);
	ASSERT_NE(NULL, line) TH_LOG("no receive_reset at the refused client");
	EXPECT_TRUE(ev_addrs(line, CLI_ADDR, SRV_ADDR));
	EXPECT_EQ(kn, fld_hex(line, "sock_cookie"));
	EXPECT_STREQ("SYN_SENT", fldstr(line, "state", st, sizeof(st)));
	free(buf);
}

/* An AF_INET6 socket in @ns connected to [@addr]:@port; -1 on failure. */
static int connect6_in(const char *ns, const char *addr, int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };
	int fd = socket_in(ns, AF_INET6, SOCK_STREAM, xtcp_proto());

	inet_pton(AF_INET6, addr, &a.sin6_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/*
 * IPv6 in the events: an IPv6 connection's request, and the RSTs of an
 * abort and of a closed port, carry the IPv6 addresses in saddrv6 and
 * daddrv6 (saddr and daddr 0.0.0.0); an IPv4 connection's carry them
 * v4-mapped, as TCP's events do.
 */
TEST_F(trace, ipv6_events_carry_v6_addresses)
{
	static const char *const evs[] = { "xtcp/xtcp_request",
					   "xtcp/xtcp_send_reset", NULL };
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(9910) };
	int lfd, c, a, cport, lfd4, c4, a4;
	char *buf, *line, f[64];
	size_t pos;

	ASSERT_EQ(0, hosts_up_ipv6());
	ASSERT_EQ(0, tr_open(&self->t, "xtcp_trace_v6", evs));
	inet_pton(AF_INET6, SRV_ADDR6, &sa.sin6_addr);
	lfd = socket_in(SRV_NS, AF_INET6, SOCK_STREAM, xtcp_proto());
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(lfd, 8));
	c = connect6_in(CLI_NS, SRV_ADDR6, 9910);
	ASSERT_LE(0, c);
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	cport = local_port(c);
	close_abort(c);
	close(a);
	close(lfd);
	/* Nobody listens on 9911. */
	EXPECT_EQ(-1, connect6_in(CLI_NS, SRV_ADDR6, 9911));
	EXPECT_EQ(ECONNREFUSED, errno);

	lfd4 = xlisten(9912, 8);
	ASSERT_LE(0, lfd4);
	c4 = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c4, SRV_ADDR, 9912));
	a4 = accept(lfd4, NULL, NULL);
	ASSERT_LE(0, a4);
	close(a4);
	close(c4);
	close(lfd4);

	buf = tr_read(_metadata, &self->t);
	ASSERT_NE(NULL, buf);
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_request", 9910, cport);
	ASSERT_NE(NULL, line) TH_LOG("no xtcp_request for the IPv6 SYN");
	EXPECT_STREQ(SRV_ADDR6, fldstr(line, "saddrv6", f, sizeof(f)));
	EXPECT_STREQ(CLI_ADDR6, fldstr(line, "daddrv6", f, sizeof(f)));
	EXPECT_STREQ("0.0.0.0", fldstr(line, "saddr", f, sizeof(f)));
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_send_reset", cport, 9910);
	ASSERT_NE(NULL, line) TH_LOG("no send_reset from the aborting client");
	EXPECT_STREQ(CLI_ADDR6, fldstr(line, "saddrv6", f, sizeof(f)));
	EXPECT_STREQ(SRV_ADDR6, fldstr(line, "daddrv6", f, sizeof(f)));
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_send_reset", 9911, 0);
	ASSERT_NE(NULL, line) TH_LOG("no send_reset for the closed port");
	EXPECT_STREQ(SRV_ADDR6, fldstr(line, "saddrv6", f, sizeof(f)));
	EXPECT_STREQ(CLI_ADDR6, fldstr(line, "daddrv6", f, sizeof(f)));
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_request", 9912, 0);
	ASSERT_NE(NULL, line) TH_LOG("no xtcp_request for the IPv4 SYN");
	EXPECT_STREQ("::ffff:" SRV_ADDR, fldstr(line, "saddrv6", f, sizeof(f)));
	EXPECT_TRUE(ev_addrs(line, SRV_ADDR, CLI_ADDR));
	free(buf);
}

/* The decision of the first xtcp_request event for @lport <- @rport. */
static const char *decision(char *buf, size_t *pos, int lport, int rport,
			    char *out, size_t n)
{
	char *line = ev_next(buf, pos, "xtcp_request", lport, rport);

	return line ? fldstr(line, "decision", out, n) : "(none)";
}

/*
 * (d) The listener's decisions: a SYN queued; with syncookies=2 a
 * cookie sent and accepted, the same ISN both times; an ACK with no
 * valid cookie rejected (and answered with a RST from the listener);
 * with syncookies=0 a SYN dropped at a full SYN queue; a SYN dropped
 * at a full accept queue.
 */
TEST_F_TIMEOUT(trace, request_decisions, XT(40))
{
	static const char *const evs[] = { "xtcp/xtcp_request",
					   "xtcp/xtcp_send_reset", NULL };
	struct rawseg r = { .src = CLI_ADDR, .dst = SRV_ADDR, .sport = 41999,
			    .dport = 9906, .seq = 5000, .ack = 123456,
			    .flags = XTCP_FLAG_ACK, .win = 1000 };
	struct rawseg g = { .src = "10.99.0.3", .dst = SRV_ADDR,
			    .sport = 42001, .dport = 9907, .seq = 1,
			    .flags = XTCP_FLAG_SYN, .win = 1000 };
	int lfd, c, a, c2, p1, p2, p3;
	uint64_t kl, kl2;
	long long isn, rcv;
	char *buf, *line, d[32], s[16];
	size_t pos;
	char ch;

	ASSERT_EQ(0, tr_open(&self->t, "xtcp_trace_d", evs));
	/* A SYN queued (syncookies=1, room in the queue). */
	lfd = xlisten(9905, 8);
	ASSERT_LE(0, lfd);
	kl = so_cookie(lfd);
	c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 9905));
	p1 = local_port(c);
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	close(a);
	close(c);
	close(lfd);

	/* syncookies=2: a cookie for every SYN, then its ACK. */
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.syncookies", 2));
	lfd = xlisten(9906, 8);
	ASSERT_LE(0, lfd);
	kl2 = so_cookie(lfd);
	c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 9906));
	p2 = local_port(c);
	a = accept(lfd, NULL, NULL);
	ASSERT_LE(0, a);
	ASSERT_EQ(1, write(c, "k", 1));
	ASSERT_EQ(1, read(a, &ch, 1));
	close(a);
	close(c);
	/* An ACK that returns no cookie of ours. */
	ASSERT_EQ(0, raw_inject(CLI_NS, &r));
	usleep(200000);
	close(lfd);

	/*
	 * syncookies=0 and listen(fd, 0): one request fits (6.1 drops when
	 * the queue holds more than the backlog), the second SYN is dropped.
	 */
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.syncookies", 0));
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.synack_retries", 1));
	lfd = xlisten(9907, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, raw_inject(CLI_NS, &g));
	g.sport++;
	ASSERT_EQ(0, raw_inject(CLI_NS, &g));
	usleep(200000);
	close(lfd);

	/* An accept queue of none, full after one connection. */
	ASSERT_EQ(0, sysctl_set(SRV_NS, "net.xtcp.syncookies", 1));
	lfd = xsock(SRV_NS);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, do_bind(lfd, SRV_ADDR, 9908));
	ASSERT_EQ(0, listen(lfd, 0));
	c = xsock(CLI_NS);
	ASSERT_EQ(0, do_connect(c, SRV_ADDR, 9908));
	c2 = xsock(CLI_NS);
	set_nonblock(c2, 1);
	do_connect(c2, SRV_ADDR, 9908);
	p3 = local_port(c2);
	usleep(300000);
	close(c2);
	close(c);
	close(lfd);

	buf = tr_read(_metadata, &self->t);
	ASSERT_NE(NULL, buf);
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_request", 9905, p1);
	ASSERT_NE(NULL, line);
	EXPECT_STREQ("queued", fldstr(line, "decision", d, sizeof(d)));
	EXPECT_EQ(kl, fld_hex(line, "sock_cookie"));
	EXPECT_TRUE(ev_addrs(line, SRV_ADDR, CLI_ADDR));
	EXPECT_NE(0, fld(line, "snt_isn"));

	pos = 0;
	line = ev_next(buf, &pos, "xtcp_request", 9906, p2);
	ASSERT_NE(NULL, line);
	EXPECT_STREQ("cookie_sent", fldstr(line, "decision", d, sizeof(d)));
	EXPECT_EQ(kl2, fld_hex(line, "sock_cookie"));
	isn = fld(line, "snt_isn");
	rcv = fld(line, "rcv_isn");
	line = ev_next(buf, &pos, "xtcp_request", 9906, p2);
	ASSERT_NE(NULL, line);
	EXPECT_STREQ("cookie_ok", fldstr(line, "decision", d, sizeof(d)));
	EXPECT_EQ(isn, fld(line, "snt_isn"));
	EXPECT_EQ(rcv, fld(line, "rcv_isn"));
	pos = 0;
	EXPECT_STREQ("cookie_bad", decision(buf, &pos, 9906, 41999, d, sizeof(d)));
	pos = 0;
	line = ev_next(buf, &pos, "xtcp_send_reset", 9906, 41999);
	ASSERT_NE(NULL, line) TH_LOG("the bad cookie got no RST");
	EXPECT_STREQ("LISTEN", fldstr(line, "state", s, sizeof(s)));
	EXPECT_EQ(kl2, fld_hex(line, "sock_cookie"));
	EXPECT_EQ(123456, fld(line, "seq"));

	pos = 0;
	EXPECT_STREQ("queued", decision(buf, &pos, 9907, 42001, d, sizeof(d)));
	pos = 0;
	EXPECT_STREQ("drop_synq_full",
		     decision(buf, &pos, 9907, 42002, d, sizeof(d)));
	pos = 0;
	EXPECT_STREQ("drop_acceptq_full",
		     decision(buf, &pos, 9908, p3, d, sizeof(d)));
	free(buf);
}

/*
 * (e) xtcp_cong_state: each event starts where the last one ended; loss
 * enters recovery (fast retransmit) and, in a blackout, loss (the
 * timer); the connection ends open.
 */
TEST_F_TIMEOUT(trace, cong_state_recovery_loss_and_back, XT(60))
{
	static const char *const evs[] = { "xtcp/xtcp_cong_state", NULL };
	struct xfer x = { .port = 9909, .len = 1 << 20, .clean = 128 << 10,
			  .lossy = 512 << 10, .loss = "loss 4%",
			  .blackhole_ms = 700 };
	char *buf, *line, o[16], nw[16], last[16] = "open";
	int n = 0, rec = 0, loss = 0, back = 0;
	size_t pos = 0;

	ASSERT_EQ(0, tr_open(&self->t, "xtcp_trace_e", evs));
	run_xfer(_metadata, &x);
	buf = tr_read(_metadata, &self->t);
	ASSERT_NE(NULL, buf);
	while ((line = ev_next(buf, &pos, "xtcp_cong_state", x.cport,
			       x.port))) {
		fldstr(line, "old", o, sizeof(o));
		fldstr(line, "new", nw, sizeof(nw));
		EXPECT_STREQ(last, o) TH_LOG("event %d: %s", n, line);
		EXPECT_STRNE(o, nw);
		rec += !strcmp(nw, "recovery");
		loss += !strcmp(nw, "loss");
		back += !strcmp(nw, "open") &&
			(!strcmp(o, "recovery") || !strcmp(o, "loss"));
		if (!strcmp(nw, "loss"))
			EXPECT_EQ(1, fld(line, "snd_cwnd"));
		snprintf(last, sizeof(last), "%s", nw);
		n++;
	}
	TH_LOG("%d changes: %d into recovery, %d into loss, %d back to open",
	       n, rec, loss, back);
	EXPECT_LT(0, rec);
	EXPECT_LT(0, loss);
	EXPECT_LT(0, back);
	EXPECT_STREQ("open", last);
	free(buf);
}

/*
 * The receive side: auto-tuning measures what the reader took each
 * round trip; the buffer it reports only grows, from the accepted
 * socket's SO_RCVBUF to what SO_RCVBUF says at the end.
 */
TEST_F_TIMEOUT(trace, rcv_space_adjust_grows_the_buffer, XT(40))
{
	static const char *const evs[] = { "xtcp/xtcp_rcv_space_adjust", NULL };
	struct xfer x = { .port = 9910, .len = 2 << 20 };
	long long rcvbuf, first = -1, prev = -1;
	char *buf, *line;
	size_t pos = 0;
	int n = 0;

	ASSERT_EQ(0, tr_open(&self->t, "xtcp_trace_f", evs));
	run_xfer(_metadata, &x);
	buf = tr_read(_metadata, &self->t);
	ASSERT_NE(NULL, buf);
	while ((line = ev_next(buf, &pos, "xtcp_rcv_space_adjust", x.port,
			       x.cport))) {
		rcvbuf = fld(line, "rcvbuf");
		if (!n++) {
			first = rcvbuf;
			EXPECT_EQ(x.cookie_a, fld_hex(line, "sock_cookie"));
		}
		EXPECT_LE(prev, rcvbuf);
		EXPECT_LE(fld(line, "copied"), fld(line, "space"));
		prev = rcvbuf;
	}
	TH_LOG("%d measurements, rcvbuf %lld to %lld; SO_RCVBUF %d then %d",
	       n, first, prev, x.rcvbuf0, x.rcvbuf1);
	EXPECT_LT(0, n);
	EXPECT_LT(x.rcvbuf0, prev);
	EXPECT_EQ(x.rcvbuf1, prev);
	free(buf);
}

/* ---- perf and bpftrace: the same events through their tools ---- */

/*
 * Both take most of a minute to start under emulation (perf record -a
 * about 50 s, bpftrace 20 to 60 s), more than the suite can give them:
 * they run when XTCP_TRACE_TOOLS=1 and the tool is there.
 */
static const char *tools_skip(const char *prog)
{
	const char *on = getenv("XTCP_TRACE_TOOLS");

	if (!on || strcmp(on, "1"))
		return "slow to start: XTCP_TRACE_TOOLS=1 runs it";
	if (sh("%s --version >/dev/null 2>&1", prog))
		return "not installed";
	return NULL;
}

/* Open a FIFO perf opened, within @secs; -1 if it never did. */
static int fifo_open(const char *path, int flags, double secs)
{
	double end = now_s() + secs;
	int fd;

	do {
		fd = open(path, flags | O_NONBLOCK);
		if (fd >= 0)
			return fd;
		usleep(100000);
	} while (now_s() < end);
	return -1;
}

/*
 * `perf record -e 'xtcp:*' -a` during a lossy transfer: `perf script`
 * shows the sender's retransmissions, their segments as many as
 * RetransSegs counted.  perf starts with its events off (-D -1) and turns them on
 * when told through its control FIFO, and says so on the ack FIFO:
 * the transfer starts only once perf records.
 */
TEST_F_TIMEOUT(trace, perf_record_sees_retransmissions, XT(180))
{
	struct xfer x = { .port = 9911, .len = 512 << 10, .clean = 64 << 10,
			  .lossy = 256 << 10, .loss = "loss 5%" };
	const char *data = "/tmp/xtcp-trace-perf.data";
	const char *ctl = "/tmp/xtcp-trace-perf.ctl";
	const char *ack = "/tmp/xtcp-trace-perf.ack";
	char cmd[512], ctlarg[128], buf[16] = "";
	const char *why = tools_skip("perf");
	struct pollfd pfd;
	int n, i, cfd, afd;
	long r0, r1;
	FILE *f;
	pid_t pid;

	if (why)
		SKIP(return, "perf: %s", why);
	ASSERT_EQ(0, tracefs_ready());
	unlink(data);
	unlink(ctl);
	unlink(ack);
	ASSERT_EQ(0, mkfifo(ctl, 0600));
	ASSERT_EQ(0, mkfifo(ack, 0600));
	snprintf(ctlarg, sizeof(ctlarg), "--control=fifo:%s,%s", ctl, ack);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (!freopen("/tmp/xtcp-trace-perf.log", "w", stderr))
			_exit(126);
		execlp("perf", "perf", "record", "-q", "-a", "-B", "-N",
		       "--no-bpf-event", "-D", "-1", ctlarg, "-e", "xtcp:*",
		       "-o", data, NULL);
		_exit(127);
	}
	afd = fifo_open(ack, O_RDONLY, XT(120));
	cfd = fifo_open(ctl, O_WRONLY, XT(120));
	ASSERT_LE(0, cfd) {
		kill(pid, SIGKILL);
		sh("cat /tmp/xtcp-trace-perf.log >&2");
	}
	ASSERT_LE(0, afd);
	ASSERT_EQ(7, write(cfd, "enable\n", 7));
	pfd = (struct pollfd){ .fd = afd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, XT(120) * 1000));
	ASSERT_LT(0, read(afd, buf, sizeof(buf) - 1));
	EXPECT_EQ(0, strncmp(buf, "ack", 3));

	r0 = XSTAT(CLI_NS, "RetransSegs");
	run_xfer(_metadata, &x);
	r1 = XSTAT(CLI_NS, "RetransSegs");
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &i, 0));
	close(cfd);
	close(afd);
	/* perf record ends as the signal told it to (record__sig_exit()). */
	if (!WIFSIGNALED(i) || WTERMSIG(i) != SIGINT) {
		sh("cat /tmp/xtcp-trace-perf.log >&2");
		ASSERT_EQ(0, i) TH_LOG("perf record failed");
	}
	snprintf(cmd, sizeof(cmd),
		 "perf script -i %s 2>/dev/null | grep 'xtcp_retransmit_skb: sport=%d dport=%d ' | grep -v 'flags=[A-Z|]*SYN' | sed -n 's/.* segs=\\([0-9]*\\) .*/\\1/p' | awk '{ s += $1 } END { print s + 0 }'",
		 data, x.cport, x.port);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%d", &n));
	pclose(f);
	sh("perf script -i %s 2>/dev/null | grep -m1 xtcp_retransmit_skb | sed 's/^ */# /'",
	   data);
	sh("perf script -i %s 2>/dev/null | grep -m1 xtcp_probe | sed 's/^ */# /'",
	   data);
	TH_LOG("RetransSegs +%ld, perf script retransmissions %d", r1 - r0, n);
	EXPECT_LT(0, n);
	EXPECT_EQ(r1 - r0, n);
	unlink(data);
	unlink(ctl);
	unlink(ack);
}

/*
 * A bpftrace one-liner counts the sender's retransmitted segments by
 * port: the sum equals RetransSegs (docs/tracepoints.md has it).
 */
TEST_F_TIMEOUT(trace, bpftrace_counts_retransmissions, XT(180))
{
	struct xfer x = { .port = 9912, .len = 512 << 10, .clean = 64 << 10,
			  .lossy = 256 << 10, .loss = "loss 5%" };
	const char *out = "/tmp/xtcp-trace-bpftrace.out";
	const char *why = tools_skip("bpftrace");
	long r0, r1, n = -1;
	char prog[256], line[256];
	FILE *f;
	pid_t pid;
	int i;

	if (why)
		SKIP(return, "bpftrace: %s", why);
	ASSERT_EQ(0, tracefs_ready());
	snprintf(prog, sizeof(prog),
		 "tracepoint:xtcp:xtcp_retransmit_skb /args->dport == %d && !(args->flags & 2)/ { @n = sum(args->segs); }",
		 x.port);
	unlink(out);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (!freopen(out, "w", stdout))
			_exit(126);
		dup2(1, 2);
		execlp("bpftrace", "bpftrace", "-e", prog, NULL);
		_exit(127);
	}
	/* "Attaching 1 probe..." once it is attached (slow under TCG). */
	for (i = 0; i < 600; i++) {
		if (!sh("grep -q Attaching %s", out))
			break;
		usleep(100000);
	}
	ASSERT_EQ(0, sh("grep -q Attaching %s", out)) {
		sh("cat %s >&2", out);
		kill(pid, SIGKILL);
	}
	sleep(1);
	r0 = XSTAT(CLI_NS, "RetransSegs");
	run_xfer(_metadata, &x);
	r1 = XSTAT(CLI_NS, "RetransSegs");
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &i, 0));
	f = fopen(out, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		fprintf(stderr, "# bpftrace: %s", line);
		if (sscanf(line, "@n: %ld", &n) == 1)
			continue;
	}
	fclose(f);
	TH_LOG("RetransSegs +%ld, bpftrace @n %ld", r1 - r0, n);
	EXPECT_LT(0, n);
	EXPECT_EQ(r1 - r0, n);
	unlink(out);
}

TEST_HARNESS_MAIN
