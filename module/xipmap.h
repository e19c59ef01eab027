/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xipmap: declarations shared between the files of the module.
 */
#ifndef _XIPMAP_H
#define _XIPMAP_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>

/**
 * struct xipflash_preset - what a personality sets
 * @name:	its name, for the module parameter and sysfs
 * @caps:	XIPMAP_CAP_*
 * @read:	files opened on the device get a read method
 * @program:	write() programs (bits go from 1 to 0 only), as on flash;
 *		otherwise it stores bytes as they are, as on RAM
 */
struct xipflash_preset {
	const char *name;
	unsigned int caps;
	bool read;
	bool program;
};

/**
 * struct xipflash - one fake XIP flash device
 * @misc:	the character device, /dev/xipflashN
 * @name:	"xipflashN", the name of the node
 * @base:	the flash array: physically contiguous and page-aligned.  It
 *		holds the data in read-array state and status bytes while the
 *		chip is busy; direct mappings see it either way.
 * @size:	bytes in @base, a power of two of at least one page
 * @erasesize:	bytes in an erase block
 * @lock:	serialises state changes, writes and erases; never held
 *		across a copy to or from user memory, which may sleep for ever
 * @data:	the data while the chip is busy (@base shows status then);
 *		NULL in read-array state.  Under @lock.
 * @state:	XIPMAP_STATE_*
 * @personality: XIPMAP_PERSONALITY_* last set
 * @preset:	the personality's preset
 * @caps:	XIPMAP_CAP_* the device offers
 * @enosys:	XIPMAP_ENOSYS_* knobs
 *
 * @state, @personality, @preset, @caps and @enosys are written under @lock
 * with WRITE_ONCE(); the mmap() hooks and open() read them under @lock,
 * and sysfs and the advisory no-MMU hooks (mmap_capabilities(),
 * get_unmapped_area()) with READ_ONCE().
 * @mappings:	mappings the driver accepted and has not seen closed
 * @direct_maps: times the driver's mmap() accepted a direct mapping
 * @enosys_answers: times a hook answered -ENOSYS
 * @debugfs:	its directory of counters, /sys/kernel/debug/xipmap/xipflashN
 */
struct xipflash {
	struct miscdevice misc;
	char name[16];
	void *base;
	size_t size;
	size_t erasesize;
	struct mutex lock;	/* state, data, writes and erases */
	void *data;
	unsigned int state;
	unsigned int personality;
	const struct xipflash_preset *preset;
	unsigned int caps;
	unsigned int enosys;
	atomic_t mappings;
	atomic64_t direct_maps;
	atomic64_t enosys_answers;
	struct dentry *debugfs;
};

extern struct dentry *xipmap_debugfs_dir;
void xipmap_debugfs_create_counter(const char *name, struct dentry *parent,
				   atomic64_t *counter);

extern const struct xipflash_preset xipflash_presets[];
extern const unsigned int xipflash_nr_presets;

int xipflash_personality_by_name(const char *name);
int xipflash_create(struct xipflash *flash, unsigned int index, size_t size,
		    unsigned int personality);
void xipflash_destroy(struct xipflash *flash);

struct xipflash *xipflash_from_file(struct file *file);
void xipflash_vm_open(struct vm_area_struct *vma);
void xipflash_vm_close(struct vm_area_struct *vma);

/* The mapping hooks: flash-nommu.c or flash-mmu.c, as Kbuild picks. */
int xipflash_mmap(struct file *file, struct vm_area_struct *vma);
u64 xipflash_direct_base(const struct xipflash *flash);

/* -ENOSYS, counted: the hooks' way of asking the kernel to copy. */
static inline int xipflash_enosys(struct xipflash *flash)
{
	atomic64_inc(&flash->enosys_answers);
	return -ENOSYS;
}

#ifndef CONFIG_MMU
unsigned int xipflash_mmap_capabilities(struct file *file);
unsigned long xipflash_get_unmapped_area(struct file *file, unsigned long addr,
					 unsigned long len, unsigned long pgoff,
					 unsigned long flags);
#endif

/**
 * struct xipramfs_inode - an inode of xipramfs
 * @lock:	serialises the run and @maps: mmap() against truncate
 * @run:	the kernel address of the file's run, or NULL
 * @run_pages:	the file's first @run_pages pages are its run: one physically
 *		contiguous block, made when the file was truncated up from
 *		empty.  Only the run can be mapped in place on no-MMU.
 * @maps:	struct xipramfs_map of each VMA mapping the run in place
 * @vfs_inode:	the VFS inode
 */
struct xipramfs_inode {
	struct mutex lock;	/* run, run_pages, maps */
	void *run;
	pgoff_t run_pages;
	struct list_head maps;
	struct inode vfs_inode;
};

/**
 * struct xipramfs_map - one VMA that maps a file's run in place (no-MMU)
 * @node:	in xipramfs_inode.maps
 * @last:	the last page of the file it maps
 */
struct xipramfs_map {
	struct list_head node;
	pgoff_t last;
};

static inline struct xipramfs_inode *XIPRAMFS_I(struct inode *inode)
{
	return container_of(inode, struct xipramfs_inode, vfs_inode);
}

int xipramfs_register(void);
void xipramfs_unregister(void);

/* Regular files: ramfs-nommu.c or ramfs-mmu.c, as Kbuild picks. */
extern const struct file_operations xipramfs_file_operations;
extern const struct inode_operations xipramfs_file_inode_operations;

#endif /* _XIPMAP_H */
