#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/debug-kernel.sh [--cached | --dir]
#
# Builds the debug kernel of `make check-debug` once and prints the path of
# its build tree (the KDIR for out-of-tree modules; `vng -r` boots it).
# Debian's linux-source-6.1 tarball, configured as netdev CI configures its
# debug lane, fragments merged in this order, then `make olddefconfig`:
#   1. virtme-ng's minimal config (virtme-configkernel --defconfig);
#   2. the kernel's own kernel/configs/debug.config (KASAN, UBSAN, lockdep,
#      kmemleak, debug objects, hung-task and soft-lockup detectors, ...);
#   3. selftests/config, what the tests need, with =m made =y: the guest
#      loads no module but xtcp.ko;
#   4. scripts/debug.config, this lane's few changes to the above.
# Every CONFIG_X=y of the fragments is checked in the final .config,
# except where a later fragment sets it otherwise.
#
# The tree is cached outside the repository, in
#   ${XTCP_CACHE:-~/.cache/xtcp}/debug-kernel/linux-<source version>-<key>/
# where <key> hashes the fragments, virtme-ng's and gcc's versions and the
# source package's version: it is rebuilt only when one of them changes.
# An interrupted build resumes where it stopped.  The whole tree is kept
# (objects included) so that a resumed build is incremental.
#
# The build runs under `nice -n 19 make -j${XTCP_DEBUG_JOBS:-2}`, its output
# in <tree>/../build.log, never on the terminal.
#
#   --cached  exit 0 if the kernel for the current inputs is built, else 1
#   --dir     print the tree's path without building
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
FRAGMENT=$ROOT/scripts/debug.config
TESTS_CONFIG=$ROOT/selftests/config
KERNEL_DEBUG=kernel/configs/debug.config
SRC_PKG=linux-source-6.1
SRC_TAR=/usr/src/$SRC_PKG.tar.xz
CACHE=${XTCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xtcp}/debug-kernel
JOBS=${XTCP_DEBUG_JOBS:-2}
# Bump when this script changes what it builds.
RECIPE=2

die() { echo "debug-kernel.sh: error: $*" >&2; exit 1; }
say() { echo "debug-kernel.sh: $*" >&2; }

src_version() {
    dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null \
        || stat -c 'tar-%s-%Y' "$SRC_TAR"
}

# The cache directory for the current inputs.
cache_dir() {
    local ver vng key
    [[ -r $SRC_TAR ]] || die "$SRC_TAR missing (scripts/deps.sh installs $SRC_PKG)"
    ver=$(src_version)
    vng=$(vng --version 2>/dev/null) || die "vng not found; run scripts/deps.sh"
    key=$({
        echo "recipe $RECIPE"
        echo "source $ver"
        echo "$vng"
        gcc --version | head -n 1
        cat "$FRAGMENT" "$TESTS_CONFIG"
    } | sha256sum | cut -c1-12)
    echo "$CACHE/linux-$ver-$key"
}

# Runs a command with its output appended to the build log.
logged() {
    echo "+ $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1 || { tail -n 40 "$LOG" >&2; die "'$*' failed (full log: $LOG)"; }
}

extract() {
    say "extracting $SRC_TAR into $DIR"
    rm -rf "$TREE"
    mkdir -p "$TREE"
    logged tar -xJf "$SRC_TAR" -C "$TREE" --strip-components=1
    touch "$DIR/.extracted"
}

# The merged fragment: every fragment after the defconfig, in order.
merged_fragment() {
    cat "$TREE/$KERNEL_DEBUG"
    sed 's/=m$/=y/' "$TESTS_CONFIG"
    cat "$FRAGMENT"
}

# Every option the merged fragment ends with as =y must be =y in the final
# .config; one it ends with as "is not set" should be off.  The kernel's
# own debug.config names a few options 6.1 no longer has (or only under
# options it does not set): those are noted, not required.
verify_config() {
    local opt want missing=()
    declare -A last=() ours=()
    while read -r opt want; do
        last[$opt]=$want
    done < <(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1 \2/p' \
                    -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 n/p' \
                    "$DIR/merged.config")
    while read -r opt; do
        ours[$opt]=1
    done < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*$/\1/p' "$TESTS_CONFIG" "$FRAGMENT")
    for opt in "${!last[@]}"; do
        case ${last[$opt]} in
        y)
            if grep -qx "$opt=y" "$TREE/.config"; then
                :
            elif [[ ${ours[$opt]:-} ]]; then
                missing+=("$opt")
            else
                say "note: $opt (from $KERNEL_DEBUG) is not set in 6.1's .config"
            fi ;;
        n)
            if grep -qE "^$opt=[ym]$" "$TREE/.config"; then
                say "note: $opt is still enabled (selected by another option)"
            fi ;;
        esac
    done
    if ((${#missing[@]})); then
        echo "debug-kernel.sh: required options not set in $TREE/.config:" >&2
        for opt in "${missing[@]}"; do
            echo "  $opt=y wanted, got: $(grep -E "^(# )?${opt}[= ]" "$TREE/.config" || echo absent)" >&2
        done
        die "kernel config incomplete (a dependency missing from $FRAGMENT?)"
    fi
}

configure() {
    say "configuring (virtme-configkernel --defconfig + $KERNEL_DEBUG + selftests/config + scripts/debug.config)"
    rm -f "$TREE/.config"
    [[ -r $TREE/$KERNEL_DEBUG ]] || die "$KERNEL_DEBUG missing from $SRC_TAR"
    merged_fragment >"$DIR/merged.config"
    (cd "$TREE" && logged virtme-configkernel --defconfig)
    (cd "$TREE" && logged scripts/kconfig/merge_config.sh -m .config "$DIR/merged.config")
    logged make -C "$TREE" olddefconfig
    verify_config
    touch "$DIR/.configured"
}

build() {
    local start=$SECONDS
    say "building with nice -n 19 make -j$JOBS (log: $LOG); this takes a while"
    logged nice -n 19 make -C "$TREE" -j"$JOBS" all
    verify_config
    [[ -f $TREE/arch/x86/boot/bzImage && -f $TREE/Module.symvers ]] \
        || die "build finished without bzImage or Module.symvers"
    echo $((SECONDS - start)) >"$DIR/build-seconds"
    say "built $(<"$TREE/include/config/kernel.release") in $((SECONDS - start))s"
    touch "$DIR/.built"
}

main() {
    DIR=$(cache_dir)
    TREE=$DIR/linux
    LOG=$DIR/build.log
    case ${1:-} in
        --dir) echo "$TREE"; return 0 ;;
        --cached) if [[ -f $DIR/.built ]]; then return 0; fi; return 1 ;;
        '') ;;
        *) die "usage: $0 [--cached | --dir]" ;;
    esac
    mkdir -p "$DIR"
    # One builder per tree; a second caller waits and then finds it built.
    exec 8>"$DIR/.lock"
    flock -n 8 || { say "waiting for another build of $DIR"; flock 8; }
    if [[ ! -f $DIR/.built ]]; then
        echo "=== $(date -Is) build of $DIR" >>"$LOG"
        [[ -f $DIR/.extracted ]] || extract
        [[ -f $DIR/.configured ]] || configure
        build
    fi
    echo "$TREE"
}

main "$@"
