// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: mapping the flash on a kernel without an MMU.
 *
 * Without an MMU nothing can be remapped: a mapping either is the flash
 * array itself (a "direct" mapping, execute-in-place) or is a copy the
 * kernel reads into memory it allocates.  mm/nommu.c decides which from
 * three hooks, called in this order:
 *
 *  1. mmap_capabilities(): what the device could allow at all;
 *  2. get_unmapped_area(): where a direct mapping would be;
 *  3. mmap(): the go-ahead for a direct mapping (or -ENOSYS: copy it).
 *
 * See Documentation/admin-guide/mm/nommu-mmap.rst and docs/driver-guide.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/xipmap.h>

#include "compat.h"
#include "xipmap.h"

/**
 * xipflash_mmap_capabilities() - the NOMMU_MAP_* a flash device offers
 * @file: the open device
 *
 * COPY lets MAP_PRIVATE take a copy through read(); DIRECT lets mappings be
 * the array itself, with the READ/WRITE/EXEC bits saying which protections
 * a direct mapping may have.  A request the direct bits do not cover is
 * copied when private and refused (EINVAL) when shared.
 *
 * Return: a mask of NOMMU_MAP_* flags.
 */
unsigned int xipflash_mmap_capabilities(struct file *file)
{
	unsigned int caps = READ_ONCE(xipflash_from_file(file)->caps);
	unsigned int nommu = 0;

	if (caps & XIPMAP_CAP_COPY)
		nommu |= NOMMU_MAP_COPY;
	if (caps & XIPMAP_CAP_DIRECT)
		nommu |= NOMMU_MAP_DIRECT;
	if (caps & XIPMAP_CAP_READ)
		nommu |= NOMMU_MAP_READ;
	if (caps & XIPMAP_CAP_WRITE)
		nommu |= NOMMU_MAP_WRITE;
	if (caps & XIPMAP_CAP_EXEC)
		nommu |= NOMMU_MAP_EXEC;
	return nommu;
}

/**
 * xipflash_get_unmapped_area() - where a direct mapping of the flash lies
 * @file: the open device
 * @addr: the caller's hint; without an MMU there is no choice to make
 * @len: bytes to map, never 0 (do_mmap() refuses that first)
 * @pgoff: offset into the flash, in pages
 * @flags: MAP_* flags of the request
 *
 * A direct mapping is the array itself, so its address is fixed by the
 * offset.  The mapping mustn't extend beyond the end of the flash: there is
 * nothing there to map, and nothing the kernel could clear.  -ENOSYS here
 * means "I won't say where": the kernel copies a private mapping if the
 * device has NOMMU_MAP_COPY and fails anything else with ENODEV.
 *
 * Whether the chip is busy is mmap()'s question, not this one's: a new
 * mapping that shares an existing region never comes here.
 *
 * Return: the address of byte @pgoff * PAGE_SIZE of the array; -ENOSYS
 * when the knob says so; -EINVAL for a range that does not lie wholly
 * inside the array.
 */
unsigned long xipflash_get_unmapped_area(struct file *file, unsigned long addr,
					 unsigned long len, unsigned long pgoff,
					 unsigned long flags)
{
	struct xipflash *flash = xipflash_from_file(file);
	unsigned long pages = flash->size >> PAGE_SHIFT;

	if (READ_ONCE(flash->enosys) & XIPMAP_ENOSYS_GUA)
		return (unsigned long)xipflash_enosys(flash);
	/* pgoff first: shifting a huge pgoff would overflow. */
	if (pgoff >= pages || len > flash->size - (pgoff << PAGE_SHIFT))
		return (unsigned long)-EINVAL;
	return (unsigned long)flash->base + (pgoff << PAGE_SHIFT);
}

/*
 * Only ->close: mm/nommu.c never splits a file VMA (split_vma() refuses
 * any VMA with a vm_file, so munmap() of part of one is EINVAL) and never
 * duplicates one (there is no fork() without an MMU), so ->open would
 * never run.  Every VMA on a direct region is passed to mmap(), including
 * ones that share an existing region (6.12's do_mmap() calls
 * do_mmap_shared_file() for them, whatever the document says), so
 * counting in mmap() and uncounting in ->close balances.
 */
static const struct vm_operations_struct xipflash_vm_ops = {
	.close	= xipflash_vm_close,
};

/*
 * Whether the capabilities allow a direct mapping with these protections:
 * validate_mmap_request()'s rule, applied again with the capabilities of
 * now.
 */
static bool xipflash_direct_allowed(unsigned int caps, vm_flags_t flags)
{
	if (!(caps & XIPMAP_CAP_DIRECT))
		return false;
	if ((flags & VM_READ) && !(caps & XIPMAP_CAP_READ))
		return false;
	if ((flags & VM_WRITE) && !(caps & XIPMAP_CAP_WRITE))
		return false;
	if ((flags & VM_EXEC) && !(caps & XIPMAP_CAP_EXEC))
		return false;
	return true;
}

/*
 * The decision, under flash->lock so that the capabilities, the knobs and
 * the state it reads are those of one moment and cannot change before the
 * VMA is counted.
 */
static int xipflash_mmap_locked(struct xipflash *flash, struct vm_area_struct *vma)
{
	unsigned long start = (unsigned long)flash->base;
	bool shared = vma->vm_flags & VM_SHARED;

	lockdep_assert_held(&flash->lock);
	if (shared ? flash->enosys & XIPMAP_ENOSYS_SHARED :
		     flash->enosys & XIPMAP_ENOSYS_PRIVATE)
		return xipflash_enosys(flash);
	/*
	 * mm/nommu.c read the capabilities in mmap_capabilities(), before
	 * get_unmapped_area(); an ioctl may have changed them since.  What
	 * the device allows now decides: a private mapping is then copied if
	 * the device still allows copies, a shared one fails as
	 * validate_mmap_request() would have failed it.
	 */
	if (!xipflash_direct_allowed(flash->caps, vma->vm_flags)) {
		if (shared)
			return flash->caps & XIPMAP_CAP_DIRECT ? -EINVAL : -ENODEV;
		return flash->caps & XIPMAP_CAP_COPY ? xipflash_enosys(flash) : -ENODEV;
	}
	/*
	 * Nothing stable to map while the array shows status bytes.  Checked
	 * here, where every direct VMA passes, even one sharing a region.
	 */
	if (flash->state != XIPMAP_STATE_READ_ARRAY)
		return -EBUSY;
	/* The kernel placed it where get_unmapped_area() said: check, don't trust. */
	if (vma->vm_start != start + (vma->vm_pgoff << PAGE_SHIFT) ||
	    vma->vm_end > start + flash->size)
		return -EINVAL;

	vma->vm_ops = &xipflash_vm_ops;
	xipflash_vm_open(vma);
	atomic64_inc(&flash->direct_maps);
	return 0;
}

/**
 * xipflash_mmap() - accept a direct mapping of the flash
 * @file: the open device
 * @vma: the mapping
 *
 * mm/nommu.c copies private writable mappings, and those whose protection
 * the capabilities do not cover, without asking the driver.  It does ask
 * for a read-only private mapping made by a traced process: that one gets
 * no VM_MAYOVERLAY (the tracer may write to it), was never placed by
 * xipflash_get_unmapped_area(), and must be a copy.  So the first check:
 * only a shared mapping or a read-only private overlay may be the flash
 * itself; -ENOSYS asks the kernel to copy anything else.  The knobs make
 * the driver decline the others too: a private one is then copied, a
 * shared one fails with ENODEV.  This is the last hook the kernel calls,
 * so it is the final authority on the capabilities.
 *
 * The kernel also calls this for each new VMA that shares a direct region
 * another mapping made, so it sees (and counts) every direct VMA.
 *
 * Return: 0 when the mapping is the flash array, -ENOSYS to have it copied,
 * -EBUSY while the chip is programming or erasing, -ENODEV or -EINVAL for
 * a mapping the capabilities no longer allow.
 */
int xipflash_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xipflash *flash = xipflash_from_file(file);
	int ret;

	/* -ENOSYS is mm/nommu.c's word for "copy it instead", not a syscall error. */
	if (!is_nommu_shared_mapping(vma->vm_flags))
		return xipflash_enosys(flash);
	mutex_lock(&flash->lock);
	ret = xipflash_mmap_locked(flash, vma);
	mutex_unlock(&flash->lock);
	return ret;
}

/**
 * xipflash_direct_base() - the address user space sees for offset 0
 * @flash: the device
 *
 * Without an MMU, a direct mapping's address is the array's own address,
 * and any process that can open the device learns it from mmap() anyway.
 *
 * Return: the address of the flash array.
 */
u64 xipflash_direct_base(const struct xipflash *flash)
{
	return (unsigned long)flash->base;
}
