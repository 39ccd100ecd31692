// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp counters, per netns: allocation and the name table.  Shown in
 * /proc/net/xtcp_stat (proc.c), one "Name value" line each.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "xtcp.h"

static const char * const xtcp_mib_names[XTCP_MIB_MAX] = {
	[XTCP_MIB_INSEGS]		= "InSegs",
	[XTCP_MIB_OUTSEGS]		= "OutSegs",
	[XTCP_MIB_RETRANSSEGS]		= "RetransSegs",
	[XTCP_MIB_INERRS]		= "InErrs",
	[XTCP_MIB_CSUMERRORS]		= "InCsumErrors",
	[XTCP_MIB_BADHDR]		= "InBadHeader",
	[XTCP_MIB_BADOPTS]		= "InBadOptions",
	[XTCP_MIB_NOSOCKET]		= "InNoSocket",
	[XTCP_MIB_OUTRSTS]		= "OutRsts",
	[XTCP_MIB_INRSTS]		= "InRsts",
	[XTCP_MIB_ACTIVEOPENS]		= "ActiveOpens",
	[XTCP_MIB_PASSIVEOPENS]		= "PassiveOpens",
	[XTCP_MIB_ATTEMPTFAILS]		= "AttemptFails",
	[XTCP_MIB_ESTABRESETS]		= "EstabResets",
	[XTCP_MIB_LISTENOVERFLOWS]	= "ListenOverflows",
	[XTCP_MIB_LISTENDROPS]		= "ListenDrops",
	[XTCP_MIB_SYNRETRANS]		= "SynRetrans",
	[XTCP_MIB_SYNACKRETRANS]	= "SynAckRetrans",
	[XTCP_MIB_UNACCEPTABLE]		= "InUnacceptable",
	[XTCP_MIB_CHALLENGEACKS]	= "ChallengeAcks",
	[XTCP_MIB_OOODROPS]		= "OfoDrops",
	[XTCP_MIB_RCVQDROPS]		= "RcvQDrops",
	[XTCP_MIB_TIMEOUTS]		= "Timeouts",
	[XTCP_MIB_TIMEWAITS]		= "TimeWaits",
	[XTCP_MIB_TWOVERFLOWS]		= "TimeWaitOverflows",
	[XTCP_MIB_TWKILLED]		= "TimeWaitKilled",
	[XTCP_MIB_TWRECYCLED]		= "TimeWaitRecycled",
	[XTCP_MIB_ORPHANOVERFLOWS]	= "OrphanOverflows",
	[XTCP_MIB_FASTRETRANS]		= "FastRetrans",
	[XTCP_MIB_PARTIALACKS]		= "PartialAcks",
	[XTCP_MIB_DUPACKS]		= "InDupAcks",
	[XTCP_MIB_OFOQUEUE]		= "OfoQueued",
	[XTCP_MIB_OFOPRUNED]		= "OfoPruned",
	[XTCP_MIB_DELAYEDACKS]		= "DelayedAcks",
	[XTCP_MIB_WINPROBES]		= "WindowProbes",
	[XTCP_MIB_RTOS]			= "RetransTimeouts",
	[XTCP_MIB_OUTGSO]		= "OutGsoSkbs",
	[XTCP_MIB_BACKLOGDROPS]		= "BacklogDrops",
	[XTCP_MIB_BACKLOGCOALESCE]	= "BacklogCoalesce",
	[XTCP_MIB_SACKREORDER]		= "SackReorder",
	[XTCP_MIB_CHALLENGELIMITED]	= "ChallengeAcksLimited",
	[XTCP_MIB_RSTLIMITED]		= "OutRstsLimited",
	[XTCP_MIB_MEMPRESSURES]		= "MemoryPressures",
	[XTCP_MIB_SYNCOOKIESSENT]	= "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[XTCP_MIB_OUTOFWINDOWICMPS]	= "OutOfWindowIcmps",
	[XTCP_MIB_LOCKDROPPEDICMPS]	= "LockDroppedIcmps",
	[XTCP_MIB_PMTUREDUCED]		= "PmtuReduced",
	[XTCP_MIB_ACKSKIPPED]		= "OutOfWindowAcksSkipped",
	[XTCP_MIB_REQDUPS]		= "RequestDuplicates",
	[XTCP_MIB_TIMERSDEFERRED]	= "TimersDeferred",
};

/**
 * xtcp_mib_init_net() - allocate a netns' counters
 * @net: the namespace being set up
 *
 * Context: process context, from the pernet init (xtcp_init_net()).
 * Return: 0, or -ENOMEM.
 */
int xtcp_mib_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	xn->mib = alloc_percpu(struct xtcp_mib);
	return xn->mib ? 0 : -ENOMEM;
}

/**
 * xtcp_mib_exit_net() - free a netns' counters
 * @net: the namespace going away (or whose setup failed)
 *
 * Context: process context, from the pernet init's unwinding or exit.
 */
void xtcp_mib_exit_net(struct net *net)
{
	free_percpu(xtcp_pernet(net)->mib);
}

/**
 * xtcp_mib_seq_show() - /proc/net/xtcp_stat: one "Name value" line a counter
 * @seq: the seq_file of the netns' file
 * @v: unused (a single-record file)
 *
 * Each counter is summed over the possible CPUs, without a lock: a sum
 * may miss increments made while it is read.
 *
 * Context: process context (read() of the proc file).
 * Return: 0.
 */
int xtcp_mib_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct xtcp_net *xn = xtcp_pernet(net);
	int i, cpu;

	for (i = 0; i < XTCP_MIB_MAX; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(xn->mib, cpu)->mibs[i];
		seq_printf(seq, "%s %lu\n", xtcp_mib_names[i], sum);
	}
	return 0;
}
