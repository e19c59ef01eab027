// SPDX-License-Identifier: GPL-2.0
/*
 * What a mapping costs.  With an MMU, mmap() reserves addresses and
 * nothing else: a mapping larger than the machine's free memory succeeds,
 * and memory goes only to the pages touched, one fault each (the
 * process's own page faults, and Rss in /proc/self/smaps).  Without an
 * MMU every private or anonymous mapping is memory allocated at mmap()
 * time, so one that large fails there with ENOMEM.
 *
 * "Larger than free memory" is twice MemTotal from /proc/meminfo.  What a
 * mapping costs is counted exactly, in pages of /proc/meminfo: Cached for
 * a file's pages, AnonPages for anonymous memory and private copies.
 * (Page tables come on top, and MemFree moves by itself.)
 */
#include "xipmap_test.h"

#define DIR		"xt-demand"
#define FILE		DIR "/big"
#define TOUCHED		64	/* pages touched in a large mapping */

static unsigned long page;
static unsigned long big;	/* twice MemTotal, in bytes */

/* A /proc/meminfo count in pages: "Cached" or "AnonPages"; -1 if unknown. */
static long pages(const char *field)
{
	long kb = xt_meminfo(field);

	return kb < 0 ? -1 : kb * 1024 / (long)page;
}

/* Whether the count @field, read at the start of a test as @n, is there. */
static int counted(const char *field, long n)
{
	if (n < 0)
		ksft_print_msg("no %s in /proc/meminfo: nothing to measure with\n", field);
	return n >= 0;
}

/* madvise(2), which nolibc lacks. */
static int xmadvise(void *addr, size_t len, int advice)
{
	return xsysret(xsyscall3(__NR_madvise, addr, len, advice));
}

/* Read a byte of each page of [@p, @p + @len). */
static void touch_all(const unsigned char *p, unsigned long len)
{
	unsigned long off;

	for (off = 0; off < len; off += page)
		(void)*(const volatile unsigned char *)(p + off);
}

/*
 * A sparse xipramfs file of twice the machine's memory, mapped shared:
 * mmap() takes no memory and makes no page resident (mincore(), what the
 * process sees); writing one byte in each of TOUCHED pages spread over it
 * makes TOUCHED pages resident and costs TOUCHED pages of memory; reading
 * them back through read() gives the bytes; unlinking the file gives the
 * memory back.
 */
static int file_larger_than_memory_costs_only_touched_pages(void)
{
	unsigned long stride = big / TOUCHED / page * page, i;
	long cached0, taken, r, rss, f0;
	unsigned char *p, c;
	int fd, ok = XT_PASS;

	fd = open(FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || xftruncate(fd, big)) {
		ksft_print_msg("create and truncate %s to %lu MiB: %s\n", FILE, big >> 20,
			       xt_errname(errno));
		if (fd >= 0)
			close(fd);
		unlink(FILE);
		return XT_FAIL;
	}
	cached0 = pages("Cached");
	if (!counted("Cached", cached0)) {
		close(fd);
		unlink(FILE);
		return XT_FAIL;
	}
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	XT_EXPECT(p != MAP_FAILED, "MAP_SHARED of %lu MiB: %s\n", big >> 20, xt_errname(errno));
	if (p == MAP_FAILED)
		goto out;
	r = xt_resident(p, big);
	XT_EXPECT(r == 0, "mmap(): %ld pages resident (%s), expected none\n", r,
		  xt_errname(r < 0 ? errno : 0));
	taken = pages("Cached") - cached0;
	XT_EXPECT(taken == 0, "mmap() of %lu MiB took %ld pages\n", big >> 20, taken);
	xt_smaps_kb(NULL, "Rss");	/* its buffer's pages, before counting faults */
	f0 = xt_faults();
	for (i = 0; i < TOUCHED; i++)
		p[i * stride + i] = (unsigned char)(i + 1);
	f0 = xt_faults() - f0;
	rss = xt_smaps_kb(p, "Rss");
	r = xt_resident(p, big);
	taken = pages("Cached") - cached0;
	ksft_print_msg("%lu MiB file mapped (MemTotal %ld kB, MemFree %ld kB): %d pages "
		       "touched, %ld resident, %ld pages in the page cache\n", big >> 20,
		       xt_meminfo("MemTotal"), xt_meminfo("MemFree"), TOUCHED, r, taken);
	XT_EXPECT(r == TOUCHED, "%d pages touched, %ld resident\n", TOUCHED, r);
	XT_EXPECT(taken == TOUCHED, "the file took %ld pages for %d pages touched\n", taken,
		  TOUCHED);
	XT_EXPECT(rss == TOUCHED * (long)page >> 10, "%d pages touched: Rss %ld kB\n",
		  TOUCHED, rss);
	XT_EXPECT(f0 == TOUCHED, "%d pages touched: %ld faults\n", TOUCHED, f0);
	for (i = 0; i < TOUCHED; i++) {
		if (lseek(fd, i * stride + i, SEEK_SET) != (off_t)(i * stride + i) ||
		    read(fd, &c, 1) != 1 || c != (unsigned char)(i + 1)) {
			ksft_print_msg("read() at %lu does not give the stored byte\n",
				       i * stride + i);
			ok = XT_FAIL;
			break;
		}
	}
	munmap(p, big);
out:
	close(fd);
	unlink(FILE);
	taken = pages("Cached") - cached0;
	XT_EXPECT(taken == 0, "%ld pages not given back after unlink\n", taken);
	return ok;
}

/*
 * xipramfs maps through the page cache's own fault-around
 * (filemap_map_pages()): a read fault maps, with the page touched, the
 * pages around it that are already in the cache, and never a hole.  A
 * file of 16 pages of which pages 0 and 8 were written with write(),
 * mapped shared read-only: reading page 0 is one fault of the process,
 * makes pages 0 and 8 resident in the mapping (Rss) when the fault-around
 * window covers page 8 (/sys/kernel/debug/fault_around_bytes, 64 KiB by
 * default), and adds nothing to the page cache.  The window is aligned in
 * the address space (do_fault_around()), so the file is mapped at an
 * address aligned to it: elsewhere page 8 may fall in the next window.
 */
static int cached_pages_are_mapped_around_a_fault(void)
{
	long window = xt_read_long("/sys/kernel/debug/fault_around_bytes");
	unsigned long align, len = 16 * page;
	long cached0, f0, rss, want;
	unsigned char *p, *res, c = 1;
	int fd, ok = XT_PASS;

	fd = open(FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || xftruncate(fd, 16 * page) || write(fd, &c, 1) != 1 ||
	    lseek(fd, 8 * page, SEEK_SET) != (off_t)(8 * page) || write(fd, &c, 1) != 1) {
		ksft_print_msg("create %s with pages 0 and 8: %s\n", FILE, xt_errname(errno));
		if (fd >= 0)
			close(fd);
		unlink(FILE);
		return XT_FAIL;
	}
	xt_smaps_kb(NULL, "Rss");	/* its buffer's pages, before counting */
	cached0 = pages("Cached");
	/* An address aligned to the window (64 KiB if debugfs cannot say). */
	align = window > (long)len ? (unsigned long)window : len;
	res = mmap(NULL, 2 * align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = MAP_FAILED;
	if (res != MAP_FAILED) {
		p = (unsigned char *)(((unsigned long)res + align - 1) & ~(align - 1));
		munmap(res, 2 * align);
		p = mmap(p, len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	}
	XT_EXPECT(p != MAP_FAILED, "mmap: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		f0 = xt_faults();
		c = *(volatile unsigned char *)p;
		f0 = xt_faults() - f0;
		rss = xt_smaps_kb(p, "Rss");
		want = (window < 0 || window > 8 * (long)page ? 2 : 1) * (long)page >> 10;
		ksft_print_msg("fault_around_bytes %ld: one page read, %ld fault(s), Rss %ld kB\n",
			       window, f0, rss);
		XT_EXPECT(c == 1, "page 0 does not hold what write() stored\n");
		XT_EXPECT(f0 == 1, "one page read: %ld faults\n", f0);
		XT_EXPECT(rss == want, "one page read: Rss %ld kB, expected %ld (pages 0 and 8)\n",
			  rss, want);
		XT_EXPECT(pages("Cached") == cached0, "the read fault added %ld pages to the "
			  "page cache\n", pages("Cached") - cached0);
		munmap(p, 16 * page);
	}
	close(fd);
	unlink(FILE);
	return ok;
}

/*
 * The peer: map @argv[2] bytes of FILE shared and read byte @argv[3]; it
 * reports only if the read comes back.
 */
static int touch_peer(char **argv)
{
	unsigned long len = strtoul(argv[2], NULL, 0), off = strtoul(argv[3], NULL, 0);
	int fd = open(FILE, O_RDONLY);
	unsigned char *p;

	if (fd < 0)
		return xt_report(XT_PEER_USAGE, errno);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return xt_report(XT_PEER_ERRNO, errno);
	return xt_report(*(volatile unsigned char *)(p + off) ? XT_PEER_DATA : XT_PEER_AT, 0);
}

/*
 * A mapping may run past the end of the file; the pages past it are not
 * there: touching one is SIGBUS.  The file's last page reads (zeros).
 */
static int touching_past_the_end_of_a_file_is_sigbus(void)
{
	char a_len[24], a_off[24];
	char *argv[] = { (char *)xt_self, "touch", a_len, a_off, NULL };
	struct xt_report r;
	int fd, status, ok = XT_PASS;

	fd = open(FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || xftruncate(fd, 2 * page)) {
		ksft_print_msg("create %s: %s\n", FILE, xt_errname(errno));
		if (fd >= 0)
			close(fd);
		unlink(FILE);
		return XT_FAIL;
	}
	close(fd);
	xjoin(a_len, sizeof(a_len), utoa(8 * page), NULL);
	xjoin(a_off, sizeof(a_off), utoa(2 * page - 1), NULL);
	status = xt_spawn(argv, 0, &r);
	XT_EXPECT(status >= 0 && XWIFEXITED(status) && r.verdict == XT_PEER_AT,
		  "reading the last byte of the file: status %#x, %s\n", status, xt_verdict(r));
	xjoin(a_off, sizeof(a_off), utoa(2 * page), NULL);
	status = xt_spawn(argv, 0, &r);
	XT_EXPECT(status >= 0 && XWIFSIGNALED(status) && XWTERMSIG(status) == SIGBUS,
		  "reading the first byte past the end: status %#x (%s), expected SIGBUS\n",
		  status, xt_verdict(r));
	unlink(FILE);
	return ok;
}

/*
 * Anonymous memory is demand-paged too: with MAP_NORESERVE (no promise of
 * memory to keep, so no overcommit check) twice MemTotal maps, and only
 * the pages touched cost memory.  MADV_NOHUGEPAGE: a kernel with
 * transparent huge pages "always" (Debian's) would give a touch 2 MiB.
 */
static int anonymous_larger_than_memory_costs_only_touched_pages(void)
{
	unsigned long stride = big / TOUCHED / page * page, i;
	long anon0 = pages("AnonPages"), taken;
	unsigned char *p;
	int ok = XT_PASS;

	if (!counted("AnonPages", anon0))
		return XT_FAIL;
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED) {
		ksft_print_msg("%lu MiB anonymous: %s\n", big >> 20, xt_errname(errno));
		return XT_FAIL;
	}
	/* EINVAL: no transparent huge pages; ENOSYS: no madvise() at all. */
	if (xmadvise(p, big, MADV_NOHUGEPAGE) && errno != EINVAL && errno != ENOSYS)
		ksft_print_msg("MADV_NOHUGEPAGE: %s\n", xt_errname(errno));
	taken = pages("AnonPages") - anon0;
	XT_EXPECT(taken == 0, "mmap() took %ld pages\n", taken);
	for (i = 0; i < TOUCHED; i++)
		p[i * stride] = 1;
	taken = pages("AnonPages") - anon0;
	ksft_print_msg("%lu MiB anonymous: %d pages touched, %ld anonymous pages\n",
		       big >> 20, TOUCHED, taken);
	XT_EXPECT(taken == TOUCHED, "%ld pages for %d pages touched\n", taken, TOUCHED);
	munmap(p, big);
	return ok;
}

/*
 * The flash, mapped whole, shared and private, costs no fault and no Rss
 * until touched (the process's page faults, /proc/self/smaps), one fault
 * per page touched, and no memory even then: its pages are the device's.
 * A private page written costs one anonymous page, the copy.
 */
static int flash_mappings_cost_nothing_until_touched(void)
{
	struct xipmap_info info;
	long anon0, cached0;
	unsigned char *s, *p;
	long f0, n, kb;
	int ok = XT_PASS;
	int fd;

	/* The smaps reader's own buffer is this program's memory: touch it first. */
	xt_smaps_kb(NULL, "Rss");
	anon0 = pages("AnonPages");
	cached0 = pages("Cached");
	if (!counted("AnonPages", anon0) || !counted("Cached", cached0))
		return XT_FAIL;
	fd = open(XT_NOR, O_RDONLY);
	if (fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	info = xt_info(fd);
	kb = (long)(info.size >> 10);
	n = (long)((unsigned long)info.size / page);
	f0 = xt_faults();
	s = mmap(NULL, info.size, PROT_READ, MAP_SHARED, fd, 0);
	p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	XT_EXPECT(s != MAP_FAILED && p != MAP_FAILED, "mmap: %s\n", xt_errname(errno));
	XT_EXPECT(xt_faults() == f0, "mmap() faulted %ld pages in\n", xt_faults() - f0);
	if (p != MAP_FAILED && s != MAP_FAILED) {
		XT_EXPECT(xt_smaps_kb(s, "Rss") == 0 && xt_smaps_kb(p, "Rss") == 0,
			  "just mapped: Rss %ld and %ld kB, expected 0\n", xt_smaps_kb(s, "Rss"),
			  xt_smaps_kb(p, "Rss"));
		f0 = xt_faults();
		touch_all(s, info.size);
		touch_all(p, info.size);
		f0 = xt_faults() - f0;
		XT_EXPECT(pages("AnonPages") == anon0 && pages("Cached") == cached0,
			  "reading two mappings of %ld kB took %ld anonymous and %ld "
			  "page cache pages\n", kb, pages("AnonPages") - anon0,
			  pages("Cached") - cached0);
		/* No fault-around: the flash is not in a page cache. */
		XT_EXPECT(f0 == 2 * n, "reading every page of both: %ld faults, expected %ld\n",
			  f0, 2 * n);
		XT_EXPECT(xt_smaps_kb(s, "Rss") == kb && xt_smaps_kb(p, "Rss") == kb,
			  "read whole: Rss %ld and %ld kB, expected %ld\n", xt_smaps_kb(s, "Rss"),
			  xt_smaps_kb(p, "Rss"), kb);
		/* From here: reading smaps touched pages of this program's own. */
		anon0 = pages("AnonPages");
		p[5 * page] = 1;
		XT_EXPECT(pages("AnonPages") - anon0 == 1,
			  "a private page written: %ld anonymous pages, expected 1\n",
			  pages("AnonPages") - anon0);
		XT_EXPECT(xt_smaps_kb(p, "Anonymous") == (long)page >> 10,
			  "a private page written: %ld kB Anonymous in smaps, expected %lu\n",
			  xt_smaps_kb(p, "Anonymous"), page >> 10);
		XT_EXPECT(xt_pattern_diff(s + 5 * page, 5 * page, page) < 0,
			  "a private store reached the device\n");
	}
	if (s != MAP_FAILED)
		munmap(s, info.size);
	if (p != MAP_FAILED)
		munmap(p, info.size);
	close(fd);
	return ok;
}

/*
 * Without an MMU, mmap() allocates a private or anonymous mapping whole,
 * so twice MemTotal fails there with ENOMEM, and leaves nothing mapped:
 * anonymous memory, and a private writable mapping of the flash (which is
 * always a copy).  6.12 WARNs in the page allocator on the way: run only
 * with XIPMAP_KNOWN_BUGS=1 (qemu/check.sh does, and expects that WARN), or
 * on a kernel with the fix (patches/6.12), where nothing may WARN.
 */
static int mapping_larger_than_memory_is_enomem(void)
{
	unsigned char *p;
	int ok = XT_PASS;
	int fd, lines;

	if (!xt_known_bugs() && !xt_fixed("22")) {
		ksft_print_msg("6.12 WARNs in __alloc_pages() (docs/conformance.md 9): set "
			       "XIPMAP_KNOWN_BUGS=1 to run\n");
		return XT_SKIP;
	}
	lines = xt_maps_lines();
	if (lines < 0) {
		ksft_print_msg("read /proc/self/maps: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	fd = open(XT_NOR, O_RDONLY);
	if (fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	errno = 0;
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	XT_EXPECT(p == MAP_FAILED && errno == ENOMEM,
		  "%lu MiB anonymous: %p (%s), expected ENOMEM\n", big >> 20, p,
		  xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, big);
	errno = 0;
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	XT_EXPECT(p == MAP_FAILED && errno == ENOMEM,
		  "%lu MiB private copy of %s: %p (%s), expected ENOMEM\n", big >> 20, XT_NOR,
		  p, xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, big);
	XT_EXPECT(xt_maps_lines() == lines, "/proc/self/maps grew\n");
	close(fd);
	return ok;
}

static const struct xt_test tests[] = {
	XT_TEST_MMU(file_larger_than_memory_costs_only_touched_pages, XT_WHY_NOFAULT),
	XT_TEST_MMU(cached_pages_are_mapped_around_a_fault, XT_WHY_NOFAULT),
	XT_TEST_MMU(touching_past_the_end_of_a_file_is_sigbus, "without an MMU a mapping "
		    "past the end of a file is refused (ramfs_map)"),
	XT_TEST_MMU(anonymous_larger_than_memory_costs_only_touched_pages, XT_WHY_NOFAULT),
	XT_TEST_MMU(flash_mappings_cost_nothing_until_touched, XT_WHY_NOFAULT),
	XT_TEST_NOMMU(mapping_larger_than_memory_is_enomem, "with an MMU it succeeds "
		      "and costs the pages touched (the tests above)"),
};

/*
 * Grow this process's stack before anything counts anonymous pages: a stack
 * page first touched by a deeper call during a test (a debugfs read) is an
 * anonymous page too, and one seen run counted it.
 */
static void grow_stack(void)
{
	volatile char buf[32768];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 512)
		buf[i] = 0;
}

int main(int argc, char **argv)
{
	grow_stack();
	xt_setup();
	page = xt_page_size();
	xt_self = xt_program(argv[0]);
	if (argc == 4 && !strcmp(argv[1], "touch"))
		return touch_peer(argv);
	if (xt_meminfo("MemTotal") <= 0)
		ksft_exit_fail_msg("no MemTotal in /proc/meminfo: cannot size the mappings\n");
	big = 2 * xt_meminfo("MemTotal") * 1024;
	big = (big + page - 1) & ~(page - 1);
	if (mkdir(DIR, 0755) && errno != EEXIST)
		ksft_exit_fail_msg("mkdir %s: %s\n", DIR, xt_errname(errno));
	if (xt_mmu() && mount("none", DIR, "xipramfs", 0, NULL))
		ksft_exit_fail_msg("mount xipramfs on %s: %s\n", DIR, xt_errname(errno));
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	xt_run_tests(tests, ARRAY_SIZE(tests), "");
	if (xt_mmu() && xumount(DIR, 0))
		ksft_exit_fail_msg("umount %s: %s: a file or mapping leaked\n", DIR,
				   xt_errname(errno));
	ksft_finished();
}
