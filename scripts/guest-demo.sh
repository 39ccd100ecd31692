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
echo
tools/demo/xtcp_demo /tmp/xtcp-demo.bin
echo
echo "counters on the server (/proc/net/xtcp_stat, non-zero):"
ip netns exec xsrv grep -v ' 0$' /proc/net/xtcp_stat | sed 's/^/  /'
teardown_topology
for i in $(seq 50); do rmmod xtcp 2>/dev/null && break; sleep 0.1; done
! grep -q '^xtcp ' /proc/modules
