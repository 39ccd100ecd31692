#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Holds every xtcp tracepoint registered, recording nothing, from just
# after the module loads until just before it unloads; sourced by run.sh
# and run-some.sh.
#
# A tracepoint's code is patched (text_poke_bp(): its static key and
# static call) when its probes go from none to one or from one to two
# and back.  Under QEMU's TCG a guest can wedge in that patching when
# another vCPU runs the patched site at the time: one vCPU spins in
# exc_int3, the other in smp_call_function_many_cond() waiting for it,
# and soft-lockup reports follow until VM_TIMEOUT
# (scripts/tcg-text-poke-hang.sh shows it without xtcp).  CI's make check
# wedged so in xtcp_trace's own holders, made while the sockets that
# xtcp_robust left behind still ran xtcp's timers.  Made here, the
# patching happens while no xtcp code runs anywhere; xtcp_trace's tests,
# perf and bpftrace then only add probes to the two held here.

XTCP_HOLD_TRACEFS=/sys/kernel/tracing
XTCP_HOLD=()

# Two instances with tracing off and every xtcp event on.  True if both
# hold them; a kernel without tracefs or xtcp's events holds nothing.
xtcp_events_hold() {
	local t=$XTCP_HOLD_TRACEFS i dir

	if [[ ! -d $t/instances ]]; then
		mount -t tracefs nodev "$t" 2>/dev/null || return 1
	fi
	[[ -d $t/events/xtcp ]] || return 1
	for i in 0 1; do
		dir=$t/instances/xtcp_hold$i
		rmdir "$dir" 2>/dev/null
		mkdir "$dir" || return 1
		XTCP_HOLD+=("$dir")
		echo 0 >"$dir/tracing_on" &&
			echo 4 >"$dir/buffer_size_kb" &&
			echo 1 >"$dir/events/xtcp/enable" || return 1
	done
}

# Lets them go: call it when no xtcp socket is left.
xtcp_events_release() {
	local dir

	for dir in "${XTCP_HOLD[@]}"; do
		echo 0 >"$dir/events/enable"
		rmdir "$dir" || return 1
	done
	XTCP_HOLD=()
}
