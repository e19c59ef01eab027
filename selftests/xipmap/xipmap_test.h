/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the xipmap tests: the device, its pattern, the
 * process's maps and errno names.  Header-only, like nolibc.
 */
#ifndef XIPMAP_TEST_H
#define XIPMAP_TEST_H

#include <linux/xipmap.h>

#include "kselftest.h"
#include "xipmap_sys.h"
#include "xipmap_code.h"

/*
 * The devices as the module creates them by default: xipflashN has
 * personality N (nor, ram, nand, fb).
 */
#define XT_FLASH	"/dev/" XIPMAP_FLASH_NAME "0"
#define XT_SYSFS	"/sys/class/misc/" XIPMAP_FLASH_NAME "0"
#define XT_NOR		XT_FLASH
#define XT_RAM		"/dev/" XIPMAP_FLASH_NAME "1"
#define XT_NAND		"/dev/" XIPMAP_FLASH_NAME "2"
#define XT_FB		"/dev/" XIPMAP_FLASH_NAME "3"
#define XT_SYSFS_DEV(n)	"/sys/class/misc/" XIPMAP_FLASH_NAME #n "/"

/*
 * The capabilities each personality stands for, as uapi/linux/xipmap.h
 * documents them: what the tests expect, written down apart from the
 * module's own table.
 */
#define XT_CAPS_NOR	(XIPMAP_CAP_DIRECT | XIPMAP_CAP_COPY | XIPMAP_CAP_READ | XIPMAP_CAP_EXEC)
#define XT_CAPS_RAM	XIPMAP_CAP_ALL
#define XT_CAPS_NAND	XIPMAP_CAP_COPY
#define XT_CAPS_FB	(XIPMAP_CAP_DIRECT | XIPMAP_CAP_READ | XIPMAP_CAP_WRITE)

/*
 * Store back the byte at @p: a write that changes nothing, except that it
 * makes a private page a copy of its own on a kernel with an MMU.
 */
static inline void xt_rewrite(void *p)
{
	volatile unsigned char *b = p;

	*b = *b;
}

/* mprotect(2), which nolibc lacks; 0 or -1 with errno set. */
static inline int xmprotect(void *addr, size_t len, int prot)
{
	return xsysret(xsyscall3(__NR_mprotect, addr, len, prot));
}

static inline unsigned long xt_page_size(void)
{
	return getauxval(AT_PAGESZ);
}

/*
 * Every errno Linux defines, by name: those of user space (the aliases
 * EWOULDBLOCK and EDEADLOCK print as EAGAIN and EDEADLK), then the
 * kernel's own, which a driver can leak to user space (ENOTSUPP,
 * ENOIOCTLCMD...).
 */
#define XT_E(e)	{ e, #e }

static const struct {
	int e;
	const char *name;
} xt_errnos[] = {
	/* include/uapi/asm-generic/errno-base.h */
	XT_E(EPERM), XT_E(ENOENT), XT_E(ESRCH), XT_E(EINTR), XT_E(EIO), XT_E(ENXIO),
	XT_E(E2BIG), XT_E(ENOEXEC), XT_E(EBADF), XT_E(ECHILD), XT_E(EAGAIN), XT_E(ENOMEM),
	XT_E(EACCES), XT_E(EFAULT), XT_E(ENOTBLK), XT_E(EBUSY), XT_E(EEXIST), XT_E(EXDEV),
	XT_E(ENODEV), XT_E(ENOTDIR), XT_E(EISDIR), XT_E(EINVAL), XT_E(ENFILE), XT_E(EMFILE),
	XT_E(ENOTTY), XT_E(ETXTBSY), XT_E(EFBIG), XT_E(ENOSPC), XT_E(ESPIPE), XT_E(EROFS),
	XT_E(EMLINK), XT_E(EPIPE), XT_E(EDOM), XT_E(ERANGE),
	/* include/uapi/asm-generic/errno.h */
	XT_E(EDEADLK), XT_E(ENAMETOOLONG), XT_E(ENOLCK), XT_E(ENOSYS), XT_E(ENOTEMPTY),
	XT_E(ELOOP), XT_E(ENOMSG), XT_E(EIDRM), XT_E(ECHRNG), XT_E(EL2NSYNC), XT_E(EL3HLT),
	XT_E(EL3RST), XT_E(ELNRNG), XT_E(EUNATCH), XT_E(ENOCSI), XT_E(EL2HLT), XT_E(EBADE),
	XT_E(EBADR), XT_E(EXFULL), XT_E(ENOANO), XT_E(EBADRQC), XT_E(EBADSLT), XT_E(EBFONT),
	XT_E(ENOSTR), XT_E(ENODATA), XT_E(ETIME), XT_E(ENOSR), XT_E(ENONET), XT_E(ENOPKG),
	XT_E(EREMOTE), XT_E(ENOLINK), XT_E(EADV), XT_E(ESRMNT), XT_E(ECOMM), XT_E(EPROTO),
	XT_E(EMULTIHOP), XT_E(EDOTDOT), XT_E(EBADMSG), XT_E(EOVERFLOW), XT_E(ENOTUNIQ),
	XT_E(EBADFD), XT_E(EREMCHG), XT_E(ELIBACC), XT_E(ELIBBAD), XT_E(ELIBSCN),
	XT_E(ELIBMAX), XT_E(ELIBEXEC), XT_E(EILSEQ), XT_E(ERESTART), XT_E(ESTRPIPE),
	XT_E(EUSERS), XT_E(ENOTSOCK), XT_E(EDESTADDRREQ), XT_E(EMSGSIZE), XT_E(EPROTOTYPE),
	XT_E(ENOPROTOOPT), XT_E(EPROTONOSUPPORT), XT_E(ESOCKTNOSUPPORT), XT_E(EOPNOTSUPP),
	XT_E(EPFNOSUPPORT), XT_E(EAFNOSUPPORT), XT_E(EADDRINUSE), XT_E(EADDRNOTAVAIL),
	XT_E(ENETDOWN), XT_E(ENETUNREACH), XT_E(ENETRESET), XT_E(ECONNABORTED),
	XT_E(ECONNRESET), XT_E(ENOBUFS), XT_E(EISCONN), XT_E(ENOTCONN), XT_E(ESHUTDOWN),
	XT_E(ETOOMANYREFS), XT_E(ETIMEDOUT), XT_E(ECONNREFUSED), XT_E(EHOSTDOWN),
	XT_E(EHOSTUNREACH), XT_E(EALREADY), XT_E(EINPROGRESS), XT_E(ESTALE), XT_E(EUCLEAN),
	XT_E(ENOTNAM), XT_E(ENAVAIL), XT_E(EISNAM), XT_E(EREMOTEIO), XT_E(EDQUOT),
	XT_E(ENOMEDIUM), XT_E(EMEDIUMTYPE), XT_E(ECANCELED), XT_E(ENOKEY),
	XT_E(EKEYEXPIRED), XT_E(EKEYREVOKED), XT_E(EKEYREJECTED), XT_E(EOWNERDEAD),
	XT_E(ENOTRECOVERABLE), XT_E(ERFKILL), XT_E(EHWPOISON),
	/* include/linux/errno.h: the kernel's own, never defined for user space */
	{ 512, "ERESTARTSYS" },
	{ 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" },
	{ 515, "ENOIOCTLCMD" },
	{ 516, "ERESTART_RESTARTBLOCK" },
	{ 517, "EPROBE_DEFER" },
	{ 518, "EOPENSTALE" },
	{ 519, "ENOPARAM" },
	{ 521, "EBADHANDLE" },
	{ 522, "ENOTSYNC" },
	{ 523, "EBADCOOKIE" },
	{ 524, "ENOTSUPP" },
	{ 525, "ETOOSMALL" },
	{ 526, "ESERVERFAULT" },
	{ 527, "EBADTYPE" },
	{ 528, "EJUKEBOX" },
	{ 529, "EIOCBQUEUED" },
	{ 530, "ERECALLCONFLICT" },
	{ 531, "ENOGRACE" },
};

#undef XT_E

/*
 * The name of errno @e, or "errno <n>" for a number Linux does not define.
 * The number goes into one of a few static buffers, so that a message
 * may name several.
 */
static inline const char *xt_errname(int e)
{
	static char buf[4][24];
	static unsigned int next;
	unsigned int i;
	char *b;

	if (!e)
		return "success";
	for (i = 0; i < ARRAY_SIZE(xt_errnos); i++)
		if (xt_errnos[i].e == e)
			return xt_errnos[i].name;
	b = buf[next++ % ARRAY_SIZE(buf)];
	memcpy(b, "errno ", 6);
	itoa_r(e, b + 6);
	return b;
}

/*
 * Where the programs make their files and mount their filesystems: $TMPDIR,
 * else /tmp, never / (a read-only root works).  xt_setup() makes it the
 * working directory, so the programs' scratch paths ("xt-fuzz", ...) are
 * relative to it; xt_scratch is its absolute path.
 */
static char xt_scratch[256];
/* This program's file, absolute (its argv[0] may be relative to elsewhere). */
static char xt_exe[256];

/* Make the scratch directory the working directory, or exit. */
static inline void xt_scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	long n;

	n = xsyscall4(__NR_readlinkat, AT_FDCWD, "/proc/self/exe", xt_exe, sizeof(xt_exe) - 1);
	xt_exe[n > 0 ? n : 0] = '\0';
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (chdir(tmp) || xsysret(xsyscall2(__NR_getcwd, xt_scratch, sizeof(xt_scratch))) < 0) {
		ksft_print_header();
		ksft_exit_fail_msg("scratch directory %s: %s\n", tmp, xt_errname(errno));
	}
}

/*
 * What a test program does first (a kselftest runner may start it on a
 * system where nothing is loaded): make sure the module is there, loading
 * it the way the system does (modprobe xipmap) or from the file
 * XIPMAP_MODULE names, and skip (exit 4) saying why when neither can; then
 * move to the scratch directory.
 */
static inline void xt_setup(void)
{
	static char *modprobe[] = { "/sbin/modprobe", "xipmap", NULL };
	const char *ko = getenv("XIPMAP_MODULE");

	if (!xexists(XT_FLASH)) {
		if (xexists(modprobe[0]))
			xspawn_wait(modprobe, environ);
		if (!xexists(XT_FLASH) && ko && xfinit_module(ko, ""))
			ksft_print_msg("finit_module %s: %s\n", ko, xt_errname(errno));
		if (!xexists(XT_FLASH)) {
			ksft_print_header();
			ksft_exit_skip("no %s: the xipmap module is not loaded, and neither "
				       "modprobe xipmap nor XIPMAP_MODULE (%s) loads it\n",
				       XT_FLASH, ko ? ko : "not set");
		}
	}
	xt_scratch_dir();
}

/*
 * A program run with no argument takes its arguments from the environment
 * variable @name, words separated by spaces, if it is set: how the QEMU
 * runner passes them (qemu/run.sh --conform, --bench), since neither init
 * nor a kselftest runner gives a test arguments.  Replaces *@argc and
 * *@argv; at most 15 words.
 */
static inline void xt_env_args(const char *name, int *argc, char ***argv)
{
	static char args[256], *av[16];
	int n = 1;
	char *t;

	if (*argc != 1 || !getenv(name))
		return;
	av[0] = (*argv)[0];
	xjoin(args, sizeof(args), getenv(name), NULL);
	for (t = args; *t && n < (int)ARRAY_SIZE(av) - 1; ) {
		while (*t == ' ')
			*t++ = '\0';
		if (*t)
			av[n++] = t;
		while (*t && *t != ' ')
			t++;
	}
	av[n] = NULL;
	*argc = n;
	*argv = av;
}

/* The flash's XIPMAP_IOC_INFO, or exit: every test needs it. */
static inline struct xipmap_info xt_info(int fd)
{
	struct xipmap_info info;

	if (ioctl(fd, XIPMAP_IOC_INFO, &info))
		ksft_exit_fail_msg("XIPMAP_IOC_INFO: %s (%d)\n",
				   xt_errname(errno), errno);
	return info;
}

/*
 * Byte @off of the pattern the flash holds at load, computed as
 * uapi/linux/xipmap.h documents it: word i is (i * XIPMAP_PATTERN_MUL) ^
 * XIPMAP_PATTERN_XOR, little-endian.
 */
static inline unsigned char xt_pattern(unsigned long long off)
{
	__u32 word = (__u32)(off >> 2) * XIPMAP_PATTERN_MUL ^ XIPMAP_PATTERN_XOR;

	return (unsigned char)(word >> (8 * (off & 3)));
}

/* An XIPMAP_IOC_SET_* ioctl with value @val: 0, or -1 with errno set. */
static inline int xt_set(int fd, unsigned long cmd, __u32 val)
{
	return ioctl(fd, cmd, &val);
}

/* Whether @p lies inside the device's array (what a direct mapping is). */
static inline int xt_in_device(const struct xipmap_info *info, const void *p)
{
	return (unsigned long)p >= info->base &&
	       (unsigned long)p < info->base + info->size;
}

/*
 * Put a device back as it was loaded: personality, capabilities, knobs,
 * read-array state and the pattern in the whole array.  @path is opened
 * for writing; 0 or -1.
 */
static inline int xt_restore(const char *path, unsigned int personality)
{
	static unsigned char buf[4096];
	struct xipmap_erase erase;
	struct xipmap_info info;
	unsigned long off, i;
	int fd, ret = -1;

	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	if (xt_set(fd, XIPMAP_IOC_SET_STATE, XIPMAP_STATE_READ_ARRAY) ||
	    xt_set(fd, XIPMAP_IOC_SET_ENOSYS, 0) ||
	    xt_set(fd, XIPMAP_IOC_SET_PERSONALITY, personality) ||
	    ioctl(fd, XIPMAP_IOC_INFO, &info))
		goto out;
	erase.offset = 0;
	erase.length = info.size;
	if (ioctl(fd, XIPMAP_IOC_ERASE, &erase) || lseek(fd, 0, SEEK_SET))
		goto out;
	for (off = 0; off < info.size; off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = xt_pattern(off + i);
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* Fill [@off, @off + @len) of the device with @byte: erase, then program. */
static inline int xt_fill(int fd, const struct xipmap_info *info, unsigned long off,
			  unsigned long len, unsigned char byte)
{
	static unsigned char buf[4096];
	struct xipmap_erase erase;
	unsigned long done, n;

	erase.offset = off & ~(unsigned long)(info->erasesize - 1);
	erase.length = ((off + len + info->erasesize - 1) & ~(unsigned long)(info->erasesize - 1)) -
		       erase.offset;
	if (ioctl(fd, XIPMAP_IOC_ERASE, &erase))
		return -1;
	memset(buf, byte, sizeof(buf));
	if (lseek(fd, off, SEEK_SET) != (off_t)off)
		return -1;
	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (write(fd, buf, n) != (long)n)
			return -1;
	}
	return 0;
}

/*
 * Compare @len bytes at @p with the flash pattern from offset @off.
 * Returns the index of the first difference, or -1 if there is none.
 */
static inline long xt_pattern_diff(const void *p, unsigned long off, unsigned long len)
{
	const unsigned char *c = p;
	unsigned long i;

	for (i = 0; i < len; i++)
		if (c[i] != xt_pattern(off + i))
			return i;
	return -1;
}

/* Index of the first byte of @len at @p that is not @byte, or -1. */
static inline long xt_byte_diff(const void *p, unsigned char byte, unsigned long len)
{
	const unsigned char *c = p;
	unsigned long i;

	for (i = 0; i < len; i++)
		if (c[i] != byte)
			return i;
	return -1;
}

/* Whether @s contains @needle (nolibc has no strstr()). */
static inline int xt_contains(const char *s, const char *needle)
{
	return xstrstr(s, needle) != NULL;
}

/* Read a whole (small) file into @buf, NUL-terminated; bytes read or -1. */
static inline long xt_read_file(const char *path, char *buf, unsigned long size)
{
	long n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (total < (long)size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

/* A number from a sysfs or procfs file, or -1. */
static inline long xt_read_long(const char *path)
{
	char buf[64];

	if (xt_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 0);
}

/*
 * The counters the module keeps for tests are in debugfs, not in its ABI
 * (docs/ABI.md): /sys/kernel/debug/xipmap/xipflashN/{mappings,direct_maps,
 * enosys_answers,faults} and xipramfs/faults.  The guests mount debugfs.
 */
#define XT_DEBUGFS	"/sys/kernel/debug/xipmap/"

/* Counter @what ("xipflash0/direct_maps", "xipramfs/faults"), or -1. */
static inline long xt_counter(const char *what)
{
	char path[128];

	xjoin(path, sizeof(path), XT_DEBUGFS, what, NULL);
	return xt_read_long(path);
}

/* Counter @name of default device @dev (xipflash<dev>), or -1. */
static inline long xt_dev_counter(int dev, const char *name)
{
	char what[64];

	xjoin(what, sizeof(what), XIPMAP_FLASH_NAME, utoa(dev), "/", name, NULL);
	return xt_counter(what);
}

/*
 * Pages of [@p, @p + @len) mapped in this process, or in the page cache of
 * the file mapped there, as mincore(2) says (which nolibc lacks); -1 with
 * errno set (ENOSYS without an MMU).  How a process sees demand paging
 * for itself, without the driver's counters.
 */
static inline long xt_resident(const void *p, unsigned long len)
{
	static unsigned char vec[16384];
	unsigned long page = xt_page_size(), pages = (len + page - 1) / page;
	unsigned long done, n, i;
	long resident = 0;

	for (done = 0; done < pages; done += n) {
		n = pages - done < sizeof(vec) ? pages - done : sizeof(vec);
		if (xsysret(xsyscall3(__NR_mincore, (const char *)p + done * page,
					 n * page, vec)))
			return -1;
		for (i = 0; i < n; i++)
			resident += vec[i] & 1;
	}
	return resident;
}

/* Whether the module's debugfs counters can be read here. */
static inline int xt_have_counters(void)
{
	return xt_counter(XIPMAP_FLASH_NAME "0/mappings") >= 0;
}

/* A reason for the TAP line of a test that returns XT_SKIP, or NULL. */
static const char *xt_skip_why;

/* First thing in a test that watches the counters: skip without them. */
#define XT_NEED_COUNTERS() do {						\
	if (!xt_have_counters()) {					\
		xt_skip_why = "no " XT_DEBUGFS " (debugfs): the test "	\
			      "watches the driver's counters there";	\
		return XT_SKIP;						\
	}								\
} while (0)

static char xt_maps_buf[16384];

/* Lines in /proc/self/maps, or -1. */
static inline int xt_maps_lines(void)
{
	int lines = 0;
	char *s;

	if (xt_read_file("/proc/self/maps", xt_maps_buf, sizeof(xt_maps_buf)) < 0)
		return -1;
	for (s = xt_maps_buf; *s; s++)
		lines += *s == '\n';
	return lines;
}

/*
 * The /proc/self/maps line of the mapping that starts at @addr, copied to
 * @line without its newline.  Returns 0, or -1 if there is none.
 */
static inline int xt_maps_line(const void *addr, char *line, unsigned long size)
{
	char *s, *end;

	if (xt_read_file("/proc/self/maps", xt_maps_buf, sizeof(xt_maps_buf)) < 0)
		return -1;
	for (s = xt_maps_buf; *s; s = *end ? end + 1 : end) {
		end = strchr(s, '\n');
		if (!end)
			end = s + strlen(s);
		if (strtoul(s, NULL, 16) == (unsigned long)addr) {
			unsigned long n = end - s;

			if (n > size - 1)
				n = size - 1;

			memcpy(line, s, n);
			line[n] = '\0';
			return 0;
		}
	}
	return -1;
}

/* The file offset (third field) of a /proc/<pid>/maps line. */
static inline unsigned long xt_maps_offset(const char *line)
{
	const char *s = strchr(line, ' ');

	s = s ? strchr(s + 1, ' ') : NULL;
	return s ? strtoul(s + 1, NULL, 16) : -1UL;
}

/*
 * A second process: this program run again (vfork + execve: there is no
 * fork() without an MMU), which reports back what it saw.  Its report is
 * a struct xt_report written into a pipe, not its exit status, whose 8
 * bits cannot carry an errno whole (EOPNOTSUPP is 95, ENOTSUPP, which a
 * driver can leak, 524).  A pipe outlives execve(), unlike memory the
 * vfork child shares with its parent, and works alike with and without
 * an MMU.  The child finds the pipe's write end at XT_REPORT_FD; a child
 * that dies before reporting (a signal, a failed execve()) leaves the
 * pipe empty.
 */
#define XT_REPORT_FD	3

struct xt_report {
	int verdict;	/* the program's own; XT_NO_REPORT if none came */
	int err;	/* the errno that goes with it, whole; 0 if none */
};

#define XT_NO_REPORT	(-1)

/*
 * The child's side: report @verdict and @err, and return @verdict for
 * an exit status (only a person running the child by hand reads that).
 */
static inline int xt_report(int verdict, int err)
{
	struct xt_report r = { verdict, err };

	if (write(XT_REPORT_FD, &r, sizeof(r)) != sizeof(r))
		return 127;	/* not started by xt_start(): nobody to tell */
	return verdict;
}

struct xt_child {
	pid_t pid;	/* 0 once waited for */
	int status;	/* its wait status, once waited for */
	int report;	/* the read end of its report pipe */
};

/*
 * Start @argv as a second process; if @traced, it runs under ptrace
 * (PTRACE_TRACEME) with this process as its tracer.  Returns 0 once it
 * has called execve(), or -1 with errno set.
 */
/*
 * The vfork child's part of xt_start(), in functions of their own so that
 * no variable of the caller lives across vfork() (i386's GCC warns that
 * one might be clobbered).  The child runs on this process's memory until
 * execve(): raw system calls only, which leave errno alone.  dup3() clears
 * O_CLOEXEC on the copy; the pipe may already sit at XT_REPORT_FD, where
 * only F_SETFD can.
 */
static void __attribute__((noinline, noreturn))
xt_child_exec(int wfd, char *const argv[], int traced)
{
	if (wfd == XT_REPORT_FD)
		xsyscall3(__NR_fcntl, wfd, F_SETFD, 0);
	else
		xsyscall3(__NR_dup3, wfd, XT_REPORT_FD, 0);
	if (traced && xsyscall4(__NR_ptrace, PTRACE_TRACEME, 0, 0, 0))
		x_exit(126);
	xsyscall3(__NR_execve, argv[0], argv, environ);
	x_exit(127);	/* not exit(): no atexit work in a vfork child */
}

/* vfork(): the child execs @argv, the parent gets its pid (or -1). */
static pid_t __attribute__((noinline)) xt_vfork_exec(int wfd, char *const argv[], int traced)
{
	pid_t pid = xvfork();

	if (pid == 0)
		xt_child_exec(wfd, argv, traced);
	return pid;
}

static inline int xt_start(struct xt_child *c, char *const argv[], int traced)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	c->pid = xt_vfork_exec(fds[1], argv, traced);
	close(fds[1]);		/* the child's copy is the only writer now */
	if (c->pid < 0) {
		close(fds[0]);
		return -1;
	}
	c->report = fds[0];
	return 0;
}

/* Read @c's report into @r (XT_NO_REPORT if it sent none); close the pipe. */
static inline void xt_collect(struct xt_child *c, struct xt_report *r)
{
	if (read(c->report, r, sizeof(*r)) != sizeof(*r))
		*r = (struct xt_report){ XT_NO_REPORT, 0 };
	close(c->report);
}

/*
 * Whether @c has exited, without waiting; if it has, it is waited for
 * and its status kept for xt_wait().
 */
static inline int xt_exited(struct xt_child *c)
{
	if (c->pid && waitpid(c->pid, &c->status, WNOHANG) == c->pid &&
	    (c->status & 0xff) != 0x7f)
		c->pid = 0;
	return !c->pid;
}

/*
 * Wait for @c to exit; a traced child is let go on from the stop its
 * execve() makes.  Returns its wait status, or -1, with its report in @r.
 */
static inline int xt_wait(struct xt_child *c, struct xt_report *r)
{
	while (c->pid) {
		if (waitpid(c->pid, &c->status, 0) != c->pid) {
			c->status = -1;
			break;
		}
		if ((c->status & 0xff) != 0x7f)
			break;
		if (xsyscall4(__NR_ptrace, PTRACE_CONT, c->pid, 0, 0)) {
			c->status = -1;
			break;
		}
	}
	c->pid = 0;
	xt_collect(c, r);
	return c->status;
}

/* Run @argv as a second process and wait for it: xt_start(), xt_wait(). */
static inline int xt_spawn(char *const argv[], int traced, struct xt_report *r)
{
	struct xt_child c;

	if (xt_start(&c, argv, traced)) {
		*r = (struct xt_report){ XT_NO_REPORT, errno };
		return -1;
	}
	return xt_wait(&c, r);
}

/*
 * Whether the kernel's unsigned long is 64 bits: that decides where a page
 * offset wraps and what a module parameter holds.  A 32-bit program may
 * run on a 64-bit kernel (i386 on x86-64), so it is the kernel's machine
 * that tells, not sizeof(long): x86_64, riscv64, aarch64, ppc64le, s390x
 * are 64-bit; armv7ml, i686 are not.
 */
static inline int xt_kernel_64bit(void)
{
	struct utsname u;
	size_t n;

	if (uname(&u))
		return sizeof(long) == 8;
	n = strlen(u.machine);
	return (n >= 2 && !strcmp(u.machine + n - 2, "64")) ||
	       (n >= 4 && !strcmp(u.machine + n - 4, "64le")) || !strcmp(u.machine, "s390x");
}

/*
 * An unprivileged user, for the tests of what one may do: nobody's uid and
 * gid, no supplementary groups, no capabilities at all.
 */
#define XT_NOBODY	65534

/*
 * Become that user, for good: setresuid() away from root clears the
 * permitted and effective capabilities, and capset() then clears the
 * inheritable ones too.  Raw system calls.  Returns 0, or the errno of the
 * step that failed.
 */
/*
 * 32-bit ARM (and i386) keep the 16-bit uid calls under the old numbers,
 * which exist only with CONFIG_UID16; the 32-bit ones are *32.
 */
#ifdef __NR_setresuid32
#define XT_NR_SETGROUPS		__NR_setgroups32
#define XT_NR_SETRESGID		__NR_setresgid32
#define XT_NR_SETRESUID		__NR_setresuid32
#else
#define XT_NR_SETGROUPS		__NR_setgroups
#define XT_NR_SETRESGID		__NR_setresgid
#define XT_NR_SETRESUID		__NR_setresuid
#endif

static inline int xt_drop_privileges(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	long r;

	memset(data, 0, sizeof(data));
	r = xsyscall2(XT_NR_SETGROUPS, 0, NULL);
	if (!r)
		r = xsyscall3(XT_NR_SETRESGID, XT_NOBODY, XT_NOBODY, XT_NOBODY);
	if (!r)
		r = xsyscall3(XT_NR_SETRESUID, XT_NOBODY, XT_NOBODY, XT_NOBODY);
	if (!r)
		r = xsyscall2(__NR_capset, &hdr, data);
	return -r;
}

/*
 * A list of checks an unprivileged child makes: each is a call that must
 * fail with an errno (or succeed, want 0).  The child reports the number
 * of the first check that went otherwise (from 1; 0 if none did) and the
 * errno it got, and the parent prints that check's words.
 */
struct xt_step {
	const char *what;
	int want;	/* the errno expected; 0: must succeed */
};

/* In the child: check @got (0 or -1 with errno) for step @n of @steps. */
#define XT_STEP(n, got) do {						\
	int __e = (got) ? errno : 0;					\
	if (__e != xt_steps[(n) - 1].want)				\
		return xt_report(n, __e);				\
} while (0)

/*
 * Peers: a second process that maps something while this one holds its
 * own mapping, and reports one of these verdicts.  A second process rather
 * than a second mapping in this one: on 6.12, two VMAs at one address in
 * one process lose the first (see docs/conformance.md), which leaks the
 * mapping and pins the module.
 */
enum {
	XT_PEER_AT,		/* mapped at the expected address, data right */
	XT_PEER_ELSEWHERE,	/* mapped elsewhere, outside the device: a copy */
	XT_PEER_IN_DEVICE,	/* mapped elsewhere, inside the device */
	XT_PEER_DATA,		/* mapped, but the data is wrong */
	XT_PEER_USAGE,		/* bad arguments, or the file would not open (err) */
	XT_PEER_ERRNO,		/* mmap (or what the peer does) failed with err */
};

#define XT_CHECK_NONE		(-1)	/* don't look at the data */
#define XT_CHECK_PATTERN	(-2)	/* the flash pattern at the offset */

struct xt_map {
	const char *path;
	unsigned long off, len;
	int prot, flags;
	const void *expect;	/* NULL: expect a copy */
	int check;		/* XT_CHECK_*, or a byte every byte must be */
};

static const char *xt_self;	/* this program, for running peers: xt_program() */

/* The file to run this program again from, after xt_setup() moved away. */
static inline const char *xt_program(const char *argv0)
{
	return xt_exe[0] == '/' ? xt_exe : argv0;
}

static inline int xt_check(const void *p, const struct xt_map *m)
{
	if (m->check == XT_CHECK_NONE)
		return 1;
	if (m->check == XT_CHECK_PATTERN)
		return xt_pattern_diff(p, m->off, m->len) < 0;
	return xt_byte_diff(p, m->check, m->len) < 0;
}

/* The peer's side: map as told, judge, and report. */
static inline int xt_peer_main(int argc, char **argv)
{
	struct xipmap_info info = { 0 };
	struct xt_map m;
	int fd, flags;
	void *p;

	if (argc != 9)
		return xt_report(XT_PEER_USAGE, 0);
	m.path = argv[2];
	m.off = strtoul(argv[3], NULL, 0);
	m.len = strtoul(argv[4], NULL, 0);
	m.prot = strtol(argv[5], NULL, 0);
	m.flags = strtol(argv[6], NULL, 0);
	m.expect = (const void *)strtoul(argv[7], NULL, 0);
	m.check = strtol(argv[8], NULL, 0);
	flags = (m.prot & PROT_WRITE) && (m.flags & MAP_SHARED) ? O_RDWR : O_RDONLY;
	fd = open(m.path, flags);
	if (fd < 0)
		return xt_report(XT_PEER_USAGE, errno);
	ioctl(fd, XIPMAP_IOC_INFO, &info);	/* fails harmlessly on other files */
	p = mmap(NULL, m.len, m.prot, m.flags, fd, m.off);
	if (p == MAP_FAILED)
		return xt_report(XT_PEER_ERRNO, errno);
	if (!xt_check(p, &m))
		return xt_report(XT_PEER_DATA, 0);
	if (p == m.expect)
		return xt_report(XT_PEER_AT, 0);
	return xt_report(info.base && xt_in_device(&info, p) ? XT_PEER_IN_DEVICE :
			 XT_PEER_ELSEWHERE, 0);
}

/* Map @m from a peer, traced if @traced.  Returns its report. */
static inline struct xt_report xt_peer(const struct xt_map *m, int traced)
{
	char a[6][24];
	char *argv[] = { (char *)xt_self, "peer", (char *)m->path, a[0], a[1], a[2],
			 a[3], a[4], a[5], NULL };
	struct xt_report r;

	xjoin(a[0], sizeof(a[0]), utoa(m->off), NULL);
	xjoin(a[1], sizeof(a[1]), utoa(m->len), NULL);
	xjoin(a[2], sizeof(a[2]), utoa(m->prot), NULL);
	xjoin(a[3], sizeof(a[3]), utoa(m->flags), NULL);
	xjoin(a[4], sizeof(a[4]), utoa((unsigned long)m->expect), NULL);
	xjoin(a[5], sizeof(a[5]), itoa(m->check), NULL);
	xt_spawn(argv, traced, &r);
	return r;
}

/* Whether a peer's mmap (or other call) failed with @err. */
static inline int xt_peer_failed(struct xt_report r, int err)
{
	return r.verdict == XT_PEER_ERRNO && r.err == err;
}

/* A peer's report in words, in a static buffer. */
static inline const char *xt_verdict(struct xt_report r)
{
	static char buf[96];

	switch (r.verdict) {
	case XT_PEER_AT:	return "mapped at the expected address";
	case XT_PEER_ELSEWHERE:	return "mapped elsewhere, outside the device (a copy)";
	case XT_PEER_IN_DEVICE:	return "mapped elsewhere inside the device";
	case XT_PEER_DATA:	return "mapped, with the wrong data";
	case XT_PEER_USAGE:	return !r.err ? "peer was given bad arguments" :
				       xjoin(buf, sizeof(buf), "peer could not open the file: ",
					     xt_errname(r.err), NULL);
	case XT_PEER_ERRNO:	return xt_errname(r.err);
	case XT_NO_REPORT:	return "peer did not report (killed, or not started)";
	default:		return xjoin(buf, sizeof(buf), "peer gave an unknown verdict ",
					     itoa(r.verdict), NULL);
	}
}

/* Call first in main(): runs the peer's side if this process is one. */
static inline int xt_is_peer(int argc, char **argv)
{
	xt_self = xt_program(argv[0]);
	return argc > 1 && !strcmp(argv[1], "peer");
}

/*
 * A field of /proc/meminfo, in kB, or -1.  The counters behind it are kept
 * per CPU and folded now and then; /proc/sys/vm/stat_refresh folds them
 * now, so that a change of a few pages shows.  (A kernel without SMP has
 * no stat_refresh, and nothing to fold.)
 */
static inline long xt_meminfo(const char *field)
{
	static char buf[4096];
	unsigned long n = strlen(field);
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	char *s;

	if ((fd < 0 && errno != ENOENT) || (fd >= 0 && write(fd, "1", 1) != 1))
		ksft_print_msg("stat_refresh: %s\n", xt_errname(errno));
	if (fd >= 0)
		close(fd);
	if (xt_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	for (s = buf; *s; s++)
		if ((s == buf || s[-1] == '\n') && !strncmp(s, field, n) && s[n] == ':')
			return strtol(s + n + 1, NULL, 10);
	return -1;
}

/*
 * What the process itself sees of its mappings, for the MMU claims that do
 * not need the driver's word: its page faults so far (getrusage(), minor
 * and major: filemap_fault() counts one that had to create the page, a
 * hole of a RAM filesystem included, as major), and a field of the
 * /proc/self/smaps entry of the mapping that starts at @addr ("Rss",
 * "Anonymous"), in kB, or -1.
 */
static inline long xt_faults(void)
{
	struct rusage ru;

	if (xsyscall2(__NR_getrusage, RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

static char xt_smaps_buf[65536];

/* Whether the line at @s starts a VMA: "start-end perms offset ...". */
static inline int xt_smaps_vma_line(const char *s)
{
	const char *p = s;

	while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
		p++;
	return p > s && *p == '-';
}

static inline long xt_smaps_kb(const void *addr, const char *field)
{
	unsigned long n = strlen(field);
	char *s, *nl;
	int in = 0;

	/* All of the buffer, each time: a longer read touches no new page. */
	memset(xt_smaps_buf, 0, sizeof(xt_smaps_buf));
	if (xt_read_file("/proc/self/smaps", xt_smaps_buf, sizeof(xt_smaps_buf)) <= 0)
		return -1;
	for (s = xt_smaps_buf; s && *s; s = nl ? nl + 1 : NULL) {
		nl = strchr(s, '\n');
		if (xt_smaps_vma_line(s)) {
			if (in)
				break;
			in = strtoul(s, NULL, 16) == (unsigned long)addr;
		} else if (in && !strncmp(s, field, n) && s[n] == ':') {
			return strtol(s + n + 1, NULL, 10);
		}
	}
	return -1;
}

/*
 * The running kernel's .config, as Debian installs it: /boot/config-<release>.
 * The runner puts it there in the guest.  Returns 1 if @option (with
 * "CONFIG_") is set to y or m, 0 if not, -1 if there is no config to read.
 * For options a test cannot ask the kernel about; never for CONFIG_MMU,
 * which xt_mmu() asks the kernel itself.
 */
static char xt_config_buf[262144];

static inline int xt_kconfig(const char *option)
{
	struct utsname uts;
	char path[128], want[96];
	char *s;

	if (uname(&uts))
		return -1;
	xjoin(path, sizeof(path), "/boot/config-", uts.release, NULL);
	if (xt_read_file(path, xt_config_buf, sizeof(xt_config_buf)) <= 0)
		return -1;
	xjoin(want, sizeof(want), option, "=", NULL);
	for (s = xt_config_buf; *s; s++) {
		if ((s == xt_config_buf || s[-1] == '\n') && !strncmp(s, want, strlen(want)))
			return s[strlen(want)] == 'y' || s[strlen(want)] == 'm';
	}
	return 0;
}

/*
 * Shrink every slab cache (SLUB's /sys/kernel/slab/CACHE/shrink): empty
 * slabs go back to the page allocator, and under KASAN the objects freed
 * but held in its quarantine (up to 1/32 of memory) are really freed
 * first.  Aliases are symbolic links to the same caches, and skipped.
 */
static inline void xt_shrink_slabs(void)
{
	static char dents[8192];
	char path[160];
	long n, off;
	int dir, fd;

	dir = open("/sys/kernel/slab", O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		return;
	while ((n = getdents64(dir, (void *)dents, sizeof(dents))) > 0) {
		for (off = 0; off < n; off += ((struct linux_dirent64 *)(dents + off))->d_reclen) {
			struct linux_dirent64 *d = (void *)(dents + off);

			if (d->d_type != DT_DIR || d->d_name[0] == '.')
				continue;
			xjoin(path, sizeof(path), "/sys/kernel/slab/", d->d_name, "/shrink", NULL);
			fd = open(path, O_WRONLY);
			if (fd < 0)
				continue;
			if (write(fd, "1", 1) != 1)
				ksft_print_msg("%s: %s\n", path, xt_errname(errno));
			close(fd);
		}
	}
	close(dir);
}

/*
 * Free pages on the page allocator's per-CPU lists, in kB: the sum of
 * every pageset's "count:" in /proc/zoneinfo.  MemFree counts only the
 * buddy lists, so an allocation served from a per-CPU list, or a free that
 * goes back to one, does not move it; since 6.7 those lists grow with
 * use and may hold thousands of pages, more than a mapping the tests
 * measure.  0 if the file cannot be read.
 */
static inline long xt_pcp_kb(void)
{
	char buf[512], line[64], *s;
	long pages = 0;
	unsigned int len = 0;
	ssize_t n, i;
	int fd;

	fd = open("/proc/zoneinfo", O_RDONLY);
	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			for (s = line; *s == ' '; s++)
				;
			if (!strncmp(s, "count:", 6))
				pages += strtol(s + 6, NULL, 10);
		}
	}
	close(fd);
	return pages * (long)(xt_page_size() >> 10);
}

/*
 * Free memory in kB, MemFree and the per-CPU lists' pages (xt_pcp_kb()),
 * once what the kernel frees late is free: after 200 ms
 * (detached mounts, RCU-freed inodes), clean caches and slab objects are
 * dropped (/proc/sys/vm/drop_caches) and the slab caches shrunk, so that
 * what is compared is memory still in use.  Until MemFree reaches @want,
 * it tries again 300 ms later, five times at most, and returns the most it
 * saw: memory freed late comes back, a leak does not.
 */
static inline long xt_settled_memfree(long want)
{
	long best = -1, now;
	int i, fd;

	usleep(200000);
	for (i = 0; i < 5; i++) {
		if (i)
			usleep(300000);
		fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "3", 1) != 1)
				ksft_print_msg("drop_caches: %s\n", xt_errname(errno));
			close(fd);
		}
		xt_shrink_slabs();
		now = xt_meminfo("MemFree") + xt_pcp_kb();
		if (now > best)
			best = now;
		if (best >= want)
			break;
	}
	return best;
}

/*
 * Whether the run asks for the tests that trip known kernel bugs (a WARN,
 * a BUG): XIPMAP_KNOWN_BUGS=1, as qemu/run.sh --known-bugs sets it.
 */
static inline int xt_known_bugs(void)
{
	const char *known = getenv("XIPMAP_KNOWN_BUGS");

	return known && !strcmp(known, "1");
}

/*
 * Whether the kernel has the fix of the known bug @bug (a number of
 * docs/conformance.md, "P1" ... of docs/peers.md): XIPMAP_FIXED lists
 * them, separated by commas, on a target whose kernel has patches/6.12
 * applied (qemu/targets/nommu-riscv64-fixed, fixes=).  A test of such a
 * bug then runs without XIPMAP_KNOWN_BUGS and asserts the fixed behaviour.
 */
static inline int xt_fixed(const char *bug)
{
	const char *s = getenv("XIPMAP_FIXED");
	size_t n = strlen(bug);

	while (s && *s) {
		if (!strncmp(s, bug, n) && (s[n] == ',' || !s[n]))
			return 1;
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return 0;
}

/*
 * Whether a test that makes two no-MMU regions overlap must stand aside:
 * by design they do (private read-only mappings of a direct device carry
 * VM_MAYOVERLAY, and shared mappings of a character device may overlap
 * inexactly), but 6.12's validate_nommu_regions(), built with
 * CONFIG_DEBUG_NOMMU_REGIONS, BUGs on any overlap (docs/conformance.md,
 * 23).  On such a kernel the test runs only with XIPMAP_KNOWN_BUGS=1, or
 * with the fix, and says so.  Call it after xt_mmu() is known to be 0.
 */
static inline int xt_skip_overlap(void)
{
	if (xt_kconfig("CONFIG_DEBUG_NOMMU_REGIONS") != 1 || xt_known_bugs() || xt_fixed("23"))
		return 0;
	ksft_print_msg("overlapping regions BUG 6.12 with DEBUG_NOMMU_REGIONS: "
		       "set XIPMAP_KNOWN_BUGS=1 to run\n");
	return 1;
}

/*
 * A test is a function named after the claim it checks.  It returns
 * XT_PASS, XT_FAIL or XT_SKIP (XT_XFAIL: a known kernel bug, named in
 * xt_skip_why), and says through XT_EXPECT() what it expected and what
 * came whenever a check fails.
 */
enum { XT_FAIL = 0, XT_PASS = 1, XT_SKIP = 2, XT_XFAIL = 3 };

/* In the parent: say how the child's report @r went; XT_PASS or XT_FAIL. */
static inline int xt_steps_verdict(const struct xt_step *steps, int n, struct xt_report r)
{
	if (r.verdict == 0)
		return XT_PASS;
	if (r.verdict > 0 && r.verdict <= n) {
		ksft_print_msg("as uid %d without capabilities: %s: %s, expected %s\n", XT_NOBODY,
			       steps[r.verdict - 1].what, xt_errname(r.err),
			       xt_errname(steps[r.verdict - 1].want));
		return XT_FAIL;
	}
	ksft_print_msg("the unprivileged child: %s\n", r.verdict == XT_NO_REPORT ?
		       "did not report" : "could not drop its privileges");
	return XT_FAIL;
}

/* The default devices by number: xipflashN has personality N. */
static const char *const xt_dev_path[] = { XT_NOR, XT_RAM, XT_NAND, XT_FB };

/*
 * Open the first @n devices read-write into @fd and read each one's
 * XIPMAP_IOC_INFO into @info; a device that cannot be opened ends the
 * program (the tests need every one).
 */
static inline void xt_open_devices(int *fd, struct xipmap_info *info, int n)
{
	int dev;

	for (dev = 0; dev < n; dev++) {
		fd[dev] = open(xt_dev_path[dev], O_RDWR);
		if (fd[dev] < 0)
			ksft_exit_fail_msg("open %s: %s (%d)\n", xt_dev_path[dev],
					   xt_errname(errno), errno);
		info[dev] = xt_info(fd[dev]);
	}
}

/*
 * Put default device @dev back as the module loaded it, for a test that
 * changed it: returns @ok, or XT_FAIL (saying why) if it cannot.
 */
static inline int xt_put_back(int dev, int ok)
{
	if (xt_restore(xt_dev_path[dev], dev)) {
		ksft_print_msg("could not restore %s: %s\n", xt_dev_path[dev],
			       xt_errname(errno));
		return XT_FAIL;
	}
	return ok;
}

/* After the tests: the next program gets every default device as loaded. */
static inline void xt_put_back_all(void)
{
	unsigned int dev;

	for (dev = 0; dev < ARRAY_SIZE(xt_dev_path); dev++)
		if (xt_restore(xt_dev_path[dev], dev))
			ksft_exit_fail_msg("could not restore %s\n", xt_dev_path[dev]);
}

/*
 * Whether the running kernel has an MMU, asked of the kernel itself, once.
 * This and xt_expect below are the one place where the tests'
 * expectations depend on the kind of kernel.
 *
 * The question is mprotect() of an anonymous private page.  Only an MMU
 * kernel has the system call: mm/Makefile builds mm/mprotect.o, where
 * sys_mprotect is defined, only with CONFIG_MMU, and without it
 * kernel/sys_ni.c's COND_SYSCALL(mprotect) makes it sys_ni_syscall(),
 * -ENOSYS.  With an MMU, making a page of this process's own memory
 * read-only succeeds.  (mmap() cannot tell: mm/nommu.c ignores flags it
 * does not know, MAP_FIXED_NOREPLACE among them.)  Neither /boot, nor
 * procfs, nor the module needs to be there.
 */
static int xt_mmu_known = -1;

static inline int xt_mmu(void)
{
	unsigned long len = xt_page_size();
	void *p;

	if (xt_mmu_known >= 0)
		return xt_mmu_known;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		ksft_exit_fail_msg("cannot tell whether the kernel has an MMU: an anonymous "
				   "page: %s\n", xt_errname(errno));
	if (!xmprotect(p, len, PROT_READ))
		xt_mmu_known = 1;
	else if (errno == ENOSYS)
		xt_mmu_known = 0;
	else
		ksft_exit_fail_msg("cannot tell whether the kernel has an MMU: mprotect() of "
				   "an anonymous page: %s\n", xt_errname(errno));
	munmap(p, len);
	return xt_mmu_known;
}

/*
 * What differs between the two kinds of kernel, where a test checks it on
 * both.  Each line says why.
 */
struct xt_expect {
	/*
	 * MAP_SHARED|PROT_WRITE of a device without NOMMU_MAP_WRITE, opened
	 * O_RDWR.  no-MMU: validate_mmap_request() refuses a shared mapping
	 * the direct capabilities do not cover with EINVAL.  MMU: the driver
	 * refuses a protection the device does not offer, as the kernel does
	 * for a file opened without it: EACCES.
	 */
	int shared_write_on_readonly_device;
	/*
	 * FUTEX_WAIT on an address outside every mapping.  no-MMU: 6.12 looks
	 * at no VMA and just reads the memory (0 here: EAGAIN or ETIMEDOUT),
	 * against the document.  MMU: EFAULT, as the document says.
	 */
	int futex_outside_mappings;
	/*
	 * Whether MemFree moves by exactly a file's pages when the file comes
	 * and goes.  no-MMU: a file's run is one high-order block, which
	 * bypasses the per-CPU page lists.  MMU: its pages come one at a time
	 * through those lists, which keep a batch of free pages MemFree does
	 * not count; Cached is exact on both.
	 */
	int memfree_follows_files;
};

static inline const struct xt_expect *xt_expect(void)
{
	static const struct xt_expect nommu = {
		.shared_write_on_readonly_device = EINVAL,
		.futex_outside_mappings = 0,
		.memfree_follows_files = 1,
	};
	static const struct xt_expect mmu = {
		.shared_write_on_readonly_device = EACCES,
		.futex_outside_mappings = EFAULT,
		.memfree_follows_files = 0,
	};

	return xt_mmu() ? &mmu : &nommu;
}

/*
 * A test checks a behaviour of both kinds of kernel, or of one kind only:
 * then it is skipped on the other, with the reason, which should say why
 * the behaviour does not exist there and where the other kind's is checked.
 */
enum { XT_BOTH, XT_NOMMU_ONLY, XT_MMU_ONLY };

struct xt_test {
	const char *name;
	int (*fn)(void);
	int only;
	const char *why;
};

/* Reasons shared by several tests. */
#define XT_WHY_PLACE	"with an MMU a mapping has an address of its own: in place or " \
			"copied shows in what it sees (mmu_map)"
#define XT_WHY_FIXED	"MAP_FIXED works with an MMU"
#define XT_WHY_ENOSYS	"-ENOSYS (copy instead) is a no-MMU answer; with an MMU the " \
			"kernel never asks it"
#define XT_WHY_PASTEND	"with an MMU the driver refuses any range past the end " \
			"(direct_length_past_end_is_einval)"
#define XT_WHY_NOFAULT	"without an MMU nothing is demand-paged"

#define XT_TEST(fn)		{ #fn, fn, XT_BOTH, NULL }
#define XT_TEST_NOMMU(fn, why)	{ #fn, fn, XT_NOMMU_ONLY, why }
#define XT_TEST_MMU(fn, why)	{ #fn, fn, XT_MMU_ONLY, why }

/* The reason @t does not run on this kernel, or NULL if it does. */
static inline const char *xt_not_here(const struct xt_test *t)
{
	if (t->only == XT_NOMMU_ONLY && xt_mmu())
		return t->why;
	if (t->only == XT_MMU_ONLY && !xt_mmu())
		return t->why;
	return NULL;
}

/* Needs "int ok = XT_PASS;" in the test; the test carries on after a miss. */
#define XT_EXPECT(cond, ...) do {					\
	if (!(cond)) {							\
		ksft_print_msg(__VA_ARGS__);				\
		ok = XT_FAIL;						\
	}								\
} while (0)

/*
 * A seeded xorshift64 generator, for the fuzzer and the stress workers:
 * one seed gives one sequence on every target.  xt_rng_seed() is its
 * state, to seed it.
 */
static inline __u64 *xt_rng_seed(void)
{
	static __u64 state;

	return &state;
}

static inline __u32 xt_rnd(void)
{
	__u64 x = *xt_rng_seed();

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*xt_rng_seed() = x;
	return (__u32)(x >> 32);
}

/* A number below @n, or 0 if @n is 0. */
static inline __u32 xt_below(__u32 n)
{
	return n ? xt_rnd() % n : 0;
}

/*
 * The driver counts no mapping of any of the first @ndev devices (debugfs
 * xipflashN/mappings): a test that mapped them has unmapped everything.
 */
static inline int xt_no_mapping_counted(int ndev)
{
	int ok = XT_PASS, dev;

	XT_NEED_COUNTERS();
	for (dev = 0; dev < ndev; dev++)
		XT_EXPECT(xt_dev_counter(dev, "mappings") == 0,
			  "xipflash%d: debugfs counts %ld mappings, expected 0\n", dev,
			  xt_dev_counter(dev, "mappings"));
	return ok;
}

/* Run @n tests, reporting each as "@prefix<name>". */
static inline void xt_run_tests(const struct xt_test *tests, int n, const char *prefix)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		const char *why = xt_not_here(&tests[i]);

		if (why) {
			ksft_test_result_skip("%s%s: %s\n", prefix, tests[i].name, why);
			continue;
		}
		xt_skip_why = NULL;
		ret = tests[i].fn();
		if (ret == XT_XFAIL)	/* a known kernel bug, xt_skip_why says which */
			ksft_test_result_xfail("%s%s: %s\n", prefix, tests[i].name,
					       xt_skip_why ? xt_skip_why : "known bug");
		else if (ret == XT_SKIP && xt_skip_why)
			ksft_test_result_skip("%s%s: %s\n", prefix, tests[i].name, xt_skip_why);
		else if (ret == XT_SKIP)
			ksft_test_result_skip("%s%s\n", prefix, tests[i].name);
		else
			ksft_test_result(ret == XT_PASS, "%s%s\n", prefix, tests[i].name);
	}
}

/*
 * Run @n tests as one TAP 13 program, then @after (if any: it puts back
 * what the tests changed and may fail the program), and exit with
 * kselftest's status.
 */
static inline void __attribute__((noreturn))
xt_run(const struct xt_test *tests, int n, void (*after)(void))
{
	ksft_print_header();
	ksft_set_plan(n);
	xt_run_tests(tests, n, "");
	if (after)
		after();
	ksft_finished();
}

/*
 * Tell whoever judges the kernel log (qemu/judge) that the next kernel
 * message containing @text is provoked on purpose, by writing "xipmap-test:
 * expect: TEXT" to /dev/kmsg.  A test calls it just before the call that
 * makes the kernel or the module complain (a refused module parameter or
 * mount option): any complaint nobody announced fails the run.
 */
static inline void xt_announce_kmsg(const char *text)
{
	static char line[256];
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0) {
		ksft_print_msg("cannot open /dev/kmsg to announce '%s': %s\n", text,
			       xt_errname(errno));
		return;
	}
	xjoin(line, sizeof(line), "xipmap-test: expect: ", text, NULL);
	if (write(fd, line, strlen(line)) < 0)
		ksft_print_msg("cannot write to /dev/kmsg: %s\n", xt_errname(errno));
	close(fd);
}

/*
 * Machine code that returns 42, for the tests that run code in place from
 * a mapping (execute-in-place): lib/xipmap_code.h, which the runner's
 * host tool that writes the filesystem images shares (qemu/conform-contents.c).
 */
#if defined(__riscv)
#define XT_HAVE_RET42
static const unsigned char xt_ret42[] = XT_RET42_RISCV;
#elif defined(__x86_64__) || defined(__i386__)
#define XT_HAVE_RET42
static const unsigned char xt_ret42[] = XT_RET42_X86;
#elif defined(__arm__) && defined(__thumb2__)
#define XT_HAVE_RET42
static const unsigned char xt_ret42[] = XT_RET42_THUMB2;
#endif

#ifdef XT_HAVE_RET42
/*
 * Make the instruction fetch see what was written to [@p, @p + @len):
 * fence.i on RISC-V; ARM's cacheflush system call, which libgcc's
 * __clear_cache would make but Debian's ARM libgcc cannot run on a
 * Cortex-M.
 */
static inline void xt_icache_sync(void *p, unsigned long len)
{
#if defined(__riscv)
	__asm__ volatile ("fence.i" ::: "memory");
#elif defined(__arm__)
	xsyscall3(__ARM_NR_cacheflush, p, (char *)p + len, 0);
#endif
	(void)p;
	(void)len;
}

/*
 * The ret42 code at @p + XT_RET42_OFFSET as a function to call, the
 * instruction cache already in step (xt_icache_sync()): on Thumb-2 the low
 * bit of the address set, which keeps the call in Thumb state.
 */
static inline int (*xt_ret42_fn(void *p))(void)
{
	unsigned long code = (unsigned long)p + XT_RET42_OFFSET;

#if defined(__arm__)
	code |= 1;
#endif
	return (int (*)(void))code;
}

/* The ret42 code at @p + XT_RET42_OFFSET, ready to call. */
static inline int (*xt_ret42_at(void *p))(void)
{
	xt_icache_sync((char *)p + XT_RET42_OFFSET, sizeof(xt_ret42));
	return xt_ret42_fn(p);
}
#endif

#endif /* XIPMAP_TEST_H */
