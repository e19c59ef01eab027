/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xipmap: declarations shared between the files of the module.
 */
#ifndef _XIPMAP_H
#define _XIPMAP_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm_types.h>
#include <linux/types.h>

/**
 * struct xipflash - one fake XIP flash device
 * @misc:	the character device, /dev/xipflashN
 * @name:	"xipflashN", the name of the node
 * @base:	the flash array: physically contiguous and page-aligned
 * @size:	bytes in @base, a power of two of at least one page
 * @caps:	XIPMAP_CAP_* the device offers
 * @mappings:	mappings the driver accepted and has not seen closed
 * @mmap_calls:	times the driver's mmap() accepted a mapping
 */
struct xipflash {
	struct miscdevice misc;
	char name[16];
	void *base;
	size_t size;
	unsigned int caps;
	atomic_t mappings;
	atomic64_t mmap_calls;
};

int xipflash_create(struct xipflash *flash, unsigned int index, size_t size);
void xipflash_destroy(struct xipflash *flash);

struct xipflash *xipflash_from_file(struct file *file);

/* The mapping hooks: flash-nommu.c or flash-mmu.c, as Kbuild picks. */
int xipflash_mmap(struct file *file, struct vm_area_struct *vma);
u64 xipflash_direct_base(const struct xipflash *flash);
#ifndef CONFIG_MMU
unsigned int xipflash_mmap_capabilities(struct file *file);
unsigned long xipflash_get_unmapped_area(struct file *file, unsigned long addr,
					 unsigned long len, unsigned long pgoff,
					 unsigned long flags);
#endif

#endif /* _XIPMAP_H */
