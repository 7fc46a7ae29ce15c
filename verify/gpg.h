/* SPDX-License-Identifier: MIT */
/*
 * gpg: OpenPGP through GPGME, always in a private GNUPGHOME
 * (../shared/RELIABILITY.md §6).  The verifier imports only the client's
 * pinned keyring into a fresh 0700 home, verifies binary detached
 * signatures from memory buffers, and judges each signature itself:
 * status, summary bits, primary fingerprint in the pinned set, signing
 * subkey not revoked/expired at the trusted time, hash algorithm SHA-256
 * or stronger, key EdDSA, ECDSA or RSA of 3072 bits or more.
 * gpgme_op_verify()'s return code and the VALID bit are never the
 * verdict.  Signing uses the caller's GNUPGHOME and gpg-agent;
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

/*
 * Where a verifier may keep its private home between runs (gpg_cache.c):
 * dir/h-<hash of gpg.conf and the keyring bytes imported: the pinned
 * keys> holds exactly those keys, is 0700 and owned by us, and is checked against the hashes stored
 * in it before every use; anything else in its place is rebuilt.  A home
 * that must take more keys (a key-set statement) is never the cached one.
 */
struct gpg_cache {
	const char	*dir;		/* NULL: a fresh temporary home */
	int		 readonly;	/* use a valid home, never build one */
	int		 shared;	/* others may use dir at the same time
					 * (no lock): only old entries are
					 * removed */
};

/* For a process that never uses gpg's default home (the client tools):
 * call before any other gpg_* function, while the process runs one
 * thread.  GNUPGHOME then names the first private home, which saves
 * GPGME's second "gpg --version" (verify/gpg_sign.c).  A child the
 * process starts that is not gpg calls gpg_env_child() after fork(): it
 * puts back the GNUPGHOME the process started with. */
void	gpg_home_by_env(void);
void	gpg_env_child(void);
/* Start GPGME's set-up (its one "gpg --version") on a thread now, for a
 * process that will verify soon; the first gpg_* call that needs the
 * engine waits for it.  Call before any other thread runs. */
void	gpg_engine_prefetch(void);

/* Create a verifier: a private home holding the public keys of `keyring`
 * (a binary or armored keyring file of at most LIMIT_KEYSET_BYTES, public
 * keys only).  `pinned` are primary fingerprints (full length,
 * case-insensitive, at least one).  Keys in the keyring that are not
 * pinned never count, and are not imported (verify/gpg_pinned.h: only
 * the keys with a pinned primary or subkey fingerprint; the whole file
 * when it is not plain binary v4 public keys or holds no pinned key).
 * *out is set only on success; the caller
 * frees it with gpg_verifier_free().  FY_E_CONFIG (keyring missing, too
 * big, not OpenPGP, holds secret keys; no or malformed pins), FY_E_IO,
 * FY_E_INTERNAL (no gpg engine). */
int	gpg_verifier_new(const char *keyring, const char *const *pinned,
	    size_t npinned, struct gpg_verifier **out, struct fy_err *e);
/* The same with a cached home (cache NULL or cache->dir NULL: as
 * gpg_verifier_new).  A cache that cannot be used or built is not an
 * error: the verifier then works in a fresh temporary home.  A new entry
 * is built in a private folder under cache->dir and kept only by
 * gpg_verifier_keep(). */
int	gpg_verifier_open(const char *keyring, const char *const *pinned,
	    size_t npinned, const struct gpg_cache *cache,
	    struct gpg_verifier **out, struct fy_err *e);
/* Keep v's home for later runs if it is a new cache entry (built by
 * gpg_verifier_open, no keys imported since): call it after a
 * verification through v succeeded, so a refused run leaves no entry.
 * 0 if kept or nothing to keep; -1 (v still works) if it could not be. */
int	gpg_verifier_keep(struct gpg_verifier *v);
/* 1 if v works in a cached home (for tests and --verbose). */
int	gpg_verifier_cached(const struct gpg_verifier *v);
/* verifymedia's cache folder: $XDG_CACHE_HOME/ferry/gpg, else
 * $HOME/.cache/ferry/gpg, else $TMPDIR/ferry-cache-<uid>/gpg, the first
 * whose base folder exists and is ours (missing parts are created 0700).
 * Returns 0 and fills buf, or -1: no cache. */
int	gpg_cache_user_dir(char *buf, size_t size);
/* Import more public keys (from a verified key-set statement); FY_E_FORMAT
 * if they are not importable public keys. */
int	gpg_verifier_import(struct gpg_verifier *v, const uint8_t *keys,
	    size_t len, struct fy_err *e);
/* Replace the pinned set (after walking a key rotation chain).  On
 * FY_E_CONFIG (none, or one not a full fingerprint) the old set stays.
 * A newly pinned key counts only if it is in the home: import it first
 * (gpg_verifier_import), as a key of the keyring that was not pinned
 * when the verifier was made is not there. */
int	gpg_verifier_pin(struct gpg_verifier *v, const char *const *pinned,
	    size_t npinned, struct fy_err *e);
void	gpg_verifier_free(struct gpg_verifier *v);	/* removes a temporary
						 * home */

struct gpg_signers {
	size_t	n;			/* distinct pinned primary keys */
	char	fpr[LIMIT_SIGS][GPG_FPR_MAX];
	int64_t	newest_sig_time;	/* latest signature creation time */
};

/* Verify `data` against detached signatures sigs[0..nsigs-1] (each a
 * separate binary signature file; sigframe_check() runs on each here).
 * Succeeds when at least `threshold` (0 means 1) distinct pinned primary
 * keys made good signatures; each key counts once.  Key, subkey and
 * signature expiry are judged against `now` (the trusted time) and must
 * also pass gpg's own clock; revoked keys never count.  *out (may be NULL)
 * is written only on success.  FY_E_SIGNATURE, with `where` and one line
 * naming full fingerprints: "bad signature", "signed by key X, which is
 * not pinned", "signing key X is revoked", "signing key X expired on
 * 2025-01-02 (trusted time 2026-11-23)", "signature uses SHA-1, which is
 * refused", "not a binary detached signature: ...".  With several files
 * the first refusal is prefixed "signature N: "; below a threshold > 1 the
 * message is "1 of 2 required signatures from pinned keys; <first
 * refusal>".  FY_E_CONFIG for threshold > LIMIT_SIGS. */
int	gpg_verify(struct gpg_verifier *v, const uint8_t *data, size_t len,
	    const uint8_t *const *sigs, const size_t *siglens, size_t nsigs,
	    unsigned threshold, int64_t now, const char *where,
	    struct gpg_signers *out, struct fy_err *e);

/* gpg_verify in two halves, so that the gpg runs go on while the caller
 * does other work (verifymedia starts SHA256SUMS's beside the manifest's
 * and ends it after hashing the files).  gpg_verify_start takes
 * gpg_verify's arguments and makes its refusals of the arguments (-1, e
 * set); otherwise it checks each signature file's frame and starts its
 * gpg run (a GPGME context of its own on v's home, started on the calling
 * thread: GPGME forks there), sets *out and returns 0.  data and sigs
 * must stay as they are until the end.  gpg_verify_end waits for the
 * runs and judges every signature exactly as gpg_verify does (same
 * checks, order, messages, return and *signers), and frees p.
 * gpg_verify_drop waits for the runs and frees p without a verdict.
 * While a verification through v is pending, v imports no keys
 * (FY_E_INTERNAL) and gpg_verifier_keep() keeps nothing (-1). */
struct gpg_pending;
int	gpg_verify_start(struct gpg_verifier *v, const uint8_t *data,
	    size_t len, const uint8_t *const *sigs, const size_t *siglens,
	    size_t nsigs, unsigned threshold, int64_t now, const char *where,
	    struct gpg_pending **out, struct fy_err *e);
int	gpg_verify_end(struct gpg_pending *p, struct gpg_signers *out,
	    struct fy_err *e);
void	gpg_verify_drop(struct gpg_pending *p);		/* NULL is fine */

/* Sign `data` with key `fpr` (primary fingerprint; gpg picks its signing
 * subkey) from `gnupghome` (NULL: $GNUPGHOME or ~/.gnupg); binary detached
 * signature.  GPGME cannot choose the digest, so the result is checked:
 * a digest weaker than SHA-256 is FY_E_SIGNATURE, as is any gpg failure;
 * FY_E_CONFIG if the secret key is not there.  *sig (free()) is written
 * only on success and already passes sigframe_check(). */
int	gpg_sign(const char *gnupghome, const char *fpr, const uint8_t *data,
	    size_t len, uint8_t **sig, size_t *siglen, struct fy_err *e);
/* Export the public key(s) `fprs` (full fingerprints) from gnupghome as
 * one binary keyring; *out (free()) only on success.  FY_E_CONFIG if a key
 * is not there. */
int	gpg_export(const char *gnupghome, const char *const *fprs, size_t n,
	    uint8_t **out, size_t *outlen, struct fy_err *e);
/* A client's report key (gpg_keygen.c) in its own GnuPG home `home`
 * (created 0700 when `create` and missing; must be ours and 0700): the
 * one secret key there, or with `create` a new one (ed25519, signing
 * only, no expiry, no passphrase, user id `uid`); *made says which.  fpr
 * is its primary fingerprint, upper case.  FY_E_CONFIG: no key and not
 * `create`, a home that is not ours or not 0700, or several keys;
 * FY_E_IO: the home cannot be made.  gpg-agent may run in home after it:
 * the caller stops it with gpg_stop_agent() once it has signed (not in
 * between: a new gpg can meet the old agent still shutting down). */
int	gpg_keygen(const char *home, const char *uid, int create,
	    char fpr[GPG_FPR_MAX], int *made, struct fy_err *e);
/* The public key `fpr` (full fingerprint) out of the key file `keyfile`
 * (public keys only, at most LIMIT_KEYSET_BYTES), exported alone, binary;
 * *out (free()) only on success.  FY_E_CONFIG: no such key, not a public
 * key file. */
int	gpg_key_extract(const char *keyfile, const char *fpr, uint8_t **out,
	    size_t *outlen, struct fy_err *e);
/* Stop the gpg-agent of a home (after gpg_sign() with a client's key). */
void	gpg_stop_agent(const char *home);
/* Is this a full fingerprint (40 or 64 hex digits)?  Returns 1 and
 * normalises to upper case in place, or 0 and leaves it alone. */
int	gpg_fpr_normalise(char *fpr);

#endif
