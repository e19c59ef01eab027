// SPDX-License-Identifier: GPL-2.0
/*
 * The rest of Documentation/admin-guide/mm/nommu-mmap.rst (and, with an
 * MMU, the few of its claims that hold there too): anonymous
 * mappings, MAP_UNINITIALIZED, address hints, mremap(), page trimming,
 * /proc/maps, futexes, SysV shared memory and fork().  Where 6.12 differs
 * from the document, the test asserts what the kernel does and
 * docs/conformance.md says why.
 */
#include "xipmap_test.h"

static unsigned long page;
static struct xipmap_info nor;	/* xipflash0, for the file-backed cases */
static int nor_fd;

/*
 * Free a few dirty pages, so that memory the kernel forgot to clear shows.
 * Returns 0, or -1 after saying why: without the dirt a check for zeros
 * proves nothing.
 */
static int dirty_pages(unsigned long len)
{
	unsigned char *q = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (q == MAP_FAILED) {
		ksft_print_msg("%lu bytes to dirty: %s\n", len, xt_errname(errno));
		return -1;
	}
	memset(q, 0xee, len);
	munmap(q, len);
	return 0;
}

/* An anonymous private mapping of @len bytes, or NULL after saying why. */
static void *anonymous(unsigned long len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		ksft_print_msg("%lu bytes of anonymous memory: %s\n", len, xt_errname(errno));
		return NULL;
	}
	return p;
}

static int anonymous_private_is_aligned_and_zeroed(void)
{
	static const unsigned long lens[] = { 100, 4096, 3 * 4096, 5 * 4096 };
	unsigned int i;
	unsigned char *p;
	int ok = XT_PASS;
	long diff;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		if (dirty_pages(lens[i]))
			return XT_FAIL;
		p = mmap(NULL, lens[i], PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED) {
			ksft_print_msg("%lu bytes: %s\n", lens[i], xt_errname(errno));
			ok = XT_FAIL;
			continue;
		}
		XT_EXPECT(!((unsigned long)p & (page - 1)), "%lu bytes at %p: not page-aligned\n",
			  lens[i], p);
		diff = xt_byte_diff(p, 0, lens[i]);
		XT_EXPECT(diff < 0, "%lu bytes: not zero at +%ld\n", lens[i], diff);
		munmap(p, lens[i]);
	}
	return ok;
}

/* No fork() to share it across: MAP_SHARED anonymous memory is private. */
static int anonymous_shared_behaves_as_private(void)
{
	char line[256] = "";
	unsigned char *p;
	const char *perms;
	int ok = XT_PASS;

	if (dirty_pages(2 * page))
		return XT_FAIL;
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ksft_print_msg("MAP_SHARED|MAP_ANONYMOUS: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(xt_byte_diff(p, 0, 2 * page) < 0, "not zero-filled\n");
	XT_EXPECT(!xt_maps_line(p, line, sizeof(line)), "no /proc/self/maps line at %p\n", p);
	perms = strchr(line, ' ');
	XT_EXPECT(perms && !strncmp(perms + 1, "rw-p", 4),
		  "listed as '%s', expected a private (p) mapping\n", line);
	munmap(p, 2 * page);
	return ok;
}

/*
 * MAP_UNINITIALIZED: honoured only with CONFIG_MMAP_ALLOW_UNINITIALIZED.
 * A one-page mapping freed and made again gets the same page back from
 * the page allocator's per-CPU list, so dirt shows when it is honoured.
 */
#define UNINIT_TRIES	32

static int map_uninitialized_follows_the_config(void)
{
	int allowed = xt_kconfig("CONFIG_MMAP_ALLOW_UNINITIALIZED");
	int tries, dirty = 0;
	unsigned char *p;
	int ok = XT_PASS;

	if (allowed < 0) {
		ksft_print_msg("no /boot/config-<release>: cannot tell whether "
			       "CONFIG_MMAP_ALLOW_UNINITIALIZED is set\n");
		return XT_SKIP;
	}
	/*
	 * A freed page comes back to the next allocation only if nothing else
	 * (a pipe buffer carrying this test's output, say) takes it first:
	 * one dirty mapping in many tries proves MAP_UNINITIALIZED honoured.
	 */
	for (tries = 0; tries < UNINIT_TRIES; tries++) {
		if (dirty_pages(page))
			return XT_FAIL;
		p = mmap(NULL, page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_UNINITIALIZED, -1, 0);
		if (p == MAP_FAILED) {
			ksft_print_msg("MAP_UNINITIALIZED: %s\n", xt_errname(errno));
			return XT_FAIL;
		}
		dirty += xt_byte_diff(p, 0, page) >= 0;
		munmap(p, page);
	}
	if (allowed)
		XT_EXPECT(dirty > 0, "CONFIG_MMAP_ALLOW_UNINITIALIZED=y, yet %d mappings "
			  "made from freed dirty pages were all cleared\n", UNINIT_TRIES);
	else
		XT_EXPECT(dirty == 0, "CONFIG_MMAP_ALLOW_UNINITIALIZED is not set, yet "
			  "%d of %d mappings were not cleared\n", dirty, UNINIT_TRIES);
	ksft_print_msg("CONFIG_MMAP_ALLOW_UNINITIALIZED=%s: %d of %d mappings kept old data\n",
		       allowed ? "y" : "n", dirty, UNINIT_TRIES);
	return ok;
}

/* "Requesting a particular mapping address": the hint is ignored. */
static int address_hints_are_ignored(void)
{
	void *hint = (void *)(16 * page);
	void *p;
	int ok = XT_PASS;

	p = mmap(hint, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	XT_EXPECT(p != MAP_FAILED && p != hint, "anonymous with a hint: %p (%s)\n", p,
		  xt_errname(p == MAP_FAILED ? errno : 0));
	if (p != MAP_FAILED)
		munmap(p, page);
	p = mmap(hint, page, PROT_READ, MAP_SHARED, nor_fd, 0);
	XT_EXPECT(p == (void *)(unsigned long)nor.base,
		  "device with a hint: %p (%s), expected the device at %llx\n", p,
		  xt_errname(p == MAP_FAILED ? errno : 0), nor.base);
	if (p != MAP_FAILED)
		munmap(p, page);
	return ok;
}

static int map_fixed_anonymous_is_einval(void)
{
	unsigned char *p, *q;
	int ok = XT_PASS;

	p = anonymous(page);
	if (!p)
		return XT_FAIL;
	errno = 0;
	q = mmap(p, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	XT_EXPECT(q == MAP_FAILED && errno == EINVAL,
		  "MAP_FIXED over an existing mapping: %p (%s), expected EINVAL\n", q,
		  xt_errname(errno));
	munmap(p, page);
	return ok;
}

static int write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	long n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (long)strlen(value) ? 0 : -1;
}

#define NR_TRIM_PAGES	"/proc/sys/vm/nr_trim_pages"

static long xmremap(void *old, unsigned long old_len, unsigned long new_len, int flags,
		    void *new_addr)
{
	return xsyscall5(__NR_mremap, old, old_len, new_len, flags, new_addr);
}

/*
 * A private mapping shrinks in place and grows back to its first size;
 * beyond that mremap() says ENOMEM, even with MREMAP_MAYMOVE, and even
 * when vm.nr_trim_pages=0 left spare pages in its allocation.  The mapping
 * is at its first size again before munmap(): 6.12 resizes the VMA
 * without updating the process's maple tree, and unmapping a resized
 * mapping leaves a stale tree entry that exit frees a second time (see
 * docs/conformance.md).
 */
static int mremap_resizes_private_mappings_in_place(void)
{
	unsigned char *p;
	long r, trim;
	int ok = XT_PASS;

	p = anonymous(4 * page);
	if (!p)
		return XT_FAIL;
	r = xmremap(p, 4 * page, 2 * page, 0, NULL);
	XT_EXPECT(r == (long)p, "shrink 4 to 2 pages: %ld, expected %p\n", r, p);
	if (r == (long)p) {
		r = xmremap(p, 2 * page, 4 * page, 0, NULL);
		XT_EXPECT(r == (long)p, "grow back to 4 pages: %ld, expected %p\n", r, p);
	}
	r = xmremap(p, 4 * page, 5 * page, MREMAP_MAYMOVE, NULL);
	XT_EXPECT(r == -ENOMEM, "grow to 5 pages: %ld, expected -ENOMEM\n", r);
	r = xmremap(p, 4 * page, 4 * page, MREMAP_MAYMOVE | MREMAP_FIXED, p);
	XT_EXPECT(r == (long)p, "MREMAP_FIXED at the same address: %ld, expected %p\n", r, p);
	r = xmremap(p, 4 * page, 4 * page, MREMAP_MAYMOVE | MREMAP_FIXED, p + 64 * page);
	XT_EXPECT(r == -EINVAL, "MREMAP_FIXED elsewhere: %ld, expected -EINVAL\n", r);
	r = xmremap(p, 2 * page, page, 0, NULL);
	XT_EXPECT(r == -EINVAL, "part of a mapping: %ld, expected -EINVAL\n", r);
	r = xmremap(p + page, 2 * page, page, 0, NULL);
	XT_EXPECT(r == -EINVAL, "from inside a mapping: %ld, expected -EINVAL\n", r);
	munmap(p, 4 * page);

	/* Untrimmed, 5 pages hold an 8-page block: still no growing into it. */
	trim = xt_read_long(NR_TRIM_PAGES);
	if (trim < 0 || write_sysctl(NR_TRIM_PAGES, "0\n")) {
		ksft_print_msg("cannot set " NR_TRIM_PAGES " to 0\n");
		return XT_FAIL;
	}
	p = anonymous(5 * page);
	if (write_sysctl(NR_TRIM_PAGES, trim ? "1\n" : "0\n")) {
		ksft_print_msg("cannot put " NR_TRIM_PAGES " back to %ld\n", trim);
		ok = XT_FAIL;
	}
	if (!p)
		return XT_FAIL;
	r = xmremap(p, 5 * page, 6 * page, 0, NULL);
	XT_EXPECT(r == -ENOMEM, "grow 5 untrimmed pages to 6: %ld, expected -ENOMEM\n", r);
	munmap(p, 5 * page);
	return ok;
}

/*
 * After mremap() resizes a mapping, the process's tree holds it at its new
 * size: munmap() of that size unmaps it whole, and nothing is left past
 * it.  6.12 leaves the tree at the old size, and exit then frees the VMA
 * a second time (slab corruption, docs/conformance.md 10), so this runs
 * only on a kernel with the fix (patches/6.12).
 */
static int mremap_keeps_the_mapping_whole(void)
{
	unsigned char *p;
	int ok = XT_PASS, lines;
	long r;

	if (!xt_fixed("10")) {
		xt_skip_why = "6.12 corrupts the slab (a double free at exit): "
			      "runs on a kernel with the fix (XIPMAP_FIXED)";
		return XT_SKIP;
	}
	lines = xt_maps_lines();
	p = anonymous(4 * page);
	if (!p)
		return XT_FAIL;
	r = xmremap(p, 4 * page, 3 * page, 0, NULL);
	XT_EXPECT(r == (long)p, "shrink 4 to 3 pages: %ld, expected %p\n", r, p);
	XT_EXPECT(!munmap(p, 3 * page), "munmap of the 3 pages: %s\n", xt_errname(errno));
	errno = 0;
	XT_EXPECT(munmap(p + 3 * page, page) == -1 && errno == EINVAL,
		  "munmap of the page cut off: %s, expected EINVAL (nothing there)\n",
		  xt_errname(errno));
	p = anonymous(4 * page);
	if (!p)
		return XT_FAIL;
	r = xmremap(p, 4 * page, 2 * page, 0, NULL);
	XT_EXPECT(r == (long)p, "shrink 4 to 2 pages: %ld, expected %p\n", r, p);
	r = xmremap(p, 2 * page, 3 * page, 0, NULL);
	XT_EXPECT(r == (long)p, "grow 2 to 3 pages: %ld, expected %p\n", r, p);
	/* The page grown back is in the tree: it can be unmapped alone. */
	XT_EXPECT(!munmap(p + 2 * page, page), "munmap of the page grown back: %s\n",
		  xt_errname(errno));
	XT_EXPECT(!munmap(p, 2 * page), "munmap of the 2 pages left: %s\n", xt_errname(errno));
	XT_EXPECT(xt_maps_lines() == lines, "/proc/self/maps: %d lines, expected %d\n",
		  xt_maps_lines(), lines);
	return ok;
}

/* "Shared mappings may not be moved. Shareable mappings may not be moved." */
static int mremap_refuses_shareable_mappings(void)
{
	static const struct { int flags; const char *what; } kinds[] = {
		{ MAP_SHARED, "shared" },
		{ MAP_PRIVATE, "private read-only (shareable)" },
	};
	unsigned int i;
	void *p;
	long r;
	int ok = XT_PASS;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		p = mmap(NULL, 2 * page, PROT_READ, kinds[i].flags, nor_fd, 0);
		if (p == MAP_FAILED) {
			ksft_print_msg("%s: %s\n", kinds[i].what, xt_errname(errno));
			ok = XT_FAIL;
			continue;
		}
		r = xmremap(p, 2 * page, page, 0, NULL);
		XT_EXPECT(r == -EPERM, "%s, shrink: %ld, expected -EPERM\n", kinds[i].what, r);
		r = xmremap(p, 2 * page, 2 * page, MREMAP_MAYMOVE, NULL);
		XT_EXPECT(r == -EPERM, "%s, same size: %ld, expected -EPERM\n", kinds[i].what, r);
		munmap(p, 2 * page);
	}
	return ok;
}

/*
 * munmap(): an anonymous mapping may lose pages at either end, a file
 * mapping only goes whole.  (Unmapping the middle of an anonymous mapping
 * splits it, and 6.12 WARNs doing so: see docs/conformance.md.)
 */
static int munmap_trims_only_anonymous_mappings(void)
{
	unsigned char *p;
	int ok = XT_PASS;
	int r;

	p = anonymous(3 * page);
	if (!p)
		return XT_FAIL;
	r = munmap(p + 2 * page, page);
	XT_EXPECT(r == 0, "anonymous, last page: %d (%s), expected success\n", r,
		  xt_errname(errno));
	r = munmap(p, page);
	XT_EXPECT(r == 0, "anonymous, first page: %d (%s), expected success\n", r,
		  xt_errname(errno));
	XT_EXPECT(!munmap(p + page, page), "anonymous, the page left: %s\n", xt_errname(errno));
	p = mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, nor_fd, 0);
	if (p == MAP_FAILED) {
		ksft_print_msg("shared mapping of %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	errno = 0;
	r = munmap(p + 2 * page, page);
	XT_EXPECT(r == -1 && errno == EINVAL, "device, last page: %d (%s), expected EINVAL\n",
		  r, xt_errname(errno));
	errno = 0;
	r = munmap(p, page);
	XT_EXPECT(r == -1 && errno == EINVAL, "device, first page: %d (%s), expected EINVAL\n",
		  r, xt_errname(errno));
	XT_EXPECT(!munmap(p, 3 * page), "device, whole: %s\n", xt_errname(errno));
	return ok;
}

/*
 * Unmapping the middle page of an anonymous mapping leaves the two ends
 * mapped, each to be unmapped on its own.  6.12 WARNs in
 * __mas_set_range() doing so (docs/conformance.md 11), so this runs only
 * on a kernel with the fix (patches/6.12).
 */
static int munmap_of_the_middle_splits_an_anonymous_mapping(void)
{
	unsigned char *p;
	int ok = XT_PASS, lines;

	if (!xt_fixed("11")) {
		xt_skip_why = "6.12 WARNs in __mas_set_range(): "
			      "runs on a kernel with the fix (XIPMAP_FIXED)";
		return XT_SKIP;
	}
	lines = xt_maps_lines();
	p = anonymous(3 * page);
	if (!p)
		return XT_FAIL;
	p[0] = 1;
	p[2 * page] = 3;
	XT_EXPECT(!munmap(p + page, page), "munmap of the middle page: %s\n", xt_errname(errno));
	XT_EXPECT(p[0] == 1 && p[2 * page] == 3, "the ends lost their contents\n");
	XT_EXPECT(xt_maps_lines() == lines + 2, "/proc/self/maps: %d lines, expected %d\n",
		  xt_maps_lines(), lines + 2);
	errno = 0;
	XT_EXPECT(munmap(p + page, page) == -1 && errno == EINVAL,
		  "munmap of the middle again: %s, expected EINVAL\n", xt_errname(errno));
	XT_EXPECT(!munmap(p, page), "munmap of the first page: %s\n", xt_errname(errno));
	XT_EXPECT(!munmap(p + 2 * page, page), "munmap of the last page: %s\n",
		  xt_errname(errno));
	XT_EXPECT(xt_maps_lines() == lines, "/proc/self/maps: %d lines, expected %d\n",
		  xt_maps_lines(), lines);
	return ok;
}

/* MmapCopy in /proc/meminfo, in kB, or -1. */
static long mmap_copy_kb(void)
{
	static char buf[4096];
	char *s;

	if (xt_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	for (s = buf; *s; s++)
		if ((s == buf || s[-1] == '\n') && !strncmp(s, "MmapCopy:", 9))
			return strtol(s + 9, NULL, 10);
	return -1;
}

/*
 * A 5-page mapping takes an order-3 (8-page) block.  With trimming (the
 * default, vm.nr_trim_pages=1) the 3 spare pages go back at once; with 0
 * they stay.  MmapCopy counts the pages copies and anonymous mappings hold.
 */
static int nr_trim_pages_trims_the_power_of_two(void)
{
	long trim = xt_read_long(NR_TRIM_PAGES);
	long before, kb[2];
	unsigned char *p;
	int ok = XT_PASS;
	int i;

	if (trim < 0) {
		ksft_print_msg("cannot read " NR_TRIM_PAGES "\n");
		return XT_FAIL;
	}
	for (i = 0; i < 2; i++) {
		if (write_sysctl(NR_TRIM_PAGES, i ? "0\n" : "1\n")) {
			ksft_print_msg("cannot write " NR_TRIM_PAGES ": %s\n", xt_errname(errno));
			return XT_FAIL;
		}
		before = mmap_copy_kb();
		if (before < 0) {
			ksft_print_msg("no MmapCopy in /proc/meminfo\n");
			ok = XT_FAIL;
			break;
		}
		p = anonymous(5 * page);
		if (!p) {
			ok = XT_FAIL;
			break;
		}
		kb[i] = mmap_copy_kb() - before;
		munmap(p, 5 * page);
	}
	write_sysctl(NR_TRIM_PAGES, trim ? "1\n" : "0\n");
	if (!ok)
		return ok;
	XT_EXPECT(kb[0] == (long)(5 * page / 1024),
		  "nr_trim_pages=1: MmapCopy grew by %ld kB, expected %lu\n", kb[0],
		  5 * page / 1024);
	XT_EXPECT(kb[1] == (long)(8 * page / 1024),
		  "nr_trim_pages=0: MmapCopy grew by %ld kB, expected %lu\n", kb[1],
		  8 * page / 1024);
	if (trim != 1)
		ksft_print_msg("vm.nr_trim_pages was %ld, not the default 1\n", trim);
	return ok;
}

/* "A list of all the private copy and anonymous mappings ... /proc/maps". */
static int proc_maps_lists_every_region(void)
{
	static char buf[65536];
	unsigned char *p;
	char *s;
	int found = 0;
	int ok = XT_PASS;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, nor_fd, 0);
	if (p == MAP_FAILED) {
		ksft_print_msg("private copy of %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	if (xt_read_file("/proc/maps", buf, sizeof(buf)) <= 0) {
		ksft_print_msg("cannot read /proc/maps: %s\n", xt_errname(errno));
		munmap(p, page);
		return XT_FAIL;
	}
	for (s = buf; *s; s++)
		if ((s == buf || s[-1] == '\n') && strtoul(s, NULL, 16) == (unsigned long)p)
			found = 1;
	XT_EXPECT(found, "/proc/maps has no region at the copy %p\n", p);
	munmap(p, page);
	return ok;
}

static long xfutex(void *uaddr, int op, unsigned int val, long timeout_ms)
{
	struct __kernel_timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000 };

	return xsyscall6(__NR_futex, uaddr, op, val, timeout_ms >= 0 ? &ts : NULL, 0, 0);
}

static int futex_on_anonymous_memory(void)
{
	static const struct { int op; const char *what; } ops[] = {
		{ FUTEX_WAIT, "shared" },
		{ FUTEX_WAIT_PRIVATE, "private" },
	};
	unsigned int *w, i;
	long r;
	int ok = XT_PASS;

	w = anonymous(page);
	if (!w)
		return XT_FAIL;
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		r = xfutex(w, ops[i].op, 1, 20);
		XT_EXPECT(r == -EAGAIN, "%s wait, value differs: %ld, expected -EAGAIN\n",
			  ops[i].what, r);
		r = xfutex(w, ops[i].op, 0, 20);
		XT_EXPECT(r == -ETIMEDOUT, "%s wait, 20 ms: %ld, expected -ETIMEDOUT\n",
			  ops[i].what, r);
	}
	r = xfutex(w, FUTEX_WAKE, 1, -1);
	XT_EXPECT(r == 0, "wake with no waiter: %ld, expected 0\n", r);
	munmap(w, page);
	/*
	 * The document: "An error will be given if an address passed to the
	 * futex system call lies outside the mappings made by a process".
	 * 6.12 treats every futex as private on no-MMU (get_futex_key()) and
	 * looks at no VMA: a wait outside the mappings just reads the memory.
	 */
	r = xfutex(w, FUTEX_WAIT, 0, 20);
	if (xt_expect()->futex_outside_mappings)
		XT_EXPECT(r == -xt_expect()->futex_outside_mappings,
			  "shared wait outside the mappings: %ld, expected -%s\n", r,
			  xt_errname(xt_expect()->futex_outside_mappings));
	else
		XT_EXPECT(r == -EAGAIN || r == -ETIMEDOUT,
			  "shared wait outside the mappings: %ld, expected -EAGAIN or -ETIMEDOUT\n",
			  r);
	return ok;
}

/* The peer: wait on the word at @off of the RAM device, shared. */
static int futex_peer(char **argv)
{
	unsigned long off = strtoul(argv[2], NULL, 0);
	int fd = open(XT_RAM, O_RDWR);
	unsigned int *w;
	long r;

	if (fd < 0)
		return xt_report(XT_PEER_USAGE, errno);
	w = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (w == MAP_FAILED)
		return xt_report(XT_PEER_ERRNO, errno);
	r = xfutex(w, FUTEX_WAIT, 0, 10000);
	return xt_report(r ? XT_PEER_ERRNO : XT_PEER_AT, -r);
}

/* Two processes, one word in a shared mapping of device memory. */
static int futex_between_processes_in_device_memory(void)
{
	char a_off[24];
	char *argv[] = { (char *)xt_self, "futex", a_off, NULL };
	unsigned long off = 16 * page;
	struct xt_child child;
	struct xt_report rep;
	unsigned int *w;
	int fd, tries, woken = 0;
	long r;
	int ok = XT_PASS;

	fd = open(XT_RAM, O_RDWR);
	if (fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_RAM, xt_errname(errno));
		return XT_FAIL;
	}
	w = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (w == MAP_FAILED) {
		ksft_print_msg("shared mapping of %s: %s\n", XT_RAM, xt_errname(errno));
		close(fd);
		return XT_FAIL;
	}
	*w = 0;
	xjoin(a_off, sizeof(a_off), utoa(off), NULL);
	if (xt_start(&child, argv, 0)) {
		ksft_print_msg("start the waiter: %s\n", xt_errname(errno));
		munmap(w, page);
		close(fd);
		return xt_put_back(XIPMAP_PERSONALITY_RAM, XT_FAIL);
	}
	/* Wake it as soon as it waits; give it up to 5 s to get there. */
	for (tries = 0; tries < 500 && !woken; tries++) {
		r = xfutex(w, FUTEX_WAKE, 1, -1);
		if (r == 1)
			woken = 1;
		else if (xt_exited(&child))
			break;
		else
			usleep(10000);
	}
	XT_EXPECT(woken, "FUTEX_WAKE never found the second process waiting\n");
	xt_wait(&child, &rep);
	XT_EXPECT(rep.verdict == XT_PEER_AT, "the waiter: %s\n", xt_verdict(rep));
	munmap(w, page);
	close(fd);
	return xt_put_back(XIPMAP_PERSONALITY_RAM, ok);
}

static long xshmat(int id, const void *addr, int flags)
{
	return xsyscall3(__NR_shmat, id, addr, flags);
}

/* The peer: attach segment @id, expect it at @addr holding 0x77; answer. */
static int shm_peer(char **argv)
{
	int id = strtol(argv[2], NULL, 0);
	unsigned char *expect = (unsigned char *)strtoul(argv[3], NULL, 0);
	long r = xshmat(id, NULL, 0);
	unsigned char *p = (unsigned char *)r;

	if (r < 0 && r > -4096)
		return xt_report(XT_PEER_ERRNO, -r);
	if (p[0] != 0x77)
		return xt_report(XT_PEER_DATA, 0);
	p[1] = 0x88;
	return xt_report(p == expect ? XT_PEER_AT : XT_PEER_ELSEWHERE, 0);
}

/*
 * "Both SYSV IPC SHM shared memory and POSIX shared memory is supported in
 * NOMMU mode."  Not in 6.12: shmat() maps the segment MAP_SHARED through
 * ipc/shm.c's shm_file_operations, which have no mmap_capabilities, so
 * mm/nommu.c gives the (ramfs) regular file the default NOMMU_MAP_COPY
 * and refuses the shared mapping with ENODEV.  Assert that; when a kernel
 * attaches, check that two processes share the segment.  A kernel with
 * the fix (patches/6.12, docs/conformance.md 14) must attach:
 * sysv_shm_is_shared_between_processes.
 */
static int sysv_shm(int fixed)
{
	char a_id[24], a_addr[24];
	char *argv[] = { (char *)xt_self, "shm", a_id, a_addr, NULL };
	struct xt_report rep;
	unsigned char *p;
	long id, r;
	int ok = XT_PASS;

	id = xsyscall3(__NR_shmget, IPC_PRIVATE, 2 * page, IPC_CREAT | 0600);
	if (id < 0) {
		ksft_print_msg("shmget: %s\n", xt_errname(-id));
		return XT_FAIL;
	}
	r = xshmat(id, NULL, 0);
	if (r < 0 && r > -4096) {
		XT_EXPECT(!fixed && r == -ENODEV, "shmat: %s, expected %s\n", xt_errname(-r),
			  fixed ? "the segment attached" : "ENODEV");
		xsyscall3(__NR_shmctl, id, IPC_RMID, NULL);
		return ok;
	}
	if (!fixed) {
		ksft_print_msg("shmat attached the segment: the kernel no longer refuses it\n");
		ok = XT_FAIL;
	}
	p = (unsigned char *)r;
	XT_EXPECT(xt_byte_diff(p, 0, 2 * page) < 0, "a new segment is not zero\n");
	p[0] = 0x77;
	xjoin(a_id, sizeof(a_id), utoa(id), NULL);
	xjoin(a_addr, sizeof(a_addr), utoa((unsigned long)p), NULL);
	xt_spawn(argv, 0, &rep);
	XT_EXPECT(rep.verdict == XT_PEER_AT, "second process: %s, expected the same memory\n",
		  xt_verdict(rep));
	XT_EXPECT(p[1] == 0x88, "the second process's write did not arrive\n");
	XT_EXPECT(!xsyscall1(__NR_shmdt, p), "shmdt failed\n");
	xsyscall3(__NR_shmctl, id, IPC_RMID, NULL);
	return ok;
}

static int sysv_shm_attach_is_enodev(void)
{
	if (xt_fixed("14")) {
		xt_skip_why = "the kernel has the fix: sysv_shm_is_shared_between_processes";
		return XT_SKIP;
	}
	return sysv_shm(0);
}

static int sysv_shm_is_shared_between_processes(void)
{
	if (!xt_fixed("14")) {
		xt_skip_why = "6.12 refuses shmat() with ENODEV (sysv_shm_attach_is_enodev); "
			      "runs on a kernel with the fix (XIPMAP_FIXED)";
		return XT_SKIP;
	}
	return sysv_shm(1);
}

/*
 * "Under uClinux there is no fork(), and clone() must be supplied the
 * CLONE_VM flag."  RISC-V has no fork syscall; clone() without CLONE_VM
 * is what fork() would be.  The child exits at once, touching no memory,
 * since it would run on this process's stack (on ARMv7-M, where the
 * hardware itself writes to the stack, on a stack of its own).
 */
static long clone_without_vm(void)
{
#ifdef __riscv
	register long a0 __asm__("a0") = SIGCHLD;
	register long a1 __asm__("a1") = 0;
	register long a2 __asm__("a2") = 0;
	register long a3 __asm__("a3") = 0;
	register long a4 __asm__("a4") = 0;
	register long a7 __asm__("a7") = __NR_clone;

	__asm__ volatile("ecall\n\t"
			 "bnez	a0, 1f\n\t"
			 "li	a0, 42\n\t"
			 "li	a7, %[exit]\n\t"
			 "ecall\n"
			 "1:"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7), [exit] "i"(__NR_exit)
			 : "memory");
	return a0;
#elif defined(__x86_64__)
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test	%%rax, %%rax\n\t"
			 "jnz	1f\n\t"
			 "mov	$42, %%edi\n\t"
			 "mov	%[exit], %%eax\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(ret)
			 : "0"((long)__NR_clone), "D"((long)SIGCHLD), "S"(0L), "d"(0L),
			   "r"(r10), "r"(r8), [exit] "i"(__NR_exit)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__i386__)
	long ret;

	/* %ebx may be the PIC register: saved by hand around the call. */
	__asm__ volatile("push	%%ebx\n\t"
			 "mov	%[flags], %%ebx\n\t"
			 "int	$0x80\n\t"
			 "test	%%eax, %%eax\n\t"
			 "jnz	1f\n\t"
			 "mov	$42, %%ebx\n\t"
			 "mov	%[exit], %%eax\n\t"
			 "int	$0x80\n"
			 "1:\tpop	%%ebx"
			 : "=a"(ret)
			 : "0"((long)__NR_clone), [flags] "g"((long)SIGCHLD), "c"(0L), "d"(0L),
			   "S"(0L), "D"(0L), [exit] "i"(__NR_exit)
			 : "memory");
	return ret;
#elif defined(__arm__) && defined(__thumb2__)
	/*
	 * On ARMv7-M the hardware stacks an exception frame (eight words) on
	 * the current stack at every svc and exception return: a child on
	 * this process's stack would write one below its pointer, over the
	 * frames of a parent that is already in waitpid().  Two of six
	 * whole-suite runs on the Cortex-M3 hung in this test while the
	 * child shared the stack.  The child gets a stack of its own.
	 */
	static unsigned long child_stack[64] __attribute__((aligned(8)));
	register long r0 __asm__("r0") = SIGCHLD;
	register long r1 __asm__("r1") = (long)(child_stack + ARRAY_SIZE(child_stack));
	register long r2 __asm__("r2") = 0;
	register long r3 __asm__("r3") = 0;
	register long r4 __asm__("r4") = 0;
	register long r7 __asm__("r7") = __NR_clone;

	__asm__ volatile("svc	#0\n\t"
			 "cbnz	r0, 1f\n\t"
			 "movs	r0, #42\n\t"
			 "movs	r7, %[exit]\n\t"
			 "svc	#0\n"
			 "1:"
			 : "+r"(r0)
			 : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r7), [exit] "i"(__NR_exit)
			 : "memory");
	return r0;
#else
	return -ENOSYS;
#endif
}

static int clone_without_clone_vm_is_not_refused(void)
{
	int status;
	long pid;
	int ok = XT_PASS;

#if !defined(__riscv) && !defined(__x86_64__) && !defined(__i386__) && \
	!(defined(__arm__) && defined(__thumb2__))
	ksft_print_msg("the raw clone() stub is written for RISC-V, x86, and Thumb-2 only\n");
	return XT_SKIP;
#endif
	pid = clone_without_vm();
	XT_EXPECT(pid > 0, "clone(SIGCHLD) without CLONE_VM: %ld\n", pid);
	if (pid <= 0)
		return ok;
	XT_EXPECT(waitpid(pid, &status, 0) == pid && XWIFEXITED(status) &&
		  XWEXITSTATUS(status) == 42, "the child did not exit with 42\n");
	return ok;
}

static const struct xt_test tests[] = {
	XT_TEST(anonymous_private_is_aligned_and_zeroed),
	XT_TEST_NOMMU(anonymous_shared_behaves_as_private, "with an MMU MAP_SHARED "
		      "anonymous memory is shared across fork()"),
	XT_TEST_NOMMU(map_uninitialized_follows_the_config, "MAP_UNINITIALIZED is honoured "
		      "only without an MMU (CONFIG_MMAP_ALLOW_UNINITIALIZED)"),
	XT_TEST_NOMMU(address_hints_are_ignored, "with an MMU a free hint is honoured"),
	XT_TEST_NOMMU(map_fixed_anonymous_is_einval, XT_WHY_FIXED),
	XT_TEST_NOMMU(mremap_resizes_private_mappings_in_place, "with an MMU mremap() "
		      "may move a mapping"),
	XT_TEST_NOMMU(mremap_keeps_the_mapping_whole, "with an MMU mremap() may move "
		      "a mapping"),
	XT_TEST_NOMMU(mremap_refuses_shareable_mappings, "with an MMU mremap() moves "
		      "shared mappings too"),
	XT_TEST_NOMMU(munmap_trims_only_anonymous_mappings, "with an MMU munmap() "
		      "unmaps any whole pages"),
	XT_TEST_NOMMU(munmap_of_the_middle_splits_an_anonymous_mapping, "with an MMU "
		      "munmap() unmaps any whole pages"),
	XT_TEST_NOMMU(nr_trim_pages_trims_the_power_of_two, "vm.nr_trim_pages exists "
		      "only without an MMU"),
	XT_TEST_NOMMU(proc_maps_lists_every_region, "regions are no-MMU's"),
	XT_TEST(futex_on_anonymous_memory),
	XT_TEST_NOMMU(futex_between_processes_in_device_memory, "with an MMU a shared "
		      "futex needs a page-cache or anonymous page (mmu_map)"),
	XT_TEST_NOMMU(sysv_shm_attach_is_enodev, "with an MMU shmat() maps shmem"),
	XT_TEST_NOMMU(sysv_shm_is_shared_between_processes, "with an MMU shmat() maps "
		      "shmem (mmu_vma)"),
	XT_TEST(clone_without_clone_vm_is_not_refused),
};

int main(int argc, char **argv)
{
	xt_setup();
	page = xt_page_size();
	if (xt_is_peer(argc, argv))
		return xt_peer_main(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "futex"))
		return futex_peer(argv);
	if (argc == 4 && !strcmp(argv[1], "shm"))
		return shm_peer(argv);
	nor_fd = open(XT_NOR, O_RDONLY);
	if (nor_fd < 0)
		ksft_exit_fail_msg("open %s: %s (%d)\n", XT_NOR, xt_errname(errno), errno);
	nor = xt_info(nor_fd);
	if (!xt_mmu() && !nor.base)
		ksft_exit_fail_msg("%s reports no direct address on a no-MMU kernel\n", XT_NOR);
	xt_run(tests, ARRAY_SIZE(tests), NULL);
}
