#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` and `make uninstall`: put in place what `make` built, or
# take exactly that away again.  Never builds anything: a file that is
# not built fails the install with a message saying so.
#
#   xtcp.ko                      /lib/modules/KVER/updates/xtcp.ko, then depmod -a KVER
#   xtcp_diag.ko                 /lib/modules/KVER/updates/xtcp_diag.ko
#   xtcp_bbr.ko                  /lib/modules/KVER/updates/xtcp_bbr.ko
#   include/uapi/linux/xtcp.h    INCLUDEDIR/linux/xtcp.h
#   tools/xtcpize/xtcpize        BINDIR/xtcpize
#   tools/xtcpize/libxtcpize.so  XTCPIZE_LIBDIR/libxtcpize.so
#   tools/xtcp-bridge/xtcp-bridge  BINDIR/xtcp-bridge
#   tools/xtcp-nstat/xtcp-nstat  BINDIR/xtcp-nstat (a script: never built)
#   tools/xtcp-ss/xtcp-ss        BINDIR/xtcp-ss
#   docs/man/xtcp.7              MANDIR/man7/xtcp.7
#   docs/man/xtcpize.8           MANDIR/man8/xtcpize.8
#
# usage: scripts/install.sh install|uninstall
# Env (the Makefile passes them all):
#   KVER     kernel release; empty: the one xtcp.ko was built for
#   DESTDIR  stage everything below this directory; depmod is then not
#            run, as kernel packaging does (the package's scripts run it)
#   BINDIR XTCPIZE_LIBDIR MANDIR INCLUDEDIR  (PREFIX=/usr/local based)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PATH=$PATH:/usr/sbin:/sbin
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
XTCPIZE_LIBDIR=${XTCPIZE_LIBDIR:-$PREFIX/lib/xtcpize}
MANDIR=${MANDIR:-$PREFIX/share/man}
INCLUDEDIR=${INCLUDEDIR:-/usr/include}

die() { echo "make $action: $*" >&2; exit 1; }

# The kernel release xtcp.ko was built for (its vermagic's first word).
built_for() { modinfo -F vermagic xtcp.ko | cut -d' ' -f1; }

# KVER as given, else the one xtcp.ko was built for; an xtcp.ko built
# for another kernel is never installed.
set_kver() {
	local built=""

	if [[ -f xtcp.ko ]]; then
		built=$(built_for) || die "cannot read xtcp.ko's vermagic (modinfo)"
	elif [[ $action == install ]]; then
		die "xtcp.ko is not built; run make first (make install never builds)"
	fi
	KVER=${KVER:-$built}
	[[ -n $KVER ]] || die "no kernel release: give KVER="
	if [[ $action == install && $built != "$KVER" ]]; then
		die "xtcp.ko was built for $built, not KVER=$KVER (make install KVER=$built, or rebuild)"
	fi
}

# "source destination mode", one file a line.
files() {
	cat <<EOF
xtcp.ko /lib/modules/$KVER/updates/xtcp.ko 644
xtcp_diag.ko /lib/modules/$KVER/updates/xtcp_diag.ko 644
xtcp_bbr.ko /lib/modules/$KVER/updates/xtcp_bbr.ko 644
include/uapi/linux/xtcp.h $INCLUDEDIR/linux/xtcp.h 644
tools/xtcpize/xtcpize $BINDIR/xtcpize 755
tools/xtcpize/libxtcpize.so $XTCPIZE_LIBDIR/libxtcpize.so 644
tools/xtcp-bridge/xtcp-bridge $BINDIR/xtcp-bridge 755
tools/xtcp-nstat/xtcp-nstat $BINDIR/xtcp-nstat 755
tools/xtcp-ss/xtcp-ss $BINDIR/xtcp-ss 755
docs/man/xtcp.7 $MANDIR/man7/xtcp.7 644
docs/man/xtcpize.8 $MANDIR/man8/xtcpize.8 644
EOF
}

run_depmod() {
	if [[ -n $DESTDIR ]]; then
		echo "DESTDIR set: not running depmod -a $KVER"
		return 0
	fi
	echo "depmod -a $KVER"
	depmod -a "$KVER"
}

do_install() {
	local src dst mode libdir

	while read -r src dst mode; do
		[[ -f $src ]] || die "$src is not built; run make first (make install never builds)"
	done < <(files)
	# xtcpize looks for its library where it was told at build time.
	libdir=$(cat tools/xtcpize/.libdir 2>/dev/null) || libdir="(unknown)"
	[[ $libdir == "$XTCPIZE_LIBDIR" ]] ||
		die "xtcpize was built to find its library in $libdir, not $XTCPIZE_LIBDIR:" \
			"run make tools PREFIX=... with the same PREFIX first"
	while read -r src dst mode; do
		install -v -D -m "$mode" "$src" "$DESTDIR$dst"
	done < <(files)
	run_depmod
}

do_uninstall() {
	local src dst mode

	while read -r src dst mode; do
		if [[ -e $DESTDIR$dst ]]; then
			rm -v -f "$DESTDIR$dst"
		fi
	done < <(files)
	# The one directory that is ours alone.
	if [[ -d $DESTDIR$XTCPIZE_LIBDIR ]]; then
		rmdir -v --ignore-fail-on-non-empty "$DESTDIR$XTCPIZE_LIBDIR"
	fi
	run_depmod
}

action=${1:-}
case $action in
install)	set_kver; do_install ;;
uninstall)	set_kver; do_uninstall ;;
*)		echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
