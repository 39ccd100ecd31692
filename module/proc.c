// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp: every xtcp socket of the netns, with the columns and
 * state numbers of /proc/net/tcp, so tools and tests that read one read
 * the other.  /proc/net/xtcp_stat: the netns' counters; xtcp_snmp and
 * xtcp_netstat: the same counters in nstat's layout (mib.c).
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "xtcp.h"

#define XTCP_PROC_LINE	150	/* as /proc/net/tcp pads its lines */

static void xtcp_show_req(struct seq_file *f, struct request_sock *req, int i)
{
	const struct inet_request_sock *ireq = inet_rsk(req);
	long delta = req->rsk_timer.expires - jiffies;

	seq_setwidth(f, XTCP_PROC_LINE - 1);
	seq_printf(f, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %u %d %pK",
		   i, ireq->ir_loc_addr, ireq->ir_num, ireq->ir_rmt_addr,
		   ntohs(ireq->ir_rmt_port), TCP_SYN_RECV, 0, 0, 1,
		   jiffies_delta_to_clock_t(delta), req->num_timeout,
		   from_kuid_munged(seq_user_ns(f),
				    sock_i_uid(req->rsk_listener)),
		   0, 0, 0, req);
	seq_pad(f, '\n');
}

static void xtcp_show_tw(struct seq_file *f, struct inet_timewait_sock *tw,
			 int i)
{
	long delta = tw->tw_timer.expires - jiffies;

	seq_setwidth(f, XTCP_PROC_LINE - 1);
	seq_printf(f, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK",
		   i, tw->tw_rcv_saddr, ntohs(tw->tw_sport), tw->tw_daddr,
		   ntohs(tw->tw_dport), tw->tw_substate, 0, 0, 3,
		   jiffies_delta_to_clock_t(delta), 0, 0, 0, 0,
		   refcount_read(&tw->tw_refcnt), tw);
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

	if (icsk->icsk_pending == ICSK_TIME_RETRANS) {
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
	seq_printf(f, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d",
		   i, inet->inet_rcv_saddr, ntohs(inet->inet_sport),
		   inet->inet_daddr, ntohs(inet->inet_dport), state,
		   tx_queue, rx_queue, timer_active,
		   jiffies_delta_to_clock_t(timer_expires - jiffies),
		   icsk->icsk_retransmits,
		   from_kuid_munged(seq_user_ns(f), sock_i_uid(sk)),
		   icsk->icsk_probes_out, sock_i_ino(sk),
		   refcount_read(&sk->sk_refcnt), sk,
		   jiffies_to_clock_t(icsk->icsk_rto), 0UL, 0U, 0U, -1);
	seq_pad(f, '\n');
}

/*
 * One pass over both tables, under each bucket's lock.  single_open
 * reruns this with a larger buffer if the output does not fit.
 */
static int xtcp_seq_show(struct seq_file *f, void *v)
{
	struct net *net = seq_file_single_net(f);
	struct inet_hashinfo *h = &xtcp_hashinfo;
	struct hlist_nulls_node *node;
	struct sock *sk;
	unsigned int b;
	int i = 0;

	seq_setwidth(f, XTCP_PROC_LINE - 1);
	seq_puts(f, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	seq_pad(f, '\n');

	for (b = 0; b <= h->lhash2_mask; b++) {
		struct inet_listen_hashbucket *ilb2 = &h->lhash2[b];

		if (hlist_nulls_empty(&ilb2->nulls_head))
			continue;
		spin_lock_bh(&ilb2->lock);
		sk_nulls_for_each(sk, node, &ilb2->nulls_head) {
			if (sk->sk_family == AF_INET && net_eq(sock_net(sk), net))
				xtcp_show_sock(f, sk, i++);
		}
		spin_unlock_bh(&ilb2->lock);
	}

	for (b = 0; b <= h->ehash_mask; b++) {
		struct inet_ehash_bucket *head = &h->ehash[b];
		spinlock_t *lock = inet_ehash_lockp(h, b);

		if (hlist_nulls_empty(&head->chain))
			continue;
		spin_lock_bh(lock);
		sk_nulls_for_each(sk, node, &head->chain) {
			if (sk->sk_family != AF_INET || !net_eq(sock_net(sk), net))
				continue;
			if (sk->sk_state == TCP_NEW_SYN_RECV)
				xtcp_show_req(f, inet_reqsk(sk), i++);
			else if (sk->sk_state == TCP_TIME_WAIT)
				xtcp_show_tw(f, inet_twsk(sk), i++);
			else
				xtcp_show_sock(f, sk, i++);
		}
		spin_unlock_bh(lock);
	}
	return 0;
}

int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_single("xtcp", 0444, net->proc_net,
				    xtcp_seq_show, NULL))
		goto out;
	if (!proc_create_net_single("xtcp_stat", 0444, net->proc_net,
				    xtcp_mib_seq_show, NULL))
		goto out_xtcp;
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
out_xtcp:
	remove_proc_entry("xtcp", net->proc_net);
out:
	return -ENOMEM;
}

void xtcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("xtcp_netstat", net->proc_net);
	remove_proc_entry("xtcp_snmp", net->proc_net);
	remove_proc_entry("xtcp_stat", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}
