// SPDX-License-Identifier: GPL-2.0
/*
 * xipmap-conform: the no-MMU mmap conformance suite, pointed at any
 * provider: a device node, or a file it creates on a mounted filesystem.
 *
 *   xipmap-conform                     every built-in profile
 *   xipmap-conform --profile NAME      one built-in profile (--list names them)
 *   xipmap-conform PATH --caps LIST [--no-read] [--create truncate|write]
 *                  [--direct-at ADDR] [--size BYTES] [--scratch] [--name NAME]
 *   xipmap-conform --mtd TYPE[:NAME] [--fs romfs|cramfs] [--image FILE] [--xip]
 *                  --caps LIST [--name NAME]
 *
 * A provider is described by a profile: its path, the NOMMU_MAP_*
 * capabilities it claims (--caps direct,copy,read,write,exec), whether it
 * has a read method, for a file how it is made (ftruncate() from zero, or
 * write()), and how a direct mapping is recognised (the address the
 * device reports, or two mappings of different ranges that must lie as
 * far apart as their offsets).  expect() turns a profile and a request
 * into what Documentation/admin-guide/mm/nommu-mmap.rst and the decision
 * rules of mm/nommu.c say must happen; it is the only place that knows
 * them.  Every open mode x MAP_PRIVATE/MAP_SHARED x protection is tried,
 * and for each mapping that is made a second process maps the same range
 * and checks that it shares (or does not share) the mapping, that the
 * data is what read() returns, that writes reach the file or not, and
 * that code in it runs.  Ranges past the end and a traced process come
 * last.  A provider that deviates fails, with what was expected, why, and
 * what came back; deviations of the kernel's own providers that
 * docs/peers.md explains are reported as XFAIL with their reason.
 *
 * The kernel's XIP filesystems, romfs and cramfs, are checked on MTD
 * devices (mtdram, and a flash mapped as ROM or driven as CFI NOR), found
 * by type and name in /sys/class/mtd, with the runner's images of known
 * contents (qemu/conform-contents.c): what a read-only filesystem makes
 * impossible is a skip that says why (EROFS, asserted), a direct mapping
 * on flash must be at the flash's own address, and on flash the XIP
 * claims are checked (code run in place, no copy).
 *
 * A built-in profile whose provider this kernel lacks (no MTD device of
 * its type, no romfs) is one skip that says so.  A provider that is there,
 * or that the command line names, and cannot be opened or set up fails.
 */
#include "xipmap_test.h"

#define CONFORM_DIR	"xc"

enum { K_ERR, K_DIRECT, K_COPY, K_REFUSED };	/* K_REFUSED: any errno */

struct outcome {
	int kind;
	int err;		/* K_ERR */
};

/* What must happen, and the rule that says so. */
struct expect {
	struct outcome o, alt;	/* alt: also right, when has_alt */
	int has_alt;
	int direct_left;	/* NOMMU_MAP_DIRECT still set after the checks */
	const char *why;
};

enum { C_NONE, C_TRUNCATE, C_WRITE };

#define P_NO_READ	(1 << 0)	/* no read method */
#define P_RUN_MAYBE	(1 << 1)	/* direct only if it finds contiguous pages */
#define P_SCRATCH	(1 << 2)	/* its contents may be overwritten */
#define P_INTREE	(1 << 3)	/* a kernel provider: known deviations are XFAIL */
#define P_NO_END	(1 << 4)	/* no size: no ranges past the end */
#define P_RDONLY	(1 << 5)	/* a read-only filesystem: open for writing is EROFS */
#define P_XIP		(1 << 6)	/* execute-in-place from flash: the XIP claims */
#define P_MTDCHAR	(1 << 7)	/* mtdchar, drivers/mtd/mtdchar.c (peers.md P2-P4) */

struct profile {
	const char *name;
	const char *path;
	unsigned int caps;		/* XIPMAP_CAP_*, which mirror NOMMU_MAP_* */
	unsigned int flags;		/* P_* */
	int create;			/* C_*: how a file is made */
	const char *fstype;		/* built-in files: mount this at dirname(path) */
	int xipdev;			/* an xipflash device (its number), or -1 */
	unsigned long base;		/* where it maps directly, if it says; else 0 */
	unsigned long size;		/* bytes; 0: lseek(SEEK_END) */
	const char *source;		/* where the profile comes from */
	/*
	 * On MTD: the device of this type ("ram", "rom", "nor": its
	 * /sys/class/mtd/mtdN/type) and, if given, this name, found by
	 * them and not by number.  With fstype, the filesystem mounted
	 * read-only from it (ROMFS_BACKED_BY_MTD, CRAMFS_MTD), first written
	 * into it from image if one is given (mtdram), and the file
	 * XT_CONTENTS_FILE of qemu/conform-contents.c in it is the provider.
	 */
	const char *mtd_type;
	const char *mtd_name;
	const char *image;
};

#define CAPS_ALL	XIPMAP_CAP_ALL
#define CAPS_ROM	(XIPMAP_CAP_COPY | XIPMAP_CAP_DIRECT | XIPMAP_CAP_READ | XIPMAP_CAP_EXEC)
#define CAPS_CRAMFS	CAPS_ROM
#define MTDRAM_NAME	"mtdram test device"	/* drivers/mtd/devices/mtdram.c */
#define IMAGES		"/lib/xipmap/conform."	/* the runner's images (qemu/lib.sh) */
/* Files made by the tool and the runner's images (lib/xipmap_code.h), and the least size. */
#define FILE_PAGES	XT_CONTENTS_PAGES
#define MAP_OFF_PAGES	XT_CONTENTS_CODE_PAGE	/* every mapping: two pages at page 2 */
#define MAP_PAGES	2

static const struct profile builtin[] = {
	{ "xipflash0-nor", XT_NOR, XT_CAPS_NOR, 0, C_NONE, NULL, 0, 0, 0,
	  "xipmap personality nor",
	  NULL, NULL, NULL },
	{ "xipflash1-ram", XT_RAM, XT_CAPS_RAM, 0, C_NONE, NULL, 1, 0, 0,
	  "xipmap personality ram",
	  NULL, NULL, NULL },
	{ "xipflash2-nand", XT_NAND, XT_CAPS_NAND, 0, C_NONE, NULL, 2, 0, 0,
	  "xipmap personality nand",
	  NULL, NULL, NULL },
	{ "xipflash3-fb", XT_FB, XT_CAPS_FB, P_NO_READ, C_NONE, NULL, 3, 0, 0,
	  "xipmap personality fb",
	  NULL, NULL, NULL },
	{ "xipramfs-truncate", CONFORM_DIR "/xipramfs/t", CAPS_ALL, 0, C_TRUNCATE,
	  "xipramfs", -1, 0, 0, "module/ramfs-nommu.c",
	  NULL, NULL, NULL },
	{ "xipramfs-write", CONFORM_DIR "/xipramfs/w", CAPS_ALL, P_RUN_MAYBE, C_WRITE,
	  "xipramfs", -1, 0, 0, "module/ramfs-nommu.c",
	  NULL, NULL, NULL },
	{ "ramfs-truncate", CONFORM_DIR "/ramfs/t", CAPS_ALL, P_INTREE, C_TRUNCATE,
	  "ramfs", -1, 0, 0, "fs/ramfs/file-nommu.c: ramfs_mmap_capabilities()",
	  NULL, NULL, NULL },
	{ "ramfs-write", CONFORM_DIR "/ramfs/w", CAPS_ALL, P_INTREE | P_RUN_MAYBE, C_WRITE,
	  "ramfs", -1, 0, 0, "fs/ramfs/file-nommu.c: ramfs_mmap_capabilities()",
	  NULL, NULL, NULL },
	{ "zero", "/dev/zero", XIPMAP_CAP_COPY, P_INTREE | P_NO_END, C_NONE, NULL, -1, 0, 0,
	  "drivers/char/mem.c: zero_mmap_capabilities()",
	  NULL, NULL, NULL },
	{ "mtdram", NULL, CAPS_ALL, P_INTREE | P_SCRATCH | P_MTDCHAR, C_NONE, NULL, -1, 0, 0,
	  "drivers/mtd/mtdcore.c: mtd_mmap_capabilities(), MTD_RAM",
	  .mtd_type = "ram", .mtd_name = MTDRAM_NAME },
	{ "romfs-mtdram", NULL, CAPS_ALL, P_INTREE | P_RDONLY, C_NONE, "romfs", -1, 0, 0,
	  "fs/romfs/mmap-nommu.c: romfs_mmap_capabilities(), MTD_RAM",
	  .mtd_type = "ram", .mtd_name = MTDRAM_NAME, .image = IMAGES "romfs" },
	{ "cramfs-mtdram", NULL, CAPS_CRAMFS, P_INTREE | P_RDONLY, C_NONE, "cramfs", -1, 0, 0,
	  "fs/cramfs/inode.c: cramfs_physmem_mmap_capabilities()",
	  .mtd_type = "ram", .mtd_name = MTDRAM_NAME, .image = IMAGES "cramfs" },
	{ "romfs-rom", NULL, CAPS_ROM, P_INTREE | P_RDONLY | P_XIP, C_NONE, "romfs", -1, 0, 0,
	  "fs/romfs/mmap-nommu.c: romfs_mmap_capabilities(), MTD_ROM",
	  .mtd_type = "rom", .mtd_name = "flash-romfs" },
	{ "romfs-nor", NULL, XIPMAP_CAP_COPY, P_INTREE | P_RDONLY, C_NONE, "romfs", -1, 0, 0,
	  "fs/romfs/mmap-nommu.c: romfs_mmap_capabilities(), MTD_NORFLASH",
	  .mtd_type = "nor", .mtd_name = "flash-romfs" },
	{ "cramfs-rom", NULL, CAPS_CRAMFS, P_INTREE | P_RDONLY | P_XIP, C_NONE, "cramfs", -1, 0, 0,
	  "fs/cramfs/inode.c: cramfs_physmem_mmap_capabilities(), MTD_ROM",
	  .mtd_type = "rom", .mtd_name = "flash-cramfs" },
	{ "cramfs-nor", NULL, CAPS_CRAMFS, P_INTREE | P_RDONLY | P_XIP, C_NONE, "cramfs", -1, 0, 0,
	  "fs/cramfs/inode.c: cramfs_physmem_mmap_capabilities(), MTD_NORFLASH",
	  .mtd_type = "nor", .mtd_name = "flash-cramfs" },
	{ "mtd-rom", NULL, CAPS_ROM, P_INTREE | P_MTDCHAR, C_NONE, NULL, -1, 0, 0,
	  "drivers/mtd/mtdcore.c: mtd_mmap_capabilities(), MTD_ROM", .mtd_type = "rom" },
	{ "mtd-nor", NULL, XIPMAP_CAP_COPY, P_INTREE | P_MTDCHAR, C_NONE, NULL, -1, 0, 0,
	  "drivers/mtd/mtdcore.c: mtd_mmap_capabilities(), MTD_NORFLASH", .mtd_type = "nor" },
};

static unsigned long page;
static int known_bugs;		/* run what trips known kernel bugs (a WARN) */
static int table;		/* print a Markdown table row for every result */

/* The provider under test, and what this run of it has counted. */
static struct profile pr;
static unsigned long size;	/* its size in bytes, or 0 if it has no end */
static int scratch_ready;	/* the tool's own contents are in it */
static int tried, matched, deviated, known_dev;

static const char *const prot_name[8] = {
	"PROT_NONE", "PROT_READ", "PROT_WRITE", "PROT_READ|PROT_WRITE",
	"PROT_EXEC", "PROT_READ|PROT_EXEC", "PROT_WRITE|PROT_EXEC",
	"PROT_READ|PROT_WRITE|PROT_EXEC",
};

static const char *acc_name(int acc)
{
	return acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" : "O_RDWR";
}

static const char *outcome_name(struct outcome o)
{
	switch (o.kind) {
	case K_DIRECT:	return "direct";
	case K_COPY:	return "a copy";
	case K_REFUSED:	return "refused";
	default:	return xt_errname(o.err);
	}
}

static struct expect refuse(int err, const char *why)
{
	return (struct expect){ .o = { K_ERR, err }, .why = why };
}

/*
 * What mmap() must do for a profile: validate_mmap_request() and
 * do_mmap() of mm/nommu.c, in their order, which is also what the
 * document says.  @acc is the open mode, then the request.
 */
static struct expect expect(const struct profile *p, int acc, int flags, int prot)
{
	unsigned int caps = p->caps;
	int shared = flags & MAP_SHARED;
	int r = prot & PROT_READ, w = prot & PROT_WRITE, x = prot & PROT_EXEC;
	struct expect e = { .why = "" };

	/* "Files mapped privately usually have to have a read method" */
	if ((p->flags & P_NO_READ) || acc == O_WRONLY)
		caps &= ~XIPMAP_CAP_COPY;
	if (acc == O_WRONLY)
		return refuse(EACCES, "a file must be open for reading to be mapped");
	if (shared) {
		if (w && acc != O_RDWR)
			return refuse(EACCES, "MAP_SHARED|PROT_WRITE needs the file open to write");
		if (!(caps & XIPMAP_CAP_DIRECT))
			return refuse(ENODEV, "MAP_SHARED needs NOMMU_MAP_DIRECT: denied");
		caps &= ~XIPMAP_CAP_COPY;	/* a shared mapping is never a copy */
	} else {
		if (!(caps & XIPMAP_CAP_COPY))
			return refuse(ENODEV, "MAP_PRIVATE needs NOMMU_MAP_COPY and a read method");
		if (w)
			caps &= ~XIPMAP_CAP_DIRECT;	/* "a copy is always taken" */
	}
	if ((caps & XIPMAP_CAP_DIRECT) &&
	    ((r && !(caps & XIPMAP_CAP_READ)) || (w && !(caps & XIPMAP_CAP_WRITE)) ||
	     (x && !(caps & XIPMAP_CAP_EXEC)))) {
		if (shared)
			return refuse(EINVAL, "MAP_SHARED, a protection not given in place");
		caps &= ~XIPMAP_CAP_DIRECT;
	}
	if (caps & XIPMAP_CAP_DIRECT) {
		e.o.kind = K_DIRECT;
		e.direct_left = 1;
		e.why = shared ? "MAP_SHARED on NOMMU_MAP_DIRECT: the memory itself" :
			"MAP_PRIVATE read-only: \"directly on the backing device\"";
		if (p->flags & P_RUN_MAYBE) {
			/* No contiguous run: get_unmapped_area() says -ENOSYS. */
			e.has_alt = 1;
			e.alt = shared || !(caps & XIPMAP_CAP_COPY) ?
				(struct outcome){ K_ERR, ENODEV } : (struct outcome){ K_COPY, 0 };
			e.why = shared ? "not made by truncate from 0: may be denied" :
				"not made by truncate from 0: may be copied";
		}
	} else {
		e.o.kind = K_COPY;
		e.why = w ? "MAP_PRIVATE|PROT_WRITE: \"a copy is always taken and never shared\"" :
			"MAP_PRIVATE without the capabilities to map it in place: a copy";
	}
	return e;
}

static int same(struct outcome a, struct outcome b)
{
	if (a.kind == K_REFUSED || b.kind == K_REFUSED)
		return (a.kind == K_ERR || a.kind == K_REFUSED) &&
		       (b.kind == K_ERR || b.kind == K_REFUSED);
	return a.kind == b.kind && (a.kind != K_ERR || a.err == b.err);
}

/* ---- the second process ---------------------------------------------- */

/* What the checker is asked to look at; bits of its last argument. */
#define CK_DATA		(1 << 0)	/* the mapping equals what read() gives */
#define CK_WRITE_SHARED	(1 << 1)	/* a write through it reaches read() */
#define CK_WRITE_PRIV	(1 << 2)	/* a write through it does not */
#define CK_EXEC		(1 << 3)	/* code at XT_RET42_OFFSET returns 42 */
#define CK_AT		(1 << 4)	/* must be mapped at the given address */
#define CK_ELSEWHERE	(1 << 5)	/* must not be */
#define CK_TAIL_ZERO	(1 << 6)	/* bytes past the end of the data are 0 */

/* The checker's verdicts, reported with the errno that goes with them (xt_report()). */
enum {
	V_OK, V_AT, V_ELSEWHERE, V_DATA, V_NOT_WRITTEN, V_WRITE_LEAKED, V_EXEC,
	V_USAGE, V_TAIL, V_ERRNO,
};

/* What the checker that ended with wait status @status and report @r found. */
static const char *checker_verdict(int status, struct xt_report r)
{
	static char buf[96];

	if (status < 0)
		return "could not be started";
	if (XWIFSIGNALED(status))
		return xjoin(buf, sizeof(buf), "killed by signal ", itoa(XWTERMSIG(status)),
			     " touching the mapping", NULL);
	switch (r.verdict) {
	case V_OK:		return "all checks passed";
	case V_AT:		return "a second process mapped it elsewhere, not sharing it";
	case V_ELSEWHERE:	return "a second process shared it";
	case V_DATA:		return "the mapping differs from what read() returns";
	case V_NOT_WRITTEN:	return "a write through the mapping did not reach read()";
	case V_WRITE_LEAKED:	return "a write through a private mapping reached the file";
	case V_EXEC:		return "the code in the file is not there, or did not run";
	case V_USAGE:		return !r.err ? "was given bad arguments" :
				       xjoin(buf, sizeof(buf), "could not open or read it: ",
					     xt_errname(r.err), NULL);
	case V_TAIL:		return "bytes past the end are not zero";
	case V_ERRNO:		return xt_errname(r.err);
	case XT_NO_REPORT:	return "exited without a report";
	default:		return "gave an unknown verdict";
	}
}

static unsigned char file_buf[MAP_PAGES * 65536];

/*
 * Read @len bytes at @off through @fd; bytes read, or -1.  A file without
 * positions reads the same anywhere: /dev/zero's lseek() always says 0
 * (null_lseek()), and so it is read from there.
 */
static long read_at(int fd, unsigned long off, void *buf, unsigned long len)
{
	long n, total = 0;
	off_t pos = lseek(fd, off, SEEK_SET);

	if (pos != (off_t)off && pos != 0)
		return -1;
	while (total < (long)len) {
		n = read(fd, (char *)buf + total, len - total);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		total += n;
	}
	return total;
}

/*
 * The checker's side: argv = self check path acc off len prot flags addr
 * checks.  Returns a verdict, with the errno that goes with it in *@err.
 */
static int checker(int argc, char **argv, int *err)
{
	unsigned long off, len, addr;
	int acc, prot, flags, checks, fd;
	volatile unsigned char *p;
	unsigned char old;
	long n = 0;

	if (argc != 10)
		return V_USAGE;
	acc = strtol(argv[3], NULL, 0);
	off = strtoul(argv[4], NULL, 0);
	len = strtoul(argv[5], NULL, 0);
	prot = strtol(argv[6], NULL, 0);
	flags = strtol(argv[7], NULL, 0);
	addr = strtoul(argv[8], NULL, 0);
	checks = strtol(argv[9], NULL, 0);
	fd = open(argv[2], acc);
	if (fd < 0) {
		*err = errno;
		return V_USAGE;
	}
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED) {
		*err = errno;
		return V_ERRNO;
	}
	if (checks & (CK_DATA | CK_TAIL_ZERO)) {
		int rfd = open(argv[2], O_RDONLY);

		n = rfd < 0 ? -1 : read_at(rfd, off, file_buf, len);
		if (n < 0) {
			*err = errno;
			return V_USAGE;
		}
		close(rfd);
		/* Inside the provider read() must give it all, or nothing is compared. */
		if ((checks & CK_DATA) && ((!(checks & CK_TAIL_ZERO) && n != (long)len) ||
					   memcmp((void *)p, file_buf, n)))
			return V_DATA;
		if ((checks & CK_TAIL_ZERO) && xt_byte_diff((void *)(p + n), 0, len - n) >= 0)
			return V_TAIL;
	}
	if (checks & (CK_WRITE_SHARED | CK_WRITE_PRIV)) {
		int rfd = open(argv[2], O_RDONLY);

		if (rfd < 0 || read_at(rfd, off + 100, &old, 1) != 1) {
			*err = errno;
			return V_USAGE;
		}
		p[100] = (unsigned char)~old;
		if (read_at(rfd, off + 100, file_buf, 1) != 1) {
			*err = errno;
			return V_USAGE;
		}
		if ((checks & CK_WRITE_SHARED) && file_buf[0] != (unsigned char)~old)
			return V_NOT_WRITTEN;
		if (checks & CK_WRITE_SHARED)
			p[100] = old;
		if ((checks & CK_WRITE_PRIV) && file_buf[0] != old)
			return V_WRITE_LEAKED;
		close(rfd);
	}
#ifdef XT_HAVE_RET42
	/*
	 * Load the code before running it: a mapping at a wild address then
	 * kills this process with SIGSEGV, where a jump there would oops the
	 * RISC-V no-MMU kernel (docs/conformance.md 5).
	 */
	if ((checks & CK_EXEC) && memcmp((void *)(p + XT_RET42_OFFSET), xt_ret42, sizeof(xt_ret42)))
		return V_EXEC;
	if (checks & CK_EXEC) {
		int (*fn)(void) = xt_ret42_at((void *)p);

		if (fn() != 42)
			return V_EXEC;
	}
#endif
	if ((checks & CK_AT) && (unsigned long)p != addr)
		return V_AT;
	if ((checks & CK_ELSEWHERE) && (unsigned long)p == addr)
		return V_ELSEWHERE;
	return V_OK;
}

/*
 * Run the checker as a second process, traced if @traced.  Returns its wait
 * status (-1 if it could not be started), with its report in @r.
 */
static int check(int acc, unsigned long off, unsigned long len, int prot, int flags,
		 const void *addr, int checks, int traced, struct xt_report *r)
{
	char a[7][24];
	char *argv[] = { (char *)xt_self, "check", (char *)pr.path, a[0], a[1], a[2], a[3],
			 a[4], a[5], a[6], NULL };

	xjoin(a[0], sizeof(a[0]), itoa(acc), NULL);
	xjoin(a[1], sizeof(a[1]), utoa(off), NULL);
	xjoin(a[2], sizeof(a[2]), utoa(len), NULL);
	xjoin(a[3], sizeof(a[3]), itoa(prot), NULL);
	xjoin(a[4], sizeof(a[4]), itoa(flags), NULL);
	xjoin(a[5], sizeof(a[5]), utoa((unsigned long)addr), NULL);
	xjoin(a[6], sizeof(a[6]), itoa(checks), NULL);
	return xt_spawn(argv, traced, r);
}

/* ---- recognising a direct mapping --------------------------------------- */

/*
 * Whether @p, a mapping of @off made with @prot and @flags, is the
 * provider's memory itself.  With an address the provider reports, it
 * must be that address plus the offset.  Otherwise, a shared mapping is
 * in place by the kernel's rule (do_mmap_shared_file() never copies; the
 * second process then checks that writes through it reach read()), and
 * for a private one two more mappings of other, non-overlapping ranges,
 * made the same way while @p lives, must lie as far from it as their
 * offsets are.  Copies are separate allocations and cannot: the second
 * probe, three pages at page 5, would be a copy that starts on a
 * four-page boundary (alloc_pages_exact() of order 2), and @p, a two-page
 * copy, starts on a two-page one, so the probe cannot start three pages
 * after @p as it must in place.
 */
static int is_direct(int fd, void *p, unsigned long off, int prot, int flags)
{
	unsigned long hi = off + (MAP_PAGES + 1) * page;
	unsigned char *a, *b;
	int direct;

	if (pr.base)
		return (unsigned long)p == pr.base + off;
	if (flags & MAP_SHARED)
		return 1;
	a = mmap(NULL, page, prot, flags, fd, 0);
	b = mmap(NULL, 3 * page, prot, flags, fd, hi);
	direct = a == (unsigned char *)p - off && b == (unsigned char *)p + (hi - off);
	if (a != MAP_FAILED)
		munmap(a, page);
	if (b != MAP_FAILED)
		munmap(b, 3 * page);
	return direct;
}

/* ---- known deviations of the kernel's own providers --------------------- */

/*
 * The deviations docs/peers.md explains, for the kernel's providers only:
 * the reason, or NULL.  A deviation of xipmap's own providers is always a
 * failure, and so is one of a kernel provider that is not listed here.
 * Each is matched by what was expected and what came back, not by name.
 */
static const char *known_deviation(struct expect e, struct outcome got, const char *detail)
{
	int private_copy = e.o.kind == K_COPY || (e.o.kind == K_REFUSED && e.has_alt);

	if (!(pr.flags & P_INTREE))
		return NULL;
	/*
	 * Each only where the kernel does not have its fix (xt_fixed(),
	 * patches/6.12): with the fix, a deviation is a failure.
	 */
	/* P1: __kernel_read() refuses a file with both .read and .read_iter. */
	if (!xt_fixed("P1") && !strcmp(pr.name, "zero") && private_copy && got.kind == K_ERR && got.err == EINVAL)
		return "peers.md P1: __kernel_read() refuses /dev/zero (.read and .read_iter)";
	/* P2: ... and one with .read only (mtdchar). */
	if (!xt_fixed("P2") && (pr.flags & P_MTDCHAR) && private_copy && got.kind == K_ERR &&
	    got.err == EINVAL)
		return "peers.md P2: __kernel_read() refuses mtdchar (.read, no .read_iter)";
	/* P3: mtdchar_mmap() refuses private VMAs with -EACCES. */
	if (!xt_fixed("P3") && (pr.flags & P_MTDCHAR) && e.o.kind == K_DIRECT &&
	    got.kind == K_ERR && got.err == EACCES)
		return "peers.md P3: mtdchar_mmap() answers -EACCES to a private mapping";
	/* P4: mtdchar_get_unmapped_area() keeps the address in an int. */
	if (!xt_fixed("P4") && (pr.flags & P_MTDCHAR) && e.o.kind == K_DIRECT &&
	    got.kind == K_DIRECT && detail && xt_contains(detail, "killed by signal"))
		return "peers.md P4: mtdchar_get_unmapped_area() truncates the address to int";
	/* P5: romfs_get_unmapped_area() does the same. */
	if (!xt_fixed("P5") && pr.fstype && !strcmp(pr.fstype, "romfs") && pr.mtd_type &&
	    e.o.kind == K_DIRECT && got.kind == K_DIRECT && detail && xt_contains(detail, "killed by signal"))
		return "peers.md P5: romfs_get_unmapped_area() truncates the address to int";
	return NULL;
}

/* ---- the tests ----------------------------------------------------------- */

/* @s with every '|' escaped for a Markdown table cell, in a static buffer. */
static const char *cell(const char *s)
{
	static char buf[2][160];
	static int which;
	char *b = buf[which ^= 1];
	unsigned int n = 0;

	for (; *s && n + 2 < sizeof(buf[0]); s++) {
		if (*s == '|')
			b[n++] = '\\';
		b[n++] = *s;
	}
	b[n] = '\0';
	return b;
}

static void report(const char *label, int ok, const char *what, struct expect e,
		   struct outcome got, const char *detail)
{
	const char *why = NULL;

	tried++;
	if (ok) {
		matched++;
	} else {
		deviated++;
		ksft_print_msg("%s: %s: %s: expected %s%s%s (%s), got %s%s%s\n", pr.name, label,
			       what, outcome_name(e.o), e.has_alt ? " or " : "",
			       e.has_alt ? outcome_name(e.alt) : "", e.why, outcome_name(got),
			       detail ? ": " : "", detail ? detail : "");
		why = known_deviation(e, got, detail);
		known_dev += !!why;
	}
	if (table) {
		char obs[160];

		xjoin(obs, sizeof(obs), outcome_name(got), ok ? "" : " (", ok ? "" : what,
		      detail ? ": " : "", detail ? detail : "", ok ? "" : ")", NULL);
		ksft_print_msg("| %s | %s%s%s: %s | %s | %s |\n", cell(label), outcome_name(e.o),
			       e.has_alt ? " or " : "", e.has_alt ? outcome_name(e.alt) : "",
			       cell(e.why), obs,
			       ok ? "as documented" : why ? "deviates (known)" : "**DEVIATES**");
	}
	if (ok)
		ksft_test_result_pass("%s: %s\n", pr.name, label);
	else if (why)
		ksft_test_result_xfail("%s: %s: %s\n", pr.name, label, why);
	else
		ksft_test_result_fail("%s: %s\n", pr.name, label);
}

/*
 * Open the provider with @acc for the test @label.  The provider was set
 * up, so an open that fails is the test's failure, reported here; then
 * -1.  One that cannot be opened for writing at all (a read-only
 * filesystem, a node without write permission) makes the combinations
 * that need it impossible to try, not wrong: those skip, saying why.
 */
static int open_provider(const char *label, int acc)
{
	int fd = open(pr.path, acc);

	if ((pr.flags & P_RDONLY) && acc != O_RDONLY && (fd >= 0 || errno != EROFS)) {
		/* A read-only filesystem says EROFS: anything else is its failure. */
		ksft_print_msg("%s: %s: open %s %s on a read-only filesystem: %s%s\n",
			       pr.name, label, pr.path, acc_name(acc), "expected EROFS, got ",
			       fd >= 0 ? "a file open for writing" : xt_errname(errno));
		ksft_test_result_fail("%s: %s\n", pr.name, label);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0 && acc != O_RDONLY && (errno == EROFS || errno == EACCES)) {
		ksft_test_result_skip("%s: %s: cannot be tried: open %s: %s\n", pr.name, label,
				      acc_name(acc), xt_errname(errno));
	} else if (fd < 0) {
		ksft_print_msg("%s: %s: open %s %s: %s\n", pr.name, label, pr.path, acc_name(acc),
			       xt_errname(errno));
		ksft_test_result_fail("%s: %s\n", pr.name, label);
	}
	return fd;
}

/*
 * Open the provider with @acc and map it.  Returns the mapping with its
 * file in *@fd, or MAP_FAILED once the result is reported: a failure if
 * the provider would not open, else the refusal judged against @e.
 */
static void *open_and_map(const char *label, int acc, unsigned long off, unsigned long len,
			  int prot, int flags, struct expect e, int *fd)
{
	struct outcome got = { K_ERR, 0 };
	void *p;

	*fd = open_provider(label, acc);
	if (*fd < 0)
		return MAP_FAILED;
	errno = 0;
	p = mmap(NULL, len, prot, flags, *fd, off);
	if (p == MAP_FAILED) {
		got.err = errno;
		report(label, same(got, e.o) || (e.has_alt && same(got, e.alt)), "mmap", e, got,
		       NULL);
		close(*fd);
	}
	return p;
}

/* One open mode x mapping type x protection. */
static void combination(int acc, int flags, int prot)
{
	unsigned long off = MAP_OFF_PAGES * page, len = MAP_PAGES * page;
	struct expect e = expect(&pr, acc, flags, prot);
	struct outcome got = { K_ERR, 0 };
	const char *detail = NULL;
	struct xt_report r;
	char label[96];
	int fd, ok, checks = 0, status, direct;
	void *p;

	xjoin(label, sizeof(label), acc_name(acc), " ", flags & MAP_SHARED ? "MAP_SHARED" :
	      "MAP_PRIVATE", " ", prot_name[prot], NULL);
	p = open_and_map(label, acc, off, len, prot, flags, e, &fd);
	if (p == MAP_FAILED)
		return;
	direct = is_direct(fd, p, off, prot, flags);
	got.kind = direct ? K_DIRECT : K_COPY;
	ok = same(got, e.o) || (e.has_alt && same(got, e.alt));
	if (!ok) {
		report(label, 0, "mmap", e, got, NULL);
		munmap(p, len);
		close(fd);
		return;
	}
	/*
	 * A second process maps the same: a direct mapping and a private
	 * read-only copy are shared ("re-use an existing mapping ... even if
	 * this was created by another process"), a writable copy never is.
	 */
	checks = (prot & PROT_WRITE) && !(flags & MAP_SHARED) ? CK_ELSEWHERE : CK_AT;
	if ((prot & PROT_READ) && !(pr.flags & P_NO_READ))
		checks |= CK_DATA;
	if ((prot & PROT_WRITE) && !(pr.flags & P_NO_READ))
		checks |= flags & MAP_SHARED ? CK_WRITE_SHARED : CK_WRITE_PRIV;
	if ((prot & PROT_EXEC) && scratch_ready)
		checks |= CK_EXEC;
	status = check(acc, off, len, prot, flags, p, checks, 0, &r);
	if (status < 0 || !XWIFEXITED(status) || r.verdict != V_OK) {
		static char buf[128];
		char at[24];

		ok = 0;
		utoh_r((unsigned long)p, at);
		detail = xjoin(buf, sizeof(buf), "mapped at 0x", at, ", ",
			       checker_verdict(status, r), NULL);
	}
	report(label, ok, ok ? "" : "a second process", e, got, detail);
	munmap(p, len);
	close(fd);
}

/*
 * A traced process must not overlay a private read-only mapping: it gets
 * its own copy (determine_vm_flags() withholds VM_MAYOVERLAY).
 */
static void traced(int acc, int prot)
{
	unsigned long off = MAP_OFF_PAGES * page, len = MAP_PAGES * page;
	struct expect e = expect(&pr, acc, MAP_PRIVATE, prot);
	struct expect t = { .o = { K_COPY, 0 },
			    .why = "a traced process gets its own copy, never an overlay" };
	struct outcome got = { K_COPY, 0 };
	struct xt_report r;
	char label[96];
	int fd, status;
	void *p;

	xjoin(label, sizeof(label), "traced ", acc_name(acc), " MAP_PRIVATE ", prot_name[prot],
	      NULL);
	if (e.direct_left && !known_bugs && !xt_fixed("8")) {
		ksft_test_result_skip("%s: %s: %s\n", pr.name, label,
				      "with DIRECT it WARNs (conformance.md 8); see --known-bugs");
		return;
	}
	fd = open_provider(label, acc);
	if (fd < 0)
		return;
	p = mmap(NULL, len, prot, MAP_PRIVATE, fd, off);
	if (p == MAP_FAILED) {
		got = (struct outcome){ K_ERR, errno };
		report(label, 0, "the untraced mapping", t, got, NULL);
		close(fd);
		return;
	}
	status = check(acc, off, len, prot, MAP_PRIVATE, p,
		       CK_ELSEWHERE | (prot & PROT_READ && !(pr.flags & P_NO_READ) ? CK_DATA : 0),
		       1, &r);
	if (status < 0 || !XWIFEXITED(status) || r.verdict != V_OK) {
		got.kind = status >= 0 && XWIFEXITED(status) && r.verdict == V_ELSEWHERE ?
			   K_DIRECT : K_COPY;
		report(label, 0, "the traced process", t, got, checker_verdict(status, r));
	} else {
		report(label, 1, "", t, got, NULL);
	}
	munmap(p, len);
	close(fd);
}

/*
 * Past the end.  The document: get_unmapped_area() "may return an error
 * if it doesn't wish to honour the mapping because it's too long, at a
 * weird offset", and a copy's "extraneous space beyond the EOF will be
 * cleared".  So a shared mapping is refused; a private read-only one is
 * refused or a zero-filled copy; a private writable one, which never maps
 * in place, is a zero-filled copy.
 */
static void past_end(const char *label, unsigned long off, int prot, int flags)
{
	unsigned long len = MAP_PAGES * page;
	struct expect e = expect(&pr, O_RDONLY, flags, prot);
	struct outcome got = { K_ERR, 0 };
	const char *detail = NULL;
	struct xt_report r;
	int fd, status, ok;
	void *p;

	if (e.o.kind != K_ERR) {
		if (flags & MAP_SHARED) {
			e = (struct expect){ .o = { K_REFUSED, 0 },
					     .why = "a shared mapping past the end is refused" };
		} else if (prot & PROT_WRITE) {
			e.why = "a copy, its space past the end cleared";
		} else {
			e = (struct expect){ .o = { K_REFUSED, 0 }, .alt = { K_COPY, 0 },
					     .has_alt = 1,
					     .why = "refused, or a copy cleared past the end" };
		}
	}
	p = open_and_map(label, O_RDONLY, off, len, prot, flags, e, &fd);
	if (p == MAP_FAILED)
		return;
	got.kind = pr.base && (unsigned long)p == pr.base + off ? K_DIRECT : K_COPY;
	ok = same(got, e.o) || (e.has_alt && same(got, e.alt));
	if (ok) {
		status = check(O_RDONLY, off, len, prot, flags, NULL,
			       (pr.flags & P_NO_READ ? 0 : CK_DATA) | CK_TAIL_ZERO, 0, &r);
		ok = status >= 0 && XWIFEXITED(status) && r.verdict == V_OK;
		if (!ok)
			detail = checker_verdict(status, r);
	}
	report(label, ok, "mmap", e, got, detail);
	munmap(p, len);
	close(fd);
}

/* What the kernel refuses for every provider, before asking it. */
static void generic(const char *label, unsigned long len, unsigned long off, int flags,
		    void *addr)
{
	struct expect e = refuse(EINVAL, "");
	struct outcome got = { K_ERR, 0 };
	int fd = open_provider(label, O_RDONLY);
	void *p;

	e.why = !len ? "length 0" : flags & MAP_FIXED ?
		"\"Supplying MAP_FIXED ... will result in an error\"" :
		"an offset that is not a multiple of the page size";
	if (fd < 0)
		return;
#ifdef __NR_mmap2
	/*
	 * Where the C library maps with mmap2 (32-bit ARM, i386), the offset
	 * goes in 4 KiB units: an unaligned offset never reaches the kernel.
	 * The C library must refuse it (glibc says EINVAL; nolibc 6.12 rounds
	 * it down and maps offset 0, docs/arm.md): nothing here to judge.
	 */
	if (off & (page - 1)) {
		ksft_test_result_skip("%s: %s: cannot be tried: mmap2 takes the offset in pages\n",
				      pr.name, label);
		close(fd);
		return;
	}
#endif
	errno = 0;
	p = mmap(addr, len, PROT_READ, flags, fd, off);
	got.err = errno;
	if (p != MAP_FAILED) {
		got.kind = K_COPY;
		munmap(p, len);
	}
	report(label, same(got, e.o), "mmap", e, got, NULL);
	close(fd);
}

/* ---- setting a provider up -------------------------------------------- */

static int write_all(int fd, unsigned long off, const void *buf, unsigned long len)
{
	if (lseek(fd, off, SEEK_SET) != (off_t)off)
		return -1;
	return write(fd, buf, len) == (long)len ? 0 : -1;
}

/* The tool's contents: the xipmap pattern, and code at page 2 + 64. */
static void fill(unsigned char *buf, unsigned long len)
{
	unsigned long i;

	for (i = 0; i < len; i++)
		buf[i] = xt_pattern(i);
#ifdef XT_HAVE_RET42
	memcpy(buf + MAP_OFF_PAGES * page + XT_RET42_OFFSET, xt_ret42, sizeof(xt_ret42));
#endif
}

static char mounted[64];
static char not_set_up[160];	/* why setup() failed */
static char provider_path[64];	/* pr.path, for a provider on MTD */
static unsigned long flash_phys;	/* where the MTD device is in memory, if known */

/* setup() failed because @what failed: say so in not_set_up; -1. */
static int setup_failed(const char *what, const char *path)
{
	xjoin(not_set_up, sizeof(not_set_up), what, " ", path, ": ", xt_errname(errno), NULL);
	return -1;
}

/* @s with its trailing newline cut. */
static char *chomp(char *s)
{
	unsigned long n = strlen(s);

	if (n && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

/* /sys/class/mtd/mtd@n/@attr, without its newline, in @buf; 0 or -1. */
static int mtd_attr(int n, const char *attr, char *buf, unsigned long size)
{
	char path[64];

	xjoin(path, sizeof(path), "/sys/class/mtd/mtd", itoa(n), "/", attr, NULL);
	if (xt_read_file(path, buf, size) <= 0)
		return -1;
	chomp(buf);
	return 0;
}

/*
 * The number of the MTD device of @type ("ram", "rom", "nor") named @name
 * (any name if NULL), found in /sys/class/mtd rather than assumed: which
 * number a device gets depends on the order the drivers probe in.  -1 if
 * there is none.
 */
static int mtd_find(const char *type, const char *name)
{
	char buf[128];
	int n;

	for (n = 0; n < 64; n++) {
		if (mtd_attr(n, "type", buf, sizeof(buf)) || strcmp(buf, type))
			continue;
		if (!name || (!mtd_attr(n, "name", buf, sizeof(buf)) && !strcmp(buf, name)))
			return n;
	}
	return -1;
}

/*
 * The physical address of MTD device @n, for a flash bank that physmap-of
 * maps from a device tree node flash@ADDR (its uevent's OF_FULLNAME); 0
 * when it does not say (mtdram, in vmalloc() memory).  On no-MMU the
 * physical address is the address.
 */
static unsigned long mtd_phys(int n)
{
	static char buf[512];
	const char *at;

	if (mtd_attr(n, "device/uevent", buf, sizeof(buf)))
		return 0;
	at = xstrstr(buf, "OF_FULLNAME=/flash@");
	return at ? strtoul(at + strlen("OF_FULLNAME=/flash@"), NULL, 16) : 0;
}

/*
 * Where the file's first page is in MTD device @dev, which holds the
 * filesystem image: the first page of the device equal to it, or -1.
 */
static long data_offset(const char *dev)
{
	unsigned char *want, *got;
	long off = -1, at;
	int fd = open(pr.path, O_RDONLY), d = open(dev, O_RDONLY);

	want = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	got = want + page;
	if (fd >= 0 && d >= 0 && want != MAP_FAILED && read_at(fd, 0, want, page) == (long)page) {
		for (at = 0; at < 256 * (long)page && off < 0; at += page) {
			if (read_at(d, at, got, page) != (long)page)
				break;
			if (!memcmp(got, want, page))
				off = at;
		}
	}
	if (want != MAP_FAILED)
		munmap(want, 2 * page);
	if (fd >= 0)
		close(fd);
	if (d >= 0)
		close(d);
	return off;
}

/* Write the image file @image into the MTD device @dev from its start; 0 or -1. */
static int write_image(const char *image, const char *dev)
{
	int in = open(image, O_RDONLY), out = open(dev, O_RDWR);
	off_t len = in < 0 ? -1 : lseek(in, 0, SEEK_END);
	unsigned char *buf = MAP_FAILED;
	int ret = -1;

	if (len > 0)
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf != MAP_FAILED && out >= 0 && read_at(in, 0, buf, len) == len &&
	    !write_all(out, 0, buf, len))
		ret = 0;
	if (buf != MAP_FAILED)
		munmap(buf, len);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

/*
 * A provider on MTD: find the device, write the image into it if the
 * profile has one, mount the filesystem read-only from it if the profile
 * names one, and say where the provider is (pr.path) and, on a flash,
 * where its data must be mapped in place (pr.base); 0 or -1.
 */
static int setup_mtd(void)
{
	char dev[24], src[24], dir[48], what[64];
	int n = mtd_find(pr.mtd_type, pr.mtd_name);
	long off = 0;

	errno = ENODEV;
	if (n < 0)
		return setup_failed("no MTD device of type", pr.mtd_type);
	xjoin(dev, sizeof(dev), "/dev/mtd", itoa(n), NULL);
	if (pr.image && write_image(pr.image, dev)) {
		xjoin(what, sizeof(what), "cannot write ", pr.image, " into", NULL);
		return setup_failed(what, dev);
	}
	flash_phys = mtd_phys(n);
	if (!pr.fstype) {
		xjoin(provider_path, sizeof(provider_path), dev, NULL);
		pr.path = provider_path;
		pr.base = flash_phys;
		return 0;
	}
	xjoin(dir, sizeof(dir), CONFORM_DIR "/", pr.name, NULL);
	if (mkdir(CONFORM_DIR, 0755) && errno != EEXIST)
		return setup_failed("cannot make", CONFORM_DIR);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return setup_failed("cannot make", dir);
	xjoin(src, sizeof(src), "mtd", itoa(n), NULL);
	if (mount(src, dir, pr.fstype, MS_RDONLY, NULL)) {
		xjoin(what, sizeof(what), "cannot mount ", pr.fstype, " from ", src, " on", NULL);
		return setup_failed(what, dir);
	}
	xjoin(mounted, sizeof(mounted), dir, NULL);
	xjoin(provider_path, sizeof(provider_path), dir, "/" XT_CONTENTS_FILE, NULL);
	pr.path = provider_path;
	if (flash_phys) {
		off = data_offset(dev);
		if (off < 0) {
			errno = ENOENT;
			return setup_failed("the file's data is not in", dev);
		}
		pr.base = flash_phys + off;
	}
	/* The runner's contents: the data and code checks hold. */
	scratch_ready = 1;
	return 0;
}

/*
 * Make the provider ready; 0, or -1 with the reason in not_set_up (and
 * whatever it did undone by teardown()).
 */
static int setup(void)
{
	unsigned long len = FILE_PAGES * page;
	unsigned char *buf;
	off_t end;
	int fd;

	scratch_ready = 0;
	mounted[0] = '\0';
	flash_phys = 0;
	if (pr.mtd_type && setup_mtd())
		return -1;
	if (pr.fstype && !pr.mtd_type) {
		char dir[64], what[48], *slash;

		xjoin(dir, sizeof(dir), pr.path, NULL);
		slash = strrchr(dir, '/');
		*slash = '\0';
		if (mkdir(CONFORM_DIR, 0755) && errno != EEXIST)
			return setup_failed("cannot make", CONFORM_DIR);
		if (mkdir(dir, 0755) && errno != EEXIST)
			return setup_failed("cannot make", dir);
		if (mount("none", dir, pr.fstype, 0, NULL))
			return setup_failed(xjoin(what, sizeof(what), "cannot mount ", pr.fstype,
						  " on", NULL), dir);
		xjoin(mounted, sizeof(mounted), dir, NULL);
	}
	if (pr.create != C_NONE) {
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			return setup_failed("no memory for the contents of", pr.path);
		fill(buf, len);
		fd = open(pr.path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || (pr.create == C_TRUNCATE && xftruncate(fd, len)) ||
		    write_all(fd, 0, buf, len)) {
			setup_failed("cannot make", pr.path);
			if (fd >= 0)
				close(fd);
			munmap(buf, len);
			return -1;	/* teardown() unlinks and unmounts */
		}
		close(fd);
		munmap(buf, len);
		size = len;
		scratch_ready = 1;
		return 0;
	}
	fd = open(pr.path, O_RDONLY);
	if (fd < 0)
		return setup_failed("cannot open", pr.path);
	if (pr.xipdev >= 0) {
		struct xipmap_info info = xt_info(fd);

		pr.base = info.base;
		size = info.size;
	} else if (pr.flags & P_NO_END) {
		size = 0;
	} else if (pr.size) {
		size = pr.size;
	} else {
		end = lseek(fd, 0, SEEK_END);
		if (end < 0) {
			setup_failed("cannot find the size of", pr.path);
			close(fd);
			return -1;
		}
		size = end;
	}
	close(fd);
	if (!(pr.flags & P_NO_END) && size < FILE_PAGES * page) {
		xjoin(not_set_up, sizeof(not_set_up), pr.path, ": ", utoa(size),
		      " bytes; a provider needs ", NULL);
		xjoin(not_set_up + strlen(not_set_up), sizeof(not_set_up) - strlen(not_set_up),
		      utoa(FILE_PAGES * page), " at least", NULL);
		return -1;
	}
	if ((pr.flags & P_SCRATCH) && size) {
		/* Its contents are the tool's: the checks of code and data need them. */
		buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			return setup_failed("no memory for the contents of", pr.path);
		fill(buf, len);
		fd = open(pr.path, O_RDWR);
		if (fd < 0 || write_all(fd, 0, buf, len) ||
		    read_at(fd, 0, file_buf, MAP_PAGES * page) <= 0) {
			setup_failed("cannot write the tool's contents into", pr.path);
			if (fd >= 0)
				close(fd);
			munmap(buf, len);
			return -1;
		}
		close(fd);
		munmap(buf, len);
		scratch_ready = 1;
	}
	return 0;
}

static void teardown(void)
{
	if (pr.create != C_NONE)
		unlink(pr.path);
	if (pr.xipdev >= 0 && xt_restore(pr.path, pr.xipdev))
		ksft_print_msg("%s: could not put %s back as it was\n", pr.name, pr.path);
	if (mounted[0] && xumount(mounted, 0))
		ksft_print_msg("%s: umount %s: %s\n", pr.name, mounted, xt_errname(errno));
}

/* Whether the kernel knows filesystem type @type; yes if it cannot tell. */
static int fs_known(const char *type)
{
	static char buf[4096];
	char want[40];

	if (xt_read_file("/proc/filesystems", buf, sizeof(buf)) <= 0)
		return 1;	/* setup() will say */
	return xt_contains(buf, xjoin(want, sizeof(want), "\t", type, "\n", NULL));
}

/*
 * Why built-in profile @p's provider is not in this kernel, in a static
 * buffer, or NULL if it is: a device node that does not exist (no MTD, no
 * xipmap.ko), or a filesystem type the kernel does not know.  Such a
 * profile is skipped, once.  A provider that is there and cannot be set
 * up fails.
 */
static const char *absent(const struct profile *p)
{
	static char why[128];
	struct stat st;
	int fd;

	if (p->fstype && !fs_known(p->fstype))
		return xjoin(why, sizeof(why), "no ", p->fstype, " in /proc/filesystems", NULL);
	if (p->mtd_type && mtd_find(p->mtd_type, p->mtd_name) < 0)
		return xjoin(why, sizeof(why), "no MTD device of type ", p->mtd_type,
			     p->mtd_name ? " named " : "", p->mtd_name ? p->mtd_name : "", NULL);
	if (p->image && stat(p->image, &st))
		return xjoin(why, sizeof(why), "no ", p->image, " (the runner's fs_images)", NULL);
	if (p->fstype || p->mtd_type)
		return NULL;
	if (p->create != C_NONE)
		return NULL;
	fd = open(p->path, O_RDONLY);
	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	if (errno != ENOENT && errno != ENXIO && errno != ENODEV)
		return NULL;
	return xjoin(why, sizeof(why), "no ", p->path, ": ", xt_errname(errno), NULL);
}

static const int accs[] = { O_RDONLY, O_WRONLY, O_RDWR };

#define NR_COMBINATIONS	(3 * 2 * 8)
#define NR_TRACED	2
#define NR_OTHER	7
#define NR_TESTS	(NR_COMBINATIONS + NR_TRACED + NR_OTHER)
#define NR_XIP		3

/* How many results profile @p gives: a filesystem on MTD and XIP add theirs. */
static unsigned int nr_tests(const struct profile *p)
{
	return NR_TESTS + (p->fstype && p->mtd_type) + (p->flags & P_XIP ? NR_XIP : 0);
}

/* One result of the claims below, counted as report() counts. */
static void claim(const char *label, const char *failed, const char *known)
{
	tried++;
	matched += !failed;
	deviated += !!failed;
	known_dev += failed && known;
	if (failed)
		ksft_print_msg("%s: %s: %s\n", pr.name, label, failed);
	if (table)
		ksft_print_msg("| %s | it holds | %s | %s |\n", cell(label),
			       failed ? cell(failed) : "it holds",
			       !failed ? "as documented" : known ? "deviates (known)" :
			       "**DEVIATES**");
	if (!failed)
		ksft_test_result_pass("%s: %s\n", pr.name, label);
	else if (known)
		ksft_test_result_xfail("%s: %s: %s\n", pr.name, label, known);
	else
		ksft_test_result_fail("%s: %s\n", pr.name, label);
}

/*
 * A file of the runner's image: read() must give what the image holds,
 * every page of it (qemu/conform-contents.c wrote the same bytes as
 * fill()).  cramfs reads the last page of a file whose size is a multiple
 * of the page size as a hole (peers.md P6).
 */
static void read_contents(void)
{
	static const char label[] = "read() gives the file's contents";
	unsigned long len = FILE_PAGES * page, i;
	unsigned char *want;
	static char buf[128];
	const char *failed = NULL, *known = NULL;
	unsigned char *shown;
	char nr[24];
	int fd;
	long n;

	want = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open(pr.path, O_RDONLY);
	if (want == MAP_FAILED || fd < 0 || len > sizeof(file_buf)) {
		failed = xjoin(buf, sizeof(buf), "cannot open it or get memory: ",
			       xt_errname(errno), NULL);
	} else {
		fill(want, len);
		n = read_at(fd, 0, file_buf, len);
		itoa_r(len, nr);
		if (n != (long)len)
			failed = xjoin(buf, sizeof(buf), "read() gave ", ltoa(n), " bytes of ",
				       nr, NULL);
		for (i = 0; !failed && i < FILE_PAGES; i++) {
			if (!memcmp(file_buf + i * page, want + i * page, page))
				continue;
			itoa_r(FILE_PAGES, nr);
			failed = xjoin(buf, sizeof(buf), "page ", utoa(i), " (from 0) of ", nr,
				       xt_byte_diff(file_buf + i * page, 0, page) < 0 ?
				       " reads as zeros" : " differs", NULL);
			if (!xt_fixed("P6") && !strcmp(pr.fstype, "cramfs") && i == FILE_PAGES - 1 &&
			    xt_contains(failed, "zeros")) {
				known = "peers.md P6: cramfs_read_folio() reads a full last page "
					"as a hole";
				/* What the flash holds there, seen in place. */
				shown = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, i * page);
				if (shown != MAP_FAILED) {
					xjoin(buf + strlen(buf), sizeof(buf) - strlen(buf),
					      memcmp(shown, want + i * page, page) ?
					      "; so does a shared mapping" :
					      "; a shared mapping of it has the data", NULL);
					munmap(shown, page);
				}
			}
		}
	}
	if (fd >= 0)
		close(fd);
	if (want != MAP_FAILED)
		munmap(want, len);
	claim(label, failed, known);
}

/*
 * What execute-in-place promises, on a filesystem on a flash: a private
 * PROT_READ|PROT_EXEC mapping of a file (how binfmt_elf_fdpic maps a
 * program's text) is the flash itself, at the physical address of the
 * file's data (no-MMU: the physical address is the address); the code in
 * it runs there; and no copy is made (/proc/meminfo's MmapCopy does not
 * grow).
 */
static void xip_claims(void)
{
	unsigned long off = MAP_OFF_PAGES * page, len = MAP_PAGES * page;
	int prot = PROT_READ | PROT_EXEC;
	static char buf[3][128];
	const char *failed[3] = { NULL, NULL, NULL };
	char want[24], got[24];
	long before, during;
	unsigned char *p;
	int fd, i;

	fd = open(pr.path, O_RDONLY);
	before = xt_meminfo("MmapCopy");
	p = fd < 0 ? MAP_FAILED : mmap(NULL, len, prot, MAP_PRIVATE, fd, off);
	during = xt_meminfo("MmapCopy");
	if (p == MAP_FAILED) {
		xjoin(buf[0], sizeof(buf[0]), "open or mmap: ", xt_errname(errno), NULL);
		for (i = 0; i < 3; i++)
			failed[i] = buf[0];
	} else {
		utoh_r(pr.base + off, want);
		utoh_r((unsigned long)p, got);
		if (!pr.base || (unsigned long)p != pr.base + off)
			failed[0] = xjoin(buf[0], sizeof(buf[0]), "mapped at 0x", got,
					  ", the file's data is at 0x", want, NULL);
#ifdef XT_HAVE_RET42
		/* Only code that is there and in the flash is run (P4, P5: a wild address). */
		if (memcmp(p + XT_RET42_OFFSET, xt_ret42, sizeof(xt_ret42)))
			failed[1] = "the code is not in the mapping";
		else if (failed[0])
			failed[1] = "not run: the mapping is not the flash";
		else if (xt_ret42_at(p)() != 42)
			failed[1] = "the code did not return 42";
#else
		failed[1] = "no code for this architecture";
#endif
		if (before < 0 || during != before) {
			itoa_r(before, want);
			itoa_r(during, got);
			failed[2] = xjoin(buf[2], sizeof(buf[2]), "MmapCopy was ", want, " kB, ",
					  got, " kB with the mapping", NULL);
		}
		munmap(p, len);
	}
	if (fd >= 0)
		close(fd);
	claim("XIP: a private PROT_READ|PROT_EXEC mapping is the flash", failed[0], NULL);
	claim("XIP: code in the file runs in place", failed[1], NULL);
	claim("XIP: no copy is made (MmapCopy)", failed[2], NULL);
}

/* Every test of the provider pr, set up: NR_TESTS results. */
static void run_tests(void)
{
	static const int traced_prot[] = { PROT_READ, PROT_READ | PROT_EXEC };
	unsigned int i, j, prot;

	for (i = 0; i < ARRAY_SIZE(accs); i++)
		for (j = 0; j < 2; j++)
			for (prot = 0; prot < 8; prot++)
				combination(accs[i], j ? MAP_SHARED : MAP_PRIVATE, prot);
	for (j = 0; j < ARRAY_SIZE(traced_prot); j++) {
		if (expect(&pr, O_RDONLY, MAP_PRIVATE, traced_prot[j]).o.kind == K_ERR)
			ksft_test_result_skip("%s: traced O_RDONLY MAP_PRIVATE %s: %s\n", pr.name,
					      prot_name[traced_prot[j]], "not mapped at all");
		else
			traced(O_RDONLY, traced_prot[j]);
	}
	if (size) {
		past_end("shared at the end", size, PROT_READ, MAP_SHARED);
		past_end("shared across the end", size - page, PROT_READ, MAP_SHARED);
		past_end("private read-only at the end", size, PROT_READ, MAP_PRIVATE);
		past_end("private writable across the end", size - page,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE);
	} else {
		for (i = 0; i < 4; i++)
			ksft_test_result_skip("%s: past the end: it has no end\n", pr.name);
	}
	generic("length 0", 0, 0, MAP_PRIVATE, NULL);
	generic("offset not page aligned", page, 1, MAP_PRIVATE, NULL);
	generic("MAP_FIXED", page, 0, MAP_PRIVATE | MAP_FIXED, (void *)(16 * page));
	if (pr.fstype && pr.mtd_type)
		read_contents();
	if (pr.flags & P_XIP)
		xip_claims();
}

static void start_profile(const struct profile *p)
{
	pr = *p;
	tried = 0;
	matched = 0;
	deviated = 0;
	known_dev = 0;
	ksft_print_msg("%s: %s%s%s%s%s (%s), capabilities %#x%s\n", pr.name,
		       pr.path ? pr.path : pr.fstype ? pr.fstype : "/dev/mtdN",
		       pr.mtd_type ? " on the MTD device of type " : "",
		       pr.mtd_type ? pr.mtd_type : "", pr.mtd_name ? " named " : "",
		       pr.mtd_name ? pr.mtd_name : "", pr.source, pr.caps,
		       pr.flags & P_NO_READ ? ", no read method" : "");
}

static void end_profile(void)
{
	teardown();
	ksft_print_msg("%s: %d tried, %d match the document, %d deviate%s%s%s\n", pr.name, tried,
		       matched, deviated, known_dev ? " (" : "",
		       known_dev ? itoa(known_dev) : "", known_dev ? " known: XFAIL)" : "");
}

/*
 * One built-in profile among all of them: one skip if its provider is
 * absent (@why), NR_TESTS failures if it cannot be set up, else its tests.
 */
static void run_builtin(const struct profile *p, const char *why)
{
	unsigned int i;

	if (why) {
		ksft_test_result_code(KSFT_SKIP, p->name, "%s", why);
		return;
	}
	start_profile(p);
	if (setup()) {
		ksft_print_msg("%s: %s: every test fails\n", pr.name, not_set_up);
		for (i = 0; i < nr_tests(p); i++)
			ksft_test_result_fail("%s: not set up\n", pr.name);
	} else {
		run_tests();
	}
	end_profile();
}

/*
 * The one profile asked for, by name or on the command line: a provider
 * that cannot be set up is one failure, whose message says why; a
 * built-in one the kernel lacks is one skip.
 */
static __noreturn void run_one(const struct profile *p, int builtin_profile)
{
	const char *why = builtin_profile ? absent(p) : NULL;

	if (why) {
		ksft_set_plan(1);
		ksft_test_result_code(KSFT_SKIP, p->name, "%s", why);
		ksft_finished();
	}
	start_profile(p);
	if (setup()) {
		teardown();
		ksft_set_plan(1);
		ksft_test_result_fail("%s: %s\n", pr.name, not_set_up);
		ksft_finished();
	}
	ksft_set_plan(nr_tests(&pr));
	run_tests();
	end_profile();
	ksft_finished();
}

/* --caps direct,copy,read,write,exec */
static int parse_caps(const char *s, unsigned int *caps)
{
	static const char *const names[] = { "copy", "direct", "read", "write", "exec" };
	unsigned int i, n;

	*caps = 0;
	while (*s) {
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			n = strlen(names[i]);
			if (!strncmp(s, names[i], n) && (s[n] == ',' || !s[n]))
				break;
		}
		if (i == ARRAY_SIZE(names))
			return -1;
		*caps |= 1U << i;
		s += n + (s[n] == ',');
	}
	return 0;
}

static void __attribute__((noreturn)) usage(void)
{
	printf("usage: xipmap-conform [--known-bugs]                 every built-in profile\n"
	       "       xipmap-conform [--known-bugs] --profile NAME  one of them (--list)\n"
	       "       xipmap-conform PATH --caps LIST [--no-read] [--create truncate|write]\n"
	       "                      [--direct-at ADDR] [--size BYTES] [--scratch] [--name NAME]\n"
	       "       xipmap-conform --mtd TYPE[:NAME] [--fs romfs|cramfs] [--image FILE] [--xip]\n"
	       "                      --caps LIST [--name NAME]\n"
	       "LIST: direct,copy,read,write,exec (the NOMMU_MAP_* the provider claims)\n"
	       "--mtd: the MTD device of /sys/class/mtd type TYPE (ram, rom, nor) [named NAME];\n"
	       "--fs: the file " XT_CONTENTS_FILE " of that filesystem on it, mounted read-only,\n"
	       "holding qemu/conform-contents.c's contents (--image: written into the device\n"
	       "first); --xip: the XIP claims hold on it\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	struct profile user = { .xipdev = -1, .source = "the command line" };
	static char mtd_arg[64];
	static char missing[ARRAY_SIZE(builtin)][128];
	const struct profile *only = NULL;
	int i, have_caps = 0, n = 0;
	unsigned int plan = 0;

	xt_scratch_dir();
	if (argc > 1 && !strcmp(argv[1], "check")) {
		int err = 0, v = checker(argc, argv, &err);

		return xt_report(v, err);
	}
	xt_self = xt_program(argv[0]);
	page = xt_page_size();
	if (xt_mmu()) {
		ksft_print_header();
		ksft_exit_skip("nommu-mmap.rst's rules (direct, copy, capabilities) are "
			       "no-MMU's; mmu_map checks the driver with an MMU\n");
	}
	/* In a guest with no shell, qemu/run.sh --conform passes the arguments. */
	xt_env_args("XIPMAP_CONFORM_ARGS", &argc, &argv);
	known_bugs = !!getenv("XIPMAP_KNOWN_BUGS");
	table = !!getenv("XIPMAP_CONFORM_TABLE");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--known-bugs")) {
			known_bugs = 1;
		} else if (!strcmp(a, "--table")) {
			table = 1;
		} else if (!strcmp(a, "--list")) {
			for (n = 0; n < (int)ARRAY_SIZE(builtin); n++)
				printf("%-18s %-22s caps %#04x  %s\n", builtin[n].name,
				       builtin[n].path ? builtin[n].path : builtin[n].mtd_type,
				       builtin[n].caps, builtin[n].source);
			return 0;
		} else if (!strcmp(a, "--profile") && v) {
			for (n = 0; n < (int)ARRAY_SIZE(builtin); n++)
				if (!strcmp(builtin[n].name, v))
					only = &builtin[n];
			if (!only)
				usage();
			i++;
		} else if (!strcmp(a, "--caps") && v) {
			if (parse_caps(v, &user.caps))
				usage();
			have_caps = 1;
			i++;
		} else if (!strcmp(a, "--no-read")) {
			user.flags |= P_NO_READ;
		} else if (!strcmp(a, "--scratch")) {
			user.flags |= P_SCRATCH;
		} else if (!strcmp(a, "--create") && v) {
			user.create = !strcmp(v, "truncate") ? C_TRUNCATE :
				      !strcmp(v, "write") ? C_WRITE : -1;
			if (user.create < 0)
				usage();
			if (user.create == C_WRITE)
				user.flags |= P_RUN_MAYBE;
			i++;
		} else if (!strcmp(a, "--direct-at") && v) {
			user.base = strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--size") && v) {
			user.size = strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--mtd") && v) {
			char *colon;

			xjoin(mtd_arg, sizeof(mtd_arg), v, NULL);
			colon = strchr(mtd_arg, ':');
			if (colon)
				*colon = '\0';
			user.mtd_type = mtd_arg;
			user.mtd_name = colon ? colon + 1 : NULL;
			i++;
		} else if (!strcmp(a, "--fs") && v) {
			user.fstype = v;
			user.flags |= P_RDONLY;
			i++;
		} else if (!strcmp(a, "--image") && v) {
			user.image = v;
			i++;
		} else if (!strcmp(a, "--xip")) {
			user.flags |= P_XIP;
		} else if (!strcmp(a, "--name") && v) {
			user.name = v;
			i++;
		} else if (a[0] != '-' && !user.path) {
			user.path = a;
		} else {
			usage();
		}
	}
	if ((user.path || user.mtd_type) && !have_caps)
		usage();
	/* A filesystem, an image or XIP is on an MTD device, named by --mtd. */
	if ((user.fstype || user.image || (user.flags & P_XIP)) && (!user.mtd_type || user.path))
		usage();

	ksft_print_header();
	if (user.path || user.mtd_type) {
		if (!user.name)
			user.name = user.path ? user.path : user.fstype ? user.fstype : "mtd";
		run_one(&user, 0);
	}
	if (only)
		run_one(only, 1);
	/* The plan counts one skip for each provider the kernel lacks. */
	for (n = 0; n < (int)ARRAY_SIZE(builtin); n++) {
		const char *why = absent(&builtin[n]);

		xjoin(missing[n], sizeof(missing[n]), why ? why : "", NULL);
		plan += why ? 1 : nr_tests(&builtin[n]);
	}
	ksft_set_plan(plan);
	for (n = 0; n < (int)ARRAY_SIZE(builtin); n++)
		run_builtin(&builtin[n], missing[n][0] ? missing[n] : NULL);
	ksft_finished();
}
