// SPDX-License-Identifier: GPL-2.0
/*
 * xipramfs: regular files on a kernel with an MMU.
 *
 * With an MMU a mapping is built from the page cache a page at a time, as
 * it is touched, so nothing needs to be contiguous and any file can be
 * mapped any way: the generic helpers do it all, as for the kernel's ramfs.
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
