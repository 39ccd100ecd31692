#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The xtcp selftest suite, run inside the test VM as root (one boot):
# module load/unload checks, then every kselftest program (each test makes
# its own hosts in its fixture: hosts_up() in xtcp_lib.c), then the shell
# drivers on topology.sh's two namespaces.  Prints TAP; exits non-zero if
# anything failed.
#
# usage: selftests/run.sh [path/to/xtcp.ko]

set -u
cd "$(dirname "$0")/.." || exit 1
KO=${1:-$PWD/xtcp.ko}
T=selftests
# shellcheck source=selftests/topology.sh
. "$T/topology.sh"
# shellcheck source=selftests/tap.sh
. "$T/tap.sh"
# shellcheck source=selftests/trace_hold.sh
. "$T/trace_hold.sh"

# The kselftest programs and drivers, in the order they run.  XTCP_PROGS
# (space-separated names from these) runs only those, and skips the rest
# with one line each: the debug lane's CI subset (scripts/check-debug.sh).
ALL_PROGS=(xtcp_connect xtcp_teardown xtcp_stream xtcp_api xtcp_sockopt
	xtcp_tcpopt xtcp_icmp xtcp_encap xtcp_splice xtcp_interop xtcp_mib
	xtcp_robust xtcp_trace xtcp_ipv6)
# Run a second time over AF_INET6 sockets (XTCP_FAMILY=6, xtcp_lib.h):
# the programs whose tests are all family-neutral, within make check's
# time.  The others run over IPv6 by hand (docs/testing.md).
IPV6_PROGS=(xtcp_teardown xtcp_splice xtcp_encap)
ALL_DRIVERS=(xtcp_diag.sh xtcp_apps.sh xtcp_interop_apps.sh xtcp_install.sh)
wanted() {
	[[ -z ${XTCP_PROGS:-} || " $XTCP_PROGS " == *" $1 "* ]]
}
for prog in ${XTCP_PROGS:-}; do
	if [[ " ${ALL_PROGS[*]} ${ALL_DRIVERS[*]} " != *" $prog "* ]]; then
		echo "run.sh: XTCP_PROGS: no program $prog" >&2
		exit 2
	fi
done

# Copies a kselftest program's output, each test's OK/FAIL line with the
# seconds the test took: where a slow (debug) kernel spends its time.
timed() {
	local line t0=$SECONDS
	local done_re='^# +(OK|FAIL)  '

	while IFS= read -r line; do
		if [[ $line == "#  RUN "* ]]; then
			t0=$SECONDS
		elif [[ $line =~ $done_re ]]; then
			line+=" ($((SECONDS - t0)) s)"
		fi
		printf '%s\n' "$line"
	done
}

loaded() { grep -q '^xtcp ' /proc/modules; }

load_unload_cycles() {
	local i
	for i in $(seq 1 20); do
		insmod "$KO" || return 1
		[ -e /proc/net/xtcp ] || return 1
		rmmod xtcp || return 1
		[ ! -e /proc/net/xtcp ] || return 1
	done
}

taken_number_fails_cleanly() {
	modprobe dccp_ipv4 || return 1
	if insmod "$KO" proto=33; then
		echo "loaded over DCCP's protocol number"
		rmmod xtcp
		return 1
	fi
	dmesg | tail -5 | grep -q 'xtcp: IP protocol 33 is already registered' || return 1
	loaded && return 1
	# Everything was undone: a normal load works.
	insmod "$KO" || return 1
	$T/xtcp_probe ok || return 1
	rmmod xtcp || return 1
	rmmod dccp_ipv4 dccp 2>/dev/null
	return 0
}

# xtcp_diag.ko fails its load, and says why, when inet_diag's slot for
# xtcp's number is taken: raw_diag holds IPPROTO_RAW's (255), which
# xtcp.ko itself can have (raw sockets take no IP protocol number).
diag_taken_slot_fails_cleanly() {
	local dko

	dko=$(dirname "$KO")/xtcp_diag.ko
	modprobe raw_diag || return 1
	insmod "$KO" proto=255 || return 1
	if insmod "$dko"; then
		echo "xtcp_diag registered over raw_diag's handler"
		rmmod xtcp_diag xtcp
		return 1
	fi
	dmesg | tail -5 |
		grep -q 'xtcp_diag: an inet_diag handler for IP protocol 255 is already registered' ||
		return 1
	rmmod xtcp || return 1
	# Built in (the debug kernel makes the config's =m =y): stays.
	rmmod raw_diag 2>/dev/null
	return 0
}

rmmod_refused_while_in_use() {
	local pid
	$T/xtcp_probe hold > /tmp/xtcp-hold.log &
	pid=$!
	sleep 0.5
	grep -q holding /tmp/xtcp-hold.log || { kill $pid; return 1; }
	if rmmod xtcp 2>/dev/null; then
		kill $pid
		return 1
	fi
	kill $pid
	wait $pid 2>/dev/null
	return 0
}

# Every xtcp socket, request and timewait sock holds a reference on the
# module: all of them, in every test's netns (gone or not), are freed
# when its use count is 0.  FIN-WAIT-2 lasts 5 s and TIME-WAIT 2 s in
# the tests' hosts.
all_sockets_gone() {
	local ns refs end=$((SECONDS + 30 * ${XTCP_TIME_SCALE:-1}))
	while :; do
		refs=$(awk '$1 == "xtcp" { print $3 }' /proc/modules)
		[ "$refs" = 0 ] && return 0
		[ $SECONDS -ge $end ] && break
		sleep 0.5
	done
	echo "# xtcp's use count is still $refs"
	for ns in $(ip netns list | cut -d' ' -f1); do
		echo "# /proc/net/xtcp and xtcp6 in $ns"
		ip netns exec "$ns" cat /proc/net/xtcp /proc/net/xtcp6
	done
	return 1
}

# The hosts a test program's fixtures made and could not remove (a test
# killed by its time limit skips its teardown): removed, and named.
remove_test_hosts() {
	local ns

	for ns in $(ip netns list | cut -d' ' -f1 | grep -E '^x(srv|cli|atk|ic|ir|is|ec|er|es)-[0-9]+$'); do
		echo "# $1 left netns $ns"
		ip netns del "$ns"
	done
}

# A netns deleted with a TIME-WAIT socket in it frees the socket: the
# module's use count (timewait socks hold one) drops to zero.
netns_deletion_frees_time_wait() {
	local i
	ip netns add xtw || return 1
	ip -n xtw link set lo up
	ip netns exec xtw $T/xtcp_probe timewait || return 1
	ip netns exec xtw cat /proc/net/xtcp | grep -q ': 0100007F:.* 06 ' || return 1
	ip netns del xtw
	for i in $(seq 1 40); do
		[ "$(awk '$1 == "xtcp" { print $3 }' /proc/modules)" = 0 ] && return 0
		sleep 0.25
	done
	grep '^xtcp ' /proc/modules
	return 1
}

# Three times: load, start a bulk transfer between fresh netns, check
# that rmmod is refused while it runs, kill it, delete the netns (with
# whatever orphans and TIME-WAIT it left), and unload.
load_unload_under_traffic() {
	local i pid
	head -c 64M /dev/zero >/tmp/xtcp-bulk.bin
	for i in 1 2 3; do
		insmod "$KO" || return 1
		setup_topology || return 1
		tools/demo/xtcp_demo /tmp/xtcp-bulk.bin >/tmp/xtcp-bulk.log 2>&1 &
		pid=$!
		for _ in $(seq 1 40); do
			grep -q 'now: client ESTABLISHED' /tmp/xtcp-bulk.log && break
			sleep 0.25
		done
		grep -q 'now: client ESTABLISHED' /tmp/xtcp-bulk.log || {
			echo "no transfer"; cat /tmp/xtcp-bulk.log; kill $pid; return 1; }
		sleep 0.5
		if rmmod xtcp 2>/dev/null; then
			echo "rmmod succeeded under traffic"
			return 1
		fi
		kill -9 $pid
		wait $pid 2>/dev/null
		teardown_topology
		for _ in $(seq 1 60); do
			rmmod xtcp 2>/dev/null && break
			sleep 0.25
		done
		loaded && { echo "cycle $i: still loaded"; grep '^xtcp ' /proc/modules; return 1; }
	done
	return 0
}

echo "TAP version 13"
echo "# xtcp selftests on $(uname -r)"
ok "socket() before load fails with EPROTONOSUPPORT" $T/xtcp_probe EPROTONOSUPPORT
ok "20 load/unload cycles" load_unload_cycles
ok "a taken protocol number fails the load and undoes everything" taken_number_fails_cleanly
# raw_diag holds the slot of protocol 255; a kernel may have inet_diag
# without it (CONFIG_INET_RAW_DIAG, selftests/config).
if [ -e "$(dirname "$KO")/xtcp_diag.ko" ] && modprobe inet_diag 2>/dev/null &&
	modprobe -n raw_diag 2>/dev/null; then
	ok "xtcp_diag.ko refuses a taken inet_diag slot and says so" diag_taken_slot_fails_cleanly
else
	skip "xtcp_diag.ko refuses a taken inet_diag slot" "no inet_diag, raw_diag or xtcp_diag.ko"
fi
ok "module loads" insmod "$KO"
# Before any xtcp code runs: see trace_hold.sh.
ok "every xtcp tracepoint held, recording nothing" xtcp_events_hold
ok "socket() after load works" $T/xtcp_probe ok
ok "two netns joined by veth" setup_topology
# Short TIME-WAIT and FIN-WAIT-2 in the test hosts, so that nothing
# outlives the suite for long.
for ns in xsrv xcli; do
	ip netns exec $ns sysctl -q -w net.xtcp.tw_timeout=2 net.xtcp.fin_timeout=5
done
ok "rmmod refused while a socket exists" rmmod_refused_while_in_use

# Each program gets selftests/settings' timeout (kselftest's format),
# times XTCP_TIME_SCALE on a slow kernel: a program that hangs is killed
# and counted as one failure, and the suite goes on.
limit=$(sed -n 's/^timeout=//p' $T/settings)
limit=$((limit * ${XTCP_TIME_SCALE:-1}))
# run_prog PROG [FAMILY]: one program, over IPv6 if FAMILY is 6.
run_prog() {
	local prog=$1 fam=${2:-4} name=$1 start rc

	[ "$fam" = 6 ] && name="$prog (XTCP_FAMILY=6)"
	echo "# $name"
	start=$SECONDS
	XTCP_FAMILY=$fam timeout -k 10 $limit $T/$prog 2>&1 | timed
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		n=$((n + 1))
		echo "not ok $n - $name killed after ${limit} s (selftests/settings)"
	fi
	[ "$rc" -eq 0 ] || fails=$((fails + 1))
	remove_test_hosts "$prog"
	echo "# $name took $((SECONDS - start)) s"
}

for prog in "${ALL_PROGS[@]}"; do
	if ! wanted "$prog"; then
		skip "$prog" "not in XTCP_PROGS"
		continue
	fi
	run_prog "$prog"
done
# Without IPv6 in the guest's kernel the second pass has nothing to run.
for prog in "${IPV6_PROGS[@]}"; do
	if ! wanted "$prog"; then
		skip "$prog over IPv6" "not in XTCP_PROGS"
	elif [ ! -e /proc/net/if_inet6 ]; then
		skip "$prog over IPv6" "no IPv6 in this kernel"
	else
		run_prog "$prog" 6
	fi
done

# sock_diag (xtcp_diag.ko, loaded and unloaded there) and xtcp-ss: its
# own TAP lines, counted as one failure like a program above.
if wanted xtcp_diag.sh; then
	echo "# xtcp_diag.sh"
	start=$SECONDS
	XTCP_KO=$KO $T/xtcp_diag.sh || fails=$((fails + 1))
	echo "# xtcp_diag.sh took $((SECONDS - start)) s"
else
	skip xtcp_diag.sh "not in XTCP_PROGS"
fi

# Unmodified Debian programs (nginx, iperf3, redis, OpenSSH) under xtcpize,
# then the same programs with kernel TCP at the other end, through
# xtcp-bridge: each script prints its own TAP lines, counted as one failure
# like a program above.  XTCP_SKIP_APPS=REASON skips both (the debug lane:
# scripts/guest-debug.sh).
for script in xtcp_apps.sh xtcp_interop_apps.sh; do
	if [ -n "${XTCP_SKIP_APPS:-}" ]; then
		skip "$script" "$XTCP_SKIP_APPS"
		continue
	elif ! wanted "$script"; then
		skip "$script" "not in XTCP_PROGS"
		continue
	fi
	echo "# $script"
	start=$SECONDS
	$T/$script || fails=$((fails + 1))
	echo "# $script took $((SECONDS - start)) s"
done

ok "every socket is gone after the tests" all_sockets_gone
ok "deleting a netns frees its TIME-WAIT sockets" netns_deletion_frees_time_wait
ok "xtcp's tracepoints let go" xtcp_events_release
ok "rmmod after use" rmmod xtcp
ok "socket() after unload fails again" $T/xtcp_probe EPROTONOSUPPORT
teardown_topology
ok "load, traffic, refused rmmod, netns deletion, unload: 3 cycles" load_unload_under_traffic

# xtcpize without and with the module, then make install and autoloading:
# it starts from an unloaded module, so last; its own TAP lines, counted
# as one failure like a program above.
if wanted xtcp_install.sh; then
	echo "# xtcp_install.sh"
	start=$SECONDS
	$T/xtcp_install.sh "$KO" || fails=$((fails + 1))
	echo "# xtcp_install.sh took $((SECONDS - start)) s"
else
	skip xtcp_install.sh "not in XTCP_PROGS"
fi
echo "1..$n"
[ $fails -eq 0 ]
