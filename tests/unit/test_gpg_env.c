/* SPDX-License-Identifier: MIT */
/*
 * test_gpg_env: a process that lets GNUPGHOME name its first private home
 * (gpg_home_by_env, as the client tools do) still verifies every
 * signature in the home of the verifier it goes through: the first home
 * through the environment, a second one through GPGME's engine
 * information, then the first again, over and over, with GPGME set up on
 * a thread (gpg_engine_prefetch) as the tools do; a child gets the
 * GNUPGHOME the process started with back (gpg_env_child), or none.
 */
#include <sys/wait.h>

#include "gpg_fixture.h"

#define ADMIN_HOME	"/nonexistent/admin-gnupg"

/* v verifies sig over fx->data: 0, or -1 with FY_E_SIGNATURE. */
static void
expect(struct fx *fx, struct gpg_verifier *v, const uint8_t *sig,
    size_t len, int want, const char *what)
{
	struct fy_err e = { 0 };
	int r;

	r = gpg_verify(v, fx->data, fx->len, &sig, &len, 1, 1, time(NULL),
	    "manifest.json", NULL, &e);
	if (r != want || (r == -1 && e.code != FY_E_SIGNATURE))
		fail_msg("%s: %d (code %d, \"%s\"), want %d", what, r,
		    (int)e.code, e.msg, want);
}

static void
test_two_homes(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *b = NULL;
	struct fy_err e = { 0 };
	const char *pin_evil[] = { fx->fpr[K_EVIL] };
	char ring[PATH_MAX + 16];
	uint8_t *good, *evil;
	size_t gn, en;
	int round;

	/* fx->v, made first (fx_setup), is the home GNUPGHOME names */
	assert_non_null(getenv("GNUPGHOME"));
	assert_string_equal(getenv("GNUPGHOME"), fx->v->home);
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	evil = fx_sign(fx, K_EVIL, NULL, NULL, &en);
	snprintf(ring, sizeof(ring), "%s/evil.gpg", fx->keys);
	assert_int_equal(gpg_verifier_new(ring, pin_evil, 1, &b, &e), 0);
	assert_string_not_equal(b->home, fx->v->home);
	/* the environment still names the first home only */
	assert_string_equal(getenv("GNUPGHOME"), fx->v->home);
	for (round = 0; round < 3; round++) {
		expect(fx, fx->v, good, gn, 0, "good key, first home");
		expect(fx, b, evil, en, 0, "evil key, its own home");
		expect(fx, fx->v, evil, en, -1, "evil key, first home");
		expect(fx, b, good, gn, -1, "good key, the evil home");
	}
	gpg_verifier_free(b);
	free(good);
	free(evil);
	FX_PASS(fx);
}

/* A child (a hook) gets the GNUPGHOME the process started with. */
static void
test_child(void **state)
{
	struct fx *fx = FX(state);
	int status, i;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		if ((pid = fork()) == 0) {
			const char *v;

			if (i == 1)	/* gpg_env_child() twice: the same */
				gpg_env_child();
			gpg_env_child();
			v = getenv("GNUPGHOME");
			_exit(v != NULL && strcmp(v, ADMIN_HOME) == 0 ? 0 : 1);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* the process itself keeps naming its home */
	assert_string_equal(getenv("GNUPGHOME"), fx->v->home);
	FX_PASS(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_homes),
		cmocka_unit_test(test_child),
	};

	/* what the administrator's environment had */
	setenv("GNUPGHOME", ADMIN_HOME, 1);
	gpg_home_by_env();
	gpg_engine_prefetch();	/* as the tools: GPGME set up on a thread */
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
