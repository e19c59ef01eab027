// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: mapping the flash on a kernel with an MMU.
 *
 * Not supported yet: mmap() refuses with -ENODEV, as a device without mmap
 * support would.  read() and the ioctls work as on no-MMU kernels.
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "xipmap.h"

/**
 * xipflash_mmap() - refuse to map the flash
 * @file: the open device
 * @vma: the mapping asked for
 *
 * Return: -ENODEV.
 */
int xipflash_mmap(struct file *file, struct vm_area_struct *vma)
{
	return -ENODEV;
}

/**
 * xipflash_direct_base() - the address user space sees for offset 0
 * @flash: the device
 *
 * With an MMU, mappings have addresses of their own; the array's kernel
 * address is not user space's business.
 *
 * Return: 0.
 */
u64 xipflash_direct_base(const struct xipflash *flash)
{
	return 0;
}
