#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-install`: installing xtcp as a real module, tested for real
# without touching this machine's module tree.  Prints TAP and a last
# line "N passed, N failed"; exits non-zero if anything failed.
#
# On this machine:
#   - the man pages lint clean (mandoc -T lint where installed, groff -ww);
#   - make install / make uninstall with DESTDIR: every file, no depmod,
#     nothing left behind; make install refuses to install what is not
#     built, or an xtcpize built for another PREFIX;
#   - dkms add, build -k KVER, install, uninstall, with dkms's own trees
#     (--dkmstree, --sourcetree, --installtree) in build/dkms-check,
#     --no-depmod, and its signing key there too (mok_signing_key):
#     nothing is written to /var/lib/dkms, /usr/src or /lib/modules.
# In the VM (scripts/guest-dkms.sh): the same built dkms tree installed
#   by `dkms install` into /lib/modules/$(uname -r), depmod included (the
#   guest is disposable), socket() loading it by its alias, dkms
#   uninstall.  Then dkms remove, here.
#
# Needs xtcp.ko and tools/xtcpize built (make check-install does that).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT" || exit 1
KVER=${KVER:-$(scripts/deps.sh --kver)} || exit 1
VERSION=$(cat VERSION)
D=$ROOT/build/dkms-check	# seen by the guest too (read-only)
DKMS=(--dkmstree "$D/dkms" --sourcetree "$D/src" --installtree "$D/modules")
# dkms signs what it builds; with its key here, not in /var/lib/dkms.
export mok_signing_key=$D/mok.key mok_certificate=$D/mok.pub
LOG=$(mktemp /tmp/xtcp-check-install.XXXXXX)
trap 'rm -f "$LOG"' EXIT
n=0
fails=0
passed=0

ok() {		# ok DESCRIPTION COMMAND...: one TAP line for the command
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$LOG" 2>&1; then
		echo "ok $n - $desc"
		passed=$((passed + 1))
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$LOG"
		fails=$((fails + 1))
	fi
}

man_lint() {
	local out

	if command -v mandoc >/dev/null; then
		out=$(mandoc -T lint docs/man/xtcp.7 docs/man/xtcpize.8 2>&1)
		[[ -z $out ]] || { echo "$out"; return 1; }
	else
		echo "mandoc not installed: groff only"
	fi
	out=$(groff -man -ww -z docs/man/xtcp.7 docs/man/xtcpize.8 2>&1)
	[[ -z $out ]] || { echo "$out"; return 1; }
	man -l docs/man/xtcp.7 >/dev/null && man -l docs/man/xtcpize.8 >/dev/null
}

# The files below a staging directory, one relative path a line.
staged() { (cd "$1" && find . -not -type d | sort); }

destdir_install() {
	local stage=$D/stage want

	rm -rf "$stage"
	make -s install DESTDIR="$stage" KVER="$KVER" || return 1
	want=$(printf '%s\n' "./lib/modules/$KVER/updates/xtcp.ko" \
		"./lib/modules/$KVER/updates/xtcp_diag.ko" \
		"./lib/modules/$KVER/updates/xtcp_bbr.ko" \
		./usr/include/linux/xtcp.h ./usr/local/bin/xtcpize \
		./usr/local/bin/xtcp-bridge ./usr/local/bin/xtcp-nstat \
		./usr/local/bin/xtcp-ss \
		./usr/local/lib/xtcpize/libxtcpize.so \
		./usr/local/share/man/man7/xtcp.7 ./usr/local/share/man/man8/xtcpize.8 | sort)
	diff <(echo "$want") <(staged "$stage") || return 1
	# Staged, not installed: no depmod output next to the module.
	[[ ! -e $stage/lib/modules/$KVER/modules.dep ]] || return 1
	cmp xtcp.ko "$stage/lib/modules/$KVER/updates/xtcp.ko"
}

destdir_uninstall() {
	local stage=$D/stage

	make -s uninstall DESTDIR="$stage" KVER="$KVER" || return 1
	staged "$stage" | tee "$D/left"
	[[ ! -s $D/left && ! -e $stage/usr/local/lib/xtcpize ]]
}

# A copy of what make install reads, but no xtcp.ko.
install_refuses_unbuilt() {
	local copy=$D/unbuilt out

	rm -rf "$copy"
	mkdir -p "$copy/scripts" "$copy/tools" || return 1
	cp Makefile VERSION "$copy/" &&
		cp scripts/install.sh scripts/deps.sh "$copy/scripts/" &&
		cp -r include docs "$copy/" &&
		cp -r tools/xtcpize "$copy/tools/" || return 1
	if out=$(make -s -C "$copy" install DESTDIR="$D/stage2" 2>&1); then
		echo "$out"
		echo "make install succeeded without xtcp.ko"
		return 1
	fi
	echo "$out"
	grep -q 'xtcp.ko is not built' <<<"$out" && [[ ! -e $D/stage2 ]]
}

install_refuses_other_prefix() {
	local out

	if out=$(make -s install DESTDIR="$D/stage3" PREFIX=/usr 2>&1); then
		echo "$out"
		return 1
	fi
	echo "$out"
	grep -q 'xtcpize was built to find its library in' <<<"$out" && [[ ! -e $D/stage3 ]]
}

dkms_add() {
	rm -rf "$D/dkms" "$D/src" "$D/modules"
	mkdir -p "$D/dkms" "$D/modules/$KVER" || return 1
	make -s dkms-src DKMS_SRCDIR="$D/src/xtcp-$VERSION" || return 1
	dkms add -m xtcp -v "$VERSION" "${DKMS[@]}" || return 1
	dkms status "${DKMS[@]}" | grep "^xtcp/$VERSION: added"
}

dkms_build() {
	local ko=$D/dkms/xtcp/$VERSION/$KVER/x86_64/module/xtcp.ko

	dkms build -m xtcp -v "$VERSION" -k "$KVER" "${DKMS[@]}" || return 1
	dkms status "${DKMS[@]}" | grep "^xtcp/$VERSION, $KVER, x86_64: built" || return 1
	[[ $(modinfo -F vermagic "$ko" | cut -d' ' -f1) == "$KVER" ]] || return 1
	modinfo -F alias "$ko" | grep -qx net-pf-2-proto-253-type-1
}

dkms_install_tree() {
	local ko=$D/modules/$KVER/updates/dkms/xtcp.ko

	dkms install -m xtcp -v "$VERSION" -k "$KVER" --no-depmod "${DKMS[@]}" || return 1
	dkms status "${DKMS[@]}" | grep "^xtcp/$VERSION, $KVER, x86_64: installed" || return 1
	cmp "$ko" "$D/dkms/xtcp/$VERSION/$KVER/x86_64/module/xtcp.ko"
}

dkms_uninstall_tree() {
	dkms uninstall -m xtcp -v "$VERSION" -k "$KVER" --no-depmod "${DKMS[@]}" || return 1
	dkms status "${DKMS[@]}" | grep "^xtcp/$VERSION, $KVER, x86_64: built" || return 1
	[[ -z $(find "$D/modules" -not -type d) ]]
}

dkms_remove() {
	dkms remove -m xtcp -v "$VERSION" --all "${DKMS[@]}" || return 1
	[[ -z $(dkms status "${DKMS[@]}") && ! -e $D/dkms/xtcp/$VERSION ]]
}

# What dkms and make install would write to if they went astray.
host_state() {
	find "/lib/modules/$KVER" -maxdepth 1 -printf '%p %s %T@\n'
	find "/lib/modules/$KVER/updates" /var/lib/dkms /usr/src -maxdepth 2 \
		-printf '%p %s %T@\n' 2>/dev/null || true	# no updates/: fine
}

# Nothing of ours outside build/: as it was before.
host_untouched() {
	host_state | diff "$D/host-before" -
}

echo "TAP version 13"
echo "# installing xtcp $VERSION for $KVER"
mkdir -p "$D"
host_state >"$D/host-before"
ok "man pages: lint clean, render" man_lint
ok "make install DESTDIR=: every file, no depmod" destdir_install
ok "make uninstall DESTDIR=: nothing left" destdir_uninstall
ok "make install without xtcp.ko fails and says so" install_refuses_unbuilt
ok "make install PREFIX=/usr with xtcpize built for /usr/local fails and says so" \
	install_refuses_other_prefix
ok "dkms add (make dkms-src)" dkms_add
ok "dkms build -k $KVER: a module for $KVER with its alias" dkms_build
ok "dkms install --installtree: into updates/dkms" dkms_install_tree
ok "dkms uninstall --installtree: nothing left" dkms_uninstall_tree

echo "# dkms install in the VM"
scripts/vm-run.sh scripts/guest-dkms.sh "$D" "$VERSION" 2>&1 | tee "$LOG.vm"
vm_rc=${PIPESTATUS[0]}
passed=$((passed + $(grep -c '^ok ' "$LOG.vm")))
fails=$((fails + $(grep -c '^not ok ' "$LOG.vm")))
if [[ $vm_rc -ne 0 ]] && ! grep -q '^not ok ' "$LOG.vm"; then
	echo "not ok - the VM run failed (exit $vm_rc)"
	fails=$((fails + 1))
fi
rm -f "$LOG.vm"

ok "dkms remove: nothing left in the dkms tree" dkms_remove
ok "this machine's /lib/modules, /var/lib/dkms and /usr/src untouched" host_untouched
echo "$passed passed, $fails failed"
[[ $fails -eq 0 ]]
