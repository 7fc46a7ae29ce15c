/* SPDX-License-Identifier: MIT */
/*
 * test_gpg_sign: gpg_sign(), gpg_export(), gpg_fpr_normalise(), and the
 * verifier's life cycle (configuration refusals, private home removed).
 */
#include <ctype.h>

#include "gpg_fixture.h"

static void
test_fpr_normalise(void **state)
{
	char ok[] = "aa2fd696a1ecd34c2b87c2e4fceeed228ddeff24";
	char ok64[65], shortid[] = "2B87C2E4FCEEED22";
	char bad[] = "AA2FD696A1ECD34C2B87C2E4FCEEED228DDEFF2G";

	(void)state;
	assert_int_equal(gpg_fpr_normalise(ok), 1);
	assert_string_equal(ok, "AA2FD696A1ECD34C2B87C2E4FCEEED228DDEFF24");
	memset(ok64, 'b', 64);
	ok64[64] = '\0';
	assert_int_equal(gpg_fpr_normalise(ok64), 1);
	assert_int_equal(ok64[0], 'B');
	assert_int_equal(gpg_fpr_normalise(shortid), 0);
	assert_int_equal(gpg_fpr_normalise(bad), 0);
	assert_int_equal(bad[0], 'A');		/* untouched */
	assert_int_equal(gpg_fpr_normalise(NULL), 0);
}

static void
test_sign_then_verify(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_signers who;
	struct fy_err e = { 0 };
	uint8_t *sig = NULL;
	size_t n = 0;
	char lower[GPG_FPR_MAX];
	size_t i;

	/* Lower case is accepted. */
	for (i = 0; fx->fpr[K_GOOD][i]; i++)
		lower[i] = (char)tolower((unsigned char)fx->fpr[K_GOOD][i]);
	lower[i] = '\0';
	assert_int_equal(gpg_sign(fx->home, lower, fx->data, fx->len, &sig,
	    &n, &e), 0);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, time(NULL), &who,
	    &e, 1, sig, n, NULL, 0, NULL, 0), 0);
	assert_string_equal(who.fpr[0], fx->fpr[K_GOOD]);
	free(sig);
	sig = NULL;
	/* A certification-only primary signs through its subkey. */
	assert_int_equal(gpg_sign(fx->home, fx->fpr[K_SUB], fx->data, fx->len,
	    &sig, &n, &e), 0);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, time(NULL), &who,
	    &e, 1, sig, n, NULL, 0, NULL, 0), 0);
	assert_string_equal(who.fpr[0], fx->fpr[K_SUB]);
	free(sig);
	sig = NULL;
	/* RSA gets SHA-256 or better too (the key is refused later). */
	assert_int_equal(gpg_sign(fx->home, fx->fpr[K_WEAK], fx->data, fx->len,
	    &sig, &n, &e), 0);
	free(sig);
	FX_PASS(fx);
}

static void
test_sign_refusals(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e = { 0 };
	uint8_t *sig = NULL;
	size_t n = 0;

	assert_int_equal(gpg_sign(fx->home, "8DDEFF24", fx->data, fx->len,
	    &sig, &n, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	assert_null(sig);
	memset(&e, 0, sizeof(e));
	assert_int_equal(gpg_sign(fx->home,
	    "0000000000000000000000000000000000000000", fx->data, fx->len,
	    &sig, &n, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	assert_non_null(strstr(e.msg, "no secret key"));
	assert_null(sig);
	/* Revoked key: gpg refuses to sign. */
	memset(&e, 0, sizeof(e));
	assert_int_equal(gpg_sign(fx->home, fx->fpr[K_REV], fx->data, fx->len,
	    &sig, &n, &e), -1);
	assert_null(sig);
	FX_PASS(fx);
}

static void
test_export_then_verify(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	const char *want[] = { fx->fpr[K_GOOD] };
	const uint8_t *sigs[1];
	struct fy_err e = { 0 };
	char path[PATH_MAX + 16], msg[128];
	uint8_t *keys = NULL, *sig;
	size_t n = 0, sn;

	assert_int_equal(gpg_export(fx->home, want, 1, &keys, &n, &e), 0);
	assert_true(n > 0 && (keys[0] & 0x80));		/* binary */
	snprintf(path, sizeof(path), "%s/good.gpg", fx->dir);
	fx_write(path, keys, n);
	free(keys);
	assert_int_equal(gpg_verifier_new(path, want, 1, &v, &e), 0);
	sigs[0] = sig = fx_sign(fx, K_GOOD, NULL, NULL, &sn);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &sn, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), 0);
	free(sig);
	sigs[0] = sig = fx_sign(fx, K_K2, NULL, NULL, &sn);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &sn, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), -1);
	snprintf(msg, sizeof(msg), "signed by key %s, which is not pinned",
	    fx->fpr[K_K2]);
	assert_string_equal(e.msg, msg);
	/* Importing k2 (as from a verified key set) and pinning it. */
	memset(&e, 0, sizeof(e));
	want[0] = fx->fpr[K_K2];
	assert_int_equal(gpg_export(fx->home, want, 1, &keys, &n, &e), 0);
	assert_int_equal(gpg_verifier_import(v, keys, n, &e), 0);
	assert_int_equal(gpg_verifier_pin(v, want, 1, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &sn, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), 0);
	free(keys);
	free(sig);
	gpg_verifier_free(v);
	/* Unknown key: refused, output untouched. */
	keys = NULL;
	want[0] = "0000000000000000000000000000000000000000";
	assert_int_equal(gpg_export(fx->home, want, 1, &keys, &n, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	assert_null(keys);
	FX_PASS(fx);
}

static void
test_verifier_config_refusals(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	const char *bad[] = { "2B87C2E4FCEEED22" };
	struct fy_err e = { 0 };
	char path[PATH_MAX + 16];

	assert_int_equal(gpg_verifier_new(fx->pinned, fx->pins, 0, &v, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	assert_null(v);
	memset(&e, 0, sizeof(e));
	assert_int_equal(gpg_verifier_new(fx->pinned, bad, 1, &v, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	assert_non_null(strstr(e.msg, "not a full"));
	memset(&e, 0, sizeof(e));
	snprintf(path, sizeof(path), "%s/nonexistent.gpg", fx->dir);
	assert_int_equal(gpg_verifier_new(path, fx->pins, 1, &v, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	memset(&e, 0, sizeof(e));
	snprintf(path, sizeof(path), "%s/data", fx->dir);
	assert_int_equal(gpg_verifier_new(path, fx->pins, 1, &v, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	assert_string_equal(e.where, path);
	assert_non_null(strstr(e.msg, "no OpenPGP public key"));
	/* A keyring with a secret key in it. */
	memset(&e, 0, sizeof(e));
	snprintf(path, sizeof(path), "%s/secret.gpg", fx->dir);
	FX_GPG(fx, "--export-secret-keys %s > %s", fx->fpr[K_K3], path);
	assert_int_equal(gpg_verifier_new(path, fx->pins, 1, &v, &e), -1);
	assert_int_equal(e.code, FY_E_CONFIG);
	if (strstr(e.msg, "secret") == NULL)
		fail_msg("%s", e.msg);
	assert_null(v);
	FX_PASS(fx);
}

static void
test_home_private_and_removed(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	struct fy_err e = { 0 };
	struct stat st;
	char home[PATH_MAX], conf[PATH_MAX + 16];
	uint8_t *sig, *c;
	const uint8_t *sigs[1];
	size_t n, cn;

	setenv("TMPDIR", fx->dir, 1);
	assert_int_equal(gpg_verifier_new(fx->pinned, fx->pins, fx->npins, &v,
	    &e), 0);
	unsetenv("TMPDIR");
	snprintf(home, sizeof(home), "%s", v->home);
	assert_int_equal(strncmp(home, fx->dir, strlen(fx->dir)), 0);
	assert_int_equal(stat(home, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(conf, sizeof(conf), "%s/gpg.conf", home);
	c = fx_read(conf, &cn);
	c[cn] = '\0';
	assert_non_null(strstr((char *)c, "no-auto-key-retrieve\n"));
	assert_non_null(strstr((char *)c, "ignore-time-conflict\n"));
	free(c);
	sigs[0] = sig = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &n, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), 0);
	free(sig);
	gpg_verifier_free(v);
	assert_int_equal(stat(home, &st), -1);
	gpg_verifier_free(NULL);
	FX_PASS(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fpr_normalise),
		cmocka_unit_test(test_sign_then_verify),
		cmocka_unit_test(test_sign_refusals),
		cmocka_unit_test(test_export_then_verify),
		cmocka_unit_test(test_verifier_config_refusals),
		cmocka_unit_test(test_home_private_and_removed),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
