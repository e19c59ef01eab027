// SPDX-License-Identifier: GPL-2.0
/*
 * Files that no-MMU can map shared: xipramfs, and the kernel's own ramfs
 * for comparison.  The document's recipe for POSIX shared memory is "open,
 * truncate, mmap": truncating an empty file up gives it one contiguous
 * block of memory (its run), which every shared mapping then is.
 *
 * Each test runs once on a fresh xipramfs mount and once on a fresh ramfs
 * mount, from the same source.  Where the two are meant to differ, the
 * test expects each one's behaviour and says so in a "differs" line; the
 * differences are explained in docs/conformance.md.  The tests that need
 * xipramfs itself (mount options, the module) run once, at the end.
 */
#include "xipmap_test.h"

struct fs {
	const char *type;
	const char *dir;	/* where main() mounts it */
	int xip;		/* xipramfs: the rules of module/ramfs-nommu.c */
};

static const struct fs filesystems[] = {
	{ "xipramfs", "xt-xipramfs", 1 },
	{ "ramfs", "xt-ramfs", 0 },
};

#define XT_SPARE	"xt-spare"	/* for the mount tests */
#define XT_FAIL_PAGE	"/sys/kernel/debug/fail_page_alloc/"

static const struct fs *fs;		/* the one under test */
static unsigned long page;
static char name[128];			/* the file under test */

/* The path of @file on the filesystem under test, in name[]. */
static const char *at(const char *file)
{
	return xjoin(name, sizeof(name), fs->dir, "/", file, NULL);
}

/* Note a difference between ramfs and xipramfs, where ramfs shows it. */
static void differs(const char *what)
{
	if (!fs->xip)
		ksft_print_msg("ramfs differs from xipramfs: %s (docs/conformance.md)\n", what);
}

/* Create the file under test empty and, if @size, truncate it up to @size. */
static int make(const char *file, unsigned long size)
{
	int fd = open(at(file), O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0) {
		ksft_print_msg("create %s: %s\n", name, xt_errname(errno));
		return -1;
	}
	if (size && xftruncate(fd, size)) {
		ksft_print_msg("ftruncate %s from 0 to %lu: %s\n", name, size, xt_errname(errno));
		close(fd);
		unlink(name);
		return -1;
	}
	return fd;
}

static int done(int fd, int ok)
{
	close(fd);
	if (unlink(name)) {
		ksft_print_msg("unlink %s: %s\n", name, xt_errname(errno));
		return XT_FAIL;
	}
	return ok;
}

static long size_of(int fd)
{
	return lseek(fd, 0, SEEK_END);
}

/* write() @len bytes of @byte at @off. */
static int put(int fd, unsigned long off, unsigned long len, unsigned char byte)
{
	static unsigned char buf[4096];
	unsigned long n;

	memset(buf, byte, sizeof(buf));
	if (lseek(fd, off, SEEK_SET) != (off_t)off)
		return 0;
	for (; len; len -= n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (write(fd, buf, n) != (long)n)
			return 0;
	}
	return 1;
}

/* Whether read() at @off gives @len bytes of @byte. */
static int holds(int fd, unsigned long off, unsigned long len, unsigned char byte)
{
	static unsigned char buf[4096];
	unsigned long n;

	if (lseek(fd, off, SEEK_SET) != (off_t)off)
		return 0;
	for (; len; len -= n) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (read(fd, buf, n) != (long)n || xt_byte_diff(buf, byte, n) >= 0)
			return 0;
	}
	return 1;
}

static void *map(int fd, unsigned long off, unsigned long len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

static int err(void *p)
{
	return p == MAP_FAILED ? errno : 0;
}

/*
 * Whether @p, a mapping of the file from @off, is a copy: a byte write()n
 * to the file afterwards does not show in it.  The byte is put back.
 * Returns 1 or 0, or -1 after saying why if the write() failed (then
 * nothing showed, and it proves nothing).
 */
static int is_copy(int fd, const unsigned char *p, unsigned long off)
{
	unsigned char old = p[0];
	int copy;

	if (!put(fd, off, 1, old ^ 0xff)) {
		ksft_print_msg("write() to %s at %lu: %s\n", name, off, xt_errname(errno));
		return -1;
	}
	copy = p[0] == old;
	if (!put(fd, off, 1, old)) {
		ksft_print_msg("write() back to %s at %lu: %s\n", name, off, xt_errname(errno));
		return -1;
	}
	return copy;
}

/*
 * Create the file under test at @size (truncated up from empty) and map
 * its first @len bytes shared and writable.  Returns the descriptor with
 * the mapping in *@p, or -1 with the file gone and the reason printed.
 */
static int make_shared(const char *file, unsigned long size, unsigned long len, void **p)
{
	int fd = make(file, size);

	if (fd < 0)
		return -1;
	*p = map(fd, 0, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (*p == MAP_FAILED) {
		ksft_print_msg("MAP_SHARED of %lu bytes of %s: %s\n", len, name,
			       xt_errname(errno));
		done(fd, XT_FAIL);
		return -1;
	}
	return fd;
}

/* Whether ftruncate(@fd, @size) fails with @want (and the size stays). */
static int truncate_fails(int fd, unsigned long size, int want)
{
	long before = size_of(fd);
	int r;

	errno = 0;
	r = xftruncate(fd, size);
	if (!r || errno != want || size_of(fd) != before) {
		ksft_print_msg("ftruncate from %ld to %lu: %s, size %ld; expected %s and no "
			       "change\n", before, size, r ? xt_errname(errno) : "success",
			       size_of(fd), xt_errname(want));
		return 0;
	}
	return 1;
}

/* Where the file's first @pages pages are: a shared mapping's address. */
static void *run_address(int fd, unsigned long pages)
{
	void *p = map(fd, 0, pages * page, PROT_READ, MAP_SHARED);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, pages * page);
	return p;
}

/*
 * Pages the filesystem under test says are used: statfs f_blocks - f_bfree;
 * -1 after saying why if it cannot tell.
 */
static long used_pages(void)
{
	struct statfs st;

	if (xstatfs(fs->dir, &st)) {
		ksft_print_msg("statfs %s: %s\n", fs->dir, xt_errname(errno));
		return -1;
	}
	return (st.f_blocks - st.f_bfree) * st.f_bsize / page;
}

/* "Cached" in /proc/meminfo, in pages; -1 after saying why if it is not there. */
static long cached_pages(void)
{
	long kb = xt_meminfo("Cached");

	if (kb < 0) {
		ksft_print_msg("no Cached in /proc/meminfo\n");
		return -1;
	}
	return kb * 1024 / page;
}

static int shared_mapping_of_a_truncated_file_is_its_memory(void)
{
	unsigned long size = 3 * page + 100;	/* 4 pages, the last one partly */
	unsigned char *p, *q;
	int ok = XT_PASS;
	int fd = make_shared("shm", size, 4 * page, (void **)&p);

	if (fd < 0)
		return XT_FAIL;
	XT_EXPECT(xt_byte_diff(p, 0, 4 * page) < 0, "the new file is not all zeros\n");
	memset(p, 0x5a, size);
	XT_EXPECT(holds(fd, 0, size, 0x5a), "read() does not see what the mapping wrote\n");
	XT_EXPECT(put(fd, page, 16, 0xa5), "write: %s\n", xt_errname(errno));
	XT_EXPECT(xt_byte_diff(p + page, 0xa5, 16) < 0,
		  "the mapping does not see what write() wrote\n");
	munmap(p, 4 * page);
	q = map(fd, 0, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(q == p, "mapped again at %p, first at %p: the memory moved\n", q, p);
	if (q != MAP_FAILED) {
		XT_EXPECT(q[0] == 0x5a && q[page] == 0xa5, "the data did not stay\n");
		munmap(q, 4 * page);
	}
	return done(fd, ok);
}

/* A second mapping of the same pages, in a second process (see xt_peer()). */
static int second_process_maps_the_same_memory(void)
{
	struct xt_map m = { name, 0, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, NULL, 0x3c };
	struct xt_report v;
	int ok = XT_PASS;
	void *p;
	int fd = make_shared("shm", 2 * page, 2 * page, &p);

	if (fd < 0)
		return XT_FAIL;
	memset(p, 0x3c, 2 * page);
	m.expect = p;
	v = xt_peer(&m, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "second process, MAP_SHARED: %s; expected the same "
		  "address with the data\n", xt_verdict(v));
	m.prot = PROT_READ;
	m.flags = MAP_PRIVATE;
	v = xt_peer(&m, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "second process, MAP_PRIVATE PROT_READ: %s; expected "
		  "the same address with the data\n", xt_verdict(v));
	m.prot = PROT_READ | PROT_WRITE;
	v = xt_peer(&m, 0);
	XT_EXPECT(v.verdict == XT_PEER_ELSEWHERE, "second process, MAP_PRIVATE PROT_WRITE: %s; "
		  "expected a copy with the data\n", xt_verdict(v));
	munmap(p, 2 * page);
	return done(fd, ok);
}

static int private_read_only_mapping_is_the_file(void)
{
	int ok = XT_PASS;
	int fd = make("shm", 2 * page);
	unsigned char *p;
	void *run;

	if (fd < 0)
		return XT_FAIL;
	run = run_address(fd, 2);
	XT_EXPECT(run, "MAP_SHARED: %s\n", xt_errname(errno));
	XT_EXPECT(put(fd, 0, 2 * page, 0x11), "write: %s\n", xt_errname(errno));
	p = map(fd, 0, 2 * page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p == run, "MAP_PRIVATE PROT_READ at %p (%s), expected the file's memory "
		  "at %p\n", p, xt_errname(err(p)), run);
	if (p != MAP_FAILED) {
		XT_EXPECT(p[0] == 0x11 && p[2 * page - 1] == 0x11, "wrong data\n");
		XT_EXPECT(is_copy(fd, p, 0) == 0, "it does not see write()s: a copy\n");
		munmap(p, 2 * page);
	}
	return done(fd, ok);
}

static int private_writable_mapping_is_a_copy(void)
{
	int ok = XT_PASS;
	int fd = make("shm", 2 * page);
	unsigned char *p;
	void *run;

	if (fd < 0)
		return XT_FAIL;
	/* Where the file is, to tell a copy from it: without that, nothing is known. */
	run = run_address(fd, 2);
	if (!run) {
		ksft_print_msg("MAP_SHARED: %s\n", xt_errname(errno));
		return done(fd, XT_FAIL);
	}
	XT_EXPECT(put(fd, 0, 2 * page, 0x11), "write: %s\n", xt_errname(errno));
	p = map(fd, 0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED && p != run, "MAP_PRIVATE PROT_WRITE at %p (%s), "
		  "expected a copy, not the file at %p\n", p, xt_errname(err(p)), run);
	if (p != MAP_FAILED) {
		XT_EXPECT(p[0] == 0x11 && p[2 * page - 1] == 0x11, "the copy has wrong data\n");
		p[0] = 0x77;
		XT_EXPECT(holds(fd, 0, 1, 0x11), "the file saw a write to the copy\n");
		XT_EXPECT(is_copy(fd, p + 1, 1) == 1, "the copy saw a write() to the file\n");
		munmap(p, 2 * page);
	}
	return done(fd, ok);
}

/*
 * A file write() made: its pages come one at a time from the allocator.
 * xipramfs maps in place only a run, so never these.  ramfs looks at where
 * the pages happen to be, and one page is always "contiguous".
 */
static int written_file_is_not_mapped_shared(void)
{
	int want = fs->xip ? ENODEV : 0;
	int ok = XT_PASS;
	int fd = make("written", 0);
	unsigned char *p;
	int copy;

	if (fd < 0)
		return XT_FAIL;
	XT_EXPECT(put(fd, 0, page, 0x44), "write: %s\n", xt_errname(errno));
	p = map(fd, 0, page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(err(p) == want, "MAP_SHARED of a one-page file write() made: %s, "
		  "expected %s\n", xt_errname(err(p)), xt_errname(want));
	if (p != MAP_FAILED)
		munmap(p, page);
	p = map(fd, 0, page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED, "MAP_PRIVATE PROT_READ: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		XT_EXPECT(p[0] == 0x44, "wrong data\n");
		copy = is_copy(fd, p, 0);
		XT_EXPECT(copy == fs->xip, "MAP_PRIVATE PROT_READ is %s, expected %s\n",
			  copy < 0 ? "unknown" : copy ? "a copy" : "the file",
			  fs->xip ? "a copy" : "the file");
		munmap(p, page);
	}
	differs("a file write() made maps in place where its pages happen to be contiguous");
	return done(fd, ok);
}

static int file_with_a_hole_is_not_mapped_shared(void)
{
	int ok = XT_PASS;
	int fd = make("holey", 0);
	unsigned char *p;

	if (fd < 0)
		return XT_FAIL;
	XT_EXPECT(put(fd, 2 * page, page, 0x44), "write: %s\n", xt_errname(errno));
	p = map(fd, 0, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(err(p) == ENODEV, "MAP_SHARED of a file with a hole: %s, expected ENODEV\n",
		  xt_errname(err(p)));
	if (p != MAP_FAILED)
		munmap(p, 3 * page);
	p = map(fd, 0, 3 * page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED, "MAP_PRIVATE PROT_READ: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		XT_EXPECT(xt_byte_diff(p, 0, 2 * page) < 0 &&
			  xt_byte_diff(p + 2 * page, 0x44, page) < 0,
			  "the copy is not zeros then the data\n");
		XT_EXPECT(is_copy(fd, p + 2 * page, 2 * page) == 1, "it is not a copy\n");
		munmap(p, 3 * page);
	}
	return done(fd, ok);
}

/* Pages a later truncate or write() added are not part of the run. */
static int pages_added_after_the_run_are_not_mapped_in_place(void)
{
	int ok = XT_PASS, in_place;
	int fd = make("grown", 2 * page);
	void *run, *p;

	if (fd < 0)
		return XT_FAIL;
	run = run_address(fd, 2);
	XT_EXPECT(run, "MAP_SHARED of the run: %s\n", xt_errname(errno));
	XT_EXPECT(!xftruncate(fd, 4 * page), "ftruncate up to 4 pages: %s\n", xt_errname(errno));
	XT_EXPECT(run_address(fd, 2) == run, "the run moved\n");
	p = map(fd, 0, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(err(p) == ENODEV, "MAP_SHARED of the run and 2 truncated pages: %s, "
		  "expected ENODEV\n", xt_errname(err(p)));
	if (p != MAP_FAILED)
		munmap(p, 4 * page);
	XT_EXPECT(put(fd, 2 * page, 2 * page, 0x66), "write: %s\n", xt_errname(errno));
	/*
	 * ramfs maps a file's pages in place whenever they happen to be
	 * physically contiguous, and the page allocator may hand write() the
	 * pages right after the run: then the mapping is the run itself.
	 * xipramfs maps its run, never pages added later.
	 */
	p = map(fd, 0, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(err(p) == ENODEV || (!fs->xip && p == run),
		  "MAP_SHARED of the run and 2 written pages: %p (%s), expected ENODEV%s\n", p,
		  xt_errname(err(p)), fs->xip ? "" : " or the run, in place");
	in_place = p != MAP_FAILED && p == run;
	if (in_place)
		ksft_print_msg("%s: the 2 written pages came right after the run: mapped in "
			       "place\n", fs->type);
	if (p != MAP_FAILED)
		munmap(p, 4 * page);
	p = map(fd, 0, 4 * page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED && (p != run || in_place), "MAP_PRIVATE PROT_READ: %p (%s), "
		  "expected %s\n", p, xt_errname(err(p)), in_place ? "the run" : "a copy");
	if (p != MAP_FAILED) {
		XT_EXPECT(xt_byte_diff(p, 0, 2 * page) < 0 &&
			  xt_byte_diff((char *)p + 2 * page, 0x66, 2 * page) < 0,
			  "the copy has the wrong data\n");
		munmap(p, 4 * page);
	}
	return done(fd, ok);
}

static int mapping_past_eof_is_einval(void)
{
	int want = fs->xip ? EINVAL : ENODEV;
	int ok = XT_PASS;
	int fd = make("short", 2 * page);
	unsigned char *p;

	if (fd < 0)
		return XT_FAIL;
	p = map(fd, 0, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(err(p) == want, "MAP_SHARED of 3 pages of a 2-page file: %s, expected %s\n",
		  xt_errname(err(p)), xt_errname(want));
	if (p != MAP_FAILED)
		munmap(p, 3 * page);
	p = map(fd, 2 * page, page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(err(p) == want, "MAP_SHARED at EOF: %s, expected %s\n",
		  xt_errname(err(p)), xt_errname(want));
	if (p != MAP_FAILED)
		munmap(p, page);
	p = map(fd, 0, 3 * page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(err(p) == (fs->xip ? EINVAL : 0), "MAP_PRIVATE PROT_READ of 3 pages: %s, "
		  "expected %s\n", xt_errname(err(p)), fs->xip ? "EINVAL" : "a copy");
	if (p != MAP_FAILED) {
		XT_EXPECT(xt_byte_diff(p + 2 * page, 0, page) < 0,
			  "the copy past EOF is not zeros\n");
		munmap(p, 3 * page);
	}
	/* Private writable mappings are copies the kernel makes without asking. */
	p = map(fd, 0, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED, "MAP_PRIVATE PROT_WRITE of 3 pages: %s, expected a copy\n",
		  xt_errname(err(p)));
	if (p != MAP_FAILED)
		munmap(p, 3 * page);
	differs("a mapping in place past EOF is refused with ENODEV, and copied when private");
	return done(fd, ok);
}

static int shrinking_under_a_shared_mapping_is_etxtbsy(void)
{
	int ok = XT_PASS;
	void *p;
	int fd = make_shared("mapped", 3 * page, 3 * page, &p);

	if (fd < 0)
		return XT_FAIL;
	XT_EXPECT(truncate_fails(fd, page, ETXTBSY), "to 1 page, under the mapping\n");
	XT_EXPECT(truncate_fails(fd, 3 * page - 1, ETXTBSY), "by one byte, under the mapping\n");
	munmap(p, 3 * page);
	XT_EXPECT(!xftruncate(fd, page), "ftruncate after munmap: %s\n", xt_errname(errno));
	XT_EXPECT(size_of(fd) == (long)page, "size %ld after ftruncate to 1 page\n",
		  size_of(fd));
	return done(fd, ok);
}

static int shrinking_past_a_mapping_is_allowed(void)
{
	int ok = XT_PASS;
	unsigned char *p;
	int fd = make_shared("mapped", 4 * page, 2 * page, (void **)&p);

	if (fd < 0)
		return XT_FAIL;
	memset(p, 0x21, 2 * page);
	XT_EXPECT(!xftruncate(fd, 2 * page), "ftruncate to the mapping's end: %s\n",
		  xt_errname(errno));
	XT_EXPECT(truncate_fails(fd, page + 100, ETXTBSY), "into the mapping's last page\n");
	p[2 * page - 1] = 0x22;
	XT_EXPECT(holds(fd, 0, 2 * page - 1, 0x21) && holds(fd, 2 * page - 1, 1, 0x22),
		  "the mapping and the file no longer agree\n");
	munmap(p, 2 * page);
	return done(fd, ok);
}

/*
 * ramfs refuses only for shared mappings; a private read-only one is the
 * file's pages too, and after the truncate ramfs has freed them under it.
 * This test unmaps it without touching it.
 */
static int shrinking_under_a_private_read_only_mapping_is_etxtbsy(void)
{
	int ok = XT_PASS;
	int fd = make("mapped", 3 * page);
	void *run, *p;

	if (fd < 0)
		return XT_FAIL;
	run = run_address(fd, 3);
	p = map(fd, 0, 3 * page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED && p == run, "MAP_PRIVATE PROT_READ at %p (%s), expected "
		  "the file at %p\n", p, xt_errname(err(p)), run);
	if (p == MAP_FAILED)
		return done(fd, XT_FAIL);
	if (fs->xip) {
		XT_EXPECT(truncate_fails(fd, page, ETXTBSY), "under the mapping\n");
	} else {
		XT_EXPECT(!xftruncate(fd, page), "ftruncate under the mapping: %s, expected "
			  "success\n", xt_errname(errno));
	}
	munmap(p, 3 * page);
	differs("a truncate frees pages a private read-only mapping still shows");
	return done(fd, ok);
}

static int growing_a_mapped_file_keeps_its_pages(void)
{
	int ok = XT_PASS;
	unsigned char *p;
	int fd = make_shared("mapped", 2 * page, 2 * page, (void **)&p);

	if (fd < 0)
		return XT_FAIL;
	memset(p, 0x12, 2 * page);
	XT_EXPECT(!xftruncate(fd, 8 * page), "ftruncate up to 8 pages under the mapping: "
		  "%s\n", xt_errname(errno));
	XT_EXPECT(size_of(fd) == (long)(8 * page), "size %ld\n", size_of(fd));
	XT_EXPECT(xt_byte_diff(p, 0x12, 2 * page) < 0, "the mapping's data changed\n");
	p[0] = 0x13;
	XT_EXPECT(holds(fd, 0, 1, 0x13) && holds(fd, 1, 2 * page - 1, 0x12),
		  "read() does not see the mapping after the truncate\n");
	XT_EXPECT(holds(fd, 2 * page, 6 * page, 0), "the new pages do not read as zeros\n");
	munmap(p, 2 * page);
	XT_EXPECT(run_address(fd, 2) == p, "mapped again elsewhere: the pages moved\n");
	return done(fd, ok);
}

/*
 * Pages are zero when they come to a file, whatever the last user left in
 * them: a file is filled, freed and its memory very likely handed to the
 * next one.
 */
static int fresh_pages_are_zero(void)
{
	const unsigned long pages = 16;
	int ok = XT_PASS, round, fd;
	unsigned char *p;

	for (round = 0; round < 4; round++) {
		fd = make("fresh", pages * page);
		if (fd < 0)
			return XT_FAIL;
		XT_EXPECT(holds(fd, 0, pages * page, 0),
			  "round %d: a truncated file does not read as zeros\n", round);
		p = map(fd, 0, pages * page, PROT_READ | PROT_WRITE, MAP_SHARED);
		XT_EXPECT(p != MAP_FAILED, "MAP_SHARED: %s\n", xt_errname(errno));
		if (p != MAP_FAILED) {
			XT_EXPECT(xt_byte_diff(p, 0, pages * page) < 0,
				  "round %d: the mapping of a truncated file is not zeros\n",
				  round);
			memset(p, 0xa5, pages * page);
			munmap(p, pages * page);
		}
		if (done(fd, XT_PASS) != XT_PASS)
			return XT_FAIL;
	}
	fd = make("fresh", 0);
	if (fd < 0)
		return XT_FAIL;
	XT_EXPECT(put(fd, 3 * page + 5, 1, 0x99), "write: %s\n", xt_errname(errno));
	XT_EXPECT(holds(fd, 0, 3 * page + 5, 0), "a written file does not read as zeros "
		  "before its data\n");
	return done(fd, ok);
}

/*
 * A run is the pages the size needs, not the power of two the allocator
 * gave: 9 pages, from a 16-page block.  The page cache ("Cached" in
 * /proc/meminfo) counts them on both filesystems; statfs only on xipramfs.
 */
static int truncate_takes_only_the_pages_it_needs(void)
{
	long used0 = used_pages(), cached0 = cached_pages(), used, cached;
	int ok = XT_PASS;
	int fd;

	if (used0 < 0 || cached0 < 0)
		return XT_FAIL;
	fd = make("nine", 9 * page);
	if (fd < 0)
		return XT_FAIL;
	used = used_pages();
	cached = cached_pages();
	XT_EXPECT(cached - cached0 == 9, "Cached grew by %ld pages, expected 9\n",
		  cached - cached0);
	XT_EXPECT(used - used0 == (fs->xip ? 9 : 0), "statfs used grew by %ld pages, "
		  "expected %d\n", used - used0, fs->xip ? 9 : 0);
	ok = done(fd, ok);
	XT_EXPECT(cached_pages() == cached0, "Cached is %ld pages after unlink, was %ld\n",
		  cached_pages(), cached0);
	XT_EXPECT(used_pages() == used0, "statfs used is %ld pages after unlink, was %ld\n",
		  used_pages(), used0);
	differs("statfs reports no blocks at all");
	return ok;
}

/*
 * Nothing leaks: a create/truncate/map/write/unmap/unlink cycle gives its
 * memory back, and a file unlinked while mapped keeps its pages until the
 * mapping goes.  MemFree is compared with a little slack, for the per-CPU
 * page lists and the slabs, where it follows files (xt_expect()); Cached
 * and statfs exactly.
 */
static int memory_is_given_back(void)
{
	const unsigned long pages = 256, slack_kb = 128;
	long free0, cached0, used0, free1;
	int ok = XT_PASS, fd;
	void *p;

	free0 = xt_meminfo("MemFree");
	cached0 = cached_pages();
	used0 = used_pages();
	if (free0 < 0 || cached0 < 0 || used0 < 0) {
		if (free0 < 0)
			ksft_print_msg("no MemFree in /proc/meminfo\n");
		return XT_FAIL;
	}
	fd = make("cycle", pages * page);
	if (fd < 0)
		return XT_FAIL;
	p = map(fd, 0, pages * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	XT_EXPECT(p != MAP_FAILED, "MAP_SHARED: %s\n", xt_errname(errno));
	if (p != MAP_FAILED)
		memset(p, 0x5a, pages * page);
	free1 = xt_meminfo("MemFree");
	XT_EXPECT(!xt_expect()->memfree_follows_files ||
		  free0 - free1 >= (long)(pages * page / 1024 - slack_kb),
		  "MemFree fell by %ld kB with a %lu kB file, expected about that\n",
		  free0 - free1, pages * page / 1024);
	XT_EXPECT(!unlink(name), "unlink while mapped: %s\n", xt_errname(errno));
	XT_EXPECT(cached_pages() - cached0 == (long)pages, "unlinked but mapped: Cached is "
		  "%ld pages over, expected %lu\n", cached_pages() - cached0, pages);
	if (p != MAP_FAILED) {
		XT_EXPECT(xt_byte_diff(p, 0x5a, pages * page) < 0,
			  "the mapping changed after unlink\n");
		munmap(p, pages * page);
	}
	close(fd);
	XT_EXPECT(cached_pages() == cached0, "Cached is %ld pages after the last close, "
		  "was %ld\n", cached_pages(), cached0);
	XT_EXPECT(used_pages() == used0, "statfs used is %ld pages, was %ld\n",
		  used_pages(), used0);
	free1 = xt_meminfo("MemFree");
	XT_EXPECT(!xt_expect()->memfree_follows_files || free1 >= free0 - (long)slack_kb,
		  "MemFree is %ld kB after the cycle, "
		  "was %ld kB\n", free1, free0);
	ksft_print_msg("%s: MemFree %ld kB before, %ld kB after a %lu kB file came and went\n",
		       fs->type, free0, free1, pages * page / 1024);
	return ok;
}

/*
 * The largest order the page allocator has: /proc/buddyinfo has a column
 * per order after "Node 0, zone <name>".
 */
static int max_order(void)
{
	static char buf[1024];
	int words = 0, n = 0;
	char *s, *end;

	if (xt_read_file("/proc/buddyinfo", buf, sizeof(buf)) <= 0)
		return -1;
	for (s = buf; *s && *s != '\n' && words < 4; words++) {
		while (*s == ' ')
			s++;
		while (*s && *s != ' ' && *s != '\n')
			s++;
	}
	for (; *s && *s != '\n'; s = end, n++) {
		strtoul(s, &end, 10);
		if (end == s)
			break;
	}
	return n - 1;
}

static int truncate_past_the_largest_block_is_efbig(void)
{
	int order = max_order();
	unsigned long big;
	int ok = XT_PASS;
	int fd;

	if (order < 0) {
		ksft_print_msg("cannot read /proc/buddyinfo\n");
		return XT_FAIL;
	}
	big = page << (order + 1);
	fd = make("big", 0);
	if (fd < 0)
		return XT_FAIL;
	XT_EXPECT(truncate_fails(fd, big, EFBIG), "past order %d\n", order);
	/* A non-empty file grows without allocating. */
	XT_EXPECT(put(fd, 0, 1, 1) && !xftruncate(fd, big), "ftruncate from 1 byte to %lu: "
		  "%s\n", big, xt_errname(errno));
	XT_EXPECT(size_of(fd) == (long)big, "size %ld\n", size_of(fd));
	return done(fd, ok);
}

/*
 * A truncate to 4 GiB or more: EFBIG, with the size and the page cache as
 * they were.  A 32-bit unsigned long cannot hold such a size: get_order()
 * of it loses the high bits and would allocate one page for 4 GiB + 4 KiB
 * (fs/ramfs/file-nommu.c refuses newsize >> 32 first for that reason).
 */
static int truncate_past_4_gib_is_efbig(void)
{
	static const long long sizes[] = {
		1LL << 32, (1LL << 32) + 4096, (1LL << 44) - 4096,
	};
	unsigned int i;
	int ok = XT_PASS;
	long cached;
	int fd;

	fd = make("huge", 0);
	if (fd < 0)
		return XT_FAIL;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		cached = cached_pages();
		errno = 0;
		XT_EXPECT(xftruncate64(fd, sizes[i]) == -1 && errno == EFBIG,
			  "ftruncate64 from 0 to %lld: %s, expected EFBIG\n", sizes[i],
			  errno ? xt_errname(errno) : "success");
		XT_EXPECT(size_of(fd) == 0, "the size is %ld after it\n", size_of(fd));
		XT_EXPECT(cached >= 0 && cached_pages() == cached,
			  "the page cache went from %ld to %ld pages\n", cached, cached_pages());
	}
	return done(fd, ok);
}

static int write_knob(const char *knob, const char *val)
{
	char path[96];
	int fd, n;

	xjoin(path, sizeof(path), XT_FAIL_PAGE, knob, NULL);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (int)strlen(val) ? 0 : -1;
}

static int make_it_fail(const char *val)
{
	int fd = open("/proc/self/make-it-fail", O_WRONLY);
	int n;

	if (fd < 0)
		return -1;
	n = write(fd, val, 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

/*
 * Fail the next allocation of order @order or more that this process
 * makes, through the kernel's fail_page_alloc.  0, or -1 if it cannot.
 * The probability goes up last: until the filters are set, it would fail
 * any task's allocations.
 */
static int fail_next_allocation(int order)
{
	return write_knob("probability", "0") || write_knob("task-filter", "Y") ||
	       write_knob("min-order", utoa(order)) || write_knob("interval", "1") ||
	       write_knob("times", "1") || write_knob("space", "0") ||
	       write_knob("verbose", "0") || write_knob("ignore-gfp-wait", "N") ||
	       write_knob("ignore-gfp-highmem", "N") || make_it_fail("1") ||
	       write_knob("probability", "100") ? -1 : 0;
}

static void stop_failing(void)
{
	write_knob("probability", "0");
	make_it_fail("0");
}

/*
 * The contiguous block cannot be found: ENOMEM, and the file is as it was,
 * empty.  ramfs sets the new size before it allocates, and keeps it.
 */
static int truncate_without_memory_is_enomem(void)
{
	long used0, cached0;
	int ok = XT_PASS, r, fd;

	if (xt_kconfig("CONFIG_FAIL_PAGE_ALLOC") != 1) {
		ksft_print_msg("needs CONFIG_FAIL_PAGE_ALLOC and /boot/config-$(uname -r)\n");
		return XT_SKIP;
	}
	used0 = used_pages();
	cached0 = cached_pages();
	if (used0 < 0 || cached0 < 0)
		return XT_FAIL;
	fd = make("nomem", 0);
	if (fd < 0)
		return XT_FAIL;
	if (fail_next_allocation(3)) {
		ksft_print_msg("cannot set up %s: %s\n", XT_FAIL_PAGE, xt_errname(errno));
		stop_failing();
		return done(fd, XT_FAIL);
	}
	errno = 0;
	r = xftruncate(fd, 8 * page);	/* order 3 */
	stop_failing();
	XT_EXPECT(r && errno == ENOMEM, "ftruncate from 0 to 8 pages with the allocation "
		  "failing: %s, expected ENOMEM\n", r ? xt_errname(errno) : "success");
	XT_EXPECT(size_of(fd) == (fs->xip ? 0 : (long)(8 * page)), "the size is %ld after "
		  "ENOMEM, expected %ld\n", size_of(fd), fs->xip ? 0 : (long)(8 * page));
	XT_EXPECT(cached_pages() == cached0 && used_pages() == used0,
		  "the file holds pages after ENOMEM\n");
	differs("a truncate that fails with ENOMEM leaves the new size");
	if (fs->xip) {
		XT_EXPECT(!xftruncate(fd, 8 * page), "ftruncate again: %s\n", xt_errname(errno));
		XT_EXPECT(run_address(fd, 8), "the file cannot be mapped after\n");
	}
	return done(fd, ok);
}

static int code_in_a_file_runs_in_place(void)
{
#ifdef XT_HAVE_RET42
	int ok = XT_PASS;
	int fd = make("code", page);
	int (*fn)(void);
	unsigned char *p;
	void *run;

	if (fd < 0)
		return XT_FAIL;
	run = run_address(fd, 1);
	/* Code that did not get there must not be run. */
	if (lseek(fd, XT_RET42_OFFSET, SEEK_SET) != XT_RET42_OFFSET ||
	    write(fd, xt_ret42, sizeof(xt_ret42)) != sizeof(xt_ret42)) {
		ksft_print_msg("write the code: %s\n", xt_errname(errno));
		return done(fd, XT_FAIL);
	}
	p = map(fd, 0, page, PROT_READ | PROT_EXEC, MAP_PRIVATE);
	XT_EXPECT(p != MAP_FAILED && p == run, "MAP_PRIVATE PROT_EXEC at %p (%s), expected "
		  "the file at %p\n", p, xt_errname(err(p)), run);
	if (p != MAP_FAILED) {
		fn = xt_ret42_at(p);
		XT_EXPECT(fn() == 42, "the code in the file did not return 42\n");
		munmap(p, page);
	}
	return done(fd, ok);
#else
	ksft_print_msg("no machine code for this architecture\n");
	return XT_SKIP;
#endif
}

static int names_and_directories_work(void)
{
	char a[128], b[128], c[128];
	struct stat st;
	int ok = XT_PASS, fd;
	char buf[8];

	xjoin(a, sizeof(a), fs->dir, "/d", NULL);
	xjoin(b, sizeof(b), fs->dir, "/d/f", NULL);
	xjoin(c, sizeof(c), fs->dir, "/g", NULL);
	XT_EXPECT(!mkdir(a, 0755), "mkdir %s: %s\n", a, xt_errname(errno));
	fd = open(b, O_RDWR | O_CREAT | O_EXCL, 0644);
	XT_EXPECT(fd >= 0 && write(fd, "hello", 5) == 5, "create and write %s: %s\n", b,
		  xt_errname(errno));
	XT_EXPECT(lseek(fd, -2, SEEK_END) == 3 && read(fd, buf, 8) == 2 &&
		  !memcmp(buf, "lo", 2), "lseek from the end and read\n");
	close(fd);
	errno = 0;
	XT_EXPECT(rmdir(a) && errno == ENOTEMPTY, "rmdir of a full directory: %s, expected "
		  "ENOTEMPTY\n", xt_errname(errno));
	XT_EXPECT(!xrename(b, c), "rename %s to %s: %s\n", b, c, xt_errname(errno));
	XT_EXPECT(!xexists(b) && !stat(c, &st) && st.st_size == 5 && S_ISREG(st.st_mode) &&
		  (st.st_mode & 07777) == 0644, "stat after rename\n");
	XT_EXPECT(!link(c, b), "link: %s\n", xt_errname(errno));
	XT_EXPECT(!stat(b, &st) && st.st_nlink == 2, "two links: st_nlink %d\n",
		  (int)st.st_nlink);
	XT_EXPECT(!unlink(c), "unlink %s: %s\n", c, xt_errname(errno));
	fd = open(b, O_RDONLY);
	XT_EXPECT(fd >= 0 && read(fd, buf, 8) == 5 && !memcmp(buf, "hello", 5),
		  "the data is not there through the other link\n");
	close(fd);
	XT_EXPECT(!unlink(b) && !rmdir(a), "unlink and rmdir: %s\n", xt_errname(errno));
	XT_EXPECT(!xexists(a), "%s still exists\n", a);
	return ok;
}

#define WHY_PAGES	"with an MMU a file is mapped a page at a time, wherever its pages are"
#define WHY_TRUNCATE	"with an MMU truncate unmaps what it cuts off (demand_paging)"
#define WHY_RUN		"with an MMU truncate allocates nothing: there is no run (demand_paging)"

/*
 * Permissions, for a user who is not root: the checks of the VFS on the
 * modes the filesystem keeps, as on any filesystem.  The root directory
 * (0755, root's) takes no new names from others; in a sticky 1777
 * directory a user creates and removes its own files and not root's, and
 * opens root's only as their modes allow.
 */
static const struct xt_step xt_steps[] = {
	{ "create a file in the root directory", EACCES },
	{ "mkdir in the root directory", EACCES },
	{ "open root's 0600 file O_RDONLY", EACCES },
	{ "open root's 0644 file O_RDWR", EACCES },
	{ "open root's 0644 file O_RDONLY", 0 },
	{ "unlink root's file in a sticky directory", EPERM },
	{ "create a file of its own in a 1777 directory", 0 },
	{ "the new file is the user's", 0 },
	{ "unlink its own file", 0 },
};

/* The child's side, in directory @argv[2] (the root of the filesystem). */
static int unprivileged_main(char **argv)
{
	char path[128];
	struct stat st;
	int err, f;

	err = xt_drop_privileges();
	if (err)
		return xt_report(-2, err);
	f = open(xjoin(path, sizeof(path), argv[2], "/mine", NULL), O_RDWR | O_CREAT, 0600);
	XT_STEP(1, f < 0);
	XT_STEP(2, mkdir(xjoin(path, sizeof(path), argv[2], "/mydir", NULL), 0755));
	f = open(xjoin(path, sizeof(path), argv[2], "/pub/secret", NULL), O_RDONLY);
	XT_STEP(3, f < 0);
	f = open(xjoin(path, sizeof(path), argv[2], "/pub/readable", NULL), O_RDWR);
	XT_STEP(4, f < 0);
	f = open(path, O_RDONLY);
	XT_STEP(5, f < 0);
	close(f);
	XT_STEP(6, unlink(path));
	f = open(xjoin(path, sizeof(path), argv[2], "/pub/mine", NULL), O_RDWR | O_CREAT, 0600);
	XT_STEP(7, f < 0);
	close(f);
	errno = EPERM;
	XT_STEP(8, stat(path, &st) || st.st_uid != XT_NOBODY);
	XT_STEP(9, unlink(path));
	return xt_report(0, 0);
}

static int permissions_are_honoured(void)
{
	char *argv[] = { (char *)xt_self, "unprivileged", (char *)fs->dir, NULL };
	char pub[64], secret[80], readable[80], mine[80];
	struct xt_report r;
	int ok = XT_PASS, f;

	xjoin(pub, sizeof(pub), fs->dir, "/pub", NULL);
	xjoin(secret, sizeof(secret), pub, "/secret", NULL);
	xjoin(readable, sizeof(readable), pub, "/readable", NULL);
	xjoin(mine, sizeof(mine), pub, "/mine", NULL);
	XT_EXPECT(!mkdir(pub, 0755) && !chmod(pub, 01777), "mkdir %s 1777: %s\n", pub,
		  xt_errname(errno));
	f = open(secret, O_RDWR | O_CREAT, 0600);
	XT_EXPECT(f >= 0 && !chmod(secret, 0600), "create %s: %s\n", secret,
		  xt_errname(errno));
	if (f >= 0)
		close(f);
	f = open(readable, O_RDWR | O_CREAT, 0644);
	XT_EXPECT(f >= 0 && !chmod(readable, 0644), "create %s: %s\n", readable,
		  xt_errname(errno));
	if (f >= 0)
		close(f);
	if (ok == XT_PASS) {
		xt_spawn(argv, 0, &r);
		ok = xt_steps_verdict(xt_steps, ARRAY_SIZE(xt_steps), r);
	}
	unlink(mine);
	unlink(readable);
	unlink(secret);
	XT_EXPECT(!rmdir(pub), "rmdir %s: %s\n", pub, xt_errname(errno));
	return ok;
}

static const struct xt_test tests[] = {
	XT_TEST_NOMMU(shared_mapping_of_a_truncated_file_is_its_memory, XT_WHY_PLACE),
	XT_TEST_NOMMU(second_process_maps_the_same_memory, XT_WHY_PLACE),
	XT_TEST_NOMMU(private_read_only_mapping_is_the_file, XT_WHY_PLACE),
	XT_TEST_NOMMU(private_writable_mapping_is_a_copy, XT_WHY_PLACE),
	XT_TEST_NOMMU(written_file_is_not_mapped_shared, WHY_PAGES),
	XT_TEST_NOMMU(file_with_a_hole_is_not_mapped_shared, WHY_PAGES),
	XT_TEST_NOMMU(pages_added_after_the_run_are_not_mapped_in_place, WHY_PAGES),
	XT_TEST_NOMMU(mapping_past_eof_is_einval, "with an MMU a mapping may run past the "
		      "end of a file; touching it there is SIGBUS (demand_paging)"),
	XT_TEST_NOMMU(shrinking_under_a_shared_mapping_is_etxtbsy, WHY_TRUNCATE),
	XT_TEST_NOMMU(shrinking_past_a_mapping_is_allowed, WHY_TRUNCATE),
	XT_TEST_NOMMU(shrinking_under_a_private_read_only_mapping_is_etxtbsy, WHY_TRUNCATE),
	XT_TEST_NOMMU(growing_a_mapped_file_keeps_its_pages, XT_WHY_PLACE),
	XT_TEST(fresh_pages_are_zero),
	XT_TEST_NOMMU(truncate_takes_only_the_pages_it_needs, WHY_RUN),
	XT_TEST(memory_is_given_back),
	XT_TEST_NOMMU(truncate_past_the_largest_block_is_efbig, WHY_RUN),
	XT_TEST_NOMMU(truncate_past_4_gib_is_efbig, WHY_RUN),
	XT_TEST_NOMMU(truncate_without_memory_is_enomem, WHY_RUN),
	XT_TEST_NOMMU(code_in_a_file_runs_in_place, XT_WHY_PLACE),
	XT_TEST(names_and_directories_work),
	XT_TEST(permissions_are_honoured),
};

/* xipramfs only, from here: the filesystem as the module provides it. */

static int unknown_mount_options_are_refused(void)
{
	int ok = XT_PASS;

	xt_announce_kmsg("xipramfs: Unknown parameter 'size'");
	errno = 0;
	XT_EXPECT(mount("none", XT_SPARE, "xipramfs", 0, "size=1M") && errno == EINVAL,
		  "mount -o size=1M: %s, expected EINVAL\n", xt_errname(errno));
	xt_announce_kmsg("xipramfs: Bad value for 'mode'");
	errno = 0;
	XT_EXPECT(mount("none", XT_SPARE, "xipramfs", 0, "mode=abc") && errno == EINVAL,
		  "mount -o mode=abc: %s, expected EINVAL\n", xt_errname(errno));
	/* ramfs ignores what it does not know. */
	if (!mount("none", XT_SPARE, "ramfs", 0, "size=1M"))
		xumount(XT_SPARE, 0);
	return ok;
}

/* The options of the mount on @dir in /proc/self/mounts, or "" if none. */
static const char *mount_options(const char *dir)
{
	static char buf[8192], want[320];
	const char *hit;
	char *s, *end;

	if (xt_read_file("/proc/self/mounts", buf, sizeof(buf)) <= 0)
		return "";
	xjoin(want, sizeof(want), " ", xt_scratch, "/", dir, " xipramfs ", NULL);
	hit = xstrstr(buf, want);
	if (!hit)
		return "";
	s = buf + (hit - buf) + strlen(want);
	end = strchr(s, ' ');
	if (end)
		*end = '\0';
	return s;
}

/*
 * mode= sets the root's permissions, and /proc/mounts shows it
 * (show_options), as it shows nothing for the default 0755.
 */
static int mode_option_sets_the_root_permissions(void)
{
	int ok = XT_PASS;
	struct stat st;

	XT_EXPECT(!mount("none", XT_SPARE, "xipramfs", 0, "mode=0710"), "mount -o mode=0710: "
		  "%s\n", xt_errname(errno));
	XT_EXPECT(!stat(XT_SPARE, &st) && (st.st_mode & 07777) == 0710,
		  "the root's mode is %o, expected 710\n", st.st_mode & 07777);
	XT_EXPECT(xt_contains(mount_options(XT_SPARE), "mode=710"),
		  "/proc/self/mounts: options \"%s\", expected mode=710\n",
		  mount_options(XT_SPARE));
	XT_EXPECT(!xumount(XT_SPARE, 0), "umount: %s\n", xt_errname(errno));
	XT_EXPECT(!mount("none", XT_SPARE, "xipramfs", 0, NULL), "mount: %s\n",
		  xt_errname(errno));
	XT_EXPECT(!xt_contains(mount_options(XT_SPARE), "mode="),
		  "/proc/self/mounts: options \"%s\" for the default mode\n",
		  mount_options(XT_SPARE));
	XT_EXPECT(!xumount(XT_SPARE, 0), "umount: %s\n", xt_errname(errno));
	return ok;
}

/* The child's side: create @argv[2]/theirs as nobody; report the errno. */
static int unprivileged_create_main(char **argv)
{
	char path[128];
	int err, f;

	err = xt_drop_privileges();
	if (err)
		return xt_report(-2, err);
	f = open(xjoin(path, sizeof(path), argv[2], "/theirs", NULL), O_RDWR | O_CREAT, 0600);
	if (f < 0)
		return xt_report(1, errno);
	close(f);
	return xt_report(0, 0);
}

/* mode= decides who may create in the root directory: 1777 anyone, 0755 root. */
static int mode_option_decides_who_may_create(void)
{
	static const struct { const char *opt; int want; } modes[] = {
		{ "mode=1777", 0 },
		{ "mode=0755", EACCES },
	};
	char *argv[] = { (char *)xt_self, "unprivileged-create", XT_SPARE, NULL };
	struct xt_report r;
	int ok = XT_PASS;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (mount("none", XT_SPARE, "xipramfs", 0, modes[i].opt)) {
			ksft_print_msg("mount -o %s: %s\n", modes[i].opt, xt_errname(errno));
			return XT_FAIL;
		}
		xt_spawn(argv, 0, &r);
		XT_EXPECT(r.verdict == (modes[i].want ? 1 : 0) && r.err == modes[i].want,
			  "-o %s: uid %d creating a file: %s, expected %s\n", modes[i].opt,
			  XT_NOBODY, r.verdict < 0 ? "no report" : xt_errname(r.err),
			  xt_errname(modes[i].want));
		unlink(XT_SPARE "/theirs");
		XT_EXPECT(!xumount(XT_SPARE, 0), "umount: %s\n", xt_errname(errno));
	}
	return ok;
}

/*
 * A mapping holds the mount, and the mount holds the module.  Unmounting
 * frees every file, directories and all.
 */
static int mounts_and_mappings_hold_the_module(void)
{
	static const struct fs spare = { "xipramfs", XT_SPARE, 1 };
	const struct fs *was = fs;
	long cached0 = cached_pages();
	int ok = XT_PASS, fd;
	char dir[64];
	void *p;

	if (cached0 < 0)
		return XT_FAIL;
	if (mount("none", XT_SPARE, "xipramfs", 0, NULL)) {
		ksft_print_msg("mount -t xipramfs none %s: %s\n", XT_SPARE, xt_errname(errno));
		return XT_FAIL;
	}
	fs = &spare;
	fd = make("mapped", 16 * page);
	p = fd < 0 ? MAP_FAILED : map(fd, 0, 16 * page, PROT_READ, MAP_SHARED);
	XT_EXPECT(p != MAP_FAILED, "MAP_SHARED: %s\n", xt_errname(errno));
	if (fd >= 0)
		close(fd);
	/* A directory with a file in it, for the unmount to free. */
	xjoin(dir, sizeof(dir), XT_SPARE, "/d", NULL);
	XT_EXPECT(!mkdir(dir, 0755), "mkdir %s: %s\n", dir, xt_errname(errno));
	fd = make("d/f", 4 * page);
	XT_EXPECT(fd >= 0, "a file in %s\n", dir);
	if (fd >= 0)
		close(fd);
	errno = 0;
	XT_EXPECT(xumount(XT_SPARE, 0) && errno == EBUSY, "umount while mapped: %s, expected "
		  "EBUSY\n", xt_errname(errno));
	/* try_stop_module(): a module still referenced gives -EWOULDBLOCK. */
	errno = 0;
	XT_EXPECT(xdelete_module("xipmap", O_NONBLOCK) && errno == EAGAIN, "delete_module "
		  "while mounted: %s, expected EAGAIN\n", xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, 16 * page);
	XT_EXPECT(!xumount(XT_SPARE, 0), "umount after munmap: %s\n", xt_errname(errno));
	XT_EXPECT(cached_pages() == cached0, "Cached is %ld pages after umount, was %ld\n",
		  cached_pages(), cached0);
	fs = was;
	return ok;
}

static const struct xt_test xipramfs_tests[] = {
	XT_TEST(unknown_mount_options_are_refused),
	XT_TEST(mode_option_sets_the_root_permissions),
	XT_TEST(mode_option_decides_who_may_create),
	XT_TEST(mounts_and_mappings_hold_the_module),
};

static void mount_or_exit(const char *type, const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		ksft_exit_fail_msg("mkdir %s: %s\n", dir, xt_errname(errno));
	if (type && mount("none", dir, type, 0, NULL))
		ksft_exit_fail_msg("mount -t %s none %s: %s\n", type, dir, xt_errname(errno));
}

int main(int argc, char **argv)
{
	int n = ARRAY_SIZE(tests), i;
	char prefix[16];

	xt_setup();
	if (xt_is_peer(argc, argv))
		return xt_peer_main(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "unprivileged"))
		return unprivileged_main(argv);
	if (argc == 3 && !strcmp(argv[1], "unprivileged-create"))
		return unprivileged_create_main(argv);
	page = xt_page_size();
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(filesystems) * n + ARRAY_SIZE(xipramfs_tests));
	mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);	/* EBUSY if it is */
	mount_or_exit(NULL, XT_SPARE);
	for (i = 0; i < (int)ARRAY_SIZE(filesystems); i++) {
		fs = &filesystems[i];
		mount_or_exit(fs->type, fs->dir);
		xt_run_tests(tests, n, xjoin(prefix, sizeof(prefix), fs->type, ": ", NULL));
		if (xumount(fs->dir, 0))
			ksft_exit_fail_msg("umount %s after the tests: %s: a file or mapping "
					   "leaked\n", fs->dir, xt_errname(errno));
	}
	fs = &filesystems[0];
	xt_run_tests(xipramfs_tests, ARRAY_SIZE(xipramfs_tests), "xipramfs: ");
	ksft_finished();
}
