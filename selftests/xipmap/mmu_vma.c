// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel does to mappings of the flash and of xipramfs after
 * mmap(), on a kernel with an MMU, seen from the process: fork() shares
 * shared pages and separates private ones, and the driver's VMA count
 * follows the copies; munmap() of a middle page and MAP_FIXED over part of
 * a mapping split it and leave the rest mapping the right offsets; mremap()
 * moves a mapping but cannot grow it (EFAULT); ptrace() writes into a
 * private read-only mapping without reaching the device; the -ENOSYS
 * knobs and MAP_UNINITIALIZED change nothing; shrinking an xipramfs file
 * frees the pages beyond its end and makes them SIGBUS; a busy chip shows
 * through existing mappings but not through private pages already written;
 * and a private page once written is charged to the writer's memory cgroup
 * while the device's own pages are not.
 *
 * Measured from the process side: the bytes seen, /proc/self/maps and
 * smaps, mincore(), /proc/meminfo and memory.current.  The one driver
 * counter used is its VMA count (debugfs xipflashN/mappings), for the claim
 * that it stays balanced.  Only NOR (xipflash0) and RAM (xipflash1) are
 * mapped.  Without an MMU every test here is skipped.
 */
#include "xipmap_test.h"

/* Why each test has nothing to check without an MMU, and what checks that kernel. */
#define WHY_FORK	"without an MMU there is no fork() and no copy-on-write (nommu_mm)"
#define WHY_SPLIT	"without an MMU a mapping is never split"
#define WHY_FIXED	"without an MMU mmap() refuses MAP_FIXED (mm/nommu.c)"
#define WHY_MREMAP	"without an MMU mremap() never moves a mapping (nommu_mm)"
#define WHY_KNOBS	"without an MMU the knobs make copies (flash_devices)"
#define WHY_SHRINK	"without an MMU a file cannot shrink under its mapping: ETXTBSY " \
			"(ramfs_map)"
#define WHY_BUSY	"without an MMU flash_states checks busy chips through mappings"
#define DIR		"xt-mmu-vma"
#define CGROUP_DIR	"xt-mmu-vma-cgroup"
#define CHARGED		256	/* pages written in the memory cgroup test */

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif

enum { NOR, RAM, NR_DEV };

static const char *const *const path = xt_dev_path;
static int fd[NR_DEV];		/* opened read-write */
static struct xipmap_info info[NR_DEV];
static unsigned long page;

/* The driver's count of the VMAs that map device @dev (debugfs). */
static long mappings(int dev)
{
	return xt_dev_counter(dev, "mappings");
}

static void *map(int dev, unsigned long off, unsigned long len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd[dev], off);
}

/*
 * mremap(2), which nolibc lacks (nommu_mm has its own, which returns the
 * raw result); the new address, or MAP_FAILED with errno set.
 */
static void *remap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	long r = xsyscall5(__NR_mremap, old, old_len, new_len, flags, new_addr);

	if ((unsigned long)r >= -4095UL) {
		errno = -r;
		return MAP_FAILED;
	}
	return (void *)r;
}

/* Read @len bytes at @off of @fd into @buf; 0, or -1. */
static int read_at(int f, unsigned long off, void *buf, unsigned long len)
{
	if (lseek(f, off, SEEK_SET) != (off_t)off)
		return -1;
	return read(f, buf, len) == (long)len ? 0 : -1;
}

/* Whether @len bytes at @p are what read() of @f gives at @off. */
static int same_as_read(int f, unsigned long off, const unsigned char *p, unsigned long len)
{
	static unsigned char buf[4096];
	unsigned long done, n;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (read_at(f, off + done, buf, n) || memcmp(buf, p + done, n))
			return 0;
	}
	return 1;
}

/* Read the byte at @p, so that its page is touched. */
static unsigned char touch(const void *p)
{
	return *(const volatile unsigned char *)p;
}

/* Whether the page at @p is mapped at all (mincore() answers ENOMEM if not). */
static int mapped(const void *p)
{
	return xt_resident(p, page) >= 0;
}

/* Wait for @pid; its wait status, or -1. */
static int wait_for(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* A child's wait status in words, in a static buffer. */
static const char *how_it_ended(int status)
{
	static char buf[48];

	if (status == -1)
		return "not waited for";
	if (XWIFEXITED(status))
		return xjoin(buf, sizeof(buf), "exit status ", utoa(XWEXITSTATUS(status)), NULL);
	if (XWIFSIGNALED(status))
		return xjoin(buf, sizeof(buf), "killed by signal ", utoa(XWTERMSIG(status)),
			     NULL);
	return xjoin(buf, sizeof(buf), "wait status ", utoa(status), NULL);
}

/* Whether a child ended with exit status 0. */
static int exited_ok(int status)
{
	return status != -1 && XWIFEXITED(status) && XWEXITSTATUS(status) == 0;
}

/* One byte through a pipe, to let the other process go on; 0, or -1. */
static int go(int f)
{
	return write(f, "g", 1) == 1 ? 0 : -1;
}

static int wait_go(int f)
{
	char c;

	return read(f, &c, 1) == 1 ? 0 : -1;
}

/*
 * The mappings the fork test makes: shared RAM and a shared xipramfs file,
 * private NOR (two pages, the first written before fork()) and private RAM.
 */
struct fork_maps {
	unsigned char *ram_sh, *file_sh, *nor_pr, *ram_pr;
	int file;
};

#define RAM_SH_OFF	(3 * page)
#define RAM_PR_OFF	(5 * page)

/*
 * The child's side of fork_shares_shared_and_separates_private(): it sees
 * what the parent had, stores into every mapping, lets the parent look,
 * and after the parent's own stores checks that its private pages kept
 * its data and that it sees the parent's shared stores.  Exits 0 if all
 * held, 1 if not (having said what).
 */
static void __noreturn
fork_child(const struct fork_maps *m, int to_parent, int from_parent)
{
	int ok = XT_PASS;

	XT_EXPECT(m->nor_pr[0] == 0x11,
		  "child: private NOR page 0 is 0x%x, not the parent's 0x11\n", m->nor_pr[0]);
	XT_EXPECT(xt_pattern_diff(m->nor_pr + page, page, page) < 0,
		  "child: private NOR page 1 is not the device's data\n");
	XT_EXPECT(xt_byte_diff(m->file_sh, 0x10, page) < 0,
		  "child: the shared file page is not what the parent wrote\n");
	memset(m->ram_sh, 0x55, 16);
	memset(m->file_sh, 0x66, 16);
	m->nor_pr[0] = 0x22;
	m->nor_pr[page] = 0x33;
	m->ram_pr[0] = 0x44;
	if (go(to_parent) || wait_go(from_parent)) {
		ksft_print_msg("child: pipe: %s\n", xt_errname(errno));
		exit(1);
	}
	XT_EXPECT(m->nor_pr[0] == 0x22 && m->nor_pr[page] == 0x33,
		  "child: its private NOR pages changed: 0x%x 0x%x, expected 0x22 0x33\n",
		  m->nor_pr[0], m->nor_pr[page]);
	XT_EXPECT(m->ram_pr[0] == 0x44, "child: its private RAM page changed: 0x%x\n",
		  m->ram_pr[0]);
	XT_EXPECT(xt_byte_diff(m->ram_sh + 16, 0x99, 16) < 0,
		  "child: does not see the parent's store to shared RAM\n");
	XT_EXPECT(xt_byte_diff(m->file_sh + 16, 0x9a, 16) < 0,
		  "child: does not see the parent's store to the shared file\n");
	exit(ok == XT_PASS ? 0 : 1);
}

/*
 * fork() with live mappings: shared pages are the same pages in both
 * processes (stores by either reach the other and read()); private pages
 * are the child's own copy-on-write view (a page the parent had written is
 * inherited, then stores separate them both ways); the driver counts the
 * child's copies of its VMAs while it lives, and is back at its start when
 * the child has exited and the parent unmapped.
 */
static int fork_shares_shared_and_separates_private(void)
{
	long nor0, ram0, nor1, ram1;
	struct fork_maps m;
	int to_parent[2], from_parent[2];
	int ok = XT_PASS, status;
	pid_t pid;

	XT_NEED_COUNTERS();

	nor0 = mappings(NOR);
	ram0 = mappings(RAM);
	m.file = open(DIR "/fork", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (m.file < 0 || xftruncate(m.file, page)) {
		ksft_print_msg("%s/fork: %s\n", DIR, xt_errname(errno));
		return XT_FAIL;
	}
	m.ram_sh = map(RAM, RAM_SH_OFF, page, PROT_READ | PROT_WRITE, MAP_SHARED);
	m.file_sh = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, m.file, 0);
	m.nor_pr = map(NOR, 0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	m.ram_pr = map(RAM, RAM_PR_OFF, page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (m.ram_sh == MAP_FAILED || m.file_sh == MAP_FAILED || m.nor_pr == MAP_FAILED ||
	    m.ram_pr == MAP_FAILED || pipe(to_parent) || pipe(from_parent)) {
		ksft_print_msg("mmap or pipe: %s\n", xt_errname(errno));
		return XT_FAIL;	/* what was made goes with the program */
	}
	memset(m.file_sh, 0x10, page);
	m.nor_pr[0] = 0x11;	/* a copy of its own before fork() */
	XT_EXPECT(mappings(NOR) == nor0 + 1 && mappings(RAM) == ram0 + 2,
		  "mapped: the driver counts %ld NOR and %ld RAM VMAs, expected %ld and %ld\n",
		  mappings(NOR), mappings(RAM), nor0 + 1, ram0 + 2);

	pid = fork();
	if (pid < 0) {
		ksft_print_msg("fork: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	if (pid == 0) {
		close(to_parent[0]);
		close(from_parent[1]);
		fork_child(&m, to_parent[1], from_parent[0]);
	}
	close(to_parent[1]);
	close(from_parent[0]);
	if (wait_go(to_parent[0]))
		ksft_print_msg("the child did not get to its stores\n");
	nor1 = mappings(NOR);
	ram1 = mappings(RAM);
	XT_EXPECT(nor1 == nor0 + 2 && ram1 == ram0 + 4,
		  "with the child: the driver counts %ld NOR and %ld RAM VMAs, expected %ld and "
		  "%ld (the child's copies)\n", nor1, ram1, nor0 + 2, ram0 + 4);
	XT_EXPECT(xt_byte_diff(m.ram_sh, 0x55, 16) < 0,
		  "the parent does not see the child's store to shared RAM\n");
	XT_EXPECT(same_as_read(fd[RAM], RAM_SH_OFF, m.ram_sh, 16),
		  "read() of RAM does not give the child's store\n");
	XT_EXPECT(xt_byte_diff(m.file_sh, 0x66, 16) < 0,
		  "the parent does not see the child's store to the shared file\n");
	XT_EXPECT(same_as_read(m.file, 0, m.file_sh, 16),
		  "read() of the file does not give the child's store\n");
	XT_EXPECT(m.nor_pr[0] == 0x11, "the parent's private NOR page 0 is 0x%x after the "
		  "child's store, expected its own 0x11\n", m.nor_pr[0]);
	XT_EXPECT(xt_pattern_diff(m.nor_pr + page, page, page) < 0,
		  "the parent's private NOR page 1 is not the device's data after the "
		  "child's store (0x%x)\n", m.nor_pr[page]);
	XT_EXPECT(xt_pattern_diff(m.ram_pr, RAM_PR_OFF, page) < 0,
		  "the parent's private RAM page is not the device's data after the child's "
		  "store (0x%x)\n", m.ram_pr[0]);
	m.nor_pr[0] = 0x77;
	m.ram_pr[0] = 0x88;
	memset(m.ram_sh + 16, 0x99, 16);
	memset(m.file_sh + 16, 0x9a, 16);
	if (go(from_parent[1]))
		ksft_print_msg("pipe: %s\n", xt_errname(errno));
	status = wait_for(pid);
	close(to_parent[0]);
	close(from_parent[1]);
	XT_EXPECT(exited_ok(status), "the child: %s\n", how_it_ended(status));
	XT_EXPECT(mappings(NOR) == nor0 + 1 && mappings(RAM) == ram0 + 2,
		  "the child exited: the driver counts %ld NOR and %ld RAM VMAs, expected %ld "
		  "and %ld\n", mappings(NOR), mappings(RAM), nor0 + 1, ram0 + 2);
	munmap(m.ram_sh, page);
	munmap(m.file_sh, page);
	munmap(m.nor_pr, 2 * page);
	munmap(m.ram_pr, page);
	close(m.file);
	unlink(DIR "/fork");
	XT_EXPECT(mappings(NOR) == nor0 && mappings(RAM) == ram0,
		  "all unmapped: the driver counts %ld NOR and %ld RAM VMAs, expected %ld and "
		  "%ld\n", mappings(NOR), mappings(RAM), nor0, ram0);
	return xt_put_back(RAM, ok);
}

/*
 * Whether /proc/self/maps has a mapping from @start to @end of file offset
 * @off; says what it found if not.
 */
static int maps_shows(const void *start, const void *end, unsigned long off)
{
	char line[256];
	const char *dash;

	if (xt_maps_line(start, line, sizeof(line))) {
		ksft_print_msg("/proc/self/maps: no mapping starts at %p\n", start);
		return 0;
	}
	dash = strchr(line, '-');
	if (!dash || strtoul(dash + 1, NULL, 16) != (unsigned long)end ||
	    xt_maps_offset(line) != off) {
		ksft_print_msg("/proc/self/maps: '%s', expected %p-%p at offset %lx\n", line,
			       start, end, off);
		return 0;
	}
	return 1;
}

/*
 * munmap() of the middle page of a three-page shared RAM mapping leaves
 * two VMAs (two lines in /proc/self/maps, offsets 0 and 2 pages): each
 * still maps its own offsets, for pages touched before the split and for
 * pages first touched after it (data as read() gives it, and a store
 * reaches read()), the middle is gone, and the driver's count is back
 * at its start once both halves are unmapped.
 */
static int munmap_middle_splits_the_mapping(void)
{
	unsigned char *p, b;
	long c0, c1;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	c0 = mappings(RAM);
	p = map(RAM, 0, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	touch(p);	/* page 0 touched before, page 2 after */
	XT_EXPECT(!munmap(p + page, page), "munmap() of the middle page: %s\n",
		  xt_errname(errno));
	c1 = mappings(RAM);
	XT_EXPECT(c1 == c0 + 2, "split: the driver counts %ld VMAs, expected %ld\n", c1, c0 + 2);
	XT_EXPECT(maps_shows(p, p + page, 0), "the first half is not in /proc/self/maps\n");
	XT_EXPECT(maps_shows(p + 2 * page, p + 3 * page, 2 * page),
		  "the second half is not in /proc/self/maps\n");
	XT_EXPECT(!mapped(p + page), "the middle page is still mapped\n");
	XT_EXPECT(same_as_read(fd[RAM], 0, p, page) && xt_pattern_diff(p, 0, page) < 0,
		  "the first half does not map offset 0\n");
	XT_EXPECT(same_as_read(fd[RAM], 2 * page, p + 2 * page, page) &&
		  xt_pattern_diff(p + 2 * page, 2 * page, page) < 0,
		  "the second half does not map offset %lu\n", 2 * page);
	p[2 * page + 7] = 0xe7;
	XT_EXPECT(!read_at(fd[RAM], 2 * page + 7, &b, 1) && b == 0xe7,
		  "a store to the second half is not at offset %lu of the device (0x%x)\n",
		  2 * page + 7, b);
	munmap(p, page);
	munmap(p + 2 * page, page);
	XT_EXPECT(mappings(RAM) == c0, "both halves unmapped: the driver counts %ld VMAs, "
		  "expected %ld\n", mappings(RAM), c0);
	return xt_put_back(RAM, ok);
}

/*
 * MAP_FIXED of anonymous memory over the middle page of a three-page
 * shared NOR mapping of offset 4 pages: the anonymous page is zeroed and
 * writable, the pages around it still map offsets 4 and 6 pages, and the
 * driver's count is back at its start once everything is unmapped.
 */
static int map_fixed_over_part_leaves_the_rest(void)
{
	unsigned long off = 4 * page;
	unsigned char *p, *q;
	long c0, c1;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	c0 = mappings(NOR);
	p = map(NOR, off, 3 * page, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	touch(p + page);	/* replaced once touched */
	q = mmap(p + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	XT_EXPECT(q == p + page, "MAP_FIXED anonymous at %p: %p (%s)\n", p + page, q,
		  xt_errname(errno));
	c1 = mappings(NOR);
	XT_EXPECT(c1 == c0 + 2, "the driver counts %ld VMAs around the anonymous page, "
		  "expected %ld\n", c1, c0 + 2);
	XT_EXPECT(maps_shows(p, p + page, off), "/proc/self/maps: the first page\n");
	XT_EXPECT(maps_shows(p + 2 * page, p + 3 * page, off + 2 * page),
		  "/proc/self/maps: the last page\n");
	if (q == p + page) {
		XT_EXPECT(xt_byte_diff(q, 0, page) < 0, "the anonymous page is not zeroed\n");
		q[0] = 0x5c;
	}
	XT_EXPECT(xt_pattern_diff(p, off, page) < 0, "the first page does not map offset %lu\n",
		  off);
	XT_EXPECT(xt_pattern_diff(p + 2 * page, off + 2 * page, page) < 0,
		  "the last page does not map offset %lu\n", off + 2 * page);
	munmap(p, 3 * page);
	XT_EXPECT(mappings(NOR) == c0, "all unmapped: the driver counts %ld VMAs, expected %ld\n",
		  mappings(NOR), c0);
	return ok;
}

/*
 * mremap() of a two-page shared RAM mapping of offset 8 pages to another
 * address (MREMAP_MAYMOVE | MREMAP_FIXED, same size): the data is there,
 * for the page touched before and the page first touched after the move,
 * with offset 8 pages in /proc/self/maps; the old address is unmapped and
 * the driver counts one VMA, as before.  Growing it fails: the driver sets
 * VM_DONTEXPAND, and 6.12's (and 6.1's) vma_to_resize() refuses a larger
 * size for such a VMA with EFAULT, whether or not it may move; the mapping
 * is left as it was.
 */
static int mremap_moves_but_cannot_grow(void)
{
	unsigned long off = 8 * page, len;
	unsigned char *p, *t, *q, *r;
	long c0;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	c0 = mappings(RAM);
	p = map(RAM, off, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED);
	t = mmap(NULL, 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || t == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	touch(p);
	q = remap(p, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	if (q == MAP_FAILED) {
		ksft_print_msg("mremap() to %p: %s\n", t, xt_errname(errno));
		munmap(p, 2 * page);
		munmap(t, 2 * page);
		return XT_FAIL;
	}
	XT_EXPECT(q == t, "mremap(MREMAP_FIXED) to %p moved it to %p\n", t, q);
	XT_EXPECT(!mapped(p), "the old address is still mapped\n");
	XT_EXPECT(maps_shows(q, q + 2 * page, off),
		  "the moved mapping is not in /proc/self/maps\n");
	XT_EXPECT(xt_pattern_diff(q, off, 2 * page) < 0 && same_as_read(fd[RAM], off, q, 2 * page),
		  "the moved mapping does not map offset %lu\n", off);
	XT_EXPECT(mappings(RAM) == c0 + 1, "moved: the driver counts %ld VMAs, expected %ld\n",
		  mappings(RAM), c0 + 1);

	/* In place first: a growth that worked there leaves it at q. */
	errno = 0;
	r = remap(q, 2 * page, 3 * page, 0, NULL);
	XT_EXPECT(r == MAP_FAILED && errno == EFAULT,
		  "mremap() to 3 pages in place: %p (%s), expected EFAULT\n", r, xt_errname(errno));
	len = r == MAP_FAILED ? 2 * page : 3 * page;
	if (r == MAP_FAILED) {
		errno = 0;
		r = remap(q, 2 * page, 3 * page, MREMAP_MAYMOVE, NULL);
		XT_EXPECT(r == MAP_FAILED && errno == EFAULT,
			  "mremap() to 3 pages, MREMAP_MAYMOVE: %p (%s), expected EFAULT\n", r,
			  xt_errname(errno));
		if (r != MAP_FAILED) {
			q = r;
			len = 3 * page;
		}
	}
	XT_EXPECT(xt_pattern_diff(q, off, 2 * page) < 0,
		  "after the growths the mapping is not the data\n");
	XT_EXPECT(mappings(RAM) == c0 + 1, "after the growths the driver counts %ld VMAs, "
		  "expected %ld\n", mappings(RAM), c0 + 1);
	munmap(q, len);
	XT_EXPECT(mappings(RAM) == c0, "unmapped: the driver counts %ld VMAs, expected %ld\n",
		  mappings(RAM), c0);
	return ok;
}

#define POKE_OFF	(7 * page)
#define POKE_AT		64

/*
 * The traced child: stop, let the parent poke its private read-only NOR
 * page, then check that it sees the word poked and the data around it.
 */
static void __noreturn poked_child(const unsigned char *p, unsigned long word)
{
	unsigned long seen;
	int ok = XT_PASS;

	if (xptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		ksft_print_msg("child: PTRACE_TRACEME: %s\n", xt_errname(errno));
		exit(2);
	}
	raise(SIGSTOP);
	memcpy(&seen, p + POKE_AT, sizeof(seen));
	XT_EXPECT(seen == word, "child: sees 0x%lx at the poked address, expected 0x%lx\n",
		  seen, word);
	XT_EXPECT(xt_pattern_diff(p, POKE_OFF, POKE_AT) < 0 &&
		  xt_pattern_diff(p + POKE_AT + sizeof(long), POKE_OFF + POKE_AT + sizeof(long),
				  page - POKE_AT - sizeof(long)) < 0,
		  "child: the rest of the poked page is not the device's data\n");
	exit(ok == XT_PASS ? 0 : 1);
}

/*
 * PTRACE_POKEDATA into a child's private read-only NOR mapping: the kernel
 * writes through a copy of the page (FOLL_FORCE on a copy-on-write
 * mapping), so the child sees the word and the device does not: read(),
 * a shared mapping and the parent's own private mapping still give the
 * device's data.
 */
static int ptrace_poke_copies_a_private_page(void)
{
	unsigned long word = (unsigned long)0xc0ffee5a5eed1e55ULL, peek = 0;
	unsigned char *p, *s;
	int ok = XT_PASS, status;
	pid_t pid;

	p = map(NOR, POKE_OFF, page, PROT_READ, MAP_PRIVATE);
	s = map(NOR, POKE_OFF, page, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED || s == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	touch(p);	/* mapped in place before fork() */
	pid = fork();
	if (pid < 0) {
		ksft_print_msg("fork: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	if (pid == 0)
		poked_child(p, word);
	status = wait_for(pid);
	if (status == -1 || (status & 0xff) != 0x7f || ((status >> 8) & 0xff) != SIGSTOP) {
		ksft_print_msg("the child did not stop: %s\n", how_it_ended(status));
		kill(pid, SIGKILL);
		wait_for(pid);
		munmap(p, page);
		munmap(s, page);
		return XT_FAIL;
	}
	errno = 0;
	XT_EXPECT(!xptrace(PTRACE_POKEDATA, pid, p + POKE_AT, (void *)word),
		  "PTRACE_POKEDATA into the private read-only mapping: %s\n", xt_errname(errno));
	errno = 0;
	XT_EXPECT(!xptrace(PTRACE_PEEKDATA, pid, p + POKE_AT, &peek) && peek == word,
		  "PTRACE_PEEKDATA: 0x%lx (%s), expected 0x%lx\n", peek, xt_errname(errno), word);
	if (xptrace(PTRACE_CONT, pid, NULL, NULL)) {
		ksft_print_msg("PTRACE_CONT: %s\n", xt_errname(errno));
		kill(pid, SIGKILL);
	}
	status = wait_for(pid);
	XT_EXPECT(exited_ok(status), "the child: %s\n", how_it_ended(status));
	XT_EXPECT(xt_pattern_diff(s, POKE_OFF, page) < 0,
		  "a shared mapping of the device shows the poke\n");
	XT_EXPECT(same_as_read(fd[NOR], POKE_OFF, s, page),
		  "read() of the device does not give the data\n");
	XT_EXPECT(xt_pattern_diff(p, POKE_OFF, page) < 0,
		  "the parent's private mapping shows the poke\n");
	munmap(p, page);
	munmap(s, page);
	return xt_put_back(NOR, ok);
}

/* A mapping the knob test makes on each device, with and without knobs. */
static const struct {
	int dev, prot, flags;
	const char *what;
} knob_maps[] = {
	{ NOR, PROT_READ, MAP_SHARED, "NOR shared read-only" },
	{ NOR, PROT_READ, MAP_PRIVATE, "NOR private read-only" },
	{ NOR, PROT_READ | PROT_WRITE, MAP_PRIVATE, "NOR private writable" },
	{ NOR, PROT_READ | PROT_EXEC, MAP_PRIVATE, "NOR private executable" },
	{ RAM, PROT_READ | PROT_WRITE, MAP_SHARED, "RAM shared writable" },
	{ RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE, "RAM private writable" },
};

/* Make each of knob_maps, check its data, store back a byte; ok or not. */
static int knob_maps_work(const char *with)
{
	unsigned long off = 2 * page;
	unsigned int i;
	unsigned char *p;
	int ok = XT_PASS;

	for (i = 0; i < ARRAY_SIZE(knob_maps); i++) {
		p = map(knob_maps[i].dev, off, 2 * page, knob_maps[i].prot, knob_maps[i].flags);
		if (p == MAP_FAILED) {
			ksft_print_msg("%s, %s: mmap: %s\n", knob_maps[i].what, with,
				       xt_errname(errno));
			ok = XT_FAIL;
			continue;
		}
		XT_EXPECT(xt_pattern_diff(p, off, 2 * page) < 0, "%s, %s: not the data\n",
			  knob_maps[i].what, with);
		if (knob_maps[i].prot & PROT_WRITE)
			xt_rewrite(p + page);
		munmap(p, 2 * page);
	}
	return ok;
}

/*
 * The -ENOSYS knobs (XIPMAP_IOC_SET_ENOSYS) answer the no-MMU kernel's
 * question "copy instead?", which a kernel with an MMU never asks: with
 * every knob set on NOR and RAM the same mappings succeed with the same
 * data as without.  MAP_UNINITIALIZED is honoured only by no-MMU kernels
 * built with CONFIG_MMAP_ALLOW_UNINITIALIZED: here an anonymous mapping
 * made with it, where pages just freed were full of 0xa5, is zeroed.
 */
static int enosys_knobs_and_map_uninitialized_are_inert(void)
{
	unsigned long len = 64 * page;
	unsigned char *p;
	int ok = XT_PASS, dev;

	XT_EXPECT(knob_maps_work("no knob set"), "without the knobs\n");
	for (dev = 0; dev < NR_DEV; dev++)
		XT_EXPECT(!xt_set(fd[dev], XIPMAP_IOC_SET_ENOSYS, XIPMAP_ENOSYS_ALL),
			  "%s: SET_ENOSYS: %s\n", path[dev], xt_errname(errno));
	XT_EXPECT(xt_info(fd[NOR]).enosys == XIPMAP_ENOSYS_ALL &&
		  xt_info(fd[RAM]).enosys == XIPMAP_ENOSYS_ALL, "the knobs did not stay set\n");
	XT_EXPECT(knob_maps_work("every -ENOSYS knob set"), "with the knobs\n");
	for (dev = 0; dev < NR_DEV; dev++)
		ok = xt_put_back(dev, ok);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap anonymous: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	memset(p, 0xa5, len);
	munmap(p, len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_UNINITIALIZED, -1, 0);
	XT_EXPECT(p != MAP_FAILED, "mmap anonymous MAP_UNINITIALIZED: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		long i = xt_byte_diff(p, 0, len);

		XT_EXPECT(i < 0, "MAP_UNINITIALIZED: byte %ld is 0x%x, not zero\n", i,
			  i < 0 ? 0 : p[i]);
		munmap(p, len);
	}
	return ok;
}

#define SHRINK_FROM	8	/* pages */
#define SHRINK_TO	3

/*
 * Shrinking an xipramfs file of 8 written pages to 3 under a shared
 * mapping of all 8: the first 3 keep their data (mapping and read()), a
 * process touching page 5 dies of SIGBUS, and the pages beyond the end are
 * gone: the mapping's Rss in /proc/self/smaps drops from 8 pages to 3 (its
 * page table entries were zapped), and Cached in /proc/meminfo drops by at
 * least the 5 pages (they were freed, not just unmapped).
 */
static int shrinking_a_file_frees_and_sigbuses_the_tail(void)
{
	unsigned long len = SHRINK_FROM * page, freed = (SHRINK_FROM - SHRINK_TO) * page, i;
	long rss0, rss1, cached0, cached1;
	int f, ok = XT_PASS, status;
	unsigned char *p;
	pid_t pid;

	f = open(DIR "/shrink", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f < 0 || xftruncate(f, len)) {
		ksft_print_msg("%s/shrink: %s\n", DIR, xt_errname(errno));
		return XT_FAIL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		close(f);
		unlink(DIR "/shrink");
		return XT_FAIL;
	}
	for (i = 0; i < SHRINK_FROM; i++)
		memset(p + i * page, (int)(i + 1), page);
	rss0 = xt_smaps_kb(p, "Rss");
	cached0 = xt_meminfo("Cached");
	XT_EXPECT(rss0 == (long)(len / 1024), "written: Rss %ld kB, expected %lu\n", rss0,
		  len / 1024);
	XT_EXPECT(!xftruncate(f, SHRINK_TO * page), "ftruncate() to %d pages: %s\n", SHRINK_TO,
		  xt_errname(errno));
	rss1 = xt_smaps_kb(p, "Rss");
	cached1 = xt_meminfo("Cached");
	ksft_print_msg("shrunk from %d to %d pages: Rss %ld -> %ld kB, Cached %ld -> %ld kB\n",
		       SHRINK_FROM, SHRINK_TO, rss0, rss1, cached0, cached1);
	XT_EXPECT(rss1 == (long)(SHRINK_TO * page / 1024), "shrunk: Rss %ld kB, expected %lu\n",
		  rss1, SHRINK_TO * page / 1024);
	XT_EXPECT(cached0 >= 0 && cached0 - cached1 >= (long)(freed / 1024),
		  "shrunk: Cached fell by %ld kB, expected at least %lu (the pages freed)\n",
		  cached0 - cached1, freed / 1024);
	for (i = 0; i < SHRINK_TO; i++) {
		XT_EXPECT(xt_byte_diff(p + i * page, (unsigned char)(i + 1), page) < 0 &&
			  same_as_read(f, i * page, p + i * page, page),
			  "page %lu lost its data\n", i);
	}
	pid = fork();
	if (pid == 0) {
		/* A page before the end is there; page 5 must kill. */
		if (p[(SHRINK_TO - 1) * page] != SHRINK_TO)
			exit(2);
		touch(p + 5 * page);
		exit(3);
	}
	status = pid < 0 ? -1 : wait_for(pid);
	XT_EXPECT(status != -1 && XWIFSIGNALED(status) && XWTERMSIG(status) == SIGBUS,
		  "a process touching page 5 of a %d-page file: %s, expected SIGBUS (%d)%s\n",
		  SHRINK_TO, how_it_ended(status), SIGBUS,
		  status != -1 && XWIFEXITED(status) && XWEXITSTATUS(status) == 2 ?
		  " (page 2 was not there)" : "");
	munmap(p, len);
	close(f);
	unlink(DIR "/shrink");
	return ok;
}

/*
 * A busy chip seen through mappings made and touched before: three pages
 * of NOR mapped shared and privately, every page read, and one private
 * page written (a copy of its own).  In program state, then in erase
 * state, the shared pages and the unwritten private ones show the status
 * byte; the written private page keeps its data; back in read-array state
 * all show the data again.
 */
static int busy_chip_shows_in_shared_and_unwritten_private(void)
{
	static const struct {
		unsigned int state;
		unsigned char status;
		const char *name;
	} busy[] = {
		{ XIPMAP_STATE_PROGRAM, XIPMAP_STATUS_PROGRAM, "program" },
		{ XIPMAP_STATE_ERASE, XIPMAP_STATUS_ERASE, "erase" },
	};
	unsigned long off = 8 * page, len = 3 * page;
	unsigned char *s, *q;
	unsigned int i;
	int ok = XT_PASS;

	s = map(NOR, off, len, PROT_READ, MAP_SHARED);
	q = map(NOR, off, len, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (s == MAP_FAILED || q == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(xt_pattern_diff(s, off, len) < 0 && xt_pattern_diff(q, off, len) < 0,
		  "the mappings are not the data\n");
	memset(q + 2 * page, 0xa5, 16);
	for (i = 0; i < ARRAY_SIZE(busy); i++) {
		XT_EXPECT(!xt_set(fd[NOR], XIPMAP_IOC_SET_STATE, busy[i].state),
			  "SET_STATE %s: %s\n", busy[i].name, xt_errname(errno));
		XT_EXPECT(xt_byte_diff(s, busy[i].status, len) < 0,
			  "%s: the shared mapping does not show 0x%x\n", busy[i].name,
			  busy[i].status);
		XT_EXPECT(xt_byte_diff(q, busy[i].status, 2 * page) < 0,
			  "%s: the unwritten private pages do not show 0x%x (0x%x 0x%x)\n",
			  busy[i].name, busy[i].status, q[0], q[page]);
		XT_EXPECT(xt_byte_diff(q + 2 * page, 0xa5, 16) < 0 &&
			  xt_pattern_diff(q + 2 * page + 16, off + 2 * page + 16, page - 16) < 0,
			  "%s: the written private page lost its data\n", busy[i].name);
		XT_EXPECT(!xt_set(fd[NOR], XIPMAP_IOC_SET_STATE, XIPMAP_STATE_READ_ARRAY),
			  "SET_STATE read-array: %s\n", xt_errname(errno));
		XT_EXPECT(xt_pattern_diff(s, off, len) < 0 &&
			  xt_pattern_diff(q, off, 2 * page) < 0,
			  "after %s: the mappings do not show the data again\n", busy[i].name);
		XT_EXPECT(xt_byte_diff(q + 2 * page, 0xa5, 16) < 0,
			  "after %s: the written private page lost its data\n", busy[i].name);
	}
	munmap(s, len);
	munmap(q, len);
	return xt_put_back(NOR, ok);
}

/* Write the string @s to the file @dir/@name; 0, or -1 with errno set. */
static int write_file(const char *dir, const char *name, const char *s)
{
	char p[160];
	long n;
	int f;

	f = open(xjoin(p, sizeof(p), dir, "/", name, NULL), O_WRONLY);
	if (f < 0)
		return -1;
	n = write(f, s, strlen(s));
	close(f);
	return n == (long)strlen(s) ? 0 : -1;
}

/* A number in the file @dir/@name, or -1. */
static long read_number(const char *dir, const char *name)
{
	char p[160];

	return xt_read_long(xjoin(p, sizeof(p), dir, "/", name, NULL));
}

/* Whether the file @dir/@name holds the word @word. */
static int file_has(const char *dir, const char *name, const char *word)
{
	static char buf[512];
	char p[160];

	if (xt_read_file(xjoin(p, sizeof(p), dir, "/", name, NULL), buf, sizeof(buf)) < 0)
		return 0;
	return xt_contains(buf, word);
}

/*
 * Where cgroup2 is mounted, into @dir: an existing mount from
 * /proc/self/mounts, or CGROUP_DIR mounted now (*@mounted set).  0, or
 * -1 with errno set (ENODEV: the kernel has no cgroup2).
 */
static int cgroup2_root(char *dir, unsigned long size, int *mounted)
{
	static char buf[8192];
	char *s, *f[3];
	int i;

	*mounted = 0;
	if (xt_read_file("/proc/self/mounts", buf, sizeof(buf)) > 0) {
		for (s = buf; *s; ) {
			for (i = 0; i < 3 && *s; i++) {
				f[i] = s;
				while (*s && *s != ' ' && *s != '\n')
					s++;
				if (*s == ' ')
					*s++ = '\0';
			}
			if (i == 3 && !strcmp(f[2], "cgroup2")) {
				xjoin(dir, size, f[1], NULL);
				return 0;
			}
			while (*s && *s != '\n')
				s++;
			if (*s)
				s++;
		}
	}
	if (mkdir(CGROUP_DIR, 0755) && errno != EEXIST)
		return -1;
	if (mount("none", CGROUP_DIR, "cgroup2", 0, NULL)) {
		int e = errno;

		rmdir(CGROUP_DIR);
		errno = e;
		return -1;
	}
	*mounted = 1;
	xjoin(dir, size, CGROUP_DIR, NULL);
	return 0;
}

struct charge {
	long before, after;	/* memory.current, bytes; -1 unknown */
	int err;		/* what failed in the child, or 0 */
};

/*
 * The charged child: join the cgroup @cg, map @n pages of @dev as @flags
 * (writable), store into each, and report memory.current before and after
 * through @report.
 */
static void __noreturn
charged_child(const char *cg, int dev, int flags, unsigned long n, int report)
{
	struct charge c = { -1, -1, 0 };
	unsigned char *p;
	unsigned long i;

	if (write_file(cg, "cgroup.procs", "0")) {
		c.err = errno;
		goto out;
	}
	c.before = read_number(cg, "memory.current");
	p = map(dev, 0, n * page, PROT_READ | PROT_WRITE, flags);
	if (p == MAP_FAILED) {
		c.err = errno;
		goto out;
	}
	for (i = 0; i < n; i++)
		p[i * page] = (unsigned char)i;
	c.after = read_number(cg, "memory.current");
	munmap(p, n * page);
out:
	exit(write(report, &c, sizeof(c)) == sizeof(c) ? 0 : 1);
}

/* Run charged_child() in a new cgroup @name under @root; its report. */
static struct charge charge_in(const char *root, const char *name, int dev, int flags,
			       unsigned long n)
{
	struct charge c = { -1, -1, 0 };
	char cg[160];
	int fds[2], status;
	pid_t pid;

	xjoin(cg, sizeof(cg), root, "/", name, NULL);
	if ((mkdir(cg, 0755) && errno != EEXIST) || pipe(fds)) {
		c.err = errno;
		return c;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		charged_child(cg, dev, flags, n, fds[1]);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, sizeof(c)) != sizeof(c))
		c = (struct charge){ -1, -1, pid < 0 ? errno : EPIPE };
	close(fds[0]);
	status = pid < 0 ? -1 : wait_for(pid);
	if (!exited_ok(status))
		ksft_print_msg("the charged child: %s\n", how_it_ended(status));
	if (rmdir(cg))
		ksft_print_msg("rmdir %s: %s\n", cg, xt_errname(errno));
	return c;
}

/*
 * Memory cgroups: a child in a new cgroup that writes CHARGED pages of a
 * private NOR mapping makes memory.current at least CHARGED pages: each
 * write copied a page (copy-on-write), charged to the writer like any
 * anonymous page.  A child in another new cgroup that writes CHARGED pages
 * of a shared RAM mapping grows it by less than half that: those pages are
 * the device's, nobody's charge.  (memory.current also holds the cgroup's
 * per-CPU charge batch, up to 64 pages, which is why the two are compared
 * with CHARGED and CHARGED / 2 and not exactly.)  Skipped without cgroup2
 * or without its memory controller.
 */
static int private_copies_are_charged_to_the_writer(void)
{
	unsigned long n = CHARGED, limit;
	struct charge priv, shared;
	int mounted, had_memory, ok = XT_PASS;
	char root[128];

	if (n * page > info[NOR].size)
		n = (unsigned long)info[NOR].size / page;
	if (cgroup2_root(root, sizeof(root), &mounted)) {
		xt_skip_why = errno == ENODEV ? "the kernel has no cgroup2 (CONFIG_CGROUPS)" :
			      "cgroup2 could not be mounted";
		ksft_print_msg("mount cgroup2: %s\n", xt_errname(errno));
		return XT_SKIP;
	}
	if (!file_has(root, "cgroup.controllers", "memory")) {
		xt_skip_why = "no memory controller in cgroup2 (CONFIG_MEMCG)";
		goto out;
	}
	had_memory = file_has(root, "cgroup.subtree_control", "memory");
	if (!had_memory && write_file(root, "cgroup.subtree_control", "+memory")) {
		ksft_print_msg("%s: +memory: %s\n", root, xt_errname(errno));
		ok = XT_FAIL;
		goto out;
	}
	limit = n * page;
	priv = charge_in(root, "xt-mmu-vma-private", NOR, MAP_PRIVATE, n);
	shared = charge_in(root, "xt-mmu-vma-shared", RAM, MAP_SHARED, n);
	ksft_print_msg("memory.current, %lu pages written: private NOR %ld -> %ld bytes, "
		       "shared RAM %ld -> %ld bytes\n", n, priv.before, priv.after,
		       shared.before, shared.after);
	XT_EXPECT(!priv.err && !shared.err, "the children: %s, %s\n", xt_errname(priv.err),
		  xt_errname(shared.err));
	XT_EXPECT(priv.before >= 0 && priv.after >= (long)limit,
		  "private NOR: memory.current %ld bytes after writing %lu pages, expected at "
		  "least %lu\n", priv.after, n, limit);
	XT_EXPECT(shared.before >= 0 && shared.after >= 0 &&
		  shared.after - shared.before < (long)(limit / 2),
		  "shared RAM: memory.current grew by %ld bytes for %lu pages of the device, "
		  "expected less than %lu\n", shared.after - shared.before, n, limit / 2);
	if (!had_memory && write_file(root, "cgroup.subtree_control", "-memory"))
		ksft_print_msg("%s: -memory: %s\n", root, xt_errname(errno));
out:
	if (mounted && (xumount(CGROUP_DIR, 0) || rmdir(CGROUP_DIR)))
		ksft_print_msg("umount %s: %s\n", CGROUP_DIR, xt_errname(errno));
	if (xt_skip_why)
		return XT_SKIP;
	return xt_put_back(RAM, ok);
}

static const struct xt_test tests[] = {
	XT_TEST_MMU(fork_shares_shared_and_separates_private, WHY_FORK),
	XT_TEST_MMU(munmap_middle_splits_the_mapping, WHY_SPLIT),
	XT_TEST_MMU(map_fixed_over_part_leaves_the_rest, WHY_FIXED),
	XT_TEST_MMU(mremap_moves_but_cannot_grow, WHY_MREMAP),
	XT_TEST_MMU(ptrace_poke_copies_a_private_page, WHY_FORK),
	XT_TEST_MMU(enosys_knobs_and_map_uninitialized_are_inert, WHY_KNOBS),
	XT_TEST_MMU(shrinking_a_file_frees_and_sigbuses_the_tail, WHY_SHRINK),
	XT_TEST_MMU(busy_chip_shows_in_shared_and_unwritten_private, WHY_BUSY),
	XT_TEST_MMU(private_copies_are_charged_to_the_writer, WHY_FORK),
};

int main(int argc, char **argv)
{
	xt_setup();
	page = xt_page_size();
	if (!xt_mmu()) {
		/* Neither the devices nor xipramfs are needed to say so. */
		xt_run(tests, ARRAY_SIZE(tests), NULL);
	}
	xt_open_devices(fd, info, NR_DEV);
	if (mkdir(DIR, 0755) && errno != EEXIST)
		ksft_exit_fail_msg("mkdir %s: %s\n", DIR, xt_errname(errno));
	if (mount("none", DIR, "xipramfs", 0, NULL))
		ksft_exit_fail_msg("mount xipramfs on %s: %s\n", DIR, xt_errname(errno));
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	xt_run_tests(tests, ARRAY_SIZE(tests), "");
	xt_put_back_all();
	if (xumount(DIR, 0))
		ksft_exit_fail_msg("umount %s: %s: a file or mapping leaked\n", DIR,
				   xt_errname(errno));
	ksft_finished();
}
