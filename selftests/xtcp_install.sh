#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xtcpize and `make install` (issue 12), in the test VM as root, with
# the module not loaded at the start.  selftests/run.sh runs it last,
# after its own rmmod; alone:
#   scripts/vm-run.sh selftests/xtcp_install.sh [path/to/xtcp.ko]
#
# 1. Module not loaded: a program under xtcpize gets EPROTONOSUPPORT
#    from socket() and one line saying why; XTCPIZE_FALLBACK=1 gives TCP.
# 2. Module loaded (insmod KO): AF_INET stream sockets become xtcp with
#    their flags kept, others stay as they are; curl fetches a file from
#    python3's http.server, both under xtcpize, in netns xcli and xsrv,
#    and the veth sees IP protocol 253 and no TCP.  Then proto=254.
# 3. `make install` (nothing built in the guest: the tree is read-only
#    here), socket() loading the installed module by its alias with no
#    insmod, a sock_diag dump for its protocol loading xtcp_diag.ko by
#    its alias, the installed xtcpize, `make uninstall` removing every
#    file.
#    Skipped when KO is not ./xtcp.ko built for this kernel (the debug
#    lane boots another kernel).
#
# Prints TAP; exits non-zero if anything failed.
# Env: XTCPIZE  the launcher to test (tools/xtcpize/xtcpize), its
#               libxtcpize.so next to it; make install installs
#               tools/xtcpize whatever it says.

set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
KO=${1:-$ROOT/xtcp.ko}
T=$ROOT/selftests
# XTCPIZE: another build of the launcher, its library next to it.
XTCPIZE=${XTCPIZE:-$ROOT/tools/xtcpize/xtcpize}
LIB=$(dirname "$XTCPIZE")/libxtcpize.so
INFO=$T/xtcp_sockinfo
KVER=$(uname -r)
MODS=/lib/modules/$KVER
# Our own tmpfs: the guest's /tmp is an overlay, which overlayfs refuses
# as an upper layer.
W=/tmp/xtcp-install
# shellcheck source=selftests/topology.sh
. "$T/topology.sh"
# shellcheck source=selftests/tap.sh
. "$T/tap.sh"
PIDS=()
MOUNTS=()

loaded() { grep -q '^xtcp ' /proc/modules; }
diag_loaded() { grep -q '^xtcp_diag ' /proc/modules; }

cleanup() {
	local i

	for i in "${PIDS[@]}"; do
		kill "$i" 2>/dev/null
	done
	wait 2>/dev/null
	teardown_topology
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null
	done
	diag_loaded && rmmod xtcp_diag 2>/dev/null
	rmmod xtcp_bbr 2>/dev/null
	loaded && rmmod xtcp 2>/dev/null
	umount "$W" 2>/dev/null
}

# expect WANT CMD...: CMD's stdout must be exactly WANT; its stderr goes
# to $W/err (and is shown).
expect() {
	local want=$1 got
	shift
	got=$("$@" 2>"$W/err")
	echo "\$ $*"
	echo "stdout: $got"
	sed 's/^/stderr: /' "$W/err"
	[[ $got == "$want" ]] || { echo "expected: $want"; return 1; }
}

# The number of lines xtcpize printed on stderr in the last expect.
xtcpize_lines() { grep -c '^xtcpize:' "$W/err"; }

# --- 1. the module not loaded --------------------------------------------

# Four threads call socket() at once: one line, from the launcher only.
not_loaded_fails_once() {
	expect errno=EPROTONOSUPPORT "$XTCPIZE" run "$INFO" inet stream 0 4 || return 1
	[[ $(xtcpize_lines) == 1 && $(wc -l <"$W/err") == 1 ]] || return 1
	grep -q 'not loaded.*EPROTONOSUPPORT' "$W/err"
}

# The library alone (no launcher): its own line, once per process.
library_alone_says_it_once() {
	LD_PRELOAD=$LIB expect errno=EPROTONOSUPPORT "$INFO" inet stream,cloexec 6 4 || return 1
	[[ $(xtcpize_lines) == 1 && $(wc -l <"$W/err") == 1 ]] || return 1
	grep -q 'not loaded.*EPROTONOSUPPORT' "$W/err"
}

fallback_gives_tcp() {
	XTCPIZE_FALLBACK=1 expect "protocol=6 nonblock=1 cloexec=0" \
		"$XTCPIZE" run "$INFO" inet stream,nonblock 0 2 || return 1
	[[ $(xtcpize_lines) == 1 ]] && grep -q 'XTCPIZE_FALLBACK=1' "$W/err"
}

# As shells: 127 for no such command, 126 for one that cannot run; 2
# for a usage error.
exit_codes() {
	local rc

	"$XTCPIZE" run /nonexistent/xtcpize-test; rc=$?
	echo "missing command: $rc"
	[[ $rc == 127 ]] || return 1
	"$XTCPIZE" run "$ROOT/README.md"; rc=$?
	echo "not executable: $rc"
	[[ $rc == 126 ]] || return 1
	"$XTCPIZE" run; rc=$?
	echo "no command: $rc"
	[[ $rc == 2 ]] || return 1
	"$XTCPIZE" run sh -c 'exit 7'; rc=$?
	echo "the program's own: $rc"
	[[ $rc == 7 ]]
}

# --- 2. the module loaded ------------------------------------------------

stream_sockets_become_xtcp() {
	expect "protocol=253 nonblock=1 cloexec=1" \
		"$XTCPIZE" run "$INFO" inet stream,nonblock,cloexec 0 || return 1
	[[ ! -s $W/err ]] || return 1
	expect "protocol=253 nonblock=1 cloexec=1" \
		"$XTCPIZE" run "$INFO" inet stream,nonblock,cloexec 6 || return 1
	expect "protocol=253 nonblock=0 cloexec=0" "$XTCPIZE" run "$INFO" inet stream 6 4 || return 1
	expect "protocol=253 nonblock=0 cloexec=1" "$XTCPIZE" run "$INFO" inet stream,cloexec 0 || return 1
	[[ ! -s $W/err ]]
}

# What socket(AF_INET6, SOCK_STREAM, 0) gives under xtcpize: an xtcp
# socket, or EAFNOSUPPORT on a kernel without IPv6 (as TCP's would).
# socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) is left alone: an MPTCP
# socket, or EPROTONOSUPPORT on a kernel without MPTCP (the debug lane's
# has neither).
if [[ -e /proc/net/if_inet6 ]]; then
	INET6_XTCP="protocol=253 nonblock=0 cloexec=0"
else
	INET6_XTCP="errno=EAFNOSUPPORT"
fi
if [[ -e /proc/sys/net/mptcp ]]; then
	MPTCP="protocol=262 nonblock=0 cloexec=0"
else
	MPTCP="errno=EPROTONOSUPPORT"
fi

inet6_stream_becomes_xtcp() {
	expect "$INET6_XTCP" "$XTCPIZE" run "$INFO" inet6 stream 0 || return 1
	[[ $INET6_XTCP == errno=* ]] && return 0
	expect "protocol=253 nonblock=1 cloexec=1" \
		"$XTCPIZE" run "$INFO" inet6 stream,nonblock,cloexec 6
}

others_untouched() {
	expect "protocol=17 nonblock=1 cloexec=0" "$XTCPIZE" run "$INFO" inet dgram,nonblock 0 || return 1
	expect "protocol=17 nonblock=0 cloexec=0" "$XTCPIZE" run "$INFO" inet dgram 0 || return 1
	# Another stream protocol asked for: left alone (MPTCP, built in).
	expect "$MPTCP" "$XTCPIZE" run "$INFO" inet stream 262
}

# -d: a line for each socket changed, none for the others.
debug_lines() {
	expect "protocol=253 nonblock=0 cloexec=0" "$XTCPIZE" run -d "$INFO" inet stream 0 3 || return 1
	[[ $(grep -c '^xtcpize: socket(AF_INET, SOCK_STREAM, 0) -> protocol 253: fd ' "$W/err") == 3 ]] ||
		return 1
	expect "protocol=17 nonblock=0 cloexec=0" "$XTCPIZE" run -d "$INFO" inet dgram 0 || return 1
	[[ ! -s $W/err ]] || return 1
	[[ $INET6_XTCP == errno=* ]] && return 0
	expect "$INET6_XTCP" "$XTCPIZE" run -d "$INFO" inet6 stream 0 || return 1
	[[ $(grep -c '^xtcpize: socket(AF_INET6, SOCK_STREAM, 0) -> protocol 253: fd ' "$W/err") == 1 ]]
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}

# An xtcp listener on port 8080 (1F90) in xsrv.
xtcp_listening() { ip netns exec xsrv cat /proc/net/xtcp | grep -q ':1F90 00000000:0000 0A '; }

# http_start TAG BIND PORT READY FILTER: tcpdump on xsrv's veth (FILTER,
# into $W/TAG.pcap), then, under xtcpize, python3 -m http.server on
# BIND:PORT serving $W/www/blob (1 MiB, fresh), until READY succeeds.
http_start() {
	local tag=$1 bind=$2 port=$3 ready=$4 filter=$5

	mkdir -p "$W/www"
	head -c 1M /dev/urandom >"$W/www/blob"
	# ip netns exec execs: $! is tcpdump's pid, and python's below.
	ip netns exec xsrv tcpdump -i vs -n -U -w "$W/$tag.pcap" "$filter" \
		2>"$W/$tag.tcpdump.log" &
	HTTP_TPID=$!
	PIDS+=("$HTTP_TPID")
	wait_for 20 grep -q 'listening on' "$W/$tag.tcpdump.log" || { echo "no tcpdump"; return 1; }
	ip netns exec xsrv "$XTCPIZE" run /usr/bin/python3 -m http.server \
		--bind "$bind" --directory "$W/www" "$port" >"$W/$tag.log" 2>&1 &
	HTTP_PID=$!
	PIDS+=("$HTTP_PID")
	# Generous for the debug kernel, where python starts slowly.
	wait_for 120 "$ready" || { echo "no xtcp listener"; cat "$W/$tag.log"; return 1; }
}

# http_get TAG URL OUT: curl under xtcpize in xcli fetches URL into OUT,
# which must be the blob http_start served.
http_get() {
	ip netns exec xcli timeout 120 "$XTCPIZE" run curl -sS -g -o "$3" "$2" ||
		{ cat "$W/$1.log"; return 1; }
	echo "sent $(sha256sum <"$W/www/blob")"
	echo "got  $(sha256sum <"$3")"
	[[ $(sha256sum <"$W/www/blob") == "$(sha256sum <"$3")" ]]
}

http_stop() {
	kill "$HTTP_PID"
	sleep 0.5
	kill -INT "$HTTP_TPID"
	wait "$HTTP_PID" "$HTTP_TPID"
	PIDS=()
}

# packets TAG FILTER: how many of $W/TAG.pcap FILTER matches.
packets() { tcpdump -r "$W/$1.pcap" -n "$2" 2>/dev/null | wc -l; }

# curl fetches 1 MiB from python3 -m http.server, both unmodified and
# under xtcpize; tcpdump on the server's veth sees only xtcp.
curl_from_http_server() {
	local n253 n6

	http_start http 10.99.0.1 8080 xtcp_listening ip || return 1
	http_get http http://10.99.0.1:8080/blob "$W/got" || return 1
	http_stop
	n253=$(packets http 'ip proto 253')
	n6=$(packets http 'ip proto 6')
	echo "captured: $n253 xtcp (253) packets, $n6 TCP (6) packets"
	# Handshake, 1 MiB (in GSO packets: veth passes them whole), FIN.
	((n253 > 10 && n6 == 0))
}

xtcp6_listening() { ip netns exec xsrv cat /proc/net/xtcp6 | grep -q ':1F91 00000000000000000000000000000000:0000 0A '; }

# The same server as a dual-stack one on [::] (what python3 -m http.server
# does without --bind on an IPv6 host): curl fetches 1 MiB over IPv6 and
# over IPv4 from the one AF_INET6 socket; the wire has xtcp in IPv6 and
# in IPv4 and no TCP.
dual_stack_http_server() {
	local n6x n4x ntcp

	ip -n xsrv addr add fd99::1/64 dev vs nodad || return 1
	ip -n xcli addr add fd99::2/64 dev vc nodad || return 1
	http_start http6 :: 8081 xtcp6_listening 'ip or ip6' || return 1
	http_get http6 'http://[fd99::1]:8081/blob' "$W/got6" || return 1
	http_get http6 http://10.99.0.1:8081/blob "$W/got4" || return 1
	http_stop
	cat "$W/http6.log"
	n6x=$(packets http6 'ip6 proto 253')
	n4x=$(packets http6 'ip proto 253')
	ntcp=$(packets http6 tcp)
	echo "captured: $n6x xtcp packets in IPv6, $n4x in IPv4, $ntcp TCP"
	((n6x > 10 && n4x > 10 && ntcp == 0))
}

proto_254() {
	expect "protocol=254 nonblock=0 cloexec=0" "$XTCPIZE" run "$INFO" inet stream 0 || return 1
	[[ ! -s $W/err ]]
}

# --- 3. make install -----------------------------------------------------

# overlay DIR NAME: writes to DIR go to $W/NAME/upper, fresh.
overlay() {
	local up=$W/$2

	mkdir -p "$up/upper" "$up/work" || return 1
	mount -t overlay overlay \
		-o "lowerdir=$1,upperdir=$up/upper,workdir=$up/work" "$1" || return 1
	MOUNTS+=("$1")
}

# The files make install may leave behind: none but depmod's indexes.
leftovers() {
	find "$W/local/upper" "$W/include/upper" -not -type d
	find "$W/modules" -not -type d -not -name 'modules.*' -not -name build -not -name source \
		-not -path "$W/modules/kernel/*"
}

# Where make install writes, made disposable.  /usr/local and
# /usr/include/linux: overlays over the host's directories (overlayfs
# takes the guest's 9p root as its lower layer).  /lib/modules/KVER: a
# tmpfs holding only the kernel's lists of built-in modules and the
# build and source links, bound over it.  An overlay would do too, but
# depmod -a over Debian's whole module tree takes 100 s under TCG (35 s
# once cached), and install and uninstall both run it; xtcp depends on
# no other module, xtcp_diag on inet_diag only (copied in, under
# kernel/ as in Debian's tree), so a tree of its own is all that
# autoloading needs.
prepare_install_root() {
	local idiag

	overlay /usr/local local || return 1
	overlay /usr/include/linux include || return 1
	mkdir -p "$W/modules" || return 1
	cp -P "$MODS/build" "$MODS/source" "$MODS"/modules.builtin* "$MODS/modules.order" \
		"$W/modules/" || return 1
	idiag=$(modinfo -n inet_diag) || return 1
	install -D -m 644 "$idiag" "$W/modules/${idiag#"$MODS"/}" || return 1
	mount --bind "$W/modules" "$MODS" || return 1
	MOUNTS+=("$MODS")
	depmod -a "$KVER" || return 1
	leftovers | tee "$W/leftovers" && [[ ! -s $W/leftovers ]]
}

# The tree is read-only in the guest: a make install that tried to
# build anything would fail here.
make_install() {
	loaded && { echo "xtcp is loaded"; return 1; }
	make install || return 1
	cmp xtcp.ko "$MODS/updates/xtcp.ko" &&
	cmp xtcp_diag.ko "$MODS/updates/xtcp_diag.ko" &&
	cmp xtcp_bbr.ko "$MODS/updates/xtcp_bbr.ko" &&
	cmp tools/xtcp-ss/xtcp-ss /usr/local/bin/xtcp-ss &&
	cmp include/uapi/linux/xtcp.h /usr/include/linux/xtcp.h &&
	cmp tools/xtcpize/xtcpize /usr/local/bin/xtcpize &&
	cmp tools/xtcpize/libxtcpize.so /usr/local/lib/xtcpize/libxtcpize.so &&
	cmp tools/xtcp-bridge/xtcp-bridge /usr/local/bin/xtcp-bridge &&
	cmp tools/xtcp-nstat/xtcp-nstat /usr/local/bin/xtcp-nstat &&
	cmp docs/man/xtcp.7 /usr/local/share/man/man7/xtcp.7 &&
	cmp docs/man/xtcpize.8 /usr/local/share/man/man8/xtcpize.8
}

modinfo_aliases() {
	modinfo xtcp || return 1
	[[ $(modinfo -F filename xtcp) == "$MODS/updates/xtcp.ko" ]] || return 1
	modinfo -F alias xtcp | grep -qx net-pf-2-proto-253-type-1 &&
	modinfo -F alias xtcp | grep -qx net-pf-2-proto-253
}

# socket(AF_INET, SOCK_STREAM, 253) loads the installed module.
autoload() {
	loaded && { echo "already loaded"; return 1; }
	"$T/xtcp_probe" ok || return 1
	grep '^xtcp ' /proc/modules
}

# A sock_diag dump for protocol 253 (xtcp-ss) loads the installed
# xtcp_diag.ko by its alias net-pf-16-proto-4-type-2-253, and inet_diag
# (net-pf-16-proto-4-type-2) first if it is not loaded; then it is
# unloaded, so that xtcp can be.
diag_autoload() {
	local before after

	modinfo -F alias xtcp_diag | grep -qx net-pf-16-proto-4-type-2-253 || return 1
	diag_loaded && { echo "xtcp_diag already loaded"; return 1; }
	# inet_diag too, if nothing else holds it (the suite's tcp_diag).
	rmmod tcp_diag udp_diag raw_diag inet_diag 2>/dev/null
	before=$(lsmod | grep -E '^(xtcp|xtcp_diag|inet_diag) ')
	echo "before: $before"
	/usr/local/bin/xtcp-ss -a || return 1
	after=$(lsmod | grep -E '^(xtcp|xtcp_diag|inet_diag) ')
	echo "after: $after"
	diag_loaded && grep -q '^inet_diag ' /proc/modules || return 1
	rmmod xtcp_diag
}

# Choosing "bbr" (net.xtcp.congestion_control, as TCP_CONGESTION would)
# loads the installed xtcp_bbr.ko by its alias xtcp-cc-bbr; choosing
# cubic again lets it go.
cc_autoload() {
	modinfo -F alias xtcp_bbr | grep -qx xtcp-cc-bbr || return 1
	grep -q '^xtcp_bbr ' /proc/modules && { echo "xtcp_bbr already loaded"; return 1; }
	sysctl -w net.xtcp.congestion_control=bbr || return 1
	grep '^xtcp_bbr ' /proc/modules || return 1
	sysctl -w net.xtcp.congestion_control=cubic || return 1
	rmmod xtcp_bbr
}

# Not loaded, libxtcpize.so's first socket() loads the module (its
# socket() of protocol 253), then uses it.
library_autoloads() {
	rmmod xtcp || return 1
	LD_PRELOAD=/usr/local/lib/xtcpize/libxtcpize.so \
		expect "protocol=253 nonblock=0 cloexec=0" "$INFO" inet stream 0 || return 1
	[[ ! -s $W/err ]] && loaded
}

# The installed launcher, run from elsewhere, uses the installed library.
installed_xtcpize() {
	rmmod xtcp || return 1
	(cd / && expect "protocol=253 nonblock=0 cloexec=0" \
		/usr/local/bin/xtcpize run "$INFO" inet stream 0) || return 1
	[[ ! -s $W/err ]] && loaded
}

make_uninstall() {
	make uninstall || return 1
	leftovers | tee "$W/leftovers"
	[[ ! -s $W/leftovers ]] || return 1
	# depmod ran again: the alias is gone.
	! modinfo xtcp && ! grep xtcp "$MODS/modules.alias"
}

gone_after_uninstall() {
	rmmod xtcp || return 1
	"$T/xtcp_probe" EPROTONOSUPPORT && ! loaded
}

# --- the run -------------------------------------------------------------

echo "TAP version 13"
mkdir -p "$W" && mount -t tmpfs xtcp-install "$W" || exit 1
trap cleanup EXIT
if loaded; then
	echo "# xtcp was loaded; unloading it"
	rmmod xtcp || exit 1
fi

ok "xtcpize, no module: socket() fails with EPROTONOSUPPORT, one line says why" \
	not_loaded_fails_once
ok "libxtcpize.so alone, no module: EPROTONOSUPPORT, its line once per process" \
	library_alone_says_it_once
ok "xtcpize, no module, XTCPIZE_FALLBACK=1: TCP sockets, one line says so" fallback_gives_tcp
ok "xtcpize run: exit 127, 126, 2 and the program's own code" exit_codes

ok "module loads" insmod "$KO"
ok "xtcpize: AF_INET stream sockets, protocol 0 or 6, become xtcp, flags kept" \
	stream_sockets_become_xtcp
ok "xtcpize: AF_INET6 stream sockets become xtcp too" inet6_stream_becomes_xtcp
ok "xtcpize: datagram sockets and other stream protocols untouched" others_untouched
ok "xtcpize run -d: one line per socket changed" debug_lines
teardown_topology	# whatever a test before us left
ok "two netns joined by veth" setup_topology
ok "xtcpize: curl gets 1 MiB from python3 http.server over xtcp, no TCP on the wire" \
	curl_from_http_server
if [[ -e /proc/net/if_inet6 ]]; then
	ok "xtcpize: a dual-stack http.server on [::] serves curl over IPv6 and IPv4, no TCP" \
		dual_stack_http_server
else
	skip "xtcpize: a dual-stack http.server on [::]" "no IPv6 in this kernel"
fi
teardown_topology
ok "rmmod" rmmod xtcp
ok "module loads with proto=254" insmod "$KO" proto=254
ok "xtcpize: with proto=254, sockets are protocol 254" proto_254
ok "rmmod" rmmod xtcp

built=$(modinfo -F vermagic "$KO" 2>/dev/null | cut -d' ' -f1)
if [[ $(realpath "$KO") != $(realpath xtcp.ko) || $built != "$KVER" ]]; then
	for t in "make install" "autoload" "make uninstall"; do
		skip "$t" "$KO is not ./xtcp.ko built for $KVER"
	done
else
	ok "overlays over /usr/local, /usr/include/linux; a tree of our own in $MODS" \
		prepare_install_root
	ok "make install puts every file in place (and builds nothing)" make_install
	ok "modinfo xtcp: the installed module and its two aliases" modinfo_aliases
	ok "socket(AF_INET, SOCK_STREAM, 253) loads the installed module, no insmod" autoload
	ok "a sock_diag dump for protocol 253 loads the installed xtcp_diag.ko" diag_autoload
	ok "net.xtcp.congestion_control=bbr loads the installed xtcp_bbr.ko" cc_autoload
	ok "libxtcpize.so loads the installed module on first use" library_autoloads
	ok "installed xtcpize runs with the installed library" installed_xtcpize
	ok "make uninstall removes every file it installed, depmod forgets xtcp" make_uninstall
	ok "after make uninstall and rmmod, socket() fails with EPROTONOSUPPORT" \
		gone_after_uninstall
fi
echo "1..$n"
[[ $fails -eq 0 ]]
