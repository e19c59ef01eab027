/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xipmap: user-space ABI of the fake XIP flash devices.
 *
 * The module creates /dev/xipflash0 to /dev/xipflashN (module parameter
 * nr_flash), character devices each backed by one physically contiguous,
 * page-aligned run of memory.  On a kernel without
 * an MMU it can be mapped directly (execute-in-place) or copied; see
 * Documentation/admin-guide/mm/nommu-mmap.rst.
 */
#ifndef _UAPI_LINUX_XIPMAP_H
#define _UAPI_LINUX_XIPMAP_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* Device nodes are XIPMAP_FLASH_NAME followed by the device number. */
#define XIPMAP_FLASH_NAME	"xipflash"

/*
 * Contents of the flash at load: the 32-bit little-endian word at byte
 * offset 4 * i holds (i * XIPMAP_PATTERN_MUL) ^ XIPMAP_PATTERN_XOR, so
 *
 *	byte(off) = ((off / 4) * 0x9e3779b1 ^ 0x50495846) >> (8 * (off % 4))
 *
 * truncated to 8 bits, with 32-bit arithmetic.  The multiplier is odd, so
 * every aligned word of a flash up to 16 GiB is different: a mapping of the
 * wrong offset, or a stale copy, never reads as the right pattern.
 */
#define XIPMAP_PATTERN_MUL	0x9e3779b1U
#define XIPMAP_PATTERN_XOR	0x50495846U

/*
 * Mapping capabilities of a device, as its driver reports them to the
 * no-MMU mmap code (NOMMU_MAP_* in include/linux/fs.h).
 */
#define XIPMAP_CAP_COPY		_BITUL(0)	/* MAP_PRIVATE may copy the data (no-MMU) */
#define XIPMAP_CAP_DIRECT	_BITUL(1)	/* may be mapped in place */
#define XIPMAP_CAP_READ		_BITUL(2)	/* in place, for reading */
#define XIPMAP_CAP_WRITE	_BITUL(3)	/* in place, for writing */
#define XIPMAP_CAP_EXEC		_BITUL(4)	/* in place, for execution */
#define XIPMAP_CAP_ALL		(_BITUL(5) - 1)

/*
 * Personalities: capability presets modelled on real devices.  Setting one
 * also sets the capabilities; XIPMAP_IOC_SET_CAPS then overrides them.
 *
 *   NOR   DIRECT|COPY|READ|EXEC		XIP NOR flash, like MTD_ROM
 *   RAM   DIRECT|COPY|READ|WRITE|EXEC	memory, like MTD_RAM
 *   NAND  COPY				must be read into RAM to be used
 *   FB    DIRECT|READ|WRITE		an I/O memory window, like a frame
 *					buffer: files opened on it have no
 *					read method, so nothing can copy it
 *
 * Writes program the array on NOR and NAND (bits only go from 1 to 0; an
 * erase sets them back to 1) and store bytes as they are on RAM and FB.
 */
#define XIPMAP_PERSONALITY_NOR		0
#define XIPMAP_PERSONALITY_RAM		1
#define XIPMAP_PERSONALITY_NAND		2
#define XIPMAP_PERSONALITY_FB		3

/*
 * -ENOSYS knobs: which of the driver's hooks answer -ENOSYS, the no-MMU
 * code's request to copy the data instead of mapping the device.
 */
#define XIPMAP_ENOSYS_GUA	_BITUL(0)	/* get_unmapped_area() */
#define XIPMAP_ENOSYS_PRIVATE	_BITUL(1)	/* mmap() of a private mapping */
#define XIPMAP_ENOSYS_SHARED	_BITUL(2)	/* mmap() of a shared mapping */
#define XIPMAP_ENOSYS_ALL	(_BITUL(3) - 1)

/*
 * Flash states, as on a NOR chip.  In READ_ARRAY the array holds the data.
 * While the chip is held in PROGRAM or ERASE, every byte of the array,
 * through read() and through every direct mapping, reads as the state's
 * status byte; write() and erases still go to the data, which is there
 * again when the chip returns to READ_ARRAY.  Stores through a writable
 * direct mapping while the chip is busy land on the status bytes and are
 * lost, as commands to a real chip would be.  New direct mappings are
 * refused with EBUSY while the chip is busy.
 */
#define XIPMAP_STATE_READ_ARRAY		0
#define XIPMAP_STATE_PROGRAM		1
#define XIPMAP_STATE_ERASE		2

/* Status bytes: bit 7 (ready, as in a CFI status register) is clear. */
#define XIPMAP_STATUS_PROGRAM		0x50
#define XIPMAP_STATUS_ERASE		0x45

/* The value of an erased byte. */
#define XIPMAP_ERASED			0xff

/* XIPMAP_INFO_NO_READ: files opened on the device have no read method. */
#define XIPMAP_INFO_NO_READ		_BITUL(0)

/**
 * struct xipmap_info - what XIPMAP_IOC_INFO reports about a flash device
 * @size:	bytes in the flash array
 * @base:	on a no-MMU kernel, the address of the array: what a direct
 *		mapping of offset 0 returns; 0 on a kernel with an MMU
 * @erasesize:	bytes in an erase block
 * @caps:	XIPMAP_CAP_* the device offers
 * @personality: XIPMAP_PERSONALITY_* last set
 * @flags:	XIPMAP_INFO_*
 * @enosys:	XIPMAP_ENOSYS_* knobs set
 * @state:	XIPMAP_STATE_*
 *
 * Device properties only.  What the driver counts so that tests can watch
 * it (mappings, faults) is in debugfs, which promises nothing: see
 * docs/ABI.md.
 */
struct xipmap_info {
	__u64 size;
	__u64 base;
	__u32 erasesize;
	__u32 caps;
	__u32 personality;
	__u32 flags;
	__u32 enosys;
	__u32 state;
};

/**
 * struct xipmap_erase - an XIPMAP_IOC_ERASE request
 * @offset:	first byte; a multiple of the erase block size
 * @length:	bytes; a non-zero multiple of the erase block size
 */
struct xipmap_erase {
	__u64 offset;
	__u64 length;
};

/*
 * The ioctls.  Unknown commands fail with ENOTTY, unknown values with
 * EINVAL, and bad pointers with EFAULT.  Changing the personality,
 * capabilities, -ENOSYS knobs or state needs CAP_SYS_ADMIN (EPERM);
 * erasing needs the file open for writing (EBADF), like write(2).
 * docs/ABI.md documents each one.
 */
#define XIPMAP_IOC_MAGIC		0xB9
#define XIPMAP_IOC_INFO			_IOR(XIPMAP_IOC_MAGIC, 0x00, struct xipmap_info)
#define XIPMAP_IOC_SET_PERSONALITY	_IOW(XIPMAP_IOC_MAGIC, 0x01, __u32)
#define XIPMAP_IOC_SET_CAPS		_IOW(XIPMAP_IOC_MAGIC, 0x02, __u32)
#define XIPMAP_IOC_SET_ENOSYS		_IOW(XIPMAP_IOC_MAGIC, 0x03, __u32)
#define XIPMAP_IOC_SET_STATE		_IOW(XIPMAP_IOC_MAGIC, 0x04, __u32)
#define XIPMAP_IOC_ERASE		_IOW(XIPMAP_IOC_MAGIC, 0x05, struct xipmap_erase)

#endif /* _UAPI_LINUX_XIPMAP_H */
