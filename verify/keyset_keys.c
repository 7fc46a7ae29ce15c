/* SPDX-License-Identifier: MIT */
/*
 * keyset_keys: keyring files for pinned key sets (keyset.h).  Both
 * functions work in a verifier's private GnuPG home (never the user's),
 * so what they look at is exactly what the files hold.  Invariant: a key
 * is added to a pinned set only when its file holds that one primary key
 * and nothing else, named by its full fingerprint.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ascii.h"
#include "core/io.h"
#include "formats/limits.h"
#include "verify/gpg_int.h"
#include "verify/keyset.h"

int
keyset_key_check(const char *keyfile, const char *fpr, struct fy_err *e)
{
	struct gpg_verifier *v = NULL;
	gpgme_key_t k = NULL;
	char want[GPG_FPR_MAX], other[GPG_FPR_MAX] = "";
	size_t nkeys = 0;
	int rc = -1;

	if (fpr == NULL || strlen(fpr) >= sizeof(want) ||
	    !gpg_fpr_normalise(strcpy(want, fpr)))
		return fy_fail(e, FY_E_USAGE, fpr ? fpr : "(none)", "not a full "
		    "40 or 64 hex digit fingerprint; read it from a second "
		    "channel, never a short key id");
	/* Every key of the file, pinned or not: the check is that it holds
	 * this one key and nothing else. */
	if (gpg_verifier_new_whole(keyfile, (const char *const[]){ want }, 1,
	    &v, e) == -1)
		return -1;
	if (gpgme_op_keylist_start(v->ctx, NULL, 0) != 0) {
		fy_fail(e, FY_E_INTERNAL, keyfile, "cannot list keys");
		goto out;
	}
	while (gpgme_op_keylist_next(v->ctx, &k) == 0) {
		if (nkeys++ == 0 || asc_casecmp(k->fpr, want) != 0)
			snprintf(other, sizeof(other), "%s", k->fpr);
		gpgme_key_unref(k);
	}
	gpgme_op_keylist_end(v->ctx);
	if (nkeys != 1) {
		fy_fail(e, FY_E_CONFIG, keyfile, "holds %zu primary keys; give "
		    "a file with exactly the key %s", nkeys, want);
		goto out;
	}
	if (asc_casecmp(other, want) != 0) {
		fy_fail(e, FY_E_CONFIG, keyfile, "holds key %s, not %s", other,
		    want);
		goto out;
	}
	rc = 0;
out:
	gpg_verifier_free(v);
	return rc;
}

int
keyset_keyring_make(const char *keyring, const char *keyfile,
    const char *const *fprs, size_t n, uint8_t **out, size_t *outlen,
    struct fy_err *e)
{
	struct gpg_verifier *v = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = -1;

	if (gpg_verifier_new(keyring, fprs, n, &v, e) == -1)
		return -1;
	if (keyfile != NULL) {
		if (io_read_bounded(AT_FDCWD, keyfile, LIMIT_KEYSET_BYTES, &buf,
		    &len, e) == -1)
			goto out;
		if (gpg_verifier_import(v, buf, len, e) == -1) {
			e->code = FY_E_CONFIG;
			snprintf(e->where, sizeof(e->where), "%s", keyfile);
			goto out;
		}
	}
	rc = gpg_export(v->home, fprs, n, out, outlen, e);
out:
	free(buf);
	gpg_verifier_free(v);
	return rc;
}
