/* SPDX-License-Identifier: MIT */
/*
 * test_jitter: applymedia --jitter (applymedia/jitter.c): the argument's
 * range, and that the delay covers 0..max evenly and never leaves it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "applymedia/jitter.h"

static void
test_parse(void **unused)
{
	static const char *bad[] = { "", "-1", "+5", " 5", "5s", "86401",
	    "99999999999999999999", "0x10", "soon" };
	struct fy_err e = { 0 };
	unsigned v = 7;
	size_t i;

	(void)unused;
	assert_int_equal(jitter_parse("0", &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(jitter_parse("1800", &v, &e), 0);
	assert_int_equal(v, 1800);
	assert_int_equal(jitter_parse("86400", &v, &e), 0);
	assert_int_equal(v, 86400);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		v = 7;
		assert_int_equal(jitter_parse(bad[i], &v, &e), -1);
		assert_int_equal(e.code, FY_E_USAGE);
		assert_int_equal(v, 7);
		assert_non_null(strstr(e.msg, "--jitter takes a whole number "
		    "from 0 to 86400, not \""));
	}
}

static void
test_pick_range(void **unused)
{
	struct fy_err e = { 0 };
	unsigned counts[5] = { 0 }, d, i;

	(void)unused;
	for (i = 0; i < 100; i++) {
		assert_int_equal(jitter_pick(0, &d, &e), 0);
		assert_int_equal(d, 0);
	}
	/* 5000 draws of 0..4: each value about 1000 times. */
	for (i = 0; i < 5000; i++) {
		assert_int_equal(jitter_pick(4, &d, &e), 0);
		assert_true(d <= 4);
		counts[d]++;
	}
	for (i = 0; i < 5; i++)
		if (counts[i] < 800 || counts[i] > 1200)
			fail_msg("value %u drawn %u times of 5000", i, counts[i]);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(jitter_pick(JITTER_MAX, &d, &e), 0);
		assert_true(d <= JITTER_MAX);
	}
}

static void
test_wait_zero_and_test_mode(void **unused)
{
	struct fy_err e = { 0 };

	(void)unused;
	assert_int_equal(jitter_wait(0, &e), 0);	/* returns at once */
#ifdef FERRY_TEST_HOOKS		/* release builds ignore the variable */
	setenv("FERRY_TEST_NO_SLEEP", "1", 1);
	assert_int_equal(jitter_wait(JITTER_MAX, &e), 0);	/* no sleep */
	unsetenv("FERRY_TEST_NO_SLEEP");
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_pick_range),
		cmocka_unit_test(test_wait_zero_and_test_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
