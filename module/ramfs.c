// SPDX-License-Identifier: GPL-2.0
/*
 * xipramfs: a ramfs-style filesystem whose files live in the page cache
 * and nowhere else, and whose files can be mapped shared on no-MMU kernels
 * (POSIX shared memory: open, ftruncate, mmap).
 *
 * This file is what every kernel shares: the filesystem type, superblock,
 * inodes and directories, mostly libfs helpers.  Regular files, which is
 * where mapping happens, are in ramfs-nommu.c or ramfs-mmu.c.
 *
 * Memory is the page cache's: pages are dirty and unevictable, so nothing
 * writes them back or reclaims them.  They go when a file is truncated,
 * when its last link and last user go, and on unmount.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>
#include <linux/xipmap.h>

#include "compat.h"
#include "xipmap.h"

/* "xipr", for statfs(2) f_type */
#define XIPRAMFS_MAGIC		0x78697072
#define XIPRAMFS_DEFAULT_MODE	0755

/**
 * struct xipramfs_fs_info - one mount's options
 * @mode:	permissions of the root directory (mode=, octal)
 */
struct xipramfs_fs_info {
	umode_t mode;
};

static struct kmem_cache *xipramfs_inode_cachep;
static const struct super_operations xipramfs_ops;
static const struct inode_operations xipramfs_dir_inode_operations;

static struct inode *xipramfs_get_inode(struct super_block *sb,
					const struct inode *dir, umode_t mode)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode_init_owner(XIPMAP_NOP_IDMAP, inode, dir, mode);
	/* ramfs's: pages are uptodate and dirty from birth, never written back. */
	inode->i_mapping->a_ops = &ram_aops;
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	mapping_set_unevictable(inode->i_mapping);
	xipmap_inode_init_ts(inode);
	if (S_ISDIR(mode)) {
		inode->i_op = &xipramfs_dir_inode_operations;
		inode->i_fop = &simple_dir_operations;
		/* "." */
		inc_nlink(inode);
	} else {
		inode->i_op = &xipramfs_file_inode_operations;
		inode->i_fop = &xipramfs_file_operations;
	}
	return inode;
}

/* Make a file or a directory in @dir: the inode lives as long as @dentry. */
static int xipramfs_make(struct inode *dir, struct dentry *dentry, umode_t mode)
{
	struct inode *inode = xipramfs_get_inode(dir->i_sb, dir, mode);
	int ret;

	if (!inode)
		return -ENOMEM;
	/*
	 * As mm/shmem.c: -EOPNOTSUPP means no LSM has an attribute to give
	 * (SELinux without a policy says so for every inode), not a failure.
	 */
	ret = security_inode_init_security(inode, dir, &dentry->d_name, NULL, NULL);
	if (ret && ret != -EOPNOTSUPP) {
		iput(inode);
		return ret;
	}
	d_instantiate(dentry, inode);
	/* The dentry is all that holds the file: pin it until unlink. */
	dget(dentry);
	xipmap_dir_changed(dir);
	return 0;
}

static int xipramfs_create(struct xipmap_idmap *idmap, struct inode *dir,
			   struct dentry *dentry, umode_t mode, bool excl)
{
	return xipramfs_make(dir, dentry, (mode & ~S_IFMT) | S_IFREG);
}

static int xipramfs_mkdir(struct xipmap_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode)
{
	int ret = xipramfs_make(dir, dentry, (mode & ~S_IFMT) | S_IFDIR);

	/* the new directory's ".." */
	if (!ret)
		inc_nlink(dir);
	return ret;
}

static const struct inode_operations xipramfs_dir_inode_operations = {
	.create		= xipramfs_create,
	.lookup		= simple_lookup,
	.link		= simple_link,
	.unlink		= simple_unlink,
	.mkdir		= xipramfs_mkdir,
	.rmdir		= simple_rmdir,
	.rename		= simple_rename,
};

static struct inode *xipramfs_alloc_inode(struct super_block *sb)
{
	struct xipramfs_inode *xi;

	xi = alloc_inode_sb(sb, xipramfs_inode_cachep, GFP_KERNEL);
	if (!xi)
		return NULL;
	xi->run = NULL;
	xi->run_pages = 0;
	return &xi->vfs_inode;
}

static void xipramfs_free_inode(struct inode *inode)
{
	struct xipramfs_inode *xi = XIPRAMFS_I(inode);
	struct xipramfs_map *map, *next;

	/*
	 * A VMA holds its file, so no inode dies mapped; but a record can
	 * outlive its VMA if do_mmap() failed after xipramfs_mmap() accepted
	 * it (see xipramfs_vm_close()).  The cache's objects keep an empty list.
	 */
	list_for_each_entry_safe(map, next, &xi->maps, node) {
		list_del(&map->node);
		kfree(map);
	}
	kmem_cache_free(xipramfs_inode_cachep, xi);
}

/* Pages held by the files of @sb: what statfs(2) reports as used. */
static unsigned long xipramfs_pages(struct super_block *sb)
{
	unsigned long pages = 0;
	struct inode *inode;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list)
		pages += READ_ONCE(inode->i_mapping->nrpages);
	spin_unlock(&sb->s_inode_list_lock);
	return pages;
}

/*
 * The kernel's ramfs reports no blocks at all.  xipramfs reports, in pages,
 * what its files hold as used and the system's free memory as free: there
 * is no other limit, and a test can see a file's pages come and go.
 */
static int xipramfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	unsigned long used = xipramfs_pages(dentry->d_sb);
	struct sysinfo si;

	si_meminfo(&si);
	buf->f_type = XIPRAMFS_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_namelen = NAME_MAX;
	buf->f_bfree = si.freeram;
	buf->f_bavail = si.freeram;
	buf->f_blocks = used + si.freeram;
	return 0;
}

static int xipramfs_show_options(struct seq_file *m, struct dentry *root)
{
	struct xipramfs_fs_info *fsi = root->d_sb->s_fs_info;

	if (fsi->mode != XIPRAMFS_DEFAULT_MODE)
		seq_printf(m, ",mode=%o", fsi->mode);
	return 0;
}

static const struct super_operations xipramfs_ops = {
	.alloc_inode	= xipramfs_alloc_inode,
	.free_inode	= xipramfs_free_inode,
	.statfs		= xipramfs_statfs,
	.drop_inode	= generic_delete_inode,
	.show_options	= xipramfs_show_options,
};

enum xipramfs_param {
	XIPRAMFS_OPT_MODE,
};

static const struct fs_parameter_spec xipramfs_fs_parameters[] = {
	fsparam_u32oct("mode", XIPRAMFS_OPT_MODE),
	{}
};

/* Unlike ramfs, which ignores them, unknown options are refused. */
static int xipramfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct xipramfs_fs_info *fsi = fc->s_fs_info;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, xipramfs_fs_parameters, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case XIPRAMFS_OPT_MODE:
		fsi->mode = result.uint_32 & S_IALLUGO;
		break;
	}
	return 0;
}

static int xipramfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct xipramfs_fs_info *fsi = sb->s_fs_info;
	struct inode *root;

	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = XIPRAMFS_MAGIC;
	sb->s_op = &xipramfs_ops;
	sb->s_time_gran = 1;

	root = xipramfs_get_inode(sb, NULL, S_IFDIR | fsi->mode);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	return 0;
}

static int xipramfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, xipramfs_fill_super);
}

static void xipramfs_free_fc(struct fs_context *fc)
{
	kfree(fc->s_fs_info);
}

static const struct fs_context_operations xipramfs_context_ops = {
	.free		= xipramfs_free_fc,
	.parse_param	= xipramfs_parse_param,
	.get_tree	= xipramfs_get_tree,
};

static int xipramfs_init_fs_context(struct fs_context *fc)
{
	struct xipramfs_fs_info *fsi;

	fsi = kzalloc(sizeof(*fsi), GFP_KERNEL);
	if (!fsi)
		return -ENOMEM;
	fsi->mode = XIPRAMFS_DEFAULT_MODE;
	/* The superblock takes it over; xipramfs_free_fc() frees it otherwise. */
	fc->s_fs_info = fsi;
	fc->ops = &xipramfs_context_ops;
	return 0;
}

/* Unmount: every file goes with its dentry, and its pages with it. */
static void xipramfs_kill_sb(struct super_block *sb)
{
	kfree(sb->s_fs_info);
	kill_litter_super(sb);
}

static struct file_system_type xipramfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "xipramfs",
	.init_fs_context	= xipramfs_init_fs_context,
	.parameters		= xipramfs_fs_parameters,
	.kill_sb		= xipramfs_kill_sb,
};

static void xipramfs_init_once(void *obj)
{
	struct xipramfs_inode *xi = obj;

	mutex_init(&xi->lock);
	INIT_LIST_HEAD(&xi->maps);
	inode_init_once(&xi->vfs_inode);
}

/**
 * xipramfs_register() - make "mount -t xipramfs" work
 *
 * A mounted xipramfs holds the module, so it cannot be unloaded under a
 * mount (or a mapping, which holds the mount).
 *
 * Return: 0, or a negative errno with nothing left behind.
 */
int xipramfs_register(void)
{
	int ret;

	xipramfs_inode_cachep = kmem_cache_create("xipramfs_inode_cache",
						  sizeof(struct xipramfs_inode), 0,
						  SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
						  xipramfs_init_once);
	if (!xipramfs_inode_cachep)
		return -ENOMEM;
	ret = register_filesystem(&xipramfs_fs_type);
	if (ret) {
		kmem_cache_destroy(xipramfs_inode_cachep);
		return ret;
	}
	return 0;
}

/**
 * xipramfs_unregister() - undo xipramfs_register()
 *
 * Only called when nothing is mounted: a mount holds the module.
 */
void xipramfs_unregister(void)
{
	unregister_filesystem(&xipramfs_fs_type);
	/* Inodes are freed after an RCU grace period: wait for the last. */
	rcu_barrier();
	kmem_cache_destroy(xipramfs_inode_cachep);
}
