/* SPDX-License-Identifier: MIT */
/*
 * gpg: OpenPGP through GPGME, always in a private GNUPGHOME
 * (../shared/RELIABILITY.md §6).  The verifier imports only the client's
 * pinned keyring into a fresh 0700 home, verifies binary detached
 * signatures from memory buffers, and judges each signature itself:
 * status, summary bits, primary fingerprint in the pinned set, signing
 * subkey not revoked/expired at the trusted time, hash algorithm SHA-256
 * or stronger.  gpgme_op_verify()'s return code and the VALID bit are
 * never the verdict.  Signing uses the caller's GNUPGHOME and gpg-agent;
 * no private key ever enters ferry's memory.
 */
#ifndef FERRY_GPG_H
#define FERRY_GPG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "formats/limits.h"

#define GPG_FPR_MAX	65	/* 40 (v4) or 64 (v5) hex digits + NUL */

struct gpg_verifier;

/* Create a verifier: a private home holding the public keys of `keyring`
 * (a binary or armored keyring file).  `pinned` are primary fingerprints
 * (full length, case-insensitive).  Keys in the keyring that are not
 * pinned are ignored for trust. */
int	gpg_verifier_new(const char *keyring, const char *const *pinned,
	    size_t npinned, struct gpg_verifier **out, struct fy_err *e);
/* Import more public keys (from a verified key-set statement). */
int	gpg_verifier_import(struct gpg_verifier *v, const uint8_t *keys,
	    size_t len, struct fy_err *e);
/* Replace the pinned set (after walking a key rotation chain). */
int	gpg_verifier_pin(struct gpg_verifier *v, const char *const *pinned,
	    size_t npinned, struct fy_err *e);
void	gpg_verifier_free(struct gpg_verifier *v);	/* removes the home */

struct gpg_signers {
	size_t	n;			/* distinct pinned primary keys */
	char	fpr[LIMIT_SIGS][GPG_FPR_MAX];
	int64_t	newest_sig_time;	/* latest signature creation time */
};

/* Verify `data` against detached signatures sigs[0..nsigs-1] (each a
 * separate binary signature file, framing pre-checked).  Succeeds when at
 * least `threshold` distinct pinned keys made good signatures; each key
 * counts once.  Key expiry is judged against `now` (the trusted time), not
 * gpg's clock.  On failure the message says why the best candidate failed
 * ("bad signature", "signed by key X, which is not pinned", "key X is
 * revoked", "2 of 3 required signatures", "not a detached signature"). */
int	gpg_verify(struct gpg_verifier *v, const uint8_t *data, size_t len,
	    const uint8_t *const *sigs, const size_t *siglens, size_t nsigs,
	    unsigned threshold, int64_t now, const char *where,
	    struct gpg_signers *out, struct fy_err *e);

/* Sign `data` with key `fpr` from `gnupghome` (NULL: $GNUPGHOME or
 * ~/.gnupg); binary detached signature, SHA-256 or stronger digest. */
int	gpg_sign(const char *gnupghome, const char *fpr, const uint8_t *data,
	    size_t len, uint8_t **sig, size_t *siglen, struct fy_err *e);
/* Export the public key(s) `fprs` from gnupghome (binary). */
int	gpg_export(const char *gnupghome, const char *const *fprs, size_t n,
	    uint8_t **out, size_t *outlen, struct fy_err *e);
/* Is this a full fingerprint (40 or 64 hex digits)? Normalises to upper
 * case in place. */
int	gpg_fpr_normalise(char *fpr);

#endif
