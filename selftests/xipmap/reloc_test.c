// SPDX-License-Identifier: GPL-2.0
/*
 * The start code (lib/start.c) applies the program's own relocations before
 * main().  Check the result: pointers the linker stored in data must point
 * where the program actually is.  Without relocation each of them would
 * still hold its link-time value and every comparison below would fail.
 */
#include "xipmap_test.h"

#pragma GCC visibility push(hidden)
extern const char __ehdr_start[];
#pragma GCC visibility pop

static const char alpha[] = "alpha";
static const char beta[] = "beta";

static int add_one(int x) { return x + 1; }
static int twice(int x) { return 2 * x; }

/* Writable, so the compiler cannot fold the loads below into constants. */
static const char *names[] = { alpha, beta };
static int (*ops[])(int) = { add_one, twice };
static struct { const char *name; int (*op)(int); } record = { beta, twice };
static int constructor_ran;

static void __attribute__((constructor)) mark_constructor(void)
{
	constructor_ran = 1;
}

/* Read a pointer the way a program would, but keep the compiler out of it. */
#define LOAD(p)	(*(__typeof__(p) volatile *)&(p))

static int loaded_away_from_link_address(void)
{
	const char *ehdr = __ehdr_start;
	int ok = XT_PASS;

	/*
	 * Linked at 0: with no displacement, relocation would prove nothing.
	 * The empty asm hides the address from the compiler, which would
	 * otherwise fold the comparison to "true".
	 */
	__asm__("" : "+r"(ehdr));
	XT_EXPECT(ehdr != NULL, "the program runs at its link address 0\n");
	ksft_print_msg("load bias %p\n", ehdr);
	return ok;
}

static int string_table_points_at_strings(void)
{
	int ok = XT_PASS;

	XT_EXPECT(LOAD(names[0]) == alpha, "names[0] = %p, alpha is at %p\n",
		  LOAD(names[0]), alpha);
	XT_EXPECT(LOAD(names[1]) == beta, "names[1] = %p, beta is at %p\n",
		  LOAD(names[1]), beta);
	return ok;
}

static int function_table_calls_functions(void)
{
	int ok = XT_PASS;

	XT_EXPECT(LOAD(ops[0]) == add_one && LOAD(ops[1]) == twice,
		  "ops = {%p, %p}, functions at {%p, %p}\n",
		  LOAD(ops[0]), LOAD(ops[1]), add_one, twice);
	if (ok)
		XT_EXPECT(LOAD(ops[0])(20) == 21 && LOAD(ops[1])(20) == 40,
			  "calls through the table returned the wrong values\n");
	return ok;
}

static int struct_members_point_into_program(void)
{
	int ok = XT_PASS;

	XT_EXPECT(LOAD(record.name) == beta && LOAD(record.op) == twice,
		  "record = {%p, %p}, expected {%p, %p}\n",
		  LOAD(record.name), LOAD(record.op), beta, twice);
	return ok;
}

static int constructors_ran_before_main(void)
{
	int ok = XT_PASS;

	XT_EXPECT(LOAD(constructor_ran), "the init_array constructor did not run\n");
	return ok;
}

static const struct xt_test tests[] = {
	XT_TEST(loaded_away_from_link_address),
	XT_TEST(string_table_points_at_strings),
	XT_TEST(function_table_calls_functions),
	XT_TEST(struct_members_point_into_program),
	XT_TEST(constructors_ran_before_main),
};

int main(void)
{
	xt_run(tests, ARRAY_SIZE(tests), NULL);
}
