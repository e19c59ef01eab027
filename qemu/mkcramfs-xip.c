// SPDX-License-Identifier: GPL-2.0
/*
 * mkcramfs-xip: write a cramfs image whose files can be mapped in place
 * (execute-in-place), which Debian's mkfs.cramfs cannot: it has no XIP
 * option.
 *
 *   mkcramfs-xip DIR IMAGE PAGE_SIZE
 *
 * The format is include/uapi/linux/cramfs_fs.h of the kernel: the
 * superblock at 0 with the root directory's entries right after it, then
 * each file's block pointers, then its data.  With
 * CRAMFS_FLAG_EXT_BLOCK_POINTERS every block pointer is
 * CRAMFS_BLK_FLAG_UNCOMPRESSED | CRAMFS_BLK_FLAG_DIRECT_PTR and the
 * block's offset in the image shifted right by CRAMFS_BLK_DIRECT_PTR_SHIFT,
 * and every file's data starts on a page and runs on: a file is one
 * contiguous uncompressed range that fs/cramfs/inode.c
 * (cramfs_get_block_range()) maps directly, on no-MMU through
 * cramfs_physmem_get_unmapped_area().
 *
 * Only a flat directory of regular files (what xipmap-conform needs); the
 * fsid's CRC is left 0: the kernel does not check it (cramfsck does).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/cramfs_fs.h>

#define MAX_FILES	64

struct entry {
	char name[CRAMFS_MAXPATHLEN + 1];
	unsigned char *data;
	unsigned long size;
	unsigned long ptrs;	/* where its block pointers are */
	unsigned long start;	/* where its data is: a page boundary */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static void __attribute__((noreturn)) die(const char *what, const char *path)
{
	fprintf(stderr, "mkcramfs-xip: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static unsigned long align(unsigned long x, unsigned long a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Read the regular files of @dir into @e; their number. */
static int read_dir(const char *dir, struct entry *e)
{
	char path[4096];
	struct dirent *d;
	struct stat st;
	int n = 0;
	FILE *f;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		die("cannot open", dir);
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (stat(path, &st))
			die("cannot stat", path);
		errno = EINVAL;
		if (!S_ISREG(st.st_mode) || n == MAX_FILES ||
		    strlen(d->d_name) > CRAMFS_MAXPATHLEN ||
		    (unsigned long long)st.st_size >= 1ULL << CRAMFS_SIZE_WIDTH)
			die("only up to 64 regular files of less than 16 MiB:", path);
		snprintf(e[n].name, sizeof(e[n].name), "%s", d->d_name);
		e[n].size = st.st_size;
		e[n].data = malloc(e[n].size + 1);
		f = fopen(path, "rb");
		if (!e[n].data || !f || fread(e[n].data, 1, e[n].size, f) != e[n].size)
			die("cannot read", path);
		fclose(f);
		n++;
	}
	closedir(dp);
	qsort(e, n, sizeof(*e), by_name);
	return n;
}

int main(int argc, char **argv)
{
	static struct entry e[MAX_FILES];
	struct cramfs_super sb = { 0 };
	unsigned long page, pos, dir_len = 0, size, blocks = 0, i, b;
	unsigned char *img;
	int n, k;
	FILE *f;

	if (argc != 4) {
		fprintf(stderr, "usage: mkcramfs-xip DIR IMAGE PAGE_SIZE\n");
		return 2;
	}
	page = strtoul(argv[3], NULL, 0);
	if (page < 1024 || page & (page - 1)) {
		fprintf(stderr, "mkcramfs-xip: bad page size %s\n", argv[3]);
		return 2;
	}
	n = read_dir(argv[1], e);

	/* Layout: superblock, root entries, block pointers, page-aligned data. */
	for (k = 0; k < n; k++)
		dir_len += sizeof(struct cramfs_inode) + align(strlen(e[k].name), 4);
	pos = sizeof(sb) + dir_len;
	for (k = 0; k < n; k++) {
		e[k].ptrs = pos;
		pos += 4 * ((e[k].size + page - 1) / page);
	}
	for (k = 0; k < n; k++) {
		pos = align(pos, page);
		e[k].start = pos;
		pos += align(e[k].size, page);
		blocks += (e[k].size + page - 1) / page;
	}
	size = align(pos, page);
	img = calloc(1, size);
	if (!img)
		return 1;

	sb.magic = CRAMFS_MAGIC;
	sb.size = size;
	sb.flags = CRAMFS_FLAG_FSID_VERSION_2 | CRAMFS_FLAG_SORTED_DIRS |
		   CRAMFS_FLAG_EXT_BLOCK_POINTERS;
	memcpy(sb.signature, CRAMFS_SIGNATURE, sizeof(sb.signature));
	sb.fsid.blocks = blocks;
	sb.fsid.files = n + 1;
	memcpy(sb.name, "xipmap-conform", sizeof("xipmap-conform"));
	sb.root.mode = S_IFDIR | 0555;
	sb.root.size = dir_len;
	sb.root.offset = sizeof(sb) >> 2;	/* the kernel wants the entries here */
	memcpy(img, &sb, sizeof(sb));

	pos = sizeof(sb);
	for (k = 0; k < n; k++) {
		struct cramfs_inode ino = { 0 };
		unsigned long namelen = align(strlen(e[k].name), 4);

		ino.mode = S_IFREG | 0555;
		ino.size = e[k].size;
		ino.namelen = namelen >> 2;
		ino.offset = e[k].size ? e[k].ptrs >> 2 : 0;
		memcpy(img + pos, &ino, sizeof(ino));
		memcpy(img + pos + sizeof(ino), e[k].name, strlen(e[k].name));
		pos += sizeof(ino) + namelen;

		for (i = 0, b = 0; i < e[k].size; i += page, b++) {
			__u32 ptr = (__u32)((e[k].start + i) >> CRAMFS_BLK_DIRECT_PTR_SHIFT) |
				    CRAMFS_BLK_FLAG_UNCOMPRESSED | CRAMFS_BLK_FLAG_DIRECT_PTR;

			memcpy(img + e[k].ptrs + 4 * b, &ptr, 4);
		}
		memcpy(img + e[k].start, e[k].data, e[k].size);
	}

	f = fopen(argv[2], "wb");
	if (!f || fwrite(img, 1, size, f) != size || fclose(f))
		die("cannot write", argv[2]);
	return 0;
}
