// SPDX-License-Identifier: GPL-2.0
/*
 * conform-contents: write the files of xipmap-conform's filesystem images
 * (romfs, cramfs) into a directory, on the build machine.
 *
 *   conform-contents DIR ARCH PAGE_SIZE
 *
 * DIR/c is XT_CONTENTS_PAGES pages of the xipmap pattern (uapi/linux/xipmap.h)
 * with ARCH's code that returns 42 (riscv, arm: Thumb-2, x86) at page
 * XT_CONTENTS_CODE_PAGE + XT_RET42_OFFSET: the bytes xipmap-conform puts in
 * the files it makes itself, so that the same checks (data, code run in
 * place) hold on a filesystem it cannot write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/xipmap.h>
#include "xipmap_code.h"

static const unsigned char ret42_riscv[] = XT_RET42_RISCV;
static const unsigned char ret42_thumb2[] = XT_RET42_THUMB2;
static const unsigned char ret42_x86[] = XT_RET42_X86;

int main(int argc, char **argv)
{
	const unsigned char *code;
	unsigned long page, len, i;
	unsigned char *buf;
	size_t code_len;
	char path[4096];
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: conform-contents DIR riscv|arm|x86 PAGE_SIZE\n");
		return 2;
	}
	if (!strcmp(argv[2], "riscv")) {
		code = ret42_riscv;
		code_len = sizeof(ret42_riscv);
	} else if (!strcmp(argv[2], "arm")) {
		code = ret42_thumb2;
		code_len = sizeof(ret42_thumb2);
	} else if (!strcmp(argv[2], "x86")) {
		code = ret42_x86;
		code_len = sizeof(ret42_x86);
	} else {
		fprintf(stderr, "conform-contents: unknown architecture %s\n", argv[2]);
		return 2;
	}
	page = strtoul(argv[3], NULL, 0);
	if (page < 256 || page & (page - 1)) {
		fprintf(stderr, "conform-contents: bad page size %s\n", argv[3]);
		return 2;
	}
	len = XT_CONTENTS_PAGES * page;
	buf = malloc(len);
	if (!buf)
		return 1;
	for (i = 0; i < len; i++) {
		/* xt_pattern() of xipmap_test.h, as uapi/linux/xipmap.h says */
		__u32 word = (__u32)(i >> 2) * XIPMAP_PATTERN_MUL ^ XIPMAP_PATTERN_XOR;

		buf[i] = (unsigned char)(word >> (8 * (i & 3)));
	}
	memcpy(buf + XT_CONTENTS_CODE_PAGE * page + XT_RET42_OFFSET, code, code_len);
	snprintf(path, sizeof(path), "%s/%s", argv[1], XT_CONTENTS_FILE);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "conform-contents: %s: %s\n", path, strerror(errno));
		return 1;
	}
	free(buf);
	return 0;
}
