// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: a fake execute-in-place NOR flash.
 *
 * The "flash" is one physically contiguous run of pages.  read() and
 * llseek() see it as a file of fixed size; how it is mapped depends on the
 * kernel and lives in flash-nommu.c or flash-mmu.c.  The file_operations
 * table below is the map of the driver.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/uio.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/xipmap.h>

#include "xipmap.h"

/* A NOR flash: readable and executable in place, never written in place. */
#define XIPFLASH_NOR_CAPS \
	(XIPMAP_CAP_COPY | XIPMAP_CAP_DIRECT | XIPMAP_CAP_READ | XIPMAP_CAP_EXEC)

/**
 * xipflash_from_file() - the flash device an open file refers to
 * @file: a file opened on /dev/xipflashN
 *
 * misc_open() leaves the miscdevice in file->private_data.
 *
 * Return: the device; it lives as long as the file is open.
 */
struct xipflash *xipflash_from_file(struct file *file)
{
	return container_of(file->private_data, struct xipflash, misc);
}

/*
 * read_iter, not read: a private mapping that is not direct is a copy the
 * kernel fills with kernel_read(), and kernel_read() only uses read_iter.
 */
static ssize_t xipflash_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct xipflash *flash = xipflash_from_file(iocb->ki_filp);
	loff_t pos = iocb->ki_pos;
	size_t count, copied;

	if (pos < 0)
		return -EINVAL;
	if (pos >= flash->size)
		return 0;
	count = min_t(size_t, iov_iter_count(to), flash->size - pos);
	copied = copy_to_iter(flash->base + pos, count, to);
	if (!copied && count)
		return -EFAULT;
	iocb->ki_pos = pos + copied;
	return copied;
}

static loff_t xipflash_llseek(struct file *file, loff_t offset, int whence)
{
	struct xipflash *flash = xipflash_from_file(file);

	return fixed_size_llseek(file, offset, whence, flash->size);
}

static long xipflash_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct xipflash *flash = xipflash_from_file(file);
	void __user *uarg = (void __user *)arg;
	struct xipmap_info info;

	switch (cmd) {
	case XIPMAP_IOC_INFO:
		memset(&info, 0, sizeof(info));
		info.size = flash->size;
		info.base = xipflash_direct_base(flash);
		info.caps = flash->caps;
		info.mappings = atomic_read(&flash->mappings);
		info.mmap_calls = atomic64_read(&flash->mmap_calls);
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations xipflash_fops = {
	.owner			= THIS_MODULE,
	.llseek			= xipflash_llseek,
	.read_iter		= xipflash_read_iter,
	.unlocked_ioctl		= xipflash_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
	.mmap			= xipflash_mmap,
#ifndef CONFIG_MMU
	.get_unmapped_area	= xipflash_get_unmapped_area,
	.mmap_capabilities	= xipflash_mmap_capabilities,
#endif
};

static struct xipflash *xipflash_from_dev(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct xipflash, misc);
}

static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%zu\n", xipflash_from_dev(dev)->size);
}
static DEVICE_ATTR_RO(size);

static ssize_t mappings_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&xipflash_from_dev(dev)->mappings));
}
static DEVICE_ATTR_RO(mappings);

static struct attribute *xipflash_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_mappings.attr,
	NULL
};
ATTRIBUTE_GROUPS(xipflash);

/* Fill the array with the pattern documented in uapi/linux/xipmap.h. */
static void xipflash_fill_pattern(struct xipflash *flash)
{
	u8 *p = flash->base;
	size_t off;

	for (off = 0; off < flash->size; off++)
		p[off] = xipmap_pattern(off);
}

/**
 * xipflash_create() - allocate a flash array and register its device
 * @flash: zeroed device structure to set up
 * @index: N in /dev/xipflashN
 * @size: bytes of flash; a power of two of at least one page that the page
 *	  allocator can hand out in one run (the caller checks)
 *
 * Return: 0, or a negative errno with nothing left allocated or registered.
 */
int xipflash_create(struct xipflash *flash, unsigned int index, size_t size)
{
	int ret;

	flash->size = size;
	flash->caps = XIPFLASH_NOR_CAPS;
	atomic_set(&flash->mappings, 0);
	atomic64_set(&flash->mmap_calls, 0);
	snprintf(flash->name, sizeof(flash->name), XIPMAP_FLASH_NAME "%u", index);

	/* Direct mappings hand out this address: it must be one run of pages. */
	flash->base = alloc_pages_exact(size, GFP_KERNEL | __GFP_NOWARN);
	if (!flash->base) {
		pr_err("%s: cannot allocate %zu contiguous bytes\n", flash->name, size);
		return -ENOMEM;
	}
	xipflash_fill_pattern(flash);

	flash->misc.minor = MISC_DYNAMIC_MINOR;
	flash->misc.name = flash->name;
	flash->misc.fops = &xipflash_fops;
	flash->misc.groups = xipflash_groups;
	flash->misc.mode = 0644;
	ret = misc_register(&flash->misc);
	if (ret) {
		pr_err("%s: cannot register the device: %d\n", flash->name, ret);
		free_pages_exact(flash->base, size);
		flash->base = NULL;
		return ret;
	}
	return 0;
}

/**
 * xipflash_destroy() - unregister a flash device and free its array
 * @flash: a device xipflash_create() set up
 *
 * Every mapping holds a reference on its file and so on the module: the
 * module cannot be unloaded, and this cannot run, while one is alive.
 */
void xipflash_destroy(struct xipflash *flash)
{
	misc_deregister(&flash->misc);
	/*
	 * Not a WARN: if do_mmap() fails after the driver accepted a mapping
	 * (out of memory for the VMA tree), the VMA is freed without ->close.
	 */
	if (atomic_read(&flash->mappings))
		pr_warn("%s: %d mappings never closed\n", flash->name,
			atomic_read(&flash->mappings));
	free_pages_exact(flash->base, flash->size);
	flash->base = NULL;
}
