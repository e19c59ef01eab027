/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests put in a file or a device to check execute-in-place, in
 * one place for the test programs (xipmap_test.h) and for the host tool
 * that writes the conformance filesystem images (qemu/conform-contents.c),
 * which must put the same bytes where the tests look for them.
 */
#ifndef XIPMAP_CODE_H
#define XIPMAP_CODE_H

/* Machine code that returns 42, per instruction set. */
#define XT_RET42_RISCV { \
	0x13, 0x05, 0xa0, 0x02,		/* li a0, 42 */ \
	0x67, 0x80, 0x00, 0x00,		/* ret */ \
}

#define XT_RET42_X86 { \
	0xb8, 0x2a, 0x00, 0x00, 0x00,	/* mov $42, %eax */ \
	0xc3,				/* ret */ \
}

#define XT_RET42_THUMB2 { \
	0x2a, 0x20,			/* movs r0, #42 */ \
	0x70, 0x47,			/* bx lr */ \
}

#define XT_RET42_OFFSET	64	/* from the start of a page: not at its start */

/*
 * The conformance contents: one file of XT_CONTENTS_PAGES pages, the
 * xipmap pattern with the code at page XT_CONTENTS_CODE_PAGE + XT_RET42_OFFSET.
 */
#define XT_CONTENTS_FILE	"c"
#define XT_CONTENTS_PAGES	8
#define XT_CONTENTS_CODE_PAGE	2

#endif /* XIPMAP_CODE_H */
