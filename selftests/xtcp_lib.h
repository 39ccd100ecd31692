/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the xtcp selftests: sockets in named network
 * namespaces, a packet capture that decodes xtcp segments, raw segment
 * injection, /proc/net/xtcp and counters, and SHA-256 for comparing
 * what was sent with what arrived.  Defined in xtcp_lib.c.
 *
 * The topology, made for each test by hosts_up() in its fixture: netns
 * SRV_NS (10.99.0.1 on veth "vs") and netns CLI_NS (10.99.0.2 on veth
 * "vc"), named after the test's process ("xsrv-PID", "xcli-PID"), so that
 * every test starts from fresh hosts and a program can run alone.
 */
#ifndef _XTCP_LIB_H
#define _XTCP_LIB_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <linux/ethtool.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/xtcp.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* The hosts' netns names: hosts_up() sets them ("xsrv-PID", "xcli-PID"). */
#define NS_NAME_LEN	32
extern char xtcp_srv_ns[NS_NAME_LEN];
extern char xtcp_cli_ns[NS_NAME_LEN];
#define SRV_NS		xtcp_srv_ns
#define CLI_NS		xtcp_cli_ns
#define SRV_IF		"vs"
#define CLI_IF		"vc"
#define SRV_ADDR	"10.99.0.1"
#define CLI_ADDR	"10.99.0.2"

int xtcp_proto(void);

double now_s(void);

/*
 * XTCP_ONLY=word,word in the environment: only tests whose names contain
 * one of the words are selected (the 6.1 harness has no filter).
 */
int test_selected(const char *name);

/* Run a shell command; returns its exit status. */
int sh(const char *fmt, ...);

/* The same, as `ip netns exec @ns CMD`. */
int sh_in(const char *ns, const char *fmt, ...);

/* `tc -n @ns ARGS`: the traffic control of host @ns. */
int tc_in(const char *ns, const char *fmt, ...);

/*
 * The ip(8) commands of @cmds (without "ip", NULL-terminated) in netns
 * @ns, by one `ip -b`: process starts are slow in the VM.  0 or -1.
 */
int ip_batch(const char *ns, const char *const *cmds);

/*
 * Switch this thread to netns @ns (NULL: the initial one, where global
 * sysctls live); returns the old netns fd to restore.
 */
int ns_enter(const char *ns);

void ns_leave(int old);

/* A socket created in netns @ns (it stays there whatever we do after). */
int socket_in(const char *ns, int domain, int type, int proto);

int xsock(const char *ns);

/*
 * XTCP_FAMILY=6 in the environment: xsock() makes AF_INET6 sockets, and
 * do_bind()/do_connect() on an AF_INET6 socket take the suite's IPv4
 * addresses as the hosts' IPv6 ones (SRV_ADDR as SRV_ADDR6, ...), so
 * that a program's tests run over IPv6 unchanged; xstate() and xcount()
 * read /proc/net/xtcp6.  AF_INET or AF_INET6.
 */
int xtcp_family(void);

/*
 * xtcp_family() is @family from now on in this process and the ones it
 * forks, whatever XTCP_FAMILY says: for a test that is about AF_INET6.
 */
void xtcp_family_set(int family);

/* The tests run over kernel TCP (XTCP_PROTO=6), the reference. */
int is_tcp(void);

/* A kernel TCP socket in netns @ns, whatever XTCP_PROTO says. */
int tcp_sock(const char *ns);

struct sockaddr_in sin_of(const char *addr, int port);

/*
 * @addr, one of the suite's IPv4 addresses, as xtcp_family() has it:
 * itself, or under XTCP_FAMILY=6 the IPv6 address do_bind() would take
 * (SRV_ADDR6 for SRV_ADDR, ...), in @buf of @n bytes.  Returns @buf.
 */
const char *host_addr(const char *addr, char *buf, size_t n);

int do_bind(int fd, const char *addr, int port);

int do_connect(int fd, const char *addr, int port);

/* A listening xtcp socket on the server at @port. */
int xlisten(int port, int backlog);

/*
 * A connection to the server on @port: *@lfd listening in xsrv, *@c
 * connected from xcli, *@a accepted.  0 or -1; what was opened (else
 * -1) is left for the caller to close.
 */
int conn_pair(int port, int backlog, int *lfd, int *c, int *a);

int local_port(int fd);

/* An address of a socket as text, "[addr]:port" or "addr:port". */
const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t n);

/* getpeername() and getsockname() of @fd as addr_str() gives them. */
const char *peer_str(int fd, char *buf, size_t n);
const char *name_str(int fd, char *buf, size_t n);

void set_nonblock(int fd, int on);

int so_error(int fd);

/* close() with SO_LINGER {1, 0}: abort with a RST, leave nothing behind. */
void close_abort(int fd);

/* Write all of @buf; returns 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

/* Read exactly @len bytes, or until EOF; returns bytes read or -1. */
ssize_t read_full(int fd, void *buf, size_t len);

/* ---- sysctls and /proc, read in a netns ---- */

/*
 * Set sysctl @name (dotted) in netns @ns; 0 or 1 as sysctl(8)'s status.
 * Written to /proc/sys from inside the netns: no process to start, which
 * under emulation is most of what a test's setup costs.
 */
int sysctl_set(const char *ns, const char *name, int val);

/* Sysctl @name (dotted) read in netns @ns (NULL: the initial one); -1 if absent. */
long sysctl_get(const char *ns, const char *name);

/*
 * net.xtcp.max_orphans (global) back to its default, which is TCP's
 * tcp_max_orphans: both are half an established hash sized from RAM.
 */
void max_orphans_reset(void);

/* /proc/net/@file as netns @ns sees it, open for reading; NULL if none. */
FILE *proc_net_open(const char *ns, const char *file);

/* A counter from /proc/net/xtcp_stat in @ns; -1 if absent. */
long xstat(const char *ns, const char *name);

/*
 * Kernel TCP's counter @name from the "@prefix" lines of /proc/net/@file
 * in @ns (snmp "Tcp:", netstat "TcpExt:"); -1 if there is none.
 */
long tcp_counter(const char *ns, const char *file, const char *prefix,
		 const char *name);

/*
 * A counter of the protocol under test: xtcp's @x (xtcp_stat), or over
 * kernel TCP (XTCP_PROTO=6) TcpExt's @t of the same meaning.
 */
long proto_stat(const char *ns, const char *x, const char *t);

/*
 * A snapshot of every counter of /proc/net/xtcp_stat in a netns, with
 * room for more than there are (70 now): a count short of the file's
 * would hide the newest (xtcp_mib's nstat_files_parse sees it).
 */
#define XSTATS_MAX	96

struct xstats {
	int n;
	char name[XSTATS_MAX][32];
	long val[XSTATS_MAX];
};

void xstats_read(const char *ns, struct xstats *s);

/* Print, as test diagnostics, the counters of @ns that moved since @s0. */
void xstats_print_delta(const char *ns, const struct xstats *s0);

/*
 * State (as in /proc/net/tcp) of the socket in @ns whose local port is
 * @lport (and remote port @rport, unless 0), read from /proc/net/@file
 * ("xtcp", "xtcp6", "tcp", "tcp6"); -1 if there is none.
 */
int proc_state(const char *ns, const char *file, int lport, int rport);

/*
 * State (as in /proc/net/tcp) of the socket in @ns whose local port is
 * @lport and, if @rport is not 0, remote port @rport; -1 if none.
 */
int xstate(const char *ns, int lport, int rport);

/*
 * The /proc/net file listing the sockets under test: "xtcp", or "tcp"
 * over kernel TCP (XTCP_PROTO=6), with "6" after it under XTCP_FAMILY=6.
 */
const char *proc_socks(void);

/* Lines (sockets) in /proc/net/xtcp of @ns. */
int xcount(const char *ns);

/* Wait up to @timeout_s for xstate() to become @want. */
int wait_state(const char *ns, int lport, int rport, int want,
	       double timeout_s);

/* ---- capture ---- */

struct seg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	int len;		/* payload bytes */
	uint16_t mss;		/* MSS option, 0 if none */
	int wscale;		/* window scale option's shift, -1 if none */
	int nsacks;		/* SACK blocks; the first is [sack_lo, sack_hi) */
	uint32_t sack_lo, sack_hi;
	int sack_perm;		/* SACK-permitted option (kind 4) */
	int tstamp;		/* timestamps option (kind 8) */
	uint32_t tsval, tsecr;	/* its values, with tstamp */
	int other_opts;		/* options of any other kind */
	uint8_t tos;		/* IPv4's TOS, IPv6's traffic class (ECN: low 2 bits) */
	uint16_t ipid;		/* IPv4's identification; 0 for IPv6 */
	int ipv6;		/* an IPv6 packet (saddr, daddr then 0) */
	uint32_t flowlabel;	/* IPv6's flow label; 0 for IPv4 */
	int outgoing;
	double t;
};

/* The IP protocol captures look for; 0: xtcp_proto() (the interop
 * tests see xtcp's segments as TCP's on a bridged device).
 */
extern int cap_proto;

/* An AF_PACKET socket on @ifname in netns @ns; sees both directions. */
int cap_open(const char *ns, const char *ifname);

/* Next xtcp segment seen, within @timeout_ms; 0 or -1 on timeout. */
int cap_next(int fd, struct seg *s, int timeout_ms);

#define CTL_FLAGS (XTCP_FLAG_SYN | XTCP_FLAG_FIN | XTCP_FLAG_RST | XTCP_FLAG_ACK)

/* Find the next segment matching @flags (under CTL_FLAGS) and direction. */
int cap_find(int cap, struct seg *s, uint8_t flags, int outgoing,
	     int timeout_ms);

/* TSO, GSO and GRO on the veth pair on (@on) or off. */
int offloads_set(int on);

/*
 * No TSO, GSO or GRO on the veth pair: a capture then sees each segment
 * as it is on a wire, not the stack's 64 KiB super-packets.
 */
int offloads_off(void);

/*
 * GRO on @dev in @ns, its flush held back 1 ms past each NAPI poll
 * (gro_flush_timeout, in sysfs only): under emulation a poll often
 * finds a single segment, whichever protocol sends it, and a flow would
 * end with the poll.  Through a sysfs of the netns' own, as "ip netns
 * exec" does not remount /sys in the VM.
 */
int gro_on(const char *ns, const char *dev);

/*
 * Of the packets the capture @cap saw arrive (not leave) until 200 ms
 * of quiet: in @all those of IP protocol @proto (UDP's: to @udp_port),
 * in the return value those of them longer than an IP datagram on a
 * 1500-byte link can be, which only GRO makes.
 */
int cap_count_big(int cap, int proto, int udp_port, int *all);

/*
 * This test's two hosts: netns SRV_NS and CLI_NS, named after the calling
 * process, joined by the veth pair, each with the other as a permanent
 * neighbour (no ARP), with the ghost neighbours 10.99.0.3
 * (seen from the server) and 10.99.0.4 (seen from the client) that never
 * answer, and the suite's short TIME-WAIT (2 s) and FIN-WAIT-2 (5 s).
 * Everything else is as a new netns has it.  0 or -1.
 */
int hosts_up(void);

/*
 * IPv6 on the hosts hosts_up() made: SRV_ADDR6 and CLI_ADDR6 (a /64,
 * no duplicate address detection, static neighbours).  0 or -1.
 */
#define SRV_ADDR6	"fd99::1"
#define CLI_ADDR6	"fd99::2"
int hosts_up_ipv6(void);

/*
 * For FIXTURE_TEARDOWN: the test's hosts stay while the connections the
 * test leaves close (its sockets are closed when its process exits, after
 * the teardown), so that both ends are there to finish them; this removes
 * the hosts of tests that have ended and whose connections are closed.
 * The hosts still there when the program ends go once their connections
 * have closed (up to 30 s, times XTCP_TIME_SCALE).
 */
void hosts_down(void);

/*
 * A netns name for a further host of this test: @prefix and the
 * process's PID, in @buf of NS_NAME_LEN bytes.  Returns @buf.
 */
char *ns_name(char *buf, const char *prefix);

/* Make netns @name (as `ip netns add`, without a process).  0 or -1. */
int ns_add(const char *name);

/* Remove netns @name if it exists (as `ip netns del`). */
void ns_del(const char *name);

/*
 * The module's use count from /proc/modules: every xtcp socket, request
 * and timewait sock holds one, so 0 means none is left.  -1 if absent.
 */
long module_refs(void);

/*
 * Drop the xtcp RSTs leaving @dev in netns @ns, and nothing else: a prio
 * qdisc whose third band loses everything, and u32 filters sending there
 * segments with RST set (byte 13 of our header, after IPv4's 20-byte
 * header or IPv6's 40), of either family.
 */
int drop_rsts_out(const char *ns, const char *dev);

/* ---- raw injection ---- */

uint16_t csum_fold(uint32_t sum);

uint32_t csum_add(uint32_t sum, const void *data, size_t len);

/*
 * Send one handmade segment from netns @ns with any source address (an
 * IP_HDRINCL raw socket, so the source may be a host that does not
 * exist).  @opts/@olen are header options (a multiple of 4 bytes);
 * @bad_csum sends it with a wrong checksum; @tos is the IP header's TOS
 * byte (its low two bits the ECN field).
 */
struct rawseg {
	const char *src, *dst;
	int sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const void *opts;
	int olen;
	const void *data;
	int len;
	int bad_csum;
	uint8_t tos;
};

/*
 * Send @r through @fd, a raw IPPROTO_RAW socket (raw_open()): an IPv4
 * packet, or on an AF_INET6 socket an IPv6 one whose addresses are the
 * IPv6 ones of @r's (the suite's IPv4 addresses map as for do_bind()).
 */
int raw_inject_fd(int fd, const struct rawseg *r);

/*
 * A veth pair reorders what two CPUs send into it (each CPU's backlog
 * delivers its own), and both stacks then resend what was only late.
 * A test that needs a path that keeps order runs on one CPU (its
 * threads, and so the softirqs their sends raise and the netem timers
 * they arm): the CPUs it had go to @saved, for all_cpus().  0 or -1.
 */
int one_cpu(cpu_set_t *saved);

void all_cpus(const cpu_set_t *saved);

/* A raw IPPROTO_RAW socket in @ns, of xtcp_family(). */
int raw_open(const char *ns);

/* @r sent from @ns (raw_open(), raw_inject_fd()); 0 or -1. */
int raw_inject(const char *ns, const struct rawseg *r);

/*
 * @len bytes of @payload after an IP header of xtcp_family() with our
 * protocol, from @src to @dst (the suite's addresses, mapped as for
 * do_bind()), sent from @ns: for headers raw_inject() would not build.
 * 0 or -1.
 */
int raw_ip(const char *ns, const char *src, const char *dst,
	   const void *payload, int len);

/*
 * An ICMP destination unreachable of @code sent from @ns to @dst, quoting
 * an xtcp segment @qsrc:@qsport -> @qdst:@qdport with sequence number
 * @seq (its IP header and first 8 bytes, as RFC 792 asks); 0 or -1.
 */
int icmp_unreach(const char *ns, const char *dst, int code,
		 const char *qsrc, int qsport, const char *qdst, int qdport,
		 uint32_t seq);

/*
 * The same over IPv6: an ICMPv6 error of @type and @code (RFC 4443) from
 * netns @ns to @dst, quoting an IPv6 packet of our protocol from @qsrc to
 * @qdst with those ports and sequence number.  The kernel computes
 * ICMPv6's checksum on a raw ICMPv6 socket.  0 or -1.
 */
int icmp6_error(const char *ns, const char *dst, int type, int code,
		const char *qsrc, int qsport, const char *qdst, int qdport,
		uint32_t seq);

/*
 * "Host unreachable" in xtcp_family(): icmp_unreach() of
 * ICMP_HOST_UNREACH, or icmp6_error() of destination unreachable,
 * address unreachable, the addresses mapped as for do_bind().  0 or -1.
 */
int icmp_host_unreach(const char *ns, const char *dst, const char *qsrc,
		      int qsport, const char *qdst, int qdport, uint32_t seq);

/* ---- SHA-256 (FIPS 180-4), for comparing streams ---- */

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};


void sha256_init(struct sha256 *c);

void sha256_update(struct sha256 *c, const void *data, size_t len);

/* Hex digest into @out (65 bytes). */
void sha256_final(struct sha256 *c, char *out);

/* Deterministic pseudo-random bytes, so each test knows what to expect. */
void fill_pattern(uint8_t *buf, size_t len, uint32_t seed);

/*
 * The same bytes as fill_pattern() made piece by piece: fill_pattern(buf,
 * n, seed) equals pattern_next() over a struct pattern started at @seed,
 * for any split of the n bytes.
 */
struct pattern {
	uint32_t seed;
};

void pattern_next(struct pattern *p, uint8_t *buf, size_t len);

/*
 * A writer thread: @len bytes of the pattern (seed 0) into @fd, then
 * shutdown(SHUT_WR) unless @keep_open; their SHA-256, hex, in @hash.
 */
struct bulk {
	int fd;
	size_t len;
	int keep_open;
	/* Paced: at most @chunk bytes per write, @pace_us apart (0: not). */
	size_t chunk;
	unsigned int pace_us;
	char hash[65];
};

void *bulk_writer(void *bulk);

/* SHA-256 of a buffer, hex into @out (65 bytes). */
void sha256_hex(const void *buf, size_t len, char *out);

/*
 * Read @fd until EOF, an error or @max bytes, hashing what comes: its
 * SHA-256, hex, into @hash (65 bytes).  Returns the bytes read.
 */
size_t read_sha256(int fd, size_t max, char *hash);

/* ---- capture in the background ---- */

/*
 * A thread that keeps every xtcp segment seen on an interface (headers
 * only) while a test runs, so that bulk transfers can be looked at
 * afterwards without the packet socket's buffer overflowing.
 */
struct capture {
	int fd;
	int stop;
	pthread_t thr;
	pthread_mutex_t lock;
	struct seg *segs;
	size_t n, cap;
};

/* Start capturing on @ifname in @ns; 0 or -1. */
int capture_start(struct capture *c, const char *ns, const char *ifname);

/* Wait @linger_ms for what is in flight, then stop; segments stay in @c. */
void capture_stop(struct capture *c, int linger_ms);

void capture_free(struct capture *c);

#endif /* _XTCP_LIB_H */
