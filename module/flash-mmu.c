// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: mapping the flash on a kernel with an MMU.
 *
 * With an MMU every mapping is made of page table entries, and they can be
 * filled in late: mmap() only checks the request; each page is mapped by
 * xipflash_fault() the first time it is touched (demand paging).  A mapping
 * larger than anyone touches costs nothing but its VMA.
 *
 * The idiom is the one sound/core/pcm_native.c uses for its buffers: the
 * flash is ordinary kernel memory with a struct page per page, and ->fault
 * hands back the array's own page with a reference the page table entry
 * keeps.  So the kernel's own paths apply unchanged: a write to a private
 * mapping copies the page into one the kernel allocates and charges to the
 * process's memory cgroup (copy-on-write), get_user_pages() and ptrace see
 * the copy rule too, and a page someone still holds (a pipe that vmsplice()d
 * it, say) outlives the module's free_pages_exact() by its refcount.  A
 * VM_PFNMAP mapping (remap_pfn_range(), vm_iomap_memory(), what MTD does for
 * real flash) would have none of that: no COW of a shared range, and with
 * generic_access_phys() as ->access, ptrace's PTRACE_POKEDATA into a private
 * read-only mapping would write the device itself.  vm_insert_pages() would
 * keep the struct pages but map every page at mmap() time, which is what
 * demand paging avoids.  There is no ->map_pages: filemap_map_pages() and
 * fault-around are for pages in a page cache, which the flash is not.
 *
 * The NOMMU_MAP_* capabilities keep their meaning where an MMU gives them
 * one (docs/mmu.md):
 *
 *  - DIRECT, with READ/WRITE/EXEC for the protections: every mapping is the
 *    array itself, in place.  Shared mappings may only have the protections
 *    the device offers.  Private ones are in place until written, and a
 *    write never reaches the device, so it needs no capability.
 *  - COPY has nothing to stand for.  No-MMU copies a private mapping by
 *    read() into memory the kernel allocates; an MMU kernel has no such
 *    path for a driver, which would have to allocate pages itself, pages no
 *    memory cgroup is charged for and an unprivileged user could pin.  As
 *    mtdchar_mmap() does on MMU kernels, what cannot be mapped in place is
 *    refused: user space reads it.
 *
 * Flash states need no page table work.  Entries point at the array, and
 * the array shows the status bytes while the chip is busy, so every
 * existing in-place mapping shows them at once, as the bus would; pages
 * already copied on write do not.  Zapping the entries when the state
 * changes would only make every page fault again to find the same page.
 * New mappings of a busy chip are what they are on no-MMU: the ones no-MMU
 * maps in place (shared, and private read-only) are EBUSY; a private
 * writable one, which no-MMU copies from what read() shows then, is made
 * and shows what the array shows until a page is written.
 *
 * The -ENOSYS knobs are no-MMU only: with an MMU there is no "copy instead"
 * answer for a driver to give.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/xipmap.h>

#include "compat.h"
#include "xipmap.h"

/*
 * The VMA count (xipflash_vm_open/close in flash.c) works as on no-MMU:
 * mmap() counts the VMA it accepts, ->open the halves and fork's copies.
 */

/*
 * A page of the mapping was touched for the first time: the array's own
 * page, with a reference for the page table entry.  The kernel copies it
 * first if this is a write to a private mapping (vmf->cow_page).  The array
 * does not move while a VMA maps it: the device goes only when the module
 * does, and every VMA holds the module through its file.  No lock: nothing
 * here reads what the ioctls change.
 */
static vm_fault_t xipflash_fault(struct vm_fault *vmf)
{
	struct xipflash *flash = xipflash_from_file(vmf->vma->vm_file);
	struct page *page;

	if (vmf->pgoff >= flash->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(flash->base + (vmf->pgoff << PAGE_SHIFT));
	get_page(page);
	vmf->page = page;
	return 0;
}

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
 * Every mapping is the array in place, so it needs DIRECT (ENODEV without,
 * as mtdchar_mmap() answers) and, for what it may read or execute and for
 * shared writes, the capability (EACCES, as for a file opened without that
 * permission).  Whatever the mapping may not become later through
 * mprotect() loses its VM_MAY* flag here, so mprotect() answers EACCES too.
 *
 * Return: 0, or -EINVAL, -ENODEV, -EACCES, or -EBUSY while the chip is
 * programming or erasing (except for a private writable mapping).
 */
int xipflash_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xipflash *flash = xipflash_from_file(file);
	unsigned long pages = flash->size >> PAGE_SHIFT;
	vm_flags_t clear = 0;
	unsigned int caps, state;

	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	/* One moment's device: the ioctls change these under the lock. */
	mutex_lock(&flash->lock);
	caps = flash->caps;
	state = flash->state;
	mutex_unlock(&flash->lock);

	if (!(caps & XIPMAP_CAP_DIRECT))
		return -ENODEV;
	if (!xipflash_in_place(caps, vma->vm_flags))
		return -EACCES;
	if (state != XIPMAP_STATE_READ_ARRAY &&
	    ((vma->vm_flags & VM_SHARED) || !(vma->vm_flags & VM_WRITE)))
		return -EBUSY;

	if (!(caps & XIPMAP_CAP_READ))
		clear |= VM_MAYREAD;
	if (!(caps & XIPMAP_CAP_EXEC))
		clear |= VM_MAYEXEC;
	if ((vma->vm_flags & VM_SHARED) && !(caps & XIPMAP_CAP_WRITE))
		clear |= VM_MAYWRITE;
	/* The array is its pages: it cannot grow under a mapping. */
	xipmap_vm_flags_mod(vma, VM_DONTEXPAND, clear);
	vma->vm_ops = &xipflash_vm_ops;
	xipflash_vm_open(vma);
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
