/* SPDX-License-Identifier: MIT */
/*
 * test_delta_large: the encoder's choices on a large pair (old + new above
 * delta_opts.large_above, 64 MiB outside tests), where its methods run one
 * at a time: the level method 2 runs at after method 3-6 (issue 17 sec. 3),
 * read from struct delta_trace.  Timing is never asserted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/delta.h"
#include "delta_fixture.h"

/* Issue 17 sec. 3 (Bun 1.4.x -> 1.4.3): a large pair of binary files that
 * has run method 3-6 runs method 2 at level 12 at most (PATCH_AFTER_BSD),
 * not at the level asked for; a small pair, a text pair, a large pair
 * that skipped method 3-6 and a level below 12 keep the level.  Each
 * blob decodes to new. */
static void
test_large_patch_level(void **state)
{
	size_t n = 2 << 20, i, l = 0;
	uint8_t *a = malloc(n), *b = malloc(n), *p = NULL, *ta, *tb;
	struct delta_trace tr = { 0 };
	const uint64_t large = (uint64_t)1 << 20;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	fill_exe(a, n, 11);
	memcpy(b, a, n);
	for (i = 500; i < n; i += 997)
		b[i] ^= 0x40;
	/* large, binary, method 3-6 tried: level 12 */
	large_enc(a, n, b, n, 13, 4, large, &tr, &p, &l);
	assert_int_equal(tr.bsd, 1);
	assert_int_not_equal(tr.patch, 0);
	assert_int_equal(tr.patch_level, 12);
	assert_true(p[0] >= DELTA_M_BSD2);
	free(p);
	/* the same pair, small: method 2 at the level asked for */
	large_enc(a, n, b, n, 13, 4, 0, &tr, &p, &l);
	assert_int_equal(tr.bsd, 1);
	assert_int_equal(tr.patch_level, 13);
	free(p);
	/* large, level 5: unchanged */
	large_enc(a, n, b, n, 5, 4, large, &tr, &p, &l);
	assert_int_equal(tr.bsd, 1);
	assert_int_equal(tr.patch_level, 5);
	free(p);
	/* large, method 3-6 skipped (15% of old, then new bytes) */
	memcpy(b, a + n / 2, n / 100 * 15);
	fill_exe(b + n / 100 * 15, n - n / 100 * 15, 99);
	large_enc(a, n, b, n, 13, 4, large, &tr, &p, &l);
	assert_int_equal(tr.bsd, 2);
	assert_int_equal(tr.patch_level, 13);
	free(p);
	/* large, text (no NUL), method 3-6 tried (format 4): level 13 */
	ta = text_buf(n);
	tb = malloc(n);
	assert_non_null(tb);
	memcpy(tb, ta, n);
	for (i = 500; i < n; i += 997)
		tb[i] = (uint8_t)'#';
	large_enc(ta, n, tb, n, 13, 4, large, &tr, &p, &l);
	assert_int_equal(tr.bsd, 1);
	assert_int_equal(tr.patch_level, 13);
	free(p);
	free(ta);
	free(tb);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_patch_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
