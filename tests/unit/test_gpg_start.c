/* SPDX-License-Identifier: MIT */
/*
 * test_gpg_start: gpg_verify in two halves (gpg_verify_start/_end, which
 * verifymedia uses to run SHA256SUMS's gpg beside the manifest's).  Every
 * verdict is gpg_verify's word for word (return, code, message, signers),
 * in a fresh home, a cached one and a home being built (keys not listed
 * yet); a started verification survives a gpg_verify through the same
 * verifier in between (the manifest's), can be dropped unjudged, and
 * blocks imports and keeping the home until it ends.
 */
#include "gpg_fixture.h"

/* Both ways over the same input: must agree in every respect. */
static void
both(struct gpg_verifier *v, const uint8_t *data, size_t len,
    const uint8_t *const *sigs, const size_t *lens, size_t n,
    unsigned thr, int64_t now, const char *what, int want)
{
	struct gpg_pending *p = NULL;
	struct gpg_signers w1, w2;
	struct fy_err e1 = { 0 }, e2 = { 0 };
	int r1, r2;

	memset(&w1, 0, sizeof(w1));
	memset(&w2, 0, sizeof(w2));
	r1 = gpg_verify(v, data, len, sigs, lens, n, thr, now, "SHA256SUMS",
	    &w1, &e1);
	r2 = gpg_verify_start(v, data, len, sigs, lens, n, thr, now,
	    "SHA256SUMS", &p, &e2);
	if (r2 == 0)
		r2 = gpg_verify_end(p, &w2, &e2);
	if (r1 != r2 || e1.code != e2.code || strcmp(e1.msg, e2.msg) != 0 ||
	    strcmp(e1.where, e2.where) != 0 || w1.n != w2.n ||
	    memcmp(w1.fpr, w2.fpr, sizeof(w1.fpr)) != 0 ||
	    w1.newest_sig_time != w2.newest_sig_time)
		fail_msg("%s: gpg_verify %d \"%s\", started %d \"%s\"", what,
		    r1, e1.msg, r2, e2.msg);
	if (r1 != want)
		fail_msg("%s: %d (\"%s\"), want %d", what, r1, e1.msg, want);
}

static void
test_same_verdicts(void **state)
{
	struct fx *fx = FX(state);
	struct {
		const char *sigfile;	/* over sample.dat, or NULL */
		enum key k;		/* else: fx_sign(k, opts) over data */
		const char *opts;
		int64_t ago;		/* trusted time: now - ago */
		int want;
	} cases[] = {
		{ "exp.sig", 0, NULL, 0, -1 },
		{ "rev.sig", 0, NULL, 30 * 86400, -1 },
		{ "wku.sig", 0, NULL, 0, -1 },
		{ NULL, K_WEAK, NULL, 0, -1 },
		{ NULL, K_SHA1, "--digest-algo SHA1", 0, -1 },
		{ NULL, K_SUB, NULL, 0, 0 },
		{ NULL, K_GOOD, NULL, 0, 0 },
		{ NULL, K_EVIL, NULL, 0, -1 },
	};
	struct gpg_verifier *v = NULL;
	struct fy_err e = { 0 };
	uint8_t *sig, *sample, *data, *flipped;
	size_t sn, n, len, i;
	int64_t now = time(NULL);

	assert_int_equal(gpg_verifier_new(fx->pinned, fx->pins, fx->npins, &v,
	    &e), 0);
	sample = fx_keyfile(fx, "sample.dat", &sn);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[32];

		if (cases[i].sigfile != NULL) {
			sig = fx_keyfile(fx, cases[i].sigfile, &n);
			data = sample;
			len = sn;
		} else {
			sig = fx_sign(fx, cases[i].k, cases[i].opts, NULL, &n);
			data = fx->data;
			len = fx->len;
		}
		snprintf(what, sizeof(what), "case %zu", i);
		both(v, data, len, (const uint8_t *const *)&sig, &n, 1, 1,
		    now - cases[i].ago, what, cases[i].want);
		free(sig);
	}
	/* tampered data, a signature that is not one, none at all, a
	 * threshold too high, two files of which one is bad */
	sig = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	flipped = malloc(fx->len);
	memcpy(flipped, fx->data, fx->len);
	flipped[10] ^= 1;
	both(v, flipped, fx->len, (const uint8_t *const *)&sig, &n, 1, 1, now,
	    "tampered", -1);
	both(v, fx->data, fx->len, (const uint8_t *const *)&flipped,
	    &fx->len, 1, 1, now, "garbage signature", -1);
	both(v, fx->data, fx->len, NULL, NULL, 0, 1, now, "none", -1);
	both(v, fx->data, fx->len, (const uint8_t *const *)&sig, &n, 1, 10,
	    now, "threshold", -1);
	{
		uint8_t *k2 = fx_sign(fx, K_K2, NULL, NULL, &len);
		const uint8_t *two[3] = { sig, flipped, k2 };
		size_t lens[3] = { n, fx->len, len };

		both(v, fx->data, fx->len, two, lens, 3, 2, now, "2 of 3", 0);
		both(v, fx->data, fx->len, two, lens, 2, 2, now, "1 of 2", -1);
		two[2] = sig;
		lens[2] = n;
		both(v, fx->data, fx->len, two, lens, 3, 2, now, "same key twice",
		    -1);
		free(k2);
	}
	free(flipped);
	free(sig);
	free(sample);
	gpg_verifier_free(v);
	FX_PASS(fx);
}

/* verifymedia's order: SUMS started, the manifest verified through the
 * same verifier, then SUMS judged; in a home being built (keys not
 * listed when the start happens) and in the cached home after it. */
static void
test_beside_another(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	struct gpg_pending *p = NULL, *q = NULL;
	struct gpg_signers w;
	struct gpg_cache c = { 0 };
	struct fy_err e = { 0 };
	char dir[PATH_MAX + 8], want[256];
	uint8_t *good, *evil, *keys;
	size_t gn, en, kn;
	int round;

	snprintf(dir, sizeof(dir), "%s/cache", fx->dir);
	c.dir = dir;
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	evil = fx_sign(fx, K_EVIL, NULL, NULL, &en);
	for (round = 0; round < 2; round++) {
		assert_int_equal(gpg_verifier_open(fx->pinned, fx->pins,
		    fx->npins, &c, &v, &e), 0);
		assert_int_equal(gpg_verifier_cached(v), round);
		assert_int_equal(gpg_verify_start(v, fx->data, fx->len,
		    (const uint8_t *const *)&good, &gn, 1, 1, time(NULL),
		    "SHA256SUMS", &p, &e), 0);
		assert_int_equal(gpg_verify_start(v, fx->data, fx->len,
		    (const uint8_t *const *)&evil, &en, 1, 1, time(NULL),
		    "other", &q, &e), 0);
		assert_int_equal(gpg_verify(v, fx->data, fx->len,
		    (const uint8_t *const *)&good, &gn, 1, 1, time(NULL),
		    "manifest.json", NULL, &e), 0);
		/* while started: no import, nothing kept */
		keys = fx_keyfile(fx, "evil.gpg", &kn);
		assert_int_equal(gpg_verifier_import(v, keys, kn, &e), -1);
		assert_int_equal(e.code, FY_E_INTERNAL);
		fy_clear(&e);
		free(keys);
		if (round == 0)
			assert_int_equal(gpg_verifier_keep(v), -1);
		memset(&w, 0, sizeof(w));
		assert_int_equal(gpg_verify_end(p, &w, &e), 0);
		assert_int_equal(w.n, 1);
		assert_string_equal(w.fpr[0], fx->fpr[K_GOOD]);
		assert_int_equal(gpg_verify_end(q, NULL, &e), -1);
		snprintf(want, sizeof(want), "signed by key %s, which is not "
		    "pinned", fx->fpr[K_EVIL]);
		assert_int_equal(e.code, FY_E_SIGNATURE);
		assert_string_equal(e.where, "other");
		assert_string_equal(e.msg, want);
		fy_clear(&e);
		assert_int_equal(gpg_verifier_keep(v), 0);
		gpg_verifier_free(v);
		v = NULL;
	}
	/* started in a home just built, judged before anything listed
	 * its keys: listed then */
	assert_int_equal(gpg_verifier_new(fx->pinned, fx->pins, fx->npins, &v,
	    &e), 0);
	assert_int_equal(gpg_verify_start(v, fx->data, fx->len,
	    (const uint8_t *const *)&good, &gn, 1, 1, time(NULL),
	    "SHA256SUMS", &p, &e), 0);
	assert_int_equal(gpg_verify_end(p, NULL, &e), 0);
	/* and dropped unjudged; the verifier works on */
	assert_int_equal(gpg_verify_start(v, fx->data, fx->len,
	    (const uint8_t *const *)&good, &gn, 1, 1, time(NULL),
	    "SHA256SUMS", &p, &e), 0);
	gpg_verify_drop(p);
	gpg_verify_drop(NULL);
	keys = fx_keyfile(fx, "evil.gpg", &kn);
	assert_int_equal(gpg_verifier_import(v, keys, kn, &e), 0);
	free(keys);
	gpg_verifier_free(v);
	free(good);
	free(evil);
	FX_PASS(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_verdicts),
		cmocka_unit_test(test_beside_another),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
