// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_diag.ko: sock_diag for xtcp (ss, xtcp-ss), as tcp_diag.c and
 * dccp/diag.c are for their protocols: the generic inet_diag walks
 * xtcp's hash tables (state, port and bytecode filters included), and
 * this file says what an xtcp socket adds: its queues, struct tcp_info
 * (TCP_INFO's own filler), the congestion algorithm's name, the peer's
 * UDP port of a connection in UDP (XTCP_DIAG_ENCAP_PORT), and
 * SOCK_DESTROY (xtcp_abort(), through sk_prot->diag_destroy, which
 * sock_diag_destroy() calls only for CAP_NET_ADMIN).
 *
 * A module of its own: inet_diag_register() lives in inet_diag.ko, and
 * xtcp.ko must load without it.  It registers for the protocol number
 * xtcp.ko was loaded with; the alias autoloads it for 253 only.
 *
 * Locking: every hook is called with inet_diag's handler table mutex
 * held (so none runs after inet_diag_unregister() returns).  A full
 * socket's hooks run under a socket reference, not its lock; those of a
 * listener under its listening hash bucket's spinlock: nothing here may
 * sleep for a listener (xtcp_get_info() takes no lock for one).
 */
#include <linux/module.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "xtcp.h"

/* The receive and send queues, as ss shows them (TCP's meanings). */
static void xtcp_diag_get_info(struct sock *sk, struct inet_diag_msg *r,
			       void *info)
{
	if (inet_sk_state_load(sk) == TCP_LISTEN) {
		r->idiag_rqueue = READ_ONCE(sk->sk_ack_backlog);
		r->idiag_wqueue = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		const struct xtcp_sock *xs = xtcp_sk(sk);

		r->idiag_rqueue = max_t(int, READ_ONCE(xs->rcv_nxt) -
					     READ_ONCE(xs->copied_seq), 0);
		r->idiag_wqueue = READ_ONCE(xs->write_seq) -
				  READ_ONCE(xs->snd_una);
	}
	if (info)
		xtcp_get_info(sk, info);
}

/*
 * The algorithm in use, or the one the connection will start with, into
 * @name.  Under RCU: an algorithm of another module stays valid while
 * its name is copied even if the socket leaves it (cong_register.c).
 */
static void xtcp_diag_ca_name(const struct sock *sk, char *name)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_cong_ops *ops;

	rcu_read_lock();
	ops = READ_ONCE(xs->ca_ops);
	if (!ops)
		ops = READ_ONCE(xs->ca_choice);
	strscpy(name, ops ? ops->name : "", XTCP_CA_NAME_MAX);
	rcu_read_unlock();
}

/*
 * INET_DIAG_CONG: inet_sk_diag_fill() writes it from icsk_ca_ops, which
 * xtcp leaves NULL; the name comes from here instead.  The core calls
 * this hook only when INET_DIAG_INFO was asked for (ss -i asks for both).
 */
static int xtcp_diag_get_aux(struct sock *sk, bool net_admin,
			     struct sk_buff *skb)
{
	char name[XTCP_CA_NAME_MAX];
	union tcp_cc_info info;
	__be16 encap = 0;
	size_t sz;
	int attr;

	xtcp_diag_ca_name(sk, name);
	if (name[0] && nla_put_string(skb, INET_DIAG_CONG, name))
		return -EMSGSIZE;
	/*
	 * The algorithm's own (INET_DIAG_BBRINFO, ...), which TCP's
	 * inet_sk_diag_fill() takes from icsk_ca_ops->get_info; ss -i
	 * asks for it with INET_DIAG_INFO, and so is it given here.
	 */
	sz = xtcp_get_cc_info(sk, &attr, &info);
	if (sz && nla_put(skb, attr, sz, &info))
		return -EMSGSIZE;
	/* XTCP_DIAG_ENCAP_PORT: the form of a connection (module/udp.c). */
	if (inet_sk_state_load(sk) != TCP_LISTEN)
		encap = READ_ONCE(xtcp_sk(sk)->encap_port);
	if (encap && nla_put_u16(skb, XTCP_DIAG_ENCAP_PORT, ntohs(encap)))
		return -EMSGSIZE;
	return 0;
}

static size_t xtcp_diag_get_aux_size(struct sock *sk, bool net_admin)
{
	if (!sk_fullsock(sk))
		return 0;
	return nla_total_size(XTCP_CA_NAME_MAX) + nla_total_size(sizeof(u16)) +
	       nla_total_size(sizeof(union tcp_cc_info));
}

static void xtcp_diag_dump(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct inet_diag_req_v2 *r)
{
	inet_diag_dump_icsk(&xtcp_hashinfo, skb, cb, r);
}

static int xtcp_diag_dump_one(struct netlink_callback *cb,
			      const struct inet_diag_req_v2 *req)
{
	return inet_diag_dump_one_icsk(&xtcp_hashinfo, cb, req);
}

#ifdef CONFIG_INET_DIAG_DESTROY
/* SOCK_DESTROY of the socket the request names exactly (ss -K). */
static int xtcp_diag_destroy(struct sk_buff *in_skb,
			     const struct inet_diag_req_v2 *req)
{
	struct net *net = sock_net(in_skb->sk);
	struct sock *sk;
	int err;

	sk = inet_diag_find_one_icsk(net, &xtcp_hashinfo, req);
	if (IS_ERR(sk))
		return PTR_ERR(sk);
	err = sock_diag_destroy(sk, ECONNABORTED);
	sock_gen_put(sk);
	return err;
}
#endif

/* .idiag_type is set at load: xtcp.ko's protocol number. */
static struct inet_diag_handler xtcp_diag_handler = {
	.dump			= xtcp_diag_dump,
	.dump_one		= xtcp_diag_dump_one,
	.idiag_get_info		= xtcp_diag_get_info,
	.idiag_get_aux		= xtcp_diag_get_aux,
	.idiag_get_aux_size	= xtcp_diag_get_aux_size,
	.idiag_info_size	= sizeof(struct tcp_info),
#ifdef CONFIG_INET_DIAG_DESTROY
	.destroy		= xtcp_diag_destroy,
#endif
};

static int __init xtcp_diag_init(void)
{
	int err;

	xtcp_diag_handler.idiag_type = xtcp_proto_num;
	err = inet_diag_register(&xtcp_diag_handler);
	if (err == -EEXIST)
		pr_err("xtcp_diag: an inet_diag handler for IP protocol %d is already registered\n",
		       xtcp_proto_num);
	else if (err)
		pr_err("xtcp_diag: inet_diag_register for IP protocol %d failed (%d)\n",
		       xtcp_proto_num, err);
	else
		pr_info("xtcp_diag: inet_diag handler for IP protocol %d\n",
			xtcp_proto_num);
	return err;
}

static void __exit xtcp_diag_exit(void)
{
	inet_diag_unregister(&xtcp_diag_handler);
}

module_init(xtcp_diag_init);
module_exit(xtcp_diag_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: sock_diag (inet_diag) handler");
/*
 * What inet_diag asks for when a dump names protocol 253 and no handler
 * is registered (sock_load_diag_module(): "net-pf-16-proto-4-type-2-253",
 * PF_NETLINK, NETLINK_SOCK_DIAG, AF_INET, the protocol), only once
 * xtcp.ko holds the IP protocol number.
 */
MODULE_ALIAS_NET_PF_PROTO_NAME(PF_NETLINK, NETLINK_SOCK_DIAG,
			       "-type-" __stringify(AF_INET) "-" __stringify(IPPROTO_XTCP));
/* And a dump of AF_INET6 sockets ("...-type-10-253"). */
MODULE_ALIAS_NET_PF_PROTO_NAME(PF_NETLINK, NETLINK_SOCK_DIAG,
			       "-type-" __stringify(AF_INET6) "-" __stringify(IPPROTO_XTCP));
