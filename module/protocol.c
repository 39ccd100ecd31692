// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: module init and exit (registering with IPv4 and the socket
 * layer is ipv4.c's), struct proto, per-netns state and sysctls, the
 * state-change helper and the ISN generator.  Nothing else lives here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/sysctl.h>
#include <linux/timekeeping.h>
#include <net/inet_common.h>
#include <net/sock.h>
#include <net/ip.h>

#include "xtcp.h"

/*
 * inet_csk_get_port(), inet_hash() and the request and timewait code find
 * a socket's hash tables through tcp_or_dccp_get_hashinfo(), which reads
 * sk_prot->h.hashinfo only in kernels built with DCCP; without it every
 * protocol gets TCP's tables, and xtcp sockets would be hashed there.
 */
#if !IS_ENABLED(CONFIG_IP_DCCP)
#error "xtcp needs a kernel with CONFIG_IP_DCCP (see tcp_or_dccp_get_hashinfo())"
#endif

int xtcp_proto_num = IPPROTO_XTCP;
module_param_named(proto, xtcp_proto_num, int, 0444);
MODULE_PARM_DESC(proto, "IP protocol number to register (default 253)");
/* xtcp_diag.ko registers its inet_diag handler for this number. */
EXPORT_SYMBOL_GPL(xtcp_proto_num);

/*
 * The established hash's buckets, as TCP's thash_entries: 0 sizes it
 * from RAM as TCP does (one bucket per 128 KiB, a power of two, at most
 * 512 Ki); the TIME-WAIT and orphan limits follow it.
 */
static unsigned int xtcp_ehash_entries;
module_param_named(ehash_entries, xtcp_ehash_entries, uint, 0444);
MODULE_PARM_DESC(ehash_entries, "established hash buckets (default 0: from RAM, as TCP's)");

struct inet_hashinfo xtcp_hashinfo;
/* Walked by inet_diag for xtcp_diag.ko. */
EXPORT_SYMBOL_GPL(xtcp_hashinfo);
unsigned int xtcp_net_id __read_mostly;

static struct percpu_counter xtcp_sockets_allocated;
static atomic_long_t xtcp_memory_allocated;
static DEFINE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
static DEFINE_PER_CPU(unsigned int, xtcp_orphan_count);
static long xtcp_sysctl_mem[3];
/*
 * Orphans all xtcp sockets together may leave (TCP's tcp_max_orphans):
 * set at load to half the established hash's buckets, as TCP's.
 */
static int xtcp_sysctl_max_orphans = 4096;
/*
 * The orphans' sum over the CPUs, as tcp_orphan_cache, and when it was
 * taken (jiffies): a check finding it more than 100 ms old sums again,
 * so a close adds up every CPU's count at most ten times a second.
 * TCP refreshes its cache from a deferrable timer, which an idle CPU
 * may hold back for long; here the sum is never older than the last
 * check that needed it.  Both written with WRITE_ONCE() by whichever
 * check sums (two at once write the same), read with READ_ONCE().
 */
static unsigned int xtcp_orphan_cache;
static unsigned long xtcp_orphan_stamp;
#define XTCP_ORPHAN_CACHE_AGE	msecs_to_jiffies(100)
/*
 * TCP's tcp_wmem and tcp_rmem defaults: each netns starts with them
 * (net.xtcp.wmem, rmem); the socket core reads the protocol's own copy
 * for the minimum it guarantees under memory pressure.
 */
static int xtcp_sysctl_wmem[3] = { 4096, 16384, 4194304 };
static int xtcp_sysctl_rmem[3] = { 4096, 131072, 6291456 };
static unsigned long xtcp_memory_pressure;

/* Keyed hash behind the ISNs (RFC 6528); drawn once at load time. */
static siphash_aligned_key_t xtcp_isn_secret;
static siphash_aligned_key_t xtcp_cookie_secret[2];
/* Keyed hash behind the timestamps' offsets; drawn once at load time. */
static siphash_aligned_key_t xtcp_ts_secret;

/**
 * xtcp_isn() - initial sequence number for a connection (RFC 6528)
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 *
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where
 * M is a clock ticking every 4 microseconds (ns >> 12, about 4.1 us) and
 * F a SipHash of the 4-tuple under a secret drawn at module load.
 *
 * Context: any context (xtcp_v4_connect() with the socket locked; a
 * listener's softirq path in xtcp_conn_request()).
 * Return: the ISN.
 */
u32 xtcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 hash = siphash_3u32((__force u32)saddr, (__force u32)daddr,
				(__force u32)sport << 16 | (__force u32)dport,
				&xtcp_isn_secret);

	return hash + (u32)(ktime_get_real_ns() >> 12);
}

/**
 * xtcp_ts_off() - the offset of a connection's TSvals (RFC 7323 section 7.1)
 * @net: the namespace: its net.xtcp.timestamps
 * @saddr: our address
 * @daddr: the peer's address
 *
 * With net.xtcp.timestamps at 1, a SipHash of the two addresses under a
 * secret drawn at module load, as secure_tcp_ts_off(): our uptime does
 * not show through the TSvals, and every connection between the same
 * two hosts counts from the same origin.  At 0 or 2, none.
 *
 * Context: any context.
 * Return: the offset.
 */
u32 xtcp_ts_off(const struct net *net, __be32 saddr, __be32 daddr)
{
	if (READ_ONCE(xtcp_pernet(net)->sysctl_timestamps) != 1)
		return 0;
	return siphash_2u32((__force u32)saddr, (__force u32)daddr,
			    &xtcp_ts_secret);
}

/**
 * xtcp_cookie_hash() - the keyed hashes a SYN cookie is made of
 * @saddr: the segment's source address (the peer's)
 * @daddr: its destination address (the listener's)
 * @sport: its source port (the peer's)
 * @dport: its destination port (the listener's)
 * @count: the minute, hashed in for @which 1 only
 * @which: 0 for the hash of the 4-tuple, 1 for that of the 4-tuple and
 *	   the minute @count
 *
 * The hashes of syncookie.c's arithmetic, each under its own secret
 * drawn at module load.
 *
 * Context: any context (a listener's softirq path: xtcp_conn_request()
 * and xtcp_cookie_v4_check()).
 * Return: the hash.
 */
u32 xtcp_cookie_hash(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		     u32 count, int which)
{
	return siphash_4u32((__force u32)saddr, (__force u32)daddr,
			    (__force u32)sport << 16 | (__force u32)dport,
			    which ? count : 0, &xtcp_cookie_secret[which]);
}

#if IS_ENABLED(CONFIG_IPV6)
/* The IPv6 4-tuple as one key for SipHash: addresses, then the ports. */
struct xtcp_tuple6 {
	struct in6_addr	saddr;
	struct in6_addr	daddr;
	__be16		sport;
	__be16		dport;
	u32		count;
};

/**
 * xtcp_isn6() - xtcp_isn() for IPv6 addresses
 * @saddr: our address
 * @daddr: the peer's address
 * @sport: our port
 * @dport: the peer's port
 *
 * Context: any context.
 * Return: the ISN.
 */
u32 xtcp_isn6(const struct in6_addr *saddr, const struct in6_addr *daddr,
	      __be16 sport, __be16 dport)
{
	const struct xtcp_tuple6 t = {
		.saddr = *saddr, .daddr = *daddr, .sport = sport, .dport = dport,
	};

	return (u32)siphash(&t, sizeof(t), &xtcp_isn_secret) +
	       (u32)(ktime_get_real_ns() >> 12);
}

/**
 * xtcp_ts_off6() - xtcp_ts_off() for IPv6 addresses
 * @net: the namespace
 * @saddr: our address
 * @daddr: the peer's address
 *
 * Context: any context.
 * Return: the offset.
 */
u32 xtcp_ts_off6(const struct net *net, const struct in6_addr *saddr,
		 const struct in6_addr *daddr)
{
	const struct xtcp_tuple6 t = { .saddr = *saddr, .daddr = *daddr };

	if (READ_ONCE(xtcp_pernet(net)->sysctl_timestamps) != 1)
		return 0;
	return (u32)siphash(&t, sizeof(t), &xtcp_ts_secret);
}

/**
 * xtcp_cookie_hash6() - xtcp_cookie_hash() for IPv6 addresses
 * @saddr: the segment's source address (the peer's)
 * @daddr: its destination address (the listener's)
 * @sport: its source port
 * @dport: its destination port
 * @count: the minute, hashed in for @which 1 only
 * @which: 0 or 1, as for xtcp_cookie_hash()
 *
 * Context: any context.
 * Return: the hash.
 */
u32 xtcp_cookie_hash6(const struct in6_addr *saddr,
		      const struct in6_addr *daddr, __be16 sport, __be16 dport,
		      u32 count, int which)
{
	const struct xtcp_tuple6 t = {
		.saddr = *saddr, .daddr = *daddr, .sport = sport, .dport = dport,
		.count = which ? count : 0,
	};

	return (u32)siphash(&t, sizeof(t), &xtcp_cookie_secret[which]);
}
#endif

/**
 * xtcp_set_state() - move a socket to a new state
 * @sk: the socket
 * @state: the new state, a TCP_* of net/tcp_states.h
 *
 * Entering CLOSE unhashes the socket and releases its port (unless the
 * application bound it explicitly), so a closed socket never stays in a
 * hash table; leaving ESTABLISHED or CLOSE-WAIT for it counts in
 * EstabResets.  CurrEstab counts the sockets in ESTABLISHED or
 * CLOSE-WAIT, as tcp_set_state() of 6.1 does.
 *
 * Context: socket locked, except for a child that failed before anyone
 * saw it: xtcp_v4_syn_recv_sock() closes it after
 * inet_csk_prepare_forced_close() dropped the lock sk_clone_lock() took,
 * as tcp_v4_syn_recv_sock() does, so there is no sock_owned_by_me() here
 * or in xtcp_done().
 */
void xtcp_set_state(struct sock *sk, int state)
{
	struct net *net = sock_net(sk);
	int oldstate = sk->sk_state;

	switch (state) {
	case TCP_ESTABLISHED:
		if (oldstate != TCP_ESTABLISHED)
			XTCP_INC_STATS(net, XTCP_MIB_CURRESTAB);
		break;
	case TCP_CLOSE_WAIT:
		/* From ESTABLISHED it stays counted. */
		if (oldstate == TCP_SYN_RECV)
			XTCP_INC_STATS(net, XTCP_MIB_CURRESTAB);
		break;
	case TCP_CLOSE:
		if (oldstate == TCP_ESTABLISHED || oldstate == TCP_CLOSE_WAIT)
			XTCP_INC_STATS(net, XTCP_MIB_ESTABRESETS);
		sk->sk_prot->unhash(sk);
		if (inet_csk(sk)->icsk_bind_hash &&
		    !(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			inet_put_port(sk);
		fallthrough;
	default:
		if (oldstate == TCP_ESTABLISHED || oldstate == TCP_CLOSE_WAIT)
			XTCP_DEC_STATS(net, XTCP_MIB_CURRESTAB);
	}
	/* Change state after unhashing: no closed socket in the tables. */
	inet_sk_set_state(sk, state);
}

/**
 * xtcp_established() - the handshake completed
 * @sk: the socket, in SYN-SENT or SYN-RECEIVED
 *
 * ESTABLISHED, the ACK clock (rcv_tstamp) starts, and the keepalive
 * timer is armed if SO_KEEPALIVE asked for it.
 *
 * Context: socket locked (xtcp_rcv_synsent() and xtcp_rcv_ack()).
 */
void xtcp_established(struct sock *sk)
{
	xtcp_set_state(sk, TCP_ESTABLISHED);
	xtcp_sk(sk)->rcv_tstamp = jiffies;
	if (sock_flag(sk, SOCK_KEEPOPEN))
		inet_csk_reset_keepalive_timer(sk, xtcp_keepalive_time(sk));
}

/**
 * xtcp_done() - the connection is over: CLOSED, timers stopped, waiters told
 * @sk: the socket
 *
 * A failed handshake counts in AttemptFails.  An orphan (closed by its
 * application) is destroyed here; otherwise the application is woken.
 *
 * Context: socket locked, or the failed child of xtcp_set_state()'s
 * comment.
 */
void xtcp_done(struct sock *sk)
{
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);

	xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_xmit_timers(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;

	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		inet_csk_destroy_sock(sk);
}

/**
 * xtcp_fin_timeout() - how long an orphan may wait in FIN-WAIT-2
 * @sk: the socket
 *
 * TCP_LINGER2, or net.xtcp.fin_timeout; never less than 3.5 RTOs, so
 * that a FIN on its way is not raced (tcp_fin_time()).
 *
 * Context: socket locked (xtcp_close() and xtcp_rcv_ack()).
 * Return: the time, in jiffies, to wait for the peer's FIN.
 */
unsigned long xtcp_fin_timeout(const struct sock *sk)
{
	int tmo = READ_ONCE(xtcp_sk(sk)->linger2);
	unsigned long rto = inet_csk(sk)->icsk_rto;

	if (tmo <= 0)
		tmo = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_fin_timeout) * HZ;
	return max_t(unsigned long, tmo, (rto << 2) - (rto >> 1));
}

/* The per-cpu orphan counts summed, into the cache (tcp_orphan_update()). */
static unsigned int xtcp_orphan_update(unsigned long now)
{
	unsigned int sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(&xtcp_orphan_count, cpu);
	WRITE_ONCE(xtcp_orphan_cache, sum);
	WRITE_ONCE(xtcp_orphan_stamp, now);
	return sum;
}

/**
 * xtcp_too_many_orphans() - whether orphans exceed net.xtcp.max_orphans
 * @sk: any xtcp socket
 *
 * Orphans (closed by their application, still finishing their FIN
 * exchange) are counted across the module, and so is their limit: past
 * net.xtcp.max_orphans (initial netns only, as tcp_max_orphans) a newly
 * orphaned connection is reset instead of kept.  A per-netns limit on a
 * global count would let one namespace reset the others' connections.
 * The count is the cache, at most 100 ms old, as tcp_too_many_orphans()
 * reads tcp_orphan_cache; an older one is summed again first.
 *
 * Context: any context (callers: xtcp_close() and the probe timer,
 * socket locked).
 * Return: true if the orphans number more than the limit.
 */
bool xtcp_too_many_orphans(const struct sock *sk)
{
	unsigned int count = READ_ONCE(xtcp_orphan_cache);
	unsigned long now = jiffies;

	if (time_after(now, READ_ONCE(xtcp_orphan_stamp) +
			    XTCP_ORPHAN_CACHE_AGE))
		count = xtcp_orphan_update(now);
	return count > (unsigned int)READ_ONCE(xtcp_sysctl_max_orphans);
}

/**
 * xtcp_keepalive_time() - idle time before the first keepalive probe
 * @sk: the socket
 *
 * TCP_KEEPIDLE, or net.xtcp.keepalive_time when it was not set.
 *
 * Context: socket locked, but for getsockopt(TCP_KEEPIDLE), which reads
 * it without the lock.
 * Return: the time in jiffies.
 */
u32 xtcp_keepalive_time(const struct sock *sk)
{
	return READ_ONCE(xtcp_sk(sk)->keepalive_time) ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_keepalive_time) * HZ;
}

/**
 * xtcp_keepalive_intvl() - time between keepalive probes
 * @sk: the socket
 *
 * TCP_KEEPINTVL, or net.xtcp.keepalive_intvl when it was not set.
 *
 * Context: socket locked (keepalive timer), but for
 * getsockopt(TCP_KEEPINTVL), which reads it without the lock.
 * Return: the time in jiffies.
 */
u32 xtcp_keepalive_intvl(const struct sock *sk)
{
	return READ_ONCE(xtcp_sk(sk)->keepalive_intvl) ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_keepalive_intvl) * HZ;
}

/**
 * xtcp_keepalive_probes() - unanswered keepalive probes before giving up
 * @sk: the socket
 *
 * TCP_KEEPCNT, or net.xtcp.keepalive_probes when it was not set.
 *
 * Context: socket locked (keepalive timer), but for
 * getsockopt(TCP_KEEPCNT), which reads it without the lock.
 * Return: the number of probes.
 */
int xtcp_keepalive_probes(const struct sock *sk)
{
	return READ_ONCE(xtcp_sk(sk)->keepalive_probes) ? :
	       READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_keepalive_probes);
}

/**
 * xtcp_write_err() - the peer is gone: report ETIMEDOUT and close
 * @sk: the socket
 *
 * Retransmissions, keepalive or the user timeout ran out: the
 * application gets ETIMEDOUT (or the soft error last recorded, as TCP)
 * and the connection closes (xtcp_done()).  Counts in Timeouts.
 *
 * Context: socket locked (the retransmission, probe and keepalive timers).
 */
void xtcp_write_err(struct sock *sk)
{
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMEOUTS);
	WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
	/* sk_err before the state change that wakes the waiters. */
	smp_wmb();
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	xtcp_done(sk);
}

/*
 * All xtcp sockets together passed net.xtcp.mem's second value (called
 * by the kernel's socket accounting; leaving is its default, below the
 * first value).  Receive windows shrink meanwhile (xtcp_free_space()).
 */
static void xtcp_enter_memory_pressure(struct sock *sk)
{
	if (!READ_ONCE(xtcp_memory_pressure)) {
		WRITE_ONCE(xtcp_memory_pressure, 1);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_MEMPRESSURES);
	}
}

struct proto xtcp_prot = {
	.name			= "XTCP",
	.owner			= THIS_MODULE,
	.close			= xtcp_close,
	.pre_connect		= xtcp_v4_pre_connect,
	.connect		= xtcp_v4_connect,
	.disconnect		= xtcp_disconnect,
	.ioctl			= xtcp_ioctl,
	.init			= xtcp_v4_init_sock,
	.destroy		= xtcp_destroy_sock,
	.shutdown		= xtcp_shutdown,
	.keepalive		= xtcp_set_keepalive,
	.setsockopt		= xtcp_setsockopt,
	.getsockopt		= xtcp_getsockopt,
	.sendmsg		= xtcp_sendmsg,
	.sendpage		= xtcp_sendpage,
	.recvmsg		= xtcp_recvmsg,
	.backlog_rcv		= xtcp_do_rcv,
	.release_cb		= xtcp_release_cb,
	.stream_memory_free	= xtcp_stream_memory_free,
	.hash			= inet_hash,
	.unhash			= inet_unhash,
	.get_port		= inet_csk_get_port,
	.accept			= inet_csk_accept,
	.sockets_allocated	= &xtcp_sockets_allocated,
	.orphan_count		= &xtcp_orphan_count,
	.memory_allocated	= &xtcp_memory_allocated,
	.per_cpu_fw_alloc	= &xtcp_memory_per_cpu_fw_alloc,
	.memory_pressure	= &xtcp_memory_pressure,
	.enter_memory_pressure	= xtcp_enter_memory_pressure,
	.sysctl_mem		= xtcp_sysctl_mem,
	.sysctl_wmem		= xtcp_sysctl_wmem,
	.sysctl_rmem		= xtcp_sysctl_rmem,
	.max_header		= MAX_XTCP_HEADER,
	.obj_size		= sizeof(struct xtcp_sock),
	.slab_flags		= SLAB_TYPESAFE_BY_RCU,
	.rsk_prot		= &xtcp_request_sock_ops,
	.twsk_prot		= &xtcp_timewait_sock_ops,
	.h.hashinfo		= &xtcp_hashinfo,
	/* SOCK_DESTROY (xtcp_diag.ko, through sock_diag_destroy()). */
	.diag_destroy		= xtcp_abort,
	/* sendmsg() before connect() must not bind a port (TCP's too). */
	.no_autobind		= true,
};

/* Per-netns sysctls under net.xtcp, with TCP's meanings and defaults. */
static int xtcp_retries_max = 255;
static int xtcp_timeout_max = 600;	/* seconds */
static int xtcp_keepidle_max = XTCP_MAX_KEEPIDLE;
static int xtcp_keepcnt_max = XTCP_MAX_KEEPCNT;
static int xtcp_reordering_max = 1024;
static int xtcp_port_max = 65535;
static int xtcp_early_retrans_max = 4;	/* tcp_early_retrans's range */
static int xtcp_recovery_max = 7;	/* XTCP_RACK_* */
static int xtcp_comp_sack_nr_max = 255;	/* TCP's u8 */
static int xtcp_min_tso_segs_max = 255;	/* TCP's */
static int xtcp_tso_rtt_log_max = 31;	/* a shift of a u32 */

/* An int sysctl of struct xtcp_net, bounded by [*min, *max]. */
#define XTCP_SYSCTL(name, field, min, max) {				\
	.procname	= name,						\
	.data		= (void *)offsetof(struct xtcp_net, field),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,			\
	.extra1		= min,						\
	.extra2		= max,						\
}

/*
 * net.xtcp.congestion_control: the algorithm new sockets of the netns
 * start with, by name (ENOENT for one xtcp does not have), as
 * net.ipv4.tcp_congestion_control.  @ctl->data points at the netns'
 * xtcp_net.ca_default.
 */
static int xtcp_cong_sysctl(struct ctl_table *ctl, int write, void *buffer,
			    size_t *lenp, loff_t *ppos)
{
	const struct xtcp_cong_ops **slot = ctl->data;
	char name[XTCP_CA_NAME_MAX];
	struct ctl_table tbl = {
		.data	= name,
		.maxlen	= sizeof(name),
	};
	const struct xtcp_cong_ops *ops;
	int err;

	xtcp_cong_name(slot, name);
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (!write || err)
		return err;
	ops = xtcp_cong_get(name);
	if (!ops)
		return -ENOENT;
	/* The default holds its algorithm; each writer drops what it replaced. */
	xtcp_cong_put(xchg(slot, ops));
	return 0;
}

/* net.xtcp.available_congestion_control: every name TCP_CONGESTION takes. */
static int xtcp_cong_avail_sysctl(struct ctl_table *ctl, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	char list[8 * XTCP_CA_NAME_MAX];
	struct ctl_table tbl = {
		.data	= list,
		.maxlen	= sizeof(list),
	};

	xtcp_cong_names(list, sizeof(list));
	return proc_dostring(&tbl, write, buffer, lenp, ppos);
}

static const struct ctl_table xtcp_sysctl_template[] = {
	XTCP_SYSCTL("syn_retries", sysctl_syn_retries, SYSCTL_ONE, &xtcp_retries_max),
	XTCP_SYSCTL("synack_retries", sysctl_synack_retries, SYSCTL_ONE, &xtcp_retries_max),
	XTCP_SYSCTL("retries2", sysctl_retries2, SYSCTL_ONE, &xtcp_retries_max),
	XTCP_SYSCTL("orphan_retries", sysctl_orphan_retries, SYSCTL_ZERO, &xtcp_retries_max),
	XTCP_SYSCTL("fin_timeout", sysctl_fin_timeout, SYSCTL_ONE, &xtcp_timeout_max),
	XTCP_SYSCTL("keepalive_time", sysctl_keepalive_time, SYSCTL_ONE, &xtcp_keepidle_max),
	XTCP_SYSCTL("keepalive_intvl", sysctl_keepalive_intvl, SYSCTL_ONE, &xtcp_keepidle_max),
	XTCP_SYSCTL("keepalive_probes", sysctl_keepalive_probes, SYSCTL_ONE, &xtcp_keepcnt_max),
	XTCP_SYSCTL("tw_timeout", sysctl_tw_timeout, SYSCTL_ONE, &xtcp_timeout_max),
	XTCP_SYSCTL("max_tw_buckets", death_row.sysctl_max_tw_buckets, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("gso", sysctl_gso, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("comp_sack_nr", sysctl_comp_sack_nr, SYSCTL_ZERO, &xtcp_comp_sack_nr_max),
	XTCP_SYSCTL("comp_sack_delay_ns", sysctl_comp_sack_delay_ns, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("comp_sack_slack_ns", sysctl_comp_sack_slack_ns, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("reordering", sysctl_reordering, SYSCTL_ONE, &xtcp_reordering_max),
	XTCP_SYSCTL("max_reordering", sysctl_max_reordering, SYSCTL_ONE, &xtcp_reordering_max),
	XTCP_SYSCTL("challenge_ack_limit", sysctl_challenge_ack_limit, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("rst_limit", sysctl_rst_limit, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("syncookies", sysctl_syncookies, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL("invalid_ratelimit", sysctl_invalid_ratelimit, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("encap_port", sysctl_encap_port, SYSCTL_ZERO, &xtcp_port_max),
	XTCP_SYSCTL("ecn", sysctl_ecn, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL("ecn_fallback", sysctl_ecn_fallback, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("timestamps", sysctl_timestamps, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL("sack", sysctl_sack, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("frto", sysctl_frto, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL("early_retrans", sysctl_early_retrans, SYSCTL_ZERO, &xtcp_early_retrans_max),
	XTCP_SYSCTL("recovery", sysctl_recovery, SYSCTL_ZERO, &xtcp_recovery_max),
	XTCP_SYSCTL("slow_start_after_idle", sysctl_slow_start_after_idle, SYSCTL_ZERO, SYSCTL_ONE),
	XTCP_SYSCTL("pacing_ss_ratio", sysctl_pacing_ss_ratio, SYSCTL_ZERO, SYSCTL_ONE_THOUSAND),
	XTCP_SYSCTL("pacing_ca_ratio", sysctl_pacing_ca_ratio, SYSCTL_ZERO, SYSCTL_ONE_THOUSAND),
	XTCP_SYSCTL("limit_output_bytes", sysctl_limit_output_bytes, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL("min_tso_segs", sysctl_min_tso_segs, SYSCTL_ONE, &xtcp_min_tso_segs_max),
	XTCP_SYSCTL("tso_rtt_log", sysctl_tso_rtt_log, SYSCTL_ZERO, &xtcp_tso_rtt_log_max),
	{
		.procname	= "congestion_control",
		.data		= (void *)offsetof(struct xtcp_net, ca_default),
		.maxlen		= XTCP_CA_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_cong_sysctl,
	},
	{
		/* The data offset is unused: the list is the module's. */
		.procname	= "available_congestion_control",
		.maxlen		= 8 * XTCP_CA_NAME_MAX,
		.mode		= 0444,
		.proc_handler	= xtcp_cong_avail_sysctl,
	},
	{
		/* Opens or closes the netns' UDP socket (udp.c). */
		.procname	= "udp_port",
		.data		= (void *)offsetof(struct xtcp_net, sysctl_udp_port),
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= xtcp_udp_port_sysctl,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_port_max,
	},
	XTCP_SYSCTL("moderate_rcvbuf", sysctl_moderate_rcvbuf, SYSCTL_ZERO, SYSCTL_ONE),
	{
		/* Three ints, at least 1 each, as tcp_rmem. */
		.procname	= "rmem",
		.data		= (void *)offsetof(struct xtcp_net, sysctl_rmem),
		.maxlen		= sizeof_field(struct xtcp_net, sysctl_rmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "wmem",
		.data		= (void *)offsetof(struct xtcp_net, sysctl_wmem),
		.maxlen		= sizeof_field(struct xtcp_net, sysctl_wmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		/* Unsigned, as tcp_notsent_lowat: UINT_MAX means no limit. */
		.procname	= "notsent_lowat",
		.data		= (void *)offsetof(struct xtcp_net, sysctl_notsent_lowat),
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
	{ }
};

/*
 * Module-wide, as tcp_mem is: the pages all xtcp sockets together may
 * hold (the kernel's socket accounting: pressure above the second value,
 * a hard limit at the third).  Shown in the initial netns only, as
 * TCP's; the limit is global, so one netns cannot take all memory from
 * the others without hitting it.
 */
static struct ctl_table xtcp_global_table[] = {
	{
		.procname	= "mem",
		.data		= &xtcp_sysctl_mem,
		.maxlen		= sizeof(xtcp_sysctl_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{
		.procname	= "max_orphans",
		.data		= &xtcp_sysctl_max_orphans,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{ }
};

static struct ctl_table_header *xtcp_global_hdr;

static int xtcp_sysctl_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table;
	int i;

	table = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	/* The template holds offsets into struct xtcp_net. */
	for (i = 0; i < ARRAY_SIZE(xtcp_sysctl_template) - 1; i++)
		table[i].data = (char *)xn + (uintptr_t)table[i].data;

	xn->sysctl_hdr = register_net_sysctl(net, "net/xtcp", table);
	if (!xn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

static void xtcp_sysctl_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(table);
}

static int __net_init xtcp_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	xn->sysctl_syn_retries = 6;		/* TCP_SYN_RETRIES */
	xn->sysctl_synack_retries = 5;		/* TCP_SYNACK_RETRIES */
	xn->sysctl_retries2 = 15;		/* TCP_RETR2 */
	xn->sysctl_orphan_retries = 0;		/* 8 while the peer may be alive */
	xn->sysctl_fin_timeout = 60;		/* TCP_FIN_TIMEOUT */
	xn->sysctl_tw_timeout = 60;		/* TCP_TIMEWAIT_LEN, 2*MSL */
	xn->sysctl_keepalive_time = 7200;	/* TCP_KEEPALIVE_TIME */
	xn->sysctl_keepalive_intvl = 75;	/* TCP_KEEPALIVE_INTVL */
	xn->sysctl_keepalive_probes = 9;	/* TCP_KEEPALIVE_PROBES */
	xn->sysctl_gso = 1;			/* send multi-segment skbs */
	xn->sysctl_comp_sack_nr = 44;		/* TCP's defaults */
	xn->sysctl_comp_sack_delay_ns = NSEC_PER_MSEC;
	xn->sysctl_comp_sack_slack_ns = 100 * NSEC_PER_USEC;
	xn->sysctl_reordering = 3;		/* TCP_FASTRETRANS_THRESH */
	xn->sysctl_max_reordering = 300;	/* tcp_max_reordering */
	xn->sysctl_challenge_ack_limit = 1000;	/* TCP's before 6.0 */
	xn->sysctl_rst_limit = 1000;		/* as ICMP's ratelimit */
	xn->sysctl_syncookies = 1;		/* when the SYN queue overflows */
	xn->sysctl_ecn = 2;			/* ECN when the peer asks for it */
	xn->sysctl_ecn_fallback = 1;		/* a resent SYN asks no more */
	xn->sysctl_timestamps = 1;		/* with a per-host-pair offset */
	xn->sysctl_sack = 1;			/* tcp_sack's default */
	xn->sysctl_frto = 2;			/* tcp_frto's default */
	xn->sysctl_early_retrans = 3;		/* tcp_early_retrans's */
	xn->sysctl_recovery = XTCP_RACK_LOSS_DETECTION;	/* tcp_recovery's */
	xn->sysctl_slow_start_after_idle = 1;	/* tcp_slow_start_after_idle's */
	xn->sysctl_pacing_ss_ratio = 200;	/* TCP's defaults */
	xn->sysctl_pacing_ca_ratio = 120;
	xn->sysctl_limit_output_bytes = 16 * 65536;
	xn->sysctl_min_tso_segs = 2;
	xn->sysctl_tso_rtt_log = 9;		/* 512 us */
	xn->sysctl_invalid_ratelimit = 500;	/* ms, TCP's HZ/2 */
	xn->sysctl_notsent_lowat = UINT_MAX;	/* tcp_notsent_lowat */
	memcpy(xn->sysctl_rmem, xtcp_sysctl_rmem, sizeof(xn->sysctl_rmem));
	memcpy(xn->sysctl_wmem, xtcp_sysctl_wmem, sizeof(xn->sysctl_wmem));
	xn->sysctl_moderate_rcvbuf = 1;		/* tcp_moderate_rcvbuf's */
	xn->sysctl_udp_port = 0;		/* no UDP socket (udp.c) */
	xn->sysctl_encap_port = 0;		/* connect plain */
	xn->ca_default = xtcp_cong_default;
	xn->udp_sock = NULL;
	xn->net = net;
	refcount_set(&xn->death_row.tw_refcount, 1);
	xn->death_row.hashinfo = &xtcp_hashinfo;
	/* Half the established hash, as tcp_sk_init(). */
	xn->death_row.sysctl_max_tw_buckets = (xtcp_hashinfo.ehash_mask + 1) / 2;

	err = xtcp_mib_init_net(net);
	if (err)
		goto out;
	err = xtcp_v4_init_net(net);
	if (err)
		goto out_mib;
	err = xtcp_v6_init_net(net);
	if (err)
		goto out_ctl;
	err = xtcp_sysctl_init_net(net);
	if (err)
		goto out_ctl6;
	err = xtcp_proc_init_net(net);
	if (err)
		goto out_sysctl;
	return 0;

out_sysctl:
	xtcp_sysctl_exit_net(net);
out_ctl6:
	xtcp_v6_exit_net(net);
out_ctl:
	xtcp_v4_exit_net(net);
out_mib:
	xtcp_mib_exit_net(net);
out:
	return err;
}

static void __net_exit xtcp_exit_net(struct net *net)
{
	xtcp_proc_exit_net(net);
	xtcp_sysctl_exit_net(net);
	/* Its sockets are gone; the default held its algorithm's module. */
	xtcp_cong_put(xtcp_pernet(net)->ca_default);
	/* After the sysctl: nothing can open it again. */
	xtcp_udp_exit_net(net);
	xtcp_v6_exit_net(net);
	xtcp_v4_exit_net(net);
	xtcp_mib_exit_net(net);
}

/*
 * Serialises xtcp_exit_batch(): cleanup_net() and the error unwinding of
 * a failed setup_net() may run it at once, and inet_twsk_purge() kills
 * timewait socks of any dying netns, whichever batch it belongs to.
 */
static DEFINE_MUTEX(xtcp_exit_batch_mutex);

/*
 * Timewait and request socks hold no reference on their netns: those of
 * the namespaces going away are freed here, after their sockets.  Every
 * timewait sock holds a count on its netns' death row (in struct
 * xtcp_net, freed after this returns); once the purge is over, only the
 * death row's own count may remain (as tcp_sk_exit_batch() checks).
 */
static void __net_exit xtcp_exit_batch(struct list_head *net_exit_list)
{
	struct net *net;

	mutex_lock(&xtcp_exit_batch_mutex);
	inet_twsk_purge(&xtcp_hashinfo);
	/* The UDP sockets the purged TIME-WAITs held, before UDP's exit. */
	xtcp_udp_flush();
	list_for_each_entry(net, net_exit_list, exit_list)
		WARN_ON_ONCE(!refcount_dec_and_test(&xtcp_pernet(net)->death_row.tw_refcount));
	mutex_unlock(&xtcp_exit_batch_mutex);
}

static struct pernet_operations xtcp_net_ops = {
	.init	= xtcp_init_net,
	.exit	= xtcp_exit_net,
	.exit_batch = xtcp_exit_batch,
	.id	= &xtcp_net_id,
	.size	= sizeof(struct xtcp_net),
};

/*
 * The established hash's size: the ehash_entries parameter rounded up
 * to a power of two, or, as alloc_large_system_hash() sizes TCP's, one
 * bucket per 128 KiB of RAM; 512 to 512 Ki.
 */
static unsigned int __init xtcp_ehash_size(void)
{
	unsigned long n = xtcp_ehash_entries;

	if (!n)
		n = totalram_pages() >> (17 - PAGE_SHIFT);
	return roundup_pow_of_two(clamp(n, 512UL, 512UL * 1024));
}

static int __init xtcp_hashinfo_init(void)
{
	unsigned int i, ehash_size = xtcp_ehash_size();
	/* TCP's bind hash: as many buckets, at most 64 Ki. */
	unsigned int bhash_size = min(ehash_size, 64U * 1024);
	int err;

	err = inet_hashinfo2_init_mod(&xtcp_hashinfo);
	if (err)
		goto out;
	err = -ENOMEM;
	xtcp_hashinfo.bind_bucket_cachep =
		kmem_cache_create("xtcp_bind_bucket",
				  sizeof(struct inet_bind_bucket), 0,
				  SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT, NULL);
	if (!xtcp_hashinfo.bind_bucket_cachep)
		goto out_hash2;
	xtcp_hashinfo.bind2_bucket_cachep =
		kmem_cache_create("xtcp_bind2_bucket",
				  sizeof(struct inet_bind2_bucket), 0,
				  SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT, NULL);
	if (!xtcp_hashinfo.bind2_bucket_cachep)
		goto out_bind_cache;

	xtcp_hashinfo.ehash = kvmalloc_array(ehash_size,
					     sizeof(*xtcp_hashinfo.ehash),
					     GFP_KERNEL);
	if (!xtcp_hashinfo.ehash)
		goto out_bind2_cache;
	xtcp_hashinfo.ehash_mask = ehash_size - 1;
	for (i = 0; i < ehash_size; i++)
		INIT_HLIST_NULLS_HEAD(&xtcp_hashinfo.ehash[i].chain, i);
	if (inet_ehash_locks_alloc(&xtcp_hashinfo))
		goto out_ehash;

	xtcp_hashinfo.bhash = kvmalloc_array(bhash_size,
					     sizeof(*xtcp_hashinfo.bhash),
					     GFP_KERNEL);
	if (!xtcp_hashinfo.bhash)
		goto out_locks;
	xtcp_hashinfo.bhash2 = kvmalloc_array(bhash_size,
					      sizeof(*xtcp_hashinfo.bhash2),
					      GFP_KERNEL);
	if (!xtcp_hashinfo.bhash2)
		goto out_bhash;
	xtcp_hashinfo.bhash_size = bhash_size;
	for (i = 0; i < bhash_size; i++) {
		spin_lock_init(&xtcp_hashinfo.bhash[i].lock);
		INIT_HLIST_HEAD(&xtcp_hashinfo.bhash[i].chain);
		spin_lock_init(&xtcp_hashinfo.bhash2[i].lock);
		INIT_HLIST_HEAD(&xtcp_hashinfo.bhash2[i].chain);
	}
	xtcp_hashinfo.pernet = false;
	xtcp_sysctl_max_orphans = ehash_size / 2;
	pr_debug("hash tables: established %u, bind %u buckets\n",
		 ehash_size, bhash_size);
	return 0;

out_bhash:
	kvfree(xtcp_hashinfo.bhash);
out_locks:
	inet_ehash_locks_free(&xtcp_hashinfo);
out_ehash:
	kvfree(xtcp_hashinfo.ehash);
out_bind2_cache:
	kmem_cache_destroy(xtcp_hashinfo.bind2_bucket_cachep);
out_bind_cache:
	kmem_cache_destroy(xtcp_hashinfo.bind_bucket_cachep);
out_hash2:
	inet_hashinfo2_free_mod(&xtcp_hashinfo);
out:
	return err;
}

static void xtcp_hashinfo_exit(void)
{
	kvfree(xtcp_hashinfo.bhash2);
	kvfree(xtcp_hashinfo.bhash);
	inet_ehash_locks_free(&xtcp_hashinfo);
	kvfree(xtcp_hashinfo.ehash);
	kmem_cache_destroy(xtcp_hashinfo.bind2_bucket_cachep);
	kmem_cache_destroy(xtcp_hashinfo.bind_bucket_cachep);
	inet_hashinfo2_free_mod(&xtcp_hashinfo);
}

static void xtcp_init_mem_limits(void)
{
	unsigned long limit = nr_free_buffer_pages() / 16;

	limit = max(limit, 128UL);
	xtcp_sysctl_mem[0] = limit / 4 * 3;
	xtcp_sysctl_mem[1] = limit;
	xtcp_sysctl_mem[2] = xtcp_sysctl_mem[0] * 2;
}

static int __init xtcp_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct xtcp_skb_cb) >
		     sizeof_field(struct sk_buff, cb));
	/* The rate snapshot shares the header's room, not more. */
	BUILD_BUG_ON(sizeof(struct xtcp_tx_snap) >
		     sizeof(struct inet_skb_parm));
	/* Stale from the start: the first check sums. */
	xtcp_orphan_stamp = jiffies - XTCP_ORPHAN_CACHE_AGE - 1;

	if (xtcp_proto_num <= 0 || xtcp_proto_num > 255 ||
	    xtcp_proto_num == IPPROTO_TCP || xtcp_proto_num == IPPROTO_UDP) {
		pr_err("proto=%d is not a usable IP protocol number\n",
		       xtcp_proto_num);
		return -EINVAL;
	}
	get_random_bytes(&xtcp_isn_secret, sizeof(xtcp_isn_secret));
	get_random_bytes(xtcp_cookie_secret, sizeof(xtcp_cookie_secret));
	get_random_bytes(&xtcp_ts_secret, sizeof(xtcp_ts_secret));
	xtcp_init_mem_limits();
	xtcp_tsq_init();

	err = percpu_counter_init(&xtcp_sockets_allocated, 0, GFP_KERNEL);
	if (err)
		goto out;
	err = xtcp_hashinfo_init();
	if (err)
		goto out_counter;
	err = proto_register(&xtcp_prot, 1);
	if (err)
		goto out_hashinfo;
	err = register_pernet_subsys(&xtcp_net_ops);
	if (err)
		goto out_proto;
	err = -ENOMEM;
	xtcp_global_hdr = register_net_sysctl(&init_net, "net/xtcp",
					      xtcp_global_table);
	if (!xtcp_global_hdr)
		goto out_pernet;

	if (xtcp_offload_init() < 0) {
		pr_err("IP protocol %d is already registered\n",
		       xtcp_proto_num);
		err = -EBUSY;
		goto out_global;
	}
	/* Last: the receive paths, then socket() (ipv4.c, ipv6.c). */
	err = xtcp_v4_init();
	if (err)
		goto out_offload;
	err = xtcp_v6_init();
	if (err)
		goto out_v4;
	pr_info("registered as IP protocol %d\n", xtcp_proto_num);
	return 0;

out_v4:
	xtcp_v4_exit();
out_offload:
	xtcp_offload_exit();
out_global:
	unregister_net_sysctl_table(xtcp_global_hdr);
out_pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
out_proto:
	proto_unregister(&xtcp_prot);
out_hashinfo:
	xtcp_hashinfo_exit();
out_counter:
	percpu_counter_destroy(&xtcp_sockets_allocated);
out:
	pr_err("load failed (%d)\n", err);
	return err;
}

static void __exit xtcp_exit(void)
{
	/* First: no new socket may appear while the rest goes away. */
	xtcp_v6_exit();
	xtcp_v4_exit();
	xtcp_offload_exit();
	unregister_net_sysctl_table(xtcp_global_hdr);
	unregister_pernet_subsys(&xtcp_net_ops);
	/* No connection's UDP socket left to release (udp.c). */
	xtcp_udp_flush();
	/*
	 * A datagram UDP found on one of them just before may still be in
	 * xtcp_udp_rcv() or our GRO callbacks (under RCU): wait for it
	 * before the module's text goes.
	 */
	synchronize_net();
	/* No socket is left to queue; one may still be leaving the list. */
	xtcp_tsq_exit();
	proto_unregister(&xtcp_prot);
	xtcp_hashinfo_exit();
	percpu_counter_destroy(&xtcp_sockets_allocated);
	pr_info("unregistered\n");
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: an alternative TCP as its own IP protocol");
/*
 * socket(AF_INET, SOCK_STREAM, 253) loads an installed module by itself:
 * inet_create() asks for the first name, then the second.  Only for the
 * default number: a module loaded with proto=N is loaded by hand.
 */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET, IPPROTO_XTCP, 1);	/* SOCK_STREAM */
MODULE_ALIAS_NET_PF_PROTO(PF_INET, IPPROTO_XTCP);
/* And inet6_create()'s, for socket(AF_INET6, SOCK_STREAM, 253). */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET6, IPPROTO_XTCP, 1);
MODULE_ALIAS_NET_PF_PROTO(PF_INET6, IPPROTO_XTCP);
