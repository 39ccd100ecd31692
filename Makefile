# SPDX-License-Identifier: GPL-2.0
#
# xtcp: build the module out of tree, the selftests, and run them in a VM.
#   make          build xtcp.ko against the installed Debian 6.1 headers
#   make check    install what is missing, build, run every selftest in a VM
#   make demo     install what is missing, build, show a handshake in a VM
#   make bench    install what is missing, build, xtcp against TCP in a VM
#   make check-debug  the same tests on a KASAN/lockdep/kmemleak kernel
#                 (built once into ~/.cache/xtcp; see scripts/debug-kernel.sh)
#   make soak     check-debug with the wire fuzzer at 1,000,000 segments
#   make unit     the user-space unit tests of the module's pure logic
#   make clean

KVER ?= $(shell scripts/deps.sh --kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(CURDIR)
# `make bench BENCH_RUNS=7` etc. reach the guest script (scripts/guest-bench.sh).
BENCH_VARS := BENCH_RUNS BENCH_SECS BENCH_LOSS_SECS BENCH_CASES
BENCH_ENV = $(foreach v,$(BENCH_VARS),$(if $($(v)),'$(v)=$($(v))'))

.PHONY: all module selftests unit check check-debug soak demo bench deps clean checkpatch

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

deps:
	scripts/deps.sh

selftests:
	$(MAKE) -C selftests

unit:
	$(MAKE) -C selftests/unit run

check: deps
	$(MAKE) module W=1
	$(MAKE) selftests
	scripts/check.sh

# The debug kernel under emulation is several times slower: every test's
# time limit is multiplied by 4 there (selftests/xtcp_harness.h).
check-debug:
	scripts/deps.sh --debug
	$(MAKE) selftests XTCP_TIME_SCALE=4
	scripts/check-debug.sh

# Longer than CI can afford next to make check: the debug lane with the
# wire fuzzer sending 1,000,000 segments instead of check-debug's number.
soak:
	$(MAKE) check-debug XTCP_FUZZ_SEGMENTS=1000000

demo: deps
	$(MAKE) module
	$(MAKE) selftests
	scripts/vm-run.sh scripts/guest-demo.sh

bench: deps
	$(MAKE) module
	$(MAKE) selftests
	scripts/vm-run.sh env $(BENCH_ENV) scripts/guest-bench.sh

checkpatch:
	scripts/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean || true
	$(MAKE) -C selftests clean
	rm -rf build/debug-module
