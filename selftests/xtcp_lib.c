// SPDX-License-Identifier: GPL-2.0
/*
 * The xtcp selftests' helpers (declared, with what each does, in
 * xtcp_lib.h): built once, linked into every program.
 */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/ip6.h>

#include "xtcp_lib.h"

int cap_proto;

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

int xtcp_proto(void)
{
	const char *p = getenv("XTCP_PROTO");

	return p ? atoi(p) : IPPROTO_XTCP;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int test_selected(const char *name)
{
	const char *only = getenv("XTCP_ONLY");
	char buf[512], *w, *save;

	if (!only || !*only)
		return 1;
	snprintf(buf, sizeof(buf), "%s", only);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (strstr(name, w))
			return 1;
	return 0;
}

/* system() of @prefix and @fmt: the command's exit status, or -1. */
static int vsh(const char *prefix, const char *ns, const char *fmt, va_list ap)
{
	char cmd[1024];
	int n = 0, rc;

	if (prefix)
		n = snprintf(cmd, sizeof(cmd), "%s %s ", prefix, ns);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

int sh(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh(NULL, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int sh_in(const char *ns, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh("ip netns exec", ns, fmt, ap);
	va_end(ap);
	return rc;
}

int tc_in(const char *ns, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh("tc -n", ns, fmt, ap);
	va_end(ap);
	return rc;
}

int ns_enter(const char *ns)
{
	char path[256];
	int old, fd;

	old = open("/proc/self/ns/net", O_RDONLY);
	if (ns)
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	else
		snprintf(path, sizeof(path), "/proc/1/ns/net");
	fd = open(path, O_RDONLY);
	if (old < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "# cannot enter netns %s: %s\n", ns,
			strerror(errno));
		exit(2);
	}
	close(fd);
	return old;
}

void ns_leave(int old)
{
	if (setns(old, CLONE_NEWNET)) {
		perror("setns back");
		exit(2);
	}
	close(old);
}

int socket_in(const char *ns, int domain, int type, int proto)
{
	int old = ns_enter(ns);
	int fd = socket(domain, type, proto);
	int err = errno;

	ns_leave(old);
	errno = err;
	return fd;
}

static int family_forced;

void xtcp_family_set(int family)
{
	family_forced = family;
}

int xtcp_family(void)
{
	const char *f = getenv("XTCP_FAMILY");

	if (family_forced)
		return family_forced;
	return f && !strcmp(f, "6") ? AF_INET6 : AF_INET;
}

int xsock(const char *ns)
{
	return socket_in(ns, xtcp_family(), SOCK_STREAM, xtcp_proto());
}

int is_tcp(void)
{
	return xtcp_proto() == IPPROTO_TCP;
}

int tcp_sock(const char *ns)
{
	return socket_in(ns, AF_INET, SOCK_STREAM, IPPROTO_TCP);
}

struct sockaddr_in sin_of(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	return sin;
}

/*
 * The IPv6 address an AF_INET6 socket uses for the IPv4 address @addr
 * of the suite (XTCP_FAMILY=6): the hosts' and ghosts' own IPv6
 * addresses, :: and ::1 for the wildcard and loopback, v4-mapped for
 * anything else.
 */
static void addr6_of(const char *addr, char *out, size_t n)
{
	static const char *const map[][2] = {
		{ SRV_ADDR, SRV_ADDR6 }, { CLI_ADDR, CLI_ADDR6 },
		{ "10.99.0.3", "fd99::3" }, { "10.99.0.4", "fd99::4" },
		{ "0.0.0.0", "::" }, { "127.0.0.1", "::1" },
		/* xtcp_encap's routed path */
		{ "10.97.1.1", "fd97:1::1" }, { "10.97.1.2", "fd97:1::2" },
		{ "10.97.2.1", "fd97:2::fe" }, { "10.97.2.2", "fd97:2::2" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (!strcmp(addr, map[i][0])) {
			snprintf(out, n, "%s", map[i][1]);
			return;
		}
	}
	if (strchr(addr, ':'))
		snprintf(out, n, "%s", addr);
	else
		snprintf(out, n, "::ffff:%s", addr);
}

const char *host_addr(const char *addr, char *buf, size_t n)
{
	if (xtcp_family() == AF_INET6)
		addr6_of(addr, buf, n);
	else
		snprintf(buf, n, "%s", addr);
	return buf;
}

/* @addr:@port as the family of @fd wants it, in @ss; its length. */
static socklen_t sockaddr_for(int fd, const char *addr, int port,
			      struct sockaddr_storage *ss)
{
	int domain = AF_INET;
	socklen_t len = sizeof(domain);
	char a6[INET6_ADDRSTRLEN];

	memset(ss, 0, sizeof(*ss));
	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
	if (domain == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		addr6_of(addr, a6, sizeof(a6));
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, a6, &s6->sin6_addr);
		return sizeof(*s6);
	}
	*(struct sockaddr_in *)ss = sin_of(addr, port);
	return sizeof(struct sockaddr_in);
}

int do_bind(int fd, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_for(fd, addr, port, &ss);

	return bind(fd, (struct sockaddr *)&ss, len);
}

int do_connect(int fd, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_for(fd, addr, port, &ss);

	return connect(fd, (struct sockaddr *)&ss, len);
}

int xlisten(int port, int backlog)
{
	int fd = xsock(SRV_NS);

	if (fd < 0 || do_bind(fd, SRV_ADDR, port) || listen(fd, backlog))
		return -1;
	return fd;
}

int conn_pair(int port, int backlog, int *lfd, int *c, int *a)
{
	*c = -1;
	*a = -1;
	*lfd = xlisten(port, backlog);
	if (*lfd < 0)
		return -1;
	*c = xsock(CLI_NS);
	if (*c < 0 || do_connect(*c, SRV_ADDR, port))
		return -1;
	*a = accept(*lfd, NULL, NULL);
	return *a < 0 ? -1 : 0;
}

int local_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len))
		return -1;
	return ntohs(sin.sin_port);
}

const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, n, "[%s]:%d", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, n, "%s:%d", a, ntohs(s4->sin_port));
	}
	return buf;
}

const char *peer_str(int fd, char *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return "(none)";
	return addr_str(&ss, buf, n);
}

const char *name_str(int fd, char *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return "(none)";
	return addr_str(&ss, buf, n);
}

void set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

int so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

void close_abort(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

int sysctl_set(const char *ns, const char *name, int val)
{
	char path[256], num[16];
	int old, fd, len, ok;
	char *p;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	for (p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	old = ns_enter(ns);
	fd = open(path, O_WRONLY);
	ns_leave(old);
	if (fd < 0)
		return 1;
	len = snprintf(num, sizeof(num), "%d\n", val);
	ok = write(fd, num, len) == len;
	close(fd);
	return !ok;
}

long sysctl_get(const char *ns, const char *name)
{
	char path[256];
	long val = -1;
	int old;
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	for (p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	old = ns_enter(ns);
	f = fopen(path, "r");
	ns_leave(old);
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

void max_orphans_reset(void)
{
	long val = sysctl_get(NULL, "net.ipv4.tcp_max_orphans");

	sysctl_set(NULL, "net.xtcp.max_orphans", val > 0 ? val : 4096);
}

FILE *proc_net_open(const char *ns, const char *file)
{
	char path[64];
	FILE *f;
	int old;

	snprintf(path, sizeof(path), "/proc/net/%s", file);
	old = ns_enter(ns);
	f = fopen(path, "r");
	ns_leave(old);
	return f;
}

long xstat(const char *ns, const char *name)
{
	FILE *f = proc_net_open(ns, "xtcp_stat");
	char key[64];
	long val, ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name))
			ret = val;
	fclose(f);
	return ret;
}

long tcp_counter(const char *ns, const char *file, const char *prefix,
		 const char *name)
{
	char names[8192], vals[8192], *n, *v, *sn, *sv;
	FILE *f = proc_net_open(ns, file);
	long ret = -1;

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f)) {
		if (strncmp(names, prefix, strlen(prefix)) ||
		    !fgets(vals, sizeof(vals), f))
			continue;
		n = strtok_r(names, "\n ", &sn);
		v = strtok_r(vals, "\n ", &sv);
		while (n && v) {
			if (!strcmp(n, name))
				ret = atol(v);
			n = strtok_r(NULL, "\n ", &sn);
			v = strtok_r(NULL, "\n ", &sv);
		}
		break;
	}
	fclose(f);
	return ret;
}

long proto_stat(const char *ns, const char *x, const char *t)
{
	if (is_tcp())
		return tcp_counter(ns, "netstat", "TcpExt:", t);
	return xstat(ns, x);
}

void xstats_read(const char *ns, struct xstats *s)
{
	FILE *f = proc_net_open(ns, "xtcp_stat");

	s->n = 0;
	if (!f)
		return;
	while (s->n < XSTATS_MAX &&
	       fscanf(f, "%31s %ld", s->name[s->n], &s->val[s->n]) == 2)
		s->n++;
	fclose(f);
}

void xstats_print_delta(const char *ns, const struct xstats *s0)
{
	struct xstats s1;
	int i;

	xstats_read(ns, &s1);
	fprintf(stderr, "# counters changed in %s:", ns);
	for (i = 0; i < s1.n && i < s0->n; i++)
		if (s1.val[i] != s0->val[i])
			fprintf(stderr, " %s=%ld", s1.name[i],
				s1.val[i] - s0->val[i]);
	fprintf(stderr, "\n");
}

int proc_state(const char *ns, const char *file, int lport, int rport)
{
	FILE *f = proc_net_open(ns, file);
	unsigned int lp, rp, st;
	char line[512];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*d: %*[0-9A-F]:%x %*[0-9A-F]:%x %x", &lp,
			   &rp, &st) != 3)
			continue;
		if ((int)lp == lport && (!rport || (int)rp == rport))
			ret = st;
	}
	fclose(f);
	return ret;
}

/* xtcp, or xtcp6 under XTCP_FAMILY=6. */
static const char *proc_xtcp(void)
{
	return xtcp_family() == AF_INET6 ? "xtcp6" : "xtcp";
}

const char *proc_socks(void)
{
	if (is_tcp())
		return xtcp_family() == AF_INET6 ? "tcp6" : "tcp";
	return proc_xtcp();
}

int xstate(const char *ns, int lport, int rport)
{
	return proc_state(ns, proc_xtcp(), lport, rport);
}

int xcount(const char *ns)
{
	FILE *f = proc_net_open(ns, proc_xtcp());
	char line[512];
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

int wait_state(const char *ns, int lport, int rport, int want,
	       double timeout_s)
{
	double end = now_s() + timeout_s;
	int st;

	do {
		st = xstate(ns, lport, rport);
		if (st == want)
			return st;
		usleep(20000);
	} while (now_s() < end);
	return st;
}

int cap_open(const char *ns, const char *ifname)
{
	int old = ns_enter(ns);
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};
	int fd;

	/* ETH_P_ALL: protocol-specific packet sockets miss what we send. */
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	sll.sll_ifindex = if_nametoindex(ifname);
	/* Stamp packets as they arrive (realtime), read back by cap_next(). */
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 },
			   sizeof(int));
	/*
	 * Tests read the capture after the traffic: room for thousands of
	 * segments (each queued at its skb's full truesize), so none is
	 * dropped before it is read.
	 */
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 32 << 20 },
			   sizeof(int));
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		fd = -1;
	}
	ns_leave(old);
	return fd;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * An IPv4 or (@ipv6) IPv6 packet of our protocol, into @s; -1 if it is
 * not one.  IPv6's: our header right after the fixed one, no extension
 * headers.
 */
static int parse_seg(const uint8_t *p, ssize_t n, struct seg *s, int ipv6)
{
	const struct iphdr *iph = (const void *)p;
	const struct ip6_hdr *ip6h = (const void *)p;
	int proto = cap_proto ? cap_proto : xtcp_proto();
	unsigned int ihl, doff, i, tot_len;
	const struct xtcphdr *th;
	const uint8_t *opt;

	if (ipv6) {
		if (n < (ssize_t)sizeof(*ip6h) || ip6h->ip6_nxt != proto)
			return -1;
		ihl = sizeof(*ip6h);
		tot_len = ihl + ntohs(ip6h->ip6_plen);
	} else {
		if (n < (ssize_t)sizeof(*iph) || iph->protocol != proto)
			return -1;
		ihl = iph->ihl * 4;
		tot_len = ntohs(iph->tot_len);
	}
	if (n < (ssize_t)(ihl + sizeof(*th)))
		return -1;
	th = (const void *)(p + ihl);
	doff = th->doff * 4;
	memset(s, 0, sizeof(*s));
	s->wscale = -1;
	s->ipv6 = ipv6;
	if (!ipv6) {
		s->saddr = iph->saddr;
		s->daddr = iph->daddr;
		s->tos = iph->tos;
		s->ipid = ntohs(iph->id);
	} else {
		s->tos = ntohl(ip6h->ip6_flow) >> 20;
		s->flowlabel = ntohl(ip6h->ip6_flow) & 0xfffff;
	}
	s->sport = ntohs(th->source);
	s->dport = ntohs(th->dest);
	s->seq = ntohl(th->seq);
	s->ack = ntohl(th->ack_seq);
	s->flags = ((const uint8_t *)th)[13];
	s->win = ntohs(th->window);
	s->len = tot_len - ihl - doff;
	opt = (const uint8_t *)th + sizeof(*th);
	for (i = 0; i + sizeof(*th) < doff && ihl + sizeof(*th) + i < (size_t)n;) {
		if (opt[i] == XTCPOPT_EOL)
			break;
		if (opt[i] == XTCPOPT_NOP) {
			i++;
			continue;
		}
		if (opt[i] == XTCPOPT_MSS && opt[i + 1] == XTCPOLEN_MSS)
			s->mss = opt[i + 2] << 8 | opt[i + 3];
		else if (opt[i] == 4)
			s->sack_perm = 1;
		else if (opt[i] == 8)
			s->tstamp = 1;
		else if (opt[i] != 3 && opt[i] != XTCPOPT_SACK)
			s->other_opts = 1;
		/* Timestamps (RFC 7323): kind 8, length 10. */
		if (opt[i] == 8 && opt[i + 1] == 10 &&
		    ihl + sizeof(*th) + i + 10 <= (size_t)n) {
			s->tsval = get_be32(opt + i + 2);
			s->tsecr = get_be32(opt + i + 6);
		}
		/* Window scale (RFC 7323): kind 3, length 3. */
		if (opt[i] == 3 && opt[i + 1] == 3)
			s->wscale = opt[i + 2];
		if (opt[i] == XTCPOPT_SACK &&
		    opt[i + 1] >= XTCPOLEN_SACK_BASE + XTCPOLEN_SACK_PERBLOCK &&
		    (opt[i + 1] - XTCPOLEN_SACK_BASE) % XTCPOLEN_SACK_PERBLOCK == 0 &&
		    ihl + sizeof(*th) + i + opt[i + 1] <= (size_t)n) {
			s->nsacks = (opt[i + 1] - XTCPOLEN_SACK_BASE) /
				    XTCPOLEN_SACK_PERBLOCK;
			s->sack_lo = get_be32(opt + i + 2);
			s->sack_hi = get_be32(opt + i + 6);
		}
		if (opt[i + 1] < 2)
			break;
		i += opt[i + 1];
	}
	return 0;
}

int cap_next(int fd, struct seg *s, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	uint8_t buf[65536];

	for (;;) {
		struct sockaddr_ll from;
		char ctl[256];
		struct msghdr mh = { 0 };
		struct iovec iov;
		struct cmsghdr *cm;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = (int)((end - now_s()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(fd, &mh, 0);
		if (n <= 0 ||
		    (from.sll_protocol != htons(ETH_P_IP) &&
		     from.sll_protocol != htons(ETH_P_IPV6)) ||
		    parse_seg(buf, n, s,
			      from.sll_protocol == htons(ETH_P_IPV6)))
			continue;
		s->outgoing = from.sll_pkttype == PACKET_OUTGOING;
		/* When the kernel saw it, not when we read it. */
		s->t = now_s();
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				s->t = ts.tv_sec + ts.tv_nsec / 1e9;
			}
		}
		return 0;
	}
}

int cap_find(int cap, struct seg *s, uint8_t flags, int outgoing,
	     int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;

	while (now_s() < end) {
		if (cap_next(cap, s, (int)((end - now_s()) * 1000) + 1))
			return -1;
		if ((s->flags & CTL_FLAGS) == flags && s->outgoing == outgoing)
			return 0;
	}
	return -1;
}

int offloads_set(int on)
{
	static const struct { const char *ns, *dev; } ends[] = {
		{ SRV_NS, SRV_IF }, { CLI_NS, CLI_IF },
	};
	static const uint32_t cmds[] = { ETHTOOL_STSO, ETHTOOL_SGSO,
					 ETHTOOL_SGRO };
	unsigned int i, j;
	int rc = 0;

	for (i = 0; i < 2; i++) {
		int fd = socket_in(ends[i].ns, AF_INET, SOCK_DGRAM, 0);

		for (j = 0; fd >= 0 && j < 3; j++) {
			struct ethtool_value ev = { .cmd = cmds[j], .data = on };
			struct ifreq ifr = { 0 };

			snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ends[i].dev);
			ifr.ifr_data = (void *)&ev;
			if (ioctl(fd, SIOCETHTOOL, &ifr))
				rc = -1;
		}
		if (fd < 0)
			rc = -1;
		else
			close(fd);
	}
	return rc;
}

int offloads_off(void)
{
	return offloads_set(0);
}

int gro_on(const char *ns, const char *dev)
{
	static const char set[] =
		"sh -c 'd=$(mktemp -d) && mount -t sysfs none $d && echo 1000000 >$d/class/net/%s/gro_flush_timeout; r=$?; umount $d; rmdir $d; exit $r'";

	return sh_in(ns, "ethtool -K %s gro on", dev) || sh_in(ns, set, dev);
}

int cap_count_big(int cap, int proto, int udp_port, int *all)
{
	struct pollfd pfd = { .fd = cap, .events = POLLIN };
	uint8_t buf[128];
	int big = 0;

	*all = 0;
	while (poll(&pfd, 1, 200) > 0) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		unsigned int len, hlen, p;
		ssize_t n;

		n = recvfrom(cap, buf, sizeof(buf), MSG_TRUNC,
			     (struct sockaddr *)&from, &fl);
		if (n < 48 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (from.sll_protocol == htons(ETH_P_IP)) {
			hlen = (buf[0] & 0xf) * 4;
			p = buf[9];
			len = buf[2] << 8 | buf[3];
		} else if (from.sll_protocol == htons(ETH_P_IPV6)) {
			hlen = 40;
			p = buf[6];
			len = 40 + (buf[4] << 8 | buf[5]);
		} else {
			continue;
		}
		if (p != (unsigned int)proto || hlen + 4 > (unsigned int)n ||
		    (p == IPPROTO_UDP &&
		     (buf[hlen + 2] << 8 | buf[hlen + 3]) != udp_port))
			continue;
		(*all)++;
		if (len > 1500)
			big++;
	}
	return big;
}

char xtcp_srv_ns[NS_NAME_LEN] = "xsrv";
char xtcp_cli_ns[NS_NAME_LEN] = "xcli";

char *ns_name(char *buf, const char *prefix)
{
	snprintf(buf, NS_NAME_LEN, "%s-%d", prefix, (int)getpid());
	return buf;
}

void ns_del(const char *name)
{
	char path[300];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* /run/netns shared, as `ip netns add` makes it: names reach every mount ns. */
static int netns_dir_ready(void)
{
	if (mkdir("/run/netns", 0755) && errno != EEXIST)
		return -1;
	if (!mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL))
		return 0;
	if (errno != EINVAL ||
	    mount("/run/netns", "/run/netns", "none", MS_BIND | MS_REC, NULL))
		return -1;
	return mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL);
}

int ns_add(const char *name)
{
	char path[300];
	pid_t pid;
	int fd, st;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (netns_dir_ready())
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
	if (fd < 0)
		return -1;
	close(fd);
	/* A child makes the netns; the bind mount keeps it after the child. */
	pid = fork();
	if (!pid)
		_exit(unshare(CLONE_NEWNET) ||
		      mount("/proc/self/ns/net", path, "none", MS_BIND, NULL));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st)) {
		unlink(path);
		return -1;
	}
	return 0;
}

int ip_batch(const char *ns, const char *const *cmds)
{
	int fds[2], st, rc = 0;
	pid_t pid;
	FILE *f;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execlp("ip", "ip", "-n", ns, "-b", "-", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	f = fdopen(fds[1], "w");
	if (pid < 0 || !f) {
		if (f)
			fclose(f);
		else
			close(fds[1]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return -1;
	}
	for (; *cmds; cmds++)
		fprintf(f, "%s\n", *cmds);
	if (fclose(f))
		rc = -1;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = -1;
	return rc;
}

/* The prefixes of the tests' netns names (ns_name()), for the reaper. */
static const char *const host_prefixes[] = {
	"xsrv", "xcli", "xatk", "xic", "xir", "xis", "xec", "xer", "xes", NULL
};

/* The PID in @name if it is a test host's name ("<prefix>-<pid>"), or 0. */
static pid_t host_pid(const char *name)
{
	const char *const *p;
	size_t len;
	char *end;
	long pid;

	for (p = host_prefixes; *p; p++) {
		len = strlen(*p);
		if (strncmp(name, *p, len) || name[len] != '-')
			continue;
		pid = strtol(name + len + 1, &end, 10);
		return *end || pid <= 0 ? 0 : (pid_t)pid;
	}
	return 0;
}

/*
 * Connections of netns @ns that still need their peer: any xtcp or TCP
 * socket but TIME-WAIT (which the netns' exit frees, and which needs no
 * peer) and LISTEN (gone with its process anyway).
 */
static int ns_busy(const char *ns)
{
	static const char *const files[] = { "/proc/net/xtcp", "/proc/net/tcp",
					     "/proc/net/xtcp6", "/proc/net/tcp6" };
	char line[512];
	unsigned int i, st;
	int old, n = 0;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		old = ns_enter(ns);
		f = fopen(files[i], "r");
		ns_leave(old);
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " %*u: %*[0-9A-F]:%*x %*[0-9A-F]:%*x %x",
				   &st) == 1 &&
			    st != 0x06 && st != 0x0A)
				n++;
		fclose(f);
	}
	return n;
}

/*
 * A dead test's hosts keep the qdiscs it added (100% loss, delays, RST
 * filters): removed, so that the connections it left can close with
 * both ends present instead of retransmitting into a black hole.
 */
static void host_unblock(const char *ns)
{
	static const char *const loop =
		"for d in $(ls /sys/class/net); do tc qdisc del dev $d %s; done";
	char cmd[200];

	/* Most links have neither qdisc: tc's complaints are not news. */
	snprintf(cmd, sizeof(cmd), loop, "root");
	sh_in(ns, "sh -c '%s' 2>/dev/null", cmd);
	snprintf(cmd, sizeof(cmd), loop, "ingress");
	sh_in(ns, "sh -c '%s' 2>/dev/null", cmd);
}

#define REAP_MAX	64

static bool pid_in(const pid_t *set, int n, pid_t pid)
{
	while (n--)
		if (set[n] == pid)
			return true;
	return false;
}

/*
 * Remove the hosts of tests that have ended (their PID is gone) once the
 * connections of all of a test's hosts have closed; a test's hosts go
 * together, as removing one removes the veth pair, which would cut the
 * other's connections off from their peers.  The hosts of a dead test
 * with open connections lose their qdiscs and stay, up to @wait_s
 * seconds; then, if @force, they are removed all the same.
 */
static void hosts_reap(double wait_s, bool force)
{
	double deadline = now_s() + wait_s;
	pid_t busy[REAP_MAX], cleared[REAP_MAX];
	int nbusy, ncleared = 0, i;
	struct dirent *de;
	DIR *d;

	for (;;) {
		nbusy = 0;
		d = opendir("/run/netns");
		if (!d)
			return;
		/* The dead tests with a connection still open. */
		while ((de = readdir(d))) {
			pid_t pid = host_pid(de->d_name);

			if (!pid || !kill(pid, 0) || errno != ESRCH ||
			    pid_in(busy, nbusy, pid) || !ns_busy(de->d_name))
				continue;
			if (nbusy < REAP_MAX)
				busy[nbusy++] = pid;
		}
		if (force && now_s() >= deadline)
			nbusy = 0;
		rewinddir(d);
		while ((de = readdir(d))) {
			pid_t pid = host_pid(de->d_name);

			if (!pid || !kill(pid, 0) || errno != ESRCH)
				continue;
			if (!pid_in(busy, nbusy, pid))
				ns_del(de->d_name);
			else if (!pid_in(cleared, ncleared, pid))
				host_unblock(de->d_name);
		}
		closedir(d);
		for (i = 0; i < nbusy && ncleared < REAP_MAX; i++)
			if (!pid_in(cleared, ncleared, busy[i]))
				cleared[ncleared++] = busy[i];
		if (!nbusy || now_s() >= deadline)
			return;
		usleep(100000);
	}
}

void hosts_down(void)
{
	hosts_reap(0, false);
}

/*
 * The hosts know each other's address from the start, as neighbours that
 * never expire: no ARP in any capture, and none to fail under a test's
 * 100% loss.
 */
#define SRV_MAC		"02:00:00:00:00:01"
#define CLI_MAC		"02:00:00:00:00:02"

int hosts_up(void)
{
	char link[200];
	const char *const srv[] = {
		link,
		"link set lo up",
		"addr add " SRV_ADDR "/24 dev " SRV_IF,
		"link set " SRV_IF " up",
		"neigh add " CLI_ADDR " lladdr " CLI_MAC " dev " SRV_IF " nud permanent",
		"neigh add 10.99.0.3 lladdr 02:00:00:00:00:03 dev " SRV_IF " nud permanent",
		NULL
	};
	static const char *const cli[] = {
		"link set lo up",
		"addr add " CLI_ADDR "/24 dev " CLI_IF,
		"link set " CLI_IF " up",
		"neigh add " SRV_ADDR " lladdr " SRV_MAC " dev " CLI_IF " nud permanent",
		"neigh add 10.99.0.4 lladdr 02:00:00:00:00:04 dev " CLI_IF " nud permanent",
		NULL
	};

	/* The hosts of tests that have ended, unblocked or removed. */
	hosts_reap(0, false);
	ns_name(xtcp_srv_ns, "xsrv");
	ns_name(xtcp_cli_ns, "xcli");
	/* Names a killed test with this PID may have left. */
	ns_del(SRV_NS);
	ns_del(CLI_NS);
	/* Two processes in all (ip -b per host): exec is slow in the VM. */
	snprintf(link, sizeof(link),
		 "link add " SRV_IF " address " SRV_MAC " type veth peer name "
		 CLI_IF " address " CLI_MAC " netns %s", CLI_NS);
	if (ns_add(SRV_NS) || ns_add(CLI_NS) ||
	    ip_batch(SRV_NS, srv) || ip_batch(CLI_NS, cli)) {
		fprintf(stderr, "# %s: the hosts %s and %s failed\n", __func__,
			SRV_NS, CLI_NS);
		return -1;
	}
	/* XTCP_FAMILY=6: the hosts have IPv6 too, the ghosts as well. */
	if (xtcp_family() == AF_INET6) {
		static const char *const srv6[] = {
			"neigh replace fd99::3 lladdr 02:00:00:00:00:03 dev " SRV_IF " nud permanent",
			NULL
		};
		static const char *const cli6[] = {
			"neigh replace fd99::4 lladdr 02:00:00:00:00:04 dev " CLI_IF " nud permanent",
			NULL
		};

		if (hosts_up_ipv6() || ip_batch(SRV_NS, srv6) ||
		    ip_batch(CLI_NS, cli6))
			return -1;
	}
	/* Short TIME-WAIT and FIN-WAIT-2: nothing outlives its test for long. */
	sysctl_set(SRV_NS, "net.xtcp.tw_timeout", 2);
	sysctl_set(CLI_NS, "net.xtcp.tw_timeout", 2);
	sysctl_set(SRV_NS, "net.xtcp.fin_timeout", 5);
	sysctl_set(CLI_NS, "net.xtcp.fin_timeout", 5);
	/* Global, not per netns: back to its default, whatever a test set. */
	max_orphans_reset();
	return 0;
}

int hosts_up_ipv6(void)
{
	static const char *const srv[] = {
		"addr replace " SRV_ADDR6 "/64 dev " SRV_IF " nodad",
		"neigh replace " CLI_ADDR6 " lladdr " CLI_MAC " dev " SRV_IF " nud permanent",
		NULL
	};
	static const char *const cli[] = {
		"addr replace " CLI_ADDR6 "/64 dev " CLI_IF " nodad",
		"neigh replace " SRV_ADDR6 " lladdr " SRV_MAC " dev " CLI_IF " nud permanent",
		NULL
	};

	if (ip_batch(SRV_NS, srv) || ip_batch(CLI_NS, cli)) {
		fprintf(stderr, "# %s: IPv6 addresses failed\n", __func__);
		return -1;
	}
	return 0;
}

/* The selftests' build sets it (xtcp_harness.h); the tools' does not. */
#ifndef XTCP_TIME_SCALE
#define XTCP_TIME_SCALE 1
#endif

/* The process that loaded this file: only it reaps at exit. */
static pid_t main_pid;

static void __attribute__((constructor)) hosts_init(void)
{
	main_pid = getpid();
}

/*
 * When a program ends, the hosts of its tests go, after the connections
 * their tests left have closed with both ends present (up to 30 s).
 */
static void __attribute__((destructor)) hosts_fini(void)
{
	if (getpid() == main_pid)
		hosts_reap(30.0 * XTCP_TIME_SCALE, true);
}

long module_refs(void)
{
	FILE *f = fopen("/proc/modules", "r");
	char name[64], line[512];
	long refs = -1, v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %*d %ld", name, &v) == 2 &&
		    !strcmp(name, "xtcp"))
			refs = v;
	fclose(f);
	return refs;
}

int drop_rsts_out(const char *ns, const char *dev)
{
	if (sh("tc -n %s qdisc add dev %s root handle 1: prio", ns, dev))
		return -1;
	if (sh("tc -n %s qdisc add dev %s parent 1:3 handle 30: netem loss 100%%",
	       ns, dev))
		return -1;
	/* The flags byte: 13 into our header, after IPv4's 20 or IPv6's 40. */
	if (sh("tc -n %s filter add dev %s parent 1: protocol ip u32 match ip protocol %d 0xff match u8 0x04 0x04 at 33 flowid 1:3",
	       ns, dev, xtcp_proto()))
		return -1;
	return sh("tc -n %s filter add dev %s parent 1: protocol ipv6 u32 match ip6 protocol %d 0xff match u8 0x04 0x04 at 53 flowid 1:3",
		  ns, dev, xtcp_proto());
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

/* Our header and what follows it, for @r, at @th; its length. */
static int raw_fill(uint8_t *th_p, const struct rawseg *r)
{
	struct xtcphdr *th = (void *)th_p;
	int hl = sizeof(*th) + r->olen;

	memset(th, 0, sizeof(*th));
	th->source = htons(r->sport);
	th->dest = htons(r->dport);
	th->seq = htonl(r->seq);
	th->ack_seq = htonl(r->ack);
	th->doff = hl / 4;
	th_p[13] = r->flags;
	th->window = htons(r->win);
	if (r->olen)
		memcpy(th_p + sizeof(*th), r->opts, r->olen);
	if (r->len)
		memcpy(th_p + hl, r->data, r->len);
	return hl + r->len;
}

/* The checksum of our header at @th, @tl bytes, over a pseudo-header's @sum. */
static void raw_csum(uint8_t *th_p, int tl, uint32_t sum, int bad)
{
	struct xtcphdr *th = (void *)th_p;

	sum += xtcp_proto();
	sum += tl;
	sum = csum_add(sum, th, tl);
	th->check = htons(csum_fold(sum));
	if (bad)
		th->check ^= htons(0x5a5a);
}

/* raw_inject_fd() on an AF_INET6 socket: the addresses as addr6_of() has them. */
static int raw_inject6(int fd, const struct rawseg *r)
{
	uint8_t pkt[1600];
	struct ip6_hdr *ip6 = (void *)pkt;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	uint8_t *th = pkt + sizeof(*ip6);
	uint32_t sum = 0;
	int tl;

	addr6_of(r->src, src, sizeof(src));
	addr6_of(r->dst, dst, sizeof(dst));
	memset(ip6, 0, sizeof(*ip6));
	tl = raw_fill(th, r);
	ip6->ip6_flow = htonl(6u << 28 | (uint32_t)r->tos << 20);
	ip6->ip6_plen = htons(tl);
	ip6->ip6_nxt = xtcp_proto();
	ip6->ip6_hlim = 64;
	if (inet_pton(AF_INET6, src, &ip6->ip6_src) != 1 ||
	    inet_pton(AF_INET6, dst, &ip6->ip6_dst) != 1)
		return -1;
	to.sin6_addr = ip6->ip6_dst;
	sum = csum_add(sum, &ip6->ip6_src, 16);
	sum = csum_add(sum, &ip6->ip6_dst, 16);
	raw_csum(th, tl, sum, r->bad_csum);
	return sendto(fd, pkt, sizeof(*ip6) + tl, 0, (struct sockaddr *)&to,
		      sizeof(to)) < 0 ? -1 : 0;
}

int raw_inject_fd(int fd, const struct rawseg *r)
{
	uint8_t pkt[1600];
	struct iphdr *iph = (void *)pkt;
	uint8_t *th = pkt + sizeof(*iph);
	struct sockaddr_in to = sin_of(r->dst, 0);
	int domain = AF_INET, tl;
	socklen_t dl = sizeof(domain);
	uint32_t sum = 0;

	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl);
	if (domain == AF_INET6)
		return raw_inject6(fd, r);
	memset(iph, 0, sizeof(*iph));
	tl = raw_fill(th, r);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = r->tos;
	iph->ttl = 64;
	iph->protocol = xtcp_proto();
	iph->tot_len = htons(sizeof(*iph) + tl);
	inet_pton(AF_INET, r->src, &iph->saddr);
	inet_pton(AF_INET, r->dst, &iph->daddr);
	sum = csum_add(sum, &iph->saddr, 4);
	sum = csum_add(sum, &iph->daddr, 4);
	raw_csum(th, tl, sum, r->bad_csum);
	return sendto(fd, pkt, sizeof(*iph) + tl, 0, (struct sockaddr *)&to,
		      sizeof(to)) < 0 ? -1 : 0;
}

int one_cpu(cpu_set_t *saved)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(*saved), saved))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

void all_cpus(const cpu_set_t *saved)
{
	sched_setaffinity(0, sizeof(*saved), saved);
}

int raw_open(const char *ns)
{
	return socket_in(ns, xtcp_family(), SOCK_RAW, IPPROTO_RAW);
}

int raw_inject(const char *ns, const struct rawseg *r)
{
	int fd = raw_open(ns), rc;

	if (fd < 0)
		return -1;
	rc = raw_inject_fd(fd, r);
	close(fd);
	return rc;
}

int raw_ip(const char *ns, const char *src, const char *dst,
	   const void *payload, int len)
{
	uint8_t pkt[256];
	struct iphdr *iph = (void *)pkt;
	struct ip6_hdr *ip6 = (void *)pkt;
	struct sockaddr_storage to = { 0 };
	struct sockaddr_in6 *to6 = (void *)&to;
	char a6[INET6_ADDRSTRLEN];
	socklen_t tl = sizeof(struct sockaddr_in);
	int hl, fd, rc;

	if (xtcp_family() == AF_INET6) {
		hl = sizeof(*ip6);
		memset(ip6, 0, hl);
		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons(len);
		ip6->ip6_nxt = xtcp_proto();
		ip6->ip6_hlim = 64;
		if (inet_pton(AF_INET6, host_addr(src, a6, sizeof(a6)),
			      &ip6->ip6_src) != 1 ||
		    inet_pton(AF_INET6, host_addr(dst, a6, sizeof(a6)),
			      &ip6->ip6_dst) != 1)
			return -1;
		to6->sin6_family = AF_INET6;
		to6->sin6_addr = ip6->ip6_dst;
		tl = sizeof(*to6);
	} else {
		hl = sizeof(*iph);
		memset(iph, 0, hl);
		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = xtcp_proto();
		iph->tot_len = htons(hl + len);
		inet_pton(AF_INET, src, &iph->saddr);
		inet_pton(AF_INET, dst, &iph->daddr);
		*(struct sockaddr_in *)&to = sin_of(dst, 0);
	}
	if (hl + len > (int)sizeof(pkt))
		return -1;
	memcpy(pkt + hl, payload, len);
	fd = raw_open(ns);
	if (fd < 0)
		return -1;
	rc = sendto(fd, pkt, hl + len, 0, (struct sockaddr *)&to, tl);
	close(fd);
	return rc < 0 ? -1 : 0;
}

/* The first 8 bytes of our header, as an ICMP error quotes them. */
static void quote_ports_seq(uint8_t *th, int sport, int dport, uint32_t seq)
{
	th[0] = sport >> 8;
	th[1] = sport;
	th[2] = dport >> 8;
	th[3] = dport;
	th[4] = seq >> 24;
	th[5] = seq >> 16;
	th[6] = seq >> 8;
	th[7] = seq;
}

int icmp_unreach(const char *ns, const char *dst, int code,
		 const char *qsrc, int qsport, const char *qdst, int qdport,
		 uint32_t seq)
{
	uint8_t pkt[sizeof(struct icmphdr) + 20 + 8] = { 0 };
	struct icmphdr *ih = (void *)pkt;
	struct iphdr *iph = (void *)(pkt + sizeof(*ih));
	uint8_t *th = pkt + sizeof(*ih) + 20;
	struct sockaddr_in to = sin_of(dst, 0);
	int fd, rc;

	ih->type = ICMP_DEST_UNREACH;
	ih->code = code;
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = xtcp_proto();
	iph->tot_len = htons(40);
	inet_pton(AF_INET, qsrc, &iph->saddr);
	inet_pton(AF_INET, qdst, &iph->daddr);
	iph->check = htons(csum_fold(csum_add(0, iph, sizeof(*iph))));
	quote_ports_seq(th, qsport, qdport, seq);
	ih->checksum = htons(csum_fold(csum_add(0, pkt, sizeof(pkt))));
	fd = socket_in(ns, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	rc = sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
		    sizeof(to));
	close(fd);
	return rc < 0 ? -1 : 0;
}

int icmp6_error(const char *ns, const char *dst, int type, int code,
		const char *qsrc, int qsport, const char *qdst, int qdport,
		uint32_t seq)
{
	uint8_t pkt[8 + 40 + 8] = { 0 };
	uint8_t *ip6 = pkt + 8, *th = pkt + 8 + 40;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	int fd, rc;

	pkt[0] = type;
	pkt[1] = code;
	/* The quoted packet: IPv6, 8 bytes of ours (the checksum's the kernel's). */
	ip6[0] = 0x60;
	ip6[5] = 8;		/* payload length */
	ip6[6] = xtcp_proto();
	ip6[7] = 64;
	inet_pton(AF_INET6, qsrc, ip6 + 8);
	inet_pton(AF_INET6, qdst, ip6 + 24);
	quote_ports_seq(th, qsport, qdport, seq);
	inet_pton(AF_INET6, dst, &to.sin6_addr);
	fd = socket_in(ns, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	rc = sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
		    sizeof(to));
	close(fd);
	return rc < 0 ? -1 : 0;
}

int icmp_host_unreach(const char *ns, const char *dst, const char *qsrc,
		      int qsport, const char *qdst, int qdport, uint32_t seq)
{
	char d[INET6_ADDRSTRLEN], qs[INET6_ADDRSTRLEN], qd[INET6_ADDRSTRLEN];

	if (xtcp_family() != AF_INET6)
		return icmp_unreach(ns, dst, ICMP_HOST_UNREACH, qsrc, qsport,
				    qdst, qdport, seq);
	/* Destination unreachable, address unreachable (RFC 4443 3.1). */
	return icmp6_error(ns, host_addr(dst, d, sizeof(d)), 1, 3,
			   host_addr(qsrc, qs, sizeof(qs)), qsport,
			   host_addr(qdst, qd, sizeof(qd)), qdport, seq);
}

static void sha256_block(struct sha256 *c, const uint8_t *p)
{
	uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = p[4 * i] << 24 | p[4 * i + 1] << 16 | p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
	e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		     ((a & b) ^ (a & cc) ^ (b & cc));
		h = g; g = f; f = e; e = d + t1;
		d = cc; cc = b; b = a; a = t1 + t2;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
	c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->n = 0;
}

void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->len += len;
	while (len) {
		size_t k = 64 - c->n < len ? 64 - c->n : len;

		memcpy(c->buf + c->n, p, k);
		c->n += k;
		p += k;
		len -= k;
		if (c->n == 64) {
			sha256_block(c, c->buf);
			c->n = 0;
		}
	}
}

void sha256_final(struct sha256 *c, char *out)
{
	uint64_t bits = c->len * 8;
	uint8_t pad = 0x80, zero = 0, lenb[8];
	int i;

	sha256_update(c, &pad, 1);
	while (c->n != 56)
		sha256_update(c, &zero, 1);
	for (i = 0; i < 8; i++)
		lenb[i] = bits >> (56 - 8 * i);
	sha256_update(c, lenb, 8);
	for (i = 0; i < 8; i++)
		sprintf(out + 8 * i, "%08x", c->h[i]);
}

void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = seed >> 16;
	}
}

void pattern_next(struct pattern *p, uint8_t *buf, size_t len)
{
	uint32_t seed = p->seed;
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = seed >> 16;
	}
	p->seed = seed;
}

/* Per thread: two writers may run at once. */
static __thread uint8_t bulk_buf[65536];

void *bulk_writer(void *p)
{
	uint8_t *buf = bulk_buf;
	struct bulk *b = p;
	struct pattern pat = { 0 };
	struct sha256 h;
	size_t done = 0;

	sha256_init(&h);
	while (done < b->len) {
		size_t n = b->len - done < sizeof(bulk_buf) ? b->len - done : sizeof(bulk_buf);

		if (b->chunk && n > b->chunk)
			n = b->chunk;
		pattern_next(&pat, buf, n);
		sha256_update(&h, buf, n);
		if (write_all(b->fd, buf, n))
			break;
		done += n;
		if (b->pace_us)
			usleep(b->pace_us);
	}
	sha256_final(&h, b->hash);
	if (!b->keep_open)
		shutdown(b->fd, SHUT_WR);
	return NULL;
}

void sha256_hex(const void *buf, size_t len, char *out)
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, buf, len);
	sha256_final(&c, out);
}

size_t read_sha256(int fd, size_t max, char *hash)
{
	static __thread uint8_t buf[65536];
	struct sha256 c;
	size_t got = 0;
	ssize_t n;

	sha256_init(&c);
	while (got < max) {
		size_t want = max - got < sizeof(buf) ? max - got : sizeof(buf);

		n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sha256_update(&c, buf, n);
		got += n;
	}
	sha256_final(&c, hash);
	return got;
}

static void *capture_loop(void *arg)
{
	struct capture *c = arg;
	struct seg s;

	while (!c->stop) {
		if (cap_next(c->fd, &s, 100))
			continue;
		pthread_mutex_lock(&c->lock);
		if (c->n == c->cap) {
			size_t ncap = c->cap ? 2 * c->cap : 4096;
			struct seg *p = realloc(c->segs, ncap * sizeof(*p));

			if (!p) {
				pthread_mutex_unlock(&c->lock);
				continue;
			}
			c->segs = p;
			c->cap = ncap;
		}
		c->segs[c->n++] = s;
		pthread_mutex_unlock(&c->lock);
	}
	return NULL;
}

int capture_start(struct capture *c, const char *ns, const char *ifname)
{
	int big = 64 << 20;

	memset(c, 0, sizeof(*c));
	c->fd = cap_open(ns, ifname);
	if (c->fd < 0)
		return -1;
	/* Root may exceed rmem_max: nothing lost in a burst. */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	pthread_mutex_init(&c->lock, NULL);
	if (pthread_create(&c->thr, NULL, capture_loop, c)) {
		close(c->fd);
		return -1;
	}
	return 0;
}

void capture_stop(struct capture *c, int linger_ms)
{
	usleep(linger_ms * 1000);
	c->stop = 1;
	pthread_join(c->thr, NULL);
	close(c->fd);
}

void capture_free(struct capture *c)
{
	free(c->segs);
	c->segs = NULL;
	c->n = 0;
}
