#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM for `make bench`: xtcp against the kernel's TCP on
# the same paths, with the same program (tools/bench/xtcp_bench), in one
# boot.  Each figure is the median of BENCH_RUNS runs per protocol, run
# in pairs, the pairs alternating which protocol goes first (xtcp tcp,
# tcp xtcp, ...) so that drift and warm-up hit both; the ratio of the
# medians comes with the spread of the pairs' own ratios (min-max).
# Bulk cases also give CPU seconds per GB, the medians of each run's
# cpu_all= (the whole machine's busy time over the bytes received; see
# tools/bench/xtcp_bench.c), and the ratio of those.
#
#   bulk_lo    bulk throughput over loopback (both ends in netns xsrv)
#   bulk_veth  bulk throughput xcli -> xsrv over the veth pair
#   bulk_rate  bulk_veth through a 200 Mbit/s tbf on vc: the same
#              throughput for both, so that CPU per GB compares cost
#   bulk_bdp   bulk_veth on a long fat path: 50 ms each way (RTT 100 ms)
#              and a 200 Mbit/s tbf on vc, a bandwidth-delay product of
#              2.5 MB; 10 s
#   bulk_gro   bulk_veth with TSO off on vc (the stack cuts the segments
#              before the veth) and GRO on vs (NAPI merges them again):
#              what a NIC path does; xtcp's GSO skbs (SCTP's type,
#              which TSO off leaves on) cross the veth whole
#   bulk_loss  the same with netem: 10 ms delay each way (RTT 20 ms) and
#              1% loss on the data direction (vc, client -> server)
#   bbr_bdp    bulk_bdp with BBR at both ends: xtcp_bbr.ko (module/bbr.c)
#              against the kernel's tcp_bbr
#   bbr_loss   bulk_loss the same way
#   rr         1-byte request/response transactions per second, veth
#   crr        connect/1-byte exchange/close per second, veth
#   bridge_up  bulk from an xtcp client in xcli to a kernel-TCP server in
#              xsrv through tools/xtcp-bridge on vc; its TCP column is
#              TCP to TCP over the same veth, bridge attached
#   bridge_down  bulk from a kernel-TCP client in xsrv to an xtcp server
#              in xcli, the same way
#   flows4     4 bulk connections at once over the veth: their total, and
#              Jain's fairness index among them (jain_xtcp=, jain_tcp=)
#   flows16    the same with 16
#   share      one xtcp and one kernel TCP bulk flow through a 100 Mbit/s
#              tbf on vc: xtcp's share in percent; its TCP column is one
#              TCP flow's share against another TCP flow
#   udp_bulk   bulk_veth with xtcp in UDP (net.xtcp.udp_port at both
#              ends, net.xtcp.encap_port at the client: docs/encapsulation.md)
#   udp_rr     rr the same way
#   udp_plain  xtcp in UDP against plain xtcp, bulk over the veth: the
#              same as udp_bulk, but its TCP column is plain xtcp (the
#              client's net.xtcp.encap_port set to 0 for that run), so
#              the two forms alternate in pairs as xtcp and TCP do
#   udp_plain_rr  rr the same way
#   short_tail completion times of 10 KB flows, one after another for
#              BENCH_SHORT_SECS in each of BENCH_SHORT_CLIENTS (16)
#              clients at once, under tail loss: RTT 20 ms (netem
#              10 ms each way), one wire segment per skb, and a fifth of
#              the client's data segments that carry PSH (a flow's last,
#              resent or not) dropped at the server's veth (nftables,
#              netdev ingress).  value= is the 99th percentile in ms, so
#              here xtcp / TCP below 1.0 is better; p50 and p99 over
#              every flow of every run are tabled apart
#   bulk_sendfile  bulk_veth with the client's sendfile() of a 16 MiB
#              file in the guest's /tmp, over and over (page references,
#              no copy)
#   crr4       crr with 4 clients (threads) connecting at once
#   conns10k   10,000 idle connections at once, the server holding them
#              in one epoll set: value= the kernel slab's growth per
#              connection, both ends together, in bytes (lower is
#              better); then 1-byte request/response on connections
#              picked at random among them, p50 and p99 over every
#              transaction of every run tabled apart
#   grid_L_R_T  the loss x reordering x RTT grid (make bench-grid):
#              bulk_veth with netem on vc: L% loss, R% of segments
#              reordered (sent at once while the others wait half the
#              RTT: netem's reorder R%, no correlation), RTT T ms
#              (half each way); one wire segment per skb.  BENCH_CASES=grid names all 27
#              cells: L in 0.1 1 3, R in 0 5 25, T in 2 20 100
#   gridb_L_R_T  the same with GSO skbs whole, so that netem loses and
#              delays runs of segments at once ("in bursts");
#              BENCH_CASES=gridb names all 27
#
# Env: BENCH_RUNS (7)  BENCH_SECS (3)  BENCH_LOSS_SECS (5)
#      BENCH_SHORT_SECS (10)  BENCH_SHORT_CLIENTS (16)  BENCH_GRID_SECS (5)
#      BENCH_GRID_SLOW_RUNS (BENCH_RUNS): runs of the grid's 100 ms cells
#      BENCH_GRID_SLOW_SECS (BENCH_GRID_SECS): their seconds each
#      BENCH_GRID_MORE (0): pairs added to a grid cell whose ratio of
#      medians after its runs is below 0.95; its figure is then the
#      median over all its pairs, and the output says so ("# CELL: ...
#      more pairs")
#      BENCH_CASES (all but the grid, space-separated)
#      BENCH_SYSCTLS: "name=value ..." set in both netns before the runs
#      (e.g. net.xtcp.recovery=5), for experiments; printed
# Exit status 1 if any run failed (the table is printed anyway).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=selftests/topology.sh
. selftests/topology.sh

B=tools/bench/xtcp_bench
RUNS=${BENCH_RUNS:-7}
SECS=${BENCH_SECS:-3}
LOSS_SECS=${BENCH_LOSS_SECS:-5}
SHORT_SECS=${BENCH_SHORT_SECS:-10}
# short_tail's p99 lies between the flows whose tail is lost twice (1 in
# 25) and three times (1 in 125): with ~700 flows a stack it swung by a
# retransmission timeout between runs (300, 520, 970 ms).  16 clients at
# once give ~16 times the flows in the same time.
SHORT_CLIENTS=${BENCH_SHORT_CLIENTS:-16}
GRID_SECS=${BENCH_GRID_SECS:-5}
# At 100 ms a 5 s run is 50 round trips, most of them the first slow
# start and its first loss: single runs of either protocol spread
# tenfold, and the grid's 100 ms cells take more pairs.
GRID_SLOW_RUNS=${BENCH_GRID_SLOW_RUNS:-$RUNS}
# ... or longer runs: 5 s holds one slow start and a few recoveries.
GRID_SLOW_SECS=${BENCH_GRID_SLOW_SECS:-$GRID_SECS}
# A cell's first pairs may land below 0.95 by chance alone (single runs
# at 0.1% loss spread threefold); more pairs there say whether it is.
GRID_MORE=${BENCH_GRID_MORE:-0}
CASES=${BENCH_CASES:-bulk_lo bulk_veth bulk_rate bulk_bdp bulk_gro bulk_loss bbr_bdp bbr_loss rr crr flows4 flows16 share bridge_up bridge_down udp_bulk udp_rr udp_plain udp_plain_rr short_tail bulk_sendfile crr4 conns10k}
# grid / gridb: every cell of the grid.
grid_cells() {	# grid_cells PREFIX
	local l r t
	for l in 0.1 1 3; do
		for r in 0 5 25; do
			for t in 2 20 100; do
				printf '%s_%s_%s_%s ' "$1" "$l" "$r" "$t"
			done
		done
	done
}
CASES=$(for c in $CASES; do
	case $c in grid | gridb) grid_cells "$c" ;; *) printf '%s ' "$c" ;; esac
done)
BRIDGE=tools/xtcp-bridge/xtcp-bridge
# The bridged ports (xtcp's end of bridge_*); TCP-to-TCP runs use others.
BRIDGE_PORTS=20000-29999
OUT=$(mktemp -d /tmp/xtcp-bench.XXXXXX)
T0=$SECONDS
failed=0

cleanup() {
	teardown_topology
	for _ in $(seq 1 100); do
		# bbr_on's algorithm module holds xtcp while it is loaded.
		rmmod xtcp_bbr 2>/dev/null
		rmmod xtcp 2>/dev/null && break
		sleep 0.2
	done
	if grep -q '^xtcp ' /proc/modules; then
		echo "bench: error: xtcp still loaded after netns deletion:" \
			"$(grep '^xtcp ' /proc/modules)"
		failed=1
	fi
}

insmod "${XTCP_KO:-./xtcp.ko}" || exit 1
# bulk_sendfile's file.
dd if=/dev/urandom of="$OUT/file" bs=1M count=16 status=none || exit 1
setup_topology || { echo "topology setup failed"; cleanup; exit 1; }

# TIME-WAIT (crr): the server closes first, so TIME-WAIT is held in xsrv,
# 60 s for both (TCP's fixed 2*MSL, xtcp's default net.xtcp.tw_timeout).
# Both stop keeping TIME-WAIT at the same count: each netns' cap is half
# the established hash, the same size for both (net.xtcp.max_tw_buckets,
# net.ipv4.tcp_max_tw_buckets), as printed here.  The client's ephemeral
# range is widened (it applies to both protocols).
echo "# TIME-WAIT caps in xsrv: TCP $(ip netns exec xsrv sysctl -n net.ipv4.tcp_max_tw_buckets)," \
	"xtcp $(ip netns exec xsrv sysctl -n net.xtcp.max_tw_buckets)"
ip netns exec xcli sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
for kv in ${BENCH_SYSCTLS:-}; do
	for ns in xsrv xcli; do
		ip netns exec $ns sysctl -qw "$kv" || exit 1
	done
	echo "# BENCH_SYSCTLS: $kv in xsrv and xcli"
done

sysctl_of() { ip netns exec xsrv sysctl -n "$1" | tr -s '\t ' ' '; }
echo "# xtcp bench on $(uname -r), $(nproc) cpus; $RUNS runs per figure" \
	"and protocol, in pairs whose first protocol alternates; ${SECS} s each" \
	"(bulk_loss ${LOSS_SECS} s)"
echo "# socket buffers left at their defaults: TCP tcp_wmem='$(sysctl_of net.ipv4.tcp_wmem)'" \
	"tcp_rmem='$(sysctl_of net.ipv4.tcp_rmem)', xtcp" \
	"wmem='$(sysctl_of net.xtcp.wmem 2>/dev/null)'" \
	"rmem='$(sysctl_of net.xtcp.rmem 2>/dev/null)' (autotuned);" \
	"sndbuf=/rcvbuf= below: SO_SNDBUF of the sender and SO_RCVBUF of the" \
	"receiver at start,end"

# Per-protocol retransmission counter of a netns (sender side).
retrans() {	# retrans NS PROTO
	if [ "$2" = xtcp ]; then
		ip netns exec "$1" awk '$1 == "RetransSegs" { print $2 }' /proc/net/xtcp_stat
	else
		ip netns exec "$1" awk '$1 == "Tcp:" && !h { for (i = 1; i <= NF; i++)
			c[$i] = i; h = 1; next } $1 == "Tcp:" { print $c["RetransSegs"] }' \
			/proc/net/snmp
	fi
}

# The xtcp counters (/proc/net/xtcp_stat) of a netns that changed since
# snapshot FILE, as " Name=delta ...".
xstat_delta() {	# xstat_delta NS FILE
	ip netns exec "$1" cat /proc/net/xtcp_stat |
		awk 'NR == FNR { a[$1] = $2; next }
		     $2 != a[$1] { printf " %s=%d", $1, $2 - a[$1] }' "$2" -
}

# The kernel's TCP counters (/proc/net/snmp's Tcp, /proc/net/netstat's
# TcpExt) of a netns, a "Name value" line each.
tstat() {	# tstat NS
	ip netns exec "$1" cat /proc/net/snmp /proc/net/netstat |
		awk '$1 != "Tcp:" && $1 != "TcpExt:" { next }
		     !($1 in h) { h[$1] = 1; split($0, n); next }
		     { for (i = 2; i <= NF; i++) print n[i], $i; delete h[$1] }'
}

# Those that changed since snapshot FILE, as " Name=delta ..." (xtcp's
# runs count none of them: they are kernel TCP's alone).
tstat_delta() {	# tstat_delta NS FILE
	tstat "$1" | awk 'NR == FNR { a[$1] = $2; next }
		$2 != a[$1] && $1 !~ /^(CurrEstab|MaxConn|RtoMin|RtoMax|RtoAlgorithm)$/ {
			printf " %s=%d", $1, $2 - a[$1] }' "$2" -
}

netem_on() {
	# One wire segment per skb for both protocols, so that netem's
	# per-packet loss means the same per byte (TCP would otherwise send
	# 64 KiB GSO packets over veth, each lost as one).
	ip -n xcli link set dev vc gso_max_segs 1 || return 1
	ip -n xsrv link set dev vs gso_max_segs 1 || return 1
	tc -n xcli qdisc add dev vc root netem delay 10ms loss 1% limit 10000 || return 1
	tc -n xsrv qdisc add dev vs root netem delay 10ms limit 10000 || return 1
	echo "# netem: vc (client->server, data) delay 10ms loss 1%;" \
		"vs (server->client, ACKs) delay 10ms; gso_max_segs 1 on both;" \
		"ping: $(ip netns exec xcli ping -c 3 -i 0.2 10.99.0.1 | tail -1)"
}

rate_on() {	# rate_on [RATE]
	tc -n xcli qdisc add dev vc root tbf rate "${1:-200mbit}" burst 256kb latency 50ms
}

rate_off() {
	tc -n xcli qdisc del dev vc root 2>/dev/null
}

bdp_on() {
	tc -n xcli qdisc add dev vc root handle 1: netem delay 50ms limit 100000 &&
		tc -n xcli qdisc add dev vc parent 1: handle 2: tbf rate 200mbit \
			burst 256kb latency 200ms &&
		tc -n xsrv qdisc add dev vs root netem delay 50ms limit 100000
}

bdp_off() {
	tc -n xcli qdisc del dev vc root 2>/dev/null
	tc -n xsrv qdisc del dev vs root 2>/dev/null
}

gro_on() {
	ip netns exec xcli ethtool -K vc tso off >/dev/null &&
		ip netns exec xsrv ethtool -K vs gro on >/dev/null
}

gro_off() {
	ip netns exec xcli ethtool -K vc tso on >/dev/null 2>&1
	ip netns exec xsrv ethtool -K vs gro off >/dev/null 2>&1
}

netem_off() {
	tc -n xcli qdisc del dev vc root 2>/dev/null
	tc -n xsrv qdisc del dev vs root 2>/dev/null
	ip -n xcli link set dev vc gso_max_segs 65535
	ip -n xsrv link set dev vs gso_max_segs 65535
}

# short_tail: RTT 20 ms, a segment per skb, and the loss of a fifth of
# the client's data segments that carry PSH (the last of each flow; the
# 1-byte answers go the other way), both protocols (xtcp's header has
# TCP's flags byte).  Dropped at vs's ingress: a wire loss, which the
# sender learns of only from the receiver.
tail_on() {
	ip -n xcli link set dev vc gso_max_segs 1 || return 1
	ip -n xsrv link set dev vs gso_max_segs 1 || return 1
	tc -n xcli qdisc add dev vc root netem delay 10ms limit 10000 || return 1
	tc -n xsrv qdisc add dev vs root netem delay 10ms limit 10000 || return 1
	ip netns exec xsrv nft -f - <<-'EOF'
	table netdev xtail {
		chain drop_it {
			counter drop
		}
		chain tail {
			numgen random mod 5 vmap { 0 : goto drop_it, 1-4 : accept }
		}
		chain in {
			type filter hook ingress device vs priority 0;
			ip protocol { tcp, 253 } ip length > 200 @th,104,8 & 0x08 == 0x08 counter jump tail
		}
	}
	EOF
}

tail_off() {
	echo "# short_tail: PSH segments dropped, seen:" \
		"$(ip netns exec xsrv nft list table netdev xtail 2>/dev/null |
			sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | paste -sd' ')"
	ip netns exec xsrv nft delete table netdev xtail 2>/dev/null
	netem_off
}

# bbr_*: BBR for both protocols' new sockets in both netns (xtcp's from
# xtcp_bbr.ko, next to xtcp.ko), CUBIC again after.
bbr_on() {
	local ns
	if ! lsmod | grep -q '^xtcp_bbr '; then
		insmod "$(dirname "${XTCP_KO:-./xtcp.ko}")/xtcp_bbr.ko" || return 1
	fi
	modprobe tcp_bbr || return 1
	for ns in xsrv xcli; do
		ip netns exec $ns sysctl -q -w net.xtcp.congestion_control=bbr \
			net.ipv4.tcp_congestion_control=bbr || return 1
	done
}

bbr_off() {
	local ns
	for ns in xsrv xcli; do
		ip netns exec $ns sysctl -q -w net.xtcp.congestion_control=cubic \
			net.ipv4.tcp_congestion_control=cubic
	done
}

# A grid cell (case_args): netem's loss and reordering on the data
# direction, half the RTT each way.  No correlation for the reordering:
# netem's correlated draw averages its uniform draws, so "reorder 5% 50%"
# reorders about 1 packet in 60,000 and "reorder 25% 50%" 7% (grid_check).
grid_on() {	# grid_on CASE
	local g l r t half reo=()
	IFS=_ read -r g l r t <<<"$1"
	half=$(awk -v t="$t" 'BEGIN { printf "%gms", t / 2 }')
	[ "$r" != 0 ] && reo=(reorder "$r%")
	if [ "$g" = grid ]; then
		ip -n xcli link set dev vc gso_max_segs 1 || return 1
		ip -n xsrv link set dev vs gso_max_segs 1 || return 1
	fi
	tc -n xcli qdisc add dev vc root netem delay "$half" "${reo[@]}" \
		loss "$l%" limit 100000 || return 1
	tc -n xsrv qdisc add dev vs root netem delay "$half" limit 100000
}

# After a grid cell's runs: how many packets netem sent ahead of the
# queue (its requeues) against how many it sent; the cell fails unless
# that is within half and twice the reordering it names (none for 0).
grid_check() {	# grid_check CASE
	local g l r t st n q
	IFS=_ read -r g l r t <<<"$1"
	st=$(tc -n xcli -s qdisc show dev vc | awk '/^ Sent/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "pkt") n = $(i - 1)
			if ($i == "requeues") { q = $(i + 1); sub(/\)/, "", q) }
		}
		print n + 0, q + 0; exit }')
	read -r n q <<<"$st"
	awk -v n="$n" -v q="$q" -v r="$r" -v c="$1" 'BEGIN {
		f = n ? 100 * q / n : 0
		printf "# %s: netem sent %d of %d packets ahead (%.2f%%, asked %s%%)\n", c, q, n, f, r
		exit (r == 0 ? q != 0 : (f < r / 2 || f > 2 * r)) }'
}

# xtcp in UDP between xcli and xsrv (docs/encapsulation.md): both receive
# on 9899, and the client's new sockets connect to it.
encap_on() {
	ip netns exec xsrv sysctl -q -w net.xtcp.udp_port=9899 &&
		ip netns exec xcli sysctl -q -w net.xtcp.udp_port=9899 \
			net.xtcp.encap_port=9899
}

encap_off() {
	ip netns exec xcli sysctl -q -w net.xtcp.encap_port=0 net.xtcp.udp_port=0
	ip netns exec xsrv sysctl -q -w net.xtcp.udp_port=0
}

# What each case runs: mode, server netns, client netns, address, seconds.
case_args() {
	case $1 in
	bulk_lo)	echo "bulk xsrv xsrv 127.0.0.1 $SECS Mbit/s bulk, loopback" ;;
	bulk_veth)	echo "bulk xsrv xcli 10.99.0.1 $SECS Mbit/s bulk, veth" ;;
	bulk_rate)	echo "bulk xsrv xcli 10.99.0.1 $SECS Mbit/s bulk, veth, 200 Mbit/s tbf" ;;
	bulk_bdp)	echo "bulk xsrv xcli 10.99.0.1 10 Mbit/s bulk, veth, RTT 100 ms, 200 Mbit/s tbf" ;;
	bulk_gro)	echo "bulk xsrv xcli 10.99.0.1 $SECS Mbit/s bulk, veth, sender TSO off, receiver GRO on" ;;
	bulk_loss)	echo "bulk xsrv xcli 10.99.0.1 $LOSS_SECS Mbit/s bulk, veth, RTT 20 ms, 1% loss" ;;
	bbr_bdp)	echo "bulk xsrv xcli 10.99.0.1 10 Mbit/s BBR bulk, veth, RTT 100 ms, 200 Mbit/s tbf" ;;
	bbr_loss)	echo "bulk xsrv xcli 10.99.0.1 $LOSS_SECS Mbit/s BBR bulk, veth, RTT 20 ms, 1% loss" ;;
	rr)		echo "rr xsrv xcli 10.99.0.1 $SECS trans/s 1-byte request/response, veth" ;;
	crr)		echo "crr xsrv xcli 10.99.0.1 $SECS conn/s connect+1-byte exchange+close, veth" ;;
	bridge_up)	echo "bulk xsrv xcli 10.99.0.1 $SECS Mbit/s bulk, xtcp client -> kernel TCP server, xtcp-bridge" ;;
	bridge_down)	echo "bulk xcli xsrv 10.99.0.2 $SECS Mbit/s bulk, kernel TCP client -> xtcp server, xtcp-bridge" ;;
	flows4)		echo "flows xsrv xcli 10.99.0.1 $SECS Mbit/s 4 bulk flows at once, veth (total)" ;;
	flows16)	echo "flows xsrv xcli 10.99.0.1 $SECS Mbit/s 16 bulk flows at once, veth (total)" ;;
	share)		echo "flows xsrv xcli 10.99.0.1 $SECS % share of a 100 Mbit/s tbf against one kernel TCP flow" ;;
	udp_bulk)	echo "bulk xsrv xcli 10.99.0.1 $SECS Mbit/s bulk, veth, xtcp in UDP" ;;
	udp_rr)		echo "rr xsrv xcli 10.99.0.1 $SECS trans/s 1-byte request/response, veth, xtcp in UDP" ;;
	udp_plain)	echo "bulk xsrv xcli 10.99.0.1 $SECS Mbit/s bulk, veth, xtcp in UDP (TCP column: plain xtcp)" ;;
	bulk_sendfile)	echo "bulk xsrv xcli 10.99.0.1 $SECS Mbit/s bulk, veth, sendfile()" ;;
	crr4)		echo "crr xsrv xcli 10.99.0.1 $SECS conn/s connect+1-byte exchange+close, 4 clients, veth" ;;
	conns10k)	echo "conns xsrv xcli 10.99.0.1 $SECS bytes/conn slab per idle connection (both ends) among 10,000, veth (lower is better)" ;;
	short_tail)	echo "short xsrv xcli 10.99.0.1 $SHORT_SECS ms p99 completion of 10 KB flows ($SHORT_CLIENTS clients at once), RTT 20 ms, a fifth of PSH segments lost (lower is better)" ;;
	udp_plain_rr)	echo "rr xsrv xcli 10.99.0.1 $SECS trans/s 1-byte request/response, veth, xtcp in UDP (TCP column: plain xtcp)" ;;
	grid_* | gridb_*)
		local g l r t how="a segment per skb"
		IFS=_ read -r g l r t <<<"$1"
		[ "$g" = gridb ] && how="GSO skbs whole"
		local secs=$GRID_SECS
		[ "$t" = 100 ] && secs=$GRID_SLOW_SECS
		echo "bulk xsrv xcli 10.99.0.1 $secs Mbit/s bulk, veth, loss $l%, reordering $r%, RTT $t ms, $how" ;;
	*)		return 1 ;;
	esac
}

declare -A pv

# x / t to 3 places, or n/a.
ratio_of() {
	awk -v x="$1" -v t="$2" 'BEGIN {
		if (x == "ERR" || t == "ERR" || t == 0) print "n/a"
		else printf "%.3f", x / t }'
}

median() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (!NR) print "ERR"
		else if (NR % 2) print a[(NR + 1) / 2]
		else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# A 90% bootstrap interval of the ratio of medians, xtcp's runs ($1) over
# TCP's ($2): each stack's runs drawn again with replacement, 2000 times,
# and the 5th and 95th percentiles of those ratios (a fixed seed, so the
# same runs give the same interval).  A cell whose interval holds 1.0
# cannot tell xtcp from TCP with its runs; one that ends below 0.95 is
# below the target beyond the runs' spread.  n/a with under 3 runs of
# either.
ratio_interval() {
	awk -v seed=17 '
	{ k = FILENAME == ARGV[1] ? 1 : 2; v[k, ++n[k]] = $1 }
	function resampled_median(k,   i, j, m, t, a) {
		m = n[k]
		for (i = 1; i <= m; i++) {
			t = v[k, int(rand() * m) + 1]
			for (j = i - 1; j > 0 && a[j] > t; j--)
				a[j + 1] = a[j]
			a[j + 1] = t
		}
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		if (n[1] < 3 || n[2] < 3)
			exit 1
		srand(seed)
		for (b = 0; b < 2000; b++) {
			t = resampled_median(2)
			x = resampled_median(1)
			if (t > 0)
				print x / t
		}
	}' "$1" "$2" | sort -g | sed -n '100p;1900p' | xargs -r printf '%.3f-%.3f\n' |
		grep . || echo n/a
}

ci=0
for c in $CASES; do
	args=$(case_args "$c") || { echo "unknown case $c"; failed=1; continue; }
	read -r mode sns cns addr secs unit desc <<<"$args"
	ci=$((ci + 1))
	runs=$RUNS
	case $c in grid*_100) runs=$GRID_SLOW_RUNS ;; esac
	more=
	echo "# $c: $desc"
	case $c in bbr_*)
		bbr_on || { echo "# BBR setup failed"; failed=1; bbr_off; continue; }
	esac
	if [ "$c" = bulk_loss ] || [ "$c" = bbr_loss ]; then
		netem_on || { echo "# netem setup failed"; failed=1; netem_off; continue; }
	fi
	if [ "$c" = bulk_rate ]; then
		rate_on || { echo "# tbf setup failed"; failed=1; rate_off; continue; }
	fi
	if [ "$c" = share ]; then
		rate_on 100mbit || { echo "# tbf setup failed"; failed=1; rate_off; continue; }
	fi
	if [ "$c" = bulk_bdp ] || [ "$c" = bbr_bdp ]; then
		bdp_on || { echo "# netem/tbf setup failed"; failed=1; bdp_off; continue; }
	fi
	case $c in grid_* | gridb_*)
		grid_on "$c" || { echo "# netem setup failed"; failed=1; netem_off; continue; }
	esac
	if [ "$c" = short_tail ]; then
		tail_on || { echo "# netem/nftables setup failed"; failed=1; tail_off; continue; }
	fi
	if [ "$c" = bulk_gro ]; then
		gro_on || { echo "# ethtool setup failed"; failed=1; gro_off; continue; }
	fi
	case $c in bridge_*)
		ip netns exec xcli $BRIDGE attach vc --ports $BRIDGE_PORTS >/dev/null ||
			{ echo "# xtcp-bridge attach failed"; failed=1; continue; }
	esac
	case $c in udp_*)
		encap_on || { echo "# UDP encapsulation setup failed"; failed=1; encap_off; continue; }
	esac
	: >"$OUT/$c.xtcp"
	: >"$OUT/$c.tcp"
	: >"$OUT/$c.xtcp.cpu"
	: >"$OUT/$c.tcp.cpu"
	: >"$OUT/$c.pairs"
	: >"$OUT/$c.xtcp.jain"
	: >"$OUT/$c.tcp.jain"
	: >"$OUT/$c.xtcp.p50"
	: >"$OUT/$c.tcp.p50"
	: >"$OUT/$c.xtcp.fct"
	: >"$OUT/$c.tcp.fct"
	for p in xtcp tcp; do retrans "$cns" $p >"$OUT/$c.$p.rt0"; done
	nss=$(printf '%s\n' "$sns" "$cns" | sort -u)
	for ns in $nss; do
		ip netns exec "$ns" cat /proc/net/xtcp_stat >"$OUT/$c.$ns.st0"
		tstat "$ns" >"$OUT/$c.$ns.tst0"
	done
	tc0=$SECONDS
	r=0
	while [ $((r += 1)) -le "$runs" ]; do
		order="xtcp tcp"
		[ $((r % 2)) = 0 ] && order="tcp xtcp"
		unset "pv[xtcp]" "pv[tcp]"
		for p in $order; do
			pi=0
			[ $p = tcp ] && pi=1
			port=$((10000 + ci * 100 + r * 2 + pi))
			# bridge_*: "xtcp" is xtcp's end (bridged port) against
			# kernel TCP; "tcp" is TCP at both ends, ports not bridged.
			pargs=(-p $p -P $port)
			case $c/$p in
			bridge_up/xtcp)	pargs=(-p tcp -q xtcp -P $port -l $((port + 10000))) ;;
			bridge_up/tcp)	pargs=(-p tcp -P $port -l $((port + 20000))) ;;
			bridge_down/xtcp) pargs=(-p xtcp -q tcp -P $((port + 10000))) ;;
			flows4/*)	pargs+=(-n 4) ;;
			flows16/*)	pargs+=(-n 16) ;;
			# Ports 2 apart: the other protocol's listener takes port + 1.
			share/*)	pargs=(-p $p -q tcp -n 2 -x 1 -P $((10040 + ci * 100 + r * 4 + pi * 2))) ;;
			udp_plain*/tcp)	pargs=(-p xtcp -P $port) ;;
			short*/*)	pargs+=(-n "$SHORT_CLIENTS" -o "$OUT/$c.$p.fct") ;;
			conns*/*)	pargs+=(-o "$OUT/$c.$p.fct") ;;
			bulk_sendfile/*) pargs+=(-f "$OUT/file") ;;
			crr4/*)		pargs+=(-n 4) ;;
			conns10k/*)	pargs+=(-n 10000) ;;
			esac
			# udp_plain*: the client's new sockets go in UDP or not.
			case $c/$p in
			udp_plain*/xtcp) ip netns exec xcli sysctl -q -w net.xtcp.encap_port=9899 ;;
			udp_plain*/tcp)	ip netns exec xcli sysctl -q -w net.xtcp.encap_port=0 ;;
			esac
			line=$(timeout -k 5 $((${secs%.*} + 60)) \
				$B -m "$mode" "${pargs[@]}" -s "$sns" -c "$cns" -a "$addr" \
				-t "$secs" 2>&1)
			rc=$?
			[ $rc = 124 ] || [ $rc = 137 ] && line+=$'\n'"ERROR killed by timeout"
			echo "$line" | sed "s/^/  run $r: /"
			v=$(echo "$line" | sed -n 's/^RESULT .* value=\([0-9.]*\) .*/\1/p')
			# share: the -p flow's part of the bottleneck, in percent.
			[ "$c" = share ] && v=$(echo "$line" |
				sed -n 's/^RESULT .* share=\([0-9.]*\) .*/\1/p' |
				awk '{ printf "%.1f", $1 * 100 }')
			j=$(echo "$line" | sed -n 's/^RESULT .* jain=\([0-9.]*\) .*/\1/p')
			[ -n "$j" ] && echo "$j" >>"$OUT/$c.$p.jain"
			j=$(echo "$line" | sed -n 's/^RESULT .* p50=\([0-9.]*\) .*/\1/p')
			[ -n "$j" ] && echo "$j" >>"$OUT/$c.$p.p50"
			if [ -n "$v" ]; then
				echo "$v" >>"$OUT/$c.$p"
				pv[$p]=$v
			else
				failed=1
			fi
			cpu=$(echo "$line" | sed -n 's/^RESULT .* cpu_all=\([0-9.]*\) .*/\1/p')
			[ -n "$cpu" ] && echo "$cpu" >>"$OUT/$c.$p.cpu"
		done
		# This pair's own ratio, for the spread.
		if [ -n "${pv[xtcp]:-}" ] && [ -n "${pv[tcp]:-}" ]; then
			awk -v x="${pv[xtcp]}" -v t="${pv[tcp]}" \
				'BEGIN { if (t > 0) printf "%.3f\n", x / t }' >>"$OUT/$c.pairs"
		fi
		# A grid cell below 0.95 after its runs: more pairs, once.
		case $c in grid_* | gridb_*) ;; *) continue ;; esac
		[ "$r" = "$runs" ] && [ "$GRID_MORE" -gt 0 ] && [ -z "$more" ] ||
			continue
		ratio=$(ratio_of "$(median <"$OUT/$c.xtcp")" "$(median <"$OUT/$c.tcp")")
		[ "$ratio" != n/a ] &&
			awk -v q="$ratio" 'BEGIN { exit !(q < 0.95) }' || continue
		echo "# $c: ratio $ratio after $runs pairs, below 0.95: $GRID_MORE more pairs"
		more=1
		runs=$((runs + GRID_MORE))
	done
	for p in xtcp tcp; do
		# udp_plain*: both columns are xtcp's, counted as one.
		case $c/$p in udp_plain*/tcp) continue ;; esac
		echo "# $c: $p retransmitted segments (sender's netns, all runs):" \
			"$(($(retrans "$cns" $p) - $(<"$OUT/$c.$p.rt0")))"
	done
	for ns in $nss; do
		echo "# $c: xtcp counters that changed in $ns (all runs):" \
			"$(xstat_delta "$ns" "$OUT/$c.$ns.st0")"
		echo "# $c: TCP counters that changed in $ns (all runs):" \
			"$(tstat_delta "$ns" "$OUT/$c.$ns.tst0")"
	done
	echo "# $c: $((SECONDS - tc0)) s"
	[ "$c" = bulk_loss ] && netem_off
	[ "$c" = bbr_loss ] && netem_off
	[ "$c" = bbr_bdp ] && bdp_off
	case $c in bbr_*) bbr_off ;; esac
	[ "$c" = bulk_rate ] && rate_off
	[ "$c" = share ] && rate_off
	[ "$c" = bulk_bdp ] && bdp_off
	[ "$c" = bulk_gro ] && gro_off
	[ "$c" = short_tail ] && tail_off
	case $c in grid_* | gridb_*)
		grid_check "$c" || { echo "# $c: the path did not reorder as named"; failed=1; }
		netem_off ;;
	esac
	case $c in udp_*) encap_off ;; esac
	case $c in bridge_*)
		ip netns exec xcli $BRIDGE show vc | sed 's/^/# bridge: /'
		ip netns exec xcli $BRIDGE detach vc
	esac
	x=$(median <"$OUT/$c.xtcp")
	t=$(median <"$OUT/$c.tcp")
	ratio=$(ratio_of "$x" "$t")
	spread=$(sort -g "$OUT/$c.pairs" | sed -n '1p;$p' | paste -sd-)
	[ -n "$spread" ] || spread=n/a
	interval=$(ratio_interval "$OUT/$c.xtcp" "$OUT/$c.tcp")
	echo "# $c: ratio $ratio, 90% bootstrap interval $interval"
	cx=$(median <"$OUT/$c.xtcp.cpu")
	ct=$(median <"$OUT/$c.tcp.cpu")
	cratio=$(ratio_of "$cx" "$ct")
	[ "$mode" = bulk ] || { cx=-; ct=-; cratio=-; }
	echo "$c|$desc|$unit|$x|$t|$ratio|$spread|$cx|$ct|$cratio|$(wc -l <"$OUT/$c.xtcp")/$runs|$(wc -l <"$OUT/$c.tcp")/$runs" \
		>>"$OUT/table"
	jx=-
	jt=-
	case $c in flows*)
		jx=$(median <"$OUT/$c.xtcp.jain")
		jt=$(median <"$OUT/$c.tcp.jain")
		echo "$c|$desc|$jx|$jt" >>"$OUT/jain"
	esac
	case $c in short* | conns*)
		# Percentiles of every flow of every run, pooled.
		for p in xtcp tcp; do
			read -r "n_$p" "p50_$p" "p99_$p" < <(sort -g "$OUT/$c.$p.fct" |
				awk '{ a[NR] = $1 } END {
					k50 = int((NR * 50 + 99) / 100); k99 = int((NR * 99 + 99) / 100)
					if (!NR) print 0, "ERR", "ERR"
					else print NR, a[k50 ? k50 : 1], a[k99 ? k99 : 1] }')
		done
		# short_tail: how many flows took how long, by the number of
		# times the tail was lost that the time allows for, and each
		# band's median (each file sorted first).
		[ "$c" = short_tail ] && for p in xtcp tcp; do
			echo "# $c: $p flows by completion time, ms (count, median):" \
				"$(sort -g "$OUT/$c.$p.fct" | awk '
				BEGIN { n = split("100 250 400 700 1300 2500", e, " ") }
				{ for (i = 1; i <= n && $1 >= e[i]; i++) ; v[i, ++b[i]] = $1 }
				END { lo = 0
					for (i = 1; i <= n + 1; i++) {
						m = b[i] ? v[i, int((b[i] + 1) / 2)] : "-"
						printf "%s%s-%s: %d %s", (i > 1 ? ", " : ""), lo,
							(i <= n ? e[i] : ""), b[i], m
						lo = e[i]
					} }')"
		done
		ldesc=$desc
		[ "$c" = conns10k ] && ldesc="1-byte request/response on one of 10,000 idle connections, veth"
		echo "$c|$ldesc|$p50_xtcp|$p50_tcp|$(ratio_of "$p50_xtcp" "$p50_tcp")|$p99_xtcp|$p99_tcp|$(ratio_of "$p99_xtcp" "$p99_tcp")|$n_xtcp|$n_tcp" >>"$OUT/short"
	esac
	echo "BENCH case=$c unit=$unit xtcp=$x tcp=$t ratio=$ratio spread=$spread interval90=$interval" \
		"cpu_xtcp=$cx cpu_tcp=$ct cpu_ratio=$cratio jain_xtcp=$jx jain_tcp=$jt" \
		"xtcp_ok=$(wc -l <"$OUT/$c.xtcp")/$runs tcp_ok=$(wc -l <"$OUT/$c.tcp")/$runs" \
		"xtcp_runs=$(paste -sd, "$OUT/$c.xtcp") tcp_runs=$(paste -sd, "$OUT/$c.tcp")" \
		>>"$OUT/bench"
done

echo "# TIME-WAIT left in xsrv: TCP" \
	"$(ip netns exec xsrv awk '$4 == "06"' /proc/net/tcp | wc -l)," \
	"xtcp $(ip netns exec xsrv awk '$4 == "06"' /proc/net/xtcp | wc -l)"
echo
echo "| figure | unit | xtcp | TCP | xtcp / TCP | pairs min-max | CPU s/GB xtcp | CPU s/GB TCP | CPU xtcp / TCP | runs ok (xtcp, TCP) |"
echo "|---|---|---:|---:|---:|---|---:|---:|---:|---|"
while IFS='|' read -r c desc unit x t ratio spread cx ct cratio nx nt; do
	echo "| $desc | $unit | $x | $t | $ratio | $spread | $cx | $ct | $cratio | $nx, $nt |"
done <"$OUT/table"
if [ -s "$OUT/jain" ]; then
	echo
	echo "| flows | Jain's index xtcp | Jain's index TCP |"
	echo "|---|---:|---:|"
	while IFS='|' read -r c desc jx jt; do
		echo "| $desc | $jx | $jt |"
	done <"$OUT/jain"
fi
if [ -s "$OUT/short" ]; then
	echo
	echo "| latency, every run's pooled | p50 ms xtcp | p50 ms TCP | p50 xtcp / TCP | p99 ms xtcp | p99 ms TCP | p99 xtcp / TCP | flows (xtcp, TCP) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	while IFS='|' read -r c desc px pt pr x t r nx nt; do
		echo "| $desc | $px | $pt | $pr | $x | $t | $r | $nx, $nt |"
	done <"$OUT/short"
fi
echo
cat "$OUT/bench"
echo
echo "# bench took $((SECONDS - T0)) s in the guest"
cleanup
rm -rf "$OUT"
exit $failed
