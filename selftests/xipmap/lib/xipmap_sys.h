/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where the guest programs meet their C library.
 *
 * They build with either of two: the kernel's nolibc (tools/include/nolibc,
 * header-only, what the no-MMU guests run: static PIE, relocated by
 * start.c) or glibc (static, for systems with an MMU and a distribution).
 * Everything they need beyond what both offer the same way is here, under
 * one name for both: raw system calls (xsyscallN(), which return -errno
 * as the kernel does, and xsysret(), which turns that into -1 and errno),
 * vfork, module loading and unloading, running a program and waiting for
 * it, a few calls nolibc 6.12 lacks, and the little string building they
 * do.  No program includes a libc header itself.
 *
 * nolibc keeps errno per translation unit, so each program is one .c file
 * that includes this after nolibc; only start.c, which sets up the process
 * before main(), is separate.
 */
#ifndef XIPMAP_SYS_H
#define XIPMAP_SYS_H

/*
 * In start.c: clone(CLONE_VM | CLONE_VFORK); returns -errno on failure.
 * See xvfork().  start.c, built before any C library is there, includes
 * this file for that line alone (XIPMAP_START_CODE).
 */
long xipmap_vfork(void) __attribute__((returns_twice));

#ifndef XIPMAP_START_CODE
#ifdef NOLIBC

#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/ipc.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/shm.h>
#include <asm/statfs.h>

#define xsyscall0(n)			my_syscall0(n)
#define xsyscall1(n, a)			my_syscall1(n, a)
#define xsyscall2(n, a, b)		my_syscall2(n, a, b)
#define xsyscall3(n, a, b, c)		my_syscall3(n, a, b, c)
#define xsyscall4(n, a, b, c, d)	my_syscall4(n, a, b, c, d)
#define xsyscall5(n, a, b, c, d, e)	my_syscall5(n, a, b, c, d, e)
#define xsyscall6(n, a, b, c, d, e, f)	my_syscall6(n, a, b, c, d, e, f)
#define xsysret(r)			__sysret(r)
/* _exit(2): the process ends here, without atexit work (a vfork child). */
#define x_exit(status)			sys_exit(status)

/*
 * vfork(): no-MMU kernels have no fork(), so a second process shares the
 * parent's memory, stack included, until it calls execve() or exits.  A
 * macro, not a function: the child must not return through a frame the
 * parent will use again.
 */
#define xvfork() ({							\
	long __ret = xipmap_vfork();					\
									\
	__ret < 0 ? (errno = -__ret, -1) : (pid_t)__ret;		\
})

#else /* glibc */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/auxv.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/time_types.h>

/* syscall(2) says -1 and errno; the kernel's own -errno, as nolibc gives. */
static inline long xsyscall_raw(long ret)
{
	return ret == -1 ? -errno : ret;
}

#define xsyscall0(n)			xsyscall_raw(syscall(n))
#define xsyscall1(n, a)			xsyscall_raw(syscall(n, a))
#define xsyscall2(n, a, b)		xsyscall_raw(syscall(n, a, b))
#define xsyscall3(n, a, b, c)		xsyscall_raw(syscall(n, a, b, c))
#define xsyscall4(n, a, b, c, d)	xsyscall_raw(syscall(n, a, b, c, d))
#define xsyscall5(n, a, b, c, d, e)	xsyscall_raw(syscall(n, a, b, c, d, e))
#define xsyscall6(n, a, b, c, d, e, f)	xsyscall_raw(syscall(n, a, b, c, d, e, f))

/* A raw system call's result: -1 and errno for -4095 to -1, else itself. */
static inline long xsysret(long ret)
{
	if ((unsigned long)ret >= -4095UL) {
		errno = -ret;
		return -1;
	}
	return ret;
}

#define x_exit(status)	_exit(status)
#define xvfork()	vfork()
/* getdents64(2)'s record, which glibc calls struct dirent64. */
#define linux_dirent64	dirent64

/* Sleep @ms milliseconds, as nolibc's msleep(); the time left if woken. */
static inline int msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return nanosleep(&ts, &ts) ? ts.tv_sec * 1000 + ts.tv_nsec / 1000000 : 0;
}

/*
 * nolibc's number formatting, which the programs use to build argument
 * and path strings: decimal into @buf, returning its length, or into a
 * buffer of the function's own (the next call reuses it).
 */
static inline int itoa_r(long in, char *buf)
{
	return sprintf(buf, "%ld", in);
}

static inline int u64toa_r(uint64_t in, char *buf)
{
	return sprintf(buf, "%llu", (unsigned long long)in);
}

static inline int i64toa_r(int64_t in, char *buf)
{
	return sprintf(buf, "%lld", (long long)in);
}

static inline int utoh_r(unsigned long in, char *buf)
{
	return sprintf(buf, "%lx", in);
}

static inline int u64toh_r(uint64_t in, char *buf)
{
	return sprintf(buf, "%llx", (unsigned long long)in);
}

static inline char *ltoa(long in)
{
	static char buf[24];

	itoa_r(in, buf);
	return buf;
}

static inline char *itoa(long in)
{
	static char buf[24];

	itoa_r(in, buf);
	return buf;
}

static inline char *utoa(unsigned long in)
{
	static char buf[24];

	sprintf(buf, "%lu", in);
	return buf;
}

static inline char *u64toa(uint64_t in)
{
	static char buf[24];

	u64toa_r(in, buf);
	return buf;
}

#endif /* NOLIBC */

/* finit_module(2) on the file at @path; 0 or -1 with errno set. */
static inline int xfinit_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY);
	long ret;

	if (fd < 0)
		return -1;
	ret = xsyscall3(__NR_finit_module, fd, params, 0);
	close(fd);
	return xsysret(ret);
}

/* delete_module(2); 0 or -1 with errno set. */
static inline int xdelete_module(const char *name, unsigned int flags)
{
	return xsysret(xsyscall2(__NR_delete_module, name, flags));
}

/*
 * Wait statuses, decoded here: nolibc 6.12's WIFSIGNALED() is true for a
 * normal exit with status 0.
 */
#define XWIFEXITED(s)	(((s) & 0x7f) == 0)
#define XWEXITSTATUS(s)	(((s) >> 8) & 0xff)
#define XWIFSIGNALED(s)	(((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define XWTERMSIG(s)	((s) & 0x7f)

/*
 * Run @argv[0] with @envp as a second process and wait for it.
 * Returns its wait status, or -1 with errno set if it could not be started.
 */
/*
 * vfork() and the child's execve(), each in a function of its own: with
 * either inlined into its caller, a system call's register variables
 * would live across vfork() (-Wclobbered, on ARM).
 */
static void __attribute__((noinline, noreturn, unused))
xspawn_child(char *const argv[], char *const envp[])
{
	execve(argv[0], argv, envp);
	x_exit(127);	/* not exit(): no atexit work in a vfork child */
}

static pid_t __attribute__((noinline, unused))
xspawn(char *const argv[], char *const envp[])
{
	pid_t pid = xvfork();

	if (pid == 0)
		xspawn_child(argv, envp);
	return pid;
}

static inline int xspawn_wait(char *const argv[], char *const envp[])
{
	int status;
	pid_t pid;

	pid = xspawn(argv, envp);
	if (pid < 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* ftruncate(2); 0 or -1 with errno set. */
static inline int xftruncate(int fd, off_t length)
{
	return xsysret(xsyscall2(__NR_ftruncate, fd, length));
}

/*
 * ftruncate64(2): a length of 4 GiB or more, which a 32-bit off_t cannot
 * hold.  0 or -1 with errno set.
 */
static inline int xftruncate64(int fd, long long length)
{
#if __SIZEOF_LONG__ == 8
	return xsysret(xsyscall2(__NR_ftruncate, fd, length));
#elif defined(__arm__) && defined(__ARMEL__)
	/* EABI: a 64-bit argument starts at an even register (r2, r3). */
	return xsysret(xsyscall4(__NR_ftruncate64, fd, 0, (unsigned long)length,
				    (unsigned long)(length >> 32)));
#elif defined(__i386__)
	return xsysret(xsyscall3(__NR_ftruncate64, fd, (unsigned long)length,
				    (unsigned long)(length >> 32)));
#else
#error "xftruncate64: no 64-bit length for this architecture yet"
#endif
}

/*
 * mmap(2) at an offset in 4 KiB units: a 32-bit program's offsets reach
 * 2^44 - 4096 only this way (mmap2).  MAP_FAILED with errno set on error.
 */
static inline void *xmmap_pgoff(size_t len, int prot, int flags, int fd, unsigned long pgoff)
{
#if __SIZEOF_LONG__ == 8
	return mmap(NULL, len, prot, flags, fd, (off_t)pgoff << 12);
#else
	long r = xsyscall6(__NR_mmap2, 0, len, prot, flags, fd, pgoff);

	if ((unsigned long)r >= -4095UL) {
		errno = -r;
		return MAP_FAILED;
	}
	return (void *)r;
#endif
}

/*
 * ptrace(2), the system call itself: PTRACE_PEEKDATA stores the word at
 * @data (glibc's wrapper returns it instead).  0 or -1 with errno set.
 */
static inline int xptrace(int request, pid_t pid, void *addr, void *data)
{
	return xsysret(xsyscall4(__NR_ptrace, request, pid, addr, data));
}

/* statfs(2); 0 or -1 with errno set. */
static inline int xstatfs(const char *path, struct statfs *buf)
{
	return xsysret(xsyscall2(__NR_statfs, path, buf));
}

/* rename(2), which RISC-V has only as renameat2(2); 0 or -1. */
static inline int xrename(const char *from, const char *to)
{
	return xsysret(xsyscall5(__NR_renameat2, AT_FDCWD, from, AT_FDCWD, to, 0));
}

/* umount2(2); 0 or -1 with errno set. */
static inline int xumount(const char *path, int flags)
{
	return xsysret(xsyscall2(__NR_umount2, path, flags));
}

/* strstr(), which nolibc 6.12 lacks: the first @needle in @s, or NULL. */
static inline const char *xstrstr(const char *s, const char *needle)
{
	unsigned long n = strlen(needle);

	for (; *s; s++)
		if (!strncmp(s, needle, n))
			return s;
	return NULL;
}

/* Whether @path exists. */
static inline int xexists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * Concatenate the NULL-terminated list of strings after @buf into @buf,
 * truncating to @size - 1 bytes.  Returns @buf.
 */
static inline char *xjoin(char *buf, size_t size, ...)
{
	size_t len = 0;
	const char *s;
	va_list ap;

	va_start(ap, size);
	while ((s = va_arg(ap, const char *)) != NULL)
		while (*s && len + 1 < size)
			buf[len++] = *s++;
	va_end(ap);
	buf[len] = '\0';
	return buf;
}

#endif /* !XIPMAP_START_CODE */
#endif /* XIPMAP_SYS_H */
