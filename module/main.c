// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: reference implementation of memory mapping on kernels without an
 * MMU, with a fake XIP flash device.  Module parameters and lifetime.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "compat.h"
#include "xipmap.h"

static unsigned long flash_size = SZ_1M;
module_param(flash_size, ulong, 0444);
MODULE_PARM_DESC(flash_size,
		 "Bytes of flash: a power of two, at least one page (default 1 MiB)");

static struct xipflash xipmap_flash;

/* The array must be one run of pages the page allocator can hand out. */
static int __init xipmap_check_params(void)
{
	unsigned long max = PAGE_SIZE << XIPMAP_MAX_ORDER;

	if (!is_power_of_2(flash_size) || flash_size < PAGE_SIZE || flash_size > max) {
		pr_err("flash_size=%lu: must be a power of two from %lu to %lu bytes\n",
		       flash_size, PAGE_SIZE, max);
		return -EINVAL;
	}
	return 0;
}

static int __init xipmap_init(void)
{
	int ret;

	ret = xipmap_check_params();
	if (ret)
		return ret;
	ret = xipflash_create(&xipmap_flash, 0, flash_size);
	if (ret)
		return ret;
	pr_info("%s: %lu bytes of flash\n", xipmap_flash.name, flash_size);
	return 0;
}
module_init(xipmap_init);

static void __exit xipmap_exit(void)
{
	xipflash_destroy(&xipmap_flash);
}
module_exit(xipmap_exit);

MODULE_DESCRIPTION("Reference implementation of no-MMU memory mapping: a fake XIP flash");
MODULE_AUTHOR("The xipmap developers");
MODULE_LICENSE("GPL");
