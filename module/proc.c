// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp: every xtcp socket of the netns, with the columns and
 * state numbers of /proc/net/tcp, so tools and tests that read one read
 * the other; a seq_file iterator over the hash tables, as /proc/net/tcp.
 * One field is xtcp's own, the last of every line: the peer's UDP port
 * of a connection, request or TIME-WAIT in UDP (udp.c), 0 if plain.
 * /proc/net/xtcp6 is the same for AF_INET6 sockets, addresses as
 * /proc/net/tcp6 prints them (v4-mapped ones included, as there).
 * /proc/net/xtcp_stat: the netns' counters; xtcp_snmp and xtcp_netstat:
 * the same counters in nstat's layout (mib.c).
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "xtcp.h"

#define XTCP_PROC_LINE	150	/* as /proc/net/tcp pads its lines */

/*
 * "sl local remote " of a line: IPv4's addresses as /proc/net/tcp
 * prints them, IPv6's as /proc/net/tcp6 (four words each).
 */
static void xtcp_show_addrs(struct seq_file *f, int i, const struct sock *sk,
			    __be32 saddr, __be32 daddr, u16 sport, u16 dport)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		const __be32 *s = sk->sk_v6_rcv_saddr.s6_addr32;
		const __be32 *d = sk->sk_v6_daddr.s6_addr32;

		seq_printf(f, "%4d: %08X%08X%08X%08X:%04X %08X%08X%08X%08X:%04X ",
			   i, s[0], s[1], s[2], s[3], sport,
			   d[0], d[1], d[2], d[3], dport);
		return;
	}
#endif
	seq_printf(f, "%4d: %08X:%04X %08X:%04X ", i, saddr, sport, daddr,
		   dport);
}

static void xtcp_show_req(struct seq_file *f, struct request_sock *req, int i)
{
	const struct inet_request_sock *ireq = inet_rsk(req);
	long delta = req->rsk_timer.expires - jiffies;

	seq_setwidth(f, XTCP_PROC_LINE - 1);
	xtcp_show_addrs(f, i, req_to_sk(req), ireq->ir_loc_addr, ireq->ir_rmt_addr,
			ireq->ir_num, ntohs(ireq->ir_rmt_port));
	seq_printf(f, "%02X %08X:%08X %02X:%08lX %08X %5u %8d %u %d %pK %u",
		   TCP_SYN_RECV, 0, 0, 1,
		   jiffies_delta_to_clock_t(delta), req->num_timeout,
		   from_kuid_munged(seq_user_ns(f),
				    sock_i_uid(req->rsk_listener)),
		   0, 0, 0, req, ntohs(xtcp_rsk(req)->encap_port));
	seq_pad(f, '\n');
}

static void xtcp_show_tw(struct seq_file *f, struct inet_timewait_sock *tw,
			 int i)
{
	long delta = tw->tw_timer.expires - jiffies;

	seq_setwidth(f, XTCP_PROC_LINE - 1);
	xtcp_show_addrs(f, i, (const struct sock *)tw, tw->tw_rcv_saddr,
			tw->tw_daddr, ntohs(tw->tw_sport), ntohs(tw->tw_dport));
	seq_printf(f, "%02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK %u",
		   tw->tw_substate, 0, 0, 3,
		   jiffies_delta_to_clock_t(delta), 0, 0, 0, 0,
		   refcount_read(&tw->tw_refcnt), tw,
		   ntohs(xtcp_twsk((struct sock *)tw)->xtw_encap_port));
	seq_pad(f, '\n');
}

static void xtcp_show_sock(struct seq_file *f, struct sock *sk, int i)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct xtcp_sock *xs = xtcp_sk(sk);
	const struct inet_sock *inet = inet_sk(sk);
	int state = inet_sk_state_load(sk);
	unsigned long timer_expires;
	int timer_active, rx_queue, tx_queue;

	if (icsk->icsk_pending == ICSK_TIME_RETRANS ||
	    icsk->icsk_pending == ICSK_TIME_REO_TIMEOUT ||
	    icsk->icsk_pending == ICSK_TIME_LOSS_PROBE) {
		timer_active = 1;
		timer_expires = icsk->icsk_timeout;
	} else if (timer_pending(&icsk->icsk_keepalive_timer)) {
		timer_active = 2;
		timer_expires = icsk->icsk_keepalive_timer.expires;
	} else {
		timer_active = 0;
		timer_expires = jiffies;
	}

	if (state == TCP_LISTEN) {
		rx_queue = READ_ONCE(sk->sk_ack_backlog);
		tx_queue = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		rx_queue = max_t(int, READ_ONCE(xs->rcv_nxt) -
				 READ_ONCE(xs->copied_seq), 0);
		tx_queue = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una);
	}

	seq_setwidth(f, XTCP_PROC_LINE - 1);
	xtcp_show_addrs(f, i, sk, inet->inet_rcv_saddr, inet->inet_daddr,
			ntohs(inet->inet_sport), ntohs(inet->inet_dport));
	seq_printf(f, "%02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d %u",
		   state,
		   tx_queue, rx_queue, timer_active,
		   jiffies_delta_to_clock_t(timer_expires - jiffies),
		   icsk->icsk_retransmits,
		   from_kuid_munged(seq_user_ns(f), sock_i_uid(sk)),
		   icsk->icsk_probes_out, sock_i_ino(sk),
		   refcount_read(&sk->sk_refcnt), sk,
		   jiffies_to_clock_t(icsk->icsk_rto), 0UL, 0U, 0U, -1,
		   state == TCP_LISTEN ? 0 : ntohs(READ_ONCE(xs->encap_port)));
	seq_pad(f, '\n');
}

/*
 * The iterator walks the listeners' lhash2, then the ehash (established,
 * request and TIME-WAIT socks), a bucket at a time, as tcp_seq_start()
 * and friends do: a socket is returned with its bucket's lock held, and
 * the lock is dropped when the walk moves past it or stops.  @offset is
 * the returned socket's index among this netns' sockets in its bucket, so
 * that a read continuing at @last_pos finds its place again without
 * walking the tables from the start.
 */
struct xtcp_iter_state {
	struct seq_net_private	p;	/* first: seq_file_net() */
	int			table;	/* 0: lhash2, 1: ehash, 2: done */
	unsigned int		bucket;
	int			offset;
	int			num;	/* the "sl" column */
	loff_t			last_pos;
	spinlock_t		*locked;	/* the bucket lock held, or NULL */
	sa_family_t		family;		/* the file's: xtcp or xtcp6 */
};

static unsigned int xtcp_seq_buckets(const struct xtcp_iter_state *st)
{
	return st->table ? xtcp_hashinfo.ehash_mask + 1 :
			   xtcp_hashinfo.lhash2_mask + 1;
}

static struct hlist_nulls_head *xtcp_seq_chain(const struct xtcp_iter_state *st)
{
	return st->table ? &xtcp_hashinfo.ehash[st->bucket].chain :
			   &xtcp_hashinfo.lhash2[st->bucket].nulls_head;
}

static spinlock_t *xtcp_seq_lockp(const struct xtcp_iter_state *st)
{
	return st->table ? inet_ehash_lockp(&xtcp_hashinfo, st->bucket) :
			   &xtcp_hashinfo.lhash2[st->bucket].lock;
}

static void xtcp_seq_unlock(struct xtcp_iter_state *st)
{
	if (st->locked) {
		spin_unlock_bh(st->locked);
		st->locked = NULL;
	}
}

/*
 * The socket at the iterator's (table, bucket, offset), or the first one
 * after it; NULL past the end.  Called without a bucket lock held.
 */
static struct sock *xtcp_seq_get(struct seq_file *f)
{
	struct xtcp_iter_state *st = f->private;
	struct net *net = seq_file_net(f);
	struct hlist_nulls_node *node;
	struct sock *sk;

	for (; st->table < 2; st->table++, st->bucket = 0) {
		for (; st->bucket < xtcp_seq_buckets(st);
		     st->bucket++, st->offset = 0) {
			struct hlist_nulls_head *head = xtcp_seq_chain(st);
			int skip = st->offset;

			if (hlist_nulls_empty(head))
				continue;
			st->locked = xtcp_seq_lockp(st);
			spin_lock_bh(st->locked);
			sk_nulls_for_each(sk, node, head) {
				if (sk->sk_family != st->family ||
				    !net_eq(sock_net(sk), net))
					continue;
				if (skip-- == 0)
					return sk;
			}
			xtcp_seq_unlock(st);
		}
	}
	return NULL;
}

static void *xtcp_seq_next_sock(struct seq_file *f)
{
	struct xtcp_iter_state *st = f->private;

	xtcp_seq_unlock(st);
	st->offset++;
	st->num++;
	return xtcp_seq_get(f);
}

static void *xtcp_seq_start(struct seq_file *f, loff_t *pos)
{
	struct xtcp_iter_state *st = f->private;
	void *v;
	loff_t i;

	st->family = (uintptr_t)pde_data(file_inode(f->file));
	/* A read continuing where the last one stopped. */
	if (*pos && *pos == st->last_pos) {
		v = xtcp_seq_get(f);
		if (v)
			return v;
	}
	st->table = 0;
	st->bucket = 0;
	st->offset = 0;
	st->num = 0;
	st->last_pos = *pos;
	if (!*pos)
		return SEQ_START_TOKEN;
	v = xtcp_seq_get(f);
	for (i = 1; v && i < *pos; i++)
		v = xtcp_seq_next_sock(f);
	return v;
}

static void *xtcp_seq_next(struct seq_file *f, void *v, loff_t *pos)
{
	struct xtcp_iter_state *st = f->private;

	++*pos;
	st->last_pos = *pos;
	if (v == SEQ_START_TOKEN)
		return xtcp_seq_get(f);
	return xtcp_seq_next_sock(f);
}

static void xtcp_seq_stop(struct seq_file *f, void *v)
{
	xtcp_seq_unlock(f->private);
}

static int xtcp_seq_show(struct seq_file *f, void *v)
{
	struct xtcp_iter_state *st = f->private;
	struct sock *sk = v;

	if (v == SEQ_START_TOKEN) {
		seq_setwidth(f, XTCP_PROC_LINE - 1);
		if (st->family == AF_INET6)
			seq_puts(f, "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
		else
			seq_puts(f, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
		seq_pad(f, '\n');
	} else if (sk->sk_state == TCP_NEW_SYN_RECV) {
		xtcp_show_req(f, inet_reqsk(sk), st->num);
	} else if (sk->sk_state == TCP_TIME_WAIT) {
		xtcp_show_tw(f, inet_twsk(sk), st->num);
	} else {
		xtcp_show_sock(f, sk, st->num);
	}
	return 0;
}

static const struct seq_operations xtcp_seq_ops = {
	.start	= xtcp_seq_start,
	.next	= xtcp_seq_next,
	.stop	= xtcp_seq_stop,
	.show	= xtcp_seq_show,
};

/**
 * xtcp_proc_init_net() - create a netns' /proc/net/xtcp, xtcp6 and the rest
 * @net: the namespace being set up
 *
 * Context: process context, from the pernet init (xtcp_init_net()).
 * Return: 0, or -ENOMEM if a file could not be created (none is left).
 */
int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_data("xtcp", 0444, net->proc_net, &xtcp_seq_ops,
				  sizeof(struct xtcp_iter_state),
				  (void *)AF_INET))
		goto out;
	/* As /proc/net/tcp6: AF_INET6 sockets, v4-mapped ones included. */
	if (!proc_create_net_data("xtcp6", 0444, net->proc_net, &xtcp_seq_ops,
				  sizeof(struct xtcp_iter_state),
				  (void *)AF_INET6))
		goto out_xtcp;
	if (!proc_create_net_single("xtcp_stat", 0444, net->proc_net,
				    xtcp_mib_seq_show, NULL))
		goto out_xtcp6;
	if (!proc_create_net_single("xtcp_snmp", 0444, net->proc_net,
				    xtcp_mib_snmp_seq_show, NULL))
		goto out_stat;
	if (!proc_create_net_single("xtcp_netstat", 0444, net->proc_net,
				    xtcp_mib_netstat_seq_show, NULL))
		goto out_snmp;
	return 0;

out_snmp:
	remove_proc_entry("xtcp_snmp", net->proc_net);
out_stat:
	remove_proc_entry("xtcp_stat", net->proc_net);
out_xtcp6:
	remove_proc_entry("xtcp6", net->proc_net);
out_xtcp:
	remove_proc_entry("xtcp", net->proc_net);
out:
	return -ENOMEM;
}

/**
 * xtcp_proc_exit_net() - remove a netns' /proc/net/xtcp and xtcp_stat
 * @net: the namespace going away
 *
 * Context: process context, from the pernet exit (xtcp_exit_net()).
 */
void xtcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("xtcp_netstat", net->proc_net);
	remove_proc_entry("xtcp_snmp", net->proc_net);
	remove_proc_entry("xtcp_stat", net->proc_net);
	remove_proc_entry("xtcp6", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}
