# SPDX-License-Identifier: GPL-2.0
#
# xtcp: build the module out of tree, the selftests, and run them in a VM.
#   make          build xtcp.ko and xtcp_diag.ko against the installed
#                 Debian 6.1 headers, xtcpize (tools/xtcpize), xtcp-bridge
#                 (tools/xtcp-bridge), xtcp-ss (tools/xtcp-ss), and the demo
#                 and benchmark programs (tools/demo, tools/bench)
#   make install  install what `make` built, never building: xtcp.ko and
#                 xtcp_diag.ko into /lib/modules/$(KVER)/updates (then
#                 depmod), <linux/xtcp.h>, xtcpize and its library,
#                 xtcp-bridge, xtcp-ss and xtcp-nstat under $(PREFIX), the
#                 man pages;
#                 DESTDIR= stages it below a directory (then no depmod)
#   make uninstall  remove exactly what make install installed
#   make dkms-src copy the module's source for dkms to $(DKMS_SRCDIR)
#   make check-install  dkms and make install, on the host and in a VM
#   make check    install what is missing, build, run every selftest in a VM
#   make demo     install what is missing, build, show a handshake in a VM
#   make bench    install what is missing, build, xtcp against TCP in a VM
#   make bench-grid  the same over the loss x reordering x RTT grid
#                 (27 cells, 3 runs each by default, 5 of 15 s at 100 ms;
#                 BENCH_CASES=gridb for the grid with netem acting on
#                 whole GSO skbs)
#   make check-debug  the programs that drive the module's paths on a
#                 KASAN/lockdep/kmemleak kernel (built once into
#                 ~/.cache/xtcp; see scripts/debug-kernel.sh)
#   make soak     the whole suite on that kernel, with the wire fuzzer at
#                 1,000,000 segments and the interop lane at full length
#   make unit     the user-space unit tests of the module's pure logic
#   make clean

KVER ?= $(shell scripts/deps.sh --kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(CURDIR)
# The one place the version is kept (also read by dkms.conf and xtcpize).
VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
XTCPIZE_LIBDIR ?= $(PREFIX)/lib/xtcpize
MANDIR ?= $(PREFIX)/share/man
INCLUDEDIR ?= /usr/include
DKMS_SRCDIR ?= $(DESTDIR)/usr/src/xtcp-$(VERSION)
INSTALL_ENV = KVER='$(KVER)' DESTDIR='$(DESTDIR)' BINDIR='$(BINDIR)' \
	XTCPIZE_LIBDIR='$(XTCPIZE_LIBDIR)' MANDIR='$(MANDIR)' INCLUDEDIR='$(INCLUDEDIR)'
# What dkms needs to build the module: no tests, no tools.
DKMS_FILES := dkms.conf VERSION Makefile Kbuild include/uapi/linux/xtcp.h \
	include/net/xtcp_cong.h \
	$(wildcard module/*.c module/*.h)
# `make bench BENCH_RUNS=7` etc. reach the guest script (scripts/guest-bench.sh).
BENCH_VARS := BENCH_RUNS BENCH_SECS BENCH_LOSS_SECS BENCH_CASES BENCH_SHORT_SECS \
	BENCH_GRID_SECS
BENCH_ENV = $(foreach v,$(BENCH_VARS),$(if $($(v)),'$(v)=$($(v))'))

.PHONY: all module selftests unit check check-debug soak demo bench bench-grid deps clean checkpatch
.PHONY: tools install uninstall dkms-src module-clean check-install

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

tools:
	$(MAKE) -C tools/xtcpize PREFIX='$(PREFIX)' XTCPIZE_LIBDIR='$(XTCPIZE_LIBDIR)'
	$(MAKE) -C tools/xtcp-bridge
	$(MAKE) -C tools/bench
	$(MAKE) -C tools/demo
	$(MAKE) -C tools/xtcp-ss

install:
	$(INSTALL_ENV) scripts/install.sh install

uninstall:
	$(INSTALL_ENV) scripts/install.sh uninstall

# Then `dkms add xtcp/$(VERSION)`, `dkms install xtcp/$(VERSION)`.
dkms-src:
	@for f in $(DKMS_FILES); do \
		install -D -m 644 $$f '$(DKMS_SRCDIR)'/$$f || exit 1; \
	done
	@echo "xtcp $(VERSION) source in $(DKMS_SRCDIR)"

# dkms's CLEAN: the module's build products only.
module-clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean

check-install: deps
	$(MAKE) module
	$(MAKE) tools
	scripts/check-install.sh

deps:
	scripts/deps.sh

# The suite runs xtcpize too (selftests/xtcp_install.sh).
selftests: tools
	$(MAKE) -C selftests

unit:
	$(MAKE) -C selftests/unit run

check: deps
	$(MAKE) module W=1
	$(MAKE) selftests
	scripts/check.sh

# The debug kernel under emulation is several times slower: every test's
# time limit is multiplied by 8 there (selftests/xtcp_harness.h).
check-debug:
	scripts/deps.sh --debug
	$(MAKE) selftests XTCP_TIME_SCALE=8
	scripts/check-debug.sh

# Longer than CI can afford next to make check: the debug lane with the
# wire fuzzer sending 1,000,000 segments instead of check-debug's number,
# the interop transfers at full length, the application drivers and the
# tests that wait a minute or more.
soak:
	$(MAKE) check-debug XTCP_FUZZ_SEGMENTS=1000000 XTCP_INTEROP_FULL=1 \
		XTCP_DEBUG_APPS=1 XTCP_TRACE_TOOLS=1 XTCP_SLOW_TESTS=1 XTCP_PROGS=

demo: deps
	$(MAKE) module
	$(MAKE) selftests
	scripts/vm-run.sh scripts/guest-demo.sh

bench: deps
	$(MAKE) module
	$(MAKE) selftests
	# About 30 minutes in the guest since bbr_bdp and bbr_loss: past
	# vm-run.sh's default 1800 s with a boot tried again.
	VM_TIMEOUT=3000 scripts/vm-run.sh env $(BENCH_ENV) scripts/guest-bench.sh

bench-grid: deps
	$(MAKE) module
	$(MAKE) selftests
	VM_TIMEOUT=4500 scripts/vm-run.sh env 'BENCH_CASES=grid' 'BENCH_RUNS=3' 'BENCH_GRID_SLOW_RUNS=5' \
		'BENCH_GRID_SLOW_SECS=15' 'BENCH_GRID_MORE=6' $(BENCH_ENV) \
		scripts/guest-bench.sh

checkpatch:
	scripts/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean || true
	$(MAKE) -C selftests clean
	$(MAKE) -C tools/xtcpize clean
	$(MAKE) -C tools/xtcp-bridge clean
	$(MAKE) -C tools/bench clean
	$(MAKE) -C tools/demo clean
	$(MAKE) -C tools/xtcp-ss clean
	rm -rf build/debug-module
