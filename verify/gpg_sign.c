/* SPDX-License-Identifier: MIT */
/*
 * gpg_sign: the publisher's side of verify/gpg.h (signing and exporting
 * public keys in the caller's GNUPGHOME, where gpg-agent holds the secret
 * keys), and the GPGME plumbing the verifier shares.  Invariant: what
 * gpg_sign() returns is one binary detached signature made with a SHA-256
 * or stronger digest by the requested key, and it already passes
 * sigframe_check(), so a medium we sign is a medium we accept.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/i18n.h"
#include "verify/gpg_int.h"
#include "verify/sigframe.h"

/*
 * GPGME is set up once per process, for OpenPGP only.  disable-gpgconf
 * keeps it from running gpgconf (--list-dirs, --list-components,
 * --version) to find its engines, which also leaves gpgsm unknown, so it
 * is never started for its version; gpg is found on PATH once, and every
 * context names that file explicitly.  What remains per process: the one
 * "gpg --version" of GPGME's engine table, and one each time engine
 * information names another home: GPGME runs that probe whenever engine
 * information is set (gpgme_set_engine_info and gpgme_ctx_set_engine_info
 * alike, src/engine.c _gpgme_set_engine_info), and a new context copies
 * the process-wide information.  So gpg_ctx_open() sets the process-wide
 * home and opens contexts from it, and a second context on the same home
 * (a key listing beside a verify) starts no gpg.
 *
 * A process that never uses gpg's default home (the client tools, which
 * call gpg_home_by_env() first) saves that probe for its first home: the
 * engine information keeps no home (so gpg gets no --homedir) and
 * GNUPGHOME names it instead, set once, while the process runs one
 * thread, before its first context.  Other homes go through the engine
 * information as above; a child that is not gpg gets the GNUPGHOME the
 * process started with back (gpg_env_child()).
 */
/* GPGME's set-up and its engine table (the one "gpg --version"), once;
 * gpg_engine_prefetch() may run it on a thread while the process reads
 * its medium. */
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static gpgme_error_t engine_err;
static char engine_file[PATH_MAX];
static pthread_mutex_t prefetch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t prefetch_th;
static int prefetching;

static void
engine_init(void)
{
	gpgme_engine_info_t info = NULL;

	/* Before gpgme_check_version(), as GPGME requires. */
	gpgme_set_global_flag("disable-gpgconf", "1");
	gpgme_check_version(NULL);
	if ((engine_err = gpgme_engine_check_version(
	    GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (engine_err = gpgme_get_engine_info(&info)) != 0)
		return;
	for (; info != NULL; info = info->next)
		if (info->protocol == GPGME_PROTOCOL_OpenPGP &&
		    info->file_name != NULL &&
		    strlen(info->file_name) < sizeof(engine_file))
			strcpy(engine_file, info->file_name);
}

static void *
prefetch_run(void *arg)
{
	(void)arg;
	pthread_once(&engine_once, engine_init);
	return NULL;
}

/* Wait for the prefetch, if one runs (also at exit: never leave the
 * thread in the middle of starting gpg). */
static void
prefetch_join(void)
{
	pthread_mutex_lock(&prefetch_lock);
	if (prefetching) {
		pthread_join(prefetch_th, NULL);
		prefetching = 0;
	}
	pthread_mutex_unlock(&prefetch_lock);
}

void
gpg_engine_prefetch(void)
{
	static int registered;

	pthread_mutex_lock(&prefetch_lock);
	if (!prefetching && !registered && atexit(prefetch_join) == 0) {
		registered = 1;
		if (pthread_create(&prefetch_th, NULL, prefetch_run,
		    NULL) == 0)
			prefetching = 1;
	}
	pthread_mutex_unlock(&prefetch_lock);
}

static const char *
engine_path(struct fy_err *e)
{
	prefetch_join();
	pthread_once(&engine_once, engine_init);
	if (engine_err != 0) {
		fy_fail(e, FY_E_INTERNAL, "gpg", _("no usable gpg engine: %s"),
		    gpgme_strerror(engine_err));
		return NULL;
	}
	if (engine_file[0] == '\0') {
		fy_fail(e, FY_E_INTERNAL, "gpg", _("no usable gpg engine: %s"),
		    "gpg not found");
		return NULL;
	}
	return engine_file;
}

int
gpg_ctx_rehome(gpgme_ctx_t ctx, const char *home, struct fy_err *e)
{
	const char *gpg = engine_path(e);
	gpgme_error_t err;

	if (gpg == NULL)
		return -1;
	if ((err = gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, gpg,
	    home)) != 0)
		return fy_fail(e, FY_E_INTERNAL, "gpg", "cannot set up the gpg "
		    "engine: %s", gpgme_strerror(err));
	return 0;
}

/* The home the process-wide engine information names ("" for gpg's
 * default), valid when engine_homed; with env_home[0], the home GNUPGHOME
 * names (the engine information then names none for it). */
static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;
static char engine_home[PATH_MAX];
static int engine_homed;
static int env_allowed;
static char env_home[PATH_MAX];
static char *env_orig;		/* GNUPGHOME at start, or NULL */

void
gpg_home_by_env(void)
{
	env_allowed = 1;
}

void
gpg_env_child(void)
{
	if (env_home[0] == '\0')
		return;
	if (env_orig != NULL)
		setenv("GNUPGHOME", env_orig, 1);
	else
		unsetenv("GNUPGHOME");
}

/* Does GNUPGHOME name `home` for the contexts that name no home? */
static int
env_names(const char *home)
{
	const char *v;

	return home != NULL && env_home[0] != '\0' &&
	    strcmp(env_home, home) == 0 && (v = getenv("GNUPGHOME")) != NULL &&
	    strcmp(v, home) == 0;
}

/* Let GNUPGHOME name `home`: the first home of a process that allows it,
 * before any other (the engine information still names none). */
static void
env_take(const char *home)
{
	const char *v;

	if (!env_allowed || env_home[0] != '\0' || engine_homed ||
	    home == NULL || home[0] == '\0' || strlen(home) >= sizeof(env_home))
		return;
	if ((v = getenv("GNUPGHOME")) != NULL &&
	    (env_orig = strdup(v)) == NULL)
		return;
	if (setenv("GNUPGHOME", home, 1) != 0) {
		free(env_orig);
		env_orig = NULL;
		return;
	}
	snprintf(env_home, sizeof(env_home), "%s", home);
	snprintf(engine_home, sizeof(engine_home), "%s", home);
	engine_homed = 1;
}

/* A new context whose engine is gpg with home `home`. */
static gpgme_error_t
new_ctx(const char *gpg, const char *home, gpgme_ctx_t *ctx)
{
	gpgme_error_t err = 0;
	const char *want = home != NULL ? home : "";

	if (strlen(want) >= sizeof(engine_home))
		return gpg_error(GPG_ERR_INV_VALUE);
	pthread_mutex_lock(&engine_lock);
	env_take(home);
	if (!engine_homed || strcmp(engine_home, want) != 0) {
		engine_homed = 0;
		/* gpg's default home cannot be named once GNUPGHOME names
		 * ours; the home GNUPGHOME names is named by naming none */
		if (home == NULL && env_home[0] != '\0')
			err = gpg_error(GPG_ERR_INV_VALUE);
		else
			err = gpgme_set_engine_info(GPGME_PROTOCOL_OpenPGP,
			    gpg, env_names(home) ? NULL : home);
		if (err == 0) {
			snprintf(engine_home, sizeof(engine_home), "%s", want);
			engine_homed = 1;
		}
	}
	if (err == 0)
		err = gpgme_new(ctx);	/* copies the engine information */
	pthread_mutex_unlock(&engine_lock);
	return err;
}

int
gpg_ctx_open(const char *home, gpgme_ctx_t *out, struct fy_err *e)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_engine_info_t info;
	gpgme_error_t err;
	const char *gpg;

	if ((gpg = engine_path(e)) == NULL)
		return -1;
	if ((err = new_ctx(gpg, home, &ctx)) != 0)
		return fy_fail(e, FY_E_INTERNAL, "gpg", "cannot create a GPGME "
		    "context: %s", gpgme_strerror(err));
	if ((err = gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP)) != 0) {
		gpgme_release(ctx);
		return fy_fail(e, FY_E_INTERNAL, "gpg", "cannot set up the gpg "
		    "engine: %s", gpgme_strerror(err));
	}
	/* What the context will run: that gpg, in that home, nothing else. */
	for (info = gpgme_ctx_get_engine_info(ctx); info != NULL;
	    info = info->next)
		if (info->protocol == GPGME_PROTOCOL_OpenPGP)
			break;
	if (info == NULL || info->file_name == NULL ||
	    strcmp(info->file_name, gpg) != 0 || (home != NULL &&
	    (info->home_dir == NULL ? !env_names(home) :
	    strcmp(info->home_dir, home) != 0))) {
		gpgme_release(ctx);
		return fy_fail(e, FY_E_INTERNAL, "gpg", "cannot set up the gpg "
		    "engine: %s", "the context names another home");
	}
	gpgme_set_offline(ctx, 1);
	gpgme_set_armor(ctx, 0);
	gpgme_set_textmode(ctx, 0);
	*out = ctx;
	return 0;
}

int
gpg_data_take(gpgme_data_t d, uint8_t **out, size_t *outlen,
    const char *where, struct fy_err *e)
{
	size_t n = 0;
	char *mem = gpgme_data_release_and_get_mem(d, &n);
	uint8_t *copy;

	if (mem == NULL || n == 0) {
		gpgme_free(mem);
		return fy_fail(e, FY_E_INTERNAL, where, "gpg produced no "
		    "output");
	}
	if ((copy = malloc(n)) == NULL) {
		gpgme_free(mem);
		return fy_fail(e, FY_E_INTERNAL, where, "out of memory");
	}
	memcpy(copy, mem, n);
	gpgme_free(mem);
	*out = copy;
	*outlen = n;
	return 0;
}

int
gpg_fpr_normalise(char *fpr)
{
	size_t i, n;

	if (fpr == NULL)
		return 0;
	n = strlen(fpr);
	if (n != 40 && n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!asc_xdigit((unsigned char)fpr[i]))
			return 0;
	for (i = 0; i < n; i++)
		fpr[i] = (char)asc_toupper((unsigned char)fpr[i]);
	return 1;
}

/* Did key k make signature s (primary or one of its subkeys)? */
static int
made_by(gpgme_key_t k, const char *sfpr)
{
	gpgme_subkey_t sk;

	for (sk = k->subkeys; sfpr != NULL && sk != NULL; sk = sk->next)
		if (sk->fpr != NULL && asc_casecmp(sk->fpr, sfpr) == 0)
			return 1;
	return 0;
}

static int
check_sign_result(gpgme_ctx_t ctx, gpgme_key_t key, const char *fpr,
    struct fy_err *e)
{
	gpgme_sign_result_t r = gpgme_op_sign_result(ctx);
	gpgme_new_signature_t s;

	if (r == NULL || r->invalid_signers != NULL)
		return fy_fail(e, FY_E_SIGNATURE, fpr, _("key cannot sign: %s"),
		    r && r->invalid_signers ?
		    gpgme_strerror(r->invalid_signers->reason) : "no result");
	if ((s = r->signatures) == NULL || s->next != NULL)
		return fy_fail(e, FY_E_SIGNATURE, fpr, _("gpg made %s "
		    "signatures, expected one"), s == NULL ? "no" : "several");
	if (s->type != GPGME_SIG_MODE_DETACH || s->sig_class != 0x00)
		return fy_fail(e, FY_E_SIGNATURE, fpr, _("gpg made a signature "
		    "of class 0x%02x, not a binary detached one"),
		    s->sig_class);
	if (!made_by(key, s->fpr))
		return fy_fail(e, FY_E_SIGNATURE, fpr,
		    _("gpg signed with key %s "
		    "instead"), s->fpr ? s->fpr : "(unknown)");
	if (s->hash_algo != GPGME_MD_SHA256 &&
	    s->hash_algo != GPGME_MD_SHA384 &&
	    s->hash_algo != GPGME_MD_SHA512)
		return fy_fail(e, FY_E_SIGNATURE, fpr,
		    _("gpg signed with digest "
		    "%s; set personal-digest-preferences SHA256 for this key"),
		    gpgme_hash_algo_name(s->hash_algo) ?
		    gpgme_hash_algo_name(s->hash_algo) : "(unknown)");
	return 0;
}

int
gpg_sign(const char *gnupghome, const char *fpr, const uint8_t *data,
    size_t len, uint8_t **sig, size_t *siglen, struct fy_err *e)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_key_t key = NULL;
	gpgme_data_t in = NULL, outd = NULL;
	gpgme_error_t err;
	char want[GPG_FPR_MAX];
	uint8_t *buf = NULL;
	size_t n = 0;
	int r, rc = -1;

	if (fpr == NULL || strlen(fpr) >= sizeof(want))
		return fy_fail(e, FY_E_CONFIG, "gpg", "signing key is not a "
		    "full fingerprint");
	strcpy(want, fpr);
	if (!gpg_fpr_normalise(want))
		return fy_fail(e, FY_E_CONFIG, fpr,
		    _("signing key is not a full "
		    "fingerprint"));
	if (gpg_ctx_open(gnupghome, &ctx, e) == -1)
		return -1;
	if ((err = gpgme_get_key(ctx, want, &key, 1)) != 0 || key == NULL ||
	    asc_casecmp(key->fpr, want) != 0) {
		fy_fail(e, FY_E_CONFIG, want, _("no secret key with this "
		    "fingerprint in %s"),
		    gnupghome ? gnupghome : _("the default "
		    "GnuPG home"));
		goto out;
	}
	if ((err = gpgme_signers_add(ctx, key)) != 0 ||
	    (err = gpgme_data_new_from_mem(&in, (const char *)data, len,
	    0)) != 0 || (err = gpgme_data_new(&outd)) != 0) {
		fy_fail(e, FY_E_INTERNAL, want, "gpgme setup: %s",
		    gpgme_strerror(err));
		goto out;
	}
	if ((err = gpgme_op_sign(ctx, in, outd, GPGME_SIG_MODE_DETACH)) != 0) {
		fy_fail(e, FY_E_SIGNATURE, want, _("signing failed: %s"),
		    gpgme_strerror(err));
		goto out;
	}
	if (check_sign_result(ctx, key, want, e) == -1)
		goto out;
	r = gpg_data_take(outd, &buf, &n, want, e);
	outd = NULL;
	if (r == -1 || sigframe_check(buf, n, want, NULL, e) == -1)
		goto out;
	*sig = buf;
	*siglen = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	gpgme_data_release(outd);
	gpgme_data_release(in);
	gpgme_key_unref(key);
	gpgme_release(ctx);
	return rc;
}

int
gpg_export(const char *gnupghome, const char *const *fprs, size_t n,
    uint8_t **out, size_t *outlen, struct fy_err *e)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_key_t key = NULL;
	gpgme_data_t d = NULL;
	gpgme_error_t err;
	const char **pat = NULL;
	char (*want)[GPG_FPR_MAX] = NULL;
	size_t i;
	int rc = -1;

	if (n == 0)
		return fy_fail(e, FY_E_USAGE, "gpg", _("no key to export"));
	if ((pat = calloc(n + 1, sizeof(*pat))) == NULL ||
	    (want = calloc(n, sizeof(*want))) == NULL) {
		fy_fail(e, FY_E_INTERNAL, "gpg", "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (fprs[i] == NULL || strlen(fprs[i]) >= sizeof(want[i]) ||
		    !gpg_fpr_normalise(strcpy(want[i], fprs[i]))) {
			fy_fail(e, FY_E_CONFIG, "gpg", _("key %.80s is not a "
			    "full fingerprint"), fprs[i] ? fprs[i] : "(null)");
			goto out;
		}
		pat[i] = want[i];
	}
	if (gpg_ctx_open(gnupghome, &ctx, e) == -1)
		goto out;
	/* Export would silently skip a missing key: look each one up. */
	for (i = 0; i < n; i++) {
		if ((err = gpgme_get_key(ctx, want[i], &key, 0)) != 0 ||
		    key == NULL || asc_casecmp(key->fpr, want[i]) != 0) {
			fy_fail(e, FY_E_CONFIG, want[i], _("no public key with "
			    "this fingerprint in %s"), gnupghome ? gnupghome :
			    _("the default GnuPG home"));
			goto out;
		}
		gpgme_key_unref(key);
		key = NULL;
	}
	if ((err = gpgme_data_new(&d)) != 0 ||
	    (err = gpgme_op_export_ext(ctx, pat, 0, d)) != 0) {
		fy_fail(e, FY_E_INTERNAL, "gpg", "export failed: %s",
		    gpgme_strerror(err));
		goto out;
	}
	rc = gpg_data_take(d, out, outlen, "gpg", e);
	d = NULL;
out:
	gpgme_key_unref(key);
	gpgme_data_release(d);
	gpgme_release(ctx);
	free(want);
	free(pat);
	return rc;
}
