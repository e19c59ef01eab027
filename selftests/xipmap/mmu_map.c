// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping the flash on a kernel with an MMU (module/flash-mmu.c): pages
 * come on first touch, as the process sees it (mincore(), its minor
 * faults); shared mappings are the device's own pages; private ones are
 * the device's until written, then copies the kernel makes; a device that
 * can only be copied cannot be mapped (ENODEV, as MTD on an MMU kernel);
 * what the device cannot do is refused at mmap() with EACCES, and by
 * mprotect() later.  Bad user pointers are EFAULT.  Without an MMU every
 * test here is skipped: flash_map and flash_devices check direct and
 * copied mappings there.
 */
#include "xipmap_test.h"

#define WHY_NOMMU	"without an MMU mappings are direct or copies (flash_map, flash_devices)"

enum { NOR, RAM, NAND, FB, NR_DEV };

static const char *const *const path = xt_dev_path;
static int fd[NR_DEV];		/* opened read-write */
static struct xipmap_info info[NR_DEV];
static unsigned long page;

static void *map(int dev, unsigned long off, unsigned long len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd[dev], off);
}

/* Read the byte at @p, so that the page is touched. */
static unsigned char touch(const void *p)
{
	return *(const volatile unsigned char *)p;
}

/*
 * mmap() maps nothing: no page of the mapping is resident (mincore(), what
 * the process itself sees) until it is touched, one more per page
 * touched, and none more for a page already mapped.  The whole device is
 * mapped; three pages are touched, then all.
 */
static int pages_are_mapped_on_first_touch(void)
{
	unsigned long pages = (unsigned long)info[NOR].size / page;
	unsigned char *p;
	int ok = XT_PASS;
	long r;

	p = map(NOR, 0, info[NOR].size, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	r = xt_resident(p, info[NOR].size);
	XT_EXPECT(r == 0, "mmap() of %llu bytes: %ld pages resident, expected none (%s)\n",
		  info[NOR].size, r, xt_errname(r < 0 ? errno : 0));
	touch(p);
	touch(p + 7 * page + 5);
	touch(p + info[NOR].size - 1);
	r = xt_resident(p, info[NOR].size);
	XT_EXPECT(r == 3, "3 pages touched, %ld resident\n", r);
	touch(p + 1);
	touch(p + 7 * page);
	r = xt_resident(p, info[NOR].size);
	XT_EXPECT(r == 3, "the same pages touched again: %ld resident, expected 3\n", r);
	XT_EXPECT(xt_pattern_diff(p, 0, info[NOR].size) < 0, "the mapping is not the data\n");
	r = xt_resident(p, info[NOR].size);
	ksft_print_msg("%s: %ld of %lu pages resident, after touching 3 and then all\n",
		       path[NOR], r, pages);
	XT_EXPECT(r == (long)pages, "reading every page: %ld resident, expected %lu\n", r, pages);
	munmap(p, info[NOR].size);
	return ok;
}

/*
 * MAP_SHARED is the device: stores reach read() and other mappings, and
 * write() reaches the mapping, on RAM and FB (which has no read method:
 * its second mapping is the check).
 */
static int shared_mappings_are_the_device(void)
{
	static const int devs[] = { RAM, FB };
	static unsigned char buf[16];
	unsigned int i;
	int ok = XT_PASS;

	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		int dev = devs[i];
		unsigned char *p = map(dev, page, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
		unsigned char *q = p == MAP_FAILED ? MAP_FAILED :
				   map(dev, 0, 3 * page, PROT_READ, MAP_SHARED);

		if (q == MAP_FAILED) {
			ksft_print_msg("%s: mmap: %s\n", path[dev], xt_errname(errno));
			if (p != MAP_FAILED)
				munmap(p, 2 * page);
			ok = XT_FAIL;
			continue;
		}
		memset(p + 10, 0x5a, 16);
		XT_EXPECT(xt_byte_diff(q + page + 10, 0x5a, 16) < 0,
			  "%s: another mapping does not see a store\n", path[dev]);
		if (dev == RAM) {
			XT_EXPECT(lseek(fd[dev], page + 10, SEEK_SET) == (off_t)page + 10 &&
				  read(fd[dev], buf, 16) == 16 && xt_byte_diff(buf, 0x5a, 16) < 0,
				  "%s: read() does not see a store\n", path[dev]);
			memset(buf, 0xc3, 16);
			XT_EXPECT(lseek(fd[dev], 2 * page, SEEK_SET) == 2 * (off_t)page &&
				  write(fd[dev], buf, 16) == 16 && xt_byte_diff(p + page, 0xc3, 16) < 0,
				  "%s: the mapping does not see write()\n", path[dev]);
		}
		munmap(p, 2 * page);
		munmap(q, 3 * page);
		ok = xt_put_back(dev, ok);
	}
	return ok;
}

/*
 * MAP_PRIVATE on NOR is the device until a page is written: it follows
 * write() to the device; once written, the page is a copy of its own and
 * the device never sees the store.
 */
static int private_mappings_copy_on_write(void)
{
	static unsigned char buf[16];
	unsigned char *p;
	int ok = XT_PASS;

	p = map(NOR, 0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(xt_pattern_diff(p, 0, 2 * page) < 0, "the mapping is not the data\n");
	XT_EXPECT(!xt_fill(fd[NOR], &info[NOR], 0, 2 * page, 0x0f), "program: %s\n",
		  xt_errname(errno));
	XT_EXPECT(xt_byte_diff(p, 0x0f, 2 * page) < 0,
		  "an unwritten private page does not follow the device\n");
	p[page] = 0x77;
	XT_EXPECT(lseek(fd[NOR], page, SEEK_SET) == (off_t)page && read(fd[NOR], buf, 1) == 1 &&
		  buf[0] == 0x0f, "the device saw a store to a private mapping\n");
	XT_EXPECT(!xt_fill(fd[NOR], &info[NOR], 0, 2 * page, 0x03), "program: %s\n",
		  xt_errname(errno));
	XT_EXPECT(p[page] == 0x77 && xt_byte_diff(p + page + 1, 0x0f, page - 1) < 0,
		  "the written page changed with the device: a store did not copy it\n");
	XT_EXPECT(xt_byte_diff(p, 0x03, page) < 0,
		  "the unwritten page stopped following the device\n");
	munmap(p, 2 * page);
	return xt_put_back(NOR, ok);
}

/*
 * NAND can only be copied, and with an MMU no mapping of it is made:
 * MAP_PRIVATE and MAP_SHARED are ENODEV, as mtdchar_mmap() answers for a
 * chip it cannot map.  read() still gives the data.
 */
static int copy_only_device_is_not_mapped(void)
{
	static const int flags[] = { MAP_PRIVATE, MAP_SHARED };
	static unsigned char buf[256];
	int ok = XT_PASS, i;
	unsigned char *p;

	for (i = 0; i < 2; i++) {
		errno = 0;
		p = map(NAND, 0, page, PROT_READ, flags[i]);
		XT_EXPECT(p == MAP_FAILED && errno == ENODEV, "%s: %p (%s), expected ENODEV\n",
			  flags[i] == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE", p,
			  xt_errname(errno));
		if (p != MAP_FAILED)
			munmap(p, page);
	}
	XT_EXPECT(lseek(fd[NAND], 0, SEEK_SET) == 0 && read(fd[NAND], buf, sizeof(buf)) ==
		  sizeof(buf) && xt_pattern_diff(buf, 0, sizeof(buf)) < 0,
		  "read() does not give the data\n");
	return ok;
}

/*
 * PROT_WRITE on a device that cannot be written (NOR, opened O_RDWR):
 * MAP_SHARED is EACCES at mmap(), and a read-only shared mapping cannot be
 * made writable later (mprotect() EACCES).  MAP_PRIVATE PROT_WRITE is fine:
 * its stores are copies.
 */
static int write_to_readonly_device_is_eacces(void)
{
	unsigned char *p;
	int ok = XT_PASS;

	errno = 0;
	p = map(NOR, 0, page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(p == MAP_FAILED && errno == EACCES,
		  "MAP_SHARED PROT_WRITE: %p (%s), expected EACCES\n", p, xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, page);
	p = map(NOR, 0, page, PROT_READ, MAP_SHARED);
	XT_EXPECT(p != MAP_FAILED, "MAP_SHARED PROT_READ: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		errno = 0;
		XT_EXPECT(xmprotect(p, page, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
			  "mprotect(PROT_WRITE) of a shared read-only mapping: %s, "
			  "expected EACCES\n", xt_errname(errno));
		munmap(p, page);
	}
	p = map(NOR, 0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED, "MAP_PRIVATE PROT_WRITE: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		p[0] = ~p[0];
		munmap(p, page);
	}
	return ok;
}

/*
 * PROT_EXEC needs NOMMU_MAP_EXEC.  RAM without it: shared and private
 * PROT_EXEC are EACCES, and a private read-only mapping of it cannot be
 * made executable later; with it, a private PROT_EXEC mapping is in place
 * (a byte the device is given after the page was touched shows in it)
 * and its code runs.  FB (no exec): private PROT_EXEC is EACCES too.
 */
static int exec_needs_the_exec_capability(void)
{
	static const int flags[] = { MAP_PRIVATE, MAP_SHARED };
	unsigned long off = 4 * page;
	unsigned char *p, b;
	int ok = XT_PASS, i;
#ifdef XT_HAVE_RET42
	int code;
#endif

	XT_EXPECT(!xt_set(fd[RAM], XIPMAP_IOC_SET_CAPS, XIPMAP_CAP_ALL & ~XIPMAP_CAP_EXEC),
		  "SET_CAPS: %s\n", xt_errname(errno));
	for (i = 0; i < 2; i++) {
		errno = 0;
		p = map(RAM, off, page, PROT_READ | PROT_EXEC, flags[i]);
		XT_EXPECT(p == MAP_FAILED && errno == EACCES,
			  "RAM without EXEC, %s PROT_EXEC: %p (%s), expected EACCES\n",
			  flags[i] == MAP_SHARED ? "MAP_SHARED" : "MAP_PRIVATE", p,
			  xt_errname(errno));
		if (p != MAP_FAILED)
			munmap(p, page);
	}
	p = map(RAM, off, page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED, "RAM without EXEC, MAP_PRIVATE PROT_READ: %s\n",
		  xt_errname(errno));
	if (p != MAP_FAILED) {
		errno = 0;
		XT_EXPECT(xmprotect(p, page, PROT_READ | PROT_EXEC) == -1 && errno == EACCES,
			  "RAM without EXEC: mprotect(PROT_EXEC): %s, expected EACCES\n",
			  xt_errname(errno));
		munmap(p, page);
	}
	ok = xt_put_back(RAM, ok);

#ifdef XT_HAVE_RET42
	code = lseek(fd[RAM], off + XT_RET42_OFFSET, SEEK_SET) == (off_t)(off + XT_RET42_OFFSET) &&
	       write(fd[RAM], xt_ret42, sizeof(xt_ret42)) == sizeof(xt_ret42);
	XT_EXPECT(code, "write the code: %s\n", xt_errname(errno));
#endif
	p = map(RAM, off, page, PROT_READ | PROT_EXEC, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED, "RAM, MAP_PRIVATE PROT_EXEC: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		/* Mapped first (touched), then the device changes under it. */
		b = ~touch(p + page - 1);
		XT_EXPECT(lseek(fd[RAM], off + page - 1, SEEK_SET) == (off_t)(off + page - 1) &&
			  write(fd[RAM], &b, 1) == 1 && p[page - 1] == b,
			  "RAM: the private PROT_EXEC mapping does not show the device's new "
			  "byte: not in place\n");
#ifdef XT_HAVE_RET42
		int (*fn)(void) = xt_ret42_at(p);

		/* Code that did not get there must not be run. */
		XT_EXPECT(code && fn() == 42, "the code in place did not return 42\n");
#endif
		munmap(p, page);
	}

	errno = 0;
	p = map(FB, 0, page, PROT_READ | PROT_EXEC, MAP_PRIVATE);
	XT_EXPECT(p == MAP_FAILED && errno == EACCES,
		  "FB, MAP_PRIVATE PROT_EXEC: %p (%s), expected EACCES\n", p, xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, page);
	return ok;
}

/*
 * A busy chip shows through pages already mapped, without a new fault (the
 * process's own fault count): the page table entries point at the
 * array, which shows status.  Pages first touched while busy show status
 * too, for one fault each; all show the data again after.
 */
static int busy_chip_shows_through_mapped_pages(void)
{
	long f0, f1, diff;
	unsigned char *p;
	int ok = XT_PASS;

	p = map(NOR, 0, 2 * page, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	touch(p);
	XT_EXPECT(!xt_set(fd[NOR], XIPMAP_IOC_SET_STATE, XIPMAP_STATE_PROGRAM),
		  "SET_STATE: %s\n", xt_errname(errno));
	f0 = xt_faults();
	diff = xt_byte_diff(p, XIPMAP_STATUS_PROGRAM, page);
	f1 = xt_faults();
	XT_EXPECT(diff < 0, "a mapped page does not show the status byte\n");
	XT_EXPECT(f1 == f0, "the mapped page faulted again (%ld faults)\n", f1 - f0);
	diff = xt_byte_diff(p + page, XIPMAP_STATUS_PROGRAM, page);
	f0 = xt_faults();
	XT_EXPECT(diff < 0, "a page first touched while busy does not show the status byte\n");
	XT_EXPECT(f0 - f1 == 1, "the new page: %ld faults, expected 1\n", f0 - f1);
	XT_EXPECT(!xt_set(fd[NOR], XIPMAP_IOC_SET_STATE, XIPMAP_STATE_READ_ARRAY),
		  "SET_STATE: %s\n", xt_errname(errno));
	XT_EXPECT(xt_pattern_diff(p, 0, 2 * page) < 0, "the data is not back\n");
	munmap(p, 2 * page);
	return xt_put_back(NOR, ok);
}

/* Touching beyond what the driver mapped: a mapping cannot grow (mremap). */
static int mappings_cannot_grow(void)
{
	unsigned char *p, *q;
	int ok = XT_PASS;

	p = map(NOR, 0, page, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	errno = 0;
	q = (void *)xsyscall5(__NR_mremap, p, page, 2 * page, MREMAP_MAYMOVE, 0);
	XT_EXPECT((long)q < 0 && (long)q > -4096,
		  "mremap() grew a mapping of the device to %p\n", q);
	if ((long)q < 0 && (long)q > -4096)
		munmap(p, page);
	else
		munmap(q, 2 * page);
	return ok;
}

/*
 * Bad user pointers are EFAULT: in the ioctls, read() and write() of the
 * device and xipramfs's ioctl.  (Without an MMU nothing checks them:
 * docs/conformance.md.)
 */
static int bad_pointers_are_efault(void)
{
	/* In the first page, never mapped (volatile: the compiler must not see through it). */
	void *volatile bad = (void *)16;
	int ok = XT_PASS;
	long r;

	errno = 0;
	r = ioctl(fd[NOR], XIPMAP_IOC_INFO, bad);
	XT_EXPECT(r == -1 && errno == EFAULT, "XIPMAP_IOC_INFO: %ld (%s)\n", r,
		  xt_errname(errno));
	errno = 0;
	r = ioctl(fd[NOR], XIPMAP_IOC_ERASE, bad);
	XT_EXPECT(r == -1 && errno == EFAULT, "XIPMAP_IOC_ERASE: %ld (%s)\n", r,
		  xt_errname(errno));
	errno = 0;
	r = ioctl(fd[NOR], XIPMAP_IOC_SET_CAPS, bad);
	XT_EXPECT(r == -1 && errno == EFAULT, "XIPMAP_IOC_SET_CAPS: %ld (%s)\n", r,
		  xt_errname(errno));
	errno = 0;
	r = read(fd[NOR], bad, 64);
	XT_EXPECT(r == -1 && errno == EFAULT, "read(): %ld (%s)\n", r, xt_errname(errno));
	errno = 0;
	r = write(fd[RAM], bad, 64);
	XT_EXPECT(r == -1 && errno == EFAULT, "write(): %ld (%s)\n", r, xt_errname(errno));
	XT_EXPECT(xt_info(fd[NOR]).caps == info[NOR].caps, "a failed ioctl changed the caps\n");
	return xt_put_back(RAM, ok);
}

static const struct xt_test tests[] = {
	XT_TEST_MMU(pages_are_mapped_on_first_touch, XT_WHY_NOFAULT),
	XT_TEST_MMU(shared_mappings_are_the_device, WHY_NOMMU),
	XT_TEST_MMU(private_mappings_copy_on_write, WHY_NOMMU),
	XT_TEST_MMU(copy_only_device_is_not_mapped, WHY_NOMMU),
	XT_TEST_MMU(write_to_readonly_device_is_eacces, WHY_NOMMU),
	XT_TEST_MMU(exec_needs_the_exec_capability, WHY_NOMMU),
	XT_TEST_MMU(busy_chip_shows_through_mapped_pages, WHY_NOMMU),
	XT_TEST_MMU(mappings_cannot_grow, "without an MMU mremap() never moves a mapping "
		    "(nommu_mm)"),
	XT_TEST_MMU(bad_pointers_are_efault, "no-MMU kernels do not check user pointers "
		    "(docs/conformance.md)"),
};

int main(int argc, char **argv)
{
	xt_setup();
	page = xt_page_size();
	xt_open_devices(fd, info, NR_DEV);
	xt_run(tests, ARRAY_SIZE(tests), xt_put_back_all);
}
