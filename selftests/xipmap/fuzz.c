// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer over every entry point of xipmap that user space has:
 * the ioctls, mmap(), read() and pread(), write() and pwrite(), lseek()
 * of the flash devices and of xipramfs files, ftruncate() of xipramfs
 * files, xipramfs mount options and the module's parameters.
 *
 * The claim, one test per entry point: every call returns success or an
 * errno from the set the kernel and the driver (module/) can give for it,
 * and nothing impossible comes back (a read longer than asked or past the
 * end of the device, a mapping that cannot be unmapped, an ioctl that
 * succeeds with a value the ABI refuses, an offset lseek() did not ask
 * for).  Where the outcome follows from the arguments alone, the exact
 * outcome is checked.  A kernel report during the run is qemu/judge's to
 * see.  Then: every mapping, descriptor and page is back.
 *
 * The seed is fixed and printed: "fuzz SEED" or XIPMAP_FUZZ_SEED=SEED
 * repeats another run.  A case fails if it made fewer calls than its
 * target.  The module is unloaded for the parameter fuzzing and loaded
 * again with its parameters as they were.
 */
#include <linux/mount.h>

#include "xipmap_test.h"

/*
 * nolibc's x86-64 memset() is top-level assembly that leaves the assembler
 * in its own section: the first function compiled after it would start
 * there, and one with a jump table would not assemble.  Back to .text.
 */
__asm__(".text");

#define MODNAME		"xipmap"
#define DIR		"xt-fuzz"
#define MNT		"xt-fuzz-mnt"
#define NR_DEV		4
#define NR_FILES	3
#define BUF_SIZE	65536
#define SHOW_MAX	5	/* unexpected results printed per entry point */
/* FSCONFIG_CMD_CREATE_EXCL (Linux 6.6), which a C library's own fsconfig enum may lack. */
#define FZ_CMD_CREATE_EXCL	8
#define DEFAULT_SEED	0x78697066u	/* "xipf" */

/* ------------------------------------------------------------------ */
/* The generator: xt_rnd(), xorshift64, shifts and xors only (no libgcc on ARM). */

/* xt_below() for 64 bits, without 64-bit division (no libgcc on ARM). */
static __u64 below64(__u64 n)
{
	if (n >> 32)
		return (__u64)xt_below(n >> 32) << 32 | xt_rnd();
	return xt_below(n);
}

static __u64 rnd64(void)
{
	return (__u64)xt_rnd() << 32 | xt_rnd();
}

/* One in @n. */
static int chance(__u32 n)
{
	return xt_below(n) == 0;
}

/* ------------------------------------------------------------------ */
/* System calls nolibc lacks, with 64-bit offsets on 32-bit programs. */

static long fz_pread(int fd, void *buf, unsigned long count, long long pos)
{
#if __SIZEOF_LONG__ == 8
	return xsysret(xsyscall4(__NR_pread64, fd, buf, count, pos));
#elif defined(__arm__)
	/* EABI: the 64-bit offset starts at an even register. */
	return xsysret(xsyscall6(__NR_pread64, fd, buf, count, 0, (unsigned long)pos,
				    (unsigned long)((unsigned long long)pos >> 32)));
#else
	return xsysret(xsyscall5(__NR_pread64, fd, buf, count, (unsigned long)pos,
				    (unsigned long)((unsigned long long)pos >> 32)));
#endif
}

static long fz_pwrite(int fd, const void *buf, unsigned long count, long long pos)
{
#if __SIZEOF_LONG__ == 8
	return xsysret(xsyscall4(__NR_pwrite64, fd, buf, count, pos));
#elif defined(__arm__)
	return xsysret(xsyscall6(__NR_pwrite64, fd, buf, count, 0, (unsigned long)pos,
				    (unsigned long)((unsigned long long)pos >> 32)));
#else
	return xsysret(xsyscall5(__NR_pwrite64, fd, buf, count, (unsigned long)pos,
				    (unsigned long)((unsigned long long)pos >> 32)));
#endif
}

/* lseek() with a 64-bit offset and result (_llseek on 32-bit); -1 and errno. */
static long long fz_lseek(int fd, long long off, int whence)
{
#if __SIZEOF_LONG__ == 8
	return xsysret(xsyscall3(__NR_lseek, fd, off, whence));
#else
	long long result = 0;
	long r = xsyscall5(__NR__llseek, fd, (unsigned long)((unsigned long long)off >> 32),
			     (unsigned long)off, &result, whence);

	return r ? xsysret(r) : result;
#endif
}

#if __SIZEOF_LONG__ == 4
/*
 * The 32-bit lseek(2), its result unsigned: nolibc's lseek() takes any
 * negative return for an errno, and a 64-bit kernel's compat lseek can
 * return an offset of 2 GiB or more cut to 32 bits (see fuzz_one_lseek()).
 */
static long long fz_lseek32(int fd, long off, int whence)
{
	long r = xsyscall3(__NR_lseek, fd, off, whence);

	if ((unsigned long)r >= -4095UL) {
		errno = -r;
		return -1;
	}
	return (unsigned long)r;
}
#endif

/* The size of the file open at @fd, or -1. */
static long long fz_size(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx))
		return -1;
	return stx.stx_size;
}

/*
 * mmap(2) at a hint, with an offset in 4 KiB units (mmap2 on 32-bit, as
 * xmmap_pgoff()); MAP_FAILED with errno set.
 */
static void *fz_mmap(unsigned long hint, unsigned long len, int prot, int flags, int fd,
		     unsigned long pgoff)
{
#if __SIZEOF_LONG__ == 8
	long r = xsyscall6(__NR_mmap, hint, len, prot, flags, fd, pgoff << 12);
#else
	long r = xsyscall6(__NR_mmap2, hint, len, prot, flags, fd, pgoff);
#endif

	if ((unsigned long)r >= -4095UL) {
		errno = -r;
		return MAP_FAILED;
	}
	return (void *)r;
}

static int fz_fsopen(const char *fs, unsigned int flags)
{
	return xsysret(xsyscall2(__NR_fsopen, fs, flags));
}

static int fz_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
	return xsysret(xsyscall5(__NR_fsconfig, fd, cmd, key, value, aux));
}

static int fz_fsmount(int fd, unsigned int flags, unsigned int attr)
{
	return xsysret(xsyscall3(__NR_fsmount, fd, flags, attr));
}

/*
 * Numbers in words for messages: several in one, each in a buffer of its
 * own (nolibc's utoa() and friends share one).
 */
static const char *dec(long long v)
{
	static char b[8][24];
	static unsigned int next;
	char *s = b[next++ % ARRAY_SIZE(b)];

	i64toa_r(v, s);
	return s;
}

static const char *udec(unsigned long long v)
{
	static char b[8][24];
	static unsigned int next;
	char *s = b[next++ % ARRAY_SIZE(b)];

	u64toa_r(v, s);
	return s;
}

static const char *hex(unsigned long long v)
{
	static char b[8][24];
	static unsigned int next;
	char *s = b[next++ % ARRAY_SIZE(b)];

	s[0] = '0';
	s[1] = 'x';
	u64toh_r(v, s + 2);
	return s;
}

/* ------------------------------------------------------------------ */
/* Entry points, their counts and what came back. */

struct ep {
	const char *name;
	unsigned long target;	/* calls the case must make */
	unsigned long calls;
	unsigned long unexpected;
};

enum {
	EP_IOCTL, EP_MMAP, EP_READ, EP_WRITE, EP_LSEEK, EP_TRUNCATE, EP_MOUNT, EP_MODULE,
	NR_EP
};

/*
 * Targets: 100,000 calls and more in all on a kernel with the debug
 * checkers, where a call the driver gets wrong is also caught by them,
 * weighted to what a call costs (a mount or a module load costs a hundred
 * ioctls): about 12 s on the no-MMU debug kernel, 50 s under KASAN.  The
 * other kernels make a quarter of each (setup()): the same argument
 * checks, on 32-bit and on Debian's kernel, in a second or two.
 */
static struct ep eps[NR_EP] = {
	[EP_IOCTL]	= { "ioctl", 51000 },
	[EP_MMAP]	= { "mmap", 2000 },
	[EP_READ]	= { "read", 8000 },
	[EP_WRITE]	= { "write", 3000 },
	[EP_LSEEK]	= { "lseek", 35000 },
	[EP_TRUNCATE]	= { "ftruncate", 1500 },
	[EP_MOUNT]	= { "mount", 300 },
	[EP_MODULE]	= { "module_params", 8 },
};

/*
 * The whole program must end within kselftest's timeout (settings: 300 s)
 * however slow the machine: past this many seconds every case stops
 * early, and fails for making fewer calls than its target.  Under KASAN,
 * beside another guest on two cores, the calls took 80 s.
 */
#define BUDGET_S	240

static long start_s;

static int more(int ep)
{
	struct timeval tv;

	if (eps[ep].calls >= eps[ep].target)
		return 0;
	if (eps[ep].calls % 64)
		return 1;
	gettimeofday(&tv, NULL);
	return tv.tv_sec - start_s < BUDGET_S;
}

/* Errno sets, 0-terminated. */
static const int ERR_EBADF[] = { EBADF, 0 };

static int in_set(int e, const int *set)
{
	for (; *set; set++)
		if (*set == e)
			return 1;
	return 0;
}

/* Note an unexpected result of entry point @ep, saying what was asked. */
static void unexpected(int ep, const char *fmt, ...)
{
	va_list ap;

	if (eps[ep].unexpected++ >= SHOW_MAX)
		return;
	va_start(ap, fmt);
	printf("# %s: ", eps[ep].name);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
}

/*
 * Judge a call that returned @ret (< 0: failed with @err): a failure must
 * have an errno in @set; success is judged by the caller.  Counts the
 * call.  Returns 1 if it failed as allowed or succeeded.
 */
static int judge_err(int ep, long long ret, int err, const int *set, const char *what)
{
	eps[ep].calls++;
	if (ret >= 0 || in_set(err, set))
		return 1;
	unexpected(ep, "%s: %s (%d), not one of the errnos it can give\n", what,
		   xt_errname(err), err);
	return 0;
}

/* Judge a call whose exact outcome is known: @want 0 for success. */
static void judge_exact(int ep, long long ret, int err, int want, const int *also,
			const char *what)
{
	eps[ep].calls++;
	if (ret >= 0 && !want)
		return;
	if (ret < 0 && (err == want || (also && in_set(err, also))))
		return;
	unexpected(ep, "%s: %s, expected %s\n", what, ret < 0 ? xt_errname(err) : "success",
		   xt_errname(want));
}

/* ------------------------------------------------------------------ */
/* What the fuzzer works on. */

static unsigned long page;
static int mmu, debug_kernel, small_memory;
static struct xipmap_info info0[NR_DEV];
static unsigned char buf[BUF_SIZE];
static unsigned char *guard;	/* MMU: a page whose next page is unmapped */
static void *ro_page;		/* MMU: an anonymous read-only page of zeroes */

struct fz_fd {
	int fd;
	int mode;		/* O_RDONLY, O_WRONLY, O_RDWR */
	int noread;		/* a device opened while it had no read method */
	int dev;		/* device number, or -1 for a file */
	char path[64];
};

static struct fz_fd devs[NR_DEV], files[NR_FILES];

/* Open @f (its path set) with a random mode. */
static void fz_open(struct fz_fd *f, int create)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	struct xipmap_info info;

	f->mode = modes[xt_below(ARRAY_SIZE(modes))];
	f->fd = open(f->path, f->mode | (create ? O_CREAT : 0), 0600);
	if (f->fd < 0)
		ksft_exit_fail_msg("open %s: %s\n", f->path, xt_errname(errno));
	f->noread = 0;
	if (f->dev >= 0) {
		info = xt_info(f->fd);
		f->noread = !!(info.flags & XIPMAP_INFO_NO_READ);
	}
}

static void fz_reopen(struct fz_fd *f)
{
	close(f->fd);
	fz_open(f, 1);
}

/* Any of the open descriptors, now and then a file rather than a device. */
static struct fz_fd *pick(int files_too)
{
	if (files_too && chance(3))
		return &files[xt_below(NR_FILES)];
	return &devs[xt_below(NR_DEV)];
}

/* A descriptor that is not open: EBADF for every call. */
static int bad_fd(void)
{
	static const int bad[] = { -1, -100, 1000, 65535 };

	return bad[xt_below(ARRAY_SIZE(bad))];
}

/* Reopen one descriptor now and then: personality changes show on open. */
static void churn(void)
{
	if (chance(200))
		fz_reopen(pick(1));
}

static struct xipmap_info dev_info(const struct fz_fd *f)
{
	return xt_info(f->fd);
}

/*
 * Bad pointers, for the calls that dereference one.  Only with an MMU:
 * a no-MMU kernel does not check user pointers (access_ok() is always
 * true and RISC-V's copy_to_user() is memcpy() without a fixup), so any
 * bad pointer is either memory the kernel then overwrites or an Oops,
 * whatever the driver does (docs/conformance.md, 5).  NULL too: address
 * 0 is RAM on the MPS2.  No-MMU runs skip them.
 */
static void *bad_pointer(void)
{
	static const unsigned long bad[] = {
		0, 1, 16, 4095,
#if __SIZEOF_LONG__ == 8
		0xffffffff80000000UL,	/* kernel text on x86-64 and RISC-V */
		0x8000000000000000UL,	/* non-canonical */
		~0UL - 15,
#else
		0xfffff000UL,		/* above a 32-bit task's TASK_SIZE */
#endif
	};

	if (chance(4))
		return guard + page;	/* the unmapped page after guard */
	return (void *)bad[xt_below(ARRAY_SIZE(bad))];
}

/* ------------------------------------------------------------------ */
/* ioctl */

static const unsigned int known_cmds[] = {
	XIPMAP_IOC_INFO, XIPMAP_IOC_SET_PERSONALITY, XIPMAP_IOC_SET_CAPS,
	XIPMAP_IOC_SET_ENOSYS, XIPMAP_IOC_SET_STATE, XIPMAP_IOC_ERASE,
};

static int is_known(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known_cmds); i++)
		if (known_cmds[i] == cmd)
			return 1;
	return 0;
}

/*
 * ioctl types the VFS (or compat_sys_ioctl) handles itself before the
 * driver, some with effects on the whole filesystem (FIFREEZE): not the
 * driver's entry point, and not fuzzed.
 */
static int vfs_type(unsigned int type)
{
	return type == 0x00 || type == 'T' || type == 'X' || type == 'f' || type == 0x94 ||
	       type == 0x15;
}

/* A value for SET_@cmd: mostly valid ones, some never valid. */
static __u32 set_value(unsigned int cmd)
{
	__u32 v = chance(8) ? xt_rnd() : xt_below(8);

	/*
	 * Busy states copy the whole array (kvmalloc): rarer, and rarer
	 * still with 16 MiB of memory.
	 */
	if (cmd == XIPMAP_IOC_SET_STATE && (v == XIPMAP_STATE_PROGRAM || v == XIPMAP_STATE_ERASE) &&
	    !chance(small_memory ? 20 : 4))
		v = XIPMAP_STATE_READ_ARRAY;
	if (cmd == XIPMAP_IOC_SET_CAPS && chance(2))
		v = xt_below(XIPMAP_CAP_ALL + 1);
	if (cmd == XIPMAP_IOC_SET_ENOSYS && chance(2))
		v = xt_below(XIPMAP_ENOSYS_ALL + 1);
	return v;
}

static int set_valid(unsigned int cmd, __u32 v)
{
	switch (cmd) {
	case XIPMAP_IOC_SET_PERSONALITY:
		return v <= XIPMAP_PERSONALITY_FB;
	case XIPMAP_IOC_SET_CAPS:
		return !(v & ~XIPMAP_CAP_ALL);
	case XIPMAP_IOC_SET_ENOSYS:
		return !(v & ~XIPMAP_ENOSYS_ALL);
	default:
		return v <= XIPMAP_STATE_ERASE;
	}
}

/* An erase request: mostly whole blocks inside, some not. */
static struct xipmap_erase erase_request(const struct xipmap_info *info, int *valid)
{
	/* Shifts, not 64-bit division, which ARM's missing libgcc would do. */
	unsigned int shift = __builtin_ctz(info->erasesize);
	__u32 blocks = info->size >> shift, first = xt_below(blocks);
	struct xipmap_erase e;

	e.offset = (__u64)first << shift;
	e.length = (__u64)(1 + xt_below(blocks - first)) << shift;
	if (chance(2))
		e.length = info->erasesize;
	switch (xt_below(8)) {
	case 0:
		e.offset += xt_below(info->erasesize);
		break;
	case 1:
		e.length = xt_below(2 * info->erasesize);
		break;
	case 2:
		e.offset = rnd64();
		break;
	case 3:
		e.length = rnd64();
		break;
	case 4:
		e.length = ~0ULL - e.offset + 1 + info->erasesize;	/* wraps */
		break;
	}
	*valid = e.length && e.offset < info->size && e.length <= info->size - e.offset &&
		 !(e.offset & (info->erasesize - 1)) && !(e.length & (info->erasesize - 1));
	return e;
}

/* Whether XIPMAP_IOC_INFO says what it can: the fixed fields, known values. */
static int info_sane(const struct xipmap_info *info, const struct xipmap_info *first)
{
	return info->size == first->size && info->erasesize == first->erasesize &&
	       info->base == first->base && info->personality <= XIPMAP_PERSONALITY_FB &&
	       !(info->caps & ~XIPMAP_CAP_ALL) && !(info->enosys & ~XIPMAP_ENOSYS_ALL) &&
	       info->state <= XIPMAP_STATE_ERASE && !(info->flags & ~XIPMAP_INFO_NO_READ);
}

/* The capabilities each personality sets, as the ABI documents them. */
static const __u32 preset_caps[] = { XT_CAPS_NOR, XT_CAPS_RAM, XT_CAPS_NAND, XT_CAPS_FB };

/* A known command on a device, with a good pointer. */
static void ioctl_known(struct fz_fd *f)
{
	unsigned int cmd = known_cmds[xt_below(ARRAY_SIZE(known_cmds))];
	struct xipmap_info info, after;
	struct xipmap_erase e;
	char what[96];
	int valid, want;
	__u32 v;
	long r;

	xjoin(what, sizeof(what), f->path, " ", NULL);
	switch (cmd) {
	case XIPMAP_IOC_INFO:
		memset(&info, 0xa5, sizeof(info));
		errno = 0;
		r = ioctl(f->fd, cmd, &info);
		xjoin(what, sizeof(what), f->path, ": XIPMAP_IOC_INFO", NULL);
		judge_exact(EP_IOCTL, r, errno, 0, NULL, what);
		if (!r && !info_sane(&info, &info0[f->dev])) {
			unexpected(EP_IOCTL, "%s: size %llu erasesize %u personality %u\n", what,
				   info.size, info.erasesize, info.personality);
			ksft_print_msg("%s: caps %#x enosys %#x state %u flags %#x\n", what,
				       info.caps, info.enosys, info.state, info.flags);
		}
		return;
	case XIPMAP_IOC_ERASE:
		info = dev_info(f);
		e = erase_request(&info, &valid);
		want = !(f->mode != O_RDONLY) ? EBADF : valid ? 0 : EINVAL;
		errno = 0;
		r = ioctl(f->fd, cmd, &e);
		judge_exact(EP_IOCTL, r, errno, want, NULL,
			    xjoin(what, sizeof(what), f->path, ": XIPMAP_IOC_ERASE offset ",
				  udec(e.offset), " length ", udec(e.length), NULL));
		return;
	}
	v = set_value(cmd);
	valid = set_valid(cmd, v);
	errno = 0;
	r = ioctl(f->fd, cmd, &v);
	xjoin(what, sizeof(what), f->path, ": XIPMAP_IOC_SET_",
	      cmd == XIPMAP_IOC_SET_PERSONALITY ? "PERSONALITY " :
	      cmd == XIPMAP_IOC_SET_CAPS ? "CAPS " :
	      cmd == XIPMAP_IOC_SET_ENOSYS ? "ENOSYS " : "STATE ", udec(v), NULL);
	{
		/* Without memory for the copy of the data, a busy state is ENOMEM. */
		static const int enomem[] = { ENOMEM, 0 };

		judge_exact(EP_IOCTL, r, errno, valid ? 0 : EINVAL,
			    cmd == XIPMAP_IOC_SET_STATE && valid ? enomem : NULL, what);
	}
	if (r)
		return;
	/* What was set is what XIPMAP_IOC_INFO says now (one more call). */
	errno = 0;
	r = ioctl(f->fd, XIPMAP_IOC_INFO, &after);
	judge_exact(EP_IOCTL, r, errno, 0, NULL, what);
	if (!r && ((cmd == XIPMAP_IOC_SET_PERSONALITY &&
		    (after.personality != v || after.caps != preset_caps[v])) ||
		   (cmd == XIPMAP_IOC_SET_CAPS && after.caps != v) ||
		   (cmd == XIPMAP_IOC_SET_ENOSYS && after.enosys != v) ||
		   (cmd == XIPMAP_IOC_SET_STATE && after.state != v)))
		unexpected(EP_IOCTL, "%s: then personality %u caps %#x enosys %#x state %u\n",
			   what, after.personality, after.caps, after.enosys, after.state);
}

/* A known command given a bad pointer (MMU only): EFAULT, or EBADF first. */
static void ioctl_bad_pointer(struct fz_fd *f)
{
	unsigned int cmd = known_cmds[xt_below(ARRAY_SIZE(known_cmds))];
	void *p = bad_pointer();
	char what[96];
	int want = EFAULT;
	long r;

	if (cmd == XIPMAP_IOC_ERASE && f->mode == O_RDONLY)
		want = EBADF;
	/* Readable, all zeroes: SET_* read 0, valid for each; INFO cannot write. */
	if (cmd != XIPMAP_IOC_INFO && cmd != XIPMAP_IOC_ERASE && chance(4)) {
		p = ro_page;
		want = 0;
	}
	xjoin(what, sizeof(what), f->path, ": known ioctl ", hex(cmd), " at address ",
	      hex((unsigned long)p), NULL);
	errno = 0;
	r = ioctl(f->fd, cmd, p);
	judge_exact(EP_IOCTL, r, errno, want, NULL, what);
}

/* An ioctl number the driver does not know: ENOTTY, whatever the argument. */
static void ioctl_unknown(struct fz_fd *f, int on_file)
{
	static const unsigned int sizes[] = { 0, 1, 4, 8, 16, 40, 24, 256 };
	unsigned int type, cmd, size;
	unsigned long arg;
	char what[96];
	long r;

	do {
		type = chance(2) ? XIPMAP_IOC_MAGIC : xt_below(256);
		size = chance(4) ? xt_below(1 << _IOC_SIZEBITS) : sizes[xt_below(ARRAY_SIZE(sizes))];
		cmd = _IOC(xt_below(4), type, chance(2) ? xt_below(16) : xt_below(256), size);
		if (chance(16))
			cmd = xt_rnd();
	} while (vfs_type(_IOC_TYPE(cmd)) || (!on_file && is_known(cmd)));
	/*
	 * The argument is only a number to a command refused before it is
	 * looked at, so any will do, without an MMU too: a driver that
	 * dereferenced it would be the bug to find.
	 */
	switch (xt_below(4)) {
	case 0:
		arg = (unsigned long)buf;
		break;
	case 1:
		arg = xt_below(4096);
		break;
	default:
		arg = xt_rnd() | (unsigned long)rnd64();
	}
	xjoin(what, sizeof(what), f->path, ": ioctl ", hex(cmd), NULL);
	errno = 0;
	r = ioctl(f->fd, cmd, (void *)arg);
	judge_exact(EP_IOCTL, r, errno, ENOTTY, NULL, what);
}

static int fuzz_ioctl(void)
{
	while (more(EP_IOCTL)) {
		struct fz_fd *f = pick(0);
		unsigned int k = xt_below(20);

		churn();
		if (k == 0) {
			unsigned int cmd = chance(2) ? known_cmds[xt_below(ARRAY_SIZE(known_cmds))] :
					   xt_rnd();

			long r;

			errno = 0;
			r = ioctl(bad_fd(), cmd, buf);
			judge_exact(EP_IOCTL, r, errno, EBADF, NULL,
				    "ioctl on a descriptor that is not open");
		} else if (k <= 2) {
			/* xipramfs files have no ioctls: ENOTTY even for the device's. */
			struct fz_fd *file = &files[xt_below(NR_FILES)];
			unsigned int cmd = known_cmds[xt_below(ARRAY_SIZE(known_cmds))];

			if (chance(2)) {
				ioctl_unknown(file, 1);
			} else {
				long r;

				errno = 0;
				r = ioctl(file->fd, cmd, buf);
				judge_exact(EP_IOCTL, r, errno, ENOTTY, NULL,
					    "an xipmap ioctl on an xipramfs file");
			}
		} else if (k <= 4 && mmu) {
			ioctl_bad_pointer(f);
		} else if (k <= 12) {
			ioctl_known(f);
		} else {
			ioctl_unknown(f, 0);
		}
	}
	return XT_PASS;
}

/* ------------------------------------------------------------------ */
/* mmap */

/* No-MMU: a private mapping may be a copy the kernel allocates in one run. */
static unsigned long copy_limit(void)
{
	return small_memory ? 16 * page : 64 * page;
}

/*
 * mm/nommu.c prints "MAP_SHARED not completely supported on !MMU" for a
 * shared mapping of a direct device whose protection the capabilities do
 * not cover: allowed a few times, not thousands (the kernel log must not
 * wrap).
 */
static int nommu_warnings = 8;

static int would_warn(const struct fz_fd *f, int prot, int flags)
{
	struct xipmap_info info;

	if (mmu || f->dev < 0 || (flags & MAP_TYPE) != MAP_SHARED || (flags & MAP_FIXED) ||
	    f->mode == O_WRONLY || ((prot & PROT_WRITE) && f->mode == O_RDONLY))
		return 0;
	info = dev_info(f);
	if (!(info.caps & XIPMAP_CAP_DIRECT))
		return 0;
	return ((prot & PROT_READ) && !(info.caps & XIPMAP_CAP_READ)) ||
	       ((prot & PROT_WRITE) && !(info.caps & XIPMAP_CAP_WRITE)) ||
	       ((prot & PROT_EXEC) && !(info.caps & XIPMAP_CAP_EXEC));
}

static const int ERR_MMAP[] = {
	EINVAL, ENODEV, EACCES, EBUSY, ENOMEM, EOVERFLOW, EPERM, EEXIST, EOPNOTSUPP, 0
};

static unsigned long mmap_length(unsigned long size)
{
	switch (xt_below(10)) {
	case 0:
		return 0;
	case 1:
		return 1 + xt_below(page);
	case 2:
		return size ? size : page;
	case 3:
		return size + page;
	case 4:
		return ~0UL - xt_below(2 * page);
	case 5:
		return (unsigned long)rnd64();
	default:
		return (1 + xt_below(16)) * page - (chance(4) ? xt_below(page) : 0);
	}
}

/* A page offset: inside, at the end, past it, or absurd. */
static unsigned long mmap_pgoff(unsigned long size)
{
	unsigned long pages = size / page;

	switch (xt_below(8)) {
	case 0:
		return pages;
	case 1:
		return pages + xt_below(16);
	case 2:
		return (unsigned long)rnd64();
	case 3:
		return ~0UL - xt_below(16);
	default:
		return pages ? xt_below(pages) : 0;
	}
}

static void fuzz_one_mmap(void)
{
	static const int extra[] = {
		MAP_POPULATE, MAP_NORESERVE, MAP_NONBLOCK, MAP_DENYWRITE, MAP_EXECUTABLE,
		MAP_STACK, MAP_LOCKED, MAP_HUGETLB, MAP_FIXED_NOREPLACE, MAP_FIXED,
	};
	struct fz_fd *f = pick(1);
	int fd = f->fd, prot, flags, ufd = 0, e;
	unsigned long len, pgoff, size, hint = 0;
	long long fsize = -1;
	char what[160];
	void *p;

	if (chance(50)) {
		fd = bad_fd();
		ufd = 1;
	}
	size = f->dev >= 0 ? info0[f->dev].size : 0;
	if (f->dev < 0) {
		fsize = fz_size(f->fd);
		size = fsize > 0 && fsize < (1LL << 30) ? fsize : 0;
	}
	len = mmap_length(size);
	pgoff = mmap_pgoff(size);
	prot = xt_below(8);
	if (chance(50))
		prot |= PROT_SEM;
	flags = chance(2) ? MAP_SHARED : MAP_PRIVATE;
	if (chance(30))
		flags = chance(2) ? 0 : MAP_SHARED_VALIDATE;
	if (chance(4))
		flags |= extra[xt_below(ARRAY_SIZE(extra))];
	/*
	 * MAP_FIXED only where it is refused (no-MMU: always EINVAL); with an
	 * MMU it would replace whatever is there.  MAP_FIXED_NOREPLACE with an
	 * MMU is aimed at this program's own buffer: EEXIST.
	 */
	if (mmu && (flags & MAP_FIXED))
		flags &= ~MAP_FIXED;
	if (mmu && (flags & MAP_FIXED_NOREPLACE))
		hint = ((unsigned long)buf + page) & ~(page - 1);
	/* Without an MMU a private mapping may be copied into a new run. */
	if (!mmu && ((flags & MAP_TYPE) != MAP_SHARED) && len > copy_limit() && len < ~0UL - page)
		len = 1 + xt_below(copy_limit());
	if (would_warn(f, prot, flags) && nommu_warnings-- <= 0)
		prot &= ~(PROT_READ | PROT_WRITE | PROT_EXEC);	/* PROT_NONE never warns */

	xjoin(what, sizeof(what), ufd ? "a descriptor that is not open" : f->path, ": len ",
	      hex(len), " pgoff ", hex(pgoff), " prot ", hex(prot), " flags ", hex(flags),
	      NULL);
	errno = 0;
	p = fz_mmap(hint, len, prot, flags, fd, pgoff << (__builtin_ctzl(page) - 12));
	e = errno;
	if (p == MAP_FAILED) {
		judge_err(EP_MMAP, -1, e, ufd ? ERR_EBADF : ERR_MMAP, what);
		return;
	}
	eps[EP_MMAP].calls++;
	if (ufd || ((unsigned long)p & (page - 1))) {
		unexpected(EP_MMAP, "%s: mapped at %p, expected %s\n", what, p,
			   ufd ? "EBADF" : "a page-aligned address");
		if (!ufd)
			return;
	}
	/* Touch it where it has memory behind it: reading, and storing back. */
	if ((prot & PROT_READ) && (f->dev >= 0 || !mmu ||
				   (fsize > 0 && ((__u64)pgoff * page) < (__u64)fsize))) {
		(void)__atomic_load_n((unsigned char *)p, __ATOMIC_RELAXED);
		if (prot & PROT_WRITE)
			xt_rewrite(p);
	}
	if (chance(32)) {
		char line[160];

		if (xt_maps_line(p, line, sizeof(line)))
			unexpected(EP_MMAP, "%s: at %p, not in /proc/self/maps\n", what, p);
	}
	if (munmap(p, len))
		unexpected(EP_MMAP, "%s: munmap(%p) of what mmap() returned: %s\n", what, p,
			   xt_errname(errno));
}

static int fuzz_mmap(void)
{
	while (more(EP_MMAP)) {
		churn();
		fuzz_one_mmap();
	}
	return XT_PASS;
}

/* ------------------------------------------------------------------ */
/* read, write */

static const int ERR_READ[] = { EINVAL, EFAULT, ENOMEM, 0 };
static const int ERR_WRITE[] = { EINVAL, EFAULT, ENOMEM, ENOSPC, EFBIG, 0 };

/* An offset: inside, near the end, past it, huge, negative. */
static long long file_offset(unsigned long long size)
{
	switch (xt_below(10)) {
	case 0:
		return -(long long)(1 + xt_below(65536));
	case 1:
		return (long long)(rnd64() >> 1);
	case 2:
		return (long long)rnd64();
	case 3:
		return size;
	case 4:
		return size + xt_below(65536);
	case 5:
		return size > 100 ? size - xt_below(100) : 0;
	default:
		return size ? (long long)below64(size) : xt_below(page);
	}
}

static unsigned long io_count(void)
{
	switch (xt_below(12)) {
	case 0:
		return 0;
	case 1:
		return 1 + xt_below(16);
	case 2:
		return BUF_SIZE - xt_below(page);
	default:
		return 1 + xt_below(2 * page);
	}
}

/*
 * Where a read or write goes: this program's buffer, big enough for
 * @count, or (MMU) a bad pointer, or a buffer that runs into an unmapped
 * page, which may give a short count.  *@bad says which.
 */
static void *io_buffer(unsigned long *count, int *bad)
{
	*bad = 0;
	if (!mmu || !chance(10))
		return buf;
	*bad = 1 + chance(2);
	if (*bad == 1)
		return bad_pointer();
	*count = 1 + xt_below(2 * page);
	return guard + page - xt_below(page);	/* runs off the end of guard */
}

/* The flash's or file's size, for the bound of a read or write. */
static long long size_now(const struct fz_fd *f)
{
	return f->dev >= 0 ? (long long)info0[f->dev].size : fz_size(f->fd);
}

static void fuzz_one_io(int ep)
{
	struct fz_fd *f = pick(1);
	int writing = ep == EP_WRITE, ufd = chance(50), positional = chance(2), bad, e;
	unsigned long count = io_count();
	long long size = size_now(f), pos;
	char what[128];
	void *p;
	long r;

	/* Keep files small: a write past 1 MiB grows memory. */
	if (writing && f->dev < 0 && size > (small_memory ? 256 << 10 : 4 << 20))
		xftruncate(f->fd, 0);
	p = io_buffer(&count, &bad);
#ifdef __riscv
	/*
	 * A finding, not the driver's: on RISC-V with an MMU (6.12), write()
	 * to an xipramfs file from a buffer that runs into an unmapped page
	 * never returns: the atomic user copy makes no progress although the
	 * fault-in said part of the buffer is there, and generic_perform_write()
	 * retries for ever (killable).  ramfs and tmpfs do the same; x86-64
	 * returns a short count.  Not fuzzed there, so the rest can be.
	 */
	if (writing && f->dev < 0 && bad == 2) {
		p = buf;
		bad = 0;
	}
#endif
	pos = positional ? file_offset(size < 0 ? 0 : size) : fz_lseek(f->fd, 0, SEEK_CUR);
	/* Keep file writes from filling memory: a page at a huge offset is fine. */
	if (writing && f->dev < 0 && pos > (4 << 20) && pos < (1LL << 40))
		pos = xt_below(1 << 20);
	if (!positional && pos != fz_lseek(f->fd, pos, SEEK_SET))
		pos = fz_lseek(f->fd, 0, SEEK_CUR);
	if (writing && !bad)
		buf[0] ^= xt_rnd();
	xjoin(what, sizeof(what), ufd ? "a descriptor that is not open" : f->path,
	      writing ? (positional ? ": pwrite " : ": write ") :
			(positional ? ": pread " : ": read "), udec(count), " bytes at ", dec(pos),
	      bad == 1 ? " with a bad pointer" :
	      bad == 2 ? " with a buffer into an unmapped page" : "", NULL);
	errno = 0;
	if (writing)
		r = positional ? fz_pwrite(ufd ? bad_fd() : f->fd, p, count, pos) :
				 write(ufd ? bad_fd() : f->fd, p, count);
	else
		r = positional ? fz_pread(ufd ? bad_fd() : f->fd, p, count, pos) :
				 read(ufd ? bad_fd() : f->fd, p, count);
	e = errno;
	/* ksys_pread64() and ksys_pwrite64() look at the offset first. */
	if (positional && pos < 0) {
		judge_exact(ep, r, e, EINVAL, NULL, what);
		return;
	}
	if (ufd) {
		judge_exact(ep, r, e, EBADF, NULL, what);
		return;
	}
	if ((writing && f->mode == O_RDONLY) || (!writing && f->mode == O_WRONLY)) {
		judge_exact(ep, r, e, EBADF, NULL, what);
		return;
	}
	if (!writing && f->noread) {
		/* A device opened without a read method (fb): vfs_read() says EINVAL. */
		judge_exact(ep, r, e, EINVAL, NULL, what);
		return;
	}
	if (!judge_err(ep, r, e, writing ? ERR_WRITE : ERR_READ, what) || r < 0) {
		if (r < 0 && e == EFAULT && !bad)
			unexpected(ep, "%s: EFAULT for a good buffer\n", what);
		return;
	}
	if ((unsigned long)r > count)
		unexpected(ep, "%s: %ld bytes, more than asked\n", what, r);
	else if (f->dev >= 0 && r > 0 && (pos >= size || r > size - pos))
		unexpected(ep, "%s: %ld bytes, past the end of the %lld-byte device\n", what, r,
			   size);
	else if (f->dev >= 0 && !bad && count && pos < size && r == 0)
		unexpected(ep, "%s: nothing, inside the device\n", what);
	else if (f->dev >= 0 && writing && count && pos >= size)
		unexpected(ep, "%s: %ld bytes past the end, expected ENOSPC\n", what, r);
}

static int fuzz_read(void)
{
	while (more(EP_READ)) {
		churn();
		fuzz_one_io(EP_READ);
	}
	return XT_PASS;
}

static int fuzz_write(void)
{
	while (more(EP_WRITE)) {
		churn();
		fuzz_one_io(EP_WRITE);
	}
	return XT_PASS;
}

/* ------------------------------------------------------------------ */
/* lseek */

static const int ERR_LSEEK[] = { EINVAL, ENXIO, EOVERFLOW, 0 };

static void fuzz_one_lseek(void)
{
	struct fz_fd *f = pick(1);
	int whence = chance(10) ? (int)xt_below(300) : (int)xt_below(5), ufd = chance(50), e;
	long long size = size_now(f), cur = fz_lseek(f->fd, 0, SEEK_CUR), off, r, want = -1;
	int small = 0;
	char what[128];

	off = file_offset(size < 0 ? 0 : size);
	if (whence == SEEK_CUR || whence == SEEK_END)
		off = chance(2) ? off - size : -(long long)below64(size + 2);
	switch (whence) {
	case SEEK_SET:
		want = off;
		break;
	case SEEK_CUR:
		want = cur + off;
		break;
	case SEEK_END:
		want = size + off;
		break;
	case SEEK_DATA:
		want = off;	/* no holes the VFS knows of, up to the end */
		break;
	case SEEK_HOLE:
		want = size;
		break;
	}
#if __SIZEOF_LONG__ == 4
	/* Now and then the 32-bit lseek(), which cannot return past 2 GiB. */
	small = chance(4) && off == (long)off;
#endif
	xjoin(what, sizeof(what), ufd ? "a descriptor that is not open" : f->path,
	      small ? ": 32-bit lseek " : ": lseek ", dec(off), " whence ", dec(whence), NULL);
	errno = 0;
#if __SIZEOF_LONG__ == 4
	if (small)
		r = fz_lseek32(ufd ? bad_fd() : f->fd, off, whence);
	else
#endif
		r = fz_lseek(ufd ? bad_fd() : f->fd, off, whence);
	e = errno;
	if (ufd) {
		judge_exact(EP_LSEEK, r, e, EBADF, NULL, what);
		return;
	}
	if (whence > SEEK_HOLE) {
		judge_exact(EP_LSEEK, r, e, EINVAL, NULL, what);
		return;
	}
	if (!judge_err(EP_LSEEK, r, e, ERR_LSEEK, what) || r < 0) {
		if (r < 0 && e == EOVERFLOW && (!small || want <= 0x7fffffffLL))
			unexpected(EP_LSEEK, "%s: EOVERFLOW for %lld\n", what, want);
		return;
	}
	/*
	 * A finding, not the driver's: compat_sys_lseek() calls ksys_lseek(),
	 * whose off_t is the 64-bit kernel's, so a 32-bit task on a 64-bit
	 * kernel gets an offset past 2 GiB cut to 32 bits instead of
	 * EOVERFLOW.  Said once; a 32-bit kernel says EOVERFLOW.
	 */
	if (small && want > 0x7fffffffLL && r == (want & 0xffffffffLL)) {
		static int said;

		if (!said++)
			ksft_print_msg("finding: %s: %lld, not EOVERFLOW: %lld cut to 32 bits\n",
				       what, r, want);
		return;
	}
	if (r != want || (f->dev >= 0 && r > size))
		unexpected(EP_LSEEK, "%s: at %lld, expected %lld (size %lld)\n", what, r, want,
			   size);
}

static int fuzz_lseek(void)
{
	while (more(EP_LSEEK)) {
		churn();
		fuzz_one_lseek();
	}
	return XT_PASS;
}

/* ------------------------------------------------------------------ */
/* ftruncate */

static const int ERR_TRUNCATE[] = { EINVAL, EFBIG, ENOMEM, ETXTBSY, 0 };

static long long truncate_size(long long size)
{
	/* The largest order the page allocator gives, as no-MMU may ask it. */
	switch (xt_below(12)) {
	case 0:
		return 0;
	case 1:
		return -(long long)(1 + xt_below(1 << 20));
	case 2:
		return (long long)(rnd64() >> 1);
	case 3:
		return (1LL << 32) + xt_below(1 << 20);	/* past 4 GiB */
	case 4:
		return 0x7fffffffffffffffLL;
	case 5:
		return (long long)rnd64();
	case 6:
		return size > 0 ? size - (long long)below64(size) : 0;
	case 7:
		return 1LL << (31 + xt_below(20));
	default:
		return (1 + xt_below(mmu ? 64 : small_memory ? 16 : 64)) * (long long)page -
		       xt_below(page);
	}
}

static void fuzz_one_truncate(void)
{
	struct fz_fd *f = &files[xt_below(NR_FILES)];
	long long size = fz_size(f->fd), len = truncate_size(size), after;
	int fd = f->fd, want = -1, e;
	void *map = MAP_FAILED;
	unsigned long maplen = 0;
	char what[128];
	long r;

	if (chance(10))
		fd = devs[xt_below(NR_DEV)].fd;	/* not a regular file: EINVAL */
	if (chance(50))
		fd = bad_fd();
	/*
	 * No-MMU: truncating an empty file up allocates its whole run at once.
	 * Sizes an allocation could give but that would eat memory are kept
	 * to a few pages; larger runs than the allocator has are EFBIG.
	 */
	if (!mmu && fd == f->fd && size == 0 && len > (long long)(64 * page) &&
	    len < (1LL << 32) && len < (long long)(page << 20))
		len = (1 + xt_below(16)) * (long long)page;
	/* Now and then hold a shared mapping of the file, which pins its pages. */
	if (fd == f->fd && size > 0 && size < (1 << 20) && f->mode == O_RDWR && chance(4)) {
		maplen = size;
		map = mmap(NULL, maplen, PROT_READ, MAP_SHARED, f->fd, 0);
	}
	xjoin(what, sizeof(what), fd == f->fd ? f->path : fd >= 0 ? "a device" :
	      "a descriptor that is not open", ": ftruncate from ", dec(size), " to ",
	      dec(len), map != MAP_FAILED ? " while mapped" : "", NULL);
	errno = 0;
	r = xftruncate64(fd, len);
	e = errno;
	/* do_sys_ftruncate() looks at the length before the descriptor. */
	if (len < 0)
		want = EINVAL;
	else if (fd < 0 || fd >= 1000)
		want = EBADF;
	else if (fd != f->fd || f->mode == O_RDONLY)
		want = EINVAL;
	if (want > 0)
		judge_exact(EP_TRUNCATE, r, e, want, NULL, what);
	else
		judge_err(EP_TRUNCATE, r, e, ERR_TRUNCATE, what);
	after = fz_size(f->fd);
	if (fd == f->fd && ((!r && after != len) || (r && after != size)))
		unexpected(EP_TRUNCATE, "%s: %s, and the size is %lld\n", what,
			   r ? xt_errname(e) : "success", after);
	/* Shifts, not 64-bit division, which ARM's missing libgcc would do. */
	if (!r && !mmu && map != MAP_FAILED && len < size &&
	    (unsigned long long)(len + page - 1) >> __builtin_ctzl(page) <
	    (maplen + page - 1) >> __builtin_ctzl(page))
		unexpected(EP_TRUNCATE, "%s: cut mapped pages without ETXTBSY\n", what);
	if (map != MAP_FAILED && munmap(map, maplen))
		unexpected(EP_TRUNCATE, "munmap: %s\n", xt_errname(errno));
	/* Now and then a new file. */
	if (chance(100)) {
		close(f->fd);
		unlink(f->path);
		fz_open(f, 1);
	}
}

static int fuzz_ftruncate(void)
{
	while (more(EP_TRUNCATE))
		fuzz_one_truncate();
	return XT_PASS;
}

/* ------------------------------------------------------------------ */
/* mount options */

/* Whether @s is what kstrtouint(@s, 8) takes: octal digits, in 32 bits. */
static int octal_u32(const char *s, unsigned int *v)
{
	__u64 x = 0;

	if (*s == '+')
		s++;
	if (!*s || *s == '\n')
		return 0;
	for (; *s >= '0' && *s <= '7'; s++) {
		x = x << 3 | (*s - '0');
		if (x >> 32)
			return 0;
	}
	if (*s == '\n')
		s++;
	*v = x;
	return !*s;
}

/* The superblock flags the VFS takes as options of any filesystem. */
static int sb_flag(const char *key)
{
	static const char *const flags[] = {
		"ro", "rw", "sync", "async", "dirsync", "lazytime", "nolazytime", "nomand",
		"silent",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (!strcmp(key, flags[i]))
			return 1;
	return 0;
}

/* A key: mode, a superblock flag, tmpfs's or a made-up one. */
static const char *option_key(void)
{
	static const char *const keys[] = {
		"mode", "mode", "mode", "ro", "rw", "sync", "nolazytime", "size", "nr_inodes",
		"uid", "gid", "huge", "Mode", "mode ", "",
	};
	static char made[12];
	unsigned int i, n;

	if (!chance(4))
		return keys[xt_below(ARRAY_SIZE(keys))];
	n = 1 + xt_below(sizeof(made) - 1);
	for (i = 0; i < n; i++)
		made[i] = "abcdefghijklmnopqrstuvwxyz_0"[xt_below(28)];
	made[n] = '\0';
	/* Never one an LSM or the VFS would take for itself. */
	if (xt_contains(made, "context") || sb_flag(made) || !strcmp(made, "source") ||
	    !strcmp(made, "mand") || !strcmp(made, "posixacl") || xt_contains(made, "seclabel"))
		return "xyz";
	return made;
}

static const char *option_value(void)
{
	static const char *const values[] = {
		"0755", "0", "777", "1777", "07777", "17777", "8", "0x1ff", "-1", "+644",
		"37777777777", "40000000000", "abc", "", "1M", "0755k", "99999999999999999999",
	};
	static char made[24];

	if (chance(3)) {
		xjoin(made, sizeof(made), chance(2) ? "0" : "", udec(xt_below(01000000)), NULL);
		return made;
	}
	return values[xt_below(ARRAY_SIZE(values))];
}

/*
 * The new mount API: the options' complaints go to the context's log,
 * not to the kernel log, so it can be fuzzed at length.
 */
static void fuzz_fsconfig(void)
{
	static const int ERR_FSCONFIG[] = { EINVAL, EOPNOTSUPP, EBADF, EBUSY, 0 };
	unsigned int mode = 0755, v, cmd;
	int fd, mfd, i, n = xt_below(5), valid = 1, created = 0, r, want;
	struct statx stx;
	const char *key, *value;
	char what[96];

	errno = 0;
	fd = fz_fsopen("xipramfs", FSOPEN_CLOEXEC);
	judge_exact(EP_MOUNT, fd, errno, 0, NULL, "fsopen xipramfs");
	if (fd < 0)
		return;
	for (i = 0; i < n; i++) {
		key = option_key();
		value = option_value();
		cmd = chance(5) ? xt_below(10) : FSCONFIG_SET_STRING;
		if (cmd == FSCONFIG_SET_FD || cmd == FSCONFIG_SET_PATH ||
		    cmd == FSCONFIG_SET_PATH_EMPTY)
			cmd = FSCONFIG_SET_FLAG;	/* no files or paths as values */
		xjoin(what, sizeof(what), "fsconfig ", udec(cmd), " ", key, "=", value, NULL);
		errno = 0;
		switch (cmd) {
		case FSCONFIG_SET_FLAG:
			r = fz_fsconfig(fd, cmd, key, NULL, 0);
			want = !*key ? EINVAL : sb_flag(key) ? 0 : EINVAL;
			break;
		case FSCONFIG_SET_STRING:
			r = fz_fsconfig(fd, cmd, key, value, 0);
			want = sb_flag(key) ? 0 : EINVAL;
			if (!strcmp(key, "mode") && octal_u32(value, &v)) {
				want = 0;
				mode = v & 07777;
			}
			break;
		case FSCONFIG_SET_BINARY:
			r = fz_fsconfig(fd, cmd, key, value, strlen(value) + 1);
			want = sb_flag(key) ? 0 : EINVAL;
			break;
		case FSCONFIG_CMD_CREATE:
		case FZ_CMD_CREATE_EXCL:
		case FSCONFIG_CMD_RECONFIGURE:
			r = fz_fsconfig(fd, cmd, NULL, NULL, 0);
			want = created || cmd == FSCONFIG_CMD_RECONFIGURE ? EBUSY : 0;
			break;
		default:
			r = fz_fsconfig(fd, cmd, key, value, 0);
			want = EOPNOTSUPP;
		}
		if (r && errno == EINVAL && want == 0 && cmd <= FSCONFIG_SET_BINARY)
			valid = 0;
		if (created && cmd <= FSCONFIG_SET_BINARY)
			want = r ? errno : 0;	/* a created context takes no options */
		judge_exact(EP_MOUNT, r, errno, want, ERR_FSCONFIG, what);
		if (!r && (cmd == FSCONFIG_CMD_CREATE || cmd == FZ_CMD_CREATE_EXCL))
			created = 1;
		if (want && r)
			valid = valid && cmd != FSCONFIG_SET_STRING;
	}
	if (!created) {
		errno = 0;
		r = fz_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
		judge_err(EP_MOUNT, r, errno, ERR_FSCONFIG, "fsconfig FSCONFIG_CMD_CREATE");
		if (r) {
			close(fd);
			return;
		}
	}
	errno = 0;
	mfd = fz_fsmount(fd, FSMOUNT_CLOEXEC, chance(2) ? MOUNT_ATTR_NOEXEC : 0);
	judge_exact(EP_MOUNT, mfd, errno, 0, NULL, "fsmount");
	if (mfd >= 0) {
		if (!statx(mfd, "", AT_EMPTY_PATH, STATX_MODE, &stx) &&
		    (stx.stx_mode & 07777) != mode && valid)
			unexpected(EP_MOUNT, "a new mount's root has mode %o, options said %o\n",
				   stx.stx_mode & 07777, mode);
		close(mfd);
	}
	close(fd);
}

/*
 * mount(2) with an option string: the refusals go to the kernel log,
 * announced for qemu/judge, and only a few: the log must not wrap.
 */
static int legacy_refusals = 24;

static void fuzz_legacy_mount(void)
{
	char opts[128], announce[96], what[160];
	unsigned int mode = 0755, v, i, n = xt_below(4);
	const char *refusal = NULL;
	int r, e, want = 0;
	struct stat st;

	opts[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *key = option_key(), *value = option_value();
		int has_value = !chance(5);

		if (!*key || xt_contains(key, " ") || xt_contains(value, ","))
			key = "mode";
		xjoin(opts + strlen(opts), sizeof(opts) - strlen(opts), i ? "," : "", key,
		      has_value ? "=" : "", has_value ? value : "", NULL);
		if (refusal || sb_flag(key))
			continue;
		if (!strcmp(key, "mode") && has_value && octal_u32(value, &v)) {
			mode = v & 07777;
			continue;
		}
		want = EINVAL;
		refusal = !strcmp(key, "mode") ? xjoin(announce, sizeof(announce),
				"xipramfs: Bad value for 'mode'", NULL) :
			  xjoin(announce, sizeof(announce), "xipramfs: Unknown parameter '", key,
				"'", NULL);
	}
	if (refusal && legacy_refusals-- <= 0)
		return;
	if (refusal)
		xt_announce_kmsg(refusal);
	xjoin(what, sizeof(what), "mount -t xipramfs -o '", opts, "'", NULL);
	errno = 0;
	r = mount("none", MNT, "xipramfs", chance(4) ? MS_NOEXEC | MS_NOSUID : 0, opts);
	e = errno;
	judge_exact(EP_MOUNT, r, e, want, NULL, what);
	if (r)
		return;
	if (!stat(MNT, &st) && (st.st_mode & 07777) != mode)
		unexpected(EP_MOUNT, "%s: the root has mode %o, expected %o\n", what,
			   st.st_mode & 07777, mode);
	errno = 0;
	r = xumount(MNT, 0);
	judge_exact(EP_MOUNT, r, errno, 0, NULL, "umount");
}

static int fuzz_mount(void)
{
	if (mkdir(MNT, 0755) && errno != EEXIST)
		ksft_exit_fail_msg("mkdir %s: %s\n", MNT, xt_errname(errno));
	while (more(EP_MOUNT)) {
		if (chance(8))
			fuzz_legacy_mount();
		else
			fuzz_fsconfig();
	}
	return XT_PASS;
}

/* ------------------------------------------------------------------ */
/* module parameters */

static const char *module_path;
static char saved_params[128];
static long saved_size;

/*
 * kstrtoull(@s, 0): 0 and the value, -EINVAL, or -ERANGE; in 64 bits
 * without 64-bit multiplication (ARM has no libgcc here).
 */
static int kstrtoull0(const char *s, __u64 *res)
{
	unsigned int base = 10, d, any = 0;
	__u64 x = 0;

	if (*s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    ((s[2] >= '0' && s[2] <= '9') || ((s[2] | 0x20) >= 'a' && (s[2] | 0x20) <= 'f'))) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		any = 1;
		if ((base == 16 && x >> 60) || (base == 8 && x >> 61) ||
		    (base == 10 && (x > 1844674407370955161ULL ||
				    (x == 1844674407370955161ULL && d > 5))))
			return -ERANGE;
		x = base == 16 ? x << 4 | d : base == 8 ? x << 3 | d : (x << 3) + (x << 1) + d;
	}
	if (!any)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = x;
	return 0;
}

static const char *number_value(void)
{
	static const char *const values[] = {
		"0", "1", "2", "4", "8", "9", "3000", "4097", "0x10000", "010000", "+8192", "-1",
		"abc", "", "4096k", "0x", "08", "4294967296", "18446744073709551616",
		"1099511627776",
	};
	static char made[24];

	if (chance(3)) {
		/* A power of two from a page up, or anything. */
		__u64 v = chance(2) ? (__u64)page << xt_below(8) : rnd64() >> xt_below(64);

		u64toa_r(v, made);
		return made;
	}
	return values[xt_below(ARRAY_SIZE(values))];
}

static const char *personality_value(int *count, int *bad_index)
{
	static const char *const names[] = { "nor", "ram", "nand", "fb", "NOR", "", "flash" };
	static char list[96];
	int i, n = chance(8) ? 9 + xt_below(3) : 1 + xt_below(4);

	list[0] = '\0';
	*bad_index = -1;
	for (i = 0; i < n; i++) {
		const char *name = chance(5) ? names[xt_below(ARRAY_SIZE(names))] :
				   names[xt_below(4)];

		xjoin(list + strlen(list), sizeof(list) - strlen(list), i ? "," : "", name, NULL);
		if (*bad_index < 0 && strcmp(name, "nor") && strcmp(name, "ram") &&
		    strcmp(name, "nand") && strcmp(name, "fb"))
			*bad_index = i;
	}
	*count = n;
	return list;
}

/* The largest order the page allocator has: columns of /proc/buddyinfo. */
static int max_order(void)
{
	static char text[1024];
	int words = 0;
	char *s;

	/* "Node 0, zone   Normal  n0 n1 ... nMAX" */
	if (xt_read_file("/proc/buddyinfo", text, sizeof(text)) <= 0)
		return 10;
	for (s = text; *s && *s != '\n'; s++)
		if (*s != ' ' && (s == text || s[-1] == ' '))
			words++;
	return words > 5 ? words - 5 : 10;
}

static int loaded(void)
{
	return xexists("/sys/module/" MODNAME);
}

/*
 * One load with random parameters.  6.12's parse_args() goes on past a
 * refused parameter: each refusal is in the kernel log, each unknown name
 * too, and the load fails with the last refusal's errno.  Each message is
 * announced for qemu/judge.
 */
static void fuzz_one_module(int kernel64, int order)
{
	char params[256], msg[8][160], what[300], first[16];
	int nmsg = 0, i, n = 1 + xt_below(3), r, e, want = 0;
	__u64 flash_size = 1 << 20, nr_flash = 4, v;
	int nr_personality = 0, bad_personality = -1;

	params[0] = '\0';
	for (i = 0; i < n; i++) {
		static const char *const unknown[] = { "size", "flash", "nr", "debug_x" };
		const char *name, *value = NULL;
		unsigned int which = xt_below(7);
		int count = 0, bad = -1, err = 0;

		if (which <= 1) {
			name = "flash_size";
			value = number_value();
		} else if (which <= 3) {
			name = "nr_flash";
			value = number_value();
			if (chance(2))
				value = udec(xt_below(10));
		} else if (which <= 5) {
			name = "personality";
			value = personality_value(&count, &bad);
		} else {
			name = unknown[xt_below(ARRAY_SIZE(unknown))];
			value = number_value();
		}
		if (chance(12))
			value = NULL;	/* the name alone */
		xjoin(params + strlen(params), sizeof(params) - strlen(params), i ? " " : "",
		      name, value ? "=" : "", value ? value : "", NULL);
		if (which == 6) {
			xjoin(msg[nmsg++], sizeof(msg[0]), MODNAME ": unknown parameter '", name,
			      "' ignored", NULL);
			continue;
		}
		if (!value) {
			err = EINVAL;
		} else if (which <= 3) {
			r = kstrtoull0(value, &v);
			/* flash_size is an unsigned long, nr_flash an unsigned int. */
			if (!r && (which > 1 || !kernel64) && (v >> 32))
				r = -ERANGE;
			if (r)
				err = -r;
			else if (which <= 1)
				flash_size = v;
			else
				nr_flash = v;
		} else if (count > 8) {
			err = EINVAL;
		} else {
			nr_personality = count;
			bad_personality = bad;
		}
		if (!err)
			continue;
		want = err;
		/* param_array() cut the list at its first comma before the message. */
		if (value && which >= 4 && which <= 5) {
			xjoin(first, sizeof(first), value, NULL);
			if (strchr(first, ','))
				*strchr(first, ',') = '\0';
			value = first;
		}
		xjoin(msg[nmsg++], sizeof(msg[0]), MODNAME ": `", value ? value : "",
		      "' invalid for parameter `", name, "'", NULL);
	}
	if (!want) {
		/* The module's own checks, in xipmap_check_params()'s order. */
		if (flash_size < page || (flash_size & (flash_size - 1)) ||
		    flash_size > ((__u64)page << order)) {
			want = EINVAL;
			xjoin(msg[nmsg++], sizeof(msg[0]), MODNAME ": flash_size=",
			      udec(flash_size), ": must be a power of two", NULL);
		} else if (!nr_flash || nr_flash > 8) {
			want = EINVAL;
			xjoin(msg[nmsg++], sizeof(msg[0]), MODNAME ": nr_flash=", udec(nr_flash),
			      ": must be from 1 to 8", NULL);
		} else if (nr_personality > (int)nr_flash) {
			want = EINVAL;
			xjoin(msg[nmsg++], sizeof(msg[0]), MODNAME ": personality: ",
			      dec(nr_personality), " given for ", udec(nr_flash), " devices",
			      NULL);
		} else if (bad_personality >= 0) {
			want = EINVAL;
			xjoin(msg[nmsg++], sizeof(msg[0]), " (device ", dec(bad_personality),
			      "): must be nor, ram, nand or fb", NULL);
		} else if (flash_size * nr_flash > (small_memory ? 1 << 20 : 8 << 20)) {
			return;	/* would load, but take too much memory here */
		}
	}
	for (i = 0; i < nmsg; i++)
		xt_announce_kmsg(msg[i]);
	xjoin(what, sizeof(what), "finit_module(\"", params, "\")", NULL);
	errno = 0;
	r = xfinit_module(module_path, params);
	e = errno;
	judge_exact(EP_MODULE, r, e, want, NULL, what);
	if (!r && xdelete_module(MODNAME, O_NONBLOCK))
		unexpected(EP_MODULE, "%s: loaded, and then unloading: %s\n", what,
			   xt_errname(errno));
	if (r && loaded())
		unexpected(EP_MODULE, "%s: refused, yet the module is there\n", what);
}

static int fuzz_module(void)
{
	int kernel64 = xt_kernel_64bit(), order = max_order();

	if (!module_path) {
		xt_skip_why = "XIPMAP_MODULE does not name the module's file";
		return XT_SKIP;
	}
	if (xdelete_module(MODNAME, O_NONBLOCK)) {
		ksft_print_msg("unloading the module: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	while (more(EP_MODULE))
		fuzz_one_module(kernel64, order);
	if (xfinit_module(module_path, saved_params)) {
		ksft_print_msg("loading the module again with \"%s\": %s\n", saved_params,
			       xt_errname(errno));
		return XT_FAIL;
	}
	if (xt_read_long("/sys/module/" MODNAME "/parameters/flash_size") != saved_size) {
		ksft_print_msg("loaded again with flash_size %ld, expected %ld\n",
			       xt_read_long("/sys/module/" MODNAME "/parameters/flash_size"),
			       saved_size);
		return XT_FAIL;
	}
	return XT_PASS;
}

/* ------------------------------------------------------------------ */
/* After the fuzzing */

static long maps0, memfree0;
static int next_fd0;

/* The lowest free descriptor: what open() gives next. */
static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* The driver counts no mapping of any device once the fuzzer's are gone. */
static int no_mapping_left(void)
{
	return xt_no_mapping_counted(NR_DEV);
}

/*
 * Memory may move by what the kernel caches (slab, the module's own
 * allocations made again on reload): 2 MiB, or 1 MiB on the small
 * targets.
 */
static int everything_is_back(void)
{
	long tolerance = small_memory ? 1024 : 2048, memfree, maps;
	int ok = XT_PASS, i;

	for (i = 0; i < NR_DEV; i++)
		close(devs[i].fd);
	for (i = 0; i < NR_FILES; i++) {
		close(files[i].fd);
		unlink(files[i].path);
	}
	if (xumount(DIR, 0))
		ksft_print_msg("umount %s: %s\n", DIR, xt_errname(errno));
	/* A busy device keeps a copy of its data (1 MiB) until it is ready again. */
	xt_put_back_all();
	maps = xt_maps_lines();
	memfree = xt_settled_memfree(memfree0 - tolerance);
	ksft_print_msg("MemFree %ld kB, was %ld kB; %ld lines in /proc/self/maps, were %ld\n",
		       memfree, memfree0, maps, maps0);
	XT_EXPECT(next_fd() == next_fd0, "the next descriptor is %d, was %d: one leaked\n",
		  next_fd(), next_fd0);
	XT_EXPECT(maps == maps0, "%ld lines in /proc/self/maps, %ld before\n", maps, maps0);
	XT_EXPECT(memfree >= memfree0 - tolerance,
		  "MemFree is %ld kB, %ld kB less than before (tolerance %ld kB)\n", memfree,
		  memfree0 - memfree, tolerance);
	return ok;
}

struct fz_case {
	int ep;			/* its entry point, or -1 */
	struct xt_test t;
};

static const struct fz_case cases[] = {
	{ EP_IOCTL, XT_TEST(fuzz_ioctl) },
	{ EP_MMAP, XT_TEST(fuzz_mmap) },
	{ EP_READ, XT_TEST(fuzz_read) },
	{ EP_WRITE, XT_TEST(fuzz_write) },
	{ EP_LSEEK, XT_TEST(fuzz_lseek) },
	{ EP_TRUNCATE, XT_TEST(fuzz_ftruncate) },
	{ EP_MOUNT, XT_TEST(fuzz_mount) },
	{ -1, XT_TEST(no_mapping_left) },
	{ -1, XT_TEST(everything_is_back) },
	{ EP_MODULE, XT_TEST(fuzz_module) },
};

/* Set up what the cases share; the module's parameters, to load it again. */
static void setup(void)
{
	long size, nr;
	int i;

	page = xt_page_size();
	mmu = xt_mmu();
	debug_kernel = xexists("/sys/kernel/debug/kmemleak") || xt_kconfig("CONFIG_KASAN") > 0 ||
		       xt_kconfig("CONFIG_PROVE_LOCKING") > 0;
	for (i = 0; !debug_kernel && i < NR_EP; i++)
		if (i != EP_MODULE)
			eps[i].target /= 4;
	small_memory = xt_meminfo("MemTotal") < 65536;
	module_path = getenv("XIPMAP_MODULE");
	if (module_path && !xexists(module_path))
		module_path = NULL;
	size = xt_read_long("/sys/module/" MODNAME "/parameters/flash_size");
	nr = xt_read_long("/sys/module/" MODNAME "/parameters/nr_flash");
	if (size < 0 || nr < 0)
		ksft_exit_skip("the module is not loaded\n");
	saved_size = size;
	xjoin(saved_params, sizeof(saved_params), "flash_size=", dec(size), " nr_flash=",
	      dec(nr), NULL);
	if (nr < NR_DEV)
		ksft_exit_skip("the module has %ld devices; the fuzzer needs %d\n", nr, NR_DEV);
	if (mmu) {
		guard = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		ro_page = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (guard == MAP_FAILED || ro_page == MAP_FAILED || munmap(guard + page, page))
			ksft_exit_fail_msg("guard pages: %s\n", xt_errname(errno));
	}
	if (mkdir(DIR, 0755) && errno != EEXIST)
		ksft_exit_fail_msg("mkdir %s: %s\n", DIR, xt_errname(errno));
	maps0 = xt_maps_lines();
	next_fd0 = next_fd();
	memfree0 = xt_settled_memfree(0);
	if (mount("none", DIR, "xipramfs", 0, NULL))
		ksft_exit_fail_msg("mount -t xipramfs none %s: %s\n", DIR, xt_errname(errno));
	for (i = 0; i < NR_DEV; i++) {
		devs[i].dev = i;
		xjoin(devs[i].path, sizeof(devs[i].path), xt_dev_path[i], NULL);
		fz_open(&devs[i], 0);
		info0[i] = xt_info(devs[i].fd);
	}
	for (i = 0; i < NR_FILES; i++) {
		files[i].dev = -1;
		xjoin(files[i].path, sizeof(files[i].path), DIR "/f", dec(i), NULL);
		fz_open(&files[i], 1);
	}
}

int main(int argc, char **argv)
{
	const char *seed = argc > 1 ? argv[1] : getenv("XIPMAP_FUZZ_SEED");
	unsigned long total = 0;
	unsigned int i;
	int ret;

	xt_setup();
	ksft_print_header();
	setup();
	start_s = time(NULL);
	*xt_rng_seed() = seed ? strtoull(seed, NULL, 0) : DEFAULT_SEED;
	if (!*xt_rng_seed())
		*xt_rng_seed() = DEFAULT_SEED;
	ksft_print_msg("seed %llu (again: fuzz SEED, or XIPMAP_FUZZ_SEED=SEED)\n",
		       (unsigned long long)*xt_rng_seed());
	ksft_print_msg("%s kernel, %s\n", mmu ? "MMU" : "no-MMU",
		       debug_kernel ? "debug checkers" : "no debug checkers");
	ksft_set_plan(ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct fz_case *c = &cases[i];
		struct ep *ep = c->ep >= 0 ? &eps[c->ep] : NULL;
		struct timeval t0, t1;

		xt_skip_why = NULL;
		gettimeofday(&t0, NULL);
		ret = c->t.fn();
		gettimeofday(&t1, NULL);
		if (!ep) {
			if (ret == XT_SKIP)
				ksft_test_result_skip("%s: %s\n", c->t.name, xt_skip_why);
			else
				ksft_test_result(ret == XT_PASS, "%s\n", c->t.name);
			continue;
		}
		total += ep->calls;
		ksft_print_msg("%s: %lu calls in %ld ms, %lu unexpected\n", ep->name, ep->calls,
			       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000,
			       ep->unexpected);
		if (ret == XT_SKIP) {
			ksft_test_result_skip("%s: %s\n", ep->name, xt_skip_why);
			continue;
		}
		if (ep->calls < ep->target)
			ksft_print_msg("%s: %lu calls, fewer than the %lu it must make\n",
				       ep->name, ep->calls, ep->target);
		/* The case is named by its entry point alone: the counts vary. */
		ksft_test_result(ret == XT_PASS && !ep->unexpected && ep->calls >= ep->target,
				 "%s\n", ep->name);
	}
	ksft_print_msg("%lu calls in all, seed %llu\n", total,
		       (unsigned long long)(seed ? strtoull(seed, NULL, 0) : DEFAULT_SEED));
	xt_put_back_all();
	ksft_finished();
}
