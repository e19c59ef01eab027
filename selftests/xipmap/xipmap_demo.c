// SPDX-License-Identifier: GPL-2.0
/*
 * What each kind of mapping of the fake XIP flash devices turns into: the
 * device itself (direct), a private copy, or a refusal; then the same for
 * files on xipramfs.  Not a test: `make demo` runs it in the no-MMU guest
 * for people to read.
 */
#include "xipmap_test.h"

static int fd, dev;	/* the device shown, xipflash<dev> */
static struct xipmap_info info;

/* nolibc's printf() has no field widths. */
static void pad(const char *s, unsigned long width)
{
	for (unsigned long n = strlen(s); n < width; n++)
		putchar(' ');
}

static void show(const char *what, int prot, int flags, const char *why)
{
	unsigned long page = xt_page_size();
	long calls = xt_dev_counter(dev, "direct_maps");
	char line[256];
	void *p;

	p = mmap(NULL, page, prot, flags, fd, page);
	printf("  %s", what);
	pad(what, 36);
	printf(" -> ");
	if (p == MAP_FAILED) {
		printf("refused: %s (%s)\n", xt_errname(errno), why);
		return;
	}
	if ((unsigned long)p == info.base + page)
		printf("%p  direct: the device itself", p);
	else
		printf("%p  copy: private memory", p);
	printf(" (driver mmap() %s)\n",
	       xt_dev_counter(dev, "direct_maps") != calls ? "called" : "not called");
	pad("", 8);
	printf("why: %s\n", why);
	if (!xt_maps_line(p, line, sizeof(line))) {
		pad("", 8);
		printf("maps: %s\n", line);
	}
	munmap(p, page);
}

static void show_caps(unsigned int caps)
{
	printf("  capabilities:%s%s%s%s%s\n",
	       caps & XIPMAP_CAP_DIRECT ? " direct" : "",
	       caps & XIPMAP_CAP_COPY ? " copy" : "",
	       caps & XIPMAP_CAP_READ ? " read" : "",
	       caps & XIPMAP_CAP_WRITE ? " write" : "",
	       caps & XIPMAP_CAP_EXEC ? " exec" : "");
}

/* The other personalities, with the three mappings that tell them apart. */
static void other_device(int n, const char *name, const char *why_shared,
			 const char *why_private)
{
	const char *path = xt_dev_path[n];

	dev = n;
	fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("xipmap demo: cannot open %s: %s\n", path, xt_errname(errno));
		return;
	}
	info = xt_info(fd);
	printf("\nxipmap demo: %s is %s\n", path, name);
	show_caps(info.caps);
	show("MAP_SHARED  PROT_READ|PROT_WRITE", PROT_READ | PROT_WRITE, MAP_SHARED, why_shared);
	show("MAP_PRIVATE PROT_READ", PROT_READ, MAP_PRIVATE, why_private);
	close(fd);
}

static void show_file(int file, const char *what, unsigned long len, int prot, int flags,
		      const void *run, const char *why)
{
	void *p = mmap(NULL, len, prot, flags, file, 0);

	printf("  %s", what);
	pad(what, 36);
	printf(" -> ");
	if (p == MAP_FAILED) {
		printf("refused: %s (%s)\n", xt_errname(errno), why);
		return;
	}
	printf("%p  %s (%s)\n", p, p == run ? "in place: the file's memory" : "copy", why);
	munmap(p, len);
}

/* POSIX shared memory the no-MMU way: open, ftruncate from 0, mmap. */
static void xipramfs(void)
{
	unsigned long page = xt_page_size();
	void *run;
	int file;

	printf("\nxipmap demo: mount -t xipramfs none /demo\n");
	if ((mkdir("/demo", 0755) && errno != EEXIST) ||
	    mount("none", "/demo", "xipramfs", 0, NULL)) {
		printf("  cannot mount: %s\n", xt_errname(errno));
		return;
	}
	file = open("/demo/shm", O_RDWR | O_CREAT, 0600);
	if (file < 0 || xftruncate(file, 3 * page)) {
		printf("  cannot make /demo/shm: %s\n", xt_errname(errno));
		goto out;
	}
	run = mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, file, 0);
	if (run == MAP_FAILED) {
		printf("  cannot map /demo/shm: %s\n", xt_errname(errno));
		goto out;
	}
	munmap(run, 3 * page);
	printf("  /demo/shm: ftruncate from 0 to 3 pages: one contiguous run at %p\n", run);
	show_file(file, "MAP_SHARED  PROT_READ|PROT_WRITE", 3 * page, PROT_READ | PROT_WRITE,
		  MAP_SHARED, run, "the run: every process gets this address");
	show_file(file, "MAP_PRIVATE PROT_READ", 3 * page, PROT_READ, MAP_PRIVATE, run,
		  "read-only private overlays the run");
	show_file(file, "MAP_PRIVATE PROT_READ|PROT_WRITE", 3 * page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE, run, "writable private is always a copy");
	show_file(file, "MAP_SHARED  4 pages of 3", 4 * page, PROT_READ, MAP_SHARED, run,
		  "a mapping may not reach past EOF");
	xftruncate(file, 5 * page);
	show_file(file, "MAP_SHARED  5 pages, grown to 5", 5 * page, PROT_READ, MAP_SHARED,
		  run, "pages 4 and 5 are not in the run");
	show_file(file, "MAP_PRIVATE PROT_READ, grown to 5", 5 * page, PROT_READ,
		  MAP_PRIVATE, run, "so a private mapping is copied");
out:
	close(file);
	unlink("/demo/shm");
	xumount("/demo", 0);
}

int main(void)
{
	fd = open(XT_FLASH, O_RDWR);
	if (fd < 0) {
		printf("xipmap demo: cannot open %s: %s\n", XT_FLASH, xt_errname(errno));
		return 1;
	}
	info = xt_info(fd);
	printf("xipmap demo: %s is %llu bytes of NOR flash at 0x%llx\n",
	       XT_FLASH, info.size, info.base);
	show_caps(info.caps);
	printf("  mapping one page at offset 0x1000:\n");
	show("MAP_SHARED  PROT_READ", PROT_READ, MAP_SHARED,
	     "DIRECT|READ: the kernel asks get_unmapped_area() where the flash is");
	show("MAP_SHARED  PROT_READ|PROT_EXEC", PROT_READ | PROT_EXEC, MAP_SHARED,
	     "EXEC too: code can run from the flash (XIP)");
	show("MAP_PRIVATE PROT_READ", PROT_READ, MAP_PRIVATE,
	     "read-only private may overlay the device (VM_MAYOVERLAY)");
	show("MAP_PRIVATE PROT_READ|PROT_WRITE", PROT_READ | PROT_WRITE, MAP_PRIVATE,
	     "writable private is always a copy, read in with read_iter()");
	show("MAP_SHARED  PROT_READ|PROT_WRITE", PROT_READ | PROT_WRITE, MAP_SHARED,
	     "no WRITE capability: NOR flash is not written in place");
	close(fd);
	other_device(1, "RAM (like MTD_RAM)",
		     "DIRECT|WRITE: shared writable memory, the device itself",
		     "overlays the device, as on NOR");
	other_device(2, "NAND (COPY only)",
		     "no DIRECT: nothing to map in place",
		     "a copy, shared with any process that maps the same range");
	other_device(3, "a frame buffer (DIRECT, no read method)",
		     "DIRECT|READ|WRITE: the window itself",
		     "no COPY and no read method: it cannot be copied");
	xipramfs();
	return 0;
}
