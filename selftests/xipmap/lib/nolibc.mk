# SPDX-License-Identifier: GPL-2.0
#
# How xipmap builds a guest program: one C file plus lib/start.c, against
# the kernel's own nolibc, linked as a static position-independent
# executable with no interpreter (see lib/start.c for why it relocates
# itself).  Included by the selftests Makefile and by qemu/Makefile.
#
#   KSRC          kernel source tree (tools/include/nolibc, kselftest.h)
#   KHDR          the target's installed uapi headers (make headers: usr/include)
#   CROSS_COMPILE compiler prefix for the target
#   NOLIBC_ARCH_CFLAGS  the target's own flags (ARM Cortex-M: -mthumb -mcpu=...)
#   NOLIBC_LIBS   libraries after the objects: -lgcc by default; empty where
#                 the compiler's libgcc cannot run on the target (Debian's
#                 arm-linux-gnueabi libgcc is ARM-state ARMv5TE code, which a
#                 Cortex-M, Thumb only, faults on): then any helper the code
#                 would need from it is a link error, not a crash

ifeq ($(KSRC),)
$(error KSRC must name a kernel source tree (for nolibc and kselftest.h))
endif
ifeq ($(KHDR),)
$(error KHDR must name the target's uapi headers (the kernel's usr/include))
endif

XIPMAP_LIB := $(patsubst %/,%,$(dir $(realpath $(lastword $(MAKEFILE_LIST)))))

NOLIBC_CC := $(CROSS_COMPILE)gcc
NOLIBC_CFLAGS := -std=gnu11 -Os -g -Wall -Wextra -Wno-unused-parameter -Werror \
	-fPIE -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(NOLIBC_CC) -print-file-name=include) \
	-I$(KSRC)/tools/include/nolibc -I$(KHDR) -I$(XIPMAP_LIB)/uapi \
	-I$(KSRC)/tools/testing/selftests -I$(XIPMAP_LIB) $(NOLIBC_ARCH_CFLAGS)
NOLIBC_LDFLAGS := -nostdlib -pie -Wl,--no-dynamic-linker -Wl,-z,noexecstack \
	-Wl,--build-id=none
NOLIBC_LIBS ?= -lgcc

NOLIBC_DEPS := $(XIPMAP_LIB)/xipmap_sys.h $(XIPMAP_LIB)/xipmap_code.h $(XIPMAP_LIB)/nolibc.mk \
	$(XIPMAP_LIB)/uapi/linux/xipmap.h

# The start code is its own object, built without nolibc (whose weak
# _start it replaces) and without jump tables (it runs unrelocated).
# $(call nolibc_start,object)
define nolibc_start
	$(NOLIBC_CC) $(NOLIBC_CFLAGS) $(NOLIBC_START_CFLAGS) -fno-jump-tables -MMD -MP \
		-MF $(1).d -c -o $(1) $(XIPMAP_LIB)/start.c
endef

# $(call nolibc_link,program,main source,start object)
define nolibc_link
	$(NOLIBC_CC) $(NOLIBC_CFLAGS) $(NOLIBC_LDFLAGS) -MMD -MP -MF $(1).d -o $(1) \
		-include nolibc.h $(2) $(3) $(NOLIBC_LIBS)
endef

# Every header a program includes (gcc -MMD) is a dependency of it, so that
# an incremental build in a kept OUTPUT directory is never stale.  The
# rules they hold must not become the including Makefile's default goal.
.DEFAULT_GOAL := all
-include $(wildcard $(OUTPUT)/*.d)
