// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: reference implementation of memory mapping on kernels without an
 * MMU, with fake XIP flash devices and a memory-backed filesystem,
 * xipramfs.  Module parameters and lifetime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/xipmap.h>

#include "compat.h"
#include "xipmap.h"

#define XIPMAP_MAX_FLASH	8

static unsigned long flash_size = SZ_1M;
module_param(flash_size, ulong, 0444);
MODULE_PARM_DESC(flash_size,
		 "Bytes of each flash: a power of two, at least one page (default 1 MiB)");

static unsigned int nr_flash = 4;
module_param(nr_flash, uint, 0444);
MODULE_PARM_DESC(nr_flash, "Flash devices to create, 1 to 8 (default 4)");

static char *personality[XIPMAP_MAX_FLASH];
static int nr_personality;
module_param_array(personality, charp, &nr_personality, 0444);
MODULE_PARM_DESC(personality,
		 "Personality of each device: nor, ram, nand or fb (default nor,ram,nand,fb, repeated)");

static struct xipflash xipmap_flash[XIPMAP_MAX_FLASH];
static unsigned int xipmap_personality[XIPMAP_MAX_FLASH];

/* /sys/kernel/debug/xipmap: the counters tests watch (docs/ABI.md). */
struct dentry *xipmap_debugfs_dir;

static int xipmap_counter_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(xipmap_counter_fops, xipmap_counter_get, NULL, "%llu\n");

/**
 * xipmap_debugfs_create_counter() - show a counter in debugfs, read-only
 * @name: the file's name
 * @parent: its directory
 * @counter: the counter; it must outlive the file (debugfs_remove() of
 *	     @parent waits for readers)
 *
 * Like the debugfs_create_*() helpers, it cannot fail in a way a caller
 * need handle: without debugfs the counter simply is not shown.
 */
void xipmap_debugfs_create_counter(const char *name, struct dentry *parent,
				   atomic64_t *counter)
{
	debugfs_create_file_unsafe(name, 0444, parent, counter, &xipmap_counter_fops);
}

/* Refuse bad parameters before anything is allocated, saying why. */
static int __init xipmap_check_params(void)
{
	unsigned long max = PAGE_SIZE << XIPMAP_MAX_ORDER;
	unsigned int i;
	int p;

	/* The array must be one run of pages the page allocator can hand out. */
	if (!is_power_of_2(flash_size) || flash_size < PAGE_SIZE || flash_size > max) {
		pr_err("flash_size=%lu: must be a power of two from %lu to %lu bytes\n",
		       flash_size, PAGE_SIZE, max);
		return -EINVAL;
	}
	if (!nr_flash || nr_flash > XIPMAP_MAX_FLASH) {
		pr_err("nr_flash=%u: must be from 1 to %d\n", nr_flash, XIPMAP_MAX_FLASH);
		return -EINVAL;
	}
	if (nr_personality > nr_flash) {
		pr_err("personality: %d given for %u devices\n", nr_personality, nr_flash);
		return -EINVAL;
	}
	for (i = 0; i < nr_flash; i++) {
		if (i >= nr_personality) {
			xipmap_personality[i] = i % xipflash_nr_presets;
			continue;
		}
		p = xipflash_personality_by_name(personality[i]);
		if (p < 0) {
			pr_err("personality=%s (device %u): must be nor, ram, nand or fb\n",
			       personality[i], i);
			return -EINVAL;
		}
		xipmap_personality[i] = p;
	}
	return 0;
}

static int __init xipmap_init(void)
{
	unsigned int i;
	int ret;

	ret = xipmap_check_params();
	if (ret)
		return ret;
	xipmap_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	for (i = 0; i < nr_flash; i++) {
		ret = xipflash_create(&xipmap_flash[i], i, flash_size,
				      xipmap_personality[i]);
		if (ret)
			goto undo;
		pr_info("%s: %lu bytes of %s flash\n", xipmap_flash[i].name,
			flash_size, xipflash_presets[xipmap_personality[i]].name);
	}
	ret = xipramfs_register();
	if (ret)
		goto undo;
	return 0;

undo:
	while (i--)
		xipflash_destroy(&xipmap_flash[i]);
	debugfs_remove(xipmap_debugfs_dir);
	return ret;
}
module_init(xipmap_init);

static void __exit xipmap_exit(void)
{
	unsigned int i = nr_flash;

	xipramfs_unregister();
	while (i--)
		xipflash_destroy(&xipmap_flash[i]);
	debugfs_remove(xipmap_debugfs_dir);
}
module_exit(xipmap_exit);

MODULE_DESCRIPTION("Reference implementation of no-MMU memory mapping: fake XIP flash devices and xipramfs");
MODULE_ALIAS_FS("xipramfs");
MODULE_AUTHOR("The xipmap developers");
MODULE_LICENSE("GPL");
