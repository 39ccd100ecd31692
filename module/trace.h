/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp tracepoints: TRACE_SYSTEM xtcp, seen by perf, bpftrace, trace-cmd
 * and tracefs (events/xtcp/).  Modelled on include/trace/events/tcp.h:
 * every event carries the 4-tuple (saddr, daddr, sport, dport: ours
 * first; saddrv6 and daddrv6 for IPv6, v4-mapped for IPv4), the family
 * and, where a socket is involved, its cookie (SO_COOKIE, generated if
 * it had none).
 * docs/tracepoints.md says when each one fires.  State changes are the
 * kernel's sock:inet_sock_set_state (xtcp_set_state() goes through
 * inet_sk_set_state()); they are not repeated here.
 *
 * Out of tree, so as net/dccp/trace.h: TRACE_INCLUDE_PATH is this
 * directory, which Kbuild adds to the include path of trace.c, the one
 * file that defines CREATE_TRACE_POINTS.  When no tracer is attached an
 * event costs a static branch: arguments are values the caller has at
 * hand, everything else is read inside TP_fast_assign().
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xtcp

#ifndef _XTCP_TRACE_DEFS
#define _XTCP_TRACE_DEFS

/* xtcp_request's decision: what a listener did with a SYN or an ACK. */
enum xtcp_req_decision {
	XTCP_REQ_QUEUED,	/* request sock hashed, SYN-ACK sent */
	XTCP_REQ_COOKIE_SENT,	/* SYN answered with a SYN cookie, no state */
	XTCP_REQ_DROP_SYNQ_FULL, /* SYN queue full, syncookies off */
	XTCP_REQ_DROP_ACCEPTQ_FULL, /* accept queue full */
	XTCP_REQ_DROP_NOMEM,	/* no memory for the request sock */
	XTCP_REQ_DUP,		/* the same SYN already had a request */
	XTCP_REQ_COOKIE_OK,	/* an ACK returned a valid cookie */
	XTCP_REQ_COOKIE_BAD,	/* an ACK returned no valid cookie */
};

#endif /* _XTCP_TRACE_DEFS */

#if !defined(_XTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XTCP_TRACE_H

#include <linux/tracepoint.h>
#include <linux/sock_diag.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "xtcp.h"

#ifndef _XTCP_TRACE_HELPERS
#define _XTCP_TRACE_HELPERS
/*
 * The socket's cookie, generated as SO_COOKIE does (sock_gen_cookie()
 * itself is not exported to modules in 6.1); 0 for no socket.
 */
static inline u64 xtcp_trace_cookie(const struct sock *sk)
{
	u32 c[2];

	if (!sk)
		return 0;
	sock_diag_save_cookie((struct sock *)sk, c);
	return (u64)c[1] << 32 | c[0];
}
#endif

/* Symbols for user-space decoders (perf, trace-cmd) of the printk formats. */
#define xtcp_state_names				\
	XEM(TCP_ESTABLISHED,	"ESTABLISHED")		\
	XEM(TCP_SYN_SENT,	"SYN_SENT")		\
	XEM(TCP_SYN_RECV,	"SYN_RECV")		\
	XEM(TCP_FIN_WAIT1,	"FIN_WAIT1")		\
	XEM(TCP_FIN_WAIT2,	"FIN_WAIT2")		\
	XEM(TCP_TIME_WAIT,	"TIME_WAIT")		\
	XEM(TCP_CLOSE,		"CLOSE")		\
	XEM(TCP_CLOSE_WAIT,	"CLOSE_WAIT")		\
	XEM(TCP_LAST_ACK,	"LAST_ACK")		\
	XEM(TCP_LISTEN,		"LISTEN")		\
	XEM(TCP_CLOSING,	"CLOSING")		\
	XEM_END(TCP_NEW_SYN_RECV,	"NEW_SYN_RECV")

/* Congestion states in TCP's numbering (TCP_INFO's tcpi_ca_state). */
#define xtcp_ca_state_names				\
	XEM(TCP_CA_Open,	"open")			\
	XEM(TCP_CA_Disorder,	"disorder")		\
	XEM(TCP_CA_CWR,		"cwr")			\
	XEM(TCP_CA_Recovery,	"recovery")		\
	XEM_END(TCP_CA_Loss,	"loss")

#define xtcp_req_names					\
	XEM(XTCP_REQ_QUEUED,		"queued")	\
	XEM(XTCP_REQ_COOKIE_SENT,	"cookie_sent")	\
	XEM(XTCP_REQ_DROP_SYNQ_FULL,	"drop_synq_full") \
	XEM(XTCP_REQ_DROP_ACCEPTQ_FULL,	"drop_acceptq_full") \
	XEM(XTCP_REQ_DROP_NOMEM,	"drop_nomem")	\
	XEM(XTCP_REQ_DUP,		"dup")		\
	XEM(XTCP_REQ_COOKIE_OK,		"cookie_ok")	\
	XEM_END(XTCP_REQ_COOKIE_BAD,	"cookie_bad")

#undef XEM
#undef XEM_END
#define XEM(a, b)	TRACE_DEFINE_ENUM(a);
#define XEM_END(a, b)	TRACE_DEFINE_ENUM(a);

xtcp_state_names
xtcp_ca_state_names
xtcp_req_names

#undef XEM
#undef XEM_END
#define XEM(a, b)	{ a, b },
#define XEM_END(a, b)	{ a, b }

#define xtcp_show_state(val)	__print_symbolic(val, xtcp_state_names)
#define xtcp_show_ca_state(val)	__print_symbolic(val, xtcp_ca_state_names)
#define xtcp_show_req(val)	__print_symbolic(val, xtcp_req_names)

/*
 * The 4-tuple fields, ours first, and how they are filled: IPv4's
 * addresses, and IPv6's (v4-mapped for IPv4), as TCP's events carry
 * both.  For an AF_INET6 socket family is AF_INET6 and saddr/daddr are
 * its IPv4 addresses if it is v4-mapped, 0.0.0.0 otherwise.
 */
#define XTCP_TP_ADDRS					\
	__field(__u16, family)				\
	__field(__u16, sport)				\
	__field(__u16, dport)				\
	__array(__u8, saddr, 4)				\
	__array(__u8, daddr, 4)				\
	__array(__u8, saddr_v6, 16)			\
	__array(__u8, daddr_v6, 16)

#define XTCP_TP_STORE(e, sa, da, sp, dp)		\
	do {						\
		__be32 *p32 = (__be32 *)(e)->saddr;	\
							\
		*p32 = (sa);				\
		p32 = (__be32 *)(e)->daddr;		\
		*p32 = (da);				\
		ipv6_addr_set_v4mapped(sa,		\
			(struct in6_addr *)(e)->saddr_v6); \
		ipv6_addr_set_v4mapped(da,		\
			(struct in6_addr *)(e)->daddr_v6); \
		(e)->sport = ntohs(sp);			\
		(e)->dport = ntohs(dp);			\
		(e)->family = AF_INET;			\
	} while (0)

#if IS_ENABLED(CONFIG_IPV6)
#define XTCP_TP_STORE_V6(e, sk, sa6, da6)			\
	do {							\
		if ((sk)->sk_family == AF_INET6) {		\
			(e)->family = AF_INET6;			\
			memcpy((e)->saddr_v6, sa6, 16);		\
			memcpy((e)->daddr_v6, da6, 16);		\
		}						\
	} while (0)
#else
#define XTCP_TP_STORE_V6(e, sk, sa6, da6)	do { } while (0)
#endif

/*
 * A full socket's: inet_sport, not sock_common's sk_num, which the port's
 * release has zeroed by the time a closed socket's RST goes.
 */
#define XTCP_TP_STORE_SK(e, sk)					\
	do {							\
		XTCP_TP_STORE(e, inet_sk(sk)->inet_saddr,	\
			      inet_sk(sk)->inet_daddr,		\
			      inet_sk(sk)->inet_sport,		\
			      inet_sk(sk)->inet_dport);		\
		XTCP_TP_STORE_V6(e, sk, &(sk)->sk_v6_rcv_saddr,	\
				 &(sk)->sk_v6_daddr);		\
	} while (0)

/* A request sock's (sock_common's fields: it has no inet_sock). */
#define XTCP_TP_STORE_REQ(e, sk)				\
	do {							\
		XTCP_TP_STORE(e, (sk)->sk_rcv_saddr,		\
			      (sk)->sk_daddr,			\
			      htons((sk)->sk_num),		\
			      (sk)->sk_dport);			\
		XTCP_TP_STORE_V6(e, sk, &(sk)->sk_v6_rcv_saddr,	\
				 &(sk)->sk_v6_daddr);		\
	} while (0)

/* Ours is where @skb, a received segment, was going. */
#if IS_ENABLED(CONFIG_IPV6)
#define XTCP_TP_STORE_RX(e, skb)					\
	do {								\
		if ((skb)->protocol == htons(ETH_P_IPV6)) {		\
			XTCP_TP_STORE(e, 0, 0, xtcp_hdr(skb)->dest,	\
				      xtcp_hdr(skb)->source);		\
			(e)->family = AF_INET6;				\
			memcpy((e)->saddr_v6, &ipv6_hdr(skb)->daddr, 16); \
			memcpy((e)->daddr_v6, &ipv6_hdr(skb)->saddr, 16); \
		} else {						\
			XTCP_TP_STORE(e, ip_hdr(skb)->daddr,		\
				      ip_hdr(skb)->saddr,		\
				      xtcp_hdr(skb)->dest,		\
				      xtcp_hdr(skb)->source);		\
		}							\
	} while (0)
#else
#define XTCP_TP_STORE_RX(e, skb)				\
	XTCP_TP_STORE(e, ip_hdr(skb)->daddr, ip_hdr(skb)->saddr,	\
		      xtcp_hdr(skb)->dest, xtcp_hdr(skb)->source)
#endif

#define XTCP_TP_ADDRS_FMT	"sport=%hu dport=%hu saddr=%pI4 daddr=%pI4 saddrv6=%pI6c daddrv6=%pI6c"
#define XTCP_TP_ADDRS_ARGS	__entry->sport, __entry->dport,	\
				__entry->saddr, __entry->daddr,	\
				__entry->saddr_v6, __entry->daddr_v6

/*
 * An skb of @sk, on its retransmission queue, sent again: by the
 * retransmission timer, fast retransmit, a NewReno partial ACK, SACK
 * loss recovery or a smaller path MTU.  One event per skb, as TCP's
 * tcp_retransmit_skb; segs is how many segments it carries, what
 * RetransSegs (or, for a SYN, SynRetrans) counted for it.
 */
TRACE_EVENT(xtcp_retransmit_skb,

	TP_PROTO(const struct sock *sk, const struct sk_buff *skb),

	TP_ARGS(sk, skb),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(const void *, skbaddr)
		__field(int, state)
		XTCP_TP_ADDRS
		__field(__u32, seq)
		__field(__u32, end_seq)
		__field(__u32, len)
		__field(__u16, segs)
		__field(__u8, flags)
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		__entry->skaddr = sk;
		__entry->skbaddr = skb;
		__entry->state = sk->sk_state;
		XTCP_TP_STORE_SK(__entry, sk);
		__entry->seq = XTCP_SKB_CB(skb)->seq;
		__entry->end_seq = XTCP_SKB_CB(skb)->end_seq;
		__entry->len = skb->len;
		__entry->segs = xtcp_skb_pcount(skb);
		__entry->flags = XTCP_SKB_CB(skb)->flags;
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " state=%s seq=%u end_seq=%u len=%u segs=%u flags=%s sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, xtcp_show_state(__entry->state),
		  __entry->seq, __entry->end_seq, __entry->len, __entry->segs,
		  __print_flags(__entry->flags, "|",
				{ XTCP_FLAG_SYN, "SYN" }, { XTCP_FLAG_FIN, "FIN" },
				{ XTCP_FLAG_RST, "RST" }, { XTCP_FLAG_PSH, "PSH" },
				{ XTCP_FLAG_ACK, "ACK" }, { XTCP_FLAG_URG, "URG" }),
		  __entry->sock_cookie)
);

/* The kernel's request timer (or a repeated SYN) resends a SYN-ACK. */
TRACE_EVENT(xtcp_retransmit_synack,

	TP_PROTO(const struct sock *sk, const struct request_sock *req),

	TP_ARGS(sk, req),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(const void *, req)
		XTCP_TP_ADDRS
		__field(__u32, snt_isn)
		__field(__u8, num_retrans)
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		__entry->skaddr = sk;
		__entry->req = req;
		XTCP_TP_STORE_REQ(__entry, (const struct sock *)req);
		__entry->snt_isn = xtcp_rsk(req)->snt_isn;
		__entry->num_retrans = req->num_retrans;
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " snt_isn=%u num_retrans=%u sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, __entry->snt_isn, __entry->num_retrans,
		  __entry->sock_cookie)
);

/*
 * A RST leaves.  Three kinds (docs/tracepoints.md):
 * - an abort by a full socket (@skb NULL): the 4-tuple, state and cookie
 *   are the socket's;
 * - an answer to a received @skb by a socket @sk (a full socket, or the
 *   listener for an ACK no request or cookie matched): the 4-tuple is
 *   the segment's, seen from our side, state and cookie @sk's;
 * - an answer to @skb for which no socket exists (@sk NULL): state is
 *   CLOSE (RFC 9293's "no TCB"), skaddr and sock_cookie 0.
 * @seq and @ack are the RST's own fields (@ack 0 if it carries no ACK).
 */
TRACE_EVENT(xtcp_send_reset,

	TP_PROTO(const struct sock *sk, const struct sk_buff *skb, u32 seq,
		 u32 ack),

	TP_ARGS(sk, skb, seq, ack),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(const void *, skbaddr)
		__field(int, state)
		XTCP_TP_ADDRS
		__field(__u32, seq)
		__field(__u32, ack)
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		__entry->skaddr = sk;
		__entry->skbaddr = skb;
		__entry->state = sk ? sk->sk_state : TCP_CLOSE;
		if (skb)
			XTCP_TP_STORE_RX(__entry, skb);
		else
			XTCP_TP_STORE_SK(__entry, sk);
		__entry->seq = seq;
		__entry->ack = ack;
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " state=%s seq=%u ack=%u sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, xtcp_show_state(__entry->state),
		  __entry->seq, __entry->ack, __entry->sock_cookie)
);

/* A valid RST reached a full socket, which reports the error and closes. */
TRACE_EVENT(xtcp_receive_reset,

	TP_PROTO(const struct sock *sk),

	TP_ARGS(sk),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		__field(int, state)
		XTCP_TP_ADDRS
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		__entry->skaddr = sk;
		__entry->state = sk->sk_state;
		XTCP_TP_STORE_SK(__entry, sk);
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " state=%s sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, xtcp_show_state(__entry->state),
		  __entry->sock_cookie)
);

/*
 * Receive buffer auto-tuning measured a round trip's reading (once per
 * RTT of reads, not per recvmsg() as TCP's): @copied bytes read in it;
 * space is the most read in one RTT so far, rcvbuf the buffer after
 * (grown to 4 * space + 32 MSS unless SO_RCVBUF fixed it).
 */
TRACE_EVENT(xtcp_rcv_space_adjust,

	TP_PROTO(const struct sock *sk, u32 copied),

	TP_ARGS(sk, copied),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		XTCP_TP_ADDRS
		__field(__u32, copied)
		__field(__u32, space)
		__field(int, rcvbuf)
		__field(__u32, srtt)
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		const struct xtcp_sock *xs = xtcp_sk(sk);

		__entry->skaddr = sk;
		XTCP_TP_STORE_SK(__entry, sk);
		__entry->copied = copied;
		__entry->space = xs->rcvq_space.space;
		__entry->rcvbuf = READ_ONCE(sk->sk_rcvbuf);
		__entry->srtt = xs->rtt.srtt_us;
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " copied=%u space=%u rcvbuf=%d srtt=%u sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, __entry->copied, __entry->space,
		  __entry->rcvbuf, __entry->srtt, __entry->sock_cookie)
);

/*
 * An ACK was processed by a synchronized socket (and the SYN-ACK or
 * handshake ACK that synchronized it): the sender's state after it, as
 * TCP's tcp_probe (which fires before).  Windows in bytes, cwnd and
 * ssthresh in segments (ssthresh 2147483647 until the first loss), srtt
 * in microseconds, ca_state in TCP's numbering.
 */
TRACE_EVENT(xtcp_probe,

	TP_PROTO(const struct sock *sk, const struct sk_buff *skb),

	TP_ARGS(sk, skb),

	TP_STRUCT__entry(
		XTCP_TP_ADDRS
		__field(__u32, mark)
		__field(__u16, data_len)
		__field(__u32, ack)
		__field(__u32, snd_nxt)
		__field(__u32, snd_una)
		__field(__u32, snd_cwnd)
		__field(__u32, ssthresh)
		__field(__u32, snd_wnd)
		__field(__u32, srtt)
		__field(__u32, rcv_wnd)
		__field(__u32, in_flight)
		__field(__u16, mss)
		__field(__u8, ca_state)
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		const struct xtcp_sock *xs = xtcp_sk(sk);

		XTCP_TP_STORE_SK(__entry, sk);
		__entry->mark = skb->mark;
		__entry->data_len = cb->end_seq - cb->seq -
				    !!(cb->flags & XTCP_FLAG_SYN) -
				    !!(cb->flags & XTCP_FLAG_FIN);
		__entry->ack = cb->ack_seq;
		__entry->snd_nxt = xs->snd_nxt;
		__entry->snd_una = xs->snd_una;
		__entry->snd_cwnd = xs->cc.cwnd;
		__entry->ssthresh = xs->cc.ssthresh;
		__entry->snd_wnd = xs->snd_wnd;
		__entry->srtt = xs->rtt.srtt_us;
		__entry->rcv_wnd = xs->rcv_wnd;
		__entry->in_flight = xtcp_in_flight(xs);
		__entry->mss = xs->mss_cache;
		__entry->ca_state = xtcp_ca_state(xs);
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " mark=%#x data_len=%u ack=%u snd_nxt=%u snd_una=%u snd_cwnd=%u ssthresh=%u snd_wnd=%u srtt=%u rcv_wnd=%u in_flight=%u mss=%u ca_state=%s sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, __entry->mark, __entry->data_len,
		  __entry->ack, __entry->snd_nxt, __entry->snd_una,
		  __entry->snd_cwnd, __entry->ssthresh, __entry->snd_wnd,
		  __entry->srtt, __entry->rcv_wnd, __entry->in_flight,
		  __entry->mss, xtcp_show_ca_state(__entry->ca_state),
		  __entry->sock_cookie)
);

/*
 * The congestion state changed (TCP's numbering): into fast recovery
 * (three duplicate ACKs or RFC 6675's loss detection), into loss (the
 * retransmission timer), back to open (recovery or loss repaired), and
 * in and out of disorder (duplicate ACKs or SACKed segments, no loss
 * declared yet).  cwnd and ssthresh are the values after the change.
 */
TRACE_EVENT(xtcp_cong_state,

	TP_PROTO(const struct sock *sk, u8 old_state, u8 new_state),

	TP_ARGS(sk, old_state, new_state),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		XTCP_TP_ADDRS
		__field(__u8, old_state)
		__field(__u8, new_state)
		__field(__u32, snd_cwnd)
		__field(__u32, ssthresh)
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		__entry->skaddr = sk;
		XTCP_TP_STORE_SK(__entry, sk);
		__entry->old_state = old_state;
		__entry->new_state = new_state;
		__entry->snd_cwnd = xtcp_sk(sk)->cc.cwnd;
		__entry->ssthresh = xtcp_sk(sk)->cc.ssthresh;
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " old=%s new=%s snd_cwnd=%u ssthresh=%u sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, xtcp_show_ca_state(__entry->old_state),
		  xtcp_show_ca_state(__entry->new_state), __entry->snd_cwnd,
		  __entry->ssthresh, __entry->sock_cookie)
);

/*
 * A listener @sk decided about @skb, a SYN or the ACK of a SYN cookie
 * (enum xtcp_req_decision).  The 4-tuple is the segment's, from our
 * side; rcv_isn the peer's ISN, snt_isn ours (the cookie itself for
 * cookie_sent and cookie_ok, 0 when none was chosen), mss the peer's
 * (the cookie's for a cookie); sock_cookie the listener's.
 */
TRACE_EVENT(xtcp_request,

	TP_PROTO(const struct sock *sk, const struct sk_buff *skb,
		 int decision, u32 snt_isn, u16 mss),

	TP_ARGS(sk, skb, decision, snt_isn, mss),

	TP_STRUCT__entry(
		__field(const void *, skaddr)
		XTCP_TP_ADDRS
		__field(int, decision)
		__field(__u32, rcv_isn)
		__field(__u32, snt_isn)
		__field(__u16, mss)
		__field(__u64, sock_cookie)
	),

	TP_fast_assign(
		const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		__entry->skaddr = sk;
		XTCP_TP_STORE_RX(__entry, skb);
		__entry->decision = decision;
		__entry->rcv_isn = cb->flags & XTCP_FLAG_SYN ? cb->seq :
							       cb->seq - 1;
		__entry->snt_isn = snt_isn;
		__entry->mss = mss;
		__entry->sock_cookie = xtcp_trace_cookie(sk);
	),

	TP_printk(XTCP_TP_ADDRS_FMT " decision=%s rcv_isn=%u snt_isn=%u mss=%u sock_cookie=%llx",
		  XTCP_TP_ADDRS_ARGS, xtcp_show_req(__entry->decision),
		  __entry->rcv_isn, __entry->snt_isn, __entry->mss,
		  __entry->sock_cookie)
);

#ifndef _XTCP_TRACE_CA
#define _XTCP_TRACE_CA
/*
 * The congestion state before what may change it, for
 * xtcp_trace_ca_changed(): read only while xtcp_cong_state is enabled.
 */
static inline u8 xtcp_trace_ca_old(const struct xtcp_sock *xs)
{
	return trace_xtcp_cong_state_enabled() ? xtcp_ca_state(xs) : 0;
}

/* Report a change of congestion state since xtcp_trace_ca_old(). */
static inline void xtcp_trace_ca_changed(const struct sock *sk, u8 old)
{
	u8 now;

	if (!trace_xtcp_cong_state_enabled())
		return;
	now = xtcp_ca_state(xtcp_sk(sk));
	if (now != old)
		trace_xtcp_cong_state(sk, old, now);
}
#endif

#endif /* _XTCP_TRACE_H */

/* This part must be outside protection. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
