// SPDX-License-Identifier: GPL-2.0
/*
 * A fault injector for the runner's own tests, never part of xipmap.ko:
 * loaded with report=<kind> it makes the kernel print that kind of report,
 * so that real console logs of each kind can be captured for the judge's
 * fixtures (qemu/judge-fixtures/) and a live run can be shown to fail.
 *
 *   report=warn   a WARNING
 *   report=bug    a BUG() (kernel BUG at ...), which kills the loading task
 *   report=oops   a NULL pointer dereference, which kills the loading task
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/string.h>

static char *report = "";
module_param(report, charp, 0444);
MODULE_PARM_DESC(report, "the report to provoke at load: warn, bug or oops");

static int __init xipmap_inject_init(void)
{
	if (!strcmp(report, "warn")) {
		WARN(1, "xipmap_inject: warning on purpose\n");
	} else if (!strcmp(report, "bug")) {
		BUG();
	} else if (!strcmp(report, "oops")) {
		/* volatile: the compiler may not prove the store away. */
		*(int *volatile)NULL = 1;
	} else if (*report) {
		pr_err("report=%s: must be warn, bug or oops\n", report);
		return -EINVAL;
	}
	return 0;
}
module_init(xipmap_inject_init);

static void __exit xipmap_inject_exit(void)
{
}
module_exit(xipmap_inject_exit);

MODULE_DESCRIPTION("xipmap runner self-test: a module that provokes kernel reports");
MODULE_LICENSE("GPL");
