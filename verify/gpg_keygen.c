/* SPDX-License-Identifier: MIT */
/*
 * gpg_keygen: a client's own signing key for its reports (verify/gpg.h):
 * ed25519, signing only, no expiry, no passphrase, made by GnuPG in a
 * private 0700 home that holds nothing else.  The secret key never
 * enters ferry's memory; gpg-agent is stopped after every use, so no
 * daemon outlives the command.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>

#include "core/i18n.h"
#include "verify/gpg_int.h"

extern char **environ;

void
gpg_stop_agent(const char *home)
{
	char *argv[] = { "gpgconf", "--homedir", (char *)home, "--kill",
	    "gpg-agent", NULL };
	posix_spawn_file_actions_t fa;
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };
	char sock[PATH_MAX];
	pid_t pid;
	int i;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "gpgconf", &fa, NULL, argv, environ) == 0)
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
	posix_spawn_file_actions_destroy(&fa);
	/* KILLAGENT returns before the agent is gone: wait (at most 5 s)
	 * until its socket is, so the next gpg in this home cannot meet a
	 * dying agent ("no secret key"). */
	if (snprintf(sock, sizeof(sock), "%s/S.gpg-agent", home) <
	    (int)sizeof(sock))
		for (i = 0; i < 500 && access(sock, F_OK) == 0; i++)
			nanosleep(&ms10, NULL);
}

/* The one secret key of home: 1 found (fpr filled), 0 none, -1 error
 * (more than one is an error: the home is not ferry's). */
static int
find_key(gpgme_ctx_t ctx, const char *home, char fpr[GPG_FPR_MAX],
    struct fy_err *e)
{
	gpgme_key_t k = NULL;
	gpgme_error_t err;
	int n = 0;

	if ((err = gpgme_op_keylist_start(ctx, NULL, 1)) != 0)
		return fy_fail(e, FY_E_INTERNAL, home, "gpg key listing: %s",
		    gpgme_strerror(err));
	while (gpgme_op_keylist_next(ctx, &k) == 0) {
		if (n++ == 0 && k->fpr != NULL && strlen(k->fpr) < GPG_FPR_MAX)
			snprintf(fpr, GPG_FPR_MAX, "%s", k->fpr);
		gpgme_key_unref(k);
	}
	gpgme_op_keylist_end(ctx);
	if (n > 1)
		return fy_fail(e, FY_E_CONFIG, home, _("holds %d secret keys; "
		    "the report key home holds exactly one"), n);
	return n == 1 && gpg_fpr_normalise(fpr) ? 1 : 0;
}

int
gpg_keygen(const char *home, const char *uid, int create,
    char fpr[GPG_FPR_MAX], int *made, struct fy_err *e)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_error_t err;
	gpgme_genkey_result_t g;
	struct stat st;
	int r, rc = -1;

	*made = 0;
	if (lstat(home, &st) == -1) {
		if (errno == ENOENT && !create)
			return fy_fail(e, FY_E_CONFIG, home, _("no report key: "
			    "run applymedia enroll"));
		if (errno != ENOENT)
			return fy_fail_errno(e, FY_E_IO, home, _("cannot "
			    "inspect the report key home"));
		if (mkdir(home, 0700) == -1)
			return fy_fail_errno(e, FY_E_IO, home, _("cannot create "
			    "the report key home"));
		if (lstat(home, &st) == -1)
			return fy_fail_errno(e, FY_E_IO, home, "lstat");
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0)
		return fy_fail(e, FY_E_CONFIG, home, _("the report key home must "
		    "be a folder of ours with mode 0700"));
	if (gpg_ctx_open(home, &ctx, e) == -1)
		return -1;
	if ((r = find_key(ctx, home, fpr, e)) == -1)
		goto out;
	if (r == 0 && !create) {
		fy_fail(e, FY_E_CONFIG, home, _("no report key: run "
		    "applymedia enroll"));
		goto out;
	}
	if (r == 0) {
		if ((err = gpgme_op_createkey(ctx, uid, "ed25519", 0, 0, NULL,
		    GPGME_CREATE_SIGN | GPGME_CREATE_NOPASSWD |
		    GPGME_CREATE_NOEXPIRE | GPGME_CREATE_FORCE)) != 0 ||
		    (g = gpgme_op_genkey_result(ctx)) == NULL ||
		    g->fpr == NULL || strlen(g->fpr) >= GPG_FPR_MAX) {
			fy_fail(e, FY_E_INTERNAL, home, _("gpg could not make "
			    "the report key: %s"), gpgme_strerror(err));
			goto out;
		}
		snprintf(fpr, GPG_FPR_MAX, "%s", g->fpr);
		gpg_fpr_normalise(fpr);
		*made = 1;
	}
	rc = 0;
out:
	gpgme_release(ctx);
	return rc;
}

int
gpg_key_extract(const char *keyfile, const char *fpr, uint8_t **out,
    size_t *outlen, struct fy_err *e)
{
	struct gpg_verifier *v = NULL;
	const char *fprs[1] = { fpr };
	int rc;

	/* The verifier's import refuses secret keys, oversize and
	 * non-OpenPGP files; the export takes exactly the one key. */
	if (gpg_verifier_new(keyfile, fprs, 1, &v, e) == -1)
		return -1;
	rc = gpg_export(v->home, fprs, 1, out, outlen, e);
	if (rc == -1 && e->code == FY_E_CONFIG)
		fy_reword(e, _("holds no key with fingerprint %s"), fpr);
	if (rc == -1)
		snprintf(e->where, sizeof(e->where), "%s", keyfile);
	gpg_verifier_free(v);
	return rc;
}
