// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp counters, per netns: allocation and the name tables.  Shown in
 * /proc/net/xtcp_stat (proc.c), one "Name value" line each, and again in
 * the layout of /proc/net/snmp and /proc/net/netstat, for nstat
 * (tools/xtcp-nstat): each file a "Prefix: names" line and a "Prefix:
 * values" line.  /proc/net/xtcp_snmp has RFC 4022's objects in TCP's
 * order under TCP's names ("Xtcp:"), /proc/net/xtcp_netstat every other
 * counter ("XtcpExt:"), under TcpExt's name where TcpExt's counter means
 * the same and under xtcp_stat's otherwise (docs/counters.md).  nstat
 * prefixes each name with its line's prefix: XtcpActiveOpens,
 * XtcpExtListenDrops, never one of the kernel's Tcp or TcpExt names.
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
	[XTCP_MIB_RCVCOALESCE]		= "RcvCoalesce",
	[XTCP_MIB_DSACKOLDSENT]		= "DsackOldSent",
	[XTCP_MIB_DSACKOFOSENT]		= "DsackOfoSent",
	[XTCP_MIB_SACKREORDER]		= "SackReorder",
	[XTCP_MIB_TSREORDER]		= "TsReorder",
	[XTCP_MIB_SACKMERGED]		= "SackMerged",
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
	[XTCP_MIB_TSQTHROTTLED]		= "TsqThrottled",
	[XTCP_MIB_ENCAPINSEGS]		= "EncapInSegs",
	[XTCP_MIB_ENCAPOUTSEGS]		= "EncapOutSegs",
	[XTCP_MIB_ENCAPINERRS]		= "EncapInErrs",
	[XTCP_MIB_ENCAPMISMATCH]	= "EncapMismatch",
	[XTCP_MIB_DSACKRECV]		= "DsackRecv",
	[XTCP_MIB_DSACKDUBIOUS]		= "DsackIgnoredDubious",
	[XTCP_MIB_DSACKUNDO]		= "DsackUndo",
	[XTCP_MIB_ECNCERECV]		= "EcnCeRecv",
	[XTCP_MIB_ECNCWR]		= "EcnCwr",
	[XTCP_MIB_SPURIOUSRTOS]		= "SpuriousRtos",
	[XTCP_MIB_FULLUNDO]		= "FullUndo",
	[XTCP_MIB_PARTIALUNDO]		= "PartialUndo",
	[XTCP_MIB_LOSSUNDO]		= "LossUndo",
	[XTCP_MIB_LOSSPROBES]		= "LossProbes",
	[XTCP_MIB_LOSSPROBERECOVERY]	= "LossProbeRecovery",
	[XTCP_MIB_LOSTRETRANSMIT]	= "LostRetransmit",
	[XTCP_MIB_MINTTLDROP]		= "MinTtlDrops",
	[XTCP_MIB_ACKCOMPRESSED]	= "AckCompressed",
	[XTCP_MIB_PAWSESTAB]		= "PAWSEstab",
	[XTCP_MIB_SACKRECV]		= "SackRecv",
	[XTCP_MIB_SACKSCANNED]		= "SackScanned",
	[XTCP_MIB_PAWSACTIVE]		= "PAWSActiveRejected",
	[XTCP_MIB_CURRESTAB]		= "CurrEstab",
};

/* The Xtcp: line after the four constants: TCP's Tcp: line's order. */
static const int xtcp_snmp_fields[] = {
	XTCP_MIB_ACTIVEOPENS, XTCP_MIB_PASSIVEOPENS, XTCP_MIB_ATTEMPTFAILS,
	XTCP_MIB_ESTABRESETS, XTCP_MIB_CURRESTAB, XTCP_MIB_INSEGS,
	XTCP_MIB_OUTSEGS, XTCP_MIB_RETRANSSEGS, XTCP_MIB_INERRS,
	XTCP_MIB_OUTRSTS, XTCP_MIB_CSUMERRORS,
};

/*
 * The XtcpExt: names: TcpExt's where its counter counts the same thing,
 * else xtcp_stat's.  NULL: the field is on the Xtcp: line.  A new
 * counter gets a name here or a place above (selftests/xtcp_mib checks
 * that each is in exactly one of the two files; docs/counters.md).
 */
static const char * const xtcp_netstat_names[XTCP_MIB_MAX] = {
	[XTCP_MIB_BADHDR]		= "InBadHeader",
	[XTCP_MIB_BADOPTS]		= "InBadOptions",
	[XTCP_MIB_NOSOCKET]		= "InNoSocket",
	[XTCP_MIB_INRSTS]		= "InRsts",
	[XTCP_MIB_LISTENOVERFLOWS]	= "ListenOverflows",
	[XTCP_MIB_LISTENDROPS]		= "ListenDrops",
	[XTCP_MIB_SYNRETRANS]		= "SynRetrans",
	[XTCP_MIB_SYNACKRETRANS]	= "SynAckRetrans",
	[XTCP_MIB_UNACCEPTABLE]		= "InUnacceptable",
	[XTCP_MIB_CHALLENGEACKS]	= "TCPChallengeACK",
	[XTCP_MIB_OOODROPS]		= "OfoDrops",
	[XTCP_MIB_RCVQDROPS]		= "TCPRcvQDrop",
	[XTCP_MIB_TIMEOUTS]		= "TCPAbortOnTimeout",
	[XTCP_MIB_TIMEWAITS]		= "TimeWaits",
	[XTCP_MIB_TWOVERFLOWS]		= "TCPTimeWaitOverflow",
	[XTCP_MIB_TWKILLED]		= "TimeWaitKilled",
	[XTCP_MIB_TWRECYCLED]		= "TimeWaitRecycled",
	[XTCP_MIB_ORPHANOVERFLOWS]	= "TCPAbortOnMemory",
	[XTCP_MIB_FASTRETRANS]		= "FastRetrans",
	[XTCP_MIB_PARTIALACKS]		= "PartialAcks",
	[XTCP_MIB_DUPACKS]		= "InDupAcks",
	[XTCP_MIB_OFOQUEUE]		= "TCPOFOQueue",
	[XTCP_MIB_OFOPRUNED]		= "OfoPruned",
	[XTCP_MIB_DELAYEDACKS]		= "DelayedACKs",
	[XTCP_MIB_WINPROBES]		= "TCPWinProbe",
	[XTCP_MIB_RTOS]			= "RetransTimeouts",
	[XTCP_MIB_OUTGSO]		= "OutGsoSkbs",
	[XTCP_MIB_BACKLOGDROPS]		= "TCPBacklogDrop",
	[XTCP_MIB_BACKLOGCOALESCE]	= "TCPBacklogCoalesce",
	[XTCP_MIB_RCVCOALESCE]		= "TCPRcvCoalesce",
	[XTCP_MIB_DSACKOLDSENT]		= "TCPDSACKOldSent",
	[XTCP_MIB_DSACKOFOSENT]		= "TCPDSACKOfoSent",
	[XTCP_MIB_SACKREORDER]		= "TCPSACKReorder",
	[XTCP_MIB_TSREORDER]		= "TCPTSReorder",
	[XTCP_MIB_SACKMERGED]		= "TCPSackMerged",
	[XTCP_MIB_CHALLENGELIMITED]	= "ChallengeAcksLimited",
	[XTCP_MIB_RSTLIMITED]		= "OutRstsLimited",
	[XTCP_MIB_MEMPRESSURES]		= "TCPMemoryPressures",
	[XTCP_MIB_SYNCOOKIESSENT]	= "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[XTCP_MIB_OUTOFWINDOWICMPS]	= "OutOfWindowIcmps",
	[XTCP_MIB_LOCKDROPPEDICMPS]	= "LockDroppedIcmps",
	[XTCP_MIB_PMTUREDUCED]		= "PmtuReduced",
	[XTCP_MIB_ACKSKIPPED]		= "OutOfWindowAcksSkipped",
	[XTCP_MIB_REQDUPS]		= "RequestDuplicates",
	[XTCP_MIB_TIMERSDEFERRED]	= "TimersDeferred",
	[XTCP_MIB_TSQTHROTTLED]		= "TsqThrottled",
	[XTCP_MIB_ENCAPINSEGS]		= "EncapInSegs",
	[XTCP_MIB_ENCAPOUTSEGS]		= "EncapOutSegs",
	[XTCP_MIB_ENCAPINERRS]		= "EncapInErrs",
	[XTCP_MIB_ENCAPMISMATCH]	= "EncapMismatch",
	[XTCP_MIB_DSACKRECV]		= "TCPDSACKRecv",
	[XTCP_MIB_DSACKDUBIOUS]		= "TCPDSACKIgnoredDubious",
	[XTCP_MIB_DSACKUNDO]		= "TCPDSACKUndo",
	[XTCP_MIB_ECNCERECV]		= "EcnCeRecv",
	[XTCP_MIB_ECNCWR]		= "EcnCwr",
	[XTCP_MIB_SPURIOUSRTOS]		= "TCPSpuriousRTOs",
	[XTCP_MIB_FULLUNDO]		= "TCPFullUndo",
	[XTCP_MIB_PARTIALUNDO]		= "TCPPartialUndo",
	[XTCP_MIB_LOSSUNDO]		= "TCPLossUndo",
	[XTCP_MIB_LOSSPROBES]		= "TCPLossProbes",
	[XTCP_MIB_LOSSPROBERECOVERY]	= "TCPLossProbeRecovery",
	[XTCP_MIB_LOSTRETRANSMIT]	= "TCPLostRetransmit",
	[XTCP_MIB_MINTTLDROP]		= "TCPMinTTLDrop",
	[XTCP_MIB_ACKCOMPRESSED]	= "TCPAckCompressed",
	[XTCP_MIB_PAWSESTAB]		= "PAWSEstab",
	[XTCP_MIB_SACKRECV]		= "SackRecv",
	[XTCP_MIB_SACKSCANNED]		= "SackScanned",
	[XTCP_MIB_PAWSACTIVE]		= "PAWSActive",
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

/*
 * A counter's value: its CPUs' parts summed.  Unsigned, they wrap; as a
 * long, the one gauge (CurrEstab) comes out right even when a socket
 * entered ESTABLISHED on one CPU and left it on another.
 */
static unsigned long xtcp_mib_sum(const struct xtcp_net *xn, int field)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(xn->mib, cpu)->mibs[field];
	return sum;
}

static void xtcp_mib_show_value(struct seq_file *seq,
				const struct xtcp_net *xn, int field)
{
	if (field == XTCP_MIB_CURRESTAB)
		seq_printf(seq, " %ld", (long)xtcp_mib_sum(xn, field));
	else
		seq_printf(seq, " %lu", xtcp_mib_sum(xn, field));
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
	int i;

	for (i = 0; i < XTCP_MIB_MAX; i++) {
		seq_puts(seq, xtcp_mib_names[i]);
		xtcp_mib_show_value(seq, xn, i);
		seq_putc(seq, '\n');
	}
	return 0;
}

/*
 * /proc/net/xtcp_snmp: as /proc/net/snmp's Tcp: pair.  RtoAlgorithm 1
 * is RFC 4022's other(1), as TCP's; RtoMin and RtoMax are xtcp's bounds
 * in ms; MaxConn -1: no fixed limit.
 */
int xtcp_mib_snmp_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct xtcp_net *xn = xtcp_pernet(net);
	int i;

	seq_puts(seq, "Xtcp: RtoAlgorithm RtoMin RtoMax MaxConn");
	for (i = 0; i < ARRAY_SIZE(xtcp_snmp_fields); i++)
		seq_printf(seq, " %s", xtcp_mib_names[xtcp_snmp_fields[i]]);
	seq_printf(seq, "\nXtcp: 1 %u %u -1",
		   jiffies_to_msecs(XTCP_RTO_MIN), jiffies_to_msecs(XTCP_RTO_MAX));
	for (i = 0; i < ARRAY_SIZE(xtcp_snmp_fields); i++)
		xtcp_mib_show_value(seq, xn, xtcp_snmp_fields[i]);
	seq_putc(seq, '\n');
	return 0;
}

/* /proc/net/xtcp_netstat: as /proc/net/netstat's TcpExt: pair. */
int xtcp_mib_netstat_seq_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct xtcp_net *xn = xtcp_pernet(net);
	int i;

	seq_puts(seq, "XtcpExt:");
	for (i = 0; i < XTCP_MIB_MAX; i++)
		if (xtcp_netstat_names[i])
			seq_printf(seq, " %s", xtcp_netstat_names[i]);
	seq_puts(seq, "\nXtcpExt:");
	for (i = 0; i < XTCP_MIB_MAX; i++)
		if (xtcp_netstat_names[i])
			xtcp_mib_show_value(seq, xn, i);
	seq_putc(seq, '\n');
	return 0;
}
