// SPDX-License-Identifier: GPL-2.0
/*
 * A kselftest that always fails, for the runner's own tests: with
 * XIPMAP_INJECT=fail, qemu/run.sh adds it to the guest's test list and the
 * run must come out red.
 */
#include "kselftest.h"

int main(void)
{
	ksft_print_header();
	ksft_set_plan(1);
	ksft_test_result_fail("a test that fails on purpose\n");
	ksft_finished();
}
