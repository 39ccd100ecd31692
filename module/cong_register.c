// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control algorithms by name: xtcp's own (cong.c's table,
 * xtcp_cong_find()) and those other modules register
 * (<net/xtcp_cong.h>), as tcp_cong.c keeps TCP's.  A socket, and a
 * netns' default, hold the module of the algorithm they use
 * (xtcp_cong_get()/xtcp_cong_put()), so that a module is never unloaded
 * while something may call it.
 *
 * Locking: xtcp_cong_lock (a spinlock) serializes registration; lookups
 * walk the list under RCU.  A module's ops are read under RCU or while
 * its module is held: xtcp_unregister_congestion_control() waits for an
 * RCU grace period, so a reader that found the ops under rcu_read_lock()
 * may use them until rcu_read_unlock().
 */
#include <linux/module.h>
#include <linux/kmod.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "xtcp.h"

static DEFINE_SPINLOCK(xtcp_cong_lock);
static LIST_HEAD(xtcp_cong_registered);

/* A registered algorithm of this name; caller holds RCU or the lock. */
static struct xtcp_cong_ops *xtcp_cong_find_registered(const char *name)
{
	struct xtcp_cong_ops *ops;

	list_for_each_entry_rcu(ops, &xtcp_cong_registered, list,
				lockdep_is_held(&xtcp_cong_lock))
		if (!strcmp(ops->name, name))
			return ops;
	return NULL;
}

/**
 * xtcp_register_congestion_control() - make an algorithm choosable by name
 * @ops: the algorithm, owner set to THIS_MODULE
 *
 * Context: process context (module init).
 * Return: 0; -EINVAL if the name is empty or too long or a hook is
 * missing (init, ssthresh, and cong_avoid or cong_control); -EEXIST if
 * xtcp has an algorithm of that name already.
 */
int xtcp_register_congestion_control(struct xtcp_cong_ops *ops)
{
	int err = 0;

	if (!ops->name || !ops->name[0] ||
	    strlen(ops->name) >= XTCP_CA_NAME_MAX || !ops->init ||
	    !ops->ssthresh || (!ops->cong_avoid && !ops->cong_control)) {
		pr_err("congestion control %s: no name, too long, or a hook missing\n",
		       ops->name ? ops->name : "(null)");
		return -EINVAL;
	}
	spin_lock(&xtcp_cong_lock);
	if (xtcp_cong_find(ops->name) || xtcp_cong_find_registered(ops->name))
		err = -EEXIST;
	else
		list_add_tail_rcu(&ops->list, &xtcp_cong_registered);
	spin_unlock(&xtcp_cong_lock);
	if (err)
		pr_notice("congestion control %s already registered\n",
			  ops->name);
	else
		pr_debug("congestion control %s registered\n", ops->name);
	return err;
}
EXPORT_SYMBOL_GPL(xtcp_register_congestion_control);

/**
 * xtcp_unregister_congestion_control() - withdraw a registered algorithm
 * @ops: what xtcp_register_congestion_control() was given
 *
 * Sockets that use it hold its module, so none does when its module
 * exit calls this; lookups that may still see it finish first.
 *
 * Context: process context (module exit); sleeps.
 */
void xtcp_unregister_congestion_control(struct xtcp_cong_ops *ops)
{
	spin_lock(&xtcp_cong_lock);
	list_del_rcu(&ops->list);
	spin_unlock(&xtcp_cong_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(xtcp_unregister_congestion_control);

/**
 * xtcp_cong_hold() - take a reference to an algorithm's module
 * @ops: xtcp's own algorithm or a registered one
 *
 * Context: any context.
 * Return: true if @ops may be used until xtcp_cong_put(); false if its
 * module is going away.
 */
bool xtcp_cong_hold(const struct xtcp_cong_ops *ops)
{
	return try_module_get(ops->owner);
}

/**
 * xtcp_cong_put() - drop what xtcp_cong_hold() or xtcp_cong_get() took
 * @ops: the algorithm
 *
 * Context: any context.
 */
void xtcp_cong_put(const struct xtcp_cong_ops *ops)
{
	module_put(ops->owner);
}

/**
 * xtcp_cong_get() - the algorithm of a name, held
 * @name: a NUL-terminated name
 *
 * A name no algorithm has loads module "xtcp-cc-NAME" first for a
 * caller with CAP_NET_ADMIN, as TCP loads "tcp_NAME".
 *
 * Context: process context (setsockopt, sysctl); may sleep.
 * Return: the algorithm, to be released with xtcp_cong_put(); NULL if
 * there is none of that name.
 */
const struct xtcp_cong_ops *xtcp_cong_get(const char *name)
{
	const struct xtcp_cong_ops *ops = xtcp_cong_find(name);
	bool loaded = false;

	if (ops)
		return ops;	/* xtcp's own: owner NULL, nothing to hold */
again:
	rcu_read_lock();
	ops = xtcp_cong_find_registered(name);
	if (ops && !xtcp_cong_hold(ops))
		ops = NULL;
	rcu_read_unlock();
	if (!ops && !loaded && capable(CAP_NET_ADMIN)) {
		loaded = true;
		if (!request_module("xtcp-cc-%s", name))
			goto again;
	}
	return ops;
}

/**
 * xtcp_cong_names() - every name TCP_CONGESTION takes, for a sysctl
 * @buf: where to write them, space-separated, NUL-terminated
 * @size: @buf's size; a list that does not fit is cut at a name
 *
 * Context: any context.
 */
void xtcp_cong_names(char *buf, size_t size)
{
	const struct xtcp_cong_ops *ops;
	size_t used;

	xtcp_cong_list(buf, size);
	used = strlen(buf);
	rcu_read_lock();
	list_for_each_entry_rcu(ops, &xtcp_cong_registered, list) {
		size_t len = strlen(ops->name);

		if (used + 1 + len + 1 > size)
			break;
		buf[used++] = ' ';
		memcpy(buf + used, ops->name, len + 1);
		used += len;
	}
	rcu_read_unlock();
}

/**
 * xtcp_cong_name() - copy an algorithm's name safely from any context
 * @slot: where the algorithm's pointer lives (a socket's ca_choice, a
 *	netns' default), written with WRITE_ONCE under its own lock
 * @name: XTCP_CA_NAME_MAX bytes
 *
 * The RCU read section keeps a module's ops valid while the name is
 * copied even if @slot moves to another algorithm and the module goes.
 *
 * Context: any context.
 */
void xtcp_cong_name(const struct xtcp_cong_ops *const *slot, char *name)
{
	rcu_read_lock();
	strscpy(name, READ_ONCE(*slot)->name, XTCP_CA_NAME_MAX);
	rcu_read_unlock();
}
