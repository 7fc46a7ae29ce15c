/* SPDX-License-Identifier: MIT */
/*
 * test_gpg: gpg_verify() verdicts on keys, digests and time
 * (../shared/RELIABILITY.md §6; signature-file kinds and thresholds: test_gpg_files.c), each refusal with
 * its fy_code, `where` and message, after the control case passes.
 * Signatures are made at test time with the keys of tests/lib/mkkeys.sh.
 */
#include "gpg_fixture.h"

#define DAY	86400
static const char *
ymd(int64_t t, char buf[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 16, "%Y-%m-%d", &tm);
	return buf;
}

static void
test_good_verifies(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_signers who;
	struct fy_err e;
	uint8_t *sig;
	size_t n;
	int64_t now = time(NULL);

	sig = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, now, &who, &e, 1,
	    sig, n, NULL, 0, NULL, 0), 0);
	assert_int_equal(e.code, FY_OK);
	assert_int_equal(who.n, 1);
	assert_string_equal(who.fpr[0], fx->fpr[K_GOOD]);
	assert_true(who.newest_sig_time > now - 120 &&
	    who.newest_sig_time < now + 120);
	free(sig);
	FX_PASS(fx);
}

static void
test_tampered_data(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_signers who = { .n = 77 };
	struct fy_err e;
	uint8_t *sig;
	size_t n;

	sig = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), 0);		/* control */
	fx->data[100] ^= 0x01;
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, time(NULL), &who,
	    &e, 1, sig, n, NULL, 0, NULL, 0), -1);
	fx->data[100] ^= 0x01;
	assert_refused(&e, FY_E_SIGNATURE, "bad signature");
	assert_string_equal(e.msg, "bad signature");
	assert_int_equal(who.n, 77);		/* output untouched */
	free(sig);
	FX_PASS(fx);
}

static void
test_unpinned_key(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	char want[128];
	uint8_t *sig;
	size_t n;

	sig = fx_sign(fx, K_EVIL, NULL, NULL, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), -1);
	snprintf(want, sizeof(want), "signed by key %s, which is not pinned",
	    fx->fpr[K_EVIL]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(sig);
	FX_PASS(fx);
}

/* In the keyring, but not in the pinned set: still refused. */
static void
test_in_keyring_not_pinned(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	const char *pins[] = { fx->fpr[K_GOOD] };
	const uint8_t *sigs[1];
	struct fy_err e = { 0 };
	char want[128], path[PATH_MAX + 16];
	uint8_t *keys;
	size_t n, kn;

	sigs[0] = fx_sign(fx, K_K3, NULL, NULL, &n);
	assert_int_equal(gpg_verifier_new(fx->pinned, pins, 1, &v, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &n, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), -1);
	snprintf(want, sizeof(want), "signed by key %s, which is not pinned",
	    fx->fpr[K_K3]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	/* Re-pinning alone does not bring it in: only the pinned keys of
	 * the keyring were imported (verify/gpg_pinned.c)... */
	memset(&e, 0, sizeof(e));
	pins[0] = fx->fpr[K_K3];
	assert_int_equal(gpg_verifier_pin(v, pins, 1, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &n, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), -1);
	snprintf(want, sizeof(want), "signed by pinned key %s, which is "
	    "missing from the keyring", fx->fpr[K_K3]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	/* ...importing it (as a key-set walk imports the new set's keys
	 * before it re-pins) makes it count. */
	snprintf(path, sizeof(path), "%s/k3.gpg", fx->dir);
	FX_GPG(fx, "--export -o %s %s", path, fx->fpr[K_K3]);
	keys = fx_read(path, &kn);
	memset(&e, 0, sizeof(e));
	assert_int_equal(gpg_verifier_import(v, keys, kn, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &n, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), 0);
	gpg_verifier_free(v);
	free(keys);
	free((void *)sigs[0]);
	FX_PASS(fx);
}

static void
test_pinned_but_missing(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	const char *pins[] = { fx->fpr[K_GOOD], fx->fpr[K_EVIL] };
	const uint8_t *sigs[1];
	struct fy_err e = { 0 };
	char want[128];
	size_t n;

	sigs[0] = fx_sign(fx, K_EVIL, NULL, NULL, &n);
	assert_int_equal(gpg_verifier_new(fx->pinned, pins, 2, &v, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &n, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), -1);
	snprintf(want, sizeof(want), "signed by pinned key %s, which is "
	    "missing from the keyring", fx->fpr[K_EVIL]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	gpg_verifier_free(v);
	free((void *)sigs[0]);
	FX_PASS(fx);
}

static void
test_expired_key(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *sig, *data;
	size_t n, dn;
	char want[160], d[16];
	int64_t now = time(NULL);

	data = fx_keyfile(fx, "sample.dat", &dn);
	sig = fx_keyfile(fx, "exp.sig", &n);
	assert_int_equal(fx_verify(fx, data, dn, 1, now, NULL, &e, 1, sig, n,
	    NULL, 0, NULL, 0), -1);
	snprintf(want, sizeof(want), "signing key %s expired on 2020-01-02 "
	    "(trusted time %s)", fx->fpr[K_EXP], ymd(now, d));
	assert_refused(&e, FY_E_SIGNATURE, want);
	assert_string_equal(e.msg, want);
	/* Trusted time inside its validity: gpg's clock still refuses. */
	assert_int_equal(fx_verify(fx, data, dn, 1, 1577880000, NULL, &e, 1,
	    sig, n, NULL, 0, NULL, 0), -1);
	assert_refused(&e, FY_E_SIGNATURE, "expired by the system clock");
	free(sig);
	free(data);
	FX_PASS(fx);
}

static void
test_revoked_key(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *sig, *data;
	size_t n, dn;
	char want[128];

	data = fx_keyfile(fx, "sample.dat", &dn);
	sig = fx_keyfile(fx, "rev.sig", &n);
	/* Even at a trusted time before the revocation. */
	assert_int_equal(fx_verify(fx, data, dn, 1, time(NULL) - 30 * DAY,
	    NULL, &e, 1, sig, n, NULL, 0, NULL, 0), -1);
	snprintf(want, sizeof(want), "signing key %s is revoked",
	    fx->fpr[K_REV]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(sig);
	free(data);
	FX_PASS(fx);
}

static void
test_subkey_of_pinned_primary(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_signers who;
	struct fy_err e;
	uint8_t *sig;
	size_t n;

	sig = fx_sign(fx, K_SUB, NULL, NULL, &n);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, time(NULL), &who,
	    &e, 1, sig, n, NULL, 0, NULL, 0), 0);
	assert_int_equal(who.n, 1);
	assert_string_equal(who.fpr[0], fx->fpr[K_SUB]);	/* primary */
	free(sig);
	FX_PASS(fx);
}

static void
test_sha1_refused(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *sig;
	size_t n;

	sig = fx_sign(fx, K_SHA1, NULL, NULL, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), 0);		/* control */
	free(sig);
	sig = fx_sign(fx, K_SHA1, "--digest-algo SHA1", NULL, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), -1);
	assert_refused(&e, FY_E_SIGNATURE, "signature uses SHA-1, which is "
	    "refused");
	free(sig);
	FX_PASS(fx);
}

static void
test_weak_rsa_refused(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	char want[128];
	uint8_t *sig;
	size_t n;

	sig = fx_sign(fx, K_WEAK, NULL, NULL, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), -1);
	snprintf(want, sizeof(want), "signing key %s is RSA with 2048 bits",
	    fx->fpr[K_WEAK]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(sig);
	FX_PASS(fx);
}

static void
test_wrong_key_usage(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *sig, *data;
	size_t n, dn;
	char want[128];

	data = fx_keyfile(fx, "sample.dat", &dn);
	sig = fx_keyfile(fx, "wku.sig", &n);
	assert_int_equal(fx_verify(fx, data, dn, 1, time(NULL), NULL, &e, 1,
	    sig, n, NULL, 0, NULL, 0), -1);
	snprintf(want, sizeof(want), "key %s is not allowed to make "
	    "signatures", fx->fpr[K_WKU]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(sig);
	free(data);
	FX_PASS(fx);
}

/* A trusted time past the key's 2-year expiry names both dates. */
static void
test_future_now_expires_good(void **state)
{
	struct fx *fx = FX(state);
	gpgme_key_t k = NULL;
	struct fy_err e;
	uint8_t *sig;
	size_t n;
	char want[200], d1[16], d2[16];
	int64_t later = time(NULL) + 3 * 366 * (int64_t)DAY;

	assert_int_equal(gpgme_get_key(fx->v->ctx, fx->fpr[K_GOOD], &k, 0), 0);
	assert_true(k->subkeys->expires > 0);
	sig = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1,
	    k->subkeys->expires - 1, NULL, &e, 1, sig, n, NULL, 0, NULL, 0), 0);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, later, NULL, &e,
	    1, sig, n, NULL, 0, NULL, 0), -1);
	snprintf(want, sizeof(want), "signing key %s expired on %s (trusted "
	    "time %s)", fx->fpr[K_GOOD], ymd(k->subkeys->expires, d1),
	    ymd(later, d2));
	assert_refused(&e, FY_E_SIGNATURE, want);
	assert_string_equal(e.msg, want);
	gpgme_key_unref(k);
	free(sig);
	FX_PASS(fx);
}

static void
test_signature_times(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *sig;
	size_t n;
	char want[160], d[16];
	int64_t now = time(NULL);

	/* A signature that expires after one day. */
	sig = fx_sign(fx, K_GOOD, "--default-sig-expire 1d", NULL, &n);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, now, NULL, &e, 1,
	    sig, n, NULL, 0, NULL, 0), 0);			/* control */
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, now + 2 * DAY,
	    NULL, &e, 1, sig, n, NULL, 0, NULL, 0), -1);
	snprintf(want, sizeof(want), "(trusted time %s)", ymd(now + 2 * DAY,
	    d));
	assert_refused(&e, FY_E_SIGNATURE, "signature expired on ");
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(sig);
	/* A signature dated before its key was made. */
	sig = fx_sign(fx, K_GOOD, "--ignore-time-conflict --faked-system-time "
	    "20200101T000000!", NULL, &n);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, now, NULL, &e, 1,
	    sig, n, NULL, 0, NULL, 0), -1);
	snprintf(want, sizeof(want), "signature made on 2020-01-01, before its "
	    "signing key %s existed", fx->fpr[K_GOOD]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(sig);
	FX_PASS(fx);
}

/*
 * A client whose clock says 1970 (../shared/RELIABILITY.md §6: without
 * ignore-time-conflict and ignore-valid-from gpg reports "Bad public key",
 * or skips the import).  gpg's clock is faked through the private home's
 * gpg.conf; keys imported under that clock and keys imported before it.
 */
static void
test_client_clock_1970(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	const char *pins[] = { fx->fpr[K_EVIL] };
	struct fy_err e = { 0 };
	char conf[PATH_MAX + 16], path[PATH_MAX + 64];
	uint8_t *keys, *sig, *sub;
	size_t n, sn, subn;
	FILE *f;

	snprintf(path, sizeof(path), "%s/evil.gpg", fx->keys);
	assert_int_equal(gpg_verifier_new(path, pins, 1, &v, &e), 0);
	snprintf(conf, sizeof(conf), "%s/gpg.conf", v->home);
	assert_non_null(f = fopen(conf, "a"));
	fprintf(f, "faked-system-time 19700102T000000\n");
	fclose(f);
	keys = fx_keyfile(fx, "pinned.gpg", &n);
	assert_int_equal(gpg_verifier_import(v, keys, n, &e), 0);
	assert_int_equal(gpg_verifier_pin(v, fx->pins, fx->npins, &e), 0);
	sig = fx_sign(fx, K_GOOD, NULL, NULL, &sn);
	sub = fx_sign(fx, K_SUB, NULL, NULL, &subn);
	assert_int_equal(gpg_verify(v, fx->data, fx->len,
	    (const uint8_t *const[]){ sig }, &sn, 1, 1, 86400, "manifest.json",
	    NULL, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len,
	    (const uint8_t *const[]){ sub }, &subn, 1, 1, 86400,
	    "manifest.json", NULL, &e), 0);
	gpg_verifier_free(v);
	/* The shared verifier imported its keys under the real clock. */
	snprintf(conf, sizeof(conf), "%s/gpg.conf", fx->v->home);
	assert_non_null(f = fopen(conf, "a"));
	fprintf(f, "faked-system-time 19700102T000000\n");
	fclose(f);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, 86400, NULL, &e,
	    1, sub, subn, NULL, 0, NULL, 0), 0);
	free(keys);
	free(sig);
	free(sub);
	FX_PASS(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_verifies),
		cmocka_unit_test(test_tampered_data),
		cmocka_unit_test(test_unpinned_key),
		cmocka_unit_test(test_in_keyring_not_pinned),
		cmocka_unit_test(test_pinned_but_missing),
		cmocka_unit_test(test_expired_key),
		cmocka_unit_test(test_revoked_key),
		cmocka_unit_test(test_subkey_of_pinned_primary),
		cmocka_unit_test(test_sha1_refused),
		cmocka_unit_test(test_weak_rsa_refused),
		cmocka_unit_test(test_wrong_key_usage),
		cmocka_unit_test(test_future_now_expires_good),
		cmocka_unit_test(test_signature_times),
		cmocka_unit_test(test_client_clock_1970),	/* keep last */
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
