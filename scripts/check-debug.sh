#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make check-debug` runs once the selftests are built: the debug
# kernel (scripts/debug-kernel.sh: KASAN, lockdep, kmemleak, ...; built
# once, then cached), xtcp.ko built against it in build/debug-module/
# (W=1, warning-free; ./xtcp.ko is left alone), then scripts/check.sh on
# that kernel with scripts/guest-debug.sh as the guest script: the whole
# suite in one boot, a kmemleak scan, the kernel log check.  The last line
# is "N passed, N failed, N skipped".
#
# Env: VM_TIMEOUT (14400 s here), VM_MEM (4G here), VM_LOG_IGNORE (added to
# the boot messages of the debug options, which are not reports),
# XTCP_FUZZ_SEGMENTS (20,000 here, as make check: CI time; make soak: 1,000,000),
# XTCP_PROGS (a subset here; empty: all), VM_APPEND (slub_debug=- here).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
MOD=$ROOT/build/debug-module

die() { echo "check-debug.sh: error: $*" >&2; exit 1; }
say() { echo "check-debug.sh: $*"; }

cd "$ROOT"
KTREE=$(scripts/debug-kernel.sh)
KREL=$(<"$KTREE/include/config/kernel.release")

# A copy of the module's sources, so the build's objects never mix with
# those of ./xtcp.ko (built against Debian's headers).
rm -rf "$MOD"
mkdir -p "$MOD"
cp -a Kbuild module include examples "$MOD/"
# -g: the module's frames of a report decode to source lines (vm-run.sh).
if ! make -C "$KTREE" M="$MOD" W=1 KCFLAGS=-g modules >"$MOD/build.log" 2>&1; then
	cat "$MOD/build.log" >&2
	die "building xtcp.ko against the debug kernel failed"
fi
if grep -iw 'warning' "$MOD/build.log" >&2; then
	die "warnings building xtcp.ko against the debug kernel (log: $MOD/build.log)"
fi
say "built $MOD/xtcp.ko for $KREL (W=1, no warnings)"

# Boot messages of the debug options themselves, not reports.
benign='kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread (started|ended))'
benign+='|rcu:[[:space:]]+RCU lockdep checking is enabled'
export VM_LOG_IGNORE=${VM_LOG_IGNORE:+$VM_LOG_IGNORE|}$benign
export VM_TIMEOUT=${VM_TIMEOUT:-14400} VM_MEM=${VM_MEM:-4G}
export XTCP_KERNEL=$KTREE XTCP_KO=$MOD/xtcp.ko XTCP_GUEST=scripts/guest-debug.sh
# The wire fuzzer's segments (selftests/xtcp_robust; make check: 20,000).
export XTCP_FUZZ_SEGMENTS=${XTCP_FUZZ_SEGMENTS:-20000}
# The programs that drive the module's paths (handshakes, teardown and
# its timers, ICMP, UDP, the counters, the fuzzer), not the timing and
# throughput tests: what fits CI's time on this kernel under TCG
# (docs/testing.md).  XTCP_PROGS= (empty) runs the whole suite (make soak).
export XTCP_PROGS=${XTCP_PROGS-xtcp_connect xtcp_teardown xtcp_icmp xtcp_encap xtcp_mib xtcp_robust}
# SLUB's own red zones, poisoning and stored stack per object: what KASAN
# finds already, at a high price under TCG (docs/testing.md).
export VM_APPEND=${VM_APPEND-slub_debug=-}
exec scripts/check.sh
