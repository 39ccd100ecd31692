#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test hosts of the shell drivers (xtcp_diag.sh, xtcp_apps.sh,
# xtcp_interop_apps.sh), sourced by run.sh and the demo: netns "xsrv"
# (10.99.0.1 on veth "vs") and "xcli" (10.99.0.2 on veth "vc").  The
# kselftest programs make the same hosts for each test, under names of
# their own (hosts_up() in xtcp_lib.c).  Ghost hosts
# 10.99.0.3 (seen from xsrv) and 10.99.0.4 (seen from xcli) are static
# neighbours that never answer: segments to them reach the wire and go
# nowhere.  Traffic stays inside the VM.

setup_topology() {
	ip netns add xsrv && ip netns add xcli || return 1
	ip -n xsrv link set lo up && ip -n xcli link set lo up || return 1
	ip link add vs netns xsrv type veth peer name vc netns xcli || return 1
	ip -n xsrv addr add 10.99.0.1/24 dev vs || return 1
	ip -n xcli addr add 10.99.0.2/24 dev vc || return 1
	ip -n xsrv link set vs up && ip -n xcli link set vc up || return 1
	ip -n xsrv neigh add 10.99.0.3 lladdr 02:00:00:00:00:03 dev vs nud permanent
	ip -n xcli neigh add 10.99.0.4 lladdr 02:00:00:00:00:04 dev vc nud permanent
	modprobe sch_netem || return 1
	ip netns exec xcli ping -c1 -W2 10.99.0.1 >/dev/null
}

teardown_topology() {
	ip netns del xcli 2>/dev/null
	ip netns del xsrv 2>/dev/null
	return 0
}
