// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: mapping the flash on a kernel with an MMU.
 *
 * With an MMU every mapping is made of page table entries, and they can be
 * filled in late: mmap() only checks the request and takes note of how the
 * pages will be found; each page is mapped by xipflash_fault() the first
 * time it is touched (demand paging), and counted there.  A mapping larger
 * than anyone touches costs nothing but its VMA.
 *
 * The NOMMU_MAP_* capabilities keep their meaning:
 *
 *  - "in place" (DIRECT, with READ/WRITE/EXEC for the protections): the
 *    page table entries point at the array itself.  Shared mappings must be
 *    in place, as on no-MMU, and may only have the protections the device
 *    offers.  Private ones are in place until written: the kernel copies a
 *    page on the first write to it (copy-on-write), so a private writable
 *    mapping of a read-only device is fine and never reaches the device.
 *  - "copy" (COPY, and a read method): a private mapping the device cannot
 *    hold in place gets a page of its own per fault, filled with what
 *    read() returns at that moment.
 *
 * Flash states need no page table work.  Entries point at the array, and
 * the array shows the status bytes while the chip is busy, so every
 * existing in-place mapping shows them at once, as the bus would; copies
 * and copied-on-write pages do not, as on no-MMU.  Zapping the entries when
 * the state changes would only make every page fault again to find the
 * same page.  New mappings are refused with EBUSY while the chip is busy,
 * as on no-MMU.
 *
 * The -ENOSYS knobs are no-MMU only: with an MMU there is no "copy instead"
 * answer for a driver to give.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/xipmap.h>

#include "compat.h"
#include "xipmap.h"

/* How a VMA's pages are found: vm_private_data holds one of these. */
enum xipflash_way {
	XIPFLASH_IN_PLACE = 1,
	XIPFLASH_COPY,
};

/*
 * The VMA count (xipflash_vm_open/close in flash.c) works as on no-MMU:
 * mmap() counts the VMA it accepts, ->open the halves and fork's copies.
 */

/*
 * A page of the mapping was touched for the first time.  In place, it is
 * the array's own page, taken with a reference the page table entry keeps;
 * the kernel copies it first if this is a write to a private mapping.  As a
 * copy, it is a new page with what read() would return.  The array does not
 * move while a VMA maps it: the device goes only when the module does, and
 * every VMA holds the module through its file.
 *
 * No lock: read() holds flash->lock while it copies to user memory, which
 * may be a mapping of this same flash, and so fault.  A copy made while
 * the state changes may hold some of both, as a read() could not; nothing
 * waits on a chip that has no timing.
 */
static vm_fault_t xipflash_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct xipflash *flash = xipflash_from_file(vma->vm_file);
	void *src;
	struct page *page;

	if (vmf->pgoff >= flash->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	src = flash->base + (vmf->pgoff << PAGE_SHIFT);

	if (vma->vm_private_data == (void *)XIPFLASH_IN_PLACE) {
		page = virt_to_page(src);
		get_page(page);
	} else {
		page = alloc_page(GFP_HIGHUSER);
		if (!page)
			return VM_FAULT_OOM;
		memcpy_to_page(page, 0, src, PAGE_SIZE);
	}
	atomic64_inc(&flash->faults);
	vmf->page = page;
	return 0;
}

/* No ->map_pages: one fault per page touched, which the counter shows. */
static const struct vm_operations_struct xipflash_vm_ops = {
	.open	= xipflash_vm_open,
	.close	= xipflash_vm_close,
	.fault	= xipflash_fault,
};

/*
 * Can the array itself back this mapping?  Writes to a private mapping
 * never reach the device, so they need no capability.
 */
static bool xipflash_in_place(unsigned int caps, vm_flags_t flags)
{
	if (!(caps & XIPMAP_CAP_DIRECT))
		return false;
	if ((flags & VM_READ) && !(caps & XIPMAP_CAP_READ))
		return false;
	if ((flags & VM_EXEC) && !(caps & XIPMAP_CAP_EXEC))
		return false;
	if ((flags & VM_SHARED) && (flags & VM_WRITE) && !(caps & XIPMAP_CAP_WRITE))
		return false;
	return true;
}

/**
 * xipflash_mmap() - check a mapping of the flash; its pages come on fault
 * @file: the open device
 * @vma: the mapping
 *
 * The range must lie inside the flash: beyond it there is nothing to map.
 * A shared mapping is the device or nothing: ENODEV without DIRECT, as on
 * no-MMU, and EACCES for a protection the device does not offer, as for a
 * file opened without that permission.  Whatever the mapping may not
 * become later through mprotect() loses its VM_MAY* flag here, so
 * mprotect() answers EACCES too.  A private mapping is in place if it can
 * be, else a copy if the device can be read, else EACCES or ENODEV.
 *
 * Return: 0, or -EINVAL, -ENODEV, -EACCES, or -EBUSY while the chip is
 * programming or erasing.
 */
int xipflash_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xipflash *flash = xipflash_from_file(file);
	unsigned long pages = flash->size >> PAGE_SHIFT;
	unsigned int caps, state;
	vm_flags_t clear = 0;
	enum xipflash_way way;
	bool read;

	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	/* One moment's device: the ioctls change these under the lock. */
	mutex_lock(&flash->lock);
	caps = flash->caps;
	state = flash->state;
	read = flash->preset->read;
	mutex_unlock(&flash->lock);
	if (state != XIPMAP_STATE_READ_ARRAY)
		return -EBUSY;

	if (vma->vm_flags & VM_SHARED) {
		if (!(caps & XIPMAP_CAP_DIRECT))
			return -ENODEV;
		if (!xipflash_in_place(caps, vma->vm_flags))
			return -EACCES;
		way = XIPFLASH_IN_PLACE;
		if (!(caps & XIPMAP_CAP_WRITE))
			clear |= VM_MAYWRITE;
	} else if (xipflash_in_place(caps, vma->vm_flags)) {
		way = XIPFLASH_IN_PLACE;
	} else if ((caps & XIPMAP_CAP_COPY) && read) {
		way = XIPFLASH_COPY;
	} else {
		return caps & XIPMAP_CAP_DIRECT ? -EACCES : -ENODEV;
	}
	if (way == XIPFLASH_IN_PLACE) {
		if (!(caps & XIPMAP_CAP_READ))
			clear |= VM_MAYREAD;
		if (!(caps & XIPMAP_CAP_EXEC))
			clear |= VM_MAYEXEC;
	}

	/* The array is its pages: it cannot grow under a mapping. */
	xipmap_vm_flags_mod(vma, VM_DONTEXPAND, clear);
	vma->vm_private_data = (void *)way;
	vma->vm_ops = &xipflash_vm_ops;
	xipflash_vm_open(vma);
	if (way == XIPFLASH_IN_PLACE)
		atomic64_inc(&flash->direct_maps);
	return 0;
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
