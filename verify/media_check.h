/* SPDX-License-Identifier: MIT */
/*
 * media_check: the only door from media bytes to a parsed manifest.
 * Bounded read of manifest.json and its signatures -> signatures by the
 * pinned key set (threshold) -> parse of exactly the bytes that were
 * verified.  On failure nothing was parsed and *out is untouched.
 */
#ifndef FERRY_MEDIA_CHECK_H
#define FERRY_MEDIA_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/err.h"
#include "formats/manifest.h"
#include "formats/source.h"
#include "verify/gpg.h"
#include "verify/keyset.h"

struct trust {
	const char	 *keyring;	/* pinned public keys (file) */
	const char *const *fprs;	/* pinned primary fingerprints */
	size_t		  nfprs;
	unsigned	  threshold;	/* K of the pinned keys; 0 means 1 */
	int64_t		  now;		/* trusted time for key expiry */
	/* Key-set chain (docs/KEYS.md): the version of the pinned set's
	 * statement, 0 for an initial pin from the configuration, and its
	 * publisher ("" or NULL when not known). */
	unsigned	  keyset_version;
	const char	 *keyset_publisher;
	/* Where the verification home may be kept between runs (gpg.h);
	 * NULL: a fresh temporary home.  A new home is kept only when the
	 * caller calls gpg_verifier_keep(md->v), once it accepts the medium. */
	const struct gpg_cache *gpg_cache;
	/* verifymedia: media_open() also reads SHA256SUMS and its
	 * signatures and starts their gpg runs beside the manifest's;
	 * media_check_files() judges them (applymedia reads no SHA256SUMS) */
	int		  with_sums;
};

struct media_sums;

struct media {
	struct source	*src;		/* borrowed */
	struct manifest	*m;
	uint8_t		*raw;		/* the verified manifest bytes */
	size_t		 rawlen;
	uint8_t		 raw_sha256[DIGEST_LEN];
	struct gpg_signers signers;
	struct gpg_verifier *v;		/* owned; reused for SHA256SUMS */
	int64_t		 now;		/* trusted time used */
	unsigned	 threshold;
	struct keyset_walk *walk;	/* owned; keyset_walk_result() */
	struct media_sums *sums;	/* owned; trust.with_sums */
	/* Set by media_check_files(): files that hold the bytes a signed
	 * companion manifest (a rewrite by mkmedia in progress or
	 * interrupted, SPEC.md §2.2) lists, and the newest such serial. */
	size_t		 switching;
	uint64_t	 other_serial;
};

/* Open the medium behind src: FY_E_INCOMPLETE when mkmedia's
 * ".incomplete" marker is there or manifest.json is missing; the key-set
 * chain on the medium is walked from the pinned set first (keyset.h), so
 * the manifest is judged by the newest set the chain reaches;
 * FY_E_SIGNATURE when not signed by `threshold` pinned keys; FY_E_FORMAT
 * for a malformed manifest. */
int	media_open(struct source *src, const struct trust *t,
	    struct media **out, struct fy_err *e);
void	media_free(struct media *md);			/* NULL is fine */

/* verifymedia's full check: every file the manifest lists (size and
 * SHA-256), SHA256SUMS and its signature agree with the manifest, and no
 * file in the folder that the manifest does not list.  During a rewrite
 * (SPEC.md §2.2) a file may instead hold exactly the bytes that a
 * companion manifest (manifest.json.next or .prev, verified with the same
 * keys, same publisher and channel) lists for it; md->switching counts
 * such files.  Every problem is
 * passed to report(); returns the number of problems and sets *worst to
 * the most severe code. */
size_t	media_check_files(struct media *md,
	    void (*report)(void *arg, const struct fy_err *e), void *arg,
	    enum fy_code *worst);

/* media_open()'s early start of SHA256SUMS's check (media_files.c):
 * read it and its signatures, start their gpg runs; whatever fails is
 * kept and reported by media_check_files() where a late check would
 * report it.  media_sums_free() ends a run that is still going. */
void	media_sums_start(struct media *md);
void	media_sums_free(struct media_sums *s);

/* A companion manifest of an unfinished rewrite (SPEC.md §2.2: name is
 * manifest.json.next or .prev) of the opened medium md: read bounded,
 * verified exactly like manifest.json (md's verifier, threshold and
 * trusted time), only then parsed; FY_E_WRONG if of another publisher or
 * channel.  *out (manifest_free()) only on success. */
int	media_companion(struct media *md, const char *name,
	    struct manifest **out, struct fy_err *e);

/* Read the detached signatures of document `doc` ("manifest.json"):
 * doc.sig, doc.sig.2, ... up to LIMIT_SIGS; FY_E_SIGNATURE if none. */
int	media_read_sigs(struct source *src, const char *doc,
	    uint8_t *sigs[LIMIT_SIGS], size_t lens[LIMIT_SIGS], size_t *n,
	    struct fy_err *e);

#endif
