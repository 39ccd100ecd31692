#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl (from Debian's linux-source-6.1, taken
# out at first use into build/, never committed) over the module, the
# uapi header and the selftests' C sources.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
TAR=${KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
CP=$ROOT/build/checkpatch
if [[ ! -x $CP/scripts/checkpatch.pl ]]; then
	mkdir -p "$CP"
	tar -xJf "$TAR" -C "$CP" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi
cd "$ROOT"
run() { "$CP/scripts/checkpatch.pl" --no-tree --terse --show-types -f "$@"; }
# The module at --strict; user-space test code at the default level (it
# uses the C library's types, as kernel selftests do).
rc=0
run --strict $(ls module/*.[ch] | grep -vx module/trace.h) include/uapi/linux/xtcp.h \
	include/net/xtcp_cong.h examples/cc/*.c || rc=1
# The tracepoint header is written in the TRACE_EVENT() macros' own
# language, whose layout checkpatch takes for C (include/trace/events/
# is no cleaner): what that layout forces is ignored there, only there.
run --strict --ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,COMPLEX_MACRO,TRAILING_SEMICOLON,MACRO_ARG_REUSE \
	module/trace.h || rc=1
run selftests/*.[ch] selftests/unit/*.[ch] tools/bench/*.c tools/demo/*.c || rc=1
exit $rc
