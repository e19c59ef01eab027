// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap-bench: what execute-in-place is for, measured.  A direct mapping
 * of a memory-mapped device should cost no RAM, and no time that grows
 * with its size; a copy costs both.  This program measures, for mappings
 * from one page to the largest size asked for, the time of mmap(), of
 * touching every page once (reading, writing where the mapping allows it,
 * running code where it is code) and of munmap(), each apart, and the RAM
 * each mapping costs while it lives:
 *
 *   direct         /dev/xipflash0 (NOR), private read-only: in place
 *   direct-shared  the same, shared read-only: in place
 *   xip-exec       NOR, private PROT_EXEC, code in every page run in place
 *   copy-nand      /dev/xipflash2 (NAND), private read-only: a copy
 *   copy-exec      NAND, private PROT_EXEC: the same code run from a copy
 *   copy-private   NOR, private writable: a copy
 *   xipramfs       a file of xipramfs, shared writable
 *   ramfs          a file of the kernel's ramfs, shared writable
 *   anon           anonymous memory, private writable
 *
 * With an MMU every one of them is demand-paged; NAND, which cannot be
 * mapped in place, is refused there (docs/mmu.md), and its kinds are left
 * out.  RAM is counted in pages: MemFree's fall while the mapping lives
 * (after every page was touched), the kernel's MmapCopy (no-MMU: memory
 * allocated for copies), and Rss and Pss of /proc/self/smaps (MMU); and the
 * page faults the touching took.  A file's own pages are not the mapping's
 * cost: the file is made before and removed after.
 *
 *   xipmap-bench                 the shape guard, as TAP (what kselftest
 *                                runs): a direct mapping costs no RAM and
 *                                its mmap()/munmap() time does not grow
 *                                with its size
 *   xipmap-bench --csv [--reps N] [--max BYTES] [--kinds K,K...]
 *                                the benchmark: one CSV row per kind and
 *                                size, times in ns (median, first and
 *                                third quartile of N runs, 15 by default)
 *
 * Run with no argument, XIPMAP_BENCH_ARGS in the environment stands for the
 * arguments (qemu/run.sh --bench passes them so).  The devices are the
 * module's defaults (personalities nor, ram, nand); the largest size is
 * the device's (the module's flash_size) unless --max is smaller.  Times
 * are the guest's CLOCK_MONOTONIC: on QEMU they are not a board's, and
 * without -icount not even repeatable (docs/performance.md).
 */
#include <linux/xipmap.h>

#include "xipmap_test.h"

#define BENCH_MAX_REPS	101
#define BENCH_NA	(~0ULL)
#define RAM_NA		(-0x7fffffffL - 1)	/* a count the kernel does not show */

/* The shape guard's bounds (docs/performance.md says why these). */
#define GUARD_REPS		15
#define GUARD_TIME_RATIO	4	/* largest vs one page, median times */
#define GUARD_MIN_PAGES		64	/* a smaller device cannot tell */
#define GUARD_RAM_TRIES		3	/* free memory readings, the least noisy kept */
#define LONG_MAX_PAGES		0x7fffffffL

enum { SRC_NOR, SRC_NAND, SRC_XIPRAMFS, SRC_RAMFS, SRC_ANON };
enum { T_READ = 1, T_WRITE = 2, T_EXEC = 4 };

struct kind {
	const char *name;
	int src, prot, flags, touch;
};

static const struct kind kinds[] = {
	{ "direct", SRC_NOR, PROT_READ, MAP_PRIVATE, T_READ },
	{ "direct-shared", SRC_NOR, PROT_READ, MAP_SHARED, T_READ },
	{ "xip-exec", SRC_NOR, PROT_READ | PROT_EXEC, MAP_PRIVATE, T_EXEC },
	{ "copy-nand", SRC_NAND, PROT_READ, MAP_PRIVATE, T_READ },
	{ "copy-exec", SRC_NAND, PROT_READ | PROT_EXEC, MAP_PRIVATE, T_EXEC },
	{ "copy-private", SRC_NOR, PROT_READ | PROT_WRITE, MAP_PRIVATE, T_READ | T_WRITE },
	{ "xipramfs", SRC_XIPRAMFS, PROT_READ | PROT_WRITE, MAP_SHARED, T_READ | T_WRITE },
	{ "ramfs", SRC_RAMFS, PROT_READ | PROT_WRITE, MAP_SHARED, T_READ | T_WRITE },
	{ "anon", SRC_ANON, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	  T_READ | T_WRITE },
};

#define XIPRAMFS_DIR	"xb-xipramfs"
#define RAMFS_DIR	"xb-ramfs"

static unsigned long page;
static int nor = -1, nand = -1;
static struct xipmap_info nor_info, nand_info;
static unsigned long nor_size;	/* nor_info.size: no 64-bit division on 32-bit */

/* CLOCK_MONOTONIC in ns, through the 64-bit call on 32-bit kernels too. */
static __u64 now_ns(void)
{
	struct __kernel_timespec ts;

#ifdef __NR_clock_gettime64
	xsyscall2(__NR_clock_gettime64, CLOCK_MONOTONIC, &ts);
#else
	xsyscall2(__NR_clock_gettime, CLOCK_MONOTONIC, &ts);
#endif
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Sort @n samples (insertion sort: n is small; no 64-bit division). */
static void sort_u64(__u64 *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++) {
		__u64 x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Median, first and third quartile of @n samples (sorted in place). */
struct spread {
	__u64 med, q1, q3;
};

static struct spread spread_of(__u64 *v, int n)
{
	struct spread s = { BENCH_NA, BENCH_NA, BENCH_NA };

	if (n <= 0 || v[0] == BENCH_NA)
		return s;
	sort_u64(v, n);
	s.med = v[n / 2];
	s.q1 = v[n / 4];
	s.q3 = v[(3 * n) / 4];
	return s;
}

/* One kind's source, opened for a mapping of @len bytes: an fd, or -1. */
static int source_open(const struct kind *k, unsigned long len)
{
	const char *dir;
	char path[128];
	int fd;

	switch (k->src) {
	case SRC_NOR:
		return nor;
	case SRC_NAND:
		return nand;
	case SRC_ANON:
		return -1;
	}
	dir = k->src == SRC_XIPRAMFS ? XIPRAMFS_DIR : RAMFS_DIR;
	xjoin(path, sizeof(path), dir, "/bench", NULL);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	/* On no-MMU, a file grown from nothing by truncate is contiguous. */
	if (xftruncate(fd, len)) {
		int err = errno;

		close(fd);
		unlink(path);
		errno = err;
		return -1;
	}
	return fd;
}

static void source_close(const struct kind *k, int fd)
{
	char path[128];

	if (k->src != SRC_XIPRAMFS && k->src != SRC_RAMFS)
		return;
	close(fd);
	xjoin(path, sizeof(path), k->src == SRC_XIPRAMFS ? XIPRAMFS_DIR : RAMFS_DIR,
	      "/bench", NULL);
	unlink(path);
}

/* Touch every page of @p as @how says; returns 0, or -1 if code misbehaved. */
static int touch(unsigned char *p, unsigned long len, int how)
{
	volatile unsigned char *v = p;
	unsigned long i, n = len / page;
	unsigned int sum = 0;

	if (how & T_READ)
		for (i = 0; i < n; i++)
			sum += v[i * page];
	if (how & T_WRITE)
		for (i = 0; i < n; i++)
			v[i * page] = (unsigned char)i;
#ifdef XT_HAVE_RET42
	if (how & T_EXEC) {
		xt_icache_sync(p, len);
		for (i = 0; i < n; i++)
			if (xt_ret42_fn(p + i * page)() != 42)
				return -1;
	}
#endif
	(void)sum;
	return 0;
}

static unsigned char *map(const struct kind *k, int fd, unsigned long len)
{
	return mmap(NULL, len, k->prot, k->flags, fd, 0);
}

/* MemFree or MmapCopy in pages; -1 if the kernel does not show it. */
static long meminfo_pages(const char *field)
{
	long kb = xt_meminfo(field);

	return kb < 0 ? -1 : kb / (long)(page >> 10);
}

struct ram {
	long memfree, mmapcopy, rss, pss, faults_read, faults_write, faults_exec;
};

/*
 * What one mapping of @len bytes of @k costs while it lives, every page
 * touched: pages by MemFree and MmapCopy, Rss/Pss (MMU), faults per touch.
 * Returns 0, or an errno if it could not be mapped.
 */
static int ram_cost(const struct kind *k, int fd, unsigned long len, struct ram *r)
{
	long mf0, mc0, f0, f1;
	unsigned char *p;
	int mmu = xt_mmu();

	mf0 = meminfo_pages("MemFree");
	mc0 = mmu ? 0 : meminfo_pages("MmapCopy");
	p = map(k, fd, len);
	if (p == MAP_FAILED)
		return errno;
	f0 = xt_faults();
	touch(p, len, k->touch & T_READ);
	f1 = xt_faults();
	r->faults_read = k->touch & T_READ ? f1 - f0 : RAM_NA;
	touch(p, len, k->touch & T_WRITE);
	f0 = xt_faults();
	r->faults_write = k->touch & T_WRITE ? f0 - f1 : RAM_NA;
	touch(p, len, k->touch & T_EXEC);
	f1 = xt_faults();
	r->faults_exec = k->touch & T_EXEC ? f1 - f0 : RAM_NA;
	r->memfree = mf0 - meminfo_pages("MemFree");
	r->mmapcopy = mmu ? RAM_NA : meminfo_pages("MmapCopy") - mc0;
	r->rss = mmu ? xt_smaps_kb(p, "Rss") / (long)(page >> 10) : RAM_NA;
	r->pss = mmu ? xt_smaps_kb(p, "Pss") / (long)(page >> 10) : RAM_NA;
	munmap(p, len);
	return 0;
}

struct times {
	__u64 mmap[BENCH_MAX_REPS], read[BENCH_MAX_REPS], write[BENCH_MAX_REPS],
	      exec[BENCH_MAX_REPS], munmap[BENCH_MAX_REPS];
};

/* @reps timed runs of map, touch and unmap; 0, or an errno. */
static int time_runs(const struct kind *k, int fd, unsigned long len, int reps,
		     struct times *t)
{
	int i;

	for (i = 0; i < reps; i++) {
		__u64 t0, t1, t2, t3, t4, t5;
		unsigned char *p;

		t0 = now_ns();
		p = map(k, fd, len);
		t1 = now_ns();
		if (p == MAP_FAILED)
			return errno;
		touch(p, len, k->touch & T_READ);
		t2 = now_ns();
		touch(p, len, k->touch & T_WRITE);
		t3 = now_ns();
		if (touch(p, len, k->touch & T_EXEC)) {
			munmap(p, len);
			return EILSEQ;
		}
		t4 = now_ns();
		munmap(p, len);
		t5 = now_ns();
		t->mmap[i] = t1 - t0;
		t->read[i] = k->touch & T_READ ? t2 - t1 : BENCH_NA;
		t->write[i] = k->touch & T_WRITE ? t3 - t2 : BENCH_NA;
		t->exec[i] = k->touch & T_EXEC ? t4 - t3 : BENCH_NA;
		t->munmap[i] = t5 - t4;
	}
	return 0;
}

static void print_u64(__u64 v)
{
	if (v == BENCH_NA)
		printf(",NA");
	else
		printf(",%llu", (unsigned long long)v);
}

static void print_long(long v)
{
	if (v == RAM_NA)
		printf(",NA");
	else
		printf(",%ld", v);
}

static void print_spread(__u64 *v, int n)
{
	struct spread s = spread_of(v, n);

	print_u64(s.med);
	print_u64(s.q1);
	print_u64(s.q3);
}

#define CSV_HEADER "kernel,mmu,kind,bytes,pages,reps," \
	"mmap_ns,mmap_q1,mmap_q3,read_ns,read_q1,read_q3,write_ns,write_q1,write_q3," \
	"exec_ns,exec_q1,exec_q3,munmap_ns,munmap_q1,munmap_q3," \
	"memfree_pages,mmapcopy_pages,rss_pages,pss_pages,faults_read,faults_write,faults_exec"

/* Program the ret42 code into every page of a device's first @len bytes. */
static int program_code(int fd, const struct xipmap_info *info, unsigned long len)
{
	unsigned long i;

	if (xt_fill(fd, info, 0, len, XIPMAP_ERASED))
		return -1;
#ifdef XT_HAVE_RET42
	for (i = 0; i < len / page; i++)
		if (lseek(fd, i * page + XT_RET42_OFFSET, SEEK_SET) < 0 ||
		    write(fd, xt_ret42, sizeof(xt_ret42)) != (long)sizeof(xt_ret42))
			return -1;
#endif
	(void)i;
	return 0;
}

static int want_kind(const char *list, const char *name)
{
	unsigned long n = strlen(name);
	const char *s;

	if (!list)
		return 1;
	for (s = list; (s = xstrstr(s, name)); s += n)
		if ((s == list || s[-1] == ',') && (s[n] == ',' || !s[n]))
			return 1;
	return 0;
}

static int mount_filesystems(void)
{
	mkdir(XIPRAMFS_DIR, 0755);
	mkdir(RAMFS_DIR, 0755);
	if (mount("xipramfs", XIPRAMFS_DIR, "xipramfs", 0, NULL)) {
		ksft_print_msg("mount xipramfs: %s\n", xt_errname(errno));
		goto out;
	}
	if (mount("ramfs", RAMFS_DIR, "ramfs", 0, NULL)) {
		ksft_print_msg("mount ramfs: %s\n", xt_errname(errno));
		xumount(XIPRAMFS_DIR, 0);
		goto out;
	}
	return 0;
out:
	rmdir(XIPRAMFS_DIR);
	rmdir(RAMFS_DIR);
	return -1;
}

static void unmount_filesystems(void)
{
	xumount(XIPRAMFS_DIR, 0);
	xumount(RAMFS_DIR, 0);
	rmdir(XIPRAMFS_DIR);
	rmdir(RAMFS_DIR);
}

/* The devices as loaded (pattern, personality), or exit failing. */
static void put_back_devices(void)
{
	if (xt_restore(XT_NOR, XIPMAP_PERSONALITY_NOR) ||
	    (nand >= 0 && xt_restore(XT_NAND, XIPMAP_PERSONALITY_NAND)))
		ksft_exit_fail_msg("could not put the devices back as loaded\n");
}

static struct times times;

/* The benchmark: CSV on standard output, comments ("# ...") on the way. */
static int bench(int reps, unsigned long max, const char *list)
{
	struct utsname u;
	unsigned long len;
	unsigned int i;
	int failed = 0;

	if (uname(&u))
		ksft_exit_fail_msg("uname: %s\n", xt_errname(errno));
	if (!xt_mmu() && meminfo_pages("MmapCopy") < 0)
		ksft_exit_fail_msg("no MmapCopy in /proc/meminfo on a no-MMU kernel\n");
	if (mount_filesystems())
		ksft_exit_fail_msg("cannot mount the filesystems to measure\n");
	if (program_code(nor, &nor_info, max) ||
	    (nand >= 0 && program_code(nand, &nand_info, max))) {
		int err = errno;

		/* Put back what was programmed, and the mounts. */
		unmount_filesystems();
		put_back_devices();
		ksft_exit_fail_msg("cannot program code into the flash: %s\n",
				   xt_errname(err));
	}
	printf("# xipmap-bench: Linux %s %s, %s, page %lu, %d runs per point\n", u.release,
	       u.machine, xt_mmu() ? "MMU" : "no MMU", page, reps);
	printf("%s\n", CSV_HEADER);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct kind *k = &kinds[i];

		if (!want_kind(list, k->name))
			continue;
#ifndef XT_HAVE_RET42
		if (k->touch & T_EXEC) {
			printf("# %s: no machine code for this architecture\n", k->name);
			continue;
		}
#endif
		for (len = page; len <= max; len <<= 1) {
			struct ram r = { 0 };
			int fd = source_open(k, len), err;

			if (fd < 0 && k->src != SRC_ANON) {
				printf("# %s, %lu bytes: no source: %s\n", k->name, len,
				       xt_errname(errno));
				failed = 1;
				break;
			}
			err = ram_cost(k, fd, len, &r);
			if (!err)
				err = time_runs(k, fd, len, reps, &times);
			source_close(k, fd);
			if (err) {
				/* Refused for every size alike: say it once. */
				printf("# %s, %lu bytes: %s\n", k->name, len, xt_errname(err));
				if (err == EILSEQ || !xt_mmu() || k->src != SRC_NAND)
					failed = 1;
				break;
			}
			printf("%s,%d,%s,%lu,%lu,%d", u.release, xt_mmu(), k->name, len,
			       len / page, reps);
			print_spread(times.mmap, reps);
			print_spread(times.read, reps);
			print_spread(times.write, reps);
			print_spread(times.exec, reps);
			print_spread(times.munmap, reps);
			print_long(r.memfree);
			print_long(r.mmapcopy);
			print_long(r.rss);
			print_long(r.pss);
			print_long(r.faults_read);
			print_long(r.faults_write);
			print_long(r.faults_exec);
			printf("\n");
		}
	}
	unmount_filesystems();
	put_back_devices();
	printf("# xipmap-bench: %s\n", failed ? "some kinds could not be measured" : "done");
	return failed ? KSFT_FAIL : KSFT_PASS;
}

/*
 * The shape guard.  One page and the whole device, mapped direct (private
 * read-only of NOR, the mapping execute-in-place is made of), alternately,
 * GUARD_REPS times each: the medians of mmap() and of munmap() at the
 * largest size may be at most GUARD_TIME_RATIO times those at one page.
 * A copy reads the whole device in mmap(): hundreds of times the cost.
 */
static int direct_mapping_time_does_not_grow_with_size(void)
{
	static __u64 small[2][GUARD_REPS], large[2][GUARD_REPS];
	const struct kind *k = &kinds[0];
	struct spread s[2], l[2];
	unsigned long max = nor_size;
	int i, j, ok = XT_PASS;

	for (i = 0; i < GUARD_REPS; i++) {
		for (j = 0; j < 2; j++) {
			unsigned long len = j ? max : page;
			__u64 t0, t1, t2;
			unsigned char *p;

			t0 = now_ns();
			p = map(k, nor, len);
			t1 = now_ns();
			if (p == MAP_FAILED) {
				ksft_print_msg("%lu bytes of %s, private read-only: %s\n", len,
					       XT_NOR, xt_errname(errno));
				return XT_FAIL;
			}
			munmap(p, len);
			t2 = now_ns();
			(j ? large : small)[0][i] = t1 - t0;
			(j ? large : small)[1][i] = t2 - t1;
		}
	}
	for (j = 0; j < 2; j++) {
		s[j] = spread_of(small[j], GUARD_REPS);
		l[j] = spread_of(large[j], GUARD_REPS);
		XT_EXPECT(l[j].med <= GUARD_TIME_RATIO * s[j].med,
			  "%s of %lu bytes: median %llu ns, more than %d times the %llu ns of "
			  "one page\n", j ? "munmap" : "mmap", max,
			  (unsigned long long)l[j].med, GUARD_TIME_RATIO,
			  (unsigned long long)s[j].med);
	}
	ksft_print_msg("mmap %llu ns (one page) and %llu ns (%lu bytes); munmap %llu and "
		       "%llu ns (medians of %d)\n", (unsigned long long)s[0].med,
		       (unsigned long long)l[0].med, max, (unsigned long long)s[1].med,
		       (unsigned long long)l[1].med, GUARD_REPS);
	return ok;
}

/* RAM pages a live mapping of the whole NOR device costs, every page read. */
static int guard_ram(const struct kind *k, struct ram *r, long *settled, void **where)
{
	unsigned long len = nor_size;
	unsigned char *p;
	long before;

	before = xt_settled_memfree(0);
	p = map(k, nor, len);
	if (p == MAP_FAILED)
		return errno;
	*where = p;
	if (!xt_mmu())
		r->mmapcopy = meminfo_pages("MmapCopy");
	touch(p, len, k->touch);
	*settled = (before - xt_settled_memfree(before)) / (long)(page >> 10);
	munmap(p, len);
	return 0;
}

/*
 * A direct mapping of the whole device, every page read, costs no RAM:
 * on no-MMU nothing in MmapCopy (the kernel's count of copies, exact) and
 * free memory (MemFree and the per-CPU lists' pages: xt_settled_memfree())
 * falls by less than an eighth of its pages; with an MMU, where the page
 * tables, the page cache and other tasks move it too, by less than half.
 * It is read up to GUARD_RAM_TRIES times, keeping the least fall: noise
 * comes and goes, a copy's cost does not.  A copy costs all of its pages
 * (at least three quarters are asked for).
 */
static int direct_mapping_costs_no_ram(void)
{
	const struct kind *k = &kinds[0];
	long pages = nor_size / page, mc0 = 0, settled = 0, least = LONG_MAX_PAGES;
	long bound = xt_mmu() ? pages / 2 : pages / 8;
	struct ram r = { 0 };
	void *p = NULL;
	int ok = XT_PASS, err, i;

	if (!xt_mmu())
		mc0 = meminfo_pages("MmapCopy");
	for (i = 0; i < GUARD_RAM_TRIES && least >= bound; i++) {
		err = guard_ram(k, &r, &settled, &p);
		if (err) {
			ksft_print_msg("%s, private read-only: %s\n", XT_NOR, xt_errname(err));
			return XT_FAIL;
		}
		if (!xt_mmu() && i == 0)
			XT_EXPECT(r.mmapcopy == mc0, "MmapCopy went from %ld to %ld pages with "
				  "%ld pages mapped at %p (%s): a copy\n", mc0, r.mmapcopy, pages,
				  p, xt_in_device(&nor_info, p) ? "in the device" :
				  "not the device");
		if (settled < least)
			least = settled;
	}
	XT_EXPECT(least < bound, "free memory fell by %ld pages at least (%d tries) with %ld "
		  "mapped\n", least, i, pages);
	ksft_print_msg("%ld pages mapped and read: free memory fell by %ld pages%s\n", pages,
		       least, xt_mmu() ? "" : r.mmapcopy == mc0 ? ", MmapCopy did not move" :
		       ", MmapCopy grew");
	return ok;
}

/*
 * The instrument itself: a copy of the whole device (a private writable
 * mapping, every page written) costs its pages, by the same measure as
 * above; otherwise direct_mapping_costs_no_ram could not fail.
 */
static int a_copy_costs_its_pages(void)
{
	const struct kind *k = &kinds[5];
	long pages = nor_size / page, mc0 = 0, settled = 0, most = -LONG_MAX_PAGES;
	struct ram r = { 0 };
	void *p = NULL;
	int ok = XT_PASS, err, i;

	if (!xt_mmu())
		mc0 = meminfo_pages("MmapCopy");
	for (i = 0; i < GUARD_RAM_TRIES && most < pages * 3 / 4; i++) {
		err = guard_ram(k, &r, &settled, &p);
		if (err) {
			ksft_print_msg("%s, private writable: %s\n", XT_NOR, xt_errname(err));
			return XT_FAIL;
		}
		if (!xt_mmu() && i == 0)
			XT_EXPECT(r.mmapcopy - mc0 >= pages, "MmapCopy grew by %ld pages for a "
				  "copy of %ld\n", r.mmapcopy - mc0, pages);
		if (settled > most)
			most = settled;
	}
	XT_EXPECT(most >= pages * 3 / 4, "free memory fell by %ld pages at most (%d tries) for a "
		  "copy of %ld\n", most, i, pages);
	ksft_print_msg("a copy of %ld pages: free memory fell by %ld pages\n", pages, most);
	return ok;
}

static const struct xt_test guard[] = {
	XT_TEST(a_copy_costs_its_pages),
	XT_TEST(direct_mapping_costs_no_ram),
	XT_TEST(direct_mapping_time_does_not_grow_with_size),
};

static void usage(const char *argv0)
{
	ksft_print_header();
	ksft_exit_fail_msg("usage: %s [--csv [--reps N] [--max BYTES] [--kinds K,K...]]\n",
			   argv0);
}

int main(int argc, char **argv)
{
	unsigned long max = 0;
	const char *list = NULL;
	int reps = GUARD_REPS, csv = 0, i;

	xt_setup();
	xt_env_args("XIPMAP_BENCH_ARGS", &argc, &argv);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--csv")) {
			csv = 1;
		} else if (!strcmp(a, "--reps") && v) {
			reps = atoi(v);
			i++;
		} else if (!strcmp(a, "--max") && v) {
			max = strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--kinds") && v) {
			list = v;
			i++;
		} else {
			usage(argv[0]);
		}
	}
	if (reps < 1 || reps > BENCH_MAX_REPS) {
		ksft_print_header();
		ksft_exit_fail_msg("--reps %d: from 1 to %d\n", reps, BENCH_MAX_REPS);
	}
	page = xt_page_size();
	nor = open(XT_NOR, O_RDWR);
	if (nor < 0) {
		ksft_print_header();
		ksft_exit_fail_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
	}
	nor_info = xt_info(nor);
	nor_size = nor_info.size;
	if (nor_info.personality != XIPMAP_PERSONALITY_NOR) {
		ksft_print_header();
		ksft_exit_fail_msg("%s is not a NOR flash (personality %u): load the module "
				   "with its default personalities\n", XT_NOR,
				   nor_info.personality);
	}
	nand = open(XT_NAND, O_RDWR);
	if (nand >= 0) {
		nand_info = xt_info(nand);
		if (nand_info.personality != XIPMAP_PERSONALITY_NAND || nand_info.size <
		    nor_info.size) {
			close(nand);
			nand = -1;
		}
	}
	if (csv) {
		if (!max || max > nor_size)
			max = nor_size;
		return bench(reps, max, list);
	}
	if (nor_size / page < GUARD_MIN_PAGES) {
		ksft_print_header();
		ksft_exit_skip("%s has %lu bytes: the guard needs %d pages to tell a copy\n",
			       XT_NOR, nor_size, GUARD_MIN_PAGES);
	}
	xt_run(guard, ARRAY_SIZE(guard), NULL);
}
