/* SPDX-License-Identifier: MIT */
/*
 * emit: write a selection as a medium under a root folder (emit.c), and
 * the README.txt that makes it self-describing (readme.c).
 *
 * emit_prepare() makes every generated document and every signature in
 * memory, so a missing key or an unreachable gpg-agent is found before the
 * first byte is written.  emit_medium() then writes in the order of
 * formats/SPEC.md §2.2: a complete medium already on the target stays
 * valid until the new one is complete (companion manifests, signature
 * files that carry both signatures during the switch).
 */
#ifndef FERRY_EMIT_H
#define FERRY_EMIT_H

#include <stdint.h>

#include "core/err.h"
#include "formats/limits.h"
#include "mkmedia/mkmedia.h"
#include "mkmedia/select.h"
#include "verify/gpg.h"

struct emit_result {
	uint64_t	written;	/* bytes written */
	uint64_t	kept;		/* bytes of packages already in place */
	uint64_t	removed;	/* obsolete files removed */
	unsigned char	*fresh;		/* per file of the selection: written
					 * by this run (malloc'ed) */
};

/* The generated documents and their signatures (one per key). */
struct emit_docs {
	char		*readme, *sums, *man;
	size_t		 rlen, slen, mlen;
	uint8_t		*ssig[LIMIT_SIGS], *msig[LIMIT_SIGS];
	size_t		 ssiglen[LIMIT_SIGS], msiglen[LIMIT_SIGS];
	size_t		 nsig;
};

/* A complete medium on the target that verified with our keys: it stays
 * valid while the new one is written. */
struct emit_old {
	const struct manifest	*m;
	const uint8_t		*raw;		/* its manifest.json bytes */
	size_t			 rawlen;
	struct gpg_verifier	*v;		/* verifies it */
	int64_t			 now;
};

/* Called after the new packages are in place and before the switch; a
 * failure stops the build with the old medium intact. */
typedef int (*emit_check_fn)(void *arg, int ffd, const struct selection *s,
    const unsigned char *fresh, struct fy_err *e);

int	emit_prepare(struct selection *s, const struct mk_opts *o,
	    struct emit_docs *d, struct fy_err *e);
void	emit_docs_free(struct emit_docs *d);
/* Bytes this run writes to the target (new files, documents, the
 * companions of a rewrite), each rounded up to 32 KiB (a FAT32 cluster). */
uint64_t emit_bytes_needed(const char *root, const struct selection *s,
	    const struct emit_docs *d, const struct emit_old *old);
int	emit_medium(int repofd, struct selection *s, const struct mk_opts *o,
	    const char *root, const struct emit_docs *d,
	    const struct emit_old *old, emit_check_fn check, void *arg,
	    struct emit_result *res, struct fy_err *e);
/* The README.txt text (malloc'ed). */
char	*emit_readme(const struct manifest *m, const struct mk_opts *o,
	    size_t *len);

#endif
