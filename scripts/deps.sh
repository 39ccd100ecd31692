#!/usr/bin/env bash
# Install everything needed to build xtcp and test it in a virtme-ng VM.
# Idempotent and silent when all is present; one short line per action taken.
#   scripts/deps.sh          install missing packages, then verify
#   scripts/deps.sh --kver   print the Debian 6.1 kernel release to target
#   scripts/deps.sh --debug  also what building a kernel needs (make check-debug)
set -euo pipefail

# busybox-static and file are used by virtme-ng itself (guest initramfs,
# kernel version probe); iputils-ping, tcpdump, tshark, ethtool by the guest
# tests.
APT_PKGS=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-source-6.1
          busybox-static file iproute2 iputils-ping kmod tcpdump tshark xz-utils make gcc
          ethtool dkms)   # dkms: make check-install
# The unmodified programs of selftests/xtcp_apps.sh, which the guest runs
# from this machine's root: the servers, their clients, ab (apache2-utils),
# jq (iperf3's JSON).  Installed with a policy-rc.d that keeps Debian from
# starting them on this machine (install_apt()).
APT_PKGS+=(nginx curl wget iperf3 redis-server redis-tools openssh-server openssh-client
           apache2-utils jq)
# selftests/xtcp_encap: its NAT (masquerade) and firewall hosts.
APT_PKGS+=(nftables)
# tools/xtcp-bridge: a BPF program (clang) with its libbpf skeleton (bpftool).
APT_PKGS+=(clang libbpf-dev bpftool)
# The xtcp:* tracepoints read through perf and bpftrace in the guest
# (docs/tracepoints.md; selftests/xtcp_trace with XTCP_TRACE_TOOLS=1).
APT_PKGS+=(linux-perf bpftrace)
# Building the debug kernel of `make check-debug` (scripts/debug-kernel.sh).
KBUILD_PKGS=(bc bison flex libelf-dev libssl-dev)
VNG_PIN=${VNG_PIN:-virtme-ng==1.42}   # pinned: vm-run.sh relies on its flags
LOG=/tmp/xtcp-deps.log                # full tool output, shown only on failure

die() { echo "deps.sh: error: $*" >&2; exit 1; }
say() { echo "deps.sh: $*"; }

# Installed Debian 6.1 kernel releases, newest first.
kernels() {
    local f
    for f in /boot/vmlinuz-6.1.*-amd64; do
        if [[ -e $f ]]; then echo "${f#/boot/vmlinuz-}"; fi
    done | sort -rV
}

# Newest installed Debian 6.1 kernel whose headers (build dir) are present.
target_kver() {
    local kver
    for kver in $(kernels); do
        [[ -d /lib/modules/$kver/build ]] && { echo "$kver"; return 0; }
    done
    return 1
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

have_pip() { python3 -m pip --version >/dev/null 2>&1; }

install_apt() {
    local missing=() p
    for p in "${APT_PKGS[@]}"; do installed "$p" || missing+=("$p"); done
    have_pip || installed python3-pip || missing+=(python3-pip)
    ((${#missing[@]})) || return 0
    export DEBIAN_FRONTEND=noninteractive
    # tshark would otherwise ask whether non-root users may capture.
    echo 'wireshark-common wireshark-common/install-setuid boolean false' \
        | debconf-set-selections
    say "apt-get update"
    apt-get update -qq >"$LOG" 2>&1 || { cat "$LOG" >&2; die "apt-get update failed"; }
    say "apt-get install ${missing[*]}"
    # No service starts here (nginx, sshd, redis): the tests run them in
    # the VM.  Only if no policy-rc.d is there already, and removed after.
    local policy=/usr/sbin/policy-rc.d ours=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && ours=1
    fi
    local rc=0
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG" 2>&1 || rc=$?
    ((ours)) && rm -f "$policy"
    ((rc == 0)) || { tail -n 30 "$LOG" >&2; die "apt-get install failed (full log: $LOG)"; }
}

install_vng() {
    command -v vng >/dev/null && return 0
    have_pip || die "python3 has no pip"
    local flags=(-q --disable-pip-version-check --root-user-action=ignore)
    # Debian's own python refuses pip installs unless told otherwise (PEP 668);
    # pyenv's python has no EXTERNALLY-MANAGED marker and needs no flag.
    python3 -c 'import sys,sysconfig,os; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"),"EXTERNALLY-MANAGED")))' \
        && flags+=(--break-system-packages)
    say "pip install $VNG_PIN"
    python3 -m pip install "${flags[@]}" "$VNG_PIN" >"$LOG" 2>&1 \
        || { tail -n 20 "$LOG" >&2; die "pip install $VNG_PIN failed (full log: $LOG)"; }
    # pyenv only exposes new entry points after a rehash.
    if command -v pyenv >/dev/null; then pyenv rehash; fi
    command -v vng >/dev/null || die "vng installed but not on PATH ($(python3 -m site --user-base)/bin?)"
}

verify() {
    local t newest
    for t in qemu-system-x86_64 busybox ip tc ping modprobe tcpdump tshark make gcc vng timeout; do
        command -v "$t" >/dev/null || die "'$t' not found on PATH after install"
    done
    # The newest installed 6.1 image is what a fresh machine boots in the VM,
    # so its headers must be there (the two metapackages move in lockstep).
    newest=$(kernels | sed -n 1p)
    [[ -n $newest ]] || die "no /boot/vmlinuz-6.1.*-amd64 installed"
    [[ -d /lib/modules/$newest/build ]] \
        || die "/lib/modules/$newest/build missing: apt-get install linux-headers-$newest"
}

main() {
    if [[ ${1:-} == --kver ]]; then
        target_kver || die "no Debian 6.1 kernel with headers installed (run scripts/deps.sh)"
        return 0
    fi
    if [[ ${1:-} == --debug ]]; then
        APT_PKGS+=("${KBUILD_PKGS[@]}")
        shift
    fi
    [[ $# -eq 0 ]] || die "usage: $0 [--kver | --debug]"
    [[ $(id -u) -eq 0 ]] || die "must run as root (apt-get)"
    install_apt
    install_vng
    verify
}

main "$@"
