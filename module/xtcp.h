/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp internal header: the structures every file of the module shares,
 * inline helpers and prototypes.  Nothing else is shared between files.
 *
 * Locking strategy, once for the whole module (docs/design.md walks
 * through it with the path of a segment):
 *
 * - A full socket (SYN-SENT to TIME-WAIT's predecessor, not LISTEN) is
 *   protected by its socket lock: lock_sock() in process context,
 *   bh_lock_sock() in softirq (receive path, timers).  Functions that
 *   need it say "Context: socket locked" and assert it with
 *   sock_owned_by_me() where the owner is process context.  A segment
 *   that arrives while the owner holds the lock waits on the socket's
 *   backlog and is processed by release_sock(); timers that find it
 *   owned leave their work to release_sock() too (xtcp_release_cb(),
 *   the XTCP_*_DEFERRED bits), except the keepalive timer, which retries
 *   50 ms later as TCP's does.
 * - A field that poll(), ioctl(SIOCINQ/SIOCOUTQ), /proc, sock_diag or
 *   the backlog's merge reads without the lock is written with
 *   WRITE_ONCE() and read with READ_ONCE() (the struct xtcp_sock comment
 *   lists them); every other field is read and written under the lock.
 * - A listener is handled in softirq without its socket lock, as TCP's
 *   is (xtcp_rcv_sock(), input.c): request socks live in the established
 *   hash with their own timer, the accept queue has its own lock
 *   (rskq_lock), and the listener fields read there (backlog limits,
 *   synq_overflow) are READ_ONCE()/WRITE_ONCE() pairs.
 * - Request socks and TIME-WAIT socks have no lock of their own: the
 *   inet_connection_sock and inet_timewait_sock code orders their
 *   creation, hashing and deletion with the bucket locks and refcounts.
 * - The hash tables have their own bucket locks (inet_hashtables).
 * - Segments sent without a full socket (RSTs, TIME-WAIT and request
 *   ACKs) go through the netns' control socket under bh_lock_sock() of
 *   that socket alone, with BHs off (ipv4.c).
 * - Per-netns rate budgets (challenge ACKs, RSTs: xtcp_rate_allow()) and
 *   the counters are shared without a lock, by design: a race costs one
 *   segment more or less, as TCP's challenge-ACK budget does.
 * - Lock order: socket lock, then bind-hash bucket lock, then
 *   established-hash bucket lock; a child's bh lock nests inside no
 *   other socket lock (the listener is not locked), and the control
 *   socket's bh lock is taken with no other socket lock held.
 */
#ifndef _XTCP_H
#define _XTCP_H

/*
 * Hooks the generic code calls on an xtcp socket.  The protosw says
 * INET_PROTOSW_ICSK, so IPv4 and the socket layer treat it as a
 * connection socket like TCP's; every hook they may call is set, or is
 * NULL where they test for NULL, or is never reached, as listed here
 * (checked against tcp_init_sock(), tcp_prot and ipv4_specific of 6.1;
 * selftests/xtcp_sockopt runs every SOL_SOCKET and SOL_IP option against
 * kernel TCP's answers).
 *
 * struct proto (xtcp_prot): close, pre_connect (cgroup connect4 BPF),
 *   connect, disconnect, accept, ioctl, init, destroy, shutdown,
 *   setsockopt, getsockopt, keepalive (SO_KEEPALIVE), sendmsg, sendpage
 *   (sendfile, splice into the socket; proto_ops' splice_read is ours
 *   too), recvmsg, backlog_rcv, release_cb (deferred ICMP work),
 *   stream_memory_free (TCP_NOTSENT_LOWAT, for poll and sendmsg), hash,
 *   unhash, get_port, enter_memory_pressure and the memory accounting,
 *   rsk_prot, twsk_prot, h.hashinfo, no_autobind (sendmsg() never binds),
 *   diag_destroy (xtcp_abort(): sock_diag_destroy(), for xtcp_diag.ko).
 *   NULL and tested for NULL by their callers: bind and bind_add (inet's
 *   own), compat_ioctl,
 *   bpf_bypass_getsockopt, rehash (only datagram and TCP's dynamic
 *   address code call it), put_port, psock_update_sk_prot (sockmap
 *   refuses the socket), sock_is_readable,
 *   leave_memory_pressure.
 * struct inet_connection_sock: icsk_sync_mss (xtcp_sync_mss()), called
 *   by IP_OPTIONS and CIPSO; icsk_af_ops is xtcp_ipv4_af_ops (ipv4.c),
 *   through which the family-neutral files reach IPv4, as TCP's files
 *   reach ipv4_specific: the generic code calls icsk_af_ops only from
 *   TCP's, DCCP's and SMC's own files and IPV6_ADDRFORM (IPv6 sockets),
 *   never on ours, so only xtcp calls it.  icsk_ca_ops and icsk_ulp_ops
 *   stay NULL: the generic code reads icsk_ca_ops only in inet_diag (where
 *   xtcp_diag.ko's idiag_get_aux gives the name instead: INET_DIAG_CONG)
 *   and BPF's TCP-only setsockopt, and tests
 *   icsk_ulp_ops for NULL (TCP_ULP is a SOL_TCP option, which is ours).
 *   icsk_clean_acked is TLS's, never set.  icsk_pmtu_cookie and
 *   icsk_ext_hdr_len are kept by xtcp_sync_mss() and connect().  A
 *   listener's icsk_syn_retries (SYN-ACK retries) and
 *   icsk_accept_queue.rskq_defer_accept (TCP_DEFER_ACCEPT) are read by
 *   the kernel's request sock timer, as for TCP.
 * struct sock callbacks: sk_write_space (xtcp_write_space()); the
 *   others are sock_init_data()'s defaults, as for TCP.
 * struct net_protocol: handler, err_handler (ipv4.c).  No early_demux.
 * SOL_SOCKET options are sk_setsockopt()'s: those that call into the
 *   protocol reach keepalive, sk_write_space, or proto_ops hooks we
 *   leave NULL (set_rcvlowat, set_peek_off: they then act generically
 *   or refuse, as for any protocol without them).  SOL_IP options are
 *   ip_setsockopt()'s (through af_ops); the only protocol hook among
 *   them is icsk_sync_mss (IP_OPTIONS).
 */

#include <linux/skbuff.h>
#include <linux/percpu.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/request_sock.h>
#include <net/inet_timewait_sock.h>
#include <net/tcp_states.h>
#include <uapi/linux/tcp.h>
#include <net/netns/generic.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "pure.h"

struct seq_file;

extern int xtcp_proto_num;	/* the IP protocol number in use */
extern struct inet_hashinfo xtcp_hashinfo;
extern struct proto xtcp_prot;
extern struct request_sock_ops xtcp_request_sock_ops;
extern struct timewait_sock_ops xtcp_timewait_sock_ops;
extern struct timewait_sock_ops xtcp6_timewait_sock_ops;
extern unsigned int xtcp_net_id;

/* Initial RTO (RFC 6298) and its bounds. */
#define XTCP_TIMEOUT_INIT	((unsigned int)HZ)
#define XTCP_RTO_MIN		((unsigned int)(HZ / 5))
#define XTCP_RTO_MAX		((unsigned int)(120 * HZ))
/*
 * Headroom for link, IP and our header with options.  Kept small so a
 * full-sized linear segment fits a 2 KiB slab object: its truesize then
 * stays near 1.6x its payload, which the receive window assumes.  Paths
 * that need more headroom (tunnels) reallocate on the way out.
 */
#define MAX_XTCP_HEADER		128
/*
 * TCP's MAX_TCP_HEADER, for the send buffer's sizing alone
 * (xtcp_sndbuf_expand()), so that SO_SNDBUF grows as TCP's does.
 */
#define XTCP_SNDBUF_HEADER	L1_CACHE_ALIGN(128 + MAX_HEADER)
#define XTCP_MSS_DEFAULT	536U
/* Keepalive bounds, TCP's (MAX_TCP_KEEPIDLE and friends). */
#define XTCP_MAX_KEEPIDLE	32767
#define XTCP_MAX_KEEPINTVL	32767
#define XTCP_MAX_KEEPCNT	127
#define XTCP_MIN_MSS		88U
/* TCP_MAXSEG's upper bound, TCP's (MAX_TCP_WINDOW). */
#define XTCP_MAX_USER_MSS	32767U
/* TCP_SYNCNT's bound, TCP_LINGER2's, TCP_CONGESTION's name size: TCP's. */
#define XTCP_MAX_SYNCNT		127
#define XTCP_FIN_TIMEOUT_MAX	(120 * HZ)
/* Delayed ACK: the longest an ACK waits, and the shortest (RFC 1122). */
#define XTCP_DELACK_MAX		((unsigned int)(HZ / 5))
#define XTCP_DELACK_MIN		((unsigned int)(HZ / 25))
/* Data segments ACKed at once when a connection starts (slow start). */
#define XTCP_QUICKACKS		16
/* Nagle and TCP_CORK, xtcp_sock::nonagle (TCP's TCP_NAGLE_* meanings). */
#define XTCP_NAGLE_OFF		1	/* TCP_NODELAY */
#define XTCP_NAGLE_CORK		2	/* TCP_CORK */
#define XTCP_NAGLE_PUSH		4	/* send what is held, once */
/*
 * Not a socket setting: xtcp_push()'s for a full skb while the write
 * goes on (tcp_push_one()); what leaves is not the write's end, and
 * emptying the write queue does not mark it PSH.
 */
#define XTCP_PUSH_ONE		8

/*
 * Counters, per netns: one enum, one name table (mib.c), one macro.
 * Each is shown in /proc/net/xtcp_stat under its own name, and once
 * more in nstat's layout: RFC 4022's objects in /proc/net/xtcp_snmp
 * (nstat's Xtcp*), the rest in /proc/net/xtcp_netstat (XtcpExt*), under
 * TCP's name where TCP's counter means the same (docs/counters.md).
 */
enum xtcp_mib_field {
	XTCP_MIB_INSEGS,		/* Segments received, errors included (GSO: each) */
	XTCP_MIB_OUTSEGS,		/* Segments sent, resends and RSTs included */
	XTCP_MIB_RETRANSSEGS,		/* Segments resent: data, FIN, SYN, SYN-ACK */
	XTCP_MIB_INERRS,		/* Segments dropped for a bad header or checksum */
	XTCP_MIB_CSUMERRORS,		/* Segments dropped for a bad checksum */
	XTCP_MIB_BADHDR,		/* Segments dropped: too short, or doff too small */
	XTCP_MIB_BADOPTS,		/* Segments whose options did not parse (used anyway) */
	XTCP_MIB_NOSOCKET,		/* Segments for no socket (answered by a RST) */
	XTCP_MIB_OUTRSTS,		/* Segments sent with RST */
	XTCP_MIB_INRSTS,		/* Valid RSTs that ended a connection or an open */
	XTCP_MIB_ACTIVEOPENS,		/* connect()s that sent their SYN */
	XTCP_MIB_PASSIVEOPENS,		/* Connections a listener's handshake created */
	XTCP_MIB_ATTEMPTFAILS,		/* Sockets closed from SYN-SENT or SYN-RECEIVED */
	XTCP_MIB_ESTABRESETS,		/* Closed from ESTABLISHED or CLOSE-WAIT: a RST, an abort */
	XTCP_MIB_LISTENOVERFLOWS,	/* SYNs and ACKs dropped: accept or SYN queue full */
	XTCP_MIB_LISTENDROPS,		/* Handshakes dropped by a listener, overflows included */
	XTCP_MIB_SYNRETRANS,		/* SYNs resent by a connecting socket */
	XTCP_MIB_SYNACKRETRANS,		/* SYN-ACKs resent for a request sock */
	XTCP_MIB_UNACCEPTABLE,		/* Segments failing the sequence number check */
	XTCP_MIB_CHALLENGEACKS,		/* Challenge ACKs sent (RFC 5961) */
	XTCP_MIB_OOODROPS,		/* Out-of-order segments dropped: no memory, or duplicate */
	XTCP_MIB_RCVQDROPS,		/* In-order segments dropped: no receive memory */
	XTCP_MIB_TIMEOUTS,		/* Connections aborted with ETIMEDOUT */
	XTCP_MIB_TIMEWAITS,		/* Connections that entered TIME-WAIT */
	XTCP_MIB_TWOVERFLOWS,		/* TIME-WAIT skipped: no timewait sock could be had */
	XTCP_MIB_TWKILLED,		/* TIME-WAIT ended early by a segment (a RST) */
	XTCP_MIB_TWRECYCLED,		/* TIME-WAIT ended by a SYN that opened a new connection */
	XTCP_MIB_ORPHANOVERFLOWS,	/* Orphans reset: too many orphans, or memory pressure */
	XTCP_MIB_FASTRETRANS,		/* Fast recoveries entered (3 dup ACKs or SACK loss) */
	XTCP_MIB_PARTIALACKS,		/* Partial ACKs in recovery, each resending the next hole */
	XTCP_MIB_DUPACKS,		/* Duplicate ACKs received with data in flight */
	XTCP_MIB_OFOQUEUE,		/* Out-of-order segments queued (given receive memory) */
	XTCP_MIB_OFOPRUNED,		/* Out-of-order segments dropped to make room */
	XTCP_MIB_DELAYEDACKS,		/* ACKs sent by the delayed-ACK timer */
	XTCP_MIB_WINPROBES,		/* Zero-window probes sent */
	XTCP_MIB_RTOS,			/* Retransmission timer expiries with data in flight */
	XTCP_MIB_OUTGSO,		/* GSO skbs sent (each several segments) */
	XTCP_MIB_BACKLOGDROPS,		/* Segments dropped: the socket backlog was full */
	XTCP_MIB_BACKLOGCOALESCE,	/* Segments merged into the backlog's last one */
	XTCP_MIB_RCVCOALESCE,		/* Segments merged into the receive queue's last one */
	XTCP_MIB_DSACKOLDSENT,		/* D-SACKs sent for data below RCV.NXT */
	XTCP_MIB_DSACKOFOSENT,		/* D-SACKs sent for data held out of order */
	XTCP_MIB_SACKREORDER,		/* Reordering seen through SACK */
	XTCP_MIB_TSREORDER,		/* Reordering seen through an Eifel partial undo */
	XTCP_MIB_SACKMERGED,		/* SACKed skbs folded into the SACKed one before */
	XTCP_MIB_CHALLENGELIMITED,	/* Challenge ACKs withheld by challenge_ack_limit */
	XTCP_MIB_RSTLIMITED,		/* RSTs for no socket withheld by rst_limit */
	XTCP_MIB_MEMPRESSURES,		/* Times xtcp entered memory pressure */
	XTCP_MIB_SYNCOOKIESSENT,	/* SYN-ACKs sent with a SYN cookie */
	XTCP_MIB_SYNCOOKIESRECV,	/* ACKs with a valid SYN cookie */
	XTCP_MIB_SYNCOOKIESFAILED,	/* ACKs to a listener with an invalid SYN cookie */
	XTCP_MIB_OUTOFWINDOWICMPS,	/* ICMP errors quoting a sequence number not in flight */
	XTCP_MIB_LOCKDROPPEDICMPS,	/* ICMP errors dropped: the socket was owned */
	XTCP_MIB_PMTUREDUCED,		/* Times a path MTU drop lowered a connection's MSS */
	XTCP_MIB_ACKSKIPPED,		/* ACKs to out-of-window segments withheld (rate limit) */
	XTCP_MIB_REQDUPS,		/* SYNs whose request sock another CPU made first */
	XTCP_MIB_TIMERSDEFERRED,	/* Timer expiries left to release_sock() (owner busy) */
	XTCP_MIB_TSQTHROTTLED,		/* Sends stopped by TCP Small Queues (output.c) */
	XTCP_MIB_ENCAPINSEGS,		/* Segments received in UDP (udp.c) */
	XTCP_MIB_ENCAPOUTSEGS,		/* Segments sent in UDP */
	XTCP_MIB_ENCAPINERRS,		/* UDP datagrams to udp_port too short for a segment */
	XTCP_MIB_ENCAPMISMATCH,		/* Segments of the other form than their connection's */
	XTCP_MIB_DSACKRECV,		/* D-SACK blocks received */
	XTCP_MIB_DSACKDUBIOUS,		/* D-SACKs ignored: more reported twice than resent */
	XTCP_MIB_DSACKUNDO,		/* Reductions undone: every resend came back as a D-SACK */
	XTCP_MIB_ECNCERECV,		/* Data segments received with ECN's CE mark */
	XTCP_MIB_ECNCWR,		/* Window reductions for an ECN-Echo (CWR) */
	XTCP_MIB_SPURIOUSRTOS,		/* Timeouts F-RTO found spurious, and undid */
	XTCP_MIB_FULLUNDO,		/* Recoveries Eifel undid at their end (RFC 3522) */
	XTCP_MIB_PARTIALUNDO,		/* Recoveries Eifel undid on a partial ACK */
	XTCP_MIB_LOSSUNDO,		/* Timeouts Eifel undid */
	XTCP_MIB_LOSSPROBES,		/* Tail loss probes sent (RFC 8985) */
	XTCP_MIB_LOSSPROBERECOVERY,	/* Losses a tail loss probe repaired */
	XTCP_MIB_LOSTRETRANSMIT,	/* Resent segments found lost again (RACK, RTO) */
	XTCP_MIB_MINTTLDROP,		/* Segments and ICMP errors under IP_MINTTL */
	XTCP_MIB_ACKCOMPRESSED,		/* ACKs for out-of-order data held back */
	XTCP_MIB_PAWSESTAB,		/* Segments PAWS rejected (RFC 7323 section 5) */
	XTCP_MIB_SACKRECV,		/* SACK blocks the scoreboard took */
	XTCP_MIB_SACKSCANNED,		/* Queued skbs the scoreboard looked at for them */
	XTCP_MIB_PAWSACTIVE,		/* SYN-ACKs reset: TSecr no TSval of ours */
	XTCP_MIB_CURRESTAB,		/* Gauge: connections in ESTABLISHED or CLOSE-WAIT */
	XTCP_MIB_MAX
};

struct xtcp_mib {
	unsigned long	mibs[XTCP_MIB_MAX];
};

/* Per network namespace state. */
struct xtcp_net {
	struct sock			*ctl_sk;	/* sends RSTs for no socket */
	struct sock			*ctl_sk6;	/* IPv6's; NULL without IPv6 */
	struct xtcp_mib __percpu	*mib;
	struct ctl_table_header		*sysctl_hdr;
	struct inet_timewait_death_row	death_row;
	int				sysctl_syn_retries;
	int				sysctl_synack_retries;
	int				sysctl_retries2;
	int				sysctl_orphan_retries;
	int				sysctl_fin_timeout;	/* s */
	int				sysctl_tw_timeout;	/* s */
	int				sysctl_keepalive_time;	/* s */
	int				sysctl_keepalive_intvl;	/* s */
	int				sysctl_keepalive_probes;
	int				sysctl_gso;	/* 0/1 */
	int				sysctl_comp_sack_nr;	/* ACKs held, 0: off */
	int				sysctl_comp_sack_delay_ns;
	int				sysctl_comp_sack_slack_ns;
	int				sysctl_reordering;	/* segments */
	int				sysctl_max_reordering;	/* segments */
	int				sysctl_challenge_ack_limit; /* per s */
	int				sysctl_rst_limit;	/* per s */
	int				sysctl_syncookies;	/* 0/1/2 */
	int				sysctl_invalid_ratelimit; /* ms */
	unsigned int			sysctl_notsent_lowat;	/* bytes */
	int				sysctl_udp_port;	/* 0: off (udp.c) */
	int				sysctl_encap_port;	/* 0: plain */
	int				sysctl_ecn;	/* 0/1/2, tcp_ecn's */
	int				sysctl_ecn_fallback;	/* 0/1 */
	int				sysctl_timestamps;	/* 0/1/2, tcp_timestamps' */
	int				sysctl_sack;	/* 0/1, tcp_sack's */
	int				sysctl_frto;	/* 0: off, else F-RTO */
	int				sysctl_early_retrans; /* 3, 4: loss probes */
	int				sysctl_recovery; /* XTCP_RACK_* bits */
	int				sysctl_slow_start_after_idle; /* 0/1 */
	/*
	 * Pacing rate and TCP Small Queues (output.c), TCP's sysctls of
	 * the same names and defaults: sk_pacing_rate is cwnd / SRTT times
	 * pacing_ss_ratio (slow start) or pacing_ca_ratio percent; an skb
	 * carries about 1 ms of it (min_tso_segs at least, more when the
	 * min RTT is short: tso_rtt_log); what a socket has below it (qdisc,
	 * device) stays within 1 ms of it, or limit_output_bytes unpaced.
	 */
	int				sysctl_pacing_ss_ratio;	/* % */
	int				sysctl_pacing_ca_ratio;	/* % */
	int				sysctl_limit_output_bytes;
	int				sysctl_min_tso_segs;
	int				sysctl_tso_rtt_log;
	/*
	 * Socket buffers (net.xtcp.rmem, wmem: tcp_rmem's and tcp_wmem's
	 * meanings and defaults): the least, a new socket's, and the most
	 * auto-tuning grows a buffer to; moderate_rcvbuf 0 turns receive
	 * buffer auto-tuning off.  Read with READ_ONCE() (xtcp_rmem()).
	 * The kernel's socket accounting guarantees xtcp_prot's own
	 * minimum under pressure (sk_get_rmem0()), which is the default's.
	 */
	int				sysctl_rmem[3];
	int				sysctl_wmem[3];
	int				sysctl_moderate_rcvbuf;	/* 0/1 */
	/* New sockets' algorithm (net.xtcp.congestion_control); READ_ONCE. */
	const struct xtcp_cong_ops	*ca_default;
	/*
	 * Receive in UDP on udp_port, IPv4's and IPv6's (NULL without IPv6);
	 * made and released under udp.c's mutex.
	 */
	struct socket			*udp_sock;
	struct socket			*udp_sock6;
	struct net			*net;
	/* Budgets of the second (xtcp_rate_allow()), shared without a lock. */
	struct xtcp_rate		challenge_rate;
	struct xtcp_rate		rst_rate;
};

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

/* net.xtcp.rmem[@i] of @sk's netns: 0 least, 1 initial, 2 most. */
static inline int xtcp_rmem(const struct sock *sk, int i)
{
	return READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_rmem[i]);
}

/* net.xtcp.wmem[@i] of @sk's netns, as xtcp_rmem(). */
static inline int xtcp_wmem(const struct sock *sk, int i)
{
	return READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_wmem[i]);
}

#define XTCP_INC_STATS(net, field) \
	this_cpu_inc(xtcp_pernet(net)->mib->mibs[field])
#define XTCP_ADD_STATS(net, field, val) \
	this_cpu_add(xtcp_pernet(net)->mib->mibs[field], val)
/* For the one gauge: a CPU's part may go below 0, the sum never does. */
#define XTCP_DEC_STATS(net, field) \
	this_cpu_dec(xtcp_pernet(net)->mib->mibs[field])

/*
 * Work that softirq found the socket owned for, left to xtcp_release_cb()
 * (run by release_sock()): bits of sk->sk_tsq_flags, which only TCP uses
 * otherwise.  A set bit holds a socket reference.
 */
enum xtcp_deferred_bits {
	XTCP_MTU_REDUCED_DEFERRED,	/* xtcp_v4_mtu_reduced() */
	XTCP_WRITE_TIMER_DEFERRED,	/* xtcp_write_timer_handler() */
	XTCP_DELACK_TIMER_DEFERRED,	/* xtcp_delack_timer_handler() */
	XTCP_TSQ_DEFERRED,		/* xtcp_tsq_write() */
	/*
	 * TCP Small Queues (output.c, as TCP's TSQ_THROTTLED and
	 * TSQ_QUEUED): the sender stopped because its segments below it
	 * (qdisc, device) hold too much; the socket waits on a CPU's list
	 * for those to be freed.  No reference of their own: QUEUED rides
	 * on the sk_wmem_alloc unit xtcp_wfree() keeps.
	 */
	XTCP_TSQ_THROTTLED,
	XTCP_TSQ_QUEUED,
};

#define XTCPF_MTU_REDUCED_DEFERRED	BIT(XTCP_MTU_REDUCED_DEFERRED)
#define XTCPF_WRITE_TIMER_DEFERRED	BIT(XTCP_WRITE_TIMER_DEFERRED)
#define XTCPF_DELACK_TIMER_DEFERRED	BIT(XTCP_DELACK_TIMER_DEFERRED)
#define XTCPF_TSQ_DEFERRED		BIT(XTCP_TSQ_DEFERRED)
#define XTCPF_TSQ_THROTTLED		BIT(XTCP_TSQ_THROTTLED)
#define XTCPF_TSQ_QUEUED		BIT(XTCP_TSQ_QUEUED)
#define XTCPF_DEFERRED_ALL		(XTCPF_MTU_REDUCED_DEFERRED | \
					 XTCPF_WRITE_TIMER_DEFERRED | \
					 XTCPF_DELACK_TIMER_DEFERRED | \
					 XTCPF_TSQ_DEFERRED)

/* Per segment state kept in skb->cb while an skb is in xtcp's hands. */
struct xtcp_skb_cb {
	union {
		struct inet_skb_parm	h4;	/* IP's, until we take over */
#if IS_ENABLED(CONFIG_IPV6)
		struct inet6_skb_parm	h6;	/* IPv6's: inet6_iif() reads it */
#endif
		/*
		 * Sent segments, on our queues: the delivery-rate snapshot
		 * (delivery.c).  IP never sees these skbs, only clones or
		 * copies of them, whose header xtcp_transmit_skb() clears
		 * before IP has them, as __tcp_transmit_skb() does.
		 */
		struct xtcp_tx_snap	tx;
	} header;
	u32	seq;		/* first sequence number */
	u32	end_seq;	/* seq + SYN + FIN + data length */
	union {
		u32	ack_seq;	/* received segments only */
		/*
		 * Sent segments, from when they are sent: how many segments
		 * of @mss bytes the skb makes on the wire (at least 1), and
		 * that size, 0 when it is one segment: the gso_segs and
		 * gso_size its clones go to IP with (xtcp_set_pcount(), as
		 * TCP's tcp_gso_segs and tcp_gso_size).
		 */
		struct {
			u16	pcount;
			u16	mss;
		};
	};
	u16	window;		/* received segments only, host order */
	u8	flags;		/* XTCP_FLAG_* */
	u8	sacked;		/* sent segments: XTCP_SKB_* */
	u32	tx_us;		/* sent segments: last (re)transmission */
	__be16	encap;		/* received: the UDP port it came from, 0: plain */
	u8	ip_dsfield;	/* received: the IP header's DS field (ECN) */
};

/*
 * xtcp_sock::ecn_flags, Explicit Congestion Notification (RFC 3168), as
 * TCP's TCP_ECN_* in value and meaning.
 */
#define XTCP_ECN_OK		0x01	/* both SYNs agreed on ECN */
#define XTCP_ECN_QUEUE_CWR	0x02	/* the next new segment carries CWR */
#define XTCP_ECN_DEMAND_CWR	0x04	/* ECE on what we send, until a CWR */
#define XTCP_ECN_SEEN		0x08	/* an ECT or CE segment arrived */

/* xtcp_skb_cb::sacked */
#define XTCP_SKB_LOST		0x01	/* to be resent (after a timeout) */
#define XTCP_SKB_RETRANS	0x02	/* was resent: no RTT sample (Karn) */
#define XTCP_SKB_SACKED		0x04	/* the peer has it (SACK) */
/*
 * Resent because it was marked lost: TCP keeps such a segment in
 * lost_out until it is ACKed or SACKed, so TCP_INFO's tcpi_lost counts
 * it (xtcp_retrans_lost_out() in sockopt.c); xtcp's lost_out holds those
 * still to be resent.
 */
#define XTCP_SKB_LOST_RESENT	0x08

#define XTCP_SKB_CB(skb)	((struct xtcp_skb_cb *)&((skb)->cb[0]))

/* Segments a queued skb makes on the wire (tcp_skb_pcount()). */
static inline u32 xtcp_skb_pcount(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->pcount;
}

/*
 * Cut @skb's data into segments of @mss on the wire: its segment count
 * and their size, as tcp_set_skb_tso_segs().  An skb of one segment,
 * or of none (a SYN or a lone FIN), counts one and has no size.
 */
static inline void xtcp_set_pcount(struct sk_buff *skb, unsigned int mss)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->pcount = xtcp_pcount(skb->len, mss);
	cb->mss = cb->pcount > 1 ? mss : 0;
}

/*
 * The length of @skb's segments on the wire: the size it was cut to,
 * or its whole length if it is one segment (tcp_skb_seglen()).
 */
static inline u32 xtcp_skb_seglen(const struct sk_buff *skb)
{
	return xtcp_skb_pcount(skb) > 1 ? XTCP_SKB_CB(skb)->mss : skb->len;
}

/* net.xtcp.recovery, tcp_recovery's bits. */
#define XTCP_RACK_LOSS_DETECTION	0x1	/* RACK marks losses by time */
#define XTCP_RACK_STATIC_REO_WND	0x2	/* the window never widens */
#define XTCP_RACK_NO_DUPTHRESH		0x4	/* window not 0 at DupThresh */
/* Recoveries a widened RACK window lasts (TCP_RACK_RECOVERY_THRESH). */
#define XTCP_RACK_RECOVERY_THRESH	16

static inline struct xtcphdr *xtcp_hdr(const struct sk_buff *skb)
{
	return (struct xtcphdr *)skb_transport_header(skb);
}

struct xtcp_encap_sock;

/*
 * TIME-WAIT: the kernel's lightweight timewait sock, hashed in place of
 * the full socket for tw_timeout seconds, with what it needs to answer.
 */
struct xtcp_timewait_sock {
	struct inet_timewait_sock	tw_sk;
	u32				xtw_rcv_nxt;
	u32				xtw_snd_nxt;
	u32				xtw_last_oow_ack_time;	/* jiffies */
	/* Timestamps (RFC 7323) if the connection had them: for PAWS. */
	u32				xtw_ts_recent;
	u32				xtw_ts_recent_stamp;	/* seconds */
	u16				xtw_rcv_wnd;
	u8				xtw_ts_ok;
	u32				xtw_ts_offset;	/* added to our TSvals */
	__be16				xtw_encap_port;	/* 0: plain (udp.c) */
	__be16				xtw_encap_sport; /* our UDP port */
	/* The connection's own UDP socket, kept to receive on (udp.c). */
	struct xtcp_encap_sock		*xtw_encap_sock;
};

static inline struct xtcp_timewait_sock *xtcp_twsk(const struct sock *sk)
{
	return (struct xtcp_timewait_sock *)sk;
}

/* What to do with a segment that found a timewait sock. */
enum xtcp_tw_action {
	XTCP_TW_DROP,		/* nothing */
	XTCP_TW_ACK,		/* answer with an ACK */
	XTCP_TW_KILL,		/* a RST: the timewait sock goes */
	XTCP_TW_SYN,		/* a new connection may reuse the 4-tuple */
};

/**
 * struct xtcp_request_sock_af_ops - what a SYN's address family does for it
 * @init_req: set the request's addresses from the segment that made it
 * @init_seq: our ISN for the connection the SYN asks for (RFC 6528)
 * @cookie_hash: the keyed hash of the segment's addresses and ports a SYN
 *	cookie is made of (@which 0: without @count; 1: with it)
 * @send_synack: send, or resend, the request's SYN-ACK
 * @init_ts_off: the offset of our TSvals for the connection (xtcp_ts_off())
 *
 * As tcp_request_sock_ops: xtcp_conn_request() and the SYN-cookie check
 * are the family's no more than through these.  A request keeps its
 * family's (af_specific) for the request timer's retransmissions.
 * IPv4's are xtcp_request_sock_ipv4_ops (ipv4.c).
 */
struct xtcp_request_sock_af_ops {
	void	(*init_req)(struct request_sock *req, struct sk_buff *skb);
	u32	(*init_seq)(const struct sk_buff *skb);
	u32	(*cookie_hash)(const struct sk_buff *skb, u32 count, int which);
	int	(*send_synack)(const struct sock *sk, struct request_sock *req);
	u32	(*init_ts_off)(const struct net *net, const struct sk_buff *skb);
};

/* A request sock: a SYN seen by a listener, SYN-ACK sent, no ACK yet. */
struct xtcp_request_sock {
	struct inet_request_sock	req;
	const struct xtcp_request_sock_af_ops *af_specific;
	u32				snt_isn;	/* our ISN */
	u32				rcv_isn;	/* peer's ISN */
	u32				snd_wnd;	/* peer's window on SYN */
	u32				rcv_wnd;	/* window our SYN-ACK offered */
	u16				mss;		/* peer's MSS option */
	u16				synack_mss;	/* MSS our SYN-ACK offered */
	u32				synack_us;	/* first SYN-ACK sent */
	u32				txhash;		/* the flow hash, then the child's */
	u32				last_oow_ack_time; /* jiffies */
	u32				ts_off;		/* added to our TSvals */
	/* A cookie's SYN-ACK: its TSval less ts_off, the options in it. */
	u32				ts_cookie;
	bool				ts_cookie_ok;
	__be16				encap_port;	/* the SYN's UDP port, 0: plain */
	__be16				encap_sport;	/* the port it came to */
};

static inline struct xtcp_request_sock *xtcp_rsk(const struct request_sock *req)
{
	return (struct xtcp_request_sock *)req;
}

/* What a send-side chronograph times (TCP's enum tcp_chrono). */
enum xtcp_chrono {
	XTCP_CHRONO_UNSPEC,
	XTCP_CHRONO_BUSY,		/* data to send or in flight */
	XTCP_CHRONO_RWND_LIMITED,	/* stalled by the peer's window */
	XTCP_CHRONO_SNDBUF_LIMITED,	/* stalled by the send buffer */
	XTCP_CHRONO_MAX
};

/*
 * An xtcp socket.  Sequence variables as named in RFC 9293 section 3.3.1.
 * Every field is written under the socket lock (see the top of this
 * file).  Read without it (poll(), SIOCINQ/SIOCOUTQ, SIOCATMARK, /proc,
 * sock_diag, getsockopt()s that do not lock, the listener's softirq
 * path), so written with WRITE_ONCE(): snd_una, snd_nxt, write_seq,
 * rcv_nxt, copied_seq, mss_cache, user_mss, nonagle, urg_data, urg_seq,
 * window_clamp, notsent_lowat, syn_retries, keepalive_time,
 * keepalive_intvl, keepalive_probes, ca_choice, mtu_info, segs_in,
 * data_segs_in, and a listener's synq_overflow.
 */
struct xtcp_sock {
	struct inet_connection_sock	icsk;	/* must be first */

	/* A listener's: when its SYN queue last overflowed (jiffies). */
	unsigned long	synq_overflow;

	/* Send sequence space. */
	u32	iss;
	u32	snd_una;	/* oldest unacknowledged */
	u32	snd_nxt;	/* next to send */
	u32	write_seq;	/* end of what the application queued */
	u32	pushed_seq;	/* write_seq at the last forced push */
	u32	snd_wnd;	/* peer's advertised window */
	u32	snd_wl1;	/* seq of segment used for last window update */
	u32	snd_wl2;	/* ack of segment used for last window update */
	u32	max_window;	/* largest window the peer offered */

	/* Receive sequence space. */
	u32	irs;
	u32	rcv_nxt;	/* next expected */
	u32	rcv_wnd;	/* window last advertised */
	u32	rcv_wup;	/* rcv_nxt when rcv_wnd was advertised */
	/*
	 * The most the window offers (TCP's rcv_ssthresh): from the first
	 * window, grown by each segment that arrives toward the free space
	 * (xtcp_grow_window()), cut when memory runs short.  Socket lock.
	 */
	u32	rcv_ssthresh;
	u32	copied_seq;	/* next byte the application will read */

	u16	mss_cache;	/* current sending MSS */
	u16	advmss;		/* MSS we announce */
	u16	rx_mss;		/* MSS the peer announced, 0: none */
	u16	user_mss;	/* TCP_MAXSEG, 0: none */
	/*
	 * The peer's UDP port if the connection is in UDP (udp.c), 0 if it
	 * is plain; before connect(), XTCP_ENCAP_PORT's (or the sysctl's).
	 */
	__be16	encap_port;
	__be16	encap_sport;	/* in UDP: the port we send from, receive on */
	u16	rcv_mss;	/* guess of the peer's segment size */
	u8	fin_queued:1;	/* our FIN is on the write queue */
	u8	wscale_ok:1;	/* both sides sent window scale (RFC 7323) */
	u8	sack_ok:1;	/* both sides sent SACK permitted (RFC 2018) */
	u8	ack_pushed:1;	/* a short pushed segment waits for its ACK */
	u8	ts_ok:1;	/* both SYNs carried timestamps (RFC 7323) */
	/*
	 * F-RTO (RFC 5682, the SACK-enhanced variant as Linux's
	 * tcp_process_loss()): armed by a timeout; once an ACK moves
	 * SND.UNA, new data goes out rather than the rest of the window
	 * (frto_new, for the next write_xmit), and an ACK of data sent
	 * before the timeout and never resent (frto_orig, set and read
	 * within the processing of one ACK) shows the timeout spurious.
	 */
	u8	frto:1;
	u8	frto_new:1;
	u8	frto_orig:1;
	/*
	 * Tail loss probe (RFC 8985 section 7, as tcp_send_loss_probe()):
	 * tlp_high_seq is SND.NXT when the probe went, 0 while none is
	 * out; tlp_retrans says it resent the last segment rather than
	 * sent a new one.  Under the socket lock.
	 */
	u8	tlp_retrans:1;
	u8	ecn_flags;	/* XTCP_ECN_*, under the socket lock */
	u8	snd_wscale;	/* shift of the peer's windows */
	u8	rcv_wscale;	/* shift of ours */
	u8	nonagle;	/* XTCP_NAGLE_* */
	u8	quickack;	/* data segments still to ACK at once */
	/*
	 * SACK compression (xtcp_ack_ofo(), as tcp_sack_compress): ACKs
	 * for out-of-order data not yet sent (compressed_ack), the
	 * duplicate ACKs sent at once since RCV.NXT was compressed_rcv_nxt
	 * (dup_ack_counter), and the timer that sends the one ACK for them.
	 * The fields under the socket lock; the timer holds a socket
	 * reference while queued, its handler takes the bh lock.
	 */
	u8	compressed_ack;
	u8	dup_ack_counter;
	u32	compressed_rcv_nxt;
	struct hrtimer	compressed_ack_timer;
	/*
	 * Pacing of our own (output.c), when the socket asks for it
	 * (SK_PACING_NEEDED: SO_MAX_PACING_RATE, or an algorithm that
	 * paces) and no fq qdisc does it, as TCP's: wstamp_ns is the
	 * earliest the next skb may leave (ktime_get_ns()), clock_ns the
	 * clock_us of xtcp_clock_refresh() in full; the timer, holding a socket reference
	 * while queued, sends on at wstamp_ns.  Under the socket lock.
	 */
	u64	wstamp_ns;
	u64	clock_ns;
	struct hrtimer	pacing_timer;
	u32	snd_sml;	/* end of the last short segment sent (Nagle) */
	u32	tlp_high_seq;	/* SND.NXT at the loss probe, 0: none out */
	/*
	 * RACK (RFC 8985 section 6): of the segments the peer has (ACKed or
	 * SACKed), the one sent last: when (xtcp_clock_us()), where it
	 * ends, and its RTT; advanced: one was delivered since the last
	 * loss check.  The reordering window is reo_steps quarters of the
	 * min RTT (0 counts as 1), widened by a step per round with
	 * D-SACKs (dsack_seen; reo_seq: SND.NXT when it last widened) and
	 * kept so for reo_persist recoveries (RFC 8985 section 6.2 step 4,
	 * tcp_rack_update_reo_wnd()).  The loss check walks the queue in
	 * sending order (tsorted_sent_queue).  Under the socket lock.
	 */
	struct {
		u32	xmit_us;
		u32	end_seq;
		u32	rtt_us;
		u32	reo_seq;
		u8	reo_steps;
		u8	reo_persist;
		u8	advanced:1;
		u8	valid:1;	/* xmit_us and end_seq were set */
		u8	dsack_seen:1;
	} rack;
	u32	rcv_unacked;	/* bytes received since our last ACK */
	/* Last ACK sent for an out-of-window segment (jiffies, 0: none). */
	u32	last_oow_ack_time;
	/* Path MTU from the last ICMP "fragmentation needed" (ipv4.c). */
	u32	mtu_info;
	/*
	 * Urgent data (RFC 9293 3.8.5, with Linux's BSD reading of the
	 * pointer): snd_up is one past our last urgent byte, equal to
	 * snd_una outside urgent mode.  The peer's urgent byte is at
	 * urg_seq; urg_data says whether it arrived (XTCP_URG_VALID, with
	 * the byte in the low 8 bits), is still to come or was read.  Read
	 * locklessly by poll() and SIOCATMARK.
	 */
	u32	snd_up;
	u32	urg_seq;
	u16	urg_data;

	/* Round-trip time and the congestion window (pure.h). */
	struct xtcp_rtt			rtt;
	struct xtcp_cc			cc;
	/* Delivery-rate sampling (pure.h, delivery.c). */
	struct xtcp_delivery		dlv;
	/* The algorithm in use; NULL until the handshake is over. */
	const struct xtcp_cong_ops	*ca_ops;
	/* The one TCP_CONGESTION chose (the default unless set). */
	const struct xtcp_cong_ops	*ca_choice;
	/*
	 * Counted in segments on the wire, an skb of rtx_queue counting its
	 * pcount (xtcp_skb_pcount()), as TCP's counters.
	 */
	u32	packets_out;	/* segments on rtx_queue */
	u32	lost_out;	/* of which marked lost, not yet resent */
	u32	lost;		/* segments ever marked lost (TCP's tp->lost) */
	u32	sacked_out;	/* of which SACKed by the peer */
	u32	fack;		/* end of the highest SACKed, if sacked_out */
	/*
	 * Below lost_hint every skb is SACKed, marked lost or resent:
	 * DupThresh's marking starts there (xtcp_sack_detect_loss(), as
	 * TCP's lost_skb_hint).  Reset to SND.UNA when a SACK episode
	 * starts and when marks go (an undo, a reneging peer).
	 */
	u32	lost_hint;
	/*
	 * Below retransmit_hint no skb is marked lost: the resends of what
	 * is marked lost start there (xtcp_xmit_lost(), as TCP's
	 * retransmit_skb_hint); lowered by each new mark below it
	 * (xtcp_mark_lost_hint()).  Under the socket lock.
	 */
	u32	retransmit_hint;
	/*
	 * The SACK blocks of the last ACK that carried some, sorted by
	 * start (TCP's recv_sack_cache): their skbs are marked, so the
	 * next ACK walks only what its blocks add to them.  Trusted only
	 * while sacked_out (a timeout that finds the peer reneged clears
	 * every mark and sacked_out).  Under the socket lock.
	 */
	struct xtcp_sack_block	recv_sack_cache[XTCP_MAX_SACKS];
	u8	num_sack_cache;

	/* Receive buffer auto-tuning: what the application read per RTT. */
	struct {
		u32	space;
		u32	seq;
		u32	time_us;
	} rcvq_space;
	/*
	 * The receiver's RTT estimate (TCP's rcv_rtt_est), for auto-tuning,
	 * SACK compression's delay and TCP_INFO's tcpi_rcv_rtt: rtt_us in
	 * us << 3, 0 until the first sample (xtcp_rcv_rtt_update()); from
	 * the echoes of our timestamps on full segments, and without them
	 * from the time a window of data takes to arrive (seq: the window's
	 * end, time_us: when it was offered).  rcv_rtt_last_tsecr: the last
	 * TSecr that gave a sample.  Socket lock.
	 */
	struct {
		u32	rtt_us;
		u32	seq;
		u32	time_us;
	} rcv_rtt_est;
	u32	rcv_rtt_last_tsecr;

	unsigned long	rcv_tstamp;	/* jiffies of the last valid ACK */
	/* For TCP_USER_TIMEOUT: jiffies the head of the retransmission
	 * queue was first sent, once it has timed out.
	 */
	unsigned long	retrans_stamp;
	/* Keepalive (TCP_KEEPIDLE/INTVL/CNT); 0: the netns' sysctl. */
	u32	keepalive_time;		/* jiffies */
	u32	keepalive_intvl;	/* jiffies */
	u8	keepalive_probes;
	/* TCP_SYNCNT: SYN (a listener's: SYN-ACK) retries; 0: the sysctl. */
	u8	syn_retries;
	/* TCP_LINGER2 in jiffies: an orphan's FIN-WAIT-2; 0: fin_timeout. */
	int	linger2;
	/* TCP_WINDOW_CLAMP: the largest window we offer, 0: no clamp. */
	u32	window_clamp;
	/* TCP_NOTSENT_LOWAT: writable below this many unsent bytes, 0: sysctl. */
	u32	notsent_lowat;

	/*
	 * TCP_INFO's counters, with TCP's meanings (tcp_get_info(); RFC
	 * 4898 names).  Written under the socket lock, segs_in and
	 * data_segs_in by softirq under the bh lock too (the segment may
	 * go to the backlog); read under the lock by TCP_INFO.  Zeroed by
	 * disconnect() and for a new child (xtcp_info_reset()).
	 */
	u64	bytes_sent;	/* data sent, retransmissions included */
	u64	bytes_retrans;	/* data retransmitted */
	u64	bytes_acked;	/* sequence space SND.UNA passed: data and FIN,
				 * and our SYN on an active open (TCP's)
				 */
	u64	bytes_received;	/* sequence space RCV.NXT passed: data, FIN */
	u32	segs_out;	/* segments sent, GSO segments counted */
	u32	data_segs_out;	/* of which carried data */
	u32	segs_in;	/* segments that reached the socket */
	u32	data_segs_in;	/* of which carried data */
	u32	total_retrans;	/* segments retransmitted: RetransSegs' */
	/*
	 * TSval of the earliest resend of data still outstanding, 0 for
	 * none (Linux's retrans_stamp): what Eifel compares an echo with.
	 */
	u32	retrans_tsval;
	u32	dsack_dups;	/* resent segments the peer got twice (D-SACK) */
	u32	reord_seen;	/* reordering detected (xtcp_reordered()) */
	u32	rcv_ooopack;	/* segments received out of order */
	u32	min_rtt_us;	/* lowest RTT sample, ~0U: none yet */
	u32	lsndtime;	/* jiffies of the last data sent */
	/*
	 * Chronographs (TCP's tcp_chrono_*(), output.c): jiffies spent
	 * with data to send (busy), and of it stalled by the peer's
	 * window or by the send buffer.  One runs at a time, the most
	 * telling (the highest enum xtcp_chrono) since chrono_start;
	 * chrono_stat[] holds each one's past time.  Under the socket
	 * lock; TCP_INFO's busy_time, rwnd_limited, sndbuf_limited.
	 */
	u32	chrono_start;
	u32	chrono_stat[XTCP_CHRONO_MAX - 1];
	u8	chrono_type;	/* enum xtcp_chrono */
	/*
	 * On a CPU's list of sockets TCP Small Queues throttled, while
	 * XTCP_TSQ_QUEUED is set (output.c: xtcp_wfree(), the tasklet),
	 * under that list's IRQ-off section.
	 */
	struct list_head	tsq_node;
	/*
	 * The microsecond clock as the event being handled began
	 * (xtcp_clock_refresh()), as TCP's tp->tcp_mstamp: what the ACK
	 * path, the send path and the timers stamp segments and take RTT
	 * and delivery samples with, one clock read per event instead of
	 * one per use (under emulation a read costs a device access).
	 * Written and read under the socket lock; refreshed where each of
	 * those paths begins (xtcp_rcv_state_process(), __xtcp_write_xmit(),
	 * xtcp_write_timer_handler(), and the rarer entries that send or
	 * measure on their own).
	 */
	u32	clock_us;
	/*
	 * Timestamps (RFC 7323), under the socket lock.  clock_ms is the
	 * millisecond clock read with clock_us, our TSvals are clock_ms +
	 * ts_offset.  ts_recent is the TSval we echo, ts_recent_stamp when
	 * it was stored (seconds, for PAWS's 24 days).  The segment being
	 * processed: saw_tstamp, rcv_tsval, rcv_tsecr (Linux's rx_opt).
	 */
	u32	clock_ms;
	u32	ts_offset;
	u32	ts_recent;
	u32	ts_recent_stamp;
	u32	rcv_tsval;
	u32	rcv_tsecr;
	u8	saw_tstamp;
	/*
	 * The TSval of our first SYN: a SYN-ACK must echo one from then
	 * on (xtcp_rcv_synsent(), as Linux's retrans_stamp there).
	 */
	u32	syn_tsval;

	/*
	 * Data sent and not yet acknowledged, in skbs of one or more
	 * segments (xtcp_skb_pcount()), in an rbtree by sequence number
	 * (skb->rbnode, as TCP's sk->tcp_rtx_queue), not overlapping: what
	 * an ACK or a SACK block covers is found by a search, not a walk
	 * from the head (xtcp_rtx_queue_*()).  Unsent data waits on
	 * sk->sk_write_queue in skbs of up to the size goal.  Both are
	 * charged to sk_wmem_queued.  A field of ours rather than struct
	 * sock's tcp_rtx_queue: that union with sk_send_head is TCP's (the
	 * core only clears it, in sock_init_data() and sk_clone_lock()),
	 * and ours is set up with the rest of the xtcp_sock.
	 */
	struct rb_root		rtx_queue;
	/*
	 * The same skbs in the order they were last sent (TCP's
	 * tsorted_sent_queue, through skb->tcp_tsorted_anchor), for RACK,
	 * which looks for the oldest sent first and stops at the first
	 * sent after the last delivered (xtcp_rack_detect_loss()).  An skb
	 * leaves it when SACKed or marked lost by RACK and comes back at
	 * the tail when resent.
	 */
	struct list_head	tsorted_sent_queue;
	/*
	 * Segments received beyond RCV.NXT, in an rbtree by sequence number,
	 * not overlapping, waiting for the hole before them; charged to
	 * sk_rmem_alloc, within sk_rcvbuf.  ooo_last_skb is the highest,
	 * where most arrivals go (or join).
	 */
	struct rb_root		out_of_order_queue;
	struct sk_buff		*ooo_last_skb;
	/*
	 * The SACK blocks our ACKs carry (RFC 2018 section 4), kept as
	 * segments arrive out of order and as RCV.NXT passes them: the
	 * block of the latest arrival first.  Only with sack_ok.
	 */
	struct xtcp_sack_block	selective_acks[XTCP_MAX_SACKS];
	u8			num_sacks;
	/*
	 * A D-SACK block (RFC 2883) for the next ACK, first of its blocks:
	 * data that arrived twice.  Reported once.  Only with sack_ok.
	 */
	u8			dsack;
	struct xtcp_sack_block	dsack_block;
	/*
	 * An active open in UDP: the UDP socket it sends from and receives
	 * on, a port of its own (udp.c); NULL otherwise.  Set at connect()
	 * and released at disconnect or destroy, or handed to TIME-WAIT.
	 */
	struct xtcp_encap_sock	*encap_sock;
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/*
 * The retransmission queue (xtcp_sock::rtx_queue), an rbtree of skbs by
 * sequence number, as TCP's tcp_rtx_queue_*() helpers.  Under the
 * socket lock.
 */
/* An skb from @seq on was just marked lost: resends start no later. */
static inline void xtcp_mark_lost_hint(struct xtcp_sock *xs, u32 seq)
{
	if (xtcp_before(seq, xs->retransmit_hint))
		xs->retransmit_hint = seq;
}

static inline struct sk_buff *xtcp_rtx_queue_head(const struct sock *sk)
{
	return skb_rb_first(&xtcp_sk(sk)->rtx_queue);
}

static inline struct sk_buff *xtcp_rtx_queue_tail(const struct sock *sk)
{
	return skb_rb_last(&xtcp_sk(sk)->rtx_queue);
}

static inline bool xtcp_rtx_queue_empty(const struct sock *sk)
{
	return RB_EMPTY_ROOT(&xtcp_sk(sk)->rtx_queue);
}

/* None or one skb: the one TCP Small Queues never waits for (TCP's). */
static inline bool xtcp_rtx_queue_empty_or_single(const struct sock *sk)
{
	const struct rb_node *node = xtcp_sk(sk)->rtx_queue.rb_node;

	return !node || (!node->rb_left && !node->rb_right);
}

/* Every skb of @sk's retransmission queue, from the lowest sequence. */
#define xtcp_rtx_queue_walk(skb, sk) \
	skb_rbtree_walk(skb, &xtcp_sk(sk)->rtx_queue)

/* Take @skb off the queue; the caller frees or requeues it. */
static inline void xtcp_rtx_queue_unlink(struct sk_buff *skb, struct sock *sk)
{
	rb_erase(&skb->rbnode, &xtcp_sk(sk)->rtx_queue);
}

/*
 * skb->tcp_tsorted_anchor shares a union with _skb_refdst and the
 * destructor: a clone or copy of a queued skb must not take the list
 * pointer for a route (skb_dst_copy()), so it is put aside meanwhile
 * (as tcp_skb_tsorted_save() and _restore()); a queued skb gives the
 * two fields back empty before it is freed
 * (tcp_skb_tsorted_anchor_cleanup()).
 */
static inline unsigned long xtcp_skb_tsorted_save(struct sk_buff *skb)
{
	unsigned long save = skb->_skb_refdst;

	skb->_skb_refdst = 0UL;
	return save;
}

static inline void xtcp_skb_tsorted_restore(struct sk_buff *skb,
					    unsigned long save)
{
	skb->_skb_refdst = save;
}

static inline void xtcp_skb_tsorted_anchor_cleanup(struct sk_buff *skb)
{
	skb->destructor = NULL;
	skb->_skb_refdst = 0UL;
}

void xtcp_rtx_queue_insert(struct sock *sk, struct sk_buff *skb);
struct sk_buff *xtcp_rtx_queue_find(const struct sock *sk, u32 seq);
void xtcp_rtx_queue_unlink_and_free(struct sk_buff *skb, struct sock *sk);
void xtcp_rtx_queue_purge(struct sock *sk);
void xtcp_chrono_start(struct sock *sk, enum xtcp_chrono type);
void xtcp_chrono_stop(struct sock *sk, enum xtcp_chrono type);

#if IS_ENABLED(CONFIG_IPV6)
/*
 * An AF_INET6 xtcp socket, as struct tcp6_sock: IPv6's per-socket state
 * last, where inet6_create() finds it (inet6_sk_generic(): the object's
 * size less that of struct ipv6_pinfo).  ipv6.c.
 */
struct xtcp6_sock {
	struct xtcp_sock	xs;
	struct ipv6_pinfo	inet6;
};
#endif

/* Microseconds, for RTT samples; wraps every 71 minutes. */
static inline u32 xtcp_clock_us(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/* Milliseconds, the timestamps' clock (tcp_time_stamp's, TCP_TS_HZ). */
static inline u32 xtcp_clock_ms(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

/*
 * The event now handled on @xs starts: read the clock (xs->clock_us, and
 * the timestamps' xs->clock_ms from the same read).
 */
static inline void xtcp_clock_refresh(struct xtcp_sock *xs)
{
	u64 ns = ktime_get_ns();

	xs->clock_ns = ns;
	xs->clock_us = (u32)div_u64(ns, NSEC_PER_USEC);
	xs->clock_ms = (u32)div_u64(ns, NSEC_PER_MSEC);
}

/* RFC 7323 section 5.5: a ts_recent idle this long is no PAWS guide. */
#define XTCP_PAWS_24DAYS	(60 * 60 * 24 * 24)
/* TIME-WAIT takes a RST with an old TSval after this long (TCP_PAWS_MSL). */
#define XTCP_PAWS_MSL		60
/* Linux's TCP_PAWS_WINDOW: a TSval this much behind passes anyway. */
#define XTCP_PAWS_WINDOW	1

/*
 * RFC 7323 section 5.3 R1, as tcp_paws_check(): whether @tsval is recent
 * enough against @ts_recent (stored at @stamp, in seconds), @win behind
 * it at most.  A ts_recent idle for 24 days no longer judges (section
 * 5.5), and one of 0 never does: stacks that send TSval 0 on the SYN
 * would be locked out.  Full sockets' and timewait socks' check.
 */
static inline bool xtcp_paws_ok(u32 ts_recent, u32 stamp, u32 tsval, int win)
{
	return (s32)(ts_recent - tsval) <= win || !ts_recent ||
	       (s32)((u32)ktime_get_seconds() -
		     (stamp + XTCP_PAWS_24DAYS)) >= 0;
}

/* The TSval @xs sends now (RFC 7323 section 4.1, as tcp_time_stamp). */
static inline u32 xtcp_tsval(const struct xtcp_sock *xs)
{
	return xs->clock_ms + xs->ts_offset;
}

/* Segments the network holds as far as the sender knows (RFC 6675). */
static inline u32 xtcp_in_flight(const struct xtcp_sock *xs)
{
	return xs->packets_out - xs->lost_out - xs->sacked_out;
}

/*
 * TCP's congestion states (TCP_CA_*) from xtcp's, for TCP_INFO and the
 * tracepoints: TCP_CA_Disorder while duplicate ACKs or SACKs are seen.
 */
static inline u8 xtcp_ca_state(const struct xtcp_sock *xs)
{
	switch (xs->cc.state) {
	case XTCP_CA_RECOVERY:
		return TCP_CA_Recovery;
	case XTCP_CA_LOSS:
		return TCP_CA_Loss;
	case XTCP_CA_CWR:
		return TCP_CA_CWR;
	default:
		return xs->cc.dupacks || xs->sacked_out ? TCP_CA_Disorder :
		       TCP_CA_Open;
	}
}

/* TCP_INFO's counters of a connection that starts (xtcp_sock). */
static inline void xtcp_info_reset(struct xtcp_sock *xs)
{
	xs->bytes_sent = 0;
	xs->bytes_retrans = 0;
	xs->bytes_acked = 0;
	xs->bytes_received = 0;
	xs->segs_out = 0;
	xs->data_segs_out = 0;
	WRITE_ONCE(xs->segs_in, 0);
	WRITE_ONCE(xs->data_segs_in, 0);
	xs->total_retrans = 0;
	xs->dsack_dups = 0;
	xs->reord_seen = 0;
	xs->rcv_ooopack = 0;
	xs->min_rtt_us = ~0U;
	xs->chrono_type = XTCP_CHRONO_UNSPEC;
	memset(xs->chrono_stat, 0, sizeof(xs->chrono_stat));
	xtcp_delivery_reset(&xs->dlv);
}

/*
 * @skb, neither SACKed nor marked, is lost: counted in lost_out until
 * resent or acknowledged, and in lost for good (tcp_mark_skb_lost()).
 */
static inline void xtcp_skb_mark_lost(struct xtcp_sock *xs,
				      struct sk_buff *skb)
{
	XTCP_SKB_CB(skb)->sacked |= XTCP_SKB_LOST;
	xs->lost_out += xtcp_skb_pcount(skb);
	xs->lost += xtcp_skb_pcount(skb);
}

/*
 * The congestion window is what limits the sender: all of it in flight,
 * or in slow start half of it (tcp_is_cwnd_limited()'s reading).
 */
static inline bool xtcp_cwnd_limited(const struct xtcp_sock *xs, u32 flight)
{
	return flight >= xs->cc.cwnd ||
	       (xs->cc.cwnd < xs->cc.ssthresh && 2 * flight >= xs->cc.cwnd);
}

/* A round-trip time measured: the estimator, and the lowest seen. */
static inline void xtcp_rtt_measured(struct xtcp_sock *xs, u32 rtt_us)
{
	xtcp_rtt_sample(&xs->rtt, rtt_us);
	xs->min_rtt_us = min(xs->min_rtt_us, max(rtt_us, 1U));
}

/*
 * @skb, its header at skb->data, reached a full socket (it may go on to
 * the backlog): TCP_INFO's counts, as tcp_segs_in() (bh lock held).
 */
static inline void xtcp_segs_in(struct xtcp_sock *xs, const struct sk_buff *skb)
{
	const struct xtcphdr *th = (const struct xtcphdr *)skb->data;
	u16 segs = max_t(u16, skb_shinfo(skb)->gso_segs, 1);

	WRITE_ONCE(xs->segs_in, xs->segs_in + segs);
	if (skb->len > th->doff * 4)
		WRITE_ONCE(xs->data_segs_in, xs->data_segs_in + segs);
}

/* xtcp_sock::urg_data, as TCP's TCP_URG_* */
#define XTCP_URG_VALID		0x0100
#define XTCP_URG_NOTYET		0x0200
#define XTCP_URG_READ		0x0400

/* The peer's SYN gave its ISN and window: set up the receive side. */
static inline void xtcp_init_peer(struct xtcp_sock *xs, u32 irs, u32 wnd)
{
	xs->irs = irs;
	WRITE_ONCE(xs->rcv_nxt, irs + 1);
	WRITE_ONCE(xs->copied_seq, xs->rcv_nxt);
	xs->rcv_wup = xs->rcv_nxt;
	xs->snd_wnd = wnd;
	xs->max_window = wnd;
	xs->snd_wl1 = irs;
}

static inline bool xtcp_skb_has_flag(const struct sk_buff *skb, u8 flag)
{
	return XTCP_SKB_CB(skb)->flags & flag;
}

/* The gso_type of an skb of several segments (offload.c). */
#define XTCP_GSO_TYPE		SKB_GSO_SCTP

/* offload.c */
int xtcp_offload_init(void);
void xtcp_offload_exit(void);
struct sk_buff *xtcp_udp_gro_receive(struct sock *sk, struct list_head *head,
				     struct sk_buff *skb);
int xtcp_udp_gro_complete(struct sock *sk, struct sk_buff *skb, int thoff);

/* protocol.c */
u32 xtcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);
u32 xtcp_cookie_hash(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport,
		     u32 count, int which);
u32 xtcp_isn6(const struct in6_addr *saddr, const struct in6_addr *daddr,
	      __be16 sport, __be16 dport);
u32 xtcp_ts_off(const struct net *net, __be32 saddr, __be32 daddr);
u32 xtcp_ts_off6(const struct net *net, const struct in6_addr *saddr,
		 const struct in6_addr *daddr);
u32 xtcp_cookie_hash6(const struct in6_addr *saddr,
		      const struct in6_addr *daddr, __be16 sport, __be16 dport,
		      u32 count, int which);
void xtcp_set_state(struct sock *sk, int state);
void xtcp_done(struct sock *sk);
unsigned long xtcp_fin_timeout(const struct sock *sk);
u32 xtcp_keepalive_time(const struct sock *sk);
u32 xtcp_keepalive_intvl(const struct sock *sk);
int xtcp_keepalive_probes(const struct sock *sk);
void xtcp_write_err(struct sock *sk);
void xtcp_established(struct sock *sk);
bool xtcp_too_many_orphans(const struct sock *sk);

/* ipv4.c */
int xtcp_v4_init(void);
void xtcp_v4_exit(void);
int xtcp_v4_init_net(struct net *net);
void xtcp_v4_exit_net(struct net *net);
int xtcp_v4_init_sock(struct sock *sk);
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb);
int xtcp_v4_pre_connect(struct sock *sk, struct sockaddr *uaddr,
			int addr_len);
int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);
struct sock *xtcp_cookie_v4_check(struct sock *sk, struct sk_buff *skb);
void xtcp_v4_send_reset(const struct sock *sk, struct sk_buff *skb);
void xtcp_v4_send_check(struct sock *sk, struct sk_buff *skb);
void xtcp_tw_send_ack(struct inet_timewait_sock *tw, struct sk_buff *skb);
void xtcp_v4_reqsk_send_ack(const struct sock *sk, struct sk_buff *skb,
			    struct request_sock *req);
int xtcp_v4_send_synack(const struct sock *sk, struct request_sock *req);
void xtcp_v4_encap_rcv(struct sk_buff *skb, __be16 sport);
void xtcp_v4_encap_err(struct sk_buff *skb, u32 info, unsigned int thoff,
		       __be16 encap);
void xtcp_v4_set_plain(struct sock *sk);
void xtcp_v4_adopt(struct sock *sk);
struct sock *
xtcp_v4_syn_recv_sock(const struct sock *sk, struct sk_buff *skb,
		      struct request_sock *req, struct dst_entry *dst,
		      struct request_sock *req_unhash, bool *own_req,
		      void (*opt_child_init)(struct sock *newsk,
					     const struct sock *sk));
int xtcp_v4_conn_request(struct sock *sk, struct sk_buff *skb);
void xtcp_req_err(struct sock *sk, u32 seq, bool abort);
bool xtcp_reset_allowed(struct net *net, const struct sock *sk);
void xtcp_reqsk_destructor(struct request_sock *req);
void xtcp_v4_mtu_reduced(struct sock *sk);
void xtcp_v4_udp_send_check(struct sock *sk, struct sk_buff *skb);
bool xtcp_encap_matches(const struct sock *sk, const struct sk_buff *skb);
bool xtcp_encap_ports_match(const struct sock *sk, __be16 encap, __be16 ours);

/* ipv6.c; without IPv6 in the kernel, what the rest calls is a stub. */
#if IS_ENABLED(CONFIG_IPV6)
struct flowi6;
struct ipv6_txoptions;
extern const struct inet_connection_sock_af_ops xtcp_ipv6_mapped;
int xtcp_v6_init(void);
void xtcp_v6_exit(void);
int xtcp_v6_init_net(struct net *net);
void xtcp_v6_exit_net(struct net *net);
void xtcp_v6_send_reset(const struct sock *sk, struct sk_buff *skb);
struct sock *xtcp_cookie_v6_check(struct sock *sk, struct sk_buff *skb);
void xtcp_v6_set_plain(struct sock *sk);
struct sk_buff *xtcp_v6_opt_clone(struct sock *sk, struct sk_buff *skb);
void xtcp_v6_opt_save(struct sock *sk, struct sk_buff *opt_skb);
extern const struct inet_connection_sock_af_ops xtcp_ipv6_mapped_udp;
void xtcp_v6_encap_rcv(struct sk_buff *skb, __be16 sport);
void xtcp_v6_encap_err(struct sk_buff *skb, u8 type, u8 code,
		       unsigned int thoff, __be32 info, __be16 encap);
int xtcp_v6_udp_xmit(const struct sock *sk, struct sk_buff *skb,
		     struct flowi6 *fl6, __be16 sport, __be16 dport,
		     struct ipv6_txoptions *opt, u8 tclass, u32 priority);
#else
static inline int xtcp_v6_init(void) { return 0; }
static inline void xtcp_v6_exit(void) { }
static inline int xtcp_v6_init_net(struct net *net) { return 0; }
static inline void xtcp_v6_exit_net(struct net *net) { }
static inline struct sk_buff *xtcp_v6_opt_clone(struct sock *sk,
						struct sk_buff *skb)
{
	return NULL;
}

static inline void xtcp_v6_opt_save(struct sock *sk, struct sk_buff *opt_skb)
{
}
#endif

/*
 * A RST for @skb, or the child of a SYN cookie it returns, in the
 * family @skb came in: a dual-stack listener and its v4-mapped children
 * get IPv4 segments.
 */
static inline void xtcp_send_reset(const struct sock *sk, struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6)) {
		xtcp_v6_send_reset(sk, skb);
		return;
	}
#endif
	xtcp_v4_send_reset(sk, skb);
}

static inline struct sock *xtcp_cookie_check_ack(struct sock *sk,
						 struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (skb->protocol == htons(ETH_P_IPV6))
		return xtcp_cookie_v6_check(sk, skb);
#endif
	return xtcp_cookie_v4_check(sk, skb);
}

/* A closed socket's af_ops back to its family's plain ones. */
static inline void xtcp_set_plain(struct sock *sk)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		xtcp_v6_set_plain(sk);
		return;
	}
#endif
	xtcp_v4_set_plain(sk);
}

/* udp.c */
int xtcp_udp_port_sysctl(struct ctl_table *table, int write, void *buffer,
			 size_t *lenp, loff_t *ppos);
void xtcp_udp_exit_net(struct net *net);
int xtcp_v4_udp_xmit(const struct sock *sk, struct sk_buff *skb,
		     struct rtable *rt, __be32 saddr, __be32 daddr,
		     __be16 sport, __be16 dport, u8 tos);
int xtcp_encap_sock_open(struct sock *sk);
void xtcp_encap_sock_put(struct xtcp_encap_sock *es);
void xtcp_encap_sock_release(struct sock *sk);
void xtcp_udp_flush(void);
__wsum xtcp_udp_compute_pseudo(struct sk_buff *skb, int proto);
int xtcp_v4_udp_queue_xmit(struct sock *sk, struct sk_buff *skb,
			   struct flowi *fl);

/*
 * The UDP port a segment that came in UDP (XTCP_SKB_CB(skb)->encap set)
 * was sent to: its UDP header is still in front of ours.
 */
static inline __be16 xtcp_skb_encap_dport(const struct sk_buff *skb)
{
	return ((const struct udphdr *)(skb_transport_header(skb) -
					sizeof(struct udphdr)))->dest;
}

/* socket.c */
int xtcp_init_sock(struct sock *sk);
void xtcp_destroy_sock(struct sock *sk);
int xtcp_disconnect(struct sock *sk, int flags);
void xtcp_close(struct sock *sk, long timeout);
void xtcp_shutdown(struct sock *sk, int how);
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
int xtcp_sendpage(struct sock *sk, struct page *page, int offset,
		  size_t size, int flags);
ssize_t xtcp_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags);
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		 int flags, int *addr_len);
int xtcp_ioctl(struct sock *sk, int cmd, unsigned long arg);
__poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait);
bool xtcp_stream_memory_free(const struct sock *sk, int wake);
int xtcp_inet_listen(struct socket *sock, int backlog);
int xtcp_abort(struct sock *sk, int err);

/* sockopt.c */
int xtcp_setsockopt(struct sock *sk, int level, int optname,
		    sockptr_t optval, unsigned int optlen);
int xtcp_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen);
struct tcp_info;
void xtcp_get_info(struct sock *sk, struct tcp_info *info);
size_t xtcp_get_cc_info(struct sock *sk, int *attr, union tcp_cc_info *info);

/* input.c */
void xtcp_ofo_purge(struct sock *sk);
bool xtcp_urg_mode(const struct xtcp_sock *xs);
void xtcp_rcv_listen(struct sock *sk, struct sk_buff *skb);
void xtcp_rcv_sock(struct sock *sk, struct sk_buff *skb, bool refcounted);
void xtcp_fill_cb(struct sk_buff *skb, const struct xtcphdr *th);
bool xtcp_filter(struct sock *sk, struct sk_buff *skb);
bool xtcp_rcv_for_req(struct sock *sk, struct sk_buff *skb);
const struct xtcphdr *xtcp_rcv_pull(struct sk_buff *skb);
bool xtcp_add_backlog(struct sock *sk, struct sk_buff *skb);
void xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb);
void xtcp_init_transfer(struct sock *sk);
void xtcp_rack_reo_timeout(struct sock *sk);

/* minisocks.c */
int xtcp_rtx_synack(const struct sock *sk, struct request_sock *req);
void xtcp_syn_ack_timeout(const struct request_sock *req);
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   u32 *last);
/* cong_register.c: algorithms by name, and the modules behind them. */
bool xtcp_cong_hold(const struct xtcp_cong_ops *ops);
void xtcp_cong_put(const struct xtcp_cong_ops *ops);
const struct xtcp_cong_ops *xtcp_cong_get(const char *name);
void xtcp_cong_names(char *buf, size_t size);
void xtcp_cong_name(const struct xtcp_cong_ops *const *slot, char *name);

int xtcp_conn_request(struct request_sock_ops *rsk_ops,
		      const struct xtcp_request_sock_af_ops *af_ops,
		      struct sock *sk, struct sk_buff *skb);
struct sock *xtcp_create_openreq_child(const struct sock *sk,
				       struct request_sock *req);
struct sock *xtcp_child_hash(const struct sock *sk, struct sock *newsk,
			     struct request_sock *req_unhash, bool *own_req);
struct sock *xtcp_tw_segment(struct inet_timewait_sock *tw, struct sk_buff *skb,
			     struct sock *(*listener)(struct sk_buff *skb),
			     void (*send_ack)(struct inet_timewait_sock *tw,
					      struct sk_buff *skb));
struct sock *xtcp_cookie_ack(struct request_sock_ops *rsk_ops,
			     const struct xtcp_request_sock_af_ops *af_ops,
			     struct sock *sk, struct sk_buff *skb);
void xtcp_openreq_init(const struct xtcp_request_sock_af_ops *af_ops,
		       const struct sock *sk, struct request_sock *req,
		       struct sk_buff *skb);
struct sock *xtcp_check_req(struct sock *sk, struct sk_buff *skb,
			    struct request_sock *req);
void xtcp_child_process(struct sock *parent, struct sock *child,
			struct sk_buff *skb);
void xtcp_time_wait(struct sock *sk);
enum xtcp_tw_action xtcp_tw_rcv(struct inet_timewait_sock *tw,
				struct sk_buff *skb);

/* output.c */
void xtcp_release_cb(struct sock *sk);
u16 xtcp_mss_for_mtu(const struct sock *sk, unsigned int mtu);
struct sk_buff *xtcp_make_synack(const struct sock *sk,
				 struct request_sock *req, unsigned int mtu,
				 unsigned int net_hdr_len);
void xtcp_push_ctl_header(struct sk_buff *skb, const struct xtcphdr *rth,
			  u32 seq, u32 ack, u8 flags, u16 window,
			  const struct xtcp_ts *ts);
bool xtcp_tw_ts(const struct inet_timewait_sock *tw, struct xtcp_ts *ts);
bool xtcp_reqsk_ts(const struct request_sock *req, struct xtcp_ts *ts);
void xtcp_fill_header(struct xtcphdr *th, __be16 sport, __be16 dport,
		      u32 seq, u32 ack, u8 flags, u16 window, unsigned int hlen);
int xtcp_connect(struct sock *sk);
void xtcp_write_xmit(struct sock *sk);
void xtcp_push(struct sock *sk, int nonagle);
void xtcp_send_ack(struct sock *sk);
void xtcp_send_delayed_ack(struct sock *sk);
void xtcp_write_wakeup(struct sock *sk);
void xtcp_send_keepalive_probe(struct sock *sk);
void xtcp_send_fin(struct sock *sk);
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp);
void xtcp_send_synack_sk(struct sock *sk);
int xtcp_retransmit_lost(struct sock *sk, struct sk_buff *skb,
			 unsigned int segs);
void xtcp_retransmit_rtx_queue(struct sock *sk);
void xtcp_simple_retransmit(struct sock *sk);
void xtcp_send_loss_probe(struct sock *sk);
unsigned int xtcp_sync_mss(struct sock *sk, u32 pmtu);
void xtcp_init_mss(struct sock *sk);
void xtcp_free_skb(struct sock *sk, struct sk_buff *skb);
unsigned int xtcp_gso_segs_max(const struct sock *sk);
unsigned int xtcp_burst_max(const struct sock *sk);
void xtcp_update_pacing_rate(struct sock *sk);
bool xtcp_small_queue_check(struct sock *sk, const struct sk_buff *skb,
			    unsigned int factor);
void xtcp_wfree(struct sk_buff *skb);
void xtcp_tsq_write(struct sock *sk);
void xtcp_tsq_init(void);
void xtcp_tsq_exit(void);
/* The queue an skb that xtcp_fragment() splits is on (enum tcp_queue). */
enum xtcp_queue {
	XTCP_FRAG_IN_WRITE_QUEUE,
	XTCP_FRAG_IN_RTX_QUEUE,
};

int xtcp_fragment(struct sock *sk, enum xtcp_queue queue,
		  struct sk_buff *skb, unsigned int len, unsigned int mss);
int xtcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len);
int xtcp_unclone(struct sk_buff *skb);
u32 xtcp_free_space(const struct sock *sk);
u32 xtcp_window_space(const struct sock *sk);
u32 xtcp_new_window(const struct sock *sk);
u32 xtcp_synack_window(const struct sock *sk, u32 mss);
u32 xtcp_full_space(const struct sock *sk);
u8 xtcp_choose_rcv_wscale(const struct sock *sk);

/* timer.c */
void xtcp_write_timer_handler(struct sock *sk);
void xtcp_delack_timer_handler(struct sock *sk);
bool xtcp_send_compressed_ack(struct sock *sk);
void xtcp_reset_rtx_timer(struct sock *sk);
void xtcp_rearm_rto(struct sock *sk);
bool xtcp_tlp_allowed(const struct sock *sk);
bool xtcp_schedule_loss_probe(struct sock *sk, bool advancing_rto);
void xtcp_set_xmit_timer(struct sock *sk);
void xtcp_reset_probe_timer(struct sock *sk);
void xtcp_set_keepalive(struct sock *sk, int val);
void xtcp_init_xmit_timers(struct sock *sk);
void xtcp_clear_xmit_timers(struct sock *sk);

/* proc.c */
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);

/* mib.c */
int xtcp_mib_init_net(struct net *net);
void xtcp_mib_exit_net(struct net *net);
int xtcp_mib_seq_show(struct seq_file *seq, void *v);
int xtcp_mib_snmp_seq_show(struct seq_file *seq, void *v);
int xtcp_mib_netstat_seq_show(struct seq_file *seq, void *v);

#endif /* _XTCP_H */
