#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run some of the kselftest programs in the VM without the rest of the
# suite: load the module, make the topology with run.sh's sysctls, then
# run each argument as a command (a program with its options).
#
# usage: scripts/vm-run.sh selftests/run-some.sh 'selftests/xtcp_stream' ...
# XTCP_KO: the module (default ./xtcp.ko).

set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/topology.sh
. selftests/topology.sh
# shellcheck source=selftests/trace_hold.sh
. selftests/trace_hold.sh
insmod "${XTCP_KO:-$PWD/xtcp.ko}" || exit 1
xtcp_events_hold || echo "# run-some.sh: xtcp's tracepoints not held"
setup_topology || exit 1
for ns in xsrv xcli; do
	ip netns exec $ns sysctl -q -w net.xtcp.tw_timeout=2 net.xtcp.fin_timeout=5
done
rc=0
for cmd in "$@"; do
	echo "# $cmd"
	start=$SECONDS
	# Each line of output after the seconds since the command started.
	bash -c "$cmd" 2>&1 | while IFS= read -r line; do
		printf '%4d %s\n' $((SECONDS - start)) "$line"
	done
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	echo "# $cmd: $((SECONDS - start)) s"
done
exit $rc
