#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TAP for the shell drivers (run.sh and the scripts it runs), sourced:
# `ok DESCRIPTION COMMAND...` runs the command and prints one "ok N" or
# "not ok N" line, with the command's output as "# " lines on failure;
# $n counts the lines, $fails the failures.

n=0
fails=0
TAP_STEP_LOG=/tmp/xtcp-step.$$.log

ok() {		# ok DESCRIPTION COMMAND...: one TAP line for the command
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$TAP_STEP_LOG" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$TAP_STEP_LOG"
		fails=$((fails + 1))
	fi
}

skip() {	# skip DESCRIPTION REASON: one "ok N # SKIP" line
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
