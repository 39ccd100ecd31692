#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified programs with xtcp at one end and the kernel's TCP at the
# other, through tools/xtcp-bridge on the client netns' veth (vc):
#   - nginx under xtcpize in xcli (xtcp, port 41080, bridged), fetched by
#     curl and by wget in xsrv on kernel TCP;
#   - curl under xtcpize in xcli (xtcp, local ports 40100-40199, bridged)
#     fetching from nginx on kernel TCP in xsrv.
# Files compared by SHA-256; xtcp's own counters in xcli must show the
# connections were xtcp's, and the bridge's that it rewrote both ways
# without an error.  Run by selftests/run.sh with the module loaded and
# the topology up; prints TAP lines, exits non-zero on a failure.
set -u
cd "$(dirname "$0")/.." || exit 1
XTCPIZE=${XTCPIZE:-tools/xtcpize/xtcpize}
BRIDGE=tools/xtcp-bridge/xtcp-bridge
W=$(mktemp -d /tmp/xtcp-iapps.XXXXXX)
# shellcheck source=selftests/tap.sh
. selftests/tap.sh
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null
	done
	sleep 0.5
	for p in "${PIDS[@]}"; do
		kill -KILL -- "-$p" 2>/dev/null
	done
	ip netns exec xcli $BRIDGE detach vc 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# nginx_conf DIR ADDR PORT: a configuration with every path in DIR.
nginx_conf() {
	mkdir -p "$1/www" "$1/tmp"
	cat >"$1/nginx.conf" <<EOF
daemon off;
worker_processes 1;
user root;
pid $1/nginx.pid;
error_log $1/error.log notice;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $1/tmp/body;
	proxy_temp_path $1/tmp/proxy;
	fastcgi_temp_path $1/tmp/fastcgi;
	uwsgi_temp_path $1/tmp/uwsgi;
	scgi_temp_path $1/tmp/scgi;
	default_type application/octet-stream;
	sendfile on;
	tcp_nopush on;
	server { listen $2:$3; root $1/www; }
}
EOF
	cp "$W/file.bin" "$1/www/file.bin"
}

# wait_port NS PORT: until something listens there (TCP or xtcp), 20 s.
wait_port() {
	local hex
	hex=$(printf '%04X' "$2")
	for _ in $(seq 1 80); do
		ip netns exec "$1" cat /proc/net/tcp /proc/net/xtcp 2>/dev/null |
			awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A"' | grep -q . && return 0
		sleep 0.25
	done
	return 1
}

xstat() { ip netns exec xcli awk -v k="$1" '$1 == k { print $2 }' /proc/net/xtcp_stat; }
bstat() { ip netns exec xcli $BRIDGE show vc | awk -v k="$1" '$1 == k { print $2 }'; }

same_sha() {
	local a b
	a=$(sha256sum <"$1" | cut -d' ' -f1)
	b=$(sha256sum <"$2" | cut -d' ' -f1)
	[ "$a" = "$b" ] || { echo "sha256 differs: $a (sent) $b (received)"; return 1; }
}

bridge_up() {
	ip netns exec xcli $BRIDGE attach vc --ports 40100-40199,41080
}

xtcp_nginx_start() {
	nginx_conf "$W/xn" 10.99.0.2 41080
	setsid ip netns exec xcli "$XTCPIZE" run nginx -e "$W/xn/error.log" \
		-p "$W/xn" -c "$W/xn/nginx.conf" >"$W/xn.log" 2>&1 </dev/null &
	PIDS+=($!)
	wait_port xcli 41080 || { cat "$W/xn.log" "$W/xn/error.log"; return 1; }
	# Listening as xtcp, not TCP.
	ip netns exec xcli awk '$2 ~ /:A078$/ && $4 == "0A"' /proc/net/xtcp | grep -q . ||
		{ echo "nginx does not listen on xtcp"; return 1; }
}

tcp_curl_from_xtcp_nginx() {
	local p0
	p0=$(xstat PassiveOpens)
	timeout 120 ip netns exec xsrv curl -sS -o "$W/c1.bin" http://10.99.0.2:41080/file.bin ||
		{ tail -5 "$W/xn/error.log"; return 1; }
	same_sha "$W/file.bin" "$W/c1.bin" || return 1
	[ "$(xstat PassiveOpens)" -gt "$p0" ] || { echo "no xtcp connection was accepted"; return 1; }
}

tcp_wget_from_xtcp_nginx() {
	timeout 120 ip netns exec xsrv wget -q --no-hsts --tries=1 --timeout=30 \
		-O "$W/w1.bin" http://10.99.0.2:41080/file.bin ||
		{ tail -5 "$W/xn/error.log"; return 1; }
	same_sha "$W/file.bin" "$W/w1.bin"
}

tcp_nginx_start() {
	nginx_conf "$W/tn" 10.99.0.1 8080
	setsid ip netns exec xsrv nginx -e "$W/tn/error.log" -p "$W/tn" \
		-c "$W/tn/nginx.conf" >"$W/tn.log" 2>&1 </dev/null &
	PIDS+=($!)
	wait_port xsrv 8080 || { cat "$W/tn.log" "$W/tn/error.log"; return 1; }
}

xtcp_curl_from_tcp_nginx() {
	local a0
	a0=$(xstat ActiveOpens)
	timeout 120 ip netns exec xcli "$XTCPIZE" run curl -sS --local-port 40100-40199 \
		-o "$W/c2.bin" http://10.99.0.1:8080/file.bin || return 1
	same_sha "$W/file.bin" "$W/c2.bin" || return 1
	[ "$(xstat ActiveOpens)" -gt "$a0" ] || { echo "curl made no xtcp connection"; return 1; }
}

bridge_counted() {
	ip netns exec xcli $BRIDGE show vc
	[ "$(bstat egress_rewritten)" -gt 0 ] && [ "$(bstat ingress_rewritten)" -gt 0 ] &&
		[ "$(bstat errors)" = 0 ] && [ "$(bstat egress_gso_dropped)" = 0 ]
}

# The bridge needs the clsact qdisc (CONFIG_NET_SCH_INGRESS), which the
# debug lane's kernel lacks: probed in a scratch netns, so that the
# bridge's own failures still fail.
ip netns add xtcp-clsact-probe
if ! ip netns exec xtcp-clsact-probe tc qdisc add dev lo clsact 2>/dev/null; then
	ip netns del xtcp-clsact-probe
	skip "xtcp_interop_apps.sh" "the kernel has no clsact qdisc (CONFIG_NET_SCH_INGRESS)"
	echo "1..$n"
	exit 0
fi
ip netns del xtcp-clsact-probe

head -c 20M /dev/urandom >"$W/file.bin"
ok "xtcp-bridge attached to vc (ports 40100-40199, 41080)" bridge_up
ok "nginx under xtcpize listens on xtcp" xtcp_nginx_start
ok "curl on kernel TCP fetches 20 MB from nginx on xtcp (sha256)" tcp_curl_from_xtcp_nginx
ok "wget on kernel TCP fetches 20 MB from nginx on xtcp (sha256)" tcp_wget_from_xtcp_nginx
ok "nginx on kernel TCP listens" tcp_nginx_start
ok "curl under xtcpize fetches 20 MB from nginx on kernel TCP (sha256)" xtcp_curl_from_tcp_nginx
ok "the bridge rewrote both ways, no error, no GSO skb dropped" bridge_counted
[ $fails -eq 0 ]
