// SPDX-License-Identifier: GPL-2.0
/*
 * xipramfs: regular files on a kernel without an MMU.
 *
 * Without an MMU a shared mapping of a file must be the file's memory
 * itself, so that memory must be one physically contiguous block at one
 * address.  The page cache does not give that: write() adds pages one at a
 * time, wherever the allocator finds them.  So, as the kernel's ramfs does
 * for POSIX shared memory, truncating an empty file up allocates the whole
 * size at once, as one block: the file's "run".
 *
 * The rule, which the tests check from user space:
 *  - only pages in the run are mapped in place (shared, or private and
 *    read-only): get_unmapped_area() gives their address;
 *  - a mapping that reaches past the run but not past EOF (pages a write()
 *    or a later truncate added) cannot be in place: get_unmapped_area()
 *    answers -ENOSYS, which the kernel turns into a copy for a private
 *    mapping and into ENODEV for a shared one;
 *  - no mapping in place reaches past EOF: EINVAL;
 *  - a truncate may not cut off pages that are mapped in place: ETXTBSY.
 *    Without an MMU nothing could take such a page away from a mapping.
 *
 * Private writable mappings are always copies (mm/nommu.c does not ask the
 * filesystem) and do not pin anything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/slab.h>

#include "compat.h"
#include "xipmap.h"

static unsigned int xipramfs_mmap_capabilities(struct file *file)
{
	return NOMMU_MAP_DIRECT | NOMMU_MAP_COPY | NOMMU_MAP_READ |
	       NOMMU_MAP_WRITE | NOMMU_MAP_EXEC;
}

/*
 * Where pages [pgoff, pgoff + len) of the file are in memory, if they can
 * be mapped in place: the mapping mustn't extend beyond EOF (-EINVAL), and
 * only the run is contiguous (-ENOSYS elsewhere, so the kernel copies).
 * Under xi->lock, which keeps the run and i_size from shrinking.
 */
static unsigned long xipramfs_run_address(struct inode *inode, pgoff_t pgoff,
					  unsigned long len)
{
	struct xipramfs_inode *xi = XIPRAMFS_I(inode);
	pgoff_t pages = DIV_ROUND_UP(len, PAGE_SIZE);
	pgoff_t eof = DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE);

	if (pgoff >= eof || pages > eof - pgoff)
		return -EINVAL;
	if (pgoff >= xi->run_pages || pages > xi->run_pages - pgoff)
		return -ENOSYS;
	return (unsigned long)xi->run + (pgoff << PAGE_SHIFT);
}

/*
 * Called for mappings that may be in place: shared ones and private
 * read-only ones.  Not called when another mapping of the same pages
 * already exists: the kernel shares its region instead, and checks again
 * with xipramfs_mmap().
 */
static unsigned long xipramfs_get_unmapped_area(struct file *file,
						unsigned long addr,
						unsigned long len,
						unsigned long pgoff,
						unsigned long flags)
{
	struct inode *inode = file_inode(file);
	struct xipramfs_inode *xi = XIPRAMFS_I(inode);
	unsigned long ret;

	mutex_lock(&xi->lock);
	ret = xipramfs_run_address(inode, pgoff, len);
	mutex_unlock(&xi->lock);
	return ret;
}

/*
 * A VMA is unmapped.  mm/nommu.c never splits or duplicates a file VMA, so
 * each one is closed once, after xipramfs_mmap() accepted it.  (Except
 * when do_mmap() fails after accepting, for want of memory: the VMA is
 * freed unclosed, and its record stays until the inode goes.)
 */
static void xipramfs_vm_close(struct vm_area_struct *vma)
{
	struct xipramfs_inode *xi = XIPRAMFS_I(file_inode(vma->vm_file));
	struct xipramfs_map *map = vma->vm_private_data;

	mutex_lock(&xi->lock);
	list_del(&map->node);
	mutex_unlock(&xi->lock);
	kfree(map);
}

static const struct vm_operations_struct xipramfs_vm_ops = {
	.close	= xipramfs_vm_close,
};

/*
 * The go-ahead for a mapping in place.  Between get_unmapped_area() and
 * here a truncate may have run, and a VMA sharing an older mapping's region
 * never went through get_unmapped_area() at all; so check again, under the
 * lock a truncate takes, and record the mapping before letting go of it.
 */
static int xipramfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct inode *inode = file_inode(file);
	struct xipramfs_inode *xi = XIPRAMFS_I(inode);
	unsigned long len = vma->vm_end - vma->vm_start;
	struct xipramfs_map *map;
	unsigned long addr;

	/*
	 * A private mapping that may not overlay the file (a traced process
	 * asked): let the kernel copy it.  Private writable mappings never get
	 * here; the kernel copies them without asking.
	 */
	if (!is_nommu_shared_mapping(vma->vm_flags))
		return -ENOSYS;

	map = kmalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	mutex_lock(&xi->lock);
	addr = xipramfs_run_address(inode, vma->vm_pgoff, len);
	if (!IS_ERR_VALUE(addr) && addr != vma->vm_start)
		addr = -EINVAL;
	if (IS_ERR_VALUE(addr)) {
		mutex_unlock(&xi->lock);
		kfree(map);
		return addr;
	}
	map->last = vma->vm_pgoff + DIV_ROUND_UP(len, PAGE_SIZE) - 1;
	list_add(&map->node, &xi->maps);
	mutex_unlock(&xi->lock);

	vma->vm_private_data = map;
	vma->vm_ops = &xipramfs_vm_ops;
	file_accessed(file);
	return 0;
}

const struct file_operations xipramfs_file_operations = {
	.mmap_capabilities	= xipramfs_mmap_capabilities,
	.get_unmapped_area	= xipramfs_get_unmapped_area,
	.mmap			= xipramfs_mmap,
	.read_iter		= generic_file_read_iter,
	.write_iter		= generic_file_write_iter,
	.fsync			= noop_fsync,
	.splice_read		= xipmap_splice_read,
	.splice_write		= iter_file_splice_write,
	.llseek			= generic_file_llseek,
};

/*
 * Truncate an empty file up to @newsize: allocate the run, one zeroed,
 * physically contiguous block of exactly the pages @newsize needs (the
 * power-of-two allocation trimmed), and put it in the page cache.  On
 * failure the file is as it was: empty, with no pages.
 */
static int xipramfs_expand(struct inode *inode, loff_t newsize)
{
	struct xipramfs_inode *xi = XIPRAMFS_I(inode);
	struct address_space *mapping = inode->i_mapping;
	gfp_t gfp = mapping_gfp_mask(mapping);
	struct page *pages;
	unsigned int order;
	pgoff_t npages, i;
	int ret;

	/*
	 * get_order() takes an unsigned long: on 32-bit a size of 4 GiB or
	 * more would lose its high bits and allocate too little, as
	 * fs/ramfs/file-nommu.c also knows.  No run is that large anyway.
	 */
	if (newsize >> 32)
		return -EFBIG;
	npages = DIV_ROUND_UP((unsigned long)newsize, PAGE_SIZE);
	order = get_order((unsigned long)newsize);
	/* One allocation is as large as a run can be. */
	if (order > XIPMAP_MAX_ORDER)
		return -EFBIG;
	ret = inode_newsize_ok(inode, newsize);
	if (ret)
		return ret;

	/* The caller gets ENOMEM: no allocation-failure splat in the log. */
	pages = alloc_pages(gfp | __GFP_NOWARN, order);
	if (!pages)
		return -ENOMEM;
	split_page(pages, order);
	for (i = npages; i < 1UL << order; i++)
		__free_page(pages + i);
	/* Fresh pages hold whatever their last user left. */
	memset(page_address(pages), 0, npages << PAGE_SHIFT);

	mutex_lock(&xi->lock);
	for (i = 0; i < npages; i++) {
		struct folio *folio = page_folio(pages + i);

		ret = filemap_add_folio(mapping, folio, i, gfp);
		if (ret)
			goto undo;
		folio_mark_uptodate(folio);
		folio_mark_dirty(folio);
		folio_unlock(folio);
		/* The page cache holds it now. */
		folio_put(folio);
	}
	xi->run = page_address(pages);
	xi->run_pages = npages;
	i_size_write(inode, newsize);
	mutex_unlock(&xi->lock);
	return 0;

undo:
	/* Pages [0, i) are the page cache's: it frees them.  The rest are ours. */
	truncate_inode_pages(mapping, 0);
	mutex_unlock(&xi->lock);
	for (; i < npages; i++)
		__free_page(pages + i);
	return ret;
}

/*
 * Any other change of size.  Growing adds no pages (write() adds them,
 * wherever the allocator likes) and moves none, so mappings are safe.
 * Shrinking may not cut a page that is mapped in place, partly or wholly.
 */
static int xipramfs_resize(struct inode *inode, loff_t newsize)
{
	struct xipramfs_inode *xi = XIPRAMFS_I(inode);
	pgoff_t first_cut = newsize >> PAGE_SHIFT;
	struct xipramfs_map *map;
	int ret = 0;

	mutex_lock(&xi->lock);
	if (newsize < i_size_read(inode)) {
		list_for_each_entry(map, &xi->maps, node) {
			if (map->last >= first_cut) {
				ret = -ETXTBSY;
				goto out;
			}
		}
		/* Below the old size: the new one's pages fit a pgoff_t. */
		xi->run_pages = min_t(pgoff_t, xi->run_pages, DIV_ROUND_UP(newsize, PAGE_SIZE));
		if (!xi->run_pages)
			xi->run = NULL;
	}
	truncate_setsize(inode, newsize);
out:
	mutex_unlock(&xi->lock);
	return ret;
}

static int xipramfs_setattr(struct xipmap_idmap *idmap, struct dentry *dentry,
			    struct iattr *ia)
{
	struct inode *inode = d_inode(dentry);
	int ret;

	ret = setattr_prepare(idmap, dentry, ia);
	if (ret)
		return ret;
	if ((ia->ia_valid & ATTR_SIZE) && ia->ia_size != i_size_read(inode)) {
		if (!i_size_read(inode))
			ret = xipramfs_expand(inode, ia->ia_size);
		else
			ret = xipramfs_resize(inode, ia->ia_size);
		if (ret)
			return ret;
	}
	setattr_copy(idmap, inode, ia);
	return 0;
}

const struct inode_operations xipramfs_file_inode_operations = {
	.setattr	= xipramfs_setattr,
	.getattr	= simple_getattr,
};
