// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the xipmap guests.
 *
 * Mounts proc, sysfs and devtmpfs, loads /lib/modules/xipmap.ko with
 * finit_module, runs the demo or every test of the kselftest install in
 * /tests as a kselftest runner would (TAP 13, each program's output
 * indented by "# "),
 * unloads the module, reports the kernel's taint flags, copies the kernel
 * log to the console and powers off.  qemu/run.sh reads the console for
 * the lines this prints: every one of them starts with "xipmap-init:" or
 * is TAP.
 *
 * While the tests run, the console shows only KERN_EMERG messages (an
 * Oops, a panic): a kernel message printed in the middle of a TAP line
 * would garble it.  Everything else reaches the console afterwards, in the
 * kernel log copy, where the runner looks for WARNINGs and the like.
 *
 * The kernel passes unknown "NAME=value" boot arguments to init as its
 * environment: XIPMAP_MODE=demo runs the demo instead of the tests, and
 * XIPMAP_INJECT=<fault> breaks the run on purpose so that qemu/check.sh
 * can prove the runner notices (see qemu/run.sh for the list).
 *
 * The tests are a kselftest install in /tests (kselftest-list.txt, the
 * programs and settings in /tests/xipmap): init runs the list itself, as
 * the kernel's runner would, or, with XIPMAP_RUNNER=kselftest on a target
 * that has busybox, lets the kernel's run_kselftest.sh run it.
 *
 * XIPMAP_KMOD=1 (a target with module=dkms) loads and unloads the module
 * with Debian's kmod tools instead, as a distribution does: depmod -a,
 * modprobe (first XIPMAP_MODPROBE, "NAME+PARAM+...", a module the target
 * wants loaded before xipmap, then xipmap), modinfo xipmap, and rmmod at the
 * end.
 */
#include <linux/reboot.h>
#include <linux/xipmap.h>

#include "xipmap_sys.h"

#define MODULE_PATH	"/lib/modules/xipmap.ko"
#define KMOD_DIR	"/sbin"
#define INJECT_PATH	"/lib/modules/xipmap_inject.ko"
/* A kselftest install (make install INSTALL_PATH=/tests): the list, and each collection's directory. */
#define TEST_DIR	"/tests"
#define TEST_LIST	TEST_DIR "/kselftest-list.txt"
#define COLLECTION	"xipmap"
#define BUSYBOX_SH	"/bin/sh"
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define GCOV_DIR	"/sys/kernel/debug/gcov"

#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_CONSOLE_LEVEL	8
#define SYSLOG_ACTION_SIZE_BUFFER	10

static const char *inject = "";
static int use_kmod;
/* runner=kselftest: run_kselftest.sh runs the tests, and they load xipmap. */
static int kselftest_runner;
/* Seconds per test program: "timeout=" in the collection's settings, as kselftest. */
static int test_timeout = 45;

static int injecting(const char *fault)
{
	return !strcmp(inject, fault);
}

static void say(const char *what, const char *arg, int err)
{
	printf("xipmap-init: %s%s", what, arg ? arg : "");
	if (err)
		printf(": errno %d", err);
	printf("\n");
}

/* Console log level: 1 shows only KERN_EMERG, 8 shows everything. */
static void console_level(int level)
{
	xsyscall3(__NR_syslog, SYSLOG_ACTION_CONSOLE_LEVEL, NULL, level);
}

/*
 * Copy the whole kernel log to the console, between two marker lines that
 * qemu/judge looks for.  The buffer is twice the kernel's (each record
 * gains a "<level>[time] " prefix); a copy that fills it is said to be
 * truncated, and one that no longer starts at boot tells the judge that
 * the kernel's own buffer wrapped.
 */
static void copy_kernel_log(void)
{
	long size = xsyscall3(__NR_syslog, SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *buf;
	long n;

	console_level(8);
	if (size <= 0) {
		say("cannot read the kernel log", " size", size < 0 ? -size : 0);
		return;
	}
	size = 2 * size + 65536;
	buf = malloc(size);
	if (!buf) {
		say("cannot read the kernel log", ": no memory for a copy", ENOMEM);
		return;
	}
	n = xsyscall3(__NR_syslog, SYSLOG_ACTION_READ_ALL, buf, size);
	if (n < 0) {
		say("cannot read the kernel log", NULL, -n);
		free(buf);
		return;
	}
	say("kernel log follows", NULL, 0);
	write(1, buf, n);
	say("kernel log ends", NULL, 0);
	if (n == size)
		say("kernel log truncated: its copy filled the buffer", NULL, 0);
	free(buf);
}

/* Milliseconds of wall time, from an arbitrary start. */
static long now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Write @text to the file @path; returns 0 or an errno. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/*
 * kmemleak, on kernels that have it: what boot left is cleared before the
 * module loads, and at the end two scans at least 5 s apart (an object is
 * reported only once it has stayed unreferenced for a scan interval and
 * two scans) are printed for qemu/judge to read.
 */
static int have_kmemleak(void)
{
	return xexists(KMEMLEAK);
}

static void kmemleak_clear(void)
{
	int err;

	if (!have_kmemleak())
		return;
	err = write_file(KMEMLEAK, "clear");
	if (err)
		say("cannot clear " KMEMLEAK, NULL, err);
	else
		say("kmemleak cleared", NULL, 0);
	/*
	 * No scans of its own during the suite (the first comes 60 s after
	 * boot, and takes 7 s of a CPU under KASAN): only the two below.
	 */
	err = write_file(KMEMLEAK, "scan=off");
	if (err)
		say("cannot stop kmemleak's scan thread", NULL, err);
}

static void kmemleak_report(void)
{
	static char buf[4096];
	long n, t0 = 0;
	int fd, err, i;

	if (!have_kmemleak())
		return;
	for (i = 0; i < 2; i++) {
		/*
		 * An object must be 5 s old (in jiffies) when a scan starts
		 * to be reported, and is reported only by a second scan (the
		 * first takes its checksum): the second scan starts 5 s after
		 * the first did, or 10 s for --inject checkers, however long
		 * the first took (7 s under KASAN).
		 */
		if (i) {
			long wait = (injecting("checkers") ? 10000 : 5000) - (now_ms() - t0);

			if (wait > 0)
				usleep(wait * 1000);
		}
		t0 = now_ms();
		err = write_file(KMEMLEAK, "scan");
		if (err) {
			say("checker kmemleak off: scan failed", NULL, err);
			return;
		}
	}
	fd = open(KMEMLEAK, O_RDONLY);
	if (fd < 0) {
		say("cannot read " KMEMLEAK, NULL, errno);
		return;
	}
	say("checker kmemleak on", NULL, 0);
	say("kmemleak report follows", NULL, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		write(1, buf, n);
	close(fd);
	say("kmemleak report ends", NULL, 0);
}

/* Whether SLUB's debug flag @name is set on kmalloc-64 (slub_debug=FZP). */
static int slab_flag(const char *name)
{
	char path[80], c = 0;
	int fd;

	xjoin(path, sizeof(path), "/sys/kernel/slab/kmalloc-64/", name, NULL);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '1';
}

/*
 * Whether the checkers that switch themselves off after a report (or when
 * they run out of room) are still on at the end: lockdep's debug_locks,
 * KFENCE's "enabled" and kmemleak's scans (kmemleak_report() says when a
 * scan failed).  qemu/judge fails a run whose checker went off.
 */
static void report_checkers(void)
{
	static char buf[4096];
	char *line, *end;
	const char *p;
	int fd;
	long n;

	fd = open("/proc/lockdep_stats", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		p = xstrstr(buf, "debug_locks:");
		if (p) {
			p += strlen("debug_locks:");
			while (*p == ' ')
				p++;
			say("checker lockdep ", *p == '1' ? "on" : "off", 0);
		}
	}
	if (slab_flag("sanity_checks") && slab_flag("red_zone") && slab_flag("poison"))
		say("slab checks on: sanity, red zones, poison (kmalloc-64)", NULL, 0);
	fd = open("/sys/kernel/debug/kfence/stats", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (xstrstr(buf, "enabled:"))
			say("checker kfence ", xstrstr(buf, "enabled: 1") ? "on" : "off", 0);
		/* Its counts, one per line: "total allocations: 1234" ... */
		for (line = buf; *line; line = end + 1) {
			end = line;
			while (*end && *end != '\n')
				end++;
			if (!*end)
				break;
			*end = 0;
			if (!strncmp(line, "total allocations:", 18) ||
			    !strncmp(line, "currently allocated:", 20))
				say("kfence ", line, 0);
		}
	}
}

/*
 * gcov counts of xipmap.ko (a kernel with GCOV_KERNEL, the module built
 * with GCOV_PROFILE=y; nothing else is profiled): every .gcda file under
 * GCOV_DIR, printed in hex
 * between marker lines for qemu/run.sh to write back next to the module's
 * objects.  The kernel keeps the counts of an unloaded module (gcov_persist)
 * and adds to them when it loads again, so they cover the whole run.
 */
static void dump_gcda(const char *path)
{
	static unsigned char buf[48];
	static const char hex[] = "0123456789abcdef";
	char line[2 * sizeof(buf) + 1];
	int fd, i;
	long n;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		say("cannot read ", path, errno);
		return;
	}
	printf("xipmap-init: gcda %s\n", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			line[2 * i] = hex[buf[i] >> 4];
			line[2 * i + 1] = hex[buf[i] & 15];
		}
		line[2 * n] = 0;
		printf(":%s\n", line);
	}
	close(fd);
	printf("xipmap-init: gcda ends\n");
}

static void dump_gcov(const char *dir, int depth)
{
	char dents[1024];
	char path[512];
	struct linux_dirent64 *d;
	int fd;
	long n, off;

	if (depth > 16)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return;
	while ((n = getdents64(fd, (void *)dents, sizeof(dents))) > 0) {
		for (off = 0; off < n; off += d->d_reclen) {
			size_t len;

			d = (void *)(dents + off);
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			xjoin(path, sizeof(path), dir, "/", d->d_name, NULL);
			len = strlen(d->d_name);
			if (d->d_type == DT_DIR)
				dump_gcov(path, depth + 1);
			else if (len > 5 && !strcmp(d->d_name + len - 5, ".gcda"))
				dump_gcda(path);
		}
	}
	close(fd);
}

/* The per-program timeout from the collection's settings, as kselftest reads it. */
static void read_settings(void)
{
	static char buf[256];
	int fd = open(TEST_DIR "/" COLLECTION "/settings", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	char *line;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, "timeout=", 8) && atoi(line + 8) > 0)
			test_timeout = atoi(line + 8);
}

static void mount_or_say(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL))
		say("cannot mount ", dir, errno);
}

/* Copy @fd to the console, each line behind @prefix, until EOF or @deadline. */
static int relay(int fd, time_t deadline, const char *prefix)
{
	static char buf[512];
	int at_line_start = 1;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long n, i;

	for (;;) {
		long left = deadline - time(NULL);

		if (left <= 0)
			return -1;
		n = poll(&pfd, 1, left * 1000);
		if (n == 0 || (n < 0 && errno != EINTR))
			return -1;
		if (n < 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return 0;
		for (i = 0; i < n; i++) {
			if (at_line_start && *prefix)
				write(1, prefix, strlen(prefix));
			write(1, &buf[i], 1);
			at_line_start = buf[i] == '\n';
		}
	}
}

/* Run one program as a kselftest runner does; returns 1 if it passed. */
/*
 * The tests' environment: where the module is, for the tests that unload
 * and load it again, and what the kernel command line passed on.
 */
static char **test_env(void)
{
	/* Arguments for one program ('+' for ' '): qemu/run.sh --conform, --bench. */
	static const char *const args_vars[] = { "XIPMAP_CONFORM_ARGS", "XIPMAP_BENCH_ARGS" };
	static char env_module[] = "XIPMAP_MODULE=" MODULE_PATH;
	static char env_args[2][300];
	static char env_fixed[200];
	static char *envp[] = { env_module, "PATH=" TEST_DIR "/" COLLECTION ":/bin:/sbin",
				NULL, NULL, NULL, NULL, NULL, NULL };
	unsigned int i;
	int nenv = 2;

	/* Passed on from the kernel command line: see qemu/run.sh --known-bugs. */
	if (getenv("XIPMAP_KNOWN_BUGS"))
		envp[nenv++] = "XIPMAP_KNOWN_BUGS=1";
	/* A kernel with patches/6.12: the bugs fixed (qemu/run.sh, fixes=). */
	if (getenv("XIPMAP_FIXED"))
		envp[nenv++] = xjoin(env_fixed, sizeof(env_fixed), "XIPMAP_FIXED=",
				     getenv("XIPMAP_FIXED"), NULL);
	/* qemu/run.sh --table: xipmap-conform prints its tables. */
	if (getenv("XIPMAP_CONFORM_TABLE"))
		envp[nenv++] = "XIPMAP_CONFORM_TABLE=1";
	for (i = 0; i < sizeof(args_vars) / sizeof(args_vars[0]); i++) {
		char *c;

		if (!getenv(args_vars[i]))
			continue;
		envp[nenv++] = xjoin(env_args[i], sizeof(env_args[i]), args_vars[i], "=",
				     getenv(args_vars[i]), NULL);
		for (c = env_args[i]; *c; c++)
			if (*c == '+')
				*c = ' ';
	}
	return envp;
}

/*
 * Start @argv[0] in @dir with @envp, its standard output and error into a
 * pipe whose read end goes to *@rfd.  Its pid, or -1 with errno set.
 */
static pid_t __attribute__((noinline))
start_piped(char *const argv[], char **envp, const char *dir, int *rfd)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = xvfork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		if (!chdir(dir))
			execve(argv[0], argv, envp);
		x_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0)
		close(pipefd[0]);
	else
		*rfd = pipefd[0];
	return pid;
}

static int run_test(int number, const char *name)
{
	static char path[128];
	char *argv[] = { path, NULL };
	char **envp = test_env();
	int rfd, status = 0, timed_out;
	pid_t pid;

	/* As kselftest/runner.sh: ./NAME, from the collection's directory. */
	xjoin(path, sizeof(path), "./", name, NULL);
	printf("# selftests: xipmap: %s\n", name);
	pid = start_piped(argv, envp, TEST_DIR "/" COLLECTION, &rfd);
	if (pid < 0) {
		printf("not ok %d selftests: xipmap: %s # cannot start: errno %d\n", number,
		       name, errno);
		return 0;
	}
	timed_out = relay(rfd, time(NULL) + test_timeout, "# ");
	if (timed_out)
		kill(pid, SIGKILL);
	close(rfd);
	if (waitpid(pid, &status, 0) != pid) {
		printf("not ok %d selftests: xipmap: %s # waitpid: errno %d\n", number,
		       name, errno);
		return 0;
	}

	if (timed_out) {
		printf("not ok %d selftests: xipmap: %s # TIMEOUT %d seconds\n",
		       number, name, test_timeout);
		return 0;
	}
	if (XWIFSIGNALED(status)) {
		printf("not ok %d selftests: xipmap: %s # killed by signal %d\n",
		       number, name, XWTERMSIG(status));
		return 0;
	}
	switch (XWEXITSTATUS(status)) {
	case 0:
		printf("ok %d selftests: xipmap: %s\n", number, name);
		return 1;
	case 4:		/* KSFT_SKIP */
		printf("ok %d selftests: xipmap: %s # SKIP\n", number, name);
		return 1;
	default:
		printf("not ok %d selftests: xipmap: %s # exit=%d\n", number, name,
		       XWEXITSTATUS(status));
		return 0;
	}
}

static void run_tests(void)
{
	static char list[4096];
	char *names[64], *s;
	int fd, n = 0, i;
	long len;

	fd = open(TEST_LIST, O_RDONLY);
	len = fd < 0 ? -1 : read(fd, list, sizeof(list) - 1);
	if (len < 0) {
		say("cannot read " TEST_LIST, NULL, errno);
		return;
	}
	close(fd);
	list[len] = '\0';
	/* "collection:test" lines; this init runs the one collection. */
	for (s = list; *s && n < 64; s += strlen(s) + 1) {
		char *end = strchr(s, '\n');

		if (end)
			*end = '\0';
		if (!strncmp(s, COLLECTION ":", sizeof(COLLECTION)))
			names[n++] = s + sizeof(COLLECTION);
		if (!end)
			break;
	}

	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		struct timeval t0, t1;
		long ms;

		gettimeofday(&t0, NULL);
		run_test(i + 1, names[i]);
		gettimeofday(&t1, NULL);
		/* For the targets' time budgets: where a run's time goes. */
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
		printf("xipmap-init: %s took %ld.%ld s\n", names[i], ms / 1000, ms % 1000 / 100);
	}
}

/*
 * A target with runner=kselftest (XIPMAP_RUNNER=kselftest, a shell in the
 * image): the kernel's own run_kselftest.sh runs the list from the same
 * install, under busybox's sh, and its TAP goes to the console as it is.
 */
static void run_kselftest(void)
{
	char *argv[] = { BUSYBOX_SH, TEST_DIR "/run_kselftest.sh", NULL };
	char **envp = test_env();
	int rfd, status;
	pid_t pid;

	/* The shell and its tools (busybox applets) are in /bin and /usr/bin. */
	envp[1] = "PATH=/bin:/sbin:/usr/bin:/usr/sbin";
	pid = start_piped(argv, envp, TEST_DIR, &rfd);
	if (pid < 0) {
		say("cannot start run_kselftest.sh", NULL, errno);
		return;
	}
	/* Each test has its own timeout in runner.sh; this bounds the whole. */
	if (relay(rfd, time(NULL) + 64 * test_timeout, ""))
		kill(pid, SIGKILL);
	close(rfd);
	if (waitpid(pid, &status, 0) != pid)
		say("run_kselftest.sh: waitpid", NULL, errno);
	else if (!XWIFEXITED(status) || XWEXITSTATUS(status))
		say("run_kselftest.sh exited with status ", itoa(XWEXITSTATUS(status)), 0);
}

static void run_demo(void)
{
	static char path[] = "/bin/xipmap_demo";
	char *argv[] = { path, NULL };
	char *envp[] = { NULL };
	int status = xspawn_wait(argv, envp);

	if (status < 0 || !XWIFEXITED(status) || XWEXITSTATUS(status))
		say("the demo failed", NULL, 0);
}

/*
 * Run the kmod tool @tool (/sbin/depmod, /sbin/modprobe, ...) with @args,
 * separated by spaces, its output on the console.  Returns its exit
 * status, 128 + the signal that killed it, or -1 with errno set if it could
 * not be started.
 */
static int kmod(const char *tool, const char *args)
{
	static char path[64], words[256], env_path[] = "PATH=" KMOD_DIR ":/usr/bin";
	char *argv[16] = { path }, *envp[] = { env_path, NULL };
	int argc = 1, status;
	char *c;

	xjoin(path, sizeof(path), KMOD_DIR "/", tool, NULL);
	xjoin(words, sizeof(words), args, NULL);
	for (c = words; *c && argc < 15; ) {
		while (*c == ' ')
			*c++ = '\0';
		if (!*c)
			break;
		argv[argc++] = c;
		while (*c && *c != ' ')
			c++;
	}
	argv[argc] = NULL;
	status = xspawn_wait(argv, envp);
	if (status < 0)
		return -1;
	if (XWIFSIGNALED(status))
		return 128 + XWTERMSIG(status);
	return XWEXITSTATUS(status);
}

/* Report a kmod tool that failed: "<what>: <tool> <args>: exit status N". */
static void say_kmod(const char *what, const char *tool, const char *args, int ret)
{
	static char line[300], num[16];

	if (ret < 0)
		xjoin(num, sizeof(num), "not run", NULL);
	else
		utoa_r(ret, num);
	xjoin(line, sizeof(line), ": ", tool, " ", args, ": ",
	      ret < 0 ? "" : "exit status ", num, NULL);
	say(what, line, ret < 0 ? errno : 0);
}

/*
 * Load xipmap.ko with @params: finit_module, or with XIPMAP_KMOD the way a
 * distribution does.  Returns 0, or -1 after saying why.
 */
static int load_module(const char *params)
{
	static char args[200];
	const char *first = getenv("XIPMAP_MODPROBE");
	int ret;

	if (!use_kmod) {
		if (!xfinit_module(MODULE_PATH, params))
			return 0;
		say("module load failed", NULL, errno);
		return -1;
	}
	ret = kmod("depmod", "-a");
	if (ret) {
		say_kmod("module load failed", "depmod", "-a", ret);
		return -1;
	}
	if (first) {
		static char words[200];
		char *c;

		xjoin(words, sizeof(words), first, NULL);
		for (c = words; *c; c++)
			if (*c == '+')
				*c = ' ';
		ret = kmod("modprobe", words);
		if (ret) {
			say_kmod("module load failed", "modprobe", words, ret);
			return -1;
		}
		say("loaded with modprobe: ", words, 0);
	}
	/*
	 * As on a lab's board: nothing loads xipmap before run_kselftest.sh;
	 * its first test does (xt_setup(): modprobe xipmap).  A test that
	 * could not would skip, and the pinned results catch that.
	 */
	if (kselftest_runner && !*params) {
		say("xipmap left for the tests to load (modprobe xipmap)", NULL, 0);
		return 0;
	}
	xjoin(args, sizeof(args), "xipmap ", params, NULL);
	ret = kmod("modprobe", args);
	if (ret) {
		say_kmod("module load failed", "modprobe", args, ret);
		return -1;
	}
	say("modinfo xipmap:", NULL, 0);
	ret = kmod("modinfo", "xipmap");
	if (ret)
		say_kmod("modinfo failed", "modinfo", "xipmap", ret);
	return 0;
}

/* Unload xipmap.ko: delete_module, or rmmod with XIPMAP_KMOD. */
static int unload_module(void)
{
	int ret;

	if (!use_kmod) {
		if (!xdelete_module("xipmap", O_NONBLOCK))
			return 0;
		say("module unload failed", NULL, errno);
		return -1;
	}
	ret = kmod("rmmod", "xipmap");
	if (ret) {
		say_kmod("module unload failed", "rmmod", "xipmap", ret);
		return -1;
	}
	return 0;
}

/* A live mapping keeps the module busy: the final unload must fail. */
static void hold_a_mapping(void)
{
	int fd = open("/dev/xipflash0", O_RDONLY);

	if (fd < 0 || mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		say("could not map the flash to hold it", NULL, errno);
}

static void report_taint(void)
{
	static char buf[32];
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n <= 0) {
		say("cannot read /proc/sys/kernel/tainted", NULL, errno);
		return;
	}
	buf[n] = '\0';
	printf("xipmap-init: tainted %s", buf);
	close(fd);
}

/*
 * XIPMAP_INJECT=nodirect: make the NOR device's get_unmapped_area() answer
 * -ENOSYS, so that what was mapped in place is copied, as a driver that
 * lost its direct path would; the benchmark's shape guard must notice.
 */
static void copies_on_purpose(void)
{
	__u32 knobs = XIPMAP_ENOSYS_GUA;
	int fd = open("/dev/" XIPMAP_FLASH_NAME "0", O_RDWR);

	if (fd < 0 || ioctl(fd, XIPMAP_IOC_SET_ENOSYS, &knobs))
		say("could not set the get_unmapped_area knob", NULL, errno);
	if (fd >= 0)
		close(fd);
}

static void taint_on_purpose(void)
{
	int fd = open("/proc/sys/kernel/tainted", O_WRONLY);

	/* 1 << TAINT_USER: "U", a taint no test run may cause. */
	if (fd < 0 || write(fd, "64", 2) != 2)
		say("could not add a taint flag", NULL, errno);
	close(fd);
}

int main(void)
{
	const char *mode = getenv("XIPMAP_MODE");
	const char *params = "";
	struct utsname u;

	if (getenv("XIPMAP_INJECT"))
		inject = getenv("XIPMAP_INJECT");
	use_kmod = !!getenv("XIPMAP_KMOD");
	kselftest_runner = getenv("XIPMAP_RUNNER") && !strcmp(getenv("XIPMAP_RUNNER"), "kselftest");
	mount_or_say("proc", "/proc");
	mount_or_say("sysfs", "/sys");
	mount_or_say("devtmpfs", "/dev");
	/* What udev adds to /dev: kselftest's runner.sh writes to /dev/stdout. */
	symlink("/proc/self/fd", "/dev/fd");
	symlink("/proc/self/fd/0", "/dev/stdin");
	symlink("/proc/self/fd/1", "/dev/stdout");
	symlink("/proc/self/fd/2", "/dev/stderr");
	if (xexists("/sys/kernel/debug") &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		say("cannot mount /sys/kernel/debug", NULL, errno);
	read_settings();
	if (!uname(&u))
		printf("xipmap-init: Linux %s %s\n", u.release, u.machine);
	if (*inject)
		say("injecting fault ", inject, 0);

	kmemleak_clear();
	/* The target's module parameters ('+' for ' '), e.g. a smaller flash. */
	if (getenv("XIPMAP_PARAMS")) {
		static char target_params[200];
		char *c;

		params = xjoin(target_params, sizeof(target_params), getenv("XIPMAP_PARAMS"),
			       NULL);
		for (c = target_params; *c; c++)
			if (*c == '+')
				*c = ' ';
	}
	if (injecting("loadfail"))
		params = "flash_size=3000";
	if (load_module(params))
		goto out;
	if (!kselftest_runner || *params)
		say("module loaded", NULL, 0);
	if (injecting("nodirect"))
		copies_on_purpose();
	console_level(1);
	if (injecting("warn") || injecting("bug") || injecting("oops") ||
	    injecting("checkers")) {
		static char report[32];

		xjoin(report, sizeof(report), "report=", inject, NULL);
		if (xfinit_module(INJECT_PATH, report))
			say("loading the fault injector failed", NULL, errno);
	}

	if (mode && !strcmp(mode, "demo"))
		run_demo();
	else if (kselftest_runner) {
		run_kselftest();
		/* Loaded by the first test, it is unloaded by init as ever. */
		if (!xexists("/sys/module/xipmap")) {
			say("the tests did not load xipmap", NULL, 0);
		} else {
			say("the tests loaded xipmap; modinfo xipmap:", NULL, 0);
			if (kmod("modinfo", "xipmap"))
				say("modinfo failed", NULL, 0);
		}
	}
	else
		run_tests();

	if (injecting("unloadfail"))
		hold_a_mapping();
	if (!unload_module())
		say("module unloaded", NULL, 0);
out:
	if (injecting("taint"))
		taint_on_purpose();
	kmemleak_report();
	report_checkers();
	if (xexists(GCOV_DIR))
		dump_gcov(GCOV_DIR, 0);
	copy_kernel_log();
	report_taint();
	if (injecting("hang")) {
		say("hanging on purpose", NULL, 0);
		for (;;)
			sleep(3600);
	}
	say("done", NULL, 0);
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	return 0;
}
