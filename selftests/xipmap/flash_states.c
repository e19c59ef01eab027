// SPDX-License-Identifier: GPL-2.0
/*
 * The NOR flash as a chip with states (xipflash0): programming only clears
 * bits, erasing sets a block to 0xff, and while the chip programs or
 * erases, the array reads as status bytes through read() and through
 * every direct mapping, the document's warning about devices in
 * programming or erase mode.  Also: code programmed into the flash runs in
 * place (XIP).  The device is restored after each test.
 */
#include "xipmap_test.h"

static int fd;			/* /dev/xipflash0, read-write */
static struct xipmap_info info;
static unsigned long page;

static void *direct(unsigned long off)
{
	return (void *)(unsigned long)(info.base + off);
}

static int restore(int ok)
{
	if (xt_restore(XT_NOR, XIPMAP_PERSONALITY_NOR)) {
		ksft_print_msg("could not restore %s: %s\n", XT_NOR, xt_errname(errno));
		return XT_FAIL;
	}
	return ok;
}

static int set_state(unsigned int state)
{
	return xt_set(fd, XIPMAP_IOC_SET_STATE, state);
}

/* Whether read() at @off gives @len bytes of @byte. */
static int reads_as(unsigned long off, unsigned long len, unsigned char byte)
{
	static unsigned char buf[4096];

	if (len > sizeof(buf) || lseek(fd, off, SEEK_SET) != (off_t)off ||
	    read(fd, buf, len) != (long)len)
		return 0;
	return xt_byte_diff(buf, byte, len) < 0;
}

static int write_at(unsigned long off, const void *buf, unsigned long len)
{
	return lseek(fd, off, SEEK_SET) == (off_t)off && write(fd, buf, len) == (long)len;
}

static int programming_only_clears_bits(void)
{
	unsigned char a = 0xf0, b = 0x3c;
	int ok = XT_PASS;

	XT_EXPECT(!xt_fill(fd, &info, 0, page, XIPMAP_ERASED), "erase: %s\n",
		  xt_errname(errno));
	XT_EXPECT(reads_as(0, page, XIPMAP_ERASED), "an erased page does not read 0xff\n");
	XT_EXPECT(write_at(100, &a, 1) && write_at(100, &b, 1), "write: %s\n",
		  xt_errname(errno));
	XT_EXPECT(reads_as(100, 1, 0xf0 & 0x3c), "0xf0 then 0x3c did not program to 0x30\n");
	XT_EXPECT(reads_as(101, 1, XIPMAP_ERASED), "the next byte changed\n");
	return restore(ok);
}

static int erase_sets_a_block_to_ff(void)
{
	struct xipmap_erase erase = { info.erasesize, info.erasesize };
	static unsigned char buf[64];
	int ok = XT_PASS;

	XT_EXPECT(!ioctl(fd, XIPMAP_IOC_ERASE, &erase), "erase: %s\n", xt_errname(errno));
	XT_EXPECT(reads_as(info.erasesize, 64, XIPMAP_ERASED) &&
		  reads_as(2 * info.erasesize - 64, 64, XIPMAP_ERASED),
		  "the erased block does not read 0xff\n");
	XT_EXPECT(lseek(fd, info.erasesize - 64, SEEK_SET) >= 0 && read(fd, buf, 64) == 64 &&
		  xt_pattern_diff(buf, info.erasesize - 64, 64) < 0,
		  "the block before changed\n");
	XT_EXPECT(lseek(fd, 2 * info.erasesize, SEEK_SET) >= 0 && read(fd, buf, 64) == 64 &&
		  xt_pattern_diff(buf, 2 * info.erasesize, 64) < 0,
		  "the block after changed\n");
	return restore(ok);
}

static int write_past_the_end_is_enospc(void)
{
	unsigned char b = 0;
	int ok = XT_PASS;
	long n;

	if (lseek(fd, info.size - 1, SEEK_SET) != (off_t)info.size - 1) {
		ksft_print_msg("lseek to the last byte: %s\n", xt_errname(errno));
		return restore(XT_FAIL);
	}
	n = write(fd, "\0\0", 2);
	XT_EXPECT(n == 1, "write of 2 bytes at the last byte: %ld, expected 1\n", n);
	errno = 0;
	n = write(fd, &b, 1);
	XT_EXPECT(n == -1 && errno == ENOSPC, "write at the end: %ld (%s), expected ENOSPC\n",
		  n, xt_errname(errno));
	return restore(ok);
}

static int read_shows_status_while_busy(void)
{
	static const struct { unsigned int state; unsigned char status; const char *name; }
	states[] = {
		{ XIPMAP_STATE_PROGRAM, XIPMAP_STATUS_PROGRAM, "program\n" },
		{ XIPMAP_STATE_ERASE, XIPMAP_STATUS_ERASE, "erase\n" },
	};
	static unsigned char buf[64];
	char sysfs[32];
	unsigned int i;
	int ok = XT_PASS;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		XT_EXPECT(!set_state(states[i].state), "SET_STATE %u: %s\n", states[i].state,
			  xt_errname(errno));
		XT_EXPECT(reads_as(0, page, states[i].status) &&
			  reads_as(info.size - page, page, states[i].status),
			  "state %u: read() does not give status byte %#x\n",
			  states[i].state, states[i].status);
		XT_EXPECT(xt_info(fd).state == states[i].state, "XIPMAP_IOC_INFO state %u\n",
			  xt_info(fd).state);
		sysfs[0] = '\0';
		if (xt_read_file(XT_SYSFS "/state", sysfs, sizeof(sysfs)) < 0)
			ksft_print_msg("read " XT_SYSFS "/state: %s\n", xt_errname(errno));
		XT_EXPECT(!strcmp(sysfs, states[i].name), "sysfs state '%s'\n", sysfs);
	}
	XT_EXPECT(!set_state(XIPMAP_STATE_READ_ARRAY), "SET_STATE read-array: %s\n",
		  xt_errname(errno));
	XT_EXPECT(lseek(fd, page, SEEK_SET) == (off_t)page && read(fd, buf, 64) == 64 &&
		  xt_pattern_diff(buf, page, 64) < 0, "the data is not back in read-array\n");
	return restore(ok);
}

/*
 * A direct mapping is the array: made before the chip goes busy, it shows
 * status bytes until the chip is back in read-array.  A copy made before
 * keeps the data.  With an MMU a private mapping is in place until a page
 * is written, so the test writes to it first (each page, as a process
 * would) and checks too that an unwritten private page shows status.
 */
static int direct_mappings_show_status_copies_do_not(void)
{
	unsigned char *d, *c, *u = NULL;
	int ok = XT_PASS;

	d = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, page);
	if (d == MAP_FAILED) {
		ksft_print_msg("shared mapping: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	c = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, page);
	if (c == MAP_FAILED) {
		ksft_print_msg("private writable mapping: %s\n", xt_errname(errno));
		munmap(d, 2 * page);
		return XT_FAIL;
	}
	if (!xt_mmu())
		XT_EXPECT(d == direct(page) && !xt_in_device(&info, c),
			  "expected a direct mapping and a copy, got %p and %p\n", d, c);
	xt_rewrite(c);
	xt_rewrite(c + page);
	if (xt_mmu()) {
		u = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, page);
		XT_EXPECT(u != MAP_FAILED, "mmap: %s\n", xt_errname(errno));
	}
	XT_EXPECT(!set_state(XIPMAP_STATE_PROGRAM), "SET_STATE: %s\n", xt_errname(errno));
	XT_EXPECT(xt_byte_diff(d, XIPMAP_STATUS_PROGRAM, 2 * page) < 0,
		  "programming: the direct mapping does not show the status byte\n");
	XT_EXPECT(xt_pattern_diff(c, page, 2 * page) < 0, "programming: the copy changed\n");
	if (u && u != MAP_FAILED) {
		XT_EXPECT(xt_byte_diff(u, XIPMAP_STATUS_PROGRAM, page) < 0,
			  "programming: an unwritten private page does not show status\n");
		munmap(u, page);
	}
	XT_EXPECT(!set_state(XIPMAP_STATE_ERASE), "SET_STATE: %s\n", xt_errname(errno));
	XT_EXPECT(xt_byte_diff(d, XIPMAP_STATUS_ERASE, 2 * page) < 0,
		  "erasing: the direct mapping does not show the status byte\n");
	XT_EXPECT(!set_state(XIPMAP_STATE_READ_ARRAY), "SET_STATE: %s\n", xt_errname(errno));
	XT_EXPECT(xt_pattern_diff(d, page, 2 * page) < 0,
		  "read-array: the direct mapping does not show the data again\n");
	munmap(d, 2 * page);
	munmap(c, 2 * page);
	return restore(ok);
}

/*
 * While busy, new mappings the kernel would make in place are refused
 * (EBUSY); a private writable one shows the status bytes.
 */
static int new_direct_mappings_refused_while_busy(void)
{
	long direct_maps;
	unsigned char *p;
	int ok = XT_PASS;

	XT_NEED_COUNTERS();

	XT_EXPECT(!set_state(XIPMAP_STATE_ERASE), "SET_STATE: %s\n", xt_errname(errno));
	direct_maps = xt_dev_counter(0, "direct_maps");
	errno = 0;
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	XT_EXPECT(p == MAP_FAILED && errno == EBUSY, "shared: %p (%s), expected EBUSY\n",
		  p, xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, page);
	errno = 0;
	p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	XT_EXPECT(p == MAP_FAILED && errno == EBUSY,
		  "private read-only: %p (%s), expected EBUSY\n", p, xt_errname(errno));
	if (p != MAP_FAILED)
		munmap(p, page);
	XT_EXPECT(xt_dev_counter(0, "direct_maps") == direct_maps,
		  "the driver accepted a direct mapping while busy\n");
	/*
	 * A private writable mapping is made on both kinds of kernel and shows
	 * the status bytes: no-MMU copies what read() shows now, with an MMU
	 * it is the array in place until written.  Which of the two shows
	 * once the chip is back in read-array state.
	 */
	errno = 0;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	XT_EXPECT(p != MAP_FAILED && xt_byte_diff(p, XIPMAP_STATUS_ERASE, page) < 0,
		  "private writable: %p (%s), expected the status bytes\n", p,
		  xt_errname(p == MAP_FAILED ? errno : 0));
	XT_EXPECT(!set_state(XIPMAP_STATE_READ_ARRAY), "SET_STATE: %s\n", xt_errname(errno));
	if (p != MAP_FAILED) {
		if (xt_mmu())
			XT_EXPECT(xt_pattern_diff(p, 0, page) < 0,
				  "private writable, in place: the data does not show again\n");
		else
			XT_EXPECT(xt_byte_diff(p, XIPMAP_STATUS_ERASE, page) < 0,
				  "private writable, a copy: it changed with the chip\n");
		munmap(p, page);
	}
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	XT_EXPECT(xt_mmu() ? p != MAP_FAILED && xt_pattern_diff(p, 0, page) < 0 : p == direct(0),
		  "shared after read-array: %p, expected %p\n", p, direct(0));
	if (p != MAP_FAILED)
		munmap(p, page);
	return restore(ok);
}

/*
 * A new mapping of a range some process already maps directly shares that
 * region without asking get_unmapped_area(); mmap() must refuse it too.
 */
static int sharing_a_direct_region_refused_while_busy(void)
{
	unsigned char *d;
	int ok = XT_PASS;
	struct xt_report v;

	d = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (d == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(!set_state(XIPMAP_STATE_PROGRAM), "SET_STATE: %s\n", xt_errname(errno));
	v = xt_peer(&(struct xt_map){ XT_NOR, 0, page, PROT_READ, MAP_SHARED, d,
				      XT_CHECK_NONE }, 0);
	XT_EXPECT(xt_peer_failed(v, EBUSY), "second process, shared: %s, expected EBUSY\n",
		  xt_verdict(v));
	v = xt_peer(&(struct xt_map){ XT_NOR, 0, page, PROT_READ, MAP_PRIVATE, d,
				      XT_CHECK_NONE }, 0);
	XT_EXPECT(xt_peer_failed(v, EBUSY),
		  "second process, private read-only: %s, expected EBUSY\n", xt_verdict(v));
	XT_EXPECT(!set_state(XIPMAP_STATE_READ_ARRAY), "SET_STATE: %s\n", xt_errname(errno));
	v = xt_peer(&(struct xt_map){ XT_NOR, 0, page, PROT_READ, MAP_SHARED, d,
				      XT_CHECK_PATTERN }, 0);
	XT_EXPECT(v.verdict == XT_PEER_AT, "second process after read-array: %s\n", xt_verdict(v));
	munmap(d, page);
	return restore(ok);
}

/* Data programmed while the chip shows status appears when it is done. */
static int data_programmed_while_busy_appears_after(void)
{
	struct xipmap_erase erase = { 0, info.erasesize };
	unsigned char *d;
	int ok = XT_PASS;

	d = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (d == MAP_FAILED) {
		ksft_print_msg("mmap: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	XT_EXPECT(!set_state(XIPMAP_STATE_ERASE) && !ioctl(fd, XIPMAP_IOC_ERASE, &erase),
		  "erase: %s\n", xt_errname(errno));
	XT_EXPECT(xt_byte_diff(d, XIPMAP_STATUS_ERASE, page) < 0,
		  "erasing: the mapping does not show status\n");
	XT_EXPECT(!set_state(XIPMAP_STATE_PROGRAM) && write_at(0, "\x12\x34", 2),
		  "program: %s\n", xt_errname(errno));
	XT_EXPECT(reads_as(0, 2, XIPMAP_STATUS_PROGRAM), "programming: read() gives data\n");
	XT_EXPECT(!set_state(XIPMAP_STATE_READ_ARRAY), "SET_STATE: %s\n", xt_errname(errno));
	XT_EXPECT(d[0] == 0x12 && d[1] == 0x34 && xt_byte_diff(d + 2, XIPMAP_ERASED,
							       page - 2) < 0,
		  "read-array: the mapping shows %02x %02x..., expected 12 34 then 0xff\n",
		  d[0], d[1]);
	munmap(d, page);
	return restore(ok);
}

/*
 * write() reaches a shared direct mapping at once, and no copy.  With an
 * MMU the private mapping becomes a copy when written, so it is written to
 * first (on no-MMU that changes nothing).
 */
static int writes_reach_direct_mappings_not_copies(void)
{
	unsigned char *d, *c;
	int ok = XT_PASS;

	d = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (d == MAP_FAILED) {
		ksft_print_msg("shared mapping: %s\n", xt_errname(errno));
		return XT_FAIL;
	}
	c = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (c == MAP_FAILED) {
		ksft_print_msg("private writable mapping: %s\n", xt_errname(errno));
		munmap(d, page);
		return XT_FAIL;
	}
	xt_rewrite(c);
	XT_EXPECT(!xt_fill(fd, &info, 0, page, 0x0f), "erase and program: %s\n",
		  xt_errname(errno));
	XT_EXPECT(xt_byte_diff(d, 0x0f, page) < 0,
		  "the shared mapping does not show what was written\n");
	XT_EXPECT(xt_pattern_diff(c, 0, page) < 0, "the copy changed with the device\n");
	munmap(d, page);
	munmap(c, page);
	return restore(ok);
}

/*
 * Execute in place: machine code programmed into the flash and mapped
 * PROT_EXEC runs from the flash itself, with no copy.  The code returns 42.
 */
static int code_programmed_into_flash_runs_in_place(void)
{
#ifdef XT_HAVE_RET42
	static const struct { int flags; const char *what; } kinds[] = {
		{ MAP_SHARED, "shared" },
		{ MAP_PRIVATE, "private" },
	};
	unsigned long off = 8 * page + XT_RET42_OFFSET;
	unsigned int i;
	int ok = XT_PASS;

	/* Code that did not get there must not be run. */
	if (xt_fill(fd, &info, 8 * page, page, XIPMAP_ERASED) ||
	    !write_at(off, xt_ret42, sizeof(xt_ret42))) {
		ksft_print_msg("program the code: %s\n", xt_errname(errno));
		return restore(XT_FAIL);
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		unsigned char *p = mmap(NULL, page, PROT_READ | PROT_EXEC, kinds[i].flags,
					fd, 8 * page);
		int (*fn)(void);

		XT_EXPECT(xt_mmu() ? p != MAP_FAILED : p == direct(8 * page),
			  "%s PROT_EXEC: %p (%s), expected %p\n",
			  kinds[i].what, p, xt_errname(p == MAP_FAILED ? errno : 0),
			  direct(8 * page));
		if (p == MAP_FAILED)
			continue;
		fn = xt_ret42_at(p);
		XT_EXPECT(fn() == 42, "%s: the code in the flash did not return 42\n",
			  kinds[i].what);
		munmap(p, page);
	}
	return restore(ok);
#else
	ksft_print_msg("no machine code for this architecture\n");
	return XT_SKIP;
#endif
}

static const struct xt_test tests[] = {
	XT_TEST(programming_only_clears_bits),
	XT_TEST(erase_sets_a_block_to_ff),
	XT_TEST(write_past_the_end_is_enospc),
	XT_TEST(read_shows_status_while_busy),
	XT_TEST(direct_mappings_show_status_copies_do_not),
	XT_TEST(new_direct_mappings_refused_while_busy),
	XT_TEST_NOMMU(sharing_a_direct_region_refused_while_busy, "sharing another "
		      "process's region is no-MMU's; new_direct_mappings_refused_while_busy "
		      "checks the MMU"),
	XT_TEST(data_programmed_while_busy_appears_after),
	XT_TEST(writes_reach_direct_mappings_not_copies),
	XT_TEST(code_programmed_into_flash_runs_in_place),
};

static void restore_nor(void)
{
	if (xt_restore(XT_NOR, XIPMAP_PERSONALITY_NOR))
		ksft_exit_fail_msg("could not restore %s\n", XT_NOR);
}

int main(int argc, char **argv)
{
	xt_setup();
	if (xt_is_peer(argc, argv))
		return xt_peer_main(argc, argv);
	page = xt_page_size();
	fd = open(XT_NOR, O_RDWR);
	if (fd < 0)
		ksft_exit_fail_msg("open %s: %s (%d)\n", XT_NOR, xt_errname(errno), errno);
	info = xt_info(fd);
	if (!xt_mmu() && !info.base)
		ksft_exit_fail_msg("%s reports no direct address on a no-MMU kernel\n", XT_NOR);
	xt_run(tests, ARRAY_SIZE(tests), restore_nor);
}
