// SPDX-License-Identifier: GPL-2.0
/*
 * Several processes use xipmap at once, for a bounded time, from a fixed
 * seed: two map, touch and unmap the devices and read and write them; one
 * switches personalities, capabilities, -ENOSYS knobs and flash states and
 * erases; two create, truncate, map and unlink xipramfs files and unmount
 * and mount again, each on a mount point of its own; one tries to unload
 * and load the module, which this program holds open the whole time, so
 * that every attempt must be refused (EAGAIN, or EEXIST for the load).
 *
 * The claims: each kind of worker gets only the results the driver
 * documents for what it does; afterwards the driver counts no mapping,
 * and free memory is back; on a kernel with two CPUs, both ran workers.
 * A kernel report during the run is qemu/judge's to see.
 *
 * Workers are this program run again (vfork + execve: no fork() without
 * an MMU), "stress worker ROLE INDEX SEED MILLISECONDS"; each reports its
 * counts through a pipe.  "stress SEED" or XIPMAP_STRESS_SEED=SEED
 * repeats another run.
 */
#include "xipmap_test.h"

/*
 * nolibc's x86-64 memset() is top-level assembly that leaves the assembler
 * in its own section: the first function compiled after it would start
 * there, and one with a jump table would not assemble.  Back to .text.
 */
__asm__(".text");

#define MODNAME		"xipmap"
#define NR_DEV		4
/*
 * How long the workers run: long enough on two CPUs for the workers to
 * meet in the driver hundreds of times even under KASAN (about 1,500
 * calls in all there); on one CPU, where nothing runs at once, a short
 * run checks the same results.
 */
#define RUN_MS_SMP	5000
#define RUN_MS_UP	1000
static int run_ms;
#define DEFAULT_SEED	0x78697073u	/* "xips" */
#define SHOW_MAX	3

enum { MAPPER, SWITCHER, RAMFS, MODULE, NR_ROLES };

static const char *const role_names[] = { "mapper", "switcher", "ramfs", "module" };

/* The workers: role of each; two of the busy kinds, one of the others. */
static const int workers[] = { MAPPER, MAPPER, SWITCHER, RAMFS, RAMFS, MODULE };
#define NR_WORKERS	ARRAY_SIZE(workers)

/* What a worker sends back through its pipe. */
struct stress_report {
	int ops;		/* calls made */
	int unexpected;		/* results outside the documented set */
	int cpu;		/* the CPU it was held to, or -1 */
};

static unsigned long page;
static int mmu, small_memory;

/* ------------------------------------------------------------------ */
/* The worker's side */

static int chance(__u32 n)
{
	return xt_below(n) == 0;
}

static long now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static struct stress_report report = { 0, 0, -1 };
static const char *me;

/* Count a call; @ok says whether its result was one the driver documents. */
static void count(int ok, const char *what, int err)
{
	report.ops++;
	if (ok)
		return;
	if (report.unexpected++ < SHOW_MAX)
		ksft_print_msg("%s: %s: %s\n", me, what, xt_errname(err));
}

/* Whether @r (0 or -1 with errno @e) is success or one of @set (0-ended). */
static int allowed(long r, int e, const int *set)
{
	if (r >= 0)
		return 1;
	for (; *set; set++)
		if (*set == e)
			return 1;
	return 0;
}

/*
 * Map, touch, unmap the devices; read and write them.
 *
 * Without an MMU each mapper @idx keeps to its own half of each device.
 * A direct mapping that overlaps another process's inexactly (neither
 * the same range nor inside it) gets a region of its own that overlaps
 * the other's, which mm/nommu.c allows for devices, and which 6.12's
 * CONFIG_DEBUG_NOMMU_REGIONS check then takes for a corrupt tree: "kernel
 * BUG at mm/nommu.c:431" (validate_nommu_regions()), a panic.  A kernel
 * bug, not the driver's; XIPMAP_KNOWN_BUGS=1 lets the mappers overlap, and
 * so does a kernel with the fixes of that check and of two regions with
 * one start (docs/conformance.md 23 and 24, patches/6.12).
 */
static void mapper(long end, int idx)
{
	static const int ERR_MMAP[] = { EINVAL, ENODEV, EACCES, EBUSY, ENOMEM, 0 };
	static const int ERR_READ[] = { EINVAL, ENOMEM, 0 };
	static const int ERR_WRITE[] = { ENOMEM, ENOSPC, 0 };
	static unsigned char buf[8192];
	int fd[NR_DEV], dev, i, e;
	unsigned long len, off, first = 0;
	unsigned int size;
	void *p;
	long r;

	for (dev = 0; dev < NR_DEV; dev++) {
		fd[dev] = open(xt_dev_path[dev], O_RDWR);
		if (fd[dev] < 0)
			ksft_exit_fail_msg("%s: open %s: %s\n", me, xt_dev_path[dev],
					   xt_errname(errno));
	}
	size = xt_info(fd[0]).size;
	if (!mmu && !getenv("XIPMAP_KNOWN_BUGS") && !(xt_fixed("23") && xt_fixed("24"))) {
		size /= 2;
		first = idx % 2 * size;
	}
	while (now_ms() < end) {
		int prot = PROT_READ | (chance(2) ? PROT_WRITE : 0);
		int flags = chance(3) ? MAP_PRIVATE : MAP_SHARED;

		/*
		 * No-MMU: mm/nommu.c prints a warning for each shared mapping
		 * of a direct device whose protection the capabilities do not
		 * cover; thousands would wrap the kernel log.  So shared ones
		 * only read, and the switcher never takes READ from DIRECT.
		 */
		if (!mmu && flags == MAP_SHARED)
			prot = PROT_READ;

		dev = xt_below(NR_DEV);
		len = (1 + xt_below(16)) * page;
		off = first + xt_below(size / page - 16) * page;
		errno = 0;
		p = mmap(NULL, len, prot, flags, fd[dev], off);
		e = errno;
		count(p != MAP_FAILED || allowed(-1, e, ERR_MMAP), "mmap", e);
		if (p != MAP_FAILED) {
			for (i = 0; i < (int)len; i += page) {
				(void)__atomic_load_n((unsigned char *)p + i, __ATOMIC_RELAXED);
				if (prot & PROT_WRITE)
					xt_rewrite((char *)p + i);
			}
			errno = 0;
			r = munmap(p, len);
			count(!r, "munmap", errno);
		}
		errno = 0;
		r = lseek(fd[dev], xt_below(size), SEEK_SET);
		count(r >= 0, "lseek", errno);
		errno = 0;
		if (chance(2)) {
			r = read(fd[dev], buf, 1 + xt_below(sizeof(buf)));
			count(allowed(r, errno, ERR_READ), "read", errno);
		} else {
			/* Writes store, or program: only ever clearing bits. */
			memset(buf, 0xff, sizeof(buf));
			r = write(fd[dev], buf, 1 + xt_below(sizeof(buf)));
			count(allowed(r, errno, ERR_WRITE), "write", errno);
		}
	}
	for (dev = 0; dev < NR_DEV; dev++)
		close(fd[dev]);
}

/* Switch what the devices are: every value here is a valid one. */
static void switcher(long end)
{
	static const int ERR_STATE[] = { ENOMEM, 0 };
	struct xipmap_erase erase;
	struct xipmap_info info;
	int fd[NR_DEV], dev;
	__u32 caps;
	long r;

	for (dev = 0; dev < NR_DEV; dev++) {
		fd[dev] = open(xt_dev_path[dev], O_RDWR);
		if (fd[dev] < 0)
			ksft_exit_fail_msg("%s: open %s: %s\n", me, xt_dev_path[dev],
					   xt_errname(errno));
	}
	while (now_ms() < end) {
		/* Busy states copy the array: on 16 MiB only xipflash0 goes busy. */
		dev = xt_below(NR_DEV);
		errno = 0;
		switch (xt_below(6)) {
		case 0:
			r = xt_set(fd[dev], XIPMAP_IOC_SET_PERSONALITY, xt_below(4));
			count(!r, "XIPMAP_IOC_SET_PERSONALITY", errno);
			break;
		case 1:
			caps = xt_below(XIPMAP_CAP_ALL + 1);
			if (!mmu && (caps & XIPMAP_CAP_DIRECT))
				caps |= XIPMAP_CAP_READ;	/* see mapper() */
			r = xt_set(fd[dev], XIPMAP_IOC_SET_CAPS, caps);
			count(!r, "XIPMAP_IOC_SET_CAPS", errno);
			break;
		case 2:
			r = xt_set(fd[dev], XIPMAP_IOC_SET_ENOSYS, xt_below(XIPMAP_ENOSYS_ALL + 1));
			count(!r, "XIPMAP_IOC_SET_ENOSYS", errno);
			break;
		case 3:
			if (small_memory)
				dev = 0;
			r = xt_set(fd[dev], XIPMAP_IOC_SET_STATE, xt_below(3));
			count(allowed(r, errno, ERR_STATE), "XIPMAP_IOC_SET_STATE", errno);
			break;
		case 4:
			r = ioctl(fd[dev], XIPMAP_IOC_INFO, &info);
			count(!r, "XIPMAP_IOC_INFO", errno);
			if (!r && info.state == XIPMAP_STATE_READ_ARRAY) {
				/* 32-bit arithmetic: no 64-bit division without libgcc. */
				erase.offset = xt_below((__u32)info.size / info.erasesize) *
					       info.erasesize;
				erase.length = info.erasesize;
				errno = 0;
				r = ioctl(fd[dev], XIPMAP_IOC_ERASE, &erase);
				count(!r, "XIPMAP_IOC_ERASE", errno);
			}
			break;
		default:
			usleep(1000);
		}
	}
	for (dev = 0; dev < NR_DEV; dev++) {
		errno = 0;
		count(!xt_set(fd[dev], XIPMAP_IOC_SET_STATE, XIPMAP_STATE_READ_ARRAY),
		      "XIPMAP_IOC_SET_STATE back to read-array", errno);
		close(fd[dev]);
	}
}

/*
 * xipramfs on a mount point of its own (@idx): files come, grow, are
 * mapped and go; the filesystem is unmounted and mounted again.  Without
 * an MMU, a file's run is kept small: it is one allocation.
 */
static void ramfs(long end, int idx)
{
	static const int ERR_TRUNCATE[] = { ETXTBSY, ENOMEM, 0 };
	static const int ERR_MMAP[] = { ENODEV, ENOMEM, EINVAL, 0 };
	static unsigned char buf[4096];
	char dir[32], path[48];
	int fd, mounted = 0, i;
	unsigned long size;
	void *p;
	long r;

	xjoin(dir, sizeof(dir), "xt-stress-", utoa(idx), NULL);
	if (mkdir(dir, 0755) && errno != EEXIST)
		ksft_exit_fail_msg("%s: mkdir %s: %s\n", me, dir, xt_errname(errno));
	while (now_ms() < end) {
		if (!mounted) {
			errno = 0;
			r = mount("none", dir, "xipramfs", 0, chance(2) ? "mode=0700" : NULL);
			count(!r, "mount", errno);
			if (r) {
				usleep(1000);
				continue;
			}
			mounted = 1;
		}
		xjoin(path, sizeof(path), dir, "/f", utoa(xt_below(4)), NULL);
		errno = 0;
		fd = open(path, O_RDWR | O_CREAT, 0600);
		count(fd >= 0, "create", errno);
		if (fd < 0)
			continue;
		size = (1 + xt_below(16)) * page;
		errno = 0;
		r = xftruncate(fd, size);
		count(allowed(r, errno, ERR_TRUNCATE), "ftruncate up", errno);
		errno = 0;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		count(p != MAP_FAILED || allowed(-1, errno, ERR_MMAP), "mmap shared", errno);
		if (p != MAP_FAILED) {
			for (i = 0; i < (int)size; i += page)
				__atomic_store_n((unsigned char *)p + i, i, __ATOMIC_RELAXED);
			/* Cutting mapped pages: ETXTBSY without an MMU. */
			errno = 0;
			r = xftruncate(fd, xt_below(size));
			count(allowed(r, errno, ERR_TRUNCATE), "ftruncate while mapped", errno);
			errno = 0;
			count(!munmap(p, size), "munmap", errno);
		}
		errno = 0;
		r = write(fd, buf, 1 + xt_below(sizeof(buf)));
		count(r > 0, "write", errno);
		/* Unmounting with a file open is EBUSY. */
		if (chance(8)) {
			errno = 0;
			r = xumount(dir, 0);
			count(r && errno == EBUSY, "umount with a file open: expected EBUSY",
			      r ? errno : 0);
		}
		errno = 0;
		count(!close(fd), "close", errno);
		if (chance(2)) {
			errno = 0;
			count(!unlink(path), "unlink", errno);
		}
		if (chance(6)) {
			errno = 0;
			count(!xumount(dir, 0), "umount", errno);
			mounted = 0;
		}
	}
	if (mounted) {
		errno = 0;
		count(!xumount(dir, 0), "umount at the end", errno);
	}
}

/*
 * The module is held open by the parent: unloading is EAGAIN (or EBUSY),
 * loading it again EEXIST.  Loading reads the whole file, so not on a
 * 16 MiB machine, and never more than every 50 ms.
 */
static void module(long end)
{
	static const int ERR_UNLOAD[] = { EAGAIN, EBUSY, 0 };
	const char *path = getenv("XIPMAP_MODULE");
	long r;

	if (path && !xexists(path))
		path = NULL;
	while (now_ms() < end) {
		errno = 0;
		r = xdelete_module(MODNAME, O_NONBLOCK);
		count(r && allowed(-1, errno, ERR_UNLOAD), "delete_module while held",
		      r ? errno : 0);
		if (path && !small_memory && chance(4)) {
			errno = 0;
			r = xfinit_module(path, "");
			count(r && errno == EEXIST, "finit_module while loaded: expected EEXIST",
			      r ? errno : 0);
		}
		usleep(50000);
	}
}

/* Keep this process on @cpu; returns @cpu, or -1. */
static int stay_on(int cpu)
{
	unsigned long mask[4] = { 0 };

	if (cpu < 0 || cpu >= (int)(8 * sizeof(mask)))
		return -1;
	mask[cpu / (8 * sizeof(long))] = 1UL << (cpu % (8 * sizeof(long)));
	if (xsyscall3(__NR_sched_setaffinity, 0, sizeof(mask), mask))
		return -1;
	return cpu;
}

static int worker_main(char **argv)
{
	static char name[32];
	int role = atoi(argv[2]), idx = atoi(argv[3]), cpus = atoi(argv[6]);
	long end = now_ms() + atol(argv[5]);

	*xt_rng_seed() = strtoull(argv[4], NULL, 0) * 2 + idx + 1;
	page = xt_page_size();
	mmu = xt_mmu();
	small_memory = xt_meminfo("MemTotal") < 65536;
	if (role < 0 || role >= NR_ROLES)
		return 1;
	me = xjoin(name, sizeof(name), role_names[role], " ", utoa(idx), NULL);
	if (cpus > 1)
		report.cpu = stay_on(idx % cpus);
	switch (role) {
	case MAPPER:
		mapper(end, idx);
		break;
	case SWITCHER:
		switcher(end);
		break;
	case RAMFS:
		ramfs(end, idx);
		break;
	default:
		module(end);
	}
	if (write(XT_REPORT_FD, &report, sizeof(report)) != sizeof(report))
		return 127;
	return report.unexpected ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* The parent's side */

static struct stress_report results[NR_WORKERS];
static int ran, cpus;
static long memfree0, busy0[2], busy1[2];

/* CPUs this process may run on: sched_getaffinity's mask, counted. */
static int count_cpus(void)
{
	unsigned long mask[4] = { 0 };
	long n = xsyscall3(__NR_sched_getaffinity, 0, sizeof(mask), mask);
	int i, c = 0;

	if (n <= 0)
		return 1;
	for (i = 0; i < 8 * (int)n; i++)
		c += (mask[i / (8 * sizeof(long))] >> (i % (8 * sizeof(long)))) & 1;
	return c ? c : 1;
}

/* Busy time (user + nice + system, in ticks) of cpu0 and cpu1, from /proc/stat. */
static void cpu_busy(long busy[2])
{
	static char text[4096];
	char *s;
	int cpu;

	busy[0] = -1;
	busy[1] = -1;
	if (xt_read_file("/proc/stat", text, sizeof(text)) <= 0)
		return;
	for (cpu = 0; cpu < 2; cpu++) {
		char want[8];

		xjoin(want, sizeof(want), "\ncpu", utoa(cpu), " ", NULL);
		s = (char *)xstrstr(text, want);
		if (!s)
			continue;
		s += strlen(want);
		busy[cpu] = strtol(s, &s, 10);
		busy[cpu] += strtol(s, &s, 10);
		busy[cpu] += strtol(s, &s, 10);
	}
}

/*
 * MemFree once what the kernel keeps only as a cache is let go: detached
 * mounts and RCU-freed inodes settle, then clean caches and slab objects
 * are dropped (/proc/sys/vm/drop_caches), so that what is compared is
 * memory something still holds.
 */
/* Run every worker at once, and collect what each saw. */
static void run_workers(unsigned long long seed)
{
	char a[5][24];
	char *argv[] = { (char *)xt_self, "worker", a[0], a[1], a[2], a[3], a[4], NULL };
	struct xt_child c[NR_WORKERS];
	struct xt_report dummy;
	unsigned int i;
	int st;

	cpu_busy(busy0);
	for (i = 0; i < NR_WORKERS; i++) {
		xjoin(a[0], sizeof(a[0]), utoa(workers[i]), NULL);
		xjoin(a[1], sizeof(a[1]), utoa(i), NULL);
		xjoin(a[2], sizeof(a[2]), u64toa(seed), NULL);
		xjoin(a[3], sizeof(a[3]), utoa(run_ms), NULL);
		xjoin(a[4], sizeof(a[4]), utoa(cpus), NULL);
		results[i] = (struct stress_report){ 0, -1, -1 };
		if (xt_start(&c[i], argv, 0)) {
			ksft_print_msg("starting worker %u: %s\n", i, xt_errname(errno));
			c[i].pid = 0;
			c[i].report = -1;
		}
	}
	for (i = 0; i < NR_WORKERS; i++) {
		if (c[i].report < 0)
			continue;
		if (read(c[i].report, &results[i], sizeof(results[i])) != sizeof(results[i]))
			results[i] = (struct stress_report){ 0, -1, -1 };
		st = xt_wait(&c[i], &dummy);
		if (!XWIFEXITED(st) || XWEXITSTATUS(st) > 1) {
			ksft_print_msg("worker %u (%s): wait status %#x\n", i,
				       role_names[workers[i]], st);
			results[i].unexpected = -1;
		}
	}
	cpu_busy(busy1);
	ran = 1;
}

/* The claim of every worker of @role: it ran, and saw nothing unexpected. */
static int role_ok(int role)
{
	int ok = XT_PASS, ops = 0, bad = 0;
	unsigned int i;

	for (i = 0; i < NR_WORKERS; i++) {
		if (workers[i] != role)
			continue;
		XT_EXPECT(results[i].unexpected >= 0, "%s %u did not report\n", role_names[role],
			  i);
		XT_EXPECT(results[i].ops > 0, "%s %u made no calls\n", role_names[role], i);
		ops += results[i].ops;
		bad += results[i].unexpected > 0 ? results[i].unexpected : 0;
	}
	ksft_print_msg("%s workers: %d calls, %d unexpected\n", role_names[role], ops, bad);
	XT_EXPECT(!bad, "%s workers: %d unexpected results\n", role_names[role], bad);
	return ok;
}

static int mappers_see_only_documented_results(void)
{
	return role_ok(MAPPER);
}

static int switchers_see_only_documented_results(void)
{
	return role_ok(SWITCHER);
}

static int ramfs_workers_see_only_documented_results(void)
{
	return role_ok(RAMFS);
}

static int module_stays_while_held(void)
{
	return role_ok(MODULE);
}

static int two_cpus_ran_workers(void)
{
	int ok = XT_PASS;
	unsigned int i;

	if (cpus < 2) {
		xt_skip_why = "one CPU: the concurrency claim needs two (debug targets have)";
		return XT_SKIP;
	}
	for (i = 0; i < NR_WORKERS; i++)
		XT_EXPECT(results[i].cpu == (int)(i % cpus), "worker %u was not held to CPU %u\n",
			  i, i % cpus);
	ksft_print_msg("busy ticks during the run: cpu0 %ld, cpu1 %ld\n", busy1[0] - busy0[0],
		       busy1[1] - busy0[1]);
	XT_EXPECT(busy0[0] >= 0 && busy0[1] >= 0 && busy1[0] > busy0[0] && busy1[1] > busy0[1],
		  "/proc/stat: cpu0 busy %ld -> %ld, cpu1 %ld -> %ld ticks: not both grew\n",
		  busy0[0], busy1[0], busy0[1], busy1[1]);
	return ok;
}

static int driver_counts_no_mapping(void)
{
	return xt_no_mapping_counted(NR_DEV);
}

/*
 * Free memory comes back, within what the kernel caches on the way (slab,
 * per-CPU lists): 2 MiB, 1 MiB on a 16 MiB machine.
 */
static int memory_is_back(void)
{
	long tolerance = small_memory ? 1024 : 2048, memfree;
	int ok = XT_PASS;

	xt_put_back_all();
	memfree = xt_settled_memfree(memfree0 - tolerance);
	ksft_print_msg("MemFree %ld kB, was %ld kB (tolerance %ld kB)\n", memfree, memfree0,
		       tolerance);
	XT_EXPECT(memfree >= memfree0 - tolerance, "MemFree is %ld kB less than before\n",
		  memfree0 - memfree);
	return ok;
}

static const struct xt_test tests[] = {
	XT_TEST(mappers_see_only_documented_results),
	XT_TEST(switchers_see_only_documented_results),
	XT_TEST(ramfs_workers_see_only_documented_results),
	XT_TEST(module_stays_while_held),
	XT_TEST(two_cpus_ran_workers),
	XT_TEST(driver_counts_no_mapping),
	XT_TEST(memory_is_back),
};

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : getenv("XIPMAP_STRESS_SEED");
	unsigned long long seed = s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
	int hold;

	xt_setup();
	xt_self = xt_program(argv[0]);
	if (argc == 7 && !strcmp(argv[1], "worker"))
		return worker_main(argv);
	page = xt_page_size();
	mmu = xt_mmu();
	small_memory = xt_meminfo("MemTotal") < 65536;
	cpus = count_cpus();
	run_ms = cpus > 1 ? RUN_MS_SMP : RUN_MS_UP;
	ksft_print_header();
	/* Held open for the whole run: the module cannot go. */
	hold = open(XT_FLASH, O_RDONLY);
	if (hold < 0)
		ksft_exit_skip("open %s: %s: the module is not loaded\n", XT_FLASH,
			       xt_errname(errno));
	ksft_print_msg("seed %llu (repeat with: stress SEED, or XIPMAP_STRESS_SEED=SEED); "
		       "%u workers for %d ms on %d CPU%s\n", seed, (unsigned int)NR_WORKERS,
		       run_ms, cpus, cpus > 1 ? "s" : "");
	memfree0 = xt_settled_memfree(0);
	run_workers(seed);
	close(hold);
	ksft_set_plan(ARRAY_SIZE(tests));
	xt_run_tests(tests, ARRAY_SIZE(tests), "");
	ksft_finished();
}
