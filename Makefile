# SPDX-License-Identifier: GPL-2.0
#
# xipmap top level.
#
#   make                 build xipmap.ko for the running kernel, or KDIR=<build>
#   make demo            boot the no-MMU RISC-V guest, load the module and show
#                        what each kind of mapping of the flash turns into
#   make check           run every test on every target, then prove the runner
#                        catches each kind of failure; ends "N passed, N failed"
#   make check TARGET=t  only target t (see qemu/targets/), without the proofs
#   make lint            checkpatch --strict and sparse on the driver
#   make bench           measure what execute-in-place saves on the targets
#                        with bench_params, and make docs/performance.md
#
# demo and check install the Debian packages they need when run as root and
# name the missing ones otherwise.  Builds are cached in ~/.cache/xipmap.

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

demo:
	qemu/run.sh --demo

check:
	qemu/check.sh $(TARGET)

lint:
	qemu/lint.sh

bench:
	qemu/bench.sh

.PHONY: all modules clean demo check lint bench
