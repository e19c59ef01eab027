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

#define XT_FLASH	"/dev/" XIPMAP_FLASH_NAME "0"
#define XT_SYSFS	"/sys/class/misc/" XIPMAP_FLASH_NAME "0"

static inline unsigned long xt_page_size(void)
{
	return getauxval(AT_PAGESZ);
}

static inline const char *xt_errname(int e)
{
	switch (e) {
	case 0:		return "success";
	case EPERM:	return "EPERM";
	case ENOENT:	return "ENOENT";
	case EAGAIN:	return "EAGAIN";
	case ENOMEM:	return "ENOMEM";
	case EACCES:	return "EACCES";
	case EFAULT:	return "EFAULT";
	case EBUSY:	return "EBUSY";
	case EEXIST:	return "EEXIST";
	case ENODEV:	return "ENODEV";
	case EINVAL:	return "EINVAL";
	case ENOSPC:	return "ENOSPC";
	case ENOSYS:	return "ENOSYS";
	case ENOTTY:	return "ENOTTY";
	case EOVERFLOW:	return "EOVERFLOW";
	case ETXTBSY:	return "ETXTBSY";
	default:	return "another errno";
	}
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
 * Compare @len bytes at @p with the flash pattern from offset @off.
 * Returns the index of the first difference, or -1 if there is none.
 */
static inline long xt_pattern_diff(const void *p, unsigned long off, unsigned long len)
{
	const unsigned char *c = p;
	unsigned long i;

	for (i = 0; i < len; i++)
		if (c[i] != xipmap_pattern(off + i))
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
	unsigned long n = strlen(needle);

	for (; *s; s++)
		if (!strncmp(s, needle, n))
			return 1;
	return 0;
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
 * A test is a function named after the claim it checks.  It returns
 * XT_PASS, XT_FAIL or XT_SKIP, and says through XT_EXPECT() what it
 * expected and what came whenever a check fails.
 */
enum { XT_FAIL = 0, XT_PASS = 1, XT_SKIP = 2 };

struct xt_test {
	const char *name;
	int (*fn)(void);
};

#define XT_TEST(fn)	{ #fn, fn }

/* Needs "int ok = XT_PASS;" in the test; the test carries on after a miss. */
#define XT_EXPECT(cond, ...) do {					\
	if (!(cond)) {							\
		ksft_print_msg(__VA_ARGS__);				\
		ok = XT_FAIL;						\
	}								\
} while (0)

/*
 * Run @n tests as one TAP 13 program, then @after (if any: it puts back
 * what the tests changed and may fail the program), and exit with
 * kselftest's status.
 */
static inline void __attribute__((noreturn))
xt_run(const struct xt_test *tests, int n, void (*after)(void))
{
	int i, ret;

	ksft_print_header();
	ksft_set_plan(n);
	for (i = 0; i < n; i++) {
		ret = tests[i].fn();
		if (ret == XT_SKIP)
			ksft_test_result_skip("%s\n", tests[i].name);
		else
			ksft_test_result(ret == XT_PASS, "%s\n", tests[i].name);
	}
	if (after)
		after();
	ksft_finished();
}

#endif /* XIPMAP_TEST_H */
