/* SPDX-License-Identifier: MIT */
/*
 * test_state: the anti-replay record (applymedia/state.c state_accept).
 * When building the record fails (here: one allocation refused through
 * jansson's allocator hook), state_accept fails and state.json keeps the
 * old serial; it used to return success with nothing recorded, so the
 * same medium could be replayed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "applymedia/state.h"

static long fail_at;		/* refuse the n-th allocation from now; 0 off */

static void *
failing_malloc(size_t n)
{
	if (fail_at > 0 && --fail_at == 0)
		return NULL;
	return malloc(n);
}

static void
test_accept_record_fails(void **unused)
{
	char dir[] = "/tmp/ferry-test-state.XXXXXX";
	uint8_t sha[DIGEST_LEN] = { 1 }, got[DIGEST_LEN];
	int have;
	struct cfg c;
	struct state *s = NULL;
	struct fy_err e = { 0 };
	long k;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	memset(&c, 0, sizeof(c));
	snprintf(c.state_dir, sizeof(c.state_dir), "%s/state", dir);
	assert_int_equal(state_open(&c, 0, &s, &e), 0);
	assert_int_equal(state_accept(s, "example-av", 1, "example-av-stable-1",
	    sha, 1000, &e), 0);
	assert_int_equal(state_serial(s, "example-av", got, &have), 1);
	/* Each allocation of recording serial 2 in turn: a refusal either
	 * fails state_accept or is absorbed, never a silent loss. */
	for (k = 1; k < 40; k++) {
		int rc;

		memset(&e, 0, sizeof(e));
		json_set_alloc_funcs(failing_malloc, free);
		fail_at = k;
		rc = state_accept(s, "example-av", 2, "example-av-stable-2", sha,
		    2000, &e);
		fail_at = 0;
		json_set_alloc_funcs(malloc, free);
		if (rc == 0)
			assert_int_equal(state_serial(s, "example-av", got,
			    &have), 2);
		else {
			assert_int_equal(e.code, FY_E_INTERNAL);
			state_close(s);	/* reload from disk: still serial 1 */
			s = NULL;
			memset(&e, 0, sizeof(e));
			if (state_open(&c, 0, &s, &e) == -1)
				fail_msg("k=%ld rc=%d reopen: %s: %s", k, rc, e.where, e.msg);
			assert_int_equal(state_serial(s, "example-av", got,
			    &have), 1);
		}
	}
	state_close(s);
	snprintf(c.state_dir, sizeof(c.state_dir), "rm -rf '%s'", dir);
	assert_int_equal(system(c.state_dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_record_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
