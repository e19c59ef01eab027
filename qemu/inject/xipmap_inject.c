// SPDX-License-Identifier: GPL-2.0
/*
 * A fault injector for the runner's own tests, never part of xipmap.ko:
 * loaded with report=<kind> it makes the kernel print that kind of report,
 * so that real console logs of each kind can be captured for the judge's
 * fixtures (qemu/judge-fixtures/) and a live run can be shown to fail.
 *
 *   report=warn      a WARNING
 *   report=bug       a BUG() (kernel BUG at ...), which kills the loading task
 *   report=oops      a NULL pointer dereference, which kills the loading task
 *   report=checkers  one report from every bug detector this kernel has
 *                    (see provoke_checkers()), so that a debug kernel is
 *                    shown to check: a checker that is off reports nothing,
 *                    and the runner fails the run for each one missing.
 *
 * Each bug provoked for a checker is one the checker stops before it does
 * harm: SLUB refuses the second free and repairs the red zone, KASAN
 * reports before the access, lockdep reports an order it has merely seen.
 * The leaked object stays leaked; this module is never unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/kfence.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *report = "";
module_param(report, charp, 0444);
MODULE_PARM_DESC(report, "the report to provoke at load: warn, bug, oops or checkers");

/*
 * Values the compiler cannot see through: without them it would warn about
 * (or remove) the very bugs this module exists to commit.
 */
static volatile int shift_by = 40;
static volatile size_t past_end = 32;
static volatile char sink;

/*
 * A kmalloc-32 object that KFENCE did not sample: the slab bugs are for
 * SLUB's and KASAN's checks; on a sampled object KFENCE would answer.
 */
static void *kmalloc_unsampled(void)
{
	void *p;
	int i;

	for (i = 0; i < 100; i++) {
		p = kmalloc(32, GFP_KERNEL);
		if (!p || !is_kfence_address(p))
			return p;
		kfree(p);
	}
	return NULL;
}

static void announce(const char *checker, const char *bug)
{
	pr_info("provoking %s: %s\n", checker, bug);
}

static noinline void ubsan_shift(void)
{
	volatile int one = 1;

	announce("ubsan", "a shift by more than the width of int");
	one = one << shift_by;
}

static noinline void sleep_in_atomic(void)
{
	announce("atomic-sleep", "might_sleep() with preemption disabled");
	preempt_disable();
	might_sleep();
	preempt_enable();
}

static noinline void slab_double_free(void)
{
	void *volatile p = kmalloc_unsampled();

	if (!p)
		return;
	announce("slab", "a kmalloc-32 object freed twice");
	kfree(p);
	kfree(p);
}

static noinline void slab_redzone_overwrite(void)
{
	char *volatile p = kmalloc_unsampled();

	if (!p)
		return;
	announce("slab", "one byte written past a kmalloc-32 object");
	p[past_end] = 0x5a;
	kfree(p);
}

static noinline void kasan_out_of_bounds(void)
{
	char *volatile p = kmalloc_unsampled();

	if (!p)
		return;
	announce("kasan", "one byte read past a kmalloc-32 object");
	sink = p[past_end];
	kfree(p);
}

/*
 * KFENCE guards one sampled allocation per interval: allocate until one
 * comes from its pool (as mm/kfence/kfence_test.c does), then read it after
 * freeing it, which faults on its protected page.
 */
static noinline void kfence_use_after_free(void)
{
	char *volatile p;
	int i;

	for (i = 0; i < 2000; i++) {
		p = kmalloc(32, GFP_KERNEL);
		if (!p)
			return;
		if (is_kfence_address(p))
			break;
		kfree(p);
		p = NULL;
		usleep_range(1000, 2000);
	}
	if (!p) {
		pr_err("kfence: no allocation sampled in 2000 tries\n");
		return;
	}
	announce("kfence", "a sampled object read after kfree");
	kfree(p);
	sink = p[0];
}

/*
 * Zero the stack below the caller's frame, where kmalloc()'s frames left
 * the objects' addresses.  kmemleak scans a task's whole stack, and keeps
 * scanning it after the task exits while the stack waits in the per-CPU
 * cache of vmalloc'ed stacks (VMAP_STACK, as on the MMU targets), until a
 * new task takes it and clears it: on a two-CPU guest, whether that
 * happened before the scans at the end was chance.
 */
static noinline void scrub_stack(int depth)
{
	char buf[256];

	memzero_explicit(buf, sizeof(buf));
	if (depth > 0)
		scrub_stack(depth - 1);
	barrier_data(buf);
}

/*
 * Eight objects, each pointer overwritten by the next, and then nothing:
 * no copy of an address on the stack either.
 */
static noinline void leak(void)
{
	void *volatile p;
	int i;

	announce("kmemleak", "eight kmalloc-64 objects nothing points to");
	for (i = 0; i < 8; i++) {
		p = kmalloc(64, GFP_KERNEL);
		if (p)
			memset(p, 0x6b, 64);
	}
	p = NULL;
}

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);

/*
 * Early: lockdep switches itself off after its first report, and also
 * when anything taints the kernel as unreliable for it (a slab report
 * does, with TAINT_BAD_PAGE).
 */
static noinline void lock_inversion(void)
{
	announce("lockdep", "lock_a then lock_b, then lock_b then lock_a");
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);
	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
}

static void provoke_checkers(void)
{
	/* First, to be old enough for kmemleak's scans at the end. */
	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK)) {
		leak();
		scrub_stack(16);
	}
	if (IS_ENABLED(CONFIG_PROVE_LOCKING))
		lock_inversion();
	if (IS_ENABLED(CONFIG_UBSAN_SHIFT))
		ubsan_shift();
	if (IS_ENABLED(CONFIG_DEBUG_ATOMIC_SLEEP))
		sleep_in_atomic();
	if (IS_ENABLED(CONFIG_SLUB_DEBUG_ON) || IS_ENABLED(CONFIG_KASAN_GENERIC)) {
		slab_double_free();
		slab_redzone_overwrite();
	}
	if (IS_ENABLED(CONFIG_KASAN_GENERIC))
		kasan_out_of_bounds();
	if (IS_ENABLED(CONFIG_KFENCE))
		kfence_use_after_free();
	pr_info("every checker provoked\n");
}

static int __init xipmap_inject_init(void)
{
	if (!strcmp(report, "warn")) {
		WARN(1, "xipmap_inject: warning on purpose\n");
	} else if (!strcmp(report, "bug")) {
		BUG();
	} else if (!strcmp(report, "oops")) {
		/* volatile: the compiler may not prove the store away. */
		*(int *volatile)NULL = 1;
	} else if (!strcmp(report, "checkers")) {
		provoke_checkers();
	} else if (*report) {
		pr_err("report=%s: must be warn, bug, oops or checkers\n", report);
		return -EINVAL;
	}
	return 0;
}
module_init(xipmap_inject_init);

static void __exit xipmap_inject_exit(void)
{
}
module_exit(xipmap_inject_exit);

MODULE_DESCRIPTION("xipmap runner self-test: a module that provokes kernel reports");
MODULE_LICENSE("GPL");
