/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xipmap: user-space ABI of the fake XIP flash devices.
 *
 * The module creates /dev/xipflash0, a character device backed by one
 * physically contiguous, page-aligned run of memory.  On a kernel without
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

static inline __u8 xipmap_pattern(__u64 off)
{
	__u32 word = (__u32)(off >> 2) * XIPMAP_PATTERN_MUL ^ XIPMAP_PATTERN_XOR;

	return (__u8)(word >> (8 * (off & 3)));
}

/*
 * Mapping capabilities of a device, as its driver reports them to the
 * no-MMU mmap code (NOMMU_MAP_* in include/linux/fs.h).
 */
#define XIPMAP_CAP_COPY		_BITUL(0)	/* MAP_PRIVATE may copy the data */
#define XIPMAP_CAP_DIRECT	_BITUL(1)	/* may be mapped in place */
#define XIPMAP_CAP_READ		_BITUL(2)	/* in place, for reading */
#define XIPMAP_CAP_WRITE	_BITUL(3)	/* in place, for writing */
#define XIPMAP_CAP_EXEC		_BITUL(4)	/* in place, for execution */

/**
 * struct xipmap_info - what XIPMAP_IOC_INFO reports about a flash device
 * @size:	bytes in the flash array
 * @base:	on a no-MMU kernel, the address of the array: what a direct
 *		mapping of offset 0 returns; 0 on a kernel with an MMU
 * @caps:	XIPMAP_CAP_* the device offers
 * @mappings:	mappings the driver has accepted and not yet seen closed
 * @mmap_calls:	times the driver's mmap() has accepted a mapping
 */
struct xipmap_info {
	__u64 size;
	__u64 base;
	__u32 caps;
	__u32 mappings;
	__u64 mmap_calls;
};

#define XIPMAP_IOC_MAGIC	0xB9
#define XIPMAP_IOC_INFO		_IOR(XIPMAP_IOC_MAGIC, 0x00, struct xipmap_info)

#endif /* _UAPI_LINUX_XIPMAP_H */
