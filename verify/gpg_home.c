/* SPDX-License-Identifier: MIT */
/*
 * gpg_home: the verifier's private GNUPGHOME (../shared/RELIABILITY.md §6
 * items 1-3).
 * Invariant: the home is a 0700 directory that only this verifier uses,
 * or a cached one (gpg_cache.c) that nobody writes to once built; its
 * gpg.conf forbids key retrieval and agent start-up, takes no lock files
 * and never rewrites the trust database on its own (nothing writes to a
 * home that others may read; ferry never reads validity or ownertrust:
 * gpg_verify.c) and turns off gpg's own
 * time checks (verify/gpg_verify.c judges time against the caller's
 * trusted time); it holds only keys from the client's pinned keyring (the
 * keys in it that are pinned, or all of it when gpg_pinned.c cannot tell)
 * or from verified key-set statements, never secret keys; a temporary
 * home is deleted by gpg_verifier_free(), a cached one holds exactly the
 * bytes imported from the pinned keyring and is left for the next run.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "core/io.h"
#include "verify/gpg_int.h"

extern char **environ;

const char gpg_home_conf[] =
	"# written by ferry: private verification home\n"
	"no-auto-key-retrieve\n"
	"no-auto-key-locate\n"
	"no-autostart\n"
	"lock-never\n"
	"no-auto-check-trustdb\n"
	"ignore-time-conflict\n"
	"ignore-valid-from\n";
/* GnuPG >= 2.4 would otherwise make new homes use keyboxd, a daemon. */
const char gpg_home_common[] =
	"# written by ferry: no keyboxd, keys in pubring.kbx\n";

static int
write_conf(const char *home, const char *name, const char *text,
    struct fy_err *e)
{
	char path[PATH_MAX];
	int fd, rc;

	/* A file nobody else can see: no fsync needed. */
	if (snprintf(path, sizeof(path), "%s/%s", home, name) >=
	    (int)sizeof(path) ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return fy_fail_errno(e, FY_E_IO, home, _("cannot create "
		    "gpg.conf"));
	rc = io_write_all(fd, text, strlen(text), path, e);
	if (close(fd) == -1 && rc == 0)
		rc = fy_fail_errno(e, FY_E_IO, path, "close failed");
	return rc;
}

int
gpg_home_write_conf(const char *home, struct fy_err *e)
{
	if (write_conf(home, "gpg.conf", gpg_home_conf, e) == -1 ||
	    write_conf(home, "common.conf", gpg_home_common, e) == -1)
		return -1;
	return 0;
}

static int
make_home(char *home, size_t size, struct fy_err *e)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp != '/')
		tmp = "/tmp";
	if (snprintf(home, size, "%s/ferry-gpg.XXXXXX", tmp) >= (int)size) {
		home[0] = '\0';			/* nothing to remove */
		return fy_fail(e, FY_E_INTERNAL, tmp, "TMPDIR path too long");
	}
	if (mkdtemp(home) == NULL) {		/* mode 0700 */
		home[0] = '\0';			/* nothing to remove */
		return fy_fail_errno(e, FY_E_IO, tmp,
		    _("cannot create a private "
		    "GnuPG home"));
	}
	return gpg_home_write_conf(home, e);
}

/* An agent or keyboxd should never run here (no-autostart, common.conf);
 * if one does, stop it before its home disappears. */
static void
kill_agent(const char *home)
{
	char sock[PATH_MAX];
	char *argv[] = { "gpgconf", "--homedir", (char *)home, "--kill", "all",
	    NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;

	if (snprintf(sock, sizeof(sock), "%s/S.gpg-agent", home) >=
	    (int)sizeof(sock) || (access(sock, F_OK) != 0 &&
	    (snprintf(sock, sizeof(sock), "%s/S.keyboxd", home) >=
	    (int)sizeof(sock) || access(sock, F_OK) != 0)))
		return;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "gpgconf", &fa, NULL, argv, environ) == 0)
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	posix_spawn_file_actions_destroy(&fa);
}

/* Import public keys from memory.  `code` is what a refusal is (a client
 * keyring: FY_E_CONFIG; a key-set statement: FY_E_FORMAT). */
static int
import_keys(struct gpg_verifier *v, const uint8_t *keys, size_t len,
    enum fy_code code, const char *where, struct fy_err *e)
{
	gpgme_data_t d = NULL;
	gpgme_import_result_t r;
	gpgme_error_t err;
	int rc = -1;

	if (len == 0 || len > LIMIT_KEYSET_BYTES)
		return fy_fail(e, code, where,
		    _("keyring is %zu bytes, expected "
		    "1 to %u"), len, LIMIT_KEYSET_BYTES);
	gpg_keys_drop(v);
	if ((err = gpgme_data_new_from_mem(&d, (const char *)keys, len, 0)))
		return fy_fail(e, FY_E_INTERNAL, where, "gpgme: %s",
		    gpgme_strerror(err));
	if ((err = gpgme_op_import(v->ctx, d)) != 0) {
		fy_fail(e, code, where, _("cannot import keys: %s"),
		    gpgme_strerror(err));
		goto out;
	}
	r = gpgme_op_import_result(v->ctx);
	if (r != NULL && r->secret_read != 0) {
		fy_fail(e, code, where, _("holds secret keys; export only the "
		    "public keys"));
		goto out;
	}
	if (r == NULL || r->considered == 0) {
		fy_fail(e, code, where, _("no OpenPGP public key found"));
		goto out;
	}
	if (r->not_imported != 0) {
		fy_fail(e, code, where,
		    _("%d of %d keys could not be imported"),
		    r->not_imported, r->considered);
		goto out;
	}
	rc = 0;
out:
	gpgme_data_release(d);
	return rc;
}

int
gpg_is_pinned(const struct gpg_verifier *v, const char *fpr)
{
	size_t i;

	for (i = 0; fpr != NULL && i < v->npinned; i++)
		if (asc_casecmp(v->pinned[i], fpr) == 0)
			return 1;
	return 0;
}

int
gpg_verifier_pin(struct gpg_verifier *v, const char *const *pinned,
    size_t npinned, struct fy_err *e)
{
	char (*set)[GPG_FPR_MAX];
	size_t i;

	if (npinned == 0)
		return fy_fail(e, FY_E_CONFIG, "gpg", _("no pinned key "
		    "fingerprints"));
	if ((set = calloc(npinned, sizeof(*set))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, "gpg", "out of memory");
	for (i = 0; i < npinned; i++) {
		if (pinned[i] == NULL || strlen(pinned[i]) >= sizeof(set[i]) ||
		    !gpg_fpr_normalise(strcpy(set[i], pinned[i]))) {
			free(set);
			return fy_fail(e, FY_E_CONFIG, "gpg", _("pinned key "
			    "%.80s is not a full 40 or 64 hex digit "
			    "fingerprint"), pinned[i] ? pinned[i] : "(null)");
		}
	}
	free(v->pinned);
	v->pinned = set;
	v->npinned = npinned;
	return 0;
}

/* Remove a temporary home (a cache build that was not published too, and
 * then the cache folder if that left it empty). */
static void
drop_home(struct gpg_verifier *v)
{
	struct fy_err ignored = { 0 };

	if (v->home[0] != '\0' && !v->cached) {
		kill_agent(v->home);
		io_remove_tree(AT_FDCWD, v->home, &ignored);
		if (v->cache.dir[0] != '\0')
			(void)rmdir(v->cache.dir);	/* only if empty */
	}
	v->home[0] = '\0';
	v->cache.dir[0] = '\0';
}

/* A cached home never takes more keys: move to a temporary home that
 * holds the bytes of v->ring, as an uncached verifier would have. */
static int
leave_cache(struct gpg_verifier *v, struct fy_err *e)
{
	char home[PATH_MAX];

	if (make_home(home, sizeof(home), e) == -1) {
		if (home[0] != '\0')
			io_remove_tree(AT_FDCWD, home, &(struct fy_err){ 0 });
		return -1;
	}
	if (gpg_ctx_rehome(v->ctx, home, e) == -1) {
		io_remove_tree(AT_FDCWD, home, &(struct fy_err){ 0 });
		return -1;
	}
	v->rehome = 0;
	gpg_keys_drop(v);
	gpgme_release(v->lctx);		/* names the cached home */
	v->lctx = NULL;
	snprintf(v->home, sizeof(v->home), "%s", home);
	v->cached = 0;
	return import_keys(v, v->ring, v->ringlen, FY_E_CONFIG, "keyring", e);
}

/* Try the cache: a valid entry, or a build folder holding the pinned
 * keys, published by gpg_verifier_keep() once a verification through it
 * succeeded.  0 with v->home and v->ctx set up (keys in); -1 with v->ctx
 * released and v->home cleared when the cache did not work (the caller
 * goes on without it), or -1 with *bad set when gpg is not usable. */
static int
open_cached(struct gpg_verifier *v, const struct gpg_cache *c,
    const char *keyring, int *bad, struct fy_err *e)
{
	struct fy_err ce = { 0 };
	uint8_t *facts = NULL;
	size_t factslen = 0;

	if (gpg_cache_find(c, v->ring, v->ringlen, v->home,
	    sizeof(v->home), &facts, &factslen) == 0) {
		v->cached = 1;
		/* The keys' facts, kept with them: no listing.  (If they
		 * did not load, the keys are listed as in any home.) */
		(void)gpg_facts_load(v, facts, factslen);
		free(facts);
		if (gpg_ctx_open(v->home, &v->ctx, e) == -1) {
			*bad = 1;	/* no engine: the same without cache */
			return -1;
		}
		return 0;
	}
	v->home[0] = '\0';
	if (c->readonly || strlen(c->dir) >= sizeof(v->cache.dir) ||
	    gpg_cache_start(c, v->home, sizeof(v->home)) == -1) {
		v->home[0] = '\0';
		return -1;
	}
	snprintf(v->cache.dir, sizeof(v->cache.dir), "%s", c->dir);
	v->cache.shared = c->shared;
	if (gpg_ctx_open(v->home, &v->ctx, e) == -1) {
		*bad = 1;
		return -1;
	}
	/* A failed import here may be the cache's file system (full,
	 * read-only): the caller tries again in a temporary home, where a
	 * bad keyring fails for real. */
	if (import_keys(v, v->ring, v->ringlen, FY_E_CONFIG, keyring,
	    &ce) == -1) {
		gpg_keys_drop(v);
		gpgme_release(v->ctx);
		v->ctx = NULL;
		drop_home(v);
		return -1;
	}
	v->building = 1;
	return 0;
}

int
gpg_verifier_keep(struct gpg_verifier *v)
{
	struct gpg_cache c = { .dir = v->cache.dir, .shared = v->cache.shared };
	char *facts;
	size_t factslen;
	int rc;

	if (!v->building)
		return 0;
	if (v->pending > 0)
		return -1;	/* a gpg may still read the build folder */
	/* Kept with the keys they describe, so that later runs list none. */
	if (gpg_facts_text(v, &facts, &factslen) == -1)
		return -1;
	rc = gpg_cache_publish(&c, v->ring, v->ringlen, facts, factslen,
	    v->home, sizeof(v->home));
	free(facts);
	if (rc == -1)
		return -1;
	v->building = 0;
	v->cached = 1;
	/* The keys are the same; only the engine's home path moved, which
	 * the context learns before its next operation (if any). */
	v->rehome = 1;
	return 0;
}

int
gpg_ctx_ready(struct gpg_verifier *v, struct fy_err *e)
{
	if (!v->rehome)
		return 0;
	if (gpg_ctx_rehome(v->ctx, v->home, e) == -1)
		return -1;
	gpgme_release(v->lctx);		/* names the build folder */
	v->lctx = NULL;
	v->rehome = 0;
	return 0;
}

/* Only the pinned keys go to gpg: a key nobody pinned can never count,
 * and importing it costs gpg a check of each of its self-signatures
 * (docs/KEYS.md).  The cache entry is named by the bytes imported. */
static void
keep_pinned(struct gpg_verifier *v, const char *const *pinned,
    size_t npinned)
{
	uint8_t *kept;
	size_t keptlen;

	if (gpg_pinned_keys(v->ring, v->ringlen, pinned, npinned, &kept,
	    &keptlen, &v->unpinned, &v->nunpinned) == 1) {
		free(v->ring);
		v->ring = kept;
		v->ringlen = keptlen;
	}
}

static int
verifier_open(const char *keyring, const char *const *pinned,
    size_t npinned, const struct gpg_cache *cache, int whole,
    struct gpg_verifier **out, struct fy_err *e)
{
	struct gpg_verifier *v = NULL;
	int bad = 0, rc = -1;

	if (keyring == NULL)
		return fy_fail(e, FY_E_CONFIG, "gpg", _("no pinned keyring"));
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, keyring, "out of memory");
	if (gpg_verifier_pin(v, pinned, npinned, e) == -1)
		goto out;
	if (io_read_bounded(AT_FDCWD, keyring, LIMIT_KEYSET_BYTES, &v->ring,
	    &v->ringlen, e) == -1) {
		/* Missing, too big or not a regular file: the client's
		 * configuration is wrong, not a medium. */
		if (e != NULL && (e->code == FY_E_FORMAT ||
		    e->code == FY_E_INCOMPLETE || e->code == FY_E_UNSAFE))
			e->code = FY_E_CONFIG;
		goto out;
	}
	if (!whole)
		keep_pinned(v, pinned, npinned);
	if (cache != NULL && cache->dir != NULL && v->ringlen > 0 &&
	    v->ringlen <= LIMIT_KEYSET_BYTES) {
		if (open_cached(v, cache, keyring, &bad, e) == 0)
			goto done;
		if (bad)
			goto out;
		/* The cache did not work: as without one. */
		v->cached = 0;
	}
	if (make_home(v->home, sizeof(v->home), e) == -1 ||
	    gpg_ctx_open(v->home, &v->ctx, e) == -1 ||
	    import_keys(v, v->ring, v->ringlen, FY_E_CONFIG, keyring, e) == -1)
		goto out;
done:
	*out = v;
	v = NULL;
	rc = 0;
out:
	gpg_verifier_free(v);
	return rc;
}

int
gpg_verifier_open(const char *keyring, const char *const *pinned,
    size_t npinned, const struct gpg_cache *cache,
    struct gpg_verifier **out, struct fy_err *e)
{
	return verifier_open(keyring, pinned, npinned, cache, 0, out, e);
}

int
gpg_verifier_new(const char *keyring, const char *const *pinned,
    size_t npinned, struct gpg_verifier **out, struct fy_err *e)
{
	return verifier_open(keyring, pinned, npinned, NULL, 0, out, e);
}

int
gpg_verifier_new_whole(const char *keyring, const char *const *pinned,
    size_t npinned, struct gpg_verifier **out, struct fy_err *e)
{
	return verifier_open(keyring, pinned, npinned, NULL, 1, out, e);
}

int
gpg_verifier_cached(const struct gpg_verifier *v)
{
	return v != NULL && v->cached;
}

int
gpg_verifier_import(struct gpg_verifier *v, const uint8_t *keys, size_t len,
    struct fy_err *e)
{
	if (v->pending > 0)
		return fy_fail(e, FY_E_INTERNAL, "key set", "keys imported "
		    "while a verification is running");
	if (v->cached && leave_cache(v, e) == -1)
		return -1;
	v->building = 0;	/* more than the pinned keys: never kept */
	return import_keys(v, keys, len, FY_E_FORMAT, "key set", e);
}

void
gpg_verifier_free(struct gpg_verifier *v)
{
	if (v == NULL)
		return;
	gpg_keys_drop(v);
	gpgme_release(v->lctx);
	gpgme_release(v->ctx);
	drop_home(v);
	free(v->ring);
	free(v->unpinned);
	free(v->pinned);
	free(v);
}
