/* SPDX-License-Identifier: MIT */
/*
 * gpg_home: the verifier's private GNUPGHOME (RELIABILITY.md §6 items 1-3).
 * Invariant: the home is a fresh 0700 directory that only this verifier
 * uses; its gpg.conf forbids key retrieval and agent start-up and turns off
 * gpg's own time checks (verify/gpg_verify.c judges time against the
 * caller's trusted time); it holds only keys from the client's pinned
 * keyring or from verified key-set statements, never secret keys; and it
 * is deleted by gpg_verifier_free().
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

#include "core/i18n.h"
#include "core/io.h"
#include "verify/gpg_int.h"

extern char **environ;

static const char gpg_conf[] =
	"# written by ferry: private verification home, removed after use\n"
	"no-auto-key-retrieve\n"
	"no-auto-key-locate\n"
	"no-autostart\n"
	"ignore-time-conflict\n"
	"ignore-valid-from\n";

static int
make_home(char *home, size_t size, struct fy_err *e)
{
	const char *tmp = getenv("TMPDIR");
	char conf[PATH_MAX];
	int fd, rc;

	if (tmp == NULL || *tmp != '/')
		tmp = "/tmp";
	if (snprintf(home, size, "%s/ferry-gpg.XXXXXX", tmp) >= (int)size)
		return fy_fail(e, FY_E_INTERNAL, tmp, "TMPDIR path too long");
	if (mkdtemp(home) == NULL) {		/* mode 0700 */
		home[0] = '\0';			/* nothing to remove */
		return fy_fail_errno(e, FY_E_IO, tmp,
		    _("cannot create a private "
		    "GnuPG home"));
	}
	/* A temp file nobody else can see: no fsync needed. */
	if (snprintf(conf, sizeof(conf), "%s/gpg.conf", home) >=
	    (int)sizeof(conf) ||
	    (fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return fy_fail_errno(e, FY_E_IO, home, _("cannot create "
		    "gpg.conf"));
	rc = io_write_all(fd, gpg_conf, sizeof(gpg_conf) - 1, conf, e);
	if (close(fd) == -1 && rc == 0)
		rc = fy_fail_errno(e, FY_E_IO, conf, "close failed");
	return rc;
}

/* An agent should never run here (no-autostart); if one does, stop it
 * before its home disappears. */
static void
kill_agent(const char *home)
{
	char sock[PATH_MAX];
	char *argv[] = { "gpgconf", "--homedir", (char *)home, "--kill", "all",
	    NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;

	if (snprintf(sock, sizeof(sock), "%s/S.gpg-agent", home) >=
	    (int)sizeof(sock) || access(sock, F_OK) != 0)
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
		if (strcasecmp(v->pinned[i], fpr) == 0)
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

int
gpg_verifier_new(const char *keyring, const char *const *pinned,
    size_t npinned, struct gpg_verifier **out, struct fy_err *e)
{
	struct gpg_verifier *v = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (keyring == NULL)
		return fy_fail(e, FY_E_CONFIG, "gpg", _("no pinned keyring"));
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return fy_fail(e, FY_E_INTERNAL, keyring, "out of memory");
	if (gpg_verifier_pin(v, pinned, npinned, e) == -1)
		goto out;
	if (io_read_bounded(AT_FDCWD, keyring, LIMIT_KEYSET_BYTES, &buf, &len,
	    e) == -1) {
		/* Missing, too big or not a regular file: the client's
		 * configuration is wrong, not a medium. */
		if (e != NULL && (e->code == FY_E_FORMAT ||
		    e->code == FY_E_INCOMPLETE || e->code == FY_E_UNSAFE))
			e->code = FY_E_CONFIG;
		goto out;
	}
	if (make_home(v->home, sizeof(v->home), e) == -1 ||
	    gpg_ctx_open(v->home, &v->ctx, e) == -1 ||
	    import_keys(v, buf, len, FY_E_CONFIG, keyring, e) == -1)
		goto out;
	*out = v;
	v = NULL;
	rc = 0;
out:
	free(buf);
	gpg_verifier_free(v);
	return rc;
}

int
gpg_verifier_import(struct gpg_verifier *v, const uint8_t *keys, size_t len,
    struct fy_err *e)
{
	return import_keys(v, keys, len, FY_E_FORMAT, "key set", e);
}

void
gpg_verifier_free(struct gpg_verifier *v)
{
	struct fy_err ignored = { 0 };

	if (v == NULL)
		return;
	gpgme_release(v->ctx);
	if (v->home[0] != '\0') {
		kill_agent(v->home);
		io_remove_tree(AT_FDCWD, v->home, &ignored);
	}
	free(v->pinned);
	free(v);
}
