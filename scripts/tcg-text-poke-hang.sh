#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A guest script showing a QEMU TCG hang that has nothing to do with xtcp:
#   XTCP_VM_KVM=0 scripts/vm-run.sh scripts/tcg-text-poke-hang.sh [N]
# Enables and disables the kernel's own sock and tcp tracepoints N times
# (600) in a tracefs instance while kernel TCP moves data over loopback;
# xtcp is not loaded.  Each 0->1 and 1->0 of a tracepoint's probes patches
# kernel text (text_poke_bp: int3, IPI, sync).  Under TCG the guest
# wedges in that patching now and then: one CPU spins in exc_int3 on the
# patched site, the other in smp_call_function_many_cond waiting for it;
# the soft-lockup detector then reports the second every ~30 s and the VM
# runs into VM_TIMEOUT.  Seen here within 15 s of the first toggles on
# the Debian 6.1 kernel.  Exits 0 if all N rounds complete.
#
# xtcp_trace keeps two instances holding its events for the whole program
# so that its tests do not patch text (see keepers_up() there).
set -u
N=${1:-600}
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T || exit 1
ip link set lo up
traffic() {
	while :; do
		busybox nc -l -p 5000 >/dev/null &
		sleep 0.2
		dd if=/dev/zero bs=64k count=200 2>/dev/null |
			busybox nc 127.0.0.1 5000 -w 2 >/dev/null 2>&1
		wait 2>/dev/null
	done
}
traffic &
tp=$!
inst=$T/instances/tcg-text-poke
mkdir -p $inst || exit 1
start=$SECONDS
for ((i = 1; i <= N; i++)); do
	for group in sock tcp; do
		echo 1 >$inst/events/$group/enable
		echo 0 >$inst/events/$group/enable
	done
	((i % 50)) || echo "round $i of $N: $((SECONDS - start)) s"
done
kill $tp
wait 2>/dev/null
rmdir $inst
echo "tcg-text-poke-hang: $N rounds, no hang"
