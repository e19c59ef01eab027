// SPDX-License-Identifier: GPL-2.0
/*
 * Mapping the fake XIP NOR flash (/dev/xipflash0) on a no-MMU kernel:
 * direct mappings are the flash array itself, private writable ones are
 * copies; Documentation/admin-guide/mm/nommu-mmap.rst and mm/nommu.c say
 * which is which.  What does not depend on addresses (errors, ranges, the
 * driver's counts) is checked on MMU kernels too; mmu_map checks the rest
 * there.  Each test checks one claim and cleans up after itself.
 */
#include "xipmap_test.h"

/* The driver's counters of xipflash0 (debugfs). */
static unsigned long long direct_maps(void)
{
	return xt_dev_counter(0, "direct_maps");
}

static unsigned int live_mappings(void)
{
	return xt_dev_counter(0, "mappings");
}

static int fd;			/* /dev/xipflash0, opened read-only */
static struct xipmap_info info;	/* as the device reported it at start */
static unsigned long page;

/* What a direct mapping of byte offset @off must return. */
static void *direct_addr(unsigned long off)
{
	return (void *)(unsigned long)(info.base + off);
}

static int in_flash(const void *p)
{
	return (unsigned long)p >= info.base && (unsigned long)p < info.base + info.size;
}

static int read_returns_pattern(void)
{
	static unsigned char buf[4096];
	unsigned long off = 0;
	long n, diff;
	int ok = XT_PASS;

	XT_EXPECT(lseek(fd, 0, SEEK_SET) == 0, "lseek to 0 failed: %s\n", xt_errname(errno));
	while (ok && (n = read(fd, buf, sizeof(buf))) > 0) {
		diff = xt_pattern_diff(buf, off, n);
		XT_EXPECT(diff < 0, "read() at offset %lu differs from the pattern\n",
			  off + diff);
		off += n;
	}
	XT_EXPECT(off == info.size, "read() returned %lu bytes in all, expected %llu\n",
		  off, info.size);
	n = read(fd, buf, sizeof(buf));
	XT_EXPECT(n == 0, "read() at the end returned %ld, expected 0 bytes\n", n);
	return ok;
}

static int llseek_knows_the_size(void)
{
	int ok = XT_PASS;
	off_t end = lseek(fd, 0, SEEK_END);

	XT_EXPECT(end == (off_t)info.size, "SEEK_END gave %ld, expected %llu\n",
		  (long)end, info.size);
	errno = 0;
	end = lseek(fd, info.size + 1, SEEK_SET);
	XT_EXPECT(end == -1 && errno == EINVAL,
		  "seeking past the end gave %ld (%s), expected EINVAL\n",
		  (long)end, xt_errname(errno));
	return ok;
}

static int shared_ro_is_the_flash_itself(void)
{
	unsigned long len = 2 * page;
	unsigned long long calls;
	long diff;
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	XT_NEED_COUNTERS();

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, page);
	XT_EXPECT(p == direct_addr(page), "mapping at %p, the flash is at %p\n",
		  p, direct_addr(page));
	if (p == MAP_FAILED)
		return XT_FAIL;
	diff = xt_pattern_diff(p, page, len);
	XT_EXPECT(diff < 0, "mapping differs from the pattern at +%ld\n", diff);
	calls = direct_maps();
	v = xt_peer(&(struct xt_map){ XT_FLASH, page, len, PROT_READ, MAP_SHARED, p,
				      XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "second mapping of the same offset: %s\n",
		  xt_verdict(v));
	XT_EXPECT(direct_maps() == calls + 1,
		  "the driver accepted %llu mappings for the second process, expected 1\n",
		  direct_maps() - calls);
	munmap(p, len);
	return ok;
}

/* XIP: with NOMMU_MAP_EXEC, executable mappings are the flash too. */
static int exec_mappings_are_the_flash_itself(void)
{
	static const struct { int flags; const char *what; } kinds[] = {
		{ MAP_SHARED, "shared" },
		{ MAP_PRIVATE, "private" },
	};
	unsigned long long calls;
	unsigned int i;
	void *p;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		calls = direct_maps();
		p = mmap(NULL, page, PROT_READ | PROT_EXEC, kinds[i].flags, fd, 4 * page);
		XT_EXPECT(p == direct_addr(4 * page),
			  "%s PROT_READ|PROT_EXEC at %p (%s), the flash is at %p\n",
			  kinds[i].what, p, xt_errname(p == MAP_FAILED ? errno : 0),
			  direct_addr(4 * page));
		XT_EXPECT(direct_maps() == calls + 1,
			  "%s PROT_READ|PROT_EXEC: the driver was not asked\n", kinds[i].what);
		if (p != MAP_FAILED)
			munmap(p, page);
	}
	return ok;
}

static int private_ro_is_the_flash_itself(void)
{
	unsigned long long calls = direct_maps();
	void *p;
	long diff;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, page);
	XT_EXPECT(p == direct_addr(page), "private mapping at %p, the flash is at %p\n",
		  p, direct_addr(page));
	XT_EXPECT(direct_maps() == calls + 1,
		  "driver mmap() accepted %llu mappings, expected 1\n",
		  direct_maps() - calls);
	if (p != MAP_FAILED) {
		diff = xt_pattern_diff(p, page, page);
		XT_EXPECT(diff < 0, "mapping differs from the pattern at +%ld\n", diff);
		munmap(p, page);
	}
	return ok;
}

/*
 * The document says an existing mapping is shared "without notifying the
 * driver"; 6.12's do_mmap() calls the driver's mmap() (do_mmap_shared_file)
 * for every VMA that shares a direct region.  Assert what the kernel does.
 */
static int private_ro_shared_by_second_process_driver_told(void)
{
	unsigned long long calls;
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	XT_NEED_COUNTERS();

	p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only mapping: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	calls = direct_maps();
	v = xt_peer(&(struct xt_map){ XT_FLASH, 0, page, PROT_READ, MAP_PRIVATE, p,
				      XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "the second process: %s\n", xt_verdict(v));
	XT_EXPECT(direct_maps() == calls + 1,
		  "the driver's mmap() ran %llu times for the second process, expected 1\n",
		  direct_maps() - calls);
	munmap(p, page);
	return ok;
}

static int private_rw_is_a_copy(void)
{
	unsigned long long calls = direct_maps();
	unsigned long len = 2 * page;
	unsigned char *q, *d;
	static unsigned char buf[64];
	long diff;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, page);
	if (q == MAP_FAILED) {
		ksft_print_msg("private writable mapping failed: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(!in_flash(q), "copy at %p lies inside the flash\n", q);
	XT_EXPECT(direct_maps() == calls,
		  "the driver's mmap() was called for a copy\n");
	diff = xt_pattern_diff(q, page, len);
	XT_EXPECT(diff < 0, "copy differs from the pattern at +%ld\n", diff);

	memset(q, 0xa5, len);
	XT_EXPECT(lseek(fd, page, SEEK_SET) == (off_t)page &&
		  read(fd, buf, sizeof(buf)) == sizeof(buf) &&
		  xt_pattern_diff(buf, page, sizeof(buf)) < 0,
		  "after writing the copy, read() no longer gives the pattern\n");
	d = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, page);
	XT_EXPECT(d != MAP_FAILED && xt_pattern_diff(d, page, len) < 0,
		  "after writing the copy, the direct mapping no longer shows the pattern\n");
	if (d != MAP_FAILED)
		munmap(d, len);
	munmap(q, len);
	return ok;
}

/* Lines in /proc/self/maps now, or -1 after saying why. */
static int maps_lines(void)
{
	int lines = xt_maps_lines();

	if (lines < 0)
		ksft_print_msg("read /proc/self/maps: %s\n", xt_errname(errno));
	return lines;
}

/* mmap() must fail with @err and leave neither a VMA nor a driver mapping. */
static int expect_refused(int mfd, unsigned long len, int prot, int flags,
			  unsigned long off, int err, const char *what)
{
	int lines = maps_lines();
	unsigned int maps = live_mappings();
	void *p;
	int ok = XT_PASS;

	if (lines < 0)
		return XT_FAIL;
	errno = 0;
	p = mmap(NULL, len, prot, flags, mfd, off);
	XT_EXPECT(p == MAP_FAILED && errno == err, "%s: got %p (%s), expected %s\n",
		  what, p, xt_errname(errno), xt_errname(err));
	if (p != MAP_FAILED) {
		munmap(p, len);
		return XT_FAIL;
	}
	XT_EXPECT(xt_maps_lines() == lines, "%s: /proc/self/maps grew\n", what);
	XT_EXPECT(live_mappings() == maps, "%s: the driver kept a mapping\n", what);
	return ok;
}

static int shared_rw_on_readonly_open_is_eacces(void)
{
	return expect_refused(fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0, EACCES,
			      "MAP_SHARED PROT_WRITE, O_RDONLY");
}

static int shared_rw_on_readonly_flash_is_refused(void)
{
	int rw = open(XT_FLASH, O_RDWR);
	int ok;

	if (rw < 0) {
		ksft_print_msg("open(O_RDWR): %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	ok = expect_refused(rw, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
			    xt_expect()->shared_write_on_readonly_device,
			    "MAP_SHARED PROT_WRITE, O_RDWR");
	close(rw);
	return ok;
}

static int direct_offset_past_end_is_einval(void)
{
	int ok = XT_PASS;

	if (!expect_refused(fd, page, PROT_READ, MAP_SHARED, info.size, EINVAL,
			    "shared, offset at the end"))
		ok = XT_FAIL;
	if (!expect_refused(fd, page, PROT_READ, MAP_PRIVATE, info.size, EINVAL,
			    "private read-only, offset at the end"))
		ok = XT_FAIL;
	if (!expect_refused(fd, page, PROT_READ, MAP_SHARED, 16 * info.size, EINVAL,
			    "shared, offset far past the end"))
		ok = XT_FAIL;
	return ok;
}

/*
 * Offsets near 4 GiB and near 16 TiB, as far as a 32-bit program's mmap2
 * page offset reaches: far past the flash, a shared mapping is refused.
 * On a 32-bit kernel a page offset plus the length can wrap: the kernel's
 * own EOVERFLOW catches that before the driver sees it (mm/nommu.c and
 * mm/mmap.c); on a 64-bit kernel (also under a 32-bit program) nothing
 * wraps and the driver's range check, which compares page numbers before
 * it shifts them, says EINVAL.
 */
static int offsets_near_4_gib_and_16_tib_are_refused(void)
{
	static const unsigned long long offs[] = {
		(1ULL << 32) - 4096, 1ULL << 32, (1ULL << 32) + 4096, (1ULL << 44) - 4096,
	};
	unsigned int i;
	int ok = XT_PASS;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		unsigned long pgoff = offs[i] >> 12;
		int wraps = !xt_kernel_64bit() && pgoff + 1 == 0;
		int want = wraps ? EOVERFLOW : EINVAL;
		void *p;

		errno = 0;
		p = xmmap_pgoff(page, PROT_READ, MAP_SHARED, fd, pgoff);
		XT_EXPECT(p == MAP_FAILED && errno == want, "offset 0x%llx: %s, expected %s\n",
			  offs[i], p == MAP_FAILED ? xt_errname(errno) : "mapped",
			  xt_errname(want));
		if (p != MAP_FAILED)
			munmap(p, page);
	}
	return ok;
}

static int direct_length_past_end_is_einval(void)
{
	int ok = XT_PASS;

	if (!expect_refused(fd, info.size + page, PROT_READ, MAP_SHARED, 0, EINVAL,
			    "shared, longer than the flash"))
		ok = XT_FAIL;
	if (!expect_refused(fd, 2 * page, PROT_READ, MAP_SHARED, info.size - page, EINVAL,
			    "shared, last page plus one"))
		ok = XT_FAIL;
	if (!expect_refused(fd, 2 * page, PROT_READ, MAP_PRIVATE, info.size - page, EINVAL,
			    "private read-only, last page plus one"))
		ok = XT_FAIL;
	return ok;
}

static int zero_length_is_einval(void)
{
	return expect_refused(fd, 0, PROT_READ, MAP_SHARED, 0, EINVAL, "length 0");
}

static int map_fixed_is_einval(void)
{
	int lines = maps_lines();
	void *p;
	int ok = XT_PASS;

	if (lines < 0)
		return XT_FAIL;
	errno = 0;
	p = mmap(direct_addr(0), page, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	XT_EXPECT(p == MAP_FAILED && errno == EINVAL,
		  "MAP_FIXED at the flash's own address: %p (%s), expected EINVAL\n",
		  p, xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, page);
	XT_EXPECT(xt_maps_lines() == lines, "/proc/self/maps grew\n");
	return ok;
}

/*
 * Free some dirty pages of the size a copy will take, so that a copy the
 * kernel forgot to clear would likely show old bytes rather than the
 * zeros a fresh page happens to hold.  Returns 0, or -1 after saying why:
 * without the dirt, zeros prove nothing.
 */
static int dirty_pages(unsigned long len)
{
	unsigned char *q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	if (q == MAP_FAILED) {
		ksft_print_msg("a copy of %lu bytes to dirty: %s\n", len, xt_errname(errno));
		return -1;
	}
	memset(q, 0xee, len);
	munmap(q, len);
	return 0;
}

static int copy_past_end_is_zero_filled(void)
{
	unsigned long len = 3 * page;
	unsigned char *q;
	long diff;
	int ok = XT_PASS;

	if (dirty_pages(len))
		return XT_FAIL;
	q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, info.size - page);
	if (q == MAP_FAILED) {
		ksft_print_msg("copy of the last page plus two: %s, expected success\n",
			       xt_errname(errno));
		return XT_FAIL;
	}
	diff = xt_pattern_diff(q, info.size - page, page);
	XT_EXPECT(diff < 0, "the part inside the flash differs at +%ld\n", diff);
	diff = xt_byte_diff(q + page, 0, len - page);
	XT_EXPECT(diff < 0, "the part past the end is not zero at +%ld\n", page + diff);
	munmap(q, len);
	return ok;
}

static int copy_wholly_past_end_is_zeros(void)
{
	unsigned char *q;
	long diff;
	int ok = XT_PASS;

	/* mm/nommu.c reads nothing (read_iter returns 0) and clears it all. */
	if (dirty_pages(page))
		return XT_FAIL;
	q = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, info.size);
	if (q == MAP_FAILED) {
		ksft_print_msg("copy starting at the end: %s, expected success\n",
			       xt_errname(errno));
		return XT_FAIL;
	}
	diff = xt_byte_diff(q, 0, page);
	XT_EXPECT(diff < 0, "copy is not zero at +%ld\n", diff);
	munmap(q, page);
	return ok;
}

static int maps_name_the_device(void)
{
	char line[256] = "";
	void *d, *c;
	int ok = XT_PASS;

	d = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 2 * page);
	c = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 3 * page);
	XT_EXPECT(d != MAP_FAILED && c != MAP_FAILED, "mmap failed: %s\n", xt_errname(errno));
	if (d != MAP_FAILED) {
		XT_EXPECT(!xt_maps_line(d, line, sizeof(line)),
			  "no /proc/self/maps line starts at the direct mapping %p\n", d);
		XT_EXPECT(xt_contains(line, XT_FLASH) && xt_maps_offset(line) == 2 * page,
			  "direct mapping listed as '%s', expected %s at offset %lx\n",
			  line, XT_FLASH, 2 * page);
		munmap(d, page);
	}
	line[0] = '\0';
	if (c != MAP_FAILED) {
		XT_EXPECT(!xt_maps_line(c, line, sizeof(line)),
			  "no /proc/self/maps line starts at the copy %p\n", c);
		XT_EXPECT(xt_contains(line, XT_FLASH) && xt_maps_offset(line) == 3 * page,
			  "copy listed as '%s', expected %s at offset %lx\n",
			  line, XT_FLASH, 3 * page);
		munmap(c, page);
	}
	return ok;
}

static int driver_counts_live_mappings(void)
{
	unsigned int before = live_mappings();
	void *p1, *p2;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	p1 = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	p2 = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	XT_EXPECT(p1 != MAP_FAILED && p2 != MAP_FAILED, "mmap failed: %s\n",
		  xt_errname(errno));
	XT_EXPECT(live_mappings() == before + 2,
		  "debugfs reports %u mappings with two live, expected %u\n",
		  live_mappings(), before + 2);
	if (p1 != MAP_FAILED)
		munmap(p1, page);
	if (p2 != MAP_FAILED)
		munmap(p2, page);
	XT_EXPECT(live_mappings() == before,
		  "%u mappings after munmap, expected %u\n", live_mappings(), before);
	return ok;
}

static int ioctl_unknown_command_is_enotty(void)
{
	int ok = XT_PASS;
	int ret;

	errno = 0;
	ret = ioctl(fd, _IO(XIPMAP_IOC_MAGIC, 0x7f), 0);
	XT_EXPECT(ret == -1 && errno == ENOTTY, "unknown command: %d (%s), expected ENOTTY\n",
		  ret, xt_errname(errno));
	return ok;
}

static const struct xt_test tests[] = {
	XT_TEST(read_returns_pattern),
	XT_TEST(llseek_knows_the_size),
	XT_TEST_NOMMU(shared_ro_is_the_flash_itself, XT_WHY_PLACE),
	XT_TEST_NOMMU(private_ro_is_the_flash_itself, XT_WHY_PLACE),
	XT_TEST_NOMMU(exec_mappings_are_the_flash_itself, XT_WHY_PLACE),
	XT_TEST_NOMMU(private_ro_shared_by_second_process_driver_told, XT_WHY_PLACE),
	XT_TEST_NOMMU(private_rw_is_a_copy, XT_WHY_PLACE),
	XT_TEST(shared_rw_on_readonly_open_is_eacces),
	XT_TEST(shared_rw_on_readonly_flash_is_refused),
	XT_TEST(direct_offset_past_end_is_einval),
	XT_TEST(direct_length_past_end_is_einval),
	XT_TEST(offsets_near_4_gib_and_16_tib_are_refused),
	XT_TEST(zero_length_is_einval),
	XT_TEST_NOMMU(map_fixed_is_einval, XT_WHY_FIXED),
	XT_TEST_NOMMU(copy_past_end_is_zero_filled, XT_WHY_PASTEND),
	XT_TEST_NOMMU(copy_wholly_past_end_is_zeros, XT_WHY_PASTEND),
	XT_TEST(maps_name_the_device),
	XT_TEST(driver_counts_live_mappings),
	XT_TEST(ioctl_unknown_command_is_enotty),
};

int main(int argc, char **argv)
{
	xt_setup();
	if (xt_is_peer(argc, argv))
		return xt_peer_main(argc, argv);
	page = xt_page_size();
	fd = open(XT_FLASH, O_RDONLY);
	if (fd < 0)
		ksft_exit_fail_msg("open %s: %s (%d)\n", XT_FLASH, xt_errname(errno), errno);
	info = xt_info(fd);
	if (!xt_mmu() && !info.base)
		ksft_exit_fail_msg("%s reports no direct address on a no-MMU kernel\n", XT_FLASH);
	ksft_print_msg("%s: %llu bytes at 0x%llx (%s kernel)\n", XT_FLASH, info.size,
		       info.base, xt_mmu() ? "MMU" : "no-MMU");
	xt_run(tests, ARRAY_SIZE(tests), NULL);
}
