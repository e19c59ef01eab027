/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xipmap: the differences between the kernels the module builds against
 * (Debian's 6.1 and 6.12), in one place.
 */
#ifndef _XIPMAP_COMPAT_H
#define _XIPMAP_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/*
 * The largest order the page allocator hands out.  6.4 made MAX_ORDER
 * inclusive and 6.8 renamed it MAX_PAGE_ORDER; before 6.4 it was one past
 * the largest order.
 */
#if defined(MAX_PAGE_ORDER)
#define XIPMAP_MAX_ORDER	MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define XIPMAP_MAX_ORDER	MAX_ORDER
#else
#define XIPMAP_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * 6.3 gave read-only MAP_PRIVATE file mappings on no-MMU their own flag,
 * VM_MAYOVERLAY; before it they carried VM_MAYSHARE.
 */
#if !defined(CONFIG_MMU) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline bool is_nommu_shared_mapping(vm_flags_t flags)
{
	return flags & VM_MAYSHARE;
}
#endif

#endif /* _XIPMAP_COMPAT_H */
