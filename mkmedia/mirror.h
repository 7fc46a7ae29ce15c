/* SPDX-License-Identifier: MIT */
/*
 * mirror: `mkmedia mirror`, refresh a folder served over http(s) from a
 * verified medium so that clients never see a half-copied mirror (see
 * mirror.c for the order of the copy).
 */
#ifndef FERRY_MK_MIRROR_H
#define FERRY_MK_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "mkmedia/mkmedia.h"

struct mk_mirror_opts {		/* mkmedia/main.c parses them */
	const char	*from;		/* medium: folder, ISO image or URL */
	const char	*to;		/* served folder (gets manifest.json) */
	const char	*keyring;	/* pinned public keys */
	const char	*fprs[MK_MAX_LIST];
	size_t		 nfprs;
	unsigned	 threshold;	/* 0 means 1 */
	int64_t		 now;
};

struct mk_mirror_stats {
	char		 medium_id[128];
	uint64_t	 serial;
	size_t		 copied, kept, removed;
	uint64_t	 bytes;		/* bytes copied */
};

/* Verify the medium completely (media_check), then copy it into o->to:
 * packages and other listed files first (tmp + fsync + rename), the
 * manifest signatures and manifest.json last, then remove what the new
 * manifest does not list.  A medium that does not verify is refused with
 * its worst code (FY_E_SIGNATURE, FY_E_INTEGRITY, ...) before anything in
 * o->to is touched; FY_E_STALE if o->to already holds a newer verified
 * medium of the same publisher and channel; FY_E_USAGE if o->to is not
 * empty and holds no mirror, or is the source itself; FY_E_IO,
 * FY_E_NOSPACE while copying. */
int	mk_mirror(const struct mk_mirror_opts *o, struct mk_mirror_stats *st,
	    struct fy_err *e);

#endif
