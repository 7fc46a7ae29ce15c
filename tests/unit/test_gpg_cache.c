/* SPDX-License-Identifier: MIT */
/*
 * test_gpg_cache: verification homes kept between runs (verify/gpg_cache.c,
 * gpg_verifier_open/keep).  An entry is kept only after a verification
 * through it passed, is reused by the next verifier of the same keyring,
 * and is never used when it is stale (another keyring), torn, edited
 * (a key added behind our back, a stray file), in a folder others can
 * reach, or when a key set brings more keys.  Each case shows that the
 * verdicts are those of a fresh home.
 */
#include <dirent.h>
#include <fcntl.h>

#include "gpg_fixture.h"

/* A cache folder of its own under the scratch directory. */
static void
cache_at(struct fx *fx, const char *name, char *dir, size_t n,
    struct gpg_cache *c)
{
	snprintf(dir, n, "%s/%s", fx->dir, name);
	memset(c, 0, sizeof(*c));
	c->dir = dir;
}

/* Number of entries named prefix* in dir (-1: no such folder). */
static int
count(const char *dir, const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* Open a verifier on keyring with pins, verify sig; returns the result
 * and whether the home was a cached one; keeps it when asked and good. */
static int
run(struct fx *fx, const struct gpg_cache *c, const char *keyring,
    const char *const *pins, size_t npins, const uint8_t *sig, size_t n,
    int keep, int *cached, char *home, struct fy_err *e)
{
	struct gpg_verifier *v = NULL;
	int rc;

	memset(e, 0, sizeof(*e));
	if (gpg_verifier_open(keyring, pins, npins, c, &v, e) != 0)
		fail_msg("gpg_verifier_open: %s: %s", e->where, e->msg);
	*cached = gpg_verifier_cached(v);
	rc = gpg_verify(v, fx->data, fx->len, &sig, &n, 1, 1, time(NULL),
	    "manifest.json", NULL, e);
	if (keep && rc == 0)
		assert_int_equal(gpg_verifier_keep(v), 0);
	if (home != NULL)
		snprintf(home, PATH_MAX, "%s", v->home);
	gpg_verifier_free(v);
	return rc;
}

static void
test_kept_after_success_and_reused(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_cache c;
	struct fy_err e;
	char dir[PATH_MAX], home[PATH_MAX];
	uint8_t *sig;
	size_t n;
	int cached;

	cache_at(fx, "c1", dir, sizeof(dir), &c);
	sig = fx_sign(fx, K_GOOD, NULL, NULL, &n);
	/* first run: built in a private folder, kept once it verified */
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, sig, n,
	    1, &cached, home, &e), 0);
	assert_int_equal(cached, 0);
	assert_int_equal(count(dir, "h-"), 1);
	assert_int_equal(count(dir, ".build-"), 0);
	/* second run: the entry, no import */
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, sig, n,
	    1, &cached, home, &e), 0);
	assert_int_equal(cached, 1);
	assert_non_null(strstr(home, "/c1/h-"));
	assert_int_equal(count(dir, "h-"), 1);
	/* an unpinned key is still refused through the entry */
	free(sig);
	sig = fx_sign(fx, K_EVIL, NULL, NULL, &n);
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, sig, n,
	    1, &cached, NULL, &e), -1);
	assert_int_equal(cached, 1);
	assert_refused(&e, FY_E_SIGNATURE, "which is not pinned");
	free(sig);
	FX_PASS(fx);
}

static void
test_refused_run_keeps_nothing(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_cache c;
	struct fy_err e;
	char dir[PATH_MAX];
	uint8_t *sig;
	size_t n;
	int cached;

	cache_at(fx, "c2", dir, sizeof(dir), &c);
	sig = fx_sign(fx, K_EVIL, NULL, NULL, &n);
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, sig, n,
	    1, &cached, NULL, &e), -1);
	assert_refused(&e, FY_E_SIGNATURE, "which is not pinned");
	assert_int_equal(count(dir, ""), -1);	/* not even the folder */
	free(sig);
	FX_PASS(fx);
}

/* A key added to a kept home behind ferry's back: the entry no longer
 * matches its stamp, is rebuilt from the keyring, and the key counts as
 * missing, as it is without a cache. */
static void
test_edited_entry_not_used(void **state)
{
	struct fx *fx = FX(state);
	const char *pins[] = { fx->fpr[K_GOOD], fx->fpr[K_EVIL] };
	struct gpg_cache c;
	struct fy_err e;
	char dir[PATH_MAX], home[PATH_MAX], want[160];
	uint8_t *good, *evil;
	size_t gn, en;
	int cached;

	cache_at(fx, "c3", dir, sizeof(dir), &c);
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	evil = fx_sign(fx, K_EVIL, NULL, NULL, &en);
	assert_int_equal(run(fx, &c, fx->pinned, pins, 2, good, gn, 1, &cached,
	    home, &e), 0);
	assert_int_equal(run(fx, &c, fx->pinned, pins, 2, good, gn, 1, &cached,
	    home, &e), 0);
	assert_int_equal(cached, 1);
	fx_sh("gpg --homedir %s --batch --quiet --import %s/evil.gpg "
	    "2>/dev/null", home, fx->keys);
	/* control: gpg itself now finds the key there */
	fx_sh("gpg --homedir %s --batch --list-keys %s >/dev/null 2>&1", home,
	    fx->fpr[K_EVIL]);
	assert_int_equal(run(fx, &c, fx->pinned, pins, 2, evil, en, 1, &cached,
	    NULL, &e), -1);
	assert_int_equal(cached, 0);
	snprintf(want, sizeof(want), "signed by pinned key %s, which is "
	    "missing from the keyring", fx->fpr[K_EVIL]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	/* rebuilt by the next good run, without the key */
	assert_int_equal(run(fx, &c, fx->pinned, pins, 2, good, gn, 1, &cached,
	    NULL, &e), 0);
	assert_int_equal(run(fx, &c, fx->pinned, pins, 2, evil, en, 1, &cached,
	    NULL, &e), -1);
	assert_int_equal(cached, 1);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(good);
	free(evil);
	FX_PASS(fx);
}

/* The keyring changed (a key removed): the old entry is not used. */
static void
test_stale_entry_not_used(void **state)
{
	struct fx *fx = FX(state);
	const char *pins[] = { fx->fpr[K_GOOD], fx->fpr[K_K2] };
	struct gpg_cache c;
	struct fy_err e;
	char dir[PATH_MAX], k2only[PATH_MAX + 16], want[160];
	uint8_t *good;
	size_t gn;
	int cached;

	cache_at(fx, "c4", dir, sizeof(dir), &c);
	snprintf(k2only, sizeof(k2only), "%s/k2only.gpg", fx->dir);
	FX_GPG(fx, "--export -o %s %s", k2only, fx->fpr[K_K2]);
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	assert_int_equal(run(fx, &c, fx->pinned, pins, 2, good, gn, 1, &cached,
	    NULL, &e), 0);
	assert_int_equal(count(dir, "h-"), 1);
	assert_int_equal(run(fx, &c, k2only, pins, 2, good, gn, 1, &cached,
	    NULL, &e), -1);
	assert_int_equal(cached, 0);
	snprintf(want, sizeof(want), "signed by pinned key %s, which is "
	    "missing from the keyring", fx->fpr[K_GOOD]);
	assert_refused(&e, FY_E_SIGNATURE, want);
	free(good);
	FX_PASS(fx);
}

/* Torn or extra files, or a folder others can reach: not used. */
static void
test_damaged_entry_not_used(void **state)
{
	static const char *const damage[] = {
		": > %s/trustdb.gpg",			/* torn */
		"truncate -s 100 %s/pubring.kbx",	/* torn */
		"echo >> %s/ferry-home",		/* stamp edited */
		/* the keys' facts edited: the revoked key made good */
		("grep -q '^key [0-9A-F]* 1 ' %s/ferry-keys && "
		    "sed -i 's/^\\(key [0-9A-F]*\\) 1 /\\1 0 /' %s/ferry-keys"),
		"rm %s/ferry-keys",			/* facts missing */
		"echo debug-all >> %s/gpg.conf",	/* conf edited */
		"echo >%s/gpg-agent.conf",		/* stray file */
		"rm %s/common.conf && ln -s /dev/null %s/common.conf",
		"chmod 0755 %s",			/* reachable */
	};
	struct fx *fx = FX(state);
	struct gpg_cache c;
	struct fy_err e;
	char dir[PATH_MAX], home[PATH_MAX];
	uint8_t *good;
	size_t gn, i;
	int cached;

	cache_at(fx, "c5", dir, sizeof(dir), &c);
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	for (i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins,
		    good, gn, 1, &cached, home, &e), 0);
		if (!cached)	/* the first time, and after each repair */
			assert_int_equal(run(fx, &c, fx->pinned, fx->pins,
			    fx->npins, good, gn, 1, &cached, home, &e), 0);
		assert_int_equal(cached, 1);
		fx_sh(damage[i], home, home, home);
		assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins,
		    good, gn, 1, &cached, NULL, &e), 0);
		if (cached)
			fail_msg("damage \"%s\" was not noticed", damage[i]);
	}
	/* the cache folder itself open to others: never used or built */
	fx_sh("chmod 0755 %s", dir);
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, good,
	    gn, 1, &cached, NULL, &e), 0);
	assert_int_equal(cached, 0);
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, good,
	    gn, 1, &cached, NULL, &e), 0);
	assert_int_equal(cached, 0);
	free(good);
	FX_PASS(fx);
}

/* One verification of data/sig at trusted time now; *cached says
 * whether the verifier used a cached home (c NULL: a fresh home). */
static int
verdict(struct fx *fx, const struct gpg_cache *c, const uint8_t *data,
    size_t len, const uint8_t *sig, size_t n, int64_t now, int *cached,
    struct gpg_signers *who, struct fy_err *e)
{
	struct gpg_verifier *v = NULL;
	int rc;

	memset(e, 0, sizeof(*e));
	if (gpg_verifier_open(fx->pinned, fx->pins, fx->npins, c, &v, e) != 0)
		fail_msg("gpg_verifier_open: %s: %s", e->where, e->msg);
	*cached = gpg_verifier_cached(v);
	rc = gpg_verify(v, data, len, &sig, &n, 1, 1, now, "manifest.json",
	    who, e);
	gpg_verifier_free(v);
	return rc;
}

/* A cached home judges from the facts it keeps (no key listing): every
 * verdict is the one a fresh home gives, refusals word for word. */
static void
test_cached_verdicts_are_fresh_ones(void **state)
{
	struct fx *fx = FX(state);
	struct {
		const char *sigfile;	/* over sample.dat, or NULL */
		enum key k;		/* else: fx_sign(k, opts) over data */
		const char *opts;
		int64_t ago;		/* trusted time: now - ago */
	} cases[] = {
		{ "exp.sig", 0, NULL, 0 },
		{ "rev.sig", 0, NULL, 30 * 86400 },
		{ "wku.sig", 0, NULL, 0 },
		{ NULL, K_WEAK, NULL, 0 },
		{ NULL, K_SHA1, "--digest-algo SHA1", 0 },
		{ NULL, K_SUB, NULL, 0 },
		{ NULL, K_GOOD, NULL, 0 },
		{ NULL, K_EVIL, NULL, 0 },
	};
	struct gpg_signers w1, w2;
	struct gpg_cache c;
	struct fy_err e1, e2;
	char dir[PATH_MAX];
	uint8_t *good, *sig, *sample, *data;
	size_t gn, sn, n, len, i;
	int cached, r1, r2;
	int64_t now = time(NULL);

	cache_at(fx, "c9", dir, sizeof(dir), &c);
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	/* the entry: built and kept by a good run */
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, good,
	    gn, 1, &cached, NULL, &e1), 0);
	assert_int_equal(cached, 0);
	sample = fx_keyfile(fx, "sample.dat", &sn);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].sigfile != NULL) {
			sig = fx_keyfile(fx, cases[i].sigfile, &n);
			data = sample;
			len = sn;
		} else {
			sig = fx_sign(fx, cases[i].k, cases[i].opts, NULL, &n);
			data = fx->data;
			len = fx->len;
		}
		memset(&w1, 0, sizeof(w1));
		memset(&w2, 0, sizeof(w2));
		r1 = verdict(fx, NULL, data, len, sig, n, now - cases[i].ago,
		    &cached, &w1, &e1);
		assert_int_equal(cached, 0);
		r2 = verdict(fx, &c, data, len, sig, n, now - cases[i].ago,
		    &cached, &w2, &e2);
		assert_int_equal(cached, 1);
		if (r1 != r2 || e1.code != e2.code ||
		    strcmp(e1.msg, e2.msg) != 0 || w1.n != w2.n ||
		    (w1.n > 0 && strcmp(w1.fpr[0], w2.fpr[0]) != 0))
			fail_msg("case %zu: fresh %d \"%s\", cached %d \"%s\"",
			    i, r1, e1.msg, r2, e2.msg);
		/* the cases are what they say */
		assert_int_equal(r1, i >= 5 && cases[i].k != K_EVIL ? 0 : -1);
		free(sig);
	}
	free(sample);
	free(good);
	FX_PASS(fx);
}

/* Read-only runs use an entry but never build one. */
static void
test_readonly(void **state)
{
	struct fx *fx = FX(state);
	struct gpg_cache c;
	struct fy_err e;
	char dir[PATH_MAX];
	uint8_t *good;
	size_t gn;
	int cached;

	cache_at(fx, "c6", dir, sizeof(dir), &c);
	c.readonly = 1;
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, good, gn,
	    1, &cached, NULL, &e), 0);
	assert_int_equal(cached, 0);
	assert_int_equal(count(dir, ""), -1);
	c.readonly = 0;
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, good, gn,
	    1, &cached, NULL, &e), 0);
	c.readonly = 1;
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, good, gn,
	    1, &cached, NULL, &e), 0);
	assert_int_equal(cached, 1);
	free(good);
	FX_PASS(fx);
}

/* Keys from a key-set statement go to a temporary home, never into the
 * entry (nor into a build that would become one). */
static void
test_import_leaves_cache(void **state)
{
	struct fx *fx = FX(state);
	const char *pins[] = { fx->fpr[K_EVIL] };
	struct gpg_verifier *v = NULL;
	struct gpg_cache c;
	struct fy_err e = { 0 };
	char dir[PATH_MAX], entry[PATH_MAX];
	uint8_t *good, *evil, *keys;
	size_t gn, en, kn;
	int cached;

	cache_at(fx, "c7", dir, sizeof(dir), &c);
	good = fx_sign(fx, K_GOOD, NULL, NULL, &gn);
	evil = fx_sign(fx, K_EVIL, NULL, NULL, &en);
	keys = fx_keyfile(fx, "evil.gpg", &kn);
	/* a build that takes more keys is never kept */
	assert_int_equal(gpg_verifier_open(fx->pinned, fx->pins, fx->npins, &c,
	    &v, &e), 0);
	assert_int_equal(gpg_verifier_import(v, keys, kn, &e), 0);
	assert_int_equal(gpg_verifier_pin(v, pins, 1, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len,
	    (const uint8_t *const *)&evil, &en, 1, 1, time(NULL),
	    "manifest.json", NULL, &e), 0);
	assert_int_equal(gpg_verifier_keep(v), 0);
	assert_int_equal(gpg_verifier_cached(v), 0);
	gpg_verifier_free(v);
	assert_int_equal(count(dir, ""), -1);
	/* an entry in use moves to a temporary home to take them */
	assert_int_equal(run(fx, &c, fx->pinned, fx->pins, fx->npins, good, gn,
	    1, &cached, NULL, &e), 0);
	assert_int_equal(gpg_verifier_open(fx->pinned, fx->pins, fx->npins, &c,
	    &v, &e), 0);
	assert_int_equal(gpg_verifier_cached(v), 1);
	snprintf(entry, sizeof(entry), "%s", v->home);
	assert_int_equal(gpg_verifier_import(v, keys, kn, &e), 0);
	assert_int_equal(gpg_verifier_cached(v), 0);
	assert_string_not_equal(v->home, entry);
	assert_int_equal(gpg_verifier_pin(v, pins, 1, &e), 0);
	assert_int_equal(gpg_verify(v, fx->data, fx->len,
	    (const uint8_t *const *)&evil, &en, 1, 1, time(NULL),
	    "manifest.json", NULL, &e), 0);
	gpg_verifier_free(v);
	/* the entry is still valid and still without the key */
	assert_int_equal(run(fx, &c, fx->pinned, pins, 1, evil, en, 1, &cached,
	    NULL, &e), -1);
	assert_int_equal(cached, 1);
	assert_refused(&e, FY_E_SIGNATURE, "missing from the keyring");
	free(good);
	free(evil);
	free(keys);
	FX_PASS(fx);
}

/* verifymedia's folder: XDG_CACHE_HOME, then HOME/.cache, then TMPDIR;
 * a base that is not ours is passed over. */
static void
test_user_dir(void **state)
{
	struct fx *fx = FX(state);
	char want[PATH_MAX + 32], buf[PATH_MAX], xdg[PATH_MAX + 8];
	char *old_xdg = getenv("XDG_CACHE_HOME"), *old_home = getenv("HOME");

	old_xdg = old_xdg ? strdup(old_xdg) : NULL;
	old_home = old_home ? strdup(old_home) : NULL;
	snprintf(xdg, sizeof(xdg), "%s/xdg", fx->dir);
	fx_sh("mkdir -m 0700 %s %s/h", xdg, fx->dir);
	setenv("XDG_CACHE_HOME", xdg, 1);
	assert_int_equal(gpg_cache_user_dir(buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/ferry/gpg", xdg);
	assert_string_equal(buf, want);
	unsetenv("XDG_CACHE_HOME");
	snprintf(want, sizeof(want), "%s/h", fx->dir);
	setenv("HOME", want, 1);
	assert_int_equal(gpg_cache_user_dir(buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/h/.cache/ferry/gpg", fx->dir);
	assert_string_equal(buf, want);
	/* a home others may write to: the temp folder instead */
	fx_sh("chmod 0777 %s/h", fx->dir);
	setenv("TMPDIR", fx->dir, 1);
	assert_int_equal(gpg_cache_user_dir(buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/ferry-cache-%lu/ferry/gpg", fx->dir,
	    (unsigned long)geteuid());
	assert_string_equal(buf, want);
	unsetenv("TMPDIR");
	if (old_xdg)
		setenv("XDG_CACHE_HOME", old_xdg, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	else
		unsetenv("HOME");
	free(old_xdg);
	free(old_home);
	FX_PASS(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_after_success_and_reused),
		cmocka_unit_test(test_refused_run_keeps_nothing),
		cmocka_unit_test(test_edited_entry_not_used),
		cmocka_unit_test(test_stale_entry_not_used),
		cmocka_unit_test(test_damaged_entry_not_used),
		cmocka_unit_test(test_cached_verdicts_are_fresh_ones),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_import_leaves_cache),
		cmocka_unit_test(test_user_dir),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
