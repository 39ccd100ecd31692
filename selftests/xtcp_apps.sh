#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified Debian programs over xtcp (issue 12): nginx serving a 50 MB
# file to curl and wget and 10,000 requests to ab; iperf3, clean and under
# loss; redis-server with redis-cli and redis-benchmark; sshd with ssh and
# scp.  Servers run in netns xsrv, clients in xcli, both ends under
# tools/xtcpize/xtcpize, which turns their socket(AF_INET, SOCK_STREAM,
# 0 or IPPROTO_TCP) into xtcp sockets.  Each program's traffic is captured
# on the veth: it must hold xtcp (IP protocol 253) and no TCP (6).
#
# Runs in the test VM as root, once the module is loaded and the topology
# exists (selftests/run.sh runs it; alone:
#   scripts/vm-run.sh selftests/run-some.sh 'bash selftests/xtcp_apps.sh').
# Prints TAP; exits non-zero if a test failed.  Each program is a world of
# its own: its files in a directory under /tmp, its servers and clients
# killed and its directory removed when it ends (and by the EXIT trap).
#
# Env:
#   XTCP_APPS_MODE  xtcp (default), or tcp: the same programs without
#                   xtcpize, on the kernel's TCP (the baseline; the
#                   captures must then hold TCP and no xtcp)
#   XTCP_APPS       the programs, default "nginx iperf3 redis ssh"
#   XTCP_APPS_IPERF_SECS  the length of each iperf3 run (10)
#   XTCP_APPS_BUDGET  seconds the clients may take in all (600): past it
#                   the remaining ones fail at once, so that a hanging
#                   xtcp does not eat the whole suite's VM time
#   XTCPIZE         the launcher (tools/xtcpize/xtcpize)
#
# Every server is told to listen on 10.99.0.1: xtcp is IPv4 only, and a
# server listening on :: (iperf3's default) opens an AF_INET6 socket,
# which xtcpize leaves to TCP.

set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
MODE=${XTCP_APPS_MODE:-xtcp}
APPS=${XTCP_APPS:-nginx iperf3 redis ssh}
IPERF_SECS=${XTCP_APPS_IPERF_SECS:-10}
DEADLINE=$((SECONDS + ${XTCP_APPS_BUDGET:-600}))
XTCPIZE=${XTCPIZE:-$ROOT/tools/xtcpize/xtcpize}
SRV=10.99.0.1
n=0
fails=0
PGIDS=()	# process groups of the current world's programs
CAPS=()		# its tcpdumps
W=		# its directory
LOSSY=		# set while vc has iperf_loss()'s qdisc

case $MODE in
xtcp)
	X=("$XTCPIZE" run)
	PROTO=253 OTHER=6 PNAME=xtcp ONAME=TCP PROCNET=/proc/net/xtcp
	;;
tcp)
	X=()
	PROTO=6 OTHER=253 PNAME=TCP ONAME=xtcp PROCNET=/proc/net/tcp
	;;
*)
	echo "Bail out! XTCP_APPS_MODE is xtcp or tcp, not '$MODE'"
	exit 1
	;;
esac

exec 3>&1	# note() writes here, past a step's log
note() { echo "# $*" >&3; }

# step DESC CMD...: one TAP line; CMD's output (the tail of it) follows
# as '#' lines when it fails.  CMD runs in this shell.
step() {
	local desc=$1 log=$D/step.log
	shift
	n=$((n + 1))
	if "$@" >"$log" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		tail -n 60 "$log" | sed 's/^/# /'
		fails=$((fails + 1))
	fi
}

skip() {	# skip DESC WHY
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# tail_of FILE...: the last lines of program logs, for a failure's report.
tail_of() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "--- ${f##*/} (tail)"
		tail -n 15 "$f"
	done
}

# srv_bg NAME CMD...: CMD in xsrv (under xtcpize in xtcp mode) in the
# background, in a process group of its own, output in $W/NAME.log.
srv_bg() {
	local name=$1
	shift
	setsid ip netns exec xsrv "${X[@]}" "$@" >"$W/$name.log" 2>&1 3>&- </dev/null &
	PGIDS+=($!)
}

# cli SECS CMD...: CMD in xcli (under xtcpize in xtcp mode), killed after
# SECS seconds, or sooner if the budget ends sooner.
cli() {
	local secs=$1 left=$((DEADLINE - SECONDS)) rc
	shift
	if [ $left -lt 5 ]; then
		echo "$1: not run, xtcp_apps' time budget is spent"
		return 124
	fi
	[ "$secs" -gt $left ] && secs=$left
	timeout -k 5 "$secs" ip netns exec xcli "${X[@]}" "$@" 3>&- </dev/null
	rc=$?
	[ $rc = 124 ] && echo "$1: killed after $secs s"
	return $rc
}

# Stops the world's programs: TERM to each process group, KILL to what is
# left after 10 s; then whatever still runs in the two namespaces (sshd's
# per-connection children make sessions of their own): every process in
# them was started by this world.
stop_all() {
	local g pid alive
	for g in "${PGIDS[@]}"; do
		kill -TERM -- "-$g" 2>/dev/null
	done
	for _ in $(seq 1 40); do
		alive=0
		for g in "${PGIDS[@]}"; do
			kill -0 -- "-$g" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.25
	done
	for g in "${PGIDS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null
		wait "$g" 2>/dev/null
	done
	PGIDS=()
	for pid in $(ip netns pids xsrv 2>/dev/null) $(ip netns pids xcli 2>/dev/null); do
		[[ " ${CAPS[*]} " == *" $pid "* ]] && continue
		note "left over in a test netns, killed: $(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)"
		kill -KILL "$pid" 2>/dev/null
	done
}

# listening PORT: a socket of this mode's protocol listens on PORT in xsrv.
listening() {
	ip netns exec xsrv cat "$PROCNET" |
		awk -v p="$(printf ':%04X' "$1")" \
			'$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 }
			 END { exit !f }'
}

# wait_listen NAME PORT: NAME (started by srv_bg, the last one) listens.
wait_listen() {
	local name=$1 port=$2 pid=${PGIDS[-1]}

	for _ in $(seq 1 80); do
		listening "$port" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$name does not listen on $PNAME port $port after 20 s"
	else
		wait "$pid"
		echo "$name exited with status $? before listening on $PNAME port $port"
	fi
	echo "--- listening TCP sockets in xsrv"
	ip netns exec xsrv ss -ltnp
	echo "--- /proc/net/xtcp in xsrv"
	ip netns exec xsrv cat /proc/net/xtcp 2>&1
	tail_of "$W/$name.log"
	return 1
}

# The capture, on xsrv's veth for the whole world: two tcpdumps, one
# per protocol, each with the protocol as its filter.  The other protocol's
# packets are kept (headers only) in $W/other.pcap, to be shown; this
# mode's are counted by the kernel's filter and dropped: reading back
# 100,000 packets with tcpdump -r takes a minute and a half under TCG.
capture_start() {
	local f

	ip netns exec xsrv tcpdump -i vs -nn -s 96 -B 4096 -U -Z root \
		-w "$W/other.pcap" "ip proto $OTHER" >"$W/other.log" 2>&1 3>&- </dev/null &
	CAPS=($!)
	ip netns exec xsrv tcpdump -i vs -nn -s 96 -B 4096 -Z root \
		-w /dev/null "ip proto $PROTO" >"$W/mine.log" 2>&1 3>&- </dev/null &
	CAPS+=($!)
	for f in other mine; do
		for _ in $(seq 1 40); do
			grep -q 'listening on' "$W/$f.log" && break
			sleep 0.25
		done
	done
}

capture_stop() {
	local pid

	for pid in "${CAPS[@]}"; do
		kill -INT "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	CAPS=()
}

# received PROTO-LOG: the packets that passed that tcpdump's filter.
received() {
	awk '/packets received by filter/ { print $1 }' "$W/$1.log"
}

# The world's packets were all of this mode's protocol, and there were some.
capture_check() {
	local mine other read_back

	capture_stop
	mine=$(received mine) other=$(received other)
	if [ -z "$mine" ] || [ -z "$other" ]; then
		echo "a capture failed:"
		tail_of "$W/mine.log" "$W/other.log"
		return 1
	fi
	# The other protocol's packets as its file holds them.  The kernel's
	# "received by filter" also counts packets that came before the
	# filter was attached, which libpcap then drops itself (once 2
	# where the file held none); a packet the kernel dropped would be
	# missing from the file, so a drop fails the check.
	read_back=$(tcpdump -r "$W/other.pcap" -nn 2>/dev/null | wc -l)
	if [ "$(awk '/packets dropped by kernel/ { print $1 }' "$W/other.log")" != 0 ]; then
		echo "the capture of IP protocol $OTHER dropped packets:"
		tail_of "$W/other.log"
		return 1
	fi
	[ "$read_back" != "$other" ] &&
		note "$ONAME: the filter counted $other, the file holds $read_back"
	other=$read_back
	note "capture on vs: $mine $PNAME (IP protocol $PROTO), $other $ONAME ($OTHER) packets"
	if [ "$other" != 0 ]; then
		echo "packets of IP protocol $OTHER ($ONAME), the first ones:"
		tcpdump -r "$W/other.pcap" -nn -c 10 2>/dev/null
	fi
	[ "$mine" -gt 0 ] || echo "no packet of IP protocol $PROTO ($PNAME)"
	[ "$other" = 0 ] && [ "$mine" -gt 0 ]
}

# The root file system is the host's, read-only in the VM: a write of
# the world's programs outside /tmp fails, and their logs say so.
no_write_refused() {
	! grep -rIi --exclude='*.bin' -e 'read-only file system' -e 'EROFS' "$W"
}

# world NAME: one program's tests, app_NAME, between the capture's start
# and its check.
world() {
	local name=$1 t0=$SECONDS

	echo "# $name"
	W=$D/$name
	mkdir -p "$W"
	capture_start
	"app_$name"
	stop_all
	step "$name: every packet on the wire was $PNAME (IP protocol $PROTO)" capture_check
	step "$name: no write refused by the read-only root in its logs" no_write_refused
	rm -rf "$W"
	echo "# $name took $((SECONDS - t0)) s"
}

# True if $1 and $2 have the same SHA-256; says both otherwise.
same_sha() {
	local a b
	a=$(sha256sum <"$1" | cut -d' ' -f1)
	b=$(sha256sum <"$2" 2>/dev/null | cut -d' ' -f1)
	[ "$a" = "$b" ] && return 0
	echo "sha256 of ${1##*/}: $a"
	echo "sha256 of ${2##*/}: ${b:-none} ($(stat -c %s "$2" 2>/dev/null || echo 0) of $(stat -c %s "$1") bytes)"
	return 1
}

# ---- nginx: sendfile, tcp_nopush (TCP_CORK), keep-alive ----

nginx_start() {
	mkdir -p "$W/www" "$W/tmp"
	cat >"$W/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
user root;
pid $W/nginx.pid;
error_log $W/error.log notice;
events {
	worker_connections 1024;
}
http {
	access_log off;
	client_body_temp_path $W/tmp/body;
	proxy_temp_path $W/tmp/proxy;
	fastcgi_temp_path $W/tmp/fastcgi;
	uwsgi_temp_path $W/tmp/uwsgi;
	scgi_temp_path $W/tmp/scgi;
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 65;
	server {
		listen $SRV:80;
		root $W/www;
	}
}
EOF
	head -c 50M /dev/urandom >"$W/www/big.bin" || return 1
	head -c 4096 /dev/urandom | base64 >"$W/www/index.html"
	# -e: the error log before the configuration is read (the compiled-in
	# one is under /var/log, read-only in the VM).
	srv_bg nginx nginx -e "$W/error.log" -p "$W" -c "$W/nginx.conf"
	wait_listen nginx 80 || { tail_of "$W/error.log"; return 1; }
}

nginx_curl() {
	local speed
	speed=$(cli 60 curl -sS -o "$W/curl.bin" -w '%{speed_download}' "http://$SRV/big.bin")
	local rc=$?
	if [ $rc != 0 ]; then
		echo "curl failed with status $rc"
		tail_of "$W/error.log"
		return 1
	fi
	same_sha "$W/www/big.bin" "$W/curl.bin" || return 1
	note "curl: 50 MB at $(awk -v s="${speed%.*}" 'BEGIN { printf "%.1f", s * 8 / 1e6 }') Mbit/s"
	rm -f "$W/curl.bin"
}

nginx_wget() {
	local t0=$SECONDS rc

	cli 60 wget -nv --no-hsts --tries=1 --timeout=30 -O "$W/wget.bin" "http://$SRV/big.bin"
	rc=$?
	if [ $rc != 0 ]; then
		echo "wget failed with status $rc"
		tail_of "$W/error.log"
		return 1
	fi
	same_sha "$W/www/big.bin" "$W/wget.bin" || return 1
	note "wget: 50 MB in $((SECONDS - t0)) s"
	rm -f "$W/wget.bin"
}

# ab (apache2-utils) reports failed and non-2xx requests by count; wrk
# (also in bookworm) only reports socket errors and non-2xx.
nginx_ab() {
	local out=$W/ab.out rc complete failed non2xx

	cli 120 ab -n 10000 -c 10 -k "http://$SRV/index.html" >"$out" 2>&1
	rc=$?
	complete=$(awk -F: '/^Complete requests/ { print $2 + 0 }' "$out")
	failed=$(awk -F: '/^Failed requests/ { print $2 + 0 }' "$out")
	non2xx=$(awk -F: '/^Non-2xx responses/ { print $2 + 0 }' "$out")
	if [ $rc = 0 ] && [ "$complete" = 10000 ] && [ "$failed" = 0 ] && [ -z "$non2xx" ]; then
		note "ab: $complete requests, Failed requests: $failed, no Non-2xx;" \
			"$(awk '/^Keep-Alive requests/ { print $3 }' "$out") kept alive," \
			"$(awk '/^Requests per second/ { print $4 }' "$out") requests/s"
		return 0
	fi
	echo "ab exited with status $rc: complete ${complete:-?}, failed ${failed:-?}, non-2xx ${non2xx:-0}"
	grep -v '^Completed [0-9]* requests' "$out" | tail -n 30
	tail_of "$W/error.log"
	return 1
}

app_nginx() {
	local d="nginx (sendfile, tcp_nopush, keepalive)"

	step "$d starts and listens on $PNAME port 80" nginx_start || true
	if ! listening 80; then
		skip "curl fetches 50 MB from nginx" "nginx did not start"
		skip "wget fetches 50 MB from nginx" "nginx did not start"
		skip "ab -n 10000 -c 10 -k against nginx" "nginx did not start"
		return
	fi
	step "curl fetches 50 MB from nginx, sha256 equal" nginx_curl
	step "wget fetches 50 MB from nginx, sha256 equal" nginx_wget
	step "ab -n 10000 -c 10 -k against nginx: 0 failed, no non-2xx" nginx_ab
}

# ---- iperf3 ----

iperf_start() {
	srv_bg iperf3 iperf3 -s -B "$SRV" -p 5201
	wait_listen iperf3 5201
}

# iperf_run NAME: iperf3 -c for IPERF_SECS seconds, its JSON in $W/NAME.json.
iperf_run() {
	local err

	cli $((IPERF_SECS + 30)) iperf3 -c "$SRV" -p 5201 -t "$IPERF_SECS" -J >"$W/$1.json" 2>"$W/$1.err"
	local rc=$?
	err=$(jq -r '.error // empty' "$W/$1.json" 2>/dev/null)
	[ $rc = 0 ] && [ -z "$err" ] && return 0
	echo "iperf3 -c exited with status $rc${err:+: $err}"
	tail_of "$W/$1.err" "$W/$1.json" "$W/iperf3.log"
	return 1
}

mbits() { jq -r "$1 / 1e6 * 100 | floor / 100" "$2"; }

iperf_clean() {
	local rx

	iperf_run clean || return 1
	rx=$(mbits .end.sum_received.bits_per_second "$W/clean.json")
	note "iperf3: ${IPERF_SECS} s, sent $(mbits .end.sum_sent.bits_per_second "$W/clean.json")" \
		"Mbit/s, received $rx Mbit/s," \
		"retransmits $(jq -r .end.sum_sent.retransmits "$W/clean.json")"
	[ "$(jq -r '.end.sum_received.bytes > 0' "$W/clean.json")" = true ] && return 0
	echo "iperf3 reports nothing received: $rx Mbit/s"
	return 1
}

# RetransSegs of xcli: xtcp's in /proc/net/xtcp_stat ("Name value" lines),
# TCP's in /proc/net/snmp (a "Tcp:" line of names, then one of values).
retrans_segs() {
	if [ "$MODE" = xtcp ]; then
		ip netns exec xcli awk '$1 == "RetransSegs" { print $2 }' /proc/net/xtcp_stat
	else
		ip netns exec xcli awk '$1 == "Tcp:" {
			if (!c) { for (i = 2; i <= NF; i++) if ($i == "RetransSegs") c = i }
			else print $c }' /proc/net/snmp
	fi
}

# 2% loss on what xcli sends, but only on IP packets of 1024 bytes or
# more: the data, not the handshakes nor the control connection's small
# messages, whose retransmissions count in RetransSegs but not in
# iperf3's number.  (u32 filters: the debug kernel has no cmp ematch.)
# The loss is taken away 3 s before the end, so that the retransmissions
# are all over when iperf3 reads TCP_INFO for the last time: what it had
# not yet sent then is sent (and retransmitted) after.
iperf_loss() {
	local before after sent pid lossy dropped

	LOSSY=1
	tc -n xcli qdisc add dev vc root handle 1: prio bands 3 \
		priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 &&
	tc -n xcli qdisc add dev vc parent 1:3 handle 30: netem loss 2% &&
	tc -n xcli filter add dev vc parent 1: protocol ip prio 1 \
		u32 match u16 0 0xfc00 at 2 flowid 1:1 &&
	tc -n xcli filter add dev vc parent 1: protocol ip prio 2 \
		u32 match u32 0 0 flowid 1:3 || {
		echo "tc failed"
		tc -n xcli qdisc del dev vc root 2>/dev/null
		return 1
	}
	before=$(retrans_segs)
	iperf_run loss >"$W/loss.out" 2>&1 &
	pid=$!
	lossy=$((IPERF_SECS > 4 ? IPERF_SECS - 3 : 1))
	sleep "$lossy"
	tc -n xcli -s qdisc show dev vc >"$W/qdisc.txt"
	dropped=$(awk '/^qdisc netem/ { q = 1 }
		q && /dropped/ { sub(",", "", $7); print $7; exit }' "$W/qdisc.txt")
	tc -n xcli qdisc del dev vc root
	LOSSY=
	wait $pid || { cat "$W/loss.out"; return 1; }
	after=$(retrans_segs)
	sent=$(jq -r '.end.sum_sent.retransmits // "absent"' "$W/loss.json")
	note "iperf3 under 2% loss for the first $lossy s:" \
		"$(mbits .end.sum_received.bits_per_second "$W/loss.json") Mbit/s;" \
		"netem dropped ${dropped:-?} packets; iperf3's retransmits (TCP_INFO) $sent;" \
		"RetransSegs of xcli $before -> $after (+$((after - before)))"
	if [ "$sent" = absent ] || [ "$sent" = 0 ]; then
		echo "iperf3 counted no retransmission (end.sum_sent.retransmits: $sent)"
		return 1
	fi
	[ "$sent" = $((after - before)) ] && return 0
	echo "iperf3 counted $sent retransmissions, RetransSegs grew by $((after - before))"
	echo "--- tc -s qdisc show dev vc, before its removal"
	cat "$W/qdisc.txt"
	return 1
}

app_iperf3() {
	step "iperf3 -s starts and listens on $PNAME port 5201" iperf_start || true
	if ! listening 5201; then
		skip "iperf3 for ${IPERF_SECS} s" "iperf3 -s did not start"
		skip "iperf3 under loss" "iperf3 -s did not start"
		return
	fi
	step "iperf3 for ${IPERF_SECS} s: non-zero throughput" iperf_clean
	step "iperf3 under 2% loss: its retransmits (TCP_INFO) equal xcli's RetransSegs" iperf_loss
}

# ---- redis ----

redis_start() {
	srv_bg redis redis-server --port 6379 --bind "$SRV" --save '' --appendonly no \
		--protected-mode no --daemonize no --dir "$W" --logfile ''
	wait_listen redis 6379
}

redis_setget() {
	local v=xtcp-$RANDOM-$RANDOM out

	out=$(cli 20 redis-cli -h "$SRV" -p 6379 SET xtcp-key "$v") || { echo "$out"; return 1; }
	[ "$out" = OK ] || { echo "SET answered: $out"; return 1; }
	out=$(cli 20 redis-cli -h "$SRV" -p 6379 GET xtcp-key) || { echo "$out"; return 1; }
	[ "$out" = "$v" ] || { echo "GET answered '$out', not '$v'"; return 1; }
}

# calls=N of a command in INFO commandstats
redis_calls() {
	cli 20 redis-cli -h "$SRV" -p 6379 INFO commandstats | tr -d '\r' |
		awk -F'[:,=]' -v c="cmdstat_$1" '$1 == c { print $3 }'
}

redis_bench() {
	local out=$W/bench.csv rc set0 get0 set1 get1

	set0=$(redis_calls set) get0=$(redis_calls get)
	cli 120 redis-benchmark -h "$SRV" -p 6379 -P 16 -n 100000 -t set,get --csv >"$out" 2>&1
	rc=$?
	set1=$(redis_calls set) get1=$(redis_calls get)
	note "redis-benchmark: $(awk -F'","' '/^"(SET|GET)"/ { printf "%s %s requests/s  ", substr($1, 2), $2 }' "$out");" \
		"the server counted $((${set1:-0} - ${set0:-0})) SET, $((${get1:-0} - ${get0:-0})) GET"
	if [ $rc = 0 ] && ! grep -qi 'error' "$out" &&
	   grep -q '^"SET"' "$out" && grep -q '^"GET"' "$out" &&
	   [ $((${set1:-0} - ${set0:-0})) -ge 100000 ] && [ $((${get1:-0} - ${get0:-0})) -ge 100000 ]; then
		return 0
	fi
	echo "redis-benchmark exited with status $rc"
	tail -n 30 "$out"
	tail_of "$W/redis.log"
	return 1
}

app_redis() {
	step "redis-server starts and listens on $PNAME port 6379" redis_start || true
	if ! listening 6379; then
		skip "redis-cli SET and GET" "redis-server did not start"
		skip "redis-benchmark" "redis-server did not start"
		return
	fi
	step "redis-cli SET then GET the same value" redis_setget
	step "redis-benchmark -P 16 -n 100000 -t set,get: no error, every request served" redis_bench
}

# ---- OpenSSH ----

ssh_opts() {
	SSH=(-F /dev/null -i "$W/id_ed25519" -o StrictHostKeyChecking=no
	     -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=60
	     -o LogLevel=ERROR)
}

sshd_start() {
	# The privilege separation directory, compiled in.
	mkdir -p /run/sshd || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$W/host_ed25519" &&
	ssh-keygen -q -t ed25519 -N '' -f "$W/id_ed25519" || return 1
	cp "$W/id_ed25519.pub" "$W/authorized_keys"
	cat >"$W/sshd_config" <<EOF
ListenAddress $SRV
Port 22
HostKey $W/host_ed25519
PidFile $W/sshd.pid
AuthorizedKeysFile $W/authorized_keys
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel VERBOSE
EOF
	# Without PAM, sshd refuses an account whose password is locked ("*"
	# or "!..." in /etc/shadow: root's on Debian, whose /etc the VM
	# shares read-only).  So sshd sees, in a mount namespace of its own,
	# a shadow file that gives root a password no input can match.
	echo 'root:x:19000:0:99999:7:::' >"$W/shadow"
	chmod 600 "$W/shadow"
	# sshd re-executes itself for each connection (rexec): an absolute path.
	srv_bg sshd unshare -m sh -c 'mount --bind "$0" /etc/shadow && exec "$@"' \
		"$W/shadow" /usr/sbin/sshd -D -e -f "$W/sshd_config"
	wait_listen sshd 22
}

ssh_command() {
	local out t0=$SECONDS

	ssh_opts
	# Its stdout only: root's shell startup files are the host's, and may
	# say things on stderr.
	out=$(cli 60 ssh "${SSH[@]}" "root@$SRV" 'echo hello; uname -r' 2>"$W/ssh.err")
	local rc=$?
	if [ $rc = 0 ] && [ "$out" = "hello
$(uname -r)" ]; then
		note "ssh: ${out//$'\n'/; } ($((SECONDS - t0)) s)"
		return 0
	fi
	echo "ssh exited with status $rc, printed:"
	echo "$out"
	tail_of "$W/ssh.err"
	tail_of "$W/sshd.log"
	return 1
}

# sshd re-executes itself for every connection, and the session's process
# is a child of that one: xtcpize's library, put in by LD_PRELOAD, must be
# mapped there, for the sockets a session opens (port forwarding).
# (/proc/PID/environ cannot tell: sshd's process titles overwrite it.)
sshd_keeps_preload() {
	local lib out

	ssh_opts
	lib=$(ip netns exec xsrv "${X[@]}" sh -c 'echo "$LD_PRELOAD"')
	[ -n "$lib" ] || { echo "xtcpize sets no LD_PRELOAD"; return 1; }
	out=$(cli 60 ssh "${SSH[@]}" "root@$SRV" \
		'echo "$(tr "\0" " " </proc/$PPID/cmdline)"; cat /proc/$PPID/maps' 2>"$W/ssh.err") || {
		echo "$out"
		tail_of "$W/ssh.err"
		return 1
	}
	note "the session's process: $(head -n 1 <<<"$out" | sed 's/ *$//')"
	for l in ${lib//:/ }; do
		grep -qF "$(realpath "$l")" <<<"$out" && continue
		echo "$l (LD_PRELOAD=$lib) is not mapped in the session's sshd;" \
			"its libraries:"
		awk '$6 ~ /\.so/ { print $6 }' <<<"$out" | sort -u
		return 1
	done
}

ssh_scp() {
	local t0 rc

	ssh_opts
	head -c 10M /dev/urandom >"$W/ten.bin"
	t0=$SECONDS
	cli 90 scp "${SSH[@]}" "$W/ten.bin" "root@$SRV:$W/ten.copy"
	rc=$?
	if [ $rc != 0 ]; then
		echo "scp exited with status $rc"
		tail_of "$W/sshd.log"
		return 1
	fi
	same_sha "$W/ten.bin" "$W/ten.copy" || return 1
	note "scp: 10 MB in $((SECONDS - t0)) s"
}

app_ssh() {
	step "sshd starts and listens on $PNAME port 22" sshd_start || true
	if ! listening 22; then
		skip "ssh runs a command" "sshd did not start"
		skip "sshd's per-connection process keeps xtcpize's LD_PRELOAD" "sshd did not start"
		skip "scp copies 10 MB" "sshd did not start"
		return
	fi
	step "ssh root@$SRV 'echo hello; uname -r'" ssh_command
	if [ "$MODE" = xtcp ]; then
		step "sshd's re-executed per-connection process keeps xtcpize's LD_PRELOAD" sshd_keeps_preload
	else
		skip "sshd's per-connection process keeps xtcpize's LD_PRELOAD" "no xtcpize on TCP"
	fi
	step "scp copies 10 MB to sshd, sha256 equal" ssh_scp
}

# ---- main ----

D=$(mktemp -d /tmp/xtcp-apps.XXXXXX) || exit 1
trap 'stop_all; capture_stop; [ -z "$LOSSY" ] || tc -n xcli qdisc del dev vc root; rm -rf "$D"' EXIT
trap 'exit 1' INT TERM

echo "# xtcp_apps: programs over $PNAME (XTCP_APPS_MODE=$MODE)${X[*]:+, launched by ${X[*]}}"
if [ "$MODE" = xtcp ]; then
	if [ ! -x "$XTCPIZE" ]; then
		echo "not ok 1 - xtcpize is built: no $XTCPIZE (make tools)"
		echo "1..1"
		exit 1
	fi
	ip netns exec xsrv test -e /proc/net/xtcp_stat || {
		echo "Bail out! xtcp is not loaded, or netns xsrv does not exist"
		exit 1
	}
fi
start=$SECONDS
for app in $APPS; do
	world "$app"
done
echo "# xtcp_apps: $n tests, $fails failed, $((SECONDS - start)) s"
echo "1..$n"
[ $fails = 0 ]
