// SPDX-License-Identifier: GPL-2.0
/*
 * The module's lifetime: a live mapping keeps it loaded, it unloads once
 * the last mapping is gone, parameters shape the devices, and bad
 * parameters refuse to load with a message in the kernel log.
 *
 * Needs the module's file: XIPMAP_MODULE names it (the guest's init sets
 * it).  The module is loaded again, with its parameters as they were,
 * before the program ends.
 */
#include "xipmap_test.h"

#define MODNAME		"xipmap"
#define SYSLOG_ACTION_READ_ALL	3

static const char *module_path;
static char saved_params[64];
static unsigned long page;

static int module_loaded(void)
{
	return xexists("/sys/module/" MODNAME);
}

static char klog[65536];

/* Whether the kernel log holds @text. */
static int klog_contains(const char *text)
{
	long n = xsyscall3(__NR_syslog, SYSLOG_ACTION_READ_ALL, klog, sizeof(klog) - 1);

	if (n < 0) {
		ksft_print_msg("syslog(SYSLOG_ACTION_READ_ALL): %s\n", xt_errname(-n));
		return 0;
	}
	klog[n] = '\0';
	return xt_contains(klog, text);
}

static int unload_refused_while_mapped(void)
{
	int ok = XT_PASS;
	void *p;
	int ret, fd;

	fd = open(XT_FLASH, O_RDONLY);
	if (fd < 0) {
		ksft_print_msg("open %s: %s\n", XT_FLASH, xt_errname(errno));
		return XT_FAIL;
	}
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);	/* only the mapping holds the device now */
	if (p == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	errno = 0;
	ret = xdelete_module(MODNAME, O_NONBLOCK);
	/* try_stop_module(): a module still referenced gives -EWOULDBLOCK. */
	XT_EXPECT(ret == -1 && errno == EAGAIN,
		  "delete_module with a live mapping: %d (%s), expected EAGAIN\n",
		  ret, xt_errname(errno));
	if (ret == 0)
		return XT_FAIL;		/* the mapping's memory is gone: stop here */
	XT_EXPECT(module_loaded(), "/sys/module/" MODNAME " vanished\n");
	XT_EXPECT(xt_pattern_diff(p, 0, page) < 0,
		  "the mapping no longer reads the pattern\n");
	munmap(p, page);
	return ok;
}

static int unload_after_munmap(void)
{
	int ok = XT_PASS;
	int ret;

	ret = xdelete_module(MODNAME, O_NONBLOCK);
	XT_EXPECT(ret == 0, "delete_module after munmap: %s\n", xt_errname(errno));
	XT_EXPECT(!module_loaded(), "/sys/module/" MODNAME " is still there\n");
	XT_EXPECT(!xexists(XT_FLASH), "%s is still there\n", XT_FLASH);
	return ok;
}

/*
 * Loading with @params must fail with @want, leave nothing loaded and say
 * @message in the kernel log.
 */
static int refused_with_message(const char *params, int want, const char *message)
{
	int ok = XT_PASS;
	int ret;

	xt_announce_kmsg(message);
	errno = 0;
	ret = xfinit_module(module_path, params);
	XT_EXPECT(ret == -1 && errno == want, "%s: %d (%s), expected %s\n",
		  params, ret, xt_errname(errno), xt_errname(want));
	if (ret == 0)
		xdelete_module(MODNAME, O_NONBLOCK);
	XT_EXPECT(klog_contains(message), "%s: no '%s' in the kernel log\n", params, message);
	XT_EXPECT(!module_loaded() && !xexists(XT_FLASH),
		  "%s: the module or a device stayed\n", params);
	return ok;
}

static int bad_flash_size_is_refused_with_message(void)
{
	static const char *const sizes[] = {
		"0", "1", "2048", "3000", "4097", "12288", "1099511627776",
	};
	char params[64], message[96];
	unsigned int i;
	int ok = XT_PASS;

	if (module_loaded()) {
		ksft_print_msg("the module is loaded; this test needs it unloaded\n");
		return XT_FAIL;
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		int want = EINVAL;

		xjoin(params, sizeof(params), "flash_size=", sizes[i], NULL);
		xjoin(message, sizeof(message), MODNAME ": ", params,
		      ": must be a power of two", NULL);
		/*
		 * 2^40 does not fit a 32-bit kernel's unsigned long: the
		 * kernel's own parser refuses it (ERANGE) before the module
		 * sees it.
		 */
		if (!xt_kernel_64bit() && strlen(sizes[i]) > 10) {
			want = ERANGE;
			xjoin(message, sizeof(message), MODNAME ": `", sizes[i],
			      "' invalid for parameter `flash_size'", NULL);
		}
		if (!refused_with_message(params, want, message))
			ok = XT_FAIL;
	}
	return ok;
}

static int bad_device_params_are_refused_with_message(void)
{
	static const struct { const char *params, *message; } bad[] = {
		{ "nr_flash=0", "nr_flash=0: must be from 1 to 8" },
		{ "nr_flash=9", "nr_flash=9: must be from 1 to 8" },
		{ "nr_flash=abc", "invalid for parameter `nr_flash'" },
		{ "personality=bogus", "personality=bogus (device 0): must be nor, ram, nand or fb" },
		{ "personality=nor,,fb", "personality= (device 1): must be nor, ram, nand or fb" },
		{ "nr_flash=1 personality=nor,ram", "personality: 2 given for 1 devices" },
	};
	unsigned int i;
	int ok = XT_PASS;

	if (module_loaded()) {
		ksft_print_msg("the module is loaded; this test needs it unloaded\n");
		return XT_FAIL;
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (!refused_with_message(bad[i].params, EINVAL, bad[i].message))
			ok = XT_FAIL;
	return ok;
}

static int device_params_set_the_devices(void)
{
	static const char params[] = "nr_flash=2 personality=fb,nand";
	struct xipmap_info info[2];
	int ok = XT_PASS;
	int i, fd;

	if (xfinit_module(module_path, params)) {
		ksft_print_msg("loading with %s: %s\n", params, xt_errname(errno));
		return XT_FAIL;
	}
	for (i = 0; i < 2; i++) {
		fd = open(i ? XT_RAM : XT_NOR, O_RDONLY);	/* xipflash0 and 1 */
		XT_EXPECT(fd >= 0, "open xipflash%d: %s\n", i, xt_errname(errno));
		if (fd < 0)
			continue;
		info[i] = xt_info(fd);
		close(fd);
	}
	XT_EXPECT(info[0].personality == XIPMAP_PERSONALITY_FB &&
		  info[1].personality == XIPMAP_PERSONALITY_NAND,
		  "personalities %u and %u, expected fb (%d) and nand (%d)\n",
		  info[0].personality, info[1].personality, XIPMAP_PERSONALITY_FB,
		  XIPMAP_PERSONALITY_NAND);
	XT_EXPECT(!xexists(XT_NAND), "nr_flash=2 made a third device\n");
	XT_EXPECT(xdelete_module(MODNAME, O_NONBLOCK) == 0, "unload: %s\n",
		  xt_errname(errno));
	return ok;
}

static int flash_size_sets_the_size(void)
{
	unsigned long size = 16 * page;
	char params[64];
	int ok = XT_PASS;
	int fd;

	xjoin(params, sizeof(params), "flash_size=", utoa(size), NULL);
	if (xfinit_module(module_path, params)) {
		ksft_print_msg("loading with %s: %s\n", params, xt_errname(errno));
		return XT_FAIL;
	}
	fd = open(XT_FLASH, O_RDONLY);
	XT_EXPECT(fd >= 0, "open %s: %s\n", XT_FLASH, xt_errname(errno));
	if (fd >= 0) {
		XT_EXPECT(xt_info(fd).size == size, "ioctl says %llu bytes, expected %lu\n",
			  xt_info(fd).size, size);
		XT_EXPECT(lseek(fd, 0, SEEK_END) == (off_t)size, "SEEK_END disagrees\n");
		close(fd);
	}
	XT_EXPECT(xt_read_long(XT_SYSFS "/size") == (long)size,
		  "sysfs says %ld bytes, expected %lu\n", xt_read_long(XT_SYSFS "/size"), size);
	XT_EXPECT(xdelete_module(MODNAME, O_NONBLOCK) == 0, "unload: %s\n",
		  xt_errname(errno));
	return ok;
}

/* Leave the module loaded as it was found, for whatever runs next. */
static void reload(void)
{
	if (!module_loaded() && xfinit_module(module_path, saved_params))
		ksft_exit_fail_msg("reloading with %s: %s\n", saved_params, xt_errname(errno));
}

static const struct xt_test tests[] = {
	XT_TEST(unload_refused_while_mapped),
	XT_TEST(unload_after_munmap),
	XT_TEST(bad_flash_size_is_refused_with_message),
	XT_TEST(bad_device_params_are_refused_with_message),
	XT_TEST(device_params_set_the_devices),
	XT_TEST(flash_size_sets_the_size),
};

int main(void)
{
	long size, nr;

	xt_setup();
	page = xt_page_size();
	module_path = getenv("XIPMAP_MODULE");
	if (!module_path || !xexists(module_path)) {
		ksft_print_header();
		ksft_exit_skip("XIPMAP_MODULE does not name the module's file\n");
	}
	size = xt_read_long("/sys/module/" MODNAME "/parameters/flash_size");
	if (size < 0) {
		ksft_print_header();
		ksft_exit_skip("the module is not loaded\n");
	}
	nr = xt_read_long("/sys/module/" MODNAME "/parameters/nr_flash");
	if (nr < 0) {
		ksft_print_header();
		ksft_exit_fail_msg("read /sys/module/" MODNAME "/parameters/nr_flash: %s\n",
				   xt_errname(errno));
	}
	xjoin(saved_params, sizeof(saved_params), "flash_size=", ltoa(size), NULL);
	xjoin(saved_params + strlen(saved_params), sizeof(saved_params) - strlen(saved_params),
	      " nr_flash=", ltoa(nr), NULL);
	xt_run(tests, ARRAY_SIZE(tests), reload);
}
