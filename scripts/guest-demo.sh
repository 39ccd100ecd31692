#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM for `make demo`: load xtcp, build the two test hosts,
# slow the link to 300 ms each way so each step of the handshake can be
# seen, show the handshake and a file transfer, unload.
set -eu
cd "$(dirname "$0")/.."
. selftests/topology.sh

insmod ./xtcp.ko
setup_topology
tc -n xsrv qdisc add dev vs root netem delay 300ms
tc -n xcli qdisc add dev vc root netem delay 300ms
head -c 1M /dev/urandom >/tmp/xtcp-demo.bin

# The same handshake as the tracepoints see it: xtcp's events and the
# kernel's sock:inet_sock_set_state for our protocol, in a tracefs
# instance of the demo's own.
T=/sys/kernel/tracing
[ -d $T/instances ] || mount -t tracefs nodev $T
I=$T/instances/xtcp-demo
rmdir $I 2>/dev/null || true
mkdir $I
echo "protocol == $(cat /sys/module/xtcp/parameters/proto)" \
	>$I/events/sock/inet_sock_set_state/filter
echo 1 >$I/events/sock/inet_sock_set_state/enable
echo 1 >$I/events/xtcp/enable

echo
tools/demo/xtcp_demo /tmp/xtcp-demo.bin
echo 0 >$I/tracing_on
echo
echo "the handshake as the tracepoints saw it (tracefs; seconds from the client's connect()):"
# One line per event up to the server's first xtcp_probe (the ACK that
# completes the handshake): side, event, the 4-tuple seen from that
# side, and what the event says.
awk -v port=8000 '
/^#/ { next }
{
	ev = ""; t = ""; rest = ""
	for (i = 1; i <= NF; i++) {
		if ($i ~ /^[0-9]+\.[0-9]+:$/ && t == "") {
			t = substr($i, 1, length($i) - 1); ev = $(i + 1)
			sub(/:$/, "", ev); i++; continue
		}
		if (t == "") continue
		split($i, kv, "=")
		f[kv[1]] = kv[2]
		if (kv[1] !~ /^(family|protocol|sport|dport|saddr|daddr|saddrv6|daddrv6|sock_cookie|mark)$/)
			rest = rest " " $i
	}
	if (t == "") next
	if (ev == "inet_sock_set_state" && f["newstate"] == "TCP_SYN_SENT")
		t0 = t
	if (t0 == "" && ev != "inet_sock_set_state") next
	side = f["sport"] == port ? "server" : "client"
	printf "%8s  %-6s %-21s %s:%s -> %s:%s %s\n",
	       t0 == "" ? "-" : sprintf("%.3fs", t - t0), side, ev,
	       f["saddr"], f["sport"], f["daddr"], f["dport"], rest
	if (ev == "xtcp_probe" && side == "server")
		exit
}' $I/trace
rmdir $I
echo
echo "counters on the server (/proc/net/xtcp_stat, non-zero):"
ip netns exec xsrv grep -v ' 0$' /proc/net/xtcp_stat | sed 's/^/  /'
teardown_topology
for i in $(seq 50); do rmmod xtcp 2>/dev/null && break; sleep 0.1; done
! grep -q '^xtcp ' /proc/modules
