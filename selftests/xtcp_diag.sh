#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sock_diag for xtcp (issue 14), in the test VM as root, once xtcp.ko is
# loaded and the topology exists (selftests/run.sh runs it; alone:
#   scripts/vm-run.sh selftests/run-some.sh 'selftests/xtcp_diag.sh').
#
# 1. xtcp_diag.ko loads (after modprobe inet_diag), registered for the
#    protocol xtcp.ko was loaded with.
# 2. selftests/xtcp_diag (raw netlink) over xtcp, then unchanged over
#    kernel TCP (XTCP_PROTO=6, tcp_diag): the reference.
# 3. tools/xtcp-ss against the same sockets: a listener and a connection
#    whose two ends hold unread bytes, held by python3 in xsrv and xcli.
#    Each xtcp-ss line matches its /proc/net/xtcp line (state, addresses,
#    queues, inode) and nothing is missing or extra; -i's fields are what
#    getsockopt(TCP_INFO) says; state and port filters; -K resets the
#    connection; -i shows udp_encap:PORT for a connection in UDP.
#    Then `xtcp-ss --proto 6 -tanieom` prints what
#    `ss -4 -tanieom` prints for kernel TCP sockets, token for token,
#    once the clock-driven lastsnd/lastrcv/lastack and the timers'
#    remaining time are set aside (docs/diag.md).
# 4. rmmod xtcp_diag, leaving xtcp.ko as it was.
#
# On a kernel without inet_diag (the debug lane's may lack it), or with
# no xtcp_diag.ko built, everything is skipped with the reason.
# Prints TAP; exits non-zero if anything failed.
# Env: XTCP_DIAG_KO  the module (default: next to $XTCP_KO, else ./)

set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
T=$ROOT/selftests
SS=$ROOT/tools/xtcp-ss/xtcp-ss
KO_DIR=$(dirname "${XTCP_KO:-$ROOT/xtcp.ko}")
DIAG_KO=${XTCP_DIAG_KO:-$KO_DIR/xtcp_diag.ko}
W=/tmp/xtcp-diag
PIDS=()
# shellcheck source=selftests/tap.sh
. "$T/tap.sh"

diag_loaded() { grep -q '^xtcp_diag ' /proc/modules; }

cleanup() {
	unhold
	diag_loaded && rmmod xtcp_diag
	rm -rf "$W"
}

# The socket holder: python3, one end of a connection on PORT.
#   hold.py server PROTO PORT READY: listens on 10.99.0.1, accepts one,
#     sends 1500 bytes, never reads
#   hold.py client PROTO PORT READY [UDP]: connects (in UDP to the
#     server's port UDP if given), sends 777 bytes, never reads
# Once quiet, each writes its local port and its connection's TCP_INFO
# as ss's tokens to READY, and sleeps until killed.
write_holder() {
	cat >"$W/hold.py" <<'EOF'
import os, socket, struct, sys, time
role, proto, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = sys.argv[4]
if role == "server":
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("10.99.0.1", port))
    l.listen(8)
    s, _ = l.accept()
    s.sendall(b"y" * 1500)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    if len(sys.argv) > 5:	# XTCP_ENCAP_PORT: connect in UDP
        s.setsockopt(socket.IPPROTO_TCP, 200, int(sys.argv[5]))
    s.connect(("10.99.0.1", port))
    s.sendall(b"x" * 777)
time.sleep(1.5)
ti = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
u32 = lambda off: struct.unpack_from("I", ti, off)[0]
u64 = lambda off: struct.unpack_from("Q", ti, off)[0]
toks = [("mss", u32(16)), ("rcvmss", u32(20)), ("advmss", u32(84)),
        ("cwnd", u32(80)), ("bytes_sent", u64(200)), ("bytes_acked", u64(120)),
        ("bytes_received", u64(128)), ("segs_out", u32(136)),
        ("segs_in", u32(140)), ("data_segs_out", u32(156)),
        ("data_segs_in", u32(152))]
with open(out + ".tmp", "w") as f:
    f.write("%d %s\n" % (s.getsockname()[1],
            " ".join("%s:%d" % t for t in toks if t[1])))
os.rename(out + ".tmp", out)
time.sleep(600)
EOF
}

# hold PROTO PORT [UDP]: both ends (the client in UDP to port UDP if
# given), until READY.server and READY.client exist.
hold() {
	local i

	rm -f "$W"/READY.*
	ip netns exec xsrv python3 "$W/hold.py" server "$1" "$2" "$W/READY.server" &
	PIDS+=($!)
	for _ in $(seq 50); do
		ip netns exec xsrv "$SS" -p "$1" -lH | grep -q ":$2 " && break
		sleep 0.1
	done
	ip netns exec xcli python3 "$W/hold.py" client "$1" "$2" "$W/READY.client" ${3:+"$3"} &
	PIDS+=($!)
	for i in $(seq 100); do
		[[ -e $W/READY.server && -e $W/READY.client ]] && return 0
		sleep 0.1
	done
	echo "no connection on port $2 after $i tries"
	return 1
}

unhold() {
	local p

	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	PIDS=()
}

# The comparisons, in python: xtcp-ss's lines and /proc/net/xtcp's,
# TCP_INFO's tokens, ss's output.
write_checker() {
	cat >"$W/check.py" <<'EOF'
import re, socket, struct, subprocess, sys
NAMES = {1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1",
         5: "FIN-WAIT-2", 6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT",
         9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}

def addr(h):
    a, p = h.split(":")
    ip = socket.inet_ntoa(struct.pack("<I", int(a, 16)))
    p = int(p, 16)
    return "%s:%s" % (ip, p if p else "*")

def proc():
    rows = []
    for line in open("/proc/net/xtcp").readlines()[1:]:
        f = line.split()
        tx, rx = (int(x, 16) for x in f[4].split(":"))
        rows.append((NAMES[int(f[3], 16)], str(rx), str(tx), addr(f[1]),
                     addr(f[2]), "ino:" + f[9]))
    return sorted(rows)

def run(args):
    return subprocess.run(args, capture_output=True, text=True,
                          check=True).stdout

def xtcp_ss_rows():
    rows = []
    for line in run([sys.argv[2], "-taneH"]).splitlines():
        f = line.split()
        ino = [t for t in f if t.startswith("ino:")][0]
        rows.append((f[0], f[1], f[2], f[3], f[4], ino))
    return sorted(rows)

def cmd_proc():
    p, x = proc(), xtcp_ss_rows()
    for r in p:
        print("proc   ", " ".join(r))
    for r in x:
        print("xtcp-ss", " ".join(r))
    return p == x and len(p) > 0

# info SS READY: the TCP_INFO tokens are on the socket's -i line.
def cmd_info():
    port, toks = open(sys.argv[3]).read().split(None, 1)
    lines = run([sys.argv[2], "-tniH"]).splitlines()
    for i, line in enumerate(lines):
        f = line.split()
        if len(f) > 3 and f[3].endswith(":" + port):
            info = lines[i + 1].split()
            print("TCP_INFO:", toks.strip())
            print("xtcp-ss: ", " ".join(info))
            return all(t in info for t in toks.split())
    print("no socket on port", port)
    return False

# ss's output and ours as token lists, one per socket, with what moves
# with the clock set aside: lastsnd/lastrcv/lastack, a timer's time;
# and the algorithm-specific attributes xtcp-ss does not print (bbr:,
# dctcp:; the VM's TCP uses cubic, which has none).
def norm(out):
    socks, cur = [], None
    for line in out.splitlines():
        if line.startswith("State"):
            continue
        if not line.startswith("\t"):
            cur = []
            socks.append(cur)
        for t in line.split():
            if re.match(r"(lastsnd|lastrcv|lastack|bbr|dctcp):", t):
                continue
            cur.append(re.sub(r"^timer:\(([a-z]+),[^,]*,", r"timer:(\1,T,", t))
    return sorted(socks)

def cmd_ss():
    a = norm(run(["ss", "-4", "-tanieom"]))
    b = norm(run([sys.argv[2], "--proto", "6", "-tanieom"]))
    for s in a:
        print("ss     ", " ".join(s))
    for s in b:
        print("xtcp-ss", " ".join(s))
    return a == b and len(a) > 0

cmds = {"proc": cmd_proc, "info": cmd_info, "ss": cmd_ss}
sys.exit(0 if cmds[sys.argv[1]]() else 1)
EOF
}

check() { ip netns exec "$1" python3 "$W/check.py" "${@:2}"; }

load_diag() {
	insmod "$DIAG_KO" || return 1
	dmesg | tail -3 |
		grep "xtcp_diag: inet_diag handler for IP protocol $(cat /sys/module/xtcp/parameters/proto)"
}

run_prog() {	# run_prog ENV...: selftests/xtcp_diag, its output as is
	env "$@" "$T/xtcp_diag"
}

# Every xtcp socket of each netns, as /proc/net/xtcp has it.
ss_matches_proc() {
	hold 253 9501 || return 1
	check xsrv proc "$SS" || return 1
	check xcli proc "$SS"
}

# -i: the TCP_INFO fields each end read on its own socket.
ss_info_matches_tcp_info() {
	check xsrv info "$SS" "$W/READY.server" || return 1
	check xcli info "$SS" "$W/READY.client" || return 1
	ip netns exec xcli "$SS" -tnieomH | tee "$W/i.out"
	grep -q $'^\t skmem:(r[0-9]*,rb[0-9]*,t[0-9]*,tb[0-9]*,f[0-9]*,w[0-9]*,o[0-9]*,bl[0-9]*,d[0-9]*) ts sack cubic wscale:[0-9]*,[0-9]* rto:' \
		"$W/i.out"
}

ss_filters() {
	local out

	out=$(ip netns exec xsrv "$SS" -H state listening)
	echo "$out"
	[[ $(wc -l <<<"$out") == 1 && $out == LISTEN*10.99.0.1:9501* ]] || return 1
	out=$(ip netns exec xsrv "$SS" -lH)
	[[ $(wc -l <<<"$out") == 1 && $out == LISTEN* ]] || return 1
	out=$(ip netns exec xsrv "$SS" -aH sport = :9501)
	echo "$out"
	[[ $(wc -l <<<"$out") == 2 ]] || return 1
	out=$(ip netns exec xsrv "$SS" -aH sport = :9502)
	[[ -z $out ]] || return 1
	out=$(ip netns exec xsrv "$SS" -H state established)
	echo "$out"
	# The server's end: the client's 777 bytes unread, nothing unacked.
	[[ $(wc -l <<<"$out") == 1 && $out == "ESTAB      777    0 "* ]]
}

# -K in xcli: the client's socket goes, the server's end is reset.
ss_kill() {
	local out i

	out=$(ip netns exec xcli "$SS" -K dport = :9501)
	echo "$out"
	[[ $out == *ESTAB*10.99.0.1:9501* ]] || return 1
	[[ -z $(ip netns exec xcli "$SS" -aH) ]] || return 1
	for i in $(seq 50); do
		[[ -z $(ip netns exec xsrv "$SS" -H state established) ]] && return 0
		sleep 0.1
	done
	ip netns exec xsrv "$SS" -a
	return 1
}

# -i: udp_encap:PORT on both ends of a connection in UDP (module/udp.c):
# the server's port at the client, the client connection's own (not
# 9899) at the server; not on the listener.
ss_udp_encap() {
	local out rc=1 ns

	unhold
	for ns in xsrv xcli; do
		ip netns exec $ns sysctl -qw net.xtcp.udp_port=9899 || return 1
	done
	if hold 253 9503 9899; then
		out=$(ip netns exec xcli "$SS" -niH state established dport = :9503)
		echo "$out"
		if [[ $out == *" cubic udp_encap:9899 "* ]]; then
			# The server's peer: the client connection's own UDP port.
			out=$(ip netns exec xsrv "$SS" -niH state established sport = :9503)
			echo "$out"
			[[ $out =~ \ cubic\ udp_encap:([0-9]+)\  &&
			   ${BASH_REMATCH[1]} != 9899 ]] && rc=0
			out=$(ip netns exec xsrv "$SS" -niH state listening sport = :9503)
			echo "$out"
			[[ $out == *cubic* && $out != *udp_encap* ]] || rc=1
		fi
	fi
	unhold
	for ns in xsrv xcli; do
		ip netns exec $ns sysctl -qw net.xtcp.udp_port=0 || rc=1
	done
	return $rc
}

# Both families: an AF_INET6 listener on [::] with an IPv6 client and an
# IPv4 one.  xtcp-ss -6 shows them bracketed, the IPv4 one v4-mapped, as
# ss does; -4 shows neither.
ss_ipv6() {
	local proto out

	unhold
	proto=$(cat /sys/module/xtcp/parameters/proto) || return 1
	ip -n xsrv addr replace fd99::1/64 dev vs nodad || return 1
	ip -n xcli addr replace fd99::2/64 dev vc nodad || return 1
	ip netns exec xsrv python3 -c '
import socket, sys, time
l = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, int(sys.argv[1]))
l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
l.bind(("::", 9520))
l.listen(8)
c = [l.accept()[0] for _ in range(2)]
time.sleep(600)' "$proto" &
	PIDS+=($!)
	for _ in $(seq 50); do
		ip netns exec xsrv "$SS" -6 -lH | grep -q ":9520 " && break
		sleep 0.1
	done
	ip netns exec xcli python3 -c '
import socket, sys, time
p = int(sys.argv[1])
a = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, p)
a.connect(("fd99::1", 9520))
b = socket.socket(socket.AF_INET, socket.SOCK_STREAM, p)
b.connect(("10.99.0.1", 9520))
time.sleep(600)' "$proto" &
	PIDS+=($!)
	for _ in $(seq 50); do
		[[ $(ip netns exec xsrv "$SS" -6 -tnH | grep -c ':9520 ') == 2 ]] && break
		sleep 0.1
	done
	out=$(ip netns exec xsrv "$SS" -6 -tanH)
	echo "xtcp-ss -6 -tanH in xsrv:"
	echo "$out"
	grep -Eq '^LISTEN .* \*:9520 ' <<<"$out" || return 1
	grep -Eq '^ESTAB .* \[fd99::1\]:9520 +\[fd99::2\]:[0-9]+' <<<"$out" || return 1
	grep -Eq '^ESTAB .* \[::ffff:10\.99\.0\.1\]:9520 +\[::ffff:10\.99\.0\.2\]:[0-9]+' <<<"$out" ||
		return 1
	out=$(ip netns exec xsrv "$SS" -4 -tanH)
	echo "xtcp-ss -4 -tanH in xsrv:"
	echo "$out"
	! grep -q ':9520 ' <<<"$out"
}

ss_matches_tcp_ss() {
	unhold
	hold 6 9502 || return 1
	check xcli ss "$SS" || return 1
	check xsrv ss "$SS"
}

echo "TAP version 13"
if ! modprobe inet_diag 2>/dev/null && [[ ! -d /sys/module/inet_diag ]]; then
	skip "sock_diag for xtcp" "this kernel has no inet_diag (CONFIG_INET_DIAG)"
	echo "1..$n"
	exit 0
fi
if [[ ! -e $DIAG_KO ]]; then
	skip "sock_diag for xtcp" "$DIAG_KO is not built"
	echo "1..$n"
	exit 0
fi
mkdir -p "$W" || exit 1
trap cleanup EXIT
write_holder
write_checker

ok "xtcp_diag.ko loads, for xtcp's protocol number" load_diag
echo "# selftests/xtcp_diag"
run_prog || fails=$((fails + 1))
if modprobe tcp_diag; then
	echo "# XTCP_PROTO=6 selftests/xtcp_diag (kernel TCP, the reference)"
	run_prog XTCP_PROTO=6 || fails=$((fails + 1))
else
	skip "selftests/xtcp_diag over kernel TCP" "no tcp_diag"
fi
ok "xtcp-ss -tanie: the sockets and fields of /proc/net/xtcp, both netns" ss_matches_proc
ok "xtcp-ss -i: the TCP_INFO each socket reads, -m skmem, cubic" ss_info_matches_tcp_info
# What it looks like, for the log.
for ns in xsrv xcli; do
	echo "# ip netns exec $ns xtcp-ss -tanieom"
	ip netns exec $ns "$SS" -tanieom | sed 's/^/# /'
done
ok "xtcp-ss: state listening, -l, sport = :N, state established" ss_filters
ok "xtcp-ss -K: the client's socket is destroyed, the server's reset" ss_kill
ok "xtcp-ss -i: udp_encap:PORT for a connection in UDP, at both ends" ss_udp_encap
if [[ -e /proc/net/if_inet6 ]]; then
	ok "xtcp-ss -6: IPv6 and v4-mapped connections of a dual-stack listener; -4: neither" ss_ipv6
else
	skip "xtcp-ss -6" "no IPv6 in this kernel"
fi
ok "xtcp-ss --proto 6 -tanieom prints what ss -4 -tanieom prints (kernel TCP)" \
	ss_matches_tcp_ss
unhold
ok "rmmod xtcp_diag" rmmod xtcp_diag
echo "1..$n"
[[ $fails -eq 0 ]]
