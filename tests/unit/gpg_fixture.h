/* SPDX-License-Identifier: MIT */
/*
 * gpg_fixture: shared by test_gpg.c and test_gpg_sign.c.  Needs the keys
 * of tests/lib/mkkeys.sh in $FERRY_TEST_KEYS; without them every test is
 * skipped with a printed reason.  Each run copies the key home into its own
 * scratch directory (so its gpg-agent is private), signs there with the gpg
 * command line, and verifies through verify/gpg.h.  The scratch directory
 * is kept when a test failed.
 */
#ifndef FERRY_TEST_GPG_FIXTURE_H
#define FERRY_TEST_GPG_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "verify/gpg_int.h"

enum key { K_GOOD, K_K2, K_K3, K_EVIL, K_EXP, K_REV, K_SUB, K_SHA1, K_WKU,
	K_WEAK, NKEYS };
static const char *const key_name[NKEYS] = { "good", "k2", "k3", "evil",
	"exp", "rev", "sub", "sha1", "wku", "weak" };

struct fx {
	char	keys[PATH_MAX];		/* $FERRY_TEST_KEYS */
	char	dir[PATH_MAX];		/* scratch */
	char	home[PATH_MAX + 8];	/* private copy of the key home */
	char	pinned[PATH_MAX + 16];	/* keys/pinned.gpg */
	char	fpr[NKEYS][GPG_FPR_MAX];
	const char *pins[NKEYS];	/* every key but evil */
	size_t	npins;
	struct gpg_verifier *v;
	uint8_t	*data;			/* dir/data */
	size_t	 len;
	int	 pending;		/* tests started, not passed */
};

#define FX(state) fx_get(state, __func__)

static inline uint8_t *
fx_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n = -1;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		fclose(f);
		*len = (size_t)n;
		return buf;
	}
	fail_msg("cannot read %s", path);
	abort();
}

static inline void
fx_write(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		fail_msg("cannot write %s", path);
}

static inline void
fx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void
fx_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* Run gpg in the private home: "gpg --homedir H --batch ... ARGS". */
#define FX_GPG(fx, fmt, ...) fx_sh("gpg --homedir %s --batch "		\
	"--quiet --no-tty --pinentry-mode loopback --passphrase '' " fmt \
	" 2>/dev/null", (fx)->home, __VA_ARGS__)

/* Sign file `in` (relative to fx->dir, "data" if NULL) with key k and extra
 * gpg options; returns the signature bytes. */
static inline uint8_t *
fx_sign(struct fx *fx, enum key k, const char *opts, const char *in,
    size_t *len)
{
	char out[PATH_MAX + 16];
	static unsigned seq;

	snprintf(out, sizeof(out), "%s/sig.%u", fx->dir, seq++);
	FX_GPG(fx, "-u %s %s --detach-sign -o %s %s/%s", fx->fpr[k],
	    opts ? opts : "", out, fx->dir, in ? in : "data");
	return fx_read(out, len);
}

/* A file from $FERRY_TEST_KEYS. */
static inline uint8_t *
fx_keyfile(struct fx *fx, const char *name, size_t *len)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", fx->keys, name);
	return fx_read(p, len);
}

/* gpg_verify() over up to 4 signatures, `where` = "manifest.json". */
static inline int
fx_verify(struct fx *fx, const uint8_t *data, size_t len, unsigned thr,
    int64_t now, struct gpg_signers *out, struct fy_err *e, size_t n,
    const uint8_t *s0, size_t l0, const uint8_t *s1, size_t l1,
    const uint8_t *s2, size_t l2)
{
	const uint8_t *sigs[3] = { s0, s1, s2 };
	size_t lens[3] = { l0, l1, l2 };

	memset(e, 0, sizeof(*e));
	return gpg_verify(fx->v, data, len, sigs, lens, n, thr, now,
	    "manifest.json", out, e);
}
#define VERIFY1(fx, e, s, l) fx_verify(fx, (fx)->data, (fx)->len, 1,	\
	time(NULL), NULL, e, 1, s, l, NULL, 0, NULL, 0)

/* Assert a refusal: code, where, and a message substring. */
#define assert_refused(e, want_code, substr) do {			\
	assert_int_equal((e)->code, want_code);				\
	assert_string_equal((e)->where, "manifest.json");		\
	if (strstr((e)->msg, substr) == NULL)				\
		fail_msg("message \"%s\" lacks \"%s\"", (e)->msg, substr);\
} while (0)

static inline struct fx *
fx_get(void **state, const char *test)
{
	struct fx *fx = *state;

	if (fx == NULL) {
		printf("SKIP %s: FERRY_TEST_KEYS is not set (run "
		    "tests/lib/mkkeys.sh DIR and export it)\n", test);
		skip();
	}
	fx->pending++;			/* undone by FX_PASS */
	return fx;
}
#define FX_PASS(fx) ((fx)->pending--)

static inline int
fx_setup(void **state)
{
	const char *keys = getenv("FERRY_TEST_KEYS");
	struct fy_err e = { 0 };
	struct fx *fx;
	char p[PATH_MAX + 16];
	size_t n;
	int i;

	*state = NULL;
	if (keys == NULL || *keys == '\0')
		return 0;
	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	snprintf(fx->keys, sizeof(fx->keys), "%s", keys);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/ferry-test-gpg.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->home, sizeof(fx->home), "%s/home", fx->dir);
	snprintf(fx->pinned, sizeof(fx->pinned), "%s/pinned.gpg", keys);
	fx_sh("cp -a %s/home %s && rm -f %s/S.*", keys, fx->home, fx->home);
	for (i = 0; i < NKEYS; i++) {
		char *b;

		snprintf(p, sizeof(p), "%s/%s.fpr", keys, key_name[i]);
		b = (char *)fx_read(p, &n);
		b[n] = '\0';
		snprintf(fx->fpr[i], GPG_FPR_MAX, "%.*s", (int)strcspn(b, "\n"),
		    b);
		free(b);
		if (i != K_EVIL)
			fx->pins[fx->npins++] = fx->fpr[i];
	}
	fx->len = 4096;
	fx->data = malloc(fx->len);
	for (n = 0; n < fx->len; n++)
		fx->data[n] = (uint8_t)("{\"ferry\": 1}\n"[n % 13]);
	snprintf(p, sizeof(p), "%s/data", fx->dir);
	fx_write(p, fx->data, fx->len);
	if (gpg_verifier_new(fx->pinned, fx->pins, fx->npins, &fx->v, &e) != 0)
		fail_msg("gpg_verifier_new: %s: %s", e.where, e.msg);
	*state = fx;
	return 0;
}

static inline int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	if (fx == NULL)
		return 0;
	gpg_verifier_free(fx->v);
	fx_sh("gpgconf --homedir %s --kill all >/dev/null 2>&1 || true",
	    fx->home);
	if (fx->pending > 0)
		printf("kept scratch directory %s\n", fx->dir);
	else
		fx_sh("rm -rf %s", fx->dir);
	free(fx->data);
	free(fx);
	return 0;
}

#endif
