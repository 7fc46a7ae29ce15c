/* SPDX-License-Identifier: MIT */
/*
 * test_gpg_pinned: picking the pinned keys out of a keyring
 * (verify/gpg_pinned.c) on real keyrings that gpg made (the keys of
 * tests/lib/mkkeys.sh, exported from a private copy of their home): the
 * keys kept are byte for byte what gpg exports for them alone, a pinned
 * subkey keeps its key, and every keyring that is not plain binary v4
 * public keys (armor, truncated, a v3 key, trailing garbage, partial or
 * indeterminate lengths, secret keys) or pins nothing or everything is
 * given to gpg whole.  Then through the verifier: its home holds the
 * pinned key only, and a signature by a key left out is refused naming
 * its primary key, as when it was imported.
 */
#include "gpg_fixture.h"
#include "verify/gpg_pinned.h"

static uint8_t *
export(struct fx *fx, const char *opts, const char *fprs, size_t *len)
{
	char path[PATH_MAX + 16];
	static unsigned seq;

	snprintf(path, sizeof(path), "%s/export.%u", fx->dir, seq++);
	FX_GPG(fx, "%s --export -o %s %s", opts, path, fprs);
	return fx_read(path, len);
}

/* The fingerprint of K_SUB's signing subkey (the second fpr line). */
static void
subkey_fpr(struct fx *fx, char out[GPG_FPR_MAX])
{
	char path[PATH_MAX + 16];
	uint8_t *b;
	size_t n;

	snprintf(path, sizeof(path), "%s/subfpr", fx->dir);
	fx_sh("gpg --homedir %s --batch --with-colons --list-keys %s | "
	    "awk -F: '/^fpr/ { n++; if (n == 2) print $10 }' > %s", fx->home,
	    fx->fpr[K_SUB], path);
	b = fx_read(path, &n);
	assert_int_equal(n, 41);
	snprintf(out, GPG_FPR_MAX, "%.40s", (char *)b);
	free(b);
}

/* gpg_pinned_keys() on ring with pins: its return; *kept / *left. */
static int
pick(const uint8_t *ring, size_t len, const char *const *pins, size_t np,
    uint8_t **kept, size_t *keptlen, struct gpg_unpinned **left,
    size_t *nleft)
{
	*kept = NULL;
	*left = NULL;
	*keptlen = *nleft = 0;
	return gpg_pinned_keys(ring, len, pins, np, kept, keptlen, left,
	    nleft);
}

/* ring with pins must be imported whole: 0, nothing set. */
static void
assert_whole(const uint8_t *ring, size_t len, const char *const *pins,
    size_t np, const char *what)
{
	struct gpg_unpinned *left;
	uint8_t *kept;
	size_t keptlen, nleft;

	if (pick(ring, len, pins, np, &kept, &keptlen, &left, &nleft) != 0)
		fail_msg("%s: not given whole (%zu bytes kept)", what, keptlen);
	assert_null(kept);
	assert_null(left);
}

static void
test_keeps_pinned_keys_only(void **state)
{
	struct fx *fx = FX(state);
	const char *pins[2] = { fx->fpr[K_GOOD], NULL };
	struct gpg_unpinned *left;
	uint8_t *ring, *kept, *want, *w2;
	size_t len, keptlen, nleft, wn, w2n;
	char lower[GPG_FPR_MAX];
	size_t i;

	ring = fx_keyfile(fx, "pinned.gpg", &len);	/* 9 keys */
	want = export(fx, "", fx->fpr[K_GOOD], &wn);
	assert_int_equal(pick(ring, len, pins, 1, &kept, &keptlen, &left,
	    &nleft), 1);
	assert_int_equal(keptlen, wn);
	assert_memory_equal(kept, want, wn);
	/* every fingerprint of the 8 keys left out, with its primary */
	assert_true(nleft >= 8);
	assert_string_equal(gpg_unpinned_primary(left, nleft,
	    fx->fpr[K_K2]), fx->fpr[K_K2]);
	assert_null(gpg_unpinned_primary(left, nleft, fx->fpr[K_GOOD]));
	assert_null(gpg_unpinned_primary(left, nleft, fx->fpr[K_EVIL]));
	free(kept);
	free(left);

	/* two pins, any case: both keys, in the keyring's order */
	for (i = 0; fx->fpr[K_K3][i] != '\0'; i++)
		lower[i] = (char)(fx->fpr[K_K3][i] | 0x20);
	lower[i] = '\0';
	pins[0] = lower;
	pins[1] = fx->fpr[K_GOOD];
	w2 = export(fx, "", fx->fpr[K_K3], &w2n);
	assert_int_equal(pick(ring, len, pins, 2, &kept, &keptlen, &left,
	    &nleft), 1);
	assert_int_equal(keptlen, wn + w2n);
	assert_memory_equal(kept, want, wn);
	assert_memory_equal(kept + wn, w2, w2n);
	free(kept);
	free(left);
	free(w2);
	free(want);
	free(ring);
	FX_PASS(fx);
}

static void
test_pinned_subkey_keeps_its_key(void **state)
{
	struct fx *fx = FX(state);
	char sub[GPG_FPR_MAX];
	const char *pins[1] = { sub };
	struct gpg_unpinned *left;
	uint8_t *ring, *kept, *want;
	size_t len, keptlen, nleft, wn;

	subkey_fpr(fx, sub);
	assert_string_not_equal(sub, fx->fpr[K_SUB]);
	ring = fx_keyfile(fx, "pinned.gpg", &len);
	want = export(fx, "", fx->fpr[K_SUB], &wn);
	assert_int_equal(pick(ring, len, pins, 1, &kept, &keptlen, &left,
	    &nleft), 1);
	assert_int_equal(keptlen, wn);
	assert_memory_equal(kept, want, wn);
	free(kept);
	free(left);
	/* pin another key: the subkey left out names its primary */
	pins[0] = fx->fpr[K_GOOD];
	assert_int_equal(pick(ring, len, pins, 1, &kept, &keptlen, &left,
	    &nleft), 1);
	assert_string_equal(gpg_unpinned_primary(left, nleft, sub),
	    fx->fpr[K_SUB]);
	free(kept);
	free(left);
	free(want);
	free(ring);
	FX_PASS(fx);
}

static void
test_odd_keyrings_whole(void **state)
{
	struct fx *fx = FX(state);
	const char *good[1] = { fx->fpr[K_GOOD] };
	const char *evil[1] = { fx->fpr[K_EVIL] };
	/* old format tag 6, two-byte length 6: a version 3 key */
	static const uint8_t v3[] = { 0x99, 0x00, 0x06, 3, 0, 0, 0, 0, 1 };
	static const uint8_t v5[] = { 0x99, 0x00, 0x06, 5, 0, 0, 0, 0, 1 };
	static const uint8_t partial[] = { 0xc6, 0xe1, 4, 0 };
	static const uint8_t indeterminate[] = { 0x9b, 4, 0, 0, 0, 0, 1 };
	struct gpg_unpinned *left;
	uint8_t *ring, *buf, *kept, *arm, *sec, *all;
	size_t len, an, sn, keptlen, nleft;
	char path[PATH_MAX + 16];

	ring = fx_keyfile(fx, "pinned.gpg", &len);
	buf = malloc(len + 64);
	memcpy(buf, ring, len);
	/* controls: the same keyring as given is split */
	assert_int_equal(pick(buf, len, good, 1, &kept, &keptlen, &left,
	    &nleft), 1);
	free(kept);
	free(left);
	/* every key pinned, or none */
	assert_whole(ring, len, fx->pins, fx->npins, "all pinned");
	assert_whole(ring, len, evil, 1, "none pinned");
	assert_whole(ring, 0, good, 1, "empty");
	/* ASCII armor of the same keys */
	arm = export(fx, "--armor", fx->fpr[K_GOOD], &an);
	assert_whole(arm, an, good, 1, "armored");
	free(arm);
	/* truncated: in the last packet's body, and in a header */
	assert_whole(ring, len - 1, good, 1, "truncated body");
	assert_whole(ring, 1, good, 1, "truncated header");
	/* trailing garbage, and keys of other versions after good ones */
	memcpy(buf + len, "garbage", 7);
	assert_whole(buf, len + 7, good, 1, "trailing garbage");
	buf[len] = 0x99;			/* header, length cut off */
	assert_whole(buf, len + 2, good, 1, "trailing half header");
	memcpy(buf + len, v3, sizeof(v3));
	assert_whole(buf, len + sizeof(v3), good, 1, "a v3 key");
	memcpy(buf + len, v5, sizeof(v5));
	assert_whole(buf, len + sizeof(v5), good, 1, "a v5 key");
	memcpy(buf + len, partial, sizeof(partial));
	assert_whole(buf, len + sizeof(partial), good, 1, "partial length");
	memcpy(buf + len, indeterminate, sizeof(indeterminate));
	assert_whole(buf, len + sizeof(indeterminate), good, 1,
	    "indeterminate length");
	/* a user id before any key */
	memcpy(buf, "\xb4\x01x", 3);
	memcpy(buf + 3, ring, len);
	assert_whole(buf, len + 3, good, 1, "user id first");
	/* secret keys (a key of its own, after the public ones) */
	snprintf(path, sizeof(path), "%s/sec.gpg", fx->dir);
	FX_GPG(fx, "--export-secret-keys -o %s %s", path, fx->fpr[K_K3]);
	sec = fx_read(path, &sn);
	all = malloc(len + sn);
	memcpy(all, ring, len);
	memcpy(all + len, sec, sn);
	assert_whole(all, len + sn, good, 1, "secret key");
	assert_whole(sec, sn, good, 1, "secret key only");
	free(all);
	free(sec);
	free(buf);
	free(ring);
	FX_PASS(fx);
}

/* Through the verifier: the home holds only the pinned key; the key left
 * out is refused by its primary fingerprint, as before. */
static void
test_verifier_imports_pinned_only(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_verifier *v = NULL;
	const char *pins[1] = { fx->fpr[K_GOOD] };
	const uint8_t *sigs[1];
	char path[PATH_MAX + 16], want[160];
	struct fy_err e = { 0 };
	uint8_t *b;
	size_t n, sn;

	assert_int_equal(gpg_verifier_new(fx->pinned, pins, 1, &v, &e), 0);
	snprintf(path, sizeof(path), "%s/listed", fx->dir);
	fx_sh("gpg --homedir %s --batch --with-colons --list-keys 2>/dev/null "
	    "| awk -F: '/^pub/ { getline; print $10 }' > %s", v->home, path);
	b = fx_read(path, &n);
	assert_int_equal(n, 41);
	assert_memory_equal(b, fx->fpr[K_GOOD], 40);
	free(b);
	sigs[0] = fx_sign(fx, K_GOOD, NULL, NULL, &sn);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &sn, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), 0);
	free((void *)sigs[0]);
	/* signed by the subkey of K_SUB, a key left out */
	sigs[0] = fx_sign(fx, K_SUB, NULL, NULL, &sn);
	assert_int_equal(gpg_verify(v, fx->data, fx->len, sigs, &sn, 1, 1,
	    time(NULL), "manifest.json", NULL, &e), -1);
	snprintf(want, sizeof(want), "signed by key %s, which is not pinned",
	    fx->fpr[K_SUB]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free((void *)sigs[0]);
	gpg_verifier_free(v);
	FX_PASS(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_pinned_keys_only),
		cmocka_unit_test(test_pinned_subkey_keeps_its_key),
		cmocka_unit_test(test_odd_keyrings_whole),
		cmocka_unit_test(test_verifier_imports_pinned_only),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
