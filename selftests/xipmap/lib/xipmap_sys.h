/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest programs need and nolibc (6.12) lacks: vfork, module
 * loading and unloading, running a program and waiting for it, and the
 * little string building they do.
 *
 * nolibc is header-only and keeps errno per translation unit, so each
 * program is one .c file that includes this after nolibc; only start.c,
 * which sets up the process before main(), is separate.
 */
#ifndef XIPMAP_SYS_H
#define XIPMAP_SYS_H

/*
 * In start.c: clone(CLONE_VM | CLONE_VFORK); returns -errno on failure.
 * See xvfork().
 */
long xipmap_vfork(void) __attribute__((returns_twice));

#ifdef NOLIBC

#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/ipc.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/shm.h>
#include <asm/statfs.h>

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

/* finit_module(2) on the file at @path; 0 or -1 with errno set. */
static inline int xfinit_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY);
	long ret;

	if (fd < 0)
		return -1;
	ret = my_syscall3(__NR_finit_module, fd, params, 0);
	close(fd);
	return __sysret(ret);
}

/* delete_module(2); 0 or -1 with errno set. */
static inline int xdelete_module(const char *name, unsigned int flags)
{
	return __sysret(my_syscall2(__NR_delete_module, name, flags));
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
static inline int xspawn_wait(char *const argv[], char *const envp[])
{
	int status;
	pid_t pid;

	pid = xvfork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(argv[0], argv, envp);
		sys_exit(127);	/* not exit(): no atexit work in a vfork child */
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* ftruncate(2); 0 or -1 with errno set. */
static inline int xftruncate(int fd, off_t length)
{
	return __sysret(my_syscall2(__NR_ftruncate, fd, length));
}

/*
 * ftruncate64(2): a length of 4 GiB or more, which a 32-bit off_t cannot
 * hold.  0 or -1 with errno set.
 */
static inline int xftruncate64(int fd, long long length)
{
#if __SIZEOF_LONG__ == 8
	return __sysret(my_syscall2(__NR_ftruncate, fd, length));
#elif defined(__arm__) && defined(__ARMEL__)
	/* EABI: a 64-bit argument starts at an even register (r2, r3). */
	return __sysret(my_syscall4(__NR_ftruncate64, fd, 0, (unsigned long)length,
				    (unsigned long)(length >> 32)));
#elif defined(__i386__)
	return __sysret(my_syscall3(__NR_ftruncate64, fd, (unsigned long)length,
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
	long r = my_syscall6(__NR_mmap2, 0, len, prot, flags, fd, pgoff);

	if ((unsigned long)r >= -4095UL) {
		SET_ERRNO(-r);
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
	return __sysret(my_syscall4(__NR_ptrace, request, pid, addr, data));
}

/* statfs(2); 0 or -1 with errno set. */
static inline int xstatfs(const char *path, struct statfs *buf)
{
	return __sysret(my_syscall2(__NR_statfs, path, buf));
}

/* rename(2), which RISC-V has only as renameat2(2); 0 or -1. */
static inline int xrename(const char *from, const char *to)
{
	return __sysret(my_syscall5(__NR_renameat2, AT_FDCWD, from, AT_FDCWD, to, 0));
}

/* umount2(2); 0 or -1 with errno set. */
static inline int xumount(const char *path, int flags)
{
	return __sysret(my_syscall2(__NR_umount2, path, flags));
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

#endif /* NOLIBC */
#endif /* XIPMAP_SYS_H */
