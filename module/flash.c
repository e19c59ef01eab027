// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap: fake execute-in-place flash devices.
 *
 * Each "flash" is one physically contiguous run of pages.  read(), write()
 * and llseek() see it as a file of fixed size; ioctls set what kind of
 * device it pretends to be (its personality and mapping capabilities),
 * which of its mapping hooks answer -ENOSYS, and the state of the chip.
 * How it is mapped depends on the kernel and lives in flash-nommu.c or
 * flash-mmu.c.  The file_operations tables below are the map of the driver.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/xipmap.h>
#include <asm/byteorder.h>

#include "xipmap.h"

/* The one place that knows what each personality means. */
const struct xipflash_preset xipflash_presets[] = {
	[XIPMAP_PERSONALITY_NOR] = {
		.name = "nor",
		.caps = XIPMAP_CAP_DIRECT | XIPMAP_CAP_COPY | XIPMAP_CAP_READ |
			XIPMAP_CAP_EXEC,
		.read = true,
		.program = true,
	},
	[XIPMAP_PERSONALITY_RAM] = {
		.name = "ram",
		.caps = XIPMAP_CAP_DIRECT | XIPMAP_CAP_COPY | XIPMAP_CAP_READ |
			XIPMAP_CAP_WRITE | XIPMAP_CAP_EXEC,
		.read = true,
	},
	[XIPMAP_PERSONALITY_NAND] = {
		.name = "nand",
		.caps = XIPMAP_CAP_COPY,
		.read = true,
		.program = true,
	},
	[XIPMAP_PERSONALITY_FB] = {
		.name = "fb",
		.caps = XIPMAP_CAP_DIRECT | XIPMAP_CAP_READ | XIPMAP_CAP_WRITE,
	},
};

const unsigned int xipflash_nr_presets = ARRAY_SIZE(xipflash_presets);

/**
 * xipflash_personality_by_name() - look a personality up by its name
 * @name: "nor", "ram", "nand" or "fb"
 *
 * Return: its XIPMAP_PERSONALITY_* number, or -EINVAL.
 */
int xipflash_personality_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xipflash_presets); i++)
		if (sysfs_streq(name, xipflash_presets[i].name))
			return i;
	return -EINVAL;
}

static const char *const xipflash_state_names[] = {
	[XIPMAP_STATE_READ_ARRAY]	= "read-array",
	[XIPMAP_STATE_PROGRAM]		= "program",
	[XIPMAP_STATE_ERASE]		= "erase",
};

static const u8 xipflash_status[] = {
	[XIPMAP_STATE_PROGRAM]	= XIPMAP_STATUS_PROGRAM,
	[XIPMAP_STATE_ERASE]	= XIPMAP_STATUS_ERASE,
};

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

/**
 * xipflash_vm_open() - count a VMA of the flash
 * @vma: a VMA the driver's mmap() accepted, or (MMU) a copy or half of one
 *
 * The mapping hooks' mmap() calls it for the VMA it accepts.  With an MMU
 * it is also vm_ops->open, which the kernel calls for each VMA split from
 * one (a partial munmap() or mprotect()) or copied by fork().  Without an
 * MMU neither happens to a file VMA, and flash-nommu.c has no ->open.
 */
void xipflash_vm_open(struct vm_area_struct *vma)
{
	atomic_inc(&xipflash_from_file(vma->vm_file)->mappings);
}

/**
 * xipflash_vm_close() - a counted VMA of the flash went away
 * @vma: the VMA
 *
 * vm_ops->close: the kernel calls it once for each VMA counted above.
 */
void xipflash_vm_close(struct vm_area_struct *vma)
{
	atomic_dec(&xipflash_from_file(vma->vm_file)->mappings);
}

/* Where the data is: the array itself, or its copy while the chip is busy. */
static u8 *xipflash_data(struct xipflash *flash)
{
	lockdep_assert_held(&flash->lock);
	return flash->data ?: flash->base;
}

/*
 * read_iter, not read: a private mapping that is not direct is a copy the
 * kernel fills with kernel_read(), and kernel_read() only uses read_iter.
 * It reads the array as the bus would: status bytes while the chip is busy.
 *
 * A copy to user memory can sleep for ever (a userfaultfd page nobody
 * answers, FUSE).  So, as read_mem() in drivers/char/mem.c, each page is
 * copied into a bounce page under the lock and out to the user with no
 * lock held: open(), the ioctls and the fault handler never wait for a
 * user's buffer.
 */
static ssize_t xipflash_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct xipflash *flash = xipflash_from_file(iocb->ki_filp);
	loff_t pos = iocb->ki_pos;
	size_t count, done = 0;
	void *bounce;

	if (pos < 0)
		return -EINVAL;
	if (pos >= flash->size)
		return 0;
	count = min_t(size_t, iov_iter_count(to), flash->size - pos);
	if (!count)
		return 0;
	bounce = (void *)__get_free_page(GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		size_t n = min_t(size_t, count - done, PAGE_SIZE);
		size_t copied;

		mutex_lock(&flash->lock);
		memcpy(bounce, flash->base + pos + done, n);
		mutex_unlock(&flash->lock);
		copied = copy_to_iter(bounce, n, to);
		done += copied;
		if (copied < n)
			break;
	}
	free_page((unsigned long)bounce);
	if (!done)
		return -EFAULT;
	iocb->ki_pos = pos + done;
	return done;
}

/*
 * Program, as a NOR chip does, or store, as RAM does.  In read-array state
 * this changes the array in place, so direct mappings see it at once; while
 * the chip is busy it changes the data they will see again afterwards.
 * Each page comes from the user into a bounce page with no lock held (see
 * xipflash_read_iter()), then goes to the array under the lock.
 */
static ssize_t xipflash_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct xipflash *flash = xipflash_from_file(iocb->ki_filp);
	loff_t pos = iocb->ki_pos;
	size_t count, done = 0;
	u8 *bounce;

	if (pos < 0)
		return -EINVAL;
	if (!iov_iter_count(from))
		return 0;
	if (pos >= flash->size)
		return -ENOSPC;
	count = min_t(size_t, iov_iter_count(from), flash->size - pos);
	bounce = (u8 *)__get_free_page(GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		size_t n = min_t(size_t, count - done, PAGE_SIZE);
		size_t i;
		u8 *data;

		n = copy_from_iter(bounce, n, from);
		if (!n)
			break;
		mutex_lock(&flash->lock);
		data = xipflash_data(flash) + pos + done;
		if (flash->preset->program) {
			for (i = 0; i < n; i++)
				data[i] &= bounce[i];
		} else {
			memcpy(data, bounce, n);
		}
		mutex_unlock(&flash->lock);
		done += n;
	}
	free_page((unsigned long)bounce);
	if (!done)
		return -EFAULT;
	iocb->ki_pos = pos + done;
	return done;
}

static loff_t xipflash_llseek(struct file *file, loff_t offset, int whence)
{
	struct xipflash *flash = xipflash_from_file(file);

	return fixed_size_llseek(file, offset, whence, flash->size);
}

static int xipflash_set_state(struct xipflash *flash, unsigned int state)
{
	int ret = 0;

	if (state >= ARRAY_SIZE(xipflash_state_names))
		return -EINVAL;

	mutex_lock(&flash->lock);
	if (state == flash->state)
		goto out;
	if (state == XIPMAP_STATE_READ_ARRAY) {
		/* Done: the data is back on the bus. */
		memcpy(flash->base, flash->data, flash->size);
		kvfree(flash->data);
		flash->data = NULL;
	} else {
		if (!flash->data) {
			/*
			 * As large as the flash, at a user's request: failing
			 * is an answer (ENOMEM), not a reason to warn.
			 */
			flash->data = kvmalloc(flash->size, GFP_KERNEL | __GFP_NOWARN);
			if (!flash->data) {
				ret = -ENOMEM;
				goto out;
			}
			memcpy(flash->data, flash->base, flash->size);
		}
		memset(flash->base, xipflash_status[state], flash->size);
	}
	WRITE_ONCE(flash->state, state);
out:
	mutex_unlock(&flash->lock);
	return ret;
}

static int xipflash_erase(struct xipflash *flash, const struct xipmap_erase *req)
{
	if (!req->length || req->offset >= flash->size ||
	    req->length > flash->size - req->offset ||
	    !IS_ALIGNED(req->offset, flash->erasesize) ||
	    !IS_ALIGNED(req->length, flash->erasesize))
		return -EINVAL;

	mutex_lock(&flash->lock);
	memset(xipflash_data(flash) + req->offset, XIPMAP_ERASED, req->length);
	mutex_unlock(&flash->lock);
	return 0;
}

static void xipflash_set_personality(struct xipflash *flash, unsigned int personality)
{
	const struct xipflash_preset *preset = &xipflash_presets[personality];

	mutex_lock(&flash->lock);
	WRITE_ONCE(flash->personality, personality);
	WRITE_ONCE(flash->preset, preset);
	WRITE_ONCE(flash->caps, preset->caps);
	mutex_unlock(&flash->lock);
}

static void xipflash_get_info(struct xipflash *flash, struct xipmap_info *info)
{
	memset(info, 0, sizeof(*info));
	mutex_lock(&flash->lock);
	info->size = flash->size;
	info->base = xipflash_direct_base(flash);
	info->erasesize = flash->erasesize;
	info->caps = flash->caps;
	info->personality = flash->personality;
	info->flags = flash->preset->read ? 0 : XIPMAP_INFO_NO_READ;
	info->enosys = flash->enosys;
	info->state = flash->state;
	mutex_unlock(&flash->lock);
}

static long xipflash_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct xipflash *flash = xipflash_from_file(file);
	void __user *uarg = (void __user *)arg;
	struct xipmap_erase erase;
	struct xipmap_info info;
	u32 val;

	switch (cmd) {
	case XIPMAP_IOC_INFO:
		xipflash_get_info(flash, &info);
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	case XIPMAP_IOC_ERASE:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (copy_from_user(&erase, uarg, sizeof(erase)))
			return -EFAULT;
		return xipflash_erase(flash, &erase);
	case XIPMAP_IOC_SET_PERSONALITY:
	case XIPMAP_IOC_SET_CAPS:
	case XIPMAP_IOC_SET_ENOSYS:
	case XIPMAP_IOC_SET_STATE:
		break;
	default:
		return -ENOTTY;
	}

	/* The rest change how the device behaves for everyone. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (get_user(val, (u32 __user *)uarg))
		return -EFAULT;

	switch (cmd) {
	case XIPMAP_IOC_SET_PERSONALITY:
		if (val >= ARRAY_SIZE(xipflash_presets))
			return -EINVAL;
		xipflash_set_personality(flash, val);
		return 0;
	case XIPMAP_IOC_SET_CAPS:
		if (val & ~XIPMAP_CAP_ALL)
			return -EINVAL;
		mutex_lock(&flash->lock);
		WRITE_ONCE(flash->caps, val);
		mutex_unlock(&flash->lock);
		return 0;
	case XIPMAP_IOC_SET_ENOSYS:
		if (val & ~XIPMAP_ENOSYS_ALL)
			return -EINVAL;
		mutex_lock(&flash->lock);
		WRITE_ONCE(flash->enosys, val);
		mutex_unlock(&flash->lock);
		return 0;
	default:
		return xipflash_set_state(flash, val);
	}
}

static int xipflash_open(struct inode *inode, struct file *file);

/*
 * Two tables: a device without a read method (the fb personality) is one
 * whose open files have no ->read_iter, so that the kernel knows it cannot
 * copy it (no FMODE_CAN_READ).  open() picks the table.
 */
static const struct file_operations xipflash_fops = {
	.owner			= THIS_MODULE,
	.open			= xipflash_open,
	.llseek			= xipflash_llseek,
	.read_iter		= xipflash_read_iter,
	.write_iter		= xipflash_write_iter,
	.unlocked_ioctl		= xipflash_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
	.mmap			= xipflash_mmap,
#ifndef CONFIG_MMU
	.get_unmapped_area	= xipflash_get_unmapped_area,
	.mmap_capabilities	= xipflash_mmap_capabilities,
#endif
};

static const struct file_operations xipflash_noread_fops = {
	.owner			= THIS_MODULE,
	.open			= xipflash_open,
	.llseek			= xipflash_llseek,
	.write_iter		= xipflash_write_iter,
	.unlocked_ioctl		= xipflash_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
	.mmap			= xipflash_mmap,
#ifndef CONFIG_MMU
	.get_unmapped_area	= xipflash_get_unmapped_area,
	.mmap_capabilities	= xipflash_mmap_capabilities,
#endif
};

/*
 * The read method is the open file's, chosen here: changing the
 * personality changes it for files opened afterwards.
 */
static int xipflash_open(struct inode *inode, struct file *file)
{
	struct xipflash *flash = xipflash_from_file(file);
	bool read;

	mutex_lock(&flash->lock);
	read = flash->preset->read;
	mutex_unlock(&flash->lock);
	if (read)
		return 0;
	/*
	 * replace_fops() drops the module reference misc_open() took for the
	 * old table; the new one has the same owner, which is running here.
	 */
	__module_get(THIS_MODULE);
	replace_fops(file, &xipflash_noread_fops);
	return 0;
}

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

static ssize_t erasesize_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%zu\n", xipflash_from_dev(dev)->erasesize);
}
static DEVICE_ATTR_RO(erasesize);

static ssize_t personality_show(struct device *dev, struct device_attribute *attr,
				char *buf)
{
	return sysfs_emit(buf, "%s\n", READ_ONCE(xipflash_from_dev(dev)->preset)->name);
}
static DEVICE_ATTR_RO(personality);

static ssize_t capabilities_show(struct device *dev, struct device_attribute *attr,
				 char *buf)
{
	return sysfs_emit(buf, "%#x\n", READ_ONCE(xipflash_from_dev(dev)->caps));
}
static DEVICE_ATTR_RO(capabilities);

static ssize_t enosys_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%#x\n", READ_ONCE(xipflash_from_dev(dev)->enosys));
}
static DEVICE_ATTR_RO(enosys);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	unsigned int state = READ_ONCE(xipflash_from_dev(dev)->state);

	return sysfs_emit(buf, "%s\n", xipflash_state_names[state]);
}
static DEVICE_ATTR_RO(state);

static struct attribute *xipflash_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_erasesize.attr,
	&dev_attr_personality.attr,
	&dev_attr_capabilities.attr,
	&dev_attr_enosys.attr,
	&dev_attr_state.attr,
	NULL
};
ATTRIBUTE_GROUPS(xipflash);

/*
 * Fill the array with the pattern documented in uapi/linux/xipmap.h: word
 * i is (i * XIPMAP_PATTERN_MUL) ^ XIPMAP_PATTERN_XOR, little-endian, so
 * that a mapping of the wrong offset never reads as the right one.
 */
static void xipflash_fill_pattern(struct xipflash *flash)
{
	__le32 *word = flash->base;
	size_t i;

	for (i = 0; i < flash->size / sizeof(*word); i++)
		word[i] = cpu_to_le32((u32)i * XIPMAP_PATTERN_MUL ^ XIPMAP_PATTERN_XOR);
}

/*
 * What the driver counts, for tests to watch: debugfs, not a promise to
 * users (docs/ABI.md).  debugfs failures are not errors: the device works
 * without its counters.
 */
static void xipflash_debugfs_init(struct xipflash *flash)
{
	flash->debugfs = debugfs_create_dir(flash->name, xipmap_debugfs_dir);
	debugfs_create_atomic_t("mappings", 0444, flash->debugfs, &flash->mappings);
	xipmap_debugfs_create_counter("direct_maps", flash->debugfs, &flash->direct_maps);
	xipmap_debugfs_create_counter("enosys_answers", flash->debugfs,
				      &flash->enosys_answers);
}

/**
 * xipflash_create() - allocate a flash array and register its device
 * @flash: zeroed device structure to set up
 * @index: N in /dev/xipflashN
 * @size: bytes of flash; a power of two of at least one page that the page
 *	  allocator can hand out in one run (the caller checks)
 * @personality: XIPMAP_PERSONALITY_* to start with (the caller checks)
 *
 * Return: 0, or a negative errno with nothing left allocated or registered.
 */
int xipflash_create(struct xipflash *flash, unsigned int index, size_t size,
		    unsigned int personality)
{
	int ret;

	flash->size = size;
	flash->erasesize = min_t(size_t, size, SZ_64K);
	mutex_init(&flash->lock);
	flash->state = XIPMAP_STATE_READ_ARRAY;
	flash->personality = personality;
	flash->preset = &xipflash_presets[personality];
	flash->caps = flash->preset->caps;
	atomic_set(&flash->mappings, 0);
	atomic64_set(&flash->direct_maps, 0);
	atomic64_set(&flash->enosys_answers, 0);
	snprintf(flash->name, sizeof(flash->name), XIPMAP_FLASH_NAME "%u", index);

	/* Direct mappings hand out this address: it must be one run of pages. */
	flash->base = alloc_pages_exact(size, GFP_KERNEL | __GFP_NOWARN);
	if (!flash->base) {
		pr_err("%s: cannot allocate %zu contiguous bytes\n", flash->name, size);
		mutex_destroy(&flash->lock);
		return -ENOMEM;
	}
	xipflash_fill_pattern(flash);

	flash->misc.minor = MISC_DYNAMIC_MINOR;
	flash->misc.name = flash->name;
	flash->misc.fops = &xipflash_fops;
	flash->misc.groups = xipflash_groups;
	/*
	 * Root only, as /dev/mem: the device is system memory, and its
	 * ioctls reconfigure it for every user (docs/driver-guide.md).
	 */
	flash->misc.mode = 0600;
	ret = misc_register(&flash->misc);
	if (ret) {
		pr_err("%s: cannot register the device: %d\n", flash->name, ret);
		free_pages_exact(flash->base, size);
		flash->base = NULL;
		mutex_destroy(&flash->lock);
		return ret;
	}
	xipflash_debugfs_init(flash);
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
	debugfs_remove(flash->debugfs);
	flash->debugfs = NULL;
	/*
	 * Not a WARN: if do_mmap() fails after the driver accepted a mapping
	 * (out of memory for the VMA tree), the VMA is freed without ->close.
	 */
	if (atomic_read(&flash->mappings))
		pr_warn("%s: %d mappings never closed\n", flash->name,
			atomic_read(&flash->mappings));
	kvfree(flash->data);
	flash->data = NULL;
	free_pages_exact(flash->base, flash->size);
	flash->base = NULL;
	mutex_destroy(&flash->lock);
}
