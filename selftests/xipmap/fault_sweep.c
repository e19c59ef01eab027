// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation on the driver's paths can fail, and failing it is
 * harmless.  For each path the test fails its allocations one at a time,
 * the 1st, the 2nd, ... through /proc/self/fail-nth
 * (Documentation/fault-injection/fault-injection.rst), until a call runs
 * through without reaching the next one.  The claims, for each injected
 * call:
 *
 * - it succeeds (the allocation had a fallback) or fails with ENOMEM;
 * - it leaves nothing behind: no mapping, file, mount, module or device
 *   that was not there before, and the device's data unchanged;
 * - the kernel reports nothing (no WARN, BUG or checker report: the
 *   runner's judge reads the log) and, on the debug kernels, kmemleak
 *   finds no leak (the runner reads it after the last program).
 *
 * Each path is one test case, which says how many failures it injected.
 * A path where none were injected fails: the injector is not configured.
 * Unless the path has no fault point at all (XIPMAP_IOC_ERASE; truncate
 * with an MMU): then an open() in the same test must inject, and the test
 * is skipped, saying so.  The module's load is swept with one device
 * (see module_load_failures_leave_nothing for what 6.12 lets it cover);
 * the module must unload after the other paths and is loaded again with
 * its parameters.  do_mmap()'s maple tree preallocation on no-MMU is a
 * known 6.12 bug: see mmap_prealloc_failure_known_bug.
 *
 * The injector: fail-nth counts only the allocations failslab and
 * fail_page_alloc let through their filters first (mm/failslab.c,
 * mm/fail_page_alloc.c): by default both skip allocations that may sleep,
 * which are all of these, and fail_page_alloc skips order 0 and highmem.
 * The test opens those filters and puts every knob back at the end.
 *
 * Which caches count: failslab's cache-filter is on, with every slab cache
 * marked for failure (/sys/kernel/slab/<cache>/failslab) except
 * - kmemleak_object, whose failure kmemleak answers from its own pool: it
 *   would double every sweep and test kmemleak, not xipmap;
 * - on no-MMU, maple_node: see mmap_prealloc_failure_known_bug below.
 * The mappings after the first leave vm_region out on no-MMU: do_mmap()
 * allocates it, and then the VMA, in the same code for every kind of
 * mapping, and each failure there prints show_mem(), which the kernel log
 * (64 KiB on nommu-riscv64) cannot take many times over.  The VMA stays
 * in: a direct mapping allocates nothing else there is to fail.
 */
#include "xipmap_test.h"

#define MODNAME		"xipmap"
#define FAIL_NTH	"/proc/self/fail-nth"
#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"
#define SLABS		"/sys/kernel/slab/"
#define RAMFS_DIR	"xt-sweep"
#define RAMFS_FILE	RAMFS_DIR "/f"
#define MOUNT_DIR	"xt-sweep-mnt"
#define MAX_NTH		20000	/* no path has that many: a runaway sweep */

static unsigned long page;
static int nth_fd = -1;

/* ---- the injector's knobs, saved and put back ------------------------- */

static const struct knob {
	const char *path;
	const char *val;
} knobs[] = {
	{ FAILSLAB "ignore-gfp-wait", "N" },
	{ FAILSLAB "verbose", "0" },
	{ FAILSLAB "probability", "0" },
	{ FAILSLAB "cache-filter", "Y" },
	{ FAILPAGE "ignore-gfp-wait", "N" },
	{ FAILPAGE "ignore-gfp-highmem", "N" },
	{ FAILPAGE "verbose", "0" },
	{ FAILPAGE "probability", "0" },
	{ FAILPAGE "min-order", "0" },
};

static char saved[ARRAY_SIZE(knobs)][24];
static int knobs_set;

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	long n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (long)strlen(val) ? 0 : -1;
}

static int set_min_order(int order)
{
	return write_str(FAILPAGE "min-order", utoa(order));
}

/* Save every knob, then set it; 0, or -1 saying which could not be. */
static int knobs_setup(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (xt_read_file(knobs[i].path, saved[i], sizeof(saved[i])) <= 0) {
			ksft_print_msg("read %s: %s\n", knobs[i].path, xt_errname(errno));
			return -1;
		}
	}
	knobs_set = 1;
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (write_str(knobs[i].path, knobs[i].val)) {
			ksft_print_msg("write %s to %s: %s\n", knobs[i].val, knobs[i].path,
				       xt_errname(errno));
			return -1;
		}
	}
	return 0;
}

static void knobs_restore(void)
{
	unsigned int i;

	if (!knobs_set)
		return;
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (write_str(knobs[i].path, saved[i]))
			ksft_print_msg("could not put back %s (%s): %s\n", knobs[i].path,
				       saved[i], xt_errname(errno));
	knobs_set = 0;
}

/* ---- which slab caches fail ------------------------------------------- */

#define MAX_CACHES	512

static char caches[MAX_CACHES][40];	/* marked by this test, to unmark */
static int nr_caches, cache_refused;

static int cache_mark(const char *name, int on)
{
	char path[96];

	xjoin(path, sizeof(path), SLABS, name, "/failslab", NULL);
	return write_str(path, on ? "1" : "0");
}

/* Mark every cache that is not marked yet, except the excluded ones. */
static int caches_mark_all(void)
{
	static char buf[8192];
	char path[96], val[8];
	long n, off;
	int fd;

	fd = open(SLABS, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	while ((n = getdents64(fd, (void *)buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] == '.' || d->d_name[0] == ':' || nr_caches >= MAX_CACHES ||
			    strlen(d->d_name) >= sizeof(caches[0]))
				continue;
			xjoin(path, sizeof(path), SLABS, d->d_name, "/failslab", NULL);
			if (xt_read_file(path, val, sizeof(val)) <= 0 || val[0] != '0')
				continue;
			/* EINVAL: a cache merged with others, which sysfs will not mark. */
			if (cache_mark(d->d_name, 1)) {
				cache_refused++;
				continue;
			}
			xjoin(caches[nr_caches++], sizeof(caches[0]), d->d_name, NULL);
		}
	}
	close(fd);
	return nr_caches ? 0 : -1;
}

static void caches_unmark_all(void)
{
	while (nr_caches--)
		cache_mark(caches[nr_caches], 0);
	nr_caches = 0;
}

/* The caches each kind of kernel leaves out (see the top comment). */
static const char *const never_nommu[] = { "kmemleak_object", "maple_node", NULL };
static const char *const never_mmu[] = { "kmemleak_object", NULL };
static const char *const mmap_core[] = { "vm_region", NULL };

static void caches_mark(const char *const *names, int on)
{
	for (; *names; names++)
		cache_mark(*names, on);	/* a kernel may not have it */
}

/* ---- fail-nth ---------------------------------------------------------- */

static int nth_rfd = -1;	/* a fresh one for each read: no lseek() */

static int nth_set(unsigned long n)
{
	const char *s = utoa(n);

	return write(nth_fd, s, strlen(s)) == (long)strlen(s) ? 0 : -1;
}

/*
 * Arm fail-nth at @n, with a descriptor ready to read it back: an open()
 * after the call would be an allocation counted (and /proc/self/fail-nth
 * cannot seek back to 0).
 */
static int nth_arm(unsigned long n)
{
	nth_rfd = open(FAIL_NTH, O_RDONLY);
	if (nth_rfd < 0)
		return -1;
	return nth_set(n);
}

/*
 * What is left of the count, read right after the call: 0 if the nth
 * fault point was reached.  Then fail-nth is reset to 0.
 */
static long nth_left(void)
{
	char buf[24];
	long n;

	n = read(nth_rfd, buf, sizeof(buf) - 1);
	nth_set(0);
	close(nth_rfd);
	nth_rfd = -1;
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static long now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

/*
 * A path: @call makes the one call and returns 0 or an errno; @undo
 * cleans up after a success; @clean checks that nothing is left behind
 * (after the undo), saying what is.  Both return XT_PASS or XT_FAIL.
 */
struct path {
	const char *name;
	int (*call)(void);
	int (*undo)(void);
	int (*clean)(void);
};

struct tally {
	int injected, succeeded, enomem, other;
};

/*
 * Sweep @p: n = 1, 2, ... until a call runs through before the nth fault
 * point; that last call, not injected, must succeed.
 */
static int sweep(const struct path *p, struct tally *t)
{
	long t0 = now_ms(), left;
	int ok = XT_PASS, err;
	unsigned long n;

	memset(t, 0, sizeof(*t));
	for (n = 1; n <= MAX_NTH; n++) {
		if (nth_arm(n)) {
			ksft_print_msg("write %lu to " FAIL_NTH ": %s\n", n, xt_errname(errno));
			return XT_FAIL;
		}
		err = p->call();
		left = nth_left();
		if (left < 0) {
			ksft_print_msg("read " FAIL_NTH ": %s\n", xt_errname(errno));
			return XT_FAIL;
		}
		if (left == 0) {
			t->injected++;
			if (!err)
				t->succeeded++;
			else if (err == ENOMEM)
				t->enomem++;
			else
				t->other++;
			XT_EXPECT(!err || err == ENOMEM,
				  "%s: fault point %lu failed: %s, expected ENOMEM or success\n",
				  p->name, n, xt_errname(err));
		} else {
			XT_EXPECT(!err,
				  "%s: with no fault injected (%lu fault points): %s, expected success\n",
				  p->name, n - left, xt_errname(err));
		}
		if (!err && p->undo && p->undo() != XT_PASS) {
			ksft_print_msg("%s: cannot undo the call after fault point %lu\n",
				       p->name, n);
			return XT_FAIL;
		}
		if (p->clean && p->clean() != XT_PASS) {
			ksft_print_msg("%s: fault point %lu (%s) left something behind\n",
				       p->name, n, xt_errname(err));
			return XT_FAIL;
		}
		if (left)
			break;
	}
	XT_EXPECT(n <= MAX_NTH, "%s: more than %d fault points\n", p->name, MAX_NTH);
	ksft_print_msg("%s: %d injected: %d succeeded, %d ENOMEM, %d other; %ld ms\n",
		       p->name, t->injected, t->succeeded, t->enomem, t->other, now_ms() - t0);
	XT_EXPECT(t->injected, "%s: the injector injected nothing: is it configured?\n",
		  p->name);
	return ok;
}

static int run_path(const struct path *p)
{
	struct tally t;

	return sweep(p, &t);
}

/* ---- what "nothing left behind" looks at -------------------------------- */

static int maps0;	/* lines of /proc/self/maps before the call */
static long dev_maps0;	/* the device's live mappings before the call */
static int map_dev;	/* that device, or -1 */

/* The lowest free descriptor: a leaked one would take it. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* ---- device open -------------------------------------------------------- */

static int open_fd = -1, fd0;

static int open_call(void)
{
	open_fd = open(XT_NOR, O_RDWR);
	return open_fd < 0 ? errno : 0;
}

static int open_undo(void)
{
	close(open_fd);
	open_fd = -1;
	return XT_PASS;
}

static int open_clean(void)
{
	int ok = XT_PASS;

	XT_EXPECT(lowest_free_fd() == fd0,
		  "a descriptor stayed open (lowest free %d, expected %d)\n",
		  lowest_free_fd(), fd0);
	return ok;
}

static int device_open_failures_leave_nothing(void)
{
	static const struct path p = { "open " XT_NOR, open_call, open_undo, open_clean };

	fd0 = lowest_free_fd();
	return run_path(&p);
}

/*
 * A path with no fault point at all: the sweep injects nothing, and it
 * fails for that.  Then an open() proves that the injector works, and the
 * test is skipped with @why rather than passed quietly.
 */
static int no_fault_point(int ok, const struct tally *t, const char *why)
{
	static const struct path control = { "open " XT_NOR " (control)", open_call, open_undo,
					     open_clean };
	struct tally c;

	if (t->injected || t->other)
		return ok;
	fd0 = lowest_free_fd();
	if (sweep(&control, &c) != XT_PASS || !c.injected)
		return XT_FAIL;
	xt_skip_why = why;
	return XT_SKIP;
}

/* ---- mappings ----------------------------------------------------------- */

struct mapping {
	const char *what;
	const char *path;
	int dev;		/* default device number, -1 for a file */
	int oflags, prot, flags;
	int ramfs;		/* map RAMFS_FILE */
};

static const struct mapping *cur_map;
static int map_fd = -1;
static void *map_addr;
#define MAP_LEN		(2 * page)	/* order 1: see main() */

static long dev_maps(void)
{
	return map_dev < 0 ? 0 : xt_dev_counter(map_dev, "mappings");
}

static int map_call(void)
{
	map_addr = mmap(NULL, MAP_LEN, cur_map->prot, cur_map->flags, map_fd, 0);
	return map_addr == MAP_FAILED ? errno : 0;
}

static int map_undo(void)
{
	int ok = XT_PASS;

	if (cur_map->ramfs)
		XT_EXPECT(xt_byte_diff(map_addr, 0x5a, MAP_LEN) < 0,
			  "a mapping of the file does not read the file\n");
	else
		XT_EXPECT(xt_pattern_diff(map_addr, 0, MAP_LEN) < 0,
			  "a mapping of the device does not read the pattern\n");
	XT_EXPECT(!munmap(map_addr, MAP_LEN), "munmap: %s\n", xt_errname(errno));
	return ok;
}

static int map_clean(void)
{
	int ok = XT_PASS;

	XT_EXPECT(xt_maps_lines() == maps0, "/proc/self/maps has %d lines, had %d\n",
		  xt_maps_lines(), maps0);
	XT_EXPECT(dev_maps() == dev_maps0, "%s counts %ld live mappings, had %ld\n",
		  cur_map->path, dev_maps(), dev_maps0);
	return ok;
}

/* A file of two pages of 0x5a in the xipramfs mount, open in @fd. */
static int ramfs_file(int *fd)
{
	static unsigned char buf[8192];
	unsigned long done;

	*fd = open(RAMFS_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (*fd < 0)
		return -1;
	/* Truncated up from 0: xipramfs's run, which can be mapped in place. */
	if (xftruncate(*fd, MAP_LEN))
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	for (done = 0; done < MAP_LEN; done += page)
		if (write(*fd, buf, page) != (long)page)
			return -1;
	return 0;
}

static int sweep_mapping(const struct mapping *m)
{
	struct path p = { m->what, map_call, map_undo, map_clean };
	int ok, ret = 0;

	cur_map = m;
	map_dev = m->dev;
	if (m->ramfs)
		ret = ramfs_file(&map_fd);
	else
		map_fd = open(m->path, m->oflags);
	if ((m->ramfs && ret < 0) || map_fd < 0) {
		ksft_print_msg("open %s: %s\n", m->path, xt_errname(errno));
		if (map_fd >= 0)
			close(map_fd);
		return XT_FAIL;
	}
	maps0 = xt_maps_lines();
	dev_maps0 = dev_maps();
	ok = run_path(&p);
	close(map_fd);
	map_fd = -1;
	if (m->ramfs && unlink(RAMFS_FILE)) {
		ksft_print_msg("unlink %s: %s\n", RAMFS_FILE, xt_errname(errno));
		ok = XT_FAIL;
	}
	return ok;
}

/*
 * On no-MMU the mappings avoid order-0 page allocations (min-order 1):
 * a new slab for the maple tree's preallocation at do_mmap()'s share:
 * label is one, and failing it trips the kernel bug described at
 * mmap_prealloc_failure_known_bug.  The copies are two pages, order 1, so
 * that their allocation still fails.
 */
static int map_setup(int first)
{
	if (xt_mmu())
		return 0;
	if (!first)
		caches_mark(mmap_core, 0);
	return set_min_order(1);
}

static void map_teardown(void)
{
	if (xt_mmu())
		return;
	caches_mark(mmap_core, 1);
	set_min_order(0);
}

static int map_one(const struct mapping *m, int first)
{
	int ok;

	if (map_setup(first)) {
		ksft_print_msg("cannot set up the injector: %s\n", xt_errname(errno));
		map_teardown();
		return XT_FAIL;
	}
	ok = sweep_mapping(m);
	map_teardown();
	return ok;
}

static int direct_shared_mapping_failures_leave_nothing(void)
{
	static const struct mapping m = { "MAP_SHARED PROT_READ of nor", XT_NOR, 0, O_RDONLY,
					  PROT_READ, MAP_SHARED, 0 };

	return map_one(&m, 1);
}

static int direct_private_mapping_failures_leave_nothing(void)
{
	static const struct mapping m = { "MAP_PRIVATE PROT_READ of nor", XT_NOR, 0, O_RDONLY,
					  PROT_READ, MAP_PRIVATE, 0 };

	return map_one(&m, 0);
}

static int copied_private_mapping_failures_leave_nothing(void)
{
	static const struct mapping m = { "MAP_PRIVATE PROT_READ of nand (a copy)", XT_NAND, 2,
					  O_RDONLY, PROT_READ, MAP_PRIVATE, 0 };

	return map_one(&m, 0);
}

static int shared_writable_mapping_failures_leave_nothing(void)
{
	static const struct mapping m = { "MAP_SHARED PROT_WRITE of ram", XT_RAM, 1, O_RDWR,
					  PROT_READ | PROT_WRITE, MAP_SHARED, 0 };

	return map_one(&m, 0);
}

static int ramfs_shared_mapping_failures_leave_nothing(void)
{
	static const struct mapping m = { "MAP_SHARED of an xipramfs file", RAMFS_FILE, -1,
					  O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 1 };

	return map_one(&m, 0);
}

static int ramfs_private_copy_failures_leave_nothing(void)
{
	static const struct mapping m = { "MAP_PRIVATE PROT_WRITE of an xipramfs file (a copy)",
					  RAMFS_FILE, -1, O_RDWR, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE, 1 };

	return map_one(&m, 0);
}

/* ---- xipramfs: create, truncate, write, mount ------------------------- */

static int file_fd = -1;

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

static int create_call(void)
{
	file_fd = open(RAMFS_FILE, O_RDWR | O_CREAT | O_EXCL, 0600);
	return file_fd < 0 ? errno : 0;
}

static int create_undo(void)
{
	int ok = XT_PASS;

	close(file_fd);
	file_fd = -1;
	XT_EXPECT(!unlink(RAMFS_FILE), "unlink: %s\n", xt_errname(errno));
	return ok;
}

static int create_clean(void)
{
	int ok = XT_PASS;

	XT_EXPECT(!xexists(RAMFS_FILE), "%s exists after a failed create\n", RAMFS_FILE);
	XT_EXPECT(lowest_free_fd() == fd0, "a descriptor stayed open\n");
	return ok;
}

static int ramfs_create_failures_leave_nothing(void)
{
	static const struct path p = { "create in xipramfs", create_call, create_undo,
				       create_clean };

	fd0 = lowest_free_fd();
	return run_path(&p);
}

/* An empty file in the mount, for the paths that change one. */
static int with_empty_file(const struct path *p, struct tally *t)
{
	int ok;

	file_fd = open(RAMFS_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (file_fd < 0) {
		ksft_print_msg("create %s: %s\n", RAMFS_FILE, xt_errname(errno));
		return XT_FAIL;
	}
	ok = sweep(p, t);
	close(file_fd);
	file_fd = -1;
	if (unlink(RAMFS_FILE)) {
		ksft_print_msg("unlink %s: %s\n", RAMFS_FILE, xt_errname(errno));
		ok = XT_FAIL;
	}
	return ok;
}

#define TRUNC_LEN	(8 * page)

static int truncate_call(void)
{
	return xftruncate(file_fd, TRUNC_LEN) ? errno : 0;
}

static int back_to_empty(void)
{
	int ok = XT_PASS;

	XT_EXPECT(!xftruncate(file_fd, 0), "ftruncate to 0: %s\n", xt_errname(errno));
	return ok;
}

static int empty_clean(void)
{
	int ok = XT_PASS;

	/* A failed truncate up leaves the file as it was (ramfs_map). */
	XT_EXPECT(file_size(RAMFS_FILE) == 0, "the file has %ld bytes, expected 0\n",
		  file_size(RAMFS_FILE));
	return ok;
}

/*
 * With an MMU, truncating up allocates nothing (ramfs-mmu.c: each page
 * comes on its first fault): no fault point there.
 */
#define TRUNCATE_WHY	\
	"with an MMU, ftruncate allocates nothing; the injector injected into open() here"

static int ramfs_truncate_failures_leave_nothing(void)
{
	static const struct path p = { "ftruncate up from 0 in xipramfs", truncate_call,
				       back_to_empty, empty_clean };
	struct tally t;
	int ok;

	ok = with_empty_file(&p, &t);
	return xt_mmu() ? no_fault_point(ok, &t, TRUNCATE_WHY) : ok;
}

static unsigned char wbuf[8192];
static long written;

static int write_call(void)
{
	written = 0;
	if (lseek(file_fd, 0, SEEK_SET))
		return errno;
	written = write(file_fd, wbuf, 2 * page);
	return written < 0 ? errno : 0;
}

/*
 * A write that got some pages in before the allocation failed returns
 * what it wrote, as write(2) does; the bytes it wrote must be there.
 */
static int write_undo(void)
{
	static unsigned char rbuf[8192];
	int ok = XT_PASS;

	XT_EXPECT(written > 0 && file_size(RAMFS_FILE) == written,
		  "wrote %ld bytes, the file has %ld\n", written, file_size(RAMFS_FILE));
	XT_EXPECT(lseek(file_fd, 0, SEEK_SET) == 0 && read(file_fd, rbuf, written) == written &&
		  !memcmp(rbuf, wbuf, written), "the file does not read what was written\n");
	if (written != (long)(2 * page))
		ksft_print_msg("a short write: %ld bytes of %lu\n", written, 2 * page);
	return back_to_empty() == XT_PASS ? ok : XT_FAIL;
}

static int ramfs_write_failures_leave_nothing(void)
{
	static const struct path p = { "write to an xipramfs file", write_call, write_undo,
				       empty_clean };

	struct tally t;

	memset(wbuf, 0xa5, sizeof(wbuf));
	return with_empty_file(&p, &t);
}

static dev_t dir_dev;

static int mount_call(void)
{
	return mount("xipramfs", MOUNT_DIR, "xipramfs", 0, "mode=0755") ? errno : 0;
}

static int mount_undo(void)
{
	int ok = XT_PASS;

	XT_EXPECT(!xumount(MOUNT_DIR, 0), "umount: %s\n", xt_errname(errno));
	return ok;
}

static int mount_clean(void)
{
	struct stat st;
	int ok = XT_PASS;

	XT_EXPECT(!stat(MOUNT_DIR, &st) && st.st_dev == dir_dev,
		  "something is mounted on %s after a failed mount\n", MOUNT_DIR);
	return ok;
}

static int ramfs_mount_failures_leave_nothing(void)
{
	static const struct path p = { "mount xipramfs", mount_call, mount_undo, mount_clean };
	struct stat st;

	if ((mkdir(MOUNT_DIR, 0755) && errno != EEXIST) || stat(MOUNT_DIR, &st)) {
		ksft_print_msg("mkdir %s: %s\n", MOUNT_DIR, xt_errname(errno));
		return XT_FAIL;
	}
	dir_dev = st.st_dev;
	return run_path(&p);
}

/* ---- flash: program and erase ------------------------------------------ */

static int flash_fd = -1;
static unsigned char pbuf[8192];

/*
 * Programming is write(): it clears the bits that are 0 in the data
 * (flash.c).  Programming the pattern over itself changes nothing, so
 * that whatever the call did, the array must still hold the pattern.
 */
static int program_call(void)
{
	long n;

	if (lseek(flash_fd, 0, SEEK_SET))
		return errno;
	n = write(flash_fd, pbuf, page);
	return n < 0 ? errno : n == (long)page ? 0 : EIO;
}

static int flash_clean(void)
{
	static unsigned char rbuf[8192];
	int ok = XT_PASS;

	XT_EXPECT(lseek(flash_fd, 0, SEEK_SET) == 0 && read(flash_fd, rbuf, page) == (long)page &&
		  xt_pattern_diff(rbuf, 0, page) < 0, "the flash no longer holds the pattern\n");
	return ok;
}

static int flash_program_failures_leave_nothing(void)
{
	static const struct path p = { "program (write) " XT_NOR, program_call, NULL,
				       flash_clean };
	unsigned long i;
	int ok;

	flash_fd = open(XT_NOR, O_RDWR);
	if (flash_fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	for (i = 0; i < page; i++)
		pbuf[i] = xt_pattern(i);
	ok = run_path(&p);
	close(flash_fd);
	return ok;
}

/*
 * A busy state (program or erase) keeps a copy of the data while the
 * array shows status bytes: SET_STATE allocates it (kvmalloc() of the
 * whole flash), and without it the state must not change.
 */
static int busy_call(void)
{
	__u32 state = XIPMAP_STATE_PROGRAM;

	return ioctl(flash_fd, XIPMAP_IOC_SET_STATE, &state) ? errno : 0;
}

static int busy_undo(void)
{
	__u32 state = XIPMAP_STATE_READ_ARRAY;
	int ok = XT_PASS;

	XT_EXPECT(!ioctl(flash_fd, XIPMAP_IOC_SET_STATE, &state),
		  "back to read-array: %s\n", xt_errname(errno));
	return ok;
}

static int busy_clean(void)
{
	int ok = flash_clean();

	XT_EXPECT(xt_info(flash_fd).state == XIPMAP_STATE_READ_ARRAY,
		  "a failed SET_STATE left the state %u\n", xt_info(flash_fd).state);
	return ok;
}

static int flash_busy_failures_leave_nothing(void)
{
	static const struct path p = { "enter program state (SET_STATE) " XT_NOR, busy_call,
				       busy_undo, busy_clean };
	int ok;

	flash_fd = open(XT_NOR, O_RDWR);
	if (flash_fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	ok = run_path(&p);
	close(flash_fd);
	return ok;
}

static struct xipmap_info flash_info;

static int erase_call(void)
{
	struct xipmap_erase e = { 0, flash_info.erasesize };

	return ioctl(flash_fd, XIPMAP_IOC_ERASE, &e) ? errno : 0;
}

/* Program the pattern back into the erased block. */
static int erase_undo(void)
{
	static unsigned char buf[4096];
	unsigned long off, i;
	int ok = XT_PASS;

	for (off = 0; off < flash_info.erasesize; off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = xt_pattern(off + i);
		if (lseek(flash_fd, off, SEEK_SET) != (off_t)off ||
		    write(flash_fd, buf, sizeof(buf)) != sizeof(buf)) {
			ksft_print_msg("program the pattern back: %s\n", xt_errname(errno));
			ok = XT_FAIL;
			break;
		}
	}
	return ok;
}

/* XIPMAP_IOC_ERASE allocates nothing: xipflash_erase() is a memset(). */
#define ERASE_WHY	\
	"XIPMAP_IOC_ERASE has no fault point; the injector injected into open() here"

static int flash_erase_failures_leave_nothing(void)
{
	static const struct path p = { "erase " XT_NOR, erase_call, erase_undo, flash_clean };
	struct tally t;
	int ok;

	flash_fd = open(XT_NOR, O_RDWR);
	if (flash_fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	flash_info = xt_info(flash_fd);
	ok = sweep(&p, &t);
	close(flash_fd);
	return no_fault_point(ok, &t, ERASE_WHY);
}

/* ---- module load ------------------------------------------------------- */

static const char *module_path;
static char saved_params[96];
static char load_params[96];
static int kmsg_fd = -1;
static int complaint_expected;

static int module_loaded(void)
{
	return xexists("/sys/module/" MODNAME);
}

/*
 * A failure inside the module's init may make it say so ("xipflash0:
 * cannot allocate ...", "cannot register the device"), as it should;
 * the judge wants such a message announced.  One announcement is kept
 * outstanding: a new one only once the last was used (read from
 * /dev/kmsg), so that at most one is left unused.
 */
static void watch_complaints(void)
{
	static char rec[1024];
	long n;

	for (;;) {
		const char *text;

		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: read on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "<facility * 8 + level>,<seq>,<time>,<flags>;<text>" */
		text = strchr(rec, ';');
		if (text && (strtol(rec, NULL, 10) & 7) <= 4 &&
		    !strncmp(text + 1, MODNAME ": " XIPMAP_FLASH_NAME,
			     strlen(MODNAME ": " XIPMAP_FLASH_NAME)))
			complaint_expected = 0;
	}
	if (!complaint_expected) {
		xt_announce_kmsg(MODNAME ": " XIPMAP_FLASH_NAME);
		complaint_expected = 1;
	}
}

static int load_call(void)
{
	return xfinit_module(module_path, load_params) ? errno : 0;
}

static int load_undo(void)
{
	int ok = XT_PASS;

	XT_EXPECT(!xdelete_module(MODNAME, O_NONBLOCK), "unload after a load: %s\n",
		  xt_errname(errno));
	return ok;
}

static int load_clean(void)
{
	int ok = XT_PASS;

	XT_EXPECT(!module_loaded(), "/sys/module/" MODNAME " is there\n");
	XT_EXPECT(!xexists(XT_FLASH), "%s is there\n", XT_FLASH);
	XT_EXPECT(!xexists(XT_FB), "%s is there\n", XT_FB);
	return ok;
}

/* After the other paths: nothing they did holds the module. */
static int module_unloads_after_the_sweeps(void)
{
	int ok = XT_PASS;

	if (!module_path || !xexists(module_path) || !saved_params[0]) {
		xt_skip_why = "XIPMAP_MODULE does not name the module's file, or it was not loaded";
		return XT_SKIP;
	}
	if (xumount(RAMFS_DIR, 0)) {
		ksft_print_msg("umount %s: %s\n", RAMFS_DIR, xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(!xdelete_module(MODNAME, O_NONBLOCK), "unload %s: %s, expected success\n",
		  MODNAME, xt_errname(errno));
	XT_EXPECT(!module_loaded() && !xexists(XT_FLASH), "the module or a device stayed\n");
	if (!module_loaded() && xfinit_module(module_path, saved_params)) {
		ksft_print_msg("reload with %s: %s\n", saved_params, xt_errname(errno));
		return XT_FAIL;
	}
	return ok;
}

/*
 * Loading the module, with one device of four pages.  6.12 leaks on some
 * of the failures on the way, which kmemleak reports:
 * - arch/riscv/kernel/module.c, apply_relocate_add(): when
 *   add_relocation_to_accumulate() fails (kmalloc), it returns without
 *   freeing the relocation hash table and the entries accumulated;
 * - mm/slub.c, sysfs_slab_add() (the module's kmem_cache_create()): when
 *   kobject_init_and_add() or sysfs_create_group() fails (kernfs nodes,
 *   names, IDs), it never calls kobject_put(), and the name leaks.
 * So by default the kmalloc caches, kernfs_node_cache and radix_tree_node
 * do not fail, and neither do order-0 pages (a new kmalloc slab falls back
 * to order 0 when its first try fails): what is left is every other slab
 * cache (dentries and inodes of debugfs and devtmpfs, kmem_cache_node,
 * ...) and the larger page allocations, among them the module's memory on
 * no-MMU and the device's array (order 2).  With XIPMAP_KNOWN_BUGS=1
 * every cache fails, one device of one page.  (On an MMU kernel order-0
 * pages never fail here: the module's memory and the copy of its file are
 * vmalloc()ed a page at a time, and each such failure makes vmalloc print
 * a stack and show_mem().)  A load costs about 0.3 s on the debug
 * kernels: the sweep stops after its time budget and says how far it got.
 */
#define LOAD_BUDGET_MS	12000
#define LOAD_BUG_BUDGET_MS	30000
#define LOAD_BUG_WHY	\
	"6.12 leaks on injected failures in apply_relocate_add (riscv) and sysfs_slab_add"

static const char *const leaky[] = { "kernfs_node_cache", "radix_tree_node", NULL };

/* Mark or unmark the kmalloc caches we marked, and @leaky. */
static void leaky_caches(int on)
{
	int i;

	for (i = 0; i < nr_caches; i++)
		if (xt_contains(caches[i], "kmalloc-"))
			cache_mark(caches[i], on);
	caches_mark(leaky, on);
}

static int module_load_failures_leave_nothing(void)
{
	const char *known = getenv("XIPMAP_KNOWN_BUGS");
	int ok = XT_PASS, err, all = known && !strcmp(known, "1");
	long t0, left, total, budget = all ? LOAD_BUG_BUDGET_MS : LOAD_BUDGET_MS;
	unsigned long n;
	struct tally t;

	if (!module_path || !xexists(module_path) || !saved_params[0]) {
		xt_skip_why = "XIPMAP_MODULE does not name the module's file, or it was not loaded";
		return XT_SKIP;
	}
	xumount(RAMFS_DIR, 0);
	if (module_loaded() && xdelete_module(MODNAME, O_NONBLOCK)) {
		ksft_print_msg("unload %s: %s\n", MODNAME, xt_errname(errno));
		return XT_FAIL;
	}
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0 || lseek(kmsg_fd, 0, SEEK_END) < 0) {
		ksft_print_msg("open /dev/kmsg: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	/* Two devices: a failure in the second must undo the first. */
	xjoin(load_params, sizeof(load_params), "nr_flash=2 flash_size=",
	      utoa(all ? page : 4 * page), NULL);
	if (!all)
		leaky_caches(0);
	if (xt_mmu() || !all)
		set_min_order(1);
	/* How many fault points a load has: fail-nth far beyond them. */
	nth_arm(MAX_NTH);
	err = load_call();
	left = nth_left();
	total = MAX_NTH - left;
	if (err || left <= 0 || load_undo() != XT_PASS) {
		ksft_print_msg("a load with nothing injected: %s\n", xt_errname(err));
		ok = XT_FAIL;
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t0 = now_ms();
	/* Until a load runs through (the count may differ by a new slab). */
	for (n = 1, left = 0; !left && n <= MAX_NTH && now_ms() - t0 < budget; n++) {
		watch_complaints();
		nth_arm(n);
		err = load_call();
		left = nth_left();
		if (!left) {
			t.injected++;
			t.succeeded += !err;
			t.enomem += err == ENOMEM;
			t.other += err && err != ENOMEM;
		}
		XT_EXPECT(!err || err == ENOMEM,
			  "finit_module %s, fault point %lu: %s, expected ENOMEM or success\n",
			  load_params, n, xt_errname(err));
		if (!err && load_undo() != XT_PASS) {
			ok = XT_FAIL;
			break;
		}
		if (load_clean() != XT_PASS) {
			ksft_print_msg("fault point %lu (%s) left the module behind\n", n,
				       xt_errname(err));
			ok = XT_FAIL;
			break;
		}
	}
	ksft_print_msg("finit_module %s: %d injected of %ld fault points\n", load_params,
		       t.injected, total);
	if (!left)
		ksft_print_msg("the time budget (%ld ms) ran out: points from %lu on not swept\n",
			       budget, n);
	ksft_print_msg("finit_module: %d succeeded, %d ENOMEM, %d other; %ld ms\n",
		       t.succeeded, t.enomem, t.other, now_ms() - t0);
	XT_EXPECT(t.injected, "the injector injected nothing: is it configured?\n");
out:
	set_min_order(0);
	if (!all)
		leaky_caches(1);
	close(kmsg_fd);
	if (!module_loaded() && xfinit_module(module_path, saved_params)) {
		ksft_print_msg("reload with %s: %s\n", saved_params, xt_errname(errno));
		ok = XT_FAIL;
	}
	/* The claims held; the leaks are kmemleak's to report, after the run. */
	if (ok == XT_PASS && all)
		ksft_print_msg("expect kmemleak reports: %s\n", LOAD_BUG_WHY);
	else if (ok == XT_PASS)
		ksft_print_msg("kmalloc, kernfs_node_cache, radix_tree_node, order 0 spared: %s\n",
			       LOAD_BUG_WHY);
	return ok;
}

/* ---- the do_mmap() bug -------------------------------------------------- */

/*
 * 6.12's mm/nommu.c do_mmap(), at the share: label, after
 * add_nommu_region() has linked the new region into nommu_region_tree:
 *
 *	if (vma_iter_prealloc(&vmi, vma))
 *		goto error_just_free;
 *
 * with ret still 0: mmap() returns 0, an "address", not an error, and
 * error_just_free frees the region the tree still holds (a use after
 * free, which the next change of the tree trips on) and the VMA without
 * ->close (the driver's mapping count stays up).  Read in mm/nommu.c:
 * vma_iter_prealloc() is the last allocation do_mmap() makes (after it
 * only setup_vma_to_mm(), vma_iter_store() into the preallocated nodes
 * and an icache flush), and the only one from maple_node (nothing before
 * it touches the maple tree).  Counting a call's fault points and sparing
 * the last, as first planned, does not spare it: on the debug kernels
 * kmemleak's own allocation for the new node comes after it, a new slab
 * page for maple_node can come in between, and a store into a node with
 * room needs no node (mas_prealloc_calc()), so the last point is then
 * another one.  The filters do: the other mapping sweeps leave maple_node
 * out of failslab, and order-0 pages (a new maple_node slab's last try)
 * out of fail_page_alloc.
 *
 * With XIPMAP_KNOWN_BUGS=1 this fails exactly that allocation: only
 * maple_node marked, no page allocation counted, fail-nth 1.  A store
 * into a node with room needs no new node (mas_prealloc_calc()), so it
 * may take a few mappings before one needs one.  What 6.12 does is
 * asserted and reported as XFAIL; the kernel is left with a freed region
 * in its tree, so this runs last, and the next change of the tree (this
 * process's exit at the latest) oopses on the debug kernel, in
 * validate_nommu_regions() on the poisoned region: a --known-bugs run
 * ends there.  On a kernel with the fix (patches/6.12, XIPMAP_FIXED has
 * 25) it runs always and asserts what the fix does: ENOMEM, and the
 * process's other mappings and the region tree intact.
 */
#define BUG_TRIES	16
#define BUG_WHY		\
	"6.12 do_mmap share: vma_iter_prealloc failure returns 0 and frees a linked region"

static int mmap_prealloc_failure_known_bug(void)
{
	const char *known = getenv("XIPMAP_KNOWN_BUGS");
	int fixed = xt_fixed("25");
	void *held[BUG_TRIES];
	int ok = XT_PASS, fd, i, n = 0, hit = 0, lines = xt_maps_lines();
	void *p = MAP_FAILED;
	long left = -1;

	if (!fixed && (!known || strcmp(known, "1"))) {
		xt_skip_why = BUG_WHY "; run with XIPMAP_KNOWN_BUGS=1";
		return XT_SKIP;
	}
	fd = open(XT_NOR, O_RDONLY);
	if (fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	caches_unmark_all();
	cache_mark("maple_node", 1);
	set_min_order(30);
	for (i = 0; i < BUG_TRIES && !hit; i++) {
		nth_arm(1);
		errno = 0;
		p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, i * page);
		left = nth_left();
		hit = left == 0;
		if (!hit && p != MAP_FAILED)
			held[n++] = p;	/* a different tree for the next try */
	}
	cache_mark("maple_node", 0);
	set_min_order(0);
	close(fd);
	if (!hit) {
		ksft_print_msg("%d mappings needed no maple node: nothing injected\n", i);
		ok = XT_FAIL;
	} else if (fixed) {
		ksft_print_msg("maple_node failed at the %d-th mapping: mmap() returned %p (%s)\n",
			       i, p, xt_errname(p == MAP_FAILED ? errno : 0));
		XT_EXPECT(p == MAP_FAILED && errno == ENOMEM, "mmap() returned %p (%s), "
			  "expected ENOMEM\n", p, xt_errname(p == MAP_FAILED ? errno : 0));
		if (p != MAP_FAILED)
			munmap(p, page);
		XT_EXPECT(xt_maps_lines() == lines + n, "/proc/self/maps: %d lines, expected "
			  "%d\n", xt_maps_lines(), lines + n);
	} else {
		ksft_print_msg("maple_node failed at the %d-th mapping: mmap() returned %p (%s)\n",
			       i, p, xt_errname(p == MAP_FAILED ? errno : 0));
		/* The driver's count of the VMA freed without ->close, at unload. */
		xt_announce_kmsg("mappings never closed");
		/* What 6.12 does: an address of 0, not MAP_FAILED with ENOMEM. */
		XT_EXPECT(!p, "mmap() returned %p (%s); 6.12 returns 0: fixed?\n", p,
			  xt_errname(p == MAP_FAILED ? errno : 0));
		if (ok == XT_PASS)
			xt_skip_why = BUG_WHY;
	}
	while (n--)
		if (munmap(held[n], page) && fixed) {
			ksft_print_msg("munmap of mapping %d: %s\n", n, xt_errname(errno));
			ok = XT_FAIL;
		}
	if (fixed)
		return ok;
	return ok == XT_PASS ? XT_XFAIL : ok;
}

#define NO_BUG_WITH_MMU	\
	"no such path with an MMU: the mapping sweeps fail the maple tree's allocations too"

static const struct xt_test tests[] = {
	XT_TEST(device_open_failures_leave_nothing),
	XT_TEST(direct_shared_mapping_failures_leave_nothing),
	XT_TEST(direct_private_mapping_failures_leave_nothing),
	XT_TEST_NOMMU(copied_private_mapping_failures_leave_nothing,
		      "with an MMU a device that can only be copied is not mapped (mmu_map)"),
	XT_TEST(shared_writable_mapping_failures_leave_nothing),
	XT_TEST(ramfs_shared_mapping_failures_leave_nothing),
	XT_TEST(ramfs_private_copy_failures_leave_nothing),
	XT_TEST(ramfs_create_failures_leave_nothing),
	XT_TEST(ramfs_truncate_failures_leave_nothing),
	XT_TEST(ramfs_write_failures_leave_nothing),
	XT_TEST(ramfs_mount_failures_leave_nothing),
	XT_TEST(flash_program_failures_leave_nothing),
	XT_TEST(flash_busy_failures_leave_nothing),
	XT_TEST(flash_erase_failures_leave_nothing),
	XT_TEST(module_unloads_after_the_sweeps),
	XT_TEST(module_load_failures_leave_nothing),
	XT_TEST_NOMMU(mmap_prealloc_failure_known_bug, NO_BUG_WITH_MMU),
};

static void after(void)
{
	nth_set(0);
	caches_unmark_all();
	knobs_restore();
	xumount(RAMFS_DIR, 0);
	if (module_path && saved_params[0] && !module_loaded() &&
	    xfinit_module(module_path, saved_params))
		ksft_exit_fail_msg("reload with %s: %s\n", saved_params, xt_errname(errno));
}

static void skip(const char *why)
{
	ksft_print_header();
	ksft_exit_skip("%s\n", why);
}

int main(void)
{
	long size, nr;

	xt_setup();
	page = xt_page_size();
	if (!xexists(FAIL_NTH))
		skip("no " FAIL_NTH ": the kernel has no CONFIG_FAULT_INJECTION");
	mount("none", "/sys/kernel/debug", "debugfs", 0, NULL);	/* EBUSY if it is */
	if (!xexists(FAILSLAB))
		skip("no " FAILSLAB ": the kernel has no CONFIG_FAILSLAB (or its debugfs)");
	if (!xexists(FAILPAGE))
		skip("no " FAILPAGE ": the kernel has no CONFIG_FAIL_PAGE_ALLOC (or its debugfs)");
	if (!xexists(SLABS "kmalloc-64/failslab") && !xexists(SLABS "vm_area_struct/failslab"))
		skip("no " SLABS "<cache>/failslab: the caches cannot be chosen");
	if (!xt_have_counters())
		skip("no " XT_DEBUGFS ": the module is not loaded");
	module_path = getenv("XIPMAP_MODULE");
	size = xt_read_long("/sys/module/" MODNAME "/parameters/flash_size");
	nr = xt_read_long("/sys/module/" MODNAME "/parameters/nr_flash");
	if (size > 0 && nr > 0) {
		/* ltoa() has one buffer: one number at a time. */
		xjoin(saved_params, sizeof(saved_params), "flash_size=", ltoa(size), NULL);
		xjoin(saved_params + strlen(saved_params), sizeof(saved_params) -
		      strlen(saved_params), " nr_flash=", ltoa(nr), NULL);
	}
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	nth_fd = open(FAIL_NTH, O_RDWR);
	if (nth_fd < 0)
		ksft_exit_fail_msg("open " FAIL_NTH ": %s\n", xt_errname(errno));
	if (knobs_setup()) {
		knobs_restore();
		ksft_exit_fail_msg("cannot set up the injector\n");
	}
	if (caches_mark_all()) {
		caches_unmark_all();
		knobs_restore();
		ksft_exit_fail_msg("cannot mark the slab caches for failure\n");
	}
	caches_mark(xt_mmu() ? never_mmu : never_nommu, 0);
	ksft_print_msg("%d slab caches marked to fail, %d refused\n", nr_caches, cache_refused);
	if ((mkdir(RAMFS_DIR, 0755) && errno != EEXIST) ||
	    mount("none", RAMFS_DIR, "xipramfs", 0, NULL)) {
		after();
		ksft_exit_fail_msg("mount xipramfs on %s: %s\n", RAMFS_DIR, xt_errname(errno));
	}
	xt_run_tests(tests, ARRAY_SIZE(tests), "");
	after();
	ksft_finished();
}
