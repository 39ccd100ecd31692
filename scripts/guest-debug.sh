#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel VM for `make check-debug` (one boot): the
# whole selftest suite, selftests/run.sh KO, then a kmemleak scan.  A leak
# kmemleak reports is one failed TAP test, printed with its report.
# Exits non-zero if anything failed.
#
# usage: scripts/guest-debug.sh path/to/xtcp.ko
set -euo pipefail
cd "$(dirname "$0")/.."
KO=${1:?usage: $0 path/to/xtcp.ko}
KMEMLEAK=/sys/kernel/debug/kmemleak

# No automatic scans during the suite: under TCG each takes a vCPU for a
# minute or more, and the scans below find every leak anyway.
[[ -e $KMEMLEAK ]] || mount -t debugfs debugfs /sys/kernel/debug || true
echo scan=off >"$KMEMLEAK" || true

# The programs of selftests/xtcp_apps.sh and xtcp_interop_apps.sh (nginx,
# iperf3, redis, OpenSSH under xtcpize and through the bridge) run in make
# check; on this kernel under TCG their transfers take longer than CI's
# budget leaves to the lane, so they run here only with XTCP_DEBUG_APPS=1
# (make soak).
if [[ ${XTCP_DEBUG_APPS:-} != 1 ]]; then
	export XTCP_SKIP_APPS="make check runs them; on the debug kernel only with XTCP_DEBUG_APPS=1 (make soak)"
fi

# The selftests were built with XTCP_TIME_SCALE=8 (make check-debug):
# run.sh scales selftests/settings' timeout alike.
export XTCP_TIME_SCALE=${XTCP_TIME_SCALE:-8}

rc=0
selftests/run.sh "$KO" || rc=$?

# kmemleak reports an object only once it has been unreferenced for a
# whole scan and is older than 5 s: scan, wait, scan again.
kmemleak_report() {
	[[ -e $KMEMLEAK ]] || mount -t debugfs debugfs /sys/kernel/debug || return 1
	[[ -e $KMEMLEAK ]] || { echo "no $KMEMLEAK (CONFIG_DEBUG_KMEMLEAK?)"; return 1; }
	echo scan >"$KMEMLEAK" || { echo "kmemleak is off (see dmesg)"; return 1; }
	sleep 6
	echo scan >"$KMEMLEAK" || return 1
	cat "$KMEMLEAK"
}

start=$SECONDS
if report=$(kmemleak_report 2>&1) && [[ -z $report ]]; then
	echo "ok - kmemleak reports no leak after the suite ($((SECONDS - start))s)"
else
	echo "not ok - kmemleak reports no leak after the suite"
	printf '%s\n' "$report" | sed 's/^/# /'
	rc=1
fi
exit "$rc"
