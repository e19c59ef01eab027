/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xipmap: the differences between the kernels the module builds against
 * (Debian's 6.1 and 6.12), in one place.  Feature tests where the kernel
 * gives one; version numbers only where an API changed without a macro to
 * test, and then the version that changed it.
 */
#ifndef _XIPMAP_COMPAT_H
#define _XIPMAP_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/version.h>

/*
 * The largest order the page allocator hands out.  6.8 named it
 * MAX_PAGE_ORDER; before 6.4, MAX_ORDER was one past it.  (6.4 to 6.7 had
 * an inclusive MAX_ORDER: there this refuses the largest order, which is
 * safe.)
 */
#ifdef MAX_PAGE_ORDER
#define XIPMAP_MAX_ORDER	MAX_PAGE_ORDER
#else
#define XIPMAP_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * 6.3 gave read-only MAP_PRIVATE file mappings on no-MMU a flag of their
 * own, VM_MAYOVERLAY, and is_nommu_shared_mapping() to test for either;
 * before, such mappings carried VM_MAYSHARE.
 */
#if !defined(CONFIG_MMU) && !defined(VM_MAYOVERLAY)
static inline bool is_nommu_shared_mapping(vm_flags_t flags)
{
	return flags & VM_MAYSHARE;
}
#endif

/*
 * 6.3 passed inode operations the mount's idmapping, struct mnt_idmap,
 * where they had taken its user namespace.  Filesystems that do not
 * support idmapped mounts pass the identity: nop_mnt_idmap, or before,
 * init_user_ns.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define xipmap_idmap		mnt_idmap
#define XIPMAP_NOP_IDMAP	(&nop_mnt_idmap)
#else
#define xipmap_idmap		user_namespace
#define XIPMAP_NOP_IDMAP	(&init_user_ns)
#endif

/* 6.5 replaced generic_file_splice_read() with filemap_splice_read(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define xipmap_splice_read	filemap_splice_read
#else
#define xipmap_splice_read	generic_file_splice_read
#endif

/* 6.7 hid an inode's timestamps behind accessors. */
static inline void xipmap_inode_init_ts(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	simple_inode_init_ts(inode);
#else
	struct timespec64 now = current_time(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
#endif
}

/* A directory's entries changed: its mtime and ctime are now. */
static inline void xipmap_dir_changed(struct inode *dir)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
#else
	struct timespec64 now = current_time(dir);

	dir->i_mtime = now;
	dir->i_ctime = now;
#endif
}

/*
 * 6.3 made vm_flags read-only outside mm and gave drivers vm_flags_mod() to
 * set and clear them while the VMA is being set up.
 */
static inline void xipmap_vm_flags_mod(struct vm_area_struct *vma,
				       vm_flags_t set, vm_flags_t clear)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

#endif /* _XIPMAP_COMPAT_H */
