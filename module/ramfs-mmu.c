// SPDX-License-Identifier: GPL-2.0
/*
 * xipramfs: regular files on a kernel with an MMU.
 *
 * With an MMU nothing needs to be contiguous and any file can be mapped
 * any way; the page cache is the file.  So mapping is ramfs's, which is the
 * page cache's own (fs/ramfs/file-mmu.c): generic_file_mmap() and
 * generic_file_vm_ops.  filemap_fault() finds the page or, for a hole, adds
 * one that ram_aops' read_folio zeroes; it reads nothing ahead, since the
 * superblock's backing device (noop_backing_dev_info) has no readahead
 * window.  filemap_map_pages() maps, around the page touched, only pages
 * already in the cache and up to date, so a sparse file mapped whole still
 * costs one page per page touched.  filemap_page_mkwrite() dirties a page
 * on its first write, and truncation unmaps what it frees.
 *
 * ->map_pages matters beyond fewer faults: without it, a fault taken under
 * the per-VMA lock is retried under mmap_lock (vmf_can_call_fault()).
 */
#include <linux/fs.h>
#include <linux/mm.h>

#include "compat.h"
#include "xipmap.h"

const struct file_operations xipramfs_file_operations = {
	.mmap		= generic_file_mmap,
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
