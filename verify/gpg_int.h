/* SPDX-License-Identifier: MIT */
/*
 * gpg_int: what verify/gpg_*.c share and nobody else sees.
 */
#ifndef FERRY_GPG_INT_H
#define FERRY_GPG_INT_H

#include <limits.h>
#include <gpgme.h>

#include "verify/gpg.h"

struct gpg_verifier {
	char		  home[PATH_MAX];	/* private 0700 GNUPGHOME */
	gpgme_ctx_t	  ctx;			/* engine bound to home */
	char		(*pinned)[GPG_FPR_MAX];	/* upper case, full length */
	size_t		  npinned;
};

/* A fresh OpenPGP context: engine home `home` (NULL: gpg's default),
 * offline, binary output, no text mode.  FY_E_INTERNAL on failure. */
int	gpg_ctx_open(const char *home, gpgme_ctx_t *out, struct fy_err *e);
/* Copy a GPGME data object's bytes into a malloc'ed buffer (the caller
 * frees it with free()) and release the object in all cases. */
int	gpg_data_take(gpgme_data_t d, uint8_t **out, size_t *outlen,
	    const char *where, struct fy_err *e);
/* Is fpr (any case) in the verifier's pinned set? */
int	gpg_is_pinned(const struct gpg_verifier *v, const char *fpr);

#endif
