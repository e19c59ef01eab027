// SPDX-License-Identifier: GPL-2.0
/*
 * How mm/nommu.c treats devices by what they can do: the four
 * personalities (nor, ram, nand, fb), raw capability masks, the driver's
 * -ENOSYS answers, traced processes and the sharing rules of
 * Documentation/admin-guide/mm/nommu-mmap.rst.  Each test sets the device
 * up, checks one claim and puts the device back as it was loaded.
 */
#include "xipmap_test.h"

#include <linux/userfaultfd.h>

enum { NOR, RAM, NAND, FB, NR_DEV };

static const char *const *const path = xt_dev_path;
static const char *const name[NR_DEV] = { "nor", "ram", "nand", "fb" };
static int fd[NR_DEV];		/* opened read-write */
static struct xipmap_info info[NR_DEV];
static unsigned long page;

static void *map(int dev, unsigned long off, unsigned long len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags, fd[dev], off);
}

static void *direct(int dev, unsigned long off)
{
	return (void *)(unsigned long)(info[dev].base + off);
}

/* Counters of a device now, to compare with after. */
struct counts {
	unsigned long long direct, enosys;
};

static struct counts counts(int dev)
{
	return (struct counts){ xt_dev_counter(dev, "direct_maps"),
				xt_dev_counter(dev, "enosys_answers") };
}


/* The driver's counters moved by @enosys and @direct since @c. */
static int driver_asked(int dev, struct counts c, unsigned long long enosys,
			unsigned long long direct)
{
	struct counts now = counts(dev);
	int ok = XT_PASS;

	XT_EXPECT(now.enosys - c.enosys == enosys && now.direct - c.direct == direct,
		  "driver answered -ENOSYS %llu times and mapped %llu, expected %llu and %llu\n",
		  now.enosys - c.enosys, now.direct - c.direct, enosys, direct);
	return ok;
}

/* Whether @p is a copy of the pattern at @off: mapped, outside the device. */
static int is_copy(int dev, const void *p, unsigned long off, unsigned long len)
{
	return p != MAP_FAILED && !xt_in_device(&info[dev], p) &&
	       xt_pattern_diff(p, off, len) < 0;
}

/* Make NOR's driver answer -ENOSYS where @knob says; 0, or -1 after saying why. */
static int set_enosys(__u32 knob)
{
	if (xt_set(fd[NOR], XIPMAP_IOC_SET_ENOSYS, knob)) {
		ksft_print_msg("SET_ENOSYS %#x: %s\n", knob, xt_errname(errno));
		return -1;
	}
	return 0;
}

/* mmap() must fail with @err; a mapping that succeeds is unmapped. */
static int refused(int dev, unsigned long off, unsigned long len, int prot, int flags,
		   int err, const char *what)
{
	void *p;
	int ok = XT_PASS;

	errno = 0;
	p = map(dev, off, len, prot, flags);
	XT_EXPECT(p == MAP_FAILED && errno == err, "%s on %s: got %p (%s), expected %s\n",
		  what, name[dev], p, xt_errname(p == MAP_FAILED ? errno : 0),
		  xt_errname(err));
	if (p != MAP_FAILED)
		munmap(p, len);
	return ok;
}

static int personalities_as_loaded(void)
{
	static const unsigned int caps[NR_DEV] = {
		XT_CAPS_NOR, XT_CAPS_RAM, XT_CAPS_NAND, XT_CAPS_FB,
	};
	static const char *const sysfs[NR_DEV] = {
		XT_SYSFS_DEV(0), XT_SYSFS_DEV(1), XT_SYSFS_DEV(2), XT_SYSFS_DEV(3),
	};
	char file[96], buf[32];
	int ok = XT_PASS;
	int dev;

	for (dev = 0; dev < NR_DEV; dev++) {
		XT_EXPECT(info[dev].personality == (unsigned int)dev && info[dev].caps == caps[dev],
			  "%s: personality %u caps %#x, expected %d and %#x\n", path[dev],
			  info[dev].personality, info[dev].caps, dev, caps[dev]);
		XT_EXPECT(!!(info[dev].flags & XIPMAP_INFO_NO_READ) == (dev == FB),
			  "%s: flags %#x, the read method is wrong\n", path[dev], info[dev].flags);
		XT_EXPECT(xt_read_long(xjoin(file, sizeof(file), sysfs[dev], "capabilities",
					     NULL)) == (long)caps[dev],
			  "%s: sysfs capabilities %ld, expected %#x\n", path[dev],
			  xt_read_long(file), caps[dev]);
		buf[0] = '\0';
		xjoin(file, sizeof(file), sysfs[dev], "personality", NULL);
		if (xt_read_file(file, buf, sizeof(buf)) < 0)
			ksft_print_msg("read %s: %s\n", file, xt_errname(errno));
		XT_EXPECT(!strncmp(buf, name[dev], strlen(name[dev])),
			  "%s: sysfs personality '%s', expected %s\n", path[dev], buf, name[dev]);
	}
	return ok;
}

/* A personality sets its preset; a raw mask then overrides it. */
static int personality_and_caps_can_be_set(void)
{
	struct xipmap_info i;
	int ok = XT_PASS;
	int p;

	for (p = 0; p < NR_DEV; p++) {
		XT_EXPECT(!xt_set(fd[NOR], XIPMAP_IOC_SET_PERSONALITY, p),
			  "SET_PERSONALITY %s: %s\n", name[p], xt_errname(errno));
		i = xt_info(fd[NOR]);
		XT_EXPECT(i.personality == (unsigned int)p && i.caps == info[p].caps,
			  "as %s: personality %u caps %#x, expected caps %#x\n", name[p],
			  i.personality, i.caps, info[p].caps);
	}
	XT_EXPECT(!xt_set(fd[NOR], XIPMAP_IOC_SET_CAPS, XIPMAP_CAP_COPY | XIPMAP_CAP_EXEC),
		  "SET_CAPS: %s\n", xt_errname(errno));
	XT_EXPECT(xt_info(fd[NOR]).caps == (XIPMAP_CAP_COPY | XIPMAP_CAP_EXEC),
		  "SET_CAPS did not take: caps %#x\n", xt_info(fd[NOR]).caps);
	XT_EXPECT(xt_read_long(XT_SYSFS "/capabilities") == (XIPMAP_CAP_COPY | XIPMAP_CAP_EXEC),
		  "sysfs capabilities %ld after SET_CAPS\n",
		  xt_read_long(XT_SYSFS "/capabilities"));
	return xt_put_back(NOR, ok);
}

/* Every NOMMU_MAP_* combination, and what mm/nommu.c makes of it. */
static int every_capability_mask(void)
{
	unsigned int caps;
	int ok = XT_PASS;

	for (caps = 0; caps <= XIPMAP_CAP_ALL; caps++) {
		int dir = caps & XIPMAP_CAP_DIRECT, copy = caps & XIPMAP_CAP_COPY;
		int r = caps & XIPMAP_CAP_READ;
		void *s, *pr;
		int s_err, pr_err;

		if (xt_set(fd[NOR], XIPMAP_IOC_SET_CAPS, caps)) {
			ksft_print_msg("SET_CAPS %#x: %s\n", caps, xt_errname(errno));
			return xt_put_back(NOR, XT_FAIL);
		}
		/* One at a time: two mappings of one range in one process clash. */
		errno = 0;
		s = map(NOR, 0, page, PROT_READ, MAP_SHARED);
		s_err = errno;
		if (s != MAP_FAILED)
			munmap(s, page);
		errno = 0;
		pr = map(NOR, 0, page, PROT_READ, MAP_PRIVATE);
		pr_err = errno;
		if (pr != MAP_FAILED && !xt_in_device(&info[NOR], pr) &&
		    xt_pattern_diff(pr, 0, page) >= 0)
			pr_err = -1;	/* a copy with the wrong data */
		if (pr != MAP_FAILED)
			munmap(pr, page);
		/* Shared: DIRECT, and READ for PROT_READ, else ENODEV / EINVAL. */
		if (!dir)
			XT_EXPECT(s == MAP_FAILED && s_err == ENODEV,
				  "caps %#x: shared read-only %p (%s), expected ENODEV\n",
				  caps, s, xt_errname(s_err));
		else if (!r)
			XT_EXPECT(s == MAP_FAILED && s_err == EINVAL,
				  "caps %#x: shared read-only %p (%s), expected EINVAL\n",
				  caps, s, xt_errname(s_err));
		else
			XT_EXPECT(s == direct(NOR, 0),
				  "caps %#x: shared read-only %p (%s), expected the device at %p\n",
				  caps, s, xt_errname(s_err), direct(NOR, 0));
		/* Private: COPY, then direct if DIRECT|READ, else a copy. */
		if (!copy)
			XT_EXPECT(pr == MAP_FAILED && pr_err == ENODEV,
				  "caps %#x: private read-only %p (%s), expected ENODEV\n",
				  caps, pr, xt_errname(pr_err));
		else if (dir && r)
			XT_EXPECT(pr == direct(NOR, 0),
				  "caps %#x: private read-only %p (%s), expected the device at %p\n",
				  caps, pr, xt_errname(pr_err), direct(NOR, 0));
		else
			XT_EXPECT(pr != MAP_FAILED && !xt_in_device(&info[NOR], pr) && pr_err != -1,
				  "caps %#x: private read-only %p (%s), expected a copy\n",
				  caps, pr, xt_errname(pr_err));
	}
	return xt_put_back(NOR, ok);
}

/* NAND: a private read-only mapping is a copy, and another process shares it. */
static int nand_private_copy_is_shared_with_other_processes(void)
{
	struct counts c = counts(NAND);
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	XT_NEED_COUNTERS();

	p = map(NAND, page, 2 * page, PROT_READ, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(is_copy(NAND, p, page, 2 * page),
		  "private read-only at %p: expected a copy of the pattern\n", p);
	if (!driver_asked(NAND, c, 0, 0))
		ok = XT_FAIL;
	v = xt_peer(&(struct xt_map){ XT_NAND, page, 2 * page, PROT_READ, MAP_PRIVATE, p,
				      XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "second process: %s, expected the same copy\n",
		  xt_verdict(v));
	munmap(p, 2 * page);
	return ok;
}

/*
 * "Writes to the file do not affect the mapping": not the copy that
 * exists, and not a new mapping of the same range either, which shares
 * the stale copy as long as it exists.
 */
static int nand_writes_do_not_reach_copies(void)
{
	static unsigned char buf[64];
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	p = map(NAND, 0, page, PROT_READ, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(!xt_fill(fd[NAND], &info[NAND], 0, page, 0x3c),
		  "erase and program: %s\n", xt_errname(errno));
	XT_EXPECT(lseek(fd[NAND], 0, SEEK_SET) == 0 && read(fd[NAND], buf, sizeof(buf)) ==
		  sizeof(buf) && xt_byte_diff(buf, 0x3c, sizeof(buf)) < 0,
		  "read() does not show what was programmed\n");
	XT_EXPECT(xt_pattern_diff(p, 0, page) < 0, "the copy changed with the device\n");
	v = xt_peer(&(struct xt_map){ XT_NAND, 0, page, PROT_READ, MAP_PRIVATE, p,
				      XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT,
		  "a new mapping after the write: %s, expected the old copy\n", xt_verdict(v));
	munmap(p, page);
	v = xt_peer(&(struct xt_map){ XT_NAND, 0, page, PROT_READ, MAP_PRIVATE, NULL,
				      0x3c }, 0);
	XT_EXPECT(v.verdict == XT_PEER_ELSEWHERE,
		  "a new mapping once the old copy is gone: %s, expected a new copy\n",
		  xt_verdict(v));
	return xt_put_back(NAND, ok);
}

static int shared_without_direct_is_enodev(void)
{
	struct counts c = counts(NAND);
	int ok;

	XT_NEED_COUNTERS();

	ok = refused(NAND, 0, page, PROT_READ, MAP_SHARED, ENODEV, "MAP_SHARED");
	if (!driver_asked(NAND, c, 0, 0))
		ok = XT_FAIL;
	return ok;
}

/* RAM and FB: MAP_SHARED is the device memory, shared between processes. */
static int shared_rw_is_device_memory(int dev)
{
	static unsigned char buf[64];
	unsigned char *p;
	int ok = XT_PASS;
	struct xt_report v;

	p = map(dev, page, page, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("shared read-write on %s: %s\n", name[dev], xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(p == direct(dev, page), "mapped at %p, the device is at %p\n",
		  p, direct(dev, page));
	memset(p, 0x5a, page);
	v = xt_peer(&(struct xt_map){ path[dev], page, page, PROT_READ | PROT_WRITE,
				      MAP_SHARED, p, 0x5a }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "second process: %s, expected the same memory\n",
		  xt_verdict(v));
	if (!(info[dev].flags & XIPMAP_INFO_NO_READ))
		XT_EXPECT(lseek(fd[dev], page, SEEK_SET) == (off_t)page &&
			  read(fd[dev], buf, sizeof(buf)) == sizeof(buf) &&
			  xt_byte_diff(buf, 0x5a, sizeof(buf)) < 0,
			  "read() does not see what was stored through the mapping\n");
	munmap(p, page);
	return xt_put_back(dev, ok);
}

static int ram_shared_rw_is_device_memory(void)
{
	return shared_rw_is_device_memory(RAM);
}

static int fb_shared_rw_is_device_memory(void)
{
	return shared_rw_is_device_memory(FB);
}

/* FB has no read method: nothing can copy it, whatever its capabilities say. */
static int fb_without_read_method_cannot_be_copied(void)
{
	static unsigned char buf[16];
	int ok = XT_PASS;
	long n;

	errno = 0;
	n = read(fd[FB], buf, sizeof(buf));
	XT_EXPECT(n == -1 && errno == EINVAL, "read() on fb: %ld (%s), expected EINVAL\n",
		  n, xt_errname(errno));
	if (!refused(FB, 0, page, PROT_READ, MAP_PRIVATE, ENODEV, "private read-only"))
		ok = XT_FAIL;
	/* Claim COPY: still no read method, so FMODE_CAN_READ is clear. */
	XT_EXPECT(!xt_set(fd[FB], XIPMAP_IOC_SET_CAPS, info[FB].caps | XIPMAP_CAP_COPY),
		  "SET_CAPS: %s\n", xt_errname(errno));
	if (!refused(FB, 0, page, PROT_READ, MAP_PRIVATE, ENODEV,
		     "private read-only with COPY claimed"))
		ok = XT_FAIL;
	if (!refused(FB, 0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, ENODEV,
		     "private writable with COPY claimed"))
		ok = XT_FAIL;
	return xt_put_back(FB, ok);
}

/* Without EXEC: a private executable mapping is copied, a shared one refused. */
static int exec_without_exec_capability(void)
{
	struct counts c;
	void *p;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	XT_EXPECT(!xt_set(fd[RAM], XIPMAP_IOC_SET_CAPS, XIPMAP_CAP_ALL & ~XIPMAP_CAP_EXEC),
		  "SET_CAPS: %s\n", xt_errname(errno));
	c = counts(RAM);
	p = map(RAM, 0, page, PROT_READ | PROT_EXEC, MAP_PRIVATE);
	XT_EXPECT(is_copy(RAM, p, 0, page),
		  "private PROT_EXEC: %p (%s), expected a copy\n", p,
		  xt_errname(p == MAP_FAILED ? errno : 0));
	if (!driver_asked(RAM, c, 0, 0))
		ok = XT_FAIL;
	if (p != MAP_FAILED)
		munmap(p, page);
	if (!refused(RAM, 0, page, PROT_READ | PROT_EXEC, MAP_SHARED, EINVAL,
		     "shared PROT_EXEC"))
		ok = XT_FAIL;
	/* With EXEC back, both are the device. */
	XT_EXPECT(!xt_set(fd[RAM], XIPMAP_IOC_SET_CAPS, XIPMAP_CAP_ALL),
		  "SET_CAPS: %s\n", xt_errname(errno));
	p = map(RAM, 0, page, PROT_READ | PROT_EXEC, MAP_SHARED);
	XT_EXPECT(p == direct(RAM, 0), "shared PROT_EXEC with EXEC: %p, expected %p\n",
		  p, direct(RAM, 0));
	if (p != MAP_FAILED)
		munmap(p, page);
	return xt_put_back(RAM, ok);
}

/* get_unmapped_area() -ENOSYS: a shared mapping fails with ENODEV. */
static int enosys_gua_shared_is_enodev(void)
{
	struct counts c;
	int ok;

	XT_NEED_COUNTERS();

	if (set_enosys(XIPMAP_ENOSYS_GUA))
		return xt_put_back(NOR, XT_FAIL);
	c = counts(NOR);
	ok = refused(NOR, 0, page, PROT_READ, MAP_SHARED, ENODEV, "shared read-only");
	if (!driver_asked(NOR, c, 1, 0))
		ok = XT_FAIL;
	return xt_put_back(NOR, ok);
}

/* get_unmapped_area() -ENOSYS: a private mapping is copied when COPY allows. */
static int enosys_gua_private_is_copied(void)
{
	struct counts c;
	void *p;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	if (set_enosys(XIPMAP_ENOSYS_GUA))
		return xt_put_back(NOR, XT_FAIL);
	c = counts(NOR);
	p = map(NOR, page, page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(is_copy(NOR, p, page, page),
		  "private read-only: %p (%s), expected a copy\n", p,
		  xt_errname(p == MAP_FAILED ? errno : 0));
	if (!driver_asked(NOR, c, 1, 0))
		ok = XT_FAIL;
	if (p != MAP_FAILED)
		munmap(p, page);
	/* Without COPY a private mapping never gets as far as the driver. */
	XT_EXPECT(!xt_set(fd[NOR], XIPMAP_IOC_SET_CAPS, info[NOR].caps & ~XIPMAP_CAP_COPY),
		  "SET_CAPS: %s\n", xt_errname(errno));
	c = counts(NOR);
	if (!refused(NOR, page, page, PROT_READ, MAP_PRIVATE, ENODEV,
		     "private read-only without COPY"))
		ok = XT_FAIL;
	if (!driver_asked(NOR, c, 0, 0))
		ok = XT_FAIL;
	return xt_put_back(NOR, ok);
}

/* mmap() -ENOSYS for private mappings: copied; shared ones stay direct. */
static int enosys_private_is_copied(void)
{
	struct counts c;
	void *p;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	if (set_enosys(XIPMAP_ENOSYS_PRIVATE))
		return xt_put_back(NOR, XT_FAIL);
	c = counts(NOR);
	p = map(NOR, 0, page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(is_copy(NOR, p, 0, page),
		  "private read-only: %p (%s), expected a copy\n", p,
		  xt_errname(p == MAP_FAILED ? errno : 0));
	if (!driver_asked(NOR, c, 1, 0))
		ok = XT_FAIL;
	if (p != MAP_FAILED)
		munmap(p, page);
	c = counts(NOR);
	p = map(NOR, 0, page, PROT_READ, MAP_SHARED);
	XT_EXPECT(p == direct(NOR, 0), "shared read-only: %p, expected the device at %p\n",
		  p, direct(NOR, 0));
	if (!driver_asked(NOR, c, 0, 1))
		ok = XT_FAIL;
	if (p != MAP_FAILED)
		munmap(p, page);
	return xt_put_back(NOR, ok);
}

/* mmap() -ENOSYS for shared mappings: ENODEV; private ones stay direct. */
static int enosys_shared_is_enodev(void)
{
	struct counts c;
	void *p;
	int ok;

	XT_NEED_COUNTERS();

	if (set_enosys(XIPMAP_ENOSYS_SHARED))
		return xt_put_back(NOR, XT_FAIL);
	c = counts(NOR);
	ok = refused(NOR, 0, page, PROT_READ, MAP_SHARED, ENODEV, "shared read-only");
	if (!driver_asked(NOR, c, 1, 0))
		ok = XT_FAIL;
	p = map(NOR, 0, page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p == direct(NOR, 0), "private read-only: %p, expected the device at %p\n",
		  p, direct(NOR, 0));
	if (p != MAP_FAILED)
		munmap(p, page);
	return xt_put_back(NOR, ok);
}

/*
 * A private read-only mapping of a range another process maps directly
 * shares that region, and the kernel asks the driver (do_mmap_shared_file).
 * Its -ENOSYS then cannot become a copy: the mapping fails with ENODEV.
 */
static int enosys_private_on_existing_region_is_enodev(void)
{
	struct counts c;
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	XT_NEED_COUNTERS();

	p = map(NOR, 0, page, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("shared read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	if (set_enosys(XIPMAP_ENOSYS_PRIVATE)) {
		munmap(p, page);
		return xt_put_back(NOR, XT_FAIL);
	}
	c = counts(NOR);
	v = xt_peer(&(struct xt_map){ XT_NOR, 0, page, PROT_READ, MAP_PRIVATE, p,
				      XT_CHECK_PATTERN }, 0);
	XT_EXPECT(xt_peer_failed(v, ENODEV), "second process, private read-only: %s, "
		  "expected ENODEV\n", xt_verdict(v));
	if (!driver_asked(NOR, c, 1, 0))
		ok = XT_FAIL;
	munmap(p, page);
	return xt_put_back(NOR, ok);
}

/*
 * A traced process gets its own copy, never an overlay: its tracer could
 * write to it (breakpoints).  On NAND every private mapping is a copy, so
 * what differs is that the traced process does not share the existing one.
 */
static int traced_process_gets_its_own_copy(void)
{
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	p = map(NAND, 0, page, PROT_READ, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	v = xt_peer(&(struct xt_map){ XT_NAND, 0, page, PROT_READ, MAP_PRIVATE, p,
				      XT_CHECK_PATTERN }, 1);
	XT_EXPECT(v.verdict == XT_PEER_ELSEWHERE,
		  "traced process: %s, expected a copy of its own\n", xt_verdict(v));
	v = xt_peer(&(struct xt_map){ XT_NAND, 0, page, PROT_READ, MAP_PRIVATE, p,
				      XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "untraced process: %s, expected the shared copy\n",
		  xt_verdict(v));
	munmap(p, page);
	return ok;
}

/*
 * The same on a device with DIRECT: the traced process must get a copy
 * rather than the device.  6.12's do_mmap_private() asks the driver and
 * then WARNs (WARN_ON_ONCE, "shouldn't return success if we're not
 * sharing") whatever the driver answers, because the traced VMA has no
 * VM_MAYOVERLAY.  A WARN fails the run, so this test only runs when
 * XIPMAP_KNOWN_BUGS=1, or on a kernel with the fix (patches/6.12), which
 * does not ask the driver at all; see docs/conformance.md, 8.
 */
static int traced_process_on_direct_device_gets_a_copy(void)
{
	int fixed = xt_fixed("8");
	struct counts c;
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	XT_NEED_COUNTERS();

	if (!xt_known_bugs() && !fixed) {
		ksft_print_msg("6.12 WARNs in do_mmap_private(): set XIPMAP_KNOWN_BUGS=1 to run\n");
		return XT_SKIP;
	}
	p = map(NOR, 0, page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(p == direct(NOR, 0), "untraced private read-only at %p, expected %p\n",
		  p, direct(NOR, 0));
	c = counts(NOR);
	v = xt_peer(&(struct xt_map){ XT_NOR, 0, page, PROT_READ, MAP_PRIVATE, p,
				      XT_CHECK_PATTERN }, 1);
	XT_EXPECT(v.verdict == XT_PEER_ELSEWHERE, "traced process: %s, expected a copy\n",
		  xt_verdict(v));
	/*
	 * 6.12's mm/nommu.c asks the driver, which must answer -ENOSYS (not
	 * shared); with the fix it makes the copy without asking.
	 */
	if (!driver_asked(NOR, c, fixed ? 0 : 1, 0))
		ok = XT_FAIL;
	if (p != MAP_FAILED)
		munmap(p, page);
	return ok;
}

/* "A copy is always taken and never shared." */
static int private_writable_is_never_shared(void)
{
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	p = map(NAND, 0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private writable: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	v = xt_peer(&(struct xt_map){ XT_NAND, 0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				      p, XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_ELSEWHERE, "second process, private writable: %s, "
		  "expected a copy of its own\n", xt_verdict(v));
	v = xt_peer(&(struct xt_map){ XT_NAND, 0, page, PROT_READ, MAP_PRIVATE,
				      p, XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_ELSEWHERE, "second process, private read-only: %s, "
		  "expected a copy of its own\n", xt_verdict(v));
	munmap(p, page);
	return ok;
}

/*
 * Overlapping private read-only mappings of a device without DIRECT share
 * the first one's copy when they are the same range or inside it; any
 * other overlap is a sharing violation (EINVAL).
 */
static int overlaps_on_a_copied_device(void)
{
	unsigned char *p;
	int ok = XT_PASS;
	struct xt_report v;

	p = map(NAND, 2 * page, 4 * page, PROT_READ, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	v = xt_peer(&(struct xt_map){ XT_NAND, 2 * page, 4 * page, PROT_READ, MAP_PRIVATE,
				      p, XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "exact overlap: %s, expected to share\n", xt_verdict(v));
	v = xt_peer(&(struct xt_map){ XT_NAND, 3 * page, 2 * page, PROT_READ, MAP_PRIVATE,
				      p + page, XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "subset: %s, expected to share at +1 page\n",
		  xt_verdict(v));
	v = xt_peer(&(struct xt_map){ XT_NAND, 4 * page, 4 * page, PROT_READ, MAP_PRIVATE,
				      NULL, XT_CHECK_PATTERN }, 0);
	XT_EXPECT(xt_peer_failed(v, EINVAL), "inexact overlap: %s, expected EINVAL\n",
		  xt_verdict(v));
	v = xt_peer(&(struct xt_map){ XT_NAND, page, 2 * page, PROT_READ, MAP_PRIVATE,
				      NULL, XT_CHECK_PATTERN }, 0);
	XT_EXPECT(xt_peer_failed(v, EINVAL), "overlap at the start: %s, expected EINVAL\n",
		  xt_verdict(v));
	munmap(p, 4 * page);
	return ok;
}

/* On a device with DIRECT, inexact overlaps are the driver's business. */
static int overlaps_on_a_direct_device(void)
{
	void *p;
	int ok = XT_PASS;
	struct xt_report v;

	if (xt_skip_overlap())
		return XT_SKIP;
	p = map(NOR, 2 * page, 4 * page, PROT_READ, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	v = xt_peer(&(struct xt_map){ XT_NOR, 4 * page, 4 * page, PROT_READ, MAP_PRIVATE,
				      direct(NOR, 4 * page), XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "inexact overlap: %s, expected the device\n",
		  xt_verdict(v));
	v = xt_peer(&(struct xt_map){ XT_NOR, page, 4 * page, PROT_READ, MAP_SHARED,
				      direct(NOR, page), XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "shared inexact overlap: %s, expected the device\n",
		  xt_verdict(v));
	munmap(p, 4 * page);
	return ok;
}

/*
 * Two private read-only mappings of a direct device from the same offset,
 * the second longer: it is no subset of the first's region, so do_mmap()
 * makes a second region for it at the device's address, where the first
 * starts, and 6.12's add_nommu_region() BUG()s on two regions with one
 * start: a panic any user who can open the device read-only can cause,
 * with no debug option (docs/conformance.md, 24).  It runs only with
 * XIPMAP_KNOWN_BUGS=1; qemu/check.sh does, and expects that BUG.
 * With the fixes (patches/6.12) it runs always: a second process's longer
 * mapping is the device, and so is a third's, which shares that region;
 * this process's own second mapping is a copy (bug 2: one process cannot
 * map one address twice).
 */
static int longer_overlay_at_the_same_start(void)
{
	struct xt_report v;
	void *p, *q;
	int ok = XT_PASS;

	if (xt_fixed("24")) {
		p = map(NOR, 0, page, PROT_READ, MAP_PRIVATE);
		if (p == MAP_FAILED) {
			ksft_print_msg("private read-only, one page: %s\n", xt_errname(errno));
			return XT_FAIL;
		}
		XT_EXPECT(p == direct(NOR, 0), "one page at %p, expected %p\n", p, direct(NOR, 0));
		v = xt_peer(&(struct xt_map){ XT_NOR, 0, 2 * page, PROT_READ, MAP_PRIVATE,
					      direct(NOR, 0), XT_CHECK_PATTERN }, 0);
		XT_EXPECT(v.verdict == XT_PEER_AT, "second process, two pages from the same "
			  "offset: %s, expected the device\n", xt_verdict(v));
		v = xt_peer(&(struct xt_map){ XT_NOR, 0, 2 * page, PROT_READ, MAP_SHARED,
					      direct(NOR, 0), XT_CHECK_PATTERN }, 0);
		XT_EXPECT(v.verdict == XT_PEER_AT, "second process, shared, two pages: %s, "
			  "expected the device\n", xt_verdict(v));
		q = map(NOR, 0, 2 * page, PROT_READ, MAP_PRIVATE);
		XT_EXPECT(is_copy(NOR, q, 0, 2 * page), "this process, two pages from the same "
			  "offset at %p, expected a copy (the device is at %p)\n", q, direct(NOR, 0));
		if (q != MAP_FAILED)
			XT_EXPECT(!munmap(q, 2 * page), "munmap of the copy: %s\n",
				  xt_errname(errno));
		XT_EXPECT(!munmap(p, page), "munmap of the first: %s\n", xt_errname(errno));
		return ok;
	}
	if (!xt_known_bugs()) {
		ksft_print_msg("6.12 BUGs in add_nommu_region() (a panic): "
			       "set XIPMAP_KNOWN_BUGS=1 to run\n");
		return XT_SKIP;
	}
	p = map(NOR, 0, page, PROT_READ, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only, one page: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	q = map(NOR, 0, 2 * page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(q == direct(NOR, 0), "two pages from the same offset at %p, expected %p\n",
		  q, direct(NOR, 0));
	if (q != MAP_FAILED)
		munmap(q, 2 * page);
	munmap(p, page);
	return ok;
}

/*
 * One process maps one range of a direct device twice.  6.12 gives both
 * the device's address and stores the second VMA over the first in the
 * process's tree: the first is lost, munmap() of it fails with EINVAL,
 * and the device's file stays referenced for ever (the module can never
 * be unloaded again): docs/conformance.md, 2.  So this runs only on a
 * kernel with the fix (patches/6.12), where a second private read-only
 * mapping is a copy and a second shared one fails with EEXIST, and each
 * mapping is unmapped on its own.
 */
static int second_mapping_in_one_process(void)
{
	void *p, *q;
	int ok = XT_PASS;

	if (!xt_fixed("2")) {
		xt_skip_why = "6.12 loses the first VMA (a reference leak for ever): "
			      "runs on a kernel with the fix (XIPMAP_FIXED)";
		return XT_SKIP;
	}
	p = map(NOR, 0, 2 * page, PROT_READ, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		ksft_print_msg("private read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(p == direct(NOR, 0), "first private at %p, expected %p\n", p, direct(NOR, 0));
	q = map(NOR, 0, 2 * page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(is_copy(NOR, q, 0, 2 * page), "second private at %p, expected a copy\n", q);
	if (q != MAP_FAILED)
		XT_EXPECT(!munmap(q, 2 * page), "munmap of the second: %s\n", xt_errname(errno));
	q = map(NOR, page, page, PROT_READ, MAP_PRIVATE);
	XT_EXPECT(is_copy(NOR, q, page, page), "private subset at %p, expected a copy\n", q);
	if (q != MAP_FAILED)
		XT_EXPECT(!munmap(q, page), "munmap of the subset: %s\n", xt_errname(errno));
	XT_EXPECT(!munmap(p, 2 * page), "munmap of the first: %s\n", xt_errname(errno));

	p = map(NOR, 0, page, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("shared read-only: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	q = map(NOR, 0, page, PROT_READ, MAP_SHARED);
	XT_EXPECT(q == MAP_FAILED && errno == EEXIST, "second shared: %s at %p, expected "
		  "EEXIST\n", xt_errname(q == MAP_FAILED ? errno : 0), q);
	if (q != MAP_FAILED)
		munmap(q, page);
	XT_EXPECT(!munmap(p, page), "munmap of the first shared: %s\n", xt_errname(errno));
	return ok;
}

static int sysfs_matches_the_ioctl(void)
{
	struct xipmap_info i;
	char buf[32] = "";
	void *p;
	int ok = XT_PASS;

	if (set_enosys(XIPMAP_ENOSYS_PRIVATE))
		return xt_put_back(NOR, XT_FAIL);
	p = map(NOR, 0, page, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED) {
		ksft_print_msg("shared read-only: %s\n", xt_errname(errno));
		return xt_put_back(NOR, XT_FAIL);
	}
	i = xt_info(fd[NOR]);
	XT_EXPECT(xt_read_long(XT_SYSFS "/enosys") == XIPMAP_ENOSYS_PRIVATE &&
		  xt_read_long(XT_SYSFS "/capabilities") == (long)i.caps &&
		  xt_read_long(XT_SYSFS "/size") == (long)i.size &&
		  xt_read_long(XT_SYSFS "/erasesize") == (long)i.erasesize,
		  "sysfs and XIPMAP_IOC_INFO disagree\n");
	/* Counters are debugfs's (docs/ABI.md), not device properties. */
	XT_EXPECT(xt_read_long(XT_SYSFS "/mappings") == -1 &&
		  xt_read_long(XT_SYSFS "/faults") == -1,
		  "sysfs still shows the driver's counters\n");
	if (xt_read_file(XT_SYSFS "/state", buf, sizeof(buf)) < 0)
		ksft_print_msg("read " XT_SYSFS "/state: %s\n", xt_errname(errno));
	XT_EXPECT(!strcmp(buf, "read-array\n"), "sysfs state '%s'\n", buf);
	munmap(p, page);
	return xt_put_back(NOR, ok);
}

static int ioctl_bad_values_are_einval(void)
{
	static const struct { unsigned long cmd; __u32 val; const char *what; } bad[] = {
		{ XIPMAP_IOC_SET_PERSONALITY, NR_DEV, "personality 4" },
		{ XIPMAP_IOC_SET_PERSONALITY, -1U, "personality -1" },
		{ XIPMAP_IOC_SET_CAPS, XIPMAP_CAP_ALL + 1, "capability bit 5" },
		{ XIPMAP_IOC_SET_ENOSYS, XIPMAP_ENOSYS_ALL + 1, "-ENOSYS knob bit 3" },
		{ XIPMAP_IOC_SET_STATE, 3, "state 3" },
	};
	struct xipmap_erase erase[] = {
		{ 0, 0 },
		{ 1, info[NOR].erasesize },
		{ 0, info[NOR].erasesize - 1 },
		{ info[NOR].size, info[NOR].erasesize },
		{ 0, info[NOR].size + info[NOR].erasesize },
		{ -(__u64)info[NOR].erasesize, 2 * info[NOR].erasesize },
	};
	struct xipmap_info before = xt_info(fd[NOR]), after;
	unsigned int i;
	int ok = XT_PASS;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		ret = xt_set(fd[NOR], bad[i].cmd, bad[i].val);
		XT_EXPECT(ret == -1 && errno == EINVAL, "%s: %d (%s), expected EINVAL\n",
			  bad[i].what, ret, xt_errname(errno));
	}
	for (i = 0; i < ARRAY_SIZE(erase); i++) {
		errno = 0;
		ret = ioctl(fd[NOR], XIPMAP_IOC_ERASE, &erase[i]);
		XT_EXPECT(ret == -1 && errno == EINVAL,
			  "erase %llx+%llx: %d (%s), expected EINVAL\n", erase[i].offset,
			  erase[i].length, ret, xt_errname(errno));
	}
	after = xt_info(fd[NOR]);
	XT_EXPECT(after.caps == before.caps && after.personality == before.personality &&
		  after.enosys == before.enosys && after.state == before.state,
		  "a refused ioctl changed the device\n");
	XT_EXPECT(xt_read_long(XT_SYSFS "/capabilities") == (long)before.caps,
		  "a refused ioctl changed the capabilities\n");
	return xt_put_back(NOR, ok);
}

static int ioctl_unknown_command_is_enotty(void)
{
	static const unsigned long cmds[] = {
		_IO(XIPMAP_IOC_MAGIC, 0x7f),
		_IOW(XIPMAP_IOC_MAGIC, 0x01, __u64),	/* right number, wrong size */
		_IOR('x', 0x00, struct xipmap_info),	/* wrong magic */
	};
	unsigned int i;
	int ok = XT_PASS;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		errno = 0;
		ret = ioctl(fd[NOR], cmds[i], 0);
		XT_EXPECT(ret == -1 && errno == ENOTTY, "command %#lx: %d (%s), expected ENOTTY\n",
			  cmds[i], ret, xt_errname(errno));
	}
	return ok;
}

/*
 * capget/capset: drop or raise CAP_SYS_ADMIN in the effective set; 0, or
 * -1 with errno set.
 */
static int set_cap_sys_admin(int on)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (xsysret(xsyscall2(__NR_capget, &hdr, data)))
		return -1;
	if (on)
		data[0].effective |= 1U << CAP_SYS_ADMIN;
	else
		data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	return xsysret(xsyscall2(__NR_capset, &hdr, data));
}

static int state_changes_need_cap_sys_admin(void)
{
	static const struct { unsigned long cmd; const char *what; } cmds[] = {
		{ XIPMAP_IOC_SET_PERSONALITY, "SET_PERSONALITY" },
		{ XIPMAP_IOC_SET_CAPS, "SET_CAPS" },
		{ XIPMAP_IOC_SET_ENOSYS, "SET_ENOSYS" },
		{ XIPMAP_IOC_SET_STATE, "SET_STATE" },
	};
	struct xipmap_info i;
	unsigned int n;
	int ok = XT_PASS;
	int ret;

	if (set_cap_sys_admin(0)) {
		ksft_print_msg("cannot drop CAP_SYS_ADMIN: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	for (n = 0; n < ARRAY_SIZE(cmds); n++) {
		errno = 0;
		ret = xt_set(fd[NOR], cmds[n].cmd, 0);
		XT_EXPECT(ret == -1 && errno == EPERM,
			  "%s without CAP_SYS_ADMIN: %d (%s), expected EPERM\n",
			  cmds[n].what, ret, xt_errname(errno));
	}
	XT_EXPECT(!ioctl(fd[NOR], XIPMAP_IOC_INFO, &i),
		  "XIPMAP_IOC_INFO without CAP_SYS_ADMIN: %s\n", xt_errname(errno));
	if (set_cap_sys_admin(1)) {
		ksft_print_msg("cannot raise CAP_SYS_ADMIN again: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	return ok;
}

static int erase_needs_the_file_open_for_writing(void)
{
	struct xipmap_erase erase = { 0, info[NOR].erasesize };
	int ok = XT_PASS;
	int ro, ret;

	ro = open(XT_NOR, O_RDONLY);
	if (ro < 0) {
		/* An erase on no file at all would be EBADF too, and prove nothing. */
		ksft_print_msg("open %s O_RDONLY: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	errno = 0;
	ret = ioctl(ro, XIPMAP_IOC_ERASE, &erase);
	XT_EXPECT(ret == -1 && errno == EBADF, "erase on O_RDONLY: %d (%s), expected EBADF\n",
		  ret, xt_errname(errno));
	close(ro);
	XT_EXPECT(xt_info(fd[NOR]).state == XIPMAP_STATE_READ_ARRAY,
		  "the refused erase changed the state\n");
	return ok;
}

/*
 * The blocked reader or writer (this program run as "uffd-blocked"): a
 * read() of @argv[2] into, or a write() to it from, a page that
 * userfaultfd holds (@argv[3]: "read" or "write"), so that the copy to or
 * from user memory waits for ever.  It reports XT_PEER_AT once everything
 * is set up, just before the call; it never returns unless killed.
 */
static int uffd_blocked_main(char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	int writer = !strcmp(argv[3], "write");
	int uffd, dfd;
	char *p;

	dfd = open(argv[2], writer ? O_RDWR : O_RDONLY);
	if (dfd < 0)
		return xt_report(XT_PEER_USAGE, errno);
	uffd = xsysret(xsyscall1(__NR_userfaultfd, O_CLOEXEC));
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return xt_report(XT_PEER_ERRNO, errno);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return xt_report(XT_PEER_ERRNO, errno);
	reg.range.start = (unsigned long)p;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return xt_report(XT_PEER_ERRNO, errno);
	xt_report(XT_PEER_AT, 0);
	/* Nobody answers the fault: until killed.  Returning is the failure. */
	if ((writer ? write(dfd, p, page) : read(dfd, p, page)) < 0)
		return xt_report(XT_PEER_ERRNO, errno);
	return xt_report(XT_PEER_DATA, 0);
}

/*
 * The opener (this program run as "opener"): open @argv[2] and, if it is
 * a flash, ask it XIPMAP_IOC_INFO (an ioctl that takes the flash's lock);
 * report.
 */
static int opener_main(char **argv)
{
	int dfd = open(argv[2], O_RDONLY | O_NONBLOCK);
	struct xipmap_info i;

	if (dfd < 0)
		return xt_report(XT_PEER_ERRNO, errno);
	if (xt_contains(argv[2], XIPMAP_FLASH_NAME) && ioctl(dfd, XIPMAP_IOC_INFO, &i))
		return xt_report(XT_PEER_ERRNO, errno);
	close(dfd);
	return xt_report(XT_PEER_AT, 0);
}

/*
 * A misc device other than xipmap's whose open has no lasting effect, or
 * else another flash (misc too, with a lock of its own).
 */
static const char *other_misc_device(void)
{
	static const char *const candidates[] = {
		"/dev/cpu_dma_latency", "/dev/loop-control", "/dev/vga_arbiter",
		"/dev/mapper/control", "/dev/rfkill", "/dev/uinput",
	};
	unsigned int i;
	int dfd;

	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		dfd = open(candidates[i], O_RDONLY | O_NONBLOCK);
		if (dfd >= 0) {
			close(dfd);
			return candidates[i];
		}
	}
	return XT_RAM;
}

/* Whether process @pid is asleep ('S' in /proc/PID/stat). */
static int asleep(pid_t pid)
{
	char path[32], buf[256], *s;

	xjoin(path, sizeof(path), "/proc/", itoa(pid), "/stat", NULL);
	if (xt_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	s = strchr(buf, ')');
	return s && s[1] == ' ' && s[2] == 'S';
}

/* Whether @c exits within @ms milliseconds. */
static int exits_within(struct xt_child *c, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (xt_exited(c))
			return 1;
		msleep(10);
	}
	return xt_exited(c);
}

/*
 * Hold one reader or writer whose buffer faults for ever (@how: "read" or
 * "write"), then open (and ask XIPMAP_IOC_INFO of) the same flash, and
 * open another misc device: each must be done within 5 s.  XT_SKIP
 * without userfaultfd.
 */
static int held_copy_blocks_nobody(const char *how)
{
	char *holder_argv[] = { (char *)xt_self, "uffd-blocked", XT_NOR, (char *)how, NULL };
	char *open_same[] = { (char *)xt_self, "opener", XT_NOR, NULL };
	char *open_other[] = { (char *)xt_self, "opener", NULL, NULL };
	struct xt_child holder, same, other;
	struct xt_report setup, r;
	int ok = XT_PASS;
	int i;

	if (xt_start(&holder, holder_argv, 0)) {
		ksft_print_msg("start the %s: %s\n", how, xt_errname(errno));
		return XT_FAIL;
	}
	if (read(holder.report, &setup, sizeof(setup)) != sizeof(setup))
		setup = (struct xt_report){ XT_NO_REPORT, 0 };
	if (setup.verdict != XT_PEER_AT) {
		kill(holder.pid, SIGKILL);
		xt_wait(&holder, &r);
		if (setup.verdict == XT_PEER_ERRNO && (setup.err == ENOSYS || setup.err == EPERM)) {
			xt_skip_why = setup.err == ENOSYS ?
				"no userfaultfd in this kernel (CONFIG_USERFAULTFD): nothing "
				"can hold a copy to user memory" :
				"userfaultfd refused (EPERM): nothing can hold a copy to user memory";
			return XT_SKIP;
		}
		ksft_print_msg("the %s could not set up: %s\n", how, xt_verdict(setup));
		return XT_FAIL;
	}
	open_other[2] = (char *)other_misc_device();
	/* Wait until it sleeps in its copy to or from user memory. */
	for (i = 0; i < 500 && !asleep(holder.pid); i++)
		msleep(10);
	msleep(200);

	XT_EXPECT(!xt_start(&same, open_same, 0), "start an opener: %s\n", xt_errname(errno));
	XT_EXPECT(exits_within(&same, 5000), "open and ioctl of %s blocked behind a %s\n",
		  XT_NOR, how);
	XT_EXPECT(!xt_start(&other, open_other, 0), "start an opener: %s\n", xt_errname(errno));
	XT_EXPECT(exits_within(&other, 5000), "open of %s blocked behind a %s\n",
		  open_other[2], how);

	/* Killing the holder ends its fault, and lets anything blocked go. */
	kill(holder.pid, SIGKILL);
	xt_wait(&holder, &r);
	xt_wait(&same, &r);
	XT_EXPECT(r.verdict == XT_PEER_AT, "open and ioctl of %s: %s\n", XT_NOR, xt_verdict(r));
	xt_wait(&other, &r);
	XT_EXPECT(r.verdict == XT_PEER_AT, "open of %s: %s\n", open_other[2], xt_verdict(r));
	return ok;
}

/*
 * A reader or a writer whose buffer faults for ever (userfaultfd here;
 * FUSE or a slow NFS page would do the same) must not block anyone else:
 * not an open or an ioctl of the same flash, and not an open of any other
 * misc device, which the kernel serialises under one mutex around each
 * driver's open().
 */
static int blocked_reader_does_not_block_opens(void)
{
	int ok = held_copy_blocks_nobody("read");

	if (ok == XT_SKIP)
		return XT_SKIP;
	if (held_copy_blocks_nobody("write") != XT_PASS)
		ok = XT_FAIL;
	return xt_put_back(NOR, ok);
}

/*
 * What a user who is not root may do with the flash: nothing it can open
 * itself (the nodes are 0600), and with files root opened for it, read
 * the device's properties but change none of them (EPERM for each
 * state-changing ioctl), nor do what the open mode forbids.
 */
static const struct xt_step xt_steps[] = {
	{ "open " XT_NOR " O_RDONLY", EACCES },
	{ "open " XT_RAM " O_RDWR", EACCES },
	{ "XIPMAP_IOC_SET_PERSONALITY, O_RDONLY file", EPERM },
	{ "XIPMAP_IOC_SET_CAPS, O_RDONLY file", EPERM },
	{ "XIPMAP_IOC_SET_ENOSYS, O_RDONLY file", EPERM },
	{ "XIPMAP_IOC_SET_STATE, O_RDONLY file", EPERM },
	{ "XIPMAP_IOC_SET_PERSONALITY, O_RDWR file", EPERM },
	{ "XIPMAP_IOC_SET_CAPS, O_RDWR file", EPERM },
	{ "XIPMAP_IOC_SET_ENOSYS, O_RDWR file", EPERM },
	{ "XIPMAP_IOC_SET_STATE, O_RDWR file", EPERM },
	{ "XIPMAP_IOC_ERASE, O_RDONLY file", EBADF },
	{ "MAP_SHARED PROT_WRITE, O_RDONLY file", EACCES },
	{ "write(), O_RDONLY file", EBADF },
	{ "XIPMAP_IOC_INFO, O_RDONLY file", 0 },
};

/* The child's side: @argv[2] and [3] are the O_RDONLY and O_RDWR files. */
static int unprivileged_main(char **argv)
{
	int ro = strtol(argv[2], NULL, 0), rw = strtol(argv[3], NULL, 0);
	struct xipmap_erase erase = { 0, page };	/* EBADF comes first */
	struct xipmap_info i;
	int err, dfd;
	void *p;

	err = xt_drop_privileges();
	if (err)
		return xt_report(-2, err);
	dfd = open(XT_NOR, O_RDONLY);
	XT_STEP(1, dfd < 0);
	dfd = open(XT_RAM, O_RDWR);
	XT_STEP(2, dfd < 0);
	XT_STEP(3, xt_set(ro, XIPMAP_IOC_SET_PERSONALITY, XIPMAP_PERSONALITY_NOR));
	XT_STEP(4, xt_set(ro, XIPMAP_IOC_SET_CAPS, XT_CAPS_NOR));
	XT_STEP(5, xt_set(ro, XIPMAP_IOC_SET_ENOSYS, 0));
	XT_STEP(6, xt_set(ro, XIPMAP_IOC_SET_STATE, XIPMAP_STATE_READ_ARRAY));
	XT_STEP(7, xt_set(rw, XIPMAP_IOC_SET_PERSONALITY, XIPMAP_PERSONALITY_NOR));
	XT_STEP(8, xt_set(rw, XIPMAP_IOC_SET_CAPS, XT_CAPS_NOR));
	XT_STEP(9, xt_set(rw, XIPMAP_IOC_SET_ENOSYS, 0));
	XT_STEP(10, xt_set(rw, XIPMAP_IOC_SET_STATE, XIPMAP_STATE_READ_ARRAY));
	XT_STEP(11, ioctl(ro, XIPMAP_IOC_ERASE, &erase));
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	XT_STEP(12, p == MAP_FAILED);
	XT_STEP(13, write(ro, "", 1) < 0);
	XT_STEP(14, ioctl(ro, XIPMAP_IOC_INFO, &i));
	return xt_report(0, 0);
}

static int unprivileged_user_changes_nothing(void)
{
	char a[2][12];
	char *argv[] = { (char *)xt_self, "unprivileged", a[0], a[1], NULL };
	struct xt_report r;
	int ro, rw, ok;

	/* Inherited across execve(); above XT_REPORT_FD, which the child takes. */
	ro = open(XT_NOR, O_RDONLY);
	rw = open(XT_NOR, O_RDWR);
	if (ro < 0 || rw < 0) {
		ksft_print_msg("open %s: %s\n", XT_NOR, xt_errname(errno));
		if (ro >= 0)
			close(ro);
		return XT_FAIL;
	}
	xjoin(a[0], sizeof(a[0]), itoa(ro), NULL);
	xjoin(a[1], sizeof(a[1]), itoa(rw), NULL);
	xt_spawn(argv, 0, &r);
	close(ro);
	close(rw);
	ok = xt_steps_verdict(xt_steps, ARRAY_SIZE(xt_steps), r);
	/* Had an ioctl wrongly worked, it set what was there already. */
	return xt_put_back(NOR, ok);
}

#define WHY_PRIVATE	"with an MMU a private mapping is the process's own, copied on write"
#define WHY_OVERLAP	"regions that overlay one another are no-MMU's way of sharing"

static const struct xt_test tests[] = {
	XT_TEST(personalities_as_loaded),
	XT_TEST(personality_and_caps_can_be_set),
	XT_TEST_NOMMU(every_capability_mask, "mm/nommu.c's reading of the capabilities; "
		      "mmu_map checks the driver's with an MMU"),
	XT_TEST_NOMMU(nand_private_copy_is_shared_with_other_processes, WHY_PRIVATE),
	XT_TEST_NOMMU(nand_writes_do_not_reach_copies, "with an MMU a device that can only "
		      "be copied is not mapped (mmu_map)"),
	XT_TEST(shared_without_direct_is_enodev),
	XT_TEST_NOMMU(ram_shared_rw_is_device_memory, XT_WHY_PLACE),
	XT_TEST_NOMMU(fb_shared_rw_is_device_memory, XT_WHY_PLACE),
	XT_TEST_NOMMU(fb_without_read_method_cannot_be_copied, "with an MMU the kernel copies "
		      "a private page on write, without a read method (mmu_map)"),
	XT_TEST_NOMMU(exec_without_exec_capability, XT_WHY_PLACE),
	XT_TEST_NOMMU(enosys_gua_shared_is_enodev, XT_WHY_ENOSYS),
	XT_TEST_NOMMU(enosys_gua_private_is_copied, XT_WHY_ENOSYS),
	XT_TEST_NOMMU(enosys_private_is_copied, XT_WHY_ENOSYS),
	XT_TEST_NOMMU(enosys_shared_is_enodev, XT_WHY_ENOSYS),
	XT_TEST_NOMMU(enosys_private_on_existing_region_is_enodev, XT_WHY_ENOSYS),
	XT_TEST_NOMMU(traced_process_gets_its_own_copy, WHY_PRIVATE),
	XT_TEST_NOMMU(traced_process_on_direct_device_gets_a_copy, WHY_PRIVATE),
	XT_TEST_NOMMU(private_writable_is_never_shared, WHY_PRIVATE),
	XT_TEST_NOMMU(overlaps_on_a_copied_device, WHY_OVERLAP),
	XT_TEST_NOMMU(overlaps_on_a_direct_device, WHY_OVERLAP),
	XT_TEST_NOMMU(longer_overlay_at_the_same_start, WHY_OVERLAP),
	XT_TEST_NOMMU(second_mapping_in_one_process, WHY_OVERLAP),
	XT_TEST(sysfs_matches_the_ioctl),
	XT_TEST(ioctl_bad_values_are_einval),
	XT_TEST(ioctl_unknown_command_is_enotty),
	XT_TEST(state_changes_need_cap_sys_admin),
	XT_TEST(erase_needs_the_file_open_for_writing),
	XT_TEST_MMU(blocked_reader_does_not_block_opens, "userfaultfd, which holds a reader, "
		    "needs an MMU"),
	XT_TEST(unprivileged_user_changes_nothing),
};

int main(int argc, char **argv)
{
	xt_setup();
	if (xt_is_peer(argc, argv))
		return xt_peer_main(argc, argv);
	page = xt_page_size();
	if (argc == 4 && !strcmp(argv[1], "uffd-blocked"))
		return uffd_blocked_main(argv);
	if (argc == 3 && !strcmp(argv[1], "opener"))
		return opener_main(argv);
	if (argc == 4 && !strcmp(argv[1], "unprivileged"))
		return unprivileged_main(argv);
	xt_open_devices(fd, info, NR_DEV);
	if (!xt_mmu() && !info[NOR].base)
		ksft_exit_fail_msg("%s reports no direct address on a no-MMU kernel\n", path[NOR]);
	xt_run(tests, ARRAY_SIZE(tests), xt_put_back_all);
}
