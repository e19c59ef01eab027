// SPDX-License-Identifier: GPL-2.0
/*
 * A fault injector for the runner's own tests, never part of xipmap.ko:
 * loaded with warn=1 it prints a kernel WARNING, which qemu/run.sh must
 * turn into a failed run.
 */
#include <linux/bug.h>
#include <linux/module.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN at load");

static int __init xipmap_inject_init(void)
{
	WARN(warn, "xipmap_inject: warning on purpose\n");
	return 0;
}
module_init(xipmap_inject_init);

static void __exit xipmap_inject_exit(void)
{
}
module_exit(xipmap_inject_exit);

MODULE_DESCRIPTION("xipmap runner self-test: a module that WARNs on request");
MODULE_LICENSE("GPL");
