#!/usr/bin/env bash
# Usage: scripts/vm-run.sh GUEST_SCRIPT [ARGS...]
#
# Boots the Debian 6.1 kernel (scripts/deps.sh --kver) once with virtme-ng,
# runs GUEST_SCRIPT ARGS as root in the guest with cwd = repo root (stdout and
# stderr merged, streamed to our stdout), then fails unless the script exited 0
# and the guest kernel log is free of warnings/bugs.
#
# Env: VM_MEM (2G)  VM_CPUS (2)  VM_TIMEOUT (1800 s, all boots and the run)
#      VM_BOOT_TIMEOUT  seconds for the guest to reach GUEST_SCRIPT (300; 900
#                    with XTCP_KERNEL, whose debug guest takes 2-7 minutes);
#                    past it the boot is retried
#      VM_BOOT_TRIES     boots tried (2); a boot whose kernel logged a report
#                    (BAD_RE) before GUEST_SCRIPT ran counts as failed
#      VM_DMESG_OUT  save the full guest dmesg there
#      VM_APPEND     more kernel command-line parameters
#      XTCP_VM_KVM   1 force KVM, 0 force TCG; unset: probe (cached per boot in /tmp)
#      VM_LOG_IGNORE ERE; kernel log lines matching it are not counted as bad
#      XTCP_KO       the module the guest loads, for decoding a report's frames
#      XTCP_KERNEL   boot this kernel instead: a kernel build tree or the
#                    bzImage in one (vng then gives the guest the tree's
#                    modules.builtin, so modprobe of a built-in works)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VM_MEM=${VM_MEM:-2G}
VM_CPUS=${VM_CPUS:-2}
VM_TIMEOUT=${VM_TIMEOUT:-1800}
VM_BOOT_TRIES=${VM_BOOT_TRIES:-2}
# Kernel log lines that mean the run is broken (matched as whole words, so
# DEBUG or "loading out-of-tree module taints kernel" do not count).
BAD_RE='WARNING|BUG|Oops|KASAN|lockdep|kmemleak|refcount_t|refcount'
BAD_RE+='|general protection fault|Kernel panic|Call Trace|blocked for more than|detected stalls|UBSAN'

die() { echo "vm-run.sh: error: $*" >&2; exit 1; }
say() { echo "vm-run.sh: $*"; }

# KVM only when it demonstrably boots a guest: on some hosts /dev/kvm exists
# but QEMU aborts ("failed to set MSR 0x10a") or hangs, so try a trivial run.
kvm_usable() {
    case ${XTCP_VM_KVM:-} in
        1) return 0 ;; 0) return 1 ;; '') ;; *) die "XTCP_VM_KVM must be 0 or 1" ;;
    esac
    [[ -r /dev/kvm && -w /dev/kvm ]] || return 1
    local cache out
    cache=/tmp/xtcp-kvm-ok.$(cat /proc/sys/kernel/random/boot_id).$KVER
    if [[ ! -f $cache ]]; then
        out=$(timeout -k 5 60 vng -r "$KERNEL" --force-9p --memory 512M -- echo xtcp-kvm-ok \
              </dev/null 2>&1) || true
        [[ $out == *xtcp-kvm-ok* ]] && echo 1 >"$cache.$$" || echo 0 >"$cache.$$"
        mv -f "$cache.$$" "$cache"
        [[ $(<"$cache") == 1 ]] || say "KVM probe failed (${out##*$'\n'}); using TCG"
    fi
    [[ $(<"$cache") == 1 ]]
}

# The script that runs inside the guest. $WORK is shared read-write (--rwdir);
# everything else of the host is visible read-only (overlays on /tmp etc.).
write_guest_wrapper() {
    local cmd
    # Resolve a script path against the caller's cwd, as a shell would.
    if [[ -f $1 ]]; then
        set -- "$(realpath "$1")" "${@:2}"
        [[ -x $1 ]] || set -- bash "$@"
    fi
    cmd=$(printf '%q ' "$@")
    cat >"$WORK/guest.sh" <<EOF
out=$(printf %q "$WORK")
# A report the kernel logged while booting, before GUEST_SCRIPT (and so
# before xtcp) ran: not ours, but the boot is not clean; the host boots
# again.
dmesg >"\$out/boot_dmesg"
if grep -Ew -- $(printf %q "$BAD_RE") "\$out/boot_dmesg" | grep -v 'virtme-ng-init: ' |
        grep -Ev -- $(printf %q "${VM_LOG_IGNORE:-^\$}") | grep -q .; then
    touch "\$out/boot_bad"
    exit 0
fi
cut -d' ' -f1 /proc/uptime >"\$out/boot_s"
# ip netns add needs a writable /run/netns; tests need a writable /tmp.
for d in /run/netns /tmp; do
    { mkdir -p \$d && touch \$d/.xtcp-w && rm -f \$d/.xtcp-w; } 2>/dev/null \\
        || mount -t tmpfs -o mode=1777 xtcp-\${d##*/} \$d
done
cd $(printf %q "$ROOT") && $cmd </dev/null 2>&1
rc=\$?
dmesg >"\$out/dmesg"
echo \$rc >"\$out/rc"
EOF
}

# One boot. Our output goes through a FIFO on purpose: QEMU reopens
# /proc/self/fd/1 with O_TRUNC, which would clobber a redirected log file.
# The guest's kernel console (-v) goes to console.log for crash diagnosis.
# A guest that has not started its script (guest.sh writes boot_s first)
# within VM_BOOT_TIMEOUT is killed: sets VNG_RC, and BOOTED=0 or 1.
boot_once() {
    local pid deadline i
    rm -f "$WORK/out.fifo" "$WORK/boot_s" "$WORK/boot_bad" "$WORK/rc" "$WORK/dmesg"
    mkfifo "$WORK/out.fifo"
    cat "$WORK/out.fifo" &
    local cat_pid=$!
    # setsid: the whole QEMU tree is one process group, killed as one.
    (cd "$ROOT" && exec setsid timeout -k 10 "$VM_LEFT" \
        vng -r "$KERNEL" "${ACCEL[@]}" -v --user root --memory "$VM_MEM" --cpus "$VM_CPUS" \
            --force-9p --rwdir="$WORK" --append "log_buf_len=16M${VM_APPEND:+ $VM_APPEND}" -- bash "$WORK/guest.sh" \
            </dev/null >"$WORK/out.fifo" 2>"$WORK/console.log") &
    pid=$!
    deadline=$((SECONDS + VM_BOOT_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && [[ ! -e $WORK/boot_s ]]; do
        if ((SECONDS >= deadline)); then
            kill -TERM -- "-$pid" 2>/dev/null || true
            sleep 5
            kill -KILL -- "-$pid" 2>/dev/null || true
            break
        fi
        sleep 1
    done
    set +e
    wait "$pid"
    VNG_RC=$?
    # cat ends when the last writer closes the FIFO; a stray one must not
    # keep us here.
    for ((i = 0; i < 10; i++)); do
        kill -0 "$cat_pid" 2>/dev/null || break
        sleep 1
    done
    kill "$cat_pid" 2>/dev/null
    wait "$cat_pid"
    set -e
    BOOTED=0
    [[ -e $WORK/boot_s ]] && BOOTED=1
    return 0
}

# Boots until the guest reaches its script, up to VM_BOOT_TRIES times:
# under TCG a guest now and then hangs in early boot, with no fault of
# ours (seen in CI: the console stopped at 1.5 s for 30 minutes).
run_vm() {
    local mode=TCG try
    VM_LEFT=$VM_TIMEOUT VNG_RC=0
    ACCEL=(--disable-kvm)
    if kvm_usable; then ACCEL=() mode=KVM; fi
    for ((try = 1; try <= VM_BOOT_TRIES; try++)); do
        # A boot tried again gets what is left of VM_TIMEOUT.
        VM_LEFT=$((VM_TIMEOUT - (SECONDS - T0)))
        if ((VM_LEFT < 60)); then
            echo "vm-run.sh: ${VM_LEFT}s left of VM_TIMEOUT; no boot tried" >&2
            break
        fi
        say "booting $KVER ($mode, $VM_CPUS cpus, $VM_MEM), timeout ${VM_LEFT}s" \
            "(boot ${VM_BOOT_TIMEOUT}s, try $try of $VM_BOOT_TRIES)"
        boot_once
        ((BOOTED)) && return 0
        if [[ -e $WORK/boot_bad ]]; then
            echo "vm-run.sh: the guest kernel logged a report while booting," \
                "before the script ran (so before xtcp was loaded):" >&2
            grep -Ew -m1 -B2 -A40 -- "$BAD_RE" "$WORK/boot_dmesg" >&2
            cp "$WORK/boot_dmesg" "$WORK/boot_dmesg.try$try"
            continue
        fi
        echo "vm-run.sh: the guest did not reach its script within ${VM_BOOT_TIMEOUT}s" \
            "(vng exit $VNG_RC); console tail:" >&2
        tail -n 20 "$WORK/console.log" >&2
        cp "$WORK/console.log" "$WORK/console.try$try.log"
    done
    return 0
}

# Prints matching lines of a kernel log; true if there were none.
log_clean() {
    local hits
    # virtme-ng-init logs its own userspace hiccups (e.g. no systemd-tmpfiles
    # on a minimal host) to kmsg as "WARNING"; those are not kernel problems.
    hits=$(grep -Ew -- "$BAD_RE" "$1" | grep -v 'virtme-ng-init: ' || true)
    if [[ -n $hits && -n ${VM_LOG_IGNORE:-} ]]; then
        hits=$(grep -Ev -- "$VM_LOG_IGNORE" <<<"$hits" || true)
    fi
    [[ -z $hits ]] && return 0
    echo "vm-run.sh: kernel log check FAILED; offending lines:" >&2
    printf '%s\n' "$hits" >&2
    # The whole first report, for diagnosis (lockdep's runs to ~60 lines).
    echo "vm-run.sh: the first report in full:" >&2
    grep -Fx -m1 -A80 -- "$(head -n1 <<<"$hits")" "$1" >"$WORK/report" || true
    cat "$WORK/report" >&2
    decode_report "$WORK/report" >&2 || true
    return 1
}

# The report's stack frames as source lines: the kernel's
# decode_stacktrace.sh (from Debian's linux-source-6.1, taken out at
# first use into build/), given the module that ran (XTCP_KO, built with
# debug info) and, for XTCP_KERNEL, its vmlinux.  The Debian kernel's
# own frames stay as they are: its vmlinux with debug info is not
# installed.
decode_report() {
    local ds=$ROOT/build/decode/scripts/decode_stacktrace.sh
    local ko=${XTCP_KO:-$ROOT/xtcp.ko} vmlinux=/nonexistent
    grep -q '\[xtcp' "$1" || [[ -n ${XTCP_KERNEL:-} ]] || return 0
    if [[ ! -x $ds ]]; then
        mkdir -p "$ROOT/build/decode"
        tar -xJf "${KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}" \
            -C "$ROOT/build/decode" --strip-components=1 \
            linux-source-6.1/scripts/decode_stacktrace.sh || return 1
    fi
    [[ -n ${XTCP_KERNEL:-} && -r ${KERNEL%/arch/x86/boot/bzImage}/vmlinux ]] &&
        vmlinux=${KERNEL%/arch/x86/boot/bzImage}/vmlinux
    echo "vm-run.sh: the report decoded (scripts/decode_stacktrace.sh):"
    "$ds" "$vmlinux" "$ROOT" "$(dirname "$(realpath "$ko")")" <"$1" 2>/dev/null
}

check_results() {
    local rc
    if [[ -e $WORK/boot_bad ]]; then
        die "the guest kernel logged a report while booting, on every boot tried"
    fi
    if [[ ! -s $WORK/rc ]]; then
        ((VNG_RC == 124 || VNG_RC == 137)) && echo "vm-run.sh: VM timed out after ${VM_LEFT}s" >&2
        echo "vm-run.sh: guest exit code not retrieved (vng exit $VNG_RC); console tail:" >&2
        tail -n 60 "$WORK/console.log" >&2
        [[ -n ${VM_DMESG_OUT:-} ]] && cp "$WORK/console.log" "$VM_DMESG_OUT"
        log_clean "$WORK/console.log" || true
        exit 1
    fi
    [[ -n ${VM_DMESG_OUT:-} ]] && cp "$WORK/dmesg" "$VM_DMESG_OUT"
    rc=$(<"$WORK/rc")
    say "guest booted in $(<"$WORK/boot_s")s, run took $((SECONDS - T0))s; guest script exit code $rc"
    local clean=0
    log_clean "$WORK/dmesg" && say "kernel log clean" || clean=1
    ((rc == 0)) || die "guest script failed with exit code $rc"
    ((clean == 0)) || die "guest kernel log has warnings/bugs"
}

# The release of an XTCP_KERNEL, from its build tree.
kernel_release() {
    local tree=$1
    [[ -e $tree ]] || die "XTCP_KERNEL: $tree does not exist"
    [[ -d $tree ]] || tree=${tree%/arch/x86/boot/bzImage}
    [[ -r $tree/include/config/kernel.release ]] \
        || die "XTCP_KERNEL: $1 is not a kernel build tree or its arch/x86/boot/bzImage"
    cat "$tree/include/config/kernel.release"
}

main() {
    (($#)) || die "usage: $0 GUEST_SCRIPT [ARGS...]"
    command -v vng >/dev/null || die "vng not found; run scripts/deps.sh"
    if [[ -n ${XTCP_KERNEL:-} ]]; then
        KERNEL=$(realpath "$XTCP_KERNEL")
        KVER=$(kernel_release "$KERNEL")
        VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-900}
    else
        KVER=$("$ROOT/scripts/deps.sh" --kver) || exit 1
        KERNEL=/boot/vmlinuz-$KVER
    fi
    VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-300}
    WORK=$(mktemp -d /tmp/xtcp-vm.XXXXXX)
    trap 'rm -rf "$WORK"' EXIT
    # One VM at a time on this machine: timing tests under TCG need the CPUs.
    exec 9>"${VM_LOCK:-/tmp/xtcp-vm.lock}"
    flock -n 9 || { say "waiting for another xtcp VM run to finish"; flock 9; }
    T0=$SECONDS
    write_guest_wrapper "$@"
    run_vm
    check_results
}

main "$@"
