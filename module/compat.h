/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xipmap: the differences between the kernels the module builds against
 * (Debian's 6.1 and 6.12), in one place.  Feature tests, not version
 * numbers: each macro is there exactly when the API is.
 */
#ifndef _XIPMAP_COMPAT_H
#define _XIPMAP_COMPAT_H

#include <linux/mm.h>

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

#endif /* _XIPMAP_COMPAT_H */
