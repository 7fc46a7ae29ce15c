/* SPDX-License-Identifier: MIT */
/*
 * keyset: publisher key sets and their rotation chain (docs/KEYS.md).
 * A key-set statement keys/keyset-NNNN.json names the primary
 * fingerprints of set N and its threshold K; the public keys travel next
 * to it as keys/keyset-NNNN.gpg (binary keyring, SHA-256 in the
 * statement); signatures are keys/keyset-NNNN.json.sig[.2 ...].  Set N+1
 * is valid only when signed by K(N) keys of set N AND by K(N+1) keys of
 * set N+1, and its version is exactly N+1 (TUF's root rotation).
 *
 * keyset_walk() moves a verifier from the client's pinned set along the
 * chain on a medium; it reads statements with source_read() (at most
 * LIMIT_KEYSET_BYTES each, at most LIMIT_KEYSETS of them) and parses a
 * statement only after the previous set's signatures over its exact bytes
 * verified.  Every refusal is FY_E_SIGNATURE unless said otherwise.
 */
#ifndef FERRY_KEYSET_H
#define FERRY_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"
#include "formats/manifest.h"
#include "formats/source.h"
#include "verify/gpg.h"

#define KEYSET_FORMAT		"ferry-keyset"
#define KEYSET_MAX_KEYS		16

struct keyset {
	unsigned	 version;		/* 1, 2, ... */
	char		 publisher[65];
	unsigned	 threshold;		/* 1..nkeys, <= LIMIT_SIGS */
	char		 fpr[KEYSET_MAX_KEYS][GPG_FPR_MAX];	/* upper case */
	size_t		 nkeys;
	int64_t		 created;
	uint8_t		 keyring_sha256[DIGEST_LEN];
	uint8_t		*keyring;		/* owned; NULL unless loaded */
	size_t		 keyring_len;
};

/* "keys/keyset-0003.json" (ext "json") or "keys/keyset-0003.gpg". */
int	keyset_path(unsigned version, const char *ext, char *buf, size_t n);
/* The manifest's "keyset" value naming set `version`: "keyset-0003". */
void	keyset_id(unsigned version, char *buf, size_t n);

/* Parse a statement whose signatures have been verified (keyset_walk(),
 * or mkmedia reading its own repository).  Strict: unknown or missing
 * fields, bad fingerprints, duplicate keys, threshold out of range are
 * FY_E_FORMAT.  out->keyring stays NULL. */
int	keyset_parse_verified(const uint8_t *buf, size_t len,
	    const char *where, struct keyset *out, struct fy_err *e);
/* Canonical JSON (sorted keys, trailing newline); malloc'ed. */
char	*keyset_emit(const struct keyset *ks, size_t *len);
void	 keyset_clear(struct keyset *ks);		/* frees keyring */

struct keyset_walk;

/*
 * Walk the chain on `src` starting from the client's set `start` (0: the
 * initial pin from the configuration, which is not a statement) whose
 * keys are pinned in `v` with threshold *threshold.  Statements start+1,
 * start+2, ... are read until one is missing.  With start 0, statements
 * not signed by the initial pin are passed over until the first one that
 * is (a client pinned later, to a newer set); from then on the chain must
 * be unbroken.  On success v is pinned to the newest set reached and
 * *threshold is its threshold.  `publisher` ("" or NULL: not yet known)
 * must match every statement.  Refusals: a gap (N missing, N+1 present),
 * a statement not signed by the previous set or not by its own, a version
 * that is not exactly previous+1, another publisher, no statement signed
 * by the initial pin; keyring not matching its hash is FY_E_INTEGRITY.
 */
int	keyset_walk(struct source *src, struct gpg_verifier *v,
	    unsigned *threshold, unsigned start, const char *publisher,
	    int64_t now, struct keyset_walk **out, struct fy_err *e);
/* After the manifest was verified and parsed: its "keyset" must not name
 * a set beyond the one reached, must name exactly that set when this
 * medium moved the client along, the publisher must be the chain's, and
 * every statement and keyring read must be listed in the manifest with
 * the same SHA-256 (FY_E_INTEGRITY). */
int	keyset_walk_check(const struct keyset_walk *w, const struct manifest *m,
	    struct fy_err *e);
/* The set the walk reached when it is newer than `start` (with its
 * keyring), else NULL.  Valid until keyset_walk_free(). */
const struct keyset *keyset_walk_result(const struct keyset_walk *w);
void	keyset_walk_free(struct keyset_walk *w);		/* NULL is fine */

/*
 * Keyring files for a pinned set (applymedia trust, mkmedia keyset).
 * keyset_key_check: `keyfile` (binary or armored, public only) holds
 * exactly one primary key and it is `fpr` (full fingerprint), else
 * FY_E_CONFIG.  keyset_keyring_make: the public keys fprs[0..n-1] taken
 * from `keyring` plus `keyfile` (may be NULL), exported as one binary
 * keyring (*out malloc'ed); FY_E_CONFIG if one is missing.
 */
int	keyset_key_check(const char *keyfile, const char *fpr,
	    struct fy_err *e);
int	keyset_keyring_make(const char *keyring, const char *keyfile,
	    const char *const *fprs, size_t n, uint8_t **out, size_t *outlen,
	    struct fy_err *e);

#endif
