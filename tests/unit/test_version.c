/* SPDX-License-Identifier: MIT */
/*
 * test_version: validity grammar and the ordering of formats/version.c,
 * including the vendor examples of formats/version.h and a brute-force
 * check that the order is antisymmetric and transitive over a list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "formats/version.h"

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

/* a < b, and the reverse comparison agrees. */
static void
lt(const char *a, const char *b)
{
	if (version_cmp(a, b) >= 0 || version_cmp(b, a) <= 0)
		fail_msg("expected %s < %s (cmp %d, reverse %d)", a, b,
		    version_cmp(a, b), version_cmp(b, a));
}

static void
eq(const char *a, const char *b)
{
	if (version_cmp(a, b) != 0 || version_cmp(b, a) != 0)
		fail_msg("expected %s == %s", a, b);
}

static void
test_vendor_examples(void **state)
{
	(void)state;
	lt("27456", "27457");
	lt("27456", "100000");
	lt("9", "27456");
	lt("15.697.00", "15.697.80");
	lt("15.697.80", "15.698.00");
	lt("5.80.0.1297", "5.80.0.1300");
	lt("5.80.0.999", "5.80.0.1297");
	lt("2026.11.23-2", "2026.11.23-10");
	lt("2026.11.23-10", "2026.11.24-1");
	lt("2026.11.23", "2026.11.23-1");
	eq("27456", "27456");
	eq("5.80.0.1297", "5.80.0.1297");
}

static void
test_prerelease(void **state)
{
	(void)state;
	lt("1.0~rc1", "1.0");
	lt("1.0~rc1", "1.0~rc2");
	lt("1.0~beta", "1.0~rc1");
	lt("1.0~~", "1.0~");
	lt("1.0~", "1.0");
	lt("1.0~rc1", "1.0.0");
	lt("0.9", "1.0~rc1");
	lt("1~", "1");
}

static void
test_leading_zeros_and_length(void **state)
{
	(void)state;
	eq("1.01", "1.1");
	eq("007", "7");
	eq("1.000", "1.0");
	lt("1.09", "1.10");
	lt("1.0", "1.0.1");
	lt("1.0", "1.0.0");
	/* Digit runs longer than any integer type still compare. */
	lt("99999999999999999999999999999998",
	    "99999999999999999999999999999999");
	lt("18446744073709551615", "18446744073709551616");
	eq("0000000000000000000000000000000000001", "1");
}

static void
test_letters(void **state)
{
	(void)state;
	lt("1.0", "1.0a");
	lt("1.0a", "1.0b");
	lt("1.0a", "1.0.1");		/* digits after letters (rpm) */
	lt("1.0a", "1.0aa");
	lt("1.0B", "1.0a");		/* byte value: upper case first */
	lt("a", "b");
	lt("alpha", "beta");
	lt("r2", "r10");
	lt("v1", "1");
	eq("1.0a", "1.0-a");		/* separators only split runs */
	eq("1.0", "1-0");
	eq("1_0+0", "1.0.0");
}

static void
test_valid(void **state)
{
	char buf[80];

	(void)state;
	assert_true(version_valid("27456"));
	assert_true(version_valid("15.697.80"));
	assert_true(version_valid("2026.11.23-10"));
	assert_true(version_valid("1.0~rc1"));
	assert_true(version_valid("a+b_c.d-e~f"));
	assert_true(version_valid("V1"));
	memset(buf, '1', 64);
	buf[64] = '\0';
	assert_true(version_valid(buf));		/* 64 bytes is fine */
	buf[64] = '1';
	buf[65] = '\0';
	assert_false(version_valid(buf));		/* 65 is not */

	assert_false(version_valid(NULL));
	assert_false(version_valid(""));
	assert_false(version_valid(" 1.0"));
	assert_false(version_valid("1.0 "));
	assert_false(version_valid("1 0"));
	assert_false(version_valid("1.0/2"));
	assert_false(version_valid("../1"));
	assert_false(version_valid(".1"));
	assert_false(version_valid("-1"));
	assert_false(version_valid("~1"));
	assert_false(version_valid("_1"));
	assert_false(version_valid("1.0\n"));
	assert_false(version_valid("1.0\t"));
	assert_false(version_valid("1.0\\2"));
	assert_false(version_valid("1:2"));
	assert_false(version_valid("caf\xc3\xa9"));	/* non-ASCII */
	assert_false(version_valid("\xc3\xa9"));
	assert_false(version_valid("1.0\x7f"));
}

static const char *const chain[] = {	/* strictly ascending, keep sorted */
	"A", "B", "a", "a1", "b", "0~", "0", "0a", "0.1", "1~~", "1~", "1~a",
	"1~rc1", "1", "1.0~rc1",
	"1.0", "1.0a", "1.0b", "1.0.0~1", "1.0.0", "1.0.1", "1.1",
	"1.9", "1.10", "1.10a", "1.10.1", "2", "5.80.0.1297", "5.80.0.1300",
	"15.697.00", "15.697.80", "2026.11.23", "2026.11.23-2",
	"2026.11.23-10", "27456", "27457",
};

static const char *const equals[][2] = {
	{ "1.01", "1.1" }, { "007", "7" }, { "1.0", "1-0" }, { "1a", "1.a" },
	{ "2026.11.23-2", "2026.11.23.02" },
};

static void
test_chain_is_ascending(void **state)
{
	size_t n = sizeof(chain) / sizeof(chain[0]), i, j;

	(void)state;
	for (i = 0; i < n; i++) {
		assert_true(version_valid(chain[i]));
		for (j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j ? 1 : 0;

			if (sign(version_cmp(chain[i], chain[j])) != want)
				fail_msg("cmp(%s, %s) = %d, want %d", chain[i],
				    chain[j], version_cmp(chain[i], chain[j]),
				    want);
		}
	}
}

/* Antisymmetry and transitivity over every pair and triple of a list
 * mixing the chain, the equal pairs and odd but valid strings. */
static void
test_order_properties(void **state)
{
	const char *v[128];
	size_t n = 0, i, j, k;
	static const char *const odd[] = {
		"1..0", "1.0.", "1__2", "1+~", "1~.", "0000", "a.b.c", "Z9z9",
		"1.0~rc1~1", "9999999999999999999999", "1-~-1", "x~",
	};

	(void)state;
	for (i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
		v[n++] = chain[i];
	for (i = 0; i < sizeof(equals) / sizeof(equals[0]); i++) {
		v[n++] = equals[i][0];
		v[n++] = equals[i][1];
		eq(equals[i][0], equals[i][1]);
	}
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		assert_true(version_valid(odd[i]));
		v[n++] = odd[i];
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(version_cmp(v[i], v[i]), 0);
		for (j = 0; j < n; j++) {
			int ab = sign(version_cmp(v[i], v[j]));

			if (ab != -sign(version_cmp(v[j], v[i])))
				fail_msg("not antisymmetric: %s %s", v[i],
				    v[j]);
			for (k = 0; k < n; k++) {
				int bc = sign(version_cmp(v[j], v[k]));
				int ac = sign(version_cmp(v[i], v[k]));

				if (ab <= 0 && bc <= 0 && ac > 0)
					fail_msg("not transitive: %s <= %s <= "
					    "%s but %s > %s", v[i], v[j], v[k],
					    v[i], v[k]);
				if (ab == 0 && bc == 0 && ac != 0)
					fail_msg("equality not transitive: "
					    "%s %s %s", v[i], v[j], v[k]);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_examples),
		cmocka_unit_test(test_prerelease),
		cmocka_unit_test(test_leading_zeros_and_length),
		cmocka_unit_test(test_letters),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_chain_is_ascending),
		cmocka_unit_test(test_order_properties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
