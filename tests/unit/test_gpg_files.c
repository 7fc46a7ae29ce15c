/* SPDX-License-Identifier: MIT */
/*
 * test_gpg_files: gpg_verify() on the wrong kinds of signature file
 * (clearsigned, inline-signed, armored, text mode, trailing bytes, size
 * limits) and on several files (thresholds, a key counted once, a bad
 * signature that must not hide a good one).  Control cases pass first.
 */
#include "gpg_fixture.h"

/* Wrong kinds of signature file, all stopped by sigframe. */
static void
check_kind(struct fx *fx, const char *opts, const char *substr)
{
	struct fy_err e;
	uint8_t *sig;
	size_t n;

	sig = fx_sign(fx, K_GOOD, opts, NULL, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), -1);
	assert_refused(&e, FY_E_SIGNATURE, "not a binary detached signature");
	assert_refused(&e, FY_E_SIGNATURE, substr);
	free(sig);
}

static void
test_clearsigned_as_sig(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	char p[PATH_MAX + 16];
	uint8_t *sig;
	size_t n;

	/* fx_sign adds --detach-sign; --clearsign wins as the last command */
	snprintf(p, sizeof(p), "%s/clear.asc", fx->dir);
	FX_GPG(fx, "-u %s! --clearsign -o %s %s/data", fx->fpr[K_GOOD], p,
	    fx->dir);
	sig = fx_read(p, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), -1);
	assert_refused(&e, FY_E_SIGNATURE, "not a binary detached signature: "
	    "cleartext-signed message");
	free(sig);
	FX_PASS(fx);
}

static void
test_inline_signed_as_sig(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	char p[PATH_MAX + 16];
	uint8_t *sig;
	size_t n;

	snprintf(p, sizeof(p), "%s/inline.gpg", fx->dir);
	FX_GPG(fx, "-u %s! --sign -o %s %s/data", fx->fpr[K_GOOD], p, fx->dir);
	sig = fx_read(p, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), -1);
	assert_refused(&e, FY_E_SIGNATURE, "not a binary detached signature: "
	    "packet 1 has tag 8 (compressed data)");
	free(sig);
	snprintf(p, sizeof(p), "%s/inline0.gpg", fx->dir);
	FX_GPG(fx, "-u %s! -z 0 --sign -o %s %s/data", fx->fpr[K_GOOD], p,
	    fx->dir);
	sig = fx_read(p, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), -1);
	assert_refused(&e, FY_E_SIGNATURE, "packet 1 has tag 4 (one-pass");
	free(sig);
	FX_PASS(fx);
}

static void
test_armored_and_text_sigs(void **state)
{
	struct fx *fx = FX(state);

	check_kind(fx, "--armor", "ascii armor is refused");
	check_kind(fx, "--textmode", "signature type 0x01");
	FX_PASS(fx);
}

static void
test_trailing_byte(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *sig;
	size_t n;

	sig = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	assert_int_equal(VERIFY1(fx, &e, sig, n), 0);		/* control */
	sig = realloc(sig, n + 1);
	sig[n] = 0x0a;
	assert_int_equal(VERIFY1(fx, &e, sig, n + 1), -1);
	assert_refused(&e, FY_E_SIGNATURE, "not a binary detached signature: "
	    "packet 2 does not start with an OpenPGP packet header");
	sig[n] = 0x88;			/* old-format signature header */
	assert_int_equal(VERIFY1(fx, &e, sig, n + 1), -1);
	assert_refused(&e, FY_E_SIGNATURE, "packet 2 header is truncated");
	free(sig);
	FX_PASS(fx);
}

static void
test_size_limits(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *big = calloc(1, 100 * 1024);
	size_t n;

	assert_int_equal(VERIFY1(fx, &e, big, 100 * 1024), -1);
	assert_refused(&e, FY_E_SIGNATURE, "signature file is 102400 bytes, "
	    "the limit is 65536");
	assert_int_equal(VERIFY1(fx, &e, big, 0), -1);
	assert_refused(&e, FY_E_SIGNATURE, "not a binary detached signature: "
	    "empty file");
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, time(NULL), NULL,
	    &e, 0, NULL, 0, NULL, 0, NULL, 0), -1);
	assert_refused(&e, FY_E_SIGNATURE, "no signature");
	free(big);
	/* Empty data: an ordinary bad signature, not an internal error. */
	big = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	assert_int_equal(fx_verify(fx, (const uint8_t *)"", 0, 1, time(NULL),
	    NULL, &e, 1, big, n, NULL, 0, NULL, 0), -1);
	assert_refused(&e, FY_E_SIGNATURE, "bad signature");
	free(big);
	FX_PASS(fx);
}

static void
test_threshold_met(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_signers who;
	struct fy_err e;
	uint8_t *a, *b, *c;
	size_t na, nb, nc;

	a = fx_sign(fx, K_GOOD, NULL, NULL, &na);
	b = fx_sign(fx, K_K2, NULL, NULL, &nb);
	c = fx_sign(fx, K_K3, NULL, NULL, &nc);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 2, time(NULL), &who,
	    &e, 2, a, na, b, nb, NULL, 0), 0);
	assert_int_equal(who.n, 2);
	assert_string_equal(who.fpr[0], fx->fpr[K_GOOD]);
	assert_string_equal(who.fpr[1], fx->fpr[K_K2]);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 3, time(NULL), &who,
	    &e, 3, a, na, b, nb, c, nc), 0);
	assert_int_equal(who.n, 3);
	free(a);
	free(b);
	free(c);
	FX_PASS(fx);
}

static void
test_threshold_same_key_twice(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *a, *b;
	size_t na, nb;
	char want[200];

	a = fx_sign(fx, K_GOOD, NULL, NULL, &na);
	b = fx_sign(fx, K_GOOD, "--digest-algo SHA512", NULL, &nb);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 2, time(NULL), NULL,
	    &e, 2, a, na, b, nb, NULL, 0), -1);
	snprintf(want, sizeof(want), "1 of 2 required signatures from pinned "
	    "keys; signature 2: key %s signed more than once", fx->fpr[K_GOOD]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	/* The same file twice, too. */
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 2, time(NULL), NULL,
	    &e, 2, a, na, a, na, NULL, 0), -1);
	assert_refused(&e, FY_E_SIGNATURE, "1 of 2 required signatures");
	free(a);
	free(b);
	FX_PASS(fx);
}

static void
test_threshold_good_plus_bad(void **state)
{
	struct fx *fx = FX(state);
	struct fy_err e;
	uint8_t *a, *b;
	size_t na, nb;

	a = fx_sign(fx, K_GOOD, NULL, NULL, &na);
	b = fx_sign(fx, K_K2, NULL, NULL, &nb);
	b[nb - 1] ^= 0x01;		/* last byte of the signature value */
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 2, time(NULL), NULL,
	    &e, 2, a, na, b, nb, NULL, 0), -1);
	assert_refused(&e, FY_E_SIGNATURE, "1 of 2 required signatures from "
	    "pinned keys; signature 2: bad signature");
	/* A bad signature file does not hide a good one after it. */
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 1, time(NULL), NULL,
	    &e, 2, b, nb, a, na, NULL, 0), 0);
	free(a);
	free(b);
	FX_PASS(fx);
}

static void
test_two_packets_in_one_file(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_signers who;
	struct fy_err e;
	uint8_t *a, *b, *ab;
	size_t na, nb;

	a = fx_sign(fx, K_GOOD, NULL, NULL, &na);
	b = fx_sign(fx, K_K2, NULL, NULL, &nb);
	ab = malloc(na + nb);
	memcpy(ab, a, na);
	memcpy(ab + na, b, nb);
	assert_int_equal(fx_verify(fx, fx->data, fx->len, 2, time(NULL), &who,
	    &e, 1, ab, na + nb, NULL, 0, NULL, 0), 0);
	assert_int_equal(who.n, 2);
	free(a);
	free(b);
	free(ab);
	FX_PASS(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clearsigned_as_sig),
		cmocka_unit_test(test_inline_signed_as_sig),
		cmocka_unit_test(test_armored_and_text_sigs),
		cmocka_unit_test(test_trailing_byte),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_threshold_met),
		cmocka_unit_test(test_threshold_same_key_twice),
		cmocka_unit_test(test_threshold_good_plus_bad),
		cmocka_unit_test(test_two_packets_in_one_file),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
