// SPDX-License-Identifier: GPL-2.0
/*
 * xipramfs: regular files on a kernel with an MMU.
 *
 * With an MMU nothing needs to be contiguous and any file can be mapped
 * any way; the page cache is the file.  Mappings are demand-paged:
 * mmap() allocates nothing, and each page of a file comes into the page
 * cache and the mapping when it is first touched (xipramfs_fault()), so a
 * file much larger than memory, full of holes, can be mapped and used a
 * page at a time.  debugfs counts those faults (xipmap/xipramfs/faults).
 *
 * generic_file_vm_ops would do the same work, but filemap_fault() reads
 * ahead and filemap_map_pages() maps the pages around the one touched:
 * right for a disk, but on a RAM filesystem "reading ahead" a hole
 * allocates zeroed pages nobody asked for.  Here a fault costs one page.
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "compat.h"
#include "xipmap.h"

/*
 * Find or make the page at vmf->pgoff and hand it back locked.  A new page
 * is a hole: zeroed before anyone can map it.  It is dirty from birth, as
 * ramfs's pages are, so nothing takes it back while the file holds it.
 * i_size is checked again under the page lock: a truncate that shrank the
 * file first would otherwise find the page mapped after it unmapped the
 * range.
 */
static vm_fault_t xipramfs_fault(struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	struct inode *inode = file_inode(file);
	struct address_space *mapping = file->f_mapping;
	pgoff_t index = vmf->pgoff;
	struct folio *folio;

	if (index >= DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE))
		return VM_FAULT_SIGBUS;
	folio = xipmap_grab_folio(mapping, index, mapping_gfp_mask(mapping));
	if (!folio)
		return VM_FAULT_OOM;
	if (index >= DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE)) {
		folio_unlock(folio);
		folio_put(folio);
		return VM_FAULT_SIGBUS;
	}
	if (!folio_test_uptodate(folio)) {
		folio_zero_range(folio, 0, folio_size(folio));
		flush_dcache_folio(folio);
		folio_mark_uptodate(folio);
	}
	folio_mark_dirty(folio);
	xipramfs_count_fault();
	vmf->page = folio_file_page(folio, index);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct xipramfs_vm_ops = {
	.fault		= xipramfs_fault,
};

/*
 * Nothing to allocate or check: the file's size is checked on each fault,
 * as for any file, so a mapping may run past the end (SIGBUS there).
 */
static int xipramfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	file_accessed(file);
	vma->vm_ops = &xipramfs_vm_ops;
	return 0;
}

const struct file_operations xipramfs_file_operations = {
	.mmap		= xipramfs_mmap,
	.read_iter	= generic_file_read_iter,
	.write_iter	= generic_file_write_iter,
	.fsync		= noop_fsync,
	.splice_read	= xipmap_splice_read,
	.splice_write	= iter_file_splice_write,
	.llseek		= generic_file_llseek,
};

const struct inode_operations xipramfs_file_inode_operations = {
	.setattr	= simple_setattr,
	.getattr	= simple_getattr,
};
